/*
 * poll.c: finding a time with the people who must come, without a
 * third-party site holding their names.  An official proposes three to
 * five times (typed, or the slot finder's first), each member asked
 * gets a link of their own by e-mail and answers yes, if need be or no
 * for each; the official sees the table and confirms one time, which
 * makes the meeting and invites them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

#define POLL_OPTIONS_MIN	3
#define POLL_OPTIONS_MAX	5
#define POLL_MEMBERS_MAX	500

static const char *const answers[] = { "yes", "if_need_be", "no", NULL };

static int
answer_ok(const char *a)
{
	size_t	i;

	for (i = 0; a != NULL && answers[i] != NULL; i++)
		if (strcmp(a, answers[i]) == 0)
			return 1;
	return 0;
}

/*
 * A proposed time, checked as a meeting's would be (it exists in the
 * zone, ends after it starts).
 */
static int
option_check(const json_t *o, const char *tz, size_t n, struct qrm_error *err)
{
	struct event	ev;
	const char	*s = json_string_value(json_object_get(o, "start"));
	const char	*e = json_string_value(json_object_get(o, "end"));
	int		rc;

	if (s == NULL || e == NULL || strlen(s) >= LOCAL_TIME_LEN ||
	    strlen(e) >= LOCAL_TIME_LEN)
		return qrm_seterr(err, QRM_EINVAL, "options", "time %zu needs "
		    "a \"start\" and an \"end\" (YYYY-MM-DDTHH:MM)", n + 1);
	event_init(&ev);
	ev.title = strdup("poll");
	ev.tzid = strdup(tz);
	strv_push(&ev.audiences, "x");
	snprintf(ev.start, LOCAL_TIME_LEN, "%s", s);
	snprintf(ev.end, LOCAL_TIME_LEN, "%s", e);
	rc = event_validate(&ev, err);
	if (rc == QRM_OK && !ical_local_exists(ev.start, tz, NULL, NULL, 0))
		rc = qrm_seterr(err, QRM_EINVAL, "options", "time %zu is in "
		    "the hour the clocks skip", n + 1);
	if (rc != QRM_OK && err != NULL)
		snprintf(err->field, sizeof(err->field), "options");
	event_clear(&ev);
	return rc;
}

/* The words of the e-mail asking m. */
static char *
poll_text(const json_t *poll, const struct member *m, const char *base,
    const char *secret)
{
	struct buf	 b = { 0 };
	json_t		*o;
	size_t		 i;

	buf_printf(&b, "Dear %s,\n\nWhen can you come to %s? Please say, "
	    "for each of these times (%s):\n\n", m->name,
	    json_string_value(json_object_get(poll, "title")),
	    json_string_value(json_object_get(poll, "tz")));
	json_array_foreach(json_object_get(poll, "options"), i, o)
		buf_printf(&b, "  %zu. %.16s to %.5s\n", i + 1,
		    json_string_value(json_object_get(o, "start")),
		    json_string_value(json_object_get(o, "end")) + 11);
	buf_printf(&b, "\nAnswer here (no sign-in needed, the link is yours):"
	    "\n\n  %s/polls/%s\n\nThe union office will confirm one time and "
	    "send you the invitation.\n\n-- \nquorum, your union's meetings: "
	    "your answers stay with the union, on no outside site.\n", base,
	    secret);
	return buf_detach(&b);
}

/*
 * A poll from body: {"title", "kind", "audiences": [slugs], "tz",
 * "location", "description", "members": [ids], and "options": [{"start",
 * "end"}] (three to five) or "from_slots": {"duration", "from", "to"}
 * (the slot finder's first five)}.  Each member is e-mailed a link of
 * their own through the outbox, in the same transaction.
 */
