/* OpenPGP: signing, verification, encryption and keys through GPGME, against
 * one private GnuPG home. daemon/openpgp.c is the only file that calls GPGME;
 * this header does not include gpgme.h, so a verdict can travel as a plain
 * value.
 *
 * Failure model: the functions return 0 or -1. -1 means an operational
 * problem (gpg missing, agent not starting, home unreadable: temporary=1) or
 * bad input from clerk itself (a signer that is no secret key, a malformed
 * fingerprint: temporary=0). A bad, unknown or unverifiable signature in a
 * mail is NOT a failure: the call returns 0 and says so in the verdict; a
 * message clerk cannot decrypt returns 0 with decrypted == 0 and a reason.
 *
 * Fingerprints are 40 hex digits; arguments may be in any case and contain
 * spaces, results are upper case without spaces. Names are never accepted
 * where a fingerprint is expected (GnuPG would match them as substrings). */
#ifndef CLERK_OPENPGP_H
#define CLERK_OPENPGP_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "error.h"

/* One GPGME context bound to one GnuPG home. Not shared between threads. */
struct openpgp;

/* A list of strings. */
struct pgp_strings {
	char	**v;	/* owned, and each string owned */
	size_t	  n;
};
void pgp_strings_free(struct pgp_strings *l);

enum pgp_verdict {
	PGP_UNSIGNED = 0,	/* no signature at all */
	PGP_GOOD,		/* the one rule in TECH.md holds; see below */
	PGP_BAD,		/* does not match the data, or marked invalid */
	PGP_UNKNOWN_KEY,	/* the signing key is not in the home */
	PGP_EXPIRED,		/* key or signature expired */
	PGP_REVOKED,		/* key revoked */
	PGP_ERROR,		/* unreadable signature, or not exactly one */
};
/* "unsigned", "good", "bad", "unknown-key", "expired", "revoked", "error". */
const char *pgp_verdict_name(enum pgp_verdict v);

/* The verdict on a signed text. GOOD means: GnuPG returned success, there is
 * exactly one signature, its status is 0 and its summary has none of RED,
 * KEY_REVOKED, KEY_EXPIRED, SIG_EXPIRED. Key validity is not required (an
 * applicant's imported key is of unknown validity): who signed is decided by
 * pgp_signer_is_sender() against a pinned fingerprint or the From address.
 * Every function taking one initialises it first; pgp_signature_info_free()
 * is safe after any call, and on a zeroed struct. */
struct pgp_signature_info {
	enum pgp_verdict	 verdict;
	char			 fpr[41];	/* primary key, "" when not in the home */
	char			 sig_fpr[41];	/* as GnuPG names the signer: the
						 * signing subkey's fingerprint, or
						 * a key id when the key is unknown */
	struct pgp_strings	 emails;	/* owned: lower-cased addresses of
						 * the key's valid user ids */
	time_t			 created;	/* signature time, 0 if unknown */
	unsigned		 nsigs;		/* signatures GnuPG found */
	char			 reason[256];	/* why not good; "" when good */
};
void pgp_signature_info_free(struct pgp_signature_info *info);

/* What happened to an encrypted message. */
struct pgp_decrypt_info {
	int			 decrypted;	/* 1: the plaintext is there */
	int			 no_secret_key;	/* not encrypted to any key here */
	char			 reason[256];	/* why not decrypted */
	struct pgp_strings	 recipients;	/* owned: key ids (16 hex) it is
						 * encrypted to; 0000000000000000
						 * for a hidden recipient */
};
void pgp_decrypt_info_free(struct pgp_decrypt_info *dec);

/* A key in the home, for clerkctl. */
struct pgp_key {
	char			 fpr[41];
	struct pgp_strings	 uids;		/* owned: "Name <addr>" as stored */
	struct pgp_strings	 emails;	/* owned: lower-cased, valid uids */
	time_t			 created;
	time_t			 expires;	/* 0: never */
	int			 secret;	/* the secret key is in the home */
	int			 revoked, expired, disabled, invalid;
	int			 can_sign, can_encrypt;
};
struct pgp_key_list {
	struct pgp_key	*v;	/* owned */
	size_t		 n;
};
void pgp_key_list_free(struct pgp_key_list *l);

