/* The SQLite store. Statements are prepared once per connection and kept
 * in a cache indexed by their place in the table below. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_int.h"
#include "store_schema.h"
#include "xmalloc.h"

enum stmt_id {
	S_META_GET, S_META_SET,
	S_MAIL_BY_POS, S_MAIL_BY_IDENTITY, S_MAIL_INSERT, S_MAIL_MOVED, S_MAIL_UNMOVED, S_MAIL_RAW,
	S_ATT_INSERT,
	S_EVENT_INSERT, S_EVENTS_CASE,
	S_REF_BUMP, S_REF_GET,
	S_CASE_INSERT, S_CASE_GET, S_CASE_STATE, S_VAR_SET, S_VARS, S_CASE_BY_NOTICE,
	S_TIMER_PUT, S_TIMER_DELETE, S_TIMERS_DUE, S_CASE_TIMERS, S_TIMER_NEXT,
	S_DIGEST_ADD, S_DIGEST_UNSENT, S_DIGEST_SENT, S_CMD_SEEN, S_CMD_RECORD,
	S_OUT_INSERT, S_OUT_NEXT, S_OUT_SENT, S_OUT_RETRY, S_OUT_FAILED, S_OUT_COUNT,
	S_MEMBER_INSERT, S_MEMBER_BY_EMAIL, S_MEMBER_SET, S_MEMBER_HISTORY, S_MEMBER_PIN,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[S_MAIL_BY_POS] = "SELECT id, state FROM mails WHERE source = ?1 AND uidvalidity = ?2"
	    " AND uid = ?3 AND source_name = ?4",
	[S_MAIL_BY_IDENTITY] = "SELECT id, state FROM mails WHERE message_id IS ?1 AND sha256 = ?2"
	    " ORDER BY id LIMIT 1",
	[S_MAIL_INSERT] = "INSERT INTO mails(source, uidvalidity, uid, source_name, message_id,"
	    " sha256, received, kind, case_ref, from_addr, subject, note, state, raw, signature,"
	    " signer_fpr, signer_is_sender)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
	    " coalesce(?15, 'unsigned'), ?16, ?17)",
	[S_MAIL_MOVED] = "UPDATE mails SET moved = 1 WHERE id = ?1",
	[S_MAIL_UNMOVED] = "SELECT id, uidvalidity, uid, source_name, state FROM mails"
	    " WHERE source = ?1 AND moved = 0 ORDER BY id",
	[S_MAIL_RAW] = "SELECT raw FROM mails WHERE id = ?1",
	[S_ATT_INSERT] = "INSERT INTO attachments(mail_id, filename, content_type, size, sha256, data)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_EVENT_INSERT] = "INSERT INTO events(at, case_ref, kind, detail, mail_id)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_EVENTS_CASE] = "SELECT at, kind, detail FROM events WHERE case_ref = ?1 ORDER BY id",
	[S_REF_BUMP] = "INSERT INTO case_refs(prefix, year, last) VALUES (?1, ?2, 1)"
	    " ON CONFLICT(prefix, year) DO UPDATE SET last = last + 1",
	[S_REF_GET] = "SELECT last FROM case_refs WHERE prefix = ?1 AND year = ?2",
	[S_CASE_INSERT] = "INSERT INTO cases(ref, workflow, state, email, language, parent_ref,"
	    " member_id, opened) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[S_CASE_GET] = "SELECT id, ref, workflow, state, email, language, parent_ref, opened,"
	    " closed, member_id FROM cases WHERE ref = ?1",
	[S_CASE_STATE] = "UPDATE cases SET state = ?2, closed = ?3 WHERE ref = ?1",
	[S_VAR_SET] = "INSERT INTO case_vars(case_id, name, value) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT(case_id, name) DO UPDATE SET value = excluded.value",
	[S_VARS] = "SELECT name, value FROM case_vars WHERE case_id = ?1 ORDER BY name",
	[S_CASE_BY_NOTICE] = "SELECT case_ref FROM outbox WHERE message_id = ?1"
	    " AND case_ref IS NOT NULL LIMIT 1",
	[S_TIMER_PUT] = "INSERT INTO timers(case_id, name, due, spec, state, fired)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?5 = 1 THEN ?6 END)"
	    " ON CONFLICT(case_id, name) DO UPDATE SET due = excluded.due,"
	    " spec = excluded.spec, state = excluded.state,"
	    " fired = CASE WHEN excluded.state = 1 THEN coalesce(fired, ?6) END",
	[S_TIMER_DELETE] = "DELETE FROM timers WHERE case_id = ?1 AND name = ?2",
	[S_TIMERS_DUE] = "SELECT case_id, name, due FROM timers WHERE state = 0"
	    " AND due <= ?1 ORDER BY due, id LIMIT ?2",
	[S_CASE_TIMERS] = "SELECT name, due, spec, state FROM timers WHERE case_id = ?1"
	    " ORDER BY due, id",
	[S_TIMER_NEXT] = "SELECT min(due) FROM timers WHERE state = 0",
	[S_DIGEST_ADD] = "INSERT INTO digest_items(at, case_ref, kind, role, text)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_DIGEST_UNSENT] = "SELECT id, at, case_ref, kind, text FROM digest_items"
	    " WHERE role = ?1 AND sent IS NULL ORDER BY id",
	[S_DIGEST_SENT] = "UPDATE digest_items SET sent = ?3 WHERE role = ?1 AND sent IS NULL"
	    " AND id <= ?2",
	[S_CMD_SEEN] = "SELECT 1 FROM commands_seen WHERE message_id = ?1",
	[S_CMD_RECORD] = "INSERT INTO commands_seen(message_id, at, officer) VALUES (?1, ?2, ?3)",
	[S_OUT_INSERT] = "INSERT INTO outbox(case_ref, message_id, recipient, envelope_from, kind,"
	    " queued, state, next_attempt, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?8)",
	[S_OUT_NEXT] = "SELECT id, case_ref, message_id, recipient, envelope_from, kind, bytes,"
	    " attempts, state FROM outbox WHERE state = 0 AND next_attempt <= ?1"
	    " ORDER BY next_attempt, id LIMIT 1",
	[S_OUT_SENT] = "UPDATE outbox SET state = 1, sent = ?2, reply = ?3,"
	    " attempts = attempts + 1 WHERE id = ?1",
	[S_OUT_RETRY] = "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?2,"
	    " error = ?3 WHERE id = ?1",
	[S_OUT_FAILED] = "UPDATE outbox SET state = 2, attempts = attempts + 1, error = ?2"
	    " WHERE id = ?1",
	[S_OUT_COUNT] = "SELECT count(*) FROM outbox WHERE recipient = ?1 AND queued >= ?2",
	[S_MEMBER_INSERT] = "INSERT INTO members(email, name, language, category, status,"
	    " fingerprint, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_MEMBER_BY_EMAIL] = "SELECT id, email, name, language, category, status, fingerprint"
	    " FROM members WHERE email = lower(?1)",
	[S_MEMBER_SET] = "UPDATE members SET status = coalesce(?2, status),"
	    " category = coalesce(?3, category), fingerprint = coalesce(?4, fingerprint)"
	    " WHERE id = ?1",
	[S_MEMBER_HISTORY] = "INSERT INTO member_history(member_id, at, status, category,"
	    " fingerprint, reason, case_ref) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_MEMBER_PIN] = "UPDATE members SET fingerprint = ?2 WHERE id = ?1",
};

#define STORE_EXTRA_STMTS 128

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmts[S_COUNT];
	struct {
		const char	*sql;	/* foreign: a static string */
		sqlite3_stmt	*s;
	}		 extra[STORE_EXTRA_STMTS];	/* store_*.c statements */
	size_t		 nextra;
	int		 in_tx;
};

