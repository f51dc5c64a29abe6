/*
 * actions.c: follow-up actions that cannot be lost (an owner or an
 * outside party they wait on, a due date, every status change kept),
 * and meeting notes with every revision, from whose lines actions are
 * made.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

#define NOTES_MAX	(256 * 1024)

static int64_t	days_from_civil(int, int, int);

/* An action as JSON: what it takes, and what it sends back read-only. */
static const struct field action_fields[] = {
	{ "title", FT_TEXT, 0, 1, 300, NULL, 0 },
	{ "notes", FT_TEXT, FF_NULLABLE | FF_MULTILINE, 0, 10000, NULL, 0 },
	{ "owner", FT_ID, FF_NULLABLE, 0, 0, NULL, 0 },
	{ "waiting_on", FT_TEXT, FF_NULLABLE, 0, 200, NULL, 0 },
	{ "due", FT_DATE, FF_NULLABLE, 0, 0, NULL, 0 },
	{ "asked", FT_DATE, FF_NULLABLE, 0, 0, NULL, 0 },
	{ "promised", FT_DATE, FF_NULLABLE, 0, 0, NULL, 0 },
	{ "status", FT_ENUM, 0, 0, 0, action_status_names, ACTION__MAX },
	{ "from_notes_line", FT_INT, 0, 1, 100000, NULL, 0 },
	{ "note", FT_TEXT, FF_MULTILINE, 0, 1000, NULL, 0 },
	{ "event", FT_ID, FF_NULLABLE, 0, 0, NULL, 0 },
	{ "id", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "created", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "updated", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "completed_at", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "owner_name", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "event_uid", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "event_title", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "history", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "overdue", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "days_waiting", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "days_late", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ NULL, 0, 0, 0, 0, NULL, 0 }
};

/* Days from date a to date b (YYYY-MM-DD each; negative if b is first). */
int64_t
core_days_between(const char *a, const char *b)
{
	int	y1, m1, d1, y2, m2, d2;

	if (sscanf(a, "%d-%d-%d", &y1, &m1, &d1) != 3 ||
	    sscanf(b, "%d-%d-%d", &y2, &m2, &d2) != 3)
		return 0;
	return days_from_civil(y2, m2, d2) - days_from_civil(y1, m1, d1);
}

/* Days since 1970-01-01 of a date of the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Today's date where the union is. */
void
core_today(char *out, size_t sz)
{
	char	local[LOCAL_TIME_LEN];

	ical_utc_to_local((int64_t)time(NULL), QRM_DEFAULT_TZ, local,
	    sizeof(local));
	snprintf(out, sz, "%.10s", local);
}

