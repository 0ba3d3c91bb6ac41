/* Maildir intake: the alternative that needs no IMAP server.
 *
 * Layout (Maildir, with one Maildir++ folder), clerk being the only reader:
 *   <maildir>/new/<name>        unprocessed mail: what `list` returns, oldest
 *                               first (file mtime, then name); dot-files,
 *                               non-regular files and tmp/ are ignored
 *   <maildir>/cur/<name>:2,S    processed: `move` renames it here with the
 *                               Seen flag added to its info (other flags
 *                               kept, in ASCII order)
 *   <maildir>/.<Q>/new/<name>   quarantined, still unseen so that the
 *                               secretary's mail client shows it as new;
 *                               <Q> is [intake] quarantine in modified
 *                               UTF-7 (Maildir++ folder names; a '.' in it
 *                               makes a subfolder), created with tmp/, new/,
 *                               cur/ and a "maildirfolder" file if missing
 * [intake] processed is not used: processed mail stays in the maildir's
 * cur/. A position is the file name in new/ (uid and uidvalidity 0), which
 * a delivery agent makes unique. A mail client must not read this maildir
 * directly: it would move mail from new/ to cur/ before clerk saw it.
 *
 * The exactly-once contract holds as for IMAP: `move` is one rename(2),
 * followed by fsync of both directories; a source no longer in new/ counts
 * as moved (a crash after the rename, before the store knew).
 *
 * `wait` watches new/ with inotify (a mail delivered through tmp/ appears
 * as IN_MOVED_TO); `list` drains the queued events before reading new/, so
 * events left when `wait` starts are mail that came after (or during) the
 * last list. Without inotify, or with `idle = no`, wait scans new/ at once
 * and then every poll_interval seconds for names the last list did not
 * return. */
#include "intake.h"
#include "wake.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "imap_proto.h"
#include "log.h"
#include "xmalloc.h"

struct intake {
	char	*root;		/* owned: the maildir */
	char	*new_dir;	/* owned */
	char	*cur_dir;	/* owned */
	char	*quarantine;	/* owned: root/.<folder> */
	char	*source;	/* owned: "maildir:<root>" */
	int	 ino_fd;	/* inotify watching new/, or -1: poll */
	int	 poll_interval;	/* seconds */
	char	**seen;		/* owned: names the last list returned, sorted */
	size_t	 nseen;
};

struct entry {
	char		*name;	/* owned until handed to a position */
	struct timespec	 mtime;
};

static int
make_dir(const char *path, struct clerk_err *err)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	err_set(err, errno == EEXIST ? ERR_FINAL : ERR_TEMP, "Maildir: cannot create directory '%s': %s", path,
	    errno == EEXIST ? "a file is in the way" : strerror(errno));
	return -1;
}

/* <dir>/tmp, new, cur (and the Maildir++ marker for a folder). */
static int
make_maildir(const char *dir, int folder, struct clerk_err *err)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	char path[PATH_MAX];
	int fd;

	if (folder && make_dir(dir, err) != 0)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subs[i]);
		if (make_dir(path, err) != 0)
			return -1;
	}
	if (folder) {
		snprintf(path, sizeof(path), "%s/maildirfolder", dir);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			err_set(err, ERR_TEMP, "Maildir: cannot create '%s': %s", path, strerror(errno));
			return -1;
		}
		close(fd);
	}
	return 0;
}

static int
fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static void md_close(struct intake *in);

