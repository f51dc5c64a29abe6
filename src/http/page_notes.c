/*
 * page_notes.c: a meeting's notes and actions, for officials (reps in
 * scope may read them).  What is carried over from earlier meetings
 * comes first; then the notes, each save kept as a revision; each line
 * can become an action in one step; then the meeting's actions, each
 * reassigned or closed where it stands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

static const char *const status_values[] = { "open", "waiting", "done",
	"cancelled", NULL };
static const char *const status_labels[] = { "Open", "Waiting on someone "
	"outside", "Done", "Dropped", NULL };

static void
action_line(struct buf *b, const struct action *x)
{
	html_raw_trusted(b, "<strong>");
	html_text(b, x->title);
	html_raw_trusted(b, "</strong><br><span class=\"hint\">");
	if (x->owner_name != NULL) {
		html_raw_trusted(b, "Owner: ");
		html_text(b, x->owner_name);
	}
	if (x->waiting_on != NULL) {
		html_raw_trusted(b, x->owner_name ? " · waiting on " :
		    "Waiting on ");
		html_text(b, x->waiting_on);
	}
	if (x->due[0]) {
		html_raw_trusted(b, " · due ");
		html_when(b, x->due, 1);
	}
	html_raw_trusted(b, " · ");
	html_text(b, status_labels[x->status]);
	html_raw_trusted(b, "</span>");
}

/*
 * The page of event id.  form names the form that was refused (its
 * values are kept; bad and why say what to put right), or NULL.
 */
