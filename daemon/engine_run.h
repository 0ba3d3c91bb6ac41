/* The private side of the engine: one step in progress, shared by
 * engine.c (transitions, actions) and engine_timer.c (deadline arithmetic).
 * Not for use outside daemon/engine*.c. */
#ifndef CLERK_ENGINE_RUN_H
#define CLERK_ENGINE_RUN_H

#include "engine.h"
#include "expr.h"

struct run {
	const struct wf_set	*set;
	const struct profile	*profile;
	const struct workflow	*wf;
	struct wf_case		 work;	/* the case as the step goes */
	const struct wf_event	*ev;
	const struct wf_timer	*fired;	/* the timer this event is, or NULL */
	char			*evdesc;	/* "command approve" */
	struct cal_datetime	 at;	/* when the event happened */
	struct wf_step		*out;
	struct clerk_err	*err;
	int			 line;	/* of what is being done, for errors */
};

/* Fails the step with "file:line: message" (r->line). Returns -1. */
int	er_fail(struct run *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	er_eval(struct run *r, const struct expr *e, struct val *out);
int	er_eval_text(struct run *r, const struct expr *e, char **out);
/* A NULL expression is true. */
int	er_eval_truth(struct run *r, const struct expr *e, int *out);
int	er_same_timer(const struct wf_timer *a, enum wf_timer_kind kind,
	    const char *name, int seq);
/* Records a timer change and applies it to the working case. */
void	er_record_timer(struct run *r, enum wf_timer_op op,
	    const struct wf_timer *t, const char *why);
/* Removes every timer of deadline `name` (every timer when NULL); with
 * keep_deadline only its reminders and escalation. */
void	er_clear_timers(struct run *r, const char *name, int keep_deadline,
	    const char *why);

/* engine_timer.c: the `deadline` and `extend` actions. */
int	er_deadline(struct run *r, const struct wf_action *a);
int	er_extend(struct run *r, const struct wf_action *a);

#endif
