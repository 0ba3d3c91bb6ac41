/* Expressions in workflow data: guards, `set` values, amounts, decision
 * texts. Pure: values come from the caller's lookup (case variables, event
 * facts, profile), and `now` is today's date handed in by the caller.
 *
 * Syntax (workflows/README.md has the full table):
 *	literals	125000  "text"  14d 2w 2m 3y (durations)
 *	names		case.category  event.attachments.pdf  event.args[1]
 *			profile.dues.amount  profile.categories[case.category].ratio
 *			now (today)
 *	operators	or  and  not  == != < <= > >=  + -  * / %  unary -
 *	functions	round(x, m) ceil(x, m) floor(x, m) min(...) max(...)
 *			if(c, a, b) after(d, "MM-DD") before(d, "MM-DD")
 *			year(d) month(d) day(d) date(s) count(l) join(...)
 *			has(l, item)
 *
 * Values are integers (64-bit; amounts in minor units, hours in
 * hundredths), strings, dates and durations. Case variables and event facts
 * arrive as strings; an operator converts a string that is an integer
 * literal (or "") to a number, and one that reads YYYY-MM-DD to a date,
 * where the other operand asks for it. A list is a string of items
 * separated by ','. A name without a value (a variable never set, a fact
 * the event lacks) is "". Truth: 0, "", "0", "no" and "false" are false.
 * Integer arithmetic is checked: overflow and division by zero are errors. */
#ifndef CLERK_EXPR_H
#define CLERK_EXPR_H

#include <stddef.h>

#include "calendar.h"
#include "error.h"

enum val_type {
	VAL_STR = 0,
	VAL_INT,
	VAL_DATE,
	VAL_DURATION,
};

struct val {
	enum val_type	 type;
	long long	 i;	/* VAL_INT */
	char		*s;	/* VAL_STR: owned, never NULL once set */
	struct cal_date	 date;	/* VAL_DATE */
	struct cal_duration dur; /* VAL_DURATION */
};

#define VAL_INIT { VAL_STR, 0, NULL, { 0, 0, 0 }, { 0, CAL_DAYS } }

void	val_set_str(struct val *v, const char *s);	/* copies s */
void	val_set_int(struct val *v, long long i);
void	val_set_date(struct val *v, struct cal_date d);
void	val_set_duration(struct val *v, struct cal_duration d);
void	val_copy(struct val *dst, const struct val *src);
void	val_free(struct val *v);	/* back to VAL_INIT */
int	val_truthy(const struct val *v);
/* The text a value is stored as in a case variable: integers in decimal,
 * dates as YYYY-MM-DD, durations as "14d". Caller frees. */
char	*val_to_text(const struct val *v);
/* Integer view: an int, a string that is an integer literal, or "" (0). */
int	val_as_int(const struct val *v, long long *out);
/* Date view: a date, or a string that reads YYYY-MM-DD. */
int	val_as_date(const struct val *v, struct cal_date *out);

enum expr_ns {
	EXPR_NS_CASE,
	EXPR_NS_EVENT,
	EXPR_NS_PROFILE,
};

#define EXPR_PATH_MAX	8

/* A name as the lookup sees it: profile.categories[case.category].ratio
 * evaluated with category "student" is {PROFILE, "categories", "student",
 * "ratio"}; event.args[1] is {EVENT, "args", "1"}. During expr_walk an
 * index segment is "*". */
struct expr_name {
	enum expr_ns	 ns;
	const char	*seg[EXPR_PATH_MAX];	/* borrowed */
	size_t		 nseg;
	int		 line;	/* where the expression was written, 0 if unknown */
};

struct expr_env {
	/* Fills *out (a fresh VAL_INIT). Returns 0, or -1 with err when the
	 * name has no meaning; a name that merely has no value gives "". */
	int	(*lookup)(void *arg, const struct expr_name *name, struct val *out,
		    struct clerk_err *err);
	void	*arg;
	struct cal_date today;	/* the value of `now` */
};

struct expr;	/* a parsed expression: a tree, owned by whoever parsed it */

/* Parses an expression at the start of `text`. With `end` NULL the whole
 * text must be the expression; otherwise parsing stops before the first
 * token that cannot continue it (a top-level ',' or a word such as `if`)
 * and *end points there. `line` is kept for expr_walk. Errors name the
 * offending token; the caller adds file:line. */
int	expr_parse(const char *text, int line, const char **end,
	    struct expr **out, struct clerk_err *err);
void	expr_free(struct expr *e);
/* The source text of the expression, trimmed. */
const char *expr_text(const struct expr *e);
/* 1 when the expression is a string or integer literal: its text in *lit. */
int	expr_literal(const struct expr *e, const char **lit);

int	expr_eval(const struct expr *e, const struct expr_env *env,
	    struct val *out, struct clerk_err *err);
/* Calls fn for every name in e (index segments as "*"), for validation at
 * load time; stops and returns fn's value when it is nonzero. */
int	expr_walk(const struct expr *e,
	    int (*fn)(void *arg, const struct expr_name *name), void *arg);

#endif
