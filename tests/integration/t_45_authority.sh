#!/bin/bash
# Authority (issue 16): only the right person's signed mail changes
# anything, only what the good signature covers is read, and a signature
# counts once. Each attack an outsider tried, through the real Postfix,
# Dovecot and GnuPG, with the clock stepped by --now (scenario-lib.sh):
#
#   forged_resignation   a resignation from Alice's address signed with Bob's
#                        key is refused (Alice told, the secretary sees it);
#                        an unsigned one waits for Alice's confirmation and
#                        lapses; a reply with a made-up token is not taken;
#                        her own signed one counts, its replay under new
#                        headers does not, her signed withdrawal ends it
#   command_replay       the secretary's signed `paid` re-sent under a new
#                        Message-ID and Date is refused, so is a signature
#                        made 5 days before (whatever the Date header says)
#   partly_signed        (a) an unsigned command line, then "Hi -----BEGIN
#                        PGP SIGNED MESSAGE-----" mid-line, then a real
#                        clearsigned block; (b) the fake BEGIN in one text
#                        part, the real block in the next; (c) encrypted to
#                        the association: the secretary's signed part plus
#                        an unsigned part with a command. Only the signed
#                        lines run; the receipt says the rest was ignored.
#   note_anywhere        `note` on a closed case and an open one, by mail and
#                        by clerkctl
# testbed: fresh
set -euo pipefail
. "$TESTBED_TOOLS/lib.sh"
. "$CLERK_SRCDIR/tests/integration/clerk-lib.sh"
. "$CLERK_SRCDIR/tests/integration/scenario-lib.sh"
tb_load "$1"
work=$(mktemp -d /tmp/clerk-t45.XXXXXX)
trap '[ -n "${CLERK_TEST_KEEP:-}" ] || rm -rf "$work"' EXIT

SEC="FGT Secretary <$ADDR_SECRETARY_FGT>"

# gpg_at TIME ARGS...: gpg with its clock at TIME (a signature's own time)
gpg_at() {
	local when=$1 t
	shift
	t=$(TZ=Europe/Oslo date +%s -d "${when/T/ }")
	gpg --batch --no-tty --quiet --faked-system-time "$t!" "$@" 2>/dev/null
}

# headers FROM SUBJECT DATE MSGID: a mail's header block, CRLF
headers() {
	printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\n' "$1" "$SC_ADDR" "$2"
	printf 'Message-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n' "$4" \
		"$(TZ=Europe/Oslo LC_ALL=C date -R -d "${3/T/ }")"
}

# clearsign_as OFFICER TIME IN OUT: IN clear-signed by the officer at TIME
clearsign_as() {
	local up home_var fpr_var
	up=$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')_FGT
	home_var=GNUPGHOME_$up fpr_var=FPR_$up
	gpg_at "$2" --homedir "${!home_var}" -u "${!fpr_var}" --digest-algo SHA256 \
		--clearsign -o "$4" "$3" || fail "gpg --clearsign as $1"
}

# join an approved member with a pinned key: Alice's signed application
member_alice() {
	local d=$1 app
	sc_form_alice "$d/form.txt"
	sc_mail_signed "$d/app.eml" "Alice Ås <alice@example.test>" "Søknad" \
		2027-03-01T08:00 "$d/form.txt" "$GNUPGHOME_ALICE" "$FPR_ALICE"
	sc_deliver alice@example.test "$d/app.eml"
	sc_run 2027-03-01T09:00
	app=$(sc_ref application alice@example.test)
	sc_ctl 2027-03-01T10:00 approve "$app" student >/dev/null
	sc_run 2027-03-01T10:00
	[ "$(sc_sql "SELECT fingerprint FROM members WHERE email = 'alice@example.test'")" = \
		"$FPR_ALICE" ] || fail "Alice's key is not pinned"
	[ "$(sc_sql "SELECT status FROM members WHERE email = 'alice@example.test'")" = active ] ||
		fail "Alice is not active"
	sc_expect "application_received alice@example.test nb" \
		"application_to_secretary secretary@fgt.test en" \
		"application_welcome alice@example.test nb" "dues_invoice alice@example.test nb"
}

status_of() { sc_sql "SELECT status FROM members WHERE email = '$1'"; }

