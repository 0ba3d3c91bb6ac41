# shellcheck shell=bash
# scenario-lib.sh: the steps of end-to-end scenarios, where people write
# mail through the real Postfix into the association's Dovecot mailbox,
# clerkd runs one cycle at a time with the clock fixed by --now, and every
# notice it sends is fetched from its recipient's mailbox and checked.
# Source after tests/testbed/lib.sh, clerk-lib.sh and tb_load; then
#
#   sc_begin DIR PROFILE       a clerk of its own for PROFILE (fgt asrt ntp):
#                              DIR/clerk.conf and its database; sets SC_DIR
#                              SC_CONF SC_DB SC_ADDR (clerk@PROFILE.test)
#                              SC_FPR (the association key)
# Mails (every line CRLF; DATE is the time of the scenario, YYYY-MM-DDTHH:MM
# in the association's time zone, and becomes the Date header):
#   sc_form_alice FILE         Alice Ås's FGT application form (nb, student)
#   sc_mail OUT FROM SUBJECT DATE BODY [FILE...]
#                              text/plain UTF-8 BODY (a file), with FILEs
#                              attached (type from .pdf .jpg .png)
#   sc_mail_html OUT FROM SUBJECT DATE HTML
#                              text/html only, quoted-printable
#   sc_mail_signed OUT FROM SUBJECT DATE BODY HOME FPR
#                              PGP/MIME (RFC 3156) signed by FPR in HOME
#   sc_command OUT OFFICER DATE LINE...
#                              officer commands, clear-signed with the
#                              officer's key; OFFICER: secretary treasurer
#   sc_deliver FROM FILE       through the MX into SC_ADDR's INBOX; waits
# The clerk:
#   sc_run TIME                clerkd --once --now TIME; then every notice it
#                              sent is fetched and checked (sc_check_notice)
#   sc_ctl TIME VERB ARGS...   clerkctl VERB --now TIME ARGS (an officer
#                              command from the command line; its notices
#                              leave with the next sc_run)
#   sc_expect "TEMPLATE TO LANG" ...
#                              the notices sent since the last sc_expect are
#                              exactly these, in this order (digests aside)
#   sc_text TEMPLATE [TO]      the decoded subject and text of the last notice
#                              TEMPLATE (to TO) of the last sc_expect
#   sc_grep TEMPLATE[/TO] TEXT...
#                              each TEXT (a fixed string) is in that notice
#   sc_sql SQL                 a query on the clerk's database
#   sc_state REF               the case's state
#   sc_timers REF              the case's pending timers: name@due ...
#   sc_ref WORKFLOW EMAIL [N]  the reference of EMAIL's Nth (1) case of WORKFLOW
#   sc_check TEXT COND...      a check that does not stop the scenario: runs
#                              COND; when it fails, TEXT is reported and the
#                              scenario fails at its end (sc_end)
#   sc_end NAME                prints "NAME: ok", or fails with every
#                              sc_check that did not hold
#   sc_scenario FUNCTION       runs FUNCTION in a subshell and records its
#                              result; sc_summary exits 1 if any failed
#
# Each notice is checked: it left the outbox (state sent), reached its
# recipient's INBOX (found by its Message-ID), names the recipient in To:,
# carries [REF] in its subject when it belongs to a case, is PGP/MIME signed
# (and encrypted to the recipient's key when clerk pinned one for them)
# and 7-bit with an Auto-Submitted header, its signature is good by the
# association's key in the recipient's own key ring (clerkctl inspect --json
# with a configuration whose [openpgp] home is the recipient's GnuPG home),
# and its decoded text is in the language the event log names (a word of
# that language).

SC_SOFT=()
SC_FAILED=()
SC_Q=()		# "template to lang ref file" of the notices since sc_expect (ref - if none)
SC_LAST=()	# the same, of the last sc_expect
SC_SEEN=0	# the last outbox row fetched

