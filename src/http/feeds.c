/*
 * feeds.c: GET and HEAD of /feeds/{slug}.ics and /feeds/me.ics, with
 * conditional requests (ETag, Last-Modified) and gzip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http_int.h"

/*
 * The four responses a feed is sent with, made on first use and kept
 * with the feed (libmicrohttpd counts references to a response, so
 * one can be queued on many connections at once).  A request holds
 * the feed until it completes, so the bytes outlive every send.
 */
enum feed_resp {
	RESP_PLAIN,
	RESP_GZIP,
	RESP_NOT_MODIFIED,
	RESP_NOT_MODIFIED_GZIP
};

static void
resp_free(void *resp)
{
	MHD_destroy_response(resp);
}

/* Does the If-None-Match list name one of the feed's tags (or "*")? */
static int
etag_matches(const char *inm, const struct feed *f)
{
	const char	*p = inm, *q;
	size_t		 n;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		q = p;
		while (*q != '\0' && *q != ',')
			q++;
		n = (size_t)(q - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if ((n == strlen(f->etag) && strncmp(p, f->etag, n) == 0) ||
		    (n == strlen(f->etag_gz) && strncmp(p, f->etag_gz, n) == 0))
			return 1;
		p = q;
	}
	return 0;
}

/* Does Accept-Encoding allow gzip (and not with q=0)? */
int
accepts_gzip(const char *ae)
{
	const char	*p;

	if (ae == NULL || (p = strcasestr(ae, "gzip")) == NULL)
		return 0;
	p += 4;
	p += strspn(p, " ");
	if (*p != ';')
		return 1;
	p++;
	p += strspn(p, " ");
	if (*p != 'q' || p[1] != '=')
		return 1;
	return strtod(p + 2, NULL) > 0.0;
}

static void
feed_headers(struct MHD_Response *resp, const struct feed *f, int gz)
{
	char	date[64], cc[64];

	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG,
	    gz ? f->etag_gz : f->etag);
	if (f->last_modified > 0 && http_date_format(f->last_modified, date,
	    sizeof(date)) == 0)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED,
		    date);
	snprintf(cc, sizeof(cc), "%s, max-age=%d", f->public ? "public" :
	    "private", f->refresh_minutes < 5 ? f->refresh_minutes * 60 : 300);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cc);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
}

/*
 * A member's feed is read out of its runs (feed_read()) block by block
 * as it is sent: the events' texts are shared with other members'
 * feeds, not copied into one for each.  libmicrohttpd reads a response
 * in order, one call at a time; each request has a response of its own
 * (one kept with the feed would have its sends take turns), with a
 * block of 128 KB: fewer make a large feed's sends many, more make many
 * connections at once hold much (behind nginx, which takes a response
 * whole and sends it on, they are few).
 */
#define RUNS_BLOCK	(128 * 1024)

struct runs_reader {
	const struct feed	*f;
	struct feed_cursor	 c;
};

static ssize_t
runs_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct runs_reader	*r = cls;
	size_t			 n;

	if ((n = feed_read(r->f, &r->c, pos, out, max)) == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	return (ssize_t)n;
}

static void	feed_headers(struct MHD_Response *, const struct feed *, int);

