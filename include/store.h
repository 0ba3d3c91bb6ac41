/* The SQLite store: the only module with SQL. WAL with synchronous=FULL,
 * BEGIN IMMEDIATE for every write transaction, migrations by
 * PRAGMA user_version. Times are ISO-8601 text in the association's local
 * time ("2027-02-01T09:00:00"), so that text order is time order.
 *
 * The seam of clerk: applying a mail or a fired timer is one transaction
 * (store_begin ... store_commit) holding the mail, the case change, the event
 * log lines and the outbox rows with their final signed bytes; only after
 * the commit comes the irreversible act (IMAP move, SMTP send). */
#ifndef CLERK_STORE_H
#define CLERK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct store;
struct store_member;

#define STORE_SCHEMA_VERSION 3

/* Opens (creating, 0600 whatever the umask) the database at `path`. */
int store_open(const char *path, struct store **out, struct clerk_err *err);
/* One clerkd per configuration: an exclusive lock on "<database>.lock",
 * held until store_daemon_unlock or the process ends (the kernel releases
 * it after a crash). Waits up to `wait_ms` for another holder, then fails
 * naming it. clerkctl does not take it: its writes are SQLite transactions
 * that wait for the daemon's (busy timeout) and never send mail. */
int store_daemon_lock(const char *database, unsigned wait_ms, int *fd, struct clerk_err *err);
/* Writes this process's pid into the held lock (after daemon()). */
int store_daemon_lock_owner(int fd, struct clerk_err *err);
void store_daemon_unlock(int fd);
void store_close(struct store *st);
int store_schema_version(struct store *st, int *version, struct clerk_err *err);

int store_begin(struct store *st, struct clerk_err *err);	/* BEGIN IMMEDIATE */
int store_commit(struct store *st, struct clerk_err *err);
void store_rollback(struct store *st);

/* Small named values: last digest date, intake positions. */
int store_meta_get(struct store *st, const char *key, char **value, struct clerk_err *err);
int store_meta_set(struct store *st, const char *key, const char *value, struct clerk_err *err);

/* ---- inbound mail ---- */

enum mail_state {
	MAIL_APPLIED,		/* its effects are committed */
	MAIL_QUARANTINED,	/* not understood: kept for the secretary */
	MAIL_AUTOMATIC,		/* automatic mail: recorded, never answered */
};

struct store_mail {
	const char	*source;	/* "imap:INBOX" or "maildir:/path" */
	int64_t		 uidvalidity;	/* 0 for Maildir */
	int64_t		 uid;		/* IMAP UID; 0 for Maildir */
	const char	*source_name;	/* Maildir file name, or NULL */
	const char	*message_id;	/* may be NULL */
	const char	*sha256;	/* hex of the raw bytes */
	const char	*received;	/* local ISO time */
	const char	*kind;		/* classification: form, reply, command, ... */
	const char	*case_ref;	/* may be NULL */
	const char	*from_addr;	/* may be NULL */
	const char	*subject;	/* may be NULL */
	const char	*note;		/* why quarantined, or NULL */
	const char	*signature;	/* verdict: unsigned, good, bad, ... (NULL: unsigned) */
	const char	*signer_fpr;	/* the signing key, or NULL */
	int		 signer_is_sender; /* the key is the sender's (pinned, or the From) */
	enum mail_state	 state;
	const void	*raw;
	size_t		 raw_len;
};

/* 1 in *known when this exact mail was stored before: by its position
 * (source, uidvalidity, uid), or by Message-ID and the sha256 of its bytes
 * (after a UIDVALIDITY change; the sha256 alone for a mail without a
 * Message-ID). *mail_id then names it, *state its state. */
int store_mail_lookup(struct store *st, const struct store_mail *m, int *known,
    int64_t *mail_id, enum mail_state *state, struct clerk_err *err);
int store_mail_insert(struct store *st, const struct store_mail *m, int64_t *mail_id,
    struct clerk_err *err);
/* What became of a stored mail: its case, state and note. */
int store_mail_set_outcome(struct store *st, int64_t mail_id, const char *case_ref,
    enum mail_state state, const char *note, struct clerk_err *err);
/* Records that the mail left the intake mailbox (IMAP move, Maildir cur/). */
int store_mail_set_moved(struct store *st, int64_t mail_id, struct clerk_err *err);
/* Mails committed but not yet moved (a crash came between), oldest first. */
int store_mail_pending_moves(struct store *st, const char *source,
    int (*fn)(void *arg, int64_t mail_id, int64_t uidvalidity, int64_t uid,
    const char *source_name, enum mail_state state), void *arg, struct clerk_err *err);
