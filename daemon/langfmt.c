/* Language data files and the date and amount formats built from them. */
#include "langfmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xmalloc.h"

static int
diag(struct buf *d, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
diag(struct buf *d, const char *path, int line, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return 1;
	buf_printf(d, "%s:%d: ", path, line);
	va_start(ap, fmt);
	buf_vprintf(d, fmt, ap);
	va_end(ap);
	buf_append_char(d, '\n');
	return 1;
}

static const char *const date_tokens[] = {
	"{d}", "{dd}", "{m}", "{mm}", "{month}", "{yyyy}", NULL
};

/* Checks a pattern whose tokens are `{word}`: every token must be one of
 * `allowed`; `need` lists groups of which at least one must appear. */
static int
check_pattern(const char *pat, const char *const *allowed, const char *path,
    int line, const char *key, struct buf *d)
{
	const char *p = pat, *close;
	int errors = 0;
	size_t i, n;

	while ((p = strchr(p, '{')) != NULL) {
		if ((close = strchr(p, '}')) == NULL) {
			errors += diag(d, path, line, "%s: unclosed '{'", key);
			break;
		}
		n = (size_t)(close - p) + 1;
		for (i = 0; allowed[i]; i++)
			if (strlen(allowed[i]) == n &&
			    strncmp(allowed[i], p, n) == 0)
				break;
		if (allowed[i] == NULL)
			errors += diag(d, path, line, "%s: unknown token '%.*s'",
			    key, (int)n, p);
		p = close + 1;
	}
	return errors;
}

static int
split_months(struct lang *l, const char *v, const char *path, int line,
    struct buf *d)
{
	const char *p = v, *start;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (n < 12)
			l->months[n] = xstrndup(start, (size_t)(p - start));
		n++;
	}
	if (n != 12)
		return diag(d, path, line, "months: %d names, need 12", n);
	return 0;
}

/* Trims, and takes the inside of "double quotes" literally. */
static char *
conf_value(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		return xstrndup(s + 1, n - 2);
	return xstrndup(s, n);
}

int
lang_parse(const char *path, const char *code, const char *text, size_t len,
    struct lang *out, struct buf *d)
{
	struct lang l;
	const char *p = text, *end = text + len, *eol, *eq;
	char *key = NULL, *val = NULL, **slot;
	int line = 0, errors = 0, seen_months = 0, months_line = 0;

	memset(&l, 0, sizeof(l));
	memset(out, 0, sizeof(*out));
	if (strlen(code) >= sizeof(l.code) || code[0] == '\0')
		return diag(d, path, 0, "bad language code '%s'", code);
	snprintf(l.code, sizeof(l.code), "%s", code);
	if (!utf8_valid(text, len))
		return diag(d, path, 1, "not valid UTF-8");
	while (p < end) {
		size_t n;

		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		n = (size_t)(eol - p);
		if (n && p[n - 1] == '\r')
			n--;
		free(key);
		free(val);
		key = val = NULL;
		{
			const char *s = p;
			size_t m = n;

			while (m && (*s == ' ' || *s == '\t'))
				s++, m--;
			if (m == 0 || *s == '#')
				goto next;
		}
		if ((eq = memchr(p, '=', n)) == NULL) {
			errors += diag(d, path, line, "expected 'key = value'");
			goto next;
		}
		key = conf_value(p, (size_t)(eq - p));
		val = conf_value(eq + 1, n - (size_t)(eq - p) - 1);
		slot = NULL;
		if (strcmp(key, "name") == 0)
			slot = &l.name;
		else if (strcmp(key, "date") == 0) {
			slot = &l.date;
			errors += check_pattern(val, date_tokens, path, line,
			    key, d);
			if (strstr(val, "{d") == NULL || strstr(val, "{yyyy}") ==
			    NULL || (strstr(val, "{m") == NULL))
				errors += diag(d, path, line, "date: needs a "
				    "day, a month and {yyyy}");
		} else if (strcmp(key, "decimal") == 0)
			slot = &l.decimal;
		else if (strcmp(key, "thousands") == 0)
			slot = &l.thousands;
		else if (strcmp(key, "amount") == 0) {
			static const char *const amount_tokens[] = {
				"{currency}", "{number}", NULL
			};

			slot = &l.amount;
			errors += check_pattern(val, amount_tokens, path, line,
			    key, d);
			if (strstr(val, "{currency}") == NULL ||
			    strstr(val, "{number}") == NULL)
				errors += diag(d, path, line, "amount: needs "
				    "{currency} and {number}");
		} else if (strcmp(key, "months") == 0) {
			if (seen_months++) {
				errors += diag(d, path, line, "months: given "
				    "twice (first on line %d)", months_line);
				goto next;
			}
			months_line = line;
			errors += split_months(&l, val, path, line, d);
			goto next;
		} else {
			errors += diag(d, path, line, "unknown key '%s'", key);
			goto next;
		}
		if (*slot != NULL) {
			errors += diag(d, path, line, "%s: given twice", key);
			goto next;
		}
		if (val[0] == '\0' && slot != &l.thousands) {
			errors += diag(d, path, line, "%s: empty value", key);
			goto next;
		}
		*slot = val;
		val = NULL;
	next:
		p = eol < end ? eol + 1 : end;
	}
	free(key);
	free(val);
	if (l.name == NULL)
		errors += diag(d, path, 0, "missing key 'name'");
	if (!seen_months)
		errors += diag(d, path, 0, "missing key 'months'");
	if (l.date == NULL)
		errors += diag(d, path, 0, "missing key 'date'");
	if (l.decimal == NULL)
		errors += diag(d, path, 0, "missing key 'decimal'");
	if (l.thousands == NULL)
		errors += diag(d, path, 0, "missing key 'thousands'");
	if (l.amount == NULL)
		errors += diag(d, path, 0, "missing key 'amount'");
	if (errors) {
		lang_free(&l);
		return errors;
	}
	*out = l;
	return 0;
}

