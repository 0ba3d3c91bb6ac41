/* Association profiles: every number and name of the bylaws as data
 * (workflows/profiles/<name>.profile), checked against a schema that is
 * data too (workflows/profiles/schema). Pure: both are parsed from memory.
 *
 * Profile file, UTF-8:
 *	# comment (a line starting with '#'; also ' #...' after a value)
 *	[section]		section names: a-z 0-9 _ and '.'
 *	key = value		a value may be "double quoted" (then '#' and
 *				leading/trailing spaces are kept; \" and \\)
 * Schema file: the same shape; each key's value is its type, then
 * `optional` if it may be left out:
 *	[dues]
 *	amount = amount
 *	insurance_notice = bool optional
 *	[categories.*]		one section per item of a list: the profile
 *	@index = categories.names	must have [categories.<item>] for every
 *	ratio = percent			item of [categories] names, and no other
 * Types and what a lookup gives:
 *	text	any text				string
 *	word	a-z 0-9 _ -				string
 *	words	words separated by spaces		list "a,b,c"
 *	list	items separated by spaces; "quoted items" may hold spaces
 *						list "a,b c,d"
 *	int	an integer				number
 *	amount	1250.00 or 1250: minor units		number 125000
 *	hours	37.5 or 37,5: hundredths of an hour	number 3750
 *	percent	0..100					number
 *	hour	0..23					number
 *	bool	yes/no					string "yes"/"no"
 *	duration 14d 2w 2m 3y (calendar.h)		duration
 *	durations durations separated by spaces	list "7d,1d"
 *	day	MM-DD or MM-last			string "02-01"
 *	spec	a duration or a day (a deadline)	string as written
 * A key the schema does not name is an error (the schema is the list of
 * what clerk understands); so is a missing required key, or a value that is
 * not of its type. Every problem is reported as "file:line: message". */
#ifndef CLERK_PROFILE_H
#define CLERK_PROFILE_H

#include <stddef.h>

#include "buf.h"
#include "calendar.h"
#include "error.h"
#include "expr.h"

enum pv_type {
	PV_TEXT,
	PV_WORD,
	PV_WORDS,
	PV_LIST,
	PV_INT,
	PV_AMOUNT,
	PV_HOURS,
	PV_PERCENT,
	PV_HOUR,
	PV_BOOL,
	PV_DURATION,
	PV_DURATIONS,
	PV_DAY,
	PV_SPEC,
};

struct profile_schema;	/* opaque, read-only once parsed */

/* What the comment of a key says about its value (workflows/README.md):
 * "PLACEHOLDER" (or a value that begins so): not the association's own
 * yet; "clerk default": not in the association's seed, to be confirmed;
 * with "confirmed" as well: the association confirmed it. */
enum pv_mark {
	PV_OWN = 0,
	PV_PLACEHOLDER,
	PV_DEFAULT,
	PV_DEFAULT_CONFIRMED,
};

struct profile_value {
	char		*section;	/* owned: "categories.student" */
	char		*key;		/* owned */
	enum pv_mark	 mark;
	enum pv_type	 type;
	char		*text;		/* owned: the value as written (unquoted) */
	long long	 num;		/* numeric types; bool: 1/0 */
	struct cal_duration dur;	/* PV_DURATION */
	char		*list;		/* owned: list types, items joined by ',' */
	int		 line;
};

struct profile {
	char		*name;		/* owned: "fgt" */
	char		*path;		/* owned: for messages */
	struct profile_value *v;	/* owned */
	size_t		 nv;
	char		**sections;	/* owned: names in file order */
	int		*section_lines;	/* owned */
	size_t		 nsections;
};

/* Both parsers append every problem to `diag` as "name:line: message\n"
 * and return the number of problems; *out is set only when there is none. */
int	profile_schema_parse(const char *name, const char *text, size_t len,
	    struct profile_schema **out, struct buf *diag);
void	profile_schema_free(struct profile_schema *s);
/* The type of section.key in the schema (a section "categories.student"
 * matches "categories.*"); -1 when the schema has no such key. *optional
 * may be NULL. */
int	profile_schema_type(const struct profile_schema *s, const char *section,
	    const char *key, enum pv_type *type, int *optional);
const char *pv_type_name(enum pv_type t);

/* `name` is the profile's short name (fgt), `path` names it in messages. */
int	profile_parse(const char *name, const char *path, const char *text,
	    size_t len, const struct profile_schema *schema,
	    struct profile **out, struct buf *diag);
void	profile_free(struct profile *p);

/* Lookups: NULL / -1 when absent (or, for the typed ones, of another
 * type). Sections are named in full: "categories.student". */
const struct profile_value *profile_get(const struct profile *p,
	    const char *section, const char *key);
const char *profile_text(const struct profile *p, const char *section,
	    const char *key);
int	profile_int(const struct profile *p, const char *section,
	    const char *key, long long *out);
int	profile_bool(const struct profile *p, const char *section,
	    const char *key, int *out);
int	profile_duration(const struct profile *p, const char *section,
	    const char *key, struct cal_duration *out);
/* The items of a list value, or of a single word: *n items, the array and
 * its strings owned by the caller (free each, then the array). */
int	profile_list(const struct profile *p, const char *section,
	    const char *key, char ***items, size_t *n);
/* 1 when `item` is one of the list's items. */
int	profile_list_has(const struct profile *p, const char *section,
	    const char *key, const char *item);
/* The value as an expression sees it (see the type table above). */
void	profile_value_to_val(const struct profile_value *pv, struct val *out);
/* 1 when the profile has a section of that exact name. */
int	profile_has_section(const struct profile *p, const char *section);

#endif
