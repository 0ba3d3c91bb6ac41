/* The workflow engine, purely, with a fake clock: small inline workflows
 * for each rule, the real membership workflows for each association, a
 * randomized run that looks for undefined states and lost deadlines, and a
 * simulated year with two weeks of downtime. */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "engine.h"
#include "profile.h"
#include "workflow.h"
#include "xmalloc.h"

#ifndef CLERK_SRCDIR_DEFAULT
#define CLERK_SRCDIR_DEFAULT "."
#endif

/* ---- fixtures ---------------------------------------------------------- */

static const char schema_text[] =
	"[calendar]\nmove_deadlines = bool\nfire_hour = hour\n"
	"[categories]\nnames = words\n"
	"[categories.*]\n@index = categories.names\nratio = percent\n"
	"[dues]\namount = amount\nremind = durations\ndue = duration\nday = day\n";

static const char profile_src[] =
	"[calendar]\nmove_deadlines = yes\nfire_hour = 8\n"
	"[categories]\nnames = full student\n"
	"[categories.full]\nratio = 100\n[categories.student]\nratio = 50\n"
	"[dues]\namount = 2500.00\nremind = 7d 1d\ndue = 14d\nday = 02-01\n";

static const char vocab_text[] =
	"[vocabulary]\n"
	"forms = application resignation\n"
	"commands = approve reject extend paid request\n"
	"facts = name category signature attachments.* args.* owed amount text deadline n\n"
	"roles = applicant member secretary\n"
	"statuses = applicant active resigned\n"
	"digest = new_case escalation info\n";

static const char holidays_text[] = "12-25 # Christmas Day\n12-26 # Boxing Day\n";

static const char *
srcdir(void)
{
	const char *s = getenv("CLERK_SRCDIR");

	return s && *s ? s : CLERK_SRCDIR_DEFAULT;
}

/* A set of inline workflows (name, text pairs, NULL-terminated) over the
 * test profile; fails the test on any problem. */
static struct wf_set *
inline_set(const char *name, const char *text, ...)
{
	struct profile_schema *s = NULL;
	struct profile *p = NULL;
	struct cal_holidays *h = NULL;
	struct clerk_err err;
	struct wf_vocab v;
	struct wf_set *set;
	struct buf d = BUF_INIT;
	va_list ap;

	ck_assert_int_eq(profile_schema_parse("schema", schema_text, strlen(schema_text), &s, &d), 0);
	ck_assert_int_eq(profile_parse("test", "test.profile", profile_src, strlen(profile_src),
	    s, &p, &d), 0);
	ck_assert_int_eq(wf_vocab_parse("vocabulary", vocab_text, strlen(vocab_text), &v, &d), 0);
	ck_assert_int_eq(cal_holidays_parse(holidays_text, strlen(holidays_text), "test", &h,
	    &err), 0);
	set = wf_set_new(p, s, &v, h);
	va_start(ap, text);
	while (name != NULL) {
		ck_assert_msg(wf_set_parse(set, name, text, strlen(text), &d) == 0, "%s", buf_str(&d));
		name = va_arg(ap, const char *);
		if (name != NULL)
			text = va_arg(ap, const char *);
	}
	va_end(ap);
	ck_assert_msg(wf_set_validate(set, NULL, NULL, &d) == 0, "%s", buf_str(&d));
	buf_free(&d);
	return set;
}

static struct wf_set *
real_set(const char *profile)
{
	char *dir = xasprintf("%s/workflows", srcdir());
	struct wf_set *set = NULL;
	struct buf d = BUF_INIT;
	struct clerk_err err;

	ck_assert_msg(wf_set_load_dir(dir, profile, NULL, NULL, &set, &d, &err) == 0,
	    "%s: %s\n%s", profile, err.msg, buf_str(&d));
	buf_free(&d);
	free(dir);
	return set;
}

static struct cal_datetime
dt(int y, int mo, int d, int h)
{
	struct cal_datetime t = { { y, mo, d }, h, 0, 0 };

	return t;
}

static const char *
dstr(struct cal_datetime t)
{
	static char b[4][CAL_DATETIME_BUFSZ];
	static int i;

	i = (i + 1) % 4;
	return cal_datetime_format(t, b[i]);
}

/* An event with up to 8 facts given as "name=value" strings. */
struct tev {
	struct wf_event	ev;
	struct wf_kv	facts[12];
	const char	*args[6];
};

static void
tev_free(struct tev *t)
{
	for (size_t i = 0; i < t->ev.nfacts; i++) {
		free(t->facts[i].name);
		free(t->facts[i].value);
	}
	t->ev.nfacts = 0;
}

static void
tev_fact(struct tev *t, const char *nv)
{
	const char *eq = strchr(nv, '=');

	ck_assert(t->ev.nfacts < 12);
	t->facts[t->ev.nfacts].name = xstrndup(nv, (size_t)(eq - nv));
	t->facts[t->ev.nfacts].value = xstrdup(eq + 1);
	t->ev.nfacts++;
}

static void
tev_init(struct tev *t, enum wf_event_kind kind, const char *name, struct cal_datetime at)
{
	memset(t, 0, sizeof(*t));
	t->ev.kind = kind;
	t->ev.name = name;
	t->ev.facts = t->facts;
	t->ev.args = t->args;
	t->ev.at = at;
}

/* Runs one step; the case takes the result. Returns the step (caller frees). */
static struct wf_step
step(const struct wf_set *set, struct wf_case *c, const struct wf_event *ev,
    struct cal_datetime now)
{
	struct wf_step s;
	struct clerk_err err;

	ck_assert_msg(engine_step(set, set->profile, c, ev, now, &s, &err) == 0, "%s", err.msg);
	wf_case_apply(c, &s);
	return s;
}

/* Opens a case; fails the test unless it opens. */
static void
open_case(const struct wf_set *set, struct wf_case *c, const char *wf, const char *ref,
    const struct wf_event *trigger, const struct wf_kv *with, size_t nwith,
    struct cal_datetime now, struct wf_step *out)
{
	struct wf_step s;
	struct clerk_err err;

	ck_assert_msg(engine_open(set, set->profile, wf, ref, trigger, with, nwith, now, &s,
	    &err) == 0, "%s", err.msg);
	ck_assert_msg(s.result == WF_APPLIED, "%s", s.why ? s.why : "");
	wf_case_init(c, ref, wf, NULL, (trigger->at.date.year ? trigger->at : now).date);
	wf_case_apply(c, &s);
	if (out)
		*out = s;
	else
		wf_step_free(&s);
}

/* The actions of a step as one line: "send applicant x; member status y; ..." */
static char *
outs(const struct wf_step *s)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < s->nout; i++) {
		const struct wf_out *o = &s->out[i];

		if (i)
			buf_append_str(&b, "; ");
		switch (o->kind) {
		case WF_ACT_SEND:
			buf_printf(&b, "send %s %s", o->role, o->name);
			break;
		case WF_ACT_CONFIRM:
			buf_printf(&b, "confirm %s %s", o->role, o->name);
			break;
		case WF_ACT_MEMBER_STATUS:
			buf_printf(&b, "status %s", o->value);
			break;
		case WF_ACT_MEMBER_CATEGORY:
			buf_printf(&b, "category %s", o->value);
			break;
		case WF_ACT_OPEN:
			buf_printf(&b, "open %s", o->name);
			for (size_t k = 0; k < o->nwith; k++)
				buf_printf(&b, " %s=%s", o->with[k].name, o->with[k].value);
			break;
		case WF_ACT_DECISION:
			buf_printf(&b, "decision %s", o->value);
			break;
		case WF_ACT_DIGEST:
			buf_printf(&b, "digest %s%s%s", o->name, o->value ? " " : "",
			    o->value ? o->value : "");
			break;
		default:
			buf_append_str(&b, "?");
		}
	}
	return buf_steal(&b);
}

static char *
moves(const struct wf_step *s)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < s->nmoves; i++)
		buf_printf(&b, "%s%s -> %s [%s]", i ? "; " : "",
		    s->moves[i].from ? s->moves[i].from : "(new)", s->moves[i].to,
		    s->moves[i].event);
	return buf_steal(&b);
}

/* The timers of a case, sorted: "deadline d 2026-12-29T08:00:00 (2026-12-28); ..." */
static char *
timers(const struct wf_case *c)
{
	const char *kinds[] = { "deadline", "remind", "escalate" };
	struct buf b = BUF_INIT;
	char **lines = xcalloc(c->ntimers + 1, sizeof(*lines));
	char date[CAL_DATE_BUFSZ];

	for (size_t i = 0; i < c->ntimers; i++) {
		const struct wf_timer *t = &c->timers[i];

		lines[i] = xasprintf("%s %s%s%.0d %s (%s)%s", kinds[t->kind], t->name,
		    t->seq ? "#" : "", t->seq, dstr(t->due), cal_date_format(t->date, date),
		    t->fired ? " fired" : "");
	}
	for (size_t i = 0; i < c->ntimers; i++)
		for (size_t k = i + 1; k < c->ntimers; k++)
			if (strcmp(lines[k], lines[i]) < 0) {
				char *x = lines[i];

				lines[i] = lines[k];
				lines[k] = x;
			}
	for (size_t i = 0; i < c->ntimers; i++) {
		buf_printf(&b, "%s%s", i ? "; " : "", lines[i]);
		free(lines[i]);
	}
	free(lines);
	return buf_steal(&b);
}

#define CHECK_STR(expr, want) do {					\
	char *got_ = (expr);						\
	ck_assert_str_eq(got_, want);					\
	free(got_);							\
} while (0)

/* ---- small workflows --------------------------------------------------- */

static const char wf_guards[] =
	"workflow t\n"				/* 1 */
	"open on form application if event.name != \"nobody\"\n"	/* 2 */
	"var a\n"				/* 3 */
	"state s initial\n"			/* 4 */
	"state big\n"				/* 5 */
	"state small\n"				/* 6 */
	"state done final\n"			/* 7 */
	"on s command approve if event.args[1] > 10 -> big\n"	/* 8 */
	"on s command approve -> small\n"	/* 9 */
	"on big, small command reject -> done\n"	/* 10 */
	"on * command paid if event.amount > 0\n"	/* 11 */
	"	set a = case.a + event.amount\n";	/* 12 */

