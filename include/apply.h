/* The seam: a fetched mail becomes, in ONE store transaction, a mail row,
 * its attachments, the event log lines, the case changes and the outbox
 * rows with their signed bytes. The caller moves the mail out of the
 * mailbox only after this returns 0. */
#ifndef CLERK_APPLY_H
#define CLERK_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "error.h"
#include "intake.h"
#include "runtime.h"
#include "store.h"

struct apply_ctx {
	const struct config	*cfg;	/* all foreign */
	struct store		*st;
	struct runtime		*rt;
};

struct apply_result {
	int64_t	 mail_id;
	int	 already_known;	/* applied before (a crash, a UIDVALIDITY change) */
	int	 quarantined;	/* kept for the secretary */
	char	 kind[16];	/* form, reply, command, automatic, bounce, unknown */
	char	 case_ref[32];	/* the case it went to, or "" */
};

int apply_mail(const struct apply_ctx *ax, const char *source, const struct intake_pos *pos,
    const char *raw, size_t len, const struct clock_now *now, struct apply_result *res,
    struct clerk_err *err);

/* A quarantined mail read again with today's data, keys and workflows
 * (the operator mended what kept it out) and applied as a new mail would
 * be, in one transaction: applied to its case, or quarantined again with
 * the new reason. Event "mail-reprocessed". The copy in the mailbox's
 * quarantine folder is left where it is. Fails (permanent) when the mail
 * is not in the quarantine. */
int apply_reprocess(const struct apply_ctx *ax, int64_t mail_id, const struct clock_now *now,
    struct apply_result *res, struct clerk_err *err);

#endif