/* The action as the API shows it, with its history when it was read. */
json_t *
action_to_json(const struct action *a)
{
	json_t	*o, *h = NULL;
	char	 created[32], updated[32], done[32], today[11];
	size_t	 i;

	core_today(today, sizeof(today));
	utc_format(a->created, created, sizeof(created));
	utc_format(a->updated, updated, sizeof(updated));
	utc_format(a->completed_at, done, sizeof(done));
	o = json_pack("{s:I, s:o, s:s, s:s?, s:o, s:s?, s:s?, s:o, s:s, "
	    "s:b, s:s, s:s, s:o, s:s?, s:s?}",
	    "id", (json_int_t)a->id,
	    "event", a->event ? json_integer(a->event) : json_null(),
	    "title", a->title, "notes", a->notes,
	    "owner", a->owner ? json_integer(a->owner) : json_null(),
	    "owner_name", a->owner_name, "waiting_on", a->waiting_on,
	    "due", a->due[0] ? json_string(a->due) : json_null(),
	    "status", action_status_names[a->status],
	    "overdue", a->due[0] && strcmp(a->due, today) < 0 &&
	    (a->status == ACTION_OPEN || a->status == ACTION_WAITING),
	    "created", created, "updated", updated,
	    "completed_at", a->completed_at ? json_string(done) : json_null(),
	    "event_uid", a->event_uid, "event_title", a->event_title);
	for (i = 0; o != NULL && a->with_history && i < a->nhistory; i++) {
		if (h == NULL) {
			h = json_array();
			json_object_set_new(o, "history", h);
		}
		utc_format(a->history[i].at, done, sizeof(done));
		json_array_append_new(h, json_pack("{s:s, s:s?, s:s, s:s?}",
		    "at", done, "actor", a->history[i].actor, "status",
		    action_status_names[a->history[i].status], "note",
		    a->history[i].note));
	}
	if (o != NULL && a->with_history && h == NULL)
		json_object_set_new(o, "history", json_array());
	/* the employer's clock, for what waits on someone outside */
	if (o != NULL) {
		int	open = a->status == ACTION_OPEN ||
			    a->status == ACTION_WAITING;

		json_object_set_new(o, "asked", a->asked[0] ?
		    json_string(a->asked) : json_null());
		json_object_set_new(o, "promised", a->promised[0] ?
		    json_string(a->promised) : json_null());
		json_object_set_new(o, "days_waiting", open && a->asked[0] ?
		    json_integer(core_days_between(a->asked, today)) :
		    json_null());
		json_object_set_new(o, "days_late", open && a->promised[0] &&
		    strcmp(a->promised, today) < 0 ? json_integer(
		    core_days_between(a->promised, today)) : json_null());
	}
	return o;
}

/* Apply JSON to a; the checks that need the database come after. */
static int
action_from_json(const json_t *o, struct action *a, struct qrm_error *err)
{
	json_t		*v;
	int		 rc, st;

	if ((rc = fields_check(o, action_fields, 0, err)) != QRM_OK)
		return rc;
	if (fields_text(o, "title", &a->title, 0) == -1 ||
	    fields_text(o, "notes", &a->notes, 0) == -1 ||
	    fields_text(o, "waiting_on", &a->waiting_on, 1) == -1)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	fields_int(o, "owner", &a->owner);
	if ((v = json_object_get(o, "due")) != NULL)
		snprintf(a->due, sizeof(a->due), "%s", json_is_string(v) ?
		    json_string_value(v) : "");
	if ((v = json_object_get(o, "asked")) != NULL)
		snprintf(a->asked, sizeof(a->asked), "%s", json_is_string(v) ?
		    json_string_value(v) : "");
	if ((v = json_object_get(o, "promised")) != NULL)
		snprintf(a->promised, sizeof(a->promised), "%s",
		    json_is_string(v) ? json_string_value(v) : "");
	st = (int)a->status;
	fields_enum(o, action_fields, "status", &st);
	a->status = (enum action_status)st;
	return QRM_OK;
}

static int
action_check(struct store *st, struct action *a, struct qrm_error *err)
{
	struct member	m;

	if (a->title == NULL)
		return qrm_seterr(err, QRM_EINVAL, "title", "title is required");
	if (a->owner > 0) {
		if (store_member_get(st, a->owner, &m, NULL) != QRM_OK ||
		    !m.active) {
			member_clear(&m);
			return qrm_seterr(err, QRM_EINVAL, "owner", "no active "
			    "member %lld", (long long)a->owner);
		}
		member_clear(&m);
	}
	if (a->owner == 0 && a->waiting_on == NULL)
		return qrm_seterr(err, QRM_EINVAL, "owner", "an action needs an "
		    "owner, or the outside party it waits on (waiting_on)");
	if ((a->asked[0] || a->promised[0]) && a->waiting_on == NULL)
		return qrm_seterr(err, QRM_EINVAL, a->asked[0] ? "asked" :
		    "promised", "asked and promised are for an action waiting "
		    "on someone outside (waiting_on, e.g. employer)");
	if (a->asked[0] && a->promised[0] && strcmp(a->promised, a->asked) <
	    0)
		return qrm_seterr(err, QRM_EINVAL, "promised", "promised %s is "
		    "before it was asked for (%s)", a->promised, a->asked);
	return QRM_OK;
}

