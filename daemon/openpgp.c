/* OpenPGP through GPGME: the only file that calls GPGME (see openpgp.h). */
#define _XOPEN_SOURCE 700	/* realpath */

#include "openpgp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gpgme.h>

#include "xmalloc.h"

/* Signing (sub)key -> its key, for the primary fingerprint and the
 * addresses after each verification: a key listing costs a gpg process,
 * more than the verification itself. Emptied by every import. */
#define KEY_CACHE_SIZE 64

struct openpgp {
	const struct openpgp_ops *ops;	/* NULL: GPGME here; else a backend */
	void		*be;		/* owned by ops */
	gpgme_ctx_t	 ctx;
	char		*home;		/* owned, absolute */
	gpgme_key_t	 signer;	/* owned ref: last signer that worked */
	char		 signer_fpr[41];
	struct {
		char		 subfpr[41];
		gpgme_key_t	 key;	/* owned ref */
	}		 cache[KEY_CACHE_SIZE];
	unsigned	 cache_next;	/* round-robin slot to fill */
};

static const char *const verdict_names[] = {
	[PGP_UNSIGNED] = "unsigned",
	[PGP_GOOD] = "good",
	[PGP_BAD] = "bad",
	[PGP_UNKNOWN_KEY] = "unknown-key",
	[PGP_EXPIRED] = "expired",
	[PGP_REVOKED] = "revoked",
	[PGP_ERROR] = "error",
};

const char *
pgp_verdict_name(enum pgp_verdict v)
{
	if ((unsigned)v >= sizeof(verdict_names) / sizeof(verdict_names[0]))
		return "error";
	return verdict_names[v];
}

/* ---- small helpers (no GPGME) ---- */

static int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Case-insensitive in ASCII only: addresses are compared byte for byte
 * otherwise, whatever the locale. */
static int
ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

