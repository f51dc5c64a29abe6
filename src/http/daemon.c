/*
 * daemon.c: the libmicrohttpd daemon, request bookkeeping, responses,
 * the one mapping from error codes to statuses, and the request log.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http_int.h"

static unsigned int	conn_timeout = 30;	/* seconds */
static unsigned int	pool_threads;		/* 0: one per usable core */

/*
 * The cores this process may run on: those of its CPU affinity (taskset,
 * systemd's CPUAffinity=, a container's cpuset), else all online ones.
 */
static unsigned int
usable_cores(void)
{
	cpu_set_t	set;
	long		n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    CPU_COUNT(&set) > 0)
		return (unsigned int)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned int)n : 1;
}

/* Threads serving connections (0: one per usable core), for servers next. */
void
http_set_threads(unsigned int n)
{
	pool_threads = n;
}

static char	base_url[256];

/*
 * The public address of the service ("https://quorum.napo.example"), for
 * links in pages; empty: taken from the request's Host.
 */
void
http_set_base_url(const char *url)
{
	snprintf(base_url, sizeof(base_url), "%s", url ? url : "");
}

const char *
http_base_url(void)
{
	return base_url[0] ? base_url : NULL;
}

static int	access_log = 1;	/* a line a request, at info */

void
http_set_access_log(int on)
{
	access_log = on;
}

/*
 * Settings for servers started after this: a connection idle for
 * timeout seconds is closed (slow clients); a client address may
 * present guesses bad tokens per window seconds (see guard.c).
 */
void
http_configure(unsigned int timeout, unsigned int guesses,
    unsigned int window)
{
	conn_timeout = timeout > 0 ? timeout : 30;
	pool_threads = 0;
	guard_configure(guesses, window);
}

/*
 * A connection waiting for a request's headers, since when.  The
 * reaper closes one that waits longer than the timeout, even while it
 * dribbles bytes (libmicrohttpd's own timeout counts idle time only).
 */
struct watch {
	int		 fd;
	int		 awaiting;
	time_t		 since;
	struct watch	*prev, *next;
};

struct http_server {
	struct MHD_Daemon	*d;
	struct qrm		*q;
	int			 port;
	unsigned int		 next_id;
	pthread_mutex_t		 watch_mu;
	pthread_cond_t		 watch_cv;
	struct watch		*watches;
	pthread_t		 reaper;
	int			 reaper_on, stopping;
	unsigned int		 dropped;	/* slow clients closed */
};

/*
 * The one place where error codes become HTTP statuses; each status has
 * one code name in the JSON (qrm_err_name()): 400 is always "invalid".
 */
