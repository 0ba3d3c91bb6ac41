/* The store's schema, one entry per version: migration N takes the database
 * from user_version N-1 to N. Never edit a released entry; add a new one. */
#ifndef CLERK_STORE_SCHEMA_H
#define CLERK_STORE_SCHEMA_H

static const char *const store_migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"

	"CREATE TABLE members ("
	"  id INTEGER PRIMARY KEY,"
	"  email TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  language TEXT,"
	"  category TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL,"
	"  fingerprint TEXT,"
	"  created TEXT NOT NULL);"
	"CREATE TABLE member_history ("
	"  id INTEGER PRIMARY KEY,"
	"  member_id INTEGER NOT NULL REFERENCES members(id),"
	"  at TEXT NOT NULL,"
	"  status TEXT, category TEXT, fingerprint TEXT,"
	"  reason TEXT, case_ref TEXT);"
	"CREATE INDEX member_history_member ON member_history(member_id);"

	"CREATE TABLE case_refs ("
	"  prefix TEXT NOT NULL, year INTEGER NOT NULL, last INTEGER NOT NULL,"
	"  PRIMARY KEY (prefix, year)) WITHOUT ROWID;"
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  workflow TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  email TEXT NOT NULL DEFAULT '',"
	"  language TEXT,"
	"  parent_ref TEXT,"
	"  member_id INTEGER REFERENCES members(id),"
	"  opened TEXT NOT NULL,"
	"  closed TEXT);"
	"CREATE INDEX cases_email ON cases(email);"
	"CREATE INDEX cases_open ON cases(workflow, state) WHERE closed IS NULL;"
	"CREATE TABLE case_vars ("
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  name TEXT NOT NULL, value TEXT NOT NULL,"
	"  PRIMARY KEY (case_id, name)) WITHOUT ROWID;"

	"CREATE TABLE mails ("
	"  id INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  source_name TEXT NOT NULL DEFAULT '',"
	"  message_id TEXT,"
	"  sha256 TEXT NOT NULL,"
	"  received TEXT NOT NULL,"
	"  kind TEXT,"
	"  case_ref TEXT,"
	"  from_addr TEXT,"
	"  subject TEXT,"
	"  note TEXT,"
	"  signature TEXT NOT NULL DEFAULT 'unsigned',"
	"  signer_fpr TEXT,"
	"  signer_is_sender INTEGER NOT NULL DEFAULT 0,"
	"  state INTEGER NOT NULL,"
	"  moved INTEGER NOT NULL DEFAULT 0,"
	"  raw BLOB NOT NULL);"
	/* A Maildir mail has uid 0: its name identifies it instead. */
	"CREATE UNIQUE INDEX mails_position ON mails(source, uidvalidity, uid, source_name);"
	"CREATE INDEX mails_identity ON mails(sha256, message_id);"
	"CREATE INDEX mails_unmoved ON mails(source) WHERE moved = 0;"
	"CREATE TABLE attachments ("
	"  id INTEGER PRIMARY KEY,"
	"  mail_id INTEGER NOT NULL REFERENCES mails(id),"
	"  filename TEXT, content_type TEXT NOT NULL,"
	"  size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
	"  data BLOB NOT NULL);"
	"CREATE INDEX attachments_mail ON attachments(mail_id);"

	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  case_ref TEXT,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  mail_id INTEGER);"
	"CREATE INDEX events_case ON events(case_ref);"
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	"  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	"  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;"

	/* One row per timer identity of a case (the engine's wf_timer_key);
	 * `spec` is the whole timer as wf_timer_to_text writes it. Fired
	 * timers stay (state 1) until cleared, so `extend` can re-arm them. */
	"CREATE TABLE timers ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  name TEXT NOT NULL,"
	"  due TEXT NOT NULL,"
	"  spec TEXT NOT NULL DEFAULT '',"
	"  state INTEGER NOT NULL DEFAULT 0,"
	"  fired TEXT,"
	"  UNIQUE (case_id, name));"
	"CREATE INDEX timers_due ON timers(due) WHERE state = 0;"

	/* What the secretary's digest will show; sent marks it reported. */
	"CREATE TABLE digest_items ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  case_ref TEXT,"
	"  kind TEXT NOT NULL,"
	"  role TEXT NOT NULL DEFAULT 'secretary',"
	"  text TEXT NOT NULL DEFAULT '',"
	"  sent TEXT);"
	"CREATE INDEX digest_items_unsent ON digest_items(role) WHERE sent IS NULL;"

	/* Officer command mails already acted on, by Message-ID (replay). */
	"CREATE TABLE commands_seen ("
	"  message_id TEXT PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  officer TEXT NOT NULL) WITHOUT ROWID;"

	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  case_ref TEXT,"
	"  message_id TEXT NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  envelope_from TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  queued TEXT NOT NULL,"
	"  state INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt TEXT NOT NULL,"
	"  sent TEXT,"
	"  reply TEXT,"
	"  error TEXT,"
	"  bytes BLOB NOT NULL,"
	"  UNIQUE (message_id, recipient));"
	"CREATE INDEX outbox_queue ON outbox(next_attempt) WHERE state = 0;"
	"CREATE INDEX outbox_recipient ON outbox(recipient, queued);"
	"CREATE INDEX outbox_message ON outbox(message_id);",

	/* 2: a held notice (it could not be signed) keeps what signing it
	 * later needs: where its entity starts in `bytes` (after the outer
	 * header), the key it is to be encrypted to, and whether it may
	 * leave only encrypted. */
	"ALTER TABLE outbox ADD COLUMN entity_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE outbox ADD COLUMN encrypt_to TEXT;"
	"ALTER TABLE outbox ADD COLUMN confidential INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX outbox_held ON outbox(next_attempt) WHERE state = 3;"
	/* The digest's summary of a yearly workflow: its cases of the year. */
	"CREATE INDEX cases_workflow_opened ON cases(workflow, opened);"
	/* Erasure on request (GDPR art. 17): the event log stays append-only
	 * except that an erasure may blank an event's detail; when, what kind
	 * and which case stay, so the history keeps its shape. */
	"DROP TRIGGER events_no_update;"
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	"  WHEN NOT (NEW.detail = '[erased]' AND NEW.id = OLD.id AND NEW.at IS OLD.at"
	"  AND NEW.case_ref IS OLD.case_ref AND NEW.kind IS OLD.kind"
	"  AND NEW.mail_id IS OLD.mail_id)"
	"  BEGIN SELECT RAISE(ABORT, 'the event log is append-only (an erasure may only"
	" blank a detail)'); END;"
	"CREATE INDEX mails_from ON mails(from_addr);",

	/* 3: authority. A signature that changed anything, by its identity
	 * (signer, creation time, covered content: reading.h), so that the
	 * same signed text under new headers counts once. A confirmation
	 * token (only its sha256) that a member's reply must carry before an
	 * unsigned resignation or withdrawal counts; valid while its case is
	 * in the state that sent it, once. */
	"CREATE TABLE signatures_seen ("
	"  sig_id TEXT PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  mail_id INTEGER,"
	"  what TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE confirmations ("
	"  token_sha256 TEXT PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  state TEXT NOT NULL,"
	"  issued TEXT NOT NULL,"
	"  used TEXT) WITHOUT ROWID;"
	"CREATE INDEX confirmations_case ON confirmations(case_id);",
};

#endif
