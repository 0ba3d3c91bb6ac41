/* Unit tests of notice_queue(): real templates (workflows/ of the source
 * tree), a throwaway store and throwaway GnuPG homes made with the gpg
 * command line; no network. Each notice is parsed back with the MIME
 * module and its signature verified with the OpenPGP module. */
#define _XOPEN_SOURCE 700	/* mkdtemp, nftw */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "mail.h"
#include "notice.h"
#include "openpgp.h"
#include "store.h"
#include "store_outbox.h"
#include "template.h"
#include "tvars.h"
#include "testutil.h"
#include "xmalloc.h"

#ifndef CLERK_SRCDIR_DEFAULT
#define CLERK_SRCDIR_DEFAULT "."
#endif

#define REF "FGT-2027-0001"
#define NOW "2027-02-01T09:00:00"
#define NOW_DATE "Mon, 1 Feb 2027 09:00:00 +0100"

/* Prepared by main() before the tests; each test runs in a child. */
static struct {
	char			 dir[64];
	char			*h_assoc;	/* association key; knows alice, bob */
	char			*h_alice;	/* alice's key; knows the association */
	char			 assoc[41], alice[41], bob[41];
	struct buf		 assoc_pub;	/* armored public key */
	struct config		*cfg;		/* limits: 3 answers a day */
	struct config		*cfg_held;	/* signs with alice's fpr: no secret */
	struct template_set	*tpl;
	struct clock_now	 now;
} fx;

static void teardown(void);

static struct config *
make_config(const char *fpr, int per_day)
{
	struct config *cfg = NULL;
	struct clerk_err err = { 0, "" };
	char *text = xasprintf(
	    "[intake]\nmaildir = %s/maildir\n\n"
	    "[smtp]\nurl = smtp://127.0.0.1:2525\nenvelope_from = bounces@fgt.test\n\n"
	    "[openpgp]\nhome = %s\nfingerprint = %s\n\n"
	    "[association]\nname = Foreningen for Gestaltterapeuter\naddress = clerk@fgt.test\n"
	    "profile = fgt\nworkflows = %s/workflows\nlanguage = en\n"
	    "timezone = Europe/Oslo\n\n"
	    "[officer secretary]\nemail = secretary@fgt.test\n"
	    "fingerprint = 1111111111111111111111111111111111111111\n\n"
	    "[limits]\nauto_replies_per_day = %d\n\n"
	    "[storage]\ndatabase = %s/unused.db\n",
	    fx.dir, fx.h_assoc, fpr, getenv("CLERK_SRCDIR") && *getenv("CLERK_SRCDIR") ?
	    getenv("CLERK_SRCDIR") : CLERK_SRCDIR_DEFAULT, per_day, fx.dir);

	if (config_parse("test.conf", fx.dir, text, strlen(text), &cfg, &err) != 0)
		tu_die("config: %s", err.msg);
	free(text);
	return cfg;
}

static void
setup(void)
{
	static const char *const langs[] = { "en", "nb", "da", "nl", NULL };
	struct buf diag = BUF_INIT;
	struct clerk_err err = { 0, "" };
	time_t t;

	tu_mkdtemp("notice", teardown);
	snprintf(fx.dir, sizeof(fx.dir), "%s", tu_dir);
	fx.h_assoc = tu_make_home("assoc");
	fx.h_alice = tu_make_home("alice");
	tu_gen_key(fx.h_assoc, "Foreningen for Gestaltterapeuter <clerk@fgt.test>", 1, fx.assoc);
	tu_gen_key(fx.h_alice, "Alice Example <alice@example.test>", 1, fx.alice);
	/* Bob's key can sign only: nothing can be encrypted to it. */
	tu_gen_key(fx.h_alice, "Bob Example <bob@example.test>", 0, fx.bob);
	tu_copy_public(fx.h_alice, fx.alice, fx.h_assoc, NULL);
	tu_copy_public(fx.h_alice, fx.bob, fx.h_assoc, NULL);
	tu_copy_public(fx.h_assoc, fx.assoc, fx.h_alice, &fx.assoc_pub);

	fx.cfg = make_config(fx.assoc, 3);
	fx.cfg_held = make_config(fx.alice, 3);
	if (templates_load_dir(fx.cfg->association.workflows, langs, &fx.tpl, &diag, &err) != 0)
		tu_die("templates: %s\n%s", err.msg, buf_str(&diag));
	buf_free(&diag);
	if (clock_set_timezone("Europe/Oslo", &err) != 0 || clock_parse_fixed(NOW, &t, &err) != 0)
		tu_die("clock: %s", err.msg);
	clock_from_epoch(t, &fx.now);
}