# ---- 1. resignations that are not Alice's ---------------------------------

forged_resignation() {
	local d=$work/forged res refused lapse own subject
	sc_begin "$d" fgt
	member_alice "$d"
	# Paid up, so that only resignation notices follow.
	sc_ctl 2027-03-01T11:00 paid --as treasurer alice@example.test 1875 >/dev/null
	sc_run 2027-03-01T11:00
	sc_expect "dues_receipt alice@example.test nb"

	echo "forged_resignation: From: Alice, signed with Bob's key: refused, Alice told"
	printf 'Skjema: utmelding\nNavn: Alice Ås\n' >"$d/res.txt"
	sc_mail_signed "$d/forged.eml" "Alice Ås <alice@example.test>" "Utmelding" \
		2027-03-10T08:00 "$d/res.txt" "$GNUPGHOME_BOB" "$FPR_BOB"
	sc_deliver alice@example.test "$d/forged.eml"
	sc_run 2027-03-10T09:00
	refused=$(sc_ref resignation alice@example.test)
	sc_expect "resignation_refused alice@example.test nb"
	sc_grep resignation_refused "10. mars 2027" "fortsatt medlem"
	[ "$(sc_state "$refused")" = refused ] || fail "$refused is $(sc_state "$refused")"
	[ "$(status_of alice@example.test)" = active ] || fail "a forged resignation ended Alice"
	sc_sql "SELECT text FROM digest_items WHERE case_ref = '$refused' AND kind = 'refused'" |
		grep -q "not the member's" || fail "no digest line for the refused resignation"
	[ -z "$(sc_timers "$refused")" ] || fail "timers on a refused resignation: $(sc_timers "$refused")"

	echo "forged_resignation: unsigned: Alice is asked; a made-up token is not taken; it lapses"
	sc_mail "$d/unsigned.eml" "Alice Ås <alice@example.test>" "Utmelding" \
		2027-03-11T08:00 "$d/res.txt"
	sc_deliver alice@example.test "$d/unsigned.eml"
	sc_run 2027-03-11T09:00
	lapse=$(sc_ref resignation alice@example.test 2)
	sc_expect "resignation_confirm alice@example.test nb"
	sc_grep resignation_confirm "[$lapse/" "BEKREFT" "11. mars 2027"
	subject=$(sed -n 's/^Subject: //p' "$(sc_text resignation_confirm)" | head -n 1)
	[ "$(sc_state "$lapse")" = unconfirmed ] || fail "$lapse is $(sc_state "$lapse")"
	# The forger answers for her: without the token (never seen), or with
	# one of their own making.
	printf 'Bekreft\n' >"$d/yes.txt"
	sc_mail "$d/guess1.eml" "Alice Ås <alice@example.test>" "Re: [$lapse] Utmelding" \
		2027-03-11T10:00 "$d/yes.txt"
	sc_mail "$d/guess2.eml" "Alice Ås <alice@example.test>" \
		"Re: [$lapse/AAAAAAAAAAAAAAAA] Bekreft utmeldingen din" 2027-03-11T10:01 "$d/yes.txt"
	sc_deliver alice@example.test "$d/guess1.eml"
	sc_deliver alice@example.test "$d/guess2.eml"
	sc_run 2027-03-11T11:00
	sc_expect
	[ "$(sc_state "$lapse")" = unconfirmed ] || fail "a guessed token confirmed $lapse"
	[ "$(sc_sql "SELECT count(*) FROM mails WHERE state = 1 AND subject LIKE 'Re: [$lapse%'")" = 2 ] ||
		fail "the forged confirmations were not kept for the secretary"
	# The real token, but not from Alice's address: not taken either.
	sc_mail "$d/other.eml" "Bob Example <bob@example.test>" "Re: $subject" \
		2027-03-11T12:00 "$d/yes.txt"
	sc_deliver bob@example.test "$d/other.eml"
	sc_run 2027-03-11T12:30
	[ "$(sc_state "$lapse")" = unconfirmed ] || fail "Bob confirmed Alice's resignation"
	# 14 days (profile.resignation.confirm_within): the timer fires the day after.
	sc_run 2027-03-25T09:00
	[ "$(sc_state "$lapse")" = unconfirmed ] || fail "$lapse lapsed early"
	sc_run 2027-03-26T09:00
	sc_expect
	[ "$(sc_state "$lapse")" = lapsed ] || fail "$lapse is $(sc_state "$lapse"), not lapsed"
	[ "$(status_of alice@example.test)" = active ] || fail "a lapsed resignation ended Alice"
	sc_sql "SELECT text FROM digest_items WHERE case_ref = '$lapse'" | grep -q "lapsed" ||
		fail "no digest line for the lapsed resignation"

	echo "forged_resignation: her own, signed: counts at once; its replay does not"
	sc_mail_signed "$d/own.eml" "Alice Ås <alice@example.test>" "Utmelding" \
		2027-04-01T08:00 "$d/res.txt" "$GNUPGHOME_ALICE" "$FPR_ALICE"
	sc_deliver alice@example.test "$d/own.eml"
	sc_run 2027-04-01T09:00
	own=$(sc_ref resignation alice@example.test 3)
	sc_expect "resignation_received alice@example.test nb"
	sc_grep resignation_received "1. april 2027" "1. mai 2027"
	[ "$(sc_state "$own")" = pending ] || fail "$own is $(sc_state "$own")"
	# The same signed entity under a new Message-ID and Date.
	sed -e "s/^Message-ID: <.*>/Message-ID: <replayed.$RANDOM@example.test>/" \
		-e "s/^Date: .*/Date: $(TZ=Europe/Oslo LC_ALL=C date -R -d '2027-04-02 08:00')\r/" \
		"$d/own.eml" >"$d/replay.eml"
	sc_deliver alice@example.test "$d/replay.eml"
	sc_run 2027-04-02T09:00
	sc_expect
	[ -z "$(sc_ref resignation alice@example.test 4)" ] || fail "the replay opened a case"
	sc_sql "SELECT count(*) FROM events WHERE kind = 'signature-replayed'" | grep -qx 1 ||
		fail "no signature-replayed event"
	sc_sql "SELECT text FROM digest_items WHERE kind = 'refused'" | grep -q "a signed mail counts once" ||
		fail "the replay is not in the digest"

	echo "forged_resignation: Alice withdraws it, signed: the membership goes on"
	printf 'Trekk tilbake\n\nJeg blir likevel.\n' >"$d/withdraw.txt"
	sc_mail_signed "$d/withdraw.eml" "Alice Ås <alice@example.test>" "Re: [$own] Utmelding" \
		2027-04-10T08:00 "$d/withdraw.txt" "$GNUPGHOME_ALICE" "$FPR_ALICE"
	sc_deliver alice@example.test "$d/withdraw.eml"
	sc_run 2027-04-10T09:00
	sc_expect "resignation_withdrawn alice@example.test nb"
	[ "$(sc_state "$own")" = withdrawn ] || fail "$own is $(sc_state "$own")"
	sc_run 2027-05-02T09:00
	sc_expect
	[ "$(status_of alice@example.test)" = active ] || fail "Alice resigned after withdrawing"
	sc_end forged_resignation
}

