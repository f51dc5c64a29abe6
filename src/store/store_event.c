/* store_event.c: events with their audiences and hosts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store_int.h"

/* Bind the columns shared by INSERT and UPDATE, in their order. */
static int
event_bind(sqlite3_stmt *s, const struct event *ev)
{
	char	*exdates;

	if ((exdates = strv_join(&ev->exdates, ',')) == NULL)
		return -1;
	store_bind_text(s, 1, ev->uid);
	store_bind_text(s, 2, event_kind_names[ev->kind]);
	store_bind_text(s, 3, ev->title);
	store_bind_text(s, 4, ev->description);
	store_bind_text(s, 5, ev->location);
	store_bind_text(s, 6, ev->url);
	store_bind_text(s, 7, ev->tzid);
	store_bind_text(s, 8, ev->start);
	store_bind_text(s, 9, ev->end);
	sqlite3_bind_int(s, 10, ev->all_day);
	store_bind_text(s, 11, ev->rrule);
	store_bind_text(s, 12, ev->exdates.n ? exdates : NULL);
	store_bind_text(s, 13, event_status_names[ev->status]);
	sqlite3_bind_int(s, 14, ev->sequence);
	sqlite3_bind_int(s, 15, ev->capacity);
	store_bind_text(s, 16, ev->organizer);
	sqlite3_bind_int64(s, 17, ev->created);
	sqlite3_bind_int64(s, 18, ev->updated);
	sqlite3_bind_int64(s, 19, ev->start_utc);
	sqlite3_bind_int64(s, 20, ev->end_utc);
	if (ev->last_utc == UTC_NONE)
		sqlite3_bind_null(s, 21);
	else
		sqlite3_bind_int64(s, 21, ev->last_utc);
	if (ev->after > 0)
		sqlite3_bind_int64(s, 22, ev->after);
	else
		sqlite3_bind_null(s, 22);
	sqlite3_bind_int(s, 23, ev->quorum);
	store_bind_text(s, 24, ev->room);
	free(exdates);
	return 0;
}

/* Replace the event's changed occurrences with those of ev. */
static int
overrides_save(struct store *st, const struct event *ev,
    struct qrm_error *err)
{
	const struct override	*o;
	sqlite3_stmt		*s;
	size_t			 i;
	int			 rc;

	if ((s = store_stmt(st, STMT_OVERRIDES_CLEAR, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, ev->id);
	if ((rc = store_step_done(st, s, err, "saving occurrences")) != QRM_OK)
		return rc;
	for (i = 0; i < ev->noverrides; i++) {
		o = &ev->overrides[i];
		if ((s = store_stmt(st, STMT_OVERRIDE_ADD, err)) == NULL)
			return QRM_EDB;
		sqlite3_bind_int64(s, 1, ev->id);
		store_bind_text(s, 2, o->occurrence);
		store_bind_text(s, 3, o->start);
		store_bind_text(s, 4, o->end);
		store_bind_text(s, 5, o->location);
		sqlite3_bind_int(s, 6, o->cancelled);
		sqlite3_bind_int(s, 7, o->sequence);
		sqlite3_bind_int64(s, 8, o->updated);
		if ((rc = store_step_done(st, s, err, "saving an occurrence"))
		    != QRM_OK)
			return rc;
	}
	return QRM_OK;
}

/* Replace the event's audience and host rows with those of ev. */
static int
event_links_save(struct store *st, const struct event *ev,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	size_t		 i;
	int		 rc;
	int64_t		 host;

	if ((s = store_stmt(st, STMT_EVENT_AUDIENCES_CLEAR, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, ev->id);
	if ((rc = store_step_done(st, s, err, "saving audiences")) != QRM_OK)
		return rc;
	for (i = 0; i < ev->audiences.n; i++) {
		if ((s = store_stmt(st, STMT_EVENT_AUDIENCE_ADD, err)) == NULL)
			return QRM_EDB;
		sqlite3_bind_int64(s, 1, ev->id);
		store_bind_text(s, 2, ev->audiences.v[i]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_reset(s);
			return qrm_seterr(err, QRM_EINVAL, "audiences",
			    "unknown audience '%s'", ev->audiences.v[i]);
		}
		sqlite3_reset(s);
	}
	if ((s = store_stmt(st, STMT_EVENT_HOSTS_CLEAR, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, ev->id);
	if ((rc = store_step_done(st, s, err, "saving hosts")) != QRM_OK)
		return rc;
	for (i = 0; i < ev->hosts.n; i++) {
		if ((s = store_stmt(st, STMT_EVENT_HOST_ADD, err)) == NULL)
			return QRM_EDB;
		host = strtoll(ev->hosts.v[i], NULL, 10);
		sqlite3_bind_int64(s, 1, ev->id);
		sqlite3_bind_int64(s, 2, host);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_reset(s);
			return qrm_seterr(err, QRM_EINVAL, "hosts",
			    "unknown member %s as host", ev->hosts.v[i]);
		}
		sqlite3_reset(s);
	}
	return overrides_save(st, ev, err);
}

/* Insert ev (inside a transaction) and set its id. */
int
store_event_insert(struct store *st, struct event *ev, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_EVENT_INSERT, err)) == NULL)
		return QRM_EDB;
	if (event_bind(s, ev) == -1)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return qrm_seterr(err, QRM_ECONFLICT, "uid",
		    "an event with uid '%s' exists already", ev->uid);
	if (rc != SQLITE_DONE)
		return store_dberr(st, err, "saving an event");
	ev->id = sqlite3_last_insert_rowid(st->db);
	return event_links_save(st, ev, err);
}

/* Overwrite the stored event ev->id with ev (inside a transaction). */
int
store_event_update(struct store *st, const struct event *ev,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_EVENT_UPDATE, err)) == NULL)
		return QRM_EDB;
	if (event_bind(s, ev) == -1)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	sqlite3_bind_int64(s, 25, ev->id);
	if ((rc = store_step_done(st, s, err, "updating an event")) != QRM_OK)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return qrm_seterr(err, QRM_ENOTFOUND, "id", "no event %lld",
		    (long long)ev->id);
	return event_links_save(st, ev, err);
}

