/* Containment of libetpan (shared TECH.md: a heap overflow on some hostile
 * boundaries): every untrusted mail is parsed first by a worker process;
 * only when the worker came back is it parsed again in this process.
 *
 * The worker is forked once and then parses one mail per request over a
 * socket pair, so a mail costs a round trip instead of a fork of the whole
 * daemon (a fork copies its page tables: about a millisecond, twice per
 * signed mail). A worker that crashes or runs out of time is reaped, the
 * mail is reported, and the next request forks a new one. The worker
 * holds no other descriptor of ours (a mail connection it kept open would
 * outlive its close) and is replaced after WORKER_REQUESTS mails, so
 * whatever libetpan leaks stays small. */
#include "mail.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"

#define WORKER_REQUESTS	2000
#define WORKER_FD	3

struct request {
	uint64_t		len;
	struct mail_limits	lim;
};

static struct {
	pid_t		pid;
	int		fd;
	unsigned	served;
} worker = { -1, -1, 0 };

/* The worker's life: a request, a parse under an alarm, one byte back. */
static void __attribute__((noreturn))
worker_main(void)
{
	struct request rq;
	sigset_t none;
	int fd;

	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO && fd != WORKER_FD)
			close(fd);
	}
	signal(SIGALRM, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (;;) {
		struct mail *m = NULL;
		struct clerk_err e;
		char *raw;
		int r = fd_read_all(WORKER_FD, &rq, sizeof(rq));

		if (r == 0)
			_exit(0);
		if (r < 0 || rq.len > rq.lim.max_size + 1 || rq.len > SIZE_MAX - 1)
			_exit(3);
		if ((raw = malloc((size_t)rq.len + 1)) == NULL)
			_exit(4);
		if (rq.len > 0 && fd_read_all(WORKER_FD, raw, (size_t)rq.len) != 1)
			_exit(3);
		raw[rq.len] = '\0';
		alarm(rq.lim.max_seconds);
		(void)mail_parse(raw, (size_t)rq.len, &rq.lim, &m, &e);
		alarm(0);
		mail_free(m);
		free(raw);
		if (fd_write_all(WORKER_FD, "k", 1) != 0)
			_exit(0);
	}
}

static void
worker_stop(void)
{
	if (worker.fd >= 0)
		close(worker.fd);
	if (worker.pid > 0) {
		int status;

		(void)kill(worker.pid, SIGKILL);
		while (waitpid(worker.pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	worker.pid = -1;
	worker.fd = -1;
	worker.served = 0;
}

static int
worker_start(struct clerk_err *err)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		err_set(err, ERR_TEMP, "MIME parser: socketpair: %s", strerror(errno));
		return -1;
	}
	/* The child must not write out the parent's pending stdio again. */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err_set(err, ERR_TEMP, "MIME parser: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* Keep only the worker's end, as WORKER_FD. */
		if (dup2(sv[1], WORKER_FD) < 0)
			_exit(5);
		if (close_range(WORKER_FD + 1, ~0U, 0) != 0)
			for (int fd = WORKER_FD + 1; fd < 1024; fd++)
				(void)close(fd);
		worker_main();
	}
	close(sv[1]);
	worker.pid = pid;
	worker.fd = sv[0];
	worker.served = 0;
	return 0;
}

/* The worker ended (or was stopped): why, as the message to quarantine by. */
static void
worker_died(unsigned secs, int timed_out, struct clerk_err *err)
{
	pid_t w;
	int status = 0;

	if (timed_out)
		(void)kill(worker.pid, SIGKILL);
	do
		w = waitpid(worker.pid, &status, 0);
	while (w < 0 && errno == EINTR);
	close(worker.fd);
	worker.pid = -1;
	worker.fd = -1;
	worker.served = 0;
	if (w < 0) {
		err_set(err, ERR_TEMP, "MIME parser: waitpid: %s", strerror(errno));
		return;
	}
	if (timed_out || (WIFSIGNALED(status) && (WTERMSIG(status) == SIGALRM ||
	    WTERMSIG(status) == SIGXCPU)))
		err_set(err, ERR_FINAL, "MIME parser timed out after %u s (signal %d): quarantine "
		    "the mail", secs, WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL);
	else if (WIFSIGNALED(status))
		err_set(err, ERR_FINAL, "MIME parser crashed (signal %d): quarantine the mail",
		    WTERMSIG(status));
	else
		err_set(err, ERR_FINAL, "MIME parser crashed (exit %d): quarantine the mail",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int
mail_parse_isolated(const char *raw, size_t len, const struct mail_limits *lim_in,
    struct mail **out, struct clerk_err *err)
{
	struct mail_limits defl;
	const struct mail_limits *lim = lim_in;
	struct request rq;
	struct pollfd pfd;
	unsigned secs;
	char ok;
	int r, tries;

	*out = NULL;
	if (lim == NULL) {
		mail_limits_default(&defl);
		lim = &defl;
	}
	/* Too large is refused here, as mail_parse would, without sending it. */
	if (len > lim->max_size)
		return mail_parse(raw, len, lim, out, err);
	secs = lim->max_seconds > 0 ? lim->max_seconds : 10;
	memset(&rq, 0, sizeof(rq));
	rq.len = len;
	rq.lim = *lim;
	rq.lim.max_seconds = secs;
	/* A worker that died between two mails fails the send: start anew once. */
	for (tries = 0;; tries++) {
		if (worker.pid > 0 && worker.served >= WORKER_REQUESTS)
			worker_stop();
		if (worker.pid < 0 && worker_start(err) != 0)
			return -1;
		if (fd_write_all(worker.fd, &rq, sizeof(rq)) == 0 &&
		    (len == 0 || fd_write_all(worker.fd, raw, len) == 0))
			break;
		if (tries > 0) {
			worker_died(secs, 0, err);
			return -1;
		}
		worker_stop();
	}
	pfd.fd = worker.fd;
	pfd.events = POLLIN;
	/* The worker's alarm ends it; this is the guard if that fails. */
	do
		r = poll(&pfd, 1, (int)(secs + 2) * 1000);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		worker_died(secs, 1, err);
		return -1;
	}
	if (fd_read_all(worker.fd, &ok, 1) != 1 || ok != 'k') {
		worker_died(secs, 0, err);
		return -1;
	}
	worker.served++;
	return mail_parse(raw, len, lim, out, err);
}
