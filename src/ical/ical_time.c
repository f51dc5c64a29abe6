/*
 * ical_time.c: time zones, local/UTC conversion and recurrence, all by
 * libical against the system's zoneinfo.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ical_int.h"

/*
 * libical 3.0 looks a zone up by a sequential search that reads each
 * zone's location with no lock, while a zone's first use frees and
 * replaces that string (and a zone not in zone.tab is appended to the
 * table, unlocked): see docs/DESIGN.md.  So every entry point of this
 * layer that may touch a zone (conversions, recurrence, feed building,
 * importing) holds this lock.  Feed builds happen once per change of
 * the data, so serving threads seldom wait on it; cache hits never
 * take it.
 */
static pthread_mutex_t	ical_mu = PTHREAD_MUTEX_INITIALIZER;

void
ical_lock(void)
{
	pthread_mutex_lock(&ical_mu);
}

void
ical_unlock(void)
{
	pthread_mutex_unlock(&ical_mu);
}

/* The zone for an IANA name ("UTC" included), or NULL if unknown. */
icaltimezone *
ical_zone(const char *tzid)
{
	if (tzid == NULL || *tzid == '\0' || strlen(tzid) > 64)
		return NULL;
	if (strcmp(tzid, "UTC") == 0 || strcmp(tzid, "Etc/UTC") == 0)
		return icaltimezone_get_utc_timezone();
	return icaltimezone_get_builtin_timezone(tzid);
}

int
ical_tz_known(const char *tzid)
{
	int	known;

	ical_lock();
	known = ical_zone(tzid) != NULL;
	ical_unlock();
	return known;
}

/* A floating time (or date) from quorum's local notation; -1 if bad. */
int
ical_time_from_local(const char *local, icaltimetype *out)
{
	int	all_day, y, mo, d, h, mi, s;

	if (parse_local_datetime(local, &all_day, &y, &mo, &d, &h, &mi,
	    &s) == -1)
		return -1;
	*out = icaltime_null_time();
	out->year = y;
	out->month = mo;
	out->day = d;
	out->is_date = all_day;
	if (!all_day) {
		out->hour = h;
		out->minute = mi;
		out->second = s;
	}
	return 0;
}

void
ical_time_to_local(icaltimetype t, char *out, size_t sz)
{
	if (t.is_date)
		snprintf(out, sz, "%04d-%02d-%02d", t.year, t.month, t.day);
	else
		snprintf(out, sz, "%04d-%02d-%02dT%02d:%02d:%02d", t.year,
		    t.month, t.day, t.hour, t.minute, t.second);
}

/* Seconds since the epoch of a local time (a date: its midnight) in tzid. */
static int
ical_local_to_utc_unlocked(const char *local, const char *tzid, int64_t *out)
{
	icaltimezone	*zone;
	icaltimetype	 t;

	if ((zone = ical_zone(tzid)) == NULL ||
	    ical_time_from_local(local, &t) == -1)
		return -1;
	t.is_date = 0;
	*out = (int64_t)icaltime_as_timet_with_zone(t, zone);
	return 0;
}

static int
ical_utc_to_local_unlocked(int64_t utc, const char *tzid, char *out, size_t sz)
{
	icaltimezone	*zone;
	icaltimetype	 t;

	if ((zone = ical_zone(tzid)) == NULL)
		return -1;
	t = icaltime_from_timet_with_zone((time_t)utc, 0, zone);
	ical_time_to_local(t, out, sz);
	return 0;
}

/*
 * Does the local time exist in tzid?  0 when it falls in the hour the
 * clocks skip (2027-03-28T01:30 in Europe/London), where clients read
 * it differently; then *gap_from and *gap_to (local "HH:MM") say which
 * hour.  Dates and unknown zones are 1: checked elsewhere.
 */
/* The wall clock's offset from UTC at utc, in seconds. */
static long
wall_offset(time_t utc, icaltimezone *zone)
{
	icaltimetype	wall = icaltime_from_timet_with_zone(utc, 0, zone);

	wall.zone = NULL;
	return (long)(icaltime_as_timet(wall) - utc);
}

