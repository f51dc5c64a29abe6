/*
 * invite.c: invitations by e-mail (iTIP over iMIP, RFC 5546 and 6047)
 * through the outbox.  Each message has the meeting in words (Outlook
 * shows the mail, not DESCRIPTION), "Going" and "Not going" links that
 * work without a calendar app, and a text/calendar METHOD:REQUEST with
 * the feeds' UID and SEQUENCE and the member as ATTENDEE.  A change
 * that matters sends REQUEST again, a cancellation CANCEL, to everyone
 * invited.  Replies (METHOD:REPLY) come back to the ORGANIZER address,
 * the outbox's sender, which the mail server pipes to `quorum itip -`.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "core_int.h"
#include "quorum/ical.h"

#define INVITE_MAX	20000	/* members in one call */

/* "Tue 15 Dec 2026, 10:00" from a local time (a date: no time). */
static void
when_words(struct buf *b, const char *local)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	 tm;
	int		 y, mo, d, h, mi;

	if (sscanf(local, "%4d-%2d-%2d", &y, &mo, &d) != 3 || mo < 1 ||
	    mo > 12) {
		buf_puts(b, local);
		return;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	timegm(&tm);
	buf_printf(b, "%s %d %s %d", days[tm.tm_wday], d, months[mo - 1], y);
	if (strlen(local) > 11 && sscanf(local + 11, "%2d:%2d", &h, &mi) == 2)
		buf_printf(b, ", %02d:%02d", h, mi);
}

/*
 * The meeting in words, as mail carries it (Outlook shows the mail, not
 * the invitation's DESCRIPTION): when (the date of one occurrence when
 * start is not NULL), repeats, where, online, and what it is about.
 */
void
core_meeting_words(struct buf *b, const struct event *ev, const char *start)
{
	const char	*s = start ? start : ev->start;

	buf_puts(b, "When:   ");
	when_words(b, s);
	if (!ev->all_day && strncmp(ev->start, ev->end, 10) == 0)
		buf_printf(b, " to %.5s", ev->end + 11);
	else if (start == NULL && strcmp(ev->start, ev->end) != 0) {
		buf_puts(b, " to ");
		when_words(b, ev->end);
	}
	buf_printf(b, " (%s%s)\n", ev->tzid, ev->all_day ? ", all day" :
	    " time");
	if (ev->rrule != NULL && start == NULL)
		buf_printf(b, "Repeats: %s\n", ev->rrule);
	if (ev->location != NULL)
		buf_printf(b, "Where:  %s\n", ev->location);
	if (ev->url != NULL)
		buf_printf(b, "Online: %s\n", ev->url);
	if (ev->description != NULL)
		buf_printf(b, "\n%s\n", ev->description);
}

/* The words of an invitation (or of its cancellation) to m. */
static char *
invite_text(const struct event *ev, const struct member *m, const char *base,
    const char *secret, int cancel)
{
	struct buf	b = { 0 };

	buf_printf(&b, "Dear %s,\n\n", m->name);
	if (cancel)
		buf_printf(&b, "This meeting is CANCELLED: %s\n\n", ev->title);
	else if (ev->sequence > 0)
		buf_printf(&b, "This meeting has changed: %s\n\n", ev->title);
	else
		buf_printf(&b, "You are invited to %s.\n\n", ev->title);
	core_meeting_words(&b, ev, NULL);
	if (!cancel)
		buf_printf(&b, "\nAre you coming? One click answers:\n\n"
		    "  Going:      %s/invitations/%s?answer=accepted\n"
		    "  Not going:  %s/invitations/%s?answer=declined\n\n"
		    "Your calendar app may show buttons to answer too. The "
		    "meeting's page: %s/events/%lld\n", base, secret, base,
		    secret, base, (long long)ev->id);
	buf_puts(&b, "\n-- \nquorum, your union's meetings. You get "
	    "invitations for the groups you belong to; you can ask the union "
	    "office to stop them.\n");
	return buf_detach(&b);
}

