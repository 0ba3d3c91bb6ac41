/* notice_probe: queues notices and runs the SMTP outbox from the command
 * line, for t_20_notices.sh and by hand. One command per run:
 *
 *   notice_probe CONF queue [options] TO TEMPLATE
 *	-n COUNT	queue COUNT notices (one transaction each)
 *	-r REF		case reference (also the variable case_ref)
 *	-l LANG		the recipient's language
 *	-e FPR		encrypt to this key
 *	-g		auto-generated (default: an answer)
 *	-i ID		In-Reply-To (and References)
 *	-c		confidential
 *	-K FILE		attach the association key read from FILE
 *	-v NAME=TEXT	a text variable; -d NAME=YYYY-MM-DD a date variable
 *			(name, association, association_address and
 *			received have defaults)
 *	prints each new Message-ID, or "suppressed"
 *   notice_probe CONF run		outbox_run at the real time: "sent=N"
 *   notice_probe CONF due		ms until the next row is due, -1: none
 *   notice_probe CONF status ID	"state=S attempts=N next=T reply=R error=E"
 *   notice_probe CONF dump ID		the row's stored bytes to stdout
 *   notice_probe CONF digest		unsent digest items of the secretary
 *   notice_probe CONF extract-signed FILE DIR
 *	FILE holds a multipart/signed mail or entity: DIR/signed gets the
 *	first part byte for byte, DIR/signature.asc the signature
 *   notice_probe CONF extract-encrypted FILE OUT
 *	OUT gets the ciphertext of a multipart/encrypted mail
 * Exit status: 0 ok, 75 temporary error, 1 permanent error, 2 usage. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "error.h"
#include "log.h"
#include "mail.h"
#include "notice.h"
#include "openpgp.h"
#include "outbox.h"
#include "store.h"
#include "store_outbox.h"
#include "template.h"
#include "tvars.h"
#include "xmalloc.h"

static volatile int stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: notice_probe CONF {queue [-n N] [-r REF] [-l LANG] [-e FPR] "
	    "[-g] [-i ID] [-c] [-K FILE] [-v N=T] [-d N=DATE] TO TEMPLATE | run | due | "
	    "status ID | dump ID | digest | extract-signed FILE DIR | "
	    "extract-encrypted FILE OUT}\n");
	exit(2);
}

static int
fail(const struct clerk_err *err)
{
	fprintf(stderr, "notice_probe: %s\n", err->msg);
	return err->temporary ? 75 : 1;
}

static int
write_file(const char *path, const void *data, size_t len, struct clerk_err *err)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		err_set(err, ERR_FINAL, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
parse_file(const char *path, struct mail **m, struct clerk_err *err)
{
	struct buf b = BUF_INIT;
	int rc;

	if (buf_read_file(&b, path, err) != 0)
		return -1;
	rc = mail_parse(buf_str(&b), b.len, NULL, m, err);
	buf_free(&b);
	return rc;
}

static int
cmd_extract(int argc, char **argv, struct clerk_err *err)
{
	struct mail *m = NULL;
	char *p = NULL;
	int rc = -1;

	if (argc != 2)
		usage();
	if (parse_file(argv[0], &m, err) != 0)
		return -1;
	if (m->pgp.kind != MAIL_PGP_MIME_SIGNED) {
		err_set(err, ERR_FINAL, "%s is %s, not PGP/MIME signed", argv[0],
		    mail_pgp_kind_name(m->pgp.kind));
		goto out;
	}
	p = xasprintf("%s/signed", argv[1]);
	if (write_file(p, m->pgp.signed_data.data, m->pgp.signed_data.len, err) != 0)
		goto out;
	free(p);
	p = xasprintf("%s/signature.asc", argv[1]);
	if (write_file(p, m->pgp.signature.data, m->pgp.signature.len, err) != 0)
		goto out;
	printf("micalg=%s signed_bytes=%zu\n", m->pgp.micalg ? m->pgp.micalg : "-",
	    m->pgp.signed_data.len);
	rc = 0;
out:
	free(p);
	mail_free(m);
	return rc;
}

static int
cmd_extract_encrypted(int argc, char **argv, struct clerk_err *err)
{
	struct mail *m = NULL;
	int rc = -1;

	if (argc != 2)
		usage();
	if (parse_file(argv[0], &m, err) != 0)
		return -1;
	if (m->pgp.kind != MAIL_PGP_MIME_ENCRYPTED)
		err_set(err, ERR_FINAL, "%s is %s, not PGP/MIME encrypted", argv[0],
		    mail_pgp_kind_name(m->pgp.kind));
	else if (write_file(argv[1], m->pgp.encrypted.data, m->pgp.encrypted.len, err) == 0)
		rc = 0;
	mail_free(m);
	return rc;
}

/* "NAME=VALUE": the name in `name` (owned), the value returned. */
static const char *
split_var(const char *arg, char **name)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		usage();
	*name = xstrndup(arg, (size_t)(eq - arg));
	return eq + 1;
}

