/*
 * feed.c: audience, personal and actions feeds, and the cache that
 * keeps each serialized feed and its gzip in memory.  An entry is valid
 * while the epoch (see context.c) and the day (which moves the
 * retention windows) are those it was built for.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <zlib.h>

#include "core_int.h"

#define FEED_WARN_BYTES	(900 * 1024)

static int64_t	today(void);
#include "quorum/ical.h"

#define CACHE_SLOTS		4096
#define CACHE_DEFAULT_MB	24

/*
 * The feed cache: each built feed (and its gzip) under a key ("a:slug",
 * "m:member", "t:member"), valid for the epoch and day it was built in.
 * Least recently used entries go when the bytes pass the budget
 * ($QUORUM_CACHE_MB, 24 MiB by default).  The audiences are kept here
 * too, per epoch, so that a hit needs no database at all.
 */
/*
 * The text of each event as audience feeds show it, by event id, valid
 * while the event's revision (updated, sequence) is the same: a rebuild
 * after one change serializes one event.  Cleared whole when it passes
 * its budget.
 */
#define EVTEXT_SLOTS	(1u << 15)
#define EVTEXT_BUDGET	((size_t)64 << 20)

struct evtext {
	int64_t	 id;
	int64_t	 updated;
	int	 sequence;
	char	*text;
	size_t	 len;
};

struct evtext_cache {
	pthread_mutex_t	 mu;
	struct evtext	*v;		/* EVTEXT_SLOTS, open addressing */
	size_t		 n;
	size_t		 bytes;
	size_t		 budget;	/* 0: EVTEXT_BUDGET */
};

static void	evtext_clear(struct evtext_cache *);

struct cache_entry {
	char		 key[64];
	int64_t		 epoch;
	int64_t		 day;
	struct feed	*feed;
	uint64_t	 used;
};

struct feed_cache {
	pthread_mutex_t		 mu;
	struct cache_entry	 e[CACHE_SLOTS];
	uint64_t		 clock;
	size_t			 bytes;
	size_t			 budget;
	int64_t			 aud_epoch;
	struct audience_list	 auds;
	struct evtext_cache	 evtexts;
	struct evtext_cache	 shared;	/* events of personal feeds */
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
static void
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

	if (c == NULL)
		return NULL;
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->evtexts.mu, NULL);
	pthread_mutex_init(&c->shared.mu, NULL);
	/* a member's feed is these texts: 10,000 events take some 7 MB */
	c->shared.budget = (size_t)16 << 20;
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
	free(f->gz);
	pthread_mutex_destroy(&f->gz_mu);
	free(f);
}


/*
 * The gzip of a feed, made on the first request that asks for it (most
 * clients do not), then kept with the feed.  -1 if it cannot be made.
 */
