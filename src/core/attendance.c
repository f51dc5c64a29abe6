/*
 * attendance.c: invitations, RSVPs, apologies, check-in and attendance
 * lists.  Attendance reveals union membership: every read of a list and
 * every write goes to the audit log, and reps see only their scopes.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

/* An answer or attendance as JSON; the rest of a record is read-only. */
static const struct field attendance_fields[] = {
	{ "occurrence", FT_LOCAL, 0, 0, 0, NULL, 0 },
	{ "rsvp", FT_ENUM, 0, 0, 0, rsvp_names, RSVP__MAX },
	{ "status", FT_ENUM, 0, 0, 0, att_status_names, ATT__MAX },
	{ "reason", FT_TEXT, FF_NULLABLE | FF_MULTILINE, 0, 500, NULL, 0 },
	{ "force", FT_BOOL, 0, 0, 0, NULL, 0 },
	{ "key", FT_TEXT, 0, 8, 80, NULL, 0 },
	{ "member", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "name", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "number", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "waitlisted", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "waiting_position", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "checked_in_at", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "late", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "recorded_by", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "recorded_at", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ NULL, 0, 0, 0, 0, NULL, 0 }
};

/* A check-in: members by number or id, now. */
static const struct field checkin_fields[] = {
	{ "occurrence", FT_LOCAL, FF_NULLABLE, 0, 0, NULL, 0 },
	{ "numbers", FT_TEXTS, 0, 0, 32, NULL, 0 },
	{ "members", FT_IDS, 0, 0, 0, NULL, 0 },
	{ "force", FT_BOOL, 0, 0, 0, NULL, 0 },
	{ "key", FT_TEXT, 0, 8, 70, NULL, 0 },
	{ NULL, 0, 0, 0, 0, NULL, 0 }
};

static int	attendance_list(struct qrm *, const struct actor *, int64_t,
		    const char *, const char *, const char *,
		    struct attendance_list *, json_t **, int,
		    struct qrm_error *);

/*
 * A read is logged once in READ_LOG_EVERY seconds for one reader, one
 * record and one kind of read: a rep with the door page open, which
 * refreshes every 15 seconds, is one line, not 240 an hour; and a page
 * view costs no disk write while it is not the first.  The slots are
 * this process's (the command line logs every read).
 */
#define READ_LOG_EVERY	600
#define READ_LOG_SLOTS	512
static struct {
	uint64_t	key;
	int64_t		at;
} read_log[READ_LOG_SLOTS];
static pthread_mutex_t	read_log_mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t
read_key(const struct actor *a, const char *object, const char *detail)
{
	const char	*parts[3] = { a->name ? a->name : "", object, detail };
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */
	const char	*p;
	size_t		 i;

	for (i = 0; i < 3; i++) {
		for (p = parts[i]; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ '\n') * 1099511628211ULL;
	}
	return h | 1;
}

/*
 * A place freed at an occurrence of ev (starting at start, UTC): offered
 * by e-mail to the first on the waiting list, held for them for
 * $QUORUM_OFFER_HOURS (48), or half the time left before the meeting
 * when that is shorter, or until it starts when that is in under two
 * hours (inside the caller's transaction).  *member is whom (0: none).
 */
static int
offer_next(struct qrm *q, struct store *st, const struct event *ev,
    const char *occurrence, int64_t start, int64_t *member,
    struct qrm_error *err)
{
	struct member	 m;
	struct mail	 mail;
	const char	*env = getenv("QUORUM_OFFER_HOURS");
	char		 secret[CORE_SECRET_LEN + 1], hash[65], subject[400];
	char		 when[LOCAL_TIME_LEN];
	struct buf	 b = { 0 };
	int64_t		 now = (int64_t)time(NULL), until, hours = 48;
	int		 rc;

	*member = 0;
	if (start <= now)
		return QRM_OK;		/* it has begun: no offer now */
	if (env != NULL && parse_int64(env, &hours) == -1)
		hours = 48;
	until = now + hours * 3600;
	if (until > now + (start - now) / 2)
		until = now + (start - now) / 2;
	if (start - now < 2 * 3600)
		until = start;
	core_secret_new(secret, hash);
	if ((rc = store_attendance_promote(st, ev->id, occurrence, until, hash,
	    member, err)) != QRM_OK || *member == 0)
		return rc;
	if (store_member_get(st, *member, &m, NULL) != QRM_OK)
		return QRM_OK;
	ical_utc_to_local(until, ev->tzid, when, sizeof(when));
	buf_printf(&b, "Dear %s,\n\nA place has freed at %s (%s), and it is "
	    "yours if you want it.\n\nTake it by %.10s at %.5s (%s time):\n\n"
	    "  %s/offers/%s\n\nIf you do not, it passes to the next person "
	    "waiting.\n\n-- \nquorum\n", m.name, ev->title, occurrence[0] ?
	    occurrence : ev->start, when, when + 11, ev->tzid,
	    qrm_base_url(q), secret);
	snprintf(subject, sizeof(subject), "A place is yours: %s", ev->title);
	memset(&mail, 0, sizeof(mail));
	mail.kind = "offer";
	mail.member = m.id;
	mail.recipient = m.email;
	mail.name = m.name;
	mail.subject = subject;
	mail.body = b.p;
	mail.created = now;
	rc = store_outbox_add(st, &mail, err);
	buf_free(&b);
	member_clear(&m);
	return rc;
}

