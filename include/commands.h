/* Officer commands (shared FORMS.md "Officer commands"), by signed mail and
 * by clerkctl, through one code path.
 *
 * The pure half (daemon/commands_parse.c): reading command lines out of a
 * text, the syntax of each verb, and what a role may do. The edge half
 * (daemon/commands.c): checking a command mail (signature by the officer's
 * pinned key, Message-ID seen once, Date not too old), running each line
 * on its case through caseflow_command inside the caller's transaction,
 * and answering with one signed receipt (or one signed refusal). */
#ifndef CLERK_COMMANDS_H
#define CLERK_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "caseflow.h"
#include "clock.h"
#include "config.h"
#include "error.h"
#include "understand.h"
#include "workflow.h"

/* At most this many commands are run from one mail; the rest are listed
 * as not done. */
#define COMMANDS_MAX_PER_MAIL	50

/* ---- pure ---- */

/* The syntax of one verb, as FORMS.md writes it. */
struct command_syntax {
	const char	*verb;
	const char	*args;		/* "<case> [category]" */
	size_t		 min_args;	/* words required after the verb */
	int		 member_arg;	/* args[0] may be a member's address */
};

/* NULL when `verb` (lower case) is not a command. */
const struct command_syntax *commands_syntax(const char *verb);
/* Every verb, in FORMS.md order, NULL-terminated. */
extern const char *const commands_verbs[];

/* One command line. */
struct command {
	int	 line;		/* 1-based line in the text; 0 from clerkctl */
	char	*text;		/* owned: the line, white space collapsed */
	char	*verb;		/* owned: lower case */
	char	**args;		/* owned, each owned: the words after the verb */
	size_t	 nargs;
};

struct command_list {
	struct command	*v;	/* owned */
	size_t		 n, cap;
};

/* Appends the commands in `text`: one per line, a line being a command
 * when its first word is a verb (any case) followed by white space or the
 * end of the line. Quoted lines ("> ..."), lines after a signature
 * separator ("-- "), and every other line are ignored. A case reference
 * written [fgt-2026-0007] is normalised to FGT-2026-0007. */
void commands_parse(const char *text, struct command_list *out);
/* 1 and *out filled when `line` (no newline) is a command, else 0. */
int commands_parse_line(const char *line, int lineno, struct command *out);
/* A command from words, as clerkctl gets them: verb, then arguments. */
void command_from_words(const char *verb, char *const *args, size_t nargs,
    struct command *out);
void command_clear(struct command *c);
void command_list_free(struct command_list *l);

/* Syntax errors a line has before it reaches a case: too few words, a
 * placeholder copied from a digest ("<amount>", "[category]"). 0 when
 * fine, else -1 with `why`. */
int commands_check_syntax(const struct command *c, char *why, size_t n);

/* 1 when `s` is a case reference PREFIX-YYYY-NNNN (see classify.h). */
int commands_is_case_ref(const char *s);

/* The verbs a role may use when the configuration does not say (FORMS.md:
 * treasurer paid; committee chair admit dismiss meeting settled recommend;
 * board chair decide; secretary everything; each also show and note). A
 * role not named here may only use show. */
const char *commands_default_verbs(const char *role);
/* 1 when `role` may use `verb`: `configured` is the officer's `commands`
 * (space-separated verbs), or NULL for the default. */
int commands_role_may(const char *role, const char *configured, const char *verb);

/* The commands workflow `wf` answers in state `state` (file order,
 * without show and note), as a NULL-terminated array of verbs borrowed
 * from the workflow. Caller frees the array. */
const char **commands_answered_in(const struct workflow *wf, const char *state);
/* Appends what an officer could write to act on case `ref` in that state:
 * "approve FGT-2026-0007 [category] | reject FGT-2026-0007 <reason...>".
 * Only verbs `role` may use, unless `role` is NULL. Appends nothing when
 * there is none. */
void commands_hint(const struct workflow *wf, const char *state, const char *ref,
    const char *role, const char *configured, struct buf *out);

/* ---- edges ---- */

/* What running commands produced: the receipt's lines. */
struct command_report {
	char	**lines;	/* owned, each owned */
	size_t	  n, cap;
	int	  done, not_done;
};

void command_report_free(struct command_report *r);

/* Runs one command as `role` (whose configured verbs are `configured`,
 * may be NULL) inside the caller's transaction, in a savepoint of its own:
 * a permanent failure of this one command is undone and reported as not
 * done, the others stand. Appends its lines to `rep`. Events: "command"
 * (ROLE: LINE) on the case before what the workflow did, or
 * "command-not-done" (ROLE: LINE: why). `mail_id` is the command mail, or
 * 0 from clerkctl. -1 only for a temporary failure or a store failure
 * (the caller rolls the whole transaction back). */
int commands_execute(struct caseflow *cf, const char *role, const char *configured,
    const struct command *c, int64_t mail_id, const struct clock_now *now,
    struct command_report *rep, struct clerk_err *err);

/* A mail classified KIND_COMMAND, inside apply's transaction: refused
 * (signature not good by the officer's pinned key, Message-ID seen
 * before, Date missing or more than [limits] command_max_age_hours away
 * from now) with one signed command_refused notice, a "command-refused"
 * event and a digest item; else every command line is run, the
 * Message-ID recorded and one signed command_receipt queued. Sets the
 * mail's outcome. */
int commands_apply(struct caseflow *cf, const struct understanding *u, int64_t mail_id,
    const struct clock_now *now, struct clerk_err *err);

#endif
