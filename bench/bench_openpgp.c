/* What one OpenPGP operation costs through the module (each starts gpg).
 * Not part of make check. Build against a configured build tree, e.g.:
 *
 *   gcc -std=c11 -O2 -I/work/main/include -o /tmp/bench_openpgp \
 *       /work/main/bench/bench_openpgp.c BUILDDIR/libclerk.a \
 *       $(pkg-config --cflags --libs gpgme)
 *   /tmp/bench_openpgp [iterations]
 *
 * It makes a throwaway GnuPG home with two ed25519/cv25519 keys (signer and
 * recipient), times each operation over the iterations, prints milliseconds
 * per operation, and removes the home. */
#define _XOPEN_SOURCE 700	/* mkdtemp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "openpgp.h"
#include "xmalloc.h"

static char home[64];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
run(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "bench: failed: %s\n", cmd);
		exit(1);
	}
}

static void
make_key(const char *uid, char fpr[41])
{
	char *cmd;
	FILE *f;

	cmd = xasprintf("gpg --homedir %s --batch --passphrase '' "
	    "--quick-gen-key '%s' ed25519 sign never 2>/dev/null", home, uid);
	run(cmd);
	free(cmd);
	cmd = xasprintf("gpg --homedir %s --with-colons --list-keys '=%s' | "
	    "awk -F: '/^fpr/ { print $10; exit }'", home, uid);
	if ((f = popen(cmd, "r")) == NULL || fscanf(f, "%40s", fpr) != 1) {
		fprintf(stderr, "bench: no fingerprint for %s\n", uid);
		exit(1);
	}
	pclose(f);
	free(cmd);
	cmd = xasprintf("gpg --homedir %s --batch --passphrase '' "
	    "--quick-add-key %s cv25519 encr never 2>/dev/null", home, fpr);
	run(cmd);
	free(cmd);
}

static void
check(int rc, const struct clerk_err *err, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "bench: %s: %s\n", what, err->msg);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	static const char text[] = "Form: pfo\r\nName: Member One\r\n"
	    "Year: 2026\r\nCourses: 12\r\nSupervision: 6,5\r\n";
	int n = argc > 1 ? atoi(argv[1]) : 50;
	struct clerk_err err = { 0, "" };
	struct openpgp *p;
	struct buf sig = BUF_INIT, cipher = BUF_INIT, plain = BUF_INIT;
	struct pgp_signature_info info = { 0 };
	struct pgp_decrypt_info dec = { 0 };
	char signer[41], member[41], micalg[PGP_MICALG_MAX], *cmd;
	const char *to[1];
	double t;

	if (n < 1)
		n = 1;
	snprintf(home, sizeof(home), "/tmp/clerk-bench-XXXXXX");
	if (mkdtemp(home) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	make_key("Bench Association <assoc@bench.example>", signer);
	make_key("Bench Member <member@bench.example>", member);
	to[0] = member;
	check(openpgp_open(home, &p, &err), &err, "open");
	/* Warm up: the first operation starts gpg-agent. */
	check(openpgp_self_test(p, signer, &err), &err, "self-test");

	t = now();
	for (int i = 0; i < n; i++) {
		buf_reset(&sig);
		check(openpgp_sign_detached(p, signer, text, sizeof(text) - 1,
		    &sig, micalg, &err), &err, "sign");
	}
	printf("sign detached        %7.2f ms  (%s)\n",
	    (now() - t) * 1000 / n, micalg);

	t = now();
	for (int i = 0; i < n; i++) {
		pgp_signature_info_free(&info);
		check(openpgp_verify_detached(p, text, sizeof(text) - 1,
		    sig.data, sig.len, &info, &err), &err, "verify");
		if (info.verdict != PGP_GOOD)
			check(-1, &err, "verify not good");
	}
	printf("verify detached      %7.2f ms  (incl. primary key lookup)\n",
	    (now() - t) * 1000 / n);

	t = now();
	for (int i = 0; i < n; i++)
		if (openpgp_has_key(p, signer, 0, &err) != 1)
			check(-1, &err, "has_key");
	printf("key lookup alone     %7.2f ms\n", (now() - t) * 1000 / n);

	t = now();
	for (int i = 0; i < n; i++) {
		buf_reset(&sig);
		pgp_signature_info_free(&info);
		check(openpgp_sign_detached(p, signer, text, sizeof(text) - 1,
		    &sig, micalg, &err), &err, "sign");
		check(openpgp_verify_detached(p, text, sizeof(text) - 1,
		    sig.data, sig.len, &info, &err), &err, "verify");
	}
	printf("sign+verify pair     %7.2f ms\n", (now() - t) * 1000 / n);

	t = now();
	for (int i = 0; i < n; i++) {
		buf_reset(&cipher);
		check(openpgp_sign_encrypt(p, signer, to, 1, text,
		    sizeof(text) - 1, &cipher, &err), &err, "sign+encrypt");
	}
	printf("sign+encrypt         %7.2f ms\n", (now() - t) * 1000 / n);

	t = now();
	for (int i = 0; i < n; i++) {
		buf_reset(&plain);
		pgp_signature_info_free(&info);
		pgp_decrypt_info_free(&dec);
		check(openpgp_decrypt_verify(p, cipher.data, cipher.len,
		    &plain, &info, &dec, &err), &err, "decrypt");
		if (!dec.decrypted || info.verdict != PGP_GOOD)
			check(-1, &err, "decrypt not good");
	}
	printf("decrypt+verify       %7.2f ms\n", (now() - t) * 1000 / n);
	printf("iterations           %d\n", n);

	pgp_signature_info_free(&info);
	pgp_decrypt_info_free(&dec);
	buf_free(&sig);
	buf_free(&cipher);
	buf_free(&plain);
	openpgp_close(p);
	cmd = xasprintf("gpgconf --homedir %s --kill all; rm -rf %s", home,
	    home);
	run(cmd);
	free(cmd);
	return 0;
}
