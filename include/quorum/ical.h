/*
 * quorum: the iCalendar layer, the only code that speaks to libical.
 * It takes model structs and returns text (feeds, exports) or takes text
 * and returns model structs (imports).  Times are IANA zones throughout.
 */
#ifndef QUORUM_ICAL_H
#define QUORUM_ICAL_H

#include <jansson.h>

#include "quorum/error.h"
#include "quorum/model.h"

#define ICAL_MAX_OCCURRENCES	5000	/* expansion cap for one series */
#define ICAL_MAX_IMPORT_BYTES	(8u << 20)

struct feed_meta {
	const char	*name;		/* NAME and X-WR-CALNAME */
	const char	*description;
	const char	*colour;
	int		 refresh_minutes;
	const char	*tzid;		/* X-WR-TIMEZONE */
	int		 export;	/* carry quorum's own X- properties */
	enum feed_level	 level;		/* what a lower one may not show */
	/* a personal feed: the member as ATTENDEE with their own RSVP */
	const struct member		*attendee;
	const struct attendance_list	*rsvps;
	int64_t				 alarm;	/* seconds: a VALARM */
	/* actions: each as a VTODO and, while open, an all-day "Due:" */
	const struct action_list	*actions;
};

/* ical_time.c */
int	 ical_tz_known(const char *tzid);
int	 ical_local_to_utc(const char *local, const char *tzid, int64_t *);
int	 ical_utc_to_local(int64_t, const char *tzid, char *, size_t);
int	 ical_rrule_check(const char *rrule, const char *tzid, int all_day,
	    char **normalised, struct qrm_error *);
int	 ical_local_exists(const char *local, const char *tzid,
	    char *gap_from, char *gap_to, size_t);
int	 ical_event_span(struct event *, struct qrm_error *);
int	 ical_event_is_occurrence(const struct event *, const char *local);
int	 ical_event_occurrences(const struct event *, int64_t from, int64_t to,
	    struct occurrence **, size_t *, struct qrm_error *);
int	 ical_event_occurrence(const struct event *, const char *key,
	    struct occurrence *, int *cancelled);

/* ical_feed.c */
int	 ical_feed_build(const struct feed_meta *, const struct event_list *,
	    struct buf *, struct qrm_error *);
/*
 * A feed in pieces, each appended to a buffer: what ical_feed_build()
 * writes is ical_feed_props(), ical_feed_zones(), each event's text,
 * then ical_feed_tail().  A personal feed's events may be texts shared
 * by all who see them (ical_shared_text(), where each ATTENDEE line
 * starts and ends in ncuts pairs), with the member's own line put in
 * (ical_attendee_text()) where ical_shared_ok() says so.
 */
int	 ical_feed_props(const struct feed_meta *, struct buf *,
	    struct qrm_error *);
int	 ical_feed_zones(const struct event *const *, size_t, struct buf *,
	    struct qrm_error *);
int	 ical_feed_event(const struct feed_meta *, const struct event *,
	    struct buf *, struct qrm_error *);
int	 ical_feed_tail(const struct feed_meta *, struct buf *,
	    struct qrm_error *);
int	 ical_shared_text(const struct event *, struct buf *, size_t **cuts,
	    size_t *ncuts, struct qrm_error *);
int	 ical_shared_ok(const struct feed_meta *, const struct event *,
	    int *slot);
char	*ical_attendee_text(const struct member *, int slot);
int	 ical_freebusy(const json_t *items, int64_t from, int64_t to,
	    struct buf *, struct qrm_error *);
int	 ical_itip(const struct event *, const char *occurrence,
	    const char *method, const char *organizer,
	    const struct member *attendee, struct buf *, struct qrm_error *);
/* What an iTIP REPLY says. */
struct itip_reply {
	char	uid[256];
	char	email[256];
	char	answer[16];	/* accepted, declined, tentative */
	int	sequence;
	/* it answers one date of a series: its RECURRENCE-ID ("" if not) */
	char	occurrence[LOCAL_TIME_LEN];	/* as written */
	int	occurrence_instant;	/* 1: occurrence_utc says when */
	int64_t	occurrence_utc;
};
int	 ical_reply_parse(const char *text, struct itip_reply *,
	    struct qrm_error *);

int	 ical_owed_build(const struct action_list *, struct buf *,
	    struct qrm_error *);

/* ical_import.c */
int	 ical_import_parse(const char *text, size_t len, const char *default_tz,
	    struct event_list *, struct qrm_error *);

#endif
