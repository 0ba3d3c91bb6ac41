/* IMAP intake over libcurl 7.88 (see ../shared TECH.md for its limits).
 *
 * Two easy handles, each reused (one connection, one login; curl
 * reconnects by itself after CURLOPT_MAXAGE_CONN of idleness): one selects
 * the mailbox (SEARCH, FETCH, MOVE), the other never selects anything and
 * sends the server commands (CAPABILITY, CREATE, LIST, STATUS). Dovecot
 * answers STATUS of the selected mailbox from the session's view, which
 * misses mail that came after the session's last command [seen].
 *   open   CAPABILITY (MOVE, UIDPLUS, IDLE), CREATE the processed and
 *          quarantine folders ("already exists" is fine: [ALREADYEXISTS]
 *          or, without that code, LIST shows it), STATUS of the mailbox.
 *   list   STATUS <mailbox> (UIDVALIDITY UIDNEXT MESSAGES); NOOP on the
 *          mailbox (its view lags like STATUS's: SEARCH right after a
 *          pause missed new mail); then UID SEARCH UID lo:hi on
 *          <mailbox>;UIDVALIDITY=v with explicit bounds below UIDNEXT
 *          (never "n:*", which always holds the highest UID). Each window
 *          holds at most 5000 mails: when more remain, `UID SEARCH <n>` (a
 *          message number) gives the UID where the window ends, so sparse
 *          UIDs cost no extra searches and no answer line grows past
 *          curl's buffer (long lines are cut silently in 7.88).
 *   fetch  the URL <mailbox>;UIDVALIDITY=v/;UID=n (UID FETCH BODY[]: the
 *          exact bytes). A changed UIDVALIDITY fails the SELECT with
 *          CURLE_REMOTE_FILE_NOT_FOUND: a temporary error, list again.
 *   move   UID MOVE, or UID COPY + UID STORE \Deleted + UID EXPUNGE
 *          (UIDPLUS); a server with neither is refused at open, since a
 *          plain EXPUNGE would remove other clients' deleted mail too. On
 *          a failure, a UID no longer in the mailbox counts as moved, and
 *          so does a position from before a UIDVALIDITY change: it names
 *          no mail now (if the mail is still there, list returns it under
 *          its new UID and the store knows it by Message-ID and sha256).
 *   wait   IMAP IDLE on a third connection (imap_idle.c), or STATUS
 *          (UIDNEXT) on the server connection every poll_interval seconds.
 * Mailbox names are sent as quoted strings in modified UTF-7, and in
 * URLs percent-encoded. The password goes to curl only; curl's verbose
 * mode, which would print the login, is never switched on. */
#include "intake.h"
#include "wake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <poll.h>

#include <curl/curl.h>

#include "buf.h"
#include "imap_idle.h"
#include "imap_proto.h"
#include "log.h"
#include "xmalloc.h"

#define SEARCH_WINDOW	5000		/* UIDs per SEARCH answer, at most */
/* Tests shrink the window through this variable to exercise the windows
 * on a few mails, and hide capabilities ("MOVE IDLE") through the other to
 * exercise the paths for servers without them. */
#define SEARCH_WINDOW_ENV "CLERK_TEST_IMAP_SEARCH_WINDOW"
#define HIDE_CAPS_ENV "CLERK_TEST_IMAP_HIDE_CAPS"
#define CURL_BUFFER	(512L * 1024)	/* curl's largest: long SEARCH lines */

struct intake {
	char		*url;		/* owned: scheme://host:port */
	enum tls_mode	 tls;
	char		*user;		/* owned */
	char		*password;	/* owned, secret: wiped on close */
	char		*ca_file;	/* owned, may be NULL */
	char		*mailbox;	/* owned: as configured (UTF-8) */
	char		*mailbox_wire;	/* owned: modified UTF-7 */
	char		*mailbox_url;	/* owned: url/<escaped wire> */
	char		*dest_wire[2];	/* owned: processed, quarantine */
	char		*source;	/* owned: "imap:<mailbox>" */
	char		 mailbox_log[256];	/* the mailbox as a log value */
	int		 poll_interval;	/* seconds */
	int64_t		 window;	/* UIDs per SEARCH */
	unsigned	 caps;		/* IMAP_CAP_* */
	int		 global;	/* curl_global_init done */

