/* Composition of notices: outer header, the entity to sign, and the
 * RFC 3156 multipart/signed and multipart/encrypted wrappers. */
#include "compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdrenc.h"
#include "mimeenc.h"
#include "utf8.h"
#include "xmalloc.h"

#define FILENAME_MAX_BYTES	200

/* "=_" cannot occur in quoted-printable, base64 or armor, so a boundary
 * starting with it never collides with the content (checked anyway). The
 * rest comes from the Message-ID so that a notice's bytes are
 * reproducible. */
static void
boundary(const char *seed, const char *kind, char *out, size_t n)
{
	unsigned long long h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	const unsigned char *p;

	for (p = (const unsigned char *)(seed ? seed : ""); *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	snprintf(out, n, "=_clerk_%016llx_%s", h, kind);
}

/* 1 when a line of s starts with "--" and the boundary. */
static int
boundary_clash(const char *s, size_t len, const char *b)
{
	size_t bl = strlen(b), i;

	for (i = 0; i + 2 + bl <= len; i++)
		if ((i == 0 || s[i - 1] == '\n') && s[i] == '-' &&
		    s[i + 1] == '-' && memcmp(s + i + 2, b, bl) == 0)
			return 1;
	return 0;
}

/* 7-bit, no NUL, CR only before LF. */
static int
seven_bit_lines(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0 || c >= 0x80)
			return 0;
		if (c == '\r' && (i + 1 == len || s[i + 1] != '\n'))
			return 0;
	}
	return 1;
}

/* 7-bit with CRLF line ends only. */
static int
seven_bit_crlf(const char *s, size_t len)
{
	size_t i;

	if (!seven_bit_lines(s, len))
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return 0;
	return 1;
}

/* Armor text with CRLF line ends, ending with CRLF. */
static void
append_crlf(struct buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r')
			continue;	/* only ever before LF: checked */
		if (s[i] == '\n')
			buf_append_char(out, '\r');
		buf_append_char(out, s[i]);
	}
	if (len == 0 || s[len - 1] != '\n')
		buf_append(out, "\r\n", 2);
}

static int
has(const char *s, size_t len, const char *what)
{
	size_t n = strlen(what), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(s + i, what, n) == 0)
			return 1;
	return 0;
}

/* Only the well-formed message ids of `ids`, space-separated. */
static void
good_ids(const char *ids, struct buf *out)
{
	const char *p = ids, *s;
	size_t n;

	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		s = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		n = (size_t)(p - s);
		if (n && hdr_msgid_valid(s, n)) {
			if (out->len)
				buf_append_char(out, ' ');
			buf_append(out, s, n);
		}
	}
}

int
compose_header(const struct notice_header *h, struct buf *out,
    struct clerk_err *err)
{
	struct buf hb = BUF_INIT, ids = BUF_INIT, ref = BUF_INIT;
	int rc = -1;

	if (h->subject == NULL) {
		err_set(err, ERR_FINAL, "notice without a subject");
		goto out;
	}
	if (h->case_ref) {
		const char *p;

		for (p = h->case_ref; *p; p++)
			if (*p <= ' ' || *p >= 0x7f || *p == '[' || *p == ']')
				break;
		if (*p || h->case_ref[0] == '\0') {
			err_set(err, ERR_FINAL, "case reference '%s' cannot go in a "
			    "subject", h->case_ref);
			goto out;
		}
		for (p = h->ref_token; p != NULL && *p; p++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
				break;
		if (p != NULL && (*p || h->ref_token[0] == '\0')) {
			err_set(err, ERR_FINAL, "confirmation token '%s' cannot go in a "
			    "subject", h->ref_token);
			goto out;
		}
		if (h->ref_token != NULL)
			buf_printf(&ref, "[%s/%s]", h->case_ref, h->ref_token);
		else
			buf_printf(&ref, "[%s]", h->case_ref);
	}
	if (hdr_date(&hb, h->date, h->utc_offset, err) == -1 ||
	    hdr_mailbox(&hb, "From", h->from_name, h->from_addr, err) == -1 ||
	    hdr_mailbox(&hb, "To", h->to_name, h->to_addr, err) == -1 ||
	    hdr_mailbox(&hb, "Reply-To", h->reply_to_addr ? h->reply_to_name :
	    h->from_name, h->reply_to_addr ? h->reply_to_addr : h->from_addr,
	    err) == -1 ||
	    hdr_unstructured(&hb, "Subject", h->case_ref ? ref.data : NULL,
	    h->subject, err) == -1 ||
	    hdr_msgids(&hb, "Message-ID", h->message_id ? h->message_id : "",
	    err) == -1)
		goto out;
	if (strpbrk(h->message_id, " \t\r\n") != NULL) {
		err_set(err, ERR_FINAL, "Message-ID: one id expected, got '%s'",
		    h->message_id);
		goto out;
	}
	good_ids(h->in_reply_to, &ids);
	if (ids.len && hdr_msgids(&hb, "In-Reply-To", ids.data, err) == -1)
		goto out;
	buf_reset(&ids);
	good_ids(h->references, &ids);
	if (ids.len && hdr_msgids(&hb, "References", ids.data, err) == -1)
		goto out;
	buf_printf(&hb, "Auto-Submitted: %s\r\nMIME-Version: 1.0\r\n",
	    h->auto_submitted == AUTO_REPLIED ? "auto-replied" :
	    "auto-generated");
	buf_append(out, hb.data, hb.len);
	rc = 0;
out:
	buf_free(&hb);
	buf_free(&ids);
	buf_free(&ref);
	return rc;
}

static int
mime_type_valid(const char *t)
{
	const char *p;
	int slash = 0;

	if (t == NULL || *t == '\0' || *t == '/')
		return 0;
	for (p = t; *p; p++) {
		if (*p == '/') {
			if (slash++ || p[1] == '\0')
				return 0;
		} else if (!((*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '+' ||
		    *p == '.'))
			return 0;
	}
	return slash == 1;
}

/* A parameter `key="value"` when the value is plain, else RFC 2231
 * `key*=utf-8''percent-encoded`. */
static void
param(struct buf *out, const char *key, const char *v)
{
	const unsigned char *p;
	int plain = 1;

	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			plain = 0;
	if (plain) {
		buf_printf(out, ";\r\n %s=\"%s\"", key, v);
		return;
	}
	buf_printf(out, ";\r\n %s*=utf-8''", key);
	for (p = (const unsigned char *)v; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p))
			buf_append_char(out, (char)*p);
		else
			buf_printf(out, "%%%02X", *p);
	}
}

