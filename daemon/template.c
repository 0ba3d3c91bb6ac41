/* Notice templates: the registry of variables, the template syntax, the
 * loader that checks everything up front, and the pure renderer. */
#include "template.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xmalloc.h"

#define TEMPLATE_FILE_MAX	(1024 * 1024)

enum node_kind {
	N_TEXT,
	N_VAR,		/* {{x}} */
	N_DATE,		/* {{date x}} */
	N_AMOUNT,	/* {{amount x}} */
	N_LIST,		/* {{list x}}, standalone */
	N_OPEN,		/* {{#if x}} / {{#unless x}} */
	N_CLOSE,
};

struct node {
	enum node_kind	 kind;
	char		*text;	/* owned: N_TEXT bytes, N_LIST indentation */
	size_t		 len;
	int		 var;	/* registry index, -1 when unknown */
	int		 negate;	/* N_OPEN: #unless; N_CLOSE: /unless */
	size_t		 end;	/* N_OPEN: index of its N_CLOSE */
	int		 line;
};

struct nodes {
	struct node	*v;	/* owned */
	size_t		 n, cap;
};

struct var_def {
	char		*name;		/* owned */
	enum tvar_type	 type;
	char		*meaning;	/* owned */
};

struct tpl {
	char		*name;		/* owned */
	char		*path;		/* owned, for messages */
	size_t		 lang;		/* index into set->langs */
	struct nodes	 subject;
	struct nodes	 body;
};

struct template_set {
	struct var_def	*vars;		/* owned */
	size_t		 nvars, capvars;
	struct lang	*langs;		/* owned */
	size_t		 nlangs;
	struct tpl	*tpls;		/* owned */
	size_t		 ntpls, captpls;
	int		 currency;	/* registry index of `currency`, or -1 */
};

struct loader {
	struct template_set	*set;
	struct buf		*diag;	/* foreign, may be NULL */
	struct buf		 first;	/* the first problem, for err */
	int			 errors;
};

