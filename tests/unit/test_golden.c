/*
 * test_golden.c: feeds compared byte for byte with the files in tests/golden
 * (DTSTAMP and PRODID normalised).  QUORUM_UPDATE_GOLDEN=1 rewrites
 * them; review the diff before committing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "quorum/ical.h"

static void
golden_event(struct event *ev, const char *uid, const char *title,
    const char *start, const char *end)
{
	event_init(ev);
	ev->uid = strdup(uid);
	ev->title = strdup(title);
	ev->tzid = strdup("Europe/London");
	snprintf(ev->start, sizeof(ev->start), "%s", start);
	snprintf(ev->end, sizeof(ev->end), "%s", end);
	ev->all_day = strlen(start) == 10;
	ev->created = 1790000000;
	ev->updated = 1790003600;
	strv_push(&ev->audiences, "programmes");
}

/* Replace the value of every DTSTAMP and PRODID line. */
static char *
normalise(const char *in)
{
	struct buf	 b = { 0 };
	const char	*p = in, *eol;

	while (*p != '\0') {
		eol = strstr(p, "\r\n");
		eol = eol ? eol + 2 : p + strlen(p);
		if (strncmp(p, "DTSTAMP:", 8) == 0)
			buf_puts(&b, "DTSTAMP:NORMALISED\r\n");
		else if (strncmp(p, "PRODID:", 7) == 0)
			buf_puts(&b, "PRODID:NORMALISED\r\n");
		else
			buf_append(&b, p, (size_t)(eol - p));
		p = eol;
	}
	return buf_detach(&b);
}

static void
check(const char *name, struct event *evs, size_t n)
{
	struct event_list	 l = { evs, n };
	struct feed_meta	 meta = { 0 };
	struct buf		 out = { 0 };
	struct qrm_error	 err = { 0 };
	char			 path[512], *got, *want;
	FILE			*f;
	size_t			 i, len;

	for (i = 0; i < n; i++)
		assert_int_equal(ical_event_span(&evs[i], &err), QRM_OK);
	meta.name = "Programmes";
	meta.description = "Members working in accredited programmes.";
	meta.colour = "#1d70b8";
	meta.refresh_minutes = 60;
	meta.tzid = "Europe/London";
	assert_int_equal(ical_feed_build(&meta, &l, &out, &err), QRM_OK);
	got = normalise(out.p);
	buf_free(&out);
	snprintf(path, sizeof(path), "%s/tests/golden/%s.ics",
	    QUORUM_SOURCE_DIR, name);
	if (getenv("QUORUM_UPDATE_GOLDEN") != NULL) {
		assert_non_null(f = fopen(path, "wb"));
		fputs(got, f);
		fclose(f);
	}
	assert_non_null(f = fopen(path, "rb"));
	want = calloc(1, 1 << 20);
	len = fread(want, 1, (1 << 20) - 1, f);
	fclose(f);
	want[len] = '\0';
	if (strcmp(got, want) != 0)
		fail_msg("%s differs from the golden file:\n%s", name, got);
	free(got);
	free(want);
	for (i = 0; i < n; i++)
		event_clear(&evs[i]);
}

static void
one_off(void **state)
{
	struct event	ev;

	(void)state;
	golden_event(&ev, "briefing@golden", "All programmes members briefing",
	    "2027-01-30T13:00:00", "2027-01-30T14:00:00");
	ev.kind = KIND_MEMBER_BRIEFING;
	ev.description = strdup("Hosted by the National Official and the "
	    "National Chair; questions welcome.");
	ev.location = strdup("Online");
	ev.url = strdup("https://meet.example.org/briefing");
	ev.organizer = strdup("official@napo.example");
	check("one-off", &ev, 1);
}

static void
all_day(void **state)
{
	struct event	ev;

	(void)state;
	golden_event(&ev, "employer@golden", "Employer meeting (all day)",
	    "2027-02-03", "2027-02-03");
	ev.kind = KIND_EMPLOYER_MEETING;
	check("all-day", &ev, 1);
}

static void
recurring_with_exception(void **state)
{
	struct event	ev;

	(void)state;
	golden_event(&ev, "dropin@golden", "Facilitators' drop-in",
	    "2027-01-07T12:30:00", "2027-01-07T13:15:00");
	ev.rrule = strdup("FREQ=WEEKLY;COUNT=8");
	strv_push(&ev.exdates, "2027-01-21T12:30:00");
	check("recurring-exception", &ev, 1);
}

static void
cancelled(void **state)
{
	struct event	ev;

	(void)state;
	golden_event(&ev, "unpaid@golden", "Unpaid Work colleagues meeting",
	    "2027-02-10T11:00:00", "2027-02-10T12:00:00");
	ev.status = EVSTATUS_CANCELLED;
	ev.sequence = 1;
	check("cancelled", &ev, 1);
}

static void
october_clock_change(void **state)
{
	struct event	ev[2];

	(void)state;
	/* weekly across 31 October 2027, and one event spanning the night */
	golden_event(&ev[0], "weekly-oct@golden", "JES workshop",
	    "2027-10-18T10:00:00", "2027-10-18T11:30:00");
	ev[0].rrule = strdup("FREQ=WEEKLY;UNTIL=20271108T100000Z");
	golden_event(&ev[1], "overnight@golden", "Overnight helpline cover",
	    "2027-10-30T22:00:00", "2027-10-31T06:00:00");
	check("october-clock-change", ev, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_off),
		cmocka_unit_test(all_day),
		cmocka_unit_test(recurring_with_exception),
		cmocka_unit_test(cancelled),
		cmocka_unit_test(october_clock_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
