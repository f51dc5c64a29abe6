/*
 * occurrence.c: one date of a series moved, given another place, or
 * cancelled on its own (an override: RECURRENCE-ID in feeds and
 * invitations).  The date keeps the key the series gives it (its local
 * start there), so members' answers, the waiting list and attendance
 * stay with it wherever it goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

/* What a change of one occurrence takes. */
static const struct field occurrence_fields[] = {
	{ "start", FT_LOCAL, 0, 0, 0, NULL, 0 },
	{ "end", FT_LOCAL, 0, 0, 0, NULL, 0 },
	{ "location", FT_TEXT, FF_NULLABLE, 0, 500, NULL, 0 },
	{ "status", FT_ENUM, 0, 0, 0, event_status_names, EVSTATUS__MAX },
	{ "force", FT_BOOL, 0, 0, 0, NULL, 0 },
	{ "reset", FT_BOOL, 0, 0, 0, NULL, 0 },	/* as the series has it */
	/* sent back by a GET, ignored */
	{ "occurrence", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "event", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "tz", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "moved", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "sequence", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "start_utc", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "end_utc", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ NULL, 0, 0, 0, 0, NULL, 0 }
};

/* "2027-01-21T12:30" as "2027-01-21T12:30:00": one key for one time. */
void
core_local_normal(const char *in, int all_day, char *out)
{
	snprintf(out, LOCAL_TIME_LEN, "%s%s", in, !all_day && strlen(in) ==
	    16 ? ":00" : "");
}

/*
 * A view of occurrence o of ev as a one-off event where it now is (its
 * own time and place): it shares ev's strings, so it is never cleared.
 */
void
core_occurrence_view(const struct event *ev, const struct occurrence *o,
    struct event *out)
{
	*out = *ev;
	out->rrule = NULL;
	memset(&out->exdates, 0, sizeof(out->exdates));
	out->overrides = NULL;
	out->noverrides = 0;
	out->start_utc = o->start_utc;
	out->end_utc = out->last_utc = o->end_utc;
	if (o->ov != NULL) {
		memcpy(out->start, o->ov->start, LOCAL_TIME_LEN);
		memcpy(out->end, o->ov->end, LOCAL_TIME_LEN);
		if (o->ov->location != NULL)
			out->location = o->ov->location;
		if (o->ov->cancelled)
			out->status = EVSTATUS_CANCELLED;
		if (o->ov->sequence > out->sequence)
			out->sequence = o->ov->sequence;
		return;
	}
	memcpy(out->start, o->start, LOCAL_TIME_LEN);
	ical_utc_to_local(o->end_utc - (ev->all_day ? 86400 : 0), ev->tzid,
	    out->end, LOCAL_TIME_LEN);
	if (ev->all_day)
		out->end[10] = '\0';
}

/* The series' own end of the occurrence key (for a date put back). */
static int
series_end(const struct event *ev, const char *key, char *out)
{
	struct event		 bare;
	struct occurrence	 o;
	int			 cancelled;

	bare = *ev;
	bare.overrides = NULL;
	bare.noverrides = 0;
	if (!ical_event_occurrence(&bare, key, &o, &cancelled))
		return -1;
	if (ical_utc_to_local(o.end_utc - (ev->all_day ? 86400 : 0),
	    ev->tzid, out, LOCAL_TIME_LEN) == -1)
		return -1;
	if (ev->all_day)
		out[10] = '\0';
	return 0;
}

/* The occurrence key of ev as the API shows it. */
json_t *
core_occurrence_json(const struct event *ev, const struct occurrence *o)
{
	struct event	 v;
	char		 su[32], eu[32], plain_end[LOCAL_TIME_LEN];
	int		 moved;

	core_occurrence_view(ev, o, &v);
	moved = o->ov != NULL && (strcmp(o->ov->start, o->start) != 0 ||
	    series_end(ev, o->start, plain_end) == -1 ||
	    strcmp(plain_end, o->ov->end) != 0);
	utc_format(o->start_utc, su, sizeof(su));
	utc_format(o->end_utc, eu, sizeof(eu));
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:b, s:i, "
	    "s:s, s:s}", "event", (json_int_t)ev->id, "occurrence", o->start,
	    "start", v.start, "end", v.end, "tz", ev->tzid, "location",
	    v.location ? json_string(v.location) : json_null(), "status",
	    event_status_names[v.status], "moved", moved, "sequence",
	    v.sequence, "start_utc", su, "end_utc", eu);
}

