/* Classification rules, in order: delivery reports, automatic mail (never
 * answered, so no loop), officer commands, forms, replies, the rest. */
#include "classify.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[] = {
	"form", "reply", "command", "automatic", "bounce", "unknown",
};

const char *
mail_kind_name(enum mail_kind k)
{
	return kind_names[k];
}

static int
token_is(const char *value, const char *word)
{
	size_t n = strlen(word);

	while (*value == ' ' || *value == '\t')
		value++;
	return strncasecmp(value, word, n) == 0 &&
	    (value[n] == '\0' || value[n] == ';' || value[n] == ' ' || value[n] == '\t' ||
	    value[n] == '\r' || value[n] == '\n');
}

int
classify_is_automatic(const struct mail *m, char *why, size_t n)
{
	if (m->auto_submitted != NULL && !token_is(m->auto_submitted, "no")) {
		snprintf(why, n, "Auto-Submitted: %s", m->auto_submitted);
		return 1;
	}
	if (m->precedence != NULL && (token_is(m->precedence, "bulk") ||
	    token_is(m->precedence, "junk") || token_is(m->precedence, "list"))) {
		snprintf(why, n, "Precedence: %s", m->precedence);
		return 1;
	}
	if (m->x_autoreply) {
		snprintf(why, n, "X-Autoreply");
		return 1;
	}
	if (m->list_id != NULL) {
		snprintf(why, n, "List-Id: %s", m->list_id);
		return 1;
	}
	if (m->return_path != NULL && m->return_path[0] == '\0') {
		snprintf(why, n, "null sender (Return-Path: <>)");
		return 1;
	}
	return 0;
}

/* A confirmation token after a reference: 16 to 40 of A-Z 0-9. */
static size_t
token_len(const char *q)
{
	size_t k = 0;

	while ((q[k] >= 'A' && q[k] <= 'Z') || (q[k] >= '0' && q[k] <= '9'))
		k++;
	return k >= 16 && k <= 40 && q[k] == ']' ? k : 0;
}

int
classify_find_ref_token(const char *subject, char *ref, size_t n, char *token, size_t tn)
{
	token[0] = '\0';
	for (const char *p = subject ? strchr(subject, '[') : NULL; p; p = strchr(p + 1, '[')) {
		const char *q = p + 1;
		size_t letters = 0, digits = 0;

		while (isupper((unsigned char)q[letters]))
			letters++;
		if (letters < 2 || letters > 8 || q[letters] != '-')
			continue;
		q += letters + 1;
		if (!(isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1]) &&
		    isdigit((unsigned char)q[2]) && isdigit((unsigned char)q[3]) && q[4] == '-'))
			continue;
		q += 5;
		while (isdigit((unsigned char)q[digits]))
			digits++;
		if (digits < 4 || digits > 6)
			continue;
		if (q[digits] == '/') {
			size_t k = token_len(q + digits + 1);

			if (k == 0 || k >= tn)
				continue;
			snprintf(token, tn, "%.*s", (int)k, q + digits + 1);
		} else if (q[digits] != ']') {
			continue;
		}
		if ((size_t)(q + digits - (p + 1)) >= n)
			return -1;
		snprintf(ref, n, "%.*s", (int)(q + digits - (p + 1)), p + 1);
		return 0;
	}
	return -1;
}

int
classify_find_ref(const char *subject, char *out, size_t n)
{
	char token[48];

	return classify_find_ref_token(subject, out, n, token, sizeof(token));
}

int
classify_has_command_line(const char *text, const char *const *verbs)
{
	const char *line = text;

	while (line != NULL && *line != '\0') {
		const char *s = line;

		while (*s == ' ' || *s == '\t')
			s++;
		for (size_t i = 0; verbs[i] != NULL; i++) {
			size_t vl = strlen(verbs[i]);

			if (strncasecmp(s, verbs[i], vl) == 0 &&
			    (s[vl] == ' ' || s[vl] == '\t' || s[vl] == '\n' || s[vl] == '\r' ||
			    s[vl] == '\0'))
				return 1;
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return 0;
}

void
classify_mail(const struct classify_input *in, struct classification *out)
{
	const struct mail *m = in->mail;
	char why[128];

	memset(out, 0, sizeof(*out));
	if (m->is_report) {
		out->kind = KIND_BOUNCE;
		snprintf(out->reason, sizeof(out->reason), "multipart/report%s%s",
		    m->report_type ? "; report-type=" : "", m->report_type ? m->report_type : "");
		return;
	}
	if (classify_is_automatic(m, why, sizeof(why))) {
		out->kind = KIND_AUTOMATIC;
		snprintf(out->reason, sizeof(out->reason), "%s", why);
		return;
	}
	if (in->own_address != NULL && m->from.addr != NULL &&
	    strcasecmp(m->from.addr, in->own_address) == 0) {
		/* Our own notice came back: never answer ourselves. */
		out->kind = KIND_AUTOMATIC;
		snprintf(out->reason, sizeof(out->reason), "from the association's own address");
		return;
	}
	if (in->officer_role != NULL && in->has_command_lines) {
		out->kind = KIND_COMMAND;
		snprintf(out->reason, sizeof(out->reason), "command lines from the %s's address",
		    in->officer_role);
		return;
	}
	if (in->form_name != NULL) {
		out->kind = KIND_FORM;
		snprintf(out->reason, sizeof(out->reason), "form %s", in->form_name);
		return;
	}
	if (in->case_ref != NULL) {
		out->kind = KIND_REPLY;
		snprintf(out->reason, sizeof(out->reason), "reply to %s", in->case_ref);
		return;
	}
	out->kind = KIND_UNKNOWN;
	snprintf(out->reason, sizeof(out->reason), "no form, no case reference, no command");
}
