/*
 * ical_import.c: iCalendar text to model events.  The whole file is
 * read or refused: a structural fault or an event that cannot be read
 * stops the import with the line it starts on and the reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <time.h>

#include <unicode/ucal.h>
#include <unicode/uenum.h>
#include <unicode/ustring.h>

#include "ical_int.h"

#define ICAL_MAX_CALENDARS	64	/* VCALENDARs in one file */

struct scan {
	int	*vevent_lines;	/* line of each BEGIN:VEVENT, in order */
	size_t	 nvevents;
};

/*
 * Check the structure line by line (content lines, balanced BEGIN/END,
 * one VCALENDAR) so that errors can name a line, and note where each
 * VEVENT starts.
 */
static int
scan_text(const char *text, size_t len, struct scan *sc,
    struct qrm_error *err)
{
	char		 stack[16][32];
	int		 depth = 0, line = 0, ncal = 0, *nl;
	const char	*p = text, *eol, *colon;
	size_t		 n, bad;

	if (utf8_check(text, len, &bad) == -1) {
		for (p = text; p < text + bad; p++)
			if (*p == '\n')
				line++;
		return qrm_seterr(err, QRM_EINVAL, "file",
		    "line %d: text is not valid UTF-8", line + 1);
	}
	while (p < text + len) {
		line++;
		eol = memchr(p, '\n', (size_t)(text + len - p));
		n = eol ? (size_t)(eol - p) : (size_t)(text + len - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0 || p[0] == ' ' || p[0] == '\t')
			goto next;	/* blank or a folded continuation */
		if ((colon = memchr(p, ':', n)) == NULL)
			return qrm_seterr(err, QRM_EINVAL, "file", "line %d: "
			    "not an iCalendar content line (no ':')", line);
		if (n > 6 && strncasecmp(p, "BEGIN:", 6) == 0) {
			if (depth == 16)
				return qrm_seterr(err, QRM_EINVAL, "file",
				    "line %d: components nested too deep",
				    line);
			snprintf(stack[depth], sizeof(stack[depth]), "%.*s",
			    (int)(n - 6), p + 6);
			if (depth == 0 && strcasecmp(stack[0], "VCALENDAR"))
				return qrm_seterr(err, QRM_EINVAL, "file",
				    "line %d: expected BEGIN:VCALENDAR", line);
			if (depth == 0 && ++ncal > ICAL_MAX_CALENDARS)
				return qrm_seterr(err, QRM_ETOOBIG, "file",
				    "line %d: more than %d VCALENDARs in one "
				    "file", line, ICAL_MAX_CALENDARS);
			if (strcasecmp(stack[depth], "VEVENT") == 0) {
				if ((nl = realloc(sc->vevent_lines,
				    (sc->nvevents + 1) * sizeof(*nl))) == NULL)
					return qrm_seterr(err, QRM_ESYS, "",
					    "out of memory");
				sc->vevent_lines = nl;
				nl[sc->nvevents++] = line;
			}
			depth++;
		} else if (n > 4 && strncasecmp(p, "END:", 4) == 0) {
			if (depth == 0 || (size_t)(n - 4) !=
			    strlen(stack[depth - 1]) || strncasecmp(p + 4,
			    stack[depth - 1], n - 4) != 0)
				return qrm_seterr(err, QRM_EINVAL, "file",
				    "line %d: END:%.*s does not close "
				    "BEGIN:%s", line, (int)(n - 4) > 40 ? 40 :
				    (int)(n - 4), p + 4, depth ?
				    stack[depth - 1] : "(nothing)");
			depth--;
		} else if (depth == 0)
			return qrm_seterr(err, QRM_EINVAL, "file",
			    "line %d: content outside BEGIN:VCALENDAR", line);
next:
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	if (ncal == 0)
		return qrm_seterr(err, QRM_EINVAL, "file",
		    "no BEGIN:VCALENDAR found");
	if (depth != 0)
		return qrm_seterr(err, QRM_EINVAL, "file", "line %d: the file "
		    "ends inside BEGIN:%s (truncated?)", line,
		    stack[depth - 1]);
	return QRM_OK;
}

/* The first parse error libical left in c (or a child), or NULL. */
static const char *
lic_error(icalcomponent *c)
{
	icalproperty	*p;
	icalcomponent	*sub;
	const char	*msg;

	for (p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		msg = icalproperty_get_xlicerror(p);
		/* an empty value ("DESCRIPTION:", as Google writes): none */
		if (msg != NULL && strncmp(msg, "No value for ", 13) == 0)
			continue;
		return msg;
	}
	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	    sub != NULL;
	    sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		if ((msg = lic_error(sub)) != NULL)
			return msg;
	return NULL;
}

static const char *
x_value(icalcomponent *c, const char *name)
{
	icalproperty	*p;

	for (p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY))
		if (strcasecmp(icalproperty_get_x_name(p), name) == 0)
			return icalproperty_get_x(p);
	return NULL;
}

