/*
 * jsontext: text from outside (server messages, paths the user gave) as a
 * JSON string that is always valid. jansson refuses bytes that are not
 * UTF-8 by returning NULL, and a NULL added to an array or object silently
 * drops the entry: a summary must never lose an error that way.
 */
#ifndef RHIZOME_JSONTEXT_H
#define RHIZOME_JSONTEXT_H

#include <stddef.h>

#include <jansson.h>

/* A JSON string of `s` (NUL-terminated), each byte that is not part of
 * well-formed UTF-8 replaced by U+FFFD. New reference; aborts on allocation
 * failure. Thread-safe. (A message cut short inside a character ends
 * in one U+FFFD.) */
json_t *jsontext_string(const char *s);

/* Whether the JSON array `list` holds the string `name` (NULL or a
 * non-array: no). Thread-safe. */
int jsontext_list_has(json_t *list, const char *name);

#endif
