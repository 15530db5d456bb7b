/*
 * strsort: the one comparator for qsort(3) and bsearch(3) over arrays of C
 * strings (char * or const char * elements), in strcmp order: byte order,
 * as table names compare on a Linux server. Thread-safe.
 */
#ifndef RHIZOME_STRSORT_H
#define RHIZOME_STRSORT_H

/* a and b point to array elements, each a pointer to a string */
int strsort_compare(const void *a, const void *b);

#endif
