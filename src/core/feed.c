/*
 * feed.c: audience feeds, and the cache that keeps each built feed
 * (audiences' and, from personal.c, members') and its gzip in memory.
 * An entry is valid while the epoch (see context.c) and the day (which
 * moves the retention windows) are those it was built for.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core_int.h"

#define FEED_WARN_BYTES	(900 * 1024)

#define today()	feed_today()
#include "quorum/ical.h"

#define CACHE_SLOTS		(1u << 15)
#define CACHE_BUCKETS		(CACHE_SLOTS * 2)
#define CACHE_DEFAULT_MB	24

/*
 * The feed cache: each built feed (and its gzip) under a key ("a:slug",
 * "v:version" for a member's), valid for the epoch and day it was built
 * in, found by a hash of its key.  The least recently used go when the
 * bytes pass the budget ($QUORUM_CACHE_MB, 24 MiB by default); those of
 * an earlier epoch or day go at the first put after it changed.  The
 * audiences are kept here too, per epoch, so that a hit needs no
 * database at all.
 */
struct cache_entry {
	char		 key[64];
	int64_t		 epoch;
	int64_t		 day;
	struct feed	*feed;		/* NULL: free */
	uint32_t	 hash;
	int32_t		 chain;		/* the next in its bucket, or -1 */
	int32_t		 newer, older;	/* the LRU list, or -1 */
};

struct feed_cache {
	pthread_mutex_t		 mu;
	struct cache_entry	 e[CACHE_SLOTS];
	int32_t			 bucket[CACHE_BUCKETS];	/* -1: empty */
	int32_t			 newest, oldest;
	int32_t			 free;		/* chained by .chain */
	int64_t			 swept_epoch, swept_day;
	size_t			 bytes;
	size_t			 budget;
	int64_t			 aud_epoch;
	struct audience_list	 auds;
	struct stext_pool	*stexts;	/* events of personal feeds */
	uint64_t		 hits, misses;	/* of whole feeds */
	uint64_t		 oversize;	/* builds past FEED_WARN_BYTES */
	struct {
		char	 what[80];	/* "all-members", "member 12" */
		size_t	 bytes;
		int64_t	 at;
	}			 big[8];	/* the latest of them */
};

/*
 * A feed built past FEED_WARN_BYTES: logged once a build, counted for
 * the metrics, and kept (the latest few) for the officials' pages, so
 * that the union can shorten the window before Google Calendar, which
 * drops events from subscriptions over about 1 MB, starts to.
 */
void
feed_size_note(struct qrm *q, const char *what, size_t bytes)
{
	struct feed_cache	*c = q->cache;
	size_t			 i, slot = 0;

	if (bytes <= FEED_WARN_BYTES)
		return;
	log_warn("the feed of %s is %zu KB, past %d KB: Google Calendar "
	    "drops events from feeds over about 1 MB; shorten the window "
	    "(past in its feeds/*.ini)", what, bytes / 1024,
	    FEED_WARN_BYTES / 1024);
	pthread_mutex_lock(&c->mu);
	c->oversize++;
	for (i = 0; i < sizeof(c->big) / sizeof(c->big[0]); i++) {
		if (strcmp(c->big[i].what, what) == 0) {
			slot = i;
			break;
		}
		if (c->big[i].at < c->big[slot].at)
			slot = i;
	}
	snprintf(c->big[slot].what, sizeof(c->big[slot].what), "%s", what);
	c->big[slot].bytes = bytes;
	c->big[slot].at = (int64_t)time(NULL);
	pthread_mutex_unlock(&c->mu);
}

/* The feeds lately built too large: [{"feed", "bytes", "at"}]. */
json_t *
feed_oversize(struct qrm *q, uint64_t *count)
{
	struct feed_cache	*c = q->cache;
	json_t			*a = json_array();
	char			 at[32];
	size_t			 i;

	pthread_mutex_lock(&c->mu);
	*count = c->oversize;
	for (i = 0; i < sizeof(c->big) / sizeof(c->big[0]); i++) {
		if (c->big[i].at == 0)
			continue;
		utc_format(c->big[i].at, at, sizeof(at));
		json_array_append_new(a, json_pack("{s:s, s:I, s:s}", "feed",
		    c->big[i].what, "bytes", (json_int_t)c->big[i].bytes, "at",
		    at));
	}
	pthread_mutex_unlock(&c->mu);
	return a;
}

