/* IMAP protocol pieces without I/O (see imap_proto.h). */
#include "imap_proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"

static const char mbase64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
 * Returns the length (1..4) or 0 for an invalid sequence. */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, v = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, v = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, v = s[0] & 0x07, min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

static int
printable_ascii(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e;
}

char *
imap_mailbox_wire(const char *utf8)
{
	const unsigned char *s = (const unsigned char *)utf8;
	struct buf out = BUF_INIT;

	if (*s == '\0')
		return NULL;
	while (*s != '\0') {
		uint32_t acc = 0;
		unsigned nbits = 0;

		if (printable_ascii(*s)) {
			if (*s == '&')
				buf_append_str(&out, "&-");
			else
				buf_append_char(&out, (char)*s);
			s++;
			continue;
		}
		/* A run of other characters: UTF-16BE in modified base64. */
		buf_append_char(&out, '&');
		while (*s != '\0' && !printable_ascii(*s)) {
			uint32_t cp, units[2];
			size_t len = utf8_decode(s, &cp), nu = 1;

			if (len == 0 || cp < 0x20 || cp == 0x7f)
				goto fail;
			if (cp >= 0x10000) {
				units[0] = 0xd800 + ((cp - 0x10000) >> 10);
				units[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
				nu = 2;
			} else
				units[0] = cp;
			for (size_t u = 0; u < nu; u++) {
				acc = (acc << 16) | units[u];
				nbits += 16;
				while (nbits >= 6) {
					nbits -= 6;
					buf_append_char(&out, mbase64[(acc >> nbits) & 0x3f]);
				}
			}
			s += len;
		}
		if (nbits > 0)
			buf_append_char(&out, mbase64[(acc << (6 - nbits)) & 0x3f]);
		buf_append_char(&out, '-');
	}
	return buf_steal(&out);
fail:
	buf_free(&out);
	return NULL;
}

void
imap_append_quoted(struct buf *b, const char *s)
{
	buf_append_char(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_append_char(b, '\\');
		buf_append_char(b, *s);
	}
	buf_append_char(b, '"');
}

char *
imap_url_escape(const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			buf_append_char(&b, (char)c);
		else
			buf_printf(&b, "%%%02X", c);
	}
	return buf_steal(&b);
}

/* Next line of `text` at *p: sets start and length (without CR LF). */
static int
next_line(const char **p, const char **start, size_t *len)
{
	const char *s = *p, *nl;

	if (*s == '\0')
		return 0;
	nl = strchr(s, '\n');
	*start = s;
	*len = nl != NULL ? (size_t)(nl - s) : strlen(s);
	*p = nl != NULL ? nl + 1 : s + *len;
	if (*len > 0 && s[*len - 1] == '\r')
		(*len)--;
	return 1;
}

/* An IMAP number (nz-number or number, at most 32 bits) at *p. */
static int
parse_num(const char **p, const char *end, int64_t *out)
{
	const char *s = *p;
	int64_t v = 0;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*p = s;
	*out = v;
	return 0;
}

/* Line starts with `word` (case-insensitive) followed by a space or the end. */
static int
starts_word(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);

	return len >= wl && strncasecmp(s, word, wl) == 0 && (len == wl || s[wl] == ' ');
}

int
imap_parse_status(const char *text, int64_t *uidvalidity, int64_t *uidnext,
    int64_t *messages)
{
	const char *p = text, *line, *end, *s;
	size_t len;
	int found = -1;

	while (next_line(&p, &line, &len)) {
		if (!starts_word(line, len, "* STATUS"))
			continue;
		end = line + len;
		/* The item list is the last parenthesis: a quoted mailbox
		 * name before it may hold anything. */
		for (s = end; s > line && s[-1] != '('; s--)
			;
		if (s == line)
			continue;
		while (s < end && *s != ')') {
			const char *name = s;
			size_t nl;
			int64_t v;

			nl = strcspn(name, " )");
			if (name + nl >= end)
				break;
			s = name + nl;
			if (*s == ' ')
				s++;
			if (parse_num(&s, end, &v) != 0)
				break;
			if (nl == 11 && strncasecmp(name, "UIDVALIDITY", nl) == 0)
				*uidvalidity = v, found = 0;
			else if (nl == 7 && strncasecmp(name, "UIDNEXT", nl) == 0)
				*uidnext = v, found = 0;
			else if (nl == 8 && strncasecmp(name, "MESSAGES", nl) == 0)
				*messages = v, found = 0;
			while (s < end && *s == ' ')
				s++;
		}
	}
	return found;
}

int
imap_parse_search(const char *text, int64_t **v, size_t *n, size_t *cap)
{
	const char *p = text, *line, *s, *end;
	size_t len;

	while (next_line(&p, &line, &len)) {
		if (!starts_word(line, len, "* SEARCH"))
			continue;
		end = line + len;
		for (s = line + 8; s < end;) {
			int64_t x;

			while (s < end && *s == ' ')
				s++;
			if (s == end)
				break;
			if (parse_num(&s, end, &x) != 0 || x == 0 || (s < end && *s != ' '))
				return -1;
			*v = xgrow(*v, cap, *n + 1, sizeof(**v));
			(*v)[(*n)++] = x;
		}
	}
	return 0;
}

