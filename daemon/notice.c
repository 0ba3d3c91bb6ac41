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
#include "outbox.h"
#include "store_outbox.h"
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
			err_set(err, ERR_TEMP, "notice: getrandom: %s", strerror(errno));
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

/* The notice could not be signed: keep it, unsigned, HELD (never sent as
 * it is) with what signing it later needs, and tell the secretary. */
static int
hold(const struct notice_ctx *nx, const struct notice_req *req, const char *to,
    const char *lang, const char *msgid, const char *enc_fpr, const struct buf *header, const struct buf *part,
    const struct clock_now *now, const char *why, struct clerk_err *err)
{
	struct store_outbox_held held;
	struct buf mail = BUF_INIT;
	char *detail = NULL, *text = NULL;
	int rc = -1;

	buf_append(&mail, header->data, header->len);
	buf_append(&mail, part->data, part->len);
	memset(&held, 0, sizeof(held));
	held.row.case_ref = (char *)req->case_ref;
	held.row.message_id = (char *)msgid;
	held.row.recipient = (char *)to;
	held.row.envelope_from = nx->cfg->smtp.envelope_from;
	held.row.kind = (char *)req->template;
	held.row.bytes = mail.data;
	held.row.len = mail.len;
	held.entity_at = header->len;
	held.encrypt_to = enc_fpr[0] ? (char *)enc_fpr : NULL;
	held.confidential = req->confidential;
	if (store_outbox_hold(nx->st, &held, now->iso, err) != 0)
		goto out;
	detail = xasprintf("template=%s to=%s lang=%s message-id=%s error=\"%s\"",
	    req->template, to, lang, msgid, why);
	if (store_event_append(nx->st, now->iso, req->case_ref, "notice-held", detail, 0,
	    err) != 0)
		goto out;
	text = xasprintf("notice %s to %s held, not sent: signing failed: %s; clerk signs it "
	    "as soon as it can (clerkctl outbox release tries now)", req->template, to, why);
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

/* What sealing one notice needs; the same for a new notice and a held one. */
struct seal_in {
	const char	*case_ref;
	const char	*template;
	const char	*to;
	const char	*message_id;	/* also the seed of the MIME boundaries */
	const char	*enc_fpr;	/* NULL: signed only */
	int		 confidential;
	const char	*header;	/* the outer header, as compose_header made it */
	size_t		 header_len;
	const char	*part;		/* the step-A entity to sign */
	size_t		 part_len;
};

/* The mail as it will leave: the header, then the part signed, and
 * encrypted when it can and should be; *encrypted says which. Returns 1
 * when signing failed (*serr says why; nothing else is an error then), 0
 * when sealed, -1 on an error (a confidential notice that cannot be
 * encrypted is a permanent one). A failure to encrypt a notice that may
 * go signed only is recorded and not an error. */
static int
seal(const struct notice_ctx *nx, const struct seal_in *in, const struct clock_now *now,
    struct buf *mail, int *encrypted, struct clerk_err *serr, struct clerk_err *err)
{
	struct buf sig = BUF_INIT, inner = BUF_INIT, cipher = BUF_INIT;
	struct clerk_err eerr = { 0, "" };
	char micalg[PGP_MICALG_MAX];
	const char *fprs[1];
	int rc = -1;

	*encrypted = 0;
	if (openpgp_sign_detached(nx->pgp, nx->cfg->openpgp.fingerprint, in->part,
	    in->part_len, &sig, micalg, serr) != 0) {
		rc = 1;
		goto out;
	}
	buf_append(mail, in->header, in->header_len);
	if (in->enc_fpr != NULL) {
		fprs[0] = in->enc_fpr;
		if (compose_signed_entity(in->message_id, in->part, in->part_len, sig.data,
		    sig.len, micalg, &inner, err) != 0)
			goto out;
		if (openpgp_encrypt(nx->pgp, fprs, 1, inner.data, inner.len, &cipher,
		    &eerr) == 0) {
			if (compose_encrypted_entity(in->message_id, cipher.data, cipher.len,
			    mail, err) != 0)
				goto out;
			*encrypted = 1;
			goto check;
		}
		if (in->confidential) {
			*err = eerr;
			err->temporary = 0;
			err_prefix(err, "confidential notice %s to %s", in->template, in->to);
			goto out;
		}
		/* The key is there but unusable (expired, no encryption
		 * subkey): the notice is not secret, so it goes signed. */
		{
			char *detail = xasprintf("template=%s to=%s key=%s error=\"%s\"",
			    in->template, in->to, in->enc_fpr, eerr.msg);

			rc = store_event_append(nx->st, now->iso, in->case_ref,
			    "notice-unencrypted", detail, 0, err);
			log_warn(in->case_ref, "notice-unencrypted", "%s", detail);
			free(detail);
			if (rc != 0)
				goto out;
			rc = -1;
		}
	}
	if (compose_signed_entity(in->message_id, in->part, in->part_len, sig.data, sig.len,
	    micalg, mail, err) != 0)
		goto out;
check:
	if (!wire_safe(mail->data, mail->len)) {
		err_set(err, ERR_FINAL, "notice %s: composed mail is not 7-bit CRLF", in->template);
		goto out;
	}
	rc = 0;
out:
	buf_free(&sig);
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
			err_set(err, ERR_FINAL, "notice %s: encrypt_to '%s' is not a fingerprint",
			    req->template, req->encrypt_to);
			return -1;
		}
		if ((have = openpgp_has_key(nx->pgp, out, 0, err)) < 0)
			return -1;
	}
	if (have)
		return 0;
	if (req->confidential) {
		err_set(err, ERR_FINAL, "confidential notice %s to %s: no key of the recipient; send "
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
	struct buf part = BUF_INIT, header = BUF_INIT, mail = BUF_INIT;
	struct clerk_err serr = { 0, "" };
	struct seal_in in;
	char enc_fpr[41];
	char *to = NULL, *msgid = NULL, *refs = NULL, *detail = NULL;
	const char *lang;
	int rc = -1, encrypted = 0, count = 0, over, sealed;

	if (message_id != NULL)
		*message_id = NULL;
	if (req->to == NULL || req->template == NULL) {
		err_set(err, ERR_FINAL, "notice: no recipient or no template");
		goto out;
	}
	to = xstrdup_lower(req->to);

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
	h.ref_token = req->ref_token;
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
			err_set(err, ERR_FINAL, "notice %s: the association's public key is not "
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
	    err) != 0 || compose_header(&h, &header, err) != 0)
		goto out;
	memset(&in, 0, sizeof(in));
	in.case_ref = req->case_ref;
	in.template = req->template;
	in.to = to;
	in.message_id = msgid;
	in.enc_fpr = enc_fpr[0] ? enc_fpr : NULL;
	in.confidential = req->confidential;
	in.header = header.data;
	in.header_len = header.len;
	in.part = part.data;
	in.part_len = part.len;
	sealed = seal(nx, &in, now, &mail, &encrypted, &serr, err);
	if (sealed < 0)
		goto out;
	if (sealed > 0) {
		if (hold(nx, req, to, lang, msgid, enc_fpr, &header, &part, now, serr.msg,
		    err) != 0)
			goto out;
		if (message_id != NULL)
			*message_id = xstrdup(msgid);
		rc = 0;
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
	buf_free(&header);
	buf_free(&mail);
	free(to);
	free(msgid);
	free(refs);
	free(detail);
	return rc;
}

/* ---- held notices: signed and released once signing works again ---- */

/* The row stays held: its next attempt after the backoff. The secretary
 * heard of it when it was held; each failed try is logged only. */
static int
still_held(const struct notice_ctx *nx, const struct store_outbox_held *h,
    const struct clock_now *now, const char *why, struct clerk_err *err)
{
	char next[CAL_DATETIME_BUFSZ];
	char *error = xasprintf("signing failed: %s", why);
	int rc;

	clock_iso(now->epoch + outbox_backoff(nx->cfg->smtp.retry_seconds, h->row.attempts),
	    next);
	rc = store_outbox_retry(nx->st, h->row.id, next, error, err);
	log_warn(h->row.case_ref, "notice-still-held", "template=%s to=%s message-id=%s "
	    "next=%s error=\"%s\"", h->row.kind, h->row.recipient, h->row.message_id, next, why);
	free(error);
	return rc;
}

/* A held notice that can never leave: a confidential one whose key no
 * longer serves, or a row that cannot be read back. */
static int
held_fails(const struct notice_ctx *nx, const struct store_outbox_held *h,
    const struct clock_now *now, const char *why, struct clerk_err *err)
{
	char *detail = xasprintf("template=%s to=%s message-id=%s error=\"%s\"", h->row.kind,
	    h->row.recipient, h->row.message_id, why);
	char *text = xasprintf("held notice %s to %s not sent: %s", h->row.kind,
	    h->row.recipient, why);
	int rc = -1;

	if (store_outbox_failed(nx->st, h->row.id, why, err) != 0 ||
	    store_event_append(nx->st, now->iso, h->row.case_ref, "notice-failed", detail, 0,
	    err) != 0 ||
	    store_digest_add(nx->st, now->iso, h->row.case_ref, "info", "secretary", text,
	    err) != 0)
		goto out;
	log_error(h->row.case_ref, "notice-failed", "%s", detail);
	rc = 0;
out:
	free(detail);
	free(text);
	return rc;
}

static int
release_one(const struct notice_ctx *nx, const struct store_outbox_held *h,
    const struct clock_now *now, enum notice_release_outcome *outcome, struct clerk_err *err)
{
	const struct store_outbox *o = &h->row;
	struct clerk_err serr = { 0, "" }, perr = { 0, "" };
	struct buf mail = BUF_INIT;
	struct seal_in in;
	char enc_fpr[41];
	char *detail = NULL, *text = NULL;
	int rc = -1, encrypted = 0, sealed;

	memset(&in, 0, sizeof(in));
	in.case_ref = o->case_ref;
	in.template = o->kind;
	in.to = o->recipient;
	in.message_id = o->message_id;
	in.confidential = h->confidential;
	if (h->encrypt_to != NULL) {
		if (pgp_fpr_normalize(h->encrypt_to, enc_fpr) != 0) {
			char why[160];

			snprintf(why, sizeof(why), "its key '%.60s' is not a fingerprint",
			    h->encrypt_to);
			*outcome = NOTICE_RELEASE_FAILED;
			rc = held_fails(nx, h, now, why, err);
			goto out;
		}
		in.enc_fpr = enc_fpr;
	}
	if (h->entity_at == 0 || h->entity_at >= o->len) {
		*outcome = NOTICE_RELEASE_FAILED;
		rc = held_fails(nx, h, now, "the stored mail has no entity to sign", err);
		goto out;
	}
	in.header = o->bytes;
	in.header_len = h->entity_at;
	in.part = (const char *)o->bytes + h->entity_at;
	in.part_len = o->len - h->entity_at;
	sealed = seal(nx, &in, now, &mail, &encrypted, &serr, &perr);
	if (sealed > 0) {
		*outcome = NOTICE_STILL_HELD;
		rc = still_held(nx, h, now, serr.msg, err);
		goto out;
	}
	if (sealed < 0) {
		if (perr.temporary) {
			*err = perr;
			goto out;
		}
		*outcome = NOTICE_RELEASE_FAILED;
		rc = held_fails(nx, h, now, perr.msg, err);
		goto out;
	}
	if (store_outbox_release(nx->st, o->id, mail.data, mail.len, now->iso, err) != 0)
		goto out;
	detail = xasprintf("template=%s to=%s message-id=%s encrypted=%s", o->kind,
	    o->recipient, o->message_id, encrypted ? "yes" : "no");
	text = xasprintf("held notice %s to %s is signed now and on its way", o->kind,
	    o->recipient);
	if (store_event_append(nx->st, now->iso, o->case_ref, "notice-released", detail, 0,
	    err) != 0 ||
	    store_digest_add(nx->st, now->iso, o->case_ref, "info", "secretary", text,
	    err) != 0)
		goto out;
	log_info(o->case_ref, "notice-released", "%s bytes=%zu", detail, mail.len);
	*outcome = NOTICE_RELEASED;
	rc = 0;
out:
	buf_free(&mail);
	free(detail);
	free(text);
	return rc;
}

int
notice_release_held(const struct notice_ctx *nx, const struct clock_now *now, int all,
    struct notice_release_stats *stats, struct clerk_err *err)
{
	int64_t after = 0;

	memset(stats, 0, sizeof(*stats));
	/* Most cycles hold nothing: look before taking the write lock. */
	{
		struct store_outbox_held h;
		int found = 0;

		if (store_outbox_next_held(nx->st, all ? NULL : now->iso, 0, &h, &found,
		    err) != 0)
			return -1;
		store_outbox_held_clear(&h);
		if (!found)
			return 0;
	}
	for (;;) {
		struct store_outbox_held h;
		enum notice_release_outcome outcome = NOTICE_STILL_HELD;
		int found = 0;

		if (store_begin(nx->st, err) != 0)
			return -1;
		if (store_outbox_next_held(nx->st, all ? NULL : now->iso, after, &h, &found,
		    err) != 0 || (found && release_one(nx, &h, now, &outcome, err) != 0)) {
			store_outbox_held_clear(&h);
			store_rollback(nx->st);
			return -1;
		}
		if (!found) {
			store_rollback(nx->st);
			return 0;
		}
		after = h.row.id;
		store_outbox_held_clear(&h);
		if (store_commit(nx->st, err) != 0)
			return -1;
		if (outcome == NOTICE_RELEASED)
			stats->released++;
		else if (outcome == NOTICE_RELEASE_FAILED)
			stats->failed++;
		else
			stats->still_held++;
	}
}
