/* Unit tests of the SMTP outbox against a scripted SMTP server on
 * 127.0.0.1 (a child process of the test): what reaches the server byte for
 * byte, one transaction per row, AUTH, and what each kind of answer does to
 * the row (sent, retried with backoff, failed with a digest item). The real
 * Postfix path is tests/integration/t_20_notices.sh. */
#define _XOPEN_SOURCE 700	/* mkdtemp */

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "outbox.h"
#include "store.h"
#include "store_outbox.h"
#include "xmalloc.h"

#define NOW "2027-02-01T09:00:00"
#define USER "clerk@fgt.test"
#define PASSWORD "s3cret pass"

static char tmpdir[64];
static struct store *st;
static struct clerk_err err;
static struct clock_now now;
static pid_t server = -1;
static int port;

/* ---- the scripted server ---- */

struct conn {
	int	fd;
	char	buf[8192];
	size_t	len;
};

/* One line including CRLF into `line`; 0 at EOF. */
static int
get_line(struct conn *c, struct buf *line)
{
	buf_reset(line);
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t n;

		if (nl != NULL) {
			size_t k = (size_t)(nl - c->buf) + 1;

			buf_append(line, c->buf, k);
			memmove(c->buf, c->buf + k, c->len - k);
			c->len -= k;
			return 1;
		}
		if (c->len == sizeof(c->buf)) {
			buf_append(line, c->buf, c->len);
			c->len = 0;
		}
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n <= 0)
			return 0;
		c->len += (size_t)n;
	}
}

static void
say(struct conn *c, const char *s)
{
	size_t off = 0, len = strlen(s);

	while (off < len) {
		ssize_t n = write(c->fd, s + off, len - off);

		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

static void
log_line(const char *what, const char *line)
{
	char *path = xasprintf("%s/transcript", tmpdir);
	FILE *f = fopen(path, "a");

	if (f != NULL) {
		fprintf(f, "%s %s", what, line);
		if (line[0] == '\0' || line[strlen(line) - 1] != '\n')
			fputc('\n', f);
		fclose(f);
	}
	free(path);
}

static int
starts(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* "\0user\0password" in base64, as AUTH PLAIN sends it. */
static char *
plain_token(void)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char raw[256];
	size_t n = 1 + strlen(USER) + 1 + strlen(PASSWORD);
	struct buf out = BUF_INIT;

	snprintf(raw, sizeof(raw), "%c%s%c%s", 0, USER, 0, PASSWORD);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)raw[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)raw[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)raw[i + 2];
		buf_append_char(&out, b64[(v >> 18) & 63]);
		buf_append_char(&out, b64[(v >> 12) & 63]);
		buf_append_char(&out, i + 1 < n ? b64[(v >> 6) & 63] : '=');
		buf_append_char(&out, i + 2 < n ? b64[v & 63] : '=');
	}
	return buf_steal(&out);
}

