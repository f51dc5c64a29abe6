/* test_event.c: the domain's rules for events on a real database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "quorum/core.h"
#include "quorum/store.h"

static struct qrm	*q;
static char		 dbpath[64];
static const struct actor official = { 0, ROLE_OFFICIAL, "test" };

static int
setup(void **state)
{
	struct qrm_error	err = { 0 };
	int			fd;

	(void)state;
	snprintf(dbpath, sizeof(dbpath), "/tmp/quorum-event-XXXXXX");
	if ((fd = mkstemp(dbpath)) == -1)
		return -1;
	close(fd);
	unlink(dbpath);
	if (qrm_open(dbpath, QUORUM_SOURCE_DIR "/feeds", &q, &err) != QRM_OK ||
	    catalogue_load(q, &err) != QRM_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	char	p[96];

	(void)state;
	qrm_close(q);
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	return 0;
}

static json_t *
base(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[s]}", "title",
	    "Joint workshop", "kind", "workshop", "start",
	    "2027-03-10T10:00:00", "end", "2027-03-10T12:00:00", "audiences",
	    "programmes");
}

static int64_t
count(void)
{
	int64_t	n = -1;

	store_event_count(qrm_store(q, NULL), &n);
	return n;
}

/* Apply one change to the base event; expect err.field to be field. */
static void
refused(const char *key, json_t *value, const char *field, int code)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	json_t			*o = base();
	int64_t			 before = count();

	if (value != NULL)
		json_object_set_new(o, key, value);
	else
		json_object_del(o, key);
	assert_int_equal(core_event_create(q, &official, o, &ev, &err), code);
	if (strcmp(err.field, field) != 0)
		fail_msg("%s: field '%s' (%s), wanted '%s'", key, err.field,
		    err.msg, field);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(count(), before);	/* nothing written */
	json_decref(o);
}

static void
bad_input(void **state)
{
	(void)state;
	refused("title", NULL, "title", QRM_EINVAL);
	refused("title", json_string(""), "title", QRM_EINVAL);
	refused("title", json_integer(5), "title", QRM_EINVAL);
	refused("colour", json_string("red"), "colour", QRM_EINVAL);
	refused("end", json_string("2027-03-10T09:00:00"), "end", QRM_EINVAL);
	refused("start", json_string("10 March"), "start", QRM_EINVAL);
	refused("start", json_string("2027-02-30T10:00:00"), "start",
	    QRM_EINVAL);
	refused("tz", json_string("Europe/Narnia"), "tz", QRM_EINVAL);
	refused("rrule", json_string("FREQ=SECONDLY"), "rrule", QRM_EINVAL);
	refused("rrule", json_string("RRULE:NONSENSE"), "rrule", QRM_EINVAL);
	refused("audiences", json_pack("[s]", "nowhere"), "audiences",
	    QRM_EINVAL);
	refused("audiences", json_array(), "audiences", QRM_EINVAL);
	refused("audiences", json_string("programmes"), "audiences",
	    QRM_EINVAL);
	refused("kind", json_string("party"), "kind", QRM_EINVAL);
	refused("status", json_string("maybe"), "status", QRM_EINVAL);
	refused("all_day", json_string("yes"), "all_day", QRM_EINVAL);
	refused("all_day", json_true(), "start", QRM_EINVAL);
	refused("capacity", json_integer(-1), "capacity", QRM_EINVAL);
	refused("capacity", json_string("ten"), "capacity", QRM_EINVAL);
	refused("url", json_string("javascript:alert(1)"), "url", QRM_EINVAL);
	refused("exdates", json_pack("[s]", "2027-03-17T10:00:00"), "exdates",
	    QRM_EINVAL);
	refused("hosts", json_pack("[s]", "Carole"), "hosts", QRM_EINVAL);
	refused("hosts", json_pack("[i]", 999), "hosts", QRM_EINVAL);
	refused("after", json_integer(999), "after", QRM_EINVAL);
}

static void
roles(void **state)
{
	struct qrm_error	 err = { 0 };
	struct actor		 rep = { 1, ROLE_REP, "rep" };
	struct event		 ev;
	json_t			*o = base();

	(void)state;
	assert_int_equal(core_event_create(q, &rep, o, &ev, &err),
	    QRM_EFORBIDDEN);
	assert_int_equal(count(), 0);
	json_decref(o);
}

static void
sequence_rules(void **state)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev, up;
	json_t			*o = base(), *p;
	int64_t			 id;

	(void)state;
	assert_int_equal(core_event_create(q, &official, o, &ev, &err), QRM_OK);
	json_decref(o);
	id = ev.id;
	assert_int_equal(ev.sequence, 0);
	assert_string_equal(ev.tzid, "Europe/London");
	assert_non_null(strstr(ev.uid, "@quorum"));
	event_clear(&ev);

	/* a new description does not matter to attendees' calendars */
	p = json_pack("{s:s}", "description", "Bring the questionnaire");
	assert_int_equal(core_event_update(q, &official, id, p, &up, &err),
	    QRM_OK);
	assert_int_equal(up.sequence, 0);
	event_clear(&up);
	json_decref(p);
	/* a new time does */
	p = json_pack("{s:s, s:s}", "start", "2027-03-10T11:00:00", "end",
	    "2027-03-10T13:00:00");
	assert_int_equal(core_event_update(q, &official, id, p, &up, &err),
	    QRM_OK);
	assert_int_equal(up.sequence, 1);
	event_clear(&up);
	/* the same patch again changes nothing */
	assert_int_equal(core_event_update(q, &official, id, p, &up, &err),
	    QRM_OK);
	assert_int_equal(up.sequence, 1);
	event_clear(&up);
	json_decref(p);
	/* a bad patch changes nothing */
	p = json_pack("{s:s}", "end", "2027-03-10T08:00:00");
	assert_int_equal(core_event_update(q, &official, id, p, &up, &err),
	    QRM_EINVAL);
	json_decref(p);
	assert_int_equal(core_event_get(q, &official, id, &up, &err), QRM_OK);
	assert_string_equal(up.end, "2027-03-10T13:00:00");
	event_clear(&up);
	/* cancelling raises it too, and keeps the event */
	assert_int_equal(core_event_cancel(q, &official, id, &up, &err),
	    QRM_OK);
	assert_int_equal(up.status, EVSTATUS_CANCELLED);
	assert_int_equal(up.sequence, 2);
	event_clear(&up);
	assert_int_equal(count(), 1);
}