/*
 * The occurrence key of event ev (a series), where it now is: QRM_OK,
 * or not found with the reason.
 */
int
core_occurrence_find(const struct event *ev, const char *key,
    struct occurrence *o, int *cancelled, struct qrm_error *err)
{
	if (ev->rrule == NULL)
		return qrm_seterr(err, QRM_EINVAL, "occurrence", "event %lld "
		    "happens once: change the event itself", (long long)
		    ev->id);
	if (!ical_event_occurrence(ev, key, o, cancelled))
		return qrm_seterr(err, QRM_ENOTFOUND, "occurrence", "'%s' is "
		    "not a date of event %lld (%s from %s, in %s)%s", key,
		    (long long)ev->id, ev->rrule, ev->start, ev->tzid,
		    strv_contains(&ev->exdates, key) ? ": the series leaves "
		    "it out" : "");
	return QRM_OK;
}

/*
 * The change of body applied to the occurrence key of ev, into *ov.
 * Times are checked as an official types them: of the event's kind
 * (dates or times), existing in its zone, the end not before the start,
 * and not before the series begins.
 */
static int
override_from_json(const struct event *ev, const char *key,
    const json_t *body, struct override *ov, struct qrm_error *err)
{
	const struct override	*old = event_override(ev, key);
	const char		*s = json_string_value(json_object_get(body,
				    "start"));
	const char		*e = json_string_value(json_object_get(body,
				    "end"));
	const json_t		*loc = json_object_get(body, "location");
	char			 from[16], to[16];
	int64_t			 ks, ke, ns;
	int			 ad, y, mo, d, h, mi, sec, i, st = -1;

	memset(ov, 0, sizeof(*ov));
	memcpy(ov->occurrence, key, LOCAL_TIME_LEN);
	if (old != NULL) {
		*ov = *old;
		ov->location = old->location;
	} else {
		memcpy(ov->start, key, LOCAL_TIME_LEN);
		if (series_end(ev, key, ov->end) == -1)
			return qrm_seterr(err, QRM_ENOTFOUND, "occurrence",
			    "'%s' is not a date of event %lld", key,
			    (long long)ev->id);
	}
	if (json_is_true(json_object_get(body, "reset"))) {
		if (s != NULL || e != NULL || loc != NULL ||
		    json_object_get(body, "status") != NULL)
			return qrm_seterr(err, QRM_EINVAL, "reset", "reset "
			    "puts the date back as the series has it: send it "
			    "alone");
		memcpy(ov->start, key, LOCAL_TIME_LEN);
		ov->location = NULL;
		ov->cancelled = 0;
		return series_end(ev, key, ov->end) == -1 ?
		    qrm_seterr(err, QRM_ENOTFOUND, "occurrence", "'%s' is "
		    "not a date of event %lld", key, (long long)ev->id) :
		    QRM_OK;
	}
	fields_enum(body, occurrence_fields, "status", &st);
	if (st == EVSTATUS_CANCELLED)
		ov->cancelled = 1;
	else if (st >= 0)
		ov->cancelled = 0;
	for (i = 0; i < 2; i++) {
		const char	*t = i == 0 ? s : e;
		char		*dst = i == 0 ? ov->start : ov->end;

		if (t == NULL)
			continue;
		if (parse_local_datetime(t, &ad, &y, &mo, &d, &h, &mi, &sec) ||
		    ad != ev->all_day)
			return qrm_seterr(err, QRM_EINVAL, i ? "end" : "start",
			    "%s must be a %s, as the series' dates are",
			    i ? "end" : "start", ev->all_day ? "date "
			    "YYYY-MM-DD" : "local time YYYY-MM-DDTHH:MM");
		core_local_normal(t, ev->all_day, dst);
	}
	/* a new start alone keeps the occurrence's length on the clock */
	if (s != NULL && e == NULL && (ical_local_to_utc(old ? old->start :
	    key, "UTC", &ks) == -1 || ical_local_to_utc(ov->end, "UTC", &ke) ==
	    -1 || ical_local_to_utc(ov->start, "UTC", &ns) == -1 ||
	    ical_utc_to_local(ns + (ke - ks), "UTC", ov->end,
	    LOCAL_TIME_LEN) == -1))
		return qrm_seterr(err, QRM_EINVAL, "start", "start cannot be "
		    "read");
	if (s != NULL && e == NULL && ev->all_day)
		ov->end[10] = '\0';
	if (strcmp(ov->end, ov->start) < 0)
		return qrm_seterr(err, QRM_EINVAL, "end", "end must be after "
		    "start");
	for (i = 0; i < 2 && !ev->all_day; i++)
		if (!ical_local_exists(i ? ov->end : ov->start, ev->tzid, from,
		    to, sizeof(from)))
			return qrm_seterr(err, QRM_EINVAL, i ? "end" : "start",
			    "%s does not exist in %s: the clocks go forward "
			    "from %s to %s that night; choose a time outside "
			    "that hour", i ? ov->end : ov->start, ev->tzid,
			    from, to);
	if (strcmp(ov->start, ev->start) < 0)
		return qrm_seterr(err, QRM_EINVAL, "start", "the series "
		    "begins at %s: a date cannot move before it (move the "
		    "series' start instead)", ev->start);
	if (json_is_null(loc))
		ov->location = NULL;
	else if (json_is_string(loc))
		ov->location = (char *)json_string_value(loc);
	return QRM_OK;
}

