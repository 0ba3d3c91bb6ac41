/* Unit tests of the Maildir intake on a temporary maildir: list order,
 * exact bytes, moves (processed, quarantine, idempotent), positions that
 * must be refused, and wait (inotify and the polling fallback). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "intake.h"
#include "log.h"

static char dir[64];
static struct config cfg;

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/clerk-check-maildir.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&cfg, 0, sizeof(cfg));
	cfg.intake.kind = INTAKE_MAILDIR;
	cfg.intake.maildir = dir;
	cfg.intake.mailbox = "INBOX";
	cfg.intake.processed = "Processed";
	cfg.intake.quarantine = "Quarantine";
	cfg.intake.idle = 1;
	cfg.intake.poll_interval = 60;
}

static void
teardown(void)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
path_of(const char *fmt, const char *name)
{
	static char p[512];
	char rel[256];

	snprintf(rel, sizeof(rel), fmt, name);
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return p;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* As a delivery agent does it: write in tmp/, rename into new/; the
 * mtime (seconds, 0: leave it) fixes the arrival order. */
static void
deliver(const char *name, const void *data, size_t len, time_t mtime)
{
	char tmp[512];

	snprintf(tmp, sizeof(tmp), "%s/tmp/%s", dir, name);
	write_file(tmp, data, len);
	if (mtime != 0) {
		struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };

		ck_assert_int_eq(utimensat(AT_FDCWD, tmp, ts, 0), 0);
	}
	ck_assert_int_eq(rename(tmp, path_of("new/%s", name)), 0);
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static struct intake *
open_ok(const struct intake_ops *ops)
{
	struct intake *in = NULL;
	struct clerk_err err;

	if (ops->open(&cfg, &in, &err) != 0)
		ck_abort_msg("open: %s", err.msg);
	return in;
}

static const char crlf_mail[] = "From: Alice <alice@example.test>\r\nSubject: crlf\r\n\r\n"
    "line one\r\n.\r\nlast\r\n";
static const char lf_mail[] = "From: Bob <bob@example.test>\nSubject: lf\n\nbody\n";
static const char bin_mail[] = "Subject: binary\r\n\r\n\x00\x01\xff\xfe\r\r\n\n\x80 end";

START_TEST(backend_choice)
{
	ck_assert_ptr_eq(intake_ops_for(&cfg), &intake_maildir_ops);
	cfg.intake.kind = INTAKE_IMAP;
	ck_assert_ptr_eq(intake_ops_for(&cfg), &intake_imap_ops);
	cfg.intake.kind = INTAKE_NONE;
	ck_assert_ptr_null(intake_ops_for(&cfg));
	ck_assert_str_eq(intake_maildir_ops.name, "maildir");
	ck_assert_str_eq(intake_imap_ops.name, "imap");
	intake_pos_free_all(NULL, 0);
}
END_TEST

START_TEST(open_creates_layout)
{
	const struct intake_ops *ops = &intake_maildir_ops;
	struct intake *in;
	char want[128];

	in = open_ok(ops);
	snprintf(want, sizeof(want), "maildir:%s", dir);
	ck_assert_str_eq(ops->source(in), want);
	ck_assert(exists(path_of("%s", "new")));
	ck_assert(exists(path_of("%s", "cur")));
	ck_assert(exists(path_of("%s", "tmp")));
	ck_assert(exists(path_of("%s", ".Quarantine/new")));
	ck_assert(exists(path_of("%s", ".Quarantine/cur")));
	ck_assert(exists(path_of("%s", ".Quarantine/tmp")));
	ck_assert(exists(path_of("%s", ".Quarantine/maildirfolder")));
	ops->close(in);
	/* again: everything exists already */
	in = open_ok(ops);
	ops->close(in);
	/* a non-ASCII folder name is stored in modified UTF-7 */
	cfg.intake.quarantine = "Karantene \xc3\xb8";
	in = open_ok(ops);
	ck_assert(exists(path_of("%s", ".Karantene &APg-/new")));
	ops->close(in);
}
END_TEST

