#!/bin/bash
# clerkd against the test bed: a bad configuration stops it with file:line;
# a password file others can read is refused; `--once` on an empty mailbox
# runs one cycle and exits 0, its database and GnuPG home private whatever
# the umask; a second clerkd on the same configuration refuses to run.
set -euo pipefail
. "$TESTBED_TOOLS/lib.sh"
. "$CLERK_SRCDIR/tests/integration/clerk-lib.sh"
tb_load "$1"
work=$(mktemp -d /tmp/clerk-t05.XXXXXX)
trap 'rm -rf "$work"' EXIT

conf=$(clerk_conf "$work/ok")
[ "$(tb_imap_count clerk@fgt.test INBOX)" = 0 ] || fail "clerk@fgt.test INBOX is not empty"

# An unknown key: exit non-zero, the message names file:line and the key.
mkdir -p "$work/bad"
sed 's/^poll_interval = 5$/pol_interval = 5/' "$conf" >"$work/bad/clerk.conf"
line=$(grep -n '^pol_interval' "$work/bad/clerk.conf" | cut -d: -f1)
if out=$(clerkd -c "$work/bad/clerk.conf" --once 2>&1); then
	fail "clerkd accepted an unknown key"
fi
grep -qF "$work/bad/clerk.conf:$line: unknown key 'pol_interval' in section [intake]" <<<"$out" ||
	fail "unknown key message: $out"

# A missing password file: exit non-zero with file:line.
awk -v bad="$work/nowhere" '/^password_file/ && !done { print "password_file = " bad; done = 1; next } { print }' \
	"$conf" >"$work/bad/clerk.conf"
line=$(grep -n "^password_file = $work/nowhere" "$work/bad/clerk.conf" | head -n 1 | cut -d: -f1)
if out=$(clerkd -c "$work/bad/clerk.conf" --once 2>&1); then
	fail "clerkd accepted a missing password file"
fi
grep -qF "$work/bad/clerk.conf:$line: password_file: cannot open '$work/nowhere'" <<<"$out" ||
	fail "missing password file message: $out"

# clerkctl reads the same configuration the same way.
if out=$(clerkctl -c "$work/bad/clerk.conf" check 2>&1); then
	fail "clerkctl check accepted a missing password file"
fi
grep -qF "$work/bad/clerk.conf:$line:" <<<"$out" || fail "clerkctl message: $out"

# The password never reaches a log line.
secret=$(cat "$(tb_password_file clerk@fgt.test)")

# An empty mailbox: one cycle, exit 0, the processed folders created.
out=$(clerkd -c "$conf" --once --now 2027-02-01T09:00 2>&1) || fail "clerkd --once failed: $out"
printf '%s\n' "$out" >&2
grep -q 'event=cycle now=2027-02-01T09:00:00 mails=0' <<<"$out" || fail "no cycle line: $out"
if grep -qF "$secret" <<<"$out"; then fail "the password was logged"; fi
tb_imap_count clerk@fgt.test Processed >/dev/null || fail "Processed was not created"
tb_imap_count clerk@fgt.test Quarantine >/dev/null || fail "Quarantine was not created"
out=$(clerkctl -c "$conf" check 2>&1) || fail "clerkctl check failed: $out"
grep -q 'database schema 3' <<<"$out" || fail "clerkctl check: $out"
grep -q '^commands offered: approve reject request paid extend note show;' <<<"$out" ||
	fail "clerkctl check does not list the offered commands: $out"
echo "clerkd --once on an empty mailbox: ok"

# A password file that group or others may read: refused, naming it and
# its mode (the test bed's own are 0600).
pw=$(tb_password_file clerk@fgt.test)
cp -p "$pw" "$work/open.pw"
chmod 0644 "$work/open.pw"
sed "0,/^password_file = .*/s||password_file = $work/open.pw|" "$conf" >"$work/bad/clerk.conf"
if out=$(clerkd -c "$work/bad/clerk.conf" --once 2>&1); then
	fail "clerkd accepted a world-readable password file"
fi
grep -qF "password_file: '$work/open.pw' has mode 0644: a password file must not be readable" \
	<<<"$out" || fail "readable password file message: $out"

# Created private whatever the umask: the database, its WAL, the lock and
# a GnuPG home that did not exist.
mkdir -p "$work/fresh"
sed "s|^database = .*|database = $work/fresh/clerk.db|" "$conf" >"$work/fresh/clerk.conf"
(umask 000 && clerkctl -c "$work/fresh/clerk.conf" check >/dev/null) || fail "check on a fresh database"
(umask 000 && clerkd -c "$work/fresh/clerk.conf" --once --now 2027-02-01T09:05 >/dev/null 2>&1) ||
	fail "clerkd on a fresh database"
for f in "$work/fresh/clerk.db" "$work/fresh/clerk.db.lock"; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f"), not 600"
done
for f in "$work/fresh/clerk.db-wal" "$work/fresh/clerk.db-shm"; do
	[ ! -e "$f" ] || [ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f")"
done
chmod 0644 "$work/fresh/clerk.db"
clerkctl -c "$work/fresh/clerk.conf" check >/dev/null || fail "check on a 0644 database"
[ "$(stat -c %a "$work/fresh/clerk.db")" = 600 ] || fail "a 0644 database was not narrowed"
echo "private files: ok"

# One clerkd per configuration: while one runs, a second (even --once)
# refuses, naming the first; after the first stops, the next one runs.
"$CLERK_BUILDDIR/clerkd" -c "$conf" >"$work/first.log" 2>&1 &
first=$!
for _ in $(seq 1 100); do
	grep -q 'event=intake_open' "$work/first.log" && break
	sleep 0.1
done
if out=$(clerkd -c "$conf" --once 2>&1); then
	kill "$first"
	fail "a second clerkd ran beside the first: $out"
fi
grep -qF "another clerkd (pid $first) is running on $work/ok/clerk.db" <<<"$out" || {
	kill "$first"
	fail "second clerkd said: $out"
}
kill -TERM "$first"
wait "$first" || fail "the first clerkd did not stop cleanly: $(tail -n 5 "$work/first.log")"
clerkd -c "$conf" --once --now 2027-02-01T09:10 >/dev/null 2>&1 ||
	fail "clerkd did not run after the first stopped"
echo "one clerkd per configuration: ok"
