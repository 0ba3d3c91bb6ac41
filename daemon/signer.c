/* The signer process: OpenPGP work in a small child (signer.h). A request
 * and its answer are one frame each: a 32-bit length, then fields (32-bit
 * numbers, 64-bit numbers, byte strings with a 32-bit length, where
 * 0xffffffff is NULL). The child runs the request through openpgp.c
 * exactly as the daemon would have; the answer carries the return value,
 * the error and every output. */
#include "signer.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "xmalloc.h"

/* Longest frame: a mail is at most [limits] max_mail_bytes (25 MiB by
 * default); encrypted and armored it grows by a third. */
#define FRAME_MAX	(256u * 1024 * 1024)
#define NO_STRING	0xffffffffu

enum op {
	OP_SIGN = 1, OP_VERIFY_DETACHED, OP_VERIFY_CLEAR, OP_DECRYPT, OP_IMPORT, OP_KEY_EMAILS,
	OP_HAS_KEY, OP_LIST_KEYS, OP_EXPORT, OP_ENCRYPT,
};

/* ---- fields ---- */

static void
put_u32(struct buf *b, uint32_t v)
{
	unsigned char c[4] = { v >> 24, v >> 16, v >> 8, v };

	buf_append(b, c, 4);
}

static void
put_i64(struct buf *b, int64_t v)
{
	put_u32(b, (uint32_t)((uint64_t)v >> 32));
	put_u32(b, (uint32_t)v);
}

static void
put_bytes(struct buf *b, const void *p, size_t n)
{
	put_u32(b, (uint32_t)n);
	buf_append(b, p, n);
}

static void
put_str(struct buf *b, const char *s)
{
	if (s == NULL)
		put_u32(b, NO_STRING);
	else
		put_bytes(b, s, strlen(s));
}

static void
put_strings(struct buf *b, const struct pgp_strings *l)
{
	put_u32(b, (uint32_t)l->n);
	for (size_t i = 0; i < l->n; i++)
		put_str(b, l->v[i]);
}

/* A frame being read: fields are taken in order; a short or malformed
 * frame sets `bad` and reads as zeros from then on. */
struct rd {
	const unsigned char	*p;
	size_t			 left;
	int			 bad;
};

static uint32_t
get_u32(struct rd *r)
{
	uint32_t v;

	if (r->bad || r->left < 4) {
		r->bad = 1;
		return 0;
	}
	v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return v;
}

static int64_t
get_i64(struct rd *r)
{
	uint64_t hi = get_u32(r), lo = get_u32(r);

	return (int64_t)(hi << 32 | lo);
}

/* Points into the frame; NULL for a NULL string. */
static const char *
get_bytes(struct rd *r, size_t *len)
{
	uint32_t n = get_u32(r);
	const char *p;

	*len = 0;
	if (r->bad || n == NO_STRING)
		return NULL;
	if (n > r->left) {
		r->bad = 1;
		return NULL;
	}
	p = (const char *)r->p;
	r->p += n;
	r->left -= n;
	*len = n;
	return p;
}

/* A new NUL-terminated copy, or NULL. */
static char *
get_str(struct rd *r)
{
	size_t n;
	const char *p = get_bytes(r, &n);

	return p != NULL ? xstrndup(p, n) : NULL;
}

/* Into a fixed array, cut to fit. */
static void
get_fixed(struct rd *r, char *out, size_t size)
{
	size_t n;
	const char *p = get_bytes(r, &n);

	snprintf(out, size, "%.*s", p != NULL ? (int)n : 0, p != NULL ? p : "");
}

static void
get_strings(struct rd *r, struct pgp_strings *l)
{
	uint32_t n = get_u32(r);

	for (uint32_t i = 0; i < n && !r->bad; i++) {
		char *s = get_str(r);

		if (s == NULL)
			continue;
		l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		l->v[l->n++] = s;
	}
}

static void
put_info(struct buf *b, const struct pgp_signature_info *i)
{
	put_u32(b, (uint32_t)i->verdict);
	put_str(b, i->fpr);
	put_str(b, i->sig_fpr);
	put_strings(b, &i->emails);
	put_i64(b, (int64_t)i->created);
	put_u32(b, i->nsigs);
	put_str(b, i->reason);
}