static const char *
tzid_of(icalproperty *p)
{
	icalparameter	*par;

	par = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	return par ? icalparameter_get_tzid(par) : NULL;
}

/*
 * The IANA zone with the same rules as a zone a file defines (its
 * offsets at noon of every week of year are the same): of those, the
 * one whose city the TZID's text names first ("(UTC+00:00) Dublin,
 * Edinburgh, Lisbon, London": Europe/Dublin), or else the first.  ""
 * when none has the same rules.
 */
static void
iana_like(icaltimezone *custom, const char *text, int year, char *out,
    size_t sz)
{
	icaltimetype	 t;
	UEnumeration	*en;
	UErrorCode	 status = U_ZERO_ERROR;
	icaltimezone	*z;
	const char	*id, *city, *at;
	int		 offs[53], i, dst, raw = 0, same;
	size_t		 best = (size_t)-1;

	out[0] = '\0';
	for (i = 0; i < 53; i++) {
		t = icaltime_from_day_of_year(1 + i * 7 > 365 ? 365 : 1 + i * 7,
		    year);
		t.is_date = 0;
		t.hour = 12;
		offs[i] = icaltimezone_get_utc_offset(custom, &t, &dst);
		if (i == 0 || offs[i] < raw)
			raw = offs[i];
	}
	raw *= 1000;
	if ((en = ucal_openTimeZoneIDEnumeration(
	    UCAL_ZONE_TYPE_CANONICAL_LOCATION, NULL, &raw, &status)) == NULL ||
	    U_FAILURE(status))
		return;
	while ((id = uenum_next(en, NULL, &status)) != NULL &&
	    U_SUCCESS(status)) {
		if ((z = ical_zone(id)) == NULL)
			continue;
		for (i = 0, same = 1; i < 53 && same; i++) {
			t = icaltime_from_day_of_year(1 + i * 7 > 365 ? 365 :
			    1 + i * 7, year);
			t.is_date = 0;
			t.hour = 12;
			same = icaltimezone_get_utc_offset(z, &t, &dst) ==
			    offs[i];
		}
		if (!same)
			continue;
		city = strrchr(id, '/') ? strrchr(id, '/') + 1 : id;
		at = strstr(text, city);
		if (out[0] == '\0' || (at != NULL && (size_t)(at - text) <
		    best)) {
			snprintf(out, sz, "%s", id);
			if (at != NULL)
				best = (size_t)(at - text);
		}
	}
	uenum_close(en);
}

/*
 * The zone a TZID names, as the apps write them: an IANA name (with or
 * without libical's prefix), a Windows name as Outlook and Exchange
 * write ("GMT Standard Time": ICU's CLDR table turns it into IANA), or
 * a zone the file defines itself (a VTIMEZONE of cal; iana is then "").
 * NULL when none of these.
 */
