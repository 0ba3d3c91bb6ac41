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
	const struct mail *body;	/* inner or outer: text and attachments */
	int		 encrypted;	/* arrived encrypted */
	struct pgp_decrypt_info dec;
	struct pgp_signature_info sig;	/* UNSIGNED when no signature */
	char		*text;		/* owned: the text forms are read from */
	struct form	*form;		/* owned; name NULL when there is none */
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

/* The text of a clearsigned block without its armor, with dash-escaping
 * undone (RFC 4880 7.1); a new string. Pure. */
char *reading_clearsigned_text(const char *text);

#endif
