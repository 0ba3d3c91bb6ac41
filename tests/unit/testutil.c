/* Shared by the unit tests that need GnuPG homes (testutil.h). */
#define _XOPEN_SOURCE 700	/* mkdtemp, nftw */

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "openpgp.h"
#include "xmalloc.h"

char tu_dir[64];
static pid_t owner_pid;
static void (*owner_cleanup)(void);

void
tu_die(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (getpid() == owner_pid && owner_cleanup != NULL)
		owner_cleanup();
	exit(EXIT_FAILURE);
}

void
tu_mkdtemp(const char *prefix, void (*cleanup)(void))
{
	owner_pid = getpid();
	owner_cleanup = cleanup;
	snprintf(tu_dir, sizeof(tu_dir), "/tmp/clerk-%s-XXXXXX", prefix);
	if (mkdtemp(tu_dir) == NULL)
		tu_die("mkdtemp: %s", strerror(errno));
}

int
tu_gpg(const char *home, struct buf *out, ...)
{
	const char *argv[32];
	char chunk[4096];
	va_list ap;
	int argc = 0, fds[2], status;
	ssize_t n;
	pid_t pid;

	argv[argc++] = "gpg";
	argv[argc++] = "--homedir";
	argv[argc++] = home;
	argv[argc++] = "--batch";
	argv[argc++] = "--no-tty";
	va_start(ap, out);
	while (argc < 31 && (argv[argc] = va_arg(ap, const char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	if (pipe(fds) == -1 || (pid = fork()) == -1)
		tu_die("pipe/fork: %s", strerror(errno));
	if (pid == 0) {
		char *log = xasprintf("%s/gpg.log", tu_dir);
		int null = open("/dev/null", O_RDONLY);
		int logfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(null, 0);
		dup2(fds[1], 1);
		if (logfd != -1)
			dup2(logfd, 2);
		close(fds[0]);
		execvp("gpg", (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
		if (out != NULL)
			buf_append(out, chunk, (size_t)n);
	close(fds[0]);
	if (waitpid(pid, &status, 0) == -1)
		tu_die("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void
tu_gpg_must(int status, const char *what)
{
	if (status == 127)
		tu_die("%s: cannot run gpg (is GnuPG installed?)", what);
	if (status != 0)
		tu_die("%s: gpg exited %d (see %s/gpg.log)", what, status, tu_dir);
}

char *
tu_make_home(const char *name)
{
	char *h = xasprintf("%s/%s", tu_dir, name);

	if (mkdir(h, 0700) == -1)
		tu_die("mkdir %s: %s", h, strerror(errno));
	return h;
}

void
tu_gen_key(const char *home, const char *uid, int encr, char fpr[41])
{
	struct buf st = BUF_INIT;
	const char *p;

	tu_gpg_must(tu_gpg(home, &st, "--status-fd", "1", "--pinentry-mode", "loopback",
	    "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never", NULL), uid);
	if ((p = strstr(buf_str(&st), "KEY_CREATED ")) == NULL || strlen(p) < 14 + 40)
		tu_die("%s: no KEY_CREATED status", uid);
	memcpy(fpr, p + 14, 40);
	fpr[40] = '\0';
	if (encr)
		tu_gpg_must(tu_gpg(home, NULL, "--pinentry-mode", "loopback", "--passphrase", "",
		    "--quick-add-key", fpr, "cv25519", "encr", "never", NULL), "subkey");
	buf_free(&st);
}

void
tu_copy_public(const char *from, const char *fpr, const char *to, struct buf *keep)
{
	struct buf key = BUF_INIT;
	struct pgp_strings fprs = { NULL, 0 };
	struct clerk_err err = { 0, "" };
	struct openpgp *p = NULL;

	tu_gpg_must(tu_gpg(from, &key, "--armor", "--export", fpr, NULL), "export");
	if (openpgp_open(to, &p, &err) != 0 ||
	    openpgp_import_public(p, key.data, key.len, &fprs, &err) != 0)
		tu_die("import %s: %s", fpr, err.msg);
	if (keep != NULL)
		buf_append(keep, key.data, key.len);
	pgp_strings_free(&fprs);
	openpgp_close(p);
	buf_free(&key);
}

static int
rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

void
tu_cleanup(char *const *homes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *cmd;

		if (homes[i] == NULL)
			continue;
		cmd = xasprintf("gpgconf --homedir '%s' --kill all", homes[i]);
		if (system(cmd) != 0)
			fprintf(stderr, "warning: %s failed\n", cmd);
		free(cmd);
	}
	if (strncmp(tu_dir, "/tmp/clerk-", 11) == 0)
		nftw(tu_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
