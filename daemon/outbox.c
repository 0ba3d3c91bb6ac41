/* The SMTP outbox: one libcurl transaction per row, the row's state
 * committed after the server's answer. See outbox.h for the rules. */
#include "outbox.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "store_outbox.h"
#include "xmalloc.h"

/* One connection for a run; curl keeps it open between rows. */
struct smtp {
	CURL		*curl;
	char		*url;		/* owned */
	char		 errbuf[CURL_ERROR_SIZE];
	struct buf	 lines;		/* the server's reply lines of a transfer */
	char		 stage[9];	/* the last command sent: MAIL, RCPT, DATA... */
	const char	*data;		/* foreign: the row's bytes */
	size_t		 len, off;
};

enum verdict {
	V_SENT,		/* accepted */
	V_RETRY,	/* this row: try again later */
	V_FAIL,		/* this row: never */
	V_DOWN,		/* the server: try again later, stop this run */
	V_BROKEN,	/* the server or our configuration: a person must act */
};

long
outbox_backoff(int retry_seconds, int attempts)
{
	long d = retry_seconds > 0 ? retry_seconds : 1;

	for (int i = 0; i < attempts && d < OUTBOX_BACKOFF_MAX; i++)
		d *= 2;
	return d < OUTBOX_BACKOFF_MAX ? d : OUTBOX_BACKOFF_MAX;
}

/* Every reply line of the server reaches here, the answer to QUIT too
 * (curl may close a failed connection within the transfer): keep them
 * all and pick by the response code afterwards. */
static size_t
on_reply(char *p, size_t size, size_t n, void *arg)
{
	struct smtp *s = arg;
	size_t len = size * n;

	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (len > 0 && s->lines.len < 64 * 1024) {
		buf_append(&s->lines, p, len > 500 ? 500 : len);
		buf_append_char(&s->lines, '\n');
	}
	return size * n;
}

/* The commands curl sends, to know which one an answer refused (AUTH's
 * argument is never looked at, nor kept). */
static int
on_debug(CURL *curl, curl_infotype type, char *p, size_t n, void *arg)
{
	struct smtp *s = arg;
	size_t k = 0;

	(void)curl;
	if (type != CURLINFO_HEADER_OUT)
		return 0;
	while (k < n && k < sizeof(s->stage) - 1 && p[k] >= 'A' && p[k] <= 'Z')
		k++;
	if (k > 0 && !(k == 4 && memcmp(p, "QUIT", 4) == 0)) {
		memcpy(s->stage, p, k);
		s->stage[k] = '\0';
	}
	return 0;
}

/* The last line the server answered with `code`, else its last line. */
static void
reply_line(const struct smtp *s, long code, struct buf *out)
{
	const char *text = buf_str(&s->lines), *best = NULL, *last = NULL, *p;
	char want[8];

	snprintf(want, sizeof(want), "%03ld", code);
	for (p = text; *p; p += strcspn(p, "\n") + 1) {
		last = p;
		if (strncmp(p, want, 3) == 0 && (p[3] == ' ' || p[3] == '-' || p[3] == '\n'))
			best = p;
	}
	if (best == NULL)
		best = last;
	if (best != NULL)
		buf_append(out, best, strcspn(best, "\n"));
}

static size_t
on_read(char *dst, size_t size, size_t n, void *arg)
{
	struct smtp *s = arg;
	size_t room = size * n, left = s->len - s->off;

	if (room > left)
		room = left;
	memcpy(dst, s->data + s->off, room);
	s->off += room;
	return room;
}

/* "smtp://host:587/;starttls" -> "smtp://host:587/<domain>": ";starttls"
 * only chose the TLS mode in the configuration; the path is the name curl
 * says in EHLO, the envelope sender's domain unless one is given. */
static char *
smtp_url(const struct config *cfg)
{
	const char *auth = strstr(cfg->smtp.url, "://"), *at;
	struct buf b = BUF_INIT;
	char *s, *semi;
	size_t hostlen;

	auth = auth != NULL ? auth + 3 : cfg->smtp.url;
	hostlen = strcspn(auth, "/?#");
	buf_append(&b, cfg->smtp.url, (size_t)(auth - cfg->smtp.url) + hostlen);
	if (auth[hostlen] == '/' && auth[hostlen + 1] != '\0' && auth[hostlen + 1] != ';')
		buf_append_str(&b, auth + hostlen);
	else if ((at = strrchr(cfg->smtp.envelope_from, '@')) != NULL && at[1] != '\0')
		buf_printf(&b, "/%s", at + 1);
	s = buf_steal(&b);
	while ((semi = strstr(s, ";starttls")) != NULL)
		memmove(semi, semi + 9, strlen(semi + 9) + 1);
	return s;
}

static void
smtp_close(struct smtp *s)
{
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);	/* QUIT: may call on_reply */
	s->curl = NULL;
	free(s->url);
	s->url = NULL;
	buf_free(&s->lines);
}

