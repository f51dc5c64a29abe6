/* test_ical.c: time zones, recurrence, feed text and import with libical. */
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
make_event(struct event *ev, const char *start, const char *end,
    const char *rrule)
{
	struct qrm_error	err = { 0 };

	event_init(ev);
	ev->uid = strdup("t@test");
	ev->title = strdup("Facilitators' drop-in");
	ev->tzid = strdup("Europe/London");
	snprintf(ev->start, sizeof(ev->start), "%s", start);
	snprintf(ev->end, sizeof(ev->end), "%s", end);
	ev->all_day = strlen(start) == 10;
	ev->rrule = rrule ? strdup(rrule) : NULL;
	ev->created = ev->updated = 1790000000;
	assert_int_equal(ical_event_span(ev, &err), QRM_OK);
}

/*
 * Event i of a member's feed as core lays it out: its shared text with
 * the member's line for slot put in at each cut, appended to out.
 */
static void
splice(struct buf *out, const struct buf *text, const size_t *cuts,
    size_t ncuts, const char *line)
{
	size_t	k, at = 0;

	for (k = 0; k < ncuts; k++) {
		buf_append(out, text->p + at, cuts[2 * k] - at);
		buf_puts(out, line);
		at = cuts[2 * k + 1];
	}
	buf_append(out, text->p + at, text->len - at);
}

/*
 * A personal feed assembled from its pieces (the head, the zones, each
 * event's shared text with the member's own ATTENDEE line put in where
 * ical_shared_ok() allows, else the member's own text of it, the tail)
 * equals the feed built whole, byte for byte: for members with no
 * answers, with answers (one accepted, one on a waiting list, a date of
 * a series), with a long name that folds, and with an alert (every
 * event their own).
 */
