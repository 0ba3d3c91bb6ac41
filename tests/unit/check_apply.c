/* Unit tests of the seam (apply.c) under failing storage, in the manner of
 * SQLite's own tests: a VFS that fails the Nth read, write or sync, and
 * an allocator that fails the Nth allocation, are installed for SQLite
 * in this program only (no hook in clerk's code). For every N until the
 * operation runs through, one mail is applied to a fresh copy of the same
 * database: it either applies exactly as without the fault, or fails as
 * temporary with nothing changed, and then applies once when tried again.
 * A store failure is never read as "no such case" (the mail would be
 * quarantined), never half applied, never applied twice. A database that
 * another process keeps busy keeps the mail waiting the same way.
 *
 * Real workflows, templates and a throwaway GnuPG home; the mails are a
 * member's reply to her open application and a new application. */
#define _XOPEN_SOURCE 700

#include <check.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "runtime.h"
#include "store.h"
#include "testutil.h"
#include "xmalloc.h"

#ifndef CLERK_SRCDIR_DEFAULT
#define CLERK_SRCDIR_DEFAULT "."
#endif

/* ---- the fault: which operation, after how many calls, what code ---- */

enum fault_op { FAULT_NONE, FAULT_READ, FAULT_WRITE, FAULT_SYNC, FAULT_ALLOC };

static struct {
	enum fault_op	 op;
	long		 countdown;	/* fails when it reaches 0 */
	int		 code;
	int		 fired;
} fault;

static void
fault_arm(enum fault_op op, long n, int code)
{
	fault.op = op;
	fault.countdown = n;
	fault.code = code;
	fault.fired = 0;
}

/* 1 when this call of `op` is the one to fail (once). */
static int
fault_now(enum fault_op op)
{
	if (fault.op != op || fault.fired)
		return 0;
	if (--fault.countdown > 0)
		return 0;
	fault.fired = 1;
	return 1;
}

/* ---- a VFS over the default one ---- */

static sqlite3_vfs *real_vfs;

struct ffile {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* follows this struct */
};

#define REAL(f) (((struct ffile *)(f))->real)

static int f_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }

static int
f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 off)
{
	if (fault_now(FAULT_READ))
		return fault.code;
	return REAL(f)->pMethods->xRead(REAL(f), b, n, off);
}

static int
f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 off)
{
	if (fault_now(FAULT_WRITE))
		return fault.code;
	return REAL(f)->pMethods->xWrite(REAL(f), b, n, off);
}

static int
f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
f_sync(sqlite3_file *f, int flags)
{
	if (fault_now(FAULT_SYNC))
		return fault.code;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int f_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }

static int
f_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }

static int
f_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
f_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, p);
}

static int
f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }

static int
f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}

static int
f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fault_io = {
	3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock,
	f_check_lock, f_control, f_sector, f_device, f_shm_map, f_shm_lock, f_shm_barrier,
	f_shm_unmap, f_fetch, f_unfetch,
};

static int
v_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct ffile *ff = (struct ffile *)f;
	int rc;

	(void)v;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
	f->pMethods = rc == SQLITE_OK && ff->real->pMethods != NULL ? &fault_io : NULL;
	return rc;
}

static int
v_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return real_vfs->xDelete(real_vfs, name, sync);
}

static int
v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
v_full(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *v_dlopen(sqlite3_vfs *v, const char *p) { (void)v; return real_vfs->xDlOpen(real_vfs, p); }
static void v_dlerror(sqlite3_vfs *v, int n, char *m) { (void)v; real_vfs->xDlError(real_vfs, n, m); }

static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *s))(void)
{
	(void)v;
	return real_vfs->xDlSym(real_vfs, h, s);
}

