#!/bin/bash
# bench_intake.sh [-n N] [-b BUILDDIR] [-p P]: intake speed of one clerkd
# cycle against the OpenPGP floor, in the same run.
#
# Starts a test bed (tests/testbed/testbed.sh: Dovecot, Postfix, GnuPG)
# with N extra mailboxes, makes N PGP/MIME signed application forms from N
# different senders (applicant0001..N@example.test; RFC 3156, exact CRLF
# bytes, signed with an ed25519 key by gpg), delivers them through Postfix
# into clerk@fgt.test, then times ONE `clerkd --once` cycle that takes them
# all in and answers each with two signed notices, every one of which
# Postfix must accept (outbox state sent: no loop guard is in the way, as
# every sender is another address). Then the floor: bench/gpgme_floor.c
# does the same OpenPGP work and nothing else (verify each mail, sign two
# notices with the association key) with the same keys and P worker
# processes (P: the parallelism clerk's OpenPGP has; default 2, the two
# signer processes). Reports mails per second, the ratio cycle / floor,
# peak RSS (clerkd's own VmHWM, and /usr/bin/time -v's maximum, which
# includes the processes it waited for), and the wall time spent inside
# GPGME calls in clerkd (bench/gpgme_timer.c preloaded). For comparison it
# also times `clerkctl inspect` on the same N files: reading alone.
#
# BENCH_KEEP=1 keeps the work directory (logs, mails).
# Needs root (the test bed), a configured build tree (default: the current
# directory) with clerkd and clerkctl built, gcc, jq and GNU time. Not part
# of make check. Defaults: N=200.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/.." && pwd)
n=200
p=2
builddir=${CLERK_BUILDDIR:-$PWD}
while getopts n:b:p: opt; do
	case $opt in
	n) n=$OPTARG ;;
	b) builddir=$OPTARG ;;
	p) p=$OPTARG ;;
	*) echo "usage: $0 [-n N] [-b BUILDDIR] [-p P]" >&2; exit 2 ;;
	esac
