/* The mail model: raw bytes to struct mail, on top of libetpan.
 *
 * libetpan builds the MIME tree (mailmime_parse) and decodes transfer
 * encodings (mailmime_part_parse) and charsets (charconv); the rest is done
 * here because libetpan 1.9.4 gets it wrong or not at all: RFC 2047 words
 * split inside a multibyte character, RFC 2231 parameters, encoded words in
 * Content-Disposition, invalid UTF-8, HTML bodies. */
#include "mail.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "sha256.h"
#include "xmalloc.h"

#define MAX_NOTES	32

/* ---------------------------------------------------------------- */
/* Small string helpers */

static int
is_wsp(int ch)
{
	return ch == ' ' || ch == '\t';
}

static int
is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	    ch == '\f' || ch == '\v';
}

static void
lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Copy of s[0..len) without leading and trailing white space. */
static char *
xstrndup_trim(const char *s, size_t len)
{
	while (len > 0 && is_space((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/* Case-insensitive search of needle in s[0..len). */
static const char *
memcasemem(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n == 0 || n > len)
		return NULL;
	for (i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

/* Position of needle in s[0..len) at the start of a line, or NULL. */
static const char *
find_line(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++) {
		if ((i == 0 || s[i - 1] == '\n') && memcmp(s + i, needle, n) == 0)
			return s + i;
	}
	return NULL;
}

/* An armour line: `marker` alone on its line (trailing blanks and CR
 * allowed), at a line start in s[0..len); NULL when there is none. A
 * marker inside a line ("Hi -----BEGIN ...") is text, not armour. */
static const char *
find_armor_line(const char *s, size_t len, const char *marker)
{
	size_t n = strlen(marker);

	for (const char *p = s; p != NULL && p + n <= s + len;) {
		const char *at = find_line(p, len - (size_t)(p - s), marker);
		const char *q;

		if (at == NULL)
			return NULL;
		for (q = at + n; q < s + len && (*q == ' ' || *q == '\t' || *q == '\r'); q++)
			;
		if (q == s + len || *q == '\n')
			return at;
		p = at + 1;
	}
	return NULL;
}

/* A parameter value without surrounding quotes and backslash escapes. */
static char *
unquote(const char *v)
{
	size_t len = strlen(v), i;
	struct buf b = BUF_INIT;

	while (len > 0 && is_space((unsigned char)*v)) {
		v++;
		len--;
	}
	while (len > 0 && is_space((unsigned char)v[len - 1]))
		len--;
	if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
		for (i = 1; i + 1 < len; i++) {
			if (v[i] == '\\' && i + 2 < len)
				i++;
			buf_append_char(&b, v[i]);
		}
		return buf_steal(&b);
	}
	return xstrndup(v, len);
}

/* ---------------------------------------------------------------- */
/* UTF-8 and charsets */

/* Length of the valid UTF-8 character at s (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0. */
static size_t
u8_len(const unsigned char *s, size_t left)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static void
put_cp(struct buf *b, unsigned long cp)
{
	char u[4];

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		buf_append_char(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 4);
	}
}

/* windows-1252 0x80..0x9f; 0 marks the five unassigned bytes. */
static const unsigned short cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

static unsigned long
cp1252_cp(unsigned char ch)
{
	if (ch >= 0x80 && ch <= 0x9f)
		return cp1252_c1[ch - 0x80] ? cp1252_c1[ch - 0x80] : 0xfffd;
	return ch;
}

enum {
	SAN_FFFD = 0,		/* invalid bytes become U+FFFD */
	SAN_CP1252 = 1,		/* invalid bytes are read as windows-1252 */
};

/* Appends in[0..len) as valid UTF-8; NUL bytes become U+FFFD so that the
 * result works as a C string. */
static void
utf8_sanitize(struct buf *out, const char *in, size_t len, int mode)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, n, run;

	while (i < len) {
		run = i;
		while (i < len && p[i] != 0 && (n = u8_len(p + i, len - i)) > 0)
			i += n;
		if (i > run)
			buf_append(out, p + run, i - run);
		if (i >= len)
			break;
		if (p[i] == 0)
			put_cp(out, 0xfffd);
		else
			put_cp(out, mode == SAN_CP1252 ? cp1252_cp(p[i]) : 0xfffd);
		i++;
	}
}

static void
cp1252_to_utf8(struct buf *out, const char *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		put_cp(out, in[i] ? cp1252_cp((unsigned char)in[i]) : 0xfffd);
}

/* A charset label as iconv wants it: lower case, no quotes or blanks. */
static char *
charset_norm(const char *cs)
{
	char *s, *t;

	if (cs == NULL)
		return xstrdup("");
	s = unquote(cs);
	lower_ascii(s);
	/* RFC 2231 allows "charset*language" in encoded words. */
	if ((t = strchr(s, '*')) != NULL)
		*t = '\0';
	return s;
}

static int
charset_is_utf8(const char *cs)
{
	return strcmp(cs, "utf-8") == 0 || strcmp(cs, "utf8") == 0;
}

static int
charset_is_ascii(const char *cs)
{
	return cs[0] == '\0' || strcmp(cs, "us-ascii") == 0 ||
	    strcmp(cs, "ascii") == 0 || strcmp(cs, "ansi_x3.4-1968") == 0 ||
	    strcmp(cs, "unknown-8bit") == 0 || strcmp(cs, "x-unknown") == 0 ||
	    strcmp(cs, "7bit") == 0 || strcmp(cs, "8bit") == 0;
}

/* Appends in[0..len), written in charset `cs`, as UTF-8. Returns 0, or -1
 * when the charset is unknown (the bytes were then read as windows-1252).
 * ASCII labels (and none) often carry 8-bit text: UTF-8 where it is valid,
 * windows-1252 for the rest. */
static int
to_utf8(struct buf *out, const char *cs_label, const char *in, size_t len)
{
	char *cs = charset_norm(cs_label), *res = NULL;
	size_t rlen = 0;
	int r, rc = 0;

	if (charset_is_utf8(cs)) {
		utf8_sanitize(out, in, len, SAN_FFFD);
		goto out;
	}
	if (charset_is_ascii(cs)) {
		utf8_sanitize(out, in, len, SAN_CP1252);
		goto out;
	}
	if (len == 0)
		goto out;
	r = charconv_buffer("utf-8", cs, in, len, &res, &rlen);
	if (r != MAIL_CHARCONV_NO_ERROR) {
		cp1252_to_utf8(out, in, len);
		rc = -1;
		goto out;
	}
	/* iconv output is UTF-8 already; this only replaces NULs and
	 * anything a broken converter let through. */
	utf8_sanitize(out, res, rlen, SAN_FFFD);
	charconv_buffer_free(res);
out:
	free(cs);
	return rc;
}

/* ---------------------------------------------------------------- */
/* RFC 2047 encoded words */

static int
b64_val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static int
hex_val(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Lenient base64: skips anything outside the alphabet, stops at '='. */
static void
b64_decode(struct buf *out, const char *s, size_t len)
{
	unsigned long acc = 0;
	int bits = 0, v;
	size_t i;

	for (i = 0; i < len && s[i] != '='; i++) {
		if ((v = b64_val((unsigned char)s[i])) < 0)
			continue;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_append_char(out, (char)((acc >> bits) & 0xff));
		}
	}
}

static void
q_decode(struct buf *out, const char *s, size_t len)
{
	size_t i;
	int h, l;

	for (i = 0; i < len; i++) {
		if (s[i] == '_')
			buf_append_char(out, ' ');
		else if (s[i] == '=' && i + 2 < len &&
		    (h = hex_val((unsigned char)s[i + 1])) >= 0 &&
		    (l = hex_val((unsigned char)s[i + 2])) >= 0) {
			buf_append_char(out, (char)(h * 16 + l));
			i += 2;
		} else
			buf_append_char(out, s[i]);
	}
}

struct eword {
	const char	*cs;
	size_t		 cs_len;
	int		 enc;		/* 'b' or 'q' */
	const char	*text;
	size_t		 text_len;
	size_t		 total;		/* bytes from "=?" to after "?=" */
};

/* Recognises "=?charset?B|Q?text?=" at s. Text may not hold line breaks
 * (values are unfolded) but spaces are allowed: some mailers put them. */
static int
eword_parse(const char *s, size_t len, struct eword *w)
{
	size_t i = 2, j;

	if (len < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	w->cs = s + 2;
	while (i < len && s[i] != '?' && !is_space((unsigned char)s[i]) &&
	    i - 2 < 64)
		i++;
	if (i >= len || s[i] != '?' || i == 2)
		return 0;
	w->cs_len = i - 2;
	if (i + 2 >= len || s[i + 2] != '?')
		return 0;
	switch (s[i + 1]) {
	case 'b': case 'B':
		w->enc = 'b';
		break;
	case 'q': case 'Q':
		w->enc = 'q';
		break;
	default:
		return 0;
	}
	i += 3;
	w->text = s + i;
	for (j = i; j + 1 < len; j++) {
		if (s[j] == '\r' || s[j] == '\n')
			return 0;
		if (s[j] == '?' && s[j + 1] == '=') {
			w->text_len = j - i;
			w->total = j + 2;
			return 1;
		}
	}
	return 0;
}


/* Converts the pending bytes of adjacent encoded words in one go, so that
 * a character split across two words comes out whole. */
static void
eword_flush(struct buf *out, struct buf *pend, char *pend_cs)
{
	if (pend->len > 0)
		(void)to_utf8(out, pend_cs, pend->data, pend->len);
	buf_reset(pend);
	pend_cs[0] = '\0';
}

/* RFC 2047 decoding of s[0..len) into UTF-8. White space between two
 * encoded words is dropped; other text is kept, as UTF-8 where it is valid
 * and as windows-1252 where not (raw 8-bit headers). Control characters
 * become spaces: the result is a one-line value. */
static void
decode_words(struct buf *out, const char *s, size_t len)
{
	struct buf pend = BUF_INIT, tmp = BUF_INIT;
	char pend_cs[72] = "";
	struct eword w;
	size_t i = 0, j, start = out->len, k;
	int prev_word = 0;

	while (i < len) {
		if (is_space((unsigned char)s[i])) {
			for (j = i; j < len && is_space((unsigned char)s[j]); j++)
				;
			if (prev_word && j < len && eword_parse(s + j, len - j, &w)) {
				i = j;
				continue;
			}
			eword_flush(out, &pend, pend_cs);
			buf_append(out, s + i, j - i);
			i = j;
			prev_word = 0;
			continue;
		}
		if (eword_parse(s + i, len - i, &w)) {
			char cs[72];

			memcpy(cs, w.cs, w.cs_len);
			cs[w.cs_len] = '\0';
			if (strcasecmp(cs, pend_cs) != 0)
				eword_flush(out, &pend, pend_cs);
			memcpy(pend_cs, cs, w.cs_len + 1);
			if (w.enc == 'b')
				b64_decode(&pend, w.text, w.text_len);
			else
				q_decode(&pend, w.text, w.text_len);
			i += w.total;
			prev_word = 1;
			continue;
		}
		/* Plain text up to the next blank or encoded word. */
		eword_flush(out, &pend, pend_cs);
		for (j = i + 1; j < len && !is_space((unsigned char)s[j]) &&
		    !(s[j] == '=' && j + 1 < len && s[j + 1] == '?'); j++)
			;
		buf_reset(&tmp);
		utf8_sanitize(&tmp, s + i, j - i, SAN_CP1252);
		buf_append(out, tmp.data, tmp.len);
		i = j;
		prev_word = 0;
	}
	eword_flush(out, &pend, pend_cs);
	for (k = start; k < out->len; k++)
		if ((unsigned char)out->data[k] < 0x20 || out->data[k] == 0x7f)
			out->data[k] = ' ';
	buf_free(&pend);
	buf_free(&tmp);
}

char *
mail_decode_header(const char *value, size_t len)
{
	struct buf b = BUF_INIT;

	if (value != NULL)
		decode_words(&b, value, len);
	return buf_steal(&b);
}

/* Decoded, trimmed, runs of blanks made one (folding leaves them). */
static char *
decode_trim(const char *value)
{
	char *d = mail_decode_header(value, strlen(value)), *t;
	size_t i, o = 0;

	for (i = 0; d[i]; i++)
		if (!(d[i] == ' ' && (o == 0 || d[o - 1] == ' ')))
			d[o++] = d[i];
	d[o] = '\0';
	t = xstrndup_trim(d, o);
	free(d);
	return t;
}

/* ---------------------------------------------------------------- */
/* MIME parameters, RFC 2231 */

struct param {
	const char	*name;
	const char	*value;
};

struct params {
	struct param	*v;
	size_t		 n, cap;
};

static void
params_add(struct params *ps, const char *name, const char *value)
{
	if (name == NULL || value == NULL)
		return;
	ps->v = xgrow(ps->v, &ps->cap, ps->n + 1, sizeof(*ps->v));
	ps->v[ps->n].name = name;
	ps->v[ps->n].value = value;
	ps->n++;
}

static const char *
params_get(const struct params *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (strcasecmp(ps->v[i].name, name) == 0)
			return ps->v[i].value;
	return NULL;
}

static void
percent_decode(struct buf *out, const char *s)
{
	int h, l;

	for (; *s; s++) {
		if (*s == '%' && (h = hex_val((unsigned char)s[1])) >= 0 &&
		    (l = hex_val((unsigned char)s[2])) >= 0) {
			buf_append_char(out, (char)(h * 16 + l));
			s += 2;
		} else
			buf_append_char(out, *s);
	}
}

/* Splits "charset'language'rest" of an extended value; returns rest and
 * copies the charset into cs (empty if none). */
static const char *
ext_value_split(const char *v, char *cs, size_t cssize)
{
	const char *q1 = strchr(v, '\''), *q2;
	size_t n;

	cs[0] = '\0';
	if (q1 == NULL || (q2 = strchr(q1 + 1, '\'')) == NULL)
		return v;
	n = (size_t)(q1 - v);
	if (n >= cssize)
		n = cssize - 1;
	memcpy(cs, v, n);
	cs[n] = '\0';
	return q2 + 1;
}

/* RFC 2231 value of parameter `name` ("name*" or "name*0", "name*0*",
 * "name*1*", ...) decoded to UTF-8 into out. Returns 1 if present. */
static int
rfc2231_get(const struct params *ps, const char *name, struct buf *out)
{
	struct buf raw = BUF_INIT;
	char key[96], cs[72] = "";
	const char *v;
	char *uq;
	int k, found = 0, have_cs = 0;

	if (strlen(name) > 64)
		return 0;
	snprintf(key, sizeof(key), "%s*", name);
	if ((v = params_get(ps, key)) != NULL) {
		uq = unquote(v);
		percent_decode(&raw, ext_value_split(uq, cs, sizeof(cs)));
		free(uq);
		have_cs = 1;
		found = 1;
	} else {
		for (k = 0; k < 1000; k++) {
			int ext = 1;

			snprintf(key, sizeof(key), "%s*%d*", name, k);
			if ((v = params_get(ps, key)) == NULL) {
				snprintf(key, sizeof(key), "%s*%d", name, k);
				if ((v = params_get(ps, key)) == NULL)
					break;
				ext = 0;
			}
			found = 1;
			uq = unquote(v);
			if (ext && k == 0) {
				percent_decode(&raw,
				    ext_value_split(uq, cs, sizeof(cs)));
				have_cs = 1;
			} else if (ext)
				percent_decode(&raw, uq);
			else
				buf_append_str(&raw, uq);
			free(uq);
		}
	}
	if (found) {
		if (have_cs && cs[0] != '\0')
			(void)to_utf8(out, cs, raw.data ? raw.data : "", raw.len);
		else
			utf8_sanitize(out, raw.data ? raw.data : "", raw.len,
			    SAN_CP1252);
	}
	buf_free(&raw);
	return found;
}

static void
content_params(struct mailmime_content *ct, struct params *ps)
{
	clistiter *it;

	if (ct == NULL || ct->ct_parameters == NULL)
		return;
	for (it = clist_begin(ct->ct_parameters); it; it = clist_next(it)) {
		struct mailmime_parameter *p = clist_content(it);

		params_add(ps, p->pa_name, p->pa_value);
	}
}

static struct mailmime_disposition *
part_disposition(struct mailmime *n)
{
	clistiter *it;

	if (n->mm_mime_fields == NULL)
		return NULL;
	for (it = clist_begin(n->mm_mime_fields->fld_list); it;
	    it = clist_next(it)) {
		struct mailmime_field *f = clist_content(it);

		if (f->fld_type == MAILMIME_FIELD_DISPOSITION)
			return f->fld_data.fld_disposition;
	}
	return NULL;
}

static const char *
part_content_id(struct mailmime *n)
{
	clistiter *it;

	if (n->mm_mime_fields == NULL)
		return NULL;
	for (it = clist_begin(n->mm_mime_fields->fld_list); it;
	    it = clist_next(it)) {
		struct mailmime_field *f = clist_content(it);

		if (f->fld_type == MAILMIME_FIELD_ID)
			return f->fld_data.fld_id;
	}
	return NULL;
}

static void
disposition_params(struct mailmime_disposition *d, struct params *ps)
{
	clistiter *it;

	if (d == NULL || d->dsp_parms == NULL)
		return;
	for (it = clist_begin(d->dsp_parms); it; it = clist_next(it)) {
		struct mailmime_disposition_parm *p = clist_content(it);

		if (p->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME)
			params_add(ps, "filename", p->pa_data.pa_filename);
		else if (p->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER)
			params_add(ps, p->pa_data.pa_parameter->pa_name,
			    p->pa_data.pa_parameter->pa_value);
	}
}

/* ---------------------------------------------------------------- */
/* The parse context */

struct ctx {
	const struct mail_limits *lim;
	struct mail	*m;
	const char	*base;		/* buffer given to libetpan */
	size_t		 base_len;
	long long	 shift;		/* raw offset = (p - base) + shift */
	struct buf	 text;
	size_t		 att_cap, notes_cap;
	struct mailmime	*skip[8];	/* structural PGP parts: no attachment */
	size_t		 nskip;
	int		 dropped_notes;
};

static void note(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct ctx *c, const char *fmt, ...)
{
	struct mail *m = c->m;
	struct buf b = BUF_INIT;
	va_list ap;

	if (m->nnotes >= MAX_NOTES) {
		c->dropped_notes++;
		return;
	}
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	m->notes = xgrow(m->notes, &c->notes_cap, m->nnotes + 1,
	    sizeof(*m->notes));
	m->notes[m->nnotes++] = buf_steal(&b);
}

static size_t
raw_offset(const struct ctx *c, const char *p)
{
	long long off = (long long)(p - c->base) + c->shift;

	return off < 0 ? 0 : (size_t)off;
}

static int
is_skipped(const struct ctx *c, const struct mailmime *n)
{
	size_t i;

	for (i = 0; i < c->nskip; i++)
		if (c->skip[i] == n)
			return 1;
	return 0;
}

static void
skip_part(struct ctx *c, struct mailmime *n)
{
	if (c->nskip < sizeof(c->skip) / sizeof(c->skip[0]))
		c->skip[c->nskip++] = n;
}

/* ---------------------------------------------------------------- */
/* Part facts */

/* "type/subtype" in lower case. */
static char *
content_type_str(const struct mailmime_content *ct)
{
	const char *type = "application", *sub;
	char *s;

	if (ct == NULL)
		return xstrdup("text/plain");
	if (ct->ct_type != NULL) {
		switch (ct->ct_type->tp_type) {
		case MAILMIME_TYPE_DISCRETE_TYPE: {
			struct mailmime_discrete_type *d =
			    ct->ct_type->tp_data.tp_discrete_type;

			switch (d->dt_type) {
			case MAILMIME_DISCRETE_TYPE_TEXT: type = "text"; break;
			case MAILMIME_DISCRETE_TYPE_IMAGE: type = "image"; break;
			case MAILMIME_DISCRETE_TYPE_AUDIO: type = "audio"; break;
			case MAILMIME_DISCRETE_TYPE_VIDEO: type = "video"; break;
			case MAILMIME_DISCRETE_TYPE_APPLICATION:
				type = "application";
				break;
			default:
				if (d->dt_extension != NULL)
					type = d->dt_extension;
				break;
			}
			break;
		}
		case MAILMIME_TYPE_COMPOSITE_TYPE: {
			struct mailmime_composite_type *t =
			    ct->ct_type->tp_data.tp_composite_type;

			if (t->ct_type == MAILMIME_COMPOSITE_TYPE_MESSAGE)
				type = "message";
			else if (t->ct_type == MAILMIME_COMPOSITE_TYPE_MULTIPART)
				type = "multipart";
			else if (t->ct_token != NULL)
				type = t->ct_token;
			break;
		}
		default:
			break;
		}
	}
	sub = ct->ct_subtype != NULL ? ct->ct_subtype : "";
	s = xasprintf("%s/%s", type, sub);
	lower_ascii(s);
	return s;
}

static const char *
subtype_of(const struct mailmime *n)
{
	if (n->mm_content_type == NULL || n->mm_content_type->ct_subtype == NULL)
		return "";
	return n->mm_content_type->ct_subtype;
}

/* A content-type parameter, unquoted, lower-cased; NULL if absent. */
static char *
ct_param_lower(const struct mailmime *n, const char *name)
{
	struct params ps = { NULL, 0, 0 };
	const char *v;
	char *r = NULL;

	content_params(n->mm_content_type, &ps);
	if ((v = params_get(&ps, name)) != NULL) {
		r = unquote(v);
		lower_ascii(r);
	}
	free(ps.v);
	return r;
}

static int
type_is(const struct mailmime *n, const char *want)
{
	char *t = content_type_str(n->mm_content_type);
	int r = strcmp(t, want) == 0;

	free(t);
	return r;
}

/* File name: Content-Disposition filename (RFC 2231 or plain, encoded
 * words decoded here because libetpan does not), else Content-Type name
 * (RFC 2231, or plain: libetpan already decoded encoded words there). */
static char *
part_filename(struct mailmime *n)
{
	struct params dp = { NULL, 0, 0 }, cp = { NULL, 0, 0 };
	struct buf b = BUF_INIT;
	const char *v;
	char *r = NULL, *uq;

	disposition_params(part_disposition(n), &dp);
	content_params(n->mm_content_type, &cp);
	if (rfc2231_get(&dp, "filename", &b) && b.len > 0)
		goto done;
	buf_reset(&b);
	if ((v = params_get(&dp, "filename")) != NULL) {
		uq = unquote(v);
		decode_words(&b, uq, strlen(uq));
		free(uq);
		if (b.len > 0)
			goto done;
	}
	buf_reset(&b);
	if (rfc2231_get(&cp, "name", &b) && b.len > 0)
		goto done;
	buf_reset(&b);
	if ((v = params_get(&cp, "name")) != NULL) {
		uq = unquote(v);
		decode_words(&b, uq, strlen(uq));
		free(uq);
	}
done:
	r = xstrndup_trim(buf_str(&b), b.len);
	buf_free(&b);
	free(dp.v);
	free(cp.v);
	return r;
}

/* Transfer-decoded bytes of a leaf (or of a message/rfc822 body). */
static void
part_decode(struct mailmime *n, struct buf *out)
{
	const char *data;
	size_t len, idx = 0;
	char *res = NULL;
	size_t rlen = 0;
	int enc;

	if (n->mm_body == NULL || n->mm_body->dt_type != MAILMIME_DATA_TEXT)
		return;
	data = n->mm_body->dt_data.dt_text.dt_data;
	len = n->mm_body->dt_data.dt_text.dt_length;
	enc = n->mm_body->dt_encoding;
	if (data == NULL || len == 0)
		return;
	if (n->mm_body->dt_encoded &&
	    (enc == MAILMIME_MECHANISM_BASE64 ||
	    enc == MAILMIME_MECHANISM_QUOTED_PRINTABLE)) {
		size_t tail = 0;

		/* libetpan 1.9.4 reads two bytes past the end of QP data
		 * that ends in "=X" (found by fuzzing): keep such a broken
		 * escape away from it and append it literally. */
		if (enc == MAILMIME_MECHANISM_QUOTED_PRINTABLE && len >= 2 &&
		    data[len - 2] == '=' && data[len - 1] != '\r' &&
		    data[len - 1] != '\n')
			tail = 2;
		if (mailmime_part_parse(data, len - tail, &idx, enc, &res,
		    &rlen) == MAILIMF_NO_ERROR) {
			buf_append(out, res, rlen);
			mmap_string_unref(res);
			buf_append(out, data + len - tail, tail);
			return;
		}
	}
	buf_append(out, data, len);
}

static const char *
magic_type(const char *d, size_t len)
{
	const unsigned char *p = (const unsigned char *)d;

	if (len >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (len >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
		return "application/zip";
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Text: line ends, format=flowed, HTML */

/* CR LF and lone CR become LF. */
static void
append_lf(struct buf *out, const char *s, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		if (s[i] != '\r')
			continue;
		buf_append(out, s + run, i - run);
		buf_append_char(out, '\n');
		if (i + 1 < len && s[i + 1] == '\n')
			i++;
		run = i + 1;
	}
	buf_append(out, s + run, len - run);
}

char *
mail_text_to_utf8(const char *charset, const char *data, size_t len)
{
	struct buf u = BUF_INIT, lf = BUF_INIT;

	to_utf8(&u, charset, data, len);
	append_lf(&lf, buf_str(&u), u.len);
	buf_free(&u);
	return buf_steal(&lf);
}

static size_t
quote_depth(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] == '>')
		i++;
	return i;
}

/* RFC 3676: a line ending in a space continues on the next line (of the
 * same quote depth); a leading space is stuffing; "-- " stays a line. */
static void
unflow(struct buf *out, const char *s, size_t len, int delsp)
{
	size_t i = 0, prev_depth = 0;
	int joining = 0;

	while (i < len) {
		const char *line = s + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i, d, body;
		int soft;

		d = quote_depth(line, ll);
		if (joining && d != prev_depth) {
			buf_append_char(out, '\n');
			joining = 0;
		}
		body = d;
		if (body < ll && line[body] == ' ')
			body++;		/* stuffing */
		if (!joining)
			buf_append(out, line, d);
		soft = ll > body && line[ll - 1] == ' ' &&
		    !(ll - body == 3 && memcmp(line + body, "-- ", 3) == 0);
		if (soft && delsp)
			buf_append(out, line + body, ll - body - 1);
		else
			buf_append(out, line + body, ll - body);
		if (!soft && nl)
			buf_append_char(out, '\n');
		joining = soft;
		prev_depth = d;
		i += ll + (nl ? 1 : 0);
	}
	if (joining)
		buf_append_char(out, '\n');
}

struct entity {
	const char	*name;
	unsigned short	 cp;
};

static const struct entity entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "nbsp", ' ' },
	{ "Agrave", 0xc0 }, { "Aacute", 0xc1 }, { "Acirc", 0xc2 },
	{ "Atilde", 0xc3 }, { "Auml", 0xc4 }, { "Aring", 0xc5 },
	{ "AElig", 0xc6 }, { "Ccedil", 0xc7 }, { "Egrave", 0xc8 },
	{ "Eacute", 0xc9 }, { "Ecirc", 0xca }, { "Euml", 0xcb },
	{ "Igrave", 0xcc }, { "Iacute", 0xcd }, { "Icirc", 0xce },
	{ "Iuml", 0xcf }, { "ETH", 0xd0 }, { "Ntilde", 0xd1 },
	{ "Ograve", 0xd2 }, { "Oacute", 0xd3 }, { "Ocirc", 0xd4 },
	{ "Otilde", 0xd5 }, { "Ouml", 0xd6 }, { "Oslash", 0xd8 },
	{ "Ugrave", 0xd9 }, { "Uacute", 0xda }, { "Ucirc", 0xdb },
	{ "Uuml", 0xdc }, { "Yacute", 0xdd }, { "THORN", 0xde },
	{ "szlig", 0xdf }, { "agrave", 0xe0 }, { "aacute", 0xe1 },
	{ "acirc", 0xe2 }, { "atilde", 0xe3 }, { "auml", 0xe4 },
	{ "aring", 0xe5 }, { "aelig", 0xe6 }, { "ccedil", 0xe7 },
	{ "egrave", 0xe8 }, { "eacute", 0xe9 }, { "ecirc", 0xea },
	{ "euml", 0xeb }, { "igrave", 0xec }, { "iacute", 0xed },
	{ "icirc", 0xee }, { "iuml", 0xef }, { "eth", 0xf0 },
	{ "ntilde", 0xf1 }, { "ograve", 0xf2 }, { "oacute", 0xf3 },
	{ "ocirc", 0xf4 }, { "otilde", 0xf5 }, { "ouml", 0xf6 },
	{ "oslash", 0xf8 }, { "ugrave", 0xf9 }, { "uacute", 0xfa },
	{ "ucirc", 0xfb }, { "uuml", 0xfc }, { "yacute", 0xfd },
	{ "thorn", 0xfe }, { "yuml", 0xff },
	{ "copy", 0xa9 }, { "reg", 0xae }, { "deg", 0xb0 },
	{ "sect", 0xa7 }, { "para", 0xb6 }, { "middot", 0xb7 },
	{ "laquo", 0xab }, { "raquo", 0xbb }, { "times", 0xd7 },
	{ "euro", 0x20ac }, { "ndash", 0x2013 }, { "mdash", 0x2014 },
	{ "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "ldquo", 0x201c },
	{ "rdquo", 0x201d }, { "hellip", 0x2026 }, { "bull", 0x2022 },
	{ "shy", 0xad }, { "iexcl", 0xa1 }, { "iquest", 0xbf },
};

/* Decodes the entity at s ("&...;"); returns the bytes used, 0 if none. */
static size_t
entity_decode(struct buf *out, const char *s, size_t len)
{
	size_t i, j;
	unsigned long cp = 0;

	if (len < 3 || s[0] != '&')
		return 0;
	if (s[1] == '#') {
		int hex = (s[2] == 'x' || s[2] == 'X');
		int digits = 0;

		for (i = hex ? 3 : 2; i < len && digits < 8; i++, digits++) {
			int v = hex ? hex_val((unsigned char)s[i]) :
			    (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);

			if (v < 0)
				break;
			cp = cp * (hex ? 16 : 10) + (unsigned long)v;
		}
		if (digits == 0)
			return 0;
		if (i < len && s[i] == ';')
			i++;
		/* HTML reads the C1 range as windows-1252. */
		if (cp >= 0x80 && cp <= 0x9f)
			cp = cp1252_cp((unsigned char)cp);
		if (cp == 0)
			cp = 0xfffd;
		put_cp(out, cp);
		return i;
	}
	for (i = 1; i < len && i < 12 && isalnum((unsigned char)s[i]); i++)
		;
	if (i >= len || s[i] != ';')
		return 0;
	for (j = 0; j < sizeof(entities) / sizeof(entities[0]); j++) {
		if (strlen(entities[j].name) == i - 1 &&
		    memcmp(entities[j].name, s + 1, i - 1) == 0) {
			if (entities[j].cp != 0xad)
				put_cp(out, entities[j].cp);
			return i + 1;
		}
	}
	return 0;
}

struct html_out {
	struct buf	*b;
	int		 space;		/* a blank is pending */
};

static int
at_line_start(const struct buf *b)
{
	return b->len == 0 || b->data[b->len - 1] == '\n';
}

static void
html_text(struct html_out *h, const char *s, size_t len, int pre)
{
	size_t i = 0, n;

	while (i < len) {
		unsigned char ch = (unsigned char)s[i];

		if (!pre && is_space(ch)) {
			h->space = 1;
			i++;
			continue;
		}
		if (pre && (ch == '\n' || ch == '\r')) {
			buf_append_char(h->b, '\n');
			h->space = 0;
			i += (ch == '\r' && i + 1 < len && s[i + 1] == '\n') ? 2 : 1;
			continue;
		}
		if (h->space && !at_line_start(h->b))
			buf_append_char(h->b, ' ');
		h->space = 0;
		if (ch == '&' && (n = entity_decode(h->b, s + i, len - i)) > 0) {
			i += n;
			continue;
		}
		buf_append_char(h->b, (char)ch);
		i++;
	}
}

static void
html_break(struct html_out *h, int hard)
{
	h->space = 0;
	if (hard || !at_line_start(h->b))
		buf_append_char(h->b, '\n');
}

static int
tag_in(const char *tag, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(tag, *list) == 0)
			return 1;
	return 0;
}

