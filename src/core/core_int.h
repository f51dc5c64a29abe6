/* core_int.h: what the domain's files share; nothing outside src/core. */
#ifndef QUORUM_CORE_INT_H
#define QUORUM_CORE_INT_H

#include <pthread.h>

#include "quorum/core.h"
#include "quorum/store.h"

struct auth_cache;

struct qrm {
	char			*dbpath;
	char			*feeds_dir;
	pthread_key_t		 store_key;
	struct feed_cache	*cache;
	struct auth_cache	*auth;
	char			*walpath;
	char			*base_url;	/* in links that mail carries */
	/*
	 * The epoch rises with every write, this process's or another's;
	 * every in-memory cache is keyed by it, so a cache hit needs no
	 * database (see qrm_epoch()).
	 */
	pthread_mutex_t		 epoch_mu;	/* the four below */
	int64_t			 epoch;
	uint64_t		 wal_sig;
	int64_t			 checked_at;	/* the last look at the db */
	int64_t			 db_version;
};

/* context.c */
int64_t	 qrm_epoch(struct qrm *);
void	 qrm_bump(void *, int data);

/* event.c */
int	 event_change(const struct event *, const struct event *);

/* fields.c: the table every JSON body is held against */
enum field_type {
	FT_ANY,		/* not checked (read-only fields echoed back) */
	FT_TEXT,	/* a string of min to max bytes (max 0: no limit) */
	FT_LOCAL,	/* a local time YYYY-MM-DDTHH:MM[:SS] or a date */
	FT_DATE,	/* a date YYYY-MM-DD */
	FT_INT,		/* a whole number from min to max */
	FT_ID,		/* an id: a whole number from 1 */
	FT_BOOL,
	FT_ENUM,	/* one of names[count] */
	FT_TEXTS,	/* a list of non-empty strings, each as FT_TEXT */
	FT_IDS		/* a list of ids */
};

#define FF_REQUIRED	0x01	/* must be given on create */
#define FF_NULLABLE	0x02	/* null clears it */
#define FF_READONLY	0x04	/* accepted as sent back by a GET; ignored */
#define FF_MULTILINE	0x08	/* text may hold line breaks and tabs */

struct field {
	const char		*name;
	enum field_type		 type;
	int			 flags;
	int64_t			 min, max;
	const char *const	*names;	/* FT_ENUM */
	int			 count;
};

int	 fields_check(const json_t *, const struct field *, int create,
	    struct qrm_error *);
int	 fields_text(const json_t *, const char *key, char **, int empty_null);
int	 fields_list(const json_t *, const char *key, struct strv *);
void	 fields_enum(const json_t *, const struct field *, const char *key,
	    int *);
void	 fields_int(const json_t *, const char *key, int64_t *);

/* actions.c */
/* The open actions, read once, that officials' feeds put on agendas. */
struct agendas {
	struct action_list	 open;
	struct {
		int64_t		 id;	/* the action's event; 0: none */
		enum event_kind	 kind;
		int64_t		 start_utc;
	}			*ev;	/* one per action */
	int			 any;
};
int	 core_agendas_load(struct store *, struct agendas *,
	    struct qrm_error *);
void	 core_agendas_free(struct agendas *);
char	*core_agenda_text(struct store *, const struct agendas *,
	    const struct event *);

/* feed.c: the feed cache, for the feeds of personal.c */
struct feed_meta;
struct stext_pool;
struct runs;
struct feed	*feed_cache_get(struct qrm *, const char *key, int64_t epoch,
		    int64_t day);
void	 feed_cache_put(struct qrm *, const char *key, int64_t epoch,
	    int64_t day, struct feed *);
struct stext_pool	*feed_stexts(struct qrm *);
int	 feed_new(struct buf *body, time_t last_modified, int public,
	    int refresh, const char *etag, struct feed **, struct qrm_error *);
void	 feed_size_note(struct qrm *, const char *what, size_t bytes);
int	 feed_events(struct store *, const struct strv *audiences,
	    struct event_list *, time_t *last_modified, struct qrm_error *);
int64_t	 feed_today(void);

/* personal.c: members' own feeds, in runs of shared texts */
void	 feed_personal_forget(const struct qrm *);
struct stext_pool	*stext_pool_new(void);
void	 stext_pool_free(struct stext_pool *);
void	 runs_free(struct runs *);
size_t	 runs_bytes(const struct runs *);
int	 runs_gzip(struct feed *, int level, char **, size_t *);
int	 feed_lineage_text(struct qrm *, struct store *, const struct strv *,
	    const struct feed_meta *, struct buf *, time_t *last_modified,
	    struct qrm_error *);

/* people.c */
struct auth_cache	*auth_cache_new(void);
void	 auth_cache_free(struct auth_cache *);
int	 core_feed_access(struct qrm *, const char *token, const char *slug,
	    int64_t *member, enum feed_level *);
int	 core_feed_holder(struct qrm *, const char *token, int64_t epoch,
	    struct member *, struct strv *lineage);
int	 core_feed_version_cached(struct qrm *, const char *token,
	    int with_events, int64_t epoch, int64_t day, char *etag);
void	 core_feed_version_keep(struct qrm *, const char *token,
	    int with_events, int64_t epoch, int64_t day, const char *etag);
int	 core_random_hex(char *out, size_t bytes);
void	 core_secret_new(char text[CORE_SECRET_LEN + 1], char hash[65]);
int	 core_secret_hash(const char *text, char hash[65]);
int	 core_require_role(const struct actor *, enum role, struct qrm_error *);
int	 core_member_lineage(struct store *, const struct member *,
	    struct strv *, struct qrm_error *);

/* invite.c */
void	 core_meeting_words(struct buf *, const struct event *,
	    const char *start);
int	 core_invitations_follow(struct qrm *, struct store *,
	    const struct event *, struct qrm_error *);
int	 core_invitations_follow_occurrence(struct qrm *, struct store *,
	    const struct event *, const struct occurrence *,
	    int was_cancelled, struct qrm_error *);

/* actions.c */
int64_t	 core_days_between(const char *, const char *);

/* signin.c */
int64_t	 core_cancelled_days(void);

/* occurrence.c */
void	 core_local_normal(const char *, int all_day, char *out);
void	 core_occurrence_view(const struct event *, const struct occurrence *,
	    struct event *);
json_t	*core_occurrence_json(const struct event *, const struct occurrence *);
int	 core_occurrence_find(const struct event *, const char *key,
	    struct occurrence *, int *cancelled, struct qrm_error *);
int	 core_overrides_prune(struct event *);

/* clash.c */
int	 core_event_clashes(struct store *, const struct event *, json_t **,
	    struct qrm_error *);
int	 core_event_check_clashes(struct store *, const struct event *,
	    int force, size_t *clashed, struct qrm_error *);

#endif
