/*
 * page_schedule.c: "find a time" for officials and reps: members by
 * membership number or e-mail address, how long, between which dates,
 * and a room if one is wanted; the earliest times when all are free
 * (each a link to a new meeting at that time, filled in), and when each
 * of them is busy.  The same as GET /api/v1/slots and /freebusy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

static const char *const durations[] = { "PT30M", "PT1H", "PT1H30M",
	"PT2H", "PT3H", "PT4H", "PT8H", NULL };
static const char *const duration_labels[] = { "30 minutes", "1 hour",
	"1 hour 30", "2 hours", "3 hours", "4 hours", "A whole day (8 hours)",
	NULL };

/*
 * People typed into a form ("N-1001, sam@napo.example"): each active
 * member's id into ids, and (when numbers is not NULL) their number, or
 * address when they have none.  A name not found is refused with field.
 */
int
page_people(struct request *r, const struct actor *a, const char *text,
    const char *field, struct strv *ids, struct strv *numbers,
    struct qrm_error *err)
{
	struct member	 m;
	const char	*p = text ? text : "", *e;
	char		 one[256], n[24];
	size_t		 len;

	for (; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",;\n");
		len = (size_t)(e - p);
		if (len >= sizeof(one))
			return qrm_seterr(err, QRM_EINVAL, field, "separate "
			    "them with commas");
		snprintf(one, sizeof(one), "%.*s", (int)len, p);
		if (strspn(one, " \t\r") == len)
			continue;
		if (core_member_find(r->q, a, one, &m, err) != QRM_OK) {
			snprintf(err->field, sizeof(err->field), "%s", field);
			return QRM_EINVAL;
		}
		snprintf(n, sizeof(n), "%lld", (long long)m.id);
		strv_push(ids, n);
		if (numbers != NULL)
			strv_push(numbers, m.number ? m.number : m.email);
		member_clear(&m);
	}
	return QRM_OK;
}

/* A link to a new meeting at slot x, with the people as its hosts. */
static void
new_meeting_link(struct buf *b, const json_t *x, const struct strv *numbers,
    const char *room)
{
	const char	*s = json_string_value(json_object_get(x, "start"));
	const char	*e = json_string_value(json_object_get(x, "end"));
	char		*hosts = strv_join(numbers, ',');
	char		 part[16];

	html_raw_trusted(b, "<a href=\"/events/new?date=");
	snprintf(part, sizeof(part), "%.10s", s);
	html_url_part(b, part);
	html_raw_trusted(b, "&amp;start_time=");
	snprintf(part, sizeof(part), "%.5s", s + 11);
	html_url_part(b, part);
	html_raw_trusted(b, "&amp;end_time=");
	snprintf(part, sizeof(part), "%.5s", e + 11);
	html_url_part(b, part);
	if (strncmp(s, e, 10) != 0) {
		html_raw_trusted(b, "&amp;end_date=");
		snprintf(part, sizeof(part), "%.10s", e);
		html_url_part(b, part);
	}
	html_raw_trusted(b, "&amp;hosts=");
	html_url_part(b, hosts ? hosts : "");
	if (room != NULL && *room != '\0') {
		html_raw_trusted(b, "&amp;room=");
		html_url_part(b, room);
	}
	html_raw_trusted(b, "\">");
	html_when(b, s, 1);
	html_raw_trusted(b, " to ");
	html_text(b, part);
	html_raw_trusted(b, "</a>");
	free(hosts);
}

/* Ask them: a poll of the first five times found. */
static void
poll_form(struct buf *b, const struct page_user *u, const json_t *slots,
    const char *people)
{
	html_raw_trusted(b, "<h3>Or ask them</h3><p>Each gets a link by "
	    "e-mail to say yes, if need be or no to the first five times; "
	    "you then choose one.</p><form method=\"post\" "
	    "action=\"/polls\">");
	html_hidden(b, "csrf", u->s.csrf);
	html_hidden(b, "people", people);
	html_hidden(b, "duration", json_string_value(json_object_get(slots,
	    "duration")));
	html_hidden(b, "from", json_string_value(json_object_get(slots,
	    "from")));
	html_hidden(b, "to", json_string_value(json_object_get(slots, "to")));
	html_raw_trusted(b, "<label for=\"poll-title\">What is the meeting?"
	    "</label><input type=\"text\" id=\"poll-title\" name=\"title\" "
	    "required maxlength=\"300\"><button type=\"submit\">Send the poll"
	    "</button></form>");
}