/* Record a read of attendance data in the audit log, on its own. */
static int
audit_read(struct store *st, const struct actor *a, const char *object,
    const char *detail, struct qrm_error *err)
{
	uint64_t	 key = read_key(a, object, detail);
	int64_t		 now = (int64_t)time(NULL);
	size_t		 slot = key % READ_LOG_SLOTS;
	int		 rc, recent;

	pthread_mutex_lock(&read_log_mu);
	recent = read_log[slot].key == key && now - read_log[slot].at <
	    READ_LOG_EVERY;
	pthread_mutex_unlock(&read_log_mu);
	if (recent)
		return QRM_OK;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_audit_add(st, a->name, "attendance.read", object,
	    detail, err)) != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	if ((rc = store_tx_commit(st, err)) == QRM_OK) {
		pthread_mutex_lock(&read_log_mu);
		read_log[slot].key = key;
		read_log[slot].at = now;
		pthread_mutex_unlock(&read_log_mu);
	}
	return rc;
}

/* Is ev within the scopes of rep m (an audience in or below a scope)? */
static int
rep_covers(struct store *st, const struct member *m, const struct event *ev)
{
	struct strv	below = { 0 };
	size_t		i;
	int		yes = 0;

	for (i = 0; i < m->scopes.n; i++)
		store_audience_descendants(st, m->scopes.v[i], &below, NULL);
	for (i = 0; i < ev->audiences.n && !yes; i++)
		yes = strv_contains(&below, ev->audiences.v[i]);
	strv_free(&below);
	return yes;
}

/*
 * May the actor see and record the attendance of others at ev?
 * Officials: always; reps: events of their scopes; members: never.
 */
static int
may_manage(struct qrm *q, const struct actor *a, const struct event *ev)
{
	struct store	*st;
	struct member	 m;
	int		 yes;

	if (a->role >= ROLE_OFFICIAL)
		return 1;
	if (a->role != ROLE_REP || (st = qrm_store(q, NULL)) == NULL ||
	    store_member_get(st, a->member, &m, NULL) != QRM_OK)
		return 0;
	yes = rep_covers(st, &m, ev);
	member_clear(&m);
	return yes;
}

/*
 * Check and normalise an occurrence of ev: "" for a one-off event; for
 * a series, the local start of one of its occurrences.  *start_utc is
 * when that occurrence starts.
 */
static int
occurrence_check(const struct event *ev, const char *occ, char *out,
    int64_t *start_utc, int writing, struct qrm_error *err)
{
	struct occurrence	 o;
	char			 local[LOCAL_TIME_LEN];
	int			 cancelled;

	if (ev->rrule == NULL) {
		if (occ != NULL && *occ != '\0' && strcmp(occ, ev->start) != 0)
			return qrm_seterr(err, QRM_EINVAL, "occurrence",
			    "event %lld happens once, at %s", (long long)
			    ev->id, ev->start);
		out[0] = '\0';
		*start_utc = ev->start_utc;
		return QRM_OK;
	}
	if (occ == NULL || *occ == '\0')
		return qrm_seterr(err, QRM_EINVAL, "occurrence", "event %lld "
		    "repeats: say which occurrence (its local start time)",
		    (long long)ev->id);
	core_local_normal(occ, ev->all_day, local);
	if (core_occurrence_find(ev, local, &o, &cancelled, NULL) != QRM_OK)
		return qrm_seterr(err, QRM_EINVAL, "occurrence", "'%s' is not "
		    "an occurrence of event %lld", occ, (long long)ev->id);
	if (cancelled && writing)
		return qrm_seterr(err, QRM_ECONFLICT, "occurrence", "the date "
		    "%s of this series was cancelled", local);
	memcpy(out, local, LOCAL_TIME_LEN);
	*start_utc = o.start_utc;	/* where it now is */
	return QRM_OK;
}

/* A list as the API shows it: {"items": [...]}. */
json_t *
attendance_list_json(const struct attendance_list *l)
{
	json_t	*items = json_array();
	size_t	 i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(items, attendance_to_json(&l->v[i]));
	return json_pack("{s:o}", "items", items);
}

/* The record as the API shows it. */
json_t *
attendance_to_json(const struct attendance *a)
{
	char	checked[32], recorded[32], offer[32];
	json_t	*o;

	utc_format(a->checked_in_at, checked, sizeof(checked));
	utc_format(a->recorded_at, recorded, sizeof(recorded));
	utc_format(a->offered_until, offer, sizeof(offer));
	o = json_pack("{s:I, s:s?, s:s?, s:s, s:s, s:b, s:o, s:s, s:s?, "
	    "s:o, s:b, s:o, s:s}", "member", (json_int_t)a->member, "name",
	    a->name, "number", a->number, "occurrence", a->occurrence,
	    "rsvp", rsvp_names[a->rsvp], "waitlisted", a->waitlisted,
	    "waiting_position", a->wait_position ?
	    json_integer(a->wait_position) : json_null(),
	    "status", att_status_names[a->status], "reason", a->reason,
	    "checked_in_at", a->checked_in_at ? json_string(checked) :
	    json_null(), "late", a->late,
	    "recorded_by", a->recorded_by ? json_integer(a->recorded_by) :
	    json_null(), "recorded_at", recorded);
	/* a freed place held for them until then, to take or leave */
	if (o != NULL && a->waitlisted && a->offered_until > (int64_t)
	    time(NULL))
		json_object_set_new(o, "offered_until", json_string(offer));
	return o;
}

