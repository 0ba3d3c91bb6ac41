/* clerkctl's private header: the context every subcommand gets. */
#ifndef CLERK_CTL_H
#define CLERK_CTL_H

#include "config.h"
#include "store.h"

struct ctl {
	const char	*config_path;
	struct config	*cfg;		/* owned */
	struct store	*st;		/* owned; NULL for commands without one */
};

int ctl_inspect(struct ctl *ctl, int argc, char **argv);

#endif
