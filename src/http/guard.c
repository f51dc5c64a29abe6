/*
 * guard.c: token guessing, slowed per client address.  Each address
 * may present a bad token (a feed link that leads nowhere, a bearer
 * token that is not one) a number of times per window; past that,
 * every request of that address that carries a token answers 429
 * until the window ends, without looking at the token.  Requests
 * without a token (the public feed, /healthz) are never held up.
 *
 * Addresses live in a fixed table (no memory grows with the number of
 * attackers); a slot whose window is over is free for another address.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

#define GUARD_SLOTS	4096
#define GUARD_PROBE	8

struct slot {
	unsigned char	addr[16];
	time_t		window_start;
	unsigned int	failures;
};

static struct slot	slots[GUARD_SLOTS];
static pthread_mutex_t	guard_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned int	guard_limit = 30;	/* failures per window */
static unsigned int	guard_window = 60;	/* seconds */

/* Failures allowed per window (0: no limit) and the window, seconds. */
void
guard_configure(unsigned int limit, unsigned int window)
{
	pthread_mutex_lock(&guard_mu);
	guard_limit = limit;
	guard_window = window > 0 ? window : 1;
	memset(slots, 0, sizeof(slots));
	pthread_mutex_unlock(&guard_mu);
}

static const unsigned char	v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0xff, 0xff };

/* A text address (IPv4 or IPv6) as 16 bytes; -1 if it is none. */
static int
parse_addr(const char *text, unsigned char out[16])
{
	if (inet_pton(AF_INET6, text, out) == 1)
		return 0;
	memcpy(out, v4mapped, 12);
	return inet_pton(AF_INET, text, out + 12) == 1 ? 0 : -1;
}

/*
 * The client's address as 16 bytes (IPv4 mapped into IPv6).  Behind the
 * reverse proxy of deploy/nginx.conf every peer is loopback: from a
 * loopback peer, X-Real-IP names the client.
 */
static void
client_addr(struct request *r, unsigned char out[16])
{
	static const unsigned char	 v6loop[16] = { [15] = 1 };
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;
	const char			*real;
	unsigned char			 fwd[16];

	memset(out, 0, 16);
	ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		memcpy(out, v4mapped, 12);
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6)
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_addr, 16);
	if (((memcmp(out, v4mapped, 12) == 0 && out[12] == 127) ||
	    memcmp(out, v6loop, 16) == 0) &&
	    (real = http_header(r, "X-Real-IP")) != NULL &&
	    parse_addr(real, fwd) == 0)
		memcpy(out, fwd, 16);
}

static uint32_t
addr_hash(const unsigned char a[16])
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h;
}

/*
 * The slot of addr, or a free one for it (create), or NULL.  With the
 * lock held.
 */
static struct slot *
find(const unsigned char addr[16], time_t now, int create)
{
	struct slot	*s, *spare = NULL;
	uint32_t	 h = addr_hash(addr);
	size_t		 i;

	for (i = 0; i < GUARD_PROBE; i++) {
		s = &slots[(h + i) % GUARD_SLOTS];
		if (s->failures > 0 && now - s->window_start < guard_window) {
			if (memcmp(s->addr, addr, 16) == 0)
				return s;
		} else if (spare == NULL)
			spare = s;
	}
	if (!create)
		return NULL;
	if (spare == NULL)	/* a crowd: take the oldest of the probe */
		for (i = 0; i < GUARD_PROBE; i++) {
			s = &slots[(h + i) % GUARD_SLOTS];
			if (spare == NULL || s->window_start <
			    spare->window_start)
				spare = s;
		}
	memcpy(spare->addr, addr, 16);
	spare->window_start = now;
	spare->failures = 0;
	return spare;
}

/*
 * Seconds until r's address may present tokens again; 0: now.
 */
unsigned int
guard_blocked(struct request *r)
{
	unsigned char	 addr[16];
	struct slot	*s;
	time_t		 now = time(NULL);
	unsigned int	 wait = 0;

	if (guard_limit == 0)
		return 0;
	client_addr(r, addr);
	pthread_mutex_lock(&guard_mu);
	if ((s = find(addr, now, 0)) != NULL && s->failures >= guard_limit)
		wait = (unsigned int)(s->window_start + guard_window - now);
	pthread_mutex_unlock(&guard_mu);
	return wait;
}

/* r presented a token that led nowhere. */
void
guard_failed(struct request *r)
{
	unsigned char	 addr[16];
	struct slot	*s;
	time_t		 now = time(NULL);

	if (guard_limit == 0)
		return;
	client_addr(r, addr);
	pthread_mutex_lock(&guard_mu);
	if ((s = find(addr, now, 1)) != NULL && s->failures < UINT32_MAX)
		s->failures++;
	pthread_mutex_unlock(&guard_mu);
}

/* The 429 for an address that guessed too often. */
enum MHD_Result
guard_refuse(struct request *r, unsigned int wait)
{
	r->retry_after = wait > 0 ? wait : 1;
	return http_fail(r, QRM_ETOOMANY, "token", "too many bad tokens from "
	    "this address; try again in %u s", wait);
}
