/* Cases and timers around the engine: applying a step to a case, the due
 * timers in firing order, yearly openings, and timers as one line of text
 * for storage. Pure. */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void
wf_timer_clear(struct wf_timer *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->leads);
	memset(t, 0, sizeof(*t));
}

void
wf_timer_copy(struct wf_timer *dst, const struct wf_timer *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name ? src->name : "");
	dst->leads = src->leads ? xstrdup(src->leads) : NULL;
}

void
wf_case_init(struct wf_case *c, const char *ref, const char *workflow,
    const char *state, struct cal_date opened)
{
	memset(c, 0, sizeof(*c));
	c->ref = xstrdup(ref ? ref : "");
	c->workflow = xstrdup(workflow ? workflow : "");
	c->state = state ? xstrdup(state) : NULL;
	c->opened = opened;
}

void
wf_case_free(struct wf_case *c)
{
	if (c == NULL)
		return;
	free(c->ref);
	free(c->workflow);
	free(c->state);
	for (size_t i = 0; i < c->nvars; i++) {
		free(c->vars[i].name);
		free(c->vars[i].value);
	}
	free(c->vars);
	for (size_t i = 0; i < c->ntimers; i++)
		wf_timer_clear(&c->timers[i]);
	free(c->timers);
	memset(c, 0, sizeof(*c));
}

void
wf_case_set_var(struct wf_case *c, const char *name, const char *value)
{
	for (size_t i = 0; i < c->nvars; i++)
		if (strcmp(c->vars[i].name, name) == 0) {
			free(c->vars[i].value);
			c->vars[i].value = xstrdup(value ? value : "");
			return;
		}
	c->vars = xrealloc(c->vars, (c->nvars + 1) * sizeof(*c->vars));
	c->vars[c->nvars].name = xstrdup(name);
	c->vars[c->nvars].value = xstrdup(value ? value : "");
	c->nvars++;
}

const char *
wf_case_var(const struct wf_case *c, const char *name)
{
	for (size_t i = 0; i < c->nvars; i++)
		if (strcmp(c->vars[i].name, name) == 0)
			return c->vars[i].value;
	return NULL;
}

void
wf_case_put_timer(struct wf_case *c, const struct wf_timer *t)
{
	for (size_t i = 0; i < c->ntimers; i++) {
		struct wf_timer *o = &c->timers[i];

		if (o->kind == t->kind && o->seq == t->seq && strcmp(o->name, t->name) == 0) {
			wf_timer_clear(o);
			wf_timer_copy(o, t);
			return;
		}
	}
	c->timers = xrealloc(c->timers, (c->ntimers + 1) * sizeof(*c->timers));
	wf_timer_copy(&c->timers[c->ntimers++], t);
}

int
wf_case_deadline(const struct wf_case *c, const char *name, struct cal_date *date)
{
	for (size_t i = 0; i < c->ntimers; i++)
		if (c->timers[i].kind == WF_TIMER_DEADLINE &&
		    strcmp(c->timers[i].name, name) == 0) {
			*date = c->timers[i].date;
			return 0;
		}
	return -1;
}

void
wf_case_apply(struct wf_case *c, const struct wf_step *s)
{
	for (size_t i = 0; i < s->ntimers; i++) {
		const struct wf_timer_change *tc = &s->timers[i];

		if (tc->op != WF_TIMER_CLEAR) {
			wf_case_put_timer(c, &tc->timer);
			continue;
		}
		for (size_t k = 0; k < c->ntimers; k++) {
			struct wf_timer *o = &c->timers[k];

			if (o->kind == tc->timer.kind && o->seq == tc->timer.seq &&
			    strcmp(o->name, tc->timer.name) == 0) {
				wf_timer_clear(o);
				c->timers[k] = c->timers[--c->ntimers];
				break;
			}
		}
	}
	if (s->result != WF_APPLIED)
		return;
	for (size_t i = 0; i < s->nvars; i++)
		wf_case_set_var(c, s->vars[i].name, s->vars[i].value);
	if (s->state != NULL && s->state[0] != '\0') {
		free(c->state);
		c->state = xstrdup(s->state);
	}
}

/* ---- due timers -------------------------------------------------------- */