static void
get_info(struct rd *r, struct pgp_signature_info *i)
{
	memset(i, 0, sizeof(*i));
	i->verdict = (enum pgp_verdict)get_u32(r);
	get_fixed(r, i->fpr, sizeof(i->fpr));
	get_fixed(r, i->sig_fpr, sizeof(i->sig_fpr));
	get_strings(r, &i->emails);
	i->created = (time_t)get_i64(r);
	i->nsigs = get_u32(r);
	get_fixed(r, i->reason, sizeof(i->reason));
}

static void
put_dec(struct buf *b, const struct pgp_decrypt_info *d)
{
	put_u32(b, (uint32_t)d->decrypted);
	put_u32(b, (uint32_t)d->no_secret_key);
	put_str(b, d->reason);
	put_strings(b, &d->recipients);
}

static void
get_dec(struct rd *r, struct pgp_decrypt_info *d)
{
	memset(d, 0, sizeof(*d));
	d->decrypted = (int)get_u32(r);
	d->no_secret_key = (int)get_u32(r);
	get_fixed(r, d->reason, sizeof(d->reason));
	get_strings(r, &d->recipients);
}

static void
put_keys(struct buf *b, const struct pgp_key_list *l)
{
	put_u32(b, (uint32_t)l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct pgp_key *k = &l->v[i];

		put_str(b, k->fpr);
		put_strings(b, &k->uids);
		put_strings(b, &k->emails);
		put_i64(b, (int64_t)k->created);
		put_i64(b, (int64_t)k->expires);
		put_u32(b, (uint32_t)(k->secret | k->revoked << 1 | k->expired << 2 |
		    k->disabled << 3 | k->invalid << 4 | k->can_sign << 5 | k->can_encrypt << 6));
	}
}

static void
get_keys(struct rd *r, struct pgp_key_list *l)
{
	uint32_t n = get_u32(r);

	memset(l, 0, sizeof(*l));
	if (r->bad || n > FRAME_MAX / 16) {
		r->bad = 1;
		return;
	}
	l->v = xcalloc(n ? n : 1, sizeof(*l->v));
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		struct pgp_key *k = &l->v[l->n++];
		uint32_t f;

		get_fixed(r, k->fpr, sizeof(k->fpr));
		get_strings(r, &k->uids);
		get_strings(r, &k->emails);
		k->created = (time_t)get_i64(r);
		k->expires = (time_t)get_i64(r);
		f = get_u32(r);
		k->secret = f & 1;
		k->revoked = f >> 1 & 1;
		k->expired = f >> 2 & 1;
		k->disabled = f >> 3 & 1;
		k->invalid = f >> 4 & 1;
		k->can_sign = f >> 5 & 1;
		k->can_encrypt = f >> 6 & 1;
	}
}

/* ---- frames on the socket ---- */

static int
send_frame(int fd, const struct buf *payload)
{
	struct buf head = BUF_INIT;
	int rc;

	put_u32(&head, (uint32_t)payload->len);
	rc = fd_write_all(fd, head.data, head.len) == 0 && fd_write_all(fd, payload->data,
	    payload->len) == 0 ? 0 : -1;
	buf_free(&head);
	return rc;
}

/* The next frame into `payload` (reset first); -1 at EOF or on error. */
static int
recv_frame(int fd, struct buf *payload)
{
	unsigned char h[4];
	uint32_t n;

	buf_reset(payload);
	if (fd_read_all(fd, h, 4) != 1)
		return -1;
	n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	if (n > FRAME_MAX)
		return -1;
	while (n > 0) {
		char chunk[65536];
		size_t k = n < sizeof(chunk) ? n : sizeof(chunk);

		if (fd_read_all(fd, chunk, k) != 1)
			return -1;
		buf_append(payload, chunk, k);
		n -= (uint32_t)k;
	}
	return 0;
}

/* ---- the child ---- */

static void
answer_head(struct buf *out, int rc, const struct clerk_err *err)
{
	put_u32(out, (uint32_t)rc);
	put_u32(out, rc < 0 && err->temporary ? 1 : 0);
	put_str(out, rc < 0 ? err->msg : "");
}

