/* clerkctl import-payments FILE: the treasurer's bank export as `paid`
 * commands, through the same code as a command mail. The file is checked
 * whole before anything is recorded; then all lines go in one
 * transaction, each reported like a line of a command receipt.
 *
 *   # comment
 *   WHO;AMOUNT[;DATE]     WHO: a case reference or the member's address
 *                         AMOUNT: 1250, 1250.00 or 1250,00 (major units)
 *                         DATE: YYYY-MM-DD
 * Fields are separated by ';' or, when the amount has no decimal comma,
 * by ','. */
#include "ctl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseflow.h"
#include "commands.h"
#include "runtime.h"
#include "xmalloc.h"

struct payment {
	char	*words[3];	/* owned: who, amount, date (may be NULL) */
	size_t	 n;
	int	 line;
};

static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* Splits one line; 0, or -1 with `why` for a malformed one. */
static int
split_line(const char *line, struct payment *p, char *why, size_t whylen)
{
	char sep = strchr(line, ';') != NULL ? ';' : ',';
	const char *s = line;

	p->n = 0;
	while (s != NULL) {
		const char *e = strchr(s, sep);
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (p->n == 3) {
			snprintf(why, whylen, "more than three fields");
			return -1;
		}
		p->words[p->n++] = trimmed(s, n);
		s = e ? e + 1 : NULL;
	}
	if (p->n < 2 || p->words[0][0] == '\0' || p->words[1][0] == '\0') {
		snprintf(why, whylen, "wants WHO;AMOUNT[;DATE]");
		return -1;
	}
	for (const char *c = p->words[1]; *c; c++) {
		if (!isdigit((unsigned char)*c) && *c != '.' && *c != ',' && *c != ' ') {
			snprintf(why, whylen, "'%s' is not an amount", p->words[1]);
			return -1;
		}
	}
	if (p->n == 3 && p->words[2][0] != '\0') {
		struct cal_date d;
		struct clerk_err derr;

		if (cal_date_parse(p->words[2], &d, &derr) != 0) {
			snprintf(why, whylen, "%.200s", derr.msg);
			return -1;
		}
	} else if (p->n == 3) {
		free(p->words[2]);
		p->n = 2;
	}
	return 0;
}

static void
payments_free(struct payment *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t w = 0; w < v[i].n; w++)
			free(v[i].words[w]);
	free(v);
}

int
ctl_import_payments(struct ctl *ctl, int argc, char **argv)
{
	const char *role = "treasurer";
	const struct config_officer *o;
	struct command_report rep = { NULL, 0, 0, 0, 0 };
	struct payment *pays = NULL;
	struct buf text = BUF_INIT;
	struct clock_now now;
	struct runtime rt;
	struct caseflow cf;
	struct clerk_err err;
	size_t n = 0, cap = 0;
	int first, lineno = 0, status = 1, have_rt = 0, bad = 0;
	const char *s;

	if (ctl_options(argc, argv, &first, &role, &now) != 0)
		return 2;
	if (first != argc - 1) {
		fprintf(stderr, "clerkctl: usage: import-payments [--as ROLE] [--now TIME] FILE\n");
		return 2;
	}
	if (buf_read_file(&text, argv[first], &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		goto out;
	}
	for (s = buf_str(&text); *s != '\0';) {
		const char *nl = strchr(s, '\n');
		char *line = trimmed(s, nl ? (size_t)(nl - s) : strlen(s));
		char why[256];

		lineno++;
		s = nl ? nl + 1 : s + strlen(s);
		if (line[0] == '\0' || line[0] == '#') {
			free(line);
			continue;
		}
		pays = xgrow(pays, &cap, n + 1, sizeof(*pays));
		memset(&pays[n], 0, sizeof(pays[n]));
		pays[n].line = lineno;
		if (split_line(line, &pays[n], why, sizeof(why)) != 0) {
			fprintf(stderr, "%s:%d: %s\n", argv[first], lineno, why);
			bad++;
		}
		n++;
		free(line);
	}
	if (bad > 0) {
		fprintf(stderr, "clerkctl: %s: %d bad lines; nothing was recorded\n", argv[first],
		    bad);
		goto out;
	}
	o = config_officer_by_role(ctl->cfg, role);
	if (ctl_load_runtime(ctl, &rt) != 0)
		goto out;
	have_rt = 1;
	caseflow_init(&cf, ctl->cfg, ctl->st, &rt);
	if (store_begin(ctl->st, &err) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct command c;

		command_from_words("paid", pays[i].words, pays[i].n, &c);
		if (commands_execute(&cf, role, o ? o->commands : NULL, &c, 0, &now, &rep,
		    &err) != 0) {
			command_clear(&c);
			store_rollback(ctl->st);
			goto fail;
		}
		command_clear(&c);
	}
	if (store_commit(ctl->st, &err) != 0)
		goto fail;
	for (size_t i = 0; i < rep.n; i++)
		printf("%s\n", rep.lines[i]);
	printf("%zu payments: %d recorded, %d not\n", n, rep.done, rep.not_done);
	status = rep.not_done == 0 ? 0 : 1;
	goto out;
fail:
	fprintf(stderr, "clerkctl: %s\n", err.msg);
out:
	command_report_free(&rep);
	payments_free(pays, n);
	buf_free(&text);
	if (have_rt)
		runtime_free(&rt);
	return status;
}