/* Temporary: the database may work on the next try (busy, locked, out
 * of memory, an I/O error, the disk full); everything else (a constraint,
 * a corrupt file, a bug) needs a person. */
static int
code_is_temporary(int code)
{
	int primary = code & 0xff;

	return primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_NOMEM ||
	    primary == SQLITE_IOERR || primary == SQLITE_FULL;
}

static int
db_fail(struct store *st, struct clerk_err *err, const char *what)
{
	int code = sqlite3_extended_errcode(st->db);
	int primary = code & 0xff;

	err_set(err, code_is_temporary(code) ? ERR_TEMP : ERR_FINAL, "store: %s: %s%s", what, sqlite3_errmsg(st->db),
	    primary == SQLITE_BUSY || primary == SQLITE_LOCKED ?
	    " (another clerk process held it longer than 5 s; try again)" : "");
	return -1;
}

/* The cached statement, reset and unbound, or NULL with err set. */
static sqlite3_stmt *
stmt(struct store *st, enum stmt_id id, struct clerk_err *err)
{
	sqlite3_stmt *s = st->stmts[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
		    &s, NULL) != SQLITE_OK) {
			db_fail(st, err, "prepare");
			return NULL;
		}
		st->stmts[id] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	/* Not copied (SQLITE_STATIC): every caller steps right after binding,
	 * while the string lives. A copy could fail for want of memory, and a
	 * failed bind leaves the parameter NULL: "WHERE ref = NULL" would then
	 * read as "no such case" instead of a failure. */
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* Runs a statement that returns no rows. */
static int
run(struct store *st, sqlite3_stmt *s, const char *what, struct clerk_err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, what);
	return 0;
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v ? xstrdup((const char *)v) : NULL;
}

