/* The lines of a workflow that say what happens: `on` lines, `open`
 * declarations and the action lines under an `on`. */
#include "workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wf_parse.h"
#include "xmalloc.h"

/* A deadline's time: 14d, 2m, 02-01, next 02-01, profile.x.y (a duration,
 * day or spec), next profile.x.y (a day). */
static int
parse_when(struct parser *ps, struct cur *c, struct wf_when *out)
{
	struct clerk_err e;
	int next = wfp_accept(c, "next");
	char *w = wfp_word(c);
	int rc = -1;

	if (w == NULL) {
		ERR(ps, "deadline: a time is missing (14d, 2m, next 02-01, profile.x.y)");
		return -1;
	}
	if (strncmp(w, "profile.", 8) == 0) {
		const struct profile_value *pv = wfp_profile_ref(ps, w);

		if (pv == NULL)
			goto out;
		if (pv->type == PV_DURATION && !next) {
			out->spec.kind = CAL_SPEC_DURATION;
			out->spec.dur = pv->dur;
		} else if ((pv->type == PV_DAY || pv->type == PV_SPEC) &&
		    cal_spec_parse(pv->text, &out->spec, &e) == 0 &&
		    (!next || out->spec.kind == CAL_SPEC_FIXED)) {
			/* resolved */
		} else {
			ERR(ps, "%s is of type %s, not a %s", w + 8, pv_type_name(pv->type),
			    next ? "day (MM-DD)" : "duration or day");
			goto out;
		}
	} else if (cal_spec_parse(w, &out->spec, &e) == -1 ||
	    (next && out->spec.kind != CAL_SPEC_FIXED)) {
		ERR(ps, "deadline: %s is not a duration (14d, 2m) or a day (next 02-01)", w);
		goto out;
	} else if (out->spec.kind == CAL_SPEC_DURATION && out->spec.dur.amount < 0) {
		ERR(ps, "deadline: %s is negative", w);
		goto out;
	}
	rc = 0;
out:
	free(w);
	return rc;
}

/* One duration or a profile duration(s) key; appends to *leads. */
static int
parse_durations(struct parser *ps, const char *w, struct cal_duration **leads,
    size_t *n, int only_one)
{
	struct clerk_err e;
	struct cal_duration d;

	if (strncmp(w, "profile.", 8) == 0) {
		const struct profile_value *pv = wfp_profile_ref(ps, w);
		const char *p;

		if (pv == NULL)
			return -1;
		if (pv->type == PV_DURATION) {
			*leads = xrealloc(*leads, (*n + 1) * sizeof(**leads));
			(*leads)[(*n)++] = pv->dur;
			return 0;
		}
		if (pv->type != PV_DURATIONS || only_one) {
			ERR(ps, "%s is of type %s, not a duration", w + 8, pv_type_name(pv->type));
			return -1;
		}
		for (p = pv->list; *p;) {
			const char *end = strchr(p, ',');
			char *item = xstrndup(p, end ? (size_t)(end - p) : strlen(p));

			if (cal_duration_parse(item, &d, &e) == 0) {
				*leads = xrealloc(*leads, (*n + 1) * sizeof(**leads));
				(*leads)[(*n)++] = d;
			}
			free(item);
			p = end ? end + 1 : p + strlen(p);
		}
		return 0;
	}
	if (cal_duration_parse(w, &d, &e) == -1 || d.amount < 0) {
		ERR(ps, "%s is not a duration (7d, 2w, 1m)", w);
		return -1;
	}
	*leads = xrealloc(*leads, (*n + 1) * sizeof(**leads));
	(*leads)[(*n)++] = d;
	return 0;
}

static int
is_deadline_keyword(struct cur *c)
{
	return wfp_peek(c, "from") || wfp_peek(c, "working-day") || wfp_peek(c, "remind") ||
	    wfp_peek(c, "escalate") || wfp_peek(c, "if");
}

