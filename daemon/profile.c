/* Association profiles and their schema: INI-like text into typed values,
 * with every problem reported as file:line. */
#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile_text.h"
#include "xmalloc.h"

struct schema_key {
	char		*key;		/* owned */
	enum pv_type	 type;
	int		 optional;
	int		 line;
};

struct schema_section {
	char		*name;		/* owned: "dues" or "categories.*" */
	int		 dynamic;	/* name ends in ".*" */
	char		*index;		/* owned, may be NULL: "categories.names" */
	struct schema_key *keys;	/* owned */
	size_t		 nkeys;
	int		 line;
};

struct profile_schema {
	struct schema_section *sec;	/* owned */
	size_t		 nsec;
};

static const struct {
	const char	*name;
	enum pv_type	 type;
} type_names[] = {
	{ "text", PV_TEXT }, { "word", PV_WORD }, { "words", PV_WORDS },
	{ "list", PV_LIST }, { "int", PV_INT }, { "amount", PV_AMOUNT },
	{ "hours", PV_HOURS }, { "percent", PV_PERCENT }, { "hour", PV_HOUR },
	{ "bool", PV_BOOL }, { "duration", PV_DURATION },
	{ "durations", PV_DURATIONS }, { "day", PV_DAY }, { "spec", PV_SPEC },
};

const char *
pv_type_name(enum pv_type t)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == t)
			return type_names[i].name;
	return "?";
}

static void
diag_add(struct buf *diag, int *count, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
diag_add(struct buf *diag, int *count, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;

	(*count)++;
	if (diag == NULL)
		return;
	if (line > 0)
		buf_printf(diag, "%s:%d: ", file, line);
	else
		buf_printf(diag, "%s: ", file);
	va_start(ap, fmt);
	buf_vprintf(diag, fmt, ap);
	va_end(ap);
	buf_append_char(diag, '\n');
}

/* ---- the schema -------------------------------------------------------- */

void
profile_schema_free(struct profile_schema *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nsec; i++) {
		for (size_t k = 0; k < s->sec[i].nkeys; k++)
			free(s->sec[i].keys[k].key);
		free(s->sec[i].keys);
		free(s->sec[i].name);
		free(s->sec[i].index);
	}
	free(s->sec);
	free(s);
}

static struct schema_section *
schema_find_exact(const struct profile_schema *s, const char *name)
{
	for (size_t i = 0; i < s->nsec; i++)
		if (strcmp(s->sec[i].name, name) == 0)
			return &s->sec[i];
	return NULL;
}

/* The schema section for a profile section: exact, or "prefix.*" for
 * "prefix.item" (one more level). */
static const struct schema_section *
schema_match(const struct profile_schema *s, const char *section)
{
	const char *dot = strrchr(section, '.');

	for (size_t i = 0; i < s->nsec; i++) {
		const struct schema_section *ss = &s->sec[i];

		if (!ss->dynamic) {
			if (strcmp(ss->name, section) == 0)
				return ss;
		} else if (dot != NULL && dot[1] != '\0' && dot[1] != '*' &&
		    strlen(ss->name) - 2 == (size_t)(dot - section) &&
		    strncmp(ss->name, section, (size_t)(dot - section)) == 0)
			return ss;
	}
	return NULL;
}

static const struct schema_key *
schema_key(const struct schema_section *ss, const char *key)
{
	for (size_t k = 0; k < ss->nkeys; k++)
		if (strcmp(ss->keys[k].key, key) == 0)
			return &ss->keys[k];
	return NULL;
}

int
profile_schema_type(const struct profile_schema *s, const char *section,
    const char *key, enum pv_type *type, int *optional)
{
	const struct schema_section *ss = schema_match(s, section);
	const struct schema_key *sk;

	if (ss == NULL && (ss = schema_find_exact(s, section)) == NULL)
		return -1;
	if ((sk = schema_key(ss, key)) == NULL)
		return -1;
	if (type)
		*type = sk->type;
	if (optional)
		*optional = sk->optional;
	return 0;
}

int
profile_schema_parse(const char *name, const char *text, size_t len,
    struct profile_schema **out, struct buf *diag)
{
	struct profile_schema *s = xcalloc(1, sizeof(*s));
	struct schema_section *cur = NULL;
	size_t cap = 0, nl;
	struct logline *ll = pt_lines(text, len, &nl);
	int count = 0, lineno = 0;