static int
local_exists_unlocked(const char *local, const char *tzid, char *gap_from,
    char *gap_to, size_t sz)
{
	icaltimezone	*zone;
	icaltimetype	 t, back;
	time_t		 utc;
	long		 before, after;
	int		 i;

	if ((zone = ical_zone(tzid)) == NULL ||
	    ical_time_from_local(local, &t) == -1 || t.is_date)
		return 1;
	utc = icaltime_as_timet_with_zone(t, zone);
	back = icaltime_from_timet_with_zone(utc, 0, zone);
	if (back.year == t.year && back.month == t.month &&
	    back.day == t.day && back.hour == t.hour &&
	    back.minute == t.minute)
		return 1;
	/*
	 * Walk UTC in quarter hours from six hours before to the jump: the
	 * wall clock just before it and just after it bound the gap.
	 */
	t = icaltime_add(t, icaldurationtype_from_int(-6 * 3600));
	utc = icaltime_as_timet_with_zone(t, zone);
	before = wall_offset(utc, zone);
	for (i = 0; i < 12 * 4 && (after = wall_offset(utc, zone)) == before;
	    i++)
		utc += 900;
	t = icaltime_from_timet_with_zone(utc - 1, 0, zone);
	t = icaltime_add(t, icaldurationtype_from_int(1));
	snprintf(gap_from, sz, "%02d:%02d", t.hour, t.minute);
	t = icaltime_from_timet_with_zone(utc, 0, zone);
	snprintf(gap_to, sz, "%02d:%02d", t.hour, t.minute);
	return 0;
}

int
ical_local_exists(const char *local, const char *tzid, char *gap_from,
    char *gap_to, size_t sz)
{
	int	rc;

	ical_lock();
	rc = local_exists_unlocked(local, tzid, gap_from, gap_to, sz);
	ical_unlock();
	return rc;
}

/*
 * Check an RRULE for an event in tzid and return it normalised (the
 * caller frees *normalised): UNTIL in UTC for timed events and as a
 * date for all-day ones, as RFC 5545 wants.  Only DAILY and coarser
 * frequencies: nothing a union schedules repeats by the hour, and a
 * finer rule is the classic expansion bomb.
 */
static int
ical_rrule_check_unlocked(const char *rrule, const char *tzid, int all_day,
    char **normalised, struct qrm_error *err)
{
	struct icalrecurrencetype	 r;
	icaltimezone			*zone;
	char				*s;

	*normalised = NULL;
	if (strlen(rrule) > 512)
		return qrm_seterr(err, QRM_EINVAL, "rrule", "rrule is too long");
	if (strncmp(rrule, "RRULE:", 6) == 0)
		rrule += 6;
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(rrule);
	if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		return qrm_seterr(err, QRM_EINVAL, "rrule",
		    "rrule '%s' is not a valid RFC 5545 recurrence rule",
		    rrule);
	}
	if (r.freq != ICAL_DAILY_RECURRENCE &&
	    r.freq != ICAL_WEEKLY_RECURRENCE &&
	    r.freq != ICAL_MONTHLY_RECURRENCE &&
	    r.freq != ICAL_YEARLY_RECURRENCE)
		return qrm_seterr(err, QRM_EINVAL, "rrule", "rrule frequency "
		    "must be DAILY, WEEKLY, MONTHLY or YEARLY");
	if (r.interval < 1 || r.interval > 1000)
		return qrm_seterr(err, QRM_EINVAL, "rrule",
		    "rrule INTERVAL must be 1 to 1000");
	if (r.count < 0 || r.count > ICAL_MAX_OCCURRENCES)
		return qrm_seterr(err, QRM_EINVAL, "rrule", "rrule COUNT must "
		    "be 1 to %d", ICAL_MAX_OCCURRENCES);
	if (r.count > 0 && !icaltime_is_null_time(r.until))
		return qrm_seterr(err, QRM_EINVAL, "rrule",
		    "rrule may not have both COUNT and UNTIL");
	if (!icaltime_is_null_time(r.until)) {
		if (r.until.year < 1900 || r.until.year > 2999)
			return qrm_seterr(err, QRM_EINVAL, "rrule",
			    "rrule UNTIL must be between 1900 and 2999");
		if ((zone = ical_zone(tzid)) == NULL)
			return qrm_seterr(err, QRM_EINVAL, "tz",
			    "unknown time zone '%s'", tzid ? tzid : "");
		if (all_day) {
			r.until.is_date = 1;
			r.until.zone = NULL;
		} else if (r.until.is_date) {
			/* the whole of the UNTIL day counts */
			r.until.is_date = 0;
			r.until.hour = 23;
			r.until.minute = 59;
			r.until.second = 59;
			r.until = icaltime_convert_to_zone(
			    icaltime_set_timezone(&r.until, zone),
			    icaltimezone_get_utc_timezone());
		} else if (!icaltime_is_utc(r.until)) {
			r.until = icaltime_convert_to_zone(
			    icaltime_set_timezone(&r.until, zone),
			    icaltimezone_get_utc_timezone());
		}
	}
	if ((s = icalrecurrencetype_as_string_r(&r)) == NULL)
		return qrm_seterr(err, QRM_EINVAL, "rrule",
		    "rrule '%s' cannot be used", rrule);
	*normalised = strdup(s);
	free(s);
	if (*normalised == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	return QRM_OK;
}

