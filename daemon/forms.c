/* Forms in mail bodies: the vocabulary table and the parser (see forms.h). */
#include "forms.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "xmalloc.h"

#define NLANG		4
#define MAX_COLS	(3 + NLANG)
#define BAD_CP		0x110000u	/* stands for a byte that is not UTF-8 */
#define MAX_LABEL	200	/* longer text before ':' is never a label */
#define MAX_OTHER_LABEL	60	/* ... nor an unknown label over this */
#define MAX_PREFIX_WORDS 6	/* word values match on this many first words */
#define MAX_HOUR_DIGITS	4
#define MAX_AMOUNT_DIGITS 9
#define MSG_VALUE_MAX	60	/* bytes of a value quoted in a message */

static const char *const lang_names[NLANG] = { "en", "nb", "da", "nl" };

enum word_class {
	WC_LABEL = 0,
	WC_FORM,
	WC_YESNO,
	WC_SICK_LEAVE,
	WC_GROUNDS,
	WC_UNIT,
	WC_REPLY,
	WC_ANSWER,
	WC_COUNT
};

static const char *const class_names[WC_COUNT] = {
	"label", "form name", "yesno", "sick_leave", "grounds", "unit", "reply", "answer"
};

/* The canonical words the rest of clerk relies on (FORMS.md); the table
 * only supplies the words of each language for them. */
static const char *const class_values[WC_COUNT][4] = {
	[WC_YESNO] = { "yes", "no", NULL },
	[WC_SICK_LEAVE] = { "none", "partial", "full", NULL },
	[WC_GROUNDS] = { "procedure", "unreasonable", NULL },
	[WC_UNIT] = { "hours", NULL },
	[WC_REPLY] = { "wrote", NULL },
	[WC_ANSWER] = { "confirm", "cancel", "withdraw", NULL },
};

static const char *const type_names[] = {
	[FORM_TYPE_TEXT] = "text",
	[FORM_TYPE_LOWER] = "lower",
	[FORM_TYPE_CASEREF] = "caseref",
	[FORM_TYPE_MULTILINE] = "multiline",
	[FORM_TYPE_HOURS] = "hours",
	[FORM_TYPE_AMOUNT] = "amount",
	[FORM_TYPE_DATE] = "date",
	[FORM_TYPE_YEAR] = "year",
	[FORM_TYPE_YESNO] = "yesno",
	[FORM_TYPE_EMAIL] = "email",
	[FORM_TYPE_SICK_LEAVE] = "sick_leave",
	[FORM_TYPE_GROUNDS] = "grounds",
	[FORM_TYPE_FORM] = "form",
};
#define NTYPES (sizeof(type_names) / sizeof(type_names[0]))

struct ft_field {
	char		*name;		/* owned */
	enum form_type	 type;
	char		*label[NLANG];	/* owned; first alternative, or NULL */
	unsigned	 line;
};

struct ft_form {
	char		*name;		/* owned */
	char		*required;	/* owned; "" when nothing is required */
	char		*label[NLANG];	/* owned; first alternative, or NULL */
	unsigned	 line;
};

/* A label or a value word under its folded key. */
struct ft_entry {
	char		*key;		/* owned */
	enum word_class	 cls;
	size_t		 target;	/* index of the field (WC_LABEL), form
					 * (WC_FORM) or class_values word */
	unsigned	 langs;		/* bit per lang_names index */
	unsigned	 line;
};

struct forms_table {
	struct ft_field	*fields;	/* owned */
	size_t		 nfields, capfields;
	struct ft_form	*forms;		/* owned */
	size_t		 nforms, capforms;
	struct ft_entry	*entries;	/* owned */
	size_t		 nentries, capentries;
	size_t		 form_field;	/* index of the field of type form */
	unsigned	 langs;		/* bit per language column */
};

/* ------------------------------------------------------------------ */
/* UTF-8 and folding                                                   */

/* Decodes the character at s (n >= 1 bytes left) into *cp and returns its
 * length; a byte that does not start a valid character gives BAD_CP, 1. */
static size_t
u8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		goto bad;
	if (n < len)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = BAD_CP;
	return 1;
}

