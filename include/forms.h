/* Forms written into mail bodies (shared FORMS.md): `Label: value` lines in
 * English, Norwegian, Danish or Dutch, turned into canonical fields.
 *
 * The vocabulary (labels, form names, value words, required fields, value
 * types) is data: workflows/forms/labels.tsv, given to forms_table_load() as
 * text. The parser takes the readable UTF-8 text of a body (MIME, charsets
 * and HTML already undone by the mail model). Pure: no I/O, no clock.
 *
 * Reading rules (FORMS.md, plus the tolerances marked "also"):
 * - A label line is `Label: value` or `Label = value`; the label matches
 *   case-insensitively (ASCII and Latin-1 letters, so Æ Ø Å), ignoring white
 *   space (also non-breaking), '-', '_' and '*', in any of the languages.
 *   The separator is the first ':' or '=' that is not the ':' of a time
 *   ("10:00") or of a URL ("https://").
 *   Also: a trailing "(...)" hint in the label is ignored ("Year (YYYY):"),
 *   and a yes/no field may be ticked as "[x] Label" or "[ ] Label".
 * - A value continues on following lines that begin with white space, and
 *   the line breaks become single spaces. Also: when the label line has no
 *   value, the next line (if it is plain text) is the value (not for yes/no
 *   fields, where an empty value means no).
 *   An indented line that reads as a known label starts that field instead
 *   (forms pasted with indentation).
 * - `multiline` fields (Description, Text) take every following line until a
 *   line with a known label or the end of the body, keeping line breaks
 *   (so "Note: ..." inside a Description stays text, "Date: ..." ends it);
 *   leading and trailing blank lines are dropped, and so is a reply
 *   attribution ("On ..., Bob <bob@x> wrote:") right before quoted lines.
 * - Ignored: lines whose first non-blank character is '>'; everything after
 *   a signature line "-- " (or "--"); text before the first known label.
 *   Also, once a form has started: everything from a line like
 *   "-----Original Message-----", "---------- Forwarded message ---------",
 *   "-----BEGIN PGP SIGNATURE-----" (dashes, words, dashes) or a line of 20
 *   or more '_' (Outlook), which mark the start of other text.
 * - CRLF, lone CR, a BOM and zero-width characters are tolerated anywhere.
 * - The first field should be `form`. A known label before it is tolerated:
 *   its field is kept and form_first is 0. A second `form` line ends the
 *   form (one form per mail) with a FORM_PROBLEM_SECOND_FORM.
 * - A field given twice keeps both entries; the later value counts
 *   (forms_field returns it) and a FORM_PROBLEM_REPEATED is recorded.
 * - Labels not in the table are kept (field NULL) once the form has
 *   started, so they can be shown to the secretary.
 *
 * Values are normalised per type (norm below); a value that does not parse
 * is kept raw with norm NULL and a FORM_PROBLEM_BAD_VALUE:
 *   hours   12 | 12.5 | 12,5 (at most 4 digits before and 2 after the
 *           separator, an optional unit word: "12 timer") -> "12", "12.5"
 *   amount  like hours with up to 9 digits, thousands groups ("1 234,50",
 *           "1.234,50", "1,234.50") and currency words or signs around
 *           ("kr 500,-", "EUR 68", "€68") -> "1234.5", "500", "68"
 *   date    2026-03-01 | 1.3.2026 | 01.03.2026 | 1/3/2026 | 1-3-2026 (day
 *           first; the day must exist; years 1900-2199) -> "2026-03-01"
 *   year    four digits, 1900-2199
 *   yesno   yes/no words of any language, true/false, x; empty or "[ ]"
 *           means no -> "yes" | "no"
 *   email   local@domain.tld (also "<...>", "mailto:") -> domain lower-cased
 *   sick_leave -> "none" | "partial" | "full";  grounds -> "procedure" |
 *           "unreasonable" (both: "procedure,unreasonable")
 *   form    a form name of any language -> canonical form name
 *   lower   kept, lower-cased (category: profiles check the values)
 *   caseref kept without surrounding [ ], upper-cased ("FGT-2026-0042")
 *   text    white space runs collapsed; multiline: line breaks kept
 * Word values (yesno, sick_leave, grounds, form) also match on their first
 * words: "Ja, jeg godtar" is yes, "Søknad om medlemskap" is application.
 * Numbers stay decimal strings with a dot, so no float rounding creeps in.
 *
 * All strings in a struct form are valid UTF-8 without control characters
 * (multiline values keep '\n'); invalid bytes become U+FFFD. */
#ifndef CLERK_FORMS_H
#define CLERK_FORMS_H