static int
exec(struct store *st, const char *sql, struct clerk_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int code = sqlite3_extended_errcode(st->db);
		int primary = code & 0xff;

		err_set(err, code_is_temporary(code) ? ERR_TEMP : ERR_FINAL, "store: %s%s",
		    msg ? msg : sqlite3_errmsg(st->db),
		    primary == SQLITE_BUSY || primary == SQLITE_LOCKED ?
		    " (another clerk process held it longer than 5 s; try again)" : "");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
store_stmt(struct store *st, const char *sql, struct clerk_err *err)
{
	sqlite3_stmt *s = NULL;
	size_t i;

	for (i = 0; i < st->nextra; i++)
		if (st->extra[i].sql == sql)
			break;
	if (i < st->nextra) {
		s = st->extra[i].s;
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		db_fail(st, err, "prepare");
		return NULL;
	}
	/* The cache is sized for every statement the module has. */
	if (st->nextra < STORE_EXTRA_STMTS) {
		st->extra[st->nextra].sql = sql;
		st->extra[st->nextra].s = s;
		st->nextra++;
		return s;
	}
	err_set(err, ERR_FINAL, "store: statement cache full (raise STORE_EXTRA_STMTS)");
	sqlite3_finalize(s);
	return NULL;
}

int
store_db_fail(struct store *st, struct clerk_err *err, const char *what)
{
	return db_fail(st, err, what);
}

void
store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	bind_text(s, i, v);
}

int
store_run(struct store *st, sqlite3_stmt *s, const char *what, struct clerk_err *err)
{
	return run(st, s, what, err);
}

char *
store_col_dup(sqlite3_stmt *s, int i)
{
	return col_dup(s, i);
}

int
store_one_text(struct store *st, sqlite3_stmt *s, char **out, const char *what,
    struct clerk_err *err)
{
	int rc;

