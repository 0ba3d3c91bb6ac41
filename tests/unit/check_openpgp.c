/* Unit tests of the OpenPGP module against real GnuPG: throwaway homes under
 * a mkdtemp directory, keys made with the gpg command line, and the signed
 * mails of the shared corpus. Without gpg the program fails (Bail out!). */
#define _XOPEN_SOURCE 700	/* mkdtemp, nftw */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "openpgp.h"
#include "testutil.h"
#include "xmalloc.h"

#ifndef CLERK_SHARED_DEFAULT
#define CLERK_SHARED_DEFAULT ""
#endif

static const char FORM[] = "Form: pfo\r\nName: Member One\r\nYear: 2026\r\n";

/* Everything main() prepares before the tests run (each test runs in a
 * child and sees a copy). */
static struct {
	char	 dir[64];
	char	 shared[1024];
	char	*h_assoc;	/* association key; knows member, old, revoked */
	char	*h_member;	/* member key (signing subkey); knows assoc */
	char	*h_stranger;	/* two unrelated keys and a locked one */
	char	*h_old;		/* a key that expired in 2021 */
	char	*h_revoked;	/* a key revoked after signing */
	char	*h_import;	/* empty at first: import tests */
	char	*h_corpus;	/* the corpus keys */
	int	 have_corpus;	/* the shared corpus is there */
	char	*h_noagent;	/* knows member, but gpg-agent cannot start */
	char	 assoc[41], member[41], member_sign[41];
	char	 stranger[41], stranger2[41], locked[41], old[41], revoked[41];
	struct buf old_sig;	/* detached over FORM by old, made in 2020 */
	struct buf revoked_sig;	/* detached over FORM by revoked */
	struct buf two_sigs;	/* detached over FORM by stranger + stranger2 */
	struct buf clearsigned;	/* FORM clearsigned by member */
	struct buf opaque;	/* FORM signed (not clear) by member */
	struct buf symmetric;	/* FORM encrypted with a passphrase */
	struct buf stranger_secret; /* assoc public + stranger secret export */
} fx;

/* ---- helpers ---- */

static void teardown(void);

static char *
path2(const char *a, const char *b)
{
	return xasprintf("%s/%s", a, b);
}

static int
read_file(const char *path, struct buf *out)
{
	char chunk[8192];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(out, chunk, (size_t)n);
	close(fd);
	return n < 0 ? -1 : 0;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		tu_die("write %s: %s", path, strerror(errno));
}

/* The fingerprint from a "[GNUPG:] KEY_CREATED X FPR" status line. */
static void
created_fpr(const struct buf *status, char out[41])
{
	const char *p = strstr(buf_str(status), "KEY_CREATED ");

	if (p == NULL || strlen(p) < 14 + 40)
		tu_die("no KEY_CREATED in gpg status output");
	memcpy(out, p + 14, 40);
	out[40] = '\0';
}

static void
gen_key(const char *home, const char *uid, const char *expire,
    const char *faked_time, const char *pass, char fpr[41])
{
	struct buf st = BUF_INIT;
	int rc;

	if (faked_time != NULL)
		rc = tu_gpg(home, &st, "--status-fd", "1",
		    "--faked-system-time", faked_time, "--pinentry-mode",
		    "loopback", "--passphrase", pass ? pass : "",
		    "--quick-gen-key", uid, "ed25519", "sign", expire, NULL);
	else
		rc = tu_gpg(home, &st, "--status-fd", "1", "--pinentry-mode",
		    "loopback", "--passphrase", pass ? pass : "",
		    "--quick-gen-key", uid, "ed25519", "sign", expire, NULL);
	tu_gpg_must(rc, uid);
	created_fpr(&st, fpr);
	buf_free(&st);
}

static void
add_subkey(const char *home, const char *fpr, const char *algo,
    const char *usage, char sub[41])
{
	struct buf st = BUF_INIT;

	tu_gpg_must(tu_gpg(home, &st, "--status-fd", "1", "--pinentry-mode",
	    "loopback", "--passphrase", "", "--quick-add-key", fpr, algo,
	    usage, "never", NULL), "add subkey");
	if (sub != NULL)
		created_fpr(&st, sub);
	buf_free(&st);
}

static void
export_public(const char *home, const char *fpr, struct buf *out)
{
	tu_gpg_must(tu_gpg(home, out, "--armor", "--export", fpr, NULL),
	    "export");
	if (out->len == 0)
		tu_die("export of %s gave nothing", fpr);
}

static struct openpgp *
open_home(const char *home)
{
	struct openpgp *p = NULL;
	struct clerk_err err = { 0, "" };

	if (openpgp_open(home, &p, &err) == -1)
		tu_die("openpgp_open %s: %s", home, err.msg);
	return p;
}

/* Imports the public key of `fpr` from one home into another (our API). */
static void
copy_public(const char *from, const char *fpr, const char *to)
{
	struct buf key = BUF_INIT;
	struct pgp_strings fprs = { NULL, 0 };
	struct clerk_err err = { 0, "" };
	struct openpgp *p = open_home(to);

	export_public(from, fpr, &key);
	if (openpgp_import_public(p, key.data, key.len, &fprs, &err) == -1)
		tu_die("import %s into %s: %s", fpr, to, err.msg);
	if (fprs.n != 1 || strcmp(fprs.v[0], fpr) != 0)
		tu_die("import %s gave %zu keys", fpr, fprs.n);
	pgp_strings_free(&fprs);
	openpgp_close(p);
	buf_free(&key);
}

static int
has_bare_lf(const struct buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] == '\n' && (i == 0 || b->data[i - 1] != '\r'))
			return 1;
	return 0;
}

