/* Composition of a notice: the exact bytes of a 7-bit, CRLF mail, signed
 * (RFC 3156 multipart/signed) and optionally encrypted (multipart/encrypted).
 * Pure: no clock, no randomness, no crypto. The caller supplies the local
 * date-time and UTC offset, the Message-ID, and the OpenPGP output; the
 * same inputs always give the same bytes (MIME boundaries are derived from
 * the Message-ID).
 *
 * The signing path:
 *	compose_entity(body, atts, n, msgid, &part, &err);      step A
 *	openpgp_sign_detached(pgp, fpr, part.data, part.len, &sig, micalg, &err);
 *	compose_signed(&hdr, part.data, part.len, sig.data, sig.len, micalg,
 *	    &mail, &err);                                       step B
 * Signed and encrypted (RFC 3156 section 6.1, sign then encrypt):
 *	compose_signed_entity(msgid, part..., sig..., micalg, &inner, &err);
 *	openpgp_encrypt(pgp, fprs, n, inner.data, inner.len, &cipher, &err);
 *	compose_encrypted(&hdr, cipher.data, cipher.len, &mail, &err);
 * (openpgp_sign_encrypt of the step-A part, section 6.2, fits
 * compose_encrypted just as well.) */
#ifndef CLERK_COMPOSE_H
#define CLERK_COMPOSE_H

#include <stddef.h>

#include "buf.h"
#include "calendar.h"
#include "error.h"

enum auto_submitted {
	AUTO_REPLIED,		/* an answer to a mail */
	AUTO_GENERATED,		/* reminders, deadlines, digests */
};

/* The outer header of a notice. All strings are borrowed. */
struct notice_header {
	const char		*from_name;	/* association, UTF-8; may be NULL */
	const char		*from_addr;
	const char		*to_name;	/* recipient, UTF-8; may be NULL */
	const char		*to_addr;
	const char		*reply_to_name;	/* NULL: from_name */
	const char		*reply_to_addr;	/* NULL: from_addr */
	const char		*case_ref;	/* "FGT-2026-0042"; NULL: none
						 * (a digest) */
	const char		*ref_token;	/* NULL, or a confirmation token:
						 * "[FGT-2026-0042/TOKEN]" */
	const char		*subject;	/* rendered subject, UTF-8 */
	struct cal_datetime	 date;		/* local time of the association */
	int			 utc_offset;	/* minutes east of UTC at `date` */
	const char		*message_id;	/* "<id@host>"; brackets optional */
	const char		*in_reply_to;	/* NULL or message ids */
	const char		*references;	/* NULL or message ids */
	enum auto_submitted	 auto_submitted;
};

/* A file attached to a notice (the association's public key, an invoice). */
struct attachment {
	const char	*content_type;	/* "application/pgp-keys" */
	const char	*filename;	/* UTF-8; may be NULL */
	const void	*data;
	size_t		 len;
};

/* Step A: the MIME entity that is signed: Content-Type and
 * Content-Transfer-Encoding headers, a blank line and the body, CRLF
 * throughout, ending with CRLF. Without attachments it is the text/plain;
 * charset=utf-8 quoted-printable part; with them a multipart/mixed of that
 * part and each attachment in base64. `body` is UTF-8 (LF or CRLF line
 * ends); `boundary_seed` is the notice's Message-ID. Appends to `out`. */
int compose_entity(const char *body, const struct attachment *atts,
    size_t natts, const char *boundary_seed, struct buf *out,
    struct clerk_err *err);

/* The multipart/signed entity (its Content-Type header and body, no mail
 * header): `part` as the first part byte for byte, then the detached
 * armored signature (LF or CRLF) as application/pgp-signature. `micalg` is
 * "pgp-" and a hash name, e.g. "pgp-sha256". */
int compose_signed_entity(const char *boundary_seed, const char *part,
    size_t partlen, const char *sig, size_t siglen, const char *micalg,
    struct buf *out, struct clerk_err *err);
/* Step B: the complete signed mail, outer header and the entity above. */
int compose_signed(const struct notice_header *h, const char *part,
    size_t partlen, const char *sig, size_t siglen, const char *micalg,
    struct buf *out, struct clerk_err *err);
/* The multipart/encrypted entity (no mail header): the "Version: 1"
 * control part and the armored ciphertext (LF or CRLF) as
 * application/octet-stream. */
int compose_encrypted_entity(const char *boundary_seed, const char *cipher,
    size_t cipherlen, struct buf *out, struct clerk_err *err);
/* The complete multipart/encrypted mail: outer header and the entity above. */
int compose_encrypted(const struct notice_header *h, const char *cipher,
    size_t cipherlen, struct buf *out, struct clerk_err *err);
/* An unsigned mail: the outer header and a step-A entity. Notices are
 * always signed; this is for tests and for an alarm sent when signing
 * itself is broken. */
int compose_unsigned(const struct notice_header *h, const char *entity,
    size_t len, struct buf *out, struct clerk_err *err);

/* The outer header alone, ending with "MIME-Version: 1.0\r\n" (the
 * Content-Type follows). In-Reply-To and References keep only the ids that
 * are well formed (they come from other people's mail) and are left out
 * when none is. */
int compose_header(const struct notice_header *h, struct buf *out,
    struct clerk_err *err);

#endif
