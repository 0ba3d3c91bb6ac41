/* clerkctl approve|reject|paid|...: an officer's command, through the same
 * code as a command mail (commands_execute), in one transaction. */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "caseflow.h"
#include "commands.h"
#include "notice.h"
#include "runtime.h"

int
ctl_options(int argc, char **argv, int *first, const char **role, struct clock_now *now)
{
	const char *now_text = NULL;
	struct clerk_err err;
	time_t fixed = 0;
	int i;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--as") == 0 && role != NULL && i + 1 < argc) {
			*role = argv[++i];
		} else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
			now_text = argv[++i];
		} else if (strncmp(argv[i], "--now=", 6) == 0) {
			now_text = argv[i] + 6;
		} else {
			break;	/* the subcommand's own */
		}
	}
	if (now_text != NULL && clock_parse_fixed(now_text, &fixed, &err) != 0) {
		fprintf(stderr, "clerkctl: --now: %s\n", err.msg);
		return -1;
	}
	clock_read(fixed, now);
	*first = i;
	return 0;
}

int
ctl_load_runtime(struct ctl *ctl, struct runtime *rt)
{
	struct buf diag = BUF_INIT;
	struct clerk_err err;

	if (runtime_load(ctl->cfg, RUNTIME_SEND, rt, &diag, &err) != 0) {
		fprintf(stderr, "%sclerkctl: %s\n", buf_str(&diag), err.msg);
		buf_free(&diag);
		return -1;
	}
	buf_free(&diag);
	return 0;
}

int
ctl_officer(struct ctl *ctl, int argc, char **argv)
{
	const struct config_officer *o;
	const struct command_syntax *cs = commands_syntax(argv[0]);
	struct command_report rep = { NULL, 0, 0, 0, 0 };
	const char *role = "secretary";
	struct clock_now now;
	struct runtime rt;
	struct caseflow cf;
	struct command c;
	struct clerk_err err;
	int first, status = 1;

	if (cs == NULL || ctl_options(argc, argv, &first, &role, &now) != 0)
		return 2;
	if (first >= argc) {
		fprintf(stderr, "clerkctl: usage: %s [--as ROLE] [--now TIME] %s\n", cs->verb,
		    cs->args);
		return 2;
	}
	o = config_officer_by_role(ctl->cfg, role);
	if (ctl_load_runtime(ctl, &rt) != 0)
		return 1;
	caseflow_init(&cf, ctl->cfg, ctl->st, &rt);
	command_from_words(argv[0], argv + first, (size_t)(argc - first), &c);
	if (store_begin(ctl->st, &err) != 0)
		goto fail;
	if (commands_execute(&cf, role, o ? o->commands : NULL, &c, 0, &now, &rep, &err) != 0) {
		store_rollback(ctl->st);
		goto fail;
	}
	if (store_commit(ctl->st, &err) != 0)
		goto fail;
	for (size_t i = 0; i < rep.n; i++)
		printf("%s\n", rep.lines[i]);
	status = rep.not_done == 0 ? 0 : 1;
	goto out;
fail:
	fprintf(stderr, "clerkctl: %s\n", err.msg);
out:
	command_report_free(&rep);
	command_clear(&c);
	runtime_free(&rt);
	return status;
}

/* clerkctl outbox release: sign every held notice now (after the
 * association key or the agent was mended), without waiting for the
 * daemon's next attempt. */
int
ctl_outbox_release(struct ctl *ctl, int argc, char **argv)
{
	struct notice_release_stats rs;
	struct notice_ctx nx;
	struct clock_now now;
	struct runtime rt;
	struct caseflow cf;
	struct clerk_err err;
	int first, status = 1;

	if (ctl_options(argc, argv, &first, NULL, &now) != 0)
		return 2;
	if (first != argc) {
		fprintf(stderr, "clerkctl: usage: outbox release [--now TIME]\n");
		return 2;
	}
	if (ctl_load_runtime(ctl, &rt) != 0)
		return 1;
	caseflow_init(&cf, ctl->cfg, ctl->st, &rt);
	caseflow_notice_ctx(&cf, &nx);
	if (notice_release_held(&nx, &now, 1, &rs, &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		goto out;
	}
	printf("%d released, %d still held, %d failed\n", rs.released, rs.still_held, rs.failed);
	status = rs.still_held == 0 && rs.failed == 0 ? 0 : 1;
out:
	runtime_free(&rt);
	return status;
}

/* clerkctl quarantine reprocess ID: a kept mail read again, after what
 * kept it out was mended (a key imported, a form label or workflow
 * fixed), and applied as if it had just arrived. */
int
ctl_quarantine_reprocess(struct ctl *ctl, int64_t mail_id, const struct clock_now *now)
{
	struct apply_result res;
	struct apply_ctx ax;
	struct runtime rt;
	struct clerk_err err;
	int status = 1;

	if (ctl_load_runtime(ctl, &rt) != 0)
		return 1;
	ax.cfg = ctl->cfg;
	ax.st = ctl->st;
	ax.rt = &rt;
	if (apply_reprocess(&ax, mail_id, now, &res, &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		goto out;
	}
	if (res.quarantined) {
		printf("mail %lld (%s) is still in the quarantine; clerkctl quarantine show %lld "
		    "says why\n", (long long)mail_id, res.kind, (long long)mail_id);
		goto out;
	}
	printf("mail %lld (%s) applied%s%s; its notices leave with the daemon's next cycle\n",
	    (long long)mail_id, res.kind, res.case_ref[0] ? " to " : "", res.case_ref);
	status = 0;
out:
	runtime_free(&rt);
	return status;
}