static enum MHD_Result
notes_page(struct request *r, unsigned int status, const struct page_user *u,
    int64_t id, const char *form, const json_t *values, const char *bad,
    const char *why, const char *notice)
{
	struct qrm_error	 err = { 0 };
	struct action_list	 al;
	struct html_form	 f;
	struct event		 ev;
	struct buf		 b = { 0 };
	json_t			*notes = NULL, *agenda = NULL, *v, *empty;
	const char		*text, *p, *e;
	char			 action[64], name[32], title[300], fid[40];
	size_t			 i, line;
	int			 rc, official = u->a.role >= ROLE_OFFICIAL;

	memset(&al, 0, sizeof(al));
	if ((rc = core_event_get(r->q, &u->a, id, &ev, &err)) != QRM_OK ||
	    (rc = core_notes_get(r->q, &u->a, id, &notes, &err)) != QRM_OK) {
		if (rc == QRM_OK)
			event_clear(&ev);
		return page_error(r, rc == QRM_EFORBIDDEN ? QRM_ENOTFOUND : rc,
		    &err);
	}
	core_agenda(r->q, &u->a, id, &agenda, NULL);
	core_action_list(r->q, &u->a, NULL, NULL, 0, id, &al, NULL);
	empty = json_object();
	memset(&f, 0, sizeof(f));
	f.b = &b;
	snprintf(title, sizeof(title), "Notes: %s", ev.title);
	html_begin(&b, title, u->s.csrf);
	html_raw_trusted(&b, "<h1>Notes and actions</h1><p><strong>");
	html_text(&b, ev.title);
	html_raw_trusted(&b, "</strong>, ");
	html_when(&b, ev.start, 1);
	buf_printf(&b, " · <a href=\"/events/%lld\">the meeting's page</a>",
	    (long long)id);
	if (official)
		buf_printf(&b, " · <a href=\"/events/%lld/edit\">change it</a>",
		    (long long)id);
	html_raw_trusted(&b, "</p>");
	html_notice(&b, status, notice);

	/* carried over */
	v = json_object_get(agenda, "carried_over");
	for (i = json_array_size(v); i > 0; i--)	/* its own: below */
		if (json_integer_value(json_object_get(json_array_get(v,
		    i - 1), "event")) == id)
			json_array_remove(v, i - 1);
	html_raw_trusted(&b, "<h2>Carried over from earlier meetings</h2>");
	if (json_array_size(v) == 0)
		html_raw_trusted(&b, "<p>No open actions from earlier meetings."
		    "</p>");
	else {
		html_raw_trusted(&b, "<ul>");
		for (i = 0; i < json_array_size(v); i++) {
			json_t	*x = json_array_get(v, i);

			html_raw_trusted(&b, "<li>");
			html_text(&b, json_string_value(json_object_get(x,
			    "title")));
			if ((text = json_string_value(json_object_get(x,
			    "owner_name"))) != NULL) {
				html_raw_trusted(&b, " <span class=\"hint\">(");
				html_text(&b, text);
				html_raw_trusted(&b, ")</span>");
			}
			html_raw_trusted(&b, "</li>");
		}
		html_raw_trusted(&b, "</ul>");
	}
	/* an employer meeting: what the employer still owes, and how long */
	v = json_object_get(agenda, "employer_clock");
	if (json_array_size(v) > 0) {
		html_raw_trusted(&b, "<h2>Waiting on the employer</h2><ul>");
		for (i = 0; i < json_array_size(v); i++) {
			html_raw_trusted(&b, "<li>");
			html_text(&b, json_string_value(json_object_get(
			    json_array_get(v, i), "text")));
			html_raw_trusted(&b, "</li>");
		}
		html_raw_trusted(&b, "</ul>");
	}

	/* the notes */
	text = json_string_value(json_object_get(notes, "text"));
	html_raw_trusted(&b, "<h2 id=\"notes\">Notes</h2>");
	if (official) {
		f.values = form && strcmp(form, "notes") == 0 ? values :
		    json_pack("{s:s}", "text", text ? text : "");
		f.bad = form && strcmp(form, "notes") == 0 ? bad : NULL;
		f.why = why;
		snprintf(action, sizeof(action), "/events/%lld/notes",
		    (long long)id);
		html_form_begin(&f, action, u->s.csrf);
		html_textarea(&f, "text", "The meeting's notes", "Every save "
		    "is kept; earlier versions are at the foot of the page. "
		    "Each line can become an action.", 10);
		html_raw_trusted(&b, "<button type=\"submit\">Save the notes"
		    "</button></form>\n");
		if (f.values != values)
			json_decref((json_t *)f.values);
	}
	if (text != NULL && *text != '\0') {
		html_raw_trusted(&b, "<ol class=\"lines\">");
		for (p = text, line = 1; *p != '\0'; line++) {
			e = p + strcspn(p, "\n");
			html_raw_trusted(&b, "<li>");
			buf_printf(&b, "<span class=\"line\">");
			{
				char	*one = strndup(p, (size_t)(e - p));

				html_text(&b, one);
				free(one);
			}
			html_raw_trusted(&b, "</span>");
			if (official && strspn(p, " \t\r-*") < (size_t)(e - p)) {
				snprintf(name, sizeof(name), "%zu", line);
				buf_printf(&b, "<details%s><summary>Make it an "
				    "action</summary>", form && strcmp(form,
				    name) == 0 ? " open" : "");
				snprintf(action, sizeof(action),
				    "/events/%lld/actions", (long long)id);
				f.values = form && strcmp(form, name) == 0 ?
				    values : empty;
				f.bad = form && strcmp(form, name) == 0 ? bad :
				    NULL;
				snprintf(fid, sizeof(fid), "l%s", name);
				f.id = fid;
				html_form_begin(&f, action, u->s.csrf);
				html_hidden(&b, "form", name);
				html_hidden(&b, "from_notes_line", name);
				html_input(&f, "owner", "Owner", "text",
				    "Membership number or e-mail address.");
				html_input(&f, "due", "Due", "date", NULL);
				html_raw_trusted(&b, "<button type=\"submit\">"
				    "Make the action</button></form>"
				    "</details>");
			}
			html_raw_trusted(&b, "</li>");
			p = *e ? e + 1 : e;
		}
		html_raw_trusted(&b, "</ol>");
	}

	/* the actions */
	html_raw_trusted(&b, "<h2 id=\"actions\">Actions of this meeting</h2>");
	if (al.n == 0)
		html_raw_trusted(&b, "<p>None yet.</p>");
	for (i = 0; i < al.n; i++) {
		const struct action *x = &al.v[i];
		json_t	*mine;
		char	 aid[24];

		buf_printf(&b, "<article class=\"action\" id=\"action-%lld\">",
		    (long long)x->id);
		action_line(&b, x);
		if (official) {
			snprintf(aid, sizeof(aid), "a%lld", (long long)x->id);
			mine = json_pack("{s:s, s:s}", "status",
			    action_status_names[x->status], "owner", "");
			f.values = form && strcmp(form, aid) == 0 ? values :
			    mine;
			f.bad = form && strcmp(form, aid) == 0 ? bad : NULL;
			snprintf(action, sizeof(action), "/actions/%lld",
			    (long long)x->id);
			buf_printf(&b, "<details%s><summary>Reassign or "
			    "close</summary>", form && strcmp(form, aid) == 0 ?
			    " open" : "");
			f.id = aid;
			html_form_begin(&f, action, u->s.csrf);
			html_hidden(&b, "form", aid);
			buf_printf(&b, "<input type=\"hidden\" name=\"event\" "
			    "value=\"%lld\">", (long long)id);
			html_input(&f, "owner", "New owner", "text", "Leave "
			    "empty to keep the owner.");
			html_select(&f, "status", "State", NULL, status_values,
			    status_labels);
			html_input(&f, "note", "Why (kept in its history)",
			    "text", NULL);
			html_raw_trusted(&b, "<button type=\"submit\">Save"
			    "</button></form></details>");
			json_decref(mine);
		}
		html_raw_trusted(&b, "</article>\n");
	}
	if (official) {
		f.id = NULL;
		f.values = form && strcmp(form, "add") == 0 ? values : empty;
		f.bad = form && strcmp(form, "add") == 0 ? bad : NULL;
		html_raw_trusted(&b, "<h3 id=\"add\">Add an action</h3>");
		html_form_problem(&f);
		snprintf(action, sizeof(action), "/events/%lld/actions",
		    (long long)id);
		html_form_begin(&f, action, u->s.csrf);
		html_hidden(&b, "form", "add");
		html_input(&f, "title", "What is to be done", "text", NULL);
		html_input(&f, "owner", "Owner", "text", "Membership number or "
		    "e-mail address.");
		html_input(&f, "waiting_on", "Or waiting on (outside the union)",
		    "text", "Say, the employer's HR team.");
		html_input(&f, "due", "Due", "date", NULL);
		html_raw_trusted(&b, "<button type=\"submit\">Add the action"
		    "</button></form>\n");
	}

	/* earlier versions */
	v = json_object_get(notes, "revisions");
	if (json_array_size(v) > 1) {
		html_raw_trusted(&b, "<h2>Earlier versions of the notes</h2>");
		for (i = 1; i < json_array_size(v); i++) {
			json_t	*x = json_array_get(v, i);

			html_raw_trusted(&b, "<details><summary>");
			html_text(&b, json_string_value(json_object_get(x,
			    "at")));
			html_raw_trusted(&b, " by ");
			html_text(&b, json_string_value(json_object_get(x,
			    "actor")));
			html_raw_trusted(&b, "</summary><pre class=\"notes\">");
			html_text(&b, json_string_value(json_object_get(x,
			    "text")));
			html_raw_trusted(&b, "</pre></details>");
		}
	}
	html_end(&b);
	json_decref(empty);
	json_decref(notes);
	json_decref(agenda);
	action_list_free(&al);
	event_clear(&ev);
	return html_send(r, status, &b, NULL, NULL, NULL);
}

