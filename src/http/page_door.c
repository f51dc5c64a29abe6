/*
 * page_door.c: the rep's page at the door of a meeting: everyone who
 * may come, searchable by name or membership number, each with a
 * "Present" button (and "Undo"), apologies with a reason, the late mark,
 * a walk-in added by membership number, and the counts and quorum.
 * Reps see the events of their scopes only, as in the API.
 *
 * The list is one form, so that a row costs a button and not a form of
 * its own: a meeting of 500 is a page a phone loads at once.  The
 * page's script (quorum.js) sends the same fields and takes JSON back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"

/* Is it the page's script asking (it wants JSON, not a page)? */
static int
wants_json(struct request *r)
{
	const char	*a = http_header(r, MHD_HTTP_HEADER_ACCEPT);

	return a != NULL && strncmp(a, "application/json", 16) == 0;
}

/* What a row's state says, in words. */
static const char *
state_words(const struct attendance *x)
{
	if (x->status == ATT_PRESENT)
		return x->late ? "present (late)" : "present";
	if (x->status == ATT_APOLOGIES)
		return "apologies";
	if (x->status == ATT_ABSENT)
		return "absent";
	return "not here yet";
}

/* Does row match the search (name or number, any case)? */
static int
matches(const struct attendance *x, const char *q)
{
	return q == NULL || *q == '\0' || (x->name && strcasestr(x->name, q)) ||
	    (x->number && strcasestr(x->number, q));
}

/*
 * The door list of event id for u (its read audited when audit is
 * set); when it cannot be had, the error is sent (*sent) and its code
 * returned.  A member who is not a rep is not told that the door
 * exists.
 */
static int
door_load(struct request *r, const struct page_user *u, int64_t id,
    const char *occurrence, int audit, struct event *ev,
    char occ[LOCAL_TIME_LEN], struct attendance_list *l, json_t **quorum,
    enum MHD_Result *sent)
{
	struct qrm_error	err = { 0 };
	int			rc;

	if ((rc = core_door(r->q, &u->a, id, occurrence, audit, ev, occ, l,
	    quorum, &err)) != QRM_OK) {
		if (rc == QRM_EFORBIDDEN && u->a.role < ROLE_REP)
			rc = QRM_ENOTFOUND;
		*sent = wants_json(r) ? http_error(r, rc, &err) :
		    page_error(r, rc, &err);
	}
	return rc;
}

/* One row of the list: who, their state, and what can be done. */
static void
door_row(struct buf *b, const struct attendance *x)
{
	char	id[24];

	snprintf(id, sizeof(id), "%lld", (long long)x->member);
	buf_puts(b, "<li data-member=\"");
	buf_puts(b, id);
	buf_puts(b, "\"><span class=\"who\"><strong>");
	html_text(b, x->name);
	buf_puts(b, "</strong> <span class=\"hint\">");
	html_text(b, x->number ? x->number : "no number");
	buf_puts(b, "</span></span> <span class=\"state\">");
	buf_puts(b, state_words(x));
	if (x->status == ATT_APOLOGIES && x->reason != NULL) {
		buf_puts(b, ": ");
		html_text(b, x->reason);
	}
	buf_puts(b, x->status == ATT_PRESENT ? "</span><button class=\"plain\" "
	    "name=\"undo\" value=\"" : "</span><button name=\"present\" "
	    "value=\"");
	buf_puts(b, id);
	buf_puts(b, x->status == ATT_PRESENT ? "\">Undo</button>" :
	    "\">Present</button>");
	if (x->status != ATT_PRESENT && x->status != ATT_APOLOGIES) {
		buf_puts(b, "<details><summary>Apologies</summary><label "
		    "for=\"why-");
		buf_puts(b, id);
		buf_puts(b, "\">Reason</label><input type=\"text\" "
		    "maxlength=\"500\" name=\"why-");
		buf_puts(b, id);
		buf_puts(b, "\" id=\"why-");
		buf_puts(b, id);
		buf_puts(b, "\"><button class=\"plain\" name=\"apologies\" "
		    "value=\"");
		buf_puts(b, id);
		buf_puts(b, "\">Record apologies</button></details>");
	}
	buf_puts(b, "</li>\n");
}

