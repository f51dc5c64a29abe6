/* http_int.h: what the HTTP layer's files share; nothing outside src/http. */
#ifndef QUORUM_HTTP_INT_H
#define QUORUM_HTTP_INT_H

#include <microhttpd.h>
#include <time.h>

#include "quorum/http.h"

#define HTTP_MAX_IMPORT		(8u << 20)

/* One request, hung on libmicrohttpd's request pointer. */
struct request {
	struct qrm		*q;
	struct MHD_Connection	*conn;
	const char		*method;
	const char		*url;
	struct buf		 body;
	size_t			 limit;
	int			 too_big;
	unsigned int		 id;
	unsigned int		 status;
	size_t			 bytes;		/* of the body sent */
	const char		*route;		/* the pattern it matched */
	struct timespec		 t0;
	struct feed		*feed;	/* held while its bytes are sent */
	unsigned int		 retry_after;	/* seconds, for 429 */
	char			 allow[64];	/* the Allow of a 405 */
};

/* Methods, as the route table's masks; HEAD goes with GET. */
#define M_GET		0x01
#define M_HEAD		0x02
#define M_POST		0x04
#define M_PUT		0x08
#define M_PATCH		0x10
#define M_DELETE	0x20

/* What a route's body must be (checked, and JSON parsed, by the router). */
enum body_kind {
	BODY_NONE,
	BODY_JSON,		/* application/json: an object, in call.json */
	BODY_TEXT,		/* text/plain */
	BODY_CSV,		/* text/csv */
	BODY_CALENDAR,		/* text/calendar */
	BODY_FORM,		/* a form: its fields, as text, in call.json */
	BODY_MULTIPART		/* a form with a file: the same */
};

#define ROLE_NONE	(-1)	/* a route that takes no API token */

/* What the router found for a handler: who, which ids, the body. */
struct call {
	const struct actor	*actor;	/* NULL on a ROLE_NONE route */
	int64_t			 id[2];	/* the path's "#" segments, in order */
	const char		*word;	/* the path's "*" segment */
	json_t			*json;	/* the body of a BODY_JSON route */
};

struct route {
	unsigned int		 methods;
	const char		*pattern;	/* "#": an id, "*": a segment */
	int			 role;		/* the least role, or ROLE_NONE */
	enum body_kind		 body;
	enum MHD_Result		(*fn)(struct request *, const struct call *);
};

/* daemon.c */
enum MHD_Result	 http_queue(struct request *, unsigned int status,
		    struct MHD_Response *);
enum MHD_Result	 http_text(struct request *, unsigned int status,
		    const char *type, const char *text);
enum MHD_Result	 http_json(struct request *, unsigned int status, json_t *);
enum MHD_Result	 http_json_at(struct request *, unsigned int status,
		    json_t *, const char *location);
enum MHD_Result	 http_error(struct request *, int code,
		    const struct qrm_error *);
