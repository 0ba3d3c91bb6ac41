#!/bin/bash
# Membership and dues end to end (issue 6 item 5), through the real Postfix
# and Dovecot, with the clock stepped by --now; every notice clerk sends is
# fetched from its recipient's mailbox and checked (scenario-lib.sh): the
# recipient, the case reference, the language, a good signature by the
# association's key; amounts and dates where the notice has them.
#
#   fgt_student_year     an FGT student's year: applies unsigned, reminded,
#                        sends the form signed with OpenPGP, approved,
#                        invoiced half dues, clerkd off for 18 days across
#                        the reminder and the due date (each timer fires once,
#                        in order, as if on time), pays; next year's invoice
#                        unpaid, reminders, removed for non-payment
#   asrt_student_august  an ASRT student joining in August: DKK 125,00, in
#                        Danish; approved by a signed command mail
#   ntp_html_aspirant    an NTP aspirant's HTML-only mail in Dutch
#   fgt_resignation      two FGT members resign owing dues, one signed with
#                        his pinned key, one unsigned and confirmed by reply:
#                        acknowledged, waits, told what is owed, pays,
#                        resignation effective
# testbed: fresh
set -euo pipefail
. "$TESTBED_TOOLS/lib.sh"
. "$CLERK_SRCDIR/tests/integration/clerk-lib.sh"
. "$CLERK_SRCDIR/tests/integration/scenario-lib.sh"
tb_load "$1"
work=$(mktemp -d /tmp/clerk-t60.XXXXXX)
trap '[ -n "${CLERK_TEST_KEEP:-}" ] || rm -rf "$work"' EXIT

# A scan of a signed paper form: a real (tiny) PDF.
scan_pdf() {
	printf '%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' >"$1"
	printf '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' >>"$1"
	printf 'trailer << /Root 1 0 R >>\n%%%%EOF\n' >>"$1"
}

# Photos of a signed form: a 1x1 JPEG and a 1x1 PNG.
scan_jpg() {
	base64 -d >"$1" <<'B64'
/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////
////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAA
AAAAAAAAAAAAAP/aAAgBAQABPxA=
B64
}
scan_png() {
	base64 -d >"$1" <<'B64'
iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6
kgAAAABJRU5ErkJggg==
B64
}

# ---- 1. a year in the life of an FGT student ------------------------------

