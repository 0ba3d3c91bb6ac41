/* Notices: render, compose, sign (and encrypt), store as an outbox row, all
 * inside the caller's transaction. Nothing leaves here: outbox.c sends. */
#include "notice.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "buf.h"
#include "compose.h"
#include "log.h"
#include "xmalloc.h"

#define MSGID_RANDOM_BYTES 16

/* The association's domain: what follows '@' in its address. */
static const char *
assoc_domain(const struct config *cfg)
{
	const char *at = strrchr(cfg->association.address, '@');

	return at != NULL && at[1] != '\0' ? at + 1 : "localhost";
}

/* "<YYYYMMDDhhmmss>.<32 hex>@domain": random, so a resend can only ever
 * repeat the stored bytes, never mint a second id for the same notice. */
static int
make_message_id(const struct config *cfg, const struct clock_now *now, char **out,
    struct clerk_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[MSGID_RANDOM_BYTES];
	char rhex[2 * MSGID_RANDOM_BYTES + 1];
	size_t got = 0;

	while (got < sizeof(rnd)) {
		ssize_t n = getrandom(rnd + got, sizeof(rnd) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(err, 1, "notice: getrandom: %s", strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(rnd); i++) {
		rhex[2 * i] = hex[rnd[i] >> 4];
		rhex[2 * i + 1] = hex[rnd[i] & 0xf];
	}
	rhex[sizeof(rhex) - 1] = '\0';
	*out = xasprintf("%04d%02d%02d%02d%02d%02d.%s@%s", now->local.date.year,
	    now->local.date.month, now->local.date.day, now->local.hour, now->local.minute,
	    now->local.second, rhex, assoc_domain(cfg));
	return 0;
}

static char *
lower_dup(const char *s)
{
	char *d = xstrdup(s);

	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

/* References: the caller's list, then the id answered when the list does
 * not end with it (RFC 5322 3.6.4). Space-separated; NULL when empty. */
static char *
references_text(const struct notice_req *req)
{
	struct buf b = BUF_INIT;
	const char *last = NULL;

	for (const char *const *r = req->references; r != NULL && *r != NULL; r++) {
		if ((*r)[0] == '\0')
			continue;
		if (b.len)
			buf_append_char(&b, ' ');
		buf_append_str(&b, *r);
		last = *r;
	}
	if (req->in_reply_to != NULL && req->in_reply_to[0] != '\0' &&
	    (last == NULL || strcmp(last, req->in_reply_to) != 0)) {
		if (b.len)
			buf_append_char(&b, ' ');
		buf_append_str(&b, req->in_reply_to);
	}
	return b.len ? buf_steal(&b) : NULL;
}

static int
utc_offset_minutes(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return (int)(tm.tm_gmtoff / 60);
}

/* Defence in depth: compose promises 7-bit CRLF; a row must never hold
 * anything else, since it goes to the server byte for byte. */
static int
wire_safe(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 || c == '\0')
			return 0;
		if (c == '\n' && (i == 0 || s[i - 1] != '\r'))
			return 0;
		if (c == '\r' && (i + 1 == len || s[i + 1] != '\n'))
			return 0;
	}
	return 1;
}

int
notice_can_encrypt(const struct notice_ctx *nx, const char *fpr, struct clerk_err *err)
{
	char norm[41];

	if (fpr == NULL || pgp_fpr_normalize(fpr, norm) != 0)
		return 0;
	return openpgp_has_key(nx->pgp, norm, 0, err);
}

/* A day's answers to one address, counted from the store (loop guard). */
static int
over_limit(const struct notice_ctx *nx, const char *to, const struct clock_now *now,
    int *count, struct clerk_err *err)
{
	char since[CAL_DATETIME_BUFSZ];
	struct cal_datetime midnight = { now->local.date, 0, 0, 0 };

	cal_datetime_format(midnight, since);
	*count = 0;
	if (store_outbox_count_since(nx->st, to, since, count, err) != 0)
		return -1;
	return *count >= nx->cfg->limits.auto_replies_per_day;
}

static int
suppress(const struct notice_ctx *nx, const struct notice_req *req, const char *to,
    const struct clock_now *now, const char *why, struct clerk_err *err)
{
	char *detail = xasprintf("template=%s to=%s reason=%s", req->template, to, why);
	int rc;

	rc = store_event_append(nx->st, now->iso, req->case_ref, "notice-suppressed", detail, 0,
	    err);
	log_warn(req->case_ref, "notice-suppressed", "%s", detail);
	free(detail);
	return rc;
}

/* The notice could not be signed: keep it unsigned but HELD (never sent)
 * and tell the secretary. */
static int
hold(const struct notice_ctx *nx, const struct notice_req *req, const struct notice_header *h,
    const char *to, const struct buf *part, const struct clock_now *now, const char *why,
    struct clerk_err *err)
{
	struct buf mail = BUF_INIT;
	char *detail = NULL, *text = NULL;
	int rc = -1;

	if (compose_unsigned(h, part->data, part->len, &mail, err) != 0)
		goto out;
	if (store_outbox_add(nx->st, req->case_ref, h->message_id, to,
	    nx->cfg->smtp.envelope_from, req->template, now->iso, mail.data, mail.len,
	    OUTBOX_HELD, NULL, err) != 0)
		goto out;
	detail = xasprintf("template=%s to=%s message-id=%s error=\"%s\"", req->template, to,
	    h->message_id, why);
	if (store_event_append(nx->st, now->iso, req->case_ref, "notice-held", detail, 0,
	    err) != 0)
		goto out;
	text = xasprintf("notice %s to %s held, not sent: signing failed: %s", req->template,
	    to, why);
	if (store_digest_add(nx->st, now->iso, req->case_ref, "info", "secretary", text,
	    err) != 0)
		goto out;
	log_error(req->case_ref, "notice-held", "%s", detail);
	rc = 0;
out:
	buf_free(&mail);
	free(detail);
	free(text);
	return rc;
}

/* The mail as it will leave: signed, and encrypted when it can and should
 * be. *encrypted says which. A failure to encrypt a notice that may go
 * signed only is recorded and not an error. */
static int
seal(const struct notice_ctx *nx, const struct notice_req *req, const struct notice_header *h,
    const char *enc_fpr, const struct buf *part, const struct buf *sig, const char *micalg,
    const struct clock_now *now, struct buf *mail, int *encrypted, struct clerk_err *err)
{
	struct buf inner = BUF_INIT, cipher = BUF_INIT;
	struct clerk_err eerr = { 0, "" };
	const char *fprs[1];
	int rc = -1;

	*encrypted = 0;
	if (enc_fpr != NULL) {
		fprs[0] = enc_fpr;
		if (compose_signed_entity(h->message_id, part->data, part->len, sig->data,
		    sig->len, micalg, &inner, err) != 0)
			goto out;
		if (openpgp_encrypt(nx->pgp, fprs, 1, inner.data, inner.len, &cipher,
		    &eerr) == 0) {
			if (compose_encrypted(h, cipher.data, cipher.len, mail, err) != 0)
				goto out;
			*encrypted = 1;
			rc = 0;
			goto out;
		}
		if (req->confidential) {
			*err = eerr;
			err_prefix(err, "confidential notice %s to %s", req->template, h->to_addr);
			goto out;
		}
		/* The key is there but unusable (expired, no encryption
		 * subkey): the notice is not secret, so it goes signed. */
		{
			char *detail = xasprintf("template=%s to=%s key=%s error=\"%s\"",
			    req->template, h->to_addr, enc_fpr, eerr.msg);

			rc = store_event_append(nx->st, now->iso, req->case_ref,
			    "notice-unencrypted", detail, 0, err);
			log_warn(req->case_ref, "notice-unencrypted", "%s", detail);
			free(detail);
			if (rc != 0)
				goto out;
			rc = -1;
		}
	}
	if (compose_signed(h, part->data, part->len, sig->data, sig->len, micalg, mail,
	    err) != 0)
		goto out;
	rc = 0;
out:
	buf_free(&inner);
	buf_free(&cipher);
	return rc;
}

/* Which key to encrypt to: the normalized fingerprint in `out`, or none
 * (returns 0 with out[0] == '\0'). A confidential notice without a usable
 * key is a permanent error. */
static int
pick_encryption(const struct notice_ctx *nx, const struct notice_req *req, const char *to,
    const struct clock_now *now, char out[41], struct clerk_err *err)
{
	int have = 0;

	out[0] = '\0';
	if (req->encrypt_to != NULL && req->encrypt_to[0] != '\0') {
		if (pgp_fpr_normalize(req->encrypt_to, out) != 0) {
			err_set(err, 0, "notice %s: encrypt_to '%s' is not a fingerprint",
			    req->template, req->encrypt_to);
			return -1;
		}
		if ((have = openpgp_has_key(nx->pgp, out, 0, err)) < 0)
			return -1;
	}
	if (have)
		return 0;
	if (req->confidential) {
		err_set(err, 0, "confidential notice %s to %s: no key of the recipient; send "
		    "the notice on how to write securely instead", req->template, to);
		out[0] = '\0';
		return -1;
	}
	if (out[0] != '\0') {
		char *detail = xasprintf("template=%s to=%s key=%s error=\"key not in the home\"",
		    req->template, to, out);
		int rc = store_event_append(nx->st, now->iso, req->case_ref,
		    "notice-unencrypted", detail, 0, err);

		log_warn(req->case_ref, "notice-unencrypted", "%s", detail);
		free(detail);
		out[0] = '\0';
		return rc;
	}
	return 0;
}

int
notice_queue(const struct notice_ctx *nx, const struct notice_req *req,
    const struct clock_now *now, char **message_id, struct clerk_err *err)
{
	const struct config *cfg = nx->cfg;
	struct rendered r = { NULL, NULL };
	struct notice_header h;
	struct attachment att;
	struct buf part = BUF_INIT, sig = BUF_INIT, mail = BUF_INIT;
	struct clerk_err serr = { 0, "" };
	char micalg[PGP_MICALG_MAX], enc_fpr[41];
	char *to = NULL, *msgid = NULL, *refs = NULL, *detail = NULL;
	const char *lang;
	int rc = -1, encrypted = 0, count = 0, over;

	if (message_id != NULL)
		*message_id = NULL;
	if (req->to == NULL || req->template == NULL) {
		err_set(err, 0, "notice: no recipient or no template");
		goto out;
	}
	to = lower_dup(req->to);

	/* Loops: never to ourselves, and only so many answers a day. */
	if (strcasecmp(to, cfg->association.address) == 0) {
		rc = suppress(nx, req, to, now, "own-address", err);
		goto out;
	}
	/* Officers are configured people, not mail loops: never cut off. */
	if (req->kind == NOTICE_ANSWER && config_officer_by_email(cfg, to) == NULL) {
		if ((over = over_limit(nx, to, now, &count, err)) < 0)
			goto out;
		if (over) {
			char why[64];

			snprintf(why, sizeof(why), "limit count=%d limit=%d", count,
			    cfg->limits.auto_replies_per_day);
			rc = suppress(nx, req, to, now, why, err);
			goto out;
		}
	}

	if (pick_encryption(nx, req, to, now, enc_fpr, err) != 0)
		goto out;
	lang = template_pick_lang(nx->tpl, req->lang, cfg->association.language);
	if (template_render(nx->tpl, req->template, lang, req->vars, &r, err) != 0) {
		err_prefix(err, "notice %s (%s)", req->template, lang);
		goto out;
	}
	if (make_message_id(cfg, now, &msgid, err) != 0)
		goto out;
	refs = references_text(req);

	memset(&h, 0, sizeof(h));
	h.from_name = cfg->association.name;
	h.from_addr = cfg->association.address;
	h.to_name = req->to_name;
	h.to_addr = to;
	h.case_ref = req->case_ref;
	h.subject = r.subject;
	h.date = now->local;
	h.utc_offset = utc_offset_minutes(now->epoch);
	h.message_id = msgid;
	h.in_reply_to = req->in_reply_to;
	h.references = refs;
	h.auto_submitted = req->kind == NOTICE_ANSWER ? AUTO_REPLIED : AUTO_GENERATED;

	memset(&att, 0, sizeof(att));
	if (req->attach_public_key) {
		const struct tvar *kf = tvars_get(req->vars, "key_file");

		if (nx->public_key == NULL || nx->public_key_len == 0) {
			err_set(err, 0, "notice %s: the association's public key is not "
			    "available to attach", req->template);
			goto out;
		}
		att.content_type = "application/pgp-keys";
		att.filename = kf != NULL && kf->type == TVAR_TEXT && kf->text[0] ? kf->text :
		    "public-key.asc";
		att.data = nx->public_key;
		att.len = nx->public_key_len;
	}
	/* Step A, then the detached signature over exactly those bytes. */
	if (compose_entity(r.body, &att, req->attach_public_key ? 1 : 0, msgid, &part,
	    err) != 0)
		goto out;
	if (openpgp_sign_detached(nx->pgp, cfg->openpgp.fingerprint, part.data, part.len,
	    &sig, micalg, &serr) != 0) {
		if (hold(nx, req, &h, to, &part, now, serr.msg, err) != 0)
			goto out;
		if (message_id != NULL)
			*message_id = xstrdup(msgid);
		rc = 0;
		goto out;
	}
	if (seal(nx, req, &h, enc_fpr[0] ? enc_fpr : NULL, &part, &sig, micalg, now, &mail,
	    &encrypted, err) != 0)
		goto out;
	if (!wire_safe(mail.data, mail.len)) {
		err_set(err, 0, "notice %s: composed mail is not 7-bit CRLF", req->template);
		goto out;
	}
	if (store_outbox_add(nx->st, req->case_ref, msgid, to, cfg->smtp.envelope_from,
	    req->template, now->iso, mail.data, mail.len, OUTBOX_QUEUED, NULL, err) != 0)
		goto out;
	detail = xasprintf("template=%s to=%s lang=%s message-id=%s encrypted=%s",
	    req->template, to, lang, msgid, encrypted ? "yes" : "no");
	if (store_event_append(nx->st, now->iso, req->case_ref, "notice-queued", detail, 0,
	    err) != 0)
		goto out;
	log_info(req->case_ref, "notice-queued", "%s bytes=%zu", detail, mail.len);
	if (message_id != NULL)
		*message_id = xstrdup(msgid);
	rc = 0;
out:
	rendered_free(&r);
	buf_free(&part);
	buf_free(&sig);
	buf_free(&mail);
	free(to);
	free(msgid);
	free(refs);
	free(detail);
	return rc;
}
