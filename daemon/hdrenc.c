/* Writing header fields: folding, RFC 2047 encoded words, dates, ids. */
#include "hdrenc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mimeenc.h"
#include "utf8.h"
#include "xmalloc.h"

#define HDR_LINE_MAX	76	/* RFC 2047 section 2 for lines with encoded words */
#define EW_MAX		75	/* longest encoded word */
#define EW_OVERHEAD	12	/* "=?UTF-8?Q?" and "?=" */

/* A field being written: `col` counts the characters on the current line. */
struct fold {
	struct buf	*out;	/* foreign */
	size_t		 col;
	int		 fresh;	/* nothing written after the colon yet */
};

static void
fold_start(struct fold *f, struct buf *out, const char *field)
{
	f->out = out;
	buf_printf(out, "%s:", field);
	f->col = strlen(field) + 1;
	f->fresh = 1;
}

/* A space, or a fold when the word does not fit, then the word. */
static void
fold_word(struct fold *f, const char *w, size_t n)
{
	if (!f->fresh && n > 0 && f->col + 1 + n > HDR_LINE_MAX) {
		buf_append(f->out, "\r\n ", 3);
		f->col = 1;
	} else {
		buf_append_char(f->out, ' ');
		f->col++;
	}
	buf_append(f->out, w, n);
	f->col += n;
	f->fresh = 0;
}

static void
fold_end(struct fold *f)
{
	buf_append(f->out, "\r\n", 2);
}

/* Plain words separated by single spaces; a run of spaces keeps its width
 * (an empty word is never a place to fold). */
static void
plain_words(struct fold *f, const char *s, size_t n)
{
	size_t i = 0, j;

	while (i <= n) {
		for (j = i; j < n && s[j] != ' '; j++)
			;
		fold_word(f, s + i, j - i);
		i = j + 1;
	}
}

/* Characters that stand for themselves in a Q-encoded word anywhere
 * (RFC 2047 section 5 (3), the strictest context). */
static int
q_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	    c == '-' || c == '/';
}

static size_t
q_len(const unsigned char *s, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += (q_safe(s[i]) || s[i] == ' ') ? 1 : 3;
	return len;
}

static size_t
b_len(size_t n)
{
	return 4 * ((n + 2) / 3);
}

static void
q_put(struct buf *out, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		if (q_safe(s[i]))
			buf_append_char(out, (char)s[i]);
		else if (s[i] == ' ')
			buf_append_char(out, '_');
		else {
			buf_append_char(out, '=');
			buf_append_char(out, hex[s[i] >> 4]);
			buf_append_char(out, hex[s[i] & 15]);
		}
	}
}

/* The whole text as encoded words, each filling the room on its line.
 * The text must be valid UTF-8. */
static void
encoded_words(struct fold *f, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	int use_b = b_len(len) < q_len(s, len);
	struct buf w = BUF_INIT;
	size_t i = 0, j, m, enc, room, budget;

	while (i < len) {
		room = HDR_LINE_MAX - f->col - 1;
		/* Too little room left on this line: the word goes on the
		 * next one (fold_word folds it). */
		if (f->col + 1 >= HDR_LINE_MAX || room < 2 * EW_OVERHEAD)
			room = EW_MAX;
		if (room > EW_MAX)
			room = EW_MAX;
		budget = room - EW_OVERHEAD;
		for (j = i, enc = 0; j < len; j += m) {
			size_t e;

			if ((m = utf8_char_len(s + j, len - j)) == 0)
				m = 1;	/* callers validate; stay safe */
			e = use_b ? b_len(j + m - i) : enc + q_len(s + j, m);
			if (e > budget && j > i)
				break;	/* never split a character */
			enc = e;
		}
		buf_reset(&w);
		buf_append_str(&w, use_b ? "=?UTF-8?B?" : "=?UTF-8?Q?");
		if (use_b)
			base64_encode(s + i, j - i, &w);
		else
			q_put(&w, s + i, j - i);
		buf_append_str(&w, "?=");
		fold_word(f, w.data, w.len);
		i = j;
	}
	buf_free(&w);
}

static int
printable_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

static int
has_ew_start(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '=' && s[i + 1] == '?')
			return 1;
	return 0;
}

int
hdr_unstructured(struct buf *out, const char *field, const char *plain,
    const char *text, struct clerk_err *err)
{
	struct fold f;
	size_t n;

	if (plain != NULL && (plain[0] == '\0' ||
	    !printable_ascii(plain, strlen(plain)) || strchr(plain, ' '))) {
		err_set(err, ERR_FINAL, "%s: '%s' cannot stand plain in a header",
		    field, plain);
		return -1;
	}
	if (!utf8_valid(text, strlen(text))) {
		err_set(err, ERR_FINAL, "%s: not valid UTF-8", field);
		return -1;
	}
	if (strpbrk(text, "\r\n") != NULL) {
		err_set(err, ERR_FINAL, "%s: contains a line break", field);
		return -1;
	}
	while (*text == ' ')
		text++;
	n = strlen(text);
	while (n && text[n - 1] == ' ')
		n--;
	fold_start(&f, out, field);
	if (plain)
		fold_word(&f, plain, strlen(plain));
	if (n > 0) {
		if (printable_ascii(text, n) && !has_ew_start(text, n))
			plain_words(&f, text, n);
		else
			encoded_words(&f, text, n);
	}
	fold_end(&f);
	return 0;
}

