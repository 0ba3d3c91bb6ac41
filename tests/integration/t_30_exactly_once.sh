#!/bin/bash
# t_30_exactly_once.sh ENVFILE: every mail is applied exactly once although
# clerkd is killed with SIGKILL at random moments while it works, and a
# UIDVALIDITY change makes it re-scan without re-applying.
#  1. N=60 distinct mails (plain, unsigned forms in four languages, PGP/MIME
#     signed applications by alice, mails from the shared corpus, two mails
#     sharing one Message-ID) go through Postfix's MX port into
#     clerk@fgt.test; each carries a header X-T30-Id naming it. Half are
#     delivered before clerkd first runs, half while it is being killed.
#  2. A crash right after a commit, before the move: where clerkd has the
#     test hook CLERK_TEST_CRASH_AFTER_COMMIT=1 (die after the first
#     commit), a run on the first 3 mails must die with one mail committed,
#     not moved and still in the INBOX, and a later run must move it
#     ("event=mail-moved ... after=restart"). Without the hook that run just
#     takes in the 3 mails, and a note says so.
#  3. clerkd runs as a daemon (IDLE) and is killed with SIGKILL KILLS times,
#     restarted every time: every other run at random 50-600 ms after its
#     start, the others at random 0-120 ms after their first mail line (so
#     the kills land among commits and moves, whatever the build's speed);
#     then one `clerkd --once` finishes. A run that ends by itself fails.
#     How often a kill fell between a commit and its move is printed
#     (`event=mail-moved ... after=restart`, `event=mail-known`).
#  4. Then: no test mail is left in the INBOX; Processed + Quarantine hold
#     each of the N test mails once (no duplicate Message-ID apart from the
#     pair); the store holds N rows for them (N distinct sha256, each
#     X-T30-Id once), all marked moved, and exactly one `mail` event per
#     mail (each mail-* kind at most once). Delivery reports of clerk's own
#     notices that bounce back are allowed and counted apart.
#  5. UIDVALIDITY: all mails go back into the INBOX (IMAP MOVE), whose
#     dovecot-uidlist and indexes are then removed, so Dovecot numbers it
#     afresh under a new UIDVALIDITY; `clerkd --once` must find every mail
#     known (mail-known), add no mails row and no mail event, and move each
#     back to the folder it was in.
# Needs sqlite3.
# testbed: fresh
set -euo pipefail
. "$TESTBED_TOOLS/lib.sh"
. "$CLERK_SRCDIR/tests/integration/clerk-lib.sh"
. "$CLERK_SRCDIR/tests/integration/mailgen.sh"
tb_load "$1"
env=$1

N=60
KILLS=${T30_KILLS:-12}
NOW=2027-02-01T09:00
shared=${CLERK_SHARED:-$CLERK_SRCDIR/../shared}
corpus=$shared/corpus
command -v sqlite3 >/dev/null || fail "sqlite3 is missing (tests/install-deps.sh)"
# The shared corpus is an extra: without it, plain mails take their place.
[ -d "$corpus" ] || echo "no shared corpus at $corpus: 8 plain mails instead of its mails"
[ -x "$CLERK_BUILDDIR/clerkd" ] || fail "$CLERK_BUILDDIR/clerkd is not built"

