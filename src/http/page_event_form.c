/*
 * page_event_form.c: the official's form for a meeting, new or changed,
 * with every field the API has, in words a member can read: the date
 * and times, who it is for, how it repeats and which dates it skips,
 * hosts by membership number, places and quorum, the meeting it
 * follows; and the button that cancels it.  A refused form comes back
 * with what was typed and the reason next to the field; the rules are
 * the API's own, through the same JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

static const char *const repeat_values[] = { "", "weekly", "fortnightly",
	"monthly_day", "monthly_date", "custom", NULL };
static const char *const repeat_labels[] = { "Does not repeat",
	"Every week", "Every two weeks",
	"Every month, on the same weekday (say, the first Tuesday)",
	"Every month, on the same date", "Another rule (RRULE)", NULL };
static const char *const status_values[] = { "confirmed", "tentative",
	"cancelled", NULL };
static const char *const status_labels[] = { "Confirmed",
	"To be confirmed", "Cancelled", NULL };

static const char *
text_of(const json_t *f, const char *name)
{
	const char	*v = json_string_value(json_object_get(f, name));

	while (v != NULL && (*v == ' ' || *v == '\t'))
		v++;
	return v ? v : "";
}

/* Where the API's refusal of a field is shown in the form. */
static const char *
form_field(const char *api, const json_t *f)
{
	int	all_day = json_object_get(f, "all_day") != NULL;
	int	custom = strcmp(text_of(f, "repeat"), "custom") == 0;

	static const struct { const char *api, *form; } map[] = {
		{ "start", "start_time" }, { "end", "end_time" },
		{ "rrule", "repeat" }, { "exdates", "exdates" },
		{ "audiences", "audiences" }, { "all_day", "all_day" },
		{ "tz", "tz" }, { "title", "title" }, { "kind", "kind" },
		{ "location", "location" }, { "url", "url" },
		{ "description", "description" }, { "capacity", "capacity" },
		{ "quorum", "quorum" }, { "organizer", "organizer" },
		{ "hosts", "hosts" }, { "after", "after" },
		{ "status", "status" }, { "room", "room" }
	};
	size_t	i;

	if (api == NULL)
		return "title";
	if (strcmp(api, "rrule") == 0)
		return custom ? "rrule" : "repeat";
	if (all_day && (strcmp(api, "start") == 0 || strcmp(api, "end") == 0))
		return strcmp(api, "start") == 0 ? "date" : "end_date";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].api, api) == 0)
			return map[i].form;
	return api[0] ? api : "title";
}

/* The form's one-line text, or null when it was left empty. */
static json_t *
text_or_null(const json_t *f, const char *name)
{
	const char	*v = text_of(f, name);

	return *v ? json_string(v) : json_null();
}

/* A textarea's text with the browser's CRLF as LF. */
static json_t *
lines_or_null(const json_t *f, const char *name)
{
	const char	*v = text_of(f, name);
	struct buf	 b = { 0 };
	json_t		*o;

	if (*v == '\0')
		return json_null();
	for (; *v != '\0'; v++)
		if (*v != '\r')
			buf_append(&b, v, 1);
	o = json_stringn(b.p ? b.p : "", b.len);
	buf_free(&b);
	return o;
}

static int
whole_number(const json_t *f, const char *name, json_t **out,
    struct qrm_error *err)
{
	const char	*v = text_of(f, name);
	int64_t		 n;

	if (*v == '\0') {
		*out = json_null();
		return QRM_OK;
	}
	if (parse_int64(v, &n) == -1 || n < 0)
		return qrm_seterr(err, QRM_EINVAL, name, "type a whole number, "
		    "or leave it empty");
	*out = json_integer(n);
	return QRM_OK;
}

