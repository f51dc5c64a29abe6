/*
 * store_backup.c: backups by SQLite's online backup API (a consistent
 * copy while the server runs and writes), their checks, and a restore
 * that replaces the database only after the copy is known good.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_int.h"

static int	sig_text(struct store *, enum stmt, int64_t, const char *,
		    int, char **, struct qrm_error *);

extern const size_t	store_migrations_count;

/* Copy the main database of from into to, whole, in one step. */
static int
copy_db(sqlite3 *to, sqlite3 *from)
{
	sqlite3_backup	*b;
	int		 rc;

	if ((b = sqlite3_backup_init(to, "main", from, "main")) == NULL)
		return sqlite3_errcode(to);
	/*
	 * One step copies every page under one read transaction of the
	 * source: a snapshot, whatever writers do meanwhile (WAL).
	 */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED)
		sqlite3_sleep(50);
	sqlite3_backup_finish(b);
	return rc == SQLITE_DONE ? sqlite3_errcode(to) : rc;
}

/*
 * Is the database file at path sound?  QRM_OK with its schema version,
 * or why not: not SQLite, integrity_check failing, or newer than this
 * quorum.
 */
int
store_file_check(const char *path, int *version, struct qrm_error *err)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*s = NULL;
	const char	*v;
	int		 rc = QRM_OK;

	*version = -1;
	if (access(path, R_OK) != 0)
		return qrm_seterr(err, QRM_ENOTFOUND, "file", "%s cannot be "
		    "read", path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) !=
	    SQLITE_OK) {
		rc = qrm_seterr(err, QRM_EINVAL, "file", "%s is not a quorum "
		    "database: %s", path, db ? sqlite3_errmsg(db) :
		    "out of memory");
		goto out;
	}
	if (sqlite3_step(s) != SQLITE_ROW || (v = (const char *)
	    sqlite3_column_text(s, 0)) == NULL || strcmp(v, "ok") != 0) {
		rc = qrm_seterr(err, QRM_EINVAL, "file", "%s fails SQLite's "
		    "integrity check: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) !=
	    SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		rc = qrm_seterr(err, QRM_EINVAL, "file", "%s: no schema "
		    "version", path);
		goto out;
	}
	*version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (*version < 1)
		rc = qrm_seterr(err, QRM_EINVAL, "file", "%s is not a quorum "
		    "database (schema version %d)", path, *version);
	else if ((size_t)*version > store_migrations_count)
		rc = qrm_seterr(err, QRM_EINVAL, "file", "%s has schema "
		    "version %d, newer than this quorum's (%zu): use the "
		    "quorum that wrote it", path, *version,
		    store_migrations_count);
	else if (sqlite3_prepare_v2(db, "SELECT count(*) FROM meta WHERE "
	    "key = 'data_version'", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW || sqlite3_column_int(s, 0) != 1)
		rc = qrm_seterr(err, QRM_EINVAL, "file", "%s is not a quorum "
		    "database", path);
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return rc;
}

/*
 * A consistent copy of st's database at path (written beside it and
 * renamed into place, so a copy that exists is whole), checked, and its
 * time kept in the source as the last good backup.
 */
int
store_backup(struct store *st, const char *path, struct qrm_error *err)
{
	sqlite3		*to = NULL;
	char		*tmp;
	int		 rc, version;

	if ((tmp = malloc(strlen(path) + 8)) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	sprintf(tmp, "%s.part", path);
	unlink(tmp);
	if (sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = qrm_seterr(err, QRM_ESYS, "file", "cannot write %s: %s",
		    tmp, to ? sqlite3_errmsg(to) : "out of memory");
		goto fail;
	}
	if ((rc = copy_db(to, st->db)) != SQLITE_OK) {
		rc = qrm_seterr(err, QRM_EDB, "file", "the backup failed: %s",
		    sqlite3_errstr(rc));
		goto fail;
	}
	/* a backup is a whole file of its own: no WAL beside it */
	sqlite3_exec(to, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	sqlite3_close(to);
	to = NULL;
	if ((rc = store_file_check(tmp, &version, err)) != QRM_OK)
		goto fail;
	if (rename(tmp, path) != 0) {
		rc = qrm_seterr(err, QRM_ESYS, "file", "cannot write %s: %s",
		    path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return store_meta_set(st, "last_backup", (int64_t)time(NULL), err);
fail:
	sqlite3_close(to);
	unlink(tmp);
	free(tmp);
	return rc;
}

/*
 * Replace the database at path with the checked backup from: the
 * database as it was is kept at keep (when it exists), then the backup
 * is copied in by the backup API (which handles the WAL of the
 * database replaced).  The caller makes sure no server holds path, and
 * opens it afterwards to migrate an older schema.
 */
int
store_restore(const char *from, const char *path, const char *keep,
    struct qrm_error *err)
{
	sqlite3	*src = NULL, *dst = NULL, *kept = NULL;
	int	 rc = QRM_OK, version, e;

	if ((rc = store_file_check(from, &version, err)) != QRM_OK)
		return rc;
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK ||
	    sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = qrm_seterr(err, QRM_EDB, "", "cannot open %s: %s", path,
		    dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(dst, 10000);
	if (keep != NULL && access(path, F_OK) == 0) {
		if (sqlite3_open_v2(keep, &kept, SQLITE_OPEN_READWRITE |
		    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
		    (e = copy_db(kept, dst)) != SQLITE_OK) {
			rc = qrm_seterr(err, QRM_ESYS, "", "cannot keep the "
			    "database replaced at %s: %s", keep, kept ?
			    sqlite3_errmsg(kept) : "out of memory");
			goto out;
		}
		sqlite3_exec(kept, "PRAGMA journal_mode = DELETE", NULL, NULL,
		    NULL);
	}
	if ((e = copy_db(dst, src)) != SQLITE_OK)
		rc = qrm_seterr(err, QRM_EDB, "", "the restore failed: %s "
		    "(the database is as it was)", sqlite3_errstr(e));
out:
	sqlite3_close(kept);
	sqlite3_close(dst);
	sqlite3_close(src);
	return rc;
}

/* meta's key set to value, outside any transaction of the caller's. */
int
store_meta_set(struct store *st, const char *key, int64_t value,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO meta (key, value) "
	    "VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
	    "excluded.value", -1, &s, NULL) != SQLITE_OK)
		return store_dberr(st, err, "saving a setting");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, value);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? QRM_OK : store_dberr(st, err,
	    "saving a setting");
}

/* meta's key into *value (0 when not there). */
int
store_meta_get(struct store *st, const char *key, int64_t *value)
{
	sqlite3_stmt	*s;
	int		 rc;

	*value = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?",
	    -1, &s, NULL) != SQLITE_OK)
		return QRM_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*value = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? QRM_OK : QRM_EDB;
}

/*
 * The outbox's backlog: messages waiting (queued or being sent), and
 * when the oldest of them was queued (0: none).
 */
int
store_outbox_backlog(struct store *st, int64_t *waiting, int64_t *oldest)
{
	sqlite3_stmt	*s;
	int		 rc;

	*waiting = *oldest = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*), coalesce(min("
	    "created), 0) FROM outbox WHERE status IN ('queued', 'sending')",
	    -1, &s, NULL) != SQLITE_OK)
		return QRM_EDB;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*waiting = sqlite3_column_int64(s, 0);
		*oldest = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? QRM_OK : QRM_EDB;
}

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

/*
 * What the events of some audiences (a lineage: a JSON array of slugs)
 * are, as text that changes whenever they do: how many, their
 * revisions, which, and the audiences' windows.  The caller frees *out.
 */
int
store_lineage_sig(struct store *st, const char *lineage, char **out,
    struct qrm_error *err)
{
	return sig_text(st, STMT_LINEAGE_SIG, 0, lineage, 0, out, err);
}

/*
 * What only a member's own feed shows, as text that changes whenever
 * it does: their answers and records (feed_rev, raised by triggers),
 * their places on waiting lists, the actions they own (action_rev),
 * their name, address, alert and state.  A write about others (their
 * check-in) leaves it as it is.  Without events (the actions feed),
 * only what that shows.  The caller frees *out.
 */
int
store_member_feed_sig(struct store *st, int64_t member, int with_events,
    char **out, struct qrm_error *err)
{
	return sig_text(st, STMT_MEMBER_FEED_SIG, member, NULL, with_events, out,
	    err);
}

/* The one text a signature's statement gives, into *out. */
static int
sig_text(struct store *st, enum stmt which, int64_t member,
    const char *lineage, int with_events, char **out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	const char	*t;
	int		 rc;

	*out = NULL;
	if ((s = store_stmt(st, which, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	if (lineage != NULL)
		sqlite3_bind_text(s, 2, lineage, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int(s, 3, with_events);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	    (t = (const char *)sqlite3_column_text(s, 0)) != NULL)
		*out = strdup(t);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store_dberr(st, err, "reading a feed's version");
	return *out != NULL ? QRM_OK : qrm_seterr(err, QRM_ESYS, "",
	    "out of memory");
}