/* A quoted string or an atom at *p (up to end): its value into `out`. */
static int
parse_astring(const char **p, const char *end, struct buf *out)
{
	const char *s = *p;

	buf_reset(out);
	if (s < end && *s == '"') {
		for (s++; s < end && *s != '"'; s++) {
			if (*s == '\\' && s + 1 < end)
				s++;
			buf_append_char(out, *s);
		}
		if (s == end)
			return -1;
		s++;
	} else {
		for (; s < end && *s != ' ' && *s != '(' && *s != ')' && *s != '{'; s++)
			buf_append_char(out, *s);
		if (out->len == 0)
			return -1;
	}
	*p = s;
	return 0;
}

int
imap_list_has(const char *text, const char *wire)
{
	const char *p = text, *line, *s, *end;
	struct buf name = BUF_INIT;
	size_t len;
	int found = 0;

	while (!found && next_line(&p, &line, &len)) {
		if (!starts_word(line, len, "* LIST"))
			continue;
		end = line + len;
		s = line + 6;
		while (s < end && *s == ' ')
			s++;
		if (s == end || *s != '(' || (s = memchr(s, ')', (size_t)(end - s))) == NULL)
			continue;
		s++;
		while (s < end && *s == ' ')
			s++;
		/* the hierarchy delimiter: a quoted character or NIL */
		if (parse_astring(&s, end, &name) != 0)
			continue;
		while (s < end && *s == ' ')
			s++;
		if (parse_astring(&s, end, &name) != 0 || s != end)
			continue;
		if (strcmp(buf_str(&name), wire) == 0 ||
		    (strcasecmp(buf_str(&name), "INBOX") == 0 && strcasecmp(wire, "INBOX") == 0))
			found = 1;
	}
	buf_free(&name);
	return found;
}

unsigned
imap_parse_capability(const char *text)
{
	const char *p = text, *line, *s, *end;
	size_t len;
	unsigned caps = 0;

	while (next_line(&p, &line, &len)) {
		if (!starts_word(line, len, "* CAPABILITY"))
			continue;
		end = line + len;
		for (s = line + 12; s < end;) {
			size_t tl;

			while (s < end && *s == ' ')
				s++;
			tl = strcspn(s, " \r\n");
			if (s + tl > end)
				tl = (size_t)(end - s);
			if (tl == 4 && strncasecmp(s, "MOVE", 4) == 0)
				caps |= IMAP_CAP_MOVE;
			else if (tl == 7 && strncasecmp(s, "UIDPLUS", 7) == 0)
				caps |= IMAP_CAP_UIDPLUS;
			else if (tl == 4 && strncasecmp(s, "IDLE", 4) == 0)
				caps |= IMAP_CAP_IDLE;
			s += tl;
		}
	}
	return caps;
}

int
imap_untagged_number(const char *line, const char *what, int64_t *n)
{
	const char *s = line, *end = line + strcspn(line, "\r\n");
	size_t wl = strlen(what);
	int64_t v;

	if (strncmp(s, "* ", 2) != 0)
		return 0;
	s += 2;
	if (parse_num(&s, end, &v) != 0 || s >= end || *s != ' ')
		return 0;
	s++;
	if ((size_t)(end - s) != wl || strncasecmp(s, what, wl) != 0)
		return 0;
	*n = v;
	return 1;
}

int
imap_ok_code_number(const char *line, const char *code, int64_t *n)
{
	const char *s = line, *end = line + strcspn(line, "\r\n");
	size_t cl = strlen(code);
	int64_t v;

	if (strncasecmp(s, "* OK [", 6) != 0)
		return 0;
	s += 6;
	if ((size_t)(end - s) <= cl || strncasecmp(s, code, cl) != 0 || s[cl] != ' ')
		return 0;
	s += cl + 1;
	if (parse_num(&s, end, &v) != 0 || s >= end || *s != ']')
		return 0;
	*n = v;
	return 1;
}

int
imap_has_resp_code(const char *line, const char *code)
{
	const char *s = strchr(line, ' ');
	size_t cl = strlen(code);

	/* tag, status word, then the optional [CODE ...] */
	if (s == NULL)
		return 0;
	s = strchr(s + 1, ' ');
	if (s == NULL || s[1] != '[')
		return 0;
	s += 2;
	return strncasecmp(s, code, cl) == 0 && (s[cl] == ']' || s[cl] == ' ');
}

int
imap_tagged_status(const char *line, const char *tag)
{
	size_t tl = strlen(tag);
	const char *s;

	if (strncmp(line, tag, tl) != 0 || line[tl] != ' ')
		return 0;
	s = line + tl + 1;
	if (strncasecmp(s, "OK", 2) == 0 && (s[2] == ' ' || s[2] == '\r' || s[2] == '\0'))
		return 'O';
	if (strncasecmp(s, "NO", 2) == 0 && (s[2] == ' ' || s[2] == '\r' || s[2] == '\0'))
		return 'N';
	if (strncasecmp(s, "BAD", 3) == 0 && (s[3] == ' ' || s[3] == '\r' || s[3] == '\0'))
		return 'B';
	return 0;
}
