#!/bin/bash
# send-mail.sh ENVFILE FROM TO FILE
# Inject the raw RFC 5322 message FILE through the test bed's MX port (plain
# SMTP, no AUTH), as if it came from the internet.  TO may list several
# recipients separated by commas.  Prints the Postfix queue id on success;
# on failure prints curl's reason (e.g. "RCPT failed: 550") on stderr and
# exits with curl's code (55 for a refused recipient).
#
# Give CRLF files: curl dot-stuffs CRLF input and sends its bytes unchanged,
# which signed mail needs.  An LF-only file is converted to CRLF first (a file
# with any CR is sent as it is).
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 ENVFILE FROM TO FILE" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
tb_load "$1"
from=$2 to=$3 file=$4
[ -r "$file" ] || { echo "send-mail: cannot read $file" >&2; exit 2; }

tmp=$(mktemp -d /tmp/clerk-send.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
tb_to_crlf "$file" "$tmp/mail"

rcpts=()
IFS=, read -r -a list <<<"$to"
for r in "${list[@]}"; do
	rcpts+=(--mail-rcpt "$r")
done

rc=0
curl -sS -v --max-time 60 "smtp://$TESTBED_HOST:$MX_PORT" \
    --mail-from "$from" "${rcpts[@]}" --upload-file "$tmp/mail" \
    2>"$tmp/trace" >/dev/null || rc=$?
if [ "$rc" -ne 0 ]; then
	grep -E '^(curl:|< [45][0-9][0-9])' "$tmp/trace" >&2 || cat "$tmp/trace" >&2
	exit "$rc"
fi
sed -n 's/^< 250 .*queued as \([0-9A-Za-z]*\).*/\1/p' "$tmp/trace" | tr -d '\r'