static void
teardown(void)
{
	char *homes[] = { fx.h_assoc, fx.h_alice };

	tu_cleanup(homes, 2);
	free(fx.h_assoc);
	free(fx.h_alice);
	fx.h_assoc = fx.h_alice = NULL;
	config_free(fx.cfg);
	config_free(fx.cfg_held);
	template_set_free(fx.tpl);
	buf_free(&fx.assoc_pub);
}

/* ---- per test: a store, an OpenPGP context, the notice context ---- */

struct env {
	struct store		*st;
	struct openpgp		*pgp;
	struct notice_ctx	 nx;
	struct tvars		 vars;
	struct clerk_err	 err;
};

static void
env_open(struct env *e, const struct config *cfg)
{
	static int n;
	char *db = xasprintf("%s/t%d-%d.db", fx.dir, (int)getpid(), n++);

	memset(e, 0, sizeof(*e));
	ck_assert_msg(store_open(db, &e->st, &e->err) == 0, "%s", e->err.msg);
	ck_assert_msg(openpgp_open(fx.h_assoc, &e->pgp, &e->err) == 0, "%s", e->err.msg);
	e->nx.cfg = cfg;
	e->nx.pgp = e->pgp;
	e->nx.tpl = fx.tpl;
	e->nx.st = e->st;
	e->nx.public_key = fx.assoc_pub.data;
	e->nx.public_key_len = fx.assoc_pub.len;
	tvars_set_text(&e->vars, "name", "Alice Example");
	tvars_set_text(&e->vars, "case_ref", REF);
	tvars_set_text(&e->vars, "association", cfg->association.name);
	tvars_set_text(&e->vars, "association_address", cfg->association.address);
	tvars_set_date(&e->vars, "received", (struct cal_date){ 2027, 1, 30 });
	free(db);
}

static void
env_close(struct env *e)
{
	tvars_free(&e->vars);
	openpgp_close(e->pgp);
	store_close(e->st);
}

/* application_received to alice, an answer to her mail. */
static struct notice_req
answer_req(const struct env *e)
{
	static const char *const refs[] = { "first@example.test", "form@example.test", NULL };
	struct notice_req r;

	memset(&r, 0, sizeof(r));
	r.case_ref = REF;
	r.template = "application_received";
	r.to = "Alice@Example.test";
	r.to_name = "Alice Example";
	r.vars = &e->vars;
	r.kind = NOTICE_ANSWER;
	r.in_reply_to = "form@example.test";
	r.references = refs;
	return r;
}

/* notice_queue in its own transaction, as the caller does it. */
static int
queue(struct env *e, const struct notice_req *r, const struct clock_now *now, char **id)
{
	int rc;

	ck_assert_msg(store_begin(e->st, &e->err) == 0, "%s", e->err.msg);
	rc = notice_queue(&e->nx, r, now, id, &e->err);
	if (rc == 0)
		ck_assert_msg(store_commit(e->st, &e->err) == 0, "%s", e->err.msg);
	else
		store_rollback(e->st);
	return rc;
}

static void
row_bytes(struct env *e, const char *id, struct buf *out)
{
	void *b = NULL;
	size_t len = 0;

	ck_assert_int_eq(store_outbox_bytes(e->st, id, NULL, &b, &len, &e->err), 0);
	ck_assert_msg(b != NULL, "no outbox row for %s", id);
	buf_append(out, b, len);
	free(b);
}

static void
assert_wire_safe(const struct buf *b)
{
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		ck_assert_msg(c < 0x80, "byte 0x%02x at %zu", c, i);
		if (c == '\n')
			ck_assert_msg(i > 0 && b->data[i - 1] == '\r', "bare LF at %zu", i);
		if (c == '\r')
			ck_assert_msg(i + 1 < b->len && b->data[i + 1] == '\n', "bare CR at %zu", i);
	}
}

static struct mail *
parse(const struct buf *b)
{
	struct mail *m = NULL;
	struct clerk_err err = { 0, "" };

	ck_assert_msg(mail_parse(b->data, b->len, NULL, &m, &err) == 0, "%s", err.msg);
	return m;
}

/* The signature of a multipart/signed mail, verified in `home`: GOOD by
 * the association's key. */
static void
assert_signed_by_assoc(const struct mail *m, const char *home)
{
	struct openpgp *p = NULL;
	struct pgp_signature_info info;
	struct clerk_err err = { 0, "" };

	memset(&info, 0, sizeof(info));
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_SIGNED);
	ck_assert_ptr_nonnull(m->pgp.micalg);
	ck_assert_int_eq(strncmp(m->pgp.micalg, "pgp-", 4), 0);
	ck_assert_msg(openpgp_open(home, &p, &err) == 0, "%s", err.msg);
	ck_assert_msg(openpgp_verify_detached(p, m->pgp.signed_data.data, m->pgp.signed_data.len,
	    m->pgp.signature.data, m->pgp.signature.len, &info, &err) == 0, "%s", err.msg);
	ck_assert_msg(info.verdict == PGP_GOOD, "verdict %s: %s", pgp_verdict_name(info.verdict),
	    info.reason);
	ck_assert_str_eq(info.fpr, fx.assoc);
	pgp_signature_info_free(&info);
	openpgp_close(p);
}