/* The event's DTSTART and DTEND as zoned libical times. */
static int
event_times(const struct event *ev, icaltimezone **zone, icaltimetype *start,
    struct icaldurationtype *dur)
{
	icaltimetype	end;

	if ((*zone = ical_zone(ev->tzid)) == NULL ||
	    ical_time_from_local(ev->start, start) == -1 ||
	    ical_time_from_local(ev->end, &end) == -1)
		return -1;
	if (ev->all_day) {
		end = icaltime_add(end, icaldurationtype_from_int(86400));
		end.is_date = 1;
	}
	*dur = icaltime_subtract(end, *start);
	*start = icaltime_set_timezone(start, *zone);
	return 0;
}

static int64_t
to_utc(icaltimetype t, icaltimezone *zone)
{
	t.is_date = 0;
	return (int64_t)icaltime_as_timet_with_zone(t, zone);
}

/* The occurrence's end: start plus the event's length in wall time. */
static int64_t
occ_end_utc(icaltimetype occ, struct icaldurationtype dur, icaltimezone *zone)
{
	icaltimetype	end = icaltime_add(occ, dur);

	return to_utc(end, zone);
}

/* When a changed occurrence now is, in UTC; -1 if its times are bad. */
static int
override_utc(const struct event *ev, const struct override *o,
    icaltimezone *zone, int64_t *s, int64_t *e)
{
	icaltimetype	start, end;

	if (ical_time_from_local(o->start, &start) == -1 ||
	    ical_time_from_local(o->end, &end) == -1)
		return -1;
	if (ev->all_day)	/* the end is the last day, as the event's */
		end = icaltime_add(end, icaldurationtype_from_int(86400));
	*s = to_utc(start, zone);
	*e = to_utc(end, zone);
	return 0;
}

/*
 * Derive start_utc, end_utc (the first occurrence) and last_utc (the
 * end of the last occurrence, UTC_NONE for a series without end; a
 * changed occurrence moved past it counts).
 */
static int
ical_event_span_unlocked(struct event *ev, struct qrm_error *err)
{
	struct icalrecurrencetype	 r;
	struct icaldurationtype		 dur;
	icalrecur_iterator		*it;
	icaltimezone			*zone;
	icaltimetype			 start, t, last;
	int				 n = 0;

	if (event_times(ev, &zone, &start, &dur) == -1)
		return qrm_seterr(err, QRM_EINVAL, "start",
		    "start or end cannot be read");
	ev->start_utc = to_utc(start, zone);
	ev->end_utc = occ_end_utc(start, dur, zone);
	ev->last_utc = ev->end_utc;
	if (ev->rrule == NULL)
		return QRM_OK;
	r = icalrecurrencetype_from_string(ev->rrule);
	if (r.freq == ICAL_NO_RECURRENCE)
		return qrm_seterr(err, QRM_EINVAL, "rrule", "invalid rrule");
	if (r.count == 0 && icaltime_is_null_time(r.until)) {
		ev->last_utc = UTC_NONE;
		return QRM_OK;
	}
	if ((it = icalrecur_iterator_new(r, start)) == NULL)
		return qrm_seterr(err, QRM_EINVAL, "rrule",
		    "rrule cannot be expanded from this start");
	last = start;
	while (n++ < ICAL_MAX_OCCURRENCES * 4 &&
	    !icaltime_is_null_time(t = icalrecur_iterator_next(it)))
		last = t;
	icalrecur_iterator_free(it);
	last = icaltime_set_timezone(&last, zone);
	ev->last_utc = occ_end_utc(last, dur, zone);
	if (ev->last_utc < ev->end_utc)
		ev->last_utc = ev->end_utc;
	for (n = 0; (size_t)n < ev->noverrides; n++) {
		int64_t	os, oe;

		if (!ev->overrides[n].cancelled && override_utc(ev,
		    &ev->overrides[n], zone, &os, &oe) == 0 &&
		    oe > ev->last_utc)
			ev->last_utc = oe;
	}
	return QRM_OK;
}

