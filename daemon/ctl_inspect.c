/* clerkctl inspect: how clerk reads a mail, without acting on it. */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "runtime.h"
#include "understand.h"

static int
is_numeric_type(int type)
{
	return type == FORM_TYPE_HOURS || type == FORM_TYPE_AMOUNT || type == FORM_TYPE_YEAR;
}

static void
json_inspect(struct buf *b, const char *file, const struct forms_table *forms,
    const struct understanding *u)
{
	const struct reading *r = &u->r;
	const struct mail *m = r->outer;
	const struct form *f = r->form;

	buf_append_char(b, '{');
	json_key_string(b, "file", file);
	buf_append_char(b, ',');
	json_key_string(b, "kind", mail_kind_name(u->cls.kind));
	buf_append_char(b, ',');
	json_key_string(b, "reason", u->cls.reason);
	buf_append_char(b, ',');
	json_key_string(b, "form", f ? f->name : NULL);
	buf_append_char(b, ',');
	json_key_string(b, "language", f ? f->lang : NULL);
	buf_append_str(b, ",\"fields\":{");
	for (size_t i = 0, first = 1; f != NULL && i < f->nfields; i++) {
		const struct form_field *ff = &f->fields[i];

		if (ff->field == NULL || forms_field(f, ff->field) != ff)
			continue;	/* unknown label, or repeated: the last counts */
		if (!first)
			buf_append_char(b, ',');
		first = 0;
		json_key(b, ff->field);
		if (ff->norm != NULL && is_numeric_type(forms_field_type(forms, ff->field)))
			buf_append_str(b, ff->norm);
		else
			json_string(b, ff->norm ? ff->norm : ff->value);
	}
	buf_append_str(b, "},\"unknown_labels\":[");
	for (size_t i = 0, first = 1; f != NULL && i < f->nfields; i++) {
		if (f->fields[i].field != NULL)
			continue;
		if (!first)
			buf_append_char(b, ',');
		first = 0;
		buf_append_char(b, '{');
		json_key_string(b, "label", f->fields[i].label);
		buf_append_char(b, ',');
		json_key_string(b, "value", f->fields[i].value);
		buf_append_char(b, '}');
	}
	buf_append_str(b, "],\"problems\":[");
	for (size_t i = 0; f != NULL && i < f->nproblems; i++) {
		if (i)
			buf_append_char(b, ',');
		json_string(b, f->problems[i].message);
	}
	buf_append_str(b, "],");
	json_key_string(b, "case", u->case_ref[0] ? u->case_ref : NULL);
	buf_append_str(b, ",\"signature\":{");
	json_key_string(b, "verdict", pgp_verdict_name(r->sig.verdict));
	buf_append_char(b, ',');
	json_key_string(b, "fingerprint", r->sig.fpr[0] ? r->sig.fpr :
	    (r->sig.sig_fpr[0] ? r->sig.sig_fpr : NULL));
	buf_printf(b, ",\"sender\":%s", u->signer_is_sender ? "true" : "false");
	buf_append_str(b, "},");
	buf_printf(b, "\"encrypted\":%s,\"decrypted\":%s,", r->encrypted ? "true" : "false",
	    r->dec.decrypted ? "true" : "false");
	json_key_string(b, "from", m ? m->from.addr : NULL);
	buf_append_char(b, ',');
	json_key_string(b, "subject", m ? m->subject : NULL);
	buf_append_char(b, ',');
	json_key_string(b, "message_id", m ? m->message_id : NULL);
	buf_append_char(b, ',');
	json_key_string(b, "problem", r->problem[0] ? r->problem : NULL);
	buf_append_str(b, ",\"attachments\":[");
	for (size_t i = 0; r->body != NULL && i < r->body->nattachments; i++) {
		const struct mail_attachment *a = &r->body->attachments[i];

		if (i)
			buf_append_char(b, ',');
		buf_append_char(b, '{');
		json_key_string(b, "filename", a->filename);
		buf_append_char(b, ',');
		json_key_string(b, "content_type", a->content_type);
		buf_printf(b, ",\"size\":%zu,", a->data.len);
		json_key_string(b, "sha256", a->sha256);
		buf_append_char(b, '}');
	}
	buf_append_str(b, "]}");
}

