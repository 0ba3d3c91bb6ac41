/* How a failure is reported: functions that can fail return 0 or -1 and
 * fill a struct clerk_err. `temporary` says whether trying again later can
 * help (a server away, a busy database) or a person must act (bad input,
 * a broken configuration). */
#ifndef CLERK_ERROR_H
#define CLERK_ERROR_H

/* The retry class of a failure, named where it happens (isync's
 * FAIL_TEMP / FAIL_FINAL, OpenSMTPD's TEMPFAIL / PERMFAIL). */
enum err_class {
	ERR_FINAL = 0,	/* a person must act: bad input, a broken configuration or
			 * workflow; a mail is quarantined or refused with why */
	ERR_TEMP = 1,	/* a later try can succeed: a server away, a busy or full
			 * database, no memory; a mail stays where it is */
};

struct clerk_err {
	int	temporary;	/* class == ERR_TEMP */
	char	msg[512];
};

void err_set(struct clerk_err *e, enum err_class cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Puts "what: " before the message already there. */
void err_prefix(struct clerk_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void err_clear(struct clerk_err *e);

#endif
