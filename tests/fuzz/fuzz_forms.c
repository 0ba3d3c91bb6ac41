/* libFuzzer target: the forms parser on arbitrary bytes, with the real
 * table (workflows/forms/labels.tsv), and the table loader on the same
 * bytes. Besides crashes and sanitizer reports it checks what forms.h
 * promises about every result: clean UTF-8 strings, normalised values in
 * their documented shapes, a known language.
 *
 * Not built by make (it needs clang's libFuzzer). From the source tree:
 *
 *   clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -Iinclude \
 *       tests/fuzz/fuzz_forms.c daemon/forms.c daemon/buf.c \
 *       daemon/xmalloc.c daemon/error.c -o /tmp/fuzz_forms
 *   mkdir -p /tmp/fuzz_forms_corpus
 *   CLERK_SRCDIR=$PWD /tmp/fuzz_forms -max_total_time=60 -max_len=4096 \
 *       /tmp/fuzz_forms_corpus
 *
 * (libclang-rt-14-dev provides the fuzzer runtime on Debian 12.) The table
 * is read from $CLERK_SRCDIR/workflows/forms/labels.tsv, "." if unset. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "forms.h"
#include "xmalloc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct forms_table *table;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_forms: %s:%d: %s\n", __FILE__, \
		    __LINE__, #cond); \
		abort(); \
	} \
} while (0)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("CLERK_SRCDIR");
	char *path, chunk[4096];
	struct buf b = BUF_INIT;
	struct clerk_err err;
	FILE *fp;
	size_t n;

	(void)argc;
	(void)argv;
	path = xasprintf("%s/workflows/forms/labels.tsv", dir ? dir : ".");
	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "fuzz_forms: cannot read %s\n", path);
		exit(1);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	if (forms_table_load(buf_str(&b), b.len, path, &table, &err) == -1) {
		fprintf(stderr, "fuzz_forms: %s\n", err.msg);
		exit(1);
	}
	buf_free(&b);
	free(path);
	return 0;
}

/* Strict UTF-8 with no control character but, where allowed, '\n'. */
static int
clean(const char *s, int newlines)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	int len, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			if ((*p < 0x20 && !(newlines && *p == '\n')) ||
			    *p == 0x7F)
				return 0;
			p++;
			continue;
		}
		if (*p >= 0xC2 && *p <= 0xDF)
			len = 2, c = *p & 0x1F;
		else if (*p >= 0xE0 && *p <= 0xEF)
			len = 3, c = *p & 0x0F;
		else if (*p >= 0xF0 && *p <= 0xF4)
			len = 4, c = *p & 0x07;
		else
			return 0;
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (p[i] & 0x3F);
		}
		if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
		    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) ||
		    (c >= 0x80 && c < 0xA0))
			return 0;
		p += len;
	}
	return 1;
}

/* "0" or [1-9][0-9]* with an optional ".d" or ".dd" not ending in 0. */
static int
decimal(const char *s, size_t maxint)
{
	size_t i = 0, f = 0;

	if (s[0] == '0' && s[1] != '.' && s[1] != '\0')
		return 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0 || i > maxint)
		return 0;
	if (s[i] == '\0')
		return 1;
	if (s[i++] != '.')
		return 0;
	while (s[i + f] >= '0' && s[i + f] <= '9')
		f++;
	return f >= 1 && f <= 2 && s[i + f] == '\0' && s[i + f - 1] != '0';
}

static int
date(const char *s)
{
	size_t i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	return strcmp(s, "1900-01-01") >= 0 && strcmp(s, "2199-12-31") <= 0;
}

