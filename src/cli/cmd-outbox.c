/*
 * cmd-outbox.c: the mail outbox: list what is queued, sent or failed,
 * send what is due, and put failed messages back in the queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static int
cmd_outbox_list(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct mail_list	 l;
	json_t			*items;
	char			 when[32];
	int64_t			 limit = 100;
	size_t			 i;
	int			 rc;

	cmd_int(c, "limit", &limit);
	if ((rc = core_outbox_list(c->q, c->actor, cmd_text(c, "status"),
	    limit < 1 || limit > 100000 ? 100 : (int)limit, &l, &err)))
		return cmd_fail(&err, rc);
	if (cmd_flag(c, "json")) {
		items = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(items, mail_to_json(&l.v[i]));
		mail_list_free(&l);
		return cmd_print_json(json_pack("{s:o}", "items", items));
	}
	if (l.n == 0)
		puts("The outbox is empty.");
	else
		printf("%5s  %-8s  %5s  %-20s  %-30s  %s\n", "ID", "STATUS",
		    "TRIES", "SENT / NEXT TRY", "TO", "SUBJECT");
	for (i = 0; i < l.n; i++) {
		const struct mail *m = &l.v[i];

		when[0] = '\0';
		if (m->status == MAIL_SENT)
			utc_format(m->sent_at, when, sizeof(when));
		else if (m->status == MAIL_QUEUED)
			utc_format(m->next_at, when, sizeof(when));
		printf("%5lld  %-8s  %5d  %-20s  %-30s  %s\n", (long long)m->id,
		    mail_status_names[m->status], m->attempts, when[0] ? when :
		    "-", m->recipient, m->subject);
		if (m->last_error != NULL && m->status != MAIL_SENT)
			printf("%5s  last error: %s\n", "", m->last_error);
	}
	mail_list_free(&l);
	return 0;
}

static int
cmd_outbox_send(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct mail_settings	 ms;
	int			 rc, sent = 0, failed = 0;

	mail_settings_env(&ms);
	if ((rc = outbox_send_due(c->q, &ms, 0, &sent, &failed, &err)))
		return cmd_fail(&err, rc);
	printf("%d sent, %d failed (to be tried again)\n", sent, failed);
	return failed > 0 ? EXIT_REFUSED : 0;
}

static int
cmd_outbox_retry(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	int64_t			 n, total = 0, id;
	int			 i, rc;

	if (c->argc == 0 && !cmd_flag(c, "failed"))
		return cmd_usage_error(c, "name the messages, or --failed for "
		    "every failed one");
	if (cmd_flag(c, "failed")) {
		if ((rc = core_outbox_retry(c->q, c->actor, 0, &n, &err)))
			return cmd_fail(&err, rc);
		total += n;
	}
	for (i = 0; i < c->argc; i++) {
		id = cmd_arg_id(c, i);
		if ((rc = core_outbox_retry(c->q, c->actor, id, &n, &err)))
			return cmd_fail(&err, rc);
		total += n;
	}
	printf("%lld message%s due again now\n", (long long)total,
	    total == 1 ? "" : "s");
	return 0;
}

static const struct cmd_opt list_opts[] = {
	{ "status", OPT_TEXT, NULL, "S", "queued, sending, sent or failed" },
	{ "limit", OPT_INT, NULL, "N", "the newest N (default 100)" },
	{ "json", OPT_FLAG, NULL, NULL, "as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt retry_opts[] = {
	{ "failed", OPT_FLAG, NULL, NULL, "every message that was given up" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_outbox_entries[] = {
	{ "outbox", "list", NULL, 0, 0, list_opts,
	  "the mail queued, sent and failed, newest first", CMD_DB,
	  cmd_outbox_list },
	{ "outbox", "send", NULL, 0, 0, NULL,
	  "send what is due now ($QUORUM_SMTP, $QUORUM_MAIL_FROM)", CMD_DB,
	  cmd_outbox_send },
	{ "outbox", "retry", "ID...", 0, -1, retry_opts,
	  "make messages due again now (after a failure)", CMD_DB,
	  cmd_outbox_retry },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0, NULL }
};