/* One date of a series changed on its own: its key and where it is. */
struct occ_change {
	const char		*key;
	const struct event	*view;	/* the date as a one-off */
	int			 was_cancelled;
};

/* The words of a change of one date (or its cancellation) to m. */
static char *
occurrence_text(const struct event *ev, const struct occ_change *oc,
    const struct member *m, const char *base, const char *secret,
    int cancel)
{
	struct buf	b = { 0 };

	buf_printf(&b, "Dear %s,\n\n", m->name);
	if (cancel) {
		buf_printf(&b, "One date of %s is CANCELLED: ", ev->title);
		when_words(&b, oc->key);
		buf_puts(&b, ". The other dates stay as they were.\n\n");
	} else if (oc->was_cancelled) {
		buf_printf(&b, "One date of %s is ON again after all: ",
		    ev->title);
		when_words(&b, oc->key);
		buf_puts(&b, ".\n\n");
	} else if (strcmp(oc->view->start, oc->key) != 0) {
		buf_printf(&b, "One date of %s has MOVED. It was ", ev->title);
		when_words(&b, oc->key);
		buf_puts(&b, "; it is now:\n\n");
	} else
		buf_printf(&b, "One date of %s has changed:\n\n", ev->title);
	if (!cancel)
		core_meeting_words(&b, oc->view, NULL);
	buf_puts(&b, "\nThe other dates of the series are unchanged.\n");
	if (!cancel)
		buf_printf(&b, "\nAre you coming on this date? One click "
		    "answers:\n\n"
		    "  Going:      %s/invitations/%s?answer=accepted&date=%s\n"
		    "  Not going:  %s/invitations/%s?answer=declined&date=%s\n",
		    base, secret, oc->key, base, secret, oc->key);
	buf_printf(&b, "\nThe meeting's page: %s/events/%lld\n", base,
	    (long long)ev->id);
	buf_puts(&b, "\n-- \nquorum, your union's meetings. You get "
	    "invitations for the groups you belong to; you can ask the union "
	    "office to stop them.\n");
	return buf_detach(&b);
}

static int	invite_mail(struct store *, const struct event *,
		    const struct occ_change *, const struct member *,
		    const char *, const char *, int, struct qrm_error *);

/*
 * Queue the invitation (or its cancellation) of ev for m, with new
 * answer links, inside the caller's transaction: of the whole event,
 * or of one date of it alone (oc, with its time and place) when oc is
 * not NULL.
 */
