/*
 * ical_feed.c: a list of events as one iCalendar document (RFC 5545,
 * RFC 7986), for audience feeds, personal feeds and exports.  The same
 * events always give the same bytes: DTSTAMP is the last revision.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ical_int.h"

#define PRODID	"-//quorum//quorum " QUORUM_VERSION "//EN"

static icaltimetype
utc_time(int64_t t)
{
	return icaltime_from_timet_with_zone((time_t)t, 0,
	    icaltimezone_get_utc_timezone());
}

/*
 * A DTSTART/DTEND/EXDATE value in the event's zone: a DATE, a UTC time,
 * or a local time with a plain IANA TZID parameter (libical's own TZID
 * carries a prefix that clients do not know).
 */
static void
prop_set_time(icalproperty *p, icaltimetype t, const char *tzid)
{
	if (t.is_date) {
		icalproperty_add_parameter(p,
		    icalparameter_new_value(ICAL_VALUE_DATE));
		return;
	}
	if (strcmp(tzid, "UTC") != 0)
		icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
}

static icalproperty *
time_prop(icalproperty_kind kind, icaltimetype t, const char *tzid)
{
	icalproperty	*p = icalproperty_new(kind);

	if (!t.is_date && strcmp(tzid, "UTC") == 0)
		t = icaltime_set_timezone(&t, icaltimezone_get_utc_timezone());
	icalproperty_set_value(p, t.is_date ? icalvalue_new_date(t) :
	    icalvalue_new_datetime(t));
	prop_set_time(p, t, tzid);
	return p;
}

static void
add_x(icalcomponent *c, const char *name, const char *value)
{
	icalproperty	*p = icalproperty_new_x(value);

	icalproperty_set_x_name(p, name);
	icalcomponent_add_property(c, p);
}

static icalproperty_status
status_of(enum event_status s)
{
	switch (s) {
	case EVSTATUS_TENTATIVE:	return ICAL_STATUS_TENTATIVE;
	case EVSTATUS_CANCELLED:	return ICAL_STATUS_CANCELLED;
	default:			return ICAL_STATUS_CONFIRMED;
	}
}

static const icalparameter_partstat partstats[RSVP__MAX] = {
	ICAL_PARTSTAT_NEEDSACTION, ICAL_PARTSTAT_ACCEPTED,
	ICAL_PARTSTAT_DECLINED, ICAL_PARTSTAT_TENTATIVE
};

/*
 * The member's own answer as ATTENDEE.  Someone who accepted but waits
 * for a place has none yet: TENTATIVE, as RFC 5545 means it, so that no
 * calendar app shows the meeting as certain.
 */