static struct MHD_Response *
runs_response(const struct feed *f)
{
	struct MHD_Response	*resp;
	struct runs_reader	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->f = f;
	if ((resp = MHD_create_response_from_callback(f->len,
	    f->len < RUNS_BLOCK ? f->len + 1 : RUNS_BLOCK, runs_read, r,
	    free)) == NULL) {
		free(r);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/calendar; charset=utf-8");
	feed_headers(resp, f, 0);
	return resp;
}

static struct MHD_Response *
feed_response(struct feed *f, enum feed_resp kind)
{
	struct MHD_Response	*resp, *kept;
	int			 gz = kind == RESP_GZIP ||
				    kind == RESP_NOT_MODIFIED_GZIP;

	if ((resp = feed_attached(f, kind)) != NULL)
		return resp;
	if (kind == RESP_NOT_MODIFIED || kind == RESP_NOT_MODIFIED_GZIP)
		resp = MHD_create_response_from_buffer(0, (void *)"",
		    MHD_RESPMEM_PERSISTENT);
	else
		resp = MHD_create_response_from_buffer(gz ? f->gzlen : f->len,
		    gz ? f->gz : f->body, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return NULL;
	if (kind == RESP_PLAIN || kind == RESP_GZIP)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    "text/calendar; charset=utf-8");
	if (kind == RESP_GZIP)
		MHD_add_response_header(resp,
		    MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	feed_headers(resp, f, gz);
	if ((kept = feed_attach(f, kind, resp, resp_free)) != resp)
		MHD_destroy_response(resp);
	return kept;
}

/* A 304 for a member's feed that was not built: its ETag, private. */
static enum MHD_Result
not_modified(struct request *r, const struct feed *f, int gz)
{
	struct MHD_Response	*resp;

	if ((resp = MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT)) == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, gz ? f->etag_gz :
	    f->etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "private, max-age=300");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	return http_queue(r, MHD_HTTP_NOT_MODIFIED, resp);
}

/* f gzipped for this response alone (a large member's feed). */
static enum MHD_Result
send_gzip_once(struct request *r, struct feed *f)
{
	struct MHD_Response	*resp;
	char			*gz;
	size_t			 n;

	if (feed_gzip_one(f, &gz, &n) == -1) {
		if ((resp = runs_response(f)) == NULL)
			return MHD_NO;
		n = f->len;	/* plain it is */
	} else if ((resp = MHD_create_response_from_buffer_with_free_callback(
	    n, gz, free)) == NULL) {
		free(gz);
		return MHD_NO;
	} else {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    "text/calendar; charset=utf-8");
		MHD_add_response_header(resp,
		    MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
		feed_headers(resp, f, 1);
	}
	r->status = MHD_HTTP_OK;
	r->bytes = n;
	return http_queue(r, MHD_HTTP_OK, resp);
}

/* Send f (whose reference this takes): 200, or 304 when it matches. */
static enum MHD_Result
send_feed(struct request *r, struct feed *f)
{
	struct MHD_Response	*resp;
	const char		*inm, *ims;
	time_t			 since;
	unsigned int		 status = MHD_HTTP_OK;
	int			 gz;

	r->feed = f;
	gz = accepts_gzip(http_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	inm = http_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
	ims = http_header(r, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	/*
	 * HTTP dates have whole seconds: a change in the current second
	 * could hide behind If-Modified-Since, so that waits a second.
	 */
	if ((inm != NULL && etag_matches(inm, f)) || (inm == NULL &&
	    ims != NULL && f->last_modified > 0 &&
	    f->last_modified < time(NULL) &&
	    http_date_parse(ims, &since) == 0 && f->last_modified <= since)) {
		status = MHD_HTTP_NOT_MODIFIED;
		resp = feed_response(f, gz ? RESP_NOT_MODIFIED_GZIP :
		    RESP_NOT_MODIFIED);
	} else {
		if (gz && !feed_gzip_kept(f))
			return send_gzip_once(r, f);
		if (gz && feed_gzip(f) == -1)
			gz = 0;		/* plain it is */
		if (!gz && f->runs != NULL) {
			/* the request holds f, and so the runs, to the end */
			if ((resp = runs_response(f)) == NULL)
				return MHD_NO;
			r->bytes = f->len;
			return http_queue(r, status, resp);
		}
		resp = feed_response(f, gz ? RESP_GZIP : RESP_PLAIN);
	}
	if (resp == NULL)
		return MHD_NO;
	r->status = status;
	r->bytes = status == MHD_HTTP_NOT_MODIFIED ? 0 : gz ? f->gzlen :
	    f->len;
	return MHD_queue_response(r->conn, status, resp);
}

/* GET, HEAD /feeds/{slug}.ics, me.ics and actions.ics */
enum MHD_Result
feeds_get(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct feed		*f = NULL;
	const char		*token = http_arg(r, "token");
	const char		*path = c->word, *inm;
	struct feed		 probe;
	char			 slug[64];
	size_t			 n = strlen(path);
	unsigned int		 wait;
	int			 rc;

	if (n < 5 || n - 4 >= sizeof(slug) || strcmp(path + n - 4, ".ics"))
		return http_fail(r, QRM_ENOTFOUND, "", "no such feed");
	snprintf(slug, sizeof(slug), "%.*s", (int)(n - 4), path);
	/*
	 * A member's own feed is revalidated by its version, known from a
	 * few indexed reads: an unchanged one answers 304 unbuilt.
	 */
	if ((strcmp(slug, "me") == 0 || strcmp(slug, "actions") == 0) &&
	    (inm = http_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH)) != NULL &&
	    feed_member_etag(r->q, token, strcmp(slug, "me") == 0, probe.etag,
	    &err) == QRM_OK) {
		snprintf(probe.etag_gz, sizeof(probe.etag_gz), "%.*s-gz\"",
		    (int)strlen(probe.etag) - 1, probe.etag);
		if (etag_matches(inm, &probe))
			return not_modified(r, &probe, accepts_gzip(http_header(
			    r, MHD_HTTP_HEADER_ACCEPT_ENCODING)));
	}
	memset(&err, 0, sizeof(err));
	if (strcmp(slug, "me") == 0)
		rc = feed_personal_get(r->q, token, &f, &err);
	else if (strcmp(slug, "actions") == 0)
		rc = feed_actions_get(r->q, token, &f, &err);
	else
		rc = feed_get(r->q, slug, token, &f, &err);
	/* only failures are slowed: see http_route() */
	if (rc == QRM_ENOTFOUND && token != NULL) {
		if ((wait = guard_blocked(r)) > 0)
			return guard_refuse(r, wait);
		guard_failed(r);
	}
	if (rc != QRM_OK)
		return http_error(r, rc, &err);
	return send_feed(r, f);
}

/*
 * GET /feeds/employer/{secret}.ics: what the employer owes, for the
 * link the union chose to give the employer side.  Not found when no
 * such link is in force.  Private: a proxy must not keep it.
 */
enum MHD_Result
feeds_employer(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct MHD_Response	*resp;
	struct buf		 b = { 0 };
	char			 secret[128];
	size_t			 n = strcspn(c->word, ".");

	if (n == 0 || n >= sizeof(secret) || strcmp(c->word + n, ".ics") != 0)
		return http_fail(r, QRM_ENOTFOUND, "", "no such feed");
	memcpy(secret, c->word, n);
	secret[n] = '\0';
	if (core_employer_feed_get(r->q, secret, &b, &err) != QRM_OK) {
		buf_free(&b);
		return http_fail(r, QRM_ENOTFOUND, "", "no such feed");
	}
	r->bytes = b.len;
	if ((resp = MHD_create_response_from_buffer_with_free_callback(b.len,
	    b.p ? b.p : strdup(""), free)) == NULL) {
		buf_free(&b);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/calendar; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "private, max-age=300");
	return http_queue(r, 200, resp);
}
