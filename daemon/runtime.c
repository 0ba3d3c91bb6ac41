/* Loading the read-only data of a run. */
#include "runtime.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

const char *const runtime_languages[] = { "en", "nb", "da", "nl", NULL };
const char *const runtime_notice_keys[] = { "dues.account", "dues.currency", NULL };

static int
template_known(void *arg, const char *name)
{
	return template_exists(arg, name);
}

int
runtime_load(const struct config *cfg, enum runtime_needs needs, struct runtime *rt,
    struct buf *diag, struct clerk_err *err)
{
	return runtime_load_with(cfg, needs, NULL, rt, diag, err);
}

int
runtime_load_with(const struct config *cfg, enum runtime_needs needs, struct openpgp *pgp,
    struct runtime *rt, struct buf *diag, struct clerk_err *err)
{
	struct buf labels = BUF_INIT;
	const char *dir = cfg->association.workflows;
	char *path = xasprintf("%s/forms/labels.tsv", dir);
	int rc = -1;

	memset(rt, 0, sizeof(*rt));
	rt->pgp = pgp;
	mail_limits_default(&rt->limits);
	rt->limits.max_size = cfg->limits.max_mail_bytes;
	rt->limits.max_parts = (size_t)cfg->limits.max_parts;
	rt->limits.max_depth = (size_t)cfg->limits.max_depth;
	if (buf_read_file(&labels, path, err) != 0 ||
	    forms_table_load(buf_str(&labels), labels.len, path, &rt->forms, err) != 0) {
		if (diag != NULL)
			buf_printf(diag, "%s\n", err->msg);
		goto out;
	}
	if (templates_load_dir(dir, runtime_languages, &rt->tpl, diag, err) != 0)
		goto out;
	if (wf_set_load_dir(dir, cfg->association.profile, template_known, rt->tpl, &rt->wf,
	    diag, err) != 0)
		goto out;
	if (((needs & RUNTIME_READ) && rt->pgp == NULL &&
	    openpgp_open(cfg->openpgp.home, &rt->pgp, err) != 0) ||
	    (needs == RUNTIME_SEND && openpgp_export_public(rt->pgp, cfg->openpgp.fingerprint,
	    &rt->public_key, err) != 0)) {
		if (diag != NULL)
			buf_printf(diag, "%s\n", err->msg);
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		runtime_free(rt);
	buf_free(&labels);
	free(path);
	return rc;
}

void
runtime_free(struct runtime *rt)
{
	if (rt == NULL)
		return;
	openpgp_close(rt->pgp);
	forms_table_free(rt->forms);
	template_set_free(rt->tpl);
	wf_set_free(rt->wf);
	buf_free(&rt->public_key);
	memset(rt, 0, sizeof(*rt));
}
