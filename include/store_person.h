/* What the store holds about one person, for `clerkctl export` (GDPR
 * art. 15): each query returns rows of named text columns, the names
 * being the SQL's own, so that the export shows every field as stored. */
#ifndef CLERK_STORE_PERSON_H
#define CLERK_STORE_PERSON_H

#include <stddef.h>

#include "error.h"
#include "store.h"

struct store_text_row {
	char	**names;	/* owned, each owned */
	char	**values;	/* owned, each owned; an SQL NULL is NULL */
	size_t	  n;
};

struct store_text_rows {
	struct store_text_row	*v;	/* owned */
	size_t			 n, cap;
};

enum store_person_query {
	STORE_PERSON_MEMBER,		/* key: address; the members row */
	STORE_PERSON_HISTORY,		/* key: address; member_history */
	STORE_PERSON_CASES,		/* key: address; cases about them */
	STORE_PERSON_CASE_VARS,		/* key: case reference */
	STORE_PERSON_CASE_EVENTS,	/* key: case reference */
	STORE_PERSON_MAILS,		/* key: address; mails from them, no bytes */
	STORE_PERSON_ATTACHMENTS,	/* key: mail id; without the data */
	STORE_PERSON_NOTICES,		/* key: address; notices to them, no bytes */
	STORE_PERSON_OTHER_EVENTS,	/* key: address; events naming the address
					 * outside their own cases */
};

int store_person_query(struct store *st, enum store_person_query q, const char *key,
    struct store_text_rows *out, struct clerk_err *err);
void store_text_rows_free(struct store_text_rows *r);

#endif