static enum MHD_Result
back_to_notes(struct request *r, int64_t id, const char *anchor)
{
	char	where[96];

	snprintf(where, sizeof(where), "/events/%lld/notes#%s",
	    (long long)id, anchor);
	return html_redirect(r, where, "Saved");
}

/* The owner typed into a form as the API's "owner", when one was. */
static int
typed_owner(struct request *r, const struct actor *a, const json_t *f,
    json_t *body, struct qrm_error *err)
{
	const char	*t = json_string_value(json_object_get(f, "owner"));
	struct member	 m;

	if (t == NULL || t[strspn(t, " ")] == '\0')
		return QRM_OK;
	if (core_member_find(r->q, a, t, &m, err) != QRM_OK) {
		snprintf(err->field, sizeof(err->field), "owner");
		return QRM_EINVAL;
	}
	json_object_set_new(body, "owner", json_integer(m.id));
	member_clear(&m);
	return QRM_OK;
}

/* GET and POST /events/{id}/notes: the page, or a new revision. */
enum MHD_Result
page_notes(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	enum MHD_Result		 ret;
	const char		*text;
	json_t			*out = NULL;
	int			 rc;

	if (page_staff(r, &u, ROLE_REP, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	if (c->json == NULL) {
		ret = notes_page(r, 200, &u, c->id[0], NULL, NULL, NULL, NULL,
		    NULL);
		page_user_clear(&u);
		return ret;
	}
	text = json_string_value(json_object_get(c->json, "text"));
	if (!page_csrf_ok(c, &u.s))
		rc = qrm_seterr(&err, QRM_EFORBIDDEN, "text", "the page had "
		    "expired: please save again");
	else {
		struct buf	 t = { 0 };
		const char	*p;

		for (p = text ? text : ""; *p != '\0'; p++)
			if (*p != '\r')
				buf_append(&t, p, 1);
		rc = core_notes_put(r->q, &u.a, c->id[0], t.p ? t.p : "",
		    t.len, &out, &err);
		buf_free(&t);
		json_decref(out);
	}
	if (rc == QRM_OK)
		ret = back_to_notes(r, c->id[0], "notes");
	else
		ret = notes_page(r, (unsigned int)http_status_of(rc), &u,
		    c->id[0], "notes", c->json, "text", err.msg, err.msg);
	page_user_clear(&u);
	return ret;
}

/* POST /events/{id}/actions: a new action, maybe from a notes line. */
enum MHD_Result
page_notes_action(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct action		 x;
	enum MHD_Result		 ret;
	const char		*form, *v;
	json_t			*body;
	int64_t			 line;
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	form = json_string_value(json_object_get(c->json, "form"));
	body = json_object();
	if ((v = json_string_value(json_object_get(c->json,
	    "from_notes_line"))) != NULL && parse_int64(v, &line) == 0)
		json_object_set_new(body, "from_notes_line", json_integer(line));
	if ((v = json_string_value(json_object_get(c->json, "title"))) &&
	    *v != '\0')
		json_object_set_new(body, "title", json_string(v));
	if ((v = json_string_value(json_object_get(c->json, "waiting_on"))) &&
	    *v != '\0')
		json_object_set_new(body, "waiting_on", json_string(v));
	if ((v = json_string_value(json_object_get(c->json, "due"))) &&
	    *v != '\0')
		json_object_set_new(body, "due", json_string(v));
	if (!page_csrf_ok(c, &u.s))
		rc = qrm_seterr(&err, QRM_EFORBIDDEN, "title", "the page had "
		    "expired: please try again");
	else if ((rc = typed_owner(r, &u.a, c->json, body, &err)) == QRM_OK &&
	    (rc = core_action_create(r->q, &u.a, c->id[0], body, &x, &err)) ==
	    QRM_OK)
		action_clear(&x);
	json_decref(body);
	if (rc == QRM_OK)
		ret = back_to_notes(r, c->id[0], "actions");
	else if (rc == QRM_ENOTFOUND)
		ret = page_error(r, rc, &err);
	else
		ret = notes_page(r, (unsigned int)http_status_of(rc), &u,
		    c->id[0], form ? form : "add", c->json,
		    err.field[0] && strcmp(err.field, "from_notes_line") ?
		    err.field : "title", err.msg, err.msg);
	page_user_clear(&u);
	return ret;
}

/* POST /actions/{id}: reassign it, or change its state, with a note. */
enum MHD_Result
page_action_change(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct action		 x;
	enum MHD_Result		 ret;
	const char		*v;
	json_t			*body;
	int64_t			 event = 0;
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	if ((v = json_string_value(json_object_get(c->json, "event"))))
		parse_int64(v, &event);
	body = json_object();
	if ((v = json_string_value(json_object_get(c->json, "status"))))
		json_object_set_new(body, "status", json_string(v));
	if ((v = json_string_value(json_object_get(c->json, "note"))) &&
	    *v != '\0')
		json_object_set_new(body, "note", json_string(v));
	if (!page_csrf_ok(c, &u.s))
		rc = qrm_seterr(&err, QRM_EFORBIDDEN, "status", "the page had "
		    "expired: please try again");
	else if ((rc = typed_owner(r, &u.a, c->json, body, &err)) == QRM_OK &&
	    (rc = core_action_update(r->q, &u.a, c->id[0], body, &x, &err)) ==
	    QRM_OK) {
		if (event == 0)
			event = x.event;
		action_clear(&x);
	}
	json_decref(body);
	if (rc == QRM_OK && event > 0)
		ret = back_to_notes(r, event, "actions");
	else if (rc == QRM_OK)
		ret = http_text(r, 200, "text/plain; charset=utf-8", "Saved.\n");
	else if (event > 0)
		ret = notes_page(r, (unsigned int)http_status_of(rc), &u, event,
		    json_string_value(json_object_get(c->json, "form")),
		    c->json, err.field[0] ? err.field : "status", err.msg,
		    err.msg);
	else
		ret = page_error(r, rc, &err);
	page_user_clear(&u);
	return ret;
}