/* The repeat rule the form's choice stands for, or NULL for none. */
static int
form_rrule(struct request *r, const json_t *f, const char *date,
    const char *start_time, int all_day, const char *tz, char *out,
    size_t sz, struct qrm_error *err)
{
	static const char *const wd[] = { "SU", "MO", "TU", "WE", "TH", "FR",
	    "SA" };
	const char	*repeat = text_of(f, "repeat");
	const char	*until = text_of(f, "repeat_until");
	const char	*count = text_of(f, "repeat_count");
	char		 local[LOCAL_TIME_LEN + 8], utc[32];
	int64_t		 n, t;
	int		 y, m, d, len;

	(void)r;
	out[0] = '\0';
	if (*repeat == '\0')
		return QRM_OK;
	if (strcmp(repeat, "custom") == 0) {
		len = snprintf(out, sz, "%s", text_of(f, "rrule"));
		if (out[0] == '\0')
			return qrm_seterr(err, QRM_EINVAL, "rrule", "type the "
			    "rule, or choose one of the others");
		return len < (int)sz ? QRM_OK : qrm_seterr(err, QRM_EINVAL,
		    "rrule", "the rule is too long");
	}
	if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return qrm_seterr(err, QRM_EINVAL, "date", "type the date of "
		    "the first meeting");
	if (strcmp(repeat, "weekly") == 0)
		snprintf(out, sz, "FREQ=WEEKLY");
	else if (strcmp(repeat, "fortnightly") == 0)
		snprintf(out, sz, "FREQ=WEEKLY;INTERVAL=2");
	else if (strcmp(repeat, "monthly_day") == 0)
		snprintf(out, sz, "FREQ=MONTHLY;BYDAY=%d%s", d > 28 ? -1 :
		    (d + 6) / 7, wd[html_weekday(y, m, d)]);
	else if (strcmp(repeat, "monthly_date") == 0)
		snprintf(out, sz, "FREQ=MONTHLY");
	else
		return qrm_seterr(err, QRM_EINVAL, "repeat", "choose how it "
		    "repeats");
	if (*until != '\0' && *count != '\0')
		return qrm_seterr(err, QRM_EINVAL, "repeat_count", "give the "
		    "last date or the number of meetings, not both");
	if (*count != '\0') {
		if (parse_int64(count, &n) == -1 || n < 1 || n > 1000)
			return qrm_seterr(err, QRM_EINVAL, "repeat_count",
			    "type a number of meetings from 1 to 1000");
		len = (int)strlen(out);
		snprintf(out + len, sz - (size_t)len, ";COUNT=%lld",
		    (long long)n);
	} else if (*until != '\0') {
		if (!all_day && *start_time == '\0')
			return qrm_seterr(err, QRM_EINVAL, "start_time", "type "
			    "the time the meeting starts");
		snprintf(local, sizeof(local), "%.10s%s%.5s%s", until,
		    all_day ? "" : "T", all_day ? "" : start_time,
		    all_day ? "" : ":00");
		if (strlen(until) != 10 || sscanf(until, "%4d-%2d-%2d", &y,
		    &m, &d) != 3)
			return qrm_seterr(err, QRM_EINVAL, "repeat_until",
			    "type the last date as YYYY-MM-DD (or pick it)");
		if (core_time_bound(local, all_day ? "UTC" : tz, 0, &t,
		    NULL, "repeat_until") != QRM_OK)
			return qrm_seterr(err, QRM_EINVAL, "tz", "unknown time "
			    "zone '%s' (use a name such as Europe/London)", tz);
		len = (int)strlen(out);
		if (all_day)
			snprintf(out + len, sz - (size_t)len, ";UNTIL=%.4s%.2s%.2s",
			    until, until + 5, until + 8);
		else {
			utc_format(t, utc, sizeof(utc));
			snprintf(out + len, sz - (size_t)len, ";UNTIL=%.4s%.2s"
			    "%.2sT%.2s%.2s%.2sZ", utc, utc + 5, utc + 8,
			    utc + 11, utc + 14, utc + 17);
		}
	}
	return QRM_OK;
}

