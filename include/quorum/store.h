/*
 * quorum: the store, the only code that speaks to SQLite.  One struct
 * store is one connection; use it from one thread at a time.  Writes go
 * inside store_tx_begin() (BEGIN IMMEDIATE) and store_tx_commit().
 */
#ifndef QUORUM_STORE_H
#define QUORUM_STORE_H

#include <jansson.h>

#include "quorum/error.h"
#include "quorum/model.h"

struct store;

struct token_row {
	int64_t			 id;
	int64_t			 member;
	enum token_scope	 scope;
	enum feed_level		 level;
	int64_t			 created;
	int64_t			 revoked;	/* 0: in force */
};

struct audit_row {
	int64_t		 id;
	int64_t		 at;
	const char	*actor;
	const char	*verb;
	const char	*object;
	const char	*detail;
};

struct store_settings {
	char	journal_mode[16];
	int	synchronous;		/* 2: FULL */
	int	foreign_keys;
	int	busy_timeout_ms;
	int	schema_version;
};

/* store.c */
int	 store_open(const char *path, struct store **, struct qrm_error *);

/* store_backup.c */
struct quorum_check {
	int64_t	warned_at;	/* 0: not warned */
	int	accepted;	/* at the warning */
	int	outcome;	/* 0: none yet, 1 quorate, 2 inquorate */
	int	present;
	int64_t	reconvened;	/* the event that followed, or 0 */
};
int	 store_quorum_check_get(struct store *, int64_t event, const char *occ,
	    struct quorum_check *);
int	 store_quorum_check_warn(struct store *, int64_t event, const char *,
	    int64_t at, int accepted, struct qrm_error *);
int	 store_quorum_check_outcome(struct store *, int64_t event,
	    const char *, int outcome, int present, struct qrm_error *);
int	 store_quorum_check_reconvened(struct store *, int64_t event,
	    const char *, int64_t to, struct qrm_error *);
int	 store_quorum_outcomes(struct store *, int64_t event, json_t **,
	    struct qrm_error *);
int	 store_file_check(const char *path, int *version, struct qrm_error *);
int	 store_backup(struct store *, const char *path, struct qrm_error *);
int	 store_restore(const char *from, const char *path, const char *keep,
	    struct qrm_error *);
int	 store_meta_set(struct store *, const char *key, int64_t,
	    struct qrm_error *);
int	 store_meta_get(struct store *, const char *key, int64_t *);
int	 store_outbox_backlog(struct store *, int64_t *waiting,
	    int64_t *oldest);
int	 store_lineage_sig(struct store *, const char *lineage, char **,
	    struct qrm_error *);
int	 store_member_feed_sig(struct store *, int64_t member,
	    int with_events, char **, struct qrm_error *);
int	 store_employer_feed_set(struct store *, const char *hash, int64_t now,
	    struct qrm_error *);
int	 store_employer_feed_is(struct store *, const char *hash,
	    int64_t *since);
void	 store_close(struct store *);
int	 store_tx_begin(struct store *, struct qrm_error *);
int	 store_tx_commit(struct store *, struct qrm_error *);
void	 store_on_commit(struct store *, void (*)(void *, int), void *);
int	 store_tx_commit_quiet(struct store *, struct qrm_error *);
void	 store_tx_rollback(struct store *);
int	 store_schema_version(struct store *, int *);
int	 store_data_version(struct store *, int64_t *, int64_t *changed_at);
int	 store_settings(struct store *, struct store_settings *);
int	 store_audit_add(struct store *, const char *actor, const char *verb,
	    const char *object, const char *detail, struct qrm_error *);
int	 store_audit_count(struct store *, int64_t *);
int	 store_audit_list(struct store *, int64_t since, int limit,
	    int (*)(void *, const struct audit_row *), void *,
	    struct qrm_error *);

/* store_audience.c */
int	 store_audience_upsert(struct store *, const struct audience *,
	    struct qrm_error *);
int	 store_audience_get(struct store *, const char *slug,
	    struct audience *, struct qrm_error *);
int	 store_audience_list(struct store *, struct audience_list *,
	    struct qrm_error *);
int	 store_audience_lineage(struct store *, const char *slug,
	    struct strv *, struct qrm_error *);
int	 store_audience_descendants(struct store *, const char *slug,
	    struct strv *, struct qrm_error *);

/* store_event.c */
int	 store_event_insert(struct store *, struct event *, struct qrm_error *);
int	 store_event_update(struct store *, const struct event *,
	    struct qrm_error *);
int	 store_event_get(struct store *, int64_t id, struct event *,
	    struct qrm_error *);
int	 store_event_get_uid(struct store *, const char *uid, struct event *,
	    struct qrm_error *);
int	 store_event_list(struct store *, const struct event_filter *,
	    struct event_list *, struct qrm_error *);
