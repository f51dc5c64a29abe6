/*
 * pages.c: HTML pages for people.  The index is the feed directory with
 * a subscribe link for every public feed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

static void
html_escape(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '<':	buf_puts(b, "&lt;"); break;
		case '>':	buf_puts(b, "&gt;"); break;
		case '&':	buf_puts(b, "&amp;"); break;
		case '"':	buf_puts(b, "&quot;"); break;
		case '\'':	buf_puts(b, "&#39;"); break;
		default:	buf_append(b, s, 1); break;
		}
	}
}

/* GET / : the directory of feeds. */
enum MHD_Result
pages_index(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	struct MHD_Response	*resp;
	struct buf		 b = { 0 };
	const char		*host = http_header(r, MHD_HTTP_HEADER_HOST);
	const char		*base = http_base_url(), *scheme;
	size_t			 i;
	int			 rc;

	(void)c;
	if ((rc = core_audience_list(r->q, &l, &err)) != QRM_OK)
		return http_error(r, rc, &err);
	/* links on the public address when one is set, else the Host's */
	if (base != NULL && (scheme = strstr(base, "://")) != NULL)
		host = scheme + 3;
	else
		base = "";
	if (host == NULL || strpbrk(host, "<>\"' ") != NULL)
		host = "localhost";
	buf_puts(&b, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width\"><title>quorum: union calendars"
	    "</title><style>body{font:16px/1.5 system-ui,sans-serif;"
	    "max-width:46em;margin:2em auto;padding:0 1em}li{margin:.6em 0}"
	    ".dot{display:inline-block;width:.8em;height:.8em;"
	    "border-radius:50%;margin-right:.4em}</style></head><body>"
	    "<h1>Union calendars</h1><p>Subscribe to a calendar in your "
	    "calendar app; it updates by itself. Calendars marked "
	    "<em>members</em> need the personal link your union sent you."
	    "</p><ul>\n");
	for (i = 0; i < l.n; i++) {
		buf_puts(&b, "<li><span class=\"dot\" style=\"background:");
		html_escape(&b, l.v[i].colour ? l.v[i].colour : "#888");
		buf_puts(&b, "\"></span><strong>");
		html_escape(&b, l.v[i].name);
		buf_puts(&b, "</strong> ");
		if (l.v[i].visibility == VIS_PUBLIC) {
			buf_puts(&b, "<a href=\"webcal://");
			html_escape(&b, host);
			buf_puts(&b, "/feeds/");
			html_escape(&b, l.v[i].slug);
			buf_puts(&b, ".ics\">Subscribe</a> · <a href=\"");
			html_escape(&b, base);
			buf_puts(&b, "/feeds/");
			html_escape(&b, l.v[i].slug);
			buf_puts(&b, ".ics\">Download</a>");
		} else {
			buf_puts(&b, "<em>");
			html_escape(&b, visibility_names[l.v[i].visibility]);
			buf_puts(&b, "</em>");
		}
		buf_puts(&b, "<br><small>");
		html_escape(&b, l.v[i].description);
		buf_puts(&b, "</small></li>\n");
	}
	buf_puts(&b, "</ul></body></html>\n");
	audience_list_free(&l);
	resp = MHD_create_response_from_buffer_with_free_callback(b.len,
	    b.p, free);
	if (resp == NULL) {
		buf_free(&b);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/html; charset=utf-8");
	return http_queue(r, 200, resp);
}
