/*
 * signin.c: signing in by e-mail.  A one-time link (256 random bits,
 * stored as its SHA-256) opens a session (another 256 bits, stored the
 * same way) that ends when idle too long, at an absolute end, when
 * revoked, or when its member is deactivated or erased.  Members are
 * invited by a welcome e-mail and ask for a new link themselves; both
 * go through the outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core_int.h"

#define SECRET_LEN	CORE_SECRET_LEN
#define TOUCH_EVERY	60		/* seconds between last_seen writes */

static int64_t
env_number(const char *name, int64_t dflt, int64_t min, int64_t max)
{
	const char	*v = getenv(name);
	int64_t		 n;

	if (v == NULL || parse_int64(v, &n) == -1 || n < min || n > max)
		return dflt;
	return n;
}

/*
 * How long a cancelled meeting stays in feeds (as cancelled) after it
 * is over: $QUORUM_CANCELLED_DAYS, QRM_CANCELLED_RETENTION_DAYS unset.
 */
int64_t
core_cancelled_days(void)
{
	return env_number("QUORUM_CANCELLED_DAYS",
	    QRM_CANCELLED_RETENTION_DAYS, 1, 3650);
}

/* How long links and sessions last, from the environment. */
void
signin_settings_env(struct signin_settings *s)
{
	s->link_minutes = env_number("QUORUM_SIGNIN_MINUTES", 30, 1, 1440);
	s->invite_hours = env_number("QUORUM_INVITE_HOURS", 72, 1, 720);
	s->idle_days = env_number("QUORUM_SESSION_IDLE_DAYS", 30, 1, 365);
	s->max_days = env_number("QUORUM_SESSION_DAYS", 180, 1, 3650);
}

/*
 * A link for member valid for seconds, inside the caller's transaction:
 * base + "/signin/" + the secret into *url (the caller frees it).
 */
