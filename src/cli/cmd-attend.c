/*
 * cmd-attend.c: answers and attendance: attend, attend list, checkin
 * and register.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int
cmd_attend(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct attendance	 rec;
	json_t			*o;
	int			 rc;

	if (json_object_size(c->body) == 0)
		return cmd_usage_error(c, "nothing to record: give --rsvp or "
		    "--status");
	if ((rc = core_attendance_set(c->q, c->actor, cmd_arg_id(c, 0),
	    cmd_arg_id(c, 1), c->body, &rec, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	o = attendance_to_json(&rec);
	attendance_clear(&rec);
	return cmd_print_json(o);
}

static void
print_attendance_row(const struct attendance *a)
{
	char	rsvp[40];

	if (a->waitlisted)
		snprintf(rsvp, sizeof(rsvp), "%s (waiting, %d)",
		    rsvp_names[a->rsvp], a->wait_position);
	else
		snprintf(rsvp, sizeof(rsvp), "%s", rsvp_names[a->rsvp]);
	printf("%5lld  %-10s  %-24s  %-19s  %-20s  %s%s%s\n",
	    (long long)a->member, a->number ? a->number : "-",
	    a->name ? a->name : "", a->occurrence[0] ? a->occurrence : "-",
	    rsvp, att_status_names[a->status], a->reason ? ": " : "",
	    a->reason ? a->reason : "");
}

static int
cmd_attend_list(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct attendance_list	 l;
	json_t			*quorum, *out;
	size_t			 i;
	int			 rc;

	if ((rc = core_attendance_list(c->q, c->actor, cmd_arg_id(c, 0),
	    cmd_text(c, "occurrence"), cmd_text(c, "rsvp"),
	    cmd_text(c, "status"), &l, &quorum, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	if (cmd_flag(c, "json")) {
		out = attendance_list_json(&l);
		attendance_list_free(&l);
		if (quorum != NULL)
			json_object_set_new(out, "quorum", quorum);
		return cmd_print_json(out);
	}
	if (l.n == 0)
		puts("No one yet.");
	else
		printf("%5s  %-10s  %-24s  %-19s  %-20s  %s\n", "ID", "NUMBER",
		    "NAME", "DATE", "ANSWER", "ATTENDANCE");
	for (i = 0; i < l.n; i++)
		print_attendance_row(&l.v[i]);
	attendance_list_free(&l);
	if (quorum != NULL) {
		printf("Quorum: %lld of %lld present: %s\n", (long long)
		    json_integer_value(json_object_get(quorum, "present")),
		    (long long)json_integer_value(json_object_get(quorum,
		    "required")), json_is_true(json_object_get(quorum,
		    "reached")) ? "reached" : "not reached");
		json_decref(quorum);
	}
	return 0;
}

static int
cmd_checkin(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct attendance_list	 l;
	json_t			*numbers, *o;
	int			 i, rc;

	numbers = json_array();
	for (i = 1; i < c->argc; i++)
		json_array_append_new(numbers, json_string(c->argv[i]));
	json_object_set_new(c->body, "numbers", numbers);
	if (cmd_flag(c, "force"))
		json_object_set_new(c->body, "force", json_true());
	if ((rc = core_checkin(c->q, c->actor, cmd_arg_id(c, 0), c->body, &l,
	    &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	o = attendance_list_json(&l);
	attendance_list_free(&l);
	return cmd_print_json(o);
}

static int
cmd_register(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct strv		 ids = { 0 };
	json_t			*out, *it, *ev;
	size_t			 i, k;
	int			 rc;

	for (i = 0; i < (size_t)c->argc; i++)
		strv_push(&ids, c->argv[i]);
	rc = core_register(c->q, c->actor, &ids, &out, &err);
	strv_free(&ids);
	if (rc != QRM_OK)
		return cmd_fail(&err, rc);
	if (cmd_flag(c, "json"))
		return cmd_print_json(out);
	if (json_array_size(json_object_get(out, "items")) == 0)
		puts("No one was present.");
	else
		printf("%-24s  %-32s  %-10s  %s\n", "NAME", "E-MAIL", "NUMBER",
		    "PRESENT AT");
	json_array_foreach(json_object_get(out, "items"), i, it) {
		const char *number = json_string_value(json_object_get(it,
		    "number"));

		printf("%-24s  %-32s  %-10s  ", json_string_value(
		    json_object_get(it, "name")), json_string_value(
		    json_object_get(it, "email")), number ? number : "-");
		json_array_foreach(json_object_get(it, "events"), k, ev)
			printf("%s%lld", k ? "," : "", (long long)
			    json_integer_value(ev));
		putchar('\n');
	}
	json_decref(out);
	return 0;
}

static const struct cmd_opt attend_opts[] = {
	{ "rsvp", OPT_TEXT, "rsvp", "R",
	  "invited, accepted, declined or tentative" },
	{ "status", OPT_TEXT, "status", "S",
	  "unknown, present, absent or apologies" },
	{ "reason", OPT_TEXT, "reason", "T", "the reason for apologies" },
	{ "occurrence", OPT_TEXT, "occurrence", "WHEN",
	  "one date of a series (its local start)" },
	{ "force", OPT_FLAG, "force", NULL,
	  "record attendance more than a day before the meeting" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt list_opts[] = {
	{ "occurrence", OPT_TEXT, NULL, "WHEN", "one date of a series" },
	{ "rsvp", OPT_TEXT, NULL, "R", "only this answer" },
	{ "status", OPT_TEXT, NULL, "S", "only this attendance" },
	{ "json", OPT_FLAG, NULL, NULL, "as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt checkin_opts[] = {
	{ "occurrence", OPT_TEXT, "occurrence", "WHEN",
	  "one date of a series (its local start)" },
	{ "force", OPT_FLAG, NULL, NULL,
	  "check in more than a day before the meeting" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt register_opts[] = {
	{ "json", OPT_FLAG, NULL, NULL, "as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_attend_entries[] = {
	{ "attend", NULL, "EVENT MEMBER", 2, 2, attend_opts,
	  "record a member's answer or attendance", CMD_DB, cmd_attend },
	{ "attend", "list", "EVENT", 1, 1, list_opts,
	  "who answered and who came; the quorum when the event has one",
	  CMD_DB, cmd_attend_list },
	{ "checkin", NULL, "EVENT NUMBER...", 2, -1, checkin_opts,
	  "check members in by membership number: present, now", CMD_DB,
	  cmd_checkin },
	{ "register", NULL, "EVENT...", 1, -1, register_opts,
	  "everyone present at any of these events, with e-mail", CMD_DB,
	  cmd_register },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0, NULL }
};
