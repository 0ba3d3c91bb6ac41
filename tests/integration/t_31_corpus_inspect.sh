#!/bin/bash
# t_31_corpus_inspect.sh ENVFILE: every mail of the shared corpus through
# `clerkctl inspect`, checked by tools and against MANIFEST.tsv.
#  1. all .eml files named in MANIFEST.tsv go through one
#     `clerkctl -c CONF inspect --json FILE...` and one text-mode inspect:
#     exit 0, no sanitizer or valgrind report. In the sanitizer build (the
#     suite runs once plain and once --enable-sanitizers) that run is the
#     ASan/UBSan check; in the plain build the same runs are repeated under
#     valgrind (memcheck, definite leaks are errors; the forked parse worker
#     stays under valgrind, exec'd gpg does not) and must print the same JSON;
#  2. the JSON is an array with one object per file, in order, with the
#     fields issue 3 names (kind, form, language, fields, case, signature
#     {verdict, fingerprint, sender}, encrypted, decrypted, attachments);
#  3. the keys under corpus/keys (and the association's public key) are
#     imported into a throwaway GnuPG home used by the configuration; where the manifest states a signature
#     outcome clerk's verdict must agree: "GOOD with keys/K" -> good, by the
#     fingerprint the manifest gives for K; "BAD ..." or "(expected
#     failure)" -> not good; "No public key" / "not verifiable" (the key is
#     not in the corpus) -> unknown-key; encrypted mails (no secret key in
#     the corpus) -> encrypted, not decrypted, not good; the folders without
#     OpenPGP (attachments, charsets, malformed) -> unsigned.
# Every disagreement is listed; the test fails on any. A missing corpus fails.
# Needs jq (tests/install-deps.sh) and, for the plain build, valgrind.
set -euo pipefail
. "$TESTBED_TOOLS/lib.sh"
. "$CLERK_SRCDIR/tests/integration/clerk-lib.sh"
tb_load "$1"

shared=${CLERK_SHARED:-$CLERK_SRCDIR/../shared}
corpus=$shared/corpus
manifest=$corpus/MANIFEST.tsv
if [ ! -r "$manifest" ]; then
	# An extra suite: skipped (exit 77) where the shared corpus is absent.
	echo "no shared corpus at $corpus (an extra suite; set CLERK_SHARED)"
	exit 77
fi
command -v jq >/dev/null || fail "jq is missing (tests/install-deps.sh installs it)"
ctl=$CLERK_BUILDDIR/clerkctl
[ -x "$ctl" ] || fail "$ctl is not built"

work=$(mktemp -d /tmp/clerk-t31.XXXXXX)
trap '[ -n "${T31_KEEP:-}" ] || rm -rf "$work"' EXIT

# The sanitizer build links libasan; valgrind and ASan do not mix.
sanitized=0
# (Not `ldd | grep -q`: under pipefail grep's early exit can kill ldd with
# SIGPIPE and make the test believe it runs the plain build.)
if [[ "$(ldd "$ctl" 2>/dev/null)" == *libasan* ]]; then
	sanitized=1
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
	command -v valgrind >/dev/null || fail "valgrind is missing (tests/install-deps.sh)"
fi

