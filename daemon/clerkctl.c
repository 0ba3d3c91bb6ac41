/* clerkctl: the secretary's and the operator's tool. Each subcommand is a
 * row of the table below; officer actions go through the same code as the
 * commands that arrive by mail. */
#include "autoconfig.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "commands_parse.h"
#include "config.h"
#include "commands.h"
#include "ctl.h"
#include "runtime.h"
#include "store.h"

#define DEFAULT_CONFIG SYSCONFDIR "/clerk/clerk.conf"

struct subcommand {
	const char	*name;
	const char	*args;
	const char	*help;
	int		 needs_store;
	int		(*run)(struct ctl *ctl, int argc, char **argv);
};

static int cmd_check(struct ctl *, int, char **);
static int cmd_show(struct ctl *, int, char **);

static const struct subcommand subcommands[] = {
	{ "check", "", "validate the configuration (and the database schema)", 1, cmd_check },
	{ "show", "CASE", "print a case and its whole history", 1, cmd_show },
	{ "inspect", "[--json] FILE...", "show how clerk reads mails, without acting", 1, ctl_inspect },
	{ "import-payments", "FILE", "record the payments of a WHO;AMOUNT;DATE file", 1,
	    ctl_import_payments },
	{ "cases", "[--all]", "list open cases (or all)", 1, ctl_cases },
	{ "members", "", "list members", 1, ctl_members },
	{ "deadlines", "", "list the deadlines of open cases", 1, ctl_deadlines },
	{ "outbox", "[--STATE|release]", "list the notices (--queued, --sent, --failed, "
	    "--held); release: sign the held ones now", 1, ctl_outbox },
	{ "quarantine", "[show|reprocess|discard ID]", "show, read again and apply, or discard "
	    "quarantined mail", 1, ctl_quarantine },
	{ "digest", "--preview|--send", "show the digest, or send it now", 1, ctl_digest },
	{ "export", "EMAIL", "everything held about one person, as JSON (GDPR)", 1, ctl_export },
	{ "erase", "EMAIL [--dry-run]", "erase what is held about a person but what must be "
	    "kept (GDPR); says what and why", 1, ctl_erase },
	{ "keys", "", "list the OpenPGP keys and whom they are pinned for", 1, ctl_keys },
	{ "key-import", "FILE [EMAIL]", "import public keys; pin the key for a member", 1,
	    ctl_key_import },
};

/* Every officer verb of the command table (commands_parse.h). */
static const struct subcommand officer_subcommand = { "", "", "", 1, ctl_officer };

static void
usage(FILE *f)
{
	fprintf(f, "usage: clerkctl [-c FILE] COMMAND [ARGS...]\n"
	    "       clerkctl COMMAND --help\n\n"
	    "  -c, --config FILE  configuration (default " DEFAULT_CONFIG ")\n"
	    "  -h, --help         show this help\n"
	    "  -V, --version      show the version\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-8s %-18s %s\n", subcommands[i].name, subcommands[i].args,
		    subcommands[i].help);
	fprintf(f, "\nofficer commands, as by signed mail (as the secretary, or --as ROLE;\n"
	    "--now TIME fixes the clock), those the association's workflows answer:\n");
	for (size_t i = 0; i < commands_table_len; i++)
		fprintf(f, "  %-9s %-33s %s\n", commands_table[i].verb, commands_table[i].args,
		    commands_table[i].help);
}

/* `clerkctl VERB --help`: one command's usage, without a configuration. */
static int
help_for(const char *name)
{
	const struct command_syntax *cs = commands_syntax(name);

	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(subcommands[i].name, name) != 0)
			continue;
		printf("usage: clerkctl [-c FILE] %s %s\n\n%s\n", name, subcommands[i].args,
		    subcommands[i].help);
		return 0;
	}
	if (cs == NULL)
		return -1;
	printf("usage: clerkctl [-c FILE] %s [--as ROLE] [--now TIME] %s\n\n%s.\n"
	    "The same as the line \"%s %s\" in an officer's signed mail; run as the\n"
	    "secretary unless --as names another role. Roles that may use it by default:",
	    cs->verb, cs->args, cs->help, cs->verb, cs->args);
	{
		static const char *const roles[] = { "secretary", "treasurer", "committee_chair",
		    "board_chair" };
		for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
			if (commands_role_may(roles[i], NULL, cs->verb))
				printf(" %s", roles[i]);
	}
	printf(".\n%s\n", cs->by == COMMAND_BY_MODULE ? "Answered by clerk itself, for any "
	    "case in any state." : "Offered only when one of the association's workflows "
	    "answers it (clerkctl check lists them).");
	return 0;
}

/* Validates the configuration, every workflow, the profile and every
 * template; lists each problem as file:line. */
