/*
 * sqltoken: the one scanner of the quotes and comments in SQL text, for
 * every schema module that looks into a CREATE TABLE statement
 * (normalize.c, tablemodel_token.c).
 *
 * A parenthesis, a comma, a newline or a keyword only means something
 * outside quotes: COMMENT='a (b', DEFAULT 'AUTO_INCREMENT=7' and a
 * `name with ) in it` must be stepped over whole. The quoting is the
 * server's, as SHOW CREATE TABLE writes it: '...' and "..." strings, in
 * which a backslash escapes the byte after it and a doubled quote stands
 * for one; `...` identifiers, in which only a doubled backtick does (a
 * backslash there is an ordinary byte). Any byte, a raw newline or a
 * multi-byte UTF-8 sequence included, is just part of the quoted text.
 *
 * The functions read `s` and return an index into it; they allocate
 * nothing, keep no state, and are thread-safe.
 */
#ifndef RHIZOME_SQLTOKEN_H
#define RHIZOME_SQLTOKEN_H

#include <stddef.h>

/* Whether `c` opens a quoted token: ', " or a backtick. */
int sqltoken_is_quote(char c);

/*
 * If s[i] (i < len) opens a quoted token, return the index just past its
 * closing quote, or `len` when the quote is not closed before `len` (an
 * unterminated token runs to the end: a caller bounds a search by passing
 * a smaller len). When s[i] is no quote, return i itself, so a scanner
 * can write `if ((j = sqltoken_skip_quoted(s, len, i)) != i)`.
 * Thread-safe.
 */
size_t sqltoken_skip_quoted(const char *s, size_t len, size_t i);

/*
 * If s[i] opens a comment written slash-star (a MariaDB version comment
 * such as slash-star-bang-50100 ... star-slash), with at least one byte
 * after the opening pair, return the index just past its closing
 * star-slash, or `len` when it is not closed. Otherwise return i. Quotes
 * inside a comment are not looked at. Thread-safe.
 */
size_t sqltoken_skip_comment(const char *s, size_t len, size_t i);

/*
 * The value of the quoted token s[0..len) (a '...' or "..." string, or a
 * `...` identifier, quotes included), as a new string the caller frees:
 * a doubled quote is one; in strings, a backslash escape is the byte the
 * server reads it as (\n, \t, \r, \b, \Z; \0 is NUL, which ends the C
 * string there), any other escaped byte itself. NULL when s[0..len) is
 * not one whole quoted token. Thread-safe.
 */
char *sqltoken_unquote(const char *s, size_t len);

#endif
