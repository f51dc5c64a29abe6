/*
 * backup.c: `quorum backup` while the service runs, with a retention
 * count when it writes into a folder, and `quorum restore`, refused
 * while a server holds the database.  A server holds a shared lock on
 * DB.lock for as long as it runs; a restore needs it exclusive.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core_int.h"

/*
 * Take the lock of the database at db: shared (a server), or exclusive
 * without waiting (a restore).  The descriptor, or -1 with why.
 */
int
core_db_lock(const char *db, int exclusive, struct qrm_error *err)
{
	char	path[4096];
	int	fd;

	snprintf(path, sizeof(path), "%s.lock", db);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		qrm_seterr(err, QRM_ESYS, "", "cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == -1) {
		qrm_seterr(err, QRM_ECONFLICT, "", exclusive ? "a quorum "
		    "server is using %s: stop it first (systemctl stop "
		    "quorum)" : "%s is being restored", db);
		close(fd);
		return -1;
	}
	return fd;
}

static int
is_backup_name(const char *n)
{
	return strncmp(n, "quorum-", 7) == 0 && strlen(n) == 25 &&
	    strcmp(n + 22, ".db") == 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* In folder dir, the backups beyond the newest keep are removed. */
static void
prune(const char *dir, int keep, int *removed)
{
	DIR		*d;
	struct dirent	*e;
	char		**names = NULL, **nv, path[4096];
	size_t		 n = 0, i;

	*removed = 0;
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!is_backup_name(e->d_name))
			continue;
		if ((nv = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			break;
		names = nv;
		if ((names[n] = strdup(e->d_name)) != NULL)
			n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), by_name);
	/* the names sort by time: the oldest first */
	for (i = 0; i < n; i++) {
		if (n - i > (size_t)keep) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if (unlink(path) == 0)
				(*removed)++;
		}
		free(names[i]);
	}
	free(names);
}

/*
 * A backup of q's database at path; when path is a folder, into it as
 * quorum-YYYYmmdd-HHMMSS.db, keeping the newest keep there (0: keep
 * them all).  *out: {"file", "bytes", "removed"}.
 */
int
core_backup(struct qrm *q, const char *path, int keep, json_t **out,
    struct qrm_error *err)
{
	struct store	*st;
	struct stat	 sb;
	char		 file[4096], stamp[32];
	time_t		 now = time(NULL);
	int		 rc, removed = 0, dir;

	*out = NULL;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	dir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
	if (dir) {
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
		snprintf(file, sizeof(file), "%s/quorum-%s.db", path, stamp);
	} else
		snprintf(file, sizeof(file), "%s", path);
	if ((rc = store_backup(st, file, err)) != QRM_OK)
		return rc;
	if (dir && keep > 0)
		prune(path, keep, &removed);
	stat(file, &sb);
	*out = json_pack("{s:s, s:I, s:i}", "file", file, "bytes",
	    (json_int_t)sb.st_size, "removed", removed);
	return QRM_OK;
}

/*
 * Replace the database at db with the backup from, refused while a
 * server holds db; the backup is checked (integrity, schema version)
 * first, the database replaced is kept as db.replaced-YYYYmmdd-HHMMSS,
 * and an older schema is migrated.  *out: {"restored", "kept",
 * "schema_version"}.
 */
int
core_restore(const char *db, const char *from, json_t **out,
    struct qrm_error *err)
{
	struct store	*st;
	char		 keep[4096], stamp[32];
	time_t		 now = time(NULL);
	int		 fd, rc, version, had;

	*out = NULL;
	if ((rc = store_file_check(from, &version, err)) != QRM_OK)
		return rc;
	if ((fd = core_db_lock(db, 1, err)) == -1)
		return err != NULL && err->code ? err->code : QRM_ECONFLICT;
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
	snprintf(keep, sizeof(keep), "%s.replaced-%s", db, stamp);
	had = access(db, F_OK) == 0;
	if ((rc = store_restore(from, db, had ? keep : NULL, err)) ==
	    QRM_OK && (rc = store_open(db, &st, err)) == QRM_OK) {
		store_schema_version(st, &version);
		store_close(st);
		*out = json_pack("{s:s, s:s, s:o, s:i}", "restored", from,
		    "database", db, "kept", had ? json_string(keep) :
		    json_null(), "schema_version", version);
	}
	close(fd);
	return rc;
}

/* What /metrics shows of the service: caches, outbox, database, backup. */
int
core_stats(struct qrm *q, struct qrm_stats *out, struct qrm_error *err)
{
	struct store	*st;
	struct stat	 sb;

	memset(out, 0, sizeof(*out));
	feed_cache_stats(q, &out->cache_hits, &out->cache_misses,
	    &out->cache_bytes);
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (store_outbox_backlog(st, &out->outbox_waiting,
	    &out->outbox_oldest) != QRM_OK ||
	    store_meta_get(st, "last_backup", &out->last_backup) != QRM_OK)
		return qrm_seterr(err, QRM_EDB, "", "the database cannot be "
		    "read");
	if (stat(q->dbpath, &sb) == 0)
		out->db_bytes = (int64_t)sb.st_size;
	if (stat(q->walpath, &sb) == 0)
		out->wal_bytes = (int64_t)sb.st_size;
	return QRM_OK;
}
