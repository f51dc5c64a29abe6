/*
 * test_http.c: the HTTP contract on the real daemon (ephemeral port,
 * temporary database), driven by libcurl.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <zlib.h>

#include "harness.h"

static struct server	srv;
static char		official_api[80], member_api[80], member_feed[80];
static char		auth_official[120], auth_member[120];

static void
trim(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static void
issue(const char *member, const char *scope, char *out, size_t sz)
{
	char	*text = NULL;

	assert_int_equal(server_cli(&srv, &text, "token", "issue", "--member",
	    member, "--scope", scope, NULL), 0);
	trim(text);
	assert_int_equal(strlen(text), 43);
	snprintf(out, sz, "%s", text);
	free(text);
}

static int
setup(void **state)
{
	char	*id = NULL;

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (server_start(&srv) != 0)
		return -1;
	if (server_cli(&srv, &id, "member", "add", "--name", "Carole Doherty",
	    "--email", "carole@napo.example", "--role", "official", NULL) != 0)
		return -1;
	trim(id);
	issue(id, "api", official_api, sizeof(official_api));
	free(id);
	if (server_cli(&srv, &id, "member", "add", "--name", "Priya Shah",
	    "--email", "priya@napo.example", "--audience", "facilitators",
	    NULL) != 0)
		return -1;
	trim(id);
	issue(id, "api", member_api, sizeof(member_api));
	issue(id, "feed", member_feed, sizeof(member_feed));
	free(id);
	snprintf(auth_official, sizeof(auth_official),
	    "Authorization: Bearer %s", official_api);
	snprintf(auth_member, sizeof(auth_member), "Authorization: Bearer %s",
	    member_api);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	server_stop(&srv);
	curl_global_cleanup();
	return 0;
}

static json_t *
post_event(const char *body, long want)
{
	const char *const	 h[] = { auth_official,
				    "Content-Type: application/json", NULL };
	struct reply		 r;
	json_t			*o;

	assert_int_equal(http(&srv, "POST", "/api/v1/events", h, body, &r), 0);
	if (r.status != want)
		fail_msg("POST %s: %ld %s", body, r.status, r.body);
	o = json_loads(r.body, 0, NULL);
	reply_free(&r);
	assert_non_null(o);
	return o;
}

static void
health_and_unknown(void **state)
{
	struct reply	r;

	(void)state;
	assert_int_equal(http(&srv, "GET", "/healthz", NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	assert_int_equal(http(&srv, "GET", "/nothing/here", NULL, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	assert_int_equal(http(&srv, "PUT", "/feeds/all-members.ics", NULL,
	    NULL, &r), 0);
	assert_int_equal(r.status, 405);
	reply_free(&r);
	assert_int_equal(http(&srv, "GET", "/", NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "/feeds/all-members.ics"));
	reply_free(&r);
}

static void
event_lifecycle(void **state)
{
	const char *const	 h[] = { auth_official,
				    "Content-Type: application/json", NULL };
	const char *const	 hm[] = { auth_member, NULL };
	struct reply		 r;
	json_t			*o, *items;
	char			 path[128], *loc;
	json_int_t		 id;

	(void)state;
	o = post_event("{\"title\":\"VLO job description workshop\","
	    "\"kind\":\"workshop\",\"start\":\"2027-02-02T10:00:00\","
	    "\"end\":\"2027-02-02T12:30:00\",\"audiences\":[\"programmes\"],"
	    "\"location\":\"Online\",\"capacity\":25}", 201);
	id = json_integer_value(json_object_get(o, "id"));
	assert_true(id > 0);
	assert_string_equal(json_string_value(json_object_get(o, "tz")),
	    "Europe/London");
	assert_int_equal(json_integer_value(json_object_get(o, "sequence")),
	    0);
	json_decref(o);

	snprintf(path, sizeof(path), "/api/v1/events/%lld", (long long)id);
	assert_int_equal(http(&srv, "GET", path, h, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	/* the facilitator sees a programmes event, by audience lineage */
	assert_int_equal(http(&srv, "GET", path, hm, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	reply_free(&r);

	assert_int_equal(http(&srv, "PATCH", path, h,
	    "{\"start\":\"2027-02-02T11:00:00\","
	    "\"end\":\"2027-02-02T13:00:00\"}", &r), 0);
	assert_int_equal(r.status, 200);
	o = json_loads(r.body, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(o, "sequence")),
	    1);
	json_decref(o);
	reply_free(&r);

	assert_int_equal(http(&srv, "GET", "/api/v1/events?audience="
	    "facilitators&from=2027-02-01&to=2027-02-28&kind=workshop", h,
	    NULL, &r), 0);
	assert_int_equal(r.status, 200);
	o = json_loads(r.body, 0, NULL);
	items = json_object_get(o, "items");
	assert_int_equal(json_array_size(items), 1);
	json_decref(o);
	reply_free(&r);
	assert_int_equal(http(&srv, "GET", "/api/v1/events?audience=officials",
	    h, NULL, &r), 0);
	o = json_loads(r.body, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 0);
	json_decref(o);
	reply_free(&r);

	assert_int_equal(http(&srv, "DELETE", path, h, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	o = json_loads(r.body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "status")),
	    "cancelled");
	assert_int_equal(json_integer_value(json_object_get(o, "sequence")),
	    2);
	json_decref(o);
	reply_free(&r);

	/* Location of a create */
	assert_int_equal(http(&srv, "POST", "/api/v1/events", h,
	    "{\"title\":\"DASO away day\",\"kind\":\"away_day\","
	    "\"start\":\"2027-03-03\",\"end\":\"2027-03-03\","
	    "\"audiences\":[\"daso\"]}", &r), 0);
	assert_int_equal(r.status, 201);
	loc = reply_header(&r, "Location");
	assert_non_null(loc);
	assert_non_null(strstr(loc, "/api/v1/events/"));
	free(loc);
	reply_free(&r);
}