sc_begin() {
	local dir=$1 profile=$2 up fpr_var
	up=$(printf '%s' "$profile" | tr '[:lower:]' '[:upper:]')
	fpr_var=FPR_CLERK_$up
	SC_DIR=$dir
	SC_CONF=$(clerk_conf "$dir/clerk" "$profile")
	SC_DB=$dir/clerk/clerk.db
	SC_ADDR=clerk@$profile.test
	SC_FPR=${!fpr_var}
	SC_SEEN=0
	SC_Q=()
	SC_LAST=()
	SC_SOFT=()
	mkdir -p "$dir/mail" "$dir/views"
	: >"$dir/clerkd.log"
}

# ---- mails ----

# _sc_date TIME: the Date header for TIME in the association's zone
_sc_date() {
	TZ=Europe/Oslo LC_ALL=C date -R -d "${1/T/ }"
}

# _sc_hdr TEXT: an RFC 2047 encoded word when TEXT is not ASCII
_sc_hdr() {
	if LC_ALL=C grep -q '[^ -~]' <<<"$1"; then
		printf '=?UTF-8?B?%s?=' "$(printf '%s' "$1" | base64 -w 0)"
	else
		printf '%s' "$1"
	fi
}

# _sc_from FROM: "Name <addr>" with the name encoded when not ASCII
_sc_from() {
	local name=${1%%<*} addr
	addr=${1##*<}
	addr=${addr%>}
	name=${name% }
	if [ "$name" = "$1" ] || [ -z "$name" ]; then
		printf '%s' "$1"
	else
		printf '%s <%s>' "$(_sc_hdr "$name")" "$addr"
	fi
}

_sc_headers() {	# _sc_headers FROM SUBJECT DATE
	printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\n' "$(_sc_from "$1")" "$SC_ADDR" "$(_sc_hdr "$2")"
	printf 'Message-ID: <%s.%s.%s@example.test>\r\nDate: %s\r\nMIME-Version: 1.0\r\n' \
		"$(date +%s%N)" "$RANDOM" "$$" "$(_sc_date "$3")"
}

_sc_crlf() { sed 's/\r*$/\r/' "$@"; }

# _sc_gpg_time TIME: gpg options that date a signature at TIME (its own
# creation time is what clerk checks, not the Date header); none for a
# time before now, when the key did not exist yet.
_sc_gpg_time() {
	local t
	t=$(TZ=Europe/Oslo date +%s -d "${1/T/ }")
	[ "$t" -gt "$(date +%s)" ] && printf -- '--faked-system-time\n%s!\n' "$t"
	return 0
}

# _sc_qp FILE: FILE as quoted-printable with CRLF lines
_sc_qp() {
	perl -MMIME::QuotedPrint -0777 -ne 's/\r\n/\n/g; my $q = encode_qp($_, "\r\n"); print $q;' "$1"
}

# sc_form_alice FILE: Alice Ås's FGT application, a student, in Norwegian
sc_form_alice() {
	cat >"$1" <<'FORM'
Hei,

her er søknaden min.

Skjema: søknad
Navn: Alice Ås
E-post: alice@example.test
Kategori: student
Utdanning: Norsk Gestaltinstitutt, 2024-2028
Eksamensdato: 15.06.2028
Jeg godtar de etiske retningslinjene: ja

-- 
Alice
FORM
}

sc_mail() {
	local out=$1 from=$2 subject=$3 when=$4 body=$5 b=clerk-scenario-boundary f type
	shift 5
	{
		_sc_headers "$from" "$subject" "$when"
		if [ $# -eq 0 ]; then
			printf 'Content-Type: text/plain; charset=utf-8\r\n'
			printf 'Content-Transfer-Encoding: 8bit\r\n\r\n'
			_sc_crlf "$body"
		else
			printf 'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n' "$b"
			printf -- '--%s\r\nContent-Type: text/plain; charset=utf-8\r\n' "$b"
			printf 'Content-Transfer-Encoding: 8bit\r\n\r\n'
			_sc_crlf "$body"
			for f in "$@"; do
				case $f in
				*.pdf) type=application/pdf ;;
				*.jpg) type=image/jpeg ;;
				*.png) type=image/png ;;
				*) type=application/octet-stream ;;
				esac
				printf '\r\n--%s\r\nContent-Type: %s; name="%s"\r\n' "$b" "$type" \
					"$(basename "$f")"
				printf 'Content-Disposition: attachment; filename="%s"\r\n' "$(basename "$f")"
				printf 'Content-Transfer-Encoding: base64\r\n\r\n'
				base64 -w 76 "$f" | _sc_crlf
			done
			printf '\r\n--%s--\r\n' "$b"
		fi
	} >"$out"
}

