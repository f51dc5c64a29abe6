/*
 * personal.c: a member's own feeds, me.ics (their audiences' events,
 * their answers, their actions) and actions.ics, and their versions.
 *
 * A member's feed is not a copy of its events.  Each event's text is
 * made once for everyone who sees it, with a placeholder where the
 * member's ATTENDEE line goes (a stext, kept by revision); the events of
 * a lineage (the audiences a member sees) are merged once an epoch into
 * a plan that members with that lineage share; and a member's feed is
 * their head, the plan's texts with their own line put in, the few
 * events they answered in a way of their own, and their actions: runs,
 * read out with feed_read() as they are sent.
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

#define today()	feed_today()

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
	int64_t	member, epoch = qrm_epoch(q);
	int	rc;

	memset(m, 0, sizeof(*m));
	memset(lineage, 0, sizeof(*lineage));
	/* the token is good for this epoch: its holder as read for it */
	if (core_feed_access(q, token, NULL, &member, level) != QRM_OK)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "no such feed");
	if ((*st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (!core_feed_holder(q, token, epoch, m, lineage)) {
		if (store_member_get(*st, member, m, NULL) != QRM_OK)
			return qrm_seterr(err, QRM_ENOTFOUND, "",
			    "no such feed");
		if ((rc = core_member_lineage(*st, m, lineage, err)) !=
		    QRM_OK)
			return rc;
	}
	if ((rc = member_version(q, *st, m, lineage, *level, with_events,
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
	int64_t		 epoch = qrm_epoch(q);
	int		 rc;

	/*
	 * Between writes, a poll costs a lookup in memory: a version is
	 * kept only for a token found good in this epoch.
	 */
	if (core_feed_version_cached(q, token, with_events, epoch, today(),
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

/*
 * The text of each event as members' feeds share it (ical_shared_text()),
 * by event id and revision.  Each counts its references: the pool's and
 * those of the audiences' event lists, so that a text outlives the
 * pool's clearing while a feed refers to it, and after a write the
 * events that did not change keep theirs.
 */
#define STEXT_SLOTS	(1u << 15)
#define STEXT_BUDGET	((size_t)16 << 20)	/* some 25,000 events */

struct stext {
	int64_t	 id;
	int64_t	 updated;
	int	 sequence;
	int	 refs;
	size_t	 len;
	size_t	 ncuts;		/* the ATTENDEE lines: pairs in cuts */
	size_t	 plain;		/* len less those lines */
	size_t	*cuts;		/* in the same block: after the text */
	char	 text[];
};

struct stext_pool {
	pthread_mutex_t	 mu;
	struct stext	**v;		/* STEXT_SLOTS, open addressing */
	size_t		 n;
	size_t		 bytes;
};

struct stext_pool *
stext_pool_new(void)
{
	struct stext_pool	*p = calloc(1, sizeof(*p));

	if (p != NULL)
		pthread_mutex_init(&p->mu, NULL);
	return p;
}

/*
 * References are counted under a lock rather than atomically, so that
 * the last user's free comes after every other user's reads to race
 * detectors as well as to the CPU.  Texts change hands once a write.
 */
static pthread_mutex_t	stext_mu = PTHREAD_MUTEX_INITIALIZER;

static void	stext_release_all(struct stext **, size_t);

static void
stext_release(struct stext *t)
{
	stext_release_all(&t, 1);
}

static void
stext_pool_clear(struct stext_pool *p)
{
	size_t	i;

	for (i = 0; p->v != NULL && i < STEXT_SLOTS; i++) {
		stext_release(p->v[i]);
		p->v[i] = NULL;
	}
	p->n = p->bytes = 0;
}

void
stext_pool_free(struct stext_pool *p)
{
	if (p == NULL)
		return;
	stext_pool_clear(p);
	free(p->v);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

static struct stext **
stext_slot(struct stext_pool *p, int64_t id)
{
	size_t	i, h = (size_t)id * 2654435761u;

	for (i = 0; i < STEXT_SLOTS; i++) {
		struct stext **t = &p->v[(h + i) & (STEXT_SLOTS - 1)];

		if (*t == NULL || (*t)->id == id)
			return t;
	}
	return NULL;
}

/* Drop the references to n texts, under one lock. */
static void
stext_release_all(struct stext **v, size_t n)
{
	size_t	i, k = 0;

	pthread_mutex_lock(&stext_mu);
	for (i = 0; i < n; i++)
		if (v[i] != NULL && --v[i]->refs == 0)
			v[k++] = v[i];	/* v is the caller's to reuse */
	pthread_mutex_unlock(&stext_mu);
	for (i = 0; i < k; i++) {
		free(v[i]);
	}
}

/*
 * Into out[i], the kept text of each event of evs at its revision with
 * a reference for the caller, or NULL: one lookup for a whole list.
 */
static void
stext_find_all(struct stext_pool *p, const struct event_list *evs,
    struct stext **out)
{
	struct stext	**slot;
	size_t		  i;

	pthread_mutex_lock(&p->mu);
	pthread_mutex_lock(&stext_mu);
	for (i = 0; p->v != NULL && i < evs->n; i++) {
		slot = stext_slot(p, evs->v[i].id);
		if (slot != NULL && *slot != NULL &&
		    (*slot)->updated == evs->v[i].updated &&
		    (*slot)->sequence == evs->v[i].sequence) {
			out[i] = *slot;
			out[i]->refs++;
		}
	}
	pthread_mutex_unlock(&stext_mu);
	pthread_mutex_unlock(&p->mu);
}

/*
 * The shared text of ev at its revision, with a reference for the
 * caller: from the pool, or made and kept there.  NULL when it cannot
 * be made (the event is then built for each member alone).
 */
static struct stext *
stext_get(struct stext_pool *p, const struct event *ev)
{
	struct stext	*t = NULL, **slot;
	struct buf	 text = { 0 };
	size_t		*cuts = NULL, ncuts, k, at;

	pthread_mutex_lock(&p->mu);
	if (p->v != NULL && (slot = stext_slot(p, ev->id)) != NULL &&
	    *slot != NULL && (*slot)->updated == ev->updated &&
	    (*slot)->sequence == ev->sequence) {
		t = *slot;
		pthread_mutex_lock(&stext_mu);
		t->refs++;
		pthread_mutex_unlock(&stext_mu);
	}
	pthread_mutex_unlock(&p->mu);
	if (t != NULL)
		return t;
	/* one block: the struct, the text, then the cuts, aligned */
	if (ical_shared_text(ev, &text, &cuts, &ncuts, NULL) != QRM_OK ||
	    (t = malloc(sizeof(*t) + (at = (text.len + 8) & ~(size_t)7) +
	    2 * ncuts * sizeof(*cuts))) == NULL) {
		free(cuts);
		buf_free(&text);
		return NULL;
	}
	memcpy(t->text, text.p, text.len);
	t->text[text.len] = '\0';
	t->len = t->plain = text.len;
	t->cuts = (size_t *)(void *)(t->text + at);
	if (ncuts > 0)
		memcpy(t->cuts, cuts, 2 * ncuts * sizeof(*cuts));
	free(cuts);
	t->ncuts = ncuts;
	for (k = 0; k < ncuts; k++)
		t->plain -= t->cuts[2 * k + 1] - t->cuts[2 * k];
	t->id = ev->id;
	t->updated = ev->updated;
	t->sequence = ev->sequence;
	t->refs = 2;		/* the caller's, and the pool's */
	buf_free(&text);
	pthread_mutex_lock(&p->mu);
	if (p->v == NULL)
		p->v = calloc(STEXT_SLOTS, sizeof(*p->v));
	if (p->v != NULL && (p->bytes + t->len > STEXT_BUDGET ||
	    p->n >= STEXT_SLOTS * 3 / 4))
		stext_pool_clear(p);
	if (p->v != NULL && (slot = stext_slot(p, ev->id)) != NULL) {
		if (*slot == NULL)
			p->n++;
		else
			p->bytes -= (*slot)->len;
		stext_release(*slot);
		*slot = t;
		p->bytes += t->len;
	} else
		t->refs--;	/* not kept: the caller's alone */
	pthread_mutex_unlock(&p->mu);
	return t;
}


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
	/* each event's shared text (or NULL), made on first use */
	pthread_mutex_t		 texts_mu;
	struct stext		**texts;
	int			 refs;	/* feeds using it, and the slot's */
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
		if (a->texts != NULL)
			stext_release_all(a->texts, a->evs.n);
		free(a->texts);
		pthread_mutex_destroy(&a->texts_mu);
		event_list_free(&a->evs);
		free(a);
	}
}

/*
 * The shared texts of a's events, made once (the pool has those of
 * events that did not change since the last write).
 */
static int
aud_texts(struct qrm *q, struct aud_events *a, struct qrm_error *err)
{
	struct stext	**t;
	size_t		  i;
	int		  rc = QRM_OK;

	pthread_mutex_lock(&a->texts_mu);
	if (a->texts == NULL && a->evs.n > 0) {
		if ((t = calloc(a->evs.n, sizeof(*t))) == NULL)
			rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		/* those kept, under one lock; then each one to make */
		if (t != NULL)
			stext_find_all(feed_stexts(q), &a->evs, t);
		for (i = 0; t != NULL && i < a->evs.n; i++)
			if (t[i] == NULL)
				t[i] = stext_get(feed_stexts(q), &a->evs.v[i]);
		a->texts = t;
	}
	pthread_mutex_unlock(&a->texts_mu);
	return rc;
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
	pthread_mutex_init(&a->texts_mu, NULL);
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

/* Does event a come before b in a feed (earliest first, then by id)? */
static int
feed_before(const struct event *a, const struct event *b)
{
	if (a->start_utc != b->start_utc)
		return a->start_utc < b->start_utc;
	return a->id < b->id;
}

/*
 * A lineage's events as its members' feeds show them: those of each of
 * its audiences merged earliest first (each once, as a list read whole
 * would be), each with its shared text, and the text of their time
 * zones.  Made once an epoch for each lineage and shared by reference by
 * the feeds of the members who have it.
 */
#define PLAN_SLOTS	64

struct plan_id {
	int64_t	 id;
	size_t	 at;
};

struct plan {
	char			*key;		/* the lineage, as JSON */
	const struct qrm	*q;
	int64_t			 epoch;
	int64_t			 day;
	int			 refs;
	struct aud_events	**held;		/* the lists ev points into */
	size_t			 nheld;
	const struct event	**ev;
	struct stext		**text;		/* NULL: built for each member */
	size_t			 n;
	pthread_mutex_t		 byid_mu;
	struct plan_id		*byid;		/* sorted by id, made on use */
	size_t			 plain;		/* of the texts, lines out */
	size_t			 lines;		/* ATTENDEE lines in them */
	struct buf		 zones;
	time_t			 last_modified;
};

static pthread_mutex_t	 plan_mu = PTHREAD_MUTEX_INITIALIZER;
static struct plan	*plan_slots[PLAN_SLOTS];

static void
plan_release(struct plan *p)
{
	size_t	i;
	int	last;

	if (p == NULL)
		return;
	/* counted under the lock: see stext_release() */
	pthread_mutex_lock(&plan_mu);
	last = --p->refs == 0;
	pthread_mutex_unlock(&plan_mu);
	if (!last)
		return;
	for (i = 0; i < p->nheld; i++)
		aud_events_release(p->held[i]);
	free(p->held);
	free(p->ev);
	free(p->text);
	free(p->byid);
	pthread_mutex_destroy(&p->byid_mu);
	buf_free(&p->zones);
	free(p->key);
	free(p);
}

static int
by_id(const void *x, const void *y)
{
	const struct plan_id	*a = x, *b = y;

	return (a->id > b->id) - (a->id < b->id);
}

/* Merge the lists p holds into p->ev, p->text; their zones' text. */
static int
plan_fill(struct store *st, struct plan *p, struct qrm_error *err)
{
	const struct event	*best;
	struct aud_events	*a;
	size_t			 at[LINEAGE_MAX], i, n = 0, pick;
	int64_t			 version, changed_at = 0;

	for (i = 0; i < p->nheld; i++) {
		n += p->held[i]->evs.n;
		at[i] = 0;
	}
	if (n > 0 && ((p->ev = malloc(n * sizeof(*p->ev))) == NULL ||
	    (p->text = malloc(n * sizeof(*p->text))) == NULL))
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	store_data_version(st, &version, &changed_at);
	p->last_modified = (time_t)changed_at;
	for (;;) {
		best = NULL;
		pick = 0;
		for (i = 0; i < p->nheld; i++)
			if (at[i] < p->held[i]->evs.n && (best == NULL ||
			    feed_before(&p->held[i]->evs.v[at[i]], best))) {
				best = &p->held[i]->evs.v[at[i]];
				pick = i;
			}
		if (best == NULL)
			break;
		a = p->held[pick];
		if (p->n == 0 || p->ev[p->n - 1]->id != best->id) {
			/* an event in two of the audiences comes once */
			p->ev[p->n] = best;
			p->text[p->n] = a->texts != NULL ? a->texts[at[pick]] :
			    NULL;
			if (p->text[p->n] != NULL) {
				p->plain += p->text[p->n]->plain;
				p->lines += p->text[p->n]->ncuts;
			}
			if (best->updated > p->last_modified)
				p->last_modified = (time_t)best->updated;
			p->n++;
		}
		at[pick]++;
	}
	return ical_feed_zones(p->ev, p->n, &p->zones, err);
}

/*
 * The plan of lineage at epoch; release it after.  Lineages whose
 * audiences with events are the same (most have one: the branch-wide
 * one) share one plan.
 */
static int
plan_get(struct qrm *q, struct store *st, const struct strv *lineage,
    int64_t epoch, struct plan **out, struct qrm_error *err)
{
	struct aud_events	*held[LINEAGE_MAX];
	struct plan		*p = NULL, *old;
	struct buf		 key = { 0 };
	size_t			 i, n = 0, slot = PLAN_SLOTS;
	int			 rc = QRM_OK;

	if (lineage->n > LINEAGE_MAX)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	for (i = 0; rc == QRM_OK && i < lineage->n; i++) {
		if ((rc = aud_events_get(q, st, lineage->v[i], epoch, &held[n],
		    err)) != QRM_OK)
			break;
		if (held[n]->evs.n == 0) {
			aud_events_release(held[n]);
			continue;
		}
		if (buf_printf(&key, "%s\t", lineage->v[i]) == -1)
			rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		n++;
	}
	/* ended: "" when no audience of it has an event */
	if (rc == QRM_OK && buf_append(&key, "", 0) == -1)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	if (rc != QRM_OK)
		goto fail;
	pthread_mutex_lock(&plan_mu);
	for (i = 0; i < PLAN_SLOTS; i++) {
		p = plan_slots[i];
		if (p != NULL && p->q == q && strcmp(p->key, key.p) == 0) {
			slot = i;
			break;
		}
		if (slot == PLAN_SLOTS && (p == NULL || p->epoch != epoch ||
		    p->q != q))
			slot = i;	/* free, or out of date */
	}
	if (slot == PLAN_SLOTS)
		slot = (size_t)(epoch + n) % PLAN_SLOTS;
	if ((p = plan_slots[slot]) != NULL && p->q == q &&
	    p->epoch == epoch && p->day == today() &&
	    strcmp(p->key, key.p) == 0) {
		p->refs++;
		*out = p;
		pthread_mutex_unlock(&plan_mu);
		p = NULL;
		goto fail;	/* done: what was held goes */
	}
	pthread_mutex_unlock(&plan_mu);
	if ((p = calloc(1, sizeof(*p))) == NULL || (n > 0 &&
	    (p->held = calloc(n, sizeof(*p->held))) == NULL)) {
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		goto fail;
	}
	pthread_mutex_init(&p->byid_mu, NULL);
	p->q = q;
	p->epoch = epoch;	/* read before the database: never too new */
	p->day = today();
	p->refs = 1;
	p->key = buf_detach(&key);
	for (i = 0; i < n; i++) {
		p->held[p->nheld++] = held[i];
		if (rc == QRM_OK)
			rc = aud_texts(q, held[i], err);
	}
	n = 0;			/* the plan's now */
	if (rc == QRM_OK)
		rc = plan_fill(st, p, err);
	if (rc != QRM_OK) {
		plan_release(p);
		return rc;
	}
	p->refs = 2;		/* the caller's, and the slot's */
	pthread_mutex_lock(&plan_mu);
	old = plan_slots[slot];
	plan_slots[slot] = p;
	pthread_mutex_unlock(&plan_mu);
	plan_release(old);
	*out = p;
	return QRM_OK;
fail:
	for (i = 0; i < n; i++)
		aud_events_release(held[i]);
	buf_free(&key);
	if (p != NULL)
		plan_release(p);
	return rc;
}

/*
 * t into out with line (ll bytes; none for an audience's feed) for each
 * ATTENDEE line of it: how many bytes, t->plain + t->ncuts * ll.
 */
static size_t
stext_copy(const struct stext *t, const char *line, size_t ll, char *out)
{
	size_t	k, at = 0, n = 0, seg;

	for (k = 0; k < t->ncuts; k++) {
		seg = t->cuts[2 * k] - at;
		memcpy(out + n, t->text + at, seg);
		if (ll > 0)
			memcpy(out + n + seg, line, ll);
		n += seg + ll;
		at = t->cuts[2 * k + 1];
	}
	memcpy(out + n, t->text + at, t->len - at);
	return n + t->len - at;
}

/*
 * The feed of lineage as an audience's feed shows it (meta: its head,
 * no attendee) into out, from the texts members' feeds share, each
 * without its ATTENDEE lines: after a write, only the events that
 * changed are written by libical again.  *last_modified as the plan's.
 */
int
feed_lineage_text(struct qrm *q, struct store *st, const struct strv *lineage,
    const struct feed_meta *meta, struct buf *out, time_t *last_modified,
    struct qrm_error *err)
{
	struct plan		*p;
	const struct stext	*t;
	size_t			 i;
	int			 rc;

	if ((rc = plan_get(q, st, lineage, qrm_epoch(q), &p, err)) != QRM_OK)
		return rc;
	*last_modified = p->last_modified;
	if (buf_reserve(out, 4096 + p->zones.len + p->plain) == -1)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	if (rc == QRM_OK && (rc = ical_feed_props(meta, out, err)) == QRM_OK &&
	    buf_append(out, p->zones.p, p->zones.len) == -1)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	for (i = 0; rc == QRM_OK && i < p->n; i++) {
		if ((t = p->text[i]) == NULL) {
			rc = ical_feed_event(meta, p->ev[i], out, err);
			continue;
		}
		if (buf_reserve(out, t->plain) == -1) {
			rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
			break;
		}
		out->len += stext_copy(t, "", 0, out->p + out->len);
		out->p[out->len] = '\0';
	}
	if (rc == QRM_OK)
		rc = ical_feed_tail(meta, out, err);
	plan_release(p);
	return rc;
}

/*
 * A member's feed in runs: their head, the plan's zones, each event of
 * the plan (its shared text with their ATTENDEE line put in at each
 * cut, or a mark's text of their own), and their tail (actions, end).
 * own holds all that is theirs; marks, sorted by event, are the events
 * they answered, and those that have no shared text.
 */
struct mark {
	size_t	ev;
	int	slot;		/* the line put in, when shared */
	size_t	off, len;	/* len > 0: their own text of it, in own */
};

struct runs {
	struct plan	*plan;
	struct buf	 own;
	size_t		 props;		/* own[0, props): the head */
	size_t		 line_off[4];
	size_t		 line_len[4];
	struct mark	*marks;
	size_t		 nmarks;
	size_t		 tail_off, tail_len;
};

void
runs_free(struct runs *r)
{
	if (r == NULL)
		return;
	plan_release(r->plan);
	buf_free(&r->own);
	free(r->marks);
	free(r);
}

size_t
runs_bytes(const struct runs *r)
{
	return sizeof(*r) + r->own.cap + r->nmarks * sizeof(*r->marks);
}

static const struct mark *
mark_of(const struct runs *r, const struct feed_cursor *c)
{
	if (c->mark < r->nmarks && r->marks[c->mark].ev == c->ev)
		return &r->marks[c->mark];
	return NULL;
}

/* The segment the cursor is in: 1, or 0 past the end. */
static int
seg_at(const struct runs *r, const struct feed_cursor *c, const char **p,
    size_t *len)
{
	const struct mark	*m;
	const struct stext	*t;
	size_t			 k, from, to;
	int			 slot;

	switch (c->phase) {
	case 0:
		*p = r->own.p;
		*len = r->props;
		return 1;
	case 1:
		*p = r->plan->zones.p;
		*len = r->plan->zones.len;
		return 1;
	case 2:
		if ((m = mark_of(r, c)) != NULL && m->len > 0) {
			*p = r->own.p + m->off;
			*len = m->len;
			return 1;
		}
		slot = m != NULL ? m->slot : 0;
		t = r->plan->text[c->ev];
		if (c->seg % 2 == 1) {
			*p = r->own.p + r->line_off[slot];
			*len = r->line_len[slot];
			return 1;
		}
		k = c->seg / 2;
		from = k == 0 ? 0 : t->cuts[2 * k - 1];
		to = k < t->ncuts ? t->cuts[2 * k] : t->len;
		*p = t->text + from;
		*len = to - from;
		return 1;
	case 3:
		*p = r->own.p + r->tail_off;
		*len = r->tail_len;
		return 1;
	default:
		return 0;
	}
}

static void
seg_next(const struct runs *r, struct feed_cursor *c)
{
	const struct mark	*m;
	size_t			 nseg;

	c->in = 0;
	if (c->phase != 2) {
		c->phase++;
		if (c->phase == 2 && r->plan->n == 0)
			c->phase = 3;
		return;
	}
	m = mark_of(r, c);
	nseg = m != NULL && m->len > 0 ? 1 : 2 * r->plan->text[c->ev]->ncuts +
	    1;
	if (++c->seg < nseg)
		return;
	c->seg = 0;
	if (m != NULL)
		c->mark++;
	if (++c->ev == r->plan->n)
		c->phase = 3;
}

/*
 * Event ev of r, shared and unanswered (the line of slot 0 at each cut),
 * into out when it fits in max: its length, or 0 when it does not.
 */
static size_t
event_whole(const struct runs *r, size_t ev, char *out, size_t max)
{
	const struct stext	*t = r->plan->text[ev];

	if (t->plain + t->ncuts * r->line_len[0] > max)
		return 0;
	return stext_copy(t, r->own.p + r->line_off[0], r->line_len[0], out);
}
/*
 * Up to max bytes of f from pos into out: how many (0 at the end).  The
 * cursor says where the last read ended, so reading on is cheap; a read
 * elsewhere finds its place from the start.
 */
size_t
feed_read(const struct feed *f, struct feed_cursor *c, uint64_t pos,
    char *out, size_t max)
{
	const struct runs	*r = f->runs;
	const char		*p;
	size_t			 len, n, done = 0;

	if (r == NULL) {
		if (pos >= f->len)
			return 0;
		n = f->len - (size_t)pos < max ? f->len - (size_t)pos : max;
		memcpy(out, f->body + pos, n);
		return n;
	}
	if (pos < c->pos)
		memset(c, 0, sizeof(*c));
	while (c->pos < pos && seg_at(r, c, &p, &len)) {
		n = len - c->in;
		if (n > pos - c->pos)
			n = (size_t)(pos - c->pos);
		c->in += n;
		c->pos += n;
		if (c->in == len)
			seg_next(r, c);
	}
	while (done < max && seg_at(r, c, &p, &len)) {
		/* most events: shared, unanswered, whole in what is left */
		if (c->phase == 2 && c->seg == 0 && c->in == 0 &&
		    mark_of(r, c) == NULL && (n = event_whole(r, c->ev,
		    out + done, max - done)) > 0) {
			done += n;
			c->pos += n;
			if (++c->ev == r->plan->n)
				c->phase = 3;
			continue;
		}
		n = len - c->in;
		if (n > max - done)
			n = max - done;
		if (n > 0)
			memcpy(out + done, p + c->in, n);
		done += n;
		c->in += n;
		c->pos += n;
		if (c->in == len)
			seg_next(r, c);
	}
	return done;
}

/* The gzip of a feed in runs, read out block by block. */
int
runs_gzip(struct feed *f, int level, char **out, size_t *outlen)
{
	struct feed_cursor	 c;
	z_stream		 z;
	size_t			 cap = deflateBound(NULL, f->len) + 64, n;
	char			*p, *block;
	int			 rc = 0, zr;

	memset(&c, 0, sizeof(c));
	memset(&z, 0, sizeof(z));
	if ((p = malloc(cap)) == NULL || (block = malloc(65536)) == NULL) {
		free(p);
		return -1;
	}
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		free(block);
		free(p);
		return -1;
	}
	z.next_out = (Bytef *)p;
	z.avail_out = (uInt)cap;
	do {
		n = feed_read(f, &c, c.pos, block, 65536);
		z.next_in = (Bytef *)block;
		z.avail_in = (uInt)n;
		zr = deflate(&z, n == 0 ? Z_FINISH : Z_NO_FLUSH);
		if (zr == Z_STREAM_ERROR || (n > 0 && z.avail_in > 0) ||
		    (n == 0 && zr != Z_STREAM_END))
			rc = -1;
	} while (n > 0 && rc == 0);
	*outlen = z.total_out;
	deflateEnd(&z);
	free(block);
	if (rc == -1) {
		free(p);
		return -1;
	}
	/* deflateBound() is the size of the text: keep what it took */
	*out = realloc(p, *outlen > 0 ? *outlen : 1);
	if (*out == NULL)
		*out = p;
	return 0;
}

/* The place in p of event id, or -1: the index made on first use. */
static ssize_t
plan_index(struct plan *p, int64_t id)
{
	struct plan_id	 key, *hit = NULL, *v;
	size_t		 i;

	pthread_mutex_lock(&p->byid_mu);
	if (p->byid == NULL && p->n > 0 &&
	    (v = malloc(p->n * sizeof(*v))) != NULL) {
		for (i = 0; i < p->n; i++) {
			v[i].id = p->ev[i]->id;
			v[i].at = i;
		}
		qsort(v, p->n, sizeof(*v), by_id);
		p->byid = v;
	}
	key.id = id;
	if (p->byid != NULL)
		hit = bsearch(&key, p->byid, p->n, sizeof(key), by_id);
	pthread_mutex_unlock(&p->byid_mu);
	return hit != NULL ? (ssize_t)hit->at : -1;
}

static int
mark_cmp(const void *x, const void *y)
{
	const struct mark	*a = x, *b = y;

	return (a->ev > b->ev) - (a->ev < b->ev);
}

/* The member's ATTENDEE line for slot into r->own, once. */
static int
runs_line(struct runs *r, const struct feed_meta *meta, int slot)
{
	char	*line;
	int	 rc;

	if (r->line_len[slot] > 0)
		return 0;
	if ((line = ical_attendee_text(meta->attendee, slot)) == NULL)
		return -1;
	r->line_off[slot] = r->own.len;
	r->line_len[slot] = strlen(line);
	rc = buf_puts(&r->own, line);
	free(line);
	return rc;
}

/*
 * Lay out meta's member's feed over plan p (whose reference it takes):
 * their head and tail, their line for each answer, and their own text
 * of each event that cannot be the shared one.  *len: its bytes.
 */
static int
runs_make(struct plan *p, const struct feed_meta *meta, struct runs **out,
    size_t *len, struct qrm_error *err)
{
	struct runs		*r;
	struct mark		*m;
	ssize_t			 at;
	const struct stext	*t;
	size_t			 i, n = 0, k;
	int			 all_own, slot, rc = QRM_OK;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		plan_release(p);
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	r->plan = p;
	all_own = !ical_shared_ok(meta, NULL, &slot);
	/* the events that may differ: each answered, each not shared */
	k = meta->rsvps != NULL ? meta->rsvps->n : 0;
	for (i = 0; i < p->n; i++)
		if (all_own || p->text[i] == NULL)
			k++;
	if (k > 0 && (r->marks = calloc(k, sizeof(*r->marks))) == NULL)
		goto oom;
	for (i = 0; !all_own && meta->rsvps != NULL && i < meta->rsvps->n;
	    i++) {
		if ((at = plan_index(p, meta->rsvps->v[i].event)) >= 0)
			r->marks[n++].ev = (size_t)at;
	}
	for (i = 0; i < p->n; i++)
		if (all_own || p->text[i] == NULL)
			r->marks[n++].ev = i;
	if (n > 1)
		qsort(r->marks, n, sizeof(*r->marks), mark_cmp);
	if ((rc = ical_feed_props(meta, &r->own, err)) != QRM_OK)
		goto fail;
	r->props = r->own.len;
	*len = r->props + p->zones.len;
	if (!all_own && p->lines > 0 && runs_line(r, meta, 0) == -1)
		goto oom;
	*len += p->plain + p->lines * r->line_len[0];
	for (i = k = 0; i < n; i++) {
		if (k > 0 && r->marks[k - 1].ev == r->marks[i].ev)
			continue;	/* answered twice (dates of a series) */
		m = &r->marks[k++];
		*m = r->marks[i];
		t = p->text[m->ev];
		if (t != NULL)
			*len -= t->plain + t->ncuts * r->line_len[0];
		if (!all_own && t != NULL && ical_shared_ok(meta,
		    p->ev[m->ev], &slot)) {
			if (runs_line(r, meta, slot) == -1)
				goto oom;
			m->slot = slot;
			*len += t->plain + t->ncuts * r->line_len[slot];
			continue;
		}
		m->off = r->own.len;
		if ((rc = ical_feed_event(meta, p->ev[m->ev], &r->own, err)) !=
		    QRM_OK)
			goto fail;
		m->len = r->own.len - m->off;
		*len += m->len;
	}
	r->nmarks = k;
	r->tail_off = r->own.len;
	if ((rc = ical_feed_tail(meta, &r->own, err)) != QRM_OK)
		goto fail;
	r->tail_len = r->own.len - r->tail_off;
	*len += r->tail_len;
	*out = r;
	return QRM_OK;
oom:
	rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
fail:
	runs_free(r);
	return rc;
}

/*
 * A member's own feed: with events (the personal feed: their audiences'
 * events, their answers, their actions) or without (the actions feed).
 * Kept by its version for the epoch: between writes a poll is a lookup
 * in memory, and after one it is laid out again over the lineage's new
 * plan, which costs a few reads of the member's own rows.
 */
static int
feed_member_get(struct qrm *q, const char *token, int with_events,
    struct feed **out, struct qrm_error *err)
{
	int64_t			 alarm = 0, epoch = qrm_epoch(q);
	int64_t			 version, changed_at = 0;
	struct store		*st;
	struct member		 m;
	struct strv		 lineage = { 0 };
	struct event_list	 none = { 0 };
	struct feed_meta	 meta;
	struct attendance_list	 rsvps = { 0 };
	struct action_list	 acts = { 0 };
	struct buf		 body = { 0 };
	struct plan		*plan = NULL;
	struct runs		*runs = NULL;
	struct feed		*f;
	char			 key[80], name[300], etag[FEED_ETAG_LEN];
	time_t			 lm;
	size_t			 len = 0;
	enum feed_level		 level = LEVEL_FULL;
	int			 rc;

	*out = NULL;
	memset(&m, 0, sizeof(m));
	if (core_feed_version_cached(q, token, with_events, epoch, today(),
	    etag)) {
		snprintf(key, sizeof(key), "v:%s", etag);
		if ((*out = feed_cache_get(q, key, epoch, today())) != NULL)
			return QRM_OK;
	}
	if ((rc = member_feed_head(q, token, with_events, &st, &m, &lineage,
	    &level, etag, err)) != QRM_OK)
		goto out;
	core_feed_version_keep(q, token, with_events, epoch, today(), etag);
	snprintf(key, sizeof(key), "v:%s", etag);
	if ((*out = feed_cache_get(q, key, epoch, today())) != NULL)
		goto out;
	/* Last-Modified: the plan's, read with its events in this epoch */
	if (with_events) {
		if ((rc = plan_get(q, st, &lineage, epoch, &plan, err)) !=
		    QRM_OK ||
		    (rc = store_attendance_of_member(st, m.id, &rsvps, err)))
			goto out;
		lm = plan->last_modified;
	} else if ((rc = store_data_version(st, &version, &changed_at)) !=
	    QRM_OK)
		goto out;
	else
		lm = (time_t)changed_at;
	/* a lower level shows no action: their titles are the detail */
	if (level == LEVEL_FULL && (rc = member_actions(st, m.id, &acts,
	    err)) != QRM_OK)
		goto out;
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
	/* its ETag is its version, known before it is built */
	if (!with_events) {
		if ((rc = ical_feed_build(&meta, &none, &body, err)) == QRM_OK)
			rc = feed_new(&body, lm, 0, 60, etag, &f, err);
	} else {
		rc = runs_make(plan, &meta, &runs, &len, err);
		plan = NULL;	/* the runs' now */
		if (rc == QRM_OK && (rc = feed_new(NULL, lm, 0, 60, etag, &f,
		    err)) == QRM_OK) {
			f->runs = runs;
			f->len = len;
			runs = NULL;
		}
	}
	if (rc != QRM_OK)
		goto out;
	snprintf(name, sizeof(name), "member %lld", (long long)m.id);
	feed_size_note(q, name, f->len);
	feed_cache_put(q, key, epoch, today(), f);
	*out = f;
out:
	runs_free(runs);
	plan_release(plan);
	buf_free(&body);
	attendance_list_free(&rsvps);
	action_list_free(&acts);
	strv_free(&lineage);
	member_clear(&m);
	return rc;
}

/*
 * Member id's personal feed in full as its link serves it, built whole
 * (every event written for them by libical, none of the shared texts):
 * for an official to see what a member's calendar gets.
 */
int
feed_member_whole(struct qrm *q, const struct actor *actor, int64_t id,
    struct buf *out, struct qrm_error *err)
{
	int64_t			 alarm = 0;
	struct store		*st;
	struct member		 m;
	struct strv		 lineage = { 0 };
	struct event_list	 evs = { 0 };
	struct feed_meta	 meta;
	struct attendance_list	 rsvps = { 0 };
	struct action_list	 acts = { 0 };
	struct plan		*plan = NULL;
	char			 name[300];
	size_t			 i;
	int			 rc;

	if ((rc = core_member_get(q, actor, id, &m, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL) {
		member_clear(&m);
		return QRM_EDB;
	}
	if ((rc = core_member_lineage(st, &m, &lineage, err)) != QRM_OK ||
	    (rc = plan_get(q, st, &lineage, qrm_epoch(q), &plan, err)) !=
	    QRM_OK ||
	    (rc = store_attendance_of_member(st, m.id, &rsvps, err)) !=
	    QRM_OK ||
	    (rc = member_actions(st, m.id, &acts, err)) != QRM_OK)
		goto out;
	if (plan->n > 0 && (evs.v = malloc(plan->n * sizeof(*evs.v))) ==
	    NULL) {
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		goto out;
	}
	for (i = 0; i < plan->n; i++)
		evs.v[evs.n++] = *plan->ev[i];	/* shallow copies */
	snprintf(name, sizeof(name), "quorum: %s", m.name);
	memset(&meta, 0, sizeof(meta));
	meta.name = name;
	meta.description = "Your union meetings and actions";
	meta.refresh_minutes = 60;
	meta.tzid = QRM_DEFAULT_TZ;
	meta.attendee = &m;
	meta.rsvps = &rsvps;
	if (m.feed_alarm != NULL && reminders_parse(m.feed_alarm, &alarm) == 1)
		meta.alarm = alarm;
	meta.actions = &acts;
	meta.level = LEVEL_FULL;
	rc = ical_feed_build(&meta, &evs, out, err);
out:
	free(evs.v);
	plan_release(plan);
	attendance_list_free(&rsvps);
	action_list_free(&acts);
	strv_free(&lineage);
	member_clear(&m);
	return rc;
}

/*
 * Forget what the process keeps for q, as it closes: another context
 * opened after it may have its address, and counts epochs from 1 again.
 */
void
feed_personal_forget(const struct qrm *q)
{
	struct aud_events	*auds[AUD_SLOTS];
	struct plan		*plans[PLAN_SLOTS];
	size_t			 i, na = 0, np = 0;

	pthread_mutex_lock(&lsig_mu);
	for (i = 0; i < LSIG_SLOTS; i++)
		if (lsigs[i].q == q) {
			free(lsigs[i].lineage);
			free(lsigs[i].sig);
			memset(&lsigs[i], 0, sizeof(lsigs[i]));
		}
	pthread_mutex_unlock(&lsig_mu);
	pthread_mutex_lock(&plan_mu);
	for (i = 0; i < PLAN_SLOTS; i++)
		if (plan_slots[i] != NULL && plan_slots[i]->q == q) {
			plans[np++] = plan_slots[i];
			plan_slots[i] = NULL;
		}
	pthread_mutex_unlock(&plan_mu);
	pthread_mutex_lock(&aud_mu);
	for (i = 0; i < AUD_SLOTS; i++)
		if (aud_slots[i] != NULL && aud_slots[i]->q == q) {
			auds[na++] = aud_slots[i];
			aud_slots[i] = NULL;
		}
	pthread_mutex_unlock(&aud_mu);
	for (i = 0; i < np; i++)
		plan_release(plans[i]);
	for (i = 0; i < na; i++)
		aud_events_release(auds[i]);
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
