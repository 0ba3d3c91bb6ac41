/* One cycle: finish interrupted moves, take in new mail (one transaction
 * per mail, then the move), fire due timers, send the outbox. */
#include "cycle.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "caseflow.h"
#include "digest.h"
#include "log.h"
#include "notice.h"
#include "outbox.h"
#include "xmalloc.h"

void
cycle_init(struct cycle_ctx *cx, const struct config *cfg, struct store *st, struct runtime *rt,
    volatile int *stop)
{
	memset(cx, 0, sizeof(*cx));
	cx->cfg = cfg;
	cx->st = st;
	cx->rt = rt;
	cx->stop = stop;
	cx->intake_ops = intake_ops_for(cfg);
}

static void
drop_intake(struct cycle_ctx *cx)
{
	if (cx->intake != NULL)
		cx->intake_ops->close(cx->intake);
	cx->intake = NULL;
}

static int
connect_intake(struct cycle_ctx *cx, struct clerk_err *err)
{
	if (cx->intake != NULL)
		return 0;
	if (cx->intake_ops->open(cx->cfg, &cx->intake, err) != 0) {
		cx->intake = NULL;
		return -1;
	}
	return 0;
}

struct move_arg {
	struct cycle_ctx	*cx;
	struct clerk_err	*err;
	int			 failed;
};

/* A mail committed before a crash but not moved: move it now. */
static int
finish_move(void *arg, int64_t mail_id, int64_t uidvalidity, int64_t uid, const char *name,
    enum mail_state state)
{
	struct move_arg *ma = arg;
	struct intake_pos pos = { uidvalidity, uid, (char *)name };
	enum intake_dest dest = state == MAIL_QUARANTINED ? INTAKE_TO_QUARANTINE :
	    INTAKE_TO_PROCESSED;

	if (ma->cx->intake_ops->move(ma->cx->intake, &pos, dest, ma->err) != 0 ||
	    store_mail_set_moved(ma->cx->st, mail_id, ma->err) != 0) {
		ma->failed = 1;
		return -1;
	}
	log_info(NULL, "mail-moved", "mail=%lld after=restart", (long long)mail_id);
	return 0;
}

static int
take_one(struct cycle_ctx *cx, const struct clock_now *now, const struct intake_pos *pos,
    struct cycle_stats *stats, struct clerk_err *err)
{
	struct apply_ctx ax = { cx->cfg, cx->st, cx->rt };
	struct buf raw = BUF_INIT;
	struct apply_result res;
	int rc = -1;

	memset(&res, 0, sizeof(res));
	if (cx->intake_ops->fetch(cx->intake, pos, &raw, err) != 0)
		goto out;
	stats->mails_seen++;
	if (apply_mail(&ax, cx->intake_ops->source(cx->intake), pos, raw.data ? raw.data : "",
	    raw.len, now, &res, err) != 0)
		goto out;
	if (res.already_known)
		stats->mails_known++;
	else if (res.quarantined)
		stats->mails_quarantined++;
	else
		stats->mails_applied++;
	/* Test hook: die in the window between the commit and the move. */
	if (!res.already_known && getenv("CLERK_TEST_CRASH_AFTER_COMMIT") != NULL)
		raise(SIGKILL);
	/* The effects are committed; only now does the mail leave the mailbox. */
	if (cx->intake_ops->move(cx->intake, pos, res.quarantined ? INTAKE_TO_QUARANTINE :
	    INTAKE_TO_PROCESSED, err) != 0)
		goto out;
	if (store_mail_set_moved(cx->st, res.mail_id, err) != 0)
		goto out;
	rc = 0;
out:
	buf_free(&raw);
	return rc;
}

static int
run_intake(struct cycle_ctx *cx, const struct clock_now *now, struct cycle_stats *stats,
    struct clerk_err *err)
{
	struct intake_pos *pos = NULL;
	struct move_arg ma = { cx, err, 0 };
	size_t n = 0;
	int rc = -1;

	if (connect_intake(cx, err) != 0)
		return -1;
	if (store_mail_pending_moves(cx->st, cx->intake_ops->source(cx->intake), finish_move,
	    &ma, err) != 0)
		goto out;
	if (cx->intake_ops->list(cx->intake, &pos, &n, err) != 0)
		goto out;
	for (size_t i = 0; i < n && !*cx->stop; i++)
		if (take_one(cx, now, &pos[i], stats, err) != 0)
			goto out;
	rc = 0;
out:
	intake_pos_free_all(pos, n);
	if (rc != 0 && err->temporary)
		drop_intake(cx);
	return rc;
}

