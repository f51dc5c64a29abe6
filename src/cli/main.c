/*
 * main.c: the quorum command.  Every command goes through the domain
 * layer exactly as the HTTP API does, so the CLI and the API accept and
 * refuse the same things with the same messages.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "quorum/core.h"
#include "quorum/http.h"

#define EXIT_USAGE	2

static const struct actor cli_actor = { 0, ROLE_ADMIN, "cli" };

static void
usage(void)
{
	fputs("usage: quorum [--db PATH] [--feeds DIR] [-v] COMMAND ...\n"
	    "commands:\n"
	    "  init                          create or migrate the database, "
	    "load feeds/\n"
	    "  serve [--listen ADDR:PORT] [--demo]\n"
	    "  demo                          load the demo programme\n"
	    "  member add --name N --email E [--number N] [--role R] "
	    "[--branch B]\n"
	    "        [--audience SLUG]... [--scope SLUG]...\n"
	    "  member update ID [the options of add] | member show ID\n"
	    "  member list [--audience SLUG] [--role R] [--all] [--json]\n"
	    "  member deactivate ID | member import FILE.csv\n"
	    "  token issue --member ID --scope api|feed\n"
	    "  token list [--member ID] | token revoke ID\n"
	    "  audit [--since ID] [--limit N]\n"
	    "  attend EVENT MEMBER [--rsvp R] [--status S] [--reason T] "
	    "[--occurrence O]\n"
	    "  attend list EVENT [--occurrence O] [--rsvp R] [--status S] "
	    "[--json]\n"
	    "  checkin EVENT [--occurrence O] NUMBER...\n"
	    "  register EVENT...   (everyone present at any of them)\n"
	    "  member history ID | member export ID | member erase ID\n"
	    "  purge --attendance-older-than 6y|18m|90d\n"
	    "  action add [--event ID] --title T [--owner ID] [--waiting-on W] "
	    "[--due DATE]\n"
	    "        [--notes N] [--status S] [--from-notes-line N]\n"
	    "  action update ID [the options of add] [--note WHY] | "
	    "action done ID\n"
	    "  action list [--owner ID] [--status S] [--event ID] [--overdue] "
	    "[--json]\n"
	    "  action overdue [--json]\n"
	    "  action digest [--smtp smtp://HOST:PORT] [--from ADDR] "
	    "[--dry-run]\n"
	    "  notes EVENT [--set FILE|-] | agenda EVENT\n"
	    "  event add|update ID [--title T] [--kind K] [--start S] "
	    "[--end E] [--tz TZ]\n"
	    "        [--all-day] [--rrule R] [--exdate D]... [--audience "
	    "SLUG]... [--location L]\n"
	    "        [--url U] [--description D] [--capacity N] [--quorum N] "
	    "[--status S]\n"
	    "        [--organizer O] [--host ID]... [--after ID] [--uid UID] "
	    "[--json FILE|-]\n"
	    "  event list [--from D] [--to D] [--audience SLUG] [--kind K] "
	    "[--json]\n"
	    "  event show ID | event cancel ID\n"
	    "  import FILE.ics --audience SLUG\n"
	    "  export [--audience SLUG] [--from DATE] [--to DATE]\n"
	    "  publish --out DIR\n", stderr);
}

static int
fail(const struct qrm_error *err, int code)
{
	if (err->field[0] != '\0' && strstr(err->msg, err->field) == NULL)
		fprintf(stderr, "quorum: %s: %s\n", err->field, err->msg);
	else
		fprintf(stderr, "quorum: %s\n", err->msg[0] ? err->msg :
		    qrm_err_name(code));
	return 1;
}

static char *
read_all(FILE *f, size_t max, size_t *len)
{
	struct buf	b = { 0 };
	char		chunk[65536];
	size_t		n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > max || buf_append(&b, chunk, n) == -1) {
			buf_free(&b);
			errno = EFBIG;
			return NULL;
		}
	}
	if (ferror(f)) {
		buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return buf_detach(&b);
}

static char *
read_file(const char *path, size_t max, size_t *len)
{
	FILE	*f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char	*text;

	if (f == NULL)
		return NULL;
	text = read_all(f, max, len);
	if (f != stdin)
		fclose(f);
	return text;
}

static void
json_append(json_t *o, const char *key, json_t *v)
{
	json_t	*a = json_object_get(o, key);

	if (a == NULL) {
		a = json_array();
		json_object_set_new(o, key, a);
	}
	json_array_append_new(a, v);
}

/* Turn event options into the JSON object the API would receive. */
static int
event_options(int argc, char **argv, json_t **out)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "kind", required_argument, NULL, 'k' },
		{ "start", required_argument, NULL, 's' },
		{ "end", required_argument, NULL, 'e' },
		{ "tz", required_argument, NULL, 'z' },
		{ "all-day", no_argument, NULL, 'A' },
		{ "rrule", required_argument, NULL, 'r' },
		{ "exdate", required_argument, NULL, 'x' },
		{ "audience", required_argument, NULL, 'a' },
		{ "location", required_argument, NULL, 'l' },
		{ "url", required_argument, NULL, 'u' },
		{ "description", required_argument, NULL, 'd' },
		{ "capacity", required_argument, NULL, 'c' },
		{ "quorum", required_argument, NULL, 'Q' },
		{ "status", required_argument, NULL, 'S' },
		{ "organizer", required_argument, NULL, 'o' },
		{ "host", required_argument, NULL, 'H' },
		{ "after", required_argument, NULL, 'F' },
		{ "uid", required_argument, NULL, 'U' },
		{ "json", required_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	json_t		*o = json_object(), *file;
	json_error_t	 je;
	int64_t		 n;
	int		 c;
	char		*text;
	size_t		 len;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': json_object_set_new(o, "title", json_string(optarg));
			break;
		case 'k': json_object_set_new(o, "kind", json_string(optarg));
			break;
		case 's': json_object_set_new(o, "start", json_string(optarg));
			break;
		case 'e': json_object_set_new(o, "end", json_string(optarg));
			break;
		case 'z': json_object_set_new(o, "tz", json_string(optarg));
			break;
		case 'A': json_object_set_new(o, "all_day", json_true());
			break;
		case 'r': json_object_set_new(o, "rrule", json_string(optarg));
			break;
		case 'x': json_append(o, "exdates", json_string(optarg));
			break;
		case 'a': json_append(o, "audiences", json_string(optarg));
			break;
		case 'l': json_object_set_new(o, "location",
			    json_string(optarg));
			break;
		case 'u': json_object_set_new(o, "url", json_string(optarg));
			break;
		case 'd': json_object_set_new(o, "description",
			    json_string(optarg));
			break;
		case 'S': json_object_set_new(o, "status", json_string(optarg));
			break;
		case 'o': json_object_set_new(o, "organizer",
			    json_string(optarg));
			break;
		case 'U': json_object_set_new(o, "uid", json_string(optarg));
			break;
		case 'c': case 'H': case 'F': case 'Q':
			if (parse_int64(optarg, &n) == -1) {
				fprintf(stderr, "quorum: --%s: '%s' is not a "
				    "whole number\n", c == 'c' ? "capacity" :
				    c == 'H' ? "host" : c == 'Q' ? "quorum" :
				    "after", optarg);
				json_decref(o);
				return -1;
			}
			if (c == 'H')
				json_append(o, "hosts", json_integer(n));
			else
				json_object_set_new(o, c == 'c' ? "capacity" :
				    c == 'Q' ? "quorum" : "after",
				    json_integer(n));
			break;
		case 'J':
			if ((text = read_file(optarg, 1u << 20, &len)) == NULL) {
				fprintf(stderr, "quorum: %s: %s\n", optarg,
				    strerror(errno));
				json_decref(o);
				return -1;
			}
			file = json_loadb(text, len, JSON_REJECT_DUPLICATES,
			    &je);
			free(text);
			if (file == NULL || !json_is_object(file)) {
				fprintf(stderr, "quorum: %s: malformed JSON at "
				    "line %d: %s\n", optarg, je.line, file ?
				    "not an object" : je.text);
				json_decref(file);
				json_decref(o);
				return -1;
			}
			json_object_update_missing(o, file);
			json_decref(file);
			break;
		default:
			json_decref(o);
			return -1;
		}
	}
	*out = o;
	return 0;
}

