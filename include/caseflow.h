/* Running cases: the edge between the pure engine and the world. It loads
 * a case from the store, builds the event's facts (form fields, signature,
 * attachments, the person's standing), asks engine_step or engine_open,
 * and writes what the step says (state, variables, timers, the event log
 * with every `from -> to`, member changes, linked cases, digest items,
 * notices queued with their signed bytes) into the caller's transaction. */
#ifndef CLERK_CASEFLOW_H
#define CLERK_CASEFLOW_H

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "engine.h"
#include "error.h"
#include "forms.h"
#include "notice.h"
#include "openpgp.h"
#include "runtime.h"
#include "store.h"
#include "template.h"
#include "understand.h"
#include "workflow.h"

struct caseflow {
	const struct config		*cfg;	/* all foreign */
	struct store			*st;
	const struct wf_set		*wf;
	const struct template_set	*tpl;
	struct openpgp			*pgp;
	const struct forms_table	*forms;
	const char			*public_key;	/* the association's, armored */
	size_t				 public_key_len;
};

void caseflow_init(struct caseflow *cf, const struct config *cfg, struct store *st,
    const struct runtime *rt);
/* The context notices of this run are queued with. */
void caseflow_notice_ctx(const struct caseflow *cf, struct notice_ctx *nx);

/* What became of a mail or a command. */
struct caseflow_result {
	int	 handled;		/* a case took it (opened or stepped) */
	char	 case_ref[32];		/* that case */
	char	 why[256];		/* when not handled: why (for the digest) */
};

/* A form or a reply (u->cls.kind FORM or REPLY). Inside the caller's
 * transaction. Not handled (why set) when no workflow takes it. */
int caseflow_mail(struct caseflow *cf, const struct understanding *u, const char *from,
    const struct clock_now *now, struct caseflow_result *res, struct clerk_err *err);

/* An officer command on a case (args[0] is the case reference). Inside the
 * caller's transaction. Not handled (why set) when the case is unknown or
 * the command does not apply in its state. */
int caseflow_command(struct caseflow *cf, const char *officer_role, const char *verb,
    const char *const *args, size_t nargs, const struct clock_now *now,
    struct caseflow_result *res, struct clerk_err *err);

/* Every due event up to `now`, timers and yearly openings (`open every
 * year on ...`) alike, in the order of their due times, as if each had
 * happened on time: after downtime an opening never comes before a timer
 * that fell due earlier. One transaction per timer, and per workflow and
 * day of openings, so a crash repeats none. The history records when
 * each was due and when it fired ("timer", "yearly" events). */
int caseflow_run_due(struct caseflow *cf, const struct clock_now *now, int *opened, int *fired,
    struct clerk_err *err);

#endif