fgt_student_year() {
	local d=$work/fgt-year app dues dues2 dipl out
	sc_begin "$d" fgt
	echo "fgt_student_year: 2 August 2027, an application without a signature"
	sc_form_alice "$d/form.txt"
	sc_mail "$d/a1.eml" "Alice Ås <alice@example.test>" "Søknad om medlemskap" \
		2027-08-02T08:40 "$d/form.txt"
	sc_deliver alice@example.test "$d/a1.eml"
	sc_run 2027-08-02T09:00
	app=$(sc_ref application alice@example.test)
	[ "$app" = FGT-2027-0001 ] || fail "application case: '$app'"
	sc_expect "application_received alice@example.test nb" \
		"application_missing alice@example.test nb"
	sc_grep application_received "Hei Alice Ås" "$app" "2. august 2027"
	# 14 days to complete: Monday 16 August 2027.
	sc_grep application_missing "OpenPGP" "16. august 2027"
	[ "$(sc_state "$app")" = incomplete ] || fail "$app is $(sc_state "$app")"

	echo "fgt_student_year: reminded 3 days before the deadline"
	sc_run 2027-08-12T09:00
	sc_expect
	sc_run 2027-08-13T09:00
	sc_expect "application_reminder alice@example.test nb"
	sc_grep application_reminder "$app" "16. august 2027"

	echo "fgt_student_year: the form again, signed with Alice's OpenPGP key"
	sc_mail_signed "$d/a2.eml" "Alice Ås <alice@example.test>" \
		"Re: [$app] Søknad om medlemskap" 2027-08-14T10:00 "$d/form.txt" \
		"$GNUPGHOME_ALICE" "$FPR_ALICE"
	sc_deliver alice@example.test "$d/a2.eml"
	sc_run 2027-08-14T10:05
	sc_expect "application_to_secretary secretary@fgt.test en"
	sc_grep application_to_secretary "$app" "Alice Ås" "alice@example.test" "approve $app"
	[ "$(sc_state "$app")" = with_secretary ] || fail "$app is $(sc_state "$app")"
	sc_run 2027-08-15T09:00
	sc_expect

	echo "fgt_student_year: approved as a student on 16 August: welcome and half dues"
	out=$(sc_ctl 2027-08-16T10:00 approve "$app" student)
	grep -qF "done, $app (application) is now approved" <<<"$out" || fail "approve: $out"
	sc_run 2027-08-16T10:00
	sc_expect "application_welcome alice@example.test nb" "dues_invoice alice@example.test nb"
	dues=$(sc_ref dues alice@example.test)
	dipl=$(sc_ref diploma alice@example.test)
	[ "$dues" = FGT-2027-0002 ] && [ "$dipl" = FGT-2027-0003 ] ||
		fail "dues case '$dues', diploma case '$dipl'"
	sc_grep application_welcome "$app" "Alice Ås"
	sc_check "the welcome names the category in Norwegian (Studentmedlem)" \
		grep -qF Studentmedlem "$(sc_text application_welcome)"
	# 2500.00 x 75 % = 1875.00, halved after 1 July = 937.50, whole kroner:
	# NOK 938,00; due 14 days after sending, Monday 30 August 2027.
	sc_grep dues_invoice "[$dues]" "Medlemskontingent 2027" "Beløp: NOK 938,00" \
		"andre halvår" "Forfallsdato: 30. august 2027" "Melding til mottaker: $dues" \
		"ansvarsforsikring"
	[ "$(sc_sql "SELECT status || ' ' || category FROM members
		WHERE email = 'alice@example.test'")" = "active student" ] ||
		fail "alice is not an active student member"
	sc_check "the key that signed the application is pinned to the member" \
		test "$(sc_sql "SELECT fingerprint FROM members
			WHERE email = 'alice@example.test'")" = "$FPR_ALICE"
	# The reminder at 08:00 three days before, the due timer the day after.
	out=$(sc_timers "$dues")
	[ "$out" = "due/remind/1@2027-08-27T08:00:00 due@2027-08-31T08:00:00" ] ||
		fail "dues timers: $out"

	echo "fgt_student_year: clerkd off from 16 August to 3 September"
	sc_run 2027-09-03T09:00
	# Due while it was off: the reminder (27 Aug), then the due date (31
	# Aug: insurance not in force, first reminder); each once, in order.
	sc_expect "dues_reminder alice@example.test nb" \
		"dues_insurance_lapsed alice@example.test nb" "dues_reminder alice@example.test nb"
	# Nothing due by now is left unfired, and each fired at the restart.
	[ "$(sc_sql "SELECT count(*) FROM timers WHERE state = 0
		AND due <= '2027-09-03T09:00:00'")" = 0 ] || fail "a due timer did not fire"
	[ "$(sc_sql "SELECT group_concat(fired, ' ') FROM timers t
		JOIN cases c ON c.id = t.case_id WHERE c.ref = '$dues' AND t.state = 1")" = \
		"2027-09-03T09:00:00 2027-09-03T09:00:00" ] || fail "dues timers did not fire at the restart"
	sc_grep dues_insurance_lapsed "[$dues]" "30. august 2027" "NOK 938,00"
	sc_grep dues_reminder "[$dues]" "NOK 938,00" "Forfallsdato: 30. august 2027" \
		"Purring: medlemskontingent 2027 er ikke betalt"
	[ "$(sc_state "$dues")" = overdue ] || fail "$dues is $(sc_state "$dues")"
	# The next reminder counts from the due date as if clerkd had been
	# running: 31 Aug + 14 days, firing on 15 September.
	[ "$(sc_sql "SELECT due FROM timers t JOIN cases c ON c.id = t.case_id
		WHERE c.ref = '$dues' AND t.name = 'dunning' AND t.state = 0")" = \
		2027-09-15T08:00:00 ] ||
		fail "dunning timer: $(sc_sql "SELECT name, due, state FROM timers")"
	sc_run 2027-09-03T09:30
	sc_expect

	echo "fgt_student_year: the treasurer records the payment"
	out=$(sc_ctl 2027-09-06T10:00 paid --as treasurer alice@example.test 938)
	grep -q "$dues.*paid" <<<"$out" || fail "paid: $out"
	sc_run 2027-09-06T10:00
	# Paid after the due date: a student is insured (FGT §4c), so she is
	# told the cover is back.
	sc_expect "dues_receipt alice@example.test nb" "dues_insurance_restored alice@example.test nb"
	sc_grep dues_insurance_restored "[$dues]" "2027" "igjen fra i dag"
	sc_grep dues_receipt "[$dues]" "NOK 938,00" "betalt i sin helhet"
	[ "$(sc_state "$dues")" = paid ] || fail "$dues is $(sc_state "$dues")"
	sc_run 2027-09-16T09:00
	sc_run 2028-01-03T09:00
	sc_run 2028-05-14T09:00
	sc_expect

	echo "fgt_student_year: 15 May 2028, next year's invoice"
	sc_run 2028-05-15T09:00
	sc_expect "dues_invoice alice@example.test nb"
	dues2=$(sc_ref dues alice@example.test 2)
	[ -n "$dues2" ] || fail "no second dues case"
	sc_grep dues_invoice "[$dues2]" "Medlemskontingent 2028" "Beløp: NOK 1 875,00" \
		"Forfallsdato: 29. mai 2028" "Melding til mottaker: $dues2"
	sc_check "next year's invoice greets the member by name" \
		grep -qF "Hei Alice Ås" "$(sc_text dues_invoice)"
	grep -qF "andre halvår" "$(sc_text dues_invoice)" && fail "a full year invoiced as half"

	echo "fgt_student_year: unpaid: reminders, then removal"
	sc_run 2028-05-26T09:00
	sc_expect "dues_reminder alice@example.test nb"
	sc_run 2028-05-30T09:00
	sc_expect "dues_insurance_lapsed alice@example.test nb" "dues_reminder alice@example.test nb"
	sc_grep dues_insurance_lapsed "[$dues2]" "29. mai 2028" "NOK 1 875,00"
	sc_run 2028-06-13T09:00
	sc_expect
	sc_run 2028-06-14T09:00
	sc_expect "dues_reminder alice@example.test nb"
	# The last reminder: removal unless paid by 28 June (14 June + 14 days).
	sc_grep dues_reminder "[$dues2]" "siste purring" "28. juni 2028" "NOK 1 875,00"
	sc_run 2028-06-28T09:00
	sc_expect
	sc_run 2028-06-29T09:00
	sc_expect "dues_removed alice@example.test nb"
	sc_grep dues_removed "[$dues2]" "NOK 1 875,00" "2028"
	[ "$(sc_state "$dues2")" = removed ] || fail "$dues2 is $(sc_state "$dues2")"
	[ "$(sc_sql "SELECT status FROM members WHERE email = 'alice@example.test'")" = \
		removed_nonpayment ] || fail "alice is not removed for non-payment"
	sc_run 2028-07-15T09:00
	sc_expect

	# Every notice of the year exactly once.
	[ "$(sc_sql "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM outbox
		WHERE recipient = 'alice@example.test' ORDER BY id)")" = \
		"application_received application_missing application_reminder application_welcome dues_invoice dues_reminder dues_insurance_lapsed dues_reminder dues_receipt dues_insurance_restored dues_invoice dues_reminder dues_insurance_lapsed dues_reminder dues_reminder dues_removed" ] ||
		fail "alice's notices: $(sc_sql "SELECT kind FROM outbox WHERE recipient = 'alice@example.test' ORDER BY id")"
	[ "$(tb_imap_count "$SC_ADDR" INBOX)" = 0 ] || fail "mail left in $SC_ADDR INBOX"
	[ "$(tb_imap_count "$SC_ADDR" Quarantine)" = 0 ] || fail "a mail was quarantined"
	sc_end fgt_student_year
}