static void
after_rule_and_lists(void **state)
{
	struct qrm_error	 err = { 0 };
	struct event		 ws, panel;
	struct event_list	 l;
	struct actor		 member = { 0, ROLE_MEMBER, "m" };
	struct member		 m = { 0 };
	json_t			*o;

	(void)state;
	o = base();
	assert_int_equal(core_event_create(q, &official, o, &ws, &err), QRM_OK);
	json_decref(o);
	/* a panel that must follow the workshop cannot come before it */
	o = json_pack("{s:s, s:s, s:s, s:s, s:[s], s:I}", "title", "JES panel",
	    "kind", "jes_panel", "start", "2027-03-09T10:00:00", "end",
	    "2027-03-09T16:00:00", "audiences", "officials", "after",
	    (json_int_t)ws.id);
	memset(&err, 0, sizeof(err));
	assert_int_equal(core_event_create(q, &official, o, &panel, &err),
	    QRM_ECONFLICT);
	assert_string_equal(err.field, "after");
	json_object_set_new(o, "start", json_string("2027-03-24T10:00:00"));
	json_object_set_new(o, "end", json_string("2027-03-24T16:00:00"));
	memset(&err, 0, sizeof(err));
	assert_int_equal(core_event_create(q, &official, o, &panel, &err),
	    QRM_OK);
	assert_int_equal(panel.after, ws.id);
	json_decref(o);

	/* the facilitators' list holds programmes events, not officials' */
	assert_int_equal(core_event_list(q, &official, NULL, NULL,
	    "facilitators", NULL, NULL, &l, &err), QRM_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, ws.id);
	event_list_free(&l);
	assert_int_equal(core_event_list(q, &official, "2027-03-20", NULL,
	    NULL, "jes_panel", NULL, &l, &err), QRM_OK);
	assert_int_equal(l.n, 1);
	event_list_free(&l);
	assert_int_equal(core_event_list(q, &official, "2027-03-20", "nonsense",
	    NULL, NULL, NULL, &l, &err), QRM_EINVAL);
	assert_string_equal(err.field, "to");

	/* a facilitator sees the workshop but not the panel */
	m.name = strdup("Priya");
	m.email = strdup("priya@example.org");
	strv_push(&m.audiences, "facilitators");
	assert_int_equal(core_member_add(q, &official, &m, &err), QRM_OK);
	member.member = m.id;
	assert_int_equal(core_event_list(q, &member, NULL, NULL, NULL, NULL,
	    NULL, &l, &err), QRM_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, ws.id);
	event_list_free(&l);
	{
		struct event	hidden;

		assert_int_equal(core_event_get(q, &member, panel.id, &hidden,
		    &err), QRM_ENOTFOUND);
	}
	member_clear(&m);
	event_clear(&ws);
	event_clear(&panel);
}

static void
import_by_uid(void **state)
{
	static const char v1[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:ext-1@example\r\n"
	    "DTSTAMP:20261101T100000Z\r\nDTSTART;TZID=Europe/London:"
	    "20270104T100000\r\nDTEND;TZID=Europe/London:20270104T110000\r\n"
	    "SUMMARY:Branch meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	char			 v2[sizeof(v1) + 16];
	struct qrm_error	 err = { 0 };
	struct actor		 admin = { 0, ROLE_ADMIN, "t" };
	json_t			*r;
	struct event_list	 l;

	(void)state;
	assert_int_equal(core_import(q, &admin, v1, sizeof(v1) - 1,
	    "all-members", &r, &err), QRM_OK);
	assert_int_equal(json_integer_value(json_object_get(r, "created")), 1);
	json_decref(r);
	assert_int_equal(core_import(q, &admin, v1, sizeof(v1) - 1,
	    "all-members", &r, &err), QRM_OK);
	assert_int_equal(json_integer_value(json_object_get(r, "unchanged")),
	    1);
	json_decref(r);
	assert_int_equal(count(), 1);
	/* moved by an hour: updated in place with a higher SEQUENCE */
	snprintf(v2, sizeof(v2), "%s", v1);
	memcpy(strstr(v2, "T100000\r\nDTEND"), "T093000", 7);
	assert_int_equal(core_import(q, &admin, v2, strlen(v2),
	    "all-members", &r, &err), QRM_OK);
	assert_int_equal(json_integer_value(json_object_get(r, "updated")), 1);
	json_decref(r);
	assert_int_equal(count(), 1);
	assert_int_equal(core_event_list(q, &admin, NULL, NULL, NULL, NULL,
	    NULL, &l, &err), QRM_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].start, "2027-01-04T09:30:00");
	assert_int_equal(l.v[0].sequence, 1);
	event_list_free(&l);
	/* an unknown audience or a member's import is refused */
	assert_int_equal(core_import(q, &admin, v1, sizeof(v1) - 1, "nowhere",
	    &r, &err), QRM_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(roles, setup, teardown),
		cmocka_unit_test_setup_teardown(sequence_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(after_rule_and_lists, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(import_by_uid, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
