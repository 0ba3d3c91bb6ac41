/* Unit tests of the forms parser and its table (daemon/forms.c,
 * workflows/forms/labels.tsv). The label and form-name tables below are
 * copied by hand from shared FORMS.md, so the data file is checked against
 * the published interface, not against itself. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "forms.h"
#include "xmalloc.h"

#ifndef CLERK_SRCDIR_DEFAULT
#define CLERK_SRCDIR_DEFAULT "."
#endif

static struct forms_table *T;

static const char *const LANGS[4] = { "en", "nb", "da", "nl" };
static const char *const FORM_LABEL[4] = {
	"Form", "Skjema", "Skema", "Formulier"
};

/* FORMS.md, the label table, with a value of each field's type and the
 * normalised value the parser must give. */
struct label_case {
	const char	*field;
	const char	*value;
	const char	*norm;
	const char	*label[4];
};

static const struct label_case LABELS[] = {
	{ "form", "status", "status",
	    { "Form", "Skjema", "Skema", "Formulier" } },
	{ "name", "Kari  Nordmann", "Kari Nordmann",
	    { "Name", "Navn", "Navn", "Naam" } },
	{ "email", "Kari@Example.NO", "Kari@example.no",
	    { "Email", "E-post", "E-mail", "E-mail" } },
	{ "phone", "+47 912 34 567", "+47 912 34 567",
	    { "Phone", "Telefon", "Telefon", "Telefoon" } },
	{ "address", "Storgata 1, 0155 Oslo", "Storgata 1, 0155 Oslo",
	    { "Address", "Adresse", "Adresse", "Adres" } },
	{ "category", "MFGT", "mfgt",
	    { "Category", "Kategori", "Kategori", "Categorie" } },
	{ "education", "Norsk Gestaltinstitutt", "Norsk Gestaltinstitutt",
	    { "Education", "Utdanning", "Uddannelse", "Opleiding" } },
	{ "exam_date", "1.3.2026", "2026-03-01",
	    { "Exam date", "Eksamensdato", "Eksamensdato", "Examendatum" } },
	{ "key", "ABCD 1234 EF56", "ABCD 1234 EF56",
	    { "OpenPGP key", "OpenPGP-nøkkel", "OpenPGP-nøgle",
	    "OpenPGP-sleutel" } },
	{ "ethics", "ja", "yes",
	    { "I accept the ethics rules",
	    "Jeg godtar de etiske retningslinjene",
	    "Jeg accepterer de etiske retningslinjer",
	    "Ik aanvaard de ethische code" } },
	{ "attest", "x", "yes",
	    { "I have never been charged or convicted",
	    "Jeg er aldri siktet eller dømt",
	    "Jeg er aldrig anklaget eller straffet",
	    "Ik ben nooit aangeklaagd of veroordeeld" } },
	{ "year", "2025", "2025", { "Year", "År", "År", "Jaar" } },
	{ "c1", "12,5", "12.5", { "Courses", "Kurs", "Kurser", "Cursussen" } },
	{ "c2", "12", "12",
	    { "Supervision", "Veiledning", "Supervision", "Supervisie" } },
	{ "c2_certified", "5.25", "5.25",
	    { "Supervision with certified supervisor",
	    "Veiledning hos sertifisert veileder",
	    "Supervision hos certificeret supervisor",
	    "Supervisie bij gecertificeerde supervisor" } },
	{ "c3", "3,0", "3",
	    { "Conferences", "Konferanser", "Konferencer", "Congressen" } },
	{ "c4", "0,5", "0.5",
	    { "Organisational work", "Organisasjonsarbeid",
	    "Organisationsarbejde", "Organisatiewerk" } },
	{ "c5", "10", "10",
	    { "Teaching and research", "Undervisning og forskning",
	    "Undervisning og forskning", "Onderwijs en onderzoek" } },
	{ "c6", "7,75", "7.75",
	    { "Gestalt top-up", "Gestaltpåfyll", "Egenterapi",
	    "Eigen therapie" } },
	{ "intervision", "4", "4",
	    { "Intervision", "Intervisjon", "Intervision", "Intervisie" } },
	{ "sick_leave", "none", "none",
	    { "Sick leave", "Sykmelding", "Sygemelding", "Ziekteverlof" } },
	{ "respondent", "Ola Hansen", "Ola Hansen",
	    { "Respondent", "Påklaget", "Indklaget", "Beklaagde" } },
	{ "period", "2025-2026", "2025-2026",
	    { "Period", "Tidsrom", "Periode", "Periode" } },
	{ "description", "It happened.\nMore of it.",
	    "It happened.\nMore of it.",
	    { "Description", "Beskrivelse", "Beskrivelse", "Beschrijving" } },
	{ "case", "[fgt-2026-0042]", "FGT-2026-0042",
	    { "Case", "Sak", "Sag", "Zaak" } },
	{ "grounds", "procedure", "procedure",
	    { "Grounds", "Grunnlag", "Grundlag", "Gronden" } },
	{ "text", "I disagree.", "I disagree.",
	    { "Text", "Tekst", "Tekst", "Tekst" } },
	{ "amount", "1 234,50", "1234.5",
	    { "Amount", "Beløp", "Beløb", "Bedrag" } },
	{ "date", "2026-03-01", "2026-03-01",
	    { "Date", "Dato", "Dato", "Datum" } },
	{ "reference", "INV-7", "INV-7",
	    { "Reference", "Referanse", "Reference", "Referentie" } },
	{ "title", "New bylaws", "New bylaws",
	    { "Title", "Tittel", "Titel", "Titel" } },
	{ "proxy", "Ola Hansen", "Ola Hansen",
	    { "Proxy", "Fullmektig", "Fuldmægtig", "Gemachtigde" } },
	{ "meeting", "Annual meeting 2026", "Annual meeting 2026",
	    { "Meeting", "Møte", "Møde", "Vergadering" } },
};
#define NLABELS (int)(sizeof(LABELS) / sizeof(LABELS[0]))

/* FORMS.md, the form names. */
struct form_case {
	const char	*form;
	const char	*name[4];
};

static const struct form_case FORMS[] = {
	{ "application", { "application", "søknad", "ansøgning", "aanvraag" } },
	{ "pfo", { "pfo", "pfo", "efteruddannelse", "bijscholing" } },
	{ "complaint", { "complaint", "klage", "klage", "klacht" } },
	{ "statement", { "statement", "redegjørelse", "redegørelse",
	    "verweer" } },
	{ "appeal", { "appeal", "anke", "anke", "beroep" } },
	{ "resignation", { "resignation", "utmelding", "udmeldelse",
	    "opzegging" } },
	{ "payment", { "payment", "betaling", "betaling", "betaling" } },
	{ "status", { "status", "status", "status", "status" } },
	{ "update", { "update", "endring", "ændring", "wijziging" } },
	{ "proposal", { "proposal", "forslag", "forslag", "voorstel" } },
	{ "demand", { "extraordinary meeting", "ekstraordinært årsmøte",
	    "ekstraordinær generalforsamling", "buitengewone vergadering" } },
	{ "proxy", { "proxy", "fullmakt", "fuldmagt", "volmacht" } },
};
#define NFORMS (int)(sizeof(FORMS) / sizeof(FORMS[0]))

/* FORMS.md, required fields (without profile additions). */
struct required_case {
	const char	*form;
	const char	*missing[4];	/* when only the form line is given */
	const char	*complete;	/* body lines that satisfy them */
};

static const struct required_case REQUIRED[] = {
	{ "application", { "name", "category", "ethics", NULL },
	    "Name: A\nCategory: student\nI accept the ethics rules: yes\n" },
	{ "pfo", { "name", "year", NULL }, "Name: A\nYear: 2025\n" },
	{ "complaint", { "respondent", "description", NULL },
	    "Respondent: B\nDescription: what happened\n" },
	{ "statement", { "case", "text", NULL },
	    "Case: FGT-2026-0001\nText: my side\n" },
	{ "appeal", { "case", "text", "grounds", NULL },
	    "Case: FGT-2026-0001\nGrounds: procedure\nText: why\n" },
	{ "resignation", { "name", NULL }, "Name: A\n" },
	{ "payment", { "amount", NULL }, "Amount: 500\n" },
	{ "status", { NULL }, "" },
	{ "update", { "name|email|phone|address|key", NULL },
	    "Phone: 12345678\n" },
	{ "proposal", { "title", "text", NULL }, "Title: T\nText: body\n" },
	{ "demand", { "text", NULL }, "Text: we demand a meeting\n" },
	{ "proxy", { "proxy", "meeting", NULL },
	    "Proxy: Ola Hansen\nMeeting: 2026-04-20\n" },
};
#define NREQUIRED (int)(sizeof(REQUIRED) / sizeof(REQUIRED[0]))

