/* clerkctl cases, members, deadlines, outbox, quarantine: what the store
 * holds, one line each. */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "engine.h"
#include "log.h"
#include "store_digest.h"
#include "store_outbox.h"

static int
fail(const struct clerk_err *err)
{
	fprintf(stderr, "clerkctl: %s\n", err->msg);
	return 1;
}

static const char *
or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

int
ctl_cases(struct ctl *ctl, int argc, char **argv)
{
	struct store_case_rows rows;
	struct clerk_err err;
	int all = argc == 2 && strcmp(argv[1], "--all") == 0;

	if (argc > 2 || (argc == 2 && !all)) {
		fprintf(stderr, "clerkctl: usage: cases [--all]\n");
		return 2;
	}
	if (store_cases_list(ctl->st, all ? STORE_CASES_ALL : STORE_CASES_OPEN, NULL, &rows,
	    &err) != 0)
		return fail(&err);
	for (size_t i = 0; i < rows.n; i++) {
		const struct store_case_row *c = &rows.v[i];

		printf("%-16s %-12s %-16s %-28s %s opened=%s%s%s\n", c->ref, c->workflow, c->state,
		    or_dash(c->email), or_dash(c->name), c->opened, c->closed ? " closed=" : "",
		    c->closed ? c->closed : "");
	}
	printf("%zu %scases\n", rows.n, all ? "" : "open ");
	store_case_rows_free(&rows);
	return 0;
}

int
ctl_members(struct ctl *ctl, int argc, char **argv)
{
	struct store_member_rows rows;
	struct clerk_err err;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "clerkctl: members takes no arguments\n");
		return 2;
	}
	if (store_members_list(ctl->st, &rows, &err) != 0)
		return fail(&err);
	for (size_t i = 0; i < rows.n; i++) {
		const struct store_member *m = &rows.v[i];

		printf("%-32s %-14s %-10s %-3s %s key=%s\n", m->email, m->status,
		    or_dash(m->category), or_dash(m->language), or_dash(m->name),
		    or_dash(m->fingerprint));
	}
	printf("%zu members\n", rows.n);
	store_member_rows_free(&rows);
	return 0;
}

int
ctl_deadlines(struct ctl *ctl, int argc, char **argv)
{
	struct store_deadline_rows rows;
	struct clerk_err err;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "clerkctl: deadlines takes no arguments\n");
		return 2;
	}
	if (store_deadlines_list(ctl->st, NULL, &rows, &err) != 0)
		return fail(&err);
	for (size_t i = 0; i < rows.n; i++) {
		const struct store_deadline_row *d = &rows.v[i];
		char date[CAL_DATE_BUFSZ] = "?";
		struct wf_timer t;

		if (wf_timer_from_text(d->spec, &t, &err) == 0) {
			cal_date_format(t.date, date);
			wf_timer_clear(&t);
		}
		printf("%s %-16s %-12s %-16s %-12s fires=%s%s\n", date, d->ref, d->workflow,
		    d->state, d->timer, d->due, d->fired ? " (fired)" : "");
	}
	printf("%zu deadlines of open cases\n", rows.n);
	store_deadline_rows_free(&rows);
	return 0;
}

int
ctl_outbox(struct ctl *ctl, int argc, char **argv)
{
	static const char *const states[] = { "--queued", "--sent", "--failed", "--held" };
	struct store_outbox_rows rows;
	struct clerk_err err;
	int state = -1;

	if (argc >= 2 && strcmp(argv[1], "release") == 0)
		return ctl_outbox_release(ctl, argc - 1, argv + 1);
	if (argc > 2) {
		fprintf(stderr, "clerkctl: usage: outbox [--queued|--sent|--failed|--held]\n");
		return 2;
	}
	for (int i = 0; argc == 2 && i < 4; i++)
		if (strcmp(argv[1], states[i]) == 0)
			state = i;
	if (argc == 2 && state < 0) {
		fprintf(stderr, "clerkctl: usage: outbox [--queued|--sent|--failed|--held]\n");
		return 2;
	}
	if (store_outbox_list(ctl->st, state, NULL, &rows, &err) != 0)
		return fail(&err);
	for (size_t i = 0; i < rows.n; i++) {
		const struct store_outbox_row *o = &rows.v[i];

		printf("%-5lld %-6s %-16s %-26s %-30s queued=%s attempts=%d", (long long)o->id,
		    outbox_state_name((enum outbox_state)o->state), or_dash(o->case_ref), o->kind,
		    o->recipient, o->queued, o->attempts);
		if (o->sent != NULL)
			printf(" sent=%s", o->sent);
		else if (o->state == OUTBOX_QUEUED || o->state == OUTBOX_HELD)
			printf(" next=%s", o->next_attempt);
		if (o->error != NULL)
			printf(" error=\"%s\"", o->error);
		printf(" message-id=<%s>\n", o->message_id);
	}
	printf("%zu notices\n", rows.n);
	store_outbox_rows_free(&rows);
	return 0;
}