static void v_dlclose(sqlite3_vfs *v, void *h) { (void)v; real_vfs->xDlClose(real_vfs, h); }
static int v_random(sqlite3_vfs *v, int n, char *o) { (void)v; return real_vfs->xRandomness(real_vfs, n, o); }
static int v_sleep(sqlite3_vfs *v, int us) { (void)v; return real_vfs->xSleep(real_vfs, us); }
static int v_time(sqlite3_vfs *v, double *t) { (void)v; return real_vfs->xCurrentTime(real_vfs, t); }

static int
v_last_error(sqlite3_vfs *v, int n, char *m)
{
	(void)v;
	return real_vfs->xGetLastError(real_vfs, n, m);
}

static int
v_time64(sqlite3_vfs *v, sqlite3_int64 *t)
{
	(void)v;
	return real_vfs->xCurrentTimeInt64(real_vfs, t);
}

static sqlite3_vfs fault_vfs = {
	2, 0, 1024, NULL, "fault", NULL, v_open, v_delete, v_access, v_full, v_dlopen,
	v_dlerror, v_dlsym, v_dlclose, v_random, v_sleep, v_time, v_last_error, v_time64,
	NULL, NULL, NULL,
};

/* ---- an allocator that fails the Nth allocation ---- */

static sqlite3_mem_methods real_mem;

static void *
m_malloc(int n)
{
	if (fault_now(FAULT_ALLOC))
		return NULL;
	return real_mem.xMalloc(n);
}

static void *
m_realloc(void *p, int n)
{
	if (fault_now(FAULT_ALLOC))
		return NULL;
	return real_mem.xRealloc(p, n);
}

static void m_free(void *p) { real_mem.xFree(p); }
static int m_size(void *p) { return real_mem.xSize(p); }
static int m_roundup(int n) { return real_mem.xRoundup(n); }
static int m_init(void *a) { return real_mem.xInit(a); }
static void m_shutdown(void *a) { real_mem.xShutdown(a); }

static sqlite3_mem_methods fault_mem = {
	m_malloc, m_free, m_realloc, m_size, m_roundup, m_init, m_shutdown, NULL,
};

static void
install_faults(void)
{
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_MALLOC, &fault_mem) != SQLITE_OK)
		tu_die("sqlite3_config MALLOC");
	if ((real_vfs = sqlite3_vfs_find(NULL)) == NULL)
		tu_die("no default VFS");
	fault_vfs.szOsFile = (int)sizeof(struct ffile) + real_vfs->szOsFile;
	fault_vfs.mxPathname = real_vfs->mxPathname;
	if (sqlite3_vfs_register(&fault_vfs, 1) != SQLITE_OK)
		tu_die("sqlite3_vfs_register");
}

/* ---- the fixture ---- */

static struct {
	char		*home;
	char		 assoc[41];
	struct config	*cfg;
	struct runtime	 rt;
	char		*base;		/* the database before the mail */
	char		*work;		/* its copy for one try */
} fx;

static void
teardown(void)
{
	char *homes[] = { fx.home };

	if (fx.rt.wf != NULL)
		runtime_free(&fx.rt);
	config_free(fx.cfg);
	tu_cleanup(homes, 1);
	free(fx.home);
	free(fx.base);
	free(fx.work);
}

