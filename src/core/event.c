/*
 * event.c: events as the domain sees them: JSON in and out, validation,
 * the scheduling rules, and create/update/cancel/list with permissions
 * and the audit log.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

#define MAX_TITLE	200
#define MAX_TEXT	10000
#define MAX_SHORT	500
#define MAX_LIST	64

/* An event as JSON: what it takes, and what it sends back read-only. */
static const struct field event_fields[] = {
	{ "id", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "sequence", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "created", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "updated", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "uid", FT_TEXT, 0, 1, 255, NULL, 0 },
	{ "kind", FT_ENUM, 0, 0, 0, event_kind_names, KIND__MAX },
	{ "title", FT_TEXT, 0, 0, MAX_TITLE, NULL, 0 },
	{ "description", FT_TEXT, FF_NULLABLE | FF_MULTILINE, 0, MAX_TEXT,
	  NULL, 0 },
	{ "location", FT_TEXT, FF_NULLABLE, 0, MAX_SHORT, NULL, 0 },
	{ "url", FT_TEXT, FF_NULLABLE, 0, MAX_SHORT, NULL, 0 },
	{ "start", FT_LOCAL, 0, 0, 0, NULL, 0 },
	{ "end", FT_LOCAL, 0, 0, 0, NULL, 0 },
	{ "tz", FT_TEXT, 0, 1, 64, NULL, 0 },
	{ "all_day", FT_BOOL, 0, 0, 0, NULL, 0 },
	{ "rrule", FT_TEXT, FF_NULLABLE, 0, MAX_SHORT, NULL, 0 },
	{ "exdates", FT_TEXTS, FF_NULLABLE, 0, LOCAL_TIME_LEN - 1, NULL, 0 },
	{ "status", FT_ENUM, 0, 0, 0, event_status_names, EVSTATUS__MAX },
	{ "capacity", FT_INT, FF_NULLABLE, 0, 100000, NULL, 0 },
	{ "quorum", FT_INT, FF_NULLABLE, 0, 100000, NULL, 0 },
	{ "audiences", FT_TEXTS, 0, 0, 64, NULL, 0 },
	{ "organizer", FT_TEXT, FF_NULLABLE, 0, 255, NULL, 0 },
	{ "hosts", FT_IDS, FF_NULLABLE, 0, 0, NULL, 0 },
	{ "after", FT_ID, FF_NULLABLE, 0, 0, NULL, 0 },
	{ "room", FT_TEXT, FF_NULLABLE, 1, 48, NULL, 0 },
	{ "force", FT_BOOL, 0, 0, 0, NULL, 0 },
	/* changed dates: through /occurrences, not here */
	{ "overrides", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ NULL, 0, 0, 0, 0, NULL, 0 }
};

/*
 * Apply the JSON object o to ev.  With patch, absent fields keep their
 * value; without, ev starts from defaults.  The field table checks
 * types and limits; meaning is checked in event_validate().
 */
int
event_from_json(const json_t *o, struct event *ev, int patch,
    struct qrm_error *err)
{
	json_t		*v;
	int64_t		 n;
	int		 kind, status;

