/* Applying one inbound mail inside one transaction. */
#include "apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseflow.h"
#include "commands.h"
#include "log.h"
#include "sha256.h"
#include "store_authority.h"
#include "store_digest.h"
#include "understand.h"
#include "xmalloc.h"

/* The mail row (inserted, or for a reprocessed mail updated) and its
 * attachments, before anything acts on it. */
static int
record_mail(const struct apply_ctx *ax, struct store_mail *row, const struct understanding *u,
    int reread, int64_t *mail_id, struct clerk_err *err)
{
	const struct mail *body = u->r.body;

	if (reread ? store_mail_reread(ax->st, *mail_id, row, err) != 0 :
	    store_mail_insert(ax->st, row, mail_id, err) != 0)
		return -1;
	for (size_t i = 0; body != NULL && i < body->nattachments; i++) {
		const struct mail_attachment *a = &body->attachments[i];
		struct store_attachment sa = { a->filename, a->content_type, a->sha256,
		    a->data.data, a->data.len };

		if (store_attachment_insert(ax->st, *mail_id, &sa, err) != 0)
			return -1;
	}
	return 0;
}

/* What the reading says, into the row. */
static void
fill_reading(struct store_mail *row, const struct understanding *u, struct apply_result *res)
{
	snprintf(res->kind, sizeof(res->kind), "%s", mail_kind_name(u->cls.kind));
	row->kind = res->kind;
	row->state = MAIL_APPLIED;
	if (u->r.outer != NULL) {
		row->from_addr = u->r.outer->from.addr;
		row->subject = u->r.outer->subject;
	}
	row->signature = pgp_verdict_name(u->r.sig.verdict);
	row->signer_fpr = u->r.sig.fpr[0] ? u->r.sig.fpr : NULL;
	row->signer_is_sender = u->signer_is_sender;
}

/* Shown to the secretary: kept whole, moved to the quarantine folder. */
static int
quarantine(const struct apply_ctx *ax, int64_t mail_id, const char *why,
    const struct clock_now *now, struct apply_result *res, struct clerk_err *err)
{
	char text[400];

	snprintf(text, sizeof(text), "mail %lld: %s", (long long)mail_id, why);
	if (store_mail_set_outcome(ax->st, mail_id, NULL, MAIL_QUARANTINED, why, err) != 0 ||
	    store_event_append(ax->st, now->iso, NULL, "mail-quarantined", why, mail_id, err) != 0 ||
	    store_digest_add(ax->st, now->iso, NULL, "info", "secretary", text, err) != 0)
		return -1;
	res->quarantined = 1;
	log_info(NULL, "mail-quarantined", "mail=%lld why=\"%s\"", (long long)mail_id, why);
	return 0;
}

/* A signed mail counts once (FORMS.md): the same good signature a second
 * time, under any headers, changes nothing; the secretary sees it. Nobody
 * is answered: the sender may not be who the headers say. */
static int
replayed_signature(const struct apply_ctx *ax, const struct understanding *u, int64_t mail_id,
    const struct clock_now *now, int *replayed, struct clerk_err *err)
{
	const struct mail *m = u->r.outer;
	char *at = NULL, *text = NULL, iso[CAL_DATETIME_BUFSZ];
	int rc = -1;

	*replayed = 0;
	if (u->r.sig.verdict != PGP_GOOD || u->r.sig_id[0] == '\0')
		return 0;
	if (store_signature_seen(ax->st, u->r.sig_id, replayed, &at, err) != 0)
		return -1;
	if (!*replayed)
		return 0;
	clock_iso(u->r.sig.created, iso);
	text = xasprintf("mail %lld from %s, \"%.80s\": refused: its signature (by %s, made %s) "
	    "was acted on before, on %.19s; a signed mail counts once", (long long)mail_id,
	    m->from.addr ? m->from.addr : "?", m->subject ? m->subject : "", u->r.sig.fpr, iso,
	    at ? at : "?");
	if (store_event_append(ax->st, now->iso, NULL, "signature-replayed", text, mail_id,
	    err) != 0 ||
	    store_digest_add(ax->st, now->iso, NULL, "refused", "secretary", text, err) != 0 ||
	    store_mail_set_outcome(ax->st, mail_id, NULL, MAIL_APPLIED,
	    "refused: the same signature was acted on before", err) != 0)
		goto out;
	log_warn(NULL, "signature-replayed", "mail=%lld from=%s signer=%s", (long long)mail_id,
	    m->from.addr ? m->from.addr : "-", u->r.sig.fpr);
	rc = 0;
out:
	free(at);
	free(text);
	return rc;
}

