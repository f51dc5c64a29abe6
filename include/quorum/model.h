/*
 * quorum: the model.  Plain data passed between the layers; every list
 * and struct is freed by its _free function (which takes NULL).
 */
#ifndef QUORUM_MODEL_H
#define QUORUM_MODEL_H

#include <stdint.h>
#include <stddef.h>

#include "quorum/util.h"

enum event_kind {
	KIND_WORKSHOP,
	KIND_JES_PANEL,
	KIND_EMPLOYER_MEETING,
	KIND_MEMBER_BRIEFING,
	KIND_JOINT_UNION_MEETING,
	KIND_AWAY_DAY,
	KIND_OTHER,
	KIND__MAX
};

enum event_status {
	EVSTATUS_TENTATIVE,
	EVSTATUS_CONFIRMED,
	EVSTATUS_CANCELLED,
	EVSTATUS__MAX
};

enum visibility {
	VIS_PUBLIC,
	VIS_MEMBERS,
	VIS_OFFICIALS,
	VIS__MAX
};

enum role {
	ROLE_MEMBER,
	ROLE_REP,
	ROLE_OFFICIAL,
	ROLE_ADMIN,
	ROLE__MAX
};

enum rsvp {
	RSVP_INVITED,
	RSVP_ACCEPTED,
	RSVP_DECLINED,
	RSVP_TENTATIVE,
	RSVP__MAX
};

enum att_status {
	ATT_UNKNOWN,
	ATT_PRESENT,
	ATT_ABSENT,
	ATT_APOLOGIES,
	ATT__MAX
};

enum action_status {
	ACTION_OPEN,
	ACTION_WAITING,
	ACTION_DONE,
	ACTION_CANCELLED,
	ACTION__MAX
};

/* How much a feed shows: what a work calendar may safely be given. */
enum feed_level {
	LEVEL_FULL,
	LEVEL_NEUTRAL,	/* kind and time: no title, place or description */
	LEVEL_BUSY,	/* "Union business" and the time */
	LEVEL__MAX
};

enum token_scope {
	SCOPE_FEED,
	SCOPE_API,
	SCOPE__MAX
};

#define LOCAL_TIME_LEN	20	/* "YYYY-MM-DDTHH:MM:SS" + NUL */
#define UTC_NONE	INT64_MAX	/* a series with no end */

struct audience {
	char		*slug;
	char		*name;
	char		*description;
	enum visibility	 visibility;
	char		*colour;	/* "#rrggbb" or NULL */
	char		*parent;	/* slug or NULL for a root */
	int		 refresh_minutes;
	int		 past_days;	/* events over longer ago leave its feeds */
};

struct audience_list {
	struct audience	*v;
	size_t		 n;
};

/*
 * One occurrence of a series changed on its own (an override, written
 * with RECURRENCE-ID): moved, given another place, or cancelled.  It
 * keeps the key the series gives it, so answers and attendance follow.
 */
struct override {
	char		 occurrence[LOCAL_TIME_LEN];	/* its key */
	char		 start[LOCAL_TIME_LEN];	/* where it is now */
	char		 end[LOCAL_TIME_LEN];
	char		*location;	/* NULL: the series' */
	int		 cancelled;
	int		 sequence;
	int64_t		 updated;
};

struct event {
	int64_t			 id;
	char			*uid;
	enum event_kind		 kind;
	char			*title;
	char			*description;
	char			*location;
	char			*url;
	char			*tzid;
	char			 start[LOCAL_TIME_LEN];	/* local, or a date */
	char			 end[LOCAL_TIME_LEN];
	int			 all_day;
	char			*rrule;
	struct strv		 exdates;	/* local times, or dates */
	enum event_status	 status;
	int			 sequence;
	int			 capacity;	/* 0: no limit */
	int			 quorum;	/* present needed; 0: none */
	char			*organizer;
	char			*room;		/* a room's slug, or NULL */
	int64_t			 created;	/* unix seconds */
	int64_t			 updated;	/* the last revision */
	struct strv		 audiences;	/* slugs, sorted */
	struct strv		 hosts;		/* member ids as text */
	int64_t			 after;		/* event id or 0 */
	int64_t			 start_utc;	/* derived, for lists */
	int64_t			 end_utc;
	int64_t			 last_utc;	/* end of the last occurrence */
	struct override		*overrides;	/* sorted by occurrence */
	size_t			 noverrides;
	int			 src_line;	/* where an import read it */
};

/* A room of the catalogue (an INI file in feeds/rooms): booked as a person is. */
struct room {
	char	*slug;
	char	*name;
	char	*address;
	int	 capacity;	/* 0: not said */
};

struct room_list {
	struct room	*v;
	size_t		 n;
};

struct event_list {
	struct event	*v;
	size_t		 n;
};

struct event_filter {
	int64_t			 from_utc;	/* 0: no bound */
	int64_t			 to_utc;	/* 0: no bound */
	const struct strv	*audiences;	/* NULL: any */
	int			 kind;		/* -1: any */
	/*
	 * 0 keeps every cancelled event; otherwise a cancelled event is
	 * kept only while it was changed since then or is not yet over
	 * at now (the retention window of feeds).
	 */
	int64_t			 cancelled_since;
	int64_t			 now;
	int			 light;	/* without audiences and hosts */
};

struct member {
	int64_t		 id;
	char		*name;
	char		*email;
	char		*number;	/* membership number, or NULL */
	enum role	 role;
	char		*branch;
	char		*work_hours;	/* "Mon-Fri 09:00-17:00"; NULL: that */
	char		*reminders;	/* "P1D,PT1H", "none"; NULL: default */
	char		*feed_alarm;	/* "PT30M": a VALARM in their feed */
	double		 contract_hours;	/* a week; 0: not said (37) */
	struct strv	 audiences;
	struct strv	 scopes;
	int		 active;
};

