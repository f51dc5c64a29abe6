/* test_store.c: the SQLite store on a real temporary file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "quorum/store.h"

static char	dbpath[64];

extern const char *const	store_migrations[];
extern const size_t		store_migrations_count;

static int
setup(void **state)
{
	int	fd;

	(void)state;
	snprintf(dbpath, sizeof(dbpath), "/tmp/quorum-store-XXXXXX");
	if ((fd = mkstemp(dbpath)) == -1)
		return -1;
	close(fd);
	unlink(dbpath);
	return 0;
}

static int
teardown(void **state)
{
	char	p[96];

	(void)state;
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	return 0;
}

static void
add_audience(struct store *st, const char *slug, const char *parent)
{
	struct audience	a = { 0 };

	a.slug = (char *)slug;
	a.name = (char *)slug;
	a.parent = (char *)parent;
	a.visibility = VIS_MEMBERS;
	a.refresh_minutes = 60;
	assert_int_equal(store_tx_begin(st, NULL), QRM_OK);
	assert_int_equal(store_audience_upsert(st, &a, NULL), QRM_OK);
	assert_int_equal(store_tx_commit(st, NULL), QRM_OK);
}

static void
sample_event(struct event *ev, const char *uid)
{
	event_init(ev);
	ev->uid = strdup(uid);
	ev->title = strdup("JES panel");
	ev->tzid = strdup("Europe/London");
	ev->kind = KIND_JES_PANEL;
	snprintf(ev->start, sizeof(ev->start), "2027-02-01T09:30:00");
	snprintf(ev->end, sizeof(ev->end), "2027-02-01T16:00:00");
	ev->start_utc = 1801474200;
	ev->end_utc = ev->last_utc = 1801497600;
	ev->created = ev->updated = 1790000000;
	strv_push(&ev->audiences, "officials");
	strv_push(&ev->exdates, "2027-02-08T09:30:00");
}

static void
pragmas_and_migrations(void **state)
{
	struct store		*st;
	struct store_settings	 s;
	struct qrm_error	 err = { 0 };
	sqlite3			*db;

	(void)state;
	assert_int_equal(store_open(dbpath, &st, &err), QRM_OK);
	assert_int_equal(store_settings(st, &s), QRM_OK);
	assert_string_equal(s.journal_mode, "wal");
	assert_int_equal(s.synchronous, 2);
	assert_int_equal(s.foreign_keys, 1);
	assert_true(s.busy_timeout_ms >= 1000);
	assert_int_equal(s.schema_version, (int)store_migrations_count);
	store_close(st);
	/* opening again applies nothing twice */
	assert_int_equal(store_open(dbpath, &st, &err), QRM_OK);
	store_close(st);
	/* a database from a newer quorum is refused, not damaged */
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(dbpath, &st, &err), QRM_EDB);
	assert_non_null(strstr(err.msg, "newer"));
}

static void
event_roundtrip_and_versions(void **state)
{
	struct store	*st;
	struct event	 ev, got;
	struct strv	 lineage = { 0 };
	int64_t		 v0, v1, v2, n, changed;

	(void)state;
	assert_int_equal(store_open(dbpath, &st, NULL), QRM_OK);
	add_audience(st, "all-members", NULL);
	add_audience(st, "officials", "all-members");
	assert_int_equal(store_audience_lineage(st, "officials", &lineage,
	    NULL), QRM_OK);
	assert_int_equal(lineage.n, 2);
	assert_string_equal(lineage.v[1], "all-members");
	strv_free(&lineage);

	assert_int_equal(store_data_version(st, &v0, NULL), QRM_OK);
	sample_event(&ev, "jes-1@test");
	assert_int_equal(store_tx_begin(st, NULL), QRM_OK);
	assert_int_equal(store_event_insert(st, &ev, NULL), QRM_OK);
	assert_int_equal(store_tx_commit(st, NULL), QRM_OK);
	assert_int_equal(store_data_version(st, &v1, &changed), QRM_OK);
	assert_true(v1 > v0);
	assert_true(changed >= 1790000000);	/* the time of that write */

	assert_int_equal(store_event_get(st, ev.id, &got, NULL), QRM_OK);
	assert_string_equal(got.uid, "jes-1@test");
	assert_string_equal(got.start, "2027-02-01T09:30:00");
	assert_int_equal(got.kind, KIND_JES_PANEL);
	assert_int_equal(got.exdates.n, 1);
	assert_int_equal(got.audiences.n, 1);
	assert_int_equal(got.last_utc, 1801497600);
	event_clear(&got);

	/* a rolled-back write leaves no trace and no new version */
	assert_int_equal(store_tx_begin(st, NULL), QRM_OK);
	free(ev.title);
	ev.title = strdup("changed");
	assert_int_equal(store_event_update(st, &ev, NULL), QRM_OK);
	store_tx_rollback(st);
	assert_int_equal(store_data_version(st, &v2, NULL), QRM_OK);
	assert_int_equal(v2, v1);
	assert_int_equal(store_event_get(st, ev.id, &got, NULL), QRM_OK);
	assert_string_equal(got.title, "JES panel");
	event_clear(&got);

	/* the same UID twice is a conflict; an unknown audience is refused */
	event_clear(&ev);
	sample_event(&ev, "jes-1@test");
	assert_int_equal(store_tx_begin(st, NULL), QRM_OK);
	assert_int_equal(store_event_insert(st, &ev, NULL), QRM_ECONFLICT);
	store_tx_rollback(st);
	event_clear(&ev);
	sample_event(&ev, "jes-2@test");
	strv_push(&ev.audiences, "nowhere");
	assert_int_equal(store_tx_begin(st, NULL), QRM_OK);
	assert_int_equal(store_event_insert(st, &ev, NULL), QRM_EINVAL);
	store_tx_rollback(st);
	assert_int_equal(store_event_count(st, &n), QRM_OK);
	assert_int_equal(n, 1);
	event_clear(&ev);
	store_close(st);
}

