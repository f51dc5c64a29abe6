/*
 * fuzz_http: the front door.  The real daemon (router, token checks,
 * API, feeds) runs in this process on a loopback port with a scratch
 * database; each input is sent as raw bytes on a fresh connection.
 * "@API@" and "@FEED@" in an input become an official's API token and
 * a member's feed token, so that the fuzzer reaches past the locks.
 * Whatever arrives, the answer must not be a 5xx (505, for an HTTP
 * version that is not 1.x, excepted).
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "quorum/core.h"
#include "quorum/http.h"
#include "quorum/util.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	 port;
static char	*api_token, *feed_token;

static int64_t
person(struct qrm *q, const char *json)
{
	struct qrm_error	 err = { 0 };
	struct actor		 admin = { 0, ROLE_ADMIN, "fuzz" };
	struct member		 m;
	json_t			*o = json_loads(json, 0, NULL);
	int64_t			 id;

	memset(&m, 0, sizeof(m));
	if (o == NULL || core_member_create(q, &admin, o, &m, &err) != QRM_OK) {
		fprintf(stderr, "fuzz_http: %s\n", err.msg);
		exit(1);
	}
	json_decref(o);
	id = m.id;
	member_clear(&m);
	return id;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct qrm_error	 err = { 0 };
	struct actor		 admin = { 0, ROLE_ADMIN, "fuzz" };
	struct http_server	*srv;
	struct qrm		*q;
	char			 dir[] = "/tmp/quorum-fuzz-XXXXXX", db[64];

	(void)argc;
	(void)argv;
	log_set_level(LOG_LEVEL_WARN);
	http_configure(2, 0, 60);	/* guessing is the point here */
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof(db), "%s/quorum.db", dir);
	if (qrm_open(db, QUORUM_FEEDS_DIR, &q, &err) != QRM_OK ||
	    catalogue_load(q, &err) != QRM_OK) {
		fprintf(stderr, "fuzz_http: %s\n", err.msg);
		exit(1);
	}
	if (core_token_issue(q, &admin, person(q, "{\"name\": \"Olu\", "
	    "\"email\": \"olu@napo.example\", \"role\": \"official\"}"),
	    SCOPE_API, LEVEL_FULL, &api_token, &err) != QRM_OK ||
	    core_token_issue(q, &admin, person(q, "{\"name\": \"Fay\", "
	    "\"email\": \"fay@napo.example\", \"number\": \"N-1\", "
	    "\"audiences\": [\"facilitators\"]}"), SCOPE_FEED, LEVEL_FULL,
	    &feed_token, &err) != QRM_OK ||
	    http_start(q, "127.0.0.1:0", &srv, &err) != QRM_OK) {
		fprintf(stderr, "fuzz_http: %s\n", err.msg);
		exit(1);
	}
	port = http_port(srv);
	return 0;
}

/* data with the placeholders replaced */
static void
expand(const uint8_t *data, size_t size, struct buf *out)
{
	size_t	i = 0;

	while (i < size) {
		if (size - i >= 5 && memcmp(data + i, "@API@", 5) == 0) {
			buf_puts(out, api_token);
			i += 5;
		} else if (size - i >= 6 && memcmp(data + i, "@FEED@", 6) == 0) {
			buf_puts(out, feed_token);
			i += 6;
		} else
			buf_append(out, (const char *)data + i++, 1);
	}
}

/*
 * Has got[0..have) a whole response?  libmicrohttpd keeps a kept-alive
 * connection open after the client's half-close, so the end is found
 * from the headers (a HEAD's or an unknown length ends at the timeout).
 */
static int
complete(const char *got, size_t have)
{
	const char	*end, *cl;
	long		 len;

	if ((end = strstr(got, "\r\n\r\n")) == NULL)
		return 0;
	if (strncmp(got + 9, "304", 3) == 0 || strncmp(got + 9, "204", 3) == 0)
		return 1;
	if ((cl = strcasestr(got, "\r\nContent-Length:")) == NULL || cl > end)
		return 0;
	len = strtol(cl + 17, NULL, 10);
	return len >= 0 && have >= (size_t)(end + 4 - got) + (size_t)len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { 0, 300000 };
	struct buf		 req = { 0 };
	static char		 got[1 << 20];
	size_t			 have = 0, off = 0;
	ssize_t			 n;
	struct linger		 lin = { 1, 0 };
	int			 fd, status, tries;

	if (size > 64 * 1024)
		return 0;
	expand(data, size, &req);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		abort();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/*
	 * libmicrohttpd keeps a connection the client half-closed until its
	 * timeout (2 s here): when they pile up to the per-address limit,
	 * wait for room rather than call that a crash.
	 */
	for (tries = 0; connect(fd, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1; tries++) {
		if (tries == 50)
			abort();
		close(fd);
		usleep(100000);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			abort();
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	while (off < req.len && (n = send(fd, req.p + off, req.len - off,
	    MSG_NOSIGNAL)) > 0)
		off += (size_t)n;
	shutdown(fd, SHUT_WR);
	got[0] = '\0';
	while (have < sizeof(got) - 1 && (n = recv(fd, got + have,
	    sizeof(got) - 1 - have, 0)) > 0) {
		have += (size_t)n;
		got[have] = '\0';
		if (complete(got, have))
			break;
	}
	/* a reset, not a FIN: the daemon lets go of the connection at once */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	close(fd);
	buf_free(&req);
	if (have >= 12 && strncmp(got, "HTTP/1.", 7) == 0) {
		status = atoi(got + 9);
		if (status >= 500 && status != 505) {
			fprintf(stderr, "fuzz_http: answered %d\n", status);
			abort();
		}
	}
	return 0;
}
