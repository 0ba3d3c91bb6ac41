/* Unit tests of the SQLite store on a throwaway database file. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "../../daemon/store_schema.h"
#include "store.h"
#include "xmalloc.h"

static char tmpdir[64];
static char *dbpath;
static struct store *st;
static struct clerk_err err;

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/clerk-check-store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	dbpath = xasprintf("%s/clerk.db", tmpdir);
	ck_assert_msg(store_open(dbpath, &st, &err) == 0, "%s", err.msg);
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	store_close(st);
	st = NULL;
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(dbpath);
}

START_TEST(migrations_set_version_and_reopen)
{
	int v = 0;

	ck_assert_int_eq(store_schema_version(st, &v, &err), 0);
	ck_assert_int_eq(v, STORE_SCHEMA_VERSION);
	ck_assert_int_eq(store_meta_set(st, "k", "v1", &err), 0);
	store_close(st);
	ck_assert_msg(store_open(dbpath, &st, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_schema_version(st, &v, &err), 0);
	ck_assert_int_eq(v, STORE_SCHEMA_VERSION);
	{
		char *val = NULL;

		ck_assert_int_eq(store_meta_get(st, "k", &val, &err), 0);
		ck_assert_str_eq(val, "v1");
		free(val);
		ck_assert_int_eq(store_meta_get(st, "absent", &val, &err), 0);
		ck_assert_ptr_null(val);
	}
}
END_TEST

START_TEST(newer_schema_is_refused)
{
	sqlite3 *db;

	store_close(st);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_open(dbpath, &st, &err), -1);
	ck_assert_msg(strstr(err.msg, "schema 99 is newer") != NULL, "%s", err.msg);
	st = NULL;
}
END_TEST

/* A database of schema 1 with an outbox row: opening it migrates to the
 * latest schema and keeps the row (a held-row column added by 2 reads
 * its default). */
START_TEST(schema_1_database_migrates)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v = 0;

	store_close(st);
	st = NULL;
	for (int i = 0; i < 3; i++) {
		char *f = xasprintf("%s%s", dbpath, i == 0 ? "" : i == 1 ? "-wal" : "-shm");

		unlink(f);
		free(f);
	}
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, store_migrations[0], NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 1;"
	    "INSERT INTO outbox(message_id, recipient, envelope_from, kind, queued, state,"
	    " next_attempt, bytes) VALUES ('m1@x', 'a@x', 'b@x', 'k', 'T', 0, 'T', 'X')",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_msg(store_open(dbpath, &st, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_schema_version(st, &v, &err), 0);
	ck_assert_int_eq(v, STORE_SCHEMA_VERSION);
	store_close(st);
	st = NULL;
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT message_id, entity_at, confidential,"
	    " encrypt_to IS NULL FROM outbox", -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "m1@x");
	ck_assert_int_eq(sqlite3_column_int(s, 1), 0);
	ck_assert_int_eq(sqlite3_column_int(s, 2), 0);
	ck_assert_int_eq(sqlite3_column_int(s, 3), 1);
	sqlite3_finalize(s);
	sqlite3_close(db);
	ck_assert_msg(store_open(dbpath, &st, &err) == 0, "%s", err.msg);
}
END_TEST

static struct store_mail
sample_mail(int64_t uidvalidity, int64_t uid)
{
	struct store_mail m;

	memset(&m, 0, sizeof(m));
	m.source = "imap:INBOX";
	m.uidvalidity = uidvalidity;
	m.uid = uid;
	m.message_id = "<a1@example.test>";
	m.sha256 = "00ff";
	m.received = "2026-03-01T10:00:00";
	m.kind = "form";
	m.state = MAIL_APPLIED;
	m.raw = "Subject: x\r\n\r\nbody\r\n";
	m.raw_len = strlen(m.raw);
	return m;
}

