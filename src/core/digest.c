/*
 * digest.c: the daily digest of overdue actions, one e-mail per owner,
 * queued in the outbox (and sent at once when a mail server is set).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_int.h"

/* Text for one line of the body: no line breaks of its own. */
static void
line_text(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		buf_append(b, (unsigned char)*s < 0x20 ? " " : s, 1);
}

/*
 * Is x waiting past the date the employer promised (today is past it),
 * and its owner not yet chased about that promise?
 */
static int
late_promise(const struct action *x, const char *today)
{
	return (x->status == ACTION_OPEN || x->status == ACTION_WAITING) &&
	    x->promised[0] && strcmp(x->promised, today) < 0 &&
	    strcmp(x->chased, x->promised) != 0;
}

/* The digest's body for one owner: l->v[first..last) are theirs. */
static char *
digest_body(const struct member *m, const struct action_list *l,
    size_t first, size_t last, const char *today)
{
	struct buf	b = { 0 };
	size_t		i;

	buf_puts(&b, "Dear ");
	line_text(&b, m->name);
	buf_puts(&b, ",\n\nThese actions are overdue:\n\n");
	for (i = first; i < last; i++) {
		const struct action *x = &l->v[i];

		buf_puts(&b, "- ");
		line_text(&b, x->title);
		if (x->due[0])
			buf_printf(&b, "\n  due %s, %s", x->due,
			    action_status_names[x->status]);
		else
			buf_printf(&b, "\n  %s", action_status_names[x->status]);
		if (x->waiting_on != NULL) {
			buf_puts(&b, " (waiting on ");
			line_text(&b, x->waiting_on);
			buf_puts(&b, ")");
		}
		if (late_promise(x, today))
			buf_printf(&b, "\n  asked for %s; promised by %s, %lld "
			    "day%s ago, and no answer yet: chase them",
			    x->asked[0] ? x->asked : "(date not recorded)",
			    x->promised, (long long)core_days_between(
			    x->promised, today), core_days_between(x->promised,
			    today) == 1 ? "" : "s");
		if (x->event_title != NULL) {
			buf_puts(&b, "\n  from: ");
			line_text(&b, x->event_title);
		}
		buf_puts(&b, "\n");
	}
	buf_puts(&b, "\nMark them done in quorum when they are.\n");
	return buf_detach(&b);
}

/* Append to l the open actions with a late promise not yet chased. */
static int
add_late_promises(struct store *st, struct action_list *l, const char *today,
    struct qrm_error *err)
{
	struct action_filter	 f;
	struct action_list	 open;
	struct action		*nv;
	size_t			 i, k;
	int			 rc;

	memset(&f, 0, sizeof(f));
	f.status = -1;
	f.closed_since = INT64_MAX;	/* open and waiting only */
	if ((rc = store_action_list(st, &f, &open, err)) != QRM_OK)
		return rc;
	for (i = 0; i < open.n; i++) {
		if (open.v[i].owner == 0 || !late_promise(&open.v[i], today))
			continue;
		for (k = 0; k < l->n && l->v[k].id != open.v[i].id; k++)
			;
		if (k < l->n)
			continue;	/* overdue already */
		if ((nv = reallocarray(l->v, l->n + 1, sizeof(*nv))) == NULL) {
			action_list_free(&open);
			return qrm_seterr(err, QRM_ESYS, "", "out of memory");
		}
		l->v = nv;
		l->v[l->n++] = open.v[i];
		memset(&open.v[i], 0, sizeof(open.v[i]));	/* moved */
	}
	action_list_free(&open);
	return QRM_OK;
}

/*
 * Queue for each owner of overdue actions one e-mail listing them; when
 * ms names a mail server, send the outbox at once.  With dry_run,
 * queue nothing and show each message.  *report: {"sent": [{"member",
 * "email", "actions", "mail"}], "failed": [... "error"], "queued":
 * [...]}: a message not sent stays queued and is tried again.
 */
