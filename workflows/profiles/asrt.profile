# ASRT, forum for sexology and couples therapy (Denmark).
# Source: seeds/000_aa5825fa08eec2fe.txt ("Ønsker medlemskab", "Medlemskab &
# kontingent", "Supervision", ethics "Lov"), summarised in shared/DOMAIN.md.
# Where the source says nothing, the value is clerk's default and marked so.

[association]
name = "ASRT - Forum for sexologi og parterapi"
short_name = ASRT
prefix = ASRT
languages = da en
default_language = da
bylaws = "ASRT: Ønsker medlemskab, Medlemskab & kontingent, Supervision, etik"
encrypt_notices = yes		# clerk default, not in the seed: the association
				# confirms (members\' mail stays private)

[calendar]
holidays = dk			# workflows/calendars/dk.holidays
move_deadlines = no		# the source is silent: deadlines do not move
fire_hour = 8

[categories]
names = therapist student	# "uddannede terapeuter" and "studerende"

[categories.therapist]
ratio = 100			# DKK 500
diploma = no			# the source asks for the signed form only
diploma_case = no
pfo = yes			# at least 12 h supervision a year
insured = no			# no group insurance in the seed
after_exam = none
words = terapeut "uddannet terapeut" sexolog parterapeut
label_da = "Uddannet terapeut"
label_en = "Trained therapist"

[categories.student]
ratio = 50			# DKK 250 of 500
diploma = no
diploma_case = no
pfo = no
insured = no			# no group insurance in the seed
after_exam = none
words = studerende studentermedlem
label_da = Studerende
label_en = Student

[application]			# "Ønsker medlemskab": signed form by e-mail
ethics = yes			# "læs etikrammen"
attest = yes			# ethics "Lov": never charged with or punished
				# for abuse or sexual crimes
complete_within = 14d		# clerk default, not in the seed
remind_before = 3d

[dues]				# "Medlemskab & kontingent"
currency = DKK
amount = 500.00			# "uddannelse terapeuter dkk 500"
other_amounts = NOK=690.00 SEK=690.00 EUR=68.00
round_to = 1.00		# clerk default, not in the seed
half_after = 07-01		# "Nyt medlemskab oprettet efter 1.7. halv pris"
invoice_date = 01-01		# "Medlemskab betales hver d. 1.1."
due_after = 14d		# clerk default, not in the seed
remind_before = 3d
reminders = 2		# clerk default, not in the seed
reminder_interval = 14d		# clerk default, not in the seed
owed_blocks_joining = yes		# clerk default, not in the seed
account = "Merkur Bank 8401-1068404, IBAN DK6584010001068404, BIC MEKUDK21"
transfer_prefix = "ASRT-"		# the transfer must read "ASRT-<name>"
transfer_with = name

[resignation]			# the source is silent: FGT's rule as default
notice = 30d		# clerk default, not in the seed
wait_for_dues = yes		# clerk default, not in the seed
recheck = 7d
confirm_within = 14d		# clerk default, not in the seed (DOMAIN §6)

[diploma]			# not an ASRT rule: no category opens a diploma
within = 3y			# case; kept so the shared workflow validates
remind_before = 6m 1m
category = therapist
ask_every = 6m			# kept so the shared workflow validates

[pfo]				# "Supervision"
applies = yes
supervision_min = 12		# "min. 12 t. supervision pr. år"
signature_required = no

[complaints]
secure_channel = yes		# clerk's rule for every association

[records]
accounts = 5y			# DK bogføringsloven §10: 5 years
deletion_within = 1y
