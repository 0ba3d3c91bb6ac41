/* JSON string escaping. */
#include "json.h"

#include <string.h>

#include "utf8.h"

void
json_string(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end;

	if (s == NULL) {
		buf_append_str(b, "null");
		return;
	}
	end = p + strlen(s);
	buf_append_char(b, '"');
	while (*p) {
		size_t n;

		switch (*p) {
		case '"': buf_append_str(b, "\\\""); p++; continue;
		case '\\': buf_append_str(b, "\\\\"); p++; continue;
		case '\n': buf_append_str(b, "\\n"); p++; continue;
		case '\r': buf_append_str(b, "\\r"); p++; continue;
		case '\t': buf_append_str(b, "\\t"); p++; continue;
		default: break;
		}
		if (*p < 0x20) {
			buf_printf(b, "\\u%04x", *p);
			p++;
			continue;
		}
		n = utf8_char_len(p, (size_t)(end - p));
		if (n == 0) {
			buf_append_str(b, "\xef\xbf\xbd");
			p++;
			continue;
		}
		buf_append(b, p, n);
		p += n;
	}
	buf_append_char(b, '"');
}

void
json_key(struct buf *b, const char *key)
{
	json_string(b, key);
	buf_append_char(b, ':');
}

void
json_key_string(struct buf *b, const char *key, const char *value)
{
	json_key(b, key);
	json_string(b, value);
}