work=$(mktemp -d /tmp/clerk-t30.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	[ -n "${T30_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

user=$IMAP_USER
maildir=$MAILDIR_CLERK_FGT
conf=$(clerk_conf "$work")
db=$work/clerk.db
tag="t30x$$"
[ "$(tb_imap_count "$user" INBOX)" = 0 ] || fail "$user INBOX is not empty"

# --- 1. the mails
corpus_mails=(
	pgp-signed/tb83-signed-bob-to-alice.eml
	pgp-signed/rt-mutt15-signed-mime-png-attachment.eml
	pgp-inline/schleuder-tb45-signed-inline.eml
	pgp-encrypted/deltachat-protonmail-mixed-up-pgpmime.eml
	attachments/deltachat-tb68-pdf-attachment.eml
	charsets/hunnysoft-outlook2000-utf7.eml
	malformed/mimetools-badbound-1996.eml
	malformed/deltachat-mailparse-panic.eml
)
mkdir "$work/mails"
i=0
# next: $m becomes the file of the next mail (without its extension)
next() { i=$((i + 1)); m=$(printf '%s/mails/%02d' "$work" "$i"); }
for f in "${corpus_mails[@]}"; do
	next
	if [ -d "$corpus" ]; then
		[ -r "$corpus/$f" ] || fail "corpus mail $f is missing"
		cp "$corpus/$f" "$m.raw"
	else
		mg_plain "$m.raw" "$tag.nocorpus$i" "Instead of corpus mail $i"
	fi
done
for k in $(seq 16); do
	next
	mg_signed_application "$m.raw" "$tag.app$k" "$GNUPGHOME_ALICE" "$FPR_ALICE" \
	    "Alice Example <$ADDR_ALICE>" "Alice Example $k" || fail "signing application $k"
done
for lang in en nb da nl en nb da nl en nb da nl; do
	next
	mg_form "$m.raw" "$tag.form$i" "$lang"
done
for k in $(seq 22); do
	next
	mg_plain "$m.raw" "$tag.plain$k" "Question $k"
done
# two different mails, one Message-ID
next
mg_plain "$m.raw" "$tag.dup" "Same Message-ID, first"
next
mg_plain "$m.raw" "$tag.dup" "Same Message-ID, second"
[ "$i" -eq "$N" ] || fail "made $i mails, want $N"
for k in $(seq -w 1 "$N"); do
	mg_tag "$work/mails/$k.raw" "$work/mails/$k.eml" "X-T30-Id: $tag-$k"
done
seq -f "$tag-%02g" 1 "$N" >"$work/ids.want"

# inject FIRST LAST: mails FIRST..LAST through the MX port; queue ids to qids
inject() {
	local k
	for k in $(seq -f %02g "$1" "$2"); do
		bash "$TESTBED_TOOLS/send-mail.sh" "$env" "$ADDR_ALICE" "$user" \
		    "$work/mails/$k.eml" >>"$work/qids" || fail "injection of mail $k refused"
	done
}
# delivered K: K mails injected, and all have left Postfix for Dovecot
delivered() {
	local q
	[ "$(wc -l <"$work/qids")" -eq "$1" ] || return 1
	while read -r q; do
		grep -q "$q: .*to=<$user>.*status=sent" "$POSTFIX_LOG" || return 1
	done <"$work/qids"
}

: >"$work/qids"

# --- 2. a crash right after a commit, before the move: clerkd offers
# CLERK_TEST_CRASH_AFTER_COMMIT=1 for this (it dies after its first commit)
inject 1 3
for _ in $(seq 150); do delivered 3 && break; sleep 0.2; done
delivered 3 || fail "Postfix did not deliver the first 3 mails"
bash "$TESTBED_TOOLS/wait-for-mail.sh" "$env" "$user" INBOX 3 30 >/dev/null ||
    fail "the first 3 mails are not in the INBOX"
rc=0
CLERK_TEST_CRASH_AFTER_COMMIT=1 "$CLERK_BUILDDIR/clerkd" -c "$conf" --once --now "$NOW" \
    2>"$work/run0.log" || rc=$?
crashed_mail=
if [ "$rc" -ge 128 ]; then
	unmoved=$(sqlite3 -batch -noheader "$db" 'SELECT id FROM mails WHERE moved = 0')
	[ "$(sqlite3 -batch -noheader "$db" 'SELECT count(*) FROM mails')" -eq 1 ] &&
	    [ -n "$unmoved" ] ||
	    fail "CLERK_TEST_CRASH_AFTER_COMMIT: clerkd died (status $rc) but not with one mail committed and not moved: $(tail -n 5 "$work/run0.log")"
	[ "$(tb_imap_count "$user" INBOX)" -eq 3 ] ||
	    fail "CLERK_TEST_CRASH_AFTER_COMMIT: the committed mail left the INBOX"
	crashed_mail=$unmoved
	echo "crash after commit (status $rc): mail $crashed_mail committed, still in the INBOX" >&2
elif [ "$rc" -eq 0 ]; then
	echo "note: clerkd has no CLERK_TEST_CRASH_AFTER_COMMIT hook; only random kills below" >&2
else
	fail "clerkd --once with CLERK_TEST_CRASH_AFTER_COMMIT=1: exit $rc: $(tail -n 5 "$work/run0.log")"
fi
inject 4 $((N / 2))

# --- 3. kill clerkd at random moments: odd runs 50-600 ms after the start
# (startup, login, pending moves), even runs 0-120 ms after their first
# mail line, so that kills land among the commits and moves
rand() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }
msleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }
# wait_line FILE PATTERN: until PATTERN shows in FILE, at most 3 s
wait_line() {
	local _
	for _ in $(seq 300); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.01
	done
	return 1
}
inject $((N / 2 + 1)) "$N" &
injector=$!
pids+=("$injector")
for run in $(seq "$KILLS"); do
	log=$work/run$run.log
	# the binary itself, not the clerkd function: $! must be clerkd
	"$CLERK_BUILDDIR/clerkd" -c "$conf" --now "$NOW" 2>"$log" &
	pid=$!
	pids+=("$pid")
	if [ $((run % 2)) -eq 1 ]; then
		ms=$(rand 50 600)
		msleep "$ms"
		how="$ms ms after its start"
	else
		wait_line "$log" 'event=mail-' || true
		ms=$(rand 0 120)
		msleep "$ms"
		how="$ms ms after its first mail"
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		rc=0; wait "$pid" || rc=$?
		fail "clerkd run $run ended by itself (exit $rc): $(tail -n 5 "$log")"
	fi
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	echo "run $run: killed $how; $(grep -c 'event=mail-' "$log" || true) mail lines" >&2
done
wait "$injector" || fail "injection failed"
for _ in $(seq 150); do delivered "$N" && break; sleep 0.2; done
delivered "$N" || fail "Postfix did not deliver all $N mails: $(tail -n 5 "$POSTFIX_LOG")"
left=$(tb_imap_count "$user" INBOX)
echo "after $KILLS kills: $left of $N mails still in the INBOX" >&2

