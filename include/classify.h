/* Classification of an inbound mail: pure. Everything it weighs arrives as
 * a value (the parsed mail, the form, the signature verdict, whether the
 * signer is a configured officer, whether a referenced case exists), so it
 * is tested without a network, a key ring or a database. */
#ifndef CLERK_CLASSIFY_H
#define CLERK_CLASSIFY_H

#include <stddef.h>

#include "mail.h"

enum mail_kind {
	KIND_FORM,	/* a new form (application, pfo, ...) */
	KIND_REPLY,	/* a reply to a running case */
	KIND_COMMAND,	/* from an officer's address with command lines */
	KIND_AUTOMATIC,	/* auto-replies, lists, bulk: recorded, never answered */
	KIND_BOUNCE,	/* a delivery report about one of our notices */
	KIND_UNKNOWN,	/* kept for the secretary */
};

/* "form", "reply", "command", "automatic", "bounce", "unknown". */
const char *mail_kind_name(enum mail_kind k);

struct classify_input {
	const struct mail	*mail;		/* the readable mail (inner one
						 * when it was encrypted) */
	const char		*form_name;	/* canonical form, or NULL */
	const char		*case_ref;	/* a reference to a case that
						 * exists, found by the caller
						 * from the subject or from
						 * In-Reply-To/References */
	const char		*officer_role;	/* From is this officer's
						 * address, or NULL */
	int			 has_command_lines; /* a line starts with a
						 * command verb */
	const char		*own_address;	/* the association's address */
};

struct classification {
	enum mail_kind	 kind;
	char		 reason[160];	/* why, for the log and the digest */
};

void classify_mail(const struct classify_input *in, struct classification *out);

/* The first case reference in square brackets in `subject`, such as
 * "[FGT-2026-0042]", into `out` (without brackets); 0 when found, -1 when
 * there is none. A reference is PREFIX-YYYY-NNNN: 2-8 capital letters, a
 * year, then 4-6 digits. */
int classify_find_ref(const char *subject, char *out, size_t n);
/* The same, and the confirmation token of a reference written
 * "[FGT-2026-0042/K7QF3M2XD9WT4HPA]" (16-40 of A-Z 0-9) into `token`
 * ("" when the reference has none). */
int classify_find_ref_token(const char *subject, char *ref, size_t n, char *token, size_t tn);

/* 1 when `text` has a line that starts with one of the NULL-terminated
 * `verbs` followed by white space or the end of the line. */
int classify_has_command_line(const char *text, const char *const *verbs);

/* 1 when the mail declares itself automatic (RFC 3834 Auto-Submitted other
 * than "no", Precedence bulk/junk/list, X-Autoreply, a List-Id, or the null
 * sender), with the header that said so in `why`. */
int classify_is_automatic(const struct mail *m, char *why, size_t n);

#endif
