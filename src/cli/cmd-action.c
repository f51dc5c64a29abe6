/*
 * cmd-action.c: follow-up actions (add, update, done, show, list,
 * overdue, digest), meeting notes and agendas.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void
print_action_row(const struct action *x)
{
	printf("%5lld  %-9s  %-10s  %-24s  %s\n", (long long)x->id,
	    action_status_names[x->status], x->due[0] ? x->due : "-",
	    x->owner_name ? x->owner_name : x->waiting_on ? x->waiting_on :
	    "-", x->title);
}

static int
print_action(int rc, const struct qrm_error *err, struct action *x)
{
	json_t	*o;

	if (rc != QRM_OK)
		return cmd_fail(err, rc);
	o = action_to_json(x);
	action_clear(x);
	return cmd_print_json(o);
}

static int
cmd_action_add(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct action		 x;
	int64_t			 event = 0;
	int			 rc;

	cmd_int(c, "event", &event);
	rc = core_action_create(c->q, c->actor, event, c->body, &x, &err);
	return print_action(rc, &err, &x);
}

static int
cmd_action_update(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct action		 x;
	int			 rc;

	if (strcmp(c->entry->sub, "done") == 0)
		json_object_set_new(c->body, "status", json_string("done"));
	else if (json_object_size(c->body) == 0)
		return cmd_usage_error(c, "nothing to change: name a field, "
		    "e.g. --due 2027-02-01");
	rc = core_action_update(c->q, c->actor, cmd_arg_id(c, 0), c->body, &x,
	    &err);
	return print_action(rc, &err, &x);
}

static int
cmd_action_show(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct action		 x;
	int			 rc;

	rc = core_action_get(c->q, c->actor, cmd_arg_id(c, 0), &x, &err);
	return print_action(rc, &err, &x);
}

static int
cmd_action_list(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct action_list	 l;
	json_t			*items;
	const char		*owner = NULL;
	char			 ownerbuf[32];
	int64_t			 n, event = 0;
	size_t			 i;
	int			 rc, overdue;

	if (cmd_int(c, "owner", &n) == 0) {
		snprintf(ownerbuf, sizeof(ownerbuf), "%lld", (long long)n);
		owner = ownerbuf;
	}
	cmd_int(c, "event", &event);
	overdue = cmd_flag(c, "overdue") ||
	    strcmp(c->entry->sub, "overdue") == 0;
	if ((rc = core_action_list(c->q, c->actor, owner,
	    cmd_text(c, "status"), overdue, event, &l, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	if (cmd_flag(c, "json")) {
		items = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(items, action_to_json(&l.v[i]));
		action_list_free(&l);
		return cmd_print_json(json_pack("{s:o}", "items", items));
	}
	if (l.n == 0)
		puts(overdue ? "Nothing overdue." : "No actions.");
	else
		printf("%5s  %-9s  %-10s  %-24s  %s\n", "ID", "STATUS", "DUE",
		    "OWNER / WAITING ON", "TITLE");
	for (i = 0; i < l.n; i++)
		print_action_row(&l.v[i]);
	action_list_free(&l);
	return 0;
}

/* What a message would say, indented under its heading. */
static void
print_indented(const char *text)
{
	const char	*p = text, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		printf("    %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static int
cmd_action_digest(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct mail_settings	 ms;
	json_t			*out, *it;
	size_t			 i;
	int			 rc, dry = cmd_flag(c, "dry-run");

	mail_settings_env(&ms);
	if (cmd_text(c, "smtp") != NULL)
		ms.smtp = cmd_text(c, "smtp");
	if (cmd_text(c, "from") != NULL)
		ms.from = cmd_text(c, "from");
	if ((rc = core_digest_send(c->q, c->actor, &ms, dry, &out, &err)))
		return cmd_fail(&err, rc);
	rc = json_array_size(json_object_get(out, "failed")) ?
	    EXIT_REFUSED : 0;
	if (!dry || cmd_flag(c, "json")) {
		cmd_print_json(out);
		return rc;
	}
	if (json_array_size(json_object_get(out, "sent")) == 0)
		puts("No one has overdue actions: no message would be sent.");
	json_array_foreach(json_object_get(out, "sent"), i, it) {
		printf("Would send to %s (%lld overdue):\n",
		    json_string_value(json_object_get(it, "email")),
		    (long long)json_integer_value(json_object_get(it,
		    "actions")));
		print_indented(json_string_value(json_object_get(it,
		    "message")));
		putchar('\n');
	}
	json_decref(out);
	return rc;
}

static int
cmd_notes(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	const char		*file = cmd_text(c, "set"), *text;
	json_t			*out;
	char			*body;
	size_t			 len;
	int64_t			 event = cmd_arg_id(c, 0);
	int			 rc;

	if (file != NULL) {
		if ((body = cmd_read_file(file, 256 * 1024, &len)) == NULL) {
			fprintf(stderr, "quorum: %s: %s\n", file,
			    errno == EFBIG ? "larger than 256 KiB" :
			    strerror(errno));
			return EXIT_REFUSED;
		}
		rc = core_notes_put(c->q, c->actor, event, body, len, &out,
		    &err);
		free(body);
	} else
		rc = core_notes_get(c->q, c->actor, event, &out, &err);
	if (rc != QRM_OK)
		return cmd_fail(&err, rc);
	if (cmd_flag(c, "json"))
		return cmd_print_json(out);
	if (file != NULL)
		printf("The notes of event %lld are saved (%zu revisions).\n",
		    (long long)event, json_array_size(json_object_get(out,
		    "revisions")));
	else {
		text = json_string_value(json_object_get(out, "text"));
		if (text == NULL || *text == '\0')
			printf("Event %lld has no notes yet.\n", (long long)event);
		else
			printf("%s%s", text, text[strlen(text) - 1] == '\n' ?
			    "" : "\n");
	}
	json_decref(out);
	return 0;
}

static int
cmd_agenda(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;

	return cmd_reply(core_agenda(c->q, c->actor, cmd_arg_id(c, 0), &out,
	    &err), &err, &out);
}

#define ACTION_FIELDS \
	{ "title", OPT_TEXT, "title", "T", "what is to be done" }, \
	{ "owner", OPT_INT, "owner", "ID", "the member who owns it" }, \
	{ "waiting-on", OPT_TEXT, "waiting_on", "W", "who outside it waits " \
	  "on (e.g. employer)" }, \
	{ "due", OPT_TEXT, "due", "DATE", "when it is due (YYYY-MM-DD)" }, \
	{ "asked", OPT_TEXT, "asked", "DATE", "when the employer was asked " \
	  "(the employer's clock)" }, \
	{ "promised", OPT_TEXT, "promised", "DATE", "when the employer " \
	  "promised an answer by; past it, the owner is chased" }, \
	{ "notes", OPT_TEXT, "notes", "N", "notes" }, \
	{ "status", OPT_TEXT, "status", "S", "open, waiting, done or " \
	  "cancelled" }

static const struct cmd_opt add_opts[] = {
	{ "event", OPT_INT, NULL, "ID", "the meeting it came from" },
	ACTION_FIELDS,
	{ "from-notes-line", OPT_INT, "from_notes_line", "N",
	  "take the title from line N of the meeting's notes" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt update_opts[] = {
	ACTION_FIELDS,
	{ "note", OPT_TEXT, "note", "WHY", "why (kept in its history)" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt done_opts[] = {
	{ "note", OPT_TEXT, "note", "WHY", "why (kept in its history)" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt list_opts[] = {
	{ "owner", OPT_INT, NULL, "ID", "owned by this member" },
	{ "status", OPT_TEXT, NULL, "S", "only this status" },
	{ "event", OPT_INT, NULL, "ID", "from this meeting" },
	{ "overdue", OPT_FLAG, NULL, NULL, "only those past their due date" },
	{ "json", OPT_FLAG, NULL, NULL, "as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt overdue_opts[] = {
	{ "owner", OPT_INT, NULL, "ID", "owned by this member" },
	{ "json", OPT_FLAG, NULL, NULL, "as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt digest_opts[] = {
	{ "smtp", OPT_TEXT, NULL, "URL",
	  "the mail server, smtp://HOST:PORT (or $QUORUM_SMTP)" },
	{ "from", OPT_TEXT, NULL, "ADDR",
	  "the sender (or $QUORUM_MAIL_FROM)" },
	{ "dry-run", OPT_FLAG, NULL, NULL,
	  "show each message that would be sent; send nothing" },
	{ "json", OPT_FLAG, NULL, NULL, "the report as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt notes_opts[] = {
	{ "set", OPT_TEXT, NULL, "FILE|-", "save a new revision from a file" },
	{ "json", OPT_FLAG, NULL, NULL, "the text and every revision as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

/*
 * employer-feed on|off|status: the read-only link of what the employer
 * owes, for the union to give the employer side if it chooses.
 */
static int
cmd_employer_feed(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	const char		*what = c->argv[0];
	char			*url = NULL;
	int			 rc;

	if (strcmp(what, "on") != 0 && strcmp(what, "off") != 0)
		return cmd_usage_error(c, "say on (a new link; any earlier one "
		    "stops) or off");
	if ((rc = core_employer_feed(c->q, c->actor, strcmp(what, "on") == 0,
	    &url, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	if (url != NULL)
		printf("The employer's feed (what they owe, and by when):\n%s\n",
		    url);
	else
		puts("The employer's feed is off: its link no longer works.");
	free(url);
	return 0;
}

const struct cmd_entry cmd_action_entries[] = {
	{ "action", "add", "--title T [--event ID]", 0, 0, add_opts,
	  "add a follow-up action", CMD_DB, cmd_action_add },
	{ "action", "update", "ID", 1, 1, update_opts,
	  "change an action", CMD_DB, cmd_action_update },
	{ "action", "done", "ID", 1, 1, done_opts,
	  "mark an action done", CMD_DB, cmd_action_update },
	{ "action", "show", "ID", 1, 1, NULL,
	  "one action with its history", CMD_DB, cmd_action_show },
	{ "action", "list", NULL, 0, 0, list_opts,
	  "actions", CMD_DB, cmd_action_list },
	{ "action", "overdue", NULL, 0, 0, overdue_opts,
	  "actions past their due date", CMD_DB, cmd_action_list },
	{ "action", "digest", NULL, 0, 0, digest_opts,
	  "e-mail each owner of overdue actions one list (through the outbox)",
	  CMD_DB, cmd_action_digest },
	{ "notes", NULL, "EVENT", 1, 1, notes_opts,
	  "a meeting's notes (the text), or save a new revision", CMD_DB,
	  cmd_notes },
	{ "agenda", NULL, "EVENT", 1, 1, NULL,
	  "the open actions carried onto a meeting", CMD_DB, cmd_agenda },
	{ "employer-feed", NULL, "on|off", 1, 1, NULL,
	  "a read-only feed of what the employer owes (actions waiting on "
	  "them, and by when), for the union to give the employer side; "
	  "on makes a new link, off stops it", CMD_DB, cmd_employer_feed },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0, NULL }
};
