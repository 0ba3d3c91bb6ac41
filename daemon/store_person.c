/* The store's queries about one person (GDPR export). */
#include "store_person.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

static const char sql_member[] =
    "SELECT id, email, name, language, category, status, fingerprint, created FROM members"
    " WHERE email = lower(?1)";
static const char sql_history[] =
    "SELECT h.at, h.status, h.category, h.fingerprint, h.reason, h.case_ref"
    " FROM member_history h JOIN members m ON m.id = h.member_id"
    " WHERE m.email = lower(?1) ORDER BY h.id";
static const char sql_cases[] =
    "SELECT ref, workflow, state, email, language, parent_ref, opened, closed FROM cases"
    " WHERE email = lower(?1) ORDER BY id";
static const char sql_vars[] =
    "SELECT v.name, v.value FROM case_vars v JOIN cases c ON c.id = v.case_id"
    " WHERE c.ref = ?1 ORDER BY v.name";
static const char sql_events[] =
    "SELECT at, kind, detail, mail_id FROM events WHERE case_ref = ?1 ORDER BY id";
static const char sql_mails[] =
    "SELECT id, received, message_id, subject, kind, state, note, case_ref, sha256, source"
    " FROM mails WHERE lower(from_addr) = lower(?1) ORDER BY id";
static const char sql_attachments[] =
    "SELECT filename, content_type, size, sha256 FROM attachments"
    " WHERE mail_id = CAST(?1 AS INTEGER) ORDER BY id";
static const char sql_notices[] =
    "SELECT message_id, case_ref, kind, queued, state, attempts, sent, error FROM outbox"
    " WHERE recipient = lower(?1) ORDER BY id";
static const char sql_other_events[] =
    "SELECT at, case_ref, kind, detail, mail_id FROM events"
    " WHERE instr(lower(detail), lower(?1)) > 0 AND (case_ref IS NULL OR case_ref NOT IN"
    " (SELECT ref FROM cases WHERE email = lower(?1))) ORDER BY id";

static const char *const queries[] = {
	[STORE_PERSON_MEMBER] = sql_member,
	[STORE_PERSON_HISTORY] = sql_history,
	[STORE_PERSON_CASES] = sql_cases,
	[STORE_PERSON_CASE_VARS] = sql_vars,
	[STORE_PERSON_CASE_EVENTS] = sql_events,
	[STORE_PERSON_MAILS] = sql_mails,
	[STORE_PERSON_ATTACHMENTS] = sql_attachments,
	[STORE_PERSON_NOTICES] = sql_notices,
	[STORE_PERSON_OTHER_EVENTS] = sql_other_events,
};

int
store_person_query(struct store *st, enum store_person_query q, const char *key,
    struct store_text_rows *out, struct clerk_err *err)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((size_t)q >= sizeof(queries) / sizeof(queries[0])) {
		err_set(err, ERR_FINAL, "store: no person query %d", (int)q);
		return -1;
	}
	if ((s = store_stmt(st, queries[q], err)) == NULL)
		return -1;
	store_bind_text(s, 1, key);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_text_row *r;
		int ncol = sqlite3_column_count(s);

		out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof(*out->v));
		r = &out->v[out->n++];
		r->n = (size_t)ncol;
		r->names = xcalloc(r->n, sizeof(char *));
		r->values = xcalloc(r->n, sizeof(char *));
		for (int i = 0; i < ncol; i++) {
			r->names[i] = xstrdup(sqlite3_column_name(s, i));
			r->values[i] = store_col_dup(s, i);
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_text_rows_free(out);
		return store_db_fail(st, err, "person query");
	}
	return 0;
}

void
store_text_rows_free(struct store_text_rows *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; k < r->v[i].n; k++) {
			free(r->v[i].names[k]);
			free(r->v[i].values[k]);
		}
		free(r->v[i].names);
		free(r->v[i].values);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}