/*
 * Record member's RSVP and/or attendance at an occurrence of event id
 * from JSON {occurrence, rsvp, status, reason}.  A member may answer
 * for themselves (RSVP, apologies); reps in scope and officials for
 * anyone.  Accepting beyond capacity waits; a freed place goes to whoever
 * waited longest.  *out is the record as it now stands.
 */
int
core_attendance_set(struct qrm *q, const struct actor *a, int64_t id,
    int64_t member, const json_t *o, struct attendance *out,
    struct qrm_error *err)
{
	struct store		*st;
	struct event		 ev;
	struct member		 m;
	struct attendance	 rec, old;
	const char		*occ = NULL, *key;
	json_t			*v;
	char			 object[32], detail[96];
	int64_t			 start_utc = 0, places, promoted;
	int			 rc, rsvp, status, had_place, self, again;
	int			 offered = 0;

	memset(out, 0, sizeof(*out));
	memset(&rec, 0, sizeof(rec));
	event_init(&ev);
	memset(&m, 0, sizeof(m));
	if ((rc = fields_check(o, attendance_fields, 0, err)) != QRM_OK)
		return rc;
	occ = json_string_value(json_object_get(o, "occurrence"));
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_event_get(st, id, &ev, err)) != QRM_OK)
		goto fail;
	if (store_member_get(st, member, &m, NULL) != QRM_OK || !m.active) {
		rc = qrm_seterr(err, QRM_EINVAL, "member", "no active member "
		    "%lld", (long long)member);
		goto fail;
	}
	self = a->member != 0 && a->member == member;
	if (self && !may_manage(q, a, &ev)) {
		struct event	seen;

		/* answering needs an event of one's own audiences */
		if ((rc = core_event_get(q, a, id, &seen, err)) != QRM_OK)
			goto fail;
		event_clear(&seen);
	}
	if (!self && !may_manage(q, a, &ev)) {
		struct event	seen;

		/* one rule: an event you may not see is not found (404) */
		if ((rc = core_event_get(q, a, id, &seen, err)) != QRM_OK)
			goto fail;
		event_clear(&seen);
		rc = qrm_seterr(err, QRM_EFORBIDDEN, "", a->role == ROLE_REP ?
		    "this event is outside your scopes" :
		    "you may record only your own answer");
		goto fail;
	}
	if (ev.status == EVSTATUS_CANCELLED) {
		rc = qrm_seterr(err, QRM_ECONFLICT, "event", "event %lld is "
		    "cancelled", (long long)id);
		goto fail;
	}
	if ((rc = occurrence_check(&ev, occ, rec.occurrence, &start_utc, 1,
	    err)) != QRM_OK)
		goto fail;
	/*
	 * A change sent again with its key (a phone at the door retrying
	 * after it lost its signal) is answered, not applied twice: an
	 * "undo" sent in between would otherwise be overwritten.
	 */
	if ((key = json_string_value(json_object_get(o, "key"))) != NULL) {
		if ((rc = store_request_key(st, key, (int64_t)time(NULL),
		    &again, err)) != QRM_OK)
			goto fail;
		if (again) {
			store_tx_rollback(st);
			if ((rc = store_attendance_get(st, id, rec.occurrence,
			    member, out, NULL)) != QRM_OK) {
				memset(out, 0, sizeof(*out));
				out->event = id;
				out->member = member;
				snprintf(out->occurrence, LOCAL_TIME_LEN, "%s",
				    rec.occurrence);
				rc = QRM_OK;
			}
			out->late = out->checked_in_at > start_utc &&
			    start_utc > 0;
			goto out;
		}
	}
	if (store_attendance_get(st, id, rec.occurrence, member, &old,
	    NULL) == QRM_OK) {
		rec.rsvp = old.rsvp;
		rec.waitlisted = old.waitlisted;
		rec.rsvp_at = old.rsvp_at;
		rec.status = old.status;
		rec.reason = old.reason;
		old.reason = NULL;
		rec.checked_in_at = old.checked_in_at;
		offered = old.waitlisted && old.offered_until > (int64_t)
		    time(NULL);
		attendance_clear(&old);
	}
	/* a place held for them by an offer is theirs to take or leave */
	had_place = rec.rsvp == RSVP_ACCEPTED && (!rec.waitlisted || offered);
	rsvp = (int)rec.rsvp;
	status = (int)rec.status;
	fields_enum(o, attendance_fields, "rsvp", &rsvp);
	fields_enum(o, attendance_fields, "status", &status);
	if (self && !may_manage(q, a, &ev) && status != (int)rec.status &&
	    status != ATT_APOLOGIES) {
		rc = qrm_seterr(err, QRM_EFORBIDDEN, "status", "a rep or an "
		    "official records attendance; you may send apologies");
		goto fail;
	}
	if ((v = json_object_get(o, "reason")) != NULL) {
		free(rec.reason);
		rec.reason = json_is_null(v) || json_string_length(v) == 0 ?
		    NULL : strdup(json_string_value(v));
	}
	/*
	 * Who came is known at the door: present or absent recorded more
	 * than a day before the meeting is a mistake (the wrong event or
	 * date) unless forced.
	 */
	if ((status == ATT_PRESENT || status == ATT_ABSENT) &&
	    status != (int)rec.status && start_utc - (int64_t)time(NULL) >
	    86400 && !json_is_true(json_object_get(o, "force"))) {
		rc = qrm_seterr(err, QRM_EINVAL, "status", "event %lld starts "
		    "%s %s, more than a day from now: attendance is recorded "
		    "at the meeting (force it with \"force\": true, or "
		    "--force)", (long long)id, rec.occurrence[0] ?
		    rec.occurrence : ev.start, ev.tzid);
		goto fail;
	}
	if ((enum rsvp)rsvp != rec.rsvp)
		rec.rsvp_at = (int64_t)time(NULL);
	rec.rsvp = (enum rsvp)rsvp;
	if ((enum att_status)status == ATT_PRESENT && rec.status !=
	    ATT_PRESENT)
		rec.checked_in_at = (int64_t)time(NULL);
	if ((enum att_status)status != ATT_PRESENT)
		rec.checked_in_at = 0;
	rec.status = (enum att_status)status;
	if (rec.status != ATT_APOLOGIES && rec.status != ATT_ABSENT &&
	    json_object_get(o, "reason") == NULL) {
		free(rec.reason);
		rec.reason = NULL;
	}
	/* a place, or the waiting list */
	if (rec.rsvp == RSVP_ACCEPTED && offered)
		rec.waitlisted = 0;	/* the offer taken */
	else if (rec.rsvp == RSVP_ACCEPTED && !had_place) {
		rec.waitlisted = 0;
		if (ev.capacity > 0 && store_attendance_places(st, id,
		    rec.occurrence, &places) == QRM_OK && places >= ev.capacity)
			rec.waitlisted = 1;
	} else if (rec.rsvp != RSVP_ACCEPTED)
		rec.waitlisted = 0;
	rec.event = id;
	rec.member = member;
	rec.recorded_by = a->member;
	rec.recorded_at = (int64_t)time(NULL);
	if ((rc = store_attendance_put(st, &rec, err)) != QRM_OK)
		goto fail;
	if (had_place && rec.rsvp != RSVP_ACCEPTED &&
	    (rc = offer_next(q, st, &ev, rec.occurrence, start_utc, &promoted,
	    err)) != QRM_OK)
		goto fail;
	snprintf(object, sizeof(object), "event/%lld", (long long)id);
	snprintf(detail, sizeof(detail), "member/%lld %s rsvp=%s status=%s",
	    (long long)member, rec.occurrence, rsvp_names[rec.rsvp],
	    att_status_names[rec.status]);
	if ((rc = store_audit_add(st, a->name, "attendance.set", object,
	    detail, err)) != QRM_OK)
		goto fail;
	if ((rc = store_tx_commit(st, err)) != QRM_OK)
		goto out;
	if (store_attendance_get(st, id, rec.occurrence, member, out,
	    NULL) == QRM_OK)
		out->late = out->checked_in_at > start_utc && start_utc > 0;
	goto out;
