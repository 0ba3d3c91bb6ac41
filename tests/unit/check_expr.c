/* Expressions of the workflow data: parsing, names, values, functions. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "error.h"
#include "expr.h"
#include "xmalloc.h"

/* A fake world: case.x values, event facts, a tiny profile; any name
 * "boom" fails the lookup, so tests can prove it was not looked up. */
struct world {
	struct buf	seen;	/* every name looked up, ';'-separated */
};

static int
fake_lookup(void *arg, const struct expr_name *n, struct val *out, struct clerk_err *err)
{
	struct world *w = arg;
	struct buf b = BUF_INIT;
	static const char *const table[][2] = {
		{ "c:category", "student" }, { "c:count", "12" }, { "c:empty", "" },
		{ "c:date", "2026-08-15" }, { "c:list", "a,b,c" }, { "c:no", "no" },
		{ "e:args.1", "30" }, { "e:attachments.pdf", "2" },
		{ "e:signature", "good" },
		{ "p:categories.student.ratio", "#75" }, { "p:dues.amount", "#250000" },
		{ "p:dues.half_after", "07-01" },
	};
	const char *ns = n->ns == EXPR_NS_CASE ? "c:" : n->ns == EXPR_NS_EVENT ? "e:" : "p:";
	int rc = 0;

	buf_append_str(&b, ns);
	for (size_t i = 0; i < n->nseg; i++)
		buf_printf(&b, "%s%s", i ? "." : "", n->seg[i]);
	buf_printf(&w->seen, "%s;", b.data);
	if (strstr(b.data, "boom") != NULL) {
		err_set(err, ERR_FINAL, "boom looked up");
		rc = -1;
		goto out;
	}
	val_set_str(out, "");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i][0], b.data) == 0) {
			if (table[i][1][0] == '#')
				val_set_int(out, atoll(table[i][1] + 1));
			else
				val_set_str(out, table[i][1]);
		}
out:
	buf_free(&b);
	return rc;
}

static struct world W;

/* Evaluates text; returns the value as text (static buffer), or "ERR: msg". */
static const char *
ev(const char *text)
{
	static char res[600];
	struct expr *e = NULL;
	struct expr_env env;
	struct clerk_err err;
	struct val v = VAL_INIT;
	char *t;

	buf_reset(&W.seen);
	if (expr_parse(text, 7, NULL, &e, &err) == -1) {
		snprintf(res, sizeof(res), "PARSE: %s", err.msg);
		return res;
	}
	env.lookup = fake_lookup;
	env.arg = &W;
	env.today.year = 2026;
	env.today.month = 8;
	env.today.day = 20;
	if (expr_eval(e, &env, &v, &err) == -1)
		snprintf(res, sizeof(res), "ERR: %s", err.msg);
	else {
		t = val_to_text(&v);
		snprintf(res, sizeof(res), "%s", t);
		free(t);
	}
	val_free(&v);
	expr_free(e);
	return res;
}

START_TEST(arithmetic_and_rounding)
{
	ck_assert_str_eq(ev("1 + 2 * 3"), "7");
	ck_assert_str_eq(ev("(1 + 2) * 3"), "9");
	ck_assert_str_eq(ev("7 / 2"), "3");
	ck_assert_str_eq(ev("-7 / 2"), "-3");
	ck_assert_str_eq(ev("7 % 3"), "1");
	ck_assert_str_eq(ev("- - 4"), "4");
	ck_assert_str_eq(ev("1 / 0"), "ERR: division by zero");
	ck_assert_str_eq(ev("9223372036854775807 + 1"), "ERR: number too large");
	ck_assert_str_eq(ev("3037000500 * 3037000500"), "ERR: number too large");
	/* round half away from zero to a multiple */
	ck_assert_str_eq(ev("round(187549, 100)"), "187500");
	ck_assert_str_eq(ev("round(187550, 100)"), "187600");
	ck_assert_str_eq(ev("round(-150, 100)"), "-200");
	ck_assert_str_eq(ev("round(-149, 100)"), "-100");
	ck_assert_str_eq(ev("ceil(101, 100)"), "200");
	ck_assert_str_eq(ev("ceil(-101, 100)"), "-100");
	ck_assert_str_eq(ev("floor(199, 100)"), "100");
	ck_assert_str_eq(ev("floor(-101, 100)"), "-200");
	ck_assert_str_eq(ev("round(5, 0)"), "ERR: round(): the multiple must be positive, got 0");
	ck_assert_str_eq(ev("min(3, 1, 2) + max(3, 9, 2)"), "10");
	/* the dues formula of dues.wf: student 75 % of NOK 2500.00, half */
	ck_assert_str_eq(ev("round(profile.dues.amount * profile.categories[case.category].ratio"
	    " / 100 / if(after(now, profile.dues.half_after), 2, 1), 100)"), "93800");
}
END_TEST

