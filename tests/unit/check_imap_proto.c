/* Unit tests of the IMAP protocol pieces: mailbox names on the wire, URL
 * escaping and the parsers of server answers (lines as Dovecot sends
 * them). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imap_proto.h"

static void
wire_is(const char *utf8, const char *want)
{
	char *w = imap_mailbox_wire(utf8);

	ck_assert_ptr_nonnull(w);
	ck_assert_str_eq(w, want);
	free(w);
}

START_TEST(mailbox_modified_utf7)
{
	wire_is("INBOX", "INBOX");
	wire_is("Processed", "Processed");
	wire_is("Two words", "Two words");
	wire_is("a&b", "a&-b");
	wire_is("Søppel", "S&APg-ppel");
	wire_is("Behandlet æøå", "Behandlet &AOYA+ADl-");
	/* RFC 3501's example */
	wire_is("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	    "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
	/* outside the BMP: a surrogate pair */
	wire_is("\xf0\x9f\x93\xac", "&2D3c7A-");
	ck_assert_ptr_null(imap_mailbox_wire(""));
	ck_assert_ptr_null(imap_mailbox_wire("bad\xc3"));
	ck_assert_ptr_null(imap_mailbox_wire("over\xc0\xaflong"));
	ck_assert_ptr_null(imap_mailbox_wire("cr\rlf"));
	ck_assert_ptr_null(imap_mailbox_wire("tab\there"));
	ck_assert_ptr_null(imap_mailbox_wire("surrogate\xed\xa0\x80"));
}
END_TEST

START_TEST(quoting_and_url_escape)
{
	struct buf b = BUF_INIT;
	char *u;

	imap_append_quoted(&b, "a \"b\" c\\d");
	ck_assert_str_eq(buf_str(&b), "\"a \\\"b\\\" c\\\\d\"");
	buf_free(&b);
	u = imap_url_escape("My Box;x/&AOU-%");
	ck_assert_str_eq(u, "My%20Box%3Bx%2F%26AOU-%25");
	free(u);
}
END_TEST

START_TEST(status_answers)
{
	int64_t v = -1, next = -1, count = -1;

	ck_assert_int_eq(imap_parse_status("* STATUS INBOX (MESSAGES 3 UIDNEXT 4 "
	    "UIDVALIDITY 1795449067)\r\n", &v, &next, &count), 0);
	ck_assert_int_eq(v, 1795449067);
	ck_assert_int_eq(next, 4);
	ck_assert_int_eq(count, 3);
	/* a quoted name holding parentheses, other untagged lines around */
	v = next = count = -1;
	ck_assert_int_eq(imap_parse_status("* 5 EXISTS\r\n* STATUS \"a (b)\" (UIDNEXT 9 "
	    "UIDVALIDITY 7)\r\n", &v, &next, &count), 0);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(next, 9);
	ck_assert_int_eq(count, -1);
	ck_assert_int_eq(imap_parse_status("* 5 EXISTS\r\n", &v, &next, &count), -1);
	ck_assert_int_eq(imap_parse_status("* STATUS INBOX (UIDNEXT 99999999999)\r\n", &v,
	    &next, &count), -1);
}
END_TEST

