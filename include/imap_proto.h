/* IMAP protocol pieces without I/O, shared by the IMAP intake
 * (intake_imap.c) and its IDLE connection (imap_idle.c) and tested alone:
 * mailbox names on the wire, URL escaping for libcurl, and parsers of the
 * few server answers clerk reads (STATUS, SEARCH, CAPABILITY, untagged
 * counts, response codes). */
#ifndef CLERK_IMAP_PROTO_H
#define CLERK_IMAP_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Capabilities clerk cares about. */
#define IMAP_CAP_MOVE		0x01
#define IMAP_CAP_UIDPLUS	0x02
#define IMAP_CAP_IDLE		0x04

/* The wire form of a UTF-8 mailbox name: modified UTF-7 (RFC 3501 5.1.3),
 * e.g. "Behandlet" -> "Behandlet", "Søppel" -> "S&APg-ppel", "a&b" ->
 * "a&-b". Returns a new string (caller frees), or NULL when the name is
 * empty, not valid UTF-8, or holds a control character. */
char *imap_mailbox_wire(const char *utf8);

/* Appends `s` as an IMAP quoted string: "..." with \ and " escaped.
 * `s` must hold no CR, LF or 8-bit byte (a wire-form mailbox name never
 * does). */
void imap_append_quoted(struct buf *b, const char *s);

/* Percent-encodes every byte but A-Z a-z 0-9 - . _ ~ (for a mailbox name
 * in a libcurl IMAP URL, which curl decodes again). Caller frees. */
char *imap_url_escape(const char *s);

/* Scans untagged "* STATUS <mailbox> (NAME value ...)" lines in `text`
 * and sets the values found; the ones not found stay untouched. Returns 0
 * when a STATUS line with at least one known item was found, else -1. */
int imap_parse_status(const char *text, int64_t *uidvalidity, int64_t *uidnext,
    int64_t *messages);

/* Appends the numbers of every "* SEARCH n n ..." line in `text` to the
 * array *v (*n used, *cap allocated; grown with xgrow). Returns -1 when a
 * SEARCH line holds something that is not a number in 1..2^32-1. */
int imap_parse_search(const char *text, int64_t **v, size_t *n, size_t *cap);

/* 1 when an untagged "* LIST (flags) delim name" line in `text` names
 * exactly the wire-form mailbox `wire` (INBOX case-insensitive). */
int imap_list_has(const char *text, const char *wire);

/* IMAP_CAP_* bits of the "* CAPABILITY ..." line in `text` (0 if none). */
unsigned imap_parse_capability(const char *text);

/* For an untagged "* <n> <WHAT>" line (WHAT e.g. "EXISTS", "EXPUNGE",
 * "RECENT", case-insensitive) stores n and returns 1; else 0. */
int imap_untagged_number(const char *line, const char *what, int64_t *n);

/* For an untagged "* OK [<CODE> <n>] ..." line (CODE e.g. "UIDNEXT")
 * stores n and returns 1; else 0. */
int imap_ok_code_number(const char *line, const char *code, int64_t *n);

/* 1 when the status response `line` ("tag NO [CODE] text") carries the
 * response code `code` (e.g. "ALREADYEXISTS"), case-insensitive. */
int imap_has_resp_code(const char *line, const char *code);

/* For a tagged status line "tag OK|NO|BAD text" with the given `tag`:
 * returns 'O', 'N' or 'B'; 0 when `line` is not tagged with `tag`. */
int imap_tagged_status(const char *line, const char *tag);

#endif
