#!/bin/bash
# Officer commands by signed mail and the daily digest, end to end through
# the real Postfix, Dovecot and GnuPG, with the clock stepped by --now:
#  1. four applications (three signed by the applicants, one unsigned from
#     an address that bounces); the signed ones wait for the secretary;
#  2. refused, each with a signed command_refused reply naming the reason,
#     an event, and nothing changed: unsigned, signed by a key clerk does not
#     know (the stranger), signed by a key clerk knows but not the
#     secretary's (alice), a Date older than command_max_age_hours; a
#     treasurer's approve is run and answered "not done" (wrong role);
#  3. the secretary's signed `approve`: the case is approved, the applicant
#     welcomed, the secretary gets one signed receipt line by line; the same
#     mail again (same Message-ID) is refused as a replay;
#  4. clerkctl approve on another case; the digest at [digest] hour (not
#     before, not twice a day), signed, checked line by line;
#  5. a clearsigned reply to the digest with commands acts on the right
#     cases; clerkctl and the mail command wrote the same events;
#  6. a week later: quarantine discard, deadlines within 7 days, unpaid dues.
# testbed: fresh
set -euo pipefail
. "$TESTBED_TOOLS/lib.sh"
. "$CLERK_SRCDIR/tests/integration/clerk-lib.sh"
. "$CLERK_SRCDIR/tests/integration/mailgen.sh"
tb_load "$1"
ENVF=$1
work=$(mktemp -d /tmp/clerk-t40.XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
conf=$(clerk_conf "$work/clerk")
# Our own [digest] and [limits], whatever clerk_conf says.
awk '/^\[/ { skip = ($0 == "[digest]" || $0 == "[limits]") } !skip' "$conf" >"$conf.new"
printf '\n[digest]\nhour = 7\n\n[limits]\ncommand_max_age_hours = 72\nauto_replies_per_day = 50\n' \
	>>"$conf.new"
mv "$conf.new" "$conf"
db=$work/clerk/clerk.db
# The notices as the secretary's own key ring verifies them.
mkdir -p "$work/view"
sed "s|^home = .*|home = $GNUPGHOME_SECRETARY_FGT|; s|^database = .*|database = $work/view/x.db|" \
	"$conf" >"$work/view/clerk.conf"

sql() { sqlite3 "$db" "$@"; }
# This morning's digest went out already (the database is made by check).
clerkctl -c "$conf" check >/dev/null || fail "clerkctl check"
sql "INSERT INTO meta(key, value) VALUES ('digest.last', '2027-02-01')"

deliver() {	# deliver FROM FILE: through Postfix into clerk@fgt.test, then wait
	local before
	before=$(tb_imap_count clerk@fgt.test INBOX)
	bash "$TESTBED_TOOLS/send-mail.sh" "$ENVF" "$1" clerk@fgt.test "$2" >/dev/null ||
		fail "injecting $2 failed"
	bash "$TESTBED_TOOLS/wait-for-mail.sh" "$ENVF" clerk@fgt.test INBOX $((before + 1)) 20 \
		>/dev/null || fail "$2 did not arrive"
}

run_clerkd() {	# run_clerkd TIME
	echo "=== clerkd --once --now $1" >>"$work/clerkd.log"
	clerkd -c "$conf" --once --now "$1" >>"$work/clerkd.log" 2>&1 ||
		{ tail -n 40 "$work/clerkd.log" >&2; fail "clerkd --once --now $1 failed"; }
}

wait_count() {	# wait_count USER N: USER's INBOX holds N mails
	bash "$TESTBED_TOOLS/wait-for-mail.sh" "$ENVF" "$1" INBOX "$2" 30 >/dev/null ||
		fail "$1 has $(tb_imap_count "$1" INBOX) mails, expected $2"
	sleep 0.5
	[ "$(tb_imap_count "$1" INBOX)" = "$2" ] ||
		fail "$1 has $(tb_imap_count "$1" INBOX) mails, expected exactly $2"
}

# notice_for USER MSGID: the file of USER's notice answering <MSGID>
notice_for() {
	local uid f
	for uid in $(tb_imap_uids "$1" INBOX); do
		f=$work/box/$1-$uid.eml
		[ -s "$f" ] || { mkdir -p "$work/box"; tb_imap_fetch "$1" INBOX "$uid" >"$f"; }
		if tr -d '\r' <"$f" | sed -n '/^$/q;p' | grep -qiF "In-Reply-To: <$2>"; then
			printf '%s\n' "$f"
			return 0
		fi
	done
	fail "$1 has no notice answering <$2>"
}

# last_notice USER: the file of USER's newest mail
last_notice() {
	local uid f
	uid=$(tb_imap_uids "$1" INBOX | tail -n 1)
	f=$work/box/$1-$uid.eml
	mkdir -p "$work/box"
	[ -s "$f" ] || tb_imap_fetch "$1" INBOX "$uid" >"$f"
	printf '%s\n' "$f"
}

# check_signed FILE: PGP/MIME signed by the association key, good with the
# secretary's key ring
check_signed() {
	local json
	grep -qi '^Content-Type: multipart/signed' "$1" || fail "$1 is not PGP/MIME signed"
	json=$(clerkctl -c "$work/view/clerk.conf" inspect --json "$1")
	grep -q '"verdict":"good"' <<<"$json" || fail "$1: signature not good: $json"
	grep -q "\"fingerprint\":\"$FPR_CLERK_FGT\"" <<<"$json" ||
		fail "$1 is not signed by the association key: $json"
}

# check_encrypted_to FILE HOME: PGP/MIME encrypted, and with the key ring
# in HOME it decrypts to a notice signed good by the association key
check_encrypted_to() {
	local json view=$work/view-$(basename "$2")
	grep -qi '^Content-Type: multipart/encrypted' "$1" || fail "$1 is not PGP/MIME encrypted"
	if [ ! -f "$view/clerk.conf" ]; then
		mkdir -p "$view"
		sed "s|^home = .*|home = $2|; s|^database = .*|database = $view/x.db|" "$conf" \
			>"$view/clerk.conf"
	fi
	json=$(clerkctl -c "$view/clerk.conf" inspect --json "$1")
	grep -q '"decrypted":true' <<<"$json" || fail "$1 does not decrypt with $2: $json"
	grep -q '"verdict":"good"' <<<"$json" || fail "$1: signature not good: $json"
	grep -q "\"fingerprint\":\"$FPR_CLERK_FGT\"" <<<"$json" ||
		fail "$1 is not signed by the association key: $json"
}

# notice_text FILE: the notice's text, quoted-printable decoded
notice_text() {
	tr -d '\r' <"$1" | awk '
		/^Content-Transfer-Encoding: quoted-printable$/ { hdr = 1; next }
		hdr && /^$/ { on = 1; hdr = 0; next }
		on && /^--=_clerk_/ { exit }
		on { print }' | awk '
		BEGIN { for (i = 0; i < 256; i++) hex[sprintf("%02X", i)] = i }
		{
			line = $0; soft = sub(/=$/, "", line); out = ""
			while ((p = index(line, "=")) > 0) {
				out = out substr(line, 1, p - 1) sprintf("%c", hex[substr(line, p + 1, 2)])
				line = substr(line, p + 3)
			}
			printf "%s%s", out line, soft ? "" : "\n"
		}' | sed '${/^$/d}'	# the CRLF before the boundary is the boundary's
}

# cmd_mail OUT ID DATE SUBJECT MODE FROM [HOME FPR] < BODY
#   MODE plain: unsigned; pgpmime: RFC 3156 signed by FPR; clear: gpg --clearsign
#   The signature is made at DATE (its own creation time is what counts).
cmd_mail() {
	local out=$1 id=$2 date=$3 subject=$4 mode=$5 from=$6 home=${7:-} fpr=${8:-}
	local body=$work/body.$id part=$work/part.$id b="=-=cmd-$id=-="
	local faked
	faked=(--faked-system-time "$(date +%s -d "$date")!")
	cat >"$body"
	{
		printf 'From: %s\r\nTo: FGT Clerk <clerk@fgt.test>\r\nSubject: %s\r\n' "$from" \
			"$subject"
		printf 'Message-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n' "$id" "$date"
		case $mode in
		plain)
			printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'
			sed 's/$/\r/' "$body" ;;
		clear)
			gpg --homedir "$home" --batch --no-tty --quiet "${faked[@]}" -u "$fpr" --clearsign \
				-o "$part" "$body" || fail "gpg --clearsign failed"
			printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'
			sed 's/$/\r/' "$part" ;;
		pgpmime)
			{
				printf 'Content-Type: text/plain; charset=us-ascii\r\n'
				printf 'Content-Transfer-Encoding: 7bit\r\n\r\n'
				sed 's/$/\r/' "$body"
			} >"$part"
			gpg --homedir "$home" --batch --no-tty --quiet "${faked[@]}" --armor --detach-sign \
				--digest-algo SHA256 -u "$fpr" -o "$part.asc" "$part" 2>/dev/null ||
				fail "gpg --detach-sign failed"
			printf 'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
			printf ' protocol="application/pgp-signature"; boundary="%s"\r\n\r\n' "$b"
			printf 'OpenPGP/MIME signed (RFC 3156).\r\n--%s\r\n' "$b"
			cat "$part"
			printf '\r\n--%s\r\nContent-Type: application/pgp-signature\r\n\r\n' "$b"
			sed 's/$/\r/' "$part.asc"
			printf '\r\n--%s--\r\n' "$b" ;;
		esac
	} >"$out"
}