/* End of the tag starting at s[0] == '<' (index after '>'), honouring
 * quoted attribute values; len if unterminated. */
static size_t
tag_end(const char *s, size_t len)
{
	size_t i;
	char q = 0;

	for (i = 1; i < len; i++) {
		if (q) {
			if (s[i] == q)
				q = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			/* Only a quote right after '=' opens a value. */
			size_t k = i;

			while (k > 1 && is_space((unsigned char)s[k - 1]))
				k--;
			if (s[k - 1] == '=')
				q = s[i];
		} else if (s[i] == '>')
			return i + 1;
	}
	return len;
}

/* HTML to plain text: tags dropped, script/style/title content dropped,
 * <br> and block ends become line breaks, entities decoded, runs of blank
 * lines collapsed. Input and output are UTF-8. */
static void
html_to_text(struct buf *out, const char *s, size_t len)
{
	static const char *const blocks[] = { "p", "div", "tr", "li", "ul",
	    "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
	    "pre", "dl", "dt", "dd", "hr", "section", "article", "header",
	    "footer", "address", "center", "form", "fieldset", NULL };
	static const char *const skipped[] = { "script", "style", "title",
	    "head", NULL };
	struct buf tmp = BUF_INIT, clean = BUF_INIT;
	struct html_out h = { &tmp, 0 };
	size_t i = 0, run = 0, j, e;
	int pre = 0, blank = 0;

	while (i < len) {
		char tag[16];
		size_t tl = 0;
		int closing = 0;

		if (s[i] != '<') {
			i++;
			continue;
		}
		html_text(&h, s + run, i - run, pre);
		if (i + 3 < len && memcmp(s + i, "<!--", 4) == 0) {
			const char *endc = NULL;

			for (j = i + 4; j + 2 < len; j++)
				if (memcmp(s + j, "-->", 3) == 0) {
					endc = s + j;
					break;
				}
			i = endc ? (size_t)(endc - s) + 3 : len;
			run = i;
			continue;
		}
		j = i + 1;
		if (j < len && s[j] == '/') {
			closing = 1;
			j++;
		}
		if (j >= len || !(isalpha((unsigned char)s[j]) ||
		    (!closing && (s[j] == '!' || s[j] == '?')))) {
			/* A lone '<' is text. */
			run = i;
			i++;
			html_text(&h, s + run, 1, pre);
			run = i;
			continue;
		}
		while (j < len && tl + 1 < sizeof(tag) &&
		    isalnum((unsigned char)s[j]))
			tag[tl++] = (char)tolower((unsigned char)s[j++]);
		tag[tl] = '\0';
		e = tag_end(s + i, len - i) + i;
		if (!closing && tag_in(tag, skipped)) {
			/* Skip to the matching end tag. "head" without one
			 * (broken mail) keeps its content. */
			char endtag[24];
			const char *m;

			snprintf(endtag, sizeof(endtag), "</%s", tag);
			m = memcasemem(s + e, len - e, endtag);
			if (m != NULL) {
				e = tag_end(m, len - (size_t)(m - s)) +
				    (size_t)(m - s);
			} else if (strcmp(tag, "script") == 0 ||
			    strcmp(tag, "style") == 0)
				e = len;
		} else if (strcmp(tag, "br") == 0) {
			html_break(&h, 1);
		} else if (!closing && strcmp(tag, "li") == 0) {
			html_break(&h, 0);
		} else if (tag_in(tag, blocks)) {
			html_break(&h, 0);
			if (strcmp(tag, "pre") == 0)
				pre = !closing;
		} else if (strcmp(tag, "td") == 0 || strcmp(tag, "th") == 0) {
			h.space = 1;
		}
		i = e;
		run = i;
	}
	html_text(&h, s + run, len - run, pre);

	/* Trim each line, keep at most one blank line in a row, none at the
	 * start or the end. */
	i = 0;
	while (i < tmp.len) {
		const char *line = tmp.data + i;
		const char *nl = memchr(line, '\n', tmp.len - i);
		size_t ll = nl ? (size_t)(nl - line) : tmp.len - i, a = 0;

		i += ll + (nl ? 1 : 0);
		while (a < ll && is_wsp((unsigned char)line[a]))
			a++;
		while (ll > a && is_wsp((unsigned char)line[ll - 1]))
			ll--;
		if (ll == a) {
			blank = clean.len > 0;
			continue;
		}
		if (blank)
			buf_append_char(&clean, '\n');
		blank = 0;
		buf_append(&clean, line + a, ll - a);
		buf_append_char(&clean, '\n');
	}
	buf_append(out, buf_str(&clean), clean.len);
	buf_free(&tmp);
	buf_free(&clean);
}

