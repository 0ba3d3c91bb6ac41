/* Deadline arithmetic: civil dates, durations and fixed dates read from
 * workflow data, and public holidays as data (DOMAIN.md section 9).
 *
 * Pure and clock-free: no I/O, no time(), no time zone. Every date is a
 * local civil date in the proleptic Gregorian calendar; "today" is always
 * a parameter. Valid dates lie in CAL_YEAR_MIN..CAL_YEAR_MAX.
 *
 * The engine's usual path:
 *	cal_spec_parse("14d" | "2 months" | "02-01" | "04-last", &spec, &err);
 *	cal_deadline(received, &spec, profile_moves, holidays, &due, &err);
 *	cal_duration_parse("-7d", &lead, &err);
 *	cal_lead(due, lead, &remind_on, &err);
 * A deadline date D is met by anything that happens on D or before.
 */
#ifndef CLERK_CALENDAR_H
#define CLERK_CALENDAR_H

#include <stddef.h>

#include "error.h"

#define CAL_YEAR_MIN	1900
#define CAL_YEAR_MAX	9999

struct cal_date {
	int	year;
	int	month;		/* 1..12 */
	int	day;		/* 1..days in month */
};

struct cal_datetime {
	struct cal_date	date;
	int	hour;		/* 0..23 */
	int	minute;		/* 0..59 */
	int	second;		/* 0..59 */
};

/* ---- dates ------------------------------------------------------------ */

int	cal_is_leap(int year);
/* 28..31, or 0 for a month outside 1..12. */
int	cal_days_in_month(int year, int month);
/* 1 if the fields form a real date with year in CAL_YEAR_MIN..MAX. */
int	cal_date_valid(struct cal_date d);
int	cal_datetime_valid(struct cal_datetime t);
/* -1, 0 or 1 as a is before, equal to or after b. */
int	cal_date_cmp(struct cal_date a, struct cal_date b);
int	cal_datetime_cmp(struct cal_datetime a, struct cal_datetime b);

/* Day numbers: days since 1970-01-01 (negative before it). Defined for
 * any year, so arithmetic may step outside the valid range; check the
 * result with cal_date_valid. */
long	cal_date_to_days(struct cal_date d);
struct cal_date cal_date_from_days(long days);
/* to - from, in days. */
long	cal_days_between(struct cal_date from, struct cal_date to);
/* ISO weekday: 1 = Monday .. 7 = Sunday. */
int	cal_weekday(struct cal_date d);

/* ISO 8601 text. Parsing is strict: exactly YYYY-MM-DD, or
 * YYYY-MM-DDTHH:MM with optional :SS; no spaces, no zone; the date must
 * exist. Errors quote the bad text. Formatting always writes seconds;
 * fields too wide for the pattern come out as 'X'. */
#define CAL_DATE_BUFSZ		11	/* "YYYY-MM-DD" + NUL */
#define CAL_DATETIME_BUFSZ	20	/* "YYYY-MM-DDTHH:MM:SS" + NUL */
int	cal_date_parse(const char *s, struct cal_date *out, struct clerk_err *err);
int	cal_datetime_parse(const char *s, struct cal_datetime *out,
	    struct clerk_err *err);
char	*cal_date_format(struct cal_date d, char buf[CAL_DATE_BUFSZ]);
char	*cal_datetime_format(struct cal_datetime t, char buf[CAL_DATETIME_BUFSZ]);

/* ---- arithmetic (n may be negative) ------------------------------------ */

struct cal_date cal_add_days(struct cal_date d, int n);
struct cal_date cal_add_weeks(struct cal_date d, int n);
/* Calendar months: the day is kept, or clamped to the last day of the
 * target month (31 Jan + 1 = 28/29 Feb; 31 Mar - 1 = 28/29 Feb). Not
 * associative: add 2 at once rather than 1 twice. */
struct cal_date cal_add_months(struct cal_date d, int n);
/* 12 months per year: 29 Feb + 1 year = 28 Feb. */
struct cal_date cal_add_years(struct cal_date d, int n);

/* ---- durations as data ------------------------------------------------- */

enum cal_unit {
	CAL_DAYS,
	CAL_WEEKS,
	CAL_MONTHS,
	CAL_YEARS,
};

struct cal_duration {
	int		amount;	/* |amount| <= CAL_AMOUNT_MAX; negative = before */
	enum cal_unit	unit;
};

#define CAL_AMOUNT_MAX	100000

/* Syntax: [+|-]DIGITS [spaces] UNIT, nothing before or after; UNIT is one
 * of d day days w week weeks m month months y year years (lower case).
 * "14d", "2w", "-7d", "30 days", "1 year", "12 weeks". */
int	cal_duration_parse(const char *s, struct cal_duration *out,
	    struct clerk_err *err);