static void
personal_assembled(void **state)
{
	struct event_list	 evs = { 0 };
	struct attendance	 rec[3];
	struct attendance_list	 rsvps = { rec, 3 }, none = { NULL, 0 };
	struct member		 m[3];
	struct feed_meta	 meta;
	struct override		 ov;
	struct buf		 whole = { 0 }, built = { 0 }, sb[7];
	const struct event	*ev[7];
	size_t			*cuts[7], ncuts[7], i, k, shared;
	char			*line;
	int			 slot;

	(void)state;
	evs.v = calloc(7, sizeof(*evs.v));
	evs.n = 7;
	make_event(&evs.v[0], "2027-01-30T13:00:00", "2027-01-30T14:00:00",
	    NULL);
	make_event(&evs.v[1], "2027-02-03T18:00:00", "2027-02-03T19:30:00",
	    "FREQ=WEEKLY;COUNT=6");
	make_event(&evs.v[2], "2027-02-10", "2027-02-11", NULL);
	make_event(&evs.v[3], "2027-03-01T10:00:00", "2027-03-01T12:00:00",
	    NULL);
	make_event(&evs.v[4], "2027-03-02T10:00:00", "2027-03-02T12:00:00",
	    NULL);
	make_event(&evs.v[5], "2027-03-05T09:00:00", "2027-03-05T10:00:00",
	    "FREQ=DAILY;COUNT=3");
	make_event(&evs.v[6], "2027-04-01T10:00:00", "2027-04-01T11:00:00",
	    NULL);
	for (i = 0; i < 7; i++) {
		evs.v[i].id = (int64_t)i + 1;
		free(evs.v[i].uid);
		evs.v[i].uid = malloc(32);
		snprintf(evs.v[i].uid, 32, "ev%zu@test", i);
	}
	evs.v[0].description = strdup("Agenda: the pay claim");
	evs.v[0].location = strdup("Room 4, Clive House");
	evs.v[0].url = strdup("https://meet.example/pay");
	evs.v[0].organizer = strdup("tania@napo.example");
	evs.v[3].status = EVSTATUS_CANCELLED;
	/* a date of the series moved and one cancelled */
	memset(&ov, 0, sizeof(ov));
	snprintf(ov.occurrence, sizeof(ov.occurrence), "2027-02-10T18:00:00");
	snprintf(ov.start, sizeof(ov.start), "2027-02-11T18:30:00");
	snprintf(ov.end, sizeof(ov.end), "2027-02-11T20:00:00");
	ov.location = (char *)"Hall";
	ov.sequence = 1;
	ov.updated = 1790000100;
	assert_int_equal(event_override_set(&evs.v[1], &ov), 0);
	snprintf(ov.occurrence, sizeof(ov.occurrence), "2027-02-17T18:00:00");
	snprintf(ov.start, sizeof(ov.start), "2027-02-17T18:00:00");
	snprintf(ov.end, sizeof(ov.end), "2027-02-17T19:30:00");
	ov.location = NULL;
	ov.cancelled = 1;
	assert_int_equal(event_override_set(&evs.v[1], &ov), 0);
	memset(m, 0, sizeof(m));
	m[0].id = 1;
	m[0].name = (char *)"Sam Okafor";
	m[0].email = (char *)"sam@napo.example";
	m[1].id = 2;
	m[1].name = (char *)"Priya Shah-Okonkwo-Fitzgerald, Branch Secretary "
	    "(Probation, Wales)";
	m[1].email = (char *)"priya.shah-okonkwo.fitzgerald@napo.example";
	m[2] = m[0];
	memset(rec, 0, sizeof(rec));
	rec[0].event = 1;
	rec[0].rsvp = RSVP_ACCEPTED;
	rec[1].event = 5;
	rec[1].rsvp = RSVP_ACCEPTED;
	rec[1].waitlisted = 1;
	rec[1].wait_position = 2;
	rec[2].event = 6;
	snprintf(rec[2].occurrence, sizeof(rec[2].occurrence),
	    "2027-03-06T09:00:00");
	rec[2].rsvp = RSVP_DECLINED;
	for (i = 0; i < 7; i++) {
		memset(&sb[i], 0, sizeof(sb[i]));
		assert_int_equal(ical_shared_text(&evs.v[i], &sb[i], &cuts[i],
		    &ncuts[i], NULL), QRM_OK);
		/* the placeholder is the attendee of each date of it */
		assert_true(ncuts[i] >= 1);
		assert_int_equal(memcmp(sb[i].p + cuts[i][0], "ATTENDEE", 8),
		    0);
	}
	/* a series with a date moved: an ATTENDEE line in each VEVENT */
	assert_true(ncuts[1] >= 2);
	for (k = 0; k < 6; k++) {
		memset(&meta, 0, sizeof(meta));
		meta.name = "quorum: a member";
		meta.description = "Your union meetings and actions";
		meta.refresh_minutes = 60;
		meta.tzid = "Europe/London";
		meta.attendee = &m[k % 3];
		meta.rsvps = k < 3 ? &none : &rsvps;
		meta.alarm = k % 3 == 2 ? 1800 : 0;
		whole.len = 0;
		assert_int_equal(ical_feed_build(&meta, &evs, &whole, NULL),
		    QRM_OK);
		built.len = 0;
		assert_int_equal(ical_feed_props(&meta, &built, NULL), QRM_OK);
		for (i = 0; i < 7; i++)
			ev[i] = &evs.v[i];
		assert_int_equal(ical_feed_zones(ev, 7, &built, NULL), QRM_OK);
		for (i = shared = 0; i < 7; i++) {
			if (!ical_shared_ok(&meta, &evs.v[i], &slot)) {
				assert_int_equal(ical_feed_event(&meta,
				    &evs.v[i], &built, NULL), QRM_OK);
				continue;
			}
			assert_non_null(line = ical_attendee_text(
			    meta.attendee, slot));
			splice(&built, &sb[i], cuts[i], ncuts[i], line);
			free(line);
			shared++;
		}
		assert_int_equal(ical_feed_tail(&meta, &built, NULL), QRM_OK);
		assert_int_equal(built.len, whole.len);
		assert_memory_equal(built.p, whole.p, whole.len);
		/* an alert makes every event the member's own; else few */
		if (meta.alarm > 0)
			assert_int_equal(shared, 0);
		else
			assert_int_equal(shared, k < 3 ? 7 : 5);
	}
	for (i = 0; i < 7; i++) {
		buf_free(&sb[i]);
		free(cuts[i]);
	}
	buf_free(&whole);
	buf_free(&built);
	event_list_free(&evs);
}

