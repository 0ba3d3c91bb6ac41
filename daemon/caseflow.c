/* Cases through the engine: load, facts, step, persist, act. */
#include "caseflow.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "log.h"
#include "sha256.h"
#include "store_authority.h"
#include "xmalloc.h"

void
caseflow_init(struct caseflow *cf, const struct config *cfg, struct store *st,
    const struct runtime *rt)
{
	memset(cf, 0, sizeof(*cf));
	cf->cfg = cfg;
	cf->st = st;
	cf->wf = rt->wf;
	cf->tpl = rt->tpl;
	cf->pgp = rt->pgp;
	cf->forms = rt->forms;
	cf->public_key = rt->public_key.data;
	cf->public_key_len = rt->public_key.len;
}

void
caseflow_notice_ctx(const struct caseflow *cf, struct notice_ctx *nx)
{
	memset(nx, 0, sizeof(*nx));
	nx->cfg = cf->cfg;
	nx->pgp = cf->pgp;
	nx->tpl = cf->tpl;
	nx->st = cf->st;
	nx->public_key = cf->public_key;
	nx->public_key_len = cf->public_key_len;
}

/* ---- facts: name/value pairs handed to the engine ---- */

struct facts {
	struct wf_kv	*v;	/* owned */
	size_t		 n, cap;
};

static void
fact_set(struct facts *f, const char *name, const char *value)
{
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].name, name) == 0) {
			free(f->v[i].value);
			f->v[i].value = xstrdup(value ? value : "");
			return;
		}
	}
	f->v = xgrow(f->v, &f->cap, f->n + 1, sizeof(*f->v));
	f->v[f->n].name = xstrdup(name);
	f->v[f->n].value = xstrdup(value ? value : "");
	f->n++;
}

static void
fact_int(struct facts *f, const char *name, long long value)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", value);
	fact_set(f, name, num);
}

static void
facts_free(struct facts *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].value);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* years.<workflow>: the years of the person's cases of each workflow, as a
 * list ("2026,2027": one dues case per member and year). */
static int
collect_year(void *arg, const char *workflow, const char *value)
{
	struct facts *f = arg;
	char name[96];
	const char *old;

	snprintf(name, sizeof(name), "years.%s", workflow);
	old = NULL;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			old = f->v[i].value;
	if (old != NULL && old[0] != '\0') {
		char *joined = xasprintf("%s,%s", old, value);

		fact_set(f, name, joined);
		free(joined);
	} else {
		fact_set(f, name, value);
	}
	return 0;
}

/* member_exam_date: the latest exam date the person reported (a form's
 * `Exam date`, kept by the case that read it). */
static int
take_exam_date(void *arg, const char *workflow, const char *value)
{
	(void)workflow;
	fact_set(arg, "member_exam_date", value);
	return 0;
}

/* The person's standing, on every event (workflows/vocabulary). */
static int
person_facts(struct caseflow *cf, const char *email, struct facts *f, struct clerk_err *err)
{
	struct store_member m;
	struct facts years = { NULL, 0, 0 };
	long long owed = 0;
	int found = 0;

	if (email == NULL || email[0] == '\0')
		return 0;
	if (store_person_owed(cf->st, email, &owed, err) != 0 ||
	    store_member_by_email(cf->st, email, &m, &found, err) != 0)
		return -1;
	if (store_person_case_var(cf->st, email, "year", collect_year, &years, err) != 0 ||
	    store_person_case_var(cf->st, email, "exam_date", take_exam_date, f, err) != 0) {
		facts_free(&years);
		if (found)
			store_member_clear(&m);
		return -1;
	}
	/* Whole each time: person_facts may run twice for one event. */
	for (size_t i = 0; i < years.n; i++)
		fact_set(f, years.v[i].name, years.v[i].value);
	facts_free(&years);
	fact_int(f, "owed", owed);
	if (found) {
		fact_set(f, "member_status", m.status);
		fact_set(f, "member_category", m.category);
		store_member_clear(&m);
	}
	fact_set(f, "complaint_pending", "no");
	return 0;
}

static const char *
attachment_kind(const struct mail_attachment *a)
{
	const char *t = a->magic_type ? a->magic_type : a->content_type;

	if (strcmp(t, "application/pdf") == 0)
		return "pdf";
	if (strcmp(t, "image/jpeg") == 0)
		return "jpeg";
	if (strcmp(t, "image/png") == 0)
		return "png";
	if (strncmp(a->content_type, "text/", 5) == 0)
		return "text";
	return "other";
}

/* Lower-case ASCII; the other UTF-8 bytes as they are. */
static int
word_eq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* The profile's category for what a form says: a category name, or one of
 * the words listed for it ("studerende", "Aspirant lid"); else unchanged. */
static void
normalise_category(const struct profile *p, struct facts *f)
{
	char **names = NULL, **words = NULL, *found = NULL;
	size_t nn = 0, nw = 0;
	const char *v = NULL;

	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, "category") == 0)
			v = f->v[i].value;
	if (v == NULL || v[0] == '\0' || profile_list(p, "categories", "names", &names, &nn) != 0)
		return;
	for (size_t i = 0; i < nn && found == NULL; i++) {
		char section[96];

		if (word_eq(v, names[i])) {
			found = names[i];
			break;
		}
		snprintf(section, sizeof(section), "categories.%s", names[i]);
		if (profile_list(p, section, "words", &words, &nw) != 0)
			continue;
		for (size_t w = 0; w < nw; w++) {
			if (found == NULL && word_eq(v, words[w]))
				found = names[i];
			free(words[w]);
		}
		free(words);
	}
	if (found != NULL)
		fact_set(f, "category", found);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
}

/* Whose mail this is, as far as a member's own membership goes (DOMAIN §6,
 * FORMS.md): signed_by_member only for a good, recent signature by the key
 * pinned for the sender that covers the form (or the reply's text);
 * foreign_signature for a good one by another key when a key is pinned
 * (refused, never taken as the member's). answer: the reply's first own
 * line, read from the signed text when the member signed it. */
