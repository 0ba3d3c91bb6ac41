/* Unit tests of the calendar: dates, month ends, durations, fixed dates,
 * Easter, the holiday files in workflows/calendars/ against the published
 * calendars 2026-2030, working days and deadlines. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "error.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif

#define D(y, m, d)	((struct cal_date){ (y), (m), (d) })

/* Compares as text so that a failure shows both dates. */
#define ck_date_eq(got, want) do {					\
	char b_[CAL_DATE_BUFSZ];					\
	ck_assert_str_eq(cal_date_format((got), b_), (want));		\
} while (0)

static const char *
srcdir(void)
{
	const char *s = getenv("CLERK_SRCDIR");

	return s != NULL && *s != '\0' ? s : TEST_SRCDIR;
}

/* A holiday file from workflows/calendars/, parsed; fails loudly when
 * the file is missing or bad. */
static struct cal_holidays *
load_calendar(const char *file)
{
	struct buf text = BUF_INIT;
	struct clerk_err err;
	struct cal_holidays *h = NULL;
	char path[1024], chunk[4096];
	size_t n;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/workflows/calendars/%s", srcdir(), file);
	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "cannot open %s (CLERK_SRCDIR=%s)", path,
	    srcdir());
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&text, chunk, n);
	ck_assert_int_eq(ferror(fp), 0);
	fclose(fp);
	err_clear(&err);
	ck_assert_msg(cal_holidays_parse(buf_str(&text), text.len, file, &h,
	    &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(h);
	buf_free(&text);
	return h;
}

static struct cal_holidays *
parse_rules(const char *text)
{
	struct clerk_err err;
	struct cal_holidays *h = NULL;

	err_clear(&err);
	ck_assert_msg(cal_holidays_parse(text, strlen(text), "test", &h,
	    &err) == 0, "%s", err.msg);
	return h;
}

/* "MM-DD MM-DD ..." of every day of `year` that h calls a holiday. */
static void
holiday_list(const struct cal_holidays *h, int year, struct buf *out)
{
	buf_reset(out);
	for (struct cal_date d = D(year, 1, 1); d.year == year;
	    d = cal_add_days(d, 1))
		if (cal_is_holiday(d, h))
			buf_printf(out, "%s%02d-%02d", out->len ? " " : "",
			    d.month, d.day);
}

/* ---- dates ------------------------------------------------------------ */

START_TEST(leap_years_and_month_lengths)
{
	ck_assert_int_eq(cal_is_leap(1900), 0);
	ck_assert_int_eq(cal_is_leap(2000), 1);
	ck_assert_int_eq(cal_is_leap(2024), 1);
	ck_assert_int_eq(cal_is_leap(2026), 0);
	ck_assert_int_eq(cal_is_leap(2028), 1);
	ck_assert_int_eq(cal_is_leap(2100), 0);
	ck_assert_int_eq(cal_days_in_month(1900, 2), 28);
	ck_assert_int_eq(cal_days_in_month(2000, 2), 29);
	ck_assert_int_eq(cal_days_in_month(2024, 2), 29);
	ck_assert_int_eq(cal_days_in_month(2026, 2), 28);
	ck_assert_int_eq(cal_days_in_month(2028, 2), 29);
	ck_assert_int_eq(cal_days_in_month(2026, 4), 30);
	ck_assert_int_eq(cal_days_in_month(2026, 12), 31);
	ck_assert_int_eq(cal_days_in_month(2026, 0), 0);
	ck_assert_int_eq(cal_days_in_month(2026, 13), 0);
}
END_TEST

START_TEST(validity_and_order)
{
	ck_assert(cal_date_valid(D(1900, 1, 1)));
	ck_assert(cal_date_valid(D(9999, 12, 31)));
	ck_assert(cal_date_valid(D(2028, 2, 29)));
	ck_assert(!cal_date_valid(D(1899, 12, 31)));
	ck_assert(!cal_date_valid(D(10000, 1, 1)));
	ck_assert(!cal_date_valid(D(2026, 2, 29)));
	ck_assert(!cal_date_valid(D(2026, 4, 31)));
	ck_assert(!cal_date_valid(D(2026, 0, 1)));
	ck_assert(!cal_date_valid(D(2026, 13, 1)));
	ck_assert(!cal_date_valid(D(2026, 1, 0)));
	ck_assert(cal_datetime_valid((struct cal_datetime){ D(2026, 1, 1), 23, 59, 59 }));
	ck_assert(!cal_datetime_valid((struct cal_datetime){ D(2026, 1, 1), 24, 0, 0 }));
	ck_assert(!cal_datetime_valid((struct cal_datetime){ D(2026, 1, 1), 0, 60, 0 }));
	ck_assert(!cal_datetime_valid((struct cal_datetime){ D(2026, 2, 30), 0, 0, 0 }));

	ck_assert_int_eq(cal_date_cmp(D(2026, 1, 31), D(2026, 2, 1)), -1);
	ck_assert_int_eq(cal_date_cmp(D(2027, 1, 1), D(2026, 12, 31)), 1);
	ck_assert_int_eq(cal_date_cmp(D(2026, 5, 17), D(2026, 5, 17)), 0);
	ck_assert_int_eq(cal_datetime_cmp(
	    (struct cal_datetime){ D(2026, 5, 17), 10, 0, 0 },
	    (struct cal_datetime){ D(2026, 5, 17), 9, 59, 59 }), 1);
	ck_assert_int_eq(cal_datetime_cmp(
	    (struct cal_datetime){ D(2026, 5, 16), 23, 0, 0 },
	    (struct cal_datetime){ D(2026, 5, 17), 0, 0, 0 }), -1);
}
END_TEST

START_TEST(day_numbers_and_differences)
{
	ck_assert_int_eq(cal_date_to_days(D(1970, 1, 1)), 0);
	ck_assert_int_eq(cal_date_to_days(D(2026, 1, 1)), 20454);
	ck_assert_int_eq(cal_date_to_days(D(1900, 1, 1)), -25567);
	ck_date_eq(cal_date_from_days(20454), "2026-01-01");
	ck_date_eq(cal_date_from_days(-25567), "1900-01-01");
	ck_date_eq(cal_date_from_days(0), "1970-01-01");
	ck_date_eq(cal_date_from_days(-1), "1969-12-31");

	ck_assert_int_eq(cal_days_between(D(2025, 12, 31), D(2026, 1, 1)), 1);
	ck_assert_int_eq(cal_days_between(D(2024, 1, 1), D(2025, 1, 1)), 366);
	ck_assert_int_eq(cal_days_between(D(2026, 1, 1), D(2027, 1, 1)), 365);
	ck_assert_int_eq(cal_days_between(D(2026, 5, 17), D(2025, 5, 17)), -365);
	ck_assert_int_eq(cal_days_between(D(2024, 2, 28), D(2024, 3, 1)), 2);
	ck_assert_int_eq(cal_days_between(D(2023, 2, 28), D(2023, 3, 1)), 1);
	ck_assert_int_eq(cal_days_between(D(1900, 1, 1), D(2000, 1, 1)), 36524);
	ck_assert_int_eq(cal_days_between(D(2000, 1, 1), D(2100, 1, 1)), 36525);
	ck_assert_int_eq(cal_days_between(D(2026, 3, 19), D(2026, 4, 2)), 14);
}
END_TEST

/* Every day of the valid range: consecutive, real, and converting back. */
START_TEST(day_numbers_round_trip_whole_range)
{
	long first = cal_date_to_days(D(CAL_YEAR_MIN, 1, 1));
	long last = cal_date_to_days(D(CAL_YEAR_MAX, 12, 31));
	struct cal_date prev = cal_date_from_days(first);
	int wd = cal_weekday(prev);

	ck_date_eq(prev, "1900-01-01");
	for (long n = first + 1; n <= last; n++) {
		struct cal_date d = cal_date_from_days(n);

		if (!cal_date_valid(d) || cal_date_to_days(d) != n ||
		    cal_date_cmp(prev, d) >= 0 || cal_weekday(d) != wd % 7 + 1)
			ck_abort_msg("day %ld: %d-%d-%d", n, d.year, d.month,
			    d.day);
		prev = d;
		wd = cal_weekday(d);
	}
	ck_date_eq(prev, "9999-12-31");
}
END_TEST

START_TEST(weekdays_of_known_dates)
{
	ck_assert_int_eq(cal_weekday(D(1970, 1, 1)), 4);
	ck_assert_int_eq(cal_weekday(D(1900, 1, 1)), 1);
	ck_assert_int_eq(cal_weekday(D(2000, 1, 1)), 6);
	ck_assert_int_eq(cal_weekday(D(2024, 2, 29)), 4);
	ck_assert_int_eq(cal_weekday(D(2026, 1, 1)), 4);
	ck_assert_int_eq(cal_weekday(D(2026, 5, 17)), 7);
	ck_assert_int_eq(cal_weekday(D(2025, 4, 27)), 7);
	ck_assert_int_eq(cal_weekday(D(2026, 3, 7)), 6);
	ck_assert_int_eq(cal_weekday(D(9999, 12, 31)), 5);
}
END_TEST

START_TEST(format_and_parse)
{
	struct cal_date d;
	struct cal_datetime t;
	struct clerk_err err;
	char b[CAL_DATE_BUFSZ], bt[CAL_DATETIME_BUFSZ];

	ck_assert_int_eq(cal_date_parse("2026-02-28", &d, &err), 0);
	ck_date_eq(d, "2026-02-28");
	ck_assert_int_eq(cal_date_parse("2028-02-29", &d, &err), 0);
	ck_date_eq(d, "2028-02-29");
	ck_assert_int_eq(cal_date_parse("1900-01-01", &d, &err), 0);
	ck_assert_int_eq(cal_date_parse("9999-12-31", &d, &err), 0);

	ck_assert_int_eq(cal_datetime_parse("2026-03-01T09:05", &t, &err), 0);
	ck_assert_str_eq(cal_datetime_format(t, bt), "2026-03-01T09:05:00");
	ck_assert_int_eq(cal_datetime_parse("2026-12-31T23:59:59", &t, &err), 0);
	ck_assert_str_eq(cal_datetime_format(t, bt), "2026-12-31T23:59:59");
	ck_assert_int_eq(t.hour, 23);
	ck_assert_int_eq(t.second, 59);

	ck_assert_str_eq(cal_date_format(D(1900, 1, 2), b), "1900-01-02");
	ck_assert_str_eq(cal_date_format(D(-5, 1, 1), b), "XXXX-XX-XX");
}
END_TEST

START_TEST(parse_errors_name_the_text)
{
	struct cal_date d = D(2000, 1, 1);
	struct cal_datetime t;
	struct clerk_err err;

	ck_assert_int_eq(cal_date_parse("2026-13-01", &d, &err), -1);
	ck_assert_str_eq(err.msg,
	    "bad date \"2026-13-01\": month 13 does not exist");
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_int_eq(cal_date_parse("2026-02-30", &d, &err), -1);
	ck_assert_str_eq(err.msg,
	    "bad date \"2026-02-30\": February 2026 has 28 days, not day 30");
	ck_assert_int_eq(cal_date_parse("2026-02-29", &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "February 2026 has 28 days"));
	ck_assert_int_eq(cal_date_parse("2026-04-00", &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not day 00"));
	ck_assert_int_eq(cal_date_parse("garbage", &d, &err), -1);
	ck_assert_str_eq(err.msg, "bad date \"garbage\": expected YYYY-MM-DD");
	ck_assert_int_eq(cal_date_parse("1899-12-31", &d, &err), -1);
	ck_assert_str_eq(err.msg,
	    "bad date \"1899-12-31\": year 1899 is outside 1900..9999");

	static const char *const bad_dates[] = {
		"", "2026-1-01", "2026-01-1", "26-01-01", " 2026-01-01",
		"2026-01-01 ", "2026/01/01", "2026-01-01T10:00", "+026-01-01",
		"2026-0x-01", "20260101",
	};
	for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
		ck_assert_msg(cal_date_parse(bad_dates[i], &d, &err) == -1,
		    "accepted \"%s\"", bad_dates[i]);
		ck_assert_ptr_nonnull(strstr(err.msg, "expected YYYY-MM-DD"));
	}
	ck_date_eq(d, "2000-01-01");	/* untouched by failures */

	/* Control bytes never reach a message raw. */
	ck_assert_int_eq(cal_date_parse("2026\n01-01", &d, &err), -1);
	ck_assert_str_eq(err.msg,
	    "bad date \"2026\\x0a01-01\": expected YYYY-MM-DD");

	static const char *const bad_times[] = {
		"2026-01-01", "2026-01-01 10:00", "2026-01-01T10", "2026-01-01T1:00",
		"2026-01-01T10:00:", "2026-01-01T10:00:5", "2026-01-01T10:00Z",
		"2026-01-01T10:00:00+01:00",
	};
	for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
		ck_assert_msg(cal_datetime_parse(bad_times[i], &t, &err) == -1,
		    "accepted \"%s\"", bad_times[i]);
		ck_assert_ptr_nonnull(strstr(err.msg, "expected YYYY-MM-DDTHH:MM"));
		ck_assert_ptr_nonnull(strstr(err.msg, bad_times[i]));
	}
	ck_assert_int_eq(cal_datetime_parse("2026-01-01T24:00", &t, &err), -1);
	ck_assert_str_eq(err.msg, "bad date-time \"2026-01-01T24:00\": time "
	    "24:00:00 does not exist");
	ck_assert_int_eq(cal_datetime_parse("2026-01-01T10:60", &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "10:60:00 does not exist"));
	ck_assert_int_eq(cal_datetime_parse("2026-01-01T10:00:60", &t, &err), -1);
	ck_assert_int_eq(cal_datetime_parse("2026-02-30T10:00", &t, &err), -1);
	ck_assert_str_eq(err.msg, "bad date-time \"2026-02-30T10:00\": "
	    "February 2026 has 28 days, not day 30");
}
END_TEST

/* ---- arithmetic -------------------------------------------------------- */

START_TEST(month_ends)
{
	ck_date_eq(cal_add_months(D(2026, 1, 31), 1), "2026-02-28");
	ck_date_eq(cal_add_months(D(2028, 1, 31), 1), "2028-02-29");
	ck_date_eq(cal_add_months(D(2026, 1, 30), 1), "2026-02-28");
	ck_date_eq(cal_add_months(D(2028, 1, 30), 1), "2028-02-29");
	ck_date_eq(cal_add_months(D(2026, 1, 29), 1), "2026-02-28");
	ck_date_eq(cal_add_months(D(2026, 1, 28), 1), "2026-02-28");
	ck_date_eq(cal_add_months(D(2026, 3, 31), -1), "2026-02-28");
	ck_date_eq(cal_add_months(D(2028, 3, 31), -1), "2028-02-29");
	ck_date_eq(cal_add_months(D(2026, 12, 31), 2), "2027-02-28");
	ck_date_eq(cal_add_months(D(2027, 12, 31), 2), "2028-02-29");
	ck_date_eq(cal_add_months(D(2026, 5, 31), 1), "2026-06-30");
	ck_date_eq(cal_add_months(D(2026, 1, 31), 2), "2026-03-31");
	/* Not associative: one month twice loses the 31st. */
	ck_date_eq(cal_add_months(cal_add_months(D(2026, 1, 31), 1), 1),
	    "2026-03-28");
	ck_date_eq(cal_add_months(D(2026, 1, 15), -1), "2025-12-15");
	ck_date_eq(cal_add_months(D(2026, 1, 15), -13), "2024-12-15");
	ck_date_eq(cal_add_months(D(2026, 11, 30), 14), "2028-01-30");
	ck_date_eq(cal_add_months(D(2026, 8, 31), 0), "2026-08-31");
}
END_TEST

START_TEST(days_weeks_years)
{
	ck_date_eq(cal_add_days(D(2026, 12, 25), 14), "2027-01-08");
	ck_date_eq(cal_add_days(D(2028, 2, 28), 1), "2028-02-29");
	ck_date_eq(cal_add_days(D(2026, 2, 28), 1), "2026-03-01");
	ck_date_eq(cal_add_days(D(2026, 3, 1), -1), "2026-02-28");
	ck_date_eq(cal_add_days(D(2026, 1, 1), -1), "2025-12-31");
	ck_date_eq(cal_add_days(D(2026, 1, 1), 365), "2027-01-01");
	ck_date_eq(cal_add_days(D(2028, 1, 1), 365), "2028-12-31");
	ck_date_eq(cal_add_weeks(D(2026, 12, 28), 2), "2027-01-11");
	ck_date_eq(cal_add_weeks(D(2026, 4, 30), -6), "2026-03-19");
	ck_date_eq(cal_add_years(D(2028, 2, 29), 1), "2029-02-28");
	ck_date_eq(cal_add_years(D(2028, 2, 29), 4), "2032-02-29");
	ck_date_eq(cal_add_years(D(2024, 2, 29), -1), "2023-02-28");
	ck_date_eq(cal_add_years(D(2000, 2, 29), 100), "2100-02-28");
	ck_date_eq(cal_add_years(D(2026, 7, 1), 3), "2029-07-01");
	/* Arithmetic may leave the valid years; callers check. */
	ck_assert(!cal_date_valid(cal_add_days(D(9999, 12, 31), 1)));
	ck_assert(!cal_date_valid(cal_add_years(D(1900, 6, 1), -1)));
}
END_TEST

/* ---- durations --------------------------------------------------------- */

START_TEST(duration_parse_accepts)
{
	static const struct {
		const char	*text;
		int		 amount;
		enum cal_unit	 unit;
	} ok[] = {
		{ "14d", 14, CAL_DAYS }, { "2w", 2, CAL_WEEKS },
		{ "2m", 2, CAL_MONTHS }, { "3y", 3, CAL_YEARS },
		{ "-7d", -7, CAL_DAYS }, { "+5d", 5, CAL_DAYS },
		{ "30 days", 30, CAL_DAYS }, { "2 months", 2, CAL_MONTHS },
		{ "1 year", 1, CAL_YEARS }, { "12 weeks", 12, CAL_WEEKS },
		{ "1 day", 1, CAL_DAYS }, { "1 week", 1, CAL_WEEKS },
		{ "1 month", 1, CAL_MONTHS }, { "3 years", 3, CAL_YEARS },
		{ "-2 months", -2, CAL_MONTHS }, { "0d", 0, CAL_DAYS },
		{ "007d", 7, CAL_DAYS }, { "100000d", 100000, CAL_DAYS },
		{ "6  weeks", 6, CAL_WEEKS },
	};
	struct cal_duration dur;
	struct clerk_err err;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		err_clear(&err);
		ck_assert_msg(cal_duration_parse(ok[i].text, &dur, &err) == 0,
		    "%s: %s", ok[i].text, err.msg);
		ck_assert_int_eq(dur.amount, ok[i].amount);
		ck_assert_int_eq(dur.unit, ok[i].unit);
	}
	ck_assert_int_eq(cal_duration_parse("2 months", &dur, &err), 0);
	ck_date_eq(cal_add_duration(D(2026, 1, 31), dur), "2026-03-31");
	ck_assert_int_eq(cal_duration_parse("14d", &dur, &err), 0);
	ck_date_eq(cal_add_duration(D(2026, 12, 20), dur), "2027-01-03");
	ck_assert_int_eq(cal_duration_parse("2w", &dur, &err), 0);
	ck_date_eq(cal_add_duration(D(2026, 2, 20), dur), "2026-03-06");
	ck_assert_int_eq(cal_duration_parse("1 year", &dur, &err), 0);
	ck_date_eq(cal_add_duration(D(2028, 2, 29), dur), "2029-02-28");
	ck_assert_int_eq(cal_duration_parse("-7d", &dur, &err), 0);
	ck_date_eq(cal_add_duration(D(2026, 3, 3), dur), "2026-02-24");
}
END_TEST