/* The text of line n (from 1) of the newest notes of event, trimmed. */
static int
notes_latest_cb(void *arg, int64_t id, const char *text, int64_t at,
    const char *actor)
{
	(void)id;
	(void)at;
	(void)actor;
	*(char **)arg = strdup(text ? text : "");
	return 1;
}

static char *
notes_line(struct store *st, int64_t event, int64_t n)
{
	char		*text = NULL, *line = NULL;
	const char	*p, *e;
	int64_t		 i;

	store_note_revisions(st, event, 1, notes_latest_cb, &text, NULL);
	if (text == NULL)
		return NULL;
	for (p = text, i = 1; *p != '\0' && i < n; i++) {
		if ((e = strchr(p, '\n')) == NULL) {
			p = p + strlen(p);
			break;
		}
		p = e + 1;
	}
	if (i == n && *p != '\0') {
		e = strchr(p, '\n');
		while (*p == ' ' || *p == '\t' || *p == '-' || *p == '*')
			p++;
		line = strndup(p, e ? (size_t)(e - p) : strlen(p));
		if (line != NULL)
			line[strcspn(line, "\r")] = '\0';
		if (line != NULL && *line == '\0') {
			free(line);
			line = NULL;
		}
	}
	free(text);
	return line;
}

/* One row of an action's history, kept on the action (arg). */
static int
history_keep(void *arg, int64_t at, const char *actor, const char *status,
    const char *note)
{
	struct action		*x = arg;
	struct action_change	*nv;
	int			 st;

	if ((nv = realloc(x->history, (x->nhistory + 1) * sizeof(*nv))) ==
	    NULL)
		return -1;
	x->history = nv;
	nv += x->nhistory++;
	memset(nv, 0, sizeof(*nv));
	nv->at = at;
	nv->actor = actor ? strdup(actor) : NULL;
	nv->note = note ? strdup(note) : NULL;
	st = model_enum_parse(action_status_names, ACTION__MAX, status);
	nv->status = st < 0 ? ACTION_OPEN : (enum action_status)st;
	return 0;
}

/* Action id as it now stands, with its history, into *out. */
static int
action_load(struct store *st, int64_t id, struct action *out,
    struct qrm_error *err)
{
	int	rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_action_get(st, id, out, err)) != QRM_OK)
		return rc;
	out->with_history = 1;
	return store_action_history(st, id, history_keep, out, err);
}

/*
 * Create an action (officials), for event (0: none) from JSON.  With
 * {"from_notes_line": N} its title is line N of the event's notes.
 */
int
core_action_create(struct qrm *q, const struct actor *a, int64_t event,
    const json_t *o, struct action *out, struct qrm_error *err)
{
	struct store	*st;
	struct action	 x;
	struct event	 ev;
	json_t		*v;
	char		 object[32], *line;
	int		 rc;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = action_from_json(o, &x, err)) != QRM_OK)
		goto out;
	if (event == 0 && (v = json_object_get(o, "event")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_integer(v)) {
			rc = qrm_seterr(err, QRM_EINVAL, "event",
			    "event must be an event id");
			goto out;
		}
		event = json_integer_value(v);
	}
	if (event != 0) {
		if (store_event_get(st, event, &ev, NULL) != QRM_OK) {
			rc = qrm_seterr(err, json_object_get(o, "event") ?
			    QRM_EINVAL : QRM_ENOTFOUND, "event",
			    "no event %lld", (long long)event);
			goto out;
		}
		event_clear(&ev);
		x.event = event;
	}
	if ((v = json_object_get(o, "from_notes_line")) != NULL) {
		if (!json_is_integer(v) || x.event == 0 || (line = notes_line(
		    st, x.event, json_integer_value(v))) == NULL) {
			rc = qrm_seterr(err, QRM_EINVAL, "from_notes_line",
			    "from_notes_line must name a non-empty line of this "
			    "event's notes");
			goto out;
		}
		if (x.title == NULL)
			x.title = line;
		else
			free(line);
	}
	if ((rc = action_check(st, &x, err)) != QRM_OK)
		goto out;
	x.created = x.updated = (int64_t)time(NULL);
	if (x.status == ACTION_DONE || x.status == ACTION_CANCELLED)
		x.completed_at = x.created;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		goto out;
	if ((rc = store_action_insert(st, &x, err)) != QRM_OK ||
	    (rc = store_action_history_add(st, x.id, a->name, x.status,
	    json_string_value(json_object_get(o, "note")), err)) != QRM_OK)
		goto fail;
	snprintf(object, sizeof(object), "action/%lld", (long long)x.id);
	if ((rc = store_audit_add(st, a->name, "action.create", object,
	    x.title, err)) != QRM_OK)
		goto fail;
	if ((rc = store_tx_commit(st, err)) == QRM_OK)
		rc = action_load(st, x.id, out, err);
	goto out;
