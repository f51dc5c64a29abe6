/*
 * page_poll.c: polls in pages.  A member opens the link from their
 * e-mail (no sign-in: the link is theirs) and answers yes, if need be or
 * no for each time; the official sees the table with the counts and
 * confirms one time, which makes the meeting and invites everyone; and
 * "Find a time" can send its first five times as a poll.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

static const char *const answer_values[] = { "yes", "if_need_be", "no" };
static const char *const answer_words[] = { "Yes", "If need be", "No" };

static const char *
words_of(const char *answer)
{
	size_t	i;

	for (i = 0; answer != NULL && i < 3; i++)
		if (strcmp(answer, answer_values[i]) == 0)
			return answer_words[i];
	return "not yet";
}

static void
option_when(struct buf *b, const json_t *o)
{
	char	end[8];

	html_when(b, json_string_value(json_object_get(o, "start")), 1);
	snprintf(end, sizeof(end), "%.5s", json_string_value(
	    json_object_get(o, "end")) + 11);
	html_raw_trusted(b, " to ");
	html_text(b, end);
}

/* GET and POST /polls/{secret}: a member's answers. */
enum MHD_Result
page_poll_answer(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct buf		 b = { 0 };
	json_t			*poll = NULL, *given = NULL, *o;
	const char		*mine, *v;
	char			 key[16], id[48], action[128];
	size_t			 i, k;
	int			 rc;

	if (c->json != NULL) {
		given = json_object();
		for (i = 1; i <= 5; i++) {
			snprintf(key, sizeof(key), "o%zu", i);
			if ((v = json_string_value(json_object_get(c->json,
			    key))) != NULL) {
				snprintf(key, sizeof(key), "%zu", i);
				json_object_set_new(given, key, json_string(v));
			}
		}
	}
	rc = core_poll_answer(r->q, c->word, given, &poll, &err);
	json_decref(given);
	if (rc == QRM_ENOTFOUND)
		return page_fail(r, rc, "this poll link is not known");
	if (rc != QRM_OK && poll == NULL)	/* refused: show it as it is */
		core_poll_answer(r->q, c->word, NULL, &poll, NULL);
	if (poll == NULL)
		return page_error(r, rc, &err);
	html_begin(&b, "When can you come?", NULL);
	html_raw_trusted(&b, "<h1>When can you come?</h1><p><strong>");
	html_text(&b, json_string_value(json_object_get(poll, "title")));
	html_raw_trusted(&b, "</strong>");
	if ((v = json_string_value(json_object_get(poll, "location")))) {
		html_raw_trusted(&b, ", ");
		html_text(&b, v);
	}
	html_raw_trusted(&b, "</p>");
	if (rc != QRM_OK)
		html_notice(&b, (unsigned int)http_status_of(rc), err.msg);
	else if (c->json != NULL)
		html_notice(&b, 200, "Thank you: your answers are saved. You "
		    "can change them here until the time is chosen.");
	if (!json_is_true(json_object_get(poll, "open")))
		html_raw_trusted(&b, "<p>The time has been chosen: the "
		    "invitation is on its way to you.</p>");
	snprintf(action, sizeof(action), "/polls/%s", c->word);
	html_raw_trusted(&b, "<form method=\"post\" action=\"");
	html_text(&b, action);
	html_raw_trusted(&b, "\">");
	json_array_foreach(json_object_get(poll, "options"), i, o) {
		snprintf(key, sizeof(key), "%lld", (long long)
		    json_integer_value(json_object_get(o, "n")));
		mine = json_string_value(json_object_get(json_object_get(poll,
		    "answers"), key));
		html_raw_trusted(&b, "<fieldset class=\"poll\"><legend>");
		option_when(&b, o);
		html_raw_trusted(&b, "</legend>");
		for (k = 0; k < 3; k++) {
			snprintf(id, sizeof(id), "o%s-%s", key,
			    answer_values[k]);
			buf_printf(&b, "<div class=\"check\"><input "
			    "type=\"radio\" id=\"%s\" name=\"o%s\" value=\"%s\""
			    "%s><label for=\"%s\">%s</label></div>", id, key,
			    answer_values[k], mine && strcmp(mine,
			    answer_values[k]) == 0 ? " checked" : "", id,
			    answer_words[k]);
		}
		html_raw_trusted(&b, "</fieldset>");
	}
	if (json_is_true(json_object_get(poll, "open")))
		html_raw_trusted(&b, "<button type=\"submit\">Save my answers"
		    "</button>");
	html_raw_trusted(&b, "</form>");
	html_end(&b);
	json_decref(poll);
	return html_send(r, rc == QRM_OK ? 200 : (unsigned int)
	    http_status_of(rc), &b, NULL, NULL, NULL);
}

