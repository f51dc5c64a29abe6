/*
 * api.c: the JSON API under /api/v1/, behind a Bearer API token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "http_int.h"

static int
is(const struct request *r, const char *method)
{
	return strcmp(r->method, method) == 0;
}

static enum MHD_Result
not_allowed(struct request *r, const char *allow)
{
	char	msg[128];

	snprintf(msg, sizeof(msg), "this resource answers %s", allow);
	return http_error_msg(r, 405, "method_not_allowed", msg);
}

/* The member behind the Authorization header, as an actor. */
static int
authenticate(struct request *r, struct member *m, struct actor *a,
    struct qrm_error *err)
{
	const char	*h = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	int		 rc;

	memset(m, 0, sizeof(*m));
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return qrm_seterr(err, QRM_EUNAUTH, "token", "an API token is "
		    "required: Authorization: Bearer TOKEN");
	if ((rc = core_auth(r->q, SCOPE_API, h + 7, m, err)) != QRM_OK)
		return rc;
	a->member = m->id;
	a->role = m->role;
	a->name = m->email;
	return QRM_OK;
}

/* The request body as JSON, or an error (400 or 415). */
static int
body_json(struct request *r, json_t **out, struct qrm_error *err)
{
	const char	*ct = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t	 je;

	*out = NULL;
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0)
		return qrm_seterr(err, QRM_EMEDIA, "Content-Type",
		    "send the body as Content-Type: application/json");
	if (r->body.len == 0)
		return qrm_seterr(err, QRM_EINVAL, "", "the body is empty");
	if ((*out = json_loadb(r->body.p, r->body.len,
	    JSON_REJECT_DUPLICATES, &je)) == NULL)
		return qrm_seterr(err, QRM_EINVAL, "", "malformed JSON at line "
		    "%d, column %d: %s", je.line, je.column, je.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return qrm_seterr(err, QRM_EINVAL, "", "the body must be a "
		    "JSON object");
	}
	return QRM_OK;
}

static enum MHD_Result
events_list(struct request *r, const struct actor *a)
{
	struct qrm_error	 err = { 0 };
	struct event_list	 evs;
	json_t			*items;
	size_t			 i;
	int			 rc;

	if ((rc = core_event_list(r->q, a, http_arg(r, "from"),
	    http_arg(r, "to"), http_arg(r, "audience"), http_arg(r, "kind"),
	    http_arg(r, "tz"), &evs, &err)) != QRM_OK)
		return http_error(r, rc, &err);
	items = json_array();
	for (i = 0; i < evs.n; i++)
		json_array_append_new(items, event_to_json(&evs.v[i]));
	event_list_free(&evs);
	return http_json(r, 200, json_pack("{s:o}", "items", items));
}

static enum MHD_Result
event_reply(struct request *r, unsigned int status, struct event *ev)
{
	json_t	*o = event_to_json(ev);
	char	 loc[64];

	snprintf(loc, sizeof(loc), "/api/v1/events/%lld", (long long)ev->id);
	event_clear(ev);
	return http_json_at(r, status, o, status == 201 ? loc : NULL);
}

static void
csv_cell(struct buf *b, const char *s, int last)
{
	char	*q;
	size_t	 n;

	s = s ? s : "";
	n = csv_write(NULL, 0, s, strlen(s));
	if ((q = malloc(n + 1)) != NULL) {
		csv_write(q, n, s, strlen(s));
		buf_append(b, q, n);
		free(q);
	}
	buf_puts(b, last ? "\r\n" : ",");
}

