/* Typed values for template rendering. */
#include "tvars.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void
tvar_clear(struct tvar *v)
{
	size_t i;

	free(v->text);
	v->text = NULL;
	for (i = 0; i < v->nitems; i++)
		free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->nitems = v->capitems = 0;
}

/* The slot for `name`, emptied and typed `type`. */
static struct tvar *
slot(struct tvars *tv, const char *name, enum tvar_type type)
{
	struct tvar *v;
	size_t i;

	for (i = 0; i < tv->n; i++)
		if (strcmp(tv->v[i].name, name) == 0)
			break;
	if (i == tv->n) {
		tv->v = xgrow(tv->v, &tv->cap, tv->n + 1, sizeof(*tv->v));
		v = &tv->v[tv->n++];
		memset(v, 0, sizeof(*v));
		v->name = xstrdup(name);
	} else {
		v = &tv->v[i];
		tvar_clear(v);
	}
	v->type = type;
	return v;
}

void
tvars_set_text(struct tvars *tv, const char *name, const char *value)
{
	slot(tv, name, TVAR_TEXT)->text = xstrdup(value);
}

void
tvars_set_date(struct tvars *tv, const char *name, struct cal_date d)
{
	slot(tv, name, TVAR_DATE)->date = d;
}

void
tvars_set_amount(struct tvars *tv, const char *name, long long minor)
{
	slot(tv, name, TVAR_AMOUNT)->amount = minor;
}

void
tvars_set_flag(struct tvars *tv, const char *name, int on)
{
	slot(tv, name, TVAR_FLAG)->flag = on != 0;
}

void
tvars_set_list(struct tvars *tv, const char *name)
{
	(void)slot(tv, name, TVAR_LIST);
}

void
tvars_list_add(struct tvars *tv, const char *name, const char *item)
{
	const struct tvar *cv = tvars_get(tv, name);
	struct tvar *v;

	if (cv == NULL || cv->type != TVAR_LIST)
		v = slot(tv, name, TVAR_LIST);
	else
		v = &tv->v[cv - tv->v];
	v->items = xgrow(v->items, &v->capitems, v->nitems + 1,
	    sizeof(*v->items));
	v->items[v->nitems++] = xstrdup(item);
}

const struct tvar *
tvars_get(const struct tvars *tv, const char *name)
{
	size_t i;

	for (i = 0; i < tv->n; i++)
		if (strcmp(tv->v[i].name, name) == 0)
			return &tv->v[i];
	return NULL;
}

const char *
tvar_type_name(enum tvar_type t)
{
	switch (t) {
	case TVAR_TEXT:
		return "text";
	case TVAR_DATE:
		return "date";
	case TVAR_AMOUNT:
		return "amount";
	case TVAR_LIST:
		return "list";
	case TVAR_FLAG:
		return "flag";
	}
	return "?";
}

void
tvars_free(struct tvars *tv)
{
	size_t i;

	if (tv == NULL)
		return;
	for (i = 0; i < tv->n; i++) {
		tvar_clear(&tv->v[i]);
		free(tv->v[i].name);
	}
	free(tv->v);
	tv->v = NULL;
	tv->n = tv->cap = 0;
}
