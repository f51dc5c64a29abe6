/*
 * page_me.c: a member's own page: every calendar they may see, with
 * the way to add it that works in each app, and "Reset my links".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

/* One calendar: its name, what it is, and a button for each app. */
static void
calendar_block(struct buf *b, const char *base, const char *path,
    const char *token, const char *name, const char *what)
{
	struct buf	 url = { 0 }, web = { 0 };
	const char	*host = strstr(base, "://");

	buf_printf(&url, "%s%s?token=%s", base, path, token);
	buf_printf(&web, "webcal://%s%s?token=%s", host ? host + 3 : base,
	    path, token);
	html_raw_trusted(b, "<section class=\"calendar\"><h4>");
	html_text(b, name);
	html_raw_trusted(b, "</h4><p class=\"hint\">");
	html_text(b, what);
	html_raw_trusted(b, "</p><p><a class=\"button\" rel=\"nofollow\" "
	    "href=\"");
	html_text(b, web.p);
	html_raw_trusted(b, "\">Subscribe <span class=\"hint\">(iPhone, Mac, "
	    "Thunderbird)</span></a> <a class=\"button plain\" "
	    "rel=\"noopener nofollow\" href=\"https://calendar.google.com/"
	    "calendar/render?cid=");
	html_url_part(b, web.p);
	html_raw_trusted(b, "\">Google Calendar</a> <a class=\"button plain\" "
	    "rel=\"noopener nofollow\" href=\"https://outlook.live.com/"
	    "calendar/0/addfromweb?url=");
	html_url_part(b, url.p);
	html_raw_trusted(b, "&amp;name=");
	html_url_part(b, name);
	html_raw_trusted(b, "\">Outlook.com</a> <a class=\"button plain\" "
	    "rel=\"noopener nofollow\" href=\"https://outlook.office.com/"
	    "calendar/0/addfromweb?url=");
	html_url_part(b, url.p);
	html_raw_trusted(b, "&amp;name=");
	html_url_part(b, name);
	html_raw_trusted(b, "\">Microsoft 365</a></p>");
	html_raw_trusted(b, "<label>Link for other apps (copy it)<input "
	    "type=\"url\" readonly data-copy value=\"");
	html_text(b, url.p);
	html_raw_trusted(b, "\"></label><details><summary>A QR code to scan "
	    "with your phone</summary><p class=\"hint\">Point your phone's "
	    "camera at it to open this calendar's link there.</p>");
	qr_svg(b, url.p, "QR code of the link to this calendar");
	html_raw_trusted(b, "</details><p class=\"hint\"><a href=\"");
	html_text(b, url.p);
	html_raw_trusted(b, "\" download>Download once</a>: a copy that never "
	    "updates. To keep up to date, subscribe instead.</p></section>\n");
	buf_free(&url);
	buf_free(&web);
}

/* The member's answer for (event, occurrence) from their history. */
static json_t *
answer_of(json_t *history, int64_t event, const char *occurrence)
{
	json_t		*it;
	size_t		 i;
	const char	*occ;

	json_array_foreach(json_object_get(history, "items"), i, it) {
		occ = json_string_value(json_object_get(it, "occurrence"));
		if (json_integer_value(json_object_get(it, "event")) == event &&
		    strcmp(occ ? occ : "", occurrence) == 0)
			return it;
	}
	return NULL;
}

