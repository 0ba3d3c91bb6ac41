/* The store's queries for officer commands, the digest and clerkctl. */
#include "store_digest.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

static const char sql_savepoint[] = "SAVEPOINT clerk_command";
static const char sql_release[] = "RELEASE clerk_command";
static const char sql_rollback_to[] = "ROLLBACK TO clerk_command";

/* The case's name and owed, as the workflows keep them. */
#define CASE_COLUMNS \
    "c.id, c.ref, c.workflow, c.state, c.email, c.opened, c.closed," \
    " (SELECT value FROM case_vars WHERE case_id = c.id AND name = 'name')," \
    " coalesce((SELECT CAST(value AS INTEGER) FROM case_vars" \
    " WHERE case_id = c.id AND name = 'owed'), 0)"

static const char sql_cases_open[] =
    "SELECT " CASE_COLUMNS " FROM cases c WHERE c.closed IS NULL ORDER BY c.id";
static const char sql_cases_all[] =
    "SELECT " CASE_COLUMNS " FROM cases c ORDER BY c.id";
static const char sql_cases_after[] =
    "SELECT " CASE_COLUMNS " FROM cases c WHERE c.opened > ?1 ORDER BY c.id";
static const char sql_case_by_ref[] =
    "SELECT " CASE_COLUMNS " FROM cases c WHERE c.ref = ?1";
static const char sql_cases_of_email[] =
    "SELECT " CASE_COLUMNS " FROM cases c WHERE c.email = ?1 ORDER BY c.id";
static const char sql_cases_owing[] =
    "SELECT " CASE_COLUMNS " FROM cases c WHERE c.closed IS NULL AND"
    " coalesce((SELECT CAST(value AS INTEGER) FROM case_vars"
    " WHERE case_id = c.id AND name = 'owed'), 0) > 0 ORDER BY c.id";

/* A timer key without '/' is a deadline (wf_timer_key). */
static const char sql_deadlines[] =
    "SELECT c.ref, c.workflow, c.state, c.email,"
    " (SELECT value FROM case_vars WHERE case_id = c.id AND name = 'name'),"
    " t.name, t.due, t.spec, t.state FROM timers t JOIN cases c ON c.id = t.case_id"
    " WHERE c.closed IS NULL AND instr(t.name, '/') = 0 AND (?1 IS NULL OR t.due <= ?1)"
    " ORDER BY t.due, t.id";

/* A workflow's cases by year opened and state: the open ones of any year
 * and the closed ones opened since ?2 (two index ranges, not a scan). */
static const char sql_case_summary[] =
    "SELECT y, state, count(*) FROM ("
    " SELECT substr(opened, 1, 4) AS y, state FROM cases"
    "  WHERE workflow = ?1 AND closed IS NULL"
    " UNION ALL SELECT substr(opened, 1, 4), state FROM cases"
    "  WHERE workflow = ?1 AND opened >= ?2 AND closed IS NOT NULL)"
    " GROUP BY y, state ORDER BY y, state";

#define MAIL_DISCARDED \
    " EXISTS (SELECT 1 FROM events e2 WHERE e2.mail_id = m.id AND e2.kind = 'mail-discarded')"

static const char sql_quarantine[] =
    "SELECT m.id, m.received, m.from_addr, m.subject, m.kind, m.note, m.case_ref, NULL,"
    " m.state, 0 FROM mails m WHERE m.state = 1 AND NOT" MAIL_DISCARDED " ORDER BY m.id";
static const char sql_mail_get[] =
    "SELECT m.id, m.received, m.from_addr, m.subject, m.kind, m.note, m.case_ref, NULL,"
    " m.state," MAIL_DISCARDED " FROM mails m WHERE m.id = ?1";
/* Bad signatures, and good ones by a key that is not the sender's; the
 * detail column is the verdict as the digest prints it. */