struct collect {
	struct buf	text;
};

static int
on_event(void *arg, const char *at, const char *kind, const char *detail)
{
	struct collect *c = arg;

	buf_printf(&c->text, "%s %s %s\n", at, kind, detail);
	return 0;
}

static int
on_digest(void *arg, int64_t id, const char *at, const char *case_ref, const char *kind,
    const char *text)
{
	struct collect *c = arg;

	(void)id;
	buf_printf(&c->text, "%s %s %s %s\n", at, case_ref ? case_ref : "-", kind, text);
	return 0;
}

static char *
events_of(struct env *e, const char *ref)
{
	struct collect c = { BUF_INIT };

	ck_assert_int_eq(store_events_for_case(e->st, ref, on_event, &c, &e->err), 0);
	return buf_steal(&c.text);
}

static char *
digest_of(struct env *e)
{
	struct collect c = { BUF_INIT };

	ck_assert_int_eq(store_digest_unsent(e->st, "secretary", on_digest, &c, &e->err), 0);
	return buf_steal(&c.text);
}

static int
count_state(struct env *e, enum outbox_state s)
{
	int n = -1;

	ck_assert_int_eq(store_outbox_count_state(e->st, s, &n, &e->err), 0);
	return n;
}

/* ---- tests ---- */

START_TEST(signed_answer_row)
{
	struct env e;
	struct notice_req r;
	struct buf b = BUF_INIT;
	struct mail *m;
	struct store_outbox_status s;
	struct store_outbox o;
	char *id = NULL, *ev, want[256];
	int found = 0;
	regex_t re;

	env_open(&e, fx.cfg);
	r = answer_req(&e);
	ck_assert_msg(queue(&e, &r, &fx.now, &id) == 0, "%s", e.err.msg);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(regcomp(&re, "^[0-9]{14}\\.[0-9a-f]{32}@fgt\\.test$",
	    REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&re, id, 0, NULL, 0) == 0, "message id %s", id);
	regfree(&re);
	ck_assert_int_eq(strncmp(id, "20270201090000.", 15), 0);

	row_bytes(&e, id, &b);
	assert_wire_safe(&b);
	m = parse(&b);
	assert_signed_by_assoc(m, fx.h_assoc);
	assert_signed_by_assoc(m, fx.h_alice);	/* as alice's program sees it */
	/* the signed part is step A: headers of a text/plain QP entity */
	ck_assert_int_eq(strncmp(m->pgp.signed_data.data, "Content-Type: text/plain", 24), 0);
	ck_assert_str_eq(m->content_type, "multipart/signed");
	ck_assert_str_eq(m->message_id, id);
	snprintf(want, sizeof(want), "<%s>", id);
	ck_assert_str_eq(mail_header(m, "Message-ID"), want);
	ck_assert_str_eq(m->subject, "[" REF "] Your membership application has been received");
	ck_assert_str_eq(mail_header(m, "Date"), NOW_DATE);
	ck_assert_str_eq(m->auto_submitted, "auto-replied");
	ck_assert_str_eq(m->in_reply_to, "form@example.test");
	ck_assert_uint_eq(m->nreferences, 2);
	ck_assert_str_eq(m->references[0], "first@example.test");
	ck_assert_str_eq(m->references[1], "form@example.test");
	ck_assert_str_eq(m->from.addr, "clerk@fgt.test");
	ck_assert_str_eq(m->from.name, "Foreningen for Gestaltterapeuter");
	ck_assert_uint_eq(m->reply_to.n, 1);
	ck_assert_str_eq(m->reply_to.v[0].addr, "clerk@fgt.test");
	ck_assert_uint_eq(m->to.n, 1);
	ck_assert_str_eq(m->to.v[0].addr, "alice@example.test");
	ck_assert_ptr_nonnull(strstr(m->text, "Dear Alice Example,"));
	ck_assert_ptr_nonnull(strstr(m->text, "30 January 2027"));
	mail_free(m);

	/* the row: queued, for alice, with the envelope sender, due now */
	ck_assert_int_eq(store_outbox_status(e.st, id, NULL, &s, &found, &e.err), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(s.state, OUTBOX_QUEUED);
	ck_assert_str_eq(s.recipient, "alice@example.test");
	ck_assert_str_eq(s.kind, "application_received");
	ck_assert_str_eq(s.case_ref, REF);
	ck_assert_str_eq(s.queued, NOW);
	store_outbox_status_clear(&s);
	ck_assert_int_eq(store_outbox_next(e.st, NOW, &o, &found, &e.err), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_str_eq(o.message_id, id);
	ck_assert_str_eq(o.envelope_from, "bounces@fgt.test");
	ck_assert_uint_eq(o.len, b.len);
	ck_assert_int_eq(memcmp(o.bytes, b.data, b.len), 0);
	store_outbox_clear(&o);

	ev = events_of(&e, REF);
	snprintf(want, sizeof(want), "notice-queued template=application_received "
	    "to=alice@example.test lang=en message-id=%s encrypted=no", id);
	ck_assert_msg(strstr(ev, want) != NULL, "events: %s", ev);
	free(ev);
	free(id);
	buf_free(&b);
	env_close(&e);
}
END_TEST

START_TEST(generated_without_reference)
{
	struct env e;
	struct notice_req r;
	struct buf b = BUF_INIT;
	struct mail *m;
	char *id = NULL, *id2 = NULL;

	env_open(&e, fx.cfg);
	r = answer_req(&e);
	r.kind = NOTICE_GENERATED;
	r.case_ref = NULL;
	r.in_reply_to = NULL;
	r.references = NULL;
	ck_assert_msg(queue(&e, &r, &fx.now, &id) == 0, "%s", e.err.msg);
	row_bytes(&e, id, &b);
	assert_wire_safe(&b);
	m = parse(&b);
	assert_signed_by_assoc(m, fx.h_assoc);
	ck_assert_str_eq(m->subject, "Your membership application has been received");
	ck_assert_str_eq(m->auto_submitted, "auto-generated");
	ck_assert_ptr_null(m->in_reply_to);
	ck_assert_ptr_null(mail_header(m, "References"));
	ck_assert_ptr_null(strstr(b.data, "\r\nSubject: ["));
	mail_free(m);
	/* a second notice gets a new id */
	ck_assert_msg(queue(&e, &r, &fx.now, &id2) == 0, "%s", e.err.msg);
	ck_assert_str_ne(id, id2);
	free(id);
	free(id2);
	buf_free(&b);
	env_close(&e);
}
END_TEST

START_TEST(language_and_fallback)
{
	static const struct {
		const char	*lang, *subject_has, *text_has;
	} cases[] = {
		{ "nb", "Vi har mottatt søknaden din om medlemskap", "Hei Alice Example," },
		{ "da", NULL, NULL },
		{ "nl", NULL, NULL },
		{ "fr", "Your membership application has been received", "Dear Alice" },
		{ NULL, "Your membership application has been received", "Dear Alice" },
	};
	struct env e;

	env_open(&e, fx.cfg);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct notice_req r = answer_req(&e);
		struct buf b = BUF_INIT;
		struct mail *m;
		char *id = NULL, *ev, want[64];

		r.kind = NOTICE_GENERATED;	/* not counted against the limit */
		r.lang = cases[i].lang;
		ck_assert_msg(queue(&e, &r, &fx.now, &id) == 0, "%s", e.err.msg);
		row_bytes(&e, id, &b);
		assert_wire_safe(&b);	/* ø and å travel as quoted-printable */
		m = parse(&b);
		assert_signed_by_assoc(m, fx.h_alice);
		ck_assert_int_eq(strncmp(m->subject, "[" REF "] ", strlen(REF) + 3), 0);
		if (cases[i].subject_has != NULL)
			ck_assert_msg(strstr(m->subject, cases[i].subject_has) != NULL, "%s: %s",
			    cases[i].lang, m->subject);
		if (cases[i].text_has != NULL)
			ck_assert_msg(strstr(m->text, cases[i].text_has) != NULL, "%s", m->text);
		ev = events_of(&e, REF);
		snprintf(want, sizeof(want), "lang=%s message-id=%s",
		    cases[i].lang && strcmp(cases[i].lang, "fr") ? cases[i].lang : "en", id);
		ck_assert_msg(strstr(ev, want) != NULL, "%s", ev);
		free(ev);
		mail_free(m);
		free(id);
		buf_free(&b);
	}
	env_close(&e);
}
END_TEST

START_TEST(encrypted_to_recipient)
{
	struct env e;
	struct notice_req r;
	struct buf b = BUF_INIT, plain = BUF_INIT;
	struct mail *m, *inner;
	struct openpgp *alice = NULL;
	struct pgp_signature_info info;
	struct pgp_decrypt_info dec;
	char *id = NULL, *ev;

	memset(&info, 0, sizeof(info));
	memset(&dec, 0, sizeof(dec));
	env_open(&e, fx.cfg);
	ck_assert_int_eq(notice_can_encrypt(&e.nx, fx.alice, &e.err), 1);
	ck_assert_int_eq(notice_can_encrypt(&e.nx, "not a fingerprint", &e.err), 0);
	r = answer_req(&e);
	r.encrypt_to = fx.alice;
	ck_assert_msg(queue(&e, &r, &fx.now, &id) == 0, "%s", e.err.msg);
	row_bytes(&e, id, &b);
	assert_wire_safe(&b);
	ck_assert_ptr_null(strstr(b.data, "Dear Alice"));
	m = parse(&b);
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_ENCRYPTED);
	ck_assert_str_eq(m->message_id, id);
	ck_assert_str_eq(m->auto_submitted, "auto-replied");

	ck_assert_msg(openpgp_open(fx.h_alice, &alice, &e.err) == 0, "%s", e.err.msg);
	ck_assert_msg(openpgp_decrypt_verify(alice, m->pgp.encrypted.data, m->pgp.encrypted.len,
	    &plain, &info, &dec, &e.err) == 0, "%s", e.err.msg);
	ck_assert_msg(dec.decrypted == 1, "%s", dec.reason);
	/* sign, then encrypt: the plaintext is a multipart/signed entity */
	inner = parse(&plain);
	assert_signed_by_assoc(inner, fx.h_alice);
	ck_assert_ptr_nonnull(strstr(inner->text, "Dear Alice Example,"));
	ev = events_of(&e, REF);
	ck_assert_msg(strstr(ev, "encrypted=yes") != NULL, "%s", ev);
	free(ev);
	mail_free(inner);
	mail_free(m);
	pgp_signature_info_free(&info);
	pgp_decrypt_info_free(&dec);
	openpgp_close(alice);
	free(id);
	buf_free(&b);
	buf_free(&plain);
	env_close(&e);
}
END_TEST