/* One meeting (one date of it) with the member's answer and buttons. */
static void
meeting_block(struct buf *b, const struct event *ev, const char *start,
    const char *end, const char *occurrence, json_t *answer,
    const char *csrf)
{
	const char	*rsvp, *status, *reason;
	char		 anchor[64];
	int64_t		 place;

	snprintf(anchor, sizeof(anchor), "m%lld-%s", (long long)ev->id,
	    occurrence[0] ? occurrence : "once");
	html_raw_trusted(b, "<article class=\"meeting\" id=\"");
	html_text(b, anchor);
	html_raw_trusted(b, "\"><h3>");
	html_text(b, ev->title);
	html_raw_trusted(b, "</h3><p>");
	html_when(b, start, 1);
	if (!ev->all_day && strlen(end) > 11 && strncmp(start, end, 10) == 0)
		buf_printf(b, " to %.5s", end + 11);
	else if (!ev->all_day && strlen(end) > 11) {
		html_raw_trusted(b, " to ");
		html_when(b, end, 1);
	}
	html_raw_trusted(b, " <span class=\"hint\">(");
	html_text(b, ev->tzid);
	html_raw_trusted(b, ")</span>");
	if (ev->location != NULL) {
		html_raw_trusted(b, "<br>");
		html_text(b, ev->location);
	}
	if (ev->url != NULL) {
		html_raw_trusted(b, "<br><a rel=\"noopener nofollow\" href=\"");
		html_text(b, ev->url);
		html_raw_trusted(b, "\">Join online</a>");
	}
	html_raw_trusted(b, "</p><p class=\"answer\">Your answer: <strong>");
	rsvp = json_string_value(json_object_get(answer, "rsvp"));
	status = json_string_value(json_object_get(answer, "status"));
	reason = json_string_value(json_object_get(answer, "reason"));
	place = json_integer_value(json_object_get(answer,
	    "waiting_position"));
	if (status != NULL && strcmp(status, "apologies") == 0) {
		html_raw_trusted(b, "apologies sent");
		if (reason != NULL) {
			html_raw_trusted(b, "</strong> (");
			html_text(b, reason);
			html_raw_trusted(b, ")<strong>");
		}
	} else if (json_object_get(answer, "offered_until") != NULL) {
		html_raw_trusted(b, "a place is yours if you want it: press "
		    "Going by ");
		html_text(b, json_string_value(json_object_get(answer,
		    "offered_until")));
	} else if (json_is_true(json_object_get(answer, "waitlisted")))
		buf_printf(b, "on the waiting list, number %lld",
		    (long long)place);
	else if (rsvp != NULL && strcmp(rsvp, "accepted") == 0)
		html_raw_trusted(b, "going");
	else if (rsvp != NULL && strcmp(rsvp, "declined") == 0)
		html_raw_trusted(b, "not going");
	else if (rsvp != NULL && strcmp(rsvp, "tentative") == 0)
		html_raw_trusted(b, "maybe");
	else
		html_raw_trusted(b, "none yet");
	html_raw_trusted(b, "</strong></p>");
	buf_printf(b, "<form method=\"post\" action=\"/events/%lld/rsvp\">",
	    (long long)ev->id);
	html_hidden(b, "csrf", csrf);
	html_hidden(b, "occurrence", occurrence);
	html_raw_trusted(b, "<button name=\"rsvp\" value=\"accepted\">Going"
	    "</button><button class=\"plain\" name=\"rsvp\" "
	    "value=\"declined\">Not going</button></form>");
	buf_printf(b, "<details><summary>Send apologies</summary><form "
	    "method=\"post\" action=\"/events/%lld/rsvp\">", (long long)ev->id);
	html_hidden(b, "csrf", csrf);
	html_hidden(b, "occurrence", occurrence);
	html_hidden(b, "status", "apologies");
	html_raw_trusted(b, "<label for=\"r-");
	html_text(b, anchor);
	html_raw_trusted(b, "\">Reason (optional)</label><input type=\"text\" "
	    "maxlength=\"500\" name=\"reason\" id=\"r-");
	html_text(b, anchor);
	html_raw_trusted(b, "\"><button class=\"plain\">Send apologies"
	    "</button></form></details>");
	buf_printf(b, "<p><a href=\"/events/%lld.ics\">Add to calendar</a> "
	    "<span class=\"hint\">(this meeting only)</span></p></article>\n",
	    (long long)ev->id);
}

struct meeting {
	char	 key[48];	/* UTC start, then the event: sorts by time */
	char	*html;
};

static int
meeting_cmp(const void *a, const void *b)
{
	return strcmp(((const struct meeting *)a)->key,
	    ((const struct meeting *)b)->key);
}

