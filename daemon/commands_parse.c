/* Officer command lines and role permissions: pure. */
#include "commands_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

#define W COMMAND_BY_WORKFLOW
#define M COMMAND_BY_MODULE
/* FORMS.md "Officer commands", in its order: the one list the mail parser,
 * clerkctl, its --help and `clerkctl check` read. */
const struct command_syntax commands_table[] = {
	{ "approve",	"<case> [category]",			1, 0, W,
	    "approve an application, a diploma, or a resignation waiting for dues" },
	{ "reject",	"<case> <reason...>",			2, 0, W,
	    "reject, with the reason the person reads" },
	{ "request",	"<case> <what is missing...>",		2, 0, W,
	    "ask the applicant for what is missing" },
	{ "paid",	"<member-or-case> <amount> [date]",	2, 1, W,
	    "record a payment (a member's address, or a dues case)" },
	{ "admit",	"<case>",				1, 0, W,
	    "take a complaint for handling" },
	{ "dismiss",	"<case> <reason...>",			2, 0, W,
	    "dismiss a complaint, with the reasons" },
	{ "meeting",	"<case> <date>",			2, 0, W,
	    "set a dialogue or separate meeting" },
	{ "settled",	"<case>",				1, 0, W,
	    "the parties agreed: the complaint closes" },
	{ "recommend",	"<case> <sanction> [duration]",		2, 0, W,
	    "the committee's recommendation to the board" },
	{ "decide",	"<case> <sanction> [duration]",		2, 0, W,
	    "the board's decision" },
	{ "extend",	"<case> <days>",			2, 0, W,
	    "extend the running deadline" },
	{ "waive",	"<member> pfo <year> <reason...>",	4, 1, W,
	    "waive a member's PFO duty for a year" },
	{ "note",	"<case> <text...>",			2, 0, M,
	    "add a note to the case's history (any case, any state)" },
	{ "show",	"<case>",				1, 0, M,
	    "the case and its whole history" },
};
const size_t commands_table_len = sizeof(commands_table) / sizeof(commands_table[0]);
#undef W
#undef M

const struct command_syntax *
commands_syntax(const char *verb)
{
	for (size_t i = 0; i < commands_table_len; i++)
		if (strcmp(commands_table[i].verb, verb) == 0)
			return &commands_table[i];
	return NULL;
}

int
commands_answered(const struct wf_set *set, const char *verb)
{
	const struct command_syntax *cs = commands_syntax(verb);

	if (cs == NULL)
		return 0;
	if (cs->by == COMMAND_BY_MODULE || set == NULL)
		return 1;
	for (size_t i = 0; i < set->nwf; i++) {
		const struct workflow *wf = set->wf[i];

		for (size_t t = 0; t < wf->ntrans; t++)
			if (wf->trans[t].ev == WF_EV_COMMAND && wf->trans[t].ev_name != NULL &&
			    strcmp(wf->trans[t].ev_name, verb) == 0)
				return 1;
		for (size_t o = 0; o < wf->nopeners; o++)
			if (wf->openers[o].kind == WF_EV_COMMAND &&
			    strcmp(wf->openers[o].name, verb) == 0)
				return 1;
	}
	return 0;
}

size_t
commands_offered(const struct wf_set *set, const char **verbs, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < commands_table_len && n + 1 < max; i++)
		if (commands_answered(set, commands_table[i].verb))
			verbs[n++] = commands_table[i].verb;
	if (max > 0)
		verbs[n] = NULL;
	return n;
}