static int
year_now(void)
{
	time_t		 t = time(NULL);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

static icaltimezone *
zone_of(icalcomponent *cal, const char *tzid, char *iana, size_t sz)
{
	icaltimezone	*z;
	UChar		 win[128], id[128];
	UErrorCode	 status = U_ZERO_ERROR;
	int32_t		 n;

	iana[0] = '\0';
	if (strncmp(tzid, "/freeassociation.sourceforge.net/", 33) == 0)
		tzid += 33;
	if ((z = ical_zone(tzid)) != NULL) {
		snprintf(iana, sz, "%s", tzid);
		return z;
	}
	u_uastrncpy(win, tzid, (int32_t)(sizeof(win) / sizeof(win[0]) - 1));
	win[sizeof(win) / sizeof(win[0]) - 1] = 0;
	n = ucal_getTimeZoneIDForWindowsID(win, -1, NULL, id,
	    (int32_t)(sizeof(id) / sizeof(id[0])), &status);
	if (U_SUCCESS(status) && n > 0 && n < (int32_t)sz) {
		u_austrncpy(iana, id, (int32_t)sz - 1);
		iana[sz - 1] = '\0';
		if ((z = ical_zone(iana)) != NULL)
			return z;
		iana[0] = '\0';
	}
	if (cal == NULL || (z = icalcomponent_get_timezone(cal, tzid)) == NULL)
		return NULL;
	/* a zone the file defines: the IANA zone with its rules, if any */
	iana_like(z, tzid, year_now(), iana, sz);
	if (iana[0] != '\0' && ical_zone(iana) != NULL)
		return ical_zone(iana);
	iana[0] = '\0';
	return z;
}

/*
 * Convert a DTSTART/DTEND/EXDATE/RECURRENCE-ID value into the event's
 * zone as local text; floating times are in the calendar's zone.
 */
static int
time_to_local(icalcomponent *cal, icalproperty *p, icaltimetype t,
    const char *ev_tz, const char *floating, char *out, size_t sz,
    struct qrm_error *err, int line)
{
	icaltimezone	*from, *to;
	const char	*tzid = tzid_of(p);
	char		 iana[64];

	if (t.is_date || icaltime_is_null_time(t)) {
		ical_time_to_local(t, out, sz);
		return icaltime_is_null_time(t) ? qrm_seterr(err, QRM_EINVAL,
		    "file", "line %d: a date cannot be read", line) : 0;
	}
	to = ical_zone(ev_tz);
	if (tzid != NULL) {
		if ((from = zone_of(cal, tzid, iana, sizeof(iana))) == NULL)
			return qrm_seterr(err, QRM_EINVAL, "file", "line %d: "
			    "unknown time zone '%s' (neither IANA, Windows, nor "
			    "defined in the file)", line, tzid);
	} else if (icaltime_is_utc(t))
		from = icaltimezone_get_utc_timezone();
	else
		from = ical_zone(floating);	/* floating */
	t.zone = NULL;
	t = icaltime_convert_to_zone(icaltime_set_timezone(&t, from), to);
	ical_time_to_local(t, out, sz);
	return 0;
}

/* A UID for an event that has none: the same for the same event. */
static char *
derived_uid(const char *start, const char *summary)
{
	uint64_t	 h = 1469598103934665603ULL;
	const char	*p;
	char		 uid[64];

	for (p = start; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ '\n') * 1099511628211ULL;
	for (p = summary ? summary : ""; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	snprintf(uid, sizeof(uid), "import-%016llx@quorum",
	    (unsigned long long)h);
	return strdup(uid);
}

static int
event_from_vevent(icalcomponent *cal, icalcomponent *c,
    const char *default_tz, int line, struct event *ev,
    struct qrm_error *err)
{
	char			 iana[64];
	icalproperty		*p, *ps, *pe;
	icaltimetype		 ts, te;
	struct icaldurationtype	 dur;
	const char		*tzid, *v, *x;
	char			*rr, local[LOCAL_TIME_LEN];
	int			 kind;
	int64_t			 n;

	event_init(ev);
	if ((ps = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY))
	    == NULL)
		return qrm_seterr(err, QRM_EINVAL, "file",
		    "line %d: VEVENT has no DTSTART", line);
	ts = icalproperty_get_dtstart(ps);
	tzid = tzid_of(ps);
	iana[0] = '\0';
	if (!ts.is_date && tzid != NULL && zone_of(cal, tzid, iana,
	    sizeof(iana)) == NULL)
		return qrm_seterr(err, QRM_EINVAL, "file", "line %d: unknown "
		    "time zone '%s' (neither IANA, Windows, nor defined in the "
		    "file)", line, tzid);
	/* a zone the file defines is read in the calendar's own zone */
	ev->tzid = strdup(ts.is_date || tzid == NULL || iana[0] == '\0' ?
	    default_tz : iana);
	ev->all_day = ts.is_date;
	if (time_to_local(cal, ps, ts, ev->tzid, default_tz, ev->start,
	    sizeof(ev->start), err, line) != 0)
		return QRM_EINVAL;
	if ((pe = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY))
	    != NULL) {
		te = icalproperty_get_dtend(pe);
		if (te.is_date != ts.is_date)
			return qrm_seterr(err, QRM_EINVAL, "file", "line %d: "
			    "DTSTART and DTEND are of different types", line);
		if (te.is_date)	/* exclusive in iCalendar, inclusive here */
			te = icaltime_add(te, icaldurationtype_from_int(-86400));
		if (time_to_local(cal, pe, te, ev->tzid, default_tz, ev->end,
		    sizeof(ev->end), err, line) != 0)
			return QRM_EINVAL;
	} else if ((p = icalcomponent_get_first_property(c,
	    ICAL_DURATION_PROPERTY)) != NULL) {
		dur = icalproperty_get_duration(p);
		ical_time_from_local(ev->start, &te);
		te = icaltime_add(te, dur);
		if (ts.is_date)
			te = icaltime_add(te, icaldurationtype_from_int(-86400));
		ical_time_to_local(te, ev->end, sizeof(ev->end));
	} else
		memcpy(ev->end, ev->start, sizeof(ev->end));
	if (ev->all_day && strcmp(ev->end, ev->start) < 0)
		memcpy(ev->end, ev->start, sizeof(ev->end));

	if ((v = icalcomponent_get_uid(c)) != NULL && *v != '\0')
		ev->uid = strdup(v);
	v = icalcomponent_get_summary(c);
	ev->title = strdup(v && *v ? v : "(untitled)");
	if ((v = icalcomponent_get_description(c)) != NULL && *v != '\0')
		ev->description = strdup(v);
	if ((v = icalcomponent_get_location(c)) != NULL && *v != '\0')
		ev->location = strdup(v);
	if ((p = icalcomponent_get_first_property(c, ICAL_URL_PROPERTY)) !=
	    NULL && (v = icalproperty_get_url(p)) != NULL && *v != '\0')
		ev->url = strdup(v);
	if ((p = icalcomponent_get_first_property(c, ICAL_ORGANIZER_PROPERTY))
	    != NULL && (v = icalproperty_get_organizer(p)) != NULL) {
		if (strncasecmp(v, "mailto:", 7) == 0)
			v += 7;
		ev->organizer = strdup(v);
	} else if ((x = x_value(c, "X-QUORUM-ORGANIZER")) != NULL)
		ev->organizer = strdup(x);
	switch (icalcomponent_get_status(c)) {
	case ICAL_STATUS_CANCELLED:
		ev->status = EVSTATUS_CANCELLED;
		break;
	case ICAL_STATUS_TENTATIVE:
		ev->status = EVSTATUS_TENTATIVE;
		break;
	default:
		ev->status = EVSTATUS_CONFIRMED;
		break;
	}
	if ((p = icalcomponent_get_first_property(c, ICAL_SEQUENCE_PROPERTY))
	    != NULL && icalproperty_get_sequence(p) > 0)
		ev->sequence = icalproperty_get_sequence(p);
	if ((p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY)) !=
	    NULL) {
		struct icalrecurrencetype r = icalproperty_get_rrule(p);

		if ((rr = icalrecurrencetype_as_string_r(&r)) == NULL)
			return qrm_seterr(err, QRM_EINVAL, "file",
			    "line %d: RRULE cannot be read", line);
		ev->rrule = strdup(rr);
		free(rr);
	}
	for (p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY);
	    p != NULL;
	    p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
		icaltimetype ex = icalproperty_get_exdate(p);

		if (time_to_local(cal, p, ex, ev->tzid, default_tz, local,
		    sizeof(local), err, line) != 0)
			return QRM_EINVAL;
		if (ev->all_day)
			local[10] = '\0';
		if (!strv_contains(&ev->exdates, local))
			strv_push(&ev->exdates, local);
	}
	kind = model_enum_parse(event_kind_names, KIND__MAX,
	    x_value(c, "X-QUORUM-KIND"));
	ev->kind = kind < 0 ? KIND_OTHER : (enum event_kind)kind;
	if ((x = x_value(c, "X-QUORUM-CAPACITY")) != NULL &&
	    parse_int64(x, &n) == 0 && n > 0 && n < 1000000)
		ev->capacity = (int)n;
	if ((x = x_value(c, "X-QUORUM-QUORUM")) != NULL &&
	    parse_int64(x, &n) == 0 && n > 0 && n < 1000000)
		ev->quorum = (int)n;
	if ((x = x_value(c, "X-QUORUM-AUDIENCES")) != NULL)
		strv_split(&ev->audiences, x, ',');
	if ((p = icalcomponent_get_first_property(c, ICAL_CREATED_PROPERTY))
	    != NULL)
		ev->created = (int64_t)icaltime_as_timet_with_zone(
		    icalproperty_get_created(p), icaltimezone_get_utc_timezone());
	if ((p = icalcomponent_get_first_property(c,
	    ICAL_LASTMODIFIED_PROPERTY)) != NULL)
		ev->updated = (int64_t)icaltime_as_timet_with_zone(
		    icalproperty_get_lastmodified(p),
		    icaltimezone_get_utc_timezone());
	else if ((p = icalcomponent_get_first_property(c,
	    ICAL_DTSTAMP_PROPERTY)) != NULL)
		ev->updated = (int64_t)icaltime_as_timet_with_zone(
		    icalproperty_get_dtstamp(p),
		    icaltimezone_get_utc_timezone());
	if (ev->uid == NULL)	/* some apps write none */
		ev->uid = derived_uid(ev->start, ev->title);
	if (ev->uid == NULL || ev->tzid == NULL || ev->title == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	return QRM_OK;
}