static int
parse_deadline(struct parser *ps, struct cur *c, struct wf_action *a)
{
	a->name = wfp_word(c);
	if (a->name == NULL || !wfp_ident_ok(a->name)) {
		ERR(ps, "deadline: a name (a-z 0-9 _) is expected");
		return -1;
	}
	if (parse_when(ps, c, &a->when) == -1)
		return -1;
	for (;;) {
		if (wfp_accept(c, "from")) {
			if (a->from != NULL) {
				ERR(ps, "deadline: `from` given twice");
				return -1;
			}
			if ((a->from = wfp_expr(ps, c, 0)) == NULL)
				return -1;
		} else if (wfp_accept(c, "working-day"))
			a->working_day = 1;
		else if (wfp_accept(c, "remind")) {
			char *w;

			if (is_deadline_keyword(c) || wfp_at_end(c)) {
				ERR(ps, "remind: at least one lead time is expected");
				return -1;
			}
			while (!wfp_at_end(c) && !is_deadline_keyword(c)) {
				int rc;

				w = wfp_word(c);
				rc = parse_durations(ps, w, &a->leads, &a->nleads, 0);
				free(w);
				if (rc == -1)
					return -1;
			}
		} else if (wfp_accept(c, "escalate")) {
			struct cal_duration *one = NULL;
			size_t n = 0;
			char *w = wfp_word(c);
			int rc;

			if (w == NULL) {
				ERR(ps, "escalate: a time after the deadline is expected");
				return -1;
			}
			rc = parse_durations(ps, w, &one, &n, 1);
			free(w);
			if (rc == 0) {
				a->has_escalate = 1;
				a->escalate = one[0];
			}
			free(one);
			if (rc == -1)
				return -1;
		} else
			break;
	}
	return wfp_cond_tail(ps, c, &a->cond);
}

static int
parse_open_action(struct parser *ps, struct cur *c, struct wf_action *a)
{
	a->name = wfp_word(c);
	if (a->name == NULL || !wfp_ident_ok(a->name)) {
		ERR(ps, "open: a workflow name is expected");
		return -1;
	}
	if (wfp_accept(c, "with")) {
		for (;;) {
			struct wf_assign as = { NULL, NULL };
			const char *eq;

			wfp_skip_ws(c);
			eq = strchr(c->p, '=');
			if (eq == NULL) {
				ERR(ps, "open ... with: `name = value` is expected");
				return -1;
			}
			as.var = xstrndup(c->p, (size_t)(eq - c->p));
			for (char *e = as.var + strlen(as.var); e > as.var &&
			    (e[-1] == ' ' || e[-1] == '\t');)
				*--e = '\0';
			if (!wfp_ident_ok(as.var)) {
				ERR(ps, "open ... with: bad variable name '%s'", as.var);
				free(as.var);
				return -1;
			}
			c->p = eq + 1;
			if ((as.value = wfp_expr(ps, c, 0)) == NULL) {
				free(as.var);
				return -1;
			}
			a->with = xrealloc(a->with, (a->nwith + 1) * sizeof(*a->with));
			a->with[a->nwith++] = as;
			wfp_skip_ws(c);
			if (*c->p != ',')
				break;
			c->p++;
		}
	}
	return wfp_cond_tail(ps, c, &a->cond);
}

/* `member status removed` (a word) or `member category event.args[1]`. */
static int
parse_member(struct parser *ps, struct cur *c, struct wf_action *a)
{
	const char *save;
	char *w;

	if (wfp_accept(c, "status"))
		a->kind = WF_ACT_MEMBER_STATUS;
	else if (wfp_accept(c, "category"))
		a->kind = WF_ACT_MEMBER_CATEGORY;
	else {
		ERR(ps, "member: `status` or `category` is expected");
		return -1;
	}
	wfp_skip_ws(c);
	save = c->p;
	w = wfp_word(c);
	if (w == NULL) {
		ERR(ps, "member: a value is expected");
		return -1;
	}
	if (wfp_ident_ok(w) && strcmp(w, "if") != 0) {
		a->word = w;
		return wfp_cond_tail(ps, c, &a->cond);
	}
	free(w);
	c->p = save;
	if ((a->value = wfp_expr(ps, c, 0)) == NULL)
		return -1;
	return wfp_cond_tail(ps, c, &a->cond);
}

