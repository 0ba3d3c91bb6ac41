# shellcheck shell=bash
# lib.sh: functions for scripts that talk to a running test bed.
# Source it, then `tb_load ENVFILE` (DIR/env written by testbed.sh start).
# Everything goes through the curl command line with --cacert $CA_FILE, so
# certificate and host-name checks stay on.  Passwords reach curl on stdin
# (-K -), never on its command line.
#
#   tb_load ENVFILE                  export the test bed's variables
#   tb_password_file USER            DIR/passwords/USER (fails for unknown USER)
#   tb_urlenc STRING                 percent-encode a mailbox name for a URL
#   tb_imap USER PATH [CURLARGS...]  curl imaps://host:IMAPS_PORT/PATH as USER
#   tb_imap_count USER MAILBOX       print the number of messages
#   tb_imap_uids USER MAILBOX        print the UIDs, one per line, ascending
#   tb_imap_fetch USER MAILBOX UID   print the raw message (exact bytes)
#   tb_to_crlf IN OUT                LF-only IN -> CRLF OUT; others copied as is

tb_load() {
	[ -r "${1:-}" ] || { printf 'tb_load: cannot read env file %s\n' "${1:-}" >&2; return 1; }
	set -a
	# shellcheck disable=SC1090 # the path is the test bed's, given at run time
	. "$1"
	set +a
}

tb_password_file() {
	local f=$TESTBED_DIR/passwords/$1
	[ -r "$f" ] || { printf 'tb: no such test bed user: %s\n' "$1" >&2; return 1; }
	printf '%s\n' "$f"
}

tb_urlenc() {
	local s=$1 out="" c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case "$c" in
		[A-Za-z0-9._~-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s\n' "$out"
}

# curl's -K reads `user = "name:password"` from stdin
tb_imap() {
	local user=$1 path=$2 pwf
	shift 2
	pwf=$(tb_password_file "$user") || return 1
	printf 'user = "%s:%s"\n' "$user" "$(cat "$pwf")" |
	    curl -sS --max-time 30 --cacert "$CA_FILE" -K - \
	    "imaps://$TESTBED_HOST:$IMAPS_PORT/$path" "$@"
}

tb_imap_count() {
	local out n
	out=$(tb_imap "$1" "" -X "STATUS \"$2\" (MESSAGES)") || return 1
	n=$(printf '%s\n' "$out" | sed -n 's/.*(MESSAGES \([0-9]*\)).*/\1/p' | head -n 1)
	[ -n "$n" ] || { printf 'tb_imap_count: unexpected answer: %s\n' "$out" >&2; return 1; }
	printf '%s\n' "$n"
}

tb_imap_uids() {
	local out
	out=$(tb_imap "$1" "$(tb_urlenc "$2")" -X "UID SEARCH ALL") || return 1
	printf '%s\n' "$out" | tr -d '\r' | sed -n 's/^\* SEARCH//p' |
	    tr ' ' '\n' | sed '/^$/d' | sort -n
}

tb_imap_fetch() {
	tb_imap "$1" "$(tb_urlenc "$2")/;UID=$3"
}

tb_to_crlf() {
	if grep -q "$(printf '\r')" "$1"; then
		cat "$1" >"$2"
	else
		sed 's/$/\r/' "$1" >"$2"
	fi
}