static void
zones(void **state)
{
	int64_t	t;
	char	local[LOCAL_TIME_LEN];

	(void)state;
	assert_true(ical_tz_known("Europe/London"));
	assert_true(ical_tz_known("UTC"));
	assert_false(ical_tz_known("Mars/Olympus"));
	assert_false(ical_tz_known(""));
	/* 13:00 on 30 January is GMT; 13:00 on 30 June is BST */
	assert_int_equal(ical_local_to_utc("2027-01-30T13:00:00",
	    "Europe/London", &t), 0);
	assert_int_equal(t, 1801314000);
	assert_int_equal(ical_local_to_utc("2027-06-30T13:00:00",
	    "Europe/London", &t), 0);
	assert_int_equal(t, 1814356800);
	assert_int_equal(ical_utc_to_local(1814356800, "Europe/London", local,
	    sizeof(local)), 0);
	assert_string_equal(local, "2027-06-30T13:00:00");
}

static void
rrules(void **state)
{
	struct qrm_error	 err;
	char			*n = NULL;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(ical_rrule_check("FREQ=WEEKLY;COUNT=12",
	    "Europe/London", 0, &n, &err), QRM_OK);
	assert_non_null(strstr(n, "FREQ=WEEKLY"));
	free(n);
	/* a local UNTIL becomes UTC (BST: an hour earlier) */
	assert_int_equal(ical_rrule_check("FREQ=WEEKLY;UNTIL=20270701T120000",
	    "Europe/London", 0, &n, &err), QRM_OK);
	assert_non_null(strstr(n, "UNTIL=20270701T110000Z"));
	free(n);
	static const char *const bad[] = {
		"FREQ=SECONDLY", "FREQ=MINUTELY;COUNT=5", "FREQ=HOURLY",
		"garbage", "FREQ=WEEKLY;BYDAY=XX", "FREQ=DAILY;COUNT=100000",
		"FREQ=DAILY;UNTIL=50000101T000000Z",
		"FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z",
		"FREQ=WEEKLY;INTERVAL=0", NULL
	};
	for (size_t i = 0; bad[i] != NULL; i++) {
		memset(&err, 0, sizeof(err));
		n = NULL;
		if (ical_rrule_check(bad[i], "Europe/London", 0, &n, &err) !=
		    QRM_EINVAL)
			fail_msg("rrule '%s' was accepted as '%s'", bad[i],
			    n ? n : "");
		assert_string_equal(err.field, "rrule");
		free(n);
	}
}

static void
clock_change(void **state)
{
	struct event		 ev;
	struct occurrence	*o;
	size_t			 n;

	(void)state;
	/* Mondays at 10:00 across the end of BST on 31 October 2027 */
	make_event(&ev, "2027-10-18T10:00:00", "2027-10-18T11:30:00",
	    "FREQ=WEEKLY;COUNT=4");
	strv_push(&ev.exdates, "2027-11-01T10:00:00");
	assert_int_equal(ical_event_occurrences(&ev, 0, 0, &o, &n, NULL),
	    QRM_OK);
	assert_int_equal(n, 3);
	assert_int_equal(o[0].start_utc, 1823850000);	/* 09:00Z, BST */
	assert_int_equal(o[1].start_utc, 1823850000 + 7 * 86400);
	/* 8 Nov: GMT, so 10:00Z, an hour later in UTC than in October */
	assert_int_equal(o[2].start_utc, 1823850000 + 21 * 86400 + 3600);
	assert_int_equal(o[2].end_utc - o[2].start_utc, 5400);
	assert_string_equal(o[2].start, "2027-11-08T10:00:00");
	assert_int_equal(ev.last_utc, o[2].end_utc);
	free(o);
	/* the window cuts */
	assert_int_equal(ical_event_occurrences(&ev, 1823850000 + 86400,
	    1823850000 + 8 * 86400, &o, &n, NULL), QRM_OK);
	assert_int_equal(n, 1);
	free(o);
	event_clear(&ev);

	/* without an end, the series has no last occurrence */
	make_event(&ev, "2027-10-18T10:00:00", "2027-10-18T11:00:00",
	    "FREQ=WEEKLY");
	assert_int_equal(ev.last_utc, UTC_NONE);
	event_clear(&ev);
	/* an all-day event of two days */
	make_event(&ev, "2027-03-03", "2027-03-04", NULL);
	assert_int_equal(ev.end_utc - ev.start_utc, 2 * 86400);
	event_clear(&ev);
}