static int
timer_order(const struct wf_timer *a, const struct wf_timer *b)
{
	int c = cal_datetime_cmp(a->due, b->due);

	if (c != 0)
		return c;
	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
cmp_timer_ptr(const void *a, const void *b)
{
	return timer_order(*(const struct wf_timer *const *)a,
	    *(const struct wf_timer *const *)b);
}

size_t
engine_timers_due(const struct wf_case *c, struct cal_datetime now,
    const struct wf_timer ***out)
{
	const struct wf_timer **due = NULL;
	size_t n = 0;

	for (size_t i = 0; i < c->ntimers; i++) {
		if (c->timers[i].fired || cal_datetime_cmp(c->timers[i].due, now) > 0)
			continue;
		due = xrealloc(due, (n + 1) * sizeof(*due));
		due[n++] = &c->timers[i];
	}
	if (n > 1)
		qsort(due, n, sizeof(*due), cmp_timer_ptr);
	*out = due;
	return n;
}

void
wf_event_for_timer(const struct wf_timer *t, struct wf_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = t->kind == WF_TIMER_DEADLINE ? WF_EV_TIMER :
	    t->kind == WF_TIMER_REMIND ? WF_EV_REMIND : WF_EV_ESCALATE;
	ev->name = t->name;
	ev->seq = t->seq;
	ev->at = t->due;
}

struct yearly {
	const struct workflow	*wf;
	struct cal_date		 day;
};

static int
cmp_yearly(const void *a, const void *b)
{
	const struct yearly *x = a, *y = b;
	int c = cal_date_cmp(x->day, y->day);

	return c != 0 ? c : strcmp(x->wf->name, y->wf->name);
}

void
engine_yearly_due(const struct wf_set *set, struct cal_date after, struct cal_date until,
    void (*fn)(void *, const struct workflow *, struct cal_date), void *arg)
{
	struct yearly *list = NULL;
	size_t n = 0;

	if (cal_date_cmp(after, until) >= 0)
		return;
	for (size_t i = 0; i < set->nwf; i++)
		for (size_t k = 0; k < set->wf[i]->nopeners; k++) {
			const struct wf_opener *op = &set->wf[i]->openers[k];
			struct cal_date d = after;

			if (op->kind != WF_EV_YEARLY)
				continue;
			for (;;) {
				d = cal_next_fixed(d, op->day.month, op->day.day, 0);
				if (cal_date_cmp(d, until) > 0)
					break;
				list = xrealloc(list, (n + 1) * sizeof(*list));
				list[n].wf = set->wf[i];
				list[n].day = d;
				n++;
			}
		}
	if (n > 1)
		qsort(list, n, sizeof(*list), cmp_yearly);
	for (size_t i = 0; i < n; i++)
		fn(arg, list[i].wf, list[i].day);
	free(list);
}

/* ---- timers as text ---------------------------------------------------- */

static const char *const kind_words[] = { "deadline", "remind", "escalate" };

char *
wf_timer_key(const struct wf_timer *t)
{
	if (t->kind == WF_TIMER_REMIND)
		return xasprintf("%s/remind/%d", t->name, t->seq);
	if (t->kind == WF_TIMER_ESCALATE)
		return xasprintf("%s/escalate", t->name);
	return xstrdup(t->name);
}

char *
wf_timer_to_text(const struct wf_timer *t)
{
	char due[CAL_DATETIME_BUFSZ], date[CAL_DATE_BUFSZ], esc[24];
	static const char units[] = { 'd', 'w', 'm', 'y' };

	if (t->has_escalate)
		snprintf(esc, sizeof(esc), "%d%c", t->escalate.amount,
		    units[t->escalate.unit]);
	else
		snprintf(esc, sizeof(esc), "-");
	return xasprintf("%s %s %d due=%s date=%s fired=%d wd=%d leads=%s esc=%s",
	    kind_words[t->kind], t->name, t->seq, cal_datetime_format(t->due, due),
	    cal_date_format(t->date, date), t->fired, t->working_day,
	    t->leads && *t->leads ? t->leads : "-", esc);
}

int
wf_timer_from_text(const char *text, struct wf_timer *out, struct clerk_err *err)
{
	char kind[16], name[128], due[32], date[16], leads[256], esc[32];
	int seq, fired, wd, n = 0;
	struct wf_timer t;
	struct clerk_err e;

	memset(&t, 0, sizeof(t));
	if (sscanf(text, "%15s %127s %d due=%31s date=%15s fired=%d wd=%d leads=%255s "
	    "esc=%31s%n", kind, name, &seq, due, date, &fired, &wd, leads, esc, &n) != 9 ||
	    text[n] != '\0') {
		err_set(err, ERR_FINAL, "timer text not understood: %s", text);
		return -1;
	}
	for (t.kind = WF_TIMER_DEADLINE; t.kind <= WF_TIMER_ESCALATE; t.kind++)
		if (strcmp(kind, kind_words[t.kind]) == 0)
			break;
	if (t.kind > WF_TIMER_ESCALATE || cal_datetime_parse(due, &t.due, &e) == -1 ||
	    cal_date_parse(date, &t.date, &e) == -1 ||
	    (esc[0] != '-' && cal_duration_parse(esc, &t.escalate, &e) == -1)) {
		err_set(err, ERR_FINAL, "timer text not understood: %s", text);
		return -1;
	}
	t.has_escalate = esc[0] != '-';
	t.seq = seq;
	t.fired = fired != 0;
	t.working_day = wd != 0;
	t.name = xstrdup(name);
	t.leads = strcmp(leads, "-") == 0 ? NULL : xstrdup(leads);
	*out = t;
	return 0;
}