/* ------------------------------------------------------------------ */

static const char *
srcdir(void)
{
	const char *s = getenv("CLERK_SRCDIR");

	return s != NULL && *s != '\0' ? s : CLERK_SRCDIR_DEFAULT;
}

static char *
read_file(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	*len = b.len;
	return buf_steal(&b);
}

static int
load_real_table(struct forms_table **t, struct clerk_err *err)
{
	char *path = xasprintf("%s/workflows/forms/labels.tsv", srcdir());
	size_t len;
	char *text = read_file(path, &len);
	int rc;

	if (text == NULL) {
		err_set(err, ERR_FINAL, "%s: cannot read", path);
		free(path);
		return -1;
	}
	rc = forms_table_load(text, len, path, t, err);
	free(text);
	free(path);
	return rc;
}

static struct form *
parse(const char *body)
{
	struct form *f;

	forms_parse(T, body, strlen(body), &f);
	ck_assert_ptr_nonnull(f);
	return f;
}

static const char *
norm(const struct form *f, const char *field)
{
	const struct form_field *ff = forms_field(f, field);

	return ff != NULL ? ff->norm : NULL;
}

static const char *
value(const struct form *f, const char *field)
{
	const struct form_field *ff = forms_field(f, field);

	return ff != NULL ? ff->value : NULL;
}

/* Upper case for ASCII and æ ø å, written by hand (the test must not use
 * the fold it checks). */
static char *
upcase(const char *s)
{
	char *r = xstrdup(s), *p;

	for (p = r; *p != '\0'; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
		else if ((unsigned char)p[0] == 0xC3 &&
		    ((unsigned char)p[1] == 0xA6 ||
		    (unsigned char)p[1] == 0xB8 || (unsigned char)p[1] == 0xA5)) {
			p[1] = (char)((unsigned char)p[1] - 0x20);
			p++;
		}
	}
	return r;
}

/* Parses "<label>: <value>" in a form of the label's language and checks
 * the field, its normalised value and the language. */
static void
check_label(const struct label_case *lc, int l, const char *label)
{
	struct form *f;
	char *body;

	if (strcmp(lc->field, "form") == 0)
		body = xasprintf("%s: %s\n", label, lc->value);
	else
		body = xasprintf("%s: status\n%s: %s\n", FORM_LABEL[l], label,
		    lc->value);
	f = parse(body);
	ck_assert_msg(forms_field(f, lc->field) != NULL,
	    "label \"%s\" (%s) is not field %s", label, LANGS[l], lc->field);
	ck_assert_pstr_eq(norm(f, lc->field), lc->norm);
	ck_assert_pstr_eq(f->name, "status");
	ck_assert_pstr_eq(f->lang, LANGS[l]);
	ck_assert_uint_eq(f->nproblems, 0);
	ck_assert_uint_eq(f->nfields, strcmp(lc->field, "form") == 0 ? 1 : 2);
	ck_assert_int_eq(f->form_first, 1);
	form_free(f);
	free(body);
}

/* ------------------------------------------------------------------ */
/* Data file                                                           */

