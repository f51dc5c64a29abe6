/*
 * page_occurrence.c: one date of a series, for officials: move it,
 * give it another place, cancel it alone, or put it back as the series
 * has it.  The other dates stay as they are; everyone invited is sent
 * the change of that date by e-mail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

/* "2027-01-12T18:00:00" into the form's date and time fields. */
static void
form_times(json_t *f, const char *start, const char *end, int all_day)
{
	json_object_set_new(f, "date", json_stringn(start, 10));
	json_object_set_new(f, "end_date", json_stringn(end, 10));
	if (!all_day) {
		json_object_set_new(f, "start_time", json_stringn(start + 11,
		    5));
		json_object_set_new(f, "end_time", json_stringn(end + 11, 5));
	}
}

/* The form's fields as the API's change of one date; NULL: bad input. */
static json_t *
form_body(const json_t *f, int all_day, struct qrm_error *err)
{
	const char	*date = json_string_value(json_object_get(f, "date"));
	const char	*end_date = json_string_value(json_object_get(f,
			    "end_date"));
	const char	*st = json_string_value(json_object_get(f,
			    "start_time"));
	const char	*et = json_string_value(json_object_get(f,
			    "end_time"));
	const char	*loc = json_string_value(json_object_get(f,
			    "location"));
	json_t		*o;

	if (date == NULL || strlen(date) != 10) {
		qrm_seterr(err, QRM_EINVAL, "date", "give the date it is on");
		return NULL;
	}
	if (end_date == NULL || *end_date == '\0')
		end_date = date;
	if (!all_day && (st == NULL || strlen(st) != 5 || et == NULL ||
	    strlen(et) != 5)) {
		qrm_seterr(err, QRM_EINVAL, st == NULL || strlen(st) != 5 ?
		    "start_time" : "end_time", "give the times as HH:MM");
		return NULL;
	}
	o = json_object();
	if (all_day) {
		json_object_set_new(o, "start", json_string(date));
		json_object_set_new(o, "end", json_string(end_date));
	} else {
		json_object_set_new(o, "start", json_sprintf("%sT%s", date,
		    st));
		json_object_set_new(o, "end", json_sprintf("%sT%s", end_date,
		    et));
	}
	/* no place of its own: the series' */
	json_object_set_new(o, "location", loc && *loc ? json_string(loc) :
	    json_null());
	if (json_string_value(json_object_get(f, "force")) != NULL)
		json_object_set_new(o, "force", json_true());
	return o;
}

/* The page of one date: what it is now, and what may be done. */
static enum MHD_Result
date_page(struct request *r, const struct page_user *u, const struct event *ev,
    const json_t *occ, const json_t *values, const char *bad,
    const char *why, unsigned int status, const char *done)
{
	struct html_form	 f;
	struct buf		 b = { 0 };
	const char		*key = json_string_value(json_object_get(occ,
				    "occurrence"));
	const char		*start = json_string_value(json_object_get(occ,
				    "start"));
	int			 cancelled = strcmp(json_string_value(
				    json_object_get(occ, "status")),
				    "cancelled") == 0;
	int			 moved = json_is_true(json_object_get(occ,
				    "moved"));
	char			 action[160];

	html_begin(&b, "One date", u->s.csrf);
	html_raw_trusted(&b, "<h1>");
	html_text(&b, ev->title);
	html_raw_trusted(&b, ": one date</h1>");
	html_notice(&b, 200, done);
	html_raw_trusted(&b, "<p>The series puts this date on ");
	html_when(&b, key, 1);
	html_raw_trusted(&b, ". ");
	if (cancelled)
		html_raw_trusted(&b, "<strong>It is cancelled</strong>; the "
		    "other dates are on.");
	else if (moved) {
		html_raw_trusted(&b, "<strong>It has moved</strong> to ");
		html_when(&b, start, 1);
		html_raw_trusted(&b, ".");
	} else
		html_raw_trusted(&b, "It is on as the series has it.");
	html_raw_trusted(&b, "</p><p class=\"hint\">A change here is for this "
	    "date only. Everyone invited is sent it by e-mail, and calendars "
	    "that subscribe show it at their next refresh.</p>");
	snprintf(action, sizeof(action), "/events/%lld/dates/%s",
	    (long long)ev->id, key);
	memset(&f, 0, sizeof(f));
	f.b = &b;
	f.values = values;
	f.bad = bad;
	f.why = why;
	if (!cancelled) {
		html_raw_trusted(&b, "<h2>Move it, or meet elsewhere</h2>");
		html_form_begin(&f, action, u->s.csrf);
		html_form_problem(&f);
		html_input(&f, "date", "Date", "date", NULL);
		if (ev->all_day)
			html_input(&f, "end_date", "Last day", "date", NULL);
		else {
			html_input(&f, "start_time", "Starts", "time", NULL);
			html_input(&f, "end_time", "Ends", "time", NULL);
		}
		html_input(&f, "location", "Where", "text", "Leave it empty "
		    "to meet where the series meets");
		if (status == 409)
			html_checkbox(&f, "force", "Book it anyway: I know "
			    "it double-books someone");
		html_raw_trusted(&b, "<p><button type=\"submit\" name=\"do\" "
		    "value=\"save\">Save this date</button></p></form>");
		html_raw_trusted(&b, "<h2>Not meeting that day?</h2>");
		html_form_begin(&f, action, u->s.csrf);
		html_raw_trusted(&b, "<p><button type=\"submit\" class=\"warn\" "
		    "name=\"do\" value=\"cancel\">Cancel this date only"
		    "</button></p></form>");
	} else {
		html_form_begin(&f, action, u->s.csrf);
		html_form_problem(&f);
		html_raw_trusted(&b, "<p><button type=\"submit\" name=\"do\" "
		    "value=\"restore\">It is on after all</button></p></form>");
	}
	if (moved || cancelled) {
		html_form_begin(&f, action, u->s.csrf);
		html_raw_trusted(&b, "<p><button type=\"submit\" class=\"plain\" "
		    "name=\"do\" value=\"reset\">Put it back as the series has "
		    "it</button></p></form>");
	}
	buf_printf(&b, "<p><a href=\"/events/%lld\">Back to the meeting</a>"
	    "</p>", (long long)ev->id);
	html_end(&b);
	return html_send(r, status, &b, NULL, NULL, NULL);
}

