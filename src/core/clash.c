/*
 * clash.c: who or what a meeting would double-book.  A meeting's hosts,
 * its organiser, the members with a place at it and its room are
 * booked for each of its occurrences; another meeting that is not
 * cancelled and books one of them at an overlapping time is a clash.
 * Times are compared in UTC, so meetings in other zones, across the
 * clock change and all day (the day in the meeting's zone) all count.
 * A series with no end is looked at over CLASH_YEARS from its start.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core_int.h"
#include "quorum/ical.h"

#define CLASH_YEARS	2
#define CLASH_MAX	20	/* listed in one refusal */

/* What a meeting books: people (ids), their addresses, a room. */
struct booking {
	struct strv	ids;		/* member ids, as text */
	struct strv	names;		/* the same people's names */
	struct strv	emails;		/* lower case */
	const char	*room;
};

static void
booking_free(struct booking *b)
{
	strv_free(&b->ids);
	strv_free(&b->names);
	strv_free(&b->emails);
}

/* Add member id (when active and not there yet) to b. */
static void
book_member(struct store *st, struct booking *b, int64_t id)
{
	struct member	m;
	char		n[24];
	size_t		i;

	snprintf(n, sizeof(n), "%lld", (long long)id);
	if (strv_contains(&b->ids, n) || store_member_get(st, id, &m,
	    NULL) != QRM_OK)
		return;
	strv_push(&b->ids, n);
	strv_push(&b->names, m.name);
	for (i = 0; m.email[i] != '\0'; i++)
		m.email[i] = (char)tolower((unsigned char)m.email[i]);
	strv_push(&b->emails, m.email);
	member_clear(&m);
}

static int
book_place(void *arg, int64_t member, const char *occurrence)
{
	void	**a = arg;

	(void)occurrence;
	book_member(a[0], a[1], member);
	return 0;
}

/* Everyone and everything ev books. */
static int
booking_of(struct store *st, const struct event *ev, struct booking *b,
    struct qrm_error *err)
{
	void		*arg[2] = { st, b };
	struct member	 m;
	char		 low[256];
	int64_t		 id;
	size_t		 i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < ev->hosts.n; i++)
		if (parse_int64(ev->hosts.v[i], &id) == 0)
			book_member(st, b, id);
	if (ev->organizer != NULL) {
		snprintf(low, sizeof(low), "%s", ev->organizer);
		for (i = 0; low[i] != '\0'; i++)
			low[i] = (char)tolower((unsigned char)low[i]);
		if (store_member_get_email(st, low, &m, NULL) == QRM_OK &&
		    m.active)
			book_member(st, b, m.id);
		else if (!strv_contains(&b->emails, low))
			strv_push(&b->emails, low);
		member_clear(&m);
	}
	b->room = ev->room;
	if (ev->id > 0)
		return store_event_booked(st, ev->id, NULL, book_place, arg,
		    err);
	return QRM_OK;
}

/* Who of b the other meeting o books: to say why it clashes. */
struct shared {
	const struct booking	*b;
	struct strv		 who;
	const char		*occurrence;	/* of o, or "" */
};

static int
shared_place(void *arg, int64_t member, const char *occurrence)
{
	struct shared	*s = arg;
	char		 n[24];
	size_t		 i;

	if (occurrence != NULL && *occurrence != '\0' && s->occurrence[0] &&
	    strcmp(occurrence, s->occurrence) != 0)
		return 0;
	snprintf(n, sizeof(n), "%lld", (long long)member);
	for (i = 0; i < s->b->ids.n; i++)
		if (strcmp(s->b->ids.v[i], n) == 0 &&
		    !strv_contains(&s->who, s->b->names.v[i]))
			strv_push(&s->who, s->b->names.v[i]);
	return 0;
}

