/*
 * quorum: the domain.  Validation, scheduling rules, permissions, the
 * feed catalogue and the feed cache.  The CLI and the HTTP layer call
 * only this; it calls the store and the iCalendar layer.
 */
#ifndef QUORUM_CORE_H
#define QUORUM_CORE_H

#include <jansson.h>
#include <pthread.h>
#include <time.h>

#include "quorum/error.h"
#include "quorum/model.h"

#define QRM_DEFAULT_TZ			"Europe/London"
#define QRM_CANCELLED_RETENTION_DAYS	90
/*
 * The feed window: events over longer ago than this leave feeds unless
 * an audience's `past` says otherwise.  A year keeps the union's yearly
 * round (AGM, pay claim, last year's JES panels) in members' calendars;
 * at a branch's usual forty meetings a month across a member's groups
 * that is about 480 past events, some 400 KB: well under the 1 MB past
 * which Google Calendar drops events from a subscription.
 */
#define QRM_PAST_DAYS_DEFAULT		365
#define QRM_MAX_BODY			(1u << 20)
#define QRM_ACTION_RETENTION_DAYS	14	/* done ones stay in feeds */

struct qrm;			/* the service: database path, caches */
struct feed_cache;

/* Who is asking.  The CLI acts as the local administrator. */
struct actor {
	int64_t		 member;	/* 0 for the CLI */
	enum role	 role;
	const char	*name;		/* for the audit log */
};

/* A served feed: immutable once built, shared by reference. */
#define FEED_ATTACH_SLOTS	4

#define FEED_ETAG_LEN	40	/* a quoted ETag and its NUL */

struct feed {
	char		*body;
	size_t		 len;
	/*
	 * Or, when runs is set (body NULL), the bytes in runs: a member's
	 * feed is the events' texts shared with all who see them and the
	 * member's own lines between them, read with feed_read().
	 */
	struct runs	*runs;
	char		*gz;		/* see feed_gzip() */
	size_t		 gzlen;
	int		 gz_ready;
	pthread_mutex_t	 gz_mu;
	char		 etag[40];	/* quoted */
	char		 etag_gz[44];
	time_t		 last_modified;
	int		 public;	/* may be cached by proxies */
	int		 refresh_minutes;
	int		 refs;
	/* the cache it is in, and the bytes counted there (its lock's) */
	struct feed_cache	*cache;
	size_t		 charged;
	int		 in_cache;
	/*
	 * Objects a server keeps with these bytes (ready responses), set
	 * once with feed_attach() and dropped with the feed.
	 */
	void		*attached[FEED_ATTACH_SLOTS];
	void		(*attached_free)(void *);
};

/* Where a reading of a feed in runs is (zeroed: at its start). */
struct feed_cursor {
	uint64_t	pos;
	int		phase;
	size_t		ev, seg, mark;
	size_t		in;		/* bytes of the segment read */
};

/* context.c */
int	 qrm_open(const char *dbpath, const char *feeds_dir, struct qrm **,
	    struct qrm_error *);
void	 qrm_close(struct qrm *);
struct store	*qrm_store(struct qrm *, struct qrm_error *);
void	 qrm_thread_done(struct qrm *);
const char	*qrm_feeds_dir(const struct qrm *);
void		 qrm_set_base_url(struct qrm *, const char *);
const char	*qrm_base_url(const struct qrm *);

/* actions.c: the employer's feed */
int	 core_employer_feed(struct qrm *, const struct actor *, int enable,
	    char **url, struct qrm_error *);
int	 core_employer_feed_get(struct qrm *, const char *secret, struct buf *,
	    struct qrm_error *);

/* forecast.c */
int	 core_forecast_run(struct qrm *, int64_t now, int *warned,
	    int *recorded, struct qrm_error *);
int	 core_forecast(struct qrm *, const struct actor *, int64_t id,
	    json_t **, struct qrm_error *);
int	 core_reconvene(struct qrm *, const struct actor *, int64_t id,
	    const json_t *, struct event *, struct qrm_error *);