/* Opens a context on `gnupg_home` (which must exist): armored output, no
 * pinentry ever (clerk's keys have no passphrase; one that has fails at once
 * instead of waiting for a prompt nobody sees). */
int openpgp_open(const char *gnupg_home, struct openpgp **out,
    struct clerk_err *err);
void openpgp_close(struct openpgp *p);
const char *openpgp_home(const struct openpgp *p);

#define PGP_MICALG_MAX 32

/* Detached armored signature over `data` (already canonical: CRLF) by the
 * secret key `signer_fpr`. `sig` receives the signature with CRLF line ends
 * (appended to); `micalg` the RFC 3156 value, e.g. "pgp-sha512". A signer
 * without its secret key here, expired, revoked or with a passphrase is a
 * permanent error; gpg-agent not starting a temporary one. */
int openpgp_sign_detached(struct openpgp *p, const char *signer_fpr,
    const void *data, size_t len, struct buf *sig,
    char micalg[PGP_MICALG_MAX], struct clerk_err *err);
/* Signs a short text with `fpr` and verifies it: GOOD by that key or -1.
 * clerkd says READY only after this. */
int openpgp_self_test(struct openpgp *p, const char *fpr,
    struct clerk_err *err);

/* RFC 3156 multipart/signed: `signed_data` is the first part exactly as
 * received, `sig` the application/pgp-signature part. */
int openpgp_verify_detached(struct openpgp *p, const void *signed_data,
    size_t len, const void *sig, size_t siglen,
    struct pgp_signature_info *info, struct clerk_err *err);
/* An inline clearsigned (or opaque signed) text. Text outside the signed
 * block is not covered and not returned: `plaintext` (appended to) receives
 * only what the one signature covers, and nothing when there is not exactly
 * one. Trust it only with GOOD. No signature: verdict UNSIGNED. */
int openpgp_verify_clearsigned(struct openpgp *p, const void *text,
    size_t len, struct pgp_signature_info *info, struct buf *plaintext,
    struct clerk_err *err);
/* Decrypts and checks a signature inside the encryption (UNSIGNED when there
 * is none; a PGP/MIME signature inside the plaintext is for the caller to
 * verify with openpgp_verify_detached). A message that is not encrypted
 * (plain or only signed), damaged, symmetric, or not encrypted to a key here
 * returns 0 with dec->decrypted == 0 and a reason. */
int openpgp_decrypt_verify(struct openpgp *p, const void *cipher, size_t len,
    struct buf *plaintext, struct pgp_signature_info *info,
    struct pgp_decrypt_info *dec, struct clerk_err *err);

/* Pure: did the person who sent the mail sign it? True only for a GOOD
 * verdict and either the key's fingerprint equals `pinned_fpr`, or, when
 * nothing is pinned (NULL: an applicant), one of the key's user-id addresses
 * equals `from_addr` (bare addr-spec), ignoring case. A pinned value that is
 * not a fingerprint (e.g. "") never matches. */
int pgp_signer_is_sender(const struct pgp_signature_info *info,
    const char *pinned_fpr, const char *from_addr);
/* How far a signature's own creation time may lie ahead of clerk's clock
 * (clocks differ a little; the Date: header is not signed and not used). */
#define PGP_SIGNATURE_SKEW_SECONDS 300
/* Pure: 0 when a signature made at `created` is recent at `now` (at most
 * `max_age` seconds old, at most PGP_SIGNATURE_SKEW_SECONDS ahead); 1 when
 * older, 2 when from the future, 3 when its time is unknown (0). */
int pgp_signature_age_check(long long created, long long now, long long max_age);

/* Writes the 40 upper-case hex digits of `in` (spaces ignored) to `out`;
 * -1 when `in` is not a fingerprint. */
int pgp_fpr_normalize(const char *in, char out[41]);

