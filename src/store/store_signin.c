/*
 * store_signin.c: one-time sign-in links and the sessions they open,
 * each stored only as the hash of its secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* A link for member (inside the caller's transaction). */
int
store_signin_add(struct store *st, int64_t member, const char *hash,
    int64_t created, int64_t expires, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_SIGNIN_ADD, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	store_bind_text(s, 2, hash);
	sqlite3_bind_int64(s, 3, created);
	sqlite3_bind_int64(s, 4, expires);
	return store_step_done(st, s, err, "adding a sign-in link");
}

/* How many links member was given after since. */
int
store_signin_recent(struct store *st, int64_t member, int64_t since,
    int64_t *n, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_SIGNIN_RECENT, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	sqlite3_bind_int64(s, 2, since);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? QRM_OK : store_dberr(st, err,
	    "reading sign-in links");
}

/*
 * Spend the link with this hash at now (inside the caller's
 * transaction): *member is whose.  QRM_ENOTFOUND when it is unknown,
 * used, expired or its member inactive.
 */
int
store_signin_redeem(struct store *st, const char *hash, int64_t now,
    int64_t *member, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_SIGNIN_REDEEM, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, hash);
	sqlite3_bind_int64(s, 2, now);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*member = sqlite3_column_int64(s, 0);
	return store_row_end(st, s, rc, err, "",
	    "this sign-in link was used already or has expired",
	    "spending a sign-in link");
}

/*
 * End member's signing in (inside the caller's transaction): every
 * session revoked and every unused link spent, at now.
 */
int
store_signin_end(struct store *st, int64_t member, int64_t now,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_SIGNIN_END, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	sqlite3_bind_int64(s, 2, now);
	if ((rc = store_step_done(st, s, err, "ending sign-in")) != QRM_OK)
		return rc;
	if ((s = store_stmt(st, STMT_SESSION_REVOKE, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, 0);
	sqlite3_bind_int64(s, 2, member);
	sqlite3_bind_int64(s, 3, now);
	return store_step_done(st, s, err, "revoking sessions");
}

/* A session with this hash (inside the caller's transaction). */
int
store_session_add(struct store *st, struct session *ss, const char *hash,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_SESSION_ADD, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, ss->member);
	store_bind_text(s, 2, hash);
	store_bind_text(s, 3, ss->csrf);
	sqlite3_bind_int64(s, 4, ss->created);
	sqlite3_bind_int64(s, 5, ss->last_seen);
	sqlite3_bind_int64(s, 6, ss->expires);
	store_bind_text(s, 7, ss->agent);
	if ((rc = store_step_done(st, s, err, "adding a session")) == QRM_OK)
		ss->id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

static void
session_from_row(sqlite3_stmt *s, struct session *ss)
{
	const char	*csrf = (const char *)sqlite3_column_text(s, 2);

	memset(ss, 0, sizeof(*ss));
	ss->id = sqlite3_column_int64(s, 0);
	ss->member = sqlite3_column_int64(s, 1);
	snprintf(ss->csrf, sizeof(ss->csrf), "%s", csrf ? csrf : "");
	ss->created = sqlite3_column_int64(s, 3);
	ss->last_seen = sqlite3_column_int64(s, 4);
	ss->expires = sqlite3_column_int64(s, 5);
	ss->revoked = sqlite3_column_int64(s, 6);
	ss->agent = store_col_text(s, 7);
}

/*
 * The live session with this hash at now (not revoked, not past its
 * end, seen after idle_before, of an active member).  QRM_ENOTFOUND if
 * none.  The caller frees ss->agent.
 */
int
store_session_get(struct store *st, const char *hash, int64_t now,
    int64_t idle_before, struct session *ss, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	memset(ss, 0, sizeof(*ss));
	if ((s = store_stmt(st, STMT_SESSION_GET, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, hash);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, idle_before);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		session_from_row(s, ss);
	return store_row_end(st, s, rc, err, "",
	    "not signed in", "reading a session");
}

/* Session id was seen at now (inside the caller's transaction). */
int
store_session_touch(struct store *st, int64_t id, int64_t now,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_SESSION_TOUCH, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, id);
	return store_step_done(st, s, err, "touching a session");
}

/* The sessions of member (0: everyone's), oldest first. */
int
store_session_list(struct store *st, int64_t member, struct session_list *out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	struct session	*nv;
	size_t		 cap = 0;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_SESSION_LIST, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(out->v, cap * sizeof(*nv))) == NULL) {
				sqlite3_reset(s);
				session_list_free(out);
				return qrm_seterr(err, QRM_ESYS, "",
				    "out of memory");
			}
			out->v = nv;
		}
		session_from_row(s, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		session_list_free(out);
		return store_dberr(st, err, "reading sessions");
	}
	return QRM_OK;
}

/* Revoke session id at now (inside the caller's transaction); *n: 0 or 1. */
int
store_session_revoke(struct store *st, int64_t id, int64_t now, int64_t *n,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_SESSION_REVOKE, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, 0);
	sqlite3_bind_int64(s, 3, now);
	if ((rc = store_step_done(st, s, err, "revoking a session")) == QRM_OK)
		*n = sqlite3_changes(st->db);
	return rc;
}

/* The sealed feed token of session id, if its token is live (else NULL). */
int
store_session_feed_get(struct store *st, int64_t id, char **box,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	*box = NULL;
	if ((s = store_stmt(st, STMT_SESSION_FEED_GET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*box = store_col_text(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(st, err, "reading a session");
	return QRM_OK;
}

/* Keep token (its id) sealed in box with session id. */
int
store_session_feed_set(struct store *st, int64_t id, int64_t token,
    const char *box, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_SESSION_FEED_SET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, token);
	store_bind_text(s, 3, box);
	return store_step_done(st, s, err, "keeping a feed token");
}

/* Revoke every live token of scope of member at now. */
int
store_token_revoke_scope(struct store *st, int64_t member,
    enum token_scope scope, int64_t now, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_TOKEN_REVOKE_SCOPE, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	store_bind_text(s, 2, token_scope_names[scope]);
	sqlite3_bind_int64(s, 3, now);
	return store_step_done(st, s, err, "revoking tokens");
}
