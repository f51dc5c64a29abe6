/*
 * page_me.c: a member's own page: every calendar they may see, with
 * the way to add it that works in each app, and "Reset my links".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	html_raw_trusted(b, "<section class=\"calendar\"><h3>");
	html_text(b, name);
	html_raw_trusted(b, "</h3><p class=\"hint\">");
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
	    "type=\"url\" readonly value=\"");
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

static enum MHD_Result
me_page(struct request *r, const struct member *m, const struct session *s,
    const char *token, const char *notice)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	struct buf		 b = { 0 };
	char			 base[300];
	size_t			 i;
	int			 rc;

	if ((rc = core_audience_list(r->q, &l, &err)) != QRM_OK)
		return http_error(r, rc, &err);
	page_base(r, base, sizeof(base));
	html_begin(&b, "Your calendars", s->csrf);
	html_raw_trusted(&b, "<h1>Your union calendars</h1><p>Signed in as "
	    "<strong>");
	html_text(&b, m->name);
	html_raw_trusted(&b, "</strong> (");
	html_text(&b, m->email);
	html_raw_trusted(&b, ").</p>");
	if (notice != NULL) {
		html_raw_trusted(&b, "<p class=\"notice\" role=\"status\">");
		html_text(&b, notice);
		html_raw_trusted(&b, "</p>");
	}
	html_raw_trusted(&b, "<p>Add a calendar once and your calendar app "
	    "keeps it up to date: new meetings, changes and cancellations "
	    "appear by themselves. These links are yours alone; do not share "
	    "them.</p><h2>For you</h2>");
	calendar_block(&b, base, "/feeds/me.ics", token, "Everything for you",
	    "The meetings of every group you belong to, with your own "
	    "answers, and your actions.");
	calendar_block(&b, base, "/feeds/actions.ics", token, "Your actions",
	    "Only the follow-up actions you own, each on its due date.");
	html_raw_trusted(&b, "<h2>Calendars of your groups</h2>");
	for (i = 0; i < l.n; i++) {
		char	path[128];

		if (!core_may_see_audience(r->q, m, &l.v[i], NULL))
			continue;
		snprintf(path, sizeof(path), "/feeds/%s.ics", l.v[i].slug);
		calendar_block(&b, base, path, token, l.v[i].name,
		    l.v[i].description ? l.v[i].description : "");
	}
	audience_list_free(&l);
	html_raw_trusted(&b, "<h2>Reset my links</h2><p>If someone else may "
	    "have your links, reset them: the old ones stop working at once, "
	    "and you add your calendars again with the new ones.</p>"
	    "<form method=\"post\" action=\"/me/reset\"><input type=\"hidden\" "
	    "name=\"csrf\" value=\"");
	html_text(&b, s->csrf);
	html_raw_trusted(&b, "\"><button type=\"submit\" class=\"plain\">"
	    "Reset my links</button></form>");
	html_end(&b);
	return html_send(r, 200, &b, NULL, NULL, NULL);
}

static enum MHD_Result
to_signin(struct request *r)
{
	struct buf	b = { 0 };

	html_begin(&b, "Sign in", NULL);
	html_raw_trusted(&b, "<h1>Please sign in</h1><p><a href=\"/signin\">"
	    "Sign in</a> to see your page.</p>");
	html_end(&b);
	return html_send(r, 303, &b, NULL, NULL, "/signin");
}

/* GET /me */
enum MHD_Result
page_me(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct member		 m;
	struct session		 s;
	enum MHD_Result		 ret;
	const char		*cookie;
	char			*token = NULL;
	int			 rc;

	(void)c;
	if (page_session(r, &m, &s, &cookie) != QRM_OK)
		return to_signin(r);
	if ((rc = core_session_feed_token(r->q, &s, cookie, &token, &err)))
		ret = http_error(r, rc, &err);
	else
		ret = me_page(r, &m, &s, token, NULL);
	free(token);
	free(s.agent);
	member_clear(&m);
	return ret;
}

/* POST /me/reset: new links; the old ones answer 404 from now on. */
enum MHD_Result
page_me_reset(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct member		 m;
	struct session		 s;
	enum MHD_Result		 ret;
	const char		*cookie;
	char			*token = NULL;
	int			 rc;

	if (page_session(r, &m, &s, &cookie) != QRM_OK)
		return to_signin(r);
	if (!page_csrf_ok(c, &s))
		ret = http_fail(r, QRM_EFORBIDDEN, "csrf", "the form had "
		    "expired: reload the page and try again");
	else if ((rc = core_session_reset_links(r->q, &s, cookie, &token,
	    &err)) != QRM_OK)
		ret = http_error(r, rc, &err);
	else
		ret = me_page(r, &m, &s, token, "Your links are new. The old "
		    "ones no longer work: add your calendars again below.");
	free(token);
	free(s.agent);
	member_clear(&m);
	return ret;
}
