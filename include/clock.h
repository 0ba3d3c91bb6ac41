/* "Now", read once per cycle (curl's lesson): the real clock, or the one
 * fixed by `--now`. Local time is the association's time zone, set once at
 * start with clock_set_timezone(). */
#ifndef CLERK_CLOCK_H
#define CLERK_CLOCK_H

#include <time.h>

#include "calendar.h"
#include "error.h"

struct clock_now {
	time_t			 epoch;
	struct cal_datetime	 local;
	char			 iso[CAL_DATETIME_BUFSZ];	/* local, "YYYY-MM-DDTHH:MM:SS" */
};

/* Makes `tz` (e.g. "Europe/Oslo") the zone of every local time; refuses a
 * zone the system does not know. */
int clock_set_timezone(const char *tz, struct clerk_err *err);
/* Parses a --now value, local time "YYYY-MM-DDTHH:MM[:SS]". */
int clock_parse_fixed(const char *text, time_t *out, struct clerk_err *err);
/* `fixed` is 0 for the real clock. */
void clock_read(time_t fixed, struct clock_now *now);
void clock_from_epoch(time_t t, struct clock_now *now);
/* RFC 5322 date of `t` in local time with its UTC offset. */
void clock_rfc5322(time_t t, char *out, size_t n);
/* Local ISO text of `t`. */
void clock_iso(time_t t, char out[CAL_DATETIME_BUFSZ]);

#endif
