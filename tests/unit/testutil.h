/* Helpers shared by the unit tests that need real GnuPG homes: the gpg
 * command line run as a child, throwaway homes and keys, and cleaning up.
 * Test code only; a failure here is a "Bail out!" of the whole program. */
#ifndef CLERK_TESTUTIL_H
#define CLERK_TESTUTIL_H

#include "buf.h"

/* The directory of the run: gpg's stderr goes to DIR/gpg.log, homes are
 * made in it. Set once by the program's setup (tu_mkdtemp). */
extern char tu_dir[64];

/* mkdtemp of /tmp/clerk-PREFIX-XXXXXX into tu_dir; `cleanup` runs when
 * tu_die is called in this process (not in Check's forked children). */
void tu_mkdtemp(const char *prefix, void (*cleanup)(void));
void tu_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* gpg --homedir HOME --batch --no-tty ARGS... (NULL-terminated); stdout
 * appended to `out` (may be NULL). The exit status. */
int tu_gpg(const char *home, struct buf *out, ...);
/* Dies unless `status` (of tu_gpg) is 0. */
void tu_gpg_must(int status, const char *what);
/* A new home tu_dir/NAME (0700). */
char *tu_make_home(const char *name);
/* An ed25519 signing key without passphrase; a cv25519 encryption subkey
 * when `encr`. */
void tu_gen_key(const char *home, const char *uid, int encr, char fpr[41]);
/* The public key `fpr` of home `from` imported into `to`; also appended
 * (armored) to `keep` when not NULL. */
void tu_copy_public(const char *from, const char *fpr, const char *to, struct buf *keep);
/* gpgconf --kill all for the homes, then tu_dir removed. */
void tu_cleanup(char *const *homes, size_t n);

#endif