static int
print_json(json_t *o)
{
	char	*text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);

	json_decref(o);
	if (text == NULL)
		return 1;
	puts(text);
	free(text);
	return 0;
}

static int
cmd_event(struct qrm *q, int argc, char **argv)
{
	static const struct option list_opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "audience", required_argument, NULL, 'a' },
		{ "kind", required_argument, NULL, 'k' },
		{ "tz", required_argument, NULL, 'z' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	struct event_list	 evs;
	const char		*sub, *from = NULL, *to = NULL, *aud = NULL;
	const char		*kind = NULL, *tz = NULL;
	json_t			*o, *items;
	int64_t			 id = 0;
	size_t			 i;
	int			 rc, c, as_json = 0;

	if (argc < 2) {
		usage();
		return EXIT_USAGE;
	}
	sub = argv[1];
	if (strcmp(sub, "list") == 0) {
		optind = 0;	/* glibc: start over */
		while ((c = getopt_long(argc - 1, argv + 1, "", list_opts,
		    NULL)) != -1) {
			switch (c) {
			case 'f': from = optarg; break;
			case 't': to = optarg; break;
			case 'a': aud = optarg; break;
			case 'k': kind = optarg; break;
			case 'z': tz = optarg; break;
			case 'j': as_json = 1; break;
			default: return EXIT_USAGE;
			}
		}
		if ((rc = core_event_list(q, &cli_actor, from, to, aud, kind,
		    tz, &evs, &err)) != QRM_OK)
			return fail(&err, rc);
		items = json_array();
		for (i = 0; i < evs.n; i++) {
			if (as_json)
				json_array_append_new(items,
				    event_to_json(&evs.v[i]));
			else
				printf("%lld\t%s\t%s\t%-10s\t%s\n",
				    (long long)evs.v[i].id, evs.v[i].start,
				    event_kind_names[evs.v[i].kind],
				    event_status_names[evs.v[i].status],
				    evs.v[i].title);
		}
		event_list_free(&evs);
		if (as_json)
			return print_json(json_pack("{s:o}", "items", items));
		json_decref(items);
		return 0;
	}
	if (strcmp(sub, "add") != 0) {
		if (argc < 3 || parse_int64(argv[2], &id) == -1 || id < 1) {
			fprintf(stderr, "quorum: event %s needs an event id\n",
			    sub);
			return EXIT_USAGE;
		}
	}
	if (strcmp(sub, "show") == 0)
		rc = core_event_get(q, &cli_actor, id, &ev, &err);
	else if (strcmp(sub, "cancel") == 0)
		rc = core_event_cancel(q, &cli_actor, id, &ev, &err);
	else if (strcmp(sub, "add") == 0 || strcmp(sub, "update") == 0) {
		optind = 0;	/* glibc: start over */
		if (event_options(argc - (id ? 2 : 1), argv + (id ? 2 : 1),
		    &o) == -1)
			return EXIT_USAGE;
		if (id)
			rc = core_event_update(q, &cli_actor, id, o, &ev, &err);
		else
			rc = core_event_create(q, &cli_actor, o, &ev, &err);
		json_decref(o);
	} else {
		usage();
		return EXIT_USAGE;
	}
	if (rc != QRM_OK)
		return fail(&err, rc);
	o = event_to_json(&ev);
	event_clear(&ev);
	return print_json(o);
}