START_TEST(mail_is_known_by_position_and_by_identity)
{
	struct store_mail m = sample_mail(7, 42);
	int known = -1;
	int64_t id = 0, id2 = 0;
	enum mail_state state;
	void *raw = NULL;
	size_t len = 0;

	ck_assert_int_eq(store_mail_lookup(st, &m, &known, &id, &state, &err), 0);
	ck_assert_int_eq(known, 0);
	ck_assert_int_eq(store_mail_insert(st, &m, &id, &err), 0);
	ck_assert_int_eq(store_mail_lookup(st, &m, &known, &id2, &state, &err), 0);
	ck_assert_int_eq(known, 1);
	ck_assert_int_eq(id2, id);
	/* After a UIDVALIDITY change the same bytes are recognised. */
	m = sample_mail(8, 1);
	ck_assert_int_eq(store_mail_lookup(st, &m, &known, &id2, &state, &err), 0);
	ck_assert_int_eq(known, 1);
	ck_assert_int_eq(id2, id);
	/* Same Message-ID, other bytes: a different mail. */
	m.sha256 = "11ee";
	ck_assert_int_eq(store_mail_lookup(st, &m, &known, &id2, &state, &err), 0);
	ck_assert_int_eq(known, 0);
	/* The same position twice is refused by the database itself. */
	m = sample_mail(7, 42);
	ck_assert_int_eq(store_mail_insert(st, &m, &id2, &err), -1);
	ck_assert_msg(strstr(err.msg, "UNIQUE") != NULL, "%s", err.msg);
	ck_assert_int_eq(store_mail_raw(st, id, &raw, &len, &err), 0);
	ck_assert_uint_eq(len, m.raw_len);
	ck_assert_int_eq(memcmp(raw, m.raw, len), 0);
	free(raw);
}
END_TEST

static int
count_pending(void *arg, int64_t id, int64_t uv, int64_t uid, const char *name,
    enum mail_state state)
{
	(void)id; (void)uv; (void)name; (void)state;
	*(int64_t *)arg += uid;
	return 0;
}

START_TEST(pending_moves_until_moved)
{
	struct store_mail a = sample_mail(7, 1), b = sample_mail(7, 2);
	int64_t ida, idb, sum = 0;

	b.message_id = "<b@example.test>";
	ck_assert_int_eq(store_mail_insert(st, &a, &ida, &err), 0);
	ck_assert_int_eq(store_mail_insert(st, &b, &idb, &err), 0);
	ck_assert_int_eq(store_mail_pending_moves(st, "imap:INBOX", count_pending, &sum, &err), 0);
	ck_assert_int_eq(sum, 3);
	ck_assert_int_eq(store_mail_set_moved(st, ida, &err), 0);
	sum = 0;
	ck_assert_int_eq(store_mail_pending_moves(st, "imap:INBOX", count_pending, &sum, &err), 0);
	ck_assert_int_eq(sum, 2);
}
END_TEST

static int
collect_event(void *arg, const char *at, const char *kind, const char *detail)
{
	buf_printf(arg, "%s %s %s\n", at, kind, detail);
	return 0;
}

START_TEST(event_log_is_append_only)
{
	struct buf b = BUF_INIT;
	sqlite3 *db;
	char *msg = NULL;

	ck_assert_int_eq(store_event_append(st, "2026-03-01T10:00:00", "FGT-2026-0001", "state",
	    "received -> incomplete", 0, &err), 0);
	ck_assert_int_eq(store_event_append(st, "2026-03-02T10:00:00", "FGT-2026-0001", "notice",
	    "application_missing", 0, &err), 0);
	ck_assert_int_eq(store_event_append(st, "2026-03-02T10:00:00", "FGT-2026-0002", "state",
	    "other", 0, &err), 0);
	ck_assert_int_eq(store_events_for_case(st, "FGT-2026-0001", collect_event, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "2026-03-01T10:00:00 state received -> incomplete\n"
	    "2026-03-02T10:00:00 notice application_missing\n");
	buf_free(&b);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "UPDATE events SET detail = 'x'", NULL, NULL, &msg),
	    SQLITE_OK);
	ck_assert_msg(msg && strstr(msg, "append-only"), "%s", msg ? msg : "");
	sqlite3_free(msg);
	msg = NULL;
	ck_assert_int_ne(sqlite3_exec(db, "DELETE FROM events", NULL, NULL, &msg), SQLITE_OK);
	sqlite3_free(msg);
	sqlite3_close(db);
}
END_TEST

START_TEST(case_refs_count_per_prefix_and_year)
{
	char *r1, *r2, *r3, *r4;

	ck_assert_int_eq(store_case_next_ref(st, "FGT", 2026, &r1, &err), 0);
	ck_assert_int_eq(store_case_next_ref(st, "FGT", 2026, &r2, &err), 0);
	ck_assert_int_eq(store_case_next_ref(st, "FGT", 2027, &r3, &err), 0);
	ck_assert_int_eq(store_case_next_ref(st, "ASRT", 2026, &r4, &err), 0);
	ck_assert_str_eq(r1, "FGT-2026-0001");
	ck_assert_str_eq(r2, "FGT-2026-0002");
	ck_assert_str_eq(r3, "FGT-2027-0001");
	ck_assert_str_eq(r4, "ASRT-2026-0001");
	free(r1); free(r2); free(r3); free(r4);
}
END_TEST