	for (size_t li = 0; li < nl; li++) {
		struct iniline il;

		lineno = ll[li].line;
		pt_split_line(ll[li].text, &il);
		if (il.kind == 0)
			continue;
		if (il.kind == -1) {
			diag_add(diag, &count, name, lineno, "%s", il.why);
			continue;
		}
		if (il.kind == 1) {
			size_t n = strlen(il.name);

			cur = NULL;
			if (!pt_name_ok(il.name, 1) || (strchr(il.name, '*') != NULL &&
			    (n < 3 || strcmp(il.name + n - 2, ".*") != 0 ||
			    strchr(il.name, '*') != il.name + n - 1))) {
				diag_add(diag, &count, name, lineno,
				    "bad section name [%s]", il.name);
				continue;
			}
			if (schema_find_exact(s, il.name) != NULL) {
				diag_add(diag, &count, name, lineno,
				    "section [%s] given twice", il.name);
				continue;
			}
			s->sec = xgrow(s->sec, &cap, s->nsec + 1, sizeof(*s->sec));
			cur = &s->sec[s->nsec++];
			memset(cur, 0, sizeof(*cur));
			cur->name = xstrdup(il.name);
			cur->dynamic = il.name[n - 1] == '*';
			cur->line = lineno;
			continue;
		}
		if (cur == NULL) {
			diag_add(diag, &count, name, lineno, "key outside a section");
			continue;
		}
		if (strcmp(il.name, "@index") == 0) {
			if (!cur->dynamic || strchr(il.value, '.') == NULL || cur->index) {
				diag_add(diag, &count, name, lineno,
				    "@index = section.key belongs once in a [name.*] section");
				continue;
			}
			cur->index = xstrdup(il.value);
			continue;
		}
		if (!pt_name_ok(il.name, 0)) {
			diag_add(diag, &count, name, lineno, "bad key name %s", il.name);
			continue;
		}
		{
			struct schema_key sk;
			char *w[3] = { NULL, NULL, NULL }, *q = il.value, *t, *opt;
			size_t nw = 0, i;

			while (*q && nw < 3) {
				while (*q == ' ' || *q == '\t')
					*q++ = '\0';
				if (*q == '\0')
					break;
				w[nw++] = q;
				while (*q && *q != ' ' && *q != '\t')
					q++;
			}
			t = w[0];
			opt = w[1];
			memset(&sk, 0, sizeof(sk));
			for (i = 0; t && i < sizeof(type_names) / sizeof(type_names[0]); i++)
				if (strcmp(type_names[i].name, t) == 0)
					break;
			if (t == NULL || i == sizeof(type_names) / sizeof(type_names[0])) {
				diag_add(diag, &count, name, lineno, "unknown type %s for %s",
				    t ? t : "(none)", il.name);
				continue;
			}
			if ((opt && strcmp(opt, "optional") != 0) || w[2] != NULL) {
				diag_add(diag, &count, name, lineno,
				    "a schema line reads: key = type [optional]");
				continue;
			}
			if (schema_key(cur, il.name) != NULL) {
				diag_add(diag, &count, name, lineno, "key %s given twice",
				    il.name);
				continue;
			}
			sk.key = xstrdup(il.name);
			sk.type = type_names[i].type;
			sk.optional = opt != NULL;
			sk.line = lineno;
			cur->keys = xrealloc(cur->keys, (cur->nkeys + 1) * sizeof(*cur->keys));
			cur->keys[cur->nkeys++] = sk;
		}
	}
	pt_lines_free(ll, nl);
	/* An @index must name a list key of a static section. */
	for (size_t i = 0; i < s->nsec; i++) {
		char *sec, *dot;
		enum pv_type t;

		if (s->sec[i].index == NULL)
			continue;
		sec = xstrdup(s->sec[i].index);
		dot = strrchr(sec, '.');
		*dot = '\0';
		if (schema_find_exact(s, sec) == NULL ||
		    profile_schema_type(s, sec, dot + 1, &t, NULL) == -1 ||
		    (t != PV_WORDS && t != PV_WORD))
			diag_add(diag, &count, name, s->sec[i].line,
			    "@index %s must name a words key of the schema", s->sec[i].index);
		free(sec);
	}
	if (count > 0) {
		profile_schema_free(s);
		return count;
	}
	*out = s;
	return 0;
}

/* ---- profiles ---------------------------------------------------------- */

void
profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nv; i++)
		pt_value_clear(&p->v[i]);
	free(p->v);
	for (size_t i = 0; i < p->nsections; i++)
		free(p->sections[i]);
	free(p->sections);
	free(p->section_lines);
	free(p->name);
	free(p->path);
	free(p);
}

int
profile_has_section(const struct profile *p, const char *section)
{
	for (size_t i = 0; i < p->nsections; i++)
		if (strcmp(p->sections[i], section) == 0)
			return 1;
	return 0;
}

static int
section_line(const struct profile *p, const char *section)
{
	for (size_t i = 0; i < p->nsections; i++)
		if (strcmp(p->sections[i], section) == 0)
			return p->section_lines[i];
	return 0;
}