static int
cmd_queue(const struct config *cfg, struct store *st, const struct clock_now *now, int argc,
    char **argv, struct clerk_err *err)
{
	static const char *const langs[] = { "en", "nb", "da", "nl", NULL };
	struct template_set *tpl = NULL;
	struct openpgp *pgp = NULL;
	struct notice_ctx nx;
	struct notice_req req;
	struct tvars vars = TVARS_INIT;
	struct buf key = BUF_INIT, diag = BUF_INIT;
	const char *refs[2] = { NULL, NULL };
	char *id = NULL, *name;
	const char *v;
	long count = 1;
	int c, rc = -1;

	memset(&req, 0, sizeof(req));
	req.kind = NOTICE_ANSWER;
	tvars_set_text(&vars, "name", "Alice Example");
	tvars_set_text(&vars, "association", cfg->association.name);
	tvars_set_text(&vars, "association_address", cfg->association.address);
	tvars_set_date(&vars, "received", now->local.date);
	optind = 1;
	while ((c = getopt(argc, argv, "n:r:l:e:gi:cK:v:d:")) != -1) {
		switch (c) {
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'r':
			req.case_ref = optarg;
			tvars_set_text(&vars, "case_ref", optarg);
			break;
		case 'l':
			req.lang = optarg;
			break;
		case 'e':
			req.encrypt_to = optarg;
			break;
		case 'g':
			req.kind = NOTICE_GENERATED;
			break;
		case 'i':
			req.in_reply_to = optarg;
			refs[0] = optarg;
			req.references = refs;
			break;
		case 'c':
			req.confidential = 1;
			break;
		case 'K':
			if (buf_read_file(&key, optarg, err) != 0)
				goto out;
			req.attach_public_key = 1;
			break;
		case 'v':
			v = split_var(optarg, &name);
			tvars_set_text(&vars, name, v);
			free(name);
			break;
		case 'd': {
			struct cal_date d;

			v = split_var(optarg, &name);
			if (cal_date_parse(v, &d, err) != 0) {
				free(name);
				goto out;
			}
			tvars_set_date(&vars, name, d);
			free(name);
			break;
		}
		default:
			usage();
		}
	}
	if (argc - optind != 2 || count < 1)
		usage();
	req.to = argv[optind];
	req.template = argv[optind + 1];
	req.vars = &vars;
	if (templates_load_dir(cfg->association.workflows, langs, &tpl, &diag, err) != 0 ||
	    openpgp_open(cfg->openpgp.home, &pgp, err) != 0)
		goto out;
	memset(&nx, 0, sizeof(nx));
	nx.cfg = cfg;
	nx.pgp = pgp;
	nx.tpl = tpl;
	nx.st = st;
	nx.public_key = key.len ? key.data : NULL;
	nx.public_key_len = key.len;
	for (long i = 0; i < count; i++) {
		if (store_begin(st, err) != 0)
			goto out;
		if (notice_queue(&nx, &req, now, &id, err) != 0 || store_commit(st, err) != 0) {
			store_rollback(st);
			goto out;
		}
		printf("%s\n", id != NULL ? id : "suppressed");
		free(id);
		id = NULL;
	}
	rc = 0;
out:
	if (diag.len)
		fprintf(stderr, "%s", buf_str(&diag));
	tvars_free(&vars);
	template_set_free(tpl);
	openpgp_close(pgp);
	buf_free(&key);
	buf_free(&diag);
	return rc;
}