#define MEETINGS_SHOWN	12	/* the next ones; the calendar has the rest */
#define SERIES_SHOWN	3	/* dates of one series among them */

static void
meeting_keep(struct meeting **v, size_t *n, size_t *cap, const char *utc,
    const struct event *ev, const char *start, const char *end,
    const char *occurrence, json_t *history, const char *csrf)
{
	struct meeting	*nv;
	struct buf	 one = { 0 };

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		if ((nv = realloc(*v, *cap * sizeof(**v))) == NULL)
			return;
		*v = nv;
	}
	meeting_block(&one, ev, start, end, occurrence, answer_of(history,
	    ev->id, occurrence), csrf);
	snprintf((*v)[*n].key, sizeof((*v)[*n].key), "%s %020lld", utc,
	    (long long)ev->id);
	(*v)[(*n)++].html = buf_detach(&one);
}

/*
 * The member's next meetings (of the coming 92 days), earliest first:
 * a series shows its next few dates, each answered on its own.
 */
static void
meetings_section(struct request *r, struct buf *b, const struct actor *a,
    const struct session *s)
{
	struct qrm_error	 err = { 0 };
	struct event_list	 evs;
	struct meeting		*v = NULL;
	json_t			*history = NULL, *occ, *it;
	char			 today[16], until[16], utc[32];
	time_t			 later = time(NULL) + 92 * 86400;
	struct tm		 tm;
	size_t			 i, k, n = 0, cap = 0;

	core_today(today, sizeof(today));
	gmtime_r(&later, &tm);
	strftime(until, sizeof(until), "%Y-%m-%d", &tm);
	html_raw_trusted(b, "<h2 id=\"meetings\">Your coming meetings</h2>");
	if (core_event_list(r->q, a, today, until, NULL, NULL, NULL, &evs,
	    &err) != QRM_OK) {
		html_raw_trusted(b, "<p class=\"error\">");
		html_text(b, err.msg);
		html_raw_trusted(b, "</p>");
		return;
	}
	core_member_history(r->q, a, a->member, &history, NULL);
	for (i = 0; i < evs.n; i++) {
		const struct event *ev = &evs.v[i];

		if (ev->status == EVSTATUS_CANCELLED)
			continue;
		if (ev->rrule == NULL) {
			utc_format(ev->start_utc, utc, sizeof(utc));
			meeting_keep(&v, &n, &cap, utc, ev, ev->start, ev->end,
			    "", history, s->csrf);
			continue;
		}
		if (core_event_occurrences(r->q, a, ev->id, today, until, &occ,
		    NULL) != QRM_OK)
			continue;
		json_array_foreach(json_object_get(occ, "items"), k, it) {
			const char *st = json_string_value(json_object_get(it,
			    "start"));

			if (k == SERIES_SHOWN)
				break;
			/* a date cancelled on its own is not a meeting */
			if (strcmp(json_string_value(json_object_get(it,
			    "status")), "cancelled") == 0)
				continue;
			meeting_keep(&v, &n, &cap, json_string_value(
			    json_object_get(it, "start_utc")), ev, st,
			    json_string_value(json_object_get(it, "end")),
			    json_string_value(json_object_get(it,
			    "occurrence")), history, s->csrf);
		}
		json_decref(occ);
	}
	if (n > 0)
		qsort(v, n, sizeof(v[0]), meeting_cmp);
	for (i = 0; i < n; i++) {
		if (i < MEETINGS_SHOWN)
			html_raw_trusted(b, v[i].html);
		free(v[i].html);
	}
	if (n == 0)
		html_raw_trusted(b, "<p>No meetings for you in the coming three "
		    "months.</p>");
	else if (n > MEETINGS_SHOWN)
		html_raw_trusted(b, "<p class=\"hint\">Later meetings are in "
		    "your calendar once you add it (below).</p>");
	free(v);
	json_decref(history);
	event_list_free(&evs);
}

