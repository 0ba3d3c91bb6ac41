#!/bin/bash
# imap-uids.sh ENVFILE USER MAILBOX
# Print the UIDs in MAILBOX, one per line, ascending.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 ENVFILE USER MAILBOX" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
tb_load "$1"
tb_imap_uids "$2" "$3"
