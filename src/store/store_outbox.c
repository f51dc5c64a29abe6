/*
 * store_outbox.c: the mail outbox.  A sender claims one due message at
 * a time in its own transaction (so two senders never take the same
 * one), then marks it sent or failed with the claim it holds.  These
 * writes do not raise data_version: mail going out changes no feed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static void
mail_from_row(sqlite3_stmt *s, struct mail *m)
{
	int	v;

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(s, 0);
	m->kind = store_col_text(s, 1);
	m->member = sqlite3_column_int64(s, 2);
	m->recipient = store_col_text(s, 3);
	m->name = store_col_text(s, 4);
	m->subject = store_col_text(s, 5);
	m->body = store_col_text(s, 6);
	m->created = sqlite3_column_int64(s, 7);
	v = model_enum_parse(mail_status_names, MAIL__MAX,
	    (const char *)sqlite3_column_text(s, 8));
	m->status = v < 0 ? MAIL_QUEUED : (enum mail_status)v;
	m->attempts = sqlite3_column_int(s, 9);
	m->next_at = sqlite3_column_int64(s, 10);
	m->claimed_at = sqlite3_column_int64(s, 11);
	m->sent_at = sqlite3_column_int64(s, 12);
	m->last_error = store_col_text(s, 13);
	m->calendar = store_col_text(s, 14);
	m->method = store_col_text(s, 15);
}

/* Queue m (inside the caller's transaction); its id goes to m->id. */
int
store_outbox_add(struct store *st, struct mail *m, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_OUTBOX_ADD, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, m->kind);
	if (m->member > 0)
		sqlite3_bind_int64(s, 2, m->member);
	store_bind_text(s, 3, m->recipient);
	store_bind_text(s, 4, m->name);
	store_bind_text(s, 5, m->subject);
	store_bind_text(s, 6, m->body);
	sqlite3_bind_int64(s, 7, m->created);
	store_bind_text(s, 8, m->calendar);
	store_bind_text(s, 9, m->method);
	if ((rc = store_step_done(st, s, err, "queueing mail")) != QRM_OK)
		return rc;
	m->id = sqlite3_last_insert_rowid(st->db);
	return QRM_OK;
}

/*
 * Take the next due message (queued and due by now, or claimed before
 * stale_before by a sender that never finished) for the sender claim.
 * QRM_ENOTFOUND when there is none.  The caller clears *out.
 */
int
store_outbox_claim(struct store *st, int64_t now, int64_t stale_before,
    const char *claim, struct mail *out, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int64_t		 id;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((s = store_stmt(st, STMT_OUTBOX_DUE, err)) == NULL) {
		rc = QRM_EDB;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, stale_before);
	rc = sqlite3_step(s);
	id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? QRM_ENOTFOUND :
		    store_dberr(st, err, "reading the outbox");
		goto fail;
	}
	if ((s = store_stmt(st, STMT_OUTBOX_CLAIM, err)) == NULL) {
		rc = QRM_EDB;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, claim);
	sqlite3_bind_int64(s, 3, now);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		mail_from_row(s, out);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		rc = store_dberr(st, err, "claiming mail");
		goto fail;
	}
	if ((rc = store_tx_commit_quiet(st, err)) != QRM_OK)
		mail_clear(out);
	return rc;
fail:
	store_tx_rollback(st);
	return rc;
}

/* One write of the outbox, in its own transaction. */
static int
outbox_write(struct store *st, sqlite3_stmt *s, struct qrm_error *err)
{
	int	rc;

	if ((rc = store_tx_begin(st, err)) != QRM_OK) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return rc;
	}
	if ((rc = store_step_done(st, s, err, "writing the outbox")) != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	return store_tx_commit_quiet(st, err);
}

/* Message id, claimed by claim, went out at now. */
int
store_outbox_sent(struct store *st, int64_t id, const char *claim,
    int64_t now, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_OUTBOX_SENT, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, claim);
	sqlite3_bind_int64(s, 3, now);
	return outbox_write(st, s, err);
}

/*
 * Message id, claimed by claim, could not go: try again at next_at, or
 * with give_up keep it as failed (until `outbox retry`).
 */
int
store_outbox_failed(struct store *st, int64_t id, const char *claim,
    int64_t next_at, const char *error, int give_up, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_OUTBOX_FAILED, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, claim);
	sqlite3_bind_int64(s, 3, 0);
	sqlite3_bind_int64(s, 4, next_at);
	store_bind_text(s, 5, error);
	sqlite3_bind_int(s, 6, give_up);
	return outbox_write(st, s, err);
}

/* The newest limit messages, of status (NULL: any), newest first. */
int
store_outbox_list(struct store *st, const char *status, int limit,
    struct mail_list *out, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	struct mail	*nv;
	size_t		 cap = 0;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_OUTBOX_LIST, err)) == NULL)
		return QRM_EDB;
	store_bind_text(s, 1, status);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = realloc(out->v, cap * sizeof(*nv))) == NULL) {
				sqlite3_reset(s);
				mail_list_free(out);
				return qrm_seterr(err, QRM_ESYS, "",
				    "out of memory");
			}
			out->v = nv;
		}
		mail_from_row(s, &out->v[out->n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		mail_list_free(out);
		return store_dberr(st, err, "reading the outbox");
	}
	return QRM_OK;
}

/*
 * Make message id (0: every failed one) due again at now, with its
 * tries counted afresh; *n is how many.
 */
int
store_outbox_retry(struct store *st, int64_t id, int64_t now, int64_t *n,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_OUTBOX_RETRY, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	if ((rc = outbox_write(st, s, err)) == QRM_OK)
		*n = sqlite3_changes(st->db);
	return rc;
}

/* Message id into *out (the caller clears it); QRM_ENOTFOUND if none. */
int
store_outbox_get(struct store *st, int64_t id, struct mail *out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, STMT_OUTBOX_GET, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		mail_from_row(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return QRM_OK;
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_ENOTFOUND, "id", "no message %lld",
		    (long long)id);
	return store_dberr(st, err, "reading the outbox");
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
