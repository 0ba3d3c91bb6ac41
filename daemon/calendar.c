/* Deadline arithmetic and public holidays as data. Pure: no I/O, no clock. */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Days from 0001-01-01 to 1970-01-01, so that day numbers count from the
 * Unix epoch and the edges can convert with a plain division. */
#define DAYS_TO_EPOCH	719162LL
/* Far beyond any use; keeps every derived year inside an int. */
#define DAYS_LIMIT	100000000000LL
/* Room for a quoted, escaped, shortened piece of input in a message. */
#define QUOTE_SZ	128
#define EASTER_OFFSET_MAX	200
#define EVERY_MAX	100

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

/* Indexed by ISO weekday - 1. */
static const char *const weekday_names[7] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	"sunday",
};

static const int days_before_month[12] = {
	0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334,
};

enum rule_base {
	BASE_FIXED,
	BASE_EASTER,
};

struct rule {
	enum rule_base	base;
	int		month, day;	/* BASE_FIXED */
	int		offset;		/* BASE_EASTER: days after Easter Sunday */
	int		move[8];	/* by ISO weekday: days to move, 0 = stay */
	int		from, until;	/* 0 = open */
	int		every;		/* 0 = every year */
	char		*name;		/* owned */
};

struct cal_holidays {
	struct rule	*rules;		/* owned */
	size_t		 n, cap;
};