static void
attendee_prop(icalcomponent *c, const struct member *m,
    const struct attendance *own)
{
	icalproperty	*p;
	char		 mailto[320];
	icalparameter_partstat ps = ICAL_PARTSTAT_NEEDSACTION;

	if (own != NULL)
		ps = own->waitlisted ? ICAL_PARTSTAT_TENTATIVE :
		    partstats[own->rsvp];
	snprintf(mailto, sizeof(mailto), "mailto:%s", m->email);
	p = icalproperty_new_attendee(mailto);
	icalproperty_add_parameter(p, icalparameter_new_cn(m->name));
	icalproperty_add_parameter(p, icalparameter_new_partstat(ps));
	icalproperty_add_parameter(p,
	    icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
	icalcomponent_add_property(c, p);
}

/*
 * In a personal feed, the member's record for the event as a whole (a
 * one-off, or a series answered for every date), or NULL.
 */
static const struct attendance *
own_record(const struct feed_meta *meta, const struct event *ev)
{
	size_t	i;

	if (meta->attendee == NULL || meta->rsvps == NULL)
		return NULL;
	for (i = 0; i < meta->rsvps->n; i++)
		if (meta->rsvps->v[i].event == ev->id &&
		    meta->rsvps->v[i].occurrence[0] == '\0')
			return &meta->rsvps->v[i];
	return NULL;
}

static icalcomponent	*vevent_new_own(const struct feed_meta *,
			    const struct event *, const struct attendance *);

/*
 * The alert a member asked for in their personal feed, so long before
 * the event (none for a cancelled one); text is what it says.
 */
static void
alarm_add(icalcomponent *c, const struct feed_meta *meta,
    const struct event *ev, const char *text)
{
	icalcomponent		*al;
	struct icaltriggertype	 tr;

	if (meta->attendee == NULL || meta->alarm <= 0 ||
	    ev->status == EVSTATUS_CANCELLED)
		return;
	al = icalcomponent_new_valarm();
	memset(&tr, 0, sizeof(tr));
	tr.time = icaltime_null_time();
	tr.duration = icaldurationtype_from_int(-(int)meta->alarm);
	icalcomponent_add_property(al, icalproperty_new_action(
	    ICAL_ACTION_DISPLAY));
	icalcomponent_add_property(al, icalproperty_new_description(text));
	icalcomponent_add_property(al, icalproperty_new_trigger(tr));
	icalcomponent_add_component(c, al);
}

static icalcomponent *
vevent_new(const struct feed_meta *meta, const struct event *ev)
{
	return vevent_new_own(meta, ev, own_record(meta, ev));
}

/*
 * A VEVENT; in a personal feed (meta->attendee), the member as ATTENDEE
 * with their own answer, own (NULL: none given yet).
 */
static icalcomponent *
vevent_new_own(const struct feed_meta *meta, const struct event *ev,
    const struct attendance *own)
{
	icalcomponent	*c = icalcomponent_new_vevent();
	icaltimetype	 start, end, ex;
	char		*desc = NULL, *aud;
	char		 num[32];
	size_t		 i;
	size_t		 len;
	const char	*title = meta->level == LEVEL_BUSY ? "Union business" :
			    meta->level == LEVEL_NEUTRAL ?
			    event_kind_labels[ev->kind] : ev->title;

	ical_time_from_local(ev->start, &start);
	ical_time_from_local(ev->end, &end);
	if (ev->all_day) {	/* DTEND of a DATE is the day after */
		end = icaltime_add(end, icaldurationtype_from_int(86400));
		end.is_date = 1;
	}
	icalcomponent_add_property(c, icalproperty_new_uid(ev->uid));
	icalcomponent_add_property(c,
	    icalproperty_new_dtstamp(utc_time(ev->updated)));
	icalcomponent_add_property(c,
	    icalproperty_new_created(utc_time(ev->created)));
	icalcomponent_add_property(c,
	    icalproperty_new_lastmodified(utc_time(ev->updated)));
	icalcomponent_add_property(c, icalproperty_new_sequence(ev->sequence));
	icalcomponent_add_property(c,
	    time_prop(ICAL_DTSTART_PROPERTY, start, ev->tzid));
	icalcomponent_add_property(c,
	    time_prop(ICAL_DTEND_PROPERTY, end, ev->tzid));
	if (ev->rrule != NULL)
		icalcomponent_add_property(c, icalproperty_new_rrule(
		    icalrecurrencetype_from_string(ev->rrule)));
	for (i = 0; i < ev->exdates.n; i++)
		if (ical_time_from_local(ev->exdates.v[i], &ex) == 0)
			icalcomponent_add_property(c,
			    time_prop(ICAL_EXDATE_PROPERTY, ex, ev->tzid));
	icalcomponent_add_property(c, icalproperty_new_summary(title));
	if (meta->level != LEVEL_FULL) {
		/* a work calendar's link: the time, and at most the kind */
		icalcomponent_add_property(c, icalproperty_new_class(
		    ICAL_CLASS_PRIVATE));
		icalcomponent_add_property(c, icalproperty_new_status(
		    status_of(ev->status)));
		icalcomponent_add_property(c, icalproperty_new_transp(
		    ICAL_TRANSP_OPAQUE));
		if (meta->level == LEVEL_NEUTRAL) {
			icalcomponent_add_property(c,
			    icalproperty_new_categories(title));
			add_x(c, "X-QUORUM-KIND", event_kind_names[ev->kind]);
		}
		alarm_add(c, meta, ev, title);
		return c;
	}
	if (meta->attendee != NULL && own != NULL && own->waitlisted) {
		/* the first thing they read: no place yet */
		len = (ev->description ? strlen(ev->description) : 0) + 96;
		if ((desc = malloc(len)) != NULL)
			snprintf(desc, len, "You are number %d on the waiting "
			    "list. You will have a place when one frees.%s%s",
			    own->wait_position > 0 ? own->wait_position : 1,
			    ev->description ? "\n\n" : "",
			    ev->description ? ev->description : "");
	} else if (ev->description != NULL && !meta->export &&
	    ev->url != NULL) {
		/* most calendar apps show DESCRIPTION but not URL */
		len = strlen(ev->description) + strlen(ev->url) + 32;
		if ((desc = malloc(len)) != NULL)
			snprintf(desc, len, "%s\n\nJoin online: %s",
			    ev->description, ev->url);
	}
	if (desc != NULL || ev->description != NULL)
		icalcomponent_add_property(c, icalproperty_new_description(
		    desc ? desc : ev->description));
	free(desc);
	if (ev->location != NULL)
		icalcomponent_add_property(c,
		    icalproperty_new_location(ev->location));
	if (ev->url != NULL)
		icalcomponent_add_property(c, icalproperty_new_url(ev->url));
	icalcomponent_add_property(c, icalproperty_new_status(
	    status_of(ev->status)));
	icalcomponent_add_property(c,
	    icalproperty_new_transp(ev->all_day ? ICAL_TRANSP_TRANSPARENT :
	    ICAL_TRANSP_OPAQUE));
	icalcomponent_add_property(c, icalproperty_new_categories(
	    event_kind_labels[ev->kind]));
	if (ev->organizer != NULL && strchr(ev->organizer, '@') != NULL) {
		char	mailto[320];

		snprintf(mailto, sizeof(mailto), "mailto:%s", ev->organizer);
		icalcomponent_add_property(c,
		    icalproperty_new_organizer(mailto));
	}
	if (meta->attendee != NULL)
		attendee_prop(c, meta->attendee, own);
	alarm_add(c, meta, ev, title);
	add_x(c, "X-QUORUM-KIND", event_kind_names[ev->kind]);
	if (meta->export) {
		if (ev->capacity > 0) {
			snprintf(num, sizeof(num), "%d", ev->capacity);
			add_x(c, "X-QUORUM-CAPACITY", num);
		}
		if (ev->quorum > 0) {
			snprintf(num, sizeof(num), "%d", ev->quorum);
			add_x(c, "X-QUORUM-QUORUM", num);
		}
		if (ev->organizer != NULL && strchr(ev->organizer, '@') ==
		    NULL)
			add_x(c, "X-QUORUM-ORGANIZER", ev->organizer);
		if ((aud = strv_join(&ev->audiences, ',')) != NULL &&
		    *aud != '\0')
			add_x(c, "X-QUORUM-AUDIENCES", aud);
		free(aud);
	}
	return c;
}

/*
 * One occurrence of the series ev as a VEVENT of its own (RECURRENCE-ID
 * key): where its change (ov, or NULL) puts it, in a personal feed with
 * the member's answer own (or NULL).
 */
static icalcomponent *
occurrence_vevent(const struct feed_meta *meta, const struct event *ev,
    const char *key, const struct override *ov, const struct attendance *own)
{
	struct event		 occ;
	icalcomponent		*c;
	icaltimetype		 s, e, rid;
	struct icaldurationtype	 dur;

	if (ical_time_from_local(key, &rid) == -1 ||
	    ical_time_from_local(ev->start, &s) == -1 ||
	    ical_time_from_local(ev->end, &e) == -1)
		return NULL;
	occ = *ev;
	occ.rrule = NULL;
	memset(&occ.exdates, 0, sizeof(occ.exdates));
	occ.overrides = NULL;
	occ.noverrides = 0;
	if (ov != NULL) {
		memcpy(occ.start, ov->start, sizeof(occ.start));
		memcpy(occ.end, ov->end, sizeof(occ.end));
		if (ov->location != NULL)
			occ.location = ov->location;
		if (ov->cancelled)
			occ.status = EVSTATUS_CANCELLED;
		if (ov->sequence > occ.sequence)
			occ.sequence = ov->sequence;
		if (ov->updated > occ.updated)
			occ.updated = ov->updated;
	} else {
		if (ev->all_day) {
			e = icaltime_add(e, icaldurationtype_from_int(86400));
			e.is_date = 1;
		}
		dur = icaltime_subtract(e, s);
		ical_time_to_local(rid, occ.start, sizeof(occ.start));
		e = icaltime_add(rid, dur);
		if (ev->all_day)
			e = icaltime_add(e, icaldurationtype_from_int(-86400));
		e.is_date = ev->all_day;
		ical_time_to_local(e, occ.end, sizeof(occ.end));
	}
	c = vevent_new_own(meta, &occ, own);
	icalcomponent_add_property(c, time_prop(ICAL_RECURRENCEID_PROPERTY,
	    rid, ev->tzid));
	return c;
}

/*
 * The occurrences of a series that stand on their own, each as an
 * override (RECURRENCE-ID): those changed (moved, cancelled) and, in a
 * personal feed, those the member answered, carrying their PARTSTAT.
 */
static void
add_overrides(icalcomponent *cal, const struct feed_meta *meta,
    const struct event *ev)
{
	const struct attendance	*a;
	icalcomponent		*c;
	size_t			 i, k;
	int			 answered;

	if (ev->rrule == NULL)
		return;
	for (i = 0; meta->attendee != NULL && meta->rsvps != NULL &&
	    i < meta->rsvps->n; i++) {
		a = &meta->rsvps->v[i];
		if (a->event != ev->id || a->occurrence[0] == '\0' ||
		    strv_contains(&ev->exdates, a->occurrence))
			continue;
		if ((c = occurrence_vevent(meta, ev, a->occurrence,
		    event_override(ev, a->occurrence), a)) != NULL)
			icalcomponent_add_component(cal, c);
	}
	for (k = 0; k < ev->noverrides; k++) {
		if (strv_contains(&ev->exdates, ev->overrides[k].occurrence))
			continue;
		answered = 0;
		for (i = 0; meta->attendee != NULL && meta->rsvps != NULL &&
		    i < meta->rsvps->n && !answered; i++)
			answered = meta->rsvps->v[i].event == ev->id &&
			    strcmp(meta->rsvps->v[i].occurrence,
			    ev->overrides[k].occurrence) == 0;
		if (!answered && (c = occurrence_vevent(meta, ev,
		    ev->overrides[k].occurrence, &ev->overrides[k],
		    own_record(meta, ev))) != NULL)
			icalcomponent_add_component(cal, c);
	}
}

/*
 * An action as a VTODO (for apps that show tasks) and, while open with
 * a due date, as an all-day "Due: ..." VEVENT (most apps show only
 * events from a subscription).  UIDs are stable per action.
 */
static void
add_action(icalcomponent *cal, const struct action *a)
{
	static const icalproperty_status status[ACTION__MAX] = {
		ICAL_STATUS_NEEDSACTION, ICAL_STATUS_INPROCESS,
		ICAL_STATUS_COMPLETED, ICAL_STATUS_CANCELLED
	};
	icalcomponent	*c;
	icaltimetype	 due, end;
	char		 uid[64], summary[400], desc[512];
	int		 has_due = a->due[0] && ical_time_from_local(a->due,
			    &due) == 0;

	snprintf(uid, sizeof(uid), "action-%lld@quorum", (long long)a->id);
	c = icalcomponent_new_vtodo();
	icalcomponent_add_property(c, icalproperty_new_uid(uid));
	icalcomponent_add_property(c,
	    icalproperty_new_dtstamp(utc_time(a->updated)));
	icalcomponent_add_property(c,
	    icalproperty_new_created(utc_time(a->created)));
	icalcomponent_add_property(c,
	    icalproperty_new_lastmodified(utc_time(a->updated)));
	icalcomponent_add_property(c, icalproperty_new_summary(a->title));
	if (a->notes != NULL || a->waiting_on != NULL) {
		snprintf(desc, sizeof(desc), "%s%s%s%s", a->notes ? a->notes :
		    "", a->notes && a->waiting_on ? "\n" : "", a->waiting_on ?
		    "Waiting on: " : "", a->waiting_on ? a->waiting_on : "");
		icalcomponent_add_property(c,
		    icalproperty_new_description(desc));
	}
	if (has_due)
		icalcomponent_add_property(c, time_prop(ICAL_DUE_PROPERTY, due,
		    "UTC"));
	icalcomponent_add_property(c,
	    icalproperty_new_status(status[a->status]));
	if (a->status == ACTION_DONE && a->completed_at)
		icalcomponent_add_property(c,
		    icalproperty_new_completed(utc_time(a->completed_at)));
	if (a->event_uid != NULL)
		icalcomponent_add_property(c,
		    icalproperty_new_relatedto(a->event_uid));
	icalcomponent_add_component(cal, c);
	if (!has_due || (a->status != ACTION_OPEN &&
	    a->status != ACTION_WAITING))
		return;
	snprintf(uid, sizeof(uid), "action-%lld-due@quorum", (long long)a->id);
	snprintf(summary, sizeof(summary), "Due: %s", a->title);
	end = icaltime_add(due, icaldurationtype_from_int(86400));
	end.is_date = 1;
	c = icalcomponent_new_vevent();
	icalcomponent_add_property(c, icalproperty_new_uid(uid));
	icalcomponent_add_property(c,
	    icalproperty_new_dtstamp(utc_time(a->updated)));
	icalcomponent_add_property(c, time_prop(ICAL_DTSTART_PROPERTY, due,
	    "UTC"));
	icalcomponent_add_property(c, time_prop(ICAL_DTEND_PROPERTY, end,
	    "UTC"));
	icalcomponent_add_property(c, icalproperty_new_summary(summary));
	if (a->event_uid != NULL)
		icalcomponent_add_property(c,
		    icalproperty_new_relatedto(a->event_uid));
	icalcomponent_add_property(c,
	    icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	icalcomponent_add_property(c, icalproperty_new_categories("Action"));
	icalcomponent_add_component(cal, c);
}

/*
 * One compact VTIMEZONE for tzid: libical's zone from the system data,
 * its TZID set to the plain IANA name, and its history cut to the span
 * [from, to] (to = UTC_NONE keeps the rules that run on).
 */
static icalcomponent	*vtimezone_make(const char *, int64_t);

/*
 * The same, kept: the zone's component as cut for a start, cloned for
 * each feed.  Feeds over the same events share it; made anew it takes
 * libical a tenth of a member's feed.  Under the lock.
 */
#define VTZ_SLOTS	16

static struct {
	char		 tzid[65];
	int64_t		 from;
	icalcomponent	*vtz;
}			vtzs[VTZ_SLOTS];

static icalcomponent *
vtimezone_new(const char *tzid, int64_t from, int64_t to)
{
	size_t	slot = 5381, i;

	(void)to;
	for (i = 0; tzid[i] != '\0'; i++)
		slot = slot * 33 + (unsigned char)tzid[i];
	slot = (slot + (size_t)from) % VTZ_SLOTS;
	if (vtzs[slot].vtz == NULL || vtzs[slot].from != from ||
	    strcmp(vtzs[slot].tzid, tzid) != 0) {
		if (strlen(tzid) >= sizeof(vtzs[slot].tzid))
			return vtimezone_make(tzid, from);
		if (vtzs[slot].vtz != NULL)
			icalcomponent_free(vtzs[slot].vtz);
		vtzs[slot].vtz = vtimezone_make(tzid, from);
		vtzs[slot].from = from;
		snprintf(vtzs[slot].tzid, sizeof(vtzs[slot].tzid), "%s", tzid);
		if (vtzs[slot].vtz == NULL)
			return NULL;
	}
	return icalcomponent_new_clone(vtzs[slot].vtz);
}

static icalcomponent *
vtimezone_make(const char *tzid, int64_t from)
{
	icaltimezone	*zone;
	icalcomponent	*vtz, *src;
	icalproperty	*p;
	icaltimetype	 end = icaltime_null_time();

	if ((zone = ical_zone(tzid)) == NULL ||
	    (src = icaltimezone_get_component(zone)) == NULL)
		return NULL;
	vtz = icalcomponent_new_clone(src);
	if ((p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY))
	    != NULL)
		icalproperty_set_tzid(p, tzid);
	while ((p = icalcomponent_get_first_property(vtz,
	    ICAL_X_PROPERTY)) != NULL) {
		icalcomponent_remove_property(vtz, p);
		icalproperty_free(p);
	}
	while ((p = icalcomponent_get_first_property(vtz,
	    ICAL_TZURL_PROPERTY)) != NULL) {
		icalcomponent_remove_property(vtz, p);
		icalproperty_free(p);
	}
	while ((p = icalcomponent_get_first_property(vtz,
	    ICAL_LOCATION_PROPERTY)) != NULL) {
		icalcomponent_remove_property(vtz, p);
		icalproperty_free(p);
	}
	/*
	 * Cut the history only: rules left open at the end keep the zone
	 * right for every later date a client may compute.
	 */
	icaltimezone_truncate_vtimezone(vtz, utc_time(from - 366 * 86400),
	    end, 1);
	return vtz;
}

static int
add_timezones(icalcomponent *cal, const struct event *const *v, size_t n)
{
	struct strv	 seen = { 0 };
	icalcomponent	*vtz;
	size_t		 i, j;
	int64_t		 from, to;

	for (i = 0; i < n; i++) {
		const char	*tz = v[i]->tzid;

		if (v[i]->all_day || strcmp(tz, "UTC") == 0 ||
		    strv_contains(&seen, tz))
			continue;
		if (strv_push(&seen, tz) == -1)
			goto fail;
		from = v[i]->start_utc;
		to = v[i]->last_utc;
		for (j = i + 1; j < n; j++) {
			if (v[j]->all_day ||
			    strcmp(v[j]->tzid, tz) != 0)
				continue;
			if (v[j]->start_utc < from)
				from = v[j]->start_utc;
			if (to != UTC_NONE && (v[j]->last_utc == UTC_NONE ||
			    v[j]->last_utc > to))
				to = v[j]->last_utc;
		}
		if ((vtz = vtimezone_new(tz, from, to)) == NULL)
			goto fail;
		icalcomponent_add_component(cal, vtz);
	}
	strv_free(&seen);
	return 0;
fail:
	strv_free(&seen);
	return -1;
}

#define END	"END:VCALENDAR\r\n"

static int	append_children(icalcomponent *, struct buf *,
		    struct qrm_error *);

/* The attendee a shared event text carries, to be replaced. */
static const struct member placeholder = { .id = 0,
    .name = (char *)"QRMSHAREDATTENDEE", .email =
    (char *)"shared@attendee.invalid" };

/*
 * May ev be spliced into meta's personal feed: the member asked for no
 * alert, has no answer for a date of it (a series), and no place on its
 * waiting list?  *own: their answer for it as a whole, or NULL.
 */
static int
splice_ok(const struct feed_meta *meta, const struct event *ev,
    const struct attendance **own)
{
	const struct attendance	*a;
	size_t			 i;

	*own = NULL;
	if (meta->attendee == NULL || meta->level != LEVEL_FULL ||
	    meta->alarm > 0)
		return 0;
	for (i = 0; ev != NULL && meta->rsvps != NULL && i < meta->rsvps->n;
	    i++) {
		a = &meta->rsvps->v[i];
		if (a->event != ev->id)
			continue;
		if (a->occurrence[0] != '\0' || a->waitlisted)
			return 0;
		*own = a;
	}
	return 1;
}

/* The member's ATTENDEE line with partstat of own, as libical folds it. */
static char *
attendee_line(const struct member *m, const struct attendance *own)
{
	icalcomponent	*c = icalcomponent_new_vevent();
	icalproperty	*p;
	char		*text = NULL;

	attendee_prop(c, m, own);
	if ((p = icalcomponent_get_first_property(c, ICAL_ATTENDEE_PROPERTY))
	    != NULL)
		text = icalproperty_as_ical_string_r(p);
	icalcomponent_free(c);
	return text;
}

/*
 * The text of ev as every member who sees it shares it in a personal
 * feed: built with a placeholder as the attendee, no answer and no
 * alert, appended to text; *cuts (the caller frees it) gets the start
 * and the end of each ATTENDEE line in it (*ncuts pairs), where each
 * member's own line goes.
 */
int
ical_shared_text(const struct event *ev, struct buf *text, size_t **cuts,
    size_t *ncuts, struct qrm_error *err)
{
	struct feed_meta	 pm;
	icalcomponent		*one;
	const char		*p, *q, *end;
	size_t			 base = text->len, n = 0, *v = NULL, *nv;
	int			 rc;

	*cuts = NULL;
	*ncuts = 0;
	memset(&pm, 0, sizeof(pm));
	pm.level = LEVEL_FULL;
	pm.attendee = &placeholder;
	ical_lock();
	one = icalcomponent_new_vcalendar();
	icalcomponent_add_component(one, vevent_new_own(&pm, ev, NULL));
	add_overrides(one, &pm, ev);
	rc = append_children(one, text, err);
	icalcomponent_free(one);
	ical_unlock();
	if (rc != QRM_OK)
		return rc;
	/* each folded ATTENDEE line: from its name to its last CRLF */
	for (p = text->p + base, end = text->p + text->len; p < end; ) {
		if ((q = memmem(p, (size_t)(end - p), "\r\nATTENDEE", 10)) ==
		    NULL)
			break;
		q += 2;
		for (p = q; p < end; p++)
			if (p[0] == '\r' && p + 2 < end && p[1] == '\n' &&
			    p[2] != ' ') {
				p += 2;
				break;
			}
		if ((nv = reallocarray(v, 2 * (n + 1), sizeof(*v))) == NULL) {
			free(v);
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		}
		v = nv;
		v[2 * n] = (size_t)(q - (text->p + base));
		v[2 * n + 1] = (size_t)(p - (text->p + base));
		n++;
	}
	*cuts = v;
	*ncuts = n;
	return QRM_OK;
}

/*
 * May the text everyone shares of ev stand in meta's member's feed, with
 * their own ATTENDEE line put in?  *slot: which line (their answer to it
 * as a whole, 0 for none), see ical_attendee_text().  With ev NULL: may
 * it for an event they have not answered?
 */
int
ical_shared_ok(const struct feed_meta *meta, const struct event *ev,
    int *slot)
{
	const struct attendance	*own;

	*slot = 0;
	if (!splice_ok(meta, ev, &own))
		return 0;
	if (own != NULL && own->rsvp >= 0 && own->rsvp <= 3)
		*slot = (int)own->rsvp;
	return 1;
}

/* The member's ATTENDEE line for an answer slot (ical_shared_ok()). */
char *
ical_attendee_text(const struct member *m, int slot)
{
	struct attendance	 own;
	char			*text;

	memset(&own, 0, sizeof(own));
	own.rsvp = slot;
	ical_lock();
	text = attendee_line(m, slot > 0 ? &own : NULL);
	ical_unlock();
	return text;
}

/* Append the text of each of c's subcomponents, in order. */
static int
append_children(icalcomponent *c, struct buf *out, struct qrm_error *err)
{
	icalcomponent	*sub;
	char		*text;
	int		 rc;

	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	    sub != NULL;
	    sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
		if ((text = icalcomponent_as_ical_string_r(sub)) == NULL)
			return qrm_seterr(err, QRM_ESYS, "",
			    "cannot serialize an event");
		rc = buf_puts(out, text);
		free(text);
		if (rc == -1)
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	return QRM_OK;
}

/*
 * The calendar's head: BEGIN:VCALENDAR and its properties from meta,
 * appended to out.  The time zones (ical_feed_zones()) come next.
 */
int
ical_feed_props(const struct feed_meta *meta, struct buf *out,
    struct qrm_error *err)
{
	icalcomponent	*cal;
	icalproperty	*p;
	char		*text;
	char		 ttl[32];
	size_t		 len;
	int		 rc = QRM_OK;

	ical_lock();
	cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal,
	    icalproperty_new_method(ICAL_METHOD_PUBLISH));
	/* a work calendar's link names nothing but union business */
	icalcomponent_add_property(cal, icalproperty_new_name(meta->level ?
	    "Union business" : meta->name));
	add_x(cal, "X-WR-CALNAME", meta->level ? "Union business" :
	    meta->name);
	if (meta->level == LEVEL_FULL && meta->description != NULL &&
	    *meta->description != '\0') {
		icalcomponent_add_property(cal,
		    icalproperty_new_description(meta->description));
		add_x(cal, "X-WR-CALDESC", meta->description);
	}
	if (meta->refresh_minutes > 0) {
		p = icalproperty_new_refreshinterval(
		    icaldurationtype_from_int(meta->refresh_minutes * 60));
		icalproperty_add_parameter(p,
		    icalparameter_new_value(ICAL_VALUE_DURATION));
		icalcomponent_add_property(cal, p);
		snprintf(ttl, sizeof(ttl), "PT%dM", meta->refresh_minutes);
		add_x(cal, "X-PUBLISHED-TTL", ttl);
	}
	add_x(cal, "X-WR-TIMEZONE", meta->tzid ? meta->tzid : "Europe/London");
	if (meta->colour != NULL)
		add_x(cal, "X-APPLE-CALENDAR-COLOR", meta->colour);
	/* libical writes properties before components: the head is whole */
	if ((text = icalcomponent_as_ical_string_r(cal)) == NULL ||
	    (len = strlen(text)) < sizeof(END) - 1 ||
	    buf_append(out, text, len - (sizeof(END) - 1)) == -1)
		rc = qrm_seterr(err, QRM_ESYS, "", "cannot serialize the feed");
	free(text);
	icalcomponent_free(cal);
	ical_unlock();
	return rc;
}