/* GET /polls/{id}: the official's table, with "Choose this time". */
enum MHD_Result
page_poll(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct buf		 b = { 0 };
	enum MHD_Result		 ret;
	json_t			*poll, *o, *m;
	char			 key[16], action[64];
	size_t			 i, j;
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	if ((rc = core_poll_get(r->q, &u.a, c->id[0], &poll, &err)) !=
	    QRM_OK) {
		page_user_clear(&u);
		return page_error(r, rc, &err);
	}
	html_begin(&b, "Poll", u.s.csrf);
	html_raw_trusted(&b, "<h1>Poll: ");
	html_text(&b, json_string_value(json_object_get(poll, "title")));
	html_raw_trusted(&b, "</h1>");
	if (http_arg(r, "sent"))
		html_notice(&b, 200, "The poll is sent: each person has a link "
		    "of their own by e-mail.");
	if (!json_is_true(json_object_get(poll, "open")))
		buf_printf(&b, "<p class=\"notice\">The time is chosen: <a "
		    "href=\"/events/%lld\">the meeting</a>.</p>", (long long)
		    json_integer_value(json_object_get(poll, "event")));
	html_raw_trusted(&b, "<div class=\"table\" tabindex=\"0\" "
	    "role=\"region\" aria-label=\"Answers\"><table class=\"poll\">"
	    "<caption>Who can come when</caption><thead><tr><th "
	    "scope=\"col\">Who</th>");
	json_array_foreach(json_object_get(poll, "options"), i, o) {
		html_raw_trusted(&b, "<th scope=\"col\">");
		option_when(&b, o);
		html_raw_trusted(&b, "</th>");
	}
	html_raw_trusted(&b, "</tr></thead><tbody>");
	json_array_foreach(json_object_get(poll, "members"), j, m) {
		html_raw_trusted(&b, "<tr><th scope=\"row\">");
		html_text(&b, json_string_value(json_object_get(m, "name")));
		html_raw_trusted(&b, "</th>");
		json_array_foreach(json_object_get(poll, "options"), i, o) {
			snprintf(key, sizeof(key), "%lld", (long long)
			    json_integer_value(json_object_get(o, "n")));
			html_raw_trusted(&b, "<td>");
			html_text(&b, words_of(json_string_value(
			    json_object_get(json_object_get(m, "answers"),
			    key))));
			html_raw_trusted(&b, "</td>");
		}
		html_raw_trusted(&b, "</tr>");
	}
	html_raw_trusted(&b, "</tbody><tfoot><tr><th scope=\"row\">In all"
	    "</th>");
	json_array_foreach(json_object_get(poll, "options"), i, o)
		buf_printf(&b, "<td>%lld yes, %lld if need be, %lld no</td>",
		    (long long)json_integer_value(json_object_get(o, "yes")),
		    (long long)json_integer_value(json_object_get(o,
		    "if_need_be")), (long long)json_integer_value(
		    json_object_get(o, "no")));
	html_raw_trusted(&b, "</tr></tfoot></table></div>");
	if (json_is_true(json_object_get(poll, "open"))) {
		html_raw_trusted(&b, "<h2>Choose the time</h2><p>The meeting is "
		    "made and everyone above is invited by e-mail.</p>");
		snprintf(action, sizeof(action), "/polls/%lld/confirm",
		    (long long)c->id[0]);
		json_array_foreach(json_object_get(poll, "options"), i, o) {
			html_raw_trusted(&b, "<form method=\"post\" action=\"");
			html_text(&b, action);
			html_raw_trusted(&b, "\">");
			html_hidden(&b, "csrf", u.s.csrf);
			snprintf(key, sizeof(key), "%lld", (long long)
			    json_integer_value(json_object_get(o, "n")));
			html_hidden(&b, "option", key);
			html_raw_trusted(&b, "<button type=\"submit\">Choose ");
			option_when(&b, o);
			html_raw_trusted(&b, "</button></form>");
		}
	}
	html_end(&b);
	json_decref(poll);
	page_user_clear(&u);
	return html_send(r, 200, &b, NULL, NULL, NULL);
}

