/* store_int.h: what the store's files share; nothing outside src/store. */
#ifndef QUORUM_STORE_INT_H
#define QUORUM_STORE_INT_H

#include <sqlite3.h>

#include "quorum/store.h"

enum stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_DATA_VERSION,
	STMT_DATA_VERSION_BUMP,
	STMT_AUDIT_ADD,
	STMT_AUDIT_COUNT,
	STMT_AUDIENCE_UPSERT,
	STMT_AUDIENCE_GET,
	STMT_AUDIENCE_LIST,
	STMT_AUDIENCE_LINEAGE,
	STMT_AUDIENCE_DESCENDANTS,
	STMT_EVENT_INSERT,
	STMT_EVENT_UPDATE,
	STMT_EVENT_GET,
	STMT_EVENT_GET_UID,
	STMT_EVENT_LIST,
	STMT_EVENT_LIST_LIGHT,
	STMT_EVENT_LIST_AUD,
	STMT_EVENT_LIST_AUD_LIGHT,
	STMT_EVENT_COUNT,
	STMT_EVENT_FOLLOWERS,
	STMT_EVENT_AUDIENCES_CLEAR,
	STMT_EVENT_AUDIENCE_ADD,
	STMT_EVENT_HOSTS_CLEAR,
	STMT_EVENT_HOST_ADD,
	STMT_MEMBER_INSERT,
	STMT_MEMBER_GET,
	STMT_MEMBER_GET_EMAIL,
	STMT_MEMBER_GET_NUMBER,
	STMT_MEMBER_UPDATE,
	STMT_MEMBER_LIST,
	STMT_MEMBER_SCOPES_CLEAR,
	STMT_MEMBER_AUDIENCES_CLEAR,
	STMT_MEMBER_AUDIENCE_ADD,
	STMT_MEMBER_SCOPE_ADD,
	STMT_TOKEN_INSERT,
	STMT_TOKEN_MEMBER,
	STMT_TOKEN_LIST,
	STMT_TOKEN_REVOKE,
	STMT_TOKEN_OWNER,
	STMT_AUDIT_LIST,
	STMT_ATT_GET,
	STMT_ATT_UPSERT,
	STMT_ATT_LIST,
	STMT_ATT_ACCEPTED,
	STMT_ATT_FIRST_WAITING,
	STMT_ATT_PROMOTE,
	STMT_ATT_OF_MEMBER,
	STMT_ERASE_MEMBER,
	STMT_ERASE_AUDIENCES,
	STMT_ERASE_SCOPES,
	STMT_ERASE_TOKENS,
	STMT_ERASE_REASONS,
	STMT_ERASE_AUDIT,
	STMT_PURGE_ATTENDANCE,
	STMT_AUDIT_OF,
	STMT_ACTION_INSERT,
	STMT_ACTION_UPDATE,
	STMT_ACTION_GET,
	STMT_ACTION_LIST,
	STMT_ACTION_HISTORY_ADD,
	STMT_ACTION_HISTORY,
	STMT_NOTE_ADD,
	STMT_NOTE_REVISIONS,
	STMT__MAX
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmts[STMT__MAX];
	int		 in_tx;
	sqlite3_int64	 changes_at_begin;
	char		*path;
	void		(*on_commit)(void *);	/* after a commit that wrote */
	void		*on_commit_arg;
};

/* store.c */
sqlite3_stmt	*store_stmt(struct store *, enum stmt, struct qrm_error *);
int		 store_scalar(struct store *, enum stmt, int64_t *);
int		 store_dberr(struct store *, struct qrm_error *, const char *);
int		 store_bind_text(sqlite3_stmt *, int, const char *);
char		*store_col_text(sqlite3_stmt *, int);
int		 store_step_done(struct store *, sqlite3_stmt *,
		    struct qrm_error *, const char *what);

#endif