fail:
	store_tx_rollback(st);
out:
	attendance_clear(&rec);
	event_clear(&ev);
	member_clear(&m);
	return rc;
}

/*
 * The attendance list of event id (reps in scope and officials; a
 * member gets only their own records), filtered by occurrence, rsvp and
 * status.  The read itself is audited.
 */
int
core_attendance_list(struct qrm *q, const struct actor *a, int64_t id,
    const char *occurrence, const char *rsvp, const char *status,
    struct attendance_list *out, json_t **quorum, struct qrm_error *err)
{
	return attendance_list(q, a, id, occurrence, rsvp, status, out,
	    quorum, 1, err);
}

/*
 * core_attendance_list(), its read audited when audit is set (not for
 * the counts the door answers a change with: the rep's own change).
 */
static int
attendance_list(struct qrm *q, const struct actor *a, int64_t id,
    const char *occurrence, const char *rsvp, const char *status,
    struct attendance_list *out, json_t **quorum, int audit,
    struct qrm_error *err)
{
	struct attendance_list	 present = { 0 };
	int64_t			 start = 0, *start_utc = &start;
	struct store	*st;
	struct event	 ev;
	char		 occ[LOCAL_TIME_LEN], object[32];
	size_t		 i, keep;
	int		 rc, all;

	memset(out, 0, sizeof(*out));
	*start_utc = 0;
	if (quorum != NULL)
		*quorum = NULL;
	if (rsvp != NULL && *rsvp != '\0' && model_enum_parse(rsvp_names,
	    RSVP__MAX, rsvp) < 0)
		return qrm_seterr(err, QRM_EINVAL, "rsvp", "rsvp must be "
		    "invited, accepted, declined or tentative");
	if (status != NULL && *status != '\0' && model_enum_parse(
	    att_status_names, ATT__MAX, status) < 0)
		return qrm_seterr(err, QRM_EINVAL, "status", "status must be "
		    "unknown, present, absent or apologies");
	if ((rc = core_event_get(q, a, id, &ev, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL) {
		event_clear(&ev);
		return QRM_EDB;
	}
	all = may_manage(q, a, &ev);
	if (!all && a->role == ROLE_REP) {
		rc = qrm_seterr(err, QRM_EFORBIDDEN, "", "event %lld is "
		    "outside your scopes", (long long)id);
		goto out;
	}
	if (occurrence != NULL && *occurrence != '\0' &&
	    (rc = occurrence_check(&ev, occurrence, occ, start_utc, 0,
	    err)))
		goto out;
	if (occurrence == NULL || *occurrence == '\0')
		*start_utc = ev.rrule ? 0 : ev.start_utc;
	if ((rc = store_attendance_list(st, id, occurrence && *occurrence ?
	    occ : NULL, rsvp && *rsvp ? rsvp : NULL, status && *status ?
	    status : NULL, out, err)) != QRM_OK)
		goto out;
	for (i = keep = 0; i < out->n; i++) {
		if (all || out->v[i].member == a->member)
			out->v[keep++] = out->v[i];
		else
			attendance_clear(&out->v[i]);
	}
	out->n = keep;
	for (i = 0; i < out->n; i++)
		out->v[i].late = out->v[i].checked_in_at > *start_utc &&
		    *start_utc > 0;
	/*
	 * The quorum of one meeting (a one-off, or one occurrence) is the
	 * event's: counted over everyone, whoever asks and whatever the
	 * filter, though a member sees only their own row.
	 */
	if (quorum != NULL && ev.quorum > 0 && *start_utc > 0) {
		if ((rc = store_attendance_list(st, id, occurrence &&
		    *occurrence ? occ : NULL, NULL, "present", &present,
		    err)) != QRM_OK) {
			attendance_list_free(out);
			goto out;
		}
		*quorum = json_pack("{s:i, s:i, s:b}", "required", ev.quorum,
		    "present", (int)present.n, "reached",
		    (int)present.n >= ev.quorum);
		attendance_list_free(&present);
	}
	snprintf(object, sizeof(object), "event/%lld", (long long)id);
	if (audit && (rc = audit_read(st, a, object, all ? "list" : "own",
	    err))) {
		attendance_list_free(out);
		if (quorum != NULL) {
			json_decref(*quorum);
			*quorum = NULL;
		}
	}
out:
	event_clear(&ev);
	return rc;
}

/*
 * Check members in at an occurrence of event id: present, now (late if
 * after the start).  Members are named by id or by membership number;
 * all are looked up before anyone is checked in, so an unknown number
 * changes nothing.  *out: {"items": [records]}.
 */
int
core_checkin(struct qrm *q, const struct actor *a, int64_t id,
    const json_t *o, struct attendance_list *out, struct qrm_error *err)
{
	struct store	*st;
	struct member	 m;
	struct strv	 ids = { 0 };
	struct event	 ev;
	struct attendance *nv;
	json_t		*body, *it;
	const char	*occ = NULL, *key;
	char		 num[32];
	size_t		 i;
	int		 rc = QRM_OK, force = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = fields_check(o, checkin_fields, 0, err)) != QRM_OK)
		return rc;
	occ = json_string_value(json_object_get(o, "occurrence"));
	key = json_string_value(json_object_get(o, "key"));
	force = json_is_true(json_object_get(o, "force"));
	/*
	 * An event the caller may not see is not found (404), as its list
	 * would be; one they see but may not record for is forbidden (403).
	 */
	if ((rc = core_event_get(q, a, id, &ev, err)) != QRM_OK)
		return rc;
	if (!may_manage(q, a, &ev)) {
		event_clear(&ev);
		return qrm_seterr(err, QRM_EFORBIDDEN, "", a->role ==
		    ROLE_REP ? "event %lld is outside your scopes" :
		    "reps and officials check members in", (long long)id);
	}
	event_clear(&ev);
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	json_array_foreach(json_object_get(o, "numbers"), i, it) {
		if (rc != QRM_OK)
			break;
		if (store_member_get_number(st, json_string_value(it), &m,
		    NULL) != QRM_OK || !m.active)
			rc = qrm_seterr(err, QRM_EINVAL, "numbers", "no member "
			    "with membership number '%s'", json_string_value(it));
		else {
			snprintf(num, sizeof(num), "%lld", (long long)m.id);
			strv_push(&ids, num);
		}
		member_clear(&m);
	}
	json_array_foreach(json_object_get(o, "members"), i, it) {
		if (rc != QRM_OK)
			break;
		if (store_member_get(st, json_integer_value(it), &m, NULL) !=
		    QRM_OK || !m.active)
			rc = qrm_seterr(err, QRM_EINVAL, "members", "no active "
			    "member %lld", (long long)json_integer_value(it));
		else {
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(it));
			strv_push(&ids, num);
		}
		member_clear(&m);
	}
	if (rc == QRM_OK && ids.n == 0)
		rc = qrm_seterr(err, QRM_EINVAL, "numbers",
		    "name at least one member to check in");
	if (rc == QRM_OK && (out->v = calloc(ids.n, sizeof(*nv))) == NULL)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	for (i = 0; i < ids.n && rc == QRM_OK; i++) {
		body = json_pack("{s:s, s:b}", "status", "present", "force",
		    force);
		if (key != NULL)	/* one key for each member checked in */
			json_object_set_new(body, "key", json_sprintf("%s:%zu",
			    key, i));
		if (occ != NULL && *occ != '\0')
			json_object_set_new(body, "occurrence",
			    json_string(occ));
		rc = core_attendance_set(q, a, id, strtoll(ids.v[i], NULL, 10),
		    body, &out->v[out->n], err);
		json_decref(body);
		if (rc == QRM_OK)
			out->n++;
	}
	strv_free(&ids);
	if (rc != QRM_OK)
		attendance_list_free(out);
	return rc;
}

