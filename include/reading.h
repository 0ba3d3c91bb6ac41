/* Reading a received mail the way clerk understands it: MIME parsed in a
 * contained child first, decrypted when it is encrypted to the association
 * key, its signature verified (PGP/MIME, inline, or inside the encrypted
 * part), and the form read from the signed or decrypted text (or a text
 * attachment). Shared by the daemon's intake and `clerkctl inspect`, so the
 * two can never disagree. */
#ifndef CLERK_READING_H
#define CLERK_READING_H

#include <stddef.h>

#include "error.h"
#include "forms.h"
#include "mail.h"
#include "openpgp.h"

struct reading {
	struct mail	*outer;		/* owned: the mail as received; NULL when
					 * unreadable */
	struct mail	*inner;		/* owned: the decrypted plaintext, or the
					 * PGP/MIME signed entity; NULL if none */
	struct mail	*signed_part;	/* owned: the PGP/MIME signed entity
					 * inside a decrypted mail, or NULL */
	const struct mail *body;	/* inner or outer: text and attachments */
	int		 encrypted;	/* arrived encrypted */
	struct pgp_decrypt_info dec;
	struct pgp_signature_info sig;	/* UNSIGNED when no signature */
	/* What a GOOD signature covers, and only that (NULL/0 otherwise): the
	 * text of the signed entity (PGP/MIME, also inside an encrypted
	 * mail), the text GnuPG returns for a clearsigned block, or the whole
	 * plaintext of a mail signed and encrypted in one. Commands and
	 * state-changing member forms are read from nothing else. */
	char		*covered;	/* owned: UTF-8, LF line ends */
	const struct mail *covered_mail; /* the covered MIME entity (its
					 * attachments are covered too), or NULL
					 * for a clearsigned block */
	int		 outside;	/* the mail also holds text the signature
					 * does not cover (ignored for commands
					 * and member forms; receipts say so) */
	char		 sig_id[65];	/* a GOOD signature's identity (signer,
					 * creation time, covered content), the
					 * same however the mail is re-sent; "" */
	char		*text;		/* owned: the text the form was read from,
					 * else the covered text, else the body */
	struct form	*form;		/* owned; name NULL when there is none */
	int		 form_covered;	/* the form is in what the GOOD signature
					 * covers */
	struct pgp_strings imported;	/* owned: keys imported from the mail */
	char		 problem[512];	/* why the mail cannot be read, or "" */
};

/* `import_keys`: import public keys attached to the mail (never one with a
 * secret part) before verifying: used for applicants whose key arrives
 * with their first mail. Returns 0 with r->problem set for a mail that
 * cannot be read (crashing MIME, limits); -1 only for an operational
 * failure (GnuPG unavailable), with err->temporary telling whether to retry. */
int reading_open(struct openpgp *pgp, const struct forms_table *forms,
    const struct mail_limits *lim, const char *raw, size_t len, int import_keys,
    struct reading *r, struct clerk_err *err);
void reading_free(struct reading *r);

/* ---- pure, for the above and its tests ---- */

/* 1 when `whole` holds non-blank text besides one copy of `part`. */
int reading_text_outside(const char *whole, const char *part);
/* 1 when `text` holds non-blank text outside the block that runs from a
 * line `begin` to a line `end` (armour lines stand alone at line starts). */
int reading_outside_block(const char *text, const char *begin, const char *end);
/* The identity of a signature by `fpr` made at `created` over `data`:
 * sha256 hex. Line ends, blanks at line ends and trailing empty lines do
 * not count (a cleartext signature still verifies when they change). */
void reading_signature_id(const char *fpr, long long created, const void *data, size_t len,
    char out[65]);

#endif
