/* Erasure on request (GDPR art. 17; DOMAIN.md section 8, Coniugium 2.b):
 * what clerk holds about one person is erased except what the law or a
 * running procedure needs, and each exception is said and recorded.
 *
 * Kept, with the reason:
 *   - an open case (an application under review, dues owed, a complaint:
 *     NTP §1.34 lets it continue after resignation); erase again later;
 *   - a closed case of a workflow that says `retain D` (dues: bookkeeping
 *     law, profile [records] accounts) until D after it closed;
 *   - the member record while the membership runs (status active);
 *   - copies outside the store: the mailbox folders clerk moved the mails
 *     to, and the person's public key in the association's key ring.
 * Erased: the rest (store_erase.h says how). The event log keeps when and
 * what happened; an erased event's detail reads "[erased]". One event
 * "erasure" records the request by a hash of the address (so that "was X
 * erased?" can be answered when asked with X) and every exception, and the
 * secretary's digest says it was done. */
#ifndef CLERK_ERASE_H
#define CLERK_ERASE_H

#include "buf.h"
#include "calendar.h"
#include "clock.h"
#include "error.h"
#include "store.h"
#include "store_digest.h"
#include "workflow.h"

/* Pure: whether a case must be kept, and why (into `why`), on `today`.
 * `wf` may be NULL (a workflow no longer loaded: kept while open). */
int erase_keeps_case(const struct workflow *wf, const struct store_case_row *c,
    struct cal_date today, struct buf *why);

struct erase_report {
	struct buf	 text;		/* owned: one line per thing done or kept */
	long		 cases, mails, notices, events, kept;
	int		 member;	/* the member record was erased */
};

/* Erases what is held about `email` inside the caller's transaction
 * (rolling it back makes a dry run). `reason` (may be NULL) is recorded. */
int erase_person(struct store *st, const struct wf_set *wf, const char *email,
    const char *reason, const struct clock_now *now, struct erase_report *rep,
    struct clerk_err *err);
void erase_report_free(struct erase_report *rep);

#endif
