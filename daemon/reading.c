/* From raw bytes to what clerk acts on: parse, decrypt, verify, and keep
 * apart the text a signature covers from everything around it. */
#include "reading.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sha256.h"
#include "xmalloc.h"

static int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

/* Where the line `marker` stands alone (trailing blanks allowed) at a line
 * start in text[0..len), or NULL. */
static const char *
find_marker_line(const char *text, size_t len, const char *marker)
{
	size_t ml = strlen(marker);

	for (const char *p = text; p != NULL && p < text + len;) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);

		if (n >= ml && memcmp(p, marker, ml) == 0 && blank(p + ml, n - ml))
			return p;
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

int
reading_text_outside(const char *whole, const char *part)
{
	const char *at;
	size_t pl;

	if (whole == NULL || blank(whole, strlen(whole)))
		return 0;
	if (part == NULL || part[0] == '\0')
		return 1;
	pl = strlen(part);
	at = strstr(whole, part);
	if (at == NULL)
		return 1;
	return !blank(whole, (size_t)(at - whole)) || !blank(at + pl, strlen(at + pl));
}

int
reading_outside_block(const char *text, const char *begin, const char *end)
{
	size_t len = strlen(text);
	const char *b = find_marker_line(text, len, begin), *e, *after;

	if (b == NULL)
		return !blank(text, len);
	e = find_marker_line(b, len - (size_t)(b - text), end);
	if (e == NULL)
		return !blank(text, (size_t)(b - text));
	after = memchr(e, '\n', len - (size_t)(e - text));
	after = after ? after + 1 : text + len;
	return !blank(text, (size_t)(b - text)) || !blank(after, len - (size_t)(after - text));
}