fail:
	store_tx_rollback(st);
out:
	action_clear(&x);
	return rc;
}

/* May the actor see (and, being its owner, update) action x? */
static int
may_see_action(const struct actor *a, const struct action *x)
{
	return a->role >= ROLE_OFFICIAL || (a->member != 0 &&
	    a->member == x->owner);
}

/* Action id with its history into *out (the caller clears it). */
int
core_action_get(struct qrm *q, const struct actor *a, int64_t id,
    struct action *out, struct qrm_error *err)
{
	struct store	*st;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = action_load(st, id, out, err)) != QRM_OK)
		return rc;
	if (!may_see_action(a, out)) {
		action_clear(out);
		return qrm_seterr(err, QRM_ENOTFOUND, "id", "no action %lld",
		    (long long)id);
	}
	return QRM_OK;
}

/*
 * Change action id.  Officials change anything; an owner may change the
 * status and notes of their own.  A new status goes into the history
 * with who and when (and "note", why).
 */
int
core_action_update(struct qrm *q, const struct actor *a, int64_t id,
    const json_t *o, struct action *out, struct qrm_error *err)
{
	static const char *const owner_may[] = { "status", "notes", "note",
	    NULL };
	struct store	*st;
	struct action	 x;
	const char	*key;
	json_t		*v;
	char		 object[32];
	struct member	 m;
	const char	*note;
	char		*moved = NULL;
	int64_t		 owner;
	int		 rc, i, official = a->role >= ROLE_OFFICIAL;
	enum action_status was;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_action_get(st, id, &x, err)) != QRM_OK)
		goto fail;
	if (!may_see_action(a, &x)) {
		rc = qrm_seterr(err, QRM_EFORBIDDEN, "", "only an official or "
		    "the action's owner may change it");
		goto fail;
	}
	if (!official && json_is_object(o))
		json_object_foreach((json_t *)o, key, v) {
			for (i = 0; owner_may[i] != NULL; i++)
				if (strcmp(owner_may[i], key) == 0)
					break;
			if (owner_may[i] == NULL) {
				rc = qrm_seterr(err, QRM_EFORBIDDEN, key, "an "
				    "owner may change only status and notes");
				goto fail;
			}
		}
	was = x.status;
	owner = x.owner;
	if ((rc = action_from_json(o, &x, err)) != QRM_OK ||
	    (rc = action_check(st, &x, err)) != QRM_OK)
		goto fail;
	/* a change of owner, or a note, is kept in the history too */
	note = json_string_value(json_object_get(o, "note"));
	if (x.owner != owner && x.owner > 0 && store_member_get(st, x.owner,
	    &m, NULL) == QRM_OK) {
		if ((moved = malloc(strlen(m.name) + (note ? strlen(note) :
		    0) + 32)) != NULL)
			sprintf(moved, "Reassigned to %s%s%s", m.name,
			    note ? ": " : "", note ? note : "");
		member_clear(&m);
		note = moved;
	}
	x.updated = (int64_t)time(NULL);
	if (x.status != was)
		x.completed_at = x.status == ACTION_DONE ||
		    x.status == ACTION_CANCELLED ? x.updated : 0;
	snprintf(object, sizeof(object), "action/%lld", (long long)id);
	if ((rc = store_action_update(st, &x, err)) != QRM_OK ||
	    ((x.status != was || note != NULL) &&
	    (rc = store_action_history_add(st, id, a->name, x.status, note,
	    err)) != QRM_OK) || (rc = store_audit_add(st, a->name,
	    "action.update", object, action_status_names[x.status], err)))
		goto fail;
	if ((rc = store_tx_commit(st, err)) == QRM_OK)
		rc = action_load(st, id, out, err);
	goto out;