out=$(clerkd -c "$conf" --once --now "$NOW" 2>&1) || fail "final clerkd --once: $out"
printf '%s\n' "$out" >"$work/final.log"

cat "$work"/run[1-9]*.log "$work/final.log" >"$work/all.log"
if [ -n "$crashed_mail" ]; then
	grep -q "event=mail-moved mail=$crashed_mail after=restart" "$work/all.log" ||
	    fail "mail $crashed_mail, committed before the crash, was not moved after the restart"
fi
restart_moves=$(grep -c 'event=mail-moved .*after=restart' "$work/all.log" || true)
known=$(grep -c 'event=mail-known' "$work/all.log" || true)
echo "kills between commit and move: $restart_moves mails moved after a restart," \
    "$known found already known" >&2

# --- 4. exactly once
# Clerk's own notices may bounce back into the INBOX (delivery reports with
# an empty Return-Path): those are counted apart from the N test mails.
# scan DIR: one line per message file of maildir folder DIR: its X-T30-Id,
# "bounce" for a delivery report, "other" for anything else
scan() {
	local f
	for f in "$1"/cur/* "$1"/new/*; do
		[ -e "$f" ] || continue
		awk '{ sub(/\r$/, "") } /^$/ { exit }
		    /^X-T30-Id: / { id = $2 } /^Return-Path: <>/ { null = 1 }
		    END { print id != "" ? id : null ? "bounce" : "other" }' "$f"
	done
}
folder_mids() {
	local f
	for f in "$1"/cur/* "$1"/new/*; do
		[ -e "$f" ] || continue
		grep -q '^X-T30-Id: ' "$f" || continue
		grep -i -m 1 '^message-id:' "$f" | tr -d '\r' | sed 's/^[^:]*: *//'
	done
}
check_folders() {	# check_folders WHEN SUFFIX
	local inbox p q b
	scan "$maildir" >"$work/inbox.$2"
	! grep -q "^$tag-" "$work/inbox.$2" ||
	    fail "$1: test mails left in the INBOX: $(grep "^$tag-" "$work/inbox.$2" | head)"
	inbox=$(tb_imap_count "$user" INBOX)
	[ "$inbox" -eq "$(wc -l <"$work/inbox.$2")" ] ||
	    fail "$1: IMAP counts $inbox in the INBOX, the maildir holds $(wc -l <"$work/inbox.$2")"
	scan "$maildir/.Processed" | sort >"$work/processed.$2"
	scan "$maildir/.Quarantine" | sort >"$work/quarantine.$2"
	! grep -qx other "$work/processed.$2" "$work/quarantine.$2" "$work/inbox.$2" ||
	    fail "$1: a mail that is neither a test mail nor a delivery report"
	p=$(tb_imap_count "$user" Processed)
	q=$(tb_imap_count "$user" Quarantine)
	[ "$p" -eq "$(wc -l <"$work/processed.$2")" ] && [ "$q" -eq "$(wc -l <"$work/quarantine.$2")" ] ||
	    fail "$1: IMAP counts Processed $p, Quarantine $q; the maildirs differ"
	cat "$work/processed.$2" "$work/quarantine.$2" | grep -v '^bounce$' | sort >"$work/ids.got" || true
	cmp -s "$work/ids.got" "$work/ids.want" ||
	    fail "$1: the folders do not hold each mail once: $(diff "$work/ids.want" "$work/ids.got" | grep '^[<>]' | head)"
	{ folder_mids "$maildir/.Processed"; folder_mids "$maildir/.Quarantine"; } |
	    sort | uniq -d >"$work/mids.dup"
	[ "$(cat "$work/mids.dup")" = "<$tag.dup@example.test>" ] ||
	    fail "$1: duplicate Message-IDs: $(cat "$work/mids.dup")"
	b=$(cat "$work/processed.$2" "$work/quarantine.$2" | grep -c '^bounce$' || true)
	echo "$1: no test mail in the INBOX ($inbox delivery reports there);" \
	    "Processed $p + Quarantine $q = $N test mails, each once, + $b delivery reports" >&2
}
check_folders "after the kills" 1

