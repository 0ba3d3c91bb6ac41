/* Officer commands (shared FORMS.md "Officer commands"), by signed mail and
 * by clerkctl, through one code path: the edge half (daemon/commands.c),
 * over the pure half in commands_parse.h. It checks a command mail (a good
 * signature by the officer's pinned key, recent by its own creation time,
 * counted once by Message-ID and by signature), runs each line of what the
 * signature covers on its case through caseflow_command inside the
 * caller's transaction, and answers with one signed receipt (or one signed
 * refusal). */
#ifndef CLERK_COMMANDS_H
#define CLERK_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "caseflow.h"
#include "clock.h"
#include "commands_parse.h"
#include "config.h"
#include "error.h"
#include "understand.h"
#include "workflow.h"

/* At most this many commands are run from one mail; the rest are listed
 * as not done. */
#define COMMANDS_MAX_PER_MAIL	50

/* ---- edges ---- */

/* The consistency of the command table with its answerers, for `clerkctl
 * check`: every verb the table gives to the command module has a handler
 * there (and the other way round), every workflow verb is in the
 * vocabulary, every vocabulary verb is in the table. Appends the offered
 * and not offered verbs to `out` and each problem, one line, to `diag`;
 * -1 when there is one. */
int commands_check(const struct wf_set *set, struct buf *out, struct buf *diag);

/* What running commands produced: the receipt's lines. */
struct command_report {
	char	**lines;	/* owned, each owned */
	size_t	  n, cap;
	int	  done, not_done;
};

void command_report_free(struct command_report *r);

/* Runs one command as `role` (whose configured verbs are `configured`,
 * may be NULL) inside the caller's transaction, in a savepoint of its own:
 * a permanent failure of this one command is undone and reported as not
 * done, the others stand. Appends its lines to `rep`. Events: "command"
 * (ROLE: LINE) on the case before what the workflow did, or
 * "command-not-done" (ROLE: LINE: why). `mail_id` is the command mail, or
 * 0 from clerkctl. -1 only for a temporary failure or a store failure
 * (the caller rolls the whole transaction back). */
int commands_execute(struct caseflow *cf, const char *role, const char *configured,
    const struct command *c, int64_t mail_id, const struct clock_now *now,
    struct command_report *rep, struct clerk_err *err);

/* A mail classified KIND_COMMAND, inside apply's transaction: refused
 * (signature not good by the officer's pinned key, Message-ID seen
 * before, Date missing or more than [limits] command_max_age_hours away
 * from now) with one signed command_refused notice, a "command-refused"
 * event and a digest item; else every command line is run, the
 * Message-ID recorded and one signed command_receipt queued. Sets the
 * mail's outcome. */
int commands_apply(struct caseflow *cf, const struct understanding *u, int64_t mail_id,
    const struct clock_now *now, struct clerk_err *err);

#endif
