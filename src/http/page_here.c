/*
 * page_here.c: self check-in.  A rep shows the meeting's code on their
 * phone (a QR code, and the link beneath it); a member scans it with
 * their own phone and taps "I'm here".  It works from half an hour
 * before the meeting until its end, and only for members who may
 * attend it; the code is the meeting's own, so a link passed on by
 * message still checks in only people who may come, and only then.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

/* GET /events/{id}/door/qr[?occurrence=]: the code, for a rep to show. */
enum MHD_Result
page_door_qr(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct attendance_list	 l;
	struct page_user	 u;
	struct event		 ev;
	struct buf		 b = { 0 };
	enum MHD_Result		 ret;
	json_t			*quorum = NULL;
	char			 occ[LOCAL_TIME_LEN], code[CORE_SECRET_LEN + 1];
	char			 base[256], url[400];
	int			 rc;

	if (page_staff(r, &u, ROLE_REP, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	if ((rc = core_door(r->q, &u.a, c->id[0], http_arg(r, "occurrence"), 0,
	    &ev, occ, &l, &quorum, &err)) != QRM_OK) {
		page_user_clear(&u);
		return page_error(r, rc, &err);
	}
	json_decref(quorum);
	attendance_list_free(&l);
	if ((rc = core_door_code(r->q, &u.a, c->id[0], occ, code, &err)) !=
	    QRM_OK) {
		event_clear(&ev);
		page_user_clear(&u);
		return page_error(r, rc, &err);
	}
	page_base(r, base, sizeof(base));
	snprintf(url, sizeof(url), "%s/here/%s", base, code);
	html_begin(&b, "Check yourself in", u.s.csrf);
	html_raw_trusted(&b, "<h1>Check yourself in</h1><p><strong>");
	html_text(&b, ev.title);
	html_raw_trusted(&b, "</strong>, ");
	html_when(&b, occ[0] ? occ : ev.start, 1);
	html_raw_trusted(&b, "</p><p>Scan this with your phone's camera and "
	    "tap <strong>I'm here</strong>. It works from half an hour "
	    "before the meeting until it ends.</p><div class=\"qr big\">");
	qr_svg(&b, url, "The self check-in code");
	html_raw_trusted(&b, "</div><p class=\"hint\">Or open: ");
	html_text(&b, url);
	buf_printf(&b, "</p><p><a href=\"/events/%lld/door\">Back to the door "
	    "list</a></p>", (long long)ev.id);
	html_end(&b);
	event_clear(&ev);
	page_user_clear(&u);
	return html_send(r, 200, &b, NULL, NULL, NULL);
}

/* The page a member sees after scanning, with notice on top. */
static enum MHD_Result
here_page(struct request *r, unsigned int status, const struct page_user *u,
    const char *code, const struct event *ev, const char *notice, int done,
    int can)
{
	struct buf	b = { 0 };
	char		action[128];

	html_begin(&b, done ? "You are checked in" : "Check in",
	    u->signed_in ? u->s.csrf : NULL);
	html_raw_trusted(&b, done ? "<h1>You are checked in</h1>" :
	    "<h1>Check in</h1>");
	if (ev != NULL && ev->title != NULL) {
		html_raw_trusted(&b, "<p><strong>");
		html_text(&b, ev->title);
		html_raw_trusted(&b, "</strong>");
		if (ev->location != NULL) {
			html_raw_trusted(&b, ", ");
			html_text(&b, ev->location);
		}
		html_raw_trusted(&b, "</p>");
	}
	html_notice(&b, status, notice);
	if (!u->signed_in)
		html_raw_trusted(&b, "<p>First sign in on this phone: we e-mail "
		    "you a link. Then scan the code again.</p><p><a "
		    "class=\"button\" href=\"/signin\">Sign in</a></p>");
	else if (can && !done) {
		snprintf(action, sizeof(action), "/here/%s", code);
		html_raw_trusted(&b, "<form method=\"post\" action=\"");
		html_text(&b, action);
		html_raw_trusted(&b, "\">");
		html_hidden(&b, "csrf", u->s.csrf);
		html_raw_trusted(&b, "<p>Signed in as <strong>");
		html_text(&b, u->m.name);
		html_raw_trusted(&b, "</strong>.</p><button type=\"submit\" "
		    "class=\"big\">I'm here</button></form>");
	} else if (done)
		html_raw_trusted(&b, "<p>Thank you. The rep at the door sees "
		    "you as present.</p>");
	html_end(&b);
	return html_send(r, status, &b, NULL, NULL, NULL);
}

/* GET and POST /here/{code}: a member checks themselves in. */
enum MHD_Result
page_here(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct attendance	 rec;
	struct page_user	 u;
	struct event		 ev;
	enum MHD_Result		 ret;
	char			 code[CORE_SECRET_LEN + 1];
	int			 rc, post = c->json != NULL;

	snprintf(code, sizeof(code), "%s", c->word);
	event_init(&ev);
	if (page_user_get(r, &u) != QRM_OK) {
		ret = here_page(r, 200, &u, code, NULL, NULL, 0, 0);
		page_user_clear(&u);
		return ret;
	}
	if (post && !page_csrf_ok(c, &u.s)) {
		ret = here_page(r, 403, &u, code, NULL, "The page had expired: "
		    "scan the code again.", 0, 0);
		page_user_clear(&u);
		return ret;
	}
	rc = core_self_checkin(r->q, &u.a, code, post, &ev, &rec, &err);
	if (rc == QRM_ENOTFOUND || rc == QRM_EFORBIDDEN) {
		event_clear(&ev);
		page_user_clear(&u);
		return page_fail(r, QRM_ENOTFOUND, "this code is not for a "
		    "meeting you may attend");
	}
	ret = here_page(r, rc == QRM_OK ? 200 : (unsigned int)http_status_of(
	    rc), &u, code, &ev, rc == QRM_OK ? NULL : err.msg, post &&
	    rc == QRM_OK, rc == QRM_OK);
	if (post && rc == QRM_OK)
		attendance_clear(&rec);
	event_clear(&ev);
	page_user_clear(&u);
	return ret;
}
