/* One cycle of the daemon: intake, timers, outbox, digest, with "now" read
 * once by the caller. Shared by `clerkd --once` and the daemon loop. */
#ifndef CLERK_CYCLE_H
#define CLERK_CYCLE_H

#include "clock.h"
#include "config.h"
#include "error.h"
#include "intake.h"
#include "runtime.h"
#include "store.h"

struct cycle_stats {
	int	mails_seen;
	int	mails_applied;
	int	mails_quarantined;
	int	mails_known;		/* already applied before: only moved */
	int	timers_fired;
	int	cases_opened;	/* yearly cases */
	int	notices_sent;
};

struct cycle_ctx {
	const struct config	*cfg;		/* foreign */
	struct store		*st;		/* foreign */
	struct runtime		*rt;		/* foreign */
	const struct intake_ops	*intake_ops;
	struct intake		*intake;	/* owned; NULL until connected, dropped on error */
	volatile int		*stop;		/* foreign: SIGTERM sets it */
};

void cycle_init(struct cycle_ctx *cx, const struct config *cfg, struct store *st,
    struct runtime *rt, volatile int *stop);
/* Runs one cycle. A temporary failure of one part (the IMAP server away)
 * is logged and the other parts still run; -1 only when a part failed for
 * good, with err set. */
int cycle_run(struct cycle_ctx *cx, const struct clock_now *now, struct cycle_stats *stats,
    struct clerk_err *err);
/* Sleeps until mail may have arrived, the next timer is due, or `max_ms`. */
int cycle_wait(struct cycle_ctx *cx, const struct clock_now *now, long max_ms,
    struct clerk_err *err);
void cycle_close(struct cycle_ctx *cx);

#endif
