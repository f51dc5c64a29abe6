/*
 * store_invite.c: who was invited to which meeting (and the hash of
 * their answer links' secret), and who wants no invitations for an
 * audience's meetings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Note member invited to event at sequence (inside the caller's tx). */
int
store_invitation_put(struct store *st, int64_t event, int64_t member,
    int sequence, const char *hash, int64_t now, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_INVITATION_PUT, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	sqlite3_bind_int64(s, 2, member);
	sqlite3_bind_int(s, 3, sequence);
	store_bind_text(s, 4, hash);
	sqlite3_bind_int64(s, 5, now);
	return store_step_done(st, s, err, "noting an invitation");
}

/* The invitation whose answer links have the secret of hash. */
int
store_invitation_find(struct store *st, const char *hash, int64_t *event,
    int64_t *member, int *sequence, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_INVITATION_FIND, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, hash);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*event = sqlite3_column_int64(s, 0);
		*member = sqlite3_column_int64(s, 1);
		*sequence = sqlite3_column_int(s, 2);
	}
	return store_row_end(st, s, rc, err, "",
	    "this invitation link is not known", "reading an invitation");
}

/* The sequence member was last invited at; QRM_ENOTFOUND: never. */
int
store_invitation_get(struct store *st, int64_t event, int64_t member,
    int *sequence, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_INVITATION_GET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	sqlite3_bind_int64(s, 2, member);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*sequence = sqlite3_column_int(s, 0);
	return store_row_end(st, s, rc, err, "",
	    "not invited", "reading an invitation");
}

/* The active members invited to event, as ids in text. */
int
store_invitees(struct store *st, int64_t event, struct strv *out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	char		 n[24];
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_INVITEES, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(n, sizeof(n), "%lld", (long long)
		    sqlite3_column_int64(s, 0));
		strv_push(out, n);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? QRM_OK : store_dberr(st, err,
	    "reading invitations");
}

/* Has member opted out of one of slugs (a JSON array)? */
int
store_optout_has(struct store *st, int64_t member, const char *slugs,
    int *yes, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	*yes = 0;
	if ((s = store_stmt(st, STMT_OPTOUT_HAS, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	store_bind_text(s, 2, slugs);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*yes = sqlite3_column_int(s, 0) > 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? QRM_OK : store_dberr(st, err,
	    "reading opt-outs");
}

/* Member's opt-outs become slugs (inside the caller's transaction). */
int
store_optout_set(struct store *st, int64_t member, const struct strv *slugs,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	size_t		 i;
	int		 rc;

	if ((s = store_stmt(st, STMT_OPTOUT_CLEAR, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	if ((rc = store_step_done(st, s, err, "clearing opt-outs")) != QRM_OK)
		return rc;
	for (i = 0; i < slugs->n; i++) {
		if ((s = store_stmt(st, STMT_OPTOUT_ADD, err)) == NULL)
			return QRM_EDB;
		sqlite3_bind_int64(s, 1, member);
		store_bind_text(s, 2, slugs->v[i]);
		if ((rc = store_step_done(st, s, err, "adding an opt-out")) !=
		    QRM_OK)
			return rc;
	}
	return QRM_OK;
}

int
store_optout_list(struct store *st, int64_t member, struct strv *out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_OPTOUT_LIST, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		strv_push(out, (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? QRM_OK : store_dberr(st, err,
	    "reading opt-outs");
}

/* Was the reminder (event, occurrence, member, lead) sent? */
int
store_reminder_sent(struct store *st, int64_t event, const char *occurrence,
    int64_t member, int64_t lead, int *yes, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	*yes = 0;
	if ((s = store_stmt(st, STMT_REMINDER_SENT, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	store_bind_text(s, 2, occurrence);
	sqlite3_bind_int64(s, 3, member);
	sqlite3_bind_int64(s, 4, lead);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*yes = sqlite3_column_int(s, 0) > 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? QRM_OK : store_dberr(st, err,
	    "reading reminders");
}

/* Note it sent (inside the caller's transaction). */
int
store_reminder_add(struct store *st, int64_t event, const char *occurrence,
    int64_t member, int64_t lead, int64_t now, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_REMINDER_ADD, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, event);
	store_bind_text(s, 2, occurrence);
	sqlite3_bind_int64(s, 3, member);
	sqlite3_bind_int64(s, 4, lead);
	sqlite3_bind_int64(s, 5, now);
	return store_step_done(st, s, err, "noting a reminder");
}
