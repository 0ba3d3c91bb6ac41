/* Cross-checks of a workflow set, the vocabulary file, and the one entry
 * point that reads workflows/ from disk (wf_set_load_dir). */
#include "workflow.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* ---- the vocabulary ---------------------------------------------------- */

/* What the vocabulary file holds is the engine's interface, so its shape
 * lives here; the words themselves are data. */
static const char vocab_schema[] =
	"[vocabulary]\n"
	"forms = words\n"
	"commands = words\n"
	"facts = list\n"
	"roles = words\n"
	"statuses = words\n"
	"digest = words\n";

int
wf_vocab_parse(const char *path, const char *text, size_t len, struct wf_vocab *out,
    struct buf *diag)
{
	struct profile_schema *schema = NULL;
	struct profile *p = NULL;
	int n;

	memset(out, 0, sizeof(*out));
	if ((n = profile_schema_parse("(vocabulary schema)", vocab_schema,
	    sizeof(vocab_schema) - 1, &schema, diag)) != 0)
		return n;
	if ((n = profile_parse("vocabulary", path, text, len, schema, &p, diag)) == 0) {
		out->forms = xstrdup(profile_get(p, "vocabulary", "forms")->list);
		out->commands = xstrdup(profile_get(p, "vocabulary", "commands")->list);
		out->facts = xstrdup(profile_get(p, "vocabulary", "facts")->list);
		out->roles = xstrdup(profile_get(p, "vocabulary", "roles")->list);
		out->statuses = xstrdup(profile_get(p, "vocabulary", "statuses")->list);
		out->digest = xstrdup(profile_get(p, "vocabulary", "digest")->list);
	}
	profile_free(p);
	profile_schema_free(schema);
	return n;
}

/* ---- lookups over the set ---------------------------------------------- */

size_t
wf_openers(const struct wf_set *set, enum wf_event_kind kind, const char *name,
    void (*fn)(void *, const struct workflow *, const struct wf_opener *), void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < set->nwf; i++) {
		const struct workflow *wf = set->wf[i];

		for (size_t k = 0; k < wf->nopeners; k++) {
			const struct wf_opener *op = &wf->openers[k];

			if (op->kind != kind || strcmp(op->name, name) != 0)
				continue;
			if (fn != NULL)
				fn(arg, wf, op);
			n++;
		}
	}
	return n;
}

void
wf_each_template(const struct wf_set *set, void (*fn)(void *, const char *), void *arg)
{
	char **seen = NULL;
	size_t nseen = 0;

	for (size_t i = 0; i < set->nwf; i++)
		for (size_t t = 0; t < set->wf[i]->ntrans; t++) {
			const struct wf_transition *tr = &set->wf[i]->trans[t];

			for (size_t a = 0; a < tr->nactions; a++) {
				const char *name = tr->actions[a].name;
				int dup = 0;

				if (tr->actions[a].kind != WF_ACT_SEND &&
				    tr->actions[a].kind != WF_ACT_CONFIRM)
					continue;
				for (size_t s = 0; s < nseen && !dup; s++)
					dup = strcmp(seen[s], name) == 0;
				if (dup)
					continue;
				seen = xrealloc(seen, (nseen + 1) * sizeof(*seen));
				seen[nseen++] = (char *)name;
				fn(arg, name);
			}
		}
	free(seen);
}

/* ---- checks ------------------------------------------------------------ */

struct checker {
	struct wf_set		*set;
	const struct workflow	*wf;
	struct buf		*diag;
	int			 count;
	int			 line;
};

