# shellcheck shell=bash
# clerk-lib.sh: functions for integration tests that run clerkd/clerkctl
# against the test bed. Source after tests/testbed/lib.sh and tb_load.
#
#   clerk_conf DIR [PROFILE]   write DIR/clerk.conf for clerk@<profile>.test
#                              (imaps intake, submission with AUTH, the
#                              association key, officers, DIR/workflows: the
#                              source's, its profiles' placeholders given
#                              test values as an association would); print
#                              its path
#   clerk_workflows DIR        that copy of workflows/ in DIR/workflows
#   clerkd ARGS...             run the built clerkd
#   clerkctl ARGS...           run the built clerkctl
#   fail MESSAGE               print MESSAGE to stderr and exit 1

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

clerkd() { "$CLERK_BUILDDIR/clerkd" "$@"; }
clerkctl() { "$CLERK_BUILDDIR/clerkctl" "$@"; }

clerk_workflows() {
	local wf=$1/workflows
	[ -d "$wf" ] && return 0
	mkdir -p "$1"
	cp -r "$CLERK_SRCDIR/workflows" "$wf"
	# clerk refuses to send a PLACEHOLDER (an amount, an account) until the
	# association puts its own: these are the test association's.
	sed -i -e 's/"PLACEHOLDER: the association'"'"'s bank account"/"1503.12.34567 (test account)"/' \
	    -e 's/"PLACEHOLDER: the association'"'"'s IBAN"/"NL00 TEST 0123 4567 89 (test account)"/' \
	    -e 's/PLACEHOLDER/test association value/g' "$wf"/profiles/*.profile
}

clerk_conf() {
	local dir=$1 profile=${2:-fgt} up fpr_var
	up=$(printf '%s' "$profile" | tr '[:lower:]' '[:upper:]')
	fpr_var=FPR_CLERK_$up
	mkdir -p "$dir"
	clerk_workflows "$dir"
	cat >"$dir/clerk.conf" <<CONF
[intake]
url = imaps://$TESTBED_HOST:$IMAPS_PORT
user = clerk@$profile.test
password_file = $(tb_password_file "clerk@$profile.test")
ca_file = $CA_FILE
idle = yes
poll_interval = 5

[smtp]
url = smtp://$TESTBED_HOST:$SMTP_PORT
user = clerk@$profile.test
password_file = $(tb_password_file "clerk@$profile.test")
envelope_from = clerk@$profile.test
ca_file = $CA_FILE
retry_seconds = 2

[openpgp]
home = $GNUPGHOME_CLERK
fingerprint = ${!fpr_var}

[association]
name = $up Test Association
address = clerk@$profile.test
profile = $profile
workflows = $dir/workflows
language = en
timezone = Europe/Oslo

[officer secretary]
email = $ADDR_SECRETARY_FGT
fingerprint = $FPR_SECRETARY_FGT

[officer treasurer]
email = $ADDR_TREASURER_FGT
fingerprint = $FPR_TREASURER_FGT

[officer committee_chair]
email = $ADDR_FEU_FGT
fingerprint = $FPR_FEU_FGT

[officer board_chair]
email = $ADDR_CHAIR_FGT
fingerprint = $FPR_CHAIR_FGT

[digest]
# Late, so that scenarios stepping through office hours see only the
# notices they cause; tests of the digest set their own hour.
hour = 23

[storage]
database = $dir/clerk.db
CONF
	printf '%s\n' "$dir/clerk.conf"
}