int	 store_event_count(struct store *, int64_t *);
int	 store_event_followers(struct store *, int64_t id, struct strv *,
	    struct qrm_error *);

/* store_member.c */
int	 store_member_insert(struct store *, struct member *,
	    struct qrm_error *);
int	 store_member_get(struct store *, int64_t id, struct member *,
	    struct qrm_error *);
int	 store_member_get_email(struct store *, const char *email,
	    struct member *, struct qrm_error *);
int	 store_member_get_number(struct store *, const char *number,
	    struct member *, struct qrm_error *);
int	 store_member_update(struct store *, const struct member *,
	    struct qrm_error *);
int	 store_member_list(struct store *, const struct strv *audiences,
	    int role, int with_inactive, struct member_list *,
	    struct qrm_error *);
int	 store_member_set_audiences(struct store *, int64_t id,
	    const struct strv *, struct qrm_error *);
int	 store_token_insert(struct store *, int64_t member, enum token_scope,
	    enum feed_level, const char *hash, int64_t *id, struct qrm_error *);
int	 store_token_member(struct store *, enum token_scope, const char *hash,
	    int64_t *member, char *stored, enum feed_level *,
	    struct qrm_error *);
int	 store_token_list(struct store *, int64_t member,
	    int (*)(void *, const struct token_row *), void *,
	    struct qrm_error *);
int	 store_token_owner(struct store *, int64_t id, int64_t *member,
	    struct qrm_error *);
int	 store_token_revoke(struct store *, int64_t id, struct qrm_error *);

/* store.c (data protection) */
int	 store_member_erase(struct store *, int64_t id, const char *email,
	    struct qrm_error *);
int	 store_attendance_purge(struct store *, int64_t before_utc,
	    const char *before_local, int64_t *n, struct qrm_error *);
int	 store_audit_of(struct store *, int64_t id, const char *email,
	    int (*)(void *, const struct audit_row *), void *,
	    struct qrm_error *);
int	 store_checkpoint(struct store *, struct qrm_error *);

/* store_attendance.c */
int	 store_attendance_get(struct store *, int64_t event,
	    const char *occurrence, int64_t member, struct attendance *,
	    struct qrm_error *);
int	 store_attendance_put(struct store *, const struct attendance *,
	    struct qrm_error *);
int	 store_attendance_list(struct store *, int64_t event,
	    const char *occurrence, const char *rsvp, const char *status,
	    struct attendance_list *, struct qrm_error *);
int	 store_attendance_of_member(struct store *, int64_t member,
	    struct attendance_list *, struct qrm_error *);
int	 store_attendance_places(struct store *, int64_t event,
	    const char *occurrence, int64_t *);
int	 store_attendance_claim(struct store *, const char *hash, int64_t now,
	    int64_t *event, char *occurrence, size_t, int64_t *member,
	    struct qrm_error *);
int	 store_attendance_offer_get(struct store *, const char *hash,
	    int64_t *event, char *occurrence, size_t, int64_t *member,
	    int64_t *until, struct qrm_error *);
int	 store_attendance_offers_lapse(struct store *, int64_t now,
	    struct strv *lapsed, struct qrm_error *);
int	 store_attendance_promote(struct store *, int64_t event,
	    const char *occurrence, int64_t until, const char *hash,
	    int64_t *member, struct qrm_error *);

/* store_action.c */
int	 store_action_insert(struct store *, struct action *, struct qrm_error *);
int	 store_action_update(struct store *, const struct action *,
	    struct qrm_error *);
int	 store_action_get(struct store *, int64_t id, struct action *,
	    struct qrm_error *);
int	 store_action_list(struct store *, const struct action_filter *,
	    struct action_list *, struct qrm_error *);
int	 store_action_history_add(struct store *, int64_t action,
	    const char *actor, enum action_status, const char *note,
	    struct qrm_error *);
int	 store_action_history(struct store *, int64_t action,
	    int (*)(void *, int64_t, const char *, const char *, const char *),
	    void *, struct qrm_error *);
int	 store_note_add(struct store *, int64_t event, const char *text,
	    const char *actor, struct qrm_error *);
int	 store_note_revisions(struct store *, int64_t event, int limit,
	    int (*)(void *, int64_t, const char *, int64_t, const char *),
	    void *, struct qrm_error *);

/* store_outbox.c */
int	 store_outbox_add(struct store *, struct mail *, struct qrm_error *);
int	 store_outbox_claim(struct store *, int64_t now, int64_t stale_before,
	    const char *claim, struct mail *, struct qrm_error *);
int	 store_outbox_sent(struct store *, int64_t id, const char *claim,
	    int64_t now, struct qrm_error *);
int	 store_outbox_failed(struct store *, int64_t id, const char *claim,
	    int64_t next_at, const char *error, int give_up,
	    struct qrm_error *);