/* The member's open actions, each with a "Done" button. */
static void
actions_section(struct request *r, struct buf *b, const struct actor *a,
    const struct session *s)
{
	struct qrm_error	 err = { 0 };
	struct action_list	 l;
	char			 owner[32];
	size_t			 i, shown = 0;

	snprintf(owner, sizeof(owner), "%lld", (long long)a->member);
	html_raw_trusted(b, "<h2 id=\"actions\">Your actions</h2>");
	if (core_action_list(r->q, a, owner, NULL, 0, 0, &l, &err) != QRM_OK)
		return;
	for (i = 0; i < l.n; i++) {
		const struct action *x = &l.v[i];

		if (x->status != ACTION_OPEN && x->status != ACTION_WAITING)
			continue;
		html_raw_trusted(b, "<article class=\"action\"><h3>");
		html_text(b, x->title);
		html_raw_trusted(b, "</h3><p>");
		if (x->due[0]) {
			html_raw_trusted(b, "Due ");
			html_when(b, x->due, 1);
		}
		if (x->waiting_on != NULL) {
			html_raw_trusted(b, x->due[0] ? " · waiting on " :
			    "Waiting on ");
			html_text(b, x->waiting_on);
		}
		if (x->event_title != NULL) {
			html_raw_trusted(b, "<br><span class=\"hint\">From: ");
			html_text(b, x->event_title);
			html_raw_trusted(b, "</span>");
		}
		buf_printf(b, "</p><form method=\"post\" "
		    "action=\"/actions/%lld/done\">", (long long)x->id);
		html_hidden(b, "csrf", s->csrf);
		html_raw_trusted(b, "<button>Mark done</button></form></article>");
		shown++;
	}
	if (shown == 0)
		html_raw_trusted(b, "<p>Nothing open for you.</p>");
	action_list_free(&l);
}

/* The alert the member's own calendar gives before each meeting. */
static void
alarm_form(struct buf *b, const struct member *m, const char *csrf)
{
	static const char *const values[] = { "", "PT15M", "PT30M", "PT1H",
	    "P1D", NULL };
	static const char *const labels[] = { "No alert", "15 minutes before",
	    "30 minutes before", "1 hour before", "1 day before", NULL };
	struct html_form	 f;
	json_t			*v;

	v = json_pack("{s:s}", "alarm", m->feed_alarm ? m->feed_alarm : "");
	memset(&f, 0, sizeof(f));
	f.b = b;
	f.values = v;
	html_form_begin(&f, "/me/alarm", csrf);
	html_select(&f, "alarm", "An alert before each meeting", "In your "
	    "own calendar (\"Everything for you\"), at its next refresh.",
	    values, labels);
	html_raw_trusted(b, "<button type=\"submit\" class=\"plain\">Save"
	    "</button></form>");
	json_decref(v);
}

static enum MHD_Result	me_page_fresh(struct request *, unsigned int,
			    const struct page_user *, const char *,
			    const char *, const char *, enum feed_level);

/*
 * Links a work calendar can safely show: the member's own busy and
 * neutral feed links (each with a way to stop it), a button to make
 * each kind, and the one just made (fresh, at fresh_level) once.
 */
