/* Unit tests of the signer process (signer.c): every OpenPGP operation
 * through the child gives what the same call in this process gives; a
 * child that dies is started again; a home it cannot use is refused as
 * openpgp_open refuses it. Throwaway GnuPG homes (testutil.c). */
#define _XOPEN_SOURCE 700

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "openpgp.h"
#include "signer.h"
#include "testutil.h"
#include "xmalloc.h"

static struct {
	char		*h_assoc, *h_alice;
	char		 assoc[41], alice[41];
	struct buf	 alice_pub;
} fx;

static void
teardown(void)
{
	char *homes[] = { fx.h_assoc, fx.h_alice };

	tu_cleanup(homes, 2);
	free(fx.h_assoc);
	free(fx.h_alice);
	buf_free(&fx.alice_pub);
}

static void
setup(void)
{
	tu_mkdtemp("signer", teardown);
	fx.h_assoc = tu_make_home("assoc");
	fx.h_alice = tu_make_home("alice");
	tu_gen_key(fx.h_assoc, "FGT Test Association <clerk@fgt.test>", 1, fx.assoc);
	tu_gen_key(fx.h_alice, "Alice Example <alice@example.test>", 1, fx.alice);
	tu_copy_public(fx.h_assoc, fx.assoc, fx.h_alice, NULL);
	tu_gpg_must(tu_gpg(fx.h_alice, &fx.alice_pub, "--armor", "--export", fx.alice, NULL),
	    "export alice");
}

static struct openpgp *
start(void)
{
	struct openpgp *p = NULL;
	struct clerk_err err;

	ck_assert_msg(signer_start(fx.h_assoc, &p, &err) == 0, "%s", err.msg);
	return p;
}

/* A detached signature by the association, made by the signer, verified
 * here; one by Alice, verified there; keys imported, listed, exported. */