static enum MHD_Result
door_page(struct request *r, unsigned int status, const struct page_user *u,
    int64_t id, const char *occurrence, const char *search,
    const char *notice)
{
	struct attendance_list	 l;
	struct event		 ev;
	struct buf		 b = { 0 };
	const struct session	*s = &u->s;
	enum MHD_Result		 sent;
	json_t			*quorum;
	char			 occ[LOCAL_TIME_LEN], action[64], title[300];
	size_t			 i, present = 0, apologies = 0, shown = 0;

	if (door_load(r, u, id, occurrence, 1, &ev, occ, &l, &quorum, &sent))
		return sent;
	for (i = 0; i < l.n; i++) {
		present += l.v[i].status == ATT_PRESENT;
		apologies += l.v[i].status == ATT_APOLOGIES;
	}
	buf_reserve(&b, 2048 + l.n * 420);
	snprintf(action, sizeof(action), "/events/%lld/door", (long long)id);
	snprintf(title, sizeof(title), "Door: %s", ev.title);
	html_begin(&b, title, s->csrf);
	html_raw_trusted(&b, "<h1>");
	html_text(&b, ev.title);
	html_raw_trusted(&b, "</h1><p>");
	html_when(&b, occ[0] ? occ : ev.start, 1);
	if (ev.location != NULL) {
		html_raw_trusted(&b, " · ");
		html_text(&b, ev.location);
	}
	html_raw_trusted(&b, "</p>");
	html_notice(&b, status, notice);
	buf_printf(&b, "<p class=\"counts\" role=\"status\"><strong>%zu "
	    "present</strong> of %zu · %zu apologies", present, l.n, apologies);
	if (quorum != NULL)
		buf_printf(&b, " · quorum %lld: <strong>%s</strong>",
		    (long long)json_integer_value(json_object_get(quorum,
		    "required")), json_is_true(json_object_get(quorum,
		    "reached")) ? "reached" : "not reached");
	html_raw_trusted(&b, "</p><p><a href=\"");
	html_text(&b, action);
	html_raw_trusted(&b, ".csv");
	if (occ[0]) {
		html_raw_trusted(&b, "?occurrence=");
		html_url_part(&b, occ);
	}
	html_raw_trusted(&b, "\">Download the list (CSV, for a spreadsheet)"
	    "</a> · <a href=\"");
	html_text(&b, action);
	html_raw_trusted(&b, "/qr");
	if (occ[0]) {
		html_raw_trusted(&b, "?occurrence=");
		html_url_part(&b, occ);
	}
	html_raw_trusted(&b, "\">Let members check themselves in (a code to "
	    "scan)</a></p><p id=\"queue\" class=\"queue\" role=\"status\" "
	    "aria-live=\"polite\" hidden></p>");
	/* a walk-in, by membership number */
	html_raw_trusted(&b, "<form method=\"post\" action=\"");
	html_text(&b, action);
	html_raw_trusted(&b, "\" class=\"walkin\">");
	html_hidden(&b, "csrf", s->csrf);
	html_hidden(&b, "occurrence", occ);
	html_hidden(&b, "do", "walkin");
	html_raw_trusted(&b, "<label for=\"number\">Walk-in: membership number"
	    "</label><input type=\"text\" id=\"number\" name=\"number\" "
	    "autocomplete=\"off\" required><button>Check in</button></form>");
	/* the search */
	html_raw_trusted(&b, "<form method=\"get\" action=\"");
	html_text(&b, action);
	html_raw_trusted(&b, "\" role=\"search\">");
	if (occ[0])
		html_hidden(&b, "occurrence", occ);
	html_raw_trusted(&b, "<label for=\"q\">Find by name or number</label>"
	    "<input type=\"search\" id=\"q\" name=\"q\" value=\"");
	html_text(&b, search);
	html_raw_trusted(&b, "\"><button class=\"plain\">Find</button></form>");
	/*
	 * The list, one form.  Its first button is disabled: Enter in a
	 * reason then sends nothing, rather than the first row's "Present".
	 */
	html_raw_trusted(&b, "<form method=\"post\" action=\"");
	html_text(&b, action);
	html_raw_trusted(&b, "\" class=\"door\"><button type=\"submit\" "
	    "disabled hidden aria-hidden=\"true\"></button>");
	html_hidden(&b, "csrf", s->csrf);
	html_hidden(&b, "occurrence", occ);
	html_hidden(&b, "q", search);
	html_raw_trusted(&b, "<ul class=\"door\">\n");
	for (i = 0; i < l.n; i++) {
		if (!matches(&l.v[i], search))
			continue;
		shown++;
		door_row(&b, &l.v[i]);
	}
	html_raw_trusted(&b, "</ul></form>");
	if (shown == 0)
		html_raw_trusted(&b, "<p>No one matches.</p>");
	html_end(&b);
	json_decref(quorum);
	attendance_list_free(&l);
	event_clear(&ev);
	return html_send(r, status, &b, NULL, NULL, NULL);
}

