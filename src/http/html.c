/*
 * html.c: writing pages.  The short call escapes (html_text); a raw
 * insert has to be spelled out (html_raw_trusted), and is only ever
 * given literals of this program.  Every page goes out with the same
 * security headers: a Content-Security-Policy without unsafe-inline, no
 * framing, no sniffing, and no Referer (pages carry tokens in links).
 */
#include <netinet/in.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http_int.h"

#define PAGE_GZIP_FROM	8192	/* bytes: smaller pages go as they are */

extern const unsigned char	http_static_css[];
extern const size_t		http_static_css_len;
extern const char		http_static_css_hash[];
extern const unsigned char	http_static_js[];
extern const size_t		http_static_js_len;
extern const char		http_static_js_hash[];

/*
 * Is s a bidi control (U+202A-U+202E, U+2066-U+2069), in UTF-8?  Those
 * reorder the text around them: a name holding U+202E could make the
 * rest of a line read backwards.
 */
static int
bidi_control(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;

	return u[0] == 0xe2 && ((u[1] == 0x80 && u[2] >= 0xaa &&
	    u[2] <= 0xae) || (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9));
}

/*
 * Text, escaped for an element's content or an attribute's value; a
 * bidi control is shown as U+FFFD, so that it reorders nothing.
 */
void
html_text(struct buf *b, const char *s)
{
	size_t	run;

	while (s != NULL && *s != '\0') {
		/* the text between the characters to escape, in one append */
		run = strcspn(s, "<>&\"'\xe2");
		if (run > 0) {
			buf_append(b, s, run);
			s += run;
			continue;
		}
		if (*s == '\xe2' && s[1] != '\0' && bidi_control(s)) {
			buf_puts(b, "\xef\xbf\xbd");
			s += 3;
			continue;
		}
		switch (*s) {
		case '<':	buf_puts(b, "&lt;"); break;
		case '>':	buf_puts(b, "&gt;"); break;
		case '&':	buf_puts(b, "&amp;"); break;
		case '"':	buf_puts(b, "&quot;"); break;
		case '\'':	buf_puts(b, "&#39;"); break;
		default:	buf_append(b, s, 1); break;
		}
		s++;
	}
}

/* The day of the week (0 Sunday) of a date. */
int
html_weekday(int y, int m, int d)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	timegm(&tm);
	return tm.tm_wday % 7;
}

/*
 * "2027-01-15T10:00:00" as "Fri 15 Jan 2027, 10:00" (a date: no time;
 * without year: "Fri 15 Jan, 10:00").
 */
void
html_when(struct buf *b, const char *local, int year)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int		y = 0, mo = 0, d = 0, h = 0, mi = 0;

	if (sscanf(local, "%4d-%2d-%2d", &y, &mo, &d) != 3 || mo < 1 ||
	    mo > 12) {
		html_text(b, local);
		return;
	}
	buf_printf(b, "%s %d %s", days[html_weekday(y, mo, d)], d,
	    months[mo - 1]);
	if (year)
		buf_printf(b, " %d", y);
	if (strlen(local) > 11 && sscanf(local + 11, "%2d:%2d", &h, &mi) == 2)
		buf_printf(b, ", %02d:%02d", h, mi);
}

/* Markup of this program's own, inserted as it is. */
void
html_raw_trusted(struct buf *b, const char *s)
{
	buf_puts(b, s);
}

/* s percent-encoded for a URL's query (then escaped as HTML). */
void
html_url_part(struct buf *b, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	char			e[4];

	for (; s != NULL && *s != '\0'; s++) {
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr("-_.~", *s) != NULL) {
			buf_append(b, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[(unsigned char)*s >> 4];
		e[2] = hex[(unsigned char)*s & 15];
		e[3] = '\0';
		buf_puts(b, e);
	}
}

/*
 * The start of a page: head, the site's header (with a sign-out button
 * when csrf, the session's form token, is given) and <main>.
 */
void
html_begin(struct buf *b, const char *title, const char *csrf)
{
	html_raw_trusted(b, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\"><title>");
	html_text(b, title);
	buf_printf(b, " · quorum</title><link rel=\"stylesheet\" "
	    "href=\"/static/quorum.%s.css\"><script src=\"/static/"
	    "quorum.%s.js\" defer></script></head><body>\n"
	    "<header class=\"site\"><a href=\"/\">Union calendars</a>",
	    http_static_css_hash, http_static_js_hash);
	if (csrf != NULL) {
		html_raw_trusted(b, "<nav aria-label=\"Account\"><form "
		    "method=\"post\" action=\"/signout\"><input type=\"hidden\" "
		    "name=\"csrf\" value=\"");
		html_text(b, csrf);
		html_raw_trusted(b, "\"><button class=\"plain\" type=\"submit\">"
		    "Sign out</button></form></nav>");
	}
	html_raw_trusted(b, "</header>\n<main id=\"main\">\n");
}

void
html_end(struct buf *b)
{
	html_raw_trusted(b, "</main>\n<footer>quorum: your union's meetings, "
	    "in your own calendar.</footer>\n</body></html>\n");
}

/* The headers every page carries. */
static void
page_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/html; charset=utf-8");
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'none'; style-src 'self'; script-src 'self'; "
	    "connect-src 'self'; img-src 'self' data:; form-action 'self'; "
	    "frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
}

