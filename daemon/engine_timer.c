/* Deadline arithmetic of the engine: when a deadline, its reminders and
 * its escalation fire, and how `extend` moves them (engine.h explains the
 * rules). */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_run.h"
#include "xmalloc.h"

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

int
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

int
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
