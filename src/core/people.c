/*
 * people.c: members, tokens and who may see what.  Tokens are 256 bits
 * from the OS random source, shown once and stored only as SHA-256.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core_int.h"
#include "quorum/store.h"

#define TOKEN_BYTES	32
#define TOKEN_LEN	43	/* base64url of 32 bytes, unpadded */

int
core_random_hex(char *out, size_t bytes)
{
	unsigned char	raw[64];

	if (bytes > sizeof(raw))
		return -1;
	randombytes_buf(raw, bytes);
	sodium_bin2hex(out, bytes * 2 + 1, raw, bytes);
	return 0;
}

int
core_require_role(const struct actor *a, enum role min, struct qrm_error *err)
{
	if (a->role >= min)
		return QRM_OK;
	return qrm_seterr(err, QRM_EFORBIDDEN, "", "this needs the role %s "
	    "or higher; you are %s", role_names[min], role_names[a->role]);
}

static void
token_hash(const char *token, char hex[65])
{
	unsigned char	h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

static int
token_format_ok(const char *token)
{
	size_t	i;

	if (token == NULL || strlen(token) != TOKEN_LEN)
		return 0;
	for (i = 0; i < TOKEN_LEN; i++)
		if (!isalnum((unsigned char)token[i]) && token[i] != '-' &&
		    token[i] != '_')
			return 0;
	return 1;
}

/*
 * A new secret (tokens, sign-in links, sessions): 256 random bits as
 * base64url into text, and the SHA-256 that is all the database keeps
 * into hash.
 */
void
core_secret_new(char text[CORE_SECRET_LEN + 1], char hash[65])
{
	unsigned char	raw[TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(text, CORE_SECRET_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	token_hash(text, hash);
}

/* The hash of a presented secret; -1 if it is not one by its form. */
int
core_secret_hash(const char *text, char hash[65])
{
	if (!token_format_ok(text))
		return -1;
	token_hash(text, hash);
	return 0;
}

/*
 * Issue a token of scope for member; *token (the caller frees it) is
 * the only copy of the secret there will ever be.
 */
int
core_token_issue(struct qrm *q, const struct actor *a, int64_t member,
    enum token_scope scope, enum feed_level level, char **token,
    struct qrm_error *err)
{
	struct store	*st;
	struct member	 m;
	char		 text[TOKEN_LEN + 1], hash[65], object[32];
	int		 rc;

	*token = NULL;
	if (a->member != member &&
	    (rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_member_get(st, member, &m, err)) != QRM_OK)
		return rc;
	member_clear(&m);
	core_secret_new(text, hash);
	snprintf(object, sizeof(object), "member/%lld", (long long)member);
	if (scope != SCOPE_FEED && level != LEVEL_FULL)
		return qrm_seterr(err, QRM_EINVAL, "level", "a level is for "
		    "feed tokens");
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_token_insert(st, member, scope, level, hash, NULL,
	    err)) != QRM_OK || (rc = store_audit_add(st, a->name,
	    "token.issue", object, scope == SCOPE_FEED && level !=
	    LEVEL_FULL ? feed_level_names[level] : token_scope_names[scope],
	    err)) != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	if ((rc = store_tx_commit(st, err)) != QRM_OK)
		return rc;
	if ((*token = strdup(text)) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	return QRM_OK;
}

/*
 * The member holding token for scope, into *m (the caller clears it).
 * QRM_EUNAUTH for anything else.  The token is looked up by its SHA-256,
 * so the secret itself is never compared byte by byte.
 */
int
core_auth(struct qrm *q, enum token_scope scope, const char *token,
    struct member *m, struct qrm_error *err)
{
	enum feed_level	level;

	return core_auth_level(q, scope, token, m, &level, err);
}

/* The same, with the token's level of detail. */
int
core_auth_level(struct qrm *q, enum token_scope scope, const char *token,
    struct member *m, enum feed_level *level, struct qrm_error *err)
{
	struct store	*st;
	char		 hash[65], stored[65];
	int64_t		 id;
	int		 rc;

	memset(m, 0, sizeof(*m));
	*level = LEVEL_FULL;
	if (core_secret_hash(token, hash) == -1)
		return qrm_seterr(err, QRM_EUNAUTH, "token",
		    "a valid token is required");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_token_member(st, scope, hash, &id, stored, level,
	    err)) != QRM_OK)
		return rc;
	/* found by its hash; compared again in constant time all the same */
	if (sodium_memcmp(hash, stored, sizeof(hash)) != 0)
		return qrm_seterr(err, QRM_EUNAUTH, "token",
		    "unknown or revoked token");
	return store_member_get(st, id, m, err);
}

int
core_audience_list(struct qrm *q, struct audience_list *out,
    struct qrm_error *err)
{
	struct store	*st;

	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	return store_audience_list(st, out, err);
}

/* Every audience m belongs to, with all their ancestors. */
int
core_member_lineage(struct store *st, const struct member *m,
    struct strv *out, struct qrm_error *err)
{
	size_t	i;
	int	rc;

	for (i = 0; i < m->audiences.n; i++)
		if ((rc = store_audience_lineage(st, m->audiences.v[i], out,
		    err)) != QRM_OK)
			return rc;
	return QRM_OK;
}

/*
 * May m (NULL: anonymous) see the feed of a?  Public feeds: anyone.
 * Officials' feeds: officials and admins.  Members' feeds: officials,
 * and members of the audience or of any audience below it (lineage:
 * m's audiences and their ancestors; needed for that case alone).
 */
static int
may_see(const struct member *m, const struct audience *a,
    const struct strv *lineage)
{
	if (a->visibility == VIS_PUBLIC)
		return 1;
	if (m == NULL || !m->active)
		return 0;
	if (m->role >= ROLE_OFFICIAL)
		return 1;
	if (a->visibility == VIS_OFFICIALS)
		return 0;
	return lineage != NULL && strv_contains(lineage, a->slug);
}

int
core_may_see_audience(struct qrm *q, const struct member *m,
    const struct audience *a, struct qrm_error *err)
{
	struct store	*st;
	struct strv	 lineage = { 0 };
	int		 yes;

	if (a->visibility == VIS_PUBLIC)
		return 1;
	if (m == NULL || !m->active || m->role >= ROLE_OFFICIAL ||
	    a->visibility == VIS_OFFICIALS)
		return may_see(m, a, NULL);
	if ((st = qrm_store(q, err)) == NULL)
		return 0;
	if (core_member_lineage(st, m, &lineage, err) != QRM_OK) {
		strv_free(&lineage);
		return 0;
	}
	yes = may_see(m, a, &lineage);
	strv_free(&lineage);
	return yes;
}

/* The id of the member with that email, or 0. */
int64_t
core_member_id_by_email(struct qrm *q, const char *email)
{
	struct store	*st;
	struct member	 m;
	int64_t		 id = 0;

	if ((st = qrm_store(q, NULL)) != NULL &&
	    store_member_get_email(st, email, &m, NULL) == QRM_OK) {
		id = m.id;
		member_clear(&m);
	}
	return id;
}

static int
token_row_json(void *arg, const struct token_row *t)
{
	char	created[32], revoked[32];

	utc_format(t->created, created, sizeof(created));
	utc_format(t->revoked, revoked, sizeof(revoked));
	json_array_append_new(arg, json_pack("{s:I, s:I, s:s, s:s, s:s, "
	    "s:o}", "id", (json_int_t)t->id, "member", (json_int_t)t->member,
	    "scope", token_scope_names[t->scope], "level",
	    feed_level_names[t->level], "created", created, "revoked",
	    t->revoked ? json_string(revoked) : json_null()));
	return 0;
}

/*
 * The tokens of member (0: everyone's) as {"items": [...]}, never the
 * secrets.  Officials see anyone's; a member only their own.
 */
int
core_token_list(struct qrm *q, const struct actor *a, int64_t member,
    json_t **out, struct qrm_error *err)
{
	struct store	*st;
	json_t		*items;
	int		 rc;

	*out = NULL;
	if (a->role < ROLE_OFFICIAL) {
		if (member != 0 && member != a->member)
			return qrm_seterr(err, QRM_EFORBIDDEN, "member",
			    "you may list only your own tokens");
		member = a->member;
	}
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	items = json_array();
	if ((rc = store_token_list(st, member, token_row_json, items, err)) !=
	    QRM_OK) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o}", "items", items);
	return QRM_OK;
}

