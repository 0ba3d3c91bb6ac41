/* Officer commands, the pure half (daemon/commands_parse.c): the one table
 * of verbs (FORMS.md "Officer commands"), reading command lines out of a
 * text, the syntax of each verb, which verbs the loaded workflows answer,
 * what a role may do, and the hints the digest prints. No I/O, no store. */
#ifndef CLERK_COMMANDS_PARSE_H
#define CLERK_COMMANDS_PARSE_H

#include <stddef.h>

#include "buf.h"
#include "workflow.h"

/* Who answers a verb. */
enum command_answerer {
	COMMAND_BY_WORKFLOW,	/* a `command VERB` line (or opener) of a workflow */
	COMMAND_BY_MODULE,	/* the command module itself: show, note */
};

/* One officer command, as FORMS.md writes it. */
struct command_syntax {
	const char	*verb;
	const char	*args;		/* "<case> [category]" */
	size_t		 min_args;	/* words required after the verb */
	int		 member_arg;	/* args[0] may be a member's address */
	enum command_answerer by;
	const char	*help;		/* one line, for clerkctl */
};

/* Every verb, in FORMS.md order: the one table of commands. */
extern const struct command_syntax commands_table[];
extern const size_t commands_table_len;

/* NULL when `verb` (lower case) is not in the table. */
const struct command_syntax *commands_syntax(const char *verb);
/* 1 when `verb` is offered with these workflows: the command module
 * answers it, or a loaded workflow has a `command VERB` line or opener.
 * A verb nobody answers is not a command at all (set NULL: every verb). */
int commands_answered(const struct wf_set *set, const char *verb);
/* The offered verbs, in table order, NULL-terminated in `verbs` (room for
 * `max` pointers including the NULL); returns their number. */
size_t commands_offered(const struct wf_set *set, const char **verbs, size_t max);

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
 * when its first word is a verb offered with `set` (any case; NULL: any
 * verb of the table) followed by white space or the end of the line. Quoted lines ("> ..."), lines after a signature
 * separator ("-- "), and every other line are ignored. A case reference
 * written [fgt-2026-0007] is normalised to FGT-2026-0007. */
void commands_parse(const struct wf_set *set, const char *text, struct command_list *out);
/* 1 and *out filled when `line` (no newline) is a command offered with
 * `set` (NULL: any verb of the table), else 0. */
int commands_parse_line(const struct wf_set *set, const char *line, int lineno,
    struct command *out);
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

#endif
