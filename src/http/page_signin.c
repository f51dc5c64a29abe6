/*
 * page_signin.c: signing in by e-mail.  /signin asks for an address and
 * always answers the same way; /signin/{secret} shows a button, and only
 * its POST spends the link (mail scanners that fetch every link would
 * otherwise use it up); /signout ends the session.
 *
 * Forms before signing in carry a double-submit token: a random value
 * in a SameSite=Strict cookie that the form must echo.  Forms after it
 * carry the session's own token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "http_int.h"

#define CSRF_COOKIE	"quorum_csrf"
#define SESSION_COOKIE	"quorum_session"

/* The public address links are built on: set, or the request's Host. */
void
page_base(struct request *r, char *out, size_t sz)
{
	const char	*base = http_base_url();
	const char	*host = http_header(r, MHD_HTTP_HEADER_HOST);

	if (base != NULL)
		snprintf(out, sz, "%s", base);
	else
		snprintf(out, sz, "%s://%s", http_secure(r) ? "https" : "http",
		    host && strpbrk(host, "<>\"' /\\") == NULL ? host :
		    "localhost");
}

/* Equal, in constant time (both NUL-terminated). */
static int
same_secret(const char *a, const char *b)
{
	size_t	n = a ? strlen(a) : 0;

	return a != NULL && b != NULL && n > 0 && n == strlen(b) &&
	    sodium_memcmp(a, b, n) == 0;
}

/*
 * The form token of a page before signing in: the cookie's when it has
 * one, else a new one, whose Set-Cookie goes to cookie.
 */
static void
anon_csrf(struct request *r, char token[65], char *cookie, size_t sz)
{
	const char	*have = http_cookie(r, CSRF_COOKIE);
	unsigned char	 raw[16];

	cookie[0] = '\0';
	if (have != NULL && strlen(have) == 32 && strspn(have,
	    "0123456789abcdef") == 32) {
		snprintf(token, 65, "%s", have);
		return;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, 65, raw, sizeof(raw));
	snprintf(cookie, sz, CSRF_COOKIE "=%s; Path=/; HttpOnly; "
	    "SameSite=Strict%s", token, http_secure(r) ? "; Secure" : "");
}

/* A POST's form token matches the double-submit cookie. */
static int
anon_csrf_ok(struct request *r, const struct call *c)
{
	return same_secret(http_cookie(r, CSRF_COOKIE),
	    json_string_value(json_object_get(c->json, "csrf")));
}