/* An attendance list as CSV, for spreadsheets (RFC 4180). */
static enum MHD_Result
attendance_csv(struct request *r, const struct attendance_list *l,
    int64_t start_utc)
{
	struct MHD_Response	*resp;
	struct buf		 b = { 0 };
	char			 num[32], when[32];
	size_t			 i;

	buf_puts(&b, "member,name,number,occurrence,rsvp,waitlisted,status,"
	    "reason,checked_in_at,late\r\n");
	for (i = 0; i < l->n; i++) {
		const struct attendance *a = &l->v[i];

		snprintf(num, sizeof(num), "%lld", (long long)a->member);
		csv_cell(&b, num, 0);
		csv_cell(&b, a->name, 0);
		csv_cell(&b, a->number, 0);
		csv_cell(&b, a->occurrence, 0);
		csv_cell(&b, rsvp_names[a->rsvp], 0);
		csv_cell(&b, a->waitlisted ? "yes" : "no", 0);
		csv_cell(&b, att_status_names[a->status], 0);
		csv_cell(&b, a->reason, 0);
		when[0] = '\0';
		if (a->checked_in_at)
			utc_format(a->checked_in_at, when, sizeof(when));
		csv_cell(&b, when, 0);
		csv_cell(&b, a->checked_in_at > start_utc && start_utc > 0 ?
		    "yes" : "no", 1);
	}
	resp = MHD_create_response_from_buffer_with_free_callback(b.len,
	    b.p, free);
	if (resp == NULL) {
		buf_free(&b);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/csv; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	MHD_add_response_header(resp, "Content-Disposition",
	    "attachment; filename=\"attendance.csv\"");
	return http_queue(r, 200, resp);
}

/* /api/v1/events/{id}/attendance[.csv] and .../attendance/{member} */
static enum MHD_Result
attendance(struct request *r, const struct actor *a, int64_t id,
    const char *rest)
{
	struct qrm_error	 err = { 0 };
	struct attendance_list	 l;
	json_t			*body = NULL, *out, *items, *quorum;
	int64_t			 member, start_utc;
	size_t			 i;
	int			 rc;

	if (*rest == '\0' || strcmp(rest, ".csv") == 0) {
		if (!is(r, "GET") && !is(r, "HEAD"))
			return not_allowed(r, "GET");
		if ((rc = core_attendance_list(r->q, a, id,
		    http_arg(r, "occurrence"), http_arg(r, "rsvp"),
		    http_arg(r, "status"), &l, &start_utc, &quorum, &err)))
			return http_error(r, rc, &err);
		if (*rest != '\0') {
			enum MHD_Result ret = attendance_csv(r, &l, start_utc);

			json_decref(quorum);

			attendance_list_free(&l);
			return ret;
		}
		items = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(items,
			    attendance_to_json(&l.v[i], start_utc));
		attendance_list_free(&l);
		out = json_pack("{s:o}", "items", items);
		if (quorum != NULL)
			json_object_set_new(out, "quorum", quorum);
		return http_json(r, 200, out);
	}
	if (*rest != '/' || parse_int64(rest + 1, &member) == -1 ||
	    member < 1)
		return http_error_msg(r, 404, "not_found", "no such resource");
	if (!is(r, "PUT"))
		return not_allowed(r, "PUT");
	if ((rc = body_json(r, &body, &err)) == QRM_OK) {
		rc = core_attendance_set(r->q, a, id, member, body, &out, &err);
		json_decref(body);
	}
	if (rc != QRM_OK)
		return http_error(r, rc, &err);
	return http_json(r, 200, out);
}

static enum MHD_Result
action_items(struct request *r, struct action_list *l)
{
	json_t	*items = json_array();
	size_t	 i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(items, action_to_json(&l->v[i]));
	action_list_free(l);
	return http_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
 * /api/v1/actions[/{id}] and /api/v1/events/{event}/actions (rest "",
 * event not 0).
 */
static enum MHD_Result
actions(struct request *r, const struct actor *a, int64_t event,
    const char *rest)
{
	struct qrm_error	 err = { 0 };
	struct action_list	 l;
	json_t			*body = NULL, *out = NULL;
	const char		*ov;
	int64_t			 id;
	int			 rc;

	if (*rest == '\0') {
		if (is(r, "GET") || is(r, "HEAD")) {
			ov = http_arg(r, "overdue");
			if ((rc = core_action_list(r->q, a, http_arg(r, "owner"),
			    http_arg(r, "status"), ov != NULL && strcmp(ov,
			    "0") != 0, event, &l, &err)) != QRM_OK)
				return http_error(r, rc, &err);
			return action_items(r, &l);
		}
		if (!is(r, "POST"))
			return not_allowed(r, "GET, POST");
		if ((rc = body_json(r, &body, &err)) == QRM_OK) {
			rc = core_action_create(r->q, a, event, body, &out,
			    &err);
			json_decref(body);
		}
		if (rc != QRM_OK)
			return http_error(r, rc, &err);
		{
			char	loc[64];

			snprintf(loc, sizeof(loc), "/api/v1/actions/%lld",
			    (long long)json_integer_value(json_object_get(out,
			    "id")));
			return http_json_at(r, 201, out, loc);
		}
	}
	if (*rest != '/' || parse_int64(rest + 1, &id) == -1 || id < 1)
		return http_error_msg(r, 404, "not_found", "no such action");
	if (is(r, "GET") || is(r, "HEAD"))
		rc = core_action_get(r->q, a, id, &out, &err);
	else if (is(r, "PATCH")) {
		if ((rc = body_json(r, &body, &err)) == QRM_OK) {
			rc = core_action_update(r->q, a, id, body, &out, &err);
			json_decref(body);
		}
	} else
		return not_allowed(r, "GET, PATCH");
	if (rc != QRM_OK)
		return http_error(r, rc, &err);
	return http_json(r, 200, out);
}

/* GET and PUT (text/plain) /api/v1/events/{id}/notes */
static enum MHD_Result
notes(struct request *r, const struct actor *a, int64_t id)
{
	struct qrm_error	 err = { 0 };
	const char		*ct = http_header(r,
				    MHD_HTTP_HEADER_CONTENT_TYPE);
	json_t			*out;
	int			 rc;

	if (is(r, "GET") || is(r, "HEAD"))
		rc = core_notes_get(r->q, a, id, &out, &err);
	else if (is(r, "PUT")) {
		if (ct == NULL || strncasecmp(ct, "text/plain", 10) != 0)
			return http_error_msg(r, 415, "unsupported_media_type",
			    "send the notes as Content-Type: text/plain");
		rc = core_notes_put(r->q, a, id, r->body.p ? r->body.p : "",
		    r->body.len, &out, &err);
	} else
		return not_allowed(r, "GET, PUT");
	if (rc != QRM_OK)
		return http_error(r, rc, &err);
	return http_json(r, 200, out);
}

/* POST /api/v1/events/{id}/checkin {occurrence, numbers, members, force} */
static enum MHD_Result
checkin(struct request *r, const struct actor *a, int64_t id)
{
	struct qrm_error	 err = { 0 };
	json_t			*body = NULL, *out = NULL;
	int			 rc;

	if (!is(r, "POST"))
		return not_allowed(r, "POST");
	if ((rc = body_json(r, &body, &err)) == QRM_OK)
		rc = core_checkin(r->q, a, id, body, &out, &err);
	json_decref(body);
	if (rc != QRM_OK)
		return http_error(r, rc, &err);
	return http_json(r, 200, out);
}

static enum MHD_Result
events(struct request *r, const struct actor *a, const char *rest)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	json_t			*body = NULL, *out;
	char			 idtext[32];
	const char		*slash;
	int64_t			 id;
	int			 rc;

	if (*rest == '\0') {
		if (is(r, "GET") || is(r, "HEAD"))
			return events_list(r, a);
		if (!is(r, "POST"))
			return not_allowed(r, "GET, POST");
		if ((rc = body_json(r, &body, &err)) == QRM_OK) {
			rc = core_event_create(r->q, a, body, &ev, &err);
			json_decref(body);
		}
		if (rc != QRM_OK)
			return http_error(r, rc, &err);
		return event_reply(r, 201, &ev);
	}
	if (*rest++ != '/')
		return http_error_msg(r, 404, "not_found", "no such resource");
	slash = strchr(rest, '/');
	snprintf(idtext, sizeof(idtext), "%.*s", slash ? (int)(slash - rest) :
	    (int)strlen(rest), rest);
	if (parse_int64(idtext, &id) == -1 || id < 1)
		return http_error_msg(r, 404, "not_found", "no such event");
	if (slash != NULL && strncmp(slash, "/attendance", 11) == 0)
		return attendance(r, a, id, slash + 11);
	if (slash != NULL && strcmp(slash, "/checkin") == 0)
		return checkin(r, a, id);
	if (slash != NULL && strcmp(slash, "/actions") == 0)
		return actions(r, a, id, "");
	if (slash != NULL && strcmp(slash, "/notes") == 0)
		return notes(r, a, id);
	if (slash != NULL && strcmp(slash, "/agenda") == 0) {
		if (!is(r, "GET") && !is(r, "HEAD"))
			return not_allowed(r, "GET");
		if ((rc = core_agenda(r->q, a, id, &out, &err)) != QRM_OK)
			return http_error(r, rc, &err);
		return http_json(r, 200, out);
	}
	if (slash != NULL) {
		if (strcmp(slash, "/occurrences") != 0)
			return http_error_msg(r, 404, "not_found",
			    "no such resource");
		if (!is(r, "GET") && !is(r, "HEAD"))
			return not_allowed(r, "GET");
		if ((rc = core_event_occurrences(r->q, a, id,
		    http_arg(r, "from"), http_arg(r, "to"), &out, &err)))
			return http_error(r, rc, &err);
		return http_json(r, 200, out);
	}
	if (is(r, "GET") || is(r, "HEAD"))
		rc = core_event_get(r->q, a, id, &ev, &err);
	else if (is(r, "PATCH")) {
		if ((rc = body_json(r, &body, &err)) == QRM_OK) {
			rc = core_event_update(r->q, a, id, body, &ev, &err);
			json_decref(body);
		}
	} else if (is(r, "DELETE"))
		rc = core_event_cancel(r->q, a, id, &ev, &err);
	else
		return not_allowed(r, "GET, PATCH, DELETE");
	if (rc != QRM_OK)
		return http_error(r, rc, &err);
	return event_reply(r, 200, &ev);
}

static enum MHD_Result
audiences(struct request *r)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	json_t			*items;
	size_t			 i;
	int			 rc;

	if (!is(r, "GET") && !is(r, "HEAD"))
		return not_allowed(r, "GET");
	if ((rc = core_audience_list(r->q, &l, &err)) != QRM_OK)
		return http_error(r, rc, &err);
	items = json_array();
	for (i = 0; i < l.n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:o, s:o, s:i}", "slug", l.v[i].slug, "name", l.v[i].name,
		    "description", l.v[i].description ? l.v[i].description : "",
		    "visibility", visibility_names[l.v[i].visibility],
		    "colour", l.v[i].colour ? json_string(l.v[i].colour) :
		    json_null(), "parent", l.v[i].parent ?
		    json_string(l.v[i].parent) : json_null(),
		    "refresh_minutes", l.v[i].refresh_minutes));
	audience_list_free(&l);
	return http_json(r, 200, json_pack("{s:o}", "items", items));
}