sql() { sqlite3 -batch -noheader "$db" "$@"; }
ours="CAST(raw AS TEXT) LIKE '%X-T30-Id: $tag-%'"
check_store() {	# check_store WHEN
	local rows shas all
	all=$(sql 'SELECT count(*) FROM mails')
	rows=$(sql "SELECT count(*) FROM mails WHERE $ours")
	shas=$(sql "SELECT count(DISTINCT sha256) FROM mails WHERE $ours")
	[ "$rows" -eq "$N" ] || fail "$1: $rows mails rows of test mails, want $N"
	[ "$shas" -eq "$N" ] || fail "$1: $shas distinct sha256 among the test mails, want $N"
	[ -z "$(sql "SELECT id FROM mails WHERE NOT ($ours) AND kind NOT IN ('bounce', 'automatic')")" ] ||
	    fail "$1: rows of mails that are neither test mails nor reports: $(sql "SELECT id, kind, from_addr FROM mails WHERE NOT ($ours) AND kind NOT IN ('bounce', 'automatic')")"
	[ "$(sql 'SELECT count(*) FROM mails WHERE moved = 0')" -eq 0 ] ||
	    fail "$1: mails committed but not marked moved"
	# the X-T30-Id header of every stored raw mail
	sql "SELECT CAST(raw AS TEXT) FROM mails" | tr -d '\r' |
	    sed -n 's/^X-T30-Id: \([^[:space:]]*\)$/\1/p' | sort >"$work/ids.db"
	cmp -s "$work/ids.db" "$work/ids.want" ||
	    fail "$1: the store does not hold each mail once: $(diff "$work/ids.want" "$work/ids.db" | grep '^[<>]' | head)"
	# apply.c logs one `mail` event per mail (and e.g. mail-quarantined)
	[ -z "$(sql "SELECT mail_id, kind, count(*) FROM events
	    WHERE kind = 'mail' OR kind LIKE 'mail-%' GROUP BY mail_id, kind HAVING count(*) <> 1")" ] ||
	    fail "$1: a mail event logged twice: $(sql "SELECT mail_id, kind, count(*) FROM events WHERE kind = 'mail' OR kind LIKE 'mail-%' GROUP BY mail_id, kind HAVING count(*) <> 1" | head)"
	[ "$(sql "SELECT count(*) FROM events WHERE kind = 'mail'")" -eq "$all" ] ||
	    fail "$1: $(sql "SELECT count(*) FROM events WHERE kind = 'mail'") mail events for $all mails"
	[ "$(sql "SELECT count(DISTINCT mail_id) FROM events WHERE kind = 'mail'
	    AND mail_id IN (SELECT id FROM mails)")" -eq "$all" ] ||
	    fail "$1: not every mail has its mail event"
	echo "$1: store holds the $N test mails once each ($shas distinct sha256)" \
	    "+ $((all - rows)) reports, one mail event each" >&2
}
check_store "after the kills"
if [ -s "$work/inbox.1" ]; then
	out=$(clerkd -c "$conf" --once --now "$NOW" 2>&1) || fail "clerkd --once for the reports: $out"
	check_folders "after taking in the reports" 1
	check_store "after taking in the reports"