static const char sql_signatures[] =
    "SELECT m.id, m.received, m.from_addr, m.subject, m.kind, m.note, m.case_ref,"
    " CASE WHEN m.signature = 'good' THEN 'good, but not by the sender''s key'"
    " ELSE m.signature END,"
    " m.state, 0 FROM mails m"
    " WHERE m.received > ?1 AND coalesce(m.kind, '') <> 'command'"
    " AND (m.signature IN ('bad', 'unknown-key', 'expired', 'revoked', 'error')"
    " OR (m.signature = 'good' AND m.signer_is_sender = 0)) ORDER BY m.id";

/* A quarantined mail read again (quarantine reprocess): the new reading,
 * its attachments replaced; the outcome is set as for a new mail. */
static const char sql_mail_reread[] =
    "UPDATE mails SET kind = ?2, from_addr = ?3, subject = ?4, signature = ?5,"
    " signer_fpr = ?6, signer_is_sender = ?7, state = 0, note = NULL, case_ref = NULL"
    " WHERE id = ?1 AND state = 1";
static const char sql_attachments_drop[] = "DELETE FROM attachments WHERE mail_id = ?1";

static const char sql_outbox[] =
    "SELECT id, case_ref, message_id, recipient, kind, queued, next_attempt, sent, error,"
    " state, attempts FROM outbox WHERE (?1 < 0 OR state = ?1)"
    " AND (?2 IS NULL OR next_attempt > ?2) ORDER BY id";

static const char sql_members[] =
    "SELECT id, email, name, language, category, status, fingerprint FROM members"
    " ORDER BY email";

static const char sql_items_unsent[] =
    "SELECT id, at, case_ref, kind, role, text FROM digest_items WHERE sent IS NULL"
    " ORDER BY id";
/* "At" is the second the item was written, in the step that entered the
 * state: a state event after that second means the case moved on. */
static const char sql_items_waiting[] =
    "SELECT d.id, d.at, d.case_ref, d.kind, d.role, d.text FROM digest_items d"
    " JOIN cases c ON c.ref = d.case_ref WHERE d.kind = 'decision_needed'"
    " AND c.closed IS NULL AND NOT EXISTS (SELECT 1 FROM events e"
    " WHERE e.case_ref = d.case_ref AND e.kind = 'state' AND e.at > d.at) ORDER BY d.id";

/* ---- savepoints ---- */

static int
exec_one(struct store *st, const char *sql, const char *what, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);

	if (s == NULL)
		return -1;
	return store_run(st, s, what, err);
}

int
store_savepoint(struct store *st, struct clerk_err *err)
{
	return exec_one(st, sql_savepoint, "savepoint", err);
}

int
store_savepoint_release(struct store *st, struct clerk_err *err)
{
	return exec_one(st, sql_release, "release savepoint", err);
}

int
store_savepoint_rollback(struct store *st, struct clerk_err *err)
{
	if (exec_one(st, sql_rollback_to, "rollback to savepoint", err) != 0)
		return -1;
	return exec_one(st, sql_release, "release savepoint", err);
}

/* ---- reading rows ---- */

/* Steps `s` to the end, calling `row` for each; resets it. */
static int
each_row(struct store *st, sqlite3_stmt *s, void (*row)(sqlite3_stmt *, void *), void *arg,
    const char *what, struct clerk_err *err)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		row(s, arg);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_db_fail(st, err, what);
}

static void
case_row(sqlite3_stmt *s, void *arg)
{
	struct store_case_rows *r = arg;
	struct store_case_row *c;

	r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
	c = &r->v[r->n++];
	c->id = sqlite3_column_int64(s, 0);
	c->ref = store_col_dup(s, 1);
	c->workflow = store_col_dup(s, 2);
	c->state = store_col_dup(s, 3);
	c->email = store_col_dup(s, 4);
	c->opened = store_col_dup(s, 5);
	c->closed = store_col_dup(s, 6);
	c->name = store_col_dup(s, 7);
	c->owed = sqlite3_column_int64(s, 8);
}

