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
		err_set(err, 0, "store: no case with id %lld", (long long)case_id);
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
			err_set(err, 0, "store: person cases callback failed");
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