static int
link_new(struct store *st, int64_t member, int64_t seconds, const char *base,
    char **url, struct qrm_error *err)
{
	char	text[SECRET_LEN + 1], hash[65];
	int64_t	now = (int64_t)time(NULL);
	int	rc;

	core_secret_new(text, hash);
	if ((rc = store_signin_add(st, member, hash, now, now + seconds,
	    err)) != QRM_OK)
		return rc;
	if (asprintf(url, "%s/signin/%s", base, text) == -1) {
		*url = NULL;
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	return QRM_OK;
}

/*
 * `quorum login-link ID`: a sign-in link for member (officials and
 * administrators; the first administrator has no mail yet).
 */
int
core_signin_link(struct qrm *q, const struct actor *a, int64_t member,
    const char *base, char **url, struct qrm_error *err)
{
	struct signin_settings	 ss;
	struct store		*st;
	struct member		 m;
	char			 object[32];
	int			 rc;

	*url = NULL;
	signin_settings_env(&ss);
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_member_get(st, member, &m, err)) != QRM_OK)
		return rc;
	rc = m.active ? QRM_OK : qrm_seterr(err, QRM_EINVAL, "member",
	    "member %lld is deactivated", (long long)member);
	member_clear(&m);
	if (rc != QRM_OK || (rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	snprintf(object, sizeof(object), "member/%lld", (long long)member);
	if ((rc = link_new(st, member, ss.link_minutes * 60, base, url,
	    err)) != QRM_OK || (rc = store_audit_add(st, a->name,
	    "signin.link", object, NULL, err)) != QRM_OK) {
		store_tx_rollback(st);
		free(*url);
		*url = NULL;
		return rc;
	}
	return store_tx_commit_quiet(st, err);
}

static char *
welcome_body(const struct member *m, const char *url, const char *base,
    int hours)
{
	struct buf	b = { 0 };

	buf_printf(&b, "Dear %s,\n\n"
	    "Your union now keeps its meetings in quorum: workshops, JES "
	    "panels, employer meetings and members' briefings, and the "
	    "actions that come out of them.\n\n"
	    "Sign in with this link (it works once, for %d hours):\n\n"
	    "  %s\n\n"
	    "On your page you can add the union's calendars to your phone or "
	    "computer, so that every meeting for you appears there and stays "
	    "up to date by itself. You can also say whether you are coming.\n\n"
	    "Your page: %s/me\n"
	    "If the link has expired, ask for a new one at %s/signin\n\n"
	    "You are receiving this because you are a member of the union. "
	    "Nobody else sees this link; do not forward it.\n",
	    m->name, hours, url, base, base);
	return buf_detach(&b);
}

/*
 * Invite members: each active one gets a welcome e-mail with a one-time
 * link valid for $QUORUM_INVITE_HOURS (72).  ids (member ids as text),
 * or everyone in audience (and below), or all.  *report: {"invited":
 * [{"member", "email", "mail"}], "skipped": [{"member", "reason"}]}.
 */
int
core_member_invite(struct qrm *q, const struct actor *a,
    const struct strv *ids, const char *audience, int all, const char *base,
    json_t **report, struct qrm_error *err)
{
	struct signin_settings	 ss;
	struct store		*st;
	struct member_list	 l = { 0 };
	struct member		 m;
	json_t			*invited, *skipped;
	char			*url = NULL, *body = NULL, object[32];
	int64_t			 id, mail;
	size_t			 i;
	int			 rc;

	*report = NULL;
	signin_settings_env(&ss);
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if ((ids->n > 0) + (audience != NULL) + (all != 0) != 1)
		return qrm_seterr(err, QRM_EINVAL, "members", "name the members, "
		    "or an audience, or all");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (audience != NULL || all) {
		if ((rc = core_member_list(q, a, audience, NULL, 0, &l, err)))
			return rc;
	} else {
		if ((l.v = calloc(ids->n, sizeof(*l.v))) == NULL)
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		for (i = 0; i < ids->n; i++) {
			if (parse_int64(ids->v[i], &id) == -1 ||
			    store_member_get(st, id, &l.v[l.n], NULL) != QRM_OK) {
				member_list_free(&l);
				return qrm_seterr(err, QRM_EINVAL, "members",
				    "no member %s", ids->v[i]);
			}
			l.n++;
		}
	}
	invited = json_array();
	skipped = json_array();
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		goto out;
	for (i = 0; i < l.n && rc == QRM_OK; i++) {
		m = l.v[i];
		if (!m.active) {
			json_array_append_new(skipped, json_pack("{s:I, s:s}",
			    "member", (json_int_t)m.id, "reason", "deactivated"));
			continue;
		}
		snprintf(object, sizeof(object), "member/%lld", (long long)m.id);
		if ((rc = link_new(st, m.id, ss.invite_hours * 3600, base, &url,
		    err)) != QRM_OK)
			break;
		if ((body = welcome_body(&m, url, base,
		    (int)ss.invite_hours)) == NULL)
			rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		else if ((rc = outbox_queue(st, "welcome", &m, "Your union's "
		    "meetings, in your calendar", body, &mail, err)) == QRM_OK &&
		    (rc = store_audit_add(st, a->name, "member.invite", object,
		    NULL, err)) == QRM_OK)
			json_array_append_new(invited, json_pack("{s:I, s:s, "
			    "s:I}", "member", (json_int_t)m.id, "email", m.email,
			    "mail", (json_int_t)mail));
		free(url);
		free(body);
		url = body = NULL;
	}
	if (rc == QRM_OK)
		rc = store_tx_commit(st, err);
	else
		store_tx_rollback(st);
	if (rc == QRM_OK)
		*report = json_pack("{s:O, s:O}", "invited", invited,
		    "skipped", skipped);
out:
	json_decref(invited);
	json_decref(skipped);
	member_list_free(&l);
	return rc;
}

/*
 * The sign-in form: e-mail a link to the active member with this
 * address, at most one a minute.  Always QRM_OK for an address that is
 * unknown, so that the form tells nobody who is a member.
 */
int
core_signin_request(struct qrm *q, const char *email, const char *base,
    struct qrm_error *err)
{
	struct signin_settings	 ss;
	struct store		*st;
	struct member		 m;
	char			*url = NULL, *body = NULL;
	int64_t			 recent = 0, now = (int64_t)time(NULL);
	int			 rc;

	signin_settings_env(&ss);
	if (email == NULL || strchr(email, '@') == NULL || strlen(email) > 254)
		return qrm_seterr(err, QRM_EINVAL, "email", "enter the e-mail "
		    "address the union has for you, like name@example.org");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (store_member_get_email(st, email, &m, NULL) != QRM_OK)
		return QRM_OK;
	if (!m.active || store_signin_recent(st, m.id, now - 60, &recent,
	    NULL) != QRM_OK || recent > 0) {
		member_clear(&m);
		return QRM_OK;
	}
	if ((rc = store_tx_begin(st, err)) != QRM_OK) {
		member_clear(&m);
		return rc;
	}
	if ((rc = link_new(st, m.id, ss.link_minutes * 60, base, &url,
	    err)) == QRM_OK) {
		if (asprintf(&body, "Dear %s,\n\nHere is your link to sign in "
		    "to your union's meetings (it works once, for %d "
		    "minutes):\n\n  %s\n\nIf you did not ask for it, you can "
		    "leave this e-mail be: nobody can use it without your "
		    "mailbox.\n", m.name, (int)ss.link_minutes, url) == -1)
			body = NULL;
		rc = body == NULL ? qrm_seterr(err, QRM_ESYS, "",
		    "out of memory") : outbox_queue(st, "signin", &m,
		    "Your link to sign in", body, NULL, err);
	}
	if (rc == QRM_OK)
		rc = store_tx_commit_quiet(st, err);
	else
		store_tx_rollback(st);
	free(url);
	free(body);
	member_clear(&m);
	return rc;
}

/*
 * Spend a sign-in link (the secret from its URL) and open a session:
 * *cookie (the caller frees it) is the session's secret, *out the
 * session (its CSRF token, member).  QRM_ENOTFOUND for a link that is
 * unknown, used or expired.
 */
int
core_signin_redeem(struct qrm *q, const char *secret, const char *agent,
    char **cookie, struct session *out, struct qrm_error *err)
{
	struct signin_settings	 ss;
	struct store		*st;
	char			 hash[65], text[SECRET_LEN + 1], object[32];
	int64_t			 now = (int64_t)time(NULL);
	int			 rc;

	*cookie = NULL;
	memset(out, 0, sizeof(*out));
	signin_settings_env(&ss);
	if (core_secret_hash(secret, hash) == -1)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "this sign-in link "
		    "was used already or has expired");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_signin_redeem(st, hash, now, &out->member, err)))
		goto fail;
	core_secret_new(text, hash);
	core_random_hex(out->csrf, 32);
	out->created = out->last_seen = now;
	out->expires = now + ss.max_days * 86400;
	out->agent = agent != NULL ? strndup(agent, 200) : NULL;
	snprintf(object, sizeof(object), "member/%lld", (long long)out->member);
	if ((rc = store_session_add(st, out, hash, err)) != QRM_OK ||
	    (rc = store_audit_add(st, object, "signin", object, NULL, err)))
		goto fail;
	if ((rc = store_tx_commit_quiet(st, err)) != QRM_OK)
		goto clear;
	if ((*cookie = strdup(text)) == NULL)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	return rc;
