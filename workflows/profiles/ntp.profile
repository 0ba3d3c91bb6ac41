# Ver. NTP, Dutch association of tantra professionals, with the Coniugium
# professional code. Source: seeds/001_ef0f378ed5427a76.txt, summarised in
# shared/DOMAIN.md. The source names no amounts: every amount here is a
# PLACEHOLDER to be replaced by the association's own.

[association]
name = "Vereniging NTP"
short_name = NTP
prefix = NTP
languages = nl en
default_language = nl
bylaws = "Ver. NTP beroepscode (§1.21, §1.34), Coniugium 2.b, 2.e"
encrypt_notices = yes		# clerk default, not in the seed: the association
				# confirms (members\' mail stays private)

[calendar]
holidays = nl			# workflows/calendars/nl.holidays
move_deadlines = no		# the source is silent
fire_hour = 8

[categories]			# "Lidmaatschap Categorieën"
names = register aspirant student honorary

[categories.register]		# "Register geregistreerd lid"
ratio = 100
diploma = no
diploma_case = no
pfo = yes			# §1.21 supervision and intervision
insured = no			# no group insurance in the seed
after_exam = none
words = registerlid "register lid" geregistreerd
label_nl = Registerlid
label_en = "Register member"

[categories.aspirant]		# "Aspirant lid"
ratio = 75			# PLACEHOLDER share
diploma = no
diploma_case = no
pfo = yes
insured = no			# no group insurance in the seed
after_exam = none
words = "aspirant lid" aspirantlid
label_nl = "Aspirant lid"
label_en = "Aspirant member"

[categories.student]		# "Student lid"
ratio = 50			# PLACEHOLDER share
diploma = no
diploma_case = no
pfo = no
insured = no			# no group insurance in the seed
after_exam = none
words = studentlid "student lid"
label_nl = Studentlid
label_en = "Student member"

[categories.honorary]		# "Erelid": chosen for merit, pays nothing
ratio = 0
diploma = no
diploma_case = no
pfo = no
insured = no			# no group insurance in the seed
after_exam = none
words = erelid "honorary member"
label_nl = Erelid
label_en = "Honorary member"

[application]
ethics = yes			# §1.1: members have read the codes
attest = no
complete_within = 14d		# clerk default, not in the seed
remind_before = 3d

[dues]
currency = EUR		# clerk default, not in the seed
amount = 150.00			# PLACEHOLDER: the source names no amount
round_to = 1.00		# clerk default, not in the seed
half_after = 07-01		# PLACEHOLDER rule, as FGT and ASRT
invoice_date = 01-01		# PLACEHOLDER
due_after = 14d		# clerk default, not in the seed
remind_before = 3d
reminders = 2		# clerk default, not in the seed
reminder_interval = 14d		# clerk default, not in the seed
account = "PLACEHOLDER: the association's IBAN"
transfer_prefix = ""		# transfers carry the case reference
transfer_with = ref		# clerk default, not in the seed
owed_blocks_joining = yes		# clerk default, not in the seed

[resignation]			# §1.34: reported at once and in writing
notice = 0d			# clerk default, not in the seed: §1.34 names
				# no notice period; effective on receipt
wait_for_dues = yes		# PLACEHOLDER: as FGT
recheck = 7d
confirm_within = 14d		# clerk default, not in the seed (DOMAIN §6)

[diploma]			# not an NTP rule: no category opens a diploma
within = 3y			# case; kept so the shared workflow validates
remind_before = 6m 1m
category = register
ask_every = 6m			# kept so the shared workflow validates

[pfo]				# §1.21; Coniugium 2.e
applies = yes
supervision_sessions = 4	# "at least four supervision sessions"
intervision_sessions = 4	# "four intervision groups"
inspections = 1			# "one inspection"
signature_required = no

[complaints]
sanctions = warning serious_reprimand censure training_supervision
	temporary_suspension termination	# "waarschuwing, serieuze
	# berisping, censuur, bijscholing en supervisie, tijdelijke schorsing,
	# royement"
secure_channel = yes

[records]
accounts = 7y			# NL AWR art. 52: 7 years
deletion_within = 1y		# Coniugium 2.b: within a year