/* charset from <meta charset=...> or <meta content="...; charset=...">. */
static char *
html_meta_charset(const char *s, size_t len)
{
	const char *p;
	size_t n = len < 4096 ? len : 4096, k = 0;
	char cs[64];

	if ((p = memcasemem(s, n, "charset=")) == NULL)
		return NULL;
	p += 8;
	while (p < s + n && (*p == '"' || *p == '\''))
		p++;
	while (p < s + n && k + 1 < sizeof(cs) &&
	    (isalnum((unsigned char)*p) || *p == '-' || *p == '_' ||
	    *p == '.' || *p == ':'))
		cs[k++] = *p++;
	cs[k] = '\0';
	return k > 0 ? xstrdup_lower(cs) : NULL;
}

/* ---------------------------------------------------------------- */
/* Header block */

static int
field_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 32 || (unsigned char)s[i] >= 127 ||
		    s[i] == ':')
			return 0;
	return 1;
}

struct hdr_split {
	struct mail_field	*v;
	size_t			 n, cap;
	size_t			 body;	/* offset of the body */
	int			 clean;	/* ended by a blank line or the input */
};

/* Splits the header block at the start of s. Stops at the blank line, at
 * the end of the input, or before the first line that is neither a field
 * nor a continuation (clean = 0 then). Values are unfolded and trimmed. */