/* One request, answered into `out`. */
static void
serve_one(struct openpgp *p, struct rd *r, struct buf *out)
{
	struct pgp_signature_info info;
	struct pgp_decrypt_info dec;
	struct pgp_strings list = { NULL, 0 };
	struct pgp_key_list keys = { NULL, 0 };
	struct buf data = BUF_INIT;
	struct clerk_err err;
	char micalg[PGP_MICALG_MAX] = "", *a = NULL, *fpr = NULL;
	const char *x, *y, **fprs = NULL;
	size_t xl, yl;
	uint32_t op = get_u32(r), n, flag;
	int rc = -1;

	memset(&info, 0, sizeof(info));
	memset(&dec, 0, sizeof(dec));
	err_clear(&err);
	switch (op) {
	case OP_SIGN:
		fpr = get_str(r);
		x = get_bytes(r, &xl);
		if (!r->bad)
			rc = openpgp_sign_detached(p, fpr, x ? x : "", xl, &data, micalg, &err);
		answer_head(out, rc, &err);
		put_bytes(out, data.data, data.len);
		put_str(out, micalg);
		break;
	case OP_VERIFY_DETACHED:
		x = get_bytes(r, &xl);
		y = get_bytes(r, &yl);
		if (!r->bad)
			rc = openpgp_verify_detached(p, x ? x : "", xl, y ? y : "", yl, &info, &err);
		answer_head(out, rc, &err);
		put_info(out, &info);
		break;
	case OP_VERIFY_CLEAR:
		x = get_bytes(r, &xl);
		flag = get_u32(r);
		if (!r->bad)
			rc = openpgp_verify_clearsigned(p, x ? x : "", xl, &info,
			    flag ? &data : NULL, &err);
		answer_head(out, rc, &err);
		put_info(out, &info);
		put_bytes(out, data.data, data.len);
		break;
	case OP_DECRYPT:
		x = get_bytes(r, &xl);
		flag = get_u32(r);
		if (!r->bad)
			rc = openpgp_decrypt_verify(p, x ? x : "", xl, flag ? &data : NULL, &info,
			    &dec, &err);
		answer_head(out, rc, &err);
		put_bytes(out, data.data, data.len);
		put_info(out, &info);
		put_dec(out, &dec);
		break;
	case OP_IMPORT:
		x = get_bytes(r, &xl);
		if (!r->bad)
			rc = openpgp_import_public(p, x ? x : "", xl, &list, &err);
		answer_head(out, rc, &err);
		put_strings(out, &list);
		break;
	case OP_KEY_EMAILS:
		fpr = get_str(r);
		if (!r->bad)
			rc = openpgp_key_emails(p, fpr ? fpr : "", &list, &err);
		answer_head(out, rc, &err);
		put_strings(out, &list);
		break;
	case OP_HAS_KEY:
		fpr = get_str(r);
		flag = get_u32(r);
		if (!r->bad)
			rc = openpgp_has_key(p, fpr ? fpr : "", (int)flag, &err);
		answer_head(out, rc, &err);
		break;
	case OP_LIST_KEYS:
		a = get_str(r);
		flag = get_u32(r);
		if (!r->bad)
			rc = openpgp_list_keys(p, a, (int)flag, &keys, &err);
		answer_head(out, rc, &err);
		put_keys(out, &keys);
		break;
	case OP_EXPORT:
		fpr = get_str(r);
		if (!r->bad)
			rc = openpgp_export_public(p, fpr ? fpr : "", &data, &err);
		answer_head(out, rc, &err);
		put_bytes(out, data.data, data.len);
		break;
	case OP_ENCRYPT:
		a = get_str(r);
		n = get_u32(r);
		if (!r->bad && n <= 1024) {
			fprs = xcalloc(n + 1, sizeof(*fprs));
			for (uint32_t i = 0; i < n; i++) {
				char *f = get_str(r);

				fprs[i] = f != NULL ? f : xstrdup("");
			}
		}
		x = get_bytes(r, &xl);
		if (!r->bad && fprs != NULL)
			rc = a != NULL ? openpgp_sign_encrypt(p, a, fprs, n, x ? x : "", xl, &data,
			    &err) : openpgp_encrypt(p, fprs, n, x ? x : "", xl, &data, &err);
		answer_head(out, rc, &err);
		put_bytes(out, data.data, data.len);
		for (uint32_t i = 0; fprs != NULL && fprs[i] != NULL; i++)
			free((char *)fprs[i]);
		free(fprs);
		break;
	default:
		err_set(&err, ERR_FINAL, "signer: unknown request %u", op);
		answer_head(out, -1, &err);
		break;
	}
	if (r->bad && op != 0) {
		buf_reset(out);
		err_set(&err, ERR_FINAL, "signer: malformed request %u", op);
		answer_head(out, -1, &err);
	}
	pgp_signature_info_free(&info);
	pgp_decrypt_info_free(&dec);
	pgp_strings_free(&list);
	pgp_key_list_free(&keys);
	buf_free(&data);
	free(fpr);
	free(a);
}

