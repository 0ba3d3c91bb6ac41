#!/bin/bash
# t_10_imap_intake.sh ENVFILE: the IMAP intake (daemon/intake_imap.c,
# imap_idle.c) against the test bed's Dovecot, driven by intake_probe.
#  1. open creates the processed and quarantine folders (a name with a
#     space, one with a non-ASCII letter), and opens again when they exist;
#  2. three mails injected through Postfix are listed in UID order, fetched
#     byte for byte (the injected bytes end each delivered mail), listed the
#     same with a search window of 2 UIDs;
#  3. move to processed / quarantine, again (idempotent), fetch of a moved
#     mail fails as temporary; without MOVE (hidden) by COPY + EXPUNGE;
#     without MOVE and UIDPLUS refused;
#  4. a UIDVALIDITY change: fetch by the old position fails as "changed",
#     move by it moves nothing;
#  5. IDLE: mail delivered during a wait wakes it within 1 s of delivery
#     (latency printed), also after the server dropped the connection
#     (doveadm kick); mail delivered between list and wait wakes it at
#     once; a second list on the kept connections sees new mail; SIGTERM stops a wait within 1 s; the same over STARTTLS; the
#     polling fallback (idle = no) wakes within poll_interval;
#  6. TLS: without the test CA the certificate is refused, clearly (imaps
#     and STARTTLS); plain imap:// works on loopback; no log shows the
#     password.
set -euo pipefail
tb=${CLERK_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/testbed
# shellcheck source=../testbed/lib.sh
. "$tb/lib.sh"
tb_load "$1"
env=$1
probe=${CLERK_BUILDDIR:-$PWD}/tests/integration/intake_probe

fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$probe" ] || fail "$probe not built (make check builds it)"
tmp=$(mktemp -d /tmp/clerk-t10.XXXXXX)
bg=()
# Leave the shared test bed as we found it: our mails out of the INBOX,
# our folders gone (later tests run clerkd on this INBOX).
tidy_bed() {
	local uids f
	uids=$(tb_imap "$user" INBOX -X "UID SEARCH HEADER Message-ID \"$tag\"" 2>/dev/null |
	    tr -d '\r' | sed -n 's/^\* SEARCH //p' | tr ' ' ',') || uids=
	if [ -n "$uids" ] && tb_imap "$user" INBOX -X \
	    "UID STORE $uids +FLAGS.SILENT (\\Deleted)" >/dev/null 2>&1; then
		tb_imap "$user" INBOX -X "UID EXPUNGE $uids" >/dev/null 2>&1 || true
	fi
	for f in "$processed" "$quarantine_wire" "${box_wire:-}"; do
		[ -z "$f" ] || tb_imap "$user" "" -X "DELETE \"$f\"" >/dev/null 2>&1 || true
	done
}
cleanup() {
	local p
	for p in "${bg[@]}"; do kill "$p" 2>/dev/null || true; done
	tidy_bed
	rm -rf "$tmp"
}
tag="t10$$x$RANDOM"
user=$IMAP_USER
now_ms() { date +%s%3N; }

processed="T10 Done $tag"
quarantine="T10 Karantene ø $tag"
quarantine_wire="T10 Karantene &APg- $tag"
box_wire=
trap cleanup EXIT

# write_conf FILE URL [extra [intake] lines...]
write_conf() {
	local file=$1 url=$2
	shift 2
	{
		printf '%s\n' "[intake]" "url = $url" "user = $user" \
		    "password_file = $IMAP_PASSWORD_FILE" "processed = $processed" \
		    "quarantine = $quarantine" "$@"
		printf '%s\n' "" "[smtp]" "url = smtps://127.0.0.1:$SMTP_PORT" \
		    "envelope_from = clerk@fgt.test" "" "[openpgp]" "home = $tmp/gnupg" \
		    "fingerprint = ${FPR_CLERK_FGT:-0123456789ABCDEF0123456789ABCDEF01234567}" \
		    "" "[association]" "name = Probe" "address = clerk@fgt.test" \
		    "profile = fgt" "workflows = $tmp" "language = en" \
		    "timezone = Europe/Oslo" "" "[officer secretary]" \
		    "email = secretary@fgt.test" \
		    "fingerprint = 1111111111111111111111111111111111111111" "" \
		    "[storage]" "database = $tmp/clerk.db"
	} >"$file"
}
write_conf "$tmp/imaps.conf" "imaps://127.0.0.1:$IMAPS_PORT" "ca_file = $CA_FILE"

# probe CONF ARGS...: stdout of the probe; its log in $tmp/probe.err
probe() { "$probe" "$@" 2>"$tmp/probe.err"; }
probe_or_fail() {
	probe "$@" || fail "intake_probe $*: $(tail -n 3 "$tmp/probe.err")"
}

mail_file() {	# mail_file FILE ID SUBJECT: a CRLF mail with a dot line
	printf '%s\r\n' "From: Alice Example <alice@example.test>" \
	    "To: FGT Clerk <clerk@fgt.test>" "Subject: $3" \
	    "Message-ID: <$2@example.test>" "Date: Mon, 23 Nov 2026 10:00:00 +0000" \
	    "MIME-Version: 1.0" "Content-Type: text/plain; charset=utf-8" \
	    "Content-Transfer-Encoding: 8bit" "" "Søknad om medlemskap" "." \
	    ".leading dot" "$(head -c 900 /dev/zero | tr '\0' 'x')" "last line" >"$1"
}

inject() {	# inject FILE: through Postfix's MX port into clerk@fgt.test
	bash "$tb/send-mail.sh" "$env" alice@example.test clerk@fgt.test "$1" >/dev/null ||
	    fail "injection of $1 refused"
}

# delivered_ms ID: when Dovecot delivered the mail with Message-ID ID, in
# epoch ms. Its maildir file name starts with the delivery time, "<s>.M<us>"
# (kept when the file moves from new/ to cur/); else the file's ctime.
delivered_ms() {
	local f base
	f=$(find "$TESTBED_DIR/mail" -type f \( -path '*/new/*' -o -path '*/cur/*' \) \
	    -exec grep -lF "Message-ID: <$1@example.test>" {} + 2>/dev/null | head -n 1)
	[ -n "$f" ] || return 1
	base=$(basename "$f")
	if [[ $base =~ ^([0-9]+)\.M([0-9]+)P ]]; then
		echo $(( BASH_REMATCH[1] * 1000 + 10#${BASH_REMATCH[2]} / 1000 ))
	else
		stat -c %.3Z "$f" | tr -d .
	fi
}

# --- 1. folders
probe_or_fail "$tmp/imaps.conf" source >/dev/null
tb_imap "$user" "" -X 'LIST "" "T10 *"' >"$tmp/folders" || fail "LIST"
grep -qF "\"$processed\"" "$tmp/folders" || fail "processed folder not created: $(cat "$tmp/folders")"
grep -qF "\"$quarantine_wire\"" "$tmp/folders" ||
    fail "quarantine folder not created in modified UTF-7: $(cat "$tmp/folders")"
grep -q 'imap_folder_created' "$tmp/probe.err" || fail "no folder_created log"
probe_or_fail "$tmp/imaps.conf" source >/dev/null	# they exist now: fine too
! grep -q 'imap_folder_created' "$tmp/probe.err" || fail "created twice"
echo "folders: created, reopened" >&2

# --- 2. list, fetch
probe_or_fail "$tmp/imaps.conf" list >"$tmp/list0"
before=$(tb_imap_count "$user" INBOX)
for i in 1 2 3; do
	mail_file "$tmp/m$i.eml" "$tag.$i" "$tag mail $i"
	inject "$tmp/m$i.eml"
done
bash "$tb/wait-for-mail.sh" "$env" "$user" INBOX $((before + 3)) 30 >/dev/null ||
    fail "the three mails did not arrive"
probe_or_fail "$tmp/imaps.conf" list >"$tmp/list1"
grep -vxF -f "$tmp/list0" "$tmp/list1" >"$tmp/new" || true
[ "$(wc -l <"$tmp/new")" -eq 3 ] || fail "want 3 new positions, got: $(cat "$tmp/new")"
sort -t: -k2,2n "$tmp/list1" | cmp -s - "$tmp/list1" || fail "list not in UID order"
uidv=$(head -n 1 "$tmp/new" | cut -d: -f1)
sed -n 's/.*uidvalidity=\([0-9]*\) .*/\1/p' "$tmp/probe.err" | grep -qx "$uidv" ||
    fail "positions do not carry the current UIDVALIDITY"
CLERK_TEST_IMAP_SEARCH_WINDOW=2 probe_or_fail "$tmp/imaps.conf" list >"$tmp/list2"
cmp -s "$tmp/list1" "$tmp/list2" || fail "a window of 2 UIDs lists differently"
searches=$(sed -n 's/.*event=imap_list .*searches=\([0-9]*\).*/\1/p' "$tmp/probe.err")
n1=$(wc -l <"$tmp/list1")
[ "$searches" -ge $(( (n1 + 1) / 2 )) ] || fail "window of 2: only $searches searches"

declare -A pos_of
while read -r p; do
	probe_or_fail "$tmp/imaps.conf" fetch "$p" >"$tmp/got"
	for i in 1 2 3; do
		grep -qF "Message-ID: <$tag.$i@example.test>" "$tmp/got" || continue
		size=$(stat -c %s "$tmp/m$i.eml")
		tail -c "$size" "$tmp/got" | cmp -s - "$tmp/m$i.eml" ||
		    fail "fetched $p does not end with the injected bytes of mail $i"
		[ "$(tail -c "$size" "$tmp/got" | sha256sum)" = "$(sha256sum <"$tmp/m$i.eml")" ] ||
		    fail "sha256 differs for mail $i"
		grep -q '^Return-Path: ' "$tmp/got" || fail "no Return-Path in $p"
		pos_of[$i]=$p
	done
done <"$tmp/new"
[ "${#pos_of[@]}" -eq 3 ] || fail "fetched mails do not match the injected ones"
[ "${pos_of[1]#*:}" -lt "${pos_of[2]#*:}" ] && [ "${pos_of[2]#*:}" -lt "${pos_of[3]#*:}" ] ||
    echo "note: Postfix delivered out of order: ${pos_of[*]}" >&2
echo "list/fetch: ${pos_of[1]} ${pos_of[2]} ${pos_of[3]} exact bytes" >&2

# --- 3. move
p1=${pos_of[1]} p2=${pos_of[2]}
probe_or_fail "$tmp/imaps.conf" move "$p1" processed
tb_imap_uids "$user" INBOX | grep -qx "${p1#*:}" && fail "moved mail still in INBOX"
uid=$(tb_imap_uids "$user" "$processed" | tail -n 1)
[ -n "$uid" ] || fail "nothing in $processed"
tb_imap_fetch "$user" "$processed" "$uid" | grep -qF "Message-ID: <$tag.1@example.test>" ||
    fail "mail 1 not in $processed"
probe_or_fail "$tmp/imaps.conf" move "$p1" processed	# idempotent
[ "$(tb_imap_count "$user" "$processed")" -eq 1 ] || fail "second move copied again"
rc=0; probe "$tmp/imaps.conf" fetch "$p1" >/dev/null || rc=$?
[ "$rc" -eq 75 ] || fail "fetch of a moved mail: exit $rc, want 75 (temporary)"
grep -q 'no longer in' "$tmp/probe.err" || fail "fetch of moved mail: $(cat "$tmp/probe.err")"
probe_or_fail "$tmp/imaps.conf" move "$p2" quarantine move "$p2" quarantine
out=$(tb_imap "$user" "$(tb_urlenc "$quarantine_wire")" -X "UID SEARCH ALL") || fail "search quarantine"
[ "$(printf '%s' "$out" | tr -d '\r' | sed -n 's/^\* SEARCH //p' | wc -w)" -eq 1 ] ||
    fail "quarantine should hold one mail: $out"
# a server without MOVE: UID COPY, UID STORE \Deleted, UID EXPUNGE
CLERK_TEST_IMAP_HIDE_CAPS=MOVE probe_or_fail "$tmp/imaps.conf" move "${pos_of[3]}" processed \
    move "${pos_of[3]}" processed
grep -q 'move=no uidplus=yes' "$tmp/probe.err" || fail "MOVE was not hidden"
tb_imap_uids "$user" INBOX | grep -qx "${pos_of[3]#*:}" && fail "copied mail still in INBOX"
[ "$(tb_imap_count "$user" "$processed")" -eq 2 ] || fail "COPY path: want 2 in $processed"
# ... and without UIDPLUS either: refused, clearly
rc=0; CLERK_TEST_IMAP_HIDE_CAPS="MOVE UIDPLUS" probe "$tmp/imaps.conf" source >/dev/null || rc=$?
{ [ "$rc" -eq 1 ] && grep -q 'neither MOVE nor UIDPLUS' "$tmp/probe.err"; } ||
    fail "no MOVE, no UIDPLUS: exit $rc, $(cat "$tmp/probe.err")"
echo "move: processed, quarantine, idempotent; COPY+EXPUNGE without MOVE" >&2

# --- 4. UIDVALIDITY change, on a mailbox with a space and a non-ASCII name
box="T10 Box ø $tag"
box_wire="T10 Box &APg- $tag"
write_conf "$tmp/box.conf" "imaps://127.0.0.1:$IMAPS_PORT" "ca_file = $CA_FILE" \
    "mailbox = $box"
tb_imap "$user" "" -X "CREATE \"$box_wire\"" >/dev/null || fail "CREATE $box_wire"
tb_imap "$user" "$(tb_urlenc "$box_wire")" -T "$tmp/m1.eml" || fail "APPEND"
old=$(probe_or_fail "$tmp/box.conf" list)
[ "$(printf '%s\n' "$old" | wc -l)" -eq 1 ] || fail "box: want one mail, got $old"
probe_or_fail "$tmp/box.conf" fetch "$old" | cmp -s - "$tmp/m1.eml" ||
    fail "box: fetched bytes differ from the appended ones"
tb_imap "$user" "" -X "DELETE \"$box_wire\"" >/dev/null || fail "DELETE"
tb_imap "$user" "" -X "CREATE \"$box_wire\"" >/dev/null || fail "CREATE again"
tb_imap "$user" "$(tb_urlenc "$box_wire")" -T "$tmp/m2.eml" || fail "APPEND 2"
new=$(probe_or_fail "$tmp/box.conf" list)
[ "${new%%:*}" != "${old%%:*}" ] || fail "UIDVALIDITY did not change ($old, $new)"
rc=0; probe "$tmp/box.conf" fetch "$old" >/dev/null || rc=$?
{ [ "$rc" -eq 75 ] && grep -q 'changed (UIDVALIDITY' "$tmp/probe.err"; } ||
    fail "fetch by an old position: exit $rc, $(cat "$tmp/probe.err")"
probe_or_fail "$tmp/box.conf" move "$old" processed
grep -q 'imap_move_stale' "$tmp/probe.err" || fail "stale move not reported"
[ "$(tb_imap_count "$user" "$box_wire")" -eq 1 ] || fail "a stale position moved a mail"
probe_or_fail "$tmp/box.conf" move "$new" processed
[ "$(tb_imap_count "$user" "$box_wire")" -eq 0 ] || fail "box: move by the new position"
tb_imap "$user" "" -X "DELETE \"$box_wire\"" >/dev/null || true
echo "uidvalidity: old position refused for fetch, ignored for move" >&2

# --- 5. waiting
# wait_case NAME CONF LIMIT_MS [HOOK]: probe lists then waits; a mail
# injected 0.5 s into the wait (after HOOK, if given) must wake it within
# LIMIT_MS of its delivery.
wait_case() {
	local name=$1 conf=$2 limit=$3 hook=${4:-} pid out woke delivered lat
	out=$tmp/wait.$name
	"$probe" "$conf" list wait 15000 >"$out" 2>"$out.err" &
	pid=$!
	bg+=("$pid")
	for _ in $(seq 100); do grep -qs '^waiting' "$out" && break; sleep 0.1; done
	grep -q '^waiting' "$out" || fail "$name: the probe did not start waiting"
	sleep 0.5
	[ -z "$hook" ] || "$hook"
	mail_file "$tmp/$name.eml" "$tag.$name" "$tag $name"
	inject "$tmp/$name.eml"
	wait "$pid" || fail "$name: probe failed: $(tail -n 3 "$out.err")"
	grep -q '^wait=1 ' "$out" || fail "$name: wait did not report mail: $(cat "$out")"
	woke=$(sed -n 's/.*woke_at=\([0-9]*\).*/\1/p' "$out")
	delivered=$(delivered_ms "$tag.$name") || fail "$name: delivered file not found"
	lat=$((woke - delivered))
	echo "$name: woke ${lat} ms after delivery" >&2
	[ "$lat" -le "$limit" ] || fail "$name: woke $lat ms after delivery, limit $limit"
	echo "$lat" >"$tmp/lat.$name"
}
wait_case idle "$tmp/imaps.conf" 1000
grep -q 'imap_idle_connected' "$tmp/wait.idle.err" || fail "IDLE was not used"

# the server drops the connections during IDLE: it reconnects (backoff)
kick() {
	doveadm -c "$DOVECOT_CONF" kick "$user" >/dev/null || fail "doveadm kick"
	sleep 2.5
}
if command -v doveadm >/dev/null; then
	wait_case kick "$tmp/imaps.conf" 1000 kick
	grep -q 'imap_idle_retry' "$tmp/wait.kick.err" || fail "kick: no reconnect logged"
	[ "$(grep -c 'imap_idle_connected' "$tmp/wait.kick.err")" -eq 2 ] ||
	    fail "kick: want 2 IDLE connections: $(cat "$tmp/wait.kick.err")"
else
	echo "note: no doveadm, reconnect not tested" >&2
fi

# mail between list and wait: the wait must return at once
"$probe" "$tmp/imaps.conf" list source sleep 3000 wait 15000 >"$tmp/race" 2>"$tmp/race.err" &
pid=$!
bg+=("$pid")
for _ in $(seq 100); do grep -qs '^imap:' "$tmp/race" && break; sleep 0.05; done
before=$(tb_imap_count "$user" INBOX)
mail_file "$tmp/race.eml" "$tag.race" "$tag race"
inject "$tmp/race.eml"
bash "$tb/wait-for-mail.sh" "$env" "$user" INBOX $((before + 1)) 10 >/dev/null ||
    fail "race mail not delivered"
grep -q '^waiting' "$tmp/race" && fail "race: delivery took longer than the probe's sleep"
wait "$pid" || fail "race: probe failed: $(tail -n 3 "$tmp/race.err")"
ms=$(sed -n 's/^wait=1 ms=\([0-9]*\).*/\1/p' "$tmp/race")
{ [ -n "$ms" ] && [ "$ms" -lt 1000 ]; } || fail "race: $(cat "$tmp/race")"
echo "race: mail between list and IDLE seen after $ms ms" >&2

# a second list on the same connections sees mail that came meanwhile
"$probe" "$tmp/imaps.conf" list source sleep 3000 list >"$tmp/relist" 2>"$tmp/relist.err" &
pid=$!
bg+=("$pid")
for _ in $(seq 100); do grep -qs '^imap:' "$tmp/relist" && break; sleep 0.05; done
before=$(tb_imap_count "$user" INBOX)
mail_file "$tmp/relist.eml" "$tag.relist" "$tag relist"
inject "$tmp/relist.eml"
bash "$tb/wait-for-mail.sh" "$env" "$user" INBOX $((before + 1)) 10 >/dev/null ||
    fail "relist mail not delivered"
wait "$pid" || fail "relist: probe failed: $(tail -n 3 "$tmp/relist.err")"
first=$(sed -n '/^imap:/q;p' "$tmp/relist" | wc -l)
second=$(sed -n '/^imap:/,$p' "$tmp/relist" | sed 1d | wc -l)
[ "$second" -eq $((first + 1)) ] ||
    fail "relist on the same connection: $first then $second positions"
echo "relist: the kept connection lists the new mail" >&2

# SIGTERM sets the stop flag: the wait ends within a second
"$probe" "$tmp/imaps.conf" list wait 60000 >"$tmp/stop" 2>"$tmp/stop.err" &
pid=$!
bg+=("$pid")
for _ in $(seq 100); do grep -qs '^waiting' "$tmp/stop" && break; sleep 0.1; done
sleep 1
t0=$(now_ms)
kill -TERM "$pid"
wait "$pid" || fail "stop: probe failed: $(tail -n 3 "$tmp/stop.err")"
t1=$(now_ms)
grep -q '^wait=0 ' "$tmp/stop" || fail "stop: $(cat "$tmp/stop")"
[ $((t1 - t0)) -le 1500 ] || fail "stop: took $((t1 - t0)) ms"
echo "stop: wait ended $((t1 - t0)) ms after SIGTERM" >&2

# STARTTLS on the plain port: list and IDLE as with imaps
write_conf "$tmp/starttls.conf" "imap://localhost:$IMAP_PORT/;starttls" "ca_file = $CA_FILE"
wait_case starttls "$tmp/starttls.conf" 1000
# polling fallback: STATUS every second
write_conf "$tmp/poll.conf" "imaps://127.0.0.1:$IMAPS_PORT" "ca_file = $CA_FILE" \
    "idle = no" "poll_interval = 1"
wait_case poll "$tmp/poll.conf" 2000
grep -q 'imap_idle_connected' "$tmp/wait.poll.err" && fail "idle = no still used IDLE"
CLERK_TEST_IMAP_HIDE_CAPS=IDLE probe_or_fail "$tmp/imaps.conf" source >/dev/null
grep -q 'wait=poll' "$tmp/probe.err" || fail "a server without IDLE: no polling"

# --- 6. TLS: the test CA is not in the system store
write_conf "$tmp/noca.conf" "imaps://127.0.0.1:$IMAPS_PORT"
rc=0; probe "$tmp/noca.conf" list >/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "without the CA: exit $rc, want 1 (permanent): $(cat "$tmp/probe.err")"
grep -qi 'certificate' "$tmp/probe.err" || fail "no certificate error: $(cat "$tmp/probe.err")"
echo "tls: $(tail -n 1 "$tmp/probe.err")" >&2
write_conf "$tmp/noca2.conf" "imap://localhost:$IMAP_PORT/;starttls"
rc=0; probe "$tmp/noca2.conf" list >/dev/null || rc=$?
{ [ "$rc" -eq 1 ] && grep -qi 'certificate' "$tmp/probe.err"; } ||
    fail "STARTTLS without the CA: exit $rc: $(cat "$tmp/probe.err")"
# plain imap:// without STARTTLS is allowed on loopback only (config.c)
write_conf "$tmp/plain.conf" "imap://127.0.0.1:$IMAP_PORT"
probe_or_fail "$tmp/plain.conf" list >/dev/null
! grep -rqF -- "$(cat "$IMAP_PASSWORD_FILE")" "$tmp"/*.err ||
    fail "a probe log shows the password"

echo "IDLE latency: $(cat "$tmp/lat.idle") ms (imaps), $(cat "$tmp/lat.starttls") ms (STARTTLS);" \
    "polling: $(cat "$tmp/lat.poll") ms" >&2