static void
split_header(const char *s, size_t len, struct hdr_split *h)
{
	struct buf val = BUF_INIT;
	size_t i = 0, cur = (size_t)-1;

	h->body = len;
	h->clean = 1;
	while (i < len) {
		const char *line = s + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i, cl = ll, k;

		if (cl > 0 && line[cl - 1] == '\r')
			cl--;
		if (cl == 0) {
			h->body = i + ll + (nl ? 1 : 0);
			break;
		}
		if (is_wsp((unsigned char)line[0]) && cur != (size_t)-1) {
			buf_append(&val, line, cl);
		} else {
			const char *colon = memchr(line, ':', cl);

			k = colon ? (size_t)(colon - line) : 0;
			while (k > 0 && is_wsp((unsigned char)line[k - 1]))
				k--;
			if (colon == NULL || !field_name_ok(line, k)) {
				h->body = i;
				h->clean = 0;
				break;
			}
			if (cur != (size_t)-1) {
				h->v[cur].value = xstrndup_trim(buf_str(&val),
				    val.len);
				buf_reset(&val);
			}
			h->v = xgrow(h->v, &h->cap, h->n + 1, sizeof(*h->v));
			cur = h->n++;
			h->v[cur].name = xstrndup(line, k);
			h->v[cur].value = NULL;
			buf_append(&val, colon + 1,
			    cl - (size_t)(colon + 1 - line));
		}
		i += ll + (nl ? 1 : 0);
	}
	if (cur != (size_t)-1)
		h->v[cur].value = xstrndup_trim(buf_str(&val), val.len);
	buf_free(&val);
}

static void
fields_free(struct mail_field *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

static const char *
fields_get(const struct mail_field *v, size_t n, const char *name,
    size_t nth)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(v[i].name, name) == 0 && nth-- == 0)
			return v[i].value;
	return NULL;
}

const char *
mail_header_nth(const struct mail *m, const char *name, size_t n)
{
	if (m == NULL || name == NULL)
		return NULL;
	return fields_get(m->fields, m->nfields, name, n);
}

const char *
mail_header(const struct mail *m, const char *name)
{
	return mail_header_nth(m, name, 0);
}

/* Is this header block a mail's (or a MIME entity's)? A form pasted as
 * the first lines of a decrypted plaintext ("Name: ...") is not. */
