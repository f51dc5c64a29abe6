/*
 * store_union.c: the union's records around its meetings with others:
 * the employer's feed secret and each meeting's quorum check (warned,
 * its outcome, reconvened).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/*
 * The employer's feed: the hash of the one secret in force (replacing,
 * and so revoking, any other), none at all (hash NULL), or whether hash
 * is the one in force (store_employer_feed_is).
 */
int
store_employer_feed_set(struct store *st, const char *hash, int64_t now,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "UPDATE employer_feeds SET revoked = ? "
	    "WHERE revoked IS NULL", -1, &s, NULL) != SQLITE_OK)
		return store_dberr(st, err, "stopping the employer's feed");
	sqlite3_bind_int64(s, 1, now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_dberr(st, err, "stopping the employer's feed");
	if (hash == NULL)
		return QRM_OK;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO employer_feeds (hash, "
	    "created) VALUES (?, ?)", -1, &s, NULL) != SQLITE_OK)
		return store_dberr(st, err, "saving the employer's feed");
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? QRM_OK : store_dberr(st, err,
	    "saving the employer's feed");
}

/* 1 if hash is the employer feed's secret in force, 0 if not. */
int
store_employer_feed_is(struct store *st, const char *hash, int64_t *since)
{
	sqlite3_stmt	*s;
	int		 yes = 0;

	*since = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT created FROM employer_feeds "
	    "WHERE revoked IS NULL AND (?1 IS NULL OR hash = ?1)", -1, &s,
	    NULL) != SQLITE_OK)
		return 0;
	if (hash != NULL)
		sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		yes = 1;
		*since = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return yes;
}

/* The quorum forecast's record of one occurrence (zeroed: none yet). */
int
store_quorum_check_get(struct store *st, int64_t event, const char *occ,
    struct quorum_check *out)
{
	sqlite3_stmt	*s;
	const char	*o;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(st->db, "SELECT coalesce(warned_at, 0), "
	    "coalesce(accepted, 0), outcome, coalesce(present, 0), "
	    "coalesce(reconvened, 0) FROM quorum_checks WHERE event = ? AND "
	    "occurrence = ?", -1, &s, NULL) != SQLITE_OK)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	sqlite3_bind_text(s, 2, occ, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->warned_at = sqlite3_column_int64(s, 0);
		out->accepted = sqlite3_column_int(s, 1);
		o = (const char *)sqlite3_column_text(s, 2);
		out->outcome = o == NULL ? 0 : strcmp(o, "quorate") == 0 ? 1 :
		    2;
		out->present = sqlite3_column_int(s, 3);
		out->reconvened = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? QRM_OK : QRM_EDB;
}

static int
quorum_check_write(struct store *st, const char *sql, int64_t event,
    const char *occ, int64_t a, int64_t b, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_dberr(st, err, "saving the quorum forecast");
	sqlite3_bind_int64(s, 1, event);
	sqlite3_bind_text(s, 2, occ, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, a);
	sqlite3_bind_int64(s, 4, b);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? QRM_OK : store_dberr(st, err,
	    "saving the quorum forecast");
}

int
store_quorum_check_warn(struct store *st, int64_t event, const char *occ,
    int64_t at, int accepted, struct qrm_error *err)
{
	return quorum_check_write(st, "INSERT INTO quorum_checks (event, "
	    "occurrence, warned_at, accepted) VALUES (?1, ?2, ?3, ?4) ON "
	    "CONFLICT (event, occurrence) DO UPDATE SET warned_at = ?3, "
	    "accepted = ?4", event, occ, at, accepted, err);
}

/* outcome: 1 quorate, 2 inquorate. */
int
store_quorum_check_outcome(struct store *st, int64_t event, const char *occ,
    int outcome, int present, struct qrm_error *err)
{
	return quorum_check_write(st, "INSERT INTO quorum_checks (event, "
	    "occurrence, outcome, present) VALUES (?1, ?2, CASE ?3 WHEN 1 "
	    "THEN 'quorate' ELSE 'inquorate' END, ?4) ON CONFLICT (event, "
	    "occurrence) DO UPDATE SET outcome = excluded.outcome, present = "
	    "?4", event, occ, outcome, present, err);
}

int
store_quorum_check_reconvened(struct store *st, int64_t event,
    const char *occ, int64_t to, struct qrm_error *err)
{
	return quorum_check_write(st, "INSERT INTO quorum_checks (event, "
	    "occurrence, reconvened) VALUES (?1, ?2, ?3 + 0 * ?4) ON CONFLICT "
	    "(event, occurrence) DO UPDATE SET reconvened = ?3", event, occ,
	    to, 0, err);
}

/* Each recorded occurrence of event: [{"occurrence", "outcome", ...}]. */
int
store_quorum_outcomes(struct store *st, int64_t event, json_t **out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	*out = json_array();
	if (sqlite3_prepare_v2(st->db, "SELECT occurrence, outcome, present, "
	    "reconvened, warned_at FROM quorum_checks WHERE event = ? "
	    "ORDER BY occurrence", -1, &s, NULL) != SQLITE_OK)
		return store_dberr(st, err, "reading the quorum forecast");
	sqlite3_bind_int64(s, 1, event);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out, json_pack("{s:s, s:s?, s:o, s:o, "
		    "s:b}", "occurrence", (const char *)sqlite3_column_text(s,
		    0), "outcome", (const char *)sqlite3_column_text(s, 1),
		    "present", sqlite3_column_type(s, 2) == SQLITE_NULL ?
		    json_null() : json_integer(sqlite3_column_int(s, 2)),
		    "reconvened", sqlite3_column_type(s, 3) == SQLITE_NULL ?
		    json_null() : json_integer(sqlite3_column_int64(s, 3)),
		    "warned", sqlite3_column_type(s, 4) != SQLITE_NULL));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? QRM_OK : store_dberr(st, err,
	    "reading the quorum forecast");
}