static void
feed_text(void **state)
{
	struct event_list	 evs = { 0 };
	struct feed_meta	 meta = { 0 };
	struct buf		 a = { 0 }, b = { 0 };
	const char		*p, *line;

	(void)state;
	evs.v = calloc(1, sizeof(*evs.v));
	evs.n = 1;
	make_event(&evs.v[0], "2027-01-30T13:00:00", "2027-01-30T14:00:00",
	    NULL);
	free(evs.v[0].description);
	evs.v[0].description = strdup("Réunion des délégués — ordre du jour: "
	    "les fiches de poste, la rémunération, la formation et la suite "
	    "à donner après la réunion avec l'employeur 😀😀😀😀😀.");
	meta.name = "Programmes";
	meta.refresh_minutes = 60;
	meta.tzid = "Europe/London";
	assert_int_equal(ical_feed_build(&meta, &evs, &a, NULL), QRM_OK);
	assert_int_equal(ical_feed_build(&meta, &evs, &b, NULL), QRM_OK);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);	/* same data, same bytes */
	assert_non_null(strstr(a.p, "DTSTART;TZID=Europe/London:20270130T"
	    "130000\r\n"));
	assert_non_null(strstr(a.p, "TZID:Europe/London\r\n"));
	assert_null(strstr(a.p, "freeassociation"));
	assert_non_null(strstr(a.p, "REFRESH-INTERVAL;VALUE=DURATION:PT1H"));
	assert_non_null(strstr(a.p, "X-PUBLISHED-TTL:PT60M"));
	assert_non_null(strstr(a.p, "METHOD:PUBLISH\r\n"));
	assert_non_null(strstr(a.p, "DTSTAMP:20260921T"));
	/* every line ends in CRLF and is at most 75 octets */
	for (line = a.p; *line != '\0'; line = p + 2) {
		p = strstr(line, "\r\n");
		assert_non_null(p);
		if (p - line > 75)
			fail_msg("line of %d octets: %.*s", (int)(p - line),
			    (int)(p - line), line);
		assert_null(memchr(line, '\n', (size_t)(p - line)));
	}
	buf_free(&a);
	buf_free(&b);
	event_list_free(&evs);
}

#define CAL(body) "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" \
	body "END:VCALENDAR\r\n"

