#!/bin/bash
# testbed.sh: a throwaway mail system for clerk's integration tests.
#
#   testbed.sh start          start Dovecot, Postfix and GnuPG homes in a new
#                             state dir; print the dir as the last stdout line
#   testbed.sh stop DIR       stop everything of DIR and remove it
#   testbed.sh install-deps   apt-get install what the test bed needs (Debian 12)
#
# Runs as root (Dovecot and Postfix need it), without systemd or syslog.
# Everything lives in DIR=/tmp/clerk-testbed.XXXXXX and listens on 127.0.0.1
# on free ports picked at run time, so runs never collide.  `start` first
# stops and removes earlier test beds whose owner process is gone; the owner
# is $TESTBED_OWNER_PID if set, else the process that called `start`.
# TESTBED_KEEP_FAILED=1 keeps the dir of a failed start for inspection.
#
# DIR/env holds shell-sourceable KEY='value' lines:
#   TESTBED_DIR TESTBED_HOST TESTBED_DOMAINS TESTBED_USERS TESTBED_NAMES
#   IMAP_PORT (plain + STARTTLS) IMAPS_PORT LMTP_PORT
#   SMTP_PORT (submission: STARTTLS required, AUTH via Dovecot)
#   MX_PORT   (plain SMTP, no AUTH, only for the test domains)
#   CA_FILE   (the test CA; the server cert is for 127.0.0.1 and localhost)
#   IMAP_USER IMAP_PASSWORD_FILE SMTP_USER SMTP_PASSWORD_FILE (clerk@fgt.test)
#   GNUPGHOME_CLERK FPR_CLERK_FGT FPR_CLERK_ASRT FPR_CLERK_NTP
#   DOVECOT_CONF DOVECOT_LOG POSTFIX_CONFIG_DIR POSTFIX_LOG
# and for every mailbox NAME in TESTBED_NAMES:
#   ADDR_<NAME>           its address
#   PASSWORD_FILE_<NAME>  DIR/passwords/<address> (no trailing newline)
#   GNUPGHOME_<NAME>      its GnuPG home (all CLERK_* share GNUPGHOME_CLERK)
#   FPR_<NAME>            fingerprint of its primary key (ed25519, signs;
#                         a cv25519 subkey encrypts; no passphrase)
#   PUBKEY_<NAME>         its armored public key, DIR/keys/<NAME>.asc
#   MAILDIR_<NAME>        its Maildir (INBOX; folder F is MAILDIR/.F), owned
#                         by the user `mail`: read it as root
# NAME is the upper-case local part, plus _<DOMAIN> for the association
# domains:  CLERK_FGT CLERK_ASRT CLERK_NTP SECRETARY_FGT TREASURER_FGT
# FEU_FGT (ethics committee chair) CHAIR_FGT (board chair) ALICE BOB CAROL
# DAVE STRANGER (members and applicants at example.test).
#
# Keys: GNUPGHOME_CLERK holds the three association secret keys and the public
# keys of every person except DAVE (an applicant whose key comes by mail) and
# STRANGER.  Every person's own home holds its secret key and the three
# association public keys.  Nothing is certified: validity stays "unknown".
#
# Mail: Maildir under DIR/mail, hierarchy separator "/".  Mail to unknown
# users at the test domains is refused with 550 at RCPT time; the submission
# port bounces mail to other domains (there is no outside world here).
set -euo pipefail
umask 022

readonly PREFIX=/tmp/clerk-testbed.
readonly LOCK=/tmp/.clerk-testbed.lock
readonly SYS_MAINCF=/etc/postfix/main.cf
readonly HOST=127.0.0.1
readonly DOMAINS="fgt.test asrt.test ntp.test example.test"
# NAME:address:real name
readonly MAILBOXES=(
	"CLERK_FGT:clerk@fgt.test:FGT Clerk"
	"CLERK_ASRT:clerk@asrt.test:ASRT Clerk"
	"CLERK_NTP:clerk@ntp.test:NTP Clerk"
	"SECRETARY_FGT:secretary@fgt.test:FGT Secretary"
	"TREASURER_FGT:treasurer@fgt.test:FGT Treasurer"
	"FEU_FGT:feu@fgt.test:FGT Ethics Committee Chair"
	"CHAIR_FGT:chair@fgt.test:FGT Board Chair"
	"ALICE:alice@example.test:Alice Example"
	"BOB:bob@example.test:Bob Example"
	"CAROL:carol@example.test:Carol Example"
	"DAVE:dave@example.test:Dave Example"
	"STRANGER:stranger@example.test:Stranger Example"
)
# persons whose public keys the association does not know
readonly UNKNOWN_TO_CLERK="DAVE STRANGER"