/* A row as the page's script reads it. */
static json_t *
row_json(const struct attendance *x)
{
	return json_pack("{s:I, s:s, s:b, s:s?}", "member",
	    (json_int_t)x->member, "state", state_words(x), "present",
	    x->status == ATT_PRESENT, "reason", x->reason);
}

/*
 * The door as the page's script reads it, to bring a page (and other
 * reps' changes) up to date without loading it again: the counts, the
 * quorum and every row.
 */
static enum MHD_Result
door_json(struct request *r, const struct page_user *u, int64_t id,
    const char *occurrence)
{
	struct attendance_list	 l;
	struct event		 ev;
	enum MHD_Result		 sent;
	json_t			*quorum, *rows, *o;
	char			 occ[LOCAL_TIME_LEN];
	size_t			 i, present = 0, apologies = 0;

	if (door_load(r, u, id, occurrence, 1, &ev, occ, &l, &quorum, &sent))
		return sent;
	rows = json_array();
	for (i = 0; i < l.n; i++) {
		present += l.v[i].status == ATT_PRESENT;
		apologies += l.v[i].status == ATT_APOLOGIES;
		json_array_append_new(rows, row_json(&l.v[i]));
	}
	o = json_pack("{s:s, s:I, s:I, s:I, s:o, s:o}", "occurrence", occ,
	    "present", (json_int_t)present, "apologies", (json_int_t)apologies,
	    "total", (json_int_t)l.n, "quorum", quorum ? quorum : json_null(),
	    "rows", rows);
	attendance_list_free(&l);
	event_clear(&ev);
	return http_json(r, 200, o);
}

/*
 * The answer to one change at the door: the counts, the quorum and the
 * row of the member it was for (read from the records alone: 20 reps at
 * a meeting of 500 do not each load the whole list for every tap).
 */
static enum MHD_Result
door_answer(struct request *r, const struct page_user *u, int64_t id,
    const char *occurrence, int64_t member)
{
	struct qrm_error	 err = { 0 };
	struct attendance_list	 l;
	json_t			*quorum, *rows, *o;
	size_t			 i, present = 0, apologies = 0;
	int			 rc;

	if ((rc = core_door_records(r->q, &u->a, id, occurrence, &l, &quorum,
	    &err)) != QRM_OK)
		return http_error(r, rc, &err);
	rows = json_array();
	for (i = 0; i < l.n; i++) {
		present += l.v[i].status == ATT_PRESENT;
		apologies += l.v[i].status == ATT_APOLOGIES;
		if (l.v[i].member == member)
			json_array_append_new(rows, row_json(&l.v[i]));
	}
	o = json_pack("{s:I, s:I, s:o, s:o}", "present", (json_int_t)present,
	    "apologies", (json_int_t)apologies, "quorum", quorum ? quorum :
	    json_null(), "rows", rows);
	attendance_list_free(&l);
	return http_json(r, 200, o);
}

/* GET /events/{id}/door[?occurrence=&q=] */
enum MHD_Result
page_door(struct request *r, const struct call *c)
{
	struct page_user	 u;
	enum MHD_Result		 ret;
	const char		*q = http_arg(r, "q");

	if (page_user_get(r, &u) == QRM_OK)
		ret = wants_json(r) ? door_json(r, &u, c->id[0], http_arg(r,
		    "occurrence")) : door_page(r, 200, &u, c->id[0],
		    http_arg(r, "occurrence"), q ? q : "", NULL);
	else if (wants_json(r))
		ret = http_fail(r, QRM_EUNAUTH, "", "you are signed out: sign "
		    "in again");
	else
		ret = html_redirect(r, "/signin", "Please sign in");
	page_user_clear(&u);
	return ret;
}

/*
 * What a door form asks: "present", "undo" or "apologies" with the
 * member as the button's value (the page), or "do" and "member" (the
 * script); "walkin" with a number.  *member is who.
 */