/* Member options as the JSON object the API would receive. */
static int
member_options(int argc, char **argv, json_t **out)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "email", required_argument, NULL, 'e' },
		{ "number", required_argument, NULL, 'N' },
		{ "role", required_argument, NULL, 'r' },
		{ "branch", required_argument, NULL, 'b' },
		{ "audience", required_argument, NULL, 'a' },
		{ "scope", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const keys[] = { "name", "email", "number", "role",
	    "branch" };
	json_t	*o = json_object();
	int	 c;

	optind = 0;	/* glibc: start over */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': case 'e': case 'N': case 'r': case 'b':
			json_object_set_new(o, keys[strchr("neNrb", c) -
			    "neNrb"], json_string(optarg));
			break;
		case 'a':
			json_append(o, "audiences", json_string(optarg));
			break;
		case 's':
			json_append(o, "scopes", json_string(optarg));
			break;
		default:
			json_decref(o);
			return -1;
		}
	}
	*out = o;
	return 0;
}

static int
cmd_member(struct qrm *q, int argc, char **argv)
{
	static const struct option list_opts[] = {
		{ "audience", required_argument, NULL, 'a' },
		{ "role", required_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	struct member		 m;
	struct member_list	 l;
	const char		*sub, *aud = NULL, *role = NULL;
	json_t			*o, *items;
	char			*text, *auds;
	int64_t			 id = 0;
	size_t			 i, len;
	int			 rc, c, all = 0, as_json = 0;

	if (argc < 2) {
		usage();
		return EXIT_USAGE;
	}
	sub = argv[1];
	if (strcmp(sub, "list") == 0) {
		optind = 0;	/* glibc: start over */
		while ((c = getopt_long(argc - 1, argv + 1, "", list_opts,
		    NULL)) != -1) {
			switch (c) {
			case 'a': aud = optarg; break;
			case 'r': role = optarg; break;
			case 'A': all = 1; break;
			case 'j': as_json = 1; break;
			default: return EXIT_USAGE;
			}
		}
		if ((rc = core_member_list(q, &cli_actor, aud, role, all, &l,
		    &err)) != QRM_OK)
			return fail(&err, rc);
		items = json_array();
		for (i = 0; i < l.n; i++) {
			if (as_json) {
				json_array_append_new(items,
				    member_to_json(&l.v[i]));
				continue;
			}
			auds = strv_join(&l.v[i].audiences, ',');
			printf("%lld\t%-8s\t%s\t%s\t%s%s\n",
			    (long long)l.v[i].id, role_names[l.v[i].role],
			    l.v[i].name, l.v[i].email, auds ? auds : "",
			    l.v[i].active ? "" : "\t(inactive)");
			free(auds);
		}
		member_list_free(&l);
		if (as_json)
			return print_json(json_pack("{s:o}", "items", items));
		json_decref(items);
		return 0;
	}
	if (strcmp(sub, "import") == 0) {
		if (argc != 3) {
			fputs("quorum: usage: quorum member import FILE.csv\n",
			    stderr);
			return EXIT_USAGE;
		}
		if ((text = read_file(argv[2], 4u << 20, &len)) == NULL) {
			fprintf(stderr, "quorum: %s: %s\n", argv[2],
			    errno == EFBIG ? "larger than 4 MiB" :
			    strerror(errno));
			return 1;
		}
		rc = core_member_import_csv(q, &cli_actor, text, len, &o, &err);
		free(text);
		if (rc != QRM_OK) {
			fprintf(stderr, "quorum: %s: %s\n", argv[2], err.msg);
			return 1;
		}
		rc = json_array_size(json_object_get(o, "refused")) ? 1 : 0;
		print_json(o);
		return rc;
	}
	if (strcmp(sub, "add") == 0) {
		if (member_options(argc - 1, argv + 1, &o) == -1)
			return EXIT_USAGE;
		rc = core_member_create(q, &cli_actor, o, &m, &err);
		json_decref(o);
		if (rc == QRM_OK)
			printf("%lld\n", (long long)m.id);
		member_clear(&m);
		return rc == QRM_OK ? 0 : fail(&err, rc);
	}
	if (argc < 3 || parse_int64(argv[2], &id) == -1 || id < 1) {
		fprintf(stderr, "quorum: member %s needs a member id\n", sub);
		return EXIT_USAGE;
	}
	if (strcmp(sub, "export") == 0) {
		if ((rc = core_member_export(q, &cli_actor, id, &o, &err)))
			return fail(&err, rc);
		return print_json(o);
	}
	if (strcmp(sub, "erase") == 0) {
		if ((rc = core_member_erase(q, &cli_actor, id, &err)) != QRM_OK)
			return fail(&err, rc);
		printf("member %lld erased\n", (long long)id);
		return 0;
	}
	if (strcmp(sub, "history") == 0) {
		if ((rc = core_member_history(q, &cli_actor, id, &o, &err)))
			return fail(&err, rc);
		return print_json(o);
	}
	if (strcmp(sub, "show") == 0)
		rc = core_member_get(q, &cli_actor, id, &m, &err);
	else if (strcmp(sub, "deactivate") == 0)
		rc = core_member_deactivate(q, &cli_actor, id, &m, &err);
	else if (strcmp(sub, "update") == 0) {
		if (member_options(argc - 2, argv + 2, &o) == -1)
			return EXIT_USAGE;
		rc = core_member_update(q, &cli_actor, id, o, &m, &err);
		json_decref(o);
	} else {
		usage();
		return EXIT_USAGE;
	}
	if (rc != QRM_OK)
		return fail(&err, rc);
	o = member_to_json(&m);
	member_clear(&m);
	return print_json(o);
}

static int
cmd_token(struct qrm *q, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "member", required_argument, NULL, 'm' },
		{ "scope", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	char			*token = NULL;
	json_t			*list;
	int64_t			 member = 0, id;
	int			 c, rc, scope = -1;

	if (argc < 2) {
		usage();
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "revoke") == 0) {
		if (argc != 3 || parse_int64(argv[2], &id) == -1) {
			fputs("quorum: usage: quorum token revoke ID\n", stderr);
			return EXIT_USAGE;
		}
		if ((rc = core_token_revoke(q, &cli_actor, id, &err)) != QRM_OK)
			return fail(&err, rc);
		printf("token %lld revoked\n", (long long)id);
		return 0;
	}
	if (strcmp(argv[1], "issue") != 0 && strcmp(argv[1], "list") != 0) {
		usage();
		return EXIT_USAGE;
	}
	optind = 0;	/* glibc: start over */
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_int64(optarg, &member) == -1 || member < 1) {
				fprintf(stderr, "quorum: member: '%s' is not a "
				    "member id\n", optarg);
				return 1;
			}
			break;
		case 's':
			if ((scope = model_enum_parse(token_scope_names,
			    SCOPE__MAX, optarg)) < 0) {
				fprintf(stderr, "quorum: scope: '%s' must be "
				    "api or feed\n", optarg);
				return 1;
			}
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (strcmp(argv[1], "list") == 0) {
		if ((rc = core_token_list(q, &cli_actor, member, &list,
		    &err)) != QRM_OK)
			return fail(&err, rc);
		return print_json(list);
	}
	if (member < 1 || scope < 0) {
		fputs("quorum: token issue needs --member ID and --scope "
		    "api|feed\n", stderr);
		return EXIT_USAGE;
	}
	if ((rc = core_token_issue(q, &cli_actor, member,
	    (enum token_scope)scope, &token, &err)) != QRM_OK)
		return fail(&err, rc);
	puts(token);
	free(token);
	return 0;
}

