/* The store's part of an erasure on request: see store_erase.h. */
#include "store_erase.h"

#include <sqlite3.h>
#include <stdlib.h>

#include "store_int.h"

#define ERASED "'[erased]'"

static const char sql_case_vars[] = "DELETE FROM case_vars WHERE case_id = ?1";
static const char sql_case_timers[] = "DELETE FROM timers WHERE case_id = ?1";
static const char sql_case_row[] = "UPDATE cases SET email = '' WHERE id = ?1";
static const char sql_case_events[] =
    "UPDATE events SET detail = " ERASED " WHERE case_ref = ?1 AND detail <> " ERASED;
static const char sql_case_items[] =
    "UPDATE digest_items SET text = " ERASED " WHERE case_ref = ?1";
static const char sql_case_attachments[] =
    "DELETE FROM attachments WHERE mail_id IN (SELECT id FROM mails WHERE case_ref = ?1)";
static const char sql_case_mail_events[] =
    "UPDATE events SET detail = " ERASED " WHERE detail <> " ERASED
    " AND mail_id IN (SELECT id FROM mails WHERE case_ref = ?1)";
static const char sql_case_mails[] =
    "UPDATE mails SET raw = X'', from_addr = NULL, subject = NULL, note = NULL"
    " WHERE case_ref = ?1";
static const char sql_case_notices[] =
    "UPDATE outbox SET bytes = X'', recipient = CASE WHEN recipient = ?2"
    " THEN 'erased-' || id || '@invalid' ELSE recipient END"
    " WHERE case_ref = ?1 AND state IN (1, 2)";

/* Outside any case: a mail that was quarantined or never placed. */
static const char sql_loose_attachments[] =
    "DELETE FROM attachments WHERE mail_id IN"
    " (SELECT id FROM mails WHERE from_addr = ?1 COLLATE NOCASE AND case_ref IS NULL)";
static const char sql_loose_mail_events[] =
    "UPDATE events SET detail = " ERASED " WHERE detail <> " ERASED " AND mail_id IN"
    " (SELECT id FROM mails WHERE from_addr = ?1 COLLATE NOCASE AND case_ref IS NULL)";
static const char sql_loose_mails[] =
    "UPDATE mails SET raw = X'', from_addr = NULL, subject = NULL, note = NULL"
    " WHERE from_addr = ?1 COLLATE NOCASE AND case_ref IS NULL";
static const char sql_loose_notices[] =
    "UPDATE outbox SET bytes = X'', recipient = 'erased-' || id || '@invalid'"
    " WHERE recipient = ?1 AND case_ref IS NULL AND state IN (1, 2)";
static const char sql_loose_events[] =
    "UPDATE events SET detail = " ERASED " WHERE case_ref IS NULL AND detail <> " ERASED
    " AND instr(lower(detail), ?1) > 0";
static const char sql_loose_items[] =
    "UPDATE digest_items SET text = " ERASED " WHERE case_ref IS NULL"
    " AND instr(lower(text), ?1) > 0";

static const char sql_member[] =
    "UPDATE members SET email = 'erased-' || id || '@invalid', name = '', language = NULL,"
    " fingerprint = NULL, status = 'erased' WHERE id = ?1";
static const char sql_member_history[] = "DELETE FROM member_history WHERE member_id = ?1";

/* Runs `sql` with ?1 = id (when text1 is NULL) or text1, ?2 = text2;
 * adds the rows changed to *changed (may be NULL). */
static int
run(struct store *st, const char *sql, int64_t id, const char *text1, const char *text2,
    long *changed, struct clerk_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);

	if (s == NULL)
		return -1;
	if (text1 != NULL)
		store_bind_text(s, 1, text1);
	else
		sqlite3_bind_int64(s, 1, id);
	if (text2 != NULL)
		store_bind_text(s, 2, text2);
	if (store_run(st, s, "erase", err) != 0)
		return -1;
	if (changed != NULL)
		*changed += sqlite3_changes(store_db(st));
	return 0;
}

int
store_erase_case(struct store *st, int64_t case_id, const char *ref, const char *email,
    long *mails, long *notices, struct clerk_err *err)
{
	/* The events of the mails first: afterwards nothing says whose they were. */
	if (run(st, sql_case_vars, case_id, NULL, NULL, NULL, err) != 0 ||
	    run(st, sql_case_timers, case_id, NULL, NULL, NULL, err) != 0 ||
	    run(st, sql_case_row, case_id, NULL, NULL, NULL, err) != 0 ||
	    run(st, sql_case_events, 0, ref, NULL, NULL, err) != 0 ||
	    run(st, sql_case_items, 0, ref, NULL, NULL, err) != 0 ||
	    run(st, sql_case_attachments, 0, ref, NULL, NULL, err) != 0 ||
	    run(st, sql_case_mail_events, 0, ref, NULL, NULL, err) != 0 ||
	    run(st, sql_case_mails, 0, ref, NULL, mails, err) != 0 ||
	    run(st, sql_case_notices, 0, ref, email, notices, err) != 0)
		return -1;
	return 0;
}

int
store_erase_loose(struct store *st, const char *email, long *mails, long *notices,
    long *events, struct clerk_err *err)
{
	if (run(st, sql_loose_attachments, 0, email, NULL, NULL, err) != 0 ||
	    run(st, sql_loose_mail_events, 0, email, NULL, events, err) != 0 ||
	    run(st, sql_loose_mails, 0, email, NULL, mails, err) != 0 ||
	    run(st, sql_loose_notices, 0, email, NULL, notices, err) != 0 ||
	    run(st, sql_loose_events, 0, email, NULL, events, err) != 0 ||
	    run(st, sql_loose_items, 0, email, NULL, NULL, err) != 0)
		return -1;
	return 0;
}

int
store_erase_member(struct store *st, int64_t member_id, struct clerk_err *err)
{
	if (run(st, sql_member_history, member_id, NULL, NULL, NULL, err) != 0 ||
	    run(st, sql_member, member_id, NULL, NULL, NULL, err) != 0)
		return -1;
	return 0;
}
