/*
 * store_poll.c: polls for a meeting's time: the times proposed, who is
 * asked (each by the hash of their link's secret), their answers, and
 * the meeting the confirmed time became.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char *
text_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A poll of the fields of poll (title, kind, audiences, tz, ...). */
int
store_poll_insert(struct store *st, const json_t *poll, const char *by,
    int64_t now, int64_t *id, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_POLL_INSERT, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, text_of(poll, "title"));
	store_bind_text(s, 2, text_of(poll, "kind"));
	store_bind_text(s, 3, text_of(poll, "audiences"));
	store_bind_text(s, 4, text_of(poll, "tz"));
	store_bind_text(s, 5, text_of(poll, "location"));
	store_bind_text(s, 6, text_of(poll, "description"));
	store_bind_text(s, 7, by);
	sqlite3_bind_int64(s, 8, now);
	if ((rc = store_step_done(st, s, err, "adding a poll")) != QRM_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(st->db);
	return QRM_OK;
}

int
store_poll_option_add(struct store *st, int64_t poll, int n,
    const char *start, const char *end, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_POLL_OPTION_ADD, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, poll);
	sqlite3_bind_int(s, 2, n);
	store_bind_text(s, 3, start);
	store_bind_text(s, 4, end);
	return store_step_done(st, s, err, "adding a poll's time");
}

int
store_poll_member_add(struct store *st, int64_t poll, int64_t member,
    const char *hash, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_POLL_MEMBER_ADD, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, poll);
	sqlite3_bind_int64(s, 2, member);
	store_bind_text(s, 3, hash);
	return store_step_done(st, s, err, "asking a member");
}

int
store_poll_answer_set(struct store *st, int64_t poll, int64_t member, int n,
    const char *answer, int64_t now, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_POLL_ANSWER_SET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, poll);
	sqlite3_bind_int64(s, 2, member);
	sqlite3_bind_int(s, 3, n);
	store_bind_text(s, 4, answer);
	sqlite3_bind_int64(s, 5, now);
	return store_step_done(st, s, err, "saving an answer");
}

/*
 * The poll as JSON: its fields, "options": [{"n", "start", "end"}],
 * "members": [{"member", "name", "answers": {"n": answer}}].
 */
int
store_poll_get(struct store *st, int64_t id, json_t **out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	json_t		*p, *opts, *mems, *m;
	char		 n[16], who[24];
	size_t		 i;
	int		 rc;

	*out = NULL;
	if ((s = store_stmt(st, STMT_POLL_GET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? qrm_seterr(err, QRM_ENOTFOUND, "id",
		    "no poll %lld", (long long)id) : store_dberr(st, err,
		    "reading a poll");
	}
	p = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:I}",
	    "id", (json_int_t)sqlite3_column_int64(s, 0),
	    "title", sqlite3_column_text(s, 1), "kind",
	    sqlite3_column_text(s, 2), "audiences", sqlite3_column_text(s, 3),
	    "tz", sqlite3_column_text(s, 4), "location",
	    sqlite3_column_text(s, 5), "description",
	    sqlite3_column_text(s, 6), "created_by",
	    sqlite3_column_text(s, 7), "created",
	    (json_int_t)sqlite3_column_int64(s, 8));
	json_object_set_new(p, "event", sqlite3_column_type(s, 9) ==
	    SQLITE_NULL ? json_null() : json_integer(sqlite3_column_int64(s,
	    9)));
	json_object_set_new(p, "open", json_boolean(sqlite3_column_type(s,
	    10) == SQLITE_NULL));
	sqlite3_reset(s);
	opts = json_array();
	mems = json_array();
	json_object_set_new(p, "options", opts);
	json_object_set_new(p, "members", mems);
	if ((s = store_stmt(st, STMT_POLL_OPTIONS, err)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(opts, json_pack("{s:i, s:s, s:s}", "n",
		    sqlite3_column_int(s, 0), "start", sqlite3_column_text(s, 1),
		    "end", sqlite3_column_text(s, 2)));
	sqlite3_reset(s);
	if ((s = store_stmt(st, STMT_POLL_MEMBERS, err)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(mems, json_pack("{s:I, s:s, s:{}}",
		    "member", (json_int_t)sqlite3_column_int64(s, 0), "name",
		    sqlite3_column_text(s, 1), "answers"));
	sqlite3_reset(s);
	if ((s = store_stmt(st, STMT_POLL_ANSWERS, err)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(who, sizeof(who), "%lld", (long long)
		    sqlite3_column_int64(s, 0));
		snprintf(n, sizeof(n), "%d", sqlite3_column_int(s, 1));
		json_array_foreach(mems, i, m)
			if (json_integer_value(json_object_get(m, "member")) ==
			    sqlite3_column_int64(s, 0))
				json_object_set_new(json_object_get(m,
				    "answers"), n, json_string((const char *)
				    sqlite3_column_text(s, 2)));
	}
	sqlite3_reset(s);
	*out = p;
	return QRM_OK;
fail:
	json_decref(p);
	return QRM_EDB;
}

int
store_poll_find(struct store *st, const char *hash, int64_t *poll,
    int64_t *member, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_POLL_FIND, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, hash);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*poll = sqlite3_column_int64(s, 0);
		*member = sqlite3_column_int64(s, 1);
	}
	return store_row_end(st, s, rc, err, "",
	    "this poll link is not known", "reading a poll");
}

/* Close poll with the meeting it became (inside the caller's tx). */
int
store_poll_close(struct store *st, int64_t poll, int64_t event, int64_t now,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_POLL_CLOSE, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, poll);
	sqlite3_bind_int64(s, 2, event);
	sqlite3_bind_int64(s, 3, now);
	if ((rc = store_step_done(st, s, err, "closing a poll")) != QRM_OK)
		return rc;
	return sqlite3_changes(st->db) == 1 ? QRM_OK : qrm_seterr(err,
	    QRM_ECONFLICT, "poll", "the poll is already closed");
}
