/*
 * forecast.c: a quorum forecast.  A meeting with a quorum is compared,
 * a set number of days before (7 unless configured), with the members
 * who said they are going; when it looks inquorate its organiser is
 * told once by e-mail, with the members who have not answered, to
 * chase.  After it, whether it was quorate is recorded, and an
 * inquorate meeting is reconvened in one step: a new meeting for the
 * same people, its open actions carried over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

#define OUTCOME_LOOKBACK	(3 * 86400)	/* meetings just over */

static int64_t
forecast_days(void)
{
	const char	*v = getenv("QUORUM_FORECAST_DAYS");
	int64_t		 n;

	if (v != NULL && parse_int64(v, &n) == 0 && n >= 1 && n <= 60)
		return n;
	return 7;
}

/* The key attendance keeps for occurrence o of ev. */
static const char *
occ_key(const struct event *ev, const struct occurrence *o)
{
	return ev->rrule != NULL ? o->start : "";
}

/*
 * Of occurrence key of ev: how many have a place (accepted, not
 * waiting), how many were present, and (when not NULL) the names of
 * the members it is for who have not answered.
 */
static int
counts(struct qrm *q, struct store *st, const struct event *ev,
    const char *key, int *accepted, int *present, struct strv *silent,
    struct qrm_error *err)
{
	struct attendance_list	 l;
	struct member_list	 ml;
	struct actor		 office = { 0, ROLE_ADMIN, "quorum" };
	struct strv		 seen = { 0 };
	char			 id[32];
	size_t			 i, k;
	int			 rc;

	*accepted = *present = 0;
	if ((rc = store_attendance_list(st, ev->id, key, NULL, NULL, &l,
	    err)) != QRM_OK)
		return rc;
	for (i = 0; i < l.n; i++) {
		if (l.v[i].rsvp == RSVP_ACCEPTED && !l.v[i].waitlisted)
			(*accepted)++;
		if (l.v[i].status == ATT_PRESENT)
			(*present)++;
		if (l.v[i].rsvp != RSVP_INVITED || l.v[i].status != ATT_UNKNOWN) {
			snprintf(id, sizeof(id), "%lld",
			    (long long)l.v[i].member);
			strv_push(&seen, id);
		}
	}
	attendance_list_free(&l);
	for (i = 0; silent != NULL && i < ev->audiences.n; i++) {
		if (core_member_list(q, &office, ev->audiences.v[i], NULL, 0,
		    &ml, NULL) != QRM_OK)
			continue;
		for (k = 0; k < ml.n; k++) {
			snprintf(id, sizeof(id), "%lld", (long long)ml.v[k].id);
			if (strv_contains(&seen, id))
				continue;
			strv_push(&seen, id);	/* listed once */
			strv_push(silent, ml.v[k].name);
		}
		member_list_free(&ml);
	}
	strv_free(&seen);
	return QRM_OK;
}

/* The organiser's address: an e-mail organizer, else the first host's. */
static int
organiser(struct store *st, const struct event *ev, struct member *m)
{
	int64_t	id;
	size_t	i;

	memset(m, 0, sizeof(*m));
	if (ev->organizer != NULL && strchr(ev->organizer, '@') != NULL &&
	    store_member_get_email(st, ev->organizer, m, NULL) == QRM_OK)
		return 0;
	for (i = 0; i < ev->hosts.n; i++)
		if (parse_int64(ev->hosts.v[i], &id) == 0 &&
		    store_member_get(st, id, m, NULL) == QRM_OK) {
			if (m->active)
				return 0;
			member_clear(m);
		}
	return -1;
}

static char *
warning_text(const struct event *ev, const struct event *view,
    const struct member *to, int accepted, const struct strv *silent,
    const char *base)
{
	struct buf	b = { 0 };
	size_t		i;

	buf_printf(&b, "Dear %s,\n\n%s looks inquorate: %d %s going, and "
	    "its quorum is %d.\n\n", to->name, ev->title, accepted, accepted ==
	    1 ? "member is" : "members are", ev->quorum);
	core_meeting_words(&b, view, NULL);
	if (silent->n > 0) {
		buf_printf(&b, "\nThese %zu have not answered yet; a word from "
		    "you may bring them:\n\n", silent->n);
		for (i = 0; i < silent->n; i++)
			buf_printf(&b, "  - %s\n", silent->v[i]);
	}
	buf_printf(&b, "\nThe meeting's page: %s/events/%lld\n\n-- \nquorum\n",
	    base, (long long)ev->id);
	return buf_detach(&b);
}

/*
 * Look at meetings with a quorum at now: warn the organiser of each
 * occurrence within the forecast's days that looks inquorate (once),
 * and record of each one just over whether it was quorate.  *warned and
 * *recorded: how many.
 */
