/* The mail model: every mail of the shared corpus parses (in the isolated
 * child first) into a mail or a clean error, specific corpus mails give the
 * exact facts the consumers need, and hand-made mails cover what the corpus
 * lacks (encoded words split inside a character, limits, reports, the
 * libetpan crasher). The corpus tests are skipped (and counted) where the
 * shared corpus is absent. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mail.h"
#include "sha256.h"
#include "xmalloc.h"

#ifndef CLERK_SHARED_DEFAULT
#define CLERK_SHARED_DEFAULT ""
#endif

/* ---- helpers ---- */

static char *
corpus_dir(void)
{
	const char *env;

	if ((env = getenv("CLERK_SHARED")) != NULL && env[0] != '\0')
		return xasprintf("%s/corpus", env);
	if ((env = getenv("CLERK_SRCDIR")) != NULL && env[0] != '\0')
		return xasprintf("%s/../shared/corpus", env);
	return xasprintf("%s/corpus", CLERK_SHARED_DEFAULT);
}

/* Reads a file whole; fails the test if it cannot. */
static char *
read_file(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	ck_assert_msg(f != NULL, "cannot read %s (is the corpus there? set "
	    "CLERK_SHARED)", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

static char *
corpus_read(const char *rel, size_t *len)
{
	char *dir = corpus_dir(), *path = xasprintf("%s/%s", dir, rel), *d;

	d = read_file(path, len);
	free(path);
	free(dir);
	return d;
}

/* Parses a corpus mail through the isolated path; the raw bytes are
 * handed back in *raw (the caller frees them). */
static struct mail *
corpus_mail(const char *rel, char **raw, size_t *len)
{
	struct mail *m = NULL;
	struct clerk_err err = { 0, "" };

	*raw = corpus_read(rel, len);
	ck_assert_msg(mail_parse_isolated(*raw, *len, NULL, &m, &err) == 0,
	    "%s: %s", rel, err.msg);
	return m;
}

static struct mail *
corpus_mail_only(const char *rel)
{
	char *raw;
	size_t len;
	struct mail *m = corpus_mail(rel, &raw, &len);

	free(raw);	/* the mail must not borrow from it */
	return m;
}

static struct mail *
parse_str(const char *s)
{
	struct mail *m = NULL;
	struct clerk_err err = { 0, "" };

	ck_assert_msg(mail_parse(s, strlen(s), NULL, &m, &err) == 0, "%s",
	    err.msg);
	return m;
}

static int
valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 :
		    (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0, i;

		if (n == 0)
			return 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

static const struct mail_attachment *
find_att(const struct mail *m, const char *filename)
{
	size_t i;

	for (i = 0; i < m->nattachments; i++)
		if (strcmp(m->attachments[i].filename, filename) == 0)
			return &m->attachments[i];
	return NULL;
}

static int
has_note(const struct mail *m, const char *part)
{
	size_t i;

	for (i = 0; i < m->nnotes; i++)
		if (strstr(m->notes[i], part) != NULL)
			return 1;
	return 0;
}

/* ---- the whole corpus ---- */

START_TEST(corpus_every_mail_parses)
{
	char *dir = corpus_dir(), *path, *manifest, *line, *save = NULL;
	size_t len, nmails = 0, nok = 0, i;

	path = xasprintf("%s/MANIFEST.tsv", dir);
	ck_assert_msg(access(path, R_OK) == 0,
	    "corpus not found at %s (set CLERK_SHARED)", dir);
	manifest = read_file(path, &len);
	free(path);
	for (line = strtok_r(manifest, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *raw;
		struct mail *m = NULL;
		struct clerk_err err = { 0, "" };
		char hex[SHA256_HEX_LEN + 1];

		if (tab == NULL)
			continue;
		*tab = '\0';
		len = strlen(line);
		if (len < 4 || strcmp(line + len - 4, ".eml") != 0)
			continue;
		nmails++;
		path = xasprintf("%s/%s", dir, line);
		raw = read_file(path, &len);
		if (mail_parse_isolated(raw, len, NULL, &m, &err) != 0) {
			/* A clean error: permanent, said in words. */
			ck_assert_msg(err.msg[0] != '\0', "%s", line);
			ck_assert_int_eq(err.temporary, 0);
			ck_assert_msg(strncmp(err.msg, "MIME parser crashed",
			    19) != 0, "%s: %s", line, err.msg);
		} else {
			nok++;
			ck_assert_ptr_nonnull(m->text);
			ck_assert_msg(valid_utf8(m->text), "%s: text", line);
			ck_assert_ptr_nonnull(m->content_type);
			ck_assert_uint_eq(m->raw_size, len);
			if (m->subject != NULL)
				ck_assert_msg(valid_utf8(m->subject), "%s", line);
			ck_assert_msg(valid_utf8(m->from.name), "%s", line);
			for (i = 0; i < m->nattachments; i++) {
				const struct mail_attachment *a =
				    &m->attachments[i];

				ck_assert_msg(valid_utf8(a->filename), "%s", line);
				sha256_hex_of(a->data.data, a->data.len, hex);
				ck_assert_str_eq(hex, a->sha256);
				ck_assert_ptr_nonnull(a->content_type);
				ck_assert_ptr_nonnull(strchr(a->content_type, '/'));
			}
			if (m->pgp.kind == MAIL_PGP_MIME_SIGNED) {
				ck_assert_uint_le(m->pgp.signed_offset +
				    m->pgp.signed_data.len, len);
				ck_assert_msg(memcmp(raw + m->pgp.signed_offset,
				    m->pgp.signed_data.data,
				    m->pgp.signed_data.len) == 0, "%s", line);
			}
			mail_free(m);
		}
		free(raw);
		free(path);
	}
	free(manifest);
	free(dir);
	/* The manifest lists 79 mails; all of them parse today. */
	ck_assert_uint_ge(nmails, 70);
	ck_assert_uint_eq(nok, nmails);
}
END_TEST

/* ---- specific corpus mails ---- */

START_TEST(corpus_rfc2231_umlaut_filename_and_pdf_digest)
{
	struct mail *m = corpus_mail_only(
	    "attachments/deltachat-tb68-pdf-rfc2231-umlaut-filename.eml");
	const struct mail_attachment *a;

	ck_assert_uint_eq(m->nattachments, 1);
	a = &m->attachments[0];
	/* filename*0*=UTF-8''...a%CC%88... keeps its combining marks. */
	ck_assert_str_eq(a->filename,
	    "test pdf a\xcc\x88o\xcc\x88u\xcc\x88\xc3\x9f.pdf");
	ck_assert_str_eq(a->content_type, "application/pdf");
	ck_assert_str_eq(a->disposition, "attachment");
	ck_assert_uint_eq(a->data.len, 8117);
	/* sha256sum of the base64-decoded part, computed outside clerk. */
	ck_assert_str_eq(a->sha256,
	    "0a1dc682e29e201dd8ecf54b3881a10313868d4dc158f7b7f51378a5b4fd5a1a");
	ck_assert_str_eq(a->magic_type, "application/pdf");
	ck_assert_str_eq(m->text, "mail body\n");
	ck_assert_str_eq(m->from.addr, "mailuser@silverjuke.net");
	ck_assert_str_eq(m->from.name, "Mail User");
	mail_free(m);
}
END_TEST

START_TEST(corpus_pdf_attachment_digest)
{
	struct mail *m = corpus_mail_only(
	    "attachments/deltachat-tb68-pdf-attachment.eml");
	const struct mail_attachment *a = find_att(m, "simple.pdf");

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->data.len, 7836);
	ck_assert_str_eq(a->sha256,
	    "fbef046d9753e8ec1ed3fce414e68f30596852ef2f2d4ab3be0e7e6887a196a9");
	mail_free(m);
}
END_TEST

START_TEST(corpus_swiftmailer_three_documents_and_eml)
{
	struct mail *m = corpus_mail_only(
	    "attachments/phpmmp-swiftmailer-pdf-docx-odt.eml");
	const struct mail_attachment *a;

	a = find_att(m, "Hello from SwiftMailer.pdf");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->sha256,
	    "f31c8a06765eb744d4a01bde71c30438fa5eee45d5e4eb98fb769758dc59b3af");
	a = find_att(m, "Hello from SwiftMailer.docx");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->sha256,
	    "9dcd7a01142a0e59bdb8275df63daddb5c15ab4f499ac9de30f45f89120795af");
	ck_assert_str_eq(a->magic_type, "application/zip");
	a = find_att(m, "Cours-Tutoriels-Serge-Tah\xc3\xa9-1568x268.png");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->content_type, "image/png");
	ck_assert_uint_eq(a->data.len, 42264);
	a = find_att(m, "test-localhost.eml");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->content_type, "message/rfc822");
	ck_assert_str_eq(m->text, "ligne 1\nligne 2\nligne 3\n");
	mail_free(m);
}
END_TEST