static enum MHD_Result
import(struct request *r, const struct actor *a)
{
	struct qrm_error	 err = { 0 };
	const char		*ct = http_header(r,
				    MHD_HTTP_HEADER_CONTENT_TYPE);
	json_t			*report;
	int			 rc;

	if (!is(r, "POST"))
		return not_allowed(r, "POST");
	if (ct == NULL || strncasecmp(ct, "text/calendar", 13) != 0)
		return http_error_msg(r, 415, "unsupported_media_type",
		    "send the calendar as Content-Type: text/calendar");
	if ((rc = core_import(r->q, a, r->body.p ? r->body.p : "",
	    r->body.len, http_arg(r, "audience"), &report, &err)) != QRM_OK)
		return http_error(r, rc, &err);
	return http_json(r, 200, report);
}

static enum MHD_Result
member_reply(struct request *r, unsigned int status, struct member *m)
{
	json_t	*o = member_to_json(m);
	char	 loc[64];

	snprintf(loc, sizeof(loc), "/api/v1/members/%lld", (long long)m->id);
	member_clear(m);
	return http_json_at(r, status, o, status == 201 ? loc : NULL);
}

static enum MHD_Result
members(struct request *r, const struct actor *a, const char *rest)
{
	struct qrm_error	 err = { 0 };
	struct member		 m;
	struct member_list	 l;
	const char		*ct = http_header(r,
				    MHD_HTTP_HEADER_CONTENT_TYPE);
	json_t			*body = NULL, *items, *report;
	const char		*slash;
	char			 idtext[32];
	int64_t			 id;
	size_t			 i;
	int			 rc;

	if (*rest == '\0') {
		if (is(r, "GET") || is(r, "HEAD")) {
			if ((rc = core_member_list(r->q, a,
			    http_arg(r, "audience"), http_arg(r, "role"),
			    http_arg(r, "all") != NULL, &l, &err)) != QRM_OK)
				return http_error(r, rc, &err);
			items = json_array();
			for (i = 0; i < l.n; i++)
				json_array_append_new(items,
				    member_to_json(&l.v[i]));
			member_list_free(&l);
			return http_json(r, 200, json_pack("{s:o}", "items",
			    items));
		}
		if (!is(r, "POST"))
			return not_allowed(r, "GET, POST");
		if ((rc = body_json(r, &body, &err)) == QRM_OK) {
			rc = core_member_create(r->q, a, body, &m, &err);
			json_decref(body);
		}
		if (rc != QRM_OK)
			return http_error(r, rc, &err);
		return member_reply(r, 201, &m);
	}
	if (strcmp(rest, "/import") == 0) {
		if (!is(r, "POST"))
			return not_allowed(r, "POST");
		if (ct == NULL || strncasecmp(ct, "text/csv", 8) != 0)
			return http_error_msg(r, 415, "unsupported_media_type",
			    "send the member list as Content-Type: text/csv");
		if ((rc = core_member_import_csv(r->q, a, r->body.p ?
		    r->body.p : "", r->body.len, &report, &err)) != QRM_OK)
			return http_error(r, rc, &err);
		return http_json(r, 200, report);
	}
	if (*rest == '/' && (slash = strchr(rest + 1, '/')) != NULL) {
		snprintf(idtext, sizeof(idtext), "%.*s", (int)(slash - rest -
		    1), rest + 1);
		if (parse_int64(idtext, &id) == -1 ||
		    strcmp(slash, "/attendance") != 0)
			return http_error_msg(r, 404, "not_found",
			    "no such resource");
		if (!is(r, "GET") && !is(r, "HEAD"))
			return not_allowed(r, "GET");
		if ((rc = core_member_history(r->q, a, id, &report, &err)))
			return http_error(r, rc, &err);
		return http_json(r, 200, report);
	}
	if (*rest != '/' || parse_int64(rest + 1, &id) == -1 || id < 1)
		return http_error_msg(r, 404, "not_found", "no such member");
	if (is(r, "GET") || is(r, "HEAD"))
		rc = core_member_get(r->q, a, id, &m, &err);
	else if (is(r, "PATCH")) {
		if ((rc = body_json(r, &body, &err)) == QRM_OK) {
			rc = core_member_update(r->q, a, id, body, &m, &err);
			json_decref(body);
		}
	} else if (is(r, "DELETE"))
		rc = core_member_deactivate(r->q, a, id, &m, &err);
	else
		return not_allowed(r, "GET, PATCH, DELETE");
	if (rc != QRM_OK)
		return http_error(r, rc, &err);
	return member_reply(r, 200, &m);
}

