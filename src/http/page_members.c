/*
 * page_members.c: the officials' list of members: find one, add one,
 * import a spreadsheet's CSV (with what happened to each row), invite
 * to sign in, and deactivate (which ends their sessions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"

#define MEMBERS_SHOWN	200

static const char *const role_values[] = { "member", "rep", "official",
	"admin", NULL };
static const char *const role_labels[] = { "Member", "Rep",
	"Official", "Administrator", NULL };

static int
member_matches(const struct member *m, const char *q)
{
	return q == NULL || *q == '\0' || strcasestr(m->name, q) ||
	    strcasestr(m->email, q) || (m->number && strcasestr(m->number, q));
}

/* A report of an import: counts, then every refused row and why. */
static void
import_report(struct buf *b, const json_t *rep)
{
	json_t	*refused = json_object_get(rep, "refused"), *x;
	size_t	 i;

	buf_printf(b, "<div class=\"notice\" role=\"status\" id=\"report\">"
	    "<h2>The file was read</h2><p><strong>%lld</strong> added, "
	    "<strong>%lld</strong> changed, <strong>%lld</strong> already "
	    "up to date, <strong>%zu</strong> not taken.</p>",
	    (long long)json_integer_value(json_object_get(rep, "imported")),
	    (long long)json_integer_value(json_object_get(rep, "updated")),
	    (long long)json_integer_value(json_object_get(rep, "unchanged")),
	    json_array_size(refused));
	if (json_array_size(refused) > 0) {
		html_raw_trusted(b, "<table class=\"report\"><caption>Rows not "
		    "taken: put them right in the spreadsheet and upload it "
		    "again (rows already in are not doubled)</caption><thead>"
		    "<tr><th scope=\"col\">Row</th><th scope=\"col\">Why</th>"
		    "</tr></thead><tbody>");
		json_array_foreach(refused, i, x) {
			buf_printf(b, "<tr><td>%lld</td><td>", (long long)
			    json_integer_value(json_object_get(x, "row")));
			html_text(b, json_string_value(json_object_get(x,
			    "reason")));
			html_raw_trusted(b, "</td></tr>");
		}
		html_raw_trusted(b, "</tbody></table>");
	}
	html_raw_trusted(b, "</div>");
}

/*
 * The page: the add form showing values (bad, why: the field refused),
 * the import form, and the list.  report is an import's, or NULL.
 */
