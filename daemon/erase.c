/* Erasure on request: see erase.h. */
#include "erase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sha256.h"
#include "store_erase.h"
#include "xmalloc.h"

int
erase_keeps_case(const struct workflow *wf, const struct store_case_row *c,
    struct cal_date today, struct buf *why)
{
	struct cal_datetime closed;
	struct cal_date until;
	struct clerk_err ignore;
	char iso[CAL_DATE_BUFSZ];

	if (c->closed == NULL) {
		buf_printf(why, "case %s (%s, %s) is open: its procedure goes on", c->ref,
		    c->workflow, c->state);
		return 1;
	}
	if (wf == NULL || !wf->retains)
		return 0;
	if (cal_datetime_parse(c->closed, &closed, &ignore) != 0) {
		buf_printf(why, "case %s (%s): its closing date '%s' cannot be read", c->ref,
		    c->workflow, c->closed);
		return 1;
	}
	until = cal_add_duration(closed.date, wf->retain);
	if (cal_date_cmp(until, today) <= 0)
		return 0;
	buf_printf(why, "case %s (%s) is a record workflow %s keeps until %s", c->ref,
	    c->workflow, c->workflow, cal_date_format(until, iso));
	return 1;
}

static void
keep(struct erase_report *rep, const char *why)
{
	buf_printf(&rep->text, "kept: %s\n", why);
	rep->kept++;
}

static int
cases(struct store *st, const struct wf_set *wf, const char *email, const struct clock_now *now,
    struct erase_report *rep, struct clerk_err *err)
{
	struct store_case_rows rows;
	int rc = -1;

	if (store_cases_list(st, STORE_CASES_OF_EMAIL, email, &rows, err) != 0)
		return -1;
	for (size_t i = 0; i < rows.n; i++) {
		const struct store_case_row *c = &rows.v[i];
		struct buf why = BUF_INIT;

		if (erase_keeps_case(wf_find(wf, c->workflow), c, now->local.date, &why)) {
			keep(rep, buf_str(&why));
			buf_free(&why);
			continue;
		}
		buf_free(&why);
		if (store_erase_case(st, c->id, c->ref, email, &rep->mails, &rep->notices,
		    err) != 0)
			goto out;
		buf_printf(&rep->text, "erased: case %s (%s, %s)\n", c->ref, c->workflow,
		    c->state);
		rep->cases++;
	}
	rc = 0;
out:
	store_case_rows_free(&rows);
	return rc;
}

static int
member(struct store *st, const char *email, struct erase_report *rep, struct clerk_err *err)
{
	struct store_member m;
	int found = 0, rc = -1;

	memset(&m, 0, sizeof(m));
	if (store_member_by_email(st, email, &m, &found, err) != 0)
		return -1;
	if (!found) {
		rc = 0;
		goto out;
	}
	if (m.fingerprint != NULL)
		buf_printf(&rep->text, "outside the store: the public key %s stays in the "
		    "association's key ring (gpg --delete-keys %s)\n", m.fingerprint,
		    m.fingerprint);
	if (strcmp(m.status, "active") == 0) {
		keep(rep, "the member record: the membership runs (status active); it can be "
		    "erased after the resignation takes effect");
		rc = 0;
		goto out;
	}
	if (store_erase_member(st, m.id, err) != 0)
		goto out;
	buf_printf(&rep->text, "erased: the member record (status %s) and its history\n",
	    m.status);
	rep->member = 1;
	rc = 0;
out:
	store_member_clear(&m);
	return rc;
}

int
erase_person(struct store *st, const struct wf_set *wf, const char *email, const char *reason,
    const struct clock_now *now, struct erase_report *rep, struct clerk_err *err)
{
	char *who = xstrdup_lower(email), *detail = NULL, *text = NULL;
	char hash[65];
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	sha256_hex_of(who, strlen(who), hash);
	if (cases(st, wf, who, now, rep, err) != 0 || member(st, who, rep, err) != 0 ||
	    store_erase_loose(st, who, &rep->mails, &rep->notices, &rep->events, err) != 0)
		goto out;
	buf_printf(&rep->text, "erased: %ld mails from, %ld notices to, %ld other events about "
	    "the person\n", rep->mails, rep->notices, rep->events);
	buf_append_str(&rep->text, "outside the store: copies of their mails stay in the "
	    "mailbox folders clerk moved them to (Processed, Quarantine); delete them there\n");
	detail = xasprintf("person=sha256:%s cases=%ld mails=%ld notices=%ld member=%s kept=%ld "
	    "reason=\"%s\"", hash, rep->cases, rep->mails, rep->notices, rep->member ? "yes" :
	    "no", rep->kept, reason != NULL ? reason : "");
	if (store_event_append(st, now->iso, NULL, "erasure", detail, 0, err) != 0)
		goto out;
	text = xasprintf("erasure on request done: %ld cases, %ld mails, %ld notices erased, "
	    "%ld things kept (clerkctl erase --dry-run says which)", rep->cases, rep->mails,
	    rep->notices, rep->kept);
	if (store_digest_add(st, now->iso, NULL, "info", "secretary", text, err) != 0)
		goto out;
	rc = 0;
out:
	free(who);
	free(detail);
	free(text);
	return rc;
}

void
erase_report_free(struct erase_report *rep)
{
	if (rep == NULL)
		return;
	buf_free(&rep->text);
	memset(rep, 0, sizeof(*rep));
}
