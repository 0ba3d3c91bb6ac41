/* More of the store (daemon/store_digest.c): what officer commands, the
 * digest and clerkctl's lists read, and savepoints so that one command of
 * a mail can fail without undoing the others. Every list is read whole
 * into an array the caller frees, so the caller may write while going
 * through it; the _each functions hand over one row at a time instead. */
#ifndef CLERK_STORE_DIGEST_H
#define CLERK_STORE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

/* ---- savepoints: inside a transaction (store_begin), never nested ---- */

int store_savepoint(struct store *st, struct clerk_err *err);
int store_savepoint_release(struct store *st, struct clerk_err *err);
/* Undoes everything since store_savepoint and ends the savepoint. */
int store_savepoint_rollback(struct store *st, struct clerk_err *err);

/* ---- cases ---- */

struct store_case_row {
	int64_t		 id;
	char		*ref;		/* owned */
	char		*workflow;	/* owned */
	char		*state;		/* owned */
	char		*email;		/* owned */
	char		*name;		/* owned: the case variable `name`, or NULL */
	char		*opened;	/* owned */
	char		*closed;	/* owned, NULL while open */
	long long	 owed;		/* the case variable `owed` (minor units), or 0 */
};

struct store_case_rows {
	struct store_case_row	*v;	/* owned */
	size_t			 n, cap;
};

enum store_cases_which {
	STORE_CASES_OPEN,		/* open cases, oldest first */
	STORE_CASES_ALL,		/* every case, oldest first */
	STORE_CASES_OPENED_AFTER,	/* opened after `since` (any state) */
	STORE_CASES_OWING,		/* open cases whose `owed` is above 0 */
	STORE_CASES_BY_REF,		/* the case whose ref is `since` */
	STORE_CASES_OF_EMAIL,		/* the cases of the address `since` */
};

int store_cases_list(struct store *st, enum store_cases_which which, const char *since,
    struct store_case_rows *out, struct clerk_err *err);
void store_case_rows_free(struct store_case_rows *r);
/* The same rows one at a time, never all in memory (the digest at
 * 100,000 members): `fn` returning nonzero stops with -1. `fn` may read
 * the store but not write it. */
int store_cases_each(struct store *st, enum store_cases_which which, const char *since,
    int (*fn)(void *arg, const struct store_case_row *c, struct clerk_err *err), void *arg,
    struct clerk_err *err);

/* A workflow's cases counted by the year they were opened and their
 * state: every open case, and the closed ones opened since `since` (an
 * ISO date). Ordered by year, then state. */
struct store_summary_row {
	int		 year;
	char		*state;		/* owned */
	long long	 count;
};

struct store_summary_rows {
	struct store_summary_row	*v;	/* owned */
	size_t				 n, cap;
};

int store_case_summary(struct store *st, const char *workflow, const char *since,
    struct store_summary_rows *out, struct clerk_err *err);
void store_summary_rows_free(struct store_summary_rows *r);

/* ---- deadlines: the deadline timers (not reminders or escalations) of
 * open cases, earliest first ---- */

struct store_deadline_row {
	char	*ref;		/* owned */
	char	*workflow;	/* owned */
	char	*state;		/* owned: the case's state */
	char	*email;		/* owned */
	char	*name;		/* owned: the case variable `name`, or NULL */
	char	*timer;		/* owned: the deadline's name */
	char	*due;		/* owned: when its timer fires */
	char	*spec;		/* owned: the whole timer (wf_timer_from_text) */
	int	 fired;
};

struct store_deadline_rows {
	struct store_deadline_row	*v;	/* owned */
	size_t				 n, cap;
};

/* `until` (local ISO time, or NULL: all): only timers due by then. */
int store_deadlines_list(struct store *st, const char *until, struct store_deadline_rows *out,
    struct clerk_err *err);
void store_deadline_rows_free(struct store_deadline_rows *r);
/* One at a time, as store_cases_each. */
int store_deadlines_each(struct store *st, const char *until,
    int (*fn)(void *arg, const struct store_deadline_row *d, struct clerk_err *err), void *arg,
    struct clerk_err *err);

