/*
 * schedule.c: who is busy when, and the times when everyone is free.
 * A member is busy at every occurrence of a meeting that books them (as
 * host, organiser, or with a place: as clash.c counts it); a room at
 * every occurrence of a meeting in it.  Free times are proposed inside
 * everyone's working hours (Mon-Fri 09:00-17:00 in Europe/London unless
 * a member says otherwise), never on a bank holiday of England and
 * Wales (data/bank-holidays-england-and-wales.txt, compiled in), and in
 * local time, so the clock change moves nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

#define SLOT_STEP	15		/* minutes between candidate starts */
#define SLOTS_MAX	10		/* proposals */
#define SPAN_MAX_DAYS	366

extern const unsigned char	core_bank_holidays[];
extern const size_t		core_bank_holidays_len;

static const char *const day_names[] = { "sun", "mon", "tue", "wed", "thu",
	"fri", "sat" };

static int
day_of(const char *s, size_t len)
{
	int	i;

	for (i = 0; i < 7; i++)
		if (len == 3 && strncasecmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

/*
 * "Mon-Fri 09:00-17:00", or several such parts separated by ';' ("Mon,
 * Wed 10:00-15:00; Thu 09:00-12:30"), into w (may be NULL: a check).
 * Minutes after midnight for each day (0 Sunday), -1 when not working.
 */
int
work_hours_parse(const char *s, struct work_week *w)
{
	struct work_week	 tmp;
	const char		*p = s, *end;
	int			 d0, d1, d, h0, m0, h1, m1, n, days[7], any = 0;

	if (w == NULL)
		w = &tmp;
	for (d = 0; d < 7; d++)
		w->from[d] = w->to[d] = -1;
	while (*p != '\0') {
		memset(days, 0, sizeof(days));
		while (*p == ' ' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		/* the days */
		for (;;) {
			for (end = p; isalpha((unsigned char)*end); end++)
				;
			if ((d0 = day_of(p, (size_t)(end - p))) < 0)
				return -1;
			d1 = d0;
			p = end;
			if (*p == '-') {
				for (end = ++p; isalpha((unsigned char)*end);
				    end++)
					;
				if ((d1 = day_of(p, (size_t)(end - p))) < 0)
					return -1;
				p = end;
			}
			for (d = d0;; d = (d + 1) % 7) {
				days[d] = 1;
				if (d == d1)
					break;
			}
			if (*p != ',')
				break;
			p++;
			while (*p == ' ')
				p++;
		}
		/* the hours */
		if (sscanf(p, " %2d:%2d-%2d:%2d%n", &h0, &m0, &h1, &m1, &n) !=
		    4 || h0 > 24 || h1 > 24 || m0 > 59 || m1 > 59 ||
		    h0 * 60 + m0 >= h1 * 60 + m1 || h1 * 60 + m1 > 24 * 60)
			return -1;
		p += n;
		for (d = 0; d < 7; d++)
			if (days[d]) {
				w->from[d] = h0 * 60 + m0;
				w->to[d] = h1 * 60 + m1;
			}
		any = 1;
		while (*p == ' ')
			p++;
		if (*p != ';' && *p != '\0')
			return -1;
	}
	return any ? 0 : -1;
}

/* Is the local date (YYYY-MM-DD) a bank holiday in England and Wales? */
int
core_bank_holiday(const char *date)
{
	const char	*p = (const char *)core_bank_holidays;
	const char	*end = p + core_bank_holidays_len, *nl;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (*p != '#' && nl - p >= 10 && strncmp(p, date, 10) == 0)
			return 1;
	}
	return 0;
}

/* The years the holiday file covers: slots are not found beyond it. */
static void
holiday_years(int *first, int *last)
{
	const char	*p = (const char *)core_bank_holidays;
	const char	*end = p + core_bank_holidays_len, *nl;
	int		 y;

	*first = 9999;
	*last = 0;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (*p != '#' && sscanf(p, "%4d-", &y) == 1) {
			*first = y < *first ? y : *first;
			*last = y > *last ? y : *last;
		}
	}
}

/* One busy time of one person (or room). */
struct busy {
	int64_t	 start, end;	/* UTC */
	int64_t	 event;
};

struct busy_list {
	struct busy	*v;
	size_t		 n, cap;
};

static int
busy_add(struct busy_list *l, int64_t start, int64_t end, int64_t event)
{
	struct busy	*v;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		if ((v = reallocarray(l->v, l->cap, sizeof(*v))) == NULL)
			return -1;
		l->v = v;
	}
	l->v[l->n].start = start;
	l->v[l->n].end = end;
	l->v[l->n++].event = event;
	return 0;
}