START_TEST(unusable_key_goes_signed_unless_confidential)
{
	struct env e;
	struct notice_req r;
	struct buf b = BUF_INIT;
	struct mail *m;
	char *id = NULL, *ev;
	int before;

	env_open(&e, fx.cfg);
	/* bob's key cannot encrypt, and this one is not in the home */
	for (int i = 0; i < 2; i++) {
		r = answer_req(&e);
		r.kind = NOTICE_GENERATED;
		r.encrypt_to = i == 0 ? fx.bob : "0123456789ABCDEF0123456789ABCDEF01234567";
		ck_assert_msg(queue(&e, &r, &fx.now, &id) == 0, "%s", e.err.msg);
		buf_reset(&b);
		row_bytes(&e, id, &b);
		m = parse(&b);
		assert_signed_by_assoc(m, fx.h_assoc);
		mail_free(m);
		free(id);
		id = NULL;
	}
	ev = events_of(&e, REF);
	ck_assert_msg(strstr(ev, "notice-unencrypted") != NULL, "%s", ev);
	ck_assert_msg(strstr(ev, fx.bob) != NULL, "%s", ev);
	ck_assert_msg(strstr(ev, "key not in the home") != NULL, "%s", ev);
	free(ev);

	/* confidential: never signed only; no row */
	before = count_state(&e, OUTBOX_QUEUED);
	r = answer_req(&e);
	r.confidential = 1;
	ck_assert_int_eq(queue(&e, &r, &fx.now, &id), -1);
	ck_assert_int_eq(e.err.temporary, 0);
	ck_assert_msg(strstr(e.err.msg, "no key of the recipient") != NULL, "%s", e.err.msg);
	ck_assert_ptr_null(id);
	r.encrypt_to = fx.bob;
	ck_assert_int_eq(queue(&e, &r, &fx.now, &id), -1);
	ck_assert_int_eq(e.err.temporary, 0);
	ck_assert_ptr_null(id);
	ck_assert_int_eq(count_state(&e, OUTBOX_QUEUED), before);
	/* ... and with a usable key it goes encrypted */
	r.encrypt_to = fx.alice;
	ck_assert_msg(queue(&e, &r, &fx.now, &id) == 0, "%s", e.err.msg);
	buf_reset(&b);
	row_bytes(&e, id, &b);
	m = parse(&b);
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_ENCRYPTED);
	mail_free(m);
	free(id);
	buf_free(&b);
	env_close(&e);
}
END_TEST

