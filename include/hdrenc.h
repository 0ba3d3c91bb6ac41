/* Header fields of outgoing mail (RFC 5322, RFC 2047): each function
 * appends one complete field, "Name: value\r\n", folded so that no line is
 * longer than 76 characters where the value allows it. Non-ASCII text is
 * written as UTF-8 encoded words (Q or B, whichever is shorter), never
 * splitting a character between two words. */
#ifndef CLERK_HDRENC_H
#define CLERK_HDRENC_H

#include <stddef.h>

#include "buf.h"
#include "calendar.h"
#include "error.h"

/* An unstructured field such as Subject: `plain` (may be NULL) is written
 * first as it is and must be printable ASCII without spaces (the case
 * reference "[FGT-2026-0042]"); `text` (UTF-8, no line breaks) follows,
 * encoded when it is not plain printable ASCII or could be mistaken for an
 * encoded word. */
int hdr_unstructured(struct buf *out, const char *field, const char *plain,
    const char *text, struct clerk_err *err);
/* A mailbox: `display` (UTF-8, may be NULL or "") then <addr>. The name is
 * written as atoms, a quoted string, or encoded words; control characters
 * in it become spaces. `addr` must be a plain ASCII addr-spec. */
int hdr_mailbox(struct buf *out, const char *field, const char *display,
    const char *addr, struct clerk_err *err);
/* "Date: Mon, 1 Feb 2027 09:30:00 +0100": local time `t` at `utc_offset`
 * minutes east of UTC (-1439..1439). */
int hdr_date(struct buf *out, struct cal_datetime t, int utc_offset,
    struct clerk_err *err);
/* Message-ID, In-Reply-To, References: one or more message ids separated
 * by white space, each "<left@right>" (the brackets may be left out). */
int hdr_msgids(struct buf *out, const char *field, const char *ids,
    struct clerk_err *err);

/* 1 when `addr` is an addr-spec clerk can send to (ASCII dot-atoms). */
int hdr_addr_valid(const char *addr);
/* 1 when s[0..len) is a message id, with or without the brackets. */
int hdr_msgid_valid(const char *s, size_t len);

#endif