static int
looks_like_header(const struct hdr_split *h)
{
	static const char *const known[] = { "from", "to", "cc", "subject",
	    "message-id", "content-type", "mime-version", "received",
	    "return-path", "sender", "reply-to", "delivered-to",
	    "content-transfer-encoding", "content-disposition",
	    "in-reply-to", "references", "x-mailer", "user-agent",
	    "dkim-signature", "autocrypt", NULL };
	size_t i;
	int k;

	for (i = 0; i < h->n; i++)
		for (k = 0; known[k]; k++)
			if (strcasecmp(h->v[i].name, known[k]) == 0)
				return 1;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Addresses, ids, dates */

static void
addr_push(struct mail_addr_list *l, size_t *cap, const char *addr,
    const char *name)
{
	char *a;

	a = xstrndup_trim(addr, strlen(addr));
	if (a[0] == '\0') {
		free(a);
		return;
	}
	lower_ascii(a);
	l->v = xgrow(l->v, cap, l->n + 1, sizeof(*l->v));
	l->v[l->n].addr = a;
	l->v[l->n].name = name ? decode_trim(name) : xstrdup("");
	l->n++;
}

static void
addr_push_mailbox(struct mail_addr_list *l, size_t *cap,
    struct mailimf_mailbox *mb)
{
	if (mb != NULL && mb->mb_addr_spec != NULL)
		addr_push(l, cap, mb->mb_addr_spec, mb->mb_display_name);
}

/* For what libetpan rejects (raw 8-bit names, stray commas): split at
 * commas outside quotes and <>, take <addr> or a bare word with '@'. */
static void
addr_fallback(const char *v, struct mail_addr_list *l, size_t *cap)
{
	size_t i = 0, len = strlen(v);

	while (i < len) {
		size_t s = i, lt = (size_t)-1, gt = (size_t)-1;
		int q = 0, par = 0;

		for (; i < len; i++) {
			if (v[i] == '"' && par == 0)
				q = !q;
			else if (!q && v[i] == '(')
				par++;
			else if (!q && v[i] == ')' && par > 0)
				par--;
			else if (q || par > 0)
				continue;
			else if (v[i] == '<')
				lt = i;
			else if (v[i] == '>' && lt != (size_t)-1)
				gt = i;
			else if (v[i] == ',' && (lt == (size_t)-1 ||
			    gt != (size_t)-1))
				break;
		}
		if (lt != (size_t)-1 && gt != (size_t)-1 && gt > lt) {
			char *a = xstrndup(v + lt + 1, gt - lt - 1);
			char *nm = xstrndup(v + s, lt - s), *u;

			u = unquote(nm);
			if (strchr(a, '@') != NULL)
				addr_push(l, cap, a, u);
			free(u);
			free(nm);
			free(a);
		} else {
			/* addr (Comment Name), the old style */
			struct buf ad = BUF_INIT, nm = BUF_INIT;
			size_t t;
			int depth = 0;
			char *a;

			for (t = s; t < i; t++) {
				if (v[t] == '(' && depth++ == 0)
					continue;
				if (v[t] == ')' && depth > 0 && --depth == 0)
					continue;
				buf_append_char(depth > 0 ? &nm : &ad, v[t]);
			}
			a = xstrndup_trim(buf_str(&ad), ad.len);
			if (strchr(a, '@') != NULL && strpbrk(a, " \t\"") == NULL)
				addr_push(l, cap, a, nm.len > 0 ? nm.data : NULL);
			free(a);
			buf_free(&ad);
			buf_free(&nm);
		}
		i++;
	}
}

static void
parse_addresses(const char *v, struct mail_addr_list *l)
{
	struct mailimf_address_list *al = NULL;
	size_t idx = 0, cap = 0, len;
	clistiter *it;

	if (v == NULL)
		return;
	len = strlen(v);
	if (mailimf_address_list_parse(v, len, &idx, &al) == MAILIMF_NO_ERROR) {
		size_t rest = idx;

		while (rest < len && (is_space((unsigned char)v[rest]) ||
		    v[rest] == ','))
			rest++;
		if (rest == len) {
			for (it = clist_begin(al->ad_list); it;
			    it = clist_next(it)) {
				struct mailimf_address *a = clist_content(it);

				if (a->ad_type == MAILIMF_ADDRESS_MAILBOX)
					addr_push_mailbox(l, &cap,
					    a->ad_data.ad_mailbox);
				else if (a->ad_type == MAILIMF_ADDRESS_GROUP &&
				    a->ad_data.ad_group->grp_mb_list != NULL) {
					clistiter *g;

					for (g = clist_begin(a->ad_data.ad_group->
					    grp_mb_list->mb_list); g;
					    g = clist_next(g))
						addr_push_mailbox(l, &cap,
						    clist_content(g));
				}
			}
		}
		mailimf_address_list_free(al);
		if (rest == len && l->n > 0)
			return;
		/* Partly understood: start again with the lenient way. */
		while (l->n > 0) {
			l->n--;
			free(l->v[l->n].addr);
			free(l->v[l->n].name);
		}
	}
	addr_fallback(v, l, &cap);
}

static void
addr_list_free(struct mail_addr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].addr);
		free(l->v[i].name);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Message ids in a value: each <...>, without the brackets; a value with
 * none (a broken mailer) gives its bare words that contain '@'. */
static size_t
msgids(const char *v, char ***out, size_t max)
{
	size_t n = 0, cap = 0, i = 0, len = strlen(v);
	char **ids = NULL;

	while (i < len && n < max) {
		const char *lt = memchr(v + i, '<', len - i), *gt;

		if (lt == NULL)
			break;
		gt = memchr(lt, '>', len - (size_t)(lt - v));
		if (gt == NULL)
			break;
		if (gt > lt + 1) {
			char *id = xstrndup_trim(lt + 1, (size_t)(gt - lt - 1));

			if (id[0] != '\0' && strpbrk(id, " \t<") == NULL) {
				ids = xgrow(ids, &cap, n + 1, sizeof(*ids));
				ids[n++] = id;
			} else
				free(id);
		}
		i = (size_t)(gt - v) + 1;
	}
	if (n == 0 && memchr(v, '<', len) == NULL) {
		i = 0;
		while (i < len && n < max) {
			size_t s;

			while (i < len && is_space((unsigned char)v[i]))
				i++;
			s = i;
			while (i < len && !is_space((unsigned char)v[i]))
				i++;
			if (i > s && memchr(v + s, '@', i - s) != NULL) {
				ids = xgrow(ids, &cap, n + 1, sizeof(*ids));
				ids[n++] = xstrndup(v + s, i - s);
			}
		}
	}
	*out = ids;
	return n;
}