/* How often a feed was found built, and how often it had to be built. */
void
feed_cache_stats(struct qrm *q, uint64_t *hits, uint64_t *misses,
    size_t *bytes)
{
	struct feed_cache	*c = q->cache;

	pthread_mutex_lock(&c->mu);
	*hits = c->hits;
	*misses = c->misses;
	*bytes = c->bytes;
	pthread_mutex_unlock(&c->mu);
}

struct feed_cache *
feed_cache_new(void)
{
	struct feed_cache	*c = calloc(1, sizeof(*c));
	const char		*mb = getenv("QUORUM_CACHE_MB");
	int64_t			 n;
	size_t			 i;

	if (c == NULL)
		return NULL;
	if ((c->stexts = stext_pool_new()) == NULL) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	for (i = 0; i < CACHE_BUCKETS; i++)
		c->bucket[i] = -1;
	for (i = 0; i < CACHE_SLOTS; i++)
		c->e[i].chain = i + 1 < CACHE_SLOTS ? (int32_t)i + 1 : -1;
	c->free = 0;
	c->newest = c->oldest = -1;
	c->budget = (size_t)CACHE_DEFAULT_MB << 20;
	if (mb != NULL && parse_int64(mb, &n) == 0 && n >= 1 && n <= 65536)
		c->budget = (size_t)n << 20;
	return c;
}

static void
feed_free(struct feed *f)
{
	size_t	i;

	if (f == NULL)
		return;
	/*
	 * The last reference is ours, but what other threads attached is
	 * taken under the lock they wrote it under, so that the hand-over
	 * is plain to race detectors as well as to the CPU.
	 */
	pthread_mutex_lock(&f->gz_mu);
	for (i = 0; i < FEED_ATTACH_SLOTS; i++)
		if (f->attached[i] != NULL)
			f->attached_free(f->attached[i]);
	pthread_mutex_unlock(&f->gz_mu);
	free(f->body);
	runs_free(f->runs);
	free(f->gz);
	pthread_mutex_destroy(&f->gz_mu);
	free(f);
}


#define CACHE_TRIM	64	/* feeds dropped at most by one gzip made */

static void	cache_drop(struct feed_cache *, int32_t, struct feed **,
		    size_t *);

/*
 * The gzip of a feed, made on the first request that asks for it (most
 * clients do not), then kept with the feed.  -1 if it cannot be made.
 */
int
feed_gzip(struct feed *f)
{
	struct feed_cache	*c = f->cache;
	struct feed		*freed[CACHE_TRIM];
	size_t			 made = 0, nfreed = 0, i;
	int			 rc = 0;

	pthread_mutex_lock(&f->gz_mu);
	if (!f->gz_ready) {
		if (feed_gzip_one(f, &f->gz, &f->gzlen) == -1)
			rc = -1;
		else {
			f->gz_ready = 1;
			made = f->gzlen;
		}
	}
	pthread_mutex_unlock(&f->gz_mu);
	/* kept in the cache: its gzip counts there from now on */
	if (made > 0 && c != NULL) {
		pthread_mutex_lock(&c->mu);
		if (f->in_cache) {
			c->bytes += made;
			f->charged += made;
		}
		while (c->oldest >= 0 && nfreed < CACHE_TRIM &&
		    c->bytes > c->budget)
			cache_drop(c, c->oldest, freed, &nfreed);
		pthread_mutex_unlock(&c->mu);
	}
	for (i = 0; i < nfreed; i++)
		feed_release(freed[i]);
	return rc;
}

/*
 * A member's feed past this has its gzip made for each request that
 * asks, not kept.  Members' apps poll each in turn: a cache holds the
 * gzips of a few hundred such feeds and would go round without a hit,
 * pushing out members' feeds (a kilobyte each) that would have had one.
 */
#define GZIP_KEEP_MAX	((size_t)256 << 10)

/* Does feed_gzip() keep f's gzip (else see feed_gzip_one())? */
int
feed_gzip_kept(const struct feed *f)
{
	return f->runs == NULL || f->len <= GZIP_KEEP_MAX;
}

/*
 * A gzip of f, into *out (the caller frees it): a member's, one of many
 * each made for its member, at a faster level.
 */
int
feed_gzip_one(struct feed *f, char **out, size_t *outlen)
{
	if (f->runs == NULL)
		return gzip_bytes(f->body, f->len, 6, out, outlen);
	return runs_gzip(f, 3, out, outlen);
}

/*
 * Keep obj in the feed's slot (freed by free_fn with the feed) unless
 * another thread got there first: the object in the slot is returned,
 * and the caller frees its own if that is not obj.
 */