#include <stddef.h>

struct clerk_err;
struct forms_table;	/* opaque; read-only after load, may be shared */

enum form_type {
	FORM_TYPE_TEXT = 0,
	FORM_TYPE_LOWER,
	FORM_TYPE_CASEREF,
	FORM_TYPE_MULTILINE,
	FORM_TYPE_HOURS,
	FORM_TYPE_AMOUNT,
	FORM_TYPE_DATE,
	FORM_TYPE_YEAR,
	FORM_TYPE_YESNO,
	FORM_TYPE_EMAIL,
	FORM_TYPE_SICK_LEAVE,
	FORM_TYPE_GROUNDS,
	FORM_TYPE_FORM,
};

enum form_problem_kind {
	FORM_PROBLEM_BAD_VALUE = 0,	/* value does not parse as its type */
	FORM_PROBLEM_UNKNOWN_FORM,	/* the form value names no known form */
	FORM_PROBLEM_REPEATED,		/* field given twice; the later counts */
	FORM_PROBLEM_SECOND_FORM,	/* another form line: the rest ignored */
};

struct form_field {
	char		*field;	/* owned; canonical name; NULL for a label
				 * that is not in the table */
	char		*label;	/* owned; the label as written, trimmed */
	char		*value;	/* owned; raw value, trimmed; "" when empty */
	char		*norm;	/* owned; normalised value (see above); NULL
				 * when empty or when it does not parse */
	unsigned	 line;	/* line of the label in the text, from 1 */
};

struct form_problem {
	enum form_problem_kind kind;
	char		*field;	/* owned; canonical name of the field */
	char		*label;	/* owned; the label as written */
	char		*value;	/* owned; the raw value */
	char		*message; /* owned; English, names label and value:
				 * `Kurs "twelve" is not a number` */
	unsigned	 line;
};

struct form {
	char		*name;	/* owned; canonical form name; NULL when there
				 * is no form line or its value is unknown */
	const char	*lang;	/* static "en", "nb", "da" or "nl": the
				 * language of the form value, narrowed (or,
				 * without one, decided) by the majority of
				 * the labels; NULL when no known label */
	int		 form_first; /* the form line was the first label */
	struct form_field *fields; /* owned; in order of appearance */
	size_t		 nfields;
	struct form_problem *problems; /* owned */
	size_t		 nproblems;
};

/* Reads a table from `text` (labels.tsv format; `name` is used in error
 * messages, which read "name:line: what"). On success *out is a new table
 * the caller frees with forms_table_free. Errors are permanent. */
int forms_table_load(const char *text, size_t len, const char *name,
    struct forms_table **out, struct clerk_err *err);
void forms_table_free(struct forms_table *t);

/* The type of a canonical field, or -1 when the table has no such field
 * (for profile loaders that name fields). */
int forms_field_type(const struct forms_table *t, const char *field);
/* The label of a field, or the name of a form, as the table gives it first
 * for `lang` ("en", ...); NULL when unknown. Static for the table's life. */
const char *forms_label(const struct forms_table *t, const char *field,
    const char *lang);
const char *forms_form_label(const struct forms_table *t, const char *form,
    const char *lang);

/* Parses the readable text of a body (`len` bytes, NULs allowed; text may
 * be NULL when len is 0) into a new *out, which the caller frees with
 * form_free. Never fails: a text without
 * a form gives name NULL and no fields. */
void forms_parse(const struct forms_table *t, const char *text, size_t len,
    struct form **out);
void form_free(struct form *f);

/* The answer a reply gives on its first line of its own (quoted lines and
 * blank lines skipped; nothing after a "-- " line): "confirm", "cancel" or
 * "withdraw" when that line is, or begins with, one of the table's
 * `answer` words ("Confirm", "Nei", "Trekk tilbake ..."), else NULL.
 * Static string. */
const char *forms_answer(const struct forms_table *t, const char *text);

/* The field with that canonical name (the last one when repeated), or
 * NULL. */
const struct form_field *forms_field(const struct form *f, const char *field);

/* Lists the required fields that are absent (or empty; an empty yes/no
 * counts as "no", which is an answer) for the form's type, plus those in
 * `extra` (NULL-terminated, may be NULL; profile additions such as
 * "attest"). Each item is a canonical name, or alternatives "a|b|c" of
 * which none was given; when the form itself is missing or unknown the
 * only item is "form". *missing is a new NULL-terminated array (free it
 * with forms_strv_free); returns the number of items. */
size_t forms_missing_required(const struct forms_table *t,
    const struct form *f, const char *const *extra, char ***missing);
void forms_strv_free(char **v);

#endif