START_TEST(corpus_cp1252_rfc2231_filename)
{
	struct mail *m = corpus_mail_only(
	    "charsets/deltachat-rfc2231-cp1252-filename.eml");

	ck_assert_uint_eq(m->nattachments, 1);
	ck_assert_str_eq(m->attachments[0].filename,
	    "Auftragsbest\xc3\xa4tigung.pdf");
	/* Message-ID without angle brackets is still taken. */
	ck_assert_str_eq(m->message_id, "12345@testrun.org");
	mail_free(m);
}
END_TEST

START_TEST(corpus_pine_quoted_rfc2231_text_attachment)
{
	struct mail *m = corpus_mail_only(
	    "charsets/hunnysoft-pine-rfc2231-filename.eml");
	const struct mail_attachment *a;

	ck_assert_uint_eq(m->nattachments, 1);
	a = &m->attachments[0];
	ck_assert_str_eq(a->filename, "HasenundFr\xc3\xb6sche.txt");
	ck_assert_str_eq(a->content_type, "text/plain");
	ck_assert_ptr_nonnull(a->text);
	ck_assert_ptr_nonnull(strstr(a->text, "Die Hasen und die Fr\xc3\xb6sche"));
	ck_assert_uint_eq(m->ntext_attachments, 1);
	ck_assert_ptr_eq(m->text_attachments[0], a);
	ck_assert_uint_eq(m->to.n, 2);
	ck_assert_str_eq(m->to.v[1].name, "Heinz M\xc3\xbcller");
	mail_free(m);
}
END_TEST

START_TEST(corpus_norwegian_latin1)
{
	struct mail *m = corpus_mail_only(
	    "charsets/mail-gem-norwegian-latin1-qp.eml");

	ck_assert_str_eq(m->from.name, "J\xc3\xb8rn St\xc3\xb8ylen");
	ck_assert_str_eq(m->from.addr, "jorn@prikkprikkprikk.no");
	ck_assert_ptr_nonnull(strstr(m->text,
	    "J\xc3\xb8rn St\xc3\xb8ylen -- http://www.prikkprikkprikk.no"));
	ck_assert_str_eq(m->text_charset, "iso-8859-1");
	mail_free(m);
}
END_TEST

START_TEST(corpus_danish_encoded_words)
{
	struct mail *m = corpus_mail_only(
	    "charsets/mimetools-danish-rfc1522-encoded-words.eml");

	ck_assert_uint_eq(m->to.n, 1);
	ck_assert_str_eq(m->to.v[0].name, "Keld J\xc3\xb8rn Simonsen");
	ck_assert_str_eq(m->to.v[0].addr, "keld@dkuug.dk");
	ck_assert_str_eq(m->cc.v[0].name, "Andr\xc3\xa9 Pirard");
	/* Three adjacent words in two charsets, blanks between dropped. */
	ck_assert_str_eq(m->subject,
	    "If you can read this you understand the example... so, cool!");
	mail_free(m);

	m = corpus_mail_only("charsets/jwz-danish-encoded-from-8bit-latin1-body.eml");
	/* addr (Comment) with an encoded word in the comment. */
	ck_assert_str_eq(m->from.addr, "lassehp@imv.aau.dk");
	ck_assert_str_eq(m->from.name, "Lasse Hiller\xc3\xb8" "e Petersen");
	ck_assert_ptr_nonnull(strstr(m->text, "Lasse Hiller\xc3\xb8" "e Petersen"));
	ck_assert_uint_eq(m->nreferences, 1);
	mail_free(m);
}
END_TEST