START_TEST(texts_and_conversions)
{
	ck_assert_str_eq(ev("\"a\" + \"b\""), "ab");
	ck_assert_str_eq(ev("\"x\" + 1"), "x1");
	ck_assert_str_eq(ev("case.count + 1"), "13");
	ck_assert_str_eq(ev("case.empty + 1"), "1");
	ck_assert_str_eq(ev("case.never + event.attachments.pdf"), "2");
	ck_assert_str_eq(ev("\"say \\\"hi\\\"\""), "say \"hi\"");
	ck_assert_str_eq(ev("case.category * 2"),
	    "ERR: arithmetic: a number expected, got \"student\"");
	/* a string that is a number compares as a number */
	ck_assert_str_eq(ev("case.count < \"9\""), "0");
	ck_assert_str_eq(ev("case.count == 12"), "1");
	ck_assert_str_eq(ev("case.category == 12"), "0");
	ck_assert_str_eq(ev("\"abc\" < \"abd\""), "1");
	ck_assert_str_eq(ev("case.category == \"student\""), "1");
	ck_assert_str_eq(ev("case.category != \"Student\""), "1");
	/* truth */
	ck_assert_str_eq(ev("not case.no"), "1");
	ck_assert_str_eq(ev("not case.empty"), "1");
	ck_assert_str_eq(ev("not \"yes\""), "0");
	ck_assert_str_eq(ev("event.signature == \"good\" and event.attachments.pdf > 1"), "1");
	ck_assert_str_eq(ev("case.category < 3"), "ERR: cannot order a text and a number");
}
END_TEST

START_TEST(dates_and_durations)
{
	ck_assert_str_eq(ev("now"), "2026-08-20");
	ck_assert_str_eq(ev("year(now) * 100 + month(now)"), "202608");
	ck_assert_str_eq(ev("day(case.date)"), "15");
	ck_assert_str_eq(ev("case.date < now"), "1");
	ck_assert_str_eq(ev("now - case.date"), "5");
	ck_assert_str_eq(ev("date(\"2026-01-31\") + 1m"), "2026-02-28");
	ck_assert_str_eq(ev("date(\"2028-02-29\") + 1y"), "2029-02-28");
	ck_assert_str_eq(ev("case.date - 2w"), "2026-08-01");
	ck_assert_str_eq(ev("14d"), "14d");
	ck_assert_str_eq(ev("14d == \"14d\""), "1");
	ck_assert_str_eq(ev("after(date(\"2026-07-01\"), \"07-01\")"), "0");
	ck_assert_str_eq(ev("after(date(\"2026-07-02\"), \"07-01\")"), "1");
	ck_assert_str_eq(ev("before(date(\"2026-06-30\"), \"07-01\")"), "1");
	ck_assert_str_eq(ev("after(case.date, \"02-last\")"), "1");
	ck_assert_str_eq(ev("after(case.date, \"7/1\")"),
	    "ERR: after(): a day as MM-DD expected, got \"7/1\"");
	ck_assert_str_eq(ev("date(\"2026-02-30\")"),
	    "ERR: date(): a date (YYYY-MM-DD) expected, got \"2026-02-30\"");
	ck_assert_str_eq(ev("date(\"9999-12-31\") + 1d"), "ERR: date out of range");
}
END_TEST

START_TEST(lists_and_conditionals)
{
	ck_assert_str_eq(ev("count(case.list)"), "3");
	ck_assert_str_eq(ev("count(case.empty)"), "0");
	ck_assert_str_eq(ev("join(\"a\", \"\", case.list, \"d\")"), "a,a,b,c,d");
	ck_assert_str_eq(ev("join(\"\", \"\")"), "");
	ck_assert_str_eq(ev("has(case.list, \"b\")"), "1");
	ck_assert_str_eq(ev("has(\"a,bc\", \"b\")"), "0");
	ck_assert_str_eq(ev("if(case.count > 10, \"big\", case.boom)"), "big");
	ck_assert_str_eq(ev("if(0, case.boom, 5)"), "5");
}
END_TEST

START_TEST(names_and_short_circuit)
{
	ck_assert_str_eq(ev("profile.categories[case.category].ratio"), "75");
	ck_assert_str_eq(buf_str(&W.seen), "c:category;p:categories.student.ratio;");
	ck_assert_str_eq(ev("event.args[1] + 0"), "30");
	ck_assert_str_eq(buf_str(&W.seen), "e:args.1;");
	ck_assert_str_eq(ev("event.args.1"), "30");
	/* `and` / `or` stop as soon as the answer is known */
	ck_assert_str_eq(ev("0 and case.boom"), "0");
	ck_assert_str_eq(ev("1 or case.boom"), "1");
	ck_assert_str_eq(ev("1 and case.boom"), "ERR: boom looked up");
}
END_TEST

