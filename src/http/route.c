/*
 * route.c: every path quorum answers, in one table (method mask, path
 * pattern, the role it needs, the body it takes, the handler), and the
 * one dispatcher that reads it.  404 (no pattern matches), 405 with
 * Allow (a pattern matches but not the method), 401/403 (the token and
 * the role), 415 (the body's type) and 400 (malformed JSON) all come
 * from the lookup, so handlers only do their work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"

static enum MHD_Result
healthz(struct request *r, const struct call *c)
{
	(void)c;
	return http_text(r, 200, "text/plain; charset=utf-8", "ok\n");
}

static const struct route routes[] = {
	{ M_GET, "/", ROLE_NONE, BODY_NONE, pages_index },
	{ M_GET, "/healthz", ROLE_NONE, BODY_NONE, healthz },
	{ M_GET, "/feeds/employer/*", ROLE_NONE, BODY_NONE, feeds_employer },
	{ M_GET, "/feeds/*", ROLE_NONE, BODY_NONE, feeds_get },
	{ M_GET, "/static/*", ROLE_NONE, BODY_NONE, html_static },
	{ M_GET | M_POST, "/signin", ROLE_NONE, BODY_FORM, page_signin },
	{ M_GET | M_POST, "/signin/*", ROLE_NONE, BODY_FORM, page_signin_link },
	{ M_POST, "/signout", ROLE_NONE, BODY_FORM, page_signout },
	{ M_GET, "/me", ROLE_NONE, BODY_NONE, page_me },
	{ M_POST, "/me/reset", ROLE_NONE, BODY_FORM, page_me_reset },
	{ M_POST, "/me/alarm", ROLE_NONE, BODY_FORM, page_me_alarm },
	{ M_POST, "/me/work-links", ROLE_NONE, BODY_FORM, page_me_work_link },
	{ M_POST, "/events/#/rsvp", ROLE_NONE, BODY_FORM, page_me_rsvp },
	{ M_POST, "/actions/#/done", ROLE_NONE, BODY_FORM, page_action_done },
	{ M_GET, "/audiences/*", ROLE_NONE, BODY_NONE, page_audience },
	{ M_GET | M_POST, "/events/new", ROLE_NONE, BODY_FORM,
	    page_event_new },
	{ M_GET | M_POST, "/events/#/edit", ROLE_NONE, BODY_FORM,
	    page_event_edit },
	{ M_POST, "/events/#/cancel", ROLE_NONE, BODY_FORM, page_event_cancel },
	{ M_GET | M_POST, "/events/#/notes", ROLE_NONE, BODY_FORM,
	    page_notes },
	{ M_POST, "/events/#/actions", ROLE_NONE, BODY_FORM,
	    page_notes_action },
	{ M_POST, "/actions/#", ROLE_NONE, BODY_FORM, page_action_change },
	{ M_GET | M_POST, "/members", ROLE_NONE, BODY_FORM, page_members },
	{ M_GET, "/schedule", ROLE_NONE, BODY_NONE, page_schedule },
	{ M_POST, "/polls", ROLE_NONE, BODY_FORM, page_poll_new },
	{ M_GET, "/polls/#", ROLE_NONE, BODY_NONE, page_poll },
	{ M_POST, "/polls/#/confirm", ROLE_NONE, BODY_FORM, page_poll_confirm },
	{ M_GET | M_POST, "/polls/*", ROLE_NONE, BODY_FORM, page_poll_answer },
	{ M_GET | M_POST, "/invitations/*", ROLE_NONE, BODY_FORM,
	    page_invitation },
	{ M_GET | M_POST, "/offers/*", ROLE_NONE, BODY_FORM, page_offer },
	{ M_POST, "/members/import", ROLE_NONE, BODY_MULTIPART,
	    page_members_import },
	{ M_POST, "/members/#", ROLE_NONE, BODY_FORM, page_member_change },
	{ M_GET, "/events/#", ROLE_NONE, BODY_NONE, page_event },
	{ M_GET | M_POST, "/events/#/dates/*", ROLE_NONE, BODY_FORM,
	    page_occurrence },
	{ M_GET | M_POST, "/events/#/time-off", ROLE_NONE, BODY_FORM,
	    page_time_off },
	{ M_POST, "/events/#/reconvene", ROLE_NONE, BODY_FORM,
	    page_reconvene },
	{ M_GET, "/events/#/door", ROLE_NONE, BODY_NONE, page_door },
	{ M_POST, "/events/#/door", ROLE_NONE, BODY_FORM, page_door_post },
	{ M_GET, "/events/#/door.csv", ROLE_NONE, BODY_NONE, page_door_csv },
	{ M_GET, "/events/#/door/qr", ROLE_NONE, BODY_NONE, page_door_qr },
	{ M_GET | M_POST, "/here/*", ROLE_NONE, BODY_FORM, page_here },
	{ M_GET, "/events/*", ROLE_NONE, BODY_NONE, page_event_ics },
	{ M_GET | M_POST, "/api/v1/events", ROLE_MEMBER, BODY_JSON,
	  api_events },
	{ M_GET | M_PATCH | M_DELETE, "/api/v1/events/#", ROLE_MEMBER,
	  BODY_JSON, api_event },
	{ M_GET, "/api/v1/events/#/occurrences", ROLE_MEMBER, BODY_NONE,
	  api_event_occurrences },
	{ M_GET | M_PATCH | M_DELETE, "/api/v1/events/#/occurrences/*",
	  ROLE_MEMBER, BODY_JSON, api_occurrence },
	{ M_GET, "/api/v1/events/#/forecast", ROLE_MEMBER, BODY_NONE,
	  api_forecast },
	{ M_POST, "/api/v1/events/#/reconvene", ROLE_MEMBER, BODY_JSON,
	  api_reconvene },
	{ M_GET, "/api/v1/events/#/attendance", ROLE_MEMBER, BODY_NONE,
	  api_attendance },
	{ M_GET, "/api/v1/events/#/attendance.csv", ROLE_MEMBER, BODY_NONE,
	  api_attendance_csv },
	{ M_PUT, "/api/v1/events/#/attendance/#", ROLE_MEMBER, BODY_JSON,
	  api_attendance_one },
	{ M_POST, "/api/v1/events/#/checkin", ROLE_MEMBER, BODY_JSON,
	  api_checkin },
	{ M_GET | M_POST, "/api/v1/events/#/actions", ROLE_MEMBER, BODY_JSON,
	  api_event_actions },
	{ M_GET | M_PUT, "/api/v1/events/#/notes", ROLE_MEMBER, BODY_TEXT,
	  api_notes },
	{ M_GET, "/api/v1/events/#/agenda", ROLE_MEMBER, BODY_NONE,
	  api_agenda },
	{ M_GET, "/api/v1/audiences", ROLE_MEMBER, BODY_NONE, api_audiences },
	{ M_POST, "/api/v1/import", ROLE_MEMBER, BODY_CALENDAR, api_import },
	{ M_GET | M_POST, "/api/v1/members", ROLE_MEMBER, BODY_JSON,
	  api_members },
	{ M_POST, "/api/v1/members/import", ROLE_MEMBER, BODY_CSV,
	  api_members_import },
	{ M_GET | M_PATCH | M_DELETE, "/api/v1/members/#", ROLE_MEMBER,
	  BODY_JSON, api_member },
	{ M_GET, "/api/v1/members/#/attendance", ROLE_MEMBER, BODY_NONE,
	  api_member_attendance },
	{ M_GET | M_POST, "/api/v1/actions", ROLE_MEMBER, BODY_JSON,
	  api_actions },
	{ M_GET | M_PATCH, "/api/v1/actions/#", ROLE_MEMBER, BODY_JSON,
	  api_action },
	{ M_GET, "/api/v1/register", ROLE_MEMBER, BODY_NONE, api_register },
	{ M_GET, "/api/v1/tokens", ROLE_MEMBER, BODY_NONE, api_tokens },
	{ M_DELETE, "/api/v1/tokens/#", ROLE_MEMBER, BODY_NONE, api_token },
	{ M_GET, "/api/v1/audit", ROLE_MEMBER, BODY_NONE, api_audit },
	{ M_GET, "/metrics", ROLE_NONE, BODY_NONE, page_metrics },
	{ M_GET, "/reports/facility-time", ROLE_NONE, BODY_NONE,
	  page_facility },
	{ M_GET, "/reports/facility-time.csv", ROLE_NONE, BODY_NONE,
	  page_facility },
	{ M_GET, "/api/v1/reports/facility-time", ROLE_MEMBER, BODY_NONE,
	  api_facility },
	{ M_GET, "/api/v1/freebusy", ROLE_REP, BODY_NONE, api_freebusy },
	{ M_POST, "/api/v1/events/#/invitations", ROLE_OFFICIAL, BODY_JSON,
	    api_invitations },
	{ M_POST, "/api/v1/itip", ROLE_OFFICIAL, BODY_CALENDAR, api_itip },
	{ M_POST, "/api/v1/polls", ROLE_OFFICIAL, BODY_JSON, api_polls },
	{ M_GET, "/api/v1/polls/#", ROLE_OFFICIAL, BODY_NONE, api_poll },
	{ M_POST, "/api/v1/polls/#/confirm", ROLE_OFFICIAL, BODY_JSON,
	    api_poll_confirm },
	{ M_GET | M_PUT, "/api/v1/members/#/optouts", ROLE_MEMBER, BODY_JSON,
	    api_optouts },
	{ M_GET, "/api/v1/slots", ROLE_REP, BODY_NONE, api_slots },
};

static const struct {
	unsigned int	 bit;
	const char	*name;
} methods[] = {
	{ M_GET, "GET" }, { M_HEAD, "HEAD" }, { M_POST, "POST" },
	{ M_PUT, "PUT" }, { M_PATCH, "PATCH" }, { M_DELETE, "DELETE" }
};

static const char *const body_types[] = {
	[BODY_JSON] = "application/json",
	[BODY_TEXT] = "text/plain",
	[BODY_CSV] = "text/csv",
	[BODY_CALENDAR] = "text/calendar",
	[BODY_FORM] = "application/x-www-form-urlencoded",
	[BODY_MULTIPART] = "multipart/form-data"
};

static unsigned int
method_bit(const char *m)
{
	size_t	i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, m) == 0)
			return methods[i].bit;
	return 0;
}

/*
 * Does path match pattern?  "#" matches an id (digits, not 0), "*" any
 * one non-empty segment; the rest must be equal.  Fills c's ids and
 * word (which points into path).
 */