/* The VTIMEZONE of each time zone the n events v are in, into out. */
int
ical_feed_zones(const struct event *const *v, size_t n, struct buf *out,
    struct qrm_error *err)
{
	icalcomponent	*cal;
	int		 rc;

	ical_lock();
	cal = icalcomponent_new_vcalendar();
	if (add_timezones(cal, v, n) == -1)
		rc = qrm_seterr(err, QRM_ESYS, "tz",
		    "a time zone cannot be written");
	else
		rc = append_children(cal, out, err);
	icalcomponent_free(cal);
	ical_unlock();
	return rc;
}

/* ev as meta's feed shows it, built for that feed, appended to out. */
int
ical_feed_event(const struct feed_meta *meta, const struct event *ev,
    struct buf *out, struct qrm_error *err)
{
	icalcomponent	*one;
	int		 rc;

	ical_lock();
	one = icalcomponent_new_vcalendar();
	icalcomponent_add_component(one, vevent_new(meta, ev));
	add_overrides(one, meta, ev);
	rc = append_children(one, out, err);
	icalcomponent_free(one);
	ical_unlock();
	return rc;
}

/* The calendar's end: meta's actions, then END:VCALENDAR. */
int
ical_feed_tail(const struct feed_meta *meta, struct buf *out,
    struct qrm_error *err)
{
	icalcomponent	*one;
	size_t		 i;
	int		 rc = QRM_OK;

