/* core_int.h: what the domain's files share; nothing outside src/core. */
#ifndef QUORUM_CORE_INT_H
#define QUORUM_CORE_INT_H

#include <pthread.h>

#include "quorum/core.h"
#include "quorum/store.h"

struct qrm {
	char			*dbpath;
	char			*feeds_dir;
	pthread_key_t		 store_key;
	struct feed_cache	*cache;
};

/* event.c */
int	 event_change(const struct event *, const struct event *);
int	 core_json_enum(const json_t *, const char *key,
	    const char *const *names, int count, int *dst, struct qrm_error *);

/* actions.c */
int	 core_agenda_actions(struct store *, const struct event *,
	    struct action_list *, struct qrm_error *);
char	*core_agenda_text(struct store *, const struct event *);

/* people.c */
int	 core_random_hex(char *out, size_t bytes);
int	 core_require_role(const struct actor *, enum role, struct qrm_error *);
int	 core_member_lineage(struct store *, const struct member *,
	    struct strv *, struct qrm_error *);

#endif