/* Revoke token id: its holder or an official.  At once, for good. */
int
core_token_revoke(struct qrm *q, const struct actor *a, int64_t id,
    struct qrm_error *err)
{
	struct store	*st;
	int64_t		 owner;
	char		 object[32];
	int		 rc;

	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_token_owner(st, id, &owner, err)) != QRM_OK)
		goto fail;
	if (owner != a->member && (rc = core_require_role(a, ROLE_OFFICIAL,
	    err)) != QRM_OK) {
		/* another's token: as if it did not exist */
		rc = qrm_seterr(err, QRM_ENOTFOUND, "token", "no token %lld",
		    (long long)id);
		goto fail;
	}
	snprintf(object, sizeof(object), "token/%lld", (long long)id);
	if ((rc = store_token_revoke(st, id, err)) != QRM_OK ||
	    (rc = store_audit_add(st, a->name, "token.revoke", object, NULL,
	    err)) != QRM_OK)
		goto fail;
	return store_tx_commit(st, err);
fail:
	store_tx_rollback(st);
	return rc;
}

static int
audit_row_json(void *arg, const struct audit_row *r)
{
	char	at[32];

	utc_format(r->at, at, sizeof(at));
	json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}",
	    "id", (json_int_t)r->id, "at", at, "actor", r->actor ? r->actor :
	    "", "verb", r->verb ? r->verb : "", "object", r->object ?
	    r->object : "", "detail", r->detail ? json_string(r->detail) :
	    json_null()));
	return 0;
}

