/* strv.c: vectors of owned strings. */
#include <stdlib.h>
#include <string.h>

#include "quorum/util.h"

char *
xstrdup_or_null(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

int
strv_push(struct strv *sv, const char *s)
{
	char	**v;
	char	 *copy;

	if ((copy = strdup(s)) == NULL)
		return -1;
	if ((v = realloc(sv->v, (sv->n + 1) * sizeof(*v))) == NULL) {
		free(copy);
		return -1;
	}
	v[sv->n++] = copy;
	sv->v = v;
	return 0;
}

int
strv_contains(const struct strv *sv, const char *s)
{
	size_t	i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

/* Append the non-empty pieces of s, split at sep. */
int
strv_split(struct strv *sv, const char *s, char sep)
{
	const char	*p, *q;
	char		*piece;
	int		 rc;

	if (s == NULL)
		return 0;
	for (p = s; *p != '\0'; p = *q ? q + 1 : q) {
		q = strchr(p, sep);
		if (q == NULL)
			q = p + strlen(p);
		if (q == p)
			continue;
		if ((piece = strndup(p, (size_t)(q - p))) == NULL)
			return -1;
		rc = strv_push(sv, piece);
		free(piece);
		if (rc == -1)
			return -1;
	}
	return 0;
}

char *
strv_join(const struct strv *sv, char sep)
{
	struct buf	b = { 0 };
	size_t		i;

	for (i = 0; i < sv->n; i++) {
		if ((i > 0 && buf_append(&b, &sep, 1) == -1) ||
		    buf_puts(&b, sv->v[i]) == -1) {
			buf_free(&b);
			return NULL;
		}
	}
	return buf_detach(&b);
}

int
strv_copy(struct strv *dst, const struct strv *src)
{
	size_t	i;

	for (i = 0; i < src->n; i++)
		if (strv_push(dst, src->v[i]) == -1)
			return -1;
	return 0;
}

static int
strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
strv_sort(struct strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), strv_cmp);
}

void
strv_dedup(struct strv *sv)
{
	size_t	i, keep = 0;

	strv_sort(sv);
	for (i = 0; i < sv->n; i++) {
		if (keep > 0 && strcmp(sv->v[keep - 1], sv->v[i]) == 0) {
			free(sv->v[i]);
			continue;
		}
		sv->v[keep++] = sv->v[i];
	}
	sv->n = keep;
}

void
strv_free(struct strv *sv)
{
	size_t	i;

	if (sv == NULL)
		return;
	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}