	*out = NULL;
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = col_dup(s, 0);
	sqlite3_reset(s);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : db_fail(st, err, what);
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

int
store_schema_version(struct store *st, int *version, struct clerk_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		db_fail(st, err, "read user_version");
		goto out;
	}
	*version = sqlite3_column_int(s, 0);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

static int
migrate(struct store *st, struct clerk_err *err)
{
	const int latest = (int)(sizeof(store_migrations) / sizeof(store_migrations[0]));
	int version;
	char pragma[64];

	/* Up to date (the usual case): no write lock, so that a clerkctl that
	 * only reads never waits for the daemon's transaction. */
	if (store_schema_version(st, &version, err) != 0)
		return -1;
	if (version == latest)
		return 0;
	if (exec(st, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	if (store_schema_version(st, &version, err) != 0)
		goto fail;
	if (version > latest) {
		err_set(err, ERR_FINAL, "store: database schema %d is newer than this clerk (%d)",
		    version, latest);
		goto fail;
	}
	for (int v = version; v < latest; v++) {
		if (exec(st, store_migrations[v], err) != 0) {
			err_prefix(err, "migration to schema %d", v + 1);
			goto fail;
		}
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", latest);
	if (exec(st, pragma, err) != 0 || exec(st, "COMMIT", err) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* The database holds members' mail: only its owner reads it. A new file is
 * made 0600 whatever the umask (SQLite gives the WAL and the shared-memory
 * file the database's own mode); an existing one, its WAL and its -shm are
 * narrowed to 0600 when others could read them. */
static int
private_files(const char *path, struct clerk_err *err)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	struct stat sb;
	int fd;

	if (path[0] == '\0' || path[0] == ':' || strncmp(path, "file:", 5) == 0)
		return 0;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		int rc = fchmod(fd, 0600);

		close(fd);
		if (rc != 0) {
			err_set(err, ERR_FINAL, "store: cannot make '%s' private: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (errno != EEXIST) {
		err_set(err, errno == EACCES ? ERR_FINAL : ERR_TEMP, "store: cannot create '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		char *f = xasprintf("%s%s", path, suffix[i]);
		int rc = 0;

		if (stat(f, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (sb.st_mode & (S_IRWXG | S_IRWXO)) != 0 && chmod(f, 0600) != 0) {
			err_set(err, ERR_FINAL, "store: '%s' has mode %04o and cannot be made private: %s",
			    f, (unsigned)(sb.st_mode & 07777), strerror(errno));
			rc = -1;
		}
		free(f);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
store_open(const char *path, struct store **out, struct clerk_err *err)
{
	struct store *st;

	if (private_files(path, err) != 0)
		return -1;
	st = xcalloc(1, sizeof(*st));

	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		err_set(err, ERR_FINAL, "store: cannot open '%s': %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	/* WAL for readers beside the daemon (clerkctl); FULL because commits
	 * come right before irreversible acts. */
	if (exec(st, "PRAGMA journal_mode = WAL", err) != 0 ||
	    exec(st, "PRAGMA synchronous = FULL", err) != 0 ||
	    exec(st, "PRAGMA foreign_keys = ON", err) != 0 ||
	    exec(st, "PRAGMA secure_delete = ON", err) != 0 ||
	    migrate(st, err) != 0) {
		err_prefix(err, "%s", path);
		goto fail;
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

int
store_daemon_lock(const char *database, unsigned wait_ms, int *fd_out, struct clerk_err *err)
{
	char *path = xasprintf("%s.lock", database);
	char held[32] = "";
	unsigned waited = 0;
	ssize_t n;
	int fd, rc = -1;

	*fd_out = -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		err_set(err, ERR_FINAL, "store: cannot open the lock '%s': %s", path, strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		if (errno != EWOULDBLOCK && errno != EINTR) {
			err_set(err, ERR_FINAL, "store: cannot lock '%s': %s", path, strerror(errno));
			goto out;
		}
		if (waited >= wait_ms) {
			if ((n = pread(fd, held, sizeof(held) - 1, 0)) > 0)
				held[n] = '\0';
			held[strcspn(held, "\n")] = '\0';
			err_set(err, ERR_FINAL, "another clerkd%s%s%s is running on %s (lock %s): one clerkd "
			    "per configuration; stop it first (systemctl stop clerkd)",
			    held[0] ? " (pid " : "", held, held[0] ? ")" : "", database, path);
			goto out;
		}
		nanosleep(&ts, NULL);
		waited += 100;
	}
	if (store_daemon_lock_owner(fd, err) != 0)
		goto out;
	*fd_out = fd;
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

int
store_daemon_lock_owner(int fd, struct clerk_err *err)
{
	char pid[32];

	/* The holder's pid, for the message a second clerkd prints. */
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, strlen(pid), 0) < 0) {
		err_set(err, ERR_TEMP, "store: cannot write the lock's pid: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void
store_daemon_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmts[i]);
	for (size_t i = 0; i < st->nextra; i++)
		sqlite3_finalize(st->extra[i].s);
	sqlite3_close(st->db);
	free(st);
}

int
store_begin(struct store *st, struct clerk_err *err)
{
	if (exec(st, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	st->in_tx = 1;
	return 0;
}

int
store_commit(struct store *st, struct clerk_err *err)
{
	if (exec(st, "COMMIT", err) != 0) {
		store_rollback(st);
		return -1;
	}
	st->in_tx = 0;
	return 0;
}

void
store_rollback(struct store *st)
{
	if (st->in_tx || !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

/* ---- meta ---- */

int
store_meta_get(struct store *st, const char *key, char **value, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_META_GET, err);

	if (s != NULL)
		bind_text(s, 1, key);
	return store_one_text(st, s, value, "meta get", err);
}

int
store_meta_set(struct store *st, const char *key, const char *value, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_META_SET, err);

	if (s == NULL)
		return -1;
	bind_text(s, 1, key);
	bind_text(s, 2, value);
	return run(st, s, "meta set", err);
}

/* ---- mails ---- */

static int
lookup_one(struct store *st, sqlite3_stmt *s, int *known, int64_t *id, enum mail_state *state,
    struct clerk_err *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		*known = 1;
		*id = sqlite3_column_int64(s, 0);
		*state = (enum mail_state)sqlite3_column_int(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, err, "mail lookup");
	return 0;
}

int
store_mail_lookup(struct store *st, const struct store_mail *m, int *known, int64_t *mail_id,
    enum mail_state *state, struct clerk_err *err)
{
	sqlite3_stmt *s;

	*known = 0;
	if ((s = stmt(st, S_MAIL_BY_POS, err)) == NULL)
		return -1;
	bind_text(s, 1, m->source);
	sqlite3_bind_int64(s, 2, m->uidvalidity);
	sqlite3_bind_int64(s, 3, m->uid);
	bind_text(s, 4, m->source_name ? m->source_name : "");
	if (lookup_one(st, s, known, mail_id, state, err) != 0 || *known)
		return *known ? 0 : -1;
	/* The same bytes are the same mail; a mail without a Message-ID is
	 * known by its bytes alone. */
	if ((s = stmt(st, S_MAIL_BY_IDENTITY, err)) == NULL)
		return -1;
	bind_text(s, 1, m->message_id);
	bind_text(s, 2, m->sha256);
	return lookup_one(st, s, known, mail_id, state, err);
}

int
store_mail_insert(struct store *st, const struct store_mail *m, int64_t *mail_id,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_MAIL_INSERT, err);

	if (s == NULL)
		return -1;
	bind_text(s, 1, m->source);
	sqlite3_bind_int64(s, 2, m->uidvalidity);
	sqlite3_bind_int64(s, 3, m->uid);
	bind_text(s, 4, m->source_name ? m->source_name : "");
	bind_text(s, 5, m->message_id);
	bind_text(s, 6, m->sha256);
	bind_text(s, 7, m->received);
	bind_text(s, 8, m->kind);
	bind_text(s, 9, m->case_ref);
	bind_text(s, 10, m->from_addr);
	bind_text(s, 11, m->subject);
	bind_text(s, 12, m->note);
	sqlite3_bind_int(s, 13, (int)m->state);
	sqlite3_bind_blob64(s, 14, m->raw, m->raw_len, SQLITE_STATIC);
	bind_text(s, 15, m->signature);
	bind_text(s, 16, m->signer_fpr);
	sqlite3_bind_int(s, 17, m->signer_is_sender ? 1 : 0);
	if (run(st, s, "mail insert", err) != 0)
		return -1;
	*mail_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_mail_set_moved(struct store *st, int64_t mail_id, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_MAIL_MOVED, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mail_id);
	return run(st, s, "mail moved", err);
}

int
store_mail_pending_moves(struct store *st, const char *source,
    int (*fn)(void *, int64_t, int64_t, int64_t, const char *, enum mail_state), void *arg,
    struct clerk_err *err)
{
	struct {
		int64_t id, uv, uid;
		char *name;
		int state;
	} *rows = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = stmt(st, S_MAIL_UNMOVED, err);
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	bind_text(s, 1, source);
	/* Collect first: the callback may write to the same tables. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rows = xgrow(rows, &cap, n + 1, sizeof(*rows));
		rows[n].id = sqlite3_column_int64(s, 0);
		rows[n].uv = sqlite3_column_int64(s, 1);
		rows[n].uid = sqlite3_column_int64(s, 2);
		rows[n].name = col_dup(s, 3);
		rows[n].state = sqlite3_column_int(s, 4);
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		db_fail(st, err, "pending moves");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (fn(arg, rows[i].id, rows[i].uv, rows[i].uid, rows[i].name,
		    (enum mail_state)rows[i].state) != 0) {
			err_set(err, ERR_TEMP, "store: pending move callback failed");
			goto out;
		}
	}
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(rows[i].name);
	free(rows);
	return ret;
}

int
store_mail_raw(struct store *st, int64_t mail_id, void **raw, size_t *len,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_MAIL_RAW, err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mail_id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE) {
			err_set(err, ERR_FINAL, "store: no mail %lld", (long long)mail_id);
			return -1;
		}
		return db_fail(st, err, "mail raw");
	}
	*len = (size_t)sqlite3_column_bytes(s, 0);
	*raw = xmalloc(*len + 1);
	if (*len)
		memcpy(*raw, sqlite3_column_blob(s, 0), *len);
	((char *)*raw)[*len] = '\0';
	sqlite3_reset(s);
	return 0;
}

int
store_attachment_insert(struct store *st, int64_t mail_id, const struct store_attachment *a,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_ATT_INSERT, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mail_id);
	bind_text(s, 2, a->filename);
	bind_text(s, 3, a->content_type);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)a->size);
	bind_text(s, 5, a->sha256);
	sqlite3_bind_blob64(s, 6, a->data ? a->data : "", a->size, SQLITE_STATIC);
	return run(st, s, "attachment insert", err);
}

/* ---- events ---- */

int
store_event_append(struct store *st, const char *at, const char *case_ref, const char *kind,
    const char *detail, int64_t mail_id, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_EVENT_INSERT, err);

	if (s == NULL)
		return -1;
	bind_text(s, 1, at);
	bind_text(s, 2, case_ref);
	bind_text(s, 3, kind);
	bind_text(s, 4, detail ? detail : "");
	if (mail_id > 0)
		sqlite3_bind_int64(s, 5, mail_id);
	return run(st, s, "event append", err);
}

int
store_events_for_case(struct store *st, const char *case_ref,
    int (*fn)(void *, const char *, const char *, const char *), void *arg,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_EVENTS_CASE, err);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, case_ref);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(arg, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2)) != 0) {
			sqlite3_reset(s);
			err_set(err, ERR_FINAL, "store: event callback stopped");
			return -1;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, "events for case");
}

/* ---- cases ---- */

int
store_case_next_ref(struct store *st, const char *prefix, int year, char **ref,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_REF_BUMP, err);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, prefix);
	sqlite3_bind_int(s, 2, year);
	if (run(st, s, "case ref", err) != 0 || (s = stmt(st, S_REF_GET, err)) == NULL)
		return -1;
	bind_text(s, 1, prefix);
	sqlite3_bind_int(s, 2, year);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*ref = xasprintf("%s-%d-%04d", prefix, year, sqlite3_column_int(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : db_fail(st, err, "case ref");
}

int
store_case_insert(struct store *st, struct store_case *c, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_CASE_INSERT, err);

	if (s == NULL)
		return -1;
	bind_text(s, 1, c->ref);
	bind_text(s, 2, c->workflow);
	bind_text(s, 3, c->state);
	bind_text(s, 4, c->email ? c->email : "");
	bind_text(s, 5, c->language);
	bind_text(s, 6, c->parent_ref);
	if (c->member_id > 0)
		sqlite3_bind_int64(s, 7, c->member_id);
	bind_text(s, 8, c->opened);
	if (run(st, s, "case insert", err) != 0)
		return -1;
	c->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_case_get(struct store *st, const char *ref, struct store_case *c, int *found,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_CASE_GET, err);
	int rc;

	memset(c, 0, sizeof(*c));
	*found = 0;
	if (s == NULL)
		return -1;
	bind_text(s, 1, ref);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = 1;
		c->id = sqlite3_column_int64(s, 0);
		c->ref = col_dup(s, 1);
		c->workflow = col_dup(s, 2);
		c->state = col_dup(s, 3);
		c->email = col_dup(s, 4);
		c->language = col_dup(s, 5);
		c->parent_ref = col_dup(s, 6);
		c->opened = col_dup(s, 7);
		c->closed = col_dup(s, 8);
		c->member_id = sqlite3_column_int64(s, 9);
	}
	sqlite3_reset(s);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : db_fail(st, err, "case get");
}

int
store_case_set_state(struct store *st, const char *ref, const char *state, const char *closed,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_CASE_STATE, err);

	if (s == NULL)
		return -1;
	bind_text(s, 1, ref);
	bind_text(s, 2, state);
	bind_text(s, 3, closed);
	if (run(st, s, "case state", err) != 0)
		return -1;
	if (sqlite3_changes(st->db) != 1) {
		err_set(err, ERR_FINAL, "store: no case %s", ref);
		return -1;
	}
	return 0;
}

void
store_case_clear(struct store_case *c)
{
	if (c == NULL)
		return;
	free(c->ref);
	free(c->workflow);
	free(c->state);
	free(c->email);
	free(c->language);
	free(c->parent_ref);
	free(c->opened);
	free(c->closed);
	memset(c, 0, sizeof(*c));
}

int
store_case_var_set(struct store *st, int64_t case_id, const char *name, const char *value,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_VAR_SET, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, name);
	bind_text(s, 3, value);
	return run(st, s, "case var", err);
}

int
store_case_vars(struct store *st, int64_t case_id,
    int (*fn)(void *, const char *, const char *), void *arg, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_VARS, err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(arg, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1)) != 0) {
			sqlite3_reset(s);
			err_set(err, ERR_FINAL, "store: case vars callback stopped");
			return -1;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, "case vars");
}

int
store_case_by_notice(struct store *st, const char *message_id, char **ref,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_CASE_BY_NOTICE, err);
	int rc;

	*ref = NULL;
	if (s == NULL)
		return -1;
	bind_text(s, 1, message_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*ref = col_dup(s, 0);
	sqlite3_reset(s);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : db_fail(st, err, "case by notice");
}

/* ---- timers ---- */

int
store_timer_put(struct store *st, int64_t case_id, const char *name, const char *due,
    const char *spec, int fired, const char *at, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_TIMER_PUT, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, name);
	bind_text(s, 3, due);
	bind_text(s, 4, spec ? spec : "");
	sqlite3_bind_int(s, 5, fired ? 1 : 0);
	bind_text(s, 6, at);
	return run(st, s, "timer put", err);
}

int
store_timer_delete(struct store *st, int64_t case_id, const char *name, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_TIMER_DELETE, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, name);
	return run(st, s, "timer delete", err);
}

int
store_timers_due(struct store *st, const char *now, int limit,
    int (*fn)(void *, int64_t, const char *, const char *), void *arg, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_TIMERS_DUE, err);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(arg, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2)) != 0) {
			sqlite3_reset(s);
			err_set(err, ERR_FINAL, "store: timer callback stopped");
			return -1;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, "timers due");
}

