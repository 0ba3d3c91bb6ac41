/* Profiles, the vocabulary and the workflow loader: every kind of mistake
 * is reported as file:line, all of them at once; the real workflows/ data
 * loads for every association. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "profile.h"
#include "template.h"
#include "workflow.h"
#include "xmalloc.h"

#ifndef CLERK_SRCDIR_DEFAULT
#define CLERK_SRCDIR_DEFAULT "."
#endif

static const char schema_text[] =
	"# test schema\n"
	"[association]\n"
	"name = text\n"
	"[calendar]\n"
	"move_deadlines = bool\n"
	"fire_hour = hour\n"
	"[categories]\n"
	"names = words\n"
	"[categories.*]\n"
	"@index = categories.names\n"
	"ratio = percent\n"
	"words = list optional\n"
	"[dues]\n"
	"amount = amount\n"
	"remind = durations\n"
	"due = duration\n"
	"day = day\n"
	"hours = hours optional\n"
	"note = text optional\n";

static const char profile_text_ok[] =
	"# a test association\n"
	"[association]\n"
	"name = \"Test # association\"	# the quotes keep the hash\n"
	"[calendar]\n"
	"move_deadlines = yes\n"
	"fire_hour = 8\n"
	"[categories]\n"
	"names = full student\n"
	"[categories.full]\n"
	"ratio = 100\n"
	"[categories.student]\n"
	"ratio = 50\n"
	"words = stud \"student member\"\n"
	"[dues]\n"
	"amount = 2500.00\n"
	"remind = 7d	# a week before\n"
	"	1d\n"
	"due = 14d\n"
	"day = 07-01\n"
	"hours = 37,5\n";

static const char vocab_text[] =
	"[vocabulary]\n"
	"forms = application resignation\n"
	"commands = approve reject extend paid\n"
	"facts = name category signature attachments.* args.* owed amount\n"
	"roles = applicant member secretary\n"
	"statuses = applicant active resigned\n"
	"digest = new_case escalation info\n";

static const char *
srcdir(void)
{
	const char *s = getenv("CLERK_SRCDIR");

	return s && *s ? s : CLERK_SRCDIR_DEFAULT;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (len)
		*len = b.len;
	return buf_steal(&b);
}

/* ---- profiles ---------------------------------------------------------- */

static struct profile_schema *
test_schema(void)
{
	struct profile_schema *s = NULL;
	struct buf d = BUF_INIT;

	ck_assert_int_eq(profile_schema_parse("schema", schema_text, strlen(schema_text),
	    &s, &d), 0);
	buf_free(&d);
	return s;
}

/* Parses a profile; returns the problems as text (caller frees). */
static char *
profile_problems(const char *text, struct profile **out)
{
	struct profile_schema *s = test_schema();
	struct buf d = BUF_INIT;
	struct profile *p = NULL;
	int n = profile_parse("test", "test.profile", text, strlen(text), s, &p, &d);

	ck_assert_int_eq(n == 0, p != NULL);
	if (out)
		*out = p;
	else
		profile_free(p);
	profile_schema_free(s);
	return buf_steal(&d);
}