	if ((n = fields_check(o, event_fields, 0, err)) != QRM_OK)
		return (int)n;
	if (!patch)
		event_init(ev);
	if ((v = json_object_get(o, "uid")) != NULL && patch &&
	    (ev->uid == NULL || strcmp(json_string_value(v), ev->uid) != 0))
		return qrm_seterr(err, QRM_EINVAL, "uid",
		    "uid cannot be changed");
	kind = (int)ev->kind;
	status = (int)ev->status;
	fields_enum(o, event_fields, "kind", &kind);
	fields_enum(o, event_fields, "status", &status);
	ev->kind = (enum event_kind)kind;
	ev->status = (enum event_status)status;
	if ((v = json_object_get(o, "start")) != NULL)
		snprintf(ev->start, LOCAL_TIME_LEN, "%s", json_string_value(v));
	if ((v = json_object_get(o, "end")) != NULL)
		snprintf(ev->end, LOCAL_TIME_LEN, "%s", json_string_value(v));
	if ((v = json_object_get(o, "all_day")) != NULL)
		ev->all_day = json_is_true(v);
	else if (!patch && strlen(ev->start) == 10)
		ev->all_day = 1;
	n = ev->capacity;
	fields_int(o, "capacity", &n);
	ev->capacity = (int)n;
	n = ev->quorum;
	fields_int(o, "quorum", &n);
	ev->quorum = (int)n;
	fields_int(o, "after", &ev->after);
	if (fields_text(o, "uid", &ev->uid, 0) == -1 ||
	    fields_text(o, "title", &ev->title, 0) == -1 ||
	    fields_text(o, "description", &ev->description, 1) == -1 ||
	    fields_text(o, "location", &ev->location, 1) == -1 ||
	    fields_text(o, "url", &ev->url, 1) == -1 ||
	    fields_text(o, "tz", &ev->tzid, 0) == -1 ||
	    fields_text(o, "rrule", &ev->rrule, 1) == -1 ||
	    fields_text(o, "organizer", &ev->organizer, 1) == -1 ||
	    fields_text(o, "room", &ev->room, 1) == -1 ||
	    fields_list(o, "exdates", &ev->exdates) == -1 ||
	    fields_list(o, "audiences", &ev->audiences) == -1 ||
	    fields_list(o, "hosts", &ev->hosts) == -1)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	return QRM_OK;
}

