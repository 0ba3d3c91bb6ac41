/* Workflow definitions as data: workflows/<name>.wf, one state machine a
 * file, loaded together with the association's profile and the shared
 * vocabulary, and validated as a whole so that `clerkctl check` can list
 * every mistake as "file:line: message". The syntax is in
 * workflows/README.md and at the head of workflows/application.wf.
 *
 * Layout under the workflows directory:
 *	*.wf				the workflows
 *	vocabulary			forms, commands, event facts, roles,
 *					member statuses, digest items
 *	profiles/schema			what a profile may and must say
 *	profiles/<name>.profile		one association (fgt, asrt, ntp)
 *	calendars/<name>.holidays	public holidays (calendar.h)
 *	templates/<lang>/<name>.txt	notices (template.h), checked through
 *					the caller's callback
 *
 * Parsing is pure (text in, structures out); only wf_set_load_dir reads
 * files. A loaded set is read-only and may be shared. */
#ifndef CLERK_WORKFLOW_H
#define CLERK_WORKFLOW_H

#include <stddef.h>

#include "buf.h"
#include "calendar.h"
#include "error.h"
#include "expr.h"
#include "profile.h"

enum wf_event_kind {
	WF_EV_ENTER,		/* entering a state */
	WF_EV_FORM,		/* form <name>: a new form for this case */
	WF_EV_REPLY,		/* reply: a mail answering the case */
	WF_EV_COMMAND,		/* command <verb>: an officer's command */
	WF_EV_TIMER,		/* timer <name>: a deadline expired */
	WF_EV_REMIND,		/* remind <name>: a lead time before it */
	WF_EV_ESCALATE,		/* escalate <name>: the time after it */
	WF_EV_YEARLY,		/* opening only: every year on a day */
	WF_EV_OPEN,		/* opening only: another workflow's `open` */
};

enum wf_action_kind {
	WF_ACT_SEND,		/* send <role> <template> */
	WF_ACT_CONFIRM,		/* confirm <role> <template>: a notice asking
				 * the person to confirm by reply; it carries
				 * a single-use token in its case reference,
				 * valid while the case stays in this state */
	WF_ACT_DEADLINE,	/* deadline <name> <spec> [...] */
	WF_ACT_CLEAR,		/* clear <name> */
	WF_ACT_EXTEND,		/* extend <name> <days-expr> */
	WF_ACT_SET,		/* set <var> = <expr> */
	WF_ACT_MEMBER_STATUS,	/* member status <value> */
	WF_ACT_MEMBER_CATEGORY,	/* member category <value> */
	WF_ACT_OPEN,		/* open <workflow> [with v = e, ...] */
	WF_ACT_DECISION,	/* decision <text-expr> */
	WF_ACT_DIGEST,		/* digest <item> [<text-expr>] */
	WF_ACT_GO,		/* go <state>: leave the action list for it */
};

/* When a deadline falls: resolved at load time against the profile. */
struct wf_when {
	struct cal_spec	 spec;		/* a duration, or a fixed day (next MM-DD) */
};

struct wf_assign {
	char		*var;		/* owned */
	struct expr	*value;		/* owned */
};

struct wf_action {
	enum wf_action_kind kind;
	int		 line;
	struct expr	*cond;		/* owned, may be NULL: `... if <expr>` */
	char		*role;		/* owned: SEND, CONFIRM */
	char		*name;		/* owned: SEND/CONFIRM template, DEADLINE/CLEAR/EXTEND
					 * deadline, SET var, OPEN workflow,
					 * DIGEST item, GO state */
	struct expr	*value;		/* owned: SET, EXTEND, MEMBER_*, DECISION,
					 * DIGEST text; NULL when absent */
	char		*word;		/* owned: MEMBER_* literal value */
	/* DEADLINE */
	struct wf_when	 when;
	struct expr	*from;		/* owned, may be NULL: the start date */
	int		 working_day;	/* subject to the profile's working-day rule */
	struct cal_duration *leads;	/* owned: remind leads, as written */
	size_t		 nleads;
	int		 has_escalate;
	struct cal_duration escalate;
	/* OPEN */
	struct wf_assign *with;		/* owned */
	size_t		 nwith;
	int		 go_state;	/* GO: state index */
};

struct wf_transition {
	int		 line;
	int		*from;		/* owned: state indices */
	size_t		 nfrom;
	int		 any;		/* `*`: every state that is not final */
	enum wf_event_kind ev;
	char		*ev_name;	/* owned: form/verb/deadline name; NULL for
					 * enter and reply */
	struct expr	*guard;		/* owned, may be NULL */
	int		 to;		/* state index, or -1: stay */
	struct wf_action *actions;	/* owned */
	size_t		 nactions;
};

struct wf_state {
	char		*name;		/* owned */
	int		 initial;
	int		 final;
	int		 line;
};

struct wf_opener {
	enum wf_event_kind kind;	/* FORM, COMMAND, YEARLY or OPEN */
	char		*name;		/* owned: form, verb, or the opening workflow */
	struct cal_fixed day;		/* YEARLY */
	struct expr	*guard;		/* owned, may be NULL */
	int		 line;
};

