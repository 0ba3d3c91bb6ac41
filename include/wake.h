/* Waking a sleeping daemon: a self-pipe that a signal handler writes to,
 * watched by every wait beside its own file descriptors. Waits therefore
 * sleep for their whole timeout (no wake-ups while idle) and still see
 * SIGTERM at once, with no race between checking the stop flag and
 * sleeping. */
#ifndef CLERK_WAKE_H
#define CLERK_WAKE_H

#include <poll.h>

#include "error.h"

/* Creates the pipe; once per process, before installing signal handlers. */
int wake_init(struct clerk_err *err);
/* Async-signal-safe: makes every present and later wake_poll return. */
void wake_notify(void);
/* poll(2) on `fds` plus the wake pipe, for up to `ms` milliseconds (a
 * negative `ms` waits without end). Returns poll's result; revents of
 * `fds` are filled. Without wake_init it is a plain poll. */
int wake_poll(struct pollfd *fds, nfds_t n, long ms);

#endif