/* The bound statement of a case list. */
static sqlite3_stmt *
cases_stmt(struct store *st, enum store_cases_which which, const char *since,
    struct clerk_err *err)
{
	const char *sql = which == STORE_CASES_OPEN ? sql_cases_open :
	    which == STORE_CASES_ALL ? sql_cases_all :
	    which == STORE_CASES_OPENED_AFTER ? sql_cases_after :
	    which == STORE_CASES_BY_REF ? sql_case_by_ref :
	    which == STORE_CASES_OF_EMAIL ? sql_cases_of_email : sql_cases_owing;
	sqlite3_stmt *s = store_stmt(st, sql, err);

	if (s != NULL && (which == STORE_CASES_OPENED_AFTER || which == STORE_CASES_BY_REF ||
	    which == STORE_CASES_OF_EMAIL))
		store_bind_text(s, 1, since ? since : "");
	return s;
}

int
store_cases_list(struct store *st, enum store_cases_which which, const char *since,
    struct store_case_rows *out, struct clerk_err *err)
{
	sqlite3_stmt *s = cases_stmt(st, which, since, err);

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	return each_row(st, s, case_row, out, "cases list", err);
}

/* Steps `s`, handing each row (read by `row` into a one-row list) to `fn`;
 * the list is emptied after each call. */
static int
each_streamed(struct store *st, sqlite3_stmt *s, void (*row)(sqlite3_stmt *, void *),
    void *one, void (*empty)(void *), int (*fn)(void *, const void *, struct clerk_err *),
    void *arg, const char *what, struct clerk_err *err)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int frc;

		row(s, one);
		frc = fn(arg, one, err);
		empty(one);
		if (frc != 0) {
			sqlite3_reset(s);
			return -1;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_db_fail(st, err, what);
}

struct case_fn {
	int	(*fn)(void *, const struct store_case_row *, struct clerk_err *);
	void	*arg;
};

static int
call_case(void *arg, const void *one, struct clerk_err *err)
{
	const struct case_fn *cf = arg;

	return cf->fn(cf->arg, &((const struct store_case_rows *)one)->v[0], err);
}

static void
empty_cases(void *one)
{
	store_case_rows_free(one);
}

int
store_cases_each(struct store *st, enum store_cases_which which, const char *since,
    int (*fn)(void *arg, const struct store_case_row *c, struct clerk_err *err), void *arg,
    struct clerk_err *err)
{
	sqlite3_stmt *s = cases_stmt(st, which, since, err);
	struct store_case_rows one = { NULL, 0, 0 };
	struct case_fn cf = { fn, arg };

	if (s == NULL)
		return -1;
	return each_streamed(st, s, case_row, &one, empty_cases, call_case, &cf, "cases",
	    err);
}

void
store_case_rows_free(struct store_case_rows *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].ref);
		free(r->v[i].workflow);
		free(r->v[i].state);
		free(r->v[i].email);
		free(r->v[i].name);
		free(r->v[i].opened);
		free(r->v[i].closed);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void
deadline_row(sqlite3_stmt *s, void *arg)
{
	struct store_deadline_rows *r = arg;
	struct store_deadline_row *d;

	r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
	d = &r->v[r->n++];
	d->ref = store_col_dup(s, 0);
	d->workflow = store_col_dup(s, 1);
	d->state = store_col_dup(s, 2);
	d->email = store_col_dup(s, 3);
	d->name = store_col_dup(s, 4);
	d->timer = store_col_dup(s, 5);
	d->due = store_col_dup(s, 6);
	d->spec = store_col_dup(s, 7);
	d->fired = sqlite3_column_int(s, 8) != 0;
}

int
store_deadlines_list(struct store *st, const char *until, struct store_deadline_rows *out,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_deadlines, err);

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, until);
	return each_row(st, s, deadline_row, out, "deadlines list", err);
}

