/* The erasure's pure decision: which cases of a person are kept, and why. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "erase.h"

static struct store_case_row
row(const char *ref, const char *workflow, const char *state, const char *closed)
{
	struct store_case_row c;

	memset(&c, 0, sizeof(c));
	c.ref = (char *)ref;
	c.workflow = (char *)workflow;
	c.state = (char *)state;
	c.email = (char *)"alice@example.test";
	c.opened = (char *)"2025-01-01T10:00:00";
	c.closed = (char *)closed;
	return c;
}

static struct cal_date
day(int y, int m, int d)
{
	struct cal_date x = { y, m, d };

	return x;
}

START_TEST(open_cases_are_kept)
{
	struct workflow wf;
	struct store_case_row c = row("FGT-2027-0001", "application", "incomplete", NULL);
	struct buf why = BUF_INIT;

	memset(&wf, 0, sizeof(wf));
	ck_assert_int_eq(erase_keeps_case(&wf, &c, day(2027, 8, 3), &why), 1);
	ck_assert_str_eq(buf_str(&why), "case FGT-2027-0001 (application, incomplete) is open: "
	    "its procedure goes on");
	buf_free(&why);
	/* a workflow no longer loaded: kept while open too */
	ck_assert_int_eq(erase_keeps_case(NULL, &c, day(2027, 8, 3), &why), 1);
	buf_free(&why);
}
END_TEST

START_TEST(closed_cases_go_unless_retained)
{
	struct workflow app, dues;
	struct store_case_row a = row("FGT-2025-0001", "application", "rejected",
	    "2025-03-01T10:00:00");
	struct store_case_row d = row("FGT-2025-0002", "dues", "paid", "2025-03-01T10:00:00");
	struct clerk_err err;
	struct buf why = BUF_INIT;

	memset(&app, 0, sizeof(app));
	memset(&dues, 0, sizeof(dues));
	dues.retains = 1;
	ck_assert_int_eq(cal_duration_parse("5y", &dues.retain, &err), 0);
	ck_assert_int_eq(erase_keeps_case(&app, &a, day(2027, 8, 3), &why), 0);
	ck_assert_uint_eq(why.len, 0);
	ck_assert_int_eq(erase_keeps_case(NULL, &a, day(2027, 8, 3), &why), 0);
	/* bookkeeping: kept until five years after closing, then not */
	ck_assert_int_eq(erase_keeps_case(&dues, &d, day(2027, 8, 3), &why), 1);
	ck_assert_str_eq(buf_str(&why), "case FGT-2025-0002 (dues) is a record workflow dues "
	    "keeps until 2030-03-01");
	buf_reset(&why);
	ck_assert_int_eq(erase_keeps_case(&dues, &d, day(2030, 2, 28), &why), 1);
	buf_reset(&why);
	ck_assert_int_eq(erase_keeps_case(&dues, &d, day(2030, 3, 1), &why), 0);
	/* a closing date that cannot be read is no licence to erase */
	d.closed = (char *)"soon";
	ck_assert_int_eq(erase_keeps_case(&dues, &d, day(2040, 1, 1), &why), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&why), "cannot be read"));
	buf_free(&why);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("erase");
	TCase *tc = tcase_create("decide");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, open_cases_are_kept);
	tcase_add_test(tc, closed_cases_go_unless_retained);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
