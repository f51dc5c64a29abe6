/*
 * metrics.c: GET /metrics in Prometheus' text format (version 0.0.4):
 * requests by route and status, a latency histogram, the feed cache's
 * hits and misses, the outbox's backlog and the age of its oldest
 * message, the database's and its WAL's size, and the last good
 * backup.  It is for the machine's own monitoring: from loopback
 * directly (not through the proxy, which says so in X-Forwarded-For or
 * X-Real-IP), or anywhere with the metrics token as a Bearer token.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "http_int.h"

#define ROUTES_MAX	256

static const double	bounds[] = { .0005, .001, .0025, .005, .01, .025,
			    .05, .1, .25, .5, 1, 2.5, 5, 10 };
#define NBOUNDS		(sizeof(bounds) / sizeof(bounds[0]))

static struct {
	pthread_mutex_t	 mu;
	struct {
		const char	*route;	/* a pattern of the table: static */
		const char	*method;
		unsigned int	 status;
		uint64_t	 n;
	}		 by[ROUTES_MAX];
	size_t		 nby;
	uint64_t	 other;		/* past ROUTES_MAX kinds */
	uint64_t	 bucket[NBOUNDS];
	uint64_t	 count;
	double		 sum;
} m = { .mu = PTHREAD_MUTEX_INITIALIZER };

static const char *const methods[] = { "GET", "HEAD", "POST", "PUT",
    "PATCH", "DELETE", "OPTIONS" };

/* A request done: counted by route, method and status, and timed. */
void
metrics_record(const char *route, const char *method, unsigned int status,
    double seconds)
{
	const char	*meth = "other";
	size_t		 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (method != NULL && strcmp(method, methods[i]) == 0)
			meth = methods[i];
	if (route == NULL)
		route = "(none)";
	pthread_mutex_lock(&m.mu);
	for (i = 0; i < m.nby; i++)
		if (m.by[i].route == route && m.by[i].method == meth &&
		    m.by[i].status == status)
			break;
	if (i == m.nby && m.nby < ROUTES_MAX) {
		m.by[i].route = route;
		m.by[i].method = meth;
		m.by[i].status = status;
		m.nby++;
	}
	if (i < m.nby)
		m.by[i].n++;
	else
		m.other++;
	for (i = 0; i < NBOUNDS; i++)
		if (seconds <= bounds[i])
			m.bucket[i]++;
	m.count++;
	m.sum += seconds;
	pthread_mutex_unlock(&m.mu);
}

/* From loopback, and not passed on by the proxy in front? */
static int
local_peer(struct request *r)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;
	const unsigned char		*a;

	if (http_header(r, "X-Forwarded-For") != NULL ||
	    http_header(r, "X-Real-IP") != NULL)
		return 0;
	ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		a = (const unsigned char *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
		return a[0] == 127;
	}
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr);
	return 0;
}

/* The metrics token, as a Bearer token, in constant time. */
static int
token_ok(struct request *r)
{
	const char	*want = getenv("QUORUM_METRICS_TOKEN");
	const char	*got = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	unsigned char	 a[crypto_generichash_BYTES], b[sizeof(a)];

	if (want == NULL || *want == '\0' || got == NULL ||
	    strncmp(got, "Bearer ", 7) != 0)
		return 0;
	got += 7;
	crypto_generichash(a, sizeof(a), (const unsigned char *)want,
	    strlen(want), NULL, 0);
	crypto_generichash(b, sizeof(b), (const unsigned char *)got,
	    strlen(got), NULL, 0);
	return sodium_memcmp(a, b, sizeof(a)) == 0;
}

/* A label value with \, " and newlines escaped. */
static void
label(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else
			buf_printf(b, "%c", *v);
	}
}

