/* Unit tests of the small ground pieces: buffers, errors, log quoting. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "log.h"
#include "xmalloc.h"

START_TEST(buf_grows_and_keeps_nul)
{
	struct buf b = BUF_INIT;

	ck_assert_str_eq(buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		buf_append_str(&b, "ab");
	ck_assert_uint_eq(b.len, 2000);
	ck_assert_int_eq(b.data[2000], '\0');
	buf_append(&b, "\0x", 2);
	ck_assert_uint_eq(b.len, 2002);
	buf_reset(&b);
	buf_printf(&b, "%d-%s", 42, "z");
	ck_assert_str_eq(buf_str(&b), "42-z");
	char *s = buf_steal(&b);
	ck_assert_str_eq(s, "42-z");
	ck_assert_ptr_null(b.data);
	free(s);
	buf_free(&b);
}
END_TEST

START_TEST(err_prefix_keeps_message_and_class)
{
	struct clerk_err e;

	err_set(&e, ERR_TEMP, "connection refused");
	err_prefix(&e, "imap %s", "127.0.0.1");
	ck_assert_str_eq(e.msg, "imap 127.0.0.1: connection refused");
	ck_assert_int_eq(e.temporary, 1);
	err_clear(&e);
	ck_assert_str_eq(e.msg, "");
}
END_TEST

START_TEST(log_quote_bare_and_quoted)
{
	char out[64];

	ck_assert_str_eq(log_quote(out, sizeof(out), "FGT-2026-0042"), "FGT-2026-0042");
	ck_assert_str_eq(log_quote(out, sizeof(out), "two words"), "\"two words\"");
	ck_assert_str_eq(log_quote(out, sizeof(out), "a\"b\n"), "\"a\\\"b\\x0a\"");
	ck_assert_str_eq(log_quote(out, sizeof(out), ""), "\"\"");
}
END_TEST

START_TEST(xasprintf_formats)
{
	char *s = xasprintf("%s/%03d", "x", 7);

	ck_assert_str_eq(s, "x/007");
	free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, buf_grows_and_keeps_nul);
	tcase_add_test(tc, err_prefix_keeps_message_and_class);
	tcase_add_test(tc, log_quote_bare_and_quoted);
	tcase_add_test(tc, xasprintf_formats);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
