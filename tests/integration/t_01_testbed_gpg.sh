#!/bin/bash
# t_01_testbed_gpg.sh ENVFILE: the test bed's GnuPG homes are set up as the
# tests expect.
#  - alice's detached signature verifies as good in the association home,
#    with alice's fingerprint; a changed text gives BADSIG;
#  - dave (applicant) and stranger are unknown there: NO_PUBKEY;
#  - a file encrypted to FPR_CLERK_FGT in alice's home decrypts in the
#    association home; the association key signs and alice verifies it;
#  - the homes hold exactly the keys documented in testbed.sh.
set -euo pipefail
tb=${CLERK_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/testbed
# shellcheck source-path=SCRIPTDIR source=../testbed/lib.sh
. "$tb/lib.sh"
tb_load "$1"

fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d /tmp/clerk-t01.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
g() { local h=$1; shift; gpg --homedir "$h" --batch --no-tty --quiet "$@"; }

printf 'Application for membership\r\nName: Alice Example\r\n' >"$tmp/text"

# VALIDSIG's first field is the signing key, the last the primary key
validsig_fpr() { awk '$1 == "[GNUPG:]" && $2 == "VALIDSIG" { print $NF }' "$1"; }

# 1. alice signs, the association verifies
g "$GNUPGHOME_ALICE" --armor --detach-sign -u "$FPR_ALICE" -o "$tmp/text.asc" "$tmp/text" ||
    fail "alice cannot sign"
g "$GNUPGHOME_CLERK" --status-fd 3 --verify "$tmp/text.asc" "$tmp/text" \
    3>"$tmp/st" 2>"$tmp/err" || fail "verify in association home: $(cat "$tmp/err")"
grep -q '^\[GNUPG:\] GOODSIG ' "$tmp/st" || fail "no GOODSIG: $(cat "$tmp/st")"
[ "$(validsig_fpr "$tmp/st")" = "$FPR_ALICE" ] ||
    fail "signed by $(validsig_fpr "$tmp/st"), want $FPR_ALICE"

printf 'Application for membership\r\nName: Mallory\r\n' >"$tmp/changed"
rc=0; g "$GNUPGHOME_CLERK" --status-fd 3 --verify "$tmp/text.asc" "$tmp/changed" \
    3>"$tmp/st" 2>/dev/null || rc=$?
if [ "$rc" -eq 0 ] || ! grep -q '^\[GNUPG:\] BADSIG ' "$tmp/st"; then
	fail "changed text not reported as BADSIG"
fi

# 2. keys the association must not know
for who in DAVE STRANGER; do
	home=GNUPGHOME_$who fpr=FPR_$who
	g "${!home}" --armor --detach-sign -u "${!fpr}" -o "$tmp/$who.asc" "$tmp/text" ||
	    fail "$who cannot sign"
	rc=0; g "$GNUPGHOME_CLERK" --status-fd 3 --verify "$tmp/$who.asc" "$tmp/text" \
	    3>"$tmp/st" 2>/dev/null || rc=$?
	if [ "$rc" -eq 0 ] || ! grep -q '^\[GNUPG:\] NO_PUBKEY ' "$tmp/st"; then
		fail "$who's key should be unknown to the association"
	fi
done

# 3. encryption to the association, signature by the association
g "$GNUPGHOME_ALICE" --trust-model always --encrypt -r "$FPR_CLERK_FGT" \
    -o "$tmp/text.gpg" "$tmp/text" || fail "alice cannot encrypt to FGT"
g "$GNUPGHOME_CLERK" --status-fd 3 --decrypt -o "$tmp/plain" "$tmp/text.gpg" \
    3>"$tmp/st" 2>"$tmp/err" || fail "association cannot decrypt: $(cat "$tmp/err")"
grep -q '^\[GNUPG:\] DECRYPTION_OKAY' "$tmp/st" || fail "no DECRYPTION_OKAY"
cmp -s "$tmp/plain" "$tmp/text" || fail "decrypted text differs"

for a in FGT ASRT NTP; do
	fpr=FPR_CLERK_$a
	g "$GNUPGHOME_CLERK" --armor --detach-sign -u "${!fpr}" -o "$tmp/$a.asc" "$tmp/text" ||
	    fail "association $a cannot sign"
	g "$GNUPGHOME_ALICE" --status-fd 3 --verify "$tmp/$a.asc" "$tmp/text" \
	    3>"$tmp/st" 2>/dev/null || fail "alice cannot verify $a"
	[ "$(validsig_fpr "$tmp/st")" = "${!fpr}" ] || fail "$a signature has the wrong key"
done

# 4. which keys live where
sorted() { tr ' ' '\n' | sed '/^$/d' | sort; }
# primary fingerprints: the fpr record right after a pub or sec record
keys_in() {
	g "$1" --with-colons "$2" | awk -F: '
	    $1 == "fpr" && primary { print $10 }
	    { primary = ($1 == "pub" || $1 == "sec") }' | sort -u
}
want_secret=$(echo "$FPR_CLERK_FGT $FPR_CLERK_ASRT $FPR_CLERK_NTP" | sorted)
[ "$(keys_in "$GNUPGHOME_CLERK" --list-secret-keys)" = "$want_secret" ] ||
    fail "association home: wrong secret keys"
want_public=$want_secret
for n in $TESTBED_NAMES; do
	case "$n" in CLERK_*|DAVE|STRANGER) continue ;; esac
	fpr=FPR_$n
	want_public="$want_public ${!fpr}"
done
[ "$(keys_in "$GNUPGHOME_CLERK" --list-keys)" = "$(echo "$want_public" | sorted)" ] ||
    fail "association home: wrong public keys"
for n in $TESTBED_NAMES; do
	case "$n" in CLERK_*) continue ;; esac
	home=GNUPGHOME_$n fpr=FPR_$n
	[ "$(keys_in "${!home}" --list-secret-keys)" = "${!fpr}" ] ||
	    fail "$n: wrong secret keys"
	[ "$(keys_in "${!home}" --list-keys)" = "$(echo "${!fpr} $want_secret" | sorted)" ] ||
	    fail "$n: wrong public keys"
	# a cv25519 encryption subkey, no passphrase
	g "${!home}" --with-colons --list-keys "${!fpr}" |
	    awk -F: '$1 == "sub" && $4 == 18 && $12 ~ /e/ { ok = 1 } END { exit !ok }' ||
	    fail "$n: no cv25519 encryption subkey"
done
echo "GnuPG homes ok" >&2
