/* Unit tests of officer command lines (daemon/commands_parse.c): parsing,
 * syntax, role permissions, and the commands a workflow state answers
 * (with the real workflows of the source tree). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "commands.h"
#include "understand.h"
#include "workflow.h"
#include "xmalloc.h"

#ifndef CLERK_SRCDIR_DEFAULT
#define CLERK_SRCDIR_DEFAULT "."
#endif

static const char *
srcdir(void)
{
	const char *s = getenv("CLERK_SRCDIR");

	return s && *s ? s : CLERK_SRCDIR_DEFAULT;
}

static void
assert_cmd(const struct command *c, int line, const char *verb, const char *text, size_t nargs)
{
	ck_assert_int_eq(c->line, line);
	ck_assert_str_eq(c->verb, verb);
	ck_assert_str_eq(c->text, text);
	ck_assert_uint_eq(c->nargs, nargs);
	ck_assert_ptr_null(c->args[nargs]);
}

START_TEST(parse_lines_of_a_mail)
{
	static const char text[] =
	    "Hello,\r\n"					/* 1 */
	    "\r\n"						/* 2 */
	    "approve FGT-2026-0007 student\r\n"			/* 3 */
	    "> approve FGT-2026-0008\r\n"			/* 4: quoted */
	    "  Reject [fgt-2026-0009]   Incomplete\tapplication\r\n"	/* 5 */
	    "approved FGT-2026-0010\r\n"			/* 6: no verb */
	    "paid alice@Example.test 1250,50 2027-02-03\r\n"	/* 7 */
	    "SHOW\tFGT-2026-0011.\r\n"				/* 8 */
	    "note FGT-2026-0012 call\xc2\xa0" "back\r\n"	/* 9: no-break space */
	    "approve\r\n"					/* 10: no case */
	    ">> show FGT-2026-0001\n"				/* 11 */
	    "the approve FGT-2026-0001 line\n"			/* 12 */
	    "-- \r\n"						/* 13: signature */
	    "approve FGT-2026-0013\r\n";
	struct command_list l = { NULL, 0, 0 };

	commands_parse(NULL, text, &l);
	ck_assert_uint_eq(l.n, 6);
	assert_cmd(&l.v[0], 3, "approve", "approve FGT-2026-0007 student", 2);
	ck_assert_str_eq(l.v[0].args[0], "FGT-2026-0007");
	ck_assert_str_eq(l.v[0].args[1], "student");
	assert_cmd(&l.v[1], 5, "reject", "reject FGT-2026-0009 Incomplete application", 3);
	assert_cmd(&l.v[2], 7, "paid", "paid alice@Example.test 1250,50 2027-02-03", 3);
	ck_assert_str_eq(l.v[2].args[0], "alice@Example.test");	/* not a case: as written */
	assert_cmd(&l.v[3], 8, "show", "show FGT-2026-0011", 1);
	assert_cmd(&l.v[4], 9, "note", "note FGT-2026-0012 call back", 3);
	assert_cmd(&l.v[5], 10, "approve", "approve", 0);
	command_list_free(&l);

	/* Nothing but prose and quotes. */
	commands_parse(NULL, "Thanks!\n> approve FGT-2026-0007\n", &l);
	ck_assert_uint_eq(l.n, 0);
	commands_parse(NULL, "", &l);
	ck_assert_uint_eq(l.n, 0);
	command_list_free(&l);
}
END_TEST

START_TEST(parse_line_and_words)
{
	struct command c;
	char *words[] = { "[fgt-2027-0003],", "1250" };

	ck_assert_int_eq(commands_parse_line(NULL, "   ", 1, &c), 0);
	ck_assert_int_eq(commands_parse_line(NULL, "decide", 4, &c), 1);
	assert_cmd(&c, 4, "decide", "decide", 0);
	command_clear(&c);
	ck_assert_int_eq(commands_parse_line(NULL, "Extend  FGT-2026-0005  30", 2, &c), 1);
	assert_cmd(&c, 2, "extend", "extend FGT-2026-0005 30", 2);
	command_clear(&c);
	command_from_words("PAID", words, 2, &c);
	assert_cmd(&c, 0, "paid", "paid FGT-2027-0003 1250", 2);
	command_clear(&c);
	command_clear(NULL);
}
END_TEST