/* facility.c */
#define FACILITY_NDUTIES	5
extern const char *const facility_duties[FACILITY_NDUTIES];
void	 core_facility_extra(enum event_kind, double *prep, double *travel);
int	 core_facility_time(struct qrm *, const struct actor *, const char *from,
	    const char *to, int64_t member, json_t **, struct qrm_error *);
char	*core_facility_csv(const json_t *);
int	 core_time_off(struct qrm *, const struct actor *, int64_t id,
	    const char *date, const char *manager, char **letter,
	    struct qrm_error *);

/* backup.c */
int	 core_db_lock(const char *db, int exclusive, struct qrm_error *);
int	 core_backup(struct qrm *, const char *path, int keep, json_t **,
	    struct qrm_error *);
int	 core_restore(const char *db, const char *from, json_t **,
	    struct qrm_error *);
struct qrm_stats {
	uint64_t	cache_hits, cache_misses;	/* whole feeds */
	size_t		cache_bytes;
	int64_t		outbox_waiting;
	int64_t		outbox_oldest;	/* unix seconds queued; 0: none */
	int64_t		db_bytes, wal_bytes;
	int64_t		last_backup;	/* unix seconds; 0: never */
};
int	 core_stats(struct qrm *, struct qrm_stats *, struct qrm_error *);
void	 feed_cache_stats(struct qrm *, uint64_t *hits, uint64_t *misses,
	    size_t *bytes);
json_t	*feed_oversize(struct qrm *, uint64_t *count);
int	 feed_member_etag(struct qrm *, const char *token, int with_events,
	    char *etag, struct qrm_error *);

/* catalogue.c */
int	 catalogue_read(const char *dir, struct audience_list *,
	    struct qrm_error *);
int	 catalogue_load(struct qrm *, struct qrm_error *);

/* event.c */
int	 event_from_json(const json_t *, struct event *, int patch,
	    struct qrm_error *);
json_t	*event_to_json(const struct event *);
int	 event_validate(struct event *, struct qrm_error *);
int	 core_event_create(struct qrm *, const struct actor *, const json_t *,
	    struct event *, struct qrm_error *);
int	 core_event_update(struct qrm *, const struct actor *, int64_t id,
	    const json_t *, struct event *, struct qrm_error *);
int	 core_event_cancel(struct qrm *, const struct actor *, int64_t id,
	    struct event *, struct qrm_error *);
int	 core_event_get(struct qrm *, const struct actor *, int64_t id,
	    struct event *, struct qrm_error *);
int	 core_event_list(struct qrm *, const struct actor *, const char *from,
	    const char *to, const char *audience, const char *kind,
	    const char *tz, struct event_list *, struct qrm_error *);
int	 core_event_occurrences(struct qrm *, const struct actor *, int64_t id,
	    const char *from, const char *to, json_t **, struct qrm_error *);
int	 core_time_bound(const char *, const char *tz, int end, int64_t *,
	    struct qrm_error *, const char *field);

/* occurrence.c: one date of a series on its own */
int	 core_occurrence_change(struct qrm *, const struct actor *, int64_t id,
	    const char *when, const json_t *, json_t **, struct qrm_error *);
int	 core_occurrence_cancel(struct qrm *, const struct actor *, int64_t id,
	    const char *when, json_t **, struct qrm_error *);
int	 core_occurrence_get(struct qrm *, const struct actor *, int64_t id,
	    const char *when, json_t **, struct qrm_error *);

/* transfer.c */
int	 core_import(struct qrm *, const struct actor *, const char *text,
	    size_t len, const char *audience, json_t **report,
	    struct qrm_error *);
int	 core_event_ics(struct qrm *, const struct actor *, int64_t id,
	    struct buf *, struct qrm_error *);
int	 core_export(struct qrm *, const char *audience, const char *from,
	    const char *to, struct buf *, struct qrm_error *);

/* members.c */
int	 core_member_add(struct qrm *, const struct actor *, struct member *,
	    struct qrm_error *);
int	 core_member_create(struct qrm *, const struct actor *, const json_t *,
	    struct member *, struct qrm_error *);
