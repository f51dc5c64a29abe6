/*
 * store_feed.c: what feeds are, as text that changes whenever they do,
 * for version ETags that answer an unchanged feed unbuilt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static int	sig_text(struct store *, enum stmt, int64_t, const char *,
		    int, char **, struct qrm_error *);

/*
 * What the events of some audiences (a lineage: a JSON array of slugs)
 * are, as text that changes whenever they do: how many, their
 * revisions, which, and the audiences' windows.  The caller frees *out.
 */
int
store_lineage_sig(struct store *st, const char *lineage, char **out,
    struct qrm_error *err)
{
	return sig_text(st, STMT_LINEAGE_SIG, 0, lineage, 0, out, err);
}

/*
 * What only a member's own feed shows, as text that changes whenever
 * it does: their answers and records (feed_rev, raised by triggers),
 * their places on waiting lists, the actions they own (action_rev),
 * their name, address, alert and state.  A write about others (their
 * check-in) leaves it as it is.  Without events (the actions feed),
 * only what that shows.  The caller frees *out.
 */
int
store_member_feed_sig(struct store *st, int64_t member, int with_events,
    char **out, struct qrm_error *err)
{
	return sig_text(st, STMT_MEMBER_FEED_SIG, member, NULL, with_events, out,
	    err);
}

/* The one text a signature's statement gives, into *out. */
static int
sig_text(struct store *st, enum stmt which, int64_t member,
    const char *lineage, int with_events, char **out,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	const char	*t;
	int		 rc;

	*out = NULL;
	if ((s = store_stmt(st, which, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, member);
	if (lineage != NULL)
		sqlite3_bind_text(s, 2, lineage, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int(s, 3, with_events);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	    (t = (const char *)sqlite3_column_text(s, 0)) != NULL)
		*out = strdup(t);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store_dberr(st, err, "reading a feed's version");
	return *out != NULL ? QRM_OK : qrm_seterr(err, QRM_ESYS, "",
	    "out of memory");
}
