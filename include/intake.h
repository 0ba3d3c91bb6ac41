/* Where mail comes from: a small table of operations with two backends,
 * IMAP over libcurl (intake_imap.c) and Maildir (intake_maildir.c).
 *
 * The daemon's use, per cycle:
 *   1. finish what a crash interrupted: every mail the store holds as
 *      committed but not moved is moved now (ops->move), by its position;
 *   2. ops->list(): the new mails, in order;
 *   3. for each: ops->fetch() the whole raw bytes, then, in ONE store
 *      transaction, record and apply it; commit; then ops->move() it to the
 *      processed (or quarantine) folder and mark it moved in the store.
 * A crash before the commit leaves the mail in the mailbox: it is fetched
 * again. A crash between commit and move: step 1 moves it, the store knows
 * it (by position, or by Message-ID + sha256 after a UIDVALIDITY change), so
 * it is never applied twice. */
#ifndef CLERK_INTAKE_H
#define CLERK_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "error.h"

/* A mail's position in the source. */
struct intake_pos {
	int64_t	 uidvalidity;	/* IMAP; 0 for Maildir */
	int64_t	 uid;		/* IMAP; 0 for Maildir */
	char	*name;		/* owned: Maildir file name in new/ (NULL for IMAP) */
};

enum intake_dest {
	INTAKE_TO_PROCESSED,
	INTAKE_TO_QUARANTINE,
};

struct intake;

struct intake_ops {
	const char *name;	/* "imap" or "maildir" */
	/* Opens (connects, logs in, creates the processed/quarantine folders
	 * if missing). Temporary errors: server away, try again later. */
	int	(*open)(const struct config *cfg, struct intake **out, struct clerk_err *err);
	/* The source's identity for the store, e.g. "imap:INBOX". */
	const char *(*source)(struct intake *in);
	/* New mails in arrival order (IMAP: UID order) into a caller array
	 * that the caller frees with intake_pos_free_all(). */
	int	(*list)(struct intake *in, struct intake_pos **pos, size_t *n, struct clerk_err *err);
	/* The exact raw bytes (no line-ending conversion). */
	int	(*fetch)(struct intake *in, const struct intake_pos *pos, struct buf *raw,
		    struct clerk_err *err);
	/* Moves the mail out of the intake mailbox. Moving a mail that is no
	 * longer there (moved before a crash) succeeds. */
	int	(*move)(struct intake *in, const struct intake_pos *pos, enum intake_dest dest,
		    struct clerk_err *err);
	/* Waits until new mail may have arrived or `timeout_ms` passed, or
	 * `*stop` becomes nonzero (checked at least once a second): IMAP IDLE
	 * where offered, otherwise a cheap poll. Returns 1 if mail may have
	 * arrived, 0 on timeout or stop, -1 on error. */
	int	(*wait)(struct intake *in, long timeout_ms, volatile int *stop,
		    struct clerk_err *err);
	void	(*close)(struct intake *in);
};

extern const struct intake_ops intake_imap_ops;
extern const struct intake_ops intake_maildir_ops;

/* The backend the configuration asks for. */
const struct intake_ops *intake_ops_for(const struct config *cfg);
void intake_pos_free_all(struct intake_pos *pos, size_t n);

#endif