static int
invite_mail(struct store *st, const struct event *ev,
    const struct occ_change *oc, const struct member *m, const char *from,
    const char *base, int cancel, struct qrm_error *err)
{
	struct mail	 mail;
	struct buf	 ics = { 0 };
	char		 secret[CORE_SECRET_LEN + 1], hash[65], subject[400];
	char		 day[64];
	char		*text;
	int		 rc;

	core_secret_new(secret, hash);
	if ((rc = ical_itip(ev, oc ? oc->key : NULL, cancel ? "CANCEL" :
	    "REQUEST", from, m, &ics, err)) != QRM_OK)
		return rc;
	text = oc ? occurrence_text(ev, oc, m, base, secret, cancel) :
	    invite_text(ev, m, base, secret, cancel);
	if (text == NULL) {
		buf_free(&ics);
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	if (oc != NULL) {
		struct buf	w = { 0 };

		when_words(&w, oc->key);
		snprintf(day, sizeof(day), "%s", w.p ? w.p : "");
		buf_free(&w);
		snprintf(subject, sizeof(subject), "%s%s, %s", cancel ?
		    "Cancelled: " : "Changed: ", ev->title, day);
	} else
		snprintf(subject, sizeof(subject), "%s%s", cancel ?
		    "Cancelled: " : ev->sequence > 0 ? "Changed: " :
		    "Invitation: ", ev->title);
	memset(&mail, 0, sizeof(mail));
	mail.kind = cancel ? "cancel" : "invite";
	mail.member = m->id;
	mail.recipient = m->email;
	mail.name = m->name;
	mail.subject = subject;
	mail.body = text;
	mail.calendar = ics.p;
	mail.method = cancel ? "CANCEL" : "REQUEST";
	mail.created = (int64_t)time(NULL);
	if ((rc = store_invitation_put(st, ev->id, m->id, ev->sequence, hash,
	    mail.created, err)) == QRM_OK)
		rc = store_outbox_add(st, &mail, err);
	free(text);
	buf_free(&ics);
	return rc;
}

static const char *
sender(void)
{
	struct mail_settings	ms;

	mail_settings_env(&ms);
	return ms.from != NULL && *ms.from != '\0' ? ms.from :
	    "quorum@localhost";
}

/*
 * Invite to event id the members of body {"members": [ids]} or everyone
 * in and below {"audience": slug}, in one transaction (3,000 at once
 * are queued together or not at all).  A member who opted out of the
 * meeting's audiences, or who is not active, is skipped, with why.
 * *report: {"queued": n, "skipped": [{"member", "reason"}]}.
 */
int
core_invite(struct qrm *q, const struct actor *a, int64_t id,
    const json_t *body, json_t **report, struct qrm_error *err)
{
	struct store		*st;
	struct event		 ev;
	struct member_list	 ml;
	struct member		 m;
	json_t			*v, *skipped;
	const char		*aud, *from = sender(), *base = qrm_base_url(q);
	char			*slugs;
	size_t			 i, queued = 0;
	int			 rc, out;

	*report = NULL;
	memset(&ml, 0, sizeof(ml));
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK ||
	    (rc = core_event_get(q, a, id, &ev, err)) != QRM_OK)
		return rc;
	if (ev.status == EVSTATUS_CANCELLED) {
		event_clear(&ev);
		return qrm_seterr(err, QRM_ECONFLICT, "event", "the meeting is "
		    "cancelled");
	}
	if ((st = qrm_store(q, err)) == NULL) {
		event_clear(&ev);
		return QRM_EDB;
	}
	aud = json_string_value(json_object_get(body, "audience"));
	v = json_object_get(body, "members");
	if ((aud == NULL) == (v == NULL))
		rc = qrm_seterr(err, QRM_EINVAL, "members", "give \"members\" "
		    "(a list of ids) or \"audience\" (a slug)");
	else if (aud != NULL)
		rc = core_member_list(q, a, aud, NULL, 0, &ml, err);
	else if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > INVITE_MAX)
		rc = qrm_seterr(err, QRM_EINVAL, "members", "members must be "
		    "a list of member ids");
	else if ((ml.v = calloc(json_array_size(v), sizeof(*ml.v))) == NULL)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	else
		for (i = 0; i < json_array_size(v) && rc == QRM_OK; i++) {
			if (!json_is_integer(json_array_get(v, i)) ||
			    store_member_get(st, json_integer_value(
			    json_array_get(v, i)), &m, NULL) != QRM_OK)
				rc = qrm_seterr(err, QRM_EINVAL, "members",
				    "no member %s", json_is_integer(
				    json_array_get(v, i)) ? "with that id" :
				    "(ids are numbers)");
			else
				ml.v[ml.n++] = m;
		}
	if (rc != QRM_OK) {
		member_list_free(&ml);
		event_clear(&ev);
		return rc;
	}
	/* the audiences whose opt-out keeps the invitation away */
	{
		json_t	*j = json_array();

		if (aud != NULL)
			json_array_append_new(j, json_string(aud));
		for (i = 0; i < ev.audiences.n; i++)
			json_array_append_new(j, json_string(
			    ev.audiences.v[i]));
		slugs = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	skipped = json_array();
	if ((rc = store_tx_begin(st, err)) == QRM_OK) {
		for (i = 0; i < ml.n && rc == QRM_OK; i++) {
			if (!ml.v[i].active) {
				json_array_append_new(skipped, json_pack(
				    "{s:I, s:s}", "member", (json_int_t)
				    ml.v[i].id, "reason", "not active"));
				continue;
			}
			if ((rc = store_optout_has(st, ml.v[i].id, slugs, &out,
			    err)) != QRM_OK)
				break;
			if (out) {
				json_array_append_new(skipped, json_pack(
				    "{s:I, s:s}", "member", (json_int_t)
				    ml.v[i].id, "reason", "opted out of "
				    "invitations for this group"));
				continue;
			}
			if ((rc = invite_mail(st, &ev, NULL, &ml.v[i], from,
			    base, 0, err)) == QRM_OK)
				queued++;
		}
		if (rc == QRM_OK)
			rc = store_audit_add(st, a->name, "event.invite",
			    "event", ev.title, err);
		if (rc == QRM_OK)
			rc = store_tx_commit_quiet(st, err);
		else
			store_tx_rollback(st);
	}
	free(slugs);
	member_list_free(&ml);
	event_clear(&ev);
	if (rc != QRM_OK) {
		json_decref(skipped);
		return rc;
	}
	*report = json_pack("{s:I, s:o}", "queued", (json_int_t)queued,
	    "skipped", skipped);
	return QRM_OK;
}