	CURL		*curl;		/* owned: the mailbox connection */
	CURL		*scurl;		/* owned: server commands, never selects */
	struct imap_idle *idle;		/* owned, NULL: poll instead */
	int64_t		 list_uidvalidity;	/* what the last list saw */
	int64_t		 list_uidnext;

	struct buf	 body;		/* untagged lines of the current command */
	struct buf	*sink;		/* where curl writes: &body or a fetch buffer */
	struct buf	 lastline;	/* the last server line: the tagged answer */
	CURLcode	 last_rc;
	char		 errbuf[CURL_ERROR_SIZE];
};

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct intake *in = arg;

	buf_append(in->sink, p, size * n);
	return size * n;
}

static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct intake *in = arg;
	size_t len = size * n;

	buf_reset(&in->lastline);
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	buf_append(&in->lastline, p, len);
	return size * n;
}

/* "imaps://host:993/x;starttls" -> "imaps://host:993": the mailbox comes
 * from the configuration, ";starttls" only chose the TLS mode there. */
static char *
base_url(const char *url)
{
	const char *auth = strstr(url, "://");
	struct buf b = BUF_INIT;
	char *s, *semi;

	if (auth == NULL)
		return NULL;
	auth += 3;
	buf_append(&b, url, (size_t)(auth - url) + strcspn(auth, "/?#"));
	s = buf_steal(&b);
	while ((semi = strstr(s, ";starttls")) != NULL)
		memmove(semi, semi + 9, strlen(semi + 9) + 1);
	if (strlen(s) == (size_t)(auth - url)) {
		free(s);
		return NULL;
	}
	return s;
}

/* Is a NO answer something that may pass? */
static int
no_is_temporary(const char *line)
{
	static const char *const permanent[] = { "NONEXISTENT", "TRYCREATE", "NOPERM",
	    "CANNOT", "ALREADYEXISTS", "AUTHORIZATIONFAILED", "AUTHENTICATIONFAILED" };

	for (size_t i = 0; i < sizeof(permanent) / sizeof(permanent[0]); i++)
		if (imap_has_resp_code(line, permanent[i]))
			return 0;
	return 1;
}

/* Fills err from a failed transfer: curl's reason, a hint, the server's
 * answer when it refused a command. */
static void
curl_fail(struct intake *in, CURLcode rc, const char *what, struct clerk_err *err)
{
	const char *line = buf_str(&in->lastline);
	int temporary = imap_curl_temporary(rc);

	if (rc == CURLE_QUOTE_ERROR) {
		/* "<tag> NO|BAD text": BAD is our bug or an unsupported command */
		const char *st = strchr(line, ' ');

		temporary = st != NULL && strncasecmp(st + 1, "NO", 2) == 0 &&
		    no_is_temporary(line);
		err_set(err, temporary ? ERR_TEMP : ERR_FINAL, "IMAP %s refused by %s: %s", what, in->url,
		    line[0] ? line : "(no answer)");
		return;
	}
	err_set(err, temporary ? ERR_TEMP : ERR_FINAL, "IMAP %s at %s failed: %s%s", what, in->url,
	    in->errbuf[0] ? in->errbuf : curl_easy_strerror(rc), imap_curl_hint(rc));
}

/* One transfer: `custom` NULL for a plain URL fetch. Untagged answers go
 * to in->body (emptied first) or to `sink`. */
