/* store_member.c: members, their audiences and scopes, and tokens. */
#include <stdio.h>
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

static int
member_conflict(struct store *st, const struct member *m,
    struct qrm_error *err)
{
	if (strstr(sqlite3_errmsg(st->db), "number") != NULL)
		return qrm_seterr(err, QRM_ECONFLICT, "number", "membership "
		    "number '%s' belongs to another member", m->number);
	return qrm_seterr(err, QRM_ECONFLICT, "email",
	    "a member with email '%s' exists already", m->email);
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
	store_bind_text(s, 3, m->number);
	store_bind_text(s, 4, role_names[m->role]);
	store_bind_text(s, 5, m->branch);
	sqlite3_bind_int(s, 6, 1);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)time(NULL));
	store_bind_text(s, 8, m->work_hours);
	store_bind_text(s, 9, m->reminders);
	store_bind_text(s, 10, m->feed_alarm);
	if (m->contract_hours > 0)
		sqlite3_bind_double(s, 11, m->contract_hours);
	else
		sqlite3_bind_null(s, 11);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return member_conflict(st, m, err);
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

static void
member_from_row(sqlite3_stmt *s, struct member *m)
{
	int	role;

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(s, 0);
	m->name = store_col_text(s, 1);
	m->email = store_col_text(s, 2);
	m->number = store_col_text(s, 3);
	role = model_enum_parse(role_names, ROLE__MAX,
	    (const char *)sqlite3_column_text(s, 4));
	m->role = role < 0 ? ROLE_MEMBER : (enum role)role;
	m->branch = store_col_text(s, 5);
	m->active = sqlite3_column_int(s, 6);
	strv_split(&m->audiences, (const char *)sqlite3_column_text(s, 7),
	    ',');
	strv_split(&m->scopes, (const char *)sqlite3_column_text(s, 8), ',');
	m->work_hours = store_col_text(s, 9);
	m->reminders = store_col_text(s, 10);
	m->feed_alarm = store_col_text(s, 11);
	m->contract_hours = sqlite3_column_double(s, 12);
}

/* Fill *m (the caller clears it with member_clear()). */
int
store_member_get(struct store *st, int64_t id, struct member *m,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	memset(m, 0, sizeof(*m));
	if ((s = store_stmt(st, STMT_MEMBER_GET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		member_from_row(s, m);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return QRM_OK;
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_ENOTFOUND, "member",
		    "no member %lld", (long long)id);
	return store_dberr(st, err, "reading a member");
}

static int
member_get_by(struct store *st, enum stmt id, const char *key,
    const char *field, struct member *m, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;
	int64_t		 mid;

	memset(m, 0, sizeof(*m));
	if ((s = store_stmt(st, id, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	mid = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_ENOTFOUND, field,
		    "no member with %s '%s'", field, key);
	if (rc != SQLITE_ROW)
		return store_dberr(st, err, "reading a member");
	return store_member_get(st, mid, m, err);
}

int
store_member_get_number(struct store *st, const char *number,
    struct member *m, struct qrm_error *err)
{
	return member_get_by(st, STMT_MEMBER_GET_NUMBER, number, "number", m,
	    err);
}

/* Overwrite member m->id with m, audiences and scopes included. */
int
store_member_update(struct store *st, const struct member *m,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_MEMBER_UPDATE, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, m->name);
	store_bind_text(s, 2, m->email);
	store_bind_text(s, 3, m->number);
	store_bind_text(s, 4, role_names[m->role]);
	store_bind_text(s, 5, m->branch);
	sqlite3_bind_int(s, 6, m->active);
	sqlite3_bind_int64(s, 7, m->id);
	store_bind_text(s, 8, m->work_hours);
	store_bind_text(s, 9, m->reminders);
	store_bind_text(s, 10, m->feed_alarm);
	if (m->contract_hours > 0)
		sqlite3_bind_double(s, 11, m->contract_hours);
	else
		sqlite3_bind_null(s, 11);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return member_conflict(st, m, err);
	if (rc != SQLITE_DONE)
		return store_dberr(st, err, "updating a member");
	if (sqlite3_changes(st->db) == 0)
		return qrm_seterr(err, QRM_ENOTFOUND, "member",
		    "no member %lld", (long long)m->id);
	if ((rc = store_member_set_audiences(st, m->id, &m->audiences, err)))
		return rc;
	if ((s = store_stmt(st, STMT_MEMBER_SCOPES_CLEAR, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, m->id);
	if ((rc = store_step_done(st, s, err, "saving scopes")) != QRM_OK)
		return rc;
	return member_links_add(st, STMT_MEMBER_SCOPE_ADD, m->id, &m->scopes,
	    "scopes", err);
}

/*
 * Members belonging to any of audiences (NULL: all), of role (-1: any),
 * inactive ones too with with_inactive.  The caller frees *out.
 */
int
store_member_list(struct store *st, const struct strv *audiences, int role,
    int with_inactive, struct member_list *out, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	struct member	*v;
	char		*slugs = NULL;
	size_t		 cap = 0;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_MEMBER_LIST, err)) == NULL)
		return QRM_EDB;
	if (audiences != NULL) {
		if ((slugs = strv_join(audiences, ',')) == NULL)
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		store_bind_text(s, 1, slugs);
	}
	if (role >= 0)
		store_bind_text(s, 2, role_names[role]);
	sqlite3_bind_int(s, 3, with_inactive);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((v = reallocarray(out->v, cap, sizeof(*v))) ==
			    NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			out->v = v;
		}
		member_from_row(s, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	free(slugs);
	if (rc != SQLITE_DONE) {
		member_list_free(out);
		return store_dberr(st, err, "listing members");
	}
	return QRM_OK;
}

int
store_member_get_email(struct store *st, const char *email, struct member *m,
    struct qrm_error *err)
{
	return member_get_by(st, STMT_MEMBER_GET_EMAIL, email, "email", m, err);
}

/* Store a token's hash; the token itself is never stored. */
int
store_token_insert(struct store *st, int64_t member, enum token_scope scope,
    enum feed_level level, const char *hash, int64_t *id,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_TOKEN_INSERT, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	store_bind_text(s, 2, token_scope_names[scope]);
	store_bind_text(s, 3, hash);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)time(NULL));
	store_bind_text(s, 5, feed_level_names[level]);
	if ((rc = store_step_done(st, s, err, "saving a token")) == QRM_OK &&
	    id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

/*
 * The active member holding an unrevoked token of that scope whose hash
 * is hash, and the hash as stored (65 bytes, for the caller to compare
 * in constant time); QRM_EUNAUTH when there is none.
 */
int
store_token_member(struct store *st, enum token_scope scope, const char *hash,
    int64_t *member, char *stored, enum feed_level *level,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	const char	*h;
	int		 rc, lv;

	if ((s = store_stmt(st, STMT_TOKEN_MEMBER, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, hash);
	store_bind_text(s, 2, token_scope_names[scope]);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*member = sqlite3_column_int64(s, 0);
		h = (const char *)sqlite3_column_text(s, 1);
		snprintf(stored, 65, "%s", h ? h : "");
		lv = model_enum_parse(feed_level_names, LEVEL__MAX,
		    (const char *)sqlite3_column_text(s, 2));
		/* an unreadable level shows the least */
		*level = lv < 0 ? LEVEL_BUSY : (enum feed_level)lv;
	}
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
		scope = model_enum_parse(feed_level_names, LEVEL__MAX,
		    (const char *)sqlite3_column_text(s, 5));
		row.level = scope < 0 ? LEVEL_BUSY : (enum feed_level)scope;
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