static int
cmd_check(struct ctl *ctl, int argc, char **argv)
{
	struct buf diag = BUF_INIT, offered = BUF_INIT;
	struct runtime rt;
	struct clerk_err err;
	int version = 0;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "clerkctl: check takes no arguments\n");
		return 2;
	}
	if (runtime_load(ctl->cfg, RUNTIME_DATA, &rt, &diag, &err) != 0) {
		fprintf(stderr, "%sclerkctl: %s\n", buf_str(&diag), err.msg);
		buf_free(&diag);
		return 1;
	}
	printf("%s: %zu workflows, profile %s, templates in en nb da nl: ok\n",
	    ctl->cfg->association.workflows, rt.wf->nwf, ctl->cfg->association.profile);
	if (commands_check(rt.wf, &offered, &diag) != 0) {
		fprintf(stderr, "%sclerkctl: the officer commands and their answerers disagree\n",
		    buf_str(&diag));
		buf_free(&offered);
		buf_free(&diag);
		runtime_free(&rt);
		return 1;
	}
	printf("commands %s\n", buf_str(&offered));
	buf_free(&offered);
	/* A placeholder that a notice or a deadline uses would go out on a
	 * real invoice: refuse. Unconfirmed clerk defaults are listed. */
	if (wf_profile_marks(rt.wf, runtime_notice_keys, &diag, &offered) > 0) {
		fprintf(stderr, "%s%sclerkctl: the profile still has placeholders in use\n",
		    buf_str(&offered), buf_str(&diag));
		buf_free(&offered);
		buf_free(&diag);
		runtime_free(&rt);
		return 1;
	}
	if (offered.len > 0)
		printf("settings that are clerk's defaults, not the association's own rules "
		    "(confirm each in the profile):\n%s", buf_str(&offered));
	buf_free(&offered);
	runtime_free(&rt);
	buf_free(&diag);
	if (store_schema_version(ctl->st, &version, &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		return 1;
	}
	printf("%s: configuration ok (profile %s, %zu officers, intake %s)\n",
	    ctl->config_path, ctl->cfg->association.profile, ctl->cfg->nofficers,
	    ctl->cfg->intake.kind == INTAKE_IMAP ? "imap" : "maildir");
	printf("%s: database schema %d\n", ctl->cfg->storage.database, version);
	return 0;
}

static int
print_event(void *arg, const char *at, const char *kind, const char *detail)
{
	(void)arg;
	printf("  %s  %-16s %s\n", at, kind, detail);
	return 0;
}

static int
cmd_show(struct ctl *ctl, int argc, char **argv)
{
	struct store_case c;
	struct clerk_err err;
	int found = 0;

	if (argc != 2) {
		fprintf(stderr, "clerkctl: usage: show CASE\n");
		return 2;
	}
	if (store_case_get(ctl->st, argv[1], &c, &found, &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		return 1;
	}
	if (!found) {
		fprintf(stderr, "clerkctl: no case %s\n", argv[1]);
		return 1;
	}
	printf("%s  workflow=%s state=%s email=%s opened=%s%s%s\n", c.ref, c.workflow, c.state,
	    c.email, c.opened, c.closed ? " closed=" : "", c.closed ? c.closed : "");
	store_case_clear(&c);
	if (store_events_for_case(ctl->st, argv[1], print_event, NULL, &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = { DEFAULT_CONFIG, NULL, NULL };
	const struct subcommand *sc = NULL;
	struct clerk_err err;
	int ch, status = 1;

	/* Options stop at the subcommand: its own arguments may look like options. */
	while ((ch = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': ctl.config_path = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("clerkctl %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (optind + 1 < argc && (strcmp(argv[optind + 1], "--help") == 0 ||
	    strcmp(argv[optind + 1], "-h") == 0)) {
		if (help_for(argv[optind]) == 0)
			return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(subcommands[i].name, argv[optind]) == 0)
			sc = &subcommands[i];
	if (sc == NULL && commands_syntax(argv[optind]) != NULL)
		sc = &officer_subcommand;
	if (sc == NULL) {
		fprintf(stderr, "clerkctl: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	err_clear(&err);
	if (config_load(ctl.config_path, &ctl.cfg, &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		return 1;
	}
	if (clock_set_timezone(ctl.cfg->association.timezone, &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		goto out;
	}
	if (sc->needs_store && store_open(ctl.cfg->storage.database, &ctl.st, &err) != 0) {
		fprintf(stderr, "clerkctl: %s\n", err.msg);
		goto out;
	}
	status = sc->run(&ctl, argc - optind, argv + optind);
out:
	store_close(ctl.st);
	config_free(ctl.cfg);
	return status;
}