event_count() { sql "SELECT count(*) FROM events WHERE case_ref = '$1'"; }
state_of() { sql "SELECT state FROM cases WHERE ref = '$1'"; }

SEC="FGT Secretary <secretary@fgt.test>"

# --- 1. four applications, Monday 1 February 2027 -------------------------
mg_signed_application "$work/a.eml" t40-alice "$GNUPGHOME_ALICE" "$FPR_ALICE" \
	"Alice Example <alice@example.test>" "Alice Example"
mg_signed_application "$work/b.eml" t40-bob "$GNUPGHOME_BOB" "$FPR_BOB" \
	"Bob Example <bob@example.test>" "Bob Example"
mg_signed_application "$work/c.eml" t40-carol "$GNUPGHOME_CAROL" "$FPR_CAROL" \
	"Carol Example <carol@example.test>" "Carol Example"
cat >"$work/nobody.txt" <<'FORM'
Form: application
Name: Nobody Example
Email: nobody@example.test
Category: student
I accept the ethics rules: yes
FORM
cmd_mail "$work/n.eml" t40-nobody@example.test "Mon, 01 Feb 2027 08:00:00 +0100" \
	"Application" plain "Nobody Example <nobody@example.test>" <"$work/nobody.txt"
deliver alice@example.test "$work/a.eml"
deliver bob@example.test "$work/b.eml"
deliver carol@example.test "$work/c.eml"
deliver nobody@example.test "$work/n.eml"
run_clerkd 2027-02-01T09:00
refs=$(sql "SELECT ref || ' ' || email || ' ' || state FROM cases ORDER BY id")
[ "$refs" = "FGT-2027-0001 alice@example.test with_secretary
FGT-2027-0002 bob@example.test with_secretary
FGT-2027-0003 carol@example.test with_secretary
FGT-2027-0004 nobody@example.test incomplete" ] || fail "cases after the applications: $refs"
A=FGT-2027-0001 B=FGT-2027-0002 C=FGT-2027-0003 N=FGT-2027-0004
wait_count secretary@fgt.test 3
wait_count alice@example.test 1
# nobody@example.test does not exist: both notices to it failed for good.
[ "$(sql "SELECT count(*) FROM outbox WHERE recipient = 'nobody@example.test' AND state = 2")" = 2 ] ||
	fail "the notices to nobody@example.test did not fail: $(sql 'SELECT recipient, state, error FROM outbox')"

# --- 2. refusals, 10:00 ---------------------------------------------------
body='approve FGT-2027-0001 student'
printf '%s\n' "$body" | cmd_mail "$work/r1.eml" r1.t40@fgt.test \
	"Mon, 01 Feb 2027 09:55:00 +0100" "unsigned" plain "$SEC"
printf '%s\n' "$body" | cmd_mail "$work/r2.eml" r2.t40@fgt.test \
	"Mon, 01 Feb 2027 09:55:00 +0100" "stranger" pgpmime "$SEC" "$GNUPGHOME_STRANGER" \
	"$FPR_STRANGER"
printf '%s\n' "$body" | cmd_mail "$work/r3.eml" r3.t40@fgt.test \
	"Mon, 01 Feb 2027 09:55:00 +0100" "alice key" pgpmime "$SEC" "$GNUPGHOME_ALICE" \
	"$FPR_ALICE"
printf '%s\n' "$body" | cmd_mail "$work/r4.eml" r4.t40@fgt.test \
	"Thu, 28 Jan 2027 09:00:00 +0100" "stale" pgpmime "$SEC" "$GNUPGHOME_SECRETARY_FGT" \
	"$FPR_SECRETARY_FGT"
printf 'Hello,\n\n%s\n' "$body" | cmd_mail "$work/r5.eml" r5.t40@fgt.test \
	"Mon, 01 Feb 2027 09:55:00 +0100" "treasurer" pgpmime \
	"FGT Treasurer <treasurer@fgt.test>" "$GNUPGHOME_TREASURER_FGT" "$FPR_TREASURER_FGT"
# A reply signed by Bob, changed on its way: a bad signature.
printf 'Hello,\n\nany news?\n' | cmd_mail "$work/t.eml" t40-tampered@example.test \
	"Mon, 01 Feb 2027 09:56:00 +0100" "Re: [$B] Application" pgpmime \
	"Bob Example <bob@example.test>" "$GNUPGHOME_BOB" "$FPR_BOB"
sed -i 's/any news?/any news!/' "$work/t.eml"
before_a=$(event_count $A)
for f in r1 r2 r3 r4; do deliver secretary@fgt.test "$work/$f.eml"; done
deliver treasurer@fgt.test "$work/r5.eml"
deliver bob@example.test "$work/t.eml"
run_clerkd 2027-02-01T10:00
[ "$(state_of $A)" = with_secretary ] || fail "$A changed by a refused command: $(state_of $A)"
wait_count secretary@fgt.test 7
wait_count treasurer@fgt.test 1

# refused ID REASON-FRAGMENT SIGNATURE-ADVICE: the signed refusal answering ID
refused() {
	local f text
	f=$(notice_for secretary@fgt.test "$1")
	check_signed "$f"
	grep -q '^Subject: Commands not carried out' "$f" || fail "$1: $(grep '^Subject' "$f")"
	text=$(notice_text "$f")
	grep -qF "Reason: $2" <<<"$text" || fail "refusal of $1 lacks reason '$2':
$text"
	grep -qF "$3" <<<"$text" || fail "refusal of $1 lacks '$3':
$text"
	sql "SELECT detail FROM events WHERE kind = 'command-refused' AND mail_id =
		(SELECT id FROM mails WHERE message_id = '$1')" | grep -qF "$2" ||
		fail "no command-refused event for $1"
	echo "refused $1: $2" >&2
}
sign_advice="signed with the OpenPGP key registered for your role"
once_advice="carried out only once, and only while it is recent"
refused r1.t40@fgt.test "the mail is not signed with OpenPGP" "$sign_advice"
refused r2.t40@fgt.test "it is signed with a key clerk does not know (" "$sign_advice"
refused r3.t40@fgt.test "it is signed with key $FPR_ALICE, not with the key registered for the secretary ($FPR_SECRETARY_FGT)" \
	"$sign_advice"
refused r4.t40@fgt.test "it was signed 2027-01-28T09:00:00, more than 72 hours ago" "$once_advice"
# The treasurer may not approve: run, answered line by line.
f=$(notice_for treasurer@fgt.test r5.t40@fgt.test)
check_signed "$f"
grep -q '^Subject: Receipt for your commands' "$f" || fail "treasurer: $(grep '^Subject' "$f")"
notice_text "$f" | grep -qxF -- "- approve FGT-2027-0001 student: not done: the treasurer may not use approve (the treasurer may use: paid show note)" ||
	fail "treasurer's receipt: $(notice_text "$f")"
sql "SELECT detail FROM events WHERE case_ref = '$A' AND kind = 'command-not-done'" |
	grep -qF "treasurer: approve FGT-2027-0001 student: the treasurer may not use approve" ||
	fail "no command-not-done event for the treasurer"
# Nothing but those events reached the case.
[ "$(sql "SELECT group_concat(kind, ' ') FROM events WHERE case_ref = '$A' AND id > (SELECT max(id) FROM events WHERE case_ref = '$A' AND kind = 'notice-sent')")" = command-not-done ] ||
	fail "events on $A after the refusals: $(sql "SELECT kind FROM events WHERE case_ref = '$A'")"
[ "$(tb_imap_count clerk@fgt.test Quarantine)" = 1 ] || fail "the tampered reply was not kept"

# --- 3. the secretary's approve, 11:00; the same mail again, 11:30 --------
cat >"$work/approve.txt" <<'BODY'
Hello clerk,

approve FGT-2027-0001 student
show FGT-2027-0001
> approve FGT-2027-0002 student
Thanks!

-- 
approve FGT-2027-0003 student
BODY
cmd_mail "$work/ok.eml" ok.t40@fgt.test "Mon, 01 Feb 2027 10:58:00 +0100" "Alice" pgpmime \
	"$SEC" "$GNUPGHOME_SECRETARY_FGT" "$FPR_SECRETARY_FGT" <"$work/approve.txt"
deliver secretary@fgt.test "$work/ok.eml"
run_clerkd 2027-02-01T11:00
[ "$(state_of $A)" = approved ] || fail "$A is $(state_of $A), not approved"
[ "$(state_of $B)" = with_secretary ] || fail "a quoted line acted on $B"
[ "$(state_of $C)" = with_secretary ] || fail "a line after the signature acted on $C"
clerkctl -c "$conf" show $A | grep -qF "with_secretary -> approved (command approve)" ||
	fail "clerkctl show $A: $(clerkctl -c "$conf" show $A)"
wait_count secretary@fgt.test 8
f=$(notice_for secretary@fgt.test ok.t40@fgt.test)
check_signed "$f"
notice_text "$f" >"$work/receipt.txt"
sed -n '/^- /p' "$work/receipt.txt" | head -n 3 >"$work/receipt.head"
cat >"$work/receipt.want" <<'WANT'
- approve FGT-2027-0001 student: done, FGT-2027-0001 (application) is now approved (closed)
- show FGT-2027-0001: FGT-2027-0001, workflow application, state approved, alice@example.test, opened 2027-02-01T09:00:00, closed 2027-02-01T11:00:00
-   2027-02-01T09:00:00 state: (new) -> received (form application)
WANT
diff -u "$work/receipt.want" "$work/receipt.head" >&2 || fail "the receipt, line by line"
grep -qF -- "-   2027-02-01T11:00:00 state: with_secretary -> approved (command approve)" \
	"$work/receipt.txt" || fail "the receipt's show lacks the approval"
# The applicant: received, then the welcome, the first invoice, and (a
# student without an exam date) the question when her exam is.
wait_count alice@example.test 4
[ "$(sql "SELECT group_concat(kind || '=' || state, ' ') FROM outbox WHERE recipient = 'alice@example.test' ORDER BY id")" = \
	"application_received=1 application_welcome=1 dues_invoice=1 diploma_exam_date_asked=1" ] ||
	fail "alice's notices: $(sql "SELECT kind, state FROM outbox WHERE recipient = 'alice@example.test'")"
welcome=$(sql "SELECT message_id FROM outbox WHERE recipient = 'alice@example.test' AND kind = 'application_welcome'")
for uid in $(tb_imap_uids alice@example.test INBOX); do
	tb_imap_fetch alice@example.test INBOX "$uid" >"$work/alice-$uid.eml"
	grep -qF "Message-ID: <$welcome>" "$work/alice-$uid.eml" || continue
	# Her key signed her application: encrypted to it, signed inside.
	check_encrypted_to "$work/alice-$uid.eml" "$GNUPGHOME_ALICE"
	grep -q "^Subject: \[$A\] Welcome to FGT Test Association" "$work/alice-$uid.eml" ||
		fail "welcome: $(grep '^Subject' "$work/alice-$uid.eml")"
	welcome=found
done
[ "$welcome" = found ] || fail "the welcome did not reach alice"
sql "SELECT message_id FROM commands_seen" | grep -qx ok.t40@fgt.test || fail "Message-ID not recorded"

# The same signed mail again: counts once.
deliver secretary@fgt.test "$work/ok.eml"
events_before=$(event_count $A)
run_clerkd 2027-02-01T11:30
wait_count secretary@fgt.test 9
f=$(last_notice secretary@fgt.test)
check_signed "$f"
notice_text "$f" | grep -qF "Reason: a mail with this Message-ID (<ok.t40@fgt.test>) was carried out before; a command mail counts once" ||
	fail "replay: $(notice_text "$f")"
[ "$(event_count $A)" = "$events_before" ] || fail "the replay touched $A"

# --- 4. clerkctl approves Carol; the digest ------------------------------
out=$(clerkctl -c "$conf" approve --now 2027-02-01T11:45 $C student) ||
	fail "clerkctl approve: $out"
[ "$out" = "approve FGT-2027-0003 student: done, FGT-2027-0003 (application) is now approved (closed)" ] ||
	fail "clerkctl approve said: $out"
out=$(clerkctl -c "$conf" approve --as treasurer --now 2027-02-01T11:46 $B student 2>&1) &&
	fail "clerkctl approve --as treasurer was done: $out"
grep -qF "not done: the treasurer may not use approve" <<<"$out" || fail "--as treasurer: $out"
run_clerkd 2027-02-01T11:50
wait_count carol@example.test 4
ref_of() { sql "SELECT ref FROM cases WHERE workflow = '$1' AND email = '$2'"; }
AD=$(ref_of dues alice@example.test) AP=$(ref_of diploma alice@example.test)
CD=$(ref_of dues carol@example.test) CP=$(ref_of diploma carol@example.test)
[ "$AD $AP $CD $CP" = "FGT-2027-0005 FGT-2027-0006 FGT-2027-0007 FGT-2027-0008" ] ||
	fail "linked cases: $AD $AP $CD $CP"

run_clerkd 2027-02-02T06:59	# before [digest] hour: nothing
[ "$(tb_imap_count secretary@fgt.test INBOX)" = 9 ] || fail "a digest before 07:00"
run_clerkd 2027-02-02T07:00
wait_count secretary@fgt.test 10
run_clerkd 2027-02-02T08:00	# once a day
sleep 1
[ "$(tb_imap_count secretary@fgt.test INBOX)" = 10 ] || fail "a second digest on the same day"
[ "$(sql "SELECT value FROM meta WHERE key = 'digest.last'")" = 2027-02-02 ] ||
	fail "digest.last: $(sql "SELECT * FROM meta")"
digest=$(last_notice secretary@fgt.test)
check_signed "$digest"
grep -q '^Subject: Daily summary for 2 February 2027' "$digest" ||
	fail "digest subject: $(grep '^Subject' "$digest")"
grep -q '^Auto-Submitted: auto-generated' "$digest" || fail "the digest is not auto-generated"
notice_text "$digest" >"$work/digest.txt"
cat "$work/digest.txt" >&2

tampered=$(sql "SELECT id FROM mails WHERE message_id = 't40-tampered@example.test'")
tampered_note=$(sql "SELECT note FROM mails WHERE id = $tampered")
failed_line() {	# failed_line TEMPLATE: the digest line of a failed notice to nobody
	local row
	row=$(sql "SELECT error || '|' || message_id FROM outbox WHERE recipient = 'nobody@example.test' AND kind = '$1'")
	printf -- '- %s application, Nobody Example: delivery failed: %s (notice %s to nobody@example.test, Message-ID <%s>)\n' \
		"$N" "${row%|*}" "$1" "${row##*|}"
}
HINT_B="request $B <what is missing...> | approve $B [category] | reject $B <reason...>"
HINT_N="request $N <what is missing...> | approve $N [category] | reject $N <reason...>"
{
	cat <<WANT
Hello,

Here is clerk's summary for FGT Test Association on 2 February 2027.

Waiting for a decision:
- $B application, Bob Example: application complete; command: $HINT_B

New cases:
- $A application, Alice Example <alice@example.test> (approved, closed)
- $B application, Bob Example <bob@example.test> (with_secretary); command: $HINT_B
- $C application, Carol Example <carol@example.test> (approved, closed)
- $N application, Nobody Example <nobody@example.test> (incomplete); command: $HINT_N
- $AD dues, Alice Example <alice@example.test> (invoiced); command: paid $AD <amount> [date]
- $AP diploma, Alice Example <alice@example.test> (studying)
- $CD dues, Carol Example <carol@example.test> (invoiced); command: paid $CD <amount> [date]
- $CP diploma, Carol Example <carol@example.test> (studying)

Unpaid dues:
- $AD dues, Alice Example owes NOK 1,875.00 (invoiced); command: paid $AD <amount> [date]
- $CD dues, Carol Example owes NOK 1,875.00 (invoiced); command: paid $CD <amount> [date]

Notices that could not be delivered:
WANT
	failed_line application_received
	failed_line application_missing
	cat <<WANT

Mail kept for you to look at:
- mail $tampered from bob@example.test, "Re: [$B] Application": $tampered_note; clerkctl quarantine show $tampered

Mail with a bad or unknown signature:
- mail $tampered from bob@example.test, "Re: [$B] Application": signature bad

Mail refused (commands, and signed forms whose signature did not count):
- command mail from the secretary (secretary@fgt.test) "unsigned": the mail is not signed with OpenPGP
WANT
	printf -- '- command mail from the secretary (secretary@fgt.test) "stranger": %s\n' \
		"$(sql "SELECT substr(detail, instr(detail, 'it is signed')) FROM events WHERE kind = 'command-refused' AND detail LIKE '%\"stranger\"%'")"
	cat <<WANT
- command mail from the secretary (secretary@fgt.test) "alice key": it is signed with key $FPR_ALICE, not with the key registered for the secretary ($FPR_SECRETARY_FGT)
- command mail from the secretary (secretary@fgt.test) "stale": it was signed 2027-01-28T09:00:00, more than 72 hours ago
- command mail from the secretary (secretary@fgt.test) "Alice": a mail with this Message-ID (<ok.t40@fgt.test>) was carried out before; a command mail counts once

Where the cases of the year stand:
- dues 2027: 2 invoiced

To act, answer this mail with one command a line, signed with your OpenPGP key; each line above ends with the command that acts on it.

clerk, for FGT Test Association
WANT
} >"$work/digest.want"
diff -u "$work/digest.want" "$work/digest.txt" >&2 || fail "the digest, line by line"
[ "$(sql "SELECT count(*) FROM digest_items WHERE sent IS NULL")" = 0 ] ||
	fail "digest items left unsent: $(sql "SELECT * FROM digest_items WHERE sent IS NULL")"
clerkctl -c "$conf" digest --now 2027-02-02T08:30 --preview >"$work/preview.txt" ||
	fail "digest --preview"
grep -q '^To: secretary <secretary@fgt.test> (en, [0-9]* lines' "$work/preview.txt" ||
	fail "preview: $(head -n 3 "$work/preview.txt")"
grep -qF -- "- $B application, Bob Example: application complete" "$work/preview.txt" ||
	fail "preview: Bob is still waiting for a decision"

# --- 5. the secretary answers the digest, clearsigned, 09:00 --------------
{
	printf 'approve %s student\n' "$B"
	printf 'paid %s 1875\n' "$AD"
	printf 'reject %s <reason...>\n' "$N"
	printf '\nOn 2 February clerk wrote:\n'
	sed 's/^/> /' "$work/digest.txt"
} >"$work/reply.txt"
digest_id=$(tr -d '\r' <"$digest" | sed -n 's/^Message-ID: <\(.*\)>$/\1/p' | head -n 1)
cmd_mail "$work/reply.eml" reply.t40@fgt.test "Tue, 02 Feb 2027 08:55:00 +0100" \
	"Re: Daily summary for 2 February 2027" clear "$SEC" "$GNUPGHOME_SECRETARY_FGT" \
	"$FPR_SECRETARY_FGT" <"$work/reply.txt"
sed -i "s/^Date: /In-Reply-To: <$digest_id>\r\nDate: /" "$work/reply.eml"
deliver secretary@fgt.test "$work/reply.eml"
run_clerkd 2027-02-02T09:00
[ "$(state_of $B)" = approved ] || fail "$B is $(state_of $B) after the reply to the digest"
[ "$(state_of $AD)" = paid ] || fail "$AD is $(state_of $AD) after paid"
[ "$(state_of $N)" = incomplete ] || fail "$N changed: $(state_of $N)"
for r in $A $C $CD; do
	[ "$(sql "SELECT count(*) FROM events WHERE case_ref = '$r' AND at = '2027-02-02T09:00:00' AND kind LIKE 'command%'")" = 0 ] ||
		fail "the reply acted on $r (a quoted line)"
done
wait_count secretary@fgt.test 11
f=$(notice_for secretary@fgt.test reply.t40@fgt.test)
check_signed "$f"
notice_text "$f" | grep '^- ' >"$work/receipt2.txt"
BD=$(ref_of dues bob@example.test)
cat >"$work/receipt2.want" <<WANT
- approve $B student: done, $B (application) is now approved (closed)
- paid $AD 1875: done, $AD (dues) is now paid (closed)
- reject $N <reason...>: not done: replace <reason...> with a value (reject <case> <reason...>)
WANT
diff -u "$work/receipt2.want" "$work/receipt2.txt" >&2 || fail "the receipt of the reply"

# The same command by mail (Bob) and by clerkctl (Carol): the same events.
events_after_command() {	# REF EMAIL: the case's events from the command on, normalised
	sql "SELECT kind || ' ' || detail FROM events WHERE case_ref = '$1' AND kind <> 'notice-sent'
		AND id >= (SELECT min(id) FROM events WHERE case_ref = '$1' AND kind = 'command')
		ORDER BY id" |
		sed -e "s/$1/REF/g" -e "s/$2/EMAIL/g" -e 's/message-id=[^ ]*/message-id=X/' \
		    -e 's/FGT-2027-[0-9]*/CASE/g'
}
events_after_command $B bob@example.test >"$work/ev.mail"
events_after_command $C carol@example.test >"$work/ev.ctl"
cat "$work/ev.mail" >&2
[ "$(wc -l <"$work/ev.mail")" -ge 4 ] || fail "too few events after the command: $(cat "$work/ev.mail")"
diff -u "$work/ev.mail" "$work/ev.ctl" >&2 || fail "clerkctl and the mail command wrote different events"

# --- 6. a week later ------------------------------------------------------
out=$(clerkctl -c "$conf" quarantine) || fail "clerkctl quarantine"
grep -q "^$tampered " <<<"$out" || fail "quarantine list: $out"
clerkctl -c "$conf" quarantine show "$tampered" | grep -qF "Subject: Re: [$B] Application" ||
	fail "quarantine show"
clerkctl -c "$conf" quarantine discard "$tampered" answered by phone >/dev/null ||
	fail "quarantine discard"
clerkctl -c "$conf" quarantine discard "$tampered" 2>/dev/null && fail "discarded twice"
[ "$(clerkctl -c "$conf" quarantine | tail -n 1)" = "0 mails in the quarantine" ] ||
	fail "still in the quarantine"
clerkctl -c "$conf" cases | grep -q "^$N " || fail "clerkctl cases lacks $N"
clerkctl -c "$conf" members | grep -q "^bob@example.test  *active" || fail "clerkctl members"
clerkctl -c "$conf" deadlines | grep -q "^2027-02-15 $N " ||
	fail "clerkctl deadlines: $(clerkctl -c "$conf" deadlines)"
clerkctl -c "$conf" outbox --failed | grep -c "nobody@example.test" | grep -qx 2 ||
	fail "clerkctl outbox --failed"

# Keys: import, pin for a member (the key must name the address), list.
out=$(clerkctl -c "$conf" key-import --now 2027-02-02T10:00 "$PUBKEY_BOB" bob@example.test) ||
	fail "key-import: $out"
[ "$out" = "imported $FPR_BOB
pinned $FPR_BOB for bob@example.test" ] || fail "key-import said: $out"
out=$(clerkctl -c "$conf" key-import "$PUBKEY_CAROL" bob@example.test 2>&1) &&
	fail "carol's key pinned for bob: $out"
grep -qF "has no user id for bob@example.test" <<<"$out" || fail "key-import: $out"
[ "$(sql "SELECT fingerprint FROM members WHERE email = 'bob@example.test'")" = "$FPR_BOB" ] ||
	fail "bob's key is not pinned"
clerkctl -c "$conf" keys >"$work/keys.txt" || fail "clerkctl keys"
grep -q "^$FPR_BOB .* pinned: member:bob@example.test$" "$work/keys.txt" || fail "keys: bob"
grep -q "^$FPR_SECRETARY_FGT .* pinned: officer:secretary$" "$work/keys.txt" ||
	fail "keys: the secretary"
grep -q "^$FPR_CLERK_FGT .*secret.* pinned: association$" "$work/keys.txt" ||
	fail "keys: the association: $(cat "$work/keys.txt")"
# Everything held about Alice.
clerkctl -c "$conf" export alice@example.test >"$work/alice.json" || fail "clerkctl export"
for want in '"person":"alice@example.test"' '"member":{"id":"' '"status":"active"' \
	"\"ref\":\"$A\"" "\"ref\":\"$AD\"" "\"ref\":\"$AP\"" \
	'"kind":"state","detail":"with_secretary -> approved (command approve)"' \
	'"message_id":"t40-alice@example.test"' '"raw":"Return-Path: ' \
	'"kind":"application_welcome"' '"name":"name","value":"Alice Example"'; do
	grep -qF -- "$want" "$work/alice.json" || fail "export lacks $want"
done
grep -qF "bob@example.test" "$work/alice.json" && fail "alice's export names bob"

run_clerkd 2027-02-09T07:00
wait_count secretary@fgt.test 12
notice_text "$(last_notice secretary@fgt.test)" >"$work/digest2.txt"
cat "$work/digest2.txt" >&2
due_b=$(sql "SELECT substr(spec, instr(spec, 'date=') + 5, 10) FROM timers t JOIN cases c ON c.id = t.case_id WHERE c.ref = '$BD' AND t.name = 'due'")
[ "$due_b" = 2027-02-16 ] || fail "Bob's dues are due $due_b"
for want in \
	"Deadlines in the next 7 days:" \
	"- $N application, Nobody Example: deadline complete 15 February 2027 (incomplete); command: $HINT_N" \
	"- $CD dues, Carol Example: deadline due 15 February 2027 (invoiced); command: paid $CD <amount> [date]" \
	"- $BD dues, Bob Example: deadline due 16 February 2027 (invoiced); command: paid $BD <amount> [date]" \
	"- $CD dues, Carol Example owes NOK 1,875.00 (invoiced); command: paid $CD <amount> [date]" \
	"- $BD dues, Bob Example owes NOK 1,875.00 (invoiced); command: paid $BD <amount> [date]"; do
	grep -qxF -- "$want" "$work/digest2.txt" || fail "the second digest lacks: $want"
done
for gone in "Waiting for a decision:" "Mail kept for you" "Mail refused (commands" "$AD dues"; do
	grep -qF -- "$gone" "$work/digest2.txt" && fail "the second digest still has: $gone"
done
echo "officer commands and the digest: ok"
