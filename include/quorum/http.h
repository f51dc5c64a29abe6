/*
 * quorum: the HTTP service, the only code that speaks to libmicrohttpd.
 */
#ifndef QUORUM_HTTP_H
#define QUORUM_HTTP_H

#include "quorum/core.h"

struct http_server;

/* daemon.c */
int	 http_start(struct qrm *, const char *listen, struct http_server **,
	    struct qrm_error *);
int	 http_port(const struct http_server *);
void	 http_set_access_log(int);
void	 http_configure(unsigned int timeout, unsigned int guesses,
	    unsigned int window);
void	 http_set_threads(unsigned int);
void	 http_set_base_url(const char *);
void	 http_stop(struct http_server *);
int	 http_status_of(int qrm_code);

/* guard.c */
void	 guard_configure(unsigned int failures, unsigned int window_seconds);

#endif