START_TEST(guards_pick_the_first_matching_transition)
{
	struct wf_set *set = inline_set("t.wf", wf_guards, NULL);
	struct cal_datetime now = dt(2026, 3, 2, 10);
	struct wf_case c, c2;
	struct wf_step s;
	struct tev e;
	struct clerk_err err;

	tev_init(&e, WF_EV_FORM, "application", now);
	tev_fact(&e, "name=nobody");
	ck_assert_int_eq(engine_open(set, set->profile, "t", "T-1", &e.ev, NULL, 0, now, &s, &err), 0);
	ck_assert_int_eq(s.result, WF_NOT_APPLICABLE);
	ck_assert_str_eq(s.why, "form application does not open a t case");
	wf_step_free(&s);
	tev_free(&e);
	tev_fact(&e, "name=Kari");
	open_case(set, &c, "t", "T-1", &e.ev, NULL, 0, now, &s);
	CHECK_STR(moves(&s), "(new) -> s [form application]");
	ck_assert_str_eq(c.state, "s");
	wf_step_free(&s);
	tev_free(&e);
	open_case(set, &c2, "t", "T-2", &e.ev, NULL, 0, now, NULL);

	tev_init(&e, WF_EV_COMMAND, "approve", now);
	e.args[0] = "T-1";
	e.args[1] = "20";
	e.ev.nargs = 2;
	s = step(set, &c, &e.ev, now);
	ck_assert_int_eq(s.result, WF_APPLIED);
	CHECK_STR(moves(&s), "s -> big [command approve]");
	ck_assert_int_eq(s.moves[0].line, 8);
	wf_step_free(&s);
	e.args[1] = "5";
	s = step(set, &c2, &e.ev, now);
	CHECK_STR(moves(&s), "s -> small [command approve]");
	ck_assert_int_eq(s.moves[0].line, 9);
	wf_step_free(&s);

	/* no transition: a clear answer, and nothing changes */
	tev_init(&e, WF_EV_FORM, "resignation", now);
	s = step(set, &c, &e.ev, now);
	ck_assert_int_eq(s.result, WF_NOT_APPLICABLE);
	ck_assert_str_eq(s.why, "form resignation does not apply to case T-1 in state big");
	ck_assert_str_eq(s.state, "big");
	ck_assert_uint_eq(s.nmoves + s.nout + s.nvars + s.ntimers, 0);
	wf_step_free(&s);

	/* a transition without a target stays, and `*` spans the states */
	tev_init(&e, WF_EV_COMMAND, "paid", now);
	tev_fact(&e, "amount=1500");
	s = step(set, &c, &e.ev, now);
	ck_assert_int_eq(s.result, WF_APPLIED);
	ck_assert_uint_eq(s.nmoves, 0);
	ck_assert_str_eq(wf_case_var(&c, "a"), "1500");
	wf_step_free(&s);
	s = step(set, &c, &e.ev, now);
	ck_assert_str_eq(wf_case_var(&c, "a"), "3000");
	wf_step_free(&s);
	tev_free(&e);

	tev_init(&e, WF_EV_COMMAND, "reject", now);
	s = step(set, &c, &e.ev, now);
	CHECK_STR(moves(&s), "big -> done [command reject]");
	ck_assert_int_eq(s.closed, 1);
	wf_step_free(&s);
	/* a closed case answers nothing, even `*` */
	tev_init(&e, WF_EV_COMMAND, "paid", now);
	tev_fact(&e, "amount=1");
	s = step(set, &c, &e.ev, now);
	ck_assert_int_eq(s.result, WF_NOT_APPLICABLE);
	ck_assert_str_eq(s.why, "case T-1 is closed (done)");
	wf_step_free(&s);
	tev_free(&e);
	wf_case_free(&c);
	wf_case_free(&c2);
	wf_set_free(set);
}
END_TEST

static const char wf_parent[] =
	"workflow p\n"
	"open on form application\n"
	"var who n\n"
	"state s initial\n"
	"state w\n"
	"state done final\n"
	"on s enter -> w\n"
	"	set who = event.name\n"
	"	send applicant ok_hello\n"
	"	member status applicant\n"
	"	digest new_case\n"
	"on w command approve -> done\n"
	"	set n = count(join(case.who, \"x\"))\n"
	"	member category event.args[1]\n"
	"	member status active if case.n == 2\n"
	"	member status resigned if case.n != 2\n"
	"	open c with who = case.who, n = case.n * 10\n"
	"	decision \"approved: \" + case.who\n"
	"	digest info\n"
	"	send secretary ok_done\n";

static const char wf_child[] =
	"workflow c\n"
	"open by p if case.n > 5\n"
	"var who n\n"
	"state s initial\n";

START_TEST(every_action_kind_reaches_the_caller)
{
	struct wf_set *set = inline_set("p.wf", wf_parent, "c.wf", wf_child, NULL);
	struct cal_datetime now = dt(2026, 3, 2, 10);
	struct wf_case c, child;
	struct wf_step s, s2;
	struct tev e, o;
	struct clerk_err err;

	tev_init(&e, WF_EV_FORM, "application", now);
	tev_fact(&e, "name=Kari");
	open_case(set, &c, "p", "P-1", &e.ev, NULL, 0, now, &s);
	CHECK_STR(moves(&s), "(new) -> s [form application]; s -> w [form application]");
	CHECK_STR(outs(&s), "send applicant ok_hello; status applicant; digest new_case");
	ck_assert_str_eq(wf_case_var(&c, "who"), "Kari");
	wf_step_free(&s);
	tev_free(&e);

	tev_init(&e, WF_EV_COMMAND, "approve", now);
	e.args[0] = "P-1";
	e.args[1] = "student";
	e.ev.nargs = 2;
	s = step(set, &c, &e.ev, now);
	CHECK_STR(outs(&s), "category student; status active; open c who=Kari n=20; "
	    "decision approved: Kari; digest info; send secretary ok_done");
	ck_assert_uint_eq(s.nvars, 1);
	ck_assert_str_eq(s.vars[0].name, "n");
	ck_assert_str_eq(s.vars[0].value, "2");

	/* the opened case starts with the action's variables; its opener's
	 * guard sees them */
	tev_init(&o, WF_EV_OPEN, "p", now);
	ck_assert_int_eq(engine_open(set, set->profile, "c", "C-0", &o.ev, NULL, 0, now, &s2,
	    &err), 0);
	ck_assert_int_eq(s2.result, WF_NOT_APPLICABLE);
	ck_assert_str_eq(s2.why, "open p does not open a c case");
	wf_step_free(&s2);
	open_case(set, &child, "c", "C-1", &o.ev, s.out[2].with, s.out[2].nwith, now, &s2);
	ck_assert_str_eq(wf_case_var(&child, "who"), "Kari");
	ck_assert_str_eq(wf_case_var(&child, "n"), "20");
	CHECK_STR(moves(&s2), "(new) -> s [open p]");
	wf_step_free(&s2);
	wf_step_free(&s);
	/* a category that is not the profile's is an error naming the line */
	{
		struct wf_case c4;

		wf_case_init(&c4, "P-3", "p", "w", now.date);
		e.args[1] = "dragon";
		ck_assert_int_eq(engine_step(set, set->profile, &c4, &e.ev, now, &s, &err), -1);
		ck_assert_str_eq(err.msg, "p.wf:14: member category: \"dragon\" is not a "
		    "category of test");
		ck_assert_uint_eq(s.nout, 0);
		wf_case_free(&c4);
	}
	wf_case_free(&child);
	wf_case_free(&c);
	wf_set_free(set);
}
END_TEST

static const char wf_timers[] =
	"workflow t\n"						/* 1 */
	"open on form application\n"				/* 2 */
	"var when\n"						/* 3 */
	"state s initial\n"					/* 4 */
	"state w\n"						/* 5 */
	"state done final\n"					/* 6 */
	"on s enter -> w\n"					/* 7 */
	"	deadline d 14d working-day remind profile.dues.remind 30d\n"	/* 8 */
	"		escalate 7d\n"				/* 9 */
	"	deadline plain 14d\n"				/* 10 */
	"	deadline pfo next profile.dues.day\n"		/* 11 */
	"	deadline exam 3y from date(\"2026-01-31\") + 1m\n"	/* 12 */
	"	set when = case.deadline_d\n"			/* 13 */
	"on w command extend\n"					/* 14 */
	"	extend d event.args[1]\n"			/* 15 */
	"on w remind d\n"					/* 16 */
	"on w timer d\n"					/* 17 */
	"on w escalate d -> done\n"				/* 18 */
	"on w command reject\n"					/* 19 */
	"	clear plain\n"					/* 20 */
	"on w timer plain\n"					/* 21 */
	"on w timer pfo\n"					/* 22 */
	"on w timer exam\n";					/* 23 */

START_TEST(deadlines_reminders_and_escalation)
{
	struct wf_set *set = inline_set("t.wf", wf_timers, NULL);
	struct cal_datetime now = dt(2026, 12, 11, 9);
	struct wf_case c;
	struct wf_step s;
	struct tev e;

	tev_init(&e, WF_EV_FORM, "application", now);
	open_case(set, &c, "t", "T-1", &e.ev, NULL, 0, now, &s);
	/* 11 Dec + 14 d = Christmas Day, a Friday: moved over the holidays
	 * and the weekend to Monday 28 Dec, firing the next day at 08:00; the
	 * 30-day reminder would be before the event and is skipped; `plain`
	 * has no working-day and stays on the holiday. */
	CHECK_STR(timers(&c),
	    "deadline d 2026-12-29T08:00:00 (2026-12-28); "
	    "deadline exam 2029-03-01T08:00:00 (2029-02-28); "
	    "deadline pfo 2027-02-02T08:00:00 (2027-02-01); "
	    "deadline plain 2026-12-26T08:00:00 (2026-12-25); "
	    "escalate d 2027-01-05T08:00:00 (2026-12-28); "
	    "remind d#2 2026-12-21T08:00:00 (2026-12-28); "
	    "remind d#3 2026-12-27T08:00:00 (2026-12-28)");
	ck_assert_str_eq(wf_case_var(&c, "when"), "2026-12-28");
	wf_step_free(&s);

	/* `clear` removes a deadline and says why */
	tev_init(&e, WF_EV_COMMAND, "reject", now);
	s = step(set, &c, &e.ev, now);
	ck_assert_uint_eq(s.ntimers, 1);
	ck_assert_int_eq(s.timers[0].op, WF_TIMER_CLEAR);
	ck_assert_str_eq(s.timers[0].why, "cleared");
	ck_assert_str_eq(s.timers[0].timer.name, "plain");
	wf_step_free(&s);

	/* the due list: in time order, each once */
	{
		const struct wf_timer **due;
		size_t n = engine_timers_due(&c, dt(2026, 12, 27, 8), &due);

		ck_assert_uint_eq(n, 2);
		ck_assert_int_eq(due[0]->seq, 2);	/* #1 (30 days) was skipped */
		ck_assert_int_eq(due[1]->seq, 3);
		free(due);
		ck_assert_uint_eq(engine_timers_due(&c, dt(2026, 12, 21, 7), &due), 0);
		free(due);
	}
	{
		struct wf_event te;
		const struct wf_timer *t = NULL;

		for (size_t i = 0; i < c.ntimers; i++)
			if (c.timers[i].kind == WF_TIMER_REMIND && c.timers[i].seq == 2)
				t = &c.timers[i];
		wf_event_for_timer(t, &te);
		s = step(set, &c, &te, dt(2026, 12, 22, 0));
		ck_assert_int_eq(s.result, WF_APPLIED);
		ck_assert_uint_eq(s.ntimers, 1);
		ck_assert_int_eq(s.timers[0].op, WF_TIMER_FIRE);
		wf_step_free(&s);
		/* firing again: not applicable, nothing fires twice */
		for (size_t i = 0; i < c.ntimers; i++)
			if (c.timers[i].kind == WF_TIMER_REMIND && c.timers[i].seq == 2)
				t = &c.timers[i];
		wf_event_for_timer(t, &te);
		s = step(set, &c, &te, dt(2026, 12, 22, 0));
		ck_assert_int_eq(s.result, WF_NOT_APPLICABLE);
		ck_assert_str_eq(s.why, "remind d 2: the case has no such pending timer");
		ck_assert_uint_eq(s.ntimers, 0);
		wf_step_free(&s);
	}

	/* extend: the deadline moves, and its reminders (also the one that
	 * fired) and escalation follow from the new date */
	tev_init(&e, WF_EV_COMMAND, "extend", dt(2026, 12, 22, 10));
	e.args[0] = "T-1";
	e.args[1] = "10";
	e.ev.nargs = 2;
	s = step(set, &c, &e.ev, dt(2026, 12, 22, 10));
	CHECK_STR(timers(&c),
	    "deadline d 2027-01-08T08:00:00 (2027-01-07); "
	    "deadline exam 2029-03-01T08:00:00 (2029-02-28); "
	    "deadline pfo 2027-02-02T08:00:00 (2027-02-01); "
	    "escalate d 2027-01-15T08:00:00 (2027-01-07); "
	    "remind d#2 2026-12-31T08:00:00 (2027-01-07); "
	    "remind d#3 2027-01-06T08:00:00 (2027-01-07)");
	wf_step_free(&s);
	/* a bad number of days is an error naming the line */
	{
		struct clerk_err err;

		e.args[1] = "soon";
		ck_assert_int_eq(engine_step(set, set->profile, &c, &e.ev, now, &s, &err), -1);
		ck_assert_str_eq(err.msg, "t.wf:15: extend d: \"soon\" is not a number of days");
		e.args[1] = "-3";
		ck_assert_int_eq(engine_step(set, set->profile, &c, &e.ev, now, &s, &err), -1);
		ck_assert_str_eq(err.msg, "t.wf:15: extend d: -3 is not a positive number of days");
	}
	/* the deadline fires (kept, marked), then extending re-arms it */
	{
		struct wf_event te;
		const struct wf_timer *t = NULL;

		for (size_t i = 0; i < c.ntimers; i++)
			if (c.timers[i].kind == WF_TIMER_DEADLINE && strcmp(c.timers[i].name, "d") == 0)
				t = &c.timers[i];
		wf_event_for_timer(t, &te);
		s = step(set, &c, &te, dt(2027, 1, 8, 8));
		wf_step_free(&s);
		e.args[1] = "7";
		e.ev.at = dt(2027, 1, 9, 12);
		s = step(set, &c, &e.ev, dt(2027, 1, 9, 12));
		wf_step_free(&s);
		CHECK_STR(timers(&c),
		    "deadline d 2027-01-15T08:00:00 (2027-01-14); "
		    "deadline exam 2029-03-01T08:00:00 (2029-02-28); "
		    "deadline pfo 2027-02-02T08:00:00 (2027-02-01); "
		    "escalate d 2027-01-22T08:00:00 (2027-01-14); "
		    "remind d#3 2027-01-13T08:00:00 (2027-01-14)");	/* #2: past */
	}
	/* entering a final state clears every timer */
	{
		struct wf_event te;
		const struct wf_timer *t = NULL;

		for (size_t i = 0; i < c.ntimers; i++)
			if (c.timers[i].kind == WF_TIMER_ESCALATE)
				t = &c.timers[i];
		wf_event_for_timer(t, &te);
		s = step(set, &c, &te, dt(2027, 1, 22, 8));
		ck_assert_int_eq(s.closed, 1);
		ck_assert_uint_eq(c.ntimers, 0);
		for (size_t i = 1; i < s.ntimers; i++) {
			ck_assert_int_eq(s.timers[i].op, WF_TIMER_CLEAR);
			ck_assert_str_eq(s.timers[i].why, "final");
		}
		wf_step_free(&s);
	}
	wf_case_free(&c);
	wf_set_free(set);
}
END_TEST