START_TEST(profile_typed_lookups)
{
	struct profile *p = NULL;
	char *d = profile_problems(profile_text_ok, &p);
	long long n;
	int b;
	struct cal_duration dur;
	char **items;
	size_t ni;
	struct val v = VAL_INIT;

	ck_assert_str_eq(d, "");
	free(d);
	ck_assert_str_eq(profile_text(p, "association", "name"), "Test # association");
	ck_assert_int_eq(profile_int(p, "dues", "amount", &n), 0);
	ck_assert_int_eq(n, 250000);
	ck_assert_int_eq(profile_int(p, "dues", "hours", &n), 0);
	ck_assert_int_eq(n, 3750);
	ck_assert_int_eq(profile_bool(p, "calendar", "move_deadlines", &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(profile_duration(p, "dues", "due", &dur), 0);
	ck_assert_int_eq(dur.amount, 14);
	ck_assert_int_eq(profile_int(p, "dues", "due", &n), -1);	/* wrong type */
	ck_assert_ptr_null(profile_get(p, "dues", "note"));		/* optional */
	ck_assert_int_eq(profile_list(p, "dues", "remind", &items, &ni), 0);
	ck_assert_int_eq(ni, 2);
	ck_assert_str_eq(items[0], "7d");
	ck_assert_str_eq(items[1], "1d");
	for (size_t i = 0; i < ni; i++)
		free(items[i]);
	free(items);
	ck_assert_int_eq(profile_list_has(p, "categories.student", "words", "student member"), 1);
	ck_assert_int_eq(profile_list_has(p, "categories", "names", "stud"), 0);
	ck_assert_int_eq(profile_has_section(p, "categories.full"), 1);
	profile_value_to_val(profile_get(p, "categories.student", "words"), &v);
	ck_assert_str_eq(v.s, "stud,student member");
	profile_value_to_val(profile_get(p, "calendar", "move_deadlines"), &v);
	ck_assert_str_eq(v.s, "yes");
	profile_value_to_val(profile_get(p, "dues", "amount"), &v);
	ck_assert_int_eq(v.type, VAL_INT);
	ck_assert_int_eq(v.i, 250000);
	val_free(&v);
	profile_free(p);
}
END_TEST

START_TEST(profile_errors_name_file_and_line)
{
	char *d;

	d = profile_problems(
	    "[association]\n"		/* 1 */
	    "name = x\n"		/* 2 */
	    "colour = blue\n"		/* 3 */
	    "[calendar]\n"		/* 4 */
	    "move_deadlines = perhaps\n"	/* 5 */
	    "fire_hour = 25\n"		/* 6 */
	    "[weather]\n"		/* 7 */
	    "rain = yes\n"		/* 8 */
	    "[categories]\n"		/* 9 */
	    "names = full ghost\n"	/* 10 */
	    "[categories.full]\n"	/* 11 */
	    "ratio = 100\n"		/* 12 */
	    "ratio = 90\n"		/* 13 */
	    "[categories.extra]\n"	/* 14 */
	    "ratio = 5\n"		/* 15 */
	    "[dues]\n"			/* 16 */
	    "amount = 12.345\n"		/* 17 */
	    "remind = 7x\n"		/* 18 */
	    "day = 02-29\n"		/* 19 */
	    "just a line\n", NULL);	/* 20 */
	ck_assert_str_eq(d,
	    "test.profile:3: unknown key colour in [association] (not in the profile schema)\n"
	    "test.profile:5: move_deadlines: yes or no expected\n"
	    "test.profile:6: fire_hour: an hour 0..23 expected\n"
	    "test.profile:7: unknown section [weather] (not in the profile schema)\n"
	    "test.profile:13: ratio given twice in [categories.full]\n"
	    "test.profile:17: amount: an amount expected (1250 or 1250.00)\n"
	    "test.profile:18: remind: durations separated by spaces expected (14d 28d)\n"
	    "test.profile:19: day: a day of the year expected (MM-DD or MM-last)\n"
	    "test.profile:20: a line reads key = value\n"
	    "test.profile:4: [calendar] move_deadlines is missing (bool)\n"
	    "test.profile:4: [calendar] fire_hour is missing (hour)\n"
	    "test.profile:10: categories.names lists ghost but there is no section "
	    "[categories.ghost]\n"
	    "test.profile:14: section [categories.extra] is not listed in categories.names\n"
	    "test.profile:16: [dues] amount is missing (amount)\n"
	    "test.profile:16: [dues] remind is missing (durations)\n"
	    "test.profile:16: [dues] due is missing (duration)\n"
	    "test.profile:16: [dues] day is missing (day)\n");
	free(d);
	d = profile_problems("name = x\n[association]\nname =\n", NULL);
	ck_assert_int_eq(strncmp(d, "test.profile:1: key outside a section\n"
	    "test.profile:3: name: a text is empty (write \"\" if meant)\n", 94), 0);
	free(d);
}
END_TEST

START_TEST(schema_errors)
{
	struct profile_schema *s = NULL;
	struct buf d = BUF_INIT;
	const char *bad =
	    "[a]\n"
	    "x = colour\n"
	    "y = int maybe\n"
	    "[b.*]\n"
	    "@index = a.x\n"
	    "[c*]\n"
	    "z = int\n";

	ck_assert_int_eq(profile_schema_parse("sch", bad, strlen(bad), &s, &d), 5);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(buf_str(&d),
	    "sch:2: unknown type colour for x\n"
	    "sch:3: a schema line reads: key = type [optional]\n"
	    "sch:6: bad section name [c*]\n"
	    "sch:7: key outside a section\n"
	    "sch:4: @index a.x must name a words key of the schema\n");
	buf_free(&d);
}
END_TEST

/* ---- workflows --------------------------------------------------------- */

static int
tmpl_ok(void *arg, const char *name)
{
	(void)arg;
	return strncmp(name, "ok_", 3) == 0;
}

static struct wf_set *
test_set(void)
{
	struct profile_schema *s = test_schema();
	struct profile *p = NULL;
	struct wf_vocab v;
	struct buf d = BUF_INIT;

	ck_assert_int_eq(profile_parse("test", "test.profile", profile_text_ok,
	    strlen(profile_text_ok), s, &p, &d), 0);
	ck_assert_int_eq(wf_vocab_parse("vocabulary", vocab_text, strlen(vocab_text), &v, &d), 0);
	buf_free(&d);
	return wf_set_new(p, s, &v, NULL);
}

/* Parses the files (name, text pairs, NULL-terminated) into a fresh set
 * and validates it; returns every problem as text (caller frees). */
static char *
problems(const char *name, const char *text, ...)
{
	struct wf_set *set = test_set();
	struct buf d = BUF_INIT;
	va_list ap;
	int n = 0;

	va_start(ap, text);
	while (name != NULL) {
		n += wf_set_parse(set, name, text, strlen(text), &d);
		name = va_arg(ap, const char *);
		if (name != NULL)
			text = va_arg(ap, const char *);
	}
	va_end(ap);
	if (n == 0)
		n = wf_set_validate(set, tmpl_ok, NULL, &d);
	wf_set_free(set);
	return buf_steal(&d);
}

#define HEAD \
	"workflow t\n"			/* 1 */ \
	"open on form application\n"	/* 2 */ \
	"var a b\n"			/* 3 */ \
	"state s initial\n"		/* 4 */ \
	"state w\n"			/* 5 */ \
	"state done final\n"		/* 6 */ \
	"on s form application -> w\n"	/* 7 */ \
	"	set a = event.name\n"	/* 8 */ \
	"	deadline d 14d remind 7d escalate 7d\n"	/* 9 */ \
	"on w timer d -> done\n"	/* 10 */

static void
expect(const char *text, const char *want)
{
	char *d = problems("t.wf", text, NULL);

	ck_assert_str_eq(d, want);
	free(d);
}

START_TEST(a_good_workflow_loads)
{
	expect(HEAD
	    "on w remind d\n"
	    "	send applicant ok_rem\n"
	    "on w escalate d\n"
	    "	digest escalation \"late: \" + case.a\n"
	    "on w command approve\n"
	    "		if event.args[1] == \"\"\n"
	    "		or has(profile.categories.names, event.args[1])\n"
	    "		-> done\n"
	    "	member status active\n"
	    "	member category student\n"
	    "	member category event.args[1] if event.args[1] != \"\"\n"
	    "	decision \"approved\"\n"
	    "on w, s command extend\n"
	    "	extend d event.args[1]\n"
	    "	set b = join(\n"
	    "		\"x\",\n"
	    "		profile.categories[case.a].ratio)\n"
	    "on * command reject -> done\n"
	    "	clear d\n"
	    "	go done if case.a == \"\"\n", "");
}
END_TEST

START_TEST(unknown_names_are_reported_with_file_and_line)
{
	expect(HEAD "on nosuch timer d -> done\n", "t.wf:11: unknown state nosuch\n");
	expect(HEAD "on w timer d -> nowhere\n", "t.wf:11: -> unknown state nowhere\n");
	expect(HEAD "on w command approve\n	go nowhere\n", "t.wf:12: go: unknown state nowhere\n");
	expect(HEAD "on w poke\n",
	    "t.wf:11: unknown event poke (events: enter, reply, form <name>, command <verb>, "
	    "timer <name>, remind <name>, escalate <name>)\n");
	expect(HEAD "on w form payslip\n", "t.wf:11: unknown form payslip\n");
	expect(HEAD "on w command fly\n", "t.wf:11: unknown command fly\n");
	expect(HEAD "on w command approve\n	send applicant missing_items\n",
	    "t.wf:12: unknown template missing_items\n");
	expect(HEAD "on w command approve\n	send janitor ok_x\n", "t.wf:12: unknown role janitor\n");
	expect(HEAD "on w command approve if case.zzz > 1\n",
	    "t.wf:11: unknown variable case.zzz (declare it with `var`)\n");
	expect(HEAD "on w command approve\n	set zzz = 1\n",
	    "t.wf:12: unknown variable zzz (declare it with `var`)\n");
	expect(HEAD "on w command approve\n	set a = event.shoe_size\n",
	    "t.wf:12: unknown event fact event.shoe_size (see workflows/vocabulary)\n");
	expect(HEAD "on w command approve\n	set a = profile.dues.nope\n",
	    "t.wf:12: unknown profile key dues.nope\n");
	expect(HEAD "on w command approve\n	set a = profile.dues.note\n",
	    "t.wf:12: profile test has no dues.note (optional in the schema, but this "
	    "workflow needs it)\n");
	expect(HEAD "on w command approve\n	set a = profile.categories[case.b].words\n",
	    "t.wf:12: profile test: [categories.full] has no words, which this workflow reads\n");
	expect(HEAD "on w command approve\n	deadline e profile.dues.nope\n",
	    "t.wf:12: unknown profile key dues.nope\n");
	expect(HEAD "on w command approve\n	deadline e profile.dues.amount\n",
	    "t.wf:12: dues.amount is of type amount, not a duration or day\n");
	expect(HEAD "on w command approve\n	fly away\n",
	    "t.wf:12: unknown action fly (actions: send, confirm, deadline, clear, extend, set, member, "
	    "open, decision, digest, go)\n");
	expect(HEAD "on w timer x\n", "t.wf:11: timer x: no action sets a deadline x\n");
	expect(HEAD "on w command approve\n	clear x\n",
	    "t.wf:12: clear x: no action sets a deadline x\n");
	expect(HEAD "on w command approve\n	extend x 3\n",
	    "t.wf:12: extend x: no action sets a deadline x\n");
	expect(HEAD "on w command approve\n	deadline e 3d\non w remind e\non w escalate e\n",
	    "t.wf:13: remind e: no deadline e has `remind` lead times\n"
	    "t.wf:14: escalate e: no deadline e has `escalate`\n");
	expect(HEAD "on w command approve\n	member status zombie\n",
	    "t.wf:12: unknown member status zombie\n");
	expect(HEAD "on w command approve\n	member category dragon\n",
	    "t.wf:12: unknown category dragon in profile test\n");
	expect(HEAD "on w command approve\n	digest gossip\n", "t.wf:12: unknown digest item gossip\n");
	expect(HEAD "on w command approve\n	open nosuch\n", "t.wf:12: open: unknown workflow nosuch\n");
	expect(HEAD "on w command approve if case.a ==\n",
	    "t.wf:11: a value expected at: end of expression\n");
}
END_TEST

START_TEST(structure_errors)
{
	expect("workflow t\nopen on form application\nstate s initial\nstate x\n"
	    "state done final\non s command approve -> done\non done command reject -> s\n",
	    "t.wf:7: state done is final: only `enter` without `->` may follow it\n"
	    "t.wf:4: state x cannot be reached from s\n");
	expect("workflow t\nopen on form application\nstate s initial\nstate done final\n"
	    "on s command approve -> done\non done enter\n	deadline x 3d\n",
	    "t.wf:7: state done is final: no deadline, extend or go on entering it\n");
	expect("workflow t\nstate s initial\n", "t.wf:1: nothing opens workflow t (add an "
	    "`open ...` line)\n");
	expect("workflow other\nopen on form application\nstate a initial\nstate b initial\n"
	    "state a\nvar q q\n",
	    "t.wf:1: workflow other must be in a file named other.wf\n"
	    "t.wf:5: state a declared twice\n"
	    "t.wf:6: variable q declared twice\n"
	    "t.wf:4: a second initial state b (the first is a)\n");
	expect("open on form application\nstate a\n\tsend applicant ok_x\nbogus line\n",
	    "t.wf:1: the `workflow t` line is missing\n"
	    "t.wf:1: no state is marked initial\n"
	    "t.wf:3: an indented action line belongs under an `on` line\n"
	    "t.wf:4: unknown keyword bogus (workflow, var, state, summary, retain, open, on)\n");
	expect("workflow t\nopen on form application\nstate s initial\nsummary yearly\n"
	    "summary\nsummary\n",
	    "t.wf:4: summary: nothing may follow it\n"
	    "t.wf:6: summary: given twice\n");
	expect("workflow t\nopen on form application\nstate s initial\nretain soon\n"
	    "retain 5y 2y\nretain 5y\nretain 3y\n",
	    "t.wf:4: retain: a duration (5y) or profile.section.key is expected\n"
	    "t.wf:5: retain: one duration is expected\n"
	    "t.wf:7: retain: given twice\n");
	/* every problem of a file is listed, not only the first */
	expect("workflow t\nopen on form nope\nopen every year on 13-01\nstate s initial\n"
	    "on s command fly\n	send x y\n	set = 3\n",
	    "t.wf:3: open every year on: 13-01 is not a day (MM-DD)\n"
	    "t.wf:7: set: `set <variable> = <value>` is expected\n");
}
END_TEST

START_TEST(opening_another_workflow)
{
	static const char parent[] =
	    "workflow p\nopen on form application\nstate s initial\nstate done final\n"
	    "on s command approve -> done\n"
	    "	open c with x = 1 + 2, y = \"two\"\n";
	static const char child_ok[] =
	    "workflow c\nopen by p\nvar x y\nstate s initial\n";
	static const char child_no_by[] =
	    "workflow c\nopen on form resignation\nvar x\nstate s initial\n";
	static const char child_by_other[] =
	    "workflow c\nopen by t\nvar x y\nstate s initial\n";
	char *d;

	d = problems("p.wf", parent, "c.wf", child_ok, NULL);
	ck_assert_str_eq(d, "");
	free(d);
	d = problems("p.wf", parent, "c.wf", child_no_by, NULL);
	ck_assert_str_eq(d, "p.wf:6: open c: c.wf does not say `open by p`\n"
	    "p.wf:6: open c with y: c declares no variable y\n");
	free(d);
	d = problems("p.wf", parent, "c.wf", child_by_other, "t.wf", HEAD, NULL);
	ck_assert_str_eq(d, "p.wf:6: open c: c.wf does not say `open by p`\n"
	    "c.wf:2: open by t: t.wf has no `open c` action\n");
	free(d);
}
END_TEST

/* ---- the real data ----------------------------------------------------- */

/* The template names NEEDED.txt lists ("name:" at the start of a line). */
static int
needed_has(void *arg, const char *name)
{
	const char *t = arg;
	size_t n = strlen(name);

	for (const char *p = t; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, name, n) == 0 && p[n] == ':')
			return 1;
	}
	return 0;
}