int
commands_is_case_ref(const char *s)
{
	size_t i = 0, n;

	while (s[i] >= 'A' && s[i] <= 'Z')
		i++;
	if (i < 2 || i > 8 || s[i] != '-')
		return 0;
	s += i + 1;
	for (i = 0; i < 4; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	if (s[4] != '-')
		return 0;
	s += 5;
	for (n = 0; isdigit((unsigned char)s[n]); n++)
		;
	return n >= 4 && n <= 6 && s[n] == '\0';
}

/* "[fgt-2026-0007]," -> "FGT-2026-0007" when what is left is a case
 * reference; anything else stays as written. */
static void
normalize_ref(char **word)
{
	char *w = xstrdup(*word), *s = w;
	size_t n;

	n = strlen(s);
	while (n > 0 && strchr(".,;:", s[n - 1]) != NULL)
		s[--n] = '\0';
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s[n - 1] = '\0';
		s++;
	}
	for (char *p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (commands_is_case_ref(s)) {
		free(*word);
		*word = xstrdup(s);
	}
	free(w);
}

/* White space between words: blanks, CR, and the no-break space (U+00A0)
 * some mail programs put in. Returns its length at p, 0 if none. */
static size_t
space_at(const char *p)
{
	if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v')
		return 1;
	if ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0)
		return 2;
	return 0;
}

static void
text_of(struct command *c)
{
	struct buf b = BUF_INIT;

	buf_append_str(&b, c->verb);
	for (size_t i = 0; i < c->nargs; i++) {
		buf_append_char(&b, ' ');
		buf_append_str(&b, c->args[i]);
	}
	free(c->text);
	c->text = buf_steal(&b);
}

int
commands_parse_line(const struct wf_set *set, const char *line, int lineno, struct command *out)
{
	const struct command_syntax *cs;
	char **words = NULL;
	size_t nwords = 0, cap = 0, k;
	const char *p = line;

	memset(out, 0, sizeof(*out));
	while ((k = space_at(p)) > 0)
		p += k;
	if (*p == '>' || *p == '\0')
		return 0;	/* quoted, or empty */
	while (*p != '\0') {
		const char *start = p;

		while (*p != '\0' && space_at(p) == 0)
			p++;
		words = xgrow(words, &cap, nwords + 1, sizeof(*words));
		words[nwords++] = xstrndup(start, (size_t)(p - start));
		while ((k = space_at(p)) > 0)
			p += k;
	}
	for (char *v = words[0]; *v; v++)
		*v = (char)tolower((unsigned char)*v);
	cs = commands_syntax(words[0]);
	if (cs == NULL || !commands_answered(set, cs->verb)) {
		for (size_t i = 0; i < nwords; i++)
			free(words[i]);
		free(words);
		return 0;
	}
	out->line = lineno;
	out->verb = words[0];
	out->nargs = nwords - 1;
	out->args = xcalloc(out->nargs + 1, sizeof(char *));
	for (size_t i = 1; i < nwords; i++)
		out->args[i - 1] = words[i];
	free(words);
	if (out->nargs > 0)
		normalize_ref(&out->args[0]);
	text_of(out);
	return 1;
}

void
command_from_words(const char *verb, char *const *args, size_t nargs, struct command *out)
{
	memset(out, 0, sizeof(*out));
	out->verb = xstrdup(verb);
	for (char *v = out->verb; *v; v++)
		*v = (char)tolower((unsigned char)*v);
	out->nargs = nargs;
	out->args = xcalloc(nargs + 1, sizeof(char *));
	for (size_t i = 0; i < nargs; i++)
		out->args[i] = xstrdup(args[i]);
	if (nargs > 0)
		normalize_ref(&out->args[0]);
	text_of(out);
}

void
commands_parse(const struct wf_set *set, const char *text, struct command_list *out)
{
	const char *p = text;
	int lineno = 0;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);
		struct command c;

		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		/* The signature block (RFC 3676 4.3) holds no commands. */
		if (strcmp(line, "-- ") == 0 || strcmp(line, "--") == 0) {
			free(line);
			break;
		}
		if (commands_parse_line(set, line, lineno, &c)) {
			out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof(*out->v));
			out->v[out->n++] = c;
		}
		free(line);
		p = nl ? nl + 1 : NULL;
	}
}

void
command_clear(struct command *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nargs; i++)
		free(c->args[i]);
	free(c->args);
	free(c->verb);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

