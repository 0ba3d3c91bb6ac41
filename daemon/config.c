/* clerk.conf parser: [section] headers, `key = value` lines, # comments.
 * Every key is declared in one table; an unknown one is an error. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "xmalloc.h"

enum key_type {
	KEY_STRING,
	KEY_PATH,	/* relative paths resolved against the file's directory */
	KEY_INT,
	KEY_BOOL,
	KEY_SIZE,	/* bytes, with optional k/M suffix */
};

struct key_def {
	const char	*section;
	const char	*name;
	enum key_type	 type;
	size_t		 offset;
	long		 min, max;	/* KEY_INT range */
};

#define OFF(field) offsetof(struct config, field)

static const struct key_def config_keys[] = {
	{ "intake", "url", KEY_STRING, OFF(intake.url), 0, 0 },
	{ "intake", "user", KEY_STRING, OFF(intake.user), 0, 0 },
	{ "intake", "password_file", KEY_PATH, OFF(intake.password_file), 0, 0 },
	{ "intake", "mailbox", KEY_STRING, OFF(intake.mailbox), 0, 0 },
	{ "intake", "processed", KEY_STRING, OFF(intake.processed), 0, 0 },
	{ "intake", "quarantine", KEY_STRING, OFF(intake.quarantine), 0, 0 },
	{ "intake", "poll_interval", KEY_INT, OFF(intake.poll_interval), 1, 86400 },
	{ "intake", "idle", KEY_BOOL, OFF(intake.idle), 0, 0 },
	{ "intake", "maildir", KEY_PATH, OFF(intake.maildir), 0, 0 },
	{ "intake", "ca_file", KEY_PATH, OFF(intake.ca_file), 0, 0 },
	{ "smtp", "url", KEY_STRING, OFF(smtp.url), 0, 0 },
	{ "smtp", "user", KEY_STRING, OFF(smtp.user), 0, 0 },
	{ "smtp", "password_file", KEY_PATH, OFF(smtp.password_file), 0, 0 },
	{ "smtp", "envelope_from", KEY_STRING, OFF(smtp.envelope_from), 0, 0 },
	{ "smtp", "ca_file", KEY_PATH, OFF(smtp.ca_file), 0, 0 },
	{ "smtp", "max_attempts", KEY_INT, OFF(smtp.max_attempts), 1, 1000 },
	{ "smtp", "retry_seconds", KEY_INT, OFF(smtp.retry_seconds), 1, 86400 },
	{ "openpgp", "home", KEY_PATH, OFF(openpgp.home), 0, 0 },
	{ "openpgp", "fingerprint", KEY_STRING, OFF(openpgp.fingerprint), 0, 0 },
	{ "association", "name", KEY_STRING, OFF(association.name), 0, 0 },
	{ "association", "address", KEY_STRING, OFF(association.address), 0, 0 },
	{ "association", "profile", KEY_STRING, OFF(association.profile), 0, 0 },
	{ "association", "workflows", KEY_PATH, OFF(association.workflows), 0, 0 },
	{ "association", "language", KEY_STRING, OFF(association.language), 0, 0 },
	{ "association", "timezone", KEY_STRING, OFF(association.timezone), 0, 0 },
	{ "digest", "recipients", KEY_STRING, OFF(digest.recipients), 0, 0 },
	{ "digest", "hour", KEY_INT, OFF(digest.hour), 0, 23 },
	{ "digest", "send_empty", KEY_BOOL, OFF(digest.send_empty), 0, 0 },
	{ "digest", "per_officer", KEY_BOOL, OFF(digest.per_officer), 0, 0 },
	{ "storage", "database", KEY_PATH, OFF(storage.database), 0, 0 },
	{ "limits", "max_mail_bytes", KEY_SIZE, OFF(limits.max_mail_bytes), 0, 0 },
	{ "limits", "max_parts", KEY_INT, OFF(limits.max_parts), 1, 100000 },
	{ "limits", "max_depth", KEY_INT, OFF(limits.max_depth), 1, 1000 },
	{ "limits", "auto_replies_per_day", KEY_INT, OFF(limits.auto_replies_per_day), 1, 10000 },
	{ "limits", "command_max_age_hours", KEY_INT, OFF(limits.command_max_age_hours), 1, 8760 },
	{ "limits", "member_signature_max_age_hours", KEY_INT,
	    OFF(limits.member_signature_max_age_hours), 1, 8760 },
	{ "log", "level", KEY_STRING, OFF(log.level), 0, 0 },
	{ "security", "insecure", KEY_BOOL, OFF(insecure), 0, 0 },
};