/*
 * REQUEST again, or CANCEL (cancel), to everyone invited to ev: of the
 * whole event, or of one date of it (oc), inside the caller's
 * transaction.
 */
static int
follow(struct qrm *q, struct store *st, const struct event *ev,
    const struct occ_change *oc, int cancel, struct qrm_error *err)
{
	struct strv	 ids;
	struct member	 m;
	int64_t		 id;
	size_t		 i;
	int		 rc;

	if ((rc = store_invitees(st, ev->id, &ids, err)) != QRM_OK)
		return rc;
	for (i = 0; i < ids.n && rc == QRM_OK; i++) {
		if (parse_int64(ids.v[i], &id) == -1 ||
		    store_member_get(st, id, &m, NULL) != QRM_OK)
			continue;
		rc = invite_mail(st, ev, oc, &m, sender(), qrm_base_url(q),
		    cancel, err);
		member_clear(&m);
	}
	strv_free(&ids);
	return rc;
}

/*
 * After a change that matters to event ev (SEQUENCE raised), or its
 * cancellation: REQUEST again, or CANCEL, to everyone invited, inside
 * the caller's transaction.
 */
int
core_invitations_follow(struct qrm *q, struct store *st,
    const struct event *ev, struct qrm_error *err)
{
	return follow(q, st, ev, NULL, ev->status == EVSTATUS_CANCELLED, err);
}

/*
 * After one date of the series ev changed on its own (o, where it now
 * is; was_cancelled if it had been cancelled): a REQUEST for that date
 * alone (RECURRENCE-ID), or a CANCEL, to everyone invited, inside the
 * caller's transaction.
 */
int
core_invitations_follow_occurrence(struct qrm *q, struct store *st,
    const struct event *ev, const struct occurrence *o, int was_cancelled,
    struct qrm_error *err)
{
	struct occ_change	 oc;
	struct event		 view;

	core_occurrence_view(ev, o, &view);
	oc.key = o->start;
	oc.view = &view;
	oc.was_cancelled = was_cancelled;
	return follow(q, st, ev, &oc, view.status == EVSTATUS_CANCELLED, err);
}

#define ANSWER_DATES	60	/* dates of a series one answer covers */

/* One answer for one date (or a one-off event), recorded as m's own. */
static int
answer_one(struct qrm *q, const struct member *m, int64_t event,
    const char *occurrence, const char *answer, struct attendance *out,
    struct qrm_error *err)
{
	struct actor	 door;
	json_t		*body;
	char		 name[300];
	int		 rc;

	/* the member's own answer, recorded by the invitation's right */
	snprintf(name, sizeof(name), "invitation: %s", m->email);
	door.member = m->id;
	door.role = ROLE_ADMIN;
	door.name = name;
	body = json_pack("{s:s}", "rsvp", answer);
	if (occurrence != NULL && *occurrence != '\0')
		json_object_set_new(body, "occurrence", json_string(
		    occurrence));
	rc = core_attendance_set(q, &door, event, m->id, body, out, err);
	json_decref(body);
	return rc;
}