static void
print_attendance_row(const struct attendance *a)
{
	printf("%lld\t%s\t%s\t%s\t%s%s\t%s%s%s\n", (long long)a->member,
	    a->number ? a->number : "-", a->name ? a->name : "",
	    a->occurrence[0] ? a->occurrence : "-", rsvp_names[a->rsvp],
	    a->waitlisted ? " (waiting)" : "", att_status_names[a->status],
	    a->reason ? ": " : "", a->reason ? a->reason : "");
}

/*
 * quorum attend EVENT MEMBER [--occurrence O] [--rsvp R] [--status S]
 *     [--reason T]
 * quorum attend list EVENT [--occurrence O] [--rsvp R] [--status S]
 *     [--json]
 */
static int
cmd_attend(struct qrm *q, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "occurrence", required_argument, NULL, 'o' },
		{ "rsvp", required_argument, NULL, 'r' },
		{ "status", required_argument, NULL, 's' },
		{ "reason", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	struct attendance_list	 l;
	const char		*occ = NULL, *rsvp = NULL, *status = NULL;
	json_t			*body, *out, *items;
	int64_t			 event, member = 0, start_utc;
	size_t			 i;
	int			 c, rc, list, as_json = 0, first;

	list = argc > 1 && strcmp(argv[1], "list") == 0;
	first = list ? 2 : 1;
	if (argc < first + (list ? 1 : 2) ||
	    parse_int64(argv[first], &event) == -1 ||
	    (!list && parse_int64(argv[first + 1], &member) == -1)) {
		fputs("quorum: usage: quorum attend EVENT MEMBER [--rsvp R] "
		    "[--status S] [--reason T] [--occurrence O]\n"
		    "       quorum attend list EVENT [--occurrence O] [--rsvp R] "
		    "[--status S] [--json]\n", stderr);
		return EXIT_USAGE;
	}
	body = json_object();
	optind = 0;	/* glibc: start over */
	first += list ? 0 : 1;
	while ((c = getopt_long(argc - first, argv + first, "", opts,
	    NULL)) != -1) {
		switch (c) {
		case 'o': occ = optarg; break;
		case 'r': rsvp = optarg; break;
		case 's': status = optarg; break;
		case 'j': as_json = 1; break;
		case 'R':
			json_object_set_new(body, "reason", json_string(optarg));
			break;
		default:
			json_decref(body);
			return EXIT_USAGE;
		}
	}
	if (list) {
		json_decref(body);
		if ((rc = core_attendance_list(q, &cli_actor, event, occ, rsvp,
		    status, &l, &start_utc, NULL, &err)) != QRM_OK)
			return fail(&err, rc);
		items = json_array();
		for (i = 0; i < l.n; i++) {
			if (as_json)
				json_array_append_new(items,
				    attendance_to_json(&l.v[i], start_utc));
			else
				print_attendance_row(&l.v[i]);
		}
		attendance_list_free(&l);
		if (as_json)
			return print_json(json_pack("{s:o}", "items", items));
		json_decref(items);
		return 0;
	}
	if (occ != NULL)
		json_object_set_new(body, "occurrence", json_string(occ));
	if (rsvp != NULL)
		json_object_set_new(body, "rsvp", json_string(rsvp));
	if (status != NULL)
		json_object_set_new(body, "status", json_string(status));
	rc = core_attendance_set(q, &cli_actor, event, member, body, &out,
	    &err);
	json_decref(body);
	if (rc != QRM_OK)
		return fail(&err, rc);
	return print_json(out);
}