START_TEST(corpus_html_only_latin1)
{
	struct mail *m = corpus_mail_only("charsets/tb-swedish-latin1-html.eml");

	ck_assert_str_eq(m->content_type, "text/html");
	ck_assert_int_eq(m->text_from_html, 1);
	ck_assert_str_eq(m->text, "html \xc3\xa5\xc3\xa4\xc3\xb6 xlatin1\n");
	ck_assert_str_eq(m->subject, "latin1 template \xc3\xa5\xc3\xa4\xc3\xb6");
	ck_assert_uint_eq(m->nattachments, 0);
	mail_free(m);
}
END_TEST

START_TEST(corpus_outlook_charsets)
{
	static const char *const files[] = {
	    "charsets/hunnysoft-outlook2000-utf7.eml",
	    "charsets/hunnysoft-outlook2000-windows1252.eml",
	    "charsets/hunnysoft-outlook2000-8bit-subject.eml",
	    "charsets/hunnysoft-outlook2000-b-and-q-encoded.eml",
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct mail *m = corpus_mail_only(files[i]);

		ck_assert_str_eq(m->subject,
		    "Die Hasen und die Fr\xc3\xb6sche (Microsoft Outlook 00)");
		ck_assert_msg(strstr(m->text, "\xc3\xbc" "ber ihre mi\xc3\x9f"
		    "liche Lage") != NULL, "%s", files[i]);
		mail_free(m);
	}
}
END_TEST

START_TEST(corpus_windows1252_8bit_body)
{
	struct mail *m = corpus_mail_only("charsets/deltachat-windows1252-8bit.eml");

	ck_assert_str_eq(m->text_charset, "windows-1252");
	ck_assert_int_eq(strncmp(m->text,
	    "foo bar \xc3\xa4 \xc3\xb6 \xc3\xbc \xc3\x9f\n", 17), 0);
	mail_free(m);
}
END_TEST

START_TEST(corpus_pgp_mime_signed_bytes)
{
	char *raw;
	size_t len, end;
	struct mail *m = corpus_mail("pgp-signed/tb83-signed-bob-to-alice.eml",
	    &raw, &len);
	const char *boundary = "\r\n--------------DeJsiP8h7k6BOi3d1Bb5WpAI1d2b9DNSm";

	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_SIGNED);
	ck_assert_str_eq(mail_pgp_kind_name(m->pgp.kind), "mime_signed");
	ck_assert_int_eq(m->pgp.wrapped, 0);
	ck_assert_str_eq(m->pgp.micalg, "pgp-sha256");
	/* Begins with the inner part's headers... */
	ck_assert_int_eq(strncmp(m->pgp.signed_data.data,
	    "Content-Type: multipart/mixed; boundary=", 40), 0);
	ck_assert_int_eq(memcmp(raw + m->pgp.signed_offset,
	    m->pgp.signed_data.data, m->pgp.signed_data.len), 0);
	/* ...and ends just before the CRLF before the outer boundary. */
	end = m->pgp.signed_offset + m->pgp.signed_data.len;
	ck_assert_uint_lt(end + strlen(boundary), len);
	ck_assert_msg(strncmp(raw + end, "\r\n--", 4) == 0, "signed part "
	    "does not end before CRLF and a boundary");
	ck_assert_int_eq(strncmp(m->pgp.signature.data,
	    "-----BEGIN PGP SIGNATURE-----", 29), 0);
	ck_assert_ptr_nonnull(strstr(m->pgp.signature.data,
	    "-----END PGP SIGNATURE-----"));
	ck_assert_str_eq(m->from.addr, "bob@openpgp.example");
	ck_assert_int_eq(m->date_valid, 1);
	ck_assert_int_eq(m->date_epoch, 1602699666);	/* 2020-10-14 18:21:06Z */
	/* The signature is structure, not an attachment. */
	ck_assert_ptr_null(find_att(m, "signature.asc"));
	mail_free(m);
	free(raw);

	/* An LF-only mail: the part ends before the LF before the boundary. */
	m = corpus_mail("pgp-signed/rt-tb2-enigmail-signed-mime.eml", &raw, &len);
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_SIGNED);
	end = m->pgp.signed_offset + m->pgp.signed_data.len;
	ck_assert_int_eq(strncmp(raw + end, "\n--", 3), 0);
	ck_assert_int_eq(strncmp(m->pgp.signed_data.data,
	    "Content-Type: text/plain; charset=UTF-8", 39), 0);
	ck_assert_str_eq(m->text, "This is a test email with MIME signature.\n"
	    "ID:1\n\n\n");
	mail_free(m);
	free(raw);
}
END_TEST

START_TEST(corpus_pgp_mime_signed_wrapped_by_list)
{
	struct mail *m = corpus_mail_only(
	    "pgp-signed/tb83-signed-carol-mailman-footer.eml");

	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_SIGNED);
	ck_assert_int_eq(m->pgp.wrapped, 1);
	ck_assert_str_eq(m->content_type, "multipart/mixed");
	ck_assert_ptr_nonnull(strstr(m->text, "Sundays are nothing"));
	mail_free(m);

	m = corpus_mail_only("pgp-signed/tb-dual-signed-smime-outer-pgp-inner.eml");
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_SIGNED);
	ck_assert_int_eq(m->pgp.wrapped, 1);
	mail_free(m);
}
END_TEST

START_TEST(corpus_signed_with_key_and_missing_close_delimiter)
{
	struct mail *m = corpus_mail_only(
	    "pgp-signed/schleuder-signed-utf8-with-key-attachment.eml");
	const struct mail_attachment *a = find_att(m, "0x4DCFFC92.asc");

	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_SIGNED);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->pgp_keys, 1);
	ck_assert_str_eq(a->content_type, "application/pgp-keys");
	ck_assert_ptr_nonnull(strstr(a->data.data,
	    "-----BEGIN PGP PUBLIC KEY BLOCK-----"));
	ck_assert_ptr_nonnull(strstr(m->text, "Danke und liebe Gr\xc3\xbc\xc3\x9f" "e!"));
	ck_assert(has_note(m, "close delimiter"));
	mail_free(m);
}
END_TEST

