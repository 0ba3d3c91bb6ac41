/* The daemon's clock: reads time once per cycle, or uses --now. */
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int
clock_set_timezone(const char *tz, struct clerk_err *err)
{
	char path[512];
	struct stat sb;

	/* glibc silently falls back to UTC for an unknown zone: check first. */
	if (tz[0] == '\0' || strstr(tz, "..") != NULL || tz[0] == '/') {
		err_set(err, ERR_FINAL, "time zone '%s' is not a zone name such as Europe/Oslo", tz);
		return -1;
	}
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	if (strcmp(tz, "UTC") != 0 && stat(path, &sb) != 0) {
		err_set(err, ERR_FINAL, "time zone '%s' is unknown to this system (%s missing; "
		    "install tzdata)", tz, path);
		return -1;
	}
	if (setenv("TZ", tz, 1) != 0) {
		err_set(err, ERR_TEMP, "cannot set TZ");
		return -1;
	}
	tzset();
	return 0;
}

int
clock_parse_fixed(const char *text, time_t *out, struct clerk_err *err)
{
	struct cal_datetime dt;
	struct tm tm;

	if (cal_datetime_parse(text, &dt, err) != 0) {
		err_prefix(err, "--now");
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = dt.date.year - 1900;
	tm.tm_mon = dt.date.month - 1;
	tm.tm_mday = dt.date.day;
	tm.tm_hour = dt.hour;
	tm.tm_min = dt.minute;
	tm.tm_sec = dt.second;
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	if (*out == (time_t)-1) {
		err_set(err, ERR_FINAL, "--now: '%s' is not a representable local time", text);
		return -1;
	}
	return 0;
}

void
clock_from_epoch(time_t t, struct clock_now *now)
{
	struct tm tm;

	localtime_r(&t, &tm);
	now->epoch = t;
	now->local.date.year = tm.tm_year + 1900;
	now->local.date.month = tm.tm_mon + 1;
	now->local.date.day = tm.tm_mday;
	now->local.hour = tm.tm_hour;
	now->local.minute = tm.tm_min;
	now->local.second = tm.tm_sec;
	cal_datetime_format(now->local, now->iso);
}

void
clock_read(time_t fixed, struct clock_now *now)
{
	clock_from_epoch(fixed ? fixed : time(NULL), now);
}

void
clock_rfc5322(time_t t, char *out, size_t n)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	    "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(out, n, "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld", days[tm.tm_wday],
	    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

void
clock_iso(time_t t, char out[CAL_DATETIME_BUFSZ])
{
	struct clock_now now;

	clock_from_epoch(t, &now);
	memcpy(out, now.iso, CAL_DATETIME_BUFSZ);
}
