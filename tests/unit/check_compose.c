/* Unit tests of notice composition: quoted-printable and base64, RFC 2047
 * header encoding and folding, the outer header, and the RFC 3156
 * multipart/signed and multipart/encrypted structures, read back with
 * libetpan. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "compose.h"
#include "error.h"
#include "hdrenc.h"
#include "mimeenc.h"
#include "utf8.h"
#include "xmalloc.h"

/* ---- helpers ------------------------------------------------------------ */

/* Every line of s ends with CRLF, is 7-bit and no longer than `max`. */
static void
assert_lines(const char *s, size_t len, size_t max)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		ck_assert_msg(c != 0 && c < 0x80, "byte %zu is 0x%02x", i, c);
		if (c == '\r') {
			ck_assert_msg(i + 1 < len && s[i + 1] == '\n',
			    "bare CR at %zu", i);
			continue;
		}
		if (c == '\n') {
			ck_assert_msg(i > 0 && s[i - 1] == '\r',
			    "bare LF at %zu", i);
			col = 0;
			continue;
		}
		col++;
		ck_assert_msg(col <= max, "line longer than %zu at %zu: %.*s",
		    max, i, (int)(col), s + i + 1 - col);
	}
	ck_assert_msg(len == 0 || s[len - 1] == '\n', "no final CRLF");
}

static char *
qp(const char *text)
{
	struct buf b = BUF_INIT;

	qp_encode_text(text, strlen(text), &b);
	return buf_steal(&b);
}

/* Decodes with libetpan: what a mail reader sees. */
static char *
decode(const char *enc, size_t len, int mechanism, size_t *outlen)
{
	size_t idx = 0;
	char *res = NULL, *copy;
	size_t rlen = 0;

	ck_assert_int_eq(mailmime_part_parse(enc, len, &idx, mechanism, &res,
	    &rlen), MAILIMF_NO_ERROR);
	copy = xstrndup(res, rlen);
	mmap_string_unref(res);
	*outlen = rlen;
	return copy;
}

/* The text with every line end as CRLF, as the decoded QP must be. */
static char *
crlf(const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s; s++) {
		if (*s == '\n')
			buf_append_char(&b, '\r');
		buf_append_char(&b, *s);
	}
	return buf_steal(&b);
}

static void
assert_qp_roundtrip(const char *text)
{
	char *enc = qp(text), *dec, *want = crlf(text);
	size_t n;

	assert_lines(enc, strlen(enc), 76);
	dec = decode(enc, strlen(enc), MAILMIME_MECHANISM_QUOTED_PRINTABLE, &n);
	ck_assert_msg(strcmp(dec, want) == 0, "round trip:\n%s\n%s", want, dec);
	free(enc);
	free(dec);
	free(want);
}

/* The value of header `name` in a mail, unfolded (CRLF removed). */
static char *
header(const char *mail, const char *name)
{
	struct buf b = BUF_INIT;
	size_t nl = strlen(name);
	const char *p = mail;

	for (;;) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ':')
			break;
		p = strstr(p, "\r\n");
		ck_assert_msg(p != NULL && p[2] != '\r', "no %s header", name);
		p += 2;
	}
	p += nl + 1;
	while (*p == ' ')
		p++;
	for (;;) {
		const char *e = strstr(p, "\r\n");

		buf_append(&b, p, (size_t)(e - p));
		p = e + 2;
		if (*p != ' ' && *p != '\t')
			break;
	}
	return buf_steal(&b);
}

/* RFC 2047 decoding as libetpan does it for a reader. */
static char *
decode_phrase(const char *s)
{
	size_t idx = 0;
	char *res = NULL, *copy;

	ck_assert_int_eq(mailmime_encoded_phrase_parse("utf-8", s, strlen(s),
	    &idx, "utf-8", &res), MAILIMF_NO_ERROR);
	copy = xstrdup(res);
	free(res);
	return copy;
}

static int
hexval(char c)
{
	return c >= 'A' ? c - 'A' + 10 : c - '0';
}

/* Decodes ONE encoded word by hand, to see what each word holds alone. */
static char *
decode_word(const char *w, size_t n)
{
	struct buf b = BUF_INIT;
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *t;
	size_t i;
	int q;

	ck_assert(n > 12 && strncmp(w, "=?UTF-8?", 8) == 0);
	ck_assert(w[n - 2] == '?' && w[n - 1] == '=');
	q = w[8] == 'Q';
	t = w + 10;
	n -= 12;
	if (q) {
		for (i = 0; i < n; i++) {
			if (t[i] == '_')
				buf_append_char(&b, ' ');
			else if (t[i] == '=') {
				buf_append_char(&b, (char)(hexval(t[i + 1]) *
				    16 + hexval(t[i + 2])));
				i += 2;
			} else
				buf_append_char(&b, t[i]);
		}
	} else {
		unsigned v = 0;
		int bits = 0;

		for (i = 0; i < n && t[i] != '='; i++) {
			v = v << 6 | (unsigned)(strchr(b64, t[i]) - b64);
			if ((bits += 6) >= 8) {
				bits -= 8;
				buf_append_char(&b, (char)(v >> bits & 0xff));
			}
		}
	}
	return buf_steal(&b);
}

