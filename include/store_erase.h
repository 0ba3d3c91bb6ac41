/* The store's part of an erasure on request (GDPR art. 17), see erase.h:
 * each call blanks one kind of personal data and says how many rows it
 * touched. Rows stay where other rows point at them (a case's reference,
 * a mail's identity against a second intake); what they said goes. */
#ifndef CLERK_STORE_ERASE_H
#define CLERK_STORE_ERASE_H

#include <stdint.h>

#include "error.h"
#include "store.h"

/* What one case held about its person: its variables, timers and address;
 * the details of its events and digest items; the mails filed to it
 * (bytes, sender, subject, attachments) and the bytes of its sent or
 * failed notices (a queued one is left to leave). *mails and *notices
 * count those. */
int store_erase_case(struct store *st, int64_t case_id, const char *ref, const char *email,
    long *mails, long *notices, struct clerk_err *err);

/* What is held about `email` outside any case: the mails it sent, the sent
 * or failed notices to it, and the events and digest items that name it. */
int store_erase_loose(struct store *st, const char *email, long *mails, long *notices,
    long *events, struct clerk_err *err);

/* The member record: the address becomes "erased-<id>@invalid", name,
 * language and key go, the status is "erased"; its history is deleted. */
int store_erase_member(struct store *st, int64_t member_id, struct clerk_err *err);

#endif