struct bad {
	const char	*method, *path, *auth, *type, *body;
	long		 status;
	const char	*code, *field;
};

static void
bad_requests_change_nothing(void **state)
{
	static const char ok[] = "\"kind\":\"workshop\",\"start\":"
	    "\"2027-02-02T10:00:00\",\"end\":\"2027-02-02T12:00:00\","
	    "\"audiences\":[\"programmes\"]";
	char		 bodies[16][512];
	struct bad	 cases[32];
	struct reply	 r;
	char		*before, *after, auth_bad[128];
	const char	*h[4];
	size_t		 n = 0, i;
	json_t		*o;

	(void)state;
	snprintf(auth_bad, sizeof(auth_bad), "Authorization: Bearer %s",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
#define B(k, fmt) (snprintf(bodies[k], sizeof(bodies[k]), "{%s,%s}", fmt, \
	ok), bodies[k])
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", "{\"title\":", 400, "invalid", NULL };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", "[1,2]", 400, "invalid", NULL };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", "{\"kind\":\"workshop\",\"start\":"
	    "\"2027-02-02T10:00:00\",\"end\":\"2027-02-02T12:00:00\","
	    "\"audiences\":[\"programmes\"]}", 400, "invalid", "title" };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", B(0, "\"title\":42"), 400, "invalid",
	    "title" };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", "{\"title\":\"x\",\"kind\":\"workshop\","
	    "\"start\":\"2027-02-02T10:00:00\",\"end\":\"2027-02-02T09:00:00\","
	    "\"audiences\":[\"programmes\"]}", 400, "invalid", "end" };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", B(1, "\"title\":\"x\",\"tz\":\"Europe/Nowhere\""),
	    400, "invalid", "tz" };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", B(2, "\"title\":\"x\",\"rrule\":"
	    "\"FREQ=SECONDLY\""), 400, "invalid", "rrule" };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", B(3, "\"title\":\"x\",\"rrule\":\"FREQ=WEEKLY;"
	    "BYDAY=XX\""), 400, "invalid", "rrule" };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", "{\"title\":\"x\",\"kind\":\"workshop\","
	    "\"start\":\"2027-02-02T10:00:00\",\"end\":\"2027-02-02T12:00:00\","
	    "\"audiences\":[\"nowhere\"]}", 400, "invalid", "audiences" };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", "{\"title\":\"x\",\"kind\":\"party\","
	    "\"start\":\"2027-02-02T10:00:00\",\"end\":\"2027-02-02T12:00:00\","
	    "\"audiences\":[\"programmes\"]}", 400, "invalid", "kind" };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", B(4, "\"title\":\"x\",\"capacity\":\"ten\""),
	    400, "invalid", "capacity" };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "application/json", B(5, "\"title\":\"x\",\"surprise\":1"), 400,
	    "invalid", "surprise" };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_official,
	    "text/plain", B(6, "\"title\":\"x\""), 415, "unsupported_media_type",
	    "Content-Type" };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", NULL,
	    "application/json", B(7, "\"title\":\"x\""), 401, "unauthorized",
	    NULL };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_bad,
	    "application/json", B(8, "\"title\":\"x\""), 401, "unauthorized",
	    NULL };
	cases[n++] = (struct bad){ "POST", "/api/v1/events", auth_member,
	    "application/json", B(9, "\"title\":\"x\""), 403, "forbidden",
	    NULL };
	cases[n++] = (struct bad){ "PATCH", "/api/v1/events/1", auth_member,
	    "application/json", "{\"title\":\"y\"}", 403, "forbidden", NULL };
	cases[n++] = (struct bad){ "PATCH", "/api/v1/events/1", auth_official,
	    "application/json", "{\"end\":\"2020-01-01T00:00:00\"}", 400,
	    "invalid", "end" };
	cases[n++] = (struct bad){ "PATCH", "/api/v1/events/999",
	    auth_official, "application/json", "{\"title\":\"y\"}", 404,
	    "not_found", NULL };
	cases[n++] = (struct bad){ "DELETE", "/api/v1/events/1", auth_member,
	    NULL, NULL, 403, "forbidden", NULL };
	cases[n++] = (struct bad){ "POST", "/api/v1/import?audience=nowhere",
	    auth_official, "text/calendar", "BEGIN:VCALENDAR\r\n"
	    "END:VCALENDAR\r\n", 400, "invalid", "audience" };
	cases[n++] = (struct bad){ "POST", "/api/v1/import?audience=daso",
	    auth_official, "text/calendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270101T100000Z\r\n"
	    "SUMMARY:ok\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\n"
	    "SUMMARY:no start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 400,
	    "invalid", "file" };
	cases[n++] = (struct bad){ "POST", "/api/v1/import?audience=daso",
	    auth_official, "application/json", "{}", 415,
	    "unsupported_media_type", NULL };

	before = server_snapshot(&srv);
	assert_non_null(before);
	for (i = 0; i < n; i++) {
		size_t	k = 0;
		char	type[96];

		if (cases[i].auth)
			h[k++] = cases[i].auth;
		if (cases[i].type) {
			snprintf(type, sizeof(type), "Content-Type: %s",
			    cases[i].type);
			h[k++] = type;
		}
		h[k] = NULL;
		assert_int_equal(http(&srv, cases[i].method, cases[i].path, h,
		    cases[i].body, &r), 0);
		if (r.status != cases[i].status)
			fail_msg("case %zu (%s %s): %ld, wanted %ld: %s", i,
			    cases[i].method, cases[i].path, r.status,
			    cases[i].status, r.body);
		o = json_loads(r.body, 0, NULL);
		assert_non_null(o);
		assert_string_equal(json_string_value(json_object_get(
		    json_object_get(o, "error"), "code")), cases[i].code);
		assert_non_null(json_string_value(json_object_get(
		    json_object_get(o, "error"), "message")));
		if (cases[i].field != NULL && strcmp(cases[i].field,
		    json_string_value(json_object_get(json_object_get(o,
		    "error"), "field")) ?: "") != 0)
			fail_msg("case %zu: %s", i, r.body);
		json_decref(o);
		reply_free(&r);
	}
	/*
	 * An oversized body: 413 before it is even read. The client asks
	 * first (100-continue), as curl does for large bodies; without it
	 * the refusal races the upload and the client may see a reset.
	 */
	{
		char	*big = malloc(2u << 20);

		memset(big, 'a', (2u << 20) - 1);
		big[(2u << 20) - 1] = '\0';
		h[0] = auth_official;
		h[1] = "Content-Type: application/json";
		h[2] = "Expect: 100-continue";
		h[3] = NULL;
		assert_int_equal(http(&srv, "POST", "/api/v1/events", h, big,
		    &r), 0);
		assert_int_equal(r.status, 413);
		reply_free(&r);
		free(big);
	}
	after = server_snapshot(&srv);
	assert_string_equal(before, after);	/* not one row changed */
	free(before);
	free(after);
}