/*
 * Send the page in b (whose bytes this takes) with status, and up to
 * two Set-Cookie headers (NULL: none).  A 303 goes to location.
 */
enum MHD_Result
html_send(struct request *r, unsigned int status, struct buf *b,
    const char *cookie1, const char *cookie2, const char *location)
{
	struct MHD_Response	*resp;
	char			*gz = NULL;
	size_t			 gzlen = 0;

	/*
	 * A long page goes compressed when the browser takes it: the door
	 * list of 500 is 210 KB, 20 KB gzipped, on a phone in a basement.
	 */
	if (b->len >= PAGE_GZIP_FROM && accepts_gzip(http_header(r,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING)) && gzip_bytes(b->p, b->len, 1,
	    &gz, &gzlen) == 0) {
		buf_free(b);
		b->p = gz;
		b->len = gzlen;
	}
	r->bytes = b->len;
	resp = MHD_create_response_from_buffer_with_free_callback(b->len,
	    b->p ? b->p : strdup(""), free);
	if (resp == NULL) {
		buf_free(b);
		return MHD_NO;
	}
	memset(b, 0, sizeof(*b));
	page_headers(resp);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (gz != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING,
		    "gzip");
	if (cookie1 != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE,
		    cookie1);
	if (cookie2 != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE,
		    cookie2);
	if (location != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
		    location);
	return http_queue(r, status, resp);
}

/* GET /static/quorum.HASH.css: the stylesheet, cached for a year. */
enum MHD_Result
html_static(struct request *r, const struct call *c)
{
	struct MHD_Response	*resp;
	char			 css[64], js[64];
	int			 is_css;

	snprintf(css, sizeof(css), "quorum.%s.css", http_static_css_hash);
	snprintf(js, sizeof(js), "quorum.%s.js", http_static_js_hash);
	if (strcmp(c->word, css) != 0 && strcmp(c->word, js) != 0)
		return http_fail(r, QRM_ENOTFOUND, "", "no such file");
	is_css = strcmp(c->word, css) == 0;
	r->bytes = is_css ? http_static_css_len : http_static_js_len;
	resp = MHD_create_response_from_buffer(is_css ? http_static_css_len :
	    http_static_js_len, (void *)(is_css ? http_static_css :
	    http_static_js), MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, is_css ?
	    "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "public, max-age=31536000, immutable");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	return http_queue(r, 200, resp);
}

/* A cookie of the request, or NULL. */
const char *
http_cookie(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/*
 * Did the request come over TLS?  Through the trusted proxy in front
 * (on loopback), it says so in X-Forwarded-Proto; a public address of
 * https:// says so too.
 */
int
http_secure(struct request *r)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;
	const char			*proto, *base = http_base_url();
	const unsigned char		*a;

	if (base != NULL && strncmp(base, "https://", 8) == 0)
		return 1;
	ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL ||
	    sa->sa_family != AF_INET)
		return 0;
	a = (const unsigned char *)&((const struct sockaddr_in *)
	    (const void *)sa)->sin_addr;
	proto = http_header(r, "X-Forwarded-Proto");
	return a[0] == 127 && proto != NULL && strcasecmp(proto, "https") == 0;
}

/* A hidden field of a form. */
void
html_hidden(struct buf *b, const char *name, const char *value)
{
	html_raw_trusted(b, "<input type=\"hidden\" name=\"");
	html_text(b, name);
	html_raw_trusted(b, "\" value=\"");
	html_text(b, value);
	html_raw_trusted(b, "\">");
}