/* GET /api/v1/register?events=1,2,3 */
static enum MHD_Result
reg(struct request *r, const struct actor *a)
{
	struct qrm_error	 err = { 0 };
	struct strv		 ids = { 0 };
	json_t			*out;
	int			 rc;

	if (!is(r, "GET") && !is(r, "HEAD"))
		return not_allowed(r, "GET");
	strv_split(&ids, http_arg(r, "events"), ',');
	rc = core_register(r->q, a, &ids, &out, &err);
	strv_free(&ids);
	if (rc != QRM_OK)
		return http_error(r, rc, &err);
	return http_json(r, 200, out);
}

static enum MHD_Result
tokens(struct request *r, const struct actor *a, const char *rest)
{
	struct qrm_error	 err = { 0 };
	json_t			*out;
	const char		*m;
	int64_t			 id, member = 0;
	int			 rc;

	if (*rest == '\0') {
		if (!is(r, "GET") && !is(r, "HEAD"))
			return not_allowed(r, "GET");
		if ((m = http_arg(r, "member")) != NULL &&
		    (parse_int64(m, &member) == -1 || member < 1))
			return http_error_msg(r, 400, "invalid",
			    "member must be a member id");
		if ((rc = core_token_list(r->q, a, member, &out, &err)))
			return http_error(r, rc, &err);
		return http_json(r, 200, out);
	}
	if (*rest != '/' || parse_int64(rest + 1, &id) == -1)
		return http_error_msg(r, 404, "not_found", "no such token");
	if (!is(r, "DELETE"))
		return not_allowed(r, "DELETE");
	if ((rc = core_token_revoke(r->q, a, id, &err)) != QRM_OK)
		return http_error(r, rc, &err);
	return http_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id,
	    "revoked", 1));
}

