/* store_member.c: members, their audiences and scopes, and tokens. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

static int
member_links_add(struct store *st, enum stmt id, int64_t member,
    const struct strv *slugs, const char *field, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	size_t		 i;

	for (i = 0; i < slugs->n; i++) {
		if ((s = store_stmt(st, id, err)) == NULL)
			return QRM_EDB;
		sqlite3_bind_int64(s, 1, member);
		store_bind_text(s, 2, slugs->v[i]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_reset(s);
			return qrm_seterr(err, QRM_EINVAL, field,
			    "unknown audience '%s'", slugs->v[i]);
		}
		sqlite3_reset(s);
	}
	return QRM_OK;
}

/* Insert m with its audiences and scopes (inside a transaction). */
int
store_member_insert(struct store *st, struct member *m,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_MEMBER_INSERT, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, m->name);
	store_bind_text(s, 2, m->email);
	store_bind_text(s, 3, role_names[m->role]);
	store_bind_text(s, 4, m->branch);
	sqlite3_bind_int(s, 5, 1);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return qrm_seterr(err, QRM_ECONFLICT, "email",
		    "a member with email '%s' exists already", m->email);
	if (rc != SQLITE_DONE)
		return store_dberr(st, err, "saving a member");
	m->id = sqlite3_last_insert_rowid(st->db);
	m->active = 1;
	if ((rc = member_links_add(st, STMT_MEMBER_AUDIENCE_ADD, m->id,
	    &m->audiences, "audience", err)) != QRM_OK)
		return rc;
	return member_links_add(st, STMT_MEMBER_SCOPE_ADD, m->id, &m->scopes,
	    "scope", err);
}

/* Replace a member's audiences (inside a transaction). */
int
store_member_set_audiences(struct store *st, int64_t id,
    const struct strv *slugs, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_MEMBER_AUDIENCES_CLEAR, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = store_step_done(st, s, err, "saving audiences")) != QRM_OK)
		return rc;
	return member_links_add(st, STMT_MEMBER_AUDIENCE_ADD, id, slugs,
	    "audience", err);
}

/* Fill *m (the caller clears it with member_clear()). */
int
store_member_get(struct store *st, int64_t id, struct member *m,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc, role;

	memset(m, 0, sizeof(*m));
	if ((s = store_stmt(st, STMT_MEMBER_GET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		m->id = sqlite3_column_int64(s, 0);
		m->name = store_col_text(s, 1);
		m->email = store_col_text(s, 2);
		role = model_enum_parse(role_names, ROLE__MAX,
		    (const char *)sqlite3_column_text(s, 3));
		m->role = role < 0 ? ROLE_MEMBER : (enum role)role;
		m->branch = store_col_text(s, 4);
		m->active = sqlite3_column_int(s, 5);
		strv_split(&m->audiences,
		    (const char *)sqlite3_column_text(s, 6), ',');
		strv_split(&m->scopes,
		    (const char *)sqlite3_column_text(s, 7), ',');
		sqlite3_reset(s);
		return QRM_OK;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_ENOTFOUND, "member",
		    "no member %lld", (long long)id);
	return store_dberr(st, err, "reading a member");
}

int
store_member_get_email(struct store *st, const char *email, struct member *m,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;
	int64_t		 id;

	if ((s = store_stmt(st, STMT_MEMBER_GET_EMAIL, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, email);
	rc = sqlite3_step(s);
	id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_ENOTFOUND, "email",
		    "no member with email '%s'", email);
	if (rc != SQLITE_ROW)
		return store_dberr(st, err, "reading a member");
	return store_member_get(st, id, m, err);
}

/* Store a token's hash; the token itself is never stored. */
int
store_token_insert(struct store *st, int64_t member, enum token_scope scope,
    const char *hash, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_TOKEN_INSERT, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	store_bind_text(s, 2, token_scope_names[scope]);
	store_bind_text(s, 3, hash);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)time(NULL));
	return store_step_done(st, s, err, "saving a token");
}

/*
 * The active member holding an unrevoked token of that scope whose hash
 * is hash; QRM_EUNAUTH when there is none.
 */
int
store_token_member(struct store *st, enum token_scope scope, const char *hash,
    int64_t *member, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_TOKEN_MEMBER, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, hash);
	store_bind_text(s, 2, token_scope_names[scope]);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*member = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return QRM_OK;
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_EUNAUTH, "token",
		    "unknown or revoked token");
	return store_dberr(st, err, "checking a token");
}

/* Every token (of member, or all when member is 0), without secrets. */
int
store_token_list(struct store *st, int64_t member,
    int (*fn)(void *, const struct token_row *), void *arg,
    struct qrm_error *err)
{
	sqlite3_stmt		*s;
	struct token_row	 row;
	int			 rc, scope;

	if ((s = store_stmt(st, STMT_TOKEN_LIST, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(s, 0);
		row.member = sqlite3_column_int64(s, 1);
		scope = model_enum_parse(token_scope_names, SCOPE__MAX,
		    (const char *)sqlite3_column_text(s, 2));
		row.scope = scope < 0 ? SCOPE_FEED : (enum token_scope)scope;
		row.created = sqlite3_column_int64(s, 3);
		row.revoked = sqlite3_column_int64(s, 4);
		if (fn(arg, &row) != 0)
			break;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(st, err, "listing tokens");
	return QRM_OK;
}

/* The member a token id belongs to; QRM_ENOTFOUND if none. */
int
store_token_owner(struct store *st, int64_t id, int64_t *member,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_TOKEN_OWNER, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*member = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_ENOTFOUND, "token", "no token %lld",
		    (long long)id);
	return rc == SQLITE_ROW ? QRM_OK : store_dberr(st, err,
	    "reading a token");
}

/* Revoke token id (inside a transaction); revoking twice is a no-op. */
int
store_token_revoke(struct store *st, int64_t id, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_TOKEN_REVOKE, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(s, 2, id);
	return store_step_done(st, s, err, "revoking a token");
}