static void
cerr(struct checker *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
cerr(struct checker *ck, const char *fmt, ...)
{
	va_list ap;

	ck->count++;
	if (ck->diag == NULL)
		return;
	buf_printf(ck->diag, "%s:%d: ", ck->wf->path, ck->line);
	va_start(ap, fmt);
	buf_vprintf(ck->diag, fmt, ap);
	va_end(ap);
	buf_append_char(ck->diag, '\n');
}

/* The deadline action setting `name` in wf (the first), or NULL. */
static const struct wf_action *
find_deadline(const struct workflow *wf, const char *name, int want_leads,
    int want_escalate)
{
	const struct wf_action *first = NULL;

	for (size_t t = 0; t < wf->ntrans; t++)
		for (size_t a = 0; a < wf->trans[t].nactions; a++) {
			const struct wf_action *ac = &wf->trans[t].actions[a];

			if (ac->kind != WF_ACT_DEADLINE || strcmp(ac->name, name) != 0)
				continue;
			if ((want_leads && ac->nleads == 0) ||
			    (want_escalate && !ac->has_escalate)) {
				if (first == NULL)
					first = ac;
				continue;
			}
			return ac;
		}
	return want_leads || want_escalate ? NULL : first;
}

static int
var_declared(const struct workflow *wf, const char *name)
{
	for (size_t i = 0; i < wf->nvars; i++)
		if (strcmp(wf->vars[i], name) == 0)
			return 1;
	return 0;
}

static const char *const builtin_vars[] = { "ref", "state", "opened", "workflow" };

static int
case_name_ok(const struct workflow *wf, const char *name)
{
	for (size_t i = 0; i < sizeof(builtin_vars) / sizeof(builtin_vars[0]); i++)
		if (strcmp(name, builtin_vars[i]) == 0)
			return 1;
	if (strncmp(name, "deadline_", 9) == 0 && find_deadline(wf, name + 9, 0, 0))
		return 1;
	return var_declared(wf, name);
}

static int
fact_ok(const struct wf_vocab *v, const struct expr_name *n)
{
	struct buf b = BUF_INIT;
	int ok;

	for (size_t i = 0; i < n->nseg; i++)
		buf_printf(&b, "%s%s", i ? "." : "", n->seg[i]);
	ok = wf_list_has(v->facts, buf_str(&b));
	if (!ok && n->nseg > 1) {
		buf_reset(&b);
		for (size_t i = 0; i + 1 < n->nseg; i++)
			buf_printf(&b, "%s.", n->seg[i]);
		buf_append_str(&b, "*");
		ok = wf_list_has(v->facts, buf_str(&b));
	}
	buf_free(&b);
	return ok;
}

static void
check_profile_name(struct checker *ck, const struct expr_name *n, struct buf *full)
{
	const struct profile *p = ck->set->profile;
	struct buf sec = BUF_INIT;
	const char *key = n->seg[n->nseg - 1];
	enum pv_type type;
	int optional, dynamic = 0;

	if (n->nseg < 2) {
		cerr(ck, "profile.%s: a profile name reads profile.<section>.<key>",
		    buf_str(full));
		return;
	}
	if (strcmp(key, "*") == 0) {
		cerr(ck, "profile.%s: the key itself cannot be computed", buf_str(full));
		return;
	}
	for (size_t i = 0; i + 1 < n->nseg; i++) {
		buf_printf(&sec, "%s%s", i ? "." : "", n->seg[i]);
		dynamic |= strcmp(n->seg[i], "*") == 0;
	}
	if (!dynamic) {
		if (profile_get(p, buf_str(&sec), key) == NULL) {
			if (profile_schema_type(ck->set->schema, buf_str(&sec), key, &type,
			    &optional) == 0)
				cerr(ck, "profile %s has no %s.%s (optional in the schema, "
				    "but this workflow needs it)", p->name, buf_str(&sec), key);
			else
				cerr(ck, "unknown profile key %s.%s", buf_str(&sec), key);
		}
		buf_free(&sec);
		return;
	}
	if (n->nseg != 3 || strcmp(n->seg[1], "*") != 0 ||
	    profile_schema_type(ck->set->schema, buf_str(&sec), key, &type,
	    &optional) == -1) {
		cerr(ck, "unknown profile key %s.%s", buf_str(&sec), key);
		buf_free(&sec);
		return;
	}
	if (optional) {
		size_t plen = strlen(n->seg[0]);

		for (size_t i = 0; i < p->nsections; i++) {
			const char *s = p->sections[i];

			if (strncmp(s, n->seg[0], plen) == 0 && s[plen] == '.' &&
			    profile_get(p, s, key) == NULL)
				cerr(ck, "profile %s: [%s] has no %s, which this workflow "
				    "reads", p->name, s, key);
		}
	}
	buf_free(&sec);
}

static int
check_name(void *arg, const struct expr_name *n)
{
	struct checker *ck = arg;
	struct buf full = BUF_INIT;

	for (size_t i = 0; i < n->nseg; i++)
		buf_printf(&full, "%s%s", i ? "." : "", n->seg[i]);
	switch (n->ns) {
	case EXPR_NS_CASE:
		if (n->nseg != 1 || !case_name_ok(ck->wf, n->seg[0]))
			cerr(ck, "unknown variable case.%s (declare it with `var`)",
			    buf_str(&full));
		break;
	case EXPR_NS_EVENT:
		if (!fact_ok(&ck->set->vocab, n))
			cerr(ck, "unknown event fact event.%s (see workflows/vocabulary)",
			    buf_str(&full));
		break;
	case EXPR_NS_PROFILE:
		wf_note_profile_ref((struct wf_set *)ck->set, buf_str(&full));
		check_profile_name(ck, n, &full);
		break;
	}
	buf_free(&full);
	return 0;
}

static void
check_expr(struct checker *ck, const struct expr *e)
{
	if (e != NULL)
		expr_walk(e, check_name, ck);
}

static int
opened_by(const struct workflow *target, const char *opener)
{
	for (size_t i = 0; i < target->nopeners; i++)
		if (target->openers[i].kind == WF_EV_OPEN &&
		    strcmp(target->openers[i].name, opener) == 0)
			return 1;
	return 0;
}

static int
opens(const struct workflow *wf, const char *target)
{
	for (size_t t = 0; t < wf->ntrans; t++)
		for (size_t a = 0; a < wf->trans[t].nactions; a++)
			if (wf->trans[t].actions[a].kind == WF_ACT_OPEN &&
			    strcmp(wf->trans[t].actions[a].name, target) == 0)
				return 1;
	return 0;
}

static void
check_action(struct checker *ck, const struct wf_action *a, wf_template_check tmpl,
    void *targ)
{
	const struct wf_set *set = ck->set;
	const struct workflow *target;

	ck->line = a->line;
	check_expr(ck, a->cond);
	check_expr(ck, a->value);
	check_expr(ck, a->from);
	switch (a->kind) {
	case WF_ACT_SEND:
	case WF_ACT_CONFIRM:
		if (!wf_list_has(set->vocab.roles, a->role))
			cerr(ck, "unknown role %s", a->role);
		if (tmpl != NULL && !tmpl(targ, a->name))
			cerr(ck, "unknown template %s", a->name);
		break;
	case WF_ACT_CLEAR:
	case WF_ACT_EXTEND:
		if (find_deadline(ck->wf, a->name, 0, 0) == NULL)
			cerr(ck, "%s %s: no action sets a deadline %s",
			    a->kind == WF_ACT_CLEAR ? "clear" : "extend", a->name, a->name);
		break;
	case WF_ACT_SET:
		if (!var_declared(ck->wf, a->name))
			cerr(ck, "unknown variable %s (declare it with `var`)", a->name);
		break;
	case WF_ACT_MEMBER_STATUS:
		if (a->word != NULL && !wf_list_has(set->vocab.statuses, a->word))
			cerr(ck, "unknown member status %s", a->word);
		break;
	case WF_ACT_MEMBER_CATEGORY:
		if (a->word != NULL) {
			char *sec = xasprintf("categories.%s", a->word);

			if (!profile_has_section(set->profile, sec))
				cerr(ck, "unknown category %s in profile %s", a->word,
				    set->profile->name);
			free(sec);
		}
		break;
	case WF_ACT_OPEN:
		if ((target = wf_find(set, a->name)) == NULL) {
			cerr(ck, "open: unknown workflow %s", a->name);
			break;
		}
		if (!opened_by(target, ck->wf->name))
			cerr(ck, "open %s: %s does not say `open by %s`", a->name,
			    target->path, ck->wf->name);
		for (size_t i = 0; i < a->nwith; i++) {
			check_expr(ck, a->with[i].value);
			if (!var_declared(target, a->with[i].var))
				cerr(ck, "open %s with %s: %s declares no variable %s",
				    a->name, a->with[i].var, target->name, a->with[i].var);
		}
		break;
	case WF_ACT_DIGEST:
		if (!wf_list_has(set->vocab.digest, a->name))
			cerr(ck, "unknown digest item %s", a->name);
		break;
	case WF_ACT_DEADLINE:
	case WF_ACT_DECISION:
	case WF_ACT_GO:
		break;
	}
}

static int
applies(const struct workflow *wf, const struct wf_transition *t, size_t state)
{
	if (t->any && !wf->states[state].final)
		return 1;
	for (size_t i = 0; i < t->nfrom; i++)
		if ((size_t)t->from[i] == state)
			return 1;
	return 0;
}

static void
check_reachable(struct checker *ck)
{
	const struct workflow *wf = ck->wf;
	char *seen;
	size_t *queue, head = 0, tail = 0;

	if (wf->initial < 0)
		return;
	seen = xcalloc(wf->nstates, 1);
	queue = xcalloc(wf->nstates, sizeof(*queue));
	seen[wf->initial] = 1;
	queue[tail++] = (size_t)wf->initial;
	while (head < tail) {
		size_t s = queue[head++];

		for (size_t t = 0; t < wf->ntrans; t++) {
			const struct wf_transition *tr = &wf->trans[t];

			if (!applies(wf, tr, s))
				continue;
			if (tr->to >= 0 && !seen[tr->to]) {
				seen[tr->to] = 1;
				queue[tail++] = (size_t)tr->to;
			}
			for (size_t a = 0; a < tr->nactions; a++) {
				int g = tr->actions[a].go_state;

				if (tr->actions[a].kind == WF_ACT_GO && g >= 0 && !seen[g]) {
					seen[g] = 1;
					queue[tail++] = (size_t)g;
				}
			}
		}
	}
	for (size_t s = 0; s < wf->nstates; s++)
		if (!seen[s]) {
			ck->line = wf->states[s].line;
			cerr(ck, "state %s cannot be reached from %s", wf->states[s].name,
			    wf->states[wf->initial].name);
		}
	free(seen);
	free(queue);
}

static void
check_workflow(struct checker *ck, wf_template_check tmpl, void *targ)
{
	const struct workflow *wf = ck->wf;
	const struct wf_vocab *v = &ck->set->vocab;

	if (wf->nopeners == 0) {
		ck->line = 1;
		cerr(ck, "nothing opens workflow %s (add an `open ...` line)", wf->name);
	}
	for (size_t i = 0; i < wf->nopeners; i++) {
		const struct wf_opener *op = &wf->openers[i];
		const struct workflow *parent;

		ck->line = op->line;
		check_expr(ck, op->guard);
		if (op->kind == WF_EV_FORM && !wf_list_has(v->forms, op->name))
			cerr(ck, "unknown form %s", op->name);
		else if (op->kind == WF_EV_COMMAND && !wf_list_has(v->commands, op->name))
			cerr(ck, "unknown command %s", op->name);
		else if (op->kind == WF_EV_OPEN) {
			if ((parent = wf_find(ck->set, op->name)) == NULL)
				cerr(ck, "open by: unknown workflow %s", op->name);
			else if (!opens(parent, wf->name))
				cerr(ck, "open by %s: %s has no `open %s` action", op->name,
				    parent->path, wf->name);
		}
	}
	for (size_t t = 0; t < wf->ntrans; t++) {
		const struct wf_transition *tr = &wf->trans[t];

		ck->line = tr->line;
		for (size_t i = 0; i < tr->nfrom; i++) {
			if (!wf->states[tr->from[i]].final)
				continue;
			/* A final state may only do things on entering it. */
			if (tr->ev != WF_EV_ENTER || tr->to != -1)
				cerr(ck, "state %s is final: only `enter` without `->` may "
				    "follow it", wf->states[tr->from[i]].name);
			for (size_t a = 0; a < tr->nactions; a++) {
				enum wf_action_kind k = tr->actions[a].kind;

				if (k == WF_ACT_DEADLINE || k == WF_ACT_EXTEND || k == WF_ACT_GO) {
					ck->line = tr->actions[a].line;
					cerr(ck, "state %s is final: no deadline, extend or go "
					    "on entering it", wf->states[tr->from[i]].name);
					ck->line = tr->line;
				}
			}
		}
		switch (tr->ev) {
		case WF_EV_FORM:
			if (!wf_list_has(v->forms, tr->ev_name))
				cerr(ck, "unknown form %s", tr->ev_name);
			break;
		case WF_EV_COMMAND:
			if (!wf_list_has(v->commands, tr->ev_name))
				cerr(ck, "unknown command %s", tr->ev_name);
			break;
		case WF_EV_TIMER:
			if (find_deadline(wf, tr->ev_name, 0, 0) == NULL)
				cerr(ck, "timer %s: no action sets a deadline %s", tr->ev_name,
				    tr->ev_name);
			break;
		case WF_EV_REMIND:
			if (find_deadline(wf, tr->ev_name, 1, 0) == NULL)
				cerr(ck, "remind %s: no deadline %s has `remind` lead times",
				    tr->ev_name, tr->ev_name);
			break;
		case WF_EV_ESCALATE:
			if (find_deadline(wf, tr->ev_name, 0, 1) == NULL)
				cerr(ck, "escalate %s: no deadline %s has `escalate`",
				    tr->ev_name, tr->ev_name);
			break;
		default:
			break;
		}
		check_expr(ck, tr->guard);
		for (size_t a = 0; a < tr->nactions; a++)
			check_action(ck, &tr->actions[a], tmpl, targ);
	}
	check_reachable(ck);
}

int
wf_set_validate(struct wf_set *set, wf_template_check tmpl, void *arg, struct buf *diag)
{
	struct checker ck;

	memset(&ck, 0, sizeof(ck));
	ck.set = set;
	ck.diag = diag;
	for (size_t i = 0; i < set->nwf; i++) {
		ck.wf = set->wf[i];
		check_workflow(&ck, tmpl, arg);
	}
	return ck.count;
}

/* ---- loading from disk ------------------------------------------------- */

/* Reads a whole file. -1 with err when it cannot be read. */
static int
read_file(const char *path, char **text, size_t *len, struct clerk_err *err)
{
	struct buf b = BUF_INIT;

	if (buf_read_file(&b, path, err) != 0) {
		buf_free(&b);
		return -1;
	}
	*len = b.len;
	*text = buf_steal(&b);
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Counts the problem lines in diag after `from`, and reports the first. */
static void
note_problem(struct buf *diag, int *total, struct clerk_err *first, int n,
    size_t from)
{
	if (n <= 0)
		return;
	if (*total == 0 && diag != NULL && diag->len > from) {
		const char *s = diag->data + from, *e = strchr(s, '\n');

		err_set(first, ERR_FINAL, "%.*s", (int)(e ? e - s : (long)strlen(s)), s);
	}
	*total += n;
}

int
wf_set_load_dir(const char *dir, const char *profile_name, wf_template_check tmpl,
    void *tmpl_arg, struct wf_set **out, struct buf *diag_in, struct clerk_err *err)
{
	struct buf own = BUF_INIT, *diag = diag_in ? diag_in : &own;
	struct clerk_err first, rerr;
	struct profile_schema *schema = NULL;
	struct profile *profile = NULL;
	struct cal_holidays *hol = NULL;
	struct wf_vocab vocab;
	struct wf_set *set = NULL;
	char *path = NULL, *text = NULL, **names = NULL;
	size_t len, nnames = 0, start;
	int total = 0, temporary = 0, rc = -1;
	DIR *d = NULL;
	struct dirent *de;

	memset(&vocab, 0, sizeof(vocab));
	err_clear(&first);

#define READ(p) (read_file((p), &text, &len, &rerr) == 0 ? 0 : \
	(temporary |= rerr.temporary, buf_printf(diag, "%s\n", rerr.msg), \
	note_problem(diag, &total, &first, 1, diag->len - strlen(rerr.msg) - 1), -1))

	path = xasprintf("%s/vocabulary", dir);
	if (READ(path) == 0) {
		start = diag->len;
		note_problem(diag, &total, &first,
		    wf_vocab_parse(path, text, len, &vocab, diag), start);
		free(text);
	}
	free(path);
	path = xasprintf("%s/profiles/schema", dir);
	if (READ(path) == 0) {
		start = diag->len;
		note_problem(diag, &total, &first,
		    profile_schema_parse(path, text, len, &schema, diag), start);
		free(text);
	}
	free(path);
	path = xasprintf("%s/profiles/%s.profile", dir, profile_name);
	if (schema != NULL && READ(path) == 0) {
		start = diag->len;
		note_problem(diag, &total, &first,
		    profile_parse(profile_name, path, text, len, schema, &profile, diag),
		    start);
		free(text);
	}
	free(path);
	path = NULL;
	if (profile != NULL) {
		const char *cal = profile_text(profile, "calendar", "holidays");

		if (cal != NULL) {
			path = xasprintf("%s/calendars/%s.holidays", dir, cal);
			if (READ(path) == 0) {
				if (cal_holidays_parse(text, len, path, &hol, &rerr) == -1) {
					buf_printf(diag, "%s\n", rerr.msg);
					note_problem(diag, &total, &first, 1,
					    diag->len - strlen(rerr.msg) - 1);
				}
				free(text);
			}
			free(path);
			path = NULL;
		}
	}
	if (total > 0)
		goto out;
	set = wf_set_new(profile, schema, &vocab, hol);
	profile = NULL;
	schema = NULL;
	hol = NULL;
	if ((d = opendir(dir)) == NULL) {
		err_set(&first, errno != ENOENT ? ERR_TEMP : ERR_FINAL, "%s: %s", dir, strerror(errno));
		buf_printf(diag, "%s\n", first.msg);
		temporary = first.temporary;
		total++;
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n > 3 && strcmp(de->d_name + n - 3, ".wf") == 0 && de->d_name[0] != '.') {
			names = xrealloc(names, (nnames + 1) * sizeof(*names));
			names[nnames++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (nnames > 1)
		qsort(names, nnames, sizeof(*names), cmp_names);
	if (nnames == 0) {
		err_set(&first, ERR_FINAL, "%s: no workflows (*.wf)", dir);
		buf_printf(diag, "%s\n", first.msg);
		total++;
	}
	for (size_t i = 0; i < nnames; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		if (READ(path) == 0) {
			start = diag->len;
			note_problem(diag, &total, &first,
			    wf_set_parse(set, path, text, len, diag), start);
			free(text);
		}
		free(path);
		path = NULL;
	}
	/* Cross-checks only make sense once every file parsed. */
	if (total == 0) {
		start = diag->len;
		note_problem(diag, &total, &first,
		    wf_set_validate(set, tmpl, tmpl_arg, diag), start);
	}
#undef READ
out:
	if (total > 0) {
		if (total == 1)
			err_set(err, temporary ? ERR_TEMP : ERR_FINAL, "%s", first.msg);
		else
			err_set(err, temporary ? ERR_TEMP : ERR_FINAL, "%d problems; the first: %s", total, first.msg);
		wf_set_free(set);
	} else {
		*out = set;
		rc = 0;
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	profile_free(profile);
	profile_schema_free(schema);
	cal_holidays_free(hol);
	wf_vocab_clear(&vocab);
	buf_free(&own);
	return rc;
}

int
wf_profile_marks(const struct wf_set *set, const char *const *also, struct buf *out,
    struct buf *defaults)
{
	const struct profile *p = set->profile;
	int in_use = 0;

	for (size_t i = 0; i < p->nv; i++) {
		const struct profile_value *pv = &p->v[i];
		int used = wf_uses_profile_key(set, pv->section, pv->key);

		for (size_t k = 0; also != NULL && also[k] != NULL && !used; k++) {
			size_t sl = strlen(pv->section);

			used = strncmp(also[k], pv->section, sl) == 0 && also[k][sl] == '.' &&
			    strcmp(also[k] + sl + 1, pv->key) == 0;
		}
		if (pv->mark == PV_PLACEHOLDER && used) {
			buf_printf(out, "%s:%d: %s.%s = %s is a PLACEHOLDER that notices or "
			    "deadlines use: put the association's own value\n", p->path, pv->line,
			    pv->section, pv->key, pv->text != NULL ? pv->text : "");
			in_use++;
		} else if (pv->mark == PV_DEFAULT && defaults != NULL) {
			buf_printf(defaults, "%s:%d: %s.%s = %s is clerk's default, not in the "
			    "association's seed: the association confirms it (write \"confirmed\" "
			    "in its comment)\n", p->path, pv->line, pv->section, pv->key,
			    pv->text != NULL ? pv->text : "");
		}
	}
	return in_use;
}
