/* A growable byte buffer, always NUL-terminated after `len` bytes so that
 * text can be used as a C string; bytes may contain NULs. */
#ifndef CLERK_BUF_H
#define CLERK_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "error.h"

struct buf {
	char	*data;	/* owned; NULL until the first append */
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_append(struct buf *b, const void *data, size_t len);
void buf_append_str(struct buf *b, const char *s);
void buf_append_char(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);	/* len = 0, keeps the memory */
/* Hands the bytes to the caller (never NULL) and empties the buffer. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);
/* Appends the whole content of the file at `path`; on failure err names
 * the path and the reason. */
int buf_read_file(struct buf *b, const char *path, struct clerk_err *err);
/* The text, or "" when nothing was appended yet. */
const char *buf_str(const struct buf *b);

/* Sockets and pipes between clerk's own processes (the MIME worker, the
 * signer). All of p[0..n) written, 0, or -1 (EINTR retried, no SIGPIPE). */
int fd_write_all(int fd, const void *p, size_t n);
/* All of p[0..n) read: 1; the end of the stream before any byte: 0; -1
 * otherwise. */
int fd_read_all(int fd, void *p, size_t n);

#endif