fi
mail_events="kind = 'mail' OR kind LIKE 'mail-%'"
events_before=$(sql "SELECT count(*) FROM events WHERE $mail_events")

# --- 5. a new UIDVALIDITY
uidvalidity() {
	tb_imap "$user" "" -X 'STATUS INBOX (UIDVALIDITY)' | tr -d '\r' |
	    sed -n 's/.*UIDVALIDITY \([0-9]*\).*/\1/p'
}
old_uv=$(uidvalidity)
[ -n "$old_uv" ] || fail "no UIDVALIDITY for the INBOX"
# back through IMAP, so the folders' own indexes stay right
for box in Processed Quarantine; do
	[ "$(tb_imap_count "$user" "$box")" -eq 0 ] ||
	    tb_imap "$user" "$box" -X 'UID MOVE 1:* INBOX' >/dev/null || fail "UID MOVE $box to INBOX"
done
back=$(tb_imap_count "$user" INBOX)
[ "$back" -ge "$N" ] || fail "the INBOX holds $back mails, not the $N test mails again"
# Without its uidlist and indexes Dovecot numbers the INBOX afresh, with
# the next value of dovecot-uidvalidity.
rm -f "$maildir"/dovecot-uidlist "$maildir"/dovecot.index* "$maildir"/dovecot.list.index*
new_uv=$(uidvalidity)
[ -n "$new_uv" ] && [ "$new_uv" != "$old_uv" ] ||
    fail "UIDVALIDITY did not change ($old_uv -> $new_uv)"
[ "$(tb_imap_count "$user" INBOX)" -eq "$back" ] || fail "the INBOX does not show the $back mails again"
echo "INBOX UIDVALIDITY $old_uv -> $new_uv with $back mails back" >&2

out=$(clerkd -c "$conf" --once --now "$NOW" 2>&1) || fail "clerkd --once after the UIDVALIDITY change: $out"
printf '%s\n' "$out" >"$work/uv.log"
k=$(grep -c 'event=mail-known' "$work/uv.log" || true)
[ "$k" -eq "$back" ] || fail "after the UIDVALIDITY change $k of $back mails were known: $(grep 'event=' "$work/uv.log" | grep -v mail-known | head)"
grep -q "event=cycle .* mails=$back .*known=$back" "$work/uv.log" ||
    fail "cycle line: $(grep 'event=cycle' "$work/uv.log")"
[ "$(sql "SELECT count(*) FROM events WHERE $mail_events")" -eq "$events_before" ] ||
    fail "the re-scan added mail events"
check_store "after the re-scan"
check_folders "after the re-scan" 2
cmp -s "$work/processed.1" "$work/processed.2" && cmp -s "$work/quarantine.1" "$work/quarantine.2" ||
    fail "a mail changed folders in the re-scan"
echo "UIDVALIDITY change: $back mails known, none applied again"