START_TEST(enter_chains_go_and_loops)
{
	static const char chain[] =
	    "workflow t\nopen on form application\nvar n\n"
	    "state s initial\nstate check\nstate low\nstate high\nstate done final\n"
	    "on s enter -> check\n"
	    "on check enter\n"
	    "	set n = case.n + 1\n"
	    "	go high if event.attachments.scan > 1\n"
	    "	go low\n"
	    "	set n = 99\n"
	    "on low reply -> check\n"
	    "on high command approve -> done\n";
	static const char loop[] =
	    "workflow t\nopen on form application\n"
	    "state a initial\nstate b\n"
	    "on a enter -> b\n"
	    "on b enter\n"
	    "		-> a\n";
	static const char divzero[] =
	    "workflow t\nopen on form application\nvar n\n"
	    "state a initial\n"
	    "on a command approve\n"
	    "	set n = 10 / case.n\n";
	struct wf_set *set = inline_set("t.wf", chain, NULL);
	struct cal_datetime now = dt(2026, 3, 2, 10);
	struct wf_case c;
	struct wf_step s;
	struct tev e;
	struct clerk_err err;

	tev_init(&e, WF_EV_FORM, "application", now);
	open_case(set, &c, "t", "T-1", &e.ev, NULL, 0, now, &s);
	CHECK_STR(moves(&s), "(new) -> s [form application]; s -> check [form application]; "
	    "check -> low [form application]");
	ck_assert_int_eq(s.moves[2].line, 13);
	ck_assert_str_eq(wf_case_var(&c, "n"), "1");
	wf_step_free(&s);
	tev_init(&e, WF_EV_REPLY, NULL, now);
	tev_fact(&e, "attachments.scan=2");
	s = step(set, &c, &e.ev, now);
	CHECK_STR(moves(&s), "low -> check [reply]; check -> high [reply]");
	ck_assert_str_eq(wf_case_var(&c, "n"), "2");
	wf_step_free(&s);
	tev_free(&e);
	wf_case_free(&c);
	wf_set_free(set);

	set = inline_set("t.wf", loop, NULL);
	tev_init(&e, WF_EV_FORM, "application", now);
	ck_assert_int_eq(engine_open(set, set->profile, "t", "T-1", &e.ev, NULL, 0, now, &s, &err), -1);
	ck_assert_str_eq(err.msg, "t.wf:6: more than 32 states entered in one step: a loop of "
	    "`enter` transitions");
	wf_set_free(set);

	set = inline_set("t.wf", divzero, NULL);
	open_case(set, &c, "t", "T-1", &e.ev, NULL, 0, now, NULL);
	tev_init(&e, WF_EV_COMMAND, "approve", now);
	ck_assert_int_eq(engine_step(set, set->profile, &c, &e.ev, now, &s, &err), -1);
	ck_assert_str_eq(err.msg, "t.wf:6: 10 / case.n: division by zero");
	/* an unknown state in a stored case is an error, never a guess */
	free(c.state);
	c.state = xstrdup("vanished");
	ck_assert_int_eq(engine_step(set, set->profile, &c, &e.ev, now, &s, &err), -1);
	ck_assert_str_eq(err.msg, "case T-1: workflow t has no state vanished");
	wf_case_free(&c);
	wf_set_free(set);
}
END_TEST

static void
yearly_add(void *arg, const struct workflow *wf, struct cal_date d)
{
	char b[CAL_DATE_BUFSZ];

	buf_printf(arg, "%s %s;", wf->name, cal_date_format(d, b));
}

START_TEST(timer_text_roundtrip_and_yearly_openings)
{
	struct wf_timer t, back;
	struct clerk_err err;
	char *txt, *key;
	struct wf_set *set;

	memset(&t, 0, sizeof(t));
	t.kind = WF_TIMER_DEADLINE;
	t.name = xstrdup("complete");
	t.due = dt(2026, 3, 16, 8);
	t.date.year = 2026;
	t.date.month = 3;
	t.date.day = 15;
	t.working_day = 1;
	t.leads = xstrdup("7d,1m");
	t.has_escalate = 1;
	t.escalate.amount = 2;
	t.escalate.unit = CAL_WEEKS;
	txt = wf_timer_to_text(&t);
	ck_assert_str_eq(txt, "deadline complete 0 due=2026-03-16T08:00:00 date=2026-03-15 "
	    "fired=0 wd=1 leads=7d,1m esc=2w");
	ck_assert_int_eq(wf_timer_from_text(txt, &back, &err), 0);
	free(txt);
	txt = wf_timer_to_text(&back);
	ck_assert_str_eq(txt, "deadline complete 0 due=2026-03-16T08:00:00 date=2026-03-15 "
	    "fired=0 wd=1 leads=7d,1m esc=2w");
	free(txt);
	key = wf_timer_key(&back);
	ck_assert_str_eq(key, "complete");
	free(key);
	wf_timer_clear(&back);
	wf_timer_clear(&t);
	ck_assert_int_eq(wf_timer_from_text("remind x 1 due=2026-13-01T00:00:00 date=2026-01-01 "
	    "fired=0 wd=0 leads=- esc=-", &back, &err), -1);
	ck_assert_int_eq(wf_timer_from_text("remind x 2 due=2026-01-01T00:00:00 date=2026-01-09 "
	    "fired=1 wd=0 leads=- esc=-", &back, &err), 0);
	key = wf_timer_key(&back);
	ck_assert_str_eq(key, "x/remind/2");
	free(key);
	ck_assert_int_eq(back.fired, 1);
	ck_assert_ptr_null(back.leads);
	wf_timer_clear(&back);

	set = real_set("fgt");
	{
		struct buf b = BUF_INIT;
		struct cal_date a = { 2026, 1, 1 }, u = { 2028, 5, 15 };

		engine_yearly_due(set, a, u, yearly_add, &b);
		ck_assert_str_eq(buf_str(&b), "dues 2026-05-15;dues 2027-05-15;dues 2028-05-15;");
		buf_reset(&b);
		a.month = 5;
		a.day = 15;	/* after, not on: 15 May 2026 was done */
		engine_yearly_due(set, a, u, yearly_add, &b);
		ck_assert_str_eq(buf_str(&b), "dues 2027-05-15;dues 2028-05-15;");
		buf_free(&b);
	}
	wf_set_free(set);
}
END_TEST

/* ---- the real membership workflows ------------------------------------- */

/* Finds the first action of a kind in a step. */
static const struct wf_out *
find_out(const struct wf_step *s, enum wf_action_kind kind, const char *name)
{
	for (size_t i = 0; i < s->nout; i++)
		if (s->out[i].kind == kind && (name == NULL ||
		    (s->out[i].name && strcmp(s->out[i].name, name) == 0)))
			return &s->out[i];
	return NULL;
}

static void
fire(const struct wf_set *set, struct wf_case *c, enum wf_timer_kind kind, const char *name,
    int seq, struct wf_step *out, const struct wf_kv *facts, size_t nfacts)
{
	struct wf_event ev;
	const struct wf_timer *t = NULL;

	for (size_t i = 0; i < c->ntimers; i++)
		if (c->timers[i].kind == kind && c->timers[i].seq == seq &&
		    strcmp(c->timers[i].name, name) == 0 && !c->timers[i].fired)
			t = &c->timers[i];
	ck_assert_msg(t != NULL, "no pending timer %s %d in %s", name, seq, c->ref);
	wf_event_for_timer(t, &ev);
	ev.facts = facts;
	ev.nfacts = nfacts;
	*out = step(set, c, &ev, ev.at);
}