static void
list_filters(void **state)
{
	struct store		*st;
	struct event		 ev;
	struct event_list	 l;
	struct event_filter	 f;
	struct strv		 aud = { 0 };

	(void)state;
	assert_int_equal(store_open(dbpath, &st, NULL), QRM_OK);
	add_audience(st, "all-members", NULL);
	add_audience(st, "programmes", "all-members");
	add_audience(st, "officials", "all-members");
	assert_int_equal(store_tx_begin(st, NULL), QRM_OK);
	sample_event(&ev, "a@test");
	assert_int_equal(store_event_insert(st, &ev, NULL), QRM_OK);
	event_clear(&ev);
	sample_event(&ev, "b@test");
	strv_free(&ev.audiences);
	strv_push(&ev.audiences, "all-members");
	ev.start_utc += 86400 * 10;
	ev.end_utc = ev.last_utc = ev.start_utc + 3600;
	ev.status = EVSTATUS_CANCELLED;
	ev.updated = 1000;
	assert_int_equal(store_event_insert(st, &ev, NULL), QRM_OK);
	event_clear(&ev);
	assert_int_equal(store_tx_commit(st, NULL), QRM_OK);

	memset(&f, 0, sizeof(f));
	f.kind = -1;
	strv_push(&aud, "programmes");
	strv_push(&aud, "all-members");
	f.audiences = &aud;
	assert_int_equal(store_event_list(st, &f, &l, NULL), QRM_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].uid, "b@test");
	event_list_free(&l);
	/* a cancelled event leaves once over and past the retention */
	f.now = 1801474200 + 86400 * 20;
	f.cancelled_since = f.now - 90 * 86400;
	assert_int_equal(store_event_list(st, &f, &l, NULL), QRM_OK);
	assert_int_equal(l.n, 0);
	event_list_free(&l);
	f.now = 1801474200;
	assert_int_equal(store_event_list(st, &f, &l, NULL), QRM_OK);
	assert_int_equal(l.n, 1);
	event_list_free(&l);
	/* time window */
	memset(&f, 0, sizeof(f));
	f.kind = -1;
	f.from_utc = 1801497600;	/* the end of a@test: no overlap */
	assert_int_equal(store_event_list(st, &f, &l, NULL), QRM_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].uid, "b@test");
	event_list_free(&l);
	f.from_utc = 0;
	f.kind = KIND_JES_PANEL;
	assert_int_equal(store_event_list(st, &f, &l, NULL), QRM_OK);
	assert_int_equal(l.n, 2);
	event_list_free(&l);
	strv_free(&aud);
	store_close(st);
}

/* A database of schema 1 (before the outbox) comes up to date whole. */
static void
migration_keeps_data(void **state)
{
	struct store		*st;
	struct store_settings	 s;
	struct mail		 m = { 0 }, got;
	struct qrm_error	 err = { 0 };
	sqlite3			*db;

	(void)state;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, store_migrations[0], NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO members (name, email, "
	    "role, active, created) VALUES ('Old Timer', 'old@napo.example', "
	    "'member', 1, 0)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(dbpath, &st, &err), QRM_OK);
	assert_int_equal(store_settings(st, &s), QRM_OK);
	assert_int_equal(s.schema_version, (int)store_migrations_count);
	m.kind = "digest";
	m.member = 1;
	m.recipient = "old@napo.example";
	m.subject = "s";
	m.body = "b";
	m.created = 1;
	assert_int_equal(store_tx_begin(st, &err), QRM_OK);
	assert_int_equal(store_outbox_add(st, &m, &err), QRM_OK);
	assert_int_equal(store_tx_commit_quiet(st, &err), QRM_OK);
	assert_int_equal(store_outbox_get(st, m.id, &got, &err), QRM_OK);
	assert_string_equal(got.recipient, "old@napo.example");
	assert_int_equal(got.status, MAIL_QUEUED);
	mail_clear(&got);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(migration_keeps_data, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(pragmas_and_migrations, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(event_roundtrip_and_versions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(list_filters, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
