/*
 * termtext: text for a terminal, measured in the cells it takes.
 *
 * A byte count is not a width: ✅ takes two cells, ⚠ one, a combining
 * accent or U+FE0F none. The widths are tmux's (our reference terminal),
 * which follow Unicode's East Asian Width and Emoji_Presentation
 * properties; they are built in, not read from the locale, so a report
 * lays out the same under LANG=C as under a UTF-8 locale. Bytes that are
 * not UTF-8 count one cell each (they are shown escaped, if at all).
 *
 * Thread-safe; nothing allocates but termtext_wrap's caller-owned buffer.
 */
#ifndef RHIZOME_TERMTEXT_H
#define RHIZOME_TERMTEXT_H

#include <stddef.h>
#include <stdio.h>

#include "engine/base/strbuf.h"

/* Cells that code point `cp` takes: 0, 1 or 2. */
int termtext_cp_width(unsigned cp);

/* Cells that s[0..len) takes. */
size_t termtext_width_n(const char *s, size_t len);
size_t termtext_width(const char *s);

/* Bytes of the longest prefix of s[0..len) that fits in `cells`, never
 * splitting a character (or a character from its zero-width marks). */
size_t termtext_fit(const char *s, size_t len, size_t cells);

/* Write s, then spaces up to `cells` cells (none when s is wider). */
void termtext_pad(FILE *fp, const char *s, size_t cells);

/*
 * Append `text` to *sb wrapped at `width` cells: words (runs without a
 * space) are kept whole where they fit on a line, longer ones are cut
 * between characters. The first line starts with `first`, the next ones
 * with `indent` (both counted in the width; NULL: ""). Every line ends
 * with '\n'. A width below 20 is taken as 20, so a line always has room.
 */
void termtext_wrap(struct strbuf *sb, const char *text, size_t width,
		   const char *first, const char *indent);

/*
 * The width of the terminal on `fd` (TIOCGWINSZ), else $COLUMNS when it
 * is a positive number, else `fallback`.
 */
unsigned termtext_columns(int fd, unsigned fallback);

#endif