static void
text_inspect(const char *file, const struct understanding *u)
{
	const struct reading *r = &u->r;
	const struct form *f = r->form;

	printf("%s\n  kind:       %s (%s)\n", file, mail_kind_name(u->cls.kind), u->cls.reason);
	if (r->outer != NULL)
		printf("  from:       %s\n  subject:    %s\n", r->outer->from.addr ?
		    r->outer->from.addr : "-", r->outer->subject ? r->outer->subject : "-");
	printf("  signature:  %s%s%s%s\n", pgp_verdict_name(r->sig.verdict),
	    r->sig.fpr[0] ? " by " : "", r->sig.fpr, u->signer_is_sender ? " (the sender)" : "");
	printf("  encrypted:  %s%s\n", r->encrypted ? "yes" : "no",
	    r->encrypted ? (r->dec.decrypted ? ", decrypted" : ", NOT decrypted") : "");
	if (u->case_ref[0])
		printf("  case:       %s\n", u->case_ref);
	if (f != NULL && f->name != NULL) {
		printf("  form:       %s (%s)\n", f->name, f->lang ? f->lang : "?");
		for (size_t i = 0; i < f->nfields; i++)
			printf("    %-14s %s\n", f->fields[i].field ? f->fields[i].field : "(unknown)",
			    f->fields[i].norm ? f->fields[i].norm : f->fields[i].value);
		for (size_t i = 0; i < f->nproblems; i++)
			printf("    problem: %s\n", f->problems[i].message);
	}
	for (size_t i = 0; r->body != NULL && i < r->body->nattachments; i++) {
		const struct mail_attachment *a = &r->body->attachments[i];

		printf("  attachment: %s %s %zu bytes sha256 %s\n", a->filename[0] ? a->filename :
		    "(no name)", a->content_type, a->data.len, a->sha256);
	}
	if (r->problem[0])
		printf("  problem:    %s\n", r->problem);
}

int
ctl_inspect(struct ctl *ctl, int argc, char **argv)
{
	struct understand_ctx ux;
	struct runtime rt;
	struct buf diag = BUF_INIT, out = BUF_INIT;
	struct clerk_err err;
	int json = 0, status = 1, nfiles = 0, have_rt = 0;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
	if (runtime_load(ctl->cfg, RUNTIME_READ, &rt, &diag, &err) != 0) {
		fprintf(stderr, "%sclerkctl: %s\n", buf_str(&diag), err.msg);
		goto out;
	}
	have_rt = 1;
	memset(&ux, 0, sizeof(ux));
	ux.cfg = ctl->cfg;
	ux.pgp = rt.pgp;
	ux.forms = rt.forms;
	ux.st = ctl->st;
	ux.limits = &rt.limits;
	if (json)
		buf_append_char(&out, '[');
	for (int i = 1; i < argc; i++) {
		struct understanding u;
		struct buf raw = BUF_INIT;

		if (strcmp(argv[i], "--json") == 0)
			continue;
		if (buf_read_file(&raw, argv[i], &err) != 0 ||
		    understand_mail(&ux, raw.data ? raw.data : "", raw.len, &u, &err) != 0) {
			fprintf(stderr, "clerkctl: %s\n", err.msg);
			buf_free(&raw);
			goto out;
		}
		if (json) {
			if (nfiles)
				buf_append_str(&out, ",\n");
			json_inspect(&out, argv[i], rt.forms, &u);
		} else {
			text_inspect(argv[i], &u);
		}
		nfiles++;
		understanding_free(&u);
		buf_free(&raw);
	}
	if (nfiles == 0) {
		fprintf(stderr, "clerkctl: usage: inspect [--json] FILE...\n");
		status = 2;
		goto out;
	}
	if (json)
		printf("%s]\n", buf_str(&out));
	status = 0;
out:
	buf_free(&out);
	buf_free(&diag);
	if (have_rt)
		runtime_free(&rt);
	return status;
}
