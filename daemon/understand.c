/* Reading plus the facts of the edges, then the pure classification. */
#include "understand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands_parse.h"

/* The case of a reply: a reference in the subject that exists, else a
 * notice of ours named by In-Reply-To or References. */
static int
find_case(const struct understand_ctx *ux, const struct mail *m, char *ref, size_t n,
    char *token, size_t tn, struct clerk_err *err)
{
	struct store_case c;
	char *found_ref = NULL;
	int found = 0;

	ref[0] = '\0';
	token[0] = '\0';
	if (classify_find_ref_token(m->subject, ref, n, token, tn) == 0) {
		if (ux->st == NULL)
			return 0;
		if (store_case_get(ux->st, ref, &c, &found, err) != 0)
			return -1;
		store_case_clear(&c);
		if (found)
			return 0;
		ref[0] = '\0';
		token[0] = '\0';
	}
	if (ux->st == NULL)
		return 0;
	for (size_t i = 0; i <= m->nreferences; i++) {
		const char *id = i == 0 ? m->in_reply_to : m->references[m->nreferences - i];

		if (id == NULL)
			continue;
		if (store_case_by_notice(ux->st, id, &found_ref, err) != 0)
			return -1;
		if (found_ref != NULL) {
			snprintf(ref, n, "%s", found_ref);
			free(found_ref);
			return 0;
		}
	}
	return 0;
}

static int
pinned_key(const struct understand_ctx *ux, const struct understanding *u, const char *from,
    char out[41], struct clerk_err *err)
{
	struct store_member mem;
	int found = 0;

	out[0] = '\0';
	if (u->officer != NULL) {
		snprintf(out, 41, "%s", u->officer->fingerprint);
		return 0;
	}
	if (ux->st == NULL || from == NULL)
		return 0;
	if (store_member_by_email(ux->st, from, &mem, &found, err) != 0)
		return -1;
	if (found && mem.fingerprint != NULL)
		snprintf(out, 41, "%s", mem.fingerprint);
	store_member_clear(&mem);
	return 0;
}

int
understand_mail(const struct understand_ctx *ux, const char *raw, size_t len,
    struct understanding *u, struct clerk_err *err)
{
	struct classify_input in;
	const struct mail *m;
	const char *verbs[32];

	memset(u, 0, sizeof(*u));
	if (reading_open(ux->pgp, ux->forms, ux->limits, raw, len, 1, &u->r, err) != 0)
		return -1;
	if (u->r.outer == NULL) {
		u->cls.kind = KIND_UNKNOWN;
		snprintf(u->cls.reason, sizeof(u->cls.reason), "unreadable: %.140s", u->r.problem);
		return 0;
	}
	m = u->r.outer;
	if (m->from.addr != NULL)
		u->officer = config_officer_by_email(ux->cfg, m->from.addr);
	if (pinned_key(ux, u, m->from.addr, u->pinned, err) != 0 ||
	    find_case(ux, m, u->case_ref, sizeof(u->case_ref), u->token, sizeof(u->token),
	    err) != 0)
		return -1;
	u->signer_is_sender = pgp_signer_is_sender(&u->r.sig, u->pinned[0] ? u->pinned : NULL,
	    m->from.addr ? m->from.addr : "");
	memset(&in, 0, sizeof(in));
	in.mail = m;
	in.form_name = u->r.form ? u->r.form->name : NULL;
	in.case_ref = u->case_ref[0] ? u->case_ref : NULL;
	in.officer_role = u->officer ? u->officer->role : NULL;
	commands_offered(ux->wf, verbs, sizeof(verbs) / sizeof(verbs[0]));
	in.has_command_lines = classify_has_command_line(u->r.text ? u->r.text : "", verbs);
	in.own_address = ux->cfg->association.address;
	classify_mail(&in, &u->cls);
	return 0;
}

void
understanding_free(struct understanding *u)
{
	if (u == NULL)
		return;
	reading_free(&u->r);
	memset(u, 0, sizeof(*u));
}