static char *
first_msgid(const char *v)
{
	char **ids = NULL, *r = NULL;

	if (v == NULL)
		return NULL;
	if (msgids(v, &ids, 1) == 1)
		r = ids[0];
	free(ids);
	return r;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
parse_date(const char *v, int64_t *epoch)
{
	struct mailimf_date_time *dt = NULL;
	size_t idx = 0;
	int y, zone, zh, zm, ok = 0;

	if (mailimf_date_time_parse(v, strlen(v), &idx, &dt) != MAILIMF_NO_ERROR)
		return 0;
	y = dt->dt_year;
	if (y >= 0 && y < 50)
		y += 2000;
	else if (y >= 50 && y < 1000)
		y += 1900;
	zone = dt->dt_zone;
	zh = (zone < 0 ? -zone : zone) / 100;
	zm = (zone < 0 ? -zone : zone) % 100;
	if (dt->dt_month >= 1 && dt->dt_month <= 12 && dt->dt_day >= 1 &&
	    dt->dt_day <= 31 && dt->dt_hour >= 0 && dt->dt_hour <= 23 &&
	    dt->dt_min >= 0 && dt->dt_min <= 59 && dt->dt_sec >= 0 &&
	    dt->dt_sec <= 60 && zh <= 23 && zm <= 59 && y >= 1900 &&
	    y <= 9999) {
		int64_t off = (int64_t)zh * 3600 + zm * 60;

		*epoch = days_from_civil(y, dt->dt_month, dt->dt_day) * 86400 +
		    dt->dt_hour * 3600 + dt->dt_min * 60 + dt->dt_sec -
		    (zone < 0 ? -off : off);
		ok = 1;
	}
	mailimf_date_time_free(dt);
	return ok;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
read_headers(struct mail *m)
{
	struct mail_addr_list l = { NULL, 0 };
	const char *v;

	if ((v = mail_header(m, "From")) != NULL) {
		parse_addresses(v, &l);
		if (l.n > 0) {
			m->from = l.v[0];
			l.v[0].addr = l.v[0].name = NULL;
		}
		addr_list_free(&l);
	}
	if (m->from.name == NULL)
		m->from.name = xstrdup("");
	parse_addresses(mail_header(m, "To"), &m->to);
	parse_addresses(mail_header(m, "Cc"), &m->cc);
	parse_addresses(mail_header(m, "Reply-To"), &m->reply_to);
	if ((v = mail_header(m, "Subject")) != NULL)
		m->subject = decode_trim(v);
	m->message_id = first_msgid(mail_header(m, "Message-ID"));
	m->in_reply_to = first_msgid(mail_header(m, "In-Reply-To"));
	if ((v = mail_header(m, "References")) != NULL)
		m->nreferences = msgids(v, &m->references, 1000);
	if ((v = mail_header(m, "Date")) != NULL) {
		m->date_raw = xstrdup(v);
		m->date_valid = parse_date(v, &m->date_epoch);
	}
	m->auto_submitted = dup_or_null(mail_header(m, "Auto-Submitted"));
	m->precedence = dup_or_null(mail_header(m, "Precedence"));
	m->list_id = dup_or_null(mail_header(m, "List-Id"));
	m->x_autoreply = mail_header(m, "X-Autoreply") != NULL ||
	    mail_header(m, "X-Autorespond") != NULL;
	if ((v = mail_header(m, "Return-Path")) != NULL) {
		const char *lt = strchr(v, '<'), *gt;

		if (lt != NULL && (gt = strchr(lt, '>')) != NULL)
			m->return_path = xstrndup_trim(lt + 1,
			    (size_t)(gt - lt - 1));
		else
			m->return_path = xstrndup_trim(v, strlen(v));
		lower_ascii(m->return_path);
	}
}

/* ---------------------------------------------------------------- */
/* The tree */

static const char *
body_ptr(const struct mailmime *n)
{
	if (n->mm_body == NULL || n->mm_body->dt_type != MAILMIME_DATA_TEXT)
		return NULL;
	return n->mm_body->dt_data.dt_text.dt_data;
}

struct count {
	size_t	parts, depth, max_hdr;
	int	too_deep;
};

/* Counts entities, nesting and the largest header block. Recursion stops
 * below max_depth + 1 so that a hostile tree cannot take our stack. */
static void
count_tree(struct mailmime *n, size_t depth, size_t max_depth,
    struct count *k)
{
	const char *b = body_ptr(n);
	clistiter *it;

	k->parts++;
	if (depth > k->depth)
		k->depth = depth;
	if (b != NULL && n->mm_mime_start != NULL && b >= n->mm_mime_start &&
	    (size_t)(b - n->mm_mime_start) > k->max_hdr)
		k->max_hdr = (size_t)(b - n->mm_mime_start);
	if (depth > max_depth) {
		k->too_deep = 1;
		return;
	}
	if (n->mm_type == MAILMIME_MULTIPLE) {
		for (it = clist_begin(n->mm_data.mm_multipart.mm_mp_list); it;
		    it = clist_next(it))
			count_tree(clist_content(it), depth + 1, max_depth, k);
	} else if (n->mm_type == MAILMIME_MESSAGE &&
	    n->mm_data.mm_message.mm_msg_mime != NULL)
		count_tree(n->mm_data.mm_message.mm_msg_mime, depth + 1,
		    max_depth, k);
}

/* libetpan drops every part of a nested multipart whose close delimiter
 * is missing (it only forgives that at the end of the whole mail). Split
 * such a body at its delimiter lines and parse each part on its own; the
 * parts point into the same buffer, so offsets and signed bytes hold. */
static void
repair_add_part(struct mailmime *n, const char *s, size_t len)
{
	struct mailmime *w = NULL, *child;
	size_t i, idx = 0;

	for (i = 0; i < len && is_space((unsigned char)s[i]); i++)
		;
	if (i == len)
		return;
	if (mailmime_parse(s, len, &idx, &w) != MAILIMF_NO_ERROR || w == NULL)
		return;
	if (w->mm_type == MAILMIME_MESSAGE &&
	    (child = w->mm_data.mm_message.mm_msg_mime) != NULL &&
	    clist_append(n->mm_data.mm_multipart.mm_mp_list, child) == 0) {
		w->mm_data.mm_message.mm_msg_mime = NULL;
		child->mm_parent = n;
		child->mm_parent_type = MAILMIME_MULTIPLE;
		child->mm_multipart_pos =
		    clist_end(n->mm_data.mm_multipart.mm_mp_list);
	}
	mailmime_free(w);
}

static int
repair_multipart(struct mailmime *n)
{
	struct params ps = { NULL, 0, 0 };
	const char *b = body_ptr(n), *v;
	size_t len, bl, i = 0, start = (size_t)-1, before;
	char *bd;

	if (b == NULL || n->mm_data.mm_multipart.mm_mp_list == NULL)
		return 0;
	len = n->mm_body->dt_data.dt_text.dt_length;
	/* The boundary is case-sensitive: take it as written. */
	content_params(n->mm_content_type, &ps);
	v = params_get(&ps, "boundary");
	bd = v ? unquote(v) : xstrdup("");
	free(ps.v);
	bl = strlen(bd);
	before = (size_t)clist_count(n->mm_data.mm_multipart.mm_mp_list);
	while (bl > 0 && i < len) {
		const char *line = b + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i, k;
		int close = 0, ok;

		if (ll >= 2 + bl && line[0] == '-' && line[1] == '-' &&
		    memcmp(line + 2, bd, bl) == 0) {
			k = 2 + bl;
			if (k + 2 <= ll && line[k] == '-' &&
			    line[k + 1] == '-') {
				close = 1;
				k += 2;
			}
			while (k < ll && is_space((unsigned char)line[k]))
				k++;
			ok = k == ll;
			if (ok) {
				if (start != (size_t)-1) {
					size_t end = i;

					if (end > start && b[end - 1] == '\n')
						end--;
					if (end > start && b[end - 1] == '\r')
						end--;
					repair_add_part(n, b + start, end - start);
				}
				start = close ? (size_t)-1 :
				    i + ll + (nl ? 1 : 0);
				if (close)
					break;
			}
		}
		i += ll + (nl ? 1 : 0);
	}
	if (start != (size_t)-1 && start < len)
		repair_add_part(n, b + start, len - start);
	free(bd);
	return (size_t)clist_count(n->mm_data.mm_multipart.mm_mp_list) > before;
}

static void
repair_tree(struct ctx *c, struct mailmime *n, size_t depth)
{
	clistiter *it;

	if (n == NULL || depth > c->lim->max_depth)
		return;
	if (n->mm_type == MAILMIME_MULTIPLE) {
		if (clist_count(n->mm_data.mm_multipart.mm_mp_list) == 0 &&
		    repair_multipart(n))
			note(c, "%s/%s without its close delimiter: parts "
			    "recovered", "multipart", subtype_of(n));
		for (it = clist_begin(n->mm_data.mm_multipart.mm_mp_list); it;
		    it = clist_next(it))
			repair_tree(c, clist_content(it), depth + 1);
	} else if (n->mm_type == MAILMIME_MESSAGE)
		repair_tree(c, n->mm_data.mm_message.mm_msg_mime, depth + 1);
}

static struct mailmime *
child_at(struct mailmime *n, int i)
{
	clistiter *it;

	if (n->mm_type != MAILMIME_MULTIPLE)
		return NULL;
	for (it = clist_begin(n->mm_data.mm_multipart.mm_mp_list); it;
	    it = clist_next(it))
		if (i-- == 0)
			return clist_content(it);
	return NULL;
}

static int
nchildren(struct mailmime *n)
{
	if (n->mm_type != MAILMIME_MULTIPLE)
		return 0;
	return clist_count(n->mm_data.mm_multipart.mm_mp_list);
}

static void
bytes_set(struct mail_bytes *b, const char *data, size_t len)
{
	b->data = xmalloc(len + 1);
	if (len > 0)
		memcpy(b->data, data, len);
	b->data[len] = '\0';
	b->len = len;
}

static int
is_multipart(const struct mailmime *n, const char *sub)
{
	return n->mm_type == MAILMIME_MULTIPLE &&
	    strcasecmp(subtype_of(n), sub) == 0;
}

static int
protocol_is(const struct mailmime *n, const char *want)
{
	char *p = ct_param_lower(n, "protocol");
	int r = p != NULL && strcmp(p, want) == 0;

	free(p);
	return r;
}

/* PGP/MIME at node n: multipart/signed, multipart/encrypted, or the
 * multipart/mixed that Exchange and ProtonMail make of the latter. */
static int
pgp_mime_at(struct ctx *c, struct mailmime *n)
{
	struct mail_pgp *p = &c->m->pgp;
	struct buf b = BUF_INIT;
	struct mailmime *a, *ver = NULL, *payload = NULL;
	int i, k;

	if (is_multipart(n, "signed") &&
	    protocol_is(n, "application/pgp-signature") && nchildren(n) >= 2) {
		a = child_at(n, 0);
		p->kind = MAIL_PGP_MIME_SIGNED;
		bytes_set(&p->signed_data, a->mm_mime_start, a->mm_length);
		p->signed_offset = raw_offset(c, a->mm_mime_start);
		a = child_at(n, 1);
		part_decode(a, &b);
		bytes_set(&p->signature, buf_str(&b), b.len);
		p->micalg = ct_param_lower(n, "micalg");
		skip_part(c, a);
		buf_free(&b);
		return 1;
	}
	if (is_multipart(n, "encrypted") &&
	    protocol_is(n, "application/pgp-encrypted")) {
		if (nchildren(n) < 2) {
			note(c, "multipart/encrypted without a payload part");
			return 0;
		}
		p->kind = MAIL_PGP_MIME_ENCRYPTED;
		part_decode(child_at(n, 1), &b);
		bytes_set(&p->encrypted, buf_str(&b), b.len);
		buf_free(&b);
		return 1;
	}
	if (!is_multipart(n, "mixed"))
		return 0;
	k = nchildren(n);
	for (i = 0; i < k; i++) {
		a = child_at(n, i);
		if (a->mm_type != MAILMIME_SINGLE)
			continue;
		if (ver == NULL && type_is(a, "application/pgp-encrypted"))
			ver = a;
		else if (payload == NULL &&
		    type_is(a, "application/octet-stream")) {
			char *fn = part_filename(a);

			buf_reset(&b);
			part_decode(a, &b);
			if (strcasecmp(fn, "encrypted.asc") == 0 ||
			    find_line(buf_str(&b), b.len,
			    "-----BEGIN PGP MESSAGE-----") != NULL)
				payload = a;
			free(fn);
		}
	}
	if (ver == NULL || payload == NULL) {
		buf_free(&b);
		return 0;
	}
	buf_reset(&b);
	part_decode(payload, &b);
	p->kind = MAIL_PGP_MIME_ENCRYPTED;
	p->mangled = 1;
	bytes_set(&p->encrypted, buf_str(&b), b.len);
	skip_part(c, ver);
	skip_part(c, payload);
	buf_free(&b);
	return 1;
}

static void
detect_pgp_mime(struct ctx *c, struct mailmime *body)
{
	struct mailmime *first;

	if (pgp_mime_at(c, body))
		return;
	/* One level down: a list's multipart/mixed with a footer after the
	 * signed part, or an S/MIME signature around a PGP/MIME one. */
	if ((is_multipart(body, "mixed") || is_multipart(body, "signed")) &&
	    (first = child_at(body, 0)) != NULL && pgp_mime_at(c, first))
		c->m->pgp.wrapped = 1;
}

/* Clearsigned or armored blocks in a text part's decoded bytes. */
static void
detect_pgp_inline(struct ctx *c, const char *d, size_t len, const char *cs)
{
	struct mail_pgp *p = &c->m->pgp;
	const char *s, *e, *sig, *msg;
	const char *end_marker;
	struct mail_bytes *dst;

	if (p->kind != MAIL_PGP_NONE)
		return;
	sig = find_armor_line(d, len, "-----BEGIN PGP SIGNED MESSAGE-----");
	msg = find_armor_line(d, len, "-----BEGIN PGP MESSAGE-----");
	if (sig == NULL && msg == NULL)
		return;
	/* A clearsigned block is whole in one text part, or it is none: a
	 * later part may hold the real one. */
	if (sig != NULL && (msg == NULL || sig < msg) &&
	    find_armor_line(sig, len - (size_t)(sig - d), "-----END PGP SIGNATURE-----") == NULL) {
		note(c, "a BEGIN PGP SIGNED MESSAGE line without its END line: not a signature");
		return;
	}
	if (sig != NULL && (msg == NULL || sig < msg)) {
		s = sig;
		end_marker = "-----END PGP SIGNATURE-----";
		p->kind = MAIL_PGP_INLINE_SIGNED;
		dst = &p->signed_data;
	} else {
		s = msg;
		end_marker = "-----END PGP MESSAGE-----";
		p->kind = MAIL_PGP_INLINE_ENCRYPTED;
		dst = &p->encrypted;
	}
	e = find_armor_line(s, len - (size_t)(s - d), end_marker);
	if (e == NULL) {
		note(c, "inline PGP block without its END line");
		e = d + len;
	} else {
		const char *nl = memchr(e, '\n', len - (size_t)(e - d));

		e = nl ? nl + 1 : d + len;
	}
	bytes_set(dst, s, (size_t)(e - s));
	p->charset = cs ? xstrdup(cs) : NULL;
}

/* Original-Message-ID of a delivery or disposition report, or the
 * Message-ID of the returned message or headers. */
static void
detect_report(struct ctx *c, struct mailmime *n)
{
	struct mail *m = c->m;
	struct buf b = BUF_INIT;
	int i, k = nchildren(n);

	m->is_report = 1;
	m->report_type = ct_param_lower(n, "report-type");
	for (i = 0; i < k && m->report_msgid == NULL; i++) {
		struct mailmime *a = child_at(n, i);
		char *t = content_type_str(a->mm_content_type);

		buf_reset(&b);
		if (strcmp(t, "message/delivery-status") == 0 ||
		    strcmp(t, "message/disposition-notification") == 0) {
			const char *line;

			part_decode(a, &b);
			line = memcasemem(buf_str(&b), b.len,
			    "Original-Message-ID:");
			if (line != NULL) {
				const char *nl = memchr(line, '\n',
				    b.len - (size_t)(line - b.data));
				char *val = xstrndup(line + 20, nl ?
				    (size_t)(nl - line - 20) :
				    b.len - (size_t)(line - b.data) - 20);

				m->report_msgid = first_msgid(val);
				free(val);
			}
		}
		free(t);
	}
	for (i = 0; i < k && m->report_msgid == NULL; i++) {
		struct mailmime *a = child_at(n, i);
		char *t = content_type_str(a->mm_content_type);
		struct hdr_split h = { NULL, 0, 0, 0, 0 };
		const char *v;

		if (strcmp(t, "message/rfc822") == 0 ||
		    strcmp(t, "text/rfc822-headers") == 0 ||
		    strcmp(t, "message/rfc822-headers") == 0) {
			buf_reset(&b);
			part_decode(a, &b);
			split_header(buf_str(&b), b.len, &h);
			if ((v = fields_get(h.v, h.n, "Message-ID", 0)) != NULL)
				m->report_msgid = first_msgid(v);
			fields_free(h.v, h.n);
		}
		free(t);
	}
	buf_free(&b);
}

enum walk_mode {
	W_BODY,		/* text parts are the body */
	W_ALT,		/* an alternative not chosen: only non-text parts */
	W_ATTACH,	/* everything is an attachment (report parts) */
};

struct leaf {
	char	*type;		/* lower-case type/subtype */
	char	*charset;	/* lower-case or NULL */
	char	*filename;	/* "" if none */
	int	 dsp;		/* MAILMIME_DISPOSITION_TYPE_* or -1 */
};

static void
leaf_init(struct mailmime *n, struct leaf *l)
{
	struct mailmime_disposition *d = part_disposition(n);

	l->type = content_type_str(n->mm_content_type);
	l->charset = ct_param_lower(n, "charset");
	l->filename = part_filename(n);
	l->dsp = d != NULL && d->dsp_type != NULL ? d->dsp_type->dsp_type : -1;
}

static void
leaf_free(struct leaf *l)
{
	free(l->type);
	free(l->charset);
	free(l->filename);
}

static int
is_text_type(const char *t)
{
	/* application/pgp: old Mutt and PGP 2 inline mails. */
	return strcmp(t, "text/plain") == 0 || strcmp(t, "text/html") == 0 ||
	    strcmp(t, "application/pgp") == 0;
}

/* A text part that belongs to the body, not a file. */
static int
is_body_text(const struct leaf *l)
{
	return is_text_type(l->type) &&
	    l->dsp != MAILMIME_DISPOSITION_TYPE_ATTACHMENT &&
	    l->filename[0] == '\0';
}

/* Decoded text in UTF-8 with LF line ends (format=flowed undone). */
static void
text_to_utf8(struct ctx *c, struct mailmime *n, const struct leaf *l,
    const char *d, size_t len, struct buf *out)
{
	struct buf u = BUF_INIT, lf = BUF_INIT;
	char *cs = l->charset ? xstrdup(l->charset) : NULL, *fmt, *delsp;
	int html = strcmp(l->type, "text/html") == 0;

	if (html && cs == NULL)
		cs = html_meta_charset(d, len);
	if (to_utf8(&u, cs, d, len) < 0)
		note(c, "unknown charset \"%s\" in a %s part: read as "
		    "windows-1252", cs, l->type);
	append_lf(&lf, buf_str(&u), u.len);
	if (html) {
		html_to_text(out, buf_str(&lf), lf.len);
	} else {
		fmt = ct_param_lower(n, "format");
		delsp = ct_param_lower(n, "delsp");
		if (fmt != NULL && strcmp(fmt, "flowed") == 0)
			unflow(out, buf_str(&lf), lf.len,
			    delsp != NULL && strcmp(delsp, "yes") == 0);
		else
			buf_append(out, buf_str(&lf), lf.len);
		free(fmt);
		free(delsp);
	}
	free(cs);
	buf_free(&u);
	buf_free(&lf);
}

static void
add_body_text(struct ctx *c, struct mailmime *n, const struct leaf *l)
{
	struct mail *m = c->m;
	struct buf d = BUF_INIT;

	part_decode(n, &d);
	if (strcmp(l->type, "text/html") != 0)
		detect_pgp_inline(c, buf_str(&d), d.len, l->charset);
	if (c->text.len > 0 && c->text.data[c->text.len - 1] != '\n')
		buf_append_char(&c->text, '\n');
	if (m->text_charset == NULL && l->charset != NULL)
		m->text_charset = xstrdup(l->charset);
	if (strcmp(l->type, "text/html") == 0)
		m->text_from_html = 1;
	text_to_utf8(c, n, l, buf_str(&d), d.len, &c->text);
	/* Text is lines: the last one ends too (in a multipart, the line
	 * break before the boundary belongs to the boundary). */
	if (c->text.len > 0 && c->text.data[c->text.len - 1] != '\n')
		buf_append_char(&c->text, '\n');
	buf_free(&d);
}

static void
add_attachment(struct ctx *c, struct mailmime *n, const struct leaf *l)
{
	struct mail *m = c->m;
	struct mail_attachment *a;
	struct buf d = BUF_INIT;
	const char *cid = part_content_id(n);

	m->attachments = xgrow(m->attachments, &c->att_cap,
	    m->nattachments + 1, sizeof(*m->attachments));
	a = &m->attachments[m->nattachments++];
	memset(a, 0, sizeof(*a));
	part_decode(n, &d);
	a->filename = xstrdup(l->filename);
	a->content_type = xstrdup(l->type);
	a->disposition = xstrdup(l->dsp == MAILMIME_DISPOSITION_TYPE_ATTACHMENT ?
	    "attachment" : l->dsp == MAILMIME_DISPOSITION_TYPE_INLINE ?
	    "inline" : "");
	a->content_id = cid ? xstrdup(cid) : NULL;
	a->charset = l->charset ? xstrdup(l->charset) : NULL;
	bytes_set(&a->data, buf_str(&d), d.len);
	sha256_hex_of(a->data.data, a->data.len, a->sha256);
	a->magic_type = magic_type(a->data.data, a->data.len);
	a->pgp_keys = strcmp(l->type, "application/pgp-keys") == 0;
	a->offset = raw_offset(c, n->mm_mime_start);
	if (strcmp(l->type, "text/plain") == 0) {
		struct buf t = BUF_INIT;

		text_to_utf8(c, n, l, a->data.data, a->data.len, &t);
		if (t.len > 0 && t.data[t.len - 1] != '\n')
			buf_append_char(&t, '\n');
		a->text = buf_steal(&t);
	}
	buf_free(&d);
}

/* The first leaf reached through first children. */
static struct mailmime *
first_leaf(struct mailmime *n)
{
	while (n != NULL && n->mm_type == MAILMIME_MULTIPLE)
		n = child_at(n, 0);
	return n;
}

/* multipart/alternative: the first child that is (or starts with) plain
 * text, else the last (the richest) one. */
static int
pick_alternative(struct mailmime *n)
{
	int i, k = nchildren(n);

	for (i = 0; i < k; i++) {
		struct mailmime *f = first_leaf(child_at(n, i));
		struct leaf l;
		int ok;

		if (f == NULL || f->mm_type != MAILMIME_SINGLE)
			continue;
		leaf_init(f, &l);
		ok = strcmp(l.type, "text/plain") == 0 && is_body_text(&l);
		leaf_free(&l);
		if (ok)
			return i;
	}
	return k - 1;
}

static void
walk(struct ctx *c, struct mailmime *n, enum walk_mode mode, size_t depth)
{
	int i, k, pick;

	if (n == NULL || depth > c->lim->max_depth || is_skipped(c, n))
		return;
	if (n->mm_type == MAILMIME_MULTIPLE) {
		k = nchildren(n);
		if (is_multipart(n, "encrypted"))
			return;		/* no readable content */
		if (is_multipart(n, "alternative")) {
			pick = mode == W_BODY ? pick_alternative(n) : -1;
			for (i = 0; i < k; i++)
				walk(c, child_at(n, i), i == pick ? W_BODY :
				    mode == W_ATTACH ? W_ATTACH : W_ALT,
				    depth + 1);
			return;
		}
		if (is_multipart(n, "signed")) {
			walk(c, child_at(n, 0), mode, depth + 1);
			for (i = 1; i < k; i++) {
				struct mailmime *s = child_at(n, i);

				/* The signature is structure, not a file. */
				if (type_is(s, "application/pgp-signature") ||
				    type_is(s, "application/pkcs7-signature") ||
				    type_is(s, "application/x-pkcs7-signature"))
					continue;
				walk(c, s, mode, depth + 1);
			}
			return;
		}
		if (is_multipart(n, "report")) {
			for (i = 0; i < k; i++)
				walk(c, child_at(n, i), i == 0 ? mode : W_ATTACH,
				    depth + 1);
			return;
		}
		for (i = 0; i < k; i++)
			walk(c, child_at(n, i), mode, depth + 1);
		return;
	}
	/* A leaf, or a message/rfc822 kept whole as an attachment. */
	{
		struct leaf l;

		leaf_init(n, &l);
		if (n->mm_type == MAILMIME_SINGLE && is_body_text(&l)) {
			if (mode == W_BODY)
				add_body_text(c, n, &l);
			else if (mode == W_ATTACH)
				add_attachment(c, n, &l);
			/* W_ALT: the other rendering of the body; dropped. */
		} else
			add_attachment(c, n, &l);
		leaf_free(&l);
	}
}

/* ---------------------------------------------------------------- */
/* Entry points */

void
mail_limits_default(struct mail_limits *lim)
{
	lim->max_size = 50 * 1024 * 1024;
	lim->max_parts = 1000;
	lim->max_depth = 32;
	lim->max_header_bytes = 256 * 1024;
	lim->max_seconds = 10;
}

const char *
mail_pgp_kind_name(enum mail_pgp_kind kind)
{
	switch (kind) {
	case MAIL_PGP_NONE: return "none";
	case MAIL_PGP_MIME_SIGNED: return "mime_signed";
	case MAIL_PGP_MIME_ENCRYPTED: return "mime_encrypted";
	case MAIL_PGP_INLINE_SIGNED: return "inline_signed";
	case MAIL_PGP_INLINE_ENCRYPTED: return "inline_encrypted";
	}
	return "unknown";
}

/* Content-Type fields at the start of a line: an upper bound of what
 * libetpan will build, known before it starts. */
static size_t
count_content_types(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i + 13 <= len; i++)
		if ((i == 0 || s[i - 1] == '\n') &&
		    strncasecmp(s + i, "content-type:", 13) == 0)
			n++;
	return n;
}

static void
finish_text_attachments(struct mail *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nattachments; i++)
		if (m->attachments[i].text != NULL)
			n++;
	if (n == 0)
		return;
	m->text_attachments = xcalloc(n, sizeof(*m->text_attachments));
	for (i = 0; i < m->nattachments; i++)
		if (m->attachments[i].text != NULL)
			m->text_attachments[m->ntext_attachments++] =
			    &m->attachments[i];
}

