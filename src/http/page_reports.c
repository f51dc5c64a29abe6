/*
 * page_reports.c: facility time for the union office, as a page (a
 * chart of each official's hours by duty, the annual return's figures,
 * the same in a table), as CSV for a spreadsheet, and as JSON in the
 * API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

static const char *const colours[FACILITY_NDUTIES] = { "#1b5e20", "#0d47a1", "#b26a00",
    "#6a1b9a", "#555555" };

/* The return's year around today: 1 April to 31 March. */
static void
return_year(char *from, char *to, size_t sz)
{
	time_t		now = time(NULL);
	struct tm	tm;
	int		y;

	gmtime_r(&now, &tm);
	y = tm.tm_year + 1900 - (tm.tm_mon < 3 ? 1 : 0);
	snprintf(from, sz, "%04d-04-01", y);
	snprintf(to, sz, "%04d-03-31", y + 1);
}

/*
 * Each official's hours as horizontal bars, each duty a colour, drawn
 * narrow enough to read on a phone (names above their bars).
 */
static void
chart(struct buf *b, const json_t *rows)
{
	const json_t	*row;
	double		 most = 1, x, w, total;
	size_t		 i, k, n = json_array_size(rows);
	int		 legend = 22 * (int)((FACILITY_NDUTIES + 1) / 2) + 8, step = 46;
	int		 width = 300, left = 8;

	json_array_foreach(rows, i, row)
		if ((total = json_real_value(json_object_get(row, "total"))) >
		    most)
			most = total;
	buf_printf(b, "<figure class=\"chart\"><svg role=\"img\" "
	    "aria-labelledby=\"ft-title\" viewBox=\"0 0 400 %zu\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" "
	    "font-family=\"sans-serif\" font-size=\"14\">"
	    "<title id=\"ft-title\">Hours on union duties, by official and "
	    "duty (the table below has the figures)</title>",
	    (size_t)legend + n * (size_t)step + 4);
	for (k = 0; k < FACILITY_NDUTIES; k++)
		buf_printf(b, "<rect x=\"%zu\" y=\"%zu\" width=\"14\" "
		    "height=\"14\" fill=\"%s\"/><text x=\"%zu\" y=\"%zu\">%s"
		    "</text>", 8 + (k % 2) * 200, 4 + (k / 2) * 22, colours[k],
		    28 + (k % 2) * 200, 16 + (k / 2) * 22, facility_duties[k]);
	json_array_foreach(rows, i, row) {
		int	y = legend + (int)i * step;

		buf_printf(b, "<text x=\"%d\" y=\"%d\">", left, y + 14);
		html_text(b, json_string_value(json_object_get(row, "name")));
		html_raw_trusted(b, "</text>");
		x = left;
		for (k = 0; k < FACILITY_NDUTIES; k++) {
			w = json_real_value(json_object_get(json_object_get(row,
			    "duties"), facility_duties[k])) / most * width;
			if (w <= 0)
				continue;
			buf_printf(b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
			    "height=\"18\" fill=\"%s\"/>", x, y + 20, w,
			    colours[k]);
			x += w;
		}
		buf_printf(b, "<text x=\"%.1f\" y=\"%d\">%.1f h</text>",
		    x + 6, y + 34, json_real_value(json_object_get(row,
		    "total")));
	}
	html_raw_trusted(b, "</svg></figure>");
}

