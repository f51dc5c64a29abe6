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
	uint64_t		 hits, misses;	/* of whole feeds */
};

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
	if (c->v != NULL && (c->bytes + len > EVTEXT_BUDGET ||
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
    struct feed **out, struct qrm_error *err)
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
	crypto_generichash(h, sizeof(h), (const unsigned char *)f->body,
	    f->len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(f->etag, sizeof(f->etag), "\"%s\"", hex);
	snprintf(f->etag_gz, sizeof(f->etag_gz), "\"%s-gz\"", hex);
	f->last_modified = last_modified;
	f->public = public;
	f->refresh_minutes = refresh;
	f->refs = 1;
	*out = f;
	return QRM_OK;
}

static int
feed_events(struct store *st, const struct strv *audiences,
    struct event_list *evs, time_t *last_modified, struct qrm_error *err)
{
	struct event_filter	f;
	int64_t			version, changed_at = 0;
	size_t			i;
	int			rc;

	memset(&f, 0, sizeof(f));
	f.kind = -1;
	f.audiences = audiences;
	f.light = 1;
	f.now = (int64_t)time(NULL);
	f.cancelled_since = f.now - core_cancelled_days() * 86400;
	if ((rc = store_event_list(st, &f, evs, err)) != QRM_OK)
		return rc;
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
	if ((rc = audience_build(q, &a, level, &body, &lm, err)) == QRM_OK &&
	    (rc = feed_new(&body, lm, a.visibility == VIS_PUBLIC &&
	    level == LEVEL_FULL,
	    a.refresh_minutes, &f, err)) == QRM_OK) {
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
	f.closed_since = (int64_t)time(NULL) -
	    QRM_ACTION_RETENTION_DAYS * 86400;
	return store_action_list(st, &f, out, err);
}

/*
 * A member's own feed: with events (the personal feed: their audiences'
 * events, their answers, their actions) or without (the actions feed).
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
	char			 key[64], name[300];
	time_t			 lm = 0;
	int64_t			 version, changed_at = 0, member;
	int64_t			 epoch = qrm_epoch(q);
	enum feed_level		 level = LEVEL_FULL;
	int			 rc;

	*out = NULL;
	memset(&m, 0, sizeof(m));
	if (core_feed_access(q, token, NULL, &member, &level) != QRM_OK)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "no such feed");
	snprintf(key, sizeof(key), "%c:%lld:%d", with_events ? 'm' : 't',
	    (long long)member, (int)level);
	if ((*out = cache_get(q->cache, key, epoch, today())) != NULL)
		return QRM_OK;
	if (core_auth(q, SCOPE_FEED, token, &m, NULL) != QRM_OK)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "no such feed");
	if ((st = qrm_store(q, err)) == NULL) {
		rc = QRM_EDB;
		goto out;
	}
	if ((rc = store_data_version(st, &version, &changed_at)) != QRM_OK)
		goto out;
	if (with_events &&
	    ((rc = core_member_lineage(st, &m, &lineage, err)) != QRM_OK ||
	    (rc = feed_events(st, &lineage, &evs, &lm, err)) != QRM_OK ||
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
	if ((rc = ical_feed_build(&meta, &evs, &body, err)) == QRM_OK &&
	    (rc = feed_new(&body, lm, 0, 60, &f, err)) == QRM_OK) {
		cache_put(q->cache, key, epoch, today(), f);
		*out = f;
	}
out:
	buf_free(&body);
	event_list_free(&evs);
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
