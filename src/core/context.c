/*
 * context.c: the service context.  It owns the database path and the
 * caches, and hands each thread its own store connection (SQLite wants
 * one connection per thread).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core_int.h"
#include "quorum/ical.h"

static void
store_key_free(void *st)
{
	store_close(st);
}

/*
 * Open the service on the database at dbpath (created and migrated if
 * need be) with the feed catalogue in feeds_dir.  qrm_close() frees it.
 */
int
qrm_open(const char *dbpath, const char *feeds_dir, struct qrm **out,
    struct qrm_error *err)
{
	struct qrm	*q;

	*out = NULL;
	if (sodium_init() < 0)
		return qrm_seterr(err, QRM_ESYS, "", "libsodium cannot start");
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	q->dbpath = strdup(dbpath);
	q->feeds_dir = strdup(feeds_dir);
	q->cache = feed_cache_new();
	if (q->dbpath == NULL || q->feeds_dir == NULL || q->cache == NULL ||
	    pthread_key_create(&q->store_key, store_key_free) != 0) {
		free(q->dbpath);
		free(q->feeds_dir);
		feed_cache_free(q->cache);
		free(q);
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	*out = q;
	if (qrm_store(q, err) == NULL) {
		qrm_close(q);
		*out = NULL;
		return err && err->code ? err->code : QRM_EDB;
	}
	return QRM_OK;
}

/* This thread's connection, opened on first use; NULL (and err) if not. */
struct store *
qrm_store(struct qrm *q, struct qrm_error *err)
{
	struct store	*st = pthread_getspecific(q->store_key);

	if (st != NULL)
		return st;
	if (store_open(q->dbpath, &st, err) != QRM_OK)
		return NULL;
	pthread_setspecific(q->store_key, st);
	return st;
}

/* Close this thread's connection now (threads that end do it anyway). */
void
qrm_thread_done(struct qrm *q)
{
	struct store	*st = pthread_getspecific(q->store_key);

	pthread_setspecific(q->store_key, NULL);
	store_close(st);
}

const char *
qrm_feeds_dir(const struct qrm *q)
{
	return q->feeds_dir;
}

void
qrm_close(struct qrm *q)
{
	if (q == NULL)
		return;
	qrm_thread_done(q);
	pthread_key_delete(q->store_key);
	feed_cache_free(q->cache);
	free(q->dbpath);
	free(q->feeds_dir);
	free(q);
}