# ---- 2. a command mail counts once, and only while it is recent -----------

command_replay() {
	local d=$work/replay dues before out
	sc_begin "$d" fgt
	member_alice "$d"
	dues=$(sc_ref dues alice@example.test)

	echo "command_replay: the treasurer's signed paid, then the same signature again"
	sc_command "$d/paid.eml" treasurer 2027-03-02T10:00 "paid $dues 100"
	sc_deliver "$ADDR_TREASURER_FGT" "$d/paid.eml"
	sc_run 2027-03-02T10:05
	sc_expect "dues_receipt alice@example.test nb" "command_receipt treasurer@fgt.test en"
	before=$(sc_sql "SELECT count(*) FROM events WHERE case_ref = '$dues'")
	sed -e "s/^Message-ID: <.*>/Message-ID: <again.$RANDOM@example.test>/" \
		-e "s/^Date: .*/Date: $(TZ=Europe/Oslo LC_ALL=C date -R -d '2027-03-02 11:00')\r/" \
		"$d/paid.eml" >"$d/again.eml"
	sc_deliver "$ADDR_TREASURER_FGT" "$d/again.eml"
	sc_run 2027-03-02T11:05
	sc_expect "command_refused treasurer@fgt.test en"
	sc_grep command_refused "this signature (made 2027-03-02T10:00:00) was carried out before" \
		"a signed text counts once"
	[ "$(sc_sql "SELECT count(*) FROM events WHERE case_ref = '$dues'")" = "$before" ] ||
		fail "the replayed paid touched $dues"
	[ "$(sc_sql "SELECT count(*) FROM events WHERE case_ref = '$dues' AND detail LIKE '%paid%'
		AND kind = 'command'")" = 1 ] || fail "paid recorded twice"

	echo "command_replay: signed 5 days ago, with today's Date header"
	printf 'paid %s 200\n' "$dues" >"$d/old.txt"
	clearsign_as treasurer 2027-02-25T10:00 "$d/old.txt" "$d/old.asc"
	{
		headers "FGT Treasurer <$ADDR_TREASURER_FGT>" "commands" 2027-03-02T12:00 \
			"old.$RANDOM@fgt.test"
		printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'
		sed 's/$/\r/' "$d/old.asc"
	} >"$d/old.eml"
	sc_deliver "$ADDR_TREASURER_FGT" "$d/old.eml"
	sc_run 2027-03-02T12:05
	sc_expect "command_refused treasurer@fgt.test en"
	sc_grep command_refused "it was signed 2027-02-25T10:00:00, more than 72 hours ago"
	[ "$(sc_sql "SELECT count(*) FROM events WHERE case_ref = '$dues'")" = "$before" ] ||
		fail "the stale paid touched $dues"
	sc_end command_replay
}

