/* Expressions of the workflow data: a lexer and a recursive-descent
 * parser into a small tree (expr_tree.h); expr_eval.c evaluates it. */
#include "expr.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "expr_tree.h"
#include "xmalloc.h"

/* ---- the tree ---------------------------------------------------------- */

static void
node_free(struct node *n)
{
	if (n == NULL)
		return;
	free(n->s);
	for (size_t i = 0; i < n->nsegs; i++) {
		free(n->segs[i].name);
		node_free(n->segs[i].index);
	}
	free(n->segs);
	for (size_t i = 0; i < n->nargs; i++)
		node_free(n->args[i]);
	free(n->args);
	free(n);
}

void
expr_free(struct expr *e)
{
	if (e == NULL)
		return;
	node_free(e->root);
	free(e->text);
	free(e);
}

const char *
expr_text(const struct expr *e)
{
	return e->text;
}

int
expr_literal(const struct expr *e, const char **lit)
{
	if (e->root->kind == N_STR) {
		*lit = e->root->s;
		return 1;
	}
	if (e->root->kind == N_INT) {
		*lit = e->text;
		return 1;
	}
	return 0;
}

/* ---- the lexer --------------------------------------------------------- */

struct lexer {
	const char	*p;		/* next character */
	const char	*tstart;	/* start of the current token */
	enum tok	 tok;
	char		*text;		/* owned: T_NAME, T_STR */
	long long	 num;		/* T_INT, T_DUR amount */
	enum cal_unit	 unit;		/* T_DUR */
	struct clerk_err *err;
	int		 failed;
};

static int
name_char(int c)
{
	return isalnum(c) || c == '_';
}

static void
lex_fail(struct lexer *lx, const char *fmt, const char *what)
{
	if (!lx->failed)
		err_set(lx->err, ERR_FINAL, fmt, what);
	lx->failed = 1;
	lx->tok = T_BAD;
}

static void
lex_string(struct lexer *lx)
{
	struct buf b = BUF_INIT;

	lx->p++;
	for (;;) {
		char c = *lx->p;

		if (c == '\0' || c == '\n') {
			buf_free(&b);
			lex_fail(lx, "unterminated string %s", lx->tstart);
			return;
		}
		lx->p++;
		if (c == '"')
			break;
		if (c == '\\' && (*lx->p == '"' || *lx->p == '\\')) {
			c = *lx->p;
			lx->p++;
		}
		buf_append_char(&b, c);
	}
	lx->text = buf_steal(&b);
	lx->tok = T_STR;
}

static void
lex_number(struct lexer *lx)
{
	long long n = 0;

	while (isdigit((unsigned char)*lx->p)) {
		int d = *lx->p - '0';

		if (n > (LLONG_MAX - d) / 10) {
			lex_fail(lx, "number too large: %s", lx->tstart);
			return;
		}
		n = n * 10 + d;
		lx->p++;
	}
	lx->num = n;
	lx->tok = T_INT;
	if (strchr("dwmy", *lx->p) != NULL && *lx->p != '\0' &&
	    !name_char((unsigned char)lx->p[1])) {
		if (n > CAL_AMOUNT_MAX) {
			lex_fail(lx, "duration too large: %s", lx->tstart);
			return;
		}
		lx->unit = *lx->p == 'd' ? CAL_DAYS : *lx->p == 'w' ? CAL_WEEKS :
		    *lx->p == 'm' ? CAL_MONTHS : CAL_YEARS;
		lx->p++;
		lx->tok = T_DUR;
	} else if (name_char((unsigned char)*lx->p))
		lex_fail(lx, "bad number: %s", lx->tstart);
}