static void
session(int fd, int *queued)
{
	struct conn c = { fd, { 0 }, 0 };
	struct buf line = BUF_INIT, data = BUF_INIT;
	char *token = plain_token(), reply[128];
	int authed = 0;

	say(&c, "220 fake.test ESMTP\r\n");
	while (get_line(&c, &line)) {
		const char *l = buf_str(&line);

		log_line("C:", l);
		if (starts(l, "EHLO ")) {
			say(&c, "250-fake.test\r\n250-AUTH PLAIN\r\n250 SIZE 10000000\r\n");
		} else if (starts(l, "AUTH PLAIN")) {
			char *got;

			if (strlen(l) > 12) {
				got = xstrdup(l + 11);
			} else {
				say(&c, "334 \r\n");
				if (!get_line(&c, &line))
					break;
				got = xstrdup(buf_str(&line));
			}
			got[strcspn(got, "\r\n")] = '\0';
			authed = strcmp(got, token) == 0;
			say(&c, authed ? "235 2.7.0 ok\r\n" : "535 5.7.8 bad credentials\r\n");
			log_line("S:", authed ? "235" : "535");
			free(got);
		} else if (starts(l, "MAIL FROM:")) {
			say(&c, authed ? "250 2.1.0 Ok\r\n" : "530 5.7.0 auth first\r\n");
		} else if (starts(l, "RCPT TO:<temp")) {
			say(&c, "451 4.3.0 <temp>: try again later\r\n");
		} else if (starts(l, "RCPT TO:<reject")) {
			say(&c, "550 5.1.1 <reject@example.test>: Recipient address rejected\r\n");
		} else if (starts(l, "RCPT TO:")) {
			say(&c, "250 2.1.5 Ok\r\n");
		} else if (starts(l, "DATA")) {
			char *path;
			FILE *f;

			say(&c, "354 End data with <CR><LF>.<CR><LF>\r\n");
			buf_reset(&data);
			while (get_line(&c, &line) && strcmp(buf_str(&line), ".\r\n") != 0)
				buf_append(&data, line.data, line.len);
			(*queued)++;
			path = xasprintf("%s/data-%d", tmpdir, *queued);
			if ((f = fopen(path, "wb")) != NULL) {
				fwrite(data.data, 1, data.len, f);
				fclose(f);
			}
			free(path);
			snprintf(reply, sizeof(reply), "250 2.0.0 Ok: queued as Q%d\r\n", *queued);
			say(&c, reply);
		} else if (starts(l, "RSET") || starts(l, "NOOP")) {
			say(&c, "250 2.0.0 Ok\r\n");
		} else if (starts(l, "QUIT")) {
			say(&c, "221 2.0.0 Bye\r\n");
			break;
		} else {
			say(&c, "502 5.5.2 unknown\r\n");
		}
	}
	buf_free(&line);
	buf_free(&data);
	free(token);
	close(fd);
}

static int
listen_loopback(int *p)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*p = ntohs(sa.sin_port);
	return fd;
}

static void
server_start(void)
{
	int lfd = listen_loopback(&port);

	server = fork();
	ck_assert_int_ge(server, 0);
	if (server == 0) {
		int queued = 0, fd;

		/* Check's handlers would take the test down with the server. */
		signal(SIGTERM, SIG_DFL);
		signal(SIGALRM, SIG_DFL);

		while ((fd = accept(lfd, NULL, NULL)) >= 0) {
			log_line("S:", "connect");
			session(fd, &queued);
		}
		_exit(0);
	}
	close(lfd);
}

/* A port where nobody listens. */
static int
closed_port(void)
{
	int p, fd = listen_loopback(&p);

	close(fd);
	return p;
}