static void
strings_push(struct pgp_strings *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static int
strings_has(const struct pgp_strings *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void
pgp_strings_free(struct pgp_strings *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
pgp_signature_info_free(struct pgp_signature_info *info)
{
	if (info == NULL)
		return;
	pgp_strings_free(&info->emails);
}

void
pgp_decrypt_info_free(struct pgp_decrypt_info *dec)
{
	if (dec == NULL)
		return;
	pgp_strings_free(&dec->recipients);
}

void
pgp_key_list_free(struct pgp_key_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		pgp_strings_free(&l->v[i].uids);
		pgp_strings_free(&l->v[i].emails);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
pgp_fpr_normalize(const char *in, char out[41])
{
	char tmp[41];
	size_t n = 0;

	if (in == NULL)
		return -1;
	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == ' ')
			continue;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F')))
			return -1;
		if (n == 40)
			return -1;
		tmp[n++] = (char)((c >= 'a' && c <= 'f') ? c - 'a' + 'A' : c);
	}
	if (n != 40)
		return -1;
	tmp[40] = '\0';
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

int
pgp_signature_age_check(long long created, long long now, long long max_age)
{
	if (created <= 0)
		return 3;
	if (created - now > PGP_SIGNATURE_SKEW_SECONDS)
		return 2;
	if (now - created > max_age)
		return 1;
	return 0;
}

int
pgp_signer_is_sender(const struct pgp_signature_info *info,
    const char *pinned_fpr, const char *from_addr)
{
	char want[41], have[41];

	if (info == NULL || info->verdict != PGP_GOOD)
		return 0;
	if (pgp_fpr_normalize(info->fpr, have) == -1)
		return 0;
	if (pinned_fpr != NULL) {
		if (pgp_fpr_normalize(pinned_fpr, want) == -1)
			return 0;
		return strcmp(want, have) == 0;
	}
	if (from_addr == NULL || from_addr[0] == '\0')
		return 0;
	for (size_t i = 0; i < info->emails.n; i++)
		if (ascii_caseeq(info->emails.v[i], from_addr))
			return 1;
	return 0;
}

/* Appends armored text with every bare LF turned into CRLF (RFC 3156 wants
 * canonical line ends in the mail; GnuPG writes LF). */
static void
append_crlf(struct buf *out, const char *p, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n' || (i > 0 && p[i - 1] == '\r'))
			continue;
		buf_append(out, p + start, i - start);
		buf_append(out, "\r\n", 2);
		start = i + 1;
	}
	buf_append(out, p + start, n - start);
}

/* ---- GPGME glue ---- */

static void
gpg_err(struct clerk_err *err, int temporary, gpgme_error_t e,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
gpg_err(struct clerk_err *err, int temporary, gpgme_error_t e,
    const char *fmt, ...)
{
	char what[256], msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (gpgme_strerror_r(e, msg, sizeof(msg)) != 0)
		snprintf(msg, sizeof(msg), "error code %u", gpgme_err_code(e));
	err_set(err, temporary ? ERR_TEMP : ERR_FINAL, "%s: %s <%s>", what, msg, gpgme_strsource(e));
}

static void
reason_set(char reason[256], gpgme_error_t e, const char *what)
{
	char msg[200];

	if (gpgme_strerror_r(e, msg, sizeof(msg)) != 0)
		snprintf(msg, sizeof(msg), "error code %u", gpgme_err_code(e));
	snprintf(reason, 256, "%s: %s", what, msg);
}

/* Errors caused by the message itself (broken, foreign, not for us), as
 * opposed to GnuPG failing to run: the former become a verdict or a "not
 * decryptable" answer, the latter a temporary failure to retry. */
static int
input_error(gpgme_error_t e)
{
	switch (gpgme_err_code(e)) {
	case GPG_ERR_NO_DATA:
	case GPG_ERR_BAD_DATA:
	case GPG_ERR_INV_DATA:
	case GPG_ERR_INV_PACKET:
	case GPG_ERR_UNKNOWN_PACKET:
	case GPG_ERR_INV_ARMOR:
	case GPG_ERR_CHECKSUM:
	case GPG_ERR_TRUNCATED:
	case GPG_ERR_INV_LENGTH:
	case GPG_ERR_BAD_MPI:
	case GPG_ERR_SYNTAX:
	case GPG_ERR_UNEXPECTED:
	case GPG_ERR_BAD_SIGNATURE:
	case GPG_ERR_SIG_CLASS:
	case GPG_ERR_UNKNOWN_VERSION:
	case GPG_ERR_PUBKEY_ALGO:
	case GPG_ERR_DIGEST_ALGO:
	case GPG_ERR_CIPHER_ALGO:
	case GPG_ERR_UNKNOWN_ALGORITHM:
	case GPG_ERR_UNSUPPORTED_ALGORITHM:
	case GPG_ERR_WRONG_KEY_USAGE:
	case GPG_ERR_BAD_KEY:
	case GPG_ERR_DECRYPT_FAILED:
	case GPG_ERR_NO_SECKEY:
	case GPG_ERR_NOT_ENCRYPTED:
		return 1;
	default:
		return 0;
	}
}

/* A key clerk asked for by name lacks a passphrase-free secret part. */
static int
passphrase_error(gpgme_error_t e)
{
	switch (gpgme_err_code(e)) {
	case GPG_ERR_CANCELED:
	case GPG_ERR_FULLY_CANCELED:
	case GPG_ERR_NO_PASSPHRASE:
	case GPG_ERR_BAD_PASSPHRASE:
	case GPG_ERR_NO_PIN_ENTRY:
		return 1;
	default:
		return 0;
	}
}

/* gpg-agent could not be started or reached: worth retrying. */
static int
agent_error(gpgme_error_t e)
{
	switch (gpgme_err_code(e)) {
	case GPG_ERR_NO_AGENT:
	case GPG_ERR_AGENT:
	case GPG_ERR_ASS_CONNECT_FAILED:
	case GPG_ERR_ECONNREFUSED:
	case GPG_ERR_EPIPE:
	case GPG_ERR_TIMEOUT:
		return 1;
	default:
		return 0;
	}
}

static gpgme_error_t
data_from_mem(gpgme_data_t *d, const void *p, size_t len)
{
	/* No copy: the caller's bytes outlive the operation. */
	return gpgme_data_new_from_mem(d, p != NULL ? p : "", len, 0);
}

/* Moves the bytes of `*d` into `out` (CRLF line ends when `crlf`) and
 * releases `*d`. */
static void
data_take(gpgme_data_t *d, struct buf *out, int crlf)
{
	size_t n = 0;
	char *mem;

	mem = gpgme_data_release_and_get_mem(*d, &n);
	*d = NULL;
	if (mem == NULL)
		return;
	if (crlf)
		append_crlf(out, mem, n);
	else
		buf_append(out, mem, n);
	gpgme_free(mem);
}

/* Whether gpg-agent runs, or starts, for the home: 1 yes, 0 no (err set,
 * temporary). Needed because GnuPG reports an agent that cannot start as a
 * missing secret key when decrypting or listing keys; asked only on those
 * failure paths, as it costs a process. */
static int
agent_alive(struct openpgp *p, struct clerk_err *err)
{
	const char *bindir = gpgme_get_dirinfo("bindir");
	const char *argv[] = { "gpg-connect-agent", "--homedir", p->home,
	    "GETINFO version", "/bye", NULL };
	gpgme_ctx_t sc = NULL;
	gpgme_data_t dout = NULL, derr = NULL;
	struct buf out = BUF_INIT, msg = BUF_INIT;
	gpgme_error_t e;
	char *prog, *line;
	int alive = 0;

	prog = xasprintf("%s/gpg-connect-agent", bindir ? bindir : "/usr/bin");
	if ((e = gpgme_new(&sc)) != 0 ||
	    (e = gpgme_set_protocol(sc, GPGME_PROTOCOL_SPAWN)) != 0 ||
	    (e = gpgme_data_new(&dout)) != 0 ||
	    (e = gpgme_data_new(&derr)) != 0 ||
	    (e = gpgme_op_spawn(sc, prog, argv, NULL, dout, derr, 0)) != 0) {
		gpg_err(err, 1, e, "checking gpg-agent for %s", p->home);
		goto out;
	}
	data_take(&dout, &out, 0);
	data_take(&derr, &msg, 0);
	if (strncmp(buf_str(&out), "OK", 2) == 0 ||
	    strstr(buf_str(&out), "\nOK") != NULL) {
		alive = 1;
		goto out;
	}
	/* gpg-connect-agent's last complaint says why. */
	while (msg.len > 0 && msg.data[msg.len - 1] == '\n')
		msg.data[--msg.len] = '\0';
	line = strrchr(buf_str(&msg), '\n');
	err_set(err, ERR_TEMP, "gpg-agent for %s is not available: %s", p->home,
	    line != NULL ? line + 1 : buf_str(&msg));
out:
	gpgme_data_release(dout);
	gpgme_data_release(derr);
	if (sc != NULL)
		gpgme_release(sc);
	buf_free(&out);
	buf_free(&msg);
	free(prog);
	return alive;
}

static void
emails_from_key(gpgme_key_t key, struct pgp_strings *out)
{
	for (gpgme_user_id_t uid = key->uids; uid != NULL; uid = uid->next) {
		const char *a = uid->address != NULL ? uid->address : uid->email;
		char *low;

		/* A revoked or invalid user id does not speak for the key. */
		if (uid->revoked || uid->invalid || a == NULL || a[0] == '\0')
			continue;
		low = xstrdup(a);
		for (char *c = low; *c; c++)
			*c = (char)ascii_lower((unsigned char)*c);
		if (!strings_has(out, low))
			strings_push(out, low);
		free(low);
	}
}

/* Looks a key up by fingerprint (a subkey's finds its primary key).
 * 1 found, 0 not in the home, -1 failure. */
static int
get_key(struct openpgp *p, const char fpr[41], int secret, gpgme_key_t *key,
    struct clerk_err *err)
{
	gpgme_error_t e;

	*key = NULL;
	e = gpgme_get_key(p->ctx, fpr, key, secret);
	if (e == 0)
		return 1;
	*key = NULL;
	if (gpgme_err_code(e) == GPG_ERR_EOF)
		return 0;
	gpg_err(err, gpgme_err_code(e) != GPG_ERR_AMBIGUOUS_NAME, e,
	    "key lookup %s", fpr);
	return -1;
}

static int
normalize_arg(const char *fpr, char out[41], const char *what,
    struct clerk_err *err)
{
	if (pgp_fpr_normalize(fpr, out) == 0)
		return 0;
	err_set(err, ERR_FINAL, "%s: not a 40-hex-digit fingerprint: %.60s", what,
	    fpr != NULL ? fpr : "(null)");
	return -1;
}

static int
can_sign_now(gpgme_key_t key)
{
	if (key->revoked || key->expired || key->disabled || key->invalid)
		return 0;
	for (gpgme_subkey_t sk = key->subkeys; sk; sk = sk->next)
		if (sk->can_sign && !sk->revoked && !sk->expired &&
		    !sk->disabled && !sk->invalid)
			return 1;
	return 0;
}

static void
cache_clear(struct openpgp *p)
{
	for (unsigned i = 0; i < KEY_CACHE_SIZE; i++) {
		gpgme_key_unref(p->cache[i].key);
		p->cache[i].key = NULL;
		p->cache[i].subfpr[0] = '\0';
	}
	p->cache_next = 0;
}

/* The key holding subkey `subfpr`: 1 found (*key a new reference), 0 not,
 * -1 error. Found keys are remembered. */
static int
cached_key(struct openpgp *p, const char subfpr[41], gpgme_key_t *key, struct clerk_err *err)
{
	unsigned slot;
	int found;

	for (unsigned i = 0; i < KEY_CACHE_SIZE; i++) {
		if (p->cache[i].key != NULL && strcmp(p->cache[i].subfpr, subfpr) == 0) {
			gpgme_key_ref(p->cache[i].key);
			*key = p->cache[i].key;
			return 1;
		}
	}
	if ((found = get_key(p, subfpr, 0, key, err)) != 1)
		return found;
	slot = p->cache_next++ % KEY_CACHE_SIZE;
	gpgme_key_unref(p->cache[slot].key);
	gpgme_key_ref(*key);
	p->cache[slot].key = *key;
	snprintf(p->cache[slot].subfpr, sizeof(p->cache[slot].subfpr), "%s", subfpr);
	return 1;
}

static void
forget_signer(struct openpgp *p)
{
	gpgme_key_unref(p->signer);
	p->signer = NULL;
	p->signer_fpr[0] = '\0';
}

/* Makes `fpr` the only signer. The key is looked up as a public key: a
 * secret-key listing cannot tell "no secret key" from "gpg-agent did not
 * start" (both list nothing), whereas the sign operation itself can. The
 * key of the last successful signature is kept, which saves a gpg run per
 * signature; gpg checks the key again when it signs, and any failure drops
 * it (forget_signer). */
static int
set_signer(struct openpgp *p, const char *fpr, struct clerk_err *err)
{
	char norm[41];
	gpgme_key_t key = NULL;
	gpgme_error_t e;
	int rc = -1, found;

	gpgme_signers_clear(p->ctx);
	if (normalize_arg(fpr, norm, "signer", err) == -1)
		goto out;
	if (p->signer != NULL && strcmp(p->signer_fpr, norm) == 0) {
		key = p->signer;
		gpgme_key_ref(key);
	} else {
		forget_signer(p);
		if ((found = get_key(p, norm, 0, &key, err)) == -1)
			goto out;
		if (found == 0) {
			err_set(err, ERR_FINAL, "signer %s is not a secret key in %s "
			    "(no such key there)", norm, p->home);
			goto out;
		}
		if (!can_sign_now(key)) {
			err_set(err, ERR_FINAL, "signer %s cannot sign (expired, "
			    "revoked or no signing key)", norm);
			goto out;
		}
	}
	if ((e = gpgme_signers_add(p->ctx, key)) != 0) {
		gpg_err(err, 0, e, "signer %s", norm);
		goto out;
	}
	if (p->signer == NULL) {
		p->signer = key;
		gpgme_key_ref(key);
		memcpy(p->signer_fpr, norm, sizeof(norm));
	}
	rc = 0;
out:
	gpgme_key_unref(key);
	return rc;
}

/* Turns the outcome of a sign operation into 0 or -1. */
static int
check_sign(struct openpgp *p, gpgme_error_t e, const char *signer,
    char micalg[PGP_MICALG_MAX], struct clerk_err *err)
{
	gpgme_sign_result_t res = gpgme_op_sign_result(p->ctx);
	const char *hash;

	if (e != 0 || res == NULL || res->invalid_signers != NULL)
		forget_signer(p);

	if (e != 0 && agent_error(e)) {
		gpg_err(err, 1, e, "signing with %s in %s", signer, p->home);
		return -1;
	}
	if (res != NULL && res->invalid_signers != NULL) {
		gpgme_error_t why = res->invalid_signers->reason;

		/* A dead agent makes every signer "invalid". */
		if (!agent_alive(p, err))
			return -1;
		if (gpgme_err_code(why) == GPG_ERR_NO_SECKEY) {
			err_set(err, ERR_FINAL, "signer %s is not a secret key in %s",
			    signer, p->home);
			return -1;
		}
		if (why == 0)
			why = e != 0 ? e : gpg_error(GPG_ERR_UNUSABLE_SECKEY);
		gpg_err(err, 0, why, "signer %s unusable", signer);
		return -1;
	}
	if (e != 0) {
		if (passphrase_error(e))
			gpg_err(err, 0, e, "signing with %s (clerk's key must "
			    "have no passphrase)", signer);
		else
			gpg_err(err, !input_error(e), e, "signing with %s",
			    signer);
		return -1;
	}
	if (res == NULL || res->signatures == NULL ||
	    res->signatures->next != NULL) {
		err_set(err, ERR_TEMP, "signing with %s: GnuPG made no single "
		    "signature", signer);
		return -1;
	}
	if (micalg != NULL) {
		hash = gpgme_hash_algo_name(res->signatures->hash_algo);
		if (hash == NULL) {
			err_set(err, ERR_FINAL, "signing with %s: unknown hash "
			    "algorithm %d", signer, res->signatures->hash_algo);
			return -1;
		}
		snprintf(micalg, PGP_MICALG_MAX, "pgp-%s", hash);
		for (char *c = micalg; *c; c++)
			*c = (char)ascii_lower((unsigned char)*c);
	}
	return 0;
}

/* ---- context ---- */

int
openpgp_open(const char *gnupg_home, struct openpgp **out,
    struct clerk_err *err)
{
	static int version_checked;
	struct openpgp *p = NULL;
	struct stat st;
	gpgme_error_t e;
	char *abs = NULL;
	int rc = -1;

	*out = NULL;
	if (gnupg_home == NULL || gnupg_home[0] == '\0') {
		err_set(err, ERR_FINAL, "GnuPG home: not configured");
		goto out;
	}
	/* The home holds the association's secret key: made 0700 whatever
	 * the umask, and narrowed to 0700 when others could enter it. */
	if (stat(gnupg_home, &st) == -1 && errno == ENOENT &&
	    mkdir(gnupg_home, 0700) == -1 && errno != EEXIST) {
		err_set(err, ERR_FINAL, "GnuPG home %s: cannot create: %s", gnupg_home,
		    strerror(errno));
		goto out;
	}
	if (stat(gnupg_home, &st) == -1) {
		err_set(err, ERR_FINAL, "GnuPG home %s: %s", gnupg_home,
		    strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		err_set(err, ERR_FINAL, "GnuPG home %s: not a directory", gnupg_home);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0 &&
	    chmod(gnupg_home, 0700) == -1) {
		err_set(err, ERR_FINAL, "GnuPG home %s has mode %04o and cannot be made "
		    "private: %s", gnupg_home, (unsigned)(st.st_mode & 07777),
		    strerror(errno));
		goto out;
	}
	/* gpg writes lock files and the trust database there. */
	if (access(gnupg_home, R_OK | W_OK | X_OK) == -1) {
		err_set(err, ERR_FINAL, "GnuPG home %s: %s", gnupg_home,
		    strerror(errno));
		goto out;
	}
	/* Absolute, so a later chdir cannot change which home is used. */
	if ((abs = realpath(gnupg_home, NULL)) == NULL) {
		err_set(err, ERR_FINAL, "GnuPG home %s: %s", gnupg_home,
		    strerror(errno));
		goto out;
	}
	if (!version_checked) {
		if (gpgme_check_version("1.18.0") == NULL) {
			err_set(err, ERR_FINAL, "GPGME %s is older than 1.18.0",
			    gpgme_check_version(NULL));
			goto out;
		}
		version_checked = 1;
	}
	if ((e = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP)) != 0) {
		gpg_err(err, 1, e, "GnuPG (gpg) not usable");
		goto out;
	}
	p = xcalloc(1, sizeof(*p));
	p->home = abs;
	abs = NULL;
	if ((e = gpgme_new(&p->ctx)) != 0) {
		p->ctx = NULL;
		gpg_err(err, 1, e, "GPGME context");
		goto out;
	}
	if ((e = gpgme_set_protocol(p->ctx, GPGME_PROTOCOL_OpenPGP)) != 0 ||
	    (e = gpgme_ctx_set_engine_info(p->ctx, GPGME_PROTOCOL_OpenPGP,
	    NULL, p->home)) != 0) {
		gpg_err(err, 1, e, "GnuPG home %s", p->home);
		goto out;
	}
	gpgme_set_armor(p->ctx, 1);
	gpgme_set_textmode(p->ctx, 0);
	gpgme_set_offline(p->ctx, 1);
	/* Nobody is there to type a passphrase: fail at once instead. */
	if ((e = gpgme_set_pinentry_mode(p->ctx,
	    GPGME_PINENTRY_MODE_CANCEL)) != 0 ||
	    (e = gpgme_set_keylist_mode(p->ctx, GPGME_KEYLIST_MODE_LOCAL)) != 0) {
		gpg_err(err, 1, e, "GPGME context");
		goto out;
	}
	*out = p;
	p = NULL;
	rc = 0;
out:
	free(abs);
	openpgp_close(p);
	return rc;
}

struct openpgp *
openpgp_wrap(const char *home, const struct openpgp_ops *ops, void *be)
{
	struct openpgp *p = xcalloc(1, sizeof(*p));

	p->ops = ops;
	p->be = be;
	p->home = xstrdup(home);
	return p;
}

void
openpgp_close(struct openpgp *p)
{
	if (p == NULL)
		return;
	if (p->ops != NULL)
		p->ops->close(p->be);
	forget_signer(p);
	cache_clear(p);
	if (p->ctx != NULL)
		gpgme_release(p->ctx);
	free(p->home);
	free(p);
}

const char *
openpgp_home(const struct openpgp *p)
{
	return p->home;
}

/* ---- signing ---- */

int
openpgp_sign_detached(struct openpgp *p, const char *signer_fpr,
    const void *data, size_t len, struct buf *sig,
    char micalg[PGP_MICALG_MAX], struct clerk_err *err)
{
	gpgme_data_t din = NULL, dout = NULL;
	gpgme_error_t e;
	int rc = -1;

	if (p->ops != NULL)
		return p->ops->sign_detached(p->be, signer_fpr, data, len, sig, micalg, err);
	if (micalg != NULL)
		micalg[0] = '\0';
	if (set_signer(p, signer_fpr, err) == -1)
		goto out;
	if ((e = data_from_mem(&din, data, len)) != 0 ||
	    (e = gpgme_data_new(&dout)) != 0) {
		gpg_err(err, 1, e, "signing");
		goto out;
	}
	e = gpgme_op_sign(p->ctx, din, dout, GPGME_SIG_MODE_DETACH);
	if (check_sign(p, e, signer_fpr, micalg, err) == -1)
		goto out;
	data_take(&dout, sig, 1);
	rc = 0;
out:
	gpgme_signers_clear(p->ctx);
	gpgme_data_release(din);
	gpgme_data_release(dout);
	return rc;
}

/* ---- verification ---- */

static void
info_init(struct pgp_signature_info *info)
{
	memset(info, 0, sizeof(*info));
	info->verdict = PGP_UNSIGNED;
}

/* Classifies the single signature by the rule in TECH.md. A bad signature
 * is bad whatever the state of its key, so that test comes first. */
static void
classify(gpgme_signature_t sig, struct pgp_signature_info *info)
{
	gpgme_sigsum_t sum = sig->summary;
	gpg_err_code_t code = gpgme_err_code(sig->status);

	if (code == GPG_ERR_BAD_SIGNATURE) {
		info->verdict = PGP_BAD;
		snprintf(info->reason, sizeof(info->reason),
		    "signature does not match the signed data");
	} else if (code == GPG_ERR_NO_PUBKEY || (sum & GPGME_SIGSUM_KEY_MISSING)) {
		info->verdict = PGP_UNKNOWN_KEY;
		snprintf(info->reason, sizeof(info->reason),
		    "signing key %s is not known", sig->fpr ? sig->fpr : "?");
	} else if (code == GPG_ERR_CERT_REVOKED ||
	    (sum & GPGME_SIGSUM_KEY_REVOKED)) {
		info->verdict = PGP_REVOKED;
		snprintf(info->reason, sizeof(info->reason),
		    "signing key is revoked");
	} else if (code == GPG_ERR_KEY_EXPIRED ||
	    (sum & GPGME_SIGSUM_KEY_EXPIRED)) {
		info->verdict = PGP_EXPIRED;
		snprintf(info->reason, sizeof(info->reason),
		    "signing key has expired");
	} else if (code == GPG_ERR_SIG_EXPIRED ||
	    (sum & GPGME_SIGSUM_SIG_EXPIRED)) {
		info->verdict = PGP_EXPIRED;
		snprintf(info->reason, sizeof(info->reason),
		    "signature has expired");
	} else if (code != 0) {
		info->verdict = PGP_ERROR;
		reason_set(info->reason, sig->status, "signature not checked");
	} else if (sum & GPGME_SIGSUM_RED) {
		info->verdict = PGP_BAD;
		snprintf(info->reason, sizeof(info->reason),
		    "signature or key marked invalid (validity %d)",
		    (int)sig->validity);
	} else if (sig->wrong_key_usage) {
		info->verdict = PGP_BAD;
		snprintf(info->reason, sizeof(info->reason),
		    "signed with a key not meant for signing");
	} else
		info->verdict = PGP_GOOD;
}

/* Fills `info` from the verify result of the last operation, whose own
 * return value was `op`. `if_none` is the verdict when GnuPG found no
 * signature: UNSIGNED for text that may be unsigned, ERROR where a
 * signature was announced. */
static int
judge(struct openpgp *p, gpgme_error_t op, enum pgp_verdict if_none,
    struct pgp_signature_info *info, struct clerk_err *err)
{
	gpgme_verify_result_t res;
	gpgme_signature_t sig;
	gpgme_key_t key = NULL;
	char subfpr[41];
	int rc = -1, found, match = 0;

	if (op != 0 && !input_error(op)) {
		gpg_err(err, 1, op, "verification in %s", p->home);
		goto out;
	}
	res = gpgme_op_verify_result(p->ctx);
	for (sig = res ? res->signatures : NULL; sig; sig = sig->next)
		info->nsigs++;
	if (info->nsigs == 0) {
		info->verdict = op != 0 && gpgme_err_code(op) != GPG_ERR_NO_DATA ?
		    PGP_ERROR : if_none;
		if (op != 0)
			reason_set(info->reason, op, "no signature");
		else
			snprintf(info->reason, sizeof(info->reason),
			    "no signature");
		rc = 0;
		goto out;
	}
	if (info->nsigs > 1) {
		info->verdict = PGP_ERROR;
		snprintf(info->reason, sizeof(info->reason), "%u signatures; "
		    "clerk accepts exactly one", info->nsigs);
		rc = 0;
		goto out;
	}
	sig = res->signatures;
	if (sig->fpr != NULL)
		snprintf(info->sig_fpr, sizeof(info->sig_fpr), "%s", sig->fpr);
	info->created = (time_t)sig->timestamp;
	if (op != 0) {
		info->verdict = PGP_ERROR;
		reason_set(info->reason, op, "verification failed");
		rc = 0;
		goto out;
	}
	classify(sig, info);
	/* The result dies with the next operation: everything needed from it
	 * is now in `info`. Resolve the (sub)key to its primary key so that
	 * pinning works on the fingerprint people publish. */
	if (info->verdict == PGP_BAD || info->verdict == PGP_UNKNOWN_KEY ||
	    info->verdict == PGP_ERROR ||
	    pgp_fpr_normalize(info->sig_fpr, subfpr) == -1) {
		if (info->verdict == PGP_GOOD) {
			info->verdict = PGP_ERROR;
			snprintf(info->reason, sizeof(info->reason),
			    "GnuPG gave no fingerprint for the signing key");
		}
		rc = 0;
		goto out;
	}
	if ((found = cached_key(p, subfpr, &key, err)) == -1)
		goto out;
	if (found) {
		for (gpgme_subkey_t sk = key->subkeys; sk; sk = sk->next)
			if (sk->fpr != NULL && ascii_caseeq(sk->fpr, subfpr))
				match = 1;
	}
	if (!found || !match || key->subkeys == NULL ||
	    pgp_fpr_normalize(key->subkeys->fpr, info->fpr) == -1) {
		info->fpr[0] = '\0';
		if (info->verdict == PGP_GOOD) {
			info->verdict = PGP_ERROR;
			snprintf(info->reason, sizeof(info->reason),
			    "signing key %s not found after verification",
			    info->sig_fpr);
		}
		rc = 0;
		goto out;
	}
	emails_from_key(key, &info->emails);
	rc = 0;
out:
	gpgme_key_unref(key);
	return rc;
}

int
openpgp_verify_detached(struct openpgp *p, const void *signed_data,
    size_t len, const void *sig, size_t siglen,
    struct pgp_signature_info *info, struct clerk_err *err)
{
	gpgme_data_t dsig = NULL, dtext = NULL;
	gpgme_error_t e;
	int rc = -1;

	if (p->ops != NULL)
		return p->ops->verify_detached(p->be, signed_data, len, sig, siglen, info, err);
	info_init(info);
	if ((e = data_from_mem(&dsig, sig, siglen)) != 0 ||
	    (e = data_from_mem(&dtext, signed_data, len)) != 0) {
		gpg_err(err, 1, e, "verification");
		goto out;
	}
	e = gpgme_op_verify(p->ctx, dsig, dtext, NULL);
	rc = judge(p, e, PGP_ERROR, info, err);
out:
	gpgme_data_release(dsig);
	gpgme_data_release(dtext);
	return rc;
}

int
openpgp_verify_clearsigned(struct openpgp *p, const void *text, size_t len,
    struct pgp_signature_info *info, struct buf *plaintext,
    struct clerk_err *err)
{
	gpgme_data_t din = NULL, dplain = NULL;
	gpgme_error_t e;
	int rc = -1;

	if (p->ops != NULL)
		return p->ops->verify_clearsigned(p->be, text, len, info, plaintext, err);
	info_init(info);
	if ((e = data_from_mem(&din, text, len)) != 0 ||
	    (e = gpgme_data_new(&dplain)) != 0) {
		gpg_err(err, 1, e, "verification");
		goto out;
	}
	e = gpgme_op_verify(p->ctx, din, NULL, dplain);
	/* Text only when one signature was checked (good or bad): after an
	 * error GnuPG may have written part of several blocks. */
	if ((rc = judge(p, e, PGP_UNSIGNED, info, err)) == 0 && e == 0 &&
	    info->nsigs == 1 && plaintext != NULL)
		data_take(&dplain, plaintext, 0);
out:
	gpgme_data_release(din);
	gpgme_data_release(dplain);
	return rc;
}

int
openpgp_self_test(struct openpgp *p, const char *fpr, struct clerk_err *err)
{
	static const char text[] = "clerk OpenPGP self-test\r\n";
	struct pgp_signature_info info = { 0 };
	struct buf sig = BUF_INIT;
	char micalg[PGP_MICALG_MAX], want[41];
	int rc = -1;

	if (normalize_arg(fpr, want, "self-test key", err) == -1)
		goto out;
	if (openpgp_sign_detached(p, want, text, sizeof(text) - 1, &sig,
	    micalg, err) == -1) {
		err_prefix(err, "OpenPGP self-test");
		goto out;
	}
	if (openpgp_verify_detached(p, text, sizeof(text) - 1, sig.data,
	    sig.len, &info, err) == -1) {
		err_prefix(err, "OpenPGP self-test");
		goto out;
	}
	if (info.verdict != PGP_GOOD || strcmp(info.fpr, want) != 0) {
		err_set(err, ERR_FINAL, "OpenPGP self-test: own signature is %s by "
		    "%s (%s), expected good by %s", pgp_verdict_name(info.verdict),
		    info.fpr[0] ? info.fpr : "?", info.reason, want);
		goto out;
	}
	rc = 0;
out:
	pgp_signature_info_free(&info);
	buf_free(&sig);
	return rc;
}

/* ---- decryption ---- */

int
openpgp_decrypt_verify(struct openpgp *p, const void *cipher, size_t len,
    struct buf *plaintext, struct pgp_signature_info *info,
    struct pgp_decrypt_info *dec, struct clerk_err *err)
{
	gpgme_data_t din = NULL, dplain = NULL;
	gpgme_decrypt_result_t dres;
	gpgme_error_t e;
	int rc = -1, all_noseckey = 1;

	if (p->ops != NULL)
		return p->ops->decrypt_verify(p->be, cipher, len, plaintext, info, dec, err);
	info_init(info);
	memset(dec, 0, sizeof(*dec));
	if ((e = data_from_mem(&din, cipher, len)) != 0 ||
	    (e = gpgme_data_new(&dplain)) != 0) {
		gpg_err(err, 1, e, "decryption");
		goto out;
	}
	e = gpgme_op_decrypt_verify(p->ctx, din, dplain);
	/* A passphrase is asked for a symmetrically encrypted message (clerk
	 * never types one): that is the sender's doing, not a failure here. */
	if (e != 0 && !input_error(e) && !passphrase_error(e)) {
		gpg_err(err, 1, e, "decryption in %s", p->home);
		goto out;
	}
	dres = gpgme_op_decrypt_result(p->ctx);
	for (gpgme_recipient_t r = dres ? dres->recipients : NULL; r;
	    r = r->next) {
		if (r->keyid != NULL && !strings_has(&dec->recipients, r->keyid))
			strings_push(&dec->recipients, r->keyid);
		if (gpgme_err_code(r->status) != GPG_ERR_NO_SECKEY)
			all_noseckey = 0;
	}
	if (e != 0) {
		dec->no_secret_key = gpgme_err_code(e) == GPG_ERR_NO_SECKEY ||
		    (dec->recipients.n > 0 && all_noseckey);
		/* GnuPG says "no secret key" when the agent is down, too. */
		if (dec->no_secret_key && !agent_alive(p, err))
			goto out;
		if (dec->no_secret_key)
			snprintf(dec->reason, sizeof(dec->reason),
			    "not encrypted to a key held here");
		else if (passphrase_error(e))
			snprintf(dec->reason, sizeof(dec->reason),
			    "not decryptable without a passphrase "
			    "(symmetric encryption?)");
		else
			reason_set(dec->reason, e, "not decryptable");
		info->verdict = PGP_UNSIGNED;
		rc = 0;
		goto out;
	}
	if (dres != NULL && dres->legacy_cipher_nomdc) {
		/* No integrity protection: the text may have been altered. */
		snprintf(dec->reason, sizeof(dec->reason),
		    "not decryptable: legacy cipher without integrity check");
		rc = 0;
		goto out;
	}
	dec->decrypted = 1;
	if ((rc = judge(p, 0, PGP_UNSIGNED, info, err)) == 0 &&
	    plaintext != NULL)
		data_take(&dplain, plaintext, 0);
out:
	gpgme_data_release(din);
	gpgme_data_release(dplain);
	return rc;
}

/* ---- keys ---- */

int
openpgp_import_public(struct openpgp *p, const void *data, size_t len,
    struct pgp_strings *fprs, struct clerk_err *err)
{
	gpgme_data_t d = NULL;
	gpgme_import_result_t res;
	gpgme_import_status_t st;
	gpgme_key_t key = NULL;
	gpgme_error_t e;
	unsigned nkeys = 0, nsecret = 0;
	size_t before = fprs->n;
	int rc = -1, listing = 0;

	if (p->ops != NULL)
		return p->ops->import_public(p->be, data, len, fprs, err);
	if ((e = data_from_mem(&d, data, len)) != 0) {
		gpg_err(err, 1, e, "key import");
		goto out;
	}
	/* gpgme_op_import takes secret keys as readily as public ones: look
	 * first, and refuse the whole input if any secret part is there. */
	if ((e = gpgme_op_keylist_from_data_start(p->ctx, d, 0)) != 0) {
		gpg_err(err, !input_error(e), e, "key import: listing the data");
		goto out;
	}
	listing = 1;
	while ((e = gpgme_op_keylist_next(p->ctx, &key)) == 0) {
		nkeys++;
		if (key->secret)
			nsecret++;
		for (gpgme_subkey_t sk = key->subkeys; sk; sk = sk->next)
			if (sk->secret)
				nsecret++;
		gpgme_key_unref(key);
		key = NULL;
	}
	listing = 0;
	gpgme_op_keylist_end(p->ctx);
	if (gpgme_err_code(e) != GPG_ERR_EOF) {
		gpg_err(err, !input_error(e), e, "key import: listing the data");
		goto out;
	}
	if (nsecret > 0) {
		err_set(err, ERR_FINAL, "key import refused: the data holds a secret "
		    "key; nothing imported");
		goto out;
	}
	if (nkeys == 0) {
		err_set(err, ERR_FINAL, "key import: no OpenPGP key in the data");
		goto out;
	}
	if (gpgme_data_seek(d, 0, SEEK_SET) != 0) {
		err_set(err, ERR_TEMP, "key import: rewinding the data failed");
		goto out;
	}
	forget_signer(p);
	cache_clear(p);
	if ((e = gpgme_op_import(p->ctx, d)) != 0) {
		gpg_err(err, !input_error(e), e, "key import");
		goto out;
	}
	res = gpgme_op_import_result(p->ctx);
	if (res != NULL && (res->secret_read > 0 || res->secret_imported > 0)) {
		/* The listing said no: GnuPG disagrees. Say so loudly. */
		err_set(err, ERR_FINAL, "key import: GnuPG read %d secret keys the "
		    "listing did not show", res->secret_read);
		goto out;
	}
	for (st = res ? res->imports : NULL; st; st = st->next) {
		char norm[41];

		if (st->result != 0 || st->fpr == NULL ||
		    pgp_fpr_normalize(st->fpr, norm) == -1)
			continue;
		if (!strings_has(fprs, norm))
			strings_push(fprs, norm);
	}
	if (fprs->n == before) {
		err_set(err, ERR_FINAL, "key import: no key imported (%d considered, "
		    "%d without user id, %d not imported)",
		    res ? res->considered : 0, res ? res->no_user_id : 0,
		    res ? res->not_imported : 0);
		goto out;
	}
	rc = 0;
out:
	gpgme_key_unref(key);
	if (listing)
		gpgme_op_keylist_end(p->ctx);
	gpgme_data_release(d);
	return rc;
}

int
openpgp_key_emails(struct openpgp *p, const char *fpr,
    struct pgp_strings *emails, struct clerk_err *err)
{
	char norm[41];
	gpgme_key_t key = NULL;
	int rc = -1, found;

	if (p->ops != NULL)
		return p->ops->key_emails(p->be, fpr, emails, err);
	if (normalize_arg(fpr, norm, "key", err) == -1)
		goto out;
	if ((found = get_key(p, norm, 0, &key, err)) == -1)
		goto out;
	if (found == 0) {
		err_set(err, ERR_FINAL, "key %s is not in %s", norm, p->home);
		goto out;
	}
	emails_from_key(key, emails);
	rc = 0;
out:
	gpgme_key_unref(key);
	return rc;
}

int
openpgp_has_key(struct openpgp *p, const char *fpr, int secret,
    struct clerk_err *err)
{
	char norm[41];
	gpgme_key_t key = NULL;
	int found;

	if (p->ops != NULL)
		return p->ops->has_key(p->be, fpr, secret, err);
	if (normalize_arg(fpr, norm, "key", err) == -1)
		return -1;
	found = get_key(p, norm, secret, &key, err);
	gpgme_key_unref(key);
	/* A secret-key listing without an agent is silently empty. */
	if (found == 0 && secret && !agent_alive(p, err))
		return -1;
	return found;
}

int
openpgp_export_public(struct openpgp *p, const char *fpr, struct buf *out,
    struct clerk_err *err)
{
	gpgme_data_t dout = NULL;
	gpgme_error_t e;
	char norm[41];
	size_t before = out->len;
	int rc = -1;

	if (p->ops != NULL)
		return p->ops->export_public(p->be, fpr, out, err);
	if (normalize_arg(fpr, norm, "key", err) == -1)
		return -1;
	if ((e = gpgme_data_new(&dout)) != 0) {
		gpg_err(err, 1, e, "export: buffer");
		return -1;
	}
	if ((e = gpgme_op_export(p->ctx, norm, 0, dout)) != 0) {
		gpg_err(err, input_error(e) ? 0 : 1, e, "export %s", norm);
		goto out;
	}
	data_take(&dout, out, 1);
	if (out->len == before) {
		err_set(err, ERR_FINAL, "export: no public key %s in %s", norm, p->home);
		goto out;
	}
	rc = 0;
out:
	gpgme_data_release(dout);
	return rc;
}

static void
key_entry(gpgme_key_t key, struct pgp_key *k)
{
	gpgme_subkey_t pk = key->subkeys;

	memset(k, 0, sizeof(*k));
	if (pk != NULL && pk->fpr != NULL &&
	    pgp_fpr_normalize(pk->fpr, k->fpr) == -1)
		snprintf(k->fpr, sizeof(k->fpr), "%s", pk->fpr);
	for (gpgme_user_id_t uid = key->uids; uid; uid = uid->next)
		if (uid->uid != NULL)
			strings_push(&k->uids, uid->uid);
	emails_from_key(key, &k->emails);
	if (pk != NULL) {
		k->created = (time_t)pk->timestamp;
		k->expires = pk->expires ? (time_t)pk->expires : 0;
	}
	k->secret = key->secret;
	k->revoked = key->revoked;
	k->expired = key->expired;
	k->disabled = key->disabled;
	k->invalid = key->invalid;
	k->can_sign = key->can_sign;
	k->can_encrypt = key->can_encrypt;
}

int
openpgp_list_keys(struct openpgp *p, const char *pattern, int secret_only,
    struct pgp_key_list *out, struct clerk_err *err)
{
	gpgme_keylist_mode_t old;
	gpgme_key_t key = NULL;
	gpgme_error_t e;
	size_t cap = 0;
	int rc = -1, listing = 0;

	if (p->ops != NULL)
		return p->ops->list_keys(p->be, pattern, secret_only, out, err);
	old = gpgme_get_keylist_mode(p->ctx);	memset(out, 0, sizeof(*out));
	/* WITH_SECRET: a public listing also says which keys are ours. */
	if ((e = gpgme_set_keylist_mode(p->ctx, GPGME_KEYLIST_MODE_LOCAL |
	    GPGME_KEYLIST_MODE_WITH_SECRET)) != 0 ||
	    (e = gpgme_op_keylist_start(p->ctx, pattern, secret_only)) != 0) {
		gpg_err(err, 1, e, "key listing in %s", p->home);
		goto out;
	}
	listing = 1;
	while ((e = gpgme_op_keylist_next(p->ctx, &key)) == 0) {
		out->v = xgrow(out->v, &cap, out->n + 1, sizeof(*out->v));
		key_entry(key, &out->v[out->n++]);
		gpgme_key_unref(key);
		key = NULL;
	}
	if (gpgme_err_code(e) != GPG_ERR_EOF) {
		gpg_err(err, 1, e, "key listing in %s", p->home);
		goto out;
	}
	/* No secret key at all may mean no agent (see agent_alive). */
	{
		size_t nsec = 0;

		for (size_t i = 0; i < out->n; i++)
			nsec += out->v[i].secret != 0;
		if (nsec == 0 && (secret_only || out->n > 0) &&
		    !agent_alive(p, err))
			goto out;
	}
	rc = 0;
out:
	if (listing)
		gpgme_op_keylist_end(p->ctx);
	gpgme_set_keylist_mode(p->ctx, old);
	if (rc == -1)
		pgp_key_list_free(out);
	return rc;
}

/* ---- encryption ---- */

static int
encrypt_common(struct openpgp *p, const char *signer_fpr,
    const char *const *fprs, size_t n, const void *data, size_t len,
    struct buf *cipher, struct clerk_err *err)
{
	gpgme_key_t *keys;
	gpgme_data_t din = NULL, dout = NULL;
	gpgme_encrypt_result_t eres;
	gpgme_error_t e;
	char norm[41];
	int rc = -1, found;

	keys = xcalloc(n + 1, sizeof(*keys));
	if (n == 0) {
		err_set(err, ERR_FINAL, "encryption: no recipient");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (normalize_arg(fprs[i], norm, "recipient", err) == -1 ||
		    (found = get_key(p, norm, 0, &keys[i], err)) == -1)
			goto out;
		if (found == 0) {
			err_set(err, ERR_FINAL, "recipient key %s is not in %s", norm,
			    p->home);
			goto out;
		}
		/* GnuPG's own message for this case blames expiry even when
		 * the key simply has no encryption subkey. */
		if (!keys[i]->can_encrypt) {
			err_set(err, ERR_FINAL, "recipient key %s cannot encrypt (no "
			    "encryption subkey, or it is expired or revoked)",
			    norm);
			goto out;
		}
	}
	if (signer_fpr != NULL && set_signer(p, signer_fpr, err) == -1)
		goto out;
	if ((e = data_from_mem(&din, data, len)) != 0 ||
	    (e = gpgme_data_new(&dout)) != 0) {
		gpg_err(err, 1, e, "encryption");
		goto out;
	}
	/* ALWAYS_TRUST: clerk decides whose key is whose by pinning
	 * fingerprints (configuration, member records); GnuPG's web of trust
	 * knows nothing of that and would refuse every key of unknown
	 * validity, i.e. every member key clerk has merely imported. */
	if (signer_fpr != NULL)
		e = gpgme_op_encrypt_sign(p->ctx, keys,
		    GPGME_ENCRYPT_ALWAYS_TRUST, din, dout);
	else
		e = gpgme_op_encrypt(p->ctx, keys, GPGME_ENCRYPT_ALWAYS_TRUST,
		    din, dout);
	eres = gpgme_op_encrypt_result(p->ctx);
	if (eres != NULL && eres->invalid_recipients != NULL) {
		gpgme_invalid_key_t bad = eres->invalid_recipients;

		gpg_err(err, 0, bad->reason ? bad->reason : e,
		    "recipient key %s unusable", bad->fpr ? bad->fpr : "?");
		goto out;
	}
	if (signer_fpr != NULL) {
		if (check_sign(p, e, signer_fpr, NULL, err) == -1)
			goto out;
	} else if (e != 0) {
		gpg_err(err, !input_error(e), e, "encryption");
		goto out;
	}
	data_take(&dout, cipher, 1);
	rc = 0;
out:
	gpgme_signers_clear(p->ctx);
	for (size_t i = 0; i < n; i++)
		gpgme_key_unref(keys[i]);
	free(keys);
	gpgme_data_release(din);
	gpgme_data_release(dout);
	return rc;
}

int
openpgp_encrypt(struct openpgp *p, const char *const *fprs, size_t n,
    const void *data, size_t len, struct buf *cipher, struct clerk_err *err)
{
	if (p->ops != NULL)
		return p->ops->encrypt(p->be, NULL, fprs, n, data, len, cipher, err);
	return encrypt_common(p, NULL, fprs, n, data, len, cipher, err);
}

int
openpgp_sign_encrypt(struct openpgp *p, const char *signer_fpr,
    const char *const *fprs, size_t n, const void *data, size_t len,
    struct buf *cipher, struct clerk_err *err)
{
	if (signer_fpr == NULL) {
		err_set(err, ERR_FINAL, "sign and encrypt: no signer");
		return -1;
	}
	if (p->ops != NULL)
		return p->ops->encrypt(p->be, signer_fpr, fprs, n, data, len, cipher, err);
	return encrypt_common(p, signer_fpr, fprs, n, data, len, cipher, err);
}