int
store_case_timers(struct store *st, int64_t case_id,
    int (*fn)(void *, const char *, const char *, const char *, int), void *arg,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_CASE_TIMERS, err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(arg, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1), (const char *)sqlite3_column_text(s, 2),
		    sqlite3_column_int(s, 3)) != 0) {
			sqlite3_reset(s);
			err_set(err, ERR_FINAL, "store: case timers callback stopped");
			return -1;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, "case timers");
}

int
store_timer_next(struct store *st, char **due, struct clerk_err *err)
{
	return store_one_text(st, stmt(st, S_TIMER_NEXT, err), due, "timer next", err);
}

/* ---- outbox ---- */

int
store_outbox_add(struct store *st, const char *case_ref, const char *message_id,
    const char *recipient, const char *envelope_from, const char *kind, const char *at,
    const void *bytes, size_t len, enum outbox_state state, int64_t *id, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_OUT_INSERT, err);

	if (s == NULL)
		return -1;
	bind_text(s, 1, case_ref);
	bind_text(s, 2, message_id);
	bind_text(s, 3, recipient);
	bind_text(s, 4, envelope_from);
	bind_text(s, 5, kind);
	bind_text(s, 6, at);
	sqlite3_bind_int(s, 7, (int)state);
	sqlite3_bind_blob64(s, 8, bytes, len, SQLITE_STATIC);
	if (run(st, s, "outbox add", err) != 0)
		return -1;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