int
cycle_run(struct cycle_ctx *cx, const struct clock_now *now, struct cycle_stats *stats,
    struct clerk_err *err)
{
	struct caseflow cf;

	caseflow_init(&cf, cx->cfg, cx->st, cx->rt);
	memset(stats, 0, sizeof(*stats));
	if (run_intake(cx, now, stats, err) != 0) {
		if (!err->temporary)
			return -1;
		log_warn(NULL, "intake-unavailable", "error=\"%s\"", err->msg);
		err_clear(err);
	}
	/* Every timer and yearly opening due by now (invoices on the
	 * profile's date), once each, in due-time order, also after downtime. */
	if (caseflow_run_due(&cf, now, &stats->cases_opened, &stats->timers_fired, err) != 0) {
		if (!err->temporary)
			return -1;
		log_warn(NULL, "timers-delayed", "error=\"%s\"", err->msg);
		err_clear(err);
	}
	/* The daily digest, at its hour, once a day; a temporary failure is
	 * tried again next cycle (the day counts as done only on commit). */
	if (digest_run(&cf, now, 0, NULL, err) != 0) {
		if (!err->temporary)
			return -1;
		err_clear(err);
	}
	/* Held notices (signing failed) are signed as soon as it works again. */
	{
		struct notice_ctx nx;
		struct notice_release_stats rs;

		caseflow_notice_ctx(&cf, &nx);
		/* A row that cannot be mended fails on its own (digest); what
		 * is left is the store's trouble: the next cycle tries again. */
		if (notice_release_held(&nx, now, 0, &rs, err) != 0) {
			log_warn(NULL, "release-delayed", "error=\"%s\"", err->msg);
			err_clear(err);
		}
	}
	/* Notices leave only now, after the transactions that made them. */
	if (outbox_run(cx->cfg, cx->st, now, cx->stop, &stats->notices_sent, err) != 0) {
		log_warn(NULL, "outbox-delayed", "error=\"%s\"", err->msg);
		err_clear(err);
	}
	log_info(NULL, "cycle", "now=%s mails=%d applied=%d quarantined=%d known=%d timers=%d "
	    "sent=%d", now->iso, stats->mails_seen, stats->mails_applied,
	    stats->mails_quarantined, stats->mails_known, stats->timers_fired,
	    stats->notices_sent);
	return 0;
}

int
cycle_wait(struct cycle_ctx *cx, const struct clock_now *now, long max_ms, struct clerk_err *err)
{
	char *next = NULL;
	long wait_ms = max_ms;
	int rc;

	if (store_timer_next(cx->st, &next, err) != 0)
		return -1;
	if (next != NULL) {
		struct cal_datetime due;
		struct clerk_err ignore;

		if (cal_datetime_parse(next, &due, &ignore) == 0) {
			long secs = (cal_date_to_days(due.date) - cal_date_to_days(now->local.date)) *
			    86400L + (due.hour - now->local.hour) * 3600L +
			    (due.minute - now->local.minute) * 60L + (due.second - now->local.second);

			if (secs < 0)
				secs = 0;
			if (secs * 1000 < wait_ms)
				wait_ms = secs * 1000;
		}
		free(next);
	}
	{
		/* The next digest hour, local time. */
		long secs = ((cx->cfg->digest.hour - now->local.hour + 24) % 24) * 3600L -
		    now->local.minute * 60L - now->local.second;

		if (secs <= 0)
			secs += 24 * 3600L;
		if (secs * 1000 < wait_ms)
			wait_ms = secs * 1000;
	}
	{
		long out_ms = -1;

		if (outbox_next_due(cx->st, now, &out_ms, err) != 0)
			return -1;
		if (out_ms >= 0 && out_ms < wait_ms)
			wait_ms = out_ms;
	}
	if (connect_intake(cx, err) != 0)
		return -1;
	rc = cx->intake_ops->wait(cx->intake, wait_ms, cx->stop, err);
	if (rc < 0 && err->temporary)
		drop_intake(cx);
	return rc;
}

void
cycle_close(struct cycle_ctx *cx)
{
	drop_intake(cx);
}