START_TEST(public_key_attached)
{
	struct env e;
	struct notice_req r;
	struct buf b = BUF_INIT;
	struct mail *m;
	char *id = NULL;
	int seen = 0;

	env_open(&e, fx.cfg);
	tvars_set_text(&e.vars, "key_file", "fgt-openpgp.asc");
	tvars_set_text(&e.vars, "key_fingerprint", fx.assoc);
	r = answer_req(&e);
	r.template = "complaint_not_encrypted";
	r.attach_public_key = 1;
	ck_assert_msg(queue(&e, &r, &fx.now, &id) == 0, "%s", e.err.msg);
	row_bytes(&e, id, &b);
	assert_wire_safe(&b);
	m = parse(&b);
	assert_signed_by_assoc(m, fx.h_assoc);
	ck_assert_int_eq(strncmp(m->pgp.signed_data.data, "Content-Type: multipart/mixed", 29), 0);
	for (size_t i = 0; i < m->nattachments; i++) {
		const struct mail_attachment *a = &m->attachments[i];

		if (!a->pgp_keys)
			continue;
		seen++;
		ck_assert_str_eq(a->filename, "fgt-openpgp.asc");
		ck_assert_uint_eq(a->data.len, fx.assoc_pub.len);
		ck_assert_int_eq(memcmp(a->data.data, fx.assoc_pub.data, a->data.len), 0);
	}
	ck_assert_int_eq(seen, 1);
	ck_assert_ptr_nonnull(strstr(m->text, fx.assoc));
	mail_free(m);
	free(id);
	id = NULL;
	/* without the key in the context: an error, not a notice without it */
	e.nx.public_key = NULL;
	ck_assert_int_eq(queue(&e, &r, &fx.now, &id), -1);
	ck_assert_ptr_null(id);
	buf_free(&b);
	env_close(&e);
}
END_TEST

