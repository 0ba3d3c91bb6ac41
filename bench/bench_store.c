/* bench_store: the store at association scale. Builds (once) a database of
 * 100,000 members and 1,000,000 cases, each with variables and two timers
 * spread over three years, then measures what the daemon does every cycle:
 * finding the timers due now (store_timers_due) and the next wake-up
 * (store_timer_next), and the peak RSS of the process.
 *
 *   make bench/bench_store && ./bench/bench_store /tmp/clerk-bench.db
 *
 * Not part of `make check`: timings belong in benchmarks, not tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "xmalloc.h"

#define MEMBERS	100000
#define CASES	1000000

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
count_due(void *arg, int64_t case_id, const char *name, const char *due)
{
	(void)case_id; (void)name; (void)due;
	(*(int *)arg)++;
	return 0;
}

static int
fill(struct store *st, struct clerk_err *err)
{
	char email[64], ref[32], due[32], at[] = "2026-01-01T00:00:00";
	double t0 = now_ms();

	for (int m = 0; m < MEMBERS; m++) {
		struct store_member mem;

		if (m % 10000 == 0 && ((m > 0 && store_commit(st, err) != 0) ||
		    store_begin(st, err) != 0))
			return -1;
		memset(&mem, 0, sizeof(mem));
		snprintf(email, sizeof(email), "member%06d@example.test", m);
		mem.email = email;
		mem.name = "Member";
		mem.category = "mfgt";
		mem.status = "active";
		if (store_member_insert(st, &mem, at, err) != 0)
			return -1;
	}
	for (int c = 0; c < CASES; c++) {
		struct store_case sc;
		int day = c % 1095;

		if (c % 10000 == 0) {
			if (store_commit(st, err) != 0 || store_begin(st, err) != 0)
				return -1;
			if (c % 100000 == 0)
				fprintf(stderr, "  %d cases (%.0f s)\n", c, (now_ms() - t0) / 1e3);
		}
		memset(&sc, 0, sizeof(sc));
		snprintf(ref, sizeof(ref), "FGT-%d-%06d", 2026 + c / 500000, c % 500000 + 1);
		snprintf(email, sizeof(email), "member%06d@example.test", c % MEMBERS);
		sc.ref = ref;
		sc.workflow = c % 3 ? "dues" : "application";
		sc.state = "invoiced";
		sc.email = email;
		sc.opened = at;
		if (store_case_insert(st, &sc, err) != 0 ||
		    store_case_var_set(st, sc.id, "owed", "250000", err) != 0)
			return -1;
		/* Timers over three years; most cases' are fired long ago. */
		snprintf(due, sizeof(due), "%04d-%02d-%02dT08:00:00", 2026 + day / 365,
		    day % 365 / 31 + 1, day % 28 + 1);
		if (store_timer_put(st, sc.id, "due", due, "deadline due", c % 10 != 0, at, err) != 0 ||
		    store_timer_put(st, sc.id, "due/remind/1", due, "remind due 1", 1, at, err) != 0)
			return -1;
	}
	return store_commit(st, err);
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/tmp/clerk-bench-store.db";
	struct store *st = NULL;
	struct clerk_err err;
	struct rusage ru;
	double t0, best_due = 1e9, best_next = 1e9;
	int fresh = access(path, F_OK) != 0, due = 0;
	char *next = NULL;

	if (store_open(path, &st, &err) != 0) {
		fprintf(stderr, "bench_store: %s\n", err.msg);
		return 1;
	}
	if (fresh) {
		fprintf(stderr, "building %s: %d members, %d cases\n", path, MEMBERS, CASES);
		if (fill(st, &err) != 0) {
			fprintf(stderr, "bench_store: %s\n", err.msg);
			return 1;
		}
	}
	for (int i = 0; i < 20; i++) {
		due = 0;
		t0 = now_ms();
		/* A cycle asks for the due timers a batch at a time. */
		if (store_timers_due(st, "2027-06-15T09:00:00", 100, count_due, &due, &err) != 0)
			return 1;
		if (now_ms() - t0 < best_due)
			best_due = now_ms() - t0;
		t0 = now_ms();
		free(next);
		if (store_timer_next(st, &next, &err) != 0)
			return 1;
		if (now_ms() - t0 < best_next)
			best_next = now_ms() - t0;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("cases=%d members=%d due_batch=%d find_due_ms=%.3f next_timer_ms=%.3f "
	    "next=%s peak_rss_mb=%.1f\n", CASES, MEMBERS, due, best_due, best_next,
	    next ? next : "-", ru.ru_maxrss / 1024.0);
	free(next);
	store_close(st);
	return 0;
}
