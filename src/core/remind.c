/*
 * remind.c: an e-mail before each meeting a member accepted (and has a
 * place at), through the outbox, with the meeting's .ics; each sent
 * once.  By default a day before, and an hour before an online meeting;
 * $QUORUM_REMINDERS changes that for all and by kind of meeting
 * ("default=P1D; online=PT1H; jes_panel=P2D,P1D"), and a member's own
 * "reminders" ("P1D,PT1H", or "none") wins over both.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

#define REMIND_MAX	4		/* leads in a list */
#define REMIND_AHEAD	(14 * 86400)	/* the longest lead */

/* "P1D", "PT1H", "PT30M", "P1DT12H" as seconds; -1 if not one. */
static int64_t
lead_of(const char *s, size_t len)
{
	int64_t	 total = 0, v;
	int	 time_part = 0;
	size_t	 i = 1;

	if (len < 3 || s[0] != 'P')
		return -1;
	while (i < len) {
		if (s[i] == 'T') {
			time_part = 1;
			i++;
			continue;
		}
		if (!isdigit((unsigned char)s[i]))
			return -1;
		for (v = 0; i < len && isdigit((unsigned char)s[i]); i++)
			v = v * 10 + (s[i] - '0');
		if (i == len || v > 10000)
			return -1;
		if (s[i] == 'D' && !time_part)
			total += v * 86400;
		else if (s[i] == 'H' && time_part)
			total += v * 3600;
		else if (s[i] == 'M' && time_part)
			total += v * 60;
		else
			return -1;
		i++;
	}
	return total > 0 && total <= REMIND_AHEAD ? total : -1;
}

/*
 * A list of leads ("P1D,PT1H", or "none": no reminders) into leads
 * (room for REMIND_MAX; may be NULL: a check); how many, or -1.
 */
int
reminders_parse(const char *s, int64_t *leads)
{
	const char	*p = s, *e;
	int64_t		 l;
	int		 n = 0;

	if (strcasecmp(s, "none") == 0)
		return 0;
	for (; *p != '\0'; p = *e ? e + 1 : e) {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, ",");
		if ((l = lead_of(p, (size_t)(e - p) - (e > p && e[-1] == ' ')))
		    == -1 || n == REMIND_MAX)
			return -1;
		if (leads != NULL)
			leads[n] = l;
		n++;
	}
	return n > 0 ? n : -1;
}

/*
 * The leads for a meeting of kind (online or not) from $QUORUM_REMINDERS
 * ("default=P1D; online=PT1H; jes_panel=P2D,P1D"): the kind's own list
 * or the default, and the online list too.
 */
static int
kind_leads(enum event_kind kind, int online, int64_t *leads)
{
	const char	*env = getenv("QUORUM_REMINDERS"), *p, *e, *eq;
	char		 key[32], list[128];
	int64_t		 tmp[REMIND_MAX];
	int		 n = 0, k, i, have_kind = 0;

	if (env == NULL || *env == '\0')
		env = "default=P1D; online=PT1H";
	for (k = 0; k < 3; k++) {	/* kind, default, online */
		if ((k == 1 && have_kind) || (k == 2 && !online))
			continue;
		for (p = env; *p != '\0'; p = *e ? e + 1 : e) {
			while (*p == ' ')
				p++;
			e = p + strcspn(p, ";");
			if ((eq = memchr(p, '=', (size_t)(e - p))) == NULL)
				continue;
			snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
			snprintf(list, sizeof(list), "%.*s", (int)(e - eq - 1),
			    eq + 1);
			if (strcmp(key, k == 0 ? event_kind_names[kind] : k ==
			    1 ? "default" : "online") != 0)
				continue;
			have_kind |= k == 0;
			for (i = 0; i < reminders_parse(list, tmp) &&
			    n < REMIND_MAX; i++)
				leads[n++] = tmp[i];
		}
	}
	return n;
}

/* One reminder's words. */
static char *
remind_text(const struct event *ev, const struct member *m, const char *base)
{
	struct buf	b = { 0 };

	buf_printf(&b, "Dear %s,\n\nA reminder: you are going to %s.\n\n",
	    m->name, ev->title);
	core_meeting_words(&b, ev, NULL);
	buf_printf(&b, "\nCannot come after all? Send your apologies on your "
	    "page: %s/me\n\n-- \nquorum. To stop these reminders, ask the union "
	    "office.\n", base);
	return buf_detach(&b);
}

struct booked {
	struct strv	who;	/* "member\toccurrence" */
};

