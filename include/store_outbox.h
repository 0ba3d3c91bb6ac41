/* More of the store's outbox (daemon/store_outbox.c): what the daemon's
 * wait, the tests and clerkctl need beyond store.h's queue functions. */
#ifndef CLERK_STORE_OUTBOX_H
#define CLERK_STORE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

/* The earliest next attempt of a queued or held row (local ISO time), or
 * NULL when there is none: how long the daemon may sleep. Caller frees. */
int store_outbox_next_due(struct store *st, char **when, struct clerk_err *err);

/* One row as it stands, without its bytes. */
struct store_outbox_status {
	int64_t			 id;
	char			*case_ref;	/* owned, may be NULL */
	char			*recipient;	/* owned */
	char			*kind;		/* owned: template name */
	char			*queued;	/* owned */
	char			*next_attempt;	/* owned */
	char			*sent;		/* owned, NULL until sent */
	char			*reply;		/* owned: the server's last reply, or NULL */
	char			*error;		/* owned: why not sent (yet), or NULL */
	int			 attempts;
	enum outbox_state	 state;
};

/* The row of `message_id` (without <>) to `recipient` (NULL: the first row
 * of that Message-ID); *found = 0 when there is none. */
int store_outbox_status(struct store *st, const char *message_id, const char *recipient,
    struct store_outbox_status *out, int *found, struct clerk_err *err);
void store_outbox_status_clear(struct store_outbox_status *s);

/* The stored bytes of that row, whatever its state (*bytes owned by the
 * caller, NUL-terminated; NULL with *len 0 when there is no such row). */
int store_outbox_bytes(struct store *st, const char *message_id, const char *recipient,
    void **bytes, size_t *len, struct clerk_err *err);

/* Rows by state: *count of all rows in `state`. */
int store_outbox_count_state(struct store *st, enum outbox_state state, int *count,
    struct clerk_err *err);

/* ---- held notices: composed, not yet signed (notice.h) ---- */

struct store_outbox_held {
	struct store_outbox	 row;		/* bytes: the outer header, then the
						 * entity to sign, unsigned */
	size_t			 entity_at;	/* where the entity starts in bytes */
	char			*encrypt_to;	/* owned: fingerprint, or NULL */
	int			 confidential;	/* leaves only encrypted */
};

/* Stores a held row (state OUTBOX_HELD, next attempt `at`); row.id,
 * attempts and state are not read. */
int store_outbox_hold(struct store *st, const struct store_outbox_held *h, const char *at,
    struct clerk_err *err);
/* The first held row after id `after` whose next attempt is due at `now`
 * (now NULL: any held row); *found = 0 when there is none. */
int store_outbox_next_held(struct store *st, const char *now, int64_t after,
    struct store_outbox_held *h, int *found, struct clerk_err *err);
void store_outbox_held_clear(struct store_outbox_held *h);
/* A held row, signed now: queued with its final bytes, due at `at`.
 * Fails when the row is not (or no longer) held. A failed attempt is
 * store_outbox_retry(), which serves held rows as it does queued ones. */
int store_outbox_release(struct store *st, int64_t id, const void *bytes, size_t len,
    const char *at, struct clerk_err *err);

const char *outbox_state_name(enum outbox_state state);	/* "queued", "sent", ... */

#endif
