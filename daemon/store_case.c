/* The store's queries about cases and the people they concern. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

static const char sql_case_by_id[] =
    "SELECT ref FROM cases WHERE id = ?1";
static const char sql_person_owed[] =
    "SELECT coalesce(sum(CAST(v.value AS INTEGER)), 0) FROM cases c"
    " JOIN case_vars v ON v.case_id = c.id AND v.name = 'owed'"
    " WHERE c.email = lower(?1) AND c.closed IS NULL";
static const char sql_mail_outcome[] =
    "UPDATE mails SET case_ref = ?2, state = ?3, note = ?4 WHERE id = ?1";
static const char sql_timer_fired[] =
    "UPDATE timers SET state = 1, fired = ?3 WHERE case_id = ?1 AND name = ?2";
static const char sql_members_active[] =
    "SELECT email, name, language, category, status FROM members"
    " WHERE ?1 IS NULL OR status = ?1 ORDER BY id";
static const char sql_person_var[] =
    "SELECT c.workflow, v.value FROM cases c JOIN case_vars v ON v.case_id = c.id"
    " WHERE c.email = lower(?1) AND v.name = ?2 AND v.value <> '' ORDER BY c.id";
static const char sql_person_cases[] =
    "SELECT ref, workflow, state FROM cases WHERE email = lower(?1) AND closed IS NULL"
    " ORDER BY id";

int
store_case_ref_by_id(struct store *st, int64_t case_id, char **ref, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_case_by_id, err);
	int rc;

	*ref = NULL;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*ref = store_col_dup(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE) {
		err_set(err, ERR_FINAL, "store: no case with id %lld", (long long)case_id);
		return -1;
	}
	return rc == SQLITE_ROW ? 0 : store_db_fail(st, err, "case by id");
}

int
store_person_owed(struct store *st, const char *email, long long *owed, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_person_owed, err);
	int rc;

	*owed = 0;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, email);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*owed = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : store_db_fail(st, err, "person owed");
}

int
store_person_open_cases(struct store *st, const char *email,
    int (*fn)(void *arg, const char *ref, const char *workflow, const char *state), void *arg,
    struct clerk_err *err)
{
	struct { char *ref, *wf, *state; } *rows = NULL;
	sqlite3_stmt *s = store_stmt(st, sql_person_cases, err);
	size_t n = 0, cap = 0;
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, email);
	/* Collected first: the callback may write. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rows = xgrow(rows, &cap, n + 1, sizeof(*rows));
		rows[n].ref = store_col_dup(s, 0);
		rows[n].wf = store_col_dup(s, 1);
		rows[n].state = store_col_dup(s, 2);
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_db_fail(st, err, "person cases");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int r = fn(arg, rows[i].ref, rows[i].wf, rows[i].state);

		if (r < 0) {
			err_set(err, ERR_FINAL, "store: person cases callback failed");
			goto out;
		}
		if (r > 0)
			break;	/* the callback found what it wanted */
	}
	ret = 0;
out:
	for (size_t i = 0; i < n; i++) {
		free(rows[i].ref);
		free(rows[i].wf);
		free(rows[i].state);
	}
	free(rows);
	return ret;
}

int
store_mail_set_outcome(struct store *st, int64_t mail_id, const char *case_ref,
    enum mail_state state, const char *note, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_mail_outcome, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mail_id);
	store_bind_text(s, 2, case_ref);
	sqlite3_bind_int(s, 3, (int)state);
	store_bind_text(s, 4, note);
	return store_run(st, s, "mail outcome", err);
}

int
store_timer_mark_fired(struct store *st, int64_t case_id, const char *name, const char *at,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_timer_fired, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	store_bind_text(s, 2, name);
	store_bind_text(s, 3, at);
	return store_run(st, s, "timer fired", err);
}

int
store_members_with_status(struct store *st, const char *status,
    int (*fn)(void *arg, const struct store_member *m), void *arg, struct clerk_err *err)
{
	struct store_member *rows = NULL;
	sqlite3_stmt *s = store_stmt(st, sql_members_active, err);
	size_t n = 0, cap = 0;
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, status);
	/* Collected first: the callback writes (it opens cases). */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rows = xgrow(rows, &cap, n + 1, sizeof(*rows));
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].email = store_col_dup(s, 0);
		rows[n].name = store_col_dup(s, 1);
		rows[n].language = store_col_dup(s, 2);
		rows[n].category = store_col_dup(s, 3);
		rows[n].status = store_col_dup(s, 4);
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_db_fail(st, err, "members with status");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (fn(arg, &rows[i]) != 0)
			goto out;
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		store_member_clear(&rows[i]);
	free(rows);
	return ret;
}

int
store_person_case_var(struct store *st, const char *email, const char *name,
    int (*fn)(void *arg, const char *workflow, const char *value), void *arg,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_person_var, err);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, email);
	store_bind_text(s, 2, name);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_db_fail(st, err, "person case variable");
}