static int
perform(struct intake *in, CURL *curl, const char *url, const char *custom, struct buf *sink,
    const char *what, struct clerk_err *err)
{
	CURLcode rc;

	buf_reset(&in->body);
	buf_reset(&in->lastline);
	in->errbuf[0] = '\0';
	in->sink = sink != NULL ? sink : &in->body;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, custom);
	rc = curl_easy_perform(curl);
	in->sink = &in->body;
	in->last_rc = rc;
	if (rc == CURLE_OK)
		return 0;
	curl_fail(in, rc, what, err);
	return -1;
}

/* A command on the server URL, on the connection that never selects a
 * mailbox: Dovecot answers STATUS of the selected mailbox from the
 * session's view, which misses mail that came after its last command. */
static int
server_command(struct intake *in, const char *cmd, const char *what, struct clerk_err *err)
{
	char *url = xasprintf("%s/", in->url);
	int rc = perform(in, in->scurl, url, cmd, NULL, what, err);

	free(url);
	return rc;
}

/* A command on the mailbox, SELECTed by curl with UIDVALIDITY checked. */
static int
mailbox_command(struct intake *in, int64_t uidvalidity, const char *cmd, const char *what,
    struct clerk_err *err)
{
	char *url = xasprintf("%s;UIDVALIDITY=%lld", in->mailbox_url, (long long)uidvalidity);
	int rc = perform(in, in->curl, url, cmd, NULL, what, err);

	if (rc != 0 && in->last_rc == CURLE_REMOTE_FILE_NOT_FOUND)
		err_set(err, ERR_TEMP, "IMAP %s: mailbox '%s' changed (UIDVALIDITY is no longer %lld): "
		    "list it again", what, in->mailbox, (long long)uidvalidity);
	free(url);
	return rc;
}

static int
mailbox_status(struct intake *in, int64_t *uidvalidity, int64_t *uidnext, int64_t *messages,
    struct clerk_err *err)
{
	struct buf cmd = BUF_INIT;
	int rc = -1;

	*uidvalidity = *uidnext = *messages = -1;
	buf_append_str(&cmd, "STATUS ");
	imap_append_quoted(&cmd, in->mailbox_wire);
	buf_append_str(&cmd, " (UIDVALIDITY UIDNEXT MESSAGES)");
	if (server_command(in, buf_str(&cmd), "STATUS", err) != 0)
		goto out;
	if (imap_parse_status(buf_str(&in->body), uidvalidity, uidnext, messages) != 0 ||
	    *uidvalidity <= 0 || *uidnext <= 0 || *messages < 0) {
		err_set(err, ERR_TEMP, "IMAP STATUS of '%s' at %s: unexpected answer", in->mailbox,
		    in->url);
		goto out;
	}
	rc = 0;
out:
	buf_free(&cmd);
	return rc;
}

/* CREATE the folder unless it exists. */
static int
ensure_folder(struct intake *in, const char *wire, const char *name, struct clerk_err *err)
{
	struct buf cmd = BUF_INIT;
	char *answer = NULL;
	int rc = -1;

	buf_append_str(&cmd, "CREATE ");
	imap_append_quoted(&cmd, wire);
	if (server_command(in, buf_str(&cmd), "CREATE", err) == 0) {
		char q[256];

		log_info(NULL, "imap_folder_created", "url=%s folder=%s", in->url,
		    log_quote(q, sizeof(q), name));
		rc = 0;
		goto out;
	}
	if (in->last_rc != CURLE_QUOTE_ERROR)
		goto out;
	answer = xstrdup(buf_str(&in->lastline));
	if (imap_has_resp_code(answer, "ALREADYEXISTS")) {
		rc = 0;
		goto out;
	}
	/* A server without response codes: does it exist after all? */
	buf_reset(&cmd);
	buf_append_str(&cmd, "LIST \"\" ");
	imap_append_quoted(&cmd, wire);
	if (server_command(in, buf_str(&cmd), "LIST", err) != 0)
		goto out;
	if (imap_list_has(buf_str(&in->body), wire)) {
		rc = 0;
		goto out;
	}
	err_set(err, no_is_temporary(answer) ? ERR_TEMP : ERR_FINAL, "IMAP: cannot create folder '%s' at %s: %s",
	    name, in->url, answer);
out:
	free(answer);
	buf_free(&cmd);
	return rc;
}

