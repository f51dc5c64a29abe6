/* store_action.c: follow-up actions, their history, and meeting notes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

static void
bind_id(sqlite3_stmt *s, int i, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(s, i, id);
	else
		sqlite3_bind_null(s, i);
}

static void
action_bind(sqlite3_stmt *s, const struct action *a)
{
	bind_id(s, 1, a->event);
	store_bind_text(s, 2, a->title);
	store_bind_text(s, 3, a->notes);
	bind_id(s, 4, a->owner);
	store_bind_text(s, 5, a->waiting_on);
	store_bind_text(s, 6, a->due[0] ? a->due : NULL);
	store_bind_text(s, 7, action_status_names[a->status]);
	sqlite3_bind_int64(s, 8, a->created);
	sqlite3_bind_int64(s, 9, a->updated);
	bind_id(s, 10, a->completed_at);
	store_bind_text(s, 12, a->asked[0] ? a->asked : NULL);
	store_bind_text(s, 13, a->promised[0] ? a->promised : NULL);
	store_bind_text(s, 14, a->chased[0] ? a->chased : NULL);
}

static void
copy_date(char *dst, sqlite3_stmt *s, int col)
{
	const char	*t = (const char *)sqlite3_column_text(s, col);

	snprintf(dst, 11, "%s", t ? t : "");
}

static void
action_from_row(sqlite3_stmt *s, struct action *a)
{
	const char	*due = (const char *)sqlite3_column_text(s, 6);
	int		 v;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->event = sqlite3_column_int64(s, 1);
	a->title = store_col_text(s, 2);
	a->notes = store_col_text(s, 3);
	a->owner = sqlite3_column_int64(s, 4);
	a->waiting_on = store_col_text(s, 5);
	snprintf(a->due, sizeof(a->due), "%s", due ? due : "");
	v = model_enum_parse(action_status_names, ACTION__MAX,
	    (const char *)sqlite3_column_text(s, 7));
	a->status = v < 0 ? ACTION_OPEN : (enum action_status)v;
	a->created = sqlite3_column_int64(s, 8);
	a->updated = sqlite3_column_int64(s, 9);
	a->completed_at = sqlite3_column_int64(s, 10);
	a->owner_name = store_col_text(s, 11);
	a->event_uid = store_col_text(s, 12);
	a->event_title = store_col_text(s, 13);
	copy_date(a->asked, s, 14);
	copy_date(a->promised, s, 15);
	copy_date(a->chased, s, 16);
}

/* Insert a (inside a transaction) and set its id. */
int
store_action_insert(struct store *st, struct action *a, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_ACTION_INSERT, err)) == NULL)
		return QRM_EDB;
	action_bind(s, a);
	if ((rc = store_step_done(st, s, err, "saving an action")) != QRM_OK)
		return rc;
	a->id = sqlite3_last_insert_rowid(st->db);
	return QRM_OK;
}

int
store_action_update(struct store *st, const struct action *a,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_ACTION_UPDATE, err)) == NULL)
		return QRM_EDB;
	action_bind(s, a);
	sqlite3_bind_int64(s, 11, a->id);
	return store_step_done(st, s, err, "updating an action");
}

int
store_action_get(struct store *st, int64_t id, struct action *out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_ACTION_GET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		action_from_row(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return QRM_OK;
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_ENOTFOUND, "id", "no action %lld",
		    (long long)id);
	return store_dberr(st, err, "reading an action");
}

/* Actions matching f, soonest due first (undated last). */
int
store_action_list(struct store *st, const struct action_filter *f,
    struct action_list *out, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	struct action	*v;
	char		*events = NULL;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_ACTION_LIST, err)) == NULL)
		return QRM_EDB;
	bind_id(s, 1, f->owner);
	bind_id(s, 2, f->event);
	if (f->status >= 0)
		store_bind_text(s, 3, action_status_names[f->status]);
	store_bind_text(s, 4, f->due_before);
	if (f->closed_since)
		sqlite3_bind_int64(s, 5, f->closed_since);
	if (f->events != NULL) {
		if ((events = strv_join(f->events, ',')) == NULL)
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		store_bind_text(s, 6, events);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((v = realloc(out->v, (out->n + 1) * sizeof(*v))) == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		out->v = v;
		action_from_row(s, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	free(events);
	if (rc != SQLITE_DONE) {
		action_list_free(out);
		return store_dberr(st, err, "listing actions");
	}
	return QRM_OK;
}

int
store_action_history_add(struct store *st, int64_t action, const char *actor,
    enum action_status status, const char *note, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_ACTION_HISTORY_ADD, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, action);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
	store_bind_text(s, 3, actor);
	store_bind_text(s, 4, action_status_names[status]);
	store_bind_text(s, 5, note);
	return store_step_done(st, s, err, "saving action history");
}

/* Each change of an action's status, oldest first, to fn. */
int
store_action_history(struct store *st, int64_t action,
    int (*fn)(void *, int64_t at, const char *actor, const char *status,
    const char *note), void *arg, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_ACTION_HISTORY, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, action);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(arg, sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2),
		    (const char *)sqlite3_column_text(s, 3)) != 0)
			break;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(st, err, "reading action history");
	return QRM_OK;
}

/* A new revision of an event's notes (inside a transaction). */
int
store_note_add(struct store *st, int64_t event, const char *text,
    const char *actor, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_NOTE_ADD, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	store_bind_text(s, 2, text);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL));
	store_bind_text(s, 4, actor);
	return store_step_done(st, s, err, "saving notes");
}

/* The newest revisions of an event's notes first, at most limit. */
int
store_note_revisions(struct store *st, int64_t event, int limit,
    int (*fn)(void *, int64_t id, const char *text, int64_t at,
    const char *actor), void *arg, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_NOTE_REVISIONS, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(arg, sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    sqlite3_column_int64(s, 2),
		    (const char *)sqlite3_column_text(s, 3)) != 0)
			break;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(st, err, "reading notes");
	return QRM_OK;
}
