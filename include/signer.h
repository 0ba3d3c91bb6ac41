/* The signer, in the manner of OpenSMTPD's ca: a small child process that
 * owns the GPGME context on the association's GnuPG home (and so the use
 * of its secret key) and signs, encrypts, verifies and decrypts on request
 * over a socket pair. clerkd starts it first, while it is still small:
 * GPGME forks gpg for every operation, and a fork costs what the forking
 * process has mapped, so gpg is forked from a few megabytes instead of the
 * daemon's thirty (bench/bench_intake.sh), and the daemon itself never
 * loads GPGME.
 *
 * The handle it returns is an ordinary `struct openpgp` (openpgp.h): every
 * call goes to the child and back, with the same contract. A child that
 * dies is started again at the next call (from the daemon then); until
 * then calls fail as temporary. openpgp_close ends it. */
#ifndef CLERK_SIGNER_H
#define CLERK_SIGNER_H

#include "error.h"
#include "openpgp.h"

/* Forks the signer on `gnupg_home` and waits until its GPGME context is
 * open (what openpgp_open would refuse, it refuses, with the same message).
 * The child keeps stderr and its socket, nothing else. */
int signer_start(const char *gnupg_home, struct openpgp **out, struct clerk_err *err);

#endif