static int
match(const char *pattern, const char *path, struct call *c)
{
	const char	*p = pattern, *s = path;
	size_t		 len, nid = 0;
	int64_t		 n;
	char		 digits[24];

	while (*p != '\0') {
		if (*p == '#' || *p == '*') {
			len = strcspn(s, "/");
			if (len == 0)
				return 0;
			if (*p == '#') {
				if (len >= sizeof(digits) || nid == 2)
					return 0;
				memcpy(digits, s, len);
				digits[len] = '\0';
				if (parse_int64(digits, &n) == -1 || n < 1)
					return 0;
				c->id[nid++] = n;
			} else
				c->word = s;
			s += len;
			p++;
			continue;
		}
		if (*p++ != *s++)
			return 0;
	}
	return *s == '\0';
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

/* One form value, %XX and '+' decoded; NULL if it is not UTF-8 text. */
static json_t *
form_value(const char *p, size_t len)
{
	struct buf	 b = { 0 };
	json_t		*v;
	char		 c;
	size_t		 i;
	int		 hi, lo;

	for (i = 0; i < len; i++) {
		c = p[i];
		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < len &&
		    (hi = parse_hexdigit(p[i + 1])) >= 0 &&
		    (lo = parse_hexdigit(p[i + 2])) >= 0) {
			c = (char)(hi << 4 | lo);
			i += 2;
			if (c == '\0') {
				buf_free(&b);
				return NULL;
			}
		}
		buf_append(&b, &c, 1);
	}
	v = json_stringn(b.p ? b.p : "", b.len);
	buf_free(&b);
	return v;
}