static enum MHD_Result
members_page(struct request *r, unsigned int status, const struct page_user *u,
    const json_t *values, const char *bad, const char *why,
    const char *notice, const json_t *report)
{
	struct audience_list	 al;
	struct member_list	 ml;
	struct html_form	 f;
	struct buf		 b = { 0 };
	const char		*q = http_arg(r, "q"), *aud = http_arg(r,
				    "audience");
	json_t			*empty = json_object();
	char			 key[96], action[48];
	size_t			 i, j, shown = 0, matched = 0;

	memset(&al, 0, sizeof(al));
	memset(&ml, 0, sizeof(ml));
	core_audience_list(r->q, &al, NULL);
	if (aud != NULL && *aud == '\0')
		aud = NULL;
	core_member_list(r->q, &u->a, aud, NULL, 1, &ml, NULL);
	html_begin(&b, "Members", u->s.csrf);
	html_raw_trusted(&b, "<h1>Members</h1>");
	html_notice(&b, status, notice);
	if (report != NULL)
		import_report(&b, report);
	html_raw_trusted(&b, "<p><a href=\"#add\">Add a member</a> · <a "
	    "href=\"#import\">Import a spreadsheet</a> · <a href=\"/events/"
	    "new\">New meeting</a></p>");

	/* find */
	html_raw_trusted(&b, "<form method=\"get\" action=\"/members\" "
	    "role=\"search\"><label for=\"q\">Find by name, e-mail or number"
	    "</label><input type=\"search\" id=\"q\" name=\"q\" value=\"");
	html_text(&b, q ? q : "");
	html_raw_trusted(&b, "\"><label for=\"audience\">In the group</label>"
	    "<select id=\"audience\" name=\"audience\"><option value=\"\">"
	    "Everyone</option>");
	for (i = 0; i < al.n; i++) {
		html_raw_trusted(&b, "<option value=\"");
		html_text(&b, al.v[i].slug);
		html_raw_trusted(&b, aud && strcmp(aud, al.v[i].slug) == 0 ?
		    "\" selected>" : "\">");
		html_text(&b, al.v[i].name ? al.v[i].name : al.v[i].slug);
		html_raw_trusted(&b, "</option>");
	}
	html_raw_trusted(&b, "</select><button class=\"plain\">Find</button>"
	    "</form>\n");

	/* the list */
	for (i = 0; i < ml.n; i++)
		matched += member_matches(&ml.v[i], q);
	buf_printf(&b, "<h2 id=\"list\">%zu %s</h2>", matched, matched == 1 ?
	    "member" : "members");
	html_raw_trusted(&b, "<ul class=\"members\">\n");
	for (i = 0; i < ml.n && shown < MEMBERS_SHOWN; i++) {
		const struct member *m = &ml.v[i];

		if (!member_matches(m, q))
			continue;
		shown++;
		buf_printf(&b, "<li id=\"m%lld\"%s><strong>", (long long)m->id,
		    m->active ? "" : " class=\"inactive\"");
		html_text(&b, m->name);
		html_raw_trusted(&b, "</strong>");
		if (!m->active)
			html_raw_trusted(&b, " <em>(deactivated)</em>");
		html_raw_trusted(&b, "<br><span class=\"hint\">");
		html_text(&b, m->number ? m->number : "no number");
		html_raw_trusted(&b, " · ");
		html_text(&b, m->email);
		html_raw_trusted(&b, " · ");
		html_text(&b, role_labels[m->role]);
		for (j = 0; j < m->audiences.n; j++) {
			html_raw_trusted(&b, j ? ", " : " · ");
			html_text(&b, m->audiences.v[j]);
		}
		html_raw_trusted(&b, "</span>");
		if (m->active) {
			snprintf(action, sizeof(action), "/members/%lld",
			    (long long)m->id);
			html_raw_trusted(&b, "<form method=\"post\" action=\"");
			html_text(&b, action);
			html_raw_trusted(&b, "\" class=\"inline\">");
			html_hidden(&b, "csrf", u->s.csrf);
			html_raw_trusted(&b, "<button class=\"plain\" name=\"do\" "
			    "value=\"invite\">E-mail a sign-in link</button>"
			    "</form><details><summary>Deactivate</summary><p>");
			html_text(&b, m->name);
			html_raw_trusted(&b, " will no longer get feeds or sign "
			    "in; their attendance stays on record.</p><form "
			    "method=\"post\" action=\"");
			html_text(&b, action);
			html_raw_trusted(&b, "\">");
			html_hidden(&b, "csrf", u->s.csrf);
			html_raw_trusted(&b, "<button class=\"warn\" name=\"do\" "
			    "value=\"deactivate\">Deactivate</button></form>"
			    "</details>");
		}
		html_raw_trusted(&b, "</li>\n");
	}
	html_raw_trusted(&b, "</ul>");
	if (shown < matched)
		buf_printf(&b, "<p>The first %zu are shown: find by name or "
		    "number to see others.</p>", shown);

	/* add */
	memset(&f, 0, sizeof(f));
	f.b = &b;
	f.values = values ? values : empty;
	f.bad = bad;
	f.why = why;
	html_raw_trusted(&b, "<h2 id=\"add\">Add a member</h2>");
	html_form_problem(&f);
	html_form_begin(&f, "/members", u->s.csrf);
	html_input(&f, "name", "Name", "text", NULL);
	html_input(&f, "email", "E-mail address", "email", NULL);
	html_input(&f, "number", "Membership number", "text", "Leave empty "
	    "if they have none yet.");
	html_input(&f, "branch", "Branch", "text", NULL);
	html_select(&f, "role", "Role", NULL, role_values, role_labels);
	html_raw_trusted(&b, "<fieldset id=\"f-audiences\"><legend>Groups"
	    "</legend>");
	if (bad && strcmp(bad, "audiences") == 0) {
		html_raw_trusted(&b, "<p class=\"error\">");
		html_text(&b, why);
		html_raw_trusted(&b, "</p>");
	}
	for (i = 0; i < al.n; i++) {
		snprintf(key, sizeof(key), "aud.%s", al.v[i].slug);
		html_checkbox(&f, key, al.v[i].name ? al.v[i].name :
		    al.v[i].slug);
	}
	html_raw_trusted(&b, "</fieldset>");
	html_checkbox(&f, "invite", "E-mail them a welcome and a sign-in "
	    "link now");
	html_raw_trusted(&b, "<button type=\"submit\">Add the member</button>"
	    "</form>\n");

	/* import */
	html_raw_trusted(&b, "<h2 id=\"import\">Import a spreadsheet</h2><p>"
	    "Save it as CSV. The first row names the columns: <code>name"
	    "</code>, <code>email</code>, and if you have them <code>number"
	    "</code>, <code>branch</code>, <code>audiences</code> (group "
	    "names separated by spaces). Someone already here, by number or "
	    "e-mail, is updated, not doubled.</p><form method=\"post\" "
	    "action=\"/members/import\" enctype=\"multipart/form-data\">");
	html_hidden(&b, "csrf", u->s.csrf);
	html_raw_trusted(&b, "<label for=\"f-file\">The CSV file</label>"
	    "<input type=\"file\" id=\"f-file\" name=\"file\" accept=\".csv,"
	    "text/csv\" required><button type=\"submit\">Import</button>"
	    "</form>\n");
	html_end(&b);
	json_decref(empty);
	member_list_free(&ml);
	audience_list_free(&al);
	return html_send(r, status, &b, NULL, NULL, NULL);
}