static long long
floor_div(long long a, long long b)
{
	long long q = a / b;

	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

static long long
floor_mod(long long a, long long b)
{
	return a - floor_div(a, b) * b;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Exactly n ASCII digits at s, as a number; -1 otherwise. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Input text for an error message: double-quoted, control bytes escaped,
 * shortened, so that a hostile line cannot forge log lines. */
static const char *
quote(char *out, size_t outsz, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	size_t i;

	out[o++] = '"';
	for (i = 0; i < len && o + 9 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		} else
			out[o++] = (char)c;
	}
	if (i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* ---- dates ------------------------------------------------------------ */

int
cal_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
cal_days_in_month(int year, int month)
{
	static const int len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && cal_is_leap(year))
		return 29;
	return len[month - 1];
}

int
cal_date_valid(struct cal_date d)
{
	return d.year >= CAL_YEAR_MIN && d.year <= CAL_YEAR_MAX &&
	    d.month >= 1 && d.month <= 12 &&
	    d.day >= 1 && d.day <= cal_days_in_month(d.year, d.month);
}

int
cal_datetime_valid(struct cal_datetime t)
{
	return cal_date_valid(t.date) &&
	    t.hour >= 0 && t.hour <= 23 &&
	    t.minute >= 0 && t.minute <= 59 &&
	    t.second >= 0 && t.second <= 59;
}

static int
cmp_int(int a, int b)
{
	return (a > b) - (a < b);
}

int
cal_date_cmp(struct cal_date a, struct cal_date b)
{
	if (a.year != b.year)
		return cmp_int(a.year, b.year);
	if (a.month != b.month)
		return cmp_int(a.month, b.month);
	return cmp_int(a.day, b.day);
}

int
cal_datetime_cmp(struct cal_datetime a, struct cal_datetime b)
{
	int c;

	if ((c = cal_date_cmp(a.date, b.date)) != 0)
		return c;
	if (a.hour != b.hour)
		return cmp_int(a.hour, b.hour);
	if (a.minute != b.minute)
		return cmp_int(a.minute, b.minute);
	return cmp_int(a.second, b.second);
}

/* Days from 0001-01-01 to 1 January of `year`. */
static long long
days_before_year(long long year)
{
	long long p = year - 1;

	return 365 * p + floor_div(p, 4) - floor_div(p, 100) +
	    floor_div(p, 400);
}

long
cal_date_to_days(struct cal_date d)
{
	long long n = days_before_year(d.year);

	if (d.month >= 1 && d.month <= 12) {
		n += days_before_month[d.month - 1];
		if (d.month > 2 && cal_is_leap(d.year))
			n++;
	}
	return (long)(n + d.day - 1 - DAYS_TO_EPOCH);
}

struct cal_date
cal_date_from_days(long days)
{
	long long n = days, rest;
	struct cal_date d;
	int year, month, dim;

	if (n > DAYS_LIMIT)
		n = DAYS_LIMIT;
	if (n < -DAYS_LIMIT)
		n = -DAYS_LIMIT;
	n += DAYS_TO_EPOCH;
	/* 146097 days in 400 years: the estimate is off by one at most. */
	year = (int)(floor_div(n * 400, 146097) + 1);
	while (days_before_year(year) > n)
		year--;
	while (days_before_year((long long)year + 1) <= n)
		year++;
	rest = n - days_before_year(year);
	for (month = 1; month < 12; month++) {
		dim = cal_days_in_month(year, month);
		if (rest < dim)
			break;
		rest -= dim;
	}
	d.year = year;
	d.month = month;
	d.day = (int)rest + 1;
	return d;
}

long
cal_days_between(struct cal_date from, struct cal_date to)
{
	return cal_date_to_days(to) - cal_date_to_days(from);
}

int
cal_weekday(struct cal_date d)
{
	/* 1970-01-01 was a Thursday. */
	return (int)floor_mod((long long)cal_date_to_days(d) + 3, 7) + 1;
}

static int
fits(int v, int max)
{
	return v >= 0 && v <= max;
}

char *
cal_date_format(struct cal_date d, char buf[CAL_DATE_BUFSZ])
{
	if (fits(d.year, 9999) && fits(d.month, 99) && fits(d.day, 99))
		snprintf(buf, CAL_DATE_BUFSZ, "%04d-%02d-%02d", d.year,
		    d.month, d.day);
	else
		snprintf(buf, CAL_DATE_BUFSZ, "XXXX-XX-XX");
	return buf;
}

char *
cal_datetime_format(struct cal_datetime t, char buf[CAL_DATETIME_BUFSZ])
{
	char date[CAL_DATE_BUFSZ];

	cal_date_format(t.date, date);
	if (fits(t.hour, 99) && fits(t.minute, 99) && fits(t.second, 99))
		snprintf(buf, CAL_DATETIME_BUFSZ, "%sT%02d:%02d:%02d", date,
		    t.hour, t.minute, t.second);
	else
		snprintf(buf, CAL_DATETIME_BUFSZ, "%sTXX:XX:XX", date);
	return buf;
}

/* "YYYY-MM-DD" at s (more may follow); 0 if the shape is right. */
static int
date_shape(const char *s, struct cal_date *d)
{
	if ((d->year = digits(s, 4)) < 0 || s[4] != '-' ||
	    (d->month = digits(s + 5, 2)) < 0 || s[7] != '-' ||
	    (d->day = digits(s + 8, 2)) < 0)
		return -1;
	return 0;
}

/* Says what is wrong with a well-shaped date; `what` names the kind of
 * text, q is the quoted text. */
static int
date_check(struct cal_date d, const char *what, const char *q,
    struct clerk_err *err)
{
	int dim;

	if (d.year < CAL_YEAR_MIN || d.year > CAL_YEAR_MAX) {
		err_set(err, ERR_FINAL, "bad %s %s: year %04d is outside %d..%d", what,
		    q, d.year, CAL_YEAR_MIN, CAL_YEAR_MAX);
		return -1;
	}
	if (d.month < 1 || d.month > 12) {
		err_set(err, ERR_FINAL, "bad %s %s: month %02d does not exist", what, q,
		    d.month);
		return -1;
	}
	dim = cal_days_in_month(d.year, d.month);
	if (d.day < 1 || d.day > dim) {
		err_set(err, ERR_FINAL, "bad %s %s: %s %d has %d days, not day %02d",
		    what, q, month_names[d.month - 1], d.year, dim, d.day);
		return -1;
	}
	return 0;
}

int
cal_date_parse(const char *s, struct cal_date *out, struct clerk_err *err)
{
	char q[QUOTE_SZ];
	struct cal_date d;
	size_t len = strlen(s);

	quote(q, sizeof(q), s, len);
	if (len != 10 || date_shape(s, &d) == -1) {
		err_set(err, ERR_FINAL, "bad date %s: expected YYYY-MM-DD", q);
		return -1;
	}
	if (date_check(d, "date", q, err) == -1)
		return -1;
	*out = d;
	return 0;
}

int
cal_datetime_parse(const char *s, struct cal_datetime *out,
    struct clerk_err *err)
{
	char q[QUOTE_SZ];
	struct cal_datetime t;
	size_t len = strlen(s);

	quote(q, sizeof(q), s, len);
	t.second = 0;
	if ((len != 16 && len != 19) || date_shape(s, &t.date) == -1 ||
	    s[10] != 'T' || (t.hour = digits(s + 11, 2)) < 0 ||
	    s[13] != ':' || (t.minute = digits(s + 14, 2)) < 0 ||
	    (len == 19 && (s[16] != ':' || (t.second = digits(s + 17, 2)) < 0))) {
		err_set(err, ERR_FINAL, "bad date-time %s: expected YYYY-MM-DDTHH:MM "
		    "or YYYY-MM-DDTHH:MM:SS", q);
		return -1;
	}
	if (date_check(t.date, "date-time", q, err) == -1)
		return -1;
	if (t.hour > 23 || t.minute > 59 || t.second > 59) {
		err_set(err, ERR_FINAL, "bad date-time %s: time %02d:%02d:%02d does not "
		    "exist", q, t.hour, t.minute, t.second);
		return -1;
	}
	*out = t;
	return 0;
}

/* ---- arithmetic -------------------------------------------------------- */

struct cal_date
cal_add_days(struct cal_date d, int n)
{
	return cal_date_from_days((long)((long long)cal_date_to_days(d) + n));
}

struct cal_date
cal_add_weeks(struct cal_date d, int n)
{
	return cal_date_from_days((long)((long long)cal_date_to_days(d) +
	    7LL * n));
}

static struct cal_date
add_months_ll(struct cal_date d, long long n)
{
	long long index = (long long)d.year * 12 + (d.month - 1) + n;
	struct cal_date r;
	int dim;

	r.year = (int)floor_div(index, 12);
	r.month = (int)floor_mod(index, 12) + 1;
	dim = cal_days_in_month(r.year, r.month);
	r.day = d.day > dim ? dim : d.day;
	return r;
}

struct cal_date
cal_add_months(struct cal_date d, int n)
{
	return add_months_ll(d, n);
}

struct cal_date
cal_add_years(struct cal_date d, int n)
{
	return add_months_ll(d, 12LL * n);
}

/* ---- durations --------------------------------------------------------- */

static const struct {
	const char	*word;
	enum cal_unit	 unit;
} unit_words[] = {
	{ "d", CAL_DAYS }, { "day", CAL_DAYS }, { "days", CAL_DAYS },
	{ "w", CAL_WEEKS }, { "week", CAL_WEEKS }, { "weeks", CAL_WEEKS },
	{ "m", CAL_MONTHS }, { "month", CAL_MONTHS }, { "months", CAL_MONTHS },
	{ "y", CAL_YEARS }, { "year", CAL_YEARS }, { "years", CAL_YEARS },
};

static char
unit_letter(enum cal_unit u)
{
	switch (u) {
	case CAL_DAYS:
		return 'd';
	case CAL_WEEKS:
		return 'w';
	case CAL_MONTHS:
		return 'm';
	case CAL_YEARS:
		return 'y';
	}
	return '?';
}

int
cal_duration_parse(const char *s, struct cal_duration *out,
    struct clerk_err *err)
{
	char q[QUOTE_SZ], qu[QUOTE_SZ];
	const char *p = s;
	long amount = 0;
	int sign = 1, ndigits = 0;

	quote(q, sizeof(q), s, strlen(s));
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (; is_digit(*p); p++, ndigits++)
		if (amount <= CAL_AMOUNT_MAX)
			amount = amount * 10 + (*p - '0');
	if (ndigits == 0) {
		err_set(err, ERR_FINAL, "bad duration %s: expected a number and a unit, "
		    "like 14d or 2 months", q);
		return -1;
	}
	if (amount > CAL_AMOUNT_MAX) {
		err_set(err, ERR_FINAL, "bad duration %s: more than %d", q,
		    CAL_AMOUNT_MAX);
		return -1;
	}
	while (*p == ' ')
		p++;
	if (*p == '\0') {
		err_set(err, ERR_FINAL, "bad duration %s: no unit after the number "
		    "(d, w, m, y or days, weeks, months, years)", q);
		return -1;
	}
	for (size_t i = 0; i < sizeof(unit_words) / sizeof(unit_words[0]); i++) {
		if (strcmp(p, unit_words[i].word) == 0) {
			out->amount = sign * (int)amount;
			out->unit = unit_words[i].unit;
			return 0;
		}
	}
	err_set(err, ERR_FINAL, "bad duration %s: unknown unit %s (d, w, m, y or "
	    "days, weeks, months, years)", q, quote(qu, sizeof(qu), p,
	    strlen(p)));
	return -1;
}

struct cal_date
cal_add_duration(struct cal_date d, struct cal_duration dur)
{
	switch (dur.unit) {
	case CAL_DAYS:
		return cal_add_days(d, dur.amount);
	case CAL_WEEKS:
		return cal_add_weeks(d, dur.amount);
	case CAL_MONTHS:
		return cal_add_months(d, dur.amount);
	case CAL_YEARS:
		return cal_add_years(d, dur.amount);
	}
	return d;
}

/* ---- fixed dates ------------------------------------------------------- */

/* Month and day that occur every year; `what` and q as in date_check. */
static int
month_day_check(int month, int day, const char *what, const char *q,
    struct clerk_err *err)
{
	int dim;

	if (month < 1 || month > 12) {
		err_set(err, ERR_FINAL, "bad %s %s: month %02d does not exist", what, q,
		    month);
		return -1;
	}
	if (month == 2 && day == 29) {
		err_set(err, ERR_FINAL, "bad %s %s: 29 February does not occur every "
		    "year", what, q);
		return -1;
	}
	dim = cal_days_in_month(2001, month);
	if (day < 1 || day > dim) {
		err_set(err, ERR_FINAL, "bad %s %s: %s has no day %02d", what, q,
		    month_names[month - 1], day);
		return -1;
	}
	return 0;
}

int
cal_fixed_parse(const char *s, struct cal_fixed *out, struct clerk_err *err)
{
	char q[QUOTE_SZ];
	struct cal_fixed f;
	size_t len = strlen(s);

	quote(q, sizeof(q), s, len);
	if ((f.month = digits(s, 2)) < 0 || s[2] != '-' ||
	    (strcmp(s + 3, "last") != 0 &&
	    (len != 5 || (f.day = digits(s + 3, 2)) < 0))) {
		err_set(err, ERR_FINAL, "bad fixed date %s: expected MM-DD or MM-last, "
		    "like 02-01 or 04-last", q);
		return -1;
	}
	if (strcmp(s + 3, "last") == 0) {
		if (f.month < 1 || f.month > 12) {
			err_set(err, ERR_FINAL, "bad fixed date %s: month %02d does "
			    "not exist", q, f.month);
			return -1;
		}
		f.day = CAL_LAST_DAY;
	} else if (month_day_check(f.month, f.day, "fixed date", q, err) == -1)
		return -1;
	*out = f;
	return 0;
}

struct cal_date
cal_next_fixed(struct cal_date from, int month, int day, int inclusive)
{
	struct cal_date c = from;

	/* This year's occurrence, or else next year's. */
	for (int y = from.year; y <= from.year + 1; y++) {
		int dim = cal_days_in_month(y, month);

		c.year = y;
		c.month = month;
		c.day = day == CAL_LAST_DAY || day > dim ? dim : day;
		if (cal_date_cmp(c, from) > 0 ||
		    (inclusive && cal_date_cmp(c, from) == 0))
			break;
	}
	return c;
}

int
cal_spec_parse(const char *s, struct cal_spec *out, struct clerk_err *err)
{
	char q[QUOTE_SZ];
	struct cal_spec spec;

	memset(&spec, 0, sizeof(spec));
	if (is_digit(s[0]) && is_digit(s[1]) && s[2] == '-') {
		spec.kind = CAL_SPEC_FIXED;
		if (cal_fixed_parse(s, &spec.fixed, err) == -1)
			return -1;
	} else if (is_digit(s[0]) || s[0] == '-' || s[0] == '+') {
		spec.kind = CAL_SPEC_DURATION;
		if (cal_duration_parse(s, &spec.dur, err) == -1)
			return -1;
	} else {
		err_set(err, ERR_FINAL, "bad deadline %s: expected a duration (14d, "
		    "2 months) or a fixed date (02-01, 04-last)",
		    quote(q, sizeof(q), s, strlen(s)));
		return -1;
	}
	*out = spec;
	return 0;
}

/* ---- holidays ---------------------------------------------------------- */

struct cal_date
cal_easter(int year)
{
	/* The Gregorian computus as Knuth states it (TAOCP 1.3.2 ex. 14):
	 * find the paschal full moon from the epact, then the Sunday after. */
	int golden = year % 19 + 1;		/* year in the 19-year lunar cycle */
	int century = year / 100 + 1;
	int dropped = 3 * century / 4 - 12;	/* leap days dropped since 1582 */
	int moon = (8 * century + 5) / 25 - 5;	/* drift of the lunar cycle */
	long long sunday = 5LL * year / 4 - dropped - 10; /* March -sunday%7 */
	int epact = (int)floor_mod(11 * golden + 20 + moon - dropped, 30);
	int full, day;

	if ((epact == 25 && golden > 11) || epact == 24)
		epact++;
	full = 44 - epact;	/* day of March of the full moon */
	if (full < 21)
		full += 30;
	day = full + 7 - (int)floor_mod(sunday + full, 7);
	if (day > 31)
		return (struct cal_date){ year, 4, day - 31 };
	return (struct cal_date){ year, 3, day };
}

/* The date the rule gives for year y (before any move, y is the year of
 * the rule's own date); 0 if the rule does not hold that year. */
static int
rule_date(const struct rule *r, int y, struct cal_date *out)
{
	struct cal_date d;
	int move;

	if ((r->from && y < r->from) || (r->until && y > r->until) ||
	    (r->every && (y - r->from) % r->every != 0))
		return 0;
	if (r->base == BASE_EASTER)
		d = cal_add_days(cal_easter(y), r->offset);
	else
		d = (struct cal_date){ y, r->month, r->day };
	if ((move = r->move[cal_weekday(d)]) != 0)
		d = cal_add_days(d, move);
	*out = d;
	return 1;
}

const char *
cal_holiday_name(struct cal_date d, const struct cal_holidays *h)
{
	struct cal_date r;

	/* Rules are Gregorian; the bound also keeps d.year + 1 in range. */
	if (h == NULL || d.year < 1583 || d.year > CAL_YEAR_MAX + 1)
		return NULL;
	for (size_t i = 0; i < h->n; i++) {
		/* Moves and Easter offsets may cross the new year. */
		for (int y = d.year - 1; y <= d.year + 1; y++)
			if (rule_date(&h->rules[i], y, &r) &&
			    cal_date_cmp(r, d) == 0)
				return h->rules[i].name;
	}
	return NULL;
}

int
cal_is_holiday(struct cal_date d, const struct cal_holidays *h)
{
	return cal_holiday_name(d, h) != NULL;
}

int
cal_is_working_day(struct cal_date d, const struct cal_holidays *h)
{
	return cal_weekday(d) <= 5 && !cal_is_holiday(d, h);
}

struct cal_date
cal_next_working_day(struct cal_date d, const struct cal_holidays *h)
{
	/* With at most CAL_HOLIDAY_RULES_MAX holidays and 106 weekend days a
	 * year, a working day comes within a year; the bound is a guard. */
	for (int i = 0; i < 400 && !cal_is_working_day(d, h); i++)
		d = cal_add_days(d, 1);
	return d;
}

void
cal_holidays_free(struct cal_holidays *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++)
		free(h->rules[i].name);
	free(h->rules);
	free(h);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Next blank-separated word of a NUL-terminated string; NULL at the end.
 * Ends the word with a NUL and moves *pp past it. */
static char *
next_word(char **pp)
{
	char *p = *pp, *w;

	while (is_blank(*p))
		p++;
	if (*p == '\0')
		return NULL;
	w = p;
	while (*p != '\0' && !is_blank(*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*pp = p;
	return w;
}

static int
rule_base(struct rule *r, const char *w, struct clerk_err *err)
{
	char q[QUOTE_SZ];
	struct cal_fixed f;
	size_t len;
	int n;

	if (w == NULL) {
		err_set(err, ERR_FINAL, "empty rule before the name");
		return -1;
	}
	len = strlen(w);
	quote(q, sizeof(q), w, len);
	if (strncmp(w, "easter", 6) == 0) {
		r->base = BASE_EASTER;
		if (len == 6)
			return 0;
		if ((w[6] == '+' || w[6] == '-') && len >= 8 && len <= 10 &&
		    (n = digits(w + 7, (int)len - 7)) >= 0 &&
		    n <= EASTER_OFFSET_MAX) {
			r->offset = w[6] == '-' ? -n : n;
			return 0;
		}
		err_set(err, ERR_FINAL, "bad Easter rule %s: expected easter, easter+N "
		    "or easter-N with N up to %d", q, EASTER_OFFSET_MAX);
		return -1;
	}
	if (len == 5 && is_digit(w[0]) && is_digit(w[1]) && w[2] == '-') {
		if (cal_fixed_parse(w, &f, err) == -1)
			return -1;
		r->base = BASE_FIXED;
		r->month = f.month;
		r->day = f.day;
		return 0;
	}
	err_set(err, ERR_FINAL, "unknown rule %s: expected MM-DD, easter, easter+N "
	    "or easter-N", q);
	return -1;
}

/* A 4-digit year after "from" or "until". */
static int
rule_year(const char *key, const char *w, int *out, struct clerk_err *err)
{
	char q[QUOTE_SZ];
	int y;

	if (w == NULL) {
		err_set(err, ERR_FINAL, "\"%s\" needs a year", key);
		return -1;
	}
	if (*out != 0) {
		err_set(err, ERR_FINAL, "\"%s\" given twice", key);
		return -1;
	}
	if (strlen(w) != 4 || (y = digits(w, 4)) < 1583) {
		err_set(err, ERR_FINAL, "bad year %s after \"%s\": expected a "
		    "Gregorian year 1583..9999", quote(q, sizeof(q), w,
		    strlen(w)), key);
		return -1;
	}
	*out = y;
	return 0;
}

static int
rule_every(struct rule *r, const char *w, struct clerk_err *err)
{
	char q[QUOTE_SZ];
	size_t len;
	int n;

	if (w == NULL) {
		err_set(err, ERR_FINAL, "\"every\" needs a number of years");
		return -1;
	}
	if (r->every != 0) {
		err_set(err, ERR_FINAL, "\"every\" given twice");
		return -1;
	}
	len = strlen(w);
	if (len < 1 || len > 3 || (n = digits(w, (int)len)) < 1 ||
	    n > EVERY_MAX) {
		err_set(err, ERR_FINAL, "bad number %s after \"every\": expected 1..%d",
		    quote(q, sizeof(q), w, len), EVERY_MAX);
		return -1;
	}
	r->every = n;
	return 0;
}

/* WEEKDAY:+N or WEEKDAY:-N; returns 1 if w is not of that form. */
static int
rule_move(struct rule *r, const char *w, struct clerk_err *err)
{
	char q[QUOTE_SZ];
	const char *colon = strchr(w, ':');
	size_t nlen;
	int wd = 0, n;

	if (colon == NULL)
		return 1;
	nlen = (size_t)(colon - w);
	for (int i = 0; i < 7; i++)
		if (strlen(weekday_names[i]) == nlen &&
		    strncmp(w, weekday_names[i], nlen) == 0)
			wd = i + 1;
	quote(q, sizeof(q), w, strlen(w));
	if (wd == 0) {
		err_set(err, ERR_FINAL, "bad move %s: expected a weekday (monday.."
		    "sunday) before the colon", q);
		return -1;
	}
	if ((colon[1] != '+' && colon[1] != '-') || strlen(colon + 2) != 1 ||
	    (n = digits(colon + 2, 1)) < 1 || n > 7) {
		err_set(err, ERR_FINAL, "bad move %s: expected %s:+N or %s:-N with N "
		    "1..7", q, weekday_names[wd - 1], weekday_names[wd - 1]);
		return -1;
	}
	if (r->move[wd] != 0) {
		err_set(err, ERR_FINAL, "bad move %s: %s given twice", q,
		    weekday_names[wd - 1]);
		return -1;
	}
	r->move[wd] = colon[1] == '-' ? -n : n;
	return 0;
}

/* One line (without its newline) into a rule appended to h. */
static int
parse_line(struct cal_holidays *h, const char *line, size_t n,
    struct clerk_err *err)
{
	char q[QUOTE_SZ];
	struct rule r;
	const char *p = line, *end = line + n, *hash, *name, *name_end;
	char *copy = NULL, *cur, *w;
	int rc = -1, m;

	memset(&r, 0, sizeof(r));
	if (memchr(line, '\0', n) != NULL) {
		err_set(err, ERR_FINAL, "NUL byte in the line");
		goto out;
	}
	while (p < end && is_blank(*p))
		p++;
	if (p == end || *p == '#') {
		rc = 0;
		goto out;
	}
	hash = memchr(p, '#', (size_t)(end - p));
	name = hash == NULL ? end : hash + 1;
	name_end = end;
	while (name < name_end && is_blank(*name))
		name++;
	while (name_end > name && is_blank(name_end[-1]))
		name_end--;
	if (hash == NULL || name == name_end) {
		err_set(err, ERR_FINAL, "rule %s has no name: end it with \"# name\"",
		    quote(q, sizeof(q), p, (size_t)(end - p)));
		goto out;
	}
	if (h->n >= CAL_HOLIDAY_RULES_MAX) {
		err_set(err, ERR_FINAL, "more than %d rules", CAL_HOLIDAY_RULES_MAX);
		goto out;
	}
	cur = copy = xstrndup(p, (size_t)(hash - p));
	if (rule_base(&r, next_word(&cur), err) == -1)
		goto out;
	while ((w = next_word(&cur)) != NULL) {
		if (strcmp(w, "from") == 0) {
			if (rule_year("from", next_word(&cur), &r.from, err) == -1)
				goto out;
		} else if (strcmp(w, "until") == 0) {
			if (rule_year("until", next_word(&cur), &r.until,
			    err) == -1)
				goto out;
		} else if (strcmp(w, "every") == 0) {
			if (rule_every(&r, next_word(&cur), err) == -1)
				goto out;
		} else if ((m = rule_move(&r, w, err)) != 0) {
			if (m == 1)
				err_set(err, ERR_FINAL, "unknown word %s: expected "
				    "WEEKDAY:+N, WEEKDAY:-N, from YYYY, until "
				    "YYYY or every N", quote(q, sizeof(q), w,
				    strlen(w)));
			goto out;
		}
	}
	if (r.every && r.from == 0) {
		err_set(err, ERR_FINAL, "\"every %d\" needs \"from YYYY\" to count from",
		    r.every);
		goto out;
	}
	if (r.from && r.until && r.until < r.from) {
		err_set(err, ERR_FINAL, "\"until %d\" is before \"from %d\"", r.until,
		    r.from);
		goto out;
	}
	r.name = xstrndup(name, (size_t)(name_end - name));
	h->rules = xgrow(h->rules, &h->cap, h->n + 1, sizeof(h->rules[0]));
	h->rules[h->n++] = r;
	rc = 0;
out:
	free(copy);
	return rc;
}

int
cal_holidays_parse(const char *text, size_t len, const char *name_for_errors,
    struct cal_holidays **out, struct clerk_err *err)
{
	struct cal_holidays *h = xcalloc(1, sizeof(*h));
	size_t pos = 0;
	int lineno = 0, rc = -1;

	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - pos;

		pos += n + (nl != NULL);
		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (parse_line(h, line, n, err) == -1) {
			err_prefix(err, "%s:%d", name_for_errors, lineno);
			goto out;
		}
	}
	*out = h;
	h = NULL;
	rc = 0;
out:
	cal_holidays_free(h);
	return rc;
}

/* ---- deadlines --------------------------------------------------------- */

/* What cal_fixed_parse accepts. */
static int
fixed_valid(struct cal_fixed f)
{
	if (f.month < 1 || f.month > 12)
		return 0;
	/* 2001 is no leap year: 02-29 is refused, as in the parser. */
	return f.day == CAL_LAST_DAY ||
	    (f.day >= 1 && f.day <= cal_days_in_month(2001, f.month));
}

static int
amount_valid(struct cal_duration dur, const char *what, struct clerk_err *err)
{
	if (dur.amount < -CAL_AMOUNT_MAX || dur.amount > CAL_AMOUNT_MAX) {
		err_set(err, ERR_FINAL, "%s: amount %d is beyond %d", what, dur.amount,
		    CAL_AMOUNT_MAX);
		return 0;
	}
	return 1;
}

int
cal_deadline(struct cal_date start, const struct cal_spec *spec,
    int move_to_working_day, const struct cal_holidays *h,
    struct cal_date *out, struct clerk_err *err)
{
	char b[CAL_DATE_BUFSZ];
	struct cal_date d;

	if (!cal_date_valid(start)) {
		err_set(err, ERR_FINAL, "deadline: start %s is not a valid date",
		    cal_date_format(start, b));
		return -1;
	}
	switch (spec->kind) {
	case CAL_SPEC_DURATION:
		if (!amount_valid(spec->dur, "deadline", err))
			return -1;
		if (spec->dur.amount < 0) {
			err_set(err, ERR_FINAL, "deadline: %d%c lies before its start; "
			    "a negative duration is a lead time",
			    spec->dur.amount, unit_letter(spec->dur.unit));
			return -1;
		}
		d = cal_add_duration(start, spec->dur);
		break;
	case CAL_SPEC_FIXED:
		if (!fixed_valid(spec->fixed)) {
			err_set(err, ERR_FINAL, "deadline: fixed date %02d-%02d does "
			    "not exist", spec->fixed.month, spec->fixed.day);
			return -1;
		}
		d = cal_next_fixed(start, spec->fixed.month, spec->fixed.day, 0);
		break;
	default:
		err_set(err, ERR_FINAL, "deadline: unknown kind %d", (int)spec->kind);
		return -1;
	}
	if (move_to_working_day)
		d = cal_next_working_day(d, h);
	if (!cal_date_valid(d)) {
		err_set(err, ERR_FINAL, "deadline from %s falls outside the years "
		    "%d..%d", cal_date_format(start, b), CAL_YEAR_MIN,
		    CAL_YEAR_MAX);
		return -1;
	}
	*out = d;
	return 0;
}

int
cal_lead(struct cal_date deadline, struct cal_duration lead,
    struct cal_date *out, struct clerk_err *err)
{
	char b[CAL_DATE_BUFSZ];
	struct cal_date d;

	if (!cal_date_valid(deadline)) {
		err_set(err, ERR_FINAL, "lead: deadline %s is not a valid date",
		    cal_date_format(deadline, b));
		return -1;
	}
	if (!amount_valid(lead, "lead", err))
		return -1;
	lead.amount = -abs(lead.amount);
	d = cal_add_duration(deadline, lead);
	if (!cal_date_valid(d)) {
		err_set(err, ERR_FINAL, "lead %d%c before %s falls outside the years "
		    "%d..%d", -lead.amount, unit_letter(lead.unit),
		    cal_date_format(deadline, b), CAL_YEAR_MIN, CAL_YEAR_MAX);
		return -1;
	}
	*out = d;
	return 0;
}
