/* Understanding a mail: reading it (parse, decrypt, verify, form) and
 * classifying it, with the facts only the edges know: which officer an
 * address belongs to, which key is pinned for a member, which case a
 * reply names. Used by the daemon's intake and by `clerkctl inspect`. */
#ifndef CLERK_UNDERSTAND_H
#define CLERK_UNDERSTAND_H

#include "classify.h"
#include "config.h"
#include "forms.h"
#include "openpgp.h"
#include "reading.h"
#include "store.h"
#include "workflow.h"

struct understand_ctx {
	const struct config	*cfg;		/* foreign */
	const struct wf_set	*wf;		/* foreign: which commands are offered */
	struct openpgp		*pgp;		/* foreign */
	const struct forms_table *forms;	/* foreign */
	struct store		*st;		/* foreign; NULL: no case lookups */
	const struct mail_limits *limits;	/* foreign */
};

struct understanding {
	struct reading		 r;
	struct classification	 cls;
	const struct config_officer *officer;	/* From is this officer, or NULL */
	char			 pinned[41];	/* the key pinned for the sender, or "" */
	int			 signer_is_sender;
	char			 case_ref[32];	/* the case this mail belongs to, or "" */
	char			 token[48];	/* the confirmation token in the subject's
						 * reference to that case, or "" */
};

int understand_mail(const struct understand_ctx *ux, const char *raw, size_t len,
    struct understanding *u, struct clerk_err *err);
void understanding_free(struct understanding *u);

#endif