enum MHD_Result	 http_fail(struct request *, int code, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
const char	*http_arg(struct request *, const char *);
const char	*http_header(struct request *, const char *);
const char	*http_base_url(void);

/* route.c */
enum MHD_Result	 http_route(struct request *);

/* api.c: one handler a route, named api_ and the path */
enum MHD_Result	 api_events(struct request *, const struct call *);
enum MHD_Result	 api_event(struct request *, const struct call *);
enum MHD_Result	 api_event_occurrences(struct request *, const struct call *);
enum MHD_Result	 api_occurrence(struct request *, const struct call *);
enum MHD_Result	 api_forecast(struct request *, const struct call *);
enum MHD_Result	 api_reconvene(struct request *, const struct call *);
enum MHD_Result	 api_attendance(struct request *, const struct call *);
enum MHD_Result	 api_attendance_csv(struct request *, const struct call *);
enum MHD_Result	 api_attendance_one(struct request *, const struct call *);
enum MHD_Result	 api_checkin(struct request *, const struct call *);
enum MHD_Result	 api_event_actions(struct request *, const struct call *);
enum MHD_Result	 api_notes(struct request *, const struct call *);
enum MHD_Result	 api_agenda(struct request *, const struct call *);
enum MHD_Result	 api_audiences(struct request *, const struct call *);
enum MHD_Result	 api_import(struct request *, const struct call *);
enum MHD_Result	 api_members(struct request *, const struct call *);
enum MHD_Result	 api_members_import(struct request *, const struct call *);
enum MHD_Result	 api_member(struct request *, const struct call *);
enum MHD_Result	 api_member_attendance(struct request *, const struct call *);
enum MHD_Result	 api_actions(struct request *, const struct call *);
enum MHD_Result	 api_action(struct request *, const struct call *);
enum MHD_Result	 api_register(struct request *, const struct call *);
enum MHD_Result	 api_tokens(struct request *, const struct call *);
enum MHD_Result	 api_token(struct request *, const struct call *);
enum MHD_Result	 api_audit(struct request *, const struct call *);
enum MHD_Result	 api_freebusy(struct request *, const struct call *);
enum MHD_Result	 api_invitations(struct request *, const struct call *);
enum MHD_Result	 api_itip(struct request *, const struct call *);
enum MHD_Result	 api_optouts(struct request *, const struct call *);
enum MHD_Result	 api_polls(struct request *, const struct call *);
enum MHD_Result	 api_poll(struct request *, const struct call *);
enum MHD_Result	 api_poll_confirm(struct request *, const struct call *);
enum MHD_Result	 api_slots(struct request *, const struct call *);
enum MHD_Result	 api_attendance_csv_send(struct request *,
		    const struct attendance_list *);

/* metrics.c */
void		 metrics_record(const char *route, const char *method,
		    unsigned int status, double seconds);
enum MHD_Result	 page_metrics(struct request *, const struct call *);

/* feeds.c */
enum MHD_Result	 feeds_get(struct request *, const struct call *);
enum MHD_Result	 feeds_employer(struct request *, const struct call *);
int		 accepts_gzip(const char *accept_encoding);

/* guard.c */
unsigned int	 guard_blocked(struct request *);
void		 guard_failed(struct request *);
enum MHD_Result	 guard_refuse(struct request *, unsigned int wait);

/* pages.c */
enum MHD_Result	 pages_index(struct request *, const struct call *);

/* html.c */
void		 html_text(struct buf *, const char *);
void		 html_raw_trusted(struct buf *, const char *);
void		 html_url_part(struct buf *, const char *);
void		 html_when(struct buf *, const char *local, int year);
int		 html_weekday(int y, int m, int d);
void		 html_begin(struct buf *, const char *title, const char *csrf);
void		 html_end(struct buf *);
enum MHD_Result	 html_send(struct request *, unsigned int status,
		    struct buf *, const char *cookie1, const char *cookie2,
		    const char *location);
enum MHD_Result	 html_static(struct request *, const struct call *);
enum MHD_Result	 html_redirect(struct request *, const char *where,
		    const char *title);
void		 html_notice(struct buf *, unsigned int status, const char *);
enum MHD_Result	 page_error(struct request *, int code,
		    const struct qrm_error *);
enum MHD_Result	 page_fail(struct request *, int code, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
const char	*http_cookie(struct request *, const char *);
int		 http_secure(struct request *);

/* A form being written: the values it shows, and the field refused. */
struct html_form {
	struct buf	*b;
	const json_t	*values;	/* name: text */
	const char	*bad;		/* the field refused, or NULL */
	const char	*why;		/* and why */
	const char	*id;		/* ids' prefix; NULL: "f" */
};
void		 html_hidden(struct buf *, const char *name, const char *);
const char	*html_value(const struct html_form *, const char *name);
void		 html_form_begin(struct html_form *, const char *action,
		    const char *csrf);
void		 html_form_problem(struct html_form *);
void		 html_input(struct html_form *, const char *name,
		    const char *label, const char *type, const char *hint);
void		 html_textarea(struct html_form *, const char *name,
		    const char *label, const char *hint, int rows);
void		 html_select(struct html_form *, const char *name,
		    const char *label, const char *hint,
		    const char *const *values, const char *const *labels);
void		 html_checkbox(struct html_form *, const char *name,
		    const char *label);

/* qr.c */
int		 qr_svg(struct buf *, const char *text, const char *label);

/* page_signin.c */
void		 page_base(struct request *, char *, size_t);
/* Who is behind a request (page_signin.c). */
struct page_user {
	struct member	 m;
	struct session	 s;
	struct actor	 a;		/* nobody: a member seeing public */
	const char	*cookie;
	int		 signed_in;
};
int		 page_user_get(struct request *, struct page_user *);
void		 page_user_clear(struct page_user *);
int		 page_csrf_ok(const struct call *, const struct session *);
enum MHD_Result	 page_signin(struct request *, const struct call *);
enum MHD_Result	 page_signin_link(struct request *, const struct call *);
enum MHD_Result	 page_signout(struct request *, const struct call *);

/* page_door.c */
enum MHD_Result	 page_door(struct request *, const struct call *);
enum MHD_Result	 page_door_post(struct request *, const struct call *);
enum MHD_Result	 page_door_csv(struct request *, const struct call *);

/* page_event_form.c */
int		 page_staff(struct request *, struct page_user *, int role,
		    enum MHD_Result *);
enum MHD_Result	 page_event_new(struct request *, const struct call *);
enum MHD_Result	 page_event_edit(struct request *, const struct call *);
enum MHD_Result	 page_event_cancel(struct request *, const struct call *);

/* page_reports.c */
enum MHD_Result	 page_facility(struct request *, const struct call *);
enum MHD_Result	 api_facility(struct request *, const struct call *);
enum MHD_Result	 page_time_off(struct request *, const struct call *);

/* page_occurrence.c */
enum MHD_Result	 page_occurrence(struct request *, const struct call *);

/* page_notes.c */
enum MHD_Result	 page_notes(struct request *, const struct call *);
enum MHD_Result	 page_notes_action(struct request *, const struct call *);
enum MHD_Result	 page_action_change(struct request *, const struct call *);

/* page_members.c */
enum MHD_Result	 page_members(struct request *, const struct call *);
enum MHD_Result	 page_members_import(struct request *, const struct call *);
enum MHD_Result	 page_member_change(struct request *, const struct call *);

/* page_here.c */
enum MHD_Result	 page_door_qr(struct request *, const struct call *);
enum MHD_Result	 page_here(struct request *, const struct call *);

/* page_invitation.c */
enum MHD_Result	 page_invitation(struct request *, const struct call *);
enum MHD_Result	 page_offer(struct request *, const struct call *);

/* page_poll.c */
enum MHD_Result	 page_poll_answer(struct request *, const struct call *);
enum MHD_Result	 page_poll(struct request *, const struct call *);
enum MHD_Result	 page_poll_confirm(struct request *, const struct call *);
enum MHD_Result	 page_poll_new(struct request *, const struct call *);

/* page_schedule.c */
enum MHD_Result	 page_schedule(struct request *, const struct call *);
int		 page_people(struct request *, const struct actor *,
		    const char *text, const char *field, struct strv *ids,
		    struct strv *numbers, struct qrm_error *);

/* page_agenda.c */
enum MHD_Result	 page_audience(struct request *, const struct call *);
enum MHD_Result	 page_event(struct request *, const struct call *);
enum MHD_Result	 page_reconvene(struct request *, const struct call *);

/* page_me.c */
enum MHD_Result	 page_me(struct request *, const struct call *);
enum MHD_Result	 page_me_reset(struct request *, const struct call *);
enum MHD_Result	 page_me_alarm(struct request *, const struct call *);
enum MHD_Result	 page_me_work_link(struct request *, const struct call *);
enum MHD_Result	 page_me_rsvp(struct request *, const struct call *);
enum MHD_Result	 page_action_done(struct request *, const struct call *);
enum MHD_Result	 page_event_ics(struct request *, const struct call *);

#endif
