/*
 * page_agenda.c: what is coming for an audience, as a list and as a
 * month, and one event's own page.  Whoever may not see an audience or
 * an event gets 404, as if it did not exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

#define AGENDA_DAYS	92	/* the list: the next three months */
#define AGENDA_SHOWN	40	/* and at most so many of them */

static enum MHD_Result
not_found(struct request *r, struct page_user *v, const char *what)
{
	struct buf	b = { 0 };

	html_begin(&b, "Not found", v->signed_in ? v->s.csrf : NULL);
	html_raw_trusted(&b, "<h1>Not found</h1><p>");
	html_text(&b, what);
	html_raw_trusted(&b, "</p><p>");
	html_raw_trusted(&b, v->signed_in ? "<a href=\"/me\">Your page</a>" :
	    "Members' calendars need you to <a href=\"/signin\">sign in</a>.");
	html_raw_trusted(&b, "</p>");
	html_end(&b);
	page_user_clear(v);
	return html_send(r, 404, &b, NULL, NULL, NULL);
}

static const char *const months[] = { "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December" };
static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
    "Fri", "Sat" };

static int
month_days(int y, int m)
{
	static const int	n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				    30, 31 };

	return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 :
	    n[m - 1];
}

/* One event in a list: its day and time, title (a link), place. */
static void
event_line(struct buf *b, const struct event *ev, const char *start)
{
	int	cancelled;
	char	updated[32];

	cancelled = ev->status == EVSTATUS_CANCELLED;
	html_raw_trusted(b, "<li>");
	html_raw_trusted(b, "<span class=\"when\">");
	html_when(b, start, 0);
	html_raw_trusted(b, "</span> ");
	html_raw_trusted(b, cancelled ? "<del>" : "");
	buf_printf(b, "<a href=\"/events/%lld\">", (long long)ev->id);
	html_text(b, ev->title);
	html_raw_trusted(b, "</a>");
	html_raw_trusted(b, cancelled ? "</del>" : "");
	if (cancelled) {
		utc_format(ev->updated, updated, sizeof(updated));
		html_raw_trusted(b, " <strong class=\"error\">cancelled on ");
		updated[10] = '\0';
		html_when(b, updated, 1);
		html_raw_trusted(b, "</strong>");
	}
	if (ev->location != NULL) {
		html_raw_trusted(b, " <span class=\"hint\">");
		html_text(b, ev->location);
		html_raw_trusted(b, "</span>");
	}
	html_raw_trusted(b, "</li>\n");
}

/* The month of year y, month mo as a table, each day with its events. */
static void
month_table(struct buf *b, const struct event_list *evs, int y, int mo,
    const char *slug)
{
	int	first = (html_weekday(y, mo, 1) + 6) % 7, n = month_days(y, mo);
	int	d, col, py = mo == 1 ? y - 1 : y, pm = mo == 1 ? 12 : mo - 1;
	int	ny = mo == 12 ? y + 1 : y, nm = mo == 12 ? 1 : mo + 1;
	char	day[32];
	size_t	i;

	buf_printf(b, "<h2 id=\"month\">%s %d</h2><p><a href=\"/audiences/",
	    months[mo - 1], y);
	html_text(b, slug);
	buf_printf(b, "?month=%04d-%02d#month\">Previous month</a> · <a "
	    "href=\"/audiences/", py, pm);
	html_text(b, slug);
	buf_printf(b, "?month=%04d-%02d#month\">Next month</a></p>", ny, nm);
	html_raw_trusted(b, "<table class=\"month\"><caption>Meetings by "
	    "day</caption><thead><tr>");
	for (col = 1; col <= 7; col++)
		buf_printf(b, "<th scope=\"col\">%s</th>", days[col % 7]);
	html_raw_trusted(b, "</tr></thead><tbody><tr>");
	for (col = 0; col < first; col++)
		html_raw_trusted(b, "<td></td>");
	for (d = 1; d <= n; d++, col++) {
		if (col == 7) {
			html_raw_trusted(b, "</tr><tr>");
			col = 0;
		}
		snprintf(day, sizeof(day), "%04d-%02d-%02d", y, mo, d);
		buf_printf(b, "<td><span class=\"day\">%d</span>", d);
		for (i = 0; i < evs->n; i++) {
			if (strncmp(evs->v[i].start, day, 10) != 0)
				continue;
			buf_printf(b, "<a href=\"/events/%lld\">",
			    (long long)evs->v[i].id);
			html_raw_trusted(b, evs->v[i].status ==
			    EVSTATUS_CANCELLED ? "<del>" : "");
			html_text(b, evs->v[i].title);
			html_raw_trusted(b, evs->v[i].status ==
			    EVSTATUS_CANCELLED ? "</del>" : "");
			html_raw_trusted(b, "</a>");
		}
		html_raw_trusted(b, "</td>");
	}
	for (; col < 7; col++)
		html_raw_trusted(b, "<td></td>");
	html_raw_trusted(b, "</tr></tbody></table>");
}

