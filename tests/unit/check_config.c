/* Unit tests of clerk.conf parsing: every error names file:line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "xmalloc.h"

static char tmpdir[64];

static void
setup(void)
{
	FILE *f;

	strcpy(tmpdir, "/tmp/clerk-check-config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	for (int i = 0; i < 2; i++) {
		char *p = xasprintf("%s/%s", tmpdir, i ? "smtp.pw" : "imap.pw");

		f = fopen(p, "w");
		ck_assert_ptr_nonnull(f);
		fputs("s3cret\n", f);
		fclose(f);
		ck_assert_int_eq(chmod(p, 0600), 0);
		free(p);
	}
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static const char base_conf[] =
	"[intake]\n"
	"url = imaps://127.0.0.1:9993\n"
	"user = clerk@fgt.test\n"
	"password_file = imap.pw\n"
	"[smtp]\n"
	"url = smtp://mail.example.org:587\n"
	"user = clerk@fgt.test\n"
	"password_file = smtp.pw\n"
	"envelope_from = clerk@fgt.test\n"
	"[openpgp]\n"
	"home = gnupg\n"
	"fingerprint = 0123 4567 89ab cdef 0123 4567 89AB CDEF 0123 4567\n"
	"[association]\n"
	"name = Foreningen\n"
	"address = clerk@fgt.test\n"
	"profile = fgt\n"
	"workflows = /usr/share/clerk/workflows\n"
	"language = nb\n"
	"timezone = Europe/Oslo\n"
	"[officer secretary]\n"
	"email = Secretary@FGT.test\n"
	"fingerprint = 1111111111111111111111111111111111111111\n"
	"[storage]\n"
	"database = clerk.db\n";

static int
parse(const char *text, struct config **cfg, struct clerk_err *err)
{
	return config_parse("test.conf", tmpdir, text, strlen(text), cfg, err);
}

START_TEST(valid_config_parses_with_defaults)
{
	struct config *cfg = NULL;
	struct clerk_err err;
	char *db = xasprintf("%s/clerk.db", tmpdir);

	ck_assert_msg(parse(base_conf, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(cfg->intake.kind, INTAKE_IMAP);
	ck_assert_int_eq(cfg->intake.tls, TLS_IMPLICIT);
	ck_assert_str_eq(cfg->intake.password, "s3cret");
	ck_assert_str_eq(cfg->intake.mailbox, "INBOX");
	ck_assert_str_eq(cfg->intake.processed, "Processed");
	ck_assert_int_eq(cfg->smtp.tls, TLS_STARTTLS);
	ck_assert_str_eq(cfg->smtp.password, "s3cret");
	ck_assert_str_eq(cfg->openpgp.fingerprint, "0123456789ABCDEF0123456789ABCDEF01234567");
	ck_assert_str_eq(cfg->storage.database, db);
	ck_assert_int_eq(cfg->digest.hour, 7);
	ck_assert_str_eq(config_officer_by_role(cfg, "secretary")->email, "secretary@fgt.test");
	ck_assert_ptr_nonnull(config_officer_by_email(cfg, "SECRETARY@fgt.test"));
	ck_assert_ptr_nonnull(config_officer_by_fingerprint(cfg,
	    "1111111111111111111111111111111111111111"));
	ck_assert_ptr_null(config_officer_by_role(cfg, "treasurer"));
	config_free(cfg);
	free(db);
}
END_TEST

/* Replaces the first occurrence of `from` in the base configuration. */
static char *
variant(const char *from, const char *to)
{
	struct buf b = BUF_INIT;
	const char *at = strstr(base_conf, from);

	ck_assert_ptr_nonnull(at);
	buf_append(&b, base_conf, (size_t)(at - base_conf));
	buf_append_str(&b, to);
	buf_append_str(&b, at + strlen(from));
	return buf_steal(&b);
}

static void
expect_error(const char *from, const char *to, const char *want)
{
	struct config *cfg = NULL;
	struct clerk_err err;
	char *text = variant(from, to);

	ck_assert_int_eq(parse(text, &cfg, &err), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err.msg, want) != NULL, "got '%s', want '%s'", err.msg, want);
	free(text);
}

START_TEST(errors_name_file_line_and_key)
{
	expect_error("user = clerk@fgt.test\npassword_file = imap.pw\n",
	    "user = clerk@fgt.test\npasword_file = imap.pw\n",
	    "test.conf:4: unknown key 'pasword_file' in section [intake]");
	expect_error("imap.pw", "missing.pw", "test.conf:4: password_file: cannot open");
	expect_error("[storage]", "[storag]", "test.conf:23: unknown section [storag]");
	expect_error("fingerprint = 1111111111111111111111111111111111111111",
	    "fingerprint = 11111", "test.conf:22: fingerprint '11111' is not 40 hex digits");
	expect_error("url = imaps://127.0.0.1:9993", "url = pop3://127.0.0.1",
	    "test.conf:2: url 'pop3://127.0.0.1' must start with imaps:// or imap://");
	expect_error("timezone = Europe/Oslo\n", "",
	    "test.conf: missing key 'timezone' in section [association]");
	expect_error("[officer secretary]", "[officer treasurer]", "no [officer secretary]");
	expect_error("[officer secretary]", "[officer Secretary]", "test.conf:20: an officer section");
	expect_error("database = clerk.db", "database = clerk.db\ndatabase = x.db",
	    "test.conf:25: key 'database' already set");
	expect_error("[storage]\n", "[storage]\nnot a key line\n",
	    "test.conf:24: expected 'key = value'");
}
END_TEST