int
mail_parse(const char *raw, size_t len, const struct mail_limits *lim_in,
    struct mail **out, struct clerk_err *err)
{
	struct mail_limits defl;
	const struct mail_limits *lim = lim_in;
	struct hdr_split h = { NULL, 0, 0, 0, 0 };
	struct ctx c;
	struct count k = { 0, 0, 0, 0 };
	struct mail *m = NULL;
	struct mailmime *mime = NULL, *body;
	char *synth = NULL;
	size_t skip = 0, idx = 0;
	const char *bp;
	int r, rc = -1;

	memset(&c, 0, sizeof(c));
	*out = NULL;
	if (lim == NULL) {
		mail_limits_default(&defl);
		lim = &defl;
	}
	if (raw == NULL)
		raw = "";
	if (len > lim->max_size) {
		err_set(err, ERR_FINAL, "mail too large: %zu > %zu bytes", len,
		    lim->max_size);
		goto out;
	}
	m = xcalloc(1, sizeof(*m));
	c.lim = lim;
	c.m = m;
	m->raw_size = len;
	sha256_hex_of(raw, len, m->raw_sha256);

	/* An mbox separator line is no header (libetpan would stop there),
	 * but plain text may start with "From " too: skip the line only when
	 * a header block follows. */
	if (len >= 5 && memcmp(raw, "From ", 5) == 0) {
		const char *nl = memchr(raw, '\n', len);

		skip = nl ? (size_t)(nl - raw) + 1 : len;
		split_header(raw + skip, len - skip, &h);
		if (h.n == 0 || !looks_like_header(&h)) {
			fields_free(h.v, h.n);
			memset(&h, 0, sizeof(h));
			skip = 0;
		}
	}
	if (skip == 0)
		split_header(raw, len, &h);
	if (h.body > lim->max_header_bytes) {
		err_set(err, ERR_FINAL, "header too large: %zu > %zu bytes", h.body,
		    lim->max_header_bytes);
		goto out;
	}
	if (h.n == 0 && len - skip > 0 && raw[skip] != '\n' &&
	    raw[skip] != '\r') {
		/* Text without any header: libetpan reads it as a body. */
		c.base = raw + skip;
		c.base_len = len - skip;
		c.shift = (long long)skip;
	} else if (h.n > 0 && !looks_like_header(&h)) {
		/* "Name: ..." lines of a decrypted plain text, not headers:
		 * put an empty header block in front so they stay text. */
		synth = xmalloc(len - skip + 1);
		synth[0] = '\n';
		memcpy(synth + 1, raw + skip, len - skip);
		c.base = synth;
		c.base_len = len - skip + 1;
		c.shift = (long long)skip - 1;
		fields_free(h.v, h.n);
		h.v = NULL;
		h.n = 0;
		note(&c, "no mail header: read as plain text");
	} else {
		c.base = raw + skip;
		c.base_len = len - skip;
		c.shift = (long long)skip;
		m->fields = h.v;
		m->nfields = h.n;
		h.v = NULL;
		h.n = 0;
		if (!h.clean)
			note(&c, "header block ends at a malformed line "
			    "(byte %zu)", skip + h.body);
	}