static void
problem(struct loader *ld, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
problem(struct loader *ld, const char *path, int line, const char *fmt, ...)
{
	struct buf m = BUF_INIT;
	va_list ap;

	buf_printf(&m, "%s:%d: ", path, line);
	va_start(ap, fmt);
	buf_vprintf(&m, fmt, ap);
	va_end(ap);
	if (ld->errors++ == 0)
		buf_append(&ld->first, m.data, m.len);
	if (ld->diag) {
		buf_append(ld->diag, m.data, m.len);
		buf_append_char(ld->diag, '\n');
	}
	buf_free(&m);
}

/* Counts problems that another module appended to a diag buffer. */
static void
absorb(struct loader *ld, struct buf *d, int n)
{
	const char *nl;

	if (n <= 0)
		return;
	if (ld->errors == 0) {
		nl = strchr(buf_str(d), '\n');
		buf_append(&ld->first, buf_str(d),
		    nl ? (size_t)(nl - buf_str(d)) : d->len);
	}
	ld->errors += n;
	if (ld->diag)
		buf_append(ld->diag, d->data, d->len);
}

static int
read_file(const char *path, struct buf *out, char *why, size_t whylen)
{
	FILE *f;
	char chunk[8192];
	size_t n;
	int rc = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_append(out, chunk, n);
		if (out->len > TEMPLATE_FILE_MAX) {
			snprintf(why, whylen, "larger than %d bytes",
			    TEMPLATE_FILE_MAX);
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(why, whylen, "read error: %s", strerror(errno));
		goto out;
	}
	if (memchr(buf_str(out), '\0', out->len) != NULL) {
		snprintf(why, whylen, "contains a NUL byte");
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

static int
name_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int
var_index(const struct template_set *set, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < set->nvars; i++)
		if (strlen(set->vars[i].name) == n &&
		    memcmp(set->vars[i].name, name, n) == 0)
			return (int)i;
	return -1;
}

static int
type_parse(const char *s, size_t n, enum tvar_type *t)
{
	static const enum tvar_type all[] = {
		TVAR_TEXT, TVAR_DATE, TVAR_AMOUNT, TVAR_LIST, TVAR_FLAG
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strlen(tvar_type_name(all[i])) == n &&
		    memcmp(tvar_type_name(all[i]), s, n) == 0) {
			*t = all[i];
			return 0;
		}
	return -1;
}

/* ---- the registry ------------------------------------------------------ */

static void
load_registry(struct loader *ld, const char *path)
{
	struct template_set *set = ld->set;
	struct buf text = BUF_INIT;
	const char *p, *end, *eol, *w, *we;
	char why[256];
	int line = 0;

	if (read_file(path, &text, why, sizeof(why)) == -1) {
		problem(ld, path, 0, "%s", why);
		goto out;
	}
	if (!utf8_valid(buf_str(&text), text.len)) {
		problem(ld, path, 1, "not valid UTF-8");
		goto out;
	}
	p = buf_str(&text);
	end = p + text.len;
	for (; p < end; p = eol < end ? eol + 1 : end) {
		enum tvar_type type;
		const char *name, *tp;
		size_t nlen, tlen, mlen;

		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		we = eol;
		if (we > p && we[-1] == '\r')
			we--;
		w = p;
		while (w < we && (*w == ' ' || *w == '\t'))
			w++;
		if (w == we || *w == '#')
			continue;
		name = w;
		while (w < we && *w != ' ' && *w != '\t')
			w++;
		nlen = (size_t)(w - name);
		while (w < we && (*w == ' ' || *w == '\t'))
			w++;
		tp = w;
		while (w < we && *w != ' ' && *w != '\t')
			w++;
		tlen = (size_t)(w - tp);
		while (w < we && (*w == ' ' || *w == '\t'))
			w++;
		mlen = (size_t)(we - w);
		while (mlen && (w[mlen - 1] == ' ' || w[mlen - 1] == '\t'))
			mlen--;
		if (!name_valid(name, nlen)) {
			problem(ld, path, line, "bad variable name '%.*s' "
			    "(lower-case letters, digits, '_')", (int)nlen,
			    name);
			continue;
		}
		if (tlen == 0 || type_parse(tp, tlen, &type) == -1) {
			problem(ld, path, line, "%.*s: type '%.*s' is not one "
			    "of text, date, amount, list, flag", (int)nlen,
			    name, (int)tlen, tp);
			continue;
		}
		if (mlen == 0) {
			problem(ld, path, line, "%.*s: a one-line meaning is "
			    "required after the type", (int)nlen, name);
			continue;
		}
		if (var_index(set, name, nlen) != -1) {
			problem(ld, path, line, "%.*s: declared twice",
			    (int)nlen, name);
			continue;
		}
		set->vars = xgrow(set->vars, &set->capvars, set->nvars + 1,
		    sizeof(*set->vars));
		set->vars[set->nvars].name = xstrndup(name, nlen);
		set->vars[set->nvars].type = type;
		set->vars[set->nvars].meaning = xstrndup(w, mlen);
		set->nvars++;
	}
	set->currency = var_index(set, "currency", 8);
	if (set->currency != -1 && set->vars[set->currency].type != TVAR_TEXT) {
		problem(ld, path, 0, "currency: must be of type text (the "
		    "ISO 4217 code amounts are written in)");
		set->currency = -1;
	}
out:
	buf_free(&text);
}

/* ---- template syntax --------------------------------------------------- */

static struct node *
node_add(struct nodes *ns, enum node_kind kind, int line)
{
	struct node *n;

	ns->v = xgrow(ns->v, &ns->cap, ns->n + 1, sizeof(*ns->v));
	n = &ns->v[ns->n++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->var = -1;
	n->line = line;
	return n;
}

static void
text_add(struct nodes *ns, const char *s, size_t len, int line)
{
	struct node *n;

	if (len == 0)
		return;
	n = node_add(ns, N_TEXT, line);
	n->text = xstrndup(s, len);
	n->len = len;
}

static void
nodes_free(struct nodes *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i].text);
	free(ns->v);
	ns->v = NULL;
	ns->n = ns->cap = 0;
}

/* One parsed {{...}}. */
struct tag {
	enum node_kind	 kind;
	int		 negate;
	const char	*name;	/* into the template text */
	size_t		 nlen;
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Parses the inside of {{ }}; 0 or -1 with a message in why. */
static int
tag_parse(const char *s, size_t n, struct tag *t, char *why, size_t whylen)
{
	const char *w1, *w2 = NULL;
	size_t l1, l2 = 0;

	memset(t, 0, sizeof(*t));
	while (n && is_space(*s))
		s++, n--;
	while (n && is_space(s[n - 1]))
		n--;
	w1 = s;
	for (l1 = 0; l1 < n && !is_space(s[l1]); l1++)
		;
	if (l1 < n) {
		w2 = s + l1;
		while (w2 < s + n && is_space(*w2))
			w2++;
		for (l2 = 0; w2 + l2 < s + n && !is_space(w2[l2]); l2++)
			;
		if (w2 + l2 != s + n) {
			snprintf(why, whylen, "malformed tag '{{%.*s}}'",
			    (int)n, s);
			return -1;
		}
	}
#define WORD_IS(w, l, lit) ((l) == strlen(lit) && memcmp((w), (lit), (l)) == 0)
	if (l1 > 0 && w1[0] == '/') {
		if (w2 != NULL || !(WORD_IS(w1, l1, "/if") ||
		    WORD_IS(w1, l1, "/unless"))) {
			snprintf(why, whylen, "malformed tag '{{%.*s}}' "
			    "(write {{/if}} or {{/unless}})", (int)n, s);
			return -1;
		}
		t->kind = N_CLOSE;
		t->negate = WORD_IS(w1, l1, "/unless");
		return 0;
	}
	if (l1 > 0 && w1[0] == '#') {
		if (!(WORD_IS(w1, l1, "#if") || WORD_IS(w1, l1, "#unless"))) {
			snprintf(why, whylen, "unknown section '%.*s' (use "
			    "#if or #unless)", (int)l1, w1);
			return -1;
		}
		if (w2 == NULL) {
			snprintf(why, whylen, "'{{%.*s}}' needs a variable",
			    (int)n, s);
			return -1;
		}
		t->kind = N_OPEN;
		t->negate = WORD_IS(w1, l1, "#unless");
		t->name = w2;
		t->nlen = l2;
	} else if (w2 == NULL) {
		if (WORD_IS(w1, l1, "date") || WORD_IS(w1, l1, "amount") ||
		    WORD_IS(w1, l1, "list")) {
			snprintf(why, whylen, "'{{%.*s}}' needs a variable",
			    (int)l1, w1);
			return -1;
		}
		t->kind = N_VAR;
		t->name = w1;
		t->nlen = l1;
	} else {
		if (WORD_IS(w1, l1, "date"))
			t->kind = N_DATE;
		else if (WORD_IS(w1, l1, "amount"))
			t->kind = N_AMOUNT;
		else if (WORD_IS(w1, l1, "list"))
			t->kind = N_LIST;
		else {
			snprintf(why, whylen, "unknown formatter '%.*s' (use "
			    "date, amount or list)", (int)l1, w1);
			return -1;
		}
		t->name = w2;
		t->nlen = l2;
	}
#undef WORD_IS
	if (!name_valid(t->name, t->nlen)) {
		snprintf(why, whylen, "bad variable name '%.*s'", (int)t->nlen,
		    t->name);
		return -1;
	}
	return 0;
}

/* Checks a tag against the registry; adds its node. */
static void
tag_add(struct loader *ld, const char *path, int line, const struct tag *t,
    struct nodes *ns, size_t **stack, size_t *depth, size_t *stackcap,
    const char *indent, size_t indlen)
{
	struct template_set *set = ld->set;
	struct node *n;
	enum tvar_type type;
	int v = -1;

	if (t->kind == N_CLOSE) {
		size_t open;

		if (*depth == 0) {
			problem(ld, path, line, "{{/%s}} without an open "
			    "section", t->negate ? "unless" : "if");
			return;
		}
		open = (*stack)[*depth - 1];
		if (ns->v[open].negate != t->negate) {
			problem(ld, path, line, "{{/%s}} closes {{#%s}} opened "
			    "on line %d", t->negate ? "unless" : "if",
			    ns->v[open].negate ? "unless" : "if",
			    ns->v[open].line);
			/* Still pair them, so that one mistake is one message. */
		}
		(*depth)--;
		n = node_add(ns, N_CLOSE, line);
		n->negate = t->negate;
		ns->v[open].end = ns->n - 1;
		return;
	}
	v = var_index(set, t->name, t->nlen);
	if (v == -1)
		problem(ld, path, line, "unknown variable '%.*s' (not in "
		    "variables.txt)", (int)t->nlen, t->name);
	else {
		type = set->vars[v].type;
		switch (t->kind) {
		case N_VAR:
			if (type != TVAR_TEXT)
				problem(ld, path, line, "'%s' is a %s: write "
				    "%s", set->vars[v].name,
				    tvar_type_name(type), type == TVAR_FLAG ?
				    "it in {{#if}} or {{#unless}}" :
				    type == TVAR_DATE ? "{{date ...}}" :
				    type == TVAR_AMOUNT ? "{{amount ...}}" :
				    "{{list ...}}");
			break;
		case N_DATE:
		case N_AMOUNT:
		case N_LIST:
			if ((t->kind == N_DATE && type != TVAR_DATE) ||
			    (t->kind == N_AMOUNT && type != TVAR_AMOUNT) ||
			    (t->kind == N_LIST && type != TVAR_LIST))
				problem(ld, path, line, "formatter '%s' "
				    "applied to '%s', which is a %s",
				    t->kind == N_DATE ? "date" :
				    t->kind == N_AMOUNT ? "amount" : "list",
				    set->vars[v].name, tvar_type_name(type));
			if (t->kind == N_AMOUNT && set->currency == -1)
				problem(ld, path, line, "{{amount}} needs the "
				    "text variable 'currency' in variables.txt");
			break;
		case N_OPEN:
			if (type == TVAR_DATE)
				problem(ld, path, line, "section on '%s', a "
				    "date: sections test a flag, a list, a "
				    "text or an amount", set->vars[v].name);
			break;
		default:
			break;
		}
	}
	n = node_add(ns, t->kind, line);
	n->var = v;
	n->negate = t->negate;
	if (t->kind == N_LIST)
		n->text = xstrndup(indent, indlen);
	if (t->kind == N_OPEN) {
		*stack = xgrow(*stack, stackcap, *depth + 1, sizeof(**stack));
		(*stack)[(*depth)++] = ns->n - 1;
	}
}

/* One piece of a line: text, or a tag (parsed, or broken). */
struct piece {
	const char	*s;
	size_t		 len;
	int		 is_tag, broken;
	struct tag	 tag;
	char		 why[160];
};

/* Parses text with {{ }} tags into nodes. The subject is one line; in the
 * body a line that holds nothing but one section or list tag (and white
 * space) is a "standalone" line: it leaves no text of its own. */
static void
parse_text(struct loader *ld, const char *path, int line0, const char *s,
    size_t len, int subject, struct nodes *ns)
{
	const char *p = s, *end = s + len, *eol, *q, *close;
	struct piece *pc = NULL;
	size_t npc = 0, cappc = 0, i, depth = 0, stackcap = 0, *stack = NULL;
	int line = line0;

	for (; p < end; p = eol < end ? eol + 1 : end, line++) {
		int ntags = 0, standalone, has_nl;
		size_t ll;

		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		has_nl = eol < end;
		ll = (size_t)(eol - p);
		npc = 0;
		/* Split the line into pieces. */
		for (q = p; q < p + ll;) {
			const char *open = NULL;
			size_t k;

			for (k = (size_t)(q - p); k + 1 < ll; k++)
				if (p[k] == '{' && p[k + 1] == '{') {
					open = p + k;
					break;
				}
			pc = xgrow(pc, &cappc, npc + 2, sizeof(*pc));
			if (open == NULL) {
				memset(&pc[npc], 0, sizeof(pc[npc]));
				pc[npc].s = q;
				pc[npc++].len = (size_t)(p + ll - q);
				break;
			}
			if (open > q) {
				memset(&pc[npc], 0, sizeof(pc[npc]));
				pc[npc].s = q;
				pc[npc++].len = (size_t)(open - q);
			}
			close = NULL;
			for (k = (size_t)(open - p) + 2; k + 1 < ll; k++)
				if (p[k] == '}' && p[k + 1] == '}') {
					close = p + k;
					break;
				}
			memset(&pc[npc], 0, sizeof(pc[npc]));
			pc[npc].is_tag = 1;
			ntags++;
			if (close == NULL) {
				problem(ld, path, line, "'{{' without '}}' on "
				    "the same line");
				pc[npc].broken = 1;
				pc[npc].s = open;
				pc[npc++].len = (size_t)(p + ll - open);
				break;
			}
			pc[npc].s = open;
			pc[npc].len = (size_t)(close + 2 - open);
			if (tag_parse(open + 2, (size_t)(close - open - 2),
			    &pc[npc].tag, pc[npc].why, sizeof(pc[npc].why)) ==
			    -1) {
				problem(ld, path, line, "%s", pc[npc].why);
				pc[npc].broken = 1;
			}
			npc++;
			q = close + 2;
		}
		/* Standalone: one unbroken section or list tag, else blanks. */
		standalone = !subject && ntags == 1;
		for (i = 0; standalone && i < npc; i++) {
			if (pc[i].is_tag) {
				if (pc[i].broken || (pc[i].tag.kind != N_OPEN &&
				    pc[i].tag.kind != N_CLOSE &&
				    pc[i].tag.kind != N_LIST))
					standalone = 0;
			} else {
				size_t k;

				for (k = 0; k < pc[i].len; k++)
					if (!is_space(pc[i].s[k]) &&
					    !(pc[i].s[k] == '\r' &&
					    pc[i].s + k == p + ll - 1))
						standalone = 0;
			}
		}
		if (standalone) {
			const char *ind = p;
			size_t indlen = 0;

			for (i = 0; i < npc && !pc[i].is_tag; i++)
				;
			if (i > 0) {
				ind = pc[0].s;
				indlen = pc[0].len;
			}
			tag_add(ld, path, line, &pc[i].tag, ns, &stack, &depth,
			    &stackcap, ind, indlen);
			continue;
		}
		for (i = 0; i < npc; i++) {
			if (!pc[i].is_tag) {
				text_add(ns, pc[i].s, pc[i].len, line);
				continue;
			}
			if (pc[i].broken)
				continue;
			if (pc[i].tag.kind == N_LIST) {
				problem(ld, path, line, "{{list %.*s}} must "
				    "stand alone on its line%s",
				    (int)pc[i].tag.nlen, pc[i].tag.name,
				    subject ? " (not in the Subject)" : "");
				continue;
			}
			tag_add(ld, path, line, &pc[i].tag, ns, &stack, &depth,
			    &stackcap, NULL, 0);
		}
		if (has_nl)
			text_add(ns, "\n", 1, line);
	}
	while (depth > 0) {
		const struct node *o = &ns->v[stack[--depth]];

		problem(ld, path, o->line, "{{#%s}} is never closed%s",
		    o->negate ? "unless" : "if", subject ? " in the Subject" :
		    "");
		/* Close it at the end so the node list stays well formed. */
		node_add(ns, N_CLOSE, o->line)->negate = o->negate;
		ns->v[stack[depth]].end = ns->n - 1;
	}
	free(stack);
	free(pc);
}

/* ---- loading ------------------------------------------------------------ */

static void
load_template(struct loader *ld, const char *path, const char *name,
    size_t lang)
{
	struct template_set *set = ld->set;
	struct buf text = BUF_INIT;
	struct tpl t;
	const char *s, *end, *eol, *body;
	char why[256];
	size_t slen;
	int nobody = 0, body_line = 3;

	/* The entry is kept even for a broken file (the load fails anyway),
	 * so that the check of languages does not report it as absent. */
	memset(&t, 0, sizeof(t));
	t.name = xstrdup(name);
	t.path = xstrdup(path);
	t.lang = lang;
	if (read_file(path, &text, why, sizeof(why)) == -1) {
		problem(ld, path, 0, "%s", why);
		goto add;
	}
	s = buf_str(&text);
	end = s + text.len;
	if (text.len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;	/* a byte-order mark some editors write */
	if (!utf8_valid(s, (size_t)(end - s))) {
		problem(ld, path, 1, "not valid UTF-8");
		goto add;
	}
	if ((size_t)(end - s) < 8 || strncmp(s, "Subject:", 8) != 0) {
		problem(ld, path, 1, "the first line must be 'Subject: ...'");
		goto add;
	}
	if ((eol = memchr(s, '\n', (size_t)(end - s))) == NULL)
		eol = end;
	s += 8;
	while (s < eol && is_space(*s))
		s++;
	slen = (size_t)(eol - s);
	while (slen && (is_space(s[slen - 1]) || s[slen - 1] == '\r'))
		slen--;
	if (slen == 0)
		problem(ld, path, 1, "empty Subject");
	parse_text(ld, path, 1, s, slen, 1, &t.subject);
	body = eol < end ? eol + 1 : end;
	if (body < end && (eol = memchr(body, '\n', (size_t)(end - body))) !=
	    NULL) {
		const char *b = body;

		while (b < eol && (is_space(*b) || *b == '\r'))
			b++;
		if (b != eol) {
			/* Read line 2 as body: one mistake, one message. */
			problem(ld, path, 2, "the Subject line must be "
			    "followed by a blank line");
			body_line = 2;
		} else
			body = eol + 1;
	} else {
		problem(ld, path, 2, "no body after the Subject line");
		body = end;
		nobody = 1;
	}
	{
		/* Drop the CRs of CRLF files and the trailing blank lines;
		 * the rendered body ends with exactly one LF. */
		struct buf b = BUF_INIT;
		const char *q;

		for (q = body; q < end; q++)
			if (!(*q == '\r' && q + 1 < end && q[1] == '\n'))
				buf_append_char(&b, *q);
		while (b.len && (b.data[b.len - 1] == '\n' ||
		    is_space(b.data[b.len - 1])))
			b.len--;
		if (b.len == 0 && !nobody)
			problem(ld, path, body_line, "empty body");
		buf_append_char(&b, '\n');
		parse_text(ld, path, body_line, b.data, b.len, 0, &t.body);
		buf_free(&b);
	}
add:
	set->tpls = xgrow(set->tpls, &set->captpls, set->ntpls + 1,
	    sizeof(*set->tpls));
	set->tpls[set->ntpls++] = t;
	memset(&t, 0, sizeof(t));
	free(t.name);
	free(t.path);
	nodes_free(&t.subject);
	nodes_free(&t.body);
	buf_free(&text);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_lang_dir(struct loader *ld, const char *root, size_t lang)
{
	const char *code = ld->set->langs[lang].code;
	char *dir = xasprintf("%s/templates/%s", root, code);
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		problem(ld, dir, 0, "cannot open the template directory of "
		    "language '%s': %s", code, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		/* Only *.txt are templates; editor backups etc. are not. */
		if (de->d_name[0] == '.' || l < 5 ||
		    strcmp(de->d_name + l - 4, ".txt") != 0)
			continue;
		names = xgrow(names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrndup(de->d_name, l - 4);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s.txt", dir, names[i]);

		if (!name_valid(names[i], strlen(names[i])))
			problem(ld, path, 0, "bad notice name '%s' "
			    "(lower-case letters, digits, '_')", names[i]);
		else
			load_template(ld, path, names[i], lang);
		free(path);
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
}

static const struct tpl *
find_tpl(const struct template_set *set, const char *name, size_t lang)
{
	size_t i;

	for (i = 0; i < set->ntpls; i++)
		if (set->tpls[i].lang == lang &&
		    strcmp(set->tpls[i].name, name) == 0)
			return &set->tpls[i];
	return NULL;
}

static int
lang_index(const struct template_set *set, const char *code, size_t *out)
{
	size_t i;

	if (code == NULL)
		return -1;
	for (i = 0; i < set->nlangs; i++)
		if (strcmp(set->langs[i].code, code) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

/* Every notice must exist in every configured language. */
static void
check_complete(struct loader *ld, const char *root)
{
	const struct template_set *set = ld->set;
	size_t i, j, l;

	for (i = 0; i < set->ntpls; i++) {
		const struct tpl *t = &set->tpls[i];

		/* Report each notice once, from its first file. */
		for (j = 0; j < i; j++)
			if (strcmp(set->tpls[j].name, t->name) == 0)
				break;
		if (j < i)
			continue;
		for (l = 0; l < set->nlangs; l++)
			if (find_tpl(set, t->name, l) == NULL)
				problem(ld, t->path, 1, "notice '%s' has no "
				    "template in language '%s' (%s/templates/"
				    "%s/%s.txt)", t->name, set->langs[l].code,
				    root, set->langs[l].code, t->name);
	}
}

int
templates_load_dir(const char *root, const char *const *langs,
    struct template_set **out, struct buf *diag, struct clerk_err *err)
{
	struct loader ld;
	struct template_set *set = xcalloc(1, sizeof(*set));
	size_t i, j, n = 0;
	char *path;
	int rc = -1;

	memset(&ld, 0, sizeof(ld));
	ld.set = set;
	ld.diag = diag;
	set->currency = -1;
	path = xasprintf("%s/templates/variables.txt", root);
	load_registry(&ld, path);
	free(path);
	while (langs && langs[n])
		n++;
	if (n == 0)
		problem(&ld, root, 0, "no language configured");
	set->langs = xcalloc(n ? n : 1, sizeof(*set->langs));
	for (i = 0; i < n; i++) {
		struct buf text = BUF_INIT, d = BUF_INIT;
		char why[256];

		path = xasprintf("%s/languages/%s.conf", root, langs[i]);
		for (j = 0; j < i; j++)
			if (strcmp(langs[i], langs[j]) == 0)
				break;
		if (j < i)
			problem(&ld, path, 0, "language '%s' configured twice",
			    langs[i]);
		else if (!name_valid(langs[i], strlen(langs[i])) ||
		    strlen(langs[i]) >= sizeof(set->langs[0].code))
			problem(&ld, path, 0, "bad language code '%s'",
			    langs[i]);
		else if (read_file(path, &text, why, sizeof(why)) == -1)
			problem(&ld, path, 0, "%s", why);
		else
			absorb(&ld, &d, lang_parse(path, langs[i],
			    buf_str(&text), text.len, &set->langs[i], &d));
		/* A broken language keeps its code, so templates still load. */
		snprintf(set->langs[i].code, sizeof(set->langs[i].code), "%s",
		    langs[i]);
		set->nlangs++;
		buf_free(&text);
		buf_free(&d);
		free(path);
	}
	for (i = 0; i < set->nlangs; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(set->langs[i].code, set->langs[j].code) == 0)
				break;
		if (j == i)
			load_lang_dir(&ld, root, i);
	}
	check_complete(&ld, root);
	if (ld.errors) {
		err_set(err, ERR_FINAL, "%d problem%s in the templates; first: %s",
		    ld.errors, ld.errors == 1 ? "" : "s", buf_str(&ld.first));
		goto out;
	}
	*out = set;
	set = NULL;
	rc = 0;
out:
	buf_free(&ld.first);
	template_set_free(set);
	return rc;
}

void
template_set_free(struct template_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nvars; i++) {
		free(set->vars[i].name);
		free(set->vars[i].meaning);
	}
	free(set->vars);
	for (i = 0; i < set->nlangs; i++)
		lang_free(&set->langs[i]);
	free(set->langs);
	for (i = 0; i < set->ntpls; i++) {
		free(set->tpls[i].name);
		free(set->tpls[i].path);
		nodes_free(&set->tpls[i].subject);
		nodes_free(&set->tpls[i].body);
	}
	free(set->tpls);
	free(set);
}

/* ---- queries ------------------------------------------------------------ */

int
template_exists(const struct template_set *set, const char *name)
{
	return set->nlangs > 0 && find_tpl(set, name, 0) != NULL;
}

int
template_var_type(const struct template_set *set, const char *var,
    enum tvar_type *type)
{
	int v = var_index(set, var, strlen(var));

	if (v == -1)
		return -1;
	*type = set->vars[v].type;
	return 0;
}

static void
mark_used(const struct template_set *set, const struct nodes *ns,
    unsigned char *used)
{
	size_t i;

	for (i = 0; i < ns->n; i++) {
		if (ns->v[i].var >= 0)
			used[ns->v[i].var] = 1;
		if (ns->v[i].kind == N_AMOUNT && set->currency >= 0)
			used[set->currency] = 1;
	}
}

int
template_each_var(const struct template_set *set, const char *name,
    void (*fn)(const char *var, enum tvar_type type, void *arg), void *arg)
{
	unsigned char *used;
	size_t i;
	int found = 0;

	used = xcalloc(set->nvars ? set->nvars : 1, 1);
	for (i = 0; i < set->ntpls; i++)
		if (strcmp(set->tpls[i].name, name) == 0) {
			found = 1;
			mark_used(set, &set->tpls[i].subject, used);
			mark_used(set, &set->tpls[i].body, used);
		}
	for (i = 0; found && i < set->nvars; i++)
		if (used[i])
			fn(set->vars[i].name, set->vars[i].type, arg);
	free(used);
	return found ? 0 : -1;
}

const struct lang *
template_lang(const struct template_set *set, const char *code)
{
	size_t i;

	return lang_index(set, code, &i) == 0 ? &set->langs[i] : NULL;
}

const char *
template_pick_lang(const struct template_set *set, const char *recipient_lang,
    const char *profile_default)
{
	size_t i;

	if (lang_index(set, recipient_lang, &i) == 0)
		return set->langs[i].code;
	return profile_default;
}

/* ---- rendering ---------------------------------------------------------- */

struct render {
	const struct template_set	*set;
	const struct lang		*lang;
	const struct tvars		*vars;
	const char			*where;	/* "notice 'x' (nb)" */
	int				 subject;
	struct buf			 missing;	/* names, ", "-separated */
	struct clerk_err		*err;
	int				 failed;	/* err is set */
};

static void
note_missing(struct render *r, const char *name)
{
	const char *p = buf_str(&r->missing);
	size_t n = strlen(name);

	/* Each name once. */
	while ((p = strstr(p, name)) != NULL) {
		if ((p == buf_str(&r->missing) || p[-1] == ' ') &&
		    (p[n] == ',' || p[n] == '\0'))
			return;
		p += n;
	}
	if (r->missing.len)
		buf_append_str(&r->missing, ", ");
	buf_append_str(&r->missing, name);
}

/* The value of registry variable v, checked; NULL when absent or wrong. */
static const struct tvar *
value(struct render *r, int v)
{
	const struct var_def *def = &r->set->vars[v];
	const struct tvar *tv = tvars_get(r->vars, def->name);

	if (tv == NULL) {
		note_missing(r, def->name);
		return NULL;
	}
	if (tv->type != def->type) {
		if (!r->failed)
			err_set(r->err, ERR_FINAL, "%s: '%s' is of type %s in "
			    "variables.txt but was given as %s", r->where, def->name,
			    tvar_type_name(def->type), tvar_type_name(tv->type));
		r->failed = 1;
		return NULL;
	}
	if (tv->type == TVAR_TEXT && !utf8_valid(tv->text, strlen(tv->text))) {
		if (!r->failed)
			err_set(r->err, ERR_FINAL, "%s: '%s' is not valid UTF-8",
			    r->where, def->name);
		r->failed = 1;
		return NULL;
	}
	if (tv->type == TVAR_LIST) {
		size_t i;

		for (i = 0; i < tv->nitems; i++)
			if (!utf8_valid(tv->items[i], strlen(tv->items[i]))) {
				if (!r->failed)
					err_set(r->err, ERR_FINAL, "%s: item %zu of "
					    "'%s' is not valid UTF-8", r->where,
					    i + 1, def->name);
				r->failed = 1;
				return NULL;
			}
	}
	return tv;
}

/* Text into the output: the subject gets one line (control characters
 * become one space), the body LF line ends. */
static void
put_text(struct render *r, struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (r->subject && ((unsigned char)*s < 0x20 || *s == 0x7f)) {
			if (out->len == 0 || out->data[out->len - 1] != ' ')
				buf_append_char(out, ' ');
			continue;
		}
		if (!r->subject && s[0] == '\r' && s[1] == '\n')
			continue;
		buf_append_char(out, *s);
	}
}

static void
put_item(struct buf *out, const char *indent, const char *item)
{
	const char *p = item, *nl;

	buf_append_str(out, indent);
	buf_append_str(out, "- ");
	for (;;) {
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n && p[n - 1] == '\r')
			n--;
		buf_append(out, p, n);
		buf_append_char(out, '\n');
		if (nl == NULL || nl[1] == '\0')
			break;
		p = nl + 1;
		/* Continuation lines line up under the item's text. */
		buf_append_str(out, indent);
		buf_append_str(out, "  ");
	}
}

static void
render_nodes(struct render *r, const struct nodes *ns, struct buf *out)
{
	const struct tvar *tv, *cur;
	size_t i, k;

	for (i = 0; i < ns->n; i++) {
		const struct node *n = &ns->v[i];

		switch (n->kind) {
		case N_TEXT:
			buf_append(out, n->text, n->len);
			break;
		case N_VAR:
			if ((tv = value(r, n->var)) != NULL)
				put_text(r, out, tv->text);
			break;
		case N_DATE:
			if ((tv = value(r, n->var)) != NULL &&
			    lang_format_date(r->lang, tv->date, out,
			    r->failed ? NULL : r->err) == -1) {
				if (!r->failed)
					err_prefix(r->err, "%s: %s", r->where,
					    tv->name);
				r->failed = 1;
			}
			break;
		case N_AMOUNT:
			tv = value(r, n->var);
			cur = value(r, r->set->currency);
			if (tv && cur && lang_format_amount(r->lang,
			    tv->amount, cur->text, out,
			    r->failed ? NULL : r->err) == -1) {
				if (!r->failed)
					err_prefix(r->err, "%s: %s", r->where,
					    tv->name);
				r->failed = 1;
			}
			break;
		case N_LIST:
			if ((tv = value(r, n->var)) != NULL)
				for (k = 0; k < tv->nitems; k++)
					put_item(out, n->text, tv->items[k]);
			break;
		case N_OPEN: {
			int on = 0;

			if ((tv = value(r, n->var)) != NULL)
				on = tv->type == TVAR_FLAG ? tv->flag :
				    tv->type == TVAR_LIST ? tv->nitems > 0 :
				    tv->type == TVAR_AMOUNT ? tv->amount != 0 :
				    tv->text[0] != '\0';
			if (n->negate)
				on = !on;
			/* An absent condition is already an error; skip. */
			if (tv == NULL || !on)
				i = n->end;
			break;
		}
		case N_CLOSE:
			break;
		}
	}
}

int
template_render(const struct template_set *set, const char *name,
    const char *lang, const struct tvars *vars, struct rendered *out,
    struct clerk_err *err)
{
	struct render r;
	struct buf subj = BUF_INIT, body = BUF_INIT;
	const struct tpl *t;
	char *where = NULL;
	size_t li, s, e;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	if (lang_index(set, lang, &li) == -1) {
		err_set(err, ERR_FINAL, "notice '%s': language '%s' is not configured",
		    name, lang ? lang : "(none)");
		goto out;
	}
	if ((t = find_tpl(set, name, li)) == NULL) {
		err_set(err, ERR_FINAL, "no notice '%s' in language '%s'", name, lang);
		goto out;
	}
	where = xasprintf("notice '%s' (%s)", name, lang);
	r.set = set;
	r.lang = &set->langs[li];
	r.vars = vars;
	r.where = where;
	r.err = err;
	r.subject = 1;
	render_nodes(&r, &t->subject, &subj);
	r.subject = 0;
	render_nodes(&r, &t->body, &body);
	if (r.failed)
		goto out;
	if (r.missing.len) {
		err_set(err, ERR_FINAL, "%s: no value for %s", where,
		    buf_str(&r.missing));
		goto out;
	}
	/* The subject without surrounding space. */
	s = 0;
	e = subj.len;
	while (s < e && subj.data[s] == ' ')
		s++;
	while (e > s && subj.data[e - 1] == ' ')
		e--;
	out->subject = xstrndup(buf_str(&subj) + s, e - s);
	out->body = buf_steal(&body);
	rc = 0;
out:
	free(where);
	buf_free(&r.missing);
	buf_free(&subj);
	buf_free(&body);
	return rc;
}

void
rendered_free(struct rendered *r)
{
	if (r == NULL)
		return;
	free(r->subject);
	free(r->body);
	r->subject = r->body = NULL;
}