/* ---- fixture ---- */

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static struct config *
make_config(int p, const char *password, int max_attempts)
{
	struct config *cfg = NULL;
	char *pwf = xasprintf("%s/smtp.password", tmpdir);
	char *text;

	char *auth = xasprintf("user = " USER "\npassword_file = %s\n", pwf);

	write_text(pwf, password ? password : "");
	chmod(pwf, 0600);
	text = xasprintf("[intake]\nmaildir = %s/maildir\n\n"
	    "[smtp]\nurl = smtp://127.0.0.1:%d\n%s"
	    "envelope_from = bounces@fgt.test\nmax_attempts = %d\nretry_seconds = 60\n\n"
	    "[openpgp]\nhome = %s\nfingerprint = 0123456789ABCDEF0123456789ABCDEF01234567\n\n"
	    "[association]\nname = Test\naddress = clerk@fgt.test\nprofile = fgt\n"
	    "workflows = %s\nlanguage = en\ntimezone = Europe/Oslo\n\n"
	    "[officer secretary]\nemail = secretary@fgt.test\n"
	    "fingerprint = 1111111111111111111111111111111111111111\n\n"
	    "[storage]\ndatabase = %s/unused.db\n", tmpdir, p, password ? auth : "",
	    max_attempts, tmpdir, tmpdir, tmpdir);
	ck_assert_msg(config_parse("t.conf", tmpdir, text, strlen(text), &cfg, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(cfg->smtp.tls, TLS_NONE);	/* loopback, plain */
	free(text);
	free(pwf);
	free(auth);
	return cfg;
}

static void
setup(void)
{
	char *db;
	time_t t;

	strcpy(tmpdir, "/tmp/clerk-check-outbox.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	db = xasprintf("%s/clerk.db", tmpdir);
	ck_assert_msg(store_open(db, &st, &err) == 0, "%s", err.msg);
	free(db);
	ck_assert_int_eq(clock_set_timezone("Europe/Oslo", &err), 0);
	ck_assert_int_eq(clock_parse_fixed(NOW, &t, &err), 0);
	clock_from_epoch(t, &now);
	server = -1;
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	if (server > 0) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
	}
	store_close(st);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* A mail as notice_queue stores one: CRLF, 7-bit, with a line that starts
 * with a dot (curl must stuff it) and one that is only a dot. */
static char *
mail_bytes(const char *id)
{
	return xasprintf("From: Test <clerk@fgt.test>\r\nTo: someone\r\nMessage-ID: <%s>\r\n"
	    "Subject: test\r\nMIME-Version: 1.0\r\n\r\nline one\r\n.leading dot\r\n.\r\n"
	    "..two dots\r\nlast line\r\n", id);
}

static void
add_row(const char *id, const char *to)
{
	char *b = mail_bytes(id);

	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_msg(store_outbox_add(st, "FGT-2027-0001", id, to, "bounces@fgt.test",
	    "application_received", NOW, b, strlen(b), OUTBOX_QUEUED, NULL, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(store_commit(st, &err), 0);
	free(b);
}

static struct store_outbox_status
status_of(const char *id)
{
	struct store_outbox_status s;
	int found = 0;

	ck_assert_int_eq(store_outbox_status(st, id, NULL, &s, &found, &err), 0);
	ck_assert_int_eq(found, 1);
	return s;
}

static char *
slurp(const char *name)
{
	struct buf b = BUF_INIT;
	struct clerk_err e;
	char *path = xasprintf("%s/%s", tmpdir, name);

	if (buf_read_file(&b, path, &e) != 0)
		buf_reset(&b);
	free(path);
	return buf_steal(&b);
}

static int
count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static int
on_text(void *arg, int64_t id, const char *at, const char *case_ref, const char *kind,
    const char *text)
{
	(void)id;
	(void)case_ref;
	buf_printf(arg, "%s %s %s\n", at, kind, text);
	return 0;
}

static int
on_event(void *arg, const char *at, const char *kind, const char *detail)
{
	buf_printf(arg, "%s %s %s\n", at, kind, detail);
	return 0;
}

static void
at_offset(long seconds, struct clock_now *out)
{
	clock_from_epoch(now.epoch + seconds, out);
}

/* ---- tests ---- */

START_TEST(backoff_doubles_and_caps)
{
	ck_assert_int_eq(outbox_backoff(60, 0), 60);
	ck_assert_int_eq(outbox_backoff(60, 1), 120);
	ck_assert_int_eq(outbox_backoff(60, 5), 1920);
	ck_assert_int_eq(outbox_backoff(60, 9), 6 * 3600);	/* 30720 capped */
	ck_assert_int_eq(outbox_backoff(60, 1000), 6 * 3600);
	ck_assert_int_eq(outbox_backoff(86400, 0), 6 * 3600);
	ck_assert_int_eq(outbox_backoff(1, 3), 8);
}
END_TEST

START_TEST(sends_exact_bytes_one_transaction_each)
{
	struct config *cfg;
	struct store_outbox_status s;
	struct buf ev = BUF_INIT;
	char *tr, *d1, *d2, *want;
	int sent = -1;
	long ms = 0;

	server_start();
	cfg = make_config(port, PASSWORD, 10);
	add_row("one@fgt.test", "alice@example.test");
	add_row("two@fgt.test", "bob@example.test");
	ck_assert_int_eq(outbox_next_due(st, &now, &ms, &err), 0);
	ck_assert_int_eq(ms, 0);
	ck_assert_msg(outbox_run(cfg, st, &now, NULL, &sent, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(sent, 2);

	tr = slurp("transcript");
	ck_assert_int_eq(count_of(tr, "S: connect"), 1);	/* one connection ... */
	ck_assert_int_eq(count_of(tr, "C: MAIL FROM:<bounces@fgt.test>"), 2);	/* two MAILs */
	ck_assert_int_eq(count_of(tr, "C: RCPT TO:"), 2);
	ck_assert_int_eq(count_of(tr, "S: 235"), 1);	/* AUTH PLAIN, right secret */
	ck_assert_msg(strstr(tr, "RCPT TO:<alice@example.test>\r\nC: DATA") != NULL, "%s", tr);
	ck_assert_msg(strstr(tr, "RCPT TO:<bob@example.test>\r\nC: DATA") != NULL, "%s", tr);
	ck_assert_ptr_null(strstr(tr, PASSWORD));
	/* the stored bytes, dot-stuffed on the wire and nothing else */
	d1 = slurp("data-1");
	d2 = slurp("data-2");
	want = mail_bytes("one@fgt.test");
	ck_assert_ptr_nonnull(strstr(want, "\r\n.leading"));
	{
		struct buf stuffed = BUF_INIT;

		for (const char *p = want; *p; ) {
			size_t n = strcspn(p, "\n") + 1;

			if (*p == '.')
				buf_append_char(&stuffed, '.');
			buf_append(&stuffed, p, n);
			p += n;
		}
		ck_assert_str_eq(d1, buf_str(&stuffed));
		buf_free(&stuffed);
	}
	ck_assert_ptr_nonnull(strstr(d2, "Message-ID: <two@fgt.test>\r\n"));

	s = status_of("one@fgt.test");
	ck_assert_int_eq(s.state, OUTBOX_SENT);
	ck_assert_str_eq(s.reply, "250 2.0.0 Ok: queued as Q1");
	ck_assert_str_eq(s.sent, NOW);
	ck_assert_int_eq(s.attempts, 1);
	store_outbox_status_clear(&s);
	s = status_of("two@fgt.test");
	ck_assert_str_eq(s.reply, "250 2.0.0 Ok: queued as Q2");
	store_outbox_status_clear(&s);
	ck_assert_int_eq(store_events_for_case(st, "FGT-2027-0001", on_event, &ev, &err), 0);
	ck_assert_msg(strstr(buf_str(&ev), "notice-sent message-id=one@fgt.test "
	    "to=alice@example.test reply=\"250 2.0.0 Ok: queued as Q1\"") != NULL, "%s",
	    buf_str(&ev));
	/* nothing left */
	ck_assert_int_eq(outbox_next_due(st, &now, &ms, &err), 0);
	ck_assert_int_eq(ms, -1);
	ck_assert_int_eq(outbox_run(cfg, st, &now, NULL, &sent, &err), 0);
	ck_assert_int_eq(sent, 0);
	free(tr);
	free(d1);
	free(d2);
	free(want);
	buf_free(&ev);
	config_free(cfg);
}
END_TEST

START_TEST(tempfail_backs_off_then_fails)
{
	struct config *cfg;
	struct store_outbox_status s;
	struct clock_now later;
	struct buf dg = BUF_INIT, ev = BUF_INIT;
	char *tr;
	int sent;
	long ms;

	server_start();
	cfg = make_config(port, PASSWORD, 3);
	add_row("temp@fgt.test", "temp@example.test");
	ck_assert_msg(outbox_run(cfg, st, &now, NULL, &sent, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(sent, 0);
	s = status_of("temp@fgt.test");
	ck_assert_int_eq(s.state, OUTBOX_QUEUED);
	ck_assert_int_eq(s.attempts, 1);
	ck_assert_str_eq(s.next_attempt, "2027-02-01T09:01:00");
	ck_assert_str_eq(s.error, "451 4.3.0 <temp>: try again later");
	store_outbox_status_clear(&s);
	ck_assert_int_eq(outbox_next_due(st, &now, &ms, &err), 0);
	ck_assert_int_eq(ms, 60000);

	/* not due yet: no connection at all */
	at_offset(59, &later);
	ck_assert_int_eq(outbox_run(cfg, st, &later, NULL, &sent, &err), 0);
	tr = slurp("transcript");
	ck_assert_int_eq(count_of(tr, "S: connect"), 1);
	free(tr);

	/* second try after 60 s, the next after 120 s more */
	at_offset(60, &later);
	ck_assert_int_eq(outbox_run(cfg, st, &later, NULL, &sent, &err), 0);
	s = status_of("temp@fgt.test");
	ck_assert_int_eq(s.attempts, 2);
	ck_assert_str_eq(s.next_attempt, "2027-02-01T09:03:00");
	store_outbox_status_clear(&s);
	at_offset(180, &later);
	ck_assert_int_eq(outbox_run(cfg, st, &later, NULL, &sent, &err), 0);
	s = status_of("temp@fgt.test");
	ck_assert_int_eq(s.state, OUTBOX_FAILED);
	ck_assert_int_eq(s.attempts, 3);
	ck_assert_msg(strstr(s.error, "(gave up after 3 attempts)") != NULL, "%s", s.error);
	store_outbox_status_clear(&s);
	ck_assert_int_eq(store_digest_unsent(st, "secretary", on_text, &dg, &err), 0);
	ck_assert_msg(strstr(buf_str(&dg), "2027-02-01T09:03:00 info delivery failed: 451 4.3.0 "
	    "<temp>: try again later (gave up after 3 attempts) (notice application_received "
	    "to temp@example.test, Message-ID <temp@fgt.test>)") != NULL, "%s", buf_str(&dg));
	ck_assert_int_eq(store_events_for_case(st, "FGT-2027-0001", on_event, &ev, &err), 0);
	ck_assert_msg(strstr(buf_str(&ev), "notice-failed message-id=temp@fgt.test") != NULL,
	    "%s", buf_str(&ev));
	tr = slurp("transcript");
	ck_assert_int_eq(count_of(tr, "C: RCPT TO:<temp@example.test>"), 3);
	free(tr);
	buf_free(&dg);
	buf_free(&ev);
	config_free(cfg);
}
END_TEST

START_TEST(reject_fails_at_once_and_the_run_goes_on)
{
	struct config *cfg;
	struct store_outbox_status s;
	struct buf dg = BUF_INIT;
	int sent;

	server_start();
	cfg = make_config(port, PASSWORD, 10);
	add_row("rej@fgt.test", "reject@example.test");
	add_row("ok@fgt.test", "carol@example.test");
	ck_assert_msg(outbox_run(cfg, st, &now, NULL, &sent, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(sent, 1);
	s = status_of("rej@fgt.test");
	ck_assert_int_eq(s.state, OUTBOX_FAILED);
	ck_assert_int_eq(s.attempts, 1);
	ck_assert_str_eq(s.error, "550 5.1.1 <reject@example.test>: Recipient address rejected");
	store_outbox_status_clear(&s);
	s = status_of("ok@fgt.test");
	ck_assert_int_eq(s.state, OUTBOX_SENT);
	store_outbox_status_clear(&s);
	ck_assert_int_eq(store_digest_unsent(st, "secretary", on_text, &dg, &err), 0);
	ck_assert_msg(strstr(buf_str(&dg), "info delivery failed: 550 5.1.1 "
	    "<reject@example.test>: Recipient address rejected") != NULL, "%s", buf_str(&dg));
	buf_free(&dg);
	config_free(cfg);
}
END_TEST

START_TEST(server_down_reschedules_and_stops)
{
	struct config *cfg = make_config(closed_port(), PASSWORD, 10);
	struct store_outbox_status s;
	int sent = -1;

	add_row("a@fgt.test", "alice@example.test");
	add_row("b@fgt.test", "bob@example.test");
	ck_assert_int_eq(outbox_run(cfg, st, &now, NULL, &sent, &err), -1);
	ck_assert_int_eq(err.temporary, 1);
	ck_assert_int_eq(sent, 0);
	s = status_of("a@fgt.test");
	ck_assert_int_eq(s.state, OUTBOX_QUEUED);
	ck_assert_int_eq(s.attempts, 1);
	ck_assert_str_eq(s.next_attempt, "2027-02-01T09:01:00");
	ck_assert_ptr_nonnull(s.error);
	store_outbox_status_clear(&s);
	s = status_of("b@fgt.test");	/* not tried: the server is away */
	ck_assert_int_eq(s.attempts, 0);
	store_outbox_status_clear(&s);
	config_free(cfg);
}
END_TEST

START_TEST(wrong_password_is_not_the_rows_fault)
{
	struct config *cfg;
	struct store_outbox_status s;
	int sent = -1;

	server_start();
	cfg = make_config(port, "wrong", 10);
	add_row("a@fgt.test", "alice@example.test");
	ck_assert_int_eq(outbox_run(cfg, st, &now, NULL, &sent, &err), -1);
	ck_assert_int_eq(err.temporary, 0);	/* a person must fix it */
	ck_assert_msg(strstr(err.msg, "password") != NULL, "%s", err.msg);
	s = status_of("a@fgt.test");
	ck_assert_int_eq(s.state, OUTBOX_QUEUED);	/* kept, retried later */
	ck_assert_int_eq(s.attempts, 1);
	store_outbox_status_clear(&s);
	config_free(cfg);
}
END_TEST

START_TEST(sender_refused_is_not_the_rows_fault)
{
	struct config *cfg;
	struct store_outbox_status s;
	int sent = -1;

	server_start();
	cfg = make_config(port, NULL, 2);	/* no AUTH: MAIL FROM gets 530 */
	add_row("a@fgt.test", "alice@example.test");
	add_row("b@fgt.test", "bob@example.test");
	ck_assert_int_eq(outbox_run(cfg, st, &now, NULL, &sent, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_msg(strstr(err.msg, "530 5.7.0 auth first") != NULL, "%s", err.msg);
	s = status_of("a@fgt.test");
	ck_assert_int_eq(s.state, OUTBOX_QUEUED);
	ck_assert_int_eq(s.attempts, 1);
	store_outbox_status_clear(&s);
	s = status_of("b@fgt.test");
	ck_assert_int_eq(s.attempts, 0);
	store_outbox_status_clear(&s);
	/* ... until the retries are used up: then it fails and is reported */
	{
		struct clock_now later;
		struct buf dg = BUF_INIT;

		/* b (due since the start) goes first and stops the run; then a */
		clock_from_epoch(now.epoch + 60, &later);
		ck_assert_int_eq(outbox_run(cfg, st, &later, NULL, &sent, &err), -1);
		s = status_of("b@fgt.test");
		ck_assert_int_eq(s.attempts, 1);
		store_outbox_status_clear(&s);
		ck_assert_int_eq(outbox_run(cfg, st, &later, NULL, &sent, &err), -1);
		s = status_of("a@fgt.test");
		ck_assert_int_eq(s.state, OUTBOX_FAILED);
		store_outbox_status_clear(&s);
		ck_assert_int_eq(store_digest_unsent(st, "secretary", on_text, &dg, &err), 0);
		ck_assert_msg(strstr(buf_str(&dg), "(gave up after 2 attempts)") != NULL, "%s",
		    buf_str(&dg));
		buf_free(&dg);
	}
	config_free(cfg);
}
END_TEST

START_TEST(stop_flag_and_held_rows)
{
	struct config *cfg;
	volatile int stop = 1;
	char *b = mail_bytes("held@fgt.test");
	int sent = -1;

	server_start();
	cfg = make_config(port, PASSWORD, 10);
	add_row("a@fgt.test", "alice@example.test");
	ck_assert_int_eq(outbox_run(cfg, st, &now, &stop, &sent, &err), 0);
	ck_assert_int_eq(sent, 0);
	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_int_eq(store_outbox_add(st, NULL, "held@fgt.test", "alice@example.test",
	    "bounces@fgt.test", "x", NOW, b, strlen(b), OUTBOX_HELD, NULL, &err), 0);
	ck_assert_int_eq(store_commit(st, &err), 0);
	stop = 0;
	ck_assert_int_eq(outbox_run(cfg, st, &now, &stop, &sent, &err), 0);
	ck_assert_int_eq(sent, 1);	/* the queued one; the held one never */
	{
		struct store_outbox_status s = status_of("held@fgt.test");

		ck_assert_int_eq(s.state, OUTBOX_HELD);
		ck_assert_int_eq(s.attempts, 0);
		store_outbox_status_clear(&s);
	}
	free(b);
	config_free(cfg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("outbox");
	TCase *tc = tcase_create("smtp");
	SRunner *sr;
	int failed;

	signal(SIGPIPE, SIG_IGN);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, backoff_doubles_and_caps);
	tcase_add_test(tc, sends_exact_bytes_one_transaction_each);
	tcase_add_test(tc, tempfail_backs_off_then_fails);
	tcase_add_test(tc, reject_fails_at_once_and_the_run_goes_on);
	tcase_add_test(tc, server_down_reschedules_and_stops);
	tcase_add_test(tc, wrong_password_is_not_the_rows_fault);
	tcase_add_test(tc, sender_refused_is_not_the_rows_fault);
	tcase_add_test(tc, stop_flag_and_held_rows);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
