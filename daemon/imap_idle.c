/* IMAP IDLE on a connection libcurl opens (see imap_idle.h), and the curl
 * options both IMAP connections share. */
#include "imap_idle.h"
#include "wake.h"

#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "imap_proto.h"
#include "log.h"
#include "xmalloc.h"

#define IDLE_MAX_MS		(25L * 60 * 1000)	/* RFC 2177: re-IDLE before 29 min */
#define REPLY_MS		(30L * 1000)		/* a command's answer */
#define DONE_MS			(10L * 1000)		/* the answer to DONE */
#define BACKOFF_MIN_S		1
#define BACKOFF_MAX_S		60
#define LINE_MAX_BYTES		(1024 * 1024)

enum rd {
	RD_STOP = -2,
	RD_ERR = -1,
	RD_TIMEOUT = 0,
	RD_LINE = 1,
};

struct imap_idle {
	char		*url;		/* owned */
	enum tls_mode	 tls;
	char		*user;		/* owned */
	char		*password;	/* owned, secret: wiped on free */
	char		*ca_file;	/* owned, may be NULL */
	char		*mailbox;	/* owned: wire form */

	CURL		*curl;		/* NULL when not connected */
	curl_socket_t	 sock;
	struct buf	 in;		/* received, not yet consumed */
	unsigned	 tagno;
	char		 tag[16];	/* of the command in flight */
	int64_t		 exists;	/* this connection's view of the mailbox */
	int64_t		 recent;
	int64_t		 uidvalidity;
	int64_t		 uidnext;
	int		 bye;		/* the server said BYE */

	int		 backoff_s;	/* next delay after a failure; 0: none yet */
	long long	 retry_at;	/* monotonic ms before which we do not reconnect */
	volatile int	*stop;		/* for the progress callback while connecting */
	char		 errbuf[CURL_ERROR_SIZE];
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
imap_curl_setopts(CURL *curl, const struct imap_conn_params *p, char *errbuf)
{
	curl_easy_setopt(curl, CURLOPT_URL, p->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	curl_easy_setopt(curl, CURLOPT_USERNAME, p->user);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, p->password);
	/* Verified TLS always; only the policy decides STARTTLS vs none. */
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (p->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, p->ca_file);
	/* TRY could be stripped by an attacker: ALL or, on loopback/insecure, none. */
	curl_easy_setopt(curl, CURLOPT_USE_SSL,
	    p->tls == TLS_NONE ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPIDLE, 60L);
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPINTVL, 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	errbuf[0] = '\0';
}

int
imap_curl_temporary(CURLcode rc)
{
	switch (rc) {
	case CURLE_LOGIN_DENIED:		/* also "Select failed" */
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_USE_SSL_FAILED:		/* no STARTTLS offered */
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_REMOTE_ACCESS_DENIED:
		return 0;
	default:
		return 1;
	}
}

const char *
imap_curl_hint(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
		return " (the server certificate is not trusted: check ca_file and the host name)";
	case CURLE_SSL_CACERT_BADFILE:
		return " (ca_file cannot be read)";
	case CURLE_USE_SSL_FAILED:
		return " (the server offers no STARTTLS)";
	case CURLE_LOGIN_DENIED:
		return " (user, password or mailbox refused)";
	default:
		return "";
	}
}

struct imap_idle *
imap_idle_new(const struct imap_conn_params *p, const char *mailbox)
{
	struct imap_idle *idle = xcalloc(1, sizeof(*idle));

	idle->url = xstrdup(p->url);
	idle->tls = p->tls;
	idle->user = xstrdup(p->user);
	idle->password = xstrdup(p->password);
	idle->ca_file = p->ca_file != NULL ? xstrdup(p->ca_file) : NULL;
	idle->mailbox = xstrdup(mailbox);
	idle->sock = CURL_SOCKET_BAD;
	return idle;
}

static void
disconnect(struct imap_idle *idle)
{
	if (idle->curl != NULL)
		curl_easy_cleanup(idle->curl);
	idle->curl = NULL;
	idle->sock = CURL_SOCKET_BAD;
	buf_reset(&idle->in);
	idle->bye = 0;
}