static void
print_action_row(const struct action *x)
{
	printf("%lld\t%-9s\t%s\t%s\t%s\n", (long long)x->id,
	    action_status_names[x->status], x->due[0] ? x->due : "-",
	    x->owner_name ? x->owner_name : x->waiting_on ? x->waiting_on :
	    "-", x->title);
}

/*
 * quorum action digest [--smtp URL] [--from ADDR] [--dry-run]: one
 * e-mail to each owner of overdue actions.
 */
static int
digest(struct qrm *q, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "smtp", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	const char		*smtp = getenv("QUORUM_SMTP");
	const char		*from = getenv("QUORUM_MAIL_FROM");
	json_t			*out;
	int			 c, rc, dry = 0;

	optind = 0;	/* glibc: start over */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': smtp = optarg; break;
		case 'f': from = optarg; break;
		case 'n': dry = 1; break;
		default: return EXIT_USAGE;
		}
	}
	if ((rc = core_digest_send(q, &cli_actor, smtp, from, dry, &out,
	    &err)) != QRM_OK)
		return fail(&err, rc);
	rc = json_array_size(json_object_get(out, "failed")) ? 1 : 0;
	print_json(out);
	return rc;
}

/*
 * quorum action add [--event ID] --title T [--owner ID] [--waiting-on W]
 *     [--due DATE] [--notes N] [--status S] [--from-notes-line N]
 * quorum action update ID [the same] [--note WHY]
 * quorum action done ID [--note WHY]
 * quorum action list [--owner ID] [--status S] [--event ID] [--overdue]
 *     [--json]
 * quorum action overdue [--json]
 */
static int
cmd_action(struct qrm *q, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "event", required_argument, NULL, 'e' },
		{ "title", required_argument, NULL, 't' },
		{ "owner", required_argument, NULL, 'o' },
		{ "waiting-on", required_argument, NULL, 'w' },
		{ "due", required_argument, NULL, 'd' },
		{ "notes", required_argument, NULL, 'n' },
		{ "note", required_argument, NULL, 'N' },
		{ "status", required_argument, NULL, 's' },
		{ "from-notes-line", required_argument, NULL, 'l' },
		{ "overdue", no_argument, NULL, 'O' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	struct action_list	 l;
	const char		*sub, *owner = NULL, *status = NULL;
	json_t			*o, *out, *items;
	int64_t			 id = 0, event = 0, n;
	size_t			 i;
	int			 c, rc, first, overdue = 0, as_json = 0;

	if (argc < 2) {
		usage();
		return EXIT_USAGE;
	}
	sub = argv[1];
	first = 1;
	if (strcmp(sub, "digest") == 0)
		return digest(q, argc - 1, argv + 1);
	if (strcmp(sub, "update") == 0 || strcmp(sub, "done") == 0) {
		if (argc < 3 || parse_int64(argv[2], &id) == -1) {
			fprintf(stderr, "quorum: action %s needs an action id\n",
			    sub);
			return EXIT_USAGE;
		}
		first = 2;
	}
	o = json_object();
	optind = 0;	/* glibc: start over */
	while ((c = getopt_long(argc - first, argv + first, "", opts,
	    NULL)) != -1) {
		switch (c) {
		case 't': json_object_set_new(o, "title", json_string(optarg));
			break;
		case 'w': json_object_set_new(o, "waiting_on",
			    json_string(optarg));
			break;
		case 'd': json_object_set_new(o, "due", json_string(optarg));
			break;
		case 'n': json_object_set_new(o, "notes", json_string(optarg));
			break;
		case 'N': json_object_set_new(o, "note", json_string(optarg));
			break;
		case 's': status = optarg;
			json_object_set_new(o, "status", json_string(optarg));
			break;
		case 'O': overdue = 1; break;
		case 'j': as_json = 1; break;
		case 'o': case 'e': case 'l':
			if (parse_int64(optarg, &n) == -1) {
				fprintf(stderr, "quorum: --%s: '%s' is not a "
				    "whole number\n", c == 'o' ? "owner" :
				    c == 'e' ? "event" : "from-notes-line",
				    optarg);
				json_decref(o);
				return 1;
			}
			if (c == 'o') {
				owner = optarg;
				json_object_set_new(o, "owner", json_integer(n));
			} else if (c == 'e')
				event = n;
			else
				json_object_set_new(o, "from_notes_line",
				    json_integer(n));
			break;
		default:
			json_decref(o);
			return EXIT_USAGE;
		}
	}
	if (strcmp(sub, "list") == 0 || strcmp(sub, "overdue") == 0) {
		json_decref(o);
		if ((rc = core_action_list(q, &cli_actor, owner, status,
		    overdue || strcmp(sub, "overdue") == 0, event, &l, &err)))
			return fail(&err, rc);
		items = json_array();
		for (i = 0; i < l.n; i++) {
			if (as_json)
				json_array_append_new(items,
				    action_to_json(&l.v[i]));
			else
				print_action_row(&l.v[i]);
		}
		action_list_free(&l);
		if (as_json)
			return print_json(json_pack("{s:o}", "items", items));
		json_decref(items);
		return 0;
	}
	if (strcmp(sub, "add") == 0)
		rc = core_action_create(q, &cli_actor, event, o, &out, &err);
	else if (strcmp(sub, "update") == 0 || strcmp(sub, "done") == 0) {
		if (strcmp(sub, "done") == 0)
			json_object_set_new(o, "status", json_string("done"));
		rc = core_action_update(q, &cli_actor, id, o, &out, &err);
	} else {
		json_decref(o);
		usage();
		return EXIT_USAGE;
	}
	json_decref(o);
	if (rc != QRM_OK)
		return fail(&err, rc);
	return print_json(out);
}