static void
authority_facts(const struct caseflow *cf, const struct understanding *u,
    const struct clock_now *now, struct facts *f)
{
	const struct reading *r = &u->r;
	long long max_age = (long long)cf->cfg->limits.member_signature_max_age_hours * 3600;
	int has_form = r->form != NULL && r->form->name != NULL;
	int covers = has_form ? r->form_covered : r->covered != NULL;
	int pinned = u->officer == NULL && u->pinned[0] != '\0';
	int good = r->sig.verdict == PGP_GOOD && covers;
	int own = good && pinned && strcasecmp(r->sig.fpr, u->pinned) == 0;
	int fresh = good && pgp_signature_age_check((long long)r->sig.created,
	    (long long)now->epoch, max_age) == 0;
	const char *answer;

	fact_set(f, "signed_by_member", own && fresh ? "yes" : "no");
	fact_set(f, "foreign_signature", good && pinned && !own ? "yes" : "no");
	answer = cf->forms != NULL ? forms_answer(cf->forms, own && fresh ? r->covered :
	    (r->text ? r->text : "")) : NULL;
	fact_set(f, "answer", answer ? answer : "");
	fact_set(f, "confirmation", "none");
}

static void
mail_facts(const struct understanding *u, struct facts *f)
{
	const struct reading *r = &u->r;
	long long n_pdf = 0, n_jpeg = 0, n_png = 0, n_text = 0, n_other = 0, n_keys = 0;

	if (r->form != NULL) {
		for (size_t i = 0; i < r->form->nfields; i++) {
			const struct form_field *ff = &r->form->fields[i];

			if (ff->field != NULL)
				fact_set(f, ff->field, ff->norm ? ff->norm : ff->value);
		}
		if (r->form->lang != NULL)
			fact_set(f, "language", r->form->lang);
	}
	if (r->outer != NULL && r->outer->from.addr != NULL)
		fact_set(f, "from", r->outer->from.addr);
	fact_set(f, "signature", pgp_verdict_name(r->sig.verdict));
	fact_set(f, "signed_by_sender", u->signer_is_sender ? "yes" : "no");
	fact_set(f, "encrypted", r->encrypted ? "yes" : "no");
	for (size_t i = 0; r->body != NULL && i < r->body->nattachments; i++) {
		const struct mail_attachment *a = &r->body->attachments[i];
		const char *k = attachment_kind(a);

		if (a->pgp_keys)
			n_keys++;
		else if (strcmp(k, "pdf") == 0)
			n_pdf++;
		else if (strcmp(k, "jpeg") == 0)
			n_jpeg++;
		else if (strcmp(k, "png") == 0)
			n_png++;
		else if (strcmp(k, "text") == 0)
			n_text++;
		else
			n_other++;
	}
	fact_set(f, "key_attached", (n_keys > 0 || r->imported.n > 0) ? "yes" : "no");
	fact_int(f, "attachments.pdf", n_pdf);
	fact_int(f, "attachments.jpeg", n_jpeg);
	fact_int(f, "attachments.png", n_png);
	fact_int(f, "attachments.text", n_text);
	fact_int(f, "attachments.other", n_other);
	fact_int(f, "attachments.scan", n_pdf + n_jpeg + n_png);
	fact_int(f, "attachments.any", n_pdf + n_jpeg + n_png + n_text + n_other + n_keys);
}

/* ---- loading a case ---- */

static int
load_var(void *arg, const char *name, const char *value)
{
	wf_case_set_var(arg, name, value);
	return 0;
}

struct timer_load {
	struct wf_case		*c;
	struct clerk_err	*err;
};

static int
load_timer(void *arg, const char *name, const char *due, const char *spec, int fired)
{
	struct timer_load *tl = arg;
	struct wf_timer t;

	(void)name;
	(void)due;
	if (wf_timer_from_text(spec, &t, tl->err) != 0)
		return -1;
	t.fired = fired;
	wf_case_put_timer(tl->c, &t);
	wf_timer_clear(&t);
	return 0;
}

/* Loads case `ref` into sc (store row) and wc (engine view); *found 0
 * when there is no such case. */
static int
load_case(struct caseflow *cf, const char *ref, struct store_case *sc, struct wf_case *wc,
    int *found, struct clerk_err *err)
{
	struct timer_load tl = { wc, err };
	struct cal_datetime opened;

	memset(wc, 0, sizeof(*wc));
	*found = 0;
	/* A store failure is a failure, never "no such case": the mail stays
	 * for the next cycle when it is temporary. */
	if (store_case_get(cf->st, ref, sc, found, err) != 0)
		return -1;
	if (!*found)
		return 0;
	if (cal_datetime_parse(sc->opened, &opened, err) != 0)
		goto fail;
	wf_case_init(wc, sc->ref, sc->workflow, sc->state, opened.date);
	if (store_case_vars(cf->st, sc->id, load_var, wc, err) != 0 ||
	    store_case_timers(cf->st, sc->id, load_timer, &tl, err) != 0)
		goto fail;
	return 0;
fail:
	wf_case_free(wc);
	store_case_clear(sc);
	return -1;
}

/* ---- carrying out a step ---- */

struct send_ctx {
	struct caseflow		*cf;
	const struct wf_case	*wc;
	const struct store_case	*sc;
	const struct understanding *u;	/* the mail behind the event, or NULL */
	struct tvars		*tv;
	const char		*lang;		/* the language the notice is written in */
	int			 failed;
	char			 bad[128];
};

static int
truthy(const char *v)
{
	return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0 && strcasecmp(v, "no") != 0 &&
	    strcasecmp(v, "false") != 0;
}

/* What the mail behind the event shows a person deciding on it: the form's
 * fields, unknown labels, attachments and the checks clerk made. 1 when
 * `var` is one of those lists. */