static void
lex_next(struct lexer *lx)
{
	const char *p;

	free(lx->text);
	lx->text = NULL;
	if (lx->failed)
		return;
	while (*lx->p == ' ' || *lx->p == '\t')
		lx->p++;
	lx->tstart = p = lx->p;
	if (*p == '\0' || *p == '\n' || *p == '#') {
		lx->tok = T_END;
		return;
	}
	if (*p == '"') {
		lex_string(lx);
		return;
	}
	if (isdigit((unsigned char)*p)) {
		lex_number(lx);
		return;
	}
	if (isalpha((unsigned char)*p) || *p == '_') {
		while (name_char((unsigned char)*lx->p))
			lx->p++;
		lx->text = xstrndup(p, (size_t)(lx->p - p));
		lx->tok = T_NAME;
		return;
	}
	lx->p++;
	switch (*p) {
	case '(': lx->tok = T_LP; return;
	case ')': lx->tok = T_RP; return;
	case '[': lx->tok = T_LB; return;
	case ']': lx->tok = T_RB; return;
	case ',': lx->tok = T_COMMA; return;
	case '.': lx->tok = T_DOT; return;
	case '+': lx->tok = T_PLUS; return;
	case '-': lx->tok = T_MINUS; return;
	case '*': lx->tok = T_STAR; return;
	case '/': lx->tok = T_SLASH; return;
	case '%': lx->tok = T_PERCENT; return;
	case '=':
		if (*lx->p == '=') {
			lx->p++;
			lx->tok = T_EQ;
			return;
		}
		break;
	case '!':
		if (*lx->p == '=') {
			lx->p++;
			lx->tok = T_NE;
			return;
		}
		break;
	case '<':
		if (*lx->p == '=') {
			lx->p++;
			lx->tok = T_LE;
		} else
			lx->tok = T_LT;
		return;
	case '>':
		if (*lx->p == '=') {
			lx->p++;
			lx->tok = T_GE;
		} else
			lx->tok = T_GT;
		return;
	default:
		break;
	}
	lx->p = p;
	lex_fail(lx, "unexpected character at: %s", p);
}

/* ---- the parser -------------------------------------------------------- */

static struct node *parse_or(struct lexer *lx);

static struct node *
node_new(enum node_kind kind)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	return n;
}

static void
node_add_arg(struct node *n, struct node *a)
{
	n->args = xrealloc(n->args, (n->nargs + 1) * sizeof(*n->args));
	n->args[n->nargs++] = a;
}

static int
is_word(const struct lexer *lx, const char *w)
{
	return lx->tok == T_NAME && strcmp(lx->text, w) == 0;
}

static const char *
tok_desc(const struct lexer *lx)
{
	return lx->tok == T_END ? "end of expression" : lx->tstart;
}

static struct node *
parse_ref(struct lexer *lx, enum expr_ns ns)
{
	struct node *n = node_new(N_REF);

	n->ns = ns;
	lex_next(lx);
	for (;;) {
		struct seg s = { NULL, NULL };

		if (lx->tok == T_DOT) {
			lex_next(lx);
			if (lx->tok != T_NAME && lx->tok != T_INT) {
				lex_fail(lx, "a name must follow '.' at: %s", tok_desc(lx));
				break;
			}
			s.name = lx->tok == T_NAME ? xstrdup(lx->text) :
			    xasprintf("%lld", lx->num);
			lex_next(lx);
		} else if (lx->tok == T_LB) {
			lex_next(lx);
			s.index = parse_or(lx);
			if (s.index == NULL)
				break;
			if (lx->tok != T_RB) {
				node_free(s.index);
				lex_fail(lx, "']' expected at: %s", tok_desc(lx));
				break;
			}
			lex_next(lx);
		} else
			break;
		if (n->nsegs == EXPR_PATH_MAX) {
			free(s.name);
			node_free(s.index);
			lex_fail(lx, "name too long at: %s", tok_desc(lx));
			break;
		}
		n->segs = xrealloc(n->segs, (n->nsegs + 1) * sizeof(*n->segs));
		n->segs[n->nsegs++] = s;
	}
	if (!lx->failed && n->nsegs == 0)
		lex_fail(lx, "'.' expected after the namespace at: %s", tok_desc(lx));
	if (lx->failed) {
		node_free(n);
		return NULL;
	}
	return n;
}

