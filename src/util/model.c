/* model.c: names of the model's enums, and freeing model structs. */
#include <stdlib.h>
#include <string.h>

#include "quorum/model.h"

const char *const event_kind_names[KIND__MAX] = {
	"workshop", "jes_panel", "employer_meeting", "member_briefing",
	"joint_union_meeting", "away_day", "other"
};
const char *const event_kind_labels[KIND__MAX] = {
	"Workshop", "JES panel", "Employer meeting", "Member briefing",
	"Joint union meeting", "Away day", "Other"
};
const char *const event_status_names[EVSTATUS__MAX] = {
	"tentative", "confirmed", "cancelled"
};
const char *const visibility_names[VIS__MAX] = {
	"public", "members", "officials"
};
const char *const role_names[ROLE__MAX] = {
	"member", "rep", "official", "admin"
};
const char *const mail_status_names[MAIL__MAX] = {
	"queued", "sending", "sent", "failed"
};
const char *const rsvp_names[RSVP__MAX] = {
	"invited", "accepted", "declined", "tentative"
};
const char *const att_status_names[ATT__MAX] = {
	"unknown", "present", "absent", "apologies"
};
const char *const action_status_names[ACTION__MAX] = {
	"open", "waiting", "done", "cancelled"
};
const char *const feed_level_names[LEVEL__MAX] = {
	"full", "neutral", "busy"
};

const char *const token_scope_names[SCOPE__MAX] = {
	"feed", "api"
};

