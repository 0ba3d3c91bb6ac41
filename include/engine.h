/* The workflow engine: a pure function from (definition, case, event, now)
 * to (new state, variable changes, timer changes, actions for the caller).
 * No I/O, no clock: the caller reads "now" once per cycle, carries out the
 * actions (notices, member changes, new cases, digest lines) and stores
 * the result in the same transaction as the event that caused it.
 *
 * Time. Every date-time is local civil time in the association's zone.
 * A deadline is a DATE: it is met by anything that happens on that day.
 * Its timer fires at the start of the next day, at the profile's
 * [calendar] fire_hour (so "due 15 March" fires 16 March at fire_hour:00).
 * A reminder with lead L fires on (deadline date - L) at fire_hour; an
 * escalation E fires like a deadline of date (deadline date + E). A
 * deadline written `working-day` moves to the next working day when the
 * profile says [calendar] move_deadlines = yes; reminders and escalations
 * count from the moved date. Reminders whose time is not after the event
 * that set the deadline are skipped.
 *
 * "now" in expressions is the day the event happened (ev->at; for a
 * fired timer, the day it fell due), so that timers fired late after a
 * downtime compute exactly what they would have computed on time; ev->at
 * left zero means `now`. Durations count from that moment too, unless the
 * deadline says `from <date>`. */
#ifndef CLERK_ENGINE_H
#define CLERK_ENGINE_H

#include <stddef.h>

#include "calendar.h"
#include "error.h"
#include "profile.h"
#include "workflow.h"

struct wf_kv {
	char	*name;		/* owned */
	char	*value;		/* owned */
};

enum wf_timer_kind {
	WF_TIMER_DEADLINE,
	WF_TIMER_REMIND,
	WF_TIMER_ESCALATE,
};

/* A timer of a case. Its identity within the case is (kind, name, seq). */
struct wf_timer {
	enum wf_timer_kind kind;
	char		*name;		/* owned: the deadline's name */
	int		 seq;		/* REMIND: the lead's place in date order
					 * among all the deadline's leads, from 1
					 * (a skipped lead keeps its number); else 0 */
	struct cal_datetime due;	/* when it fires */
	struct cal_date	 date;		/* the deadline's date (for every kind) */
	int		 fired;		/* fired and kept until cleared */
	/* DEADLINE only: what `extend` needs to move it with its reminders */
	int		 working_day;
	char		*leads;		/* owned, may be NULL: "30d,7d" */
	int		 has_escalate;
	struct cal_duration escalate;
};

/* A case as the engine sees it. All strings owned (wf_case_free). */
struct wf_case {
	char		*ref;		/* FGT-2026-0042 */
	char		*workflow;
	char		*state;		/* a state of the workflow */
	struct cal_date	 opened;
	struct wf_kv	*vars;		/* case variables */
	size_t		 nvars;
	struct wf_timer	*timers;
	size_t		 ntimers;
};

/* What happened. Everything is borrowed from the caller.
 *
 * Facts (event.<name>) are the caller's findings, as text (see
 * workflows/vocabulary): form fields by canonical name, the signature
 * verdict, attachment counts (attachments.scan ...), amounts in minor
 * units, and for every event the person's standing (owed, ...). A fact the
 * event lacks reads "". For commands, args are the words after the verb:
 * args[0] is the case or member, event.args[1] the next word. For a timer
 * event (wf_event_for_timer) event.deadline is the deadline's date and
 * event.n the reminder's number. */
struct wf_event {
	enum wf_event_kind kind;	/* FORM, REPLY, COMMAND, TIMER, REMIND,
					 * ESCALATE; engine_open also YEARLY, OPEN */
	const char	*name;		/* form, verb, deadline name, parent workflow */
	const struct wf_kv *facts;
	size_t		 nfacts;
	const char *const *args;
	size_t		 nargs;
	struct cal_datetime at;		/* when it happened; all zero: now */
	int		 seq;		/* REMIND: which reminder */
};

enum wf_result {
	WF_APPLIED,		/* a transition was taken */
	WF_NOT_APPLICABLE,	/* nothing in this state answers the event */
};

enum wf_timer_op {
	WF_TIMER_SET,		/* add, or replace the timer of that identity */
	WF_TIMER_FIRE,		/* mark it fired (kept for `extend`) */
	WF_TIMER_CLEAR,		/* remove it */
};

struct wf_timer_change {
	enum wf_timer_op op;
	struct wf_timer	 timer;		/* owned contents */
	const char	*why;		/* static: "deadline", "fired", "cleared",
					 * "replaced", "extended", "final" */
};

