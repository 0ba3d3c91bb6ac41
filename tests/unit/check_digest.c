/* Unit tests of the digest's content (daemon/digest_build.c): a prepared
 * store (cases, timers, digest items, mails, events written through the
 * store API), the real workflows and templates of the source tree, the
 * English digest checked line by line; per officer; empty. */
#define _XOPEN_SOURCE 700	/* mkdtemp */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "caseflow.h"
#include "clock.h"
#include "config.h"
#include "digest.h"
#include "engine.h"
#include "runtime.h"
#include "store.h"
#include "store_digest.h"
#include "template.h"
#include "xmalloc.h"

#ifndef CLERK_SRCDIR_DEFAULT
#define CLERK_SRCDIR_DEFAULT "."
#endif

#define NOW	"2027-02-01T09:00"
#define SINCE	"2027-01-31T07:00:00"

static struct {
	char		 dir[64];
	struct config	*cfg;
	struct store	*st;
	struct runtime	 rt;
	struct caseflow	 cf;
	struct clock_now now;
} fx;

static const char *
srcdir(void)
{
	const char *s = getenv("CLERK_SRCDIR");

	return s && *s ? s : CLERK_SRCDIR_DEFAULT;
}

static void
setup(void)
{
	struct clerk_err err = { 0, "" };
	struct buf diag = BUF_INIT;
	time_t t;
	char *text, *db;

	snprintf(fx.dir, sizeof(fx.dir), "/tmp/clerk-check-digest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx.dir));
	text = xasprintf(
	    "[intake]\nmaildir = %s/maildir\n\n"
	    "[smtp]\nurl = smtp://127.0.0.1:2525\nenvelope_from = clerk@fgt.test\n\n"
	    "[openpgp]\nhome = %s\nfingerprint = 0123456789ABCDEF0123456789ABCDEF01234567\n\n"
	    "[association]\nname = FGT Test\naddress = clerk@fgt.test\n"
	    "profile = fgt\nworkflows = %s/workflows\nlanguage = en\n"
	    "timezone = Europe/Oslo\n\n"
	    "[officer secretary]\nemail = secretary@fgt.test\n"
	    "fingerprint = 1111111111111111111111111111111111111111\n\n"
	    "[officer treasurer]\nemail = treasurer@fgt.test\n"
	    "fingerprint = 2222222222222222222222222222222222222222\nlanguage = nb\n\n"
	    "[digest]\nrecipients = secretary treasurer\nhour = 7\n\n"
	    "[storage]\ndatabase = %s/clerk.db\n", fx.dir, fx.dir, srcdir(), fx.dir);
	if (config_parse("test.conf", fx.dir, text, strlen(text), &fx.cfg, &err) != 0)
		ck_abort_msg("config: %s", err.msg);
	free(text);
	ck_assert_int_eq(clock_set_timezone("Europe/Oslo", &err), 0);
	ck_assert_int_eq(clock_parse_fixed(NOW, &t, &err), 0);
	clock_read(t, &fx.now);
	if (runtime_load(fx.cfg, 0, &fx.rt, &diag, &err) != 0)
		ck_abort_msg("runtime: %s\n%s", err.msg, buf_str(&diag));
	buf_free(&diag);
	db = xasprintf("%s/clerk.db", fx.dir);
	ck_assert_int_eq(store_open(db, &fx.st, &err), 0);
	free(db);
	caseflow_init(&fx.cf, fx.cfg, fx.st, &fx.rt);
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", fx.dir);

	store_close(fx.st);
	runtime_free(&fx.rt);
	config_free(fx.cfg);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

#define OK(call) do { \
	struct clerk_err e_ = { 0, "" }; \
	ck_assert_msg((call) == 0, "%s: %s", #call, e_.msg); \
} while (0)

static int64_t
add_case(const char *ref, const char *workflow, const char *state, const char *email,
    const char *name, const char *opened, const char *closed)
{
	struct clerk_err err = { 0, "" };
	struct store_case c;

	memset(&c, 0, sizeof(c));
	c.ref = (char *)ref;
	c.workflow = (char *)workflow;
	c.state = (char *)state;
	c.email = (char *)email;
	c.opened = (char *)opened;
	ck_assert_msg(store_case_insert(fx.st, &c, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_case_var_set(fx.st, c.id, "name", name, &err), 0);
	if (closed != NULL)
		ck_assert_int_eq(store_case_set_state(fx.st, ref, state, closed, &err), 0);
	return c.id;
}

static void
add_deadline(int64_t case_id, const char *name, const char *date, int fired)
{
	struct clerk_err err = { 0, "" };
	struct wf_timer t;
	char *spec, due[CAL_DATETIME_BUFSZ];

	memset(&t, 0, sizeof(t));
	t.kind = WF_TIMER_DEADLINE;
	t.name = (char *)name;
	ck_assert_int_eq(cal_date_parse(date, &t.date, &err), 0);
	t.due.date = cal_add_days(t.date, 1);
	t.due.hour = 8;
	t.fired = fired;
	spec = wf_timer_to_text(&t);
	cal_datetime_format(t.due, due);
	ck_assert_int_eq(store_timer_put(fx.st, case_id, name, due, spec, fired, SINCE, &err), 0);
	free(spec);
}

static int64_t
add_mail_signed(int uid, const char *from, const char *subject, const char *kind,
    const char *at, const char *ref, const char *signature, int by_sender)
{
	struct clerk_err err = { 0, "" };
	struct store_mail m;
	int64_t id = 0;

	memset(&m, 0, sizeof(m));
	m.source = "imap:INBOX";
	m.uidvalidity = 1;
	m.uid = uid;
	m.message_id = subject;
	m.sha256 = "00";
	m.received = at;
	m.kind = kind;
	m.from_addr = from;
	m.subject = subject;
	m.case_ref = ref;
	m.signature = signature;
	m.signer_is_sender = by_sender;
	m.state = MAIL_APPLIED;
	m.raw = "x";
	m.raw_len = 1;
	ck_assert_msg(store_mail_insert(fx.st, &m, &id, &err) == 0, "%s", err.msg);
	return id;
}

static int64_t
add_mail(int uid, const char *from, const char *subject, const char *kind, const char *at)
{
	return add_mail_signed(uid, from, subject, kind, at, NULL, NULL, 0);
}

/* The situation of 1 February 2027, 09:00; the last digest went out on
 * 31 January at 07:00. */
static void
prepare(void)
{
	struct clerk_err err = { 0, "" };
	int64_t alice, bob, carol, dave, frank, q, bad;
	char text[200];

	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	/* Reported before: a diploma still waiting, an application that moved on. */
	dave = add_case("FGT-2026-0041", "diploma", "received", "dave@example.test",
	    "Dave Example", "2026-06-01T10:00:00", NULL);
	frank = add_case("FGT-2026-0042", "application", "incomplete", "frank@example.test",
	    "Frank Example", "2027-01-10T10:00:00", NULL);
	(void)dave;
	(void)frank;
	OK(store_digest_add(fx.st, "2027-01-19T08:00:00", "FGT-2026-0041", "decision_needed",
	    "secretary", "diploma received", &e_));
	OK(store_digest_add(fx.st, "2027-01-19T08:00:00", "FGT-2026-0042", "decision_needed",
	    "secretary", "application complete", &e_));
	OK(store_event_append(fx.st, "2027-01-25T12:00:00", "FGT-2026-0042", "state",
	    "with_secretary -> incomplete (command request)", 0, &e_));
	OK(store_digest_add(fx.st, "2027-01-30T08:00:00", NULL, "info", "secretary",
	    "reported yesterday", &e_));
	OK(store_digest_mark_sent(fx.st, "secretary", 1000, SINCE, &e_));
	OK(store_meta_set(fx.st, "digest.last_at", SINCE, &e_));

	/* New since then. */
	alice = add_case("FGT-2027-0001", "application", "with_secretary", "alice@example.test",
	    "Alice Example", "2027-01-31T10:00:00", NULL);
	bob = add_case("FGT-2027-0002", "application", "incomplete", "bob@example.test",
	    "Bob Example", "2027-01-20T10:00:00", NULL);
	add_deadline(bob, "complete", "2027-02-05", 0);
	carol = add_case("FGT-2026-0040", "dues", "overdue", "carol@example.test",
	    "Carol Example", "2026-12-20T10:00:00", NULL);
	add_deadline(carol, "due", "2027-01-15", 1);
	add_deadline(carol, "dunning", "2027-02-15", 0);
	ck_assert_int_eq(store_case_var_set(fx.st, carol, "owed", "125000", &err), 0);
	add_case("FGT-2026-0043", "application", "lapsed", "eve@example.test", "Eve Example",
	    "2026-12-01T10:00:00", "2027-01-31T08:00:00");
	/* Paid in January: only the dues summary tells of it. */
	add_case("FGT-2027-0003", "dues", "paid", "grace@example.test", "Grace Example",
	    "2027-01-05T10:00:00", "2027-01-20T10:00:00");
	OK(store_digest_add(fx.st, "2027-01-31T08:00:00", "FGT-2026-0043", "deadline_passed",
	    "secretary", "application not completed", &e_));
	/* Decided (closed) before any digest told of it: no longer waiting. */
	OK(store_digest_add(fx.st, "2027-01-31T08:00:00", "FGT-2026-0043", "decision_needed",
	    "secretary", "application complete", &e_));
	OK(store_digest_add(fx.st, "2027-01-31T10:00:00", "FGT-2027-0001", "new_case",
	    "secretary", "", &e_));
	OK(store_digest_add(fx.st, "2027-01-31T10:00:00", "FGT-2027-0001", "decision_needed",
	    "secretary", "application complete", &e_));
	OK(store_digest_add(fx.st, "2027-01-31T10:05:00", "FGT-2027-0001", "info", "secretary",
	    "delivery failed: 550 5.1.1 no such user (notice application_received to "
	    "alice@example.test, Message-ID <n1@fgt.test>)", &e_));
	(void)alice;
	/* A mail nobody understood, kept: listed once, not again as info. */
	q = add_mail(1, "stranger@example.test", "Hello", "unknown", "2027-01-31T11:00:00");
	OK(store_mail_set_outcome(fx.st, q, NULL, MAIL_QUARANTINED, "not understood", &e_));
	snprintf(text, sizeof(text), "mail %lld: not understood", (long long)q);
	OK(store_digest_add(fx.st, "2027-01-31T11:00:00", NULL, "info", "secretary", text, &e_));
	/* A reply with a bad signature; one with a good one is no news. */
	bad = add_mail_signed(2, "bob@example.test", "Re: [FGT-2027-0002]", "reply",
	    "2027-01-31T12:00:00", "FGT-2027-0002", "bad", 0);
	OK(store_event_append(fx.st, "2027-01-31T12:00:00", "FGT-2027-0002", "mail",
	    "reply: reply to FGT-2027-0002; signature bad", bad, &e_));
	OK(store_event_append(fx.st, "2027-01-31T12:30:00", "FGT-2027-0002", "mail",
	    "reply: reply to FGT-2027-0002; signature good",
	    add_mail_signed(3, "bob@example.test", "Re: again", "reply", "2027-01-31T12:30:00",
	    "FGT-2027-0002", "good", 1), &e_));
	/* A good signature, but by a key that is not the sender's. */
	add_mail_signed(5, "carol@example.test", "Re: [FGT-2026-0040]", "reply",
	    "2027-01-31T12:45:00", "FGT-2026-0040", "good", 0);
	/* Before the last digest: reported then. */
	OK(store_event_append(fx.st, "2027-01-30T12:00:00", NULL, "mail",
	    "unknown: nothing; signature bad",
	    add_mail_signed(4, "old@example.test", "Old", "unknown", "2027-01-30T12:00:00", NULL,
	    "bad", 0), &e_));
	OK(store_digest_add(fx.st, "2027-01-31T13:00:00", NULL, "refused", "secretary",
	    "command mail from the treasurer (treasurer@fgt.test) \"paid\": the mail is not "
	    "signed with OpenPGP", &e_));
	OK(store_digest_add(fx.st, "2027-01-31T14:00:00", NULL, "info", "secretary",
	    "a notice bounced", &e_));
	OK(store_commit(fx.st, &e_));
}

/* The body's lines from the greeting on, without the blank ones. */
static void
assert_body(const char *body, const char *const *want)
{
	char *copy = xstrdup(body), *save = NULL, *line;
	size_t i = 0;

	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_msg(want[i] != NULL, "extra line %zu: %s\n--- body:\n%s", i, line, body);
		ck_assert_msg(strcmp(line, want[i]) == 0,
		    "line %zu:\n got: %s\nwant: %s\n--- body:\n%s", i, line, want[i], body);
		i++;
	}
	ck_assert_msg(want[i] == NULL, "missing line %zu: %s\n--- body:\n%s", i, want[i], body);
	free(copy);
}

static char *
render(const struct digest_for *df, int *count, struct digest_marks *marks, char **subject)
{
	struct clerk_err err = { 0, "" };
	struct tvars tv = TVARS_INIT;
	struct rendered r;
	char *body;

	if (digest_build(&fx.cf, &fx.now, SINCE, df, &tv, count, marks, &err) != 0)
		ck_abort_msg("digest_build: %s", err.msg);
	if (template_render(fx.rt.tpl, "digest", df->lang ? df->lang : "en", &tv, &r, &err) != 0)
		ck_abort_msg("render: %s", err.msg);
	body = xstrdup(r.body);
	if (subject != NULL)
		*subject = xstrdup(r.subject);
	rendered_free(&r);
	tvars_free(&tv);
	return body;
}

#define HINT_APP(ref) "request " ref " <what is missing...> | approve " ref " [category] | " \
	"reject " ref " <reason...>"

START_TEST(the_whole_digest_line_by_line)
{
	static const char *const want[] = {
		"Hello,",
		"Here is clerk's summary for FGT Test on 1 February 2027.",
		"Waiting for a decision:",
		"- FGT-2026-0041 diploma, Dave Example: diploma received; command: approve "
		    "FGT-2026-0041 [category] | reject FGT-2026-0041 <reason...> | extend "
		    "FGT-2026-0041 <days>",
		"- FGT-2027-0001 application, Alice Example: application complete; command: "
		    HINT_APP("FGT-2027-0001"),
		"New cases:",
		"- FGT-2027-0001 application, Alice Example <alice@example.test> (with_secretary); "
		    "command: " HINT_APP("FGT-2027-0001"),
		"Deadlines in the next 7 days:",
		"- FGT-2027-0002 application, Bob Example: deadline complete 5 February 2027 "
		    "(incomplete); command: " HINT_APP("FGT-2027-0002"),
		"Deadlines passed, case still open:",
		"- FGT-2026-0040 dues, Carol Example: deadline due 15 January 2027 passed "
		    "(overdue); command: paid FGT-2026-0040 <amount> [date]",
		"Deadlines that have passed:",
		"- FGT-2026-0043 application, Eve Example (closed): application not completed",
		"Unpaid dues:",
		"- FGT-2026-0040 dues, Carol Example owes NOK 1,250.00 (overdue); command: paid "
		    "FGT-2026-0040 <amount> [date]",
		"Notices that could not be delivered:",
		"- FGT-2027-0001 application, Alice Example: delivery failed: 550 5.1.1 no such "
		    "user (notice application_received to alice@example.test, Message-ID "
		    "<n1@fgt.test>)",
		"Mail kept for you to look at:",
		"- mail 1 from stranger@example.test, \"Hello\": not understood; clerkctl "
		    "quarantine show 1",
		"Mail with a bad or unknown signature:",
		"- mail 2 from bob@example.test, \"Re: [FGT-2027-0002]\": signature bad "
		    "(FGT-2027-0002)",
		"- mail 4 from carol@example.test, \"Re: [FGT-2026-0040]\": signature good, but "
		    "not by the sender's key (FGT-2026-0040)",
		"Mail refused (commands, and signed forms whose signature did not count):",
		"- command mail from the treasurer (treasurer@fgt.test) \"paid\": the mail is not "
		    "signed with OpenPGP",
		"Where the cases of the year stand:",
		"- dues 2026: 1 overdue",
		"- dues 2027: 1 paid",
		"For your information:",
		"- a notice bounced",
		"To act, answer this mail with one command a line, signed with your OpenPGP key; "
		    "each line above ends with the command that acts on it.",
		"clerk, for FGT Test",
		NULL,
	};
	struct digest_for df = { "secretary", "en", 0 };
	struct digest_marks marks = { NULL, 0, 0 };
	char *body, *subject = NULL;
	int count = 0;

	prepare();
	body = render(&df, &count, &marks, &subject);
	ck_assert_str_eq(subject, "Daily summary for 1 February 2027");
	assert_body(body, want);
	ck_assert_int_eq(count, 13);
	/* Every unsent item it took, the consumed ones too (new_case, the
	 * quarantine's info line, the decided case's): ids 4 to 11. */
	ck_assert_uint_eq(marks.n, 1);
	ck_assert_str_eq(marks.v[0].role, "secretary");
	ck_assert_int_eq(marks.v[0].last_id, 11);
	digest_marks_free(&marks);
	free(subject);
	free(body);
}
END_TEST

START_TEST(one_digest_per_officer)
{
	static const char *const treasurer[] = {
		"Hei,",
		"Her er dagens oversikt fra clerk for FGT Test (1. februar 2027).",
		"Frister som er passert, saken er fortsatt åpen:",
		"- FGT-2026-0040 dues, Carol Example: deadline due 15. januar 2027 passed "
		    "(overdue); command: paid FGT-2026-0040 <amount> [date]",
		"Ubetalt kontingent:",
		"- FGT-2026-0040 dues, Carol Example owes NOK 1 250,00 (overdue); command: paid "
		    "FGT-2026-0040 <amount> [date]",
		"Status for årets saker:",
		"- dues 2026: 1 overdue",
		"- dues 2027: 1 paid",
		NULL,
	};
	struct digest_for df = { "treasurer", "nb", 1 };
	struct digest_marks marks = { NULL, 0, 0 };
	char *body;
	int count = 0;

	prepare();
	fx.cfg->digest.per_officer = 1;
	body = render(&df, &count, &marks, NULL);
	ck_assert_int_eq(count, 2);
	/* Compare up to the closing paragraph. */
	{
		char *cut = strstr(body, "\n\nSvar på denne");

		ck_assert_ptr_nonnull(cut);
		*cut = '\0';
		assert_body(body, treasurer);
	}
	ck_assert_uint_eq(marks.n, 0);	/* no item is the treasurer's */
	free(body);

	/* The secretary: everything but the treasurer's lines. */
	df = (struct digest_for){ "secretary", "en", 1 };
	body = render(&df, &count, &marks, NULL);
	ck_assert_int_eq(count, 11);
	ck_assert_ptr_null(strstr(body, "Unpaid dues:"));
	ck_assert_ptr_null(strstr(body, "Deadlines passed"));
	ck_assert_ptr_null(strstr(body, "dues 2026:"));	/* the treasurer's */
	ck_assert_ptr_nonnull(strstr(body, "- FGT-2026-0041 diploma"));
	free(body);
	digest_marks_free(&marks);

	/* With no digest of the treasurer's own, the secretary reads those too. */
	free(fx.cfg->digest.recipients);
	fx.cfg->digest.recipients = xstrdup("secretary");
	body = render(&df, &count, NULL, NULL);
	ck_assert_int_eq(count, 13);
	ck_assert_ptr_nonnull(strstr(body, "Unpaid dues:\n- FGT-2026-0040 dues"));
	free(body);
}
END_TEST

/* Thousands owing: a section shows its first lines and says how many
 * more there are and where to see them all; each still counts. */
START_TEST(a_long_section_is_cut)
{
	struct digest_for df = { "secretary", "en", 0 };
	struct clerk_err err = { 0, "" };
	char *body, ref[32], email[64], *more;
	int count = 0, lines = 0;

	prepare();
	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	for (int i = 0; i < 60; i++) {
		int64_t id;

		snprintf(ref, sizeof(ref), "FGT-2027-%04d", 100 + i);
		snprintf(email, sizeof(email), "m%d@example.test", i);
		id = add_case(ref, "dues", "invoiced", email, "M", "2027-01-02T10:00:00", NULL);
		ck_assert_int_eq(store_case_var_set(fx.st, id, "owed", "50000", &err), 0);
		/* Reported events are never cut: nothing else would show them. */
		snprintf(email, sizeof(email), "event %d", i);
		ck_assert_int_eq(store_digest_add(fx.st, "2027-01-31T15:00:00", NULL, "info",
		    "secretary", email, &err), 0);
	}
	ck_assert_int_eq(store_commit(fx.st, &err), 0);
	body = render(&df, &count, NULL, NULL);
	ck_assert_int_eq(count, 13 + 60 + 60);
	if (strstr(body, "- event 0\n") == NULL || strstr(body, "- event 59\n") == NULL) {
		const char *info = strstr(body, "For your information");

		ck_abort_msg("events cut: %.900s", info ? info : body);
	}
	for (const char *p = strstr(body, "Unpaid dues:\n"); p != NULL && (p = strchr(p, '\n'))
	    != NULL && strncmp(p + 1, "- ", 2) == 0; p++)
		lines++;
	ck_assert_int_eq(lines, 51);	/* 50 cases and the line that says so */
	more = strstr(body, "- ... and 11 more (clerkctl cases lists them all)\n");
	ck_assert_msg(more != NULL, "%.900s", strstr(body, "Unpaid dues:"));
	ck_assert_ptr_nonnull(strstr(body, "- dues 2027: 60 invoiced, 1 paid\n"));
	free(body);
}
END_TEST

START_TEST(a_day_with_nothing)
{
	struct digest_for df = { "secretary", "en", 0 };
	struct buf out = BUF_INIT;
	struct clerk_err err = { 0, "" };
	char *body;
	int count = -1;

	body = render(&df, &count, NULL, NULL);
	ck_assert_int_eq(count, 0);
	ck_assert_ptr_null(strstr(body, "- "));
	free(body);
	ck_assert_int_eq(digest_preview(&fx.cf, &fx.now, &out, &err), 0);
	{
		static const char head[] = "To: secretary <secretary@fgt.test> (en, 0 lines, "
		    "not sent: nothing to say)\nSubject: Daily summary for 1 February 2027\n";

		ck_assert_msg(strncmp(buf_str(&out), head, strlen(head)) == 0, "%s",
		    buf_str(&out));
	}
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "To: treasurer <treasurer@fgt.test> (nb, 0 "
	    "lines, not sent: nothing to say)\nSubject: Daglig oversikt for 1. februar 2027\n"));
	buf_free(&out);
}
END_TEST

START_TEST(the_period_starts_at_the_last_digest)
{
	struct clerk_err err = { 0, "" };
	char *since = NULL;

	ck_assert_int_eq(digest_since(&fx.cf, &fx.now, &since, &err), 0);
	ck_assert_str_eq(since, "2027-01-31T09:00:00");	/* a day before now */
	free(since);
	ck_assert_int_eq(store_meta_set(fx.st, "digest.last_at", SINCE, &err), 0);
	ck_assert_int_eq(digest_since(&fx.cf, &fx.now, &since, &err), 0);
	ck_assert_str_eq(since, SINCE);
	free(since);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("build");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_whole_digest_line_by_line);
	tcase_add_test(tc, one_digest_per_officer);
	tcase_add_test(tc, a_day_with_nothing);
	tcase_add_test(tc, a_long_section_is_cut);
	tcase_add_test(tc, the_period_starts_at_the_last_digest);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