/* The dates a series skips, one a line, as the API's exdates. */
static int
form_exdates(const json_t *f, const char *start_time, int all_day,
    json_t *out, struct qrm_error *err)
{
	const char	*p = text_of(f, "exdates"), *e;
	char		 local[LOCAL_TIME_LEN + 8];
	size_t		 len;
	int		 y, m, d;

	for (; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\r\n,");
		len = (size_t)(e - p);
		while (len > 0 && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			continue;
		if (len != 10 || sscanf(p, "%4d-%2d-%2d", &y, &m, &d) != 3)
			return qrm_seterr(err, QRM_EINVAL, "exdates", "write "
			    "each date to skip as YYYY-MM-DD, one a line (not "
			    "'%.*s')", (int)(len > 40 ? 40 : len), p);
		if (all_day)
			snprintf(local, sizeof(local), "%.10s", p);
		else
			snprintf(local, sizeof(local), "%.10sT%.5s:00", p,
			    start_time);
		json_array_append_new(out, json_string(local));
	}
	return QRM_OK;
}

/* Hosts typed as membership numbers or e-mail addresses, as ids. */
static int
form_hosts(struct request *r, const struct actor *a, const json_t *f,
    json_t *out, struct qrm_error *err)
{
	struct strv	ids = { 0 };
	size_t		i;
	int		rc;

	rc = page_people(r, a, text_of(f, "hosts"), "hosts", &ids, NULL, err);
	for (i = 0; rc == QRM_OK && i < ids.n; i++)
		json_array_append_new(out, json_integer(strtoll(ids.v[i], NULL,
		    10)));
	strv_free(&ids);
	return rc;
}

/*
 * The form f as the API's JSON for an event.  What only the form can
 * get wrong (a date typed badly, an unknown host) is refused here with
 * the form's own field; the rest is the API's to judge.
 */
static int
form_to_event(struct request *r, const struct actor *a, const json_t *f,
    const struct audience_list *al, json_t **out, struct qrm_error *err)
{
	const char	*date = text_of(f, "date"), *st = text_of(f,
			    "start_time"), *et = text_of(f, "end_time");
	const char	*ed = text_of(f, "end_date"), *tz = text_of(f, "tz");
	char		 start[LOCAL_TIME_LEN + 16], end[LOCAL_TIME_LEN + 16];
	char		 rrule[600], key[96];
	json_t		*o, *aud, *ex, *hosts, *n;
	int		 all_day = json_object_get(f, "all_day") != NULL, rc;
	size_t		 i;

	*out = NULL;
	if (*tz == '\0')
		tz = QRM_DEFAULT_TZ;
	if (strlen(date) != 10)
		return qrm_seterr(err, QRM_EINVAL, "date", "type the date as "
		    "YYYY-MM-DD (or pick it)");
	if (*ed != '\0' && strlen(ed) != 10)
		return qrm_seterr(err, QRM_EINVAL, "end_date", "type the date "
		    "as YYYY-MM-DD, or leave it empty");
	if (all_day) {
		snprintf(start, sizeof(start), "%s", date);
		snprintf(end, sizeof(end), "%s", *ed ? ed : date);
	} else {
		if (strlen(st) < 5)
			return qrm_seterr(err, QRM_EINVAL, "start_time", "type "
			    "the time it starts, as HH:MM (or tick All day)");
		if (strlen(et) < 5)
			return qrm_seterr(err, QRM_EINVAL, "end_time", "type "
			    "the time it ends, as HH:MM");
		snprintf(start, sizeof(start), "%sT%.5s:00", date, st);
		snprintf(end, sizeof(end), "%sT%.5s:00", *ed ? ed : date, et);
	}
	if ((rc = form_rrule(r, f, date, st, all_day, tz, rrule,
	    sizeof(rrule), err)) != QRM_OK)
		return rc;
	aud = json_array();
	for (i = 0; i < al->n; i++) {
		snprintf(key, sizeof(key), "aud.%s", al->v[i].slug);
		if (json_object_get(f, key) != NULL)
			json_array_append_new(aud, json_string(al->v[i].slug));
	}
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s, "
	    "s:b, s:o, s:o, s:b}", "title", text_of(f, "title"),
	    "kind", text_of(f, "kind"), "status", text_of(f, "status"),
	    "location", text_or_null(f, "location"),
	    "url", text_or_null(f, "url"),
	    "description", lines_or_null(f, "description"),
	    "organizer", text_or_null(f, "organizer"),
	    "start", start, "end", end, "tz", tz, "all_day", all_day,
	    "rrule", rrule[0] ? json_string(rrule) : json_null(),
	    "audiences", aud, "force", json_object_get(f, "force") != NULL);
	json_object_set_new(o, "room", text_or_null(f, "room"));
	ex = json_array();
	hosts = json_array();
	if ((rc = form_exdates(f, st, all_day, ex, err)) == QRM_OK &&
	    (rc = form_hosts(r, a, f, hosts, err)) == QRM_OK) {
		json_object_set(o, "exdates", json_array_size(ex) ? ex :
		    json_null());
		json_object_set(o, "hosts", hosts);
		if ((rc = whole_number(f, "capacity", &n, err)) == QRM_OK) {
			json_object_set_new(o, "capacity", n);
			if ((rc = whole_number(f, "quorum", &n, err)) == QRM_OK)
				json_object_set_new(o, "quorum", n);
		}
		if (rc == QRM_OK) {
			if ((rc = whole_number(f, "after", &n, err)) == QRM_OK)
				json_object_set_new(o, "after", n);
		}
	}
	json_decref(ex);
	json_decref(hosts);
	if (rc != QRM_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return QRM_OK;
}

/* An event's fields as the form shows them. */
static json_t *
event_to_form(struct request *r, const struct event *ev)
{
	struct actor	 admin = { 0, ROLE_ADMIN, "web" };
	struct member	 m;
	struct buf	 b = { 0 };
	json_t		*f;
	char		*rule, *part, *save = NULL, key[96], *until = NULL;
	const char	*repeat = "custom";
	int		 freq = 0, interval = 1, byday = 0, other = 0;
	int64_t		 id;
	size_t		 i;

	f = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?}",
	    "title", ev->title, "kind", event_kind_names[ev->kind],
	    "status", event_status_names[ev->status], "tz", ev->tzid,
	    "location", ev->location, "url", ev->url,
	    "description", ev->description, "organizer", ev->organizer);
	if (ev->room != NULL)
		json_object_set_new(f, "room", json_string(ev->room));
	json_object_set_new(f, "date", json_stringn(ev->start, 10));
	if (strncmp(ev->start, ev->end, 10) != 0)
		json_object_set_new(f, "end_date", json_stringn(ev->end, 10));
	if (ev->all_day)
		json_object_set_new(f, "all_day", json_string("on"));
	else {
		json_object_set_new(f, "start_time",
		    json_stringn(ev->start + 11, 5));
		json_object_set_new(f, "end_time",
		    json_stringn(ev->end + 11, 5));
	}
	for (i = 0; i < ev->audiences.n; i++) {
		snprintf(key, sizeof(key), "aud.%s", ev->audiences.v[i]);
		json_object_set_new(f, key, json_string("on"));
	}
	if (ev->capacity > 0)
		json_object_set_new(f, "capacity", json_sprintf("%d",
		    ev->capacity));
	if (ev->quorum > 0)
		json_object_set_new(f, "quorum", json_sprintf("%d",
		    ev->quorum));
	if (ev->after > 0)
		json_object_set_new(f, "after", json_sprintf("%lld",
		    (long long)ev->after));
	for (i = 0; i < ev->hosts.n; i++) {
		if (parse_int64(ev->hosts.v[i], &id) == -1 ||
		    core_member_get(r->q, &admin, id, &m, NULL) != QRM_OK)
			continue;
		buf_printf(&b, "%s%s", b.len ? ", " : "", m.number ? m.number :
		    m.email);
		member_clear(&m);
	}
	if (b.len)
		json_object_set_new(f, "hosts", json_stringn(b.p, b.len));
	buf_free(&b);
	for (i = 0; i < ev->exdates.n; i++)
		buf_printf(&b, "%.10s\n", ev->exdates.v[i]);
	if (b.len)
		json_object_set_new(f, "exdates", json_stringn(b.p, b.len));
	buf_free(&b);
	if (ev->rrule == NULL || (rule = strdup(ev->rrule)) == NULL)
		return f;
	/* a rule the choices make is shown as that choice */
	for (part = strtok_r(rule, ";", &save); part != NULL;
	    part = strtok_r(NULL, ";", &save)) {
		if (strcmp(part, "FREQ=WEEKLY") == 0)
			freq = 1;
		else if (strcmp(part, "FREQ=MONTHLY") == 0)
			freq = 2;
		else if (strncmp(part, "INTERVAL=", 9) == 0)
			interval = atoi(part + 9);
		else if (strncmp(part, "BYDAY=", 6) == 0 && freq == 2)
			byday = 1;
		else if (strncmp(part, "COUNT=", 6) == 0)
			json_object_set_new(f, "repeat_count",
			    json_string(part + 6));
		else if (strncmp(part, "UNTIL=", 6) == 0)
			until = part + 6;
		else
			other = 1;
	}
	if (!other && freq == 1 && interval <= 2)
		repeat = interval == 2 ? "fortnightly" : "weekly";
	else if (!other && freq == 2 && interval == 1)
		repeat = byday ? "monthly_day" : "monthly_date";
	if (until != NULL && strlen(until) >= 8 && strcmp(repeat, "custom"))
		json_object_set_new(f, "repeat_until", json_sprintf(
		    "%.4s-%.2s-%.2s", until, until + 4, until + 6));
	if (strcmp(repeat, "custom") == 0) {
		json_object_del(f, "repeat_count");
		json_object_set_new(f, "rrule", json_string(ev->rrule));
	}
	json_object_set_new(f, "repeat", json_string(repeat));
	free(rule);
	return f;
}