static void
copy_local(char *dst, sqlite3_stmt *s, int col)
{
	const char	*t = (const char *)sqlite3_column_text(s, col);

	snprintf(dst, LOCAL_TIME_LEN, "%s", t ? t : "");
}

/* The changed occurrences of EVENT_OVERRIDES into ev.  -1: no memory. */
static int
overrides_from_json(struct event *ev, const char *text)
{
	struct override	 o;
	json_t		*a, *r;
	size_t		 i;
	int		 rc = 0;

	if (text == NULL || strcmp(text, "[]") == 0)
		return 0;
	if ((a = json_loads(text, 0, NULL)) == NULL)
		return -1;
	json_array_foreach(a, i, r) {
		memset(&o, 0, sizeof(o));
		snprintf(o.occurrence, sizeof(o.occurrence), "%s",
		    json_string_value(json_array_get(r, 0)));
		snprintf(o.start, sizeof(o.start), "%s",
		    json_string_value(json_array_get(r, 1)));
		snprintf(o.end, sizeof(o.end), "%s",
		    json_string_value(json_array_get(r, 2)));
		o.location = (char *)json_string_value(json_array_get(r, 3));
		o.cancelled = (int)json_integer_value(json_array_get(r, 4));
		o.sequence = (int)json_integer_value(json_array_get(r, 5));
		o.updated = json_integer_value(json_array_get(r, 6));
		if ((rc = event_override_set(ev, &o)) == -1)
			break;
	}
	json_decref(a);
	return rc;
}

static int
event_from_row(sqlite3_stmt *s, struct event *ev)
{
	int	v;

	event_init(ev);
	ev->id = sqlite3_column_int64(s, 0);
	ev->uid = store_col_text(s, 1);
	v = model_enum_parse(event_kind_names, KIND__MAX,
	    (const char *)sqlite3_column_text(s, 2));
	ev->kind = v < 0 ? KIND_OTHER : (enum event_kind)v;
	ev->title = store_col_text(s, 3);
	ev->description = store_col_text(s, 4);
	ev->location = store_col_text(s, 5);
	ev->url = store_col_text(s, 6);
	ev->tzid = store_col_text(s, 7);
	copy_local(ev->start, s, 8);
	copy_local(ev->end, s, 9);
	ev->all_day = sqlite3_column_int(s, 10);
	ev->rrule = store_col_text(s, 11);
	v = model_enum_parse(event_status_names, EVSTATUS__MAX,
	    (const char *)sqlite3_column_text(s, 13));
	ev->status = v < 0 ? EVSTATUS_CONFIRMED : (enum event_status)v;
	ev->sequence = sqlite3_column_int(s, 14);
	ev->capacity = sqlite3_column_int(s, 15);
	ev->organizer = store_col_text(s, 16);
	ev->created = sqlite3_column_int64(s, 17);
	ev->updated = sqlite3_column_int64(s, 18);
	ev->start_utc = sqlite3_column_int64(s, 19);
	ev->end_utc = sqlite3_column_int64(s, 20);
	ev->last_utc = sqlite3_column_type(s, 21) == SQLITE_NULL ? UTC_NONE :
	    sqlite3_column_int64(s, 21);
	ev->after = sqlite3_column_int64(s, 22);
	ev->quorum = sqlite3_column_int(s, 25);
	ev->room = store_col_text(s, 26);
	if (overrides_from_json(ev, (const char *)sqlite3_column_text(s,
	    27)) == -1 ||
	    strv_split(&ev->exdates,
	    (const char *)sqlite3_column_text(s, 12), ',') == -1 ||
	    strv_split(&ev->audiences,
	    (const char *)sqlite3_column_text(s, 23), ',') == -1 ||
	    strv_split(&ev->hosts,
	    (const char *)sqlite3_column_text(s, 24), ',') == -1)
		return -1;
	return ev->uid == NULL || ev->title == NULL || ev->tzid == NULL ?
	    -1 : 0;
}