static int
collect_var(void *arg, const char *name, const char *value)
{
	buf_printf(arg, "%s=%s;", name, value);
	return 0;
}

START_TEST(case_round_trip_with_vars)
{
	struct store_case c, got;
	struct buf b = BUF_INIT;
	int found = 0;

	memset(&c, 0, sizeof(c));
	c.ref = "FGT-2026-0007";
	c.workflow = "application";
	c.state = "received";
	c.email = "alice@example.test";
	c.language = "nb";
	c.opened = "2026-03-01T10:00:00";
	ck_assert_int_eq(store_case_insert(st, &c, &err), 0);
	ck_assert_int_gt(c.id, 0);
	ck_assert_int_eq(store_case_var_set(st, c.id, "category", "student", &err), 0);
	ck_assert_int_eq(store_case_var_set(st, c.id, "category", "mfgt", &err), 0);
	ck_assert_int_eq(store_case_var_set(st, c.id, "amount", "187500", &err), 0);
	ck_assert_int_eq(store_case_set_state(st, c.ref, "closed", "2026-04-01T00:00:00", &err), 0);
	ck_assert_int_eq(store_case_get(st, c.ref, &got, &found, &err), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_str_eq(got.state, "closed");
	ck_assert_str_eq(got.closed, "2026-04-01T00:00:00");
	ck_assert_str_eq(got.language, "nb");
	ck_assert_ptr_null(got.parent_ref);
	ck_assert_int_eq(store_case_vars(st, got.id, collect_var, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "amount=187500;category=mfgt;");
	store_case_clear(&got);
	buf_free(&b);
	ck_assert_int_eq(store_case_get(st, "FGT-2026-9999", &got, &found, &err), 0);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(store_case_set_state(st, "FGT-2026-9999", "x", NULL, &err), -1);
}
END_TEST

static int
collect_due(void *arg, int64_t case_id, const char *name, const char *due)
{
	buf_printf(arg, "%lld:%s@%s;", (long long)case_id, name, due);
	return 0;
}

static int
collect_case_timer(void *arg, const char *name, const char *due, const char *spec, int fired)
{
	buf_printf(arg, "%s@%s[%s]%s;", name, due, spec, fired ? "fired" : "");
	return 0;
}

START_TEST(timers_due_in_order_fired_kept_until_deleted)
{
	struct store_case c;
	struct buf b = BUF_INIT;
	char *next = NULL;

	memset(&c, 0, sizeof(c));
	c.ref = "FGT-2026-0001";
	c.workflow = "dues";
	c.state = "invoiced";
	c.opened = "2026-01-01T00:00:00";
	ck_assert_int_eq(store_case_insert(st, &c, &err), 0);
	ck_assert_int_eq(store_timer_put(st, c.id, "due", "2026-01-15T08:00:00", "d1", 0, NULL,
	    &err), 0);
	ck_assert_int_eq(store_timer_put(st, c.id, "due/remind/1", "2026-01-12T08:00:00", "r1", 0,
	    NULL, &err), 0);
	ck_assert_int_eq(store_timer_put(st, c.id, "late", "2026-02-01T08:00:00", "l1", 0, NULL,
	    &err), 0);
	/* An extension replaces the timer of the same identity. */
	ck_assert_int_eq(store_timer_put(st, c.id, "due", "2026-01-20T08:00:00", "d2", 0, NULL,
	    &err), 0);
	ck_assert_int_eq(store_timer_next(st, &next, &err), 0);
	ck_assert_str_eq(next, "2026-01-12T08:00:00");
	free(next);
	ck_assert_int_eq(store_timers_due(st, "2026-01-25T00:00:00", 100, collect_due, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "1:due/remind/1@2026-01-12T08:00:00;1:due@2026-01-20T08:00:00;");
	/* A fired timer is not due again but stays with the case. */
	ck_assert_int_eq(store_timer_put(st, c.id, "due/remind/1", "2026-01-12T08:00:00", "r1", 1,
	    "2026-01-25T00:00:00", &err), 0);
	buf_reset(&b);
	ck_assert_int_eq(store_timers_due(st, "2026-01-25T00:00:00", 100, collect_due, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "1:due@2026-01-20T08:00:00;");
	ck_assert_int_eq(store_timers_due(st, "2026-01-25T00:00:00", 1, collect_due, &b, &err), 0);
	buf_reset(&b);
	ck_assert_int_eq(store_case_timers(st, c.id, collect_case_timer, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "due/remind/1@2026-01-12T08:00:00[r1]fired;"
	    "due@2026-01-20T08:00:00[d2];late@2026-02-01T08:00:00[l1];");
	ck_assert_int_eq(store_timer_delete(st, c.id, "due", &err), 0);
	buf_reset(&b);
	ck_assert_int_eq(store_timers_due(st, "2026-12-31T00:00:00", 100, collect_due, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "1:late@2026-02-01T08:00:00;");
	buf_free(&b);
}
END_TEST

static int
collect_digest(void *arg, int64_t id, const char *at, const char *ref, const char *kind,
    const char *text)
{
	(void)id;
	buf_printf(arg, "%s %s %s %s;", at, ref ? ref : "-", kind, text);
	return 0;
}

START_TEST(digest_items_until_sent)
{
	struct buf b = BUF_INIT;
	int seen = -1;

	ck_assert_int_eq(store_digest_add(st, "2026-03-01T10:00:00", "FGT-2026-0001", "new_case",
	    NULL, "", &err), 0);
	ck_assert_int_eq(store_digest_add(st, "2026-03-01T11:00:00", NULL, "quarantined",
	    "secretary", "mail 7", &err), 0);
	ck_assert_int_eq(store_digest_add(st, "2026-03-01T11:00:00", "FGT-2026-0002", "unpaid",
	    "treasurer", "", &err), 0);
	ck_assert_int_eq(store_digest_unsent(st, "secretary", collect_digest, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "2026-03-01T10:00:00 FGT-2026-0001 new_case ;"
	    "2026-03-01T11:00:00 - quarantined mail 7;");
	ck_assert_int_eq(store_digest_mark_sent(st, "secretary", 1, "2026-03-02T07:00:00", &err), 0);
	buf_reset(&b);
	ck_assert_int_eq(store_digest_unsent(st, "secretary", collect_digest, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "2026-03-01T11:00:00 - quarantined mail 7;");
	buf_free(&b);
	ck_assert_int_eq(store_command_seen(st, "c1@fgt.test", &seen, &err), 0);
	ck_assert_int_eq(seen, 0);
	ck_assert_int_eq(store_command_record(st, "c1@fgt.test", "2026-03-01T10:00:00", "secretary",
	    &err), 0);
	ck_assert_int_eq(store_command_seen(st, "c1@fgt.test", &seen, &err), 0);
	ck_assert_int_eq(seen, 1);
	ck_assert_int_eq(store_command_record(st, "c1@fgt.test", "2026-03-01T10:00:00", "secretary",
	    &err), -1);
}
END_TEST

START_TEST(outbox_queue_retry_send_fail)
{
	struct store_outbox o;
	int found = 0, count = -1;
	int64_t id1, id2;
	const char bytes[] = "signed\r\nbytes\r\n";

	ck_assert_int_eq(store_outbox_add(st, "FGT-2026-0001", "<n1@fgt.test>", "alice@example.test",
	    "clerk@fgt.test", "application_received", "2026-03-01T10:00:00", bytes, sizeof(bytes) - 1,
	    OUTBOX_QUEUED, &id1, &err), 0);
	ck_assert_int_eq(store_outbox_add(st, NULL, "<n2@fgt.test>", "bob@example.test",
	    "clerk@fgt.test", "digest", "2026-03-01T10:00:01", "x", 1, OUTBOX_QUEUED, &id2, &err), 0);
	/* The same notice to the same recipient cannot be queued twice. */
	ck_assert_int_eq(store_outbox_add(st, NULL, "<n2@fgt.test>", "bob@example.test",
	    "clerk@fgt.test", "digest", "2026-03-01T10:00:01", "x", 1, OUTBOX_QUEUED, NULL, &err), -1);
	ck_assert_int_eq(store_outbox_next(st, "2026-03-01T10:00:05", &o, &found, &err), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(o.id, id1);
	ck_assert_uint_eq(o.len, sizeof(bytes) - 1);
	ck_assert_int_eq(memcmp(o.bytes, bytes, o.len), 0);
	store_outbox_clear(&o);
	ck_assert_int_eq(store_outbox_retry(st, id1, "2026-03-01T10:05:00", "421 try later", &err), 0);
	ck_assert_int_eq(store_outbox_next(st, "2026-03-01T10:00:05", &o, &found, &err), 0);
	ck_assert_int_eq(o.id, id2);
	store_outbox_clear(&o);
	ck_assert_int_eq(store_outbox_failed(st, id2, "550 no such user", &err), 0);
	ck_assert_int_eq(store_outbox_next(st, "2026-03-01T10:00:05", &o, &found, &err), 0);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(store_outbox_next(st, "2026-03-01T10:05:00", &o, &found, &err), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(o.attempts, 1);
	store_outbox_clear(&o);
	ck_assert_int_eq(store_outbox_sent(st, id1, "2026-03-01T10:05:00", "250 queued as X", &err), 0);
	ck_assert_int_eq(store_outbox_next(st, "2027-01-01T00:00:00", &o, &found, &err), 0);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(store_outbox_count_since(st, "alice@example.test", "2026-03-01T00:00:00",
	    &count, &err), 0);
	ck_assert_int_eq(count, 1);
	{
		char *ref = NULL;

		ck_assert_int_eq(store_case_by_notice(st, "<n1@fgt.test>", &ref, &err), 0);
		ck_assert_str_eq(ref, "FGT-2026-0001");
		free(ref);
		ck_assert_int_eq(store_case_by_notice(st, "<n2@fgt.test>", &ref, &err), 0);
		ck_assert_ptr_null(ref);
	}
}
END_TEST

START_TEST(member_status_history_and_pin)
{
	struct store_member m, got;
	int found = 0;
	sqlite3 *db;
	sqlite3_stmt *s;

	memset(&m, 0, sizeof(m));
	m.email = "alice@example.test";
	m.name = "Alice Ås";
	m.category = "student";
	m.status = "applicant";
	ck_assert_int_eq(store_member_insert(st, &m, "2026-03-01T10:00:00", &err), 0);
	ck_assert_int_eq(store_member_set_status(st, m.id, "active", NULL, "2026-03-10T10:00:00",
	    "approved", "FGT-2026-0001", &err), 0);
	ck_assert_int_eq(store_member_pin_key(st, m.id, "ABCDEF0123456789ABCDEF0123456789ABCDEF01",
	    "2026-03-10T10:00:00", &err), 0);
	ck_assert_int_eq(store_member_by_email(st, "Alice@Example.test", &got, &found, &err), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_str_eq(got.status, "active");
	ck_assert_str_eq(got.category, "student");
	ck_assert_str_eq(got.name, "Alice Ås");
	ck_assert_str_eq(got.fingerprint, "ABCDEF0123456789ABCDEF0123456789ABCDEF01");
	store_member_clear(&got);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM member_history", -1, &s, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(s, 0), 3);
	sqlite3_finalize(s);
	sqlite3_close(db);
	ck_assert_int_eq(store_member_insert(st, &m, "2026-03-01T10:00:00", &err), -1);
}
END_TEST

START_TEST(rollback_discards_the_whole_transaction)
{
	struct store_mail m = sample_mail(1, 1);
	int64_t id;
	int known = 0;
	enum mail_state state;

	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_int_eq(store_mail_insert(st, &m, &id, &err), 0);
	ck_assert_int_eq(store_event_append(st, "2026-03-01T10:00:00", NULL, "mail", "x", id, &err), 0);
	store_rollback(st);
	ck_assert_int_eq(store_mail_lookup(st, &m, &known, &id, &state, &err), 0);
	ck_assert_int_eq(known, 0);
	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_int_eq(store_mail_insert(st, &m, &id, &err), 0);
	ck_assert_int_eq(store_commit(st, &err), 0);
	ck_assert_int_eq(store_mail_lookup(st, &m, &known, &id, &state, &err), 0);
	ck_assert_int_eq(known, 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("sqlite");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, migrations_set_version_and_reopen);
	tcase_add_test(tc, newer_schema_is_refused);
	tcase_add_test(tc, schema_1_database_migrates);
	tcase_add_test(tc, mail_is_known_by_position_and_by_identity);
	tcase_add_test(tc, pending_moves_until_moved);
	tcase_add_test(tc, event_log_is_append_only);
	tcase_add_test(tc, case_refs_count_per_prefix_and_year);
	tcase_add_test(tc, case_round_trip_with_vars);
	tcase_add_test(tc, timers_due_in_order_fired_kept_until_deleted);
	tcase_add_test(tc, digest_items_until_sent);
	tcase_add_test(tc, outbox_queue_retry_send_fail);
	tcase_add_test(tc, member_status_history_and_pin);
	tcase_add_test(tc, rollback_discards_the_whole_transaction);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