	if (meta->actions != NULL && meta->actions->n > 0) {
		ical_lock();
		one = icalcomponent_new_vcalendar();
		for (i = 0; i < meta->actions->n; i++)
			add_action(one, &meta->actions->v[i]);
		rc = append_children(one, out, err);
		icalcomponent_free(one);
		ical_unlock();
	}
	if (rc == QRM_OK && buf_puts(out, END) == -1)
		rc = qrm_seterr(err, QRM_ESYS, "", "cannot serialize the feed");
	return rc;
}

/*
 * Serialize evs as a VCALENDAR into out (appended): its head, each
 * event, then the actions and the end.  Each piece takes libical's lock
 * (ical_time.c) itself.
 */
int
ical_feed_build(const struct feed_meta *meta, const struct event_list *evs,
    struct buf *out, struct qrm_error *err)
{
	const struct event	**v = NULL;
	size_t			  i;
	int			  rc;

	if (evs->n > 0 && (v = malloc(evs->n * sizeof(*v))) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	for (i = 0; i < evs->n; i++)
		v[i] = &evs->v[i];
	rc = ical_feed_props(meta, out, err);
	if (rc == QRM_OK)
		rc = ical_feed_zones(v, evs->n, out, err);
	free(v);
	for (i = 0; i < evs->n && rc == QRM_OK; i++)
		rc = ical_feed_event(meta, &evs->v[i], out, err);
	if (rc == QRM_OK)
		rc = ical_feed_tail(meta, out, err);
	return rc;
}

/* Append cal's text to out, and free cal. */
static int
serialize_free(icalcomponent *cal, struct buf *out, struct qrm_error *err)
{
	char	*text;
	int	 rc = QRM_OK;

	if ((text = icalcomponent_as_ical_string_r(cal)) == NULL ||
	    buf_puts(out, text) == -1)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	free(text);
	icalcomponent_free(cal);
	return rc;
}

/*
 * Busy times as iCalendar (RFC 5545 §3.6.4): one VFREEBUSY a person,
 * its FREEBUSY periods in UTC between from and to.  items is the JSON
 * of core_freebusy() with each busy time's "start_utc" and "end_utc".
 */
static int
freebusy_build(const json_t *items, int64_t from, int64_t to,
    struct buf *out, struct qrm_error *err)
{
	icalcomponent		*cal, *fb;
	struct icalperiodtype	 p;
	const json_t		*it, *b;
	char			 uid[64];
	size_t			 i, j;

	cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
	icalcomponent_add_property(cal, icalproperty_new_method(
	    ICAL_METHOD_PUBLISH));
	json_array_foreach(items, i, it) {
		fb = icalcomponent_new_vfreebusy();
		snprintf(uid, sizeof(uid), "freebusy-%lld-%lld-%lld@quorum",
		    (long long)json_integer_value(json_object_get(it,
		    "member")), (long long)from, (long long)to);
		icalcomponent_add_property(fb, icalproperty_new_uid(uid));
		icalcomponent_add_property(fb, icalproperty_new_dtstamp(
		    icaltime_from_timet_with_zone(time(NULL), 0,
		    icaltimezone_get_utc_timezone())));
		icalcomponent_add_property(fb, icalproperty_new_dtstart(
		    icaltime_from_timet_with_zone((time_t)from, 0,
		    icaltimezone_get_utc_timezone())));
		icalcomponent_add_property(fb, icalproperty_new_dtend(
		    icaltime_from_timet_with_zone((time_t)to, 0,
		    icaltimezone_get_utc_timezone())));
		icalcomponent_add_property(fb, icalproperty_new_contact(
		    json_string_value(json_object_get(it, "name"))));
		json_array_foreach(json_object_get(it, "busy"), j, b) {
			p = icalperiodtype_null_period();
			p.start = icaltime_from_timet_with_zone((time_t)
			    json_integer_value(json_object_get(b, "start_utc")),
			    0, icaltimezone_get_utc_timezone());
			p.end = icaltime_from_timet_with_zone((time_t)
			    json_integer_value(json_object_get(b, "end_utc")),
			    0, icaltimezone_get_utc_timezone());
			icalcomponent_add_property(fb,
			    icalproperty_new_freebusy(p));
		}
		icalcomponent_add_component(cal, fb);
	}
	return serialize_free(cal, out, err);
}

int
ical_freebusy(const json_t *items, int64_t from, int64_t to, struct buf *out,
    struct qrm_error *err)
{
	int	rc;