static int
dispatch(const struct apply_ctx *ax, const struct understanding *u, int64_t mail_id,
    const struct clock_now *now, struct apply_result *res, struct clerk_err *err)
{
	struct caseflow cf;
	const struct mail *m = u->r.outer;
	struct caseflow_result cr;
	char *ref = NULL;
	int rc, replayed = 0;

	caseflow_init(&cf, ax->cfg, ax->st, ax->rt);
	switch (u->cls.kind) {
	case KIND_FORM:
	case KIND_REPLY:
		if (replayed_signature(ax, u, mail_id, now, &replayed, err) != 0)
			return -1;
		if (replayed)
			return 0;
		if (caseflow_mail(&cf, u, m->from.addr, now, &cr, err) != 0)
			return -1;
		if (!cr.handled)
			return quarantine(ax, mail_id, cr.why, now, res, err);
		snprintf(res->case_ref, sizeof(res->case_ref), "%s", cr.case_ref);
		/* It changed something: the same signature again will not. */
		if (u->r.sig.verdict == PGP_GOOD && u->r.sig_id[0] != '\0' &&
		    store_signature_record(ax->st, u->r.sig_id, now->iso, mail_id,
		    u->cls.kind == KIND_FORM ? "form" : "reply", err) != 0)
			return -1;
		return store_mail_set_outcome(ax->st, mail_id, cr.case_ref, MAIL_APPLIED, NULL, err);
	case KIND_AUTOMATIC:
		/* Recorded, never answered: no loop with a vacation reply. */
		return store_mail_set_outcome(ax->st, mail_id, NULL, MAIL_AUTOMATIC, u->cls.reason,
		    err);
	case KIND_BOUNCE:
		if (m->report_msgid != NULL &&
		    store_case_by_notice(ax->st, m->report_msgid, &ref, err) != 0)
			return -1;
		rc = store_event_append(ax->st, now->iso, ref, "bounce", m->report_msgid ?
		    m->report_msgid : "(no original Message-ID)", mail_id, err) == 0 &&
		    store_digest_add(ax->st, now->iso, ref, "info", "secretary",
		    "a notice bounced", err) == 0 &&
		    store_mail_set_outcome(ax->st, mail_id, ref, MAIL_AUTOMATIC, "bounce",
		    err) == 0 ? 0 : -1;
		free(ref);
		return rc;
	case KIND_COMMAND:
		return commands_apply(&cf, u, mail_id, now, err);
	case KIND_UNKNOWN:
		break;
	}
	return quarantine(ax, mail_id, u->cls.reason, now, res, err);
}

/* Records the reading and acts on it, in the open transaction. A mail
 * clerk cannot apply (a data error in a workflow or a template) must not
 * stop the daemon: the transaction starts again and keeps it for a
 * person. On -1 the transaction is rolled back. */
static int
record_and_act(const struct apply_ctx *ax, struct store_mail *row, const struct understanding *u,
    int reread, const struct clock_now *now, struct apply_result *res, struct clerk_err *err)
{
	char why[400];

	if (record_mail(ax, row, u, reread, &res->mail_id, err) != 0)
		goto rollback;
	if (dispatch(ax, u, res->mail_id, now, res, err) == 0)
		return 0;
	store_rollback(ax->st);
	if (err->temporary)
		return -1;
	log_error(NULL, "mail-not-applied", "error=\"%s\"", err->msg);
	snprintf(why, sizeof(why), "clerk could not apply it: %.360s", err->msg);
	res->case_ref[0] = '\0';
	res->quarantined = 0;
	if (store_begin(ax->st, err) != 0)
		return -1;
	if (record_mail(ax, row, u, reread, &res->mail_id, err) != 0 ||
	    quarantine(ax, res->mail_id, why, now, res, err) != 0)
		goto rollback;
	return 0;
rollback:
	store_rollback(ax->st);
	return -1;
}

