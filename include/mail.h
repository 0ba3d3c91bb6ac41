/* The mail model: one received mail (or a decrypted MIME plaintext) turned
 * from raw bytes into the facts the rest of clerk needs: addresses and
 * threading headers, readable UTF-8 text, attachments with their digests,
 * and the OpenPGP structure (which bytes are signed, which are encrypted).
 *
 * Parsing is pure (no I/O, no clock) and built on libetpan's mailmime_parse.
 * A `struct mail` is self-contained: every string and byte range in it is a
 * copy owned by the mail, so the raw buffer may be freed after mail_parse.
 * Offsets into the raw buffer are given where the original position matters.
 *
 * libetpan 1.9.4 has a known heap overflow on some malformed input (see
 * shared TECH.md): untrusted mail goes through mail_parse_isolated(), which
 * tries the parse in a child process first and reports a crash as an error
 * that tells the caller to quarantine the mail. */
#ifndef CLERK_MAIL_H
#define CLERK_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct mail_limits {
	size_t		max_size;	/* whole raw mail, bytes */
	size_t		max_parts;	/* MIME entities in the whole tree */
	size_t		max_depth;	/* nesting of multiparts and messages */
	size_t		max_header_bytes; /* one header block (top or part) */
	unsigned	max_seconds;	/* mail_parse_isolated: child's time */
};

/* 50 MiB, 1000 parts, depth 32, 256 KiB of header, 10 s. */
void mail_limits_default(struct mail_limits *lim);

/* A byte string owned by the mail; a NUL follows the `len` bytes so that
 * text can be used as a C string, but the bytes may contain NULs. */
struct mail_bytes {
	char	*data;	/* owned; NULL when empty */
	size_t	 len;
};

struct mail_addr {
	char	*addr;	/* owned; addr-spec in lower case; NULL if none usable */
	char	*name;	/* owned; display name decoded to UTF-8; "" if none */
};

struct mail_addr_list {
	struct mail_addr	*v;	/* owned */
	size_t			 n;
};

/* One header field of the top-level header block, in order of appearance. */
struct mail_field {
	char	*name;	/* owned; as written (case kept) */
	char	*value;	/* owned; raw bytes, unfolded (CR LF removed), trimmed */
};

struct mail_attachment {
	char		*filename;	/* owned; UTF-8, "" when none given.
					 * Untrusted: may hold '/' or "..". */
	char		*content_type;	/* owned; lower-case "type/subtype" */
	char		*disposition;	/* owned; "attachment", "inline" or "" */
	char		*content_id;	/* owned; without <>, NULL if none */
	char		*charset;	/* owned; lower-case, NULL if none */
	struct mail_bytes data;		/* decoded content (base64/QP undone);
					 * data.len is the size */
	char		 sha256[65];	/* lower-case hex of data */
	const char	*magic_type;	/* static: type seen in the first bytes
					 * ("application/pdf", "image/jpeg",
					 * "image/png", "image/gif",
					 * "application/zip") or NULL */
	int		 pgp_keys;	/* application/pgp-keys */
	char		*text;		/* owned; text/plain only: the content
					 * in UTF-8 with LF line ends, else NULL */
	size_t		 offset;	/* of the part (headers) in the raw mail */
};

enum mail_pgp_kind {
	MAIL_PGP_NONE = 0,
	MAIL_PGP_MIME_SIGNED,		/* RFC 3156 multipart/signed */
	MAIL_PGP_MIME_ENCRYPTED,	/* RFC 3156 multipart/encrypted */
	MAIL_PGP_INLINE_SIGNED,		/* clearsigned text body */
	MAIL_PGP_INLINE_ENCRYPTED,	/* armored message in a text body */
};

struct mail_pgp {
	enum mail_pgp_kind kind;
	/* MIME_SIGNED: the exact bytes of the first part of multipart/signed
	 * (its headers and body, without the CRLF before the boundary), as
	 * transmitted. A CRLF mail verifies with them unchanged; a mail
	 * stored with bare LF needs LF -> CRLF first (RFC 3156 section 5),
	 * never the other way round.
	 * INLINE_SIGNED: the whole clearsigned block from "-----BEGIN PGP
	 * SIGNED MESSAGE-----" to the end of the "-----END PGP SIGNATURE-----"
	 * line, transfer-decoded but in the part's own charset (`charset`). */
	struct mail_bytes signed_data;
	size_t		  signed_offset; /* MIME_SIGNED: where signed_data
					  * starts in the raw mail */
	/* MIME_SIGNED: the decoded application/pgp-signature part. */
	struct mail_bytes signature;
	char		 *micalg;	/* owned; MIME_SIGNED: lower-case, or NULL */
	/* MIME_ENCRYPTED: the decoded application/octet-stream payload.
	 * INLINE_ENCRYPTED: the armored block from "-----BEGIN PGP
	 * MESSAGE-----" to the end of the "-----END PGP MESSAGE-----" line. */
	struct mail_bytes encrypted;
	char		 *charset;	/* owned; INLINE_*: the text part's
					 * charset (lower-case), or NULL */
	int		  wrapped;	/* found one level down: a mailing list's
					 * multipart/mixed (footer added) or an
					 * outer S/MIME signature */
	int		  mangled;	/* MIME_ENCRYPTED rebuilt from the
					 * multipart/mixed that Exchange, Hotmail
					 * or ProtonMail make of PGP/MIME */
};