/* Index of s in names, or -1. */
int
model_enum_parse(const char *const *names, int count, const char *s)
{
	int	i;

	if (s == NULL)
		return -1;
	for (i = 0; i < count; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

void
event_init(struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = KIND_OTHER;
	ev->status = EVSTATUS_CONFIRMED;
	ev->last_utc = UTC_NONE;
}

void
event_clear(struct event *ev)
{
	if (ev == NULL)
		return;
	free(ev->uid);
	free(ev->title);
	free(ev->description);
	free(ev->location);
	free(ev->url);
	free(ev->tzid);
	free(ev->rrule);
	free(ev->organizer);
	free(ev->room);
	strv_free(&ev->exdates);
	strv_free(&ev->audiences);
	strv_free(&ev->hosts);
	for (size_t i = 0; i < ev->noverrides; i++)
		free(ev->overrides[i].location);
	free(ev->overrides);
	event_init(ev);
}

/* Deep copy; dst is overwritten (not cleared first).  -1 on ENOMEM. */
int
event_copy(struct event *dst, const struct event *src)
{
	*dst = *src;
	dst->uid = xstrdup_or_null(src->uid);
	dst->title = xstrdup_or_null(src->title);
	dst->description = xstrdup_or_null(src->description);
	dst->location = xstrdup_or_null(src->location);
	dst->url = xstrdup_or_null(src->url);
	dst->tzid = xstrdup_or_null(src->tzid);
	dst->rrule = xstrdup_or_null(src->rrule);
	dst->organizer = xstrdup_or_null(src->organizer);
	dst->room = xstrdup_or_null(src->room);
	memset(&dst->exdates, 0, sizeof(dst->exdates));
	memset(&dst->audiences, 0, sizeof(dst->audiences));
	memset(&dst->hosts, 0, sizeof(dst->hosts));
	dst->overrides = NULL;
	dst->noverrides = 0;
	for (size_t i = 0; i < src->noverrides; i++)
		if (event_override_set(dst, &src->overrides[i]) == -1)
			return -1;
	if (strv_copy(&dst->exdates, &src->exdates) == -1 ||
	    strv_copy(&dst->audiences, &src->audiences) == -1 ||
	    strv_copy(&dst->hosts, &src->hosts) == -1)
		return -1;
	return 0;
}

/* The change of the occurrence key of ev, or NULL. */
const struct override *
event_override(const struct event *ev, const char *key)
{
	size_t	i;

	for (i = 0; i < ev->noverrides; i++)
		if (strcmp(ev->overrides[i].occurrence, key) == 0)
			return &ev->overrides[i];
	return NULL;
}

/* Add or replace (a copy of) ov, kept sorted by key.  -1 on ENOMEM. */
int
event_override_set(struct event *ev, const struct override *ov)
{
	struct override	*v, copy = *ov;
	size_t		 i;

	if (ov->location != NULL && (copy.location = strdup(ov->location)) ==
	    NULL)
		return -1;
	for (i = 0; i < ev->noverrides; i++)
		if (strcmp(ev->overrides[i].occurrence, ov->occurrence) >= 0)
			break;
	if (i < ev->noverrides && strcmp(ev->overrides[i].occurrence,
	    ov->occurrence) == 0) {
		free(ev->overrides[i].location);
		ev->overrides[i] = copy;
		return 0;
	}
	if ((v = reallocarray(ev->overrides, ev->noverrides + 1,
	    sizeof(*v))) == NULL) {
		free(copy.location);
		return -1;
	}
	ev->overrides = v;
	memmove(&v[i + 1], &v[i], (ev->noverrides - i) * sizeof(*v));
	v[i] = copy;
	ev->noverrides++;
	return 0;
}

/* Put the occurrence key back as the series has it. */
void
event_override_drop(struct event *ev, const char *key)
{
	size_t	i;

	for (i = 0; i < ev->noverrides; i++)
		if (strcmp(ev->overrides[i].occurrence, key) == 0) {
			free(ev->overrides[i].location);
			memmove(&ev->overrides[i], &ev->overrides[i + 1],
			    (ev->noverrides - i - 1) *
			    sizeof(ev->overrides[0]));
			ev->noverrides--;
			return;
		}
}

void
event_list_free(struct event_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		event_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
audience_clear(struct audience *a)
{
	if (a == NULL)
		return;
	free(a->slug);
	free(a->name);
	free(a->description);
	free(a->colour);
	free(a->parent);
	memset(a, 0, sizeof(*a));
}

void
audience_list_free(struct audience_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		audience_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
member_clear(struct member *m)
{
	if (m == NULL)
		return;
	free(m->name);
	free(m->email);
	free(m->number);
	free(m->branch);
	free(m->work_hours);
	free(m->reminders);
	free(m->feed_alarm);
	strv_free(&m->audiences);
	strv_free(&m->scopes);
	memset(m, 0, sizeof(*m));
}

/* Deep copy; dst is overwritten (not cleared first).  -1 on ENOMEM. */
int
member_copy(struct member *dst, const struct member *src)
{
	*dst = *src;
	dst->name = xstrdup_or_null(src->name);
	dst->email = xstrdup_or_null(src->email);
	dst->number = xstrdup_or_null(src->number);
	dst->branch = xstrdup_or_null(src->branch);
	dst->work_hours = xstrdup_or_null(src->work_hours);
	dst->reminders = xstrdup_or_null(src->reminders);
	dst->feed_alarm = xstrdup_or_null(src->feed_alarm);
	memset(&dst->audiences, 0, sizeof(dst->audiences));
	memset(&dst->scopes, 0, sizeof(dst->scopes));
	if (strv_copy(&dst->audiences, &src->audiences) == -1 ||
	    strv_copy(&dst->scopes, &src->scopes) == -1)
		return -1;
	return 0;
}

void
member_list_free(struct member_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		member_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
attendance_clear(struct attendance *a)
{
	if (a == NULL)
		return;
	free(a->reason);
	free(a->name);
	free(a->number);
	free(a->email);
	memset(a, 0, sizeof(*a));
}

void
attendance_list_free(struct attendance_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		attendance_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
action_clear(struct action *a)
{
	size_t	i;

	if (a == NULL)
		return;
	free(a->title);
	free(a->notes);
	free(a->waiting_on);
	free(a->owner_name);
	free(a->event_uid);
	free(a->event_title);
	for (i = 0; i < a->nhistory; i++) {
		free(a->history[i].actor);
		free(a->history[i].note);
	}
	free(a->history);
	memset(a, 0, sizeof(*a));
}

void
action_list_free(struct action_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		action_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
mail_clear(struct mail *m)
{
	if (m == NULL)
		return;
	free(m->kind);
	free(m->recipient);
	free(m->name);
	free(m->subject);
	free(m->body);
	free(m->calendar);
	free(m->method);
	free(m->last_error);
	memset(m, 0, sizeof(*m));
}

void
mail_list_free(struct mail_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		mail_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
session_list_free(struct session_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i].agent);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
room_list_free(struct room_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].slug);
		free(l->v[i].name);
		free(l->v[i].address);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
