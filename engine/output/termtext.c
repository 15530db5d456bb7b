/*
 * The tables are ranges of code points, sorted, searched by bisection.
 * Wide: East Asian Wide and Fullwidth, and the emoji drawn as emoji by
 * default (Emoji_Presentation), as glibc's wcwidth and so tmux count them.
 * Zero: combining marks, variation selectors, zero-width spaces and joiners.
 */
#include "engine/output/termtext.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "engine/base/utf8.h"

struct range { unsigned from, to; };

static const struct range zero[] = {
	{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD },
	{ 0x0610, 0x061A }, { 0x064B, 0x065F }, { 0x0E31, 0x0E31 },
	{ 0x0E34, 0x0E3A }, { 0x0E47, 0x0E4E }, { 0x1AB0, 0x1AFF },
	{ 0x1DC0, 0x1DFF }, { 0x200B, 0x200F }, { 0x202A, 0x202E },
	{ 0x2060, 0x2064 }, { 0x20D0, 0x20FF }, { 0xFE00, 0xFE0F },
	{ 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF }, { 0xE0000, 0xE0FFF },
};

static const struct range wide[] = {
	{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A },
	{ 0x23E9, 0x23EC }, { 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 },
	{ 0x25FD, 0x25FE }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 },
	{ 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
	{ 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 },
	{ 0x26CE, 0x26CE }, { 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA },
	{ 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 }, { 0x26FA, 0x26FA },
	{ 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
	{ 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E },
	{ 0x2753, 0x2755 }, { 0x2757, 0x2757 }, { 0x2795, 0x2797 },
	{ 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF }, { 0x2B1B, 0x2B1C },
	{ 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x303E },
	{ 0x3041, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF },
	{ 0xA000, 0xA4CF }, { 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 },
	{ 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 }, { 0xFE30, 0xFE6F },
	{ 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x16FE4 },
	{ 0x17000, 0x18CFF }, { 0x1B000, 0x1B2FF }, { 0x1F004, 0x1F004 },
	{ 0x1F0CF, 0x1F0CF }, { 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A },
	{ 0x1F200, 0x1F202 }, { 0x1F210, 0x1F23B }, { 0x1F240, 0x1F248 },
	{ 0x1F250, 0x1F251 }, { 0x1F260, 0x1F265 }, { 0x1F300, 0x1F320 },
	{ 0x1F32D, 0x1F335 }, { 0x1F337, 0x1F37C }, { 0x1F37E, 0x1F393 },
	{ 0x1F3A0, 0x1F3CA }, { 0x1F3CF, 0x1F3D3 }, { 0x1F3E0, 0x1F3F0 },
	{ 0x1F3F4, 0x1F3F4 }, { 0x1F3F8, 0x1F43E }, { 0x1F440, 0x1F440 },
	{ 0x1F442, 0x1F4FC }, { 0x1F4FF, 0x1F53D }, { 0x1F54B, 0x1F54E },
	{ 0x1F550, 0x1F567 }, { 0x1F57A, 0x1F57A }, { 0x1F595, 0x1F596 },
	{ 0x1F5A4, 0x1F5A4 }, { 0x1F5FB, 0x1F64F }, { 0x1F680, 0x1F6C5 },
	{ 0x1F6CC, 0x1F6CC }, { 0x1F6D0, 0x1F6D2 }, { 0x1F6D5, 0x1F6D7 },
	{ 0x1F6DC, 0x1F6DF }, { 0x1F6EB, 0x1F6EC }, { 0x1F6F4, 0x1F6FC },
	{ 0x1F7E0, 0x1F7EB }, { 0x1F7F0, 0x1F7F0 }, { 0x1F90C, 0x1F93A },
	{ 0x1F93C, 0x1F945 }, { 0x1F947, 0x1F9FF }, { 0x1FA70, 0x1FAFF },
	{ 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
};

static int in(const struct range *r, size_t n, unsigned cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < r[mid].from)
			hi = mid;
		else if (cp > r[mid].to)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

int termtext_cp_width(unsigned cp)
{
	if (in(zero, sizeof(zero) / sizeof(zero[0]), cp))
		return 0;
	return in(wide, sizeof(wide) / sizeof(wide[0]), cp) ? 2 : 1;
}

/* The character at s (of `left` > 0 bytes): its length in bytes and, in
 * *cells, its width. A byte that starts no UTF-8 sequence is one cell. */
static size_t step(const char *s, size_t left, int *cells)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = utf8_sequence_length(u, left), k;
	unsigned cp;

	if (n <= 1) {
		*cells = 1;
		return 1;
	}
	cp = u[0] & (0x7F >> n);
	for (k = 1; k < n; k++)
		cp = cp << 6 | (u[k] & 0x3F);
	*cells = termtext_cp_width(cp);
	return n;
}

size_t termtext_width_n(const char *s, size_t len)
{
	size_t w = 0, i = 0;
	int cells;

	while (i < len) {
		i += step(s + i, len - i, &cells);
		w += (size_t)cells;
	}
	return w;
}

size_t termtext_width(const char *s)
{
	return termtext_width_n(s, strlen(s));
}

size_t termtext_fit(const char *s, size_t len, size_t cells)
{
	size_t i = 0, used = 0, n;
	int w;

	while (i < len) {
		n = step(s + i, len - i, &w);
		if (used + (size_t)w > cells)
			break;
		used += (size_t)w;
		i += n;
	}
	/* a zero-width mark after the cut belongs to the character before */
	while (i > 0 && i < len) {
		n = step(s + i, len - i, &w);
		if (w != 0)
			break;
		i += n;
	}
	return i;
}

void termtext_pad(FILE *fp, const char *s, size_t cells)
{
	size_t w = termtext_width(s);

	fputs(s, fp);
	for (; w < cells; w++)
		fputc(' ', fp);
}

void termtext_wrap(struct strbuf *sb, const char *text, size_t width,
		   const char *first, const char *indent)
{
	const char *lead = first != NULL ? first : "";
	const char *p = text;
	size_t col;
	int fresh;      /* nothing but the lead on this line yet */

	if (width < 20)
		width = 20;
	if (indent == NULL)
		indent = "";
	strbuf_adds(sb, lead);
	col = termtext_width(lead);
	fresh = 1;
	for (;;) {
		size_t wlen, ww;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		wlen = strcspn(p, " ");
		ww = termtext_width_n(p, wlen);
		if (!fresh && col + 1 + ww > width) {
			strbuf_adds(sb, "\n");
			strbuf_adds(sb, indent);
			col = termtext_width(indent);
			fresh = 1;
		}
		if (!fresh) {
			strbuf_adds(sb, " ");
			col++;
		}
		/* a word longer than a line: as much as fits, then go on */
		while (wlen > 0 && col + ww > width) {
			size_t room = width > col ? width - col : 0;
			size_t cut = termtext_fit(p, wlen, room);

			/* not even one character fits after the lead (a lead
			 * as wide as the line): one character all the same,
			 * whole, so that the loop goes on */
			if (cut == 0)
				cut = termtext_fit(p, wlen, 1);
			if (cut == 0)
				cut = utf8_sequence_length(
					(const unsigned char *)p, wlen) ?: 1;
			strbuf_add(sb, p, cut);
			p += cut;
			wlen -= cut;
			if (wlen == 0) {
				col = width; /* what fitted filled the line */
				break;
			}
			strbuf_adds(sb, "\n");
			strbuf_adds(sb, indent);
			col = termtext_width(indent);
			ww = termtext_width_n(p, wlen);
		}
		strbuf_add(sb, p, wlen);
		col += ww;
		p += wlen;
		fresh = 0;
	}
	strbuf_adds(sb, "\n");
}

unsigned termtext_columns(int fd, unsigned fallback)
{
	struct winsize ws;
	const char *columns = getenv("COLUMNS");
	char *end;
	long v;

	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (columns != NULL && *columns != '\0') {
		v = strtol(columns, &end, 10);
		if (*end == '\0' && v > 0 && v < 100000)
			return (unsigned)v;
	}
	return fallback;
}
