/*
 * context.c: the service context.  It owns the database path and the
 * caches, and hands each thread its own store connection (SQLite wants
 * one connection per thread).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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
	q->auth = auth_cache_new();
	q->epoch = 1;
	pthread_mutex_init(&q->epoch_mu, NULL);
	if (asprintf(&q->walpath, "%s-wal", dbpath) == -1)
		q->walpath = NULL;
	if (q->walpath == NULL || q->dbpath == NULL || q->feeds_dir == NULL || q->cache == NULL ||
	    q->auth == NULL ||
	    pthread_key_create(&q->store_key, store_key_free) != 0) {
		free(q->dbpath);
		free(q->walpath);
		free(q->feeds_dir);
	free(q->base_url);
		feed_cache_free(q->cache);
		auth_cache_free(q->auth);
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
	store_on_commit(st, qrm_bump, q);
	pthread_setspecific(q->store_key, st);
	return st;
}

/* What the write-ahead log looks like: any write changes it. */
static uint64_t
wal_signature(const struct qrm *q)
{
	struct stat	sb;

	if (stat(q->walpath, &sb) == -1)
		return 0;
	return ((uint64_t)sb.st_mtim.tv_sec * 1000000007u) ^
	    (uint64_t)sb.st_mtim.tv_nsec ^ ((uint64_t)sb.st_size << 20) ^
	    ((uint64_t)sb.st_ino << 40);
}

/*
 * The epoch: it rises with every write this process commits and with
 * every write of another process (the CLI), which shows as a change of
 * the write-ahead log's size or time.  One stat(2) a call, no SQL.
 */
int64_t
qrm_epoch(struct qrm *q)
{
	struct store	*st;
	uint64_t	 sig = wal_signature(q);
	int64_t		 now = (int64_t)time(NULL), v, epoch;
	int		 ask;

	/*
	 * One mutex for the four counters: next to the stat(2) above it
	 * costs nothing measurable, and the pair (log signature, epoch)
	 * moves as one, which race detectors can check.
	 */
	pthread_mutex_lock(&q->epoch_mu);
	if (sig != q->wal_sig) {
		q->wal_sig = sig;
		q->epoch++;
	}
	/*
	 * File times are coarse: two writes in one tick that leave the log
	 * the same size look alike.  Once a second, one caller asks the
	 * database itself (outside the lock: it is SQL).
	 */
	ask = now != q->checked_at;
	if (ask)
		q->checked_at = now;
	epoch = q->epoch;
	pthread_mutex_unlock(&q->epoch_mu);
	if (ask && (st = qrm_store(q, NULL)) != NULL &&
	    store_data_version(st, &v, NULL) == QRM_OK) {
		pthread_mutex_lock(&q->epoch_mu);
		if (q->db_version != v) {
			q->db_version = v;
			q->epoch++;
		}
		epoch = q->epoch;
		pthread_mutex_unlock(&q->epoch_mu);
	}
	return epoch;
}

/*
 * This process committed a write: with data, every cache built before
 * is stale; without (the outbox), the log's new look is only noted, so
 * that mail going out rebuilds no feed.
 */
void
qrm_bump(void *arg, int data)
{
	struct qrm	*q = arg;
	uint64_t	 sig = wal_signature(q);

	pthread_mutex_lock(&q->epoch_mu);
	q->wal_sig = sig;
	if (data)
		q->epoch++;
	pthread_mutex_unlock(&q->epoch_mu);
}

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
	pthread_mutex_destroy(&q->epoch_mu);
	feed_personal_forget(q);
	feed_cache_free(q->cache);
	auth_cache_free(q->auth);
	free(q->dbpath);
	free(q->walpath);
	free(q->feeds_dir);
	free(q->base_url);
	free(q);
}

/* The public address links in mail are built on (no '/' at its end). */
void
qrm_set_base_url(struct qrm *q, const char *url)
{
	char	*copy = url ? strdup(url) : NULL;
	size_t	 n;

	if (copy != NULL)
		for (n = strlen(copy); n > 0 && copy[n - 1] == '/'; n--)
			copy[n - 1] = '\0';
	free(q->base_url);
	q->base_url = copy;
}

const char *
qrm_base_url(const struct qrm *q)
{
	return q->base_url ? q->base_url : "http://127.0.0.1:8080";
}