START_TEST(unsignable_is_held_never_sent)
{
	struct env e;
	struct notice_req r;
	struct buf b = BUF_INIT;
	struct store_outbox_status s;
	struct store_outbox o;
	struct mail *m;
	char *id = NULL, *ev, *dg;
	int found = 1;

	env_open(&e, fx.cfg_held);	/* signs with alice's fpr: public only */
	r = answer_req(&e);
	ck_assert_msg(queue(&e, &r, &fx.now, &id) == 0, "%s", e.err.msg);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(store_outbox_status(e.st, id, NULL, &s, &found, &e.err), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(s.state, OUTBOX_HELD);
	store_outbox_status_clear(&s);
	ck_assert_int_eq(count_state(&e, OUTBOX_QUEUED), 0);
	/* nothing is ever due, whatever the time */
	ck_assert_int_eq(store_outbox_next(e.st, "9999-12-31T23:59:59", &o, &found, &e.err), 0);
	ck_assert_int_eq(found, 0);

	row_bytes(&e, id, &b);
	assert_wire_safe(&b);
	m = parse(&b);
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_NONE);
	ck_assert_str_eq(m->message_id, id);
	mail_free(m);
	ev = events_of(&e, REF);
	ck_assert_msg(strstr(ev, "notice-held template=application_received") != NULL, "%s", ev);
	ck_assert_ptr_null(strstr(ev, "notice-queued"));
	dg = digest_of(&e);
	ck_assert_msg(strstr(dg, REF " info notice application_received to alice@example.test "
	    "held, not sent: signing failed") != NULL, "%s", dg);
	free(ev);
	free(dg);
	free(id);
	buf_free(&b);
	env_close(&e);
}
END_TEST

/* The header line `name: ...` of a mail, as a new string ("" if absent). */
static char *
header_line(const struct buf *b, const char *name)
{
	const char *p = b->data;
	size_t n = strlen(name);

	for (; p != NULL && *p != '\0' && !(p[0] == '\r' && p[1] == '\n');
	    p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL)
		if (strncmp(p, name, n) == 0 && p[n] == ':')
			return xstrndup(p, strcspn(p, "\r"));
	return xstrdup("");
}

/* A notice held with `cfg_held`, then released once the key signs again:
 * same Message-ID, Date and body, now signed (and encrypted when asked). */