static int
valid_uid(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isgraph((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * Check ev as a whole and fill in what derives from it: the time zone
 * default, the normalised RRULE, the UTC span.  Errors name the field.
 */
int
event_validate(struct event *ev, struct qrm_error *err)
{
	int	 ad, y, mo, d, h, mi, s, rc;
	char	*norm = NULL;
	size_t	 i;

	if (ev->title == NULL || ev->title[0] == '\0')
		return qrm_seterr(err, QRM_EINVAL, "title", "title is required");
	if (ev->uid != NULL && (ev->uid[0] == '\0' || !valid_uid(ev->uid)))
		return qrm_seterr(err, QRM_EINVAL, "uid",
		    "uid must be printable text without spaces");
	if (ev->tzid == NULL && (ev->tzid = strdup(QRM_DEFAULT_TZ)) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	if (!ical_tz_known(ev->tzid))
		return qrm_seterr(err, QRM_EINVAL, "tz", "unknown time zone "
		    "'%s' (use an IANA name such as Europe/London)", ev->tzid);
	if (ev->start[0] == '\0')
		return qrm_seterr(err, QRM_EINVAL, "start", "start is required");
	if (parse_local_datetime(ev->start, &ad, &y, &mo, &d, &h, &mi, &s))
		return qrm_seterr(err, QRM_EINVAL, "start", "start '%s' is not "
		    "a valid YYYY-MM-DDTHH:MM:SS or YYYY-MM-DD", ev->start);
	if (ad != ev->all_day)
		return qrm_seterr(err, QRM_EINVAL, "start", ev->all_day ?
		    "an all-day event starts on a date (YYYY-MM-DD)" :
		    "a timed event starts at a time (YYYY-MM-DDTHH:MM:SS)");
	if (ev->end[0] == '\0') {
		if (!ev->all_day)
			return qrm_seterr(err, QRM_EINVAL, "end",
			    "end is required");
		memcpy(ev->end, ev->start, LOCAL_TIME_LEN);
	}
	if (parse_local_datetime(ev->end, &ad, &y, &mo, &d, &h, &mi, &s))
		return qrm_seterr(err, QRM_EINVAL, "end", "end '%s' is not "
		    "a valid YYYY-MM-DDTHH:MM:SS or YYYY-MM-DD", ev->end);
	if (ad != ev->all_day)
		return qrm_seterr(err, QRM_EINVAL, "end", "end must be of the "
		    "same kind as start (both dates or both times)");
	/* normalise HH:MM to HH:MM:SS so that text compares as time */
	if (!ev->all_day && strlen(ev->start) == 16)
		memcpy(ev->start + 16, ":00", 4);
	if (!ev->all_day && strlen(ev->end) == 16)
		memcpy(ev->end + 16, ":00", 4);
	/* an event may take no time (RFC 5545 allows it), never less */
	if (strcmp(ev->end, ev->start) < 0)
		return qrm_seterr(err, QRM_EINVAL, "end",
		    "end must be after start");
	if (ev->url != NULL && strncmp(ev->url, "https://", 8) != 0 &&
	    strncmp(ev->url, "http://", 7) != 0)
		return qrm_seterr(err, QRM_EINVAL, "url",
		    "url must start with https:// or http://");
	if (ev->rrule != NULL) {
		if ((rc = ical_rrule_check(ev->rrule, ev->tzid, ev->all_day,
		    &norm, err)) != QRM_OK)
			return rc;
		free(ev->rrule);
		ev->rrule = norm;
	}
	for (i = 0; i < ev->exdates.n; i++) {
		if (parse_local_datetime(ev->exdates.v[i], &ad, &y, &mo, &d,
		    &h, &mi, &s) || ad != ev->all_day)
			return qrm_seterr(err, QRM_EINVAL, "exdates", "exdate "
			    "'%s' must be a %s", ev->exdates.v[i], ev->all_day ?
			    "date YYYY-MM-DD" : "local time YYYY-MM-DDTHH:MM:SS");
		if (!ev->all_day && strlen(ev->exdates.v[i]) == 16) {
			char	*longer = malloc(LOCAL_TIME_LEN);

			if (longer == NULL)
				return qrm_seterr(err, QRM_ESYS, "", "no memory");
			snprintf(longer, LOCAL_TIME_LEN, "%s:00",
			    ev->exdates.v[i]);
			free(ev->exdates.v[i]);
			ev->exdates.v[i] = longer;
		}
	}
	if (ev->exdates.n > 0 && ev->rrule == NULL)
		return qrm_seterr(err, QRM_EINVAL, "exdates",
		    "exdates need an rrule");
	if (ev->audiences.n == 0)
		return qrm_seterr(err, QRM_EINVAL, "audiences",
		    "audiences must name at least one audience");
	strv_sort(&ev->audiences);
	strv_sort(&ev->exdates);
	return ical_event_span(ev, err);
}

/*
 * What a person typing an event must get right beyond event_validate()
 * (imports from other apps are spared it): a time that exists (not in
 * the hour the clocks skip) and EXDATEs that are dates of the series.
 */
static int
event_validate_typed(struct event *ev, struct qrm_error *err)
{
	static const char *const which[] = { "start", "end" };
	const char	*t;
	char		 from[16], to[16];
	size_t		 i;
	int		 rc;

	if ((rc = event_validate(ev, err)) != QRM_OK)
		return rc;
	for (i = 0; i < 2 && !ev->all_day; i++) {
		t = i == 0 ? ev->start : ev->end;
		if (!ical_local_exists(t, ev->tzid, from, to, sizeof(from)))
			return qrm_seterr(err, QRM_EINVAL, which[i], "%s %s "
			    "does not exist in %s: the clocks go forward from "
			    "%s to %s that night, so calendar apps would each "
			    "read it differently; choose a time outside that "
			    "hour", which[i], t, ev->tzid, from, to);
	}
	for (i = 0; i < ev->exdates.n; i++)
		if (!ical_event_is_occurrence(ev, ev->exdates.v[i]))
			return qrm_seterr(err, QRM_EINVAL, "exdates", "exdate "
			    "%s is not a date of this series (%s from %s): it "
			    "would leave nothing out", ev->exdates.v[i],
			    ev->rrule, ev->start);
	return QRM_OK;
}

static json_t *
json_text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
strv_json(const struct strv *sv, int integers)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < sv->n; i++)
		json_array_append_new(a, integers ?
		    json_integer(strtoll(sv->v[i], NULL, 10)) :
		    json_string(sv->v[i]));
	return a;
}

/* The dates of a series changed on their own, as JSON. */
static json_t *
overrides_json(const struct event *ev)
{
	const struct override	*o;
	json_t			*a = json_array();
	size_t			 i;

	for (i = 0; i < ev->noverrides; i++) {
		o = &ev->overrides[i];
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o, s:s, "
		    "s:i}", "occurrence", o->occurrence, "start", o->start,
		    "end", o->end, "location", json_text_or_null(o->location),
		    "status", o->cancelled ? "cancelled" : "confirmed",
		    "sequence", o->sequence));
	}
	return a;
}

