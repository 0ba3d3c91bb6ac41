#!/usr/bin/env bash
# clerk's main job on a local demo: installs what is missing, builds,
# starts the test bed (a real Dovecot and Postfix on loopback, throwaway
# OpenPGP keys), and lets clerkd work through an applicant's mails while
# the clock steps over the days of the application's deadline. At the end
# it prints the case's history, the notices sent with their signature
# check, and where everything is. Stops the test bed on exit.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
say() { printf '\n== %s\n' "$*"; }

say "dependencies"
bash tests/install-deps.sh
say "build (build/demo)"
autoreconf -fi >/dev/null
mkdir -p build/demo
(cd build/demo && { [ -f Makefile ] || "$top/configure" -q; } && make -s -j"$(nproc)")
export CLERK_BUILDDIR=$top/build/demo CLERK_SRCDIR=$top TESTBED_TOOLS=$top/tests/testbed

say "test bed"
bed=$(TESTBED_OWNER_PID=$$ bash tests/testbed/testbed.sh start | tail -n 1)
trap 'bash "$top/tests/testbed/testbed.sh" stop "$bed" >/dev/null 2>&1 || true' EXIT
# shellcheck source=tests/testbed/lib.sh
. tests/testbed/lib.sh
# shellcheck source=tests/integration/clerk-lib.sh
. tests/integration/clerk-lib.sh
tb_load "$bed/env"
work=$bed/demo
conf=$(clerk_conf "$work")
echo "test bed in $bed; clerk configuration $conf"

send_from() {	# send_from ADDRESS FILE: deliver FILE to clerk@fgt.test through Postfix
	bash tests/testbed/send-mail.sh "$bed/env" "$1" "clerk@fgt.test" "$2" >/dev/null
}

mail_form() {	# mail_form FROM SUBJECT BODY-FILE OUT: an unsigned mail with the body
	{
		printf 'From: %s\r\nTo: clerk@fgt.test\r\nSubject: %s\r\n' "$1" "$2"
		printf 'Message-ID: <%s.%s@example.test>\r\nDate: %s\r\n' "$RANDOM" "$$" \
			"$(date -R)"
		printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
		sed 's/$/\r/' "$3"
	} >"$4"
}

say "day 1: Alice applies as a student, without a signature"
cat >"$work/application.txt" <<'FORM'
Skjema: søknad
Navn: Alice Ås
Kategori: student
Utdanning: Norsk Gestaltinstitutt
Jeg godtar de etiske retningslinjene: ja
FORM
mail_form "Alice Ås <alice@example.test>" "Søknad om medlemskap" "$work/application.txt" \
	"$work/application.eml"
send_from alice@example.test "$work/application.eml"
bash tests/testbed/wait-for-mail.sh "$bed/env" clerk@fgt.test INBOX 1 120 >/dev/null ||
	{ echo "demo: the mail did not reach clerk@fgt.test" >&2; exit 1; }
clerkd -c "$conf" --once --now 2027-03-01T09:00 2>&1 | grep -E 'event=(cycle|state|case-opened|mail-applied)'

for day in 02 05 10 12 14 16; do
	say "2027-03-$day"
	clerkd -c "$conf" --once --now "2027-03-${day}T09:00" 2>&1 |
		grep -E 'event=(cycle|state|notice)' || true
done

say "the case"
ref=$(sqlite3 "$work/clerk.db" "SELECT ref FROM cases ORDER BY id LIMIT 1")
clerkctl -c "$conf" show "$ref"

say "notices sent (outbox), and how they arrived at Alice (signature checked by clerkctl inspect)"
sqlite3 -separator '  ' "$work/clerk.db" \
	"SELECT id, kind, recipient, CASE state WHEN 0 THEN 'queued' WHEN 1 THEN 'sent' WHEN 2 THEN 'failed' ELSE 'held' END, reply FROM outbox ORDER BY id"
n=$(tb_imap_count alice@example.test INBOX)
echo "alice@example.test has $n mails in her INBOX"
for uid in $(tb_imap_uids alice@example.test INBOX); do
	tb_imap_fetch alice@example.test INBOX "$uid" >"$work/notice-$uid.eml"
	json=$(clerkctl -c "$conf" inspect --json "$work/notice-$uid.eml")
	subject=$(sed -n 's/.*"subject":"\([^"]*\)".*/\1/p' <<<"$json")
	verdict=$(sed -n 's/.*"verdict":"\([a-z-]*\)".*/\1/p' <<<"$json")
	echo "  uid $uid: \"$subject\": signature $verdict"
done
say "done: the test bed stops now"
