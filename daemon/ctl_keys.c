/* clerkctl keys, key-import: the OpenPGP keys in the association's home
 * and whom each is pinned for; importing a member's public key. */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "log.h"
#include "openpgp.h"
#include "store_digest.h"

static int
open_home(struct ctl *ctl, struct openpgp **pgp)
{
	struct clerk_err err;

	if (openpgp_open(ctl->cfg->openpgp.home, pgp, &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void
day(time_t t, char out[16])
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(out, 16, "-");
	else
		strftime(out, 16, "%Y-%m-%d", &tm);
}

int
ctl_keys(struct ctl *ctl, int argc, char **argv)
{
	struct openpgp *pgp = NULL;
	struct pgp_key_list keys = { NULL, 0 };
	struct store_member_rows members;
	struct clerk_err err;
	char assoc[41] = "";
	int status = 1;

	(void)argv;
	memset(&members, 0, sizeof(members));
	if (argc != 1) {
		fprintf(stderr, "clerkctl: keys takes no arguments\n");
		return 2;
	}
	if (open_home(ctl, &pgp) != 0)
		return 1;
	if (pgp_fpr_normalize(ctl->cfg->openpgp.fingerprint, assoc) != 0)
		assoc[0] = '\0';
	if (openpgp_list_keys(pgp, NULL, 0, &keys, &err) != 0 ||
	    store_members_list(ctl->st, &members, &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; i < keys.n; i++) {
		const struct pgp_key *k = &keys.v[i];
		const struct config_officer *o = config_officer_by_fingerprint(ctl->cfg, k->fpr);
		char created[16], expires[16];
		struct buf who = BUF_INIT;

		if (strcmp(k->fpr, assoc) == 0)
			buf_append_str(&who, " association");
		if (o != NULL)
			buf_printf(&who, " officer:%s", o->role);
		for (size_t m = 0; m < members.n; m++)
			if (members.v[m].fingerprint != NULL &&
			    strcmp(members.v[m].fingerprint, k->fpr) == 0)
				buf_printf(&who, " member:%s", members.v[m].email);
		day(k->created, created);
		day(k->expires, expires);
		printf("%s created=%s expires=%s%s%s%s%s%s pinned:%s\n", k->fpr, created, expires,
		    k->secret ? " secret" : "", k->revoked ? " revoked" : "",
		    k->expired ? " expired" : "", k->disabled ? " disabled" : "",
		    k->invalid ? " invalid" : "", who.len ? buf_str(&who) : " -");
		for (size_t u = 0; u < k->uids.n; u++)
			printf("  uid %s\n", k->uids.v[u]);
		buf_free(&who);
	}
	printf("%zu keys in %s\n", keys.n, openpgp_home(pgp));
	status = 0;
out:
	store_member_rows_free(&members);
	pgp_key_list_free(&keys);
	openpgp_close(pgp);
	return status;
}

/* key-import FILE [EMAIL]: imports the public keys in FILE (never a secret
 * one); with EMAIL, pins the one key for that member, whose user ids must
 * name the address. */
int
ctl_key_import(struct ctl *ctl, int argc, char **argv)
{
	struct openpgp *pgp = NULL;
	struct pgp_strings fprs = { NULL, 0 }, emails = { NULL, 0 };
	struct store_member m;
	struct clock_now now;
	struct buf data = BUF_INIT;
	struct clerk_err err;
	char detail[400];
	int first, found = 0, named = 0, status = 1;

	memset(&m, 0, sizeof(m));
	if (ctl_options(argc, argv, &first, NULL, &now) != 0)
		return 2;
	if (argc - first < 1 || argc - first > 2) {
		fprintf(stderr, "clerkctl: usage: key-import FILE [EMAIL]\n");
		return 2;
	}
	if (buf_read_file(&data, argv[first], &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		goto out;
	}
	if (open_home(ctl, &pgp) != 0)
		goto out;
	if (openpgp_import_public(pgp, data.data, data.len, &fprs, &err) != 0) {
		fprintf(stderr, "clerkctl: %s: %s\n", argv[first], err.msg);
		goto out;
	}
	for (size_t i = 0; i < fprs.n; i++)
		printf("imported %s\n", fprs.v[i]);
	if (argc - first == 1) {
		status = 0;
		goto out;
	}
	if (fprs.n != 1) {
		fprintf(stderr, "clerkctl: %s holds %zu keys; pin one key a member\n", argv[first],
		    fprs.n);
		goto out;
	}
	if (openpgp_key_emails(pgp, fprs.v[0], &emails, &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; i < emails.n; i++)
		named |= strcasecmp(emails.v[i], argv[first + 1]) == 0;
	if (!named) {
		fprintf(stderr, "clerkctl: key %s has no user id for %s; not pinned\n", fprs.v[0],
		    argv[first + 1]);
		goto out;
	}
	snprintf(detail, sizeof(detail), "%s for %s", fprs.v[0], argv[first + 1]);
	if (store_begin(ctl->st, &err) != 0)
		goto fail;
	if (store_member_by_email(ctl->st, argv[first + 1], &m, &found, &err) != 0) {
		store_rollback(ctl->st);
		goto fail;
	}
	if (!found) {
		store_rollback(ctl->st);
		fprintf(stderr, "clerkctl: no member %s; not pinned\n", argv[first + 1]);
		goto out;
	}
	if (store_member_pin_key(ctl->st, m.id, fprs.v[0], now.iso, &err) != 0 ||
	    store_event_append(ctl->st, now.iso, NULL, "key-pinned", detail, 0, &err) != 0 ||
	    store_commit(ctl->st, &err) != 0) {
		store_rollback(ctl->st);
		goto fail;
	}
	log_info(NULL, "key-pinned", "member=%s fpr=%s", m.email, fprs.v[0]);
	printf("pinned %s for %s\n", fprs.v[0], m.email);
	status = 0;
	goto out;
fail:
	fprintf(stderr, "clerkctl: %s\n", err.msg);
out:
	store_member_clear(&m);
	pgp_strings_free(&fprs);
	pgp_strings_free(&emails);
	buf_free(&data);
	openpgp_close(pgp);
	return status;
}