fail:
	store_tx_rollback(st);
out:
	free(moved);
	action_clear(&x);
	return rc;
}

/*
 * Actions by owner (a member id as text; NULL: anyone), status, and
 * overdue (due before today, still open or waiting), or of event (0:
 * any).  Members see only their own.
 */
int
core_action_list(struct qrm *q, const struct actor *a, const char *owner,
    const char *status, int overdue, int64_t event, struct action_list *out,
    struct qrm_error *err)
{
	struct store		*st;
	struct action_filter	 f;
	char			 today[11];

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	f.status = -1;
	f.event = event;
	if (owner != NULL && *owner != '\0' &&
	    (parse_int64(owner, &f.owner) == -1 || f.owner < 1))
		return qrm_seterr(err, QRM_EINVAL, "owner",
		    "owner must be a member id");
	if (status != NULL && *status != '\0' && (f.status = model_enum_parse(
	    action_status_names, ACTION__MAX, status)) < 0)
		return qrm_seterr(err, QRM_EINVAL, "status", "status must be "
		    "open, waiting, done or cancelled");
	if (a->role < ROLE_OFFICIAL) {
		if (f.owner != 0 && f.owner != a->member)
			return qrm_seterr(err, QRM_EFORBIDDEN, "owner",
			    "you may list only your own actions");
		f.owner = a->member;
	}
	core_today(today, sizeof(today));
	if (overdue)
		f.due_before = today;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	return store_action_list(st, &f, out, err);
}

static int
revision_json(void *arg, int64_t id, const char *text, int64_t at,
    const char *actor)
{
	char	when[32];

	utc_format(at, when, sizeof(when));
	json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s?}",
	    "revision", (json_int_t)id, "text", text ? text : "", "at", when,
	    "actor", actor));
	return 0;
}

/*
 * An event's notes: the newest text and every revision, newest first
 * (officials, and reps in scope).
 */
int
core_notes_get(struct qrm *q, const struct actor *a, int64_t event,
    json_t **out, struct qrm_error *err)
{
	struct store	*st;
	struct event	 ev;
	json_t		*revs, *text;
	int		 rc;

	*out = NULL;
	if ((rc = core_require_role(a, ROLE_REP, err)) != QRM_OK ||
	    (rc = core_event_get(q, a, event, &ev, err)) != QRM_OK)
		return rc;
	event_clear(&ev);
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	revs = json_array();
	if ((rc = store_note_revisions(st, event, 1000, revision_json, revs,
	    err)) != QRM_OK) {
		json_decref(revs);
		return rc;
	}
	text = json_array_size(revs) ? json_incref(json_object_get(
	    json_array_get(revs, 0), "text")) : json_string("");
	*out = json_pack("{s:I, s:o, s:o}", "event", (json_int_t)event,
	    "text", text, "revisions", revs);
	return QRM_OK;
}