/*
 * Parse text (len bytes, need not be NUL-terminated) into *out, the
 * caller frees it.  Each event's src_line is where its VEVENT begins.
 * A VEVENT with RECURRENCE-ID (one changed occurrence) becomes an
 * EXDATE of its series and an event of its own.
 */
static int
import_parse(const char *text, size_t len, const char *default_tz,
    struct event_list *out, struct qrm_error *err)
{
	struct scan	 sc = { NULL, 0 };
	icalcomponent	*root = NULL, *c, *cal;
	const char	*wr, *cal_tz;
	icalproperty	*rid;
	struct event	*v;
	struct strv	 overrides = { 0 };	/* "uid\nlocal" pairs */
	char		*copy = NULL, *pair, local[LOCAL_TIME_LEN];
	const char	*msg;
	size_t		 i, k, idx = 0, len_uid;
	int		 rc, line;

	memset(out, 0, sizeof(*out));
	if (len > ICAL_MAX_IMPORT_BYTES)
		return qrm_seterr(err, QRM_ETOOBIG, "file", "the calendar is "
		    "larger than %u bytes", ICAL_MAX_IMPORT_BYTES);
	if ((rc = scan_text(text, len, &sc, err)) != QRM_OK)
		goto out;
	if ((copy = strndup(text, len)) == NULL) {
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		goto out;
	}
	if ((root = icalparser_parse_string(copy)) == NULL) {
		rc = qrm_seterr(err, QRM_EINVAL, "file",
		    "the calendar cannot be parsed");
		goto out;
	}
	if ((v = calloc(sc.nvevents ? sc.nvevents : 1, sizeof(*v))) == NULL) {
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		goto out;
	}
	out->v = v;
	/*
	 * Several VCALENDARs in one file (some apps concatenate them) come
	 * as children of one root; each has its own X-WR-TIMEZONE for its
	 * floating times (Google Calendar's exports).
	 */
	cal = icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT ? root :
	    icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
	for (; cal != NULL; cal = cal == root ? NULL :
	    icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
	for (c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT),
	    wr = x_value(cal, "X-WR-TIMEZONE"), cal_tz = wr != NULL &&
	    ical_zone(wr) != NULL ? wr : default_tz;
	    c != NULL;
	    c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		line = idx < sc.nvevents ? sc.vevent_lines[idx] : 0;
		idx++;
		if (out->n == sc.nvevents) {
			rc = qrm_seterr(err, QRM_EINVAL, "file",
			    "the calendar's events cannot be counted");
			goto out;
		}
		if ((msg = lic_error(c)) != NULL) {
			rc = qrm_seterr(err, QRM_EINVAL, "file",
			    "line %d: %s", line, msg);
			goto out;
		}
		if ((rc = event_from_vevent(cal, c, cal_tz, line,
		    &out->v[out->n], err)) != QRM_OK) {
			event_clear(&out->v[out->n]);
			goto out;
		}
		out->v[out->n].src_line = line;
		rid = icalcomponent_get_first_property(c,
		    ICAL_RECURRENCEID_PROPERTY);
		if (rid != NULL) {
			struct event	*ov = &out->v[out->n];
			char		*uid;

			/* on failure ov is not counted yet: free it here */
			if ((rc = time_to_local(cal, rid,
			    icalproperty_get_recurrenceid(rid), ov->tzid,
			    cal_tz, local, sizeof(local), err, line)) != 0) {
				event_clear(ov);
				goto out;
			}
			len_uid = strlen(ov->uid) + LOCAL_TIME_LEN + 2;
			if ((uid = malloc(len_uid)) == NULL ||
			    (pair = malloc(len_uid)) == NULL) {
				free(uid);
				event_clear(ov);
				rc = qrm_seterr(err, QRM_ESYS, "",
				    "out of memory");
				goto out;
			}
			snprintf(pair, len_uid, "%s\n%s", ov->uid, local);
			rc = strv_push(&overrides, pair);
			free(pair);
			snprintf(uid, len_uid, "%s-%s", ov->uid, local);
			free(ov->uid);
			ov->uid = uid;
			free(ov->rrule);
			ov->rrule = NULL;
			if (rc == -1) {
				event_clear(ov);
				rc = qrm_seterr(err, QRM_ESYS, "",
				    "out of memory");
				goto out;
			}
		}
		out->n++;
	}
	if (out->n == 0 && sc.nvevents > 0) {
		rc = qrm_seterr(err, QRM_EINVAL, "file",
		    "line %d: no event could be read", sc.vevent_lines[0]);
		goto out;
	}
	/* each changed occurrence leaves its series as an EXDATE */
	for (i = 0; i < overrides.n; i++) {
		pair = strchr(overrides.v[i], '\n');
		*pair++ = '\0';
		for (k = 0; k < out->n; k++)
			if (strcmp(out->v[k].uid, overrides.v[i]) == 0 &&
			    out->v[k].rrule != NULL &&
			    !strv_contains(&out->v[k].exdates, pair))
				strv_push(&out->v[k].exdates, pair);
	}
	rc = QRM_OK;
out:
	if (rc != QRM_OK)
		event_list_free(out);
	icalcomponent_free(root);
	free(copy);
	free(sc.vevent_lines);
	strv_free(&overrides);
	return rc;
}

/* Under the layer's lock: see ical_time.c. */
int
ical_import_parse(const char *text, size_t len, const char *default_tz,
    struct event_list *out, struct qrm_error *err)
{
	int	rc;

	ical_lock();
	rc = import_parse(text, len, default_tz, out, err);
	ical_unlock();
	return rc;
}