/*
 * The answer (accepted, declined, tentative) as an RSVP set by m: for
 * one date of a series when occurrence is given; for a whole series,
 * for each of its dates still to come in the next year (at most
 * ANSWER_DATES), as a calendar app's answer to a series means.  *out:
 * the record of the first date.
 */
static int
answer_as(struct qrm *q, const struct member *m, const struct event *ev,
    const char *occurrence, const char *answer, struct attendance *out,
    struct qrm_error *err)
{
	struct occurrence	*o = NULL;
	struct attendance	 rec;
	size_t			 n = 0, i, done = 0;
	int64_t			 now = (int64_t)time(NULL);
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (strcmp(answer, "accepted") && strcmp(answer, "declined") &&
	    strcmp(answer, "tentative"))
		return qrm_seterr(err, QRM_EINVAL, "answer", "the answer must "
		    "be accepted, declined or tentative");
	if (ev->rrule == NULL || (occurrence != NULL && *occurrence != '\0'))
		return answer_one(q, m, ev->id, occurrence, answer, out, err);
	if ((rc = ical_event_occurrences(ev, now, now + 366 * 86400, &o, &n,
	    err)) != QRM_OK)
		return rc;
	for (i = 0; i < n && done < ANSWER_DATES && rc == QRM_OK; i++) {
		if (o[i].start_utc <= now)
			continue;	/* begun already */
		if (done++ == 0)
			rc = answer_one(q, m, ev->id, o[i].start, answer, out,
			    err);
		else if ((rc = answer_one(q, m, ev->id, o[i].start, answer,
		    &rec, err)) == QRM_OK)
			attendance_clear(&rec);
	}
	if (rc == QRM_OK && done == 0)
		rc = qrm_seterr(err, QRM_ECONFLICT, "occurrence", "no date of "
		    "this series is still to come");
	free(o);
	return rc;
}

/*
 * The invitation behind an answer link's secret: its meeting and whom
 * it was for; with answer set, that answer recorded (*rec: the record
 * with any waiting-list place).
 */
int
core_invitation_answer(struct qrm *q, const char *secret, const char *date,
    const char *answer, struct event *ev, struct member *m,
    struct attendance *rec, struct qrm_error *err)
{
	struct store	*st;
	char		 hash[65];
	int64_t		 event, member;
	int		 seq, rc;

	event_init(ev);
	memset(m, 0, sizeof(*m));
	memset(rec, 0, sizeof(*rec));
	if (core_secret_hash(secret, hash) == -1)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "this invitation "
		    "link is not known");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_invitation_find(st, hash, &event, &member, &seq,
	    err)) != QRM_OK ||
	    (rc = store_event_get(st, event, ev, err)) != QRM_OK ||
	    (rc = store_member_get(st, member, m, err)) != QRM_OK)
		return rc;
	if (!m->active)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "this invitation "
		    "link is not known");
	if (ev->status == EVSTATUS_CANCELLED)
		return qrm_seterr(err, QRM_ECONFLICT, "event", "the meeting was "
		    "cancelled");
	if (date != NULL && *date != '\0') {
		struct occurrence	o;
		int			cancelled;
		char			key[LOCAL_TIME_LEN];

		core_local_normal(date, ev->all_day, key);
		if ((rc = core_occurrence_find(ev, key, &o, &cancelled, err)) !=
		    QRM_OK)
			return rc;
		if (cancelled)
			return qrm_seterr(err, QRM_ECONFLICT, "occurrence",
			    "this date was cancelled");
	}
	if (answer == NULL)
		return QRM_OK;
	(void)event;
	return answer_as(q, m, ev, date, answer, rec, err);
}

/*
 * The date of ev a reply's RECURRENCE-ID names, as its key (key[0] is
 * '\0' for the whole event), and the SEQUENCE that date now has.
 */