struct deadline_fn {
	int	(*fn)(void *, const struct store_deadline_row *, struct clerk_err *);
	void	*arg;
};

static int
call_deadline(void *arg, const void *one, struct clerk_err *err)
{
	const struct deadline_fn *df = arg;

	return df->fn(df->arg, &((const struct store_deadline_rows *)one)->v[0], err);
}

static void
empty_deadlines(void *one)
{
	store_deadline_rows_free(one);
}

int
store_deadlines_each(struct store *st, const char *until,
    int (*fn)(void *arg, const struct store_deadline_row *d, struct clerk_err *err), void *arg,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_deadlines, err);
	struct store_deadline_rows one = { NULL, 0, 0 };
	struct deadline_fn df = { fn, arg };

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, until);
	return each_streamed(st, s, deadline_row, &one, empty_deadlines, call_deadline, &df,
	    "deadlines", err);
}

void
store_deadline_rows_free(struct store_deadline_rows *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].ref);
		free(r->v[i].workflow);
		free(r->v[i].state);
		free(r->v[i].email);
		free(r->v[i].name);
		free(r->v[i].timer);
		free(r->v[i].due);
		free(r->v[i].spec);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void
mail_fill(sqlite3_stmt *s, struct store_mail_row *m)
{
	m->id = sqlite3_column_int64(s, 0);
	m->at = store_col_dup(s, 1);
	m->from_addr = store_col_dup(s, 2);
	m->subject = store_col_dup(s, 3);
	m->kind = store_col_dup(s, 4);
	m->note = store_col_dup(s, 5);
	m->case_ref = store_col_dup(s, 6);
	m->detail = store_col_dup(s, 7);
	m->state = sqlite3_column_int(s, 8);
	m->discarded = sqlite3_column_int(s, 9) != 0;
}

static void
mail_row(sqlite3_stmt *s, void *arg)
{
	struct store_mail_rows *r = arg;

	r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
	mail_fill(s, &r->v[r->n++]);
}

int
store_quarantine_list(struct store *st, struct store_mail_rows *out, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_quarantine, err);

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	return each_row(st, s, mail_row, out, "quarantine list", err);
}

int
store_signature_problems(struct store *st, const char *since, struct store_mail_rows *out,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_signatures, err);

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, since ? since : "");
	return each_row(st, s, mail_row, out, "signature problems", err);
}

int
store_mail_row_get(struct store *st, int64_t id, struct store_mail_row *out, int *found,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_mail_get, err);
	int rc;

	memset(out, 0, sizeof(*out));
	*found = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		mail_fill(s, out);
		*found = 1;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_db_fail(st, err, "mail get");
}

void
store_mail_row_clear(struct store_mail_row *m)
{
	if (m == NULL)
		return;
	free(m->at);
	free(m->from_addr);
	free(m->subject);
	free(m->kind);
	free(m->note);
	free(m->case_ref);
	free(m->detail);
	memset(m, 0, sizeof(*m));
}

void
store_mail_rows_free(struct store_mail_rows *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		store_mail_row_clear(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void
outbox_row(sqlite3_stmt *s, void *arg)
{
	struct store_outbox_rows *r = arg;
	struct store_outbox_row *o;

	r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
	o = &r->v[r->n++];
	o->id = sqlite3_column_int64(s, 0);
	o->case_ref = store_col_dup(s, 1);
	o->message_id = store_col_dup(s, 2);
	o->recipient = store_col_dup(s, 3);
	o->kind = store_col_dup(s, 4);
	o->queued = store_col_dup(s, 5);
	o->next_attempt = store_col_dup(s, 6);
	o->sent = store_col_dup(s, 7);
	o->error = store_col_dup(s, 8);
	o->state = sqlite3_column_int(s, 9);
	o->attempts = sqlite3_column_int(s, 10);
}

int
store_outbox_list(struct store *st, int state, const char *since, struct store_outbox_rows *out,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_outbox, err);

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, state);
	store_bind_text(s, 2, since);
	return each_row(st, s, outbox_row, out, "outbox list", err);
}