static void imap_close(struct intake *in);

static int
imap_open(const struct config *cfg, struct intake **out, struct clerk_err *err)
{
	const char *names[3] = { cfg->intake.mailbox, cfg->intake.processed,
	    cfg->intake.quarantine };
	char *wires[3] = { NULL, NULL, NULL }, quser[256];
	struct intake *in = NULL;
	int64_t v, next, count;
	int rc = -1;

	if (cfg->intake.kind != INTAKE_IMAP || cfg->intake.url == NULL ||
	    cfg->intake.user == NULL || cfg->intake.password == NULL) {
		err_set(err, ERR_FINAL, "IMAP intake: [intake] needs url, user and password_file");
		return -1;
	}
	for (int i = 0; i < 3; i++) {
		if (names[i] == NULL || (wires[i] = imap_mailbox_wire(names[i])) == NULL) {
			err_set(err, ERR_FINAL, "IMAP intake: folder name '%s' is empty, not UTF-8 or "
			    "holds control characters", names[i] ? names[i] : "");
			goto out;
		}
	}
	for (int i = 1; i < 3; i++) {
		if (strcmp(wires[i], wires[0]) == 0 || (strcasecmp(wires[i], "INBOX") == 0 &&
		    strcasecmp(wires[0], "INBOX") == 0)) {
			err_set(err, ERR_FINAL, "IMAP intake: the %s folder '%s' is the mailbox itself",
			    i == 1 ? "processed" : "quarantine", names[i]);
			goto out;
		}
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(err, ERR_TEMP, "IMAP intake: curl_global_init failed");
		goto out;
	}
	in = xcalloc(1, sizeof(*in));
	in->global = 1;
	in->sink = &in->body;
	if ((in->url = base_url(cfg->intake.url)) == NULL) {
		err_set(err, ERR_FINAL, "IMAP intake: bad url '%s'", cfg->intake.url);
		goto out;
	}
	in->tls = cfg->intake.tls;
	in->user = xstrdup(cfg->intake.user);
	in->password = xstrdup(cfg->intake.password);
	in->ca_file = cfg->intake.ca_file != NULL ? xstrdup(cfg->intake.ca_file) : NULL;
	in->mailbox = xstrdup(cfg->intake.mailbox);
	in->mailbox_wire = wires[0];
	in->dest_wire[INTAKE_TO_PROCESSED] = wires[1];
	in->dest_wire[INTAKE_TO_QUARANTINE] = wires[2];
	wires[0] = wires[1] = wires[2] = NULL;
	{
		char *esc = imap_url_escape(in->mailbox_wire);

		in->mailbox_url = xasprintf("%s/%s", in->url, esc);
		free(esc);
	}
	in->source = xasprintf("imap:%s", in->mailbox);
	log_quote(in->mailbox_log, sizeof(in->mailbox_log), in->mailbox);
	in->poll_interval = cfg->intake.poll_interval > 0 ? cfg->intake.poll_interval : 60;
	in->window = SEARCH_WINDOW;
	if (getenv(SEARCH_WINDOW_ENV) != NULL && atoi(getenv(SEARCH_WINDOW_ENV)) > 0)
		in->window = atoi(getenv(SEARCH_WINDOW_ENV));

	if ((in->curl = curl_easy_init()) == NULL || (in->scurl = curl_easy_init()) == NULL) {
		err_set(err, ERR_TEMP, "IMAP intake: curl_easy_init failed");
		goto out;
	}
	{
		struct imap_conn_params p = { in->url, in->tls, in->user, in->password,
		    in->ca_file };
		CURL *both[2] = { in->curl, in->scurl };

		for (int h = 0; h < 2; h++) {
			/* Before the first transfer: curl 7.88 cuts longer lines
			 * silently. */
			curl_easy_setopt(both[h], CURLOPT_BUFFERSIZE, CURL_BUFFER);
			imap_curl_setopts(both[h], &p, in->errbuf);
			curl_easy_setopt(both[h], CURLOPT_WRITEFUNCTION, write_cb);
			curl_easy_setopt(both[h], CURLOPT_WRITEDATA, in);
			curl_easy_setopt(both[h], CURLOPT_HEADERFUNCTION, header_cb);
			curl_easy_setopt(both[h], CURLOPT_HEADERDATA, in);
		}

		if (server_command(in, "CAPABILITY", "login", err) != 0)
			goto out;
		in->caps = imap_parse_capability(buf_str(&in->body));
		if (getenv(HIDE_CAPS_ENV) != NULL) {
			char *hide = xasprintf("* CAPABILITY %s\r\n", getenv(HIDE_CAPS_ENV));

			in->caps &= ~imap_parse_capability(hide);
			free(hide);
		}
		if (!(in->caps & (IMAP_CAP_MOVE | IMAP_CAP_UIDPLUS))) {
			err_set(err, ERR_FINAL, "IMAP intake: %s offers neither MOVE nor UIDPLUS; clerk "
			    "will not EXPUNGE the whole mailbox (other clients' deleted mail)",
			    in->url);
			goto out;
		}
		for (int d = 0; d < 2; d++) {
			if (d == 1 && strcmp(in->dest_wire[1], in->dest_wire[0]) == 0)
				break;
			if (ensure_folder(in, in->dest_wire[d], d ? cfg->intake.quarantine :
			    cfg->intake.processed, err) != 0)
				goto out;
		}
		if (mailbox_status(in, &v, &next, &count, err) != 0)
			goto out;
		if (cfg->intake.idle && (in->caps & IMAP_CAP_IDLE))
			in->idle = imap_idle_new(&p, in->mailbox_wire);
	}
	log_info(NULL, "intake_open", "backend=imap url=%s user=%s mailbox=%s messages=%lld "
	    "uidvalidity=%lld move=%s uidplus=%s wait=%s", in->url,
	    log_quote(quser, sizeof(quser), in->user), in->mailbox_log,
	    (long long)count, (long long)v, in->caps & IMAP_CAP_MOVE ? "yes" : "no",
	    in->caps & IMAP_CAP_UIDPLUS ? "yes" : "no", in->idle != NULL ? "idle" : "poll");
	*out = in;
	in = NULL;
	rc = 0;
out:
	for (int i = 0; i < 3; i++)
		free(wires[i]);
	imap_close(in);
	return rc;
}