int
core_forecast_run(struct qrm *q, int64_t now, int *warned, int *recorded,
    struct qrm_error *err)
{
	struct store		*st;
	struct event_list	 evs;
	struct event_filter	 f;
	struct occurrence	*o;
	struct member		 to;
	struct strv		 silent;
	struct quorum_check	 qc;
	struct event		 view;
	char			*text, subject[300];
	int64_t			 ahead = forecast_days() * 86400, mail;
	size_t			 i, j, n;
	int			 rc = QRM_OK, accepted, present;

	*warned = *recorded = 0;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	memset(&f, 0, sizeof(f));
	f.from_utc = now - OUTCOME_LOOKBACK;
	f.to_utc = now + ahead + 1;
	f.kind = -1;
	f.cancelled_since = INT64_MAX;
	f.now = INT64_MAX;
	if ((rc = store_event_list(st, &f, &evs, err)) != QRM_OK)
		return rc;
	for (i = 0; i < evs.n && rc == QRM_OK; i++) {
		const struct event *ev = &evs.v[i];

		if (ev->quorum <= 0 || ev->status == EVSTATUS_CANCELLED)
			continue;
		o = NULL;
		if (ical_event_occurrences(ev, now - OUTCOME_LOOKBACK, now +
		    ahead + 1, &o, &n, NULL) != QRM_OK)
			n = 0;
		for (j = 0; j < n && rc == QRM_OK; j++) {
			const char *key = occ_key(ev, &o[j]);

			if (store_quorum_check_get(st, ev->id, key, &qc) !=
			    QRM_OK)
				continue;
			memset(&silent, 0, sizeof(silent));
			if (o[j].end_utc <= now && qc.outcome == 0) {
				/* just over: was it quorate? */
				if ((rc = counts(q, st, ev, key, &accepted,
				    &present, NULL, err)) == QRM_OK &&
				    (rc = store_quorum_check_outcome(st, ev->id,
				    key, present >= ev->quorum ? 1 : 2, present,
				    err)) == QRM_OK)
					(*recorded)++;
			} else if (o[j].start_utc > now && o[j].start_utc <=
			    now + ahead && qc.warned_at == 0) {
				if ((rc = counts(q, st, ev, key, &accepted,
				    &present, &silent, err)) != QRM_OK ||
				    accepted >= ev->quorum) {
					strv_free(&silent);
					continue;	/* looks quorate */
				}
				core_occurrence_view(ev, &o[j], &view);
				if ((rc = store_tx_begin(st, err)) != QRM_OK) {
					strv_free(&silent);
					break;
				}
				if (organiser(st, ev, &to) == 0) {
					text = warning_text(ev, &view, &to,
					    accepted, &silent, qrm_base_url(q));
					snprintf(subject, sizeof(subject),
					    "Inquorate? %s, %.10s", ev->title,
					    view.start);
					rc = text == NULL ? qrm_seterr(err,
					    QRM_ESYS, "", "out of memory") :
					    outbox_queue(st, "forecast", &to,
					    subject, text, &mail, err);
					free(text);
					member_clear(&to);
				}
				if (rc == QRM_OK)
					rc = store_quorum_check_warn(st, ev->id,
					    key, now, accepted, err);
				if (rc == QRM_OK && (rc = store_tx_commit(st,
				    err)) == QRM_OK)
					(*warned)++;
				else if (rc != QRM_OK)
					store_tx_rollback(st);
			}
			strv_free(&silent);
		}
		free(o);
	}
	event_list_free(&evs);
	return rc;
}

/*
 * The forecast of event id for the page: for its next occurrence (or
 * the one going on), {"quorum", "accepted", "looks_inquorate",
 * "occurrence", "not_answered": [names]}, and each occurrence recorded
 * over as {"occurrence", "outcome", "present", "reconvened"} in
 * "outcomes".  Reps in scope and officials.
 */
int
core_forecast(struct qrm *q, const struct actor *a, int64_t id, json_t **out,
    struct qrm_error *err)
{
	struct store		*st;
	struct event		 ev;
	struct occurrence	*o = NULL;
	struct strv		 silent = { 0 };
	json_t			*names, *outcomes;
	int64_t			 now = (int64_t)time(NULL);
	size_t			 n = 0, i;
	int			 rc, accepted = 0, present = 0;

