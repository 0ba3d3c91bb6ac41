/* The self-pipe that lets a signal end any wait. */
#include "wake.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

static int wake_pipe[2] = { -1, -1 };

int
wake_init(struct clerk_err *err)
{
	if (wake_pipe[0] >= 0)
		return 0;
	if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		err_set(err, ERR_TEMP, "wake pipe: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void
wake_notify(void)
{
	int saved = errno;
	ssize_t n;

	if (wake_pipe[1] >= 0)
		n = write(wake_pipe[1], "x", 1);	/* full pipe: already awake */
	(void)n;
	errno = saved;
}

int
wake_poll(struct pollfd *fds, nfds_t n, long ms)
{
	struct pollfd small[4], *all = n < 4 ? small : xcalloc(n + 1, sizeof(*all));
	int timeout = ms < 0 ? -1 : ms > INT_MAX ? INT_MAX : (int)ms, rc;

	if (n > 0)
		memcpy(all, fds, n * sizeof(*fds));
	/* A negative descriptor is skipped by poll(2): no pipe, plain poll. */
	all[n].fd = wake_pipe[0];
	all[n].events = POLLIN;
	all[n].revents = 0;
	rc = poll(all, n + 1, timeout);
	if (n > 0)
		memcpy(fds, all, n * sizeof(*fds));
	if (all != small)
		free(all);
	return rc;
}
