/* Applying one inbound mail inside one transaction. */
#include "apply.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "mail.h"
#include "sha256.h"

/* Records a mail clerk cannot act on: kept whole, shown to the secretary. */
static int
record(struct store *st, struct store_mail *row, const char *event, const char *detail,
    const struct clock_now *now, int64_t *mail_id, struct clerk_err *err)
{
	if (store_mail_insert(st, row, mail_id, err) != 0)
		return -1;
	return store_event_append(st, now->iso, row->case_ref, event, detail, *mail_id, err);
}

int
apply_mail(const struct config *cfg, struct store *st, const char *source,
    const struct intake_pos *pos, const char *raw, size_t len, const struct clock_now *now,
    struct apply_result *res, struct clerk_err *err)
{
	struct mail_limits lim;
	struct mail *m = NULL;
	struct store_mail row;
	struct clerk_err perr;
	char sha[65], detail[600];
	enum mail_state state;
	int known = 0, rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&row, 0, sizeof(row));
	sha256_hex_of(raw, len, sha);
	mail_limits_default(&lim);
	lim.max_size = cfg->limits.max_mail_bytes;
	lim.max_parts = (size_t)cfg->limits.max_parts;
	lim.max_depth = (size_t)cfg->limits.max_depth;
	err_clear(&perr);
	if (mail_parse_isolated(raw, len, &lim, &m, &perr) != 0 && perr.temporary) {
		*err = perr;
		return -1;
	}
	row.source = source;
	row.uidvalidity = pos->uidvalidity;
	row.uid = pos->uid;
	row.source_name = pos->name;
	row.message_id = m ? m->message_id : NULL;
	row.sha256 = sha;
	row.received = now->iso;
	row.raw = raw;
	row.raw_len = len;
	if (m != NULL) {
		row.from_addr = m->from.addr;
		row.subject = m->subject;
	}
	if (store_begin(st, err) != 0)
		goto out;
	if (store_mail_lookup(st, &row, &known, &res->mail_id, &state, err) != 0)
		goto rollback;
	if (known) {
		/* Applied before: the caller only moves it. */
		res->already_known = 1;
		res->quarantined = state == MAIL_QUARANTINED;
		if (store_commit(st, err) != 0)
			goto out;
		log_info(NULL, "mail-known", "mail=%lld sha256=%.16s", (long long)res->mail_id, sha);
		rc = 0;
		goto out;
	}
	row.state = MAIL_QUARANTINED;
	row.kind = "unknown";
	if (m == NULL) {
		row.note = perr.msg;
		snprintf(detail, sizeof(detail), "unreadable: %s", perr.msg);
	} else {
		row.note = "no workflow understands this mail";
		snprintf(detail, sizeof(detail), "unknown: %s", row.note);
	}
	if (record(st, &row, "mail-quarantined", detail, now, &res->mail_id, err) != 0)
		goto rollback;
	if (store_commit(st, err) != 0)
		goto out;
	res->quarantined = 1;
	snprintf(res->kind, sizeof(res->kind), "%s", row.kind);
	log_info(NULL, "mail-quarantined", "mail=%lld sha256=%.16s", (long long)res->mail_id, sha);
	rc = 0;
	goto out;
rollback:
	store_rollback(st);
out:
	mail_free(m);
	return rc;
}
