/*
 * transfer.c: import and export of iCalendar, so that a union can bring
 * its calendar in and always take its data elsewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

/*
 * Store one imported event: a new UID is created, a known one updated
 * in place (SEQUENCE never goes down).  *what is "created", "updated"
 * or "unchanged".
 */
static int
import_one(struct store *st, struct event *in, const char *audience,
    const char **what, struct qrm_error *err)
{
	struct event	old;
	int64_t		now = (int64_t)time(NULL);
	size_t		i, keep;
	int		rc, change;

	/* quorum's own exports name their audiences; others get this one */
	if (in->audiences.n == 0 && strv_push(&in->audiences, audience) == -1)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	if ((rc = event_validate(in, err)) != QRM_OK)
		return rc;
	/* other apps' EXDATEs that match no date leave nothing out: drop */
	for (i = keep = 0; i < in->exdates.n; i++)
		if (ical_event_is_occurrence(in, in->exdates.v[i]))
			in->exdates.v[keep++] = in->exdates.v[i];
		else
			free(in->exdates.v[i]);
	in->exdates.n = keep;
	rc = store_event_get_uid(st, in->uid, &old, NULL);
	if (rc == QRM_ENOTFOUND) {
		if (in->updated == 0)
			in->updated = now;
		if (in->created == 0 || in->created > in->updated)
			in->created = in->updated;
		*what = "created";
		return store_event_insert(st, in, err);
	}
	if (rc != QRM_OK)
		return qrm_seterr(err, QRM_EDB, "", "database error");
	in->id = old.id;
	in->after = old.after;
	if (strv_copy(&in->hosts, &old.hosts) == -1 ||
	    strv_copy(&in->audiences, &old.audiences) == -1) {
		event_clear(&old);
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	strv_dedup(&in->audiences);
	if (in->kind == KIND_OTHER)
		in->kind = old.kind;
	if (in->capacity == 0)
		in->capacity = old.capacity;
	in->created = old.created;
	change = event_change(&old, in);
	if (in->sequence < old.sequence)
		in->sequence = old.sequence;
	if (change == 2 && in->sequence == old.sequence)
		in->sequence++;
	if (change == 0 && in->sequence == old.sequence) {
		*what = "unchanged";
		event_clear(&old);
		return QRM_OK;
	}
	if (in->updated <= old.updated)
		in->updated = now > old.updated ? now : old.updated + 1;
	*what = "updated";
	event_clear(&old);
	return store_event_update(st, in, err);
}

/*
 * Import an iCalendar text into audience (events that name their own
 * audiences, as quorum's exports do, keep those): all of it in one
 * transaction, or nothing.  *report (the caller decrefs it) counts what happened.
 */
int
core_import(struct qrm *q, const struct actor *a, const char *text,
    size_t len, const char *audience, json_t **report, struct qrm_error *err)
{
	struct store		*st;
	struct event_list	 evs = { 0 };
	struct audience		 aud;
	struct qrm_error	 e1;
	const char		*what = NULL;
	json_t			*ids, *items;
	char			 detail[64];
	size_t			 i;
	int			 rc, created = 0, updated = 0, unchanged = 0;

	*report = NULL;
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if (audience == NULL || *audience == '\0')
		return qrm_seterr(err, QRM_EINVAL, "audience",
		    "audience is required");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (store_audience_get(st, audience, &aud, NULL) != QRM_OK)
		return qrm_seterr(err, QRM_EINVAL, "audience",
		    "unknown audience '%s'", audience);
	audience_clear(&aud);
	if ((rc = ical_import_parse(text, len, QRM_DEFAULT_TZ, &evs, err)))
		return rc;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		goto out;
	ids = json_array();
	items = json_array();
	for (i = 0; i < evs.n; i++) {
		qrm_error_clear(&e1);
		if ((rc = import_one(st, &evs.v[i], audience, &what, &e1))) {
			qrm_seterr(err, rc == QRM_ECONFLICT ? QRM_ECONFLICT :
			    QRM_EINVAL, "file", "line %d (event '%s'): %s",
			    evs.v[i].src_line, evs.v[i].uid ? evs.v[i].uid :
			    "?", e1.msg);
			json_decref(ids);
			json_decref(items);
			store_tx_rollback(st);
			goto out;
		}
		json_array_append_new(ids, json_integer(evs.v[i].id));
		/* what became of each event, by its line in the file */
		json_array_append_new(items, json_pack("{s:i, s:I, s:s, s:s, "
		    "s:s}", "line", evs.v[i].src_line, "id", (json_int_t)
		    evs.v[i].id, "uid", evs.v[i].uid, "title", evs.v[i].title,
		    "result", what));
		created += strcmp(what, "created") == 0;
		updated += strcmp(what, "updated") == 0;
		unchanged += strcmp(what, "unchanged") == 0;
	}
	snprintf(detail, sizeof(detail), "%d created, %d updated", created,
	    updated);
	if ((rc = store_audit_add(st, a->name, "import", audience, detail,
	    err)) != QRM_OK) {
		json_decref(ids);
		json_decref(items);
		store_tx_rollback(st);
		goto out;
	}
	if ((rc = store_tx_commit(st, err)) != QRM_OK) {
		json_decref(ids);
		json_decref(items);
		goto out;
	}
	*report = json_pack("{s:i, s:i, s:i, s:o, s:o}", "created", created,
	    "updated", updated, "unchanged", unchanged, "events", ids,
	    "items", items);
out:
	event_list_free(&evs);
	return rc;
}

/*
 * Every event (of audience and its ancestors, if given) that overlaps
 * [from, to), cancelled ones too, as one iCalendar document with
 * quorum's own properties so that an import restores them.
 */
int
core_export(struct qrm *q, const char *audience, const char *from,
    const char *to, struct buf *out, struct qrm_error *err)
{
	struct store		*st;
	struct event_filter	 f;
	struct event_list	 evs = { 0 };
	struct strv		 lineage = { 0 };
	struct feed_meta	 meta;
	struct audience		 aud;
	int			 rc;

	memset(&f, 0, sizeof(f));
	f.kind = -1;
	if ((rc = core_time_bound(from, QRM_DEFAULT_TZ, 0, &f.from_utc, err,
	    "from")) || (rc = core_time_bound(to, QRM_DEFAULT_TZ, 1, &f.to_utc,
	    err, "to")))
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	memset(&meta, 0, sizeof(meta));
	meta.name = "quorum export";
	meta.tzid = QRM_DEFAULT_TZ;
	meta.export = 1;
	if (audience != NULL) {
		if (store_audience_get(st, audience, &aud, NULL) != QRM_OK)
			return qrm_seterr(err, QRM_EINVAL, "audience",
			    "unknown audience '%s'", audience);
		audience_clear(&aud);
		if ((rc = store_audience_lineage(st, audience, &lineage, err)))
			goto out;
		f.audiences = &lineage;
	}
	if ((rc = store_event_list(st, &f, &evs, err)) == QRM_OK)
		rc = ical_feed_build(&meta, &evs, out, err);
out:
	event_list_free(&evs);
	strv_free(&lineage);
	return rc;
}

/*
 * One event as a calendar of its own ("Add to calendar"), for whoever
 * may see it; appended to out.
 */
int
core_event_ics(struct qrm *q, const struct actor *a, int64_t id,
    struct buf *out, struct qrm_error *err)
{
	struct event_list	evs = { 0 };
	struct event		ev;
	struct feed_meta	meta;
	int			rc;

	if ((rc = core_event_get(q, a, id, &ev, err)) != QRM_OK)
		return rc;
	evs.v = &ev;
	evs.n = 1;
	memset(&meta, 0, sizeof(meta));
	meta.name = ev.title;
	meta.tzid = ev.tzid;
	rc = ical_feed_build(&meta, &evs, out, err);
	event_clear(&ev);
	return rc;
}
