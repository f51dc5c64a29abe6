/*
 * privacy.c: what data protection law asks of a union's records: a
 * member's data on request (subject access), erasure, and a retention
 * limit on attendance, which shows who is a union member.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

static int
audit_json(void *arg, const struct audit_row *r)
{
	char	at[32];

	utc_format(r->at, at, sizeof(at));
	json_array_append_new(arg, json_pack("{s:I, s:s, s:s?, s:s?, s:s?, "
	    "s:s?}", "id", (json_int_t)r->id, "at", at, "actor", r->actor,
	    "verb", r->verb, "object", r->object, "detail", r->detail));
	return 0;
}

/*
 * Everything held about member id, as one JSON document (the caller
 * decrefs *out): the record, tokens (never secrets), attendance, and
 * the audit entries about them or by them.  Administrators only.
 */
int
core_member_export(struct qrm *q, const struct actor *a, int64_t id,
    json_t **out, struct qrm_error *err)
{
	struct store	*st;
	struct member	 m;
	json_t		*tokens = NULL, *history = NULL, *audit;
	char		 now[32];
	int		 rc;

	*out = NULL;
	if ((rc = core_require_role(a, ROLE_ADMIN, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_member_get(st, id, &m, err)) != QRM_OK)
		return rc;
	audit = json_array();
	if ((rc = core_token_list(q, a, id, &tokens, err)) != QRM_OK ||
	    (rc = core_member_history(q, a, id, &history, err)) != QRM_OK ||
	    (rc = store_audit_of(st, id, m.email, audit_json, audit, err))) {
		json_decref(tokens);
		json_decref(history);
		json_decref(audit);
		member_clear(&m);
		return rc;
	}
	utc_format((int64_t)time(NULL), now, sizeof(now));
	*out = json_pack("{s:s, s:o, s:O, s:O, s:o}", "exported_at", now,
	    "member", member_to_json(&m), "tokens",
	    json_object_get(tokens, "items"), "attendance",
	    json_object_get(history, "items"), "audit", audit);
	json_decref(tokens);
	json_decref(history);
	member_clear(&m);
	return QRM_OK;
}

/*
 * Erase member id: name, email, number, branch, audiences, tokens and
 * apology reasons go; the anonymous row stays, so that attendance counts
 * stand.  The WAL is checkpointed and truncated, and the database runs
 * with secure_delete, so the erased text is not left in the files.
 */
int
core_member_erase(struct qrm *q, const struct actor *a, int64_t id,
    struct qrm_error *err)
{
	struct store	*st;
	struct member	 m;
	char		 object[32];
	int		 rc;

	if ((rc = core_require_role(a, ROLE_ADMIN, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = store_member_get(st, id, &m, err)) != QRM_OK)
		goto fail;
	snprintf(object, sizeof(object), "member/%lld", (long long)id);
	if ((rc = store_member_erase(st, id, m.email, err)) != QRM_OK ||
	    (rc = store_audit_add(st, a->name, "member.erase", object, NULL,
	    err)) != QRM_OK)
		goto fail;
	member_clear(&m);
	if ((rc = store_tx_commit(st, err)) != QRM_OK)
		return rc;
	return store_checkpoint(st, err);
fail:
	member_clear(&m);
	store_tx_rollback(st);
	return rc;
}

/* "6y", "18m" (months) or "90d" as seconds; -1 if malformed. */
static int64_t
parse_age(const char *s)
{
	int64_t	n;
	char	num[16];
	size_t	len = s ? strlen(s) : 0;

	if (len < 2 || len > sizeof(num))
		return -1;
	snprintf(num, sizeof(num), "%.*s", (int)(len - 1), s);
	if (parse_int64(num, &n) == -1 || n < 1 || n > 100 * 366)
		return -1;
	switch (s[len - 1]) {
	case 'y': return n * 36525 * 864;	/* 365.25 days */
	case 'm': return n * 3044 * 864;	/* 30.44 days */
	case 'd': return n * 86400;
	default: return -1;
	}
}

/*
 * Delete attendance of meetings older than age ("6y", "18m", "90d").
 * *report: {"deleted": n, "before": date}.
 */
int
core_purge_attendance(struct qrm *q, const struct actor *a, const char *age,
    json_t **report, struct qrm_error *err)
{
	struct store	*st;
	char		 local[LOCAL_TIME_LEN], detail[64];
	int64_t		 secs, before, n = 0;
	int		 rc;

	*report = NULL;
	if ((rc = core_require_role(a, ROLE_ADMIN, err)) != QRM_OK)
		return rc;
	if ((secs = parse_age(age)) < 0)
		return qrm_seterr(err, QRM_EINVAL, "attendance-older-than",
		    "'%s' must be an age like 6y, 18m or 90d", age ? age : "");
	before = (int64_t)time(NULL) - secs;
	ical_utc_to_local(before, QRM_DEFAULT_TZ, local, sizeof(local));
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	snprintf(detail, sizeof(detail), "before %s", local);
	if ((rc = store_attendance_purge(st, before, local, &n, err)) ||
	    (rc = store_audit_add(st, a->name, "attendance.purge", "attendance",
	    detail, err))) {
		store_tx_rollback(st);
		return rc;
	}
	if ((rc = store_tx_commit(st, err)) != QRM_OK ||
	    (rc = store_checkpoint(st, err)) != QRM_OK)
		return rc;
	*report = json_pack("{s:I, s:s}", "deleted", (json_int_t)n, "before",
	    local);
	return QRM_OK;
}