static int
list_has(const struct pgp_strings *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* ---- fixture ---- */

static void
setup(void)
{
	struct buf b = BUF_INIT, st = BUF_INIT;
	struct clerk_err err = { 0, "" };
	struct openpgp *p;
	char *f, *g, micalg[PGP_MICALG_MAX];
	const char *env;

	if ((env = getenv("CLERK_SHARED")) != NULL && env[0] != '\0')
		snprintf(fx.shared, sizeof(fx.shared), "%s", env);
	else if ((env = getenv("CLERK_SRCDIR")) != NULL && env[0] != '\0')
		snprintf(fx.shared, sizeof(fx.shared), "%s/../shared", env);
	else
		snprintf(fx.shared, sizeof(fx.shared), "%s",
		    CLERK_SHARED_DEFAULT);
	/* The shared corpus is an extra suite: its tests are skipped (and
	 * counted) where it is absent. */
	f = xasprintf("%s/corpus/MANIFEST.tsv", fx.shared);
	fx.have_corpus = access(f, R_OK) == 0;
	free(f);

	tu_mkdtemp("openpgp", teardown);
	snprintf(fx.dir, sizeof(fx.dir), "%s", tu_dir);
	fx.h_assoc = tu_make_home("assoc");
	fx.h_member = tu_make_home("member");
	fx.h_stranger = tu_make_home("stranger");
	fx.h_old = tu_make_home("old");
	fx.h_revoked = tu_make_home("revoked");
	fx.h_import = tu_make_home("import");
	fx.h_corpus = tu_make_home("corpus");
	fx.h_noagent = tu_make_home("noagent");
	/* An agent that must bind a socket where it cannot fails to start,
	 * wherever GnuPG puts its standard sockets. */
	f = path2(fx.h_noagent, "gpg-agent.conf");
	g = xasprintf("extra-socket %s/no-such-dir/S.extra\n", fx.dir);
	write_file(f, g, strlen(g));
	free(f);
	free(g);

	gen_key(fx.h_assoc, "Test Association <Secretary@Assoc.example>",
	    "never", NULL, NULL, fx.assoc);
	add_subkey(fx.h_assoc, fx.assoc, "cv25519", "encr", NULL);

	/* The member signs with a subkey, so that the primary fingerprint
	 * must be looked up; one user id is revoked and must not count. */
	gen_key(fx.h_member, "Member One <Member.One@Example.org>", "never",
	    NULL, NULL, fx.member);
	add_subkey(fx.h_member, fx.member, "cv25519", "encr", NULL);
	add_subkey(fx.h_member, fx.member, "ed25519", "sign", fx.member_sign);
	tu_gpg_must(tu_gpg(fx.h_member, NULL, "--quick-add-uid", fx.member,
	    "Member One <m1@alt.example>", NULL), "add uid");
	tu_gpg_must(tu_gpg(fx.h_member, NULL, "--quick-add-uid", fx.member,
	    "Member One <gone@old.example>", NULL), "add uid");
	tu_gpg_must(tu_gpg(fx.h_member, NULL, "--quick-revoke-uid", fx.member,
	    "Member One <gone@old.example>", NULL), "revoke uid");

	gen_key(fx.h_stranger, "Stranger <stranger@example.net>", "never",
	    NULL, NULL, fx.stranger);
	add_subkey(fx.h_stranger, fx.stranger, "cv25519", "encr", NULL);
	gen_key(fx.h_stranger, "Stranger Two <two@example.net>", "never",
	    NULL, NULL, fx.stranger2);
	gen_key(fx.h_stranger, "Locked <locked@example.net>", "never", NULL,
	    "a passphrase", fx.locked);
	/* Forget any cached passphrase: the locked key must stay locked. */
	f = xasprintf("gpgconf --homedir '%s' --reload gpg-agent",
	    fx.h_stranger);
	if (system(f) != 0)
		tu_die("%s failed", f);
	free(f);

	/* Expired: made and used in 2020, expired a year later. */
	gen_key(fx.h_old, "Old Member <old@example.org>", "1y",
	    "20200101T000000", NULL, fx.old);
	f = path2(fx.dir, "form.txt");
	g = path2(fx.dir, "old.sig");
	write_file(f, FORM, sizeof(FORM) - 1);
	tu_gpg_must(tu_gpg(fx.h_old, NULL, "--faked-system-time",
	    "20200601T000000", "-u", fx.old, "--armor", "--output", g,
	    "--detach-sign", f, NULL), "sign in 2020");
	if (read_file(g, &fx.old_sig) == -1)
		tu_die("read %s", g);
	free(g);

	/* Two signatures in one detached signature. */
	g = path2(fx.dir, "two.sig");
	tu_gpg_must(tu_gpg(fx.h_stranger, NULL, "-u", fx.stranger, "-u",
	    fx.stranger2, "--armor", "--output", g, "--detach-sign", f, NULL),
	    "sign twice");
	if (read_file(g, &fx.two_sigs) == -1)
		tu_die("read %s", g);
	free(g);

	g = path2(fx.dir, "form.asc");
	tu_gpg_must(tu_gpg(fx.h_member, NULL, "-u", fx.member, "--output", g,
	    "--clearsign", f, NULL), "clearsign");
	if (read_file(g, &fx.clearsigned) == -1)
		tu_die("read %s", g);
	free(g);
	g = path2(fx.dir, "form.gpg");
	tu_gpg_must(tu_gpg(fx.h_member, NULL, "-u", fx.member, "--armor",
	    "--output", g, "--sign", f, NULL), "sign opaque");
	if (read_file(g, &fx.opaque) == -1)
		tu_die("read %s", g);
	free(g);
	g = path2(fx.dir, "form.sym");
	tu_gpg_must(tu_gpg(fx.h_member, NULL, "--pinentry-mode", "loopback",
	    "--passphrase", "shared secret", "--armor", "--output", g,
	    "--symmetric", f, NULL), "symmetric");
	if (read_file(g, &fx.symmetric) == -1)
		tu_die("read %s", g);
	free(g);
	free(f);

	/* Revoked: signs first, then its revocation reaches the association
	 * as an updated public key. */
	gen_key(fx.h_revoked, "Revoked Member <revoked@example.org>",
	    "never", NULL, NULL, fx.revoked);
	p = open_home(fx.h_revoked);
	if (openpgp_sign_detached(p, fx.revoked, FORM, sizeof(FORM) - 1,
	    &fx.revoked_sig, micalg, &err) == -1)
		tu_die("sign by revoked: %s", err.msg);
	openpgp_close(p);
	copy_public(fx.h_revoked, fx.revoked, fx.h_assoc);
	f = xasprintf("%s/openpgp-revocs.d/%s.rev", fx.h_revoked, fx.revoked);
	if (read_file(f, &b) == -1)
		tu_die("read %s", f);
	free(f);
	/* GnuPG guards the stored certificate with a ':' before the armor. */
	{
		char *c = strstr(b.data, ":-----BEGIN PGP PUBLIC KEY BLOCK");

		if (c == NULL)
			tu_die("revocation certificate not in the expected form");
		f = path2(fx.dir, "revoke.asc");
		write_file(f, c + 1, b.len - (size_t)(c + 1 - b.data));
	}
	tu_gpg_must(tu_gpg(fx.h_revoked, NULL, "--import", f, NULL),
	    "import revocation");
	free(f);
	buf_reset(&b);
	export_public(fx.h_revoked, fx.revoked, &b);
	p = open_home(fx.h_assoc);
	{
		struct pgp_strings fprs = { NULL, 0 };

		if (openpgp_import_public(p, b.data, b.len, &fprs, &err) == -1)
			tu_die("import revoked key: %s", err.msg);
		pgp_strings_free(&fprs);
	}
	openpgp_close(p);

	copy_public(fx.h_member, fx.member, fx.h_assoc);
	copy_public(fx.h_member, fx.member, fx.h_noagent);
	copy_public(fx.h_assoc, fx.assoc, fx.h_member);
	copy_public(fx.h_old, fx.old, fx.h_assoc);

	/* Public association key followed by a secret key. */
	export_public(fx.h_assoc, fx.assoc, &fx.stranger_secret);
	tu_gpg_must(tu_gpg(fx.h_stranger, &fx.stranger_secret, "--armor",
	    "--pinentry-mode", "loopback", "--passphrase", "",
	    "--export-secret-keys", fx.stranger, NULL), "export secret");

	buf_free(&b);
	buf_free(&st);
}

static int
rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void
teardown(void)
{
	char **homes[] = { &fx.h_assoc, &fx.h_member, &fx.h_stranger,
	    &fx.h_old, &fx.h_revoked, &fx.h_import, &fx.h_corpus,
	    &fx.h_noagent };

	for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++) {
		char *cmd;

		if (*homes[i] == NULL)
			continue;
		cmd = xasprintf("gpgconf --homedir '%s' --kill all", *homes[i]);
		if (system(cmd) != 0)
			fprintf(stderr, "warning: %s failed\n", cmd);
		free(cmd);
		free(*homes[i]);
		*homes[i] = NULL;
	}
	if (fx.dir[0] != '\0' && strncmp(fx.dir, "/tmp/clerk-openpgp-", 19) == 0)
		nftw(fx.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	buf_free(&fx.old_sig);
	buf_free(&fx.revoked_sig);
	buf_free(&fx.two_sigs);
	buf_free(&fx.clearsigned);
	buf_free(&fx.opaque);
	buf_free(&fx.symmetric);
	buf_free(&fx.stranger_secret);
}

/* ---- context ---- */

START_TEST(open_missing_home_fails_clearly)
{
	struct openpgp *p = (struct openpgp *)1;
	struct clerk_err err = { 1, "" };
	char *missing = path2(fx.dir, "no-such-dir/home");
	char *file = path2(fx.dir, "form.txt");
	char *fresh = path2(fx.dir, "fresh-home");
	struct stat sb;
	mode_t old = umask(022);

	/* A home that is not there is made, 0700 whatever the umask; a
	 * loose one is narrowed. */
	ck_assert_msg(openpgp_open(fresh, &p, &err) == 0, "%s", err.msg);
	openpgp_close(p);
	ck_assert_int_eq(stat(fresh, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0700);
	ck_assert_int_eq(chmod(fresh, 0755), 0);
	ck_assert_msg(openpgp_open(fresh, &p, &err) == 0, "%s", err.msg);
	openpgp_close(p);
	ck_assert_int_eq(stat(fresh, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0700);
	umask(old);
	free(fresh);

	ck_assert_int_eq(openpgp_open(missing, &p, &err), -1);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, missing));
	ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
	ck_assert_int_eq(openpgp_open(file, &p, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a directory"));
	ck_assert_int_eq(openpgp_open("", &p, &err), -1);
	free(missing);
	free(file);
}
END_TEST

START_TEST(verdict_names)
{
	ck_assert_str_eq(pgp_verdict_name(PGP_UNSIGNED), "unsigned");
	ck_assert_str_eq(pgp_verdict_name(PGP_GOOD), "good");
	ck_assert_str_eq(pgp_verdict_name(PGP_BAD), "bad");
	ck_assert_str_eq(pgp_verdict_name(PGP_UNKNOWN_KEY), "unknown-key");
	ck_assert_str_eq(pgp_verdict_name(PGP_EXPIRED), "expired");
	ck_assert_str_eq(pgp_verdict_name(PGP_REVOKED), "revoked");
	ck_assert_str_eq(pgp_verdict_name(PGP_ERROR), "error");
	ck_assert_str_eq(pgp_verdict_name((enum pgp_verdict)99), "error");
}
END_TEST

START_TEST(fpr_normalize)
{
	char out[41];
	char spaced[] = "76dc e2ea 4b3f cfde 068b  4821 d8cf d7cc 8c88 f5c2";

	ck_assert_int_eq(pgp_fpr_normalize(spaced, out), 0);
	ck_assert_str_eq(out, "76DCE2EA4B3FCFDE068B4821D8CFD7CC8C88F5C2");
	ck_assert_int_eq(pgp_fpr_normalize("76DCE2EA4B3FCFDE", out), -1);
	ck_assert_int_eq(pgp_fpr_normalize(
	    "76DCE2EA4B3FCFDE068B4821D8CFD7CC8C88F5C2AA", out), -1);
	ck_assert_int_eq(pgp_fpr_normalize(
	    "76DCE2EA4B3FCFDE068B4821D8CFD7CC8C88F5CG", out), -1);
	ck_assert_int_eq(pgp_fpr_normalize("alice@example.org", out), -1);
	ck_assert_int_eq(pgp_fpr_normalize("", out), -1);
	ck_assert_int_eq(pgp_fpr_normalize(NULL, out), -1);
}
END_TEST

/* ---- signing and detached verification ---- */

START_TEST(sign_then_verify_good_primary_fpr)
{
	struct openpgp *m = open_home(fx.h_member), *a = open_home(fx.h_assoc);
	struct pgp_signature_info info = { 0 };
	struct clerk_err err = { 0, "" };
	struct buf sig = BUF_INIT;
	char micalg[PGP_MICALG_MAX];

	ck_assert_int_eq(openpgp_sign_detached(m, fx.member, FORM,
	    sizeof(FORM) - 1, &sig, micalg, &err), 0);
	ck_assert_ptr_nonnull(strstr(sig.data,
	    "-----BEGIN PGP SIGNATURE-----\r\n"));
	ck_assert_ptr_nonnull(strstr(sig.data, "-----END PGP SIGNATURE-----\r\n"));
	ck_assert(!has_bare_lf(&sig));
	ck_assert_msg(strcmp(micalg, "pgp-sha512") == 0 ||
	    strcmp(micalg, "pgp-sha256") == 0, "micalg %s", micalg);

	ck_assert_int_eq(openpgp_verify_detached(a, FORM, sizeof(FORM) - 1,
	    sig.data, sig.len, &info, &err), 0);
	ck_assert_msg(info.verdict == PGP_GOOD, "verdict %s: %s",
	    pgp_verdict_name(info.verdict), info.reason);
	ck_assert_str_eq(info.fpr, fx.member);
	/* GnuPG names the signing subkey; the primary was looked up. */
	ck_assert_str_eq(info.sig_fpr, fx.member_sign);
	ck_assert_str_ne(info.sig_fpr, info.fpr);
	ck_assert_uint_eq(info.nsigs, 1);
	ck_assert_str_eq(info.reason, "");
	ck_assert(info.created > 1600000000);
	ck_assert_uint_eq(info.emails.n, 2);
	ck_assert(list_has(&info.emails, "member.one@example.org"));
	ck_assert(list_has(&info.emails, "m1@alt.example"));
	ck_assert(!list_has(&info.emails, "gone@old.example"));

	pgp_signature_info_free(&info);
	buf_free(&sig);
	openpgp_close(m);
	openpgp_close(a);
}
END_TEST

START_TEST(tampered_data_is_bad)
{
	struct openpgp *m = open_home(fx.h_member), *a = open_home(fx.h_assoc);
	struct pgp_signature_info info = { 0 };
	struct clerk_err err = { 0, "" };
	struct buf sig = BUF_INIT;
	char micalg[PGP_MICALG_MAX], *forged = xstrdup(FORM);

	ck_assert_int_eq(openpgp_sign_detached(m, fx.member, FORM,
	    sizeof(FORM) - 1, &sig, micalg, &err), 0);
	forged[strlen(forged) - 3] = '7';	/* Year: 2027 */
	ck_assert_int_eq(openpgp_verify_detached(a, forged, strlen(forged),
	    sig.data, sig.len, &info, &err), 0);
	ck_assert_str_eq(pgp_verdict_name(info.verdict), "bad");
	ck_assert_str_ne(info.reason, "");
	ck_assert(!pgp_signer_is_sender(&info, fx.member, NULL));
	ck_assert(!pgp_signer_is_sender(&info, NULL, "member.one@example.org"));

	/* The same bytes with LF line ends are different bytes. */
	pgp_signature_info_free(&info);
	ck_assert_int_eq(openpgp_verify_detached(a, "Form: pfo\nName: Member "
	    "One\nYear: 2026\n", 38, sig.data, sig.len, &info, &err), 0);
	ck_assert_int_eq(info.verdict, PGP_BAD);

	pgp_signature_info_free(&info);
	free(forged);
	buf_free(&sig);
	openpgp_close(m);
	openpgp_close(a);
}
END_TEST

START_TEST(unknown_key)
{
	struct openpgp *s = open_home(fx.h_stranger), *a = open_home(fx.h_assoc);
	struct pgp_signature_info info = { 0 };
	struct clerk_err err = { 0, "" };
	struct buf sig = BUF_INIT;
	char micalg[PGP_MICALG_MAX];

	ck_assert_int_eq(openpgp_sign_detached(s, fx.stranger, FORM,
	    sizeof(FORM) - 1, &sig, micalg, &err), 0);
	ck_assert_int_eq(openpgp_verify_detached(a, FORM, sizeof(FORM) - 1,
	    sig.data, sig.len, &info, &err), 0);
	ck_assert_str_eq(pgp_verdict_name(info.verdict), "unknown-key");
	ck_assert_str_eq(info.fpr, "");
	ck_assert_str_ne(info.sig_fpr, "");
	ck_assert_uint_eq(info.emails.n, 0);
	ck_assert(!pgp_signer_is_sender(&info, fx.stranger, NULL));

	pgp_signature_info_free(&info);
	buf_free(&sig);
	openpgp_close(s);
	openpgp_close(a);
}
END_TEST

START_TEST(expired_key)
{
	struct openpgp *a = open_home(fx.h_assoc);
	struct pgp_signature_info info = { 0 };
	struct clerk_err err = { 0, "" };

	ck_assert_int_eq(openpgp_verify_detached(a, FORM, sizeof(FORM) - 1,
	    fx.old_sig.data, fx.old_sig.len, &info, &err), 0);
	ck_assert_msg(info.verdict == PGP_EXPIRED, "verdict %s: %s",
	    pgp_verdict_name(info.verdict), info.reason);
	ck_assert_str_eq(info.fpr, fx.old);
	ck_assert(info.created > 1577836800 && info.created < 1609459200);
	ck_assert(!pgp_signer_is_sender(&info, fx.old, NULL));

	pgp_signature_info_free(&info);
	openpgp_close(a);
}
END_TEST

START_TEST(revoked_key)
{
	struct openpgp *a = open_home(fx.h_assoc);
	struct pgp_signature_info info = { 0 };
	struct clerk_err err = { 0, "" };

	ck_assert_int_eq(openpgp_verify_detached(a, FORM, sizeof(FORM) - 1,
	    fx.revoked_sig.data, fx.revoked_sig.len, &info, &err), 0);
	ck_assert_msg(info.verdict == PGP_REVOKED, "verdict %s: %s",
	    pgp_verdict_name(info.verdict), info.reason);
	ck_assert_str_eq(info.fpr, fx.revoked);
	ck_assert(!pgp_signer_is_sender(&info, fx.revoked, NULL));
	ck_assert(!pgp_signer_is_sender(&info, NULL, "revoked@example.org"));

	pgp_signature_info_free(&info);
	openpgp_close(a);
}
END_TEST

START_TEST(two_signatures_not_accepted)
{
	struct openpgp *s = open_home(fx.h_stranger);
	struct pgp_signature_info info = { 0 };
	struct clerk_err err = { 0, "" };

	ck_assert_int_eq(openpgp_verify_detached(s, FORM, sizeof(FORM) - 1,
	    fx.two_sigs.data, fx.two_sigs.len, &info, &err), 0);
	ck_assert_int_eq(info.verdict, PGP_ERROR);
	ck_assert_uint_eq(info.nsigs, 2);
	ck_assert_ptr_nonnull(strstr(info.reason, "exactly one"));
	ck_assert(!pgp_signer_is_sender(&info, fx.stranger, NULL));

	pgp_signature_info_free(&info);
	openpgp_close(s);
}
END_TEST

START_TEST(garbage_signature_is_a_verdict_not_a_failure)
{
	struct openpgp *a = open_home(fx.h_assoc);
	struct pgp_signature_info info = { 0 };
	struct clerk_err err = { 0, "" };
	static const char junk[] = "-----BEGIN PGP SIGNATURE-----\n\n"
	    "bm90IGEgc2lnbmF0dXJl\n=AAAA\n-----END PGP SIGNATURE-----\n";

	ck_assert_int_eq(openpgp_verify_detached(a, FORM, sizeof(FORM) - 1,
	    junk, sizeof(junk) - 1, &info, &err), 0);
	ck_assert_int_eq(info.verdict, PGP_ERROR);
	ck_assert_str_ne(info.reason, "");
	pgp_signature_info_free(&info);

	ck_assert_int_eq(openpgp_verify_detached(a, FORM, sizeof(FORM) - 1,
	    "", 0, &info, &err), 0);
	ck_assert_int_eq(info.verdict, PGP_ERROR);
	pgp_signature_info_free(&info);

	/* Plain text where a signature was announced. */
	ck_assert_int_eq(openpgp_verify_detached(a, FORM, sizeof(FORM) - 1,
	    FORM, sizeof(FORM) - 1, &info, &err), 0);
	ck_assert_int_eq(info.verdict, PGP_ERROR);
	pgp_signature_info_free(&info);
	openpgp_close(a);
}
END_TEST

START_TEST(signer_must_be_secret_key)
{
	struct openpgp *a = open_home(fx.h_assoc);
	struct clerk_err err = { 1, "" };
	struct buf sig = BUF_INIT;
	char micalg[PGP_MICALG_MAX];

	/* The member's public key is here, its secret key is not. */
	ck_assert_int_eq(openpgp_sign_detached(a, fx.member, FORM,
	    sizeof(FORM) - 1, &sig, micalg, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a secret key"));
	ck_assert_uint_eq(sig.len, 0);

	err.temporary = 1;
	ck_assert_int_eq(openpgp_sign_detached(a, "Test Association", FORM,
	    sizeof(FORM) - 1, &sig, micalg, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "fingerprint"));
	openpgp_close(a);

	/* A secret key that has expired cannot sign. */
	a = open_home(fx.h_old);
	err.temporary = 1;
	ck_assert_int_eq(openpgp_sign_detached(a, fx.old, FORM,
	    sizeof(FORM) - 1, &sig, micalg, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_msg(strstr(err.msg, "cannot sign") != NULL, "%s", err.msg);
	ck_assert_uint_eq(sig.len, 0);
	openpgp_close(a);
}
END_TEST

START_TEST(locked_key_fails_at_once)
{
	struct openpgp *s = open_home(fx.h_stranger);
	struct clerk_err err = { 1, "" };
	struct buf sig = BUF_INIT;
	char micalg[PGP_MICALG_MAX];

	ck_assert_int_eq(openpgp_sign_detached(s, fx.locked, FORM,
	    sizeof(FORM) - 1, &sig, micalg, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_msg(strstr(err.msg, "passphrase") != NULL, "%s", err.msg);
	openpgp_close(s);
}
END_TEST

START_TEST(self_test)
{
	struct openpgp *a = open_home(fx.h_assoc);
	struct clerk_err err = { 0, "" };
	char lower[41];

	ck_assert_msg(openpgp_self_test(a, fx.assoc, &err) == 0, "%s", err.msg);
	for (int i = 0; i < 41; i++)
		lower[i] = (char)(fx.assoc[i] >= 'A' && fx.assoc[i] <= 'F' ?
		    fx.assoc[i] - 'A' + 'a' : fx.assoc[i]);
	ck_assert_msg(openpgp_self_test(a, lower, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(openpgp_self_test(a, fx.member, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "self-test"));
	openpgp_close(a);
}
END_TEST

/* ---- clearsigned ---- */

START_TEST(clearsigned_good_and_unsigned)
{
	struct openpgp *a = open_home(fx.h_assoc);
	struct pgp_signature_info info = { 0 };
	struct clerk_err err = { 0, "" };
	struct buf plain = BUF_INIT;

	ck_assert_int_eq(openpgp_verify_clearsigned(a, fx.clearsigned.data,
	    fx.clearsigned.len, &info, &plain, &err), 0);
	ck_assert_msg(info.verdict == PGP_GOOD, "%s", info.reason);
	ck_assert_str_eq(info.fpr, fx.member);
	ck_assert_ptr_nonnull(strstr(plain.data, "Name: Member One"));
	ck_assert_ptr_null(strstr(plain.data, "BEGIN PGP"));
	ck_assert(pgp_signer_is_sender(&info, fx.member, NULL));
	pgp_signature_info_free(&info);

	buf_reset(&plain);
	ck_assert_int_eq(openpgp_verify_clearsigned(a, FORM, sizeof(FORM) - 1,
	    &info, &plain, &err), 0);
	ck_assert_str_eq(pgp_verdict_name(info.verdict), "unsigned");
	ck_assert_uint_eq(info.nsigs, 0);
	ck_assert_uint_eq(plain.len, 0);
	pgp_signature_info_free(&info);

	/* An opaque signed message is read the same way. */
	buf_reset(&plain);
	ck_assert_int_eq(openpgp_verify_clearsigned(a, fx.opaque.data,
	    fx.opaque.len, &info, &plain, &err), 0);
	ck_assert_msg(info.verdict == PGP_GOOD, "%s", info.reason);
	ck_assert_str_eq(info.fpr, fx.member);
	ck_assert_uint_eq(plain.len, sizeof(FORM) - 1);
	ck_assert_mem_eq(plain.data, FORM, plain.len);
	pgp_signature_info_free(&info);

	/* Two signed blocks in one text: not accepted, no text returned. */
	{
		struct buf two = BUF_INIT;

		buf_append(&two, fx.clearsigned.data, fx.clearsigned.len);
		buf_append(&two, fx.clearsigned.data, fx.clearsigned.len);
		buf_reset(&plain);
		ck_assert_int_eq(openpgp_verify_clearsigned(a, two.data,
		    two.len, &info, &plain, &err), 0);
		ck_assert_int_ne(info.verdict, PGP_GOOD);
		ck_assert_uint_eq(plain.len, 0);
		pgp_signature_info_free(&info);
		buf_free(&two);
	}

	/* A changed line inside the signed block. */
	{
		struct buf t = BUF_INIT;
		char *y;

		buf_append(&t, fx.clearsigned.data, fx.clearsigned.len);
		y = strstr(t.data, "Year: 2026");
		ck_assert_ptr_nonnull(y);
		y[9] = '7';
		ck_assert_int_eq(openpgp_verify_clearsigned(a, t.data, t.len,
		    &info, NULL, &err), 0);
		ck_assert_int_eq(info.verdict, PGP_BAD);
		pgp_signature_info_free(&info);
		buf_free(&t);
	}
	buf_free(&plain);
	openpgp_close(a);
}
END_TEST

/* ---- encryption ---- */

START_TEST(sign_encrypt_then_decrypt_verify)
{
	struct openpgp *m = open_home(fx.h_member), *a = open_home(fx.h_assoc);
	struct pgp_signature_info info = { 0 };
	struct pgp_decrypt_info dec = { 0 };
	struct clerk_err err = { 0, "" };
	struct buf cipher = BUF_INIT, plain = BUF_INIT;
	const char *to[] = { fx.assoc };

	ck_assert_msg(openpgp_sign_encrypt(m, fx.member, to, 1, FORM,
	    sizeof(FORM) - 1, &cipher, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(cipher.data,
	    "-----BEGIN PGP MESSAGE-----\r\n"));
	ck_assert(!has_bare_lf(&cipher));
	ck_assert_ptr_null(strstr(cipher.data, "Member One"));

	ck_assert_int_eq(openpgp_decrypt_verify(a, cipher.data, cipher.len,
	    &plain, &info, &dec, &err), 0);
	ck_assert_int_eq(dec.decrypted, 1);
	ck_assert_int_eq(dec.no_secret_key, 0);
	ck_assert_uint_eq(dec.recipients.n, 1);
	ck_assert_uint_eq(strlen(dec.recipients.v[0]), 16);
	ck_assert_uint_eq(plain.len, sizeof(FORM) - 1);
	ck_assert_mem_eq(plain.data, FORM, plain.len);
	ck_assert_msg(info.verdict == PGP_GOOD, "%s", info.reason);
	ck_assert_str_eq(info.fpr, fx.member);
	ck_assert(pgp_signer_is_sender(&info, fx.member, NULL));

	pgp_signature_info_free(&info);
	pgp_decrypt_info_free(&dec);
	buf_free(&cipher);
	buf_free(&plain);
	openpgp_close(m);
	openpgp_close(a);
}
END_TEST

START_TEST(encrypt_unsigned_to_member)
{
	struct openpgp *m = open_home(fx.h_member), *a = open_home(fx.h_assoc);
	struct pgp_signature_info info = { 0 };
	struct pgp_decrypt_info dec = { 0 };
	struct clerk_err err = { 0, "" };
	struct buf cipher = BUF_INIT, plain = BUF_INIT;
	/* Spaced lower-case fingerprints are accepted. */
	char spaced[60];
	const char *to[] = { spaced, fx.assoc };

	snprintf(spaced, sizeof(spaced), "%.20s %.20s", fx.member,
	    fx.member + 20);
	for (char *c = spaced; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	ck_assert_msg(openpgp_encrypt(a, to, 2, FORM, sizeof(FORM) - 1,
	    &cipher, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(openpgp_decrypt_verify(m, cipher.data, cipher.len,
	    &plain, &info, &dec, &err), 0);
	ck_assert_int_eq(dec.decrypted, 1);
	ck_assert_uint_eq(dec.recipients.n, 2);
	ck_assert_str_eq(pgp_verdict_name(info.verdict), "unsigned");
	ck_assert_mem_eq(plain.data, FORM, sizeof(FORM) - 1);

	pgp_signature_info_free(&info);
	pgp_decrypt_info_free(&dec);
	buf_free(&cipher);
	buf_free(&plain);
	openpgp_close(m);
	openpgp_close(a);
}
END_TEST

START_TEST(decrypt_without_secret_key)
{
	struct openpgp *m = open_home(fx.h_member), *s = open_home(fx.h_stranger);
	struct pgp_signature_info info = { 0 };
	struct pgp_decrypt_info dec = { 0 };
	struct clerk_err err = { 0, "" };
	struct buf cipher = BUF_INIT, plain = BUF_INIT;
	const char *to[] = { fx.assoc };

	ck_assert_int_eq(openpgp_encrypt(m, to, 1, FORM, sizeof(FORM) - 1,
	    &cipher, &err), 0);
	ck_assert_int_eq(openpgp_decrypt_verify(s, cipher.data, cipher.len,
	    &plain, &info, &dec, &err), 0);
	ck_assert_int_eq(dec.decrypted, 0);
	ck_assert_int_eq(dec.no_secret_key, 1);
	ck_assert_str_ne(dec.reason, "");
	ck_assert_uint_eq(dec.recipients.n, 1);
	ck_assert_uint_eq(plain.len, 0);
	ck_assert_int_ne(info.verdict, PGP_GOOD);
	pgp_signature_info_free(&info);
	pgp_decrypt_info_free(&dec);

	/* Not encrypted at all, and a damaged message: answers, not failures. */
	ck_assert_int_eq(openpgp_decrypt_verify(s, FORM, sizeof(FORM) - 1,
	    &plain, &info, &dec, &err), 0);
	ck_assert_int_eq(dec.decrypted, 0);
	ck_assert_int_eq(dec.no_secret_key, 0);
	pgp_signature_info_free(&info);
	pgp_decrypt_info_free(&dec);
	{
		struct openpgp *a = open_home(fx.h_assoc);
		char *mid = cipher.data + cipher.len / 2;

		/* Only signed, not encrypted: not "decrypted". */
		ck_assert_int_eq(openpgp_decrypt_verify(a, fx.opaque.data,
		    fx.opaque.len, &plain, &info, &dec, &err), 0);
		ck_assert_int_eq(dec.decrypted, 0);
		ck_assert_uint_eq(plain.len, 0);
		pgp_signature_info_free(&info);
		pgp_decrypt_info_free(&dec);
		/* Symmetric: clerk types no passphrase; an answer, not a
		 * failure, and at once. */
		ck_assert_int_eq(openpgp_decrypt_verify(a, fx.symmetric.data,
		    fx.symmetric.len, &plain, &info, &dec, &err), 0);
		ck_assert_int_eq(dec.decrypted, 0);
		ck_assert_int_eq(dec.no_secret_key, 0);
		ck_assert_ptr_nonnull(strstr(dec.reason, "passphrase"));
		ck_assert_uint_eq(plain.len, 0);
		pgp_signature_info_free(&info);
		pgp_decrypt_info_free(&dec);

		*mid = *mid == 'A' ? 'B' : 'A';
		ck_assert_int_eq(openpgp_decrypt_verify(a, cipher.data,
		    cipher.len, &plain, &info, &dec, &err), 0);
		ck_assert_int_eq(dec.decrypted, 0);
		ck_assert_str_ne(dec.reason, "");
		pgp_signature_info_free(&info);
		pgp_decrypt_info_free(&dec);
		openpgp_close(a);
	}
	buf_free(&cipher);
	buf_free(&plain);
	openpgp_close(m);
	openpgp_close(s);
}
END_TEST

START_TEST(encrypt_refuses_unknown_recipients)
{
	struct openpgp *a = open_home(fx.h_assoc);
	struct clerk_err err = { 1, "" };
	struct buf cipher = BUF_INIT;
	const char *stranger[] = { fx.stranger };
	const char *name[] = { "Member One" };
	const char *old[] = { fx.old };

	ck_assert_int_eq(openpgp_encrypt(a, stranger, 1, FORM,
	    sizeof(FORM) - 1, &cipher, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, fx.stranger));
	ck_assert_int_eq(openpgp_encrypt(a, name, 1, FORM, sizeof(FORM) - 1,
	    &cipher, &err), -1);
	ck_assert_int_eq(openpgp_encrypt(a, stranger, 0, FORM,
	    sizeof(FORM) - 1, &cipher, &err), -1);
	/* An expired key (which cannot encrypt anyway) is refused. */
	err.temporary = 1;
	ck_assert_int_eq(openpgp_encrypt(a, old, 1, FORM, sizeof(FORM) - 1,
	    &cipher, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_msg(strstr(err.msg, "cannot encrypt") != NULL, "%s", err.msg);
	ck_assert_uint_eq(cipher.len, 0);
	openpgp_close(a);
}
END_TEST

START_TEST(agent_down_is_temporary)
{
	struct openpgp *m = open_home(fx.h_member), *n = open_home(fx.h_noagent);
	struct pgp_signature_info info = { 0 };
	struct pgp_decrypt_info dec = { 0 };
	struct pgp_key_list keys = { NULL, 0 };
	struct clerk_err err = { 0, "" };
	struct buf sig = BUF_INIT, cipher = BUF_INIT, plain = BUF_INIT;
	char micalg[PGP_MICALG_MAX];
	const char *to[] = { fx.member };

	/* Verification needs no agent. */
	ck_assert_int_eq(openpgp_sign_detached(m, fx.member, FORM,
	    sizeof(FORM) - 1, &sig, micalg, &err), 0);
	ck_assert_int_eq(openpgp_verify_detached(n, FORM, sizeof(FORM) - 1,
	    sig.data, sig.len, &info, &err), 0);
	ck_assert_int_eq(info.verdict, PGP_GOOD);
	pgp_signature_info_free(&info);

	/* Everything needing a secret key fails, and is worth a retry:
	 * not "no secret key", not "not encrypted to us". */
	buf_reset(&sig);
	err.temporary = 0;
	ck_assert_int_eq(openpgp_sign_detached(n, fx.member, FORM,
	    sizeof(FORM) - 1, &sig, micalg, &err), -1);
	ck_assert_int_eq(err.temporary, 1);
	ck_assert_msg(strstr(err.msg, "gpg-agent") != NULL, "%s", err.msg);
	ck_assert_uint_eq(sig.len, 0);

	ck_assert_int_eq(openpgp_encrypt(m, to, 1, FORM, sizeof(FORM) - 1,
	    &cipher, &err), 0);
	err.temporary = 0;
	ck_assert_int_eq(openpgp_decrypt_verify(n, cipher.data, cipher.len,
	    &plain, &info, &dec, &err), -1);
	ck_assert_int_eq(err.temporary, 1);
	ck_assert_msg(strstr(err.msg, "gpg-agent") != NULL, "%s", err.msg);
	ck_assert_int_eq(dec.decrypted, 0);
	pgp_signature_info_free(&info);
	pgp_decrypt_info_free(&dec);

	err.temporary = 0;
	ck_assert_int_eq(openpgp_has_key(n, fx.member, 1, &err), -1);
	ck_assert_int_eq(err.temporary, 1);
	ck_assert_int_eq(openpgp_has_key(n, fx.member, 0, &err), 1);
	ck_assert_int_eq(openpgp_list_keys(n, NULL, 1, &keys, &err), -1);
	ck_assert_int_eq(err.temporary, 1);
	ck_assert_int_eq(openpgp_self_test(n, fx.member, &err), -1);
	ck_assert_int_eq(err.temporary, 1);

	/* The same call where the agent runs: a permanent answer. */
	openpgp_close(n);
	n = open_home(fx.h_import);
	ck_assert_int_eq(openpgp_decrypt_verify(n, cipher.data, cipher.len,
	    &plain, &info, &dec, &err), 0);
	ck_assert_int_eq(dec.decrypted, 0);
	ck_assert_int_eq(dec.no_secret_key, 1);
	pgp_signature_info_free(&info);
	pgp_decrypt_info_free(&dec);

	buf_free(&sig);
	buf_free(&cipher);
	buf_free(&plain);
	openpgp_close(m);
	openpgp_close(n);
}
END_TEST

/* ---- keys ---- */

START_TEST(import_public_and_lookups)
{
	struct openpgp *i = open_home(fx.h_import);
	struct pgp_strings fprs = { NULL, 0 }, emails = { NULL, 0 };
	struct clerk_err err = { 0, "" };
	struct buf key = BUF_INIT;

	ck_assert_int_eq(openpgp_has_key(i, fx.member, 0, &err), 0);
	export_public(fx.h_member, fx.member, &key);
	ck_assert_msg(openpgp_import_public(i, key.data, key.len, &fprs,
	    &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(fprs.n, 1);
	ck_assert_str_eq(fprs.v[0], fx.member);
	ck_assert_int_eq(openpgp_has_key(i, fx.member, 0, &err), 1);
	ck_assert_int_eq(openpgp_has_key(i, fx.member, 1, &err), 0);
	ck_assert_int_eq(openpgp_has_key(i, "Member", 0, &err), -1);
	ck_assert_int_eq(openpgp_key_emails(i, fx.member, &emails, &err), 0);
	ck_assert_uint_eq(emails.n, 2);
	ck_assert(list_has(&emails, "member.one@example.org"));
	pgp_strings_free(&emails);
	ck_assert_int_eq(openpgp_key_emails(i, fx.stranger, &emails, &err), -1);
	ck_assert_int_eq(err.temporary, 0);

	/* Importing the same key again names it again. */
	pgp_strings_free(&fprs);
	ck_assert_int_eq(openpgp_import_public(i, key.data, key.len, &fprs,
	    &err), 0);
	ck_assert_uint_eq(fprs.n, 1);

	pgp_strings_free(&fprs);
	ck_assert_int_eq(openpgp_import_public(i, "hello", 5, &fprs, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_int_eq(openpgp_import_public(i, "", 0, &fprs, &err), -1);
	ck_assert_uint_eq(fprs.n, 0);

	buf_free(&key);
	openpgp_close(i);
}
END_TEST

START_TEST(import_refuses_secret_keys)
{
	struct openpgp *i = open_home(fx.h_import);
	struct pgp_strings fprs = { NULL, 0 };
	struct pgp_key_list keys = { NULL, 0 };
	struct clerk_err err = { 1, "" };

	ck_assert_ptr_nonnull(strstr(fx.stranger_secret.data,
	    "PRIVATE KEY BLOCK"));
	ck_assert_int_eq(openpgp_import_public(i, fx.stranger_secret.data,
	    fx.stranger_secret.len, &fprs, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "secret"));
	ck_assert_uint_eq(fprs.n, 0);
	/* Nothing at all was imported, not even the public key before it. */
	ck_assert_int_eq(openpgp_list_keys(i, NULL, 0, &keys, &err), 0);
	for (size_t k = 0; k < keys.n; k++) {
		ck_assert_str_ne(keys.v[k].fpr, fx.stranger);
		ck_assert_str_ne(keys.v[k].fpr, fx.assoc);
	}
	ck_assert_int_eq(openpgp_has_key(i, fx.stranger, 0, &err), 0);
	ck_assert_int_eq(openpgp_has_key(i, fx.stranger, 1, &err), 0);
	ck_assert_int_eq(openpgp_has_key(i, fx.assoc, 0, &err), 0);
	pgp_key_list_free(&keys);
	openpgp_close(i);
}
END_TEST

START_TEST(list_keys_for_clerkctl)
{
	struct openpgp *m = open_home(fx.h_member);
	struct pgp_key_list keys = { NULL, 0 };
	struct clerk_err err = { 0, "" };
	const struct pgp_key *me = NULL, *assoc = NULL;

	ck_assert_int_eq(openpgp_list_keys(m, NULL, 0, &keys, &err), 0);
	ck_assert_uint_eq(keys.n, 2);
	for (size_t k = 0; k < keys.n; k++) {
		if (strcmp(keys.v[k].fpr, fx.member) == 0)
			me = &keys.v[k];
		if (strcmp(keys.v[k].fpr, fx.assoc) == 0)
			assoc = &keys.v[k];
	}
	ck_assert_ptr_nonnull(me);
	ck_assert_ptr_nonnull(assoc);
	ck_assert_int_eq(me->secret, 1);
	ck_assert_int_eq(assoc->secret, 0);
	ck_assert_int_eq(me->can_sign, 1);
	ck_assert_int_eq(me->can_encrypt, 1);
	ck_assert_int_eq(me->revoked, 0);
	ck_assert(me->created > 0);
	ck_assert(me->expires == 0);
	ck_assert_uint_eq(me->uids.n, 3);	/* with the revoked one */
	ck_assert(list_has(&me->uids, "Member One <Member.One@Example.org>"));
	ck_assert_uint_eq(me->emails.n, 2);
	pgp_key_list_free(&keys);

	ck_assert_int_eq(openpgp_list_keys(m, NULL, 1, &keys, &err), 0);
	ck_assert_uint_eq(keys.n, 1);
	ck_assert_str_eq(keys.v[0].fpr, fx.member);
	pgp_key_list_free(&keys);
	openpgp_close(m);

	m = open_home(fx.h_old);
	ck_assert_int_eq(openpgp_list_keys(m, NULL, 0, &keys, &err), 0);
	ck_assert_uint_eq(keys.n, 1);
	ck_assert_int_eq(keys.v[0].expired, 1);
	ck_assert(keys.v[0].expires > 1577836800 && keys.v[0].expires < 1620000000);
	pgp_key_list_free(&keys);
	openpgp_close(m);
}
END_TEST

/* ---- sender check (pure) ---- */

static void
fake_info(struct pgp_signature_info *info, enum pgp_verdict v,
    const char *fpr, const char *email)
{
	memset(info, 0, sizeof(*info));
	info->verdict = v;
	snprintf(info->fpr, sizeof(info->fpr), "%s", fpr);
	info->emails.v = xcalloc(1, sizeof(char *));
	info->emails.v[0] = xstrdup(email);
	info->emails.n = 1;
}

START_TEST(signer_is_sender_rules)
{
	struct pgp_signature_info info;
	const char *fpr = "0123456789ABCDEF0123456789ABCDEF01234567";

	fake_info(&info, PGP_GOOD, fpr, "member.one@example.org");
	/* Pinned: the fingerprint decides, in any case and spacing. */
	ck_assert(pgp_signer_is_sender(&info, fpr, NULL));
	ck_assert(pgp_signer_is_sender(&info,
	    "0123 4567 89ab cdef 0123  4567 89AB CDEF 0123 4567", "x@y"));
	ck_assert(!pgp_signer_is_sender(&info,
	    "1123456789ABCDEF0123456789ABCDEF01234567",
	    "member.one@example.org"));
	ck_assert(!pgp_signer_is_sender(&info, "", "member.one@example.org"));
	ck_assert(!pgp_signer_is_sender(&info, "0123456789ABCDEF", NULL));
	/* Applicant: a user-id address must equal From. */
	ck_assert(pgp_signer_is_sender(&info, NULL, "Member.One@EXAMPLE.org"));
	ck_assert(!pgp_signer_is_sender(&info, NULL, "member.two@example.org"));
	ck_assert(!pgp_signer_is_sender(&info, NULL, "member.one@example.org.evil"));
	ck_assert(!pgp_signer_is_sender(&info, NULL, ""));
	ck_assert(!pgp_signer_is_sender(&info, NULL, NULL));
	/* Anything but GOOD is never the sender. */
	for (int v = PGP_UNSIGNED; v <= PGP_ERROR; v++) {
		if (v == PGP_GOOD)
			continue;
		info.verdict = (enum pgp_verdict)v;
		ck_assert(!pgp_signer_is_sender(&info, fpr, NULL));
		ck_assert(!pgp_signer_is_sender(&info, NULL,
		    "member.one@example.org"));
	}
	/* GOOD without a known key fingerprint is not enough either. */
	info.verdict = PGP_GOOD;
	info.fpr[0] = '\0';
	ck_assert(!pgp_signer_is_sender(&info, NULL, "member.one@example.org"));
	ck_assert(!pgp_signer_is_sender(NULL, fpr, NULL));
	pgp_signature_info_free(&info);
	pgp_signature_info_free(&info);	/* twice is harmless */
}
END_TEST

START_TEST(signer_is_sender_real_signatures)
{
	struct openpgp *m = open_home(fx.h_member), *a = open_home(fx.h_assoc);
	struct pgp_signature_info info = { 0 };
	struct clerk_err err = { 0, "" };
	struct buf sig = BUF_INIT;
	char micalg[PGP_MICALG_MAX];

	ck_assert_int_eq(openpgp_sign_detached(m, fx.member, FORM,
	    sizeof(FORM) - 1, &sig, micalg, &err), 0);
	ck_assert_int_eq(openpgp_verify_detached(a, FORM, sizeof(FORM) - 1,
	    sig.data, sig.len, &info, &err), 0);
	ck_assert_int_eq(info.verdict, PGP_GOOD);
	/* pinned match, pinned mismatch (a good signature by someone else,
	 * here the signing subkey is not what is pinned either) */
	ck_assert(pgp_signer_is_sender(&info, fx.member, "ignored@x"));
	ck_assert(!pgp_signer_is_sender(&info, fx.assoc, NULL));
	ck_assert(!pgp_signer_is_sender(&info, fx.member_sign, NULL));
	/* applicant: user id match, mismatch, revoked user id */
	ck_assert(pgp_signer_is_sender(&info, NULL, "m1@ALT.example"));
	ck_assert(!pgp_signer_is_sender(&info, NULL, "secretary@assoc.example"));
	ck_assert(!pgp_signer_is_sender(&info, NULL, "gone@old.example"));
	pgp_signature_info_free(&info);
	buf_free(&sig);
	openpgp_close(m);
	openpgp_close(a);
}
END_TEST

/* ---- corpus ---- */

static void
corpus_file(const char *rel, struct buf *out)
{
	char *f = xasprintf("%s/corpus/%s", fx.shared, rel);

	ck_assert_msg(read_file(f, out) == 0, "cannot read %s", f);
	free(f);
}

/* Quoted-printable decoding, enough for the corpus bodies. */
static void
qp_decode(const char *s, size_t n, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		const char *h1, *h2;

		if (s[i] != '=') {
			buf_append_char(out, s[i]);
			continue;
		}
		if (i + 1 < n && s[i + 1] == '\n') {
			i++;
			continue;
		}
		if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (i + 2 < n && (h1 = strchr(hex, s[i + 1])) != NULL &&
		    (h2 = strchr(hex, s[i + 2])) != NULL && *h1 && *h2) {
			buf_append_char(out, (char)((h1 - hex) * 16 + (h2 - hex)));
			i += 2;
			continue;
		}
		buf_append_char(out, s[i]);
	}
}

/* The clearsigned block of a mail, QP-decoded first when asked. */
static void
clearsigned_block(const char *rel, int qp, struct buf *out)
{
	struct buf raw = BUF_INIT, dec = BUF_INIT;
	const char *b, *e, *src;

	corpus_file(rel, &raw);
	src = raw.data;
	if (qp) {
		qp_decode(raw.data, raw.len, &dec);
		src = dec.data;
	}
	b = strstr(src, "-----BEGIN PGP SIGNED MESSAGE-----");
	ck_assert_ptr_nonnull(b);
	e = strstr(b, "-----END PGP SIGNATURE-----");
	ck_assert_ptr_nonnull(e);
	e += strlen("-----END PGP SIGNATURE-----");
	buf_append(out, b, (size_t)(e - b));
	buf_append_str(out, "\n");
	buf_free(&raw);
	buf_free(&dec);
}

/* The two parts of a top-level multipart/signed: the first part exactly as
 * transmitted (made CRLF, as RFC 3156 canonical form), and the body of the
 * second. Plain string search: the MIME module is tested elsewhere. */
static void
mime_signed_parts(const char *rel, struct buf *signed_part, struct buf *sig)
{
	struct buf raw = BUF_INIT;
	char bound[256], delim[260];
	const char *m, *p, *q, *end, *hdr_end;
	size_t n = 0;

	corpus_file(rel, &raw);
	m = raw.data;
	hdr_end = strstr(m, "\n\n");
	if ((p = strstr(m, "\n\r\n")) != NULL && (hdr_end == NULL || p < hdr_end))
		hdr_end = p;
	ck_assert_ptr_nonnull(hdr_end);
	p = strstr(m, "boundary=");
	ck_assert_msg(p != NULL && p < hdr_end, "no boundary in %s", rel);
	p += strlen("boundary=");
	if (*p == '"')
		for (p++; *p && *p != '"' && n < sizeof(bound) - 1; p++)
			bound[n++] = *p;
	else
		for (; *p && !strchr(" \t\r\n;", *p) && n < sizeof(bound) - 1;
		    p++)
			bound[n++] = *p;
	bound[n] = '\0';
	snprintf(delim, sizeof(delim), "\n--%s", bound);

	p = strstr(hdr_end, delim);
	ck_assert_ptr_nonnull(p);
	p = strchr(p + 1, '\n') + 1;	/* first part starts */
	q = strstr(p, delim);		/* its end */
	ck_assert_ptr_nonnull(q);
	end = q;
	if (end > p && end[-1] == '\r')
		end--;
	for (const char *c = p; c < end; c++) {
		if (*c == '\n' && (c == p || c[-1] != '\r'))
			buf_append_char(signed_part, '\r');
		buf_append_char(signed_part, *c);
	}
	p = strchr(q + 1, '\n') + 1;	/* second part's headers */
	q = strstr(p, "\n\n");
	end = strstr(p, "\n\r\n");
	if (q == NULL || (end != NULL && end < q))
		q = end;
	ck_assert_ptr_nonnull(q);
	end = strstr(q, delim);
	ck_assert_ptr_nonnull(end);
	buf_append(sig, q, (size_t)(end - q));
	buf_free(&raw);
}

static void
import_corpus_keys(struct openpgp *c)
{
	static const char *const keys[] = {
		"keys/schleuder-paz-52507B0163A8D9F0094FFE03B1A36F08069E55DE.asc",
		"keys/kde-mimetreeparser-test-pubring.gpg",
		"keys/tb-alice@openpgp.example-0xf231550c4f47e38e-pub.asc",
		"keys/tb-bob@openpgp.example-0xfbfcc82a015e7330-pub.asc",
		"keys/tb-carol@example.com-0x3099ff1238852b9f-pub.asc",
		"keys/rt-test-at-example.com.public.key",
	};
	struct clerk_err err = { 0, "" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct buf b = BUF_INIT;
		struct pgp_strings fprs = { NULL, 0 };

		corpus_file(keys[i], &b);
		ck_assert_msg(openpgp_import_public(c, b.data, b.len, &fprs,
		    &err) == 0, "%s: %s", keys[i], err.msg);
		ck_assert_uint_ge(fprs.n, 1);
		pgp_strings_free(&fprs);
		buf_free(&b);
	}
}

START_TEST(corpus_inline_clearsigned)
{
	static const struct {
		const char	*file;
		int		 qp;
		enum pgp_verdict want;
		const char	*fpr;
		const char	*from;
	} cases[] = {
		{ "pgp-inline/schleuder-tb45-signed-inline.eml", 0, PGP_GOOD,
		    "52507B0163A8D9F0094FFE03B1A36F08069E55DE", "paz@nadir.org" },
		{ "pgp-inline/rt-mutt15-inline-signed.eml", 0, PGP_GOOD,
		    "F0CB3B482CFA485680A4A0BDD328035D84881F1B",
		    "rt-test@example.com" },
		{ "pgp-inline/kde-kmail413-inline-signed-latin1.eml", 1,
		    PGP_GOOD, "1BA323932B3FAA826132C79E8D9860C58F246DE6",
		    "test@kolab.org" },
		{ "pgp-inline/kde-kmail413-inline-signed-broken.eml", 1,
		    PGP_BAD, NULL, NULL },
	};
	struct openpgp *c = open_home(fx.h_corpus);
	struct clerk_err err = { 0, "" };

	import_corpus_keys(c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pgp_signature_info info = { 0 };
		struct buf text = BUF_INIT, plain = BUF_INIT;

		clearsigned_block(cases[i].file, cases[i].qp, &text);
		ck_assert_int_eq(openpgp_verify_clearsigned(c, text.data,
		    text.len, &info, &plain, &err), 0);
		ck_assert_msg(info.verdict == cases[i].want, "%s: %s (%s)",
		    cases[i].file, pgp_verdict_name(info.verdict), info.reason);
		if (cases[i].fpr != NULL) {
			ck_assert_str_eq(info.fpr, cases[i].fpr);
			ck_assert_msg(pgp_signer_is_sender(&info, NULL,
			    cases[i].from), "%s: %s not among the key's uids",
			    cases[i].file, cases[i].from);
			ck_assert(pgp_signer_is_sender(&info, cases[i].fpr,
			    NULL));
			ck_assert_uint_gt(plain.len, 0);
		} else
			ck_assert(!pgp_signer_is_sender(&info, NULL,
			    "test@kolab.org"));
		pgp_signature_info_free(&info);
		buf_free(&text);
		buf_free(&plain);
	}
	openpgp_close(c);
}
END_TEST

START_TEST(corpus_pgp_mime)
{
	static const struct {
		const char	*file;
		enum pgp_verdict want;
		const char	*fpr;
	} cases[] = {
		{ "pgp-signed/tb83-signed-bob-to-alice.eml", PGP_GOOD,
		    "D1A66E1A23B182C9980F788CFBFCC82A015E7330" },
		{ "pgp-signed/kde-kmail5-signed-two-attachments.eml", PGP_GOOD,
		    "1BA323932B3FAA826132C79E8D9860C58F246DE6" },
		{ "pgp-signed/rt-tb2-enigmail-signed-mime.eml", PGP_GOOD,
		    "F0CB3B482CFA485680A4A0BDD328035D84881F1B" },
		{ "pgp-signed/schleuder-tb45-enigmail-signed-mime-protected-headers.eml",
		    PGP_GOOD, "52507B0163A8D9F0094FFE03B1A36F08069E55DE" },
		/* armor damaged: no signature can be read */
		{ "pgp-signed/tb84-signed-damaged-signature.eml", PGP_ERROR,
		    NULL },
		/* edited after signing */
		{ "pgp-signed/kde-applemail93-gpgmail-signed-alternative-png.eml",
		    PGP_BAD, NULL },
		/* the signer's key travels in the mail and is not imported */
		{ "pgp-signed/schleuder-signed-utf8-with-key-attachment.eml",
		    PGP_UNKNOWN_KEY, NULL },
	};
	struct openpgp *c = open_home(fx.h_corpus);
	struct clerk_err err = { 0, "" };

	import_corpus_keys(c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pgp_signature_info info = { 0 };
		struct buf part = BUF_INIT, sig = BUF_INIT;

		mime_signed_parts(cases[i].file, &part, &sig);
		ck_assert_int_eq(openpgp_verify_detached(c, part.data,
		    part.len, sig.data, sig.len, &info, &err), 0);
		ck_assert_msg(info.verdict == cases[i].want, "%s: %s (%s)",
		    cases[i].file, pgp_verdict_name(info.verdict), info.reason);
		if (cases[i].fpr != NULL) {
			ck_assert_str_eq(info.fpr, cases[i].fpr);
			ck_assert(pgp_signer_is_sender(&info, cases[i].fpr,
			    NULL));
		} else {
			ck_assert_str_ne(info.reason, "");
			ck_assert_str_eq(info.fpr, "");
		}
		pgp_signature_info_free(&info);
		buf_free(&part);
		buf_free(&sig);
	}
	openpgp_close(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("openpgp");
	TCase *tc = tcase_create("gnupg");
	SRunner *sr;
	int failed;

	setup();
	/* Every operation starts gpg; sanitizers and valgrind are slow. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, open_missing_home_fails_clearly);
	tcase_add_test(tc, verdict_names);
	tcase_add_test(tc, fpr_normalize);
	tcase_add_test(tc, sign_then_verify_good_primary_fpr);
	tcase_add_test(tc, tampered_data_is_bad);
	tcase_add_test(tc, unknown_key);
	tcase_add_test(tc, expired_key);
	tcase_add_test(tc, revoked_key);
	tcase_add_test(tc, two_signatures_not_accepted);
	tcase_add_test(tc, garbage_signature_is_a_verdict_not_a_failure);
	tcase_add_test(tc, signer_must_be_secret_key);
	tcase_add_test(tc, locked_key_fails_at_once);
	tcase_add_test(tc, self_test);
	tcase_add_test(tc, clearsigned_good_and_unsigned);
	tcase_add_test(tc, sign_encrypt_then_decrypt_verify);
	tcase_add_test(tc, encrypt_unsigned_to_member);
	tcase_add_test(tc, decrypt_without_secret_key);
	tcase_add_test(tc, encrypt_refuses_unknown_recipients);
	tcase_add_test(tc, agent_down_is_temporary);
	tcase_add_test(tc, import_public_and_lookups);
	tcase_add_test(tc, import_refuses_secret_keys);
	tcase_add_test(tc, list_keys_for_clerkctl);
	tcase_add_test(tc, signer_is_sender_rules);
	tcase_add_test(tc, signer_is_sender_real_signatures);
	if (fx.have_corpus) {
		tcase_add_test(tc, corpus_inline_clearsigned);
		tcase_add_test(tc, corpus_pgp_mime);
	} else {
		printf("# SKIP 2 corpus tests: no shared corpus at %s/corpus (an extra "
		    "suite; set CLERK_SHARED)\n", fx.shared);
	}
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	teardown();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