static const char *
imap_source(struct intake *in)
{
	return in->source;
}

static int
cmp_uid(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* UIDs of one SEARCH, for a command on the mailbox. */
static int
search(struct intake *in, int64_t uidvalidity, const char *cmd, int64_t **v, size_t *n,
    size_t *cap, struct clerk_err *err)
{
	if (mailbox_command(in, uidvalidity, cmd, "SEARCH", err) != 0)
		return -1;
	if (imap_parse_search(buf_str(&in->body), v, n, cap) != 0) {
		err_set(err, ERR_TEMP, "IMAP SEARCH in '%s': unexpected answer", in->mailbox);
		return -1;
	}
	return 0;
}

static int
imap_list(struct intake *in, struct intake_pos **pos, size_t *npos, struct clerk_err *err)
{
	int64_t uidvalidity, uidnext, messages, lo, top, *uids = NULL, *tmp = NULL;
	size_t n = 0, cap = 0, ntmp = 0, tmpcap = 0, count = 0, searches = 0;
	struct intake_pos *out = NULL;
	int rc = -1;

	*pos = NULL;
	*npos = 0;
	if (mailbox_status(in, &uidvalidity, &uidnext, &messages, err) != 0)
		goto out;
	if (in->list_uidvalidity != 0 && in->list_uidvalidity != uidvalidity)
		log_warn(NULL, "imap_uidvalidity_changed", "mailbox=%s from=%lld to=%lld",
		    in->mailbox_log, (long long)in->list_uidvalidity, (long long)uidvalidity);
	/* The selected mailbox's view is as old as the last command on that
	 * connection (Dovecot syncs after each command): NOOP brings in all
	 * mail below uidnext before SEARCH looks. */
	if (messages > 0 && mailbox_command(in, uidvalidity, "NOOP", "NOOP", err) != 0)
		goto out;
	top = uidnext - 1;
	for (lo = 1; messages > 0 && lo <= top;) {
		int64_t hi = top;
		char *cmd;

		if (messages - (int64_t)count > in->window) {
			/* The UID of message number count+WINDOW ends this window. */
			ntmp = 0;
			cmd = xasprintf("UID SEARCH %lld", (long long)(count + in->window));
			searches++;
			if (search(in, uidvalidity, cmd, &tmp, &ntmp, &tmpcap, err) == 0 &&
			    ntmp == 1 && tmp[0] >= lo && tmp[0] < top)
				hi = tmp[0];
			else if (in->last_rc == CURLE_REMOTE_FILE_NOT_FOUND) {
				free(cmd);
				goto out;
			} else
				hi = lo + in->window - 1 < top ? lo + in->window - 1 : top;
			free(cmd);
		}
		ntmp = 0;
		cmd = xasprintf("UID SEARCH UID %lld:%lld", (long long)lo, (long long)hi);
		searches++;
		rc = search(in, uidvalidity, cmd, &tmp, &ntmp, &tmpcap, err);
		free(cmd);
		if (rc != 0)
			goto out;
		rc = -1;
		for (size_t i = 0; i < ntmp; i++) {
			if (tmp[i] < lo || tmp[i] > hi)
				continue;
			uids = xgrow(uids, &cap, n + 1, sizeof(*uids));
			uids[n++] = tmp[i];
			count++;
		}
		lo = hi + 1;
	}
	if (n > 1)
		qsort(uids, n, sizeof(*uids), cmp_uid);
	out = n > 0 ? xcalloc(n, sizeof(*out)) : NULL;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && uids[i] == uids[i - 1])
			continue;
		out[*npos].uidvalidity = uidvalidity;
		out[*npos].uid = uids[i];
		(*npos)++;
	}
	in->list_uidvalidity = uidvalidity;
	in->list_uidnext = uidnext;
	*pos = out;
	out = NULL;
	log_debug(NULL, "imap_list", "mailbox=%s uidvalidity=%lld uidnext=%lld new=%zu "
	    "searches=%zu", in->mailbox_log, (long long)uidvalidity,
	    (long long)uidnext, *npos, searches);
	rc = 0;