START_TEST(duration_parse_errors)
{
	static const struct {
		const char	*text;
		const char	*msg;
	} bad[] = {
		{ "", "bad duration \"\": expected a number and a unit, like 14d "
		    "or 2 months" },
		{ "d", "bad duration \"d\": expected a number and a unit" },
		{ "-d", "bad duration \"-d\": expected a number" },
		{ "--7d", "bad duration \"--7d\": expected a number" },
		{ " 14d", "bad duration \" 14d\": expected a number" },
		{ "14", "bad duration \"14\": no unit after the number" },
		{ "14 ", "bad duration \"14 \": no unit after the number" },
		{ "14x", "bad duration \"14x\": unknown unit \"x\"" },
		{ "14 dayz", "bad duration \"14 dayz\": unknown unit \"dayz\"" },
		{ "14d ", "bad duration \"14d \": unknown unit \"d \"" },
		{ "14D", "bad duration \"14D\": unknown unit \"D\"" },
		{ "1.5d", "bad duration \"1.5d\": unknown unit \".5d\"" },
		{ "2 fortnights", "unknown unit \"fortnights\"" },
		{ "100001d", "bad duration \"100001d\": more than 100000" },
		{ "99999999999999999999d", "more than 100000" },
		{ "soon", "bad duration \"soon\": expected a number" },
	};
	struct cal_duration dur = { 99, CAL_YEARS };
	struct clerk_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		ck_assert_msg(cal_duration_parse(bad[i].text, &dur, &err) == -1,
		    "accepted \"%s\"", bad[i].text);
		ck_assert_msg(strstr(err.msg, bad[i].msg) != NULL,
		    "\"%s\": message \"%s\"", bad[i].text, err.msg);
	}
	ck_assert_int_eq(dur.amount, 99);
}
END_TEST

