/* The outbox queries that store.c does not have: the next due time for the
 * daemon's wait, and a row's status and bytes for tests and clerkctl. */
#include "store_outbox.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

/* Held rows count too: their next signing attempt wakes the daemon. */
static const char sql_next_due[] =
    "SELECT min(next_attempt) FROM outbox WHERE state IN (0, 3)";
static const char sql_hold[] =
    "INSERT INTO outbox(case_ref, message_id, recipient, envelope_from, kind, queued,"
    " state, next_attempt, bytes, entity_at, encrypt_to, confidential)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 3, ?6, ?7, ?8, ?9, ?10)";
/* ?1 NULL: every held row, whatever its next attempt. */
static const char sql_next_held[] =
    "SELECT id, case_ref, message_id, recipient, envelope_from, kind, bytes, attempts,"
    " state, entity_at, encrypt_to, confidential FROM outbox"
    " WHERE state = 3 AND (?1 IS NULL OR next_attempt <= ?1) AND id > ?2"
    " ORDER BY id LIMIT 1";
static const char sql_release[] =
    "UPDATE outbox SET state = 0, bytes = ?2, next_attempt = ?3, attempts = 0, error = NULL,"
    " entity_at = 0 WHERE id = ?1 AND state = 3";
static const char sql_status[] =
    "SELECT id, case_ref, recipient, kind, queued, next_attempt, sent, reply, error,"
    " attempts, state FROM outbox WHERE message_id = ?1"
    " AND (?2 IS NULL OR recipient = ?2) ORDER BY id LIMIT 1";
static const char sql_bytes[] =
    "SELECT bytes FROM outbox WHERE message_id = ?1"
    " AND (?2 IS NULL OR recipient = ?2) ORDER BY id LIMIT 1";
static const char sql_count_state[] =
    "SELECT count(*) FROM outbox WHERE state = ?1";

int
store_outbox_next_due(struct store *st, char **when, struct clerk_err *err)
{
	return store_one_text(st, store_stmt(st, sql_next_due, err), when, "outbox next due",
	    err);
}

int
store_outbox_status(struct store *st, const char *message_id, const char *recipient,
    struct store_outbox_status *out, int *found, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_status, err);
	int rc;

	*found = 0;
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, message_id);
	store_bind_text(s, 2, recipient);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = 1;
		out->id = sqlite3_column_int64(s, 0);
		out->case_ref = store_col_dup(s, 1);
		out->recipient = store_col_dup(s, 2);
		out->kind = store_col_dup(s, 3);
		out->queued = store_col_dup(s, 4);
		out->next_attempt = store_col_dup(s, 5);
		out->sent = store_col_dup(s, 6);
		out->reply = store_col_dup(s, 7);
		out->error = store_col_dup(s, 8);
		out->attempts = sqlite3_column_int(s, 9);
		out->state = (enum outbox_state)sqlite3_column_int(s, 10);
	}
	sqlite3_reset(s);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 :
	    store_db_fail(st, err, "outbox status");
}

void
store_outbox_status_clear(struct store_outbox_status *s)
{
	if (s == NULL)
		return;
	free(s->case_ref);
	free(s->recipient);
	free(s->kind);
	free(s->queued);
	free(s->next_attempt);
	free(s->sent);
	free(s->reply);
	free(s->error);
	memset(s, 0, sizeof(*s));
}

int
store_outbox_bytes(struct store *st, const char *message_id, const char *recipient,
    void **bytes, size_t *len, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_bytes, err);
	int rc;

	*bytes = NULL;
	*len = 0;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, message_id);
	store_bind_text(s, 2, recipient);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(s, 0);
		size_t n = (size_t)sqlite3_column_bytes(s, 0);
		char *copy = xmalloc(n + 1);

		if (n)
			memcpy(copy, b, n);
		copy[n] = '\0';
		*bytes = copy;
		*len = n;
	}
	sqlite3_reset(s);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 :
	    store_db_fail(st, err, "outbox bytes");
}

int
store_outbox_count_state(struct store *st, enum outbox_state state, int *count,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_count_state, err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, (int)state);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : store_db_fail(st, err, "outbox count state");
}

int
store_outbox_hold(struct store *st, const struct store_outbox_held *h, const char *at,
    struct clerk_err *err)
{
	const struct store_outbox *o = &h->row;
	sqlite3_stmt *s = store_stmt(st, sql_hold, err);

	if (s == NULL)
		return -1;
	if (h->entity_at == 0 || h->entity_at >= o->len) {
		err_set(err, ERR_FINAL, "held notice %s: its entity offset is outside the mail",
		    o->message_id);
		return -1;
	}
	store_bind_text(s, 1, o->case_ref);
	store_bind_text(s, 2, o->message_id);
	store_bind_text(s, 3, o->recipient);
	store_bind_text(s, 4, o->envelope_from);
	store_bind_text(s, 5, o->kind);
	store_bind_text(s, 6, at);
	sqlite3_bind_blob64(s, 7, o->bytes, o->len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)h->entity_at);
	store_bind_text(s, 9, h->encrypt_to);
	sqlite3_bind_int(s, 10, h->confidential);
	return store_run(st, s, "outbox hold", err);
}

int
store_outbox_next_held(struct store *st, const char *now, int64_t after,
    struct store_outbox_held *h, int *found, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_next_held, err);
	struct store_outbox *o = &h->row;
	int rc;

	*found = 0;
	memset(h, 0, sizeof(*h));
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, now);
	sqlite3_bind_int64(s, 2, after);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = 1;
		store_outbox_row_read(s, o);
		h->entity_at = (size_t)sqlite3_column_int64(s, 9);
		h->encrypt_to = store_col_dup(s, 10);
		h->confidential = sqlite3_column_int(s, 11);
	}
	sqlite3_reset(s);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 :
	    store_db_fail(st, err, "outbox next held");
}

void
store_outbox_held_clear(struct store_outbox_held *h)
{
	if (h == NULL)
		return;
	store_outbox_clear(&h->row);
	free(h->encrypt_to);
	memset(h, 0, sizeof(*h));
}

int
store_outbox_release(struct store *st, int64_t id, const void *bytes, size_t len,
    const char *at, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_release, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob64(s, 2, bytes, len, SQLITE_STATIC);
	store_bind_text(s, 3, at);
	if (store_run(st, s, "outbox release", err) != 0)
		return -1;
	if (sqlite3_changes(store_db(st)) != 1) {
		err_set(err, ERR_FINAL, "outbox row %lld is not held", (long long)id);
		return -1;
	}
	return 0;
}

const char *
outbox_state_name(enum outbox_state state)
{
	switch (state) {
	case OUTBOX_QUEUED:
		return "queued";
	case OUTBOX_SENT:
		return "sent";
	case OUTBOX_FAILED:
		return "failed";
	case OUTBOX_HELD:
		return "held";
	}
	return "unknown";
}
