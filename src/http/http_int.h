/* http_int.h: what the HTTP layer's files share; nothing outside src/http. */
#ifndef QUORUM_HTTP_INT_H
#define QUORUM_HTTP_INT_H

#include <microhttpd.h>
#include <time.h>

#include "quorum/http.h"

#define HTTP_MAX_IMPORT		(8u << 20)

/* One request, hung on libmicrohttpd's request pointer. */
struct request {
	struct qrm		*q;
	struct MHD_Connection	*conn;
	const char		*method;
	const char		*url;
	struct buf		 body;
	size_t			 limit;
	int			 too_big;
	unsigned int		 id;
	unsigned int		 status;
	struct timespec		 t0;
	struct feed		*feed;	/* held while its bytes are sent */
	unsigned int		 retry_after;	/* seconds, for 429 */
};

/* daemon.c */
enum MHD_Result	 http_queue(struct request *, unsigned int status,
		    struct MHD_Response *);
enum MHD_Result	 http_text(struct request *, unsigned int status,
		    const char *type, const char *text);
enum MHD_Result	 http_json(struct request *, unsigned int status, json_t *);
enum MHD_Result	 http_json_at(struct request *, unsigned int status,
		    json_t *, const char *location);
enum MHD_Result	 http_error(struct request *, int code,
		    const struct qrm_error *);
enum MHD_Result	 http_error_msg(struct request *, unsigned int status,
		    const char *code, const char *msg);
const char	*http_arg(struct request *, const char *);
const char	*http_header(struct request *, const char *);

/* api.c */
enum MHD_Result	 api_dispatch(struct request *, const char *path);

/* feeds.c */
enum MHD_Result	 feeds_dispatch(struct request *, const char *path);

/* guard.c */
unsigned int	 guard_blocked(struct request *);
void		 guard_failed(struct request *);
enum MHD_Result	 guard_refuse(struct request *, unsigned int wait);

/* pages.c */
enum MHD_Result	 pages_index(struct request *);

#endif