void
store_outbox_row_read(sqlite3_stmt *s, struct store_outbox *o)
{
	const void *b = sqlite3_column_blob(s, 6);

	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(s, 0);
	o->case_ref = col_dup(s, 1);
	o->message_id = col_dup(s, 2);
	o->recipient = col_dup(s, 3);
	o->envelope_from = col_dup(s, 4);
	o->kind = col_dup(s, 5);
	o->len = (size_t)sqlite3_column_bytes(s, 6);
	o->bytes = xmalloc(o->len + 1);
	if (o->len)
		memcpy(o->bytes, b, o->len);
	((char *)o->bytes)[o->len] = '\0';
	o->attempts = sqlite3_column_int(s, 7);
	o->state = (enum outbox_state)sqlite3_column_int(s, 8);
}

int
store_outbox_next(struct store *st, const char *now, struct store_outbox *o, int *found,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_OUT_NEXT, err);
	int rc;

	*found = 0;
	if (s == NULL)
		return -1;
	bind_text(s, 1, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = 1;
		store_outbox_row_read(s, o);
	}
	sqlite3_reset(s);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : db_fail(st, err, "outbox next");
}

int
store_outbox_sent(struct store *st, int64_t id, const char *at, const char *reply,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_OUT_SENT, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, at);
	bind_text(s, 3, reply);
	return run(st, s, "outbox sent", err);
}

