/*
 * outbox.c: every e-mail quorum sends goes through the outbox table.
 * A message is queued in the same transaction as whatever made it; a
 * sender (the running server's worker, or `quorum outbox send`) claims
 * one due message at a time, sends it with libcurl and marks it sent.
 *
 * Nothing is lost: a message that cannot go is tried again with a
 * growing pause, and one whose sender died mid-send (a claim older than
 * the lease) is taken again.  Nothing goes twice: a claim is taken in a
 * transaction of its own, and the Message-ID is the row's, so a message
 * taken again after a crash is the same message.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core_int.h"

#define OUTBOX_MAX_TRIES	12		/* then "failed", kept */
#define OUTBOX_FIRST_PAUSE	60		/* seconds, doubled each try */
#define OUTBOX_LONGEST_PAUSE	(6 * 3600)

/* The settings from $QUORUM_SMTP and its companions. */
void
mail_settings_env(struct mail_settings *ms)
{
	const char	*v;
	int64_t		 n;

	memset(ms, 0, sizeof(*ms));
	ms->smtp = getenv("QUORUM_SMTP");
	ms->from = getenv("QUORUM_MAIL_FROM");
	ms->user = getenv("QUORUM_SMTP_USER");
	ms->password = getenv("QUORUM_SMTP_PASSWORD");
	ms->starttls = (v = getenv("QUORUM_SMTP_STARTTLS")) != NULL &&
	    strcmp(v, "1") == 0;
	ms->lease = 600;
	if ((v = getenv("QUORUM_OUTBOX_LEASE")) != NULL &&
	    parse_int64(v, &n) == 0 && n > 0 && n <= 86400)
		ms->lease = (int)n;
	ms->interval = 5;
	if ((v = getenv("QUORUM_OUTBOX_INTERVAL")) != NULL &&
	    parse_int64(v, &n) == 0 && n > 0 && n <= 3600)
		ms->interval = (int)n;
}

/* Can mail be sent with ms?  QRM_EINVAL naming what is missing. */
int
mail_settings_check(const struct mail_settings *ms, struct qrm_error *err)
{
	if (ms->smtp == NULL || (strncmp(ms->smtp, "smtp://", 7) != 0 &&
	    strncmp(ms->smtp, "smtps://", 8) != 0))
		return qrm_seterr(err, QRM_EINVAL, "smtp", "an SMTP server is "
		    "needed, like smtp://mail.example.org:25 or smtps://"
		    "mail.example.org:465 ($QUORUM_SMTP)");
	if (ms->from == NULL || strchr(ms->from, '@') == NULL ||
	    strpbrk(ms->from, "<>\r\n \"") != NULL)
		return qrm_seterr(err, QRM_EINVAL, "from", "a sender address "
		    "is needed, like quorum@example.org ($QUORUM_MAIL_FROM)");
	return QRM_OK;
}

/*
 * Queue a message to m (its name and address) inside the caller's
 * transaction; its id goes to *id (if not NULL).  subject and body are
 * plain UTF-8 text.
 */
int
outbox_queue(struct store *st, const char *kind, const struct member *m,
    const char *subject, const char *body, int64_t *id,
    struct qrm_error *err)
{
	struct mail	mail;
	int		rc;

	memset(&mail, 0, sizeof(mail));
	mail.kind = (char *)kind;
	mail.member = m->id;
	mail.recipient = m->email;
	mail.name = m->name;
	mail.subject = (char *)subject;
	mail.body = (char *)body;
	mail.created = (int64_t)time(NULL);
	if ((rc = store_outbox_add(st, &mail, err)) == QRM_OK && id != NULL)
		*id = mail.id;
	return rc;
}

/* A header's text with no line breaks or other control characters. */
static void
header_plain(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		buf_append(b, (unsigned char)*s < 0x20 || *s == 0x7f ? " " : s,
		    1);
}