/* Whom and what of b the occurrence (start local) of o books. */
static int
shared_of(struct store *st, const struct booking *b, const char *people,
    const struct event *o, const char *occurrence, struct strv *who,
    struct qrm_error *err)
{
	struct shared	 s = { b, { 0 }, occurrence };
	struct room_list rl;
	size_t		 i, j;
	int		 rc;

	for (i = 0; i < o->hosts.n; i++)
		for (j = 0; j < b->ids.n; j++)
			if (strcmp(o->hosts.v[i], b->ids.v[j]) == 0 &&
			    !strv_contains(&s.who, b->names.v[j]))
				strv_push(&s.who, b->names.v[j]);
	if (o->organizer != NULL)
		for (j = 0; j < b->emails.n; j++)
			if (strcasecmp(o->organizer, b->emails.v[j]) == 0 &&
			    !strv_contains(&s.who, j < b->names.n ?
			    b->names.v[j] : b->emails.v[j]))
				strv_push(&s.who, j < b->names.n ?
				    b->names.v[j] : b->emails.v[j]);
	if ((rc = store_event_booked(st, o->id, people, shared_place, &s,
	    err)) != QRM_OK) {
		strv_free(&s.who);
		return rc;
	}
	if (b->room != NULL && o->room != NULL && strcmp(b->room,
	    o->room) == 0 && store_room_list(st, &rl, NULL) == QRM_OK) {
		for (i = 0; i < rl.n; i++)
			if (strcmp(rl.v[i].slug, b->room) == 0)
				strv_push(&s.who, rl.v[i].name);
		room_list_free(&rl);
	}
	*who = s.who;
	return QRM_OK;
}

/* A list as a JSON array, of numbers (ids) or of strings. */
static char *
json_list(const struct strv *sv, int numbers)
{
	json_t	*a = json_array();
	char	*text;
	int64_t	 n;
	size_t	 i;

	for (i = 0; i < sv->n; i++)
		json_array_append_new(a, numbers && parse_int64(sv->v[i],
		    &n) == 0 ? json_integer(n) : json_string(sv->v[i]));
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text;
}

static int
by_start(const void *a, const void *b)
{
	const struct occurrence	*x = a, *y = b;

	return x->start_utc < y->start_utc ? -1 : x->start_utc > y->start_utc;
}

/*
 * The clashes of ev (validated, its UTC span known) as a JSON array of
 * {"id", "title", "start", "end", "tz", "who"}, earliest first, at most
 * CLASH_MAX; an empty array when there is none.
 */
int
core_event_clashes(struct store *st, const struct event *ev, json_t **out,
    struct qrm_error *err)
{
	struct booking		 b;
	struct event_list	 others;
	struct occurrence	*mine = NULL, *theirs = NULL;
	struct strv		 who;
	json_t			*names;
	char			*people = NULL, *emails = NULL, end[32];
	int64_t			 from, to;
	size_t			 nmine = 0, ntheirs, i, j, k;
	int			 rc;

