/*
 * digest.c: the daily digest of overdue actions, one e-mail per owner,
 * sent through an SMTP server with libcurl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core_int.h"

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
upload_read(char *dst, size_t size, size_t n, void *arg)
{
	struct upload	*u = arg;
	size_t		 len = size * n < u->left ? size * n : u->left;

	memcpy(dst, u->p, len);
	u->p += len;
	u->left -= len;
	return len;
}

/* Text safe for a header: no CR, LF or other control characters. */
static void
header_text(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		buf_append(b, (unsigned char)*s < 0x20 ? " " : s, 1);
}

static int
send_mail(const char *smtp, const char *from, const char *to,
    const char *message, struct qrm_error *err)
{
	CURL			*c;
	struct curl_slist	*rcpt = NULL;
	struct upload		 u = { message, strlen(message) };
	char			 addr[320];
	CURLcode		 rc;

	if ((c = curl_easy_init()) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "cannot start libcurl");
	snprintf(addr, sizeof(addr), "<%s>", to);
	rcpt = curl_slist_append(rcpt, addr);
	snprintf(addr, sizeof(addr), "<%s>", from);
	curl_easy_setopt(c, CURLOPT_URL, smtp);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	rc = curl_easy_perform(c);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return qrm_seterr(err, QRM_ESYS, "smtp", "sending to %s through "
		    "%s failed: %s", to, smtp, curl_easy_strerror(rc));
	return QRM_OK;
}

static void
mail_date(char *out, size_t sz)
{
	time_t	now = time(NULL);

	http_date_format(now, out, sz);	/* RFC 5322 allows "GMT" */
}

/* The digest for one owner: l->v[from..to) are theirs. */
static char *
digest_text(const struct member *m, const char *from,
    const struct action_list *l, size_t first, size_t last)
{
	struct buf	b = { 0 };
	char		date[64], id[33];
	size_t		i;

	mail_date(date, sizeof(date));
	core_random_hex(id, 16);
	buf_puts(&b, "From: quorum <");
	header_text(&b, from);
	buf_puts(&b, ">\r\nTo: ");
	header_text(&b, m->name);
	buf_puts(&b, " <");
	header_text(&b, m->email);
	buf_printf(&b, ">\r\nSubject: Overdue union actions: %zu\r\n",
	    last - first);
	buf_printf(&b, "Date: %s\r\nMessage-ID: <%s@quorum>\r\n", date, id);
	buf_puts(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
	buf_printf(&b, "Dear %s,\r\n\r\nThese actions are overdue:\r\n\r\n",
	    m->name);
	for (i = first; i < last; i++) {
		const struct action *x = &l->v[i];

		buf_puts(&b, "- ");
		header_text(&b, x->title);
		buf_printf(&b, "\r\n  due %s, %s", x->due,
		    action_status_names[x->status]);
		if (x->waiting_on != NULL) {
			buf_puts(&b, " (waiting on ");
			header_text(&b, x->waiting_on);
			buf_puts(&b, ")");
		}
		if (x->event_title != NULL) {
			buf_puts(&b, "\r\n  from: ");
			header_text(&b, x->event_title);
		}
		buf_puts(&b, "\r\n");
	}
	buf_puts(&b, "\r\nMark them done in quorum when they are.\r\n");
	return buf_detach(&b);
}

/*
 * Send each owner of overdue actions one e-mail listing them, through
 * smtp ("smtp://host:port").  With dry_run, build them only.  *report:
 * {"sent": [{"member", "email", "actions"}], "failed": [...]}.  One
 * failed recipient does not stop the others.
 */
int
core_digest_send(struct qrm *q, const struct actor *a, const char *smtp,
    const char *from, int dry_run, json_t **report, struct qrm_error *err)
{
	struct store		*st;
	struct action_filter	 f;
	struct action_list	 l;
	struct member		 m;
	struct qrm_error	 e;
	json_t			*sent, *failed, *entry;
	char			 today[11], *text;
	size_t			 i, j;
	int			 rc;

	*report = NULL;
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if (!dry_run && (smtp == NULL || strncmp(smtp, "smtp", 4) != 0))
		return qrm_seterr(err, QRM_EINVAL, "smtp", "an SMTP server is "
		    "needed, like smtp://mail.example.org:25");
	/* a dry run shows the messages; it needs no sender of its own */
	if (dry_run && (from == NULL || *from == '\0'))
		from = "quorum@localhost";
	if (from == NULL || strchr(from, '@') == NULL || strpbrk(from,
	    "<>\r\n ") != NULL)
		return qrm_seterr(err, QRM_EINVAL, "from", "a sender address "
		    "is needed, like quorum@example.org");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	memset(&f, 0, sizeof(f));
	f.status = -1;
	core_today(today, sizeof(today));
	f.due_before = today;
	if ((rc = store_action_list(st, &f, &l, err)) != QRM_OK)
		return rc;
	/* group by owner: sort the owned ones together */
	for (i = 1; i < l.n; i++)
		for (j = i; j > 0 && l.v[j - 1].owner > l.v[j].owner; j--) {
			struct action t = l.v[j];

			l.v[j] = l.v[j - 1];
			l.v[j - 1] = t;
		}
	sent = json_array();
	failed = json_array();
	for (i = 0; i < l.n; i = j) {
		for (j = i; j < l.n && l.v[j].owner == l.v[i].owner; j++)
			;
		if (l.v[i].owner == 0 ||
		    store_member_get(st, l.v[i].owner, &m, NULL) != QRM_OK)
			continue;
		memset(&e, 0, sizeof(e));
		text = digest_text(&m, from, &l, i, j);
		entry = json_pack("{s:I, s:s, s:i}", "member", (json_int_t)m.id,
		    "email", m.email, "actions", (int)(j - i));
		if (dry_run && text != NULL)
			json_object_set_new(entry, "message", json_string(text));
		if (text != NULL && (dry_run || send_mail(smtp, from, m.email,
		    text, &e) == QRM_OK))
			json_array_append_new(sent, entry);
		else {
			json_object_set_new(entry, "error", json_string(e.msg));
			json_array_append_new(failed, entry);
		}
		free(text);
		member_clear(&m);
	}
	action_list_free(&l);
	*report = json_pack("{s:o, s:o}", "sent", sent, "failed", failed);
	return QRM_OK;
}