static void
text_part(struct buf *out, const char *body)
{
	buf_append_str(out, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	qp_encode_text(body, strlen(body), out);
}

int
compose_entity(const char *body, const struct attachment *atts, size_t natts,
    const char *boundary_seed, struct buf *out, struct clerk_err *err)
{
	struct buf e = BUF_INIT;
	char b[64];
	size_t i;
	int rc = -1;

	if (body == NULL || !utf8_valid(body, strlen(body))) {
		err_set(err, ERR_FINAL, "notice body is not valid UTF-8");
		goto out;
	}
	if (natts == 0) {
		text_part(&e, body);
		goto done;
	}
	boundary(boundary_seed, "mixed", b, sizeof(b));
	buf_printf(&e, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n"
	    "\r\n--%s\r\n", b, b);
	text_part(&e, body);
	for (i = 0; i < natts; i++) {
		const struct attachment *a = &atts[i];

		if (!mime_type_valid(a->content_type)) {
			err_set(err, ERR_FINAL, "attachment %zu: bad content type '%s'",
			    i + 1, a->content_type ? a->content_type : "(none)");
			goto out;
		}
		if (a->filename && (strlen(a->filename) > FILENAME_MAX_BYTES ||
		    !utf8_valid(a->filename, strlen(a->filename)) ||
		    a->filename[0] == '\0')) {
			err_set(err, ERR_FINAL, "attachment %zu: bad file name", i + 1);
			goto out;
		}
		buf_printf(&e, "\r\n--%s\r\nContent-Type: %s", b,
		    a->content_type);
		if (a->filename)
			param(&e, "name", a->filename);
		buf_append_str(&e, "\r\nContent-Disposition: attachment");
		if (a->filename)
			param(&e, "filename", a->filename);
		buf_append_str(&e, "\r\nContent-Transfer-Encoding: base64\r\n"
		    "\r\n");
		base64_encode_lines(a->data, a->len, &e);
	}
	buf_printf(&e, "\r\n--%s--\r\n", b);
done:
	buf_append(out, e.data, e.len);
	rc = 0;
out:
	buf_free(&e);
	return rc;
}

static int
micalg_valid(const char *m)
{
	const char *p;

	if (m == NULL || strncmp(m, "pgp-", 4) != 0 || m[4] == '\0')
		return 0;
	for (p = m + 4; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-'))
			return 0;
	return 1;
}

int
compose_signed_entity(const char *boundary_seed, const char *part,
    size_t partlen, const char *sig, size_t siglen, const char *micalg,
    struct buf *out, struct clerk_err *err)
{
	char b[64];

	if (!micalg_valid(micalg)) {
		err_set(err, ERR_FINAL, "bad micalg '%s' (want e.g. pgp-sha256)",
		    micalg ? micalg : "(none)");
		return -1;
	}
	/* The part travels byte for byte: it must already be 7-bit CRLF. */
	if (partlen < 2 || !seven_bit_crlf(part, partlen) ||
	    part[partlen - 1] != '\n') {
		err_set(err, ERR_FINAL, "the part to sign is not 7-bit CRLF text "
		    "ending with CRLF");
		return -1;
	}
	if (!seven_bit_lines(sig, siglen) ||
	    !has(sig, siglen, "-----BEGIN PGP SIGNATURE-----") ||
	    !has(sig, siglen, "-----END PGP SIGNATURE-----")) {
		err_set(err, ERR_FINAL, "the signature is not an armored OpenPGP "
		    "signature");
		return -1;
	}
	boundary(boundary_seed, "signed", b, sizeof(b));
	if (boundary_clash(part, partlen, b) || boundary_clash(sig, siglen, b)) {
		err_set(err, ERR_FINAL, "boundary %s occurs in the content", b);
		return -1;
	}
	buf_printf(out, "Content-Type: multipart/signed; micalg=%s;\r\n"
	    " protocol=\"application/pgp-signature\";\r\n"
	    " boundary=\"%s\"\r\n\r\n"
	    "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n"
	    "--%s\r\n", micalg, b, b);
	buf_append(out, part, partlen);
	buf_printf(out, "\r\n--%s\r\n"
	    "Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n"
	    "Content-Description: OpenPGP digital signature\r\n"
	    "Content-Disposition: attachment; filename=\"signature.asc\"\r\n"
	    "\r\n", b);
	append_crlf(out, sig, siglen);
	buf_printf(out, "\r\n--%s--\r\n", b);
	return 0;
}

int
compose_signed(const struct notice_header *h, const char *part,
    size_t partlen, const char *sig, size_t siglen, const char *micalg,
    struct buf *out, struct clerk_err *err)
{
	struct buf m = BUF_INIT;
	int rc = -1;

	if (compose_header(h, &m, err) == -1 ||
	    compose_signed_entity(h->message_id, part, partlen, sig, siglen,
	    micalg, &m, err) == -1)
		goto out;
	buf_append(out, m.data, m.len);
	rc = 0;
out:
	buf_free(&m);
	return rc;
}

int
compose_encrypted_entity(const char *boundary_seed, const char *cipher,
    size_t cipherlen, struct buf *out, struct clerk_err *err)
{
	char b[64];

	if (!seven_bit_lines(cipher, cipherlen) ||
	    !has(cipher, cipherlen, "-----BEGIN PGP MESSAGE-----") ||
	    !has(cipher, cipherlen, "-----END PGP MESSAGE-----")) {
		err_set(err, ERR_FINAL, "the ciphertext is not an armored OpenPGP "
		    "message");
		return -1;
	}
	boundary(boundary_seed, "encrypted", b, sizeof(b));
	if (boundary_clash(cipher, cipherlen, b)) {
		err_set(err, ERR_FINAL, "boundary %s occurs in the content", b);
		return -1;
	}
	buf_printf(out, "Content-Type: multipart/encrypted;\r\n"
	    " protocol=\"application/pgp-encrypted\";\r\n"
	    " boundary=\"%s\"\r\n\r\n"
	    "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n"
	    "--%s\r\n"
	    "Content-Type: application/pgp-encrypted\r\n"
	    "Content-Description: PGP/MIME version identification\r\n"
	    "\r\n"
	    "Version: 1\r\n"
	    "\r\n--%s\r\n"
	    "Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n"
	    "Content-Description: OpenPGP encrypted message\r\n"
	    "Content-Disposition: inline; filename=\"encrypted.asc\"\r\n"
	    "\r\n", b, b, b);
	append_crlf(out, cipher, cipherlen);
	buf_printf(out, "\r\n--%s--\r\n", b);
	return 0;
}

int
compose_encrypted(const struct notice_header *h, const char *cipher,
    size_t cipherlen, struct buf *out, struct clerk_err *err)
{
	struct buf m = BUF_INIT;
	int rc = -1;

	if (compose_header(h, &m, err) == -1 ||
	    compose_encrypted_entity(h->message_id, cipher, cipherlen, &m,
	    err) == -1)
		goto out;
	buf_append(out, m.data, m.len);
	rc = 0;
out:
	buf_free(&m);
	return rc;
}

int
compose_unsigned(const struct notice_header *h, const char *entity,
    size_t len, struct buf *out, struct clerk_err *err)
{
	struct buf m = BUF_INIT;
	int rc = -1;

	if (len < 2 || !seven_bit_crlf(entity, len) ||
	    entity[len - 1] != '\n') {
		err_set(err, ERR_FINAL, "the entity is not 7-bit CRLF text");
		goto out;
	}
	if (compose_header(h, &m, err) == -1)
		goto out;
	buf_append(out, m.data, m.len);
	buf_append(out, entity, len);
	rc = 0;
out:
	buf_free(&m);
	return rc;
}
