#!/bin/bash
# imap-fetch.sh ENVFILE USER MAILBOX UID
# Write the raw message UID of MAILBOX to stdout, byte for byte (sets \Seen).
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 ENVFILE USER MAILBOX UID" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
tb_load "$1"
tb_imap_fetch "$2" "$3" "$4"