/* quorum notes EVENT [--set FILE|-] ; quorum agenda EVENT */
static int
cmd_notes(struct qrm *q, int argc, char **argv, int agenda)
{
	struct qrm_error	 err = { 0 };
	json_t			*out;
	char			*text;
	size_t			 len;
	int64_t			 event;
	int			 rc;

	if (argc < 2 || parse_int64(argv[1], &event) == -1 || (argc != 2 &&
	    (agenda || argc != 4 || strcmp(argv[2], "--set") != 0))) {
		fputs(agenda ? "quorum: usage: quorum agenda EVENT\n" :
		    "quorum: usage: quorum notes EVENT [--set FILE|-]\n",
		    stderr);
		return EXIT_USAGE;
	}
	if (agenda)
		rc = core_agenda(q, &cli_actor, event, &out, &err);
	else if (argc == 2)
		rc = core_notes_get(q, &cli_actor, event, &out, &err);
	else {
		if ((text = read_file(argv[3], 256 * 1024, &len)) == NULL) {
			fprintf(stderr, "quorum: %s: %s\n", argv[3],
			    errno == EFBIG ? "larger than 256 KiB" :
			    strerror(errno));
			return 1;
		}
		rc = core_notes_put(q, &cli_actor, event, text, len, &out,
		    &err);
		free(text);
	}
	if (rc != QRM_OK)
		return fail(&err, rc);
	return print_json(out);
}

/* quorum purge --attendance-older-than AGE */
static int
cmd_purge(struct qrm *q, int argc, char **argv)
{
	struct qrm_error	 err = { 0 };
	json_t			*out;
	int			 rc;

	if (argc != 3 || strcmp(argv[1], "--attendance-older-than") != 0) {
		fputs("quorum: usage: quorum purge --attendance-older-than "
		    "6y|18m|90d\n", stderr);
		return EXIT_USAGE;
	}
	if ((rc = core_purge_attendance(q, &cli_actor, argv[2], &out, &err)))
		return fail(&err, rc);
	return print_json(out);
}

/* quorum register EVENT... : everyone present at any of them */
static int
cmd_register(struct qrm *q, int argc, char **argv)
{
	struct qrm_error	 err = { 0 };
	struct strv		 ids = { 0 };
	json_t			*out;
	int			 i, rc;

	for (i = 1; i < argc; i++)
		strv_push(&ids, argv[i]);
	rc = core_register(q, &cli_actor, &ids, &out, &err);
	strv_free(&ids);
	if (rc != QRM_OK)
		return fail(&err, rc);
	return print_json(out);
}

/* quorum checkin EVENT [--occurrence O] NUMBER... */
static int
cmd_checkin(struct qrm *q, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "occurrence", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	struct strv		 numbers = { 0 }, none = { 0 };
	const char		*occ = NULL;
	json_t			*out;
	int64_t			 event;
	int			 c, rc, i;

	optind = 0;	/* glibc: start over */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'o')
			return EXIT_USAGE;
		occ = optarg;
	}
	if (optind >= argc || parse_int64(argv[optind], &event) == -1) {
		fputs("quorum: usage: quorum checkin EVENT [--occurrence O] "
		    "NUMBER...\n", stderr);
		return EXIT_USAGE;
	}
	for (i = optind + 1; i < argc; i++)
		strv_push(&numbers, argv[i]);
	rc = core_checkin(q, &cli_actor, event, occ, &numbers, &none, &out,
	    &err);
	strv_free(&numbers);
	if (rc != QRM_OK)
		return fail(&err, rc);
	return print_json(out);
}

static int
cmd_audit(struct qrm *q, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	json_t			*list;
	int64_t			 since = 0, limit = 1000;
	int			 c, rc;

	optind = 0;	/* glibc: start over */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((c != 's' && c != 'l') || parse_int64(optarg,
		    c == 's' ? &since : &limit) == -1) {
			fputs("quorum: usage: quorum audit [--since ID] "
			    "[--limit N]\n", stderr);
			return EXIT_USAGE;
		}
	}
	if ((rc = core_audit_list(q, &cli_actor, since, limit < 1 ||
	    limit > 10000 ? 0 : (int)limit, &list,
	    &err)) != QRM_OK)
		return fail(&err, rc);
	return print_json(list);
}

static int
cmd_import(struct qrm *q, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "audience", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	const char		*audience = NULL, *file = NULL;
	json_t			*report;
	char			*text;
	size_t			 len;
	int			 c, rc;

	optind = 0;	/* glibc: start over */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'a')
			return EXIT_USAGE;
		audience = optarg;
	}
	if (optind < argc)
		file = argv[optind];
	if (file == NULL || audience == NULL) {
		fputs("quorum: usage: quorum import FILE.ics --audience SLUG\n",
		    stderr);
		return EXIT_USAGE;
	}
	if ((text = read_file(file, 8u << 20, &len)) == NULL) {
		fprintf(stderr, "quorum: %s: %s\n", file, errno == EFBIG ?
		    "larger than 8 MiB" : strerror(errno));
		return 1;
	}
	rc = core_import(q, &cli_actor, text, len, audience, &report, &err);
	free(text);
	if (rc != QRM_OK) {
		fprintf(stderr, "quorum: %s: %s\n", file, err.msg);
		return 1;
	}
	return print_json(report);
}

