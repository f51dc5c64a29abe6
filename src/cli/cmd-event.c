/*
 * cmd-event.c: event add, update, show, cancel and list.  Options become
 * the JSON object the API would receive, and the domain layer decides.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* Merge the --json FILE object under the options given (they win). */
static int
merge_json_file(struct cmd_ctx *c)
{
	const char	*path = cmd_text(c, "json");
	json_error_t	 je;
	json_t		*file;
	char		*text;
	size_t		 len;

	if (path == NULL)
		return 0;
	if ((text = cmd_read_file(path, 1u << 20, &len)) == NULL) {
		fprintf(stderr, "quorum: %s: %s\n", path, errno == EFBIG ?
		    "larger than 1 MiB" : strerror(errno));
		return EXIT_REFUSED;
	}
	file = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (file == NULL || !json_is_object(file)) {
		fprintf(stderr, "quorum: %s: malformed JSON at line %d: %s\n",
		    path, je.line, file ? "not an object" : je.text);
		json_decref(file);
		return EXIT_REFUSED;
	}
	json_object_update_missing(c->body, file);
	json_decref(file);
	return 0;
}

static int
print_event(struct event *ev)
{
	json_t	*o = event_to_json(ev);

	event_clear(ev);
	return cmd_print_json(o);
}

/* "2027-01-21T12:30" and "2027-01-21T12:30:00" are one time. */
static void
normal_local(const char *in, char *out, size_t sz)
{
	snprintf(out, sz, "%s%s", in, strlen(in) == 16 ? ":00" : "");
}

static int
cmd_event_add(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	json_t			*ex;
	int			 rc;

	if ((ex = json_object_get(c->opt, "exdate")) != NULL)
		json_object_set(c->body, "exdates", ex);
	if ((rc = merge_json_file(c)) != 0)
		return rc;
	if ((rc = core_event_create(c->q, c->actor, c->body, &ev, &err)))
		return cmd_fail(&err, rc);
	return print_event(&ev);
}

/*
 * --exdate adds dates to those the series leaves out, --no-exdate takes
 * them back, --clear-exdates starts from none: the list is never
 * replaced by surprise.
 */