static struct node *
parse_call(struct lexer *lx, const char *name)
{
	const struct func *fn = expr_func_find(name);
	struct node *n;

	if (fn == NULL) {
		lex_fail(lx, "unknown function %s", name);
		return NULL;
	}
	n = node_new(N_CALL);
	n->fn = fn;
	lex_next(lx);	/* ( */
	lex_next(lx);
	if (lx->tok != T_RP) {
		for (;;) {
			struct node *a = parse_or(lx);

			if (a == NULL)
				goto fail;
			node_add_arg(n, a);
			if (lx->tok != T_COMMA)
				break;
			lex_next(lx);
		}
	}
	if (lx->tok != T_RP) {
		lex_fail(lx, "')' expected at: %s", tok_desc(lx));
		goto fail;
	}
	lex_next(lx);
	if (n->nargs < fn->min || n->nargs > fn->max) {
		char what[128];

		if (fn->min == fn->max)
			snprintf(what, sizeof(what), "%s() takes %zu arguments", fn->name, fn->min);
		else if (fn->max == (size_t)-1)
			snprintf(what, sizeof(what), "%s() takes at least %zu arguments",
			    fn->name, fn->min);
		else
			snprintf(what, sizeof(what), "%s() takes %zu to %zu arguments",
			    fn->name, fn->min, fn->max);
		lex_fail(lx, "%s", what);
		goto fail;
	}
	return n;
fail:
	node_free(n);
	return NULL;
}

static struct node *
parse_primary(struct lexer *lx)
{
	struct node *n = NULL;

	switch (lx->tok) {
	case T_INT:
		n = node_new(N_INT);
		n->i = lx->num;
		lex_next(lx);
		return n;
	case T_DUR:
		n = node_new(N_DUR);
		n->dur.amount = (int)lx->num;
		n->dur.unit = lx->unit;
		lex_next(lx);
		return n;
	case T_STR:
		n = node_new(N_STR);
		n->s = lx->text;
		lx->text = NULL;
		lex_next(lx);
		return n;
	case T_LP:
		lex_next(lx);
		n = parse_or(lx);
		if (n == NULL)
			return NULL;
		if (lx->tok != T_RP) {
			node_free(n);
			lex_fail(lx, "')' expected at: %s", tok_desc(lx));
			return NULL;
		}
		lex_next(lx);
		return n;
	case T_NAME:
		break;
	default:
		lex_fail(lx, "a value expected at: %s", tok_desc(lx));
		return NULL;
	}
	if (*lx->p == '(') {
		char *name = xstrdup(lx->text);

		n = parse_call(lx, name);
		free(name);
		return n;
	}
	if (strcmp(lx->text, "case") == 0)
		return parse_ref(lx, EXPR_NS_CASE);
	if (strcmp(lx->text, "event") == 0)
		return parse_ref(lx, EXPR_NS_EVENT);
	if (strcmp(lx->text, "profile") == 0)
		return parse_ref(lx, EXPR_NS_PROFILE);
	if (strcmp(lx->text, "now") == 0) {
		lex_next(lx);
		return node_new(N_NOW);
	}
	lex_fail(lx, "unknown name %s (names start with case., event. or profile.; "
	    "words need quotes)", lx->text);
	return NULL;
}

static struct node *
parse_unary(struct lexer *lx)
{
	struct node *n, *a;

	if (lx->tok != T_MINUS)
		return parse_primary(lx);
	lex_next(lx);
	if ((a = parse_unary(lx)) == NULL)
		return NULL;
	n = node_new(N_NEG);
	node_add_arg(n, a);
	return n;
}

static struct node *
binary(enum node_kind kind, enum tok op, struct node *l, struct node *r)
{
	struct node *n = node_new(kind);

	n->op = op;
	node_add_arg(n, l);
	node_add_arg(n, r);
	return n;
}

static struct node *
parse_mul(struct lexer *lx)
{
	struct node *l = parse_unary(lx), *r;

	while (l != NULL && (lx->tok == T_STAR || lx->tok == T_SLASH ||
	    lx->tok == T_PERCENT)) {
		enum tok op = lx->tok;

		lex_next(lx);
		if ((r = parse_unary(lx)) == NULL) {
			node_free(l);
			return NULL;
		}
		l = binary(N_BIN, op, l, r);
	}
	return l;
}

static struct node *
parse_add(struct lexer *lx)
{
	struct node *l = parse_mul(lx), *r;

	while (l != NULL && (lx->tok == T_PLUS || lx->tok == T_MINUS)) {
		enum tok op = lx->tok;

		lex_next(lx);
		if ((r = parse_mul(lx)) == NULL) {
			node_free(l);
			return NULL;
		}
		l = binary(N_BIN, op, l, r);
	}
	return l;
}