/* ---- mails ---- */

struct store_mail_row {
	int64_t	 id;
	char	*at;		/* owned: received, or the event's time */
	char	*from_addr;	/* owned, may be NULL */
	char	*subject;	/* owned, may be NULL */
	char	*kind;		/* owned, may be NULL */
	char	*note;		/* owned, may be NULL: why quarantined */
	char	*case_ref;	/* owned, may be NULL */
	char	*detail;	/* owned, may be NULL: the event's detail */
	int	 state;		/* enum mail_state */
	int	 discarded;	/* an operator discarded it from the quarantine */
};

struct store_mail_rows {
	struct store_mail_row	*v;	/* owned */
	size_t			 n, cap;
};

/* Quarantined mails nobody discarded, oldest first. */
int store_quarantine_list(struct store *st, struct store_mail_rows *out,
    struct clerk_err *err);
/* One mail; *found 0 when there is none. */
int store_mail_row_get(struct store *st, int64_t id, struct store_mail_row *out, int *found,
    struct clerk_err *err);
/* Mails received after `since` whose signature was bad, by an unknown or
 * expired or revoked key, or unreadable (the "mail" events apply writes),
 * except command mails (those are refused and reported on their own). */
int store_signature_problems(struct store *st, const char *since, struct store_mail_rows *out,
    struct clerk_err *err);
/* A quarantined mail, read again: kind, sender, subject and signature of
 * `m` replace the old reading, the state is applied until the caller sets
 * the outcome, and its attachments are dropped (the caller stores the
 * new reading's). Fails when the mail is not quarantined. */
int store_mail_reread(struct store *st, int64_t mail_id, const struct store_mail *m,
    struct clerk_err *err);
void store_mail_row_clear(struct store_mail_row *r);
void store_mail_rows_free(struct store_mail_rows *r);

/* ---- the outbox, without bytes ---- */

struct store_outbox_row {
	int64_t	 id;
	char	*case_ref;	/* owned, may be NULL */
	char	*message_id;	/* owned */
	char	*recipient;	/* owned */
	char	*kind;		/* owned: template name */
	char	*queued;	/* owned */
	char	*next_attempt;	/* owned: for a failed row, its last attempt */
	char	*sent;		/* owned, may be NULL */
	char	*error;		/* owned, may be NULL */
	int	 state;		/* enum outbox_state */
	int	 attempts;
};

struct store_outbox_rows {
	struct store_outbox_row	*v;	/* owned */
	size_t			 n, cap;
};

/* Rows in `state` (-1: every state) whose last attempt is after `since`
 * (NULL: any), oldest first. */
int store_outbox_list(struct store *st, int state, const char *since,
    struct store_outbox_rows *out, struct clerk_err *err);
void store_outbox_rows_free(struct store_outbox_rows *r);

/* ---- members ---- */

struct store_member_rows {
	struct store_member	*v;	/* owned */
	size_t			 n, cap;
};

int store_members_list(struct store *st, struct store_member_rows *out, struct clerk_err *err);
void store_member_rows_free(struct store_member_rows *r);

/* ---- digest items ---- */

struct store_item_row {
	int64_t	 id;
	char	*at;		/* owned */
	char	*case_ref;	/* owned, may be NULL */
	char	*kind;		/* owned */
	char	*role;		/* owned */
	char	*text;		/* owned */
};

struct store_item_rows {
	struct store_item_row	*v;	/* owned */
	size_t			 n, cap;
};

enum store_items_which {
	STORE_ITEMS_UNSENT,		/* every role's unsent items, oldest first */
	/* decision_needed items (reported or not) whose case is open and has
	 * not changed state since: still waiting */
	STORE_ITEMS_STILL_WAITING,
};

int store_digest_items(struct store *st, enum store_items_which which,
    struct store_item_rows *out, struct clerk_err *err);
void store_item_rows_free(struct store_item_rows *r);

#endif