static int
event_get_one(struct store *st, sqlite3_stmt *s, struct event *ev,
    struct qrm_error *err, const char *what)
{
	int	rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		if (event_from_row(s, ev) == -1) {
			sqlite3_reset(s);
			event_clear(ev);
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		}
		sqlite3_reset(s);
		return QRM_OK;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_ENOTFOUND, "id", "no event %s",
		    what);
	return store_dberr(st, err, "reading an event");
}

/* Fill *ev (the caller clears it with event_clear()). */
int
store_event_get(struct store *st, int64_t id, struct event *ev,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	char		 what[32];

	if ((s = store_stmt(st, STMT_EVENT_GET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	snprintf(what, sizeof(what), "%lld", (long long)id);
	return event_get_one(st, s, ev, err, what);
}

int
store_event_get_uid(struct store *st, const char *uid, struct event *ev,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_EVENT_GET_UID, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, uid);
	return event_get_one(st, s, ev, err, "with that uid");
}

/* Earliest first, then by id. */
static int
by_start(const void *a, const void *b)
{
	const struct event	*x = a, *y = b;

	if (x->start_utc != y->start_utc)
		return x->start_utc < y->start_utc ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* The strings of v as a JSON array (for json_each()); NULL: no memory. */
static char *
json_array_of(const struct strv *v)
{
	json_t	*a;
	char	*text;
	size_t	 i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text;
}

/*
 * The events that match f, earliest first.  With f->audiences, events
 * of any of those audiences (the caller passes an audience's lineage to
 * get everything its feed shows).  The caller frees the list.
 */
int
store_event_list(struct store *st, const struct event_filter *f,
    struct event_list *out, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	char		*slugs = NULL;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (f->audiences != NULL)
		s = store_stmt(st, f->light ? STMT_EVENT_LIST_AUD_LIGHT :
		    STMT_EVENT_LIST_AUD, err);
	else
		s = store_stmt(st, f->light ? STMT_EVENT_LIST_LIGHT :
		    STMT_EVENT_LIST, err);
	if (s == NULL)
		return QRM_EDB;
	if (f->from_utc)
		sqlite3_bind_int64(s, 1, f->from_utc);
	if (f->to_utc)
		sqlite3_bind_int64(s, 2, f->to_utc);
	if (f->audiences != NULL) {
		if ((slugs = json_array_of(f->audiences)) == NULL)
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		store_bind_text(s, 3, slugs);
	}
	if (f->kind >= 0)
		store_bind_text(s, 4, event_kind_names[f->kind]);
	sqlite3_bind_int(s, 5, f->cancelled_since == 0);
	sqlite3_bind_int64(s, 6, f->cancelled_since);
	sqlite3_bind_int64(s, 7, f->now);
	rc = store_event_rows(st, s, out, err);
	free(slugs);
	if (rc != QRM_OK)
		return rc;
	if (f->audiences != NULL && out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), by_start);
	return QRM_OK;
}

/* Every event a prepared statement of EVENT_COLUMNS gives, into out. */
int
store_event_rows(struct store *st, sqlite3_stmt *s, struct event_list *out,
    struct qrm_error *err)
{
	struct event	*v;
	size_t		 cap = 0;
	int		 rc;

	memset(out, 0, sizeof(*out));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((v = reallocarray(out->v, cap, sizeof(*v))) ==
			    NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			out->v = v;
		}
		if (event_from_row(s, &out->v[out->n++]) == -1) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		event_list_free(out);
		return store_dberr(st, err, "listing events");
	}
	return QRM_OK;
}

int
store_event_count(struct store *st, int64_t *out)
{
	return store_scalar(st, STMT_EVENT_COUNT, out);
}

/*
 * The ids of the events that must come after event id (their "after"),
 * cancelled ones left out, into *out (the caller frees it with
 * strv_free()).
 */
int
store_event_followers(struct store *st, int64_t id, struct strv *out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	char		 n[32];
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_EVENT_FOLLOWERS, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(n, sizeof(n), "%lld",
		    (long long)sqlite3_column_int64(s, 0));
		if (strv_push(out, n) == -1) {
			sqlite3_reset(s);
			strv_free(out);
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		strv_free(out);
		return store_dberr(st, err, "reading events");
	}
	return QRM_OK;
}
