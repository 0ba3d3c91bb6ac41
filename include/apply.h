/* The seam: a fetched mail becomes, in ONE store transaction, a mail row,
 * its attachments, the event log lines, the case changes and the outbox
 * rows. The caller moves the mail out of the mailbox only after this
 * returns 0. */
#ifndef CLERK_APPLY_H
#define CLERK_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "error.h"
#include "intake.h"
#include "store.h"

struct apply_result {
	int64_t	 mail_id;
	int	 already_known;	/* applied before (a crash, a UIDVALIDITY change) */
	int	 quarantined;	/* kept for the secretary */
	char	 kind[16];	/* form, reply, command, automatic, bounce, unknown */
};

int apply_mail(const struct config *cfg, struct store *st, const char *source,
    const struct intake_pos *pos, const char *raw, size_t len, const struct clock_now *now,
    struct apply_result *res, struct clerk_err *err);

#endif