START_TEST(fgt_student_applies_is_reminded_and_approved)
{
	struct wf_set *set = real_set("fgt");
	struct cal_datetime now = dt(2026, 8, 10, 11);
	struct wf_case app, dues, dip;
	struct wf_step s;
	struct tev e;
	const struct wf_out *o;

	tev_init(&e, WF_EV_FORM, "application", now);
	tev_fact(&e, "name=Kari Nordmann");
	tev_fact(&e, "category=student");
	tev_fact(&e, "ethics=yes");
	tev_fact(&e, "exam_date=2027-06-15");
	tev_fact(&e, "signature=unsigned");
	tev_fact(&e, "language=nb");
	open_case(set, &app, "application", "FGT-2026-0001", &e.ev, NULL, 0, now, &s);
	CHECK_STR(moves(&s), "(new) -> received [form application]; "
	    "received -> checking [form application]; checking -> incomplete [form application]");
	CHECK_STR(outs(&s), "status applicant; send applicant application_received; "
	    "digest new_case; send applicant application_missing");
	ck_assert_str_eq(wf_case_var(&app, "need_signature"), "1");
	ck_assert_str_eq(wf_case_var(&app, "need_diploma"), "0");
	ck_assert_str_eq(wf_case_var(&app, "missing"), "");
	ck_assert_str_eq(wf_case_var(&app, "deadline"), "2026-08-24");
	CHECK_STR(timers(&app), "deadline complete 2026-08-25T08:00:00 (2026-08-24); "
	    "remind complete#1 2026-08-21T08:00:00 (2026-08-24)");
	wf_step_free(&s);
	tev_free(&e);

	fire(set, &app, WF_TIMER_REMIND, "complete", 1, &s, NULL, 0);
	CHECK_STR(outs(&s), "send applicant application_reminder");
	wf_step_free(&s);

	/* the signed form arrives as a scan */
	tev_init(&e, WF_EV_REPLY, NULL, dt(2026, 8, 22, 19));
	tev_fact(&e, "attachments.scan=1");
	s = step(set, &app, &e.ev, dt(2026, 8, 22, 19));
	CHECK_STR(moves(&s), "incomplete -> checking [reply]; checking -> with_secretary [reply]");
	CHECK_STR(outs(&s), "send secretary application_to_secretary; "
	    "digest decision_needed application complete");
	ck_assert_uint_eq(app.ntimers, 0);
	wf_step_free(&s);
	tev_free(&e);

	tev_init(&e, WF_EV_COMMAND, "approve", dt(2026, 8, 24, 9));
	e.args[0] = "FGT-2026-0001";
	e.ev.nargs = 1;
	s = step(set, &app, &e.ev, dt(2026, 8, 24, 9));
	CHECK_STR(outs(&s), "category student; status active; send applicant application_welcome; "
	    "decision approved as student; "
	    "open dues name=Kari Nordmann category=student half_year=1; "
	    "open diploma name=Kari Nordmann exam_date=2027-06-15");
	ck_assert_int_eq(s.closed, 1);

	/* the first invoice: 75 % of NOK 2500.00, halved after 1 July:
	 * 937.50, rounded to whole kroner (half away from zero) */
	{
		struct tev op;

		tev_init(&op, WF_EV_OPEN, "application", dt(2026, 8, 24, 9));
		o = find_out(&s, WF_ACT_OPEN, "dues");
		open_case(set, &dues, "dues", "FGT-2026-0002", &op.ev, o->with, o->nwith,
		    dt(2026, 8, 24, 9), NULL);
		ck_assert_str_eq(wf_case_var(&dues, "amount"), "93800");
		ck_assert_str_eq(wf_case_var(&dues, "transfer_text"), "FGT-2026-0002");
		ck_assert_str_eq(wf_case_var(&dues, "due_date"), "2026-09-07");
		o = find_out(&s, WF_ACT_OPEN, "diploma");
		open_case(set, &dip, "diploma", "FGT-2026-0003", &op.ev, o->with, o->nwith,
		    dt(2026, 8, 24, 9), NULL);
		/* FGT §4i: 3 years after the exam, moved off a Sunday */
		CHECK_STR(timers(&dip), "deadline diploma 2030-06-18T08:00:00 (2030-06-17); "
		    "remind diploma#1 2029-12-17T08:00:00 (2030-06-17); "
		    "remind diploma#2 2030-05-17T08:00:00 (2030-06-17)");
	}
	wf_step_free(&s);
	tev_free(&e);

	/* the board extends; the diploma comes, and the student becomes MFGT */
	tev_init(&e, WF_EV_COMMAND, "extend", dt(2027, 1, 5, 9));
	e.args[0] = "FGT-2026-0003";
	e.args[1] = "30";
	e.ev.nargs = 2;
	s = step(set, &dip, &e.ev, dt(2027, 1, 5, 9));
	CHECK_STR(outs(&s), "send member diploma_extended");
	ck_assert_str_eq(wf_case_var(&dip, "deadline"), "2030-07-17");
	wf_step_free(&s);
	tev_init(&e, WF_EV_REPLY, NULL, dt(2027, 7, 1, 9));
	tev_fact(&e, "attachments.scan=1");
	s = step(set, &dip, &e.ev, dt(2027, 7, 1, 9));
	CHECK_STR(outs(&s), "send secretary diploma_to_secretary; "
	    "digest decision_needed diploma received");
	wf_step_free(&s);
	tev_free(&e);
	tev_init(&e, WF_EV_COMMAND, "approve", dt(2027, 7, 2, 9));
	s = step(set, &dip, &e.ev, dt(2027, 7, 2, 9));
	CHECK_STR(outs(&s), "category mfgt; send member diploma_accepted; decision diploma accepted");
	ck_assert_uint_eq(dip.ntimers, 0);
	wf_step_free(&s);

	wf_case_free(&app);
	wf_case_free(&dues);
	wf_case_free(&dip);
	wf_set_free(set);
}
END_TEST

/* Opens a dues case as an approval would. */
static void
open_dues(const struct wf_set *set, struct wf_case *c, const char *ref, const char *name,
    const char *category, int half, struct cal_datetime at)
{
	struct wf_kv with[3] = {
		{ (char *)"name", (char *)name }, { (char *)"category", (char *)category },
		{ (char *)"half_year", (char *)(half ? "1" : "0") },
	};
	struct tev op;

	tev_init(&op, WF_EV_OPEN, "application", at);
	open_case(set, c, "dues", ref, &op.ev, with, 3, at, NULL);
}

START_TEST(dues_amounts_follow_the_profiles)
{
	struct wf_set *asrt = real_set("asrt"), *fgt = real_set("fgt"), *ntp = real_set("ntp");
	struct wf_case c;
	struct cal_datetime aug = dt(2026, 8, 12, 10);

	/* ASRT student joining in August: half of DKK 250 = DKK 125.00 */
	open_dues(asrt, &c, "ASRT-2026-0001", "Mette", "student", 1, aug);
	ck_assert_str_eq(wf_case_var(&c, "amount"), "12500");
	ck_assert_str_eq(wf_case_var(&c, "transfer_text"), "ASRT-Mette");
	ck_assert_str_eq(wf_case_var(&c, "insurance"), "no");
	wf_case_free(&c);
	open_dues(asrt, &c, "ASRT-2026-0002", "Mette", "therapist", 0, aug);
	ck_assert_str_eq(wf_case_var(&c, "amount"), "50000");
	wf_case_free(&c);
	/* FGT student: 75 % of NOK 2500.00 = 1875.00; supporting 50 % */
	open_dues(fgt, &c, "FGT-2026-0001", "Kari", "student", 0, aug);
	ck_assert_str_eq(wf_case_var(&c, "amount"), "187500");
	ck_assert_str_eq(wf_case_var(&c, "insurance"), "yes");
	wf_case_free(&c);
	open_dues(fgt, &c, "FGT-2026-0002", "Kari", "supporting", 1, aug);
	ck_assert_str_eq(wf_case_var(&c, "amount"), "62500");
	wf_case_free(&c);
	/* NTP honorary members pay nothing: the case closes at once */
	open_dues(ntp, &c, "NTP-2026-0001", "Anna", "honorary", 0, aug);
	ck_assert_str_eq(c.state, "waived");
	ck_assert_uint_eq(c.ntimers, 0);
	wf_case_free(&c);
	wf_set_free(asrt);
	wf_set_free(fgt);
	wf_set_free(ntp);
}
END_TEST

START_TEST(fgt_dues_unpaid_reminded_removed_then_settled)
{
	struct wf_set *set = real_set("fgt");
	struct wf_case c;
	struct wf_step s;
	struct tev e;

	open_dues(set, &c, "FGT-2026-0010", "Ola", "mfgt", 0, dt(2026, 5, 15, 8));
	ck_assert_str_eq(wf_case_var(&c, "amount"), "250000");
	CHECK_STR(timers(&c), "deadline due 2026-05-30T08:00:00 (2026-05-29); "
	    "remind due#1 2026-05-26T08:00:00 (2026-05-29)");
	fire(set, &c, WF_TIMER_REMIND, "due", 1, &s, NULL, 0);
	CHECK_STR(outs(&s), "send member dues_reminder");
	wf_step_free(&s);
	/* FGT §4c: on the due date's expiry, the insurance-lapse notice */
	fire(set, &c, WF_TIMER_DEADLINE, "due", 0, &s, NULL, 0);
	CHECK_STR(moves(&s), "invoiced -> overdue [timer due]");
	CHECK_STR(outs(&s), "send member dues_insurance_lapsed; digest unpaid; "
	    "send member dues_reminder");
	ck_assert_str_eq(wf_case_var(&c, "final_reminder"), "0");
	ck_assert_str_eq(wf_case_var(&c, "deadline"), "2026-06-13");
	wf_step_free(&s);
	fire(set, &c, WF_TIMER_DEADLINE, "dunning", 0, &s, NULL, 0);
	CHECK_STR(outs(&s), "send member dues_reminder");
	ck_assert_str_eq(wf_case_var(&c, "final_reminder"), "1");
	ck_assert_str_eq(wf_case_var(&c, "reminders"), "2");
	wf_step_free(&s);
	/* part paid: recorded, still owed */
	tev_init(&e, WF_EV_COMMAND, "paid", dt(2026, 6, 20, 9));
	tev_fact(&e, "amount=100000");
	s = step(set, &c, &e.ev, dt(2026, 6, 20, 9));
	CHECK_STR(outs(&s), "send member dues_receipt");
	ck_assert_str_eq(wf_case_var(&c, "owed"), "150000");
	wf_step_free(&s);
	tev_free(&e);
	fire(set, &c, WF_TIMER_DEADLINE, "dunning", 0, &s, NULL, 0);
	CHECK_STR(moves(&s), "overdue -> removed [timer dunning]");
	CHECK_STR(outs(&s), "status removed_nonpayment; send member dues_removed; digest removed");
	/* fired timers are kept (for `extend`) until the case closes */
	CHECK_STR(timers(&c), "deadline due 2026-05-30T08:00:00 (2026-05-29) fired; "
	    "deadline dunning 2026-06-29T08:00:00 (2026-06-28) fired; "
	    "remind due#1 2026-05-26T08:00:00 (2026-05-29) fired");
	wf_step_free(&s);
	tev_init(&e, WF_EV_COMMAND, "paid", dt(2026, 9, 1, 9));
	tev_fact(&e, "amount=150000");
	s = step(set, &c, &e.ev, dt(2026, 9, 1, 9));
	CHECK_STR(moves(&s), "removed -> settled [command paid]");
	ck_assert_uint_eq(c.ntimers, 0);
	wf_step_free(&s);
	tev_free(&e);
	wf_case_free(&c);

	/* paid in time: closed, and the reminders go with it */
	open_dues(set, &c, "FGT-2026-0011", "Per", "mfgt", 0, dt(2026, 5, 15, 8));
	tev_init(&e, WF_EV_COMMAND, "paid", dt(2026, 5, 20, 9));
	tev_fact(&e, "amount=250000");
	s = step(set, &c, &e.ev, dt(2026, 5, 20, 9));
	CHECK_STR(outs(&s), "send member dues_receipt; decision paid");
	ck_assert_str_eq(c.state, "paid");
	ck_assert_uint_eq(c.ntimers, 0);
	wf_step_free(&s);
	tev_free(&e);
	wf_case_free(&c);
	wf_set_free(set);
}
END_TEST

