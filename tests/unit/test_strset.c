/* strset: adds once, finds what it holds, grows past its first table. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "engine/base/strset.h"

static void test_a_string_is_added_once_and_found_after_growing(void)
{
	struct strset set = STRSET_INIT;
	char names[1000][16];
	int i;

	ASSERT_TRUE(!strset_has(&set, "a"));
	for (i = 0; i < 1000; i++) {
		snprintf(names[i], sizeof(names[i]), "t%d", i);
		ASSERT_EQ(strset_add(&set, names[i]), 1);
	}
	ASSERT_EQ(set.n, 1000);
	for (i = 0; i < 1000; i++) {
		char again[16];

		snprintf(again, sizeof(again), "t%d", i);
		ASSERT_TRUE(strset_has(&set, again));
		ASSERT_EQ(strset_add(&set, again), 0);
	}
	ASSERT_TRUE(!strset_has(&set, "t1000"));
	ASSERT_TRUE(!strset_has(&set, ""));
	ASSERT_EQ(set.n, 1000);
	strset_release(&set);
	ASSERT_EQ(set.n, 0);
	ASSERT_TRUE(!strset_has(&set, "t1"));
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_a_string_is_added_once_and_found_after_growing);
	return CHECK_EXIT();
}