/* Is ov what the series gives the date anyway (nothing left to keep)? */
static int
override_is_plain(const struct event *ev, const struct override *ov)
{
	char	end[LOCAL_TIME_LEN];

	return !ov->cancelled && ov->location == NULL &&
	    strcmp(ov->start, ov->occurrence) == 0 &&
	    series_end(ev, ov->occurrence, end) == 0 &&
	    strcmp(end, ov->end) == 0;
}

static int
same_override(const struct override *a, const struct override *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->cancelled == b->cancelled && strcmp(a->start, b->start) ==
	    0 && strcmp(a->end, b->end) == 0 && (a->location == NULL ?
	    b->location == NULL : b->location != NULL &&
	    strcmp(a->location, b->location) == 0);
}

/*
 * Change the occurrence key of event id (a series) from body {start,
 * end, location, status, force}: moved (a start alone keeps its
 * length), given its own place (null: the series' again), cancelled
 * ("status": "cancelled") or restored ("confirmed"), or put back as
 * the series has it ("reset": true).  A moved date
 * may not double-book anyone unless forced.  Those invited are sent a
 * REQUEST (or CANCEL) for that date alone, in the same transaction.
 * *out: the occurrence as it now stands.
 */
int
core_occurrence_change(struct qrm *q, const struct actor *a, int64_t id,
    const char *when, const json_t *body, json_t **out, struct qrm_error *err)
{
	struct store		*st;
	struct event		 ev, view;
	struct override		 ov;
	const struct override	*old;
	struct occurrence	 o;
	char			 key[LOCAL_TIME_LEN], object[32], detail[160];
	const char		*verb;
	size_t			 clashed = 0;
	int			 rc, cancelled, was_cancelled, plain;

	*out = NULL;
	event_init(&ev);
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if (when == NULL || strlen(when) >= LOCAL_TIME_LEN)
		return qrm_seterr(err, QRM_ENOTFOUND, "occurrence", "say which "
		    "date: its local start, as the series gives it");
	if ((rc = fields_check(body, occurrence_fields, 0, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_event_get(st, id, &ev, err)) != QRM_OK)
		goto rollback;
	core_local_normal(when, ev.all_day, key);
	if ((rc = core_occurrence_find(&ev, key, &o, &was_cancelled, err)) !=
	    QRM_OK)
		goto rollback;
	if (ev.status == EVSTATUS_CANCELLED) {
		rc = qrm_seterr(err, QRM_ECONFLICT, "status", "the whole "
		    "series is cancelled");
		goto rollback;
	}
	old = event_override(&ev, key);
	if ((rc = override_from_json(&ev, key, body, &ov, err)) != QRM_OK)
		goto rollback;
	if (same_override(old, &ov) || (old == NULL &&
	    override_is_plain(&ev, &ov))) {
		/* nothing changes: nothing is written or sent */
		store_tx_rollback(st);
		*out = core_occurrence_json(&ev, &o);
		event_clear(&ev);
		return QRM_OK;
	}
	plain = override_is_plain(&ev, &ov);
	cancelled = ov.cancelled;
	ov.sequence = (old && old->sequence > ev.sequence ? old->sequence :
	    ev.sequence) + 1;
	ov.updated = (int64_t)time(NULL);
	if (ov.updated <= ev.updated)
		ov.updated = ev.updated + 1;	/* DTSTAMP must move */
	ev.updated = ov.updated;
	snprintf(detail, sizeof(detail), "%s: %s", key, cancelled ?
	    "cancelled" : ov.start);
	verb = cancelled ? "occurrence.cancel" : plain ?
	    "occurrence.restore" : "occurrence.change";
	/*
	 * A date put back as the series has it keeps its row: calendars
	 * that were sent its change must see a higher SEQUENCE again.
	 */
	if (event_override_set(&ev, &ov) == -1) {
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		goto rollback;
	}
	if ((rc = ical_event_span(&ev, err)) != QRM_OK)
		goto rollback;
	/* where the date now is, for the clash check and the answer */
	if ((rc = core_occurrence_find(&ev, key, &o, &cancelled, err)) !=
	    QRM_OK)
		goto rollback;
	snprintf(object, sizeof(object), "event/%lld", (long long)id);
	if (!cancelled) {
		core_occurrence_view(&ev, &o, &view);
		if ((rc = core_event_check_clashes(st, &view,
		    json_is_true(json_object_get(body, "force")), &clashed,
		    err)) != QRM_OK)
			goto rollback;
		if (clashed > 0 && (rc = store_audit_add(st, a->name,
		    "event.force", object, "a date double-booked", err)) !=
		    QRM_OK)
			goto rollback;
	}
	if ((rc = store_event_update(st, &ev, err)) != QRM_OK ||
	    (rc = store_audit_add(st, a->name, verb, object, detail, err)) !=
	    QRM_OK ||
	    (rc = core_invitations_follow_occurrence(q, st, &ev, &o,
	    was_cancelled, err)) != QRM_OK ||
	    (rc = store_tx_commit(st, err)) != QRM_OK)
		goto rollback;
	*out = core_occurrence_json(&ev, &o);
	event_clear(&ev);
	return QRM_OK;
rollback:
	store_tx_rollback(st);
	event_clear(&ev);
	return rc;
}

/* Cancel the occurrence key of event id alone. */
int
core_occurrence_cancel(struct qrm *q, const struct actor *a, int64_t id,
    const char *when, json_t **out, struct qrm_error *err)
{
	json_t	*body = json_pack("{s:s}", "status", "cancelled");
	int	 rc;

	rc = core_occurrence_change(q, a, id, when, body, out, err);
	json_decref(body);
	return rc;
}

/* The occurrence key of event id as it now stands (who may see it). */
int
core_occurrence_get(struct qrm *q, const struct actor *a, int64_t id,
    const char *when, json_t **out, struct qrm_error *err)
{
	struct event		 ev;
	struct occurrence	 o;
	char			 key[LOCAL_TIME_LEN];
	int			 rc, cancelled;

	*out = NULL;
	if (when == NULL || strlen(when) >= LOCAL_TIME_LEN)
		return qrm_seterr(err, QRM_ENOTFOUND, "occurrence", "say which "
		    "date: its local start, as the series gives it");
	if ((rc = core_event_get(q, a, id, &ev, err)) != QRM_OK)
		return rc;
	core_local_normal(when, ev.all_day, key);
	if ((rc = core_occurrence_find(&ev, key, &o, &cancelled, err)) ==
	    QRM_OK)
		*out = core_occurrence_json(&ev, &o);
	event_clear(&ev);
	return rc;
}

/*
 * Changed dates the series no longer has (its rule or start changed, or
 * the date is now left out) are dropped; 1 if any was.
 */
int
core_overrides_prune(struct event *ev)
{
	size_t	i;
	int	dropped = 0;

	for (i = ev->noverrides; i-- > 0; ) {
		const char *key = ev->overrides[i].occurrence;

		if (ev->rrule == NULL || strv_contains(&ev->exdates, key) ||
		    !ical_event_is_occurrence(ev, key)) {
			event_override_drop(ev, key);
			dropped = 1;
		}
	}
	return dropped;
}