static int
tmpl_exists(void *arg, const char *name)
{
	return template_exists(arg, name);
}

static void
count_tmpl(void *arg, const char *name)
{
	(void)name;
	(*(int *)arg)++;
}

/* Placeholders that notices or deadlines use are refused; one nothing uses
 * yet is not; clerk's defaults are listed until confirmed. */
START_TEST(placeholders_in_use_and_unconfirmed_defaults)
{
	static const char *const also[] = { "dues.account", "dues.currency", NULL };
	char *dir = xasprintf("%s/workflows", srcdir());
	struct wf_set *set = NULL;
	struct buf d = BUF_INIT, out = BUF_INIT, defaults = BUF_INIT;
	struct clerk_err err;

	ck_assert_msg(wf_set_load_dir(dir, "fgt", NULL, NULL, &set, &d, &err) == 0, "%s\n%s",
	    err.msg, buf_str(&d));
	ck_assert(wf_uses_profile_key(set, "dues", "amount"));
	ck_assert(wf_uses_profile_key(set, "dues", "invoice_date"));
	ck_assert(wf_uses_profile_key(set, "categories.student", "ratio"));
	ck_assert(!wf_uses_profile_key(set, "pfo", "send_date"));
	ck_assert_int_eq(wf_profile_marks(set, also, &out, &defaults), 3);
	ck_assert_msg(strstr(buf_str(&out), "dues.amount = 2500.00 is a PLACEHOLDER") != NULL,
	    "%s", buf_str(&out));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "dues.invoice_date = 05-15 is a PLACEHOLDER"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "dues.account = PLACEHOLDER:"));
	ck_assert_ptr_null(strstr(buf_str(&out), "send_date"));
	ck_assert_ptr_nonnull(strstr(buf_str(&defaults), "dues.reminders = 2 is clerk's default"));
	ck_assert_ptr_nonnull(strstr(buf_str(&defaults), "resignation.confirm_within = 14d"));
	/* The account is used by notices, not by a workflow. */
	buf_reset(&out);
	ck_assert_int_eq(wf_profile_marks(set, NULL, &out, NULL), 2);
	wf_set_free(set);
	buf_free(&d);
	buf_free(&out);
	buf_free(&defaults);
	free(dir);
}
END_TEST

