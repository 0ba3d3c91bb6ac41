/* Building the digest: what the store holds, as lines for one recipient. */
#include "digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "langfmt.h"
#include "profile.h"
#include "store_digest.h"
#include "template.h"
#include "xmalloc.h"

/* The template's lists (workflows/templates/variables.txt). */
static const char *const sections[] = {
	"decision_needed", "escalation", "new_case", "upcoming", "overdue", "deadline_passed",
	"unpaid", "removed", "resigned", "downgraded", "not_applicable", "failed_mail",
	"quarantined", "bad_signature", "refused", "info", "status", NULL,
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]) - 1)

/* A section that clerkctl also lists shows at most this many lines, then
 * says how many more and where to see them all: a digest stays readable
 * with thousands owing. */
#define DIGEST_SECTION_MAX 50

struct build {
	struct caseflow			*cf;
	const struct clock_now		*now;
	const struct digest_for		*df;
	const struct lang		*lang;
	struct tvars			*tv;
	int				*count;
	struct digest_marks		*marks;
	int				 shown[NSECTIONS];
	long				 more[NSECTIONS];
	char				**refs;		/* decision lines so far */
	size_t				 nrefs, caprefs;
};

void
digest_marks_free(struct digest_marks *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].role);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static void
mark(struct digest_marks *m, const char *role, int64_t id)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->v[i].role, role) == 0) {
			if (id > m->v[i].last_id)
				m->v[i].last_id = id;
			return;
		}
	}
	m->v = xgrow(m->v, &m->cap, m->n + 1, sizeof(*m->v));
	m->v[m->n].role = xstrdup(role);
	m->v[m->n].last_id = id;
	m->n++;
}

