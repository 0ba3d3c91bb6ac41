/* The SMTP outbox: sends the queued rows of the store, each as its own SMTP
 * transaction (MAIL FROM the row's envelope sender, one RCPT: the row's
 * recipient) with libcurl, over verified TLS (smtps://, or STARTTLS
 * required on smtp://; where the configuration allows plain text, STARTTLS
 * is still used when offered), with
 * AUTH when [smtp] user and password are set. The stored bytes go out
 * exactly as they are (CRLF, 7-bit; curl dot-stuffs them).
 *
 * Crash safety: a row is marked sent, in its own transaction, only after
 * the server accepted the data. A crash between the two resends the same
 * bytes with the same Message-ID next time; a new Message-ID never comes
 * from here.
 *
 * Outcomes per row:
 *   2xx          sent; the server's last reply ("250 2.0.0 Ok: queued as
 *                X") is kept as proof of hand-off; event "notice-sent"
 *   4xx          retried at now + retry_seconds * 2^attempts (at most 6 h)
 *   5xx          to RCPT or DATA (or 552 to MAIL FROM: the size): failed;
 *                event "notice-failed", digest item "info" for the
 *                secretary: "delivery failed: <reply> ..."
 *   no server    (refused, timeout, TLS, login, 5xx to EHLO, AUTH or MAIL
 *                FROM: the sender or session refused) retried like 4xx,
 *                and the run stops: the other rows would fare no better
 * After [smtp] max_attempts tries a retried row fails as a 5xx does. */
#ifndef CLERK_OUTBOX_H
#define CLERK_OUTBOX_H

#include "clock.h"
#include "config.h"
#include "error.h"
#include "store.h"

/* The longest wait between two tries of a row. */
#define OUTBOX_BACKOFF_MAX (6 * 3600L)

/* Sends every row due at `now` (until *stop is set, checked between
 * rows). *sent counts the rows the server accepted. Returns 0 when every
 * due row was handled; -1 when the server could not be reached or refused
 * the connection (the row tried is rescheduled; temporary = 0 for a
 * problem a person must fix: certificate, login, no STARTTLS) or the
 * store failed. The caller logs it and goes on with its cycle.
 * Test hook: CLERK_TEST_OUTBOX_KILL_AFTER=N in the environment kills the
 * process with SIGKILL after the N-th accepted send, before it is
 * recorded (the crash window above). */
int outbox_run(const struct config *cfg, struct store *st, const struct clock_now *now,
    volatile int *stop, int *sent, struct clerk_err *err);

/* Milliseconds from `now` until the next queued row is due (0 when one is
 * due already), or -1 in *ms when nothing is queued: for the daemon's wait. */
int outbox_next_due(struct store *st, const struct clock_now *now, long *ms,
    struct clerk_err *err);

/* The delay in seconds before the next try of a row tried `attempts` times
 * before this failure: retry_seconds * 2^attempts, at most
 * OUTBOX_BACKOFF_MAX. */
long outbox_backoff(int retry_seconds, int attempts);

#endif
