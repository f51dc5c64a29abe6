/*
 * feedbuild: times building one audience's feed in-process: cold (the
 * first build), and again after one event changed (the rebuild an
 * official's edit causes).  Used by bench/run.
 *   feedbuild DB FEEDS_DIR SLUG [ROUNDS]
 * prints "cold_ms=… rebuild_ms=… bytes=…" (medians of the rounds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quorum/core.h"

static double
now_ms(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	struct qrm_error	 err = { 0 };
	struct actor		 admin = { 0, ROLE_ADMIN, "bench" };
	struct event_list	 evs;
	struct event		 ev;
	struct feed		*f;
	struct qrm		*q;
	double			 cold[16], warm[16], t;
	char			 title[64];
	json_t			*patch;
	int			 rounds, i;
	size_t			 bytes = 0;

	if (argc < 4) {
		fputs("usage: feedbuild DB FEEDS_DIR SLUG [ROUNDS]\n", stderr);
		return 2;
	}
	rounds = argc > 4 ? atoi(argv[4]) : 5;
	if (rounds < 1 || rounds > 16)
		rounds = 5;
	if (qrm_open(argv[1], argv[2], &q, &err) != QRM_OK ||
	    core_event_list(q, &admin, NULL, NULL, argv[3], NULL, NULL, &evs,
	    &err) != QRM_OK || evs.n == 0) {
		fprintf(stderr, "feedbuild: %s\n", err.msg[0] ? err.msg :
		    "no events");
		return 1;
	}
	for (i = 0; i < rounds; i++) {
		/* a fresh process would start cold: a new context does */
		qrm_close(q);
		if (qrm_open(argv[1], argv[2], &q, &err) != QRM_OK)
			return 1;
		t = now_ms();
		if (feed_get(q, argv[3], NULL, &f, &err) != QRM_OK) {
			fprintf(stderr, "feedbuild: %s\n", err.msg);
			return 1;
		}
		cold[i] = now_ms() - t;
		bytes = f->len;
		feed_release(f);
		snprintf(title, sizeof(title), "Changed %d", i);
		patch = json_pack("{s:s}", "title", title);
		if (core_event_update(q, &admin, evs.v[evs.n / 2].id, patch,
		    &ev, &err) != QRM_OK)
			return 1;
		event_clear(&ev);
		json_decref(patch);
		t = now_ms();
		if (feed_get(q, argv[3], NULL, &f, &err) != QRM_OK)
			return 1;
		warm[i] = now_ms() - t;
		feed_release(f);
	}
	qsort(cold, (size_t)rounds, sizeof(double), cmp);
	qsort(warm, (size_t)rounds, sizeof(double), cmp);
	printf("cold_ms=%.1f rebuild_ms=%.1f bytes=%zu events=%zu\n",
	    cold[rounds / 2], warm[rounds / 2], bytes, evs.n);
	event_list_free(&evs);
	qrm_close(q);
	return 0;
}