START_TEST(search_answers)
{
	int64_t *v = NULL;
	size_t n = 0, cap = 0;

	ck_assert_int_eq(imap_parse_search("* SEARCH 2 3 4294967295\r\n* 7 EXISTS\r\n"
	    "* SEARCH\r\n* SEARCH 10\r\n", &v, &n, &cap), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(v[0], 2);
	ck_assert_int_eq(v[2], 4294967295LL);
	ck_assert_int_eq(v[3], 10);
	ck_assert_int_eq(imap_parse_search("* SEARCH 1 x\r\n", &v, &n, &cap), -1);
	ck_assert_int_eq(imap_parse_search("* SEARCH 0\r\n", &v, &n, &cap), -1);
	ck_assert_int_eq(imap_parse_search("* SEARCH 4294967296\r\n", &v, &n, &cap), -1);
	/* ESEARCH or a longer word is not SEARCH */
	n = 0;
	ck_assert_int_eq(imap_parse_search("* SEARCHES 1\r\n", &v, &n, &cap), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
}
END_TEST

START_TEST(capability_answers)
{
	ck_assert_uint_eq(imap_parse_capability("* CAPABILITY IMAP4rev1 SASL-IR IDLE "
	    "UIDPLUS MOVE SNIPPET=FUZZY\r\n"), IMAP_CAP_IDLE | IMAP_CAP_UIDPLUS | IMAP_CAP_MOVE);
	ck_assert_uint_eq(imap_parse_capability("* CAPABILITY IMAP4rev1 IDLEX MOVED\r\n"), 0);
	ck_assert_uint_eq(imap_parse_capability("* capability idle\n"), IMAP_CAP_IDLE);
	ck_assert_uint_eq(imap_parse_capability("* OK [CAPABILITY IDLE] ready\r\n"), 0);
}
END_TEST

START_TEST(list_answers)
{
	const char *text = "* LIST (\\HasNoChildren) \"/\" Processed\r\n"
	    "* LIST (\\HasNoChildren) \"/\" \"Two \\\"quoted\\\" words\"\r\n"
	    "* LIST (\\Noselect) NIL inbox\r\n";

	ck_assert(imap_list_has(text, "Processed"));
	ck_assert(imap_list_has(text, "Two \"quoted\" words"));
	ck_assert(imap_list_has(text, "INBOX"));
	ck_assert(!imap_list_has(text, "processed"));
	ck_assert(!imap_list_has(text, "Process"));
	ck_assert(!imap_list_has("* LSUB () \"/\" Processed\r\n", "Processed"));
}
END_TEST

START_TEST(untagged_and_tagged_lines)
{
	int64_t n = -1;

	ck_assert(imap_untagged_number("* 12 EXISTS", "EXISTS", &n));
	ck_assert_int_eq(n, 12);
	ck_assert(imap_untagged_number("* 3 expunge\r\n", "EXPUNGE", &n));
	ck_assert_int_eq(n, 3);
	ck_assert(!imap_untagged_number("* 12 EXISTSX", "EXISTS", &n));
	ck_assert(!imap_untagged_number("* OK Still here", "EXISTS", &n));
	ck_assert(!imap_untagged_number("A1 12 EXISTS", "EXISTS", &n));
	ck_assert(imap_ok_code_number("* OK [UIDNEXT 4] Predicted next UID", "UIDNEXT", &n));
	ck_assert_int_eq(n, 4);
	ck_assert(imap_ok_code_number("* OK [UIDVALIDITY 1795449067] UIDs valid",
	    "UIDVALIDITY", &n));
	ck_assert_int_eq(n, 1795449067);
	ck_assert(!imap_ok_code_number("* OK [UIDNEXTX 4]", "UIDNEXT", &n));
	ck_assert(!imap_ok_code_number("* NO [UIDNEXT 4]", "UIDNEXT", &n));

	ck_assert(imap_has_resp_code("A003 NO [ALREADYEXISTS] Mailbox already exists",
	    "ALREADYEXISTS"));
	ck_assert(!imap_has_resp_code("A003 NO Mailbox already exists [ALREADYEXISTS]",
	    "ALREADYEXISTS"));
	ck_assert(!imap_has_resp_code("A003 NO [ALREADYEXISTSX]", "ALREADYEXISTS"));
	ck_assert(imap_has_resp_code("A3 NO [TRYCREATE MORE] x", "TRYCREATE"));

	ck_assert_int_eq(imap_tagged_status("i1 OK [READ-ONLY] Examine completed", "i1"), 'O');
	ck_assert_int_eq(imap_tagged_status("i2 NO Mailbox doesn't exist", "i2"), 'N');
	ck_assert_int_eq(imap_tagged_status("i2 BAD", "i2"), 'B');
	ck_assert_int_eq(imap_tagged_status("i12 OK", "i1"), 0);
	ck_assert_int_eq(imap_tagged_status("* OK Still here", "i1"), 0);
	ck_assert_int_eq(imap_tagged_status("i1 OKAY", "i1"), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("imap_proto");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, mailbox_modified_utf7);
	tcase_add_test(tc, quoting_and_url_escape);
	tcase_add_test(tc, status_answers);
	tcase_add_test(tc, search_answers);
	tcase_add_test(tc, capability_answers);
	tcase_add_test(tc, list_answers);
	tcase_add_test(tc, untagged_and_tagged_lines);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