int
feed_gzip(struct feed *f)
{
	int	rc = 0;

	pthread_mutex_lock(&f->gz_mu);
	if (!f->gz_ready) {
		if (gzip_bytes(f->body, f->len, 6, &f->gz, &f->gzlen) == -1)
			rc = -1;
		else
			f->gz_ready = 1;
	}
	pthread_mutex_unlock(&f->gz_mu);
	return rc;
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
	evtext_clear(&c->evtexts);
	free(c->evtexts.v);
	pthread_mutex_destroy(&c->evtexts.mu);
	evtext_clear(&c->shared);
	free(c->shared.v);
	pthread_mutex_destroy(&c->shared.mu);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static struct evtext *
evtext_slot(struct evtext_cache *c, int64_t id)
{
	size_t	i, h = (size_t)id * 2654435761u;

	for (i = 0; i < EVTEXT_SLOTS; i++) {
		struct evtext *e = &c->v[(h + i) & (EVTEXT_SLOTS - 1)];

		if (e->id == id || e->id == 0)
			return e;
	}
	return NULL;
}

static int
evtext_cached(void *arg, const struct event *ev, struct buf *out)
{
	struct evtext_cache	*c = arg;
	struct evtext		*e;
	int			 hit = 0;

	pthread_mutex_lock(&c->mu);
	if (c->v != NULL && (e = evtext_slot(c, ev->id)) != NULL &&
	    e->id == ev->id && e->updated == ev->updated &&
	    e->sequence == ev->sequence)
		hit = buf_append(out, e->text, e->len) == 0;
	pthread_mutex_unlock(&c->mu);
	return hit;
}

static void
evtext_clear(struct evtext_cache *c)
{
	size_t	i;

	for (i = 0; c->v != NULL && i < EVTEXT_SLOTS; i++)
		free(c->v[i].text);
	if (c->v != NULL)
		memset(c->v, 0, EVTEXT_SLOTS * sizeof(*c->v));
	c->n = c->bytes = 0;
}

static void
evtext_keep(void *arg, const struct event *ev, const char *text, size_t len)
{
	struct evtext_cache	*c = arg;
	struct evtext		*e;
	char			*copy;

	if ((copy = malloc(len)) == NULL)
		return;
	memcpy(copy, text, len);
	pthread_mutex_lock(&c->mu);
	if (c->v == NULL)
		c->v = calloc(EVTEXT_SLOTS, sizeof(*c->v));
	if (c->v != NULL && (c->bytes + len > (c->budget ? c->budget :
	    EVTEXT_BUDGET) ||
	    c->n >= EVTEXT_SLOTS * 3 / 4))
		evtext_clear(c);
	if (c->v == NULL || (e = evtext_slot(c, ev->id)) == NULL) {
		pthread_mutex_unlock(&c->mu);
		free(copy);
		return;
	}
	if (e->id == 0)
		c->n++;
	else {
		c->bytes -= e->len;
		free(e->text);
	}
	e->id = ev->id;
	e->updated = ev->updated;
	e->sequence = ev->sequence;
	e->text = copy;
	e->len = len;
	c->bytes += len;
	pthread_mutex_unlock(&c->mu);
}

static size_t
feed_bytes(const struct feed *f)
{
	return f->len + f->len / 5 + sizeof(*f);	/* with its gzip to come */
}

static struct feed *
cache_get(struct feed_cache *c, const char *key, int64_t epoch, int64_t day)
{
	struct feed	*f = NULL;
	size_t		 i;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < CACHE_SLOTS; i++)
		if (c->e[i].feed != NULL && c->e[i].epoch == epoch &&
		    c->e[i].day == day && strcmp(c->e[i].key, key) == 0) {
			f = c->e[i].feed;
			feed_ref(f);
			c->e[i].used = ++c->clock;
			break;
		}
	if (f != NULL)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->mu);
	return f;
}

static void
cache_drop(struct feed_cache *c, struct cache_entry *e, struct feed **freed,
    size_t *nfreed)
{
	c->bytes -= feed_bytes(e->feed);
	freed[(*nfreed)++] = e->feed;
	e->feed = NULL;
}

/*
 * Keep f under key: it replaces that key's entry; stale entries and
 * then the least recently used go while the bytes are over budget.
 */
static void
cache_put(struct feed_cache *c, const char *key, int64_t epoch, int64_t day,
    struct feed *f)
{
	struct cache_entry	*slot = NULL, *lru;
	struct feed		*freed[CACHE_SLOTS + 1];
	size_t			 i, nfreed = 0;

