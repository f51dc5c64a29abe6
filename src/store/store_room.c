/*
 * store_room.c: the rooms of the catalogue, and who or what an event
 * would be double-booked with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Add or change a room of the catalogue (inside the caller's transaction). */
int
store_room_upsert(struct store *st, const struct room *r,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_ROOM_UPSERT, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, r->slug);
	store_bind_text(s, 2, r->name);
	store_bind_text(s, 3, r->address);
	sqlite3_bind_int(s, 4, r->capacity);
	return store_step_done(st, s, err, "saving a room");
}

int
store_room_list(struct store *st, struct room_list *out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	struct room	*v;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_ROOM_LIST, err)) == NULL)
		return QRM_EDB;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((v = reallocarray(out->v, out->n + 1, sizeof(*v))) ==
		    NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		out->v = v;
		v = &out->v[out->n++];
		v->slug = store_col_text(s, 0);
		v->name = store_col_text(s, 1);
		v->address = store_col_text(s, 2);
		v->capacity = sqlite3_column_int(s, 3);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		room_list_free(out);
		return store_dberr(st, err, "listing rooms");
	}
	return QRM_OK;
}

/*
 * The events other than self that overlap from..to (UTC) somewhere and
 * share a person of people (a JSON array of member ids), an organiser
 * of emails (a JSON array) or room: those whose occurrences may clash.
 */
int
store_event_clashes(struct store *st, int64_t self, int64_t from, int64_t to,
    const char *people, const char *emails, const char *room,
    struct event_list *out, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_EVENT_CLASHES, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, self);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	store_bind_text(s, 4, people);
	store_bind_text(s, 5, emails);
	store_bind_text(s, 6, room);
	return store_event_rows(st, s, out, err);
}

/* Each of people with a place at event, and for which occurrence. */
int
store_event_booked(struct store *st, int64_t event, const char *people,
    int (*fn)(void *, int64_t, const char *), void *arg,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_EVENT_BOOKED, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	store_bind_text(s, 2, people);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(arg, sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1)) != 0)
			break;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? QRM_OK :
	    store_dberr(st, err, "reading places");
}