static int
md_open(const struct config *cfg, struct intake **out, struct clerk_err *err)
{
	struct intake *in = NULL;
	char *folder = NULL, q1[PATH_MAX + 8], q2[PATH_MAX + 8];
	struct stat st;
	int rc = -1;

	if (cfg->intake.kind != INTAKE_MAILDIR || cfg->intake.maildir == NULL) {
		err_set(err, ERR_FINAL, "Maildir intake: [intake] needs maildir");
		return -1;
	}
	if (stat(cfg->intake.maildir, &st) != 0) {
		err_set(err, errno != ENOENT && errno != ENOTDIR ? ERR_TEMP : ERR_FINAL, "Maildir intake: cannot use '%s': %s",
		    cfg->intake.maildir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		err_set(err, ERR_FINAL, "Maildir intake: '%s' is not a directory", cfg->intake.maildir);
		return -1;
	}
	folder = cfg->intake.quarantine != NULL ? imap_mailbox_wire(cfg->intake.quarantine) : NULL;
	if (folder == NULL || folder[0] == '.' || strchr(folder, '/') != NULL ||
	    strstr(folder, "..") != NULL || folder[strlen(folder) - 1] == '.') {
		err_set(err, ERR_FINAL, "Maildir intake: quarantine folder '%s' cannot be a Maildir++ "
		    "folder name", cfg->intake.quarantine ? cfg->intake.quarantine : "");
		goto out;
	}
	in = xcalloc(1, sizeof(*in));
	in->ino_fd = -1;
	in->root = xstrdup(cfg->intake.maildir);
	in->new_dir = xasprintf("%s/new", in->root);
	in->cur_dir = xasprintf("%s/cur", in->root);
	in->quarantine = xasprintf("%s/.%s", in->root, folder);
	in->source = xasprintf("maildir:%s", in->root);
	in->poll_interval = cfg->intake.poll_interval > 0 ? cfg->intake.poll_interval : 60;
	if (make_maildir(in->root, 0, err) != 0 || make_maildir(in->quarantine, 1, err) != 0)
		goto out;
	if (cfg->intake.idle) {
		int e = 0;

		in->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (in->ino_fd < 0)
			e = errno;
		else if (inotify_add_watch(in->ino_fd, in->new_dir,
		    IN_MOVED_TO | IN_CREATE | IN_ONLYDIR) < 0) {
			e = errno;
			close(in->ino_fd);
			in->ino_fd = -1;
		}
		if (in->ino_fd < 0)
			log_warn(NULL, "maildir_inotify_off", "maildir=%s error=%s fallback=poll",
			    log_quote(q1, sizeof(q1), in->root), log_quote(q2, sizeof(q2),
			    strerror(e)));
	}
	log_info(NULL, "intake_open", "backend=maildir maildir=%s quarantine=%s wait=%s",
	    log_quote(q1, sizeof(q1), in->root), log_quote(q2, sizeof(q2), in->quarantine),
	    in->ino_fd >= 0 ? "inotify" : "poll");
	*out = in;
	in = NULL;
	rc = 0;
out:
	free(folder);
	md_close(in);
	return rc;
}

static const char *
md_source(struct intake *in)
{
	return in->source;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The mails in new/, oldest first. */
static int
scan_new(struct intake *in, struct entry **out, size_t *n, struct clerk_err *err)
{
	struct entry *v = NULL;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n = 0;
	if ((d = opendir(in->new_dir)) == NULL) {
		err_set(err, ERR_TEMP, "Maildir: cannot read '%s': %s", in->new_dir, strerror(errno));
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;	/* gone meanwhile, or not a mail */
		v = xgrow(v, &cap, *n + 1, sizeof(*v));
		v[*n].name = xstrdup(de->d_name);
		v[*n].mtime = st.st_mtim;
		(*n)++;
	}
	if (errno != 0) {
		err_set(err, ERR_TEMP, "Maildir: reading '%s': %s", in->new_dir, strerror(errno));
		closedir(d);
		for (size_t i = 0; i < *n; i++)
			free(v[i].name);
		free(v);
		*n = 0;
		return -1;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_entry);
	*out = v;
	return 0;
}

/* Reads and forgets queued inotify events; 1 if one names a new mail. */
static int
drain_events(struct intake *in)
{
	char ev[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;
	int mail = 0;

	while ((len = read(in->ino_fd, ev, sizeof(ev))) > 0) {
		for (char *p = ev; p < ev + len;) {
			const struct inotify_event *e = (const struct inotify_event *)(void *)p;

			if ((e->mask & IN_Q_OVERFLOW) ||
			    ((e->mask & (IN_MOVED_TO | IN_CREATE)) && e->len > 0 &&
			    e->name[0] != '.'))
				mail = 1;
			p += sizeof(*e) + e->len;
		}
	}
	return mail;
}

static void
forget_seen(struct intake *in)
{
	for (size_t i = 0; i < in->nseen; i++)
		free(in->seen[i]);
	free(in->seen);
	in->seen = NULL;
	in->nseen = 0;
}

static int
md_list(struct intake *in, struct intake_pos **pos, size_t *npos, struct clerk_err *err)
{
	struct entry *v = NULL;
	size_t n = 0;

	*pos = NULL;
	*npos = 0;
	if (in->ino_fd >= 0)
		drain_events(in);	/* what they announce, the scan sees */
	if (scan_new(in, &v, &n, err) != 0)
		return -1;
	forget_seen(in);
	if (n > 0) {
		*pos = xcalloc(n, sizeof(**pos));
		in->seen = xcalloc(n, sizeof(*in->seen));
	}
	for (size_t i = 0; i < n; i++) {
		(*pos)[i].name = v[i].name;
		in->seen[i] = xstrdup(v[i].name);
	}
	in->nseen = n;
	if (n > 1)
		qsort(in->seen, n, sizeof(*in->seen), cmp_str);
	*npos = n;
	free(v);
	log_debug(NULL, "maildir_list", "new=%zu", n);
	return 0;
}

/* A name list returned: no path, no dot-file. */
static int
check_name(const struct intake *in, const struct intake_pos *pos, struct clerk_err *err)
{
	if (pos->name == NULL || pos->name[0] == '\0' || pos->name[0] == '.' ||
	    strchr(pos->name, '/') != NULL || strlen(pos->name) > NAME_MAX) {
		err_set(err, ERR_FINAL, "Maildir %s: bad position '%s'", in->root,
		    pos->name ? pos->name : "(null)");
		return -1;
	}
	return 0;
}

static int
md_fetch(struct intake *in, const struct intake_pos *pos, struct buf *raw,
    struct clerk_err *err)
{
	char path[PATH_MAX], chunk[65536];
	struct stat st;
	ssize_t r;
	int fd, rc = -1;

	buf_reset(raw);
	if (check_name(in, pos, err) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", in->new_dir, pos->name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			err_set(err, ERR_TEMP, "Maildir: '%s' is no longer in new/: list again", path);
		else
			err_set(err, ERR_TEMP, "Maildir: cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		err_set(err, ERR_FINAL, "Maildir: '%s' is not a regular file", path);
		goto out;
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err_set(err, ERR_TEMP, "Maildir: reading '%s': %s", path, strerror(errno));
			goto out;
		}
		buf_append(raw, chunk, (size_t)r);
	}
	rc = 0;
out:
	if (rc != 0)
		buf_reset(raw);
	close(fd);
	return rc;
}

/* "name" or "name:2,FLAGS" -> "name:2,FLAGS" with S, flags in ASCII order. */
static char *
seen_name(const char *name)
{
	const char *info = strstr(name, ":2,");
	char flags[64];
	size_t n = 0;
	struct buf b = BUF_INIT;

	if (info == NULL) {
		buf_printf(&b, "%s:2,S", name);
		return buf_steal(&b);
	}
	for (const char *f = info + 3; *f != '\0' && n + 2 < sizeof(flags); f++)
		if (*f != 'S' && memchr(flags, *f, n) == NULL)
			flags[n++] = *f;
	flags[n++] = 'S';
	/* insertion sort: a handful of letters */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && flags[j - 1] > flags[j]; j--) {
			char t = flags[j];

			flags[j] = flags[j - 1];
			flags[j - 1] = t;
		}
	buf_append(&b, name, (size_t)(info - name));
	buf_append_str(&b, ":2,");
	buf_append(&b, flags, n);
	return buf_steal(&b);
}

static int
md_move(struct intake *in, const struct intake_pos *pos, enum intake_dest dest,
    struct clerk_err *err)
{
	char src[PATH_MAX], dst[PATH_MAX], dstdir[PATH_MAX], q[NAME_MAX + 8];
	char *name = NULL;
	int rc = -1;

	if (check_name(in, pos, err) != 0)
		return -1;
	snprintf(src, sizeof(src), "%s/%s", in->new_dir, pos->name);
	if (dest == INTAKE_TO_QUARANTINE) {
		snprintf(dstdir, sizeof(dstdir), "%s/new", in->quarantine);
		name = xstrdup(pos->name);
	} else {
		snprintf(dstdir, sizeof(dstdir), "%s", in->cur_dir);
		name = seen_name(pos->name);
	}
	if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", dstdir, name) >= sizeof(dst)) {
		err_set(err, ERR_FINAL, "Maildir: path too long for '%s'", name);
		goto out;
	}
	if (rename(src, dst) != 0) {
		if (errno == ENOENT) {
			/* moved before a crash, before the store knew */
			log_info(NULL, "maildir_move_gone", "name=%s",
			    log_quote(q, sizeof(q), pos->name));
			rc = 0;
			goto out;
		}
		err_set(err, ERR_TEMP, "Maildir: cannot move '%s' to '%s': %s", src, dst,
		    strerror(errno));
		goto out;
	}
	/* The rename must survive a power cut: the store says "moved" next. */
	if (fsync_dir(dstdir) != 0 || fsync_dir(in->new_dir) != 0) {
		err_set(err, ERR_TEMP, "Maildir: fsync after moving '%s': %s", pos->name,
		    strerror(errno));
		goto out;
	}
	log_debug(NULL, "maildir_move", "name=%s to=%s", log_quote(q, sizeof(q), pos->name),
	    dest == INTAKE_TO_QUARANTINE ? "quarantine" : "processed");
	rc = 0;
out:
	free(name);
	return rc;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when new/ holds a name the last list did not return. */
static int
unseen_mail(struct intake *in, struct clerk_err *err)
{
	struct entry *v = NULL;
	size_t n = 0;
	int found = 0;

	if (scan_new(in, &v, &n, err) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *key = v[i].name;

		if (!found && (in->nseen == 0 ||
		    bsearch(&key, in->seen, in->nseen, sizeof(*in->seen), cmp_str) == NULL))
			found = 1;
		free(v[i].name);
	}
	free(v);
	return found;
}

static int
md_wait(struct intake *in, long timeout_ms, volatile int *stop, struct clerk_err *err)
{
	long long deadline = now_ms() + timeout_ms, next_scan = 0;

	for (;;) {
		long long now = now_ms(), ms;

		if ((stop != NULL && *stop) || now >= deadline)
			return 0;
		if (in->ino_fd >= 0) {
			struct pollfd pfd = { .fd = in->ino_fd, .events = POLLIN };

			if (drain_events(in))
				return 1;
			ms = deadline - now;
			if (wake_poll(&pfd, 1, ms) < 0 && errno != EINTR) {
				err_set(err, ERR_TEMP, "Maildir: poll: %s", strerror(errno));
				return -1;
			}
			continue;
		}
		if (now >= next_scan) {
			int rc = unseen_mail(in, err);

			if (rc != 0)
				return rc;
			next_scan = now_ms() + in->poll_interval * 1000LL;
		}
		ms = (next_scan < deadline ? next_scan : deadline) - now_ms();
		if (ms > 0)
			wake_poll(NULL, 0, ms);
	}
}

static void
md_close(struct intake *in)
{
	if (in == NULL)
		return;
	if (in->ino_fd >= 0)
		close(in->ino_fd);
	forget_seen(in);
	free(in->root);
	free(in->new_dir);
	free(in->cur_dir);
	free(in->quarantine);
	free(in->source);
	free(in);
}

const struct intake_ops intake_maildir_ops = {
	.name = "maildir",
	.open = md_open,
	.source = md_source,
	.list = md_list,
	.fetch = md_fetch,
	.move = md_move,
	.wait = md_wait,
	.close = md_close,
};