	ical_lock();
	rc = freebusy_build(items, from, to, out, err);
	ical_unlock();
	return rc;
}

static void	itip_address(icalcomponent *, const struct event *,
		    const char *, int, int);

/*
 * An invitation (RFC 5546 iTIP) for attendee to ev: METHOD (REQUEST or
 * CANCEL), the event as the feeds have it (same UID and SEQUENCE), its
 * time zone, ORGANIZER the address replies go to, and the attendee
 * asked to reply (RSVP=TRUE).  With key, of that one occurrence only
 * (RECURRENCE-ID); a whole series' REQUEST carries its changed ones.
 */
static int
itip_build(const struct event *ev, const char *key, const char *method,
    const char *organizer, const struct member *attendee, struct buf *out,
    struct qrm_error *err)
{
	struct feed_meta	 meta;
	const struct event	*one = ev;
	icalcomponent		*cal, *c;
	size_t			 i;
	int			 cancel = strcmp(method, "CANCEL") == 0;
	int			 publish = strcmp(method, "PUBLISH") == 0;

	memset(&meta, 0, sizeof(meta));
	meta.attendee = attendee;
	cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(cancel ?
	    ICAL_METHOD_CANCEL : publish ? ICAL_METHOD_PUBLISH :
	    ICAL_METHOD_REQUEST));
	if (add_timezones(cal, &one, 1) == -1) {
		icalcomponent_free(cal);
		return qrm_seterr(err, QRM_ESYS, "tz", "a time zone cannot be "
		    "written");
	}
	if (key != NULL)
		c = occurrence_vevent(&meta, ev, key, event_override(ev, key),
		    NULL);
	else
		c = vevent_new_own(&meta, ev, NULL);
	if (c == NULL) {
		icalcomponent_free(cal);
		return qrm_seterr(err, QRM_EINVAL, "occurrence", "'%s' cannot "
		    "be read as a time", key);
	}
	itip_address(c, ev, organizer, !cancel && !publish, cancel);
	icalcomponent_add_component(cal, c);
	for (i = 0; key == NULL && !cancel && i < ev->noverrides; i++)
		if (!strv_contains(&ev->exdates, ev->overrides[i].occurrence) &&
		    (c = occurrence_vevent(&meta, ev,
		    ev->overrides[i].occurrence, &ev->overrides[i], NULL)) !=
		    NULL) {
			itip_address(c, ev, organizer, !publish, 0);
			icalcomponent_add_component(cal, c);
		}
	return serialize_free(cal, out, err);
}