static int
smtp_open(struct smtp *s, const struct config *cfg, struct clerk_err *err)
{
	if ((s->curl = curl_easy_init()) == NULL) {
		err_set(err, ERR_TEMP, "outbox: curl_easy_init failed");
		return -1;
	}
	s->url = smtp_url(cfg);
	curl_easy_setopt(s->curl, CURLOPT_URL, s->url);
	curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (cfg->smtp.user != NULL && cfg->smtp.password != NULL) {
		curl_easy_setopt(s->curl, CURLOPT_USERNAME, cfg->smtp.user);
		curl_easy_setopt(s->curl, CURLOPT_PASSWORD, cfg->smtp.password);
	}
	/* Verified TLS always; TRY could be stripped by an attacker. */
	curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->smtp.ca_file != NULL)
		curl_easy_setopt(s->curl, CURLOPT_CAINFO, cfg->smtp.ca_file);
	/* TLS_NONE (loopback, or insecure = yes) still takes STARTTLS when
	 * offered: nothing is lost by it there. */
	curl_easy_setopt(s->curl, CURLOPT_USE_SSL,
	    cfg->smtp.tls == TLS_NONE ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(s->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(s->curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->curl, CURLOPT_HEADERFUNCTION, on_reply);
	curl_easy_setopt(s->curl, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(s->curl, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(s->curl, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt(s->curl, CURLOPT_VERBOSE, 1L);	/* feeds on_debug only */
	curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, s);
	curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
	return 0;
}

/* What an outcome means for the row. A refusal before RCPT (EHLO, AUTH,
 * MAIL FROM: a sender or session the server does not accept) is the same
 * for every row: a person must fix it, the rows wait. 552 at MAIL FROM is
 * the message's size. */
static enum verdict
classify(CURLcode rc, long code, const char *stage)
{
	switch (rc) {
	case CURLE_OK:
		return V_SENT;
	case CURLE_LOGIN_DENIED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_USE_SSL_FAILED:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_AUTH_ERROR:
		return V_BROKEN;
	default:
		break;
	}
	if (code == 421 || code < 400 || code >= 600)
		return V_DOWN;	/* no SMTP answer at all, or "closing" */
	if (code < 500)
		return V_RETRY;
	if (strcmp(stage, "RCPT") == 0 || strcmp(stage, "DATA") == 0 ||
	    (strcmp(stage, "MAIL") == 0 && code == 552))
		return V_FAIL;
	return V_BROKEN;
}

static const char *
hint(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
		return " (the server certificate is not trusted: check ca_file and the host)";
	case CURLE_SSL_CACERT_BADFILE:
		return " (ca_file cannot be read)";
	case CURLE_USE_SSL_FAILED:
		return " (the server offers no STARTTLS)";
	case CURLE_LOGIN_DENIED:
		return " (user or password refused)";
	default:
		return "";
	}
}

/* One SMTP transaction for one row. `why` gets the server's reply or
 * curl's message. */
static enum verdict
send_row(struct smtp *s, const struct store_outbox *o, struct buf *why)
{
	struct curl_slist *rcpt = NULL;
	struct buf reply = BUF_INIT;
	char *from = xasprintf("<%s>", o->envelope_from), *to = xasprintf("<%s>", o->recipient);
	enum verdict v;
	CURLcode rc;
	long code = 0;

	s->data = o->bytes;
	s->len = o->len;
	s->off = 0;
	s->errbuf[0] = '\0';
	s->stage[0] = '\0';
	buf_reset(&s->lines);
	rcpt = curl_slist_append(rcpt, to);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)o->len);
	rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
	free(from);
	free(to);
	v = classify(rc, code, s->stage);
	buf_reset(&reply);
	reply_line(s, code, &reply);
	buf_reset(why);
	if (v == V_SENT || ((v == V_RETRY || v == V_FAIL) && reply.len))
		buf_append_str(why, buf_str(&reply));
	else if (reply.len && code >= 400)
		buf_printf(why, "%s: %s%s", s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc),
		    buf_str(&reply), hint(rc));
	else
		buf_printf(why, "%s%s", s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc),
		    hint(rc));
	buf_free(&reply);
	return v;
}

static int
record_sent(struct store *st, const struct store_outbox *o, const struct clock_now *now,
    const char *reply, struct clerk_err *err)
{
	char q[600];
	char *detail = xasprintf("message-id=%s to=%s reply=%s", o->message_id, o->recipient,
	    log_quote(q, sizeof(q), reply));
	int rc = -1;

	if (store_begin(st, err) != 0)
		goto out;
	if (store_outbox_sent(st, o->id, now->iso, reply, err) != 0 ||
	    store_event_append(st, now->iso, o->case_ref, "notice-sent", detail, 0, err) != 0 ||
	    store_commit(st, err) != 0) {
		store_rollback(st);
		goto out;
	}
	log_info(o->case_ref, "notice-sent", "%s", detail);
	rc = 0;
out:
	free(detail);
	return rc;
}