sc_mail_html() {
	local out=$1 from=$2 subject=$3 when=$4 html=$5
	{
		_sc_headers "$from" "$subject" "$when"
		printf 'Content-Type: text/html; charset=utf-8\r\n'
		printf 'Content-Transfer-Encoding: quoted-printable\r\n\r\n'
		_sc_qp "$html"
	} >"$out"
}

sc_mail_signed() {
	local out=$1 from=$2 subject=$3 when=$4 body=$5 home=$6 fpr=$7 b part faked
	b="=-=clerk-signed-$RANDOM=-="
	part=$(mktemp "$SC_DIR/mail/part.XXXXXX")
	# The signed entity, byte for byte as it goes between the boundaries.
	{
		printf 'Content-Type: text/plain; charset=utf-8\r\n'
		printf 'Content-Transfer-Encoding: quoted-printable\r\n\r\n'
		_sc_qp "$body"
	} >"$part"
	mapfile -t faked < <(_sc_gpg_time "$when")
	gpg --homedir "$home" --batch --no-tty --quiet "${faked[@]}" --armor --detach-sign \
		--digest-algo SHA256 -u "$fpr" -o "$part.asc" "$part" 2>/dev/null ||
		fail "gpg could not sign with $fpr"
	{
		_sc_headers "$from" "$subject" "$when"
		printf 'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
		printf ' protocol="application/pgp-signature"; boundary="%s"\r\n\r\n' "$b"
		printf 'This is an OpenPGP/MIME signed message (RFC 4880 and 3156).\r\n'
		printf -- '--%s\r\n' "$b"
		cat "$part"
		printf '\r\n--%s\r\n' "$b"
		printf 'Content-Type: application/pgp-signature; name="signature.asc"\r\n'
		printf 'Content-Disposition: attachment; filename="signature.asc"\r\n\r\n'
		_sc_crlf "$part.asc"
		printf '\r\n--%s--\r\n' "$b"
	} >"$out"
	rm -f "$part" "$part.asc"
}

sc_command() {
	local out=$1 officer=$2 when=$3 up addr_var home_var fpr_var text faked
	shift 3
	up=$(printf '%s' "$officer" | tr '[:lower:]' '[:upper:]')_FGT
	addr_var=ADDR_$up home_var=GNUPGHOME_$up fpr_var=FPR_$up
	text=$(mktemp "$SC_DIR/mail/cmd.XXXXXX")
	printf '%s\n' "$@" >"$text"
	mapfile -t faked < <(_sc_gpg_time "$when")
	gpg --homedir "${!home_var}" --batch --no-tty --quiet "${faked[@]}" --clearsign \
		--digest-algo SHA256 -u "${!fpr_var}" -o "$text.asc" "$text" 2>/dev/null ||
		fail "gpg could not clear-sign for the $officer"
	{
		_sc_headers "$officer <${!addr_var}>" "commands" "$when"
		printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'
		_sc_crlf "$text.asc"
	} >"$out"
	rm -f "$text" "$text.asc"
}

sc_deliver() {
	local from=$1 file=$2 before
	before=$(tb_imap_count "$SC_ADDR" INBOX)
	bash "$TESTBED_TOOLS/send-mail.sh" "$TESTBED_DIR/env" "$from" "$SC_ADDR" "$file" >/dev/null ||
		fail "the MX refused the mail $file from $from"
	bash "$TESTBED_TOOLS/wait-for-mail.sh" "$TESTBED_DIR/env" "$SC_ADDR" INBOX \
		$((before + 1)) 20 >/dev/null || fail "$file did not reach $SC_ADDR"
}

# ---- the clerk ----