/* One dues case per member and year (FGT §4b): neither an approval nor
 * the yearly opening invoices a year the member has a case for; full dues
 * from the first invoice after the exam year; insurance words and notices
 * only for the insured categories (FGT §4c). */
static int
opens(const struct wf_set *set, enum wf_event_kind kind, const char *years, const char *status,
    struct cal_datetime at)
{
	struct wf_kv with[3] = {
		{ (char *)"name", (char *)"Kari" }, { (char *)"category", (char *)"student" },
		{ (char *)"half_year", (char *)"0" },
	};
	struct wf_step s;
	struct clerk_err err;
	struct tev e;
	char f[64];
	int applied;

	tev_init(&e, kind, kind == WF_EV_OPEN ? "application" : "dues", at);
	snprintf(f, sizeof(f), "years.dues=%s", years);
	tev_fact(&e, f);
	snprintf(f, sizeof(f), "member_status=%s", status);
	tev_fact(&e, f);
	tev_fact(&e, "member_category=student");
	ck_assert_msg(engine_open(set, set->profile, "dues", "FGT-2027-0099", &e.ev,
	    kind == WF_EV_OPEN ? with : NULL, kind == WF_EV_OPEN ? 3 : 0, at, &s, &err) == 0,
	    "%s", err.msg);
	applied = s.result == WF_APPLIED;
	wf_step_free(&s);
	tev_free(&e);
	return applied;
}

START_TEST(one_dues_case_a_year_full_rate_after_exam_insured_categories)
{
	struct wf_set *set = real_set("fgt");
	struct wf_case c;
	struct wf_step s;
	struct wf_kv with[3] = {
		{ (char *)"name", (char *)"Kari" }, { (char *)"category", (char *)"student" },
		{ (char *)"half_year", (char *)"0" },
	};
	struct tev e;

	/* Joined in March 2027 (invoiced for 2027): the 15 May opening
	 * passes her by; in 2028 it invoices her. */
	ck_assert(opens(set, WF_EV_OPEN, "", "active", dt(2027, 3, 10, 9)));
	ck_assert(!opens(set, WF_EV_YEARLY, "2027", "active", dt(2027, 5, 15, 8)));
	ck_assert(opens(set, WF_EV_YEARLY, "2027", "active", dt(2028, 5, 15, 8)));
	ck_assert(!opens(set, WF_EV_YEARLY, "2026,2028", "active", dt(2028, 5, 15, 8)));
	/* Re-joining in a year she was invoiced for: no second invoice. */
	ck_assert(!opens(set, WF_EV_OPEN, "2027", "active", dt(2027, 9, 1, 9)));
	/* Removed members are not invoiced. */
	ck_assert(!opens(set, WF_EV_YEARLY, "", "removed_nonpayment", dt(2028, 5, 15, 8)));

	/* Exam in June 2027: the 2027 invoice at the student rate, 2028's
	 * full (MFGT's), diploma or not. */
	tev_init(&e, WF_EV_YEARLY, "dues", dt(2027, 5, 15, 8));
	tev_fact(&e, "member_status=active");
	tev_fact(&e, "member_category=student");
	tev_fact(&e, "member_exam_date=2027-06-15");
	open_case(set, &c, "dues", "FGT-2027-0100", &e.ev, NULL, 0, dt(2027, 5, 15, 8), &s);
	ck_assert_str_eq(wf_case_var(&c, "rate"), "student");
	ck_assert_str_eq(wf_case_var(&c, "amount"), "187500");
	wf_step_free(&s);
	wf_case_free(&c);
	tev_free(&e);
	tev_init(&e, WF_EV_YEARLY, "dues", dt(2028, 5, 15, 8));
	tev_fact(&e, "member_status=active");
	tev_fact(&e, "member_category=student");
	tev_fact(&e, "member_exam_date=2027-06-15");
	open_case(set, &c, "dues", "FGT-2028-0100", &e.ev, NULL, 0, dt(2028, 5, 15, 8), &s);
	ck_assert_str_eq(wf_case_var(&c, "category"), "student");
	ck_assert_str_eq(wf_case_var(&c, "rate"), "mfgt");
	ck_assert_str_eq(wf_case_var(&c, "amount"), "250000");
	ck_assert_str_eq(wf_case_var(&c, "insurance"), "yes");
	wf_step_free(&s);
	/* Insured: the lapse notice at the due date, cover back when paid. */
	fire(set, &c, WF_TIMER_DEADLINE, "due", 0, &s, NULL, 0);
	CHECK_STR(outs(&s), "send member dues_insurance_lapsed; digest unpaid; "
	    "send member dues_reminder");
	wf_step_free(&s);
	tev_free(&e);
	tev_init(&e, WF_EV_COMMAND, "paid", dt(2028, 6, 5, 9));
	tev_fact(&e, "amount=250000");
	s = step(set, &c, &e.ev, dt(2028, 6, 5, 9));
	CHECK_STR(outs(&s), "send member dues_receipt; send member dues_insurance_restored; "
	    "decision paid");
	wf_step_free(&s);
	tev_free(&e);
	wf_case_free(&c);

	/* Supporting members are not insured: no insurance words, no notice. */
	with[1].value = (char *)"supporting";
	tev_init(&e, WF_EV_OPEN, "application", dt(2028, 5, 15, 8));
	open_case(set, &c, "dues", "FGT-2028-0101", &e.ev, with, 3, dt(2028, 5, 15, 8), NULL);
	ck_assert_str_eq(wf_case_var(&c, "insurance"), "no");
	fire(set, &c, WF_TIMER_DEADLINE, "due", 0, &s, NULL, 0);
	CHECK_STR(outs(&s), "digest unpaid; send member dues_reminder");
	wf_step_free(&s);
	tev_free(&e);
	tev_init(&e, WF_EV_COMMAND, "paid", dt(2028, 6, 5, 9));
	tev_fact(&e, "amount=125000");
	s = step(set, &c, &e.ev, dt(2028, 6, 5, 9));
	CHECK_STR(outs(&s), "send member dues_receipt; decision paid");
	wf_step_free(&s);
	tev_free(&e);
	wf_case_free(&c);
	wf_set_free(set);
}
END_TEST

/* FGT §4i: the 3 years count from the exam date the member reports; while
 * it is unknown no deadline runs and the member is asked for it. */
START_TEST(diploma_counts_from_the_reported_exam_date)
{
	struct wf_set *set = real_set("fgt");
	struct wf_kv with[2] = { { (char *)"name", (char *)"Kari" },
	    { (char *)"exam_date", (char *)"" } };
	struct wf_case c;
	struct wf_step s;
	struct tev e;

	tev_init(&e, WF_EV_OPEN, "application", dt(2026, 9, 1, 9));
	open_case(set, &c, "diploma", "FGT-2026-0200", &e.ev, with, 2, dt(2026, 9, 1, 9), &s);
	CHECK_STR(moves(&s), "(new) -> start [open application]; "
	    "start -> studying [open application]");
	CHECK_STR(outs(&s), "send member diploma_exam_date_asked");
	CHECK_STR(timers(&c), "deadline ask 2027-03-02T08:00:00 (2027-03-01)");
	ck_assert_int_eq(wf_case_deadline(&c, "diploma", &(struct cal_date){ 0, 0, 0 }), -1);
	wf_step_free(&s);
	tev_free(&e);
	/* Asked again half a year on. */
	fire(set, &c, WF_TIMER_DEADLINE, "ask", 0, &s, NULL, 0);
	CHECK_STR(outs(&s), "send member diploma_exam_date_asked");
	wf_step_free(&s);
	/* She reports it: 3 years from 15 June 2028 (a Thursday in 2031... the
	 * working-day rule moves a weekend). */
	tev_init(&e, WF_EV_REPLY, NULL, dt(2027, 4, 2, 10));
	tev_fact(&e, "exam_date=2028-06-15");
	s = step(set, &c, &e.ev, dt(2027, 4, 2, 10));
	CHECK_STR(moves(&s), "studying -> waiting [reply]");
	ck_assert_str_eq(wf_case_var(&c, "deadline"), "2031-06-16");
	ck_assert_str_eq(wf_case_var(&c, "exam_date_known"), "1");
	CHECK_STR(timers(&c), "deadline diploma 2031-06-17T08:00:00 (2031-06-16); "
	    "remind diploma#1 2030-12-16T08:00:00 (2031-06-16); "
	    "remind diploma#2 2031-05-16T08:00:00 (2031-06-16)");
	wf_step_free(&s);
	tev_free(&e);
	wf_case_free(&c);
	wf_set_free(set);
}
END_TEST

START_TEST(resignation_waits_for_unpaid_dues)
{
	struct wf_set *set = real_set("fgt");
	struct wf_case c;
	struct wf_step s;
	struct tev e;
	struct wf_kv owes = { (char *)"owed", (char *)"187500" };
	struct wf_kv clear = { (char *)"owed", (char *)"0" };

	tev_init(&e, WF_EV_FORM, "resignation", dt(2026, 9, 1, 12));
	tev_fact(&e, "name=Ola");
	tev_fact(&e, "owed=187500");
	tev_fact(&e, "member_status=active");
	tev_fact(&e, "signed_by_member=yes");
	open_case(set, &c, "resignation", "FGT-2026-0020", &e.ev, NULL, 0, dt(2026, 9, 1, 12), &s);
	/* FGT §11: 30 days after receipt */
	ck_assert_str_eq(wf_case_var(&c, "effective"), "2026-10-01");
	CHECK_STR(outs(&s), "send member resignation_received; digest info resignation received");
	wf_step_free(&s);
	tev_free(&e);
	fire(set, &c, WF_TIMER_DEADLINE, "effective", 0, &s, &owes, 1);
	CHECK_STR(moves(&s), "pending -> waiting_dues [timer effective]");
	CHECK_STR(outs(&s), "send member resignation_waiting_dues; "
	    "digest unpaid resignation waits for unpaid dues");
	wf_step_free(&s);
	fire(set, &c, WF_TIMER_DEADLINE, "recheck", 0, &s, &owes, 1);
	ck_assert_str_eq(c.state, "waiting_dues");
	wf_step_free(&s);
	fire(set, &c, WF_TIMER_DEADLINE, "recheck", 0, &s, &clear, 1);
	CHECK_STR(moves(&s), "waiting_dues -> resigned [timer recheck]");
	CHECK_STR(outs(&s), "status resigned; send member resignation_effective; digest resigned");
	ck_assert_uint_eq(c.ntimers, 0);
	wf_step_free(&s);
	wf_case_free(&c);
	wf_set_free(set);
}
END_TEST

/* Only the member's own resignation counts (DOMAIN §6): signed with the
 * pinned key it runs at once; with another key it is refused; unsigned it
 * waits for the confirming reply (counted from that day), lapses without
 * one, and may be withdrawn (signed at once, unsigned once confirmed). */
static void
resignation_open(struct wf_set *set, struct wf_case *c, const char *ref, const char *fact,
    struct cal_datetime at, struct wf_step *s)
{
	struct tev e;

