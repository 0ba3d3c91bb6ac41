/* Evaluation of expressions over the caller's values, and the functions
 * the workflow data may call. */
#include "expr.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "expr_tree.h"
#include "xmalloc.h"

/* ---- evaluation -------------------------------------------------------- */

struct evalctx {
	const struct expr_env	*env;
	struct clerk_err	*err;
	int			 depth;
};

static int eval_node(struct evalctx *cx, struct node *n, struct val *out);

static int
fail(struct evalctx *cx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct evalctx *cx, const char *fmt, ...)
{
	va_list ap;

	if (cx->err != NULL) {
		cx->err->temporary = 0;
		va_start(ap, fmt);
		vsnprintf(cx->err->msg, sizeof(cx->err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *
type_name(const struct val *v)
{
	switch (v->type) {
	case VAL_INT:
		return "a number";
	case VAL_DATE:
		return "a date";
	case VAL_DURATION:
		return "a duration";
	case VAL_STR:
		break;
	}
	return "a text";
}

static int
want_int(struct evalctx *cx, const struct val *v, const char *what, long long *out)
{
	if (val_as_int(v, out) == 0)
		return 0;
	if (v->type == VAL_STR)
		return fail(cx, "%s: a number expected, got \"%s\"", what, v->s);
	return fail(cx, "%s: a number expected, got %s", what, type_name(v));
}

static int
want_date(struct evalctx *cx, const struct val *v, const char *what, struct cal_date *out)
{
	if (val_as_date(v, out) == 0)
		return 0;
	if (v->type == VAL_STR)
		return fail(cx, "%s: a date (YYYY-MM-DD) expected, got \"%s\"", what, v->s);
	return fail(cx, "%s: a date expected, got %s", what, type_name(v));
}

static int
eval_args(struct evalctx *cx, struct node *n, struct val *vals)
{
	for (size_t i = 0; i < n->nargs; i++)
		if (eval_node(cx, n->args[i], &vals[i]) == -1)
			return -1;
	return 0;
}

static void
free_args(struct val *vals, size_t n)
{
	for (size_t i = 0; i < n; i++)
		val_free(&vals[i]);
}

/* round/ceil/floor(x, m): to a multiple of m > 0; round goes half away
 * from zero, which is how amounts are rounded by hand. */
static int
fn_rounding(struct evalctx *cx, struct node *n, struct val *out, int mode)
{
	struct val v[2] = { VAL_INIT, VAL_INIT };
	long long x, m, q, r, res;
	int rc = -1;

	if (eval_args(cx, n, v) == -1 ||
	    want_int(cx, &v[0], n->fn->name, &x) == -1 ||
	    want_int(cx, &v[1], n->fn->name, &m) == -1)
		goto out;
	if (m <= 0) {
		fail(cx, "%s(): the multiple must be positive, got %lld", n->fn->name, m);
		goto out;
	}
	q = x / m;
	r = x % m;
	if (mode == 0) {		/* round */
		if (r >= 0 && r >= m - r)
			q++;
		else if (r < 0 && -r >= m + r)
			q--;
	} else if (mode > 0) {		/* ceil */
		if (r > 0)
			q++;
	} else if (r < 0)		/* floor */
		q--;
	if (__builtin_mul_overflow(q, m, &res)) {
		fail(cx, "%s(): result too large", n->fn->name);
		goto out;
	}
	val_set_int(out, res);
	rc = 0;
out:
	free_args(v, 2);
	return rc;
}

static int
fn_round(struct evalctx *cx, struct node *n, struct val *out)
{
	return fn_rounding(cx, n, out, 0);
}

static int
fn_ceil(struct evalctx *cx, struct node *n, struct val *out)
{
	return fn_rounding(cx, n, out, 1);
}

static int
fn_floor(struct evalctx *cx, struct node *n, struct val *out)
{
	return fn_rounding(cx, n, out, -1);
}

static int
fn_minmax(struct evalctx *cx, struct node *n, struct val *out, int want_max)
{
	long long best = 0, x;
	struct val v = VAL_INIT;

	for (size_t i = 0; i < n->nargs; i++) {
		if (eval_node(cx, n->args[i], &v) == -1 ||
		    want_int(cx, &v, n->fn->name, &x) == -1) {
			val_free(&v);
			return -1;
		}
		if (i == 0 || (want_max ? x > best : x < best))
			best = x;
		val_free(&v);
	}
	val_set_int(out, best);
	return 0;
}

static int
fn_min(struct evalctx *cx, struct node *n, struct val *out)
{
	return fn_minmax(cx, n, out, 0);
}

static int
fn_max(struct evalctx *cx, struct node *n, struct val *out)
{
	return fn_minmax(cx, n, out, 1);
}

static int
fn_if(struct evalctx *cx, struct node *n, struct val *out)
{
	struct val c = VAL_INIT;
	int t;

	if (eval_node(cx, n->args[0], &c) == -1) {
		val_free(&c);
		return -1;
	}
	t = val_truthy(&c);
	val_free(&c);
	return eval_node(cx, n->args[t ? 1 : 2], out);
}

/* after(d, "MM-DD") / before(d, "MM-DD"): is d strictly after / before
 * that day of d's own year. "Joining after 1 July" is after(now, "07-01"). */
static int
fn_after_before(struct evalctx *cx, struct node *n, struct val *out, int after)
{
	struct val v[2] = { VAL_INIT, VAL_INIT };
	struct cal_date d, fixed;
	struct cal_fixed f;
	struct clerk_err ferr;
	int rc = -1, c;

	if (eval_args(cx, n, v) == -1 || want_date(cx, &v[0], n->fn->name, &d) == -1)
		goto out;
	if (v[1].type != VAL_STR || cal_fixed_parse(v[1].s, &f, &ferr) == -1) {
		char *t = val_to_text(&v[1]);

		fail(cx, "%s(): a day as MM-DD expected, got \"%s\"", n->fn->name, t);
		free(t);
		goto out;
	}
	fixed.year = d.year;
	fixed.month = f.month;
	fixed.day = f.day == CAL_LAST_DAY ? cal_days_in_month(d.year, f.month) : f.day;
	c = cal_date_cmp(d, fixed);
	val_set_int(out, after ? c > 0 : c < 0);
	rc = 0;
out:
	free_args(v, 2);
	return rc;
}

static int
fn_after(struct evalctx *cx, struct node *n, struct val *out)
{
	return fn_after_before(cx, n, out, 1);
}

static int
fn_before(struct evalctx *cx, struct node *n, struct val *out)
{
	return fn_after_before(cx, n, out, 0);
}

static int
fn_datepart(struct evalctx *cx, struct node *n, struct val *out)
{
	struct val v = VAL_INIT;
	struct cal_date d;
	int rc = -1;

	if (eval_node(cx, n->args[0], &v) == -1 ||
	    want_date(cx, &v, n->fn->name, &d) == -1)
		goto out;
	if (strcmp(n->fn->name, "year") == 0)
		val_set_int(out, d.year);
	else if (strcmp(n->fn->name, "month") == 0)
		val_set_int(out, d.month);
	else
		val_set_int(out, d.day);
	rc = 0;
out:
	val_free(&v);
	return rc;
}

static int
fn_date(struct evalctx *cx, struct node *n, struct val *out)
{
	struct val v = VAL_INIT;
	struct cal_date d;
	int rc = -1;

	if (eval_node(cx, n->args[0], &v) == -1 || want_date(cx, &v, "date()", &d) == -1)
		goto out;
	val_set_date(out, d);
	rc = 0;
out:
	val_free(&v);
	return rc;
}

/* Lists are strings of items separated by ','. */
static long long
list_count(const char *s)
{
	long long n = 1;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (*s == ',')
			n++;
	return n;
}

static int
fn_count(struct evalctx *cx, struct node *n, struct val *out)
{
	struct val v = VAL_INIT;
	char *t;

	if (eval_node(cx, n->args[0], &v) == -1) {
		val_free(&v);
		return -1;
	}
	t = val_to_text(&v);
	val_set_int(out, list_count(t));
	free(t);
	val_free(&v);
	return 0;
}

static int
fn_join(struct evalctx *cx, struct node *n, struct val *out)
{
	struct buf b = BUF_INIT;
	struct val v = VAL_INIT;
	char *t;

	for (size_t i = 0; i < n->nargs; i++) {
		if (eval_node(cx, n->args[i], &v) == -1) {
			val_free(&v);
			buf_free(&b);
			return -1;
		}
		t = val_to_text(&v);
		if (*t != '\0') {
			if (b.len > 0)
				buf_append_char(&b, ',');
			buf_append_str(&b, t);
		}
		free(t);
		val_free(&v);
	}
	val_set_str(out, buf_str(&b));
	buf_free(&b);
	return 0;
}

static int
fn_has(struct evalctx *cx, struct node *n, struct val *out)
{
	struct val v[2] = { VAL_INIT, VAL_INIT };
	char *list = NULL, *item = NULL;
	const char *p;
	size_t ilen;
	int found = 0;

	if (eval_args(cx, n, v) == -1) {
		free_args(v, 2);
		return -1;
	}
	list = val_to_text(&v[0]);
	item = val_to_text(&v[1]);
	ilen = strlen(item);
	for (p = list; *p != '\0' && !found;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		found = len == ilen && strncmp(p, item, len) == 0;
		p += len;
		if (*p == ',')
			p++;
	}
	val_set_int(out, found);
	free(list);
	free(item);
	free_args(v, 2);
	return 0;
}

static const struct func funcs[] = {
	{ "after", 2, 2, fn_after },
	{ "before", 2, 2, fn_before },
	{ "ceil", 2, 2, fn_ceil },
	{ "count", 1, 1, fn_count },
	{ "date", 1, 1, fn_date },
	{ "day", 1, 1, fn_datepart },
	{ "floor", 2, 2, fn_floor },
	{ "has", 2, 2, fn_has },
	{ "if", 3, 3, fn_if },
	{ "join", 1, (size_t)-1, fn_join },
	{ "max", 1, (size_t)-1, fn_max },
	{ "min", 1, (size_t)-1, fn_min },
	{ "month", 1, 1, fn_datepart },
	{ "round", 2, 2, fn_round },
	{ "year", 1, 1, fn_datepart },
};

const struct func *
expr_func_find(const char *name)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strcmp(funcs[i].name, name) == 0)
			return &funcs[i];
	return NULL;
}

static int
eval_ref(struct evalctx *cx, struct node *n, struct val *out)
{
	struct expr_name name;
	struct val idx[EXPR_PATH_MAX];
	char *texts[EXPR_PATH_MAX];
	int rc = -1;

	memset(texts, 0, sizeof(texts));
	for (size_t i = 0; i < n->nsegs; i++) {
		struct val init = VAL_INIT;

		idx[i] = init;
	}
	name.ns = n->ns;
	name.nseg = n->nsegs;
	name.line = 0;
	for (size_t i = 0; i < n->nsegs; i++) {
		if (n->segs[i].name != NULL) {
			name.seg[i] = n->segs[i].name;
			continue;
		}
		if (eval_node(cx, n->segs[i].index, &idx[i]) == -1)
			goto out;
		texts[i] = val_to_text(&idx[i]);
		name.seg[i] = texts[i];
	}
	if (cx->env->lookup == NULL)
		rc = fail(cx, "no names can be looked up here");
	else
		rc = cx->env->lookup(cx->env->arg, &name, out, cx->err);
out:
	for (size_t i = 0; i < n->nsegs; i++) {
		free(texts[i]);
		val_free(&idx[i]);
	}
	return rc;
}

static int
compare(struct evalctx *cx, enum tok op, const struct val *a, const struct val *b,
    int *res)
{
	long long x, y;
	struct cal_date da, db;
	struct cal_duration ua, ub;
	int c;
	int eq = op == T_EQ || op == T_NE;

	if (a->type == VAL_INT || b->type == VAL_INT ||
	    (a->type == VAL_STR && b->type == VAL_STR && !eq &&
	    expr_parse_int_text(a->s, &x) == 0 && expr_parse_int_text(b->s, &y) == 0)) {
		if (val_as_int(a, &x) == -1 || val_as_int(b, &y) == -1) {
			if (eq) {
				*res = op == T_NE;
				return 0;
			}
			return fail(cx, "cannot order %s and %s", type_name(a), type_name(b));
		}
		c = x < y ? -1 : x > y;
	} else if (a->type == VAL_DATE || b->type == VAL_DATE ||
	    (a->type == VAL_STR && b->type == VAL_STR && !eq &&
	    val_as_date(a, &da) == 0 && val_as_date(b, &db) == 0)) {
		if (val_as_date(a, &da) == -1 || val_as_date(b, &db) == -1) {
			if (eq) {
				*res = op == T_NE;
				return 0;
			}
			return fail(cx, "cannot order %s and %s", type_name(a), type_name(b));
		}
		c = cal_date_cmp(da, db);
	} else if (a->type == VAL_DURATION || b->type == VAL_DURATION) {
		if (expr_val_as_duration(a, &ua) == -1 || expr_val_as_duration(b, &ub) == -1) {
			if (eq) {
				*res = op == T_NE;
				return 0;
			}
			return fail(cx, "cannot order %s and %s", type_name(a), type_name(b));
		}
		if (ua.unit != ub.unit && !eq)
			return fail(cx, "cannot order durations in different units");
		c = ua.unit != ub.unit ? 1 : ua.amount < ub.amount ? -1 : ua.amount > ub.amount;
	} else {
		c = strcmp(a->s ? a->s : "", b->s ? b->s : "");
		c = c < 0 ? -1 : c > 0;
	}
	switch (op) {
	case T_EQ: *res = c == 0; break;
	case T_NE: *res = c != 0; break;
	case T_LT: *res = c < 0; break;
	case T_LE: *res = c <= 0; break;
	case T_GT: *res = c > 0; break;
	default: *res = c >= 0; break;
	}
	return 0;
}

static int
arith(struct evalctx *cx, enum tok op, const struct val *a, const struct val *b,
    struct val *out)
{
	long long x, y, r = 0;
	struct cal_date da, db;
	struct cal_duration du;
	int ovf = 0;

	/* Dates and durations first: date +/- duration, date - date. */
	if (a->type == VAL_DATE || b->type == VAL_DATE ||
	    a->type == VAL_DURATION || b->type == VAL_DURATION) {
		if (op == T_MINUS && val_as_date(a, &da) == 0 && val_as_date(b, &db) == 0) {
			val_set_int(out, cal_days_between(db, da));
			return 0;
		}
		if ((op == T_PLUS || op == T_MINUS) && val_as_date(a, &da) == 0 &&
		    expr_val_as_duration(b, &du) == 0) {
			if (op == T_MINUS)
				du.amount = -du.amount;
		} else if (op == T_PLUS && expr_val_as_duration(a, &du) == 0 &&
		    val_as_date(b, &da) == 0) {
			/* duration + date */
		} else
			return fail(cx, "cannot combine %s and %s with this operator",
			    type_name(a), type_name(b));
		da = cal_add_duration(da, du);
		if (!cal_date_valid(da))
			return fail(cx, "date out of range");
		val_set_date(out, da);
		return 0;
	}
	if (op == T_PLUS && (val_as_int(a, &x) == -1 || val_as_int(b, &y) == -1)) {
		/* Texts: joined, so decision texts can be built. */
		char *ta = val_to_text(a), *tb = val_to_text(b);
		char *s = xasprintf("%s%s", ta, tb);

		val_set_str(out, s);
		free(s);
		free(ta);
		free(tb);
		return 0;
	}
	if (want_int(cx, a, "arithmetic", &x) == -1 || want_int(cx, b, "arithmetic", &y) == -1)
		return -1;
	switch (op) {
	case T_PLUS:
		ovf = __builtin_add_overflow(x, y, &r);
		break;
	case T_MINUS:
		ovf = __builtin_sub_overflow(x, y, &r);
		break;
	case T_STAR:
		ovf = __builtin_mul_overflow(x, y, &r);
		break;
	case T_SLASH:
	case T_PERCENT:
		if (y == 0)
			return fail(cx, "division by zero");
		if (x == LLONG_MIN && y == -1)
			ovf = 1;
		else
			r = op == T_SLASH ? x / y : x % y;
		break;
	default:
		return fail(cx, "unknown operator");
	}
	if (ovf)
		return fail(cx, "number too large");
	val_set_int(out, r);
	return 0;
}

static int
eval_node(struct evalctx *cx, struct node *n, struct val *out)
{
	struct val a = VAL_INIT, b = VAL_INIT;
	long long x;
	int rc = -1, res = 0;

	if (++cx->depth > 200) {
		cx->depth--;
		return fail(cx, "expression nested too deeply");
	}
	switch (n->kind) {
	case N_INT:
		val_set_int(out, n->i);
		rc = 0;
		break;
	case N_STR:
		val_set_str(out, n->s);
		rc = 0;
		break;
	case N_DUR:
		val_set_duration(out, n->dur);
		rc = 0;
		break;
	case N_NOW:
		val_set_date(out, cx->env->today);
		rc = 0;
		break;
	case N_REF:
		rc = eval_ref(cx, n, out);
		break;
	case N_CALL:
		rc = n->fn->impl(cx, n, out);
		break;
	case N_NEG:
		if (eval_node(cx, n->args[0], &a) == -1 ||
		    want_int(cx, &a, "unary -", &x) == -1)
			break;
		if (x == LLONG_MIN) {
			fail(cx, "number too large");
			break;
		}
		val_set_int(out, -x);
		rc = 0;
		break;
	case N_NOT:
		if (eval_node(cx, n->args[0], &a) == -1)
			break;
		val_set_int(out, !val_truthy(&a));
		rc = 0;
		break;
	case N_AND:
	case N_OR:
		/* Short-circuit: `event.x == "y" and profile.a[event.x].b`
		 * must not look up a key the first test excluded. */
		if (eval_node(cx, n->args[0], &a) == -1)
			break;
		res = val_truthy(&a);
		if ((n->kind == N_AND && res) || (n->kind == N_OR && !res)) {
			if (eval_node(cx, n->args[1], &b) == -1)
				break;
			res = val_truthy(&b);
		}
		val_set_int(out, res);
		rc = 0;
		break;
	case N_BIN:
		if (eval_node(cx, n->args[0], &a) == -1 ||
		    eval_node(cx, n->args[1], &b) == -1)
			break;
		if (n->op == T_EQ || n->op == T_NE || n->op == T_LT ||
		    n->op == T_LE || n->op == T_GT || n->op == T_GE) {
			if (compare(cx, n->op, &a, &b, &res) == -1)
				break;
			val_set_int(out, res);
			rc = 0;
		} else
			rc = arith(cx, n->op, &a, &b, out);
		break;
	}
	val_free(&a);
	val_free(&b);
	cx->depth--;
	return rc;
}

int
expr_eval(const struct expr *e, const struct expr_env *env, struct val *out,
    struct clerk_err *err)
{
	struct evalctx cx;
	struct val v = VAL_INIT;

	cx.env = env;
	cx.err = err;
	cx.depth = 0;
	if (eval_node(&cx, e->root, &v) == -1) {
		val_free(&v);
		return -1;
	}
	val_free(out);
	*out = v;
	return 0;
}