	*out = NULL;
	if ((rc = core_require_role(a, ROLE_REP, err)) != QRM_OK ||
	    (rc = core_event_get(q, a, id, &ev, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL) {
		event_clear(&ev);
		return QRM_EDB;
	}
	if ((rc = store_quorum_outcomes(st, id, &outcomes, err)) != QRM_OK) {
		event_clear(&ev);
		return rc;
	}
	names = json_array();
	if (ev.quorum > 0 && ev.status != EVSTATUS_CANCELLED &&
	    ical_event_occurrences(&ev, now, 0, &o, &n, NULL) == QRM_OK &&
	    n > 0 && counts(q, st, &ev, occ_key(&ev, &o[0]), &accepted,
	    &present, &silent, NULL) == QRM_OK)
		for (i = 0; i < silent.n; i++)
			json_array_append_new(names, json_string(silent.v[i]));
	*out = json_pack("{s:i, s:i, s:b, s:s?, s:o, s:o}", "quorum",
	    ev.quorum, "accepted", accepted, "looks_inquorate", ev.quorum > 0 &&
	    n > 0 && accepted < ev.quorum, "occurrence", n > 0 ?
	    occ_key(&ev, &o[0]) : NULL, "not_answered", names, "outcomes",
	    outcomes);
	strv_free(&silent);
	free(o);
	event_clear(&ev);
	return QRM_OK;
}

/*
 * Reconvene event id (an inquorate one, or any with a quorum): a new
 * meeting from body {"start", "end", "force", "occurrence"} for the
 * same audiences, kind, place, hosts and quorum, titled as reconvened,
 * with the open actions of the old one carried over onto it.
 * Officials.  *out: the new event.
 */
int
core_reconvene(struct qrm *q, const struct actor *a, int64_t id,
    const json_t *body, struct event *out, struct qrm_error *err)
{
	struct store		*st;
	struct event		 ev;
	struct action_filter	 af;
	struct action_list	 open;
	json_t			*o, *hosts;
	const char		*occ = json_string_value(json_object_get(body,
				    "occurrence"));
	char			 title[400];
	size_t			 i;
	int			 rc;

	event_init(out);
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK ||
	    (rc = core_event_get(q, a, id, &ev, err)) != QRM_OK)
		return rc;
	if (!json_is_object(body) || json_object_get(body, "start") == NULL) {
		event_clear(&ev);
		return qrm_seterr(err, QRM_EINVAL, "start", "say when it meets "
		    "again: start (and end)");
	}
	if (ev.quorum <= 0) {
		event_clear(&ev);
		return qrm_seterr(err, QRM_EINVAL, "quorum", "the meeting has "
		    "no quorum to miss");
	}
	snprintf(title, sizeof(title), "%.180s (reconvened)", ev.title);
	hosts = json_array();
	for (i = 0; i < ev.hosts.n; i++)
		json_array_append_new(hosts, json_integer(strtoll(
		    ev.hosts.v[i], NULL, 10)));
	o = json_pack("{s:s, s:s, s:s, s:O?, s:O?, s:s?, s:s?, s:s?, s:s?, "
	    "s:i, s:i, s:o, s:b}", "title", title, "kind",
	    event_kind_names[ev.kind], "tz", ev.tzid, "start",
	    json_object_get(body, "start"), "end", json_object_get(body,
	    "end"), "location", ev.location, "url", ev.url, "description",
	    ev.description, "organizer", ev.organizer, "capacity",
	    ev.capacity, "quorum", ev.quorum, "hosts", hosts, "force",
	    json_is_true(json_object_get(body, "force")));
	json_object_set_new(o, "audiences", json_array());
	for (i = 0; i < ev.audiences.n; i++)
		json_array_append_new(json_object_get(o, "audiences"),
		    json_string(ev.audiences.v[i]));
	if (ev.room != NULL)
		json_object_set_new(o, "room", json_string(ev.room));
	rc = core_event_create(q, a, o, out, err);
	json_decref(o);
	if (rc != QRM_OK) {
		event_clear(&ev);
		return rc;
	}
	/* its open actions go onto the new meeting's agenda */
	if ((st = qrm_store(q, err)) == NULL) {
		event_clear(&ev);
		return QRM_EDB;
	}
	memset(&af, 0, sizeof(af));
	af.event = id;
	af.status = -1;
	af.closed_since = INT64_MAX;
	if ((rc = store_action_list(st, &af, &open, err)) == QRM_OK &&
	    (rc = store_tx_begin(st, err)) == QRM_OK) {
		for (i = 0; i < open.n && rc == QRM_OK; i++) {
			open.v[i].event = out->id;
			open.v[i].updated = (int64_t)time(NULL);
			rc = store_action_update(st, &open.v[i], err);
		}
		if (rc == QRM_OK)
			rc = store_quorum_check_reconvened(st, id, occ ? occ :
			    "", out->id, err);
		if (rc == QRM_OK)
			rc = store_audit_add(st, a->name, "event.reconvene",
			    "event", out->title, err);
		if (rc == QRM_OK)
			rc = store_tx_commit(st, err);
		else
			store_tx_rollback(st);
		action_list_free(&open);
	}
	event_clear(&ev);
	return rc;
}
