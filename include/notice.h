/* Notices: the signed mails clerk sends. notice_queue() renders a template
 * in the recipient's language, composes the mail, signs it with the
 * association key (PGP/MIME), encrypts it when clerk holds the recipient's
 * key, and stores the final bytes as an outbox row, inside the caller's
 * store transaction (the one that holds the state change causing it).
 * Sending is outbox.c's job, later and separately. */
#ifndef CLERK_NOTICE_H
#define CLERK_NOTICE_H

#include "clock.h"
#include "config.h"
#include "error.h"
#include "openpgp.h"
#include "store.h"
#include "template.h"
#include "tvars.h"

struct notice_ctx {
	const struct config		*cfg;	/* foreign */
	struct openpgp			*pgp;	/* foreign: the association home */
	const struct template_set	*tpl;	/* foreign */
	struct store			*st;	/* foreign: in a transaction */
	/* The association's armored public key, for attach_public_key; the
	 * caller exports it once (NULL: a notice that asks for it fails). */
	const char			*public_key;	/* foreign */
	size_t				 public_key_len;
};

enum notice_kind {
	NOTICE_ANSWER,		/* Auto-Submitted: auto-replied */
	NOTICE_GENERATED,	/* reminders, digests: auto-generated */
};

struct notice_req {
	const char		*case_ref;	/* [FGT-2026-0042] in the subject; may be NULL */
	const char		*ref_token;	/* with case_ref: a confirmation token,
						 * [FGT-2026-0042/TOKEN]; NULL */
	const char		*template;	/* notice name */
	const char		*to;		/* recipient address */
	const char		*to_name;	/* display name, may be NULL */
	const char		*lang;		/* preferred language, may be NULL */
	const struct tvars	*vars;		/* the template's variables */
	enum notice_kind	 kind;
	const char		*in_reply_to;	/* Message-ID answered (without <>), or NULL */
	const char *const	*references;	/* NULL-terminated, may be NULL */
	const char		*encrypt_to;	/* recipient key fingerprint, or NULL */
	int			 confidential;	/* leaves only encrypted (complaints) */
	int			 attach_public_key; /* attach the association key */
};

/* Queues one notice. *message_id (may be NULL) gets the new Message-ID
 * (without <>; caller frees). A notice that cannot be signed is stored
 * HELD and a digest item tells the secretary; it is never sent unsigned.
 * Loop prevention: beyond [limits] auto_replies_per_day answers to one
 * address in a day, the notice is not queued and an event says so.
 *
 * Returns 0 also when the notice was held or suppressed (then
 * *message_id is NULL for a suppressed one); -1 for a template or
 * composition error, a confidential notice without the recipient's key
 * (both permanent) or a store failure. The language is req->lang when
 * the templates have it, else the association's. The Message-ID is random
 * (getrandom) at the association's domain; Date is `now` in the
 * association's time zone (the process TZ). With encrypt_to naming a key
 * in the home the mail is signed, then encrypted to it (RFC 3156 6.1); a
 * key that is missing or cannot encrypt gives a signed mail (event
 * "notice-unencrypted"), except for a confidential notice: that fails and
 * the caller sends the "how to send securely" notice
 * (complaint_not_encrypted) instead; notice_can_encrypt() tells
 * beforehand. A notice to the association's own address is suppressed.
 * Events: "notice-queued" (template= to= lang= message-id= encrypted=),
 * "notice-held", "notice-suppressed", "notice-unencrypted". */
int notice_queue(const struct notice_ctx *nx, const struct notice_req *req,
    const struct clock_now *now, char **message_id, struct clerk_err *err);

/* Held notices (signing failed when they were written): each one due at
 * `now` (all: every held one, whatever its next attempt) is signed with
 * the association key now, encrypted to the key recorded when it was
 * held, and queued with the same Message-ID, Date and body; event
 * "notice-released" and a digest item for the secretary. When signing
 * still fails the row waits for its next attempt (the outbox backoff) and
 * the failure is logged, not reported again. A confidential notice that
 * can no longer be encrypted fails for good ("notice-failed", digest).
 * One store transaction per row (nx->st must not be in one). */
enum notice_release_outcome {
	NOTICE_RELEASED,
	NOTICE_STILL_HELD,
	NOTICE_RELEASE_FAILED,
};

struct notice_release_stats {
	int	released, still_held, failed;
};

int notice_release_held(const struct notice_ctx *nx, const struct clock_now *now, int all,
    struct notice_release_stats *stats, struct clerk_err *err);

/* 1 when a notice to `fpr` can go encrypted (its public key is in the
 * association's home), 0 when not (also for a malformed fingerprint), -1
 * when GnuPG cannot say. */
int notice_can_encrypt(const struct notice_ctx *nx, const char *fpr, struct clerk_err *err);

#endif