static void	json_array_sort_by_name(json_t *);

/*
 * The register of a set of events: every member present at any of them
 * (the list to send a document to), with the events each attended, by
 * name.  Each list read is audited.  *out: {"items": [...]}.
 */
int
core_register(struct qrm *q, const struct actor *a, const struct strv *ids,
    json_t **out, struct qrm_error *err)
{
	struct attendance_list	 l;
	json_t			*byid = json_object(), *items, *p;
	const char		*key;
	char			 k[32];
	int64_t			 id;
	size_t			 i, j;
	int			 rc = QRM_OK;

	*out = NULL;
	if (ids->n == 0 || ids->n > 200)
		rc = qrm_seterr(err, QRM_EINVAL, "events",
		    "name 1 to 200 events");
	for (i = 0; i < ids->n && rc == QRM_OK; i++) {
		if (parse_int64(ids->v[i], &id) == -1) {
			rc = qrm_seterr(err, QRM_EINVAL, "events",
			    "'%s' is not an event id", ids->v[i]);
			break;
		}
		if (a->role < ROLE_REP) {
			rc = qrm_seterr(err, QRM_EFORBIDDEN, "", "a register "
			    "is for reps and officials");
			break;
		}
		if ((rc = core_attendance_list(q, a, id, NULL, NULL, "present",
		    &l, NULL, err)) != QRM_OK)
			break;
		for (j = 0; j < l.n; j++) {
			snprintf(k, sizeof(k), "%lld", (long long)l.v[j].member);
			if ((p = json_object_get(byid, k)) == NULL) {
				p = json_pack("{s:I, s:s?, s:s?, s:s?, s:[]}",
				    "member", (json_int_t)l.v[j].member, "name",
				    l.v[j].name, "number", l.v[j].number,
				    "email", l.v[j].email, "events");
				json_object_set_new(byid, k, p);
			}
			json_array_append_new(json_object_get(p, "events"),
			    json_integer(id));
		}
		attendance_list_free(&l);
	}
	if (rc != QRM_OK) {
		json_decref(byid);
		return rc;
	}
	items = json_array();
	json_object_foreach(byid, key, p)
		json_array_append(items, p);
	json_decref(byid);
	json_array_sort_by_name(items);
	*out = json_pack("{s:o}", "items", items);
	return QRM_OK;
}