static int
mail_list(const struct understanding *u, const char *var, struct tvars *tv)
{
	const struct reading *r = &u->r;
	char line[600];

	if (strcmp(var, "fields") == 0 || strcmp(var, "unknown_fields") == 0) {
		int known = strcmp(var, "fields") == 0;

		for (size_t i = 0; r->form != NULL && i < r->form->nfields; i++) {
			const struct form_field *ff = &r->form->fields[i];

			if ((ff->field != NULL) != known)
				continue;
			snprintf(line, sizeof(line), "%s: %s", ff->label, ff->value);
			tvars_list_add(tv, var, line);
		}
		return 1;
	}
	if (strcmp(var, "attachments") == 0) {
		for (size_t i = 0; r->body != NULL && i < r->body->nattachments; i++) {
			const struct mail_attachment *a = &r->body->attachments[i];

			snprintf(line, sizeof(line), "%s (%s, %zu bytes)", a->filename[0] ?
			    a->filename : "-", a->content_type, a->data.len);
			tvars_list_add(tv, var, line);
		}
		return 1;
	}
	if (strcmp(var, "checks") == 0) {
		snprintf(line, sizeof(line), "OpenPGP signature: %s%s%s%s",
		    pgp_verdict_name(r->sig.verdict), r->sig.fpr[0] ? " by " : "", r->sig.fpr,
		    u->signer_is_sender ? " (the sender's key)" : "");
		tvars_list_add(tv, var, line);
		snprintf(line, sizeof(line), "encrypted: %s", r->encrypted ? "yes" : "no");
		tvars_list_add(tv, var, line);
		return 1;
	}
	return 0;
}

/* A value for one template variable: the case's own, by name and type,
 * else what the caller knows (the association, the mail). */
static void
provide_var(const char *var, enum tvar_type type, void *arg)
{
	struct send_ctx *sx = arg;
	const struct config *cfg = sx->cf->cfg;
	const char *v = wf_case_var(sx->wc, var);
	struct clerk_err err;

	if (strcmp(var, "case_ref") == 0)
		v = sx->sc->ref;
	else if (strcmp(var, "association") == 0)
		v = cfg->association.name;
	else if (strcmp(var, "association_address") == 0)
		v = cfg->association.address;
	else if (strcmp(var, "currency") == 0)
		v = profile_text(sx->cf->wf->profile, "dues", "currency");
	else if (strcmp(var, "account") == 0)
		v = profile_text(sx->cf->wf->profile, "dues", "account");
	else if (strcmp(var, "applicant") == 0 && v == NULL)
		v = wf_case_var(sx->wc, "name");
	else if (strcmp(var, "applicant_address") == 0)
		v = sx->sc->email;
	else if (strcmp(var, "category") == 0 && v != NULL && sx->lang != NULL) {
		/* The category in the recipient's words: label_<lang> of the profile. */
		char section[96], key[32];
		const char *label;

		snprintf(section, sizeof(section), "categories.%s", v);
		snprintf(key, sizeof(key), "label_%s", sx->lang);
		if ((label = profile_text(sx->cf->wf->profile, section, key)) != NULL)
			v = label;
	}
	switch (type) {
	case TVAR_TEXT:
		tvars_set_text(sx->tv, var, v ? v : "");
		break;
	case TVAR_FLAG:
		tvars_set_flag(sx->tv, var, truthy(v));
		break;
	case TVAR_AMOUNT:
		tvars_set_amount(sx->tv, var, v ? strtoll(v, NULL, 10) : 0);
		break;
	case TVAR_DATE: {
		struct cal_date d;

		/* Absent or not a date: left out, so that the renderer refuses it
		 * only where the notice really prints it. */
		if (v != NULL && cal_date_parse(v, &d, &err) == 0)
			tvars_set_date(sx->tv, var, d);
		break;
	}
	case TVAR_LIST:
		tvars_set_list(sx->tv, var);
		if (v == NULL && sx->u != NULL && mail_list(sx->u, var, sx->tv))
			break;
		for (const char *p = v; p != NULL && *p != '\0';) {
			const char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			char *item = xstrndup(p, n);

			if (item[0] != '\0')
				tvars_list_add(sx->tv, var, item);
			free(item);
			p = comma ? comma + 1 : NULL;
		}
		break;
	}
}

static const char *
recipient_for(struct caseflow *cf, const struct store_case *sc, const struct wf_case *wc,
    const char *role, const char **lang)
{
	const struct config_officer *o = config_officer_by_role(cf->cfg, role);

	*lang = NULL;
	if (o != NULL) {
		*lang = o->language;
		return o->email;
	}
	if (strcmp(role, "applicant") == 0 || strcmp(role, "member") == 0) {
		*lang = wf_case_var(wc, "language");
		if (*lang == NULL || (*lang)[0] == '\0')
			*lang = sc->language;
		return sc->email;
	}
	{
		/* complainant, respondent, ...: the case names their address. */
		char var[64];

		snprintf(var, sizeof(var), "%s_email", role);
		return wf_case_var(wc, var);
	}
}

/* The key a notice to `role` is encrypted to (RFC 3156): the one pinned for
 * the member the case is about, else the key that signed the applicant's
 * own mail to the case; none ("") for officers and others, or when the
 * profile says notices go signed only. */
static int
person_key(struct caseflow *cf, const struct store_case *sc, const struct wf_case *wc,
    const char *role, char key[41], struct clerk_err *err)
{
	const char *enc = profile_text(cf->wf->profile, "association", "encrypt_notices");
	struct store_member m;
	const char *signer;
	int found = 0;

	key[0] = '\0';
	if (enc == NULL || strcmp(enc, "yes") != 0 ||
	    (strcmp(role, "member") != 0 && strcmp(role, "applicant") != 0) ||
	    sc->email == NULL || sc->email[0] == '\0')
		return 0;
	if (store_member_by_email(cf->st, sc->email, &m, &found, err) != 0)
		return -1;
	if (found && m.fingerprint != NULL && m.fingerprint[0] != '\0')
		snprintf(key, 41, "%s", m.fingerprint);
	else if ((signer = wf_case_var(wc, "signer_fpr")) != NULL && signer[0] != '\0')
		snprintf(key, 41, "%s", signer);
	if (found)
		store_member_clear(&m);
	return 0;
}

/* A confirmation token: 80 random bits in base32 (RFC 4648 letters), so a
 * forger who cannot read the registered mailbox cannot guess it. */
