/* Profiles as text: INI-like lines (comments, continuation lines, quotes)
 * and the typed values of profile.h. */
#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "profile_text.h"
#include "xmalloc.h"

/* ---- lines ------------------------------------------------------------- */

char *
pt_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Cuts a trailing comment: '#' after white space, outside quotes. */
char *
pt_cut_comment(char *s)
{
	int inq = 0;

	for (char *p = s; *p; p++) {
		if (inq && *p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '"')
			inq = !inq;
		else if (!inq && *p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return p + 1;
		}
	}
	return NULL;
}

int
pt_name_ok(const char *s, int dots)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		    *s == '_' || (dots && (*s == '.' || *s == '*'))))
			return 0;
	return 1;
}

void
pt_split_line(char *line, struct iniline *out)
{
	char *s = pt_trim(line), *eq;

	memset(out, 0, sizeof(*out));
	if (*s == '\0' || *s == '#')
		return;
	if (*s == '[') {
		char *close = strchr(s, ']');

		if (close == NULL || *pt_trim(close + 1) != '\0') {
			out->kind = -1;
			out->why = "a section line reads [name]";
			return;
		}
		*close = '\0';
		out->kind = 1;
		out->name = pt_trim(s + 1);
		return;
	}
	if ((eq = strchr(s, '=')) == NULL) {
		out->kind = -1;
		out->why = "a line reads key = value";
		return;
	}
	*eq = '\0';
	out->kind = 2;
	out->name = pt_trim(s);
	pt_cut_comment(eq + 1);
	out->value = pt_trim(eq + 1);
}

/* Logical lines: comments cut, blank lines dropped, and an indented line
 * after a `key = value` line continues that value. */
struct logline *
pt_lines(const char *text, size_t len, size_t *n)
{
	char *copy = xstrndup(text, len), *line, *next;
	struct logline *out = NULL;
	size_t cap = 0;
	int lineno = 0, can_continue = 0;

	*n = 0;
	for (line = copy; line != NULL; line = next) {
		int indented = *line == ' ' || *line == '\t';
		char *t, *c;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		c = pt_cut_comment(line);
		t = pt_trim(line);
		if (indented && can_continue) {
			/* Under a key line: its comment (marks such as "clerk
			 * default") and its text continue the key's. */
			if (c != NULL && *n > 0) {
				char *joined = xasprintf("%s %s", out[*n - 1].comment, pt_trim(c));

				free(out[*n - 1].comment);
				out[*n - 1].comment = joined;
			}
			if (*t != '\0') {
				char *joined = xasprintf("%s %s", out[*n - 1].text, t);

				free(out[*n - 1].text);
				out[*n - 1].text = joined;
			}
			continue;
		}
		if (*t == '\0')
			continue;
		out = xgrow(out, &cap, *n + 1, sizeof(*out));
		out[*n].text = xstrdup(t);
		out[*n].comment = xstrdup(c != NULL ? pt_trim(c) : "");
		out[*n].line = lineno;
		(*n)++;
		can_continue = *t != '[' && strchr(t, '=') != NULL;
	}
	free(copy);
	return out;
}

void
pt_lines_free(struct logline *ll, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ll[i].text);
		free(ll[i].comment);
	}
	free(ll);
}

/* Unquotes a value that is one quoted string; NULL when the quotes are
 * not closed or text follows them. A value without quotes is copied. */
static char *
pt_unquote(const char *v)
{
	struct buf b = BUF_INIT;
	const char *p;

	if (*v != '"')
		return xstrdup(v);
	for (p = v + 1; *p && *p != '"'; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		buf_append_char(&b, *p);
	}
	if (*p != '"' || p[1] != '\0') {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* Splits a list value into items; quoted items may hold spaces. Items are
 * joined with ',' into *out. -1 when an item holds ',' or a quote is open. */
static int
pt_split_list(const char *v, int quotes, char **out, size_t *count)
{
	struct buf b = BUF_INIT;
	const char *p = v;

	*count = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (b.len > 0 || *count > 0)
			buf_append_char(&b, ',');
		if (quotes && *p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == ',')
					goto bad;
				buf_append_char(&b, *p);
			}
			if (*p != '"')
				goto bad;
			p++;
			if (*p != '\0' && *p != ' ' && *p != '\t')
				goto bad;
		} else {
			for (; *p && *p != ' ' && *p != '\t'; p++) {
				if (*p == ',' || *p == '"')
					goto bad;
				buf_append_char(&b, *p);
			}
		}
		(*count)++;
	}
	*out = buf_steal(&b);
	return 0;
bad:
	buf_free(&b);
	return -1;
}

/* The next item of a ','-joined list: copies it into a fresh string and
 * advances *p; NULL at the end. */