static struct node *
parse_cmp(struct lexer *lx)
{
	struct node *l = parse_add(lx), *r;
	enum tok op;

	if (l == NULL)
		return NULL;
	op = lx->tok;
	if (op != T_EQ && op != T_NE && op != T_LT && op != T_LE &&
	    op != T_GT && op != T_GE)
		return l;
	lex_next(lx);
	if ((r = parse_add(lx)) == NULL) {
		node_free(l);
		return NULL;
	}
	l = binary(N_BIN, op, l, r);
	if (lx->tok == T_EQ || lx->tok == T_NE || lx->tok == T_LT ||
	    lx->tok == T_LE || lx->tok == T_GT || lx->tok == T_GE) {
		node_free(l);
		lex_fail(lx, "comparisons do not chain; use 'and' at: %s", tok_desc(lx));
		return NULL;
	}
	return l;
}

static struct node *
parse_not(struct lexer *lx)
{
	struct node *n, *a;

	if (!is_word(lx, "not"))
		return parse_cmp(lx);
	lex_next(lx);
	if ((a = parse_not(lx)) == NULL)
		return NULL;
	n = node_new(N_NOT);
	node_add_arg(n, a);
	return n;
}

static struct node *
parse_and(struct lexer *lx)
{
	struct node *l = parse_not(lx), *r;

	while (l != NULL && is_word(lx, "and")) {
		lex_next(lx);
		if ((r = parse_not(lx)) == NULL) {
			node_free(l);
			return NULL;
		}
		l = binary(N_AND, T_END, l, r);
	}
	return l;
}

static struct node *
parse_or(struct lexer *lx)
{
	struct node *l = parse_and(lx), *r;

	while (l != NULL && is_word(lx, "or")) {
		lex_next(lx);
		if ((r = parse_and(lx)) == NULL) {
			node_free(l);
			return NULL;
		}
		l = binary(N_OR, T_END, l, r);
	}
	return l;
}

int
expr_parse(const char *text, int line, const char **end, struct expr **out,
    struct clerk_err *err)
{
	struct lexer lx;
	struct node *root;
	struct expr *e;
	const char *stop;
	size_t len;

	memset(&lx, 0, sizeof(lx));
	lx.p = text;
	lx.err = err;
	lex_next(&lx);
	if (lx.tok == T_END) {
		err_set(err, ERR_FINAL, "an expression is missing");
		return -1;
	}
	root = parse_or(&lx);
	if (root == NULL || lx.failed) {
		free(lx.text);
		node_free(root);
		return -1;
	}
	stop = lx.tok == T_END ? lx.p : lx.tstart;
	if (lx.tok != T_END && end == NULL) {
		err_set(err, ERR_FINAL, "unexpected text after the expression: %s", lx.tstart);
		free(lx.text);
		node_free(root);
		return -1;
	}
	free(lx.text);
	len = (size_t)(stop - text);
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' ||
	    text[len - 1] == '\n'))
		len--;
	while (len > 0 && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	e = xcalloc(1, sizeof(*e));
	e->root = root;
	e->text = xstrndup(text, len);
	e->line = line;
	if (end != NULL)
		*end = stop;
	*out = e;
	return 0;
}

/* ---- walking ----------------------------------------------------------- */

static int
walk_node(const struct node *n, int line,
    int (*fn)(void *, const struct expr_name *), void *arg)
{
	int rc;

	if (n == NULL)
		return 0;
	if (n->kind == N_REF) {
		struct expr_name name;

		name.ns = n->ns;
		name.nseg = n->nsegs;
		name.line = line;
		for (size_t i = 0; i < n->nsegs; i++) {
			name.seg[i] = n->segs[i].name ? n->segs[i].name : "*";
			if ((rc = walk_node(n->segs[i].index, line, fn, arg)) != 0)
				return rc;
		}
		return fn(arg, &name);
	}
	for (size_t i = 0; i < n->nargs; i++)
		if ((rc = walk_node(n->args[i], line, fn, arg)) != 0)
			return rc;
	return 0;
}

int
expr_walk(const struct expr *e, int (*fn)(void *, const struct expr_name *),
    void *arg)
{
	return walk_node(e->root, e->line, fn, arg);
}
