/* log.c: one line per message on stderr; journald adds the time. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "quorum/util.h"

static enum log_level	level = LOG_LEVEL_INFO;

void
log_set_level(enum log_level l)
{
	level = l;
}

static void vlog(enum log_level, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
vlog(enum log_level l, const char *tag, const char *fmt, va_list ap)
{
	char	line[2048];

	if (l > level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "quorum: %s: %s\n", tag, line);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, "warn", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, "info", fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, "debug", fmt, ap);
	va_end(ap);
}

#define TOKEN_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/*
 * Copy a URL or query into out with the value of every token= parameter
 * replaced by "REDACTED", and every path segment that looks like a
 * token (20 or more characters of the token alphabet, as when a link is
 * pasted into a path) by "[secret]", so that no secret reaches a log.
 */
void
log_redact(const char *in, char *out, size_t outsz)
{
	const char	*p = in, *r;
	size_t		 o = 0, n;
	int		 in_query = 0;

	if (outsz == 0)
		return;
	while (*p != '\0' && o + 1 < outsz) {
		r = NULL;
		if (strncmp(p, "token=", 6) == 0 &&
		    (p == in || p[-1] == '?' || p[-1] == '&')) {
			r = "token=REDACTED";
			p += 6;
			p += strcspn(p, "&");
		} else if (!in_query && *p == '/' &&
		    (n = strspn(p + 1, TOKEN_CHARS)) >= 20 &&
		    (p[1 + n] == '\0' || p[1 + n] == '/' || p[1 + n] == '?')) {
			r = "/[secret]";
			p += 1 + n;
		}
		if (r != NULL) {
			while (*r != '\0' && o + 1 < outsz)
				out[o++] = *r++;
			continue;
		}
		if (*p == '?')
			in_query = 1;
		out[o++] = *p++;
	}
	out[o] = '\0';
}