/* Required keys of schema section `ss` present in profile section `sec`. */
static void
check_required(const struct profile *p, const struct schema_section *ss,
    const char *sec, struct buf *diag, int *count)
{
	for (size_t k = 0; k < ss->nkeys; k++)
		if (!ss->keys[k].optional && profile_get(p, sec, ss->keys[k].key) == NULL)
			diag_add(diag, count, p->path, section_line(p, sec),
			    "[%s] %s is missing (%s)", sec, ss->keys[k].key,
			    pv_type_name(ss->keys[k].type));
}

/* 1 when `sec` is "<prefix>.<item>" for the dynamic schema section ss,
 * whose prefix is `plen` characters long. */
static int
schema_match_dyn_is(const struct schema_section *ss, const char *sec, size_t plen)
{
	return ss->dynamic && strncmp(ss->name, sec, plen) == 0 && sec[plen] == '.' &&
	    sec[plen + 1] != '\0' && strchr(sec + plen + 1, '.') == NULL;
}

static void
check_index(const struct profile *p, const struct schema_section *ss,
    struct buf *diag, int *count)
{
	char *isec = xstrdup(ss->index), *ikey = strrchr(isec, '.');
	char **items = NULL;
	size_t n = 0, plen = strlen(ss->name) - 2;

	*ikey++ = '\0';
	if (profile_list(p, isec, ikey, &items, &n) == -1)
		goto out;	/* reported as missing by check_required */
	for (size_t i = 0; i < n; i++) {
		char *want = xasprintf("%.*s.%s", (int)plen, ss->name, items[i]);

		if (!profile_has_section(p, want))
			diag_add(diag, count, p->path, profile_get(p, isec, ikey)->line,
			    "%s lists %s but there is no section [%s]", ss->index,
			    items[i], want);
		free(want);
	}
	for (size_t i = 0; i < p->nsections; i++) {
		const char *sec = p->sections[i];

		if (schema_match_dyn_is(ss, sec, plen) &&
		    !profile_list_has(p, isec, ikey, sec + plen + 1))
			diag_add(diag, count, p->path, p->section_lines[i],
			    "section [%s] is not listed in %s", sec, ss->index);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
	free(isec);
}

int
profile_parse(const char *name, const char *path, const char *text, size_t len,
    const struct profile_schema *schema, struct profile **out, struct buf *diag)
{
	struct profile *p = xcalloc(1, sizeof(*p));
	const struct schema_section *cur = NULL;
	char *cursec = NULL;
	int count = 0, lineno = 0, seen_header = 0;
	size_t cap = 0, scap = 0, nl;
	struct logline *ll = pt_lines(text, len, &nl);

	p->name = xstrdup(name);
	p->path = xstrdup(path);
	for (size_t li = 0; li < nl; li++) {
		struct iniline il;
		struct profile_value pv;
		const struct schema_key *sk;
		const char *why;

		lineno = ll[li].line;
		pt_split_line(ll[li].text, &il);
		if (il.kind == 0)
			continue;
		if (il.kind == -1) {
			diag_add(diag, &count, path, lineno, "%s", il.why);
			continue;
		}
		if (il.kind == 1) {
			seen_header = 1;
			cur = NULL;
			free(cursec);
			cursec = NULL;
			if (!pt_name_ok(il.name, 1) || strchr(il.name, '*') != NULL) {
				diag_add(diag, &count, path, lineno, "bad section name [%s]",
				    il.name);
				continue;
			}
			if (profile_has_section(p, il.name)) {
				diag_add(diag, &count, path, lineno, "section [%s] given twice",
				    il.name);
				continue;
			}
			if ((cur = schema_match(schema, il.name)) == NULL) {
				diag_add(diag, &count, path, lineno,
				    "unknown section [%s] (not in the profile schema)", il.name);
				continue;
			}
			cursec = xstrdup(il.name);
			p->sections = xgrow(p->sections, &scap, p->nsections + 1,
			    sizeof(*p->sections));
			p->section_lines = xrealloc(p->section_lines,
			    scap * sizeof(*p->section_lines));
			p->sections[p->nsections] = xstrdup(il.name);
			p->section_lines[p->nsections++] = lineno;
			continue;
		}
		if (cur == NULL) {
			if (!seen_header)
				diag_add(diag, &count, path, lineno, "key outside a section");
			continue;	/* the section was already reported */
		}
		if ((sk = schema_key(cur, il.name)) == NULL) {
			diag_add(diag, &count, path, lineno,
			    "unknown key %s in [%s] (not in the profile schema)", il.name,
			    cursec);
			continue;
		}
		if (profile_get(p, cursec, il.name) != NULL) {
			diag_add(diag, &count, path, lineno, "%s given twice in [%s]",
			    il.name, cursec);
			continue;
		}
		memset(&pv, 0, sizeof(pv));
		if ((why = pt_parse_typed(&pv, sk->type, il.value)) != NULL) {
			diag_add(diag, &count, path, lineno, "%s: %s", il.name, why);
			pt_value_clear(&pv);
			continue;
		}
		pv.section = xstrdup(cursec);
		pv.key = xstrdup(il.name);
		pv.line = lineno;
		if (strstr(ll[li].comment, "PLACEHOLDER") != NULL ||
		    strncmp(pv.text != NULL ? pv.text : "", "PLACEHOLDER", 11) == 0)
			pv.mark = PV_PLACEHOLDER;
		else if (strstr(ll[li].comment, "clerk default") != NULL)
			pv.mark = strstr(ll[li].comment, "confirmed") != NULL ?
			    PV_DEFAULT_CONFIRMED : PV_DEFAULT;
		p->v = xgrow(p->v, &cap, p->nv + 1, sizeof(*p->v));
		p->v[p->nv++] = pv;
	}
	free(cursec);
	pt_lines_free(ll, nl);
	/* Required keys: static sections, then each item of a dynamic one. */
	for (size_t i = 0; i < schema->nsec; i++) {
		const struct schema_section *ss = &schema->sec[i];
		size_t plen = strlen(ss->name) - 2;

		if (!ss->dynamic) {
			check_required(p, ss, ss->name, diag, &count);
			continue;
		}
		for (size_t k = 0; k < p->nsections; k++)
			if (schema_match_dyn_is(ss, p->sections[k], plen))
				check_required(p, ss, p->sections[k], diag, &count);
		if (ss->index != NULL)
			check_index(p, ss, diag, &count);
	}
	if (count > 0) {
		profile_free(p);
		return count;
	}
	*out = p;
	return 0;
}

/* ---- lookups ----------------------------------------------------------- */

const struct profile_value *
profile_get(const struct profile *p, const char *section, const char *key)
{
	for (size_t i = 0; i < p->nv; i++)
		if (strcmp(p->v[i].key, key) == 0 && strcmp(p->v[i].section, section) == 0)
			return &p->v[i];
	return NULL;
}

const char *
profile_text(const struct profile *p, const char *section, const char *key)
{
	const struct profile_value *pv = profile_get(p, section, key);

	return pv ? pv->text : NULL;
}

int
profile_int(const struct profile *p, const char *section, const char *key,
    long long *out)
{
	const struct profile_value *pv = profile_get(p, section, key);

	if (pv == NULL || !(pv->type == PV_INT || pv->type == PV_AMOUNT ||
	    pv->type == PV_HOURS || pv->type == PV_PERCENT || pv->type == PV_HOUR))
		return -1;
	*out = pv->num;
	return 0;
}

int
profile_bool(const struct profile *p, const char *section, const char *key, int *out)
{
	const struct profile_value *pv = profile_get(p, section, key);

	if (pv == NULL || pv->type != PV_BOOL)
		return -1;
	*out = (int)pv->num;
	return 0;
}

int
profile_duration(const struct profile *p, const char *section, const char *key,
    struct cal_duration *out)
{
	const struct profile_value *pv = profile_get(p, section, key);

