/* key=value logging to stderr or syslog. */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "buf.h"

static const char *log_ident = "clerk";
static int log_to_syslog;
static enum log_level log_max = LOG_LEVEL_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
log_init(const char *ident, int to_syslog, enum log_level max)
{
	log_ident = ident;
	log_to_syslog = to_syslog;
	log_max = max;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

enum log_level
log_max_level(void)
{
	return log_max;
}

int
log_level_parse(const char *name, enum log_level *out)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *
log_quote(char *out, unsigned n, const char *value)
{
	struct buf b = BUF_INIT;
	int bare = value[0] != '\0';

	for (const char *p = value; *p && bare; p++)
		if (*p == ' ' || *p == '"' || *p == '=' || (unsigned char)*p < 0x20)
			bare = 0;
	if (bare) {
		snprintf(out, n, "%s", value);
		return out;
	}
	buf_append_char(&b, '"');
	for (const char *p = value; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(&b, "\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			buf_printf(&b, "\\x%02x", (unsigned char)*p);
		else
			buf_append_char(&b, *p);
	}
	buf_append_char(&b, '"');
	snprintf(out, n, "%s", buf_str(&b));
	buf_free(&b);
	return out;
}

void
log_eventv(enum log_level level, const char *case_ref, const char *event,
    const char *fmt, va_list ap)
{
	static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	struct buf line = BUF_INIT;
	char stamp[32];
	struct tm tm;
	time_t now;

	if (level > log_max)
		return;
	buf_printf(&line, "level=%s", level_names[level]);
	if (case_ref != NULL && case_ref[0] != '\0')
		buf_printf(&line, " case=%s", case_ref);
	buf_printf(&line, " event=%s", event);
	if (fmt != NULL && fmt[0] != '\0') {
		buf_append_char(&line, ' ');
		buf_vprintf(&line, fmt, ap);
	}
	if (log_to_syslog) {
		syslog(syslog_prio[level], "%s", buf_str(&line));
	} else {
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s %s: %s\n", stamp, log_ident, buf_str(&line));
	}
	buf_free(&line);
}

void
log_event(enum log_level level, const char *case_ref, const char *event,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_eventv(level, case_ref, event, fmt, ap);
	va_end(ap);
}
