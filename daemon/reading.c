/* From raw bytes to what clerk acts on: parse, decrypt, verify, read the form. */
#include "reading.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

char *
reading_clearsigned_text(const char *text)
{
	struct buf out = BUF_INIT;
	const char *p = strstr(text, "-----BEGIN PGP SIGNED MESSAGE-----");
	int in_body = 0;

	if (p == NULL)
		return xstrdup(text);
	/* Armor headers ("Hash: ...") run to the first empty line. */
	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (!in_body) {
			if (n == 0)
				in_body = 1;
		} else if (n >= 29 && strncmp(p, "-----BEGIN PGP SIGNATURE-----", 29) == 0) {
			break;
		} else {
			if (n >= 2 && p[0] == '-' && p[1] == ' ')
				buf_append(&out, p + 2, n - 2);
			else
				buf_append(&out, p, n);
			buf_append_char(&out, '\n');
		}
		p = nl ? nl + 1 : NULL;
	}
	return buf_steal(&out);
}

static int
import_attached_keys(struct openpgp *pgp, const struct mail *m, struct pgp_strings *imported,
    struct clerk_err *err)
{
	for (size_t i = 0; i < m->nattachments; i++) {
		const struct mail_attachment *a = &m->attachments[i];
		struct pgp_strings fprs = { NULL, 0 };
		struct clerk_err ierr;

		if (!a->pgp_keys || a->data.len == 0)
			continue;
		if (openpgp_import_public(pgp, a->data.data, a->data.len, &fprs, &ierr) != 0) {
			if (ierr.temporary) {
				*err = ierr;
				return -1;
			}
			/* A key with a secret part, or garbage: not imported. */
			continue;
		}
		for (size_t k = 0; k < fprs.n; k++) {
			imported->v = xrealloc(imported->v, (imported->n + 1) * sizeof(char *));
			imported->v[imported->n++] = fprs.v[k];
			fprs.v[k] = NULL;
		}
		pgp_strings_free(&fprs);
	}
	return 0;
}

/* RFC 3156 signs the canonical form, CRLF line ends. Mail that crossed
 * SMTP has them; a file saved with bare LF is made canonical (only the
 * bare LFs change), so that the same mail verifies however it was kept. */
static char *
canonical_crlf(const char *data, size_t len, size_t *outlen)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
			buf_append_char(&b, '\r');
		buf_append_char(&b, data[i]);
	}
	*outlen = b.len;
	return buf_steal(&b);
}

/* Verifies the signature `m` carries, if any, into r->sig. */
static int
verify(struct openpgp *pgp, const struct mail *m, struct reading *r, char **clear_text,
    struct clerk_err *err)
{
	struct buf plain = BUF_INIT;
	int rc = 0;

	pgp_signature_info_free(&r->sig);
	if (m->pgp.kind == MAIL_PGP_MIME_SIGNED) {
		size_t clen;
		char *canon = canonical_crlf(m->pgp.signed_data.data, m->pgp.signed_data.len, &clen);

		rc = openpgp_verify_detached(pgp, canon, clen, m->pgp.signature.data,
		    m->pgp.signature.len, &r->sig, err);
		free(canon);
	} else if (m->pgp.kind == MAIL_PGP_INLINE_SIGNED) {
		rc = openpgp_verify_clearsigned(pgp, m->pgp.signed_data.data,
		    m->pgp.signed_data.len, &r->sig, &plain, err);
		if (rc == 0)
			*clear_text = reading_clearsigned_text(m->text);
	} else {
		r->sig.verdict = PGP_UNSIGNED;
	}
	buf_free(&plain);
	return rc;
}

static int
parse_inner(const char *data, size_t len, const struct mail_limits *lim, struct reading *r)
{
	struct clerk_err perr;

	if (mail_parse_isolated(data, len, lim, &r->inner, &perr) != 0) {
		snprintf(r->problem, sizeof(r->problem), "inner part: %.480s", perr.msg);
		r->inner = NULL;
		return -1;
	}
	return 0;
}

/* The text forms are read from: the first text that holds a form line. */
static void
read_form(const struct forms_table *forms, const char *body_text, struct reading *r)
{
	forms_parse(forms, body_text, strlen(body_text), &r->form);
	r->text = xstrdup(body_text);
	if (r->form->name != NULL)
		return;
	for (size_t i = 0; i < r->body->ntext_attachments; i++) {
		const struct mail_attachment *a = r->body->text_attachments[i];
		struct form *f = NULL;

		if (a->text == NULL)
			continue;
		forms_parse(forms, a->text, strlen(a->text), &f);
		if (f->name != NULL) {
			form_free(r->form);
			free(r->text);
			r->form = f;
			r->text = xstrdup(a->text);
			return;
		}
		form_free(f);
	}
}

int
reading_open(struct openpgp *pgp, const struct forms_table *forms,
    const struct mail_limits *lim, const char *raw, size_t len, int import_keys,
    struct reading *r, struct clerk_err *err)
{
	struct buf plain = BUF_INIT;
	struct clerk_err perr;
	char *clear_text = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (mail_parse_isolated(raw, len, lim, &r->outer, &perr) != 0) {
		if (perr.temporary) {
			*err = perr;
			return -1;
		}
		r->outer = NULL;
		snprintf(r->problem, sizeof(r->problem), "%s", perr.msg);
		return 0;
	}
	r->body = r->outer;
	if (import_keys && import_attached_keys(pgp, r->outer, &r->imported, err) != 0)
		goto out;
	if (r->outer->pgp.kind == MAIL_PGP_MIME_ENCRYPTED ||
	    r->outer->pgp.kind == MAIL_PGP_INLINE_ENCRYPTED) {
		r->encrypted = 1;
		if (openpgp_decrypt_verify(pgp, r->outer->pgp.encrypted.data,
		    r->outer->pgp.encrypted.len, &plain, &r->sig, &r->dec, err) != 0)
			goto out;
		if (r->dec.decrypted) {
			if (parse_inner(buf_str(&plain), plain.len, lim, r) == 0) {
				r->body = r->inner;
				if (import_keys && import_attached_keys(pgp, r->inner, &r->imported,
				    err) != 0)
					goto out;
				/* Signed, then encrypted as two layers (RFC 3156 6.1). */
				if (r->sig.verdict == PGP_UNSIGNED &&
				    r->inner->pgp.kind != MAIL_PGP_NONE &&
				    verify(pgp, r->inner, r, &clear_text, err) != 0)
					goto out;
			}
		}
	} else if (r->outer->pgp.kind == MAIL_PGP_MIME_SIGNED) {
		if (verify(pgp, r->outer, r, &clear_text, err) != 0)
			goto out;
		/* Read what was signed, not a list footer added around it. */
		if (parse_inner(r->outer->pgp.signed_data.data, r->outer->pgp.signed_data.len,
		    lim, r) == 0)
			r->body = r->inner;
		else
			r->problem[0] = '\0';
	} else if (verify(pgp, r->outer, r, &clear_text, err) != 0) {
		goto out;
	}
	read_form(forms, clear_text ? clear_text : r->body->text, r);
	rc = 0;
out:
	free(clear_text);
	buf_free(&plain);
	return rc;
}

void
reading_free(struct reading *r)
{
	if (r == NULL)
		return;
	mail_free(r->outer);
	mail_free(r->inner);
	pgp_decrypt_info_free(&r->dec);
	pgp_signature_info_free(&r->sig);
	pgp_strings_free(&r->imported);
	form_free(r->form);
	free(r->text);
	memset(r, 0, sizeof(*r));
}