static void
hold_then_release(int encrypt)
{
	struct env e;
	struct notice_req r;
	struct notice_release_stats rs;
	struct store_outbox_status s;
	struct clock_now later;
	struct buf held = BUF_INIT, sent = BUF_INIT, plain = BUF_INIT;
	struct mail *m, *signed_part;
	char *id = NULL, *ev, *dg, *d1, *d2;
	int found = 0;

	env_open(&e, fx.cfg_held);
	r = answer_req(&e);
	if (encrypt)
		r.encrypt_to = fx.alice;
	ck_assert_msg(queue(&e, &r, &fx.now, &id) == 0, "%s", e.err.msg);
	row_bytes(&e, id, &held);
	ck_assert_ptr_nonnull(strstr(held.data, "Dear Alice"));	/* never left */

	/* the key still cannot sign: the row waits for its next attempt */
	clock_from_epoch(fx.now.epoch + 60, &later);
	ck_assert_msg(notice_release_held(&e.nx, &later, 0, &rs, &e.err) == 0, "%s", e.err.msg);
	ck_assert_int_eq(rs.still_held, 1);
	ck_assert_int_eq(rs.released, 0);
	ck_assert_int_eq(store_outbox_status(e.st, id, NULL, &s, &found, &e.err), 0);
	ck_assert_int_eq(s.state, OUTBOX_HELD);
	ck_assert_int_eq(s.attempts, 1);
	ck_assert_msg(strcmp(s.next_attempt, later.iso) > 0, "%s", s.next_attempt);
	ck_assert_msg(strstr(s.error, "signing failed") != NULL, "%s", s.error);
	store_outbox_status_clear(&s);
	/* ... and is not tried again before then */
	ck_assert_int_eq(notice_release_held(&e.nx, &later, 0, &rs, &e.err), 0);
	ck_assert_int_eq(rs.still_held + rs.released + rs.failed, 0);

	/* the association key is back (here: the configuration mended) */
	e.nx.cfg = fx.cfg;
	ck_assert_msg(notice_release_held(&e.nx, &later, 1, &rs, &e.err) == 0, "%s", e.err.msg);
	ck_assert_int_eq(rs.released, 1);
	ck_assert_int_eq(rs.still_held, 0);
	ck_assert_int_eq(count_state(&e, OUTBOX_HELD), 0);
	ck_assert_int_eq(store_outbox_status(e.st, id, NULL, &s, &found, &e.err), 0);
	ck_assert_int_eq(s.state, OUTBOX_QUEUED);
	ck_assert_int_eq(s.attempts, 0);
	ck_assert_str_eq(s.next_attempt, later.iso);
	ck_assert_ptr_null(s.error);
	store_outbox_status_clear(&s);

	row_bytes(&e, id, &sent);
	assert_wire_safe(&sent);
	d1 = header_line(&held, "Date");
	d2 = header_line(&sent, "Date");
	ck_assert_str_ne(d1, "");
	ck_assert_str_eq(d1, d2);
	free(d1);
	free(d2);
	m = parse(&sent);
	ck_assert_str_eq(m->message_id, id);
	if (encrypt) {
		struct openpgp *alice = NULL;
		struct pgp_signature_info info;
		struct pgp_decrypt_info dec;

		memset(&info, 0, sizeof(info));
		memset(&dec, 0, sizeof(dec));
		ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_ENCRYPTED);
		ck_assert_ptr_null(strstr(sent.data, "Dear Alice"));
		ck_assert_msg(openpgp_open(fx.h_alice, &alice, &e.err) == 0, "%s", e.err.msg);
		ck_assert_msg(openpgp_decrypt_verify(alice, m->pgp.encrypted.data,
		    m->pgp.encrypted.len, &plain, &info, &dec, &e.err) == 0, "%s", e.err.msg);
		signed_part = parse(&plain);
		assert_signed_by_assoc(signed_part, fx.h_alice);
		pgp_signature_info_free(&info);
		pgp_decrypt_info_free(&dec);
		openpgp_close(alice);
	} else {
		assert_signed_by_assoc(m, fx.h_assoc);
		signed_part = parse(&sent);
	}
	ck_assert_ptr_nonnull(strstr(signed_part->text, "Dear Alice Example,"));
	mail_free(signed_part);
	mail_free(m);

	ev = events_of(&e, REF);
	ck_assert_msg(strstr(ev, encrypt ? "notice-released template=application_received "
	    "to=alice@example.test" : "notice-released template=application_received") != NULL,
	    "%s", ev);
	ck_assert_msg(strstr(ev, encrypt ? "encrypted=yes" : "encrypted=no") != NULL, "%s", ev);
	dg = digest_of(&e);
	ck_assert_msg(strstr(dg, "held, not sent: signing failed") != NULL, "%s", dg);
	ck_assert_msg(strstr(dg, "held notice application_received to alice@example.test is "
	    "signed now") != NULL, "%s", dg);
	free(ev);
	free(dg);
	free(id);
	buf_free(&held);
	buf_free(&sent);
	buf_free(&plain);
	env_close(&e);
}

START_TEST(held_notice_released_signed)
{
	hold_then_release(0);
}
END_TEST

START_TEST(held_notice_released_encrypted)
{
	hold_then_release(1);
}
END_TEST

/* A confidential notice held while its key could still be found, whose
 * key cannot encrypt when it is signed: it fails, never goes signed only. */
START_TEST(held_confidential_without_usable_key_fails)
{
	struct env e;
	struct notice_req r;
	struct notice_release_stats rs;
	struct store_outbox_status s;
	char *id = NULL, *dg;
	int found = 0;

	env_open(&e, fx.cfg_held);
	r = answer_req(&e);
	r.confidential = 1;
	r.encrypt_to = fx.bob;	/* present, but sign-only */
	ck_assert_msg(queue(&e, &r, &fx.now, &id) == 0, "%s", e.err.msg);
	ck_assert_int_eq(count_state(&e, OUTBOX_HELD), 1);
	e.nx.cfg = fx.cfg;
	ck_assert_msg(notice_release_held(&e.nx, &fx.now, 0, &rs, &e.err) == 0, "%s", e.err.msg);
	ck_assert_int_eq(rs.failed, 1);
	ck_assert_int_eq(rs.released, 0);
	ck_assert_int_eq(store_outbox_status(e.st, id, NULL, &s, &found, &e.err), 0);
	ck_assert_int_eq(s.state, OUTBOX_FAILED);
	ck_assert_msg(strstr(s.error, "confidential notice") != NULL, "%s", s.error);
	store_outbox_status_clear(&s);
	ck_assert_int_eq(count_state(&e, OUTBOX_QUEUED), 0);
	dg = digest_of(&e);
	ck_assert_msg(strstr(dg, "held notice application_received to alice@example.test not "
	    "sent: confidential notice") != NULL, "%s", dg);
	free(dg);
	free(id);
	env_close(&e);
}
END_TEST