int	 core_member_get(struct qrm *, const struct actor *, int64_t id,
	    struct member *, struct qrm_error *);
int	 core_member_update(struct qrm *, const struct actor *, int64_t id,
	    const json_t *, struct member *, struct qrm_error *);
int	 core_member_deactivate(struct qrm *, const struct actor *, int64_t id,
	    struct member *, struct qrm_error *);
int	 core_member_list(struct qrm *, const struct actor *,
	    const char *audience, const char *role, int with_inactive,
	    struct member_list *, struct qrm_error *);
int	 core_member_import_csv(struct qrm *, const struct actor *,
	    const char *text, size_t len, json_t **report, struct qrm_error *);
json_t	*member_to_json(const struct member *);
int	 core_member_alarm(struct qrm *, const struct actor *, int64_t member,
	    const char *, struct qrm_error *);
int	 core_member_find(struct qrm *, const struct actor *, const char *,
	    struct member *, struct qrm_error *);

/* people.c */
int	 core_token_issue(struct qrm *, const struct actor *, int64_t member,
	    enum token_scope, enum feed_level, char **token,
	    struct qrm_error *);
int64_t	 core_member_id_by_email(struct qrm *, const char *);
int	 core_auth(struct qrm *, enum token_scope, const char *token,
	    struct member *, struct qrm_error *);
int	 core_auth_level(struct qrm *, enum token_scope, const char *token,
	    struct member *, enum feed_level *, struct qrm_error *);
int	 core_token_list(struct qrm *, const struct actor *, int64_t member,
	    json_t **, struct qrm_error *);
int	 core_token_revoke(struct qrm *, const struct actor *, int64_t id,
	    struct qrm_error *);
int	 core_audit_list(struct qrm *, const struct actor *, int64_t since,
	    int limit, json_t **, struct qrm_error *);
int	 core_room_list(struct qrm *, struct room_list *, struct qrm_error *);
int	 catalogue_rooms(const char *dir, struct room_list *,
	    struct qrm_error *);
int	 core_audience_list(struct qrm *, struct audience_list *,
	    struct qrm_error *);
int	 core_may_see_audience(struct qrm *, const struct member *,
	    const struct audience *, struct qrm_error *);

/* attendance.c */
int	 core_attendance_set(struct qrm *, const struct actor *, int64_t event,
	    int64_t member, const json_t *, struct attendance *,
	    struct qrm_error *);
int	 core_attendance_list(struct qrm *, const struct actor *, int64_t event,
	    const char *occurrence, const char *rsvp, const char *status,
	    struct attendance_list *, json_t **quorum, struct qrm_error *);
int	 core_register(struct qrm *, const struct actor *,
	    const struct strv *event_ids, json_t **, struct qrm_error *);
int	 core_member_history(struct qrm *, const struct actor *, int64_t member,
	    json_t **, struct qrm_error *);
int	 core_checkin(struct qrm *, const struct actor *, int64_t event,
	    const json_t *, struct attendance_list *, struct qrm_error *);
json_t	*attendance_to_json(const struct attendance *);
int	 core_door(struct qrm *, const struct actor *, int64_t event,
	    const char *occurrence, int audit, struct event *,
	    char occ[LOCAL_TIME_LEN],
	    struct attendance_list *, json_t **quorum, struct qrm_error *);
json_t	*attendance_list_json(const struct attendance_list *);
int	 core_door_records(struct qrm *, const struct actor *, int64_t event,
	    const char *occurrence, struct attendance_list *, json_t **quorum,
	    struct qrm_error *);
/* invite.c */
int	 core_invite(struct qrm *, const struct actor *, int64_t event,
	    const json_t *, json_t **report, struct qrm_error *);
int	 core_invitation_answer(struct qrm *, const char *secret,
	    const char *date, const char *answer, struct event *, struct member *,
	    struct attendance *, struct qrm_error *);
int	 core_itip_reply(struct qrm *, const char *text, size_t len,
	    json_t **report, struct qrm_error *);
int	 core_optouts(struct qrm *, const struct actor *, int64_t member,
	    const json_t *, json_t **, struct qrm_error *);

