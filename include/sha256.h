/* SHA-256 (FIPS 180-4). None of our libraries offers one without pulling
 * in a crypto stack, and the store names attachments and raw mails by it. */
#ifndef CLERK_SHA256_H
#define CLERK_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32
#define SHA256_HEX_LEN	64	/* without the NUL */

struct sha256_ctx {
	uint32_t	h[8];
	uint64_t	bits;		/* message length so far, in bits */
	unsigned char	block[64];
	size_t		used;		/* bytes waiting in block */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, unsigned char out[SHA256_LEN]);

/* One call over a whole buffer. */
void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
/* Lower-case hex of a digest into `hex` (65 bytes with the NUL); returns hex. */
char *sha256_hex(const unsigned char digest[SHA256_LEN],
    char hex[SHA256_HEX_LEN + 1]);
/* Digest of a buffer straight to hex; returns hex. */
char *sha256_hex_of(const void *data, size_t len,
    char hex[SHA256_HEX_LEN + 1]);

#endif