/* A password file others may read is refused, with its name and mode. */
START_TEST(password_file_must_be_private)
{
	char *p = xasprintf("%s/imap.pw", tmpdir);
	char *want = xasprintf("test.conf:4: password_file: '%s' has mode 0644: a password file "
	    "must not be readable or writable by group or others", p);
	struct config *cfg = NULL;
	struct clerk_err err;

	ck_assert_int_eq(chmod(p, 0644), 0);
	ck_assert_int_eq(parse(base_conf, &cfg, &err), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err.msg, want) != NULL, "got '%s'", err.msg);
	ck_assert_int_eq(chmod(p, 0620), 0);
	ck_assert_int_eq(parse(base_conf, &cfg, &err), -1);
	ck_assert_msg(strstr(err.msg, "has mode 0620") != NULL, "got '%s'", err.msg);
	ck_assert_int_eq(chmod(p, 0400), 0);
	ck_assert_msg(parse(base_conf, &cfg, &err) == 0, "%s", err.msg);
	config_free(cfg);
	free(want);
	free(p);
}
END_TEST

START_TEST(plain_protocols_only_on_loopback_or_insecure)
{
	struct config *cfg = NULL;
	struct clerk_err err;
	char *text = variant("imaps://127.0.0.1:9993", "imap://127.0.0.1:9143");

	ck_assert_msg(parse(text, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(cfg->intake.tls, TLS_NONE);
	config_free(cfg);
	free(text);

	text = variant("imaps://127.0.0.1:9993", "imap://mail.example.org");
	ck_assert_msg(parse(text, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(cfg->intake.tls, TLS_STARTTLS);
	config_free(cfg);
	free(text);

	text = variant("[storage]", "[security]\ninsecure = yes\n[storage]");
	ck_assert_msg(parse(text, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(cfg->smtp.tls, TLS_NONE);
	config_free(cfg);
	free(text);

	ck_assert(config_url_is_loopback("imaps://localhost:993/INBOX"));
	ck_assert(config_url_is_loopback("smtp://u@127.0.0.1:25"));
	ck_assert(config_url_is_loopback("imap://[::1]:143"));
	ck_assert(!config_url_is_loopback("imap://127.example.org"));
	ck_assert(!config_url_is_loopback("imaps://mail.example.org"));
	/* Read as curl reads it: the host is before '?', not after '@'. */
	ck_assert(!config_url_is_loopback("imap://evil.example?@127.0.0.1/"));
	ck_assert(!config_url_is_loopback("imap://evil.example#@127.0.0.1/"));
	ck_assert(!config_url_is_loopback("imap://127.0.0.1.evil.example/"));
	ck_assert(config_url_is_loopback("imap://user:p%40ss@127.0.0.1:143/INBOX"));
	ck_assert(config_url_is_loopback("imap://LOCALHOST/"));
	text = variant("imaps://127.0.0.1:9993", "imap://evil.example?@127.0.0.1/");
	ck_assert_msg(parse(text, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(cfg->intake.tls, TLS_STARTTLS);
	config_free(cfg);
	free(text);
}
END_TEST

START_TEST(sample_config_has_only_known_keys)
{
	const char *src = getenv("CLERK_SRCDIR");
	struct config *cfg = NULL;
	struct clerk_err err;
	char *path;

	ck_assert_msg(src != NULL, "CLERK_SRCDIR is not set");
	path = xasprintf("%s/clerk.conf.sample", src);
	/* Every key is known: the first error is the absent password file. */
	ck_assert_int_eq(config_load(path, &cfg, &err), -1);
	ck_assert_msg(strstr(err.msg, "clerk.conf.sample:13: password_file: cannot open "
	    "'/etc/clerk/imap.password'") != NULL, "%s", err.msg);
	free(path);
}
END_TEST

START_TEST(missing_file_is_reported)
{
	struct config *cfg = NULL;
	struct clerk_err err;

	ck_assert_int_eq(config_load("/nonexistent/clerk.conf", &cfg, &err), -1);
	ck_assert_str_eq(err.msg, "/nonexistent/clerk.conf: cannot open: No such file or directory");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, valid_config_parses_with_defaults);
	tcase_add_test(tc, errors_name_file_line_and_key);
	tcase_add_test(tc, plain_protocols_only_on_loopback_or_insecure);
	tcase_add_test(tc, password_file_must_be_private);
	tcase_add_test(tc, sample_config_has_only_known_keys);
	tcase_add_test(tc, missing_file_is_reported);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