/* Every encoded word in `field` (a whole folded field) is at most 75
 * characters and decodes alone to valid UTF-8: no character is split. */
static int
check_words(const char *field)
{
	const char *p = field, *e;
	int words = 0;

	while ((p = strstr(p, "=?UTF-8?")) != NULL) {
		char *dec;

		e = strstr(p + 10, "?=");
		ck_assert_ptr_nonnull(e);
		e += 2;
		ck_assert_msg(e - p <= 75, "word of %d chars", (int)(e - p));
		dec = decode_word(p, (size_t)(e - p));
		ck_assert_msg(utf8_valid(dec, strlen(dec)),
		    "word splits a character: %.*s", (int)(e - p), p);
		free(dec);
		words++;
		p = e;
	}
	return words;
}

static const struct notice_header base_header = {
	.from_name = "Foreningen for Gestaltterapeuter",
	.from_addr = "post@fgt.example",
	.to_name = "Kari Nordmann",
	.to_addr = "kari@example.org",
	.case_ref = "FGT-2026-0042",
	.subject = "Søknad mottatt – ærlig",
	.date = { { 2027, 2, 1 }, 9, 30, 5 },
	.utc_offset = 60,
	.message_id = "<20270201093005.a1b2c3@fgt.example>",
	.in_reply_to = "<CAF=x1@mail.example.org>",
	.references = "<first@a.example> <CAF=x1@mail.example.org>",
	.auto_submitted = AUTO_REPLIED,
};

static const char fake_sig[] =
    "-----BEGIN PGP SIGNATURE-----\n"
    "\n"
    "iHUEARYKAB0WIQTestTestTestTestTestTestTestTestBQJnAAAAAAoJEC0xMjM0\n"
    "NTY3ODkwYWJjZGVm\n"
    "=AbCd\n"
    "-----END PGP SIGNATURE-----\n";

static const char fake_cipher[] =
    "-----BEGIN PGP MESSAGE-----\r\n"
    "\r\n"
    "hF4DAAAAAAAAAAASAQdAtesttesttesttesttesttesttesttesttesttesttest\r\n"
    "=XyZw\r\n"
    "-----END PGP MESSAGE-----\r\n";

static const char *
param_value(struct mailmime_content *ct, const char *name)
{
	clistiter *it;

	for (it = clist_begin(ct->ct_parameters); it; it = clist_next(it)) {
		struct mailmime_parameter *p = clist_content(it);

		if (strcasecmp(p->pa_name, name) == 0)
			return p->pa_value;
	}
	return NULL;
}

static void
assert_type(struct mailmime *m, const char *type, const char *subtype)
{
	struct mailmime_content *ct = m->mm_content_type;
	const char *t;

	ck_assert_ptr_nonnull(ct);
	if (ct->ct_type->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE)
		t = ct->ct_type->tp_data.tp_composite_type->ct_type ==
		    MAILMIME_COMPOSITE_TYPE_MULTIPART ? "multipart" : "message";
	else {
		struct mailmime_discrete_type *d =
		    ct->ct_type->tp_data.tp_discrete_type;

		t = d->dt_type == MAILMIME_DISCRETE_TYPE_TEXT ? "text" :
		    d->dt_type == MAILMIME_DISCRETE_TYPE_APPLICATION ?
		    "application" : d->dt_extension ? d->dt_extension : "?";
	}
	ck_assert_str_eq(t, type);
	ck_assert_msg(strcasecmp(ct->ct_subtype, subtype) == 0, "%s/%s",
	    t, ct->ct_subtype);
}

static struct mailmime *
child(struct mailmime *m, int n)
{
	clistiter *it = clist_begin(m->mm_data.mm_multipart.mm_mp_list);

	while (n-- > 0 && it)
		it = clist_next(it);
	ck_assert_ptr_nonnull(it);
	return clist_content(it);
}

/* ---- quoted-printable and base64 ---------------------------------------- */

