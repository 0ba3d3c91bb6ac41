/* Logging as key=value lines, OpenSMTPD style:
 *   level=info case=FGT-2026-0042 event=state from=open to=waiting
 * to stderr in the foreground and to syslog when detached. Secrets are never
 * passed here: configuration keeps passwords out of every struct that is
 * logged. */
#ifndef CLERK_LOG_H
#define CLERK_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* `to_syslog` nonzero sends lines to syslog(3) under `ident`. */
void log_init(const char *ident, int to_syslog, enum log_level max);
enum log_level log_max_level(void);
int log_level_parse(const char *name, enum log_level *out);

/* One line: level, optional case reference (NULL for none), an event name,
 * then the caller's own key=value pairs (may be NULL). */
void log_event(enum log_level level, const char *case_ref, const char *event,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void log_eventv(enum log_level level, const char *case_ref, const char *event,
    const char *fmt, va_list ap);

/* Writes `value` as a log value into `out` (size `n`): bare when it has no
 * space, quote or control character, else double-quoted with escapes.
 * Returns `out` so it can sit in an argument list. */
const char *log_quote(char *out, unsigned n, const char *value);

#define log_error(c, e, ...) log_event(LOG_LEVEL_ERROR, (c), (e), __VA_ARGS__)
#define log_warn(c, e, ...) log_event(LOG_LEVEL_WARN, (c), (e), __VA_ARGS__)
#define log_info(c, e, ...) log_event(LOG_LEVEL_INFO, (c), (e), __VA_ARGS__)
#define log_debug(c, e, ...) log_event(LOG_LEVEL_DEBUG, (c), (e), __VA_ARGS__)

#endif