static int
busy_cmp(const void *a, const void *b)
{
	const struct busy	*x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The occurrences of event e member has a place at ("" for all). */
struct places {
	struct strv	occ;
	int		all;
};

static int
place_of(void *arg, int64_t member, const char *occurrence)
{
	struct places	*p = arg;

	(void)member;
	if (occurrence == NULL || *occurrence == '\0')
		p->all = 1;
	else
		strv_push(&p->occ, occurrence);
	return 0;
}

/*
 * The busy times within from..to (UTC) of the n members of mv and of
 * room (either may be none), together, into l: one query for them all.
 */
static int
busy_of(struct store *st, const struct member *mv, size_t n, const char *room,
    int64_t from, int64_t to, struct busy_list *l, struct qrm_error *err)
{
	struct event_list	 evs;
	struct occurrence	*o;
	struct places		 pl;
	json_t			*jp = json_array(), *je = json_array();
	char			*people, *emails, id[24];
	size_t			 i, j, k, no;
	int			 rc, whole;

	for (i = 0; i < n; i++) {
		json_array_append_new(jp, json_integer(mv[i].id));
		json_array_append_new(je, json_string(mv[i].email));
	}
	people = json_dumps(jp, JSON_COMPACT);
	emails = json_dumps(je, JSON_COMPACT);
	json_decref(jp);
	json_decref(je);
	if (people == NULL || emails == NULL) {
		free(people);
		free(emails);
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	rc = store_event_clashes(st, 0, from, to, people, emails, room, &evs,
	    err);
	for (i = 0; rc == QRM_OK && i < evs.n; i++) {
		const struct event *e = &evs.v[i];

		/* booked for every date (host, organiser, the room) or some */
		whole = room != NULL && e->room != NULL && strcmp(room,
		    e->room) == 0;
		for (k = 0; k < n && !whole; k++) {
			snprintf(id, sizeof(id), "%lld", (long long)mv[k].id);
			whole = strv_contains(&e->hosts, id) ||
			    (e->organizer != NULL && strcasecmp(e->organizer,
			    mv[k].email) == 0);
		}
		memset(&pl, 0, sizeof(pl));
		if (!whole && store_event_booked(st, e->id, people, place_of,
		    &pl, NULL) == QRM_OK)
			whole = pl.all;
		o = NULL;
		if (ical_event_occurrences(e, from, to, &o, &no, NULL) ==
		    QRM_OK)
			for (j = 0; j < no && rc == QRM_OK; j++)
				if ((whole || strv_contains(&pl.occ,
				    o[j].start)) && busy_add(l, o[j].start_utc,
				    o[j].end_utc, e->id) == -1)
					rc = qrm_seterr(err, QRM_ESYS, "",
					    "out of memory");
		free(o);
		strv_free(&pl.occ);
	}
	event_list_free(&evs);
	free(people);
	free(emails);
	return rc;
}

/* The people of a request: ids, each an active member; at most 50. */
static int
members_of(struct store *st, const struct strv *ids, struct member_list *out,
    struct qrm_error *err)
{
	int64_t	id;
	size_t	i;

	memset(out, 0, sizeof(*out));
	if (ids->n == 0 || ids->n > 50)
		return qrm_seterr(err, QRM_EINVAL, "members", "name from 1 to 50 "
		    "members");
	if ((out->v = calloc(ids->n, sizeof(*out->v))) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	for (i = 0; i < ids->n; i++) {
		if (parse_int64(ids->v[i], &id) == -1 || store_member_get(st, id,
		    &out->v[out->n], NULL) != QRM_OK || !out->v[out->n].active) {
			if (out->n < ids->n && out->v[out->n].id != 0)
				out->n++;
			member_list_free(out);
			return qrm_seterr(err, QRM_EINVAL, "members", "no active "
			    "member '%s'", ids->v[i]);
		}
		out->n++;
	}
	return QRM_OK;
}

/* from..to as local dates in tz: UTC bounds, the whole of both days. */
static int
span_of(const char *from, const char *to, const char *tz, int days,
    char dfrom[11], char dto[11], int64_t *ufrom, int64_t *uto,
    struct qrm_error *err)
{
	char	today[11];
	time_t	t;
	int	rc;

	core_today(today, sizeof(today));
	snprintf(dfrom, 11, "%s", from && *from ? from : today);
	if (to && *to)
		snprintf(dto, 11, "%s", to);
	else {
		struct tm	tm;

		memset(&tm, 0, sizeof(tm));
		if (sscanf(dfrom, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon,
		    &tm.tm_mday) != 3)
			return qrm_seterr(err, QRM_EINVAL, "from", "from must "
			    "be a date YYYY-MM-DD");
		tm.tm_year -= 1900;
		tm.tm_mon--;
		tm.tm_hour = 12;
		t = timegm(&tm) + (time_t)days * 86400;
		strftime(dto, 11, "%Y-%m-%d", gmtime(&t));
	}
	if (strlen(dfrom) != 10 || strlen(dto) != 10)
		return qrm_seterr(err, QRM_EINVAL, "from", "from and to must be "
		    "dates YYYY-MM-DD");
	if ((rc = core_time_bound(dfrom, tz, 0, ufrom, err, "from")) ||
	    (rc = core_time_bound(dto, tz, 1, uto, err, "to")))
		return rc;
	if (*uto <= *ufrom)
		return qrm_seterr(err, QRM_EINVAL, "to", "to must not be before "
		    "from");
	if (*uto - *ufrom > (int64_t)SPAN_MAX_DAYS * 86400)
		return qrm_seterr(err, QRM_EINVAL, "to", "ask for at most %d "
		    "days at once", SPAN_MAX_DAYS);
	return QRM_OK;
}

static json_t *
local_json(int64_t utc, const char *tz)
{
	char	local[LOCAL_TIME_LEN];

	ical_utc_to_local(utc, tz, local, sizeof(local));
	return json_string(local);
}

/*
 * Busy times of members (ids) between the dates from and to in tz:
 * {"tz", "from", "to", "items": [{"member", "name", "busy": [{"start",
 * "end", "event", "title"}]}]}, the event and title only of meetings
 * the caller may see (reps and officials: a rep sees that a member is
 * busy, not with what, outside the meetings of their own audiences).
 */
int
core_freebusy(struct qrm *q, const struct actor *a, const struct strv *ids,
    const char *from, const char *to, const char *tz, json_t **out,
    struct qrm_error *err)
{
	struct store		*st;
	struct member_list	 ml;
	struct busy_list	 bl;
	struct event		 ev;
	char			 dfrom[11], dto[11];
	int64_t			 ufrom, uto;
	json_t			*items, *busy, *b;
	size_t			 i, j;
	int			 rc;

	*out = NULL;
	if (tz == NULL || *tz == '\0')
		tz = QRM_DEFAULT_TZ;
	if ((rc = core_require_role(a, ROLE_REP, err)) != QRM_OK)
		return rc;
	if (!ical_tz_known(tz))
		return qrm_seterr(err, QRM_EINVAL, "tz", "unknown time zone "
		    "'%s'", tz);
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = span_of(from, to, tz, 7, dfrom, dto, &ufrom, &uto, err)) ||
	    (rc = members_of(st, ids, &ml, err)))
		return rc;
	items = json_array();
	for (i = 0; i < ml.n && rc == QRM_OK; i++) {
		memset(&bl, 0, sizeof(bl));
		if ((rc = busy_of(st, &ml.v[i], 1, NULL, ufrom, uto, &bl,
		    err)) != QRM_OK)
			break;
		if (bl.n > 1)
			qsort(bl.v, bl.n, sizeof(*bl.v), busy_cmp);
		busy = json_array();
		for (j = 0; j < bl.n; j++) {
			b = json_pack("{s:o, s:o, s:I, s:I}", "start",
			    local_json(bl.v[j].start, tz), "end", local_json(
			    bl.v[j].end, tz), "start_utc", (json_int_t)
			    bl.v[j].start, "end_utc", (json_int_t)bl.v[j].end);
			if (core_event_get(q, a, bl.v[j].event, &ev, NULL) ==
			    QRM_OK) {
				json_object_set_new(b, "event",
				    json_integer(ev.id));
				json_object_set_new(b, "title",
				    json_string(ev.title));
				event_clear(&ev);
			}
			json_array_append_new(busy, b);
		}
		free(bl.v);
		json_array_append_new(items, json_pack("{s:I, s:s, s:o}",
		    "member", (json_int_t)ml.v[i].id, "name", ml.v[i].name,
		    "busy", busy));
	}
	member_list_free(&ml);
	if (rc != QRM_OK) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:s, s:s, s:s, s:I, s:I, s:o}", "tz", tz, "from",
	    dfrom, "to", dto, "from_utc", (json_int_t)ufrom, "to_utc",
	    (json_int_t)uto, "items", items);
	return QRM_OK;
}