/* The event as the API shows it; the caller decrefs it. */
json_t *
event_to_json(const struct event *ev)
{
	char	 created[32], updated[32];
	json_t	*o;

	utc_format(ev->created, created, sizeof(created));
	utc_format(ev->updated, updated, sizeof(updated));
	o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:s, "
	    "s:b, s:o, s:o, s:s, s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:s, "
	    "s:s}",
	    "id", (json_int_t)ev->id,
	    "uid", ev->uid,
	    "kind", event_kind_names[ev->kind],
	    "title", ev->title,
	    "description", json_text_or_null(ev->description),
	    "location", json_text_or_null(ev->location),
	    "url", json_text_or_null(ev->url),
	    "start", ev->start,
	    "end", ev->end,
	    "tz", ev->tzid,
	    "all_day", ev->all_day,
	    "rrule", json_text_or_null(ev->rrule),
	    "exdates", strv_json(&ev->exdates, 0),
	    "status", event_status_names[ev->status],
	    "sequence", ev->sequence,
	    "capacity", ev->capacity,
	    "quorum", ev->quorum,
	    "audiences", strv_json(&ev->audiences, 0),
	    "organizer", json_text_or_null(ev->organizer),
	    "hosts", strv_json(&ev->hosts, 1),
	    "after", ev->after ? json_integer(ev->after) : json_null(),
	    "room", json_text_or_null(ev->room),
	    "created", created,
	    "updated", updated);
	if (o != NULL)
		json_object_set_new(o, "overrides", overrides_json(ev));
	return o;
}

