/* The store's record of authority: which signatures already changed
 * something (a signed mail counts once, FORMS.md), and the single-use
 * confirmation tokens clerk sends to a member's registered address. */
#ifndef CLERK_STORE_AUTHORITY_H
#define CLERK_STORE_AUTHORITY_H

#include <stdint.h>

#include "error.h"
#include "store.h"

/* *seen 1 when the signature `sig_id` (reading.h) was recorded; *at then
 * holds when (owned, may be NULL when not wanted). */
int store_signature_seen(struct store *st, const char *sig_id, int *seen, char **at,
    struct clerk_err *err);
/* Records it, inside the transaction that acted on it. `what`: "command",
 * "form", "reply". Recording one twice is an error (the caller checks). */
int store_signature_record(struct store *st, const char *sig_id, const char *at,
    int64_t mail_id, const char *what, struct clerk_err *err);

/* A token for case `case_id` issued in `state`: only its sha256 is kept. */
int store_confirmation_add(struct store *st, const char *token_sha256, int64_t case_id,
    const char *state, const char *issued, struct clerk_err *err);
/* Whether `token_sha256` was issued for `case_id` in `state` and is not
 * used: *valid 1, else 0 with *why "unknown", "used" or "stale" (issued
 * in another state). */
int store_confirmation_check(struct store *st, const char *token_sha256, int64_t case_id,
    const char *state, int *valid, const char **why, struct clerk_err *err);
/* Marks it used (once: a second use fails). */
int store_confirmation_use(struct store *st, const char *token_sha256, const char *at,
    struct clerk_err *err);

#endif