fail:
	store_tx_rollback(st);
clear:
	free(out->agent);
	memset(out, 0, sizeof(*out));
	return rc;
}

/*
 * The member behind a session cookie: *m (the caller clears it) and *s
 * (the caller frees s->agent).  QRM_EUNAUTH when there is no live
 * session.  Its last sight is written at most once a minute.
 */
int
core_session_check(struct qrm *q, const char *cookie, struct member *m,
    struct session *s, struct qrm_error *err)
{
	struct signin_settings	 ss;
	struct store		*st;
	char			 hash[65];
	int64_t			 now = (int64_t)time(NULL);
	int			 rc;

	memset(m, 0, sizeof(*m));
	memset(s, 0, sizeof(*s));
	signin_settings_env(&ss);
	if (core_secret_hash(cookie, hash) == -1)
		return qrm_seterr(err, QRM_EUNAUTH, "", "not signed in");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_session_get(st, hash, now, now - ss.idle_days * 86400,
	    s, NULL)) != QRM_OK)
		return rc == QRM_ENOTFOUND ? qrm_seterr(err, QRM_EUNAUTH, "",
		    "not signed in") : rc;
	if ((rc = store_member_get(st, s->member, m, err)) != QRM_OK) {
		free(s->agent);
		return rc;
	}
	if (now - s->last_seen >= TOUCH_EVERY &&
	    store_tx_begin(st, NULL) == QRM_OK) {
		if (store_session_touch(st, s->id, now, NULL) == QRM_OK)
			store_tx_commit_quiet(st, NULL);
		else
			store_tx_rollback(st);
	}
	return QRM_OK;
}

