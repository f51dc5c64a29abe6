/*
 * cmd-admin.c: the commands that run and look after the service: init,
 * serve, demo, audit, purge, import, export and publish.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "cli.h"
#include "quorum/config.h"
#include "quorum/http.h"

static int
cmd_init(struct cmd_ctx *c)
{
	(void)c;
	return 0;
}

static int
cmd_demo(struct cmd_ctx *c)
{
	struct qrm_error	err = { 0 };
	int			rc;

	if ((rc = demo_load(c->q, time(NULL), &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	return 0;
}

static void
print_demo_links(struct cmd_ctx *c, const char *base)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	char			*feed = NULL, *api = NULL, *signin = NULL;
	size_t			 i;
	int64_t			 priya, carole;

	printf("\nPublic feed (subscribe in any calendar app):\n"
	    "  %s/feeds/all-members.ics\n", base);
	priya = core_member_id_by_email(c->q, "priya.shah@napo.example");
	carole = core_member_id_by_email(c->q, "carole.doherty@napo.example");
	if (core_token_issue(c->q, c->actor, priya, SCOPE_FEED, LEVEL_FULL, &feed,
	    &err) == QRM_OK) {
		printf("\nPriya Shah (member %lld), a facilitator, may "
		    "subscribe to:\n", (long long)priya);
		cmd_member_links_print(c->q, base, priya, feed);
	}
	if (core_signin_link(c->q, c->actor, priya, base, &signin, &err) ==
	    QRM_OK)
		printf("\nSign in as Priya in a browser (the link works once; "
		    "`quorum login-link %lld` makes another):\n  %s\n",
		    (long long)priya, signin);
	if (core_token_issue(c->q, c->actor, carole, SCOPE_API, LEVEL_FULL, &api, &err) ==
	    QRM_OK)
		printf("\nAPI token of Carole Doherty, an official:\n"
		    "  curl -H 'Authorization: Bearer %s' %s/api/v1/events\n",
		    api, base);
	if (core_audience_list(c->q, &l, &err) == QRM_OK) {
		printf("\nAll feeds (non-public ones need a member's "
		    "?token=):\n");
		for (i = 0; i < l.n; i++)
			printf("  %s/feeds/%s.ics  (%s)\n", base, l.v[i].slug,
			    visibility_names[l.v[i].visibility]);
		audience_list_free(&l);
	}
	free(feed);
	free(api);
	free(signin);
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
	if ((t = getenv("QUORUM_ACCESS_LOG")) != NULL && *t != '\0')
		http_set_access_log(config_bool(t) != 0);
	if (th != NULL && *th != '\0') {
		if (parse_int64(th, &threads) == -1 || threads < 1 ||
		    threads > 256)
			return qrm_seterr(err, QRM_EINVAL, "QUORUM_THREADS",
			    "QUORUM_THREADS must be from 1 to 256");
		http_set_threads((unsigned int)threads);
	}
	return QRM_OK;
}

/*
 * config check: the file was read and checked before any command ran
 * (a bad one stops there); the environment's values are checked the
 * same way, then every effective setting is printed with its source.
 */
static int
cmd_config_check(struct cmd_ctx *c)
{
	char	*why = NULL;

	(void)c;
	if (config_check_env(&why) == -1) {
		fprintf(stderr, "quorum: %s\n", why ? why : "out of memory");
		free(why);
		return EXIT_CONFIG;
	}
	config_print(stdout, cmd_cli_envs);
	return 0;
}

/*
 * SIGHUP: the configuration file and the catalogue read again, while
 * connections go on being served.  A bad file changes nothing (and
 * says why in the log); settings read only at start (listen, threads,
 * the database) say that they need a restart.
 */
static void
reload(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	char			*why = NULL;
	int			 rc;

	sd_notify(0, "RELOADING=1");
	if (config_reload(&why) == -1) {
		log_warn("reload: %s; the running settings stay",
		    why ? why : "out of memory");
		free(why);
	} else {
		if (why != NULL && *why != '\0')
			log_info("reload: %s", why);
		free(why);
	}
	if ((rc = catalogue_load(c->q, &err)) != QRM_OK)
		log_warn("reload: the catalogue: %s", err.msg);
	else
		log_info("reload: configuration and catalogue read again");
	sd_notify(0, "READY=1");
}