static void
report_body(struct buf *b, const json_t *rep, const char *from, const char *to)
{
	const json_t	*ret = json_object_get(rep, "return");
	const json_t	*bands = json_object_get(ret, "bands");
	const json_t	*rows = json_object_get(rep, "members"), *row;
	size_t		 i, k;

	html_raw_trusted(b, "<h2>The annual return</h2><p>From ");
	html_when(b, from, 1);
	html_raw_trusted(b, " to ");
	html_when(b, to, 1);
	buf_printf(b, ".</p><dl class=\"facts\"><dt>Union officials</dt>"
	    "<dd>%lld</dd><dt>Full-time equivalent</dt><dd>%.2f</dd></dl>"
	    "<table><caption>Officials by the share of their working hours "
	    "spent on union duties</caption><thead><tr><th scope=\"col\">"
	    "Share of hours</th><th scope=\"col\">Officials</th></tr></thead>"
	    "<tbody>", (long long)json_integer_value(json_object_get(ret,
	    "officials")), json_real_value(json_object_get(ret, "fte")));
	for (k = 0; k < 4; k++) {
		static const char *const names[] = { "0%", "1-50%", "51-99%",
		    "100%" };

		buf_printf(b, "<tr><td>%s</td><td>%lld</td></tr>", names[k],
		    (long long)json_integer_value(json_object_get(bands,
		    names[k])));
	}
	html_raw_trusted(b, "</tbody></table><h2>Hours by official</h2>");
	if (json_array_size(rows) == 0) {
		html_raw_trusted(b, "<p>No reps or officials yet.</p>");
		return;
	}
	chart(b, rows);
	html_raw_trusted(b, "<table class=\"figures\"><caption>Hours on union duties, "
	    "preparation and travel included</caption><thead><tr><th "
	    "scope=\"col\">Official</th><th scope=\"col\">Hours</th><th "
	    "scope=\"col\">Share of their hours</th></tr></thead><tbody>");
	json_array_foreach(rows, i, row) {
		int	any = 0;

		html_raw_trusted(b, "<tr><th scope=\"row\">");
		html_text(b, json_string_value(json_object_get(row, "name")));
		html_raw_trusted(b, "<br><span class=\"hint\">");
		for (k = 0; k < FACILITY_NDUTIES; k++) {
			double h = json_real_value(json_object_get(
			    json_object_get(row, "duties"), facility_duties[k]));

			if (h > 0)
				buf_printf(b, "%s%s %.2f", any++ ? " · " : "",
				    facility_duties[k], h);
		}
		html_raw_trusted(b, any ? "" : "none recorded");
		buf_printf(b, "</span></th><td>%.2f</td><td>%.2f %% (%s)</td>"
		    "</tr>", json_real_value(json_object_get(row, "total")),
		    json_real_value(json_object_get(row, "percent")),
		    json_string_value(json_object_get(row, "band")));
	}
	html_raw_trusted(b, "</tbody></table>");
}