static void __attribute__((noreturn))
serve(int fd, const char *home)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct openpgp *p = NULL;
	struct clerk_err err;
	int rc;

	err_clear(&err);
	rc = openpgp_open(home, &p, &err);
	answer_head(&out, rc, &err);
	if (send_frame(fd, &out) != 0 || rc != 0)
		_exit(rc != 0 ? 1 : 2);
	while (recv_frame(fd, &in) == 0) {
		struct rd r = { (const unsigned char *)in.data, in.len, 0 };

		buf_reset(&out);
		serve_one(p, &r, &out);
		if (send_frame(fd, &out) != 0)
			break;
	}
	openpgp_close(p);
	buf_free(&in);
	buf_free(&out);
	_exit(0);
}

/* ---- the daemon's side ---- */

struct signer {
	char	*home;	/* owned */
	int	 fd;	/* -1: not running */
	pid_t	 pid;
};

static void
stop(struct signer *s)
{
	int status;

	if (s->fd >= 0)
		close(s->fd);	/* EOF: the child closes its context, exits */
	if (s->pid > 0)
		while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
			;
	s->fd = -1;
	s->pid = 0;
}

static int
spawn(struct signer *s, struct clerk_err *err)
{
	struct buf hello = BUF_INIT;
	int sv[2], rc = -1;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		err_set(err, ERR_TEMP, "signer: socketpair: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		err_set(err, ERR_TEMP, "signer: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* Only stderr (for GnuPG's complaints) and the socket. */
		if (dup2(sv[1], 3) < 0)
			_exit(1);
		close_range(4, ~0u, 0);
		/* The daemon decides when to stop: its socket closes (also when
		 * it dies), and the child's read ends. A SIGTERM to the whole
		 * group (systemd) must not take the signer from the mail the
		 * daemon is finishing. */
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		serve(3, s->home);
	}
	close(sv[1]);
	s->fd = sv[0];
	s->pid = pid;
	if (recv_frame(s->fd, &hello) != 0) {
		err_set(err, ERR_TEMP, "signer: the process ended before it was ready");
		stop(s);
		goto out;
	} else {
		struct rd r = { (const unsigned char *)hello.data, hello.len, 0 };
		int ok = (int)get_u32(&r);
		int temporary = (int)get_u32(&r);
		char *msg = get_str(&r);

		if (ok != 0) {
			err_set(err, temporary ? ERR_TEMP : ERR_FINAL, "%s", msg ? msg : "?");
			free(msg);
			stop(s);
			goto out;
		}
		free(msg);
	}
	rc = 0;
out:
	buf_free(&hello);
	return rc;
}

/* Sends `req`, receives the answer into `ans` and reads its head: the
 * return value of the call, with err set when it is negative. A process
 * that went away is started again once. */
static int
call(struct signer *s, const struct buf *req, struct buf *ans, struct rd *r,
    struct clerk_err *err)
{
	int rc, temporary;
	char *msg;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (s->fd < 0 && spawn(s, err) != 0)
			return -1;
		if (send_frame(s->fd, req) == 0 && recv_frame(s->fd, ans) == 0)
			break;
		stop(s);
		if (attempt == 1) {
			err_set(err, ERR_TEMP, "signer: the OpenPGP process went away");
			return -1;
		}
	}
	*r = (struct rd){ (const unsigned char *)ans->data, ans->len, 0 };
	rc = (int)get_u32(r);
	temporary = (int)get_u32(r);
	msg = get_str(r);
	if (r->bad) {
		free(msg);
		err_set(err, ERR_TEMP, "signer: a malformed answer");
		return -1;
	}
	if (rc < 0)
		err_set(err, temporary ? ERR_TEMP : ERR_FINAL, "%s", msg ? msg : "?");
	free(msg);
	return rc;
}

