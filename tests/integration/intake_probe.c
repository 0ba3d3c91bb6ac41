/* intake_probe: drives an intake backend from the command line, for the
 * integration tests (t_10_imap_intake.sh) and by hand.
 *
 *   intake_probe CONFIG COMMAND... 
 *
 * Commands run in order on one open intake, as the daemon would:
 *   list               one position per line: UIDVALIDITY:UID (IMAP) or
 *                      the file name in new/ (Maildir)
 *   fetch POS          the raw mail to stdout
 *   move POS processed|quarantine
 *   wait MS            prints "wait=R ms=T woke_at=EPOCH_MS" (R: 1 mail,
 *                      0 timeout or stop); SIGINT/SIGTERM set the stop flag
 *   sleep MS
 *   source             the source's identity
 * Before each wait, "waiting since=EPOCH_MS" goes to stdout (flushed).
 * Exit status: 0 ok, 75 temporary error, 1 permanent error, 2 usage. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "intake.h"
#include "wake.h"
#include "log.h"

static volatile int stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
	wake_notify();
}

static long long
epoch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
usage(void)
{
	fprintf(stderr, "usage: intake_probe CONFIG {list | fetch POS | move POS "
	    "processed|quarantine | wait MS | sleep MS | source}...\n");
	exit(2);
}

static long
number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < 0)
		usage();
	return v;
}

static void
parse_pos(const struct intake_ops *ops, const char *s, struct intake_pos *pos)
{
	memset(pos, 0, sizeof(*pos));
	if (strcmp(ops->name, "imap") == 0) {
		if (sscanf(s, "%" SCNd64 ":%" SCNd64, &pos->uidvalidity, &pos->uid) != 2)
			usage();
	} else
		pos->name = (char *)s;
}

int
main(int argc, char **argv)
{
	const struct intake_ops *ops;
	struct config *cfg = NULL;
	struct intake *in = NULL;
	struct clerk_err err;
	struct sigaction sa;
	int rc = 1, i;

	if (argc < 3)
		usage();
	log_init("intake_probe", 0, LOG_LEVEL_DEBUG);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	wake_init(NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err_clear(&err);

	if (config_load(argv[1], &cfg, &err) != 0) {
		fprintf(stderr, "intake_probe: %s\n", err.msg);
		return 1;
	}
	if ((ops = intake_ops_for(cfg)) == NULL) {
		fprintf(stderr, "intake_probe: no intake configured\n");
		goto out;
	}
	if (ops->open(cfg, &in, &err) != 0)
		goto fail;
	for (i = 2; i < argc; i++) {
		const char *cmd = argv[i];

		if (strcmp(cmd, "list") == 0) {
			struct intake_pos *pos = NULL;
			size_t n = 0;

			if (ops->list(in, &pos, &n, &err) != 0)
				goto fail;
			for (size_t k = 0; k < n; k++) {
				if (pos[k].name != NULL)
					printf("%s\n", pos[k].name);
				else
					printf("%" PRId64 ":%" PRId64 "\n", pos[k].uidvalidity,
					    pos[k].uid);
			}
			intake_pos_free_all(pos, n);
		} else if (strcmp(cmd, "fetch") == 0 && i + 1 < argc) {
			struct intake_pos pos;
			struct buf raw = BUF_INIT;

			parse_pos(ops, argv[++i], &pos);
			if (ops->fetch(in, &pos, &raw, &err) != 0) {
				buf_free(&raw);
				goto fail;
			}
			fwrite(raw.data != NULL ? raw.data : "", 1, raw.len, stdout);
			buf_free(&raw);
		} else if (strcmp(cmd, "move") == 0 && i + 2 < argc) {
			struct intake_pos pos;
			enum intake_dest dest;

			parse_pos(ops, argv[++i], &pos);
			if (strcmp(argv[++i], "processed") == 0)
				dest = INTAKE_TO_PROCESSED;
			else if (strcmp(argv[i], "quarantine") == 0)
				dest = INTAKE_TO_QUARANTINE;
			else
				usage();
			if (ops->move(in, &pos, dest, &err) != 0)
				goto fail;
		} else if (strcmp(cmd, "wait") == 0 && i + 1 < argc) {
			long ms = number(argv[++i]);
			long long t0;
			int r;

			printf("waiting since=%lld\n", epoch_ms());
			fflush(stdout);
			t0 = mono_ms();
			r = ops->wait(in, ms, &stop_flag, &err);
			printf("wait=%d ms=%lld woke_at=%lld\n", r, mono_ms() - t0, epoch_ms());
			fflush(stdout);
			if (r < 0)
				goto fail;
		} else if (strcmp(cmd, "sleep") == 0 && i + 1 < argc) {
			long ms = number(argv[++i]);

			usleep((useconds_t)ms * 1000);
		} else if (strcmp(cmd, "source") == 0) {
			printf("%s\n", ops->source(in));
		} else
			usage();
		fflush(stdout);
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "intake_probe: %s error: %s\n", err.temporary ? "temporary" :
	    "permanent", err.msg);
	rc = err.temporary ? 75 : 1;
out:
	if (in != NULL)
		ops->close(in);
	config_free(cfg);
	return rc;
}
