#!/bin/bash
# The operator's repairs, end to end through the real Postfix and Dovecot
# (scenario-lib.sh checks every notice that leaves: recipient, reference,
# language, a good signature by the association's key):
#
#   held_until_signed      the association's secret key goes away while clerkd
#                          runs: it takes in an application, holds both
#                          answers unsigned (never sent), tells the
#                          secretary once; a held row waits while signing
#                          still fails (retried, logged); the key is back,
#                          `clerkctl outbox release` signs them, the next
#                          cycle sends them with their first Message-IDs
#   quarantine_reprocess   a Norwegian form clerk cannot read (its form
#                          label missing from the data) is quarantined;
#                          reprocessed unchanged it stays; with the label
#                          back `clerkctl quarantine reprocess` applies it:
#                          a case, and its notices leave
#   erase_on_request       alice asks to be erased: while her application
#                          is open it is kept and said so; once rejected
#                          her case data, mails and notices are erased,
#                          the event log keeps its shape with "[erased]"
#                          details, one "erasure" event records it by hash
# testbed: fresh
set -euo pipefail
. "$TESTBED_TOOLS/lib.sh"
. "$CLERK_SRCDIR/tests/integration/clerk-lib.sh"
. "$CLERK_SRCDIR/tests/integration/scenario-lib.sh"
tb_load "$1"
work=$(mktemp -d /tmp/clerk-t70.XXXXXX)
cleanup() {
	local h
	for h in "$work"/*/gnupg; do
		[ -d "$h" ] && gpgconf --homedir "$h" --kill all >/dev/null 2>&1
	done
	[ -n "${CLERK_TEST_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# clerkd_once TIME: one cycle without collecting the notices (some are held)
clerkd_once() {
	printf '==== clerkd --once --now %s\n' "$1" >>"$SC_DIR/clerkd.log"
	clerkd -c "$SC_CONF" --once --now "$1" >>"$SC_DIR/clerkd.log" 2>&1 ||
		{ tail -n 40 "$SC_DIR/clerkd.log" >&2; fail "clerkd --once --now $1 failed"; }
}

# ---- 1. notices held while the key cannot sign ----------------------------

# wait_for SECONDS SQL WANT: until the query gives WANT
wait_for() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		[ "$(sc_sql "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

held_until_signed() {
	local d=$work/held app out ids ids2 home pid i
	sc_begin "$d" fgt
	home=$d/gnupg
	mkdir -p "$home"
	chmod 700 "$home"
	cp -r "$GNUPGHOME_CLERK"/. "$home"/
	rm -f "$home"/S.*
	sed -i "s|^home = .*|home = $home|" "$SC_CONF"

	echo "held_until_signed: clerkd runs; then the secret key goes away"
	"$CLERK_BUILDDIR/clerkd" -c "$SC_CONF" >>"$SC_DIR/clerkd.log" 2>&1 &
	pid=$!
	# This scenario runs in a subshell: its own trap stops the daemon.
	daemon_pid=$pid
	trap 'kill -KILL "${daemon_pid:-0}" 2>/dev/null || true' EXIT
	for ((i = 0; i < 100; i++)); do
		grep -q 'event=intake_open' "$SC_DIR/clerkd.log" && break
		sleep 0.1
	done
	grep -q 'event=intake_open' "$SC_DIR/clerkd.log" || fail "clerkd did not start"
	mv "$home/private-keys-v1.d" "$d/keys.away"
	gpgconf --homedir "$home" --kill gpg-agent

	echo "held_until_signed: an application arrives"
	sc_form_alice "$d/form.txt"
	sc_mail "$d/a1.eml" "Alice Ås <alice@example.test>" "Søknad om medlemskap" \
		2027-08-02T08:40 "$d/form.txt"
	sc_deliver alice@example.test "$d/a1.eml"
	wait_for 30 "SELECT count(*) FROM outbox WHERE state = 3" 2 ||
		fail "two held rows expected: $(sc_sql "SELECT kind, state FROM outbox")"
	# A retry that fails again is logged, not reported again.
	wait_for 10 "SELECT count(*) FROM outbox WHERE state = 3 AND attempts >= 1" 2 ||
		fail "held rows not retried: $(sc_sql "SELECT kind, state, attempts FROM outbox")"
	kill -TERM "$pid"
	wait "$pid" || fail "clerkd did not stop cleanly"
	app=$(sc_ref application alice@example.test)
	[ -n "$app" ] || fail "no application case"
	[ "$(sc_sql "SELECT count(*) FROM outbox WHERE state <> 3")" = 0 ] ||
		fail "a notice left unsigned: $(sc_sql "SELECT kind, state FROM outbox")"
	out=$(clerkctl -c "$SC_CONF" outbox --held)
	grep -q "held.*application_received.*alice@example.test" <<<"$out" ||
		fail "outbox --held: $out"
	[ "$(sc_sql "SELECT count(*) FROM digest_items WHERE text LIKE '%signing failed%'")" = 2 ] ||
		fail "the secretary was not told once per notice: $(sc_sql "SELECT text FROM digest_items")"
	grep -q 'event=notice-still-held' "$SC_DIR/clerkd.log" || fail "no retry logged"
	ids=$(sc_sql "SELECT message_id FROM outbox ORDER BY id")
	if out=$(clerkctl -c "$SC_CONF" outbox release 2>&1); then
		fail "release without the key succeeded: $out"
	fi
	grep -q "^0 released, 2 still held" <<<"$out" || fail "outbox release: $out"

	echo "held_until_signed: the key is back; clerkctl outbox release"
	# (gpg-agent made an empty one meanwhile)
	rm -rf "$home/private-keys-v1.d"
	mv "$d/keys.away" "$home/private-keys-v1.d"
	out=$(clerkctl -c "$SC_CONF" outbox release) || fail "outbox release: $out"
	grep -q "^2 released, 0 still held, 0 failed" <<<"$out" || fail "outbox release: $out"
	ids2=$(sc_sql "SELECT message_id FROM outbox ORDER BY id")
	[ "$ids" = "$ids2" ] || fail "the Message-IDs changed: $ids / $ids2"
	# clerkd ran on the real clock: so does this cycle (no timer is due).
	sc_run "$(TZ=Europe/Oslo date -d '+1 min' +%Y-%m-%dT%H:%M)"
	sc_expect "application_received alice@example.test nb" \
		"application_missing alice@example.test nb"
	sc_grep application_received "Hei Alice Ås" "$app"
	grep -q "notice-released" <<<"$(sc_sql "SELECT kind FROM events WHERE case_ref = '$app'")" ||
		fail "no notice-released event"
	sc_end held_until_signed
}

# ---- 2. a quarantined mail, reprocessed once the data is mended ------------

quarantine_reprocess() {
	local d=$work/reprocess wf app out mail
	sc_begin "$d" fgt
	wf=$d/workflows-mended
	cp -r "$(sed -n 's/^workflows = //p' "$SC_CONF")" "$wf"
	# The Norwegian name of the application form, lost from the data.
	sed -i 's/\tsøknad\t/\tsoknad-x\t/' "$wf/forms/labels.tsv"
	sed -i "s|^workflows = .*|workflows = $wf|" "$SC_CONF"

	echo "quarantine_reprocess: a form clerk cannot read is kept"
	sc_form_alice "$d/form.txt"
	sc_mail "$d/a1.eml" "Alice Ås <alice@example.test>" "Søknad om medlemskap" \
		2027-08-02T08:40 "$d/form.txt"
	sc_deliver alice@example.test "$d/a1.eml"
	sc_run 2027-08-02T09:00
	sc_expect
	mail=$(sc_sql "SELECT id FROM mails WHERE state = 1")
	[ -n "$mail" ] || fail "nothing quarantined: $(sc_sql "SELECT id, kind, state, note FROM mails")"
	[ -z "$(sc_ref application alice@example.test)" ] || fail "a case was opened"

	echo "quarantine_reprocess: reprocessed unchanged, it stays"
	if out=$(clerkctl -c "$SC_CONF" quarantine --now 2027-08-02T10:00 reprocess "$mail" 2>&1); then
		fail "reprocess with the label still missing succeeded: $out"
	fi
	grep -q "still in the quarantine" <<<"$out" || fail "reprocess: $out"
	[ "$(sc_sql "SELECT state FROM mails WHERE id = $mail")" = 1 ] || fail "mail left the quarantine"

	echo "quarantine_reprocess: the label is back; reprocessed, applied"
	cp "$CLERK_SRCDIR/workflows/forms/labels.tsv" "$wf/forms/labels.tsv"
	out=$(clerkctl -c "$SC_CONF" quarantine --now 2027-08-02T11:00 reprocess "$mail") ||
		fail "reprocess: $out"
	app=$(sc_ref application alice@example.test)
	[ -n "$app" ] || fail "no case after reprocess: $out"
	grep -q "applied to $app" <<<"$out" || fail "reprocess: $out"
	[ "$(sc_sql "SELECT state || ' ' || case_ref FROM mails WHERE id = $mail")" = "0 $app" ] ||
		fail "mail row: $(sc_sql "SELECT state, case_ref, kind FROM mails WHERE id = $mail")"
	grep -q "mail-reprocessed" <<<"$(sc_sql "SELECT kind FROM events WHERE mail_id = $mail")" ||
		fail "no mail-reprocessed event"
	out=$(clerkctl -c "$SC_CONF" quarantine)
	grep -q "^0 mails in the quarantine" <<<"$out" || fail "quarantine list: $out"
	sc_run 2027-08-02T11:00
	sc_expect "application_received alice@example.test nb" \
		"application_missing alice@example.test nb"
	sc_end quarantine_reprocess
}

# ---- 3. erasure on request ---------------------------------------------------

erase_on_request() {
	local d=$work/erase app out hash
	sc_begin "$d" fgt
	sc_form_alice "$d/form.txt"
	sc_mail "$d/a1.eml" "Alice Ås <alice@example.test>" "Søknad om medlemskap" \
		2027-08-02T08:40 "$d/form.txt"
	sc_deliver alice@example.test "$d/a1.eml"
	sc_run 2027-08-02T09:00
	sc_expect "application_received alice@example.test nb" \
		"application_missing alice@example.test nb"
	app=$(sc_ref application alice@example.test)

	echo "erase_on_request: while the application is open, it is kept"
	out=$(sc_ctl 2027-08-03T09:00 erase alice@example.test --dry-run)
	grep -q "^dry run, nothing changed" <<<"$out" || fail "dry run: $out"
	grep -q "^kept: case $app (application, incomplete) is open" <<<"$out" || fail "dry run: $out"
	[ "$(sc_sql "SELECT count(*) FROM events WHERE kind = 'erasure'")" = 0 ] ||
		fail "the dry run changed the store"
	out=$(sc_ctl 2027-08-03T09:00 erase alice@example.test --reason "asked by mail")
	grep -q "^kept: case $app" <<<"$out" || fail "erase: $out"
	[ "$(sc_sql "SELECT count(*) FROM case_vars c JOIN cases k ON k.id = c.case_id
		WHERE k.ref = '$app'")" -gt 0 ] || fail "the open case lost its data"

	echo "erase_on_request: rejected; erased again"
	sc_ctl 2027-08-04T09:00 reject "$app" "no diploma" >/dev/null
	sc_run 2027-08-04T09:00
	sc_expect "application_rejected alice@example.test nb"
	out=$(sc_ctl 2027-08-05T09:00 erase alice@example.test)
	grep -q "^erased: case $app (application, rejected)" <<<"$out" || fail "erase: $out"
	grep -q "^erased: 1 mails from, 3 notices to" <<<"$out" || fail "erase: $out"
	grep -q "mailbox folders" <<<"$out" || fail "erase: $out"
	[ "$(sc_sql "SELECT count(*) FROM case_vars c JOIN cases k ON k.id = c.case_id
		WHERE k.ref = '$app'")" = 0 ] || fail "case variables left"
	[ "$(sc_sql "SELECT email FROM cases WHERE ref = '$app'")" = "" ] || fail "case address left"
	[ "$(sc_sql "SELECT count(*) FROM mails WHERE length(raw) > 0 OR from_addr IS NOT NULL
		AND from_addr LIKE 'alice%'")" = 0 ] || fail "alice's mail left"
	[ "$(sc_sql "SELECT count(*) FROM outbox WHERE recipient = 'alice@example.test'
		OR (case_ref = '$app' AND length(bytes) > 0)")" = 0 ] || fail "notices to alice left"
	[ "$(sc_sql "SELECT count(*) FROM events WHERE instr(lower(detail), 'alice') > 0")" = 0 ] ||
		fail "events still name alice: $(sc_sql "SELECT kind, detail FROM events
			WHERE instr(lower(detail), 'alice') > 0")"
	[ "$(sc_sql "SELECT count(*) FROM events WHERE case_ref = '$app'
		AND detail = '[erased]'")" -gt 3 ] || fail "the case's history lost its shape"
	hash=$(printf '%s' alice@example.test | sha256sum | cut -d' ' -f1)
	grep -q "person=sha256:$hash cases=1" <<<"$(sc_sql "SELECT detail FROM events
		WHERE kind = 'erasure' ORDER BY id DESC LIMIT 1")" || fail "no erasure record"
	out=$(clerkctl -c "$SC_CONF" export alice@example.test)
	grep -q '"cases":\[\]' <<<"$out" || fail "export after erasure: $out"
	grep -q '"mails":\[\]' <<<"$out" || fail "export after erasure: $out"
	# The log is still append-only for anything but an erasure.
	if sqlite3 "$SC_DB" "UPDATE events SET detail = 'x' WHERE id = 1" 2>/dev/null; then
		fail "an event could be rewritten"
	fi
	sc_end erase_on_request
}

sc_scenario held_until_signed
sc_scenario quarantine_reprocess
sc_scenario erase_on_request
sc_summary