START_TEST(corpus_inline_clearsigned_latin1_qp)
{
	struct mail *m = corpus_mail_only(
	    "pgp-inline/kde-kmail413-inline-signed-latin1.eml");
	const struct mail_bytes *s = &m->pgp.signed_data;
	const char *end = "-----END PGP SIGNATURE-----";
	size_t tail;

	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_INLINE_SIGNED);
	ck_assert_str_eq(m->pgp.charset, "iso-8859-1");
	ck_assert_int_eq(strncmp(s->data, "-----BEGIN PGP SIGNED MESSAGE-----",
	    34), 0);
	/* Ends with the END line and its line break (CRLF here). */
	tail = strlen(end) + 2;
	ck_assert_uint_gt(s->len, tail);
	ck_assert_int_eq(memcmp(s->data + s->len - tail, end, strlen(end)), 0);
	ck_assert_int_eq(memcmp(s->data + s->len - 2, "\r\n", 2), 0);
	/* QP decoded, still Latin-1: "ohno \xf6\xe4\xfc" not UTF-8. */
	ck_assert_ptr_nonnull(strstr(s->data, "ohno \xf6\xe4\xfc"));
	ck_assert_ptr_null(strstr(s->data, "=F6"));
	/* The readable text is UTF-8 and keeps the unsigned part. */
	ck_assert_ptr_nonnull(strstr(m->text, "ohno \xc3\xb6\xc3\xa4\xc3\xbc"));
	ck_assert_int_eq(strncmp(m->text, "Unsigned part", 13), 0);
	mail_free(m);

	m = corpus_mail_only("pgp-inline/tb78-inline-signed-windows1252-8bit.eml");
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_INLINE_SIGNED);
	ck_assert_str_eq(m->pgp.charset, "windows-1252");
	ck_assert_ptr_nonnull(strstr(m->pgp.signed_data.data, "\xe0\xe8\xec\xf2\xf9"));
	ck_assert_ptr_nonnull(strstr(m->text,
	    "\xc3\xa0\xc3\xa8\xc3\xac\xc3\xb2\xc3\xb9"));
	mail_free(m);

	m = corpus_mail_only("pgp-inline/rt-tb15-inline-signed-with-attachment.eml");
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_INLINE_SIGNED);
	ck_assert_ptr_nonnull(find_att(m, "text-attachment.sig"));
	mail_free(m);
}
END_TEST

START_TEST(corpus_inline_encrypted)
{
	struct mail *m = corpus_mail_only(
	    "pgp-inline/kde-kmail412-inline-encrypted-iso8859-15.eml");

	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_INLINE_ENCRYPTED);
	ck_assert_str_eq(m->pgp.charset, "iso-8859-15");
	ck_assert_int_eq(strncmp(m->pgp.encrypted.data,
	    "-----BEGIN PGP MESSAGE-----", 27), 0);
	ck_assert_ptr_nonnull(strstr(m->pgp.encrypted.data,
	    "-----END PGP MESSAGE-----"));
	mail_free(m);
}
END_TEST

START_TEST(corpus_pgp_mime_encrypted)
{
	struct mail *m = corpus_mail_only(
	    "pgp-encrypted/kde-icedove24-enigmail16-encrypted.eml");

	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_ENCRYPTED);
	ck_assert_int_eq(m->pgp.mangled, 0);
	ck_assert_int_eq(strncmp(m->pgp.encrypted.data,
	    "-----BEGIN PGP MESSAGE-----", 27), 0);
	ck_assert_str_eq(m->text, "");
	ck_assert_uint_eq(m->nattachments, 0);
	mail_free(m);
}
END_TEST

START_TEST(corpus_pgp_mime_encrypted_mangled)
{
	struct mail *m = corpus_mail_only(
	    "pgp-encrypted/deltachat-protonmail-mixed-up-pgpmime.eml");

	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_ENCRYPTED);
	ck_assert_int_eq(m->pgp.mangled, 1);
	ck_assert_uint_eq(m->pgp.encrypted.len, 21);
	ck_assert_str_eq(m->pgp.encrypted.data, "PGP PAYLOAD WAS HERE\n");
	/* The PGP parts are structure, not attachments. */
	ck_assert_uint_eq(m->nattachments, 0);
	ck_assert_str_eq(m->text, "Empty Message\n");
	ck_assert_str_eq(m->in_reply_to, "Mr.Y1EWG9-FLhN.KUZ4cu74MYR@example.org");
	ck_assert_str_eq(m->return_path, "alice@example.org");
	mail_free(m);

	m = corpus_mail_only("pgp-encrypted/tb-exchange-broken-pgpmime.eml");
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_ENCRYPTED);
	ck_assert_int_eq(m->pgp.mangled, 1);
	ck_assert_int_eq(strncmp(m->pgp.encrypted.data,
	    "-----BEGIN PGP MESSAGE-----", 27), 0);
	mail_free(m);

	m = corpus_mail_only("pgp-encrypted/schleuder-hotmail-exchange-mangled-pgpmime.eml");
	ck_assert_int_eq(m->pgp.kind, MAIL_PGP_MIME_ENCRYPTED);
	ck_assert_int_eq(m->pgp.mangled, 1);
	mail_free(m);
}
END_TEST

START_TEST(corpus_iphone_text_around_photo)
{
	struct mail *m = corpus_mail_only(
	    "attachments/phpmmp-iphone-jpeg-between-text.eml");
	const struct mail_attachment *a = find_att(m, "image1.jpeg");

	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->content_type, "image/jpeg");
	ck_assert_str_eq(a->magic_type, "image/jpeg");
	ck_assert_str_eq(a->sha256,
	    "4cd0069887ce488216a8321e39e756f87d61c4bb23c5212045cb8c264cfa276a");
	ck_assert_ptr_nonnull(strstr(m->text, "First we have a text block"));
	ck_assert_ptr_nonnull(strstr(m->text, "Then we have more text"));
	mail_free(m);

	m = corpus_mail_only("attachments/deltachat-tb102-jpeg-as-octet-stream.eml");
	ck_assert_uint_eq(m->nattachments, 1);
	ck_assert_str_eq(m->attachments[0].content_type, "application/octet-stream");
	ck_assert_str_eq(m->attachments[0].magic_type, "image/jpeg");
	mail_free(m);
}
END_TEST

