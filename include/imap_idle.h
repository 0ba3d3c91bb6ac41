/* IMAP IDLE (RFC 2177) for the IMAP intake, which libcurl 7.88 lacks.
 *
 * A second connection is opened by libcurl with CURLOPT_CONNECT_ONLY. In
 * curl 7.88 that runs the whole IMAP connect phase (multi.c reaches
 * MSTATE_PROTOCONNECT before the connect-only stop in MSTATE_DO): TCP,
 * implicit TLS or STARTTLS as configured, certificate checks, the
 * greeting, CAPABILITY and the login (SASL PLAIN or LOGIN, quoted by curl).
 * From there clerk speaks IMAP itself through curl_easy_send/curl_easy_recv
 * on CURLINFO_ACTIVESOCKET, waiting in poll(2):
 *
 *   EXAMINE <mailbox>     fresh UIDVALIDITY, UIDNEXT and EXISTS; if they
 *                         differ from what the last `list` saw, mail came
 *                         in between: return 1 at once (the race between
 *                         list and IDLE is closed here)
 *   IDLE                  wait for "* n EXISTS" above the count (or a
 *                         higher RECENT): DONE, tagged OK, return 1
 *   timeout / *stop       DONE, tagged OK, return 0
 *   after 25 minutes      DONE and IDLE again (servers may drop an IDLE
 *                         older than 29 minutes)
 *
 * The connection stays open, selected read-only and not idling, between
 * waits; each wait EXAMINEs again. A dropped connection is reopened with
 * exponential backoff (1 s doubling to 60 s) inside the wait. *stop is
 * looked at least once a second, also while connecting. */
#ifndef CLERK_IMAP_IDLE_H
#define CLERK_IMAP_IDLE_H

#include <stdint.h>

#include <curl/curl.h>

#include "config.h"
#include "error.h"

/* How both IMAP connections reach the server. Strings are borrowed. */
struct imap_conn_params {
	const char	*url;		/* scheme://host:port, no path */
	enum tls_mode	 tls;
	const char	*user;
	const char	*password;	/* secret: never logged */
	const char	*ca_file;	/* NULL: the system's CAs */
};

/* Sets the connection options clerk uses on every IMAP handle: URL
 * protocols, TLS policy with peer and host verification, credentials,
 * timeouts (connect 15 s, abort below 1 byte/s for 60 s), TCP keepalive,
 * no signals, and `errbuf` (CURL_ERROR_SIZE bytes) as error buffer. */
void imap_curl_setopts(CURL *curl, const struct imap_conn_params *p, char *errbuf);

/* Whether a curl failure may go away by itself (server away, network):
 * 1, or 0 when a person must act (certificate, login, configuration). */
int imap_curl_temporary(CURLcode rc);

/* Hint added to a curl error message, e.g. for certificate failures;
 * "" when there is none. */
const char *imap_curl_hint(CURLcode rc);

struct imap_idle;

/* `mailbox` is the wire form (modified UTF-7, unquoted); `p` and its
 * strings are copied. Connects lazily, on the first wait. */
struct imap_idle *imap_idle_new(const struct imap_conn_params *p, const char *mailbox);

/* Waits as described above. `uidvalidity`/`uidnext` are what the last
 * list saw (0: unknown, no comparison). Returns 1 when mail may have
 * arrived, 0 on timeout or *stop, -1 on a permanent failure (login
 * refused, certificate, mailbox missing, IDLE refused): the caller should
 * fall back to polling. Temporary failures are logged and retried. */
int imap_idle_wait(struct imap_idle *idle, int64_t uidvalidity, int64_t uidnext,
    long timeout_ms, volatile int *stop, struct clerk_err *err);

/* Sends LOGOUT if connected, closes and frees. NULL is fine. */
void imap_idle_free(struct imap_idle *idle);

#endif
