/*
 * pages.c: the front page: sign-in for members, and the directory of
 * feeds, with a way to add each public one to a calendar.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

/* GET / : the directory of feeds. */
enum MHD_Result
pages_index(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	struct buf		 b = { 0 };
	char			 base[300];
	const char		*host;
	size_t			 i;
	int			 rc;

	(void)c;
	if ((rc = core_audience_list(r->q, &l, &err)) != QRM_OK)
		return http_error(r, rc, &err);
	page_base(r, base, sizeof(base));
	host = strstr(base, "://") ? strstr(base, "://") + 3 : base;
	html_begin(&b, "Union calendars", NULL);
	html_raw_trusted(&b, "<h1>Union calendars</h1><p>Members: <a "
	    "class=\"button\" href=\"/signin\">Sign in</a> to add your own "
	    "calendars to your phone and say whether you are coming.</p>"
	    "<p>Subscribe to a calendar in your calendar app; it updates by "
	    "itself. Calendars marked <em>members</em> are on members' own "
	    "pages.</p><ul>\n");
	for (i = 0; i < l.n; i++) {
		html_raw_trusted(&b, "<li><strong>");
		html_text(&b, l.v[i].name);
		html_raw_trusted(&b, "</strong> ");
		if (l.v[i].visibility == VIS_PUBLIC) {
			html_raw_trusted(&b, "<a href=\"webcal://");
			html_text(&b, host);
			html_raw_trusted(&b, "/feeds/");
			html_text(&b, l.v[i].slug);
			html_raw_trusted(&b, ".ics\">Subscribe</a> · <a href=\"");
			html_text(&b, base);
			html_raw_trusted(&b, "/feeds/");
			html_text(&b, l.v[i].slug);
			html_raw_trusted(&b, ".ics\">Download</a>");
		} else {
			html_raw_trusted(&b, "<em>");
			html_text(&b, visibility_names[l.v[i].visibility]);
			html_raw_trusted(&b, "</em>");
		}
		html_raw_trusted(&b, "<br><small>");
		html_text(&b, l.v[i].description);
		html_raw_trusted(&b, "</small></li>\n");
	}
	html_raw_trusted(&b, "</ul>");
	html_end(&b);
	audience_list_free(&l);
	return html_send(r, 200, &b, NULL, NULL, NULL);
}
