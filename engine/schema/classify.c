/*
 * Byte equality first (the common, unchanged case costs one memcmp); only
 * when the bytes differ are both sides normalized and compared again.
 */
#include "engine/schema/classify.h"

#include <stdlib.h>
#include <string.h>

#include "engine/schema/normalize.h"

enum change_class classify_schema(const char *fresh, size_t fresh_len,
				  const char *old, size_t old_len)
{
	char *a, *b;
	size_t alen, blen;
	enum change_class c;

	if (old == NULL)
		return CLASS_NEW;
	if (fresh_len == old_len && memcmp(fresh, old, old_len) == 0)
		return CLASS_UNCHANGED;
	a = normalize_schema(fresh, fresh_len, &alen);
	b = normalize_schema(old, old_len, &blen);
	c = (alen == blen && memcmp(a, b, alen) == 0) ? CLASS_TRIVIAL
						       : CLASS_SIGNIFICANT;
	free(a);
	free(b);
	return c;
}

enum change_class classify_data(const char *fresh, size_t fresh_len,
				const char *old, size_t old_len)
{
	if (old == NULL)
		return CLASS_NEW;
	if (fresh_len == old_len && memcmp(fresh, old, old_len) == 0)
		return CLASS_UNCHANGED;
	return CLASS_SIGNIFICANT;
}

const char *classify_name(enum change_class c)
{
	static const char *const names[CLASS_COUNT] = {
		[CLASS_NEW] = "new",
		[CLASS_UNCHANGED] = "unchanged",
		[CLASS_TRIVIAL] = "trivial",
		[CLASS_SIGNIFICANT] = "significant",
		[CLASS_MISSING] = "missing",
		[CLASS_REMOVED] = "removed",
		[CLASS_EMPTY] = "empty",
		[CLASS_ERROR] = "error",
	};

	return (unsigned)c < CLASS_COUNT ? names[c] : "?";
}

int classify_writes(enum change_class c, int write_trivial)
{
	return c == CLASS_NEW || c == CLASS_SIGNIFICANT ||
	       (c == CLASS_TRIVIAL && write_trivial);
}