die() {
	printf 'testbed: %s\n' "$*" >&2
	exit 1
}

note() {
	printf 'testbed: %s\n' "$*" >&2
}

# mark WHAT: note in testbed.log how long start has taken so far
mark() {
	printf 'testbed: %s after %d ms\n' "$1" \
	    $(( ($(date +%s%N) - START_NS) / 1000000 )) >>"$LOG"
}

# ---------------------------------------------------------------- processes

# Field 22 of /proc/PID/stat (start time in ticks) tells a live owner from a
# recycled pid.
proc_starttime() {
	local stat rest
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	# shellcheck disable=SC2086 # split on purpose
	set -- $rest
	printf '%s\n' "${20}"
}

owner_alive() {
	local dir=$1 pid start now
	[ -f "$dir/owner" ] || return 1
	read -r pid start <"$dir/owner" || return 1
	now=$(proc_starttime "$pid") || return 1
	[ "$now" = "$start" ]
}

# Pids of processes that belong to DIR: working directory or root inside it
# (Postfix daemons sit in their queue directory, Dovecot's in base_dir or a
# chroot below it), or a GnuPG or Dovecot program naming DIR on its command
# line (gpg-agent --homedir DIR/...).  Never this script or its callers; the
# caller of dir_pids has done `cd /`, so its subshells are not found either.
dir_pids() {
	local dir=$1 p comm cmd pid skip=" " a=$$
	while [ "${a:-0}" -gt 1 ]; do
		skip="$skip$a "
		a=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$a/status" 2>/dev/null)
	done
	{
		find /proc/[0-9]*/cwd /proc/[0-9]*/root -maxdepth 0 \
		    \( -lname "$dir" -o -lname "$dir/*" \) 2>/dev/null | cut -d/ -f3
		for p in /proc/[0-9]*; do
			{ read -r comm <"$p/comm"; } 2>/dev/null || continue
			case "$comm" in
			gpg|gpg-agent|scdaemon|dirmngr|keyboxd|dovecot|openssl) ;;
			*) continue ;;
			esac
			cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
			case "$cmd " in *"$dir/"*) printf '%s\n' "${p#/proc/}" ;; esac
		done
	} | sort -u | while read -r pid; do
		case "$skip" in *" $pid "*) ;; *) printf '%s\n' "$pid" ;; esac
	done
}

# ---------------------------------------------------------------- locking

# One lock serializes port choice and edits of the system main.cf between
# concurrent runs.  Never nested.
lock_take() {
	exec 9>>"$LOCK"
	flock -w 60 9 || die "cannot lock $LOCK"
}

lock_drop() {
	exec 9>&-
}

# ---------------------------------------------------------------- postfix main.cf

# `postfix -c DIR` refuses a directory that the default main.cf does not list
# in alternate_config_directories.  Called with the lock held.
maincf_list() {
	postconf -c /etc/postfix -h alternate_config_directories 2>/dev/null |
	    tr ',' ' ' | tr -s ' ' '\n' | sed '/^$/d'
}

maincf_set() {
	local list
	list=$(paste -sd ' ' -)
	postconf -c /etc/postfix -e "alternate_config_directories = $list"
}

maincf_add() {
	local d=$1
	if [ ! -f "$SYS_MAINCF" ]; then
		mkdir -p /etc/postfix
		printf '%s\n' "# created by clerk's tests/testbed/testbed.sh" \
		    "compatibility_level = 3.6" >"$SYS_MAINCF"
	fi
	# drop entries of test beds that no longer exist, then add ours
	{ maincf_list | while read -r e; do
		case "$e" in
		"$PREFIX"*) [ ! -d "$e" ] || printf '%s\n' "$e" ;;
		*) printf '%s\n' "$e" ;;
		esac
	done; printf '%s\n' "$d"; } | awk '!seen[$0]++' | maincf_set
}