START_TEST(corpus_malformed_survivors)
{
	struct mail *m = corpus_mail_only("malformed/tb-bad-charset-label.eml");

	ck_assert(has_note(m, "bad-charset"));
	ck_assert_ptr_nonnull(strstr(m->text, "M\xc3\xa4tterhorn"));
	mail_free(m);

	m = corpus_mail_only("malformed/tb-base64-with-blank-lines.eml");
	ck_assert_str_eq(m->text, "abcdefghijklmnopqrstuvwxyz\n");
	ck_assert_str_eq(find_att(m, "test.txt")->data.data,
	    "abcdefghijklmnopqrstuvwxyz");
	mail_free(m);

	/* mbox "From - " line, whitespace-only continuation lines. */
	m = corpus_mail_only("malformed/tb-badly-folded-headers.eml");
	ck_assert_str_eq(m->from.addr, "sender@example.com");
	ck_assert_str_eq(m->to.v[0].name, "Recipient with spaces");
	ck_assert_str_eq(m->subject, "Badly folded headers, one line with "
	    "space between To and From");
	ck_assert_str_eq(m->text, "Here's our body\n");
	mail_free(m);

	m = corpus_mail_only("malformed/mail-gem-bad-encoded-subject.eml");
	ck_assert_str_eq(m->subject, "TEST");
	mail_free(m);
}
END_TEST

/* ---- hand-made mails ---- */

static char *
dec(const char *s)
{
	return mail_decode_header(s, strlen(s));
}

START_TEST(encoded_word_split_inside_character)
{
	struct mail *m;
	char *d;

	/* "Søknad": ø is C3 B8, split between the two words. */
	m = parse_str("From: a@example.org\r\n"
	    "Subject: =?UTF-8?B?U8M=?= =?UTF-8?B?uGtuYWQ=?=\r\n\r\nx\r\n");
	ck_assert_str_eq(m->subject, "S\xc3\xb8knad");
	mail_free(m);
	m = parse_str("From: a@example.org\r\n"
	    "Subject: =?utf-8?q?S=C3?=\r\n =?utf-8?q?=B8knad_om_medlemskap?=\r\n"
	    "\r\nx\r\n");
	ck_assert_str_eq(m->subject, "S\xc3\xb8knad om medlemskap");
	mail_free(m);
	/* Other charsets, plain text and a case reference around them. */
	d = dec("Re: =?iso-8859-1?Q?S=F8knad?= [FGT-2026-0042]");
	ck_assert_str_eq(d, "Re: S\xc3\xb8knad [FGT-2026-0042]");
	free(d);
	d = dec("=?ISO-8859-1?Q?=C6=D8=C5?= og =?UTF-8?Q?=C3=A6?=");
	ck_assert_str_eq(d, "\xc3\x86\xc3\x98\xc3\x85 og \xc3\xa6");
	free(d);
	/* A broken word stays text; invalid bytes never leave it. */
	d = dec("=?utf-8?q?unterminated");
	ck_assert_str_eq(d, "=?utf-8?q?unterminated");
	free(d);
	d = dec("=?utf-8?b?/w==?=");
	ck_assert_str_eq(d, "\xef\xbf\xbd");
	free(d);
}
END_TEST

START_TEST(windows1252_body_and_unknown_charset)
{
	struct mail *m = parse_str("From: Ola <OLA@Example.NO>\r\n"
	    "Subject: test\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=windows-1252\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n"
	    "\x80 \x93x\x94 \xe6\xf8\xe5\r\n");

	ck_assert_str_eq(m->from.addr, "ola@example.no");
	ck_assert_str_eq(m->from.name, "Ola");
	ck_assert_str_eq(m->text, "\xe2\x82\xac \xe2\x80\x9cx\xe2\x80\x9d "
	    "\xc3\xa6\xc3\xb8\xc3\xa5\n");
	mail_free(m);

	m = parse_str("From: a@example.org\r\n"
	    "Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
	    "Bel\xf8p: 100\r\n");
	ck_assert_str_eq(m->text, "Bel\xc3\xb8p: 100\n");
	ck_assert(has_note(m, "x-no-such-charset"));
	mail_free(m);

	/* Invalid UTF-8 in a UTF-8 part becomes U+FFFD. */
	m = parse_str("From: a@example.org\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\nab\xff\xc3(\r\n");
	ck_assert_str_eq(m->text, "ab\xef\xbf\xbd\xef\xbf\xbd(\n");
	mail_free(m);
}
END_TEST