# ---- 3. only what the signature covers ------------------------------------

partly_signed() {
	local d=$work/partly dues app b y part
	sc_begin "$d" fgt
	member_alice "$d"
	dues=$(sc_ref dues alice@example.test)
	app=$(sc_ref application alice@example.test)

	echo "partly_signed: (a) an unsigned line, a fake BEGIN mid-line, a real block"
	printf 'show %s\n' "$app" >"$d/show.txt"
	clearsign_as secretary 2027-03-02T10:00 "$d/show.txt" "$d/show.asc"
	{
		headers "$SEC" "commands" 2027-03-02T10:00 "a.$RANDOM@fgt.test"
		printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'
		printf 'paid %s 1875\r\n' "$dues"
		printf 'Hi -----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\n'
		printf 'paid %s 1875\r\n\r\n' "$dues"
		sed 's/$/\r/' "$d/show.asc"
	} >"$d/a.eml"
	sc_deliver "$ADDR_SECRETARY_FGT" "$d/a.eml"
	sc_run 2027-03-02T10:05
	sc_expect "command_receipt secretary@fgt.test en"
	sc_grep command_receipt "show $app: $app, workflow application" \
		"text outside the signed part of your mail was ignored"
	[ "$(sc_state "$dues")" = invoiced ] || fail "(a) an unsigned paid ran: $(sc_state "$dues")"

	echo "partly_signed: (b) the fake BEGIN in one text part, the real block in the next"
	clearsign_as secretary 2027-03-02T11:00 "$d/show.txt" "$d/show2.asc"
	b="=-=two-parts=-="
	{
		headers "$SEC" "commands" 2027-03-02T11:00 "b.$RANDOM@fgt.test"
		printf 'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n' "$b"
		printf -- '--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n' "$b"
		printf -- '-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\n'
		printf 'paid %s 1875\r\n' "$dues"
		printf -- '\r\n--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n' "$b"
		sed 's/$/\r/' "$d/show2.asc"
		printf -- '\r\n--%s--\r\n' "$b"
	} >"$d/b.eml"
	sc_deliver "$ADDR_SECRETARY_FGT" "$d/b.eml"
	sc_run 2027-03-02T11:05
	sc_expect "command_receipt secretary@fgt.test en"
	sc_grep command_receipt "show $app: $app, workflow application" \
		"text outside the signed part of your mail was ignored"
	[ "$(sc_state "$dues")" = invoiced ] || fail "(b) an unsigned paid ran: $(sc_state "$dues")"

	echo "partly_signed: (c) encrypted: a signed part and an unsigned part with a command"
	y="=-=signed=-="
	part=$d/c.part
	{
		printf 'Content-Type: text/plain; charset=us-ascii\r\n'
		printf 'Content-Transfer-Encoding: 7bit\r\n\r\n'
		printf 'show %s\r\n' "$app"
	} >"$part"
	gpg_at 2027-03-02T12:00 --homedir "$GNUPGHOME_SECRETARY_FGT" -u "$FPR_SECRETARY_FGT" \
		--armor --detach-sign --digest-algo SHA256 -o "$part.asc" "$part" || fail "sign (c)"
	b="=-=inner=-="
	{
		printf 'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n' "$b"
		printf -- '--%s\r\n' "$b"
		printf 'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
		printf ' protocol="application/pgp-signature"; boundary="%s"\r\n\r\n' "$y"
		printf -- '--%s\r\n' "$y"
		cat "$part"
		printf -- '\r\n--%s\r\nContent-Type: application/pgp-signature\r\n\r\n' "$y"
		sed 's/$/\r/' "$part.asc"
		printf -- '\r\n--%s--\r\n' "$y"
		printf -- '\r\n--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n' "$b"
		printf 'paid %s 1875\r\n' "$dues"
		printf -- '\r\n--%s--\r\n' "$b"
	} >"$d/c.inner"
	gpg --homedir "$GNUPGHOME_SECRETARY_FGT" --batch --no-tty --quiet --trust-model always \
		--armor --encrypt -r "$FPR_CLERK_FGT" -o "$d/c.pgp" "$d/c.inner" || fail "encrypt (c)"
	b="=-=outer=-="
	{
		headers "$SEC" "commands" 2027-03-02T12:00 "c.$RANDOM@fgt.test"
		printf 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted";\r\n'
		printf ' boundary="%s"\r\n\r\n' "$b"
		printf -- '--%s\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n' "$b"
		printf -- '\r\n--%s\r\nContent-Type: application/octet-stream\r\n\r\n' "$b"
		sed 's/$/\r/' "$d/c.pgp"
		printf -- '\r\n--%s--\r\n' "$b"
	} >"$d/c.eml"
	sc_deliver "$ADDR_SECRETARY_FGT" "$d/c.eml"
	sc_run 2027-03-02T12:05
	sc_expect "command_receipt secretary@fgt.test en"
	sc_grep command_receipt "show $app: $app, workflow application" \
		"text outside the signed part of your mail was ignored"
	[ "$(sc_state "$dues")" = invoiced ] || fail "(c) an unsigned paid ran: $(sc_state "$dues")"
	sc_end partly_signed
}