	if (feed_bytes(f) > c->budget / 2)
		return;		/* too big to keep: serve it, forget it */
	pthread_mutex_lock(&c->mu);
	for (i = 0; i < CACHE_SLOTS; i++) {
		if (c->e[i].feed == NULL)
			continue;
		if (strcmp(c->e[i].key, key) == 0 || c->e[i].epoch < epoch ||
		    c->e[i].day != day)
			cache_drop(c, &c->e[i], freed, &nfreed);
	}
	for (;;) {
		lru = NULL;
		for (i = 0; i < CACHE_SLOTS; i++) {
			if (c->e[i].feed == NULL) {
				if (slot == NULL)
					slot = &c->e[i];
				continue;
			}
			if (lru == NULL || c->e[i].used < lru->used)
				lru = &c->e[i];
		}
		if (lru == NULL || (slot != NULL &&
		    c->bytes + feed_bytes(f) <= c->budget))
			break;
		cache_drop(c, lru, freed, &nfreed);
		slot = lru;
	}
	if (slot != NULL) {
		snprintf(slot->key, sizeof(slot->key), "%s", key);
		slot->epoch = epoch;
		slot->day = day;
		slot->feed = f;
		slot->used = ++c->clock;
		c->bytes += feed_bytes(f);
		feed_ref(f);
	}
	pthread_mutex_unlock(&c->mu);
	for (i = 0; i < nfreed; i++)
		feed_release(freed[i]);
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
static int
feed_new(struct buf *body, time_t last_modified, int public, int refresh,
    const char *etag, struct feed **out, struct qrm_error *err)
{
	struct feed	*f;
	unsigned char	 h[16];
	char		 hex[33];

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	f->len = body->len;
	if ((f->body = buf_detach(body)) == NULL) {
		free(f);
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
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
static int
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
	if ((rc = store_audience_lineage(st, a->slug, &lineage, err)) ||
	    (rc = feed_events(st, &lineage, &evs, last_modified, err)))
		goto out;
	memset(&meta, 0, sizeof(meta));
	meta.level = level;
	if (level != LEVEL_FULL) {
		/* each event's text differs from the full one: not shared */
	} else if (a->visibility == VIS_OFFICIALS)
		agenda_into_descriptions(st, &evs);
	else {
		/* officials' descriptions carry agendas: never cached */
		meta.cached = evtext_cached;
		meta.keep = evtext_keep;
		meta.cache_arg = &q->cache->evtexts;
	}
	meta.name = a->name;
	meta.description = a->description;
	meta.colour = a->colour;
	meta.refresh_minutes = a->refresh_minutes;
	meta.tzid = QRM_DEFAULT_TZ;
	/* about what the events take: the text is copied once, not moved */
	buf_reserve(out, 4096 + evs.n * 640);
	rc = ical_feed_build(&meta, &evs, out, err);
out:
	event_list_free(&evs);
	strv_free(&lineage);
	return rc;
}

static int64_t
today(void)
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

static int
member_actions(struct store *st, int64_t member, struct action_list *out,
    struct qrm_error *err)
{
	struct action_filter	f;

	memset(&f, 0, sizeof(f));
	f.status = -1;
	f.owner = member;
	f.closed_since = today() * 86400 - QRM_ACTION_RETENTION_DAYS * 86400;
	return store_action_list(st, &f, out, err);
}

/*
 * The signature of a lineage's events (store_lineage_sig()), kept for
 * the epoch: members with the same audiences share it, and it is read
 * again only after a write.  *out is the caller's.
 */
#define LSIG_SLOTS	1024	/* a lineage a slot, mostly */

static pthread_mutex_t	lsig_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const struct qrm	*q;
	int64_t			 epoch;
	char			*lineage;
	char			*sig;
}			lsigs[LSIG_SLOTS];

static int
lineage_sig(struct qrm *q, struct store *st, const char *lineage,
    char **out, struct qrm_error *err)
{
	int64_t	epoch = qrm_epoch(q);
	size_t	slot = 5381, i;
	int	rc;

	for (i = 0; lineage[i] != '\0'; i++)
		slot = slot * 33 + (unsigned char)lineage[i];
	slot %= LSIG_SLOTS;
	pthread_mutex_lock(&lsig_mu);
	if (lsigs[slot].q == q && lsigs[slot].epoch == epoch &&
	    strcmp(lsigs[slot].lineage, lineage) == 0) {
		*out = strdup(lsigs[slot].sig);
		pthread_mutex_unlock(&lsig_mu);
		return *out ? QRM_OK : qrm_seterr(err, QRM_ESYS, "",
		    "out of memory");
	}
	pthread_mutex_unlock(&lsig_mu);
	if ((rc = store_lineage_sig(st, lineage, out, err)) != QRM_OK)
		return rc;
	pthread_mutex_lock(&lsig_mu);
	free(lsigs[slot].lineage);
	free(lsigs[slot].sig);
	lsigs[slot].q = q;
	lsigs[slot].epoch = epoch;	/* read before: never too new */
	lsigs[slot].lineage = strdup(lineage);
	lsigs[slot].sig = strdup(*out);
	if (lsigs[slot].lineage == NULL || lsigs[slot].sig == NULL) {
		free(lsigs[slot].lineage);
		free(lsigs[slot].sig);
		lsigs[slot].lineage = lsigs[slot].sig = NULL;
		lsigs[slot].q = NULL;
	}
	pthread_mutex_unlock(&lsig_mu);
	return QRM_OK;
}

/*
 * The version of a member's own feed, as its ETag (quoted): a hash of
 * what it is made of (store_member_feed_sig()), its level, whether it
 * has events, and the day (feeds change at midnight as events leave
 * the window).  Known without building the feed, so a revalidation
 * costs a few indexed reads; a write elsewhere leaves it as it is.
 */
static int
member_version(struct qrm *q, struct store *st, const struct member *m,
    const struct strv *lineage, enum feed_level level, int with_events,
    char *etag, struct qrm_error *err)
{
	crypto_generichash_state	 gs;
	json_t				*a = json_array();
	unsigned char			 h[16];
	char				*slugs, *sig = NULL, *lsig = NULL;
	char				 hex[33], extra[64];
	size_t				 i;
	int				 rc;

	/* the actions feed shows no event: none of theirs counts */
	for (i = 0; with_events && i < lineage->n; i++)
		json_array_append_new(a, json_string(lineage->v[i]));
	slugs = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (slugs == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	if ((rc = lineage_sig(q, st, slugs, &lsig, err)) != QRM_OK ||
	    (rc = store_member_feed_sig(st, m->id, with_events, &sig,
	    err)) != QRM_OK) {
		free(slugs);
		free(lsig);
		return rc;
	}
	free(slugs);
	snprintf(extra, sizeof(extra), "|%d|%d|%lld|%lld", (int)level,
	    with_events, (long long)today(), (long long)core_cancelled_days());
	crypto_generichash_init(&gs, NULL, 0, sizeof(h));
	crypto_generichash_update(&gs, (const unsigned char *)lsig,
	    strlen(lsig));
	crypto_generichash_update(&gs, (const unsigned char *)sig,
	    strlen(sig));
	crypto_generichash_update(&gs, (const unsigned char *)extra,
	    strlen(extra));
	crypto_generichash_final(&gs, h, sizeof(h));
	free(sig);
	free(lsig);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(etag, FEED_ETAG_LEN, "\"v%s\"", hex);
	return QRM_OK;
}

/*
 * The member behind a feed token, their lineage and their feed's
 * version: what a personal or actions feed needs before it is built.
 */
static int
member_feed_head(struct qrm *q, const char *token, int with_events,
    struct store **st, struct member *m, struct strv *lineage,
    enum feed_level *level, char *etag, struct qrm_error *err)
{
	int64_t	member;
	int	rc;

	memset(m, 0, sizeof(*m));
	memset(lineage, 0, sizeof(*lineage));
	if (core_feed_access(q, token, NULL, &member, level) != QRM_OK ||
	    core_auth(q, SCOPE_FEED, token, m, NULL) != QRM_OK)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "no such feed");
	if ((*st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = core_member_lineage(*st, m, lineage, err)) != QRM_OK ||
	    (rc = member_version(q, *st, m, lineage, *level, with_events,
	    etag, err)) != QRM_OK)
		return rc;
	return QRM_OK;
}

/*
 * The ETag a member's own feed has now, into etag (FEED_ETAG_LEN),
 * without building it: for If-None-Match.
 */
int
feed_member_etag(struct qrm *q, const char *token, int with_events,
    char *etag, struct qrm_error *err)
{
	struct store	*st;
	struct member	 m;
	struct strv	 lineage;
	enum feed_level	 level;
	int64_t		 epoch = qrm_epoch(q), member;
	int		 rc;

	/* between writes, a poll costs a lookup in memory */
	if (core_feed_access(q, token, NULL, &member, &level) == QRM_OK &&
	    core_feed_version_cached(q, token, with_events, epoch, today(),
	    etag))
		return QRM_OK;
	rc = member_feed_head(q, token, with_events, &st, &m, &lineage,
	    &level, etag, err);
	if (rc == QRM_OK)
		core_feed_version_keep(q, token, with_events, epoch, today(),
		    etag);
	member_clear(&m);
	strv_free(&lineage);
	return rc;
}

#define BUILDS_MAX	2

/*
 * The events of one audience's feeds (its window applied), kept for the
 * epoch: a member's feed merges those of their audiences rather than
 * read them again.  Shared read-only by the threads building feeds.
 */
#define AUD_SLOTS	32
#define LINEAGE_MAX	256

struct aud_events {
	char			 slug[64];
	const struct qrm	*q;
	int64_t			 epoch;
	int64_t			 day;
	struct event_list	 evs;
	int			 refs;	/* builds reading it, and the slot's */
};

static pthread_mutex_t		 aud_mu = PTHREAD_MUTEX_INITIALIZER;
static struct aud_events	*aud_slots[AUD_SLOTS];

static void
aud_events_release(struct aud_events *a)
{
	int	last;

	if (a == NULL)
		return;
	pthread_mutex_lock(&aud_mu);
	last = --a->refs == 0;
	pthread_mutex_unlock(&aud_mu);
	if (last) {
		event_list_free(&a->evs);
		free(a);
	}
}

/* The events of slug's feeds at epoch (the caller releases them). */
static int
aud_events_get(struct qrm *q, struct store *st, const char *slug,
    int64_t epoch, struct aud_events **out, struct qrm_error *err)
{
	struct aud_events	*a, *old;
	struct strv		 one = { 0 };
	time_t			 lm;
	size_t			 slot, i;
	int			 rc;

	/* audiences are few: each its own slot, found by a scan */
	pthread_mutex_lock(&aud_mu);
	for (i = 0, slot = AUD_SLOTS; i < AUD_SLOTS; i++) {
		a = aud_slots[i];
		if (a != NULL && a->q == q && strcmp(a->slug, slug) == 0) {
			slot = i;
			break;
		}
		if (slot == AUD_SLOTS && (a == NULL || a->epoch != epoch ||
		    a->q != q))
			slot = i;	/* free, or out of date */
	}
	if (slot == AUD_SLOTS)
		slot = (size_t)epoch % AUD_SLOTS;
	if ((a = aud_slots[slot]) != NULL && a->q == q && a->epoch == epoch &&
	    a->day == today() && strcmp(a->slug, slug) == 0) {
		a->refs++;
		*out = a;
		pthread_mutex_unlock(&aud_mu);
		return QRM_OK;
	}
	pthread_mutex_unlock(&aud_mu);
	if ((a = calloc(1, sizeof(*a))) == NULL || strv_push(&one, slug) == -1) {
		free(a);
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	rc = feed_events(st, &one, &a->evs, &lm, err);
	strv_free(&one);
	if (rc != QRM_OK) {
		free(a);
		return rc;
	}
	snprintf(a->slug, sizeof(a->slug), "%s", slug);
	a->q = q;
	a->epoch = epoch;	/* read before the database: never too new */
	a->day = today();
	a->refs = 2;		/* the caller's, and the slot's */
	pthread_mutex_lock(&aud_mu);
	old = aud_slots[slot];
	aud_slots[slot] = a;
	pthread_mutex_unlock(&aud_mu);
	aud_events_release(old);
	*out = a;
	return QRM_OK;
}

static int
by_start_ptr(const void *x, const void *y)
{
	const struct event	*a = *(const struct event *const *)x;
	const struct event	*b = *(const struct event *const *)y;

	if (a->start_utc != b->start_utc)
		return a->start_utc < b->start_utc ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/*
 * The events a member's feed shows: those of each audience of their
 * lineage, merged (each once), earliest first as a list read whole
 * would be: shallow copies in *evs (free only its array), the lists
 * they come from held in held (release each).
 */
static int
lineage_events(struct qrm *q, struct store *st, const struct strv *lineage,
    int64_t epoch, struct event_list *evs, struct aud_events **held,
    time_t *last_modified, struct qrm_error *err)
{
	const struct event	**all = NULL, **nv;
	size_t			 i, k, n = 0;
	int64_t			 version, changed_at = 0;
	int			 rc = QRM_OK;

	memset(evs, 0, sizeof(*evs));
	for (i = 0; i < lineage->n && rc == QRM_OK; i++) {
		if ((rc = aud_events_get(q, st, lineage->v[i], epoch, &held[i],
		    err)) != QRM_OK)
			break;
		if ((nv = reallocarray(all, n + held[i]->evs.n + 1,
		    sizeof(*all))) == NULL) {
			rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
			break;
		}
		all = nv;
		for (k = 0; k < held[i]->evs.n; k++)
			all[n++] = &held[i]->evs.v[k];
	}
	if (rc == QRM_OK && n > 1)
		qsort(all, n, sizeof(*all), by_start_ptr);
	if (rc == QRM_OK && n > 0 && (evs->v = calloc(n, sizeof(*evs->v))) ==
	    NULL)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	store_data_version(st, &version, &changed_at);
	*last_modified = (time_t)changed_at;
	for (i = 0; rc == QRM_OK && i < n; i++) {
		if (evs->n > 0 && evs->v[evs->n - 1].id == all[i]->id)
			continue;	/* in two of the audiences */
		evs->v[evs->n++] = *all[i];
		if (all[i]->updated > *last_modified)
			*last_modified = (time_t)all[i]->updated;
	}
	free(all);
	return rc;
}

static pthread_mutex_t	builds_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	builds_cv = PTHREAD_COND_INITIALIZER;
static int		builds;

/*
 * A member's own feed: with events (the personal feed: their audiences'
 * events, their answers, their actions) or without (the actions feed).
 * Kept by its version, so a write that changes nothing of theirs does
 * not make it be built again.
 */
static int
feed_member_get(struct qrm *q, const char *token, int with_events,
    struct feed **out, struct qrm_error *err)
{
	int64_t			 alarm = 0;
	struct store		*st;
	struct member		 m;
	struct strv		 lineage = { 0 };
	struct event_list	 evs = { 0 };
	struct feed_meta	 meta;
	struct attendance_list	 rsvps = { 0 };
	struct action_list	 acts = { 0 };
	struct buf		 body = { 0 };
	struct feed		*f;
	char			 key[80], name[300], etag[FEED_ETAG_LEN];
	time_t			 lm = 0;
	int64_t			 version, changed_at = 0;
	enum feed_level		 level = LEVEL_FULL;
	struct aud_events	**held = NULL;
	int64_t			 epoch = qrm_epoch(q);
	size_t			 i;
	int			 rc, building = 0;

	*out = NULL;
	if ((rc = member_feed_head(q, token, with_events, &st, &m, &lineage,
	    &level, etag, err)) != QRM_OK)
		goto out;
	snprintf(key, sizeof(key), "v:%s", etag);
	if ((*out = cache_get(q->cache, key, 0, today())) != NULL)
		goto out;
	/*
	 * A few built at once: each is megabytes while it is assembled,
	 * and sixteen at once would hold sixteen; two keep both cores busy.
	 */
	pthread_mutex_lock(&builds_mu);
	while (builds >= BUILDS_MAX)
		pthread_cond_wait(&builds_cv, &builds_mu);
	builds++;
	pthread_mutex_unlock(&builds_mu);
	building = 1;
	if ((rc = store_data_version(st, &version, &changed_at)) != QRM_OK)
		goto out;
	if (with_events && (lineage.n > LINEAGE_MAX ||
	    (held = calloc(lineage.n, sizeof(*held))) == NULL)) {
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		goto out;
	}
	if (with_events &&
	    ((rc = lineage_events(q, st, &lineage, epoch, &evs, held, &lm,
	    err)) != QRM_OK ||
	    (rc = store_attendance_of_member(st, m.id, &rsvps, err))))
		goto out;
	/* a lower level shows no action: their titles are the detail */
	if (level == LEVEL_FULL && (rc = member_actions(st, m.id, &acts,
	    err)) != QRM_OK)
		goto out;
	if (lm < (time_t)changed_at)
		lm = (time_t)changed_at;
	snprintf(name, sizeof(name), "%s: %s", with_events ? "quorum" :
	    "Actions", m.name);
	memset(&meta, 0, sizeof(meta));
	meta.name = name;
	meta.description = with_events ? "Your union meetings and actions" :
	    "Your follow-up actions from union meetings";
	meta.refresh_minutes = 60;
	meta.tzid = QRM_DEFAULT_TZ;
	meta.attendee = with_events ? &m : NULL;
	meta.rsvps = &rsvps;
	if (m.feed_alarm != NULL && reminders_parse(m.feed_alarm, &alarm) == 1)
		meta.alarm = alarm;
	meta.actions = &acts;
	meta.level = level;
	/* the events' text shared with all who see them, kept by revision */
	meta.shared = evtext_cached;
	meta.keep_shared = evtext_keep;
	meta.shared_arg = &q->cache->shared;
	buf_reserve(&body, 4096 + evs.n * 700);
	if ((rc = ical_feed_build(&meta, &evs, &body, err)) == QRM_OK) {
		snprintf(name, sizeof(name), "member %lld", (long long)m.id);
		feed_size_note(q, name, body.len);
	}
	/* its ETag is its version, known before it is built */
	if (rc == QRM_OK && (rc = feed_new(&body, lm, 0, 60, etag, &f,
	    err)) == QRM_OK) {
		cache_put(q->cache, key, 0, today(), f);
		*out = f;
	}
out:
	buf_free(&body);
	if (building) {
		pthread_mutex_lock(&builds_mu);
		builds--;
		pthread_cond_signal(&builds_cv);
		pthread_mutex_unlock(&builds_mu);
	}
	/* shallow copies of the audiences' events: the lists own them */
	free(evs.v);
	for (i = 0; held != NULL && i < lineage.n; i++)
		aud_events_release(held[i]);
	free(held);
	attendance_list_free(&rsvps);
	action_list_free(&acts);
	strv_free(&lineage);
	member_clear(&m);
	return rc;
}

/* The personal feed of the holder of a feed token. */
int
feed_personal_get(struct qrm *q, const char *token, struct feed **out,
    struct qrm_error *err)
{
	return feed_member_get(q, token, 1, out, err);
}

/* The actions the holder of a feed token owns. */
int
feed_actions_get(struct qrm *q, const char *token, struct feed **out,
    struct qrm_error *err)
{
	return feed_member_get(q, token, 0, out, err);
}