static int
s_sign(void *be, const char *signer_fpr, const void *data, size_t len, struct buf *sig,
    char micalg[PGP_MICALG_MAX], struct clerk_err *err)
{
	struct buf req = BUF_INIT, ans = BUF_INIT;
	struct rd r;
	size_t n;
	const char *p;
	int rc;

	put_u32(&req, OP_SIGN);
	put_str(&req, signer_fpr);
	put_bytes(&req, data, len);
	err_clear(err);
	rc = call(be, &req, &ans, &r, err);
	if (ans.len > 0) {
		p = get_bytes(&r, &n);
		if (rc == 0 && p != NULL)
			buf_append(sig, p, n);
		if (micalg != NULL)
			get_fixed(&r, micalg, PGP_MICALG_MAX);
	}
	buf_free(&req);
	buf_free(&ans);
	return rc;
}

static int
s_verify_detached(void *be, const void *signed_data, size_t len, const void *sig,
    size_t siglen, struct pgp_signature_info *info, struct clerk_err *err)
{
	struct buf req = BUF_INIT, ans = BUF_INIT;
	struct rd r;
	int rc;

	put_u32(&req, OP_VERIFY_DETACHED);
	put_bytes(&req, signed_data, len);
	put_bytes(&req, sig, siglen);
	err_clear(err);
	memset(info, 0, sizeof(*info));
	rc = call(be, &req, &ans, &r, err);
	if (ans.len > 0)
		get_info(&r, info);
	buf_free(&req);
	buf_free(&ans);
	return rc;
}

static int
s_verify_clear(void *be, const void *text, size_t len, struct pgp_signature_info *info,
    struct buf *plaintext, struct clerk_err *err)
{
	struct buf req = BUF_INIT, ans = BUF_INIT;
	struct rd r;
	const char *p;
	size_t n;
	int rc;

	put_u32(&req, OP_VERIFY_CLEAR);
	put_bytes(&req, text, len);
	put_u32(&req, plaintext != NULL);
	err_clear(err);
	memset(info, 0, sizeof(*info));
	rc = call(be, &req, &ans, &r, err);
	if (ans.len > 0) {
		get_info(&r, info);
		p = get_bytes(&r, &n);
		if (p != NULL && n > 0 && plaintext != NULL)
			buf_append(plaintext, p, n);
	}
	buf_free(&req);
	buf_free(&ans);
	return rc;
}

static int
s_decrypt(void *be, const void *cipher, size_t len, struct buf *plaintext,
    struct pgp_signature_info *info, struct pgp_decrypt_info *dec, struct clerk_err *err)
{
	struct buf req = BUF_INIT, ans = BUF_INIT;
	struct rd r;
	const char *p;
	size_t n;
	int rc;

	put_u32(&req, OP_DECRYPT);
	put_bytes(&req, cipher, len);
	put_u32(&req, plaintext != NULL);
	err_clear(err);
	memset(info, 0, sizeof(*info));
	memset(dec, 0, sizeof(*dec));
	rc = call(be, &req, &ans, &r, err);
	if (ans.len > 0) {
		p = get_bytes(&r, &n);
		if (p != NULL && n > 0 && plaintext != NULL)
			buf_append(plaintext, p, n);
		get_info(&r, info);
		get_dec(&r, dec);
	}
	buf_free(&req);
	buf_free(&ans);
	return rc;
}

/* A call whose only output is a list of strings. */
static int
strings_call(void *be, struct buf *req, struct pgp_strings *out, struct clerk_err *err)
{
	struct buf ans = BUF_INIT;
	struct rd r;
	int rc;

	err_clear(err);
	rc = call(be, req, &ans, &r, err);
	if (rc == 0)
		get_strings(&r, out);
	buf_free(&ans);
	return rc;
}