/* GET /schedule */
enum MHD_Result
page_schedule(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct html_form	 f;
	struct strv		 ids = { 0 }, numbers = { 0 };
	struct room_list	 rl;
	struct buf		 b = { 0 };
	enum MHD_Result		 ret;
	const char		*people = http_arg(r, "people");
	const char		*rooms[64], *room_labels[64];
	json_t			*values, *slots = NULL, *fb = NULL, *x, *it;
	char			 hhmm[8];
	size_t			 i, j, nr;
	int			 rc = QRM_OK, asked = people != NULL;

	(void)c;
	if (page_staff(r, &u, ROLE_REP, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	values = json_object();
	for (i = 0; i < 5; i++) {
		static const char *const k[] = { "people", "duration", "from",
		    "to", "room" };
		const char *v = http_arg(r, k[i]);

		if (v != NULL)
			json_object_set_new(values, k[i], json_string(v));
	}
	if (json_object_get(values, "duration") == NULL)
		json_object_set_new(values, "duration", json_string("PT1H"));
	if (asked && (rc = page_people(r, &u.a, people, "people", &ids,
	    &numbers, &err)) == QRM_OK && ids.n == 0)
		rc = qrm_seterr(&err, QRM_EINVAL, "people", "type the "
		    "membership numbers or e-mail addresses of who must come");
	if (asked && rc == QRM_OK &&
	    (rc = core_slots(r->q, &u.a, &ids, http_arg(r, "duration"),
	    http_arg(r, "from"), http_arg(r, "to"), http_arg(r, "room"),
	    &slots, &err)) == QRM_OK)
		rc = core_freebusy(r->q, &u.a, &ids, json_string_value(
		    json_object_get(slots, "from")), json_string_value(
		    json_object_get(slots, "to")), NULL, &fb, &err);
	memset(&f, 0, sizeof(f));
	f.b = &b;
	f.values = values;
	if (rc != QRM_OK) {
		f.bad = err.field[0] ? err.field : "people";
		if (strcmp(f.bad, "members") == 0)
			f.bad = "people";
		f.why = err.msg;
	}
	html_begin(&b, "Find a time", u.s.csrf);
	html_raw_trusted(&b, "<h1>Find a time</h1><p>When everyone who must "
	    "come is free: in their working hours, never on a bank holiday, "
	    "and not while they host, organise or have a place at another "
	    "meeting.</p>");
	html_form_problem(&f);
	html_raw_trusted(&b, "<form method=\"get\" action=\"/schedule\">");
	html_input(&f, "people", "Who must come", "text", "Membership numbers "
	    "or e-mail addresses, separated by commas.");
	html_select(&f, "duration", "How long", NULL, durations,
	    duration_labels);
	html_input(&f, "from", "From", "date", "Leave empty for today.");
	html_input(&f, "to", "To", "date", "Leave empty for four weeks on.");
	memset(&rl, 0, sizeof(rl));
	if (core_room_list(r->q, &rl, NULL) == QRM_OK && rl.n > 0) {
		rooms[0] = "";
		room_labels[0] = "Any room, or none";
		for (i = 0, nr = 1; i < rl.n && nr < 63; i++, nr++) {
			rooms[nr] = rl.v[i].slug;
			room_labels[nr] = rl.v[i].name;
		}
		rooms[nr] = room_labels[nr] = NULL;
		html_select(&f, "room", "And this room free", NULL, rooms,
		    room_labels);
	}
	html_raw_trusted(&b, "<button type=\"submit\">Find the times</button>"
	    "</form>\n");
	if (rc == QRM_OK && slots != NULL) {
		html_raw_trusted(&b, "<h2 id=\"times\">When all are free</h2>");
		if (json_array_size(json_object_get(slots, "items")) == 0)
			html_raw_trusted(&b, "<p>No time in these dates: try "
			    "later dates, or a shorter meeting.</p>");
		else
			html_raw_trusted(&b, "<p class=\"hint\">Times in "
			    "Europe/London. Pick one to make the meeting, "
			    "with them as its hosts.</p><ul class=\"slots\">");
		json_array_foreach(json_object_get(slots, "items"), i, x) {
			html_raw_trusted(&b, "<li>");
			new_meeting_link(&b, x, &numbers, http_arg(r, "room"));
			html_raw_trusted(&b, "</li>");
		}
		if (json_array_size(json_object_get(slots, "items")) > 0)
			html_raw_trusted(&b, "</ul>");
		if (json_array_size(json_object_get(slots, "items")) >= 3 &&
		    u.a.role >= ROLE_OFFICIAL)
			poll_form(&b, &u, slots, people);
		html_raw_trusted(&b, "<h2>When each is busy</h2>");
		json_array_foreach(json_object_get(fb, "items"), i, it) {
			html_raw_trusted(&b, "<h3>");
			html_text(&b, json_string_value(json_object_get(it,
			    "name")));
			html_raw_trusted(&b, "</h3><ul class=\"busy\">");
			if (json_array_size(json_object_get(it, "busy")) == 0)
				html_raw_trusted(&b, "<li>Free throughout</li>");
			json_array_foreach(json_object_get(it, "busy"), j, x) {
				html_raw_trusted(&b, "<li>");
				html_when(&b, json_string_value(json_object_get(
				    x, "start")), 1);
				snprintf(hhmm, sizeof(hhmm), "%.5s",
				    json_string_value(json_object_get(x,
				    "end")) + 11);
				html_raw_trusted(&b, " to ");
				html_text(&b, hhmm);
				html_raw_trusted(&b, ": ");
				html_text(&b, json_object_get(x, "title") ?
				    json_string_value(json_object_get(x,
				    "title")) : "busy");
				html_raw_trusted(&b, "</li>");
			}
			html_raw_trusted(&b, "</ul>");
		}
	}
	html_end(&b);
	room_list_free(&rl);
	json_decref(values);
	json_decref(slots);
	json_decref(fb);
	strv_free(&ids);
	strv_free(&numbers);
	page_user_clear(&u);
	return html_send(r, rc == QRM_OK ? 200 : (unsigned int)
	    http_status_of(rc), &b, NULL, NULL, NULL);
}