# --- the corpus: mails and keys from the manifest
files=()
keys=()
while IFS=$'\t' read -r f _; do
	case $f in
	file) ;;
	keys/*) keys+=("$f") ;;
	*.eml) files+=("$f") ;;
	esac
done <"$manifest"
[ "${#files[@]}" -gt 0 ] || fail "the manifest lists no .eml files"
[ "${#keys[@]}" -gt 0 ] || fail "the manifest lists no keys"
for f in "${files[@]}" "${keys[@]}"; do
	[ -r "$corpus/$f" ] || fail "the manifest names $f, which is missing"
done

mkdir -m 700 "$work/gnupg.base"
for k in "${keys[@]}"; do
	gpg --homedir "$work/gnupg.base" --batch --no-tty --quiet --import "$corpus/$k" \
	    2>"$work/import.err" || fail "importing $k: $(cat "$work/import.err")"
done
# clerk needs the association's own public key in its home (it hands it
# out); only the public half, so nothing can decrypt the corpus here
gpg --homedir "$work/gnupg.base" --batch --no-tty --quiet --import "$PUBKEY_CLERK_FGT" \
    2>"$work/import.err" || fail "importing the association key: $(cat "$work/import.err")"
gpgconf --homedir "$work/gnupg.base" --kill all 2>/dev/null || true

conf=$(clerk_conf "$work")
sed -i "s|^home = .*|home = $work/gnupg|" "$conf"
grep -qx "home = $work/gnupg" "$conf" || fail "could not point [openpgp] home at $work/gnupg"

paths=()
for f in "${files[@]}"; do paths+=("$corpus/$f"); done

# fresh_home: inspect imports keys attached to mails, so each run starts
# from the same home
fresh_home() {
	gpgconf --homedir "$work/gnupg" --kill all 2>/dev/null || true
	rm -rf "$work/gnupg"
	cp -a "$work/gnupg.base" "$work/gnupg"
}

# sanitizer_clean FILE: no ASan/UBSan/LSan report in FILE (a forked parser
# child that dies of one would otherwise only quarantine its mail)
sanitizer_clean() {
	! grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' "$1"
}

# run_inspect NAME [--json]: clerkctl inspect on every corpus file
run_inspect() {
	local name=$1 rc=0
	shift
	fresh_home
	"$ctl" -c "$conf" inspect "$@" "${paths[@]}" >"$work/$name.out" 2>"$work/$name.err" ||
	    rc=$?
	[ "$rc" -eq 0 ] || fail "inspect $* exited $rc: $(tail -n 20 "$work/$name.err")"
	sanitizer_clean "$work/$name.err" ||
	    fail "inspect $*: sanitizer report: $(grep -E -A 12 'Sanitizer|runtime error' "$work/$name.err" | head -n 40)"
}

# run_valgrind NAME [--json]: the same under memcheck, one log per process.
# clerkctl, its parse worker (daemon/mime_isolate.c) and the intermediate
# children GPGME forks end with an ERROR SUMMARY; the grandchildren that
# exec gpg are where valgrind lets go (no summary).
run_valgrind() {
	local name=$1 rc=0 log bad=0 checked=0
	shift
	fresh_home
	valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
	    --trace-children=no --log-file="$work/vg.$name.%p" \
	    "$ctl" -c "$conf" inspect "$@" "${paths[@]}" >"$work/vg.$name.out" \
	    2>"$work/vg.$name.err" || rc=$?
	for log in "$work/vg.$name".[0-9]*; do
		[ -e "$log" ] || fail "valgrind wrote no log"
		grep -q 'ERROR SUMMARY: ' "$log" || continue
		checked=$((checked + 1))
		if ! grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
			echo "valgrind ($name), process ${log##*.}:" >&2
			grep -E '^==[0-9]+== ' "$log" | grep -v 'Command: ' | head -n 80 >&2
			bad=1
		fi
	done
	[ "$bad" -eq 0 ] || fail "valgrind found errors or definite leaks in inspect $*"
	[ "$rc" -eq 0 ] || fail "inspect $* under valgrind exited $rc: $(tail -n 5 "$work/vg.$name.err")"
	# clerkctl and at least the parse worker that read every mail.
	[ "$checked" -ge 2 ] ||
	    fail "valgrind checked only $checked processes: no parse worker"
	echo "valgrind ($name): clerkctl and $((checked - 1)) children (the parse worker," \
	    "GPGME's), 0 errors" >&2
}

t0=$(date +%s%N)
run_inspect json --json
run_inspect text
t1=$(date +%s%N)
if [ "$sanitized" -eq 1 ]; then
	echo "sanitizer build: ${#files[@]} mails inspected (json, text) in" \
	    "$(( (t1 - t0) / 1000000 )) ms, no ASan/UBSan/LSan report" >&2
else
	echo "plain build: ${#files[@]} mails inspected (json, text) in $(( (t1 - t0) / 1000000 )) ms" >&2
	run_valgrind json --json
	run_valgrind text
	cmp -s "$work/json.out" "$work/vg.json.out" ||
	    fail "inspect --json prints differently under valgrind: $(diff "$work/json.out" "$work/vg.json.out" | head -n 20)"
	# (Not the text output: valgrind's libc cleanup at the parser child's
	# _exit flushes the stdout buffer the child inherited, so under
	# valgrind unflushed text appears more than once.)
fi

# Text mode names every file.
for p in "${paths[@]}"; do
	grep -qxF "$p" "$work/text.out" || fail "text-mode inspect does not show $p"
done

# --- the JSON: shape
out=$work/json.out
jq -e 'type == "array"' "$out" >/dev/null || fail "inspect --json is not a JSON array"
n=$(jq length "$out")
[ "$n" -eq "${#files[@]}" ] || fail "inspect --json: $n objects for ${#files[@]} files"
printf '%s\n' "${paths[@]}" >"$work/paths"
jq -r '.[].file' "$out" | cmp -s - "$work/paths" || fail "inspect --json: files out of order"
jq -r '.[] | select(
	(.kind | IN("form", "reply", "command", "automatic", "bounce", "unknown") | not)
	or ((.form | type) | IN("null", "string") | not)
	or (.language | IN(null, "en", "nb", "da", "nl") | not)
	or ((.fields | type) != "object")
	or ((.case | type) | IN("null", "string") | not)
	or ((.signature | type) != "object")
	or (.signature.verdict | IN("unsigned", "good", "bad", "unknown-key", "expired",
	    "revoked", "error") | not)
	or ((.signature.fingerprint | type) | IN("null", "string") | not)
	or ((.signature.sender | type) != "boolean")
	or ((.encrypted | type) != "boolean") or ((.decrypted | type) != "boolean")
	or ((.attachments | type) != "array")
	or any(.attachments[]; ((.filename | type) | IN("null", "string") | not)
	    or ((.content_type | type) != "string") or ((.size | type) != "number")
	    or ((.sha256 | type) != "string") or (.sha256 | test("^[0-9a-f]{64}$") | not))
	) | .file' "$out" >"$work/badshape"
[ ! -s "$work/badshape" ] || fail "objects without the documented fields: $(cat "$work/badshape")"
attachments=$(jq '[.[].attachments | length] | add' "$out")

# --- the manifest's outcomes
# fingerprint a key file verifies with: the first 40-hex string in its row
declare -A key_fpr
while IFS=$'\t' read -r f _ _ _ _ what; do
	case $f in keys/*) key_fpr[$f]=$(grep -oE '[0-9A-F]{40}' <<<"$what" | head -n 1) ;; esac
done <"$manifest"

# verdict, fingerprint, encrypted, decrypted of every file, tab-separated
jq -r '.[] | [.file, .signature.verdict, (.signature.fingerprint // "-"), .encrypted,
    .decrypted] | @tsv' "$out" >"$work/got.tsv"
declare -A verdict fpr encrypted decrypted
while IFS=$'\t' read -r p v fp e d; do
	verdict[$p]=$v fpr[$p]=$fp encrypted[$p]=$e decrypted[$p]=$d
done <"$work/got.tsv"

disagree=()
checked_good=0 checked_notgood=0 checked_unknown=0 checked_enc=0 checked_unsigned=0
while IFS=$'\t' read -r f _ _ _ _ what; do
	case $f in *.eml) ;; *) continue ;; esac
	p=$corpus/$f
	v=${verdict[$p]} fp=${fpr[$p]}
	if [[ $what =~ GOOD\ with\ (keys/[^ ;,]+) ]]; then
		k=${BASH_REMATCH[1]}
		want=${key_fpr[$k]:-}
		[ -n "$want" ] || fail "$f: the manifest's key $k has no fingerprint in its row"
		checked_good=$((checked_good + 1))
		if [ "$v" != good ] || [ "$fp" != "$want" ]; then
			disagree+=("$f: manifest GOOD with $k ($want); clerk: $v by $fp")
		fi
	elif [[ $what == *"No public key"* || $what == *"not verifiable"* ]]; then
		checked_unknown=$((checked_unknown + 1))
		[ "$v" = unknown-key ] ||
		    disagree+=("$f: manifest: no public key in the corpus; clerk: $v by $fp")
	elif [[ $what =~ BAD\ with || $what == *"expected failure"* ]]; then
		checked_notgood=$((checked_notgood + 1))
		[ "$v" != good ] && [ "$v" != unsigned ] ||
		    disagree+=("$f: manifest: signature fails; clerk: $v by $fp")
	elif [[ $f == pgp-encrypted/* || ($f == pgp-inline/* && $what == *ncrypted*) ]]; then
		checked_enc=$((checked_enc + 1))
		if [ "${encrypted[$p]}" != true ] || [ "${decrypted[$p]}" != false ] ||
		    [ "$v" = good ]; then
			disagree+=("$f: manifest: encrypted, no secret key here; clerk:" \
			    "encrypted=${encrypted[$p]} decrypted=${decrypted[$p]} verdict=$v")
		fi
	elif [[ $f == attachments/* || $f == charsets/* || $f == malformed/* ]]; then
		checked_unsigned=$((checked_unsigned + 1))
		[ "$v" = unsigned ] && [ "${encrypted[$p]}" = false ] ||
		    disagree+=("$f: no OpenPGP in this mail; clerk: $v, encrypted=${encrypted[$p]}")
	else
		fail "$f: no expectation can be read from its manifest row; extend this test"
	fi
done <"$manifest"

echo "manifest: $checked_good good, $checked_notgood failing, $checked_unknown unknown-key," \
    "$checked_enc encrypted, $checked_unsigned unsigned checked; $attachments attachments listed" >&2
if [ "${#disagree[@]}" -gt 0 ]; then
	echo "clerk disagrees with MANIFEST.tsv on ${#disagree[@]} mails:" >&2
	printf '  %s\n' "${disagree[@]}" >&2
	exit 1
fi
echo "all ${#files[@]} corpus mails agree with MANIFEST.tsv"