static void
import_good(void **state)
{
	static const char text[] = CAL(
	    "BEGIN:VEVENT\r\nUID:w1@example\r\nDTSTAMP:20261101T100000Z\r\n"
	    "DTSTART;TZID=Europe/London:20270104T100000\r\n"
	    "DTEND;TZID=Europe/London:20270104T113000\r\n"
	    "RRULE:FREQ=WEEKLY;COUNT=5\r\n"
	    "SUMMARY:Weekly\\, with a comma\r\nSTATUS:TENTATIVE\r\n"
	    "SEQUENCE:3\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:w1@example\r\nDTSTAMP:20261101T100000Z\r\n"
	    "RECURRENCE-ID;TZID=Europe/London:20270111T100000\r\n"
	    "DTSTART;TZID=Europe/London:20270111T140000\r\n"
	    "DTEND;TZID=Europe/London:20270111T153000\r\n"
	    "SUMMARY:Weekly (moved)\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:d1@example\r\nDTSTAMP:20261101T100000Z\r\n"
	    "DTSTART;VALUE=DATE:20270210\r\nDTEND;VALUE=DATE:20270213\r\n"
	    "SUMMARY:Three days\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:u1@example\r\nDTSTAMP:20261101T100000Z\r\n"
	    "DTSTART:20270701T120000Z\r\nDURATION:PT2H\r\n"
	    "SUMMARY:In UTC\r\nEND:VEVENT\r\n");
	struct event_list	evs;
	struct qrm_error	err = { 0 };

	(void)state;
	assert_int_equal(ical_import_parse(text, sizeof(text) - 1,
	    "Europe/London", &evs, &err), QRM_OK);
	assert_int_equal(evs.n, 4);
	assert_string_equal(evs.v[0].title, "Weekly, with a comma");
	assert_int_equal(evs.v[0].status, EVSTATUS_TENTATIVE);
	assert_int_equal(evs.v[0].sequence, 3);
	assert_string_equal(evs.v[0].start, "2027-01-04T10:00:00");
	/* the moved occurrence leaves its series as an EXDATE */
	assert_int_equal(evs.v[0].exdates.n, 1);
	assert_string_equal(evs.v[0].exdates.v[0], "2027-01-11T10:00:00");
	assert_string_equal(evs.v[1].uid, "w1@example-2027-01-11T10:00:00");
	assert_null(evs.v[1].rrule);
	/* a DATE end is exclusive in iCalendar, inclusive here */
	assert_true(evs.v[2].all_day);
	assert_string_equal(evs.v[2].end, "2027-02-12");
	/* a UTC time comes in as local time of the default zone */
	assert_string_equal(evs.v[3].tzid, "Europe/London");
	assert_string_equal(evs.v[3].start, "2027-07-01T13:00:00");
	assert_string_equal(evs.v[3].end, "2027-07-01T15:00:00");
	event_list_free(&evs);
}

static void
import_refused(void **state)
{
	static const struct {
		const char	*text;
		const char	*expect;
	} cases[] = {
		{ CAL("BEGIN:VEVENT\r\nUID:x\r\nSUMMARY:no start\r\n"
		    "END:VEVENT\r\n"), "line 4: VEVENT has no DTSTART" },
		{ CAL("BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Mars/Base:"
		    "20270101T100000\r\nEND:VEVENT\r\n"),
		    "line 4: unknown time zone 'Mars/Base'" },
		{ "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n",
		    "ends inside BEGIN:VEVENT" },
		{ CAL("BEGIN:VEVENT\r\nthis line has no colon\r\n"
		    "END:VEVENT\r\n"), "line 5: not an iCalendar content line" },
		{ CAL("BEGIN:VEVENT\r\nUID:x\r\nSUMMARY:caf\xe9\r\n"
		    "END:VEVENT\r\n"), "line 6: text is not valid UTF-8" },
		{ CAL("BEGIN:VEVENT\r\nUID:x\r\nEND:VTODO\r\n"),
		    "line 6: END:VTODO does not close BEGIN:VEVENT" },
		{ "hello world\r\n", "line 1: not an iCalendar content line" },
		{ CAL("BEGIN:VEVENT\r\nUID:x\r\nDTSTART:2027XX01T100000\r\n"
		    "END:VEVENT\r\n"), "line 4" },
	};
	struct event_list	evs;
	struct qrm_error	err;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_not_equal(ical_import_parse(cases[i].text,
		    strlen(cases[i].text), "Europe/London", &evs, &err),
		    QRM_OK);
		assert_int_equal(evs.n, 0);
		if (strstr(err.msg, cases[i].expect) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
			    cases[i].expect);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zones),
		cmocka_unit_test(rrules),
		cmocka_unit_test(clock_change),
		cmocka_unit_test(feed_text),
		cmocka_unit_test(personal_assembled),
		cmocka_unit_test(import_good),
		cmocka_unit_test(import_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