	tev_init(&e, WF_EV_FORM, "resignation", at);
	tev_fact(&e, "name=Ola");
	tev_fact(&e, "owed=0");
	tev_fact(&e, "member_status=active");
	tev_fact(&e, fact);
	open_case(set, c, "resignation", ref, &e.ev, NULL, 0, at, s);
	tev_free(&e);
}

static struct wf_step
resignation_reply(struct wf_set *set, struct wf_case *c, const char *confirmation,
    const char *answer, const char *signed_by_member, struct cal_datetime at)
{
	struct wf_step s;
	struct tev e;
	char f[64];

	tev_init(&e, WF_EV_REPLY, NULL, at);
	snprintf(f, sizeof(f), "confirmation=%s", confirmation);
	tev_fact(&e, f);
	snprintf(f, sizeof(f), "answer=%s", answer);
	tev_fact(&e, f);
	snprintf(f, sizeof(f), "signed_by_member=%s", signed_by_member);
	tev_fact(&e, f);
	tev_fact(&e, "owed=0");
	s = step(set, c, &e.ev, at);
	tev_free(&e);
	return s;
}

START_TEST(resignation_only_by_the_member)
{
	struct wf_set *set = real_set("fgt");
	struct wf_case c;
	struct wf_step s;
	struct tev e;
	struct clerk_err err;

	/* Not a member: no case opens (the mail is kept for the secretary). */
	tev_init(&e, WF_EV_FORM, "resignation", dt(2026, 9, 1, 12));
	tev_fact(&e, "name=Ola");
	ck_assert_int_eq(engine_open(set, set->profile, "resignation", "FGT-2026-0030", &e.ev,
	    NULL, 0, dt(2026, 9, 1, 12), &s, &err), 0);
	ck_assert_int_ne(s.result, WF_APPLIED);
	wf_step_free(&s);
	tev_free(&e);

	/* Signed by another key: refused, the member told, nothing else. */
	resignation_open(set, &c, "FGT-2026-0031", "foreign_signature=yes", dt(2026, 9, 1, 12),
	    &s);
	CHECK_STR(moves(&s), "(new) -> received [form resignation]; "
	    "received -> refused [form resignation]");
	CHECK_STR(outs(&s), "send member resignation_refused; digest refused a resignation "
	    "signed with a key that is not the member's: nothing changed, the member was told");
	ck_assert_ptr_null(find_out(&s, WF_ACT_MEMBER_STATUS, NULL));
	wf_step_free(&s);
	wf_case_free(&c);

	/* Unsigned: a confirmation request; the reply with the token counts
	 * from its own day (2 October + 30 days). */
	resignation_open(set, &c, "FGT-2026-0032", "signed_by_member=no", dt(2026, 9, 1, 12), &s);
	CHECK_STR(moves(&s), "(new) -> received [form resignation]; "
	    "received -> unconfirmed [form resignation]");
	CHECK_STR(outs(&s), "confirm member resignation_confirm; "
	    "digest info resignation waits for the member's confirmation");
	wf_step_free(&s);
	/* A reply without a valid token, or one that says nothing: not taken. */
	s = resignation_reply(set, &c, "invalid", "confirm", "no", dt(2026, 9, 5, 9));
	ck_assert_int_ne(s.result, WF_APPLIED);
	wf_step_free(&s);
	s = resignation_reply(set, &c, "valid", "", "no", dt(2026, 9, 5, 9));
	ck_assert_int_ne(s.result, WF_APPLIED);
	wf_step_free(&s);
	s = resignation_reply(set, &c, "valid", "confirm", "no", dt(2026, 9, 10, 9));
	CHECK_STR(moves(&s), "unconfirmed -> pending [reply]");
	ck_assert_str_eq(wf_case_var(&c, "received"), "2026-09-10");
	ck_assert_str_eq(wf_case_var(&c, "effective"), "2026-10-10");
	CHECK_STR(outs(&s), "send member resignation_received; digest info resignation received");
	wf_step_free(&s);
	/* Withdrawn, unsigned: asked to confirm; "cancel" keeps it running;
	 * asked again and confirmed: withdrawn, no status change. */
	s = resignation_reply(set, &c, "none", "withdraw", "no", dt(2026, 9, 12, 9));
	ck_assert_int_eq(s.result, WF_APPLIED);
	CHECK_STR(outs(&s), "confirm member resignation_withdraw_confirm");
	ck_assert_str_eq(c.state, "pending");
	wf_step_free(&s);
	s = resignation_reply(set, &c, "valid", "cancel", "no", dt(2026, 9, 13, 9));
	ck_assert_str_eq(c.state, "pending");
	ck_assert_str_eq(wf_case_var(&c, "withdraw_asked"), "");
	wf_step_free(&s);
	s = resignation_reply(set, &c, "none", "withdraw", "no", dt(2026, 9, 14, 9));
	wf_step_free(&s);
	s = resignation_reply(set, &c, "valid", "confirm", "no", dt(2026, 9, 15, 9));
	CHECK_STR(moves(&s), "pending -> withdrawn [reply]");
	CHECK_STR(outs(&s), "send member resignation_withdrawn; "
	    "digest info resignation withdrawn by the member: the membership goes on");
	ck_assert_uint_eq(c.ntimers, 0);
	wf_step_free(&s);
	wf_case_free(&c);

	/* Unsigned and never confirmed: it lapses after confirm_within. */
	resignation_open(set, &c, "FGT-2026-0033", "signed_by_member=no", dt(2026, 9, 1, 12), &s);
	wf_step_free(&s);
	fire(set, &c, WF_TIMER_DEADLINE, "confirm", 0, &s, NULL, 0);
	CHECK_STR(moves(&s), "unconfirmed -> lapsed [timer confirm]");
	CHECK_STR(outs(&s), "digest info resignation not confirmed by the member in time: "
	    "it lapsed, nothing changed");
	ck_assert_ptr_null(find_out(&s, WF_ACT_MEMBER_STATUS, NULL));
	wf_step_free(&s);
	wf_case_free(&c);

	/* Signed by the member: withdrawn by a signed reply at once. */
	resignation_open(set, &c, "FGT-2026-0034", "signed_by_member=yes", dt(2026, 9, 1, 12), &s);
	wf_step_free(&s);
	s = resignation_reply(set, &c, "none", "withdraw", "yes", dt(2026, 9, 20, 9));
	CHECK_STR(moves(&s), "pending -> withdrawn [reply]");
	wf_step_free(&s);
	wf_case_free(&c);
	wf_set_free(set);
}
END_TEST

/* ---- a randomized run -------------------------------------------------- */

struct life {
	char	*key;		/* case ref + timer key */
	int	 fired;
};

struct model {
	struct life	*l;	/* the timers the model believes each case has */
	size_t		 n;
	long		 created, ended, fired;
};

static struct life *
model_find(struct model *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->l[i].key, key) == 0)
			return &m->l[i];
	return NULL;
}

static void
model_drop(struct model *m, struct life *l)
{
	free(l->key);
	*l = m->l[--m->n];
}

/* Applies a step's timer changes to the model, checking that no timer
 * appears, fires or disappears except as the engine says. */
static void
model_apply(struct model *m, const char *ref, const struct wf_step *s)
{
	for (size_t i = 0; i < s->ntimers; i++) {
		const struct wf_timer_change *tc = &s->timers[i];
		char *tk = wf_timer_key(&tc->timer), *key = xasprintf("%s %s", ref, tk);
		struct life *l = model_find(m, key);

		free(tk);
		switch (tc->op) {
		case WF_TIMER_SET:
			if (l != NULL) {
				/* only `extend` replaces a deadline in place */
				ck_assert_msg(strcmp(tc->why, "extended") == 0 &&
				    tc->timer.kind == WF_TIMER_DEADLINE, "%s set twice (%s)", key,
				    tc->why);
				m->ended++;
				l->fired = 0;
			} else {
				m->l = xrealloc(m->l, (m->n + 1) * sizeof(*m->l));
				m->l[m->n].key = key;
				m->l[m->n].fired = 0;
				m->n++;
				key = NULL;
			}
			m->created++;
			break;
		case WF_TIMER_FIRE:
			ck_assert_msg(l != NULL && !l->fired, "%s fired but not pending", key);
			l->fired = 1;
			m->fired++;
			break;
		case WF_TIMER_CLEAR:
			ck_assert_msg(l != NULL, "%s cleared but never set", key);
			ck_assert(strcmp(tc->why, "cleared") == 0 || strcmp(tc->why, "replaced") == 0 ||
			    strcmp(tc->why, "extended") == 0 || strcmp(tc->why, "final") == 0);
			model_drop(m, l);
			m->ended++;
			break;
		}
		free(key);
	}
}

/* The case's timers are exactly the model's, and hang together. */
static void
model_check_case(struct model *m, const struct wf_set *set, const struct wf_case *c)
{
	const struct workflow *wf = wf_find(set, c->workflow);
	int st = wf_state_index(wf, c->state);
	size_t in_model = 0, plen = strlen(c->ref);

	ck_assert_msg(st >= 0, "%s: undefined state %s", c->ref, c->state);
	if (wf->states[st].final)
		ck_assert_msg(c->ntimers == 0, "%s: closed with %zu timers", c->ref, c->ntimers);
	for (size_t i = 0; i < m->n; i++)
		if (strncmp(m->l[i].key, c->ref, plen) == 0 && m->l[i].key[plen] == ' ')
			in_model++;
	ck_assert_uint_eq(in_model, c->ntimers);
	for (size_t i = 0; i < c->ntimers; i++) {
		const struct wf_timer *t = &c->timers[i];
		char *tk = wf_timer_key(t), *key = xasprintf("%s %s", c->ref, tk);
		struct life *l = model_find(m, key);
		struct cal_date d;

		ck_assert_msg(l != NULL && l->fired == t->fired, "%s: timer %s unknown", c->ref, key);
		/* no reminder or escalation without its deadline */
		if (t->kind != WF_TIMER_DEADLINE)
			ck_assert_msg(wf_case_deadline(c, t->name, &d) == 0 &&
			    cal_date_cmp(d, t->date) == 0, "%s: orphan %s", c->ref, key);
		free(tk);
		free(key);
	}
}

struct sim {
	const struct wf_set	*set;
	struct wf_case		*cases;
	size_t			 ncases;
	int			 seq;		/* for references */
	const char *const	*own;		/* two categories of the profile */
	struct model		 model;
	long			 steps, not_applicable, errors, opened;
};

/* "profile:workflow:state;" for every state the random run entered */
static struct buf reached = BUF_INIT;

static void
sim_take(struct sim *sm, struct wf_case *c, const struct wf_step *s)
{
	/* a valid chain of moves, each between states of the workflow */
	const struct workflow *wf = wf_find(sm->set, c->workflow);
	const char *prev = c->state;

	for (size_t i = 0; i < s->nmoves; i++) {
		char *k = xasprintf("%s:%s:%s;", sm->set->profile->name, c->workflow,
		    s->moves[i].to);

		if (strstr(buf_str(&reached), k) == NULL)
			buf_append_str(&reached, k);
		free(k);
		ck_assert_int_ge(wf_state_index(wf, s->moves[i].to), 0);
		if (s->moves[i].from != NULL)
			ck_assert_str_eq(s->moves[i].from, prev ? prev : "");
		prev = s->moves[i].to;
	}
	if (s->nmoves > 0)
		ck_assert_str_eq(s->state, prev);
	model_apply(&sm->model, c->ref, s);
	wf_case_apply(c, s);
	model_check_case(&sm->model, sm->set, c);
}