static void
csrf_field(struct buf *b, const char *token)
{
	html_raw_trusted(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(b, token);
	html_raw_trusted(b, "\">");
}

static enum MHD_Result
signin_form(struct request *r, unsigned int status, const char *email,
    const char *error)
{
	struct buf	 b = { 0 };
	char		 token[65], cookie[160];

	anon_csrf(r, token, cookie, sizeof(cookie));
	html_begin(&b, "Sign in", NULL);
	html_raw_trusted(&b, "<h1>Sign in</h1><p>Enter the e-mail address "
	    "the union has for you. We will send you a link that signs you "
	    "in; there is no password to remember.</p>"
	    "<form method=\"post\" action=\"/signin\">");
	csrf_field(&b, token);
	html_raw_trusted(&b, "<label for=\"email\">Your e-mail address</label>");
	if (error != NULL) {
		html_raw_trusted(&b, "<p class=\"error\" id=\"email-error\">");
		html_text(&b, error);
		html_raw_trusted(&b, "</p>");
	}
	html_raw_trusted(&b, "<input type=\"email\" id=\"email\" name=\"email\" "
	    "autocomplete=\"email\" required");
	if (error != NULL)
		html_raw_trusted(&b, " aria-describedby=\"email-error\"");
	html_raw_trusted(&b, " value=\"");
	html_text(&b, email);
	html_raw_trusted(&b, "\"><p><button type=\"submit\">Send me a link"
	    "</button></p></form>");
	html_end(&b);
	return html_send(r, status, &b, cookie[0] ? cookie : NULL, NULL, NULL);
}

/* GET, POST /signin: ask for a link by e-mail. */
enum MHD_Result
page_signin(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct buf		 b = { 0 };
	const char		*email;
	char			 base[300];
	int			 rc;

	if (strcmp(r->method, "POST") != 0)
		return signin_form(r, 200, "", NULL);
	email = json_string_value(json_object_get(c->json, "email"));
	if (!anon_csrf_ok(r, c))
		return signin_form(r, 403, email ? email : "", "The form had "
		    "expired. Please send it again.");
	page_base(r, base, sizeof(base));
	if ((rc = core_signin_request(r->q, email, base, &err)) != QRM_OK) {
		if (rc == QRM_EINVAL)
			return signin_form(r, 400, email ? email : "", err.msg);
		return page_error(r, rc, &err);
	}
	/* the same answer whether or not the address is a member's */
	html_begin(&b, "Check your e-mail", NULL);
	html_raw_trusted(&b, "<h1>Check your e-mail</h1><p class=\"notice\">"
	    "If that address belongs to a member, a link to sign in is on its "
	    "way to it. It works once, for a short while.</p><p>Nothing "
	    "arrived after a few minutes? Look in your junk mail, or "
	    "<a href=\"/signin\">ask again</a>.</p>");
	html_end(&b);
	return html_send(r, 200, &b, NULL, NULL, NULL);
}

static enum MHD_Result
link_spent(struct request *r)
{
	struct buf	b = { 0 };

	html_begin(&b, "Link used or expired", NULL);
	html_raw_trusted(&b, "<h1>This link cannot be used again</h1>"
	    "<p>A sign-in link works once, and only for a while. This one "
	    "was used already or has expired.</p><p><a class=\"button\" "
	    "href=\"/signin\">Send me a new link</a></p>");
	html_end(&b);
	return html_send(r, 404, &b, NULL, NULL, NULL);
}

/*
 * GET /signin/{secret}: a button to sign in; POST: spend the link, set
 * the session cookie and go to the member's page.
 */
enum MHD_Result
page_signin_link(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct signin_settings	 ss;
	struct session		 s;
	struct buf		 b = { 0 };
	char			 token[65], csrf_cookie[160], cookie[256];
	char			*secret = NULL;
	int			 rc;

	if (strcmp(r->method, "POST") != 0) {
		anon_csrf(r, token, csrf_cookie, sizeof(csrf_cookie));
		html_begin(&b, "Sign in", NULL);
		html_raw_trusted(&b, "<h1>Sign in to your union's meetings</h1>"
		    "<p>This link signs you in on this phone or computer.</p>"
		    "<form method=\"post\">");
		csrf_field(&b, token);
		html_raw_trusted(&b, "<button type=\"submit\">Sign in</button>"
		    "</form>");
		html_end(&b);
		return html_send(r, 200, &b, csrf_cookie[0] ? csrf_cookie :
		    NULL, NULL, NULL);
	}
	if (!anon_csrf_ok(r, c)) {
		html_begin(&b, "Sign in", NULL);
		html_raw_trusted(&b, "<h1>Please try again</h1><p>The page had "
		    "expired. Open the link from your e-mail again.</p>");
		html_end(&b);
		return html_send(r, 403, &b, NULL, NULL, NULL);
	}
	rc = core_signin_redeem(r->q, c->word, http_header(r,
	    MHD_HTTP_HEADER_USER_AGENT), &secret, &s, &err);
	if (rc == QRM_ENOTFOUND)
		return link_spent(r);
	if (rc != QRM_OK)
		return page_error(r, rc, &err);
	signin_settings_env(&ss);
	snprintf(cookie, sizeof(cookie), SESSION_COOKIE "=%s; Path=/; "
	    "HttpOnly; SameSite=Lax; Max-Age=%lld%s", secret,
	    (long long)ss.max_days * 86400, http_secure(r) ? "; Secure" : "");
	sodium_memzero(secret, strlen(secret));
	free(secret);
	free(s.agent);
	html_begin(&b, "Signed in", NULL);
	html_raw_trusted(&b, "<h1>Signed in</h1><p><a href=\"/me\">Go to your "
	    "page</a></p>");
	html_end(&b);
	return html_send(r, 303, &b, cookie, NULL, "/me");
}

/*
 * Who is behind a request: the signed-in member (their session, and an
 * actor for the domain layer), or nobody, whose actor sees public things
 * only.  QRM_OK when signed in; page_user_clear() either way.
 */
int
page_user_get(struct request *r, struct page_user *u)
{
	struct qrm_error	err = { 0 };

	memset(u, 0, sizeof(*u));
	u->a.role = ROLE_MEMBER;
	u->a.name = "web";
	u->cookie = http_cookie(r, SESSION_COOKIE);
	if (core_session_check(r->q, u->cookie, &u->m, &u->s, &err) != QRM_OK)
		return QRM_EUNAUTH;
	u->signed_in = 1;
	u->a.member = u->m.id;
	u->a.role = u->m.role;
	u->a.name = u->m.email;
	return QRM_OK;
}

void
page_user_clear(struct page_user *u)
{
	if (u->signed_in) {
		free(u->s.agent);
		member_clear(&u->m);
	}
	memset(u, 0, sizeof(*u));
}

/* A session form's token is the session's. */
int
page_csrf_ok(const struct call *c, const struct session *s)
{
	return same_secret(s->csrf, json_string_value(json_object_get(c->json,
	    "csrf")));
}

/* POST /signout */
enum MHD_Result
page_signout(struct request *r, const struct call *c)
{
	struct qrm_error	 err = { 0 };
	struct page_user	 u;
	struct buf		 b = { 0 };
	char			 gone[128];

	if (page_user_get(r, &u) == QRM_OK) {
		if (!page_csrf_ok(c, &u.s)) {
			page_user_clear(&u);
			return page_fail(r, QRM_EFORBIDDEN, "the form "
			    "had expired: reload the page and try again");
		}
		core_session_end(r->q, &u.s, &err);
	}
	page_user_clear(&u);
	snprintf(gone, sizeof(gone), SESSION_COOKIE "=; Path=/; HttpOnly; "
	    "SameSite=Lax; Max-Age=0%s", http_secure(r) ? "; Secure" : "");
	html_begin(&b, "Signed out", NULL);
	html_raw_trusted(&b, "<h1>Signed out</h1><p>Your calendars stay in "
	    "your calendar app.</p><p><a href=\"/signin\">Sign in again</a>"
	    "</p>");
	html_end(&b);
	return html_send(r, 303, &b, gone, NULL, "/");
}
