#!/bin/bash
# imap-count.sh ENVFILE USER MAILBOX
# Print how many messages MAILBOX of USER holds (IMAPS, CA verified).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 ENVFILE USER MAILBOX" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
tb_load "$1"
tb_imap_count "$2" "$3"
