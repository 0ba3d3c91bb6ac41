/* Writing JSON into a buffer: just enough for `clerkctl ... --json`. */
#ifndef CLERK_JSON_H
#define CLERK_JSON_H

#include <stddef.h>

#include "buf.h"

/* Appends `s` as a JSON string (quotes and escapes; invalid UTF-8 bytes
 * become U+FFFD), or null when `s` is NULL. */
void json_string(struct buf *b, const char *s);
/* `"key":` followed by the string value. */
void json_key_string(struct buf *b, const char *key, const char *value);
void json_key(struct buf *b, const char *key);

#endif