static void
u8_encode(struct buf *b, uint32_t c)
{
	char s[4];

	if (c >= BAD_CP)
		c = 0xFFFD;
	if (c < 0x80) {
		buf_append_char(b, (char)c);
	} else if (c < 0x800) {
		s[0] = (char)(0xC0 | (c >> 6));
		s[1] = (char)(0x80 | (c & 0x3F));
		buf_append(b, s, 2);
	} else if (c < 0x10000) {
		s[0] = (char)(0xE0 | (c >> 12));
		s[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		s[2] = (char)(0x80 | (c & 0x3F));
		buf_append(b, s, 3);
	} else {
		s[0] = (char)(0xF0 | (c >> 18));
		s[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		s[3] = (char)(0x80 | (c & 0x3F));
		buf_append(b, s, 4);
	}
}

/* White space as mail programs produce it, including the non-breaking and
 * typographic spaces that HTML-to-text conversion leaves behind. */
static int
is_space_cp(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	    c == '\r' || c == 0xA0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Characters that take no room: BOM, zero-width space and joiners, word
 * joiner, soft hyphen. */
static int
is_invisible_cp(uint32_t c)
{
	return c == 0xFEFF || (c >= 0x200B && c <= 0x200D) || c == 0x2060 ||
	    c == 0xAD;
}

static int
is_control_cp(uint32_t c)
{
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0);
}

/* Lower case for ASCII and Latin-1 (Æ Ø Å and the other accented capitals;
 * U+00D7 is the multiplication sign). */
static uint32_t
fold_cp(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	return c;
}

/* The key labels and words are compared by: folded, without white space,
 * invisible characters, '-', '_' and '*' (so "E-mail" = "Email", and a
 * required-marker "Name*" = "Name"). A decomposed a + ring above (macOS
 * writes "å" so) becomes å. With `keep` nonzero only the case is folded. */
static char *
fold(const char *s, size_t n, int keep)
{
	struct buf b = BUF_INIT;
	size_t i = 0;
	uint32_t c;

	while (i < n) {
		i += u8_decode(s + i, n - i, &c);
		if (!keep && (is_space_cp(c) || is_invisible_cp(c) ||
		    c == '-' || c == '_' || c == '*' || c == 0x2010 ||
		    c == 0x2011 || c == 0x2013))
			continue;
		if (c == 0x30A && b.len > 0 && b.data[b.len - 1] == 'a') {
			b.len--;	/* 'a' is already folded */
			c = 0xE5;
		}
		if (!keep && is_control_cp(c))
			c = 0xFFFD;	/* never part of a label or word */
		u8_encode(&b, fold_cp(c));
	}
	return buf_steal(&b);
}

/* Appends s (n bytes) as clean UTF-8: invalid bytes become U+FFFD,
 * invisible characters go, control characters and any white space become
 * a space; leading spaces are kept only without `collapse`, runs of spaces
 * become one with it, trailing spaces are never appended. */
static void
clean_append(struct buf *b, const char *s, size_t n, int collapse)
{
	size_t i = 0, spaces = 0, k;
	int wrote = 0;
	uint32_t c;

	while (i < n) {
		i += u8_decode(s + i, n - i, &c);
		if (is_invisible_cp(c))
			continue;
		if (c != BAD_CP && (is_space_cp(c) || is_control_cp(c))) {
			spaces++;
			continue;
		}
		if (spaces > 0 && (wrote || !collapse)) {
			for (k = 0; k < (collapse ? 1 : spaces); k++)
				buf_append_char(b, ' ');
		}
		spaces = 0;
		u8_encode(b, c);
		wrote = 1;
	}
}

static char *
clean_copy(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	clean_append(&b, s, n, 1);
	return buf_steal(&b);
}

/* Moves *s past leading white space and invisible characters. */
static void
ltrim(const char **s, size_t *n)
{
	uint32_t c;
	size_t len;

	while (*n > 0) {
		len = u8_decode(*s, *n, &c);
		if (!is_space_cp(c) && !is_invisible_cp(c))
			break;
		*s += len;
		*n -= len;
	}
}

/* Drops trailing white space and invisible characters from the length. */
static void
rtrim(const char *s, size_t *n)
{
	size_t k;
	uint32_t c;
	int found;

	while (*n > 0) {
		found = 0;
		for (k = 1; k <= 3 && k <= *n; k++) {
			if (u8_decode(s + *n - k, k, &c) == k &&
			    (is_space_cp(c) || is_invisible_cp(c))) {
				*n -= k;
				found = 1;
				break;
			}
		}
		if (!found)
			break;
	}
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_word_break(char c)
{
	return c == ' ' || c == ',' || c == '.' || c == ';' || c == ':' ||
	    c == '!' || c == '?' || c == '(' || c == ')' || c == '[' ||
	    c == ']' || c == '/';
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

static int
lang_index(const char *name)
{
	int i;

	for (i = 0; i < NLANG; i++)
		if (strcmp(lang_names[i], name) == 0)
			return i;
	return -1;
}

static const struct ft_entry *
lookup(const struct forms_table *t, enum word_class cls, const char *key)
{
	size_t i;

	if (key[0] == '\0')
		return NULL;
	for (i = 0; i < t->nentries; i++)
		if (t->entries[i].cls == cls &&
		    strcmp(t->entries[i].key, key) == 0)
			return &t->entries[i];
	return NULL;
}

static const struct ft_entry *
lookup_text(const struct forms_table *t, enum word_class cls, const char *s,
    size_t n)
{
	const struct ft_entry *e;
	char *key = fold(s, n, 0);

	e = lookup(t, cls, key);
	free(key);
	return e;
}

/* A word value: the whole text, or else the longest run of its first few
 * words ("Ja, jeg godtar" is "ja", "Søknad om medlemskap" is "søknad"). */
static const struct ft_entry *
lookup_words(const struct forms_table *t, enum word_class cls, const char *s,
    size_t n)
{
	const struct ft_entry *e;
	size_t i = 0, end, words = 0;

	if ((e = lookup_text(t, cls, s, n)) != NULL)
		return e;
	while (i < n && words < MAX_PREFIX_WORDS) {
		while (i < n && is_word_break(s[i]))
			i++;
		if (i == n)
			break;
		while (i < n && !is_word_break(s[i]))
			i++;
		words++;
	}
	end = i;
	for (;;) {
		while (end > 0 && is_word_break(s[end - 1]))
			end--;
		if (end == 0)
			return NULL;
		if (end < n && (e = lookup_text(t, cls, s, end)) != NULL)
			return e;
		while (end > 0 && !is_word_break(s[end - 1]))
			end--;
	}
}

static const struct ft_field *
find_field(const struct forms_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return &t->fields[i];
	return NULL;
}

static const struct ft_form *
find_form(const struct forms_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nforms; i++)
		if (strcmp(t->forms[i].name, name) == 0)
			return &t->forms[i];
	return NULL;
}

void
forms_table_free(struct forms_table *t)
{
	size_t i;
	int l;

	if (t == NULL)
		return;
	for (i = 0; i < t->nfields; i++) {
		free(t->fields[i].name);
		for (l = 0; l < NLANG; l++)
			free(t->fields[i].label[l]);
	}
	for (i = 0; i < t->nforms; i++) {
		free(t->forms[i].name);
		free(t->forms[i].required);
		for (l = 0; l < NLANG; l++)
			free(t->forms[i].label[l]);
	}
	for (i = 0; i < t->nentries; i++)
		free(t->entries[i].key);
	free(t->fields);
	free(t->forms);
	free(t->entries);
	free(t);
}

struct loader {
	struct forms_table *t;
	const char	*name;
	unsigned	 line;
	int		 col_lang[NLANG];	/* column -> lang_names index */
	size_t		 ncols;			/* 0 until "languages" */
	struct clerk_err *err;
};

static int lfail(struct loader *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Reports "name:line: what" and returns -1. */
static int
lfail(struct loader *ld, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(ld->err, ERR_FINAL, "%s:%u: %s", ld->name, ld->line, msg);
	return -1;
}

static const char *
target_name(const struct forms_table *t, enum word_class cls, size_t target)
{
	if (cls == WC_LABEL)
		return t->fields[target].name;
	if (cls == WC_FORM)
		return t->forms[target].name;
	return class_values[cls][target];
}

static int
add_entry(struct loader *ld, enum word_class cls, const char *text,
    size_t target, int lang)
{
	struct forms_table *t = ld->t;
	struct ft_entry *e;
	char *key = fold(text, strlen(text), 0);
	size_t i;
	int rc = -1;

	if (key[0] == '\0') {
		lfail(ld, "%s \"%s\" is empty once spaces and '-' are ignored",
		    class_names[cls], text);
		goto out;
	}
	for (i = 0; i < t->nentries; i++) {
		e = &t->entries[i];
		if (e->cls != cls || strcmp(e->key, key) != 0)
			continue;
		if (e->target != target) {
			lfail(ld, "%s \"%s\" means both \"%s\" (line %u) and "
			    "\"%s\"", class_names[cls], text,
			    target_name(t, cls, e->target), e->line,
			    target_name(t, cls, target));
			goto out;
		}
		e->langs |= 1u << lang;
		rc = 0;
		goto out;
	}
	t->entries = xgrow(t->entries, &t->capentries, t->nentries + 1,
	    sizeof(*t->entries));
	e = &t->entries[t->nentries++];
	e->key = key;
	key = NULL;
	e->cls = cls;
	e->target = target;
	e->langs = 1u << lang;
	e->line = ld->line;
	rc = 0;
out:
	free(key);
	return rc;
}

/* One cell: alternatives separated by '|', or "-" for none when
 * `allow_none`. The first alternative goes to *first when that is NULL. */
static int
add_cell(struct loader *ld, char *cell, enum word_class cls, size_t target,
    int lang, int allow_none, char **first)
{
	char *p = cell, *alt, *bar;
	size_t n;

	if (strcmp(cell, "-") == 0) {
		if (allow_none)
			return 0;
		return lfail(ld, "a %s is needed in every language column",
		    class_names[cls]);
	}
	for (;;) {
		bar = strchr(p, '|');
		if (bar != NULL)
			*bar = '\0';
		while (*p == ' ')
			p++;
		n = strlen(p);
		while (n > 0 && p[n - 1] == ' ')
			p[--n] = '\0';
		alt = p;
		if (n == 0)
			return lfail(ld, "empty alternative in a %s cell",
			    class_names[cls]);
		if (add_entry(ld, cls, alt, target, lang) == -1)
			return -1;
		if (first != NULL && *first == NULL)
			*first = xstrdup(alt);
		if (bar == NULL)
			return 0;
		p = bar + 1;
	}
}

static int
valid_name(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || is_digit(*s) || *s == '_'))
			return 0;
	return 1;
}

static int
load_languages(struct loader *ld, char **cells, size_t n)
{
	size_t i, j;
	int l;

	if (ld->ncols > 0)
		return lfail(ld, "\"languages\" given twice");
	if (n < 2)
		return lfail(ld, "\"languages\" names no language");
	if (n - 1 > NLANG)
		return lfail(ld, "more than %d language columns", NLANG);
	for (i = 1; i < n; i++) {
		if ((l = lang_index(cells[i])) < 0)
			return lfail(ld, "unknown language column \"%s\" "
			    "(known: en, nb, da, nl)", cells[i]);
		for (j = 1; j < i; j++)
			if (strcmp(cells[j], cells[i]) == 0)
				return lfail(ld, "language \"%s\" given twice",
				    cells[i]);
		ld->col_lang[i - 1] = l;
		ld->t->langs |= 1u << l;
	}
	ld->ncols = n - 1;
	return 0;
}

static int
load_field(struct loader *ld, char **cells)
{
	struct forms_table *t = ld->t;
	struct ft_field *f;
	size_t i, idx;
	int type = -1;

	if (!valid_name(cells[1]))
		return lfail(ld, "field name \"%s\" is not [a-z][a-z0-9_]*",
		    cells[1]);
	if (find_field(t, cells[1]) != NULL)
		return lfail(ld, "field \"%s\" defined twice", cells[1]);
	for (i = 0; i < NTYPES; i++)
		if (strcmp(type_names[i], cells[2]) == 0)
			type = (int)i;
	if (type < 0)
		return lfail(ld, "unknown value type \"%s\"", cells[2]);
	if (type == FORM_TYPE_FORM) {
		for (i = 0; i < t->nfields; i++)
			if (t->fields[i].type == FORM_TYPE_FORM)
				return lfail(ld, "a second field of type form "
				    "(\"%s\" is one)", t->fields[i].name);
		t->form_field = t->nfields;
	}
	t->fields = xgrow(t->fields, &t->capfields, t->nfields + 1,
	    sizeof(*t->fields));
	idx = t->nfields++;
	f = &t->fields[idx];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(cells[1]);
	f->type = (enum form_type)type;
	f->line = ld->line;
	for (i = 0; i < ld->ncols; i++)
		if (add_cell(ld, cells[3 + i], WC_LABEL, idx, ld->col_lang[i],
		    0, &t->fields[idx].label[ld->col_lang[i]]) == -1)
			return -1;
	return 0;
}

static int
load_form(struct loader *ld, char **cells)
{
	struct forms_table *t = ld->t;
	struct ft_form *f;
	size_t i, idx;

	if (!valid_name(cells[1]))
		return lfail(ld, "form name \"%s\" is not [a-z][a-z0-9_]*",
		    cells[1]);
	if (find_form(t, cells[1]) != NULL)
		return lfail(ld, "form \"%s\" defined twice", cells[1]);
	t->forms = xgrow(t->forms, &t->capforms, t->nforms + 1,
	    sizeof(*t->forms));
	idx = t->nforms++;
	f = &t->forms[idx];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(cells[1]);
	f->required = xstrdup(strcmp(cells[2], "-") == 0 ? "" : cells[2]);
	f->line = ld->line;
	for (i = 0; i < ld->ncols; i++)
		if (add_cell(ld, cells[3 + i], WC_FORM, idx, ld->col_lang[i],
		    0, &t->forms[idx].label[ld->col_lang[i]]) == -1)
			return -1;
	return 0;
}

static int
load_word(struct loader *ld, char **cells)
{
	size_t i, target;
	int cls = -1;

	for (i = WC_YESNO; i < WC_COUNT; i++)
		if (strcmp(class_names[i], cells[1]) == 0)
			cls = (int)i;
	if (cls < 0)
		return lfail(ld, "unknown word class \"%s\" (known: yesno, "
		    "sick_leave, grounds, unit, reply, answer)", cells[1]);
	for (target = 0; class_values[cls][target] != NULL; target++)
		if (strcmp(class_values[cls][target], cells[2]) == 0)
			break;
	if (class_values[cls][target] == NULL)
		return lfail(ld, "\"%s\" is not a value of %s", cells[2],
		    cells[1]);
	for (i = 0; i < ld->ncols; i++)
		if (add_cell(ld, cells[3 + i], (enum word_class)cls, target,
		    ld->col_lang[i], 1, NULL) == -1)
			return -1;
	return 0;
}

/* Splits a line at runs of TABs; cells are trimmed of spaces. Returns the
 * number of cells, or max + 1 when there are more. */
static size_t
split_cells(char *s, char **cells, size_t max)
{
	size_t n = 0, i, len;
	char *c;

	while (*s != '\0') {
		while (*s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (n == max)
			return max + 1;
		cells[n++] = s;
		while (*s != '\0' && *s != '\t')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
	for (i = 0; i < n; i++) {
		c = cells[i];
		while (*c == ' ')
			c++;
		len = strlen(c);
		while (len > 0 && c[len - 1] == ' ')
			c[--len] = '\0';
		cells[i] = c;
	}
	return n;
}

static int
load_line(struct loader *ld, const char *s, size_t n)
{
	char *copy = NULL, *cells[MAX_COLS + 1];
	size_t i, ncells, want;
	uint32_t c;
	int rc = -1;

	for (i = 0; i < n; ) {
		i += u8_decode(s + i, n - i, &c);
		if (c == BAD_CP)
			return lfail(ld, "not valid UTF-8");
		if (c == 0)
			return lfail(ld, "NUL byte");
	}
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n == 0 || *s == '#')
		return 0;
	copy = xstrndup(s, n);
	ncells = split_cells(copy, cells, MAX_COLS);
	for (i = 0; i < ncells && i < MAX_COLS; i++)
		if (cells[i][0] == '\0') {
			lfail(ld, "empty cell %zu", i + 1);
			goto out;
		}
	if (strcmp(cells[0], "languages") == 0) {
		if (ncells > MAX_COLS) {
			lfail(ld, "more than %d language columns", NLANG);
			goto out;
		}
		rc = load_languages(ld, cells, ncells);
		goto out;
	}
	if (strcmp(cells[0], "field") != 0 && strcmp(cells[0], "form") != 0 &&
	    strcmp(cells[0], "word") != 0) {
		lfail(ld, "unknown record \"%s\" (known: languages, field, "
		    "form, word)", cells[0]);
		goto out;
	}
	if (ld->ncols == 0) {
		lfail(ld, "\"%s\" before the \"languages\" line", cells[0]);
		goto out;
	}
	want = 3 + ld->ncols;
	if (ncells != want) {
		if (ncells > MAX_COLS)
			lfail(ld, "%s record has more than %zu cells, "
			    "need %zu", cells[0], (size_t)MAX_COLS, want);
		else
			lfail(ld, "%s record has %zu cells, need %zu "
			    "(3 + one per language)", cells[0], ncells, want);
		goto out;
	}
	if (strcmp(cells[0], "field") == 0)
		rc = load_field(ld, cells);
	else if (strcmp(cells[0], "form") == 0)
		rc = load_form(ld, cells);
	else
		rc = load_word(ld, cells);
out:
	free(copy);
	return rc;
}

/* Required lists name fields: "a,b|c" (b or c). */
static int
check_required(struct loader *ld, const struct ft_form *f)
{
	const char *p = f->required, *q;
	char *name;
	size_t n;
	int rc = 0;

	while (*p != '\0' && rc == 0) {
		q = p + strcspn(p, ",|");
		n = (size_t)(q - p);
		name = xstrndup(p, n);
		if (n == 0)
			rc = lfail(ld, "form \"%s\": empty name in required "
			    "list \"%s\"", f->name, f->required);
		else if (find_field(ld->t, name) == NULL)
			rc = lfail(ld, "form \"%s\" requires unknown field "
			    "\"%s\"", f->name, name);
		free(name);
		p = *q != '\0' ? q + 1 : q;
		if (*q != '\0' && *p == '\0' && rc == 0)
			rc = lfail(ld, "form \"%s\": required list \"%s\" "
			    "ends with a separator", f->name, f->required);
	}
	return rc;
}

static int
load_finish(struct loader *ld)
{
	struct forms_table *t = ld->t;
	size_t i;
	unsigned last = ld->line;
	int yes = 0, no = 0;

	if (ld->ncols == 0)
		return lfail(ld, "no \"languages\" line");
	if (t->nfields == 0 || t->fields[t->form_field].type != FORM_TYPE_FORM)
		return lfail(ld, "no field of type form (the field that names "
		    "the form)");
	if (t->nforms == 0)
		return lfail(ld, "no form records");
	for (i = 0; i < t->nforms; i++) {
		ld->line = t->forms[i].line;
		if (check_required(ld, &t->forms[i]) == -1)
			return -1;
	}
	ld->line = last;
	for (i = 0; i < t->nentries; i++) {
		if (t->entries[i].cls != WC_YESNO)
			continue;
		yes |= t->entries[i].target == 0;
		no |= t->entries[i].target == 1;
	}
	if (!yes || !no)
		return lfail(ld, "yesno words for both yes and no are needed");
	return 0;
}

int
forms_table_load(const char *text, size_t len, const char *name,
    struct forms_table **out, struct clerk_err *err)
{
	struct loader ld;
	const char *p = text, *end = text != NULL ? text + len : NULL, *e;
	size_t n;
	int rc = -1;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.t = xcalloc(1, sizeof(*ld.t));
	ld.name = name != NULL ? name : "labels";
	ld.err = err;
	while (p < end) {
		ld.line++;
		e = memchr(p, '\n', (size_t)(end - p));
		if (e == NULL)
			e = end;
		n = (size_t)(e - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (load_line(&ld, p, n) == -1)
			goto out;
		p = e < end ? e + 1 : end;
	}
	if (load_finish(&ld) == -1)
		goto out;
	*out = ld.t;
	ld.t = NULL;
	rc = 0;
out:
	forms_table_free(ld.t);
	return rc;
}

int
forms_field_type(const struct forms_table *t, const char *field)
{
	const struct ft_field *f = find_field(t, field);

	return f != NULL ? (int)f->type : -1;
}

const char *
forms_label(const struct forms_table *t, const char *field, const char *lang)
{
	const struct ft_field *f = find_field(t, field);
	int l = lang != NULL ? lang_index(lang) : -1;

	return f != NULL && l >= 0 ? f->label[l] : NULL;
}

const char *
forms_form_label(const struct forms_table *t, const char *form,
    const char *lang)
{
	const struct ft_form *f = find_form(t, form);
	int l = lang != NULL ? lang_index(lang) : -1;

	return f != NULL && l >= 0 ? f->label[l] : NULL;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

/* "int[.frac]" without leading zeros in int or trailing zeros in frac;
 * NULL when int has more than `maxint` digits. */
static char *
decimal_string(const char *ip, size_t il, const char *fp, size_t fl,
    size_t maxint)
{
	while (il > 0 && *ip == '0') {
		ip++;
		il--;
	}
	while (fl > 0 && fp[fl - 1] == '0')
		fl--;
	if (il > maxint)
		return NULL;
	if (fl == 0)
		return il == 0 ? xstrdup("0") : xstrndup(ip, il);
	return xasprintf("%.*s.%.*s", il == 0 ? 1 : (int)il,
	    il == 0 ? "0" : ip, (int)fl, fp);
}

/* 12 | 12.5 | 12,5 | .5, then optionally a unit word ("12 timer"). */
static char *
norm_hours(const struct forms_table *t, const char *s, size_t n)
{
	size_t i = 0, il, fl = 0, rest;
	const char *fp = NULL;

	while (i < n && is_digit(s[i]))
		i++;
	il = i;
	if (i < n && (s[i] == '.' || s[i] == ',')) {
		fp = s + ++i;
		while (i < n && is_digit(s[i]))
			i++;
		fl = (size_t)(s + i - fp);
	}
	if (il + fl == 0 || fl > 2)
		return NULL;
	while (i < n && s[i] == ' ')
		i++;
	if (i < n) {
		rest = n - i;
		if (s[n - 1] == '.')
			rest--;
		if (lookup_text(t, WC_UNIT, s + i, rest) == NULL)
			return NULL;
	}
	return decimal_string(s, il, fp, fl, MAX_HOUR_DIGITS);
}

/* A sum of money: digits in thousands groups ("1 234", "1.234", "1,234",
 * "1'234"), an optional decimal part of one or two digits after '.' or
 * ',', currency words or signs on either side, and ",-" for "no öre". */
static char *
norm_amount(const char *s, size_t n)
{
	size_t a = 0, b = n, i, il = 0, groups = 0, k;
	const char *fp = NULL;
	char digits[MAX_AMOUNT_DIGITS + 1], gsep = 0;
	size_t fl = 0;

	/* currency before: "kr", "kr.", "NOK", "€", "$" */
	for (;;) {
		if (a < b && (is_alpha(s[a]) || (unsigned char)s[a] >= 0x80 ||
		    s[a] == '$' || s[a] == ' '))
			a++;
		else if (a < b && s[a] == '.' && a > 0 && is_alpha(s[a - 1]))
			a++;
		else
			break;
	}
	/* and after: "kr", "DKK", ",-", ".-", ",--" */
	for (;;) {
		if (b > a && (is_alpha(s[b - 1]) ||
		    (unsigned char)s[b - 1] >= 0x80 || s[b - 1] == '$' ||
		    s[b - 1] == ' '))
			b--;
		else if (b > a + 1 && s[b - 1] == '.' && is_alpha(s[b - 2]))
			b--;
		else if (b > a + 1 && s[b - 1] == '-') {
			while (b > a && s[b - 1] == '-')
				b--;
			if (b > a && (s[b - 1] == ',' || s[b - 1] == '.'))
				b--;
			else
				return NULL;
		} else
			break;
	}
	if (a == b || !is_digit(s[a]))
		return NULL;
	/* the decimal part: the last '.' or ',' followed by 1-2 digits */
	for (i = b; i > a && is_digit(s[i - 1]); i--)
		;
	if (i > a && (s[i - 1] == '.' || s[i - 1] == ',') && b - i >= 1 &&
	    b - i <= 2) {
		fp = s + i;
		fl = b - i;
		b = i - 1;
	} else if (i > a && (s[i - 1] == '.' || s[i - 1] == ',') && b == i) {
		b = i - 1;	/* "500." */
	}
	/* the integer part, with one kind of group separator */
	for (i = a; i < b; ) {
		k = i;
		while (i < b && is_digit(s[i]))
			i++;
		if (i == k)
			return NULL;
		if (groups > 0 && i - k != 3)
			return NULL;
		if (groups == 0 && i - k > 3 && i < b)
			return NULL;
		groups++;
		for (; k < i; k++) {
			if (il == 0 && s[k] == '0')
				continue;
			if (il == MAX_AMOUNT_DIGITS)
				return NULL;
			digits[il++] = s[k];
		}
		if (i < b) {
			if (s[i] != ' ' && s[i] != '.' && s[i] != ',' &&
			    s[i] != '\'')
				return NULL;
			if (gsep != 0 && s[i] != gsep)
				return NULL;
			if (fp != NULL && s[i] == fp[-1])
				return NULL;
			gsep = s[i++];
		}
	}
	digits[il] = '\0';
	return decimal_string(digits, il, fp, fl, MAX_AMOUNT_DIGITS);
}

static int
leap_year(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
days_in_month(unsigned y, unsigned m)
{
	static const unsigned days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* 2026-03-01, or day first: 1.3.2026, 01.03.2026, 1/3/2026, 1-3-2026
 * (spaces after a separator allowed: "1. 3. 2026"). */
static char *
norm_date(const char *s, size_t n)
{
	unsigned v[3], y, m, d;
	size_t len[3], i = 0, k;
	char sep[2] = { 0, 0 };

	for (k = 0; k < 3; k++) {
		v[k] = 0;
		len[k] = 0;
		while (i < n && is_digit(s[i]) && len[k] < 5) {
			v[k] = v[k] * 10 + (unsigned)(s[i++] - '0');
			len[k]++;
		}
		if (len[k] == 0 || len[k] > 4)
			return NULL;
		if (k == 2)
			break;
		if (i == n || (s[i] != '-' && s[i] != '.' && s[i] != '/'))
			return NULL;
		sep[k] = s[i++];
		while (i < n && s[i] == ' ')
			i++;
	}
	if (i != n || sep[0] != sep[1])
		return NULL;
	if (len[0] == 4 && len[1] <= 2 && len[2] <= 2) {
		y = v[0];
		m = v[1];
		d = v[2];
	} else if (len[2] == 4 && len[0] <= 2 && len[1] <= 2) {
		d = v[0];
		m = v[1];
		y = v[2];
	} else
		return NULL;
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m))
		return NULL;
	return xasprintf("%04u-%02u-%02u", y, m, d);
}

static char *
norm_year(const char *s, size_t n)
{
	unsigned y = 0;
	size_t i;

	if (n != 4)
		return NULL;
	for (i = 0; i < 4; i++) {
		if (!is_digit(s[i]))
			return NULL;
		y = y * 10 + (unsigned)(s[i] - '0');
	}
	return y >= 1900 && y <= 2199 ? xstrndup(s, 4) : NULL;
}

/* Yes/no words; "[x]" and "[ ]" as ticked and unticked boxes; empty is no. */
static char *
norm_yesno(const struct forms_table *t, const char *s, size_t n)
{
	const struct ft_entry *e;

	if (n >= 2 && (s[0] == '[' || s[0] == '(') &&
	    (s[n - 1] == ']' || s[n - 1] == ')')) {
		s++;
		n -= 2;
		ltrim(&s, &n);
		rtrim(s, &n);
	}
	if (n == 0)
		return xstrdup("no");
	if ((e = lookup_words(t, WC_YESNO, s, n)) == NULL)
		return NULL;
	return xstrdup(class_values[WC_YESNO][e->target]);
}

static int
email_local_char(unsigned char c)
{
	return c > 0x20 && c != 0x7F && strchr("()<>[]\\,;:@\"", c) == NULL;
}

static int
email_domain_char(unsigned char c)
{
	return is_alpha((char)c) || is_digit((char)c) || c == '-' ||
	    c == '.' || c >= 0x80;
}

/* local@domain.tld; "<...>" and "mailto:" around it are dropped; the
 * domain is lower-cased (the local part belongs to its owner). */
static char *
norm_email(const char *s, size_t n)
{
	const char *lt, *gt, *at = NULL;
	char *dom, *r;
	size_t i, ll, dl;

	if ((lt = memchr(s, '<', n)) != NULL &&
	    (gt = memchr(lt, '>', n - (size_t)(lt - s))) != NULL) {
		n = (size_t)(gt - lt - 1);
		s = lt + 1;
	}
	if (n >= 7 && strncmp(s, "mailto:", 7) == 0) {
		s += 7;
		n -= 7;
	}
	ltrim(&s, &n);
	rtrim(s, &n);
	for (i = 0; i < n; i++) {
		if (s[i] == '@') {
			if (at != NULL)
				return NULL;
			at = s + i;
		}
	}
	if (at == NULL)
		return NULL;
	ll = (size_t)(at - s);
	dl = n - ll - 1;
	if (ll == 0 || ll > 64 || dl < 3 || dl > 253)
		return NULL;
	for (i = 0; i < ll; i++)
		if (!email_local_char((unsigned char)s[i]))
			return NULL;
	for (i = 0; i < dl; i++) {
		if (!email_domain_char((unsigned char)at[1 + i]))
			return NULL;
		if (at[1 + i] == '.' && (i == 0 || i == dl - 1 ||
		    at[i] == '.'))
			return NULL;
	}
	if (memchr(at + 1, '.', dl) == NULL || at[1] == '-' ||
	    at[dl] == '-')
		return NULL;
	dom = fold(at + 1, dl, 1);
	r = xasprintf("%.*s@%s", (int)ll, s, dom);
	free(dom);
	return r;
}

/* One ground or both: "procedure", "urimelig", "procedure, unreasonable". */
static char *
norm_grounds(const struct forms_table *t, const char *s, size_t n)
{
	const struct ft_entry *e;
	const char *p = s, *end = s + n, *q;
	size_t len;
	unsigned seen = 0;

	while (p < end) {
		for (q = p; q < end && strchr(",;/+&", *q) == NULL; q++)
			;
		len = (size_t)(q - p);
		ltrim(&p, &len);
		rtrim(p, &len);
		if (len > 0) {
			if ((e = lookup_words(t, WC_GROUNDS, p, len)) == NULL)
				return NULL;
			seen |= 1u << e->target;
		}
		p = q < end ? q + 1 : end;
	}
	if (seen == 3)
		return xasprintf("%s,%s", class_values[WC_GROUNDS][0],
		    class_values[WC_GROUNDS][1]);
	if (seen == 0)
		return NULL;
	return xstrdup(class_values[WC_GROUNDS][seen == 1 ? 0 : 1]);
}

static char *
norm_caseref(const char *s, size_t n)
{
	char *r;
	size_t i;

	while (n > 0 && (*s == '[' || *s == ' ')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ']' || s[n - 1] == ' '))
		n--;
	if (n == 0)
		return NULL;
	r = xstrndup(s, n);
	for (i = 0; i < n; i++)
		if (r[i] >= 'a' && r[i] <= 'z')
			r[i] = (char)(r[i] - 32);
	return r;
}

/* The normalised value, or NULL and *what = what was expected. The value
 * is clean (see clean_append) and trimmed. */
static char *
normalise(const struct forms_table *t, enum form_type type, const char *v,
    const struct ft_entry **hit, const char **what)
{
	const struct ft_entry *e;
	size_t n = strlen(v);
	char *r = NULL;
	const char *w = NULL;

	*hit = NULL;
	*what = NULL;
	if (n == 0)
		return type == FORM_TYPE_YESNO ? xstrdup("no") : NULL;
	switch (type) {
	case FORM_TYPE_TEXT:
	case FORM_TYPE_MULTILINE:
		return xstrdup(v);
	case FORM_TYPE_LOWER:
		return fold(v, n, 1);
	case FORM_TYPE_CASEREF:
		r = norm_caseref(v, n);
		w = "a case reference";
		break;
	case FORM_TYPE_HOURS:
		r = norm_hours(t, v, n);
		w = "a number";
		break;
	case FORM_TYPE_AMOUNT:
		r = norm_amount(v, n);
		w = "an amount";
		break;
	case FORM_TYPE_DATE:
		r = norm_date(v, n);
		w = "a valid date";
		break;
	case FORM_TYPE_YEAR:
		r = norm_year(v, n);
		w = "a year";
		break;
	case FORM_TYPE_YESNO:
		r = norm_yesno(t, v, n);
		w = "yes or no";
		break;
	case FORM_TYPE_EMAIL:
		r = norm_email(v, n);
		w = "an e-mail address";
		break;
	case FORM_TYPE_SICK_LEAVE:
		if ((e = lookup_words(t, WC_SICK_LEAVE, v, n)) != NULL)
			r = xstrdup(class_values[WC_SICK_LEAVE][e->target]);
		w = "none, partial or full";
		break;
	case FORM_TYPE_GROUNDS:
		r = norm_grounds(t, v, n);
		w = "procedure or unreasonable";
		break;
	case FORM_TYPE_FORM:
		if ((e = lookup_words(t, WC_FORM, v, n)) != NULL) {
			*hit = e;
			r = xstrdup(t->forms[e->target].name);
		}
		w = "a known form";
		break;
	}
	if (r == NULL)
		*what = w;
	return r;
}

/* ------------------------------------------------------------------ */
/* The parser                                                          */

enum { LABEL_NONE, LABEL_OTHER, LABEL_KNOWN };

struct label_match {
	const struct ft_entry *e;	/* LABEL_KNOWN */
	const char	*label;
	size_t		 label_len;
	const char	*value;
	size_t		 value_len;
};

struct pstate {
	const struct forms_table *t;
	struct form	*f;
	size_t		 capfields, capproblems;
	unsigned	 lineno;
	int		 started;	/* a known label was seen */
	int		 stop;		/* the rest of the text is not read */
	int		 seen_form;
	unsigned	 votes[NLANG];
	unsigned	 form_langs;	/* languages of the form value */
	unsigned	*seen_line;	/* per table field: line of its label */
	/* the field being read */
	int		 cur;
	const struct ft_field *def;	/* NULL: a label not in the table */
	char		*label;
	unsigned	 line;
	struct buf	 val;
	int		 multi;
	int		 await;		/* nothing yet: next plain line is it */
	size_t		 blanks;	/* blank lines held back (multi) */
	size_t		 last_off;	/* start of the last line (multi) */
	int		 attribution;	/* that line came right before '>' */
};

static void
add_problem(struct pstate *st, enum form_problem_kind kind,
    const char *field, const char *label, const char *value, unsigned line,
    char *message)
{
	struct form *f = st->f;
	struct form_problem *p;

	f->problems = xgrow(f->problems, &st->capproblems, f->nproblems + 1,
	    sizeof(*f->problems));
	p = &f->problems[f->nproblems++];
	p->kind = kind;
	p->field = xstrdup(field);
	p->label = xstrdup(label);
	p->value = xstrdup(value);
	p->message = message;
	p->line = line;
}

/* A value as quoted in a message: at most MSG_VALUE_MAX bytes, cut at a
 * character boundary, one line. */
static char *
msg_value(const char *v)
{
	struct buf b = BUF_INIT;
	size_t n = strcspn(v, "\n"), cut = n;
	int more = v[n] != '\0';

	if (n > MSG_VALUE_MAX) {
		cut = MSG_VALUE_MAX;
		while (cut > 0 && ((unsigned char)v[cut] & 0xC0) == 0x80)
			cut--;
		more = 1;
	}
	buf_append(&b, v, cut);
	if (more)
		buf_append_str(&b, "...");
	return buf_steal(&b);
}

static int
looks_like_attribution(const struct forms_table *t, const char *s)
{
	size_t n = strlen(s), i;
	char *key;
	int found = 0;

	if (n == 0 || s[n - 1] != ':')
		return 0;
	if (strchr(s, '@') != NULL)
		return 1;
	key = fold(s, n, 0);
	for (i = 0; i < t->nentries && !found; i++)
		if (t->entries[i].cls == WC_REPLY &&
		    strstr(key, t->entries[i].key) != NULL)
			found = 1;
	free(key);
	return found;
}

static void
finish_field(struct pstate *st)
{
	const struct forms_table *t = st->t;
	const struct ft_field *def = st->def;
	const struct ft_entry *hit = NULL;
	const char *what = NULL;
	struct form *f = st->f;
	struct form_field *ff;
	size_t idx;
	char *mv;

	if (!st->cur)
		return;
	st->cur = 0;
	if (st->multi && st->attribution &&
	    looks_like_attribution(t, st->val.data + st->last_off)) {
		st->val.len = st->last_off;
		while (st->val.len > 0 && st->val.data[st->val.len - 1] == '\n')
			st->val.len--;
		st->val.data[st->val.len] = '\0';
	}
	f->fields = xgrow(f->fields, &st->capfields, f->nfields + 1,
	    sizeof(*f->fields));
	ff = &f->fields[f->nfields++];
	memset(ff, 0, sizeof(*ff));
	ff->label = st->label;
	st->label = NULL;
	ff->value = xstrdup(buf_str(&st->val));
	ff->line = st->line;
	buf_reset(&st->val);
	if (def == NULL) {
		ff->norm = ff->value[0] != '\0' ? xstrdup(ff->value) : NULL;
		return;
	}
	ff->field = xstrdup(def->name);
	ff->norm = normalise(t, def->type, ff->value, &hit, &what);
	if (what != NULL) {
		mv = msg_value(ff->value);
		add_problem(st, def->type == FORM_TYPE_FORM ?
		    FORM_PROBLEM_UNKNOWN_FORM : FORM_PROBLEM_BAD_VALUE,
		    def->name, ff->label, ff->value, ff->line,
		    xasprintf("%s \"%s\" is not %s", ff->label, mv, what));
		free(mv);
	}
	idx = (size_t)(def - t->fields);
	if (st->seen_line[idx] != 0)
		add_problem(st, FORM_PROBLEM_REPEATED, def->name, ff->label,
		    ff->value, ff->line, xasprintf("%s is given twice (lines "
		    "%u and %u); the later value is used", ff->label,
		    st->seen_line[idx], ff->line));
	st->seen_line[idx] = ff->line;
	if (def->type == FORM_TYPE_FORM && f->name == NULL && ff->norm) {
		f->name = xstrdup(ff->norm);
		st->form_langs = hit->langs;
	}
}

/* Adds one more piece of a one-line value (the label line's rest, or a
 * continuation line), joined by a space. */
static void
append_piece(struct pstate *st, const char *s, size_t n)
{
	size_t pre = st->val.len, mark;

	if (pre > 0)
		buf_append_char(&st->val, ' ');
	mark = st->val.len;
	clean_append(&st->val, s, n, 1);
	if (st->val.len == mark) {
		st->val.len = pre;
		if (st->val.data != NULL)
			st->val.data[pre] = '\0';
	}
}

/* Adds a line to a multiline value; blank lines are held back so that
 * trailing ones never enter it. */
static void
append_line(struct pstate *st, const char *s, size_t n)
{
	size_t pre = st->val.len, mark, k;

	if (pre > 0)
		for (k = 0; k <= st->blanks; k++)
			buf_append_char(&st->val, '\n');
	mark = st->val.len;
	clean_append(&st->val, s, n, 0);
	if (st->val.len == mark) {
		st->val.len = pre;
		if (st->val.data != NULL)
			st->val.data[pre] = '\0';
		if (pre > 0)
			st->blanks++;
		return;
	}
	st->blanks = 0;
	st->last_off = mark;
	st->attribution = 0;
}

static void
begin_field(struct pstate *st, const struct label_match *m)
{
	const struct ft_field *def = NULL;
	char *label, *value, *mv;
	int i;

	finish_field(st);
	if (m->e != NULL)
		def = &st->t->fields[m->e->target];
	if (def != NULL && def->type == FORM_TYPE_FORM) {
		if (st->seen_form) {
			label = clean_copy(m->label, m->label_len);
			value = clean_copy(m->value, m->value_len);
			mv = msg_value(value);
			add_problem(st, FORM_PROBLEM_SECOND_FORM, def->name,
			    label, value, st->lineno, xasprintf("a second form "
			    "(%s: %s) starts at line %u; only the first form "
			    "in a mail is read", label, mv, st->lineno));
			free(mv);
			free(label);
			free(value);
			st->stop = 1;
			return;
		}
		st->seen_form = 1;
		if (!st->started)
			st->f->form_first = 1;
	}
	if (m->e != NULL) {
		st->started = 1;
		for (i = 0; i < NLANG; i++)
			if (m->e->langs & (1u << i))
				st->votes[i]++;
	}
	st->cur = 1;
	st->def = def;
	st->label = clean_copy(m->label, m->label_len);
	st->line = st->lineno;
	st->multi = def != NULL && def->type == FORM_TYPE_MULTILINE;
	buf_reset(&st->val);
	st->blanks = 0;
	st->last_off = 0;
	st->attribution = 0;
	if (st->multi)
		append_line(st, m->value, m->value_len);
	else
		append_piece(st, m->value, m->value_len);
	st->await = st->val.len == 0 && !st->multi &&
	    (def == NULL || def->type != FORM_TYPE_YESNO);
}

static const struct ft_entry *
lookup_label(const struct forms_table *t, const char *s, size_t n)
{
	const struct ft_entry *e;
	const char *open;

	if (n == 0 || n > MAX_LABEL)
		return NULL;
	if ((e = lookup_text(t, WC_LABEL, s, n)) != NULL)
		return e;
	/* "Year (YYYY)": a hint after the label */
	if (s[n - 1] == ')') {
		for (open = s + n - 1; open > s && *open != '('; open--)
			;
		if (*open != '(')
			return NULL;
		n = (size_t)(open - s);
		rtrim(s, &n);
		if (n > 0)
			return lookup_text(t, WC_LABEL, s, n);
	}
	return NULL;
}

/* "[x] I accept the ethics rules", "[ ] ...": a ticked or empty box
 * before a yes/no label. */
static int
match_checkbox(const struct forms_table *t, const char *s, size_t n,
    struct label_match *m)
{
	const char *close = memchr(s, ']', n < 6 ? n : 6), *rest;
	size_t rn;

	if (s[0] != '[' || close == NULL)
		return 0;
	rest = close + 1;
	rn = n - (size_t)(rest - s);
	ltrim(&rest, &rn);
	rtrim(rest, &rn);
	if (rn > 0 && (rest[rn - 1] == ':' || rest[rn - 1] == '=')) {
		rn--;
		rtrim(rest, &rn);
	}
	m->e = lookup_label(t, rest, rn);
	if (m->e == NULL || t->fields[m->e->target].type != FORM_TYPE_YESNO)
		return 0;
	m->label = rest;
	m->label_len = rn;
	m->value = s + 1;
	m->value_len = (size_t)(close - s - 1);
	ltrim(&m->value, &m->value_len);
	rtrim(m->value, &m->value_len);
	return 1;
}

/* Could this be a label the table does not know? A few words, a letter,
 * nothing that looks like an address or a quotation. */
static int
label_like(const char *s, size_t n)
{
	size_t i, spaces = 0;
	int letter = 0;

	if (n > MAX_OTHER_LABEL)
		return 0;
	for (i = 0; i < n; i++) {
		if (is_alpha(s[i]) || (unsigned char)s[i] >= 0x80)
			letter = 1;
		else if (s[i] == ' ')
			spaces++;
		else if (strchr("@<>\"", s[i]) != NULL)
			return 0;
	}
	return letter && spaces <= 6;
}

static int
match_label(const struct forms_table *t, const char *s, size_t n,
    struct label_match *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	ltrim(&s, &n);
	if (n > 0 && s[0] == '[' && match_checkbox(t, s, n, m))
		return LABEL_KNOWN;
	/* the first ':' or '=', but not the ':' of a time ("10:00") */
	for (i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		if (s[i] == ':' && !(i > 0 && i + 1 < n && is_digit(s[i - 1]) &&
		    is_digit(s[i + 1])))
			break;
	}
	if (i == 0 || i == n)
		return LABEL_NONE;
	if (s[i] == ':' && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/')
		return LABEL_NONE;	/* a URL */
	m->label = s;
	m->label_len = i;
	rtrim(s, &m->label_len);
	m->value = s + i + 1;
	m->value_len = n - i - 1;
	ltrim(&m->value, &m->value_len);
	if (m->label_len == 0)
		return LABEL_NONE;
	if ((m->e = lookup_label(t, m->label, m->label_len)) != NULL)
		return LABEL_KNOWN;
	return label_like(m->label, m->label_len) ? LABEL_OTHER : LABEL_NONE;
}

static int
is_blank(const char *s, size_t n)
{
	size_t i = 0;
	uint32_t c;

	while (i < n) {
		i += u8_decode(s + i, n - i, &c);
		if (!is_space_cp(c) && !is_invisible_cp(c) &&
		    !(c != BAD_CP && is_control_cp(c)))
			return 0;
	}
	return 1;
}

static int
starts_with_space(const char *s, size_t n)
{
	uint32_t c;

	if (n == 0)
		return 0;
	u8_decode(s, n, &c);
	return is_space_cp(c);
}

/* "-- " (or "--", or "--" and any white space) alone on a line. */
static int
is_signature(const char *s, size_t n)
{
	return n >= 2 && s[0] == '-' && s[1] == '-' && is_blank(s + 2, n - 2);
}

static int
is_quoted(const char *s, size_t n)
{
	ltrim(&s, &n);
	return n > 0 && s[0] == '>';
}

/* Lines that start other text after a form: "-----Original Message-----",
 * "---------- Forwarded message ---------", "-----BEGIN PGP
 * SIGNATURE-----", or Outlook's line of underscores. */
static int
is_other_text_marker(const char *s, size_t n)
{
	size_t i, lead = 0, trail = 0;
	int word = 0;

	ltrim(&s, &n);
	rtrim(s, &n);
	while (lead < n && s[lead] == '-')
		lead++;
	while (trail < n - lead && s[n - 1 - trail] == '-')
		trail++;
	if (lead >= 3 && trail >= 3) {
		for (i = lead; i < n - trail; i++)
			if (is_alpha(s[i]) || (unsigned char)s[i] >= 0x80)
				word = 1;
		return word;
	}
	if (n < 20)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] != '_')
			return 0;
	return 1;
}

const char *
forms_answer(const struct forms_table *t, const char *text)
{
	const char *p = text;

	/* The first line of the answer itself: not a quote, not blank. */
	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const struct ft_entry *e;

		if (is_signature(p, n))
			return NULL;
		if (!is_quoted(p, n) && !is_blank(p, n)) {
			e = lookup_words(t, WC_ANSWER, p, n);
			return e != NULL ? class_values[WC_ANSWER][e->target] : NULL;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void
parse_line(struct pstate *st, const char *s, size_t n)
{
	struct label_match m;
	uint32_t c;
	size_t len;
	int r, indented;

	/* a BOM or zero-width space at the start does not indent a line */
	while (n > 0) {
		len = u8_decode(s, n, &c);
		if (!is_invisible_cp(c))
			break;
		s += len;
		n -= len;
	}
	if (is_signature(s, n) || (st->started && is_other_text_marker(s, n))) {
		st->stop = 1;
		return;
	}
	if (is_quoted(s, n)) {
		if (st->cur && st->multi && st->val.len > 0 &&
		    st->val.data[st->val.len - 1] == ':')
			st->attribution = 1;
		return;
	}
	if (is_blank(s, n)) {
		if (st->cur && st->multi)
			append_line(st, s, 0);
		else
			finish_field(st);
		return;
	}
	indented = starts_with_space(s, n);
	r = match_label(st->t, s, n, &m);
	if (r == LABEL_KNOWN)
		begin_field(st, &m);
	else if (st->cur && st->multi)
		append_line(st, s, n);
	else if (st->cur && indented) {
		append_piece(st, s, n);
		st->await = 0;
	} else if (r == LABEL_OTHER && st->started)
		begin_field(st, &m);
	else if (st->cur && st->await) {
		append_piece(st, s, n);
		st->await = 0;
	} else
		finish_field(st);	/* plain text ends a value */
}

static const char *
detect_lang(const struct pstate *st)
{
	unsigned mask = st->form_langs != 0 ? st->form_langs : st->t->langs;
	int i, best = -1;

	if (!st->started)
		return NULL;
	for (i = 0; i < NLANG; i++)
		if ((mask & (1u << i)) &&
		    (best < 0 || st->votes[i] > st->votes[best]))
			best = i;
	return best >= 0 ? lang_names[best] : NULL;
}

void
forms_parse(const struct forms_table *t, const char *text, size_t len,
    struct form **out)
{
	struct pstate st;
	const char *p = text, *end = text != NULL ? text + len : NULL, *e;

	memset(&st, 0, sizeof(st));
	st.t = t;
	st.f = xcalloc(1, sizeof(*st.f));
	st.seen_line = xcalloc(t->nfields, sizeof(*st.seen_line));
	while (p < end && !st.stop) {
		for (e = p; e < end && *e != '\n' && *e != '\r'; e++)
			;
		st.lineno++;
		parse_line(&st, p, (size_t)(e - p));
		if (e < end && *e == '\r' && e + 1 < end && e[1] == '\n')
			e++;
		p = e < end ? e + 1 : end;
	}
	finish_field(&st);
	st.f->lang = detect_lang(&st);
	free(st.label);
	buf_free(&st.val);
	free(st.seen_line);
	*out = st.f;
}

void
form_free(struct form *f)
{
	size_t i;

	if (f == NULL)
		return;
	free(f->name);
	for (i = 0; i < f->nfields; i++) {
		free(f->fields[i].field);
		free(f->fields[i].label);
		free(f->fields[i].value);
		free(f->fields[i].norm);
	}
	for (i = 0; i < f->nproblems; i++) {
		free(f->problems[i].field);
		free(f->problems[i].label);
		free(f->problems[i].value);
		free(f->problems[i].message);
	}
	free(f->fields);
	free(f->problems);
	free(f);
}

const struct form_field *
forms_field(const struct form *f, const char *field)
{
	size_t i;

	for (i = f->nfields; i > 0; i--)
		if (f->fields[i - 1].field != NULL &&
		    strcmp(f->fields[i - 1].field, field) == 0)
			return &f->fields[i - 1];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Required fields                                                     */

static int
present(const struct forms_table *t, const struct form *f, const char *name)
{
	const struct form_field *ff = forms_field(f, name);

	if (ff == NULL)
		return 0;
	return forms_field_type(t, name) == FORM_TYPE_YESNO ||
	    ff->value[0] != '\0';
}

static void
push_missing(char ***v, size_t *n, size_t *cap, char *item)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], item) == 0) {
			free(item);
			return;
		}
	*v = xgrow(*v, cap, *n + 2, sizeof(**v));
	(*v)[(*n)++] = item;
	(*v)[*n] = NULL;
}

/* Checks one required list "a,b|c" against the form. */
static void
check_list(const struct forms_table *t, const struct form *f,
    const char *list, char ***v, size_t *n, size_t *cap)
{
	const char *p = list, *q, *a, *b;
	char *name;
	int ok;

	while (*p != '\0') {
		q = p + strcspn(p, ",");
		ok = q == p;	/* an empty item asks for nothing */
		for (a = p; a < q && !ok; a = b + 1) {
			b = a + strcspn(a, ",|");
			if (b > q)
				b = q;
			name = xstrndup(a, (size_t)(b - a));
			ok = name[0] == '\0' || present(t, f, name);
			free(name);
			if (b == q)
				break;
		}
		if (!ok)
			push_missing(v, n, cap, xstrndup(p, (size_t)(q - p)));
		p = *q != '\0' ? q + 1 : q;
	}
}

size_t
forms_missing_required(const struct forms_table *t, const struct form *f,
    const char *const *extra, char ***missing)
{
	const struct ft_form *fd = f->name != NULL ? find_form(t, f->name) :
	    NULL;
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0, cap = 1, i;

	if (fd == NULL)
		push_missing(&v, &n, &cap, xstrdup(t->fields[t->form_field].name));
	else {
		check_list(t, f, fd->required, &v, &n, &cap);
		for (i = 0; extra != NULL && extra[i] != NULL; i++)
			check_list(t, f, extra[i], &v, &n, &cap);
	}
	*missing = v;
	return n;
}

void
forms_strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