int
store_outbox_retry(struct store *st, int64_t id, const char *next_attempt, const char *error,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_OUT_RETRY, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, next_attempt);
	bind_text(s, 3, error);
	return run(st, s, "outbox retry", err);
}

int
store_outbox_failed(struct store *st, int64_t id, const char *error, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_OUT_FAILED, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, error);
	return run(st, s, "outbox failed", err);
}

void
store_outbox_clear(struct store_outbox *o)
{
	if (o == NULL)
		return;
	free(o->case_ref);
	free(o->message_id);
	free(o->recipient);
	free(o->envelope_from);
	free(o->kind);
	free(o->bytes);
	memset(o, 0, sizeof(*o));
}

int
store_outbox_count_since(struct store *st, const char *recipient, const char *since,
    int *count, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_OUT_COUNT, err);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, recipient);
	bind_text(s, 2, since);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : db_fail(st, err, "outbox count");
}

/* ---- members ---- */

int
store_member_insert(struct store *st, struct store_member *m, const char *at,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_MEMBER_INSERT, err);

	if (s == NULL)
		return -1;
	bind_text(s, 1, m->email);
	bind_text(s, 2, m->name ? m->name : "");
	bind_text(s, 3, m->language);
	bind_text(s, 4, m->category ? m->category : "");
	bind_text(s, 5, m->status);
	bind_text(s, 6, m->fingerprint);
	bind_text(s, 7, at);
	if (run(st, s, "member insert", err) != 0)
		return -1;
	m->id = sqlite3_last_insert_rowid(st->db);
	if ((s = stmt(st, S_MEMBER_HISTORY, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, m->id);
	bind_text(s, 2, at);
	bind_text(s, 3, m->status);
	bind_text(s, 4, m->category);
	bind_text(s, 5, m->fingerprint);
	bind_text(s, 6, "created");
	return run(st, s, "member history", err);
}

int
store_member_by_email(struct store *st, const char *email, struct store_member *m, int *found,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_MEMBER_BY_EMAIL, err);
	int rc;

	/* Cleared first: store_member_clear is then safe whatever happens. */
	memset(m, 0, sizeof(*m));
	*found = 0;
	if (s == NULL)
		return -1;
	bind_text(s, 1, email);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = 1;
		m->id = sqlite3_column_int64(s, 0);
		m->email = col_dup(s, 1);
		m->name = col_dup(s, 2);
		m->language = col_dup(s, 3);
		m->category = col_dup(s, 4);
		m->status = col_dup(s, 5);
		m->fingerprint = col_dup(s, 6);
	}
	sqlite3_reset(s);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : db_fail(st, err, "member by email");
}

