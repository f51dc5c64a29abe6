/*
 * cmd-schedule.c: who is busy, and when all of some members are free:
 * freebusy and slots (as GET /api/v1/freebusy and /api/v1/slots).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* The --member options as a list of ids in text. */
static void
member_ids(const struct cmd_ctx *c, struct strv *ids)
{
	json_t	*v;
	size_t	 i;
	char	 n[24];

	memset(ids, 0, sizeof(*ids));
	json_array_foreach(json_object_get(c->opt, "member"), i, v) {
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(v));
		strv_push(ids, n);
	}
}

static int
cmd_freebusy(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct strv		 ids;
	struct buf		 b = { 0 };
	json_t			*out = NULL, *it, *x;
	size_t			 i, j;
	int			 rc;

	member_ids(c, &ids);
	if (cmd_flag(c, "ics")) {
		rc = core_freebusy_ics(c->q, c->actor, &ids, cmd_text(c,
		    "from"), cmd_text(c, "to"), &b, &err);
		strv_free(&ids);
		if (rc != QRM_OK)
			return cmd_fail(&err, rc);
		fputs(b.p ? b.p : "", stdout);
		buf_free(&b);
		return 0;
	}
	rc = core_freebusy(c->q, c->actor, &ids, cmd_text(c, "from"),
	    cmd_text(c, "to"), cmd_text(c, "tz"), &out, &err);
	strv_free(&ids);
	if (rc != QRM_OK)
		return cmd_fail(&err, rc);
	if (cmd_flag(c, "json"))
		return cmd_print_json(out);
	printf("Busy from %s to %s (%s time):\n",
	    json_string_value(json_object_get(out, "from")),
	    json_string_value(json_object_get(out, "to")),
	    json_string_value(json_object_get(out, "tz")));
	json_array_foreach(json_object_get(out, "items"), i, it) {
		printf("\n%s\n", json_string_value(json_object_get(it,
		    "name")));
		if (json_array_size(json_object_get(it, "busy")) == 0)
			puts("  free throughout");
		json_array_foreach(json_object_get(it, "busy"), j, x)
			printf("  %.16s to %.16s  %s\n", json_string_value(
			    json_object_get(x, "start")), json_string_value(
			    json_object_get(x, "end")), json_object_get(x,
			    "title") ? json_string_value(json_object_get(x,
			    "title")) : "(busy)");
	}
	json_decref(out);
	return 0;
}

static int
cmd_slots(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct strv		 ids;
	json_t			*out = NULL, *x;
	size_t			 i;
	int			 rc;

	member_ids(c, &ids);
	rc = core_slots(c->q, c->actor, &ids, cmd_text(c, "duration"),
	    cmd_text(c, "from"), cmd_text(c, "to"), cmd_text(c, "room"), &out,
	    &err);
	strv_free(&ids);
	if (rc != QRM_OK)
		return cmd_fail(&err, rc);
	if (cmd_flag(c, "json"))
		return cmd_print_json(out);
	if (json_array_size(json_object_get(out, "items")) == 0)
		printf("No time from %s to %s when all are free.\n",
		    json_string_value(json_object_get(out, "from")),
		    json_string_value(json_object_get(out, "to")));
	json_array_foreach(json_object_get(out, "items"), i, x)
		printf("%.10s  %.5s to %.5s  (%s)\n", json_string_value(
		    json_object_get(x, "start")), json_string_value(
		    json_object_get(x, "start")) + 11, json_string_value(
		    json_object_get(x, "end")) + 11, json_string_value(
		    json_object_get(out, "tz")));
	json_decref(out);
	return 0;
}

static int
cmd_invite(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*body, *ids, *out = NULL, *x;
	const char		*aud = cmd_text(c, "audience");
	size_t			 i;
	int			 rc;

	ids = json_object_get(c->opt, "member");
	if ((aud == NULL) == (ids == NULL))
		return cmd_usage_error(c, "give --member ID (one or more) or "
		    "--audience SLUG");
	body = aud ? json_pack("{s:s}", "audience", aud) : json_pack("{s:O}",
	    "members", ids);
	rc = core_invite(c->q, c->actor, cmd_arg_id(c, 0), body, &out, &err);
	json_decref(body);
	if (rc != QRM_OK)
		return cmd_fail(&err, rc);
	if (cmd_flag(c, "json"))
		return cmd_print_json(out);
	printf("%lld invitations queued\n", (long long)json_integer_value(
	    json_object_get(out, "queued")));
	json_array_foreach(json_object_get(out, "skipped"), i, x)
		printf("skipped member %lld: %s\n", (long long)
		    json_integer_value(json_object_get(x, "member")),
		    json_string_value(json_object_get(x, "reason")));
	json_decref(out);
	return 0;
}