/* GET /audiences/{slug}[?month=YYYY-MM]: what is coming for it. */
enum MHD_Result
page_audience(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	struct event_list	 evs, month;
	struct page_user	 v;
	struct buf		 b = { 0 };
	const struct audience	*aud = NULL;
	const char		*want = http_arg(r, "month");
	char			 today[16], from[32], to[32], soon[16];
	time_t			 later;
	size_t			 i;
	int			 rc, y, mo;

	page_user_get(r, &v);
	if ((rc = core_audience_list(r->q, &l, &err)) != QRM_OK) {
		page_user_clear(&v);
		return page_error(r, rc, &err);
	}
	for (i = 0; i < l.n; i++)
		if (strcmp(l.v[i].slug, c->word) == 0)
			aud = &l.v[i];
	if (aud == NULL || !core_may_see_audience(r->q, v.signed_in ? &v.m :
	    NULL, aud, NULL)) {
		audience_list_free(&l);
		return not_found(r, &v, "There is no such calendar, or it is for "
		    "members who are signed in.");
	}
	core_today(today, sizeof(today));
	later = time(NULL) + AGENDA_DAYS * 86400;
	strftime(soon, sizeof(soon), "%Y-%m-%d", gmtime(&later));
	if (want == NULL || sscanf(want, "%4d-%2d", &y, &mo) != 2 || mo < 1 ||
	    mo > 12 || y < 2000 || y > 2100)
		sscanf(today, "%4d-%2d", &y, &mo);
	snprintf(from, sizeof(from), "%04d-%02d-01", y, mo);
	snprintf(to, sizeof(to), "%04d-%02d-%02d", y, mo, month_days(y, mo));
	memset(&evs, 0, sizeof(evs));
	memset(&month, 0, sizeof(month));
	if ((rc = core_event_list(r->q, &v.a, today, soon, aud->slug, NULL,
	    NULL, &evs, &err)) != QRM_OK || (rc = core_event_list(r->q, &v.a,
	    from, to, aud->slug, NULL, NULL, &month, &err)) != QRM_OK) {
		event_list_free(&evs);
		audience_list_free(&l);
		page_user_clear(&v);
		return page_error(r, rc, &err);
	}
	html_begin(&b, aud->name, v.signed_in ? v.s.csrf : NULL);
	html_raw_trusted(&b, "<h1>");
	html_text(&b, aud->name);
	html_raw_trusted(&b, "</h1><p>");
	html_text(&b, aud->description);
	html_raw_trusted(&b, "</p><p><a href=\"#month\">The month as a "
	    "calendar</a></p><h2>Coming up</h2><ul class=\"agenda\">\n");
	for (i = 0; i < evs.n && i < AGENDA_SHOWN; i++)
		event_line(&b, &evs.v[i], evs.v[i].start);
	html_raw_trusted(&b, "</ul>");
	if (evs.n > AGENDA_SHOWN)
		buf_printf(&b, "<p>And %zu more in the next three months: see "
		    "them month by month below, or add the calendar to your "
		    "own.</p>", evs.n - AGENDA_SHOWN);
	else if (evs.n == 0)
		html_raw_trusted(&b, "<p>Nothing in the next three months: see "
		    "the months below.</p>");
	month_table(&b, &month, y, mo, aud->slug);
	html_end(&b);
	event_list_free(&evs);
	event_list_free(&month);
	audience_list_free(&l);
	page_user_clear(&v);
	return html_send(r, 200, &b, NULL, NULL, NULL);
}

/* GET /events/{id}: everything a member needs to know about a meeting. */
#define DATES_SHOWN	8
#define SILENT_SHOWN	40

/*
 * For reps and officials, a meeting with a quorum: whether it looks
 * quorate (and who has not answered, to chase); how its past dates
 * went; and, for officials, reconvening one that missed its quorum.
 */