/* An urlencoded form into an object of its fields (the first of each). */
static int
form_parse(const char *p, size_t len, json_t **out, struct qrm_error *err)
{
	const char	*end = p + len, *amp, *eq;
	char		 key[64];
	json_t		*o = json_object(), *v;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL || eq - p == 0 || (size_t)(eq - p) >= sizeof(key))
			goto bad;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
		if ((v = form_value(eq + 1, (size_t)(amp - eq - 1))) == NULL)
			goto bad;
		if (json_object_get(o, key) == NULL)
			json_object_set_new(o, key, v);
		else
			json_decref(v);
		p = amp + 1;
	}
	*out = o;
	return QRM_OK;
bad:
	json_decref(o);
	return qrm_seterr(err, QRM_EINVAL, "", "the form could not be read");
}

/* A multipart form being read: the field whose chunks come in now. */
struct multipart {
	json_t		*o;
	char		 key[64];
	struct buf	 b;
	int		 bad;
};

static void
multipart_flush(struct multipart *mp)
{
	if (mp->key[0] != '\0' && json_object_get(mp->o, mp->key) == NULL)
		json_object_set_new(mp->o, mp->key, json_stringn(mp->b.p ?
		    mp->b.p : "", mp->b.len));
	mp->b.len = 0;
	mp->key[0] = '\0';
}

