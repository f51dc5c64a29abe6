/* harness.h: the real daemon on an ephemeral port, driven by libcurl. */
#ifndef QUORUM_TEST_HARNESS_H
#define QUORUM_TEST_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

struct server {
	char	dir[64];
	char	db[96];
	char	base[64];
	pid_t	pid;
};

struct reply {
	long	status;
	char	*body;
	size_t	len;
	char	*headers;
};

int	 server_start(struct server *);
void	 server_stop(struct server *);
int	 server_cli(struct server *, char **out, ...);	/* NULL-terminated */
char	*server_snapshot(struct server *);	/* every row of every table */
int	 http(struct server *, const char *method, const char *path,
	    const char *const *headers, const char *body, struct reply *);
void	 reply_free(struct reply *);
char	*reply_header(const struct reply *, const char *name);

#endif