/* The same busy times as VFREEBUSY components (iCalendar). */
int
core_freebusy_ics(struct qrm *q, const struct actor *a,
    const struct strv *ids, const char *from, const char *to,
    struct buf *out, struct qrm_error *err)
{
	json_t	*fb;
	int	 rc;

	if ((rc = core_freebusy(q, a, ids, from, to, NULL, &fb, err)) !=
	    QRM_OK)
		return rc;
	rc = ical_freebusy(json_object_get(fb, "items"), json_integer_value(
	    json_object_get(fb, "from_utc")), json_integer_value(
	    json_object_get(fb, "to_utc")), out, err);
	json_decref(fb);
	return rc;
}

/* "PT2H", "PT90M", "PT1H30M" as minutes; -1 if it is not one. */
static int
duration_minutes(const char *s)
{
	int	h = 0, m = 0, n, v;

	if (s == NULL || strncmp(s, "PT", 2) != 0)
		return -1;
	for (s += 2; *s != '\0'; s += n + 1) {
		if (sscanf(s, "%d%n", &v, &n) != 1 || v < 0)
			return -1;
		if (s[n] == 'H' && m == 0 && h == 0)
			h = v;
		else if (s[n] == 'M' && m == 0)
			m = v;
		else
			return -1;
	}
	return h * 60 + m;
}

