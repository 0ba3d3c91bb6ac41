/* clerkctl's private header: the context every subcommand gets. */
#ifndef CLERK_CTL_H
#define CLERK_CTL_H

#include <stdint.h>

#include "config.h"
#include "store.h"

struct ctl {
	const char	*config_path;
	struct config	*cfg;		/* owned */
	struct store	*st;		/* owned; NULL for commands without one */
};

int ctl_inspect(struct ctl *ctl, int argc, char **argv);

/* Officer actions and lists (ctl_officer.c, ctl_lists.c, ctl_digest.c). */
struct clock_now;
struct runtime;
/* Leading --as ROLE (when role is not NULL) and --now TIME options of
 * argv[1..]; *first is the first other argument, *now the time to use. */
int ctl_options(int argc, char **argv, int *first, const char **role, struct clock_now *now);
int ctl_load_runtime(struct ctl *ctl, struct runtime *rt);
int ctl_officer(struct ctl *ctl, int argc, char **argv);
int ctl_import_payments(struct ctl *ctl, int argc, char **argv);
int ctl_cases(struct ctl *ctl, int argc, char **argv);
int ctl_members(struct ctl *ctl, int argc, char **argv);
int ctl_deadlines(struct ctl *ctl, int argc, char **argv);
int ctl_outbox(struct ctl *ctl, int argc, char **argv);
int ctl_outbox_release(struct ctl *ctl, int argc, char **argv);
int ctl_quarantine(struct ctl *ctl, int argc, char **argv);
int ctl_quarantine_reprocess(struct ctl *ctl, int64_t mail_id, const struct clock_now *now);
int ctl_digest(struct ctl *ctl, int argc, char **argv);
int ctl_keys(struct ctl *ctl, int argc, char **argv);
int ctl_key_import(struct ctl *ctl, int argc, char **argv);
int ctl_export(struct ctl *ctl, int argc, char **argv);
int ctl_erase(struct ctl *ctl, int argc, char **argv);

#endif