static int
cmd_export(struct qrm *q, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "audience", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	struct buf		 out = { 0 };
	const char		*audience = NULL, *from = NULL, *to = NULL;
	int			 c, rc;

	optind = 0;	/* glibc: start over */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': audience = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if ((rc = core_export(q, audience, from, to, &out, &err)) != QRM_OK)
		return fail(&err, rc);
	fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
cmd_publish(struct qrm *q, int argc, char **argv)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	struct buf		 body;
	char			 path[4096], tmp[4200];
	const char		*dir = NULL;
	time_t			 lm;
	FILE			*f;
	size_t			 i;
	int			 rc, n = 0;

	if (argc == 3 && strcmp(argv[1], "--out") == 0)
		dir = argv[2];
	if (dir == NULL) {
		fputs("quorum: usage: quorum publish --out DIR\n", stderr);
		return EXIT_USAGE;
	}
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "quorum: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if ((rc = core_audience_list(q, &l, &err)) != QRM_OK)
		return fail(&err, rc);
	for (i = 0; i < l.n && rc == QRM_OK; i++) {
		if (l.v[i].visibility != VIS_PUBLIC)
			continue;
		memset(&body, 0, sizeof(body));
		if ((rc = feed_build_audience(q, &l.v[i], &body, &lm, &err)))
			break;
		snprintf(path, sizeof(path), "%s/%s.ics", dir, l.v[i].slug);
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		if ((f = fopen(tmp, "wb")) == NULL ||
		    fwrite(body.p, 1, body.len, f) != body.len ||
		    fclose(f) != 0 || rename(tmp, path) == -1) {
			fprintf(stderr, "quorum: %s: %s\n", path,
			    strerror(errno));
			buf_free(&body);
			audience_list_free(&l);
			return 1;
		}
		buf_free(&body);
		printf("%s\n", path);
		n++;
	}
	audience_list_free(&l);
	return rc == QRM_OK ? 0 : fail(&err, rc);
}

static void
print_demo_links(struct qrm *q, const char *base)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	char			*feed = NULL, *api = NULL;
	size_t			 i;
	int64_t			 priya, carole;

	printf("\nPublic feed (subscribe in any calendar app):\n"
	    "  %s/feeds/all-members.ics\n", base);
	priya = core_member_id_by_email(q, "priya.shah@napo.example");
	carole = core_member_id_by_email(q, "carole.doherty@napo.example");
	if (core_token_issue(q, &cli_actor, priya, SCOPE_FEED, &feed, &err) ==
	    QRM_OK) {
		printf("\nPriya Shah, a facilitator, may subscribe to:\n"
		    "  %s/feeds/facilitators.ics?token=%s\n"
		    "  %s/feeds/programmes.ics?token=%s\n"
		    "  %s/feeds/me.ics?token=%s   (her personal feed)\n",
		    base, feed, base, feed, base, feed);
	}
	if (core_token_issue(q, &cli_actor, carole, SCOPE_API, &api, &err) ==
	    QRM_OK)
		printf("\nAPI token of Carole Doherty, an official:\n"
		    "  curl -H 'Authorization: Bearer %s' %s/api/v1/events\n",
		    api, base);
	if (core_audience_list(q, &l, &err) == QRM_OK) {
		printf("\nAll feeds (non-public ones need a member's "
		    "?token=):\n");
		for (i = 0; i < l.n; i++)
			printf("  %s/feeds/%s.ics  (%s)\n", base, l.v[i].slug,
			    visibility_names[l.v[i].visibility]);
		audience_list_free(&l);
	}
	free(feed);
	free(api);
}

/*
 * $QUORUM_TIMEOUT (seconds a connection may idle, 30) and
 * $QUORUM_TOKEN_GUESSES (bad tokens per client address per window,
 * "30/60"; "0" for no limit).
 */
static int
serve_settings(struct qrm_error *err)
{
	const char	*t = getenv("QUORUM_TIMEOUT");
	const char	*g = getenv("QUORUM_TOKEN_GUESSES");
	const char	*th = getenv("QUORUM_THREADS");
	int64_t		 timeout = 30, guesses = 30, window = 60, threads;
	char		 n[32];
	const char	*slash;

	if (t != NULL && *t != '\0' && (parse_int64(t, &timeout) == -1 ||
	    timeout < 1 || timeout > 3600))
		return qrm_seterr(err, QRM_EINVAL, "QUORUM_TIMEOUT",
		    "QUORUM_TIMEOUT must be seconds from 1 to 3600");
	if (g != NULL && *g != '\0') {
		slash = strchr(g, '/');
		snprintf(n, sizeof(n), "%.*s", slash ? (int)(slash - g) :
		    (int)strlen(g), g);
		if (parse_int64(n, &guesses) == -1 || guesses < 0 ||
		    guesses > 1000000 || (slash != NULL &&
		    (parse_int64(slash + 1, &window) == -1 || window < 1 ||
		    window > 86400)))
			return qrm_seterr(err, QRM_EINVAL,
			    "QUORUM_TOKEN_GUESSES", "QUORUM_TOKEN_GUESSES must "
			    "be FAILURES/SECONDS, e.g. 30/60, or 0");
	}
	http_configure((unsigned int)timeout, (unsigned int)guesses,
	    (unsigned int)window);
	if (th != NULL && *th != '\0') {
		if (parse_int64(th, &threads) == -1 || threads < 1 ||
		    threads > 256)
			return qrm_seterr(err, QRM_EINVAL, "QUORUM_THREADS",
			    "QUORUM_THREADS must be from 1 to 256");
		http_set_threads((unsigned int)threads);
	}
	return QRM_OK;
}

