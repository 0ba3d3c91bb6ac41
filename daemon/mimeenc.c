/* Quoted-printable and base64 encoders. */
#include "mimeenc.h"

#include <string.h>

#include "utf8.h"

#define QP_LINE_MAX	76

static const char hexdig[] = "0123456789ABCDEF";
static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t
qp_byte(unsigned char c, char *e)
{
	e[0] = '=';
	e[1] = hexdig[c >> 4];
	e[2] = hexdig[c & 15];
	return 3;
}

/* The encoding of the character (one unit: all of a UTF-8 sequence, or a
 * single byte) at s[i] of a line of n bytes, into e (>= 12 bytes). */
static size_t
qp_unit(const unsigned char *s, size_t i, size_t n, int line_start, char *e,
    size_t *used)
{
	unsigned char c = s[i];
	size_t k, m, len = 0;

	*used = 1;
	if (c >= 0x80) {
		m = utf8_char_len(s + i, n - i);
		if (m == 0)
			m = 1;	/* not UTF-8: encode the byte on its own */
		for (k = 0; k < m; k++)
			len += qp_byte(s[i + k], e + len);
		*used = m;
		return len;
	}
	if (c == '=' || (c < 0x20 && c != '\t') || c == 0x7f)
		return qp_byte(c, e);
	if ((c == ' ' || c == '\t') && i + 1 == n)
		return qp_byte(c, e);	/* white space ending a line */
	if (line_start && (c == '.' || (c == 'F' && n - i >= 5 &&
	    memcmp(s + i, "From ", 5) == 0)))
		return qp_byte(c, e);
	e[0] = (char)c;
	return 1;
}

static void
qp_line(const unsigned char *s, size_t n, struct buf *out)
{
	char e[16];
	size_t i = 0, len, used, col = 0;

	while (i < n) {
		len = qp_unit(s, i, n, col == 0, e, &used);
		/* Room for a soft break '=' unless this unit ends the line. */
		if (col + len > (i + used == n ? QP_LINE_MAX : QP_LINE_MAX - 1)) {
			buf_append(out, "=\r\n", 3);
			col = 0;
			len = qp_unit(s, i, n, 1, e, &used);
		}
		buf_append(out, e, len);
		col += len;
		i += used;
	}
	buf_append(out, "\r\n", 2);
}

void
qp_encode_text(const char *text, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *end = p + len, *nl;
	size_t n;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (nl && n && p[n - 1] == '\r')
			n--;	/* CRLF is a line end, like LF */
		qp_line(p, n, out);
		p = nl ? nl + 1 : end;
	}
}

static void
b64_group(const unsigned char *s, size_t n, char o[4])
{
	unsigned v = (unsigned)s[0] << 16 | (n > 1 ? (unsigned)s[1] << 8 : 0) |
	    (n > 2 ? s[2] : 0);

	o[0] = b64[v >> 18];
	o[1] = b64[(v >> 12) & 63];
	o[2] = n > 1 ? b64[(v >> 6) & 63] : '=';
	o[3] = n > 2 ? b64[v & 63] : '=';
}

void
base64_encode(const void *data, size_t len, struct buf *out)
{
	const unsigned char *s = data;
	char o[4];
	size_t i;

	for (i = 0; i < len; i += 3) {
		b64_group(s + i, len - i > 3 ? 3 : len - i, o);
		buf_append(out, o, 4);
	}
}

void
base64_encode_lines(const void *data, size_t len, struct buf *out)
{
	const unsigned char *s = data;
	char o[4];
	size_t i, col = 0;

	for (i = 0; i < len; i += 3) {
		b64_group(s + i, len - i > 3 ? 3 : len - i, o);
		buf_append(out, o, 4);
		if ((col += 4) == 76) {
			buf_append(out, "\r\n", 2);
			col = 0;
		}
	}
	if (col)
		buf_append(out, "\r\n", 2);
}