static const char *const officer_keys[] = { "email", "fingerprint", "language", "commands" };

struct parser {
	const char		*name;
	const char		*basedir;
	int			 line;
	char			 section[64];
	char			 section_arg[64];
	struct config_officer	*officer;	/* current [officer ROLE] */
	size_t			 officer_cap;
	unsigned char		 seen[sizeof(config_keys) / sizeof(config_keys[0])];
	int			 seen_line[sizeof(config_keys) / sizeof(config_keys[0])];
};

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int fail(struct parser *, struct clerk_err *, const char *, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct parser *p, struct clerk_err *err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(err, ERR_FINAL, "%s:%d: %s", p->name, p->line, msg);
	return -1;
}

static char *
resolve_path(const struct parser *p, const char *value)
{
	if (value[0] == '/' || p->basedir == NULL || p->basedir[0] == '\0')
		return xstrdup(value);
	return xasprintf("%s/%s", p->basedir, value);
}

static int
parse_bool(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "on") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "off") == 0) {
		*out = 0;
		return 0;
	}
	return -1;
}

static int
parse_long(const char *v, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	if (errno != 0 || end == v)
		return -1;
	return *end == '\0' ? 0 : -1;
}

static int
parse_size(const char *v, size_t *out)
{
	unsigned long long n;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)v[0]))
		return -1;
	n = strtoull(v, &end, 10);
	if (errno != 0 || end == v)
		return -1;
	if (*end == 'k' || *end == 'K') {
		n *= 1024;
		end++;
	} else if (*end == 'M') {
		n *= 1024 * 1024;
		end++;
	}
	if (*end != '\0' || n == 0)
		return -1;
	*out = (size_t)n;
	return 0;
}

static int
set_plain_key(struct parser *p, struct config *cfg, const char *key, const char *value,
    struct clerk_err *err)
{
	for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		const struct key_def *k = &config_keys[i];
		char *field = (char *)cfg + k->offset;
		long n;

		if (strcmp(k->section, p->section) != 0 || strcmp(k->name, key) != 0)
			continue;
		if (p->seen[i])
			return fail(p, err, "key '%s' already set in this file", key);
		p->seen[i] = 1;
		p->seen_line[i] = p->line;
		switch (k->type) {
		case KEY_STRING:
			if (value[0] == '\0')
				return fail(p, err, "key '%s' needs a value", key);
			*(char **)field = xstrdup(value);
			break;
		case KEY_PATH:
			if (value[0] == '\0')
				return fail(p, err, "key '%s' needs a path", key);
			*(char **)field = resolve_path(p, value);
			break;
		case KEY_INT:
			if (parse_long(value, &n) != 0 || n < k->min || n > k->max) {
				char range[64];

				snprintf(range, sizeof(range), "%ld..%ld", k->min, k->max);
				return fail(p, err, "key '%s' wants a whole number in %s", key, range);
			}
			*(int *)field = (int)n;
			break;
		case KEY_BOOL:
			if (parse_bool(value, (int *)field) != 0)
				return fail(p, err, "key '%s' wants yes or no, not '%s'", key, value);
			break;
		case KEY_SIZE:
			if (parse_size(value, (size_t *)field) != 0)
				return fail(p, err, "key '%s' wants a size such as 25M, not '%s'", key, value);
			break;
		}
		return 0;
	}
	return fail(p, err, "unknown key '%s' in section [%s]", key, p->section);
}

