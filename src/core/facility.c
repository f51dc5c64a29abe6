/*
 * facility.c: facility time.  Public-sector employers publish each year
 * the paid time their union officials spend on union duties (the Trade
 * Union (Facility Time Publication Requirements) Regulations 2017), and
 * reps ask their managers for time off for each duty (TULRCA 1992,
 * s.168).  quorum adds up each rep's and official's hours from the
 * meetings they attended (present) or hosted, with preparation and
 * travel per kind, and works out the return's figures: the number of
 * officials, their full-time equivalent, and how many spent 0 %,
 * 1-50 %, 51-99 % and 100 % of their working hours on duties.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

#define FULL_TIME	37.0	/* hours a week, unless configured */

/* The duties the return and the page group kinds into, in their order. */
const char *const facility_duties[FACILITY_NDUTIES] = { "Employer meetings",
    "JES panels", "Workshops and briefings", "Training", "Other duties" };
static const int	duty_of[KIND__MAX] = {
	[KIND_WORKSHOP] = 2,
	[KIND_JES_PANEL] = 1,
	[KIND_EMPLOYER_MEETING] = 0,
	[KIND_MEMBER_BRIEFING] = 2,
	[KIND_JOINT_UNION_MEETING] = 0,
	[KIND_AWAY_DAY] = 3,
	[KIND_OTHER] = 4,
};

/* Preparation and travel before a meeting of each kind, in hours. */
static const double	prep_default[KIND__MAX][2] = {
	[KIND_WORKSHOP] = { 1, 0 },
	[KIND_JES_PANEL] = { 2, 0.5 },
	[KIND_EMPLOYER_MEETING] = { 1, 0.5 },
	[KIND_MEMBER_BRIEFING] = { 0.5, 0 },
	[KIND_JOINT_UNION_MEETING] = { 1, 0.5 },
	[KIND_AWAY_DAY] = { 0, 1 },
	[KIND_OTHER] = { 0, 0 },
};

/*
 * The preparation and travel hours of kind: $QUORUM_FACILITY_<KIND>
 * ("PREP,TRAVEL", [facility] of quorum.conf), else the defaults above.
 */
void
core_facility_extra(enum event_kind kind, double *prep, double *travel)
{
	char		 env[64];
	const char	*v;
	size_t		 i;
	double		 p, t;

	*prep = prep_default[kind][0];
	*travel = prep_default[kind][1];
	snprintf(env, sizeof(env), "QUORUM_FACILITY_%s",
	    event_kind_names[kind]);
	for (i = 16; env[i] != '\0'; i++)
		env[i] = (char)(env[i] >= 'a' && env[i] <= 'z' ? env[i] - 32 :
		    env[i]);
	if ((v = getenv(env)) != NULL && sscanf(v, "%lf,%lf", &p, &t) == 2 &&
	    p >= 0 && t >= 0 && p <= 24 && t <= 24) {
		*prep = p;
		*travel = t;
	}
}

/* Full time, hours a week: $QUORUM_FULL_TIME_HOURS, else 37. */
static double
full_time(void)
{
	const char	*v = getenv("QUORUM_FULL_TIME_HOURS");
	double		 h;

	if (v != NULL && (h = strtod(v, NULL)) > 0 && h <= 80)
		return h;
	return FULL_TIME;
}

struct tally {
	const struct member	*m;
	double			 hours[KIND__MAX];
	double			 total;
};

static int
by_name(const void *a, const void *b)
{
	const struct tally	*x = a, *y = b;
	int			 c = strcasecmp(x->m->name, y->m->name);

	return c ? c : (x->m->id > y->m->id) - (x->m->id < y->m->id);
}

/* The band of the return a percentage falls in. */
static const char *
band(double total, double percent)
{
	if (total <= 0)
		return "0%";
	if (percent <= 50)
		return "1-50%";
	if (percent < 100)
		return "51-99%";
	return "100%";
}

static double
hundredths(double x)
{
	return (double)(int64_t)(x * 100 + (x < 0 ? -0.5 : 0.5)) / 100;
}

/*
 * Facility time between the dates from and to (inclusive, in Europe/
 * London) for every rep and official, or one member (member > 0).
 * Officials see everyone's; a member their own.  *out:
 * {"from", "to", "full_time_hours", "members": [{"member_id", "name",
 * "role", "contract_hours", "hours": {kind: h}, "duties": {duty: h},
 * "total", "percent", "band"}], "return": {"officials", "fte",
 * "bands": {"0%", "1-50%", "51-99%", "100%"}}}.
 */