int	 store_outbox_get(struct store *, int64_t id, struct mail *,
	    struct qrm_error *);
int	 store_outbox_list(struct store *, const char *status, int limit,
	    struct mail_list *, struct qrm_error *);
int	 store_outbox_retry(struct store *, int64_t id, int64_t now,
	    int64_t *n, struct qrm_error *);

/* store_signin.c */
int	 store_signin_add(struct store *, int64_t member, const char *hash,
	    int64_t created, int64_t expires, struct qrm_error *);
int	 store_signin_recent(struct store *, int64_t member, int64_t since,
	    int64_t *, struct qrm_error *);
int	 store_signin_redeem(struct store *, const char *hash, int64_t now,
	    int64_t *member, struct qrm_error *);
int	 store_signin_end(struct store *, int64_t member, int64_t now,
	    struct qrm_error *);
int	 store_session_add(struct store *, struct session *, const char *hash,
	    struct qrm_error *);
int	 store_session_get(struct store *, const char *hash, int64_t now,
	    int64_t idle_before, struct session *, struct qrm_error *);
int	 store_session_touch(struct store *, int64_t id, int64_t now,
	    struct qrm_error *);
int	 store_session_list(struct store *, int64_t member,
	    struct session_list *, struct qrm_error *);
int	 store_session_revoke(struct store *, int64_t id, int64_t now,
	    int64_t *, struct qrm_error *);
int	 store_session_feed_get(struct store *, int64_t id, char **box,
	    struct qrm_error *);
int	 store_session_feed_set(struct store *, int64_t id, int64_t token,
	    const char *box, struct qrm_error *);
int	 store_request_key(struct store *, const char *key, int64_t now,
	    int *seen, struct qrm_error *);
int	 store_door_code(struct store *, int64_t event, const char *occurrence,
	    const char *fresh, int64_t by, int64_t now, char *code, size_t,
	    struct qrm_error *);
int	 store_door_code_find(struct store *, const char *code,
	    int64_t *event, char *occurrence, size_t, struct qrm_error *);
int	 store_room_upsert(struct store *, const struct room *,
	    struct qrm_error *);
int	 store_room_list(struct store *, struct room_list *, struct qrm_error *);
int	 store_event_clashes(struct store *, int64_t self, int64_t from,
	    int64_t to, const char *people, const char *emails,
	    const char *room, struct event_list *, struct qrm_error *);
int	 store_event_booked(struct store *, int64_t event, const char *people,
	    int (*)(void *, int64_t member, const char *occurrence), void *,
	    struct qrm_error *);
int	 store_invitation_put(struct store *, int64_t event, int64_t member,
	    int sequence, const char *hash, int64_t now, struct qrm_error *);
int	 store_invitation_find(struct store *, const char *hash, int64_t *event,
	    int64_t *member, int *sequence, struct qrm_error *);
int	 store_invitation_get(struct store *, int64_t event, int64_t member,
	    int *sequence, struct qrm_error *);
int	 store_invitees(struct store *, int64_t event, struct strv *,
	    struct qrm_error *);
int	 store_optout_has(struct store *, int64_t member, const char *slugs,
	    int *yes, struct qrm_error *);
int	 store_optout_set(struct store *, int64_t member, const struct strv *,
	    struct qrm_error *);
int	 store_optout_list(struct store *, int64_t member, struct strv *,
	    struct qrm_error *);
int	 store_poll_insert(struct store *, const json_t *poll, const char *by,
	    int64_t now, int64_t *id, struct qrm_error *);
int	 store_poll_option_add(struct store *, int64_t poll, int n,
	    const char *start, const char *end, struct qrm_error *);
int	 store_poll_member_add(struct store *, int64_t poll, int64_t member,
	    const char *hash, struct qrm_error *);
int	 store_poll_answer_set(struct store *, int64_t poll, int64_t member,
	    int n, const char *answer, int64_t now, struct qrm_error *);
int	 store_poll_get(struct store *, int64_t id, json_t **,
	    struct qrm_error *);
int	 store_poll_find(struct store *, const char *hash, int64_t *poll,
	    int64_t *member, struct qrm_error *);
int	 store_poll_close(struct store *, int64_t poll, int64_t event,
	    int64_t now, struct qrm_error *);
int	 store_reminder_sent(struct store *, int64_t event,
	    const char *occurrence, int64_t member, int64_t lead, int *yes,
	    struct qrm_error *);
int	 store_reminder_add(struct store *, int64_t event,
	    const char *occurrence, int64_t member, int64_t lead, int64_t now,
	    struct qrm_error *);
int	 store_token_revoke_scope(struct store *, int64_t member,
	    enum token_scope, int64_t now, struct qrm_error *);

#endif