static void
setup(void)
{
	struct buf diag = BUF_INIT;
	struct clerk_err err = { 0, "" };
	const char *src = getenv("CLERK_SRCDIR");
	char *text;

	tu_mkdtemp("apply", teardown);
	fx.home = tu_make_home("assoc");
	tu_gen_key(fx.home, "FGT Test Association <clerk@fgt.test>", 1, fx.assoc);
	fx.base = xasprintf("%s/base.db", tu_dir);
	fx.work = xasprintf("%s/work.db", tu_dir);
	text = xasprintf("[intake]\nmaildir = %s/maildir\n\n"
	    "[smtp]\nurl = smtp://127.0.0.1:2525\nenvelope_from = clerk@fgt.test\n\n"
	    "[openpgp]\nhome = %s\nfingerprint = %s\n\n"
	    "[association]\nname = FGT Test Association\naddress = clerk@fgt.test\n"
	    "profile = fgt\nworkflows = %s/workflows\nlanguage = en\ntimezone = Europe/Oslo\n\n"
	    "[officer secretary]\nemail = secretary@fgt.test\n"
	    "fingerprint = 1111111111111111111111111111111111111111\n\n"
	    "[storage]\ndatabase = %s\n", tu_dir, fx.home, fx.assoc,
	    src != NULL && *src != '\0' ? src : CLERK_SRCDIR_DEFAULT, fx.work);
	if (config_parse("apply.conf", tu_dir, text, strlen(text), &fx.cfg, &err) != 0)
		tu_die("config: %s", err.msg);
	free(text);
	if (clock_set_timezone("Europe/Oslo", &err) != 0 ||
	    runtime_load(fx.cfg, RUNTIME_SEND, &fx.rt, &diag, &err) != 0)
		tu_die("runtime: %s\n%s", err.msg, buf_str(&diag));
	buf_free(&diag);
}

static const char application[] =
	"From: Alice Example <alice@example.test>\r\n"
	"To: clerk@fgt.test\r\n"
	"Subject: Membership application\r\n"
	"Message-ID: <app.1@example.test>\r\n"
	"Date: Mon, 1 Mar 2027 08:00:00 +0100\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
	"Form: application\r\nName: Alice Example\r\nCategory: supporting\r\n"
	"I accept the ethics rules: yes\r\n";

/* Her reply to the open case with the scan of the signed form. */
static char *
reply_to(const char *ref, size_t *len)
{
	char *m = xasprintf(
	    "From: Alice Example <alice@example.test>\r\n"
	    "To: clerk@fgt.test\r\n"
	    "Subject: Re: [%s] Membership application\r\n"
	    "Message-ID: <reply.1@example.test>\r\n"
	    "Date: Tue, 2 Mar 2027 08:00:00 +0100\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\nHere is the signed form.\r\n"
	    "--b\r\nContent-Type: application/pdf; name=\"form.pdf\"\r\n"
	    "Content-Disposition: attachment; filename=\"form.pdf\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "JVBERi0xLjQKMSAwIG9iaiA8PCAvVHlwZSAvQ2F0YWxvZyA+PiBlbmRvYmoKJSVFT0YK\r\n"
	    "--b--\r\n", ref);

	*len = strlen(m);
	return m;
}

static void
now_at(const char *iso, struct clock_now *now)
{
	struct clerk_err err;
	time_t t;

	ck_assert_msg(clock_parse_fixed(iso, &t, &err) == 0, "%s", err.msg);
	clock_from_epoch(t, now);
}

/* Applies one mail as the daemon does, on its own connection; the fault
 * (if any) is armed once the store is open. */
static int
apply_armed(const char *db, const char *raw, size_t len, int64_t uid, const char *when,
    enum fault_op op, long n, int code, struct apply_result *res, struct clerk_err *err)
{
	struct intake_pos pos = { 1, uid, NULL };
	struct apply_ctx ax;
	struct clock_now now;
	struct store *st = NULL;
	int rc;

	if (store_open(db, &st, err) != 0)
		tu_die("store_open %s: %s", db, err->msg);
	ax.cfg = fx.cfg;
	ax.st = st;
	ax.rt = &fx.rt;
	now_at(when, &now);
	fault_arm(op, n, code);
	rc = apply_mail(&ax, "test", &pos, raw, len, &now, res, err);
	fault.op = FAULT_NONE;
	store_close(st);
	return rc;
}

static int
apply_one(const char *db, const char *raw, size_t len, int64_t uid, const char *when,
    struct apply_result *res, struct clerk_err *err)
{
	return apply_armed(db, raw, len, uid, when, FAULT_NONE, 0, 0, res, err);
}

/* What the database holds, as one line (through the default unix VFS,
 * never the failing one). */