static int
cmd_serve(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct http_server	*srv;
	struct outbox_worker	*mailer = NULL;
	struct mail_settings	 ms;
	const char		*listen = cmd_text(c, "listen");
	char			 base[512], host[128];
	sigset_t		 set;
	int			 rc, sig, lock, demo = cmd_flag(c, "demo");

	if (listen == NULL)
		listen = getenv("QUORUM_LISTEN");
	if (listen == NULL || *listen == '\0')
		listen = "127.0.0.1:8080";
	if ((rc = serve_settings(&err)) != QRM_OK)
		return cmd_fail(&err, rc);
	if (getenv("QUORUM_BASE_URL") != NULL ||
	    strcmp(c->base_url, "http://127.0.0.1:8080") != 0)
		http_set_base_url(c->base_url);
	/*
	 * Feeds are megabytes each and come and go with the cache.  glibc
	 * would raise its mmap threshold after the first one is freed and
	 * then keep freed feeds in fragmented arenas, one per thread:
	 * serving 1,000 personal feeds peaked at 100 MiB that way, 70 MiB
	 * with a fixed threshold and two arenas.  Feeds stay above it.
	 */
	mallopt(M_MMAP_THRESHOLD, 512 * 1024);
	mallopt(M_ARENA_MAX, 2);
	/*
	 * Pages of a few hundred KB are built and freed all day: below the
	 * threshold they come from the heap, and a freed one stays for the
	 * next rather than being given back and faulted in again (the door
	 * page of 500 spent a fifth of its time in the kernel that way).
	 */
	mallopt(M_TRIM_THRESHOLD, 4 << 20);
	if (demo && (rc = demo_load(c->q, time(NULL), &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* held while serving: `quorum restore` waits for no server */
	if ((lock = core_db_lock(c->db, 0, &err)) == -1)
		return cmd_fail(&err, err.code ? err.code : QRM_ECONFLICT);
	if ((rc = http_start(c->q, listen, &srv, &err)) != QRM_OK) {
		close(lock);
		return cmd_fail(&err, rc);
	}
	/* the server sends the outbox itself when it has a mail server */
	mail_settings_env(&ms);
	if (ms.smtp != NULL && *ms.smtp != '\0' &&
	    (rc = outbox_worker_start(c->q, &ms, &mailer, &err)) != QRM_OK) {
		http_stop(srv);
		return cmd_fail(&err, rc);
	}
	snprintf(host, sizeof(host), "%.*s", (int)(strrchr(listen, ':') -
	    listen), listen);
	snprintf(base, sizeof(base), "http://%s:%d", host, http_port(srv));
	printf("quorum: listening on %s/\n", base);
	/* links go to the public address when one is set */
	if (demo)
		print_demo_links(c, getenv("QUORUM_BASE_URL") != NULL ||
		    strcmp(c->base_url, "http://127.0.0.1:8080") != 0 ?
		    c->base_url : base);
	fflush(stdout);
	/* systemd (Type=notify): ready only now that it is listening */
	sd_notifyf(0, "READY=1\nSTATUS=listening on %s", base);
	sigdelset(&set, SIGPIPE);
	for (;;) {
		sigwait(&set, &sig);
		if (sig != SIGHUP)
			break;
		reload(c);
	}
	log_info("signal %d: stopping", sig);
	sd_notify(0, "STOPPING=1");
	outbox_worker_stop(mailer);
	http_stop(srv);
	close(lock);
	return 0;
}

static int
cmd_backup(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	const char		*env = getenv("QUORUM_BACKUP_KEEP");
	int64_t			 keep = 14;

	if (env != NULL && *env != '\0' && (parse_int64(env, &keep) == -1 ||
	    keep < 0))
		keep = 14;
	cmd_int(c, "keep", &keep);
	if (keep < 0 || keep > 100000)
		return cmd_usage_error(c, "--keep is a count of backups");
	return cmd_reply(core_backup(c->q, c->argv[0], (int)keep, &out,
	    &err), &err, &out);
}

static int
cmd_restore(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;

	return cmd_reply(core_restore(c->db, c->argv[0], &out, &err), &err,
	    &out);
}

/* report facility-time: the hours, as JSON or as CSV for a spreadsheet */
static int
cmd_facility(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	int64_t			 member = 0;
	char			*csv;
	int			 rc;

	if (cmd_text(c, "from") == NULL || cmd_text(c, "to") == NULL)
		return cmd_usage_error(c, "--from DATE and --to DATE are needed "
		    "(the return's year: --from 2026-04-01 --to 2027-03-31)");
	cmd_int(c, "member", &member);
	if (member < 0)
		return cmd_usage_error(c, "--member is a member's id");
	if ((rc = core_facility_time(c->q, c->actor, cmd_text(c, "from"),
	    cmd_text(c, "to"), member, &out, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	if (!cmd_flag(c, "csv"))
		return cmd_print_json(out);
	csv = core_facility_csv(out);
	json_decref(out);
	fputs(csv ? csv : "", stdout);
	free(csv);
	return 0;
}

static int
cmd_audit(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*list = NULL;
	int64_t			 since = 0, limit = 1000;

	cmd_int(c, "since", &since);
	cmd_int(c, "limit", &limit);
	if (since < 0)
		return cmd_usage_error(c, "--since must be an audit id");
	return cmd_reply(core_audit_list(c->q, c->actor, since, limit < 1 ||
	    limit > 10000 ? 0 : (int)limit, &list, &err), &err, &list);
}

static int
cmd_purge(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	json_t			*out = NULL;
	const char		*age = cmd_text(c, "attendance-older-than");

	if (age == NULL)	/* retention.attendance of quorum.conf */
		age = getenv("QUORUM_ATTENDANCE_RETENTION");
	if (age == NULL || *age == '\0')
		return cmd_usage_error(c, "--attendance-older-than is needed "
		    "(or retention.attendance in quorum.conf)");
	return cmd_reply(core_purge_attendance(c->q, c->actor, age, &out,
	    &err), &err, &out);
}

static int
cmd_import(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	const char		*audience = cmd_text(c, "audience");
	const char		*file = c->argv[0];
	json_t			*report;
	char			*text;
	size_t			 len;
	int			 rc;

	if (audience == NULL)
		return cmd_usage_error(c, "--audience is needed");
	if ((text = cmd_read_file(file, 8u << 20, &len)) == NULL) {
		fprintf(stderr, "quorum: %s: %s\n", file, errno == EFBIG ?
		    "larger than 8 MiB" : strerror(errno));
		return EXIT_REFUSED;
	}
	rc = core_import(c->q, c->actor, text, len, audience, &report, &err);
	free(text);
	if (rc != QRM_OK) {
		fprintf(stderr, "quorum: %s: %s\n", file, err.msg);
		return EXIT_REFUSED;
	}
	return cmd_print_json(report);
}

static int
cmd_export(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct buf		 out = { 0 };
	int			 rc;

	if ((rc = core_export(c->q, cmd_text(c, "audience"),
	    cmd_text(c, "from"), cmd_text(c, "to"), &out, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
	return fflush(stdout) == 0 ? 0 : EXIT_REFUSED;
}

static int
cmd_publish(struct cmd_ctx *c)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l;
	struct buf		 body;
	char			 path[4096], tmp[4200];
	const char		*dir = cmd_text(c, "out");
	time_t			 lm;
	FILE			*f;
	size_t			 i;
	int			 rc;

	if (dir == NULL)
		return cmd_usage_error(c, "--out DIR is needed");
	if (cmd_mkdirs(dir, 1) == -1) {
		fprintf(stderr, "quorum: %s: %s\n", dir, strerror(errno));
		return EXIT_REFUSED;
	}
	if ((rc = core_audience_list(c->q, &l, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	for (i = 0; i < l.n && rc == QRM_OK; i++) {
		if (l.v[i].visibility != VIS_PUBLIC)
			continue;
		memset(&body, 0, sizeof(body));
		if ((rc = feed_build_audience(c->q, &l.v[i], &body, &lm,
		    &err)))
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
			return EXIT_REFUSED;
		}
		buf_free(&body);
		printf("%s\n", path);
	}
	audience_list_free(&l);
	return rc == QRM_OK ? 0 : cmd_fail(&err, rc);
}

static const struct cmd_opt serve_opts[] = {
	{ "listen", OPT_TEXT, NULL, "ADDR:PORT",
	  "where to listen (default 127.0.0.1:8080, or $QUORUM_LISTEN)" },
	{ "demo", OPT_FLAG, NULL, NULL,
	  "load the demo programme first and print links to try" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt backup_opts[] = {
	{ "keep", OPT_INT, NULL, "N", "into a folder: keep the newest N "
	  "backups there (default 14, or $QUORUM_BACKUP_KEEP; 0 keeps all)" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt facility_opts[] = {
	{ "from", OPT_TEXT, NULL, "DATE", "the first day (YYYY-MM-DD)" },
	{ "to", OPT_TEXT, NULL, "DATE", "the last day (YYYY-MM-DD)" },
	{ "member", OPT_INT, NULL, "ID", "one member only" },
	{ "csv", OPT_FLAG, NULL, NULL, "CSV: member_id,name,kind,hours, a row "
	  "a member and kind" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt audit_opts[] = {
	{ "limit", OPT_INT, NULL, "N", "the newest N entries (default 1000)" },
	{ "since", OPT_INT, NULL, "ID",
	  "the entries after ID, oldest first (to page forward)" },
	{ "json", OPT_FLAG, NULL, NULL, "JSON (the only form: accepted)" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt purge_opts[] = {
	{ "attendance-older-than", OPT_TEXT, NULL, "AGE",
	  "remove attendance of meetings older than AGE: 6y, 18m or 90d" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt import_opts[] = {
	{ "audience", OPT_TEXT, NULL, "SLUG",
	  "the audience of events that name none" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt export_opts[] = {
	{ "audience", OPT_TEXT, NULL, "SLUG",
	  "only this audience's events (and what its feed shows)" },
	{ "from", OPT_TEXT, NULL, "DATE", "events ending after DATE" },
	{ "to", OPT_TEXT, NULL, "DATE", "events starting before DATE" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_opt publish_opts[] = {
	{ "out", OPT_TEXT, NULL, "DIR",
	  "the folder to write to (created, parents too)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_admin_entries[] = {
	{ "init", NULL, NULL, 0, 0, NULL,
	  "create or migrate the database (and its folder); load the feed "
	  "catalogue", CMD_DB | CMD_CATALOGUE | CMD_MKDIR, cmd_init },
	{ "serve", NULL, NULL, 0, 0, serve_opts,
	  "serve feeds, the API and the pages", CMD_DB | CMD_CATALOGUE,
	  cmd_serve },
	{ "demo", NULL, NULL, 0, 0, NULL,
	  "load the demo programme of events and members", CMD_DB,
	  cmd_demo },
	{ "backup", NULL, "FILE|DIR", 1, 1, backup_opts,
	  "a consistent copy of the database while the server runs; into a "
	  "folder as quorum-DATE-TIME.db, keeping the newest --keep", CMD_DB,
	  cmd_backup },
	{ "restore", NULL, "FILE", 1, 1, NULL,
	  "replace the database with a backup (no server may be running); "
	  "the database replaced is kept beside it", 0, cmd_restore },
	{ "report", "facility-time", "--from DATE --to DATE", 0, 0,
	  facility_opts, "the hours reps and officials spent on union "
	  "duties, by kind, and the annual return's figures", CMD_DB,
	  cmd_facility },
	{ "config", "check", NULL, 0, 0, NULL,
	  "check the configuration and print every setting in effect, with "
	  "where it came from (secrets masked)", 0, cmd_config_check },
	{ "audit", NULL, NULL, 0, 0, audit_opts,
	  "who changed what, and when", CMD_DB, cmd_audit },
	{ "purge", NULL, "--attendance-older-than AGE", 0, 0, purge_opts,
	  "remove old attendance records (retention)", CMD_DB, cmd_purge },
	{ "import", NULL, "FILE.ics --audience SLUG", 1, 1, import_opts,
	  "import an iCalendar file (by UID: updates, never duplicates)",
	  CMD_DB, cmd_import },
	{ "export", NULL, NULL, 0, 0, export_opts,
	  "write events as iCalendar to standard output", CMD_DB, cmd_export },
	{ "publish", NULL, "--out DIR", 0, 0, publish_opts,
	  "write every public feed as a static file", CMD_DB, cmd_publish },
	{ NULL, NULL, NULL, 0, 0, NULL, NULL, 0, NULL }
};
