/*
 * cmd-member.c: members (add, update, show, list, deactivate, import,
 * history, export, erase, links) and their tokens (issue, list, revoke).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int
print_member(struct member *m)
{
	json_t	*o = member_to_json(m);

	member_clear(m);
	return cmd_print_json(o);
}

static int
cmd_member_add(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct member		 m;
	int			 rc;

	rc = core_member_create(c->q, c->actor, c->body, &m, &err);
	if (rc == QRM_OK)
		printf("%lld\n", (long long)m.id);
	member_clear(&m);
	return rc == QRM_OK ? 0 : cmd_fail(&err, rc);
}

static int
cmd_member_update(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct member		 m;
	int64_t			 id = cmd_arg_id(c, 0);
	int			 rc;

	if (json_object_size(c->body) == 0)
		return cmd_usage_error(c, "nothing to change: name a field, "
		    "e.g. --branch \"North West\"");
	if ((rc = core_member_update(c->q, c->actor, id, c->body, &m, &err)))
		return cmd_fail(&err, rc);
	return print_member(&m);
}

/* The commands that take one member id and answer JSON or the member. */
static int
cmd_member_one(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct member		 m;
	const char		*sub = c->entry->sub;
	json_t			*o = NULL;
	int64_t			 id = cmd_arg_id(c, 0);
	int			 rc;

	if (strcmp(sub, "export") == 0 || strcmp(sub, "history") == 0)
		return cmd_reply(sub[0] == 'e' ? core_member_export(c->q,
		    c->actor, id, &o, &err) : core_member_history(c->q,
		    c->actor, id, &o, &err), &err, &o);
	if (strcmp(sub, "erase") == 0) {
		if ((rc = core_member_erase(c->q, c->actor, id, &err)))
			return cmd_fail(&err, rc);
		printf("member %lld erased\n", (long long)id);
		return 0;
	}
	if (strcmp(sub, "deactivate") == 0)
		rc = core_member_deactivate(c->q, c->actor, id, &m, &err);
	else
		rc = core_member_get(c->q, c->actor, id, &m, &err);
	if (rc != QRM_OK)
		return cmd_fail(&err, rc);
	return print_member(&m);
}