static int
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
same_strv(const struct strv *a, const struct strv *b)
{
	size_t	i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

/*
 * Does the change from a to b matter to attendees (RFC 5545 §3.8.7.4:
 * time, recurrence, status; and where and what it is)?  Then SEQUENCE
 * rises.  Returns 2 for that, 1 for a lesser change, 0 for none.
 */
int
event_change(const struct event *a, const struct event *b)
{
	if (strcmp(a->start, b->start) || strcmp(a->end, b->end) ||
	    strcmp(a->tzid, b->tzid) || a->all_day != b->all_day ||
	    !same_text(a->rrule, b->rrule) ||
	    !same_strv(&a->exdates, &b->exdates) || a->status != b->status ||
	    !same_text(a->location, b->location) ||
	    !same_text(a->room, b->room) ||
	    !same_text(a->url, b->url) || strcmp(a->title, b->title))
		return 2;
	if (a->kind != b->kind || !same_text(a->description, b->description) ||
	    a->capacity != b->capacity || a->quorum != b->quorum ||
	    !same_text(a->organizer, b->organizer) ||
	    !same_strv(&a->audiences, &b->audiences) ||
	    !same_strv(&a->hosts, &b->hosts) || a->after != b->after)
		return 1;
	return 0;
}

/*
 * The scheduling rule "after": the earlier event must end before the
 * later one starts.  It is checked from both ends: ev against the event
 * it comes after, and every event that comes after ev against ev, and
 * a chain of "after" may not lead back to ev.  Cancelled events bind
 * nothing.
 */
static int
check_after(struct store *st, const struct event *ev, struct qrm_error *err)
{
	struct event	before, later;
	struct strv	followers = { 0 };
	int64_t		next, fid;
	size_t		i;
	int		rc = QRM_OK, hops;

	if (ev->after != 0 && ev->after == ev->id)
		return qrm_seterr(err, QRM_EINVAL, "after",
		    "an event cannot come after itself");
	if (ev->after != 0) {
		if (store_event_get(st, ev->after, &before, NULL) != QRM_OK)
			return qrm_seterr(err, QRM_EINVAL, "after",
			    "after names event %lld, which does not exist",
			    (long long)ev->after);
		/* follow the chain back: it must not reach ev itself */
		next = before.after;
		for (hops = 0; next != 0 && hops < 1000 && rc == QRM_OK;
		    hops++) {
			if (ev->id != 0 && next == ev->id) {
				rc = qrm_seterr(err, QRM_ECONFLICT, "after",
				    "event %lld already comes after this one "
				    "(through 'after'): that would be a cycle",
				    (long long)ev->after);
				break;
			}
			event_init(&later);
			if (store_event_get(st, next, &later, NULL) != QRM_OK)
				break;
			next = later.after;
			event_clear(&later);
		}
		if (rc == QRM_OK && before.status != EVSTATUS_CANCELLED &&
		    ev->status != EVSTATUS_CANCELLED &&
		    before.end_utc > ev->start_utc)
			rc = qrm_seterr(err, QRM_ECONFLICT, "after", "this "
			    "event must come after event %lld ('%s'), which "
			    "ends %s %s", (long long)before.id, before.title,
			    before.end, before.tzid);
		event_clear(&before);
		if (rc != QRM_OK)
			return rc;
	}
	if (ev->id == 0 || ev->status == EVSTATUS_CANCELLED)
		return QRM_OK;
	if ((rc = store_event_followers(st, ev->id, &followers, err)))
		return rc;
	for (i = 0; i < followers.n && rc == QRM_OK; i++) {
		if (parse_int64(followers.v[i], &fid) == -1)
			continue;
		event_init(&later);
		if (store_event_get(st, fid, &later, NULL) == QRM_OK &&
		    ev->end_utc > later.start_utc)
			rc = qrm_seterr(err, QRM_ECONFLICT, "end", "event %lld "
			    "('%s', starting %s %s) must come after this one: "
			    "this one would end after it starts", (long long)
			    later.id, later.title, later.start, later.tzid);
		event_clear(&later);
	}
	strv_free(&followers);
	return rc;
}

/*
 * The room: one of the catalogue, with room for the places offered; a
 * meeting with a room and no place written has the room's name and
 * address as its place (what calendars show).
 */
static int
check_room(struct store *st, struct event *ev, struct qrm_error *err)
{
	struct room_list	 rl;
	const struct room	*r = NULL;
	size_t			 i;
	int			 rc;

	if (ev->room == NULL)
		return QRM_OK;
	if ((rc = store_room_list(st, &rl, err)) != QRM_OK)
		return rc;
	for (i = 0; i < rl.n; i++)
		if (strcmp(rl.v[i].slug, ev->room) == 0)
			r = &rl.v[i];
	if (r == NULL)
		rc = qrm_seterr(err, QRM_EINVAL, "room", "no room '%s' in the "
		    "catalogue (feeds/rooms)", ev->room);
	else if (r->capacity > 0 && ev->capacity > r->capacity)
		rc = qrm_seterr(err, QRM_EINVAL, "capacity", "%s holds %d: "
		    "offer at most %d places", r->name, r->capacity,
		    r->capacity);
	else if (ev->location == NULL && (ev->location = r->address ?
	    malloc(strlen(r->name) + strlen(r->address) + 3) :
	    strdup(r->name)) != NULL && r->address != NULL)
		sprintf(ev->location, "%s, %s", r->name, r->address);
	room_list_free(&rl);
	return rc;
}

/* Does the change book other people, another room or another time? */
static int
booking_changed(const struct event *a, const struct event *b)
{
	return a->start_utc != b->start_utc || a->end_utc != b->end_utc ||
	    a->last_utc != b->last_utc || !same_text(a->rrule, b->rrule) ||
	    !same_strv(&a->exdates, &b->exdates) ||
	    !same_strv(&a->hosts, &b->hosts) ||
	    !same_text(a->organizer, b->organizer) ||
	    !same_text(a->room, b->room) ||
	    (a->status == EVSTATUS_CANCELLED) != (b->status ==
	    EVSTATUS_CANCELLED);
}

/*
 * No double-booking unless forced; a forced one is in the audit log
 * with how many it overrode.
 */
static int
check_clashes(struct store *st, const struct actor *a, const json_t *o,
    const struct event *ev, const char *object, struct qrm_error *err)
{
	size_t	clashed;
	char	detail[64];
	int	rc, force = json_is_true(json_object_get(o, "force"));

	if ((rc = core_event_check_clashes(st, ev, force, &clashed, err)) !=
	    QRM_OK || clashed == 0)
		return rc;
	snprintf(detail, sizeof(detail), "double-booked over %zu clash%s",
	    clashed, clashed == 1 ? "" : "es");
	return store_audit_add(st, a->name, "event.force", object, detail,
	    err);
}

/* Did the update move the event in time or change what it follows? */
static int
timing_changed(const struct event *a, const struct event *b)
{
	return a->start_utc != b->start_utc || a->end_utc != b->end_utc ||
	    a->after != b->after || (a->status == EVSTATUS_CANCELLED) !=
	    (b->status == EVSTATUS_CANCELLED);
}

static void
audit_object(char *out, size_t sz, int64_t id)
{
	snprintf(out, sz, "event/%lld", (long long)id);
}

/* Create an event from JSON (officials and admins); *out is the result. */
int
core_event_create(struct qrm *q, const struct actor *a, const json_t *o,
    struct event *out, struct qrm_error *err)
{
	struct store	*st;
	char		 uid[64], object[32];
	int		 rc;

	event_init(out);
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if ((rc = event_from_json(o, out, 0, err)) != QRM_OK ||
	    (rc = event_validate_typed(out, err)) != QRM_OK)
		goto fail;
	if (out->uid == NULL) {
		core_random_hex(uid, 16);
		memcpy(uid + 32, "@quorum", 8);
		if ((out->uid = strdup(uid)) == NULL) {
			rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
			goto fail;
		}
	}
	out->created = out->updated = (int64_t)time(NULL);
	if ((st = qrm_store(q, err)) == NULL) {
		rc = QRM_EDB;
		goto fail;
	}
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		goto fail;
	if ((rc = check_after(st, out, err)) != QRM_OK ||
	    (rc = check_room(st, out, err)) != QRM_OK ||
	    (rc = store_event_insert(st, out, err)) != QRM_OK)
		goto rollback;
	audit_object(object, sizeof(object), out->id);
	if ((rc = store_audit_add(st, a->name, "event.create", object,
	    out->title, err)) != QRM_OK || (rc = check_clashes(st, a, o, out,
	    object, err)) != QRM_OK)
		goto rollback;
	if ((rc = store_tx_commit(st, err)) != QRM_OK)
		goto fail;
	return QRM_OK;
rollback:
	store_tx_rollback(st);
fail:
	event_clear(out);
	return rc;
}

/*
 * Apply a JSON patch to event id.  A change that matters to attendees
 * raises SEQUENCE; no change at all writes nothing.  *out is the event
 * as it now stands.
 */
int
core_event_update(struct qrm *q, const struct actor *a, int64_t id,
    const json_t *patch, struct event *out, struct qrm_error *err)
{
	struct store	*st;
	struct event	 old;
	char		 object[32];
	int		 rc, change;

	event_init(out);
	event_init(&old);
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_event_get(st, id, &old, err)) != QRM_OK)
		goto rollback;
	if (event_copy(out, &old) == -1) {
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		goto rollback;
	}
	if ((rc = event_from_json(patch, out, 1, err)) != QRM_OK ||
	    (rc = event_validate_typed(out, err)) != QRM_OK ||
	    /* dates the series no longer has lose their own changes */
	    (core_overrides_prune(out) && (rc = ical_event_span(out, err))) ||
	    (timing_changed(&old, out) && (rc = check_after(st, out, err))) ||
	    (!same_text(old.room, out->room) && (rc = check_room(st, out,
	    err))))
		goto rollback;
	change = event_change(&old, out);
	if (change == 0) {
		store_tx_rollback(st);
		event_clear(&old);
		return QRM_OK;
	}
	if (change == 2)
		out->sequence = old.sequence + 1;
	out->updated = (int64_t)time(NULL);
	if (out->updated <= old.updated)
		out->updated = old.updated + 1;	/* DTSTAMP must move */
	audit_object(object, sizeof(object), id);
	if (booking_changed(&old, out) && (rc = check_clashes(st, a, patch,
	    out, object, err)) != QRM_OK)
		goto rollback;
	if ((rc = store_event_update(st, out, err)) != QRM_OK ||
	    (rc = store_audit_add(st, a->name, out->status ==
	    EVSTATUS_CANCELLED && old.status != EVSTATUS_CANCELLED ?
	    "event.cancel" : "event.update", object, out->title, err)) !=
	    QRM_OK)
		goto rollback;
	/* those invited hear of it at once, in the same transaction */
	if (change == 2 && (rc = core_invitations_follow(q, st, out, err)) !=
	    QRM_OK)
		goto rollback;
	if ((rc = store_tx_commit(st, err)) != QRM_OK)
		goto fail;
	event_clear(&old);
	return QRM_OK;