/* The room: one of the catalogue, or none. */
static void
room_choice(struct request *r, struct html_form *f)
{
	struct room_list	 rl;
	const char		**values, **labels;
	char			**owned;
	size_t			 i;

	if (core_room_list(r->q, &rl, NULL) != QRM_OK || rl.n == 0) {
		room_list_free(&rl);
		return;
	}
	values = calloc(rl.n + 2, sizeof(*values));
	labels = calloc(rl.n + 2, sizeof(*labels));
	owned = calloc(rl.n + 1, sizeof(*owned));
	if (values != NULL && labels != NULL && owned != NULL) {
		values[0] = "";
		labels[0] = "No room";
		for (i = 0; i < rl.n; i++) {
			values[i + 1] = rl.v[i].slug;
			if (rl.v[i].capacity > 0 && asprintf(&owned[i],
			    "%s (%d people)", rl.v[i].name,
			    rl.v[i].capacity) != -1)
				labels[i + 1] = owned[i];
			else
				labels[i + 1] = rl.v[i].name;
		}
		html_select(f, "room", "Room", "A room is booked as a person "
		    "is: two meetings cannot have it at once.", values, labels);
		for (i = 0; i < rl.n; i++)
			free(owned[i]);
	}
	free(values);
	free(labels);
	free(owned);
	room_list_free(&rl);
}