static int
atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* dot-atom-text: atext runs joined by single dots. */
static int
dot_atom(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int
hdr_addr_valid(const char *addr)
{
	const char *at;

	if (addr == NULL || (at = strrchr(addr, '@')) == NULL)
		return 0;
	return dot_atom(addr, (size_t)(at - addr)) &&
	    dot_atom(at + 1, strlen(at + 1)) && strchr(at + 1, '.') != NULL;
}

int
hdr_msgid_valid(const char *s, size_t n)
{
	const char *at;

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	if ((at = memchr(s, '@', n)) == NULL)
		return 0;
	return dot_atom(s, (size_t)(at - s)) &&
	    dot_atom(at + 1, n - (size_t)(at - s) - 1);
}

int
hdr_mailbox(struct buf *out, const char *field, const char *display,
    const char *addr, struct clerk_err *err)
{
	struct buf name = BUF_INIT, tok = BUF_INIT;
	struct fold f;
	const char *p;
	size_t i;
	int rc = -1, words = 1;

	if (!hdr_addr_valid(addr)) {
		err_set(err, ERR_FINAL, "%s: '%s' is not an address clerk can write",
		    field, addr ? addr : "(none)");
		goto out;
	}
	if (display && !utf8_valid(display, strlen(display))) {
		err_set(err, ERR_FINAL, "%s: the name is not valid UTF-8", field);
		goto out;
	}
	/* The name on one line, single spaces, no control characters. */
	for (p = display ? display : ""; *p; p++) {
		char c = ((unsigned char)*p < 0x20 || *p == 0x7f) ? ' ' : *p;

		if (c == ' ' && (name.len == 0 || name.data[name.len - 1] == ' '))
			continue;
		buf_append_char(&name, c);
	}
	while (name.len && name.data[name.len - 1] == ' ')
		name.data[--name.len] = '\0';
	fold_start(&f, out, field);
	if (name.len == 0) {
		fold_word(&f, addr, strlen(addr));
		fold_end(&f);
		rc = 0;
		goto out;
	}
	for (i = 0; i < name.len; i++)
		if (name.data[i] != ' ' && !atext((unsigned char)name.data[i]))
			words = 0;
	if (has_ew_start(name.data, name.len))
		words = 0;
	if (words)
		plain_words(&f, name.data, name.len);
	else if (printable_ascii(name.data, name.len) &&
	    !has_ew_start(name.data, name.len)) {
		buf_append_char(&tok, '"');
		for (i = 0; i < name.len; i++) {
			if (name.data[i] == '"' || name.data[i] == '\\')
				buf_append_char(&tok, '\\');
			buf_append_char(&tok, name.data[i]);
		}
		buf_append_char(&tok, '"');
		fold_word(&f, tok.data, tok.len);
	} else
		encoded_words(&f, name.data, name.len);
	buf_reset(&tok);
	buf_printf(&tok, "<%s>", addr);
	fold_word(&f, tok.data, tok.len);
	fold_end(&f);
	rc = 0;
out:
	buf_free(&name);
	buf_free(&tok);
	return rc;
}

int
hdr_date(struct buf *out, struct cal_datetime t, int utc_offset,
    struct clerk_err *err)
{
	static const char *const wd[] = {
		"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
	};
	static const char *const mon[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec"
	};
	int off;

	if (!cal_datetime_valid(t)) {
		err_set(err, ERR_FINAL, "Date: invalid local time %04d-%02d-%02d "
		    "%02d:%02d:%02d", t.date.year, t.date.month, t.date.day,
		    t.hour, t.minute, t.second);
		return -1;
	}
	if (utc_offset < -1439 || utc_offset > 1439) {
		err_set(err, ERR_FINAL, "Date: UTC offset %d minutes out of range",
		    utc_offset);
		return -1;
	}
	off = utc_offset < 0 ? -utc_offset : utc_offset;
	buf_printf(out, "Date: %s, %d %s %04d %02d:%02d:%02d %c%02d%02d\r\n",
	    wd[cal_weekday(t.date) - 1], t.date.day, mon[t.date.month - 1],
	    t.date.year, t.hour, t.minute, t.second, utc_offset < 0 ? '-' : '+',
	    off / 60, off % 60);
	return 0;
}

int
hdr_msgids(struct buf *out, const char *field, const char *ids,
    struct clerk_err *err)
{
	struct buf id = BUF_INIT;
	struct fold f;
	const char *p, *s;
	size_t n;
	int pass, count = 0;

	/* Pass 0 checks every id, pass 1 writes: no half field on error. */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			fold_start(&f, out, field);
		for (p = ids;;) {
			while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
				p++;
			if (*p == '\0')
				break;
			s = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
			    *p != '\n')
				p++;
			n = (size_t)(p - s);
			if (pass == 0) {
				if (!hdr_msgid_valid(s, n)) {
					err_set(err, ERR_FINAL, "%s: '%.*s' is not a "
					    "message id", field, (int)n, s);
					return -1;
				}
				count++;
				continue;
			}
			buf_reset(&id);
			if (s[0] != '<')
				buf_printf(&id, "<%.*s>", (int)n, s);
			else
				buf_append(&id, s, n);
			fold_word(&f, id.data, id.len);
		}
		if (count == 0) {
			err_set(err, ERR_FINAL, "%s: no message id", field);
			return -1;
		}
	}
	fold_end(&f);
	buf_free(&id);
	return 0;
}