void
lang_free(struct lang *l)
{
	int i;

	if (l == NULL)
		return;
	free(l->name);
	for (i = 0; i < 12; i++)
		free(l->months[i]);
	free(l->date);
	free(l->decimal);
	free(l->thousands);
	free(l->amount);
	memset(l, 0, sizeof(*l));
}

int
lang_format_date(const struct lang *l, struct cal_date d, struct buf *out,
    struct clerk_err *err)
{
	const char *p = l->date;

	if (!cal_date_valid(d)) {
		err_set(err, ERR_FINAL, "invalid date %04d-%02d-%02d", d.year, d.month,
		    d.day);
		return -1;
	}
	while (*p) {
		if (strncmp(p, "{dd}", 4) == 0) {
			buf_printf(out, "%02d", d.day);
			p += 4;
		} else if (strncmp(p, "{d}", 3) == 0) {
			buf_printf(out, "%d", d.day);
			p += 3;
		} else if (strncmp(p, "{mm}", 4) == 0) {
			buf_printf(out, "%02d", d.month);
			p += 4;
		} else if (strncmp(p, "{m}", 3) == 0) {
			buf_printf(out, "%d", d.month);
			p += 3;
		} else if (strncmp(p, "{month}", 7) == 0) {
			buf_append_str(out, l->months[d.month - 1]);
			p += 7;
		} else if (strncmp(p, "{yyyy}", 6) == 0) {
			buf_printf(out, "%04d", d.year);
			p += 6;
		} else
			buf_append_char(out, *p++);
	}
	return 0;
}

static int
currency_valid(const char *c)
{
	int i;

	for (i = 0; i < 3; i++)
		if (c[i] < 'A' || c[i] > 'Z')
			return 0;
	return c[3] == '\0';
}

int
lang_format_amount(const struct lang *l, long long minor, const char *currency,
    struct buf *out, struct clerk_err *err)
{
	char digits[32];
	struct buf num = BUF_INIT;
	const char *p = l->amount;
	size_t n, i;

	if (minor < 0) {
		err_set(err, ERR_FINAL, "negative amount %lld refused", minor);
		return -1;
	}
	if (currency == NULL || !currency_valid(currency)) {
		err_set(err, ERR_FINAL, "bad currency code '%s' (need three upper-case "
		    "letters)", currency ? currency : "(none)");
		return -1;
	}
	n = (size_t)snprintf(digits, sizeof(digits), "%lld", minor / 100);
	for (i = 0; i < n; i++) {
		/* A separator before every group of three from the right. */
		if (i > 0 && (n - i) % 3 == 0)
			buf_append_str(&num, l->thousands);
		buf_append_char(&num, digits[i]);
	}
	buf_append_str(&num, l->decimal);
	buf_printf(&num, "%02lld", minor % 100);
	while (*p) {
		if (strncmp(p, "{number}", 8) == 0) {
			buf_append(out, num.data, num.len);
			p += 8;
		} else if (strncmp(p, "{currency}", 10) == 0) {
			buf_append_str(out, currency);
			p += 10;
		} else
			buf_append_char(out, *p++);
	}
	buf_free(&num);
	return 0;
}
