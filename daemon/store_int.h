/* Private to the store module (store.c and store_*.c): the connection and
 * the statement helpers, so that a topic's queries live in its own file
 * while SQL stays inside the store. */
#ifndef CLERK_STORE_INT_H
#define CLERK_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

/* A prepared statement for `sql`, cached per connection by the address of
 * the string: pass a `static const char` array, never a built string.
 * Returned reset and unbound; NULL with err set on failure. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql, struct clerk_err *err);
/* Fails with the connection's message; temporary for BUSY/LOCKED/IO/FULL. */
int store_db_fail(struct store *st, struct clerk_err *err, const char *what);
/* Binds text, or NULL when `v` is NULL; not copied: step while it lives. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Steps a statement that returns no rows. */
int store_run(struct store *st, sqlite3_stmt *s, const char *what, struct clerk_err *err);
/* A copy of a text column, or NULL. */
char *store_col_dup(sqlite3_stmt *s, int i);
/* Steps `s` (already bound; NULL: a failed store_stmt, err set) for one
 * text value: *out a copy, or NULL when there is no row or it is NULL. */
int store_one_text(struct store *st, sqlite3_stmt *s, char **out, const char *what,
    struct clerk_err *err);
sqlite3 *store_db(struct store *st);
/* An outbox row from a statement whose first columns are id, case_ref,
 * message_id, recipient, envelope_from, kind, bytes, attempts, state. */
void store_outbox_row_read(sqlite3_stmt *s, struct store_outbox *o);

#endif