/* poll.c */
int	 core_poll_create(struct qrm *, const struct actor *, const json_t *,
	    json_t **, struct qrm_error *);
int	 core_poll_get(struct qrm *, const struct actor *, int64_t id,
	    json_t **, struct qrm_error *);
int	 core_poll_answer(struct qrm *, const char *secret, const json_t *,
	    json_t **, struct qrm_error *);
int	 core_poll_confirm(struct qrm *, const struct actor *, int64_t id,
	    int option, int force, json_t **, struct qrm_error *);

/* remind.c */
int	 reminders_parse(const char *, int64_t *leads);
int	 core_reminders_send(struct qrm *, int64_t now, int *queued,
	    struct qrm_error *);

/* schedule.c */
#define WORK_HOURS_DEFAULT	"Mon-Fri 09:00-17:00"
struct work_week {
	int	from[7], to[7];	/* minutes after midnight; -1: not working */
};
int	 work_hours_parse(const char *, struct work_week *);
int	 core_bank_holiday(const char *date);
int	 core_freebusy(struct qrm *, const struct actor *, const struct strv *,
	    const char *from, const char *to, const char *tz, json_t **,
	    struct qrm_error *);
int	 core_freebusy_ics(struct qrm *, const struct actor *,
	    const struct strv *, const char *from, const char *to,
	    struct buf *, struct qrm_error *);
int	 core_slots(struct qrm *, const struct actor *, const struct strv *,
	    const char *duration, const char *from, const char *to,
	    const char *room, json_t **, struct qrm_error *);

#define CORE_SECRET_LEN	43	/* base64url of 256 bits, unpadded */
int	 core_offers_expire(struct qrm *, int64_t now, int *passed,
	    struct qrm_error *);
int	 core_offer(struct qrm *, const char *secret, int take, struct event *,
	    struct member *, int64_t *until, struct qrm_error *);
#define SELF_CHECKIN_EARLY	1800	/* seconds before the start */
int	 core_door_code(struct qrm *, const struct actor *, int64_t event,
	    const char *occurrence, char *code, struct qrm_error *);
int	 core_self_checkin(struct qrm *, const struct actor *, const char *code,
	    int do_it, struct event *, struct attendance *, struct qrm_error *);

/* privacy.c */
int	 core_member_export(struct qrm *, const struct actor *, int64_t member,
	    json_t **, struct qrm_error *);
int	 core_member_erase(struct qrm *, const struct actor *, int64_t member,
	    struct qrm_error *);
int	 core_purge_attendance(struct qrm *, const struct actor *,
	    const char *age, json_t **, struct qrm_error *);

/* actions.c */
void	 core_today(char *, size_t);
json_t	*action_to_json(const struct action *);
int	 core_action_create(struct qrm *, const struct actor *, int64_t event,
	    const json_t *, struct action *, struct qrm_error *);
int	 core_action_get(struct qrm *, const struct actor *, int64_t id,
	    struct action *, struct qrm_error *);
int	 core_action_update(struct qrm *, const struct actor *, int64_t id,
	    const json_t *, struct action *, struct qrm_error *);
int	 core_action_list(struct qrm *, const struct actor *, const char *owner,
	    const char *status, int overdue, int64_t event,
	    struct action_list *, struct qrm_error *);
int	 core_agenda(struct qrm *, const struct actor *, int64_t event,
	    json_t **, struct qrm_error *);
int	 core_notes_get(struct qrm *, const struct actor *, int64_t event,
	    json_t **, struct qrm_error *);
int	 core_notes_put(struct qrm *, const struct actor *, int64_t event,
	    const char *text, size_t len, json_t **, struct qrm_error *);

/* outbox.c */
struct mail_settings {
	const char	*smtp;		/* smtp://host:port or smtps://... */
	const char	*from;
	const char	*user;		/* authentication, when set */
	const char	*password;
	int		 starttls;	/* 1: refuse to send without it */
	int		 lease;		/* seconds before a claim is stale */
	int		 interval;	/* seconds between the server's runs */
};
struct outbox_worker;