rollback:
	store_tx_rollback(st);
fail:
	event_clear(&old);
	event_clear(out);
	return rc;
}

/* Cancel: the event stays (feeds show STATUS:CANCELLED) with SEQUENCE up. */
int
core_event_cancel(struct qrm *q, const struct actor *a, int64_t id,
    struct event *out, struct qrm_error *err)
{
	json_t	*patch = json_pack("{s:s}", "status", "cancelled");
	int	 rc;

	rc = core_event_update(q, a, id, patch, out, err);
	json_decref(patch);
	return rc;
}

/* May the actor see ev?  Officials all; others by its audiences. */
static int
actor_may_see(struct qrm *q, const struct actor *a, const struct event *ev,
    struct strv *visible)
{
	size_t	i;

	(void)q;
	if (a->role >= ROLE_OFFICIAL)
		return 1;
	for (i = 0; i < ev->audiences.n; i++)
		if (strv_contains(visible, ev->audiences.v[i]))
			return 1;
	return 0;
}

/* The audiences whose events a non-official actor may see. */
static int
actor_visible(struct qrm *q, const struct actor *a, struct strv *out,
    struct qrm_error *err)
{
	struct store		*st;
	struct member		 m;
	struct audience_list	 all;
	size_t			 i;
	int			 rc;