maincf_del() {
	local d=$1
	[ -f "$SYS_MAINCF" ] || return 0
	maincf_list | grep -v -x -F -e "$d" | maincf_set || true
}

# ---------------------------------------------------------------- stop

stop_dir() {
	local dir=$1 h pids i dovecot_pid=
	case "$dir" in
	"$PREFIX"??????) ;;
	*) die "not a test bed dir: $dir" ;;
	esac
	[ -d "$dir" ] || return 0
	cd /

	# Dovecot's master lingers a second or two on its way out: stop it in
	# the background while Postfix and the agents go down.
	if [ -f "$dir/dovecot.conf" ] && [ -f "$dir/dovecot-run/master.pid" ]; then
		dovecot -c "$dir/dovecot.conf" stop >/dev/null 2>&1 &
		dovecot_pid=$!
	fi
	if [ -f "$dir/postfix/main.cf" ] && [ -f "$dir/postfix-queue/pid/master.pid" ]; then
		postfix -c "$dir/postfix" stop >/dev/null 2>&1 || true
	fi
	for h in "$dir"/gnupg-*; do
		[ -d "$h" ] || continue
		gpgconf --homedir "$h" --kill all >/dev/null 2>&1 || true
	done
	[ -z "$dovecot_pid" ] || wait "$dovecot_pid" || true

	# Give them 5 s to leave, then kill whatever still runs inside DIR.
	for i in $(seq 50); do
		pids=$(dir_pids "$dir")
		[ -n "$pids" ] || break
		[ "$i" -lt 50 ] || break
		sleep 0.1
	done
	if [ -n "$pids" ]; then
		note "killing leftovers of $dir: $(echo "$pids" | tr '\n' ' ')"
		# shellcheck disable=SC2086 # a list of pids
		kill -KILL $pids 2>/dev/null || true
		sleep 0.2
	fi

	if [ -f "$SYS_MAINCF" ]; then
		lock_take
		maincf_del "$dir/postfix"
		lock_drop
	fi
	rm -rf "$dir"
}

# Stop test beds whose owner is gone.  mkdir of DIR/.reaping claims one, so
# two concurrent starts do not reap the same dir (stop_dir is safe to repeat).
reap_stale() {
	local d age
	for d in "$PREFIX"??????; do
		[ -d "$d" ] || continue
		[ -O "$d" ] || continue
		if [ ! -f "$d/owner" ]; then
			# between mktemp and writing the owner file: give it a minute
			age=$(( $(date +%s) - $(stat -c %Y "$d") ))
			[ "$age" -gt 60 ] || continue
		elif owner_alive "$d"; then
			continue
		fi
		if ! mkdir "$d/.reaping" 2>/dev/null; then
			# someone reaps it now, unless that reaper died a minute ago
			age=$(( $(date +%s) - $(stat -c %Y "$d/.reaping" 2>/dev/null || date +%s) ))
			[ "$age" -gt 60 ] || continue
			touch "$d/.reaping"
		fi
		note "removing stale test bed $d"
		stop_dir "$d"
	done
}

# ---------------------------------------------------------------- ports

# Pick N free loopback ports below the ephemeral range, avoiding any TCP
# socket now in use and ports promised to other live test beds.  Called with
# the lock held; the choice is recorded in DIR/ports before the lock drops.
pick_ports() {
	local n=$1 lo=10000 hi eph used p picked=()
	read -r eph _ </proc/sys/net/ipv4/ip_local_port_range
	hi=$((eph - 1))
	[ "$hi" -gt $((lo + 1000)) ] || { lo=1024; hi=65535; }
	used=" $(ss -tanH 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' |
	    tr '\n' ' ') $(cat "$PREFIX"??????/ports 2>/dev/null | tr '\n' ' ') "
	while [ "${#picked[@]}" -lt "$n" ]; do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
		case "$used" in *" $p "*) continue ;; esac
		picked+=("$p")
		used="$used$p "
	done
	printf '%s\n' "${picked[@]}"
}

