/* The text level of profiles, schemas and the vocabulary: INI-like lines
 * and typed values. Not for use outside daemon/profile*.c. */
#ifndef CLERK_PROFILE_TEXT_H
#define CLERK_PROFILE_TEXT_H

#include "profile.h"

/* One logical line of an INI-like file, split in place. */
struct iniline {
	int	 kind;		/* 0 blank/comment, 1 section, 2 key = value, -1 bad */
	char	*name;		/* section name or key */
	char	*value;		/* raw value: comment removed, trimmed */
	const char *why;	/* for kind -1 */
};

/* Logical lines: comments cut, blank lines dropped, and an indented line
 * after a `key = value` line continues that value. */
struct logline {
	char	*text;		/* owned */
	char	*comment;	/* owned: the comments on the line and on the
				 * indented lines under it, joined; "" if none */
	int	 line;
};

char	*pt_trim(char *s);
/* Cuts a trailing comment: '#' after white space, outside quotes. Returns
 * the comment's text (after the '#', in `s`'s memory), or NULL. */
char	*pt_cut_comment(char *s);
int	pt_name_ok(const char *s, int dots);
void	pt_split_line(char *line, struct iniline *out);
/* Logical lines: comments cut, blank lines dropped, and an indented line
 * after a `key = value` line continues that value. */
struct logline *pt_lines(const char *text, size_t len, size_t *n);
void	pt_lines_free(struct logline *ll, size_t n);
/* The next item of a ','-joined list, copied; NULL at the end. */
char	*pt_next_item(const char **p);
/* Parses `raw` as `type` into pv; NULL, or what is wrong. */
const char *pt_parse_typed(struct profile_value *pv, enum pv_type type,
	    const char *raw);
void	pt_value_clear(struct profile_value *pv);

#endif