START_TEST(every_operation_as_here)
{
	static const char text[] = "Content-Type: text/plain\r\n\r\nHello\r\n";
	struct openpgp *remote = start(), *local = NULL;
	struct pgp_signature_info info;
	struct pgp_strings fprs = { NULL, 0 }, emails = { NULL, 0 };
	struct pgp_key_list keys = { NULL, 0 };
	struct buf sig = BUF_INIT, exp = BUF_INIT, cipher = BUF_INIT, plain = BUF_INIT;
	struct pgp_decrypt_info dec;
	struct clerk_err err;
	char micalg[PGP_MICALG_MAX];
	const char *to[1];

	ck_assert_msg(openpgp_open(fx.h_assoc, &local, &err) == 0, "%s", err.msg);
	ck_assert_msg(openpgp_self_test(remote, fx.assoc, &err) == 0, "%s", err.msg);
	ck_assert_msg(openpgp_sign_detached(remote, fx.assoc, text, sizeof(text) - 1, &sig, micalg,
	    &err) == 0, "%s", err.msg);
	ck_assert_msg(strncmp(micalg, "pgp-sha", 7) == 0, "%s", micalg);
	ck_assert_msg(openpgp_verify_detached(local, text, sizeof(text) - 1, sig.data, sig.len,
	    &info, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(info.verdict, PGP_GOOD);
	ck_assert_str_eq(info.fpr, fx.assoc);
	pgp_signature_info_free(&info);
	/* A tampered text: bad, as here. */
	ck_assert_int_eq(openpgp_verify_detached(remote, "x", 1, sig.data, sig.len, &info, &err), 0);
	ck_assert_int_eq(info.verdict, PGP_BAD);
	pgp_signature_info_free(&info);
	/* Alice's key: unknown until imported; then good, with her address. */
	buf_reset(&sig);
	tu_gpg_must(tu_gpg(fx.h_alice, &sig, "--armor", "--clearsign", "-u", fx.alice, "-o", "-",
	    NULL), "clearsign");
	ck_assert_int_eq(openpgp_verify_clearsigned(remote, sig.data, sig.len, &info, &plain,
	    &err), 0);
	ck_assert_int_eq(info.verdict, PGP_UNKNOWN_KEY);
	pgp_signature_info_free(&info);
	ck_assert_msg(openpgp_import_public(remote, fx.alice_pub.data, fx.alice_pub.len, &fprs,
	    &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(fprs.n, 1);
	ck_assert_str_eq(fprs.v[0], fx.alice);
	buf_reset(&plain);
	ck_assert_int_eq(openpgp_verify_clearsigned(remote, sig.data, sig.len, &info, &plain,
	    &err), 0);
	ck_assert_int_eq(info.verdict, PGP_GOOD);
	ck_assert_str_eq(info.fpr, fx.alice);
	ck_assert_uint_eq(info.emails.n, 1);
	ck_assert_str_eq(info.emails.v[0], "alice@example.test");
	ck_assert_int_gt(info.created, 0);
	pgp_signature_info_free(&info);
	ck_assert_int_eq(openpgp_key_emails(remote, fx.alice, &emails, &err), 0);
	ck_assert_str_eq(emails.v[0], "alice@example.test");
	ck_assert_int_eq(openpgp_has_key(remote, fx.alice, 0, &err), 1);
	ck_assert_int_eq(openpgp_has_key(remote, fx.alice, 1, &err), 0);
	ck_assert_int_eq(openpgp_has_key(remote, fx.assoc, 1, &err), 1);
	ck_assert_int_eq(openpgp_list_keys(remote, NULL, 0, &keys, &err), 0);
	ck_assert_uint_eq(keys.n, 2);
	for (size_t i = 0; i < keys.n; i++)
		ck_assert_int_eq(keys.v[i].secret, strcmp(keys.v[i].fpr, fx.assoc) == 0);
	ck_assert_int_eq(openpgp_export_public(remote, fx.assoc, &exp, &err), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&exp), "BEGIN PGP PUBLIC KEY BLOCK"));
	/* Signed and encrypted to the association itself, decrypted there. */
	to[0] = fx.assoc;
	ck_assert_msg(openpgp_sign_encrypt(remote, fx.assoc, to, 1, text, sizeof(text) - 1,
	    &cipher, &err) == 0, "%s", err.msg);
	buf_reset(&plain);
	ck_assert_int_eq(openpgp_decrypt_verify(remote, cipher.data, cipher.len, &plain, &info,
	    &dec, &err), 0);
	ck_assert(dec.decrypted);
	ck_assert_int_eq(info.verdict, PGP_GOOD);
	ck_assert_uint_eq(plain.len, sizeof(text) - 1);
	ck_assert(memcmp(plain.data, text, plain.len) == 0);
	/* A failure comes back with its class and message. */
	ck_assert_int_eq(openpgp_sign_detached(remote, fx.alice, "x", 1, &sig, micalg, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_msg(err.msg[0] != '\0', "no message");
	pgp_signature_info_free(&info);
	pgp_decrypt_info_free(&dec);
	pgp_strings_free(&fprs);
	pgp_strings_free(&emails);
	pgp_key_list_free(&keys);
	buf_free(&sig);
	buf_free(&exp);
	buf_free(&cipher);
	buf_free(&plain);
	openpgp_close(local);
	openpgp_close(remote);
}
END_TEST

/* The child killed between two calls: the next call starts another. */
START_TEST(a_dead_signer_is_started_again)
{
	struct openpgp *p = start();
	struct clerk_err err;
	char cmd[128];

	/* The only child of this process that reads a socket: kill it. */
	snprintf(cmd, sizeof(cmd), "pkill -KILL -P %ld -x check_signer", (long)getpid());
	ck_assert_int_eq(system(cmd), 0);
	usleep(100 * 1000);
	ck_assert_msg(openpgp_self_test(p, fx.assoc, &err) == 0, "%s", err.msg);
	openpgp_close(p);
}
END_TEST

START_TEST(a_home_it_cannot_use_is_refused)
{
	struct openpgp *p = (struct openpgp *)1;
	struct clerk_err err;
	char *bad = xasprintf("%s/no/such/home", tu_dir);

	ck_assert_int_eq(signer_start(bad, &p, &err), -1);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err.msg, "No such file") != NULL, "%s", err.msg);
	free(bad);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("signer");
	TCase *tc = tcase_create("signer");
	SRunner *sr;
	int failed;

	setup();
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_operation_as_here);
	tcase_add_test(tc, a_dead_signer_is_started_again);
	tcase_add_test(tc, a_home_it_cannot_use_is_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	teardown();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
