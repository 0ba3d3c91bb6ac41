/* What clerkd and clerkctl load once at start and then only read: the
 * OpenPGP context, the form labels, the notice templates, and the
 * workflows checked against the association's profile. Loading lists
 * every problem in the data as "file:line: message" lines. */
#ifndef CLERK_RUNTIME_H
#define CLERK_RUNTIME_H

#include "buf.h"
#include "config.h"
#include "error.h"
#include "forms.h"
#include "mail.h"
#include "openpgp.h"
#include "template.h"
#include "workflow.h"

struct runtime {
	struct openpgp		*pgp;	/* owned */
	struct forms_table	*forms;	/* owned */
	struct template_set	*tpl;	/* owned */
	struct wf_set		*wf;	/* owned */
	struct buf		 public_key; /* owned: the association's, armored
					 * (loaded with the OpenPGP context) */
	struct mail_limits	 limits;
};

/* The languages every notice exists in. */
extern const char *const runtime_languages[];
/* The profile keys clerk's own code puts into notices (the account and
 * the currency of invoices), besides those the workflows name. */
extern const char *const runtime_notice_keys[];

/* What a run needs besides the data. */
enum runtime_needs {
	RUNTIME_DATA = 0,	/* workflows, profile, templates, forms only */
	RUNTIME_READ = 1,	/* and the GnuPG home, to read mail */
	RUNTIME_SEND = 3,	/* and the association's key, to send notices */
};

/* Loads the data and what `needs` asks for. On failure `diag` (may be
 * NULL) holds every problem found, err the first. */
int runtime_load(const struct config *cfg, enum runtime_needs needs, struct runtime *rt,
    struct buf *diag, struct clerk_err *err);
/* The same with an OpenPGP handle opened already (clerkd's signer process,
 * signer.h), which the runtime then owns, also on failure. */
int runtime_load_with(const struct config *cfg, enum runtime_needs needs, struct openpgp *pgp,
    struct runtime *rt, struct buf *diag, struct clerk_err *err);
void runtime_free(struct runtime *rt);

#endif
