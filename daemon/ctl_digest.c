/* clerkctl digest --preview | --send: the digest as it would go out now,
 * or sent now (queued in the outbox, whatever the hour). */
#include "ctl.h"

#include <stdio.h>
#include <string.h>

#include "caseflow.h"
#include "digest.h"
#include "runtime.h"

int
ctl_digest(struct ctl *ctl, int argc, char **argv)
{
	struct clock_now now;
	struct runtime rt;
	struct caseflow cf;
	struct buf out = BUF_INIT;
	struct clerk_err err;
	int first, send, queued = 0, status = 1;

	if (ctl_options(argc, argv, &first, NULL, &now) != 0)
		return 2;
	if (first != argc - 1 || (strcmp(argv[first], "--preview") != 0 &&
	    strcmp(argv[first], "--send") != 0)) {
		fprintf(stderr, "clerkctl: usage: digest [--now TIME] --preview | --send\n");
		return 2;
	}
	send = strcmp(argv[first], "--send") == 0;
	if (ctl_load_runtime(ctl, &rt) != 0)
		return 1;
	caseflow_init(&cf, ctl->cfg, ctl->st, &rt);
	if (send) {
		if (digest_run(&cf, &now, 1, &queued, &err) != 0)
			goto fail;
		printf("%d digests queued\n", queued);
	} else {
		if (digest_preview(&cf, &now, &out, &err) != 0)
			goto fail;
		fputs(buf_str(&out), stdout);
	}
	status = 0;
	goto out;
fail:
	fprintf(stderr, "clerkctl: %s\n", err.msg);
out:
	buf_free(&out);
	runtime_free(&rt);
	return status;
}
