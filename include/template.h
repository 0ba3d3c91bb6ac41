/* Notice templates as data, checked when loaded and rendered purely.
 *
 * Layout under the workflows directory `root`:
 *   templates/variables.txt       every variable a template may use:
 *                                 "name type meaning..." (type: text, date,
 *                                 amount, list, flag); '#' comments
 *   templates/<lang>/<name>.txt   one notice in one language
 *   languages/<lang>.conf         month names, separators (langfmt.h)
 *
 * A template file is UTF-8: line 1 "Subject: ...", line 2 blank, then the
 * body. The case reference is not written in it: composition puts
 * "[FGT-2026-0042]" before the subject. Placeholders:
 *   {{name}}            a text variable
 *   {{date name}}       a date in the language's format ("1. februar 2027")
 *   {{amount name}}     an amount with the text variable `currency`
 *   {{list name}}       one item a line, "- item"; must stand alone on its
 *                       line, and its indentation is repeated on each item
 *   {{#if name}}...{{/if}}, {{#unless name}}...{{/unless}}
 *                       on a flag (on), a list (non-empty), a text
 *                       (non-empty) or an amount (not zero); may nest.
 *                       A line holding only a
 *                       section tag disappears from the output.
 * Date, amount, list and flag variables must be written with their
 * formatter or section; a bare {{x}} is for text only. There is no way to
 * write a literal "{{".
 *
 * Rendering needs a value for every variable on the path it takes (the
 * variables inside a section that is skipped are not needed): a missing
 * one is an error, never a blank in a sent mail. */
#ifndef CLERK_TEMPLATE_H
#define CLERK_TEMPLATE_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "langfmt.h"
#include "tvars.h"

struct template_set;	/* opaque; read-only once loaded */

/* Loads the registry, the language files of `langs` (a NULL-terminated
 * list of codes, e.g. {"en", "nb", "da", "nl", NULL}) and every template
 * of those languages. Each problem found is appended to `diag` (may be
 * NULL) as "file:line: message\n" and loading goes on, so that one run
 * lists them all: unknown variable, formatter on the wrong type, unbalanced
 * section, malformed tag, missing Subject line, a notice missing in some
 * configured language, bad registry or language lines. Any problem: -1,
 * err says how many and quotes the first, *out untouched. Templates in
 * languages not configured are ignored. */
int templates_load_dir(const char *root, const char *const *langs,
    struct template_set **out, struct buf *diag, struct clerk_err *err);
void template_set_free(struct template_set *set);

/* 1 when a notice `name` exists (then it exists in every language). */
int template_exists(const struct template_set *set, const char *name);
/* 0 and *type for a variable of the registry, -1 for an unknown name. */
int template_var_type(const struct template_set *set, const char *var,
    enum tvar_type *type);
/* Calls fn for each variable the notice uses in any language (including
 * `currency` when it formats an amount), in registry order. -1 when there
 * is no such notice. */
int template_each_var(const struct template_set *set, const char *name,
    void (*fn)(const char *var, enum tvar_type type, void *arg), void *arg);
/* The language data of a configured language, or NULL. */
const struct lang *template_lang(const struct template_set *set,
    const char *code);
/* The language to write in: the recipient's (the language of the form they
 * wrote) when the set has it, else `profile_default`. */
const char *template_pick_lang(const struct template_set *set,
    const char *recipient_lang, const char *profile_default);

struct rendered {
	char	*subject;	/* owned: one line, UTF-8, no case reference */
	char	*body;		/* owned: UTF-8, LF line ends, ends with LF */
};

/* Renders notice `name` in `lang`. Pure. Errors (permanent): no such
 * notice or language, a variable without value (all such names are
 * listed), a value of the wrong type, text that is not UTF-8, a negative
 * amount, an invalid date. Line breaks and other control characters in
 * values that reach the subject become single spaces. */
int template_render(const struct template_set *set, const char *name,
    const char *lang, const struct tvars *vars, struct rendered *out,
    struct clerk_err *err);
void rendered_free(struct rendered *r);

#endif