int
core_poll_create(struct qrm *q, const struct actor *a, const json_t *body,
    json_t **out, struct qrm_error *err)
{
	struct store	*st;
	struct strv	 ids = { 0 };
	struct member	 m;
	struct mail	 mail;
	json_t		*poll = NULL, *opts, *v, *slots = NULL, *fs;
	const char	*tz, *title, *kind;
	char		 secret[CORE_SECRET_LEN + 1], hash[65], subject[400];
	char		*text, *aud = NULL, n[24];
	int64_t		 id, now = (int64_t)time(NULL);
	size_t		 i;
	int		 rc = QRM_OK;

	*out = NULL;
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	title = json_string_value(json_object_get(body, "title"));
	kind = json_string_value(json_object_get(body, "kind"));
	tz = json_string_value(json_object_get(body, "tz"));
	if (tz == NULL)
		tz = QRM_DEFAULT_TZ;
	if (title == NULL || *title == '\0' || strlen(title) > 300)
		return qrm_seterr(err, QRM_EINVAL, "title", "a title is needed");
	if (kind == NULL || model_enum_parse(event_kind_names, KIND__MAX,
	    kind) < 0)
		return qrm_seterr(err, QRM_EINVAL, "kind", "kind must be one of "
		    "the kinds of meeting");
	if (!ical_tz_known(tz))
		return qrm_seterr(err, QRM_EINVAL, "tz", "unknown time zone");
	v = json_object_get(body, "audiences");
	if (!json_is_array(v) || json_array_size(v) == 0)
		return qrm_seterr(err, QRM_EINVAL, "audiences", "audiences must "
		    "name who the meeting is for");
	{
		struct strv	sv = { 0 };

		for (i = 0; i < json_array_size(v); i++)
			if (json_is_string(json_array_get(v, i)))
				strv_push(&sv, json_string_value(
				    json_array_get(v, i)));
		aud = strv_join(&sv, ',');
		strv_free(&sv);
	}
	v = json_object_get(body, "members");
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > POLL_MEMBERS_MAX) {
		free(aud);
		return qrm_seterr(err, QRM_EINVAL, "members", "members must list "
		    "from 1 to %d member ids", POLL_MEMBERS_MAX);
	}
	for (i = 0; i < json_array_size(v); i++) {
		if (!json_is_integer(json_array_get(v, i)) || store_member_get(
		    st, json_integer_value(json_array_get(v, i)), &m, NULL) !=
		    QRM_OK || !m.active) {
			if (json_is_integer(json_array_get(v, i)))
				member_clear(&m);
			strv_free(&ids);
			free(aud);
			return qrm_seterr(err, QRM_EINVAL, "members", "no active "
			    "member with id %s", json_is_integer(json_array_get(
			    v, i)) ? "given" : "(ids are numbers)");
		}
		snprintf(n, sizeof(n), "%lld", (long long)m.id);
		if (!strv_contains(&ids, n))
			strv_push(&ids, n);
		member_clear(&m);
	}
	/* the times: typed, or the slot finder's */
	if ((fs = json_object_get(body, "from_slots")) != NULL) {
		if ((rc = core_slots(q, a, &ids, json_string_value(
		    json_object_get(fs, "duration")), json_string_value(
		    json_object_get(fs, "from")), json_string_value(
		    json_object_get(fs, "to")), NULL, &slots, err)) != QRM_OK)
			goto out;
		opts = json_array();
		for (i = 0; i < json_array_size(json_object_get(slots,
		    "items")) && i < POLL_OPTIONS_MAX; i++)
			json_array_append(opts, json_array_get(json_object_get(
			    slots, "items"), i));
		tz = QRM_DEFAULT_TZ;
	} else
		opts = json_incref(json_object_get(body, "options"));
	if (!json_is_array(opts) || json_array_size(opts) < POLL_OPTIONS_MIN ||
	    json_array_size(opts) > POLL_OPTIONS_MAX) {
		json_decref(opts);
		rc = qrm_seterr(err, QRM_EINVAL, "options", "propose from %d to "
		    "%d times (the slot finder found %zu)", POLL_OPTIONS_MIN,
		    POLL_OPTIONS_MAX, json_array_size(opts));
		goto out;
	}
	for (i = 0; i < json_array_size(opts) && rc == QRM_OK; i++)
		rc = option_check(json_array_get(opts, i), tz, i, err);
	if (rc != QRM_OK) {
		json_decref(opts);
		goto out;
	}
	poll = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:o}", "title",
	    title, "kind", kind, "audiences", aud, "tz", tz, "location",
	    json_string_value(json_object_get(body, "location")),
	    "description", json_string_value(json_object_get(body,
	    "description")), "options", opts);
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		goto out;
	if ((rc = store_poll_insert(st, poll, a->name, now, &id, err)) != QRM_OK)
		goto rollback;
	for (i = 0; i < json_array_size(opts) && rc == QRM_OK; i++)
		rc = store_poll_option_add(st, id, (int)i + 1, json_string_value(
		    json_object_get(json_array_get(opts, i), "start")),
		    json_string_value(json_object_get(json_array_get(opts, i),
		    "end")), err);
	for (i = 0; i < ids.n && rc == QRM_OK; i++) {
		int64_t	mid;

		parse_int64(ids.v[i], &mid);
		if ((rc = store_member_get(st, mid, &m, err)) != QRM_OK)
			break;
		core_secret_new(secret, hash);
		if ((rc = store_poll_member_add(st, id, mid, hash, err)) ==
		    QRM_OK) {
			text = poll_text(poll, &m, qrm_base_url(q), secret);
			snprintf(subject, sizeof(subject), "When can you come? "
			    "%s", title);
			memset(&mail, 0, sizeof(mail));
			mail.kind = "poll";
			mail.member = mid;
			mail.recipient = m.email;
			mail.name = m.name;
			mail.subject = subject;
			mail.body = text;
			mail.created = now;
			rc = text ? store_outbox_add(st, &mail, err) :
			    qrm_seterr(err, QRM_ESYS, "", "out of memory");
			free(text);
		}
		member_clear(&m);
	}
	if (rc == QRM_OK)
		rc = store_audit_add(st, a->name, "poll.create", "poll", title,
		    err);
	if (rc != QRM_OK)
		goto rollback;
	if ((rc = store_tx_commit_quiet(st, err)) == QRM_OK)
		rc = store_poll_get(st, id, out, err);
	goto out;
