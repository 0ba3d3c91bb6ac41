/* The workflow engine: one event applied to one case, purely. Every state
 * change goes through enter_state_record(), which records `from -> to` by
 * name with the event that caused it. */
#include "engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "xmalloc.h"

/* One step in progress. */
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
static int	er_fail(struct run *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
static int	er_eval(struct run *r, const struct expr *e, struct val *out);
static int	er_eval_text(struct run *r, const struct expr *e, char **out);
/* A NULL expression is true. */
static int	er_eval_truth(struct run *r, const struct expr *e, int *out);
static int	er_same_timer(const struct wf_timer *a, enum wf_timer_kind kind,
	    const char *name, int seq);
/* Records a timer change and applies it to the working case. */
static void	er_record_timer(struct run *r, enum wf_timer_op op,
	    const struct wf_timer *t, const char *why);
/* Removes every timer of deadline `name` (every timer when NULL); with
 * keep_deadline only its reminders and escalation. */
static void	er_clear_timers(struct run *r, const char *name, int keep_deadline,
	    const char *why);

/* The `deadline` and `extend` actions (the deadline arithmetic, below). */
static int	er_deadline(struct run *r, const struct wf_action *a);
static int	er_extend(struct run *r, const struct wf_action *a);

/* Enter transitions may chain (a state that decides where to go next);
 * a chain this long is a loop in the data. */
#define ENTER_DEPTH_MAX	32

static int
er_fail(struct run *r, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(r->err, ERR_FINAL, "%s:%d: %s", r->wf->path, r->line, msg);
	return -1;
}

/* ---- names for expressions --------------------------------------------- */

static const char *
fact(const struct wf_event *ev, const char *name)
{
	for (size_t i = 0; i < ev->nfacts; i++)
		if (strcmp(ev->facts[i].name, name) == 0)
			return ev->facts[i].value;
	return NULL;
}

static int
lookup(void *arg, const struct expr_name *n, struct val *out, struct clerk_err *err)
{
	struct run *r = arg;
	struct buf b = BUF_INIT;
	char date[CAL_DATE_BUFSZ];
	const char *v = NULL;
	int rc = 0;

	buf_append_str(&b, "");	/* b.data is never NULL below */
	for (size_t i = 0; i < n->nseg; i++)
		buf_printf(&b, "%s%s", i ? "." : "", n->seg[i]);
	switch (n->ns) {
	case EXPR_NS_CASE:
		if (strcmp(b.data, "ref") == 0)
			v = r->work.ref;
		else if (strcmp(b.data, "state") == 0)
			v = r->work.state;
		else if (strcmp(b.data, "workflow") == 0)
			v = r->work.workflow;
		else if (strcmp(b.data, "opened") == 0)
			v = cal_date_format(r->work.opened, date);
		else if (strncmp(b.data, "deadline_", 9) == 0) {
			struct cal_date d;

			if (wf_case_deadline(&r->work, b.data + 9, &d) == 0)
				v = cal_date_format(d, date);
		} else
			v = wf_case_var(&r->work, b.data);
		val_set_str(out, v);
		break;
	case EXPR_NS_EVENT:
		if (r->fired != NULL && strcmp(b.data, "deadline") == 0)
			v = cal_date_format(r->fired->date, date);
		else if (r->fired != NULL && strcmp(b.data, "n") == 0) {
			val_set_int(out, r->fired->seq);
			break;
		} else if (n->nseg == 2 && strcmp(n->seg[0], "args") == 0) {
			char *end;
			unsigned long i = strtoul(n->seg[1], &end, 10);

			if (*end == '\0' && n->seg[1][0] != '\0' && i < r->ev->nargs)
				v = r->ev->args[i];
		} else if (strcmp(b.data, "nargs") == 0) {
			val_set_int(out, (long long)r->ev->nargs);
			break;
		} else
			v = fact(r->ev, b.data);
		val_set_str(out, v);
		break;
	case EXPR_NS_PROFILE: {
		const struct profile_value *pv = NULL;
		char *dot = n->nseg >= 2 ? strrchr(b.data, '.') : NULL;

		if (dot != NULL) {
			*dot = '\0';
			pv = profile_get(r->profile, b.data, dot + 1);
			*dot = '.';
		}
		if (pv == NULL) {
			err_set(err, ERR_FINAL, "profile %s has no %s", r->profile->name, b.data);
			rc = -1;
		} else
			profile_value_to_val(pv, out);
		break;
	}
	}
	buf_free(&b);
	return rc;
}

static int
er_eval(struct run *r, const struct expr *e, struct val *out)
{
	struct expr_env env;
	struct clerk_err e2;

	env.lookup = lookup;
	env.arg = r;
	env.today = r->at.date;
	if (expr_eval(e, &env, out, &e2) == -1)
		return er_fail(r, "%s: %s", expr_text(e), e2.msg);
	return 0;
}

static int
er_eval_text(struct run *r, const struct expr *e, char **out)
{
	struct val v = VAL_INIT;

	if (er_eval(r, e, &v) == -1)
		return -1;
	*out = val_to_text(&v);
	val_free(&v);
	return 0;
}

static int
er_eval_truth(struct run *r, const struct expr *e, int *out)
{
	struct val v = VAL_INIT;

	if (e == NULL) {
		*out = 1;
		return 0;
	}
	if (er_eval(r, e, &v) == -1)
		return -1;
	*out = val_truthy(&v);
	val_free(&v);
	return 0;
}

/* ---- recording --------------------------------------------------------- */

static void
record_var(struct run *r, const char *name, const char *value)
{
	struct wf_step *s = r->out;

	s->vars = xrealloc(s->vars, (s->nvars + 1) * sizeof(*s->vars));
	s->vars[s->nvars].name = xstrdup(name);
	s->vars[s->nvars].value = xstrdup(value);
	s->nvars++;
	wf_case_set_var(&r->work, name, value);
}

static struct wf_out *
record_out(struct run *r, enum wf_action_kind kind, int line)
{
	struct wf_step *s = r->out;
	struct wf_out *o;

	s->out = xrealloc(s->out, (s->nout + 1) * sizeof(*s->out));
	o = &s->out[s->nout++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->line = line;
	return o;
}

static int
er_same_timer(const struct wf_timer *a, enum wf_timer_kind kind, const char *name, int seq)
{
	return a->kind == kind && a->seq == seq && strcmp(a->name, name) == 0;
}

/* Records a timer change and applies it to the working case. */
static void
er_record_timer(struct run *r, enum wf_timer_op op, const struct wf_timer *t, const char *why)
{
	struct wf_step *s = r->out;
	struct wf_timer_change *c;

	s->timers = xrealloc(s->timers, (s->ntimers + 1) * sizeof(*s->timers));
	c = &s->timers[s->ntimers++];
	memset(c, 0, sizeof(*c));
	c->op = op;
	c->why = why;
	wf_timer_copy(&c->timer, t);
	if (op == WF_TIMER_FIRE)
		c->timer.fired = 1;
	/* Same semantics as wf_case_apply, on the working copy. */
	if (op == WF_TIMER_CLEAR) {
		for (size_t i = 0; i < r->work.ntimers; i++)
			if (er_same_timer(&r->work.timers[i], t->kind, t->name, t->seq)) {
				wf_timer_clear(&r->work.timers[i]);
				r->work.timers[i] = r->work.timers[--r->work.ntimers];
				break;
			}
	} else
		wf_case_put_timer(&r->work, &c->timer);
}

/* Removes every timer of deadline `name` (or of every deadline when name is
 * NULL); with keep_deadline only its reminders and escalation. */
static void
er_clear_timers(struct run *r, const char *name, int keep_deadline, const char *why)
{
	size_t i = 0;

	while (i < r->work.ntimers) {
		struct wf_timer *t = &r->work.timers[i];

		if ((name == NULL || strcmp(t->name, name) == 0) &&
		    !(keep_deadline && t->kind == WF_TIMER_DEADLINE)) {
			struct wf_timer copy;

			wf_timer_copy(&copy, t);
			er_record_timer(r, WF_TIMER_CLEAR, &copy, why);
			wf_timer_clear(&copy);
			i = 0;	/* the array was reordered */
			continue;
		}
		i++;
	}
}

/* The single place where a case changes state. */
static void
enter_state_record(struct run *r, int to, int line)
{
	struct wf_step *s = r->out;
	struct wf_move *m;
	const char *name = r->wf->states[to].name;

	s->moves = xrealloc(s->moves, (s->nmoves + 1) * sizeof(*s->moves));
	m = &s->moves[s->nmoves++];
	m->from = r->work.state ? xstrdup(r->work.state) : NULL;
	m->to = xstrdup(name);
	m->event = xstrdup(r->evdesc);
	m->line = line;
	free(r->work.state);
	r->work.state = xstrdup(name);
}

/* ---- actions ----------------------------------------------------------- */

static int
do_member(struct run *r, const struct wf_action *a)
{
	char *value = NULL;
	struct wf_out *o;

	if (a->word != NULL)
		value = xstrdup(a->word);
	else if (er_eval_text(r, a->value, &value) == -1)
		return -1;
	if (a->kind == WF_ACT_MEMBER_STATUS && !wf_list_has(r->set->vocab.statuses, value)) {
		er_fail(r, "member status: \"%s\" is not a member status", value);
		free(value);
		return -1;
	}
	if (a->kind == WF_ACT_MEMBER_CATEGORY) {
		char *sec = xasprintf("categories.%s", value);
		int ok = profile_has_section(r->profile, sec);

		free(sec);
		if (!ok) {
			er_fail(r, "member category: \"%s\" is not a category of %s", value,
			    r->profile->name);
			free(value);
			return -1;
		}
	}
	o = record_out(r, a->kind, a->line);
	o->value = value;
	return 0;
}

static int
do_open(struct run *r, const struct wf_action *a)
{
	struct wf_kv *with = NULL;
	struct wf_out *o;

	if (a->nwith > 0)
		with = xcalloc(a->nwith, sizeof(*with));
	for (size_t i = 0; i < a->nwith; i++) {
		with[i].name = xstrdup(a->with[i].var);
		if (er_eval_text(r, a->with[i].value, &with[i].value) == -1) {
			for (size_t k = 0; k <= i; k++) {
				free(with[k].name);
				free(with[k].value);
			}
			free(with);
			return -1;
		}
	}
	o = record_out(r, WF_ACT_OPEN, a->line);
	o->name = xstrdup(a->name);
	o->with = with;
	o->nwith = a->nwith;
	return 0;
}

/* Runs one action; *go is set to a state index by a `go` that applies. */
static int
do_action(struct run *r, const struct wf_action *a, int *go, int *goline)
{
	struct wf_out *o;
	char *text = NULL;
	int ok;

	r->line = a->line;
	if (er_eval_truth(r, a->cond, &ok) == -1)
		return -1;
	if (!ok)
		return 0;
	switch (a->kind) {
	case WF_ACT_SEND:
	case WF_ACT_CONFIRM:
		o = record_out(r, a->kind, a->line);
		o->role = xstrdup(a->role);
		o->name = xstrdup(a->name);
		return 0;
	case WF_ACT_DEADLINE:
		return er_deadline(r, a);
	case WF_ACT_CLEAR:
		er_clear_timers(r, a->name, 0, "cleared");
		return 0;
	case WF_ACT_EXTEND:
		return er_extend(r, a);
	case WF_ACT_SET:
		if (er_eval_text(r, a->value, &text) == -1)
			return -1;
		record_var(r, a->name, text);
		free(text);
		return 0;
	case WF_ACT_MEMBER_STATUS:
	case WF_ACT_MEMBER_CATEGORY:
		return do_member(r, a);
	case WF_ACT_OPEN:
		return do_open(r, a);
	case WF_ACT_DECISION:
		if (er_eval_text(r, a->value, &text) == -1)
			return -1;
		o = record_out(r, WF_ACT_DECISION, a->line);
		o->value = text;
		return 0;
	case WF_ACT_DIGEST:
		if (a->value != NULL && er_eval_text(r, a->value, &text) == -1)
			return -1;
		o = record_out(r, WF_ACT_DIGEST, a->line);
		o->name = xstrdup(a->name);
		o->value = text;
		return 0;
	case WF_ACT_GO:
		*go = a->go_state;
		*goline = a->line;
		return 0;
	}
	return er_fail(r, "unknown action");
}

/* ---- transitions ------------------------------------------------------- */

static int
applies(const struct workflow *wf, const struct wf_transition *t, int state)
{
	if (t->any && !wf->states[state].final)
		return 1;
	for (size_t i = 0; i < t->nfrom; i++)
		if (t->from[i] == state)
			return 1;
	return 0;
}

/* The first transition of `state` for the event whose guard holds. */
static int
find_transition(struct run *r, int state, enum wf_event_kind kind, const char *name,
    const struct wf_transition **out)
{
	*out = NULL;
	for (size_t i = 0; i < r->wf->ntrans; i++) {
		const struct wf_transition *t = &r->wf->trans[i];
		int ok;

		if (t->ev != kind || !applies(r->wf, t, state))
			continue;
		if ((t->ev_name == NULL) != (name == NULL) ||
		    (name != NULL && strcmp(t->ev_name, name) != 0))
			continue;
		r->line = t->line;
		if (er_eval_truth(r, t->guard, &ok) == -1)
			return -1;
		if (ok) {
			*out = t;
			return 0;
		}
	}
	return 0;
}

static int enter_state(struct run *r, int to, int line, int depth);

static int
run_transition(struct run *r, const struct wf_transition *t, int depth)
{
	int go = -1, goline = 0;

	for (size_t i = 0; i < t->nactions && go == -1; i++)
		if (do_action(r, &t->actions[i], &go, &goline) == -1)
			return -1;
	if (go != -1)
		return enter_state(r, go, goline, depth);
	if (t->to >= 0)
		return enter_state(r, t->to, t->line, depth);
	return 0;
}

static int
enter_state(struct run *r, int to, int line, int depth)
{
	const struct wf_transition *t;

	if (depth >= ENTER_DEPTH_MAX) {
		r->line = line;
		return er_fail(r, "more than %d states entered in one step: a loop of "
		    "`enter` transitions", ENTER_DEPTH_MAX);
	}
	enter_state_record(r, to, line);
	if (find_transition(r, to, WF_EV_ENTER, NULL, &t) == -1)
		return -1;
	if (t != NULL && run_transition(r, t, depth + 1) == -1)
		return -1;
	/* A closed case waits for nothing: after its enter actions (which
	 * may set no deadline, see wf_check.c), every timer goes. */
	if (r->wf->states[to].final && strcmp(r->work.state, r->wf->states[to].name) == 0)
		er_clear_timers(r, NULL, 0, "final");
	return 0;
}

/* ---- the step ---------------------------------------------------------- */

static char *
describe(const struct wf_event *ev)
{
	if (ev->kind == WF_EV_TIMER || ev->kind == WF_EV_REMIND ||
	    ev->kind == WF_EV_ESCALATE) {
		if (ev->kind == WF_EV_REMIND)
			return xasprintf("remind %s %d", ev->name ? ev->name : "", ev->seq);
		return xasprintf("%s %s", wf_event_kind_name(ev->kind), ev->name ? ev->name : "");
	}
	if (ev->name != NULL && ev->kind != WF_EV_REPLY && ev->kind != WF_EV_ENTER)
		return xasprintf("%s %s", wf_event_kind_name(ev->kind), ev->name);
	return xstrdup(wf_event_kind_name(ev->kind));
}

static void
copy_case(struct wf_case *dst, const struct wf_case *src)
{
	wf_case_init(dst, src->ref, src->workflow, src->state, src->opened);
	for (size_t i = 0; i < src->nvars; i++)
		wf_case_set_var(dst, src->vars[i].name, src->vars[i].value);
	for (size_t i = 0; i < src->ntimers; i++)
		wf_case_put_timer(dst, &src->timers[i]);
}

static void
run_init(struct run *r, const struct wf_set *set, const struct profile *profile,
    const struct wf_event *ev, struct cal_datetime now, struct wf_step *out,
    struct clerk_err *err)
{
	memset(r, 0, sizeof(*r));
	memset(out, 0, sizeof(*out));
	r->set = set;
	r->profile = profile;
	r->ev = ev;
	r->out = out;
	r->err = err;
	r->at = ev->at.date.year == 0 ? now : ev->at;
	r->evdesc = describe(ev);
}

static int
run_finish(struct run *r, int rc)
{
	if (rc == 0) {
		r->out->state = xstrdup(r->work.state ? r->work.state : "");
		r->out->closed = r->wf != NULL && r->work.state != NULL &&
		    wf_state_index(r->wf, r->work.state) >= 0 &&
		    r->wf->states[wf_state_index(r->wf, r->work.state)].final;
	} else
		wf_step_free(r->out);
	free(r->evdesc);
	wf_case_free(&r->work);
	return rc;
}

static void
not_applicable(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
not_applicable(struct run *r, const char *fmt, ...)
{
	va_list ap;
	struct buf b = BUF_INIT;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r->out->result = WF_NOT_APPLICABLE;
	r->out->why = buf_steal(&b);
}

int
engine_step(const struct wf_set *set, const struct profile *profile,
    const struct wf_case *case_in, const struct wf_event *ev, struct cal_datetime now,
    struct wf_step *out, struct clerk_err *err)
{
	struct run r;
	const struct wf_transition *t = NULL;
	int state, rc = -1;

	run_init(&r, set, profile, ev, now, out, err);
	copy_case(&r.work, case_in);
	if ((r.wf = wf_find(set, case_in->workflow)) == NULL) {
		err_set(err, ERR_FINAL, "case %s: unknown workflow %s", case_in->ref, case_in->workflow);
		goto out;
	}
	if ((state = wf_state_index(r.wf, case_in->state)) == -1) {
		err_set(err, ERR_FINAL, "case %s: workflow %s has no state %s", case_in->ref,
		    case_in->workflow, case_in->state);
		goto out;
	}
	if (ev->kind == WF_EV_ENTER || ev->kind == WF_EV_YEARLY || ev->kind == WF_EV_OPEN) {
		err_set(err, ERR_FINAL, "case %s: %s is not an event for a running case",
		    case_in->ref, wf_event_kind_name(ev->kind));
		goto out;
	}
	if (ev->kind == WF_EV_TIMER || ev->kind == WF_EV_REMIND || ev->kind == WF_EV_ESCALATE) {
		enum wf_timer_kind k = ev->kind == WF_EV_TIMER ? WF_TIMER_DEADLINE :
		    ev->kind == WF_EV_REMIND ? WF_TIMER_REMIND : WF_TIMER_ESCALATE;

		for (size_t i = 0; i < case_in->ntimers; i++)
			if (er_same_timer(&case_in->timers[i], k, ev->name ? ev->name : "",
			    k == WF_TIMER_REMIND ? ev->seq : 0))
				r.fired = &case_in->timers[i];
		if (r.fired == NULL || r.fired->fired) {
			not_applicable(&r, "%s: the case has no such pending timer", r.evdesc);
			r.fired = NULL;
			rc = 0;
			goto out;
		}
		er_record_timer(&r, WF_TIMER_FIRE, r.fired, "fired");
	}
	if (r.wf->states[state].final) {
		not_applicable(&r, "case %s is closed (%s)", case_in->ref, case_in->state);
		rc = 0;
		goto out;
	}
	if (find_transition(&r, state, ev->kind, ev->name, &t) == -1)
		goto out;
	if (t == NULL) {
		not_applicable(&r, "%s does not apply to case %s in state %s", r.evdesc,
		    case_in->ref, case_in->state);
		rc = 0;
		goto out;
	}
	out->result = WF_APPLIED;
	rc = run_transition(&r, t, 0);
out:
	return run_finish(&r, rc);
}

int
engine_open(const struct wf_set *set, const struct profile *profile,
    const char *workflow, const char *ref, const struct wf_event *trigger,
    const struct wf_kv *with, size_t nwith, struct cal_datetime now,
    struct wf_step *out, struct clerk_err *err)
{
	struct run r;
	const char *want;
	int matched = 0, ok, rc = -1;

	run_init(&r, set, profile, trigger, now, out, err);
	wf_case_init(&r.work, ref, workflow, NULL, r.at.date);
	if ((r.wf = wf_find(set, workflow)) == NULL) {
		err_set(err, ERR_FINAL, "unknown workflow %s", workflow);
		goto out;
	}
	if (r.wf->initial < 0) {
		err_set(err, ERR_FINAL, "workflow %s has no initial state", workflow);
		goto out;
	}
	/* The opener's guard sees the initial variables as case.<name>. */
	for (size_t i = 0; i < nwith; i++)
		wf_case_set_var(&r.work, with[i].name, with[i].value);
	want = trigger->kind == WF_EV_YEARLY ? workflow : trigger->name;
	for (size_t i = 0; i < r.wf->nopeners && !matched; i++) {
		const struct wf_opener *op = &r.wf->openers[i];

		if (op->kind != trigger->kind || want == NULL || strcmp(op->name, want) != 0)
			continue;
		r.line = op->line;
		if (er_eval_truth(&r, op->guard, &ok) == -1)
			goto out;
		matched = ok;
	}
	if (!matched) {
		not_applicable(&r, "%s does not open a %s case", r.evdesc, workflow);
		rc = 0;
		goto out;
	}
	out->result = WF_APPLIED;
	for (size_t i = 0; i < nwith; i++)
		record_var(&r, with[i].name, with[i].value);
	rc = enter_state(&r, r.wf->initial, r.wf->states[r.wf->initial].line, 0);
out:
	return run_finish(&r, rc);
}

void
wf_step_free(struct wf_step *s)
{
	if (s == NULL)
		return;
	free(s->why);
	free(s->state);
	for (size_t i = 0; i < s->nvars; i++) {
		free(s->vars[i].name);
		free(s->vars[i].value);
	}
	free(s->vars);
	for (size_t i = 0; i < s->ntimers; i++)
		wf_timer_clear(&s->timers[i].timer);
	free(s->timers);
	for (size_t i = 0; i < s->nout; i++) {
		free(s->out[i].role);
		free(s->out[i].name);
		free(s->out[i].value);
		for (size_t k = 0; k < s->out[i].nwith; k++) {
			free(s->out[i].with[k].name);
			free(s->out[i].with[k].value);
		}
		free(s->out[i].with);
	}
	free(s->out);
	for (size_t i = 0; i < s->nmoves; i++) {
		free(s->moves[i].from);
		free(s->moves[i].to);
		free(s->moves[i].event);
	}
	free(s->moves);
	memset(s, 0, sizeof(*s));
}

/* ==== deadline arithmetic: when a deadline, its reminders and its
 * escalation fire, and how `extend` moves them (engine.h explains the
 * rules) ==== */

/* ---- time -------------------------------------------------------------- */

static struct cal_datetime
at_hour(struct cal_date d, int hour)
{
	struct cal_datetime t;

	t.date = d;
	t.hour = hour;
	t.minute = 0;
	t.second = 0;
	return t;
}

/* A deadline date fires at the start of the next day. */
static struct cal_datetime
deadline_due(const struct run *r, struct cal_date date)
{
	return at_hour(cal_add_days(date, 1), r->set->fire_hour);
}

struct lead {
	struct cal_date	date;
};

static int
cmp_lead(const void *a, const void *b)
{
	return cal_date_cmp(((const struct lead *)a)->date, ((const struct lead *)b)->date);
}

/* (Re)arms the reminders and the escalation of the deadline timer `d`:
 * reminders in date order numbered 1..n, those not after the event time
 * skipped. */
static int
arm_followers(struct run *r, const struct wf_timer *d)
{
	struct lead *leads = NULL;
	size_t n = 0;
	const char *p = d->leads ? d->leads : "";
	struct clerk_err e;
	int rc = -1;

	while (*p) {
		const char *end = strchr(p, ',');
		char *item = xstrndup(p, end ? (size_t)(end - p) : strlen(p));
		struct cal_duration dur;

		p = end ? end + 1 : p + strlen(p);
		if (cal_duration_parse(item, &dur, &e) == -1) {
			er_fail(r, "bad reminder lead %s", item);
			free(item);
			goto out;
		}
		leads = xrealloc(leads, (n + 1) * sizeof(*leads));
		if (cal_lead(d->date, dur, &leads[n].date, &e) == -1) {
			free(item);
			er_fail(r, "reminder before %s: %s", d->name, e.msg);
			goto out;
		}
		free(item);
		n++;
	}
	if (n > 1)
		qsort(leads, n, sizeof(*leads), cmp_lead);
	for (size_t i = 0; i < n; i++) {
		struct wf_timer t;

		memset(&t, 0, sizeof(t));
		t.kind = WF_TIMER_REMIND;
		t.name = d->name;
		t.seq = (int)i + 1;
		t.date = d->date;
		t.due = at_hour(leads[i].date, r->set->fire_hour);
		if (cal_datetime_cmp(t.due, r->at) <= 0)
			continue;
		er_record_timer(r, WF_TIMER_SET, &t, "deadline");
	}
	if (d->has_escalate) {
		struct wf_timer t;
		struct cal_date edate = cal_add_duration(d->date, d->escalate);

		if (!cal_date_valid(edate)) {
			er_fail(r, "escalation of %s falls outside the calendar", d->name);
			goto out;
		}
		memset(&t, 0, sizeof(t));
		t.kind = WF_TIMER_ESCALATE;
		t.name = d->name;
		t.date = d->date;
		t.due = deadline_due(r, edate);
		er_record_timer(r, WF_TIMER_SET, &t, "deadline");
	}
	rc = 0;
out:
	free(leads);
	return rc;
}

static char *
leads_text(const struct wf_action *a)
{
	struct buf b = BUF_INIT;
	static const char units[] = { 'd', 'w', 'm', 'y' };

	if (a->nleads == 0)
		return NULL;
	for (size_t i = 0; i < a->nleads; i++)
		buf_printf(&b, "%s%d%c", i ? "," : "", a->leads[i].amount,
		    units[a->leads[i].unit]);
	return buf_steal(&b);
}

static int
er_deadline(struct run *r, const struct wf_action *a)
{
	struct cal_date start = r->at.date, date;
	struct clerk_err e;
	struct wf_timer t;
	int rc;

	if (a->from != NULL) {
		struct val v = VAL_INIT;

		if (er_eval(r, a->from, &v) == -1)
			return -1;
		rc = val_as_date(&v, &start);
		val_free(&v);
		if (rc == -1)
			return er_fail(r, "deadline %s: `from %s` is not a date", a->name,
			    expr_text(a->from));
	}
	if (cal_deadline(start, &a->when.spec, a->working_day && r->set->move_deadlines,
	    r->set->holidays, &date, &e) == -1)
		return er_fail(r, "deadline %s: %s", a->name, e.msg);
	er_clear_timers(r, a->name, 0, "replaced");
	memset(&t, 0, sizeof(t));
	t.kind = WF_TIMER_DEADLINE;
	t.name = a->name;
	t.date = date;
	t.due = deadline_due(r, date);
	t.working_day = a->working_day;
	t.leads = leads_text(a);
	t.has_escalate = a->has_escalate;
	t.escalate = a->escalate;
	er_record_timer(r, WF_TIMER_SET, &t, "deadline");
	rc = arm_followers(r, &t);
	free(t.leads);
	return rc;
}

static int
er_extend(struct run *r, const struct wf_action *a)
{
	struct val v = VAL_INIT;
	struct cal_duration by;
	struct wf_timer t;
	const struct wf_timer *old = NULL;
	long long days;
	int rc = -1;

	for (size_t i = 0; i < r->work.ntimers; i++)
		if (er_same_timer(&r->work.timers[i], WF_TIMER_DEADLINE, a->name, 0))
			old = &r->work.timers[i];
	if (old == NULL)
		return er_fail(r, "extend %s: the case has no such deadline", a->name);
	if (er_eval(r, a->value, &v) == -1)
		return -1;
	if (v.type == VAL_DURATION)
		by = v.dur;
	else if (val_as_int(&v, &days) == 0 &&
	    !(v.type == VAL_STR && v.s[0] == '\0')) {
		if (days < 1 || days > CAL_AMOUNT_MAX) {
			er_fail(r, "extend %s: %lld is not a positive number of days",
			    a->name, days);
			goto out;
		}
		by.amount = (int)days;
		by.unit = CAL_DAYS;
	} else if (v.type != VAL_STR || cal_duration_parse(v.s, &by, NULL) == -1) {
		char *txt = val_to_text(&v);

		er_fail(r, "extend %s: \"%s\" is not a number of days", a->name, txt);
		free(txt);
		goto out;
	}
	if (by.amount <= 0) {
		er_fail(r, "extend %s: the extension must be positive", a->name);
		goto out;
	}
	wf_timer_copy(&t, old);
	t.date = cal_add_duration(old->date, by);
	if (t.working_day && r->set->move_deadlines)
		t.date = cal_next_working_day(t.date, r->set->holidays);
	if (!cal_date_valid(t.date)) {
		wf_timer_clear(&t);
		er_fail(r, "extend %s: the date falls outside the calendar", a->name);
		goto out;
	}
	t.due = deadline_due(r, t.date);
	t.fired = 0;
	/* The reminders follow the deadline: re-armed from the new date. */
	er_clear_timers(r, a->name, 1, "extended");
	er_record_timer(r, WF_TIMER_SET, &t, "extended");
	rc = arm_followers(r, &t);
	wf_timer_clear(&t);
out:
	val_free(&v);
	return rc;
}
