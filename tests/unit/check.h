/*
 * check.h: the unit tests' tiny harness, in the spirit of libuv's ASSERT_EQ.
 *
 * A test is `static void test_name(void)`; main(argc, argv) calls
 * CHECK_INIT(argc, argv), then RUN(test_name) for each, and returns
 * CHECK_EXIT(). Given a test's name (`build/tests/test_queue
 * test_queue_pops_in_fifo_order`) a binary runs that test alone; a name
 * no test has is a failure. A failed assertion prints both operands and
 * ends that test (longjmp), the next one runs. Output, one line per test,
 * is what tests/run.sh counts:
 *     PASS test_queue_is_fifo
 *     FAIL test_queue_is_fifo: test_queue.c:42: ASSERT_EQ(a, b): 3 != 4
 */
#ifndef RHIZOME_CHECK_H
#define RHIZOME_CHECK_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static jmp_buf check_jmp;
static int check_failed_count, check_passed_count;
static const char *check_current;
static const char *check_only;  /* the one test to run, or NULL: all */

#define CHECK_INIT(argc, argv) (check_only = (argc) > 1 ? (argv)[1] : NULL)

#define CHECK_FAIL(...)                                                     \
	do {                                                                \
		printf("FAIL %s: %s:%d: ", check_current, __FILE__, __LINE__); \
		printf(__VA_ARGS__);                                        \
		printf("\n");                                               \
		fflush(stdout);                                             \
		longjmp(check_jmp, 1);                                      \
	} while (0)

#define ASSERT_TRUE(x)                                                      \
	do {                                                                \
		if (!(x))                                                   \
			CHECK_FAIL("ASSERT_TRUE(%s)", #x);                  \
	} while (0)

#define ASSERT_EQ(a, b)                                                     \
	do {                                                                \
		intmax_t check_a_ = (intmax_t)(a), check_b_ = (intmax_t)(b); \
		if (check_a_ != check_b_)                                   \
			CHECK_FAIL("ASSERT_EQ(%s, %s): %jd != %jd", #a, #b, \
				   check_a_, check_b_);                     \
	} while (0)

#define ASSERT_NE(a, b)                                                     \
	do {                                                                \
		intmax_t check_a_ = (intmax_t)(a), check_b_ = (intmax_t)(b); \
		if (check_a_ == check_b_)                                   \
			CHECK_FAIL("ASSERT_NE(%s, %s): both %jd", #a, #b,   \
				   check_a_);                               \
	} while (0)

#define ASSERT_STR_EQ(a, b)                                                 \
	do {                                                                \
		const char *check_a_ = (a), *check_b_ = (b);                \
		if (check_a_ == NULL || check_b_ == NULL ||                 \
		    strcmp(check_a_, check_b_) != 0)                        \
			CHECK_FAIL("ASSERT_STR_EQ(%s, %s):\n  got:  \"%s\"\n  want: \"%s\"", \
				   #a, #b, check_a_ ? check_a_ : "(null)",  \
				   check_b_ ? check_b_ : "(null)");         \
	} while (0)

#define ASSERT_CONTAINS(hay, needle)                                        \
	do {                                                                \
		const char *check_h_ = (hay), *check_n_ = (needle);         \
		if (check_h_ == NULL || strstr(check_h_, check_n_) == NULL) \
			CHECK_FAIL("ASSERT_CONTAINS(%s, %s):\n  \"%s\" lacks \"%s\"", \
				   #hay, #needle, check_h_ ? check_h_ : "(null)", \
				   check_n_);                               \
	} while (0)

#define RUN(fn)                                                             \
	do {                                                                \
		check_current = #fn;                                        \
		if (check_only != NULL && strcmp(check_only, #fn) != 0)     \
			break;                                              \
		if (setjmp(check_jmp) == 0) {                               \
			fn();                                               \
			printf("PASS %s\n", #fn);                           \
			check_passed_count++;                               \
		} else {                                                    \
			check_failed_count++;                               \
		}                                                           \
		fflush(stdout);                                             \
	} while (0)

static inline int check_exit(void)
{
	if (check_only != NULL && check_passed_count + check_failed_count == 0) {
		printf("FAIL %s: no such test here\n", check_only);
		return 1;
	}
	return check_failed_count > 0 ? 1 : 0;
}

#define CHECK_EXIT() check_exit()

#endif