rollback:
	store_tx_rollback(st);
out:
	json_decref(poll);
	json_decref(slots);
	strv_free(&ids);
	free(aud);
	return rc;
}

/* The poll with counts for each time (officials). */
int
core_poll_get(struct qrm *q, const struct actor *a, int64_t id, json_t **out,
    struct qrm_error *err)
{
	struct store	*st;
	json_t		*o, *m;
	char		 n[16];
	size_t		 i, j, k;
	int		 rc;

	*out = NULL;
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_poll_get(st, id, out, err)) != QRM_OK)
		return rc;
	json_array_foreach(json_object_get(*out, "options"), i, o) {
		int	count[3] = { 0, 0, 0 };

		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(
		    json_object_get(o, "n")));
		json_array_foreach(json_object_get(*out, "members"), j, m)
			for (k = 0; k < 3; k++)
				count[k] += json_string_value(json_object_get(
				    json_object_get(m, "answers"), n)) &&
				    strcmp(json_string_value(json_object_get(
				    json_object_get(m, "answers"), n)),
				    answers[k]) == 0;
		json_object_set_new(o, "yes", json_integer(count[0]));
		json_object_set_new(o, "if_need_be", json_integer(count[1]));
		json_object_set_new(o, "no", json_integer(count[2]));
	}
	return QRM_OK;
}

/*
 * The poll behind a member's link, for them (*out: the poll, "member",
 * and their "answers"); with answers given ({"1": "yes", ...}), those
 * saved first.  A closed poll takes no answer.
 */
int
core_poll_answer(struct qrm *q, const char *secret, const json_t *given,
    json_t **out, struct qrm_error *err)
{
	struct store	*st;
	const char	*key;
	json_t		*v, *m, *mine = NULL;
	char		 hash[65];
	int64_t		 poll, member, n, now = (int64_t)time(NULL);
	size_t		 i;
	int		 rc;

	*out = NULL;
	if (core_secret_hash(secret, hash) == -1)
		return qrm_seterr(err, QRM_ENOTFOUND, "", "this poll link is "
		    "not known");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_poll_find(st, hash, &poll, &member, err)) != QRM_OK ||
	    (rc = store_poll_get(st, poll, out, err)) != QRM_OK)
		return rc;
	if (given != NULL) {
		if (!json_is_true(json_object_get(*out, "open"))) {
			json_decref(*out);
			*out = NULL;
			return qrm_seterr(err, QRM_ECONFLICT, "poll", "the time "
			    "was chosen already: the poll is closed");
		}
		json_object_foreach((json_t *)given, key, v) {
			if (parse_int64(key, &n) == -1 || n < 1 || n > (int64_t)
			    json_array_size(json_object_get(*out, "options")) ||
			    !answer_ok(json_string_value(v))) {
				json_decref(*out);
				*out = NULL;
				return qrm_seterr(err, QRM_EINVAL, "answers",
				    "answer each time with yes, if_need_be or "
				    "no");
			}
		}
		if ((rc = store_tx_begin(st, err)) != QRM_OK)
			return rc;
		json_object_foreach((json_t *)given, key, v) {
			parse_int64(key, &n);
			if ((rc = store_poll_answer_set(st, poll, member, (int)n,
			    json_string_value(v), now, err)) != QRM_OK)
				break;
		}
		if (rc != QRM_OK || (rc = store_tx_commit_quiet(st, err)) !=
		    QRM_OK) {
			if (rc != QRM_OK)
				store_tx_rollback(st);
			json_decref(*out);
			*out = NULL;
			return rc;
		}
		json_decref(*out);
		if ((rc = store_poll_get(st, poll, out, err)) != QRM_OK)
			return rc;
	}
	json_array_foreach(json_object_get(*out, "members"), i, m)
		if (json_integer_value(json_object_get(m, "member")) == member)
			mine = json_incref(json_object_get(m, "answers"));
	/* a member sees their own answers, not the others' */
	json_object_del(*out, "members");
	json_object_set_new(*out, "member", json_integer(member));
	json_object_set_new(*out, "answers", mine ? mine : json_object());
	return QRM_OK;
}

