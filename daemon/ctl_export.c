/* clerkctl export EMAIL: everything clerk holds about one person, as JSON
 * (GDPR art. 15): the member record and its history, their cases with
 * variables and full history, the mails they sent (with the raw message),
 * the notices sent to them, and other events that name their address. */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "store_person.h"

static void
row_object(struct buf *b, const struct store_text_row *r)
{
	buf_append_char(b, '{');
	for (size_t i = 0; i < r->n; i++) {
		if (i)
			buf_append_char(b, ',');
		json_key_string(b, r->names[i], r->values[i]);
	}
}

static const char *
column(const struct store_text_row *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->names[i], name) == 0)
			return r->values[i];
	return NULL;
}

/* `"key":[{...},...]`; `more` (may be NULL) adds fields to each row. */
static int
array(struct ctl *ctl, struct buf *b, const char *key, enum store_person_query q,
    const char *arg, int (*more)(struct ctl *, struct buf *, const struct store_text_row *,
    struct clerk_err *), struct clerk_err *err)
{
	struct store_text_rows rows;
	int rc = -1;

	if (store_person_query(ctl->st, q, arg, &rows, err) != 0)
		return -1;
	json_key(b, key);
	buf_append_char(b, '[');
	for (size_t i = 0; i < rows.n; i++) {
		if (i)
			buf_append_char(b, ',');
		row_object(b, &rows.v[i]);
		if (more != NULL && more(ctl, b, &rows.v[i], err) != 0)
			goto out;
		buf_append_char(b, '}');
	}
	buf_append_char(b, ']');
	rc = 0;
out:
	store_text_rows_free(&rows);
	return rc;
}

static int
case_more(struct ctl *ctl, struct buf *b, const struct store_text_row *r,
    struct clerk_err *err)
{
	const char *ref = column(r, "ref");

	buf_append_char(b, ',');
	if (array(ctl, b, "variables", STORE_PERSON_CASE_VARS, ref, NULL, err) != 0)
		return -1;
	buf_append_char(b, ',');
	return array(ctl, b, "events", STORE_PERSON_CASE_EVENTS, ref, NULL, err);
}

static int
mail_more(struct ctl *ctl, struct buf *b, const struct store_text_row *r,
    struct clerk_err *err)
{
	const char *id = column(r, "id");
	void *raw = NULL;
	size_t len = 0;

	buf_append_char(b, ',');
	if (array(ctl, b, "attachments", STORE_PERSON_ATTACHMENTS, id, NULL, err) != 0 ||
	    store_mail_raw(ctl->st, strtoll(id ? id : "0", NULL, 10), &raw, &len, err) != 0)
		return -1;
	buf_append_char(b, ',');
	/* The message as received; a NUL would end it early in JSON text. */
	json_key(b, "raw");
	{
		struct buf text = BUF_INIT;

		buf_append(&text, raw, len);
		json_string(b, buf_str(&text));
		buf_free(&text);
	}
	free(raw);
	return 0;
}

int
ctl_export(struct ctl *ctl, int argc, char **argv)
{
	struct store_text_rows member;
	struct buf b = BUF_INIT;
	struct clerk_err err;
	const char *who;
	int status = 1;

	if (argc != 2 || strchr(argv[1], '@') == NULL) {
		fprintf(stderr, "clerkctl: usage: export EMAIL\n");
		return 2;
	}
	who = argv[1];
	/* One snapshot: nothing changes between the parts. */
	if (store_begin(ctl->st, &err) != 0)
		goto fail;
	if (store_person_query(ctl->st, STORE_PERSON_MEMBER, who, &member, &err) != 0) {
		store_rollback(ctl->st);
		goto fail;
	}
	buf_append_char(&b, '{');
	json_key_string(&b, "person", who);
	buf_append_str(&b, ",\"member\":");
	if (member.n == 0) {
		buf_append_str(&b, "null");
	} else {
		row_object(&b, &member.v[0]);
		buf_append_char(&b, '}');
	}
	store_text_rows_free(&member);
	buf_append_char(&b, ',');
	if (array(ctl, &b, "member_history", STORE_PERSON_HISTORY, who, NULL, &err) != 0)
		goto rollback;
	buf_append_char(&b, ',');
	if (array(ctl, &b, "cases", STORE_PERSON_CASES, who, case_more, &err) != 0)
		goto rollback;
	buf_append_char(&b, ',');
	if (array(ctl, &b, "mails", STORE_PERSON_MAILS, who, mail_more, &err) != 0)
		goto rollback;
	buf_append_char(&b, ',');
	if (array(ctl, &b, "notices", STORE_PERSON_NOTICES, who, NULL, &err) != 0)
		goto rollback;
	buf_append_char(&b, ',');
	if (array(ctl, &b, "other_events", STORE_PERSON_OTHER_EVENTS, who, NULL, &err) != 0)
		goto rollback;
	buf_append_str(&b, "}\n");
	store_rollback(ctl->st);	/* read only */
	fputs(buf_str(&b), stdout);
	status = 0;
	goto out;
rollback:
	store_rollback(ctl->st);
fail:
	fprintf(stderr, "clerkctl: %s\n", err.msg);
out:
	buf_free(&b);
	return status;
}
