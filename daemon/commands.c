/* Officer commands: the checks on a command mail, one command on its case,
 * the receipt and the refusal. */
#include "commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notice.h"
#include "store_authority.h"
#include "store_digest.h"
#include "xmalloc.h"

static void
report_add(struct command_report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
report_add(struct command_report *rep, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rep->lines = xgrow(rep->lines, &rep->cap, rep->n + 1, sizeof(*rep->lines));
	rep->lines[rep->n++] = buf_steal(&b);
}

void
command_report_free(struct command_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->lines[i]);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

/* The case the command names, when it exists: where its events go. */
static int
existing_case(struct caseflow *cf, const struct command *c, char ref[32], struct clerk_err *err)
{
	struct store_case sc;
	int found = 0;

	ref[0] = '\0';
	if (c->nargs == 0 || !commands_is_case_ref(c->args[0]))
		return 0;
	if (store_case_get(cf->st, c->args[0], &sc, &found, err) != 0)
		return -1;
	if (found)
		snprintf(ref, 32, "%s", sc.ref);
	store_case_clear(&sc);
	return 0;
}

static int
not_done(struct caseflow *cf, const char *role, const struct command *c, const char *why,
    int64_t mail_id, const struct clock_now *now, struct command_report *rep,
    struct clerk_err *err)
{
	char ref[32], *detail;
	int rc;

	if (existing_case(cf, c, ref, err) != 0)
		return -1;
	detail = xasprintf("%s: %s: %s", role, c->text, why);
	rc = store_event_append(cf->st, now->iso, ref[0] ? ref : NULL, "command-not-done", detail,
	    mail_id, err);
	free(detail);
	if (rc != 0)
		return -1;
	report_add(rep, "%s: not done: %s", c->text, why);
	rep->not_done++;
	log_info(ref[0] ? ref : NULL, "command-not-done", "role=%s verb=%s why=\"%.200s\"", role,
	    c->verb, why);
	return 0;
}

struct show_ctx {
	struct command_report	*rep;
};

static int
show_event(void *arg, const char *at, const char *kind, const char *detail)
{
	struct show_ctx *sx = arg;

	report_add(sx->rep, "  %s %s: %s", at, kind, detail);
	return 0;
}

/* `show`: the case and its history, from the event log itself. */
static int
show_case(struct caseflow *cf, const char *role, const struct command *c, int64_t mail_id,
    const struct clock_now *now, struct command_report *rep, struct clerk_err *err)
{
	struct show_ctx sx = { rep };
	struct store_case sc;
	int found = 0;

	if (store_case_get(cf->st, c->args[0], &sc, &found, err) != 0)
		return -1;
	if (!found) {
		char why[80];

		snprintf(why, sizeof(why), "no case %.40s", c->args[0]);
		return not_done(cf, role, c, why, mail_id, now, rep, err);
	}
	report_add(rep, "%s: %s, workflow %s, state %s, %s, opened %s%s%s", c->text, sc.ref,
	    sc.workflow, sc.state, sc.email[0] ? sc.email : "(no address)", sc.opened,
	    sc.closed ? ", closed " : "", sc.closed ? sc.closed : "");
	store_case_clear(&sc);
	if (store_events_for_case(cf->st, c->args[0], show_event, &sx, err) != 0)
		return -1;
	rep->done++;
	return 0;
}

/* `note`: a line in the case's history, in any state of any workflow
 * (closed cases too), by the command module itself: no workflow line. */
static int
note_case(struct caseflow *cf, const char *role, const struct command *c, int64_t mail_id,
    const struct clock_now *now, struct command_report *rep, struct clerk_err *err)
{
	struct buf text = BUF_INIT;
	char ref[32], *detail = NULL;
	int rc = -1;

	if (existing_case(cf, c, ref, err) != 0)
		return -1;
	if (ref[0] == '\0') {
		char why[80];

		snprintf(why, sizeof(why), "no case %.40s", c->args[0]);
		return not_done(cf, role, c, why, mail_id, now, rep, err);
	}
	for (size_t i = 1; i < c->nargs; i++) {
		if (i > 1)
			buf_append_char(&text, ' ');
		buf_append_str(&text, c->args[i]);
	}
	detail = xasprintf("%s: %s", role, buf_str(&text));
	if (store_event_append(cf->st, now->iso, ref, "note", detail, mail_id, err) != 0)
		goto out;
	report_add(rep, "%s: done, noted on %s", c->text, ref);
	rep->done++;
	log_info(ref, "command-done", "verb=note role=%s", role);
	rc = 0;
out:
	free(detail);
	buf_free(&text);
	return rc;
}

/* The verbs the command module answers itself. */
struct module_verb {
	const char	*verb;
	int		(*run)(struct caseflow *, const char *, const struct command *, int64_t,
			    const struct clock_now *, struct command_report *, struct clerk_err *);
};

static const struct module_verb module_verbs[] = {
	{ "show", show_case },
	{ "note", note_case },
};

static const struct module_verb *
module_verb(const char *verb)
{
	for (size_t i = 0; i < sizeof(module_verbs) / sizeof(module_verbs[0]); i++)
		if (strcmp(module_verbs[i].verb, verb) == 0)
			return &module_verbs[i];
	return NULL;
}

int
commands_check(const struct wf_set *set, struct buf *out, struct buf *diag)
{
	int problems = 0;

	for (size_t i = 0; i < commands_table_len; i++) {
		const struct command_syntax *cs = &commands_table[i];

		if (cs->by == COMMAND_BY_MODULE && module_verb(cs->verb) == NULL) {
			buf_printf(diag, "commands: %s is marked as the command module's, which "
			    "has no handler for it\n", cs->verb);
			problems++;
		}
		if (!wf_list_has(set->vocab.commands, cs->verb) && cs->by != COMMAND_BY_MODULE) {
			buf_printf(diag, "commands: %s is not in workflows/vocabulary, so no "
			    "workflow may answer it\n", cs->verb);
			problems++;
		}
	}
	for (size_t i = 0; i < sizeof(module_verbs) / sizeof(module_verbs[0]); i++) {
		const struct command_syntax *cs = commands_syntax(module_verbs[i].verb);

		if (cs == NULL || cs->by != COMMAND_BY_MODULE) {
			buf_printf(diag, "commands: the module answers %s, which the table does "
			    "not give to it\n", module_verbs[i].verb);
			problems++;
		}
	}
	/* Every verb the vocabulary lets a workflow use must be one the parser
	 * knows, or a workflow line could never be reached. */
	for (const char *p = set->vocab.commands; p != NULL && *p != '\0';) {
		size_t n = strcspn(p, ",");
		char *verb = xstrndup(p, n);

		if (verb[0] != '\0' && commands_syntax(verb) == NULL) {
			buf_printf(diag, "commands: workflows/vocabulary names %s, which is not an "
			    "officer command\n", verb);
			problems++;
		}
		free(verb);
		p = p[n] ? p + n + 1 : NULL;
	}
	buf_append_str(out, "offered:");
	for (size_t i = 0; i < commands_table_len; i++)
		if (commands_answered(set, commands_table[i].verb))
			buf_printf(out, " %s", commands_table[i].verb);
	buf_append_str(out, "; not offered (no workflow answers them):");
	{
		int none = 1;

		for (size_t i = 0; i < commands_table_len; i++) {
			if (commands_answered(set, commands_table[i].verb))
				continue;
			buf_printf(out, " %s", commands_table[i].verb);
			none = 0;
		}
		if (none)
			buf_append_str(out, " none");
	}
	return problems == 0 ? 0 : -1;
}

struct candidates {
	char	**refs;
	size_t	  n, cap;
};

static int
add_candidate(void *arg, const char *ref, const char *workflow, const char *state)
{
	struct candidates *cd = arg;

	(void)workflow;
	(void)state;
	cd->refs = xgrow(cd->refs, &cd->cap, cd->n + 1, sizeof(*cd->refs));
	cd->refs[cd->n++] = xstrdup(ref);
	return 0;
}

static void
candidates_free(struct candidates *cd)
{
	for (size_t i = 0; i < cd->n; i++)
		free(cd->refs[i]);
	free(cd->refs);
}

/* Tries the command on case `ref` in a savepoint: kept when the workflow
 * took it, undone when not. *handled says which; `why` gets the reason. */
static int
try_case(struct caseflow *cf, const char *role, const struct command *c, const char *ref,
    int64_t mail_id, const struct clock_now *now, int *handled, char *why, size_t whylen,
    struct clerk_err *err)
{
	struct caseflow_result res;
	const char **args = xcalloc(c->nargs + 1, sizeof(*args));
	char *detail = NULL;
	struct clerk_err cerr;
	int rc = -1;

	*handled = 0;
	args[0] = ref;
	for (size_t i = 1; i < c->nargs; i++)
		args[i] = c->args[i];
	if (store_savepoint(cf->st, err) != 0)
		goto out;
	detail = xasprintf("%s: %s", role, c->text);
	err_clear(&cerr);
	if (store_event_append(cf->st, now->iso, ref, "command", detail, mail_id, err) != 0)
		goto undo;
	if (caseflow_command(cf, role, c->verb, args, c->nargs, now, &res, &cerr) != 0) {
		if (cerr.temporary) {
			*err = cerr;
			goto undo;
		}
		/* A data error in a workflow or template: this command only. */
		log_error(ref, "command-failed", "verb=%s error=\"%.300s\"", c->verb, cerr.msg);
		snprintf(why, whylen, "clerk could not carry it out: %.200s", cerr.msg);
		if (store_savepoint_rollback(cf->st, err) != 0)
			goto out;
		rc = 0;
		goto out;
	}
	if (!res.handled) {
		snprintf(why, whylen, "%s", res.why);
		if (store_savepoint_rollback(cf->st, err) != 0)
			goto out;
		rc = 0;
		goto out;
	}
	if (store_savepoint_release(cf->st, err) != 0)
		goto out;
	*handled = 1;
	rc = 0;
	goto out;
undo:
	{
		struct clerk_err ignore;

		store_savepoint_rollback(cf->st, &ignore);
	}
out:
	free(detail);
	free(args);
	return rc;
}

static int
done(struct caseflow *cf, const struct command *c, const char *ref, struct command_report *rep,
    struct clerk_err *err)
{
	struct store_case sc;
	int found = 0;

	if (store_case_get(cf->st, ref, &sc, &found, err) != 0)
		return -1;
	if (found)
		report_add(rep, "%s: done, %s (%s) is now %s%s", c->text, ref, sc.workflow,
		    sc.state, sc.closed ? " (closed)" : "");
	else
		report_add(rep, "%s: done", c->text);
	store_case_clear(&sc);
	rep->done++;
	log_info(ref, "command-done", "verb=%s", c->verb);
	return 0;
}

int
commands_execute(struct caseflow *cf, const char *role, const char *configured,
    const struct command *c, int64_t mail_id, const struct clock_now *now,
    struct command_report *rep, struct clerk_err *err)
{
	const struct command_syntax *cs = commands_syntax(c->verb);
	struct candidates cd = { NULL, 0, 0 };
	char why[300];
	int handled = 0, rc = -1;

	if (commands_check_syntax(c, why, sizeof(why)) != 0)
		return not_done(cf, role, c, why, mail_id, now, rep, err);
	if (!commands_answered(cf->wf, c->verb)) {
		snprintf(why, sizeof(why), "no workflow of this association answers %s", c->verb);
		return not_done(cf, role, c, why, mail_id, now, rep, err);
	}
	if (!commands_role_may(role, configured, c->verb)) {
		snprintf(why, sizeof(why), "the %s may not use %s (the %s may use: %s)", role,
		    c->verb, role, configured ? configured : commands_default_verbs(role));
		return not_done(cf, role, c, why, mail_id, now, rep, err);
	}
	if (cs->by == COMMAND_BY_MODULE) {
		const struct module_verb *mv = module_verb(c->verb);

		if (mv == NULL) {
			err_set(err, ERR_FINAL, "commands: no handler for %s", c->verb);
			return -1;
		}
		return mv->run(cf, role, c, mail_id, now, rep, err);
	}
	if (cs->member_arg && strchr(c->args[0], '@') != NULL) {
		/* A member: the first of their open cases that takes it. */
		if (store_person_open_cases(cf->st, c->args[0], add_candidate, &cd, err) != 0)
			goto out;
		snprintf(why, sizeof(why), "%s has no open case", c->args[0]);
	} else {
		add_candidate(&cd, c->args[0], NULL, NULL);
	}
	for (size_t i = 0; i < cd.n && !handled; i++) {
		char one[256] = "";

		if (try_case(cf, role, c, cd.refs[i], mail_id, now, &handled, one, sizeof(one),
		    err) != 0)
			goto out;
		if (handled)
			rc = done(cf, c, cd.refs[i], rep, err);
		else if (cd.n == 1)
			snprintf(why, sizeof(why), "%s", one);
		else
			snprintf(why, sizeof(why), "no open case of %.100s takes %s (last: %.120s)",
			    c->args[0], c->verb, one);
	}
	if (!handled)
		rc = not_done(cf, role, c, why, mail_id, now, rep, err);
out:
	candidates_free(&cd);
	return rc;
}

/* ---- command mails ---- */

/* Why a command mail is refused, or "" when it is not. *sig_problem says
 * the reason is the signature. */
static int
refusal(struct caseflow *cf, const struct understanding *u, const struct clock_now *now,
    char *why, size_t n, int *sig_problem, struct clerk_err *err)
{
	const struct config_officer *o = u->officer;
	const struct pgp_signature_info *sig = &u->r.sig;
	const struct mail *m = u->r.outer;
	long long limit = (long long)cf->cfg->limits.command_max_age_hours * 3600;
	char fpr[41] = "", iso[CAL_DATETIME_BUFSZ], *at = NULL;
	int seen = 0, age;

	why[0] = '\0';
	*sig_problem = 1;
	if (pgp_fpr_normalize(o->fingerprint, fpr) != 0)
		fpr[0] = '\0';
	if (sig->verdict == PGP_GOOD && u->signer_is_sender && fpr[0] != '\0' &&
	    strcmp(sig->fpr, fpr) == 0) {
		*sig_problem = 0;
	} else {
		switch (sig->verdict) {
		case PGP_UNSIGNED:
			snprintf(why, n, "the mail is not signed with OpenPGP");
			break;
		case PGP_GOOD:
			snprintf(why, n, "it is signed with key %s, not with the key registered "
			    "for the %s (%s)", sig->fpr, o->role, fpr);
			break;
		case PGP_UNKNOWN_KEY:
			snprintf(why, n, "it is signed with a key clerk does not know (%s), not "
			    "with the key registered for the %s (%s)",
			    sig->sig_fpr[0] ? sig->sig_fpr : "?", o->role, fpr);
			break;
		case PGP_BAD:
			snprintf(why, n, "the signature does not match the text: the mail was "
			    "changed on its way, or the signature is damaged");
			break;
		case PGP_EXPIRED:
			snprintf(why, n, "the signing key or the signature has expired");
			break;
		case PGP_REVOKED:
			snprintf(why, n, "the signing key is revoked");
			break;
		case PGP_ERROR:
			snprintf(why, n, "the signature cannot be checked: %.200s",
			    sig->reason[0] ? sig->reason : "unreadable");
			break;
		}
		return 0;
	}
	*sig_problem = 0;
	if (m->message_id == NULL || m->message_id[0] == '\0') {
		snprintf(why, n, "the mail has no Message-ID, so clerk cannot make sure it is "
		    "carried out only once");
		return 0;
	}
	if (store_command_seen(cf->st, m->message_id, &seen, err) != 0)
		return -1;
	if (seen) {
		snprintf(why, n, "a mail with this Message-ID (<%.200s>) was carried out before; "
		    "a command mail counts once", m->message_id);
		return 0;
	}
	/* The same signed text under new headers: the signature counts once. */
	if (u->r.sig_id[0] == '\0') {
		snprintf(why, n, "the signed text cannot be identified, so clerk cannot make sure "
		    "it is carried out only once");
		return 0;
	}
	if (store_signature_seen(cf->st, u->r.sig_id, &seen, &at, err) != 0)
		return -1;
	if (seen) {
		clock_iso(sig->created, iso);
		snprintf(why, n, "this signature (made %s) was carried out before, on %.19s; "
		    "a signed text counts once, whatever the mail around it", iso, at ? at : "?");
		free(at);
		return 0;
	}
	/* Recent by the signature's own time: the Date: header is not signed. */
	age = pgp_signature_age_check((long long)sig->created, (long long)now->epoch, limit);
	if (age != 0) {
		clock_iso(sig->created, iso);
		if (age == 1)
			snprintf(why, n, "it was signed %s, more than %d hours ago", iso,
			    cf->cfg->limits.command_max_age_hours);
		else if (age == 2)
			snprintf(why, n, "it was signed %s, in the future by clerk's clock", iso);
		else
			snprintf(why, n, "the signature has no creation time");
		return 0;
	}
	return 0;
}

/* The day the mail is dated, in the association's time; now when it has
 * no usable date. */
static struct cal_date
mail_day(const struct mail *m, const struct clock_now *now)
{
	struct clock_now d;

	if (!m->date_valid)
		return now->local.date;
	clock_from_epoch((time_t)m->date_epoch, &d);
	return d.local.date;
}

static int
queue_answer(struct caseflow *cf, const struct understanding *u, const char *template,
    struct tvars *tv, const struct clock_now *now, struct clerk_err *err)
{
	struct notice_ctx nx;
	const struct config_officer *o = u->officer;
	struct notice_req req;
	char *msgid = NULL;
	int rc;

	caseflow_notice_ctx(cf, &nx);
	tvars_set_text(tv, "association", cf->cfg->association.name);
	tvars_set_date(tv, "received", mail_day(u->r.outer, now));
	memset(&req, 0, sizeof(req));
	req.template = template;
	req.to = o->email;
	req.lang = o->language;
	req.vars = tv;
	req.kind = NOTICE_ANSWER;
	req.in_reply_to = u->r.outer->message_id;
	rc = notice_queue(&nx, &req, now, &msgid, err);
	if (rc != 0)
		err_prefix(err, "%s to %s", template, o->email);
	free(msgid);
	return rc;
}

static int
refuse(struct caseflow *cf, const struct understanding *u, int64_t mail_id, const char *why,
    int sig_problem, const struct clock_now *now, struct clerk_err *err)
{
	const struct config_officer *o = u->officer;
	const struct mail *m = u->r.outer;
	struct tvars tv = TVARS_INIT;
	char *detail, *note;
	int rc = -1;

	detail = xasprintf("command mail from the %s (%s) \"%.120s\": %s", o->role,
	    m->from.addr ? m->from.addr : "?", m->subject ? m->subject : "", why);
	note = xasprintf("refused: %s", why);
	if (store_event_append(cf->st, now->iso, NULL, "command-refused", detail, mail_id,
	    err) != 0 ||
	    store_digest_add(cf->st, now->iso, NULL, "refused", "secretary", detail, err) != 0 ||
	    store_mail_set_outcome(cf->st, mail_id, NULL, MAIL_APPLIED, note, err) != 0)
		goto out;
	tvars_set_text(&tv, "mail_subject", m->subject && m->subject[0] ? m->subject :
	    "(no subject)");
	tvars_set_text(&tv, "reason", why);
	tvars_set_flag(&tv, "signature_problem", sig_problem);
	if (queue_answer(cf, u, "command_refused", &tv, now, err) != 0)
		goto out;
	log_info(NULL, "command-refused", "mail=%lld role=%s from=%s why=\"%.200s\"",
	    (long long)mail_id, o->role, m->from.addr ? m->from.addr : "-", why);
	rc = 0;
out:
	tvars_free(&tv);
	free(detail);
	free(note);
	return rc;
}

int
commands_apply(struct caseflow *cf, const struct understanding *u, int64_t mail_id,
    const struct clock_now *now, struct clerk_err *err)
{
	const struct config_officer *o = u->officer;
	const struct mail *m = u->r.outer;
	struct command_list cl = { NULL, 0, 0 };
	struct command_report rep = { NULL, 0, 0, 0, 0 };
	struct tvars tv = TVARS_INIT;
	char why[400], *note = NULL;
	int sig_problem = 0, rc = -1;

	if (o == NULL || m == NULL) {
		err_set(err, ERR_FINAL, "commands: not a mail from an officer");
		return -1;
	}
	if (refusal(cf, u, now, why, sizeof(why), &sig_problem, err) != 0)
		return -1;
	if (why[0] != '\0')
		return refuse(cf, u, mail_id, why, sig_problem, now, err);
	/* Only what the good signature covers (reading.h), nothing around it. */
	commands_parse(cf->wf, u->r.covered ? u->r.covered : "", &cl);
	for (size_t i = 0; i < cl.n; i++) {
		if (i >= COMMANDS_MAX_PER_MAIL) {
			report_add(&rep, "%s: not done: more than %d commands in one mail",
			    cl.v[i].text, COMMANDS_MAX_PER_MAIL);
			rep.not_done++;
			continue;
		}
		if (commands_execute(cf, o->role, o->commands, &cl.v[i], mail_id, now, &rep,
		    err) != 0)
			goto out;
	}
	if (cl.n == 0)
		report_add(&rep, "no command lines in the signed text (quoted lines are ignored)");
	if (u->r.outside)
		report_add(&rep, "text outside the signed part of your mail was ignored: only what "
		    "your signature covers is read as commands");
	if (store_command_record(cf->st, m->message_id, now->iso, o->role, err) != 0 ||
	    store_signature_record(cf->st, u->r.sig_id, now->iso, mail_id, "command", err) != 0)
		goto out;
	tvars_set_list(&tv, "results");
	for (size_t i = 0; i < rep.n; i++)
		tvars_list_add(&tv, "results", rep.lines[i]);
	if (queue_answer(cf, u, "command_receipt", &tv, now, err) != 0)
		goto out;
	note = xasprintf("commands of the %s: %d done, %d not done", o->role, rep.done,
	    rep.not_done);
	if (store_mail_set_outcome(cf->st, mail_id, NULL, MAIL_APPLIED, note, err) != 0)
		goto out;
	log_info(NULL, "commands-applied", "mail=%lld role=%s done=%d not_done=%d",
	    (long long)mail_id, o->role, rep.done, rep.not_done);
	rc = 0;
out:
	free(note);
	tvars_free(&tv);
	command_report_free(&rep);
	command_list_free(&cl);
	return rc;
}