static int
valid_fingerprint(const char *v, char **out)
{
	struct buf b = BUF_INIT;

	for (const char *s = v; *s; s++) {
		if (*s == ' ')
			continue;
		if (!isxdigit((unsigned char)*s)) {
			buf_free(&b);
			return -1;
		}
		buf_append_char(&b, (char)toupper((unsigned char)*s));
	}
	if (b.len != 40) {
		buf_free(&b);
		return -1;
	}
	*out = buf_steal(&b);
	return 0;
}

static int
set_officer_key(struct parser *p, const char *key, const char *value, struct clerk_err *err)
{
	struct config_officer *o = p->officer;
	char **slot = NULL;

	if (strcmp(key, "email") == 0)
		slot = &o->email;
	else if (strcmp(key, "fingerprint") == 0)
		slot = &o->fingerprint;
	else if (strcmp(key, "language") == 0)
		slot = &o->language;
	else if (strcmp(key, "commands") == 0)
		slot = &o->commands;
	if (slot == NULL) {
		char known[128] = "";

		for (size_t i = 0; i < sizeof(officer_keys) / sizeof(officer_keys[0]); i++) {
			strcat(known, i ? ", " : "");
			strcat(known, officer_keys[i]);
		}
		return fail(p, err, "unknown key '%s' for an officer (known: %s)", key, known);
	}
	if (*slot != NULL)
		return fail(p, err, "key '%s' already set for this officer", key);
	if (slot == &o->fingerprint) {
		if (valid_fingerprint(value, slot) != 0)
			return fail(p, err, "fingerprint '%s' is not 40 hex digits", value);
	} else if (slot == &o->email) {
		if (strchr(value, '@') == NULL)
			return fail(p, err, "'%s' is not an e-mail address", value);
		*slot = xstrdup_lower(value);
	} else {
		*slot = xstrdup(value);
	}
	return 0;
}

static int
valid_role(const char *r)
{
	if (*r == '\0')
		return 0;
	for (; *r; r++)
		if (!(islower((unsigned char)*r) || *r == '_'))
			return 0;
	return 1;
}

static int
start_section(struct parser *p, struct config *cfg, char *head, struct clerk_err *err)
{
	static const char *const sections[] = { "intake", "smtp", "openpgp", "association",
	    "digest", "storage", "limits", "log", "security", "officer" };
	char *arg = strchr(head, ' ');
	int known = 0;

	if (arg != NULL) {
		*arg++ = '\0';
		arg = trim(arg);
	}
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(head, sections[i]) == 0)
			known = 1;
	if (!known)
		return fail(p, err, "unknown section [%s]", head);
	if (strlen(head) >= sizeof(p->section))
		return fail(p, err, "section name too long");
	snprintf(p->section, sizeof(p->section), "%s", head);
	p->officer = NULL;
	if (strcmp(head, "officer") == 0) {
		if (arg == NULL || !valid_role(arg))
			return fail(p, err, "an officer section names its role, like [officer secretary]");
		for (size_t i = 0; i < cfg->nofficers; i++)
			if (strcmp(cfg->officers[i].role, arg) == 0)
				return fail(p, err, "officer role '%s' declared twice", arg);
		cfg->officers = xgrow(cfg->officers, &p->officer_cap, cfg->nofficers + 1,
		    sizeof(*cfg->officers));
		p->officer = &cfg->officers[cfg->nofficers++];
		memset(p->officer, 0, sizeof(*p->officer));
		p->officer->role = xstrdup(arg);
		p->officer->line = p->line;
	} else if (arg != NULL) {
		return fail(p, err, "section [%s] takes no argument", head);
	}
	return 0;
}

/* A password file that others can read leaks the password to every local
 * user: refuse it, naming the file and its mode. */
static int
secret_file_private(const char *cfgname, int line, const char *key, const char *path, int fd,
    struct clerk_err *err)
{
	struct stat sb;