static int
cmd_member_list(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct member_list	 l;
	json_t			*items;
	char			*auds;
	size_t			 i;
	int			 rc;

	if ((rc = core_member_list(c->q, c->actor, cmd_text(c, "audience"),
	    cmd_text(c, "role"), cmd_flag(c, "all"), &l, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	if (cmd_flag(c, "json")) {
		items = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(items, member_to_json(&l.v[i]));
		member_list_free(&l);
		return cmd_print_json(json_pack("{s:o}", "items", items));
	}
	if (l.n == 0)
		puts("No members.");
	else
		printf("%5s  %-8s  %-10s  %-24s  %-32s  %s\n", "ID", "ROLE",
		    "NUMBER", "NAME", "E-MAIL", "AUDIENCES");
	for (i = 0; i < l.n; i++) {
		auds = strv_join(&l.v[i].audiences, ',');
		printf("%5lld  %-8s  %-10s  %-24s  %-32s  %s%s\n",
		    (long long)l.v[i].id, role_names[l.v[i].role],
		    l.v[i].number ? l.v[i].number : "-", l.v[i].name,
		    l.v[i].email, auds ? auds : "", l.v[i].active ? "" :
		    "  (inactive)");
		free(auds);
	}
	member_list_free(&l);
	return 0;
}

static int
cmd_member_import(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*o;
	char			*text;
	size_t			 len;
	int			 rc;

	if ((text = cmd_read_file(c->argv[0], 4u << 20, &len)) == NULL) {
		fprintf(stderr, "quorum: %s: %s\n", c->argv[0], errno ==
		    EFBIG ? "larger than 4 MiB" : strerror(errno));
		return EXIT_REFUSED;
	}
	rc = core_member_import_csv(c->q, c->actor, text, len, &o, &err);
	free(text);
	if (rc != QRM_OK) {
		fprintf(stderr, "quorum: %s: %s\n", c->argv[0], err.msg);
		return EXIT_REFUSED;
	}
	rc = json_array_size(json_object_get(o, "refused")) ? EXIT_REFUSED : 0;
	cmd_print_json(o);
	return rc;
}

/* One feed link, as https (or http) and as webcal:// for Apple apps. */
static void
link_pair(const char *base, const char *path, const char *token,
    const char *label)
{
	const char	*host = strstr(base, "://");

	printf("  %s\n    %s%s?token=%s\n", label, base, path, token);
	if (host != NULL)
		printf("    webcal://%s%s?token=%s\n", host + 3, path, token);
}

/*
 * Print the subscribe links of member with a feed token: their own
 * feed, their actions, and every audience feed they may see.
 */
int
cmd_member_links_print(struct qrm *q, const char *base, int64_t member,
    const char *token)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	struct member		 m;
	struct actor		 admin = { 0, ROLE_ADMIN, "cli" };
	char			 path[128], label[400];
	size_t			 i;
	int			 rc;

	if ((rc = core_member_get(q, &admin, member, &m, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	link_pair(base, "/feeds/me.ics", token,
	    "Everything of yours (meetings, answers, actions):");
	link_pair(base, "/feeds/actions.ics", token, "Your actions only:");
	if ((rc = core_audience_list(q, &l, &err)) != QRM_OK) {
		member_clear(&m);
		return cmd_fail(&err, rc);
	}
	for (i = 0; i < l.n; i++) {
		if (!core_may_see_audience(q, &m, &l.v[i], NULL))
			continue;
		snprintf(path, sizeof(path), "/feeds/%s.ics", l.v[i].slug);
		snprintf(label, sizeof(label), "%s:", l.v[i].name);
		link_pair(base, path, token, label);
	}
	audience_list_free(&l);
	member_clear(&m);
	return 0;
}

static int
cmd_member_calendar(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct buf		 b = { 0 };
	int			 rc;

	if ((rc = feed_member_whole(c->q, c->actor, cmd_arg_id(c, 0), &b,
	    &err)) != QRM_OK) {
		buf_free(&b);
		return cmd_fail(&err, rc);
	}
	fwrite(b.p, 1, b.len, stdout);
	buf_free(&b);
	return 0;
}

static int
cmd_member_links(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct member		 m;
	char			*token = NULL;
	int64_t			 id = cmd_arg_id(c, 0);
	int			 rc;

	if ((rc = core_member_get(c->q, c->actor, id, &m, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	printf("Calendar links of %s (a new feed token; earlier links "
	    "work until revoked):\n", m.name);
	member_clear(&m);
	if ((rc = core_token_issue(c->q, c->actor, id, SCOPE_FEED, LEVEL_FULL, &token,
	    &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	rc = cmd_member_links_print(c->q, c->base_url, id, token);
	free(token);
	return rc;
}

static int
cmd_token_issue(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	const char		*scope = cmd_text(c, "scope");
	const char		*level = cmd_text(c, "level");
	char			*token = NULL;
	int64_t			 member;
	int			 rc, sc, lv;

	if (cmd_int(c, "member", &member) == -1 || scope == NULL)
		return cmd_usage_error(c, "--member ID and --scope api|feed "
		    "are needed");
	if ((sc = model_enum_parse(token_scope_names, SCOPE__MAX, scope)) < 0)
		return cmd_usage_error(c, "--scope: '%s' must be api or feed",
		    scope);
	lv = level == NULL ? LEVEL_FULL : model_enum_parse(feed_level_names,
	    LEVEL__MAX, level);
	if (lv < 0)
		return cmd_usage_error(c, "--level: '%s' must be full, neutral "
		    "or busy", level);
	if (lv != LEVEL_FULL && sc != SCOPE_FEED)
		return cmd_usage_error(c, "--level is for --scope feed");
	if ((rc = core_token_issue(c->q, c->actor, member,
	    (enum token_scope)sc, (enum feed_level)lv, &token, &err)) !=
	    QRM_OK)
		return cmd_fail(&err, rc);
	puts(token);
	free(token);
	return 0;
}

static int
cmd_token_list(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*list = NULL;
	int64_t			 member = 0;

	cmd_int(c, "member", &member);
	return cmd_reply(core_token_list(c->q, c->actor, member, &list, &err),
	    &err, &list);
}

static int
cmd_token_revoke(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	int64_t			 id = cmd_arg_id(c, 0);
	int			 rc;

	if ((rc = core_token_revoke(c->q, c->actor, id, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	printf("token %lld revoked\n", (long long)id);
	return 0;
}

#define MEMBER_FIELDS \
	{ "name", OPT_TEXT, "name", "N", "full name" }, \
	{ "email", OPT_TEXT, "email", "E", "e-mail address" }, \
	{ "number", OPT_TEXT, "number", "N", "membership number" }, \
	{ "role", OPT_TEXT, "role", "R", "member, rep, official or admin" }, \
	{ "branch", OPT_TEXT, "branch", "B", "branch" }, \
	{ "feed-alarm", OPT_TEXT, "feed_alarm", "DURATION", "an alert in " \
	  "their own feed so long before each meeting (PT30M), or none" }, \
	{ "reminders", OPT_TEXT, "reminders", "LIST", "reminders before " \
	  "meetings they accept: \"P1D,PT1H\", or \"none\"" }, \
	{ "work-hours", OPT_TEXT, "work_hours", "HOURS", "when they work, " \
	  "for the slot finder (default \"Mon-Fri 09:00-17:00\")" }, \
	{ "contract-hours", OPT_TEXT, "contract_hours", "H", "contracted " \
	  "hours a week, for facility time (default 37)" }, \
	{ "audience", OPT_TEXTS, "audiences", "SLUG", "an audience they " \
	  "belong to (replaces the list)" }, \
	{ "scope", OPT_TEXTS, "scopes", "SLUG", "an audience whose people " \
	  "a rep may see (replaces the list)" }

static const struct cmd_opt add_opts[] = {
	MEMBER_FIELDS,
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt list_opts[] = {
	{ "audience", OPT_TEXT, NULL, "SLUG", "members of this audience" },
	{ "role", OPT_TEXT, NULL, "R", "only this role" },
	{ "all", OPT_FLAG, NULL, NULL, "deactivated members too" },
	{ "json", OPT_FLAG, NULL, NULL, "as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt issue_opts[] = {
	{ "member", OPT_INT, NULL, "ID", "whose token" },
	{ "scope", OPT_TEXT, NULL, "api|feed",
	  "api (the JSON API) or feed (calendar links)" },
	{ "level", OPT_TEXT, NULL, "full|neutral|busy",
	  "a feed's detail (default full): neutral shows kind and time only, "
	  "busy \"Union business\" and the time, for a work calendar" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt token_list_opts[] = {
	{ "member", OPT_INT, NULL, "ID", "only this member's tokens" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_member_entries[] = {
	{ "member", "add", "--name N --email E", 0, 0, add_opts,
	  "add a member; prints the new id", CMD_DB, cmd_member_add },
	{ "member", "update", "ID", 1, 1, add_opts,
	  "change some fields of a member", CMD_DB, cmd_member_update },
	{ "member", "show", "ID", 1, 1, NULL,
	  "one member as JSON", CMD_DB, cmd_member_one },
	{ "member", "list", NULL, 0, 0, list_opts,
	  "members, with their numbers and audiences", CMD_DB,
	  cmd_member_list },
	{ "member", "deactivate", "ID", 1, 1, NULL,
	  "deactivate a member (kept for the records; tokens stop)", CMD_DB,
	  cmd_member_one },
	{ "member", "import", "FILE.csv", 1, 1, NULL,
	  "add or update members from a CSV file", CMD_DB, cmd_member_import },
	{ "member", "history", "ID", 1, 1, NULL,
	  "the meetings a member was invited to and attended", CMD_DB,
	  cmd_member_one },
	{ "member", "export", "ID", 1, 1, NULL,
	  "everything held about a member (subject access)", CMD_DB,
	  cmd_member_one },
	{ "member", "erase", "ID", 1, 1, NULL,
	  "erase a member's personal data (counts stand)", CMD_DB,
	  cmd_member_one },
	{ "member", "calendar", "ID", 1, 1, NULL,
	  "what a member's calendar link gives them, as iCalendar", CMD_DB,
	  cmd_member_calendar },
	{ "member", "links", "ID", 1, 1, NULL,
	  "a member's calendar links to subscribe to (issues a feed token)",
	  CMD_DB, cmd_member_links },
	{ "token", "issue", "--member ID --scope api|feed", 0, 0, issue_opts,
	  "issue a token; prints it, once", CMD_DB, cmd_token_issue },
	{ "token", "list", NULL, 0, 0, token_list_opts,
	  "tokens (never their secrets)", CMD_DB, cmd_token_list },
	{ "token", "revoke", "ID", 1, 1, NULL,
	  "revoke a token at once", CMD_DB, cmd_token_revoke },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0, NULL }
};
