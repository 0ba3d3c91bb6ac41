/* clerkctl erase EMAIL [--dry-run] [--reason TEXT]: erasure on request
 * (erase.h), in one transaction; --dry-run says the same and rolls back. */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erase.h"
#include "log.h"
#include "runtime.h"

int
ctl_erase(struct ctl *ctl, int argc, char **argv)
{
	struct erase_report rep;
	struct clock_now now;
	struct runtime rt;
	struct buf diag = BUF_INIT;
	struct clerk_err err;
	const char *who = NULL, *reason = NULL;
	int first, dry = 0, status = 1;

	memset(&rep, 0, sizeof(rep));
	if (ctl_options(argc, argv, &first, NULL, &now) != 0)
		return 2;
	for (int i = first; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			dry = 1;
		else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			reason = argv[++i];
		else if (who == NULL && argv[i][0] != '-' && strchr(argv[i], '@') != NULL)
			who = argv[i];
		else
			who = "";
	}
	if (who == NULL || who[0] == '\0') {
		fprintf(stderr, "clerkctl: usage: erase EMAIL [--dry-run] [--reason TEXT]\n");
		return 2;
	}
	/* The workflows say which closed cases are records to keep. */
	if (runtime_load(ctl->cfg, RUNTIME_DATA, &rt, &diag, &err) != 0) {
		fprintf(stderr, "%sclerkctl: %s\n", buf_str(&diag), err.msg);
		buf_free(&diag);
		return 1;
	}
	buf_free(&diag);
	if (store_begin(ctl->st, &err) != 0)
		goto fail;
	if (erase_person(ctl->st, rt.wf, who, reason, &now, &rep, &err) != 0) {
		store_rollback(ctl->st);
		goto fail;
	}
	if (dry)
		store_rollback(ctl->st);
	else if (store_commit(ctl->st, &err) != 0)
		goto fail;
	if (dry)
		printf("dry run, nothing changed; an erasure would do this:\n");
	fputs(buf_str(&rep.text), stdout);
	if (!dry)
		log_info(NULL, "erasure", "cases=%ld mails=%ld notices=%ld kept=%ld", rep.cases,
		    rep.mails, rep.notices, rep.kept);
	status = 0;
	goto out;
fail:
	fprintf(stderr, "clerkctl: %s\n", err.msg);
out:
	erase_report_free(&rep);
	runtime_free(&rt);
	return status;
}
