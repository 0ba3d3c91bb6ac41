/* Unit tests of notice templates: the loader's checks (each kind of error
 * with file:line, all of them listed), rendering, the language formats,
 * and every real template in every language. */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "langfmt.h"
#include "template.h"
#include "tvars.h"
#include "utf8.h"
#include "xmalloc.h"

#ifndef CLERK_SRCDIR_DEFAULT
#define CLERK_SRCDIR_DEFAULT "."
#endif

/* ---- a scratch workflows directory ------------------------------------- */

static char tmpdir[64];

static void
write_file(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, rel), *p;
	FILE *f;

	for (p = path + strlen(tmpdir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			ck_abort_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
	free(path);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char registry[] =
    "# test registry\n"
    "name\ttext\tthe recipient's name\n"
    "case_ref text the case reference\n"
    "deadline date the deadline\n"
    "amount amount an amount\n"
    "currency text the currency\n"
    "missing list the items still missing\n"
    "urgent flag whether it is urgent\n"
    "note text an optional note\n";

static const char en_conf[] =
    "name = English\n"
    "months = January February March April May June July August "
    "September October November December\n"
    "date = {d} {month} {yyyy}\n"
    "decimal = .\n"
    "thousands = ,\n"
    "amount = {currency} {number}\n";

static const char nb_conf[] =
    "# Norwegian\n"
    "name = norsk bokmål\n"
    "months = januar februar mars april mai juni juli august september "
    "oktober november desember\n"
    "date = {d}. {month} {yyyy}\n"
    "decimal = ,\n"
    "thousands = \" \"\n"
    "amount = {currency} {number}\n";

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/clerk-tpl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	write_file("templates/variables.txt", registry);
	write_file("languages/en.conf", en_conf);
	write_file("languages/nb.conf", nb_conf);
}

static void
teardown(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *const en_nb[] = { "en", "nb", NULL };
static const char *const en_only[] = { "en", NULL };

/* Loads the scratch dir; returns the diagnostics (caller frees). */
static char *
load_fail(const char *const *langs, int *nlines, struct clerk_err *err)
{
	struct template_set *set = NULL;
	struct buf d = BUF_INIT;
	const char *p;

	ck_assert_int_eq(templates_load_dir(tmpdir, langs, &set, &d, err), -1);
	ck_assert_ptr_null(set);
	*nlines = 0;
	for (p = buf_str(&d); *p; p++)
		if (*p == '\n')
			(*nlines)++;
	return buf_steal(&d);
}

static struct template_set *
load_ok(const char *const *langs)
{
	struct template_set *set = NULL;
	struct buf d = BUF_INIT;
	struct clerk_err err;

	err_clear(&err);
	if (templates_load_dir(tmpdir, langs, &set, &d, &err) == -1)
		ck_abort_msg("load failed: %s\n%s", err.msg, buf_str(&d));
	buf_free(&d);
	return set;
}

/* Asserts that diag holds "<tmpdir>/<rel>:<line>: <msg...>". */
static void
assert_diag(const char *diag, const char *rel, int line, const char *msg)
{
	char *want = xasprintf("%s/%s:%d: %s", tmpdir, rel, line, msg);

	ck_assert_msg(strstr(diag, want) != NULL, "want \"%s\" in:\n%s", want,
	    diag);
	free(want);
}

/* ---- loader errors ------------------------------------------------------ */

START_TEST(load_minimal_and_render)
{
	struct template_set *set;
	struct tvars tv = TVARS_INIT;
	struct rendered r;
	struct clerk_err err;

	write_file("templates/en/hello.txt", "Subject: Hello {{name}}\n\n"
	    "Dear {{name}},\nsee you.\n\n\n");
	write_file("templates/nb/hello.txt", "Subject: Hei {{name}}\n\n"
	    "Hei {{name}},\nvi ses.\n");
	set = load_ok(en_nb);
	ck_assert_int_eq(template_exists(set, "hello"), 1);
	ck_assert_int_eq(template_exists(set, "bye"), 0);
	tvars_set_text(&tv, "name", "Kari");
	ck_assert_int_eq(template_render(set, "hello", "nb", &tv, &r, &err), 0);
	ck_assert_str_eq(r.subject, "Hei Kari");
	ck_assert_str_eq(r.body, "Hei Kari,\nvi ses.\n");
	rendered_free(&r);
	/* Trailing blank lines go; the body ends with one LF. */
	ck_assert_int_eq(template_render(set, "hello", "en", &tv, &r, &err), 0);
	ck_assert_str_eq(r.body, "Dear Kari,\nsee you.\n");
	rendered_free(&r);
	tvars_free(&tv);
	template_set_free(set);
}
END_TEST

START_TEST(load_unknown_variable)
{
	struct clerk_err err;
	char *d;
	int n;

	write_file("templates/en/a.txt", "Subject: A\n\nHello {{name}},\n"
	    "your {{nosuch}} is here.\n");
	d = load_fail(en_only, &n, &err);
	assert_diag(d, "templates/en/a.txt", 4, "unknown variable 'nosuch'");
	ck_assert_int_eq(n, 1);
	ck_assert_msg(strstr(err.msg, "1 problem in the templates") != NULL,
	    "%s", err.msg);
	ck_assert_int_eq(err.temporary, 0);
	free(d);
}
END_TEST

START_TEST(load_formatter_wrong_type)
{
	struct clerk_err err;
	char *d;
	int n;

	write_file("templates/en/a.txt", "Subject: A {{date name}}\n\n"
	    "{{amount deadline}}\n"
	    "{{deadline}} {{urgent}} {{missing}}\n"
	    "{{list name}}\n"
	    "{{#if deadline}}x{{/if}}\n"
	    "{{upper name}} {{date}} {{name extra words}}\n");
	d = load_fail(en_only, &n, &err);
	assert_diag(d, "templates/en/a.txt", 1,
	    "formatter 'date' applied to 'name', which is a text");
	assert_diag(d, "templates/en/a.txt", 3,
	    "formatter 'amount' applied to 'deadline', which is a date");
	assert_diag(d, "templates/en/a.txt", 4,
	    "'deadline' is a date: write {{date ...}}");
	assert_diag(d, "templates/en/a.txt", 4,
	    "'urgent' is a flag: write it in {{#if}} or {{#unless}}");
	assert_diag(d, "templates/en/a.txt", 4,
	    "'missing' is a list: write {{list ...}}");
	assert_diag(d, "templates/en/a.txt", 5,
	    "formatter 'list' applied to 'name', which is a text");
	assert_diag(d, "templates/en/a.txt", 6,
	    "section on 'deadline', a date: sections test a flag, a list, a "
	    "text or an amount");
	assert_diag(d, "templates/en/a.txt", 7, "unknown formatter 'upper'");
	assert_diag(d, "templates/en/a.txt", 7, "'{{date}}' needs a variable");
	assert_diag(d, "templates/en/a.txt", 7, "malformed tag");
	ck_assert_int_eq(n, 10);
	free(d);
}
END_TEST

START_TEST(load_unbalanced_sections)
{
	struct clerk_err err;
	char *d;
	int n;

	write_file("templates/en/open.txt", "Subject: A\n\nline\n"
	    "{{#if urgent}}\nurgent\n");
	write_file("templates/en/close.txt", "Subject: A\n\nline\n{{/if}}\n");
	write_file("templates/en/cross.txt", "Subject: A\n\n"
	    "{{#if urgent}}\nx\n{{/unless}}\n");
	write_file("templates/en/subj.txt", "Subject: A {{#if urgent}}!\n\n"
	    "{{#if urgent}}x{{/if}}\n");
	d = load_fail(en_only, &n, &err);
	assert_diag(d, "templates/en/open.txt", 4, "{{#if}} is never closed");
	assert_diag(d, "templates/en/close.txt", 4,
	    "{{/if}} without an open section");
	assert_diag(d, "templates/en/cross.txt", 5,
	    "{{/unless}} closes {{#if}} opened on line 3");
	assert_diag(d, "templates/en/subj.txt", 1,
	    "{{#if}} is never closed in the Subject");
	ck_assert_int_eq(n, 4);
	free(d);
}
END_TEST

START_TEST(load_missing_subject_and_shape)
{
	struct clerk_err err;
	char *d;
	int n;

	write_file("templates/en/nosubj.txt", "Hello {{name}}\n\nbody\n");
	write_file("templates/en/noblank.txt", "Subject: A\nbody\n");
	write_file("templates/en/empty.txt", "Subject:   \n\nbody\n");
	write_file("templates/en/nobody.txt", "Subject: A\n");
	write_file("templates/en/broken.txt", "Subject: A\n\n"
	    "{{name\n{{list missing}} inline\n");
	write_file("templates/en/Bad-Name.txt", "Subject: A\n\nb\n");
	write_file("templates/en/backup.txt~", "not a template");
	d = load_fail(en_only, &n, &err);
	assert_diag(d, "templates/en/nosubj.txt", 1,
	    "the first line must be 'Subject: ...'");
	assert_diag(d, "templates/en/noblank.txt", 2,
	    "the Subject line must be followed by a blank line");
	assert_diag(d, "templates/en/empty.txt", 1, "empty Subject");
	assert_diag(d, "templates/en/nobody.txt", 2,
	    "no body after the Subject line");
	assert_diag(d, "templates/en/broken.txt", 3, "'{{' without '}}'");
	assert_diag(d, "templates/en/broken.txt", 4,
	    "{{list missing}} must stand alone on its line");
	assert_diag(d, "templates/en/Bad-Name.txt", 0, "bad notice name");
	ck_assert_int_eq(n, 7);
	free(d);
}
END_TEST

START_TEST(load_notice_missing_in_a_language)
{
	struct clerk_err err;
	char *d;
	int n;

	write_file("templates/en/both.txt", "Subject: A\n\nb\n");
	write_file("templates/nb/both.txt", "Subject: A\n\nb\n");
	write_file("templates/en/only_en.txt", "Subject: A\n\nb\n");
	write_file("templates/nb/only_nb.txt", "Subject: A\n\nb\n");
	/* A language that is not configured is not looked at. */
	write_file("templates/da/only_da.txt", "Subject: A\n\n{{nosuch}}\n");
	d = load_fail(en_nb, &n, &err);
	assert_diag(d, "templates/en/only_en.txt", 1,
	    "notice 'only_en' has no template in language 'nb'");
	assert_diag(d, "templates/nb/only_nb.txt", 1,
	    "notice 'only_nb' has no template in language 'en'");
	ck_assert_int_eq(n, 2);
	free(d);
}
END_TEST

START_TEST(load_lists_all_errors_across_files)
{
	struct clerk_err err;
	char *d;
	int n;

	/* Registry and language problems are listed with the rest. */
	write_file("templates/variables.txt", "name text the name\n"
	    "name text again\n"
	    "Bad text a bad name\n"
	    "when time not a type\n"
	    "lonely text\n");
	write_file("languages/nb.conf", "name = norsk\nmonths = a b c\n"
	    "colour = blue\ndate = {d} {weekday} {yyyy}\n");
	write_file("templates/en/a.txt", "Subject: {{x}}\n\n{{y}}\n");
	write_file("templates/nb/a.txt", "no subject\n");
	write_file("templates/en/b.txt", "Subject: B\n\n{{#unless name}}\n");
	d = load_fail(en_nb, &n, &err);
	assert_diag(d, "templates/variables.txt", 2, "name: declared twice");
	assert_diag(d, "templates/variables.txt", 3, "bad variable name 'Bad'");
	assert_diag(d, "templates/variables.txt", 4,
	    "when: type 'time' is not one of");
	assert_diag(d, "templates/variables.txt", 5,
	    "lonely: a one-line meaning is required");
	assert_diag(d, "languages/nb.conf", 2, "months: 3 names, need 12");
	assert_diag(d, "languages/nb.conf", 3, "unknown key 'colour'");
	assert_diag(d, "languages/nb.conf", 4,
	    "date: unknown token '{weekday}'");
	assert_diag(d, "languages/nb.conf", 4,
	    "date: needs a day, a month and {yyyy}");
	assert_diag(d, "languages/nb.conf", 0, "missing key 'decimal'");
	assert_diag(d, "templates/en/a.txt", 1, "unknown variable 'x'");
	assert_diag(d, "templates/en/a.txt", 3, "unknown variable 'y'");
	assert_diag(d, "templates/nb/a.txt", 1, "the first line must be");
	assert_diag(d, "templates/en/b.txt", 3, "{{#unless}} is never closed");
	assert_diag(d, "templates/en/b.txt", 1,
	    "notice 'b' has no template in language 'nb'");
	/* decimal, thousands, amount missing: three lines, one each. */
	ck_assert_int_eq(n, 16);
	ck_assert_msg(strstr(err.msg, "16 problems") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "variables.txt:2: name: declared twice")
	    != NULL, "%s", err.msg);
	free(d);
}
END_TEST

START_TEST(load_missing_files)
{
	struct clerk_err err;
	static const char *const en_xx[] = { "en", "xx", NULL };
	char *d;
	int n;

	write_file("templates/en/a.txt", "Subject: A\n\nb\n");
	d = load_fail(en_xx, &n, &err);
	assert_diag(d, "languages/xx.conf", 0, "cannot open");
	ck_assert_msg(strstr(d, "templates/xx:0: cannot open the template "
	    "directory of language 'xx'") != NULL, "%s", d);
	ck_assert_msg(strstr(d, "notice 'a' has no template in language 'xx'")
	    != NULL, "%s", d);
	free(d);
	d = xasprintf("%s/templates/variables.txt", tmpdir);
	ck_assert_int_eq(remove(d), 0);
	free(d);
	d = load_fail(en_only, &n, &err);
	assert_diag(d, "templates/variables.txt", 0, "cannot open");
	free(d);
}
END_TEST

/* ---- rendering ---------------------------------------------------------- */

START_TEST(render_sections_lists_and_formats)
{
	struct template_set *set;
	struct tvars tv = TVARS_INIT;
	struct rendered r;
	struct clerk_err err;
	struct cal_date d = { 2027, 5, 17 };

	write_file("templates/en/t.txt",
	    "Subject: {{#if urgent}}Urgent: {{/if}}Case {{case_ref}}\n\n"
	    "Dear {{name}},\n"
	    "{{#if missing}}\n"
	    "We still need:\n"
	    "  {{list missing}}\n"
	    "{{/if}}\n"
	    "{{#unless missing}}\n"
	    "Nothing is missing.\n"
	    "{{/unless}}\n"
	    "Pay {{amount amount}} by {{date deadline}}.{{#if note}} Note: {{note}}{{/if}}\n"
	    "  {{#if urgent}}  \n"
	    "Hurry{{#unless note}} up{{/unless}}.\n"
	    "{{/if}}\n"
	    "Bye.\n");
	write_file("templates/nb/t.txt", "Subject: Sak {{case_ref}}\n\n"
	    "{{date deadline}} {{amount amount}}"
	    "{{#unless amount}} (ingenting){{/unless}}\n");
	set = load_ok(en_nb);
	tvars_set_text(&tv, "name", "Kari");
	tvars_set_text(&tv, "case_ref", "FGT-2026-0042");
	tvars_set_date(&tv, "deadline", d);
	tvars_set_amount(&tv, "amount", 187500);
	tvars_set_text(&tv, "currency", "NOK");
	tvars_list_add(&tv, "missing", "signature");
	tvars_list_add(&tv, "missing", "diploma,\ntwo lines");
	tvars_set_flag(&tv, "urgent", 1);
	tvars_set_text(&tv, "note", "");
	ck_assert_int_eq(template_render(set, "t", "en", &tv, &r, &err), 0);
	ck_assert_str_eq(r.subject, "Urgent: Case FGT-2026-0042");
	ck_assert_str_eq(r.body,
	    "Dear Kari,\n"
	    "We still need:\n"
	    "  - signature\n"
	    "  - diploma,\n"
	    "    two lines\n"
	    "Pay NOK 1,875.00 by 17 May 2027.\n"
	    "Hurry up.\n"
	    "Bye.\n");
	rendered_free(&r);
	/* The other branch: no list items, no flag, a note. */
	tvars_set_list(&tv, "missing");
	tvars_set_flag(&tv, "urgent", 0);
	tvars_set_text(&tv, "note", "see\r\nbelow");
	ck_assert_int_eq(template_render(set, "t", "en", &tv, &r, &err), 0);
	ck_assert_str_eq(r.subject, "Case FGT-2026-0042");
	ck_assert_str_eq(r.body,
	    "Dear Kari,\n"
	    "Nothing is missing.\n"
	    "Pay NOK 1,875.00 by 17 May 2027. Note: see\nbelow\n"
	    "Bye.\n");
	rendered_free(&r);
	ck_assert_int_eq(template_render(set, "t", "nb", &tv, &r, &err), 0);
	ck_assert_str_eq(r.body, "17. mai 2027 NOK 1 875,00\n");
	rendered_free(&r);
	/* A section on an amount tests for zero. */
	tvars_set_amount(&tv, "amount", 0);
	ck_assert_int_eq(template_render(set, "t", "nb", &tv, &r, &err), 0);
	ck_assert_str_eq(r.body, "17. mai 2027 NOK 0,00 (ingenting)\n");
	rendered_free(&r);
	tvars_free(&tv);
	template_set_free(set);
}
END_TEST

START_TEST(render_missing_variable_is_an_error)
{
	struct template_set *set;
	struct tvars tv = TVARS_INIT;
	struct rendered r;
	struct clerk_err err;

	write_file("templates/en/t.txt", "Subject: {{case_ref}}\n\n"
	    "Dear {{name}}, {{name}}\n"
	    "{{#if urgent}}\n{{amount amount}}\n{{/if}}\n");
	set = load_ok(en_only);
	ck_assert_int_eq(template_render(set, "t", "en", &tv, &r, &err), -1);
	ck_assert_str_eq(err.msg,
	    "notice 't' (en): no value for case_ref, name, urgent");
	ck_assert_ptr_null(r.subject);
	ck_assert_ptr_null(r.body);
	/* Variables in a skipped section are not needed... */
	tvars_set_text(&tv, "case_ref", "X-1");
	tvars_set_text(&tv, "name", "N");
	tvars_set_flag(&tv, "urgent", 0);
	ck_assert_int_eq(template_render(set, "t", "en", &tv, &r, &err), 0);
	rendered_free(&r);
	/* ...but are once it is taken (currency comes with an amount). */
	tvars_set_flag(&tv, "urgent", 1);
	ck_assert_int_eq(template_render(set, "t", "en", &tv, &r, &err), -1);
	ck_assert_str_eq(err.msg,
	    "notice 't' (en): no value for amount, currency");
	/* A value of the wrong type is refused. */
	tvars_set_text(&tv, "amount", "12");
	ck_assert_int_eq(template_render(set, "t", "en", &tv, &r, &err), -1);
	ck_assert_str_eq(err.msg, "notice 't' (en): 'amount' is of type amount "
	    "in variables.txt but was given as text");
	/* Negative amounts and bad currencies too. */
	tvars_set_amount(&tv, "amount", -5);
	tvars_set_text(&tv, "currency", "NOK");
	ck_assert_int_eq(template_render(set, "t", "en", &tv, &r, &err), -1);
	ck_assert_msg(strstr(err.msg, "negative amount") != NULL, "%s",
	    err.msg);
	tvars_set_amount(&tv, "amount", 5);
	tvars_set_text(&tv, "currency", "kr");
	ck_assert_int_eq(template_render(set, "t", "en", &tv, &r, &err), -1);
	ck_assert_msg(strstr(err.msg, "bad currency code 'kr'") != NULL, "%s",
	    err.msg);
	/* Text that is not UTF-8. */
	tvars_set_text(&tv, "currency", "NOK");
	tvars_set_text(&tv, "name", "\xff\xfe");
	ck_assert_int_eq(template_render(set, "t", "en", &tv, &r, &err), -1);
	ck_assert_str_eq(err.msg, "notice 't' (en): 'name' is not valid UTF-8");
	/* Unknown notice, unknown language. */
	ck_assert_int_eq(template_render(set, "nope", "en", &tv, &r, &err), -1);
	ck_assert_int_eq(template_render(set, "t", "nb", &tv, &r, &err), -1);
	ck_assert_msg(strstr(err.msg, "not configured") != NULL, "%s", err.msg);
	tvars_free(&tv);
	template_set_free(set);
}
END_TEST

START_TEST(render_subject_stays_one_line)
{
	struct template_set *set;
	struct tvars tv = TVARS_INIT;
	struct rendered r;
	struct clerk_err err;

	write_file("templates/en/t.txt", "Subject:  About {{note}} \n\n"
	    "{{note}}\n");
	set = load_ok(en_only);
	tvars_set_text(&tv, "note", "two\r\nlines\tand\x01more ");
	ck_assert_int_eq(template_render(set, "t", "en", &tv, &r, &err), 0);
	ck_assert_str_eq(r.subject, "About two lines and more");
	ck_assert_str_eq(r.body, "two\nlines\tand\x01more \n");
	rendered_free(&r);
	tvars_free(&tv);
	template_set_free(set);
}
END_TEST

static void
collect_var(const char *var, enum tvar_type type, void *arg)
{
	struct buf *b = arg;

	buf_printf(b, "%s:%s ", var, tvar_type_name(type));
}

START_TEST(queries_and_language_choice)
{
	struct template_set *set;
	struct buf b = BUF_INIT;
	enum tvar_type type;

	write_file("templates/en/t.txt", "Subject: {{case_ref}}\n\n"
	    "{{amount amount}}{{#if urgent}}!{{/if}}\n");
	write_file("templates/nb/t.txt", "Subject: {{case_ref}}\n\n"
	    "{{amount amount}} {{name}}\n");
	set = load_ok(en_nb);
	ck_assert_int_eq(template_each_var(set, "t", collect_var, &b), 0);
	ck_assert_str_eq(buf_str(&b), "name:text case_ref:text amount:amount "
	    "currency:text urgent:flag ");
	ck_assert_int_eq(template_each_var(set, "none", collect_var, &b), -1);
	ck_assert_int_eq(template_var_type(set, "deadline", &type), 0);
	ck_assert_int_eq(type, TVAR_DATE);
	ck_assert_int_eq(template_var_type(set, "nosuch", &type), -1);
	ck_assert_str_eq(template_pick_lang(set, "nb", "en"), "nb");
	ck_assert_str_eq(template_pick_lang(set, "da", "en"), "en");
	ck_assert_str_eq(template_pick_lang(set, NULL, "nb"), "nb");
	ck_assert_ptr_nonnull(template_lang(set, "nb"));
	ck_assert_ptr_null(template_lang(set, "da"));
	buf_free(&b);
	template_set_free(set);
}
END_TEST

/* ---- language formats --------------------------------------------------- */

static struct lang langs4[4];
static const char *const codes4[] = { "en", "nb", "da", "nl" };

static const char *
srcdir(void)
{
	const char *s = getenv("CLERK_SRCDIR");

	return s && *s ? s : CLERK_SRCDIR_DEFAULT;
}

static void
load_real_langs(void)
{
	int i;

	for (i = 0; i < 4; i++) {
		struct buf text = BUF_INIT, d = BUF_INIT;
		char *path = xasprintf("%s/workflows/languages/%s.conf",
		    srcdir(), codes4[i]);
		FILE *f = fopen(path, "rb");
		char chunk[4096];
		size_t n;

		ck_assert_msg(f != NULL, "cannot open %s", path);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(&text, chunk, n);
		fclose(f);
		ck_assert_msg(lang_parse(path, codes4[i], buf_str(&text),
		    text.len, &langs4[i], &d) == 0, "%s", buf_str(&d));
		buf_free(&text);
		buf_free(&d);
		free(path);
	}
}

static void
free_real_langs(void)
{
	int i;

	for (i = 0; i < 4; i++)
		lang_free(&langs4[i]);
}

static void
assert_date(int li, int y, int m, int d, const char *want)
{
	struct buf b = BUF_INIT;
	struct clerk_err err;
	struct cal_date cd = { y, m, d };

	ck_assert_int_eq(lang_format_date(&langs4[li], cd, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), want);
	buf_free(&b);
}

START_TEST(date_formats_in_four_languages)
{
	struct buf b = BUF_INIT;
	struct clerk_err err;
	struct cal_date bad = { 2027, 2, 29 };

	assert_date(0, 2027, 2, 1, "1 February 2027");
	assert_date(1, 2027, 2, 1, "1. februar 2027");
	assert_date(2, 2027, 2, 1, "1. februar 2027");
	assert_date(3, 2027, 2, 1, "1 februari 2027");
	assert_date(0, 2026, 5, 17, "17 May 2026");
	assert_date(1, 2026, 5, 17, "17. mai 2026");
	assert_date(2, 2026, 5, 17, "17. maj 2026");
	assert_date(3, 2026, 5, 17, "17 mei 2026");
	assert_date(2, 2026, 3, 31, "31. marts 2026");
	assert_date(3, 2026, 3, 31, "31 maart 2026");
	assert_date(1, 2028, 12, 31, "31. desember 2028");
	assert_date(3, 2028, 10, 3, "3 oktober 2028");
	assert_date(0, 2028, 2, 29, "29 February 2028");
	ck_assert_int_eq(lang_format_date(&langs4[0], bad, &b, &err), -1);
	ck_assert_str_eq(err.msg, "invalid date 2027-02-29");
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

static void
assert_amount(int li, long long minor, const char *cur, const char *want)
{
	struct buf b = BUF_INIT;
	struct clerk_err err;

	ck_assert_int_eq(lang_format_amount(&langs4[li], minor, cur, &b, &err),
	    0);
	ck_assert_str_eq(buf_str(&b), want);
	buf_free(&b);
}

START_TEST(amount_formats_in_four_languages)
{
	struct buf b = BUF_INIT;
	struct clerk_err err;

	assert_amount(0, 0, "NOK", "NOK 0.00");
	assert_amount(1, 0, "NOK", "NOK 0,00");
	assert_amount(1, 5, "NOK", "NOK 0,05");
	assert_amount(2, 12500, "DKK", "DKK 125,00");
	assert_amount(3, 3400, "EUR", "EUR 34,00");
	assert_amount(0, 187500, "NOK", "NOK 1,875.00");
	assert_amount(1, 187500, "NOK", "NOK 1 875,00");
	assert_amount(2, 187500, "DKK", "DKK 1.875,00");
	assert_amount(3, 187500, "EUR", "EUR 1.875,00");
	assert_amount(1, 100000, "NOK", "NOK 1 000,00");
	assert_amount(1, 99999, "NOK", "NOK 999,99");
	assert_amount(0, 123456789, "SEK", "SEK 1,234,567.89");
	ck_assert_int_eq(lang_format_amount(&langs4[1], -1, "NOK", &b, &err),
	    -1);
	ck_assert_str_eq(err.msg, "negative amount -1 refused");
	ck_assert_int_eq(lang_format_amount(&langs4[1], 1, "nok", &b, &err),
	    -1);
	ck_assert_int_eq(lang_format_amount(&langs4[1], 1, "NOKK", &b, &err),
	    -1);
	ck_assert_int_eq(lang_format_amount(&langs4[1], 1, NULL, &b, &err), -1);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

/* ---- the real templates ------------------------------------------------- */

/* The notices the membership service needs (issue 6). */
static const char *const notices[] = {
	"application_received", "application_missing", "application_reminder",
	"application_closed", "application_to_secretary",
	"application_welcome", "application_rejected", "dues_invoice",
	"dues_reminder", "dues_insurance_lapsed", "dues_removed",
	"resignation_received", "resignation_waiting_dues",
	"resignation_effective", "diploma_reminder", "diploma_accepted",
	"command_receipt", "command_refused", "digest",
	"complaint_not_encrypted", "quarantine_notice", "dues_receipt",
	"diploma_to_secretary", "diploma_rejected", "diploma_overdue",
	"diploma_extended", NULL
};
#define NNOTICES 26

struct fill {
	struct tvars	*tv;
	int		 on;	/* flags on and lists full, or off and empty */
	const char	*skip;	/* leave this one out */
};

static void
fill_var(const char *var, enum tvar_type type, void *arg)
{
	struct fill *f = arg;
	struct cal_date d = { 2027, 5, 17 };
	char *s;

	if (f->skip && strcmp(var, f->skip) == 0)
		return;
	switch (type) {
	case TVAR_TEXT:
		s = strcmp(var, "currency") == 0 ? xstrdup("NOK") :
		    xasprintf("<%s:Ærlig Øre>", var);
		tvars_set_text(f->tv, var, s);
		free(s);
		break;
	case TVAR_DATE:
		tvars_set_date(f->tv, var, d);
		break;
	case TVAR_AMOUNT:
		tvars_set_amount(f->tv, var, f->on ? 187500 : 0);
		break;
	case TVAR_LIST:
		tvars_set_list(f->tv, var);
		if (f->on) {
			s = xasprintf("<%s item 1>", var);
			tvars_list_add(f->tv, var, s);
			free(s);
			tvars_list_add(f->tv, var, "second item");
		}
		break;
	case TVAR_FLAG:
		tvars_set_flag(f->tv, var, f->on);
		break;
	}
}

static struct template_set *
load_real(void)
{
	struct template_set *set = NULL;
	struct buf d = BUF_INIT;
	struct clerk_err err;
	char *root = xasprintf("%s/workflows", srcdir());
	static const char *const all[] = { "en", "nb", "da", "nl", NULL };

	if (templates_load_dir(root, all, &set, &d, &err) == -1)
		ck_abort_msg("real templates: %s\n%s", err.msg, buf_str(&d));
	buf_free(&d);
	free(root);
	return set;
}

START_TEST(real_templates_render_in_every_language)
{
	struct template_set *set = load_real();
	static const char *const all[] = { "en", "nb", "da", "nl" };
	const struct lang *l;
	int i, li, on, count = 0;

	for (i = 0; notices[i]; i++) {
		ck_assert_msg(template_exists(set, notices[i]),
		    "no notice %s", notices[i]);
		for (li = 0; li < 4; li++)
			for (on = 0; on < 2; on++) {
				struct tvars tv = TVARS_INIT;
				struct fill f = { &tv, on, NULL };
				struct rendered r;
				struct clerk_err err;
				struct buf want = BUF_INIT;

				template_each_var(set, notices[i], fill_var, &f);
				if (template_render(set, notices[i], all[li],
				    &tv, &r, &err) == -1)
					ck_abort_msg("%s", err.msg);
				ck_assert_msg(r.subject[0] != '\0', "%s/%s",
				    all[li], notices[i]);
				ck_assert_ptr_null(strstr(r.subject, "{{"));
				ck_assert_ptr_null(strstr(r.body, "{{"));
				ck_assert_ptr_null(strstr(r.body, "}}"));
				ck_assert_ptr_null(strchr(r.subject, '\n'));
				ck_assert(utf8_valid(r.body, strlen(r.body)));
				ck_assert(r.body[strlen(r.body) - 1] == '\n');
				/* (All lists empty is not a real case for
				 * every notice: a reminder of nothing.) */
				ck_assert_msg(!on ||
				    strstr(r.body, "\n\n\n") == NULL,
				    "%s/%s: two blank lines:\n%s", all[li],
				    notices[i], r.body);
				/* Dates and amounts in the language's form. */
				l = template_lang(set, all[li]);
				if (strstr(r.body, "NOK") != NULL) {
					lang_format_amount(l, on ? 187500 : 0,
					    "NOK", &want, &err);
					ck_assert_msg(strstr(r.body, want.data),
					    "%s/%s", all[li], notices[i]);
				}
				buf_reset(&want);
				if (strstr(r.body, "2027")) {
					struct cal_date d = { 2027, 5, 17 };

					lang_format_date(l, d, &want, &err);
					ck_assert_msg(strstr(r.body, want.data) ||
					    strstr(r.subject, want.data),
					    "%s/%s", all[li], notices[i]);
				}
				buf_free(&want);
				rendered_free(&r);
				tvars_free(&tv);
				count++;
			}
	}
	ck_assert_int_eq(count, NNOTICES * 4 * 2);
	template_set_free(set);
}
END_TEST

/* Every variable a real notice names is needed on some path: leaving it out
 * is an error, never a blank. */
static struct buf usedvars;

static void
note_var(const char *var, enum tvar_type type, void *arg)
{
	(void)type;
	(void)arg;
	buf_printf(&usedvars, "%s\n", var);
}

START_TEST(real_templates_refuse_each_missing_variable)
{
	struct template_set *set = load_real();
	static const char *const all[] = { "en", "nb", "da", "nl" };
	int i, li, on, checked = 0;

	for (i = 0; notices[i]; i++) {
		char *list, *var, *save = NULL;

		buf_reset(&usedvars);
		template_each_var(set, notices[i], note_var, NULL);
		list = xstrdup(buf_str(&usedvars));
		for (var = strtok_r(list, "\n", &save); var;
		    var = strtok_r(NULL, "\n", &save))
			for (li = 0; li < 4; li++) {
				int refused = 0;

				for (on = 0; on < 2; on++) {
					struct tvars tv = TVARS_INIT;
					struct fill f = { &tv, on, var };
					struct rendered r;
					struct clerk_err err;

					template_each_var(set, notices[i],
					    fill_var, &f);
					if (template_render(set, notices[i],
					    all[li], &tv, &r, &err) == -1) {
						ck_assert_msg(strstr(err.msg,
						    var) != NULL, "%s",
						    err.msg);
						refused = 1;
					}
					rendered_free(&r);
					tvars_free(&tv);
				}
				ck_assert_msg(refused, "%s/%s renders without "
				    "%s", all[li], notices[i], var);
				checked++;
			}
		free(list);
	}
	ck_assert_int_gt(checked, NNOTICES * 4 * 3);
	buf_free(&usedvars);
	template_set_free(set);
}
END_TEST

START_TEST(real_registry_names_every_type)
{
	struct template_set *set = load_real();
	enum tvar_type t;

	/* The names other modules rely on. */
	ck_assert_int_eq(template_var_type(set, "case_ref", &t), 0);
	ck_assert_int_eq(t, TVAR_TEXT);
	ck_assert_int_eq(template_var_type(set, "deadline", &t), 0);
	ck_assert_int_eq(t, TVAR_DATE);
	ck_assert_int_eq(template_var_type(set, "amount", &t), 0);
	ck_assert_int_eq(t, TVAR_AMOUNT);
	ck_assert_int_eq(template_var_type(set, "missing", &t), 0);
	ck_assert_int_eq(t, TVAR_LIST);
	ck_assert_int_eq(template_var_type(set, "half_year", &t), 0);
	ck_assert_int_eq(t, TVAR_FLAG);
	ck_assert_int_eq(template_var_type(set, "currency", &t), 0);
	ck_assert_int_eq(t, TVAR_TEXT);
	template_set_free(set);
}
END_TEST

/* templates/NEEDED.txt is what the workflows send: "name: var var* ...",
 * continued on indented lines, '#' comments. Every notice it names must
 * exist and every variable it names must be in the registry. */
START_TEST(needed_notices_exist)
{
	struct template_set *set = load_real();
	char *path = xasprintf("%s/workflows/templates/NEEDED.txt", srcdir());
	char line[1024], *save, *w, *colon;
	FILE *f = fopen(path, "r");
	enum tvar_type t;
	int names = 0, vars = 0;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line;

		if ((w = strchr(p, '#')) != NULL)
			*w = '\0';
		if (*p != ' ' && *p != '\t' && (colon = strchr(p, ':')) != NULL) {
			*colon = '\0';
			ck_assert_msg(template_exists(set, p), "NEEDED.txt names "
			    "notice '%s', which has no template", p);
			names++;
			p = colon + 1;
		}
		for (w = strtok_r(p, " \t\n", &save); w;
		    w = strtok_r(NULL, " \t\n", &save)) {
			size_t n = strlen(w);

			if (n && w[n - 1] == '*')
				w[n - 1] = '\0';
			ck_assert_msg(template_var_type(set, w, &t) == 0,
			    "NEEDED.txt names variable '%s', which is not in "
			    "variables.txt", w);
			vars++;
		}
	}
	fclose(f);
	ck_assert_int_gt(names, 15);
	ck_assert_int_gt(vars, names);
	free(path);
	template_set_free(set);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("template");
	TCase *tl = tcase_create("loader");
	TCase *tr = tcase_create("render");
	TCase *tf = tcase_create("formats");
	TCase *tx = tcase_create("real");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tl, setup, teardown);
	tcase_add_test(tl, load_minimal_and_render);
	tcase_add_test(tl, load_unknown_variable);
	tcase_add_test(tl, load_formatter_wrong_type);
	tcase_add_test(tl, load_unbalanced_sections);
	tcase_add_test(tl, load_missing_subject_and_shape);
	tcase_add_test(tl, load_notice_missing_in_a_language);
	tcase_add_test(tl, load_lists_all_errors_across_files);
	tcase_add_test(tl, load_missing_files);
	suite_add_tcase(s, tl);
	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_add_test(tr, render_sections_lists_and_formats);
	tcase_add_test(tr, render_missing_variable_is_an_error);
	tcase_add_test(tr, render_subject_stays_one_line);
	tcase_add_test(tr, queries_and_language_choice);
	suite_add_tcase(s, tr);
	tcase_add_checked_fixture(tf, load_real_langs, free_real_langs);
	tcase_add_test(tf, date_formats_in_four_languages);
	tcase_add_test(tf, amount_formats_in_four_languages);
	suite_add_tcase(s, tf);
	tcase_add_test(tx, real_templates_render_in_every_language);
	tcase_add_test(tx, real_templates_refuse_each_missing_variable);
	tcase_add_test(tx, real_registry_names_every_type);
	tcase_add_test(tx, needed_notices_exist);
	tcase_set_timeout(tx, 60);
	suite_add_tcase(s, tx);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
