/* Allocation that never returns NULL: on exhaustion clerk logs and aborts,
 * as OpenSMTPD does, so callers need no out-of-memory path of their own. */
#ifndef CLERK_XMALLOC_H
#define CLERK_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array to at least `want` elements of `size`, doubling; updates *cap. */
void *xgrow(void *ptr, size_t *cap, size_t want, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A copy with ASCII A-Z lowered (addresses, charset names); others kept. */
char *xstrdup_lower(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
