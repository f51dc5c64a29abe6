/* buf.c: growable byte buffers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quorum/util.h"

/* Make room for more bytes (and the NUL) without moving again. */
int
buf_reserve(struct buf *b, size_t more)
{
	size_t	 want, cap;
	char	*p;

	if (more > SIZE_MAX - b->len - 1)
		return -1;
	want = b->len + more + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* Append n bytes; the buffer stays NUL-terminated.  -1 on ENOMEM. */
int
buf_append(struct buf *b, const void *data, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* Hand the bytes to the caller (who frees them) and empty the buffer. */
char *
buf_detach(struct buf *b)
{
	char	*p;

	if (b->p == NULL) {
		if (buf_reserve(b, 0) == -1)
			return NULL;
		b->p[0] = '\0';	/* nothing appended: "" */
	}
	p = b->p;
	memset(b, 0, sizeof(*b));
	return p;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}