struct member_list {
	struct member	*v;
	size_t		 n;
};

struct member_filter {
	const char	*audience;	/* members of it or below it */
	int		 role;		/* -1: any */
	int		 with_inactive;
};

/* One member's RSVP and attendance at one occurrence of an event. */
struct attendance {
	int64_t		 event;
	char		 occurrence[LOCAL_TIME_LEN];	/* "" if one-off */
	int64_t		 member;
	enum rsvp	 rsvp;
	int		 waitlisted;
	int		 wait_position;	/* 1 is next for a place; 0 if none */
	int64_t		 offered_until;	/* a place held for them till then */
	int		 late;		/* checked in after the start */
	int64_t		 rsvp_at;
	enum att_status	 status;
	char		*reason;	/* of apologies */
	int64_t		 checked_in_at;	/* 0: not checked in */
	int64_t		 recorded_by;	/* member id, 0 for the CLI */
	int64_t		 recorded_at;
	char		*name;		/* the member's, for lists */
	char		*number;
	char		*email;
};

struct attendance_list {
	struct attendance	*v;
	size_t			 n;
};

/* One change of an action's status: who, when and why. */
struct action_change {
	int64_t			 at;
	char			*actor;
	enum action_status	 status;
	char			*note;
};

struct action {
	int64_t			 id;
	int64_t			 event;		/* 0: none */
	char			*title;
	char			*notes;
	int64_t			 owner;		/* member, 0: none */
	char			*waiting_on;	/* an outside party */
	char			 due[11];	/* YYYY-MM-DD or "" */
	/* the employer's clock: asked for, promised for, last chased */
	char			 asked[11];
	char			 promised[11];
	char			 chased[11];
	enum action_status	 status;
	int64_t			 created;
	int64_t			 updated;
	int64_t			 completed_at;
	char			*owner_name;	/* joined, for lists */
	char			*event_uid;
	char			*event_title;
	struct action_change	*history;	/* oldest first */
	size_t			 nhistory;
	int			 with_history;	/* history was read */
};

/* A signed-in browser. */
struct session {
	int64_t		 id;
	int64_t		 member;
	char		 csrf[65];	/* the token of its forms */
	int64_t		 created;
	int64_t		 last_seen;
	int64_t		 expires;	/* the absolute end */
	int64_t		 revoked;	/* 0: not */
	char		*agent;
};

struct session_list {
	struct session	*v;
	size_t		 n;
};

enum mail_status {
	MAIL_QUEUED,
	MAIL_SENDING,
	MAIL_SENT,
	MAIL_FAILED,
	MAIL__MAX
};

/* A message of the outbox. */
struct mail {
	int64_t			 id;
	char			*kind;
	int64_t			 member;	/* 0: none */
	char			*recipient;
	char			*name;
	char			*subject;
	char			*body;
	char			*calendar;	/* a text/calendar part, or NULL */
	char			*method;	/* its METHOD: REQUEST, CANCEL */
	int64_t			 created;
	enum mail_status	 status;
	int			 attempts;
	int64_t			 next_at;
	int64_t			 claimed_at;
	int64_t			 sent_at;
	char			*last_error;
};

struct mail_list {
	struct mail	*v;
	size_t		 n;
};

struct action_list {
	struct action	*v;
	size_t		 n;
};

struct action_filter {
	int64_t		 owner;		/* 0: any */
	int64_t		 event;		/* 0: any */
	int		 status;	/* -1: any */
	const char	*due_before;	/* overdue: due before this date */
	int64_t		 closed_since;	/* done/cancelled kept if after */
	const struct strv *events;	/* any of these events (ids) */
};

/*
 * An occurrence as it happens: start is its key (where the series puts
 * it, the RECURRENCE-ID), start_utc and end_utc when it really is.
 */
struct occurrence {
	int64_t			 start_utc;
	int64_t			 end_utc;
	char			 start[LOCAL_TIME_LEN];
	const struct override	*ov;	/* its own change, or NULL */
};

/* model.c */
extern const char *const event_kind_names[KIND__MAX];
extern const char *const event_kind_labels[KIND__MAX];	/* for people */
extern const char *const event_status_names[EVSTATUS__MAX];
extern const char *const visibility_names[VIS__MAX];
extern const char *const role_names[ROLE__MAX];
extern const char *const mail_status_names[MAIL__MAX];
extern const char *const token_scope_names[SCOPE__MAX];
extern const char *const feed_level_names[LEVEL__MAX];
extern const char *const rsvp_names[RSVP__MAX];
extern const char *const att_status_names[ATT__MAX];
extern const char *const action_status_names[ACTION__MAX];
int	 model_enum_parse(const char *const *names, int count, const char *);

void	 event_init(struct event *);
void	 room_list_free(struct room_list *);
int	 event_copy(struct event *dst, const struct event *src);
void	 event_clear(struct event *);
const struct override *event_override(const struct event *, const char *key);
int	 event_override_set(struct event *, const struct override *);
void	 event_override_drop(struct event *, const char *key);
void	 event_list_free(struct event_list *);
void	 audience_clear(struct audience *);
void	 audience_list_free(struct audience_list *);
void	 member_clear(struct member *);
int	 member_copy(struct member *dst, const struct member *src);
void	 member_list_free(struct member_list *);
void	 attendance_clear(struct attendance *);
void	 attendance_list_free(struct attendance_list *);
void	 session_list_free(struct session_list *);
void	 mail_clear(struct mail *);
void	 mail_list_free(struct mail_list *);
void	 action_clear(struct action *);
void	 action_list_free(struct action_list *);

#endif