static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0)
		return -1;
	*id = v;
	return 0;
}

static int
quarantine_show(struct ctl *ctl, int64_t id)
{
	struct store_mail_row m;
	struct clerk_err err;
	void *raw = NULL;
	size_t len = 0;
	int found = 0;

	if (store_mail_row_get(ctl->st, id, &m, &found, &err) != 0)
		return fail(&err);
	if (!found) {
		fprintf(stderr, "clerkctl: no mail %lld\n", (long long)id);
		return 1;
	}
	printf("mail %lld received=%s state=%s%s kind=%s from=%s\nsubject: %s\nnote: %s\n\n",
	    (long long)m.id, m.at, m.state == MAIL_QUARANTINED ? "quarantined" :
	    m.state == MAIL_AUTOMATIC ? "automatic" : "applied", m.discarded ? " (discarded)" : "",
	    or_dash(m.kind), or_dash(m.from_addr), or_dash(m.subject), or_dash(m.note));
	store_mail_row_clear(&m);
	if (store_mail_raw(ctl->st, id, &raw, &len, &err) != 0)
		return fail(&err);
	fwrite(raw, 1, len, stdout);
	if (len > 0 && ((const char *)raw)[len - 1] != '\n')
		putchar('\n');
	free(raw);
	return 0;
}

static int
quarantine_discard(struct ctl *ctl, int64_t id, int argc, char **argv, const struct clock_now *now)
{
	struct store_mail_row m;
	struct clerk_err err;
	char why[400] = "discarded by the operator";
	int found = 0, rc = 1;

	for (int i = 0; i < argc; i++)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s", i ? " " : ": ",
		    argv[i]);
	if (store_begin(ctl->st, &err) != 0)
		return fail(&err);
	if (store_mail_row_get(ctl->st, id, &m, &found, &err) != 0)
		goto fail;
	if (!found || m.state != MAIL_QUARANTINED || m.discarded) {
		fprintf(stderr, "clerkctl: mail %lld is not in the quarantine\n", (long long)id);
		store_rollback(ctl->st);
		goto out;
	}
	if (store_event_append(ctl->st, now->iso, m.case_ref, "mail-discarded", why, id,
	    &err) != 0 || store_commit(ctl->st, &err) != 0)
		goto fail;
	log_info(m.case_ref, "mail-discarded", "mail=%lld", (long long)id);
	printf("mail %lld discarded\n", (long long)id);
	rc = 0;
	goto out;
fail:
	store_rollback(ctl->st);
	fprintf(stderr, "clerkctl: %s\n", err.msg);
out:
	store_mail_row_clear(&m);
	return rc;
}

int
ctl_quarantine(struct ctl *ctl, int argc, char **argv)
{
	struct store_mail_rows rows;
	struct clock_now now;
	struct clerk_err err;
	int64_t id = 0;
	int first;

	if (ctl_options(argc, argv, &first, NULL, &now) != 0)
		return 2;
	argc -= first;
	argv += first;
	if (argc >= 2 && parse_id(argv[1], &id) == 0) {
		if (strcmp(argv[0], "show") == 0 && argc == 2)
			return quarantine_show(ctl, id);
		if (strcmp(argv[0], "discard") == 0)
			return quarantine_discard(ctl, id, argc - 2, argv + 2, &now);
		if (strcmp(argv[0], "reprocess") == 0 && argc == 2)
			return ctl_quarantine_reprocess(ctl, id, &now);
	}
	if (argc != 0) {
		fprintf(stderr, "clerkctl: usage: quarantine [show ID | reprocess ID | "
		    "discard ID [REASON...]]\n");
		return 2;
	}
	if (store_quarantine_list(ctl->st, &rows, &err) != 0)
		return fail(&err);
	for (size_t i = 0; i < rows.n; i++) {
		const struct store_mail_row *m = &rows.v[i];

		printf("%-5lld %s %-30s \"%s\": %s\n", (long long)m->id, m->at,
		    or_dash(m->from_addr), m->subject ? m->subject : "", or_dash(m->note));
	}
	printf("%zu mails in the quarantine\n", rows.n);
	store_mail_rows_free(&rows);
	return 0;
}