	if (fstat(fd, &sb) != 0) {
		err_set(err, ERR_FINAL, "%s:%d: %s: cannot stat '%s': %s", cfgname, line, key, path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		err_set(err, ERR_FINAL, "%s:%d: %s: '%s' is not a regular file", cfgname, line, key, path);
		return -1;
	}
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		err_set(err, ERR_FINAL, "%s:%d: %s: '%s' has mode %04o: a password file must not be "
		    "readable or writable by group or others (chmod 600 '%s')", cfgname, line, key,
		    path, (unsigned)(sb.st_mode & 07777), path);
		return -1;
	}
	return 0;
}

static int
read_secret(const char *cfgname, int line, const char *key, const char *path, char **out,
    struct clerk_err *err)
{
	struct buf b = BUF_INIT;
	char chunk[512];
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_set(err, ERR_FINAL, "%s:%d: %s: cannot open '%s': %s", cfgname, line, key, path,
		    strerror(errno));
		return -1;
	}
	if (secret_file_private(cfgname, line, key, path, fd, err) != 0)
		goto out;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, (size_t)n);
	if (n < 0) {
		err_set(err, ERR_FINAL, "%s:%d: %s: cannot read '%s': %s", cfgname, line, key, path,
		    strerror(errno));
		goto out;
	}
	while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	if (b.len == 0 || memchr(b.data, '\0', b.len) != NULL || strchr(buf_str(&b), '\n')) {
		err_set(err, ERR_FINAL, "%s:%d: %s: '%s' must hold the password on one line", cfgname,
		    line, key, path);
		goto out;
	}
	*out = buf_steal(&b);
	rc = 0;
out:
	if (b.data)
		memset(b.data, 0, b.cap);
	buf_free(&b);
	close(fd);
	return rc;
}

/* The host as libcurl itself will read it, so that what counts as loopback
 * here is where curl connects ("imap://evil.example?@127.0.0.1/" is
 * evil.example). NULL when curl cannot parse the URL. */
static char *
url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *out = NULL;

	if (u == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host != NULL) {
		size_t n = strlen(host);

		/* IPv6 literals come back in brackets. */
		if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
			out = xstrndup(host + 1, n - 2);
		else
			out = xstrdup(host);
		for (char *p = out; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	curl_free(host);
	curl_url_cleanup(u);
	return out;
}

int
config_url_is_loopback(const char *url)
{
	char *host = url_host(url);
	int yes = 0;

	if (host == NULL)
		return 0;
	if (strncmp(host, "127.", 4) == 0 && strspn(host, "0123456789.") == strlen(host))
		yes = 1;
	else
		yes = strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0;
	free(host);
	return yes;
}

static int
key_line(const struct parser *p, const char *section, const char *name)
{
	for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].name, name) == 0)
			return p->seen_line[i];
	return 0;
}

/* Classifies a URL's TLS: scheme decides; plain without TLS only where allowed. */
static int
check_url(struct parser *p, const struct config *cfg, const char *section, const char *url,
    const char *tls_scheme, const char *plain_scheme, enum tls_mode *mode, struct clerk_err *err)
{
	size_t tl = strlen(tls_scheme), pl = strlen(plain_scheme);
	char *host;

	p->line = key_line(p, section, "url");
	if ((host = url_host(url)) == NULL || host[0] == '\0') {
		free(host);
		return fail(p, err, "url '%s' is not a URL libcurl can read (no host)", url);
	}
	free(host);
	if (strncmp(url, tls_scheme, tl) == 0 && strncmp(url + tl, "://", 3) == 0) {
		*mode = TLS_IMPLICIT;
		return 0;
	}
	if (strncmp(url, plain_scheme, pl) == 0 && strncmp(url + pl, "://", 3) == 0) {
		/* curl would send the password in clear without TLS; we require
		 * STARTTLS unless the host is loopback or insecure is set. */
		*mode = (config_url_is_loopback(url) || cfg->insecure) ? TLS_NONE : TLS_STARTTLS;
		if (strstr(url, ";starttls") != NULL)
			*mode = TLS_STARTTLS;
		return 0;
	}
	return fail(p, err, "url '%s' must start with %s", url,
	    strcmp(section, "intake") == 0 ? "imaps:// or imap://" : "smtps:// or smtp://");
}