START_TEST(qp_basic_rules)
{
	char *e;

	e = qp("a=b\n");
	ck_assert_str_eq(e, "a=3Db\r\n");
	free(e);
	e = qp("trailing space \nand tab\t\nin side ok\n");
	ck_assert_str_eq(e, "trailing space=20\r\nand tab=09\r\nin side ok\r\n");
	free(e);
	e = qp("From me\nnot From here\n.\n..x\n");
	ck_assert_str_eq(e, "=46rom me\r\nnot From here\r\n=2E\r\n=2E.x\r\n");
	free(e);
	e = qp("crlf\r\nlf\n\nlast without newline");
	ck_assert_str_eq(e, "crlf\r\nlf\r\n\r\nlast without newline\r\n");
	free(e);
	e = qp("Søknad\n");
	ck_assert_str_eq(e, "S=C3=B8knad\r\n");
	free(e);
	e = qp("ctl\x01 and lone\rcr\n");
	ck_assert_str_eq(e, "ctl=01 and lone=0Dcr\r\n");
	free(e);
	e = qp("");
	ck_assert_str_eq(e, "");
	free(e);
	assert_qp_roundtrip("a=b \n trailing \t\nFrom x\n.\n");
}
END_TEST

START_TEST(qp_line_length_edges)
{
	char line[200], *e;

	/* 76 characters fit on a line; 77 need a soft break. */
	memset(line, 'x', 76);
	strcpy(line + 76, "\n");
	e = qp(line);
	ck_assert_uint_eq(strlen(e), 78);
	free(e);
	memset(line, 'x', 77);
	strcpy(line + 77, "\n");
	e = qp(line);
	ck_assert_str_eq(e + 75, "=\r\nxx\r\n");
	free(e);
	assert_qp_roundtrip(line);
	/* An '=' that would straddle the limit moves to the next line. */
	memset(line, 'x', 74);
	strcpy(line + 74, "=y\n");
	e = qp(line);
	ck_assert_str_eq(e + 74, "=\r\n=3Dy\r\n");
	free(e);
	assert_qp_roundtrip(line);
	/* A space that ends a long line stays encoded after the break. */
	memset(line, 'x', 80);
	strcpy(line + 80, " \n");
	assert_qp_roundtrip(line);
	/* A dot or "From " that starts a soft line is encoded too. */
	memset(line, 'x', 75);
	strcpy(line + 75, "From here\n");
	e = qp(line);
	ck_assert_str_eq(e + 75, "=\r\n=46rom here\r\n");
	free(e);
	assert_qp_roundtrip(line);
	memset(line, 'x', 75);
	strcpy(line + 75, ".y\n");
	e = qp(line);
	ck_assert_str_eq(e + 75, "=\r\n=2Ey\r\n");
	free(e);
	/* A dot that ends a full line is not at a line start. */
	memset(line, 'x', 75);
	strcpy(line + 75, ".\n");
	e = qp(line);
	ck_assert_str_eq(e + 75, ".\r\n");
	free(e);
}
END_TEST

START_TEST(qp_multibyte_never_split)
{
	struct buf t = BUF_INIT;
	char *e, *p, *soft;
	int i, offset;

	/* Shift the characters across every column of the line. */
	for (offset = 0; offset < 12; offset++) {
		buf_reset(&t);
		for (i = 0; i < offset; i++)
			buf_append_char(&t, 'a');
		for (i = 0; i < 60; i++)
			buf_append_str(&t, i % 3 == 0 ? "æ" : i % 3 == 1 ?
			    "€" : "😀");
		buf_append_str(&t, " end\n");
		e = qp(t.data);
		assert_lines(e, strlen(e), 76);
		/* Each soft line alone decodes to valid UTF-8. */
		for (p = e; *p; p = soft + 3) {
			char *dec, *one;
			size_t n;

			soft = strstr(p, "=\r\n");
			if (soft == NULL)
				break;
			one = xstrndup(p, (size_t)(soft - p));
			dec = decode(one, strlen(one),
			    MAILMIME_MECHANISM_QUOTED_PRINTABLE, &n);
			ck_assert_msg(utf8_valid(dec, n), "split: %s", one);
			free(dec);
			free(one);
		}
		free(e);
		assert_qp_roundtrip(t.data);
	}
	buf_free(&t);
}
END_TEST