static void
forecast_box(struct request *r, struct buf *b, const struct page_user *v,
    const struct event *ev)
{
	json_t		*fc = NULL, *x, *names;
	const char	*occ, *outcome;
	size_t		 i;

	if (core_forecast(r->q, &v->a, ev->id, &fc, NULL) != QRM_OK)
		return;
	names = json_object_get(fc, "not_answered");
	if (json_is_true(json_object_get(fc, "looks_inquorate"))) {
		buf_printf(b, "<div class=\"problem\" role=\"alert\"><h2>"
		    "This meeting looks inquorate</h2><p>%lld going; its "
		    "quorum is %lld.", (long long)json_integer_value(
		    json_object_get(fc, "accepted")), (long long)
		    json_integer_value(json_object_get(fc, "quorum")));
		if (json_array_size(names) > 0) {
			buf_printf(b, " %zu have not answered:",
			    json_array_size(names));
			html_raw_trusted(b, "</p><ul class=\"silent\">");
			json_array_foreach(names, i, x) {
				if (i == SILENT_SHOWN)
					break;
				html_raw_trusted(b, "<li>");
				html_text(b, json_string_value(x));
				html_raw_trusted(b, "</li>");
			}
			html_raw_trusted(b, "</ul>");
		} else
			html_raw_trusted(b, "</p>");
		html_raw_trusted(b, "</div>");
	} else if (json_object_get(fc, "occurrence") != NULL)
		buf_printf(b, "<p class=\"notice\">%lld going; its quorum is "
		    "%lld.</p>", (long long)json_integer_value(json_object_get(
		    fc, "accepted")), (long long)json_integer_value(
		    json_object_get(fc, "quorum")));
	json_array_foreach(json_object_get(fc, "outcomes"), i, x) {
		outcome = json_string_value(json_object_get(x, "outcome"));
		if (outcome == NULL)
			continue;
		occ = json_string_value(json_object_get(x, "occurrence"));
		html_raw_trusted(b, "<p>");
		html_when(b, *occ ? occ : ev->start, 1);
		buf_printf(b, ": <strong>%s</strong> (%lld present, quorum "
		    "%d).", outcome, (long long)json_integer_value(
		    json_object_get(x, "present")), ev->quorum);
		if (json_is_integer(json_object_get(x, "reconvened")))
			buf_printf(b, " <a href=\"/events/%lld\">Reconvened"
			    "</a>", (long long)json_integer_value(
			    json_object_get(x, "reconvened")));
		html_raw_trusted(b, "</p>");
		if (strcmp(outcome, "inquorate") == 0 && v->a.role >=
		    ROLE_OFFICIAL && !json_is_integer(json_object_get(x,
		    "reconvened"))) {
			buf_printf(b, "<form method=\"post\" action=\"/events/"
			    "%lld/reconvene\">", (long long)ev->id);
			html_hidden(b, "csrf", v->s.csrf);
			html_hidden(b, "occurrence", occ);
			html_raw_trusted(b, "<div class=\"field\"><label "
			    "for=\"rc-date\">Meet again on</label><input "
			    "type=\"date\" id=\"rc-date\" name=\"date\" "
			    "required></div><div class=\"field\"><label "
			    "for=\"rc-start\">From</label><input type=\"time\" "
			    "id=\"rc-start\" name=\"start_time\" required>"
			    "</div><div class=\"field\"><label for=\"rc-end\">"
			    "To</label><input type=\"time\" id=\"rc-end\" "
			    "name=\"end_time\" required></div><p><button "
			    "type=\"submit\">Reconvene it, with its open "
			    "actions</button></p></form>");
		}
	}
	json_decref(fc);
}

/*
 * A series' next dates, each where it now is: one moved or cancelled
 * on its own says so; officials may change each.
 */
