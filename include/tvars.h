/* The values a notice is rendered with: a small typed map from variable
 * name to value, built by the caller (the workflow engine) and read by
 * template_render(). Types match workflows/templates/variables.txt. */
#ifndef CLERK_TVARS_H
#define CLERK_TVARS_H

#include <stddef.h>

#include "calendar.h"

enum tvar_type {
	TVAR_TEXT,
	TVAR_DATE,
	TVAR_AMOUNT,	/* integer minor units; the currency is the text
			 * variable `currency` */
	TVAR_LIST,
	TVAR_FLAG,
};

struct tvar {
	char		*name;		/* owned */
	enum tvar_type	 type;
	char		*text;		/* owned: TVAR_TEXT */
	struct cal_date	 date;		/* TVAR_DATE */
	long long	 amount;	/* TVAR_AMOUNT */
	char		**items;	/* owned, each owned: TVAR_LIST */
	size_t		 nitems, capitems;
	int		 flag;		/* TVAR_FLAG */
};

struct tvars {
	struct tvar	*v;	/* owned */
	size_t		 n, cap;
};

#define TVARS_INIT { NULL, 0, 0 }

/* Setting a name again replaces its value (and type). Names and strings
 * are copied and must not be NULL. */
void tvars_set_text(struct tvars *tv, const char *name, const char *value);
void tvars_set_date(struct tvars *tv, const char *name, struct cal_date d);
void tvars_set_amount(struct tvars *tv, const char *name, long long minor);
void tvars_set_flag(struct tvars *tv, const char *name, int on);
/* Makes `name` an empty list (replacing any value). */
void tvars_set_list(struct tvars *tv, const char *name);
/* Appends an item; makes `name` a list first when it is not one. */
void tvars_list_add(struct tvars *tv, const char *name, const char *item);
/* NULL when absent. */
const struct tvar *tvars_get(const struct tvars *tv, const char *name);
const char *tvar_type_name(enum tvar_type t);
void tvars_free(struct tvars *tv);

#endif