START_TEST(open_refuses)
{
	struct intake *in = NULL;
	struct clerk_err err;
	char missing[128];

	cfg.intake.quarantine = "a/b";
	ck_assert_int_eq(intake_maildir_ops.open(&cfg, &in, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "a/b"));
	cfg.intake.quarantine = ".Hidden";
	ck_assert_int_eq(intake_maildir_ops.open(&cfg, &in, &err), -1);
	cfg.intake.quarantine = "Quarantine";
	snprintf(missing, sizeof(missing), "%s/nowhere", dir);
	cfg.intake.maildir = missing;
	ck_assert_int_eq(intake_maildir_ops.open(&cfg, &in, &err), -1);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "nowhere"));
	ck_assert_ptr_null(in);
}
END_TEST

START_TEST(list_order_and_ignored_files)
{
	const struct intake_ops *ops = &intake_maildir_ops;
	struct intake *in = open_ok(ops);
	struct intake_pos *pos;
	struct clerk_err err;
	size_t n;

	ck_assert_int_eq(ops->list(in, &pos, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	intake_pos_free_all(pos, n);

	deliver("1000.b.host", lf_mail, sizeof(lf_mail) - 1, 1000);
	deliver("2000.a.host", crlf_mail, sizeof(crlf_mail) - 1, 2000);
	deliver("1000.c.host", bin_mail, sizeof(bin_mail) - 1, 1000);
	deliver("0500.z.host", lf_mail, sizeof(lf_mail) - 1, 500);
	/* not mail: a dot-file, a directory, a file still in tmp/, one in cur/ */
	write_file(path_of("new/%s", ".hidden"), "x", 1);
	ck_assert_int_eq(mkdir(path_of("new/%s", "subdir"), 0700), 0);
	write_file(path_of("tmp/%s", "3000.t.host"), "x", 1);
	write_file(path_of("cur/%s", "100.old.host:2,S"), "x", 1);

	ck_assert_int_eq(ops->list(in, &pos, &n, &err), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(pos[0].name, "0500.z.host");
	ck_assert_str_eq(pos[1].name, "1000.b.host");
	ck_assert_str_eq(pos[2].name, "1000.c.host");
	ck_assert_str_eq(pos[3].name, "2000.a.host");
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(pos[i].uid, 0);
		ck_assert_int_eq(pos[i].uidvalidity, 0);
	}
	intake_pos_free_all(pos, n);
	ops->close(in);
}
END_TEST

START_TEST(fetch_exact_bytes)
{
	const struct intake_ops *ops = &intake_maildir_ops;
	struct intake *in = open_ok(ops);
	struct intake_pos *pos;
	struct buf raw = BUF_INIT;
	struct clerk_err err;
	size_t n;

	deliver("1.crlf", crlf_mail, sizeof(crlf_mail) - 1, 1);
	deliver("2.lf", lf_mail, sizeof(lf_mail) - 1, 2);
	deliver("3.bin", bin_mail, sizeof(bin_mail) - 1, 3);
	deliver("4.empty", "", 0, 4);
	ck_assert_int_eq(ops->list(in, &pos, &n, &err), 0);
	ck_assert_uint_eq(n, 4);

	buf_append_str(&raw, "left over from before");
	ck_assert_int_eq(ops->fetch(in, &pos[0], &raw, &err), 0);
	ck_assert_uint_eq(raw.len, sizeof(crlf_mail) - 1);
	ck_assert_mem_eq(raw.data, crlf_mail, raw.len);
	ck_assert_int_eq(ops->fetch(in, &pos[1], &raw, &err), 0);
	ck_assert_uint_eq(raw.len, sizeof(lf_mail) - 1);
	ck_assert_mem_eq(raw.data, lf_mail, raw.len);
	ck_assert_int_eq(ops->fetch(in, &pos[2], &raw, &err), 0);
	ck_assert_uint_eq(raw.len, sizeof(bin_mail) - 1);
	ck_assert_mem_eq(raw.data, bin_mail, raw.len);
	ck_assert_int_eq(ops->fetch(in, &pos[3], &raw, &err), 0);
	ck_assert_uint_eq(raw.len, 0);

	/* a large mail, read in several chunks */
	{
		size_t big = 300000;
		char *data = malloc(big);
		struct intake_pos p = { 0, 0, "5.big" };

		for (size_t i = 0; i < big; i++)
			data[i] = (char)(i * 7 + i / 251);
		deliver("5.big", data, big, 5);
		ck_assert_int_eq(ops->fetch(in, &p, &raw, &err), 0);
		ck_assert_uint_eq(raw.len, big);
		ck_assert_mem_eq(raw.data, data, big);
		free(data);
	}
	buf_free(&raw);
	intake_pos_free_all(pos, n);
	ops->close(in);
}
END_TEST

static void
assert_file_is(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "rb");
	char got[4096];
	size_t r;

	ck_assert_msg(f != NULL, "missing %s", path);
	r = fread(got, 1, sizeof(got), f);
	fclose(f);
	ck_assert_uint_eq(r, len);
	ck_assert_mem_eq(got, data, len);
}

START_TEST(move_processed_and_idempotent)
{
	const struct intake_ops *ops = &intake_maildir_ops;
	struct intake *in = open_ok(ops);
	struct intake_pos *pos;
	struct buf raw = BUF_INIT;
	struct clerk_err err;
	size_t n;

	deliver("1.a", crlf_mail, sizeof(crlf_mail) - 1, 1);
	deliver("2.b", bin_mail, sizeof(bin_mail) - 1, 2);
	ck_assert_int_eq(ops->list(in, &pos, &n, &err), 0);
	ck_assert_uint_eq(n, 2);

	ck_assert_int_eq(ops->move(in, &pos[0], INTAKE_TO_PROCESSED, &err), 0);
	ck_assert(!exists(path_of("new/%s", "1.a")));
	assert_file_is(path_of("cur/%s", "1.a:2,S"), crlf_mail, sizeof(crlf_mail) - 1);
	/* again, as after a crash between the move and the store's record */
	ck_assert_int_eq(ops->move(in, &pos[0], INTAKE_TO_PROCESSED, &err), 0);
	ck_assert_int_eq(ops->move(in, &pos[0], INTAKE_TO_QUARANTINE, &err), 0);
	assert_file_is(path_of("cur/%s", "1.a:2,S"), crlf_mail, sizeof(crlf_mail) - 1);
	ck_assert(!exists(path_of(".Quarantine/new/%s", "1.a")));
	/* fetching it now: temporary, list again */
	ck_assert_int_eq(ops->fetch(in, &pos[0], &raw, &err), -1);
	ck_assert_int_eq(err.temporary, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no longer in new/"));
	intake_pos_free_all(pos, n);

	ck_assert_int_eq(ops->list(in, &pos, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(pos[0].name, "2.b");
	intake_pos_free_all(pos, n);
	buf_free(&raw);
	ops->close(in);
}
END_TEST

START_TEST(move_keeps_flags_in_order)
{
	const struct intake_ops *ops = &intake_maildir_ops;
	struct intake *in = open_ok(ops);
	struct intake_pos p1 = { 0, 0, "1.x:2,FR" }, p2 = { 0, 0, "2.y:2,T" },
	    p3 = { 0, 0, "3.z:2,S" };
	struct clerk_err err;

	deliver("1.x:2,FR", "1", 1, 1);
	deliver("2.y:2,T", "2", 1, 2);
	deliver("3.z:2,S", "3", 1, 3);
	ck_assert_int_eq(ops->move(in, &p1, INTAKE_TO_PROCESSED, &err), 0);
	ck_assert_int_eq(ops->move(in, &p2, INTAKE_TO_PROCESSED, &err), 0);
	ck_assert_int_eq(ops->move(in, &p3, INTAKE_TO_PROCESSED, &err), 0);
	ck_assert(exists(path_of("cur/%s", "1.x:2,FRS")));
	ck_assert(exists(path_of("cur/%s", "2.y:2,ST")));
	ck_assert(exists(path_of("cur/%s", "3.z:2,S")));
	ops->close(in);
}
END_TEST

START_TEST(move_to_quarantine)
{
	const struct intake_ops *ops = &intake_maildir_ops;
	struct intake *in = open_ok(ops);
	struct intake_pos *pos;
	struct clerk_err err;
	size_t n;

	deliver("9.q", bin_mail, sizeof(bin_mail) - 1, 9);
	ck_assert_int_eq(ops->list(in, &pos, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ops->move(in, &pos[0], INTAKE_TO_QUARANTINE, &err), 0);
	ck_assert(!exists(path_of("new/%s", "9.q")));
	/* unseen in the folder's new/: the secretary sees it as new mail */
	assert_file_is(path_of(".Quarantine/new/%s", "9.q"), bin_mail, sizeof(bin_mail) - 1);
	ck_assert_int_eq(ops->move(in, &pos[0], INTAKE_TO_QUARANTINE, &err), 0);
	intake_pos_free_all(pos, n);
	ck_assert_int_eq(ops->list(in, &pos, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	intake_pos_free_all(pos, n);
	ops->close(in);
}
END_TEST

START_TEST(bad_positions_refused)
{
	const struct intake_ops *ops = &intake_maildir_ops;
	struct intake *in = open_ok(ops);
	struct intake_pos bad[] = { { 0, 0, NULL }, { 0, 0, "" }, { 0, 0, "../cur/x" },
	    { 0, 0, ".hidden" }, { 0, 0, "a/b" } };
	struct buf raw = BUF_INIT;
	struct clerk_err err;

	write_file(path_of("new/%s", ".hidden"), "x", 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(ops->fetch(in, &bad[i], &raw, &err), -1);
		ck_assert_int_eq(err.temporary, 0);
		ck_assert_int_eq(ops->move(in, &bad[i], INTAKE_TO_PROCESSED, &err), -1);
		ck_assert_int_eq(err.temporary, 0);
	}
	ck_assert(exists(path_of("new/%s", ".hidden")));
	buf_free(&raw);
	ops->close(in);
}
END_TEST

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Each of inotify and polling: timeout, stop, mail before and during wait. */
static void
wait_cases(int idle)
{
	const struct intake_ops *ops = &intake_maildir_ops;
	struct intake *in;
	struct intake_pos *pos;
	struct clerk_err err;
	volatile int stop = 0;
	long long t0, dt;
	size_t n;
	pid_t pid;
	int status;

	cfg.intake.idle = idle;
	cfg.intake.poll_interval = 1;
	in = open_ok(ops);
	ck_assert_int_eq(ops->list(in, &pos, &n, &err), 0);
	intake_pos_free_all(pos, n);

	/* nothing: the timeout */
	t0 = now_ms();
	ck_assert_int_eq(ops->wait(in, 300, &stop, &err), 0);
	dt = now_ms() - t0;
	ck_assert_msg(dt >= 290 && dt < 1500, "timeout after %lld ms", dt);

	/* stop already set: at once */
	stop = 1;
	t0 = now_ms();
	ck_assert_int_eq(ops->wait(in, 5000, &stop, &err), 0);
	ck_assert_int_lt(now_ms() - t0, 500);
	stop = 0;

	/* mail between list and wait: at once, not at the timeout */
	deliver("1.before", "x", 1, 0);
	t0 = now_ms();
	ck_assert_int_eq(ops->wait(in, 5000, &stop, &err), 1);
	ck_assert_int_lt(now_ms() - t0, 500);
	ck_assert_int_eq(ops->list(in, &pos, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ops->move(in, &pos[0], INTAKE_TO_PROCESSED, &err), 0);
	intake_pos_free_all(pos, n);
	ck_assert_int_eq(ops->list(in, &pos, &n, &err), 0);
	intake_pos_free_all(pos, n);
	/* our own move out of new/ is not new mail */
	ck_assert_int_eq(ops->wait(in, 200, &stop, &err), 0);

	/* mail during the wait, from another process */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		usleep(300 * 1000);
		deliver("2.during", "y", 1, 0);
		_exit(0);
	}
	t0 = now_ms();
	ck_assert_int_eq(ops->wait(in, 10000, &stop, &err), 1);
	dt = now_ms() - t0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(dt >= 250 && dt < (idle ? 1500 : 2500), "woke after %lld ms", dt);
	ops->close(in);
}

START_TEST(wait_inotify)
{
	wait_cases(1);
}
END_TEST

START_TEST(wait_polling)
{
	wait_cases(0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("intake_maildir");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, backend_choice);
	tcase_add_test(tc, open_creates_layout);
	tcase_add_test(tc, open_refuses);
	tcase_add_test(tc, list_order_and_ignored_files);
	tcase_add_test(tc, fetch_exact_bytes);
	tcase_add_test(tc, move_processed_and_idempotent);
	tcase_add_test(tc, move_keeps_flags_in_order);
	tcase_add_test(tc, move_to_quarantine);
	tcase_add_test(tc, bad_positions_refused);
	tcase_add_test(tc, wait_inotify);
	tcase_add_test(tc, wait_polling);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	log_init("check_intake_maildir", 0, LOG_LEVEL_WARN);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