START_TEST(case_references)
{
	ck_assert(commands_is_case_ref("FGT-2026-0007"));
	ck_assert(commands_is_case_ref("ASRT-2027-123456"));
	ck_assert(commands_is_case_ref("AB-2027-0001"));
	ck_assert(!commands_is_case_ref("A-2027-0001"));
	ck_assert(!commands_is_case_ref("ABCDEFGHI-2027-0001"));
	ck_assert(!commands_is_case_ref("fgt-2026-0007"));
	ck_assert(!commands_is_case_ref("FGT-26-0007"));
	ck_assert(!commands_is_case_ref("FGT-2026-007"));
	ck_assert(!commands_is_case_ref("FGT-2026-1234567"));
	ck_assert(!commands_is_case_ref("FGT-2026-0007x"));
	ck_assert(!commands_is_case_ref(""));
}
END_TEST

static void
assert_syntax(const char *line, const char *want_why)
{
	struct command c;
	char why[200];
	int rc;

	ck_assert_int_eq(commands_parse_line(NULL, line, 1, &c), 1);
	rc = commands_check_syntax(&c, why, sizeof(why));
	if (want_why == NULL)
		ck_assert_msg(rc == 0, "%s: %s", line, why);
	else {
		ck_assert_msg(rc == -1, "%s: accepted", line);
		ck_assert_str_eq(why, want_why);
	}
	command_clear(&c);
}

START_TEST(syntax_of_each_verb)
{
	assert_syntax("approve FGT-2026-0007", NULL);
	assert_syntax("approve", "too few words: approve <case> [category]");
	assert_syntax("reject FGT-2026-0007", "too few words: reject <case> <reason...>");
	assert_syntax("reject FGT-2026-0007 no diploma", NULL);
	assert_syntax("paid FGT-2026-0007", "too few words: paid <member-or-case> <amount> [date]");
	assert_syntax("paid alice@example.test 1250", NULL);
	assert_syntax("waive bob@example.test pfo 2026", "too few words: waive <member> pfo "
	    "<year> <reason...>");
	assert_syntax("waive bob@example.test pfo 2026 sick leave", NULL);
	assert_syntax("meeting FGT-2026-0007 2027-03-01", NULL);
	assert_syntax("show FGT-2026-0007", NULL);
	/* Placeholders copied from a digest line. */
	assert_syntax("approve FGT-2026-0007 [category]",
	    "replace [category] with a value (approve <case> [category])");
	assert_syntax("paid FGT-2026-0007 <amount> [date]",
	    "replace <amount> with a value (paid <member-or-case> <amount> [date])");
	assert_syntax("approve <case>", "replace <case> with a value (approve <case> [category])");
}
END_TEST

START_TEST(verbs_match_classification_and_vocabulary)
{
	struct wf_set *set = NULL;
	struct buf d = BUF_INIT, out = BUF_INIT, diag = BUF_INIT;
	struct command_list l = { NULL, 0, 0 };
	struct clerk_err err;
	char *dir = xasprintf("%s/workflows", srcdir());
	const char *offered[32];
	size_t i, n;

	ck_assert_uint_eq(commands_table_len, 14);
	ck_assert_ptr_null(commands_syntax("approved"));
	ck_assert_msg(wf_set_load_dir(dir, "fgt", NULL, NULL, &set, &d, &err) == 0, "%s\n%s",
	    err.msg, buf_str(&d));
	/* Every verb but show and note (the module's) reaches workflows,
	 * which must know it. */
	for (i = 0; i < commands_table_len; i++) {
		const char *v = commands_table[i].verb;
		char *list = xasprintf(",%s,", set->vocab.commands), *w = xasprintf(",%s,", v);

		ck_assert_msg((strstr(list, w) != NULL) || commands_table[i].by == COMMAND_BY_MODULE,
		    "%s in vocabulary commands: %s", v, set->vocab.commands);
		free(list);
		free(w);
	}
	/* Offered: the module's verbs and what a loaded workflow answers;
	 * a verb nobody answers is not a command line at all. */
	n = commands_offered(set, offered, sizeof(offered) / sizeof(offered[0]));
	ck_assert_uint_eq(n, 7);
	ck_assert_str_eq(offered[0], "approve");
	ck_assert_str_eq(offered[3], "paid");
	ck_assert_str_eq(offered[4], "extend");
	ck_assert_str_eq(offered[5], "note");
	ck_assert_str_eq(offered[6], "show");
	ck_assert_ptr_null(offered[7]);
	ck_assert(commands_answered(set, "paid"));
	ck_assert(!commands_answered(set, "admit"));
	ck_assert(commands_answered(NULL, "admit"));
	commands_parse(set, "admit FGT-2026-0001\npaid FGT-2026-0002 100\n", &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].verb, "paid");
	command_list_free(&l);
	/* `clerkctl check`: the table and its answerers agree. */
	ck_assert_msg(commands_check(set, &out, &diag) == 0, "%s", buf_str(&diag));
	ck_assert_str_eq(buf_str(&out), "offered: approve reject request paid extend note show; "
	    "not offered (no workflow answers them): admit dismiss meeting settled recommend "
	    "decide waive");
	wf_set_free(set);
	buf_free(&d);
	buf_free(&out);
	buf_free(&diag);
	free(dir);
}
END_TEST