static void
work_section(struct request *r, struct buf *b, const struct page_user *u,
    const char *base, const char *fresh, enum feed_level fresh_level)
{
	static const char *const words[LEVEL__MAX] = { "",
	    ("Kind and time: \"Employer meeting\", \"JES panel\"…, with "
	    "no title, place or description"),
	    "Busy only: \"Union business\" and the time, nothing else" };
	json_t		*list = NULL, *t;
	const char	*lv;
	char		 made[32];
	size_t		 i;
	int		 n = 0, level;

	html_raw_trusted(b, "<h3 id=\"work\">For your work calendar</h3><p>"
	    "Your employer's calendar can show when you are busy with union "
	    "business without showing what it is. These links show less: "
	    "no titles, places, descriptions or actions, in any meeting.</p>");
	if (fresh != NULL) {
		html_raw_trusted(b, "<div class=\"fresh\" role=\"status\">");
		calendar_block(b, base, "/feeds/me.ics", fresh,
		    fresh_level == LEVEL_BUSY ? "Busy only (new)" :
		    "Kind and time (new)", "Add it to your work calendar now: "
		    "this page shows it only once.");
		html_raw_trusted(b, "</div>");
	}
	if (core_token_list(r->q, &u->a, u->m.id, &list, NULL) == QRM_OK)
		json_array_foreach(json_object_get(list, "items"), i, t) {
			lv = json_string_value(json_object_get(t, "level"));
			level = lv ? model_enum_parse(feed_level_names,
			    LEVEL__MAX, lv) : LEVEL_FULL;
			if (level <= LEVEL_FULL || !json_is_null(
			    json_object_get(t, "revoked")))
				continue;
			if (n++ == 0)
				html_raw_trusted(b, "<ul class=\"links\">");
			snprintf(made, sizeof(made), "%.10s", json_string_value(
			    json_object_get(t, "created")));
			html_raw_trusted(b, "<li><form method=\"post\" "
			    "action=\"/me/work-links\">");
			html_hidden(b, "csrf", u->s.csrf);
			buf_printf(b, "<input type=\"hidden\" name=\"stop\" "
			    "value=\"%lld\">", (long long)json_integer_value(
			    json_object_get(t, "id")));
			html_text(b, words[level]);
			html_raw_trusted(b, " <span class=\"hint\">(made ");
			html_when(b, made, 1);
			html_raw_trusted(b, ")</span> <button type=\"submit\" "
			    "class=\"plain\">Stop this link</button></form>"
			    "</li>");
		}
	if (n > 0)
		html_raw_trusted(b, "</ul>");
	json_decref(list);
	html_raw_trusted(b, "<form method=\"post\" action=\"/me/work-links\">");
	html_hidden(b, "csrf", u->s.csrf);
	html_raw_trusted(b, "<p><button type=\"submit\" name=\"level\" "
	    "value=\"busy\">Make a busy-only link</button> <button "
	    "type=\"submit\" class=\"plain\" name=\"level\" "
	    "value=\"neutral\">Make a kind-and-time link</button></p>"
	    "</form>");
}

static enum MHD_Result
me_page(struct request *r, unsigned int status, const struct page_user *u,
    const char *token, const char *notice)
{
	return me_page_fresh(r, status, u, token, notice, NULL, LEVEL_FULL);
}