/*
 * The earliest times, at most SLOTS_MAX, when all of members (ids) and
 * the room (or NULL) are free for duration ("PT2H"), between the dates
 * from and to: inside everyone's working hours, on no bank holiday.
 * {"tz", "duration", "items": [{"start", "end"}]} in local times.
 */
int
core_slots(struct qrm *q, const struct actor *a, const struct strv *ids,
    const char *duration, const char *from, const char *to,
    const char *room, json_t **out, struct qrm_error *err)
{
	struct store		*st;
	struct member_list	 ml;
	struct busy_list	 bl;
	struct work_week	 w, all;
	struct room_list	 rl;
	const char		*tz = QRM_DEFAULT_TZ;
	char			 dfrom[11], dto[11], day[11], local[32];
	char			 gap[40];
	int64_t			 ufrom, uto, s, e, now = (int64_t)time(NULL);
	json_t			*items;
	struct tm		 tm;
	time_t			 t;
	size_t			 i, j;
	int			 rc, mins, d, wd, m, y0, y1, known;

	*out = NULL;
	if ((rc = core_require_role(a, ROLE_REP, err)) != QRM_OK)
		return rc;
	if ((mins = duration_minutes(duration)) < 15 || mins > 12 * 60)
		return qrm_seterr(err, QRM_EINVAL, "duration", "duration must "
		    "be from PT15M to PT12H, such as PT2H or PT1H30M");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (room != NULL && *room != '\0') {
		if ((rc = store_room_list(st, &rl, err)) != QRM_OK)
			return rc;
		for (i = 0, known = 0; i < rl.n; i++)
			known |= strcmp(rl.v[i].slug, room) == 0;
		room_list_free(&rl);
		if (!known)
			return qrm_seterr(err, QRM_EINVAL, "room", "no room '%s'",
			    room);
	} else
		room = NULL;
	if ((rc = span_of(from, to, tz, 28, dfrom, dto, &ufrom, &uto, err)) ||
	    (rc = members_of(st, ids, &ml, err)))
		return rc;
	/* everyone's hours: the time all of them work, day by day */
	work_hours_parse(WORK_HOURS_DEFAULT, &all);
	memset(&bl, 0, sizeof(bl));
	for (i = 0; i < ml.n && rc == QRM_OK; i++) {
		if (ml.v[i].work_hours == NULL ||
		    work_hours_parse(ml.v[i].work_hours, &w) == -1)
			work_hours_parse(WORK_HOURS_DEFAULT, &w);
		for (d = 0; d < 7; d++) {
			if (i == 0) {
				all.from[d] = w.from[d];
				all.to[d] = w.to[d];
			} else if (w.from[d] < 0 || all.from[d] < 0) {
				all.from[d] = all.to[d] = -1;
			} else {
				all.from[d] = w.from[d] > all.from[d] ?
				    w.from[d] : all.from[d];
				all.to[d] = w.to[d] < all.to[d] ? w.to[d] :
				    all.to[d];
			}
		}
	}
	if (rc == QRM_OK)
		rc = busy_of(st, ml.v, ml.n, room, ufrom, uto, &bl, err);
	member_list_free(&ml);
	if (rc != QRM_OK) {
		free(bl.v);
		return rc;
	}
	if (bl.n > 1)
		qsort(bl.v, bl.n, sizeof(*bl.v), busy_cmp);
	holiday_years(&y0, &y1);
	items = json_array();
	memset(&tm, 0, sizeof(tm));
	sscanf(dfrom, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tm.tm_year -= 1900;
	tm.tm_mon--;
	tm.tm_hour = 12;
	for (t = timegm(&tm); json_array_size(items) < SLOTS_MAX; t += 86400) {
		strftime(day, sizeof(day), "%Y-%m-%d", gmtime(&t));
		if (strcmp(day, dto) > 0)
			break;
		wd = gmtime(&t)->tm_wday;
		if (all.from[wd] < 0 || core_bank_holiday(day) ||
		    atoi(day) < y0 || atoi(day) > y1)
			continue;
		for (m = all.from[wd]; m + mins <= all.to[wd] &&
		    json_array_size(items) < SLOTS_MAX; m += SLOT_STEP) {
			snprintf(local, sizeof(local), "%sT%02d:%02d:00", day,
			    m / 60, m % 60);
			if (ical_local_to_utc(local, tz, &s) != 0 ||
			    !ical_local_exists(local, tz, gap, gap + 20,
			    20))
				continue;	/* in the hour the clocks skip */
			e = s + (int64_t)mins * 60;
			if (s < now)
				continue;
			for (j = 0; j < bl.n && bl.v[j].start < e; j++)
				if (bl.v[j].end > s && bl.v[j].start < e)
					break;
			if (j < bl.n && bl.v[j].start < e)
				continue;
			json_array_append_new(items, json_pack("{s:s, s:o}",
			    "start", local, "end", local_json(e, tz)));
			m += mins - SLOT_STEP;	/* the next after this one */
		}
	}
	free(bl.v);
	*out = json_pack("{s:s, s:s, s:s, s:s, s:o}", "tz", tz, "duration",
	    duration, "from", dfrom, "to", dto, "items", items);
	return QRM_OK;
}
