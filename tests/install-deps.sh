#!/usr/bin/env bash
# Installs everything clerk needs to build, test and run its demo on
# Debian 12: the five libraries, the build tools, and the real servers of
# the test bed (Dovecot, Postfix, GnuPG). Idempotent; needs root.
set -euo pipefail

packages=(
	build-essential autoconf automake libtool pkg-config
	libcurl4-gnutls-dev libetpan-dev libsqlite3-dev libgpgme-dev check
	dovecot-core dovecot-imapd dovecot-lmtpd postfix
	gnupg gpg gpg-agent gpgconf curl mutt
	ca-certificates openssl tzdata iproute2 procps util-linux coreutils
	sqlite3 valgrind tmux
	jq time
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how to configure itself: the test bed brings its own config.
printf '%s\n' \
	"postfix postfix/main_mailer_type select No configuration" \
	"postfix postfix/mailname string clerk-testbed.test" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