out:
	free(out);
	free(uids);
	free(tmp);
	return rc;
}

static int
check_pos(const struct intake *in, const struct intake_pos *pos, struct clerk_err *err)
{
	if (pos->uid <= 0 || pos->uid > UINT32_MAX || pos->uidvalidity <= 0 ||
	    pos->uidvalidity > UINT32_MAX) {
		err_set(err, ERR_FINAL, "IMAP intake '%s': bad position uidvalidity=%lld uid=%lld",
		    in->mailbox, (long long)pos->uidvalidity, (long long)pos->uid);
		return -1;
	}
	return 0;
}

static int
imap_fetch(struct intake *in, const struct intake_pos *pos, struct buf *raw,
    struct clerk_err *err)
{
	char *url;
	int rc;

	buf_reset(raw);
	if (check_pos(in, pos, err) != 0)
		return -1;
	url = xasprintf("%s;UIDVALIDITY=%lld/;UID=%lld", in->mailbox_url,
	    (long long)pos->uidvalidity, (long long)pos->uid);
	rc = perform(in, in->curl, url, NULL, raw, "FETCH", err);
	free(url);
	if (rc != 0) {
		buf_reset(raw);
		/* curl says the same for both: its errbuf tells them apart */
		if (in->last_rc == CURLE_REMOTE_FILE_NOT_FOUND && strstr(in->errbuf, "UIDVALIDITY"))
			err_set(err, ERR_TEMP, "IMAP FETCH: mailbox '%s' changed (UIDVALIDITY is no "
			    "longer %lld): list it again", in->mailbox, (long long)pos->uidvalidity);
		else if (in->last_rc == CURLE_REMOTE_FILE_NOT_FOUND)
			err_set(err, ERR_TEMP, "IMAP FETCH: UID %lld is no longer in '%s': list it again",
			    (long long)pos->uid, in->mailbox);
		return -1;
	}
	log_debug(NULL, "imap_fetch", "mailbox=%s uid=%lld bytes=%zu", in->mailbox_log,
	    (long long)pos->uid, raw->len);
	return 0;
}