int
core_facility_time(struct qrm *q, const struct actor *a, const char *from,
    const char *to, int64_t member, json_t **out, struct qrm_error *err)
{
	struct store		*st;
	struct member_list	 ml;
	struct event_list	 evs;
	struct event_filter	 f;
	struct attendance_list	 present;
	struct occurrence	*occ;
	struct tally		*t = NULL, *x;
	json_t			*rows, *bands, *hours, *duties;
	const char		*duty;
	double			 ft = full_time(), fte = 0, weeks, prep, travel;
	double			 dur, contract, pct;
	int64_t			 f0, t0, id;
	size_t			 i, j, k, n = 0, nocc;
	int			 rc;

	*out = NULL;
	if (member != a->member && (rc = core_require_role(a, ROLE_OFFICIAL,
	    err)) != QRM_OK)
		return rc;
	if (from == NULL || to == NULL || strlen(from) != 10 ||
	    strlen(to) != 10)
		return qrm_seterr(err, QRM_EINVAL, from == NULL || strlen(from)
		    != 10 ? "from" : "to", "give the period as two dates, "
		    "YYYY-MM-DD (the return's year: 1 April to 31 March)");
	if ((rc = core_time_bound(from, QRM_DEFAULT_TZ, 0, &f0, err,
	    "from")) != QRM_OK || (rc = core_time_bound(to, QRM_DEFAULT_TZ, 1,
	    &t0, err, "to")) != QRM_OK)
		return rc;
	if (t0 <= f0)
		return qrm_seterr(err, QRM_EINVAL, "to", "to must not be "
		    "before from");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_member_list(st, NULL, -1, 1, &ml, err)) != QRM_OK)
		return rc;
	if ((t = calloc(ml.n ? ml.n : 1, sizeof(*t))) == NULL) {
		member_list_free(&ml);
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	/* the union's officials: reps and up (and a member asked about) */
	for (i = 0; i < ml.n; i++)
		if ((member == 0 && ml.v[i].role >= ROLE_REP &&
		    ml.v[i].active) || (member != 0 && ml.v[i].id == member))
			t[n++].m = &ml.v[i];
	if (member != 0 && n == 0) {
		rc = qrm_seterr(err, QRM_ENOTFOUND, "member", "no member %lld",
		    (long long)member);
		goto out;
	}
	memset(&f, 0, sizeof(f));
	f.from_utc = f0;
	f.to_utc = t0;
	f.kind = -1;
	f.cancelled_since = INT64_MAX;	/* cancelled meetings took no time */
	f.now = INT64_MAX;
	if ((rc = store_event_list(st, &f, &evs, err)) != QRM_OK)
		goto out;
	for (i = 0; i < evs.n && rc == QRM_OK; i++) {
		const struct event *ev = &evs.v[i];

		if (ev->status == EVSTATUS_CANCELLED)
			continue;
		if ((rc = store_attendance_list(st, ev->id, NULL, NULL,
		    "present", &present, err)) != QRM_OK)
			break;
		occ = NULL;
		if (ical_event_occurrences(ev, f0, t0, &occ, &nocc, NULL) !=
		    QRM_OK)
			nocc = 0;
		core_facility_extra(ev->kind, &prep, &travel);
		for (j = 0; j < nocc; j++) {
			/* an occurrence counts if it starts in the period */
			if (occ[j].start_utc < f0 || occ[j].start_utc >= t0)
				continue;
			dur = (double)(occ[j].end_utc - occ[j].start_utc) /
			    3600;
			for (k = 0; k < n; k++) {
				const char	*key = ev->rrule ? occ[j].start :
						    "";
				char		 mid[32];
				size_t		 p;
				int		 there = 0;

				snprintf(mid, sizeof(mid), "%lld",
				    (long long)t[k].m->id);
				there = strv_contains(&ev->hosts, mid);
				for (p = 0; p < present.n && !there; p++)
					there = present.v[p].member ==
					    t[k].m->id && strcmp(
					    present.v[p].occurrence, key) == 0;
				if (!there)
					continue;
				contract = t[k].m->contract_hours > 0 ?
				    t[k].m->contract_hours : ft;
				/* all day: a working day of their contract */
				x = &t[k];
				x->hours[ev->kind] += (ev->all_day ? dur / 24 *
				    contract / 5 : dur) + prep + travel;
			}
		}
		free(occ);
		attendance_list_free(&present);
	}
	event_list_free(&evs);
	if (rc != QRM_OK)
		goto out;
	if (n > 1)
		qsort(t, n, sizeof(*t), by_name);
	weeks = (double)(t0 - f0) / (7 * 86400.0);
	rows = json_array();
	bands = json_pack("{s:i, s:i, s:i, s:i}", "0%", 0, "1-50%", 0,
	    "51-99%", 0, "100%", 0);
	for (k = 0; k < n; k++) {
		x = &t[k];
		contract = x->m->contract_hours > 0 ? x->m->contract_hours : ft;
		hours = json_object();
		duties = json_object();
		for (i = 0; i < KIND__MAX; i++) {
			x->total += x->hours[i];
			if (x->hours[i] <= 0)
				continue;
			json_object_set_new(hours, event_kind_names[i],
			    json_real(hundredths(x->hours[i])));
			duty = facility_duties[duty_of[i]];
			json_object_set_new(duties, duty, json_real(hundredths(
			    json_real_value(json_object_get(duties, duty)) +
			    x->hours[i])));
		}
		pct = x->total / (contract * weeks) * 100;
		fte += contract / ft;
		json_object_set_new(bands, band(x->total, pct), json_integer(
		    json_integer_value(json_object_get(bands, band(x->total,
		    pct))) + 1));
		id = x->m->id;
		json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:f, "
		    "s:o, s:o, s:f, s:f, s:s}", "member_id", (json_int_t)id,
		    "name", x->m->name, "role", role_names[x->m->role],
		    "contract_hours", contract, "hours", hours, "duties",
		    duties, "total", hundredths(x->total), "percent",
		    hundredths(pct), "band", band(x->total, pct)));
	}
	*out = json_pack("{s:s, s:s, s:f, s:o, s:{s:I, s:f, s:o}}", "from",
	    from, "to", to, "full_time_hours", ft, "members", rows, "return",
	    "officials", (json_int_t)n, "fte", hundredths(fte), "bands",
	    bands);