struct workflow {
	char		*name;		/* owned */
	char		*path;		/* owned: for messages */
	struct wf_state	*states;	/* owned */
	size_t		 nstates;
	int		 initial;	/* state index */
	char		**vars;		/* owned: declared case variables */
	int		*var_lines;	/* owned */
	size_t		 nvars;
	struct wf_transition *trans;	/* owned, in file order */
	size_t		 ntrans;
	struct wf_opener *openers;	/* owned */
	size_t		 nopeners;
	int		 summary;	/* `summary`: the digest counts its cases of
					 * the year by state (the PFO forms, the dues) */
	int		 retains;	/* `retain D`: an erasure keeps its closed */
	struct cal_duration retain;	/* cases for D after closing (bookkeeping) */
};

/* The words a workflow may use: data (workflows/vocabulary), so that a new
 * command or fact needs no change here. Each is a ','-joined list. */
struct wf_vocab {
	char	*forms;		/* owned */
	char	*commands;	/* owned */
	char	*facts;		/* owned: event facts; "attachments.*" and
				 * "args.*" stand for any last segment */
	char	*roles;		/* owned */
	char	*statuses;	/* owned: member statuses */
	char	*digest;	/* owned: digest item kinds */
};

struct wf_set {
	struct workflow	**wf;		/* owned */
	size_t		 nwf;
	struct profile	*profile;	/* owned: what the set was checked against */
	struct profile_schema *schema;	/* owned */
	struct wf_vocab	 vocab;		/* owned */
	struct cal_holidays *holidays;	/* owned, may be NULL: weekends only */
	int		 move_deadlines; /* profile: working-day deadlines move */
	int		 fire_hour;	/* profile: local hour timers fire at */
	char		**profile_refs;	/* owned: every profile key a workflow
					 * names, "dues.amount", "categories.*.ratio" */
	size_t		 nprofile_refs;
};

/* Records that a workflow names profile key `name` ("dues.amount"). */
void	wf_note_profile_ref(struct wf_set *set, const char *name);
/* 1 when a loaded workflow names profile key section.key (a computed
 * category counts for every category). */
int	wf_uses_profile_key(const struct wf_set *set, const char *section, const char *key);
/* The profile's values still marked PLACEHOLDER that a workflow names or
 * clerk's notices show (`also`: "section.key" the C code reads, NULL-
 * terminated), one line each "path:line: section.key ..." in `out`; and
 * the values marked "clerk default" not confirmed, in `defaults`. Returns
 * the number of placeholders in use. */
int	wf_profile_marks(const struct wf_set *set, const char *const *also, struct buf *out,
	    struct buf *defaults);

/* A template exists? Called by the loader for each `send`; return 1 if so. */
typedef int (*wf_template_check)(void *arg, const char *name);

/* Parses the vocabulary file. Problems go to diag as "path:line: ...";
 * returns their number. */
int	wf_vocab_parse(const char *path, const char *text, size_t len,
	    struct wf_vocab *out, struct buf *diag);
void	wf_vocab_clear(struct wf_vocab *v);

/* An empty set that takes ownership of profile, schema, vocab (moved: the
 * caller's struct is emptied) and holidays (may be NULL). */
struct wf_set *wf_set_new(struct profile *profile, struct profile_schema *schema,
	    struct wf_vocab *vocab, struct cal_holidays *holidays);
void	wf_set_free(struct wf_set *set);
/* Parses one workflow into the set. `path` names it in messages; its base
 * name without ".wf" must match the `workflow` line. Returns the number
 * of problems (syntax and names local to the file). */
int	wf_set_parse(struct wf_set *set, const char *path, const char *text,
	    size_t len, struct buf *diag);
/* Cross-checks the whole set: names used in expressions (case variables,
 * event facts, profile keys), roles, templates (through `tmpl`, may be
 * NULL to skip), opened workflows, deadlines named by timer events,
 * reachability. Returns the number of problems. */
int	wf_set_validate(struct wf_set *set, wf_template_check tmpl, void *arg,
	    struct buf *diag);

/* The `clerkctl check` entry point: loads dir/vocabulary,
 * dir/profiles/schema, dir/profiles/<profile>.profile, the profile's
 * holiday calendar and every .wf file in dir, and validates everything. Every
 * problem is appended to diag (may be NULL) as "file:line: message\n".
 * Returns 0 with *out set, or -1: err says how many problems and quotes
 * the first (temporary when a file could not be read for a reason other
 * than its absence). */
int	wf_set_load_dir(const char *dir, const char *profile_name,
	    wf_template_check tmpl, void *tmpl_arg, struct wf_set **out,
	    struct buf *diag, struct clerk_err *err);

const struct workflow *wf_find(const struct wf_set *set, const char *name);
int	wf_state_index(const struct workflow *wf, const char *name);
/* The workflows a trigger opens: for kind FORM/COMMAND/YEARLY/OPEN and
 * name (form, verb, workflow for YEARLY, parent workflow for OPEN); calls
 * fn for each matching opener in set order. Returns how many matched. */
size_t	wf_openers(const struct wf_set *set, enum wf_event_kind kind,
	    const char *name, void (*fn)(void *arg, const struct workflow *wf,
	    const struct wf_opener *op), void *arg);
/* Calls fn once for each template name used by `send` in the set. */
void	wf_each_template(const struct wf_set *set,
	    void (*fn)(void *arg, const char *name), void *arg);
const char *wf_event_kind_name(enum wf_event_kind k);
/* 1 when item is in a ','-joined list. */
int	wf_list_has(const char *list, const char *item);

#endif