static int
invite_one(struct request *r, const struct actor *a, int64_t id,
    struct qrm_error *err)
{
	struct strv	 ids = { 0 };
	json_t		*rep = NULL;
	const char	*why;
	char		 base[256], n[24];
	int		 rc;

	snprintf(n, sizeof(n), "%lld", (long long)id);
	strv_push(&ids, n);
	page_base(r, base, sizeof(base));
	rc = core_member_invite(r->q, a, &ids, NULL, 0, base, &rep, err);
	why = json_string_value(json_object_get(json_array_get(
	    json_object_get(rep, "skipped"), 0), "reason"));
	if (rc == QRM_OK && json_array_size(json_object_get(rep,
	    "invited")) == 0)
		rc = qrm_seterr(err, QRM_EINVAL, "", "no invitation was sent: "
		    "%s", why ? why : "the member is not active");
	json_decref(rep);
	strv_free(&ids);
	return rc;
}

/* GET /members, and POST /members: add one. */
enum MHD_Result
page_members(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 al;
	struct page_user	 u;
	struct member		 m;
	enum MHD_Result		 ret;
	const char		*v;
	json_t			*body, *aud;
	char			 key[96], where[64];
	size_t			 i;
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	if (c->json == NULL) {
		v = http_arg(r, "done");
		ret = members_page(r, 200, &u, NULL, NULL, NULL, v == NULL ?
		    NULL : strcmp(v, "invited") == 0 ? "The invitation is on "
		    "its way." : strcmp(v, "added") == 0 ? "Added." :
		    "Deactivated: their sessions and links have ended.", NULL);
		page_user_clear(&u);
		return ret;
	}
	memset(&al, 0, sizeof(al));
	core_audience_list(r->q, &al, NULL);
	aud = json_array();
	for (i = 0; i < al.n; i++) {
		snprintf(key, sizeof(key), "aud.%s", al.v[i].slug);
		if (json_object_get(c->json, key) != NULL)
			json_array_append_new(aud, json_string(al.v[i].slug));
	}
	audience_list_free(&al);
	body = json_pack("{s:o}", "audiences", aud);
	for (i = 0; i < 4; i++) {
		static const char *const k[] = { "name", "email", "number",
		    "branch" };

		v = json_string_value(json_object_get(c->json, k[i]));
		if (v != NULL && *v != '\0')
			json_object_set_new(body, k[i], json_string(v));
	}
	if ((v = json_string_value(json_object_get(c->json, "role"))))
		json_object_set_new(body, "role", json_string(v));
	if (!page_csrf_ok(c, &u.s))
		rc = qrm_seterr(&err, QRM_EFORBIDDEN, "name", "the page had "
		    "expired: please send it again");
	else if (json_object_get(body, "name") == NULL)
		rc = qrm_seterr(&err, QRM_EINVAL, "name", "type their name");
	else if (json_object_get(body, "email") == NULL)
		rc = qrm_seterr(&err, QRM_EINVAL, "email", "type their e-mail "
		    "address");
	else if ((rc = core_member_create(r->q, &u.a, body, &m, &err)) ==
	    QRM_OK) {
		if (json_object_get(c->json, "invite") != NULL)
			rc = invite_one(r, &u.a, m.id, &err);
		snprintf(where, sizeof(where), "/members?done=added#m%lld",
		    (long long)m.id);
		member_clear(&m);
	}
	json_decref(body);
	if (rc == QRM_OK)
		ret = html_redirect(r, where, "Saved");
	else
		ret = members_page(r, (unsigned int)http_status_of(rc), &u,
		    c->json, err.field[0] ? err.field : "name", err.msg, NULL,
		    NULL);
	page_user_clear(&u);
	return ret;
}