/* ---- fixed dates ------------------------------------------------------- */

START_TEST(fixed_dates)
{
	struct cal_fixed f;
	struct clerk_err err;

	ck_assert_int_eq(cal_fixed_parse("02-01", &f, &err), 0);
	ck_assert_int_eq(f.month, 2);
	ck_assert_int_eq(f.day, 1);
	ck_assert_int_eq(cal_fixed_parse("07-01", &f, &err), 0);
	ck_assert_int_eq(cal_fixed_parse("01-01", &f, &err), 0);
	ck_assert_int_eq(cal_fixed_parse("12-31", &f, &err), 0);
	ck_assert_int_eq(cal_fixed_parse("04-last", &f, &err), 0);
	ck_assert_int_eq(f.month, 4);
	ck_assert_int_eq(f.day, CAL_LAST_DAY);

	ck_date_eq(cal_next_fixed(D(2026, 2, 1), 2, 1, 1), "2026-02-01");
	ck_date_eq(cal_next_fixed(D(2026, 2, 1), 2, 1, 0), "2027-02-01");
	ck_date_eq(cal_next_fixed(D(2026, 1, 31), 2, 1, 0), "2026-02-01");
	ck_date_eq(cal_next_fixed(D(2026, 4, 15), 2, 1, 0), "2027-02-01");
	ck_date_eq(cal_next_fixed(D(2026, 6, 30), 7, 1, 0), "2026-07-01");
	ck_date_eq(cal_next_fixed(D(2026, 7, 1), 7, 1, 0), "2027-07-01");
	ck_date_eq(cal_next_fixed(D(2026, 12, 31), 1, 1, 0), "2027-01-01");
	ck_date_eq(cal_next_fixed(D(2026, 1, 1), 1, 1, 0), "2027-01-01");
	ck_date_eq(cal_next_fixed(D(2026, 1, 1), 1, 1, 1), "2026-01-01");
	ck_date_eq(cal_next_fixed(D(2026, 5, 10), 4, CAL_LAST_DAY, 0),
	    "2027-04-30");
	ck_date_eq(cal_next_fixed(D(2026, 4, 30), 4, CAL_LAST_DAY, 1),
	    "2026-04-30");
	ck_date_eq(cal_next_fixed(D(2026, 4, 30), 4, CAL_LAST_DAY, 0),
	    "2027-04-30");
	ck_date_eq(cal_next_fixed(D(2026, 4, 29), 4, CAL_LAST_DAY, 0),
	    "2026-04-30");
	ck_date_eq(cal_next_fixed(D(2027, 3, 1), 2, CAL_LAST_DAY, 0),
	    "2028-02-29");
	ck_date_eq(cal_next_fixed(D(2026, 2, 10), 2, CAL_LAST_DAY, 0),
	    "2026-02-28");
}
END_TEST