char *
pt_next_item(const char **p)
{
	const char *e;
	char *item;

	if (**p == '\0')
		return NULL;
	e = strchr(*p, ',');
	if (e == NULL)
		e = *p + strlen(*p);
	item = xstrndup(*p, (size_t)(e - *p));
	*p = *e ? e + 1 : e;
	return item;
}

/* "1250", "1250.5", "1250,50" -> hundredths. */
static int
pt_hundredths(const char *s, long long *out)
{
	long long whole = 0;
	int frac = 0, nfrac = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (whole > (LLONG_MAX / 100 - 9) / 10)
			return -1;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.' || *s == ',') {
		s++;
		for (; isdigit((unsigned char)*s); s++) {
			if (++nfrac > 2)
				return -1;
			frac = frac * 10 + (*s - '0');
		}
		if (nfrac == 0)
			return -1;
		if (nfrac == 1)
			frac *= 10;
	}
	if (*s != '\0')
		return -1;
	*out = whole * 100 + frac;
	return 0;
}

static int
pt_integer(const char *s, long long *out)
{
	char *end;

	if (*s == '\0' || (!isdigit((unsigned char)*s) && *s != '-'))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return *end != '\0' || errno != 0 ? -1 : 0;
}

static int
pt_word_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* Parses `raw` as `type` into pv; NULL, or what is wrong. */
const char *
pt_parse_typed(struct profile_value *pv, enum pv_type type, const char *raw)
{
	struct clerk_err e;
	struct cal_spec spec;
	struct cal_fixed fx;
	size_t n;
	int is_list = type == PV_WORDS || type == PV_LIST || type == PV_DURATIONS;
	char *text = is_list ? xstrdup(raw) : pt_unquote(raw);

	pv->type = type;
	if (text == NULL)
		return "unbalanced quotes";
	pv->text = text;
	switch (type) {
	case PV_TEXT:
		/* Empty only when written so: "" */
		return *text == '\0' && *raw != '"' ? "a text is empty (write \"\" if meant)" :
		    NULL;
	case PV_WORD:
		return pt_word_ok(text) ? NULL : "one word expected (letters, digits, _ -)";
	case PV_WORDS:
	case PV_LIST:
		if (pt_split_list(raw, type == PV_LIST, &pv->list, &n) == -1)
			return type == PV_LIST ? "a list of words or \"quoted items\" expected "
			    "(no commas)" : "words separated by spaces expected";
		if (type == PV_WORDS) {
			const char *p = pv->list;
			char *w;
			int ok = 1;

			while ((w = pt_next_item(&p)) != NULL) {
				ok = ok && pt_word_ok(w);
				free(w);
			}
			if (!ok)
				return "words separated by spaces expected";
		}
		return n == 0 ? "the list is empty" : NULL;
	case PV_INT:
		return pt_integer(text, &pv->num) == 0 ? NULL : "an integer expected";
	case PV_AMOUNT:
		return pt_hundredths(text, &pv->num) == 0 ? NULL :
		    "an amount expected (1250 or 1250.00)";
	case PV_HOURS:
		return pt_hundredths(text, &pv->num) == 0 ? NULL :
		    "hours expected (37.5 or 37,5)";
	case PV_PERCENT:
		if (pt_integer(text, &pv->num) == -1 || pv->num < 0 || pv->num > 100)
			return "a percentage 0..100 expected";
		return NULL;
	case PV_HOUR:
		if (pt_integer(text, &pv->num) == -1 || pv->num < 0 || pv->num > 23)
			return "an hour 0..23 expected";
		return NULL;
	case PV_BOOL:
		if (strcmp(text, "yes") == 0)
			pv->num = 1;
		else if (strcmp(text, "no") == 0)
			pv->num = 0;
		else
			return "yes or no expected";
		return NULL;
	case PV_DURATION:
		return cal_duration_parse(text, &pv->dur, &e) == 0 && pv->dur.amount >= 0 ?
		    NULL : "a duration expected (14d, 2w, 2m, 3y)";
	case PV_DURATIONS:
		if (pt_split_list(raw, 0, &pv->list, &n) == -1 || n == 0)
			return "durations separated by spaces expected (14d 28d)";
		{
			const char *p = pv->list, *why = NULL;
			struct cal_duration d;
			char *w;

			while ((w = pt_next_item(&p)) != NULL) {
				if (cal_duration_parse(w, &d, &e) == -1 || d.amount < 0)
					why = "durations separated by spaces expected (14d 28d)";
				free(w);
			}
			return why;
		}
	case PV_DAY:
		return cal_fixed_parse(text, &fx, &e) == 0 ? NULL :
		    "a day of the year expected (MM-DD or MM-last)";
	case PV_SPEC:
		return cal_spec_parse(text, &spec, &e) == 0 ? NULL :
		    "a duration (14d) or a day of the year (02-01) expected";
	}
	return "unknown type";
}

void
pt_value_clear(struct profile_value *pv)
{
	free(pv->section);
	free(pv->key);
	free(pv->text);
	free(pv->list);
}