/* A header's words: as they are when ASCII, else RFC 2047 (base64). */
static void
header_words(struct buf *b, const char *s)
{
	const unsigned char	*p;
	char			*enc;
	size_t			 len, n;

	for (p = (const unsigned char *)s; p != NULL && *p != '\0'; p++)
		if (*p >= 0x80 || *p == '"')
			break;
	if (p == NULL || *p == '\0') {
		header_plain(b, s);
		return;
	}
	len = strlen(s);
	n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	if ((enc = malloc(n)) == NULL)
		return;
	sodium_bin2base64(enc, n, (const unsigned char *)s, len,
	    sodium_base64_VARIANT_ORIGINAL);
	buf_printf(b, "=?UTF-8?B?%s?=", enc);
	free(enc);
}

/* text with every line ending in CRLF, and a last one. */
static void
crlf_lines(struct buf *b, const char *text)
{
	const char	*p;

	for (p = text; p != NULL && *p != '\0'; p++) {
		if (*p == '\r')
			continue;
		buf_append(b, *p == '\n' ? "\r\n" : p, *p == '\n' ? 2 : 1);
	}
	if (b->len < 2 || memcmp(b->p + b->len - 2, "\r\n", 2) != 0)
		buf_puts(b, "\r\n");
}

/*
 * The message as sent: headers, then the body with CRLF line ends (and
 * an invitation's text/calendar as its alternative).  The Message-ID is
 * the row's, the same on every try.
 */