static int
member_update(struct store *st, int64_t id, const char *status, const char *category,
    const char *fingerprint, const char *at, const char *reason, const char *case_ref,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_MEMBER_SET, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, status);
	bind_text(s, 3, category);
	bind_text(s, 4, fingerprint);
	if (run(st, s, "member update", err) != 0)
		return -1;
	if (sqlite3_changes(st->db) != 1) {
		err_set(err, ERR_FINAL, "store: no member %lld", (long long)id);
		return -1;
	}
	if ((s = stmt(st, S_MEMBER_HISTORY, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, at);
	bind_text(s, 3, status);
	bind_text(s, 4, category);
	bind_text(s, 5, fingerprint);
	bind_text(s, 6, reason);
	bind_text(s, 7, case_ref);
	return run(st, s, "member history", err);
}

int
store_member_set_status(struct store *st, int64_t id, const char *status, const char *category,
    const char *at, const char *reason, const char *case_ref, struct clerk_err *err)
{
	return member_update(st, id, status, category, NULL, at, reason, case_ref, err);
}

int
store_member_pin_key(struct store *st, int64_t id, const char *fingerprint, const char *at,
    struct clerk_err *err)
{
	return member_update(st, id, NULL, NULL, fingerprint, at, "key pinned", NULL, err);
}

void
store_member_clear(struct store_member *m)
{
	if (m == NULL)
		return;
	free(m->email);
	free(m->name);
	free(m->language);
	free(m->category);
	free(m->status);
	free(m->fingerprint);
	memset(m, 0, sizeof(*m));
}

/* ---- digest ---- */

int
store_digest_add(struct store *st, const char *at, const char *case_ref, const char *kind,
    const char *role, const char *text, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_DIGEST_ADD, err);

	if (s == NULL)
		return -1;
	bind_text(s, 1, at);
	bind_text(s, 2, case_ref);
	bind_text(s, 3, kind);
	bind_text(s, 4, role ? role : "secretary");
	bind_text(s, 5, text ? text : "");
	return run(st, s, "digest add", err);
}

int
store_digest_unsent(struct store *st, const char *role,
    int (*fn)(void *, int64_t, const char *, const char *, const char *, const char *),
    void *arg, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_DIGEST_UNSENT, err);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, role);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(arg, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
		    (const char *)sqlite3_column_text(s, 4)) != 0) {
			sqlite3_reset(s);
			err_set(err, ERR_FINAL, "store: digest callback stopped");
			return -1;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, "digest unsent");
}

int
store_digest_mark_sent(struct store *st, const char *role, int64_t last_id, const char *at,
    struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_DIGEST_SENT, err);

	if (s == NULL)
		return -1;
	bind_text(s, 1, role);
	sqlite3_bind_int64(s, 2, last_id);
	bind_text(s, 3, at);
	return run(st, s, "digest sent", err);
}

/* ---- commands ---- */

int
store_command_seen(struct store *st, const char *message_id, int *seen, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_CMD_SEEN, err);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, message_id);
	rc = sqlite3_step(s);
	*seen = rc == SQLITE_ROW;
	sqlite3_reset(s);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : db_fail(st, err, "command seen");
}

int
store_command_record(struct store *st, const char *message_id, const char *at,
    const char *officer, struct clerk_err *err)
{
	sqlite3_stmt *s = stmt(st, S_CMD_RECORD, err);

	if (s == NULL)
		return -1;
	bind_text(s, 1, message_id);
	bind_text(s, 2, at);
	bind_text(s, 3, officer);
	return run(st, s, "command record", err);
}