done
builddir=$(cd "$builddir" && pwd)
die() { printf 'bench_intake: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (the test bed runs Dovecot and Postfix)"
[ -x "$builddir/clerkd" ] && [ -x "$builddir/clerkctl" ] ||
    die "no clerkd/clerkctl in $builddir (give -b BUILDDIR)"
[ -x /usr/bin/time ] || die "GNU time is missing (tests/install-deps.sh)"
command -v jq >/dev/null || die "jq is missing (tests/install-deps.sh)"
[[ $n =~ ^[1-9][0-9]*$ ]] || die "N must be a positive number"

export CLERK_SRCDIR=$srcdir CLERK_BUILDDIR=$builddir TESTBED_TOOLS=$srcdir/tests/testbed
. "$TESTBED_TOOLS/lib.sh"
. "$srcdir/tests/integration/clerk-lib.sh"
. "$srcdir/tests/integration/mailgen.sh"

work=$(mktemp -d /tmp/clerk-bench-intake.XXXXXX)
bed=
cleanup() {
	[ -z "$bed" ] || bash "$TESTBED_TOOLS/testbed.sh" stop "$bed" >/dev/null 2>&1 || true
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# shellcheck disable=SC2046 # pkg-config's flags are words
gcc -std=c11 -O2 -shared -fPIC -o "$work/gpgme_timer.so" "$here/gpgme_timer.c" \
    $(pkg-config --cflags gpgme) -ldl || die "cannot build gpgme_timer.so"
# shellcheck disable=SC2046
gcc -std=c11 -O2 -o "$work/gpgme_floor" "$here/gpgme_floor.c" \
    $(pkg-config --cflags --libs gpgme) || die "cannot build gpgme_floor"

t=$(date +%s%N)
bed=$(TESTBED_OWNER_PID=$$ TESTBED_EXTRA_USERS=$n bash "$TESTBED_TOOLS/testbed.sh" start \
    2>"$work/testbed.err" |
    tail -n 1) || die "the test bed did not start: $(tail -n 3 "$work/testbed.err")"
tb_load "$bed/env"
echo "test bed $bed up in $(ms_since "$t") ms" >&2

conf=$(clerk_conf "$work/clerk")
now=2027-02-01T09:00
# A first cycle on the empty INBOX: database, folders, gpg-agent, as in a
# daemon that has been running.
"$builddir/clerkd" -c "$conf" --once --now "$now" 2>"$work/warmup.log" ||
    die "warm-up cycle failed: $(tail -n 3 "$work/warmup.log")"

t=$(date +%s%N)
mkdir "$work/mails" "$work/signed"
for i in $(seq 1 "$n"); do
	a=$(printf 'applicant%04d' "$i")
	MG_KEEP=$work/signed mg_signed_application "$work/mails/$a.eml" "$a" "$GNUPGHOME_ALICE" \
	    "$FPR_ALICE" "Applicant $i <$a@example.test>" "Applicant $i" || die "signing mail $i"
done
echo "$n signed applications made in $(ms_since "$t") ms" >&2

t=$(date +%s%N)
before=$(tb_imap_count "$IMAP_USER" INBOX)
[ "$before" -eq 0 ] || die "the INBOX is not empty"
printf '%s\n' "$work"/mails/*.eml |
    xargs -P 4 -I{} bash "$TESTBED_TOOLS/send-mail.sh" "$bed/env" "$ADDR_ALICE" "$IMAP_USER" {} \
    >/dev/null || die "delivery through Postfix failed"
bash "$TESTBED_TOOLS/wait-for-mail.sh" "$bed/env" "$IMAP_USER" INBOX "$n" 300 >/dev/null ||
    die "not all $n mails reached the INBOX"
echo "$n mails delivered into Dovecot in $(ms_since "$t") ms" >&2

# --- the measured cycle
t=$(date +%s%N)
/usr/bin/time -v -o "$work/time.txt" env LD_PRELOAD="$work/gpgme_timer.so" \
    GPGME_TIMER_OUT="$work/cycle.gpgme" \
    "$builddir/clerkd" -c "$conf" --once --now "$now" 2>"$work/cycle.log" ||
    die "the cycle failed: $(tail -n 5 "$work/cycle.log")"
cycle_ms=$(ms_since "$t")
cycle=$(grep 'event=cycle ' "$work/cycle.log" | tail -n 1)
seen=$(sed -n 's/.* mails=\([0-9]*\) .*/\1/p' <<<"$cycle")
[ "$seen" = "$n" ] || die "the cycle took in ${seen:-?} mails, not $n: $cycle"
left=$(tb_imap_count "$IMAP_USER" INBOX)
[ "$left" -eq 0 ] || die "$left mails left in the INBOX"
db=$work/clerk/clerk.db
sent=$(sqlite3 "$db" "SELECT count(*) FROM outbox WHERE state = 1 AND recipient LIKE 'applicant%'")
[ "$sent" = $((2 * n)) ] || die "Postfix accepted $sent answers to the applicants, not $((2 * n)): $(
    sqlite3 "$db" "SELECT state, count(*) FROM outbox GROUP BY state")"

# --- the floor: the same OpenPGP work, nothing else, P processes
head -c 1400 /dev/urandom | base64 -w 76 | sed 's/$/\r/' >"$work/notice.txt"
pairs=()
for f in "$work"/signed/*.part; do pairs+=("$f" "${f%.part}.sig"); done
floor=$("$work/gpgme_floor" "$GNUPGHOME_CLERK" "$FPR_CLERK_FGT" "$p" "$work/notice.txt" \
    "${pairs[@]}") || die "the floor program failed"
floor_ms=$(sed -n 's/^floor_ms=\([0-9]*\) .*/\1/p' <<<"$floor")

# --- reading alone, same mails
t=$(date +%s%N)
env LD_PRELOAD="$work/gpgme_timer.so" GPGME_TIMER_OUT="$work/inspect.gpgme" \
    "$builddir/clerkctl" -c "$conf" inspect --json "$work"/mails/*.eml >"$work/inspect.json" \
    2>"$work/inspect.err" || die "inspect failed: $(tail -n 3 "$work/inspect.err")"
inspect_ms=$(ms_since "$t")
good=$(jq '[.[] | select(.signature.verdict == "good" and .form == "application")] | length' \
    "$work/inspect.json")
[ "$good" -eq "$n" ] || die "only $good of $n mails read as signed applications"

# total FILE: GPGME ms, process ms, peak kB, verify calls, verify ms
total() {
	awk '$3 == "total" { for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
	    $3 == "fn=op_verify" { split($4, c, "="); split($5, m, "="); vc = c[2]; vm = m[2] }
	    END { printf "%s %s %s %d %.1f\n", v["gpgme_ms"], v["process_ms"], v["vmhwm_kb"],
	    vc, vm }' "$1"
}
read -r c_gpgme _ c_hwm c_vcalls c_vms < <(total "$work/cycle.gpgme")
read -r i_gpgme _ i_hwm i_vcalls i_vms < <(total "$work/inspect.gpgme")
maxrss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
awk -v n="$n" -v cms="$cycle_ms" -v cg="$c_gpgme" -v chwm="$c_hwm" -v maxrss="$maxrss" \
    -v cvc="$c_vcalls" -v cvm="$c_vms" -v ims="$inspect_ms" -v ig="$i_gpgme" \
    -v ihwm="$i_hwm" -v ivc="$i_vcalls" -v ivm="$i_vms" -v cyc="$cycle" \
    -v cpu="$cpu" -v cores="$(nproc)" -v fms="$floor_ms" -v p="$p" 'BEGIN {
	sub(/.*event=cycle /, "", cyc)
	printf "bench_intake: %d PGP/MIME signed applications (ed25519) from %d senders, %s, %d cores\n", n, n, cpu, cores
	printf "one clerkd --once cycle: %d ms, %.1f mails/s (%.2f ms/mail), %d signed answers accepted by Postfix\n", cms, n * 1000 / cms, cms / n, 2 * n
	printf "OpenPGP floor (gpgme_floor: verify + 2 signs a mail, %d processes): %d ms, %.1f mails/s; cycle / floor = %.2fx\n", p, fms, n * 1000 / fms, cms / fms
	printf "  %s\n", cyc
	printf "  peak RSS: clerkd %.1f MiB (VmHWM); with the processes it waited for %.1f MiB (time -v)\n", chwm / 1024, maxrss / 1024
	printf "  in GPGME (and the gpg it waits for): %.0f ms = %.1f %%; the rest: %.0f ms = %.1f %%", cg, 100 * cg / cms, cms - cg, 100 * (cms - cg) / cms
	if (cvc > 0)
		printf "; %d verify calls, %.1f ms each", cvc, cvm / cvc
	printf "\n"
	printf "reading alone (clerkctl inspect --json, same %d files): %d ms, %.1f mails/s\n", n, ims, n * 1000 / ims
	printf "  in GPGME: %.0f ms = %.1f %%; the rest: %.0f ms", ig, 100 * ig / ims, ims - ig
	if (ivc > 0)
		printf "; %d verify calls, %.1f ms each", ivc, ivm / ivc
	printf "\n  peak RSS: clerkctl %.1f MiB (VmHWM)\n", ihwm / 1024
}'
# where the GPGME time went, per function
for what in cycle inspect; do
	awk -v what="$what" '$3 ~ /^fn=/ { sub(/^fn=/, "", $3); sub(/^calls=/, "", $4)
	    sub(/^ms=/, "", $5); line = line sprintf(" %s %d/%.0f ms", $3, $4, $5) }
	    END { if (line != "") printf "  GPGME in %s (function calls/ms):%s\n", what, line }' \
	    "$work/$what.gpgme"
done