static void
coming_dates(struct request *r, struct buf *b, const struct page_user *v,
    const struct event *ev)
{
	json_t		*occ, *it;
	const char	*key, *start, *loc;
	char		 today[16];
	size_t		 i;

	core_today(today, sizeof(today));
	if (core_event_occurrences(r->q, &v->a, ev->id, today, NULL, &occ,
	    NULL) != QRM_OK)
		return;
	if (json_array_size(json_object_get(occ, "items")) > 0)
		html_raw_trusted(b, "<h2>Coming dates</h2><ul class=\"dates\">");
	json_array_foreach(json_object_get(occ, "items"), i, it) {
		if (i == DATES_SHOWN)
			break;
		key = json_string_value(json_object_get(it, "occurrence"));
		start = json_string_value(json_object_get(it, "start"));
		loc = json_string_value(json_object_get(it, "location"));
		html_raw_trusted(b, "<li>");
		if (strcmp(json_string_value(json_object_get(it, "status")),
		    "cancelled") == 0) {
			html_raw_trusted(b, "<del>");
			html_when(b, start, 1);
			html_raw_trusted(b, "</del> <strong>cancelled</strong>");
		} else {
			html_when(b, start, 1);
			if (json_is_true(json_object_get(it, "moved"))) {
				html_raw_trusted(b, " <strong>moved</strong> "
				    "<span class=\"hint\">(from ");
				html_when(b, key, 1);
				html_raw_trusted(b, ")</span>");
			}
			if (loc != NULL && (ev->location == NULL ||
			    strcmp(loc, ev->location) != 0)) {
				html_raw_trusted(b, " · <strong>");
				html_text(b, loc);
				html_raw_trusted(b, "</strong>");
			}
		}
		if (v->signed_in && v->a.role >= ROLE_OFFICIAL) {
			buf_printf(b, " <a href=\"/events/%lld/dates/",
			    (long long)ev->id);
			html_text(b, key);
			html_raw_trusted(b, "\">Change this date<span "
			    "class=\"visually-hidden\"> (");
			html_when(b, key, 1);
			html_raw_trusted(b, ")</span></a>");
		}
		html_raw_trusted(b, "</li>");
	}
	if (json_array_size(json_object_get(occ, "items")) > 0)
		html_raw_trusted(b, "</ul>");
	json_decref(occ);
}

/* POST /events/{id}/reconvene: the official's one step */
enum MHD_Result
page_reconvene(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct event		 ev;
	enum MHD_Result		 ret;
	const char		*d, *st, *et, *occ;
	json_t			*body;
	char			 where[64];
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	d = json_string_value(json_object_get(c->json, "date"));
	st = json_string_value(json_object_get(c->json, "start_time"));
	et = json_string_value(json_object_get(c->json, "end_time"));
	occ = json_string_value(json_object_get(c->json, "occurrence"));
	if (!page_csrf_ok(c, &u.s)) {
		page_user_clear(&u);
		return page_fail(r, QRM_EFORBIDDEN, "the page had expired: go "
		    "back, reload it and try again");
	}
	if (d == NULL || st == NULL || et == NULL || strlen(d) != 10 ||
	    strlen(st) != 5 || strlen(et) != 5) {
		page_user_clear(&u);
		return page_fail(r, QRM_EINVAL, "give the day and the times it "
		    "meets again");
	}
	body = json_pack("{s:s?}", "occurrence", occ && *occ ? occ : NULL);
	json_object_set_new(body, "start", json_sprintf("%sT%s", d, st));
	json_object_set_new(body, "end", json_sprintf("%sT%s", d, et));
	rc = core_reconvene(r->q, &u.a, c->id[0], body, &ev, &err);
	json_decref(body);
	page_user_clear(&u);
	if (rc != QRM_OK)
		return page_error(r, rc, &err);
	snprintf(where, sizeof(where), "/events/%lld", (long long)ev.id);
	event_clear(&ev);
	return html_redirect(r, where, "Reconvened");
}

