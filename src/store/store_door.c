/*
 * store_door.c: what the door page needs beyond attendance: the keys
 * of changes already applied, and the codes of self check-in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define KEY_KEEP	(7 * 86400)	/* longer than any phone stays offline */

/*
 * Note key as applied at now (inside the caller's transaction); *seen
 * is 1 when it had been, and nothing is noted.  Keys older than a week
 * go.
 */
int
store_request_key(struct store *st, const char *key, int64_t now, int *seen,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	*seen = 0;
	if ((s = store_stmt(st, STMT_KEY_PURGE, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, now - KEY_KEEP);
	if ((rc = store_step_done(st, s, err, "forgetting old request keys")))
		return rc;
	if ((s = store_stmt(st, STMT_KEY_ADD, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, now);
	if ((rc = store_step_done(st, s, err, "noting a request key")))
		return rc;
	*seen = sqlite3_changes(st->db) == 0;
	return QRM_OK;
}

/*
 * The self check-in code of an occurrence of event: the one it has, or
 * fresh, made now by member by (inside the caller's transaction).
 */
int
store_door_code(struct store *st, int64_t event, const char *occurrence,
    const char *fresh, int64_t by, int64_t now, char *code, size_t sz,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_DOOR_CODE_ADD, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	store_bind_text(s, 2, occurrence);
	store_bind_text(s, 3, fresh);
	sqlite3_bind_int64(s, 4, by);
	sqlite3_bind_int64(s, 5, now);
	if ((rc = store_step_done(st, s, err, "making a check-in code")))
		return rc;
	if ((s = store_stmt(st, STMT_DOOR_CODE_GET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	store_bind_text(s, 2, occurrence);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		snprintf(code, sz, "%s", (const char *)sqlite3_column_text(s,
		    0));
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? QRM_OK : store_dberr(st, err,
	    "reading a check-in code");
}

/* The occurrence a self check-in code is for; QRM_ENOTFOUND if none. */
int
store_door_code_find(struct store *st, const char *code, int64_t *event,
    char *occurrence, size_t sz, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_DOOR_CODE_FIND, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, code);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*event = sqlite3_column_int64(s, 0);
		snprintf(occurrence, sz, "%s", (const char *)
		    sqlite3_column_text(s, 1));
	}
	return store_row_end(st, s, rc, err, "code",
	    "this check-in code is not known", "reading a check-in code");
}
