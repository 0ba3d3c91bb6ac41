#!/bin/bash
# wait-for-mail.sh ENVFILE USER MAILBOX N TIMEOUT
# Poll until MAILBOX of USER holds at least N messages (a missing mailbox
# counts as empty).  Exit 0 when it does, 1 after TIMEOUT seconds; prints the
# last count seen.
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 ENVFILE USER MAILBOX N TIMEOUT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
tb_load "$1"
user=$2 mailbox=$3 want=$4 timeout=$5
deadline=$(( $(date +%s) + timeout ))
while :; do
	n=$(tb_imap_count "$user" "$mailbox" 2>/dev/null) || n=0
	if [ "$n" -ge "$want" ]; then
		echo "$n"
		exit 0
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		echo "$n"
		echo "wait-for-mail: $user $mailbox has $n of $want messages after ${timeout}s" >&2
		exit 1
	fi
	sleep 0.2
done
