/* Signatures counted once; confirmation tokens. */
#include "store_authority.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char sql_sig_seen[] = "SELECT at FROM signatures_seen WHERE sig_id = ?1";
static const char sql_sig_record[] =
    "INSERT INTO signatures_seen(sig_id, at, mail_id, what) VALUES (?1, ?2, ?3, ?4)";
static const char sql_conf_add[] =
    "INSERT INTO confirmations(token_sha256, case_id, state, issued) VALUES (?1, ?2, ?3, ?4)";
static const char sql_conf_get[] =
    "SELECT case_id, state, used FROM confirmations WHERE token_sha256 = ?1";
static const char sql_conf_use[] =
    "UPDATE confirmations SET used = ?2 WHERE token_sha256 = ?1 AND used IS NULL";

int
store_signature_seen(struct store *st, const char *sig_id, int *seen, char **at,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_sig_seen, err);
	int rc;

	*seen = 0;
	if (at != NULL)
		*at = NULL;
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, sig_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*seen = 1;
		if (at != NULL)
			*at = store_col_dup(s, 0);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_db_fail(st, err, "signature seen");
}

int
store_signature_record(struct store *st, const char *sig_id, const char *at, int64_t mail_id,
    const char *what, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_sig_record, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, sig_id);
	store_bind_text(s, 2, at);
	if (mail_id > 0)
		sqlite3_bind_int64(s, 3, mail_id);
	store_bind_text(s, 4, what);
	return store_run(st, s, "signature record", err);
}

int
store_confirmation_add(struct store *st, const char *token_sha256, int64_t case_id,
    const char *state, const char *issued, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_conf_add, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, token_sha256);
	sqlite3_bind_int64(s, 2, case_id);
	store_bind_text(s, 3, state);
	store_bind_text(s, 4, issued);
	return store_run(st, s, "confirmation add", err);
}

int
store_confirmation_check(struct store *st, const char *token_sha256, int64_t case_id,
    const char *state, int *valid, const char **why, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_conf_get, err);
	int rc;

	*valid = 0;
	*why = "unknown";
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, token_sha256);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_int64(s, 0) == case_id) {
		const char *was = (const char *)sqlite3_column_text(s, 1);

		if (sqlite3_column_type(s, 2) != SQLITE_NULL)
			*why = "used";
		else if (was == NULL || strcmp(was, state) != 0)
			*why = "stale";
		else {
			*valid = 1;
			*why = "";
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    store_db_fail(st, err, "confirmation check");
}

int
store_confirmation_use(struct store *st, const char *token_sha256, const char *at,
    struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql_conf_use, err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, token_sha256);
	store_bind_text(s, 2, at);
	if (store_run(st, s, "confirmation use", err) != 0)
		return -1;
	if (sqlite3_changes(store_db(st)) != 1) {
		err_set(err, ERR_FINAL, "store: confirmation token already used");
		return -1;
	}
	return 0;
}
