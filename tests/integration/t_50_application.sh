#!/bin/bash
# An application end to end through the real Postfix and Dovecot, with the
# clock stepped by --now: acknowledgement and request for what is missing
# (signed notices, case reference, the applicant's language), a reminder
# before the deadline, completion by a reply with a scanned signed form,
# the case put before the secretary; a second applicant who never
# completes is told the case is closed after the deadline. Every notice is
# checked as scenario-lib.sh describes.
# testbed: fresh
set -euo pipefail
. "$TESTBED_TOOLS/lib.sh"
. "$CLERK_SRCDIR/tests/integration/clerk-lib.sh"
. "$CLERK_SRCDIR/tests/integration/scenario-lib.sh"
tb_load "$1"
work=$(mktemp -d /tmp/clerk-t50.XXXXXX)
trap 'rm -rf "$work"' EXIT
sc_begin "$work" fgt

cat >"$work/application.txt" <<'FORM'
Skjema: søknad
Navn: Alice Ås
Kategori: student
Utdanning: Norsk Gestaltinstitutt
Jeg godtar de etiske retningslinjene: ja
FORM
sc_mail "$work/a1.eml" "Alice Ås <alice@example.test>" "Søknad om medlemskap" \
	2027-03-01T08:30 "$work/application.txt"
sc_deliver alice@example.test "$work/a1.eml"
sed 's/Alice Ås/Bob Berg/' "$work/application.txt" >"$work/bob.txt"
sc_mail "$work/b1.eml" "Bob Berg <bob@example.test>" "Søknad" 2027-03-01T08:40 "$work/bob.txt"
sc_deliver bob@example.test "$work/b1.eml"

# Day 1 (Monday 1 March 2027): two cases, each acknowledged and asked for
# a signature, in Norwegian (the language of the form).
sc_run 2027-03-01T09:00
alice_ref=$(sc_ref application alice@example.test)
bob_ref=$(sc_ref application bob@example.test)
[ "$alice_ref" = FGT-2027-0001 ] && [ "$bob_ref" = FGT-2027-0002 ] ||
	fail "cases: $alice_ref $bob_ref"
sc_expect "application_received alice@example.test nb" "application_missing alice@example.test nb" \
	"application_received bob@example.test nb" "application_missing bob@example.test nb"
[ "$(sc_state "$alice_ref")" = incomplete ] || fail "$alice_ref is $(sc_state "$alice_ref")"
# The request names the deadline in Norwegian: 15 March 2027, 14 days on.
sc_grep application_missing/alice@example.test "[$alice_ref]" "Alice Ås" "15. mars 2027"

# 12 March: the reminder, 3 days before the deadline.
sc_run 2027-03-12T09:00
sc_expect "application_reminder alice@example.test nb" "application_reminder bob@example.test nb"
sc_grep application_reminder/bob@example.test "[$bob_ref]" "15. mars 2027"

# 13 March: Alice replies with the scanned signed form; the case is
# complete and goes to the secretary.
printf '%%PDF-1.4\n%% scanned signed membership form\n' >"$work/scan.pdf"
printf 'Her er det signerte skjemaet.\n' >"$work/reply.txt"
sc_mail "$work/a2.eml" "Alice Ås <alice@example.test>" "Re: [$alice_ref] Søknad" \
	2027-03-13T08:00 "$work/reply.txt" "$work/scan.pdf"
sc_deliver alice@example.test "$work/a2.eml"
sc_run 2027-03-13T09:00
sc_expect "application_to_secretary secretary@fgt.test en"
sc_grep application_to_secretary "approve $alice_ref" "Alice Ås"
[ "$(sc_state "$alice_ref")" = with_secretary ] || fail "$alice_ref is $(sc_state "$alice_ref")"

# 16 March: Bob's deadline (15 March) has passed; his case closes and he
# is told so. Alice's case is not touched by his timer.
sc_run 2027-03-16T09:00
sc_expect "application_closed bob@example.test nb"
sc_grep application_closed "[$bob_ref]"
[ "$(sc_state "$bob_ref")" = lapsed ] || fail "$bob_ref is $(sc_state "$bob_ref")"

# The history: every move from -> to, in order.
hist=$(clerkctl -c "$SC_CONF" show "$alice_ref")
printf '%s\n' "$hist" >&2
for move in "(new) -> received" "received -> checking" "checking -> incomplete" \
	"incomplete -> checking" "checking -> with_secretary"; do
	grep -qF "$move" <<<"$hist" || fail "history of $alice_ref lacks '$move'"
done
# Nothing was left in the INBOX; both replies were taken, none quarantined.
[ "$(tb_imap_count clerk@fgt.test INBOX)" = 0 ] || fail "INBOX not empty"
[ "$(tb_imap_count clerk@fgt.test Quarantine)" = 0 ] || fail "a mail was quarantined"
echo "application: acknowledged, asked, reminded, completed, closed: ok"