# ---- 2. an ASRT student joining in August --------------------------------

asrt_student_august() {
	local d=$work/asrt app dues out
	sc_begin "$d" asrt
	echo "asrt_student_august: 9 August 2027, a Danish application with a photo of the form"
	cat >"$d/form.txt" <<'FORM'
Hej,

hermed min ansøgning om medlemskab.

Skema: ansøgning
Navn: Bo Bæk
E-mail: bob@example.test
Kategori: student
Uddannelse: Sexologisk uddannelse, Aalborg
Jeg accepterer de etiske retningslinjer: ja
Jeg er aldrig anklaget eller straffet: ja

Venlig hilsen
Bo
FORM
	scan_jpg "$d/underskrevet-skema.jpg"
	sc_mail "$d/b1.eml" "Bo Bæk <bob@example.test>" "Ansøgning om medlemskab" \
		2027-08-09T08:30 "$d/form.txt" "$d/underskrevet-skema.jpg"
	sc_deliver bob@example.test "$d/b1.eml"
	sc_run 2027-08-09T09:00
	app=$(sc_ref application bob@example.test)
	[ "$app" = ASRT-2027-0001 ] || fail "application case: '$app'"
	sc_expect "application_received bob@example.test da" \
		"application_to_secretary secretary@fgt.test en"
	sc_grep application_received "Kære Bo Bæk" "$app" "9. august 2027"
	sc_grep application_to_secretary "approve $app" "Bo Bæk"
	out=$(sc_text application_to_secretary)
	sc_check "the secretary's notice shows the form's fields" \
		grep -qF "Sexologisk uddannelse, Aalborg" "$out"
	sc_check "the secretary's notice lists the attachment" \
		grep -qF "underskrevet-skema.jpg" "$out"
	[ "$(sc_state "$app")" = with_secretary ] || fail "$app is $(sc_state "$app")"

	echo "asrt_student_august: approved by the secretary's signed command mail"
	sc_command "$d/cmd.eml" secretary 2027-08-10T10:00 "approve $app"
	sc_deliver "$ADDR_SECRETARY_FGT" "$d/cmd.eml"
	sc_run 2027-08-10T10:05
	sc_expect "application_welcome bob@example.test da" "dues_invoice bob@example.test da" \
		"command_receipt secretary@fgt.test en"
	sc_grep command_receipt "approve $app: done"
	dues=$(sc_ref dues bob@example.test)
	[ "$dues" = ASRT-2027-0002 ] || fail "dues case: '$dues'"
	[ -z "$(sc_ref diploma bob@example.test)" ] || fail "ASRT opened a diploma case"
	sc_check "the welcome names the category in Danish (Studerende)" \
		grep -qF Studerende "$(sc_text application_welcome)"
	# DKK 500.00 x 50 % = 250.00, halved after 1 July: DKK 125,00; due 14
	# days after sending (deadlines do not move in ASRT's profile); the
	# transfer reads "ASRT-<name>".
	sc_grep dues_invoice "[$dues]" "Medlemskontingent 2027" "Beløb: DKK 125,00" \
		"andet halvår" "Forfaldsdato: 24. august 2027" "ASRT-Bo Bæk" "Merkur Bank"
	grep -qF forsikring "$(sc_text dues_invoice)" && fail "ASRT has no insurance paragraph"

	echo "asrt_student_august: reminded before the due date, then paid"
	sc_run 2027-08-20T09:00
	sc_expect
	sc_run 2027-08-21T09:00
	sc_expect "dues_reminder bob@example.test da"
	sc_grep dues_reminder "[$dues]" "DKK 125,00" "24. august 2027" "ASRT-Bo Bæk" \
		"Påmindelse: medlemskontingent 2027 forfalder 24. august 2027"
	grep -qF "endnu ikke betalt" "$(sc_text dues_reminder)" &&
		fail "a reminder before the due date says the dues are unpaid"
	# The treasurer imports the bank's export: a malformed file is refused
	# whole with file:line, a good one goes through the `paid` command.
	printf '# bank export\nbob@example.test;125,00;2027-08-23\nbob@example.test;12x\n' \
		>"$d/bad.csv"
	if out=$(clerkctl -c "$SC_CONF" import-payments --now 2027-08-23T11:00 --as treasurer \
	    "$d/bad.csv" 2>&1); then
		fail "import-payments took a malformed file: $out"
	fi
	grep -qF "$d/bad.csv:3: '12x' is not an amount" <<<"$out" || fail "bad file: $out"
	[ "$(sc_state "$dues")" = invoiced ] || fail "a refused file recorded a payment"
	printf '# bank export\nbob@example.test;125,00;2027-08-23\n' >"$d/payments.csv"
	out=$(sc_ctl 2027-08-23T11:00 import-payments --as treasurer "$d/payments.csv")
	grep -q "$dues.*paid" <<<"$out" || fail "import-payments: $out"
	grep -qF "1 payments: 1 recorded, 0 not" <<<"$out" || fail "import-payments: $out"
	sc_run 2027-08-23T11:00
	sc_expect "dues_receipt bob@example.test da"
	sc_grep dues_receipt "[$dues]" "DKK 125,00"
	[ "$(sc_state "$dues")" = paid ] || fail "$dues is $(sc_state "$dues")"
	sc_run 2027-08-26T09:00
	sc_expect
	sc_end asrt_student_august
}

