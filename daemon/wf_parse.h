/* The private side of the workflow parser, shared by workflow.c (files,
 * declarations, the set) and wf_parse.c (`on`, `open` and action lines).
 * Not for use outside daemon/workflow.c and daemon/wf_parse.c. */
#ifndef CLERK_WF_PARSE_H
#define CLERK_WF_PARSE_H

#include "workflow.h"

/* A cursor over one logical line. */
struct cur {
	const char	*p;
};

struct parser {
	struct wf_set	*set;
	struct workflow	*wf;
	const char	*path;
	struct buf	*diag;
	int		 count;
	int		 line;
	size_t		 cap_trans, cap_states, cap_vars, cap_open;
};

#define ERR(ps, ...) wfp_diag((ps)->diag, &(ps)->count, (ps)->path, (ps)->line, __VA_ARGS__)

void	wfp_diag(struct buf *d, int *count, const char *file, int line,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int	wfp_ident_ok(const char *s);
void	wfp_skip_ws(struct cur *c);
int	wfp_at_end(struct cur *c);
/* The next white-space separated word (copied), or NULL at the end. */
char	*wfp_word(struct cur *c);
/* 1 (and consumed) when the next word is exactly w. */
int	wfp_accept(struct cur *c, const char *w);
int	wfp_peek(struct cur *c, const char *w);
/* An expression at the cursor; to_end: the rest of the line. */
struct expr *wfp_expr(struct parser *ps, struct cur *c, int to_end);
/* An optional trailing `if <expr>`; -1 on a problem or stray text. */
int	wfp_cond_tail(struct parser *ps, struct cur *c, struct expr **cond);
/* profile.section.key in a deadline or opener, resolved now. */
const struct profile_value *wfp_profile_ref(struct parser *ps, const char *w);
void	wfp_action_clear(struct wf_action *a);

/* wf_parse.c */
int	wfp_action(struct parser *ps, struct wf_transition *t, const char *text);
struct wf_transition *wfp_on(struct parser *ps, char *text);
void	wfp_open_decl(struct parser *ps, struct cur *c);

#endif