/* The "follows" choice: meetings of the last and next six months. */
static void
after_choice(struct request *r, struct html_form *f, const struct actor *a,
    int64_t self)
{
	struct event_list	 l;
	struct buf		*b = f->b;
	const char		*now = html_value(f, "after");
	char			 from[16], to[16], id[24];
	time_t			 t = time(NULL);
	size_t			 i;

	strftime(from, sizeof(from), "%Y-%m-%d", gmtime(&(time_t){ t -
	    183 * 86400 }));
	strftime(to, sizeof(to), "%Y-%m-%d", gmtime(&(time_t){ t +
	    183 * 86400 }));
	memset(&l, 0, sizeof(l));
	core_event_list(r->q, a, from, to, NULL, NULL, NULL, &l, NULL);
	html_raw_trusted(b, "<div class=\"field");
	html_raw_trusted(b, f->bad && strcmp(f->bad, "after") == 0 ? " bad" :
	    "");
	html_raw_trusted(b, "\"><label for=\"f-after\">Follows on from"
	    "</label><p class=\"hint\" id=\"f-after-hint\">Its open actions "
	    "are carried over onto this meeting's agenda.</p>");
	if (f->bad && strcmp(f->bad, "after") == 0) {
		html_raw_trusted(b, "<p class=\"error\">");
		html_text(b, f->why);
		html_raw_trusted(b, "</p>");
	}
	html_raw_trusted(b, "<select id=\"f-after\" name=\"after\" "
	    "aria-describedby=\"f-after-hint\"><option value=\"\">No earlier "
	    "meeting</option>");
	for (i = 0; i < l.n && i < 300; i++) {
		if (l.v[i].id == self)
			continue;
		snprintf(id, sizeof(id), "%lld", (long long)l.v[i].id);
		html_raw_trusted(b, "<option value=\"");
		html_text(b, id);
		html_raw_trusted(b, strcmp(id, now) == 0 ? "\" selected>" :
		    "\">");
		html_when(b, l.v[i].start, 1);
		html_raw_trusted(b, ": ");
		html_text(b, l.v[i].title);
		html_raw_trusted(b, "</option>");
	}
	html_raw_trusted(b, "</select></div>\n");
	event_list_free(&l);
}

/*
 * The meetings a refused form would double-book (the API's "clashes",
 * in the error's extra JSON), each with who; and the tick that books it
 * anyway.
 */