enum MHD_Result
page_event(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	struct page_user	 v;
	struct member		 host;
	struct actor		 admin = { 0, ROLE_ADMIN, "web" };
	struct buf		 b = { 0 };
	char			 updated[32];
	int64_t			 hid;
	size_t			 i;
	int			 rc;

	page_user_get(r, &v);
	if ((rc = core_event_get(r->q, &v.a, c->id[0], &ev, &err)) != QRM_OK) {
		if (rc == QRM_ENOTFOUND || rc == QRM_EFORBIDDEN)
			return not_found(r, &v, "There is no such meeting, or "
			    "it is for members who are signed in.");
		page_user_clear(&v);
		return page_error(r, rc, &err);
	}
	html_begin(&b, ev.title, v.signed_in ? v.s.csrf : NULL);
	html_raw_trusted(&b, "<h1>");
	html_raw_trusted(&b, ev.status == EVSTATUS_CANCELLED ? "<del>" : "");
	html_text(&b, ev.title);
	html_raw_trusted(&b, ev.status == EVSTATUS_CANCELLED ? "</del>" : "");
	html_raw_trusted(&b, "</h1>");
	if (ev.status == EVSTATUS_CANCELLED) {
		utc_format(ev.updated, updated, sizeof(updated));
		html_raw_trusted(&b, "<p class=\"error\" role=\"alert\">This "
		    "meeting was cancelled on ");
		updated[10] = '\0';
		html_when(&b, updated, 1);
		html_raw_trusted(&b, ".</p>");
	}
	html_raw_trusted(&b, "<dl class=\"facts\"><dt>When</dt><dd>");
	html_when(&b, ev.start, 1);
	if (!ev.all_day && strncmp(ev.start, ev.end, 10) == 0)
		buf_printf(&b, " to %.5s", ev.end + 11);
	else if (strcmp(ev.start, ev.end) != 0) {
		html_raw_trusted(&b, " to ");
		html_when(&b, ev.end, 1);
	}
	html_raw_trusted(&b, " <span class=\"hint\">(");
	html_text(&b, ev.tzid);
	html_raw_trusted(&b, ev.all_day ? ", all day)" : " time)");
	html_raw_trusted(&b, "</span>");
	if (ev.rrule != NULL) {
		html_raw_trusted(&b, "<br><span class=\"hint\">Repeats: ");
		html_text(&b, ev.rrule);
		html_raw_trusted(&b, "</span>");
	}
	html_raw_trusted(&b, "</dd>");
	if (ev.location != NULL) {
		html_raw_trusted(&b, "<dt>Where</dt><dd>");
		html_text(&b, ev.location);
		html_raw_trusted(&b, "</dd>");
	}
	if (ev.url != NULL) {
		html_raw_trusted(&b, "<dt>Online</dt><dd><a rel=\"noopener "
		    "nofollow\" href=\"");
		html_text(&b, ev.url);
		html_raw_trusted(&b, "\">Join online</a></dd>");
	}
	if (ev.hosts.n > 0) {
		html_raw_trusted(&b, "<dt>Hosts</dt><dd>");
		for (i = 0; i < ev.hosts.n; i++) {
			if (parse_int64(ev.hosts.v[i], &hid) == -1 ||
			    core_member_get(r->q, &admin, hid, &host, NULL))
				continue;
			html_raw_trusted(&b, i ? ", " : "");
			html_text(&b, host.name);
			member_clear(&host);
		}
		html_raw_trusted(&b, "</dd>");
	}
	html_raw_trusted(&b, "<dt>For</dt><dd>");
	for (i = 0; i < ev.audiences.n; i++) {
		html_raw_trusted(&b, i ? ", " : "");
		html_raw_trusted(&b, "<a href=\"/audiences/");
		html_text(&b, ev.audiences.v[i]);
		html_raw_trusted(&b, "\">");
		html_text(&b, ev.audiences.v[i]);
		html_raw_trusted(&b, "</a>");
	}
	html_raw_trusted(&b, "</dd></dl>");
	if (ev.rrule != NULL && ev.status != EVSTATUS_CANCELLED)
		coming_dates(r, &b, &v, &ev);
	if (v.signed_in && v.a.role >= ROLE_REP && ev.quorum > 0)
		forecast_box(r, &b, &v, &ev);
	if (ev.description != NULL) {
		html_raw_trusted(&b, "<h2>About it</h2><p class=\"description\">");
		html_text(&b, ev.description);
		html_raw_trusted(&b, "</p>");
	}
	if (v.signed_in && v.a.role >= ROLE_REP) {
		buf_printf(&b, "<nav aria-label=\"For reps and officials\" "
		    "class=\"staff\"><p><a href=\"/events/%lld/door\">"
		    "Attendance at the door</a> <a href=\"/events/%lld/notes\">"
		    "Notes and actions</a>", (long long)ev.id,
		    (long long)ev.id);
		if (ev.status != EVSTATUS_CANCELLED)
			buf_printf(&b, " <a href=\"/events/%lld/time-off\">Ask "
			    "your manager for time off</a>", (long long)ev.id);
		if (v.a.role >= ROLE_OFFICIAL)
			buf_printf(&b, " <a href=\"/events/%lld/edit\">Change "
			    "or cancel it</a>", (long long)ev.id);
		html_raw_trusted(&b, "</p></nav>");
	}
	buf_printf(&b, "<p><a class=\"button\" href=\"/events/%lld.ics\">Add "
	    "to calendar</a>", (long long)ev.id);
	if (v.signed_in)
		html_raw_trusted(&b, " <a class=\"button plain\" "
		    "href=\"/me#meetings\">Answer on your page</a>");
	html_raw_trusted(&b, "</p>");
	html_end(&b);
	event_clear(&ev);
	page_user_clear(&v);
	return html_send(r, 200, &b, NULL, NULL, NULL);
}