START_TEST(fixed_date_errors)
{
	static const struct {
		const char	*text;
		const char	*msg;
	} bad[] = {
		{ "13-01", "bad fixed date \"13-01\": month 13 does not exist" },
		{ "00-10", "month 00 does not exist" },
		{ "00-last", "bad fixed date \"00-last\": month 00 does not exist" },
		{ "02-30", "bad fixed date \"02-30\": February has no day 30" },
		{ "04-31", "April has no day 31" },
		{ "04-00", "April has no day 00" },
		{ "02-29", "bad fixed date \"02-29\": 29 February does not occur "
		    "every year" },
		{ "4-30", "bad fixed date \"4-30\": expected MM-DD or MM-last" },
		{ "04-3", "expected MM-DD or MM-last" },
		{ "04-lastx", "expected MM-DD or MM-last" },
		{ "04-Last", "expected MM-DD or MM-last" },
		{ "04-30 ", "expected MM-DD or MM-last" },
		{ "", "expected MM-DD or MM-last" },
	};
	struct cal_fixed f;
	struct clerk_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		ck_assert_msg(cal_fixed_parse(bad[i].text, &f, &err) == -1,
		    "accepted \"%s\"", bad[i].text);
		ck_assert_msg(strstr(err.msg, bad[i].msg) != NULL,
		    "\"%s\": message \"%s\"", bad[i].text, err.msg);
	}
}
END_TEST