static int
one_of(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

/* A value kept raw (norm NULL) must come with a problem on its line. */
static int
has_problem(const struct form *f, const struct form_field *ff)
{
	size_t i;

	for (i = 0; i < f->nproblems; i++)
		if ((f->problems[i].kind == FORM_PROBLEM_BAD_VALUE ||
		    f->problems[i].kind == FORM_PROBLEM_UNKNOWN_FORM) &&
		    f->problems[i].line == ff->line &&
		    strcmp(f->problems[i].field, ff->field) == 0)
			return 1;
	return 0;
}

static void
check_field(const struct form *f, const struct form_field *ff)
{
	static const char *const yn[] = { "yes", "no", NULL };
	static const char *const sick[] = { "none", "partial", "full", NULL };
	static const char *const gr[] = { "procedure", "unreasonable",
	    "procedure,unreasonable", NULL };
	int type;

	CHECK(ff->label != NULL && ff->value != NULL);
	CHECK(clean(ff->label, 0) && ff->label[0] != '\0');
	type = ff->field != NULL ? forms_field_type(table, ff->field) : -1;
	CHECK(ff->field == NULL || type >= 0);
	CHECK(clean(ff->value, type == FORM_TYPE_MULTILINE));
	CHECK(ff->value[0] == '\0' || (ff->value[0] != ' ' &&
	    ff->value[strlen(ff->value) - 1] != ' ' &&
	    ff->value[strlen(ff->value) - 1] != '\n') ||
	    type == FORM_TYPE_MULTILINE);
	if (ff->norm == NULL) {
		CHECK(type != FORM_TYPE_YESNO || ff->value[0] != '\0');
		CHECK(ff->value[0] == '\0' || ff->field == NULL ||
		    has_problem(f, ff));
		return;
	}
	CHECK(ff->field == NULL || !has_problem(f, ff));
	CHECK(clean(ff->norm, type == FORM_TYPE_MULTILINE));
	switch (type) {
	case FORM_TYPE_HOURS:
		CHECK(decimal(ff->norm, 4));
		break;
	case FORM_TYPE_AMOUNT:
		CHECK(decimal(ff->norm, 9));
		break;
	case FORM_TYPE_DATE:
		CHECK(date(ff->norm));
		break;
	case FORM_TYPE_YEAR:
		CHECK(strlen(ff->norm) == 4);
		break;
	case FORM_TYPE_YESNO:
		CHECK(one_of(ff->norm, yn));
		break;
	case FORM_TYPE_SICK_LEAVE:
		CHECK(one_of(ff->norm, sick));
		break;
	case FORM_TYPE_GROUNDS:
		CHECK(one_of(ff->norm, gr));
		break;
	case FORM_TYPE_EMAIL:
		CHECK(strchr(ff->norm, '@') != NULL);
		break;
	case FORM_TYPE_FORM:
		CHECK(forms_form_label(table, ff->norm, "en") != NULL);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const langs[] = { "en", "nb", "da", "nl", NULL };
	static const char *const extra[] = { "attest", "c2|c2_certified",
	    "", NULL };
	const char *text = (const char *)data;
	struct forms_table *t = NULL;
	struct clerk_err err;
	struct form *f = NULL;
	char **missing = NULL;
	size_t i, n;

	forms_parse(table, text, size, &f);
	CHECK(f != NULL);
	CHECK(f->lang == NULL || one_of(f->lang, langs));
	CHECK(f->name == NULL || forms_form_label(table, f->name, "en"));
	CHECK(f->name == NULL || f->lang != NULL);
	for (i = 0; i < f->nfields; i++) {
		check_field(f, &f->fields[i]);
		if (f->fields[i].field != NULL)
			CHECK(forms_field(f, f->fields[i].field) != NULL);
	}
	for (i = 0; i < f->nproblems; i++) {
		CHECK(f->problems[i].field != NULL);
		CHECK(clean(f->problems[i].message, 0));
		CHECK(forms_field_type(table, f->problems[i].field) >= 0);
	}
	n = forms_missing_required(table, f, extra, &missing);
	CHECK(missing != NULL && missing[n] == NULL);
	for (i = 0; i < n; i++)
		CHECK(missing[i][0] != '\0');
	forms_strv_free(missing);
	form_free(f);

	err_clear(&err);
	if (forms_table_load(text, size, "fuzz", &t, &err) == 0) {
		CHECK(t != NULL);
		forms_parse(t, text, size, &f);
		form_free(f);
		forms_table_free(t);
	} else {
		CHECK(t == NULL);
		CHECK(strncmp(err.msg, "fuzz:", 5) == 0);
	}
	return 0;
}