static int
by_name(const void *x, const void *y)
{
	const char	*a = json_string_value(json_object_get(
			    *(json_t *const *)x, "name"));
	const char	*b = json_string_value(json_object_get(
			    *(json_t *const *)y, "name"));

	return strcmp(a ? a : "", b ? b : "");
}

static void
json_array_sort_by_name(json_t *a)
{
	json_t	**v;
	size_t	  i, n = json_array_size(a);

	if (n < 2 || (v = calloc(n, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof(*v), by_name);
	json_array_clear(a);
	for (i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
}

/*
 * A member's attendance history, with each event's title and start.
 * Officials, reps (events of their scopes) and the member themselves.
 */
int
core_member_history(struct qrm *q, const struct actor *a, int64_t member,
    json_t **out, struct qrm_error *err)
{
	struct store		*st;
	struct attendance_list	 l;
	struct member		 m;
	struct event		 ev;
	json_t			*items, *rec;
	char			 object[32];
	size_t			 i;
	int			 rc;

	*out = NULL;
	if ((rc = core_member_get(q, a, member, &m, err)) != QRM_OK)
		return rc;
	member_clear(&m);
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_attendance_of_member(st, member, &l, err)) != QRM_OK)
		return rc;
	items = json_array();
	for (i = 0; i < l.n; i++) {
		if (store_event_get(st, l.v[i].event, &ev, NULL) != QRM_OK)
			continue;
		if (a->member == member || may_manage(q, a, &ev)) {
			l.v[i].late = !ev.rrule && l.v[i].checked_in_at >
			    ev.start_utc;
			rec = attendance_to_json(&l.v[i]);
			json_object_set_new(rec, "event",
			    json_integer(ev.id));
			json_object_set_new(rec, "title", json_string(ev.title));
			json_object_set_new(rec, "start", json_string(
			    l.v[i].occurrence[0] ? l.v[i].occurrence :
			    ev.start));
			json_array_append_new(items, rec);
		}
		event_clear(&ev);
	}
	attendance_list_free(&l);
	/* the log is of who read others' records: not of one's own */
	snprintf(object, sizeof(object), "member/%lld", (long long)member);
	if (a->member != member && (rc = audit_read(st, a, object, "history",
	    err)) != QRM_OK) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o}", "items", items);
	return QRM_OK;
}

static int
door_row_cmp(const void *a, const void *b)
{
	const struct attendance	*x = a, *y = b;
	int			 c = strcasecmp(x->name ? x->name : "",
				    y->name ? y->name : "");

	return c != 0 ? c : (x->member > y->member) - (x->member < y->member);
}

