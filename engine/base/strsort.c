#include "engine/base/strsort.h"

#include <string.h>

int strsort_compare(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}