static enum MHD_Result
me_page_fresh(struct request *r, unsigned int status,
    const struct page_user *u, const char *token, const char *notice,
    const char *fresh, enum feed_level fresh_level)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	struct buf		 b = { 0 };
	const struct member	*m = &u->m;
	const struct session	*s = &u->s;
	char			 base[300];
	size_t			 i;
	int			 rc;

	if ((rc = core_audience_list(r->q, &l, &err)) != QRM_OK)
		return page_error(r, rc, &err);
	page_base(r, base, sizeof(base));
	html_begin(&b, "Your calendars", s->csrf);
	html_raw_trusted(&b, "<h1>Your union calendars</h1><p>Signed in as "
	    "<strong>");
	html_text(&b, m->name);
	html_raw_trusted(&b, "</strong> (");
	html_text(&b, m->email);
	html_raw_trusted(&b, ").</p>");
	html_notice(&b, status, notice);
	if (m->role >= ROLE_OFFICIAL)
		html_raw_trusted(&b, "<nav aria-label=\"Union office\" "
		    "class=\"staff\"><p><strong>Union office:</strong> "
		    "<a href=\"/events/new\">New meeting</a> <a "
		    "href=\"/schedule\">Find a time</a> <a "
		    "href=\"/members\">Members</a> <a "
		    "href=\"/reports/facility-time\">Facility time</a></p>"
		    "</nav>");
	if (m->role >= ROLE_OFFICIAL) {
		/* feeds near the size Google Calendar starts to drop from */
		uint64_t	 n;
		json_t		*big = feed_oversize(r->q, &n), *x;

		if (json_array_size(big) > 0) {
			html_raw_trusted(&b, "<div class=\"problem\" "
			    "role=\"alert\"><h2>Feeds too large for Google "
			    "Calendar</h2><p>Google Calendar drops events from "
			    "a feed over about 1 MB. Shorten how long past "
			    "meetings stay (<code>past</code> in the audience's "
			    "file in the catalogue):</p><ul>");
			json_array_foreach(big, i, x) {
				html_raw_trusted(&b, "<li>");
				html_text(&b, json_string_value(json_object_get(
				    x, "feed")));
				buf_printf(&b, ": %lld KB</li>", (long long)
				    json_integer_value(json_object_get(x,
				    "bytes")) / 1024);
			}
			html_raw_trusted(&b, "</ul></div>");
		}
		json_decref(big);
	}
	if (m->role >= ROLE_REP)
		html_raw_trusted(&b, "<p class=\"hint\">Open a meeting below "
		    "to take attendance at the door or to read its notes."
		    "</p>");
	html_raw_trusted(&b, "<nav aria-label=\"On this page\"><p>"
	    "<a href=\"#calendars\">Add your calendars</a> · <a "
	    "href=\"#meetings\">Your coming meetings</a> · <a "
	    "href=\"#actions\">Your actions</a></p></nav>");
	html_raw_trusted(&b, "<h2 id=\"calendars\">Add your calendars</h2>"
	    "<p>Add a calendar once and your calendar app "
	    "keeps it up to date: new meetings, changes and cancellations "
	    "appear by themselves. These links are yours alone; do not share "
	    "them.</p><h3>For you</h3>");
	calendar_block(&b, base, "/feeds/me.ics", token, "Everything for you",
	    "The meetings of every group you belong to, with your own "
	    "answers, and your actions.");
	calendar_block(&b, base, "/feeds/actions.ics", token, "Your actions",
	    "Only the follow-up actions you own, each on its due date.");
	alarm_form(&b, m, s->csrf);
	work_section(r, &b, u, base, fresh, fresh_level);
	html_raw_trusted(&b, "<h3>Calendars of your groups</h3>");
	for (i = 0; i < l.n; i++) {
		char	path[128];

		if (!core_may_see_audience(r->q, m, &l.v[i], NULL))
			continue;
		snprintf(path, sizeof(path), "/feeds/%s.ics", l.v[i].slug);
		calendar_block(&b, base, path, token, l.v[i].name,
		    l.v[i].description ? l.v[i].description : "");
	}
	audience_list_free(&l);
	meetings_section(r, &b, &u->a, s);
	actions_section(r, &b, &u->a, s);
	html_raw_trusted(&b, "<h2>Reset my links</h2><p>If someone else may "
	    "have your links, reset them: the old ones stop working at once, "
	    "and you add your calendars again with the new ones.</p>"
	    "<form method=\"post\" action=\"/me/reset\"><input type=\"hidden\" "
	    "name=\"csrf\" value=\"");
	html_text(&b, s->csrf);
	html_raw_trusted(&b, "\"><button type=\"submit\" class=\"plain\">"
	    "Reset my links</button></form>");
	html_end(&b);
	return html_send(r, status, &b, NULL, NULL, NULL);
}

static enum MHD_Result
to_signin(struct request *r)
{
	return html_redirect(r, "/signin", "Please sign in");
}

/*
 * The member's page with status, and notice at the top (a refusal when
 * status is not 200).  Its links carry the feed token sealed with the
 * browser's session.
 */
static enum MHD_Result
me_show(struct request *r, unsigned int status, const struct page_user *u,
    const char *notice)
{
	struct qrm_error	 err = { 0 };
	enum MHD_Result		 ret;
	char			*token = NULL;
	int			 rc;

	if ((rc = core_session_feed_token(r->q, &u->s, u->cookie, &token,
	    &err)) != QRM_OK)
		return page_error(r, rc, &err);
	ret = me_page(r, status, u, token, notice);
	free(token);
	return ret;
}