/* Save a new revision of an event's notes (officials). */
int
core_notes_put(struct qrm *q, const struct actor *a, int64_t event,
    const char *text, size_t len, json_t **out, struct qrm_error *err)
{
	struct store	*st;
	struct event	 ev;
	char		 object[32], *copy;
	int		 rc;

	*out = NULL;
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if (len > NOTES_MAX)
		return qrm_seterr(err, QRM_ETOOBIG, "text",
		    "notes are larger than %d bytes", NOTES_MAX);
	if (memchr(text, '\0', len) != NULL)
		return qrm_seterr(err, QRM_EINVAL, "text",
		    "notes must be plain text");
	if (utf8_check(text, len, NULL) == -1)
		return qrm_seterr(err, QRM_EINVAL, "text",
		    "notes must be UTF-8 text");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_event_get(st, event, &ev, err)) != QRM_OK)
		return rc;
	event_clear(&ev);
	if ((copy = strndup(text, len)) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	snprintf(object, sizeof(object), "event/%lld", (long long)event);
	if ((rc = store_tx_begin(st, err)) == QRM_OK) {
		if ((rc = store_note_add(st, event, copy, a->name, err)) ||
		    (rc = store_audit_add(st, a->name, "notes.update", object,
		    NULL, err)))
			store_tx_rollback(st);
		else
			rc = store_tx_commit(st, err);
	}
	free(copy);
	if (rc != QRM_OK)
		return rc;
	return core_notes_get(q, a, event, out, err);
}

/*
 * The open actions, read once, with the kind and start of each one's
 * event: an officials' feed of 2,000 meetings gives every one its agenda
 * without queries per meeting (those took minutes).
 */
