/* Error reports with a retry class. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
err_set(struct clerk_err *e, enum err_class cls, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	e->temporary = cls == ERR_TEMP;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void
err_prefix(struct clerk_err *e, const char *fmt, ...)
{
	char head[256];
	size_t hl, ol;
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head) - 2, fmt, ap);
	va_end(ap);
	strcat(head, ": ");
	hl = strlen(head);
	ol = strnlen(e->msg, sizeof(e->msg) - 1);
	if (hl + ol > sizeof(e->msg) - 1)
		ol = sizeof(e->msg) - 1 - hl;
	memmove(e->msg + hl, e->msg, ol);
	memcpy(e->msg, head, hl);
	e->msg[hl + ol] = '\0';
}

void
err_clear(struct clerk_err *e)
{
	if (e == NULL)
		return;
	e->temporary = 0;
	e->msg[0] = '\0';
}
