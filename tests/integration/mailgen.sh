# shellcheck shell=bash
# mailgen.sh: mails with exact CRLF bytes for tests and benchmarks that feed
# clerk. Source it; the signing functions need a test bed loaded (tb_load).
#
#   mg_plain OUT ID SUBJECT [FROM]     a plain text/plain mail
#   mg_form OUT ID LANG [FROM]         an unsigned form in LANG (en nb da nl):
#                                      a pfo report (en, nl) or an application
#                                      (nb, da); quoted-printable UTF-8
#   mg_signed_application OUT ID HOME FPR FROM NAME
#                                      a PGP/MIME (RFC 3156) signed application
#                                      form, signed by FPR in GnuPG home HOME
#   mg_tag IN OUT HEADER               IN with the header line HEADER put first
#                                      (in IN's own line endings)
# ID becomes the Message-ID <ID@example.test>. Every line ends in CRLF;
# bodies are 7-bit, as RFC 3156 wants for signed data.

# _mg_lines LINE...: each argument as one CRLF line
_mg_lines() { printf '%s\r\n' "$@"; }

_mg_headers() {	# _mg_headers FROM ID SUBJECT
	_mg_lines "From: $1" "To: FGT Clerk <clerk@fgt.test>" "Subject: $3" \
	    "Message-ID: <$2@example.test>" "Date: Mon, 01 Feb 2027 08:00:00 +0100" \
	    "MIME-Version: 1.0"
}

mg_plain() {
	local out=$1 id=$2 subject=$3 from=${4:-Alice Example <alice@example.test>}
	{
		_mg_headers "$from" "$id" "$subject"
		_mg_lines "Content-Type: text/plain; charset=us-ascii" \
		    "Content-Transfer-Encoding: 7bit" "" "Hello," "" \
		    "a question about the next meeting ($id)." "." ".. a dot line" \
		    "" "Regards," "Alice"
	} >"$out"
}

mg_form() {
	local out=$1 id=$2 lang=$3 from=${4:-Alice Example <alice@example.test>}
	{
		_mg_headers "$from" "$id" "Form $id"
		_mg_lines "Content-Type: text/plain; charset=utf-8" \
		    "Content-Transfer-Encoding: quoted-printable" ""
		case $lang in
		en) _mg_lines "Form: pfo" "Name: Alice Example" "Year: 2026" \
		    "Courses: 12,5" "Supervision: 8" "Conferences: 4.5" "" "-- " "Alice" ;;
		nb) _mg_lines "Skjema: s=C3=B8knad" "Navn: Alice Example" \
		    "E-post: alice@example.test" "Kategori: student" \
		    "Utdanning: Norsk Gestaltinstitutt" \
		    "Jeg godtar de etiske retningslinjene: ja" \
		    "Jeg er aldri siktet eller d=C3=B8mt: ja" ;;
		da) _mg_lines "Skema: ans=C3=B8gning" "Navn: Alice Example" \
		    "E-mail: alice@example.test" "Kategori: student" \
		    "Jeg accepterer de etiske retningslinjer: ja" \
		    "Jeg er aldrig anklaget eller straffet: ja" ;;
		nl) _mg_lines "Formulier: bijscholing" "Naam: Alice Example" "Jaar: 2026" \
		    "Cursussen: 10" "Supervisie: 6,5" "Congressen: 3" ;;
		*) printf 'mg_form: no such language: %s\n' "$lang" >&2; return 1 ;;
		esac
	} >"$out"
}

mg_signed_application() {
	local out=$1 id=$2 home=$3 fpr=$4 from=$5 name=$6 part sig b addr
	addr=${from##*<}
	addr=${addr%>}
	part=$(mktemp /tmp/clerk-mg.XXXXXX)
	sig=$part.asc
	b="=-=signed-$id=-="
	# The signed entity: what lies between the first boundary line and the
	# CRLF before the next one, byte for byte.
	_mg_lines "Content-Type: text/plain; charset=us-ascii" \
	    "Content-Transfer-Encoding: 7bit" "" "Form: application" "Name: $name" \
	    "Email: $addr" "Category: student" "Education: Gestalt Institute, 2025" \
	    "I accept the ethics rules: yes" "I have never been charged or convicted: yes" \
	    "" "-- " "$name" >"$part"
	if ! gpg --homedir "$home" --batch --no-tty --quiet --armor --detach-sign \
	    --digest-algo SHA256 -u "$fpr" -o "$sig" "$part"; then
		rm -f "$part" "$sig"
		printf 'mg_signed_application: gpg could not sign with %s\n' "$fpr" >&2
		return 1
	fi
	{
		_mg_headers "$from" "$id" "Application $id"
		_mg_lines "Content-Type: multipart/signed; micalg=pgp-sha256;" \
		    " protocol=\"application/pgp-signature\"; boundary=\"$b\"" "" \
		    "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)." "--$b"
		cat "$part"
		_mg_lines "" "--$b" \
		    "Content-Type: application/pgp-signature; name=\"signature.asc\"" \
		    "Content-Description: OpenPGP digital signature" \
		    "Content-Disposition: attachment; filename=\"signature.asc\"" ""
		sed 's/$/\r/' "$sig"
		_mg_lines "" "--$b--"
	} >"$out"
	# MG_KEEP=DIR keeps the signed entity and the signature as DIR/ID.part
	# and DIR/ID.sig (the benchmark's OpenPGP floor verifies them).
	if [ -n "${MG_KEEP:-}" ]; then
		cp "$part" "$MG_KEEP/$id.part"
		cp "$sig" "$MG_KEEP/$id.sig"
	fi
	rm -f "$part" "$sig"
}

mg_tag() {
	local in=$1 out=$2 header=$3
	if head -n 1 "$in" | grep -q $'\r$'; then
		printf '%s\r\n' "$header" >"$out"
	else
		printf '%s\n' "$header" >"$out"
	fi
	cat "$in" >>"$out"
}