static void
clash_list(struct buf *b, struct html_form *f, const char *extra)
{
	json_t	*x, *c, *who;
	size_t	 i, j;
	char	 link[48];

	if (extra == NULL || (x = json_loads(extra, 0, NULL)) == NULL)
		return;
	c = json_object_get(x, "clashes");
	if (json_array_size(c) > 0) {
		html_raw_trusted(b, "<div class=\"clashes\"><h2>Already booked"
		    "</h2><ul>");
		json_array_foreach(c, i, who) {
			snprintf(link, sizeof(link), "/events/%lld", (long long)
			    json_integer_value(json_object_get(who, "id")));
			html_raw_trusted(b, "<li><a href=\"");
			html_text(b, link);
			html_raw_trusted(b, "\">");
			html_text(b, json_string_value(json_object_get(who,
			    "title")));
			html_raw_trusted(b, "</a>, ");
			html_when(b, json_string_value(json_object_get(who,
			    "start")), 1);
			html_raw_trusted(b, ": ");
			for (j = 0; j < json_array_size(json_object_get(who,
			    "who")); j++) {
				html_raw_trusted(b, j ? ", " : "");
				html_text(b, json_string_value(json_array_get(
				    json_object_get(who, "who"), j)));
			}
			html_raw_trusted(b, "</li>");
		}
		html_raw_trusted(b, "</ul>");
		html_checkbox(f, "force", "Book it anyway: I know these are "
		    "double-booked");
		html_raw_trusted(b, "</div>");
	}
	json_decref(x);
}

/*
 * The form itself, for a new meeting (id 0) or meeting id, showing
 * values; bad is the field refused and why the reason (and extra, the
 * error's JSON: the clashes of a double-booking).
 */