/* GET and POST /events/{id}/dates/{start as the series gives it} */
enum MHD_Result
page_occurrence(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct event		 ev;
	enum MHD_Result		 ret;
	json_t			*occ = NULL, *body = NULL, *f = NULL;
	const char		*what = NULL;
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	if ((rc = core_event_get(r->q, &u.a, c->id[0], &ev, &err)) != QRM_OK ||
	    (rc = core_occurrence_get(r->q, &u.a, c->id[0], c->word, &occ,
	    &err)) != QRM_OK) {
		ret = page_error(r, rc, &err);
		goto out;
	}
	if (c->json != NULL) {
		what = json_string_value(json_object_get(c->json, "do"));
		if (!page_csrf_ok(c, &u.s))
			rc = qrm_seterr(&err, QRM_EFORBIDDEN, "date", "the page "
			    "had expired: please send it again");
		else if (what != NULL && strcmp(what, "cancel") == 0)
			body = json_pack("{s:s}", "status", "cancelled");
		else if (what != NULL && strcmp(what, "restore") == 0)
			body = json_pack("{s:s}", "status", "confirmed");
		else if (what != NULL && strcmp(what, "reset") == 0)
			body = json_pack("{s:b}", "reset", 1);
		else
			body = form_body(c->json, ev.all_day, &err);
		if (rc == QRM_OK && body == NULL)
			rc = err.code ? err.code : QRM_EINVAL;
		if (rc == QRM_OK) {
			json_decref(occ);
			occ = NULL;
			rc = core_occurrence_change(r->q, &u.a, c->id[0],
			    c->word, body, &occ, &err);
		}
		if (rc == QRM_OK) {
			char	where[160];

			snprintf(where, sizeof(where), "/events/%lld/dates/%s"
			    "?done=%s", (long long)ev.id, json_string_value(
			    json_object_get(occ, "occurrence")), what ? what :
			    "save");
			ret = html_redirect(r, where, "Saved");
			goto out;
		}
		if (occ == NULL)
			core_occurrence_get(r->q, &u.a, c->id[0], c->word, &occ,
			    NULL);
		if (occ == NULL) {
			ret = page_error(r, rc, &err);
			goto out;
		}
		ret = date_page(r, &u, &ev, occ, c->json, err.field[0] ?
		    (strcmp(err.field, "start") == 0 ? "start_time" :
		    strcmp(err.field, "end") == 0 ? "end_time" : err.field) :
		    "date", err.msg, (unsigned int)http_status_of(rc), NULL);
		goto out;
	}
	f = json_object();
	form_times(f, json_string_value(json_object_get(occ, "start")),
	    json_string_value(json_object_get(occ, "end")), ev.all_day);
	if (json_is_string(json_object_get(occ, "location")) &&
	    (ev.location == NULL || strcmp(ev.location, json_string_value(
	    json_object_get(occ, "location"))) != 0))
		json_object_set(f, "location", json_object_get(occ,
		    "location"));
	what = http_arg(r, "done");
	ret = date_page(r, &u, &ev, occ, f, NULL, NULL, 200, what == NULL ?
	    NULL : strcmp(what, "cancel") == 0 ? "This date is cancelled. "
	    "Those invited have been told." : strcmp(what, "restore") == 0 ?
	    "This date is on again. Those invited have been told." :
	    "Saved. Those invited have been told.");
out:
	json_decref(f);
	json_decref(body);
	json_decref(occ);
	event_clear(&ev);
	page_user_clear(&u);
	return ret;
}