/* 1 when the UID is still in the mailbox, 0 when not, -1 on error. */
static int
uid_present(struct intake *in, const struct intake_pos *pos, struct clerk_err *err)
{
	int64_t *v = NULL;
	size_t n = 0, cap = 0;
	char *cmd = xasprintf("UID SEARCH UID %lld", (long long)pos->uid);
	int rc = search(in, pos->uidvalidity, cmd, &v, &n, &cap, err);

	if (rc == 0) {
		rc = 0;
		for (size_t i = 0; i < n; i++)
			if (v[i] == pos->uid)
				rc = 1;
	}
	free(v);
	free(cmd);
	return rc;
}

static int
imap_move(struct intake *in, const struct intake_pos *pos, enum intake_dest dest,
    struct clerk_err *err)
{
	const char *folder = in->dest_wire[dest == INTAKE_TO_QUARANTINE];
	struct buf cmd = BUF_INIT;
	struct clerk_err e2;
	int rc = -1, present;

	if (check_pos(in, pos, err) != 0)
		return -1;
	if (in->caps & IMAP_CAP_MOVE) {
		buf_printf(&cmd, "UID MOVE %lld ", (long long)pos->uid);
		imap_append_quoted(&cmd, folder);
		rc = mailbox_command(in, pos->uidvalidity, buf_str(&cmd), "UID MOVE", err);
	} else {
		buf_printf(&cmd, "UID COPY %lld ", (long long)pos->uid);
		imap_append_quoted(&cmd, folder);
		rc = mailbox_command(in, pos->uidvalidity, buf_str(&cmd), "UID COPY", err);
		if (rc == 0) {
			buf_reset(&cmd);
			buf_printf(&cmd, "UID STORE %lld +FLAGS.SILENT (\\Deleted)",
			    (long long)pos->uid);
			rc = mailbox_command(in, pos->uidvalidity, buf_str(&cmd), "UID STORE",
			    err);
		}
		if (rc == 0) {
			buf_reset(&cmd);
			buf_printf(&cmd, "UID EXPUNGE %lld", (long long)pos->uid);
			rc = mailbox_command(in, pos->uidvalidity, buf_str(&cmd), "UID EXPUNGE",
			    err);
		}
	}
	/* A position from before a UIDVALIDITY change names no mail any more:
	 * nothing to move by it. If the mail is still there, the next list
	 * returns it under a new UID and the store knows it by Message-ID and
	 * sha256; moving "UID n" now could move a different mail. */
	if (rc != 0 && in->last_rc == CURLE_REMOTE_FILE_NOT_FOUND) {
		int64_t v, next, count;

		if (mailbox_status(in, &v, &next, &count, &e2) == 0 && v != pos->uidvalidity) {
			log_warn(NULL, "imap_move_stale", "mailbox=%s uid=%lld uidvalidity=%lld "
			    "now=%lld", in->mailbox_log, (long long)pos->uid,
			    (long long)pos->uidvalidity, (long long)v);
			rc = 0;
		}
	}
	/* Refused because it is gone already (moved before a crash)? */
	if (rc != 0 && in->last_rc == CURLE_QUOTE_ERROR) {
		present = uid_present(in, pos, &e2);
		if (present == 0) {
			log_info(NULL, "imap_move_gone", "mailbox=%s uid=%lld", in->mailbox_log,
			    (long long)pos->uid);
			rc = 0;
		}
	}
	if (rc == 0)
		log_debug(NULL, "imap_move", "mailbox=%s uid=%lld to=%s", in->mailbox_log,
		    (long long)pos->uid, dest == INTAKE_TO_QUARANTINE ? "quarantine" : "processed");
	buf_free(&cmd);
	return rc;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Without IDLE: STATUS (UIDNEXT) now (mail may have come since the list)
 * and then every poll_interval seconds, asleep in between. */
static int
poll_wait(struct intake *in, long timeout_ms, volatile int *stop, struct clerk_err *err)
{
	long long deadline = now_ms() + timeout_ms, next_check = 0;
	int64_t base_v = in->list_uidvalidity, base_next = in->list_uidnext;

	for (;;) {
		long long now = now_ms(), ms;

		if ((stop != NULL && *stop) || now >= deadline)
			return 0;
		if (now >= next_check) {
			int64_t v, next, count;
			struct clerk_err e;

			if (mailbox_status(in, &v, &next, &count, &e) != 0) {
				if (!e.temporary) {
					*err = e;
					return -1;
				}
				char q[600];

				log_warn(NULL, "imap_poll_failed", "error=%s",
				    log_quote(q, sizeof(q), e.msg));
			} else if (base_v == 0) {
				base_v = v, base_next = next;	/* no list yet */
			} else if (v != base_v || next > base_next) {
				return 1;
			}
			next_check = now_ms() + in->poll_interval * 1000LL;
		}
		now = now_ms();
		ms = (next_check < deadline ? next_check : deadline) - now;
		if (ms > 0)
			wake_poll(NULL, 0, ms);
	}
}

static int
imap_wait(struct intake *in, long timeout_ms, volatile int *stop, struct clerk_err *err)
{
	if (in->idle != NULL) {
		struct clerk_err e;
		int rc = imap_idle_wait(in->idle, in->list_uidvalidity, in->list_uidnext,
		    timeout_ms, stop, &e);

		if (rc >= 0)
			return rc;
		/* Refused for good (IDLE, login, certificate): polling will
		 * tell whether the main connection still works. */
		char q[600];

		log_warn(NULL, "imap_idle_off", "fallback=poll poll_interval=%d error=%s",
		    in->poll_interval, log_quote(q, sizeof(q), e.msg));
		imap_idle_free(in->idle);
		in->idle = NULL;
	}
	return poll_wait(in, timeout_ms, stop, err);
}

static void
imap_close(struct intake *in)
{
	if (in == NULL)
		return;
	imap_idle_free(in->idle);
	if (in->curl != NULL)
		curl_easy_cleanup(in->curl);	/* LOGOUT */
	if (in->scurl != NULL)
		curl_easy_cleanup(in->scurl);
	free(in->url);
	free(in->user);
	if (in->password != NULL) {
		explicit_bzero(in->password, strlen(in->password));
		free(in->password);
	}
	free(in->ca_file);
	free(in->mailbox);
	free(in->mailbox_wire);
	free(in->mailbox_url);
	free(in->dest_wire[0]);
	free(in->dest_wire[1]);
	free(in->source);
	buf_free(&in->body);
	buf_free(&in->lastline);
	if (in->global)
		curl_global_cleanup();
	free(in);
}

const struct intake_ops intake_imap_ops = {
	.name = "imap",
	.open = imap_open,
	.source = imap_source,
	.list = imap_list,
	.fetch = imap_fetch,
	.move = imap_move,
	.wait = imap_wait,
	.close = imap_close,
};