START_TEST(base64_lines_and_roundtrip)
{
	unsigned char data[1000];
	struct buf b = BUF_INIT;
	char *dec;
	size_t i, n;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	base64_encode_lines(data, sizeof(data), &b);
	assert_lines(b.data, b.len, 76);
	ck_assert_int_eq(b.data[76], '\r');
	dec = decode(b.data, b.len, MAILMIME_MECHANISM_BASE64, &n);
	ck_assert_uint_eq(n, sizeof(data));
	ck_assert_int_eq(memcmp(dec, data, n), 0);
	free(dec);
	buf_reset(&b);
	base64_encode("ab", 2, &b);
	ck_assert_str_eq(b.data, "YWI=");
	buf_reset(&b);
	base64_encode_lines(data, 57, &b);	/* exactly one line */
	ck_assert_uint_eq(b.len, 78);
	buf_reset(&b);
	base64_encode_lines(data, 0, &b);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

/* ---- header fields ------------------------------------------------------ */

START_TEST(subject_rfc2047_roundtrip)
{
	struct buf b = BUF_INIT;
	struct clerk_err err;
	char *v, *dec;

	ck_assert_int_eq(hdr_unstructured(&b, "Subject", "[FGT-2026-0042]",
	    "Søknad mottatt – ærlig", &err), 0);
	assert_lines(b.data, b.len, 76);
	/* The case reference stays readable in the raw header. */
	ck_assert_msg(strncmp(b.data, "Subject: [FGT-2026-0042] =?UTF-8?", 33)
	    == 0, "%s", b.data);
	ck_assert_int_ge(check_words(b.data), 1);
	v = header(b.data, "Subject");
	dec = decode_phrase(v);
	ck_assert_str_eq(dec, "[FGT-2026-0042] Søknad mottatt – ærlig");
	free(v);
	free(dec);
	/* Plain ASCII stays plain; no reference: just the text. */
	buf_reset(&b);
	ck_assert_int_eq(hdr_unstructured(&b, "Subject", NULL,
	    "Membership dues 2027", &err), 0);
	ck_assert_str_eq(b.data, "Subject: Membership dues 2027\r\n");
	/* ASCII that looks like an encoded word is encoded. */
	buf_reset(&b);
	ck_assert_int_eq(hdr_unstructured(&b, "Subject", NULL,
	    "=?x?Q?y?= trick", &err), 0);
	v = header(b.data, "Subject");
	dec = decode_phrase(v);
	ck_assert_str_eq(dec, "=?x?Q?y?= trick");
	free(v);
	free(dec);
	/* Refused: line breaks, bad UTF-8, a reference with a space. */
	buf_reset(&b);
	ck_assert_int_eq(hdr_unstructured(&b, "Subject", NULL, "a\r\nBcc: x",
	    &err), -1);
	ck_assert_int_eq(hdr_unstructured(&b, "Subject", NULL, "\xc3(", &err),
	    -1);
	ck_assert_int_eq(hdr_unstructured(&b, "Subject", "A B", "x", &err), -1);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

START_TEST(subject_long_folds_within_limits)
{
	struct buf b = BUF_INIT, t = BUF_INIT;
	struct clerk_err err;
	char *v, *dec, *want;
	int i;

	/* Long and mostly non-ASCII: every line <= 76, words <= 75, no
	 * character split, decodes to the original. */
	for (i = 0; i < 40; i++)
		buf_append_str(&t, i % 2 ? "Ærlig søknad " : "øåæ€😀 ");
	buf_append_str(&t, "slutt");
	ck_assert_int_eq(hdr_unstructured(&b, "Subject", "[ASRT-2027-0001]",
	    t.data, &err), 0);
	assert_lines(b.data, b.len, 76);
	ck_assert_int_gt(check_words(b.data), 5);
	v = header(b.data, "Subject");
	dec = decode_phrase(v);
	want = xasprintf("[ASRT-2027-0001] %s", t.data);
	ck_assert_str_eq(dec, want);
	free(v);
	free(dec);
	free(want);
	/* Text in another script is shorter in B and encoded so. */
	buf_reset(&b);
	ck_assert_int_eq(hdr_unstructured(&b, "Subject", NULL,
	    "Заявление получено, спасибо за ваше письмо и терпение", &err), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "=?UTF-8?B?"));
	assert_lines(b.data, b.len, 76);
	check_words(b.data);
	v = header(b.data, "Subject");
	dec = decode_phrase(v);
	ck_assert_str_eq(dec,
	    "Заявление получено, спасибо за ваше письмо и терпение");
	free(v);
	free(dec);
	/* Long ASCII folds at spaces. */
	buf_reset(&b);
	buf_reset(&t);
	for (i = 0; i < 30; i++)
		buf_append_str(&t, "word ");
	buf_append_str(&t, "end");
	ck_assert_int_eq(hdr_unstructured(&b, "Subject", "[X-1]", t.data,
	    &err), 0);
	assert_lines(b.data, b.len, 76);
	ck_assert_ptr_null(strstr(b.data, "=?"));
	v = header(b.data, "Subject");
	want = xasprintf("[X-1] %s", t.data);
	ck_assert_str_eq(v, want);
	free(v);
	free(want);
	buf_free(&b);
	buf_free(&t);
}
END_TEST

START_TEST(mailbox_display_names)
{
	struct buf b = BUF_INIT;
	struct clerk_err err;
	char *v, *dec;

	ck_assert_int_eq(hdr_mailbox(&b, "From", "Foreningen for "
	    "Gestaltterapeuter", "post@fgt.example", &err), 0);
	ck_assert_str_eq(b.data, "From: Foreningen for Gestaltterapeuter "
	    "<post@fgt.example>\r\n");
	buf_reset(&b);
	ck_assert_int_eq(hdr_mailbox(&b, "From", "Ver. NTP \"secretariaat\"",
	    "info@ntp.example", &err), 0);
	ck_assert_str_eq(b.data, "From: \"Ver. NTP \\\"secretariaat\\\"\" "
	    "<info@ntp.example>\r\n");
	buf_reset(&b);
	ck_assert_int_eq(hdr_mailbox(&b, "To", NULL, "kari@example.org", &err),
	    0);
	ck_assert_str_eq(b.data, "To: kari@example.org\r\n");
	buf_reset(&b);
	ck_assert_int_eq(hdr_mailbox(&b, "To", "Kåre\r\n Ødegård",
	    "kare@example.org", &err), 0);
	assert_lines(b.data, b.len, 76);
	check_words(b.data);
	v = header(b.data, "To");
	dec = decode_phrase(v);
	ck_assert_str_eq(dec, "Kåre Ødegård <kare@example.org>");
	free(v);
	free(dec);
	buf_reset(&b);
	ck_assert_int_eq(hdr_mailbox(&b, "To", "x", "not an address", &err),
	    -1);
	ck_assert_int_eq(hdr_mailbox(&b, "To", "x", "a@b", &err), -1);
	ck_assert_int_eq(hdr_mailbox(&b, "To", "x", "å@b.example", &err), -1);
	ck_assert_int_eq(hdr_mailbox(&b, "To", "x", "a@b.example>", &err), -1);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

START_TEST(date_and_message_ids)
{
	struct buf b = BUF_INIT;
	struct clerk_err err;
	struct cal_datetime t = { { 2027, 2, 1 }, 9, 30, 0 };
	struct cal_datetime bad = { { 2027, 2, 29 }, 9, 30, 0 };
	struct buf ids = BUF_INIT;
	int i;

	ck_assert_int_eq(hdr_date(&b, t, 60, &err), 0);
	ck_assert_str_eq(b.data, "Date: Mon, 1 Feb 2027 09:30:00 +0100\r\n");
	buf_reset(&b);
	t.date.month = 7;
	t.date.day = 31;
	t.hour = 23;
	ck_assert_int_eq(hdr_date(&b, t, -330, &err), 0);
	ck_assert_str_eq(b.data, "Date: Sat, 31 Jul 2027 23:30:00 -0530\r\n");
	buf_reset(&b);
	ck_assert_int_eq(hdr_date(&b, bad, 0, &err), -1);
	ck_assert_int_eq(hdr_date(&b, t, 1440, &err), -1);
	ck_assert_int_eq(hdr_msgids(&b, "Message-ID", "abc@x.example", &err),
	    0);
	ck_assert_str_eq(b.data, "Message-ID: <abc@x.example>\r\n");
	buf_reset(&b);
	for (i = 0; i < 6; i++)
		buf_printf(&ids, "<message-%d.abcdefghij@mail.example.org> ", i);
	ck_assert_int_eq(hdr_msgids(&b, "References", ids.data, &err), 0);
	assert_lines(b.data, b.len, 76);
	buf_reset(&b);
	ck_assert_int_eq(hdr_msgids(&b, "References", "<ok@x> <bad id>", &err),
	    -1);
	ck_assert_int_eq(hdr_msgids(&b, "References", "  ", &err), -1);
	ck_assert_int_eq(hdr_msgids(&b, "Message-ID", "<a@b@c>", &err), -1);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
	buf_free(&ids);
}
END_TEST

START_TEST(outer_header_exact)
{
	struct notice_header h = base_header;
	struct buf b = BUF_INIT;
	struct clerk_err err;

	h.subject = "Membership dues 2027";
	h.in_reply_to = "<CAF=x1@mail.example.org> <not valid>";
	h.auto_submitted = AUTO_GENERATED;
	h.reply_to_addr = "styret@fgt.example";
	h.reply_to_name = "Styret i FGT";
	ck_assert_int_eq(compose_header(&h, &b, &err), 0);
	ck_assert_str_eq(b.data,
	    "Date: Mon, 1 Feb 2027 09:30:05 +0100\r\n"
	    "From: Foreningen for Gestaltterapeuter <post@fgt.example>\r\n"
	    "To: Kari Nordmann <kari@example.org>\r\n"
	    "Reply-To: Styret i FGT <styret@fgt.example>\r\n"
	    "Subject: [FGT-2026-0042] Membership dues 2027\r\n"
	    "Message-ID: <20270201093005.a1b2c3@fgt.example>\r\n"
	    "In-Reply-To: <CAF=x1@mail.example.org>\r\n"
	    "References: <first@a.example> <CAF=x1@mail.example.org>\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n");
	/* A digest: no case, no thread; replies go to From. */
	buf_reset(&b);
	h.case_ref = NULL;
	h.in_reply_to = h.references = NULL;
	h.reply_to_addr = h.reply_to_name = NULL;
	h.auto_submitted = AUTO_REPLIED;
	ck_assert_int_eq(compose_header(&h, &b, &err), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "\r\nSubject: Membership dues "
	    "2027\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\r\nReply-To: Foreningen for "
	    "Gestaltterapeuter <post@fgt.example>\r\n"));
	ck_assert_ptr_null(strstr(b.data, "In-Reply-To"));
	ck_assert_ptr_null(strstr(b.data, "References"));
	ck_assert_ptr_nonnull(strstr(b.data, "Auto-Submitted: auto-replied\r\n"));
	/* Refused: a reference with brackets, two Message-IDs, no subject. */
	buf_reset(&b);
	h.case_ref = "FGT]";
	ck_assert_int_eq(compose_header(&h, &b, &err), -1);
	h.case_ref = "FGT-1";
	h.message_id = "<a@b.example> <c@d.example>";
	ck_assert_int_eq(compose_header(&h, &b, &err), -1);
	h.message_id = "<a@b.example>";
	h.subject = NULL;
	ck_assert_int_eq(compose_header(&h, &b, &err), -1);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

/* ---- entities and RFC 3156 ---------------------------------------------- */

static const char body_text[] =
    "Hei Kari,\n"
    "\n"
    "Vi har mottatt søknaden din. Beløp: NOK 1 875,00 = full kontingent.\n"
    "From the board, with a trailing space \n"
    ".\n"
    "Denne linjen er svært lang og inneholder æøå og ÆØÅ mange ganger slik "
    "at den må brytes med myke linjeskift: æøåæøåæøåæøåæøåæøåæøåæøå.\n"
    "-- \n"
    "FGT\n";

START_TEST(entity_text_plain_exact)
{
	struct buf e = BUF_INIT;
	struct clerk_err err;
	char *dec, *want;
	size_t n, hl;
	const char *hdr = "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n";

	ck_assert_int_eq(compose_entity(body_text, NULL, 0, "<a@b.example>",
	    &e, &err), 0);
	hl = strlen(hdr);
	ck_assert_int_eq(strncmp(e.data, hdr, hl), 0);
	assert_lines(e.data, e.len, 76);
	dec = decode(e.data + hl, e.len - hl,
	    MAILMIME_MECHANISM_QUOTED_PRINTABLE, &n);
	want = crlf(body_text);
	ck_assert_str_eq(dec, want);
	free(dec);
	free(want);
	buf_reset(&e);
	ck_assert_int_eq(compose_entity("\xff", NULL, 0, "<a@b.example>", &e,
	    &err), -1);
	ck_assert_uint_eq(e.len, 0);
	buf_free(&e);
}
END_TEST

/* Parses a whole mail with libetpan; the buffer must outlive the tree. */
static struct mailmime *
parse_mail(const struct buf *mail)
{
	struct mailmime *m = NULL;
	size_t idx = 0;

	ck_assert_int_eq(mailmime_parse(mail->data, mail->len, &idx, &m),
	    MAILIMF_NO_ERROR);
	ck_assert_int_eq(m->mm_type, MAILMIME_MESSAGE);
	ck_assert_ptr_nonnull(m->mm_data.mm_message.mm_msg_mime);
	return m;
}

START_TEST(signed_structure_parses_and_part_is_step_a)
{
	struct notice_header h = base_header;
	struct buf part = BUF_INIT, mail = BUF_INIT, again = BUF_INIT;
	struct mailmime *m, *top, *p1, *p2;
	struct clerk_err err;
	struct mailmime_content *ct;
	char *subj, *dec;

	ck_assert_int_eq(compose_entity(body_text, NULL, 0, h.message_id,
	    &part, &err), 0);
	ck_assert_int_eq(compose_signed(&h, part.data, part.len, fake_sig,
	    strlen(fake_sig), "pgp-sha256", &mail, &err), 0);
	assert_lines(mail.data, mail.len, 76);
	m = parse_mail(&mail);
	top = m->mm_data.mm_message.mm_msg_mime;
	assert_type(top, "multipart", "signed");
	ct = top->mm_content_type;
	ck_assert_str_eq(param_value(ct, "protocol"),
	    "application/pgp-signature");
	ck_assert_str_eq(param_value(ct, "micalg"), "pgp-sha256");
	ck_assert_int_eq(clist_count(top->mm_data.mm_multipart.mm_mp_list), 2);
	p1 = child(top, 0);
	p2 = child(top, 1);
	/* What the reader verifies is exactly what was signed. */
	ck_assert_uint_eq(p1->mm_length, part.len);
	ck_assert_int_eq(memcmp(p1->mm_mime_start, part.data, part.len), 0);
	assert_type(p1, "text", "plain");
	assert_type(p2, "application", "pgp-signature");
	ck_assert_ptr_nonnull(strstr(mail.data, "-----BEGIN PGP SIGNATURE-----"
	    "\r\n\r\niHUE"));
	/* The subject a reader sees. */
	subj = header(mail.data, "Subject");
	dec = decode_phrase(subj);
	ck_assert_str_eq(dec, "[FGT-2026-0042] Søknad mottatt – ærlig");
	free(subj);
	free(dec);
	mailmime_free(m);
	/* The same inputs give the same bytes (a resend is identical). */
	ck_assert_int_eq(compose_signed(&h, part.data, part.len, fake_sig,
	    strlen(fake_sig), "pgp-sha256", &again, &err), 0);
	ck_assert_uint_eq(again.len, mail.len);
	ck_assert_int_eq(memcmp(again.data, mail.data, mail.len), 0);
	buf_free(&part);
	buf_free(&mail);
	buf_free(&again);
}
END_TEST

START_TEST(signed_with_attachments)
{
	struct notice_header h = base_header;
	struct buf part = BUF_INIT, mail = BUF_INIT;
	struct mailmime *m, *top, *mixed, *key, *pdf;
	struct mailmime_single_fields *sf;
	struct clerk_err err;
	unsigned char pdfdata[300];
	const char *keytext = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n"
	    "mDMEZ...\n-----END PGP PUBLIC KEY BLOCK-----\n";
	struct attachment atts[2] = {
		{ "application/pgp-keys", "fgt-openpgp.asc", keytext,
		    strlen(keytext) },
		{ "application/pdf", "Faktura 2027 – Ødegård.pdf", pdfdata,
		    sizeof(pdfdata) },
	};
	char *dec;
	size_t i, n;

	for (i = 0; i < sizeof(pdfdata); i++)
		pdfdata[i] = (unsigned char)(255 - i);
	ck_assert_int_eq(compose_entity(body_text, atts, 2, h.message_id,
	    &part, &err), 0);
	assert_lines(part.data, part.len, 76);
	ck_assert_int_eq(compose_signed(&h, part.data, part.len, fake_sig,
	    strlen(fake_sig), "pgp-sha512", &mail, &err), 0);
	m = parse_mail(&mail);
	top = m->mm_data.mm_message.mm_msg_mime;
	assert_type(top, "multipart", "signed");
	ck_assert_int_eq(clist_count(top->mm_data.mm_multipart.mm_mp_list), 2);
	mixed = child(top, 0);
	ck_assert_uint_eq(mixed->mm_length, part.len);
	ck_assert_int_eq(memcmp(mixed->mm_mime_start, part.data, part.len), 0);
	assert_type(mixed, "multipart", "mixed");
	ck_assert_int_eq(clist_count(mixed->mm_data.mm_multipart.mm_mp_list),
	    3);
	assert_type(child(mixed, 0), "text", "plain");
	key = child(mixed, 1);
	pdf = child(mixed, 2);
	assert_type(key, "application", "pgp-keys");
	assert_type(pdf, "application", "pdf");
	sf = mailmime_single_fields_new(key->mm_mime_fields,
	    key->mm_content_type);
	ck_assert_str_eq(sf->fld_disposition_filename, "fgt-openpgp.asc");
	ck_assert_int_eq(sf->fld_encoding->enc_type, MAILMIME_MECHANISM_BASE64);
	mailmime_single_fields_free(sf);
	dec = decode(key->mm_body->dt_data.dt_text.dt_data,
	    key->mm_body->dt_data.dt_text.dt_length, MAILMIME_MECHANISM_BASE64,
	    &n);
	ck_assert_str_eq(dec, keytext);
	free(dec);
	dec = decode(pdf->mm_body->dt_data.dt_text.dt_data,
	    pdf->mm_body->dt_data.dt_text.dt_length, MAILMIME_MECHANISM_BASE64,
	    &n);
	ck_assert_uint_eq(n, sizeof(pdfdata));
	ck_assert_int_eq(memcmp(dec, pdfdata, n), 0);
	free(dec);
	/* The non-ASCII file name goes as RFC 2231. */
	ck_assert_ptr_nonnull(strstr(part.data, "filename*=utf-8''Faktura%202027"
	    "%20%E2%80%93%20%C3%98deg%C3%A5rd.pdf"));
	mailmime_free(m);
	/* Bad attachments are refused. */
	buf_reset(&part);
	atts[1].content_type = "application/pdf; evil=1";
	ck_assert_int_eq(compose_entity(body_text, atts, 2, h.message_id,
	    &part, &err), -1);
	atts[1].content_type = "application/pdf";
	atts[1].filename = "";
	ck_assert_int_eq(compose_entity(body_text, atts, 2, h.message_id,
	    &part, &err), -1);
	ck_assert_uint_eq(part.len, 0);
	buf_free(&part);
	buf_free(&mail);
}
END_TEST

START_TEST(encrypted_structure)
{
	struct notice_header h = base_header;
	struct buf part = BUF_INIT, inner = BUF_INIT, mail = BUF_INIT;
	struct mailmime *m, *top, *ctl, *data, *im;
	struct clerk_err err;
	size_t idx = 0;

	/* The inner multipart/signed entity, as given to the encryption. */
	ck_assert_int_eq(compose_entity(body_text, NULL, 0, h.message_id,
	    &part, &err), 0);
	ck_assert_int_eq(compose_signed_entity(h.message_id, part.data,
	    part.len, fake_sig, strlen(fake_sig), "pgp-sha256", &inner, &err),
	    0);
	ck_assert_int_eq(strncmp(inner.data, "Content-Type: multipart/signed;",
	    31), 0);
	ck_assert_int_eq(mailmime_parse(inner.data, inner.len, &idx, &im),
	    MAILIMF_NO_ERROR);
	top = im->mm_data.mm_message.mm_msg_mime;
	assert_type(top, "multipart", "signed");
	ck_assert_int_eq(clist_count(top->mm_data.mm_multipart.mm_mp_list), 2);
	ck_assert_uint_eq(child(top, 0)->mm_length, part.len);
	mailmime_free(im);
	ck_assert_int_eq(compose_encrypted(&h, fake_cipher,
	    strlen(fake_cipher), &mail, &err), 0);
	assert_lines(mail.data, mail.len, 76);
	m = parse_mail(&mail);
	top = m->mm_data.mm_message.mm_msg_mime;
	assert_type(top, "multipart", "encrypted");
	ck_assert_str_eq(param_value(top->mm_content_type, "protocol"),
	    "application/pgp-encrypted");
	ck_assert_int_eq(clist_count(top->mm_data.mm_multipart.mm_mp_list), 2);
	ctl = child(top, 0);
	data = child(top, 1);
	assert_type(ctl, "application", "pgp-encrypted");
	assert_type(data, "application", "octet-stream");
	ck_assert_int_eq(strncmp(ctl->mm_body->dt_data.dt_text.dt_data,
	    "Version: 1\r\n", 12), 0);
	ck_assert_int_eq(strncmp(data->mm_body->dt_data.dt_text.dt_data,
	    fake_cipher, strlen(fake_cipher)), 0);
	mailmime_free(m);
	buf_free(&part);
	buf_free(&inner);
	buf_free(&mail);
}
END_TEST

START_TEST(wrappers_refuse_bad_input)
{
	struct notice_header h = base_header;
	struct buf part = BUF_INIT, out = BUF_INIT;
	struct clerk_err err;

	ck_assert_int_eq(compose_entity("x\n", NULL, 0, h.message_id, &part,
	    &err), 0);
	ck_assert_int_eq(compose_signed(&h, part.data, part.len, fake_sig,
	    strlen(fake_sig), "sha256", &out, &err), -1);
	ck_assert_int_eq(compose_signed(&h, part.data, part.len, fake_sig,
	    strlen(fake_sig), "pgp-SHA256", &out, &err), -1);
	ck_assert_int_eq(compose_signed(&h, part.data, part.len, "not a sig",
	    9, "pgp-sha256", &out, &err), -1);
	/* The signed bytes must already be what goes on the wire. */
	ck_assert_int_eq(compose_signed(&h, "Content-Type: text/plain\n\nx\n",
	    27, fake_sig, strlen(fake_sig), "pgp-sha256", &out, &err), -1);
	ck_assert_int_eq(compose_signed(&h, "x\r\n\xc3\xa6\r\n", 7, fake_sig,
	    strlen(fake_sig), "pgp-sha256", &out, &err), -1);
	ck_assert_int_eq(compose_encrypted(&h, fake_sig, strlen(fake_sig), &out,
	    &err), -1);
	ck_assert_int_eq(compose_unsigned(&h, "x\n", 2, &out, &err), -1);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_int_eq(compose_unsigned(&h, part.data, part.len, &out, &err),
	    0);
	assert_lines(out.data, out.len, 76);
	buf_free(&part);
	buf_free(&out);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("compose");
	TCase *te = tcase_create("encodings");
	TCase *th = tcase_create("headers");
	TCase *tm = tcase_create("mime");
	SRunner *sr;
	int failed;

	tcase_add_test(te, qp_basic_rules);
	tcase_add_test(te, qp_line_length_edges);
	tcase_add_test(te, qp_multibyte_never_split);
	tcase_add_test(te, base64_lines_and_roundtrip);
	suite_add_tcase(s, te);
	tcase_add_test(th, subject_rfc2047_roundtrip);
	tcase_add_test(th, subject_long_folds_within_limits);
	tcase_add_test(th, mailbox_display_names);
	tcase_add_test(th, date_and_message_ids);
	tcase_add_test(th, outer_header_exact);
	suite_add_tcase(s, th);
	tcase_add_test(tm, entity_text_plain_exact);
	tcase_add_test(tm, signed_structure_parses_and_part_is_step_a);
	tcase_add_test(tm, signed_with_attachments);
	tcase_add_test(tm, encrypted_structure);
	tcase_add_test(tm, wrappers_refuse_bad_input);
	suite_add_tcase(s, tm);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