/* POST /polls/{id}/confirm: option=n */
enum MHD_Result
page_poll_confirm(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	enum MHD_Result		 ret;
	json_t			*out = NULL;
	const char		*v;
	char			 where[64];
	int64_t			 n = 0;
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	if ((v = json_string_value(json_object_get(c->json, "option"))))
		parse_int64(v, &n);
	if (!page_csrf_ok(c, &u.s))
		rc = qrm_seterr(&err, QRM_EFORBIDDEN, "csrf", "the page had "
		    "expired: go back, reload it and try again");
	else
		rc = core_poll_confirm(r->q, &u.a, c->id[0], (int)n,
		    json_object_get(c->json, "force") != NULL, &out, &err);
	if (rc == QRM_OK) {
		snprintf(where, sizeof(where), "/events/%lld/edit?saved=1",
		    (long long)json_integer_value(json_object_get(
		    json_object_get(out, "event"), "id")));
		ret = html_redirect(r, where, "The meeting is made");
	} else
		ret = page_error(r, rc, &err);
	json_decref(out);
	page_user_clear(&u);
	return ret;
}

/* POST /polls: a poll of "Find a time"'s first five times. */
enum MHD_Result
page_poll_new(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct strv		 people = { 0 };
	enum MHD_Result		 ret;
	json_t			*body, *ids, *out = NULL;
	char			 where[64];
	size_t			 i;
	int			 rc;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	ids = json_array();
	rc = page_people(r, &u.a, json_string_value(json_object_get(c->json,
	    "people")), "people", &people, NULL, &err);
	for (i = 0; rc == QRM_OK && i < people.n; i++)
		json_array_append_new(ids, json_integer(strtoll(people.v[i],
		    NULL, 10)));
	strv_free(&people);
	body = json_pack("{s:s?, s:s, s:[s], s:o, s:{s:s?, s:s?, s:s?}}",
	    "title", json_string_value(json_object_get(c->json, "title")),
	    "kind", "other", "audiences", json_string_value(json_object_get(
	    c->json, "audience")) ? json_string_value(json_object_get(c->json,
	    "audience")) : "all-members", "members", ids, "from_slots",
	    "duration", json_string_value(json_object_get(c->json,
	    "duration")), "from", json_string_value(json_object_get(c->json,
	    "from")), "to", json_string_value(json_object_get(c->json, "to")));
	if (!page_csrf_ok(c, &u.s))
		rc = qrm_seterr(&err, QRM_EFORBIDDEN, "csrf", "the page had "
		    "expired: go back, reload it and try again");
	else if (rc == QRM_OK)
		rc = core_poll_create(r->q, &u.a, body, &out, &err);
	json_decref(body);
	if (rc == QRM_OK) {
		snprintf(where, sizeof(where), "/polls/%lld?sent=1", (long long)
		    json_integer_value(json_object_get(out, "id")));
		ret = html_redirect(r, where, "The poll is sent");
	} else
		ret = page_error(r, rc, &err);
	json_decref(out);
	page_user_clear(&u);
	return ret;
}
