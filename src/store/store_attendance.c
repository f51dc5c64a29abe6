/* store_attendance.c: RSVPs and attendance, per member and occurrence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static void
att_from_row(sqlite3_stmt *s, struct attendance *a)
{
	const char	*occ = (const char *)sqlite3_column_text(s, 1);
	int		 v;

	memset(a, 0, sizeof(*a));
	a->event = sqlite3_column_int64(s, 0);
	snprintf(a->occurrence, sizeof(a->occurrence), "%s", occ ? occ : "");
	a->member = sqlite3_column_int64(s, 2);
	v = model_enum_parse(rsvp_names, RSVP__MAX,
	    (const char *)sqlite3_column_text(s, 3));
	a->rsvp = v < 0 ? RSVP_INVITED : (enum rsvp)v;
	a->waitlisted = sqlite3_column_int64(s, 4) > 0;
	a->rsvp_at = sqlite3_column_int64(s, 5);
	v = model_enum_parse(att_status_names, ATT__MAX,
	    (const char *)sqlite3_column_text(s, 6));
	a->status = v < 0 ? ATT_UNKNOWN : (enum att_status)v;
	a->reason = store_col_text(s, 7);
	a->checked_in_at = sqlite3_column_int64(s, 8);
	a->recorded_by = sqlite3_column_int64(s, 9);
	a->recorded_at = sqlite3_column_int64(s, 10);
	a->name = store_col_text(s, 11);
	a->number = store_col_text(s, 12);
	a->email = store_col_text(s, 13);
	a->wait_position = sqlite3_column_int(s, 14);
	a->offered_until = sqlite3_column_int64(s, 15);
}

/* The record of member at (event, occurrence); QRM_ENOTFOUND if none. */
int
store_attendance_get(struct store *st, int64_t event, const char *occurrence,
    int64_t member, struct attendance *out, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_ATT_GET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	store_bind_text(s, 2, occurrence);
	sqlite3_bind_int64(s, 3, member);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		att_from_row(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return QRM_OK;
	if (rc == SQLITE_DONE)
		return QRM_ENOTFOUND;
	return store_dberr(st, err, "reading attendance");
}

/* Insert or replace a record (inside a transaction). */
int
store_attendance_put(struct store *st, const struct attendance *a,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_ATT_UPSERT, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, a->event);
	store_bind_text(s, 2, a->occurrence);
	sqlite3_bind_int64(s, 3, a->member);
	store_bind_text(s, 4, rsvp_names[a->rsvp]);
	sqlite3_bind_int(s, 5, a->waitlisted);
	if (a->rsvp_at)
		sqlite3_bind_int64(s, 6, a->rsvp_at);
	store_bind_text(s, 7, att_status_names[a->status]);
	store_bind_text(s, 8, a->reason);
	if (a->checked_in_at)
		sqlite3_bind_int64(s, 9, a->checked_in_at);
	if (a->recorded_by)
		sqlite3_bind_int64(s, 10, a->recorded_by);
	sqlite3_bind_int64(s, 11, a->recorded_at);
	return store_step_done(st, s, err, "saving attendance");
}

static int
att_collect(struct store *st, sqlite3_stmt *s, struct attendance_list *out,
    struct qrm_error *err)
{
	struct attendance	*v;
	int			 rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((v = realloc(out->v, (out->n + 1) * sizeof(*v))) == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		out->v = v;
		att_from_row(s, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		attendance_list_free(out);
		return store_dberr(st, err, "listing attendance");
	}
	return QRM_OK;
}

/* An event's records, filtered (NULL: any), by occurrence and name. */
int
store_attendance_list(struct store *st, int64_t event, const char *occurrence,
    const char *rsvp, const char *status, struct attendance_list *out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_ATT_LIST, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	store_bind_text(s, 2, occurrence);
	store_bind_text(s, 3, rsvp);
	store_bind_text(s, 4, status);
	return att_collect(st, s, out, err);
}

/* Every record of one member. */
int
store_attendance_of_member(struct store *st, int64_t member,
    struct attendance_list *out, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_ATT_OF_MEMBER, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	return att_collect(st, s, out, err);
}

int
store_attendance_places(struct store *st, int64_t event,
    const char *occurrence, int64_t *out)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_ATT_ACCEPTED, NULL)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	store_bind_text(s, 2, occurrence);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? QRM_OK : QRM_EDB;
}

