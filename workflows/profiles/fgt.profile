# FGT, Foreningen for Gestaltterapeuter (Norway): the reference profile.
# Source: the bylaws in seeds/002_4f3377140a50a74a.txt, summarised with
# section numbers in shared/DOMAIN.md. Keys and types: profiles/schema.

[association]
name = "Foreningen for Gestaltterapeuter"
short_name = FGT
prefix = FGT
languages = nb en
default_language = nb
bylaws = "FGT vedtekter (§4 medlemskap, §7 årsmøtet, §8 FEU, §10, §11)"
encrypt_notices = yes		# clerk default, not in the seed: the association
				# confirms (members\' mail stays private)

[calendar]
holidays = no			# workflows/calendars/no.holidays
move_deadlines = yes		# Norwegian practice (DOMAIN.md §9)
fire_hour = 8			# timers fire at 08:00, the day after a deadline

[categories]
names = mfgt student institute supporting	# FGT §4a (a)-(d)

[categories.mfgt]		# §4a(a): four-year education, diploma (§4d)
ratio = 100
diploma = yes
diploma_case = no
pfo = yes			# §4k: MFGT members meet the PFO requirement
insured = yes			# §4c: "praktiserende MFGT-medlemmer"
after_exam = none
words = MFGT gestaltterapeut "gestalt therapist" terapeut therapist
label_nb = "Gestaltterapeut MFGT"
label_en = "Gestalt therapist MFGT"

[categories.student]		# §4a(b); §4b: 75 % of dues and insurance
ratio = 75
diploma = no
diploma_case = yes		# §4i: diploma within 3 years of finishing
pfo = no			# PFO from January after the exam (§4k)
insured = yes			# §4c: students are insured with their dues
after_exam = mfgt		# §4b: full dues from the year after the exam
words = studentmedlem "student member"
label_nb = Studentmedlem
label_en = "Student member"

[categories.institute]		# §4a(c)
ratio = 100
diploma = no
diploma_case = no
pfo = no
insured = no			# §4c: institutes are not in the scheme
after_exam = none
words = institutt institute utdanningsinstitutt
label_nb = Utdanningsinstitutt
label_en = "Educational institute"

[categories.supporting]		# §4a(d); §4b: 50 % of the ordinary dues
ratio = 50
diploma = no
diploma_case = no
pfo = no
insured = no			# §4c: supporting members are not in the scheme
after_exam = none
words = støttemedlem "supporting member"
label_nb = Støttemedlem
label_en = "Supporting member"

[application]
ethics = yes			# the ethics rules accepted on the form
attest = no			# ASRT asks for it; FGT does not
complete_within = 14d		# clerk default, not in the seed
remind_before = 3d

[dues]				# FGT §4b, §4c
currency = NOK
# The annual meeting sets the amount (§4b, §7 "Fastsetting av årets
# kontingent").
amount = 2500.00		# PLACEHOLDER: the amount the meeting decided
round_to = 1.00			# "Alle beløp avrundes": whole kroner
half_after = 07-01		# "Ved innmelding etter 1. juli ... halv kontingent"
# Yearly invoices go out after the annual meeting (held by end of April).
invoice_date = 05-15		# PLACEHOLDER: when the treasurer invoices
due_after = 14d			# "Kontingent forfaller 14 dager etter utsendelse"
remind_before = 3d
reminders = 2		# clerk default, not in the seed
reminder_interval = 14d		# clerk default, not in the seed: reminders at +0 and +14 days after the due
				# date, removal 14 days after the last
account = "PLACEHOLDER: the association's bank account"
transfer_prefix = ""		# transfers carry the case reference
transfer_with = ref
owed_blocks_joining = yes	# "Utestående kontingent må innbetales ved ny
				# innmelding"

[resignation]			# §11
notice = 30d			# "tre i kraft 30 dager etter at skriftlig varsel
				# er mottatt"
wait_for_dues = yes		# "økonomiske forpliktelser ... må være oppfylt"
recheck = 7d
confirm_within = 14d		# clerk default, not in the seed: the time a
				# member has to confirm an unsigned resignation
				# by replying (DOMAIN §6)

[diploma]			# §4i
within = 3y			# "innen 3 år etter endt utdannelse"
remind_before = 6m 1m
category = mfgt
ask_every = 6m			# clerk default, not in the seed: how often a
				# student is asked for the exam date (DOMAIN §1)

[pfo]				# §4k
applies = yes
send_date = 04-01		# with the annual meeting papers (PLACEHOLDER day)
form_deadline = 02-01		# "innen 1. februar påfølgende år"
remind_before = 1m 7d
signature_required = no
hours_year = 37.5
hours_five_years = 187.5
supervision_min = 12
supervision_certified_min = 5
category_cap = 12		# §4k "maks 30 % eller 12 t": 12 h a year per
				# capped category (at 37.5 h, 12 h is the larger;
				# the 30 % cannot bind supervision): no % check
capped_categories = c1 c3 c4 c5 c6
downgrade_status = without_client_responsibility
full_sick_leave_waives = yes

[complaints]			# §8d-f, §10
sanctions = none warning supervision suspension exclusion
secure_channel = yes		# not by ordinary e-mail
admissibility_within = 14d	# "senest innen 14 dager"
statement_within = 14d		# "innen 14 dager etter at påklagde har mottatt"
statements_within = 3m
decision_notice_within = 14d	# "innen 14 dager etter at vedtaket er fattet"
appeal_within = 2m
appeal_committee_size = 3
suspension_max = 12m		# §10 "kan ikke overstige 12 måneder"
rehearing_within = 2m		# §10 "2 måneder fra ... vedtak"
readmission_majority = "2/3"	# §10

[meeting]			# §7
held_by = 04-last		# "innen utgangen av april"
				# (§7; the next keys from DOMAIN.md §7)
notice_before = 2m
proposals_before = 6w
papers_before = 2w
minutes_within = 4w
extraordinary_demands = 10
extraordinary_notice_before = 4w
extraordinary_papers_before = 1w

[records]
accounts = 5y			# NO bokføringsloven §13: accounting records 5 years
client_records = 10y		# §4g: the member's duty