# Listening yet?  Asks ss rather than connecting, to keep the logs quiet.
wait_port() {
	local port=$1 i
	for i in $(seq 100); do
		if [ -n "$(ss -ltnH "sport = :$port" 2>/dev/null)" ]; then
			return 0
		fi
		[ "$i" -lt 100 ] || break
		sleep 0.05
	done
	return 1
}

# ---------------------------------------------------------------- pieces

make_tls() {
	local t=$DIR/tls
	mkdir -p "$t"
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$t/ca.key" -out "$t/ca.crt" -days 30 \
	    -subj "/CN=clerk test bed CA $(basename "$DIR")" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>>"$LOG"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$t/server.key" -out "$t/server.csr" \
	    -subj "/CN=localhost" 2>>"$LOG"
	printf '%s\n' "basicConstraints=CA:FALSE" \
	    "keyUsage=critical,digitalSignature,keyEncipherment" \
	    "extendedKeyUsage=serverAuth" \
	    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:clerk-testbed.test" \
	    >"$t/server.ext"
	openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" \
	    -CAcreateserial -days 30 -extfile "$t/server.ext" \
	    -out "$t/server.crt" 2>>"$LOG"
	chmod 0644 "$t/ca.crt" "$t/server.crt"
	chmod 0600 "$t/ca.key" "$t/server.key"
}