	if (a->role >= ROLE_OFFICIAL)
		return QRM_OK;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (a->member == 0) {		/* nobody signed in: public ones */
		if ((rc = store_audience_list(st, &all, err)) != QRM_OK)
			return rc;
		for (i = 0; i < all.n; i++)
			if (core_may_see_audience(q, NULL, &all.v[i], NULL))
				strv_push(out, all.v[i].slug);
		audience_list_free(&all);
		return QRM_OK;
	}
	if ((rc = store_member_get(st, a->member, &m, err)) != QRM_OK)
		return rc;
	if ((rc = store_audience_list(st, &all, err)) == QRM_OK) {
		for (i = 0; i < all.n; i++)
			if (core_may_see_audience(q, &m, &all.v[i], NULL))
				strv_push(out, all.v[i].slug);
		audience_list_free(&all);
	}
	/* a rep also sees the events of their scopes, to take attendance */
	for (i = 0; rc == QRM_OK && m.role == ROLE_REP && i < m.scopes.n; i++)
		rc = store_audience_descendants(st, m.scopes.v[i], out, err);
	member_clear(&m);
	return rc;
}

int
core_event_get(struct qrm *q, const struct actor *a, int64_t id,
    struct event *out, struct qrm_error *err)
{
	struct store	*st;
	struct strv	 visible = { 0 };
	int		 rc;

	event_init(out);
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_event_get(st, id, out, err)) != QRM_OK)
		return rc;
	if ((rc = actor_visible(q, a, &visible, err)) == QRM_OK &&
	    !actor_may_see(q, a, out, &visible))
		rc = qrm_seterr(err, QRM_ENOTFOUND, "id", "no event %lld",
		    (long long)id);
	strv_free(&visible);
	if (rc != QRM_OK)
		event_clear(out);
	return rc;
}

/*
 * A from/to bound: a date (its midnight; for an end bound, the next
 * midnight) or a local time in tz, or a UTC time ending in Z.
 */
int
core_time_bound(const char *s, const char *tz, int end, int64_t *out,
    struct qrm_error *err, const char *field)
{
	char	local[LOCAL_TIME_LEN];
	size_t	len;

	if (s == NULL || *s == '\0') {
		*out = 0;
		return QRM_OK;
	}
	len = strlen(s);
	if (len == LOCAL_TIME_LEN && s[LOCAL_TIME_LEN - 1] == 'Z') {
		len--;		/* a UTC time */
		tz = "UTC";
	}
	if (len >= LOCAL_TIME_LEN)
		goto bad;
	memcpy(local, s, len);
	local[len] = '\0';
	if (ical_local_to_utc(local, tz, out) != 0)
		goto bad;
	if (end && strlen(local) == 10)
		*out += 86400;	/* through the whole day; DST shifts ignored */
	return QRM_OK;
bad:
	return qrm_seterr(err, QRM_EINVAL, field, "%s must be a date "
	    "YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SS", field);
}