static enum MHD_Result
back_to_me(struct request *r, const char *anchor)
{
	char	where[128];

	snprintf(where, sizeof(where), "/me#%s", anchor);
	return html_redirect(r, where, "Saved");
}

/*
 * Run one form of the member's page: fn(r, c, u, err) unless the form's
 * token is stale; then back to the page at anchor, or the page again
 * with the reason.
 */
static enum MHD_Result
me_form(struct request *r, const struct call *c, const char *anchor,
    int (*fn)(struct request *, const struct call *,
    const struct page_user *, struct qrm_error *))
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	enum MHD_Result		 ret;
	int			 rc;

	if (page_user_get(r, &u) != QRM_OK) {
		page_user_clear(&u);
		return to_signin(r);
	}
	if (!page_csrf_ok(c, &u.s))
		ret = me_show(r, 403, &u, "The page had expired: please try "
		    "again.");
	else if ((rc = fn(r, c, &u, &err)) != QRM_OK)
		ret = me_show(r, (unsigned int)http_status_of(rc), &u, err.msg);
	else if (anchor == NULL)
		ret = me_show(r, 200, &u, "Your links are new. The old ones no "
		    "longer work: add your calendars again below.");
	else
		ret = back_to_me(r, anchor);
	page_user_clear(&u);
	return ret;
}

/* GET /me */
enum MHD_Result
page_me(struct request *r, const struct call *c)
{
	struct page_user	u;
	enum MHD_Result		ret;

	(void)c;
	if (page_user_get(r, &u) != QRM_OK)
		ret = to_signin(r);
	else
		ret = me_show(r, 200, &u, NULL);
	page_user_clear(&u);
	return ret;
}

static int
reset_links(struct request *r, const struct call *c,
    const struct page_user *u, struct qrm_error *err)
{
	char	*token = NULL;
	int	 rc;

	(void)c;
	rc = core_session_reset_links(r->q, &u->s, u->cookie, &token, err);
	free(token);
	return rc;
}

/* POST /me/reset: new links; the old ones answer 404 from now on. */
enum MHD_Result
page_me_reset(struct request *r, const struct call *c)
{
	return me_form(r, c, NULL, reset_links);
}

static int
rsvp(struct request *r, const struct call *c, const struct page_user *u,
    struct qrm_error *err)
{
	static const char *const keys[] = { "rsvp", "status", "reason",
	    "occurrence" };
	struct attendance	 rec;
	const char		*v;
	json_t			*body = json_object();
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((v = json_string_value(json_object_get(c->json, keys[i]))) &&
		    *v != '\0')
			json_object_set_new(body, keys[i], json_string(v));
	rc = core_attendance_set(r->q, &u->a, c->id[0], u->m.id, body, &rec,
	    err);
	if (rc == QRM_OK)
		attendance_clear(&rec);
	json_decref(body);
	return rc;
}

/* POST /events/{id}/rsvp: going, not going, or apologies with a reason. */
enum MHD_Result
page_me_rsvp(struct request *r, const struct call *c)
{
	const char	*occ = json_string_value(json_object_get(c->json,
			    "occurrence"));
	char		 anchor[64];

	snprintf(anchor, sizeof(anchor), "m%lld-%s", (long long)c->id[0],
	    occ && *occ ? occ : "once");
	return me_form(r, c, anchor, rsvp);
}

static int
action_done(struct request *r, const struct call *c,
    const struct page_user *u, struct qrm_error *err)
{
	struct action	 x;
	json_t		*body = json_pack("{s:s}", "status", "done");
	int		 rc;

	if ((rc = core_action_update(r->q, &u->a, c->id[0], body, &x, err)) ==
	    QRM_OK)
		action_clear(&x);
	json_decref(body);
	return rc;
}

/* POST /actions/{id}/done */
enum MHD_Result
page_action_done(struct request *r, const struct call *c)
{
	return me_form(r, c, "actions", action_done);
}

