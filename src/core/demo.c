/*
 * demo.c: the demo programme, the union's real situations as data:
 * the VLO job-description workshops, the joint workshop before the JES
 * panel, the employer meetings, the all-programmes briefing on 30
 * January, the facilitators' drop-in, the joint meeting with UNISON and
 * GMB, the DASO away day and a cancelled meeting.  Dates follow now, so
 * a subscriber sees them in the coming months.  Loading it twice
 * changes nothing: events and members are found by UID and email.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_int.h"

struct demo_member {
	const char	*name;
	const char	*email;
	const char	*number;	/* membership number */
	enum role	 role;
	const char	*audiences;	/* comma-separated */
};

static const struct demo_member demo_members[] = {
	{ "Tania Bassett", "tania.bassett@napo.example", "N-1001",
	  ROLE_OFFICIAL, "officials" },
	{ "Carole Doherty", "carole.doherty@napo.example", "N-1002",
	  ROLE_OFFICIAL, "officials" },
	{ "Sam Okafor", "sam.okafor@napo.example", "N-1003", ROLE_REP,
	  "reps,programmes" },
	{ "Priya Shah", "priya.shah@napo.example", "N-1004", ROLE_MEMBER,
	  "facilitators" },
	{ "Joe Marsh", "joe.marsh@napo.example", "N-1005", ROLE_MEMBER,
	  "victim-liaison" },
	{ "Amina Yusuf", "amina.yusuf@napo.example", "N-1006", ROLE_MEMBER,
	  "facilitators" },
	{ "Dev Patel", "dev.patel@napo.example", "N-1007", ROLE_MEMBER,
	  "programme-managers" },
};

/*
 * The working day `days` after the Monday at least a week from now,
 * moved past weekends and the Christmas closure (24 December to
 * 1 January), when no union meeting is held.
 */