static void sim_opened(struct sim *sm, const struct wf_case *parent, const struct wf_step *s,
    struct cal_datetime at);

static struct wf_case *
sim_new_case(struct sim *sm)
{
	sm->cases = xrealloc(sm->cases, (sm->ncases + 1) * sizeof(*sm->cases));
	return &sm->cases[sm->ncases++];
}

static void
sim_opened(struct sim *sm, const struct wf_case *parent, const struct wf_step *s,
    struct cal_datetime at)
{
	/* the parent may live in sm->cases, which grows below */
	char *pwf = xstrdup(parent->workflow);

	for (size_t i = 0; i < s->nout; i++) {
		const struct wf_out *o = &s->out[i];
		struct wf_step cs;
		struct clerk_err err;
		struct tev op;
		struct wf_case *c;
		char ref[32];

		if (o->kind != WF_ACT_OPEN)
			continue;
		tev_init(&op, WF_EV_OPEN, pwf, at);
		snprintf(ref, sizeof(ref), "X-%d", ++sm->seq);
		ck_assert_msg(engine_open(sm->set, sm->set->profile, o->name, ref, &op.ev, o->with,
		    o->nwith, at, &cs, &err) == 0, "%s", err.msg);
		ck_assert_msg(cs.result == WF_APPLIED, "open %s: %s", o->name, cs.why);
		c = sim_new_case(sm);
		wf_case_init(c, ref, o->name, NULL, at.date);
		sim_take(sm, c, &cs);
		sm->opened++;
		wf_step_free(&cs);
	}
	free(pwf);
}

static unsigned long rng_state;

static unsigned
rnd(unsigned n)
{
	/* xorshift64*: a fixed seed gives the same run everywhere */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)(((rng_state * 2685821657736338717ULL) >> 33) % n);
}

static struct cal_datetime
add_hours(struct cal_datetime t, int h)
{
	long total = t.hour + h;

	t.date = cal_add_days(t.date, (int)(total / 24));
	t.hour = (int)(total % 24);
	return t;
}

/* Someone new writes: an application (mostly) or a resignation, with
 * random facts. */
static void
sim_new_person(struct sim *sm, struct cal_datetime now)
{
	static const char *const cats[] = { "mfgt", "student", "therapist", "register",
	    "honorary", "supporting", "dragon" };
	const char *wf = rnd(5) ? "application" : "resignation";
	struct tev e;
	struct wf_step s;
	struct clerk_err err;
	struct wf_case *c, copy;
	char f[64], ref[32];

	snprintf(ref, sizeof(ref), "X-%d", ++sm->seq);
	tev_init(&e, WF_EV_FORM, wf, now);
	snprintf(f, sizeof(f), "category=%s", rnd(4) == 0 ? cats[rnd(7)] : sm->own[rnd(2)]);
	tev_fact(&e, f);
	tev_fact(&e, rnd(4) ? "name=Test Person" : "name=");
	tev_fact(&e, rnd(3) ? "ethics=yes" : "ethics=no");
	tev_fact(&e, rnd(2) ? "attest=yes" : "attest=no");
	tev_fact(&e, rnd(2) ? "signature=good" : "signature=unsigned");
	tev_fact(&e, "signed_by_sender=yes");
	tev_fact(&e, "member_status=active");
	tev_fact(&e, rnd(3) == 0 ? "foreign_signature=yes" : rnd(2) ? "signed_by_member=yes" :
	    "signed_by_member=no");
	snprintf(f, sizeof(f), "attachments.scan=%u", rnd(3));
	tev_fact(&e, f);
	snprintf(f, sizeof(f), "exam_date=20%02u-0%u-1%u", 20 + rnd(10), 1 + rnd(9), rnd(9));
	tev_fact(&e, rnd(3) ? f : "exam_date=");
	ck_assert_int_eq(engine_open(sm->set, sm->set->profile, wf, ref, &e.ev, NULL, 0, now,
	    &s, &err), 0);
	ck_assert_int_eq(s.result, WF_APPLIED);
	c = sim_new_case(sm);
	wf_case_init(c, ref, wf, NULL, now.date);
	sim_take(sm, c, &s);
	wf_case_init(&copy, c->ref, c->workflow, c->state, c->opened);
	sim_opened(sm, &copy, &s, now);
	wf_case_free(&copy);
	sm->steps++;
	wf_step_free(&s);
	tev_free(&e);
}

/* One random event for a random case (or the earliest due timer). */
static void
sim_event(struct sim *sm, struct cal_datetime *now)
{
	static const char *const cats[] = { "mfgt", "student", "therapist", "register",
	    "honorary", "supporting", "dragon", "" };
	static const char *const verbs[] = { "approve", "reject", "request", "paid", "extend",
	    "note", "admit" };
	size_t ci = 0;
	const struct wf_timer *t = NULL;
	struct cal_datetime best = { { 0, 0, 0 }, 0, 0, 0 };
	struct tev e;
	struct wf_step s;
	struct clerk_err err;
	char amount[32], days[16], owed[32];
	int rc;

	if (rnd(10) < 4) {
		/* the daemon's part: the earliest due timer of all cases */
		for (size_t i = 0; i < sm->ncases; i++) {
			const struct wf_timer **due;
			struct cal_datetime far = add_hours(*now, 24 * 400);
			size_t n = engine_timers_due(&sm->cases[i], far, &due);

			if (n > 0 && (t == NULL || cal_datetime_cmp(due[0]->due, best) < 0)) {
				t = due[0];
				best = due[0]->due;
				ci = i;
			}
			free(due);
		}
	}
	if (t != NULL) {
		if (cal_datetime_cmp(best, *now) > 0)
			*now = best;
		tev_init(&e, WF_EV_TIMER, NULL, best);
		wf_event_for_timer(t, &e.ev);
		e.ev.facts = e.facts;
		snprintf(owed, sizeof(owed), "owed=%u", rnd(3) == 0 ? rnd(300000) : 0);
		tev_fact(&e, owed);
	} else {
		if (sm->ncases == 0)
			return;
		const struct wf_transition *pick = NULL;
		int kind;

		size_t open_idx[256], nopen = 0;

		/* a case still open (or, now and then, any case) */
		for (size_t i = 0; i < sm->ncases && nopen < 256; i++) {
			const struct workflow *w = wf_find(sm->set, sm->cases[i].workflow);

			if (!w->states[wf_state_index(w, sm->cases[i].state)].final)
				open_idx[nopen++] = i;
		}
		if (nopen == 0 || rnd(15) == 0) {
			/* all done, or now and then: someone new writes */
			sim_new_person(sm, *now);
			return;
		}
		if (rnd(20) == 0)
			ci = rnd((unsigned)sm->ncases);	/* a closed one, maybe */
		else
			ci = open_idx[rnd((unsigned)nopen)];
		*now = add_hours(*now, (int)rnd(24 * 10));
		/* mostly an event the case's state has a line for, so that the
		 * walk goes deep; else anything at all */
		if (rnd(10) < 7) {
			const struct workflow *wf = wf_find(sm->set, sm->cases[ci].workflow);
			int st = wf_state_index(wf, sm->cases[ci].state);
			size_t cand[64], nc = 0;

			for (size_t i = 0; i < wf->ntrans && nc < 64; i++) {
				const struct wf_transition *tr = &wf->trans[i];
				int here = tr->any && !wf->states[st].final;

				for (size_t k = 0; k < tr->nfrom; k++)
					here |= tr->from[k] == st;
				if (here && (tr->ev == WF_EV_FORM || tr->ev == WF_EV_REPLY ||
				    tr->ev == WF_EV_COMMAND))
					cand[nc++] = i;
			}
			if (nc > 0)
				pick = &wf->trans[cand[rnd((unsigned)nc)]];
		}
		kind = pick == NULL ? (int)rnd(4) : pick->ev == WF_EV_REPLY ? 0 :
		    pick->ev == WF_EV_FORM ? 1 : 2;
		switch (kind) {
		case 0:
			tev_init(&e, WF_EV_REPLY, NULL, *now);
			snprintf(amount, sizeof(amount), "attachments.scan=%u", rnd(3));
			tev_fact(&e, amount);
			tev_fact(&e, rnd(2) ? "signature=good" : "signature=unsigned");
			tev_fact(&e, "signed_by_sender=yes");
			tev_fact(&e, rnd(2) ? "confirmation=valid" : "confirmation=none");
			tev_fact(&e, rnd(3) == 0 ? "answer=withdraw" : rnd(2) ? "answer=confirm" :
			    "answer=cancel");
			break;
		case 1:
			tev_init(&e, WF_EV_FORM, pick ? pick->ev_name : rnd(2) ? "application" :
			    "payment", *now);
			tev_fact(&e, rnd(2) ? "ethics=yes" : "ethics=no");
			snprintf(amount, sizeof(amount), "category=%s", cats[rnd(8)]);
			tev_fact(&e, amount);
			break;
		default:
			tev_init(&e, WF_EV_COMMAND, pick ? pick->ev_name : verbs[rnd(7)], *now);
			e.args[0] = sm->cases[ci].ref;
			snprintf(days, sizeof(days), "%d", (int)rnd(60) - 5);
			e.args[1] = rnd(3) == 0 ? cats[rnd(8)] : rnd(6) == 0 ? "soon" : days;
			e.ev.nargs = rnd(3) == 0 ? 1 : 2;
			snprintf(amount, sizeof(amount), "amount=%u", rnd(300000));
			tev_fact(&e, amount);
			tev_fact(&e, "text=a reason");
			break;
		}
		snprintf(owed, sizeof(owed), "owed=%u", rnd(3) == 0 ? rnd(300000) : 0);
		tev_fact(&e, owed);
	}
	rc = engine_step(sm->set, sm->set->profile, &sm->cases[ci], &e.ev, *now, &s, &err);
	sm->steps++;
	if (rc == -1) {
		/* a run-time error names the workflow line, and changes nothing */
		ck_assert_msg(strstr(err.msg, ".wf:") != NULL, "%s", err.msg);
		sm->errors++;
	} else {
		struct wf_case *c = &sm->cases[ci];
		struct wf_case parent;

		if (s.result == WF_NOT_APPLICABLE) {
			sm->not_applicable++;
			ck_assert_ptr_nonnull(s.why);
			ck_assert_uint_eq(s.nmoves + s.nout + s.nvars, 0);
		}
		wf_case_init(&parent, c->ref, c->workflow, c->state, c->opened);
		sim_take(sm, c, &s);
		sim_opened(sm, &parent, &s, *now);
		wf_case_free(&parent);
		wf_step_free(&s);
	}
	tev_free(&e);
}

