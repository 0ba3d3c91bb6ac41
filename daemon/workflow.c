/* The workflow definition parser: workflows/<name>.wf text into a struct
 * workflow. Names local to the file (states, `go` targets, profile keys
 * in deadline specs) are resolved here; wf_check.c cross-checks the set. */
#include "workflow.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* A cursor over one logical line. */
struct cur {
	const char	*p;
};

struct parser {
	struct wf_set	*set;
	struct workflow	*wf;
	const char	*path;
	struct buf	*diag;
	int		 count;
	int		 line;
	size_t		 cap_trans, cap_states, cap_vars, cap_open;
};

#define ERR(ps, ...) wfp_diag((ps)->diag, &(ps)->count, (ps)->path, (ps)->line, __VA_ARGS__)

static void	wfp_diag(struct buf *d, int *count, const char *file, int line,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int	wfp_ident_ok(const char *s);
static void	wfp_skip_ws(struct cur *c);
static int	wfp_at_end(struct cur *c);
/* The next white-space separated word (copied), or NULL at the end. */
static char	*wfp_word(struct cur *c);
/* 1 (and consumed) when the next word is exactly w. */
static int	wfp_accept(struct cur *c, const char *w);
static int	wfp_peek(struct cur *c, const char *w);
/* An expression at the cursor; to_end: the rest of the line. */
static struct expr *wfp_expr(struct parser *ps, struct cur *c, int to_end);
/* An optional trailing `if <expr>`; -1 on a problem or stray text. */
static int	wfp_cond_tail(struct parser *ps, struct cur *c, struct expr **cond);
/* profile.section.key in a deadline or opener, resolved now. */
static const struct profile_value *wfp_profile_ref(struct parser *ps, const char *w);
static void	wfp_action_clear(struct wf_action *a);

/* wf_parse.c */
static int	wfp_action(struct parser *ps, struct wf_transition *t, const char *text);
static struct wf_transition *wfp_on(struct parser *ps, char *text);
static void	wfp_open_decl(struct parser *ps, struct cur *c);

/* ---- small helpers ----------------------------------------------------- */

static void
wfp_diag(struct buf *d, int *count, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
wfp_diag(struct buf *d, int *count, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	(*count)++;
	if (d == NULL)
		return;
	buf_printf(d, "%s:%d: ", file, line);
	va_start(ap, fmt);
	buf_vprintf(d, fmt, ap);
	va_end(ap);
	buf_append_char(d, '\n');
}

int
wf_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	if (list == NULL || n == 0)
		return 0;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && strncmp(p, item, n) == 0)
			return 1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

const char *
wf_event_kind_name(enum wf_event_kind k)
{
	switch (k) {
	case WF_EV_ENTER: return "enter";
	case WF_EV_FORM: return "form";
	case WF_EV_REPLY: return "reply";
	case WF_EV_COMMAND: return "command";
	case WF_EV_TIMER: return "timer";
	case WF_EV_REMIND: return "remind";
	case WF_EV_ESCALATE: return "escalate";
	case WF_EV_YEARLY: return "yearly";
	case WF_EV_OPEN: return "open";
	}
	return "?";
}

static int
wfp_ident_ok(const char *s)
{
	if (!islower((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static void
wfp_skip_ws(struct cur *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n')
		c->p++;
}

static int
wfp_at_end(struct cur *c)
{
	wfp_skip_ws(c);
	return *c->p == '\0';
}

/* The next white-space separated word (copied), or NULL at the end. */
static char *
wfp_word(struct cur *c)
{
	const char *s;

	wfp_skip_ws(c);
	if (*c->p == '\0')
		return NULL;
	s = c->p;
	while (*c->p && *c->p != ' ' && *c->p != '\t' && *c->p != '\n')
		c->p++;
	return xstrndup(s, (size_t)(c->p - s));
}

/* 1 (and consumed) when the next word is exactly w. */
static int
wfp_accept(struct cur *c, const char *w)
{
	size_t n = strlen(w);

	wfp_skip_ws(c);
	if (strncmp(c->p, w, n) == 0 && (c->p[n] == '\0' || c->p[n] == ' ' ||
	    c->p[n] == '\t' || c->p[n] == '\n')) {
		c->p += n;
		return 1;
	}
	return 0;
}

static int
wfp_peek(struct cur *c, const char *w)
{
	const char *save = c->p;
	int r = wfp_accept(c, w);

	c->p = save;
	return r;
}

/* ---- logical lines ----------------------------------------------------- */

struct lline {
	char	*text;		/* owned: comments removed, continuation joined */
	int	 line;		/* first physical line */
	int	 indented;
};

/* Removes a comment: '#' at the start or after white space, outside quotes. */
static void
strip_comment(char *s)
{
	int inq = 0;

	for (char *p = s; *p; p++) {
		if (inq && *p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			inq = !inq;
		else if (!inq && *p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	}
}

static int
paren_depth(const char *s, int depth)
{
	int inq = 0;

	for (; *s; s++) {
		if (inq && *s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (*s == '"')
			inq = !inq;
		else if (!inq && (*s == '(' || *s == '['))
			depth++;
		else if (!inq && (*s == ')' || *s == ']'))
			depth--;
	}
	return depth;
}

static int
starts_with_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	return strncmp(s, w, n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == '\t');
}

static int
ends_with_word(const char *s, const char *w)
{
	size_t n = strlen(w), len = strlen(s);

	return len >= n && strcmp(s + len - n, w) == 0 &&
	    (len == n || s[len - n - 1] == ' ' || s[len - n - 1] == '\t');
}

/* A physical line continues the logical line before it when that one is
 * unfinished (an open parenthesis, a trailing comma, operator, `and`, `or`
 * or `not`), or when it begins with an operator or a word that can only
 * go on a line: and, or, if, ->, remind, escalate, from, working-day. */
static int
continues(const char *prev, const char *line, int depth)
{
	static const char *const starts[] = {
		"and", "or", "if", "->", "remind", "escalate", "from", "working-day",
	};
	size_t len = strlen(prev);
	char last = len ? prev[len - 1] : '\0';

	if (depth > 0)
		return 1;
	if (last == ',' || last == '+' || last == '-' || last == '*' || last == '/' ||
	    last == '%' || last == '=' || last == '<' || last == '>' ||
	    ends_with_word(prev, "and") || ends_with_word(prev, "or") ||
	    ends_with_word(prev, "not"))
		return 1;
	if (strchr("+-*/%=<>!", line[0]) != NULL)
		return 1;
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (starts_with_word(line, starts[i]) ||
		    (strcmp(starts[i], "->") == 0 && strncmp(line, "->", 2) == 0))
			return 1;
	return 0;
}

/* Splits text into logical lines: comments and blank lines dropped, and
 * continuation lines (see continues()) joined to the line they continue. */
static struct lline *
split_lines(const char *text, size_t len, size_t *n)
{
	char *copy = xstrndup(text, len), *line, *next;
	struct lline *out = NULL;
	size_t cap = 0;
	int lineno = 0, depth = 0;

	*n = 0;
	for (line = copy; line != NULL; line = next) {
		char *e, *s;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		strip_comment(line);
		e = line + strlen(line);
		while (e > line && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			continue;
		if (*n > 0 && continues(out[*n - 1].text, s, depth)) {
			char *joined = xasprintf("%s %s", out[*n - 1].text, s);

			free(out[*n - 1].text);
			out[*n - 1].text = joined;
			depth = paren_depth(s, depth);
			continue;
		}
		out = xgrow(out, &cap, *n + 1, sizeof(*out));
		out[*n].text = xstrdup(s);
		out[*n].line = lineno;
		out[*n].indented = s != line;
		(*n)++;
		depth = paren_depth(s, 0);
	}
	free(copy);
	return out;
}

/* ---- freeing ----------------------------------------------------------- */

static void
wfp_action_clear(struct wf_action *a)
{
	expr_free(a->cond);
	free(a->role);
	free(a->name);
	expr_free(a->value);
	free(a->word);
	expr_free(a->from);
	free(a->leads);
	for (size_t i = 0; i < a->nwith; i++) {
		free(a->with[i].var);
		expr_free(a->with[i].value);
	}
	free(a->with);
}

static void
workflow_free(struct workflow *wf)
{
	if (wf == NULL)
		return;
	for (size_t i = 0; i < wf->nstates; i++)
		free(wf->states[i].name);
	free(wf->states);
	for (size_t i = 0; i < wf->nvars; i++)
		free(wf->vars[i]);
	free(wf->vars);
	free(wf->var_lines);
	for (size_t i = 0; i < wf->ntrans; i++) {
		struct wf_transition *t = &wf->trans[i];

		free(t->from);
		free(t->ev_name);
		expr_free(t->guard);
		for (size_t k = 0; k < t->nactions; k++)
			wfp_action_clear(&t->actions[k]);
		free(t->actions);
	}
	free(wf->trans);
	for (size_t i = 0; i < wf->nopeners; i++) {
		free(wf->openers[i].name);
		expr_free(wf->openers[i].guard);
	}
	free(wf->openers);
	free(wf->name);
	free(wf->path);
	free(wf);
}

void
wf_vocab_clear(struct wf_vocab *v)
{
	free(v->forms);
	free(v->commands);
	free(v->facts);
	free(v->roles);
	free(v->statuses);
	free(v->digest);
	memset(v, 0, sizeof(*v));
}

struct wf_set *
wf_set_new(struct profile *profile, struct profile_schema *schema,
    struct wf_vocab *vocab, struct cal_holidays *holidays)
{
	struct wf_set *set = xcalloc(1, sizeof(*set));
	long long hour = 0;
	int move = 0;

	set->profile = profile;
	set->schema = schema;
	set->vocab = *vocab;
	memset(vocab, 0, sizeof(*vocab));
	set->holidays = holidays;
	if (profile != NULL) {
		if (profile_bool(profile, "calendar", "move_deadlines", &move) == 0)
			set->move_deadlines = move;
		if (profile_int(profile, "calendar", "fire_hour", &hour) == 0)
			set->fire_hour = (int)hour;
	}
	return set;
}

void
wf_set_free(struct wf_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->nwf; i++)
		workflow_free(set->wf[i]);
	free(set->wf);
	profile_free(set->profile);
	profile_schema_free(set->schema);
	wf_vocab_clear(&set->vocab);
	cal_holidays_free(set->holidays);
	for (size_t i = 0; i < set->nprofile_refs; i++)
		free(set->profile_refs[i]);
	free(set->profile_refs);
	free(set);
}

void
wf_note_profile_ref(struct wf_set *set, const char *name)
{
	for (size_t i = 0; i < set->nprofile_refs; i++)
		if (strcmp(set->profile_refs[i], name) == 0)
			return;
	set->profile_refs = xrealloc(set->profile_refs,
	    (set->nprofile_refs + 1) * sizeof(*set->profile_refs));
	set->profile_refs[set->nprofile_refs++] = xstrdup(name);
}

int
wf_uses_profile_key(const struct wf_set *set, const char *section, const char *key)
{
	char *exact = xasprintf("%s.%s", section, key), *any = NULL;
	const char *dot = strchr(section, '.');
	int yes = 0;

	/* categories.student.ratio is used by categories.*.ratio too */
	if (dot != NULL)
		any = xasprintf("%.*s.*.%s", (int)(dot - section), section, key);
	for (size_t i = 0; i < set->nprofile_refs && !yes; i++)
		yes = strcmp(set->profile_refs[i], exact) == 0 ||
		    (any != NULL && strcmp(set->profile_refs[i], any) == 0);
	free(exact);
	free(any);
	return yes;
}

const struct workflow *
wf_find(const struct wf_set *set, const char *name)
{
	for (size_t i = 0; i < set->nwf; i++)
		if (strcmp(set->wf[i]->name, name) == 0)
			return set->wf[i];
	return NULL;
}

int
wf_state_index(const struct workflow *wf, const char *name)
{
	for (size_t i = 0; i < wf->nstates; i++)
		if (strcmp(wf->states[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ---- the parser -------------------------------------------------------- */

/* Parses an expression at the cursor; stops where the expression ends. */
static struct expr *
wfp_expr(struct parser *ps, struct cur *c, int to_end)
{
	struct clerk_err e;
	struct expr *x = NULL;
	const char *end = NULL;

	wfp_skip_ws(c);
	if (expr_parse(c->p, ps->line, to_end ? NULL : &end, &x, &e) == -1) {
		ERR(ps, "%s", e.msg);
		return NULL;
	}
	c->p = to_end ? c->p + strlen(c->p) : end;
	return x;
}

/* An optional trailing `if <expr>`; -1 on a problem or stray text. */
static int
wfp_cond_tail(struct parser *ps, struct cur *c, struct expr **cond)
{
	*cond = NULL;
	if (wfp_at_end(c))
		return 0;
	if (!wfp_accept(c, "if")) {
		ERR(ps, "unexpected text: %s", c->p);
		return -1;
	}
	if ((*cond = wfp_expr(ps, c, 1)) == NULL)
		return -1;
	return 0;
}

/* A profile key named as "profile.section.key" in a deadline. */
static const struct profile_value *
wfp_profile_ref(struct parser *ps, const char *w)
{
	char *copy, *dot;
	const struct profile_value *pv = NULL;

	if (strncmp(w, "profile.", 8) != 0)
		return NULL;
	copy = xstrdup(w + 8);
	wf_note_profile_ref(ps->set, copy);
	if ((dot = strrchr(copy, '.')) != NULL) {
		*dot = '\0';
		pv = profile_get(ps->set->profile, copy, dot + 1);
	}
	if (pv == NULL)
		ERR(ps, "unknown profile key %s", w + 8);
	free(copy);
	return pv;
}

/* First pass: `workflow`, `state` and `var` lines, so that later lines may
 * name states declared further down. */
static void
parse_declarations(struct parser *ps, struct lline *ll, size_t n, const char *base)
{
	struct workflow *wf = ps->wf;
	int have_name = 0;

	for (size_t i = 0; i < n; i++) {
		struct cur c = { ll[i].text };
		char *w;

		if (ll[i].indented)
			continue;
		ps->line = ll[i].line;
		w = wfp_word(&c);
		if (strcmp(w, "workflow") == 0) {
			char *name = wfp_word(&c);

			if (have_name)
				ERR(ps, "workflow: given twice");
			else if (name == NULL || !wfp_ident_ok(name) || !wfp_at_end(&c))
				ERR(ps, "workflow: one name (a-z 0-9 _) is expected");
			else if (strcmp(name, base) != 0)
				ERR(ps, "workflow %s must be in a file named %s.wf", name, name);
			have_name = 1;
			free(name);
		} else if (strcmp(w, "state") == 0) {
			struct wf_state st;
			char *f;

			memset(&st, 0, sizeof(st));
			st.line = ps->line;
			st.name = wfp_word(&c);
			if (st.name == NULL || !wfp_ident_ok(st.name)) {
				ERR(ps, "state: a name (a-z 0-9 _) is expected");
				free(st.name);
				free(w);
				continue;
			}
			while ((f = wfp_word(&c)) != NULL) {
				if (strcmp(f, "initial") == 0)
					st.initial = 1;
				else if (strcmp(f, "final") == 0)
					st.final = 1;
				else
					ERR(ps, "state %s: unknown flag %s (initial, final)",
					    st.name, f);
				free(f);
			}
			if (wf_state_index(wf, st.name) != -1) {
				ERR(ps, "state %s declared twice", st.name);
				free(st.name);
			} else {
				wf->states = xgrow(wf->states, &ps->cap_states,
				    wf->nstates + 1, sizeof(*wf->states));
				wf->states[wf->nstates++] = st;
			}
		} else if (strcmp(w, "retain") == 0) {
			char *d = wfp_word(&c);
			const struct profile_value *pv = NULL;
			struct clerk_err e;

			if (d != NULL && strncmp(d, "profile.", 8) == 0 &&
			    (pv = wfp_profile_ref(ps, d)) == NULL) {
				/* reported */
			} else if (pv != NULL && pv->type != PV_DURATION) {
				ERR(ps, "retain: %s is of type %s, not a duration", d + 8,
				    pv_type_name(pv->type));
			} else if (pv == NULL && (d == NULL ||
			    cal_duration_parse(d, &wf->retain, &e) != 0)) {
				ERR(ps, "retain: a duration (5y) or profile.section.key is expected");
			} else if (!wfp_at_end(&c) || wf->retains) {
				ERR(ps, wf->retains ? "retain: given twice" :
				    "retain: one duration is expected");
			} else {
				if (pv != NULL)
					wf->retain = pv->dur;
				wf->retains = 1;
			}
			free(d);
		} else if (strcmp(w, "summary") == 0) {
			if (!wfp_at_end(&c))
				ERR(ps, "summary: nothing may follow it");
			else if (wf->summary)
				ERR(ps, "summary: given twice");
			else
				wf->summary = 1;
		} else if (strcmp(w, "var") == 0) {
			char *v;

			if (wfp_at_end(&c))
				ERR(ps, "var: at least one name is expected");
			while ((v = wfp_word(&c)) != NULL) {
				int dup = 0;

				for (size_t k = 0; k < wf->nvars; k++)
					dup |= strcmp(wf->vars[k], v) == 0;
				if (!wfp_ident_ok(v) || dup) {
					ERR(ps, dup ? "variable %s declared twice" :
					    "bad variable name %s", v);
					free(v);
					continue;
				}
				wf->vars = xgrow(wf->vars, &ps->cap_vars, wf->nvars + 1,
				    sizeof(*wf->vars));
				wf->var_lines = xrealloc(wf->var_lines,
				    ps->cap_vars * sizeof(*wf->var_lines));
				wf->var_lines[wf->nvars] = ps->line;
				wf->vars[wf->nvars++] = v;
			}
		}
		free(w);
	}
	if (!have_name) {
		ps->line = 1;
		ERR(ps, "the `workflow %s` line is missing", base);
	}
	wf->initial = -1;
	for (size_t i = 0; i < wf->nstates; i++) {
		if (!wf->states[i].initial)
			continue;
		if (wf->initial != -1) {
			ps->line = wf->states[i].line;
			ERR(ps, "a second initial state %s (the first is %s)",
			    wf->states[i].name, wf->states[wf->initial].name);
		} else
			wf->initial = (int)i;
	}
	if (wf->initial == -1) {
		ps->line = n > 0 ? ll[0].line : 1;
		ERR(ps, "no state is marked initial");
	}
}

int
wf_set_parse(struct wf_set *set, const char *path, const char *text, size_t len,
    struct buf *d)
{
	struct parser ps;
	struct lline *ll;
	struct wf_transition *cur = NULL;
	int skipping = 0;
	const char *slash = strrchr(path, '/');
	char *base;
	size_t n, blen;

	memset(&ps, 0, sizeof(ps));
	ps.set = set;
	ps.path = path;
	ps.diag = d;
	base = xstrdup(slash ? slash + 1 : path);
	blen = strlen(base);
	if (blen > 3 && strcmp(base + blen - 3, ".wf") == 0)
		base[blen - 3] = '\0';
	ps.wf = xcalloc(1, sizeof(*ps.wf));
	ps.wf->name = xstrdup(base);
	ps.wf->path = xstrdup(path);
	ll = split_lines(text, len, &n);
	parse_declarations(&ps, ll, n, base);
	for (size_t i = 0; i < n; i++) {
		struct cur c = { ll[i].text };
		char *w;

		ps.line = ll[i].line;
		if (ll[i].indented) {
			if (cur != NULL)
				wfp_action(&ps, cur, ll[i].text);
			else if (!skipping)
				ERR(&ps, "an indented action line belongs under an `on` line");
			continue;
		}
		cur = NULL;
		skipping = 0;
		w = wfp_word(&c);
		if (strcmp(w, "on") == 0) {
			/* A broken `on` line was reported; its actions are skipped. */
			cur = wfp_on(&ps, (char *)c.p);
			skipping = cur == NULL;
		} else if (strcmp(w, "open") == 0)
			wfp_open_decl(&ps, &c);
		else if (strcmp(w, "workflow") != 0 && strcmp(w, "state") != 0 &&
		    strcmp(w, "var") != 0 && strcmp(w, "summary") != 0 && strcmp(w, "retain") != 0)
			ERR(&ps, "unknown keyword %s (workflow, var, state, summary, retain, open, "
			    "on)", w);
		free(w);
	}
	for (size_t i = 0; i < n; i++)
		free(ll[i].text);
	free(ll);
	if (wf_find(set, base) != NULL) {
		ps.line = 1;
		ERR(&ps, "workflow %s is defined twice", base);
	}
	free(base);
	if (ps.count > 0) {
		workflow_free(ps.wf);
		return ps.count;
	}
	set->wf = xrealloc(set->wf, (set->nwf + 1) * sizeof(*set->wf));
	set->wf[set->nwf++] = ps.wf;
	return 0;
}

/* ==== the lines that say what happens: `on` lines, `open` declarations
 * and the action lines under an `on` ==== */

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

static int
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

static struct wf_transition *
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

static void
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