static const char *
door_what(const json_t *f, int64_t *member, const char **reason)
{
	static const char *const buttons[] = { "present", "undo",
	    "apologies" };
	const char	*v;
	char		 key[40];
	size_t		 i;

	*member = 0;
	*reason = json_string_value(json_object_get(f, "reason"));
	for (i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		if ((v = json_string_value(json_object_get(f, buttons[i])))) {
			parse_int64(v, member);
			snprintf(key, sizeof(key), "why-%s", v);
			if (*reason == NULL)
				*reason = json_string_value(json_object_get(f,
				    key));
			return buttons[i];
		}
	if ((v = json_string_value(json_object_get(f, "member"))))
		parse_int64(v, member);
	return json_string_value(json_object_get(f, "do"));
}

/* One change at the door by u; *who is the member it was for. */
static int
door_change(struct request *r, const struct call *c,
    const struct page_user *u, const char *occ, int64_t *who,
    struct qrm_error *err)
{
	struct attendance_list	 l;
	struct attendance	 rec;
	const char		*what, *v, *reason;
	json_t			*body = json_object();
	int64_t			 member;
	int			 rc;

	what = door_what(c->json, &member, &reason);
	*who = member;
	if (occ != NULL && *occ != '\0')
		json_object_set_new(body, "occurrence", json_string(occ));
	/* the key the page's script gave the change: applied once */
	if ((v = json_string_value(json_object_get(c->json, "key"))) &&
	    *v != '\0')
		json_object_set_new(body, "key", json_string(v));
	if (what != NULL && strcmp(what, "walkin") == 0) {
		v = json_string_value(json_object_get(c->json, "number"));
		json_object_set_new(body, "numbers", json_pack("[s]",
		    v ? v : ""));
		if ((rc = core_checkin(r->q, &u->a, c->id[0], body, &l,
		    err)) == QRM_OK) {
			*who = l.n > 0 ? l.v[0].member : 0;
			attendance_list_free(&l);
		}
	} else if (what != NULL && (strcmp(what, "present") == 0 ||
	    strcmp(what, "undo") == 0 || strcmp(what, "apologies") == 0)) {
		json_object_set_new(body, "status", json_string(strcmp(what,
		    "present") == 0 ? "present" : strcmp(what, "undo") == 0 ?
		    "unknown" : "apologies"));
		if (reason != NULL && *reason != '\0')
			json_object_set_new(body, "reason", json_string(reason));
		if ((rc = core_attendance_set(r->q, &u->a, c->id[0], member,
		    body, &rec, err)) == QRM_OK)
			attendance_clear(&rec);
	} else
		rc = qrm_seterr(err, QRM_EINVAL, "do", "nothing to do");
	json_decref(body);
	return rc;
}

/* POST /events/{id}/door: present, undo, apologies, or a walk-in. */
enum MHD_Result
page_door_post(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	enum MHD_Result		 ret;
	const char		*occ, *q;
	int64_t			 who = 0;
	int			 rc;

	if (page_user_get(r, &u) != QRM_OK) {
		page_user_clear(&u);
		return wants_json(r) ? http_fail(r, QRM_EUNAUTH, "", "you are "
		    "signed out: sign in again") : page_fail(r, QRM_EUNAUTH,
		    "not signed in");
	}
	occ = json_string_value(json_object_get(c->json, "occurrence"));
	q = json_string_value(json_object_get(c->json, "q"));
	if (!page_csrf_ok(c, &u.s))
		rc = qrm_seterr(&err, QRM_EFORBIDDEN, "csrf", "the page had "
		    "expired: please try again");
	else
		rc = door_change(r, c, &u, occ, &who, &err);
	if (wants_json(r))
		ret = rc != QRM_OK ? http_error(r, rc, &err) :
		    door_answer(r, &u, c->id[0], occ, who);
	else
		ret = door_page(r, rc == QRM_OK ? 200 : (unsigned int)
		    http_status_of(rc), &u, c->id[0], occ, q ? q : "",
		    rc == QRM_OK ? "Saved." : err.msg);
	page_user_clear(&u);
	return ret;
}

/* GET /events/{id}/door.csv: the door list for a spreadsheet. */
enum MHD_Result
page_door_csv(struct request *r, const struct call *c)
{
	struct attendance_list	 l;
	struct page_user	 u;
	struct event		 ev;
	enum MHD_Result		 ret;
	json_t			*quorum;
	char			 occ[LOCAL_TIME_LEN];

	if (page_user_get(r, &u) != QRM_OK)
		ret = page_fail(r, QRM_EUNAUTH, "not signed in");
	else if (door_load(r, &u, c->id[0], http_arg(r, "occurrence"), 1, &ev,
	    occ, &l, &quorum, &ret) == QRM_OK) {
		json_decref(quorum);
		event_clear(&ev);
		ret = api_attendance_csv_send(r, &l);
		attendance_list_free(&l);
	}
	page_user_clear(&u);
	return ret;
}