START_TEST(real_workflows_load_for_every_profile)
{
	static const char *const profiles[] = { "fgt", "asrt", "ntp" };
	char *dir = xasprintf("%s/workflows", srcdir());
	char *npath = xasprintf("%s/templates/NEEDED.txt", dir);
	char *needed = slurp(npath, NULL);

	for (size_t i = 0; i < 3; i++) {
		struct wf_set *set = NULL;
		struct buf d = BUF_INIT;
		struct clerk_err err;
		const struct workflow *wf;
		int rc, ntmpl = 0;

		rc = wf_set_load_dir(dir, profiles[i], needed_has, needed, &set, &d, &err);
		ck_assert_msg(rc == 0, "%s: %s\n%s", profiles[i], err.msg, buf_str(&d));
		ck_assert_str_eq(buf_str(&d), "");
		ck_assert_ptr_nonnull(wf = wf_find(set, "application"));
		ck_assert_ptr_nonnull(wf_find(set, "dues"));
		ck_assert_ptr_nonnull(wf_find(set, "resignation"));
		ck_assert_ptr_nonnull(wf_find(set, "diploma"));
		ck_assert_uint_eq(wf_openers(set, WF_EV_FORM, "application", NULL, NULL), 1);
		ck_assert_uint_eq(wf_openers(set, WF_EV_OPEN, "application", NULL, NULL), 2);
		ck_assert_uint_eq(wf_openers(set, WF_EV_YEARLY, "dues", NULL, NULL), 1);
		ck_assert_int_eq(set->fire_hour, 8);
		ck_assert_int_eq(set->move_deadlines, strcmp(profiles[i], "fgt") == 0);
		ck_assert_ptr_nonnull(set->holidays);
		wf_each_template(set, count_tmpl, &ntmpl);
		ck_assert_int_ge(ntmpl, 20);
		/* and every notice exists, in each of the profile's languages */
		{
			char **langs;
			size_t nl;
			struct template_set *ts = NULL;
			struct wf_set *again = NULL;

			ck_assert_int_eq(profile_list(set->profile, "association", "languages",
			    &langs, &nl), 0);
			langs = xrealloc(langs, (nl + 1) * sizeof(*langs));
			langs[nl] = NULL;
			ck_assert_msg(templates_load_dir(dir, (const char *const *)langs, &ts, &d,
			    &err) == 0, "%s\n%s", err.msg, buf_str(&d));
			rc = wf_set_load_dir(dir, profiles[i], tmpl_exists, ts, &again, &d, &err);
			ck_assert_msg(rc == 0, "%s: %s\n%s", profiles[i], err.msg, buf_str(&d));
			wf_set_free(again);
			template_set_free(ts);
			for (size_t k = 0; k < nl; k++)
				free(langs[k]);
			free(langs);
		}
		wf_set_free(set);
		buf_free(&d);
	}
	free(needed);
	free(npath);
	free(dir);
}
END_TEST

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void
copy_file(const char *from, const char *dir, const char *name)
{
	char *t = slurp(from, NULL);

	write_file(dir, name, t);
	free(t);
}