START_TEST(data_file_loads)
{
	struct forms_table *t = NULL;
	struct clerk_err err;

	err_clear(&err);
	ck_assert_msg(load_real_table(&t, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(forms_field_type(t, "c1"), FORM_TYPE_HOURS);
	ck_assert_int_eq(forms_field_type(t, "ethics"), FORM_TYPE_YESNO);
	ck_assert_int_eq(forms_field_type(t, "description"),
	    FORM_TYPE_MULTILINE);
	ck_assert_int_eq(forms_field_type(t, "text"), FORM_TYPE_MULTILINE);
	ck_assert_int_eq(forms_field_type(t, "exam_date"), FORM_TYPE_DATE);
	ck_assert_int_eq(forms_field_type(t, "email"), FORM_TYPE_EMAIL);
	ck_assert_int_eq(forms_field_type(t, "year"), FORM_TYPE_YEAR);
	ck_assert_int_eq(forms_field_type(t, "sick_leave"),
	    FORM_TYPE_SICK_LEAVE);
	ck_assert_int_eq(forms_field_type(t, "grounds"), FORM_TYPE_GROUNDS);
	ck_assert_int_eq(forms_field_type(t, "amount"), FORM_TYPE_AMOUNT);
	ck_assert_int_eq(forms_field_type(t, "category"), FORM_TYPE_LOWER);
	ck_assert_int_eq(forms_field_type(t, "no_such_field"), -1);
	ck_assert_pstr_eq(forms_label(t, "no_such_field", "en"), NULL);
	ck_assert_pstr_eq(forms_label(t, "name", "sv"), NULL);
	forms_table_free(t);
}
END_TEST

/* Every label of FORMS.md in every language, as written and in capitals;
 * and forms_label gives back exactly the FORMS.md spelling. */
START_TEST(label_in_each_language)
{
	const struct label_case *lc = &LABELS[_i / 4];
	int l = _i % 4;
	char *up = upcase(lc->label[l]);

	check_label(lc, l, lc->label[l]);
	check_label(lc, l, up);
	ck_assert_pstr_eq(forms_label(T, lc->field, LANGS[l]), lc->label[l]);
	free(up);
}
END_TEST

START_TEST(form_name_in_each_language)
{
	const struct form_case *fc = &FORMS[_i / 4];
	int l = _i % 4;
	char *body = xasprintf("%s: %s\n", FORM_LABEL[l], fc->name[l]);
	char *up = upcase(body);
	struct form *f = parse(body), *g = parse(up);

	ck_assert_pstr_eq(f->name, fc->form);
	ck_assert_pstr_eq(f->lang, LANGS[l]);
	ck_assert_uint_eq(f->nproblems, 0);
	ck_assert_pstr_eq(g->name, fc->form);
	ck_assert_pstr_eq(g->lang, LANGS[l]);
	ck_assert_pstr_eq(forms_form_label(T, fc->form, LANGS[l]),
	    fc->name[l]);
	form_free(f);
	form_free(g);
	free(body);
	free(up);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Table loader errors                                                 */

struct bad_table {
	const char	*text;
	const char	*where;		/* "bad.tsv:N: " */
	const char	*what;		/* part of the message */
};

#define HEAD "languages\ten\tnb\n"
#define BASE "field\tform\tform\tForm\tSkjema\n" \
	"field\tname\ttext\tName\tNavn\n" \
	"form\tstatus\t-\tstatus\tstatus\n" \
	"word\tyesno\tyes\tyes\tja\n" \
	"word\tyesno\tno\tno\tnei\n"

static const struct bad_table BAD[] = {
	{ HEAD BASE "feld\tx\ttext\tX\tX\n", "bad.tsv:7: ",
	    "unknown record \"feld\"" },
	{ "languages\ten\tsv\n" BASE, "bad.tsv:1: ",
	    "unknown language column \"sv\"" },
	{ HEAD "field\tform\tform\tForm\n", "bad.tsv:2: ",
	    "has 4 cells, need 5" },
	{ HEAD BASE "field\tphone\ttext\tPhone\tNavn\n", "bad.tsv:7: ",
	    "label \"Navn\" means both \"name\" (line 3) and \"phone\"" },
	{ HEAD BASE "field\tphone\ttext\tPhone\tNAVN\n", "bad.tsv:7: ",
	    "means both \"name\"" },
	{ HEAD "field\tform\tform\tForm\tSkjema\n"
	    "field\tname\tstring\tName\tNavn\n", "bad.tsv:3: ",
	    "unknown value type \"string\"" },
	{ HEAD BASE "form\tpfo\tname,yaer\tpfo\tpfo\n", "bad.tsv:7: ",
	    "requires unknown field \"yaer\"" },
	{ "field\tform\tform\tForm\tSkjema\n", "bad.tsv:1: ",
	    "before the \"languages\" line" },
	{ HEAD BASE "field\tname\ttext\tNamn\tNamn\n", "bad.tsv:7: ",
	    "field \"name\" defined twice" },
	{ HEAD BASE "word\tmaybe\tyes\tyes\tja\n", "bad.tsv:7: ",
	    "unknown word class \"maybe\"" },
	{ HEAD BASE "word\tyesno\tperhaps\tperhaps\tkanskje\n", "bad.tsv:7: ",
	    "\"perhaps\" is not a value of yesno" },
	{ HEAD BASE "word\tyesno\tno\tyes\tnei\n", "bad.tsv:7: ",
	    "yesno \"yes\" means both \"yes\" (line 5) and \"no\"" },
	{ HEAD BASE "form\tpayment\t-\tpayment\tstatus\n", "bad.tsv:7: ",
	    "form name \"status\" means both \"status\"" },
	{ HEAD "field\tname\ttext\tName\tNavn\n"
	    "form\tstatus\t-\tstatus\tstatus\n", "bad.tsv:3: ",
	    "no field of type form" },
	{ HEAD BASE "field\tnote\ttext\tN\xff\tNote\n", "bad.tsv:7: ",
	    "not valid UTF-8" },
	{ HEAD HEAD BASE, "bad.tsv:2: ", "\"languages\" given twice" },
	{ HEAD BASE "field\tnote\ttext\t-\tNote\n", "bad.tsv:7: ",
	    "a label is needed in every language column" },
	{ HEAD BASE "field\tnote\ttext\tNote|\tNote\n", "bad.tsv:7: ",
	    "empty alternative" },
	{ HEAD BASE "field\tnote\ttext\t--\tNote\n", "bad.tsv:7: ",
	    "is empty once spaces" },
	{ HEAD BASE "field\tNote\ttext\tNote\tNote\n", "bad.tsv:7: ",
	    "field name \"Note\" is not" },
	{ HEAD "field\tform\tform\tForm\tSkjema\n"
	    "field\tname\ttext\tName\tNavn\n", "bad.tsv:3: ",
	    "no form records" },
	{ HEAD BASE "form\tx\tname,\tx\tx\n", "bad.tsv:7: ",
	    "ends with a separator" },
	{ HEAD "field\tform\tform\tForm\tSkjema\n"
	    "form\tstatus\t-\tstatus\tstatus\n"
	    "word\tyesno\tyes\tyes\tja\n", "bad.tsv:4: ",
	    "both yes and no" },
	{ HEAD BASE "field\tx\ttext\ta\tb\tc\td\te\tf\n", "bad.tsv:7: ",
	    "more than 7 cells" },
};
#define NBAD (int)(sizeof(BAD) / sizeof(BAD[0]))

START_TEST(table_error_names_line)
{
	const struct bad_table *b = &BAD[_i];
	struct forms_table *t = NULL;
	struct clerk_err err;

	err_clear(&err);
	ck_assert_int_eq(forms_table_load(b->text, strlen(b->text), "bad.tsv",
	    &t, &err), -1);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(err.temporary, 0);
	ck_assert_msg(strncmp(err.msg, b->where, strlen(b->where)) == 0,
	    "case %d: \"%s\" does not start with \"%s\"", _i, err.msg,
	    b->where);
	ck_assert_msg(strstr(err.msg, b->what) != NULL,
	    "case %d: \"%s\" does not say \"%s\"", _i, err.msg, b->what);
}
END_TEST

START_TEST(table_minimal_loads)
{
	static const char text[] = "# comment\r\n\r\n" HEAD BASE
	    "  # indented comment\n"
	    "word\tunit\thours\th|hrs\t-\n"
	    "field\tc1\thours\tCourses\tKurs\n";
	struct forms_table *t = NULL;
	struct clerk_err err;
	struct form *f;
	const char body[] = "Skjema: status\nKurs: 3 hrs\nNavn: Kari\n";

	err_clear(&err);
	ck_assert_msg(forms_table_load(text, strlen(text), "min.tsv", &t,
	    &err) == 0, "%s", err.msg);
	forms_parse(t, body, strlen(body), &f);
	ck_assert_pstr_eq(f->name, "status");
	ck_assert_pstr_eq(f->lang, "nb");
	ck_assert_pstr_eq(norm(f, "c1"), "3");
	ck_assert_pstr_eq(norm(f, "name"), "Kari");
	ck_assert_pstr_eq(forms_label(t, "name", "da"), NULL);
	form_free(f);
	forms_table_free(t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Tolerance rules, one at a time                                      */

START_TEST(tolerates_case)
{
	struct form *f = parse("fORM: APPLICATION\nNAME: Kari\n"
	    "i ACCEPT the ETHICS rules: YES\nkategori: Student\n");

	ck_assert_pstr_eq(f->name, "application");
	ck_assert_pstr_eq(value(f, "name"), "Kari");
	ck_assert_pstr_eq(norm(f, "ethics"), "yes");
	ck_assert_pstr_eq(norm(f, "category"), "student");
	ck_assert_pstr_eq(value(f, "category"), "Student");
	form_free(f);
	/* Nordic capitals and a decomposed å (macOS writes a + ring) */
	f = parse("SKJEMA: SØKNAD\nPÅKLAGET: Ola\nA\xcc\x8aR: 2025\n"
	    "Ba\xcc\x8ar: 1\n");
	ck_assert_pstr_eq(f->name, "application");
	ck_assert_pstr_eq(value(f, "respondent"), "Ola");
	ck_assert_pstr_eq(norm(f, "year"), "2025");
	ck_assert_uint_eq(f->nfields, 4);
	ck_assert_ptr_null(f->fields[3].field);	/* "Bår" is not "År" */
	form_free(f);
}
END_TEST

START_TEST(tolerates_spaces)
{
	struct form *f = parse("   Form   :   status   \n"
	    "Name : Kari   Nordmann  \n"
	    "\tEmail\t:\tkari@example.no\t\n"
	    "Phone\xc2\xa0: 123\n"
	    "Exam  date: 2026-03-01\n"
	    "E mail: other@example.no\n");

	ck_assert_pstr_eq(f->name, "status");
	ck_assert_pstr_eq(value(f, "name"), "Kari Nordmann");
	ck_assert_pstr_eq(forms_field(f, "name")->label, "Name");
	ck_assert_pstr_eq(value(f, "phone"), "123");
	ck_assert_pstr_eq(forms_field(f, "phone")->label, "Phone");
	ck_assert_pstr_eq(norm(f, "exam_date"), "2026-03-01");
	/* "E mail" is the same label as "Email", given twice */
	ck_assert_pstr_eq(norm(f, "email"), "other@example.no");
	form_free(f);
}
END_TEST

START_TEST(tolerates_equals_sign)
{
	struct form *f = parse("Form=payment\nAmount = 500\nReference =INV-1"
	    "\nDate= 1/3/2026\n");

	ck_assert_pstr_eq(f->name, "payment");
	ck_assert_pstr_eq(norm(f, "amount"), "500");
	ck_assert_pstr_eq(norm(f, "reference"), "INV-1");
	ck_assert_pstr_eq(norm(f, "date"), "2026-03-01");
	form_free(f);
}
END_TEST

START_TEST(continuation_lines)
{
	struct form *f = parse("Form: update\n"
	    "Address: Storgata 1\n"
	    "  0155 Oslo\n"
	    "\tNorway\n"
	    "Name: Kari\n"
	    "Not indented, so not part of the name\n"
	    "  nor is this indented line after it\n"
	    "Phone:\n"
	    " 123\n"
	    " 456\n");

	ck_assert_pstr_eq(value(f, "address"), "Storgata 1 0155 Oslo Norway");
	ck_assert_pstr_eq(value(f, "name"), "Kari");
	ck_assert_pstr_eq(value(f, "phone"), "123 456");
	ck_assert_uint_eq(f->nfields, 4);
	form_free(f);
}
END_TEST

START_TEST(continuation_ends_at_blank_line)
{
	struct form *f = parse("Form: update\nAddress: Storgata 1\n\n"
	    "  indented after a blank line\n");

	ck_assert_pstr_eq(value(f, "address"), "Storgata 1");
	form_free(f);
}
END_TEST

START_TEST(description_runs_to_end)
{
	struct form *f = parse("Form: complaint\n"
	    "Respondent: Ola\n"
	    "Description: First paragraph,\n"
	    "still the first.\n"
	    "\n"
	    "Second paragraph. Note: unknown labels are text here.\n"
	    "  Indented line.\n"
	    "\n"
	    "\n");

	ck_assert_pstr_eq(value(f, "description"), "First paragraph,\n"
	    "still the first.\n\n"
	    "Second paragraph. Note: unknown labels are text here.\n"
	    "  Indented line.");
	ck_assert_uint_eq(f->nfields, 3);
	form_free(f);
}
END_TEST

START_TEST(text_ends_at_known_label)
{
	struct form *f = parse("Form: appeal\n"
	    "Text:\n"
	    "\n"
	    "The result is unreasonable.\n"
	    "Grounds: unreasonable\n"
	    "Case: FGT-2026-0003\n");

	ck_assert_pstr_eq(value(f, "text"), "The result is unreasonable.");
	ck_assert_pstr_eq(norm(f, "grounds"), "unreasonable");
	ck_assert_pstr_eq(norm(f, "case"), "FGT-2026-0003");
	form_free(f);
}
END_TEST

START_TEST(quoted_lines_ignored)
{
	struct form *f = parse("> Form: complaint\n"
	    "Form: statement\n"
	    "> Case: FGT-2026-0099\n"
	    "Case: FGT-2026-0042\n"
	    "  >Name: quoted with spaces before\n"
	    "Text: My side.\n"
	    "> quoted inside the text\n"
	    "Still mine.\n");

	ck_assert_pstr_eq(f->name, "statement");
	ck_assert_pstr_eq(norm(f, "case"), "FGT-2026-0042");
	ck_assert_ptr_null(forms_field(f, "name"));
	ck_assert_pstr_eq(value(f, "text"), "My side.\nStill mine.");
	ck_assert_uint_eq(f->nproblems, 0);
	form_free(f);
}
END_TEST

START_TEST(reply_attribution_dropped)
{
	struct form *f = parse("Form: statement\nCase: FGT-2026-0042\n"
	    "Text: I was not there.\n\n"
	    "On Mon, 2 Mar 2026, FGT <post@fgt.example> wrote:\n"
	    "\n"
	    "> Please send your statement.\n");

	ck_assert_pstr_eq(value(f, "text"), "I was not there.");
	form_free(f);
	f = parse("Form: statement\nCase: FGT-2026-0042\n"
	    "Text: Jeg var ikke der.\n"
	    "Den 2. mar. 2026 kl. 10.00 skrev FGT:\n"
	    "> Send redegjørelsen.\n");
	ck_assert_pstr_eq(value(f, "text"), "Jeg var ikke der.");
	form_free(f);
	/* a colon before a quotation the member makes is kept */
	f = parse("Form: statement\nCase: FGT-2026-0042\n"
	    "Text: The complaint says:\n"
	    "> she was late\n"
	    "That is not true.\n");
	ck_assert_pstr_eq(value(f, "text"),
	    "The complaint says:\nThat is not true.");
	form_free(f);
	f = parse("Form: statement\nCase: FGT-2026-0042\n"
	    "Text: I answer this:\n"
	    "> she was late\n");
	ck_assert_pstr_eq(value(f, "text"), "I answer this:");
	form_free(f);
}
END_TEST

START_TEST(signature_ignored)
{
	struct form *f = parse("Form: resignation\nName: Kari\n-- \n"
	    "Name: Signature Name\nPhone: 999\n");

	ck_assert_pstr_eq(value(f, "name"), "Kari");
	ck_assert_ptr_null(forms_field(f, "phone"));
	form_free(f);
	f = parse("Form: complaint\nDescription: all of it\n--\n"
	    "Kari Nordmann\n+47 999\n");
	ck_assert_pstr_eq(value(f, "description"), "all of it");
	form_free(f);
	f = parse("Form: complaint\r\nDescription: crlf\r\n-- \r\nKari\r\n");
	ck_assert_pstr_eq(value(f, "description"), "crlf");
	form_free(f);
	/* "--" inside a line, or more dashes, is not a signature */
	f = parse("Form: complaint\nDescription: a -- b\n---\nc\n");
	ck_assert_pstr_eq(value(f, "description"), "a -- b\n---\nc");
	form_free(f);
}
END_TEST

START_TEST(text_before_first_label_ignored)
{
	struct form *f = parse("Hello,\n"
	    "here is my form: as you asked.\n"
	    "Kind regards = Kari\n"
	    "\n"
	    "Form: resignation\n"
	    "Name: Kari\n");

	ck_assert_pstr_eq(f->name, "resignation");
	ck_assert_uint_eq(f->nfields, 2);
	ck_assert_int_eq(f->form_first, 1);
	form_free(f);
	/* no label at all: no form, no language */
	f = parse("Hello, I would like to join. Could you send me: a form?\n");
	ck_assert_ptr_null(f->name);
	ck_assert_ptr_null(f->lang);
	ck_assert_uint_eq(f->nfields, 0);
	form_free(f);
	f = parse("");
	ck_assert_ptr_null(f->name);
	ck_assert_uint_eq(f->nfields, 0);
	form_free(f);
}
END_TEST

START_TEST(crlf_and_lone_cr)
{
	struct form *f = parse("Form: pfo\r\nName: Kari\r\nYear: 2025\r\n"
	    "Courses: 12,5\r\n");

	ck_assert_pstr_eq(f->name, "pfo");
	ck_assert_pstr_eq(value(f, "name"), "Kari");
	ck_assert_pstr_eq(norm(f, "year"), "2025");
	ck_assert_pstr_eq(norm(f, "c1"), "12.5");
	ck_assert_uint_eq(forms_field(f, "c1")->line, 4);
	form_free(f);
	f = parse("Form: pfo\rName: Kari\rYear: 2025\r");
	ck_assert_pstr_eq(value(f, "name"), "Kari");
	ck_assert_pstr_eq(norm(f, "year"), "2025");
	form_free(f);
	f = parse("Form: complaint\r\nDescription: one\r\n\r\ntwo\r\n");
	ck_assert_pstr_eq(value(f, "description"), "one\n\ntwo");
	form_free(f);
}
END_TEST

START_TEST(bom_and_invisible_characters)
{
	struct form *f = parse("\xef\xbb\xbf" "Form: status\nName: Kari\n");

	ck_assert_pstr_eq(f->name, "status");
	ck_assert_int_eq(f->form_first, 1);
	form_free(f);
	/* a BOM before a later line does not make it a continuation */
	f = parse("Form: update\nName: Kari\n\xef\xbb\xbfPhone: 1\n"
	    "\xe2\x80\x8b" "Email: k@example.no\n");
	ck_assert_pstr_eq(value(f, "name"), "Kari");
	ck_assert_pstr_eq(value(f, "phone"), "1");
	ck_assert_pstr_eq(norm(f, "email"), "k@example.no");
	form_free(f);
}
END_TEST

START_TEST(label_hints_and_markers)
{
	struct form *f = parse("Form: pfo\nName*: Kari\nYear (YYYY): 2025\n"
	    "Courses (hours): 12\n*Supervision*: 14\n");

	ck_assert_pstr_eq(value(f, "name"), "Kari");
	ck_assert_pstr_eq(norm(f, "year"), "2025");
	ck_assert_pstr_eq(norm(f, "c1"), "12");
	ck_assert_pstr_eq(norm(f, "c2"), "14");
	ck_assert_pstr_eq(forms_field(f, "c1")->label, "Courses (hours)");
	form_free(f);
}
END_TEST

START_TEST(checkbox_lines)
{
	struct form *f = parse("Form: application\n"
	    "[x] I accept the ethics rules\n"
	    "[ ] I have never been charged or convicted:\n"
	    "[x] Name\n");

	ck_assert_pstr_eq(norm(f, "ethics"), "yes");
	ck_assert_pstr_eq(norm(f, "attest"), "no");
	ck_assert_ptr_null(forms_field(f, "name"));	/* not yes/no */
	form_free(f);
}
END_TEST

START_TEST(known_label_before_form)
{
	struct form *f = parse("Name: Kari\nForm: resignation\nDate: 1.4.2026\n");
	char **missing;

	ck_assert_pstr_eq(f->name, "resignation");
	ck_assert_int_eq(f->form_first, 0);
	ck_assert_pstr_eq(value(f, "name"), "Kari");
	ck_assert_uint_eq(forms_missing_required(T, f, NULL, &missing), 0);
	forms_strv_free(missing);
	form_free(f);
}
END_TEST

START_TEST(second_form_stops)
{
	struct form *f = parse("Form: update\nPhone: 1\n\nForm: status\n"
	    "Name: X\n");

	ck_assert_pstr_eq(f->name, "update");
	ck_assert_ptr_null(forms_field(f, "name"));
	ck_assert_uint_eq(f->nproblems, 1);
	ck_assert_int_eq(f->problems[0].kind, FORM_PROBLEM_SECOND_FORM);
	ck_assert_uint_eq(f->problems[0].line, 4);
	ck_assert_ptr_nonnull(strstr(f->problems[0].message, "line 4"));
	form_free(f);
}
END_TEST

START_TEST(repeated_field_later_counts)
{
	struct form *f = parse("Form: update\nPhone: 1\nPhone: 2\n");

	ck_assert_pstr_eq(value(f, "phone"), "2");
	ck_assert_uint_eq(f->nfields, 3);
	ck_assert_uint_eq(f->nproblems, 1);
	ck_assert_int_eq(f->problems[0].kind, FORM_PROBLEM_REPEATED);
	ck_assert_str_eq(f->problems[0].message,
	    "Phone is given twice (lines 2 and 3); the later value is used");
	form_free(f);
}
END_TEST

START_TEST(other_text_markers_end_the_form)
{
	struct form *f = parse("Form: update\nPhone: 1\n"
	    "-----Original Message-----\nFrom: x\nDate: 1.1.2020\n"
	    "Name: Old\n");

	ck_assert_pstr_eq(value(f, "phone"), "1");
	ck_assert_ptr_null(forms_field(f, "date"));
	ck_assert_ptr_null(forms_field(f, "name"));
	form_free(f);
	f = parse("Form: complaint\nDescription: text\n"
	    "________________________________\nFra: x\n");
	ck_assert_pstr_eq(value(f, "description"), "text");
	form_free(f);
	f = parse("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
	    "Form: status\nName: Kari\n-----BEGIN PGP SIGNATURE-----\n"
	    "Version: x\n");
	ck_assert_pstr_eq(f->name, "status");
	ck_assert_uint_eq(f->nfields, 2);
	form_free(f);
	/* before a form a marker ends nothing: a forwarded form is read */
	f = parse("FYI\n---------- Forwarded message ---------\nFrom: a\n\n"
	    "Form: resignation\nName: Kari\n");
	ck_assert_pstr_eq(f->name, "resignation");
	ck_assert_pstr_eq(value(f, "name"), "Kari");
	form_free(f);
}
END_TEST

START_TEST(indented_known_label_starts_field)
{
	struct form *f = parse("  Form: update\n  Name: Kari\n"
	    "  Phone: 123\n");

	ck_assert_pstr_eq(f->name, "update");
	ck_assert_pstr_eq(value(f, "name"), "Kari");
	ck_assert_pstr_eq(value(f, "phone"), "123");
	form_free(f);
}
END_TEST

START_TEST(empty_value_takes_next_line)
{
	struct form *f = parse("Form:\nresignation\nName:\nKari Nordmann\n"
	    "Date:\n\n1.4.2026\n");

	ck_assert_pstr_eq(f->name, "resignation");
	ck_assert_pstr_eq(value(f, "name"), "Kari Nordmann");
	ck_assert_pstr_eq(value(f, "date"), "");	/* blank line between */
	ck_assert_ptr_null(norm(f, "date"));
	ck_assert_uint_eq(f->nproblems, 0);
	form_free(f);
}
END_TEST

START_TEST(url_and_time_are_not_separators)
{
	struct form *f = parse("Form: status\nhttps://example.org/a=b\n"
	    "Name: Kari\n");

	ck_assert_uint_eq(f->nfields, 2);
	form_free(f);
	/* "10:00" is no separator: no unknown label "We met at 10" */
	f = parse("Form: status\nWe met at 10:00 and talked\n"
	    "Meeting: 10:00 on 3 March\n");
	ck_assert_uint_eq(f->nfields, 2);
	ck_assert_pstr_eq(value(f, "meeting"), "10:00 on 3 March");
	form_free(f);
}
END_TEST

START_TEST(values_are_clean_utf8)
{
	static const char body[] = "Form: update\nName: K\xff" "ari\x01X\n"
	    "Address: a\0b\n";
	struct form *f;

	forms_parse(T, body, sizeof(body) - 1, &f);
	ck_assert_pstr_eq(value(f, "name"), "K\xef\xbf\xbd" "ari X");
	ck_assert_pstr_eq(value(f, "address"), "a b");
	form_free(f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Values                                                              */

struct value_case {
	const char	*in;
	const char	*out;	/* NULL: a problem */
};

static void
check_values(const char *label, const char *field,
    const struct value_case *v, size_t n, const char *what)
{
	struct form *f;
	char *body, *msg;
	size_t i;

	for (i = 0; i < n; i++) {
		body = xasprintf("Form: status\n%s: %s\n", label, v[i].in);
		f = parse(body);
		ck_assert_msg(forms_field(f, field) != NULL, "%s", body);
		ck_assert_msg((v[i].out == NULL && norm(f, field) == NULL) ||
		    (v[i].out != NULL && norm(f, field) != NULL &&
		    strcmp(norm(f, field), v[i].out) == 0),
		    "%s: \"%s\" gave \"%s\", want \"%s\"", label, v[i].in,
		    norm(f, field) ? norm(f, field) : "(null)",
		    v[i].out ? v[i].out : "(null)");
		ck_assert_pstr_eq(value(f, field), v[i].in);
		if (v[i].out == NULL) {
			ck_assert_uint_eq(f->nproblems, 1);
			ck_assert_int_eq(f->problems[0].kind,
			    FORM_PROBLEM_BAD_VALUE);
			ck_assert_str_eq(f->problems[0].field, field);
			msg = xasprintf("%s \"%s\" is not %s", label, v[i].in,
			    what);
			ck_assert_str_eq(f->problems[0].message, msg);
			free(msg);
		} else
			ck_assert_uint_eq(f->nproblems, 0);
		form_free(f);
		free(body);
	}
}

#define CHECK_VALUES(label, field, cases, what) \
	check_values(label, field, cases, sizeof(cases) / sizeof(cases[0]), what)

START_TEST(yes_no_words)
{
	static const struct value_case yn[] = {
		{ "yes", "yes" }, { "no", "no" },
		{ "ja", "yes" }, { "nei", "no" },
		{ "nej", "no" }, { "nee", "no" },
		{ "true", "yes" }, { "false", "no" },
		{ "x", "yes" }, { "X", "yes" },
		{ "YES", "yes" }, { "Ja", "yes" }, { "NEJ", "no" },
		{ "[x]", "yes" }, { "[ ]", "no" }, { "[]", "no" },
		{ "Ja, jeg godtar", "yes" }, { "Nee.", "no" },
		{ "maybe", NULL }, { "nope", NULL }, { "xx", NULL },
	};
	struct form *f;
	int l;

	CHECK_VALUES("I accept the ethics rules", "ethics", yn, "yes or no");
	/* blank means no, and is an answer, not a missing field */
	for (l = 0; l < 4; l++) {
		char *body = xasprintf("%s: application\nName: A\n"
		    "Category: student\n%s:\n", FORM_LABEL[l],
		    LABELS[9].label[l]);
		char **missing;

		f = parse(body);
		ck_assert_pstr_eq(norm(f, "ethics"), "no");
		ck_assert_uint_eq(f->nproblems, 0);
		ck_assert_uint_eq(forms_missing_required(T, f, NULL, &missing),
		    0);
		forms_strv_free(missing);
		form_free(f);
		free(body);
	}
}
END_TEST

START_TEST(hours_values)
{
	static const struct value_case h[] = {
		{ "12", "12" }, { "12.5", "12.5" }, { "12,5", "12.5" },
		{ "12,25", "12.25" }, { "012", "12" }, { "12.50", "12.5" },
		{ "0", "0" }, { "0,0", "0" }, { ",5", "0.5" }, { "12.", "12" },
		{ "12 timer", "12" }, { "7.5h", "7.5" }, { "3 uur", "3" },
		{ "2 hours", "2" }, { "4 t.", "4" }, { "9999", "9999" },
		{ "twelve", NULL }, { "-3", NULL }, { "1e3", NULL },
		{ "12.255", NULL }, { "12,5,0", NULL }, { "12 apples", NULL },
		{ "10000", NULL }, { "+3", NULL }, { "1 2", NULL },
		{ ".", NULL },
	};

	CHECK_VALUES("Courses", "c1", h, "a number");
	CHECK_VALUES("Kurs", "c1", h, "a number");
}
END_TEST

START_TEST(hours_message)
{
	struct form *f = parse("Skjema: pfo\nKurs: twelve\n");

	ck_assert_uint_eq(f->nproblems, 1);
	ck_assert_str_eq(f->problems[0].message, "Kurs \"twelve\" is not a "
	    "number");
	ck_assert_str_eq(f->problems[0].label, "Kurs");
	ck_assert_str_eq(f->problems[0].value, "twelve");
	ck_assert_str_eq(forms_field(f, "c1")->value, "twelve");
	ck_assert_ptr_null(forms_field(f, "c1")->norm);
	form_free(f);
}
END_TEST

START_TEST(date_values)
{
	static const struct value_case d[] = {
		{ "2026-03-01", "2026-03-01" }, { "1.3.2026", "2026-03-01" },
		{ "01.03.2026", "2026-03-01" }, { "1/3/2026", "2026-03-01" },
		{ "1-3-2026", "2026-03-01" }, { "1. 3. 2026", "2026-03-01" },
		{ "29.2.2028", "2028-02-29" }, { "29.02.2000", "2000-02-29" },
		{ "31.12.2026", "2026-12-31" }, { "2026-3-1", "2026-03-01" },
		{ "31.2.2026", NULL }, { "29.2.2027", NULL }, { "29.2.2100", NULL },
		{ "32.1.2026", NULL }, { "1.13.2026", NULL }, { "0.1.2026", NULL },
		{ "2026-02-30", NULL }, { "1.3.26", NULL }, { "1.3/2026", NULL },
		{ "March 1 2026", NULL }, { "2026-03-01x", NULL },
		{ "31.4.2026", NULL }, { "1.3.1800", NULL }, { "1.3.20266", NULL },
	};

	CHECK_VALUES("Date", "date", d, "a valid date");
	CHECK_VALUES("Eksamensdato", "exam_date", d, "a valid date");
}
END_TEST

START_TEST(amount_values)
{
	static const struct value_case a[] = {
		{ "500", "500" }, { "500,00", "500" }, { "1 234,50", "1234.5" },
		{ "1.234,50", "1234.5" }, { "1,234.50", "1234.5" },
		{ "kr 500,-", "500" }, { "NOK 690", "690" }, { "€68", "68" },
		{ "EUR 68,5", "68.5" }, { "1234", "1234" }, { "500 kr.", "500" },
		{ "1.234", "1234" }, { "0,75", "0.75" }, { "1'000", "1000" },
		{ "-500", NULL }, { "abc", NULL }, { "1.2.3", NULL },
		{ "12,345,6", NULL }, { "1.234.50", NULL }, { "1234567890", NULL },
		{ "500-", NULL }, { "12 34", NULL },
	};

	CHECK_VALUES("Amount", "amount", a, "an amount");
}
END_TEST

START_TEST(email_values)
{
	static const struct value_case e[] = {
		{ "Kari@Example.ORG", "Kari@example.org" },
		{ "<ola@EXAMPLE.com>", "ola@example.com" },
		{ "Ola Hansen <ola@Example.com>", "ola@example.com" },
		{ "mailto:c@d.no", "c@d.no" },
		{ "kari", NULL }, { "a@b", NULL }, { "a b@c.no", NULL },
		{ "a@@b.no", NULL }, { "@b.no", NULL }, { "a@.no", NULL },
		{ "a@b..no", NULL }, { "a@b.no.", NULL },
	};

	CHECK_VALUES("Email", "email", e, "an e-mail address");
}
END_TEST

START_TEST(year_values)
{
	static const struct value_case y[] = {
		{ "2025", "2025" }, { "1999", "1999" },
		{ "25", NULL }, { "20256", NULL }, { "abcd", NULL },
		{ "1800", NULL }, { "2025.", NULL },
	};

	CHECK_VALUES("Year", "year", y, "a year");
}
END_TEST

START_TEST(sick_leave_words)
{
	static const struct value_case s[] = {
		{ "none", "none" }, { "partial", "partial" }, { "full", "full" },
		{ "ingen", "none" }, { "delvis", "partial" },
		{ "fuld", "full" }, { "geen", "none" },
		{ "gedeeltelijk", "partial" }, { "volledig", "full" },
		{ "Delvis (50 %)", "partial" }, { "FULL", "full" },
		{ "sometimes", NULL },
	};

	CHECK_VALUES("Sick leave", "sick_leave", s, "none, partial or full");
	CHECK_VALUES("Sygemelding", "sick_leave", s, "none, partial or full");
}
END_TEST

START_TEST(grounds_words)
{
	static const struct value_case g[] = {
		{ "procedure", "procedure" }, { "unreasonable", "unreasonable" },
		{ "prosedyre", "procedure" }, { "saksbehandling", "procedure" },
		{ "urimelig", "unreasonable" }, { "onredelijk", "unreasonable" },
		{ "sagsbehandling", "procedure" },
		{ "procedure, urimelig", "procedure,unreasonable" },
		{ "unreasonable / procedure", "procedure,unreasonable" },
		{ "because", NULL }, { "procedure, because", NULL },
	};

	CHECK_VALUES("Grounds", "grounds", g, "procedure or unreasonable");
}
END_TEST

START_TEST(case_and_category_values)
{
	struct form *f = parse("Form: statement\nCase: [fgt-2026-0042]\n"
	    "Category: Institute\nText: x\n");

	ck_assert_pstr_eq(norm(f, "case"), "FGT-2026-0042");
	ck_assert_pstr_eq(value(f, "case"), "[fgt-2026-0042]");
	ck_assert_pstr_eq(norm(f, "category"), "institute");
	form_free(f);
}
END_TEST

START_TEST(form_value_words)
{
	struct form *f = parse("Skjema: Søknad om medlemskap\n");

	ck_assert_pstr_eq(f->name, "application");
	form_free(f);
	f = parse("Form: Extraordinary   meeting, please\n");
	ck_assert_pstr_eq(f->name, "demand");
	form_free(f);
	f = parse("Form: membership\nName: Kari\n");
	ck_assert_ptr_null(f->name);
	ck_assert_pstr_eq(f->lang, "en");
	ck_assert_uint_eq(f->nproblems, 1);
	ck_assert_int_eq(f->problems[0].kind, FORM_PROBLEM_UNKNOWN_FORM);
	ck_assert_str_eq(f->problems[0].message,
	    "Form \"membership\" is not a known form");
	form_free(f);
}
END_TEST

START_TEST(language_detection)
{
	struct form *f;

	/* "betaling" is nb, da and nl: the labels decide */
	f = parse("Form: betaling\nBeløb: 500\nDato: 1.3.2026\n");
	ck_assert_pstr_eq(f->lang, "da");
	form_free(f);
	f = parse("Formulier: betaling\nBedrag: 500\n");
	ck_assert_pstr_eq(f->lang, "nl");
	form_free(f);
	/* the form value wins over a majority of other labels */
	f = parse("Form: søknad\nName: A\nCategory: x\nEmail: a@b.no\n");
	ck_assert_pstr_eq(f->lang, "nb");
	form_free(f);
	/* no form line: the majority of labels */
	f = parse("Naam: A\nAdres: B\nName: C\n");
	ck_assert_ptr_null(f->name);
	ck_assert_pstr_eq(f->lang, "nl");
	form_free(f);
}
END_TEST

START_TEST(unknown_labels_kept)
{
	struct form *f = parse("Membership number: 42\n"
	    "Form: update\n"
	    "Phone: 123\n"
	    "Membership number: 17\n"
	    "PS: the diploma\n"
	    "  follows tomorrow\n"
	    "Phone number = 456\n");
	const struct form_field *u;

	ck_assert_uint_eq(f->nfields, 5);
	u = &f->fields[2];
	ck_assert_ptr_null(u->field);
	ck_assert_str_eq(u->label, "Membership number");
	ck_assert_str_eq(u->value, "17");
	ck_assert_uint_eq(u->line, 4);
	ck_assert_str_eq(f->fields[3].label, "PS");
	ck_assert_str_eq(f->fields[3].value, "the diploma follows tomorrow");
	ck_assert_str_eq(f->fields[4].label, "Phone number");
	ck_assert_pstr_eq(value(f, "phone"), "123");
	ck_assert_uint_eq(f->nproblems, 0);
	form_free(f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Required fields                                                     */

START_TEST(missing_required_per_form)
{
	const struct required_case *rc = &REQUIRED[_i];
	/* the form's English name: "demand" is "extraordinary meeting" */
	char *body = xasprintf("Form: %s\n", FORMS[_i].name[0]);
	char *full = xasprintf("Form: %s\n%s", FORMS[_i].name[0],
	    rc->complete);
	struct form *f = parse(body), *g = parse(full);
	char **missing;
	size_t n, i;

	ck_assert_str_eq(FORMS[_i].form, rc->form);
	ck_assert_pstr_eq(f->name, rc->form);
	n = forms_missing_required(T, f, NULL, &missing);
	for (i = 0; rc->missing[i] != NULL; i++) {
		ck_assert_msg(i < n, "%s: too few missing", rc->form);
		ck_assert_str_eq(missing[i], rc->missing[i]);
	}
	ck_assert_uint_eq(n, i);
	ck_assert_ptr_null(missing[n]);
	forms_strv_free(missing);
	n = forms_missing_required(T, g, NULL, &missing);
	ck_assert_msg(n == 0, "%s: still missing %s", rc->form, missing[0]);
	ck_assert_uint_eq(g->nproblems, 0);
	forms_strv_free(missing);
	form_free(f);
	form_free(g);
	free(body);
	free(full);
}
END_TEST

START_TEST(missing_required_extra_and_empty)
{
	static const char *const extra[] = { "attest", "name", NULL };
	static const char *const pfo_extra[] = { "c2", "c2_certified", NULL };
	struct form *f;
	char **missing;
	size_t n;

	/* an empty value is missing; extra items are added once */
	f = parse("Form: application\nName:\nCategory: student\n"
	    "I accept the ethics rules: yes\n");
	n = forms_missing_required(T, f, extra, &missing);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(missing[0], "name");
	ck_assert_str_eq(missing[1], "attest");
	forms_strv_free(missing);
	form_free(f);
	f = parse("Form: pfo\nName: K\nYear: 2025\nSupervision: 12\n");
	n = forms_missing_required(T, f, pfo_extra, &missing);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(missing[0], "c2_certified");
	forms_strv_free(missing);
	form_free(f);
	/* no form, or an unknown one: the form itself is missing */
	f = parse("Name: K\n");
	n = forms_missing_required(T, f, extra, &missing);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(missing[0], "form");
	forms_strv_free(missing);
	form_free(f);
	f = parse("Form: nonsense\n");
	n = forms_missing_required(T, f, NULL, &missing);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(missing[0], "form");
	forms_strv_free(missing);
	form_free(f);
	/* a bad value is present (its problem is reported instead) */
	f = parse("Form: payment\nAmount: lots\n");
	ck_assert_uint_eq(forms_missing_required(T, f, NULL, &missing), 0);
	ck_assert_uint_eq(f->nproblems, 1);
	forms_strv_free(missing);
	form_free(f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Realistic forms                                                     */

START_TEST(realistic_fgt_application_nb)
{
	static const char body[] =
	    "Hei!\r\n"
	    "\r\n"
	    "Her er søknaden min om medlemskap i FGT. Vitnemålet ligger "
	    "ved som PDF.\r\n"
	    "\r\n"
	    "Skjema: Søknad\r\n"
	    "Navn: Kari Nordmann\r\n"
	    "E-post: kari.nordmann@Eksempel.NO\r\n"
	    "Telefon: 912 34 567\r\n"
	    "Adresse: Storgata 1\r\n"
	    "   0155 Oslo\r\n"
	    "Kategori: MFGT\r\n"
	    "Utdanning: Norsk Gestaltinstitutt, fireårig\r\n"
	    "Eksamensdato: 15.06.2025\r\n"
	    "Jeg godtar de etiske retningslinjene: ja\r\n"
	    "Jeg er aldri siktet eller dømt: ja\r\n"
	    "Medlemsnummer i NFP: 1234\r\n"
	    "\r\n"
	    "Med vennlig hilsen\r\n"
	    "Kari\r\n"
	    "-- \r\n"
	    "Kari Nordmann, gestaltterapeut\r\n"
	    "Telefon: 000\r\n";
	static const char *const extra[] = { "attest", NULL };
	struct form *f = parse(body);
	char **missing;

	ck_assert_pstr_eq(f->name, "application");
	ck_assert_pstr_eq(f->lang, "nb");
	ck_assert_int_eq(f->form_first, 1);
	ck_assert_pstr_eq(norm(f, "name"), "Kari Nordmann");
	ck_assert_pstr_eq(norm(f, "email"), "kari.nordmann@eksempel.no");
	ck_assert_pstr_eq(norm(f, "phone"), "912 34 567");
	ck_assert_pstr_eq(norm(f, "address"), "Storgata 1 0155 Oslo");
	ck_assert_pstr_eq(norm(f, "category"), "mfgt");
	ck_assert_pstr_eq(norm(f, "education"),
	    "Norsk Gestaltinstitutt, fireårig");
	ck_assert_pstr_eq(norm(f, "exam_date"), "2025-06-15");
	ck_assert_pstr_eq(norm(f, "ethics"), "yes");
	ck_assert_pstr_eq(norm(f, "attest"), "yes");
	ck_assert_uint_eq(f->nfields, 11);
	ck_assert_ptr_null(f->fields[10].field);
	ck_assert_str_eq(f->fields[10].label, "Medlemsnummer i NFP");
	ck_assert_str_eq(f->fields[10].value, "1234");
	ck_assert_uint_eq(f->nproblems, 0);
	ck_assert_uint_eq(forms_missing_required(T, f, extra, &missing), 0);
	forms_strv_free(missing);
	form_free(f);
}
END_TEST

START_TEST(realistic_pfo_da)
{
	static const char body[] =
	    "Kære sekretær\n"
	    "\n"
	    "Hermed min efteruddannelse for 2025:\n"
	    "\n"
	    "Skema: Efteruddannelse\n"
	    "Navn: Mette Sørensen\n"
	    "År: 2025\n"
	    "Kurser: 10,5\n"
	    "Supervision: 12\n"
	    "Supervision hos certificeret supervisor: 5,5\n"
	    "Konferencer: 6,25 timer\n"
	    "Organisationsarbejde: 0\n"
	    "Undervisning og forskning: 3,0\n"
	    "Egenterapi: 4\n"
	    "Sygemelding: ingen\n"
	    "\n"
	    "Kursusbeviser er vedhæftet.\n"
	    "\n"
	    "Venlig hilsen\n"
	    "Mette\n";
	struct form *f = parse(body);
	char **missing;

	ck_assert_pstr_eq(f->name, "pfo");
	ck_assert_pstr_eq(f->lang, "da");
	ck_assert_pstr_eq(norm(f, "name"), "Mette Sørensen");
	ck_assert_pstr_eq(norm(f, "year"), "2025");
	ck_assert_pstr_eq(norm(f, "c1"), "10.5");
	ck_assert_pstr_eq(norm(f, "c2"), "12");
	ck_assert_pstr_eq(norm(f, "c2_certified"), "5.5");
	ck_assert_pstr_eq(norm(f, "c3"), "6.25");
	ck_assert_pstr_eq(norm(f, "c4"), "0");
	ck_assert_pstr_eq(norm(f, "c5"), "3");
	ck_assert_pstr_eq(norm(f, "c6"), "4");
	ck_assert_pstr_eq(norm(f, "sick_leave"), "none");
	ck_assert_uint_eq(f->nfields, 11);
	ck_assert_uint_eq(f->nproblems, 0);
	ck_assert_uint_eq(forms_missing_required(T, f, NULL, &missing), 0);
	forms_strv_free(missing);
	form_free(f);
}
END_TEST

START_TEST(realistic_resignation_nl)
{
	static const char body[] =
	    "Beste secretaris,\n"
	    "\n"
	    "Hierbij zeg ik mijn lidmaatschap op.\n"
	    "\n"
	    "Formulier: Opzegging\n"
	    "Naam: Jan de Vries\n"
	    "E-mail: jan@Voorbeeld.NL\n"
	    "Datum: 1-4-2026\n"
	    "\n"
	    "Met vriendelijke groet,\n"
	    "Jan de Vries\n"
	    "\n"
	    "Op 2 mrt. 2026 om 10:00 heeft NTP <info@ntp.example> het "
	    "volgende geschreven:\n"
	    "> Beste leden,\n"
	    "> Naam: quoted\n";
	struct form *f = parse(body);
	char **missing;

	ck_assert_pstr_eq(f->name, "resignation");
	ck_assert_pstr_eq(f->lang, "nl");
	ck_assert_pstr_eq(norm(f, "name"), "Jan de Vries");
	ck_assert_pstr_eq(norm(f, "email"), "jan@voorbeeld.nl");
	ck_assert_pstr_eq(norm(f, "date"), "2026-04-01");
	ck_assert_uint_eq(f->nfields, 4);
	ck_assert_uint_eq(f->nproblems, 0);
	ck_assert_uint_eq(forms_missing_required(T, f, NULL, &missing), 0);
	forms_strv_free(missing);
	form_free(f);
}
END_TEST

START_TEST(realistic_complaint_en)
{
	static const char body[] =
	    "To the ethics committee,\n"
	    "\n"
	    "Form: complaint\n"
	    "Name: Anna Smith\n"
	    "Email: anna@example.com\n"
	    "Respondent: Ola Hansen MFGT\n"
	    "Period: autumn 2025\n"
	    "Description: I was in therapy with the respondent from\n"
	    "September to December 2025.\n"
	    "\n"
	    "In the session of 3 November: the respondent told me about\n"
	    "another client by name. Date: I noted it the same evening.\n"
	    "\n"
	    "    I asked him to stop; he did not.\n"
	    "\n"
	    "I would like the committee to look into this.\n"
	    "\n"
	    "-- \n"
	    "Anna Smith\n";
	struct form *f = parse(body);
	const char *d;
	char **missing;

	ck_assert_pstr_eq(f->name, "complaint");
	ck_assert_pstr_eq(f->lang, "en");
	ck_assert_pstr_eq(norm(f, "respondent"), "Ola Hansen MFGT");
	ck_assert_pstr_eq(norm(f, "period"), "autumn 2025");
	d = value(f, "description");
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d, "I was in therapy with the respondent from\n"
	    "September to December 2025.\n"
	    "\n"
	    "In the session of 3 November: the respondent told me about\n"
	    "another client by name. Date: I noted it the same evening.\n"
	    "\n"
	    "    I asked him to stop; he did not.\n"
	    "\n"
	    "I would like the committee to look into this.");
	ck_assert_uint_eq(f->nfields, 6);
	ck_assert_uint_eq(f->nproblems, 0);
	ck_assert_uint_eq(forms_missing_required(T, f, NULL, &missing), 0);
	forms_strv_free(missing);
	form_free(f);
}
END_TEST

int
main(void)
{
	struct clerk_err err;
	Suite *s = suite_create("forms");
	TCase *tc_data = tcase_create("data");
	TCase *tc_rules = tcase_create("rules");
	TCase *tc_values = tcase_create("values");
	TCase *tc_real = tcase_create("realistic");
	SRunner *sr;
	int failed;

	err_clear(&err);
	if (load_real_table(&T, &err) == -1) {
		fprintf(stderr, "check_forms: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	tcase_add_test(tc_data, data_file_loads);
	tcase_add_loop_test(tc_data, label_in_each_language, 0, NLABELS * 4);
	tcase_add_loop_test(tc_data, form_name_in_each_language, 0,
	    NFORMS * 4);
	tcase_add_loop_test(tc_data, table_error_names_line, 0, NBAD);
	tcase_add_test(tc_data, table_minimal_loads);
	suite_add_tcase(s, tc_data);

	tcase_add_test(tc_rules, tolerates_case);
	tcase_add_test(tc_rules, tolerates_spaces);
	tcase_add_test(tc_rules, tolerates_equals_sign);
	tcase_add_test(tc_rules, continuation_lines);
	tcase_add_test(tc_rules, continuation_ends_at_blank_line);
	tcase_add_test(tc_rules, description_runs_to_end);
	tcase_add_test(tc_rules, text_ends_at_known_label);
	tcase_add_test(tc_rules, quoted_lines_ignored);
	tcase_add_test(tc_rules, reply_attribution_dropped);
	tcase_add_test(tc_rules, signature_ignored);
	tcase_add_test(tc_rules, text_before_first_label_ignored);
	tcase_add_test(tc_rules, crlf_and_lone_cr);
	tcase_add_test(tc_rules, bom_and_invisible_characters);
	tcase_add_test(tc_rules, label_hints_and_markers);
	tcase_add_test(tc_rules, checkbox_lines);
	tcase_add_test(tc_rules, known_label_before_form);
	tcase_add_test(tc_rules, second_form_stops);
	tcase_add_test(tc_rules, repeated_field_later_counts);
	tcase_add_test(tc_rules, other_text_markers_end_the_form);
	tcase_add_test(tc_rules, indented_known_label_starts_field);
	tcase_add_test(tc_rules, empty_value_takes_next_line);
	tcase_add_test(tc_rules, url_and_time_are_not_separators);
	tcase_add_test(tc_rules, values_are_clean_utf8);
	tcase_add_test(tc_rules, unknown_labels_kept);
	tcase_add_test(tc_rules, language_detection);
	tcase_add_test(tc_rules, missing_required_extra_and_empty);
	tcase_add_loop_test(tc_rules, missing_required_per_form, 0,
	    NREQUIRED);
	suite_add_tcase(s, tc_rules);

	tcase_add_test(tc_values, yes_no_words);
	tcase_add_test(tc_values, hours_values);
	tcase_add_test(tc_values, hours_message);
	tcase_add_test(tc_values, date_values);
	tcase_add_test(tc_values, amount_values);
	tcase_add_test(tc_values, email_values);
	tcase_add_test(tc_values, year_values);
	tcase_add_test(tc_values, sick_leave_words);
	tcase_add_test(tc_values, grounds_words);
	tcase_add_test(tc_values, case_and_category_values);
	tcase_add_test(tc_values, form_value_words);
	suite_add_tcase(s, tc_values);

	tcase_add_test(tc_real, realistic_fgt_application_nb);
	tcase_add_test(tc_real, realistic_pfo_da);
	tcase_add_test(tc_real, realistic_resignation_nl);
	tcase_add_test(tc_real, realistic_complaint_en);
	suite_add_tcase(s, tc_real);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	forms_table_free(T);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
