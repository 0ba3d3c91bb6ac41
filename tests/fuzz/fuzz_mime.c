/* libFuzzer target for the mail model (daemon/mime.c). Not built by make;
 * from the source tree:
 *
 *   clang -g -O1 -std=c11 -D_GNU_SOURCE \
 *       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *       -Iinclude daemon/mime.c daemon/sha256.c daemon/buf.c \
 *       daemon/xmalloc.c daemon/error.c tests/fuzz/fuzz_mime.c \
 *       -letpan -o /tmp/fuzz_mime
 *   mkdir -p /tmp/fuzz-corpus
 *   find ../shared/corpus -name '*.eml' -exec cp {} /tmp/fuzz-corpus/ \;
 *   /tmp/fuzz_mime -max_total_time=90 -max_len=65536 -fork=2 \
 *       -ignore_crashes=1 /tmp/fuzz-corpus
 *
 * (needs libclang-rt-14-dev). -fork with -ignore_crashes keeps going past
 * the known libetpan overflow (Content-Type boundary="\"", see shared
 * TECH.md), which mail_parse_isolated contains in production.
 *
 * Besides "no crash" the target checks what the model promises: text and
 * names are valid UTF-8 C strings, attachment digests match their bytes,
 * MIME-signed bytes are a copy of the raw mail at signed_offset. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 :
		    (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		size_t i;

		if (n == 0)
			abort();
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				abort();
		p += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_limits lim;
	struct mail *m = NULL;
	struct clerk_err err;
	char hex[SHA256_HEX_LEN + 1], *d;
	size_t i;

	mail_limits_default(&lim);
	lim.max_parts = 200;
	if (mail_parse((const char *)data, size, &lim, &m, &err) == 0) {
		check_utf8(m->text);
		if (m->subject)
			check_utf8(m->subject);
		check_utf8(m->from.name);
		for (i = 0; i < m->nattachments; i++) {
			const struct mail_attachment *a = &m->attachments[i];

			check_utf8(a->filename);
			if (a->text)
				check_utf8(a->text);
			sha256_hex_of(a->data.data, a->data.len, hex);
			if (strcmp(hex, a->sha256) != 0)
				abort();
		}
		if (m->pgp.kind == MAIL_PGP_MIME_SIGNED &&
		    (m->pgp.signed_offset + m->pgp.signed_data.len > size ||
		    memcmp(data + m->pgp.signed_offset, m->pgp.signed_data.data,
		    m->pgp.signed_data.len) != 0))
			abort();
		mail_free(m);
	}
	d = mail_decode_header((const char *)data, size);
	check_utf8(d);
	free(d);
	return 0;
}