void
command_list_free(struct command_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		command_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
is_placeholder(const char *w)
{
	size_t n = strlen(w);

	return n >= 2 && ((w[0] == '<' && w[n - 1] == '>') || (w[0] == '[' && w[n - 1] == ']'));
}

int
commands_check_syntax(const struct command *c, char *why, size_t n)
{
	const struct command_syntax *cs = commands_syntax(c->verb);

	if (cs == NULL) {
		snprintf(why, n, "'%s' is not a command", c->verb);
		return -1;
	}
	for (size_t i = 0; i < c->nargs; i++) {
		if (is_placeholder(c->args[i])) {
			snprintf(why, n, "replace %s with a value (%s %s)", c->args[i], cs->verb,
			    cs->args);
			return -1;
		}
	}
	if (c->nargs < cs->min_args) {
		snprintf(why, n, "too few words: %s %s", cs->verb, cs->args);
		return -1;
	}
	return 0;
}

/* ---- permissions ---- */

static const struct {
	const char	*role;
	const char	*verbs;
} defaults[] = {
	{ "secretary", "approve reject request paid admit dismiss meeting settled recommend "
	    "decide extend waive note show" },
	{ "treasurer", "paid show note" },
	{ "committee_chair", "admit dismiss meeting settled recommend show note" },
	{ "board_chair", "decide show note" },
};

const char *
commands_default_verbs(const char *role)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (strcmp(defaults[i].role, role) == 0)
			return defaults[i].verbs;
	return "show";
}

/* 1 when `word` is one of the space-separated words of `list`. */
static int
has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; *p != '\0';) {
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		n = strcspn(p, " \t,");
		if (n == wl && strncmp(p, word, wl) == 0)
			return 1;
		p += n;
	}
	return 0;
}

int
commands_role_may(const char *role, const char *configured, const char *verb)
{
	return has_word(configured != NULL ? configured : commands_default_verbs(role), verb);
}

/* ---- what a case in a state answers ---- */

const char **
commands_answered_in(const struct workflow *wf, const char *state)
{
	const char **verbs = xcalloc(1, sizeof(*verbs));
	size_t n = 0;
	int idx = wf != NULL && state != NULL ? wf_state_index(wf, state) : -1;

	if (idx < 0)
		return verbs;
	for (size_t i = 0; i < wf->ntrans; i++) {
		const struct wf_transition *t = &wf->trans[i];
		int match = t->any && !wf->states[idx].final;
		int seen = 0;

		if (t->ev != WF_EV_COMMAND || t->ev_name == NULL)
			continue;
		for (size_t k = 0; !match && k < t->nfrom; k++)
			match = t->from[k] == idx;
		if (!match || strcmp(t->ev_name, "show") == 0 || strcmp(t->ev_name, "note") == 0)
			continue;
		for (size_t k = 0; k < n; k++)
			seen |= strcmp(verbs[k], t->ev_name) == 0;
		if (seen)
			continue;
		verbs = xrealloc(verbs, (n + 2) * sizeof(*verbs));
		verbs[n++] = t->ev_name;
		verbs[n] = NULL;
	}
	return verbs;
}

void
commands_hint(const struct workflow *wf, const char *state, const char *ref, const char *role,
    const char *configured, struct buf *out)
{
	const char **verbs = commands_answered_in(wf, state);
	int first = 1;

	for (size_t i = 0; verbs[i] != NULL; i++) {
		const struct command_syntax *cs = commands_syntax(verbs[i]);
		const char *rest;

		if (cs == NULL || (role != NULL && !commands_role_may(role, configured, verbs[i])))
			continue;
		/* The first placeholder names the case or member: the reference. */
		rest = strchr(cs->args, ' ');
		buf_printf(out, "%s%s %s%s", first ? "" : " | ", cs->verb, ref, rest ? rest : "");
		first = 0;
	}
	free(verbs);
}