/* 1 when `role` is one of the space-separated roles of [digest] recipients. */
static int
is_recipient(const struct config *cfg, const char *role)
{
	const char *p = cfg->digest.recipients ? cfg->digest.recipients : "secretary";
	size_t rl = strlen(role);

	while (*p != '\0') {
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		n = strcspn(p, " \t,");
		if (n == rl && strncmp(p, role, rl) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* Whether this recipient reads a line meant for `role`. */
static int
receives(const struct build *b, const char *role)
{
	if (!b->df->only_own || strcmp(role, b->df->role) == 0)
		return 1;
	/* Lines of a role that gets no digest of its own go to the secretary. */
	return strcmp(b->df->role, "secretary") == 0 && !is_recipient(b->cf->cfg, role);
}

static const char *section_tool(const char *section);

static size_t
section_index(const char *section)
{
	size_t i;

	for (i = 0; i < NSECTIONS; i++)
		if (strcmp(sections[i], section) == 0)
			break;
	return i;
}

/* Whether the recipient reads a line of `section` meant for `role`, and
 * there is room for it: 1, build it and put_line() it. A line beyond the
 * section's room is only counted (0), and so costs nothing to build. */
static int
take_line(struct build *b, const char *section, const char *role)
{
	size_t i = section_index(section);

	if (!receives(b, role))
		return 0;
	(*b->count)++;
	if (i < NSECTIONS && b->shown[i] >= DIGEST_SECTION_MAX &&
	    section_tool(section) != NULL) {
		b->more[i]++;
		return 0;
	}
	if (i < NSECTIONS)
		b->shown[i]++;
	return 1;
}

static void
put_line(struct build *b, const char *section, const char *text)
{
	tvars_list_add(b->tv, section, text);
}

/* Where a section's lines are all listed, or NULL for a section of
 * reported events (info, refusals, ...): those are never cut, since a line
 * left out would be marked reported and be seen nowhere else. */
static const char *
section_tool(const char *section)
{
	if (strcmp(section, "upcoming") == 0 || strcmp(section, "overdue") == 0)
		return "clerkctl deadlines";
	if (strcmp(section, "quarantined") == 0)
		return "clerkctl quarantine";
	if (strcmp(section, "failed_mail") == 0)
		return "clerkctl outbox --failed";
	if (strcmp(section, "new_case") == 0)
		return "clerkctl cases --all";
	if (strcmp(section, "unpaid") == 0 || strcmp(section, "decision_needed") == 0)
		return "clerkctl cases";
	return NULL;
}

static void
add_overflow_lines(struct build *b)
{
	for (size_t i = 0; i < NSECTIONS; i++) {
		char text[160];

		if (b->more[i] == 0)
			continue;
		snprintf(text, sizeof(text), "... and %ld more (%s lists them all)", b->more[i],
		    section_tool(sections[i]));
		tvars_list_add(b->tv, sections[i], text);
	}
}

/* The case `ref` (NULL: none) into *rows: rows->n is 0 when the store
 * has none. Looked up per line: the digest never holds every case. */
static int
find_case(struct build *b, const char *ref, struct store_case_rows *rows,
    struct clerk_err *err)
{
	memset(rows, 0, sizeof(*rows));
	if (ref == NULL)
		return 0;
	return store_cases_list(b->cf->st, STORE_CASES_BY_REF, ref, rows, err);
}

static const char *
configured_verbs(const struct build *b, const char *role)
{
	const struct config_officer *o = config_officer_by_role(b->cf->cfg, role);

	return o != NULL ? o->commands : NULL;
}

/* The officer who acts on a case in this state: the first officer other
 * than the secretary who may use a command the state answers; else the
 * secretary. */
static const char *
role_for(const struct build *b, const char *workflow, const char *state)
{
	const struct config *cfg = b->cf->cfg;
	const char **verbs = commands_answered_in(wf_find(b->cf->wf, workflow), state);
	const char *role = "secretary";

	for (size_t i = 0; i < cfg->nofficers && strcmp(role, "secretary") == 0; i++) {
		const struct config_officer *o = &cfg->officers[i];

		if (strcmp(o->role, "secretary") == 0)
			continue;
		for (size_t k = 0; verbs[k] != NULL; k++) {
			if (commands_role_may(o->role, o->commands, verbs[k])) {
				role = o->role;
				break;
			}
		}
	}
	free(verbs);
	return role;
}

/* "FGT-2026-0007 application, Alice Example" */
static void
case_label(struct buf *out, const struct store_case_row *c, const char *ref)
{
	if (c == NULL) {
		buf_append_str(out, ref);
		return;
	}
	buf_printf(out, "%s %s", c->ref, c->workflow);
	if (c->name != NULL && c->name[0] != '\0')
		buf_printf(out, ", %s", c->name);
	else if (c->email[0] != '\0')
		buf_printf(out, ", %s", c->email);
}

/* "; command: approve FGT-2026-0007 [category] | ..." when there is one. */
static void
case_hint(const struct build *b, struct buf *out, const struct store_case_row *c)
{
	const char *role = b->df->only_own ? b->df->role : NULL;
	struct buf hint = BUF_INIT;

	if (c == NULL || c->closed != NULL)
		return;
	commands_hint(wf_find(b->cf->wf, c->workflow), c->state, c->ref, role,
	    role ? configured_verbs(b, role) : NULL, &hint);
	if (hint.len > 0)
		buf_printf(out, "; command: %s", buf_str(&hint));
	buf_free(&hint);
}

static void
format_date(const struct build *b, struct buf *out, struct cal_date d)
{
	struct clerk_err ignore;
	char iso[CAL_DATE_BUFSZ];

	if (b->lang == NULL || lang_format_date(b->lang, d, out, &ignore) != 0)
		buf_append_str(out, cal_date_format(d, iso));
}

static int
seen_ref(struct build *b, const char *ref, int add)
{
	for (size_t i = 0; i < b->nrefs; i++)
		if (strcmp(b->refs[i], ref) == 0)
			return 1;
	if (add) {
		b->refs = xgrow(b->refs, &b->caprefs, b->nrefs + 1, sizeof(*b->refs));
		b->refs[b->nrefs++] = xstrdup(ref);
	}
	return 0;
}

static const char *
section_of(const struct store_item_row *it)
{
	/* outbox.c reports a failed delivery as an info item. */
	if (strcmp(it->kind, "info") == 0 && strncmp(it->text, "delivery failed: ", 17) == 0)
		return "failed_mail";
	for (size_t i = 0; sections[i] != NULL; i++)
		if (strcmp(sections[i], it->kind) == 0)
			return sections[i];
	return "info";
}

/* apply.c writes a quarantined mail's item as "mail N: why"; the
 * quarantine section lists it already. */
static int
is_quarantine_item(const struct store_item_row *it, const struct store_mail_rows *q)
{
	long long id;
	int n = 0;

	if (strcmp(it->kind, "info") != 0 || it->case_ref != NULL ||
	    sscanf(it->text, "mail %lld:%n", &id, &n) != 1 || n == 0)
		return 0;
	for (size_t i = 0; i < q->n; i++)
		if (q->v[i].id == id)
			return 1;
	return 0;
}

static int
item_line(struct build *b, const struct store_item_row *it, const char *section,
    struct clerk_err *err)
{
	struct store_case_rows found;
	const struct store_case_row *c;
	struct buf line = BUF_INIT;

	if (!take_line(b, section, it->role))
		return 0;
	if (find_case(b, it->case_ref, &found, err) != 0)
		return -1;
	c = found.n == 1 ? &found.v[0] : NULL;
	if (it->case_ref != NULL) {
		case_label(&line, c, it->case_ref);
		if (c != NULL && c->closed != NULL)
			buf_append_str(&line, " (closed)");
		if (it->text[0] != '\0')
			buf_printf(&line, ": %s", it->text);
		/* A failed notice is not for a command to mend. */
		if (strcmp(section, "failed_mail") != 0)
			case_hint(b, &line, c);
	} else {
		buf_append_str(&line, it->text[0] ? it->text : it->kind);
	}
	put_line(b, section, buf_str(&line));
	buf_free(&line);
	store_case_rows_free(&found);
	return 0;
}

static int
items(struct build *b, const struct store_mail_rows *quarantine, struct clerk_err *err)
{
	struct store_item_rows unsent, waiting;
	int rc = -1;

	memset(&waiting, 0, sizeof(waiting));
	if (store_digest_items(b->cf->st, STORE_ITEMS_UNSENT, &unsent, err) != 0)
		return -1;
	if (store_digest_items(b->cf->st, STORE_ITEMS_STILL_WAITING, &waiting, err) != 0)
		goto out;
	for (size_t i = 0; i < unsent.n; i++) {
		const struct store_item_row *it = &unsent.v[i];
		const char *section = section_of(it);

		if (!receives(b, it->role))
			continue;
		mark(b->marks, it->role, it->id);
		/* New cases are listed from the cases themselves. */
		if (strcmp(section, "new_case") == 0 || is_quarantine_item(it, quarantine))
			continue;
		/* Decisions are listed below while they are still waiting. */
		if (strcmp(section, "decision_needed") == 0 && it->case_ref != NULL)
			continue;
		if (item_line(b, it, section, err) != 0)
			goto out;
	}
	/* New or reported before, and still waiting: until someone acts. */
	for (size_t i = 0; i < waiting.n; i++)
		if (!seen_ref(b, waiting.v[i].case_ref, 1) &&
		    item_line(b, &waiting.v[i], "decision_needed", err) != 0)
			goto out;
	rc = 0;
out:
	store_item_rows_free(&unsent);
	store_item_rows_free(&waiting);
	return rc;
}

static int
new_case(void *arg, const struct store_case_row *c, struct clerk_err *err)
{
	struct build *b = arg;
	struct buf line = BUF_INIT;

	(void)err;
	if (!take_line(b, "new_case", role_for(b, c->workflow, c->state)))
		return 0;
	case_label(&line, c, c->ref);
	if (c->email[0] != '\0' && c->name != NULL && c->name[0] != '\0')
		buf_printf(&line, " <%s>", c->email);
	buf_printf(&line, " (%s%s)", c->state, c->closed ? ", closed" : "");
	case_hint(b, &line, c);
	put_line(b, "new_case", buf_str(&line));
	buf_free(&line);
	return 0;
}

static int
new_cases(struct build *b, const char *since, struct clerk_err *err)
{
	return store_cases_each(b->cf->st, STORE_CASES_OPENED_AFTER, since, new_case, b, err);
}

static int
deadline(void *arg, const struct store_deadline_row *d, struct clerk_err *err)
{
	struct build *b = arg;
	struct cal_date today = b->now->local.date;
	struct cal_date until = cal_add_days(today, DIGEST_UPCOMING_DAYS);
	/* The row is of an open case and says what a label needs. */
	struct store_case_row c = { 0, d->ref, d->workflow, d->state, d->email, d->name, NULL,
	    NULL, 0 };
	struct buf line = BUF_INIT;
	struct wf_timer t;
	struct clerk_err terr;
	const char *section;

	(void)err;
	if (wf_timer_from_text(d->spec, &t, &terr) != 0)
		return 0;	/* not ours to judge here: the engine reports it */
	if (cal_date_cmp(t.date, today) < 0)
		section = "overdue";
	else if (!t.fired && cal_date_cmp(t.date, until) <= 0)
		section = "upcoming";
	else
		section = NULL;
	if (section != NULL && take_line(b, section, role_for(b, d->workflow, d->state))) {
		case_label(&line, &c, d->ref);
		buf_printf(&line, ": deadline %s ", d->timer);
		format_date(b, &line, t.date);
		if (strcmp(section, "overdue") == 0)
			buf_append_str(&line, " passed");
		buf_printf(&line, " (%s)", d->state);
		case_hint(b, &line, &c);
		put_line(b, section, buf_str(&line));
	}
	wf_timer_clear(&t);
	buf_free(&line);
	return 0;
}

static int
deadlines(struct build *b, struct clerk_err *err)
{
	struct cal_date until = cal_add_days(b->now->local.date, DIGEST_UPCOMING_DAYS);
	/* A timer fires on its deadline's day or the day after (at the fire
	 * hour, or after a holiday move): read a little beyond `until`. */
	struct cal_datetime horizon = { cal_add_days(until, 3), 23, 59, 59 };
	char hiso[CAL_DATETIME_BUFSZ];

	cal_datetime_format(horizon, hiso);
	return store_deadlines_each(b->cf->st, hiso, deadline, b, err);
}

/* "dues 2027: 12 invoiced, 3 overdue, 85 paid": where the cases of each
 * workflow that asks for a `summary` stand, per year, states in the
 * workflow's order. Not counted: a summary alone sends no digest. */
static int
summaries(struct build *b, struct clerk_err *err)
{
	char since[CAL_DATE_BUFSZ];
	struct cal_date jan1 = { b->now->local.date.year, 1, 1 };

	cal_date_format(jan1, since);
	for (size_t w = 0; w < b->cf->wf->nwf; w++) {
		const struct workflow *wf = b->cf->wf->wf[w];
		struct store_summary_rows rows;

		/* For the officer who acts on its cases, as their lines are. */
		if (!wf->summary || wf->initial < 0 ||
		    !receives(b, role_for(b, wf->name, wf->states[wf->initial].name)))
			continue;
		if (store_case_summary(b->cf->st, wf->name, since, &rows, err) != 0)
			return -1;
		for (size_t i = 0; i < rows.n;) {
			struct buf line = BUF_INIT;
			int year = rows.v[i].year, first = 1;
			size_t end = i;

			while (end < rows.n && rows.v[end].year == year)
				end++;
			buf_printf(&line, "%s %d:", wf->name, year);
			for (size_t k = 0; k < wf->nstates; k++)
				for (size_t r = i; r < end; r++)
					if (strcmp(rows.v[r].state, wf->states[k].name) == 0) {
						buf_printf(&line, "%s %lld %s", first ? "" : ",",
						    rows.v[r].count, rows.v[r].state);
						first = 0;
					}
			tvars_list_add(b->tv, "status", buf_str(&line));
			buf_free(&line);
			i = end;
		}
		store_summary_rows_free(&rows);
	}
	return 0;
}

static int
owing(void *arg, const struct store_case_row *c, struct clerk_err *err)
{
	struct build *b = arg;
	const char *currency = profile_text(b->cf->wf->profile, "dues", "currency");
	struct buf line = BUF_INIT;
	struct clerk_err aerr;

	(void)err;
	if (!take_line(b, "unpaid", role_for(b, c->workflow, c->state)))
		return 0;
	case_label(&line, c, c->ref);
	buf_append_str(&line, " owes ");
	if (b->lang == NULL || currency == NULL ||
	    lang_format_amount(b->lang, c->owed, currency, &line, &aerr) != 0)
		buf_printf(&line, "%lld.%02lld", c->owed / 100, c->owed % 100);
	buf_printf(&line, " (%s)", c->state);
	case_hint(b, &line, c);
	put_line(b, "unpaid", buf_str(&line));
	buf_free(&line);
	return 0;
}

static int
unpaid(struct build *b, struct clerk_err *err)
{
	return store_cases_each(b->cf->st, STORE_CASES_OWING, NULL, owing, b, err);
}

static void
mail_label(struct buf *out, const struct store_mail_row *m)
{
	buf_printf(out, "mail %lld from %s", (long long)m->id, m->from_addr ? m->from_addr :
	    "(no sender)");
	if (m->subject != NULL && m->subject[0] != '\0')
		buf_printf(out, ", \"%s\"", m->subject);
}

static void
quarantined(struct build *b, const struct store_mail_rows *q)
{
	for (size_t i = 0; i < q->n; i++) {
		struct buf line = BUF_INIT;

		if (!take_line(b, "quarantined", "secretary"))
			continue;
		mail_label(&line, &q->v[i]);
		buf_printf(&line, ": %s; clerkctl quarantine show %lld",
		    q->v[i].note ? q->v[i].note : "kept", (long long)q->v[i].id);
		put_line(b, "quarantined", buf_str(&line));
		buf_free(&line);
	}
}

static int
signatures(struct build *b, const char *since, struct clerk_err *err)
{
	struct store_mail_rows rows;

	if (store_signature_problems(b->cf->st, since, &rows, err) != 0)
		return -1;
	for (size_t i = 0; i < rows.n; i++) {
		const struct store_mail_row *m = &rows.v[i];
		struct buf line = BUF_INIT;

		if (!take_line(b, "bad_signature", "secretary"))
			continue;
		mail_label(&line, m);
		buf_printf(&line, ": signature %s", m->detail ? m->detail : "?");
		if (m->case_ref != NULL)
			buf_printf(&line, " (%s)", m->case_ref);
		put_line(b, "bad_signature", buf_str(&line));
		buf_free(&line);
	}
	store_mail_rows_free(&rows);
	return 0;
}

int
digest_since(struct caseflow *cf, const struct clock_now *now, char **since,
    struct clerk_err *err)
{
	char iso[CAL_DATETIME_BUFSZ];

	if (store_meta_get(cf->st, "digest.last_at", since, err) != 0)
		return -1;
	if (*since == NULL) {
		clock_iso(now->epoch - 86400, iso);
		*since = xstrdup(iso);
	}
	return 0;
}

int
digest_build(struct caseflow *cf, const struct clock_now *now, const char *since,
    const struct digest_for *df, struct tvars *tv, int *count, struct digest_marks *marks,
    struct clerk_err *err)
{
	struct build b;
	struct store_mail_rows q;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	memset(&q, 0, sizeof(q));
	b.cf = cf;
	b.now = now;
	b.df = df;
	b.lang = template_lang(cf->tpl, template_pick_lang(cf->tpl, df->lang,
	    cf->cfg->association.language));
	b.tv = tv;
	b.count = count;
	b.marks = marks;
	*count = 0;
	for (size_t i = 0; sections[i] != NULL; i++)
		tvars_set_list(tv, sections[i]);
	tvars_set_text(tv, "association", cf->cfg->association.name);
	tvars_set_date(tv, "digest_date", now->local.date);
	if (store_quarantine_list(cf->st, &q, err) != 0)
		goto out;
	if (items(&b, &q, err) != 0 || new_cases(&b, since, err) != 0 ||
	    deadlines(&b, err) != 0 || unpaid(&b, err) != 0)
		goto out;
	quarantined(&b, &q);
	if (signatures(&b, since, err) != 0 || summaries(&b, err) != 0)
		goto out;
	add_overflow_lines(&b);
	rc = 0;
out:
	for (size_t i = 0; i < b.nrefs; i++)
		free(b.refs[i]);
	free(b.refs);
	store_mail_rows_free(&q);
	return rc;
}

int
digest_each_recipient(struct caseflow *cf, int (*fn)(void *, const struct config_officer *,
    const struct digest_for *), void *arg)
{
	const char *p = cf->cfg->digest.recipients ? cf->cfg->digest.recipients : "secretary";

	while (*p != '\0') {
		const struct config_officer *o;
		struct digest_for df;
		char role[64];
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		n = strcspn(p, " \t,");
		if (n == 0)
			break;
		snprintf(role, sizeof(role), "%.*s", (int)n, p);
		p += n;
		o = config_officer_by_role(cf->cfg, role);
		if (o == NULL)
			continue;
		df.role = o->role;
		df.lang = o->language;
		df.only_own = cf->cfg->digest.per_officer;
		if (fn(arg, o, &df) != 0)
			return -1;
	}
	return 0;
}

struct preview {
	struct caseflow		*cf;
	const struct clock_now	*now;
	const char		*since;
	struct buf		*out;
	struct clerk_err	*err;
};

static int
preview_one(void *arg, const struct config_officer *o, const struct digest_for *df)
{
	struct preview *pv = arg;
	struct tvars tv = TVARS_INIT;
	struct rendered r;
	const char *lang = template_pick_lang(pv->cf->tpl, df->lang,
	    pv->cf->cfg->association.language);
	int count = 0, rc = -1;

	memset(&r, 0, sizeof(r));
	if (digest_build(pv->cf, pv->now, pv->since, df, &tv, &count, NULL, pv->err) != 0)
		goto out;
	buf_printf(pv->out, "To: %s <%s> (%s, %d lines%s)\n", o->role, o->email, lang, count,
	    count == 0 && !pv->cf->cfg->digest.send_empty ? ", not sent: nothing to say" : "");
	if (template_render(pv->cf->tpl, "digest", lang, &tv, &r, pv->err) != 0)
		goto out;
	buf_printf(pv->out, "Subject: %s\n\n%s\n", r.subject, r.body);
	rc = 0;
out:
	rendered_free(&r);
	tvars_free(&tv);
	return rc;
}

int
digest_preview(struct caseflow *cf, const struct clock_now *now, struct buf *out,
    struct clerk_err *err)
{
	struct preview pv = { cf, now, NULL, out, err };
	char *since = NULL;
	int rc;

	if (digest_since(cf, now, &since, err) != 0)
		return -1;
	pv.since = since;
	rc = digest_each_recipient(cf, preview_one, &pv);
	free(since);
	return rc;
}