sc_sql() { sqlite3 -batch -noheader "$SC_DB" "$1"; }
sc_state() { sc_sql "SELECT state FROM cases WHERE ref = '$1'"; }

# sc_timers REF: the case's pending timers, "name@due" in order of due time
sc_timers() {
	sc_sql "SELECT group_concat(x, ' ') FROM (SELECT t.name || '@' || t.due AS x
		FROM timers t JOIN cases c ON c.id = t.case_id
		WHERE c.ref = '$1' AND t.state = 0 ORDER BY t.due, t.name)"
}

sc_ref() {
	sc_sql "SELECT ref FROM cases WHERE workflow = '$1' AND email = '$2'
		ORDER BY id LIMIT 1 OFFSET $(( ${3:-1} - 1 ))"
}

sc_run() {
	printf '==== clerkd --once --now %s\n' "$1" >>"$SC_DIR/clerkd.log"
	clerkd -c "$SC_CONF" --once --now "$1" >>"$SC_DIR/clerkd.log" 2>&1 ||
		{ tail -n 40 "$SC_DIR/clerkd.log" >&2; fail "clerkd --once --now $1 failed"; }
	_sc_collect "$1"
}

sc_ctl() {
	local when=$1 verb=$2 out
	shift 2
	out=$(clerkctl -c "$SC_CONF" "$verb" --now "$when" "$@" 2>&1) ||
		fail "clerkctl $verb $* at $when: $out"
	printf '%s\n' "$out"
}

# _sc_home ADDR: ADDR's own GnuPG home (the test bed's)
_sc_home() {
	local name home_var
	name=$(printf '%s' "${1%%@*}" | tr '[:lower:]' '[:upper:]')
	case $1 in
	*@example.test) ;;
	*) name=${name}_$(printf '%s' "${1#*@}" | sed 's/\.test$//' | tr '[:lower:]' '[:upper:]') ;;
	esac
	home_var=GNUPGHOME_$name
	[ -n "${!home_var:-}" ] || fail "no GnuPG home for $1"
	printf '%s\n' "${!home_var}"
}

# _sc_view ADDR: a configuration that reads mail with ADDR's own key ring
_sc_view() {
	local home dir
	home=$(_sc_home "$1")
	dir=$SC_DIR/views/$(basename "$home")
	if [ ! -f "$dir/clerk.conf" ]; then
		mkdir -p "$dir"
		sed "s|^home = .*|home = $home|; s|^database = .*|database = $dir/view.db|" \
			"$SC_CONF" >"$dir/clerk.conf"
	fi
	printf '%s\n' "$dir/clerk.conf"
}

# _sc_decode RAW OUT: "Subject: ...", "To: ..." and the text parts, decoded
_sc_decode() {
	perl -e '
use strict; use warnings;
use MIME::QuotedPrint; use MIME::Base64; use Encode;
local $/; my $raw = <STDIN>; $raw =~ s/\r\n/\n/g;
binmode STDOUT, ":encoding(UTF-8)";
sub split_entity {
	my ($e) = @_;
	my ($h, $b) = split /\n\n/, $e, 2;
	$b = "" unless defined $b;
	$h =~ s/\n[ \t]+/ /g;
	my %h;
	for (split /\n/, $h) { $h{lc $1} = $2 if /^([^:\s]+):\s*(.*)$/; }
	return (\%h, $b);
}
sub walk {
	my ($e) = @_;
	my ($h, $b) = split_entity($e);
	my $ct = $h->{"content-type"} // "text/plain";
	if ($ct =~ m{^multipart/}i) {
		my ($bd) = $ct =~ /boundary="?([^";]+)"?/i or return;
		my @parts = split /^--\Q$bd\E(?:--)?[ \t]*\n/m, $b;
		shift @parts;
		walk($_) for @parts;
		return;
	}
	return unless $ct =~ m{^text/(plain|html)}i;
	return if ($h->{"content-disposition"} // "") =~ /^attachment/i;
	my $cte = lc($h->{"content-transfer-encoding"} // "7bit");
	$b = decode_qp($b) if $cte eq "quoted-printable";
	$b = decode_base64($b) if $cte eq "base64";
	my ($cs) = $ct =~ /charset="?([^";\s]+)"?/i;
	print decode($cs // "us-ascii", $b), "\n";
}
my ($h) = split_entity($raw);
print "Subject: ", decode("MIME-Header", $h->{subject} // ""), "\n";
print "To: ", decode("MIME-Header", $h->{to} // ""), "\n\n";
walk($raw);
' <"$1" >"$2"
}

# Words that only a text in that language has (closings, greetings, the
# words of the notices' subjects).
_sc_lang_words() {
	case $1 in
	nb) echo 'vennlig hilsen|Hei |søknad|Søknad|kontingent|medlemskap|utmelding' ;;
	da) echo 'venlig hilsen|Kære |ansøgning|Ansøgning|kontingent|medlemskab|udmeldelse' ;;
	nl) echo 'vriendelijke groet|Beste |aanvraag|lidmaatschap|contributie|opzegging' ;;
	en) echo 'Kind regards|Dear |Hello|application|dues|membership|resignation' ;;
	*) echo 'NO-SUCH-LANGUAGE' ;;
	esac
}