int
http_status_of(int code)
{
	switch (code) {
	case QRM_EMETHOD:	return MHD_HTTP_METHOD_NOT_ALLOWED;
	case QRM_ETOOMANY:	return MHD_HTTP_TOO_MANY_REQUESTS;
	case QRM_OK:		return MHD_HTTP_OK;
	case QRM_EINVAL:	return MHD_HTTP_BAD_REQUEST;
	case QRM_ENOTFOUND:	return MHD_HTTP_NOT_FOUND;
	case QRM_EUNAUTH:	return MHD_HTTP_UNAUTHORIZED;
	case QRM_EFORBIDDEN:	return MHD_HTTP_FORBIDDEN;
	case QRM_ECONFLICT:	return MHD_HTTP_CONFLICT;
	case QRM_ETOOBIG:	return MHD_HTTP_CONTENT_TOO_LARGE;
	case QRM_EDB:		return MHD_HTTP_SERVICE_UNAVAILABLE;
	case QRM_EMEDIA:	return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
	default:		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

const char *
http_arg(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

const char *
http_header(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* Queue resp (and drop our reference to it). */
enum MHD_Result
http_queue(struct request *r, unsigned int status, struct MHD_Response *resp)
{
	enum MHD_Result	ret;

	if (resp == NULL)
		return MHD_NO;
	r->status = status;
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
http_text(struct request *r, unsigned int status, const char *type,
    const char *text)
{
	struct MHD_Response	*resp;

	resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	r->bytes = strlen(text);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	return http_queue(r, status, resp);
}

/*
 * Send o (whose reference this takes) as JSON, with a Location header
 * when location is not NULL.
 */
enum MHD_Result
http_json_at(struct request *r, unsigned int status, json_t *o,
    const char *location)
{
	struct MHD_Response	*resp;
	char			*text;

	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (text == NULL)
		return MHD_NO;
	r->bytes = strlen(text);
	resp = MHD_create_response_from_buffer_with_free_callback(
	    strlen(text), text, free);
	if (resp == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	if (location != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
		    location);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED && r->allow[0] != '\0')
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"quorum\"");
	if (r->retry_after > 0) {
		char	secs[16];

		snprintf(secs, sizeof(secs), "%u", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER,
		    secs);
	}
	return http_queue(r, status, resp);
}

enum MHD_Result
http_json(struct request *r, unsigned int status, json_t *o)
{
	return http_json_at(r, status, o, NULL);
}

/* An error of kind code (QRM_E*) about field, with its message. */
enum MHD_Result
http_fail(struct request *r, int code, const char *field, const char *fmt,
    ...)
{
	struct qrm_error	err = { 0 };
	va_list			ap;

	err.code = code;
	snprintf(err.field, sizeof(err.field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	return http_error(r, code, &err);
}

/* The JSON error for a domain error; the message names the field. */
enum MHD_Result
http_error(struct request *r, int code, const struct qrm_error *err)
{
	json_t	*e, *x;

	if (code == QRM_EDB || code == QRM_ESYS)
		log_warn("req=%u: %s", r->id, err && err->msg[0] ?
		    err->msg : "internal error");
	e = json_pack("{s:s, s:s}", "code", qrm_err_name(code), "message",
	    err && err->msg[0] ? err->msg : qrm_err_name(code));
	if (e != NULL && err != NULL && err->field[0] != '\0')
		json_object_set_new(e, "field", json_string(err->field));
	if (e != NULL && err != NULL && err->extra[0] != '\0' &&
	    (x = json_loads(err->extra, 0, NULL)) != NULL) {
		json_object_update(e, x);	/* say, "clashes" */
		json_decref(x);
	}
	return http_json(r, (unsigned int)http_status_of(code),
	    json_pack("{s:o}", "error", e));
}

struct header_check {
	int	hosts;
	int	bad;
};

static enum MHD_Result
check_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct header_check	*hc = cls;
	const unsigned char	*p;

	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
		hc->hosts++;
	for (p = (const unsigned char *)value; p != NULL && *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			hc->bad = 1;
	return MHD_YES;
}

/*
 * Why the headers of a request cannot be taken, or NULL: HTTP/1.1
 * needs exactly one Host (RFC 9112, 3.2), and no header value may hold
 * control characters.
 */
static const char *
headers_wrong(struct MHD_Connection *conn, const char *version)
{
	struct header_check	hc = { 0, 0 };

	MHD_get_connection_values(conn, MHD_HEADER_KIND, check_header, &hc);
	if (hc.bad)
		return "a header holds control characters";
	if (hc.hosts > 1)
		return "more than one Host header";
	if (hc.hosts == 0 && strcmp(version, MHD_HTTP_VERSION_1_1) == 0)
		return "an HTTP/1.1 request needs a Host header";
	return NULL;
}

/*
 * %XX escapes in the path and query, except %00: left as it is, it
 * can only fail to match, where a decoded NUL would cut the string
 * short ("/feeds/all-members.ics%00.txt" is not the public feed).
 */
static size_t
unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char	*w = s, *p = s;
	int	 hi, lo;

	(void)cls;
	(void)conn;
	while (*p != '\0') {
		if (p[0] == '%' && (hi = parse_hexdigit(p[1])) >= 0 &&
		    (lo = parse_hexdigit(p[2])) >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi << 4 | lo);
			p += 3;
		} else
			*w++ = *p++;
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* The headers of a request are in (0), or a next one is awaited (1). */
static void
watch_mark(struct http_server *srv, struct MHD_Connection *conn, int awaiting)
{
	const union MHD_ConnectionInfo	*ci;
	struct watch			*w;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (w = ci->socket_context) == NULL)
		return;
	/*
	 * Under the reaper's lock: uncontended but for one second in
	 * each, and it keeps race detectors (helgrind) able to see that
	 * the pair is written and read as one.
	 */
	pthread_mutex_lock(&srv->watch_mu);
	w->since = time(NULL);
	w->awaiting = awaiting;
	pthread_mutex_unlock(&srv->watch_mu);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct http_server	*srv = cls;
	struct request		*r = *req_cls;
	const char		*cl, *msg;
	int64_t			 n;

	if (r == NULL) {
		/* first call: only set up; respond on a later call */
		watch_mark(srv, conn, 0);
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		r->q = srv->q;
		r->conn = conn;
		r->method = method;
		r->url = url;
		r->id = __atomic_add_fetch(&srv->next_id, 1, __ATOMIC_RELAXED);
		r->limit = strcmp(url, "/api/v1/import") == 0 ||
		    strcmp(url, "/api/v1/members/import") == 0 ||
		    strcmp(url, "/members/import") == 0 ?
		    HTTP_MAX_IMPORT : QRM_MAX_BODY;
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		*req_cls = r;
		if ((msg = headers_wrong(conn, version)) != NULL) {
			r->too_big = 1;	/* the body is not read either */
			return http_fail(r, QRM_EINVAL, "", "%s", msg);
		}
		if (cl != NULL && (parse_int64(cl, &n) == -1 ||
		    (uint64_t)n > r->limit)) {
			/*
			 * Refuse before the body is sent (no 100 Continue);
			 * libmicrohttpd then closes the connection, which is
			 * right for a body we will not read.
			 */
			r->too_big = 1;
			return http_fail(r, QRM_ETOOBIG, "", "the request "
			    "body is larger than allowed");
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* a chunked body over the limit is read and dropped */
		if (!r->too_big && r->body.len + *upload_size > r->limit) {
			r->too_big = 1;
			buf_free(&r->body);
		} else if (!r->too_big &&
		    buf_append(&r->body, upload, *upload_size) == -1)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->too_big)
		return http_fail(r, QRM_ETOOBIG, "", "the request body is "
		    "larger than allowed");
	return http_route(r);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request	*r = *req_cls;
	struct timespec	 t1;
	char		 path[256];
	double		 ms;

	watch_mark(cls, conn, 1);
	if (r == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
	metrics_record(r->route, r->method, r->status, ms / 1e3);
	/*
	 * One line a request: the route's pattern, never the path (which
	 * may hold a secret) nor the query (a token).  Fields are
	 * key=value, for journald and log tools alike.
	 */
	if (access_log)
		log_info("req=%u method=%s route=%s status=%u bytes=%zu "
		    "ms=%.2f%s", r->id, r->method, r->route ? r->route :
		    "-", r->status, r->bytes, ms, toe ==
		    MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
	/* -v: the path too, its query (which may hold a token) cut */
	log_redact(r->url, path, sizeof(path));
	log_debug("req=%u %s %s %u %.2fms", r->id, r->method, path,
	    r->status, ms);
	buf_free(&r->body);
	feed_release(r->feed);
	free(r);
	*req_cls = NULL;
}

/*
 * A fixed send buffer per connection.  Left to autotuning, loopback
 * sockets grow to megabytes and one client can take a whole 5 MB feed
 * in a single send while the others wait: bench/run measured a p99 of
 * 500 ms or more for the 10,000-event feed.  With 128 KiB (the kernel
 * doubles it) every ready connection gets its share in turn, as with
 * nginx's sendfile_max_chunk; the rate went up too.  Below 64 KiB,
 * libmicrohttpd stalls on every response.
 */
#define HTTP_SNDBUF	(128 * 1024)

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode what)
{
	struct http_server		*srv = cls;
	const union MHD_ConnectionInfo	*ci;
	struct watch			*w = *socket_ctx;
	int				 size = HTTP_SNDBUF;

	if (what == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (w == NULL)
			return;
		pthread_mutex_lock(&srv->watch_mu);
		if (w->prev != NULL)
			w->prev->next = w->next;
		else
			srv->watches = w->next;
		if (w->next != NULL)
			w->next->prev = w->prev;
		pthread_mutex_unlock(&srv->watch_mu);
		free(w);
		*socket_ctx = NULL;
		return;
	}
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL)
		return;
	if (setsockopt(ci->connect_fd, SOL_SOCKET, SO_SNDBUF, &size,
	    sizeof(size)) == -1)
		log_debug("http: SO_SNDBUF: %s", strerror(errno));
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return;
	w->fd = ci->connect_fd;
	w->awaiting = 1;
	w->since = time(NULL);
	pthread_mutex_lock(&srv->watch_mu);
	w->next = srv->watches;
	if (w->next != NULL)
		w->next->prev = w;
	srv->watches = w;
	pthread_mutex_unlock(&srv->watch_mu);
	*socket_ctx = w;
}

/*
 * Once a second, close the connections that have waited longer than
 * the timeout for a request's headers.  libmicrohttpd tells of a
 * connection's end (and frees its watch) before it closes the socket,
 * so under the lock every fd here is still that connection's.
 */
static void *
reaper(void *arg)
{
	struct http_server	*srv = arg;
	struct watch		*w;
	struct timespec		 ts;
	time_t			 now;

	pthread_mutex_lock(&srv->watch_mu);
	while (!srv->stopping) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&srv->watch_cv, &srv->watch_mu, &ts);
		now = time(NULL);
		for (w = srv->watches; w != NULL; w = w->next)
			if (w->awaiting && now - w->since >=
			    (time_t)conn_timeout) {
				shutdown(w->fd, SHUT_RDWR);
				w->awaiting = 0;
				srv->dropped++;
			}
	}
	pthread_mutex_unlock(&srv->watch_mu);
	return NULL;
}

static void on_mhd_log(void *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("http: %s", line);
}

static int
parse_listen(const char *listen, struct sockaddr_storage *ss, int *v6)
{
	char			 host[128];
	const char		*colon;
	int64_t			 port;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if ((colon = strrchr(listen, ':')) == NULL ||
	    (size_t)(colon - listen) >= sizeof(host) ||
	    parse_int64(colon + 1, &port) == -1 || port < 0 || port > 65535)
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*v6 = 1;
		return inet_pton(AF_INET6, host, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*v6 = 0;
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -1;
}

/*
 * Start serving q on listen ("127.0.0.1:8080"; port 0 picks a free
 * one, see http_port()).  http_stop() ends it.
 */
int
http_start(struct qrm *q, const char *listen, struct http_server **out,
    struct qrm_error *err)
{
	struct http_server	*srv;
	struct sockaddr_storage	 ss;
	const union MHD_DaemonInfo *info;
	int			 v6 = 0;
	unsigned int		 flags;

	*out = NULL;
	if (parse_listen(listen, &ss, &v6) == -1)
		return qrm_seterr(err, QRM_EINVAL, "listen", "listen address "
		    "'%s' must be ADDR:PORT, e.g. 127.0.0.1:8080", listen);
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	srv->q = q;
	/* jansson seeds its hash lazily, racing: seed it before threads */
	json_object_seed(0);

	pthread_mutex_init(&srv->watch_mu, NULL);
	pthread_cond_init(&srv->watch_cv, NULL);
	flags = MHD_USE_EPOLL | MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
	srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, pool_threads > 0 ? pool_threads :
	    usable_cores(),
	    MHD_OPTION_CONNECTION_TIMEOUT, conn_timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)2000,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)512,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, srv,
	    MHD_OPTION_END);
	if (srv->d == NULL) {
		free(srv);
		return qrm_seterr(err, QRM_ESYS, "listen",
		    "cannot listen on %s", listen);
	}
	srv->reaper_on = pthread_create(&srv->reaper, NULL, reaper, srv) == 0;
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	*out = srv;
	return QRM_OK;
}

int
http_port(const struct http_server *srv)
{
	return srv->port;
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->reaper_on) {
		pthread_mutex_lock(&srv->watch_mu);
		srv->stopping = 1;
		pthread_cond_signal(&srv->watch_cv);
		pthread_mutex_unlock(&srv->watch_mu);
		pthread_join(srv->reaper, NULL);
	}
	MHD_stop_daemon(srv->d);
	pthread_mutex_destroy(&srv->watch_mu);
	pthread_cond_destroy(&srv->watch_cv);
	free(srv);
}