/* An action for the caller to carry out, in order. */
struct wf_out {
	enum wf_action_kind kind;	/* SEND, MEMBER_STATUS, MEMBER_CATEGORY,
					 * OPEN, DECISION, DIGEST */
	char		*role;		/* owned: SEND */
	char		*name;		/* owned: SEND template, OPEN workflow,
					 * DIGEST item kind */
	char		*value;		/* owned: MEMBER_* value, DECISION text,
					 * DIGEST text (may be NULL) */
	struct wf_kv	*with;		/* owned: OPEN initial variables */
	size_t		 nwith;
	int		 line;		/* where the workflow says so */
};

/* One state change, recorded by the single function that makes them. */
struct wf_move {
	char		*from;		/* owned; NULL when the case opens */
	char		*to;		/* owned */
	char		*event;		/* owned: "command approve", "timer due" */
	int		 line;		/* the transition's line */
};

struct wf_step {
	enum wf_result	 result;
	char		*why;		/* owned: for NOT_APPLICABLE, the reason */
	char		*state;		/* owned: the state after the step */
	int		 closed;	/* that state is final */
	struct wf_kv	*vars;		/* owned: variable changes, in order */
	size_t		 nvars;
	struct wf_timer_change *timers;	/* owned: timer changes, in order */
	size_t		 ntimers;
	struct wf_out	*out;		/* owned: actions, in order */
	size_t		 nout;
	struct wf_move	*moves;		/* owned: state changes, in order */
	size_t		 nmoves;
};

/* Applies `ev` to `case_in`. Returns 0 and fills *out (free it with
 * wf_step_free) or -1 with err when the data fails at run time (an
 * expression error, a date out of range, an enter loop): err names the
 * workflow file and line, and *out is left empty. A firing timer is marked
 * fired in out->timers even when the result is WF_NOT_APPLICABLE; nothing
 * else changes then. */
int	engine_step(const struct wf_set *set, const struct profile *profile,
	    const struct wf_case *case_in, const struct wf_event *ev,
	    struct cal_datetime now, struct wf_step *out, struct clerk_err *err);

/* Starts a case of `workflow` (reference `ref`) for a trigger: a form, a
 * command, a yearly date (kind YEARLY, name = the workflow) or another
 * case's `open` action (kind OPEN, name = the parent's workflow; `with`
 * are the action's initial variables). WF_NOT_APPLICABLE when no opener of
 * the workflow matches or its guard is false. out->moves[0].from is NULL. */
int	engine_open(const struct wf_set *set, const struct profile *profile,
	    const char *workflow, const char *ref, const struct wf_event *trigger,
	    const struct wf_kv *with, size_t nwith, struct cal_datetime now,
	    struct wf_step *out, struct clerk_err *err);

void	wf_step_free(struct wf_step *s);

/* The timers of c not yet fired and due at or before `now`, in firing
 * order (due time, then name, kind and number). *out is an allocated array
 * of pointers into c->timers (free the array). Fire the first, apply its
 * step, and ask again: a step may clear or add timers. */
size_t	engine_timers_due(const struct wf_case *c, struct cal_datetime now,
	    const struct wf_timer ***out);
/* The event that a timer's firing is (name and kind borrowed from t). */
void	wf_event_for_timer(const struct wf_timer *t, struct wf_event *ev);
/* The yearly openers due in (after, until]: fn once per workflow and day,
 * in date order. The caller opens one case per member with engine_open. */
void	engine_yearly_due(const struct wf_set *set, struct cal_date after,
	    struct cal_date until, void (*fn)(void *arg, const struct workflow *wf,
	    struct cal_date day), void *arg);

/* The case as the step leaves it: state, variables and timers updated. */
void	wf_case_apply(struct wf_case *c, const struct wf_step *s);
void	wf_case_init(struct wf_case *c, const char *ref, const char *workflow,
	    const char *state, struct cal_date opened);
void	wf_case_free(struct wf_case *c);
void	wf_case_set_var(struct wf_case *c, const char *name, const char *value);
/* NULL when never set. */
const char *wf_case_var(const struct wf_case *c, const char *name);
/* Copies t into the case, replacing a timer of the same identity. */
void	wf_case_put_timer(struct wf_case *c, const struct wf_timer *t);
/* The date of deadline `name` (pending or fired): 0, or -1 when none. */
int	wf_case_deadline(const struct wf_case *c, const char *name,
	    struct cal_date *date);

void	wf_timer_copy(struct wf_timer *dst, const struct wf_timer *src);
void	wf_timer_clear(struct wf_timer *t);
/* The timer's identity as one word: "complete", "complete/remind/2",
 * "complete/escalate". Caller frees. */
char	*wf_timer_key(const struct wf_timer *t);
/* One line holding the whole timer, and back, for storage:
 * "remind complete 2 due=2026-03-08T08:00:00 date=2026-03-15 fired=0
 *  wd=1 leads=7d,1d esc=7d". */
char	*wf_timer_to_text(const struct wf_timer *t);
int	wf_timer_from_text(const char *text, struct wf_timer *out,
	    struct clerk_err *err);

#endif