static void fail_conn(struct imap_idle *, struct clerk_err *, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* err = "IMAP IDLE connection to URL: <message>" */
static void
fail_conn(struct imap_idle *idle, struct clerk_err *err, int temporary, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(err, temporary ? ERR_TEMP : ERR_FINAL, "IMAP IDLE connection to %s: %s", idle->url, msg);
}

static int
progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct imap_idle *idle = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return idle->stop != NULL && *idle->stop;
}

/* curl connects and logs in; returns 0, RD_STOP or RD_ERR. */
static int
idle_connect(struct imap_idle *idle, volatile int *stop, struct clerk_err *err)
{
	struct imap_conn_params p = { idle->url, idle->tls, idle->user, idle->password,
	    idle->ca_file };
	CURLcode rc;
	curl_socket_t sock = CURL_SOCKET_BAD;

	disconnect(idle);
	idle->curl = curl_easy_init();
	if (idle->curl == NULL) {
		err_set(err, ERR_TEMP, "IMAP IDLE: curl_easy_init failed");
		return RD_ERR;
	}
	imap_curl_setopts(idle->curl, &p, idle->errbuf);
	curl_easy_setopt(idle->curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(idle->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(idle->curl, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(idle->curl, CURLOPT_XFERINFODATA, idle);
	idle->stop = stop;
	rc = curl_easy_perform(idle->curl);
	idle->stop = NULL;
	if (rc == CURLE_ABORTED_BY_CALLBACK && stop != NULL && *stop) {
		disconnect(idle);
		return RD_STOP;
	}
	if (rc == CURLE_OK)
		rc = curl_easy_getinfo(idle->curl, CURLINFO_ACTIVESOCKET, &sock);
	if (rc != CURLE_OK || sock == CURL_SOCKET_BAD) {
		char msg[CURL_ERROR_SIZE + 160];

		snprintf(msg, sizeof(msg), "%s%s",
		    idle->errbuf[0] ? idle->errbuf : curl_easy_strerror(rc), imap_curl_hint(rc));
		fail_conn(idle, err, rc == CURLE_OK || imap_curl_temporary(rc), "%s", msg);
		disconnect(idle);
		return RD_ERR;
	}
	idle->sock = sock;
	idle->tagno = 0;
	return 0;
}

/* Takes one complete line (literals included) out of idle->in. */
static int
take_line(struct imap_idle *idle, char **line)
{
	size_t pos = 0;

	for (;;) {
		char *nl = idle->in.len > pos ? memchr(idle->in.data + pos, '\n',
		    idle->in.len - pos) : NULL;
		size_t end, lit, i;

		if (nl == NULL)
			return 0;
		end = (size_t)(nl - idle->in.data);
		/* "... {123}\r\n" announces 123 bytes that belong to this line */
		i = end;
		if (i > 0 && idle->in.data[i - 1] == '\r')
			i--;
		if (i > 0 && idle->in.data[i - 1] == '}') {
			size_t j = i - 1, mul = 1;

			lit = 0;
			if (j > 0 && idle->in.data[j - 1] == '+')
				j--;
			while (j > 0 && idle->in.data[j - 1] >= '0' && idle->in.data[j - 1] <= '9' &&
			    mul <= LINE_MAX_BYTES) {
				lit += (size_t)(idle->in.data[j - 1] - '0') * mul;
				mul *= 10;
				j--;
			}
			if (j > 0 && idle->in.data[j - 1] == '{' && mul > 1) {
				if (lit > LINE_MAX_BYTES)
					return -1;
				if (idle->in.len < end + 1 + lit)
					return 0;
				pos = end + 1 + lit;
				continue;
			}
		}
		i = end;
		if (i > 0 && idle->in.data[i - 1] == '\r')
			i--;
		*line = xstrndup(idle->in.data, i);
		memmove(idle->in.data, idle->in.data + end + 1, idle->in.len - end - 1);
		idle->in.len -= end + 1;
		idle->in.data[idle->in.len] = '\0';
		return 1;
	}
}

/* One line, waiting until `deadline` (monotonic ms) in poll(2), looking at
 * *stop at least once a second. */
static int
read_line(struct imap_idle *idle, long long deadline, volatile int *stop, char **line,
    struct clerk_err *err)
{
	char chunk[16384];

	for (;;) {
		long long now;
		size_t n = 0;
		CURLcode rc;
		int t = take_line(idle, line);

		if (t == 1)
			return RD_LINE;
		if (t < 0 || idle->in.len > LINE_MAX_BYTES + 4096) {
			fail_conn(idle, err, 1, "%s", "server line too long");
			return RD_ERR;
		}
		if (stop != NULL && *stop)
			return RD_STOP;
		/* Drain curl (and its TLS layer) before sleeping: bytes already
		 * decrypted would not wake poll(2). */
		rc = curl_easy_recv(idle->curl, chunk, sizeof(chunk), &n);
		if (rc == CURLE_OK && n == 0) {
			fail_conn(idle, err, 1, "%s", idle->bye ? "closed by the server (BYE)" :
			    "connection closed by the server");
			return RD_ERR;
		}
		if (rc == CURLE_OK) {
			buf_append(&idle->in, chunk, n);
			continue;
		}
		if (rc != CURLE_AGAIN) {
			fail_conn(idle, err, 1, "%s", curl_easy_strerror(rc));
			return RD_ERR;
		}
		now = now_ms();
		if (now >= deadline)
			return RD_TIMEOUT;
		{
			struct pollfd pfd = { .fd = idle->sock, .events = POLLIN };
			long long wait = deadline - now;

			if (wake_poll(&pfd, 1, wait) < 0 && errno != EINTR) {
				fail_conn(idle, err, 1, "poll: %s", strerror(errno));
				return RD_ERR;
			}
		}
	}
}

static int
send_all(struct imap_idle *idle, const char *s, struct clerk_err *err)
{
	size_t len = strlen(s), off = 0;
	long long deadline = now_ms() + REPLY_MS;

	while (off < len) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(idle->curl, s + off, len - off, &n);

		if (rc == CURLE_OK) {
			off += n;
			continue;
		}
		if (rc != CURLE_AGAIN || now_ms() >= deadline) {
			fail_conn(idle, err, 1, "send: %s", rc == CURLE_AGAIN ? "timed out" :
			    curl_easy_strerror(rc));
			return RD_ERR;
		}
		{
			struct pollfd pfd = { .fd = idle->sock, .events = POLLOUT };

			if (poll(&pfd, 1, 1000) < 0 && errno != EINTR) {
				fail_conn(idle, err, 1, "poll: %s", strerror(errno));
				return RD_ERR;
			}
		}
	}
	return 0;
}

/* Sends "<tag> <cmd>" with a fresh tag. */
static int
command(struct imap_idle *idle, const char *cmd, struct clerk_err *err)
{
	struct buf b = BUF_INIT;
	int rc;

	snprintf(idle->tag, sizeof(idle->tag), "i%u", ++idle->tagno);
	buf_printf(&b, "%s %s\r\n", idle->tag, cmd);
	rc = send_all(idle, buf_str(&b), err);
	buf_free(&b);
	return rc;
}

/* Updates the connection's view from an untagged line; *mail is set when
 * it tells of new mail. */
static void
untagged(struct imap_idle *idle, const char *line, int *mail)
{
	int64_t n;

	if (imap_untagged_number(line, "EXISTS", &n)) {
		if (n > idle->exists)
			*mail = 1;
		idle->exists = n;
	} else if (imap_untagged_number(line, "EXPUNGE", &n)) {
		if (idle->exists > 0)
			idle->exists--;
	} else if (imap_untagged_number(line, "RECENT", &n)) {
		if (n > idle->recent)
			*mail = 1;
		idle->recent = n;
	} else if (imap_ok_code_number(line, "UIDNEXT", &n)) {
		idle->uidnext = n;
	} else if (imap_ok_code_number(line, "UIDVALIDITY", &n)) {
		idle->uidvalidity = n;
	} else if (strncasecmp(line, "* BYE", 5) == 0) {
		idle->bye = 1;
	}
}

/* Reads until the tagged answer of the command in flight. Returns its
 * status letter ('O', 'N', 'B'; the line in *tagged if asked) or an RD_*
 * value <= 0; *mail as for untagged(). */
static int
read_tagged(struct imap_idle *idle, long long deadline, volatile int *stop, int *mail,
    char **tagged, struct clerk_err *err)
{
	for (;;) {
		char *line = NULL;
		int rc = read_line(idle, deadline, stop, &line, err), st;

		if (rc != RD_LINE) {
			if (rc == RD_TIMEOUT)
				fail_conn(idle, err, 1, "%s", "no answer from the server");
			return rc == RD_TIMEOUT ? RD_ERR : rc;
		}
		st = imap_tagged_status(line, idle->tag);
		if (st != 0) {
			if (tagged != NULL)
				*tagged = line;
			else
				free(line);
			return st;
		}
		if (line[0] == '*')
			untagged(idle, line, mail);
		free(line);
	}
}

/* EXAMINE the mailbox: fresh counts. 0, or an RD_* value < 0 (with
 * err->temporary 0 when the server refused). */
static int
examine(struct imap_idle *idle, volatile int *stop, struct clerk_err *err)
{
	struct buf cmd = BUF_INIT;
	char *tagged = NULL;
	int mail = 0, rc;

	idle->exists = idle->recent = idle->uidvalidity = idle->uidnext = 0;
	buf_append_str(&cmd, "EXAMINE ");
	imap_append_quoted(&cmd, idle->mailbox);
	rc = command(idle, buf_str(&cmd), err);
	if (rc == 0)
		rc = read_tagged(idle, now_ms() + REPLY_MS, stop, &mail, &tagged, err);
	if (rc == 'O') {
		rc = 0;
	} else if (rc == 'N' || rc == 'B') {
		/* e.g. "NO Mailbox doesn't exist", or not logged in */
		fail_conn(idle, err, 0, "EXAMINE refused: %s", tagged);
		rc = RD_ERR;
	}
	free(tagged);
	buf_free(&cmd);
	return rc;
}

/* Sends DONE and reads IDLE's tagged answer. */
static int
idle_done(struct imap_idle *idle, long wait_ms, int *mail, struct clerk_err *err)
{
	int rc = send_all(idle, "DONE\r\n", err);

	if (rc == 0)
		rc = read_tagged(idle, now_ms() + wait_ms, NULL, mail, NULL, err);
	if (rc == 'O')
		return 0;
	if (rc == 'N' || rc == 'B')
		fail_conn(idle, err, 1, "%s", "IDLE ended with an error");
	return RD_ERR;
}

/* One IDLE until mail, `deadline`, *stop or 25 minutes. Returns 1 (mail),
 * 0 (timeout, stop, or re-IDLE due), or an RD_* value < 0. */
static int
idle_once(struct imap_idle *idle, long long deadline, volatile int *stop,
    struct clerk_err *err)
{
	long long until = now_ms() + IDLE_MAX_MS;
	char *tagged = NULL;
	int mail = 0, rc;

	if (until > deadline)
		until = deadline;
	rc = command(idle, "IDLE", err);
	/* Before "+ idling" the server may already report changes. */
	while (rc == 0) {
		char *line = NULL;

		rc = read_line(idle, now_ms() + REPLY_MS, stop, &line, err);
		if (rc == RD_TIMEOUT) {
			fail_conn(idle, err, 1, "%s", "no answer to IDLE");
			rc = RD_ERR;
		}
		if (rc != RD_LINE)
			break;
		rc = 0;
		if (line[0] == '+') {
			free(line);
			break;
		}
		if (imap_tagged_status(line, idle->tag) != 0) {
			tagged = line;
			break;
		}
		if (line[0] == '*')
			untagged(idle, line, &mail);
		free(line);
	}
	if (tagged != NULL) {
		fail_conn(idle, err, 0, "IDLE refused: %s", tagged);
		free(tagged);
		return RD_ERR;
	}
	if (rc == RD_STOP) {
		/* IDLE may or may not be running: do not reuse the connection */
		disconnect(idle);
		return RD_STOP;
	}
	if (rc < 0)
		return rc;
	while (!mail) {
		char *line = NULL;

		rc = read_line(idle, until, stop, &line, err);
		if (rc != RD_LINE)
			break;
		if (line[0] == '*')
			untagged(idle, line, &mail);
		free(line);
	}
	if (rc == RD_ERR)
		return RD_ERR;
	/* mail, timeout or stop: end the IDLE politely */
	if (idle_done(idle, rc == RD_STOP ? 2000 : DONE_MS, &mail, err) != 0)
		return RD_ERR;
	return mail ? 1 : 0;
}

static void
sleep_until(long long until, volatile int *stop)
{
	long long now;

	while ((stop == NULL || !*stop) && (now = now_ms()) < until) {
		long long ms = until - now;

		wake_poll(NULL, 0, ms);
	}
}

static void
schedule_retry(struct imap_idle *idle, const struct clerk_err *e)
{
	char q[600];

	idle->backoff_s = idle->backoff_s == 0 ? BACKOFF_MIN_S :
	    idle->backoff_s * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : idle->backoff_s * 2;
	idle->retry_at = now_ms() + idle->backoff_s * 1000LL;
	log_warn(NULL, "imap_idle_retry", "in_seconds=%d error=%s", idle->backoff_s,
	    log_quote(q, sizeof(q), e->msg));
	disconnect(idle);
}

int
imap_idle_wait(struct imap_idle *idle, int64_t uidvalidity, int64_t uidnext,
    long timeout_ms, volatile int *stop, struct clerk_err *err)
{
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct clerk_err e;

	err_clear(&e);
	for (;;) {
		int fresh = 0, rc;

		if ((stop != NULL && *stop) || now_ms() >= deadline)
			return 0;
		if (idle->curl == NULL) {
			if (now_ms() < idle->retry_at) {
				sleep_until(idle->retry_at < deadline ? idle->retry_at : deadline,
				    stop);
				continue;
			}
			rc = idle_connect(idle, stop, &e);
			if (rc == RD_STOP)
				return 0;
			if (rc != 0) {
				if (!e.temporary)
					goto permanent;
				schedule_retry(idle, &e);
				continue;
			}
			fresh = 1;
			log_debug(NULL, "imap_idle_connected", "url=%s", idle->url);
		}
		rc = examine(idle, stop, &e);
		if (rc == RD_STOP) {
			disconnect(idle);	/* EXAMINE still in flight */
			return 0;
		}
		if (rc != 0 && !fresh && e.temporary) {
			/* a connection kept since the last wait went stale:
			 * reconnect at once */
			char q[600];

			log_debug(NULL, "imap_idle_stale", "error=%s", log_quote(q, sizeof(q), e.msg));
			disconnect(idle);
			continue;
		}
		if (rc != 0) {
			if (!e.temporary)
				goto permanent;
			schedule_retry(idle, &e);
			continue;
		}
		idle->backoff_s = 0;
		/* Mail that came after the last list and before this EXAMINE. */
		if ((uidvalidity != 0 && idle->uidvalidity != 0 &&
		    idle->uidvalidity != uidvalidity) ||
		    (uidnext != 0 && idle->uidnext > uidnext)) {
			log_debug(NULL, "imap_idle_changed", "uidvalidity=%lld uidnext=%lld",
			    (long long)idle->uidvalidity, (long long)idle->uidnext);
			return 1;
		}
		rc = idle_once(idle, deadline, stop, &e);
		if (rc == 1)
			return 1;
		if (rc == 0 || rc == RD_STOP)
			continue;	/* the loop head decides: deadline, stop or re-IDLE */
		if (!e.temporary)
			goto permanent;
		schedule_retry(idle, &e);
	}
permanent:
	disconnect(idle);
	*err = e;
	return -1;
}

void
imap_idle_free(struct imap_idle *idle)
{
	if (idle == NULL)
		return;
	if (idle->curl != NULL) {
		struct clerk_err e;
		char *line = NULL;

		/* Polite, but never wait long for it. */
		if (command(idle, "LOGOUT", &e) == 0) {
			long long until = now_ms() + 2000;

			while (read_line(idle, until, NULL, &line, &e) == RD_LINE) {
				int done = imap_tagged_status(line, idle->tag) != 0;

				free(line);
				if (done)
					break;
			}
		}
	}
	disconnect(idle);
	buf_free(&idle->in);
	free(idle->url);
	free(idle->user);
	if (idle->password != NULL) {
		explicit_bzero(idle->password, strlen(idle->password));
		free(idle->password);
	}
	free(idle->ca_file);
	free(idle->mailbox);
	free(idle);
}
