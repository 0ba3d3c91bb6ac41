#!/bin/bash
# clerkd against the test bed: a bad configuration stops it with file:line;
# `--once` on an empty mailbox runs one cycle and exits 0.
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
grep -q 'database schema 2' <<<"$out" || fail "clerkctl check: $out"
echo "clerkd --once on an empty mailbox: ok"