/* The prefix of the form's element ids ("f" unless it is one of many). */
static const char *
form_id(const struct html_form *f)
{
	return f->id ? f->id : "f";
}

/* The text the form shows for name ("" when none). */
const char *
html_value(const struct html_form *f, const char *name)
{
	const char	*v;

	v = json_string_value(json_object_get(f->values, name));
	return v ? v : "";
}

/* "<form method=post action=...>" with the form's CSRF token. */
void
html_form_begin(struct html_form *f, const char *action, const char *csrf)
{
	html_raw_trusted(f->b, "<form method=\"post\" action=\"");
	html_text(f->b, action);
	html_raw_trusted(f->b, "\" novalidate>");
	html_hidden(f->b, "csrf", csrf);
}

/*
 * A field's label, hint and, when it is the one refused, the reason,
 * all above the control (which a phone's keyboard does not hide); then
 * the attributes that tie the control to them.
 */
static void
field_head(struct html_form *f, const char *name, const char *label,
    const char *hint)
{
	struct buf	*b = f->b;

	html_raw_trusted(b, "<div class=\"field");
	html_raw_trusted(b, f->bad && strcmp(f->bad, name) == 0 ? " bad" : "");
	html_raw_trusted(b, "\"><label for=\"");
	html_text(b, form_id(f));
	html_raw_trusted(b, "-");
	html_text(b, name);
	html_raw_trusted(b, "\">");
	html_text(b, label);
	html_raw_trusted(b, "</label>");
	if (hint != NULL) {
		html_raw_trusted(b, "<p class=\"hint\" id=\"");
		html_text(b, form_id(f));
		html_raw_trusted(b, "-");
		html_text(b, name);
		html_raw_trusted(b, "-hint\">");
		html_text(b, hint);
		html_raw_trusted(b, "</p>");
	}
	if (f->bad && strcmp(f->bad, name) == 0) {
		html_raw_trusted(b, "<p class=\"error\" id=\"");
		html_text(b, form_id(f));
		html_raw_trusted(b, "-");
		html_text(b, name);
		html_raw_trusted(b, "-error\">");
		html_text(b, f->why);
		html_raw_trusted(b, "</p>");
	}
}

static void
field_attrs(struct html_form *f, const char *name, const char *hint)
{
	struct buf	*b = f->b;
	int		 bad = f->bad && strcmp(f->bad, name) == 0;

	html_raw_trusted(b, " id=\"");
	html_text(b, form_id(f));
	html_raw_trusted(b, "-");
	html_text(b, name);
	html_raw_trusted(b, "\" name=\"");
	html_text(b, name);
	html_raw_trusted(b, "\"");
	if (hint != NULL || bad) {
		html_raw_trusted(b, " aria-describedby=\"");
		if (hint != NULL) {
			html_text(b, form_id(f));
			html_raw_trusted(b, "-");
			html_text(b, name);
			html_raw_trusted(b, "-hint");
		}
		if (bad) {
			html_raw_trusted(b, hint ? " " : "");
			html_text(b, form_id(f));
			html_raw_trusted(b, "-");
			html_text(b, name);
			html_raw_trusted(b, "-error");
		}
		html_raw_trusted(b, "\"");
	}
	if (bad)
		html_raw_trusted(b, " aria-invalid=\"true\" autofocus");
}

/* A one-line input of type (text, email, date, time, number, url). */
void
html_input(struct html_form *f, const char *name, const char *label,
    const char *type, const char *hint)
{
	field_head(f, name, label, hint);
	html_raw_trusted(f->b, "<input type=\"");
	html_text(f->b, type);
	html_raw_trusted(f->b, "\"");
	field_attrs(f, name, hint);
	html_raw_trusted(f->b, " value=\"");
	html_text(f->b, html_value(f, name));
	html_raw_trusted(f->b, "\"></div>\n");
}

void
html_textarea(struct html_form *f, const char *name, const char *label,
    const char *hint, int rows)
{
	field_head(f, name, label, hint);
	buf_printf(f->b, "<textarea rows=\"%d\"", rows);
	field_attrs(f, name, hint);
	html_raw_trusted(f->b, ">");
	html_text(f->b, html_value(f, name));
	html_raw_trusted(f->b, "</textarea></div>\n");
}

