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
