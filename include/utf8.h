/* UTF-8 checks shared by the notice code: templates, values and headers
 * must be valid UTF-8 before they reach a mail. Strict: no overlong forms,
 * no surrogates, nothing above U+10FFFF. */
#ifndef CLERK_UTF8_H
#define CLERK_UTF8_H

#include <stddef.h>

/* Length (1..4) of the valid character starting at s[0], or 0 when the
 * bytes there are not a valid UTF-8 character. `left` >= 1. */
size_t utf8_char_len(const unsigned char *s, size_t left);
/* 1 when all `len` bytes are valid UTF-8. */
int utf8_valid(const char *s, size_t len);
/* 1 when every byte is below 0x80. */
int utf8_is_ascii(const char *s, size_t len);

#endif