START_TEST(parse_errors)
{
	ck_assert_str_eq(ev("1 +"), "PARSE: a value expected at: end of expression");
	ck_assert_str_eq(ev("category == 1"),
	    "PARSE: unknown name category (names start with case., event. or profile.; "
	    "words need quotes)");
	ck_assert_str_eq(ev("round(1)"), "PARSE: round() takes 2 arguments");
	ck_assert_str_eq(ev("nosuch(1)"), "PARSE: unknown function nosuch");
	ck_assert_str_eq(ev("1 < 2 < 3"), "PARSE: comparisons do not chain; use 'and' at: < 3");
	ck_assert_str_eq(ev("\"open"), "PARSE: unterminated string \"open");
	ck_assert_str_eq(ev("case"), "PARSE: '.' expected after the namespace at: end of expression");
	ck_assert_str_eq(ev("event.args[1"), "PARSE: ']' expected at: end of expression");
	ck_assert_str_eq(ev("1 2"), "PARSE: unexpected text after the expression: 2");
	ck_assert_str_eq(ev("3x"), "PARSE: bad number: 3x");
	ck_assert_str_eq(ev(""), "PARSE: an expression is missing");
	ck_assert_str_eq(ev("1 ? 2"), "PARSE: unexpected character at: ? 2");
}
END_TEST

static int
collect(void *arg, const struct expr_name *n)
{
	struct buf *b = arg;

	buf_printf(b, "%d:", n->ns);
	for (size_t i = 0; i < n->nseg; i++)
		buf_printf(b, "%s%s", i ? "." : "", n->seg[i]);
	buf_printf(b, "@%d;", n->line);
	return 0;
}

START_TEST(prefix_parse_and_walk)
{
	struct expr *e = NULL;
	struct clerk_err err;
	const char *end, *lit;
	struct buf b = BUF_INIT;

	ck_assert_int_eq(expr_parse("case.a + 1 if event.b", 3, &end, &e, &err), 0);
	ck_assert_str_eq(end, "if event.b");
	ck_assert_str_eq(expr_text(e), "case.a + 1");
	ck_assert_int_eq(expr_literal(e, &lit), 0);
	expr_free(e);
	ck_assert_int_eq(expr_parse("x = 1, y = 2", 3, &end, &e, &err), -1);
	ck_assert_int_eq(expr_parse("f(1, 2), case.y", 3, &end, &e, &err), -1);
	ck_assert_int_eq(expr_parse("join(1, 2), case.y", 3, &end, &e, &err), 0);
	ck_assert_str_eq(end, ", case.y");
	expr_free(e);
	ck_assert_int_eq(expr_parse("\"mfgt\"", 1, NULL, &e, &err), 0);
	ck_assert_int_eq(expr_literal(e, &lit), 1);
	ck_assert_str_eq(lit, "mfgt");
	expr_free(e);
	ck_assert_int_eq(expr_parse("profile.categories[event.category].ratio > "
	    "count(case.list) and event.args[2] # a comment", 9, NULL, &e, &err), 0);
	expr_walk(e, collect, &b);
	ck_assert_str_eq(buf_str(&b), "1:category@9;2:categories.*.ratio@9;0:list@9;1:args.*@9;");
	expr_free(e);
	buf_free(&b);
}
END_TEST

START_TEST(values)
{
	struct val v = VAL_INIT, w = VAL_INIT;
	struct cal_date d;
	long long i;
	char *t;

	val_set_str(&v, "2026-03-01");
	ck_assert_int_eq(val_as_date(&v, &d), 0);
	ck_assert_int_eq(d.month, 3);
	ck_assert_int_eq(val_as_int(&v, &i), -1);
	val_copy(&w, &v);
	val_set_int(&v, -5);
	t = val_to_text(&w);
	ck_assert_str_eq(t, "2026-03-01");
	free(t);
	ck_assert_int_eq(val_truthy(&v), 1);
	val_set_str(&v, "false");
	ck_assert_int_eq(val_truthy(&v), 0);
	val_set_str(&v, "+7");
	ck_assert_int_eq(val_as_int(&v, &i), 0);
	ck_assert_int_eq(i, 7);
	val_free(&v);
	val_free(&w);
	val_free(NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("expr");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, arithmetic_and_rounding);
	tcase_add_test(tc, texts_and_conversions);
	tcase_add_test(tc, dates_and_durations);
	tcase_add_test(tc, lists_and_conditionals);
	tcase_add_test(tc, names_and_short_circuit);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, prefix_parse_and_walk);
	tcase_add_test(tc, values);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	buf_free(&W.seen);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