/* The audit log after entry since (administrators only). */
int
core_audit_list(struct qrm *q, const struct actor *a, int64_t since,
    int limit, json_t **out, struct qrm_error *err)
{
	struct store	*st;
	json_t		*items;
	int		 rc;

	*out = NULL;
	if ((rc = core_require_role(a, ROLE_ADMIN, err)) != QRM_OK)
		return rc;
	if (limit < 1 || limit > 10000)
		return qrm_seterr(err, QRM_EINVAL, "limit",
		    "limit must be 1 to 10000");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	items = json_array();
	if ((rc = store_audit_list(st, since, limit, audit_row_json, items,
	    err)) != QRM_OK) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o}", "items", items);
	return QRM_OK;
}

/*
 * The feed-token cache: for each token seen in this epoch, its member
 * and the audiences that member may see, so that serving a cached feed
 * needs no database.  Only good tokens are kept.
 */
/*
 * Sets of four entries, a token's set by its hash: ten thousand members'
 * tokens in 16,384 entries seldom push each other out, where one entry a
 * hash would have nearly half of them do so.
 */
#define AUTH_SLOTS	16384
#define AUTH_WAYS	4

struct auth_entry {
	char		 hash[65];
	int64_t		 epoch;
	int64_t		 member;
	enum feed_level	 level;
	/* the versions of the holder's own feeds (me, actions), that day */
	char		 version[2][FEED_ETAG_LEN];
	int64_t		 version_day[2];
	struct strv	 visible;
	struct strv	 lineage;	/* the member's audiences, ancestors */
	int		 lineage_ok;
	struct member	 holder;	/* as read then */
	uint64_t	 used;		/* when last found, by the cache's clock */
};

struct auth_cache {
	pthread_mutex_t		mu;
	uint64_t		clock;
	struct auth_entry	e[AUTH_SLOTS];
};

struct auth_cache *
auth_cache_new(void)
{
	struct auth_cache	*c = calloc(1, sizeof(*c));

	if (c != NULL)
		pthread_mutex_init(&c->mu, NULL);
	return c;
}

void
auth_cache_free(struct auth_cache *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < AUTH_SLOTS; i++) {
		strv_free(&c->e[i].visible);
		strv_free(&c->e[i].lineage);
		member_clear(&c->e[i].holder);
	}
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* The set of entries token may be in (its hash into hash), or NULL. */
static struct auth_entry *
auth_set(struct qrm *q, const char *token, char hash[65])
{
	if (core_secret_hash(token, hash) == -1)
		return NULL;
	return &q->auth->e[strtoul((char[]){ hash[0], hash[1], hash[2],
	    hash[3], 0 }, NULL, 16) % (AUTH_SLOTS / AUTH_WAYS) * AUTH_WAYS];
}

/*
 * Under the lock: the entry of hash in set kept for epoch, or NULL; with
 * room, the entry to put it in (its own, one out of date, or the least
 * recently found).
 */
static struct auth_entry *
auth_find(struct auth_cache *c, struct auth_entry *set, const char *hash,
    int64_t epoch, int room)
{
	struct auth_entry	*best = NULL;
	size_t			 i;

	for (i = 0; i < AUTH_WAYS; i++)
		if (strcmp(set[i].hash, hash) == 0) {
			if (set[i].epoch == epoch || room) {
				set[i].used = ++c->clock;
				return &set[i];
			}
			return NULL;
		}
	for (i = 0; room && i < AUTH_WAYS; i++)
		if (best == NULL || set[i].epoch != epoch ||
		    set[i].used < best->used) {
			best = &set[i];
			if (set[i].epoch != epoch)
				break;
		}
	if (best != NULL)
		best->used = ++c->clock;
	return best;
}

/*
 * Check a feed token: *member is its holder; with slug, whether they may
 * see that audience's feed (QRM_EFORBIDDEN if not).  QRM_EUNAUTH for a
 * token that is not good.  Answers from memory within an epoch.
 */