static int
print_digest(void *arg, int64_t id, const char *at, const char *case_ref, const char *kind,
    const char *text)
{
	(void)arg;
	printf("%lld %s %s %s %s\n", (long long)id, at, case_ref ? case_ref : "-", kind, text);
	return 0;
}

int
main(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct store *st = NULL;
	struct clerk_err err = { 0, "" };
	struct clock_now now;
	struct sigaction sa;
	const char *cmd;
	int rc = -1;

	if (argc < 3)
		usage();
	log_init("notice_probe", 0, LOG_LEVEL_INFO);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	cmd = argv[2];
	if (config_load(argv[1], &cfg, &err) != 0)
		return fail(&err);
	if (strcmp(cmd, "extract-signed") == 0) {
		rc = cmd_extract(argc - 3, argv + 3, &err);
		goto out;
	}
	if (strcmp(cmd, "extract-encrypted") == 0) {
		rc = cmd_extract_encrypted(argc - 3, argv + 3, &err);
		goto out;
	}
	if (clock_set_timezone(cfg->association.timezone, &err) != 0 ||
	    store_open(cfg->storage.database, &st, &err) != 0)
		goto out;
	clock_read(0, &now);
	if (strcmp(cmd, "queue") == 0) {
		rc = cmd_queue(cfg, st, &now, argc - 2, argv + 2, &err);
	} else if (strcmp(cmd, "run") == 0 && argc == 3) {
		int sent = 0;

		rc = outbox_run(cfg, st, &now, &stop_flag, &sent, &err);
		printf("sent=%d\n", sent);
	} else if (strcmp(cmd, "due") == 0 && argc == 3) {
		long ms;

		if ((rc = outbox_next_due(st, &now, &ms, &err)) == 0)
			printf("%ld\n", ms);
	} else if (strcmp(cmd, "status") == 0 && argc == 4) {
		struct store_outbox_status s;
		int found;

		if ((rc = store_outbox_status(st, argv[3], NULL, &s, &found, &err)) == 0) {
			if (!found) {
				err_set(&err, ERR_FINAL, "no outbox row for %s", argv[3]);
				rc = -1;
			} else {
				printf("state=%s attempts=%d next=%s reply=%s error=%s\n",
				    outbox_state_name(s.state), s.attempts, s.next_attempt,
				    s.reply ? s.reply : "-", s.error ? s.error : "-");
			}
			store_outbox_status_clear(&s);
		}
	} else if (strcmp(cmd, "dump") == 0 && argc == 4) {
		void *b = NULL;
		size_t len = 0;

		if ((rc = store_outbox_bytes(st, argv[3], NULL, &b, &len, &err)) == 0) {
			if (b == NULL) {
				err_set(&err, ERR_FINAL, "no outbox row for %s", argv[3]);
				rc = -1;
			} else if (fwrite(b, 1, len, stdout) != len) {
				err_set(&err, ERR_TEMP, "stdout: %s", strerror(errno));
				rc = -1;
			}
			free(b);
		}
	} else if (strcmp(cmd, "digest") == 0 && argc == 3) {
		rc = store_digest_unsent(st, "secretary", print_digest, NULL, &err);
	} else {
		usage();
	}
out:
	store_close(st);
	config_free(cfg);
	if (fflush(stdout) != 0 && rc == 0) {
		err_set(&err, ERR_TEMP, "stdout: %s", strerror(errno));
		rc = -1;
	}
	return rc == 0 ? 0 : fail(&err);
}