static const char *const action_words[] = {
	"send", "confirm", "deadline", "clear", "extend", "set", "member", "open",
	"decision", "digest", "go",
};

int
wfp_action(struct parser *ps, struct wf_transition *t, const char *text)
{
	struct cur c = { text };
	struct wf_action a;
	char *verb = wfp_word(&c);
	int rc = -1;

	memset(&a, 0, sizeof(a));
	a.line = ps->line;
	a.go_state = -1;
	if (strcmp(verb, "send") == 0 || strcmp(verb, "confirm") == 0) {
		a.kind = verb[0] == 's' ? WF_ACT_SEND : WF_ACT_CONFIRM;
		a.role = wfp_word(&c);
		a.name = wfp_word(&c);
		if (a.role == NULL || a.name == NULL || !wfp_ident_ok(a.role) ||
		    !wfp_ident_ok(a.name)) {
			ERR(ps, "%s: `%s <role> <template>` is expected", verb, verb);
			goto out;
		}
		rc = wfp_cond_tail(ps, &c, &a.cond);
	} else if (strcmp(verb, "deadline") == 0) {
		a.kind = WF_ACT_DEADLINE;
		rc = parse_deadline(ps, &c, &a);
	} else if (strcmp(verb, "clear") == 0 || strcmp(verb, "extend") == 0) {
		a.kind = verb[0] == 'c' ? WF_ACT_CLEAR : WF_ACT_EXTEND;
		a.name = wfp_word(&c);
		if (a.name == NULL || !wfp_ident_ok(a.name)) {
			ERR(ps, "%s: a deadline name is expected", verb);
			goto out;
		}
		if (a.kind == WF_ACT_EXTEND && (wfp_at_end(&c) || wfp_peek(&c, "if"))) {
			ERR(ps, "extend: the days (or a duration) are expected");
			goto out;
		}
		if (a.kind == WF_ACT_EXTEND && (a.value = wfp_expr(ps, &c, 0)) == NULL)
			goto out;
		rc = wfp_cond_tail(ps, &c, &a.cond);
	} else if (strcmp(verb, "set") == 0) {
		const char *eq;

		a.kind = WF_ACT_SET;
		wfp_skip_ws(&c);
		eq = strchr(c.p, '=');
		if (eq == NULL || eq[1] == '=') {
			ERR(ps, "set: `set <variable> = <value>` is expected");
			goto out;
		}
		a.name = xstrndup(c.p, (size_t)(eq - c.p));
		for (char *e = a.name + strlen(a.name); e > a.name &&
		    (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		if (a.name[0] == '\0') {
			ERR(ps, "set: `set <variable> = <value>` is expected");
			goto out;
		}
		if (!wfp_ident_ok(a.name)) {
			ERR(ps, "set: bad variable name '%s'", a.name);
			goto out;
		}
		c.p = eq + 1;
		if ((a.value = wfp_expr(ps, &c, 0)) == NULL)
			goto out;
		rc = wfp_cond_tail(ps, &c, &a.cond);
	} else if (strcmp(verb, "member") == 0)
		rc = parse_member(ps, &c, &a);
	else if (strcmp(verb, "open") == 0) {
		a.kind = WF_ACT_OPEN;
		rc = parse_open_action(ps, &c, &a);
	} else if (strcmp(verb, "decision") == 0) {
		a.kind = WF_ACT_DECISION;
		if (wfp_at_end(&c) || wfp_peek(&c, "if")) {
			ERR(ps, "decision: a text is expected");
			goto out;
		}
		if ((a.value = wfp_expr(ps, &c, 0)) == NULL)
			goto out;
		rc = wfp_cond_tail(ps, &c, &a.cond);
	} else if (strcmp(verb, "digest") == 0) {
		a.kind = WF_ACT_DIGEST;
		a.name = wfp_word(&c);
		if (a.name == NULL || !wfp_ident_ok(a.name)) {
			ERR(ps, "digest: an item kind is expected");
			goto out;
		}
		if (!wfp_at_end(&c) && !wfp_peek(&c, "if") &&
		    (a.value = wfp_expr(ps, &c, 0)) == NULL)
			goto out;
		rc = wfp_cond_tail(ps, &c, &a.cond);
	} else if (strcmp(verb, "go") == 0) {
		a.kind = WF_ACT_GO;
		a.name = wfp_word(&c);
		if (a.name == NULL || (a.go_state = wf_state_index(ps->wf, a.name)) == -1) {
			ERR(ps, "go: unknown state %s", a.name ? a.name : "(none)");
			goto out;
		}
		rc = wfp_cond_tail(ps, &c, &a.cond);
	} else {
		struct buf known = BUF_INIT;

		for (size_t i = 0; i < sizeof(action_words) / sizeof(action_words[0]); i++)
			buf_printf(&known, "%s%s", i ? ", " : "", action_words[i]);
		ERR(ps, "unknown action %s (actions: %s)", verb, buf_str(&known));
		buf_free(&known);
	}
out:
	free(verb);
	if (rc == -1) {
		wfp_action_clear(&a);
		return -1;
	}
	t->actions = xrealloc(t->actions, (t->nactions + 1) * sizeof(*t->actions));
	t->actions[t->nactions++] = a;
	return 0;
}

/* The event of an `on` line or an `open on` line. */
static int
parse_event(struct parser *ps, struct cur *c, enum wf_event_kind *kind, char **name)
{
	static const struct {
		const char *w;
		enum wf_event_kind k;
		int named;
	} evs[] = {
		{ "enter", WF_EV_ENTER, 0 }, { "reply", WF_EV_REPLY, 0 },
		{ "form", WF_EV_FORM, 1 }, { "command", WF_EV_COMMAND, 1 },
		{ "timer", WF_EV_TIMER, 1 }, { "remind", WF_EV_REMIND, 1 },
		{ "escalate", WF_EV_ESCALATE, 1 },
	};
	char *w = wfp_word(c);

	*name = NULL;
	for (size_t i = 0; w && i < sizeof(evs) / sizeof(evs[0]); i++) {
		if (strcmp(w, evs[i].w) != 0)
			continue;
		free(w);
		*kind = evs[i].k;
		if (!evs[i].named)
			return 0;
		*name = wfp_word(c);
		if (*name == NULL || !wfp_ident_ok(*name)) {
			ERR(ps, "%s: a name is expected", evs[i].w);
			free(*name);
			*name = NULL;
			return -1;
		}
		return 0;
	}
	ERR(ps, "unknown event %s (events: enter, reply, form <name>, command <verb>, "
	    "timer <name>, remind <name>, escalate <name>)", w ? w : "(none)");
	free(w);
	return -1;
}

/* Finds "->" outside quotes; NULL if none. */
static char *
find_arrow(char *s)
{
	int inq = 0;
	char *found = NULL;

	for (char *p = s; *p; p++) {
		if (inq && *p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			inq = !inq;
		else if (!inq && p[0] == '-' && p[1] == '>')
			found = p;
	}
	return found;
}

struct wf_transition *
wfp_on(struct parser *ps, char *text)
{
	struct wf_transition t;
	struct cur c;
	char *arrow = find_arrow(text);

	memset(&t, 0, sizeof(t));
	t.line = ps->line;
	t.to = -1;
	if (arrow != NULL) {
		struct cur tc = { arrow + 2 };
		char *target = wfp_word(&tc);

		*arrow = '\0';
		if (target == NULL || !wfp_at_end(&tc) ||
		    (t.to = wf_state_index(ps->wf, target)) == -1) {
			ERR(ps, "-> unknown state %s", target ? target : "(none)");
			free(target);
			return NULL;
		}
		free(target);
	}
	c.p = text;
	/* the states: "*", "a", "a,b", "a, b" */
	for (;;) {
		char *w = wfp_word(&c), *p, *save;
		int more;

		if (w == NULL) {
			ERR(ps, "on: states and an event are expected");
			goto fail;
		}
		more = w[strlen(w) - 1] == ',';
		wfp_skip_ws(&c);
		if (*c.p == ',') {
			more = 1;
			c.p++;
		}
		for (p = w; p != NULL; p = save) {
			int idx;

			if ((save = strchr(p, ',')) != NULL)
				*save++ = '\0';
			if (*p == '\0')
				continue;
			if (strcmp(p, "*") == 0) {
				t.any = 1;
				continue;
			}
			if ((idx = wf_state_index(ps->wf, p)) == -1) {
				ERR(ps, "unknown state %s", p);
				free(w);
				goto fail;
			}
			t.from = xrealloc(t.from, (t.nfrom + 1) * sizeof(*t.from));
			t.from[t.nfrom++] = idx;
		}
		free(w);
		if (!more)
			break;
	}
	if (parse_event(ps, &c, &t.ev, &t.ev_name) == -1)
		goto fail;
	if (wfp_cond_tail(ps, &c, &t.guard) == -1)
		goto fail;
	ps->wf->trans = xgrow(ps->wf->trans, &ps->cap_trans, ps->wf->ntrans + 1,
	    sizeof(*ps->wf->trans));
	ps->wf->trans[ps->wf->ntrans] = t;
	return &ps->wf->trans[ps->wf->ntrans++];
fail:
	free(t.from);
	free(t.ev_name);
	expr_free(t.guard);
	return NULL;
}

void
wfp_open_decl(struct parser *ps, struct cur *c)
{
	struct wf_opener op;
	struct clerk_err e;

	memset(&op, 0, sizeof(op));
	op.line = ps->line;
	if (wfp_accept(c, "on")) {
		char *w = wfp_word(c);

		if (w != NULL && strcmp(w, "form") == 0)
			op.kind = WF_EV_FORM;
		else if (w != NULL && strcmp(w, "command") == 0)
			op.kind = WF_EV_COMMAND;
		else {
			ERR(ps, "open on: `form <name>` or `command <verb>` is expected");
			free(w);
			return;
		}
		free(w);
		op.name = wfp_word(c);
		if (op.name == NULL || !wfp_ident_ok(op.name)) {
			ERR(ps, "open on: a name is expected");
			goto fail;
		}
	} else if (wfp_accept(c, "every")) {
		char *w;

		if (!wfp_accept(c, "year") || !wfp_accept(c, "on")) {
			ERR(ps, "open every: `open every year on <MM-DD | profile.x.y>` is expected");
			return;
		}
		op.kind = WF_EV_YEARLY;
		op.name = xstrdup(ps->wf->name);
		w = wfp_word(c);
		if (w != NULL && strncmp(w, "profile.", 8) == 0) {
			const struct profile_value *pv = wfp_profile_ref(ps, w);

			if (pv == NULL) {
				free(w);
				goto fail;
			}
			if (pv->type != PV_DAY || cal_fixed_parse(pv->text, &op.day, &e) == -1) {
				ERR(ps, "%s is of type %s, not a day (MM-DD)", w + 8,
				    pv_type_name(pv->type));
				free(w);
				goto fail;
			}
		} else if (w == NULL || cal_fixed_parse(w, &op.day, &e) == -1) {
			ERR(ps, "open every year on: %s is not a day (MM-DD)", w ? w : "(none)");
			free(w);
			goto fail;
		}
		free(w);
	} else if (wfp_accept(c, "by")) {
		op.kind = WF_EV_OPEN;
		op.name = wfp_word(c);
		if (op.name == NULL || !wfp_ident_ok(op.name)) {
			ERR(ps, "open by: a workflow name is expected");
			goto fail;
		}
	} else {
		ERR(ps, "open: `open on form|command <name>`, `open every year on <day>` or "
		    "`open by <workflow>` is expected");
		return;
	}
	if (wfp_cond_tail(ps, c, &op.guard) == -1)
		goto fail;
	ps->wf->openers = xgrow(ps->wf->openers, &ps->cap_open, ps->wf->nopeners + 1,
	    sizeof(*ps->wf->openers));
	ps->wf->openers[ps->wf->nopeners++] = op;
	return;
fail:
	free(op.name);
	expr_free(op.guard);
}