static int
id_cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The door list of event id (reps in scope and officials): everyone who
 * may come (the members of its audiences the actor may see) and anyone
 * else with a record, each with their record for the occurrence (a
 * series without one named: its next date from today, in *occ_out),
 * sorted by name; *quorum as core_attendance_list() gives it.
 */
int
core_door(struct qrm *q, const struct actor *a, int64_t id,
    const char *occurrence, int audit, struct event *ev,
    char occ_out[LOCAL_TIME_LEN], struct attendance_list *out,
    json_t **quorum, struct qrm_error *err)
{
	struct member_list	 ml;
	struct occurrence	*o = NULL;
	struct attendance	*nv;
	int64_t			*seen = NULL;
	size_t			 i, k, n = 0, cap, nseen = 0;
	int			 rc;

	memset(out, 0, sizeof(*out));
	*quorum = NULL;
	occ_out[0] = '\0';
	if ((rc = core_event_get(q, a, id, ev, err)) != QRM_OK)
		return rc;
	if (!may_manage(q, a, ev)) {
		event_clear(ev);
		return qrm_seterr(err, QRM_EFORBIDDEN, "", "the door list is "
		    "for the reps of this event's members and for officials");
	}
	if (ev->rrule != NULL && (occurrence == NULL || *occurrence == '\0')) {
		/* the next date, or today's when it is on */
		if (ical_event_occurrences(ev, (int64_t)time(NULL) - 12 * 3600,
		    0, &o, &n, NULL) == QRM_OK && n > 0)
			snprintf(occ_out, LOCAL_TIME_LEN, "%s", o[0].start);
		free(o);
		occurrence = occ_out[0] ? occ_out : NULL;
	} else if (occurrence != NULL)
		snprintf(occ_out, LOCAL_TIME_LEN, "%s", occurrence);
	if ((rc = attendance_list(q, a, id, occurrence, NULL, NULL, out,
	    quorum, audit, err)) != QRM_OK) {
		event_clear(ev);
		return rc;
	}
	cap = out->n;
	/* who has a record already, sorted to look up (a list is 1,000s) */
	if (out->n > 0 && (seen = calloc(out->n, sizeof(*seen))) != NULL) {
		for (k = 0; k < out->n; k++)
			seen[k] = out->v[k].member;
		qsort(seen, out->n, sizeof(*seen), id_cmp);
		nseen = out->n;
	}
	for (i = 0; i < ev->audiences.n; i++) {
		if (core_member_list(q, a, ev->audiences.v[i], NULL, 0, &ml,
		    NULL) != QRM_OK)
			continue;
		for (k = 0; k < ml.n; k++) {
			size_t	j;

			if (nseen > 0 && bsearch(&ml.v[k].id, seen, nseen,
			    sizeof(*seen), id_cmp) != NULL)
				continue;
			/* a member of two of its audiences is listed once */
			for (j = nseen; i > 0 && j < out->n &&
			    out->v[j].member != ml.v[k].id; j++)
				;
			if (i > 0 && j < out->n)
				continue;
			if (out->n == cap) {
				cap = cap ? cap * 2 : 32;
				if ((nv = realloc(out->v, cap *
				    sizeof(*nv))) == NULL)
					break;
				out->v = nv;
			}
			memset(&out->v[out->n], 0, sizeof(out->v[0]));
			out->v[out->n].event = id;
			out->v[out->n].member = ml.v[k].id;
			snprintf(out->v[out->n].occurrence, LOCAL_TIME_LEN, "%s",
			    occurrence ? occurrence : "");
			out->v[out->n].name = ml.v[k].name;
			out->v[out->n].number = ml.v[k].number;
			out->v[out->n].email = ml.v[k].email;
			ml.v[k].name = ml.v[k].number = ml.v[k].email = NULL;
			out->n++;
		}
		member_list_free(&ml);
	}
	free(seen);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), door_row_cmp);
	return QRM_OK;
}

/*
 * The self check-in code (CORE_SECRET_LEN + 1 bytes) of an occurrence
 * of event id (as core_door() chose it): made on first asking, by a rep
 * in scope or an official.
 */
int
core_door_code(struct qrm *q, const struct actor *a, int64_t id,
    const char *occurrence, char *code, struct qrm_error *err)
{
	struct store	*st;
	struct event	 ev;
	char		 fresh[CORE_SECRET_LEN + 1], hash[65];
	int		 rc;

	if ((rc = core_event_get(q, a, id, &ev, err)) != QRM_OK)
		return rc;
	rc = may_manage(q, a, &ev);
	event_clear(&ev);
	if (!rc)
		return qrm_seterr(err, QRM_EFORBIDDEN, "", "the self check-in "
		    "is for the reps of this event's members and officials");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	core_secret_new(fresh, hash);
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_door_code(st, id, occurrence ? occurrence : "", fresh,
	    a->member, (int64_t)time(NULL), code, CORE_SECRET_LEN + 1,
	    err)) != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	return store_tx_commit_quiet(st, err);
}

/*
 * A member's self check-in with the code shown at the door: present at
 * that meeting, from half an hour before it starts until it ends, for a
 * member who may attend it (one of its audiences: others are told it is
 * not found).  *ev is the meeting, for the page.
 */