/*
 * Offer the place that freed at (event, occurrence) to the first on the
 * waiting list with no offer yet: held for them until until, taken by
 * the link of hash.  *member is whom (0: nobody waits).
 */
int
store_attendance_promote(struct store *st, int64_t event,
    const char *occurrence, int64_t until, const char *hash,
    int64_t *member, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	*member = 0;
	if ((s = store_stmt(st, STMT_ATT_FIRST_WAITING, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	store_bind_text(s, 2, occurrence);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*member = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return QRM_OK;
	if (rc != SQLITE_ROW)
		return store_dberr(st, err, "reading the waiting list");
	if ((s = store_stmt(st, STMT_ATT_PROMOTE, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	store_bind_text(s, 2, occurrence);
	sqlite3_bind_int64(s, 3, *member);
	sqlite3_bind_int64(s, 4, until);
	store_bind_text(s, 5, hash);
	return store_step_done(st, s, err, "offering a place");
}

/* Take the place offered by the link of hash, if it is still held. */
int
store_attendance_claim(struct store *st, const char *hash, int64_t now,
    int64_t *event, char *occurrence, size_t sz, int64_t *member,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_ATT_CLAIM, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, hash);
	sqlite3_bind_int64(s, 2, now);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*event = sqlite3_column_int64(s, 0);
		snprintf(occurrence, sz, "%s", (const char *)
		    sqlite3_column_text(s, 1));
		*member = sqlite3_column_int64(s, 2);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE ? SQLITE_ROW : rc;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return QRM_OK;
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_ECONFLICT, "", "this offer has run "
		    "out, or the place was taken already");
	return store_dberr(st, err, "taking a place");
}

/* The offer of the link of hash: whose, and until when. */
int
store_attendance_offer_get(struct store *st, const char *hash,
    int64_t *event, char *occurrence, size_t sz, int64_t *member,
    int64_t *until, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_ATT_OFFER_GET, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, hash);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*event = sqlite3_column_int64(s, 0);
		snprintf(occurrence, sz, "%s", (const char *)
		    sqlite3_column_text(s, 1));
		*member = sqlite3_column_int64(s, 2);
		*until = sqlite3_column_int64(s, 3);
	}
	return store_row_end(st, s, rc, err, "",
	    "this offer is not known: it may have passed to the next "
	    "person", "reading an offer");
}

/*
 * The offers run out by now, each sent to the back of its waiting list
 * (inside the caller's transaction); fn is told of each (event,
 * occurrence), to offer the place to the next.
 */
int
store_attendance_offers_lapse(struct store *st, int64_t now,
    struct strv *lapsed, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	struct strv	 rows = { 0 };
	char		 line[128], *a, *b;
	size_t		 i;
	int		 rc;

	memset(lapsed, 0, sizeof(*lapsed));
	if ((s = store_stmt(st, STMT_ATT_OFFERS_LAPSED, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(line, sizeof(line), "%lld\t%s\t%lld", (long long)
		    sqlite3_column_int64(s, 0), (const char *)
		    sqlite3_column_text(s, 1), (long long)
		    sqlite3_column_int64(s, 2));
		strv_push(&rows, line);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		strv_free(&rows);
		return store_dberr(st, err, "reading offers");
	}
	for (i = 0; i < rows.n; i++) {
		a = strchr(rows.v[i], '\t');
		*a++ = '\0';
		b = strchr(a, '\t');
		*b++ = '\0';
		if ((s = store_stmt(st, STMT_ATT_OFFER_LAPSE, err)) == NULL) {
			strv_free(&rows);
			return QRM_EDB;
		}
		sqlite3_bind_int64(s, 1, strtoll(rows.v[i], NULL, 10));
		store_bind_text(s, 2, a);
		sqlite3_bind_int64(s, 3, strtoll(b, NULL, 10));
		if ((rc = store_step_done(st, s, err, "ending an offer")) !=
		    QRM_OK) {
			strv_free(&rows);
			return rc;
		}
		snprintf(line, sizeof(line), "%s\t%s", rows.v[i], a);
		strv_push(lapsed, line);
	}
	strv_free(&rows);
	return QRM_OK;
}