START_TEST(role_permissions)
{
	static const char *const officers[] = { "treasurer", "committee_chair", "board_chair" };
	static const char *const may[] = {
		"paid show note",
		"admit dismiss meeting settled recommend show note",
		"decide show note",
	};

	for (size_t i = 0; i < commands_table_len; i++) {
		const char *v = commands_table[i].verb;

		ck_assert_msg(commands_role_may("secretary", NULL, v), "secretary %s", v);
		for (size_t k = 0; k < 3; k++) {
			char *list = xasprintf(" %s ", may[k]), *w = xasprintf(" %s ", v);

			ck_assert_int_eq(commands_role_may(officers[k], NULL, v),
			    strstr(list, w) != NULL);
			free(list);
			free(w);
		}
		/* A role FORMS.md does not name may only look. */
		ck_assert_int_eq(commands_role_may("auditor", NULL, v), strcmp(v, "show") == 0);
	}
	ck_assert_str_eq(commands_default_verbs("treasurer"), "paid show note");
	/* The configuration replaces the default. */
	ck_assert(commands_role_may("treasurer", "paid approve", "approve"));
	ck_assert(!commands_role_may("treasurer", "paid approve", "show"));
	ck_assert(commands_role_may("auditor", "show,note", "note"));
	ck_assert(!commands_role_may("secretary", "show", "approve"));
	ck_assert(!commands_role_may("secretary", "approved", "approve"));
	ck_assert(!commands_role_may("secretary", "", "show"));
}
END_TEST

START_TEST(commands_a_state_answers)
{
	struct wf_set *set = NULL;
	struct buf d = BUF_INIT, h = BUF_INIT;
	struct clerk_err err;
	char *dir = xasprintf("%s/workflows", srcdir());
	const struct workflow *app, *dues;
	const char **v;

	ck_assert_msg(wf_set_load_dir(dir, "fgt", NULL, NULL, &set, &d, &err) == 0, "%s\n%s",
	    err.msg, buf_str(&d));
	app = wf_find(set, "application");
	dues = wf_find(set, "dues");
	ck_assert_ptr_nonnull(app);
	ck_assert_ptr_nonnull(dues);
	v = commands_answered_in(app, "with_secretary");
	ck_assert_str_eq(v[0], "request");
	ck_assert_str_eq(v[1], "approve");
	ck_assert_str_eq(v[2], "reject");
	ck_assert_ptr_null(v[3]);
	free(v);
	v = commands_answered_in(app, "approved");	/* final: nothing */
	ck_assert_ptr_null(v[0]);
	free(v);
	v = commands_answered_in(app, "no_such_state");
	ck_assert_ptr_null(v[0]);
	free(v);
	v = commands_answered_in(NULL, "with_secretary");
	ck_assert_ptr_null(v[0]);
	free(v);

	commands_hint(app, "with_secretary", "FGT-2026-0007", NULL, NULL, &h);
	ck_assert_str_eq(buf_str(&h), "request FGT-2026-0007 <what is missing...> | "
	    "approve FGT-2026-0007 [category] | reject FGT-2026-0007 <reason...>");
	buf_reset(&h);
	commands_hint(app, "with_secretary", "FGT-2026-0007", "treasurer", NULL, &h);
	ck_assert_str_eq(buf_str(&h), "");
	commands_hint(app, "with_secretary", "FGT-2026-0007", "treasurer", "approve", &h);
	ck_assert_str_eq(buf_str(&h), "approve FGT-2026-0007 [category]");
	buf_reset(&h);
	commands_hint(dues, "overdue", "FGT-2027-0003", "treasurer", NULL, &h);
	ck_assert_str_eq(buf_str(&h), "paid FGT-2027-0003 <amount> [date]");
	buf_reset(&h);
	commands_hint(dues, "paid", "FGT-2027-0003", NULL, NULL, &h);
	ck_assert_str_eq(buf_str(&h), "");
	buf_free(&h);
	buf_free(&d);
	wf_set_free(set);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("commands");
	TCase *tc = tcase_create("parse");
	TCase *tr = tcase_create("roles");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, parse_lines_of_a_mail);
	tcase_add_test(tc, parse_line_and_words);
	tcase_add_test(tc, case_references);
	tcase_add_test(tc, syntax_of_each_verb);
	suite_add_tcase(s, tc);
	tcase_add_test(tr, verbs_match_classification_and_vocabulary);
	tcase_add_test(tr, role_permissions);
	tcase_add_test(tr, commands_a_state_answers);
	suite_add_tcase(s, tr);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