# sc_check_notice OUTBOX-ID: the checks every notice passes (see the head)
sc_check_notice() {
	local row id tmpl to ref msgid state lang uid raw txt json view words pinned signed
	row=$(sc_sql "SELECT id, kind, recipient, coalesce(case_ref, ''), message_id, state
		FROM outbox WHERE id = $1")
	IFS='|' read -r id tmpl to ref msgid state <<<"$row"
	[ "$state" = 1 ] || fail "notice $tmpl to $to (outbox $id) was not sent: state $state"
	# A notice held unsigned first says its language when it is held.
	lang=$(sc_sql "SELECT detail FROM events WHERE kind IN ('notice-queued', 'notice-held')
		AND detail LIKE '%message-id=$msgid %'" | sed -n 's/.* lang=\([a-z]*\) .*/\1/p')
	[ -n "$lang" ] || fail "notice $tmpl to $to: no notice-queued event names its language"
	uid=
	for _ in $(seq 1 100); do
		uid=$(tb_imap "$to" INBOX -X "UID SEARCH HEADER Message-ID \"<$msgid>\"" |
			tr -d '\r' | sed -n 's/^\* SEARCH *//p' | awk '{ print $1 }')
		[ -n "$uid" ] && break
		sleep 0.2
	done
	[ -n "$uid" ] || fail "notice $tmpl <$msgid> never reached $to"
	raw=$SC_DIR/mail/$id-$tmpl.eml
	txt=$SC_DIR/mail/$id-$tmpl.txt
	tb_imap_fetch "$to" INBOX "$uid" >"$raw"
	grep -qi "^To:.*$to" "$raw" || fail "notice $tmpl to $to: To: is $(grep -m1 -i '^To:' "$raw")"
	# To a person whose key clerk pinned: signed, then encrypted to that
	# key (RFC 3156 6.1); read with the recipient's own key ring.
	pinned=$(sc_sql "SELECT coalesce(fingerprint, '') FROM members WHERE email = '$to'")
	signed=$raw
	if grep -qi '^Content-Type: multipart/encrypted' "$raw"; then
		signed=$SC_DIR/mail/$id-$tmpl.inner
		{
			awk '/^\r?$/ { exit } /^[ \t]/ { if (keep) print; next }
			    { keep = tolower($0) ~ /^(subject|to):/; if (keep) print }' "$raw"
			gpg --homedir "$(_sc_home "$to")" --batch --no-tty --quiet --decrypt "$raw" \
				2>/dev/null || fail "notice $tmpl to $to: $to cannot decrypt it"
		} >"$signed"
	elif [ -n "$pinned" ]; then
		fail "notice $tmpl to $to is not encrypted, though clerk holds $to's key $pinned"
	fi
	_sc_decode "$signed" "$txt" || fail "notice $tmpl to $to: cannot decode $raw"
	if [ -n "$ref" ]; then
		grep -q "^Subject: .*\[$ref[]/]" "$txt" ||
			fail "notice $tmpl to $to: no [$ref] in the subject: $(head -n 1 "$txt")"
	fi
	grep -qi '^Content-Type: multipart/signed' "$signed" ||
		fail "notice $tmpl to $to is not PGP/MIME signed"
	grep -qi 'protocol="application/pgp-signature"' "$signed" ||
		fail "notice $tmpl to $to: not an OpenPGP signature"
	grep -q '^Auto-Submitted: auto-' "$raw" || fail "notice $tmpl to $to has no Auto-Submitted"
	LC_ALL=C grep -q -P '[\x80-\xff]' "$raw" && fail "notice $tmpl to $to is not 7-bit"
	view=$(_sc_view "$to")
	json=$(clerkctl -c "$view" inspect --json "$raw") ||
		fail "notice $tmpl to $to: clerkctl inspect failed"
	grep -q '"verdict":"good"' <<<"$json" ||
		fail "notice $tmpl to $to: signature not good in $to's key ring: $json"
	grep -q "\"fingerprint\":\"$SC_FPR\"" <<<"$json" ||
		fail "notice $tmpl to $to is not signed by the association key $SC_FPR: $json"
	words=$(_sc_lang_words "$lang")
	grep -qE "$words" "$txt" ||
		fail "notice $tmpl to $to: no word of language $lang in: $(head -c 400 "$txt")"
	SC_Q+=("$tmpl $to $lang ${ref:--} $txt")
}

_sc_collect() {
	local id
	for id in $(sc_sql "SELECT id FROM outbox WHERE id > $SC_SEEN ORDER BY id"); do
		sc_check_notice "$id"
		SC_SEEN=$id
	done
	return 0
}

sc_expect() {
	local got=() want=("$@") e t to lang _rest
	for e in "${SC_Q[@]}"; do
		read -r t to lang _rest <<<"$e"
		[ "$t" = digest ] || got+=("$t $to $lang")
	done
	if [ "${got[*]}" != "${want[*]}" ]; then
		printf 'expected notices:\n' >&2
		printf '  %s\n' "${want[@]}" >&2
		printf 'sent:\n' >&2
		printf '  %s\n' "${got[@]}" >&2
		fail "not the expected notices (see above)"
	fi
	SC_LAST=("${SC_Q[@]}")
	SC_Q=()
}

sc_text() {
	local e t to _lang _ref file found=
	for e in "${SC_LAST[@]}"; do
		read -r t to _lang _ref file <<<"$e"
		[ "$t" = "$1" ] || continue
		[ -z "${2:-}" ] || [ "$to" = "$2" ] || continue
		found=$file
	done
	[ -n "$found" ] || fail "no notice $1${2:+ to $2} among the last ones"
	printf '%s\n' "$found"
}

sc_grep() {
	local f t=${1%%/*} to=
	[ "$1" = "$t" ] || to=${1#*/}
	f=$(sc_text "$t" "$to")
	shift
	for s in "$@"; do
		grep -qF -- "$s" "$f" || fail "notice $t lacks '$s':
$(cat "$f")"
	done
}

sc_check() {
	local what=$1
	shift
	if ! "$@" >/dev/null 2>&1; then
		SC_SOFT+=("$what")
		printf 'CHECK FAILED: %s\n' "$what" >&2
	fi
	return 0
}

sc_end() {
	if [ "${#SC_SOFT[@]}" -gt 0 ]; then
		printf '%s: %d check(s) failed:\n' "$1" "${#SC_SOFT[@]}" >&2
		printf '  - %s\n' "${SC_SOFT[@]}" >&2
		exit 1
	fi
	printf '%s: ok\n' "$1"
}

sc_scenario() {
	local rc
	# Not under `if`: that would switch errexit off inside the subshell.
	set +e
	(
		set -e
		"$@"
	)
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		SC_FAILED+=("$1")
		printf '%s: FAILED\n' "$1"
	fi
}

sc_summary() {
	if [ "${#SC_FAILED[@]}" -gt 0 ]; then
		fail "scenarios failed: ${SC_FAILED[*]}"
	fi
}