out:
	free(t);
	member_list_free(&ml);
	return rc;
}

/* The report as CSV: member_id,name,kind,hours, a row a member and kind. */
char *
core_facility_csv(const json_t *report)
{
	struct buf	 b = { 0 };
	const json_t	*row, *h;
	const char	*kind, *name, *p;
	size_t		 i;

	buf_puts(&b, "member_id,name,kind,hours\r\n");
	json_array_foreach(json_object_get(report, "members"), i, row) {
		name = json_string_value(json_object_get(row, "name"));
		json_object_foreach((json_t *)json_object_get(row, "hours"),
		    kind, h) {
			buf_printf(&b, "%lld,\"", (long long)json_integer_value(
			    json_object_get(row, "member_id")));
			/* a spreadsheet must not read a name as a formula */
			if (name != NULL && strchr("=+-@", *name) != NULL &&
			    *name != '\0')
				buf_puts(&b, "'");
			for (p = name; p != NULL && *p != '\0'; p++) {
				if (*p == '"')
					buf_puts(&b, "\"\"");
				else
					buf_printf(&b, "%c", *p);
			}
			buf_printf(&b, "\",%s,%.2f\r\n", kind,
			    json_real_value(h));
		}
	}
	return buf_detach(&b);
}

/*
 * A request to a line manager for paid time off for one meeting (the
 * date key of a series, or its next date; the meeting for a one-off):
 * its words into *letter (the caller frees it), with the hours it takes
 * (the meeting, preparation and travel).  With manager set, it is sent
 * there through the outbox, and a copy to the member.  Reps and
 * officials, for meetings they may see.
 */
int
core_time_off(struct qrm *q, const struct actor *a, int64_t id,
    const char *date, const char *manager, char **letter,
    struct qrm_error *err)
{
	struct store		*st;
	struct event		 ev, view;
	struct member		 m;
	struct occurrence	 o, *next = NULL;
	struct mail		 mail;
	struct buf		 b = { 0 };
	char			 subject[300], key[LOCAL_TIME_LEN];
	double			 prep, travel, dur;
	size_t			 n = 0;
	int			 rc, cancelled;