static int
reply_date(const struct event *ev, const struct itip_reply *r, char *key,
    int *seq, struct qrm_error *err)
{
	struct occurrence	o;
	int			cancelled, rc;

	key[0] = '\0';
	*seq = ev->sequence;
	if (r->occurrence[0] == '\0')
		return QRM_OK;
	if (ev->rrule == NULL)
		return qrm_seterr(err, QRM_EINVAL, "recurrence-id", "the reply "
		    "names one date of a meeting that happens once");
	if (r->occurrence_instant) {
		if (ical_utc_to_local(r->occurrence_utc, ev->tzid, key,
		    LOCAL_TIME_LEN) == -1)
			return qrm_seterr(err, QRM_EINVAL, "recurrence-id",
			    "the reply's RECURRENCE-ID cannot be read");
	} else
		core_local_normal(r->occurrence, ev->all_day, key);
	if (ev->all_day)
		key[10] = '\0';
	if ((rc = core_occurrence_find(ev, key, &o, &cancelled, err)) !=
	    QRM_OK)
		return rc;
	if (cancelled)
		return qrm_seterr(err, QRM_ECONFLICT, "recurrence-id", "the "
		    "date %s was cancelled", key);
	if (o.ov != NULL && o.ov->sequence > *seq)
		*seq = o.ov->sequence;
	return QRM_OK;
}

/* The first text/calendar in a mail (or the text itself), decoded. */
static char *
calendar_of(const char *text, size_t len)
{
	const char	*p, *end = text + len, *b, *e;
	unsigned char	*bin;
	size_t		 n;

	if ((p = memmem(text, len, "BEGIN:VCALENDAR", 15)) != NULL &&
	    (e = memmem(p, (size_t)(end - p), "END:VCALENDAR", 13)) != NULL)
		return strndup(p, (size_t)(e + 13 - p));
	/* a base64 part: after "Content-Type: text/calendar", a blank line */
	for (p = text; (p = memmem(p, (size_t)(end - p), "text/calendar",
	    13)) != NULL; p += 13) {
		if ((b = memmem(p, (size_t)(end - p), "\r\n\r\n", 4)) != NULL)
			b += 4;
		else if ((b = memmem(p, (size_t)(end - p), "\n\n", 2)) != NULL)
			b += 2;
		else
			break;
		for (e = b; e < end && *e != '-'; e++)
			;
		if ((bin = malloc((size_t)(e - b) + 1)) == NULL)
			return NULL;
		if (sodium_base642bin(bin, (size_t)(e - b), b, (size_t)(e - b),
		    " \r\n\t", &n, NULL, sodium_base64_VARIANT_ORIGINAL) == 0) {
			bin[n] = '\0';
			if (strstr((char *)bin, "BEGIN:VCALENDAR") != NULL)
				return (char *)bin;
		}
		free(bin);
	}
	return NULL;
}

/*
 * A METHOD:REPLY (an iCalendar text, or a whole mail with one in it):
 * matched by UID, ATTENDEE address and SEQUENCE to an invitation, it
 * sets that member's answer, the waiting list honoured.  A reply to an
 * older SEQUENCE, from someone not invited, or to no meeting of ours is
 * refused and changes nothing.  *report: {"event", "member", "rsvp",
 * "waiting_position"}.
 */
int
core_itip_reply(struct qrm *q, const char *text, size_t len, json_t **report,
    struct qrm_error *err)
{
	struct store		*st;
	struct itip_reply	 r;
	struct event		 ev;
	struct member		 m;
	struct attendance	 rec;
	char			*cal, key[LOCAL_TIME_LEN];
	int			 seq, rc;

