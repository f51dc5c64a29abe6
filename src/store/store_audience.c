/* store_audience.c: audiences, the nodes of the feed catalogue. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Insert or update an audience by slug (inside a transaction). */
int
store_audience_upsert(struct store *st, const struct audience *a,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_AUDIENCE_UPSERT, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, a->slug);
	store_bind_text(s, 2, a->name);
	store_bind_text(s, 3, a->description ? a->description : "");
	store_bind_text(s, 4, visibility_names[a->visibility]);
	store_bind_text(s, 5, a->colour);
	store_bind_text(s, 6, a->parent);
	sqlite3_bind_int(s, 7, a->refresh_minutes);
	if (a->past_days > 0)
		sqlite3_bind_int(s, 8, a->past_days);
	else
		sqlite3_bind_null(s, 8);
	return store_step_done(st, s, err, "saving an audience");
}

static int
audience_from_row(sqlite3_stmt *s, struct audience *a)
{
	int	vis;

	memset(a, 0, sizeof(*a));
	a->slug = store_col_text(s, 0);
	a->name = store_col_text(s, 1);
	a->description = store_col_text(s, 2);
	vis = model_enum_parse(visibility_names, VIS__MAX,
	    (const char *)sqlite3_column_text(s, 3));
	a->visibility = vis < 0 ? VIS_OFFICIALS : (enum visibility)vis;
	a->colour = store_col_text(s, 4);
	a->parent = store_col_text(s, 5);
	a->refresh_minutes = sqlite3_column_int(s, 6);
	a->past_days = sqlite3_column_int(s, 7);
	return a->slug == NULL || a->name == NULL ? -1 : 0;
}

/* Fill *a (caller clears it) or return QRM_ENOTFOUND. */
int
store_audience_get(struct store *st, const char *slug, struct audience *a,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_AUDIENCE_GET, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, slug);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		audience_from_row(s, a);
		sqlite3_reset(s);
		return QRM_OK;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_ENOTFOUND, "audience",
		    "no audience '%s'", slug);
	return store_dberr(st, err, "reading an audience");
}

int
store_audience_list(struct store *st, struct audience_list *out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	struct audience	*v;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_AUDIENCE_LIST, err)) == NULL)
		return QRM_EDB;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((v = realloc(out->v, (out->n + 1) * sizeof(*v))) == NULL)
			break;
		out->v = v;
		audience_from_row(s, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		audience_list_free(out);
		return store_dberr(st, err, "listing audiences");
	}
	return QRM_OK;
}

static int
audience_walk(struct store *st, enum stmt id, const char *slug,
    struct strv *out, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, id, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, slug);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (!strv_contains(out, (const char *)sqlite3_column_text(s,
		    0)) && strv_push(out,
		    (const char *)sqlite3_column_text(s, 0)) == -1)
			break;
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_dberr(st, err, "reading the audience tree");
	return QRM_OK;
}

/* The slug itself, then its parent, and so on up to the root. */
int
store_audience_lineage(struct store *st, const char *slug, struct strv *out,
    struct qrm_error *err)
{
	return audience_walk(st, STMT_AUDIENCE_LINEAGE, slug, out, err);
}

/* The slug itself and every audience below it. */
int
store_audience_descendants(struct store *st, const char *slug,
    struct strv *out, struct qrm_error *err)
{
	return audience_walk(st, STMT_AUDIENCE_DESCENDANTS, slug, out, err);
}