/*
 * Confirm time n of poll id: the meeting is made (as any other: a
 * double-booking is refused unless force) and everyone asked is
 * invited; the poll closes.  *out is the meeting.
 */
int
core_poll_confirm(struct qrm *q, const struct actor *a, int64_t id, int n,
    int force, json_t **out, struct qrm_error *err)
{
	struct store	*st;
	struct event	 ev;
	struct strv	 aud = { 0 };
	json_t		*poll, *opt, *body, *mem, *m, *report = NULL;
	size_t		 i;
	int		 rc;

	*out = NULL;
	if ((rc = core_poll_get(q, a, id, &poll, err)) != QRM_OK)
		return rc;
	if (!json_is_true(json_object_get(poll, "open"))) {
		json_decref(poll);
		return qrm_seterr(err, QRM_ECONFLICT, "poll", "the poll is "
		    "already closed");
	}
	if (n < 1 || (size_t)n > json_array_size(json_object_get(poll,
	    "options"))) {
		json_decref(poll);
		return qrm_seterr(err, QRM_EINVAL, "option", "there is no time "
		    "%d in this poll", n);
	}
	opt = json_array_get(json_object_get(poll, "options"), (size_t)n - 1);
	strv_split(&aud, json_string_value(json_object_get(poll,
	    "audiences")), ',');
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O?, s:O?, s:o, s:b}",
	    "title", json_string_value(json_object_get(poll, "title")),
	    "kind", json_string_value(json_object_get(poll, "kind")),
	    "start", json_string_value(json_object_get(opt, "start")),
	    "end", json_string_value(json_object_get(opt, "end")),
	    "tz", json_string_value(json_object_get(poll, "tz")),
	    "location", json_object_get(poll, "location"),
	    "description", json_object_get(poll, "description"),
	    "audiences", json_array(), "force", force);
	for (i = 0; i < aud.n; i++)
		json_array_append_new(json_object_get(body, "audiences"),
		    json_string(aud.v[i]));
	strv_free(&aud);
	mem = json_array();
	json_array_foreach(json_object_get(poll, "members"), i, m)
		json_array_append(mem, json_object_get(m, "member"));
	rc = core_event_create(q, a, body, &ev, err);
	json_decref(body);
	if (rc == QRM_OK) {
		body = json_pack("{s:o}", "members", mem);
		mem = NULL;
		if ((rc = core_invite(q, a, ev.id, body, &report, err)) ==
		    QRM_OK && (st = qrm_store(q, err)) != NULL &&
		    (rc = store_tx_begin(st, err)) == QRM_OK) {
			if ((rc = store_poll_close(st, id, ev.id, (int64_t)
			    time(NULL), err)) != QRM_OK)
				store_tx_rollback(st);
			else
				rc = store_tx_commit_quiet(st, err);
		}
		json_decref(body);
		if (rc == QRM_OK)
			*out = json_pack("{s:o, s:o}", "event",
			    event_to_json(&ev), "invitations", report);
		else
			json_decref(report);
		event_clear(&ev);
	}
	json_decref(mem);
	json_decref(poll);
	return rc;
}