static enum MHD_Result
audit(struct request *r, const struct actor *a)
{
	struct qrm_error	 err = { 0 };
	json_t			*out;
	const char		*v;
	int64_t			 since = 0, limit = 1000;
	int			 rc;

	if (!is(r, "GET") && !is(r, "HEAD"))
		return not_allowed(r, "GET");
	if (((v = http_arg(r, "since")) != NULL && parse_int64(v, &since)) ||
	    ((v = http_arg(r, "limit")) != NULL && parse_int64(v, &limit)))
		return http_error_msg(r, 400, "invalid",
		    "since and limit must be whole numbers");
	if ((rc = core_audit_list(r->q, a, since, limit < 1 ||
	    limit > 10000 ? 0 : (int)limit, &out, &err)))
		return http_error(r, rc, &err);
	return http_json(r, 200, out);
}

enum MHD_Result
api_dispatch(struct request *r, const char *path)
{
	struct qrm_error	 err = { 0 };
	struct member		 m;
	struct actor		 a = { 0, ROLE_MEMBER, NULL };
	enum MHD_Result		 ret;
	unsigned int		 wait;
	int			 rc;

	/*
	 * Only failures are slowed: a valid token is always answered, so a
	 * script that mistypes one behind an office's shared address does
	 * not lock out everyone else there.
	 */
	if ((rc = authenticate(r, &m, &a, &err)) != QRM_OK) {
		member_clear(&m);
		if (rc == QRM_EUNAUTH && http_header(r,
		    MHD_HTTP_HEADER_AUTHORIZATION) != NULL) {
			if ((wait = guard_blocked(r)) > 0)
				return guard_refuse(r, wait);
			guard_failed(r);
		}
		return http_error(r, rc, &err);
	}
	if (strncmp(path, "events", 6) == 0 && (path[6] == '\0' ||
	    path[6] == '/'))
		ret = events(r, &a, path + 6);
	else if (strcmp(path, "audiences") == 0)
		ret = audiences(r);
	else if (strcmp(path, "import") == 0)
		ret = import(r, &a);
	else if (strncmp(path, "tokens", 6) == 0 && (path[6] == '\0' ||
	    path[6] == '/'))
		ret = tokens(r, &a, path + 6);
	else if (strncmp(path, "members", 7) == 0 && (path[7] == '\0' ||
	    path[7] == '/'))
		ret = members(r, &a, path + 7);
	else if (strncmp(path, "actions", 7) == 0 && (path[7] == '\0' ||
	    path[7] == '/'))
		ret = actions(r, &a, 0, path + 7);
	else if (strcmp(path, "register") == 0)
		ret = reg(r, &a);
	else if (strcmp(path, "audit") == 0)
		ret = audit(r, &a);
	else
		ret = http_error_msg(r, 404, "not_found", "no such resource");
	member_clear(&m);
	return ret;
}
