#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds
# out of tree, runs the unit tests and the integration tests against a real
# Dovecot, Postfix and GnuPG, then again under AddressSanitizer and UBSan,
# then `make distcheck`. Build trees live under build/ in the checkout.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n==== %s ====\n' "$*"; }

step "dependencies"
bash tests/install-deps.sh

step "autoreconf"
autoreconf -fi >/dev/null

run_suite() {
	local dir=$1; shift
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs" &&
		make -j"$jobs" check) || {
		echo "---- failing test logs ($dir) ----"
		find "$dir" -name '*.log' -newer "$dir/Makefile" -exec grep -l -E '^(not ok|FAIL|ERROR)' {} + 2>/dev/null |
			while read -r f; do echo "== $f"; tail -n 60 "$f"; done
		return 1
	}
}

step "build and test"
run_suite build/plain

step "build and test with AddressSanitizer and UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suite build/sanitizers --enable-sanitizers

step "make distcheck"
(cd build/plain && make -s -j"$jobs" distcheck)

step "all tests passed"