void *
feed_attach(struct feed *f, size_t slot, void *obj, void (*free_fn)(void *))
{
	void	*kept;

	if (slot >= FEED_ATTACH_SLOTS)
		return obj;
	pthread_mutex_lock(&f->gz_mu);
	f->attached_free = free_fn;	/* one server: always the same */
	if (f->attached[slot] == NULL)
		f->attached[slot] = obj;
	kept = f->attached[slot];
	pthread_mutex_unlock(&f->gz_mu);
	return kept;
}

/* What feed_attach() kept in slot, or NULL. */
void *
feed_attached(struct feed *f, size_t slot)
{
	void	*obj;

	if (slot >= FEED_ATTACH_SLOTS)
		return NULL;
	/* the feed's own lock, so the object is seen whole where it is used */
	pthread_mutex_lock(&f->gz_mu);
	obj = f->attached[slot];
	pthread_mutex_unlock(&f->gz_mu);
	return obj;
}

/* Drop a reference; the last one frees the feed. */
void
feed_release(struct feed *f)
{
	if (f != NULL && __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0)
		feed_free(f);
}

static void
feed_ref(struct feed *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_ACQ_REL);
}

void
feed_cache_free(struct feed_cache *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < CACHE_SLOTS; i++)
		feed_release(c->e[i].feed);
	audience_list_free(&c->auds);
	stext_pool_free(c->stexts);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* What a feed new to the cache holds: its gzip is counted once made. */
static size_t
feed_bytes(const struct feed *f)
{
	/* the texts runs refer to are shared: not theirs */
	if (f->runs != NULL)
		return runs_bytes(f->runs) + sizeof(*f);
	return f->len + sizeof(*f);
}

static uint32_t
key_hash(const char *key)
{
	uint32_t	h = 2166136261u;

	while (*key != '\0')
		h = (h ^ (unsigned char)*key++) * 16777619u;
	return h;
}

/* Take entry i out of the LRU list. */
static void
lru_unlink(struct feed_cache *c, int32_t i)
{
	struct cache_entry	*e = &c->e[i];

	if (e->newer >= 0)
		c->e[e->newer].older = e->older;
	else
		c->newest = e->older;
	if (e->older >= 0)
		c->e[e->older].newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = -1;
}

static void
lru_push(struct feed_cache *c, int32_t i)
{
	c->e[i].newer = -1;
	c->e[i].older = c->newest;
	if (c->newest >= 0)
		c->e[c->newest].newer = i;
	c->newest = i;
	if (c->oldest < 0)
		c->oldest = i;
}

/* The entry under key, or -1. */
static int32_t
cache_find(struct feed_cache *c, const char *key, uint32_t h)
{
	int32_t	i;

	for (i = c->bucket[h % CACHE_BUCKETS]; i >= 0; i = c->e[i].chain)
		if (c->e[i].hash == h && strcmp(c->e[i].key, key) == 0)
			return i;
	return -1;
}

static struct feed *
cache_get(struct feed_cache *c, const char *key, int64_t epoch, int64_t day)
{
	struct feed	*f = NULL;
	int32_t		 i;

	pthread_mutex_lock(&c->mu);
	if ((i = cache_find(c, key, key_hash(key))) >= 0 &&
	    c->e[i].epoch == epoch && c->e[i].day == day) {
		f = c->e[i].feed;
		feed_ref(f);
		lru_unlink(c, i);
		lru_push(c, i);
	}
	if (f != NULL)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->mu);
	return f;
}

/* Drop entry i; its feed into freed, released out of the lock. */
static void
cache_drop(struct feed_cache *c, int32_t i, struct feed **freed,
    size_t *nfreed)
{
	struct cache_entry	*e = &c->e[i];
	int32_t			*link = &c->bucket[e->hash % CACHE_BUCKETS];

	while (*link != i)
		link = &c->e[*link].chain;
	*link = e->chain;
	lru_unlink(c, i);
	c->bytes -= e->feed->charged;
	e->feed->in_cache = 0;
	freed[(*nfreed)++] = e->feed;
	e->feed = NULL;
	e->chain = c->free;
	c->free = i;
}

/*
 * Keep f under key: it replaces that key's entry; after the epoch or
 * the day changed, the entries of before go, and then the least
 * recently used while the bytes are over budget.
 */