START_TEST(load_dir_lists_every_problem)
{
	char tmpl[] = "/tmp/check_workflow.XXXXXX";
	char *dir = mkdtemp(tmpl), *src, *sub;
	struct wf_set *set = NULL;
	struct buf d = BUF_INIT;
	struct clerk_err err;

	ck_assert_ptr_nonnull(dir);
	src = xasprintf("%s/workflows", srcdir());
	sub = xasprintf("%s/profiles", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	free(sub);
	sub = xasprintf("%s/calendars", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	free(sub);
	{
		char *a = xasprintf("%s/vocabulary", src), *b = xasprintf("%s/profiles/schema", src);
		char *c = xasprintf("%s/profiles/asrt.profile", src);
		char *e = xasprintf("%s/calendars/dk.holidays", src);

		copy_file(a, dir, "vocabulary");
		copy_file(b, dir, "profiles/schema");
		copy_file(c, dir, "profiles/asrt.profile");
		copy_file(e, dir, "calendars/dk.holidays");
		free(a);
		free(b);
		free(c);
		free(e);
	}
	/* a missing profile */
	ck_assert_int_eq(wf_set_load_dir(dir, "xyz", NULL, NULL, &set, &d, &err), -1);
	ck_assert_ptr_null(set);
	ck_assert_msg(strstr(err.msg, "profiles/xyz.profile: cannot open: No such file") != NULL, "%s", err.msg);
	ck_assert_int_eq(err.temporary, 0);
	buf_reset(&d);
	/* no workflows at all */
	ck_assert_int_eq(wf_set_load_dir(dir, "asrt", NULL, NULL, &set, &d, &err), -1);
	ck_assert_msg(strstr(err.msg, "no workflows") != NULL, "%s", err.msg);
	buf_reset(&d);
	/* two broken files: both are reported */
	write_file(dir, "a.wf", "workflow a\nopen on form application\nstate s initial\n"
	    "on s command fly\n");
	write_file(dir, "b.wf", "workflow b\nopen on form resignation\nstate s initial\n"
	    "on s timer nope\non s command approve\n	send nobody x\n");
	ck_assert_int_eq(wf_set_load_dir(dir, "asrt", NULL, NULL, &set, &d, &err), -1);
	{
		char *want = xasprintf("%s/b.wf:4: timer nope: no action sets a deadline nope\n"
		    "%s/b.wf:6: unknown role nobody\n", dir, dir);
		char *want_a = xasprintf("%s/a.wf:4: unknown command fly\n", dir);

		ck_assert_msg(strstr(buf_str(&d), want) != NULL, "%s", buf_str(&d));
		ck_assert_msg(strstr(buf_str(&d), want_a) != NULL, "%s", buf_str(&d));
		ck_assert_msg(strncmp(err.msg, "3 problems; the first: ", 23) == 0, "%s", err.msg);
		free(want);
		free(want_a);
	}
	/* fixed: it loads */
	write_file(dir, "a.wf", "workflow a\nopen on form application\nstate s initial\n"
	    "on s command approve\n");
	write_file(dir, "b.wf", "workflow b\nopen on form resignation\nstate s initial\n");
	buf_reset(&d);
	ck_assert_int_eq(wf_set_load_dir(dir, "asrt", NULL, NULL, &set, &d, &err), 0);
	ck_assert_uint_eq(set->nwf, 2);
	wf_set_free(set);
	{
		static const char *const files[] = { "a.wf", "b.wf", "vocabulary",
		    "profiles/schema", "profiles/asrt.profile", "calendars/dk.holidays" };

		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			char *p = xasprintf("%s/%s", dir, files[i]);

			unlink(p);
			free(p);
		}
		sub = xasprintf("%s/profiles", dir);
		rmdir(sub);
		free(sub);
		sub = xasprintf("%s/calendars", dir);
		rmdir(sub);
		free(sub);
		rmdir(dir);
	}
	free(src);
	buf_free(&d);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("workflow");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, profile_typed_lookups);
	tcase_add_test(tc, profile_errors_name_file_and_line);
	tcase_add_test(tc, schema_errors);
	tcase_add_test(tc, a_good_workflow_loads);
	tcase_add_test(tc, unknown_names_are_reported_with_file_and_line);
	tcase_add_test(tc, structure_errors);
	tcase_add_test(tc, opening_another_workflow);
	tcase_add_test(tc, real_workflows_load_for_every_profile);
	tcase_add_test(tc, placeholders_in_use_and_unconfirmed_defaults);
	tcase_add_test(tc, load_dir_lists_every_problem);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