make_users() {
	local m name addr local_part domain pw
	mkdir -p "$DIR/passwords" "$DIR/mail"
	chmod 0700 "$DIR/passwords"
	: >"$DIR/dovecot-users"
	: >"$DIR/postfix-vmailbox"
	for m in "${MAILBOXES[@]}"; do
		IFS=: read -r name addr _ <<<"$m"
		local_part=${addr%@*}
		domain=${addr#*@}
		pw=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
		printf '%s' "$pw" >"$DIR/passwords/$addr"
		printf '%s:{PLAIN}%s\n' "$addr" "$pw" >>"$DIR/dovecot-users"
		printf '%s OK\n' "$addr" >>"$DIR/postfix-vmailbox"
		mkdir -p "$DIR/mail/$domain/$local_part/Maildir/"{cur,new,tmp}
		env_add "ADDR_$name" "$addr"
		env_add "PASSWORD_FILE_$name" "$DIR/passwords/$addr"
		env_add "MAILDIR_$name" "$DIR/mail/$domain/$local_part/Maildir"
	done
	# TESTBED_EXTRA_USERS=N: mailboxes applicant0001..N@example.test for
	# benchmarks that need as many senders as mails (no password files).
	for i in $(seq 1 "${TESTBED_EXTRA_USERS:-0}"); do
		addr=$(printf 'applicant%04d@example.test' "$i")
		printf '%s:{PLAIN}%s\n' "$addr" "$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" \
		    >>"$DIR/dovecot-users"
		printf '%s OK\n' "$addr" >>"$DIR/postfix-vmailbox"
	done
	chmod 0600 "$DIR"/passwords/*
	chown root:dovecot "$DIR/dovecot-users"
	chmod 0640 "$DIR/dovecot-users"
	chown -R mail:mail "$DIR/mail"
	chmod -R go-rwx "$DIR/mail"
}

# gen_key HOME NAME ADDR REALNAME: primary ed25519 (sign), cv25519 subkey
# (encrypt), no passphrase; writes DIR/keys/NAME.fpr and NAME.asc.
gen_key() {
	local h=$1 name=$2 addr=$3 real=$4 fpr
	gpg --homedir "$h" --batch --quiet --passphrase '' \
	    --quick-gen-key "$real <$addr>" ed25519 sign never
	fpr=$(gpg --homedir "$h" --batch --quiet --no-auto-check-trustdb \
	    --with-colons --list-secret-keys "=$real <$addr>" |
	    awk -F: '$1 == "fpr" { print $10; exit }')
	[ -n "$fpr" ] || return 1
	gpg --homedir "$h" --batch --quiet --passphrase '' \
	    --quick-add-key "$fpr" cv25519 encr never
	gpg --homedir "$h" --batch --armor --export "$fpr" >"$DIR/keys/$name.asc"
	printf '%s\n' "$fpr" >"$DIR/keys/$name.fpr"
}

new_home() {
	mkdir -m 0700 "$1"
	# loopback pinentry: a test that does protect a key can pass --passphrase
	printf 'allow-loopback-pinentry\n' >"$1/gpg-agent.conf"
}

make_keys() {
	local m name addr real h pids=() person_names=() n clerk_pubs=()
	mkdir -p "$DIR/keys"
	new_home "$DIR/gnupg-clerk"
	# the three association keys in one home, one after the other; every
	# person's home in parallel with that
	(
		for m in "${MAILBOXES[@]}"; do
			IFS=: read -r name addr real <<<"$m"
			case "$name" in CLERK_*) ;; *) continue ;; esac
			gen_key "$DIR/gnupg-clerk" "$name" "$addr" "$real"
		done
	) 2>>"$GPGLOG" &
	pids+=($!)
	for m in "${MAILBOXES[@]}"; do
		IFS=: read -r name addr real <<<"$m"
		case "$name" in CLERK_*) continue ;; esac
		h=$DIR/gnupg-$(printf '%s' "$name" | tr 'A-Z_' 'a-z-')
		new_home "$h"
		gen_key "$h" "$name" "$addr" "$real" 2>>"$GPGLOG" &
		pids+=($!)
		person_names+=("$name")
	done
	for n in "${pids[@]}"; do
		wait "$n" || die "key generation failed (see $GPGLOG)"
	done

	for m in "${MAILBOXES[@]}"; do
		IFS=: read -r name _ _ <<<"$m"
		case "$name" in CLERK_*) clerk_pubs+=("$DIR/keys/$name.asc") ;; esac
	done
	pids=()
	for name in "${person_names[@]}"; do
		h=$DIR/gnupg-$(printf '%s' "$name" | tr 'A-Z_' 'a-z-')
		gpg --homedir "$h" --batch --quiet --import "${clerk_pubs[@]}" 2>>"$GPGLOG" &
		pids+=($!)
	done
	for name in "${person_names[@]}"; do
		case " $UNKNOWN_TO_CLERK " in *" $name "*) continue ;; esac
		gpg --homedir "$DIR/gnupg-clerk" --batch --quiet \
		    --import "$DIR/keys/$name.asc" 2>>"$GPGLOG"
	done
	for n in "${pids[@]}"; do
		wait "$n" || die "key import failed (see $GPGLOG)"
	done

	env_add GNUPGHOME_CLERK "$DIR/gnupg-clerk"
	for m in "${MAILBOXES[@]}"; do
		IFS=: read -r name _ _ <<<"$m"
		case "$name" in
		CLERK_*) h=$DIR/gnupg-clerk ;;
		*) h=$DIR/gnupg-$(printf '%s' "$name" | tr 'A-Z_' 'a-z-') ;;
		esac
		env_add "GNUPGHOME_$name" "$h"
		env_add "FPR_$name" "$(cat "$DIR/keys/$name.fpr")"
		env_add "PUBKEY_$name" "$DIR/keys/$name.asc"
	done
}

make_dovecot() {
	mkdir -p "$DIR/dovecot-state"
	cat >"$DIR/dovecot.conf" <<EOF
# clerk test bed: a private Dovecot instance, nothing shared with /etc/dovecot
instance_name = $(basename "$DIR")
base_dir = $DIR/dovecot-run
state_dir = $DIR/dovecot-state
log_path = $DIR/dovecot.log
info_log_path = $DIR/dovecot.log
auth_verbose = yes
protocols = imap lmtp
listen = $HOST
shutdown_clients = yes

ssl = yes
ssl_cert = <$DIR/tls/server.crt
ssl_key = <$DIR/tls/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
# no failure delay and no penalty: tests log in wrongly on purpose
auth_failure_delay = 0

mail_location = maildir:~/Maildir
mail_uid = mail
mail_gid = mail
first_valid_uid = $(id -u mail)
first_valid_gid = $(id -g mail)
namespace inbox {
  inbox = yes
  separator = /
}

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $DIR/dovecot-users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$DIR/mail/%Ld/%Ln
}

service imap-login {
  inet_listener imap {
    address = $HOST
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = $HOST
    port = $IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = $HOST
    port = $LMTP_PORT
  }
}
protocol lmtp {
  postmaster_address = postmaster@clerk-testbed.test
}
# no auth penalty either: without this socket the auth process skips it
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
	doveconf -c "$DIR/dovecot.conf" -n >/dev/null 2>>"$LOG" ||
	    die "bad dovecot.conf (see $LOG)"
	dovecot -c "$DIR/dovecot.conf" 2>>"$LOG" || die "dovecot did not start (see $LOG)"
}

make_postfix() {
	local pf=$DIR/postfix
	mkdir -p "$pf" "$DIR/postfix-queue" "$DIR/postfix-data"
	: >"$DIR/postfix.log"
	cat >"$pf/main.cf" <<EOF
# clerk test bed: a private Postfix instance (postfix -c $pf)
compatibility_level = 3.6
config_directory = $pf
queue_directory = $DIR/postfix-queue
data_directory = $DIR/postfix-data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $DIR/postfix.log
maillog_file_prefixes = $DIR/
syslog_name = postfix-clerk-testbed

myhostname = clerk-testbed.test
mydomain = clerk-testbed.test
myorigin = \$myhostname
mydestination =
local_transport = error:5.1.1 no local delivery in the test bed
default_transport = error:5.4.4 no delivery outside the test domains
alias_maps =
alias_database =
inet_interfaces = $HOST
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtpd_peername_lookup = no
append_dot_mydomain = no
biff = no

virtual_mailbox_domains = $DOMAINS
virtual_mailbox_maps = texthash:$DIR/postfix-vmailbox
virtual_transport = lmtp:inet:$HOST:$LMTP_PORT
smtpd_reject_unlisted_recipient = yes

smtpd_tls_cert_file = $DIR/tls/server.crt
smtpd_tls_key_file = $DIR/tls/server.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DIR/dovecot-run/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = reject_unauth_destination
EOF
	# chroot off everywhere: the daemons find their files by absolute path
	cat >"$pf/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
$HOST:$SMTP_PORT inet n - n - - smtpd
  -o syslog_name=postfix-clerk-testbed/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
$HOST:$MX_PORT inet n - n - - smtpd
  -o syslog_name=postfix-clerk-testbed/mx
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	lock_take
	maincf_add "$pf"
	lock_drop
	mark "postfix configured"
	postfix -c "$pf" post-install create-missing >>"$LOG" 2>&1 ||
	    die "postfix post-install failed (see $LOG)"
	mark "postfix post-install done"
	chown postfix "$DIR/postfix-data"
	# post-install has just made the queue: quick-start skips postfix-script's
	# second, slower round of the same checks
	touch "$DIR/postfix-queue/quick-start"
	postfix -c "$pf" start >>"$LOG" 2>&1 || die "postfix did not start (see $LOG)"
}

# ---------------------------------------------------------------- env

env_add() {
	case "$2" in *"'"*) die "quote in value of $1" ;; esac
	printf "%s='%s'\n" "$1" "$2" >>"$DIR/env.tmp"
}

# ---------------------------------------------------------------- commands

log_tails() {
	local f
	for f in "$DIR/testbed.log" "$DIR/gnupg.log" "$DIR/dovecot.log" "$DIR/postfix.log"; do
		[ -s "$f" ] || continue
		printf -- '--- tail of %s\n' "$f" >&2
		tail -n 20 "$f" >&2
	done
}

start_failed() {
	local rc=$?
	trap - EXIT
	[ "$rc" -ne 0 ] || return 0
	note "start failed"
	# let the key generator finish rather than race it while removing DIR
	[ -z "${KEYS_PID:-}" ] || wait "$KEYS_PID" 2>/dev/null || true
	log_tails
	if [ "${TESTBED_KEEP_FAILED:-0}" = 1 ]; then
		note "kept $DIR (stop it with: $0 stop $DIR)"
	else
		stop_dir "$DIR"
	fi
	exit "$rc"
}

cmd_start() {
	local owner ports m name addr users="" names=""
	[ "$(id -u)" = 0 ] || die "start needs root (Dovecot and Postfix run as root)"
	for m in dovecot doveconf postfix postconf gpg gpgconf openssl ss flock curl; do
		command -v "$m" >/dev/null || die "$m not found: run $0 install-deps"
	done
	owner=${TESTBED_OWNER_PID:-$PPID}
	START_NS=$(date +%s%N)

	reap_stale

	DIR=$(mktemp -d "${PREFIX}XXXXXX")
	printf '%s %s\n' "$owner" "$(proc_starttime "$owner")" >"$DIR/owner"
	chmod 0755 "$DIR"
	LOG=$DIR/testbed.log
	GPGLOG=$DIR/gnupg.log
	: >"$LOG"
	trap start_failed EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	lock_take
	ports=$(pick_ports 5)
	printf '%s\n' "$ports" >"$DIR/ports"
	lock_drop
	{ read -r IMAP_PORT; read -r IMAPS_PORT; read -r LMTP_PORT
	  read -r SMTP_PORT; read -r MX_PORT; } <<<"$ports"

	: >"$DIR/env.tmp"
	env_add TESTBED_DIR "$DIR"
	env_add TESTBED_HOST "$HOST"
	env_add TESTBED_DOMAINS "$DOMAINS"
	for m in "${MAILBOXES[@]}"; do
		IFS=: read -r name addr _ <<<"$m"
		users="$users${users:+ }$addr"
		names="$names${names:+ }$name"
	done
	env_add TESTBED_USERS "$users"
	env_add TESTBED_NAMES "$names"
	env_add IMAP_PORT "$IMAP_PORT"
	env_add IMAPS_PORT "$IMAPS_PORT"
	env_add LMTP_PORT "$LMTP_PORT"
	env_add SMTP_PORT "$SMTP_PORT"
	env_add MX_PORT "$MX_PORT"
	env_add CA_FILE "$DIR/tls/ca.crt"
	env_add IMAP_USER clerk@fgt.test
	env_add IMAP_PASSWORD_FILE "$DIR/passwords/clerk@fgt.test"
	env_add SMTP_USER clerk@fgt.test
	env_add SMTP_PASSWORD_FILE "$DIR/passwords/clerk@fgt.test"
	env_add DOVECOT_CONF "$DIR/dovecot.conf"
	env_add DOVECOT_LOG "$DIR/dovecot.log"
	env_add POSTFIX_CONFIG_DIR "$DIR/postfix"
	env_add POSTFIX_LOG "$DIR/postfix.log"

	# keys take longest: generate them while the servers come up
	mark "stale test beds reaped, ports chosen"
	make_tls
	make_users
	mark "certificates and users made"
	( make_keys; mark "keys made" ) &
	KEYS_PID=$!
	make_dovecot
	mark "dovecot started"
	make_postfix
	mark "postfix started"
	wait "$KEYS_PID" || { KEYS_PID=; die "GnuPG set-up failed (see $GPGLOG)"; }
	KEYS_PID=

	for m in "$IMAP_PORT" "$IMAPS_PORT" "$LMTP_PORT" "$SMTP_PORT" "$MX_PORT"; do
		wait_port "$m" || die "nothing listens on $HOST:$m"
	done
	# make_keys ran in a subshell: its env lines are in env.tmp already
	mv "$DIR/env.tmp" "$DIR/env"
	chmod 0644 "$DIR/env"
	trap - EXIT
	mark "ready"
	note "started in $(( ($(date +%s%N) - START_NS) / 1000000 )) ms"
	printf '%s\n' "$DIR"
}

cmd_stop() {
	[ $# -eq 1 ] || die "usage: $0 stop DIR"
	[ "$(id -u)" = 0 ] || die "stop needs root"
	local dir
	dir=$(realpath -m "$1")
	stop_dir "$dir"
}

# One package list for the whole project: tests/install-deps.sh.
cmd_install_deps() {
	bash "$(dirname "$0")/../install-deps.sh"
}

case "${1:-}" in
start) shift; [ $# -eq 0 ] || die "usage: $0 start"; cmd_start ;;
stop) shift; cmd_stop "$@" ;;
install-deps) shift; cmd_install_deps ;;
*) die "usage: $0 start | stop DIR | install-deps" ;;
esac
