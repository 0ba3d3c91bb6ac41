/* Transfer encodings for outgoing mail (RFC 2045): clerk sends 7-bit only
 * (SMTP without 8BITMIME, and RFC 3156 requires it for signed data). */
#ifndef CLERK_MIMEENC_H
#define CLERK_MIMEENC_H

#include <stddef.h>

#include "buf.h"

/* Quoted-printable of a text: LF or CRLF line ends become CRLF hard line
 * breaks and the result ends with CRLF (nothing for empty text). Lines are
 * at most 76 characters; a soft break never falls inside the encoding of
 * one UTF-8 character; '=' and the last white space of a line are encoded;
 * so is a line's first character when it is '.' or the 'F' of "From ", so
 * that neither SMTP nor mbox can touch the text. */
void qp_encode_text(const char *text, size_t len, struct buf *out);
/* Base64 without line breaks (for encoded words). */
void base64_encode(const void *data, size_t len, struct buf *out);
/* Base64 in lines of 76 characters, each ending with CRLF. */
void base64_encode_lines(const void *data, size_t len, struct buf *out);

#endif