/* GET /events/{id}.ics: that one meeting, for whoever may see it. */
enum MHD_Result
page_event_ics(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct MHD_Response	*resp;
	struct page_user	 u;
	struct buf		 out = { 0 };
	int64_t			 id;
	char			 num[24], disposition[64];
	size_t			 n = strlen(c->word);
	int			 rc;

	if (n < 5 || n - 4 >= sizeof(num) || strcmp(c->word + n - 4, ".ics"))
		return page_fail(r, QRM_ENOTFOUND, "no such page");
	snprintf(num, sizeof(num), "%.*s", (int)(n - 4), c->word);
	if (parse_int64(num, &id) == -1 || id < 1)
		return page_fail(r, QRM_ENOTFOUND, "no such event");
	page_user_get(r, &u);
	rc = core_event_ics(r->q, &u.a, id, &out, &err);
	page_user_clear(&u);
	if (rc != QRM_OK) {
		buf_free(&out);
		return page_error(r, rc == QRM_EFORBIDDEN ? QRM_ENOTFOUND : rc,
		    &err);
	}
	r->bytes = out.len;
	resp = MHD_create_response_from_buffer_with_free_callback(out.len,
	    out.p, free);
	if (resp == NULL) {
		buf_free(&out);
		return MHD_NO;
	}
	snprintf(disposition, sizeof(disposition), "attachment; "
	    "filename=\"meeting-%lld.ics\"", (long long)id);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/calendar; charset=utf-8");
	MHD_add_response_header(resp, "Content-Disposition", disposition);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "private, no-store");
	return http_queue(r, 200, resp);
}

static int
set_alarm(struct request *r, const struct call *c, const struct page_user *u,
    struct qrm_error *err)
{
	return core_member_alarm(r->q, &u->a, u->m.id, json_string_value(
	    json_object_get(c->json, "alarm")), err);
}

/*
 * POST /me/work-links: level=busy|neutral makes such a link and shows
 * it once; stop=ID stops one of the member's own.
 */
enum MHD_Result
page_me_work_link(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	enum MHD_Result		 ret;
	const char		*lv = json_string_value(json_object_get(c->json,
				    "level"));
	const char		*stop = json_string_value(json_object_get(
				    c->json, "stop"));
	char			*token = NULL, *fresh = NULL;
	int64_t			 id;
	int			 level, rc;

	if (page_user_get(r, &u) != QRM_OK) {
		page_user_clear(&u);
		return to_signin(r);
	}
	if (!page_csrf_ok(c, &u.s))
		ret = me_show(r, 403, &u, "The page had expired: please try "
		    "again.");
	else if (stop != NULL) {
		if (parse_int64(stop, &id) == -1)
			rc = qrm_seterr(&err, QRM_EINVAL, "stop", "no such link");
		else
			rc = core_token_revoke(r->q, &u.a, id, &err);
		ret = rc == QRM_OK ? back_to_me(r, "work") : me_show(r,
		    (unsigned int)http_status_of(rc), &u, err.msg);
	} else if (lv == NULL || (level = model_enum_parse(feed_level_names,
	    LEVEL__MAX, lv)) <= LEVEL_FULL)
		ret = me_show(r, 400, &u, "Choose busy-only or kind-and-time.");
	else if ((rc = core_token_issue(r->q, &u.a, u.m.id, SCOPE_FEED,
	    (enum feed_level)level, &fresh, &err)) != QRM_OK)
		ret = me_show(r, (unsigned int)http_status_of(rc), &u, err.msg);
	else if ((rc = core_session_feed_token(r->q, &u.s, u.cookie, &token,
	    &err)) != QRM_OK)
		ret = page_error(r, rc, &err);
	else
		ret = me_page_fresh(r, 200, &u, token, "Your new link is "
		    "under \"For your work calendar\".", fresh,
		    (enum feed_level)level);
	free(token);
	free(fresh);
	page_user_clear(&u);
	return ret;
}

/* POST /me/alarm */
enum MHD_Result
page_me_alarm(struct request *r, const struct call *c)
{
	return me_form(r, c, "calendars", set_alarm);
}