# ---- 3. an NTP aspirant's HTML-only mail in Dutch -------------------------

ntp_html_aspirant() {
	local d=$work/ntp app out
	sc_begin "$d" ntp
	echo "ntp_html_aspirant: 6 September 2027, an application as text/html only"
	# As a webmail writes it: one <div> a line, a non-breaking space
	# after a label, an entity in a value.
	cat >"$d/form.html" <<'HTML'
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>
<body><div dir="ltr"><div>Goedendag,</div><div><br></div>
<div>Hierbij mijn aanvraag voor het lidmaatschap.</div><div><br></div>
<div>Formulier: aanvraag</div>
<div>Naam:&nbsp;Carolien de Vries</div>
<div>E-mail: carol@example.test</div>
<div>Categorie: aspirant</div>
<div>Opleiding: Tantra &amp; relatietherapie, Utrecht</div>
<div>Ik aanvaard de ethische code: ja</div>
<div><br></div><div>Met vriendelijke groet,</div><div>Carolien</div></div></body></html>
HTML
	sc_mail_html "$d/c1.eml" "Carolien de Vries <carol@example.test>" \
		"Aanvraag lidmaatschap" 2027-09-06T08:15 "$d/form.html"
	sc_deliver carol@example.test "$d/c1.eml"
	sc_run 2027-09-06T09:00
	app=$(sc_ref application carol@example.test)
	[ "$app" = NTP-2027-0001 ] || fail "the HTML mail opened no application: '$app'"
	sc_expect "application_received carol@example.test nl" \
		"application_missing carol@example.test nl"
	[ "$(sc_sql "SELECT value FROM case_vars v JOIN cases c ON c.id = v.case_id
		WHERE c.ref = '$app' AND v.name = 'category'")" = aspirant ] ||
		fail "category not read as aspirant"
	sc_grep application_received "Beste Carolien de Vries" "kenmerk $app" \
		"6 september 2027"
	# Only the signature is missing; 14 days, deadlines do not move.
	sc_grep application_missing "$app" "handtekening" "20 september 2027"
	grep -qF "velden" "$(sc_text application_missing)" &&
		fail "the HTML form was read with missing fields: $(cat "$(sc_text application_missing)")"

	echo "ntp_html_aspirant: a photo of the signed form completes it"
	scan_png "$d/formulier.png"
	printf 'Hierbij het ondertekende formulier.\n' >"$d/reply.txt"
	sc_mail "$d/c2.eml" "Carolien de Vries <carol@example.test>" \
		"Re: [$app] Aanvraag lidmaatschap" 2027-09-08T20:00 "$d/reply.txt" "$d/formulier.png"
	sc_deliver carol@example.test "$d/c2.eml"
	sc_run 2027-09-09T09:00
	sc_expect "application_to_secretary secretary@fgt.test en"
	sc_grep application_to_secretary "approve $app" "Carolien de Vries"
	[ "$(sc_state "$app")" = with_secretary ] || fail "$app is $(sc_state "$app")"

	echo "ntp_html_aspirant: a second aspirant names the category as the profile words it"
	sed 's/Carolien de Vries/Daan Jansen/; s/carol@/dave@/; s/Categorie: aspirant/Categorie: Aspirant lid/' \
		"$d/form.html" >"$d/form2.html"
	sc_mail_html "$d/c3.eml" "Daan Jansen <dave@example.test>" "Aanvraag" \
		2027-09-09T10:00 "$d/form2.html"
	sc_deliver dave@example.test "$d/c3.eml"
	sc_run 2027-09-09T10:05
	sc_expect "application_received dave@example.test nl" \
		"application_missing dave@example.test nl"
	app=$(sc_ref application dave@example.test)
	out=$(sc_sql "SELECT value FROM case_vars v JOIN cases c ON c.id = v.case_id
		WHERE c.ref = '$app' AND v.name = 'category'")
	[ "$out" = aspirant ] || fail "'Categorie: Aspirant lid' read as '$out', not aspirant"
	sc_end ntp_html_aspirant
}

# ---- 4. FGT members resigning with dues owed ------------------------------

fgt_resignation() {
	local d=$work/fgt-resign dave erik dues_d dues_e res_d res_e out subject
	sc_begin "$d" fgt
	echo "fgt_resignation: two members join in March 2028 and are invoiced"
	cat >"$d/dave.txt" <<'FORM'
Form: application
Name: Dave Example
Email: dave@example.test
Category: supporting
I accept the ethics rules: yes
FORM
	cat >"$d/erik.txt" <<'FORM'
Skjema: søknad
Navn: Erik Strand
Kategori: mfgt
Utdanning: Norsk Gestaltinstitutt, 2023
Jeg godtar de etiske retningslinjene: ja
FORM
	scan_pdf "$d/signed-form.pdf"
	scan_pdf "$d/diplom.pdf"
	sc_mail "$d/d1.eml" "Dave Example <dave@example.test>" "Membership application" \
		2028-03-06T08:00 "$d/dave.txt" "$d/signed-form.pdf"
	sc_deliver dave@example.test "$d/d1.eml"
	sc_mail "$d/e1.eml" "Erik Strand <stranger@example.test>" "Innmelding" \
		2028-03-06T08:10 "$d/erik.txt" "$d/signed-form.pdf" "$d/diplom.pdf"
	sc_deliver stranger@example.test "$d/e1.eml"
	sc_run 2028-03-06T09:00
	dave=$(sc_ref application dave@example.test)
	erik=$(sc_ref application stranger@example.test)
	sc_expect "application_received dave@example.test en" \
		"application_to_secretary secretary@fgt.test en" \
		"application_received stranger@example.test nb" \
		"application_to_secretary secretary@fgt.test en"
	out=$(sc_ctl 2028-03-07T10:00 approve "$dave")
	grep -qF "done, $dave (application) is now approved" <<<"$out" || fail "approve $dave: $out"
	out=$(sc_ctl 2028-03-07T10:00 approve "$erik")
	grep -qF "done, $erik (application) is now approved" <<<"$out" || fail "approve $erik: $out"
	sc_run 2028-03-07T10:00
	sc_expect "application_welcome dave@example.test en" "dues_invoice dave@example.test en" \
		"application_welcome stranger@example.test nb" "dues_invoice stranger@example.test nb"
	dues_d=$(sc_ref dues dave@example.test)
	dues_e=$(sc_ref dues stranger@example.test)
	[ -z "$(sc_ref diploma stranger@example.test)" ] || fail "an MFGT member got a diploma case"
	# Before 1 July: a full year. Supporting members 50 % (NOK 1,250.00 in
	# English), MFGT 100 % (NOK 2 500,00 in Norwegian); due 21 March.
	sc_grep dues_invoice/stranger@example.test "[$dues_e]" "Beløp: NOK 2 500,00" \
		"Forfallsdato: 21. mars 2028"
	sc_grep dues_invoice/dave@example.test "[$dues_d]" "Membership dues 2028" \
		"Amount: NOK 1,250.00" "Due date: 21 March 2028" \
		"Message with the payment: $dues_d"
	# FGT §4c: only MFGT and student members are insured.
	grep -qF "insurance" "$(sc_text dues_invoice dave@example.test)" &&
		fail "a supporting member's invoice speaks of insurance"
	sc_grep dues_invoice/stranger@example.test "ansvarsforsikring"

	echo "fgt_resignation: both resign on 8 March: Erik signed with his pinned key, Dave unsigned"
	# Erik's key is pinned for him (as the secretary would: key-import).
	out=$(sc_ctl 2028-03-07T11:00 key-import "$PUBKEY_STRANGER" stranger@example.test)
	grep -qF "pinned $FPR_STRANGER for stranger@example.test" <<<"$out" || fail "key-import: $out"
	printf 'Form: resignation\nName: Dave Example\n\nI am moving abroad.\n' >"$d/dave-res.txt"
	printf 'Skjema: utmelding\nNavn: Erik Strand\n' >"$d/erik-res.txt"
	sc_mail "$d/d2.eml" "Dave Example <dave@example.test>" "Resignation" \
		2028-03-08T10:30 "$d/dave-res.txt"
	sc_deliver dave@example.test "$d/d2.eml"
	sc_mail_signed "$d/e2.eml" "Erik Strand <stranger@example.test>" "Utmelding" \
		2028-03-08T10:40 "$d/erik-res.txt" "$GNUPGHOME_STRANGER" "$FPR_STRANGER"
	sc_deliver stranger@example.test "$d/e2.eml"
	sc_run 2028-03-08T11:00
	res_d=$(sc_ref resignation dave@example.test)
	res_e=$(sc_ref resignation stranger@example.test)
	[ -n "$res_d" ] && [ -n "$res_e" ] || fail "resignation cases: '$res_d' '$res_e'"
	# Dave's could be anybody's: he is asked first (DOMAIN §6).
	sc_expect "resignation_confirm dave@example.test en" \
		"resignation_received stranger@example.test nb"
	sc_grep resignation_confirm "[$res_d/" "On 8 March 2028" "CONFIRM"
	sc_grep resignation_received/stranger@example.test "[$res_e]" "8. mars 2028" "7. april 2028" "NOK 2 500,00"
	[ "$(sc_state "$res_d")" = unconfirmed ] || fail "$res_d is $(sc_state "$res_d")"
	subject=$(sed -n 's/^Subject: //p' "$(sc_text resignation_confirm)" | head -n 1)
	echo "fgt_resignation: Dave confirms by answering, the same day"
	printf 'Confirm\n\nDave\n\n> Please confirm your resignation\n' >"$d/dave-yes.txt"
	sc_mail "$d/d3.eml" "Dave Example <dave@example.test>" "Re: $subject" \
		2028-03-08T11:30 "$d/dave-yes.txt"
	sc_deliver dave@example.test "$d/d3.eml"
	sc_run 2028-03-08T12:00
	sc_expect "resignation_received dave@example.test en"
	# Effective 30 days after receipt: 7 April 2028.
	sc_grep resignation_received/dave@example.test "[$res_d]" "on 8 March 2028" \
		"takes effect on 7 April 2028" "Your dues of NOK 1,250.00 are still unpaid"
	# The token works once: the same answer again changes nothing.
	sc_mail "$d/d4.eml" "Dave Example <dave@example.test>" "Re: $subject" \
		2028-03-08T12:10 "$d/dave-yes.txt"
	sc_deliver dave@example.test "$d/d4.eml"
	sc_run 2028-03-08T12:15
	sc_expect
	[ "$(sc_state "$res_d")" = pending ] || fail "$res_d is $(sc_state "$res_d")"

	echo "fgt_resignation: the dues reminders tell both what they owe"
	sc_run 2028-03-18T09:00
	sc_expect "dues_reminder dave@example.test en" "dues_reminder stranger@example.test nb"
	sc_run 2028-03-22T09:00
	# Only Erik (MFGT) is told he is not insured; Dave (supporting) is not
	# in the scheme (FGT §4c).
	sc_expect "dues_reminder dave@example.test en" \
		"dues_insurance_lapsed stranger@example.test nb" "dues_reminder stranger@example.test nb"
	sc_grep dues_reminder/stranger@example.test "[$dues_e]" "NOK 2 500,00"
	sc_grep dues_reminder/dave@example.test "[$dues_d]" "NOK 1,250.00" "21 March 2028"

	echo "fgt_resignation: Erik pays on 3 April, within the notice period"
	out=$(sc_ctl 2028-04-03T10:00 paid --as treasurer stranger@example.test 2500)
	grep -q "$dues_e.*paid" <<<"$out" || fail "paid: $out"
	sc_run 2028-04-03T10:00
	sc_expect "dues_receipt stranger@example.test nb" "dues_insurance_restored stranger@example.test nb"
	sc_run 2028-04-06T09:00
	sc_expect "dues_reminder dave@example.test en"
	sc_grep dues_reminder "[$dues_d]" "NOK 1,250.00" "20 April 2028"
	sc_run 2028-04-07T09:00
	sc_expect

	echo "fgt_resignation: 8 April: Erik's resignation took effect, Dave's waits for the dues"
	sc_run 2028-04-08T09:00
	# Both fall due on 8 April; Erik's deadline was set first (his signed
	# mail counted at once, Dave's when he confirmed).
	sc_expect "resignation_effective stranger@example.test nb" \
		"resignation_waiting_dues dave@example.test en"
	sc_grep resignation_waiting_dues "[$res_d]" "Amount owed: NOK 1,250.00"
	sc_grep resignation_effective "[$res_e]" "7. april 2028"
	[ "$(sc_state "$res_e")" = resigned ] || fail "$res_e is $(sc_state "$res_e")"
	[ "$(sc_state "$res_d")" = waiting_dues ] || fail "$res_d is $(sc_state "$res_d")"
	[ "$(sc_sql "SELECT status FROM members WHERE email = 'stranger@example.test'")" = \
		resigned ] || fail "Erik is not resigned"
	[ "$(sc_sql "SELECT status FROM members WHERE email = 'dave@example.test'")" = \
		active ] || fail "Dave is no longer active while his resignation waits"

	echo "fgt_resignation: the treasurer's signed mail records Dave's payment on 10 April"
	sc_command "$d/cmd.eml" treasurer 2028-04-10T10:00 "paid dave@example.test 1250"
	sc_deliver "$ADDR_TREASURER_FGT" "$d/cmd.eml"
	sc_run 2028-04-10T10:05
	sc_expect "dues_receipt dave@example.test en" "command_receipt treasurer@fgt.test en"
	sc_grep dues_receipt "[$dues_d]" "NOK 1,250.00" "paid in full"
	sc_grep command_receipt "paid dave@example.test 1250: done, $dues_d"
	[ "$(sc_state "$dues_d")" = paid ] || fail "$dues_d is $(sc_state "$dues_d")"

	echo "fgt_resignation: looked at again a week after 8 April: effective"
	sc_run 2028-04-15T09:00
	sc_expect
	sc_run 2028-04-16T09:00
	sc_expect "resignation_effective dave@example.test en"
	sc_grep resignation_effective "[$res_d]" "took effect on 16 April 2028"
	[ "$(sc_state "$res_d")" = resigned ] || fail "$res_d is $(sc_state "$res_d")"
	[ "$(sc_sql "SELECT status FROM members WHERE email = 'dave@example.test'")" = \
		resigned ] || fail "Dave is not resigned"
	# Nothing else happens: no removal for non-payment, no more reminders.
	sc_run 2028-04-21T09:00
	sc_run 2028-05-02T09:00
	sc_expect
	sc_end fgt_resignation
}

sc_scenario fgt_student_year
sc_scenario asrt_student_august
sc_scenario ntp_html_aspirant
sc_scenario fgt_resignation
sc_summary