	*out = json_array();
	memset(&others, 0, sizeof(others));
	if (ev->status == EVSTATUS_CANCELLED)
		return QRM_OK;
	if ((rc = booking_of(st, ev, &b, err)) != QRM_OK)
		return rc;
	if (b.ids.n == 0 && b.emails.n == 0 && b.room == NULL)
		goto out;
	from = ev->start_utc;
	to = ev->last_utc == UTC_NONE || ev->last_utc > ev->start_utc +
	    CLASH_YEARS * 366 * 86400 ? ev->start_utc + CLASH_YEARS * 366 *
	    86400 : ev->last_utc;
	if ((rc = ical_event_occurrences(ev, from - 1, to, &mine, &nmine,
	    err)) != QRM_OK)
		goto out;
	if (nmine == 0)
		goto out;
	people = json_list(&b.ids, 1);
	emails = json_list(&b.emails, 0);
	if (people == NULL || emails == NULL) {
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		goto out;
	}
	if ((rc = store_event_clashes(st, ev->id, from, to, people, emails,
	    b.room, &others, err)) != QRM_OK)
		goto out;
	if (nmine > 1)
		qsort(mine, nmine, sizeof(*mine), by_start);
	for (i = 0; i < others.n && json_array_size(*out) < CLASH_MAX; i++) {
		const struct event *o = &others.v[i];

		theirs = NULL;
		if (ical_event_occurrences(o, from - 86400, to, &theirs,
		    &ntheirs, NULL) != QRM_OK)
			continue;
		if (ntheirs > 1)
			qsort(theirs, ntheirs, sizeof(*theirs), by_start);
		/* the first of theirs that overlaps one of mine */
		for (j = k = 0; j < ntheirs && k < nmine; ) {
			if (theirs[j].end_utc <= mine[k].start_utc ||
			    (theirs[j].end_utc == theirs[j].start_utc &&
			    theirs[j].end_utc < mine[k].start_utc))
				j++;
			else if (mine[k].end_utc <= theirs[j].start_utc ||
			    (mine[k].end_utc == mine[k].start_utc &&
			    mine[k].end_utc < theirs[j].start_utc))
				k++;
			else
				break;
		}
		if (j < ntheirs && k < nmine) {
			memset(&who, 0, sizeof(who));
			if (shared_of(st, &b, people, o, o->rrule ?
			    theirs[j].start : "", &who, NULL) == QRM_OK &&
			    who.n > 0) {
				names = json_array();
				for (k = 0; k < who.n; k++)
					json_array_append_new(names,
					    json_string(who.v[k]));
				utc_format(theirs[j].end_utc, end, sizeof(end));
				json_array_append_new(*out, json_pack(
				    "{s:I, s:s, s:s, s:s, s:s, s:o}", "id",
				    (json_int_t)o->id, "title", o->title,
				    "start", theirs[j].start, "end", end,
				    "tz", o->tzid, "who", names));
			}
			strv_free(&who);
		}
		free(theirs);
	}
out:
	free(mine);
	free(people);
	free(emails);
	event_list_free(&others);
	booking_free(&b);
	return rc;
}

/*
 * Refuse ev when it clashes (QRM_ECONFLICT, the clashes in the error's
 * extra JSON and in words in its message) unless forced; *clashed says
 * how many there were, for the audit line of a forced save.
 */
int
core_event_check_clashes(struct store *st, const struct event *ev,
    int force, size_t *clashed, struct qrm_error *err)
{
	struct buf	 b = { 0 };
	json_t		*c, *x;
	char		*text;
	size_t		 i, j;
	int		 rc;

	*clashed = 0;
	if ((rc = core_event_clashes(st, ev, &c, err)) != QRM_OK) {
		json_decref(c);
		return rc;
	}
	*clashed = json_array_size(c);
	if (*clashed == 0 || force) {
		json_decref(c);
		return QRM_OK;
	}
	json_array_foreach(c, i, x) {
		buf_printf(&b, "%s%s (%s, %s):", i ? "; " : "",
		    json_string_value(json_object_get(x, "title")),
		    json_string_value(json_object_get(x, "start")),
		    json_string_value(json_object_get(x, "tz")));
		for (j = 0; j < json_array_size(json_object_get(x, "who"));
		    j++)
			buf_printf(&b, "%s %s", j ? "," : "", json_string_value(
			    json_array_get(json_object_get(x, "who"), j)));
	}
	rc = qrm_seterr(err, QRM_ECONFLICT, "start", "this would double-book "
	    "%s (send \"force\": true, or --force, to book it anyway)",
	    b.p ? b.p : "");
	buf_free(&b);
	x = json_pack("{s:o}", "clashes", c);
	if ((text = json_dumps(x, JSON_COMPACT)) != NULL) {
		if (err != NULL && strlen(text) < sizeof(err->extra))
			memcpy(err->extra, text, strlen(text) + 1);
		free(text);
	}
	json_decref(x);
	return rc;
}