	if (pv == NULL || pv->type != PV_DURATION)
		return -1;
	*out = pv->dur;
	return 0;
}

int
profile_list(const struct profile *p, const char *section, const char *key,
    char ***items, size_t *n)
{
	const struct profile_value *pv = profile_get(p, section, key);
	const char *src;
	char *w;

	if (pv == NULL)
		return -1;
	src = pv->list ? pv->list : pv->text;
	*items = NULL;
	*n = 0;
	while ((w = pt_next_item(&src)) != NULL) {
		*items = xrealloc(*items, (*n + 1) * sizeof(**items));
		(*items)[(*n)++] = w;
	}
	return 0;
}

int
profile_list_has(const struct profile *p, const char *section, const char *key,
    const char *item)
{
	char **items;
	size_t n;
	int found = 0;

	if (profile_list(p, section, key, &items, &n) == -1)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(items[i], item) == 0)
			found = 1;
		free(items[i]);
	}
	free(items);
	return found;
}

void
profile_value_to_val(const struct profile_value *pv, struct val *out)
{
	switch (pv->type) {
	case PV_INT:
	case PV_AMOUNT:
	case PV_HOURS:
	case PV_PERCENT:
	case PV_HOUR:
		val_set_int(out, pv->num);
		return;
	case PV_DURATION:
		val_set_duration(out, pv->dur);
		return;
	case PV_WORDS:
	case PV_LIST:
	case PV_DURATIONS:
		val_set_str(out, pv->list);
		return;
	default:
		val_set_str(out, pv->text);
		return;
	}
}
