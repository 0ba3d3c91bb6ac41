/* Language data for notices: month names, the date pattern, number
 * separators and the amount pattern of one language, read from
 * workflows/languages/<lang>.conf so that no wording lives in C.
 *
 * File format (UTF-8, `#` starts a comment line):
 *   name      = English
 *   months    = January February ... December    (twelve words)
 *   date      = {d} {month} {yyyy}                (also {dd} {m} {mm})
 *   decimal   = .
 *   thousands = ,                                  (quote a space: " ")
 *   amount    = {currency} {number}
 * A value may be written in double quotes to keep leading or trailing
 * space. Every key is required; an unknown key is an error.
 *
 * Amounts are integer minor units with two decimals (NOK, DKK, SEK, EUR:
 * every currency the profiles use); a negative amount is refused. */
#ifndef CLERK_LANGFMT_H
#define CLERK_LANGFMT_H

#include <stddef.h>

#include "buf.h"
#include "calendar.h"
#include "error.h"

struct lang {
	char	 code[8];	/* "nb" */
	char	*name;		/* owned */
	char	*months[12];	/* owned */
	char	*date;		/* owned: the date pattern */
	char	*decimal;	/* owned */
	char	*thousands;	/* owned */
	char	*amount;	/* owned: the amount pattern */
};

/* Parses a language file held in memory. `path` names it in messages.
 * Every problem is appended to `diag` as "path:line: message\n"; returns
 * the number of problems (0: *out is filled and owned by the caller). On
 * problems *out is left empty (lang_free is still safe). */
int lang_parse(const char *path, const char *code, const char *text,
    size_t len, struct lang *out, struct buf *diag);
void lang_free(struct lang *l);

/* Appends the date as the language writes it ("1. februar 2027"); an
 * invalid date (cal_date_valid) is refused. */
int lang_format_date(const struct lang *l, struct cal_date d,
    struct buf *out, struct clerk_err *err);
/* Appends `minor` units of `currency` (three upper-case letters) as the
 * language writes it ("NOK 1 875,00"). Negative amounts are refused. */
int lang_format_amount(const struct lang *l, long long minor,
    const char *currency, struct buf *out, struct clerk_err *err);

#endif
