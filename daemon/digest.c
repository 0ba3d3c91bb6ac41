/* Sending the digest: when, the notices, and marking what was reported. */
#include "digest.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notice.h"
#include "xmalloc.h"

struct run {
	struct caseflow		*cf;
	const struct clock_now	*now;
	const char		*since;
	struct digest_marks	 marks;		/* items of every digest queued */
	int			 queued;
	struct clerk_err	*err;
};

static int
run_one(void *arg, const struct config_officer *o, const struct digest_for *df)
{
	struct run *r = arg;
	struct notice_ctx nx;
	struct digest_marks mine = { NULL, 0, 0 };
	struct tvars tv = TVARS_INIT;
	struct notice_req req;
	char *msgid = NULL;
	int count = 0, rc = -1;

	caseflow_notice_ctx(r->cf, &nx);
	if (digest_build(r->cf, r->now, r->since, df, &tv, &count, &mine, r->err) != 0)
		goto out;
	if (count == 0 && !r->cf->cfg->digest.send_empty) {
		log_info(NULL, "digest-empty", "role=%s", o->role);
		rc = 0;
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.template = "digest";
	req.to = o->email;
	req.lang = o->language;
	req.vars = &tv;
	req.kind = NOTICE_GENERATED;
	if (notice_queue(&nx, &req, r->now, &msgid, r->err) != 0) {
		err_prefix(r->err, "digest to the %s", o->role);
		goto out;
	}
	for (size_t i = 0; i < mine.n; i++) {
		size_t k;

		for (k = 0; k < r->marks.n; k++)
			if (strcmp(r->marks.v[k].role, mine.v[i].role) == 0)
				break;
		if (k == r->marks.n) {
			r->marks.v = xgrow(r->marks.v, &r->marks.cap, k + 1, sizeof(*r->marks.v));
			r->marks.v[k].role = xstrdup(mine.v[i].role);
			r->marks.v[k].last_id = 0;
			r->marks.n++;
		}
		if (mine.v[i].last_id > r->marks.v[k].last_id)
			r->marks.v[k].last_id = mine.v[i].last_id;
	}
	r->queued++;
	log_info(NULL, "digest-queued", "role=%s to=%s lines=%d message-id=%s", o->role, o->email,
	    count, msgid ? msgid : "-");
	rc = 0;
out:
	free(msgid);
	digest_marks_free(&mine);
	tvars_free(&tv);
	return rc;
}

int
digest_run(struct caseflow *cf, const struct clock_now *now, int force, int *queued,
    struct clerk_err *err)
{
	struct run r;
	char today[CAL_DATE_BUFSZ], *last = NULL, *since = NULL;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	if (queued != NULL)
		*queued = 0;
	cal_date_format(now->local.date, today);
	if (!force) {
		if (now->local.hour < cf->cfg->digest.hour)
			return 0;
		if (store_meta_get(cf->st, "digest.last", &last, err) != 0)
			return -1;
		/* Once a day; a clock set back does not send it twice. */
		if (last != NULL && strcmp(last, today) >= 0) {
			free(last);
			return 0;
		}
		free(last);
	}
	if (store_begin(cf->st, err) != 0)
		return -1;
	if (digest_since(cf, now, &since, err) != 0)
		goto rollback;
	r.cf = cf;
	r.now = now;
	r.since = since;
	r.err = err;
	if (digest_each_recipient(cf, run_one, &r) != 0)
		goto rollback;
	for (size_t i = 0; i < r.marks.n; i++)
		if (store_digest_mark_sent(cf->st, r.marks.v[i].role, r.marks.v[i].last_id,
		    now->iso, err) != 0)
			goto rollback;
	if (store_meta_set(cf->st, "digest.last", today, err) != 0 ||
	    store_meta_set(cf->st, "digest.last_at", now->iso, err) != 0)
		goto rollback;
	if (store_commit(cf->st, err) != 0)
		goto out;
	log_info(NULL, "digest", "day=%s since=%s queued=%d", today, since, r.queued);
	if (queued != NULL)
		*queued = r.queued;
	rc = 0;
	goto out;
rollback:
	store_rollback(cf->st);
	log_error(NULL, "digest-failed", "error=\"%.300s\"", err->msg);
out:
	digest_marks_free(&r.marks);
	free(since);
	return rc;
}
