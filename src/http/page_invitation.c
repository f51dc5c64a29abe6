/*
 * page_invitation.c: the "Going" and "Not going" links of an invitation
 * by e-mail, which work without a calendar app and without signing in.
 * Opening one shows the meeting and a button (a mail scanner that
 * fetches every link answers nothing); pressing it records the answer,
 * with the place on the waiting list when the meeting is full.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"
#include "quorum/ical.h"

/* GET and POST /invitations/{secret}[?answer=accepted|declined] */
enum MHD_Result
page_invitation(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	struct member		 m;
	struct attendance	 rec;
	struct buf		 b = { 0 };
	const char		*answer, *date;
	char			 action[128], when[LOCAL_TIME_LEN];
	int			 rc, post = c->json != NULL;
	enum MHD_Result		 ret;

	answer = post ? json_string_value(json_object_get(c->json,
	    "answer")) : http_arg(r, "answer");
	/* the answer may be for one date of a series */
	date = post ? json_string_value(json_object_get(c->json, "date")) :
	    http_arg(r, "date");
	if (date != NULL && *date == '\0')
		date = NULL;
	if (answer != NULL && strcmp(answer, "accepted") != 0 &&
	    strcmp(answer, "declined") != 0)
		answer = NULL;
	rc = core_invitation_answer(r->q, c->word, date, post ? answer : NULL, &ev,
	    &m, &rec, &err);
	if (rc == QRM_ENOTFOUND) {
		event_clear(&ev);
		member_clear(&m);
		return page_fail(r, QRM_ENOTFOUND, "this invitation link is "
		    "not known: it may be from an older invitation");
	}
	html_begin(&b, ev.title ? ev.title : "Invitation", NULL);
	html_raw_trusted(&b, "<h1>");
	html_text(&b, ev.title ? ev.title : "Invitation");
	html_raw_trusted(&b, "</h1>");
	if (ev.title != NULL) {
		struct occurrence	o;
		int			cancelled;

		/* one date: where it now is; a series: when it begins */
		snprintf(when, sizeof(when), "%s", ev.start);
		if (date != NULL && ical_event_occurrence(&ev, date, &o,
		    &cancelled) && !cancelled)
			ical_utc_to_local(o.start_utc, ev.tzid, when,
			    sizeof(when));
		html_raw_trusted(&b, "<p>");
		if (ev.rrule != NULL && date == NULL)
			html_raw_trusted(&b, "Every date of the series, from ");
		html_when(&b, when, 1);
		if (ev.location != NULL) {
			html_raw_trusted(&b, " · ");
			html_text(&b, ev.location);
		}
		html_raw_trusted(&b, "</p>");
	}
	if (rc != QRM_OK)
		html_notice(&b, (unsigned int)http_status_of(rc), err.msg);
	else if (post) {
		html_raw_trusted(&b, "<p class=\"notice\" role=\"status\">");
		if (strcmp(answer, "declined") == 0)
			html_raw_trusted(&b, "Thank you: you are down as not "
			    "going.");
		else if (rec.waitlisted)
			buf_printf(&b, "The meeting is full: you are number %d "
			    "on the waiting list, and will be told when a place "
			    "frees.", rec.wait_position > 0 ?
			    rec.wait_position : 1);
		else
			html_raw_trusted(&b, "Thank you: you are going.");
		html_raw_trusted(&b, "</p><p>Changed your mind? Use the other "
		    "link in the e-mail, or your page.</p>");
		attendance_clear(&rec);
	} else {
		/* no session here: the secret in the path is the proof */
		snprintf(action, sizeof(action), "/invitations/%s", c->word);
		html_raw_trusted(&b, "<p>Dear ");
		html_text(&b, m.name);
		html_raw_trusted(&b, ", are you coming?</p><form method=\"post\" "
		    "action=\"");
		html_text(&b, action);
		html_raw_trusted(&b, "\">");
		if (date != NULL)
			html_hidden(&b, "date", date);
		html_raw_trusted(&b, "<button type=\"submit\" name=\"answer\" "
		    "value=\"accepted\">");
		html_raw_trusted(&b, answer && strcmp(answer, "declined") == 0 ?
		    "Going after all</button>" : "Yes, I am going</button>");
		html_raw_trusted(&b, "<button type=\"submit\" class=\"plain\" "
		    "name=\"answer\" value=\"declined\">Not going</button>"
		    "</form>");
	}
	buf_printf(&b, "<p><a href=\"/events/%lld\">The meeting's page</a>"
	    "</p>", (long long)ev.id);
	html_end(&b);
	ret = html_send(r, rc == QRM_OK ? 200 : (unsigned int)http_status_of(
	    rc), &b, NULL, NULL, NULL);
	event_clear(&ev);
	member_clear(&m);
	return ret;
}

/* GET and POST /offers/{secret}: take a place that freed. */
enum MHD_Result
page_offer(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	struct member		 m;
	struct buf		 b = { 0 };
	enum MHD_Result		 ret;
	char			 when[LOCAL_TIME_LEN + 4], action[128];
	int64_t			 until;
	int			 rc, take = c->json != NULL;

	rc = core_offer(r->q, c->word, take, &ev, &m, &until, &err);
	if (rc == QRM_ENOTFOUND) {
		event_clear(&ev);
		member_clear(&m);
		return page_fail(r, rc, "this offer is not known: it may have "
		    "passed to the next person");
	}
	html_begin(&b, "A place for you", NULL);
	html_raw_trusted(&b, "<h1>");
	html_text(&b, ev.title ? ev.title : "A place for you");
	html_raw_trusted(&b, "</h1>");
	if (rc != QRM_OK)
		html_notice(&b, (unsigned int)http_status_of(rc), err.msg);
	else if (take)
		html_notice(&b, 200, "The place is yours: see you there.");
	else {
		ical_utc_to_local(until, ev.tzid, when, sizeof(when));
		html_raw_trusted(&b, "<p>Dear ");
		html_text(&b, m.name);
		html_raw_trusted(&b, ", a place has freed and it is held for you "
		    "until ");
		html_when(&b, when, 1);
		html_raw_trusted(&b, " (");
		html_text(&b, ev.tzid);
		html_raw_trusted(&b, " time).</p>");
		snprintf(action, sizeof(action), "/offers/%s", c->word);
		html_raw_trusted(&b, "<form method=\"post\" action=\"");
		html_text(&b, action);
		html_raw_trusted(&b, "\"><button type=\"submit\" name=\"take\" "
		    "value=\"1\">Take the place</button></form>");
	}
	html_end(&b);
	ret = html_send(r, rc == QRM_OK ? 200 : (unsigned int)http_status_of(
	    rc), &b, NULL, NULL, NULL);
	event_clear(&ev);
	member_clear(&m);
	return ret;
}