static enum MHD_Result
multipart_chunk(void *arg, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *type, const char *encoding,
    const char *data, uint64_t off, size_t size)
{
	struct multipart	*mp = arg;

	(void)kind; (void)filename; (void)type; (void)encoding;
	if (key == NULL || strlen(key) >= sizeof(mp->key) ||
	    memchr(data, '\0', size) != NULL) {
		mp->bad = 1;
		return MHD_NO;
	}
	if (off == 0 || strcmp(key, mp->key) != 0) {
		multipart_flush(mp);
		snprintf(mp->key, sizeof(mp->key), "%s", key);
	}
	buf_append(&mp->b, data, size);
	return MHD_YES;
}

/* A multipart form (libmicrohttpd reads it) into its fields as text. */
static int
multipart_parse(struct request *r, json_t **out, struct qrm_error *err)
{
	struct MHD_PostProcessor	*pp;
	struct multipart		 mp;

	memset(&mp, 0, sizeof(mp));
	mp.o = json_object();
	if ((pp = MHD_create_post_processor(r->conn, 64 * 1024,
	    multipart_chunk, &mp)) == NULL ||
	    MHD_post_process(pp, r->body.p ? r->body.p : "", r->body.len) !=
	    MHD_YES)
		mp.bad = 1;
	if (pp != NULL && MHD_destroy_post_processor(pp) != MHD_YES)
		mp.bad = 1;
	multipart_flush(&mp);
	buf_free(&mp.b);
	if (mp.bad) {
		json_decref(mp.o);
		return qrm_seterr(err, QRM_EINVAL, "", "the form could not be "
		    "read");
	}
	*out = mp.o;
	return QRM_OK;
}

/* The body as the route wants it: its type, and JSON parsed. */
static int
body_take(struct request *r, enum body_kind kind, json_t **json,
    struct qrm_error *err)
{
	const char	*ct = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t	 je;
	size_t		 n;