int
core_feed_access(struct qrm *q, const char *token, const char *slug,
    int64_t *member, enum feed_level *level)
{
	struct auth_entry	*e, *set;
	struct audience_list	 all;
	struct member		 m;
	struct store		*st;
	struct strv		 visible = { 0 }, lineage = { 0 };
	char			 hash[65];
	int64_t			 epoch = qrm_epoch(q);
	size_t			 i;
	int			 found = 0, may = 0, lok;

	if ((set = auth_set(q, token, hash)) == NULL)
		return QRM_EUNAUTH;
	pthread_mutex_lock(&q->auth->mu);
	if ((e = auth_find(q->auth, set, hash, epoch, 0)) != NULL) {
		found = 1;
		*member = e->member;
		*level = e->level;
		may = slug == NULL || strv_contains(&e->visible, slug);
	}
	pthread_mutex_unlock(&q->auth->mu);
	if (found)
		return may ? QRM_OK : QRM_EFORBIDDEN;
	if (core_auth_level(q, SCOPE_FEED, token, &m, level, NULL) != QRM_OK)
		return QRM_EUNAUTH;
	/* the member's lineage read once for all the audiences */
	lok = (st = qrm_store(q, NULL)) != NULL &&
	    core_member_lineage(st, &m, &lineage, NULL) == QRM_OK;
	if (lok && core_audience_list(q, &all, NULL) == QRM_OK) {
		for (i = 0; i < all.n; i++)
			if (may_see(&m, &all.v[i], &lineage))
				strv_push(&visible, all.v[i].slug);
		audience_list_free(&all);
	}
	*member = m.id;
	may = slug == NULL || strv_contains(&visible, slug);
	pthread_mutex_lock(&q->auth->mu);
	e = auth_find(q->auth, set, hash, epoch, 1);
	member_clear(&e->holder);
	e->holder = m;		/* the entry's now */
	strv_free(&e->visible);
	strv_free(&e->lineage);
	e->lineage = lineage;
	e->lineage_ok = lok;
	memset(e->version_day, 0, sizeof(e->version_day));
	snprintf(e->hash, sizeof(e->hash), "%s", hash);
	e->epoch = epoch;	/* read before the database: never too new */
	e->member = *member;
	e->level = *level;
	e->visible = visible;
	pthread_mutex_unlock(&q->auth->mu);
	return may ? QRM_OK : QRM_EFORBIDDEN;
}

/*
 * The holder of token and their lineage (their audiences and all their
 * ancestors) as core_feed_access() read them in epoch, into m and
 * lineage (the caller clears both): 1, or 0 when they are not kept.
 */
int
core_feed_holder(struct qrm *q, const char *token, int64_t epoch,
    struct member *m, struct strv *lineage)
{
	struct auth_entry	*e;
	char			 hash[65];
	int			 yes = 0;

	memset(m, 0, sizeof(*m));
	if ((e = auth_set(q, token, hash)) == NULL)
		return 0;
	pthread_mutex_lock(&q->auth->mu);
	if ((e = auth_find(q->auth, e, hash, epoch, 0)) != NULL &&
	    e->holder.id != 0 && e->lineage_ok)
		yes = member_copy(m, &e->holder) == 0 &&
		    strv_copy(lineage, &e->lineage) == 0;
	pthread_mutex_unlock(&q->auth->mu);
	if (!yes) {
		member_clear(m);
		strv_free(lineage);
	}
	return yes;
}

/*
 * The version of the own feed (with_events: me, else actions) of the
 * holder of token, as kept for epoch and day by core_feed_version_keep():
 * 1 and etag when it is, 0 when it must be worked out.  Polling between
 * writes costs a lookup in memory.
 */
int
core_feed_version_cached(struct qrm *q, const char *token, int with_events,
    int64_t epoch, int64_t day, char *etag)
{
	struct auth_entry	*e;
	char			 hash[65];
	int			 yes = 0;

	if ((e = auth_set(q, token, hash)) == NULL)
		return 0;
	pthread_mutex_lock(&q->auth->mu);
	if ((e = auth_find(q->auth, e, hash, epoch, 0)) != NULL &&
	    e->version_day[with_events != 0] == day) {
		memcpy(etag, e->version[with_events != 0], FEED_ETAG_LEN);
		yes = 1;
	}
	pthread_mutex_unlock(&q->auth->mu);
	return yes;
}

/* Keep etag as that version, when the token's entry is of epoch still. */
void
core_feed_version_keep(struct qrm *q, const char *token, int with_events,
    int64_t epoch, int64_t day, const char *etag)
{
	struct auth_entry	*e;
	char			 hash[65];

	if ((e = auth_set(q, token, hash)) == NULL)
		return;
	pthread_mutex_lock(&q->auth->mu);
	if ((e = auth_find(q->auth, e, hash, epoch, 0)) != NULL) {
		snprintf(e->version[with_events != 0], FEED_ETAG_LEN, "%s",
		    etag);
		e->version_day[with_events != 0] = day;
	}
	pthread_mutex_unlock(&q->auth->mu);
}