/*
 * An iTIP VEVENT's ORGANIZER made quorum's address (replies come
 * here), its ATTENDEE asked to reply when ask, and STATUS:CANCELLED
 * when cancel.
 */
static void
itip_address(icalcomponent *c, const struct event *ev, const char *organizer,
    int ask, int cancel)
{
	icalproperty	*p;
	char		 mailto[320];

	/* replies go to quorum, whoever organises the meeting */
	while ((p = icalcomponent_get_first_property(c,
	    ICAL_ORGANIZER_PROPERTY)) != NULL) {
		icalcomponent_remove_property(c, p);
		icalproperty_free(p);
	}
	snprintf(mailto, sizeof(mailto), "mailto:%s", organizer);
	p = icalproperty_new_organizer(mailto);
	icalproperty_add_parameter(p, icalparameter_new_cn(ev->organizer &&
	    strchr(ev->organizer, '@') == NULL ? ev->organizer : "quorum"));
	icalcomponent_add_property(c, p);
	if (ask && (p = icalcomponent_get_first_property(c,
	    ICAL_ATTENDEE_PROPERTY)) != NULL)
		icalproperty_add_parameter(p, icalparameter_new_rsvp(
		    ICAL_RSVP_TRUE));
	if (cancel) {
		while ((p = icalcomponent_get_first_property(c,
		    ICAL_STATUS_PROPERTY)) != NULL) {
			icalcomponent_remove_property(c, p);
			icalproperty_free(p);
		}
		icalcomponent_add_property(c, icalproperty_new_status(
		    ICAL_STATUS_CANCELLED));
	}
}

int
ical_itip(const struct event *ev, const char *key, const char *method,
    const char *organizer, const struct member *attendee, struct buf *out,
    struct qrm_error *err)
{
	int	rc;

	ical_lock();
	rc = itip_build(ev, key, method, organizer, attendee, out, err);
	ical_unlock();
	return rc;
}

/*
 * A reply (METHOD:REPLY) read: the UID, SEQUENCE, the first ATTENDEE's
 * address (lower case, without "mailto:") and PARTSTAT
 * ("accepted", "declined", "tentative").  The first VCALENDAR in text.
 */