static int
record_failed(struct store *st, const struct store_outbox *o, const struct clock_now *now,
    const char *why, struct clerk_err *err)
{
	char q[600];
	char *detail = xasprintf("message-id=%s to=%s template=%s attempts=%d error=%s",
	    o->message_id, o->recipient, o->kind, o->attempts + 1,
	    log_quote(q, sizeof(q), why));
	char *text = xasprintf("delivery failed: %s (notice %s to %s, Message-ID <%s>)", why,
	    o->kind, o->recipient, o->message_id);
	int rc = -1;

	if (store_begin(st, err) != 0)
		goto out;
	if (store_outbox_failed(st, o->id, why, err) != 0 ||
	    store_event_append(st, now->iso, o->case_ref, "notice-failed", detail, 0, err) != 0 ||
	    store_digest_add(st, now->iso, o->case_ref, "info", "secretary", text, err) != 0 ||
	    store_commit(st, err) != 0) {
		store_rollback(st);
		goto out;
	}
	log_error(o->case_ref, "notice-failed", "%s", detail);
	rc = 0;
out:
	free(detail);
	free(text);
	return rc;
}

static int
record_retry(const struct config *cfg, struct store *st, const struct store_outbox *o,
    const struct clock_now *now, const char *why, struct clerk_err *err)
{
	char next[CAL_DATETIME_BUFSZ], q[600];
	long delay;

	if (o->attempts + 1 >= cfg->smtp.max_attempts) {
		char *gave_up = xasprintf("%s (gave up after %d attempts)", why, o->attempts + 1);
		int rc = record_failed(st, o, now, gave_up, err);

		free(gave_up);
		return rc;
	}
	delay = outbox_backoff(cfg->smtp.retry_seconds, o->attempts);
	clock_iso(now->epoch + delay, next);
	if (store_begin(st, err) != 0)
		return -1;
	if (store_outbox_retry(st, o->id, next, why, err) != 0 || store_commit(st, err) != 0) {
		store_rollback(st);
		return -1;
	}
	log_warn(o->case_ref, "notice-deferred", "message-id=%s to=%s attempts=%d next=%s "
	    "error=%s", o->message_id, o->recipient, o->attempts + 1, next,
	    log_quote(q, sizeof(q), why));
	return 0;
}

static long
kill_after(void)
{
	const char *v = getenv("CLERK_TEST_OUTBOX_KILL_AFTER");

	return v != NULL && *v ? strtol(v, NULL, 10) : 0;
}

int
outbox_run(const struct config *cfg, struct store *st, const struct clock_now *now,
    volatile int *stop, int *sent, struct clerk_err *err)
{
	struct smtp s;
	struct store_outbox o;
	struct buf why = BUF_INIT;
	enum verdict v;
	long die_after = kill_after();
	int found, rc = -1, global = 0;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	*sent = 0;
	for (;;) {
		store_outbox_clear(&o);
		if (stop != NULL && *stop)
			break;
		if (store_outbox_next(st, now->iso, &o, &found, err) != 0)
			goto out;
		if (!found)
			break;
		if (s.curl == NULL) {
			if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
				err_set(err, ERR_TEMP, "outbox: curl_global_init failed");
				goto out;
			}
			global = 1;
			if (smtp_open(&s, cfg, err) != 0)
				goto out;
		}
		v = send_row(&s, &o, &why);
		switch (v) {
		case V_SENT:
			if (die_after > 0 && *sent + 1 >= die_after)
				raise(SIGKILL);	/* test: accepted, not recorded */
			if (record_sent(st, &o, now, buf_str(&why), err) != 0)
				goto out;
			(*sent)++;
			break;
		case V_FAIL:
			if (record_failed(st, &o, now, buf_str(&why), err) != 0)
				goto out;
			break;
		case V_RETRY:
		case V_DOWN:
		case V_BROKEN:
			if (record_retry(cfg, st, &o, now, buf_str(&why), err) != 0)
				goto out;
			if (v == V_RETRY)
				break;
			err_set(err, v == V_DOWN ? ERR_TEMP : ERR_FINAL, "outbox: SMTP server %s: %s", s.url,
			    buf_str(&why));
			goto out;
		}
	}
	rc = 0;
out:
	store_outbox_clear(&o);
	smtp_close(&s);
	if (global)
		curl_global_cleanup();
	buf_free(&why);
	return rc;
}

int
outbox_next_due(struct store *st, const struct clock_now *now, long *ms,
    struct clerk_err *err)
{
	char *when = NULL;
	time_t t;
	int rc = -1;

	*ms = -1;
	if (store_outbox_next_due(st, &when, err) != 0)
		return -1;
	if (when == NULL)
		return 0;
	if (clock_parse_fixed(when, &t, err) != 0) {
		err_prefix(err, "outbox next attempt");
		goto out;
	}
	*ms = t > now->epoch ? (long)(t - now->epoch) * 1000 : 0;
	rc = 0;
out:
	free(when);
	return rc;
}