static int
new_token(char out[17], struct clerk_err *err)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char rnd[10];
	size_t got = 0;

	while (got < sizeof(rnd)) {
		ssize_t n = getrandom(rnd + got, sizeof(rnd) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(err, ERR_TEMP, "confirmation token: getrandom: %s", strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	for (int i = 0; i < 16; i++) {
		int bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = (unsigned)rnd[byte] << 8 | (byte + 1 < 10 ? rnd[byte + 1] : 0);

		out[i] = alphabet[(v >> (11 - shift)) & 31];
	}
	out[16] = '\0';
	return 0;
}

static int
do_send(struct caseflow *cf, const struct store_case *sc, const struct wf_case *wc,
    const struct wf_out *o, const struct understanding *u, const char *state,
    const struct clock_now *now, struct clerk_err *err)
{
	struct notice_ctx nx;
	struct notice_req req;
	struct tvars tv = TVARS_INIT;
	struct send_ctx sx = { cf, wc, sc, u, &tv, NULL, 0, "" };
	const char *to, *lang;
	char *msgid = NULL, token[17] = "", hash[65], key[41];
	int rc = -1;

	caseflow_notice_ctx(cf, &nx);
	to = recipient_for(cf, sc, wc, o->role, &lang);
	if (to == NULL || to[0] == '\0') {
		err_set(err, ERR_FINAL, "%s: no address for role %s (notice %s)", sc->ref, o->role, o->name);
		return -1;
	}
	sx.lang = template_pick_lang(cf->tpl, lang, cf->cfg->association.language);
	template_each_var(cf->tpl, o->name, provide_var, &sx);
	if (sx.failed) {
		err_set(err, ERR_FINAL, "%s: notice %s: %s", sc->ref, o->name, sx.bad);
		goto out;
	}
	if (o->kind == WF_ACT_CONFIRM) {
		/* Only its digest is stored; the mail itself carries it. */
		if (new_token(token, err) != 0)
			goto out;
		sha256_hex_of(token, strlen(token), hash);
		if (store_confirmation_add(cf->st, hash, sc->id, state, now->iso, err) != 0)
			goto out;
	}
	memset(&req, 0, sizeof(req));
	if (person_key(cf, sc, wc, o->role, key, err) != 0)
		goto out;
	req.encrypt_to = key[0] ? key : NULL;
	req.case_ref = sc->ref;
	req.ref_token = token[0] ? token : NULL;
	req.template = o->name;
	req.to = to;
	req.lang = lang;
	req.vars = &tv;
	req.kind = u != NULL ? NOTICE_ANSWER : NOTICE_GENERATED;
	req.in_reply_to = (u != NULL && u->r.outer != NULL) ? u->r.outer->message_id : NULL;
	if (notice_queue(&nx, &req, now, &msgid, err) != 0) {
		err_prefix(err, "%s: notice %s to %s", sc->ref, o->name, to);
		goto out;
	}
	rc = 0;
out:
	free(msgid);
	tvars_free(&tv);
	return rc;
}

static int
member_change(struct caseflow *cf, const struct store_case *sc, const struct wf_case *wc,
    const struct wf_out *o, const struct clock_now *now, struct clerk_err *err)
{
	struct store_member m;
	int found = 0, is_status = o->kind == WF_ACT_MEMBER_STATUS;

	if (store_member_by_email(cf->st, sc->email, &m, &found, err) != 0)
		return -1;
	if (!found) {
		struct store_member nm;

		memset(&nm, 0, sizeof(nm));
		nm.email = sc->email;
		nm.name = (char *)wf_case_var(wc, "name");
		nm.language = (char *)wf_case_var(wc, "language");
		nm.category = is_status ? (char *)wf_case_var(wc, "category") : o->value;
		nm.status = is_status ? o->value : "applicant";
		if (store_member_insert(cf->st, &nm, now->iso, err) != 0)
			return -1;
		return 0;
	}
	found = store_member_set_status(cf->st, m.id, is_status ? o->value : NULL,
	    is_status ? NULL : o->value, now->iso, sc->workflow, sc->ref, err);
	if (found == 0 && is_status && strcmp(o->value, "active") == 0 &&
	    wf_case_var(wc, "signer_fpr") != NULL &&
	    (m.fingerprint == NULL || m.fingerprint[0] == '\0'))
		found = store_member_pin_key(cf->st, m.id, wf_case_var(wc, "signer_fpr"), now->iso,
		    err);
	store_member_clear(&m);
	return found;
}

static int open_case(struct caseflow *cf, const struct workflow *wf, const struct wf_event *ev,
    const struct wf_kv *with, size_t nwith, const char *email, const char *language,
    const char *parent, const struct understanding *u, const struct clock_now *now,
    struct caseflow_result *res, struct clerk_err *err);

static int
persist_step(struct caseflow *cf, struct store_case *sc, struct wf_case *wc,
    const struct wf_step *step, const struct understanding *u, const struct clock_now *now,
    struct clerk_err *err)
{
	wf_case_apply(wc, step);
	/* The key that signed the person's own mail to this case: pinned to
	 * them when they become a member (FORMS.md: the pinned key). */
	if (u != NULL && u->signer_is_sender && u->r.sig.fpr[0] != '\0' && u->officer == NULL) {
		if (store_case_var_set(cf->st, sc->id, "signer_fpr", u->r.sig.fpr, err) != 0)
			return -1;
		wf_case_set_var(wc, "signer_fpr", u->r.sig.fpr);
	}
	for (size_t i = 0; i < step->nvars; i++)
		if (store_case_var_set(cf->st, sc->id, step->vars[i].name,
		    step->vars[i].value ? step->vars[i].value : "", err) != 0)
			return -1;
	for (size_t i = 0; i < step->ntimers; i++) {
		const struct wf_timer_change *tc = &step->timers[i];
		char *key = wf_timer_key(&tc->timer), *spec = NULL;
		char due[CAL_DATETIME_BUFSZ];
		int rc;

		if (tc->op == WF_TIMER_CLEAR) {
			rc = store_timer_delete(cf->st, sc->id, key, err);
		} else {
			spec = wf_timer_to_text(&tc->timer);
			cal_datetime_format(tc->timer.due, due);
			rc = store_timer_put(cf->st, sc->id, key, due, spec,
			    tc->op == WF_TIMER_FIRE, now->iso, err);
		}
		free(key);
		free(spec);
		if (rc != 0)
			return -1;
	}
	for (size_t i = 0; i < step->nmoves; i++) {
		const struct wf_move *mv = &step->moves[i];
		char detail[300];

		snprintf(detail, sizeof(detail), "%s -> %s (%s)", mv->from ? mv->from : "(new)",
		    mv->to, mv->event);
		if (store_event_append(cf->st, now->iso, sc->ref, "state", detail, 0, err) != 0)
			return -1;
		log_info(sc->ref, "state", "from=%s to=%s workflow=%s", mv->from ? mv->from : "-",
		    mv->to, sc->workflow);
	}
	if (store_case_set_state(cf->st, sc->ref, step->state, step->closed ? now->iso : NULL,
	    err) != 0)
		return -1;
	for (size_t i = 0; i < step->nout; i++) {
		const struct wf_out *o = &step->out[i];
		struct caseflow_result sub;
		const struct workflow *child;
		struct wf_event ev;

		switch (o->kind) {
		case WF_ACT_SEND:
		case WF_ACT_CONFIRM:
			if (do_send(cf, sc, wc, o, u, step->state, now, err) != 0)
				return -1;
			break;
		case WF_ACT_MEMBER_STATUS:
		case WF_ACT_MEMBER_CATEGORY:
			if (member_change(cf, sc, wc, o, now, err) != 0)
				return -1;
			break;
		case WF_ACT_OPEN:
			child = wf_find(cf->wf, o->name);
			if (child == NULL) {
				err_set(err, ERR_FINAL, "%s: open: no workflow %s", sc->ref, o->name);
				return -1;
			}
			memset(&ev, 0, sizeof(ev));
			ev.kind = WF_EV_OPEN;
			ev.name = sc->workflow;
			ev.at = now->local;
			/* The person's standing decides too (one dues case a
			 * year: event.years.dues). */
			{
				struct facts pf = { NULL, 0, 0 };
				int orc;

				if (person_facts(cf, sc->email, &pf, err) != 0) {
					facts_free(&pf);
					return -1;
				}
				ev.facts = pf.v;
				ev.nfacts = pf.n;
				orc = open_case(cf, child, &ev, o->with, o->nwith, sc->email,
				    wf_case_var(wc, "language"), sc->ref, NULL, now, &sub, err);
				facts_free(&pf);
				if (orc != 0)
					return -1;
			}
			break;
		case WF_ACT_DECISION:
			if (store_event_append(cf->st, now->iso, sc->ref, "decision",
			    o->value ? o->value : "", 0, err) != 0)
				return -1;
			break;
		case WF_ACT_DIGEST:
			if (store_digest_add(cf->st, now->iso, sc->ref, o->name, "secretary",
			    o->value ? o->value : "", err) != 0)
				return -1;
			break;
		default:
			err_set(err, ERR_FINAL, "%s: action %d is not for the caller", sc->ref, (int)o->kind);
			return -1;
		}
	}
	return 0;
}

static int
open_case(struct caseflow *cf, const struct workflow *wf, const struct wf_event *ev,
    const struct wf_kv *with, size_t nwith, const char *email, const char *language,
    const char *parent, const struct understanding *u, const struct clock_now *now,
    struct caseflow_result *res, struct clerk_err *err)
{
	const char *prefix = profile_text(cf->wf->profile, "association", "prefix");
	struct store_case sc;
	struct wf_case wc;
	struct wf_step step;
	char *ref = NULL;
	int rc = -1;

	memset(&step, 0, sizeof(step));
	memset(&wc, 0, sizeof(wc));
	memset(&sc, 0, sizeof(sc));
	res->handled = 0;
	if (store_case_next_ref(cf->st, prefix ? prefix : "CASE", now->local.date.year, &ref,
	    err) != 0)
		return -1;
	if (engine_open(cf->wf, cf->wf->profile, wf->name, ref, ev, with, nwith, now->local,
	    &step, err) != 0)
		goto out;
	if (step.result != WF_APPLIED) {
		snprintf(res->why, sizeof(res->why), "%s: %s", wf->name, step.why ? step.why :
		    "not applicable");
		rc = 0;
		goto out;
	}
	sc.ref = ref;
	sc.workflow = (char *)wf->name;
	sc.state = wf->states[wf->initial].name;
	sc.email = (char *)(email ? email : "");
	sc.language = (char *)language;
	sc.parent_ref = (char *)parent;
	sc.opened = (char *)now->iso;
	if (store_case_insert(cf->st, &sc, err) != 0)
		goto out;
	wf_case_init(&wc, ref, wf->name, sc.state, now->local.date);
	if (language != NULL && store_case_var_set(cf->st, sc.id, "language", language, err) != 0)
		goto out;
	if (language != NULL)
		wf_case_set_var(&wc, "language", language);
	if (persist_step(cf, &sc, &wc, &step, u, now, err) != 0)
		goto out;
	res->handled = 1;
	snprintf(res->case_ref, sizeof(res->case_ref), "%s", ref);
	log_info(ref, "case-opened", "workflow=%s email=%s parent=%s", wf->name,
	    email ? email : "-", parent ? parent : "-");
	rc = 0;
out:
	wf_step_free(&step);
	wf_case_free(&wc);
	free(ref);
	return rc;
}

/* A reply that carries a confirmation token in its reference to this case
 * (FORMS.md: the member's reply to the confirmation mail): "valid" when
 * clerk issued it for this case in its present state, unused, and the
 * reply comes from the case's registered address. *hash gets the token's
 * sha256 for marking it used. */
static int
confirmation_fact(struct caseflow *cf, const struct store_case *sc,
    const struct understanding *u, struct facts *f, char hash[65], struct clerk_err *err)
{
	const char *from = u->r.outer != NULL ? u->r.outer->from.addr : NULL;
	const char *why = "";
	int valid = 0;

	hash[0] = '\0';
	if (u->token[0] == '\0' || strcmp(u->case_ref, sc->ref) != 0)
		return 0;
	sha256_hex_of(u->token, strlen(u->token), hash);
	if (from == NULL || strcasecmp(from, sc->email) != 0) {
		why = "not from the registered address";
	} else if (store_confirmation_check(cf->st, hash, sc->id, sc->state, &valid, &why,
	    err) != 0) {
		return -1;
	}
	fact_set(f, "confirmation", valid ? "valid" : "invalid");
	if (!valid) {
		log_info(sc->ref, "confirmation-invalid", "from=%s why=%s", from ? from : "-", why);
		hash[0] = '\0';
	}
	return 0;
}

/* Steps case `ref` with `ev`; res->handled 0 (why set) when it does not apply. */
static int
step_case(struct caseflow *cf, const char *ref, struct wf_event *ev, struct facts *f,
    const struct understanding *u, const struct clock_now *now, struct caseflow_result *res,
    struct clerk_err *err)
{
	struct store_case sc;
	struct wf_case wc;
	struct wf_step step;
	char token_hash[65] = "";
	int found = 0, rc = -1;

	memset(&step, 0, sizeof(step));
	res->handled = 0;
	if (load_case(cf, ref, &sc, &wc, &found, err) != 0)
		return -1;
	if (!found) {
		snprintf(res->why, sizeof(res->why), "no case %s", ref);
		return 0;
	}
	if (person_facts(cf, sc.email, f, err) != 0)
		goto out;
	if (u != NULL && ev->kind == WF_EV_REPLY &&
	    confirmation_fact(cf, &sc, u, f, token_hash, err) != 0)
		goto out;
	ev->facts = f->v;
	ev->nfacts = f->n;
	if (engine_step(cf->wf, cf->wf->profile, &wc, ev, now->local, &step, err) != 0)
		goto out;
	if (step.result != WF_APPLIED) {
		snprintf(res->why, sizeof(res->why), "%s (%s, state %s): %s", ref, sc.workflow,
		    sc.state, step.why ? step.why : "not applicable");
		rc = 0;
		goto out;
	}
	if (persist_step(cf, &sc, &wc, &step, u, now, err) != 0)
		goto out;
	/* A token confirms once. */
	if (token_hash[0] != '\0' && store_confirmation_use(cf->st, token_hash, now->iso, err) != 0)
		goto out;
	res->handled = 1;
	snprintf(res->case_ref, sizeof(res->case_ref), "%s", ref);
	rc = 0;
out:
	wf_step_free(&step);
	wf_case_free(&wc);
	store_case_clear(&sc);
	return rc;
}

/* ---- mails ---- */

struct try_cases {
	struct caseflow		*cf;
	struct wf_event		*ev;
	struct facts		*f;
	const struct understanding *u;
	const struct clock_now	*now;
	struct caseflow_result	*res;
	struct clerk_err	*err;
};

static int
try_open_case(void *arg, const char *ref, const char *workflow, const char *state)
{
	struct try_cases *tc = arg;

	(void)workflow;
	(void)state;
	if (step_case(tc->cf, ref, tc->ev, tc->f, tc->u, tc->now, tc->res, tc->err) != 0)
		return -1;
	return tc->res->handled;
}

struct opener_pick {
	const struct workflow	*wf[16];
	size_t			 n;
};

static void
collect_opener(void *arg, const struct workflow *wf, const struct wf_opener *op)
{
	struct opener_pick *p = arg;

	(void)op;
	if (p->n < sizeof(p->wf) / sizeof(p->wf[0]))
		p->wf[p->n++] = wf;
}

int
caseflow_mail(struct caseflow *cf, const struct understanding *u, const char *from,
    const struct clock_now *now, struct caseflow_result *res, struct clerk_err *err)
{
	struct facts f = { NULL, 0, 0 };
	struct wf_event ev;
	struct try_cases tc;
	struct opener_pick pick;
	const char *form = u->r.form ? u->r.form->name : NULL;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&ev, 0, sizeof(ev));
	mail_facts(u, &f);
	authority_facts(cf, u, now, &f);
	normalise_category(cf->wf->profile, &f);
	ev.kind = u->cls.kind == KIND_FORM ? WF_EV_FORM : WF_EV_REPLY;
	ev.name = ev.kind == WF_EV_FORM ? form : NULL;
	ev.at = now->local;
	if (u->case_ref[0] != '\0') {
		if (step_case(cf, u->case_ref, &ev, &f, u, now, res, err) != 0)
			goto out;
		if (res->handled || ev.kind != WF_EV_FORM) {
			rc = 0;
			goto out;
		}
	}
	if (ev.kind == WF_EV_FORM) {
		/* A form for a case of the sender's that is waiting for it ... */
		tc = (struct try_cases){ cf, &ev, &f, u, now, res, err };
		if (store_person_open_cases(cf->st, from, try_open_case, &tc, err) != 0)
			goto out;
		if (res->handled) {
			rc = 0;
			goto out;
		}
		/* ... else a new case of each workflow it opens. */
		pick.n = 0;
		wf_openers(cf->wf, WF_EV_FORM, form, collect_opener, &pick);
		if (person_facts(cf, from, &f, err) != 0)
			goto out;
		ev.facts = f.v;
		ev.nfacts = f.n;
		for (size_t i = 0; i < pick.n && !res->handled; i++)
			if (open_case(cf, pick.wf[i], &ev, NULL, 0, from,
			    u->r.form ? u->r.form->lang : NULL, NULL, u, now, res, err) != 0)
				goto out;
		if (!res->handled && pick.n == 0)
			snprintf(res->why, sizeof(res->why), "no workflow opens on form %s", form);
	}
	rc = 0;
out:
	facts_free(&f);
	return rc;
}

/* ---- commands ---- */

/* "1250", "1 250,50", "1250.5" in major units -> minor units. */
static int
parse_amount(const char *s, long long *minor)
{
	long long whole = 0, frac = 0;
	int fdigits = 0, digits = 0, in_frac = 0;

	for (; *s; s++) {
		if (isdigit((unsigned char)*s)) {
			if (in_frac) {
				if (++fdigits > 2)
					return -1;
				frac = frac * 10 + (*s - '0');
			} else {
				if (++digits > 12)
					return -1;
				whole = whole * 10 + (*s - '0');
			}
		} else if ((*s == '.' || *s == ',') && !in_frac && digits > 0) {
			in_frac = 1;
		} else if (*s == ' ' && !in_frac) {
			continue;
		} else {
			return -1;
		}
	}
	if (digits == 0)
		return -1;
	if (fdigits == 1)
		frac *= 10;
	*minor = whole * 100 + frac;
	return 0;
}

int
caseflow_command(struct caseflow *cf, const char *officer_role, const char *verb,
    const char *const *args, size_t nargs, const struct clock_now *now,
    struct caseflow_result *res, struct clerk_err *err)
{
	struct facts f = { NULL, 0, 0 };
	struct wf_event ev;
	struct buf text = BUF_INIT;
	int rc;

	memset(res, 0, sizeof(*res));
	if (nargs == 0) {
		snprintf(res->why, sizeof(res->why), "%s needs a case reference", verb);
		return 0;
	}
	fact_set(&f, "officer", officer_role);
	fact_int(&f, "nargs", (long long)nargs);
	for (size_t i = 0; i < nargs; i++) {
		char name[32];

		snprintf(name, sizeof(name), "args.%zu", i);
		fact_set(&f, name, args[i]);
		if (i > 0) {
			if (i > 1)
				buf_append_char(&text, ' ');
			buf_append_str(&text, args[i]);
		}
	}
	fact_set(&f, "text", buf_str(&text));
	if (strcmp(verb, "paid") == 0 && nargs >= 2) {
		long long minor;

		if (parse_amount(args[1], &minor) != 0) {
			snprintf(res->why, sizeof(res->why), "paid: '%s' is not an amount", args[1]);
			rc = 0;
			goto out;
		}
		fact_int(&f, "amount", minor);
		if (nargs >= 3)
			fact_set(&f, "date", args[2]);
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = WF_EV_COMMAND;
	ev.name = verb;
	ev.args = args;
	ev.nargs = nargs;
	ev.at = now->local;
	rc = step_case(cf, args[0], &ev, &f, NULL, now, res, err);
out:
	buf_free(&text);
	facts_free(&f);
	return rc;
}

/* ---- timers ---- */

struct first_due {
	int64_t	 case_id;
	char	 name[128];
	char	 due[CAL_DATETIME_BUFSZ];
	int	 found;
};

static int
take_first_due(void *arg, int64_t case_id, const char *name, const char *due)
{
	struct first_due *fd = arg;

	fd->case_id = case_id;
	snprintf(fd->name, sizeof(fd->name), "%s", name);
	snprintf(fd->due, sizeof(fd->due), "%s", due);
	fd->found = 1;
	return 0;
}

/* A timer whose step cannot be carried out (a data error in a workflow or
 * a template): marked fired so the daemon goes on, and shown to a person. */
static int
timer_failed(struct caseflow *cf, const struct first_due *fd, const char *ref,
    const char *why, const struct clock_now *now, struct clerk_err *err)
{
	char text[600];

	log_error(ref, "timer-failed", "timer=%s error=\"%s\"", fd->name, why);
	snprintf(text, sizeof(text), "timer %s could not be carried out: %.500s", fd->name, why);
	if (store_begin(cf->st, err) != 0)
		return -1;
	if (store_timer_mark_fired(cf->st, fd->case_id, fd->name, now->iso, err) != 0 ||
	    store_event_append(cf->st, now->iso, ref, "timer-failed", text, 0, err) != 0 ||
	    store_digest_add(cf->st, now->iso, ref, "info", "secretary", text, err) != 0) {
		store_rollback(cf->st);
		return -1;
	}
	return store_commit(cf->st, err);
}

/* Fires the first due timer of case `ref`; *fired 0 when none was due. */
static int
fire_one(struct caseflow *cf, const char *ref, const struct clock_now *now, int *fired,
    struct clerk_err *err)
{
	const struct wf_timer **due = NULL;
	struct store_case sc;
	struct wf_case wc;
	struct wf_step step;
	struct wf_event ev;
	struct facts f = { NULL, 0, 0 };
	int found = 0, rc = -1;
	size_t n;

	memset(&step, 0, sizeof(step));
	*fired = 0;
	if (load_case(cf, ref, &sc, &wc, &found, err) != 0)
		return -1;
	if (!found)
		return 0;
	n = engine_timers_due(&wc, now->local, &due);
	if (n == 0) {
		rc = 0;
		goto out;
	}
	if (person_facts(cf, sc.email, &f, err) != 0)
		goto out;
	wf_event_for_timer(due[0], &ev);
	/* The history says when it was due and when it fired (after downtime
	 * the two differ; the engine counts from the due time). */
	{
		char when[CAL_DATETIME_BUFSZ], *detail, *key = wf_timer_key(due[0]);

		cal_datetime_format(due[0]->due, when);
		detail = xasprintf("%s due %s, fired %s", key, when, now->iso);
		rc = store_event_append(cf->st, now->iso, sc.ref, "timer", detail, 0, err);
		free(detail);
		free(key);
		if (rc != 0)
			goto out;
		rc = -1;
	}
	ev.facts = f.v;
	ev.nfacts = f.n;
	if (engine_step(cf->wf, cf->wf->profile, &wc, &ev, now->local, &step, err) != 0 ||
	    persist_step(cf, &sc, &wc, &step, NULL, now, err) != 0)
		goto out;
	if (step.result != WF_APPLIED)
		log_info(ref, "timer-unanswered", "why=\"%s\"", step.why ? step.why : "");
	*fired = 1;
	rc = 0;
out:
	free(due);
	facts_free(&f);
	wf_step_free(&step);
	wf_case_free(&wc);
	store_case_clear(&sc);
	return rc;
}

/* ---- yearly openings ---- */

struct yearly_day {
	const struct workflow	*wf;
	struct cal_date		 day;
};

struct yearly_days {
	struct yearly_day	*v;	/* owned */
	size_t			 n, cap;
};

static void
collect_yearly(void *arg, const struct workflow *wf, struct cal_date day)
{
	struct yearly_days *yd = arg;

	yd->v = xgrow(yd->v, &yd->cap, yd->n + 1, sizeof(*yd->v));
	yd->v[yd->n].wf = wf;
	yd->v[yd->n].day = day;
	yd->n++;
}

struct yearly_member {
	struct caseflow		*cf;
	const struct yearly_day	*yd;
	const struct clock_now	*now;
	int			*opened;
	struct clerk_err	*err;
};

static int
open_for_member(void *arg, const struct store_member *m)
{
	struct yearly_member *ym = arg;
	struct facts f = { NULL, 0, 0 };
	struct caseflow_result res;
	struct wf_event ev;
	int rc = -1;

	if (person_facts(ym->cf, m->email, &f, ym->err) != 0)
		goto out;
	fact_set(&f, "name", m->name);
	fact_set(&f, "email", m->email);
	if (m->language != NULL)
		fact_set(&f, "language", m->language);
	memset(&ev, 0, sizeof(ev));
	ev.kind = WF_EV_YEARLY;
	ev.name = ym->yd->wf->name;
	ev.facts = f.v;
	ev.nfacts = f.n;
	ev.at.date = ym->yd->day;
	ev.at.hour = ym->cf->wf->fire_hour;
	if (open_case(ym->cf, ym->yd->wf, &ev, NULL, 0, m->email, m->language, NULL, NULL,
	    ym->now, &res, ym->err) != 0)
		goto out;
	if (res.handled) {
		char when[CAL_DATETIME_BUFSZ], *detail;

		cal_datetime_format(ev.at, when);
		detail = xasprintf("%s: yearly opening due %s, fired %s", ym->yd->wf->name, when,
		    ym->now->iso);
		rc = store_event_append(ym->cf->st, ym->now->iso, res.case_ref, "yearly", detail, 0,
		    ym->err);
		free(detail);
		if (rc != 0)
			goto out;
		rc = -1;
		(*ym->opened)++;
	}
	rc = 0;
out:
	facts_free(&f);
	return rc;
}

/* Fires the earliest due timer (fd), in a transaction of its own; a timer
 * whose step fails is marked and reported, never retried in a loop. */
static int
fire_due_timer(struct caseflow *cf, const struct first_due *fd, const struct clock_now *now,
    int *count, struct clerk_err *err)
{
	char *ref = NULL;
	int fired = 0;

	if (store_begin(cf->st, err) != 0)
		return -1;
	if (store_case_ref_by_id(cf->st, fd->case_id, &ref, err) != 0) {
		store_rollback(cf->st);
		return -1;
	}
	err_clear(err);
	if (fire_one(cf, ref, now, &fired, err) != 0 || !fired) {
		char why[512];

		store_rollback(cf->st);
		if (!fired && err->msg[0] == '\0')
			err_set(err, ERR_FINAL, "the store has a due timer the case does not");
		if (err->temporary) {
			free(ref);
			return -1;
		}
		/* Never spin, never stop: the next timer comes next. */
		snprintf(why, sizeof(why), "%s", err->msg);
		err_clear(err);
		if (timer_failed(cf, fd, ref, why, now, err) != 0) {
			free(ref);
			return -1;
		}
		free(ref);
		return 0;
	}
	free(ref);
	if (store_commit(cf->st, err) != 0)
		return -1;
	(*count)++;
	return 0;
}

/* The yearly openings of one workflow and day, for every member its guard
 * accepts, in one transaction with the day recorded as done. */
static int
open_yearly_day(struct caseflow *cf, const struct yearly_day *yd, const struct clock_now *now,
    int *opened, struct clerk_err *err)
{
	struct yearly_member ym = { cf, yd, now, opened, err };
	char iso[CAL_DATE_BUFSZ];

	if (store_begin(cf->st, err) != 0)
		return -1;
	if (store_members_with_status(cf->st, NULL, open_for_member, &ym, err) != 0 ||
	    store_meta_set(cf->st, "yearly.last", cal_date_format(yd->day, iso), err) != 0) {
		store_rollback(cf->st);
		return -1;
	}
	if (store_commit(cf->st, err) != 0)
		return -1;
	log_info(NULL, "yearly", "workflow=%s day=%s opened=%d", yd->wf->name, iso, *opened);
	return 0;
}

int
caseflow_run_due(struct caseflow *cf, const struct clock_now *now, int *opened, int *fired,
    struct clerk_err *err)
{
	struct yearly_days days = { NULL, 0, 0 };
	struct cal_date last;
	char *text = NULL, iso[CAL_DATE_BUFSZ];
	size_t next_day = 0;
	int rc = -1;

	*opened = *fired = 0;
	if (store_meta_get(cf->st, "yearly.last", &text, err) != 0)
		return -1;
	/* A new store starts with yesterday: today's openings still happen. */
	if (text == NULL || cal_date_parse(text, &last, err) != 0)
		last = cal_add_days(now->local.date, -1);
	free(text);
	if (cal_date_cmp(last, now->local.date) < 0)
		engine_yearly_due(cf->wf, last, now->local.date, collect_yearly, &days);
	/* One order for every due event, timers and openings alike, as if
	 * each had happened on time: a member removed for non-payment before
	 * the invoice date gets no invoice, after downtime too. A timer due
	 * at the same moment as an opening goes first. */
	for (;;) {
		struct first_due fd = { 0, "", "", 0 };
		char day_at[CAL_DATETIME_BUFSZ] = "";

		if (store_timers_due(cf->st, now->iso, 1, take_first_due, &fd, err) != 0)
			goto out;
		if (next_day < days.n) {
			struct cal_datetime t = { days.v[next_day].day, cf->wf->fire_hour, 0, 0 };

			cal_datetime_format(t, day_at);
		}
		if (!fd.found && day_at[0] == '\0')
			break;
		if (day_at[0] != '\0' && (!fd.found || strcmp(day_at, fd.due) < 0)) {
			if (open_yearly_day(cf, &days.v[next_day], now, opened, err) != 0)
				goto out;
			next_day++;
		} else if (fire_due_timer(cf, &fd, now, fired, err) != 0) {
			goto out;
		}
	}
	if (store_meta_set(cf->st, "yearly.last", cal_date_format(now->local.date, iso), err) != 0)
		goto out;
	rc = 0;
out:
	free(days.v);
	return rc;
}

