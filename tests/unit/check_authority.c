/* Unit tests of the rules of authority (issue 16), each on its own: what a
 * signature covers and what is outside it, a signature's identity and its
 * age, the armour lines that make a clearsigned block, confirmation tokens
 * in case references and the answers of replies, the store's record of
 * signatures and tokens, the one-daemon lock and private files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "classify.h"
#include "compose.h"
#include "forms.h"
#include "mail.h"
#include "openpgp.h"
#include "reading.h"
#include "store.h"
#include "store_authority.h"
#include "xmalloc.h"

static const char *
srcdir(void)
{
	const char *s = getenv("CLERK_SRCDIR");

	return s != NULL && *s != '\0' ? s : CLERK_SRCDIR_DEFAULT;
}

static char tmpdir[64];

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/clerk-check-authority.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* The same signed text however it is re-sent: line ends, blanks at line
 * ends and trailing empty lines do not count; signer, time and any other
 * character do. */
START_TEST(signature_identity)
{
	static const char fpr[] = "0123456789ABCDEF0123456789ABCDEF01234567";
	char a[65], b[65];

	reading_signature_id(fpr, 1800000000, "paid FGT-2027-0001 100\n", 23, a);
	reading_signature_id(fpr, 1800000000, "paid FGT-2027-0001 100  \r\n\r\n", 28, b);
	ck_assert_str_eq(a, b);
	reading_signature_id(fpr, 1800000000, "paid FGT-2027-0001 100", 22, b);
	ck_assert_str_eq(a, b);
	ck_assert_uint_eq(strlen(a), 64);
	reading_signature_id(fpr, 1800000001, "paid FGT-2027-0001 100\n", 23, b);
	ck_assert_str_ne(a, b);
	reading_signature_id("1123456789ABCDEF0123456789ABCDEF01234567", 1800000000,
	    "paid FGT-2027-0001 100\n", 23, b);
	ck_assert_str_ne(a, b);
	reading_signature_id(fpr, 1800000000, "paid FGT-2027-0001 1000\n", 24, b);
	ck_assert_str_ne(a, b);
	reading_signature_id(fpr, 1800000000, "paid FGT-2027-0001  100\n", 24, b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(text_outside_the_signature)
{
	ck_assert_int_eq(reading_text_outside("show X\n", "show X\n"), 0);
	ck_assert_int_eq(reading_text_outside("\n  show X\n\n", "show X\n"), 0);
	ck_assert_int_eq(reading_text_outside("paid X 1\nshow X\n", "show X\n"), 1);
	ck_assert_int_eq(reading_text_outside("show X\n-- \nlist footer\n", "show X\n"), 1);
	ck_assert_int_eq(reading_text_outside("", NULL), 0);
	ck_assert_int_eq(reading_text_outside("something\n", NULL), 1);
	ck_assert_int_eq(reading_text_outside("a different text\n", "show X\n"), 1);
	ck_assert_int_eq(reading_outside_block("-----BEGIN PGP MESSAGE-----\nxx\n"
	    "-----END PGP MESSAGE-----\n", "-----BEGIN PGP MESSAGE-----",
	    "-----END PGP MESSAGE-----"), 0);
	ck_assert_int_eq(reading_outside_block("paid X 1\n-----BEGIN PGP MESSAGE-----\nxx\n"
	    "-----END PGP MESSAGE-----\n", "-----BEGIN PGP MESSAGE-----",
	    "-----END PGP MESSAGE-----"), 1);
	ck_assert_int_eq(reading_outside_block("-----BEGIN PGP MESSAGE-----\nxx\n"
	    "-----END PGP MESSAGE-----\nP.S. paid X 1\n", "-----BEGIN PGP MESSAGE-----",
	    "-----END PGP MESSAGE-----"), 1);
}
END_TEST

/* Recent by the signature's own time, a few minutes of clock skew. */
START_TEST(signature_age)
{
	const long long now = 1800000000, day = 86400;

	ck_assert_int_eq(pgp_signature_age_check(now, now, 3 * day), 0);
	ck_assert_int_eq(pgp_signature_age_check(now - 3 * day, now, 3 * day), 0);
	ck_assert_int_eq(pgp_signature_age_check(now - 3 * day - 1, now, 3 * day), 1);
	ck_assert_int_eq(pgp_signature_age_check(now - 5 * day, now, 3 * day), 1);
	ck_assert_int_eq(pgp_signature_age_check(now + PGP_SIGNATURE_SKEW_SECONDS, now, 3 * day), 0);
	ck_assert_int_eq(pgp_signature_age_check(now + PGP_SIGNATURE_SKEW_SECONDS + 1, now,
	    3 * day), 2);
	ck_assert_int_eq(pgp_signature_age_check(0, now, 3 * day), 3);
}
END_TEST

/* A clearsigned block is one whose armour lines stand alone at line
 * starts, whole within one text part. */
START_TEST(armour_lines_stand_alone)
{
	static const char midline[] =
	    "From: s@fgt.test\r\nSubject: x\r\n\r\n"
	    "paid FGT-2027-0001 1875\r\n"
	    "Hi -----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nshow X\r\n"
	    "-----BEGIN PGP SIGNATURE-----\r\n\r\nAAAA\r\n-----END PGP SIGNATURE-----\r\n";
	static const char two_parts[] =
	    "From: s@fgt.test\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\n"
	    "-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\npaid X 1\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\n"
	    "-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nshow X\r\n"
	    "-----BEGIN PGP SIGNATURE-----\r\n\r\nAAAA\r\n-----END PGP SIGNATURE-----\r\n"
	    "--b--\r\n";
	struct mail *m = NULL;
	struct clerk_err err;

	ck_assert_msg(mail_parse(midline, sizeof(midline) - 1, NULL, &m, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_NONE);
	mail_free(m);
	ck_assert_msg(mail_parse(two_parts, sizeof(two_parts) - 1, NULL, &m, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_INLINE_SIGNED);
	ck_assert_ptr_nonnull(strstr(m->pgp.signed_data.data, "show X"));
	ck_assert_ptr_null(strstr(m->pgp.signed_data.data, "paid X"));
	mail_free(m);
}
END_TEST

/* "[REF/TOKEN]": the case, and the token of a confirmation mail. */
START_TEST(confirmation_token_in_the_reference)
{
	char ref[32], token[48];

	ck_assert_int_eq(classify_find_ref_token("Re: [FGT-2027-0042/K7QF3M2XD9WT4HPA] Bekreft",
	    ref, sizeof(ref), token, sizeof(token)), 0);
	ck_assert_str_eq(ref, "FGT-2027-0042");
	ck_assert_str_eq(token, "K7QF3M2XD9WT4HPA");
	ck_assert_int_eq(classify_find_ref_token("Re: [FGT-2027-0042] x", ref, sizeof(ref), token,
	    sizeof(token)), 0);
	ck_assert_str_eq(token, "");
	/* Too short, lower case, or not closed: not a token, nor a reference. */
	ck_assert_int_eq(classify_find_ref_token("[FGT-2027-0042/K7QF]", ref, sizeof(ref), token,
	    sizeof(token)), -1);
	ck_assert_int_eq(classify_find_ref_token("[FGT-2027-0042/k7qf3m2xd9wt4hpa]", ref,
	    sizeof(ref), token, sizeof(token)), -1);
	ck_assert_int_eq(classify_find_ref_token("[FGT-2027-0042/K7QF3M2XD9WT4HPA", ref,
	    sizeof(ref), token, sizeof(token)), -1);
	ck_assert_int_eq(classify_find_ref("Re: [FGT-2027-0042/K7QF3M2XD9WT4HPA]", ref,
	    sizeof(ref)), 0);
	ck_assert_str_eq(ref, "FGT-2027-0042");
}
END_TEST

START_TEST(token_goes_into_the_subject)
{
	struct notice_header h;
	struct buf b = BUF_INIT;
	struct clerk_err err;

	memset(&h, 0, sizeof(h));
	h.from_addr = "clerk@fgt.test";
	h.to_addr = "alice@example.test";
	h.case_ref = "FGT-2027-0042";
	h.ref_token = "K7QF3M2XD9WT4HPA";
	h.subject = "Please confirm your resignation";
	h.date = (struct cal_datetime){ { 2027, 3, 11 }, 9, 0, 0 };
	h.message_id = "<x@fgt.test>";
	ck_assert_msg(compose_header(&h, &b, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(buf_str(&b), "\r\nSubject: [FGT-2027-0042/K7QF3M2XD9WT4HPA] "
	    "Please confirm your resignation\r\n"));
	buf_reset(&b);
	h.ref_token = "K7Q F3M";
	ck_assert_int_eq(compose_header(&h, &b, &err), -1);
	buf_free(&b);
}
END_TEST

/* The first own line of a reply, in the four languages. */
START_TEST(answers_of_replies)
{
	struct forms_table *t = NULL;
	struct clerk_err err;
	struct buf text = BUF_INIT;
	char *path = xasprintf("%s/workflows/forms/labels.tsv", srcdir());

	ck_assert_msg(buf_read_file(&text, path, &err) == 0, "%s", err.msg);
	ck_assert_msg(forms_table_load(buf_str(&text), text.len, path, &t, &err) == 0, "%s",
	    err.msg);
	ck_assert_str_eq(forms_answer(t, "Confirm\n\nDave\n> Please confirm\n"), "confirm");
	ck_assert_str_eq(forms_answer(t, "\n  BEKREFT.\n"), "confirm");
	ck_assert_str_eq(forms_answer(t, "Bekræft venligst\n"), "confirm");
	ck_assert_str_eq(forms_answer(t, "ja\n"), "confirm");
	ck_assert_str_eq(forms_answer(t, "Nei, det var ikke meg\n"), "cancel");
	ck_assert_str_eq(forms_answer(t, "Trekk tilbake\n\nJeg blir.\n"), "withdraw");
	ck_assert_str_eq(forms_answer(t, "intrekken\n"), "withdraw");
	/* Quoted text and what follows a signature line are not the answer. */
	ck_assert_ptr_null(forms_answer(t, "> Confirm\n\nThanks for the mail.\n"));
	ck_assert_ptr_null(forms_answer(t, "-- \nConfirm\n"));
	ck_assert_ptr_null(forms_answer(t, ""));
	ck_assert_ptr_null(forms_answer(t, "I am not sure what this is about.\n"));
	forms_table_free(t);
	buf_free(&text);
	free(path);
}
END_TEST

static struct store *
open_store(const char *name)
{
	struct store *st = NULL;
	struct clerk_err err;
	char *p = xasprintf("%s/%s", tmpdir, name);

	ck_assert_msg(store_open(p, &st, &err) == 0, "%s", err.msg);
	free(p);
	return st;
}

START_TEST(signatures_and_tokens_in_the_store)
{
	struct store *st = open_store("a.db");
	struct store_case c;
	struct clerk_err err;
	const char *why;
	char *at = NULL;
	int seen = -1, valid = -1;

	ck_assert_int_eq(store_signature_seen(st, "aa", &seen, &at, &err), 0);
	ck_assert_int_eq(seen, 0);
	ck_assert_ptr_null(at);
	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_int_eq(store_signature_record(st, "aa", "2027-03-02T10:05:00", 7, "command",
	    &err), 0);
	/* Twice is an error: the caller looks first. */
	ck_assert_int_eq(store_signature_record(st, "aa", "2027-03-02T10:06:00", 8, "command",
	    &err), -1);
	ck_assert_int_eq(store_commit(st, &err), 0);
	ck_assert_int_eq(store_signature_seen(st, "aa", &seen, &at, &err), 0);
	ck_assert_int_eq(seen, 1);
	ck_assert_str_eq(at, "2027-03-02T10:05:00");
	free(at);

	memset(&c, 0, sizeof(c));
	c.ref = (char *)"FGT-2027-0001";
	c.workflow = (char *)"resignation";
	c.state = (char *)"unconfirmed";
	c.email = (char *)"alice@example.test";
	c.opened = (char *)"2027-03-11T09:00:00";
	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_msg(store_case_insert(st, &c, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_confirmation_add(st, "hash1", c.id, "unconfirmed",
	    "2027-03-11T09:00:00", &err), 0);
	ck_assert_int_eq(store_commit(st, &err), 0);
	ck_assert_int_eq(store_confirmation_check(st, "hash1", c.id, "unconfirmed", &valid, &why,
	    &err), 0);
	ck_assert_int_eq(valid, 1);
	/* Another case, another state, an unknown token: not valid. */
	ck_assert_int_eq(store_confirmation_check(st, "hash1", c.id + 1, "unconfirmed", &valid,
	    &why, &err), 0);
	ck_assert_int_eq(valid, 0);
	ck_assert_str_eq(why, "unknown");
	ck_assert_int_eq(store_confirmation_check(st, "hash1", c.id, "pending", &valid, &why,
	    &err), 0);
	ck_assert_int_eq(valid, 0);
	ck_assert_str_eq(why, "stale");
	ck_assert_int_eq(store_confirmation_check(st, "nope", c.id, "unconfirmed", &valid, &why,
	    &err), 0);
	ck_assert_int_eq(valid, 0);
	/* Once. */
	ck_assert_int_eq(store_confirmation_use(st, "hash1", "2027-03-12T09:00:00", &err), 0);
	ck_assert_int_eq(store_confirmation_check(st, "hash1", c.id, "unconfirmed", &valid, &why,
	    &err), 0);
	ck_assert_int_eq(valid, 0);
	ck_assert_str_eq(why, "used");
	ck_assert_int_eq(store_confirmation_use(st, "hash1", "2027-03-12T09:00:00", &err), -1);
	store_close(st);
}
END_TEST

/* One clerkd per configuration; a second waits, then names the first. */
START_TEST(one_daemon_per_database)
{
	char *db = xasprintf("%s/clerk.db", tmpdir), *lock = xasprintf("%s.lock", db);
	char pid[32];
	struct clerk_err err;
	struct stat sb;
	int a = -1, b = -1;

	ck_assert_msg(store_daemon_lock(db, 0, &a, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_daemon_lock(db, 200, &b, &err), -1);
	ck_assert_int_eq(b, -1);
	snprintf(pid, sizeof(pid), "(pid %ld)", (long)getpid());
	ck_assert_msg(strstr(err.msg, "another clerkd") != NULL && strstr(err.msg, pid) != NULL,
	    "%s", err.msg);
	ck_assert_int_eq(stat(lock, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	store_daemon_unlock(a);
	ck_assert_msg(store_daemon_lock(db, 0, &b, &err) == 0, "%s", err.msg);
	store_daemon_unlock(b);
	free(lock);
	free(db);
}
END_TEST

/* The database is private whatever the umask; a loose one is narrowed. */
START_TEST(database_is_private)
{
	char *db = xasprintf("%s/p.db", tmpdir), *wal = xasprintf("%s-wal", db);
	mode_t old = umask(0);
	struct store *st;
	struct stat sb;

	st = open_store("p.db");
	ck_assert_int_eq(stat(db, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	if (stat(wal, &sb) == 0)
		ck_assert_int_eq(sb.st_mode & 0777, 0600);
	store_close(st);
	ck_assert_int_eq(chmod(db, 0644), 0);
	st = open_store("p.db");
	ck_assert_int_eq(stat(db, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	store_close(st);
	umask(old);
	free(wal);
	free(db);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("authority");
	TCase *tc = tcase_create("rules");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, signature_identity);
	tcase_add_test(tc, text_outside_the_signature);
	tcase_add_test(tc, signature_age);
	tcase_add_test(tc, armour_lines_stand_alone);
	tcase_add_test(tc, confirmation_token_in_the_reference);
	tcase_add_test(tc, token_goes_into_the_subject);
	tcase_add_test(tc, answers_of_replies);
	tcase_add_test(tc, signatures_and_tokens_in_the_store);
	tcase_add_test(tc, one_daemon_per_database);
	tcase_add_test(tc, database_is_private);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