# ---- 4. note, in every state ----------------------------------------------

note_anywhere() {
	local d=$work/note app dues out
	sc_begin "$d" fgt
	member_alice "$d"
	app=$(sc_ref application alice@example.test)
	dues=$(sc_ref dues alice@example.test)
	[ -n "$(sc_sql "SELECT closed FROM cases WHERE ref = '$app'")" ] || fail "$app is open"
	echo "note_anywhere: by mail on a closed case, by clerkctl on an open one"
	sc_command "$d/note.eml" secretary 2027-03-02T10:00 "note $app called her about the form"
	sc_deliver "$ADDR_SECRETARY_FGT" "$d/note.eml"
	sc_run 2027-03-02T10:05
	sc_expect "command_receipt secretary@fgt.test en"
	sc_grep command_receipt "note $app called her about the form: done, noted on $app"
	out=$(sc_ctl 2027-03-02T10:10 note "$dues" asked for an invoice copy)
	grep -qxF "note $dues asked for an invoice copy: done, noted on $dues" <<<"$out" ||
		fail "clerkctl note said: $out"
	[ "$(sc_sql "SELECT group_concat(case_ref || ': ' || detail, ' | ') FROM events
		WHERE kind = 'note' ORDER BY id")" = \
		"$app: secretary: called her about the form | $dues: secretary: asked for an invoice copy" ] ||
		fail "notes: $(sc_sql "SELECT case_ref, detail FROM events WHERE kind = 'note'")"
	[ "$(sc_state "$dues")" = invoiced ] || fail "a note changed $dues"
	sc_end note_anywhere
}

sc_scenario forged_resignation
sc_scenario command_replay
sc_scenario partly_signed
sc_scenario note_anywhere
sc_summary