	*report = NULL;
	memset(&rec, 0, sizeof(rec));
	if (len > 1024 * 1024)
		return qrm_seterr(err, QRM_ETOOBIG, "", "a reply is at most "
		    "1 MiB");
	if ((cal = calendar_of(text, len)) == NULL)
		return qrm_seterr(err, QRM_EINVAL, "", "no iCalendar object "
		    "(BEGIN:VCALENDAR) was found");
	rc = ical_reply_parse(cal, &r, err);
	free(cal);
	if (rc != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (store_event_get_uid(st, r.uid, &ev, NULL) != QRM_OK)
		return qrm_seterr(err, QRM_ENOTFOUND, "uid", "no meeting has "
		    "the UID '%s'", r.uid);
	if (store_member_get_email(st, r.email, &m, NULL) != QRM_OK) {
		event_clear(&ev);
		return qrm_seterr(err, QRM_EFORBIDDEN, "attendee", "'%s' is not "
		    "a member", r.email);
	}
	if (store_invitation_get(st, ev.id, m.id, &seq, NULL) != QRM_OK)
		rc = qrm_seterr(err, QRM_EFORBIDDEN, "attendee", "%s was not "
		    "invited to '%s'", r.email, ev.title);
	else if (r.sequence < ev.sequence)
		rc = qrm_seterr(err, QRM_ECONFLICT, "sequence", "the reply is "
		    "to an older version of the meeting (SEQUENCE %d, now %d): "
		    "it changed since", r.sequence, ev.sequence);
	else if ((rc = reply_date(&ev, &r, key, &seq, err)) == QRM_OK &&
	    r.sequence < seq)
		rc = qrm_seterr(err, QRM_ECONFLICT, "sequence", "the reply is "
		    "to an older version of that date (SEQUENCE %d, now %d): "
		    "it changed since", r.sequence, seq);
	else if (rc == QRM_OK && (rc = answer_as(q, &m, &ev, key, r.answer,
	    &rec, err)) == QRM_OK) {
		*report = json_pack("{s:I, s:I, s:s, s:s, s:i}", "event",
		    (json_int_t)ev.id, "member", (json_int_t)m.id, "email",
		    m.email, "rsvp", r.answer, "waiting_position",
		    rec.waitlisted ? rec.wait_position : 0);
		if (key[0] != '\0')
			json_object_set_new(*report, "occurrence",
			    json_string(key));
		attendance_clear(&rec);
	}
	member_clear(&m);
	event_clear(&ev);
	return rc;
}

/*
 * The audiences member id wants no invitation mail for: set to body
 * {"audiences": [slugs]} when body is not NULL (officials, or the
 * member), and given back as {"member", "audiences"}.
 */
int
core_optouts(struct qrm *q, const struct actor *a, int64_t id,
    const json_t *body, json_t **out, struct qrm_error *err)
{
	struct store	*st;
	struct member	 m;
	struct strv	 slugs = { 0 };
	json_t		*v, *list;
	size_t		 i;
	int		 rc;

	*out = NULL;
	if (a->member != id && (rc = core_require_role(a, ROLE_OFFICIAL,
	    err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_member_get(st, id, &m, err)) != QRM_OK)
		return rc;
	member_clear(&m);
	if (body != NULL) {
		v = json_object_get(body, "audiences");
		if (!json_is_array(v) || json_object_size(body) != 1)
			return qrm_seterr(err, QRM_EINVAL, "audiences", "send "
			    "{\"audiences\": [slugs]}");
		for (i = 0; i < json_array_size(v); i++) {
			struct audience	au;

			if (!json_is_string(json_array_get(v, i)) ||
			    store_audience_get(st, json_string_value(
			    json_array_get(v, i)), &au, NULL) != QRM_OK) {
				strv_free(&slugs);
				return qrm_seterr(err, QRM_EINVAL, "audiences",
				    "unknown audience");
			}
			audience_clear(&au);
			strv_push(&slugs, json_string_value(json_array_get(v,
			    i)));
		}
		if ((rc = store_tx_begin(st, err)) == QRM_OK) {
			if ((rc = store_optout_set(st, id, &slugs, err)) !=
			    QRM_OK)
				store_tx_rollback(st);
			else
				rc = store_tx_commit_quiet(st, err);
		}
		strv_free(&slugs);
		if (rc != QRM_OK)
			return rc;
	}
	if ((rc = store_optout_list(st, id, &slugs, err)) != QRM_OK)
		return rc;
	list = json_array();
	for (i = 0; i < slugs.n; i++)
		json_array_append_new(list, json_string(slugs.v[i]));
	strv_free(&slugs);
	*out = json_pack("{s:I, s:o}", "member", (json_int_t)id, "audiences",
	    list);
	return QRM_OK;
}