/*
 * Is local (quorum's notation) the start of an occurrence of the
 * series ev as the series gives it, EXDATEs or not, changed or not?
 * 1 yes, 0 no.
 */
static int	ical_event_occurrences_unlocked(const struct event *, int64_t,
		    int64_t, struct occurrence **, size_t *,
		    struct qrm_error *);

int
ical_event_is_occurrence(const struct event *ev, const char *local)
{
	struct event		 bare;
	struct occurrence	*occ = NULL;
	icaltimezone		*zone;
	icaltimetype		 t, o;
	size_t			 n = 0, i;
	int64_t			 utc;
	int			 yes = 0;

	ical_lock();
	if ((zone = ical_zone(ev->tzid)) == NULL ||
	    ical_time_from_local(local, &t) == -1)
		goto out;
	t.is_date = 0;
	utc = (int64_t)icaltime_as_timet_with_zone(t, zone);
	bare = *ev;
	memset(&bare.exdates, 0, sizeof(bare.exdates));
	bare.overrides = NULL;
	bare.noverrides = 0;
	if (ical_event_occurrences_unlocked(&bare, utc, utc + 1, &occ, &n,
	    NULL) != QRM_OK)
		goto out;
	ical_time_from_local(local, &t);
	for (i = 0; i < n && !yes; i++)
		if (ical_time_from_local(occ[i].start, &o) == 0 &&
		    icaltime_compare(o, t) == 0)
			yes = 1;
out:
	ical_unlock();
	free(occ);
	return yes;
}

/* Append an occurrence to *v (grown as needed); -1: no memory, *v freed. */
static int
occ_push(struct occurrence **v, size_t *n, size_t *cap, int64_t s, int64_t e,
    const char *key, const struct override *ov)
{
	struct occurrence	*nv;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		if ((nv = realloc(*v, *cap * sizeof(**v))) == NULL) {
			free(*v);
			*v = NULL;
			return -1;
		}
		*v = nv;
	}
	(*v)[*n].start_utc = s;
	(*v)[*n].end_utc = e;
	(*v)[*n].ov = ov;
	snprintf((*v)[*n].start, sizeof((*v)[*n].start), "%s", key);
	(*n)++;
	return 0;
}

static int
occ_by_start(const void *a, const void *b)
{
	const struct occurrence	*x = a, *y = b;

	return (x->start_utc > y->start_utc) - (x->start_utc < y->start_utc);
}

/*
 * The occurrences of ev that overlap [from, to), EXDATEs and cancelled
 * ones left out, moved ones where they now are, earliest first; at
 * most ICAL_MAX_OCCURRENCES of them.  The caller frees *out.
 */
static int
ical_event_occurrences_unlocked(const struct event *ev, int64_t from, int64_t to,
    struct occurrence **out, size_t *nout, struct qrm_error *err)
{
	struct icalrecurrencetype	 r;
	struct icaldurationtype		 dur;
	icalrecur_iterator		*it = NULL;
	icaltimezone			*zone;
	icaltimetype			 start, t;
	struct occurrence		*v = NULL;
	size_t				 n = 0, cap = 0, steps = 0, k, moved = 0;
	int64_t				 s, e;
	char				 local[LOCAL_TIME_LEN];