START_TEST(loop_limit_per_address_and_day)
{
	struct env e;
	struct notice_req r;
	struct clock_now tomorrow;
	char *id = NULL, *ev;
	int n;

	env_open(&e, fx.cfg);	/* 3 answers a day */
	r = answer_req(&e);
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(queue(&e, &r, &fx.now, &id) == 0, "%s", e.err.msg);
		ck_assert_ptr_nonnull(id);
		free(id);
		id = NULL;
	}
	ck_assert_int_eq(queue(&e, &r, &fx.now, &id), 0);
	ck_assert_ptr_null(id);
	ck_assert_int_eq(count_state(&e, OUTBOX_QUEUED), 3);
	ev = events_of(&e, REF);
	ck_assert_msg(strstr(ev, "notice-suppressed template=application_received "
	    "to=alice@example.test reason=limit count=3 limit=3") != NULL, "%s", ev);
	free(ev);
	/* other addresses are not affected, nor generated notices */
	r.to = "bob@example.test";
	ck_assert_int_eq(queue(&e, &r, &fx.now, &id), 0);
	ck_assert_ptr_nonnull(id);
	free(id);
	r.to = "alice@example.test";
	r.kind = NOTICE_GENERATED;
	ck_assert_int_eq(queue(&e, &r, &fx.now, &id), 0);
	ck_assert_ptr_nonnull(id);
	free(id);
	/* the next local day counts afresh */
	clock_from_epoch(fx.now.epoch + 15 * 3600, &tomorrow);	/* 00:00 on the 2nd */
	ck_assert_str_eq(tomorrow.iso, "2027-02-02T00:00:00");
	r.kind = NOTICE_ANSWER;
	ck_assert_int_eq(queue(&e, &r, &tomorrow, &id), 0);
	ck_assert_ptr_nonnull(id);
	free(id);
	/* never to ourselves */
	r.to = "Clerk@FGT.test";
	r.kind = NOTICE_GENERATED;
	id = (char *)1;
	ck_assert_int_eq(queue(&e, &r, &tomorrow, &id), 0);
	ck_assert_ptr_null(id);
	ev = events_of(&e, REF);
	ck_assert_msg(strstr(ev, "reason=own-address") != NULL, "%s", ev);
	free(ev);
	n = count_state(&e, OUTBOX_QUEUED);
	ck_assert_int_eq(n, 6);
	env_close(&e);
}
END_TEST

START_TEST(bad_template_input_is_an_error)
{
	struct env e;
	struct notice_req r;
	char *id = NULL;

	env_open(&e, fx.cfg);
	r = answer_req(&e);
	r.template = "no_such_notice";
	ck_assert_int_eq(queue(&e, &r, &fx.now, &id), -1);
	ck_assert_int_eq(e.err.temporary, 0);
	r = answer_req(&e);
	r.template = "application_missing";	/* its variables are not set */
	ck_assert_int_eq(queue(&e, &r, &fx.now, &id), -1);
	ck_assert_msg(strstr(e.err.msg, "deadline") != NULL, "%s", e.err.msg);
	r = answer_req(&e);
	r.to = "not an address";
	ck_assert_int_eq(queue(&e, &r, &fx.now, &id), -1);
	ck_assert_ptr_null(id);
	ck_assert_int_eq(count_state(&e, OUTBOX_QUEUED), 0);
	env_close(&e);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("notice");
	TCase *tc = tcase_create("notice");
	SRunner *sr;
	int failed;

	setup();
	tcase_set_timeout(tc, 120);	/* gpg per notice; slower under sanitizers */
	tcase_add_test(tc, signed_answer_row);
	tcase_add_test(tc, generated_without_reference);
	tcase_add_test(tc, language_and_fallback);
	tcase_add_test(tc, encrypted_to_recipient);
	tcase_add_test(tc, unusable_key_goes_signed_unless_confidential);
	tcase_add_test(tc, public_key_attached);
	tcase_add_test(tc, unsignable_is_held_never_sent);
	tcase_add_test(tc, held_notice_released_signed);
	tcase_add_test(tc, held_notice_released_encrypted);
	tcase_add_test(tc, held_confidential_without_usable_key_fails);
	tcase_add_test(tc, loop_limit_per_address_and_day);
	tcase_add_test(tc, bad_template_input_is_an_error);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	teardown();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