	/* libetpan is quadratic in the nesting depth (30000 levels take
	 * minutes): refuse what cannot fit the part limit before it runs. */
	if ((k.parts = count_content_types(c.base, c.base_len)) >
	    2 * lim->max_parts + 10) {
		err_set(err, ERR_FINAL, "too many MIME parts: %zu Content-Type fields "
		    "for at most %zu parts", k.parts, lim->max_parts);
		goto out;
	}
	k.parts = 0;
	r = mailmime_parse(c.base, c.base_len, &idx, &mime);
	if (r != MAILIMF_NO_ERROR || mime == NULL) {
		err_set(err, ERR_FINAL, "MIME parse failed (libetpan error %d)", r);
		goto out;
	}
	body = mime->mm_type == MAILMIME_MESSAGE ?
	    mime->mm_data.mm_message.mm_msg_mime : mime;
	read_headers(m);
	if (body == NULL) {
		note(&c, "no MIME body");
		m->content_type = xstrdup("text/plain");
		m->text = xstrdup("");
		*out = m;
		m = NULL;
		rc = 0;
		goto out;
	}
	if (synth == NULL && m->nfields > 0 && (bp = body_ptr(body)) != NULL &&
	    (size_t)(bp - c.base) != h.body)
		note(&c, "libetpan ends the header block at byte %zu, "
		    "clerk at byte %zu", raw_offset(&c, bp), skip + h.body);

	repair_tree(&c, body, 1);
	count_tree(body, 1, lim->max_depth, &k);
	if (k.too_deep) {
		err_set(err, ERR_FINAL, "MIME nesting too deep: more than %zu levels",
		    lim->max_depth);
		goto out;
	}
	if (k.parts > lim->max_parts) {
		err_set(err, ERR_FINAL, "too many MIME parts: %zu > %zu", k.parts,
		    lim->max_parts);
		goto out;
	}
	if (k.max_hdr > lim->max_header_bytes) {
		err_set(err, ERR_FINAL, "header too large: %zu > %zu bytes", k.max_hdr,
		    lim->max_header_bytes);
		goto out;
	}
	m->nparts = k.parts;
	m->depth = k.depth;
	m->content_type = content_type_str(body->mm_content_type);

	detect_pgp_mime(&c, body);
	if (is_multipart(body, "report"))
		detect_report(&c, body);
	walk(&c, body, W_BODY, 1);
	m->text = buf_steal(&c.text);
	finish_text_attachments(m);
	if (c.dropped_notes > 0) {
		free(m->notes[m->nnotes - 1]);
		m->notes[m->nnotes - 1] = xasprintf("... and %d more notes",
		    c.dropped_notes + 1);
	}
	*out = m;
	m = NULL;
	rc = 0;
out:
	if (mime != NULL)
		mailmime_free(mime);
	free(synth);
	fields_free(h.v, h.n);
	buf_free(&c.text);
	mail_free(m);
	return rc;
}

static void
bytes_free(struct mail_bytes *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

void
mail_free(struct mail *m)
{
	size_t i;

	if (m == NULL)
		return;
	fields_free(m->fields, m->nfields);
	free(m->from.addr);
	free(m->from.name);
	addr_list_free(&m->to);
	addr_list_free(&m->cc);
	addr_list_free(&m->reply_to);
	free(m->subject);
	free(m->message_id);
	free(m->in_reply_to);
	for (i = 0; i < m->nreferences; i++)
		free(m->references[i]);
	free(m->references);
	free(m->date_raw);
	free(m->auto_submitted);
	free(m->precedence);
	free(m->list_id);
	free(m->return_path);
	free(m->content_type);
	free(m->report_type);
	free(m->report_msgid);
	free(m->text);
	free(m->text_charset);
	for (i = 0; i < m->nattachments; i++) {
		struct mail_attachment *a = &m->attachments[i];

		free(a->filename);
		free(a->content_type);
		free(a->disposition);
		free(a->content_id);
		free(a->charset);
		bytes_free(&a->data);
		free(a->text);
	}
	free(m->attachments);
	free(m->text_attachments);
	bytes_free(&m->pgp.signed_data);
	bytes_free(&m->pgp.signature);
	bytes_free(&m->pgp.encrypted);
	free(m->pgp.micalg);
	free(m->pgp.charset);
	for (i = 0; i < m->nnotes; i++)
		free(m->notes[i]);
	free(m->notes);
	free(m);
}