/* A choice of one of values (NULL-ended), each shown as its label. */
void
html_select(struct html_form *f, const char *name, const char *label,
    const char *hint, const char *const *values, const char *const *labels)
{
	const char	*now = html_value(f, name);
	size_t		 i;

	field_head(f, name, label, hint);
	html_raw_trusted(f->b, "<select");
	field_attrs(f, name, hint);
	html_raw_trusted(f->b, ">");
	for (i = 0; values[i] != NULL; i++) {
		html_raw_trusted(f->b, "<option value=\"");
		html_text(f->b, values[i]);
		html_raw_trusted(f->b, strcmp(values[i], now) == 0 ?
		    "\" selected>" : "\">");
		html_text(f->b, labels[i]);
		html_raw_trusted(f->b, "</option>");
	}
	html_raw_trusted(f->b, "</select></div>\n");
}

/* A tick box, ticked when the form has name at all. */
void
html_checkbox(struct html_form *f, const char *name, const char *label)
{
	struct buf	*b = f->b;

	html_raw_trusted(b, "<div class=\"check\"><input type=\"checkbox\" "
	    "value=\"on\"");
	field_attrs(f, name, NULL);
	if (json_object_get(f->values, name) != NULL)
		html_raw_trusted(b, " checked");
	html_raw_trusted(b, "><label for=\"");
	html_text(b, form_id(f));
	html_raw_trusted(b, "-");
	html_text(b, name);
	html_raw_trusted(b, "\">");
	html_text(b, label);
	html_raw_trusted(b, "</label></div>\n");
}

/* The box at the top of a refused form: what to put right, linked. */
void
html_form_problem(struct html_form *f)
{
	if (f->bad == NULL)
		return;
	html_raw_trusted(f->b, "<div class=\"problem\" role=\"alert\"><h2>"
	    "This was not saved</h2><p><a href=\"#");
	html_text(f->b, form_id(f));
	html_raw_trusted(f->b, "-");
	html_text(f->b, f->bad);
	html_raw_trusted(f->b, "\">");
	html_text(f->b, f->why);
	html_raw_trusted(f->b, "</a></p></div>\n");
}

/*
 * A refusal as a page a person can read: what it means, why, and a way
 * on (the API answers the same errors as JSON).
 */
enum MHD_Result
page_error(struct request *r, int code, const struct qrm_error *err)
{
	struct buf	 b = { 0 };
	unsigned int	 status = (unsigned int)http_status_of(code);
	const char	*title;

	title = status == 404 ? "Not found" : status == 403 ? "Not allowed" :
	    status == 401 ? "Please sign in" : status >= 500 ?
	    "Something went wrong" : "That could not be done";
	html_begin(&b, title, NULL);
	html_raw_trusted(&b, "<h1>");
	html_text(&b, title);
	html_raw_trusted(&b, "</h1><p>");
	if (status >= 500)
		html_raw_trusted(&b, "Nothing was changed. Please try again in "
		    "a minute; if it goes on, tell the union office.");
	else if (err != NULL && err->msg[0] != '\0') {
		html_text(&b, err->msg);
		html_raw_trusted(&b, ".");
	}
	html_raw_trusted(&b, status == 401 ? "</p><p><a href=\"/signin\">Sign "
	    "in</a></p>" : "</p><p><a href=\"/me\">Your page</a> · <a "
	    "href=\"/\">All calendars</a></p>");
	html_end(&b);
	return html_send(r, status, &b, NULL, NULL, NULL);
}

enum MHD_Result
page_fail(struct request *r, int code, const char *fmt, ...)
{
	struct qrm_error	err = { 0 };
	va_list			ap;

	err.code = code;
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	return page_error(r, code, &err);
}

/*
 * 303 to where (a path of ours), with a page saying title for a client
 * that does not follow it.
 */
enum MHD_Result
html_redirect(struct request *r, const char *where, const char *title)
{
	struct buf	b = { 0 };

	html_begin(&b, title, NULL);
	html_raw_trusted(&b, "<h1>");
	html_text(&b, title);
	html_raw_trusted(&b, "</h1><p><a href=\"");
	html_text(&b, where);
	html_raw_trusted(&b, "\">Go on</a></p>");
	html_end(&b);
	return html_send(r, 303, &b, NULL, NULL, where);
}

/* The line at the top of a page: done (status < 300), or why not. */
void
html_notice(struct buf *b, unsigned int status, const char *text)
{
	if (text == NULL)
		return;
	html_raw_trusted(b, status < 300 ? "<p class=\"notice\" "
	    "role=\"status\">" : "<p class=\"error\" role=\"alert\">");
	html_text(b, text);
	html_raw_trusted(b, "</p>");
}