static void
cache_put(struct feed_cache *c, const char *key, int64_t epoch, int64_t day,
    struct feed *f)
{
	struct feed		**freed;
	struct cache_entry	 *e;
	uint32_t		  h = key_hash(key);
	size_t			  nfreed = 0, cap = 64, i;
	int32_t			  k, next;

	if (feed_bytes(f) > c->budget / 2)
		return;		/* too big to keep: serve it, forget it */
	if ((freed = malloc(cap * sizeof(*freed))) == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	if (c->swept_epoch != epoch || c->swept_day != day) {
		/* a sweep an epoch: the entries left drop one by one */
		for (k = c->oldest; k >= 0; k = next) {
			next = c->e[k].newer;
			if (c->e[k].epoch == epoch && c->e[k].day == day)
				continue;
			if (nfreed == cap) {
				struct feed **nf = realloc(freed, 2 * cap *
				    sizeof(*freed));

				if (nf == NULL)
					break;
				freed = nf;
				cap *= 2;
			}
			cache_drop(c, k, freed, &nfreed);
		}
		c->swept_epoch = epoch;
		c->swept_day = day;
	}
	if ((k = cache_find(c, key, h)) >= 0 && nfreed < cap)
		cache_drop(c, k, freed, &nfreed);
	while (c->oldest >= 0 && nfreed < cap && (c->free < 0 ||
	    c->bytes + feed_bytes(f) > c->budget))
		cache_drop(c, c->oldest, freed, &nfreed);
	if (c->free >= 0 && cache_find(c, key, h) < 0) {
		k = c->free;
		e = &c->e[k];
		c->free = e->chain;
		snprintf(e->key, sizeof(e->key), "%s", key);
		e->hash = h;
		e->epoch = epoch;
		e->day = day;
		e->feed = f;
		e->chain = c->bucket[h % CACHE_BUCKETS];
		c->bucket[h % CACHE_BUCKETS] = k;
		lru_push(c, k);
		f->cache = c;
		f->charged = feed_bytes(f);
		f->in_cache = 1;
		c->bytes += f->charged;
		feed_ref(f);
	}
	pthread_mutex_unlock(&c->mu);
	for (i = 0; i < nfreed; i++)
		feed_release(freed[i]);
	free(freed);
}

/* The same, for the other feed modules of core. */
struct feed *
feed_cache_get(struct qrm *q, const char *key, int64_t epoch, int64_t day)
{
	return cache_get(q->cache, key, epoch, day);
}

void
feed_cache_put(struct qrm *q, const char *key, int64_t epoch, int64_t day,
    struct feed *f)
{
	cache_put(q->cache, key, epoch, day, f);
}

/* The shared texts of members' feeds' events (personal.c). */
struct stext_pool *
feed_stexts(struct qrm *q)
{
	return q->cache->stexts;
}

/*
 * An audience's visibility and refresh interval from the per-epoch
 * copy of the catalogue; -1 if there is no such audience.
 */
static int
audience_visibility(struct qrm *q, const char *slug, int64_t epoch,
    int *refresh)
{
	struct feed_cache	*c = q->cache;
	struct audience_list	 fresh;
	size_t			 i;
	int			 vis = -1;

	pthread_mutex_lock(&c->mu);
	if (c->aud_epoch != epoch) {
		pthread_mutex_unlock(&c->mu);
		if (core_audience_list(q, &fresh, NULL) != QRM_OK)
			return -1;
		pthread_mutex_lock(&c->mu);
		audience_list_free(&c->auds);
		c->auds = fresh;
		c->aud_epoch = epoch;
	}
	for (i = 0; i < c->auds.n; i++)
		if (strcmp(c->auds.v[i].slug, slug) == 0) {
			vis = (int)c->auds.v[i].visibility;
			*refresh = c->auds.v[i].refresh_minutes;
			break;
		}
	pthread_mutex_unlock(&c->mu);
	return vis;
}


/* Wrap built bytes as a feed with its gzip, ETags and dates. */
int
feed_new(struct buf *body, time_t last_modified, int public, int refresh,
    const char *etag, struct feed **out, struct qrm_error *err)
{
	struct feed	*f;
	unsigned char	 h[16];
	char		 hex[33];

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	/* no body: the caller sets the runs it is read from */
	if (body != NULL) {
		f->len = body->len;
		if ((f->body = buf_detach(body)) == NULL) {
			free(f);
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		}
	}
	pthread_mutex_init(&f->gz_mu, NULL);
	if (etag != NULL) {
		/* a version known before the bytes: no need to hash them */
		snprintf(f->etag, sizeof(f->etag), "%s", etag);
		snprintf(f->etag_gz, sizeof(f->etag_gz), "%.*s-gz\"",
		    (int)strlen(etag) - 1, etag);
	} else {
		crypto_generichash(h, sizeof(h), (const unsigned char *)
		    f->body, f->len, NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		snprintf(f->etag, sizeof(f->etag), "\"%s\"", hex);
		snprintf(f->etag_gz, sizeof(f->etag_gz), "\"%s-gz\"", hex);
	}
	f->last_modified = last_modified;
	f->public = public;
	f->refresh_minutes = refresh;
	f->refs = 1;
	*out = f;
	return QRM_OK;
}

/* The window of an audience: events over longer ago leave its feeds. */
static int64_t
window_of(const struct audience *a)
{
	return (int64_t)(a->past_days > 0 ? a->past_days :
	    QRM_PAST_DAYS_DEFAULT) * 86400;
}

/*
 * The events a feed of these audiences (a lineage) shows at now: not
 * over longer ago than the window of an audience of theirs in the
 * lineage (a series while any of its dates is inside), cancelled ones
 * only for their retention.
 */
int
feed_events(struct store *st, const struct strv *audiences,
    struct event_list *evs, time_t *last_modified, struct qrm_error *err)
{
	struct event_filter	f;
	struct audience		a;
	int64_t			version, changed_at = 0, most = 0, least = 0;
	int64_t			*win;	/* each audience's window, in order */
	size_t			i, j, k, n;
	int			rc, keep;

	if ((win = calloc(audiences->n + 1, sizeof(*win))) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	memset(&f, 0, sizeof(f));
	f.kind = -1;
	f.audiences = audiences;
	/* by the day: a feed's events change at midnight, not by the second */
	f.now = today() * 86400;
	f.cancelled_since = f.now - core_cancelled_days() * 86400;
	for (i = 0; i < audiences->n; i++) {
		if (store_audience_get(st, audiences->v[i], &a, NULL) !=
		    QRM_OK)
			continue;
		win[i] = window_of(&a);
		audience_clear(&a);
		if (win[i] > most)
			most = win[i];
		if (least == 0 || win[i] < least)
			least = win[i];
	}
	if (most > 0)
		f.from_utc = f.now - most;
	/* windows that differ: each event kept by one of its audiences' */
	f.light = least == most;
	if ((rc = store_event_list(st, &f, evs, err)) != QRM_OK) {
		free(win);
		return rc;
	}
	for (i = n = 0; i < evs->n; i++) {
		keep = least == most || evs->v[i].last_utc == UTC_NONE ||
		    evs->v[i].last_utc >= f.now - least;
		for (j = 0; !keep && j < evs->v[i].audiences.n; j++)
			for (k = 0; !keep && k < audiences->n; k++)
				keep = strcmp(audiences->v[k],
				    evs->v[i].audiences.v[j]) == 0 &&
				    evs->v[i].last_utc >= f.now - win[k];
		if (keep)
			evs->v[n++] = evs->v[i];
		else
			event_clear(&evs->v[i]);
	}
	evs->n = n;
	free(win);
	/*
	 * Last-Modified: the last write to the data, never earlier than
	 * an event's own revision.  The newest event alone would miss an
	 * event that left the feed, and answer If-Modified-Since wrongly.
	 */
	store_data_version(st, &version, &changed_at);
	*last_modified = (time_t)changed_at;
	for (i = 0; i < evs->n; i++)
		if (evs->v[i].updated > *last_modified)
			*last_modified = (time_t)evs->v[i].updated;
	return QRM_OK;
}

/*
 * Officials' feeds carry each coming meeting's agenda of open actions
 * carried over from earlier ones in its DESCRIPTION.
 */
static void
agenda_into_descriptions(struct store *st, struct event_list *evs)
{
	struct agendas	 ag;
	int64_t		 now = (int64_t)time(NULL);
	char		*agenda, *desc;
	size_t		 i, len;

	if (core_agendas_load(st, &ag, NULL) != QRM_OK)
		return;
	for (i = 0; i < evs->n; i++) {
		if (evs->v[i].last_utc < now - 86400 ||
		    (agenda = core_agenda_text(st, &ag, &evs->v[i])) == NULL)
			continue;
		len = strlen(agenda) + (evs->v[i].description ?
		    strlen(evs->v[i].description) : 0) + 4;
		if ((desc = malloc(len)) != NULL) {
			snprintf(desc, len, "%s%s%s", evs->v[i].description ?
			    evs->v[i].description : "", evs->v[i].description ?
			    "\n\n" : "", agenda);
			free(evs->v[i].description);
			evs->v[i].description = desc;
		}
		free(agenda);
	}
	core_agendas_free(&ag);
}

/* Build the feed text of audience a: its events and its ancestors'. */
static int	audience_build(struct qrm *, const struct audience *,
		    enum feed_level, struct buf *, time_t *,
		    struct qrm_error *);

int
feed_build_audience(struct qrm *q, const struct audience *a, struct buf *out,
    time_t *last_modified, struct qrm_error *err)
{
	return audience_build(q, a, LEVEL_FULL, out, last_modified, err);
}

/* The same at a level of detail (a token's). */
static int
audience_build(struct qrm *q, const struct audience *a, enum feed_level level,
    struct buf *out, time_t *last_modified, struct qrm_error *err)
{
	struct store		*st;
	struct strv		 lineage = { 0 };
	struct event_list	 evs = { 0 };
	struct feed_meta	 meta;
	int			 rc;

	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_audience_lineage(st, a->slug, &lineage, err)))
		goto out;
	memset(&meta, 0, sizeof(meta));
	meta.level = level;
	meta.name = a->name;
	meta.description = a->description;
	meta.colour = a->colour;
	meta.refresh_minutes = a->refresh_minutes;
	meta.tzid = QRM_DEFAULT_TZ;
	/*
	 * In full, the texts members' feeds share serve here too (without
	 * the attendee); a lower level's texts differ, and officials'
	 * descriptions carry agendas: those are written whole.
	 */
	if (level == LEVEL_FULL && a->visibility != VIS_OFFICIALS) {
		rc = feed_lineage_text(q, st, &lineage, &meta, out,
		    last_modified, err);
		goto out;
	}
	if ((rc = feed_events(st, &lineage, &evs, last_modified, err)))
		goto out;
	if (level == LEVEL_FULL)
		agenda_into_descriptions(st, &evs);
	/* about what the events take: the text is copied once, not moved */
	buf_reserve(out, 4096 + evs.n * 640);
	rc = ical_feed_build(&meta, &evs, out, err);
out:
	event_list_free(&evs);
	strv_free(&lineage);
	return rc;
}

int64_t
feed_today(void)
{
	return (int64_t)time(NULL) / 86400;
}

/*
 * The feed of audience slug for the holder of token (NULL for none).
 * A feed that is not public, or that the token may not see, is
 * QRM_ENOTFOUND, exactly as one that does not exist.  *out is shared:
 * give it back with feed_release().
 */
int
feed_get(struct qrm *q, const char *slug, const char *token,
    struct feed **out, struct qrm_error *err)
{
	struct store	*st;
	struct audience	 a;
	struct buf	 body = { 0 };
	struct feed	*f;
	char		 key[64];
	time_t		 lm;
	int64_t		 epoch = qrm_epoch(q), member;
	enum feed_level	 level = LEVEL_FULL;
	int		 rc, vis, refresh = 60, ok;