int store_mail_raw(struct store *st, int64_t mail_id, void **raw, size_t *len,
    struct clerk_err *err);

struct store_attachment {
	const char	*filename;
	const char	*content_type;
	const char	*sha256;
	const void	*data;
	size_t		 size;
};
int store_attachment_insert(struct store *st, int64_t mail_id, const struct store_attachment *a,
    struct clerk_err *err);

/* ---- the event log: append-only (triggers refuse UPDATE and DELETE) ---- */

int store_event_append(struct store *st, const char *at, const char *case_ref,
    const char *kind, const char *detail, int64_t mail_id, struct clerk_err *err);
int store_events_for_case(struct store *st, const char *case_ref,
    int (*fn)(void *arg, const char *at, const char *kind, const char *detail),
    void *arg, struct clerk_err *err);

/* ---- cases ---- */

struct store_case {
	int64_t	 id;
	char	*ref;		/* owned: FGT-2026-0042 */
	char	*workflow;	/* owned */
	char	*state;		/* owned */
	char	*email;		/* owned: the person the case is about or from */
	char	*language;	/* owned, may be NULL */
	char	*parent_ref;	/* owned, may be NULL */
	char	*opened;	/* owned */
	char	*closed;	/* owned, NULL while open */
	int64_t	 member_id;	/* 0 when none */
};

/* Allocates the next reference PREFIX-YEAR-NNNN (per prefix and year). */
int store_case_next_ref(struct store *st, const char *prefix, int year, char **ref,
    struct clerk_err *err);
int store_case_insert(struct store *st, struct store_case *c, struct clerk_err *err);
/* 0 with *found = 0 when there is no such case. */
int store_case_get(struct store *st, const char *ref, struct store_case *c, int *found,
    struct clerk_err *err);
int store_case_set_state(struct store *st, const char *ref, const char *state,
    const char *closed, struct clerk_err *err);
void store_case_clear(struct store_case *c);
int store_case_var_set(struct store *st, int64_t case_id, const char *name, const char *value,
    struct clerk_err *err);
int store_case_vars(struct store *st, int64_t case_id,
    int (*fn)(void *arg, const char *name, const char *value), void *arg, struct clerk_err *err);
int store_case_ref_by_id(struct store *st, int64_t case_id, char **ref, struct clerk_err *err);
/* Marks an unfired timer fired without its step (a step that failed). */
int store_timer_mark_fired(struct store *st, int64_t case_id, const char *name, const char *at,
    struct clerk_err *err);
/* Every member with `status` (NULL: every member), oldest first; `fn` returning nonzero stops
 * with an error (err is the callback's to fill). */
int store_members_with_status(struct store *st, const char *status,
    int (*fn)(void *arg, const struct store_member *m), void *arg, struct clerk_err *err);
/* What a person owes: the sum of the `owed` variable over their open cases. */
int store_person_owed(struct store *st, const char *email, long long *owed,
    struct clerk_err *err);
/* The non-empty values of case variable `name` over every case of the
 * person, open or closed, oldest case first, with each case's workflow
 * (the dues years, the exam date the person reported). `fn` only reads. */
int store_person_case_var(struct store *st, const char *email, const char *name,
    int (*fn)(void *arg, const char *workflow, const char *value), void *arg,
    struct clerk_err *err);
/* The person's open cases, oldest first; `fn` returns 1 to stop early. */
int store_person_open_cases(struct store *st, const char *email,
    int (*fn)(void *arg, const char *ref, const char *workflow, const char *state), void *arg,
    struct clerk_err *err);
/* The case a notice belongs to, by the notice's Message-ID. */
int store_case_by_notice(struct store *st, const char *message_id, char **ref,
    struct clerk_err *err);

/* ---- timers: the engine's deadlines, reminders and escalations ---- */

/* Adds or replaces the timer `name` (the engine's timer key) of a case.
 * `spec` is the whole timer as the engine writes it; a fired timer is kept
 * (not due again) until deleted. */
int store_timer_put(struct store *st, int64_t case_id, const char *name, const char *due,
    const char *spec, int fired, const char *at, struct clerk_err *err);
int store_timer_delete(struct store *st, int64_t case_id, const char *name,
    struct clerk_err *err);