/* End the session behind a cookie (signing out); quiet if there is none. */
int
core_session_end(struct qrm *q, const struct session *s,
    struct qrm_error *err)
{
	struct store	*st;
	int64_t		 n;
	int		 rc;

	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_session_revoke(st, s->id, (int64_t)time(NULL), &n,
	    err)) != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	return store_tx_commit_quiet(st, err);
}

/*
 * A feed token sealed for the browser behind cookie: the key is a hash
 * of the cookie, which only the browser holds, so the database alone
 * cannot give the token back.  *box (base64 of nonce and box) is the
 * caller's.
 */
static int
feed_seal(const char *cookie, const char *token, char **box)
{
	unsigned char	key[crypto_secretbox_KEYBYTES];
	unsigned char	raw[crypto_secretbox_NONCEBYTES +
			    crypto_secretbox_MACBYTES + SECRET_LEN];
	size_t		len = strlen(token), n;

	*box = NULL;
	if (len != SECRET_LEN)
		return -1;
	crypto_generichash(key, sizeof(key), (const unsigned char *)cookie,
	    strlen(cookie), (const unsigned char *)"quorum feed box", 15);
	randombytes_buf(raw, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(raw + crypto_secretbox_NONCEBYTES,
	    (const unsigned char *)token, len, raw, key);
	sodium_memzero(key, sizeof(key));
	n = sodium_base64_ENCODED_LEN(sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if ((*box = malloc(n)) == NULL)
		return -1;
	sodium_bin2base64(*box, n, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

static int
feed_open(const char *cookie, const char *box, char token[SECRET_LEN + 1])
{
	unsigned char	key[crypto_secretbox_KEYBYTES];
	unsigned char	raw[crypto_secretbox_NONCEBYTES +
			    crypto_secretbox_MACBYTES + SECRET_LEN];
	size_t		n;
	int		rc;

	if (sodium_base642bin(raw, sizeof(raw), box, strlen(box), NULL, &n,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof(raw))
		return -1;
	crypto_generichash(key, sizeof(key), (const unsigned char *)cookie,
	    strlen(cookie), (const unsigned char *)"quorum feed box", 15);
	rc = crypto_secretbox_open_easy((unsigned char *)token,
	    raw + crypto_secretbox_NONCEBYTES, sizeof(raw) -
	    crypto_secretbox_NONCEBYTES, raw, key);
	sodium_memzero(key, sizeof(key));
	token[SECRET_LEN] = '\0';
	return rc;
}

/* A new feed token for s's member, sealed into s (in a transaction). */
static int
feed_token_new(struct store *st, const struct session *s, const char *cookie,
    char **token, struct qrm_error *err)
{
	char	text[SECRET_LEN + 1], hash[65], *box = NULL, object[32];
	int64_t	id;
	int	rc;

	core_secret_new(text, hash);
	if (feed_seal(cookie, text, &box) == -1)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	snprintf(object, sizeof(object), "member/%lld", (long long)s->member);
	if ((rc = store_token_insert(st, s->member, SCOPE_FEED, LEVEL_FULL, hash, &id,
	    err)) == QRM_OK && (rc = store_session_feed_set(st, s->id, id, box,
	    err)) == QRM_OK)
		rc = store_audit_add(st, object, "token.issue", object, "feed",
		    err);
	free(box);
	if (rc == QRM_OK && (*token = strdup(text)) == NULL)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	return rc;
}

/*
 * The feed token of the browser behind cookie (session s), for its
 * member's page: the one sealed with it while it is live, else a new
 * one.  *token is the caller's.
 */
int
core_session_feed_token(struct qrm *q, const struct session *s,
    const char *cookie, char **token, struct qrm_error *err)
{
	struct store	*st;
	char		*box = NULL, text[SECRET_LEN + 1];
	int		 rc;

	*token = NULL;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_session_feed_get(st, s->id, &box, err)) != QRM_OK)
		return rc;
	if (box != NULL && feed_open(cookie, box, text) == 0) {
		free(box);
		if ((*token = strdup(text)) == NULL)
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		return QRM_OK;
	}
	free(box);
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = feed_token_new(st, s, cookie, token, err)) != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	return store_tx_commit(st, err);
}

/*
 * "Reset my links": every feed token of s's member revoked at once (old
 * links answer 404 from the next request), and a new one for this
 * browser.  *token is the caller's.
 */
int
core_session_reset_links(struct qrm *q, const struct session *s,
    const char *cookie, char **token, struct qrm_error *err)
{
	struct store	*st;
	char		 object[32];
	int		 rc;

	*token = NULL;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	snprintf(object, sizeof(object), "member/%lld", (long long)s->member);
	if ((rc = store_token_revoke_scope(st, s->member, SCOPE_FEED,
	    (int64_t)time(NULL), err)) != QRM_OK ||
	    (rc = store_audit_add(st, object, "token.reset", object, "feed",
	    err)) != QRM_OK ||
	    (rc = feed_token_new(st, s, cookie, token, err)) != QRM_OK) {
		store_tx_rollback(st);
		free(*token);
		*token = NULL;
		return rc;
	}
	return store_tx_commit(st, err);
}

/* `quorum session list`: the sessions of member (0: everyone's). */
int
core_session_list(struct qrm *q, const struct actor *a, int64_t member,
    struct session_list *out, struct qrm_error *err)
{
	struct store	*st;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = core_require_role(a, ROLE_ADMIN, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	return store_session_list(st, member, out, err);
}

/*
 * `quorum session revoke`: session id, or (id 0) every session of
 * member; audited.
 */
int
core_session_revoke(struct qrm *q, const struct actor *a, int64_t id,
    int64_t member, int64_t *n, struct qrm_error *err)
{
	struct store	*st;
	char		 object[32];
	int		 rc;

	*n = 0;
	if ((rc = core_require_role(a, ROLE_ADMIN, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if (id != 0)
		rc = store_session_revoke(st, id, (int64_t)time(NULL), n, err);
	else if ((rc = store_signin_end(st, member, (int64_t)time(NULL),
	    err)) == QRM_OK)
		*n = -1;
	snprintf(object, sizeof(object), id ? "session/%lld" : "member/%lld",
	    (long long)(id ? id : member));
	if (rc == QRM_OK)
		rc = store_audit_add(st, a->name, "session.revoke", object,
		    NULL, err);
	if (rc != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	if (id != 0 && *n == 0) {
		store_tx_rollback(st);
		return qrm_seterr(err, QRM_ENOTFOUND, "id", "no live session "
		    "%lld", (long long)id);
	}
	return store_tx_commit(st, err);
}

json_t *
session_to_json(const struct session *s)
{
	char	created[32], seen[32], ends[32], revoked[32];

	utc_format(s->created, created, sizeof(created));
	utc_format(s->last_seen, seen, sizeof(seen));
	utc_format(s->expires, ends, sizeof(ends));
	utc_format(s->revoked, revoked, sizeof(revoked));
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:s?}", "id",
	    (json_int_t)s->id, "member", (json_int_t)s->member, "created",
	    created, "last_seen", seen, "expires", ends, "revoked",
	    s->revoked ? json_string(revoked) : json_null(), "agent",
	    s->agent);
}
