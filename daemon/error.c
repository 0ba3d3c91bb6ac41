/* Error reports with a retry class. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
err_set(struct clerk_err *e, int temporary, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	e->temporary = temporary;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void
err_prefix(struct clerk_err *e, const char *fmt, ...)
{
	char head[256], old[sizeof(e->msg)];
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", head, old);
}

void
err_clear(struct clerk_err *e)
{
	if (e == NULL)
		return;
	e->temporary = 0;
	e->msg[0] = '\0';
}