/* Imports the public keys in `data` (armored or binary). Refuses the whole
 * input, importing nothing, if it holds any secret key or no key at all.
 * `fprs` (appended to) receives the fingerprints of the keys in the data
 * that are now in the home (new or already there). */
int openpgp_import_public(struct openpgp *p, const void *data, size_t len,
    struct pgp_strings *fprs, struct clerk_err *err);
/* Lower-cased addresses of the key's valid user ids (appended to `emails`).
 * A key not in the home is a permanent error. */
int openpgp_key_emails(struct openpgp *p, const char *fpr,
    struct pgp_strings *emails, struct clerk_err *err);
/* 1 if the key (its secret part when `secret`) is in the home, 0 if not,
 * -1 on failure (also when `secret` and gpg-agent cannot start: GnuPG
 * itself would just list no secret key). */
int openpgp_has_key(struct openpgp *p, const char *fpr, int secret,
    struct clerk_err *err);
/* Keys matching `pattern` (NULL: all), only secret keys when `secret_only`. */
int openpgp_list_keys(struct openpgp *p, const char *pattern, int secret_only,
    struct pgp_key_list *out, struct clerk_err *err);

/* Encrypts to the given keys (fingerprints), armored with CRLF line ends,
 * appended to `cipher`. */
/* Appends the armored public key `fpr` (CRLF line ends) to `out`. */
int openpgp_export_public(struct openpgp *p, const char *fpr, struct buf *out,
    struct clerk_err *err);

int openpgp_encrypt(struct openpgp *p, const char *const *fprs, size_t n,
    const void *data, size_t len, struct buf *cipher, struct clerk_err *err);
/* The same, signed inside by `signer_fpr` (notices to a member). */
int openpgp_sign_encrypt(struct openpgp *p, const char *signer_fpr,
    const char *const *fprs, size_t n, const void *data, size_t len,
    struct buf *cipher, struct clerk_err *err);

/* ---- a backend elsewhere ----
 *
 * A handle made by openpgp_wrap sends every call above to these functions
 * (same arguments after the backend, same contract): daemon/signer.c runs
 * the GPGME context in a small child process and answers over a socket.
 * `encrypt` signs too when signer_fpr is not NULL. `close` ends it. */
struct openpgp_ops {
	int	(*sign_detached)(void *be, const char *signer_fpr, const void *data, size_t len,
		    struct buf *sig, char micalg[PGP_MICALG_MAX], struct clerk_err *err);
	int	(*verify_detached)(void *be, const void *signed_data, size_t len,
		    const void *sig, size_t siglen, struct pgp_signature_info *info,
		    struct clerk_err *err);
	int	(*verify_clearsigned)(void *be, const void *text, size_t len,
		    struct pgp_signature_info *info, struct buf *plaintext,
		    struct clerk_err *err);
	int	(*decrypt_verify)(void *be, const void *cipher, size_t len,
		    struct buf *plaintext, struct pgp_signature_info *info,
		    struct pgp_decrypt_info *dec, struct clerk_err *err);
	int	(*import_public)(void *be, const void *data, size_t len,
		    struct pgp_strings *fprs, struct clerk_err *err);
	int	(*key_emails)(void *be, const char *fpr, struct pgp_strings *emails,
		    struct clerk_err *err);
	int	(*has_key)(void *be, const char *fpr, int secret, struct clerk_err *err);
	int	(*list_keys)(void *be, const char *pattern, int secret_only,
		    struct pgp_key_list *out, struct clerk_err *err);
	int	(*export_public)(void *be, const char *fpr, struct buf *out,
		    struct clerk_err *err);
	int	(*encrypt)(void *be, const char *signer_fpr, const char *const *fprs, size_t n,
		    const void *data, size_t len, struct buf *cipher, struct clerk_err *err);
	void	(*close)(void *be);
};

/* A handle on `home` whose work `ops` does; owns `be` (ops->close). */
struct openpgp *openpgp_wrap(const char *home, const struct openpgp_ops *ops, void *be);

#endif