	*letter = NULL;
	if ((rc = core_require_role(a, ROLE_REP, err)) != QRM_OK)
		return rc;
	if ((rc = core_event_get(q, a, id, &ev, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL ||
	    (rc = store_member_get(st, a->member, &m, err)) != QRM_OK) {
		event_clear(&ev);
		return st == NULL ? QRM_EDB : rc;
	}
	memset(&o, 0, sizeof(o));
	if (ev.status == EVSTATUS_CANCELLED)
		rc = qrm_seterr(err, QRM_ECONFLICT, "event", "the meeting is "
		    "cancelled");
	else if (ev.rrule == NULL) {
		o.start_utc = ev.start_utc;
		o.end_utc = ev.end_utc;
		memcpy(o.start, ev.start, LOCAL_TIME_LEN);
	} else if (date != NULL && *date != '\0') {
		core_local_normal(date, ev.all_day, key);
		if ((rc = core_occurrence_find(&ev, key, &o, &cancelled,
		    err)) == QRM_OK && cancelled)
			rc = qrm_seterr(err, QRM_ECONFLICT, "date", "that date "
			    "is cancelled");
	} else if (ical_event_occurrences(&ev, (int64_t)time(NULL), 0, &next,
	    &n, err) != QRM_OK || n == 0)
		rc = qrm_seterr(err, QRM_ECONFLICT, "date", "no date of this "
		    "series is still to come");
	else
		o = next[0];
	free(next);
	if (manager != NULL && rc == QRM_OK && (strchr(manager, '@') == NULL ||
	    strpbrk(manager, " <>,;\r\n") != NULL || strlen(manager) > 254))
		rc = qrm_seterr(err, QRM_EINVAL, "manager", "give your "
		    "manager's e-mail address");
	if (rc != QRM_OK)
		goto out;
	core_occurrence_view(&ev, &o, &view);
	core_facility_extra(ev.kind, &prep, &travel);
	dur = (double)(o.end_utc - o.start_utc) / 3600;
	if (ev.all_day)
		dur = dur / 24 * (m.contract_hours > 0 ? m.contract_hours :
		    full_time()) / 5;
	buf_printf(&b, "Request for paid time off for union duties\n\n"
	    "From:   %s%s%s, %s\n\n", m.name, m.number ? ", membership "
	    "number " : "", m.number ? m.number : "", m.role == ROLE_REP ?
	    "union workplace representative" : "union official");
	buf_puts(&b, "I ask for paid time off to carry out my duties as a "
	    "union representative, under section 168 of the Trade Union and "
	    "Labour Relations (Consolidation) Act 1992 and the Acas Code of "
	    "Practice on time off for trade union duties and activities.\n\n");
	buf_printf(&b, "What:   %s (%s)\n", ev.title,
	    event_kind_labels[ev.kind]);
	core_meeting_words(&b, &view, NULL);
	buf_printf(&b, "\nTime needed: %.1f hours in all: %.1f the meeting, "
	    "%.1f preparation, %.1f travel.\n\nPlease tell me if this is a "
	    "problem, so that we can arrange cover.\n\n%s\n", dur + prep +
	    travel, dur, prep, travel, m.name);
	if (manager != NULL) {
		snprintf(subject, sizeof(subject), "Time off request: %s, "
		    "%.10s", ev.title, view.start);
		memset(&mail, 0, sizeof(mail));
		mail.kind = "time-off";
		mail.subject = subject;
		mail.body = b.p;
		mail.created = (int64_t)time(NULL);
		if ((rc = store_tx_begin(st, err)) != QRM_OK)
			goto out;
		mail.recipient = (char *)manager;
		mail.name = NULL;
		if ((rc = store_outbox_add(st, &mail, err)) == QRM_OK) {
			/* and a copy for the member's own records */
			mail.member = m.id;
			mail.recipient = m.email;
			mail.name = m.name;
			rc = store_outbox_add(st, &mail, err);
		}
		if (rc == QRM_OK)
			rc = store_tx_commit(st, err);
		else
			store_tx_rollback(st);
	}
	if (rc == QRM_OK)
		*letter = buf_detach(&b);
out:
	buf_free(&b);
	member_clear(&m);
	event_clear(&ev);
	return rc;
}
