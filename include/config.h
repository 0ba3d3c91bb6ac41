/* clerk.conf: one INI-style file, parsed once at start, validated before the
 * daemon detaches, then read-only. Passwords are read from the files the
 * configuration names and live only in the `secret` fields, which nothing
 * logs. */
#ifndef CLERK_CONFIG_H
#define CLERK_CONFIG_H

#include <stddef.h>

#include "error.h"

enum intake_kind {
	INTAKE_NONE = 0,
	INTAKE_IMAP,
	INTAKE_MAILDIR,
};

/* TLS policy of a URL: implicit (imaps://, smtps://), STARTTLS required
 * (imap://, smtp:// by default) or none (only on loopback or when
 * `insecure = yes`). */
enum tls_mode {
	TLS_IMPLICIT,
	TLS_STARTTLS,
	TLS_NONE,
};

struct config_officer {
	char	*role;		/* owned: secretary, treasurer, committee_chair, board_chair, ... */
	char	*email;		/* owned, lower case */
	char	*fingerprint;	/* owned, 40 upper-case hex digits */
	char	*language;	/* owned, may be NULL: the association default */
	char	*commands;	/* owned, may be NULL: space-separated verbs this role may use */
	int	 line;		/* where it was declared, for messages */
};

struct config {
	char	*path;		/* owned */

	struct {
		enum intake_kind kind;
		char	*url;		/* owned: imaps://host:port */
		enum tls_mode tls;
		char	*user;
		char	*password;	/* secret: read from password_file */
		char	*password_file;
		char	*mailbox;	/* default INBOX */
		char	*processed;	/* default Processed */
		char	*quarantine;	/* default Quarantine */
		int	 poll_interval;	/* seconds, fallback when IDLE is unavailable */
		int	 idle;		/* use IMAP IDLE (default yes) */
		char	*maildir;	/* owned: for kind MAILDIR */
		char	*ca_file;	/* owned, may be NULL: system CAs */
	} intake;

	struct {
		char	*url;
		enum tls_mode tls;
		char	*user;
		char	*password;	/* secret */
		char	*password_file;
		char	*envelope_from;
		char	*ca_file;
		int	 max_attempts;
		int	 retry_seconds;	/* first retry delay; doubles each time */
	} smtp;

	struct {
		char	*home;		/* GnuPG home */
		char	*fingerprint;	/* the association key */
	} openpgp;

	struct {
		char	*name;
		char	*address;
		char	*profile;	/* fgt, asrt, ntp */
		char	*workflows;	/* directory of workflows/ data */
		char	*language;	/* default language */
		char	*timezone;	/* e.g. Europe/Oslo */
	} association;

	struct config_officer *officers;	/* owned array */
	size_t	 nofficers;

	struct {
		char	*recipients;	/* space-separated roles; default "secretary" */
		int	 hour;		/* local hour at which the digest goes out */
		int	 send_empty;
		int	 per_officer;
	} digest;

	struct {
		char	*database;
	} storage;

	struct {
		size_t	 max_mail_bytes;
		int	 max_parts;
		int	 max_depth;
		int	 auto_replies_per_day;
		int	 command_max_age_hours;	/* an officer's signature */
		int	 member_signature_max_age_hours; /* a member's, on a form
						 * that changes membership */
	} limits;

	struct {
		char	*level;		/* error, warn, info, debug */
	} log;

	int	 insecure;	/* allow plain-text protocols to non-loopback hosts */
};

/* Parses and validates `path`. On failure err->msg reads "file:line: message"
 * (or "file: message" for a whole-file problem) and *out is untouched. */
int config_load(const char *path, struct config **out, struct clerk_err *err);
/* The same from memory: `name` is used in messages, relative paths (password
 * files) are resolved against `basedir`. */
int config_parse(const char *name, const char *basedir, const char *text, size_t len,
    struct config **out, struct clerk_err *err);
void config_free(struct config *cfg);

const struct config_officer *config_officer_by_role(const struct config *cfg, const char *role);
const struct config_officer *config_officer_by_email(const struct config *cfg, const char *email);
const struct config_officer *config_officer_by_fingerprint(const struct config *cfg, const char *fpr);

/* 1 when `host` of a URL is 127.0.0.0/8, ::1 or localhost. */
int config_url_is_loopback(const char *url);

#endif