	*out = NULL;
	if ((vis = audience_visibility(q, slug, epoch, &refresh)) < 0)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "no such feed");
	/* a token's level holds for a public feed too */
	ok = token != NULL && *token != '\0' ? core_feed_access(q, token,
	    vis == VIS_PUBLIC ? NULL : slug, &member, &level) == QRM_OK :
	    vis == VIS_PUBLIC;
	if (!ok && vis == VIS_PUBLIC) {
		level = LEVEL_FULL;	/* an unknown token: as anyone */
		ok = 1;
	}
	if (!ok)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "no such feed");
	snprintf(key, sizeof(key), level == LEVEL_FULL ? "a:%s" : "a:%s:%d",
	    slug, (int)level);
	if ((f = cache_get(q->cache, key, epoch, today())) != NULL) {
		*out = f;
		return QRM_OK;
	}
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (store_audience_get(st, slug, &a, NULL) != QRM_OK)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "no such feed");
	if ((rc = audience_build(q, &a, level, &body, &lm, err)) == QRM_OK)
		feed_size_note(q, slug, body.len);
	if (rc == QRM_OK &&
	    (rc = feed_new(&body, lm, a.visibility == VIS_PUBLIC &&
	    level == LEVEL_FULL,
	    a.refresh_minutes, NULL, &f, err)) == QRM_OK) {
		cache_put(q->cache, key, epoch, today(), f);
		*out = f;
	}
	buf_free(&body);
	audience_clear(&a);
	return rc;
}