static int
exdates_patch(struct cmd_ctx *c, int64_t id)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	struct strv		 list = { 0 };
	json_t			*add, *del, *v, *out;
	char			 t[LOCAL_TIME_LEN + 4];
	size_t			 i, k;
	int			 rc = 0;

	add = json_object_get(c->opt, "exdate");
	del = json_object_get(c->opt, "no-exdate");
	if (add == NULL && del == NULL && !cmd_flag(c, "clear-exdates"))
		return 0;
	if ((rc = core_event_get(c->q, c->actor, id, &ev, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	if (!cmd_flag(c, "clear-exdates"))
		for (i = 0; i < ev.exdates.n; i++)
			strv_push(&list, ev.exdates.v[i]);
	event_clear(&ev);
	json_array_foreach(del, i, v) {
		normal_local(json_string_value(v), t, sizeof(t));
		for (k = 0; k < list.n && strcmp(list.v[k], t) != 0; k++)
			;
		if (k == list.n) {
			fprintf(stderr, "quorum: no-exdate: %s is not left out "
			    "of event %lld\n", json_string_value(v),
			    (long long)id);
			strv_free(&list);
			return EXIT_REFUSED;
		}
		free(list.v[k]);
		memmove(&list.v[k], &list.v[k + 1], (list.n - k - 1) *
		    sizeof(list.v[0]));
		list.n--;
	}
	json_array_foreach(add, i, v) {
		normal_local(json_string_value(v), t, sizeof(t));
		if (!strv_contains(&list, t))
			strv_push(&list, t);
	}
	out = json_array();
	for (i = 0; i < list.n; i++)
		json_array_append_new(out, json_string(list.v[i]));
	json_object_set_new(c->body, "exdates", out);
	strv_free(&list);
	return 0;
}

static int
cmd_event_update(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	int64_t			 id = cmd_arg_id(c, 0);
	int			 rc;

	if ((rc = exdates_patch(c, id)) != 0 || (rc = merge_json_file(c)))
		return rc;
	if (json_object_size(c->body) == 0)
		return cmd_usage_error(c, "nothing to change: name a field, "
		    "e.g. --location \"Room 4\"");
	if ((rc = core_event_update(c->q, c->actor, id, c->body, &ev, &err)))
		return cmd_fail(&err, rc);
	return print_event(&ev);
}

/* event show and event cancel: one event, as it now stands. */
static int
cmd_event_one(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	int64_t			 id = cmd_arg_id(c, 0);
	int			 rc;

	if (strcmp(c->entry->sub, "cancel") == 0)
		rc = core_event_cancel(c->q, c->actor, id, &ev, &err);
	else
		rc = core_event_get(c->q, c->actor, id, &ev, &err);
	if (rc != QRM_OK)
		return cmd_fail(&err, rc);
	return print_event(&ev);
}

/*
 * event occurrence ID WHEN: one date of a series, shown, or moved
 * (--start, --end), given its own place (--location; --series-location
 * takes the series' again), cancelled alone (--cancel) or put back
 * (--restore).
 */
static int
cmd_event_occurrence(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int64_t			 id = cmd_arg_id(c, 0);
	const char		*when = c->argv[1];
	int			 rc, cancel = cmd_flag(c, "cancel");

	if (cancel && cmd_flag(c, "restore"))
		return cmd_usage_error(c, "--cancel or --restore, not both");
	if (cmd_flag(c, "series-location")) {
		if (json_object_get(c->body, "location") != NULL)
			return cmd_usage_error(c, "--location or "
			    "--series-location, not both");
		json_object_set_new(c->body, "location", json_null());
	}
	if (cancel)
		json_object_set_new(c->body, "status", json_string(
		    "cancelled"));
	else if (cmd_flag(c, "restore"))
		json_object_set_new(c->body, "status", json_string(
		    "confirmed"));
	if (json_object_size(c->body) == 0 || (json_object_size(c->body) ==
	    1 && json_object_get(c->body, "force") != NULL))
		rc = core_occurrence_get(c->q, c->actor, id, when, &out, &err);
	else
		rc = core_occurrence_change(c->q, c->actor, id, when, c->body,
		    &out, &err);
	if (rc != QRM_OK)
		return cmd_fail(&err, rc);
	return cmd_print_json(out);
}

/* event reconvene ID --start --end: a meeting that missed its quorum, again */
static int
cmd_event_reconvene(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	int			 rc;

	if (json_object_get(c->body, "start") == NULL)
		return cmd_usage_error(c, "--start WHEN is needed");
	if ((rc = core_reconvene(c->q, c->actor, cmd_arg_id(c, 0), c->body,
	    &ev, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	return print_event(&ev);
}

/* event forecast ID: does it look quorate, and who has not answered */
static int
cmd_event_forecast(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;

	return cmd_reply(core_forecast(c->q, c->actor, cmd_arg_id(c, 0),
	    &out, &err), &err, &out);
}

/* One line of the agenda: sorted by its UTC start, then printed. */
struct row {
	char	 key[48];	/* UTC start, then id: sorts by time */
	char	*text;
};

static int
row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->key,
	    ((const struct row *)b)->key);
}

/* "2027-01-07T12:30:00" as "Thu 2027-01-07 12:30" (a date: no time). */
static void
when_text(const char *local, char *out, size_t sz)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	struct tm	tm;
	int		y = 0, mo = 0, d = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(local, "%4d-%2d-%2d", &y, &mo, &d) != 3) {
		snprintf(out, sz, "%s", local);
		return;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	timegm(&tm);
	snprintf(out, sz, "%s %.10s%s%.5s", days[tm.tm_wday % 7], local,
	    strlen(local) > 11 ? " " : "", strlen(local) > 11 ? local + 11 :
	    "");
}

static int
row_add(struct row **v, size_t *n, size_t *cap, const char *key,
    const struct event *ev, const char *start, const char *end,
    const char *note)
{
	struct row	*nv;
	char		*aud, *text, from[32], to[32], span[80];

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((nv = realloc(*v, *cap * sizeof(**v))) == NULL)
			return -1;
		*v = nv;
	}
	when_text(start, from, sizeof(from));
	when_text(end, to, sizeof(to));
	if (ev->all_day)
		snprintf(span, sizeof(span), "%s%s%s (all day)", from,
		    strcmp(start, end) ? " to " : "", strcmp(start, end) ?
		    to : "");
	else if (strncmp(start, end, 10) == 0)	/* the same day */
		snprintf(span, sizeof(span), "%s-%s", from, to + 15);
	else
		snprintf(span, sizeof(span), "%s to %s", from, to);
	aud = strv_join(&ev->audiences, ',');
	if (asprintf(&text, "%5lld  %-36s  %-19s  %s  [%s]%s%s%s",
	    (long long)ev->id, span, event_kind_names[ev->kind], ev->title,
	    aud ? aud : "", ev->status == EVSTATUS_CANCELLED ?
	    "  CANCELLED" : "", ev->status == EVSTATUS_TENTATIVE ?
	    "  (tentative)" : "", note ? note : "") == -1)
		text = NULL;
	free(aud);
	if (text == NULL)
		return -1;
	snprintf((*v)[*n].key, sizeof((*v)[*n].key), "%s %020lld", key,
	    (long long)ev->id);
	(*v)[(*n)++].text = text;
	return 0;
}

/*
 * The human list: one line per meeting, a series expanded into its
 * dates (those within --from/--to, or a year from its start), earliest
 * first, each with its end, kind, title and audiences.
 */
static int
print_agenda(struct cmd_ctx *c, const struct event_list *evs,
    const char *from, const char *to)
{
	struct qrm_error	 err = { 0 };
	struct row		*rows = NULL;
	json_t			*occ, *it;
	char			 key[32];
	size_t			 i, k, n = 0, cap = 0;

	for (i = 0; i < evs->n; i++) {
		const struct event *ev = &evs->v[i];

		if (ev->rrule == NULL) {
			utc_format(ev->start_utc, key, sizeof(key));
			row_add(&rows, &n, &cap, key, ev, ev->start, ev->end,
			    NULL);
			continue;
		}
		if (core_event_occurrences(c->q, c->actor, ev->id, from, to,
		    &occ, &err) != QRM_OK)
			continue;
		json_array_foreach(json_object_get(occ, "items"), k, it) {
			char	note[64] = "";

			/* a date changed on its own says so */
			if (strcmp(json_string_value(json_object_get(it,
			    "status")), "cancelled") == 0)
				snprintf(note, sizeof(note), "  CANCELLED "
				    "(this date)");
			else if (json_is_true(json_object_get(it, "moved")))
				snprintf(note, sizeof(note), "  (moved from "
				    "%.16s)", json_string_value(
				    json_object_get(it, "occurrence")));
			row_add(&rows, &n, &cap, json_string_value(
			    json_object_get(it, "start_utc")), ev,
			    json_string_value(json_object_get(it, "start")),
			    json_string_value(json_object_get(it, "end")),
			    note[0] ? note : NULL);
		}
		json_decref(occ);
	}
	if (n > 0)
		qsort(rows, n, sizeof(rows[0]), row_cmp);
	if (n == 0)
		puts("No events.");
	else
		printf("%5s  %-36s  %-19s  %s\n", "ID", "WHEN (local time)",
		    "KIND", "TITLE  [AUDIENCES]");
	for (i = 0; i < n; i++) {
		puts(rows[i].text);
		free(rows[i].text);
	}
	free(rows);
	return 0;
}

static int
cmd_event_list(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct event_list	 evs;
	const char		*from = cmd_text(c, "from");
	json_t			*items;
	char			 today[16];
	size_t			 i;
	int			 rc;

	if (cmd_flag(c, "upcoming")) {
		if (from != NULL)
			return cmd_usage_error(c, "--upcoming is from today: "
			    "give it or --from, not both");
		core_today(today, sizeof(today));
		from = today;
	}
	if ((rc = core_event_list(c->q, c->actor, from, cmd_text(c, "to"),
	    cmd_text(c, "audience"), cmd_text(c, "kind"), cmd_text(c, "tz"),
	    &evs, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	if (!cmd_flag(c, "json")) {
		rc = print_agenda(c, &evs, from, cmd_text(c, "to"));
		event_list_free(&evs);
		return rc;
	}
	items = json_array();
	for (i = 0; i < evs.n; i++)
		json_array_append_new(items, event_to_json(&evs.v[i]));
	event_list_free(&evs);
	return cmd_print_json(json_pack("{s:o}", "items", items));
}

#define EVENT_FIELDS \
	{ "title", OPT_TEXT, "title", "T", "the title" }, \
	{ "kind", OPT_TEXT, "kind", "K", "workshop, jes_panel, " \
	  "employer_meeting, member_briefing, joint_union_meeting, away_day " \
	  "or other" }, \
	{ "start", OPT_TEXT, "start", "WHEN", "local start: " \
	  "YYYY-MM-DDTHH:MM, or YYYY-MM-DD for all day" }, \
	{ "end", OPT_TEXT, "end", "WHEN", "local end (all day: the last " \
	  "day, inclusive)" }, \
	{ "tz", OPT_TEXT, "tz", "ZONE", "IANA time zone (default " \
	  "Europe/London)" }, \
	{ "all-day", OPT_FLAG, "all_day", NULL, "an all-day event (dates)" }, \
	{ "rrule", OPT_TEXT, "rrule", "RULE", "recurrence, e.g. " \
	  "FREQ=WEEKLY;COUNT=12" }, \
	{ "exdate", OPT_TEXTS, NULL, "WHEN", "leave out this date of the " \
	  "series (adds to those left out)" }, \
	{ "audience", OPT_TEXTS, "audiences", "SLUG", "who it is for " \
	  "(replaces the list)" }, \
	{ "location", OPT_TEXT, "location", "L", "where" }, \
	{ "url", OPT_TEXT, "url", "U", "the link to join online" }, \
	{ "description", OPT_TEXT, "description", "D", "what it is about" }, \
	{ "capacity", OPT_INT, "capacity", "N", "places (0: no limit); " \
	  "then a waiting list" }, \
	{ "quorum", OPT_INT, "quorum", "N", "how many must be present" }, \
	{ "status", OPT_TEXT, "status", "S", "tentative, confirmed or " \
	  "cancelled" }, \
	{ "organizer", OPT_TEXT, "organizer", "O", "who organises it " \
	  "(an e-mail address or a name)" }, \
	{ "host", OPT_INTS, "hosts", "ID", "a member who hosts it " \
	  "(replaces the list)" }, \
	{ "after", OPT_ID_OR_NONE, "after", "ID|none", "it must come after " \
	  "event ID; none clears it" }, \
	{ "room", OPT_TEXT, "room", "SLUG", "a room of feeds/rooms (booked " \
	  "as a person is)" }, \
	{ "force", OPT_FLAG, "force", NULL, "save it even if it double-books " \
	  "a host, the organiser, someone with a place or the room" }, \
	{ "uid", OPT_TEXT, "uid", "UID", "a UID of your own (add only)" }, \
	{ "json", OPT_TEXT, NULL, "FILE|-", "read fields from a JSON " \
	  "object (options win)" }

static const struct cmd_opt add_opts[] = {
	EVENT_FIELDS,
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt update_opts[] = {
	EVENT_FIELDS,
	{ "no-exdate", OPT_TEXTS, NULL, "WHEN",
	  "put this date of the series back" },
	{ "clear-exdates", OPT_FLAG, NULL, NULL,
	  "put every left-out date back (then --exdate adds)" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt occurrence_opts[] = {
	{ "start", OPT_TEXT, "start", "WHEN", "move the date: its new local "
	  "start (the length is kept unless --end)" },
	{ "end", OPT_TEXT, "end", "WHEN", "its new local end" },
	{ "location", OPT_TEXT, "location", "L", "a place for this date only" },
	{ "series-location", OPT_FLAG, NULL, NULL,
	  "this date at the series' place again" },
	{ "cancel", OPT_FLAG, NULL, NULL, "cancel this date only (the "
	  "others stay)" },
	{ "restore", OPT_FLAG, NULL, NULL, "a cancelled date is on again" },
	{ "force", OPT_FLAG, "force", NULL, "move it even if it double-books "
	  "someone or the room" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt reconvene_opts[] = {
	{ "start", OPT_TEXT, "start", "WHEN", "when it meets again (local)" },
	{ "end", OPT_TEXT, "end", "WHEN", "and ends" },
	{ "occurrence", OPT_TEXT, "occurrence", "WHEN", "the date of a series "
	  "that missed its quorum" },
	{ "force", OPT_FLAG, "force", NULL, "even if it double-books someone" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt list_opts[] = {
	{ "from", OPT_TEXT, NULL, "DATE", "events ending after DATE" },
	{ "to", OPT_TEXT, NULL, "DATE", "events starting before DATE" },
	{ "upcoming", OPT_FLAG, NULL, NULL, "from today on" },
	{ "audience", OPT_TEXT, NULL, "SLUG",
	  "what this audience's feed shows" },
	{ "kind", OPT_TEXT, NULL, "K", "only this kind" },
	{ "tz", OPT_TEXT, NULL, "ZONE", "the zone of --from and --to" },
	{ "json", OPT_FLAG, NULL, NULL,
	  "the events as JSON (a series once, with its rule)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_event_entries[] = {
	{ "event", "add", "--title T --kind K --start WHEN [--end WHEN] "
	  "--audience SLUG", 0, 0, add_opts,
	  "create an event; prints it as JSON", CMD_DB, cmd_event_add },
	{ "event", "update", "ID", 1, 1, update_opts,
	  "change some fields of an event; prints it as JSON", CMD_DB,
	  cmd_event_update },
	{ "event", "show", "ID", 1, 1, NULL,
	  "one event as JSON", CMD_DB, cmd_event_one },
	{ "event", "cancel", "ID", 1, 1, NULL,
	  "cancel an event (it stays in feeds as cancelled)", CMD_DB,
	  cmd_event_one },
	{ "event", "occurrence", "ID WHEN", 2, 2, occurrence_opts,
	  "one date of a series (WHEN: its start as the series gives it): "
	  "show it, move it, or cancel it alone; prints it as JSON", CMD_DB,
	  cmd_event_occurrence },
	{ "event", "forecast", "ID", 1, 1, NULL,
	  "does a meeting with a quorum look quorate: who is going, who has "
	  "not answered, and how its past dates went", CMD_DB,
	  cmd_event_forecast },
	{ "event", "reconvene", "ID --start WHEN --end WHEN", 1, 1,
	  reconvene_opts, "a meeting again (one that missed its quorum), for "
	  "the same people, its open actions carried over; prints the new "
	  "one", CMD_DB, cmd_event_reconvene },
	{ "event", "list", NULL, 0, 0, list_opts,
	  "events by date, each date of a series on its own line", CMD_DB,
	  cmd_event_list },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0, NULL }
};