	*out = NULL;
	*nout = 0;
	if (event_times(ev, &zone, &start, &dur) == -1)
		return qrm_seterr(err, QRM_EINVAL, "start",
		    "start or end cannot be read");
	if (ev->rrule != NULL) {
		r = icalrecurrencetype_from_string(ev->rrule);
		if (r.freq == ICAL_NO_RECURRENCE ||
		    (it = icalrecur_iterator_new(r, start)) == NULL)
			return qrm_seterr(err, QRM_EINVAL, "rrule",
			    "rrule cannot be expanded");
	}
	/* libical's iterator yields DTSTART itself first */
	for (t = it ? icalrecur_iterator_next(it) : start;
	    !icaltime_is_null_time(t);
	    t = it ? icalrecur_iterator_next(it) : icaltime_null_time()) {
		steps++;
		t = icaltime_set_timezone(&t, zone);
		s = to_utc(t, zone);
		e = occ_end_utc(t, dur, zone);
		if (to != 0 && s >= to)
			break;
		if (steps > 100000 || n >= ICAL_MAX_OCCURRENCES)
			break;
		ical_time_to_local(t, local, sizeof(local));
		if (strv_contains(&ev->exdates, local) ||
		    (ev->noverrides && event_override(ev, local)) ||
		    (from != 0 && e <= from && !(e == s && s == from)))
			continue;
		if (occ_push(&v, &n, &cap, s, e, local, NULL) == -1) {
			icalrecur_iterator_free(it);
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		}
	}
	if (it != NULL)
		icalrecur_iterator_free(it);
	/* the changed ones where they now are, wherever the series put them */
	for (k = 0; k < ev->noverrides && ev->rrule != NULL; k++) {
		const struct override	*o = &ev->overrides[k];

		if (o->cancelled || n >= ICAL_MAX_OCCURRENCES ||
		    strv_contains(&ev->exdates, o->occurrence) ||
		    override_utc(ev, o, zone, &s, &e) == -1 ||
		    (to != 0 && s >= to) ||
		    (from != 0 && e <= from && !(e == s && s == from)))
			continue;
		if (occ_push(&v, &n, &cap, s, e, o->occurrence, o) == -1)
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		moved++;
	}
	if (moved > 0 && n > 1)
		qsort(v, n, sizeof(*v), occ_by_start);
	*out = v;
	*nout = n;
	return QRM_OK;
}

/*
 * The occurrence of the series ev whose key is local, where it now is
 * (*cancelled: 1 if it was cancelled on its own).  1 found, 0 not (an
 * EXDATE, or not a date of the series).
 */
int
ical_event_occurrence(const struct event *ev, const char *local,
    struct occurrence *out, int *cancelled)
{
	const struct override	*o;
	icaltimezone		*zone;
	int			 yes;

	*cancelled = 0;
	memset(out, 0, sizeof(*out));
	if (ev->rrule == NULL || strv_contains(&ev->exdates, local) ||
	    !ical_event_is_occurrence(ev, local))
		return 0;
	snprintf(out->start, sizeof(out->start), "%s", local);
	ical_lock();
	if ((zone = ical_zone(ev->tzid)) == NULL)
		yes = 0;
	else if ((o = event_override(ev, local)) != NULL) {
		out->ov = o;
		*cancelled = o->cancelled;
		yes = override_utc(ev, o, zone, &out->start_utc,
		    &out->end_utc) == 0;
	} else {
		struct icaldurationtype	dur;
		icaltimetype		start, t;

		yes = event_times(ev, &zone, &start, &dur) == 0 &&
		    ical_time_from_local(local, &t) == 0;
		if (yes) {
			t = icaltime_set_timezone(&t, zone);
			out->start_utc = to_utc(t, zone);
			out->end_utc = occ_end_utc(t, dur, zone);
		}
	}
	ical_unlock();
	return yes;
}

int
ical_local_to_utc(const char *local, const char *tzid, int64_t *out)
{
	int	rc;

	ical_lock();
	rc = ical_local_to_utc_unlocked(local, tzid, out);
	ical_unlock();
	return rc;
}

int
ical_utc_to_local(int64_t utc, const char *tzid, char *out, size_t sz)
{
	int	rc;

	ical_lock();
	rc = ical_utc_to_local_unlocked(utc, tzid, out, sz);
	ical_unlock();
	return rc;
}

int
ical_rrule_check(const char *rrule, const char *tzid, int all_day,
    char **normalised, struct qrm_error *err)
{
	int	rc;

	ical_lock();
	rc = ical_rrule_check_unlocked(rrule, tzid, all_day, normalised, err);
	ical_unlock();
	return rc;
}

int
ical_event_span(struct event *ev, struct qrm_error *err)
{
	int	rc;

	ical_lock();
	rc = ical_event_span_unlocked(ev, err);
	ical_unlock();
	return rc;
}

int
ical_event_occurrences(const struct event *ev, int64_t from, int64_t to,
    struct occurrence **out, size_t *nout, struct qrm_error *err)
{
	int	rc;

	ical_lock();
	rc = ical_event_occurrences_unlocked(ev, from, to, out, nout, err);
	ical_unlock();
	return rc;
}
