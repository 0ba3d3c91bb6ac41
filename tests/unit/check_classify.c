/* Unit tests of mail classification, on mails parsed from text. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "error.h"
#include "mail.h"

static const char *const verbs[] = { "approve", "reject", "paid", "show", NULL };

static struct mail *
parse(const char *text)
{
	struct mail *m = NULL;
	struct clerk_err err;

	ck_assert_msg(mail_parse(text, strlen(text), NULL, &m, &err) == 0, "%s", err.msg);
	return m;
}

static enum mail_kind
kind_of(const char *text, const char *form, const char *ref, const char *officer,
    struct classification *c)
{
	struct classify_input in;
	struct mail *m = parse(text);

	memset(&in, 0, sizeof(in));
	in.mail = m;
	in.form_name = form;
	in.case_ref = ref;
	in.officer_role = officer;
	in.has_command_lines = classify_has_command_line(m->text, verbs);
	in.own_address = "clerk@fgt.test";
	classify_mail(&in, c);
	mail_free(m);
	return c->kind;
}

#define HDR "From: Alice <alice@example.test>\r\nTo: clerk@fgt.test\r\n" \
	"Message-ID: <1@example.test>\r\n"

START_TEST(forms_replies_commands_unknown)
{
	struct classification c;

	ck_assert_int_eq(kind_of(HDR "Subject: hi\r\n\r\nForm: application\r\n", "application",
	    NULL, NULL, &c), KIND_FORM);
	ck_assert_str_eq(c.reason, "form application");
	ck_assert_int_eq(kind_of(HDR "Subject: Re: [FGT-2026-0042] x\r\n\r\nthanks\r\n", NULL,
	    "FGT-2026-0042", NULL, &c), KIND_REPLY);
	ck_assert_int_eq(kind_of(HDR "Subject: cmds\r\n\r\napprove FGT-2026-0042 student\r\n",
	    NULL, NULL, "secretary", &c), KIND_COMMAND);
	/* Command words from a member are not commands. */
	ck_assert_int_eq(kind_of(HDR "Subject: cmds\r\n\r\napprove FGT-2026-0042\r\n", NULL,
	    NULL, NULL, &c), KIND_UNKNOWN);
	/* An officer writing prose to a case is a reply. */
	ck_assert_int_eq(kind_of(HDR "Subject: [FGT-2026-0042]\r\n\r\nI approve of this.\r\n",
	    NULL, "FGT-2026-0042", "secretary", &c), KIND_REPLY);
	ck_assert_int_eq(kind_of(HDR "Subject: hello\r\n\r\nJust saying hi.\r\n", NULL, NULL,
	    NULL, &c), KIND_UNKNOWN);
}
END_TEST

START_TEST(automatic_mail_is_never_answered)
{
	struct classification c;

	ck_assert_int_eq(kind_of(HDR "Auto-Submitted: auto-replied\r\nSubject: Out of office\r\n"
	    "\r\nForm: application\r\n", "application", NULL, NULL, &c), KIND_AUTOMATIC);
	ck_assert_str_eq(c.reason, "Auto-Submitted: auto-replied");
	ck_assert_int_eq(kind_of(HDR "Auto-Submitted: no\r\nSubject: x\r\n\r\nx\r\n", NULL, NULL,
	    NULL, &c), KIND_UNKNOWN);
	ck_assert_int_eq(kind_of(HDR "Precedence: bulk\r\nSubject: x\r\n\r\nx\r\n", NULL, NULL,
	    NULL, &c), KIND_AUTOMATIC);
	ck_assert_int_eq(kind_of(HDR "Precedence: junk\r\nSubject: x\r\n\r\nx\r\n", NULL, NULL,
	    NULL, &c), KIND_AUTOMATIC);
	ck_assert_int_eq(kind_of(HDR "X-Autoreply: yes\r\nSubject: x\r\n\r\nx\r\n", NULL, NULL,
	    NULL, &c), KIND_AUTOMATIC);
	ck_assert_int_eq(kind_of(HDR "List-Id: <members.fgt.test>\r\nSubject: x\r\n\r\nx\r\n", NULL,
	    NULL, NULL, &c), KIND_AUTOMATIC);
	ck_assert_int_eq(kind_of("Return-Path: <>\r\n" HDR "Subject: x\r\n\r\nx\r\n", NULL, NULL,
	    NULL, &c), KIND_AUTOMATIC);
	ck_assert_int_eq(kind_of("From: clerk@fgt.test\r\nSubject: [FGT-2026-0001] x\r\n\r\nx\r\n",
	    NULL, "FGT-2026-0001", NULL, &c), KIND_AUTOMATIC);
}
END_TEST

START_TEST(delivery_reports_are_bounces)
{
	struct classification c;
	const char *dsn =
	    "From: MAILER-DAEMON@fgt.test\r\nTo: clerk@fgt.test\r\nSubject: Undelivered\r\n"
	    "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n"
	    "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
	    "Reporting-MTA: dns; fgt.test\r\n\r\nFinal-Recipient: rfc822; x@example.test\r\n"
	    "Action: failed\r\nStatus: 5.1.1\r\n\r\n"
	    "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
	    "Message-ID: <notice-7@fgt.test>\r\nSubject: [FGT-2026-0001] x\r\n\r\n--b--\r\n";

	ck_assert_int_eq(kind_of(dsn, NULL, NULL, NULL, &c), KIND_BOUNCE);
	ck_assert_str_eq(c.reason, "multipart/report; report-type=delivery-status");
}
END_TEST

START_TEST(case_reference_in_subject)
{
	char ref[32];

	ck_assert_int_eq(classify_find_ref("Re: [FGT-2026-0042] Søknad", ref, sizeof(ref)), 0);
	ck_assert_str_eq(ref, "FGT-2026-0042");
	ck_assert_int_eq(classify_find_ref("[x] [ASRT-2027-000123] y", ref, sizeof(ref)), 0);
	ck_assert_str_eq(ref, "ASRT-2027-000123");
	ck_assert_int_eq(classify_find_ref("[fgt-2026-0042]", ref, sizeof(ref)), -1);
	ck_assert_int_eq(classify_find_ref("[FGT-26-0042]", ref, sizeof(ref)), -1);
	ck_assert_int_eq(classify_find_ref("[FGT-2026-42]", ref, sizeof(ref)), -1);
	ck_assert_int_eq(classify_find_ref("[FGT-2026-0042", ref, sizeof(ref)), -1);
	ck_assert_int_eq(classify_find_ref(NULL, ref, sizeof(ref)), -1);
	ck_assert_int_eq(classify_find_ref("[FGT-2026-0042]", ref, 8), -1);
}
END_TEST

START_TEST(command_lines)
{
	ck_assert(classify_has_command_line("Hi\n  Approve FGT-2026-1 student\n", verbs));
	ck_assert(classify_has_command_line("show", verbs));
	ck_assert(!classify_has_command_line("approved FGT-2026-1\n", verbs));
	ck_assert(!classify_has_command_line("> approve FGT-2026-1\n", verbs));
	ck_assert(!classify_has_command_line("", verbs));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("classify");
	TCase *tc = tcase_create("rules");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, forms_replies_commands_unknown);
	tcase_add_test(tc, automatic_mail_is_never_answered);
	tcase_add_test(tc, delivery_reports_are_bounces);
	tcase_add_test(tc, case_reference_in_subject);
	tcase_add_test(tc, command_lines);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