static int
s_import(void *be, const void *data, size_t len, struct pgp_strings *fprs,
    struct clerk_err *err)
{
	struct buf req = BUF_INIT;
	int rc;

	put_u32(&req, OP_IMPORT);
	put_bytes(&req, data, len);
	rc = strings_call(be, &req, fprs, err);
	buf_free(&req);
	return rc;
}

static int
s_key_emails(void *be, const char *fpr, struct pgp_strings *emails, struct clerk_err *err)
{
	struct buf req = BUF_INIT;
	int rc;

	put_u32(&req, OP_KEY_EMAILS);
	put_str(&req, fpr);
	rc = strings_call(be, &req, emails, err);
	buf_free(&req);
	return rc;
}

static int
s_has_key(void *be, const char *fpr, int secret, struct clerk_err *err)
{
	struct buf req = BUF_INIT, ans = BUF_INIT;
	struct rd r;
	int rc;

	put_u32(&req, OP_HAS_KEY);
	put_str(&req, fpr);
	put_u32(&req, secret != 0);
	err_clear(err);
	rc = call(be, &req, &ans, &r, err);
	buf_free(&req);
	buf_free(&ans);
	return rc;
}

static int
s_list_keys(void *be, const char *pattern, int secret_only, struct pgp_key_list *out,
    struct clerk_err *err)
{
	struct buf req = BUF_INIT, ans = BUF_INIT;
	struct rd r;
	int rc;

	put_u32(&req, OP_LIST_KEYS);
	put_str(&req, pattern);
	put_u32(&req, secret_only != 0);
	err_clear(err);
	memset(out, 0, sizeof(*out));
	rc = call(be, &req, &ans, &r, err);
	if (rc == 0)
		get_keys(&r, out);
	buf_free(&req);
	buf_free(&ans);
	return rc;
}

/* A call whose only output is bytes appended to `out`. */
static int
bytes_call(void *be, struct buf *req, struct buf *out, struct clerk_err *err)
{
	struct buf ans = BUF_INIT;
	struct rd r;
	const char *p;
	size_t n;
	int rc;

	err_clear(err);
	rc = call(be, req, &ans, &r, err);
	if (rc == 0 && (p = get_bytes(&r, &n)) != NULL)
		buf_append(out, p, n);
	buf_free(&ans);
	return rc;
}

static int
s_export(void *be, const char *fpr, struct buf *out, struct clerk_err *err)
{
	struct buf req = BUF_INIT;
	int rc;

	put_u32(&req, OP_EXPORT);
	put_str(&req, fpr);
	rc = bytes_call(be, &req, out, err);
	buf_free(&req);
	return rc;
}

static int
s_encrypt(void *be, const char *signer_fpr, const char *const *fprs, size_t n,
    const void *data, size_t len, struct buf *cipher, struct clerk_err *err)
{
	struct buf req = BUF_INIT;
	int rc;

	put_u32(&req, OP_ENCRYPT);
	put_str(&req, signer_fpr);
	put_u32(&req, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		put_str(&req, fprs[i]);
	put_bytes(&req, data, len);
	rc = bytes_call(be, &req, cipher, err);
	buf_free(&req);
	return rc;
}

static void
s_close(void *be)
{
	struct signer *s = be;

	if (s == NULL)
		return;
	stop(s);
	free(s->home);
	free(s);
}

static const struct openpgp_ops signer_ops = {
	s_sign, s_verify_detached, s_verify_clear, s_decrypt, s_import, s_key_emails, s_has_key,
	s_list_keys, s_export, s_encrypt, s_close,
};

int
signer_start(const char *gnupg_home, struct openpgp **out, struct clerk_err *err)
{
	struct signer *s = xcalloc(1, sizeof(*s));

	*out = NULL;
	s->home = xstrdup(gnupg_home != NULL ? gnupg_home : "");
	s->fd = -1;
	if (spawn(s, err) != 0) {
		s_close(s);
		return -1;
	}
	*out = openpgp_wrap(s->home, &signer_ops, s);
	return 0;
}
