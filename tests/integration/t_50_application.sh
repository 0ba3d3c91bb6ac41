#!/bin/bash
# An application end to end through the real Postfix and Dovecot, with the
# clock stepped by --now: acknowledgement and request for what is missing
# (signed notices, case reference, the applicant's language), a reminder
# before the deadline, completion by a reply with a scanned signed form,
# the case put before the secretary; a second applicant who never
# completes is told the case is closed after the deadline.
# testbed: fresh
set -euo pipefail
. "$TESTBED_TOOLS/lib.sh"
. "$CLERK_SRCDIR/tests/integration/clerk-lib.sh"
tb_load "$1"
work=$(mktemp -d /tmp/clerk-t50.XXXXXX)
trap 'rm -rf "$work"' EXIT
conf=$(clerk_conf "$work/clerk")
# A view of the notices as the applicant's own key ring verifies them.
mkdir -p "$work/alice-view"
sed "s|^home = .*|home = $GNUPGHOME_ALICE|; s|^database = .*|database = $work/alice-view/x.db|" \
	"$conf" >"$work/alice-view/clerk.conf"

mailfile() {	# mailfile FROM SUBJECT BODYFILE OUT [ATTACHMENT]
	local b=clerk-test-boundary
	{
		printf 'From: %s\r\nTo: clerk@fgt.test\r\nSubject: %s\r\n' "$1" "$2"
		printf 'Message-ID: <%s.%s@example.test>\r\nDate: %s\r\nMIME-Version: 1.0\r\n' \
			"$RANDOM$RANDOM" "$$" "$(date -R)"
		if [ -z "${5:-}" ]; then
			printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n'
			sed 's/$/\r/' "$3"
		else
			printf 'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n--%s\r\n' "$b" "$b"
			printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n'
			sed 's/$/\r/' "$3"
			printf '\r\n--%s\r\nContent-Type: application/pdf\r\n' "$b"
			printf 'Content-Disposition: attachment; filename="signed-form.pdf"\r\n'
			printf 'Content-Transfer-Encoding: base64\r\n\r\n'
			base64 -w 76 "$5" | sed 's/$/\r/'
			printf '\r\n--%s--\r\n' "$b"
		fi
	} >"$4"
}

deliver() {	# deliver FROM FILE: through Postfix into clerk@fgt.test, then wait
	local before
	before=$(tb_imap_count clerk@fgt.test INBOX)
	bash "$TESTBED_TOOLS/send-mail.sh" "$1" "$2" clerk@fgt.test "$3" >/dev/null
	bash "$TESTBED_TOOLS/wait-for-mail.sh" "$1" clerk@fgt.test INBOX $((before + 1)) 20 >/dev/null
}

run_clerkd() {	# run_clerkd TIME
	clerkd -c "$conf" --once --now "$1" >>"$work/clerkd.log" 2>&1 ||
		{ cat "$work/clerkd.log" >&2; fail "clerkd --once --now $1 failed"; }
}

deliver_outbox() {	# deliver_outbox USER N: wait until USER's INBOX holds N mails
	bash "$TESTBED_TOOLS/wait-for-mail.sh" "$ENVF" "$1" INBOX "$2" 30 >/dev/null ||
		fail "$1 has $(tb_imap_count "$1" INBOX) mails, expected $2"
}

# check_notice USER UID REF SUBJECT-WORD: signed by the association, good
# with the recipient's key ring, the reference in the subject
check_notice() {
	local f=$work/got-$1-$2.eml json
	tb_imap_fetch "$1" INBOX "$2" >"$f"
	grep -q "^Subject: .*\[$3\]" "$f" || grep -q "^Subject: =?" "$f" ||
		fail "notice $2 to $1 has no [$3] in its subject: $(grep -m1 '^Subject' "$f")"
	grep -qi '^Content-Type: multipart/signed' "$f" || fail "notice $2 to $1 is not PGP/MIME signed"
	grep -q '^Auto-Submitted: auto-' "$f" || fail "notice $2 to $1 has no Auto-Submitted"
	LC_ALL=C grep -q -P '[\x80-\xff]' "$f" && fail "notice $2 to $1 is not 7-bit"
	json=$(clerkctl -c "$work/alice-view/clerk.conf" inspect --json "$f")
	grep -q '"verdict":"good"' <<<"$json" || fail "notice $2 to $1: signature not good: $json"
	grep -q "\"fingerprint\":\"$FPR_CLERK_FGT\"" <<<"$json" ||
		fail "notice $2 to $1 is not signed by the association key"
	grep -q "\"subject\":\"[^\"]*\[$3\][^\"]*$4" <<<"$json" ||
		fail "notice $2 to $1: subject without [$3] ... $4: $json"
}
ENVF=$1

