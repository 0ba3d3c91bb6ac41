/* Values of expressions: integers, texts, dates and durations, and how a
 * text reads as a number or a date where an operator asks for one. */
#include "expr.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "expr_tree.h"
#include "xmalloc.h"

/* ---- values ------------------------------------------------------------ */

void
val_free(struct val *v)
{
	struct val init = VAL_INIT;

	if (v == NULL)
		return;
	free(v->s);
	*v = init;
}

void
val_set_str(struct val *v, const char *s)
{
	char *copy = xstrdup(s ? s : "");

	val_free(v);
	v->type = VAL_STR;
	v->s = copy;
}

void
val_set_int(struct val *v, long long i)
{
	val_free(v);
	v->type = VAL_INT;
	v->i = i;
}

void
val_set_date(struct val *v, struct cal_date d)
{
	val_free(v);
	v->type = VAL_DATE;
	v->date = d;
}

void
val_set_duration(struct val *v, struct cal_duration d)
{
	val_free(v);
	v->type = VAL_DURATION;
	v->dur = d;
}

void
val_copy(struct val *dst, const struct val *src)
{
	if (dst == src)
		return;
	val_free(dst);
	*dst = *src;
	dst->s = src->s ? xstrdup(src->s) : NULL;
}

static const char *
unit_letter(enum cal_unit u)
{
	switch (u) {
	case CAL_DAYS:
		return "d";
	case CAL_WEEKS:
		return "w";
	case CAL_MONTHS:
		return "m";
	case CAL_YEARS:
		return "y";
	}
	return "d";
}

char *
val_to_text(const struct val *v)
{
	char buf[CAL_DATE_BUFSZ];

	switch (v->type) {
	case VAL_INT:
		return xasprintf("%lld", v->i);
	case VAL_DATE:
		return xstrdup(cal_date_format(v->date, buf));
	case VAL_DURATION:
		return xasprintf("%d%s", v->dur.amount, unit_letter(v->dur.unit));
	case VAL_STR:
		break;
	}
	return xstrdup(v->s ? v->s : "");
}

/* A whole string that is an optionally signed decimal integer. */
int
expr_parse_int_text(const char *s, long long *out)
{
	char *end;
	long long n;

	if (s == NULL || *s == '\0')
		return -1;
	if (!isdigit((unsigned char)s[0]) &&
	    !((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1])))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0)
		return -1;
	*out = n;
	return 0;
}

int
val_as_int(const struct val *v, long long *out)
{
	if (v->type == VAL_INT) {
		*out = v->i;
		return 0;
	}
	if (v->type != VAL_STR)
		return -1;
	if (v->s == NULL || v->s[0] == '\0') {
		*out = 0;
		return 0;
	}
	return expr_parse_int_text(v->s, out);
}

int
val_as_date(const struct val *v, struct cal_date *out)
{
	if (v->type == VAL_DATE) {
		*out = v->date;
		return 0;
	}
	if (v->type != VAL_STR || v->s == NULL || strlen(v->s) != 10)
		return -1;
	return cal_date_parse(v->s, out, NULL);
}

int
expr_val_as_duration(const struct val *v, struct cal_duration *out)
{
	if (v->type == VAL_DURATION) {
		*out = v->dur;
		return 0;
	}
	if (v->type != VAL_STR || v->s == NULL || v->s[0] == '\0')
		return -1;
	return cal_duration_parse(v->s, out, NULL);
}

int
val_truthy(const struct val *v)
{
	switch (v->type) {
	case VAL_INT:
		return v->i != 0;
	case VAL_DATE:
		return 1;
	case VAL_DURATION:
		return v->dur.amount != 0;
	case VAL_STR:
		break;
	}
	if (v->s == NULL)
		return 0;
	return !(v->s[0] == '\0' || strcmp(v->s, "0") == 0 ||
	    strcmp(v->s, "no") == 0 || strcmp(v->s, "false") == 0);
}