void
reading_signature_id(const char *fpr, long long created, const void *data, size_t len,
    char out[65])
{
	const char *d = data;
	struct sha256_ctx c;
	unsigned char digest[SHA256_LEN];
	char num[32];
	size_t i = 0, end = len;

	sha256_init(&c);
	sha256_update(&c, "clerk-signature-1", 18);
	sha256_update(&c, fpr, strlen(fpr) + 1);
	snprintf(num, sizeof(num), "%lld", created);
	sha256_update(&c, num, strlen(num) + 1);
	/* What may change without breaking the signature (line ends, blanks
	 * at a line's end in cleartext, trailing empty lines) is left out. */
	while (end > 0 && (d[end - 1] == '\n' || d[end - 1] == '\r' || d[end - 1] == ' ' ||
	    d[end - 1] == '\t'))
		end--;
	while (i < end) {
		const char *nl = memchr(d + i, '\n', end - i);
		size_t n = nl ? (size_t)(nl - (d + i)) : end - i;
		size_t k = n;

		while (k > 0 && (d[i + k - 1] == '\r' || d[i + k - 1] == ' ' ||
		    d[i + k - 1] == '\t'))
			k--;
		sha256_update(&c, d + i, k);
		sha256_update(&c, "\n", 1);
		i += n + (nl ? 1 : 0);
	}
	sha256_final(&c, digest);
	sha256_hex(digest, out);
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

static int
parse_part(const char *data, size_t len, const struct mail_limits *lim, struct mail **out,
    struct reading *r)
{
	struct clerk_err perr;

	if (mail_parse_isolated(data, len, lim, out, &perr) != 0) {
		snprintf(r->problem, sizeof(r->problem), "inner part: %.480s", perr.msg);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* The signature's identity, once the verdict is known. */
static void
identify(struct reading *r, const void *covered_bytes, size_t len)
{
	r->sig_id[0] = '\0';
	if (r->sig.verdict == PGP_GOOD && r->sig.fpr[0] != '\0')
		reading_signature_id(r->sig.fpr, (long long)r->sig.created, covered_bytes, len,
		    r->sig_id);
}

/* `m` carries a PGP/MIME signature: verify it, parse the signed entity into
 * *entity; the signature covers that entity and nothing else. */
static int
cover_mime_signed(struct openpgp *pgp, const struct mail_limits *lim, const struct mail *m,
    struct mail **entity, struct reading *r, struct clerk_err *err)
{
	size_t clen;
	char *canon = canonical_crlf(m->pgp.signed_data.data, m->pgp.signed_data.len, &clen);
	int rc = -1;

	if (openpgp_verify_detached(pgp, canon, clen, m->pgp.signature.data, m->pgp.signature.len,
	    &r->sig, err) != 0)
		goto out;
	identify(r, canon, clen);
	if (parse_part(m->pgp.signed_data.data, m->pgp.signed_data.len, lim, entity, r) == 0) {
		r->covered = xstrdup((*entity)->text);
		r->covered_mail = *entity;
		if (reading_text_outside(m->text, (*entity)->text))
			r->outside = 1;
	} else {
		/* What cannot be read covers nothing; the mail is still read. */
		r->problem[0] = '\0';
	}
	rc = 0;
out:
	free(canon);
	return rc;
}

/* `m` carries a clearsigned block: the text GnuPG says the one signature
 * covers, in UTF-8; text around the block is outside. */
static int
cover_clearsigned(struct openpgp *pgp, const struct mail *m, struct reading *r,
    struct clerk_err *err)
{
	struct buf plain = BUF_INIT;
	char *block = NULL;
	int rc = -1;

	if (openpgp_verify_clearsigned(pgp, m->pgp.signed_data.data, m->pgp.signed_data.len,
	    &r->sig, &plain, err) != 0)
		goto out;
	identify(r, plain.data ? plain.data : "", plain.len);
	if (plain.len > 0)
		r->covered = mail_text_to_utf8(m->pgp.charset, plain.data, plain.len);
	/* The verified block as the mail's text holds it; anything else there
	 * (another part, a line before it, a second block) is outside. */
	block = mail_text_to_utf8(m->pgp.charset, m->pgp.signed_data.data,
	    m->pgp.signed_data.len);
	if (reading_text_outside(m->text, block) || m->ntext_attachments > 0)
		r->outside = 1;
	rc = 0;
out:
	free(block);
	buf_free(&plain);
	return rc;
}

/* The signature of `m` (the mail, or a decrypted inner mail), if any. */
static int
cover(struct openpgp *pgp, const struct mail_limits *lim, const struct mail *m,
    struct reading *r, struct clerk_err *err)
{
	pgp_signature_info_free(&r->sig);
	r->sig.verdict = PGP_UNSIGNED;
	if (m->pgp.kind == MAIL_PGP_MIME_SIGNED)
		return cover_mime_signed(pgp, lim, m, m == r->outer ? &r->inner : &r->signed_part,
		    r, err);
	if (m->pgp.kind == MAIL_PGP_INLINE_SIGNED)
		return cover_clearsigned(pgp, m, r, err);
	return 0;
}

/* A form in `text`, or in one of `m`'s text attachments: 1 when found. */
static int
form_in(const struct forms_table *forms, const char *text, const struct mail *m,
    struct reading *r)
{
	struct form *f = NULL;

	if (text != NULL) {
		forms_parse(forms, text, strlen(text), &f);
		if (f->name != NULL) {
			r->form = f;
			r->text = xstrdup(text);
			return 1;
		}
		form_free(f);
	}
	for (size_t i = 0; m != NULL && i < m->ntext_attachments; i++) {
		const struct mail_attachment *a = m->text_attachments[i];

		if (a->text == NULL)
			continue;
		forms_parse(forms, a->text, strlen(a->text), &f);
		if (f->name != NULL) {
			r->form = f;
			r->text = xstrdup(a->text);
			return 1;
		}
		form_free(f);
	}
	return 0;
}

/* The form: from what the signature covers when it holds one, else from
 * the rest of the mail (then it is not covered, whatever the verdict). */
static void
read_form(const struct forms_table *forms, struct reading *r)
{
	if (r->covered != NULL && form_in(forms, r->covered, r->covered_mail, r)) {
		r->form_covered = 1;
		return;
	}
	if (form_in(forms, r->body->text, r->body, r))
		return;
	/* No form: the text is what a person would read, the covered text
	 * when there is one (commands are read from it). */
	r->text = xstrdup(r->covered != NULL ? r->covered : r->body->text);
	forms_parse(forms, "", 0, &r->form);
}

int
reading_open(struct openpgp *pgp, const struct forms_table *forms,
    const struct mail_limits *lim, const char *raw, size_t len, int import_keys,
    struct reading *r, struct clerk_err *err)
{
	struct buf plain = BUF_INIT;
	struct clerk_err perr;
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
		int outer_text = r->outer->pgp.kind == MAIL_PGP_INLINE_ENCRYPTED ?
		    reading_outside_block(r->outer->text, "-----BEGIN PGP MESSAGE-----",
		    "-----END PGP MESSAGE-----") : !blank(r->outer->text, strlen(r->outer->text));

		r->encrypted = 1;
		if (openpgp_decrypt_verify(pgp, r->outer->pgp.encrypted.data,
		    r->outer->pgp.encrypted.len, &plain, &r->sig, &r->dec, err) != 0)
			goto out;
		if (r->dec.decrypted && parse_part(buf_str(&plain), plain.len, lim, &r->inner,
		    r) == 0) {
			r->body = r->inner;
			if (import_keys && import_attached_keys(pgp, r->inner, &r->imported,
			    err) != 0)
				goto out;
			if (r->sig.verdict != PGP_UNSIGNED) {
				/* Signed and encrypted in one: the whole plaintext. */
				identify(r, plain.data, plain.len);
				r->covered = xstrdup(r->inner->text);
				r->covered_mail = r->inner;
			} else if (r->inner->pgp.kind != MAIL_PGP_NONE) {
				/* Signed, then encrypted as two layers (RFC 3156
				 * 6.1): only the signed part inside counts. */
				if (cover(pgp, lim, r->inner, r, err) != 0)
					goto out;
			}
			if (r->sig.verdict != PGP_UNSIGNED && outer_text)
				r->outside = 1;
		}
	} else if (cover(pgp, lim, r->outer, r, err) != 0) {
		goto out;
	}
	if (r->outer->pgp.kind == MAIL_PGP_MIME_SIGNED && r->inner != NULL)
		r->body = r->inner;
	if (r->sig.verdict != PGP_GOOD) {
		/* A signature that does not hold covers nothing. */
		free(r->covered);
		r->covered = NULL;
		r->covered_mail = NULL;
		r->outside = 0;
	}
	read_form(forms, r);
	rc = 0;
out:
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
	mail_free(r->signed_part);
	pgp_decrypt_info_free(&r->dec);
	pgp_signature_info_free(&r->sig);
	pgp_strings_free(&r->imported);
	form_free(r->form);
	free(r->text);
	free(r->covered);
	memset(r, 0, sizeof(*r));
}
