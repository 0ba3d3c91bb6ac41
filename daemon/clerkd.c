/* clerkd: the daemon. Reads "now" once per cycle, then intake, timers,
 * outbox and digest; between cycles it waits on IMAP IDLE (or a poll) and
 * the next timer. */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "cycle.h"
#include "log.h"
#include "runtime.h"
#include "signer.h"
#include "store.h"
#include "wake.h"

#define DEFAULT_CONFIG SYSCONFDIR "/clerk/clerk.conf"
/* Longest sleep between cycles when nothing wakes us earlier. */
#define MAX_WAIT_MS (25L * 60 * 1000)
/* Pauses after the mail server could not be reached. */
#define BACKOFF_MIN_S 5L
#define BACKOFF_MAX_S 300L
/* How long a second clerkd waits for the first to let go of the lock (a
 * restart overlaps for a moment) before it refuses. */
#define LOCK_WAIT_MS 3000U

static volatile int stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
	wake_notify();
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: clerkd [-c FILE] [--once] [--now YYYY-MM-DDTHH:MM] [--detach] [-v]\n"
	    "\n"
	    "The clerk daemon: takes in the association's mail, moves each case\n"
	    "through its workflow, and answers with signed notices.\n"
	    "\n"
	    "  -c, --config FILE  configuration (default " DEFAULT_CONFIG ")\n"
	    "      --once         run one cycle (intake, timers, outbox, digest) and exit\n"
	    "      --now TIME     fix the clock at TIME (association local time)\n"
	    "      --detach       run in the background, logging to syslog\n"
	    "  -v, --verbose      log debug lines\n"
	    "  -h, --help         show this help\n"
	    "  -V, --version      show the version\n");
}

static int
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked poll() returns so the loop sees the flag. */
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "now", required_argument, NULL, 'n' },
		{ "detach", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = DEFAULT_CONFIG, *now_text = NULL;
	struct config *cfg = NULL;
	struct store *st = NULL;
	struct cycle_ctx cx;
	struct runtime rt;
	struct openpgp *pgp = NULL;
	struct buf diag = BUF_INIT;
	struct clerk_err err;
	enum log_level level;
	time_t fixed = 0;
	long backoff_s = 0;
	int once = 0, detach = 0, verbose = 0, ch, status = 1, have_cx = 0, have_rt = 0;
	int lock_fd = -1;

	while ((ch = getopt_long(argc, argv, "c:vhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': config_path = optarg; break;
		case 'o': once = 1; break;
		case 'n': now_text = optarg; break;
		case 'd': detach = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("clerkd %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "clerkd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	err_clear(&err);
	if (config_load(config_path, &cfg, &err) != 0) {
		fprintf(stderr, "clerkd: %s\n", err.msg);
		return 1;
	}
	if (log_level_parse(cfg->log.level, &level) != 0) {
		fprintf(stderr, "clerkd: %s: [log] level '%s' is not error, warn, info or debug\n",
		    config_path, cfg->log.level);
		goto out;
	}
	if (clock_set_timezone(cfg->association.timezone, &err) != 0 ||
	    (now_text != NULL && clock_parse_fixed(now_text, &fixed, &err) != 0)) {
		fprintf(stderr, "clerkd: %s\n", err.msg);
		goto out;
	}
	/* The signer first, while this process is small: gpg is forked from
	 * it for every OpenPGP operation (signer.h). */
	if (signer_start(cfg->openpgp.home, &pgp, &err) != 0) {
		fprintf(stderr, "clerkd: OpenPGP: %s\n", err.msg);
		goto out;
	}
	/* Everything is checked before the daemon detaches. */
	if (runtime_load_with(cfg, RUNTIME_SEND, pgp, &rt, &diag, &err) != 0) {
		fprintf(stderr, "clerkd: %s\n%s", err.msg, buf_str(&diag));
		goto out;
	}
	have_rt = 1;
	if (wf_profile_marks(rt.wf, runtime_notice_keys, &diag, NULL) > 0) {
		fprintf(stderr, "clerkd: the profile has placeholders that notices or deadlines "
		    "use:\n%s", buf_str(&diag));
		goto out;
	}
	if (openpgp_self_test(rt.pgp, cfg->openpgp.fingerprint, &err) != 0) {
		fprintf(stderr, "clerkd: the association key cannot sign: %s\n", err.msg);
		goto out;
	}
	/* Before the store: a second clerkd (--once included) on the same
	 * configuration would send every notice twice. Taken before detaching
	 * so the refusal reaches the terminal; the child keeps the lock. */
	if (store_daemon_lock(cfg->storage.database, LOCK_WAIT_MS, &lock_fd, &err) != 0) {
		fprintf(stderr, "clerkd: %s\n", err.msg);
		goto out;
	}
	if (detach && (daemon(0, 0) != 0 || store_daemon_lock_owner(lock_fd, &err) != 0)) {
		fprintf(stderr, "clerkd: cannot detach: %s\n", strerror(errno));
		goto out;
	}
	log_init("clerkd", detach, verbose ? LOG_LEVEL_DEBUG : level);
	if (wake_init(&err) != 0 || install_signals() != 0) {
		log_error(NULL, "start", "error=\"cannot install signal handlers\"");
		goto out;
	}
	if (store_open(cfg->storage.database, &st, &err) != 0) {
		log_error(NULL, "start", "error=\"%s\"", err.msg);
		goto out;
	}
	log_info(NULL, "start", "version=%s profile=%s once=%d", PACKAGE_VERSION,
	    cfg->association.profile, once);
	cycle_init(&cx, cfg, st, &rt, &stop_requested);
	have_cx = 1;
	while (!stop_requested) {
		struct clock_now now;
		struct cycle_stats stats;

		clock_read(fixed, &now);
		if (cycle_run(&cx, &now, &stats, &err) != 0) {
			log_error(NULL, "cycle", "error=\"%s\"", err.msg);
			goto out;
		}
		if (once)
			break;
		if (cycle_wait(&cx, &now, MAX_WAIT_MS, &err) < 0) {
			/* The server went away: back off, doubling, before trying
			 * again; SIGTERM still ends the pause at once. */
			backoff_s = backoff_s == 0 ? BACKOFF_MIN_S : backoff_s * 2;
			if (backoff_s > BACKOFF_MAX_S)
				backoff_s = BACKOFF_MAX_S;
			log_warn(NULL, "wait", "error=\"%s\" retry_in=%lds", err.msg, backoff_s);
			wake_poll(NULL, 0, backoff_s * 1000);
			err_clear(&err);
		} else {
			backoff_s = 0;
		}
	}
	log_info(NULL, "stop", "reason=%s", stop_requested ? "signal" : "done");
	status = 0;
out:
	if (have_cx)
		cycle_close(&cx);
	store_close(st);
	store_daemon_unlock(lock_fd);
	if (have_rt)
		runtime_free(&rt);
	buf_free(&diag);
	config_free(cfg);
	return status;
}