static int
booked_row(void *arg, int64_t member, const char *occurrence)
{
	struct booked	*b = arg;
	char		 line[64];

	snprintf(line, sizeof(line), "%lld\t%s", (long long)member,
	    occurrence ? occurrence : "");
	strv_push(&b->who, line);
	return 0;
}

/*
 * Queue the reminders due at now: for each occurrence starting within
 * the longest lead, each member with a place at it whose lead has come
 * and who was not reminded of it at that lead; one mail even when two
 * leads come due at once.  *queued: how many.
 */
int
core_reminders_send(struct qrm *q, int64_t now, int *queued,
    struct qrm_error *err)
{
	struct store		*st;
	struct event_filter	 f;
	struct event_list	 evs;
	struct occurrence	*o;
	struct member		 m;
	struct booked		 bk;
	struct mail		 mail;
	struct buf		 ics;
	int64_t			 leads[REMIND_MAX], member;
	char			*text, subject[400], *tab;
	size_t			 i, j, k, no;
	int			 n, l, due, sent, rc;

	*queued = 0;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	memset(&f, 0, sizeof(f));
	f.from_utc = now;
	f.to_utc = now + REMIND_AHEAD;
	f.kind = -1;
	f.cancelled_since = INT64_MAX;
	f.now = INT64_MAX;
	if ((rc = store_event_list(st, &f, &evs, err)) != QRM_OK)
		return rc;
	if ((rc = store_tx_begin(st, err)) != QRM_OK) {
		event_list_free(&evs);
		return rc;
	}
	for (i = 0; i < evs.n && rc == QRM_OK; i++) {
		const struct event *ev = &evs.v[i];

		if (ev->status == EVSTATUS_CANCELLED)
			continue;
		memset(&bk, 0, sizeof(bk));
		if (store_event_booked(st, ev->id, NULL, booked_row, &bk,
		    NULL) != QRM_OK || bk.who.n == 0) {
			strv_free(&bk.who);
			continue;
		}
		o = NULL;
		if (ical_event_occurrences(ev, now, now + REMIND_AHEAD, &o, &no,
		    NULL) != QRM_OK)
			no = 0;
		for (j = 0; j < no && rc == QRM_OK; j++) {
			const char *occ = ev->rrule ? o[j].start : "";

			if (o[j].start_utc <= now)
				continue;
			for (k = 0; k < bk.who.n && rc == QRM_OK; k++) {
				tab = strchr(bk.who.v[k], '\t');
				if (tab[1] != '\0' && strcmp(tab + 1,
				    o[j].start) != 0)
					continue;	/* another date */
				member = strtoll(bk.who.v[k], NULL, 10);
				if (store_member_get(st, member, &m, NULL) !=
				    QRM_OK)
					continue;
				n = !m.active ? 0 : m.reminders != NULL ?
				    reminders_parse(m.reminders, leads) :
				    kind_leads(ev->kind, ev->url != NULL, leads);
				for (l = 0, due = 0; l < n; l++) {
					if (o[j].start_utc - leads[l] > now)
						continue;
					store_reminder_sent(st, ev->id, occ,
					    member, leads[l], &sent, NULL);
					if (sent)
						continue;
					due++;
					rc = store_reminder_add(st, ev->id, occ,
					    member, leads[l], now, err);
				}
				if (rc == QRM_OK && due > 0) {
					struct event	view;

					/* the date where it now is */
					core_occurrence_view(ev, &o[j], &view);
					memset(&ics, 0, sizeof(ics));
					ical_itip(ev, NULL, "PUBLISH",
					    "quorum@localhost", &m, &ics, NULL);
					text = remind_text(&view, &m,
					    qrm_base_url(q));
					snprintf(subject, sizeof(subject),
					    "Reminder: %s, %.10s %.5s", ev->title,
					    view.start, view.start + 11);
					memset(&mail, 0, sizeof(mail));
					mail.kind = "reminder";
					mail.member = member;
					mail.recipient = m.email;
					mail.name = m.name;
					mail.subject = subject;
					mail.body = text;
					mail.calendar = ics.p;
					mail.method = "PUBLISH";
					mail.created = now;
					if ((rc = store_outbox_add(st, &mail,
					    err)) == QRM_OK)
						(*queued)++;
					free(text);
					buf_free(&ics);
				}
				member_clear(&m);
			}
		}
		free(o);
		strv_free(&bk.who);
	}
	event_list_free(&evs);
	if (rc != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	return store_tx_commit_quiet(st, err);
}
