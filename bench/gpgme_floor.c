/* gpgme_floor: the least any program must spend on the OpenPGP work of
 * bench_intake.sh, measured in the same run with the same keys: for each
 * mail, verify its detached signature, then sign two notices with the
 * association key (detached, armored, as clerk's PGP/MIME notices are),
 * nothing else. P worker processes share the mails, as clerk may use P
 * processes for OpenPGP. Prints "floor_ms=... mails=... workers=...".
 *
 *   gcc -std=c11 -O2 -o gpgme_floor bench/gpgme_floor.c $(pkg-config --cflags --libs gpgme)
 *   gpgme_floor HOME SIGNER_FPR P NOTICE_FILE PART SIG [PART SIG ...]
 *
 * PART is a mail's signed entity exactly as signed (CRLF), SIG its
 * application/pgp-signature. Not part of make check. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gpgme.h>

static void
die(const char *what, gpgme_error_t e)
{
	fprintf(stderr, "gpgme_floor: %s: %s\n", what, e ? gpgme_strerror(e) : strerror(errno));
	exit(1);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (b = malloc((size_t)n + 1)) == NULL ||
	    fread(b, 1, (size_t)n, f) != (size_t)n)
		die(path, 0);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void
verify(gpgme_ctx_t ctx, const char *part, const char *sig)
{
	gpgme_data_t d = NULL, s = NULL;
	size_t dl, sl;
	char *db = slurp(part, &dl), *sb = slurp(sig, &sl);
	gpgme_error_t e;

	if ((e = gpgme_data_new_from_mem(&d, db, dl, 0)) ||
	    (e = gpgme_data_new_from_mem(&s, sb, sl, 0)) ||
	    (e = gpgme_op_verify(ctx, s, d, NULL)))
		die("verify", e);
	if (gpgme_op_verify_result(ctx)->signatures == NULL)
		die("verify: no signature", 0);
	gpgme_data_release(d);
	gpgme_data_release(s);
	free(db);
	free(sb);
}

static void
sign(gpgme_ctx_t ctx, const char *text, size_t len)
{
	gpgme_data_t d = NULL, out = NULL;
	gpgme_error_t e;

	if ((e = gpgme_data_new_from_mem(&d, text, len, 0)) || (e = gpgme_data_new(&out)) ||
	    (e = gpgme_op_sign(ctx, d, out, GPGME_SIG_MODE_DETACH)))
		die("sign", e);
	if (gpgme_op_sign_result(ctx)->signatures == NULL)
		die("sign: no signature", 0);
	gpgme_data_release(d);
	gpgme_data_release(out);
}

static void
worker(const char *home, const char *fpr, const char *notice, size_t nlen, char **pairs,
    int npairs, int me, int workers)
{
	gpgme_ctx_t ctx;
	gpgme_key_t key;
	gpgme_error_t e;

	if ((e = gpgme_new(&ctx)) ||
	    (e = gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, home)) ||
	    (e = gpgme_get_key(ctx, fpr, &key, 1)) || (e = gpgme_signers_add(ctx, key)))
		die("context", e);
	gpgme_set_armor(ctx, 1);
	gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK);
	for (int i = me; i < npairs; i += workers) {
		verify(ctx, pairs[2 * i], pairs[2 * i + 1]);
		sign(ctx, notice, nlen);
		sign(ctx, notice, nlen);
	}
	gpgme_key_unref(key);
	gpgme_release(ctx);
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	size_t nlen;
	char *notice;
	int workers, npairs;

	if (argc < 7 || (argc - 5) % 2 != 0 || (workers = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: gpgme_floor HOME SIGNER_FPR P NOTICE PART SIG ...\n");
		return 2;
	}
	gpgme_check_version(NULL);
	notice = slurp(argv[4], &nlen);
	npairs = (argc - 5) / 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork", 0);
		if (pid == 0) {
			worker(argv[1], argv[2], notice, nlen, argv + 5, npairs, w, workers);
			_exit(0);
		}
	}
	for (int w = 0; w < workers; w++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			die("a worker failed", 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("floor_ms=%.0f mails=%d workers=%d\n", (t1.tv_sec - t0.tv_sec) * 1e3 +
	    (t1.tv_nsec - t0.tv_nsec) / 1e6, npairs, workers);
	free(notice);
	return 0;
}