cat >"$work/application.txt" <<'FORM'
Skjema: søknad
Navn: Alice Ås
Kategori: student
Utdanning: Norsk Gestaltinstitutt
Jeg godtar de etiske retningslinjene: ja
FORM
mailfile "Alice Ås <alice@example.test>" "Søknad om medlemskap" "$work/application.txt" \
	"$work/a1.eml"
deliver "$ENVF" alice@example.test "$work/a1.eml"
sed 's/Alice Ås/Bob Berg/' "$work/application.txt" >"$work/bob.txt"
mailfile "Bob Berg <bob@example.test>" "Søknad" "$work/bob.txt" "$work/b1.eml"
deliver "$ENVF" bob@example.test "$work/b1.eml"

# Day 1 (Monday 1 March 2027): two cases, each acknowledged and asked for
# a signature, in Norwegian (the language of the form).
run_clerkd 2027-03-01T09:00
refs=$(sqlite3 "$work/clerk/clerk.db" "SELECT ref || ' ' || email FROM cases ORDER BY id")
alice_ref=$(awk '$2 == "alice@example.test" { print $1 }' <<<"$refs")
bob_ref=$(awk '$2 == "bob@example.test" { print $1 }' <<<"$refs")
[ "$alice_ref" = FGT-2027-0001 ] && [ "$bob_ref" = FGT-2027-0002 ] || fail "cases: $refs"
deliver_outbox alice@example.test 2
deliver_outbox bob@example.test 2
mapfile -t uids < <(tb_imap_uids alice@example.test INBOX)
check_notice alice@example.test "${uids[0]}" "$alice_ref" ""
check_notice alice@example.test "${uids[1]}" "$alice_ref" ""
grep -q "to=incomplete" "$work/clerkd.log" || fail "no move to incomplete"
# The request names the deadline in Norwegian: 15 March 2027, 14 days on.
tr -d '\r' <"$work/got-alice@example.test-${uids[1]}.eml" | sed -e ':a' -e '/=$/{N;s/=\n//;ba}' |
	grep -q '15\. mars 2027' || fail "the request does not name the deadline 15. mars 2027"

# 12 March: the reminder, 3 days before the deadline.
run_clerkd 2027-03-12T09:00
deliver_outbox alice@example.test 3
deliver_outbox bob@example.test 3

# 13 March: Alice replies with the scanned signed form; the case is
# complete and goes to the secretary.
printf '%%PDF-1.4\n%% scanned signed membership form\n' >"$work/scan.pdf"
printf 'Her er det signerte skjemaet.\n' >"$work/reply.txt"
mailfile "Alice Ås <alice@example.test>" "Re: [$alice_ref] Søknad" "$work/reply.txt" \
	"$work/a2.eml" "$work/scan.pdf"
deliver "$ENVF" alice@example.test "$work/a2.eml"
run_clerkd 2027-03-13T09:00
deliver_outbox secretary@fgt.test 1
mapfile -t suids < <(tb_imap_uids secretary@fgt.test INBOX)
check_notice secretary@fgt.test "${suids[0]}" "$alice_ref" ""
state=$(sqlite3 "$work/clerk/clerk.db" "SELECT state FROM cases WHERE ref = '$alice_ref'")
[ "$state" = with_secretary ] || fail "$alice_ref is $state, not with_secretary"

# 16 March: Bob's deadline (15 March) has passed; his case closes and he
# is told so. Alice's case is not touched by his timer.
run_clerkd 2027-03-16T09:00
deliver_outbox bob@example.test 4
state=$(sqlite3 "$work/clerk/clerk.db" "SELECT state FROM cases WHERE ref = '$bob_ref'")
[ "$state" = lapsed ] || fail "$bob_ref is $state, not lapsed"
[ "$(tb_imap_count alice@example.test INBOX)" = 3 ] || fail "alice got a notice she should not"

# The history: every move from -> to, in order.
hist=$(clerkctl -c "$conf" show "$alice_ref")
printf '%s\n' "$hist" >&2
for move in "(new) -> received" "received -> checking" "checking -> incomplete" \
	"incomplete -> checking" "checking -> with_secretary"; do
	grep -qF "$move" <<<"$hist" || fail "history of $alice_ref lacks '$move'"
done
# Nothing was left in the INBOX; both replies were taken, none quarantined.
[ "$(tb_imap_count clerk@fgt.test INBOX)" = 0 ] || fail "INBOX not empty"
[ "$(tb_imap_count clerk@fgt.test Quarantine)" = 0 ] || fail "a mail was quarantined"
echo "application: acknowledged, asked, reminded, completed, closed: ok"