START_TEST(spec_parse)
{
	struct cal_spec spec;
	struct clerk_err err;

	ck_assert_int_eq(cal_spec_parse("14d", &spec, &err), 0);
	ck_assert_int_eq(spec.kind, CAL_SPEC_DURATION);
	ck_assert_int_eq(spec.dur.amount, 14);
	ck_assert_int_eq(spec.dur.unit, CAL_DAYS);
	ck_assert_int_eq(cal_spec_parse("2 months", &spec, &err), 0);
	ck_assert_int_eq(spec.kind, CAL_SPEC_DURATION);
	ck_assert_int_eq(spec.dur.unit, CAL_MONTHS);
	ck_assert_int_eq(cal_spec_parse("-7d", &spec, &err), 0);
	ck_assert_int_eq(spec.dur.amount, -7);
	ck_assert_int_eq(cal_spec_parse("04-last", &spec, &err), 0);
	ck_assert_int_eq(spec.kind, CAL_SPEC_FIXED);
	ck_assert_int_eq(spec.fixed.month, 4);
	ck_assert_int_eq(spec.fixed.day, CAL_LAST_DAY);
	ck_assert_int_eq(cal_spec_parse("02-01", &spec, &err), 0);
	ck_assert_int_eq(spec.kind, CAL_SPEC_FIXED);
	ck_assert_int_eq(spec.fixed.day, 1);

	ck_assert_int_eq(cal_spec_parse("soon", &spec, &err), -1);
	ck_assert_str_eq(err.msg, "bad deadline \"soon\": expected a duration "
	    "(14d, 2 months) or a fixed date (02-01, 04-last)");
	ck_assert_int_eq(cal_spec_parse("", &spec, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "bad deadline \"\""));
	ck_assert_int_eq(cal_spec_parse("02-30", &spec, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "February has no day 30"));
	ck_assert_int_eq(cal_spec_parse("14 fortnights", &spec, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown unit \"fortnights\""));
	ck_assert_int_eq(cal_spec_parse("1", &spec, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no unit"));
}
END_TEST

/* ---- Easter and holidays ----------------------------------------------- */

START_TEST(easter_published_dates)
{
	ck_date_eq(cal_easter(2019), "2019-04-21");
	ck_date_eq(cal_easter(2024), "2024-03-31");
	ck_date_eq(cal_easter(2025), "2025-04-20");
	ck_date_eq(cal_easter(2026), "2026-04-05");
	ck_date_eq(cal_easter(2027), "2027-03-28");
	ck_date_eq(cal_easter(2028), "2028-04-16");
	ck_date_eq(cal_easter(2029), "2029-04-01");
	ck_date_eq(cal_easter(2030), "2030-04-21");
	/* The corrections for the epacts 24 and 25. */
	ck_date_eq(cal_easter(1954), "1954-04-18");
	ck_date_eq(cal_easter(1981), "1981-04-19");
	ck_date_eq(cal_easter(2049), "2049-04-18");
	ck_date_eq(cal_easter(2076), "2076-04-19");
	/* The extremes: 22 March and 25 April. */
	ck_date_eq(cal_easter(2285), "2285-03-22");
	ck_date_eq(cal_easter(2038), "2038-04-25");
	ck_date_eq(cal_easter(1943), "1943-04-25");
}
END_TEST

START_TEST(easter_always_a_sunday_in_its_window)
{
	for (int y = 1583; y <= CAL_YEAR_MAX; y++) {
		struct cal_date e = cal_easter(y);

		ck_assert_int_eq(e.year, y);
		ck_assert_int_eq(cal_weekday(e), 7);
		ck_assert(cal_date_cmp(e, D(y, 3, 22)) >= 0);
		ck_assert(cal_date_cmp(e, D(y, 4, 25)) <= 0);
	}
}
END_TEST

/* The published public holidays, worked out by hand from the Easter dates
 * above (Maundy Thursday -3, Good Friday -2, Easter Monday +1, Great
 * Prayer Day +26, Ascension +39, Whit Sunday +49, Whit Monday +50).
 * King's Day 27 April falls on a Sunday in none of 2026-2030 (Mon, Tue,
 * Thu, Fri, Sat); Liberation Day is a day off in 2030 only. NO 2027: Whit
 * Monday is 17 May. */
static const struct {
	const char	*file;
	int		 year;
	const char	*days;
} published[] = {
	{ "no.holidays", 2026, "01-01 04-02 04-03 04-05 04-06 05-01 05-14 "
	    "05-17 05-24 05-25 12-25 12-26" },
	{ "no.holidays", 2027, "01-01 03-25 03-26 03-28 03-29 05-01 05-06 "
	    "05-16 05-17 12-25 12-26" },
	{ "no.holidays", 2028, "01-01 04-13 04-14 04-16 04-17 05-01 05-17 "
	    "05-25 06-04 06-05 12-25 12-26" },
	{ "no.holidays", 2029, "01-01 03-29 03-30 04-01 04-02 05-01 05-10 "
	    "05-17 05-20 05-21 12-25 12-26" },
	{ "no.holidays", 2030, "01-01 04-18 04-19 04-21 04-22 05-01 05-17 "
	    "05-30 06-09 06-10 12-25 12-26" },
	{ "dk.holidays", 2026, "01-01 04-02 04-03 04-05 04-06 05-14 05-24 "
	    "05-25 12-25 12-26" },
	{ "dk.holidays", 2027, "01-01 03-25 03-26 03-28 03-29 05-06 05-16 "
	    "05-17 12-25 12-26" },
	{ "dk.holidays", 2028, "01-01 04-13 04-14 04-16 04-17 05-25 06-04 "
	    "06-05 12-25 12-26" },
	{ "dk.holidays", 2029, "01-01 03-29 03-30 04-01 04-02 05-10 05-20 "
	    "05-21 12-25 12-26" },
	{ "dk.holidays", 2030, "01-01 04-18 04-19 04-21 04-22 05-30 06-09 "
	    "06-10 12-25 12-26" },
	{ "nl.holidays", 2026, "01-01 04-05 04-06 04-27 05-14 05-24 05-25 "
	    "12-25 12-26" },
	{ "nl.holidays", 2027, "01-01 03-28 03-29 04-27 05-06 05-16 05-17 "
	    "12-25 12-26" },
	{ "nl.holidays", 2028, "01-01 04-16 04-17 04-27 05-25 06-04 06-05 "
	    "12-25 12-26" },
	{ "nl.holidays", 2029, "01-01 04-01 04-02 04-27 05-10 05-20 05-21 "
	    "12-25 12-26" },
	{ "nl.holidays", 2030, "01-01 04-21 04-22 04-27 05-05 05-30 06-09 "
	    "06-10 12-25 12-26" },
	/* The year-bound rules around their edges. */
	{ "dk.holidays", 2023, "01-01 04-06 04-07 04-09 04-10 05-05 05-18 "
	    "05-28 05-29 12-25 12-26" },
	{ "dk.holidays", 2024, "01-01 03-28 03-29 03-31 04-01 05-09 05-19 "
	    "05-20 12-25 12-26" },
	{ "nl.holidays", 2025, "01-01 04-20 04-21 04-26 05-05 05-29 06-08 "
	    "06-09 12-25 12-26" },
	{ "nl.holidays", 2031, "01-01 04-13 04-14 04-26 05-22 06-01 06-02 "
	    "12-25 12-26" },
};

START_TEST(holiday_files_match_published_calendars)
{
	struct cal_holidays *h = load_calendar(published[_i].file);
	struct buf got = BUF_INIT;

	holiday_list(h, published[_i].year, &got);
	ck_assert_msg(strcmp(buf_str(&got), published[_i].days) == 0,
	    "%s %d: got %s, want %s", published[_i].file, published[_i].year,
	    buf_str(&got), published[_i].days);
	buf_free(&got);
	cal_holidays_free(h);
}
END_TEST

START_TEST(holiday_names)
{
	struct cal_holidays *no = load_calendar("no.holidays");
	struct cal_holidays *nl = load_calendar("nl.holidays");

	ck_assert_str_eq(cal_holiday_name(D(2026, 5, 17), no),
	    "Grunnlovsdag (Constitution Day)");
	/* Two holidays on one day: the first rule in the file names it. */
	ck_assert_str_eq(cal_holiday_name(D(2027, 5, 17), no),
	    "Grunnlovsdag (Constitution Day)");
	ck_assert_str_eq(cal_holiday_name(D(2026, 4, 2), no),
	    "Skjærtorsdag (Maundy Thursday)");
	ck_assert_str_eq(cal_holiday_name(D(2025, 4, 26), nl),
	    "Koningsdag (King's Day)");
	ck_assert_ptr_null(cal_holiday_name(D(2025, 4, 27), nl));
	ck_assert_ptr_null(cal_holiday_name(D(2026, 3, 7), no));
	ck_assert_ptr_null(cal_holiday_name(D(2026, 1, 1), NULL));
	cal_holidays_free(no);
	cal_holidays_free(nl);
}
END_TEST

START_TEST(working_days)
{
	struct cal_holidays *no = load_calendar("no.holidays");
	struct cal_holidays *dk = load_calendar("dk.holidays");
	struct cal_holidays *nl = load_calendar("nl.holidays");

	ck_assert(cal_is_working_day(D(2026, 3, 9), no));
	ck_assert(!cal_is_working_day(D(2026, 3, 7), no));	/* Saturday */
	ck_assert(!cal_is_working_day(D(2026, 3, 8), NULL));	/* Sunday */
	ck_assert(!cal_is_working_day(D(2026, 4, 2), no));
	ck_assert(cal_is_working_day(D(2026, 4, 2), nl));
	ck_assert(cal_is_working_day(D(2026, 4, 2), NULL));

	/* Saturday to Monday. */
	ck_date_eq(cal_next_working_day(D(2026, 3, 7), no), "2026-03-09");
	ck_date_eq(cal_next_working_day(D(2026, 3, 7), NULL), "2026-03-09");
	/* A working day stays. */
	ck_date_eq(cal_next_working_day(D(2026, 3, 10), no), "2026-03-10");
	/* Maundy Thursday in Norway: past Easter Monday to Tuesday. */
	ck_date_eq(cal_next_working_day(D(2026, 4, 2), no), "2026-04-07");
	ck_date_eq(cal_next_working_day(D(2026, 4, 2), nl), "2026-04-02");
	ck_date_eq(cal_next_working_day(D(2026, 4, 3), nl), "2026-04-03");
	ck_date_eq(cal_next_working_day(D(2026, 4, 4), nl), "2026-04-07");
	/* 17 May 2026 is a Sunday. */
	ck_date_eq(cal_next_working_day(D(2026, 5, 17), no), "2026-05-18");
	/* Whitsun weekend. */
	ck_date_eq(cal_next_working_day(D(2026, 5, 23), no), "2026-05-26");
	ck_date_eq(cal_next_working_day(D(2026, 12, 25), no), "2026-12-28");
	ck_date_eq(cal_next_working_day(D(2026, 12, 31), no), "2026-12-31");
	ck_date_eq(cal_next_working_day(D(2027, 1, 1), no), "2027-01-04");
	/* Great Prayer Day: a Friday off in 2023, a working day in 2024. */
	ck_date_eq(cal_next_working_day(D(2023, 5, 5), dk), "2023-05-08");
	ck_date_eq(cal_next_working_day(D(2024, 4, 26), dk), "2024-04-26");
	/* King's Day 2025 moved to Saturday 26 April, then Sunday. */
	ck_date_eq(cal_next_working_day(D(2025, 4, 26), nl), "2025-04-28");
	cal_holidays_free(no);
	cal_holidays_free(dk);
	cal_holidays_free(nl);
}
END_TEST

START_TEST(holiday_rules_syntax)
{
	struct cal_holidays *h;

	/* A move across the new year, CRLF, tabs, no final newline. */
	h = parse_rules("# observed\r\n\r\n\t01-01\tsaturday:-1  sunday:+1 "
	    "# New Year observed\r\n   12-24 from 2030 until 2031 # Eve");
	ck_assert(cal_is_holiday(D(2021, 12, 31), h));	/* 2022-01-01 Sat */
	ck_assert(!cal_is_holiday(D(2022, 1, 1), h));
	ck_assert(cal_is_holiday(D(2023, 1, 2), h));	/* 2023-01-01 Sun */
	ck_assert(!cal_is_holiday(D(2023, 1, 1), h));
	ck_assert(cal_is_holiday(D(2026, 1, 1), h));	/* Thursday */
	ck_assert_str_eq(cal_holiday_name(D(2021, 12, 31), h),
	    "New Year observed");
	ck_assert(!cal_is_holiday(D(2029, 12, 24), h));
	ck_assert(cal_is_holiday(D(2030, 12, 24), h));
	ck_assert(cal_is_holiday(D(2031, 12, 24), h));
	ck_assert(!cal_is_holiday(D(2032, 12, 24), h));
	ck_assert_str_eq(cal_holiday_name(D(2030, 12, 24), h), "Eve");
	cal_holidays_free(h);

	h = parse_rules("05-05 every 5 from 2025 # Liberation Day\n"
	    "easter-47 # Carnival # with a hash in the name\n"
	    "easter+200 # far\n");
	ck_assert(!cal_is_holiday(D(2020, 5, 5), h));
	ck_assert(cal_is_holiday(D(2025, 5, 5), h));
	ck_assert(!cal_is_holiday(D(2026, 5, 5), h));
	ck_assert(cal_is_holiday(D(2030, 5, 5), h));
	ck_assert(cal_is_holiday(D(2035, 5, 5), h));
	ck_assert_str_eq(cal_holiday_name(D(2026, 2, 17), h),
	    "Carnival # with a hash in the name");
	ck_assert(cal_is_holiday(cal_add_days(D(2026, 4, 5), 200), h));
	cal_holidays_free(h);

	/* An empty calendar: weekends only. */
	h = parse_rules("");
	ck_assert(cal_is_working_day(D(2026, 12, 25), h));
	cal_holidays_free(h);
	h = parse_rules("# nothing but comments\n\n");
	ck_assert(!cal_is_holiday(D(2026, 1, 1), h));
	cal_holidays_free(h);
}
END_TEST

static const struct {
	const char	*text;
	const char	*msg;
} bad_rules[] = {
	{ "13-01 # x", "t:1: bad fixed date \"13-01\": month 13 does not exist" },
	{ "02-29 # x", "t:1: bad fixed date \"02-29\": 29 February does not "
	    "occur every year" },
	{ "04-31 # x", "t:1: bad fixed date \"04-31\": April has no day 31" },
	{ "04-last # x", "t:1: unknown rule \"04-last\": expected MM-DD, easter, "
	    "easter+N or easter-N" },
	{ "foo # x", "t:1: unknown rule \"foo\"" },
	{ "1-1 # x", "t:1: unknown rule \"1-1\"" },
	{ "easter+ # x", "t:1: bad Easter rule \"easter+\": expected easter, "
	    "easter+N or easter-N with N up to 200" },
	{ "easter+201 # x", "t:1: bad Easter rule \"easter+201\"" },
	{ "easter*2 # x", "t:1: bad Easter rule \"easter*2\"" },
	{ "eastern # x", "t:1: bad Easter rule \"eastern\"" },
	{ "01-01", "t:1: rule \"01-01\" has no name: end it with \"# name\"" },
	{ "01-01 #   \t", "t:1: rule \"01-01 #   \\x09\" has no name" },
	{ "01-01 from # x", "t:1: \"from\" needs a year" },
	{ "01-01 until # x", "t:1: \"until\" needs a year" },
	{ "01-01 from 20x4 # x", "t:1: bad year \"20x4\" after \"from\": "
	    "expected a Gregorian year 1583..9999" },
	{ "01-01 from 1500 # x", "t:1: bad year \"1500\" after \"from\"" },
	{ "01-01 until 20245 # x", "t:1: bad year \"20245\" after \"until\"" },
	{ "01-01 from 2024 from 2025 # x", "t:1: \"from\" given twice" },
	{ "01-01 every 5 # x", "t:1: \"every 5\" needs \"from YYYY\" to count "
	    "from" },
	{ "01-01 every # x", "t:1: \"every\" needs a number of years" },
	{ "01-01 every 0 from 2000 # x", "t:1: bad number \"0\" after \"every\"" },
	{ "01-01 every 5 every 5 from 2000 # x", "t:1: \"every\" given twice" },
	{ "01-01 from 2024 until 2023 # x", "t:1: \"until 2023\" is before "
	    "\"from 2024\"" },
	{ "01-01 sunday:+9 # x", "t:1: bad move \"sunday:+9\": expected "
	    "sunday:+N or sunday:-N with N 1..7" },
	{ "01-01 sunday:1 # x", "t:1: bad move \"sunday:1\"" },
	{ "01-01 sunday:-0 # x", "t:1: bad move \"sunday:-0\"" },
	{ "01-01 sunday:-10 # x", "t:1: bad move \"sunday:-10\"" },
	{ "01-01 Sunday:-1 # x", "t:1: bad move \"Sunday:-1\": expected a "
	    "weekday (monday..sunday) before the colon" },
	{ "01-01 funday:+1 # x", "t:1: bad move \"funday:+1\": expected a weekday" },
	{ "01-01 sunday:-1 sunday:+1 # x", "t:1: bad move \"sunday:+1\": sunday "
	    "given twice" },
	{ "01-01 yearly # x", "t:1: unknown word \"yearly\": expected "
	    "WEEKDAY:+N, WEEKDAY:-N, from YYYY, until YYYY or every N" },
	{ "01-01 # ok\n\n# comment\neaster+1 sundy:-1 # Bad\n", "t:4: bad move "
	    "\"sundy:-1\"" },
	{ "01-01 # ok\r\n02-30 # bad\r\n", "t:2: bad fixed date \"02-30\"" },
};

/* A bad rule is reported as name:line: message. */
START_TEST(holiday_rule_errors)
{
	struct cal_holidays *h = NULL;
	struct clerk_err err;
	const char *text = bad_rules[_i].text;

	err_clear(&err);
	ck_assert_int_eq(cal_holidays_parse(text, strlen(text), "t", &h, &err),
	    -1);
	ck_assert_ptr_null(h);
	ck_assert_msg(strncmp(err.msg, bad_rules[_i].msg,
	    strlen(bad_rules[_i].msg)) == 0, "\"%s\": message \"%s\", want \"%s\"",
	    text, err.msg, bad_rules[_i].msg);
	ck_assert_int_eq(err.temporary, 0);
}
END_TEST

START_TEST(holiday_file_limits)
{
	static const char nul[] = "01-01 # New Year\n05-01 # May\0Day\n";
	struct cal_holidays *h = NULL;
	struct clerk_err err;
	struct buf text = BUF_INIT;

	ck_assert_int_eq(cal_holidays_parse(nul, sizeof(nul) - 1,
	    "nl.holidays", &h, &err), -1);
	ck_assert_str_eq(err.msg, "nl.holidays:2: NUL byte in the line");

	for (int i = 0; i < CAL_HOLIDAY_RULES_MAX; i++)
		buf_printf(&text, "%02d-%02d # day %d\n", i % 12 + 1, i / 12 + 1, i);
	ck_assert_int_eq(cal_holidays_parse(buf_str(&text), text.len, "many",
	    &h, &err), 0);
	cal_holidays_free(h);
	h = NULL;
	buf_append_str(&text, "12-31 # one too many\n");
	ck_assert_int_eq(cal_holidays_parse(buf_str(&text), text.len, "many",
	    &h, &err), -1);
	ck_assert_str_eq(err.msg, "many:101: more than 100 rules");
	ck_assert_ptr_null(h);
	buf_free(&text);
	cal_holidays_free(NULL);
}
END_TEST

/* ---- deadlines --------------------------------------------------------- */

static struct cal_date
deadline(const char *spec_text, struct cal_date start, int move,
    const struct cal_holidays *h)
{
	struct cal_spec spec;
	struct cal_date out = D(0, 0, 0);
	struct clerk_err err;

	err_clear(&err);
	ck_assert_msg(cal_spec_parse(spec_text, &spec, &err) == 0, "%s",
	    err.msg);
	ck_assert_msg(cal_deadline(start, &spec, move, h, &out, &err) == 0,
	    "%s", err.msg);
	return out;
}

START_TEST(deadlines)
{
	struct cal_holidays *no = load_calendar("no.holidays");

	/* Appeal within 2 months of 31 January. */
	ck_date_eq(deadline("2m", D(2026, 1, 31), 0, no), "2026-03-31");
	ck_date_eq(deadline("1 month", D(2026, 1, 31), 0, no), "2026-02-28");
	/* 14 days landing on Maundy Thursday. */
	ck_date_eq(deadline("14d", D(2026, 3, 19), 0, no), "2026-04-02");
	ck_date_eq(deadline("14d", D(2026, 3, 19), 1, no), "2026-04-07");
	ck_date_eq(deadline("14d", D(2026, 3, 19), 1, NULL), "2026-04-02");
	/* 14 days landing on 17 May 2026, a Sunday. */
	ck_date_eq(deadline("14 days", D(2026, 5, 3), 1, no), "2026-05-18");
	ck_date_eq(deadline("30 days", D(2026, 3, 2), 1, no), "2026-04-01");
	ck_date_eq(deadline("0d", D(2026, 3, 7), 1, no), "2026-03-09");
	/* PFO form due 1 February of the following year. */
	ck_date_eq(deadline("02-01", D(2026, 4, 15), 0, no), "2027-02-01");
	ck_date_eq(deadline("02-01", D(2026, 1, 15), 0, no), "2026-02-01");
	ck_date_eq(deadline("02-01", D(2026, 1, 15), 1, no), "2026-02-02");
	ck_date_eq(deadline("02-01", D(2026, 2, 1), 0, no), "2027-02-01");
	/* Annual meeting by the end of April: 30 April 2028 is a Sunday and
	 * 1 May a holiday. */
	ck_date_eq(deadline("04-last", D(2026, 5, 10), 1, no), "2027-04-30");
	ck_date_eq(deadline("04-last", D(2027, 5, 1), 0, no), "2028-04-30");
	ck_date_eq(deadline("04-last", D(2027, 5, 1), 1, no), "2028-05-02");
	cal_holidays_free(no);
}
END_TEST

START_TEST(deadline_errors)
{
	struct cal_spec spec;
	struct cal_holidays *h = parse_rules("12-31 # Last day\n");
	struct cal_date out = D(2000, 1, 1);
	struct clerk_err err;

	ck_assert_int_eq(cal_spec_parse("-7d", &spec, &err), 0);
	ck_assert_int_eq(cal_deadline(D(2026, 3, 1), &spec, 0, NULL, &out, &err),
	    -1);
	ck_assert_str_eq(err.msg, "deadline: -7d lies before its start; a "
	    "negative duration is a lead time");
	ck_assert_int_eq(cal_spec_parse("2m", &spec, &err), 0);
	ck_assert_int_eq(cal_deadline(D(9999, 12, 1), &spec, 0, NULL, &out, &err),
	    -1);
	ck_assert_str_eq(err.msg, "deadline from 9999-12-01 falls outside the "
	    "years 1900..9999");
	ck_assert_int_eq(cal_deadline(D(2026, 2, 30), &spec, 0, NULL, &out, &err),
	    -1);
	ck_assert_str_eq(err.msg, "deadline: start 2026-02-30 is not a valid "
	    "date");
	/* 9999-12-31 is a Friday and a holiday here: the move leaves the range. */
	ck_assert_int_eq(cal_spec_parse("0d", &spec, &err), 0);
	ck_assert_int_eq(cal_deadline(D(9999, 12, 31), &spec, 0, h, &out, &err), 0);
	ck_date_eq(out, "9999-12-31");
	out = D(2000, 1, 1);
	ck_assert_int_eq(cal_deadline(D(9999, 12, 31), &spec, 1, h, &out, &err),
	    -1);
	ck_date_eq(out, "2000-01-01");
	/* Specs built by hand are checked too. */
	spec = (struct cal_spec){ .kind = CAL_SPEC_FIXED, .fixed = { 2, 30 } };
	ck_assert_int_eq(cal_deadline(D(2026, 1, 1), &spec, 0, NULL, &out, &err),
	    -1);
	ck_assert_str_eq(err.msg, "deadline: fixed date 02-30 does not exist");
	spec = (struct cal_spec){ .kind = CAL_SPEC_DURATION,
	    .dur = { 200000, CAL_DAYS } };
	ck_assert_int_eq(cal_deadline(D(2026, 1, 1), &spec, 0, NULL, &out, &err),
	    -1);
	ck_assert_str_eq(err.msg, "deadline: amount 200000 is beyond 100000");
	cal_holidays_free(h);
}
END_TEST

START_TEST(leads)
{
	struct cal_duration lead;
	struct cal_date out;
	struct clerk_err err;

	/* Notice of the annual meeting at least 2 months before 30 April. */
	ck_assert_int_eq(cal_duration_parse("-2m", &lead, &err), 0);
	ck_assert_int_eq(cal_lead(D(2026, 4, 30), lead, &out, &err), 0);
	ck_date_eq(out, "2026-02-28");
	ck_assert_int_eq(cal_lead(D(2028, 4, 30), lead, &out, &err), 0);
	ck_date_eq(out, "2028-02-29");
	/* The sign does not matter: a lead always points back. */
	ck_assert_int_eq(cal_duration_parse("2 months", &lead, &err), 0);
	ck_assert_int_eq(cal_lead(D(2026, 4, 30), lead, &out, &err), 0);
	ck_date_eq(out, "2026-02-28");
	ck_assert_int_eq(cal_duration_parse("-6w", &lead, &err), 0);
	ck_assert_int_eq(cal_lead(D(2026, 4, 30), lead, &out, &err), 0);
	ck_date_eq(out, "2026-03-19");
	ck_assert_int_eq(cal_duration_parse("-7d", &lead, &err), 0);
	ck_assert_int_eq(cal_lead(D(2027, 2, 1), lead, &out, &err), 0);
	ck_date_eq(out, "2027-01-25");
	ck_assert_int_eq(cal_duration_parse("0d", &lead, &err), 0);
	ck_assert_int_eq(cal_lead(D(2027, 2, 1), lead, &out, &err), 0);
	ck_date_eq(out, "2027-02-01");

	ck_assert_int_eq(cal_duration_parse("1y", &lead, &err), 0);
	ck_assert_int_eq(cal_lead(D(1900, 6, 1), lead, &out, &err), -1);
	ck_assert_str_eq(err.msg, "lead 1y before 1900-06-01 falls outside the "
	    "years 1900..9999");
	ck_assert_int_eq(cal_lead(D(2026, 13, 1), lead, &out, &err), -1);
	ck_assert_str_eq(err.msg, "lead: deadline 2026-13-01 is not a valid date");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("calendar");
	TCase *dates = tcase_create("dates");
	TCase *specs = tcase_create("specs");
	TCase *holidays = tcase_create("holidays");
	TCase *dl = tcase_create("deadlines");
	SRunner *sr;
	int failed;

	tcase_add_test(dates, leap_years_and_month_lengths);
	tcase_add_test(dates, validity_and_order);
	tcase_add_test(dates, day_numbers_and_differences);
	tcase_add_test(dates, day_numbers_round_trip_whole_range);
	tcase_add_test(dates, weekdays_of_known_dates);
	tcase_add_test(dates, format_and_parse);
	tcase_add_test(dates, parse_errors_name_the_text);
	tcase_add_test(dates, month_ends);
	tcase_add_test(dates, days_weeks_years);
	tcase_set_timeout(dates, 60);
	suite_add_tcase(s, dates);

	tcase_add_test(specs, duration_parse_accepts);
	tcase_add_test(specs, duration_parse_errors);
	tcase_add_test(specs, fixed_dates);
	tcase_add_test(specs, fixed_date_errors);
	tcase_add_test(specs, spec_parse);
	suite_add_tcase(s, specs);

	tcase_add_test(holidays, easter_published_dates);
	tcase_add_test(holidays, easter_always_a_sunday_in_its_window);
	tcase_add_loop_test(holidays, holiday_files_match_published_calendars,
	    0, (int)(sizeof(published) / sizeof(published[0])));
	tcase_add_test(holidays, holiday_names);
	tcase_add_test(holidays, working_days);
	tcase_add_test(holidays, holiday_rules_syntax);
	tcase_add_loop_test(holidays, holiday_rule_errors, 0,
	    (int)(sizeof(bad_rules) / sizeof(bad_rules[0])));
	tcase_add_test(holidays, holiday_file_limits);
	tcase_set_timeout(holidays, 60);
	suite_add_tcase(s, holidays);

	tcase_add_test(dl, deadlines);
	tcase_add_test(dl, deadline_errors);
	tcase_add_test(dl, leads);
	suite_add_tcase(s, dl);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