START_TEST(random_sequences_never_lose_a_state_or_a_deadline)
{
	static const char *const profiles[] = { "fgt", "asrt", "ntp" };
	static const char *const own[3][2] = { { "mfgt", "student" },
	    { "therapist", "student" }, { "register", "aspirant" } };
	const char *env = getenv("CHECK_ENGINE_SEQUENCES");
	long nseq = env && *env ? atol(env) : 10000;
	struct wf_set *sets[3];
	long steps = 0, na = 0, errors = 0, opened = 0, fired = 0;

	for (int i = 0; i < 3; i++)
		sets[i] = real_set(profiles[i]);
	rng_state = 0x5eed2026ULL;
	for (long seq = 0; seq < nseq; seq++) {
		struct sim sm;
		struct cal_datetime now = dt(2026, 1 + (int)rnd(12), 1 + (int)rnd(28), (int)rnd(24));

		memset(&sm, 0, sizeof(sm));
		sm.set = sets[seq % 3];
		sm.own = own[seq % 3];
		sim_new_person(&sm, now);
		for (int k = 0; k < 50; k++)
			sim_event(&sm, &now);
		/* every timer ever set was cleared, or is still there (fired or not) */
		ck_assert_int_eq(sm.model.created, sm.model.ended + (long)sm.model.n);
		steps += sm.steps;
		na += sm.not_applicable;
		errors += sm.errors;
		opened += sm.opened;
		fired += sm.model.fired;
		for (size_t i = 0; i < sm.ncases; i++)
			wf_case_free(&sm.cases[i]);
		free(sm.cases);
		for (size_t i = 0; i < sm.model.n; i++)
			free(sm.model.l[i].key);
		free(sm.model.l);
	}
	/* the run went places: every state of every workflow, opened cases,
	 * fired timers, refused events */
	for (size_t w = 0; w < sets[0]->nwf; w++) {
		const struct workflow *wf = sets[0]->wf[w];

		for (size_t i = 0; i < wf->nstates; i++) {
			int found = 0;

			for (int p = 0; p < 3; p++) {
				char *k = xasprintf("%s:%s:%s;", profiles[p], wf->name,
				    wf->states[i].name);

				found |= strstr(buf_str(&reached), k) != NULL;
				free(k);
			}
			ck_assert_msg(nseq < 1000 || found, "never reached %s %s", wf->name,
			    wf->states[i].name);
		}
	}
	buf_free(&reached);
	ck_assert_int_eq(steps, nseq * 51);
	ck_assert_int_gt(opened, nseq / 10);
	ck_assert_int_gt(fired, nseq);
	ck_assert_int_gt(na, nseq);
	ck_assert_int_gt(errors, 0);
	for (int i = 0; i < 3; i++)
		wf_set_free(sets[i]);
}
END_TEST

/* ---- a year with two weeks of downtime --------------------------------- */

struct fired_log {
	struct buf	lines;		/* "ref key due" per line, in firing order */
	long		count;
};

/* The daemon's timer pass: while some timer is due, fire the earliest (due
 * time, then case, then timer order), apply, and look again. */
static void
daemon_timers(struct sim *sm, struct cal_datetime now, struct fired_log *log)
{
	for (;;) {
		const struct wf_timer *t = NULL;
		size_t ci = 0;
		struct wf_event ev;
		struct wf_step s;
		struct clerk_err err;
		char *tk;

		for (size_t i = 0; i < sm->ncases; i++) {
			const struct wf_timer **due;
			size_t n = engine_timers_due(&sm->cases[i], now, &due);

			if (n > 0 && (t == NULL || cal_datetime_cmp(due[0]->due, t->due) < 0)) {
				t = due[0];
				ci = i;
			}
			free(due);
		}
		if (t == NULL)
			return;
		wf_event_for_timer(t, &ev);
		tk = wf_timer_key(t);
		buf_printf(&log->lines, "%s %s %s\n", sm->cases[ci].ref, tk, dstr(t->due));
		free(tk);
		log->count++;
		ck_assert_msg(engine_step(sm->set, sm->set->profile, &sm->cases[ci], &ev, now, &s,
		    &err) == 0, "%s", err.msg);
		ck_assert_int_eq(s.timers[0].op, WF_TIMER_FIRE);
		sim_take(sm, &sm->cases[ci], &s);
		wf_step_free(&s);
	}
}

static void
sim_step(struct sim *sm, size_t ci, const struct wf_event *ev, struct cal_datetime now)
{
	struct wf_step s;
	struct clerk_err err;

	ck_assert_msg(engine_step(sm->set, sm->set->profile, &sm->cases[ci], ev, now, &s,
	    &err) == 0, "%s", err.msg);
	sim_take(sm, &sm->cases[ci], &s);
	wf_step_free(&s);
}

static void
sim_open_dues(struct sim *sm, const char *ref, const char *category, int half,
    struct cal_datetime at)
{
	struct wf_kv with[3] = {
		{ (char *)"name", (char *)"Member" }, { (char *)"category", (char *)category },
		{ (char *)"half_year", (char *)(half ? "1" : "0") },
	};
	struct wf_step s;
	struct clerk_err err;
	struct tev op;
	struct wf_case *c;

	tev_init(&op, WF_EV_OPEN, "application", at);
	ck_assert_int_eq(engine_open(sm->set, sm->set->profile, "dues", ref, &op.ev, with, 3, at,
	    &s, &err), 0);
	ck_assert_int_eq(s.result, WF_APPLIED);
	c = sim_new_case(sm);
	wf_case_init(c, ref, "dues", NULL, at.date);
	sim_take(sm, c, &s);
	wf_step_free(&s);
}

static int
in_window(struct cal_datetime t, struct cal_datetime from, struct cal_datetime to)
{
	return cal_datetime_cmp(t, from) >= 0 && cal_datetime_cmp(t, to) < 0;
}

/* Runs 2026 hour by hour. Three members join every Monday at 10:00 from
 * February (a dues case each); member i pays 5, 25 or 40 days after
 * joining at 12:00, or never (i % 4). Nobody writes during [quiet_from,
 * quiet_to), so that runs with and without downtime see the same mail;
 * the daemon is off during [off, on). */
static void
run_year(const struct wf_set *set, struct cal_datetime quiet_from,
    struct cal_datetime quiet_to, struct cal_datetime off, struct cal_datetime on,
    struct fired_log *log, long *fired_at_restart, struct buf *restart_order)
{
	static const int pay_after[] = { 5, 25, 40, -1 };
	struct sim sm;
	struct cal_datetime now = dt(2026, 1, 1, 0), end = dt(2027, 1, 1, 0);
	int joined = 0;

	memset(&sm, 0, sizeof(sm));
	sm.set = set;
	*fired_at_restart = 0;
	for (; cal_datetime_cmp(now, end) < 0; now = add_hours(now, 1)) {
		long before = log->count;
		size_t at = log->lines.len;

		if (in_window(now, off, on))
			continue;
		daemon_timers(&sm, now, log);
		if (cal_datetime_cmp(now, on) == 0) {
			*fired_at_restart = log->count - before;
			buf_append(restart_order, log->lines.data + at, log->lines.len - at);
		}
		if (in_window(now, quiet_from, quiet_to))
			continue;
		if (now.hour == 10 && cal_weekday(now.date) == 1 && now.date.month >= 2)
			for (int k = 0; k < 3; k++) {
				char ref[32];

				snprintf(ref, sizeof(ref), "M-%03d", joined);
				sim_open_dues(&sm, ref, joined % 3 ? "mfgt" : "student",
				    now.date.month > 6, now);
				joined++;
			}
		if (now.hour == 12)
			for (size_t i = 0; i < sm.ncases; i++) {
				struct wf_case *c = &sm.cases[i];
				int after = pay_after[i % 4];
				struct tev e;
				char amount[40];

				if (after < 0 || cal_days_between(c->opened, now.date) != after)
					continue;
				tev_init(&e, WF_EV_COMMAND, "paid", now);
				snprintf(amount, sizeof(amount), "amount=%s", wf_case_var(c, "amount"));
				tev_fact(&e, amount);
				sim_step(&sm, i, &e.ev, now);
				tev_free(&e);
			}
	}
	/* nothing set was lost: every timer was cleared, or is still there */
	ck_assert_int_eq(sm.model.created, sm.model.ended + (long)sm.model.n);
	for (size_t i = 0; i < sm.ncases; i++)
		wf_case_free(&sm.cases[i]);
	free(sm.cases);
	for (size_t i = 0; i < sm.model.n; i++)
		free(sm.model.l[i].key);
	free(sm.model.l);
}

START_TEST(a_year_with_two_weeks_of_downtime_fires_each_timer_once_in_order)
{
	struct wf_set *set = real_set("fgt");
	struct fired_log a = { BUF_INIT, 0 }, b = { BUF_INIT, 0 };
	struct buf order_a = BUF_INIT, order_b = BUF_INIT;
	long restart_a, restart_b;
	struct cal_datetime never = dt(2030, 1, 1, 0);
	struct cal_datetime off = dt(2026, 6, 1, 0), on = dt(2026, 6, 15, 0);

	run_year(set, off, on, never, never, &a, &restart_a, &order_a);
	run_year(set, off, on, off, on, &b, &restart_b, &order_b);

	/* the downtime changed nothing but when the timers fired */
	ck_assert_int_gt(a.count, 200);
	ck_assert_str_eq(buf_str(&a.lines), buf_str(&b.lines));
	/* each timer fired once: no line twice */
	{
		char *copy = xstrdup(buf_str(&b.lines)), *save = NULL;
		size_t n = 0, cap = 0;
		char **seen = NULL;

		for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			for (size_t i = 0; i < n; i++)
				ck_assert_msg(strcmp(seen[i], l) != 0, "fired twice: %s", l);
			seen = xgrow(seen, &cap, n + 1, sizeof(*seen));
			seen[n++] = l;
		}
		ck_assert_int_eq((long)n, b.count);
		free(seen);
		free(copy);
	}
	/* at restart, every timer due in the two weeks fired, in due order */
	ck_assert_int_gt(restart_b, 10);
	{
		char *copy = xstrdup(buf_str(&order_b)), *save = NULL, prev[32] = "";
		long n = 0;

		for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			const char *due = strrchr(l, ' ') + 1;

			ck_assert_msg(strcmp(prev, due) <= 0, "out of order: %s after %s", due, prev);
			ck_assert_msg(strcmp(due, "2026-06-01T00:00:00") >= 0 &&
			    strcmp(due, "2026-06-15T00:00:00") <= 0, "not due in the gap: %s", l);
			snprintf(prev, sizeof(prev), "%s", due);
			n++;
		}
		ck_assert_int_eq(n, restart_b);
		free(copy);
	}
	/* and the same timers fired one by one while the daemon ran */
	{
		const char *from = strstr(buf_str(&a.lines), buf_str(&order_b));

		ck_assert_ptr_nonnull(from);
	}
	buf_free(&a.lines);
	buf_free(&b.lines);
	buf_free(&order_a);
	buf_free(&order_b);
	wf_set_free(set);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, guards_pick_the_first_matching_transition);
	tcase_add_test(tc, every_action_kind_reaches_the_caller);
	tcase_add_test(tc, deadlines_reminders_and_escalation);
	tcase_add_test(tc, enter_chains_go_and_loops);
	tcase_add_test(tc, timer_text_roundtrip_and_yearly_openings);
	tcase_add_test(tc, fgt_student_applies_is_reminded_and_approved);
	tcase_add_test(tc, dues_amounts_follow_the_profiles);
	tcase_add_test(tc, fgt_dues_unpaid_reminded_removed_then_settled);
	tcase_add_test(tc, one_dues_case_a_year_full_rate_after_exam_insured_categories);
	tcase_add_test(tc, diploma_counts_from_the_reported_exam_date);
	tcase_add_test(tc, resignation_waits_for_unpaid_dues);
	tcase_add_test(tc, resignation_only_by_the_member);
	tcase_add_test(tc, random_sequences_never_lose_a_state_or_a_deadline);
	tcase_add_test(tc, a_year_with_two_weeks_of_downtime_fires_each_timer_once_in_order);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
