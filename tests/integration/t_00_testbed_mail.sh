#!/bin/bash
# t_00_testbed_mail.sh ENVFILE: the test bed's mail paths work.
#  - a mail injected on MX_PORT reaches alice's INBOX over LMTP, and IMAPS
#    (CA verified) returns it with the sent bytes unchanged (dot lines too);
#  - submission on SMTP_PORT with STARTTLS + AUTH as clerk@fgt.test delivers,
#    and refuses a wrong password and AUTH without TLS;
#  - plain IMAP with STARTTLS works on IMAP_PORT, IDLE and MOVE are offered;
#  - an unknown recipient at a test domain is refused with 550 at RCPT.
set -euo pipefail
tb=${CLERK_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/testbed
# shellcheck source-path=SCRIPTDIR source=../testbed/lib.sh
. "$tb/lib.sh"
tb_load "$1"

fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d /tmp/clerk-t00.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
tag="t00-$$-$RANDOM"

# 1. MX injection, byte for byte
printf '%s\r\n' "From: Bob Example <bob@example.test>" \
    "To: Alice Example <alice@example.test>" \
    "Subject: $tag mx" "Message-ID: <$tag.mx@example.test>" \
    "Date: Mon, 23 Nov 2026 10:00:00 +0000" "MIME-Version: 1.0" \
    "Content-Type: text/plain; charset=us-ascii" "" \
    "first line" "." ".leading dot" "last line" >"$tmp/mx.eml"
before=$(tb_imap_count alice@example.test INBOX) || fail "IMAPS STATUS as alice"
qid=$(bash "$tb/send-mail.sh" "$1" bob@example.test alice@example.test "$tmp/mx.eml") ||
    fail "MX injection refused"
[ -n "$qid" ] || fail "no queue id from Postfix"
bash "$tb/wait-for-mail.sh" "$1" alice@example.test INBOX $((before + 1)) 20 >/dev/null ||
    fail "mail $qid did not reach alice's INBOX"
uid=$(tb_imap_uids alice@example.test INBOX | tail -n 1)
tb_imap_fetch alice@example.test INBOX "$uid" >"$tmp/got.eml" || fail "fetch UID $uid"
size=$(stat -c %s "$tmp/mx.eml")
tail -c "$size" "$tmp/got.eml" | cmp -s - "$tmp/mx.eml" ||
    fail "delivered mail does not end with the sent bytes"
grep -q "^Delivered-To: alice@example.test" "$tmp/got.eml" || fail "no Delivered-To"
echo "mx: $qid delivered as UID $uid" >&2

# 2. submission: STARTTLS required, AUTH through Dovecot
pw=$(cat "$SMTP_PASSWORD_FILE")
printf '%s\r\n' "From: FGT Clerk <clerk@fgt.test>" "To: bob@example.test" \
    "Subject: $tag submission" "Message-ID: <$tag.sub@fgt.test>" "" "hello" >"$tmp/sub.eml"
submit() {
	printf 'user = "%s"\n' "$1" | curl -sS --max-time 30 -K - "${@:2}" \
	    "smtp://$TESTBED_HOST:$SMTP_PORT" --mail-from clerk@fgt.test \
	    --mail-rcpt bob@example.test --upload-file "$tmp/sub.eml"
}
before=$(tb_imap_count bob@example.test INBOX) || fail "IMAPS STATUS as bob"
submit "$SMTP_USER:$pw" --ssl-reqd --cacert "$CA_FILE" 2>"$tmp/err" ||
    fail "authenticated submission failed: $(cat "$tmp/err")"
bash "$tb/wait-for-mail.sh" "$1" bob@example.test INBOX $((before + 1)) 20 >/dev/null ||
    fail "submitted mail did not reach bob's INBOX"
uid=$(tb_imap_uids bob@example.test INBOX | tail -n 1)
tb_imap_fetch bob@example.test INBOX "$uid" | grep -q "^Subject: $tag submission" ||
    fail "bob's newest mail is not the submitted one"

rc=0; submit "$SMTP_USER:wrong$pw" --ssl-reqd --cacert "$CA_FILE" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 67 ] || fail "wrong password: curl exit $rc, want 67 (login denied)"
rc=0; submit "$SMTP_USER:$pw" 2>"$tmp/err" || rc=$?
[ "$rc" -ne 0 ] || fail "submission without TLS was accepted"
grep -q 530 "$tmp/err" || fail "submission without TLS: $(cat "$tmp/err"), want 530"
# the certificate is for 127.0.0.1 and localhost only: a wrong name fails
rc=0; printf 'user = "%s:%s"\n' "$SMTP_USER" "$pw" | curl -sS --max-time 30 -K - \
    --ssl-reqd --cacert "$CA_FILE" --resolve "wrongname.test:$SMTP_PORT:127.0.0.1" \
    "smtp://wrongname.test:$SMTP_PORT" --mail-from clerk@fgt.test \
    --mail-rcpt bob@example.test --upload-file "$tmp/sub.eml" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 60 ] || fail "certificate accepted for a wrong host name (curl exit $rc)"

# 3. IMAP on the plain port with STARTTLS; capabilities the daemon relies on
caps=$(printf 'user = "alice@example.test:%s"\n' "$(cat "$PASSWORD_FILE_ALICE")" |
    curl -sS --max-time 30 -K - --ssl-reqd --cacert "$CA_FILE" \
    "imap://localhost:$IMAP_PORT/" -X CAPABILITY) || fail "IMAP STARTTLS login"
for c in IDLE MOVE UIDPLUS; do
	case " $(printf '%s' "$caps" | tr -d '\r') " in
	*" $c "*) ;;
	*) fail "IMAP capability $c missing: $caps" ;;
	esac
done

# 4. unknown recipient at a test domain: 550 at RCPT time
rc=0; bash "$tb/send-mail.sh" "$1" bob@example.test nobody@fgt.test "$tmp/mx.eml" \
    >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" -eq 55 ] || fail "nobody@fgt.test: curl exit $rc, want 55"
grep -q 'RCPT failed: 550' "$tmp/err" || fail "nobody@fgt.test: $(cat "$tmp/err"), want 550"
grep -q 'NOQUEUE: reject: RCPT .* 550 5.1.1 <nobody@fgt.test>' "$POSTFIX_LOG" ||
    fail "Postfix log shows no 550 for nobody@fgt.test"
echo "all mail paths ok" >&2
