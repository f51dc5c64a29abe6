/*
 * cmd-signin.c: getting people in: sign-in links, invitations and
 * sessions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int
cmd_login_link(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct signin_settings	 ss;
	char			*url;
	int			 rc;

	signin_settings_env(&ss);
	if ((rc = core_signin_link(c->q, c->actor, cmd_arg_id(c, 0),
	    c->base_url, &url, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	printf("A sign-in link for member %lld; it works once, for %lld "
	    "minutes:\n%s\n", (long long)cmd_arg_id(c, 0),
	    (long long)ss.link_minutes, url);
	free(url);
	return 0;
}

static int
cmd_member_invite(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct mail_settings	 ms;
	struct strv		 ids = { 0 };
	json_t			*report;
	int			 i, rc, sent = 0, failed = 0;

	for (i = 0; i < c->argc; i++)
		strv_push(&ids, c->argv[i]);
	rc = core_member_invite(c->q, c->actor, &ids, cmd_text(c, "audience"),
	    cmd_flag(c, "all"), c->base_url, &report, &err);
	strv_free(&ids);
	if (rc != QRM_OK)
		return cmd_fail(&err, rc);
	mail_settings_env(&ms);
	if (ms.smtp != NULL && *ms.smtp != '\0' &&
	    (rc = outbox_send_due(c->q, &ms, 0, &sent, &failed, &err)))
		fprintf(stderr, "quorum: the outbox: %s\n", err.msg);
	if (cmd_flag(c, "json"))
		return cmd_print_json(report);
	printf("%zu invited, %zu skipped (deactivated); the welcome e-mails "
	    "are in the outbox", json_array_size(json_object_get(report,
	    "invited")), json_array_size(json_object_get(report, "skipped")));
	if (ms.smtp != NULL && *ms.smtp != '\0')
		printf(": %d sent now, %d to be tried again\n", sent, failed);
	else
		printf(" for the server to send ($QUORUM_SMTP)\n");
	json_decref(report);
	return 0;
}

static int
cmd_session_list(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct session_list	 l;
	json_t			*items;
	char			 seen[32];
	int64_t			 member = 0;
	size_t			 i;
	int			 rc;

	cmd_int(c, "member", &member);
	if ((rc = core_session_list(c->q, c->actor, member, &l, &err)))
		return cmd_fail(&err, rc);
	if (cmd_flag(c, "json")) {
		items = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(items, session_to_json(&l.v[i]));
		session_list_free(&l);
		return cmd_print_json(json_pack("{s:o}", "items", items));
	}
	if (l.n == 0)
		puts("No sessions.");
	else
		printf("%5s  %6s  %-20s  %-8s  %s\n", "ID", "MEMBER",
		    "LAST SEEN", "STATE", "BROWSER");
	for (i = 0; i < l.n; i++) {
		utc_format(l.v[i].last_seen, seen, sizeof(seen));
		printf("%5lld  %6lld  %-20s  %-8s  %.60s\n",
		    (long long)l.v[i].id, (long long)l.v[i].member, seen,
		    l.v[i].revoked ? "revoked" : "live", l.v[i].agent ?
		    l.v[i].agent : "-");
	}
	session_list_free(&l);
	return 0;
}

static int
cmd_session_revoke(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	int64_t			 member = 0, n;
	int			 rc;

	cmd_int(c, "member", &member);
	if ((c->argc == 1) == (member != 0))
		return cmd_usage_error(c, "name one session, or --member ID "
		    "for all of a member's");
	if ((rc = core_session_revoke(c->q, c->actor, c->argc ?
	    cmd_arg_id(c, 0) : 0, member, &n, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	if (member != 0)
		printf("member %lld is signed out everywhere\n",
		    (long long)member);
	else
		printf("session %lld revoked\n", (long long)cmd_arg_id(c, 0));
	return 0;
}

static const struct cmd_opt invite_opts[] = {
	{ "audience", OPT_TEXT, NULL, "SLUG",
	  "everyone in this audience (and below it)" },
	{ "all", OPT_FLAG, NULL, NULL, "every active member" },
	{ "json", OPT_FLAG, NULL, NULL, "the report as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt session_list_opts[] = {
	{ "member", OPT_INT, NULL, "ID", "only this member's" },
	{ "json", OPT_FLAG, NULL, NULL, "as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt session_revoke_opts[] = {
	{ "member", OPT_INT, NULL, "ID", "every session of this member" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_signin_entries[] = {
	{ "login-link", NULL, "ID", 1, 1, NULL,
	  "a one-time sign-in link for a member (the URL is the last line)",
	  CMD_DB, cmd_login_link },
	{ "member", "invite", "ID...", 0, -1, invite_opts,
	  "e-mail members a welcome with a one-time sign-in link", CMD_DB,
	  cmd_member_invite },
	{ "session", "list", NULL, 0, 0, session_list_opts,
	  "signed-in browsers", CMD_DB, cmd_session_list },
	{ "session", "revoke", "ID", 0, 1, session_revoke_opts,
	  "sign a browser out, or with --member every one of a member's",
	  CMD_DB, cmd_session_revoke },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0, NULL }
};
