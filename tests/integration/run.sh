#!/bin/bash
# run.sh: clerk's integration tests against a real mail system, as TAP.
#
# Starts the test bed (tests/testbed/testbed.sh), runs every
# tests/integration/t_*.sh in name order as `bash t_x.sh ENVFILE` with
# CLERK_SRCDIR, CLERK_BUILDDIR and TESTBED_TOOLS (the tests/testbed dir) in
# the environment, and prints one TAP line per script: exit 0 = ok, 77 = skip
# (the last output line is the reason), anything else = not ok, followed by
# the script's output and the tails of the Dovecot and Postfix logs as
# "# " lines (a passing script's output is shown too, as "# " lines).  The test bed is stopped on exit, on failure and on a signal.
#
# All scripts share one test bed, so a test must not assume empty mailboxes
# (count before, wait for count + n).  A script with the line
# "# testbed: fresh" gets a test bed of its own.
# Each script may run for TESTBED_TEST_TIMEOUT seconds (default 300).
# CLERK_TESTS (space-separated name prefixes) runs only those scripts.
# Needs root; otherwise the whole run is skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
CLERK_SRCDIR=${CLERK_SRCDIR:-$(cd "$here/../.." && pwd)}
CLERK_BUILDDIR=${CLERK_BUILDDIR:-$PWD}
TESTBED_TOOLS=$CLERK_SRCDIR/tests/testbed
export CLERK_SRCDIR CLERK_BUILDDIR TESTBED_TOOLS
testbed=$TESTBED_TOOLS/testbed.sh
timeout_s=${TESTBED_TEST_TIMEOUT:-300}

shopt -s nullglob
export LC_ALL=C
scripts=("$CLERK_SRCDIR"/tests/integration/t_*.sh)
# CLERK_TESTS="t_45 t_60": only the scripts whose names start so (a
# developer's shortcut; CI runs them all).
if [ -n "${CLERK_TESTS:-}" ]; then
	picked=()
	for t in "${scripts[@]}"; do
		for want in $CLERK_TESTS; do
			case $(basename "$t") in "$want"*) picked+=("$t") ;; esac
		done
	done
	scripts=("${picked[@]}")
fi

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP the test bed runs Dovecot and Postfix as root"
	exit 0
fi
echo "1..${#scripts[@]}"
[ "${#scripts[@]}" -gt 0 ] || exit 0

work=$(mktemp -d /tmp/clerk-integration.XXXXXX)
beds=()

stop_beds() {
	local d
	for d in "${beds[@]}"; do
		bash "$testbed" stop "$d" >/dev/null 2>&1 ||
		    echo "# could not stop test bed $d"
	done
	beds=()
}
cleanup() {
	stop_beds
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

diag() {
	sed 's/^/# /' "$@"
}

log_tails() {
	local dir=$1 f
	for f in "$dir/dovecot.log" "$dir/postfix.log"; do
		[ -s "$f" ] || continue
		echo "# --- last lines of $(basename "$f")"
		tail -n 25 "$f" | diag
	done
}

# start_bed: sets $bed to a fresh test bed dir, or bails out
start_bed() {
	local t0 t1 out why
	t0=$(date +%s%N)
	if ! out=$(TESTBED_OWNER_PID=$$ bash "$testbed" start 2>"$work/start.err"); then
		diag "$work/start.err"
		why=$(grep '^testbed: ' "$work/start.err" | grep -v 'start failed$' |
		    head -n 1 | sed 's/^testbed: //')
		echo "Bail out! the test bed did not start${why:+: $why}"
		exit 1
	fi
	t1=$(date +%s%N)
	bed=$(printf '%s\n' "$out" | tail -n 1)
	beds+=("$bed")
	echo "# test bed $bed started in $(( (t1 - t0) / 1000000 )) ms"
}

bed=
shared=
n=0
for t in "${scripts[@]}"; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	if grep -q '^# testbed: fresh$' "$t"; then
		start_bed
		mine=$bed
	else
		if [ -z "$shared" ]; then
			start_bed
			shared=$bed
		fi
		mine=$shared
	fi

	rc=0
	timeout "$timeout_s" bash "$t" "$mine/env" >"$work/out" 2>&1 || rc=$?
	case $rc in
	0)
		echo "ok $n - $name"
		diag "$work/out"
		;;
	77) echo "ok $n - $name # SKIP $(tail -n 1 "$work/out")" ;;
	*)
		echo "not ok $n - $name"
		[ "$rc" -ne 124 ] || echo "# timed out after ${timeout_s}s"
		echo "# exit code $rc; output:"
		diag "$work/out"
		log_tails "$mine"
		;;
	esac

	if [ "$mine" != "$shared" ]; then
		bash "$testbed" stop "$mine" >/dev/null 2>&1 || echo "# could not stop $mine"
		unset 'beds[-1]'
	fi
done