static enum MHD_Result
form_page(struct request *r, unsigned int status, const struct page_user *u,
    int64_t id, const json_t *values, const char *bad, const char *why,
    const char *extra, const char *notice)
{
	struct audience_list	 al;
	struct html_form	 f;
	struct buf		 b = { 0 };
	const char		*kinds[KIND__MAX + 1], *klabels[KIND__MAX + 1];
	char			 action[64], key[96];
	size_t			 i;

	for (i = 0; i < KIND__MAX; i++) {
		kinds[i] = event_kind_names[i];
		klabels[i] = event_kind_labels[i];
	}
	kinds[i] = klabels[i] = NULL;
	memset(&al, 0, sizeof(al));
	core_audience_list(r->q, &al, NULL);
	memset(&f, 0, sizeof(f));
	f.b = &b;
	f.values = values;
	f.bad = bad;
	f.why = why;
	if (id > 0)
		snprintf(action, sizeof(action), "/events/%lld/edit",
		    (long long)id);
	else
		snprintf(action, sizeof(action), "/events/new");
	html_begin(&b, id ? "Change a meeting" : "New meeting", u->s.csrf);
	html_raw_trusted(&b, id ? "<h1>Change a meeting</h1>" :
	    "<h1>New meeting</h1>");
	html_notice(&b, 200, notice);
	if (id > 0)
		buf_printf(&b, "<p><a href=\"/events/%lld\">See the meeting's "
		    "page</a> · <a href=\"/events/%lld/notes\">Notes and "
		    "actions</a> · <a href=\"/events/%lld/door\">Attendance at "
		    "the door</a></p>", (long long)id, (long long)id,
		    (long long)id);
	html_form_problem(&f);
	html_form_begin(&f, action, u->s.csrf);
	html_input(&f, "title", "Title", "text", NULL);
	html_select(&f, "kind", "Kind of meeting", NULL, kinds, klabels);
	html_raw_trusted(&b, "<fieldset");
	html_raw_trusted(&b, bad && strcmp(bad, "audiences") == 0 ?
	    " class=\"bad\" aria-describedby=\"f-audiences-error\"" : "");
	html_raw_trusted(&b, " id=\"f-audiences\"><legend>Who it is for"
	    "</legend><p class=\"hint\">Everyone in a group below the one you "
	    "tick sees it too.</p>");
	if (bad && strcmp(bad, "audiences") == 0) {
		html_raw_trusted(&b, "<p class=\"error\" "
		    "id=\"f-audiences-error\">");
		html_text(&b, why);
		html_raw_trusted(&b, "</p>");
	}
	for (i = 0; i < al.n; i++) {
		snprintf(key, sizeof(key), "aud.%s", al.v[i].slug);
		html_checkbox(&f, key, al.v[i].name ? al.v[i].name :
		    al.v[i].slug);
	}
	html_raw_trusted(&b, "</fieldset><fieldset><legend>When</legend>");
	html_input(&f, "date", "Date", "date", "The first meeting, if it "
	    "repeats.");
	html_checkbox(&f, "all_day", "All day (no times)");
	html_input(&f, "start_time", "Starts at", "time", NULL);
	html_input(&f, "end_time", "Ends at", "time", NULL);
	html_input(&f, "end_date", "Ends on another day", "date", "Leave "
	    "empty when it ends on the same day.");
	html_input(&f, "tz", "Time zone", "text", "Times are in this zone, "
	    "such as Europe/London.");
	html_raw_trusted(&b, "</fieldset><fieldset><legend>Repeats"
	    "</legend>");
	html_select(&f, "repeat", "How often", NULL, repeat_values,
	    repeat_labels);
	html_input(&f, "repeat_until", "Last date", "date", "Leave empty to "
	    "go on, or give a number of meetings instead.");
	html_input(&f, "repeat_count", "Number of meetings", "number", NULL);
	html_input(&f, "rrule", "Another rule", "text", "Only for \"Another "
	    "rule\": an iCalendar RRULE such as FREQ=MONTHLY;BYDAY=-1FR.");
	html_textarea(&f, "exdates", "Dates it skips", "One date a line, "
	    "YYYY-MM-DD: a bank holiday, a strike day.", 3);
	html_raw_trusted(&b, "</fieldset><fieldset><legend>Where and what"
	    "</legend>");
	room_choice(r, &f);
	html_input(&f, "location", "Place", "text", "Leave empty with a room: "
	    "the room's name and address are used.");
	html_input(&f, "url", "Online link", "url", "For a video call: the "
	    "https:// link.");
	html_textarea(&f, "description", "About it", "The agenda, what to "
	    "bring, who to ask.", 6);
	html_raw_trusted(&b, "</fieldset><fieldset><legend>People</legend>");
	html_input(&f, "hosts", "Hosts", "text", "Membership numbers or "
	    "e-mail addresses, separated by commas.");
	html_input(&f, "organizer", "Organiser's e-mail", "email", NULL);
	html_input(&f, "capacity", "Places", "number", "Leave empty for no "
	    "limit. Further acceptances go on a waiting list.");
	html_input(&f, "quorum", "Quorum", "number", "How many must be "
	    "present for decisions. Leave empty for none.");
	after_choice(r, &f, &u->a, id);
	html_select(&f, "status", "Confirmed?", NULL, status_values,
	    status_labels);
	html_raw_trusted(&b, "</fieldset>");
	clash_list(&b, &f, extra);
	html_raw_trusted(&b, "<button type=\"submit\">");
	html_raw_trusted(&b, id ? "Save the changes" : "Add the meeting");
	html_raw_trusted(&b, "</button></form>\n");
	if (id > 0 && strcmp(html_value(&f, "status"), "cancelled") != 0) {
		html_raw_trusted(&b, "<details class=\"danger\"><summary>Cancel "
		    "this meeting</summary><p>Everyone's calendar shows it "
		    "struck through as cancelled. To cancel or move one "
		    "date of a series alone, use \"Change this date\" on the "
		    "meeting's page.</p>");
		snprintf(action, sizeof(action), "/events/%lld/cancel",
		    (long long)id);
		html_form_begin(&f, action, u->s.csrf);
		html_raw_trusted(&b, "<button type=\"submit\" class=\"warn\">"
		    "Cancel the meeting</button></form></details>\n");
	}
	html_end(&b);
	audience_list_free(&al);
	return html_send(r, status, &b, NULL, NULL, NULL);
}

/*
 * The official (or rep, as role says) behind r, or -1 and the answer
 * already sent: the sign-in page for a stranger, 404 for a member of a
 * lesser role (they are not told the page exists).
 */
int
page_staff(struct request *r, struct page_user *u, int role,
    enum MHD_Result *sent)
{
	if (page_user_get(r, u) != QRM_OK) {
		*sent = html_redirect(r, "/signin", "Please sign in");
		return -1;
	}
	if ((int)u->a.role < role) {
		*sent = page_fail(r, QRM_ENOTFOUND, "no such page");
		return -1;
	}
	return 0;
}

