/*
 * quorum: small helpers shared by every layer (growable buffers, string
 * vectors, strict number and date parsing, logging).
 */
#ifndef QUORUM_UTIL_H
#define QUORUM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

struct strv {
	char	**v;
	size_t	  n;
};

/* buf.c */
int	 buf_reserve(struct buf *, size_t);
int	 buf_append(struct buf *, const void *, size_t);
int	 buf_puts(struct buf *, const char *);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*buf_detach(struct buf *);	/* NUL-terminated; caller frees */
void	 buf_free(struct buf *);

/* gzip.c */
int	 gzip_bytes(const char *, size_t, int level, char **, size_t *);

/* strv.c */
int	 strv_push(struct strv *, const char *);
int	 strv_contains(const struct strv *, const char *);
int	 strv_split(struct strv *, const char *, char sep);
char	*strv_join(const struct strv *, char sep);	/* caller frees */
int	 strv_copy(struct strv *, const struct strv *);
void	 strv_sort(struct strv *);
void	 strv_dedup(struct strv *);	/* sorts too */
void	 strv_free(struct strv *);
char	*xstrdup_or_null(const char *);

/* parse.c */
int	 parse_int64(const char *, int64_t *);
int	 parse_hexdigit(char);		/* 0 to 15, or -1 */
int	 utf8_check(const char *, size_t, size_t *bad);
int	 parse_local_datetime(const char *, int *all_day,
	    int *y, int *mo, int *d, int *h, int *mi, int *s);
int	 http_date_format(time_t, char *, size_t);
int	 http_date_parse(const char *, time_t *);
int	 utc_format(int64_t, char *, size_t);	/* YYYY-MM-DDTHH:MM:SSZ */
void	 date_words(struct buf *, const char *date);	/* "15 Dec 2026" */

/* log.c */
enum log_level { LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
void	 log_set_level(enum log_level);
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_redact(const char *in, char *out, size_t outsz);

#endif