static void
demo_date(time_t now, int days, char *out, size_t sz)
{
	struct tm	tm;
	time_t		t;

	t = now + 7 * 86400;
	gmtime_r(&t, &tm);
	t += (time_t)(((8 - tm.tm_wday) % 7) + days) * 86400;
	for (;;) {
		gmtime_r(&t, &tm);
		if (tm.tm_wday == 0 || tm.tm_wday == 6 ||
		    (tm.tm_mon == 11 && tm.tm_mday >= 24) ||
		    (tm.tm_mon == 0 && tm.tm_mday == 1))
			t += 86400;
		else
			break;
	}
	snprintf(out, sz, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
}

/* date (YYYY-MM-DD) plus days, as a local time at 12:30. */
static void
demo_shift(const char *date, int days, char *out, size_t sz)
{
	struct tm	tm;
	time_t		t;

	memset(&tm, 0, sizeof(tm));
	sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_hour = 12;
	t = timegm(&tm) + (time_t)days * 86400;
	gmtime_r(&t, &tm);
	snprintf(out, sz, "%04d-%02d-%02dT12:30:00", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
}

static int64_t
demo_member_id(struct qrm *q, const struct demo_member *dm,
    struct qrm_error *err)
{
	struct store	*st = qrm_store(q, err);
	struct member	 m;
	struct actor	 admin = { 0, ROLE_ADMIN, "demo" };
	int64_t		 id;

	if (st == NULL)
		return -1;
	if (store_member_get_email(st, dm->email, &m, NULL) == QRM_OK) {
		id = m.id;
		member_clear(&m);
		return id;
	}
	memset(&m, 0, sizeof(m));
	m.name = strdup(dm->name);
	m.email = strdup(dm->email);
	m.number = strdup(dm->number);
	m.role = dm->role;
	strv_split(&m.audiences, dm->audiences, ',');
	if (dm->role == ROLE_REP)
		strv_split(&m.scopes, "programmes", ',');
	id = core_member_add(q, &admin, &m, err) == QRM_OK ? m.id : -1;
	member_clear(&m);
	return id;
}

static int
demo_event(struct qrm *q, json_t *o, int64_t *id, struct qrm_error *err)
{
	struct store	*st = qrm_store(q, err);
	struct actor	 admin = { 0, ROLE_ADMIN, "demo" };
	struct event	 ev;
	int		 rc;

	if (st == NULL) {
		json_decref(o);
		return QRM_EDB;
	}
	if (store_event_get_uid(st, json_string_value(json_object_get(o,
	    "uid")), &ev, NULL) == QRM_OK) {
		*id = ev.id;
		event_clear(&ev);
		json_decref(o);
		return QRM_OK;
	}
	rc = core_event_create(q, &admin, o, &ev, err);
	if (rc == QRM_OK)
		*id = ev.id;
	event_clear(&ev);
	json_decref(o);
	return rc;
}

/* Cancel the demo's called-off meeting, once. */
static int
demo_cancel(struct qrm *q, int64_t id, struct qrm_error *err)
{
	struct actor	admin = { 0, ROLE_ADMIN, "demo" };
	struct event	ev;
	int		rc;

	if ((rc = core_event_get(q, &admin, id, &ev, err)) != QRM_OK)
		return rc;
	if (ev.status != EVSTATUS_CANCELLED) {
		event_clear(&ev);
		rc = core_event_cancel(q, &admin, id, &ev, err);
	}
	event_clear(&ev);
	return rc;
}

/* Load the demo programme (members, events) relative to now. */
int
demo_load(struct qrm *q, time_t now, struct qrm_error *err)
{
	char		 start[64], end[64], jan30[48];
	char		 ex[64];
	int64_t		 ids[8], joint = 0, ignored, tania, carole;
	struct tm	 tm;
	size_t		 i;
	int		 rc, year;

	for (i = 0; i < sizeof(demo_members) / sizeof(demo_members[0]); i++)
		if ((ids[i] = demo_member_id(q, &demo_members[i], err)) < 0)
			return err && err->code ? err->code : QRM_EDB;
	tania = ids[0];
	carole = ids[1];

	/* the VLO job-description workshops, a series of three */
	for (i = 0; i < 3; i++) {
		char	uid[64], title[96], day[48];

		demo_date(now, 1 + (int)i * 7, day, sizeof(day));
		snprintf(uid, sizeof(uid), "demo-vlo-workshop-%zu@quorum", i + 1);
		snprintf(title, sizeof(title), "VLO job description workshop "
		    "(%zu of 3)", i + 1);
		snprintf(start, sizeof(start), "%sT10:00:00", day);
		snprintf(end, sizeof(end), "%sT12:30:00", day);
		if ((rc = demo_event(q, json_pack("{s:s, s:s, s:s, s:s, s:s, "
		    "s:s, s:s, s:s, s:[s], s:[I]}", "uid", uid,
		    "kind", "workshop", "title", title, "description",
		    "Working through the new VLO job descriptions with the "
		    "employer's draft. All those who attend will also have a "
		    "copy of the document.", "location", "Online (Teams)",
		    "url", "https://meet.example.org/napo-vlo-jd",
		    "start", start, "end", end, "audiences", "victim-liaison",
		    "hosts", (json_int_t)carole), &ignored, err)) != QRM_OK)
			return rc;
	}
	/* the joint workshop on the questionnaire, before the JES panel */
	demo_date(now, 17, jan30, sizeof(jan30));
	snprintf(start, sizeof(start), "%sT10:00:00", jan30);
	snprintf(end, sizeof(end), "%sT13:00:00", jan30);
	if ((rc = demo_event(q, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:[s, s]}", "uid", "demo-joint-jd-workshop@quorum",
	    "kind", "workshop", "title", "Joint workshop: job description "
	    "questionnaire", "description", "With UNISON and GMB, to go "
	    "through the job description questionnaire before it goes to "
	    "the JES panel.", "location", "Napo HQ, Chivalry Road, London",
	    "start", start, "end", end, "audiences", "programmes", "reps"),
	    &joint, err)) != QRM_OK)
		return rc;
	demo_date(now, 31, jan30, sizeof(jan30));
	snprintf(start, sizeof(start), "%sT09:30:00", jan30);
	snprintf(end, sizeof(end), "%sT16:00:00", jan30);
	if ((rc = demo_event(q, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:[s], s:I}", "uid", "demo-jes-panel@quorum",
	    "kind", "jes_panel", "title", "JES panel: facilitator job "
	    "description", "description", "Job evaluation of the facilitator "
	    "job description; we argue for Band 4.", "location", "Ministry of "
	    "Justice, 102 Petty France, London", "start", start, "end", end,
	    "audiences", "officials", "after", (json_int_t)joint), &ignored,
	    err)) != QRM_OK)
		return rc;
	/* three all-day meetings with the employer, officials and reps */
	for (i = 0; i < 3; i++) {
		char	uid[64], title[96], day[48];

		demo_date(now, 2 + (int)i * 7, day, sizeof(day));
		snprintf(uid, sizeof(uid), "demo-employer-%zu@quorum", i + 1);
		snprintf(title, sizeof(title), "Employer meeting on programmes "
		    "(day %zu of 3)", i + 1);
		if ((rc = demo_event(q, json_pack("{s:s, s:s, s:s, s:s, s:s, "
		    "s:s, s:b, s:[s, s]}", "uid", uid, "kind",
		    "employer_meeting", "title", title, "location",
		    "HMPPS, Clive House, London", "start", day, "end", day,
		    "all_day", 1, "audiences", "officials", "reps"), &ignored,
		    err)) != QRM_OK)
			return rc;
	}
	/* the all-programmes members briefing on the next 30 January */
	gmtime_r(&now, &tm);
	year = tm.tm_year + 1900 + ((tm.tm_mon == 0 && tm.tm_mday >= 30) ||
	    tm.tm_mon > 0 ? 1 : 0);
	snprintf(start, sizeof(start), "%04d-01-30T13:00:00", year);
	snprintf(end, sizeof(end), "%04d-01-30T14:00:00", year);
	if ((rc = demo_event(q, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:[s], s:[I, I]}", "uid",
	    "demo-programmes-briefing@quorum", "kind", "member_briefing",
	    "title", "All programmes members briefing: TOMs and Next "
	    "Generation", "description", "Hosted by National Official Tania "
	    "Bassett and National Chair Carole Doherty.", "location", "Online",
	    "url", "https://meet.example.org/napo-programmes-briefing",
	    "organizer", "tania.bassett@napo.example", "start", start, "end",
	    end, "audiences", "programmes", "hosts", (json_int_t)tania,
	    (json_int_t)carole), &ignored, err)) != QRM_OK)
		return rc;
	/* a weekly facilitators' drop-in, twelve weeks, one week off */
	demo_date(now, 3, jan30, sizeof(jan30));
	snprintf(start, sizeof(start), "%sT12:30:00", jan30);
	snprintf(end, sizeof(end), "%sT13:15:00", jan30);
	demo_shift(jan30, 14, ex, sizeof(ex));	/* the third week off */
	if ((rc = demo_event(q, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:s, s:[s], s:[s]}", "uid", "demo-facilitators-dropin@quorum",
	    "kind", "other", "title", "Facilitators' drop-in", "description",
	    "Bring questions about Next Generation programmes and training.",
	    "url", "https://meet.example.org/napo-facilitators", "start", start,
	    "end", end, "rrule", "FREQ=WEEKLY;COUNT=12", "exdates", ex,
	    "audiences", "facilitators"), &ignored, err)) != QRM_OK)
		return rc;
	/* the joint meeting with UNISON and GMB */
	demo_date(now, 7, jan30, sizeof(jan30));
	snprintf(start, sizeof(start), "%sT14:00:00", jan30);
	snprintf(end, sizeof(end), "%sT15:30:00", jan30);
	if ((rc = demo_event(q, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:[s]}", "uid", "demo-joint-unions@quorum", "kind",
	    "joint_union_meeting", "title", "Joint unions meeting with UNISON "
	    "and GMB", "description", "Our collective position on a trade "
	    "dispute over Next Generation programmes.", "location", "Online",
	    "start", start, "end", end, "audiences", "officials"), &ignored,
	    err)) != QRM_OK)
		return rc;
	/* the DASO away day */
	demo_date(now, 38, jan30, sizeof(jan30));
	if ((rc = demo_event(q, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:[s]}", "uid", "demo-daso-away-day@quorum", "kind", "away_day",
	    "title", "DASO away day", "location", "Birmingham",
	    "start", jan30, "end", jan30, "audiences", "daso"), &ignored,
	    err)) != QRM_OK)
		return rc;
	/* an open briefing for all members (the public feed) */
	demo_date(now, 10, jan30, sizeof(jan30));
	snprintf(start, sizeof(start), "%sT18:00:00", jan30);
	snprintf(end, sizeof(end), "%sT19:00:00", jan30);
	if ((rc = demo_event(q, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:[s]}", "uid", "demo-all-members-update@quorum", "kind",
	    "member_briefing", "title", "Members' update: Next Generation "
	    "and TOMs", "url", "https://meet.example.org/napo-update",
	    "location", "Online", "start", start, "end", end, "audiences",
	    "all-members"), &ignored, err)) != QRM_OK)
		return rc;
	/* a meeting that was called off */
	demo_date(now, 9, jan30, sizeof(jan30));
	snprintf(start, sizeof(start), "%sT11:00:00", jan30);
	snprintf(end, sizeof(end), "%sT12:00:00", jan30);
	if ((rc = demo_event(q, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:[s]}", "uid", "demo-unpaid-work-cancelled@quorum", "kind",
	    "other", "title", "Unpaid Work colleagues meeting", "location",
	    "Online", "start", start, "end", end, "audiences", "unpaid-work"),
	    &ignored, err)) != QRM_OK)
		return rc;
	return demo_cancel(q, ignored, err);
}