static char *
state_of(const char *db)
{
	static const char *const q =
	    "SELECT (SELECT count(*) FROM mails) || ' mails ' ||"
	    " (SELECT group_concat(state, ',') FROM mails) || ' ' ||"
	    " coalesce((SELECT group_concat(note, ',') FROM mails WHERE state = 1), '') || ' | ' ||"
	    " (SELECT count(*) FROM attachments) || ' attachments | ' ||"
	    " (SELECT group_concat(ref || ':' || workflow || ':' || state, ',') FROM cases) ||"
	    " ' | ' || (SELECT count(*) FROM case_vars) || ' vars | ' ||"
	    " (SELECT count(*) FROM events) || ' events | ' ||"
	    " (SELECT group_concat(name || '@' || due, ',') FROM timers) || ' | ' ||"
	    " (SELECT group_concat(kind || '>' || recipient, ',') FROM outbox) || ' | ' ||"
	    " (SELECT count(*) FROM digest_items) || ' digest | ' ||"
	    " (SELECT group_concat(email || ':' || status, ',') FROM members) || ' | ' ||"
	    " (SELECT count(*) FROM signatures_seen) || ' signatures'";
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;
	char *out = NULL;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, "unix") != SQLITE_OK ||
	    sqlite3_prepare_v2(h, q, -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
		tu_die("state of %s: %s", db, sqlite3_errmsg(h));
	out = xstrdup(sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
	sqlite3_finalize(s);
	sqlite3_close(h);
	return out;
}

static void
copy_file(const char *from, const char *to)
{
	struct buf b = BUF_INIT;
	struct clerk_err err;
	char *wal = xasprintf("%s-wal", to), *shm = xasprintf("%s-shm", to);
	FILE *f;

	ck_assert_msg(buf_read_file(&b, from, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(f = fopen(to, "wb"));
	ck_assert_uint_eq(fwrite(b.data, 1, b.len, f), b.len);
	ck_assert_int_eq(fclose(f), 0);
	unlink(wal);
	unlink(shm);
	free(wal);
	free(shm);
	buf_free(&b);
}

struct sweep {
	const char	*name;
	enum fault_op	 op;
	int		 code;
	long		 step;		/* every Nth call: each try costs a signed
					 * notice (gpg), the suite keeps within CI */
};

static const struct sweep sweeps[] = {
	{ "read IOERR", FAULT_READ, SQLITE_IOERR_READ, 2 },
	{ "write IOERR", FAULT_WRITE, SQLITE_IOERR_WRITE, 2 },
	{ "write FULL", FAULT_WRITE, SQLITE_FULL, 3 },
	{ "sync IOERR", FAULT_SYNC, SQLITE_IOERR_FSYNC, 1 },
	{ "malloc NOMEM", FAULT_ALLOC, SQLITE_NOMEM, 29 },
};

/* Applies `raw` to copies of fx.base with the fault at every N; returns
 * how many tries failed (each checked). `after` is the state a clean run
 * leaves. */
static int
sweep_faults(const struct sweep *sw, const char *raw, size_t len, const char *when,
    const char *before, const char *after)
{
	struct apply_result res;
	struct clerk_err err;
	int failures = 0;

	for (long n = 1; n < 100000; n += sw->step) {
		char *got;
		int rc, fired;

		copy_file(fx.base, fx.work);
		err_clear(&err);
		rc = apply_armed(fx.work, raw, len, 2, when, sw->op, n, sw->code, &res, &err);
		fired = fault.fired;
		got = state_of(fx.work);
		if (rc == 0) {
			/* Ran through (the fault hit nothing that mattered, or
			 * SQLite recovered): exactly the clean result. */
			ck_assert_msg(strcmp(got, after) == 0, "%s at %ld: applied differently:\n"
			    "got  %s\nwant %s", sw->name, n, got, after);
			ck_assert_msg(!res.quarantined, "%s at %ld: quarantined", sw->name, n);
		} else {
			ck_assert_msg(rc == -1 && err.temporary, "%s at %ld: rc %d, permanent: %s",
			    sw->name, n, rc, err.msg);
			ck_assert_msg(strcmp(got, before) == 0, "%s at %ld: half applied (%s):\n"
			    "got  %s\nwant %s", sw->name, n, err.msg, got, before);
			/* The mail stayed in the mailbox; the next cycle applies it once. */
			free(got);
			ck_assert_int_eq(apply_one(fx.work, raw, len, 2, when, &res, &err), 0);
			got = state_of(fx.work);
			ck_assert_msg(strcmp(got, after) == 0, "%s at %ld: retried differently:\n"
			    "got  %s\nwant %s", sw->name, n, got, after);
			failures++;
		}
		free(got);
		if (!fired)
			break;
	}
	return failures;
}

/* The base: Alice's application opened a case that waits for her signature. */
static char *
prepare_base(void)
{
	struct apply_result res;
	struct clerk_err err;
	char *ref;

	unlink(fx.base);
	ck_assert_msg(apply_one(fx.base, application, sizeof(application) - 1, 1,
	    "2027-03-01T09:00", &res, &err) == 0, "%s", err.msg);
	ck_assert(!res.quarantined);
	ref = xstrdup(res.case_ref);
	ck_assert_str_eq(ref, "FGT-2027-0001");
	return ref;
}

START_TEST(reply_under_failing_storage)
{
	const struct sweep *sw = &sweeps[_i];
	struct apply_result res;
	struct clerk_err err;
	char *ref = prepare_base(), *raw, *before, *after;
	size_t len;
	int failures;

	raw = reply_to(ref, &len);
	before = state_of(fx.base);
	copy_file(fx.base, fx.work);
	ck_assert_msg(apply_one(fx.work, raw, len, 2, "2027-03-02T09:00", &res, &err) == 0, "%s",
	    err.msg);
	ck_assert_str_eq(res.case_ref, ref);
	after = state_of(fx.work);
	ck_assert_str_ne(before, after);
	failures = sweep_faults(sw, raw, len, "2027-03-02T09:00", before, after);
	printf("# %s (every %ld): a reply to %s: %d tries failed as temporary, each left "
	    "nothing and applied once when tried again\n", sw->name, sw->step, ref, failures);
	ck_assert_int_gt(failures, 0);
	free(before);
	free(after);
	free(raw);
	free(ref);
}
END_TEST

/* Another process holds the write lock longer than the busy timeout: the
 * mail waits in the mailbox, nothing is applied; then it applies once. */
START_TEST(busy_database_keeps_the_mail)
{
	struct apply_result res;
	struct clerk_err err;
	char *ref = prepare_base(), *raw, *before, *after, *got;
	sqlite3 *other = NULL;
	size_t len;

	raw = reply_to(ref, &len);
	copy_file(fx.base, fx.work);
	before = state_of(fx.work);
	ck_assert_int_eq(sqlite3_open_v2(fx.work, &other, SQLITE_OPEN_READWRITE, "unix"),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(apply_one(fx.work, raw, len, 2, "2027-03-02T09:00", &res, &err), -1);
	ck_assert_msg(err.temporary, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "try again") != NULL, "%s", err.msg);
	ck_assert_int_eq(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	got = state_of(fx.work);
	ck_assert_str_eq(got, before);
	free(got);
	ck_assert_msg(apply_one(fx.work, raw, len, 2, "2027-03-02T09:00", &res, &err) == 0, "%s",
	    err.msg);
	ck_assert_str_eq(res.case_ref, ref);
	after = state_of(fx.work);
	ck_assert_str_ne(after, before);
	free(after);
	free(before);
	free(raw);
	free(ref);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("apply");
	TCase *tc = tcase_create("faults");
	SRunner *sr;
	int failed;

	install_faults();
	setup();
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, reply_under_failing_storage, 0,
	    (int)(sizeof(sweeps) / sizeof(sweeps[0])));
	tcase_add_test(tc, busy_database_keeps_the_mail);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	teardown();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