/* Events matching the filters that the actor may see, earliest first. */
int
core_event_list(struct qrm *q, const struct actor *a, const char *from,
    const char *to, const char *audience, const char *kind, const char *tz,
    struct event_list *out, struct qrm_error *err)
{
	struct store		*st;
	struct event_filter	 f;
	struct strv		 lineage = { 0 }, visible = { 0 };
	struct audience		 aud;
	size_t			 i, keep;
	int			 rc;

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	f.kind = -1;
	if (tz == NULL || *tz == '\0')
		tz = QRM_DEFAULT_TZ;
	if (!ical_tz_known(tz))
		return qrm_seterr(err, QRM_EINVAL, "tz",
		    "unknown time zone '%s'", tz);
	if ((rc = core_time_bound(from, tz, 0, &f.from_utc, err, "from")) ||
	    (rc = core_time_bound(to, tz, 1, &f.to_utc, err, "to")))
		return rc;
	if (f.from_utc && f.to_utc && f.to_utc <= f.from_utc)
		return qrm_seterr(err, QRM_EINVAL, "to", "to must be after from");
	if (kind != NULL && *kind != '\0' && (f.kind = model_enum_parse(
	    event_kind_names, KIND__MAX, kind)) < 0)
		return qrm_seterr(err, QRM_EINVAL, "kind",
		    "unknown kind '%s'", kind);
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (audience != NULL && *audience != '\0') {
		if ((rc = store_audience_get(st, audience, &aud, err)) != QRM_OK)
			return rc == QRM_ENOTFOUND ? qrm_seterr(err, QRM_EINVAL,
			    "audience", "unknown audience '%s'", audience) : rc;
		audience_clear(&aud);
		if ((rc = store_audience_lineage(st, audience, &lineage, err)))
			goto out;
		f.audiences = &lineage;
	}
	if ((rc = actor_visible(q, a, &visible, err)) != QRM_OK ||
	    (rc = store_event_list(st, &f, out, err)) != QRM_OK)
		goto out;
	for (i = keep = 0; i < out->n; i++) {
		if (actor_may_see(q, a, &out->v[i], &visible))
			out->v[keep++] = out->v[i];
		else
			event_clear(&out->v[i]);
	}
	out->n = keep;
out:
	strv_free(&lineage);
	strv_free(&visible);
	return rc;
}

static int
occ_by_start(const void *a, const void *b)
{
	const struct occurrence	*x = a, *y = b;

	return (x->start_utc > y->start_utc) - (x->start_utc < y->start_utc);
}

/*
 * The occurrences of event id in [from, to) as {"items": [...]}, each
 * with its key ("occurrence"), where it now is ("start", "end") and its
 * status: dates cancelled on their own are listed, as cancelled.
 */
int
core_event_occurrences(struct qrm *q, const struct actor *a, int64_t id,
    const char *from, const char *to, json_t **out, struct qrm_error *err)
{
	struct event		 ev;
	struct occurrence	*occ = NULL, *nv, c;
	size_t			 n = 0, i;
	int64_t			 f, t;
	json_t			*items;
	int			 rc, cancelled;

	*out = NULL;
	if ((rc = core_event_get(q, a, id, &ev, err)) != QRM_OK)
		return rc;
	if ((rc = core_time_bound(from, ev.tzid, 0, &f, err, "from")) ||
	    (rc = core_time_bound(to, ev.tzid, 1, &t, err, "to")))
		goto out;
	if (f == 0)
		f = ev.start_utc;
	if (t == 0)
		t = f + 366 * 86400;
	if ((rc = ical_event_occurrences(&ev, f, t, &occ, &n, err)) != QRM_OK)
		goto out;
	for (i = 0; i < ev.noverrides; i++) {
		if (!ev.overrides[i].cancelled || !ical_event_occurrence(&ev,
		    ev.overrides[i].occurrence, &c, &cancelled) ||
		    c.start_utc >= t || c.end_utc < f)
			continue;
		if ((nv = reallocarray(occ, n + 1, sizeof(*occ))) == NULL) {
			rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
			goto out;
		}
		occ = nv;
		occ[n++] = c;
	}
	if (n > 1)
		qsort(occ, n, sizeof(*occ), occ_by_start);
	items = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(items, core_occurrence_json(&ev,
		    &occ[i]));
	*out = json_pack("{s:o}", "items", items);
out:
	free(occ);
	event_clear(&ev);
	return rc;
}