void	 mail_settings_env(struct mail_settings *);
int	 mail_settings_check(const struct mail_settings *, struct qrm_error *);
int	 outbox_queue(struct store *, const char *kind, const struct member *,
	    const char *subject, const char *body, int64_t *id,
	    struct qrm_error *);
char	*outbox_message(const struct mail *, const char *from);
int	 outbox_send_due(struct qrm *, const struct mail_settings *, int max,
	    int *sent, int *failed, struct qrm_error *);
int	 outbox_worker_start(struct qrm *, const struct mail_settings *,
	    struct outbox_worker **, struct qrm_error *);
void	 outbox_worker_stop(struct outbox_worker *);
int	 core_outbox_list(struct qrm *, const struct actor *,
	    const char *status, int limit, struct mail_list *,
	    struct qrm_error *);
int	 core_outbox_retry(struct qrm *, const struct actor *, int64_t id,
	    int64_t *n, struct qrm_error *);
json_t	*mail_to_json(const struct mail *);

/* signin.c */
struct signin_settings {
	int64_t		 link_minutes;	/* a requested link lasts */
	int64_t		 invite_hours;	/* an invitation's link lasts */
	int64_t		 idle_days;	/* a session unused this long ends */
	int64_t		 max_days;	/* a session ends this long after */
};

void	 signin_settings_env(struct signin_settings *);
int	 core_signin_link(struct qrm *, const struct actor *, int64_t member,
	    const char *base, char **url, struct qrm_error *);
int	 core_member_invite(struct qrm *, const struct actor *,
	    const struct strv *ids, const char *audience, int all,
	    const char *base, json_t **report, struct qrm_error *);
int	 core_signin_request(struct qrm *, const char *email, const char *base,
	    struct qrm_error *);
int	 core_signin_redeem(struct qrm *, const char *secret,
	    const char *agent, char **cookie, struct session *,
	    struct qrm_error *);
int	 core_session_check(struct qrm *, const char *cookie, struct member *,
	    struct session *, struct qrm_error *);
int	 core_session_end(struct qrm *, const struct session *,
	    struct qrm_error *);
int	 core_session_feed_token(struct qrm *, const struct session *,
	    const char *cookie, char **token, struct qrm_error *);
int	 core_session_reset_links(struct qrm *, const struct session *,
	    const char *cookie, char **token, struct qrm_error *);
int	 core_session_list(struct qrm *, const struct actor *, int64_t member,
	    struct session_list *, struct qrm_error *);
int	 core_session_revoke(struct qrm *, const struct actor *, int64_t id,
	    int64_t member, int64_t *n, struct qrm_error *);
json_t	*session_to_json(const struct session *);

/* digest.c */
int	 core_digest_send(struct qrm *, const struct actor *,
	    const struct mail_settings *, int dry_run, json_t **,
	    struct qrm_error *);

/* feed.c */
struct feed_cache	*feed_cache_new(void);
void	 feed_cache_free(struct feed_cache *);
int	 feed_get(struct qrm *, const char *slug, const char *token,
	    struct feed **, struct qrm_error *);
int	 feed_personal_get(struct qrm *, const char *token, struct feed **,
	    struct qrm_error *);
int	 feed_actions_get(struct qrm *, const char *token, struct feed **,
	    struct qrm_error *);
void	 feed_release(struct feed *);
int	 feed_gzip(struct feed *);
int	 feed_gzip_kept(const struct feed *);
int	 feed_gzip_one(struct feed *, char **, size_t *);
void	*feed_attach(struct feed *, size_t, void *, void (*)(void *));
void	*feed_attached(struct feed *, size_t);
/* personal.c */
int	 feed_member_whole(struct qrm *, const struct actor *, int64_t member,
	    struct buf *, struct qrm_error *);
size_t	 feed_read(const struct feed *, struct feed_cursor *, uint64_t pos,
	    char *out, size_t max);
int	 feed_build_audience(struct qrm *, const struct audience *,
	    struct buf *, time_t *last_modified, struct qrm_error *);

/* demo.c */
int	 demo_load(struct qrm *, time_t now, struct qrm_error *);

#endif