	*json = NULL;
	if (kind == BODY_NONE)
		return QRM_OK;
	n = strlen(body_types[kind]);
	if (ct == NULL || strncasecmp(ct, body_types[kind], n) != 0 ||
	    (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' '))
		return qrm_seterr(err, QRM_EMEDIA, "Content-Type", "send the "
		    "body as Content-Type: %s", body_types[kind]);
	if (kind == BODY_MULTIPART)
		return multipart_parse(r, json, err);
	if (kind == BODY_FORM)
		return form_parse(r->body.p ? r->body.p : "", r->body.len, json,
		    err);
	if (kind != BODY_JSON)
		return QRM_OK;
	if (r->body.len == 0)
		return qrm_seterr(err, QRM_EINVAL, "", "the body is empty");
	if ((*json = json_loadb(r->body.p, r->body.len,
	    JSON_REJECT_DUPLICATES, &je)) == NULL)
		return qrm_seterr(err, QRM_EINVAL, "", "malformed JSON at line "
		    "%d, column %d: %s", je.line, je.column, je.text);
	if (!json_is_object(*json)) {
		json_decref(*json);
		*json = NULL;
		return qrm_seterr(err, QRM_EINVAL, "", "the body must be a "
		    "JSON object");
	}
	return QRM_OK;
}

/* "GET, HEAD, POST": the methods of mask, for Allow. */
static void
allow_text(unsigned int mask, char *out, size_t sz)
{
	size_t	i, len = 0;

	if (mask & M_GET)
		mask |= M_HEAD;
	out[0] = '\0';
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if ((mask & methods[i].bit) && len < sz)
			len += (size_t)snprintf(out + len, sz - len, "%s%s",
			    len ? ", " : "", methods[i].name);
}

enum MHD_Result
http_route(struct request *r)
{
	struct qrm_error	 err = { 0 };
	const struct route	*rt = NULL;
	struct member		 m;
	struct actor		 a = { 0, ROLE_MEMBER, NULL };
	struct call		 c, try;
	enum MHD_Result		 ret;
	unsigned int		 bit = method_bit(r->method), allowed = 0, want;
	unsigned int		 wait;
	size_t			 i;
	int			 rc;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		memset(&try, 0, sizeof(try));
		if (!match(routes[i].pattern, r->url, &try))
			continue;
		allowed |= routes[i].methods;
		want = routes[i].methods & M_GET ? routes[i].methods | M_HEAD :
		    routes[i].methods;
		if (rt == NULL && (bit & want)) {
			rt = &routes[i];
			c = try;
		}
	}
	if (allowed == 0)
		return http_fail(r, QRM_ENOTFOUND, "", "no such resource");
	if (rt != NULL)
		r->route = rt->pattern;
	if (rt == NULL) {
		allow_text(allowed, r->allow, sizeof(r->allow));
		return http_fail(r, QRM_EMETHOD, "", "this resource answers %s",
		    r->allow);
	}
	if (rt->role != ROLE_NONE) {
		/*
		 * Only failures are slowed: a valid token is always answered,
		 * so a script that mistypes one behind an office's shared
		 * address does not lock out everyone else there.
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
		if ((int)a.role < rt->role) {
			member_clear(&m);
			return http_fail(r, QRM_EFORBIDDEN, "", "this needs the "
			    "role %s", role_names[rt->role]);
		}
		c.actor = &a;
	}
	if ((bit & (M_POST | M_PUT | M_PATCH)) &&
	    (rc = body_take(r, rt->body, &c.json, &err)) != QRM_OK)
		ret = rt->body == BODY_FORM || rt->body == BODY_MULTIPART ?
		    page_error(r, rc, &err) : http_error(r, rc, &err);
	else
		ret = rt->fn(r, &c);
	json_decref(c.json);
	if (rt->role != ROLE_NONE)
		member_clear(&m);
	return ret;
}
