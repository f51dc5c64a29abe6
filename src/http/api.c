/*
 * api.c: the JSON API under /api/v1/: one handler a route of the table
 * in route.c, which has already checked the token, the role, the
 * method and the body's type (and parsed JSON into c->json).
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
event_reply(struct request *r, unsigned int status, struct event *ev)
{
	json_t	*o = event_to_json(ev);
	char	 loc[64];

	snprintf(loc, sizeof(loc), "/api/v1/events/%lld", (long long)ev->id);
	event_clear(ev);
	return http_json_at(r, status, o, status == 201 ? loc : NULL);
}

/* A domain answer: the JSON of rc == QRM_OK, else the error. */
static enum MHD_Result
reply(struct request *r, int rc, const struct qrm_error *err, json_t *out)
{
	if (rc != QRM_OK)
		return http_error(r, rc, err);
	return http_json(r, 200, out);
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
enum MHD_Result
api_attendance_csv_send(struct request *r, const struct attendance_list *l)
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
		csv_cell(&b, a->late ? "yes" : "no", 1);
	}
	r->bytes = b.len;
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

/* GET, POST /api/v1/events */
enum MHD_Result
api_events(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct event_list	 evs;
	struct event		 ev;
	json_t			*items;
	size_t			 i;
	int			 rc;

	if (is(r, "POST")) {
		if ((rc = core_event_create(r->q, c->actor, c->json, &ev,
		    &err)) != QRM_OK)
			return http_error(r, rc, &err);
		return event_reply(r, 201, &ev);
	}
	if ((rc = core_event_list(r->q, c->actor, http_arg(r, "from"),
	    http_arg(r, "to"), http_arg(r, "audience"), http_arg(r, "kind"),
	    http_arg(r, "tz"), &evs, &err)) != QRM_OK)
		return http_error(r, rc, &err);
	items = json_array();
	for (i = 0; i < evs.n; i++)
		json_array_append_new(items, event_to_json(&evs.v[i]));
	event_list_free(&evs);
	return http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET, PATCH, DELETE (cancel) /api/v1/events/{id} */
enum MHD_Result
api_event(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	int			 rc;

	if (is(r, "PATCH"))
		rc = core_event_update(r->q, c->actor, c->id[0], c->json, &ev,
		    &err);
	else if (is(r, "DELETE"))
		rc = core_event_cancel(r->q, c->actor, c->id[0], &ev, &err);
	else
		rc = core_event_get(r->q, c->actor, c->id[0], &ev, &err);
	if (rc != QRM_OK)
		return http_error(r, rc, &err);
	return event_reply(r, 200, &ev);
}

/* GET /api/v1/events/{id}/occurrences?from=&to= */
enum MHD_Result
api_event_occurrences(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int			 rc;

	rc = core_event_occurrences(r->q, c->actor, c->id[0],
	    http_arg(r, "from"), http_arg(r, "to"), &out, &err);
	return reply(r, rc, &err, out);
}

/* GET, PATCH, DELETE (cancel) /api/v1/events/{id}/occurrences/{start} */
enum MHD_Result
api_occurrence(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int			 rc;

	if (is(r, "PATCH"))
		rc = core_occurrence_change(r->q, c->actor, c->id[0], c->word,
		    c->json, &out, &err);
	else if (is(r, "DELETE"))
		rc = core_occurrence_cancel(r->q, c->actor, c->id[0], c->word,
		    &out, &err);
	else
		rc = core_occurrence_get(r->q, c->actor, c->id[0], c->word,
		    &out, &err);
	return reply(r, rc, &err, out);
}

/* GET /api/v1/events/{id}/forecast */
enum MHD_Result
api_forecast(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int			 rc;

	rc = core_forecast(r->q, c->actor, c->id[0], &out, &err);
	return reply(r, rc, &err, out);
}

/* POST /api/v1/events/{id}/reconvene {"start", "end", "occurrence"} */
enum MHD_Result
api_reconvene(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	int			 rc;

	if ((rc = core_reconvene(r->q, c->actor, c->id[0], c->json, &ev,
	    &err)) != QRM_OK)
		return http_error(r, rc, &err);
	return event_reply(r, 201, &ev);
}

/* The attendance list of the event in c, or an error already sent. */
static int
attendance_list(struct request *r, const struct call *c,
    struct attendance_list *l, json_t **quorum, enum MHD_Result *sent)
{
	struct qrm_error	 err = { 0 };
	int			 rc;

	if ((rc = core_attendance_list(r->q, c->actor, c->id[0],
	    http_arg(r, "occurrence"), http_arg(r, "rsvp"),
	    http_arg(r, "status"), l, quorum, &err)) != QRM_OK)
		*sent = http_error(r, rc, &err);
	return rc;
}

/* GET /api/v1/events/{id}/attendance */
enum MHD_Result
api_attendance(struct request *r, const struct call *c)
{
	struct attendance_list	 l;
	enum MHD_Result		 sent;
	json_t			*quorum, *out;

	if (attendance_list(r, c, &l, &quorum, &sent) != QRM_OK)
		return sent;
	out = attendance_list_json(&l);
	attendance_list_free(&l);
	if (quorum != NULL)
		json_object_set_new(out, "quorum", quorum);
	return http_json(r, 200, out);
}

/* GET /api/v1/events/{id}/attendance.csv */
enum MHD_Result
api_attendance_csv(struct request *r, const struct call *c)
{
	struct attendance_list	 l;
	enum MHD_Result		 sent;
	json_t			*quorum;

	if (attendance_list(r, c, &l, &quorum, &sent) != QRM_OK)
		return sent;
	json_decref(quorum);
	sent = api_attendance_csv_send(r, &l);
	attendance_list_free(&l);
	return sent;
}

/* PUT /api/v1/events/{id}/attendance/{member} */
enum MHD_Result
api_attendance_one(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct attendance	 rec;
	json_t			*o;
	int			 rc;

	if ((rc = core_attendance_set(r->q, c->actor, c->id[0], c->id[1],
	    c->json, &rec, &err)) != QRM_OK)
		return http_error(r, rc, &err);
	o = attendance_to_json(&rec);
	attendance_clear(&rec);
	return http_json(r, 200, o);
}

/* POST /api/v1/events/{id}/checkin {occurrence, numbers, members, force} */
enum MHD_Result
api_checkin(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct attendance_list	 l;
	json_t			*o;
	int			 rc;

	if ((rc = core_checkin(r->q, c->actor, c->id[0], c->json, &l, &err)))
		return http_error(r, rc, &err);
	o = attendance_list_json(&l);
	attendance_list_free(&l);
	return http_json(r, 200, o);
}

/* One action (cleared here), with Location when it was just made. */
static enum MHD_Result
action_reply(struct request *r, unsigned int status, struct action *x)
{
	json_t	*o = action_to_json(x);
	char	 loc[64];

	snprintf(loc, sizeof(loc), "/api/v1/actions/%lld", (long long)x->id);
	action_clear(x);
	return http_json_at(r, status, o, status == 201 ? loc : NULL);
}

/* The actions of a list as {"items": [...]}, freeing the list. */
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

/* GET, POST /api/v1/actions and /api/v1/events/{event}/actions */
static enum MHD_Result
actions(struct request *r, const struct call *c, int64_t event)
{
	struct qrm_error	 err = { 0 };
	struct action_list	 l;
	struct action		 x;
	const char		*ov = http_arg(r, "overdue");
	int			 rc;

	if (!is(r, "POST")) {
		if ((rc = core_action_list(r->q, c->actor, http_arg(r, "owner"),
		    http_arg(r, "status"), ov != NULL && strcmp(ov, "0") != 0,
		    event, &l, &err)) != QRM_OK)
			return http_error(r, rc, &err);
		return action_items(r, &l);
	}
	if ((rc = core_action_create(r->q, c->actor, event, c->json, &x,
	    &err)) != QRM_OK)
		return http_error(r, rc, &err);
	return action_reply(r, 201, &x);
}

enum MHD_Result
api_event_actions(struct request *r, const struct call *c)
{
	return actions(r, c, c->id[0]);
}

enum MHD_Result
api_actions(struct request *r, const struct call *c)
{
	return actions(r, c, 0);
}

/* GET, PATCH /api/v1/actions/{id} */
enum MHD_Result
api_action(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct action		 x;
	int			 rc;

	if (is(r, "PATCH"))
		rc = core_action_update(r->q, c->actor, c->id[0], c->json, &x,
		    &err);
	else
		rc = core_action_get(r->q, c->actor, c->id[0], &x, &err);
	if (rc != QRM_OK)
		return http_error(r, rc, &err);
	return action_reply(r, 200, &x);
}

/* GET and PUT (text/plain) /api/v1/events/{id}/notes */
enum MHD_Result
api_notes(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int			 rc;

	if (is(r, "PUT"))
		rc = core_notes_put(r->q, c->actor, c->id[0], r->body.p ?
		    r->body.p : "", r->body.len, &out, &err);
	else
		rc = core_notes_get(r->q, c->actor, c->id[0], &out, &err);
	return reply(r, rc, &err, out);
}

/* GET /api/v1/events/{id}/agenda */
enum MHD_Result
api_agenda(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int			 rc;

	rc = core_agenda(r->q, c->actor, c->id[0], &out, &err);
	return reply(r, rc, &err, out);
}

/* GET /api/v1/audiences */
enum MHD_Result
api_audiences(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	json_t			*items;
	size_t			 i;
	int			 rc;

	(void)c;
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

/* POST /api/v1/import?audience=SLUG (text/calendar) */
enum MHD_Result
api_import(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*report = NULL;
	int			 rc;

	rc = core_import(r->q, c->actor, r->body.p ? r->body.p : "",
	    r->body.len, http_arg(r, "audience"), &report, &err);
	return reply(r, rc, &err, report);
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

/* GET, POST /api/v1/members */
enum MHD_Result
api_members(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct member		 m;
	struct member_list	 l;
	json_t			*items;
	size_t			 i;
	int			 rc;

	if (is(r, "POST")) {
		if ((rc = core_member_create(r->q, c->actor, c->json, &m,
		    &err)) != QRM_OK)
			return http_error(r, rc, &err);
		return member_reply(r, 201, &m);
	}
	if ((rc = core_member_list(r->q, c->actor, http_arg(r, "audience"),
	    http_arg(r, "role"), http_arg(r, "all") != NULL, &l, &err)))
		return http_error(r, rc, &err);
	items = json_array();
	for (i = 0; i < l.n; i++)
		json_array_append_new(items, member_to_json(&l.v[i]));
	member_list_free(&l);
	return http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* POST /api/v1/members/import (text/csv) */
enum MHD_Result
api_members_import(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*report = NULL;
	int			 rc;

	rc = core_member_import_csv(r->q, c->actor, r->body.p ? r->body.p :
	    "", r->body.len, &report, &err);
	return reply(r, rc, &err, report);
}

/* GET, PATCH, DELETE (deactivate) /api/v1/members/{id} */
enum MHD_Result
api_member(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct member		 m;
	int			 rc;

	if (is(r, "PATCH"))
		rc = core_member_update(r->q, c->actor, c->id[0], c->json, &m,
		    &err);
	else if (is(r, "DELETE"))
		rc = core_member_deactivate(r->q, c->actor, c->id[0], &m, &err);
	else
		rc = core_member_get(r->q, c->actor, c->id[0], &m, &err);
	if (rc != QRM_OK)
		return http_error(r, rc, &err);
	return member_reply(r, 200, &m);
}

/* GET /api/v1/members/{id}/attendance */
enum MHD_Result
api_member_attendance(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int			 rc;

	rc = core_member_history(r->q, c->actor, c->id[0], &out, &err);
	return reply(r, rc, &err, out);
}

/* GET /api/v1/register?events=1,2,3 */
enum MHD_Result
api_register(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct strv		 ids = { 0 };
	json_t			*out = NULL;
	int			 rc;

	strv_split(&ids, http_arg(r, "events"), ',');
	rc = core_register(r->q, c->actor, &ids, &out, &err);
	strv_free(&ids);
	return reply(r, rc, &err, out);
}

/* A whole number from the query, or an error naming it. */
static int
arg_int(struct request *r, const char *name, int64_t min, int64_t *out,
    struct qrm_error *err)
{
	const char	*v = http_arg(r, name);

	if (v == NULL)
		return QRM_OK;
	if (parse_int64(v, out) == -1 || *out < min)
		return qrm_seterr(err, QRM_EINVAL, name, "%s must be a whole "
		    "number from %lld", name, (long long)min);
	return QRM_OK;
}

/* GET /api/v1/tokens?member= */
enum MHD_Result
api_tokens(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int64_t			 member = 0;
	int			 rc;

	if ((rc = arg_int(r, "member", 1, &member, &err)) == QRM_OK)
		rc = core_token_list(r->q, c->actor, member, &out, &err);
	return reply(r, rc, &err, out);
}

/* DELETE /api/v1/tokens/{id} */
enum MHD_Result
api_token(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	int			 rc;

	if ((rc = core_token_revoke(r->q, c->actor, c->id[0], &err)))
		return http_error(r, rc, &err);
	return http_json(r, 200, json_pack("{s:I, s:b}", "id",
	    (json_int_t)c->id[0], "revoked", 1));
}

/*
 * GET /api/v1/audit?since=&limit=: the newest limit entries, or those
 * after since (paging forward); oldest first.
 */
enum MHD_Result
api_audit(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int64_t			 since = 0, limit = 1000;
	int			 rc;

	if ((rc = arg_int(r, "since", 0, &since, &err)) == QRM_OK &&
	    (rc = arg_int(r, "limit", 1, &limit, &err)) == QRM_OK)
		rc = core_audit_list(r->q, c->actor, since, limit > 10000 ? 0 :
		    (int)limit, &out, &err);
	return reply(r, rc, &err, out);
}

/* The ids of "?members=1,2,3". */
static void
arg_ids(struct request *r, struct strv *ids)
{
	const char	*v = http_arg(r, "members");

	memset(ids, 0, sizeof(*ids));
	if (v != NULL && *v != '\0')
		strv_split(ids, v, ',');
}

/* GET /api/v1/freebusy?members=&from=&to=[&tz=][&format=ics] */
enum MHD_Result
api_freebusy(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct strv		 ids;
	struct buf		 b = { 0 };
	const char		*format = http_arg(r, "format");
	json_t			*out = NULL;
	enum MHD_Result		 ret;
	int			 rc;

	arg_ids(r, &ids);
	if (format != NULL && strcmp(format, "ics") == 0) {
		if ((rc = core_freebusy_ics(r->q, c->actor, &ids, http_arg(r,
		    "from"), http_arg(r, "to"), &b, &err)) != QRM_OK)
			ret = http_error(r, rc, &err);
		else
			ret = http_text(r, 200, "text/calendar; charset=utf-8",
			    b.p ? b.p : "");
		buf_free(&b);
	} else {
		rc = core_freebusy(r->q, c->actor, &ids, http_arg(r, "from"),
		    http_arg(r, "to"), http_arg(r, "tz"), &out, &err);
		ret = reply(r, rc, &err, out);
	}
	strv_free(&ids);
	return ret;
}

/* GET /api/v1/slots?members=&duration=PT2H&from=&to=[&room=] */
enum MHD_Result
api_slots(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct strv		 ids;
	json_t			*out = NULL;
	enum MHD_Result		 ret;
	int			 rc;

	arg_ids(r, &ids);
	rc = core_slots(r->q, c->actor, &ids, http_arg(r, "duration"),
	    http_arg(r, "from"), http_arg(r, "to"), http_arg(r, "room"), &out,
	    &err);
	ret = reply(r, rc, &err, out);
	strv_free(&ids);
	return ret;
}

/* POST /api/v1/events/{id}/invitations {"members": [ids]} | {"audience"} */
enum MHD_Result
api_invitations(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*report = NULL;
	int			 rc;

	rc = core_invite(r->q, c->actor, c->id[0], c->json, &report, &err);
	return reply(r, rc, &err, report);
}

/* POST /api/v1/itip: a METHOD:REPLY (text/calendar) */
enum MHD_Result
api_itip(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*report = NULL;
	int			 rc;

	(void)c;
	rc = core_itip_reply(r->q, r->body.p ? r->body.p : "", r->body.len,
	    &report, &err);
	return reply(r, rc, &err, report);
}

/* GET, PUT /api/v1/members/{id}/optouts {"audiences": [slugs]} */
enum MHD_Result
api_optouts(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int			 rc;

	rc = core_optouts(r->q, c->actor, c->id[0], strcmp(r->method,
	    "PUT") == 0 ? c->json : NULL, &out, &err);
	return reply(r, rc, &err, out);
}

/* POST /api/v1/polls */
enum MHD_Result
api_polls(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	char			 loc[64];
	int			 rc;

	if ((rc = core_poll_create(r->q, c->actor, c->json, &out, &err)) !=
	    QRM_OK)
		return http_error(r, rc, &err);
	snprintf(loc, sizeof(loc), "/api/v1/polls/%lld", (long long)
	    json_integer_value(json_object_get(out, "id")));
	return http_json_at(r, 201, out, loc);
}

/* GET /api/v1/polls/{id} */
enum MHD_Result
api_poll(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int			 rc;

	rc = core_poll_get(r->q, c->actor, c->id[0], &out, &err);
	return reply(r, rc, &err, out);
}

/* POST /api/v1/polls/{id}/confirm {"option": n[, "force": true]} */
enum MHD_Result
api_poll_confirm(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL, *n = json_object_get(c->json,
				    "option");
	int			 rc;

	if (!json_is_integer(n))
		return http_fail(r, QRM_EINVAL, "option", "option must be the "
		    "number of a time of the poll");
	rc = core_poll_confirm(r->q, c->actor, c->id[0], (int)
	    json_integer_value(n), json_is_true(json_object_get(c->json,
	    "force")), &out, &err);
	return reply(r, rc, &err, out);
}