struct cal_date cal_add_duration(struct cal_date d, struct cal_duration dur);

/* ---- fixed dates (1 January, 1 July, 1 February, end of April) --------- */

#define CAL_LAST_DAY	0	/* as a fixed day: the month's last day */

struct cal_fixed {
	int	month;		/* 1..12 */
	int	day;		/* 1..31, or CAL_LAST_DAY */
};

/* Syntax: MM-DD or MM-last ("02-01", "07-01", "04-last"). 02-29 is
 * refused: it does not occur every year (write 02-last). */
int	cal_fixed_parse(const char *s, struct cal_fixed *out,
	    struct clerk_err *err);
/* The first date on or after (inclusive) or strictly after `from` (a
 * valid date) that falls on month/day; day may be CAL_LAST_DAY. month and
 * day as cal_fixed_parse accepts them. */
struct cal_date cal_next_fixed(struct cal_date from, int month, int day,
	    int inclusive);

/* ---- deadline specs: what a workflow row holds ------------------------- */

enum cal_spec_kind {
	CAL_SPEC_DURATION,	/* start + duration */
	CAL_SPEC_FIXED,		/* next fixed date strictly after start */
};

struct cal_spec {
	enum cal_spec_kind	kind;
	struct cal_duration	dur;	/* CAL_SPEC_DURATION */
	struct cal_fixed	fixed;	/* CAL_SPEC_FIXED */
};

/* A fixed date (MM-DD, MM-last) or a duration, as above. */
int	cal_spec_parse(const char *s, struct cal_spec *out,
	    struct clerk_err *err);

/* ---- public holidays as data -------------------------------------------
 *
 * One rule a line; blank lines and lines starting with '#' are skipped.
 *	RULE := BASE MODIFIER* '#' NAME
 *	BASE := MM-DD | easter | easter+N | easter-N	(|N| <= 200)
 *	MODIFIER :=
 *	    WEEKDAY:+N | WEEKDAY:-N	when the date falls on WEEKDAY
 *					(monday..sunday), move it N days,
 *					1 <= |N| <= 7; one move, never chained
 *	    from YYYY | until YYYY	first / last year the rule holds
 *	    every N			only in years from, from+N, ...;
 *					needs from
 * The name after '#' is required (it is shown when a deadline moves).
 * Years refer to the unmoved date. At most CAL_HOLIDAY_RULES_MAX rules,
 * which guarantees a working day in every year.
 * Example: "04-27 sunday:-1 from 2014  # King's Day".
 * The calendars live in workflows/calendars/<cc>.holidays (no, dk, nl);
 * the caller reads the file and hands over its bytes. */

#define CAL_HOLIDAY_RULES_MAX	100

struct cal_holidays;	/* opaque; owns its rules and names */

/* Parses the rules in text[0..len) (no NUL needed; CRLF is fine). On
 * error *out is untouched and err says "NAME:LINE: message". The result
 * is freed with cal_holidays_free. */
int	cal_holidays_parse(const char *text, size_t len,
	    const char *name_for_errors, struct cal_holidays **out,
	    struct clerk_err *err);
void	cal_holidays_free(struct cal_holidays *h);

/* Easter Sunday of a Gregorian year (>= 1583). */
struct cal_date cal_easter(int year);

/* In all of these `h` may be NULL: no holidays, weekends only. */
/* The holiday's name (owned by h), or NULL when d is no holiday. */
const char *cal_holiday_name(struct cal_date d, const struct cal_holidays *h);
int	cal_is_holiday(struct cal_date d, const struct cal_holidays *h);
/* Monday to Friday and no holiday. */
int	cal_is_working_day(struct cal_date d, const struct cal_holidays *h);
/* d itself when it is a working day, else the next one. */
struct cal_date cal_next_working_day(struct cal_date d,
	    const struct cal_holidays *h);

/* ---- deadlines --------------------------------------------------------- */

/* The deadline for an event on `start`: start + duration, or the next
 * fixed date strictly after start (a form due "1 February" and sent on
 * 1 February is due a year later). With move_to_working_day a date on a
 * weekend or holiday moves to the next working day. A negative duration
 * is refused (that is a lead time), as is a result outside the valid
 * years. */
int	cal_deadline(struct cal_date start, const struct cal_spec *spec,
	    int move_to_working_day, const struct cal_holidays *h,
	    struct cal_date *out, struct clerk_err *err);
/* The reminder date `lead` before `deadline`. A lead always points back:
 * "-7d" and "7d" both mean a week before. The date is not moved off
 * weekends or holidays. Fails only outside the valid years. */
int	cal_lead(struct cal_date deadline, struct cal_duration lead,
	    struct cal_date *out, struct clerk_err *err);

#endif