static int
reply_parse(const char *text, struct itip_reply *r, struct qrm_error *err)
{
	icalcomponent		*cal, *ev;
	icalproperty		*p;
	icalparameter		*ps;
	const char		*v;
	size_t			 i;

	memset(r, 0, sizeof(*r));
	if ((cal = icalparser_parse_string(text)) == NULL ||
	    icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
		if (cal != NULL)
			icalcomponent_free(cal);
		return qrm_seterr(err, QRM_EINVAL, "", "this is not an "
		    "iCalendar object");
	}
	if (icalcomponent_get_method(cal) != ICAL_METHOD_REPLY) {
		icalcomponent_free(cal);
		return qrm_seterr(err, QRM_EINVAL, "method", "only a "
		    "METHOD:REPLY is taken here");
	}
	if ((ev = icalcomponent_get_first_component(cal,
	    ICAL_VEVENT_COMPONENT)) == NULL || (v =
	    icalcomponent_get_uid(ev)) == NULL) {
		icalcomponent_free(cal);
		return qrm_seterr(err, QRM_EINVAL, "uid", "the reply has no "
		    "VEVENT with a UID");
	}
	snprintf(r->uid, sizeof(r->uid), "%s", v);
	r->sequence = icalcomponent_get_sequence(ev);
	if ((p = icalcomponent_get_first_property(ev,
	    ICAL_RECURRENCEID_PROPERTY)) != NULL) {
		icaltimetype	 rid = icalproperty_get_recurrenceid(p);
		icalparameter	*tz = icalproperty_get_first_parameter(p,
				    ICAL_TZID_PARAMETER);
		icaltimezone	*zone = NULL;

		if (icaltime_is_null_time(rid)) {
			icalcomponent_free(cal);
			return qrm_seterr(err, QRM_EINVAL, "recurrence-id",
			    "the reply's RECURRENCE-ID cannot be read");
		}
		ical_time_to_local(rid, r->occurrence, sizeof(r->occurrence));
		/* a UTC time, or one in a zone we know: made an instant */
		if (icaltime_is_utc(rid))
			zone = icaltimezone_get_utc_timezone();
		else if (tz != NULL)
			zone = ical_zone(icalparameter_get_tzid(tz));
		if (!rid.is_date && zone != NULL) {
			rid.is_date = 0;
			r->occurrence_utc = (int64_t)
			    icaltime_as_timet_with_zone(rid, zone);
			r->occurrence_instant = 1;
		}
	}
	if ((p = icalcomponent_get_first_property(ev,
	    ICAL_ATTENDEE_PROPERTY)) == NULL || (v =
	    icalproperty_get_attendee(p)) == NULL) {
		icalcomponent_free(cal);
		return qrm_seterr(err, QRM_EINVAL, "attendee", "the reply "
		    "names no ATTENDEE");
	}
	if (strncasecmp(v, "mailto:", 7) == 0)
		v += 7;
	snprintf(r->email, sizeof(r->email), "%s", v);
	for (i = 0; r->email[i] != '\0'; i++)
		r->email[i] = (char)tolower((unsigned char)r->email[i]);
	ps = icalproperty_get_first_parameter(p, ICAL_PARTSTAT_PARAMETER);
	switch (ps ? icalparameter_get_partstat(ps) : ICAL_PARTSTAT_NONE) {
	case ICAL_PARTSTAT_ACCEPTED:
		snprintf(r->answer, sizeof(r->answer), "accepted");
		break;
	case ICAL_PARTSTAT_DECLINED:
		snprintf(r->answer, sizeof(r->answer), "declined");
		break;
	case ICAL_PARTSTAT_TENTATIVE:
		snprintf(r->answer, sizeof(r->answer), "tentative");
		break;
	default:
		icalcomponent_free(cal);
		return qrm_seterr(err, QRM_EINVAL, "partstat", "the reply "
		    "says neither ACCEPTED, DECLINED nor TENTATIVE");
	}
	icalcomponent_free(cal);
	return QRM_OK;
}

int
ical_reply_parse(const char *text, struct itip_reply *r,
    struct qrm_error *err)
{
	int	rc;

	ical_lock();
	rc = reply_parse(text, r, err);
	ical_unlock();
	return rc;
}

/*
 * What the employer side owes, for a link the union may give them:
 * each action waiting on someone outside as a VTODO (its title, when it
 * was asked for, DUE the date promised) and, with a promise, an all-day
 * "Due:" event on it.  Nothing else: no owner, notes or meeting.
 */
static int
owed_build(const struct action_list *l, struct buf *out,
    struct qrm_error *err)
{
	icalcomponent	*cal, *c;
	icaltimetype	 due, end;
	struct buf	 desc = { 0 };
	char		 uid[64], sum[400];
	size_t		 i;

	cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_method(
	    ICAL_METHOD_PUBLISH));
	icalcomponent_add_property(cal, icalproperty_new_name(
	    "What the employer owes the union"));
	add_x(cal, "X-WR-CALNAME", "What the employer owes the union");
	for (i = 0; i < l->n; i++) {
		const struct action *a = &l->v[i];
		int has_due = a->promised[0] && ical_time_from_local(
		    a->promised, &due) == 0;

		snprintf(uid, sizeof(uid), "owed-%lld@quorum",
		    (long long)a->id);
		desc.len = 0;
		if (a->asked[0]) {
			buf_puts(&desc, "Asked for on ");
			date_words(&desc, a->asked);
		}
		if (a->promised[0]) {
			buf_puts(&desc, a->asked[0] ? "; promised by " :
			    "promised by ");
			date_words(&desc, a->promised);
		}
		c = icalcomponent_new_vtodo();
		icalcomponent_add_property(c, icalproperty_new_uid(uid));
		icalcomponent_add_property(c,
		    icalproperty_new_dtstamp(utc_time(a->updated)));
		icalcomponent_add_property(c, icalproperty_new_summary(
		    a->title));
		if (desc.len > 0)
			icalcomponent_add_property(c,
			    icalproperty_new_description(desc.p));
		if (has_due)
			icalcomponent_add_property(c, time_prop(
			    ICAL_DUE_PROPERTY, due, "UTC"));
		icalcomponent_add_property(c, icalproperty_new_status(
		    ICAL_STATUS_NEEDSACTION));
		icalcomponent_add_component(cal, c);
		if (!has_due)
			continue;
		snprintf(uid, sizeof(uid), "owed-%lld-due@quorum",
		    (long long)a->id);
		snprintf(sum, sizeof(sum), "Due to the union: %s", a->title);
		end = icaltime_add(due, icaldurationtype_from_int(86400));
		end.is_date = 1;
		c = icalcomponent_new_vevent();
		icalcomponent_add_property(c, icalproperty_new_uid(uid));
		icalcomponent_add_property(c,
		    icalproperty_new_dtstamp(utc_time(a->updated)));
		icalcomponent_add_property(c, time_prop(ICAL_DTSTART_PROPERTY,
		    due, "UTC"));
		icalcomponent_add_property(c, time_prop(ICAL_DTEND_PROPERTY,
		    end, "UTC"));
		icalcomponent_add_property(c, icalproperty_new_summary(sum));
		if (desc.len > 0)
			icalcomponent_add_property(c,
			    icalproperty_new_description(desc.p));
		icalcomponent_add_property(c, icalproperty_new_transp(
		    ICAL_TRANSP_TRANSPARENT));
		icalcomponent_add_component(cal, c);
	}
	buf_free(&desc);
	return serialize_free(cal, out, err);
}

int
ical_owed_build(const struct action_list *l, struct buf *out,
    struct qrm_error *err)
{
	int	rc;

	ical_lock();
	rc = owed_build(l, out, err);
	ical_unlock();
	return rc;
}