/* GET /metrics */
enum MHD_Result
page_metrics(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct qrm_stats	 st;
	struct buf		 b = { 0 };
	enum MHD_Result		 ret;
	int64_t			 now = (int64_t)time(NULL);
	size_t			 i;

	(void)c;
	if (!local_peer(r) && !token_ok(r))
		return http_fail(r, QRM_ENOTFOUND, "", "no such resource");
	if (core_stats(r->q, &st, &err) != QRM_OK)
		return http_error(r, QRM_EDB, &err);
	buf_puts(&b, "# HELP quorum_http_requests_total Requests answered, "
	    "by route pattern, method and status.\n"
	    "# TYPE quorum_http_requests_total counter\n");
	pthread_mutex_lock(&m.mu);
	for (i = 0; i < m.nby; i++) {
		buf_puts(&b, "quorum_http_requests_total{route=\"");
		label(&b, m.by[i].route);
		buf_printf(&b, "\",method=\"%s\",status=\"%u\"} %llu\n",
		    m.by[i].method, m.by[i].status,
		    (unsigned long long)m.by[i].n);
	}
	if (m.other > 0)
		buf_printf(&b, "quorum_http_requests_total{route=\"(other)\","
		    "method=\"other\",status=\"0\"} %llu\n",
		    (unsigned long long)m.other);
	buf_puts(&b, "# HELP quorum_http_request_duration_seconds Time from "
	    "a request's first byte to its last byte sent.\n"
	    "# TYPE quorum_http_request_duration_seconds histogram\n");
	for (i = 0; i < NBOUNDS; i++)
		buf_printf(&b, "quorum_http_request_duration_seconds_bucket"
		    "{le=\"%g\"} %llu\n", bounds[i],
		    (unsigned long long)m.bucket[i]);
	buf_printf(&b, "quorum_http_request_duration_seconds_bucket"
	    "{le=\"+Inf\"} %llu\n"
	    "quorum_http_request_duration_seconds_sum %.6f\n"
	    "quorum_http_request_duration_seconds_count %llu\n",
	    (unsigned long long)m.count, m.sum, (unsigned long long)m.count);
	pthread_mutex_unlock(&m.mu);
	buf_printf(&b,
	    "# HELP quorum_feed_cache_hits_total Feeds served as built "
	    "before.\n# TYPE quorum_feed_cache_hits_total counter\n"
	    "quorum_feed_cache_hits_total %llu\n"
	    "# HELP quorum_feed_cache_misses_total Feeds that had to be "
	    "built.\n# TYPE quorum_feed_cache_misses_total counter\n"
	    "quorum_feed_cache_misses_total %llu\n"
	    "# HELP quorum_feed_cache_bytes Bytes of feeds held.\n"
	    "# TYPE quorum_feed_cache_bytes gauge\n"
	    "quorum_feed_cache_bytes %zu\n"
	    "# HELP quorum_outbox_waiting Mail queued and not yet sent.\n"
	    "# TYPE quorum_outbox_waiting gauge\n"
	    "quorum_outbox_waiting %lld\n"
	    "# HELP quorum_outbox_oldest_age_seconds How long the oldest "
	    "mail waiting has waited (0: none).\n"
	    "# TYPE quorum_outbox_oldest_age_seconds gauge\n"
	    "quorum_outbox_oldest_age_seconds %lld\n"
	    "# HELP quorum_database_bytes The database file's size.\n"
	    "# TYPE quorum_database_bytes gauge\n"
	    "quorum_database_bytes %lld\n"
	    "# HELP quorum_database_wal_bytes The write-ahead log's size.\n"
	    "# TYPE quorum_database_wal_bytes gauge\n"
	    "quorum_database_wal_bytes %lld\n"
	    "# HELP quorum_backup_last_success_timestamp_seconds When the "
	    "last good backup was taken (0: never).\n"
	    "# TYPE quorum_backup_last_success_timestamp_seconds gauge\n"
	    "quorum_backup_last_success_timestamp_seconds %lld\n",
	    (unsigned long long)st.cache_hits,
	    (unsigned long long)st.cache_misses, st.cache_bytes,
	    (long long)st.outbox_waiting, (long long)(st.outbox_oldest ?
	    now - st.outbox_oldest : 0), (long long)st.db_bytes,
	    (long long)st.wal_bytes, (long long)st.last_backup);
	{
		uint64_t	 n;
		json_t		*big = feed_oversize(r->q, &n);

		buf_printf(&b, "# HELP quorum_feeds_oversize_total Feeds built "
		    "past 900 KB (Google Calendar drops events past about "
		    "1 MB).\n# TYPE quorum_feeds_oversize_total counter\n"
		    "quorum_feeds_oversize_total %llu\n",
		    (unsigned long long)n);
		json_decref(big);
	}
	r->bytes = b.len;
	ret = http_text(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    b.p ? b.p : "");
	buf_free(&b);
	return ret;
}