static int
cmd_itip(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	char			*text;
	size_t			 len;
	int			 rc;

	if ((text = cmd_read_file(c->argv[0], 1024 * 1024, &len)) == NULL) {
		fprintf(stderr, "quorum: %s: cannot be read (at most 1 MiB)\n",
		    c->argv[0]);
		return 1;
	}
	rc = core_itip_reply(c->q, text, len, &out, &err);
	free(text);
	if (rc != QRM_OK)
		return cmd_fail(&err, rc);
	if (cmd_flag(c, "json"))
		return cmd_print_json(out);
	printf("%s: %s for event %lld", json_string_value(json_object_get(out,
	    "email")), json_string_value(json_object_get(out, "rsvp")),
	    (long long)json_integer_value(json_object_get(out, "event")));
	if (json_integer_value(json_object_get(out, "waiting_position")) > 0)
		printf(" (number %lld on the waiting list)", (long long)
		    json_integer_value(json_object_get(out,
		    "waiting_position")));
	putchar('\n');
	json_decref(out);
	return 0;
}

static int
cmd_remind(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	const char		*at = cmd_text(c, "now");
	int64_t			 now = (int64_t)time(NULL);
	int			 queued, passed, warned, recorded, rc;

	if (at != NULL && (rc = core_time_bound(at, "UTC", 0, &now, &err,
	    "now")) != QRM_OK)
		return cmd_fail(&err, rc);
	if ((rc = core_offers_expire(c->q, now, &passed, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	if ((rc = core_reminders_send(c->q, now, &queued, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	if ((rc = core_forecast_run(c->q, now, &warned, &recorded, &err)) !=
	    QRM_OK)
		return cmd_fail(&err, rc);
	if (passed > 0)
		printf("%d offers of a place ran out and passed on\n", passed);
	printf("%d reminders queued\n", queued);
	if (warned > 0)
		printf("%d organisers warned of an inquorate meeting\n",
		    warned);
	if (recorded > 0)
		printf("%d meetings recorded as quorate or not\n", recorded);
	return 0;
}

static const struct cmd_opt remind_opts[] = {
	{ "now", OPT_TEXT, NULL, "TIME", "as if it were this time (UTC, "
	  "YYYY-MM-DDTHH:MM:SS)" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt invite_opts[] = {
	{ "member", OPT_INTS, NULL, "ID", "a member to invite (repeat)" },
	{ "audience", OPT_TEXT, NULL, "SLUG", "everyone in and below it" },
	{ "json", OPT_FLAG, NULL, NULL, "as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt itip_opts[] = {
	{ "json", OPT_FLAG, NULL, NULL, "as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt freebusy_opts[] = {
	{ "member", OPT_INTS, NULL, "ID", "a member (repeat for more)" },
	{ "from", OPT_TEXT, NULL, "DATE", "the first day (default today)" },
	{ "to", OPT_TEXT, NULL, "DATE", "the last day (default a week on)" },
	{ "tz", OPT_TEXT, NULL, "ZONE", "times in this zone (default "
	  "Europe/London)" },
	{ "ics", OPT_FLAG, NULL, NULL, "as iCalendar VFREEBUSY" },
	{ "json", OPT_FLAG, NULL, NULL, "as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt slots_opts[] = {
	{ "member", OPT_INTS, NULL, "ID", "a member (repeat for more)" },
	{ "duration", OPT_TEXT, NULL, "PT2H", "how long: PT2H, PT90M, "
	  "PT1H30M" },
	{ "from", OPT_TEXT, NULL, "DATE", "the first day (default today)" },
	{ "to", OPT_TEXT, NULL, "DATE", "the last day (default four weeks "
	  "on)" },
	{ "room", OPT_TEXT, NULL, "SLUG", "and this room free too" },
	{ "json", OPT_FLAG, NULL, NULL, "as JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_schedule_entries[] = {
	{ "freebusy", NULL, "--member ID...", 0, 0, freebusy_opts,
	  "when members are busy (officials)", CMD_DB, cmd_freebusy },
	{ "slots", NULL, "--member ID... --duration PT2H", 0, 0, slots_opts,
	  "the earliest times when all are free, in working hours",
	  CMD_DB, cmd_slots },
	{ "invite", NULL, "EVENT --member ID... | --audience SLUG", 1, 1,
	  invite_opts, "e-mail invitations (iCalendar REQUEST) through the "
	  "outbox", CMD_DB, cmd_invite },
	{ "remind", NULL, NULL, 0, 0, remind_opts, "queue the reminders due "
	  "now, warn organisers of meetings that look inquorate, and pass on "
	  "offers of a place that ran out (the server does "
	  "all this itself when it sends mail)", CMD_DB,
	  cmd_remind },
	{ "itip", NULL, "FILE|-", 1, 1, itip_opts, "take a reply to an "
	  "invitation (METHOD:REPLY, or the mail holding it)", CMD_DB,
	  cmd_itip },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0, NULL }
};