/*
 * A posted form for meeting id (0: a new one): saved, and on to its
 * form again with "Saved."; or refused, and the form with what was
 * typed and why.
 */
static enum MHD_Result
save_form(struct request *r, const struct call *c, const struct page_user *u,
    int64_t id)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 al;
	struct event		 ev;
	json_t			*body = NULL;
	char			 where[64];
	int			 rc;

	memset(&al, 0, sizeof(al));
	if (!page_csrf_ok(c, &u->s))
		rc = qrm_seterr(&err, QRM_EFORBIDDEN, "title", "the page had "
		    "expired: please send it again");
	else if ((rc = core_audience_list(r->q, &al, &err)) == QRM_OK &&
	    (rc = form_to_event(r, &u->a, c->json, &al, &body, &err)) ==
	    QRM_OK) {
		rc = id ? core_event_update(r->q, &u->a, id, body, &ev, &err) :
		    core_event_create(r->q, &u->a, body, &ev, &err);
		if (rc == QRM_OK) {
			id = ev.id;
			event_clear(&ev);
		}
	}
	audience_list_free(&al);
	json_decref(body);
	if (rc == QRM_ENOTFOUND && id > 0)
		return page_error(r, rc, &err);
	if (rc != QRM_OK)
		return form_page(r, (unsigned int)http_status_of(rc), u, id,
		    c->json, form_field(err.field, c->json), err.msg,
		    err.extra, NULL);
	snprintf(where, sizeof(where), "/events/%lld/edit?saved=1",
	    (long long)id);
	return html_redirect(r, where, "Saved");
}

/* What a link may fill in (the times "Find a time" found, say). */
static void
prefill(struct request *r, json_t *f)
{
	static const char *const keys[] = { "title", "date", "start_time",
	    "end_time", "end_date", "hosts", "room", "kind" };
	const char	*v;
	size_t		 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((v = http_arg(r, keys[i])) != NULL && strlen(v) < 300)
			json_object_set_new(f, keys[i], json_string(v));
}

/* GET and POST /events/new */
enum MHD_Result
page_event_new(struct request *r, const struct call *c)
{
	struct page_user	 u;
	enum MHD_Result		 ret;
	json_t			*f;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	if (c->json != NULL)
		ret = save_form(r, c, &u, 0);
	else {
		f = json_pack("{s:s, s:s, s:s, s:s, s:s}", "tz",
		    QRM_DEFAULT_TZ, "kind", "workshop", "status", "confirmed",
		    "start_time", "18:00", "end_time", "19:30");
		prefill(r, f);
		ret = form_page(r, 200, &u, 0, f, NULL, NULL, NULL, NULL);
		json_decref(f);
	}
	page_user_clear(&u);
	return ret;
}

/* GET and POST /events/{id}/edit */
enum MHD_Result
page_event_edit(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct event		 ev;
	enum MHD_Result		 ret;
	json_t			*f;
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	if (c->json != NULL)
		ret = save_form(r, c, &u, c->id[0]);
	else if ((rc = core_event_get(r->q, &u.a, c->id[0], &ev, &err)) !=
	    QRM_OK)
		ret = page_error(r, rc, &err);
	else {
		f = event_to_form(r, &ev);
		ret = form_page(r, 200, &u, ev.id, f, NULL, NULL, NULL,
		    http_arg(r, "saved") ? "Saved. Calendars that subscribe "
		    "show it at their next refresh." : NULL);
		json_decref(f);
		event_clear(&ev);
	}
	page_user_clear(&u);
	return ret;
}

/* POST /events/{id}/cancel */
enum MHD_Result
page_event_cancel(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct event		 ev;
	enum MHD_Result		 ret;
	char			 where[64];
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	if (!page_csrf_ok(c, &u.s))
		ret = page_fail(r, QRM_EFORBIDDEN, "the page had "
		    "expired: go back, reload it and try again");
	else if ((rc = core_event_cancel(r->q, &u.a, c->id[0], &ev, &err)) !=
	    QRM_OK)
		ret = page_error(r, rc, &err);
	else {
		event_clear(&ev);
		snprintf(where, sizeof(where), "/events/%lld",
		    (long long)c->id[0]);
		ret = html_redirect(r, where, "Cancelled");
	}
	page_user_clear(&u);
	return ret;
}