int
apply_mail(const struct apply_ctx *ax, const char *source, const struct intake_pos *pos,
    const char *raw, size_t len, const struct clock_now *now, struct apply_result *res,
    struct clerk_err *err)
{
	struct understand_ctx ux = { ax->cfg, ax->rt->wf, ax->rt->pgp, ax->rt->forms, ax->st,
	    &ax->rt->limits };
	struct understanding u;
	struct store_mail row;
	char sha[65], detail[300];
	enum mail_state state;
	int known = 0, rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&row, 0, sizeof(row));
	memset(&u, 0, sizeof(u));
	sha256_hex_of(raw, len, sha);
	row.source = source;
	row.uidvalidity = pos->uidvalidity;
	row.uid = pos->uid;
	row.source_name = pos->name;
	row.sha256 = sha;
	row.received = now->iso;
	row.raw = raw;
	row.raw_len = len;
	/* Known by its position: nothing to read again. */
	if (store_mail_lookup(ax->st, &row, &known, &res->mail_id, &state, err) != 0)
		return -1;
	if (!known && understand_mail(&ux, raw, len, &u, err) != 0)
		goto out;	/* what was read so far is freed there */
	if (store_begin(ax->st, err) != 0)
		goto out;
	if (!known) {
		row.message_id = u.r.outer ? u.r.outer->message_id : NULL;
		if (store_mail_lookup(ax->st, &row, &known, &res->mail_id, &state, err) != 0)
			goto rollback;
	}
	if (known) {
		/* Applied before: the caller only moves it. */
		res->already_known = 1;
		res->quarantined = state == MAIL_QUARANTINED;
		if (store_commit(ax->st, err) != 0)
			goto out;
		log_info(NULL, "mail-known", "mail=%lld sha256=%.16s", (long long)res->mail_id, sha);
		rc = 0;
		goto out;
	}
	fill_reading(&row, &u, res);
	if (record_and_act(ax, &row, &u, 0, now, res, err) != 0)
		goto out;
	/* Logged with the case the mail went to, a new one included. */
	snprintf(detail, sizeof(detail), "%s: %s; signature %s", res->kind, u.cls.reason,
	    pgp_verdict_name(u.r.sig.verdict));
	if (store_event_append(ax->st, now->iso, res->case_ref[0] ? res->case_ref : NULL, "mail",
	    detail, res->mail_id, err) != 0)
		goto rollback;
	if (store_commit(ax->st, err) != 0)
		goto out;
	log_info(res->case_ref[0] ? res->case_ref : NULL, "mail-applied",
	    "mail=%lld kind=%s quarantined=%d from=%s", (long long)res->mail_id, res->kind,
	    res->quarantined, row.from_addr ? row.from_addr : "-");
	rc = 0;
	goto out;
rollback:
	store_rollback(ax->st);
out:
	understanding_free(&u);
	return rc;
}

int
apply_reprocess(const struct apply_ctx *ax, int64_t mail_id, const struct clock_now *now,
    struct apply_result *res, struct clerk_err *err)
{
	struct understand_ctx ux = { ax->cfg, ax->rt->wf, ax->rt->pgp, ax->rt->forms, ax->st,
	    &ax->rt->limits };
	struct understanding u;
	struct store_mail_row old;
	struct store_mail row;
	char detail[600];
	void *raw = NULL;
	size_t len = 0;
	int found = 0, rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&row, 0, sizeof(row));
	memset(&u, 0, sizeof(u));
	res->mail_id = mail_id;
	if (store_mail_row_get(ax->st, mail_id, &old, &found, err) != 0)
		return -1;
	if (!found || old.state != MAIL_QUARANTINED || old.discarded) {
		err_set(err, ERR_FINAL, "mail %lld is not in the quarantine", (long long)mail_id);
		goto out;
	}
	if (store_mail_raw(ax->st, mail_id, &raw, &len, err) != 0 ||
	    understand_mail(&ux, raw, len, &u, err) != 0)
		goto out;
	if (store_begin(ax->st, err) != 0)
		goto out;
	fill_reading(&row, &u, res);
	if (record_and_act(ax, &row, &u, 1, now, res, err) != 0)
		goto out;
	if (res->quarantined)
		snprintf(detail, sizeof(detail), "%s: %s; signature %s; quarantined again",
		    res->kind, u.cls.reason, pgp_verdict_name(u.r.sig.verdict));
	else
		snprintf(detail, sizeof(detail), "%s: %s; signature %s; applied%s%s", res->kind,
		    u.cls.reason, pgp_verdict_name(u.r.sig.verdict),
		    res->case_ref[0] ? " to " : "", res->case_ref);
	if (store_event_append(ax->st, now->iso, res->case_ref[0] ? res->case_ref : NULL,
	    "mail-reprocessed", detail, mail_id, err) != 0) {
		store_rollback(ax->st);
		goto out;
	}
	if (store_commit(ax->st, err) != 0)
		goto out;
	log_info(res->case_ref[0] ? res->case_ref : NULL, "mail-reprocessed",
	    "mail=%lld kind=%s quarantined=%d", (long long)mail_id, res->kind, res->quarantined);
	rc = 0;
out:
	store_mail_row_clear(&old);
	understanding_free(&u);
	free(raw);
	return rc;
}
