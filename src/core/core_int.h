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
void	 qrm_bump(void *);

/* event.c */
int	 event_change(const struct event *, const struct event *);
int	 core_json_enum(const json_t *, const char *key,
	    const char *const *names, int count, int *dst, struct qrm_error *);

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

/* people.c */
struct auth_cache	*auth_cache_new(void);
void	 auth_cache_free(struct auth_cache *);
int	 core_feed_access(struct qrm *, const char *token, const char *slug,
	    int64_t *member);
int	 core_random_hex(char *out, size_t bytes);
int	 core_require_role(const struct actor *, enum role, struct qrm_error *);
int	 core_member_lineage(struct store *, const struct member *,
	    struct strv *, struct qrm_error *);

#endif
