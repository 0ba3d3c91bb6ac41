/* The daily digest: once a day at [digest] hour (local), one signed notice
 * "digest" to each role of [digest] recipients, in that officer's language:
 * new cases since the last digest, cases waiting for a decision, deadlines
 * in the next 7 days and overdue ones, unpaid dues, quarantined mails,
 * failed deliveries, mails with bad or unknown signatures, refused
 * commands, and the workflows' own digest items. Each line names its case
 * and the command that would act on it, so that answering the digest with
 * commands works. With [digest] per_officer each recipient gets only the
 * lines for their role (the secretary also those of roles that get no
 * digest). A day with nothing sends nothing unless [digest] send_empty.
 *
 * daemon/digest_build.c builds and renders (reads the store, no notice);
 * daemon/digest.c decides when, queues the notices and marks the items
 * sent, in one transaction. */
#ifndef CLERK_DIGEST_H
#define CLERK_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "caseflow.h"
#include "clock.h"
#include "error.h"
#include "tvars.h"

/* Deadlines this many days ahead are listed as upcoming. */
#define DIGEST_UPCOMING_DAYS	7

/* The digest items a built digest took, to be marked sent. */
struct digest_marks {
	struct {
		char	*role;		/* owned */
		int64_t	 last_id;
	}		*v;		/* owned */
	size_t		 n, cap;
};
void digest_marks_free(struct digest_marks *m);

/* What one recipient gets. */
struct digest_for {
	const char	*role;		/* the recipient's role */
	const char	*lang;		/* language of the lines' dates and amounts */
	int		 only_own;	/* per_officer: only this role's lines */
};

/* The start of the period the digest covers: the time of the last digest,
 * else a day before now. Caller frees. */
int digest_since(struct caseflow *cf, const struct clock_now *now, char **since,
    struct clerk_err *err);

/* Fills `tv` with every variable of the digest template for `df` (lists
 * set, empty or not); *count is the number of lines, `marks` (may be NULL)
 * gets the items used. Reads the store; writes nothing. */
int digest_build(struct caseflow *cf, const struct clock_now *now, const char *since,
    const struct digest_for *df, struct tvars *tv, int *count, struct digest_marks *marks,
    struct clerk_err *err);

/* Calls fn for each recipient, in [digest] recipients order (a role
 * without a configured officer is skipped); stops at the first -1. */
int digest_each_recipient(struct caseflow *cf, int (*fn)(void *arg,
    const struct config_officer *o, const struct digest_for *df), void *arg);

/* Renders the digest every recipient would get now, without queueing or
 * marking anything: "To: role <address> (lang, N lines)", the subject and
 * the body, for each. */
int digest_preview(struct caseflow *cf, const struct clock_now *now, struct buf *out,
    struct clerk_err *err);

/* Called once per cycle. At or after [digest] hour on a day without a
 * digest yet (store meta "digest.last" = YYYY-MM-DD), or at once with
 * `force`: builds and queues the digests, marks their items sent and
 * records the day and time, in one transaction. *queued (may be NULL)
 * counts the notices queued. */
int digest_run(struct caseflow *cf, const struct clock_now *now, int force, int *queued,
    struct clerk_err *err);

#endif