int
core_agendas_load(struct store *st, struct agendas *ag, struct qrm_error *err)
{
	struct action_filter	 af;
	struct event		 ev;
	size_t			 i, n = 0;
	int			 rc;

	memset(ag, 0, sizeof(*ag));
	memset(&af, 0, sizeof(af));
	af.status = -1;
	af.closed_since = INT64_MAX;	/* open and waiting only */
	if ((rc = store_action_list(st, &af, &ag->open, err)) != QRM_OK)
		return rc;
	if (ag->open.n > 0 && (ag->ev = calloc(ag->open.n,
	    sizeof(*ag->ev))) == NULL) {
		action_list_free(&ag->open);
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	for (i = 0; i < ag->open.n; i++) {
		ag->ev[i].id = ag->open.v[i].event;
		if (ag->ev[i].id == 0)
			continue;
		if (i > 0 && ag->ev[i - 1].id == ag->ev[i].id) {
			ag->ev[i] = ag->ev[i - 1];
			continue;
		}
		if (store_event_get(st, ag->ev[i].id, &ev, NULL) != QRM_OK) {
			ag->ev[i].id = 0;
			continue;
		}
		ag->ev[i].kind = ev.kind;
		ag->ev[i].start_utc = ev.start_utc;
		event_clear(&ev);
		n++;
	}
	ag->any = n > 0;
	return QRM_OK;
}

void
core_agendas_free(struct agendas *ag)
{
	action_list_free(&ag->open);
	free(ag->ev);
	memset(ag, 0, sizeof(*ag));
}

/*
 * The open actions ev's agenda carries over, in ag's order, into
 * picked (room for ag->open.n): those of the event itself (a series),
 * of earlier events of the same kind (the last employer meeting's go
 * onto the next), and of the events it comes after, up to one already
 * counted.  Returns how many.
 */
static size_t
agenda_pick(struct store *st, const struct agendas *ag,
    const struct event *ev, const struct action **picked)
{
	struct event	 prev;
	int64_t		 chain[32], after;
	size_t		 i, j, n = 0, nchain = 0;

	if (!ag->any)
		return 0;
	for (after = ev->after; after > 0 && nchain < 32; ) {
		for (j = 0; j < nchain && chain[j] != after; j++)
			;
		if (j < nchain || after == ev->id ||
		    store_event_get(st, after, &prev, NULL) != QRM_OK)
			break;
		if (prev.kind == ev->kind && prev.start_utc < ev->start_utc) {
			event_clear(&prev);
			break;
		}
		chain[nchain++] = after;
		after = prev.after;
		event_clear(&prev);
	}
	for (i = 0; i < ag->open.n; i++) {
		if (ag->ev[i].id == 0)
			continue;
		for (j = 0; j < nchain && chain[j] != ag->ev[i].id; j++)
			;
		if (ag->ev[i].id == ev->id || j < nchain ||
		    (ag->ev[i].kind == ev->kind &&
		    ag->ev[i].start_utc < ev->start_utc))
			picked[n++] = &ag->open.v[i];
	}
	return n;
}

/*
 * The employer's clock on an employer meeting's agenda: every action
 * waiting on someone outside, open when the meeting comes, each with
 * how long it has waited by the meeting's day ("Questionnaire:
 * requested 15 Dec 2026: 49 days, no response").  Into b as lines, and
 * into items (when not NULL) as JSON.  Returns how many.
 */
static size_t
employer_clock(const struct agendas *ag, const struct event *ev,
    struct buf *b, json_t *items)
{
	const struct action	*a;
	struct buf		 line = { 0 };
	char			 day[LOCAL_TIME_LEN], made[32];
	int64_t			 days;
	size_t			 i, n = 0;

	if (ev->kind != KIND_EMPLOYER_MEETING)
		return 0;
	snprintf(day, sizeof(day), "%.10s", ev->start);
	for (i = 0; i < ag->open.n; i++) {
		a = &ag->open.v[i];
		utc_format(a->created, made, sizeof(made));
		if (a->waiting_on == NULL || strncmp(made, day, 10) > 0 ||
		    (a->asked[0] && strcmp(a->asked, day) > 0))
			continue;	/* not yet waiting by that day */
		line.len = 0;
		buf_puts(&line, a->title);
		if (a->asked[0]) {
			days = core_days_between(a->asked, day);
			buf_puts(&line, ": requested ");
			date_words(&line, a->asked);
			buf_printf(&line, ": %lld day%s, no response",
			    (long long)days, days == 1 ? "" : "s");
		} else
			buf_puts(&line, ": no response yet (asked: date not "
			    "recorded)");
		if (a->promised[0]) {
			buf_puts(&line, strcmp(a->promised, day) < 0 ?
			    "; promised by " : "; promised for ");
			date_words(&line, a->promised);
		}
		if (n++ == 0)
			buf_printf(b, "%sWaiting on the employer:", b->len ?
			    "\n\n" : "");
		buf_puts(b, "\n- ");
		buf_append(b, line.p, line.len);
		if (items != NULL)
			json_array_append_new(items, json_pack("{s:I, s:s, "
			    "s:o, s:o, s:o, s:s%}", "action", (json_int_t)a->id,
			    "title", a->title, "asked", a->asked[0] ?
			    json_string(a->asked) : json_null(), "promised",
			    a->promised[0] ? json_string(a->promised) :
			    json_null(), "days", a->asked[0] ? json_integer(
			    core_days_between(a->asked, day)) : json_null(),
			    "text", line.p, line.len));
	}
	buf_free(&line);
	return n;
}

/*
 * The agenda of ev as text for its DESCRIPTION; NULL when nothing is
 * carried over.  The caller frees it.
 */
char *
core_agenda_text(struct store *st, const struct agendas *ag,
    const struct event *ev)
{
	const struct action	**picked;
	const struct action	 *a;
	struct buf		  b = { 0 };
	size_t			  i, n;

	if (ag->open.n == 0 || (picked = calloc(ag->open.n,
	    sizeof(*picked))) == NULL)
		return NULL;
	n = agenda_pick(st, ag, ev, picked);
	if (n > 0)
		buf_puts(&b, "Carried over (open actions):");
	for (i = 0; i < n; i++) {
		a = picked[i];
		buf_printf(&b, "\n- %s", a->title);
		if (a->owner_name != NULL)
			buf_printf(&b, " (%s)", a->owner_name);
		if (a->waiting_on != NULL)
			buf_printf(&b, " (waiting on %s)", a->waiting_on);
		if (a->due[0])
			buf_printf(&b, ", due %s", a->due);
	}
	free(picked);
	employer_clock(ag, ev, &b, NULL);
	return b.len ? buf_detach(&b) : NULL;
}

/* GET .../events/{id}/agenda: {"event", "carried_over": [actions]} */
int
core_agenda(struct qrm *q, const struct actor *a, int64_t event,
    json_t **out, struct qrm_error *err)
{
	struct store		 *st;
	struct event		  ev;
	struct agendas		  ag;
	const struct action	**picked = NULL;
	struct buf		  text = { 0 };
	json_t			 *items, *clock;
	size_t			  i, n = 0;
	int			  rc;

	*out = NULL;
	if ((rc = core_require_role(a, ROLE_REP, err)) != QRM_OK ||
	    (rc = core_event_get(q, a, event, &ev, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL) {
		event_clear(&ev);
		return QRM_EDB;
	}
	if ((rc = core_agendas_load(st, &ag, err)) != QRM_OK) {
		event_clear(&ev);
		return rc;
	}
	if (ag.open.n > 0 &&
	    (picked = calloc(ag.open.n, sizeof(*picked))) == NULL)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	else if (picked != NULL)
		n = agenda_pick(st, &ag, &ev, picked);
	clock = json_array();
	employer_clock(&ag, &ev, &text, clock);
	buf_free(&text);
	event_clear(&ev);
	items = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(items, action_to_json(picked[i]));
	free(picked);
	core_agendas_free(&ag);
	if (rc != QRM_OK) {
		json_decref(items);
		json_decref(clock);
		return rc;
	}
	*out = json_pack("{s:I, s:o, s:o}", "event", (json_int_t)event,
	    "carried_over", items, "employer_clock", clock);
	return QRM_OK;
}

/*
 * The employer's feed: made (a new secret, any earlier link stopped;
 * *url the whole link, the caller's), or stopped (enable 0, *url NULL).
 * Officials only.
 */
int
core_employer_feed(struct qrm *q, const struct actor *a, int enable,
    char **url, struct qrm_error *err)
{
	struct store	*st;
	char		 secret[CORE_SECRET_LEN + 1], hash[65];
	int		 rc;

	*url = NULL;
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	core_secret_new(secret, hash);
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_employer_feed_set(st, enable ? hash : NULL,
	    (int64_t)time(NULL), err)) != QRM_OK ||
	    (rc = store_audit_add(st, a->name, enable ? "employer_feed.make" :
	    "employer_feed.stop", "employer_feed", "", err)) != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	if ((rc = store_tx_commit(st, err)) != QRM_OK)
		return rc;
	if (enable && asprintf(url, "%s/feeds/employer/%s.ics",
	    qrm_base_url(q), secret) == -1) {
		*url = NULL;
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	return QRM_OK;
}

/*
 * The employer's feed for the secret in its link (QRM_ENOTFOUND when
 * no such link is in force): every action still waiting on someone
 * outside, with its dates.
 */
int
core_employer_feed_get(struct qrm *q, const char *secret, struct buf *out,
    struct qrm_error *err)
{
	struct store		*st;
	struct action_filter	 f;
	struct action_list	 l;
	char			 hash[65];
	int64_t			 since;
	size_t			 i, n = 0, total;
	int			 rc;

	if (core_secret_hash(secret, hash) == -1)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "no such feed");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (!store_employer_feed_is(st, hash, &since))
		return qrm_seterr(err, QRM_ENOTFOUND, "", "no such feed");
	memset(&f, 0, sizeof(f));
	f.status = -1;
	f.closed_since = INT64_MAX;	/* open and waiting only */
	if ((rc = store_action_list(st, &f, &l, err)) != QRM_OK)
		return rc;
	/* those waiting on someone outside first (swapped: all stay) */
	for (i = 0; i < l.n; i++)
		if (l.v[i].waiting_on != NULL) {
			struct action t = l.v[n];

			l.v[n++] = l.v[i];
			l.v[i] = t;
		}
	total = l.n;
	l.n = n;
	rc = ical_owed_build(&l, out, err);
	l.n = total;
	action_list_free(&l);
	return rc;
}