struct mail {
	/* Top-level header block, raw. */
	struct mail_field	*fields;	/* owned */
	size_t			 nfields;

	/* Decoded headers; strings are NULL when the header is absent. */
	struct mail_addr	 from;		/* first mailbox of From */
	struct mail_addr_list	 to;
	struct mail_addr_list	 cc;
	struct mail_addr_list	 reply_to;
	char			*subject;	/* owned; RFC 2047 decoded UTF-8 */
	char			*message_id;	/* owned; without <> */
	char			*in_reply_to;	/* owned; first id, without <> */
	char			**references;	/* owned; ids without <> */
	size_t			 nreferences;
	char			*date_raw;	/* owned */
	int			 date_valid;	/* date_epoch was parsed */
	int64_t			 date_epoch;	/* UTC seconds since 1970 */
	char			*auto_submitted; /* owned; raw, e.g. "auto-replied" */
	char			*precedence;	/* owned; raw, e.g. "bulk" */
	char			*list_id;	/* owned; raw */
	int			 x_autoreply;	/* X-Autoreply or X-Autorespond seen */
	char			*return_path;	/* owned; lower-case addr, "" for
						 * the null sender <> */

	/* MIME summary. */
	char			*content_type;	/* owned; top, lower-case
						 * "type/subtype" */
	size_t			 nparts;	/* MIME entities counted */
	size_t			 depth;		/* deepest nesting seen */
	int			 is_report;	/* multipart/report (a bounce,
						 * a read receipt) */
	char			*report_type;	/* owned; lower-case report-type
						 * parameter, or NULL */
	char			*report_msgid;	/* owned; Message-ID of the mail
						 * the report is about (from
						 * Original-Message-ID or the
						 * returned headers), or NULL */

	/* Readable text: the body's text parts in order, UTF-8, LF line
	 * ends, never NULL ("" when the mail has none). */
	char			*text;
	int			 text_from_html; /* some text came from HTML */
	char			*text_charset;	/* owned; charset of the first
						 * text part, lower-case, or NULL */

	struct mail_attachment	*attachments;	/* owned */
	size_t			 nattachments;
	/* The text/plain attachments (forms may be sent as one). */
	const struct mail_attachment **text_attachments; /* owned array of
						 * pointers into attachments */
	size_t			 ntext_attachments;

	struct mail_pgp		 pgp;

	/* Size and digest of the raw mail as given to mail_parse. */
	size_t			 raw_size;
	char			 raw_sha256[65];

	/* What was odd but survived (unknown charset read as windows-1252,
	 * a header block that libetpan cut short...), for the secretary. */
	char			**notes;	/* owned */
	size_t			 nnotes;
};

/* Parses `len` bytes of `raw` (a whole RFC 5322 mail; a leading mbox "From "
 * line is skipped). A decrypted plaintext works too: a MIME entity with
 * only Content-* headers, or plain text without any header. A first block
 * of "Label: value" lines counts as a header only if it names a real mail
 * header (From, Subject, Content-Type, Received, ...), so a form at the top
 * of a decrypted inline message stays text (and gets a note).
 * On success *out holds a new mail that the caller frees with mail_free.
 * Fails (temporary = 0) when a limit is exceeded or libetpan cannot build
 * a tree; a mail that merely looks odd parses, with notes. `lim` NULL means
 * defaults. Runs libetpan in this process: only for input that already
 * passed mail_parse_isolated, or that clerk produced itself. */
int mail_parse(const char *raw, size_t len, const struct mail_limits *lim,
    struct mail **out, struct clerk_err *err);

/* As mail_parse, but first runs the parse in a worker process (forked on
 * first use, reused, daemon/mime_isolate.c) under an alarm of
 * lim->max_seconds. If the worker is killed by a signal, exits (AddressSanitizer
 * aborts that way) or runs out of time, returns -1 with temporary = 0 and
 * a message that starts "MIME parser crashed" or "MIME parser timed out":
 * the mail must be quarantined (the next call starts a new worker). Only
 * when the worker finished is the mail parsed again here. The worker's
 * stdio is /dev/null and it holds no other descriptor. The caller must not
 * reap children it did not start (waitpid(-1)) and should not run other
 * threads (fork). A failure to fork is temporary. */
int mail_parse_isolated(const char *raw, size_t len,
    const struct mail_limits *lim, struct mail **out, struct clerk_err *err);

void mail_free(struct mail *m);

/* The raw (unfolded) value of the first top-level header called `name`
 * (case-insensitive), or NULL. */
const char *mail_header(const struct mail *m, const char *name);
/* The same for the n-th (from 0) such header, for repeated fields. */
const char *mail_header_nth(const struct mail *m, const char *name, size_t n);

/* RFC 2047 decoding of a header value to UTF-8 (adjacent encoded words
 * joined before charset conversion; raw 8-bit text kept when it is UTF-8,
 * else read as windows-1252). Returns a new string. */
char *mail_decode_header(const char *value, size_t len);

/* Text written in `charset` (NULL or unknown: UTF-8 where valid, else
 * windows-1252) as UTF-8 with LF line ends; a new string. Uses iconv
 * only, never the MIME parser: safe on any bytes. */
char *mail_text_to_utf8(const char *charset, const char *data, size_t len);

/* Readable names, for logs and `clerkctl inspect`. */
const char *mail_pgp_kind_name(enum mail_pgp_kind kind);

#endif