static int
validate(struct parser *p, struct config *cfg, struct clerk_err *err)
{
	static const struct { const char *section, *name; } required[] = {
		{ "smtp", "url" }, { "smtp", "envelope_from" }, { "openpgp", "home" },
		{ "openpgp", "fingerprint" }, { "association", "name" },
		{ "association", "address" }, { "association", "profile" },
		{ "association", "workflows" }, { "association", "language" },
		{ "association", "timezone" }, { "storage", "database" },
	};
	char *fpr = NULL;

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (key_line(p, required[i].section, required[i].name) == 0) {
			err_set(err, ERR_FINAL, "%s: missing key '%s' in section [%s]", p->name,
			    required[i].name, required[i].section);
			return -1;
		}
	}
	if (cfg->intake.url != NULL && cfg->intake.maildir != NULL) {
		p->line = key_line(p, "intake", "maildir");
		return fail(p, err, "intake takes either url or maildir, not both");
	}
	if (cfg->intake.url != NULL) {
		cfg->intake.kind = INTAKE_IMAP;
		if (check_url(p, cfg, "intake", cfg->intake.url, "imaps", "imap", &cfg->intake.tls, err))
			return -1;
		if (cfg->intake.user == NULL || cfg->intake.password_file == NULL) {
			err_set(err, ERR_FINAL, "%s: [intake] with a url needs user and password_file", p->name);
			return -1;
		}
		if (read_secret(p->name, key_line(p, "intake", "password_file"), "password_file",
		    cfg->intake.password_file, &cfg->intake.password, err))
			return -1;
	} else if (cfg->intake.maildir != NULL) {
		cfg->intake.kind = INTAKE_MAILDIR;
	} else {
		err_set(err, ERR_FINAL, "%s: [intake] needs url (IMAP) or maildir", p->name);
		return -1;
	}
	if (check_url(p, cfg, "smtp", cfg->smtp.url, "smtps", "smtp", &cfg->smtp.tls, err))
		return -1;
	if (cfg->smtp.password_file != NULL) {
		if (cfg->smtp.user == NULL) {
			p->line = key_line(p, "smtp", "password_file");
			return fail(p, err, "password_file without user");
		}
		if (read_secret(p->name, key_line(p, "smtp", "password_file"), "password_file",
		    cfg->smtp.password_file, &cfg->smtp.password, err))
			return -1;
	}
	p->line = key_line(p, "openpgp", "fingerprint");
	if (valid_fingerprint(cfg->openpgp.fingerprint, &fpr) != 0)
		return fail(p, err, "fingerprint '%s' is not 40 hex digits",
		    cfg->openpgp.fingerprint);
	free(cfg->openpgp.fingerprint);
	cfg->openpgp.fingerprint = fpr;
	for (size_t i = 0; i < cfg->nofficers; i++) {
		struct config_officer *o = &cfg->officers[i];

		p->line = o->line;
		if (o->email == NULL || o->fingerprint == NULL)
			return fail(p, err, "officer '%s' needs email and fingerprint", o->role);
	}
	if (config_officer_by_role(cfg, "secretary") == NULL) {
		err_set(err, ERR_FINAL, "%s: no [officer secretary]: the digest and quarantine need one",
		    p->name);
		return -1;
	}
	return 0;
}

static void
set_defaults(struct config *cfg)
{
	cfg->intake.poll_interval = 60;
	cfg->intake.idle = 1;
	cfg->smtp.max_attempts = 10;
	cfg->smtp.retry_seconds = 60;
	cfg->digest.hour = 7;
	cfg->limits.max_mail_bytes = 25 * 1024 * 1024;
	cfg->limits.max_parts = 200;
	cfg->limits.max_depth = 20;
	cfg->limits.auto_replies_per_day = 10;
	cfg->limits.command_max_age_hours = 72;
	cfg->limits.member_signature_max_age_hours = 168;
}

