#!/bin/bash
# t_20_notices.sh ENVFILE: signed notices (daemon/notice.c) through the SMTP
# outbox (daemon/outbox.c) into the test bed's Postfix and Dovecot, driven by
# notice_probe with the clerk.conf of clerk-lib.sh (submission with
# STARTTLS and AUTH, the association key of the bed).
#  1. a signed answer to alice arrives in her INBOX; Return-Path is the
#     envelope sender; the stored reply "250 ... queued as X" names the id
#     Postfix logged; the delivered mail ends with the stored bytes;
#  2. `gpg --verify` of its first MIME part in a home that holds only the
#     association's public key: GOODSIG, VALIDSIG of FPR_CLERK_FGT;
#  3. mutt, over IMAP under tmux with alice's GnuPG home, shows "Good
#     signature" for it;
#  4. an encrypted notice (encrypt_to alice) decrypts with alice's key and
#     the signature inside is good (gpg), and mutt shows it decrypted with a
#     good signature;
#  5. with Postfix stopped the row stays queued and its attempts grow; once
#     Postfix is back it is delivered;
#  6. nobody@fgt.test gets 550: the row fails and a digest item says so;
#  7. SIGKILL: (a) the test hook kills the probe after the 3rd of 8 sends
#     was accepted and before it was recorded: the rerun sends it again with
#     the same Message-ID and identical bytes; (b) kill -9 at a random point
#     of a run of 60, then a rerun: every queued Message-ID arrives, no other
#     Message-ID does, and duplicates are byte-identical.
set -euo pipefail
tb=${CLERK_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/testbed
# shellcheck source=../testbed/lib.sh
. "$tb/lib.sh"
tb_load "$1"
# shellcheck source=clerk-lib.sh
. "$CLERK_SRCDIR/tests/integration/clerk-lib.sh"
probe=${CLERK_BUILDDIR:-$PWD}/tests/integration/notice_probe
[ -x "$probe" ] || fail "$probe not built (make check builds it)"
for c in gpg mutt tmux; do
	command -v "$c" >/dev/null || fail "$c is not installed (tests/install-deps.sh)"
done

tmp=$(mktemp -d /tmp/clerk-t20.XXXXXX)
tag="T20x$$r$RANDOM"
user=$ADDR_ALICE
postfix_stopped=0
tmux_sock="clerk-t20-$$"

# Leave the shared bed as we found it: Postfix running, our mails gone.
cleanup() {
	local uids
	if [ "$postfix_stopped" = 1 ]; then
		postfix -c "$POSTFIX_CONFIG_DIR" start >/dev/null 2>&1 || true
	fi
	tmux -L "$tmux_sock" kill-server >/dev/null 2>&1 || true
	uids=$(tb_imap "$user" INBOX -X "UID SEARCH SUBJECT \"$tag\"" 2>/dev/null |
	    tr -d '\r' | sed -n 's/^\* SEARCH //p' | tr ' ' ',') || uids=
	if [ -n "$uids" ] && tb_imap "$user" INBOX -X \
	    "UID STORE $uids +FLAGS.SILENT (\\Deleted)" >/dev/null 2>&1; then
		tb_imap "$user" INBOX -X "UID EXPUNGE $uids" >/dev/null 2>&1 || true
	fi
	[ -z "${vhome:-}" ] || gpgconf --homedir "$vhome" --kill all >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

conf=$(clerk_conf "$tmp/clerk")
# probe ARGS...: stdout of the probe; its log in $tmp/probe.err
probe() { "$probe" "$conf" "$@" 2>>"$tmp/probe.err"; }
probe_or_fail() {
	probe "$@" || fail "notice_probe $*: $(tail -n 3 "$tmp/probe.err")"
}
field() {	# field NAME STATUS-LINE
	printf '%s\n' "$2" | sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p"
}

# uids_of ID: alice's INBOX UIDs of the mail with Message-ID <ID>
uids_of() {
	tb_imap "$user" INBOX -X "UID SEARCH HEADER Message-ID \"<$1>\"" | tr -d '\r' |
	    sed -n 's/^\* SEARCH//p' | tr ' ' '\n' | sed '/^$/d'
}
# arrive ID N: wait up to 30 s until N copies of ID are in alice's INBOX
arrive() {
	local n
	for _ in $(seq 150); do
		n=$(uids_of "$1" | wc -l)
		[ "$n" -ge "$2" ] && return 0
		sleep 0.2
	done
	fail "$1: $n of $2 copies arrived in $user's INBOX"
}
# fetch ID FILE: the first copy of ID, exact bytes
fetch() {
	local uid
	uid=$(uids_of "$1" | head -n 1)
	[ -n "$uid" ] || fail "$1 not in $user's INBOX"
	tb_imap_fetch "$user" INBOX "$uid" >"$2"
}
# ends_with_stored ID FILE: the delivered FILE ends with the row's bytes
ends_with_stored() {
	local size
	probe_or_fail dump "$1" >"$tmp/stored"
	size=$(stat -c %s "$tmp/stored")
	tail -c "$size" "$2" | cmp -s - "$tmp/stored"
}

# gpg_verify_signed MAIL: the first MIME part against the signature, in a
# home with only the association's public key
vhome=$tmp/verify-home
mkdir -m 700 "$vhome"
gpg --homedir "$vhome" --batch --quiet --import "$PUBKEY_CLERK_FGT" 2>/dev/null ||
    fail "cannot import $PUBKEY_CLERK_FGT"
gpg_verify_signed() {
	local out=$tmp/x.$RANDOM
	mkdir "$out"
	probe_or_fail extract-signed "$1" "$out" >/dev/null
	gpg --homedir "$vhome" --batch --status-fd 1 --verify "$out/signature.asc" \
	    "$out/signed" >"$out/status" 2>"$out/stderr" ||
	    fail "gpg --verify of $1 failed: $(cat "$out/stderr")"
	grep -q '^\[GNUPG:\] GOODSIG ' "$out/status" || fail "no GOODSIG: $(cat "$out/status")"
	grep -q "^\\[GNUPG:\\] VALIDSIG .* $FPR_CLERK_FGT\$" "$out/status" ||
	    fail "not signed by $FPR_CLERK_FGT: $(cat "$out/status")"
}

# mutt_view ID OUT: mutt over IMAP (alice, her GnuPG home) shows the mail
# ID; the screen goes to OUT once it shows the end of the signed data
muttrc=$tmp/muttrc
cat >"$muttrc" <<EOF
set folder="imaps://$TESTBED_HOST:$IMAPS_PORT/"
set spoolfile="+INBOX"
set record="" postponed=""
set imap_user="$user"
set imap_pass="$(cat "$PASSWORD_FILE_ALICE")"
set ssl_ca_certificates_file="$CA_FILE"
set ssl_force_tls=yes
set header_cache="" message_cachedir=""
set crypt_use_gpgme=no
set crypt_verify_sig=yes
set pgp_use_gpg_agent=yes
set pgp_verify_command="gpg --status-fd=2 --no-verbose --quiet --batch --output - --verify %s %f"
set pgp_decode_command="gpg --status-fd=2 --no-verbose --quiet --batch --output - --decrypt %f"
set pgp_decrypt_command="gpg --status-fd=2 --no-verbose --quiet --batch --output - --decrypt %f"
set pgp_good_sign="^\\\\[GNUPG:\\\\] GOODSIG"
set pgp_check_gpg_decrypt_status_fd=yes
set help=no wait_key=no pager_stop=yes sort=date mail_check=600 timeout=600
ignore *
unignore from: subject: message-id:
EOF
mutt_view() {
	local id=$1 out=$2 screen=$tmp/screen
	tmux -L "$tmux_sock" kill-server >/dev/null 2>&1 || true
	tmux -L "$tmux_sock" new-session -d -x 200 -y 100 \
	    "env HOME=$tmp GNUPGHOME=$GNUPGHOME_ALICE TERM=xterm mutt -n -F $muttrc -f +INBOX \
	    -e 'push \"<limit>~i $id<enter><display-message>\"'; sleep 30"
	for _ in $(seq 100); do
		tmux -L "$tmux_sock" capture-pane -p -J -S 0 -E 99 >"$screen" 2>/dev/null || true
		grep -q 'End of signed data' "$screen" && break
		sleep 0.2
	done
	tmux -L "$tmux_sock" kill-server >/dev/null 2>&1 || true
	cp "$screen" "$out"
	grep -q 'End of signed data' "$out" || fail "mutt did not show $id: $(cat "$out")"
}

# --- 1. a signed answer reaches alice
ref="$tag-a1"
id=$(probe_or_fail queue -r "$ref" -i "form.$tag@example.test" -d received=2026-11-20 \
    "$user" application_received)
[[ $id =~ ^[0-9]{14}\.[0-9a-f]{32}@fgt\.test$ ]] || fail "Message-ID $id"
st=$(probe_or_fail status "$id")
[ "$(field state "$st")" = queued ] || fail "after queue: $st"
out=$(probe_or_fail run)
[ "$out" = "sent=1" ] || fail "run: $out"
st=$(probe_or_fail status "$id")
[ "$(field state "$st")" = sent ] || fail "after run: $st"
qid=$(printf '%s\n' "$st" | sed -n 's/.*reply=250 .* queued as \([0-9A-F]*\) error=.*/\1/p')
[ -n "$qid" ] || fail "no queue id in the stored reply: $st"
grep -q "postfix-clerk-testbed/submission/smtpd\[[0-9]*\]: $qid: client=" "$POSTFIX_LOG" ||
    fail "queue id $qid not in $POSTFIX_LOG"
arrive "$id" 1
fetch "$id" "$tmp/m1"
ends_with_stored "$id" "$tmp/m1" || fail "delivered bytes differ from the stored ones"
grep -q "^Return-Path: <clerk@fgt.test>" "$tmp/m1" || fail "Return-Path: $(grep -m1 Return-Path "$tmp/m1")"
grep -q "^Subject: \\[$ref\\] Your membership application has been received" "$tmp/m1" ||
    fail "Subject: $(grep -m1 '^Subject' "$tmp/m1")"
grep -q "^In-Reply-To: <form.$tag@example.test>" "$tmp/m1" || fail "In-Reply-To"
grep -q "^Auto-Submitted: auto-replied" "$tmp/m1" || fail "Auto-Submitted"
grep -q "with ESMTPSA id $qid" "$tmp/m1" || fail "not submitted over TLS with AUTH"
LC_ALL=C grep -q '[^[:print:][:space:]]' "$tmp/stored" && fail "stored bytes are not 7-bit"
echo "1. delivered: $id, Postfix queue id $qid" >&2

# --- 2. gpg --verify with the association's public key
gpg_verify_signed "$tmp/m1"
echo "2. gpg --verify: GOODSIG by $FPR_CLERK_FGT" >&2

# --- 3. mutt shows the signature as good
mutt_view "$id" "$tmp/mutt1"
grep -q 'Good signature from "FGT Clerk <clerk@fgt.test>"' "$tmp/mutt1" ||
    fail "mutt: $(cat "$tmp/mutt1")"
grep -qi 'bad signature' "$tmp/mutt1" && fail "mutt saw a bad signature"
grep -q 'Dear Alice Example' "$tmp/mutt1" || fail "mutt: no text"
echo "3. mutt: $(grep -m1 -o 'Good signature from "[^"]*"' "$tmp/mutt1")" >&2

# --- 4. encrypted to alice
ref="$tag-b1"
id=$(probe_or_fail queue -r "$ref" -e "$FPR_ALICE" -d received=2026-11-20 "$user" \
    application_received)
probe_or_fail run >/dev/null
arrive "$id" 1
fetch "$id" "$tmp/m2"
ends_with_stored "$id" "$tmp/m2" || fail "encrypted: delivered bytes differ"
grep -q 'Dear Alice' "$tmp/m2" && fail "encrypted notice readable in clear"
probe_or_fail extract-encrypted "$tmp/m2" "$tmp/m2.asc"
gpg --homedir "$GNUPGHOME_ALICE" --batch --quiet --decrypt "$tmp/m2.asc" >"$tmp/m2.plain" \
    2>"$tmp/m2.err" || fail "alice cannot decrypt: $(cat "$tmp/m2.err")"
head -n 1 "$tmp/m2.plain" | grep -q '^Content-Type: multipart/signed' ||
    fail "decrypted: $(head -n 3 "$tmp/m2.plain")"
gpg_verify_signed "$tmp/m2.plain"
mutt_view "$id" "$tmp/mutt2"
grep -q 'The following data is PGP/MIME encrypted' "$tmp/mutt2" || fail "mutt2: $(cat "$tmp/mutt2")"
grep -q 'Good signature from "FGT Clerk <clerk@fgt.test>"' "$tmp/mutt2" ||
    fail "mutt2: $(cat "$tmp/mutt2")"
grep -q 'Dear Alice Example' "$tmp/mutt2" || fail "mutt2: no text"
echo "4. encrypted: alice decrypts, inner signature good (gpg and mutt)" >&2

# --- 5. Postfix away, then back
ref="$tag-c1"
id=$(probe_or_fail queue -g -r "$ref" -d received=2026-11-20 "$user" application_received)
postfix -c "$POSTFIX_CONFIG_DIR" stop >/dev/null 2>&1 || fail "postfix stop"
postfix_stopped=1
for _ in $(seq 50); do
	(exec 3<>"/dev/tcp/$TESTBED_HOST/$SMTP_PORT") 2>/dev/null || break
	sleep 0.1
done
rc=0; probe run >/dev/null || rc=$?
[ "$rc" -eq 75 ] || fail "run without Postfix: exit $rc, want 75 (temporary)"
st=$(probe_or_fail status "$id")
{ [ "$(field state "$st")" = queued ] && [ "$(field attempts "$st")" = 1 ]; } ||
    fail "without Postfix: $st"
sleep 2.2	# retry_seconds = 2: the second try is due now
rc=0; probe run >/dev/null || rc=$?
[ "$rc" -eq 75 ] || fail "second run without Postfix: exit $rc"
st=$(probe_or_fail status "$id")
[ "$(field attempts "$st")" = 2 ] || fail "attempts did not grow: $st"
due=$(probe_or_fail due)
due_at=$(( $(date +%s%3N) + due ))
{ [ "$due" -gt 2000 ] && [ "$due" -le 4000 ]; } || fail "next try in $due ms, want ~4 s"
postfix -c "$POSTFIX_CONFIG_DIR" start >/dev/null 2>&1 || fail "postfix start"
postfix_stopped=0
for _ in $(seq 50); do
	(exec 3<>"/dev/tcp/$TESTBED_HOST/$SMTP_PORT") 2>/dev/null && break
	sleep 0.1
done
# Only meaningful while the try is not yet due: a slow Postfix start on a
# loaded machine may take longer than the backoff.
early=$(( due_at - $(date +%s%3N) > 300 ))
rc=0; probe run >/dev/null || rc=$?
[ "$rc" -eq 0 ] || fail "run before the next try was due: exit $rc"
if [ "$early" = 1 ]; then
	[ "$(field state "$(probe_or_fail status "$id")")" = queued ] || fail "sent before due"
	sleep "$(awk -v ms="$due" 'BEGIN { printf "%.1f", ms / 1000 + 0.2 }')"
	out=$(probe_or_fail run)
	[ "$out" = "sent=1" ] || fail "run with Postfix back: $out"
else
	echo "5. (Postfix took longer to start than the backoff: not-before-due not checked)" >&2
fi
st=$(probe_or_fail status "$id")
{ [ "$(field state "$st")" = sent ] && [ "$(field attempts "$st")" = 3 ]; } || fail "$st"
arrive "$id" 1
echo "5. Postfix stopped: 2 tries deferred, delivered on the 3rd once it was back" >&2

# --- 6. 550
ref="$tag-d1"
id=$(probe_or_fail queue -g -r "$ref" -d received=2026-11-20 nobody@fgt.test \
    application_received)
probe_or_fail run >/dev/null
st=$(probe_or_fail status "$id")
[ "$(field state "$st")" = failed ] || fail "550: $st"
printf '%s\n' "$st" | grep -q 'error=550 5\.1\.1 <nobody@fgt.test>' || fail "550 error: $st"
probe_or_fail digest >"$tmp/digest"
grep -q " $ref info delivery failed: 550 5\\.1\\.1 <nobody@fgt.test>.*Message-ID <$id>" \
    "$tmp/digest" || fail "digest: $(cat "$tmp/digest")"
echo "6. 550: $(printf '%s' "$st" | sed 's/.*error=//')" >&2

# check_batch REF IDFILE: every id of IDFILE arrived, no other Message-ID
# with the subject tag REF, each copy ends with the stored bytes. Prints the
# number of duplicates.
check_batch() {
	local ref=$1 ids=$2 uids uid mid dups=0 n
	uids=$(tb_imap "$user" INBOX -X "UID SEARCH SUBJECT \"[$ref]\"" | tr -d '\r' |
	    sed -n 's/^\* SEARCH//p')
	: >"$tmp/seen"
	for uid in $uids; do
		tb_imap_fetch "$user" INBOX "$uid" >"$tmp/got"
		mid=$(tr -d '\r' <"$tmp/got" | sed -n 's/^Message-ID: <\(.*\)>$/\1/p' | head -n 1)
		grep -qxF "$mid" "$ids" || fail "$ref: Message-ID $mid was never queued"
		ends_with_stored "$mid" "$tmp/got" || fail "$ref: copy of $mid differs from its row"
		echo "$mid" >>"$tmp/seen"
	done
	while read -r mid; do
		n=$(grep -cxF "$mid" "$tmp/seen" || true)
		[ "$n" -ge 1 ] || fail "$ref: $mid was lost"
		dups=$((dups + n - 1))
	done <"$ids"
	echo "$dups"
}
wait_count() {	# wait_count REF N: N mails with [REF] in the subject
	local n=0
	for _ in $(seq 150); do
		n=$(tb_imap "$user" INBOX -X "UID SEARCH SUBJECT \"[$1]\"" | tr -d '\r' |
		    sed -n 's/^\* SEARCH//p' | wc -w)
		[ "$n" -ge "$2" ] && return 0
		sleep 0.2
	done
	fail "$1: $n of $2 mails arrived"
}

# --- 7a. killed between acceptance and commit
ref="$tag-e1"
probe_or_fail queue -g -n 8 -r "$ref" -d received=2026-11-20 "$user" application_received \
    >"$tmp/ids.e"
rc=0; (CLERK_TEST_OUTBOX_KILL_AFTER=3 probe run >/dev/null) 2>/dev/null || rc=$?
[ "$rc" -eq 137 ] || fail "the hook did not kill the probe (exit $rc)"
third=$(sed -n 3p "$tmp/ids.e")
[ "$(field state "$(probe_or_fail status "$third")")" = queued ] ||
    fail "the 3rd was recorded before the crash"
out=$(probe_or_fail run)
[ "$out" = "sent=6" ] || fail "rerun: $out"
wait_count "$ref" 9
dups=$(check_batch "$ref" "$tmp/ids.e")
[ "$dups" -eq 1 ] || fail "7a: $dups duplicates, want exactly 1"
[ "$(uids_of "$third" | wc -l)" -eq 2 ] || fail "7a: the 3rd should arrive twice"
echo "7a. crash after acceptance: 8 notices, 9 mails, the 3rd twice with identical bytes" >&2

# --- 7b. kill -9 at a random point of a run
ref="$tag-f1"
probe_or_fail queue -g -n 60 -r "$ref" -d received=2026-11-20 "$user" application_received \
    >"$tmp/ids.f"
: >"$tmp/run.err"
"$probe" "$conf" run >/dev/null 2>"$tmp/run.err" &
pid=$!
want=$((3 + RANDOM % 20))
for _ in $(seq 300); do
	[ "$(grep -c 'event=notice-sent' "$tmp/run.err" || true)" -ge "$want" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.01
done
kill -9 "$pid" 2>/dev/null || fail "7b: the run ended before the kill (60 sent too fast)"
wait "$pid" 2>/dev/null || true
# Counted in the database: the log line of the last send may not have
# been written when the kill came, though its row was recorded.
before=$(sqlite3 "$tmp/clerk/clerk.db" "SELECT count(*) FROM outbox WHERE state = 1 AND
    message_id IN ($(sed "s/.*/'&'/" "$tmp/ids.f" | paste -sd,))")
out=$(probe_or_fail run)
after=${out#sent=}
[ $((before + after)) -ge 60 ] || fail "7b: $before + $after sends for 60 notices"
wait_count "$ref" 60
dups=$(check_batch "$ref" "$tmp/ids.f")
[ "$dups" -le 1 ] || fail "7b: $dups duplicates (at most the one in flight)"
echo "7b. kill -9 after $before recorded sends, rerun sent $after: 60 of 60 arrived," \
    "$dups duplicate(s), no other Message-ID" >&2