char *
outbox_message(const struct mail *m, const char *from)
{
	struct buf	 b = { 0 };
	const char	*at = strchr(from, '@');
	char		 date[64];

	http_date_format((time_t)time(NULL), date, sizeof(date));
	buf_puts(&b, "From: quorum <");
	header_plain(&b, from);
	buf_puts(&b, ">\r\nTo: ");
	if (m->name != NULL && *m->name != '\0') {
		header_words(&b, m->name);
		buf_puts(&b, " ");
	}
	buf_puts(&b, "<");
	header_plain(&b, m->recipient);
	buf_puts(&b, ">\r\nSubject: ");
	header_words(&b, m->subject);
	buf_printf(&b, "\r\nDate: %s\r\nMessage-ID: <quorum.%lld.%lld@%s>\r\n",
	    date, (long long)m->id, (long long)m->created, at ? at + 1 :
	    "quorum");
	buf_puts(&b, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
	if (m->calendar != NULL) {
		/*
		 * iMIP (RFC 6047): the words and the invitation as two
		 * alternatives; Outlook shows the first, calendars take the
		 * second.
		 */
		buf_printf(&b, "Content-Type: multipart/alternative; "
		    "boundary=\"quorum-%lld\"\r\n\r\n--quorum-%lld\r\n",
		    (long long)m->id, (long long)m->id);
		buf_puts(&b, "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n\r\n");
	} else
		buf_puts(&b, "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n\r\n");
	crlf_lines(&b, m->body);
	if (m->calendar != NULL) {
		buf_printf(&b, "--quorum-%lld\r\nContent-Type: text/calendar; "
		    "charset=utf-8; method=%s\r\nContent-Transfer-Encoding: "
		    "8bit\r\n\r\n", (long long)m->id, m->method ? m->method :
		    "REQUEST");
		crlf_lines(&b, m->calendar);
		buf_printf(&b, "--quorum-%lld--\r\n", (long long)m->id);
	}
	return buf_detach(&b);
}

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

/* Send one message through ms's server; the error says why not. */
static int
smtp_send(const struct mail_settings *ms, const struct mail *m,
    const char *message, struct qrm_error *err)
{
	CURL			*c;
	struct curl_slist	*rcpt = NULL;
	struct upload		 u = { message, strlen(message) };
	char			 addr[320];
	CURLcode		 rc;

	if ((c = curl_easy_init()) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "cannot start libcurl");
	snprintf(addr, sizeof(addr), "<%s>", m->recipient);
	rcpt = curl_slist_append(rcpt, addr);
	snprintf(addr, sizeof(addr), "<%s>", ms->from);
	curl_easy_setopt(c, CURLOPT_URL, ms->smtp);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	/* STARTTLS when asked for it; when offered, taken anyway */
	curl_easy_setopt(c, CURLOPT_USE_SSL, ms->starttls ?
	    (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (ms->user != NULL && *ms->user != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, ms->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, ms->password ?
		    ms->password : "");
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return qrm_seterr(err, QRM_ESYS, "smtp", "%s",
		    curl_easy_strerror(rc));
	return QRM_OK;
}

/* The pause before try number tries + 1: 1, 2, 4 ... minutes, at most 6 h. */
static int64_t
retry_pause(int tries)
{
	int64_t	pause = OUTBOX_FIRST_PAUSE;

	while (--tries > 0 && pause < OUTBOX_LONGEST_PAUSE)
		pause *= 2;
	return pause < OUTBOX_LONGEST_PAUSE ? pause : OUTBOX_LONGEST_PAUSE;
}

/*
 * Send every due message, one claim at a time, until none is due or max
 * were tried (0: no limit).  Counts go to *sent and *failed (either may
 * be NULL).  A message that fails is put back with its pause; only a
 * database error stops the run.
 */
int
outbox_send_due(struct qrm *q, const struct mail_settings *ms, int max,
    int *sent, int *failed, struct qrm_error *err)
{
	struct qrm_error	 e;
	struct store		*st;
	struct mail		 m;
	char			 claim[33], *message;
	int64_t			 now;
	int			 rc, n = 0, ok = 0, bad = 0, give_up;

	if ((rc = mail_settings_check(ms, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	core_random_hex(claim, 16);
	rc = QRM_OK;
	while (max == 0 || n < max) {
		now = (int64_t)time(NULL);
		rc = store_outbox_claim(st, now, now - ms->lease, claim, &m,
		    err);
		if (rc == QRM_ENOTFOUND) {
			rc = QRM_OK;
			break;
		}
		if (rc != QRM_OK)
			break;
		n++;
		memset(&e, 0, sizeof(e));
		if ((message = outbox_message(&m, ms->from)) == NULL)
			qrm_seterr(&e, QRM_ESYS, "", "out of memory");
		else if (smtp_send(ms, &m, message, &e) == QRM_OK) {
			free(message);
			rc = store_outbox_sent(st, m.id, claim,
			    (int64_t)time(NULL), err);
			mail_clear(&m);
			ok++;
			if (rc != QRM_OK)
				break;
			continue;
		}
		free(message);
		give_up = m.attempts >= OUTBOX_MAX_TRIES;
		log_warn("mail %lld to %s: try %d failed: %s%s",
		    (long long)m.id, m.recipient, m.attempts, e.msg, give_up ?
		    " (given up: quorum outbox retry)" : "");
		rc = store_outbox_failed(st, m.id, claim, (int64_t)time(NULL) +
		    retry_pause(m.attempts), e.msg, give_up, err);
		mail_clear(&m);
		bad++;
		if (rc != QRM_OK)
			break;
	}
	if (sent != NULL)
		*sent = ok;
	if (failed != NULL)
		*failed = bad;
	return rc;
}

/* `quorum outbox list`: the newest messages, of a status (or any). */
int
core_outbox_list(struct qrm *q, const struct actor *a, const char *status,
    int limit, struct mail_list *out, struct qrm_error *err)
{
	struct store	*st;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if (status != NULL && model_enum_parse(mail_status_names, MAIL__MAX,
	    status) < 0)
		return qrm_seterr(err, QRM_EINVAL, "status", "status must be "
		    "queued, sending, sent or failed");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	return store_outbox_list(st, status, limit > 0 ? limit : 100, out, err);
}

/* `quorum outbox retry`: message id (0: every failed one) due now. */
int
core_outbox_retry(struct qrm *q, const struct actor *a, int64_t id,
    int64_t *n, struct qrm_error *err)
{
	struct store	*st;
	int		 rc;

	*n = 0;
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_outbox_retry(st, id, (int64_t)time(NULL), n, err)))
		return rc;
	if (id != 0 && *n == 0)
		return qrm_seterr(err, QRM_ENOTFOUND, "id", "no queued or "
		    "failed message %lld", (long long)id);
	return QRM_OK;
}

json_t *
mail_to_json(const struct mail *m)
{
	char	created[32], next[32], sent[32];

	utc_format(m->created, created, sizeof(created));
	utc_format(m->next_at, next, sizeof(next));
	utc_format(m->sent_at, sent, sizeof(sent));
	return json_pack("{s:I, s:s, s:o, s:s, s:s?, s:s, s:s, s:s, s:i, "
	    "s:o, s:o, s:s?}", "id", (json_int_t)m->id, "kind", m->kind,
	    "member", m->member ? json_integer(m->member) : json_null(),
	    "recipient", m->recipient, "name", m->name, "subject", m->subject,
	    "created", created, "status", mail_status_names[m->status],
	    "attempts", m->attempts, "next_at", m->status == MAIL_QUEUED ?
	    json_string(next) : json_null(), "sent_at", m->sent_at ?
	    json_string(sent) : json_null(), "last_error", m->last_error);
}

/* The running server's sender: a thread that sends what is due. */
struct outbox_worker {
	struct qrm		*q;
	struct mail_settings	 ms;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 stopping;
};

static void *
worker_run(void *arg)
{
	struct outbox_worker	*w = arg;
	struct qrm_error	 err;
	struct timespec		 ts;
	int64_t			 now, checked = 0;
	int			 queued, recorded;

	pthread_mutex_lock(&w->mu);
	while (!w->stopping) {
		pthread_mutex_unlock(&w->mu);
		/* offers and reminders are due by the minute: no oftener */
		if ((now = (int64_t)time(NULL)) - checked >= 60) {
			checked = now;
			memset(&err, 0, sizeof(err));
			if (core_offers_expire(w->q, now, &queued, &err) !=
			    QRM_OK)
				log_warn("offers: %s", err.msg);
			memset(&err, 0, sizeof(err));
			if (core_reminders_send(w->q, now, &queued, &err) !=
			    QRM_OK)
				log_warn("reminders: %s", err.msg);
			memset(&err, 0, sizeof(err));
			if (core_forecast_run(w->q, now, &queued, &recorded,
			    &err) != QRM_OK)
				log_warn("quorum forecast: %s", err.msg);
		}
		memset(&err, 0, sizeof(err));
		if (outbox_send_due(w->q, &w->ms, 100, NULL, NULL, &err) !=
		    QRM_OK)
			log_warn("outbox: %s", err.msg);
		pthread_mutex_lock(&w->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += w->ms.interval;
		if (!w->stopping)
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
	}
	pthread_mutex_unlock(&w->mu);
	qrm_thread_done(w->q);
	return NULL;
}

/*
 * Start sending the outbox every ms->interval seconds from a thread of
 * its own; outbox_worker_stop() ends it (after the message in hand).
 */
int
outbox_worker_start(struct qrm *q, const struct mail_settings *ms,
    struct outbox_worker **out, struct qrm_error *err)
{
	struct outbox_worker	*w;
	int			 rc;

	*out = NULL;
	if ((rc = mail_settings_check(ms, err)) != QRM_OK)
		return rc;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	w->q = q;
	w->ms = *ms;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, worker_run, w) != 0) {
		free(w);
		return qrm_seterr(err, QRM_ESYS, "", "cannot start the outbox");
	}
	*out = w;
	return QRM_OK;
}

void
outbox_worker_stop(struct outbox_worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