static void
feeds_http(void **state)
{
	struct reply	 r, r2;
	char		*etag, *lm, *hdr, path[256], inm[160], ims[160];
	const char	*h[3];
	unsigned char	 plain[1 << 16];
	uLongf		 plainlen = sizeof(plain);
	z_stream	 z;

	(void)state;
	json_decref(post_event("{\"title\":\"Members' update\","
	    "\"kind\":\"member_briefing\","
	    "\"start\":\"2027-02-09T18:00:00\",\"end\":\"2027-02-09T19:00:00\","
	    "\"audiences\":[\"all-members\"]}", 201));
	assert_int_equal(http(&srv, "GET", "/feeds/all-members.ics", NULL,
	    NULL, &r), 0);
	assert_int_equal(r.status, 200);
	hdr = reply_header(&r, "Content-Type");
	assert_string_equal(hdr, "text/calendar; charset=utf-8");
	free(hdr);
	assert_non_null(strstr(r.body, "SUMMARY:Members' update"));
	assert_null(strstr(r.body, "carole@"));		/* no people */
	hdr = reply_header(&r, "Cache-Control");
	assert_non_null(strstr(hdr, "public"));
	free(hdr);
	etag = reply_header(&r, "ETag");
	lm = reply_header(&r, "Last-Modified");
	assert_non_null(etag);
	assert_non_null(lm);

	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	h[0] = inm;
	h[1] = NULL;
	assert_int_equal(http(&srv, "GET", "/feeds/all-members.ics", h, NULL,
	    &r2), 0);
	assert_int_equal(r2.status, 304);
	assert_int_equal(r2.len, 0);
	reply_free(&r2);
	snprintf(ims, sizeof(ims), "If-Modified-Since: %s", lm);
	h[0] = ims;
	sleep(1);	/* If-Modified-Since has whole seconds */
	assert_int_equal(http(&srv, "GET", "/feeds/all-members.ics", h, NULL,
	    &r2), 0);
	assert_int_equal(r2.status, 304);
	reply_free(&r2);
	h[0] = "If-None-Match: \"something-else\"";
	assert_int_equal(http(&srv, "GET", "/feeds/all-members.ics", h, NULL,
	    &r2), 0);
	assert_int_equal(r2.status, 200);
	reply_free(&r2);

	/* HEAD: same headers, no body */
	assert_int_equal(http(&srv, "HEAD", "/feeds/all-members.ics", NULL,
	    NULL, &r2), 0);
	assert_int_equal(r2.status, 200);
	assert_int_equal(r2.len, 0);
	hdr = reply_header(&r2, "ETag");
	assert_string_equal(hdr, etag);
	free(hdr);
	reply_free(&r2);

	/* gzip when asked: decompresses to the very same bytes */
	h[0] = "Accept-Encoding: gzip";
	assert_int_equal(http(&srv, "GET", "/feeds/all-members.ics", h, NULL,
	    &r2), 0);
	assert_int_equal(r2.status, 200);
	hdr = reply_header(&r2, "Content-Encoding");
	assert_string_equal(hdr, "gzip");
	free(hdr);
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)r2.body;
	z.avail_in = (uInt)r2.len;
	z.next_out = plain;
	z.avail_out = (uInt)plainlen;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, r.len);
	assert_memory_equal(plain, r.body, r.len);
	inflateEnd(&z);
	reply_free(&r2);

	/* a write changes the bytes and the ETag */
	json_decref(post_event("{\"title\":\"Second update\",\"kind\":\"member_briefing\","
	    "\"start\":\"2027-02-16T18:00:00\",\"end\":\"2027-02-16T19:00:00\","
	    "\"audiences\":[\"all-members\"]}", 201));
	h[0] = inm;
	assert_int_equal(http(&srv, "GET", "/feeds/all-members.ics", h, NULL,
	    &r2), 0);
	assert_int_equal(r2.status, 200);
	assert_non_null(strstr(r2.body, "Second update"));
	reply_free(&r2);
	free(etag);
	reply_free(&r);

	/*
	 * Regression: an event that leaves a feed changes its
	 * Last-Modified, though no event in it is newer.
	 */
	{
		const char *const	 ho[] = { auth_official,
					    "Content-Type: application/json",
					    NULL };
		json_t			*o;
		char			 epath[64];

		o = post_event("{\"title\":\"Short-lived\",\"kind\":\"other\","
		    "\"start\":\"2027-02-23T18:00:00\",\"end\":"
		    "\"2027-02-23T19:00:00\",\"audiences\":[\"all-members\"]}",
		    201);
		snprintf(epath, sizeof(epath), "/api/v1/events/%lld",
		    (long long)json_integer_value(json_object_get(o, "id")));
		json_decref(o);
		sleep(1);
		assert_int_equal(http(&srv, "GET", "/feeds/all-members.ics",
		    NULL, NULL, &r), 0);
		free(lm);
		lm = reply_header(&r, "Last-Modified");
		reply_free(&r);
		sleep(1);
		assert_int_equal(http(&srv, "PATCH", epath, ho,
		    "{\"audiences\":[\"officials\"]}", &r), 0);
		assert_int_equal(r.status, 200);
		reply_free(&r);
		snprintf(ims, sizeof(ims), "If-Modified-Since: %s", lm);
		h[0] = ims;
		h[1] = NULL;
		assert_int_equal(http(&srv, "GET", "/feeds/all-members.ics", h,
		    NULL, &r), 0);
		assert_int_equal(r.status, 200);
		assert_null(strstr(r.body, "Short-lived"));
		reply_free(&r);
	}
	free(lm);

	/* members' feeds: 404 without a token that may see them */
	assert_int_equal(http(&srv, "GET", "/feeds/facilitators.ics", NULL,
	    NULL, &r), 0);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	assert_int_equal(http(&srv, "GET", "/feeds/facilitators.ics?token="
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	snprintf(path, sizeof(path), "/feeds/facilitators.ics?token=%s",
	    member_api);		/* an API token is not a feed token */
	assert_int_equal(http(&srv, "GET", path, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	snprintf(path, sizeof(path), "/feeds/facilitators.ics?token=%s",
	    member_feed);
	assert_int_equal(http(&srv, "GET", path, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Members' update"));	/* ancestor */
	hdr = reply_header(&r, "Cache-Control");
	assert_non_null(strstr(hdr, "private"));
	free(hdr);
	reply_free(&r);
	snprintf(path, sizeof(path), "/feeds/programmes.ics?token=%s",
	    member_feed);		/* the parent of her audience */
	assert_int_equal(http(&srv, "GET", path, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	snprintf(path, sizeof(path), "/feeds/officials.ics?token=%s",
	    member_feed);
	assert_int_equal(http(&srv, "GET", path, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	snprintf(path, sizeof(path), "/feeds/daso.ics?token=%s", member_feed);
	assert_int_equal(http(&srv, "GET", path, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 404);	/* a sibling audience */
	reply_free(&r);
	assert_int_equal(http(&srv, "GET", "/feeds/nowhere.ics", NULL, NULL,
	    &r), 0);
	assert_int_equal(r.status, 404);
	reply_free(&r);

	/* the personal feed */
	snprintf(path, sizeof(path), "/feeds/me.ics?token=%s", member_feed);
	assert_int_equal(http(&srv, "GET", path, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "NAME:quorum: Priya Shah"));
	assert_non_null(strstr(r.body, "Members' update"));
	reply_free(&r);
	assert_int_equal(http(&srv, "GET", "/feeds/me.ics", NULL, NULL, &r),
	    0);
	assert_int_equal(r.status, 404);
	reply_free(&r);
}

static void
tokens_and_audit(void **state)
{
	const char *const	 hm[] = { auth_member, NULL };
	const char *const	 ho[] = { auth_official, NULL };
	struct reply		 r;
	json_t			*o, *items;
	char			 path[160];
	size_t			 i;
	json_int_t		 feed_id = 0, other = 0;

	(void)state;
	/* a member lists only their own tokens, without secrets */
	assert_int_equal(http(&srv, "GET", "/api/v1/tokens", hm, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, member_feed));
	o = json_loads(r.body, 0, NULL);
	items = json_object_get(o, "items");
	assert_int_equal(json_array_size(items), 2);
	for (i = 0; i < json_array_size(items); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(
		    items, i), "scope")), "feed") == 0)
			feed_id = json_integer_value(json_object_get(
			    json_array_get(items, i), "id"));
	json_decref(o);
	reply_free(&r);
	assert_int_equal(http(&srv, "GET", "/api/v1/tokens?member=1", hm, NULL,
	    &r), 0);
	assert_int_equal(r.status, 403);
	reply_free(&r);
	/* the official's own token is not hers to revoke */
	assert_int_equal(http(&srv, "GET", "/api/v1/tokens?member=1", ho, NULL,
	    &r), 0);
	o = json_loads(r.body, 0, NULL);
	other = json_integer_value(json_object_get(json_array_get(
	    json_object_get(o, "items"), 0), "id"));
	json_decref(o);
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", (long long)other);
	assert_int_equal(http(&srv, "DELETE", path, hm, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	/* the audit log is for administrators */
	assert_int_equal(http(&srv, "GET", "/api/v1/audit", ho, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	reply_free(&r);
	/* revoking her feed token takes effect at once */
	snprintf(path, sizeof(path), "/feeds/me.ics?token=%s", member_feed);
	assert_int_equal(http(&srv, "GET", path, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", (long long)feed_id);
	assert_int_equal(http(&srv, "DELETE", path, hm, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	snprintf(path, sizeof(path), "/feeds/me.ics?token=%s", member_feed);
	assert_int_equal(http(&srv, "GET", path, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	reply_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(health_and_unknown),
		cmocka_unit_test(event_lifecycle),
		cmocka_unit_test(bad_requests_change_nothing),
		cmocka_unit_test(feeds_http),
		cmocka_unit_test(tokens_and_audit),	/* revokes: last */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