int
core_self_checkin(struct qrm *q, const struct actor *a, const char *code,
    int do_it, struct event *ev, struct attendance *out,
    struct qrm_error *err)
{
	struct store	*st;
	struct actor	 door;
	json_t		*body;
	char		 occ[LOCAL_TIME_LEN], name[300];
	int64_t		 id, start, end, now = (int64_t)time(NULL);
	int		 rc;

	memset(out, 0, sizeof(*out));
	event_init(ev);
	if (a->member == 0)
		return qrm_seterr(err, QRM_EUNAUTH, "", "sign in first");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_door_code_find(st, code, &id, occ, sizeof(occ),
	    err)) != QRM_OK)
		return rc;
	if ((rc = core_event_get(q, a, id, ev, err)) != QRM_OK)
		return rc;
	if (ev->status == EVSTATUS_CANCELLED)
		return qrm_seterr(err, QRM_ECONFLICT, "event", "this meeting "
		    "was cancelled");
	start = ev->start_utc;
	end = ev->end_utc;
	if (occ[0] != '\0') {
		struct occurrence	o;
		int			cancelled;

		/* the date where it now is, if it moved on its own */
		if ((rc = core_occurrence_find(ev, occ, &o, &cancelled, err)) !=
		    QRM_OK)
			return rc;
		if (cancelled)
			return qrm_seterr(err, QRM_ECONFLICT, "event", "this "
			    "date of the meeting was cancelled");
		start = o.start_utc;
		end = o.end_utc;
	}
	if (now < start - SELF_CHECKIN_EARLY)
		return qrm_seterr(err, QRM_ECONFLICT, "code", "the check-in "
		    "opens half an hour before the meeting starts");
	if (now > end)
		return qrm_seterr(err, QRM_ECONFLICT, "code", "the meeting is "
		    "over: ask a rep to record you");
	if (!do_it)
		return QRM_OK;
	/* recorded as the member's own, through the door's rules */
	snprintf(name, sizeof(name), "self check-in: %s", a->name ? a->name :
	    "member");
	door.member = a->member;
	door.role = ROLE_ADMIN;
	door.name = name;
	body = json_pack("{s:s}", "status", "present");
	if (occ[0] != '\0')
		json_object_set_new(body, "occurrence", json_string(occ));
	rc = core_attendance_set(q, &door, id, a->member, body, out, err);
	json_decref(body);
	return rc;
}

/*
 * The records of one occurrence of event (those with an answer or a
 * mark), for the door's answer to a rep's change: the counts and that
 * row.  Not audited: it is the rep's own change they see.
 */
int
core_door_records(struct qrm *q, const struct actor *a, int64_t event,
    const char *occurrence, struct attendance_list *out, json_t **quorum,
    struct qrm_error *err)
{
	return attendance_list(q, a, event, occurrence, NULL, NULL, out,
	    quorum, 0, err);
}

/*
 * The offers that ran out by now: each to the back of its waiting list,
 * and the place offered to the next.  *passed: how many.
 */
int
core_offers_expire(struct qrm *q, int64_t now, int *passed,
    struct qrm_error *err)
{
	struct store	*st;
	struct strv	 lapsed;
	struct event	 ev;
	int64_t		 id, start, member;
	char		*occ;
	size_t		 i;
	int		 rc;

	*passed = 0;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_attendance_offers_lapse(st, now, &lapsed, err)) !=
	    QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	for (i = 0; i < lapsed.n && rc == QRM_OK; i++) {
		occ = strchr(lapsed.v[i], '\t');
		*occ++ = '\0';
		id = strtoll(lapsed.v[i], NULL, 10);
		if (store_event_get(st, id, &ev, NULL) != QRM_OK)
			continue;
		start = ev.start_utc;
		if (*occ != '\0' && ical_local_to_utc(occ, ev.tzid, &start) !=
		    0)
			start = 0;
		if (ev.status != EVSTATUS_CANCELLED)
			rc = offer_next(q, st, &ev, occ, start, &member, err);
		(*passed)++;
		event_clear(&ev);
	}
	strv_free(&lapsed);
	if (rc != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	return store_tx_commit(st, err);
}

/*
 * The offer behind a link's secret: its meeting, whom, until when; with
 * take set, the place taken.
 */
int
core_offer(struct qrm *q, const char *secret, int take, struct event *ev,
    struct member *m, int64_t *until, struct qrm_error *err)
{
	struct store	*st;
	char		 hash[65], occ[LOCAL_TIME_LEN];
	int64_t		 id, member;
	int		 rc;

	event_init(ev);
	memset(m, 0, sizeof(*m));
	*until = 0;
	if (core_secret_hash(secret, hash) == -1)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "this offer is not "
		    "known");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_attendance_offer_get(st, hash, &id, occ, sizeof(occ),
	    &member, until, err)) != QRM_OK ||
	    (rc = store_event_get(st, id, ev, err)) != QRM_OK ||
	    (rc = store_member_get(st, member, m, err)) != QRM_OK)
		return rc;
	if (!take)
		return *until > (int64_t)time(NULL) ? QRM_OK : qrm_seterr(err,
		    QRM_ECONFLICT, "", "this offer has run out");
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_attendance_claim(st, hash, (int64_t)time(NULL), &id,
	    occ, sizeof(occ), &member, err)) != QRM_OK ||
	    (rc = store_audit_add(st, m->email, "attendance.offer.taken",
	    "event", ev->title, err)) != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	return store_tx_commit(st, err);
}