/* Unfired timers due at or before `now`, oldest first (due, then id), at
 * most `limit`, through the partial index on unfired timers. */
int store_timers_due(struct store *st, const char *now, int limit,
    int (*fn)(void *arg, int64_t case_id, const char *name, const char *due),
    void *arg, struct clerk_err *err);
/* Every timer of a case, fired ones too. */
int store_case_timers(struct store *st, int64_t case_id,
    int (*fn)(void *arg, const char *name, const char *due, const char *spec, int fired),
    void *arg, struct clerk_err *err);
/* The earliest unfired due time, or NULL: how long the daemon may sleep. */
int store_timer_next(struct store *st, char **due, struct clerk_err *err);

/* ---- the secretary's digest ---- */

int store_digest_add(struct store *st, const char *at, const char *case_ref, const char *kind,
    const char *role, const char *text, struct clerk_err *err);
/* Unsent items for `role`, oldest first. */
int store_digest_unsent(struct store *st, const char *role,
    int (*fn)(void *arg, int64_t id, const char *at, const char *case_ref, const char *kind,
    const char *text), void *arg, struct clerk_err *err);
/* Marks the role's unsent items up to `last_id` as sent at `at`. */
int store_digest_mark_sent(struct store *st, const char *role, int64_t last_id, const char *at,
    struct clerk_err *err);

/* ---- officer commands: each command mail counts once ---- */

/* 1 in *seen when a command mail with this Message-ID was acted on. */
int store_command_seen(struct store *st, const char *message_id, int *seen,
    struct clerk_err *err);
int store_command_record(struct store *st, const char *message_id, const char *at,
    const char *officer, struct clerk_err *err);

/* ---- the outbox: final signed bytes, one row per recipient ---- */

enum outbox_state {
	OUTBOX_QUEUED,
	OUTBOX_SENT,
	OUTBOX_FAILED,
	OUTBOX_HELD,	/* could not be signed: waits, the secretary is told */
};

struct store_outbox {
	int64_t		 id;
	char		*case_ref;	/* owned, may be NULL */
	char		*message_id;	/* owned */
	char		*recipient;	/* owned */
	char		*envelope_from;	/* owned */
	char		*kind;		/* owned: template name */
	void		*bytes;		/* owned */
	size_t		 len;
	int		 attempts;
	enum outbox_state state;
};

int store_outbox_add(struct store *st, const char *case_ref, const char *message_id,
    const char *recipient, const char *envelope_from, const char *kind, const char *at,
    const void *bytes, size_t len, enum outbox_state state, int64_t *id, struct clerk_err *err);
/* The next queued row whose next attempt is due at `now`; *found = 0 if none. */
int store_outbox_next(struct store *st, const char *now, struct store_outbox *o, int *found,
    struct clerk_err *err);
int store_outbox_sent(struct store *st, int64_t id, const char *at, const char *reply,
    struct clerk_err *err);
int store_outbox_retry(struct store *st, int64_t id, const char *next_attempt, const char *error,
    struct clerk_err *err);
int store_outbox_failed(struct store *st, int64_t id, const char *error, struct clerk_err *err);
void store_outbox_clear(struct store_outbox *o);
/* How many notices went to `recipient` since `since` (loop prevention). */
int store_outbox_count_since(struct store *st, const char *recipient, const char *since,
    int *count, struct clerk_err *err);

/* ---- members ---- */

struct store_member {
	int64_t	 id;
	char	*email;		/* owned, lower case */
	char	*name;		/* owned */
	char	*language;	/* owned, may be NULL */
	char	*category;	/* owned */
	char	*status;	/* owned: applicant, active, removed, resigned, ... */
	char	*fingerprint;	/* owned: the pinned OpenPGP key, may be NULL */
};

int store_member_insert(struct store *st, struct store_member *m, const char *at,
    struct clerk_err *err);
int store_member_by_email(struct store *st, const char *email, struct store_member *m,
    int *found, struct clerk_err *err);
/* Changes status and/or category (NULL keeps it) and records the history line. */
int store_member_set_status(struct store *st, int64_t id, const char *status,
    const char *category, const char *at, const char *reason, const char *case_ref,
    struct clerk_err *err);
int store_member_pin_key(struct store *st, int64_t id, const char *fingerprint, const char *at,
    struct clerk_err *err);
void store_member_clear(struct store_member *m);

#endif