int
core_digest_send(struct qrm *q, const struct actor *a,
    const struct mail_settings *ms, int dry_run, json_t **report,
    struct qrm_error *err)
{
	struct store		*st;
	struct action_filter	 f;
	struct action_list	 l;
	struct member		 m;
	struct mail		 mail;
	json_t			*entries, *entry, *out, *sent, *failed, *queued;
	char			 today[11], subject[64], *body, *text;
	int64_t			 id;
	size_t			 i, j, k;
	int			 rc, send_now;

	*report = NULL;
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	send_now = !dry_run && ms->smtp != NULL && *ms->smtp != '\0';
	if (send_now && (rc = mail_settings_check(ms, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	memset(&f, 0, sizeof(f));
	f.status = -1;
	core_today(today, sizeof(today));
	f.due_before = today;
	if ((rc = store_action_list(st, &f, &l, err)) != QRM_OK)
		return rc;
	/* and those the employer is late with, chased once a promise */
	if ((rc = add_late_promises(st, &l, today, err)) != QRM_OK) {
		action_list_free(&l);
		return rc;
	}
	/* group by owner: sort the owned ones together */
	for (i = 1; i < l.n; i++)
		for (j = i; j > 0 && l.v[j - 1].owner > l.v[j].owner; j--) {
			struct action t = l.v[j];

			l.v[j] = l.v[j - 1];
			l.v[j - 1] = t;
		}
	entries = json_array();
	if (!dry_run && (rc = store_tx_begin(st, err)) != QRM_OK)
		goto out;
	for (i = 0; i < l.n && rc == QRM_OK; i = j) {
		for (j = i; j < l.n && l.v[j].owner == l.v[i].owner; j++)
			;
		if (l.v[i].owner == 0 ||
		    store_member_get(st, l.v[i].owner, &m, NULL) != QRM_OK)
			continue;
		snprintf(subject, sizeof(subject), "Overdue union actions: %zu",
		    j - i);
		body = digest_body(&m, &l, i, j, today);
		entry = json_pack("{s:I, s:s, s:i}", "member", (json_int_t)m.id,
		    "email", m.email, "actions", (int)(j - i));
		if (body == NULL)
			rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
		else if (dry_run) {
			memset(&mail, 0, sizeof(mail));
			mail.recipient = m.email;
			mail.name = m.name;
			mail.subject = subject;
			mail.body = body;
			text = outbox_message(&mail, ms->from && *ms->from ?
			    ms->from : "quorum@localhost");
			json_object_set_new(entry, "message",
			    json_string(text ? text : ""));
			free(text);
		} else if ((rc = outbox_queue(st, "digest", &m, subject, body,
		    &id, err)) == QRM_OK) {
			json_object_set_new(entry, "mail", json_integer(id));
			/* chased: not again until a new promise passes */
			for (k = i; k < j && rc == QRM_OK; k++)
				if (late_promise(&l.v[k], today)) {
					memcpy(l.v[k].chased, l.v[k].promised,
					    sizeof(l.v[k].chased));
					rc = store_action_update(st, &l.v[k],
					    err);
				}
		}
		json_array_append_new(entries, entry);
		free(body);
		member_clear(&m);
	}
	if (!dry_run) {
		if (rc == QRM_OK)
			rc = store_tx_commit_quiet(st, err);
		else
			store_tx_rollback(st);
	}
	if (rc == QRM_OK && send_now)
		rc = outbox_send_due(q, ms, 0, NULL, NULL, err);
	if (rc != QRM_OK)
		goto out;
	/* what became of each: read back from the outbox */
	sent = json_array();
	failed = json_array();
	queued = json_array();
	json_array_foreach(entries, i, entry) {
		out = dry_run ? sent : queued;
		memset(&mail, 0, sizeof(mail));
		if (!dry_run && store_outbox_get(st, json_integer_value(
		    json_object_get(entry, "mail")), &mail, NULL) == QRM_OK) {
			if (mail.status == MAIL_SENT)
				out = sent;
			else if (send_now) {
				out = failed;
				json_object_set_new(entry, "error", json_string(
				    mail.last_error ? mail.last_error : ""));
			}
		}
		mail_clear(&mail);
		json_array_append(out, entry);
	}
	*report = json_pack("{s:o, s:o, s:o}", "sent", sent, "failed", failed,
	    "queued", queued);
out:
	json_decref(entries);
	action_list_free(&l);
	return rc;
}
