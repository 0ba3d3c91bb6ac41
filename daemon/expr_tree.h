/* The private side of expressions: the tree that expr.c builds and
 * expr_eval.c walks. Not for use outside daemon/expr*.c. */
#ifndef CLERK_EXPR_TREE_H
#define CLERK_EXPR_TREE_H

#include "expr.h"

enum tok {
	T_END, T_INT, T_DUR, T_STR, T_NAME, T_LP, T_RP, T_LB, T_RB, T_COMMA,
	T_DOT, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_EQ, T_NE, T_LT,
	T_LE, T_GT, T_GE, T_BAD,
};

enum node_kind {
	N_INT, N_STR, N_DUR, N_NOW, N_REF, N_CALL, N_NEG, N_NOT, N_AND, N_OR,
	N_BIN,
};

struct node;
struct func;

struct seg {
	char		*name;	/* owned; NULL for an index */
	struct node	*index;	/* owned */
};

struct node {
	enum node_kind	 kind;
	enum tok	 op;		/* N_BIN */
	long long	 i;
	char		*s;		/* owned: N_STR */
	struct cal_duration dur;
	enum expr_ns	 ns;		/* N_REF */
	struct seg	*segs;		/* owned, N_REF */
	size_t		 nsegs;
	const struct func *fn;		/* N_CALL */
	struct node	**args;		/* owned: N_CALL, N_BIN (2), N_NEG/N_NOT (1) */
	size_t		 nargs;
};

struct expr {
	struct node	*root;	/* owned */
	char		*text;	/* owned */
	int		 line;
};

struct evalctx;

typedef int (*func_impl)(struct evalctx *, struct node *, struct val *);

struct func {
	const char	*name;
	size_t		 min, max;	/* number of arguments */
	func_impl	 impl;
};

/* The function table (expr_eval.c). */
const struct func *expr_func_find(const char *name);
/* A whole string that is an optionally signed decimal integer (expr_val.c). */
int	expr_parse_int_text(const char *s, long long *out);
/* Duration view: a duration, or a string such as "14d" (expr_val.c). */
int	expr_val_as_duration(const struct val *v, struct cal_duration *out);

#endif