void
store_outbox_rows_free(struct store_outbox_rows *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].case_ref);
		free(r->v[i].message_id);
		free(r->v[i].recipient);
		free(r->v[i].kind);
		free(r->v[i].queued);
		free(r->v[i].next_attempt);
		free(r->v[i].sent);
		free(r->v[i].error);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void
member_row(sqlite3_stmt *s, void *arg)
{
	struct store_member_rows *r = arg;
	struct store_member *m;

	r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
	m = &r->v[r->n++];
	m->id = sqlite3_column_int64(s, 0);
	m->email = store_col_dup(s, 1);
	m->name = store_col_dup(s, 2);
	m->language = store_col_dup(s, 3);
	m->category = store_col_dup(s, 4);
	m->status = store_col_dup(s, 5);
	m->fingerprint = store_col_dup(s, 6);
}

int
store_members_list(struct store *st, struct store_member_rows *out, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_members, err);

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	return each_row(st, s, member_row, out, "members list", err);
}

void
store_member_rows_free(struct store_member_rows *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		store_member_clear(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void
item_row(sqlite3_stmt *s, void *arg)
{
	struct store_item_rows *r = arg;
	struct store_item_row *it;

	r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
	it = &r->v[r->n++];
	it->id = sqlite3_column_int64(s, 0);
	it->at = store_col_dup(s, 1);
	it->case_ref = store_col_dup(s, 2);
	it->kind = store_col_dup(s, 3);
	it->role = store_col_dup(s, 4);
	it->text = store_col_dup(s, 5);
}

int
store_digest_items(struct store *st, enum store_items_which which, struct store_item_rows *out,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, which == STORE_ITEMS_UNSENT ? sql_items_unsent :
	    sql_items_waiting, err);

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	return each_row(st, s, item_row, out, "digest items", err);
}

void
store_item_rows_free(struct store_item_rows *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].at);
		free(r->v[i].case_ref);
		free(r->v[i].kind);
		free(r->v[i].role);
		free(r->v[i].text);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int
store_mail_reread(struct store *st, int64_t mail_id, const struct store_mail *m,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_mail_reread, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mail_id);
	store_bind_text(s, 2, m->kind);
	store_bind_text(s, 3, m->from_addr);
	store_bind_text(s, 4, m->subject);
	store_bind_text(s, 5, m->signature);
	store_bind_text(s, 6, m->signer_fpr);
	sqlite3_bind_int(s, 7, m->signer_is_sender ? 1 : 0);
	if (store_run(st, s, "mail reread", err) != 0)
		return -1;
	if (sqlite3_changes(store_db(st)) != 1) {
		err_set(err, ERR_FINAL, "mail %lld is not quarantined", (long long)mail_id);
		return -1;
	}
	if ((s = store_stmt(st, sql_attachments_drop, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mail_id);
	return store_run(st, s, "attachments drop", err);
}

static void
summary_row(sqlite3_stmt *s, void *arg)
{
	struct store_summary_rows *r = arg;
	struct store_summary_row *x;

	r->v = xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
	x = &r->v[r->n++];
	x->year = sqlite3_column_int(s, 0);
	x->state = store_col_dup(s, 1);
	x->count = sqlite3_column_int64(s, 2);
}

int
store_case_summary(struct store *st, const char *workflow, const char *since,
    struct store_summary_rows *out, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_case_summary, err);

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, workflow);
	store_bind_text(s, 2, since);
	return each_row(st, s, summary_row, out, "case summary", err);
}

void
store_summary_rows_free(struct store_summary_rows *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].state);
	free(r->v);
	memset(r, 0, sizeof(*r));
}