START_TEST(base64_with_blank_lines_and_qp)
{
	struct mail *m = parse_str("From: a@example.org\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "Rm9ybTog\r\n\r\nc8O4a25h\r\n\r\n\r\nZA==\r\n");

	ck_assert_str_eq(m->text, "Form: s\xc3\xb8knad\n");
	mail_free(m);
	m = parse_str("From: a@example.org\n"
	    "Content-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "Navn: Kj=E6rsti =\nL=F8vaas\n");
	ck_assert_str_eq(m->text, "Navn: Kj\xc3\xa6rsti L\xc3\xb8vaas\n");
	mail_free(m);
}
END_TEST

/* libetpan reads past QP data that ends in "=X"; the buffer here is exactly
 * as long as the mail, so AddressSanitizer sees any overread. */
START_TEST(qp_broken_escape_at_end_of_mail)
{
	const char *s = "From: a@example.org\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "Bel=C3=B8p: 100=4";
	size_t len = strlen(s);
	char *raw = xmalloc(len);
	struct mail *m = NULL;
	struct clerk_err err;

	memcpy(raw, s, len);
	ck_assert_int_eq(mail_parse(raw, len, NULL, &m, &err), 0);
	ck_assert_str_eq(m->text, "Bel\xc3\xb8p: 100=4\n");
	mail_free(m);
	free(raw);
}
END_TEST

START_TEST(html_only_to_text)
{
	struct mail *m = parse_str("From: a@example.org\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n\r\n"
	    "<html><head><title>T</title><style>p {color:red}</style>"
	    "<script>var x = '<p>';</script></head><body>\r\n"
	    "<p>Skjema: s&oslash;knad</p><div>Navn: &Oslash;ystein &AElig;r&oslash;</div>"
	    "<p>Adresse:&nbsp;Bl&aring;b&aelig;rveien 1<br>0123 Oslo</p>\r\n\r\n\r\n"
	    "<ul><li>one &amp; two</li><li>&lt;three&gt; &#248;&#xE5; &eacute;&quot;</li></ul>"
	    "<!-- <p>hidden</p> --><table><tr><td>a</td><td>b</td></tr></table>"
	    "</body></html>\r\n");

	ck_assert_int_eq(m->text_from_html, 1);
	ck_assert_str_eq(m->text,
	    "Skjema: s\xc3\xb8knad\n"
	    "Navn: \xc3\x98ystein \xc3\x86r\xc3\xb8\n"
	    "Adresse: Bl\xc3\xa5" "b\xc3\xa6rveien 1\n"
	    "0123 Oslo\n"
	    "one & two\n"
	    "<three> \xc3\xb8\xc3\xa5 \xc3\xa9\"\n"
	    "a b\n");
	mail_free(m);
}
END_TEST

START_TEST(alternative_prefers_plain)
{
	struct mail *m = parse_str("From: a@example.org\r\n"
	    "Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n"
	    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain body\r\n"
	    "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html body</p>\r\n"
	    "--b--\r\n");

	ck_assert_str_eq(m->text, "plain body\n");
	ck_assert_int_eq(m->text_from_html, 0);
	ck_assert_uint_eq(m->nattachments, 0);
	ck_assert_uint_eq(m->nparts, 3);
	mail_free(m);
}
END_TEST

START_TEST(form_in_text_attachment)
{
	struct mail *m = parse_str("From: a@example.org\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the form.\r\n"
	    "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
	    "Content-Disposition: attachment; filename=\"s\xf8knad.txt\"\r\n\r\n"
	    "Skjema: s\xf8knad\r\nNavn: Ola\r\n"
	    "--b--\r\n");

	ck_assert_str_eq(m->text, "See the form.\n");
	ck_assert_uint_eq(m->nattachments, 1);
	ck_assert_uint_eq(m->ntext_attachments, 1);
	/* Raw 8-bit file name read as windows-1252. */
	ck_assert_str_eq(m->text_attachments[0]->filename, "s\xc3\xb8knad.txt");
	ck_assert_str_eq(m->text_attachments[0]->text,
	    "Skjema: s\xc3\xb8knad\nNavn: Ola\n");
	ck_assert_str_eq(m->attachments[0].data.data,
	    "Skjema: s\xf8knad\r\nNavn: Ola");
	mail_free(m);
}
END_TEST

START_TEST(decrypted_plaintexts)
{
	struct mail *m;

	/* PGP/MIME plaintext: a MIME entity with only Content-* headers. */
	m = parse_str("Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "Skjema: klage\r\nP=C3=A5klaget: Ola\r\n");
	ck_assert_str_eq(m->text, "Skjema: klage\nP\xc3\xa5klaget: Ola\n");
	ck_assert_uint_eq(m->nfields, 2);
	mail_free(m);

	/* Inline plaintext that starts with form lines, not headers. */
	m = parse_str("Form: complaint\nRespondent: Ola\n\nDescription: x\n");
	ck_assert_str_eq(m->text,
	    "Form: complaint\nRespondent: Ola\n\nDescription: x\n");
	ck_assert_uint_eq(m->nfields, 0);
	ck_assert_ptr_null(mail_header(m, "Form"));
	mail_free(m);

	/* Plain words, and text that starts like an mbox line. */
	m = parse_str("Hello,\nplease find my statement.\n");
	ck_assert_str_eq(m->text, "Hello,\nplease find my statement.\n");
	mail_free(m);
	m = parse_str("From here on: all fine\n");
	ck_assert_str_eq(m->text, "From here on: all fine\n");
	mail_free(m);
}
END_TEST

START_TEST(headers_and_threading)
{
	struct mail *m = parse_str("Return-Path: <>\r\n"
	    "From: \"Nordmann, Ola\" <Ola.Nordmann@Example.NO>\r\n"
	    "To: a@example.org, =?utf-8?q?B=C3=B8?= <b@example.org>,\r\n"
	    " undisclosed:;\r\n"
	    "Reply-To: svar@example.org\r\n"
	    "Subject: Re: [FGT-2026-0042] Varsel\r\n"
	    "Message-ID: <m1@example.org>\r\n"
	    "In-Reply-To: <n1@clerk.example> (notice)\r\n"
	    "References: <r0@x> <r1@x>\r\n <n1@clerk.example>\r\n"
	    "Date: Sun, 1 Mar 2026 10:00:00 +0100\r\n"
	    "Auto-Submitted: auto-replied\r\n"
	    "Precedence: bulk\r\n"
	    "List-Id: Members <members.example.org>\r\n"
	    "X-Autoreply: yes\r\n"
	    "Received: one\r\nReceived: two\r\n"
	    "\r\nbody\r\n");

	ck_assert_str_eq(m->return_path, "");
	ck_assert_str_eq(m->from.addr, "ola.nordmann@example.no");
	ck_assert_str_eq(m->from.name, "Nordmann, Ola");
	ck_assert_uint_eq(m->to.n, 2);
	ck_assert_str_eq(m->to.v[1].name, "B\xc3\xb8");
	ck_assert_str_eq(m->reply_to.v[0].addr, "svar@example.org");
	ck_assert_str_eq(m->subject, "Re: [FGT-2026-0042] Varsel");
	ck_assert_str_eq(m->message_id, "m1@example.org");
	ck_assert_str_eq(m->in_reply_to, "n1@clerk.example");
	ck_assert_uint_eq(m->nreferences, 3);
	ck_assert_str_eq(m->references[2], "n1@clerk.example");
	ck_assert_int_eq(m->date_valid, 1);
	ck_assert_int_eq(m->date_epoch, 1772355600);	/* 09:00Z */
	ck_assert_str_eq(m->auto_submitted, "auto-replied");
	ck_assert_str_eq(m->precedence, "bulk");
	ck_assert_str_eq(m->list_id, "Members <members.example.org>");
	ck_assert_int_eq(m->x_autoreply, 1);
	ck_assert_str_eq(mail_header(m, "received"), "one");
	ck_assert_str_eq(mail_header_nth(m, "RECEIVED", 1), "two");
	ck_assert_ptr_null(mail_header_nth(m, "Received", 2));
	ck_assert_str_eq(mail_header(m, "references"),
	    "<r0@x> <r1@x> <n1@clerk.example>");
	ck_assert_str_eq(m->content_type, "text/plain");
	mail_free(m);

	m = parse_str("From: x@example.org\r\nDate: not a date\r\n\r\nb\r\n");
	ck_assert_int_eq(m->date_valid, 0);
	ck_assert_str_eq(m->date_raw, "not a date");
	ck_assert_ptr_null(m->subject);
	ck_assert_ptr_null(m->return_path);
	ck_assert_int_eq(m->x_autoreply, 0);
	mail_free(m);
}
END_TEST

START_TEST(flowed_text)
{
	struct mail *m = parse_str("From: a@example.org\r\n"
	    "Content-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n"
	    "Beskrivelse: a long line \r\nthat was wrapped\r\n"
	    ">quoted \r\n>more\r\n-- \r\nsig\r\n");

	ck_assert_str_eq(m->text, "Beskrivelse: a long line that was wrapped\n"
	    ">quoted more\n-- \nsig\n");
	mail_free(m);
}
END_TEST

START_TEST(delivery_reports)
{
	struct mail *m = parse_str("From: MAILER-DAEMON@example.org\r\n"
	    "Return-Path: <>\r\n"
	    "Subject: Undelivered Mail Returned to Sender\r\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
	    " boundary=\"R\"\r\n\r\n"
	    "--R\r\nContent-Type: text/plain\r\n\r\nYour mail could not be "
	    "delivered.\r\n"
	    "--R\r\nContent-Type: message/delivery-status\r\n\r\n"
	    "Reporting-MTA: dns; mx.example.org\r\n\r\n"
	    "Final-Recipient: rfc822; nobody@example.net\r\nAction: failed\r\n"
	    "Status: 5.1.1\r\n"
	    "--R\r\nContent-Type: text/rfc822-headers\r\n\r\n"
	    "From: clerk@fgt.example\r\nTo: nobody@example.net\r\n"
	    "Message-ID: <notice-42@fgt.example>\r\n"
	    "--R--\r\n");

	ck_assert_int_eq(m->is_report, 1);
	ck_assert_str_eq(m->report_type, "delivery-status");
	ck_assert_str_eq(m->report_msgid, "notice-42@fgt.example");
	ck_assert_str_eq(m->text, "Your mail could not be delivered.\n");
	ck_assert_str_eq(m->return_path, "");
	mail_free(m);

	/* A read receipt names the original directly. */
	m = parse_str("From: b@example.org\r\n"
	    "Content-Type: multipart/report; report-type=disposition-notification;"
	    " boundary=R\r\n\r\n"
	    "--R\r\nContent-Type: text/plain\r\n\r\nRead.\r\n"
	    "--R\r\nContent-Type: message/disposition-notification\r\n\r\n"
	    "Final-Recipient: rfc822; b@example.org\r\n"
	    "Original-Message-ID: <notice-7@fgt.example>\r\n"
	    "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
	    "--R\r\nContent-Type: message/rfc822\r\n\r\n"
	    "Message-ID: <other@x>\r\nSubject: s\r\n\r\nbody\r\n"
	    "--R--\r\n");
	ck_assert_str_eq(m->report_type, "disposition-notification");
	ck_assert_str_eq(m->report_msgid, "notice-7@fgt.example");
	mail_free(m);
}
END_TEST

static char *
many_parts(int n)
{
	struct buf b = BUF_INIT;
	int i;

	buf_append_str(&b, "From: a@example.org\r\n"
	    "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "--B\r\nContent-Type: text/plain\r\n\r\n%d\r\n", i);
	buf_append_str(&b, "--B--\r\n");
	return buf_steal(&b);
}

static char *
deep_parts(int n)
{
	struct buf b = BUF_INIT;
	int i;

	buf_append_str(&b, "From: a@example.org\r\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "Content-Type: multipart/mixed; boundary=\"L%d\"\r\n"
		    "\r\n--L%d\r\n", i, i);
	buf_append_str(&b, "Content-Type: text/plain\r\n\r\ndeep\r\n");
	for (i = n - 1; i >= 0; i--)
		buf_printf(&b, "--L%d--\r\n", i);
	return buf_steal(&b);
}

START_TEST(limits_exceeded)
{
	struct mail_limits lim;
	struct mail *m = NULL;
	struct clerk_err err = { 0, "" };
	char *s;
	struct buf h = BUF_INIT;
	int i;

	mail_limits_default(&lim);
	ck_assert_uint_eq(lim.max_parts, 1000);

	s = many_parts(1200);
	ck_assert_int_eq(mail_parse(s, strlen(s), &lim, &m, &err), -1);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_str_eq(err.msg, "too many MIME parts: 1201 > 1000");
	lim.max_parts = 1201;
	ck_assert_int_eq(mail_parse(s, strlen(s), &lim, &m, &err), 0);
	ck_assert_uint_eq(m->nparts, 1201);
	mail_free(m);
	free(s);
	mail_limits_default(&lim);

	s = deep_parts(10);
	lim.max_depth = 5;
	ck_assert_int_eq(mail_parse(s, strlen(s), &lim, &m, &err), -1);
	ck_assert_str_eq(err.msg, "MIME nesting too deep: more than 5 levels");
	lim.max_depth = 32;
	ck_assert_int_eq(mail_parse(s, strlen(s), &lim, &m, &err), 0);
	ck_assert_uint_eq(m->depth, 11);
	ck_assert_str_eq(m->text, "deep\n");
	mail_free(m);
	free(s);

	/* Deep nesting is refused before libetpan spends seconds on it. */
	s = deep_parts(30000);
	ck_assert_int_eq(mail_parse(s, strlen(s), &lim, &m, &err), -1);
	ck_assert_str_eq(err.msg, "too many MIME parts: 30001 Content-Type "
	    "fields for at most 1000 parts");
	free(s);

	buf_append_str(&h, "From: a@example.org\r\n");
	for (i = 0; i < 100; i++)
		buf_append_str(&h, "X-Padding: 0123456789012345678901234567890123456789\r\n");
	buf_append_str(&h, "\r\nbody\r\n");
	lim.max_header_bytes = 4096;
	ck_assert_int_eq(mail_parse(h.data, h.len, &lim, &m, &err), -1);
	ck_assert_int_eq(strncmp(err.msg, "header too large: ", 18), 0);
	ck_assert_int_eq(err.temporary, 0);
	buf_free(&h);

	/* Part headers count too. */
	buf_append_str(&h, "From: a@example.org\r\nContent-Type: multipart/mixed;"
	    " boundary=B\r\n\r\n--B\r\n");
	for (i = 0; i < 100; i++)
		buf_append_str(&h, "X-Padding: 0123456789012345678901234567890123456789\r\n");
	buf_append_str(&h, "\r\nbody\r\n--B--\r\n");
	ck_assert_int_eq(mail_parse(h.data, h.len, &lim, &m, &err), -1);
	ck_assert_int_eq(strncmp(err.msg, "header too large: ", 18), 0);
	buf_free(&h);

	mail_limits_default(&lim);
	lim.max_size = 10;
	ck_assert_int_eq(mail_parse("From: a@b\r\n\r\nhello\r\n", 20, &lim, &m,
	    &err), -1);
	ck_assert_str_eq(err.msg, "mail too large: 20 > 10 bytes");
}
END_TEST

/* The known libetpan 1.9.4 heap overflow: boundary="\"". */
START_TEST(isolated_parse_contains_libetpan_crash)
{
	const char *crasher = "From: a@example.org\r\n"
	    "Subject: crash\r\n"
	    "Content-Type: multipart/mixed; boundary=\"\\\"\"\r\n\r\n"
	    "--x\r\nhello\r\n";
	struct mail *m = NULL;
	struct clerk_err err = { 0, "" };

	ck_assert_int_eq(mail_parse_isolated(crasher, strlen(crasher), NULL,
	    &m, &err), -1);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_msg(strncmp(err.msg, "MIME parser crashed (", 21) == 0,
	    "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, "quarantine"));

	/* The same path parses a good mail. */
	ck_assert_int_eq(mail_parse_isolated("Subject: ok\r\n\r\nfine\r\n", 21,
	    NULL, &m, &err), 0);
	ck_assert_str_eq(m->subject, "ok");
	mail_free(m);
}
END_TEST

START_TEST(raw_digest_and_self_contained)
{
	char *raw = xstrdup("From: a@example.org\r\nSubject: s\r\n\r\nbody\r\n");
	size_t len = strlen(raw);
	struct mail *m = NULL;
	struct clerk_err err;
	char hex[SHA256_HEX_LEN + 1];

	ck_assert_int_eq(mail_parse(raw, len, NULL, &m, &err), 0);
	sha256_hex_of(raw, len, hex);
	memset(raw, 'x', len);
	free(raw);
	ck_assert_str_eq(m->raw_sha256, hex);
	ck_assert_str_eq(m->subject, "s");
	ck_assert_str_eq(m->text, "body\n");
	ck_assert_str_eq(mail_header(m, "from"), "a@example.org");
	mail_free(m);
	mail_free(NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mime");
	TCase *corpus = tcase_create("corpus");
	TCase *made = tcase_create("handmade");
	SRunner *sr;
	int failed;

	tcase_set_timeout(corpus, 120);
	{
		char *dir = corpus_dir(), *manifest = xasprintf("%s/MANIFEST.tsv", dir);
		int have = access(manifest, R_OK) == 0;

		if (!have)
			printf("# SKIP 20 corpus tests: no shared corpus at %s (an extra suite; "
			    "set CLERK_SHARED)\n", dir);
		free(manifest);
		free(dir);
		if (!have)
			goto made;
	}
	tcase_add_test(corpus, corpus_every_mail_parses);
	tcase_add_test(corpus, corpus_rfc2231_umlaut_filename_and_pdf_digest);
	tcase_add_test(corpus, corpus_pdf_attachment_digest);
	tcase_add_test(corpus, corpus_swiftmailer_three_documents_and_eml);
	tcase_add_test(corpus, corpus_cp1252_rfc2231_filename);
	tcase_add_test(corpus, corpus_pine_quoted_rfc2231_text_attachment);
	tcase_add_test(corpus, corpus_norwegian_latin1);
	tcase_add_test(corpus, corpus_danish_encoded_words);
	tcase_add_test(corpus, corpus_html_only_latin1);
	tcase_add_test(corpus, corpus_outlook_charsets);
	tcase_add_test(corpus, corpus_windows1252_8bit_body);
	tcase_add_test(corpus, corpus_pgp_mime_signed_bytes);
	tcase_add_test(corpus, corpus_pgp_mime_signed_wrapped_by_list);
	tcase_add_test(corpus, corpus_signed_with_key_and_missing_close_delimiter);
	tcase_add_test(corpus, corpus_inline_clearsigned_latin1_qp);
	tcase_add_test(corpus, corpus_inline_encrypted);
	tcase_add_test(corpus, corpus_pgp_mime_encrypted);
	tcase_add_test(corpus, corpus_pgp_mime_encrypted_mangled);
	tcase_add_test(corpus, corpus_iphone_text_around_photo);
	tcase_add_test(corpus, corpus_malformed_survivors);
	suite_add_tcase(s, corpus);
made:
	tcase_set_timeout(made, 60);
	tcase_add_test(made, encoded_word_split_inside_character);
	tcase_add_test(made, windows1252_body_and_unknown_charset);
	tcase_add_test(made, base64_with_blank_lines_and_qp);
	tcase_add_test(made, qp_broken_escape_at_end_of_mail);
	tcase_add_test(made, html_only_to_text);
	tcase_add_test(made, alternative_prefers_plain);
	tcase_add_test(made, form_in_text_attachment);
	tcase_add_test(made, decrypted_plaintexts);
	tcase_add_test(made, headers_and_threading);
	tcase_add_test(made, flowed_text);
	tcase_add_test(made, delivery_reports);
	tcase_add_test(made, limits_exceeded);
	tcase_add_test(made, isolated_parse_contains_libetpan_crash);
	tcase_add_test(made, raw_digest_and_self_contained);
	suite_add_tcase(s, made);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