/* GET /reports/facility-time[.csv]?from=&to= (officials) */
enum MHD_Result
page_facility(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct buf		 b = { 0 };
	enum MHD_Result		 ret;
	json_t			*rep = NULL, *form;
	struct html_form	 f;
	const char		*from = http_arg(r, "from"), *to = http_arg(r,
				    "to");
	char			 dfrom[32], dto[32], *csv;
	int			 rc, is_csv = strstr(r->url, ".csv") != NULL;

	(void)c;

	if (page_staff(r, &u, ROLE_OFFICIAL, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	return_year(dfrom, dto, sizeof(dfrom));
	if (from == NULL || *from == '\0')
		from = dfrom;
	if (to == NULL || *to == '\0')
		to = dto;
	rc = core_facility_time(r->q, &u.a, from, to, 0, &rep, &err);
	if (is_csv) {
		page_user_clear(&u);
		if (rc != QRM_OK)
			return page_error(r, rc, &err);
		csv = core_facility_csv(rep);
		json_decref(rep);
		ret = http_text(r, 200, "text/csv; charset=utf-8", csv ? csv :
		    "");
		free(csv);
		return ret;
	}
	html_begin(&b, "Facility time", u.s.csrf);
	html_raw_trusted(&b, "<h1>Facility time</h1><p>The hours reps and "
	    "officials spent on union duties: the meetings they hosted or "
	    "were recorded present at, with preparation and travel for each "
	    "kind. Employers in the public sector publish these figures each "
	    "year for 1 April to 31 March.</p>");
	form = json_pack("{s:s, s:s}", "from", from, "to", to);
	memset(&f, 0, sizeof(f));
	f.b = &b;
	f.values = form;
	if (rc != QRM_OK) {
		f.bad = err.field[0] ? err.field : "from";
		f.why = err.msg;
	}
	html_raw_trusted(&b, "<form method=\"get\" action=\"/reports/"
	    "facility-time\" novalidate>");
	html_form_problem(&f);
	html_input(&f, "from", "From", "date", NULL);
	html_input(&f, "to", "To (the last day)", "date", NULL);
	html_raw_trusted(&b, "<p><button type=\"submit\">Show</button></p>"
	    "</form>");
	json_decref(form);
	if (rc == QRM_OK) {
		report_body(&b, rep, from, to);
		html_raw_trusted(&b, "<p><a class=\"button plain\" href=\""
		    "/reports/facility-time.csv?from=");
		html_url_part(&b, from);
		html_raw_trusted(&b, "&amp;to=");
		html_url_part(&b, to);
		html_raw_trusted(&b, "\">Download for a spreadsheet (CSV)"
		    "</a></p>");
	}
	json_decref(rep);
	html_end(&b);
	ret = html_send(r, rc == QRM_OK ? 200 : (unsigned int)http_status_of(
	    rc), &b, NULL, NULL, NULL);
	page_user_clear(&u);
	return ret;
}

/* GET /api/v1/reports/facility-time?from=&to=&member=[&format=csv] */
enum MHD_Result
api_facility(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	const char		*m = http_arg(r, "member"), *fmt = http_arg(r,
				    "format");
	int64_t			 member = 0;
	enum MHD_Result		 ret;
	char			*csv;
	int			 rc;

	if (m != NULL && (parse_int64(m, &member) == -1 || member < 1))
		return http_fail(r, QRM_EINVAL, "member", "member must be a "
		    "member's id");
	if ((rc = core_facility_time(r->q, c->actor, http_arg(r, "from"),
	    http_arg(r, "to"), member, &out, &err)) != QRM_OK)
		return http_error(r, rc, &err);
	if (fmt == NULL || strcmp(fmt, "csv") != 0)
		return http_json(r, 200, out);
	csv = core_facility_csv(out);
	json_decref(out);
	ret = http_text(r, 200, "text/csv; charset=utf-8", csv ? csv : "");
	free(csv);
	return ret;
}

/*
 * GET and POST /events/{id}/time-off[?date=]: a rep's request to their
 * line manager for paid time off for the meeting: the letter to print,
 * and a form that e-mails it (with a copy to the rep).
 */
enum MHD_Result
page_time_off(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct html_form	 f;
	struct buf		 b = { 0 };
	enum MHD_Result		 ret;
	const char		*date = http_arg(r, "date"), *manager = NULL;
	char			*letter = NULL, action[160];
	json_t			*values;
	int			 rc, sent = 0;

	if (page_staff(r, &u, ROLE_REP, &ret) == -1) {
		page_user_clear(&u);
		return ret;
	}
	if (c->json != NULL) {
		manager = json_string_value(json_object_get(c->json,
		    "manager"));
		date = json_string_value(json_object_get(c->json, "date"));
		if (!page_csrf_ok(c, &u.s))
			rc = qrm_seterr(&err, QRM_EFORBIDDEN, "manager", "the "
			    "page had expired: please send it again");
		else
			rc = core_time_off(r->q, &u.a, c->id[0], date,
			    manager ? manager : "", &letter, &err);
		sent = rc == QRM_OK;
		if (rc != QRM_OK && rc != QRM_EFORBIDDEN && rc != QRM_EINVAL)
			goto fail;
		if (letter == NULL)
			core_time_off(r->q, &u.a, c->id[0], date, NULL, &letter,
			    NULL);
	} else if ((rc = core_time_off(r->q, &u.a, c->id[0], date, NULL,
	    &letter, &err)) != QRM_OK)
		goto fail;
	html_begin(&b, "Time off", u.s.csrf);
	html_raw_trusted(&b, "<h1>Ask your manager for time off</h1>");
	if (sent)
		html_notice(&b, 200, "Sent to your manager, with a copy to you.");
	html_raw_trusted(&b, "<p>Union reps have the right to paid time off "
	    "for their duties. Print this, or send it to your manager from "
	    "here.</p><pre class=\"letter\">");
	html_text(&b, letter ? letter : "");
	html_raw_trusted(&b, "</pre>");
	snprintf(action, sizeof(action), "/events/%lld/time-off",
	    (long long)c->id[0]);
	values = json_pack("{s:s}", "manager", manager ? manager : "");
	memset(&f, 0, sizeof(f));
	f.b = &b;
	f.values = values;
	if (!sent && c->json != NULL) {
		f.bad = "manager";
		f.why = err.msg;
	}
	html_form_begin(&f, action, u.s.csrf);
	html_form_problem(&f);
	if (date != NULL)
		html_hidden(&b, "date", date);
	html_input(&f, "manager", "Your manager's e-mail address", "email",
	    NULL);
	html_raw_trusted(&b, "<p><button type=\"submit\">Send it to my "
	    "manager</button></p></form>");
	json_decref(values);
	buf_printf(&b, "<p><a href=\"/events/%lld\">Back to the meeting</a>"
	    "</p>", (long long)c->id[0]);
	html_end(&b);
	free(letter);
	ret = html_send(r, sent || c->json == NULL ? 200 : (unsigned int)
	    http_status_of(rc), &b, NULL, NULL, NULL);
	page_user_clear(&u);
	return ret;
fail:
	free(letter);
	page_user_clear(&u);
	return page_error(r, rc, &err);
}