/* POST /members/import: a CSV file, and the per-row report. */
enum MHD_Result
page_members_import(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	enum MHD_Result		 ret;
	const char		*file;
	json_t			*rep = NULL;
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	file = json_string_value(json_object_get(c->json, "file"));
	if (!page_csrf_ok(c, &u.s))
		rc = qrm_seterr(&err, QRM_EFORBIDDEN, "file", "the page had "
		    "expired: please upload the file again");
	else if (file == NULL || *file == '\0')
		rc = qrm_seterr(&err, QRM_EINVAL, "file", "choose the CSV file "
		    "to upload");
	else
		rc = core_member_import_csv(r->q, &u.a, file, strlen(file),
		    &rep, &err);
	ret = members_page(r, rc == QRM_OK ? 200 : (unsigned int)
	    http_status_of(rc), &u, NULL, NULL, NULL, rc == QRM_OK ? NULL :
	    err.msg, rep);
	json_decref(rep);
	page_user_clear(&u);
	return ret;
}

/* POST /members/{id}: do=invite or do=deactivate. */
enum MHD_Result
page_member_change(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct member		 m;
	enum MHD_Result		 ret;
	const char		*what;
	char			 where[64];
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	what = json_string_value(json_object_get(c->json, "do"));
	if (!page_csrf_ok(c, &u.s))
		rc = qrm_seterr(&err, QRM_EFORBIDDEN, "", "the page had "
		    "expired: please try again");
	else if (what != NULL && strcmp(what, "invite") == 0)
		rc = invite_one(r, &u.a, c->id[0], &err);
	else if (what != NULL && strcmp(what, "deactivate") == 0) {
		if ((rc = core_member_deactivate(r->q, &u.a, c->id[0], &m,
		    &err)) == QRM_OK)
			member_clear(&m);
	} else
		rc = qrm_seterr(&err, QRM_EINVAL, "do", "nothing to do");
	snprintf(where, sizeof(where), "/members?done=%s#m%lld",
	    what && strcmp(what, "invite") == 0 ? "invited" : "deactivated",
	    (long long)c->id[0]);
	if (rc == QRM_OK)
		ret = html_redirect(r, where, "Saved");
	else
		ret = members_page(r, (unsigned int)http_status_of(rc), &u, NULL,
		    NULL, NULL, err.msg, NULL);
	page_user_clear(&u);
	return ret;
}