static int
cmd_serve(struct qrm *q, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "demo", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	struct http_server	*srv;
	const char		*listen = getenv("QUORUM_LISTEN");
	char			 base[160], host[128];
	sigset_t		 set;
	int			 c, rc, sig, demo = 0;

	optind = 0;	/* glibc: start over */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 'd': demo = 1; break;
		default: return EXIT_USAGE;
		}
	}
	if (listen == NULL || *listen == '\0')
		listen = "127.0.0.1:8080";
	if ((rc = serve_settings(&err)) != QRM_OK)
		return fail(&err, rc);
	/*
	 * Feeds are megabytes each and come and go with the cache.  glibc
	 * would raise its mmap threshold after the first one is freed and
	 * then keep freed feeds in fragmented arenas, one per thread:
	 * serving 1,000 personal feeds peaked at 100 MiB that way, 70 MiB
	 * with a fixed threshold and two arenas.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_ARENA_MAX, 2);
	if (demo && (rc = demo_load(q, time(NULL), &err)) != QRM_OK)
		return fail(&err, rc);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if ((rc = http_start(q, listen, &srv, &err)) != QRM_OK)
		return fail(&err, rc);
	snprintf(host, sizeof(host), "%.*s", (int)(strrchr(listen, ':') -
	    listen), listen);
	snprintf(base, sizeof(base), "http://%s:%d", host, http_port(srv));
	printf("quorum: listening on %s/\n", base);
	if (demo)
		print_demo_links(q, base);
	fflush(stdout);
	sigdelset(&set, SIGPIPE);
	sigwait(&set, &sig);
	log_info("signal %d: stopping", sig);
	http_stop(srv);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "feeds", required_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct qrm_error	 err = { 0 };
	struct audience_list	 l = { 0 };
	struct qrm		*q = NULL;
	const char		*db = getenv("QUORUM_DB");
	const char		*feeds = getenv("QUORUM_FEEDS");
	const char		*cmd;
	struct stat		 sb;
	int			 c, rc;

	if (db == NULL)
		db = "quorum.db";
	if (feeds == NULL)
		feeds = stat("feeds", &sb) == 0 && S_ISDIR(sb.st_mode) ?
		    "feeds" : QUORUM_FEEDS_DIR;
	while ((c = getopt_long(argc, argv, "+v", opts, NULL)) != -1) {
		switch (c) {
		case 'D': db = optarg; break;
		case 'F': feeds = optarg; break;
		case 'v': log_set_level(LOG_LEVEL_DEBUG); break;
		case 'h': usage(); return 0;
		default: usage(); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage();
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	cmd = argv[0];
	if ((rc = qrm_open(db, feeds, &q, &err)) != QRM_OK)
		return fail(&err, rc);
	/* init and serve (re)load the catalogue; others only if empty */
	if (strcmp(cmd, "init") == 0 || strcmp(cmd, "serve") == 0 ||
	    (core_audience_list(q, &l, &err) == QRM_OK && l.n == 0))
		rc = catalogue_load(q, &err);
	audience_list_free(&l);
	if (rc != QRM_OK) {
		qrm_close(q);
		return fail(&err, rc);
	}
	if (strcmp(cmd, "init") == 0)
		rc = 0;
	else if (strcmp(cmd, "serve") == 0)
		rc = cmd_serve(q, argc, argv);
	else if (strcmp(cmd, "demo") == 0)
		rc = demo_load(q, time(NULL), &err) == QRM_OK ? 0 :
		    fail(&err, err.code);
	else if (strcmp(cmd, "event") == 0)
		rc = cmd_event(q, argc, argv);
	else if (strcmp(cmd, "member") == 0)
		rc = cmd_member(q, argc, argv);
	else if (strcmp(cmd, "token") == 0)
		rc = cmd_token(q, argc, argv);
	else if (strcmp(cmd, "attend") == 0)
		rc = cmd_attend(q, argc, argv);
	else if (strcmp(cmd, "action") == 0)
		rc = cmd_action(q, argc, argv);
	else if (strcmp(cmd, "notes") == 0)
		rc = cmd_notes(q, argc, argv, 0);
	else if (strcmp(cmd, "agenda") == 0)
		rc = cmd_notes(q, argc, argv, 1);
	else if (strcmp(cmd, "purge") == 0)
		rc = cmd_purge(q, argc, argv);
	else if (strcmp(cmd, "register") == 0)
		rc = cmd_register(q, argc, argv);
	else if (strcmp(cmd, "checkin") == 0)
		rc = cmd_checkin(q, argc, argv);
	else if (strcmp(cmd, "audit") == 0)
		rc = cmd_audit(q, argc, argv);
	else if (strcmp(cmd, "import") == 0)
		rc = cmd_import(q, argc, argv);
	else if (strcmp(cmd, "export") == 0)
		rc = cmd_export(q, argc, argv);
	else if (strcmp(cmd, "publish") == 0)
		rc = cmd_publish(q, argc, argv);
	else {
		fprintf(stderr, "quorum: unknown command '%s'\n", cmd);
		usage();
		rc = EXIT_USAGE;
	}
	qrm_close(q);
	return rc;
}