static void
fill_default_strings(struct config *cfg)
{
	if (cfg->intake.mailbox == NULL)
		cfg->intake.mailbox = xstrdup("INBOX");
	if (cfg->intake.processed == NULL)
		cfg->intake.processed = xstrdup("Processed");
	if (cfg->intake.quarantine == NULL)
		cfg->intake.quarantine = xstrdup("Quarantine");
	if (cfg->digest.recipients == NULL)
		cfg->digest.recipients = xstrdup("secretary");
	if (cfg->log.level == NULL)
		cfg->log.level = xstrdup("info");
}

int
config_parse(const char *name, const char *basedir, const char *text, size_t len,
    struct config **out, struct clerk_err *err)
{
	struct parser p;
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	const char *s = text, *end = text + len;
	char *line = NULL;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.basedir = basedir;
	cfg->path = xstrdup(name);
	set_defaults(cfg);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *l, *eq;

		p.line++;
		free(line);
		line = xstrndup(s, n);
		s = nl ? nl + 1 : end;
		if (strlen(line) != n) {
			fail(&p, err, "NUL byte in line");
			goto out;
		}
		l = trim(line);
		if (*l == '\0' || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *close = strchr(l, ']');

			if (close == NULL || trim(close + 1)[0] != '\0') {
				fail(&p, err, "malformed section header '%s'", l);
				goto out;
			}
			*close = '\0';
			if (start_section(&p, cfg, trim(l + 1), err) != 0)
				goto out;
			continue;
		}
		eq = strchr(l, '=');
		if (eq == NULL) {
			fail(&p, err, "expected 'key = value', got '%s'", l);
			goto out;
		}
		*eq = '\0';
		if (p.section[0] == '\0') {
			fail(&p, err, "key '%s' outside any [section]", trim(l));
			goto out;
		}
		if (p.officer != NULL) {
			if (set_officer_key(&p, trim(l), trim(eq + 1), err) != 0)
				goto out;
		} else if (set_plain_key(&p, cfg, trim(l), trim(eq + 1), err) != 0) {
			goto out;
		}
	}
	fill_default_strings(cfg);
	if (validate(&p, cfg, err) != 0)
		goto out;
	*out = cfg;
	cfg = NULL;
	rc = 0;
out:
	free(line);
	config_free(cfg);
	return rc;
}

int
config_load(const char *path, struct config **out, struct clerk_err *err)
{
	struct buf text = BUF_INIT;
	char *dir, *slash;
	int rc = -1;

	if (buf_read_file(&text, path, err) != 0)
		goto out;
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		strcpy(dir, ".");
	rc = config_parse(path, dir, buf_str(&text), text.len, out, err);
	free(dir);
out:
	buf_free(&text);
	return rc;
}

static void
free_secret(char *s)
{
	if (s != NULL)
		memset(s, 0, strlen(s));
	free(s);
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		const struct key_def *k = &config_keys[i];

		if (k->type == KEY_STRING || k->type == KEY_PATH)
			free(*(char **)((char *)cfg + k->offset));
	}
	free_secret(cfg->intake.password);
	free_secret(cfg->smtp.password);
	for (size_t i = 0; i < cfg->nofficers; i++) {
		free(cfg->officers[i].role);
		free(cfg->officers[i].email);
		free(cfg->officers[i].fingerprint);
		free(cfg->officers[i].language);
		free(cfg->officers[i].commands);
	}
	free(cfg->officers);
	free(cfg->path);
	free(cfg);
}

const struct config_officer *
config_officer_by_role(const struct config *cfg, const char *role)
{
	for (size_t i = 0; i < cfg->nofficers; i++)
		if (strcmp(cfg->officers[i].role, role) == 0)
			return &cfg->officers[i];
	return NULL;
}

const struct config_officer *
config_officer_by_email(const struct config *cfg, const char *email)
{
	for (size_t i = 0; i < cfg->nofficers; i++)
		if (strcasecmp(cfg->officers[i].email, email) == 0)
			return &cfg->officers[i];
	return NULL;
}

const struct config_officer *
config_officer_by_fingerprint(const struct config *cfg, const char *fpr)
{
	for (size_t i = 0; i < cfg->nofficers; i++)
		if (strcasecmp(cfg->officers[i].fingerprint, fpr) == 0)
			return &cfg->officers[i];
	return NULL;
}
