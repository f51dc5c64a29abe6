/*
 * cmd.c: the quorum command's front: global options, finding the entry
 * of a command line, reading its options against the entry's table,
 * --help and usage from the same table, and the helpers every command
 * shares.  Nothing is opened or created before the whole command line
 * has been read and found good.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "quorum/config.h"

static const struct actor	cli_actor = { 0, ROLE_ADMIN, "cli" };

static const struct cmd_entry *const groups[] = {
	cmd_admin_entries, cmd_event_entries, cmd_member_entries,
	cmd_attend_entries, cmd_action_entries, cmd_outbox_entries,
	cmd_signin_entries, cmd_schedule_entries, NULL
};

/* The name of an entry as typed: "event add", or "init". */
static void
entry_name(const struct cmd_entry *e, char *out, size_t sz)
{
	snprintf(out, sz, "%s%s%s", e->name, e->sub ? " " : "",
	    e->sub ? e->sub : "");
}

static void
print_entry_line(FILE *f, const struct cmd_entry *e)
{
	char	name[64];

	entry_name(e, name, sizeof(name));
	fprintf(f, "  %-20s %s\n", name, e->summary);
}

static void
usage_main(FILE *f)
{
	const struct cmd_entry	*e;
	size_t			 g;

	fputs("usage: quorum [--config FILE] [--db PATH] [--feeds DIR] "
	    "[--base-url URL] [-v] COMMAND [ARGS]\n"
	    "       quorum COMMAND --help     (what a command takes)\n"
	    "       quorum --version\n\n"
	    "Options before the command:\n"
	    "  --config FILE        the configuration (default "
	    QUORUM_SYSCONF_DIR "/quorum.conf\n"
	    "                       if it exists, or $QUORUM_CONFIG)\n"
	    "  --db PATH            the database (default ./quorum.db, or "
	    "$QUORUM_DB)\n"
	    "  --feeds DIR          the feed catalogue (default ./feeds, or "
	    "$QUORUM_FEEDS)\n"
	    "  --base-url URL       the public address printed in links "
	    "(or $QUORUM_BASE_URL)\n"
	    "  -v, --verbose        log every request (paths only, never a "
	    "token)\n\nCommands:\n", f);
	for (g = 0; groups[g] != NULL; g++)
		for (e = groups[g]; e->name != NULL; e++)
			print_entry_line(f, e);
}

/* Usage of one entry: its line and each option with its help. */
static void
usage_entry(FILE *f, const struct cmd_entry *e)
{
	const struct cmd_opt	*o;
	char			 name[64], left[64];

	entry_name(e, name, sizeof(name));
	fprintf(f, "usage: quorum %s%s%s%s\n%s\n", name, e->args ? " " : "",
	    e->args ? e->args : "", e->opts && e->opts->name ?
	    " [OPTIONS]" : "", e->summary);
	if (e->opts == NULL || e->opts->name == NULL)
		return;
	fputs("\nOptions:\n", f);
	for (o = e->opts; o->name != NULL; o++) {
		snprintf(left, sizeof(left), "--%s%s%s%s", o->name,
		    o->arg ? " " : "", o->arg ? o->arg : "",
		    o->type == OPT_TEXTS || o->type == OPT_INTS ? "..." : "");
		fprintf(f, "  %-24s %s\n", left, o->help);
	}
}

/* Every entry of a group ("quorum event --help"). */
static void
usage_group(FILE *f, const char *name)
{
	const struct cmd_entry	*e;
	char			 line[64];
	size_t			 g;

	fprintf(f, "usage: quorum %s SUBCOMMAND ...   (quorum %s SUBCOMMAND "
	    "--help for one)\n\n", name, name);
	for (g = 0; groups[g] != NULL; g++)
		for (e = groups[g]; e->name != NULL; e++) {
			if (strcmp(e->name, name) != 0)
				continue;
			entry_name(e, line, sizeof(line));
			fprintf(f, "  quorum %s%s%s\n      %s\n", line,
			    e->args ? " " : "", e->args ? e->args : "",
			    e->summary);
		}
}

int
cmd_usage_error(const struct cmd_ctx *c, const char *fmt, ...)
{
	char	name[64];
	va_list	ap;

	entry_name(c->entry, name, sizeof(name));
	fprintf(stderr, "quorum: %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see 'quorum %s --help'\n", name);
	return EXIT_USAGE;
}

/*
 * Find the entry for argv (the command and what follows).  Sets *used
 * to the words the name took (1 or 2).  NULL, with the message printed
 * and *rc set, when there is none (or --help was asked of a group).
 */
static const struct cmd_entry *
entry_find(int argc, char **argv, int *used, int *rc)
{
	const struct cmd_entry	*e, *alone = NULL;
	size_t			 g;
	int			 known = 0;

	for (g = 0; groups[g] != NULL; g++)
		for (e = groups[g]; e->name != NULL; e++) {
			if (strcmp(e->name, argv[0]) != 0)
				continue;
			known = 1;
			if (e->sub == NULL)
				alone = e;
			else if (argc > 1 && strcmp(e->sub, argv[1]) == 0) {
				*used = 2;
				return e;
			}
		}
	if (!known) {
		fprintf(stderr, "quorum: unknown command '%s'; see 'quorum "
		    "--help'\n", argv[0]);
		*rc = EXIT_USAGE;
		return NULL;
	}
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		if (alone != NULL && alone->sub == NULL) {
			/* "attend --help": the command and its subcommands */
			for (g = 0; groups[g] != NULL; g++)
				for (e = groups[g]; e->name != NULL; e++)
					if (strcmp(e->name, argv[0]) == 0 &&
					    e->sub != NULL) {
						usage_group(stdout, argv[0]);
						*rc = 0;
						return NULL;
					}
		}
		if (alone == NULL) {
			usage_group(stdout, argv[0]);
			*rc = 0;
			return NULL;
		}
	}
	if (alone != NULL) {
		*used = 1;
		return alone;
	}
	if (argc > 1 && argv[1][0] != '-')
		fprintf(stderr, "quorum: %s: unknown subcommand '%s'; see "
		    "'quorum %s --help'\n", argv[0], argv[1], argv[0]);
	else
		fprintf(stderr, "quorum: %s needs a subcommand; see 'quorum "
		    "%s --help'\n", argv[0], argv[0]);
	*rc = EXIT_USAGE;
	return NULL;
}

static void
json_push(json_t *o, const char *key, json_t *v)
{
	json_t	*a = json_object_get(o, key);

	if (a == NULL) {
		a = json_array();
		json_object_set_new(o, key, a);
	}
	json_array_append_new(a, v);
}

/*
 * Positional arguments named ID, EVENT or MEMBER in the entry's usage
 * (EVENT... for all the rest) must be ids: checked here, before any
 * database is opened.
 */
static int
check_ids(struct cmd_ctx *c)
{
	const char	*u = c->entry->args, *w;
	char		 word[32];
	size_t		 len;
	int64_t		 n;
	int		 i = 0, rest = 0;

	if (u == NULL)
		return 0;
	while (*u != '\0' && i < c->argc) {
		while (*u == ' ')
			u++;
		if (*u == '-' || *u == '[' || *u == '\0')
			break;
		len = strcspn(u, " ");
		snprintf(word, sizeof(word), "%.*s", (int)len, u);
		u += len;
		rest = (w = strstr(word, "...")) != NULL;
		if (w != NULL)
			*(char *)w = '\0';
		do {
			if ((strcmp(word, "ID") == 0 || strcmp(word, "EVENT") ==
			    0 || strcmp(word, "MEMBER") == 0) &&
			    (parse_int64(c->argv[i], &n) == -1 || n < 1))
				return cmd_usage_error(c, "'%s' is not %s id "
				    "(a whole number)", c->argv[i],
				    strcmp(word, "EVENT") == 0 ? "an event" :
				    strcmp(word, "MEMBER") == 0 ? "a member" :
				    strcmp(c->entry->name, "event") == 0 ?
				    "an event" : strcmp(c->entry->name,
				    "action") == 0 ? "an action" :
				    strcmp(c->entry->name, "token") == 0 ?
				    "a token" : "a member");
			i++;
		} while (rest && i < c->argc);
	}
	return 0;
}

/*
 * Read argv (after the command's name) against c->entry: options into
 * c->opt (and c->body for those with a key), the rest as positional
 * arguments.  EXIT_USAGE with one line printed if anything is wrong;
 * -1 when --help was printed.
 */
static int
parse_args(struct cmd_ctx *c, int argc, char **argv)
{
	const struct cmd_opt	*o;
	const char		*arg, *eq, *value;
	json_t			*v;
	int64_t			 n;
	size_t			 len;
	int			 i, only_args = 0;

	c->opt = json_object();
	c->body = json_object();
	c->argv = calloc((size_t)argc + 1, sizeof(char *));
	c->argc = 0;
	for (i = 0; i < argc; i++) {
		arg = argv[i];
		/* "-" alone is standard input, an argument like any other */
		if (only_args || arg[0] != '-' || arg[1] == '\0') {
			c->argv[c->argc++] = argv[i];
			continue;
		}
		if (arg[1] != '-' && strcmp(arg, "-h") != 0)
			return cmd_usage_error(c, "unknown option '%s'", arg);
		if (strcmp(arg, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage_entry(stdout, c->entry);
			return -1;
		}
		arg += 2;
		len = (eq = strchr(arg, '=')) ? (size_t)(eq - arg) :
		    strlen(arg);
		for (o = c->entry->opts; o && o->name != NULL; o++)
			if (strlen(o->name) == len &&
			    strncmp(o->name, arg, len) == 0)
				break;
		if (o == NULL || o->name == NULL)
			return cmd_usage_error(c, "unknown option '--%.*s'",
			    (int)len, arg);
		value = NULL;
		if (o->type == OPT_FLAG) {
			if (eq != NULL)
				return cmd_usage_error(c, "--%s takes no "
				    "value", o->name);
		} else if (eq != NULL)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return cmd_usage_error(c, "--%s needs a value (%s)",
			    o->name, o->arg ? o->arg : "text");
		switch (o->type) {
		case OPT_FLAG:
			v = json_true();
			break;
		case OPT_TEXT:
		case OPT_TEXTS:
			if ((v = json_string(value)) == NULL)
				return cmd_usage_error(c, "--%s: the value is "
				    "not valid UTF-8", o->name);
			break;
		case OPT_ID_OR_NONE:
			if (strcmp(value, "none") == 0) {
				v = json_null();
				break;
			}
			/* FALLTHROUGH */
		case OPT_INT:
		case OPT_INTS:
		default:
			if (parse_int64(value, &n) == -1)
				return cmd_usage_error(c, "--%s: '%s' is not a "
				    "whole number%s", o->name, value,
				    o->type == OPT_ID_OR_NONE ?
				    " (or 'none')" : "");
			v = json_integer(n);
			break;
		}
		if (o->type == OPT_TEXTS || o->type == OPT_INTS) {
			json_push(c->opt, o->name, json_incref(v));
			if (o->key != NULL)
				json_push(c->body, o->key, json_incref(v));
		} else {
			json_object_set(c->opt, o->name, v);
			if (o->key != NULL)
				json_object_set(c->body, o->key, v);
		}
		json_decref(v);
	}
	if ((i = check_ids(c)) != 0)
		return i;
	if (c->argc < c->entry->min_args || (c->entry->max_args >= 0 &&
	    c->argc > c->entry->max_args)) {
		if (c->entry->max_args == 0)
			return cmd_usage_error(c, "takes no arguments ('%s')",
			    c->argv[0]);
		return cmd_usage_error(c, "expects %s", c->entry->args);
	}
	return 0;
}

const char *
cmd_text(const struct cmd_ctx *c, const char *name)
{
	return json_string_value(json_object_get(c->opt, name));
}

int
cmd_flag(const struct cmd_ctx *c, const char *name)
{
	return json_is_true(json_object_get(c->opt, name));
}

/* The whole-number option name into *out; 0 if given, -1 if not. */
int
cmd_int(const struct cmd_ctx *c, const char *name, int64_t *out)
{
	json_t	*v = json_object_get(c->opt, name);

	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/* Positional argument i, an id already checked by check_ids(). */
int64_t
cmd_arg_id(const struct cmd_ctx *c, int i)
{
	int64_t	n = 0;

	if (i < c->argc)
		parse_int64(c->argv[i], &n);
	return n;
}

/*
 * A domain call's end: *out printed as JSON, or the refusal.  out is a
 * pointer so that cmd_reply(core_x(..., &out, &err), &err, &out) reads
 * it after the call has filled it.
 */
int
cmd_reply(int rc, const struct qrm_error *err, json_t **out)
{
	if (rc != QRM_OK) {
		json_decref(*out);
		return cmd_fail(err, rc);
	}
	return cmd_print_json(*out);
}

int
cmd_fail(const struct qrm_error *err, int code)
{
	if (err->field[0] != '\0' && strstr(err->msg, err->field) == NULL)
		fprintf(stderr, "quorum: %s: %s\n", err->field, err->msg);
	else
		fprintf(stderr, "quorum: %s\n", err->msg[0] ? err->msg :
		    qrm_err_name(code));
	return EXIT_REFUSED;
}

/* Print o (whose reference this takes) as indented JSON. */
int
cmd_print_json(json_t *o)
{
	char	*text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);

	json_decref(o);
	if (text == NULL)
		return EXIT_REFUSED;
	puts(text);
	free(text);
	return 0;
}

/* The whole of path ("-": standard input), at most max bytes. */
char *
cmd_read_file(const char *path, size_t max, size_t *len)
{
	FILE		*f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct buf	 b = { 0 };
	char		 chunk[65536];
	size_t		 n;
	int		 bad = 0;

	if (f == NULL)
		return NULL;
	while (!bad && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (b.len + n > max || buf_append(&b, chunk, n) == -1)
			bad = 1;
	if (ferror(f))
		bad = 1;
	if (f != stdin)
		fclose(f);
	if (bad) {
		buf_free(&b);
		if (errno == 0 || b.len + n > max)
			errno = EFBIG;
		return NULL;
	}
	*len = b.len;
	return b.p ? buf_detach(&b) : strdup("");
}

/*
 * Create the folders of path (mkdir -p), the last component too when
 * include_last.  -1 (errno set) if one cannot be made.
 */
int
cmd_mkdirs(const char *path, int include_last)
{
	char	 dir[4096], *p;
	size_t	 n = strlen(path);

	if (n == 0 || n >= sizeof(dir))
		return n == 0 ? 0 : (errno = ENAMETOOLONG, -1);
	memcpy(dir, path, n + 1);
	if (!include_last) {
		if ((p = strrchr(dir, '/')) == NULL)
			return 0;
		*p = '\0';
	}
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (dir[0] != '\0' && mkdir(dir, 0755) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* Does the folder that will hold path exist?  Names it if not. */
static int
db_folder_exists(const char *path)
{
	char		 dir[4096];
	const char	*slash = strrchr(path, '/');
	struct stat	 sb;

	if (slash == NULL || slash == path)
		return 1;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 1;
	fprintf(stderr, "quorum: the folder %s does not exist (for the "
	    "database %s); 'quorum --db %s init' creates it\n", dir, path,
	    path);
	return 0;
}

static int
run(const struct cmd_entry *e, struct cmd_ctx *c, const char *db,
    const char *feeds)
{
	struct qrm_error	 err = { 0 };
	struct audience_list	 l = { 0 };
	struct qrm		*q = NULL;
	int			 rc = QRM_OK;

	c->db = db;
	if (!(e->flags & CMD_DB))
		return e->exec(c);
	if (e->flags & CMD_MKDIR) {
		if (cmd_mkdirs(db, 0) == -1) {
			fprintf(stderr, "quorum: cannot create the folder of "
			    "%s: %s\n", db, strerror(errno));
			return EXIT_REFUSED;
		}
	} else if (!db_folder_exists(db))
		return EXIT_REFUSED;
	if ((rc = qrm_open(db, feeds, &q, &err)) != QRM_OK)
		return cmd_fail(&err, rc);
	/* init and serve (re)load the catalogue; others only if empty */
	if ((e->flags & CMD_CATALOGUE) ||
	    (core_audience_list(q, &l, &err) == QRM_OK && l.n == 0))
		rc = catalogue_load(q, &err);
	audience_list_free(&l);
	if (rc != QRM_OK) {
		qrm_close(q);
		return cmd_fail(&err, rc);
	}
	c->q = q;
	qrm_set_base_url(q, c->base_url);
	rc = e->exec(c);
	qrm_close(q);
	return rc;
}

/* The settings the command line gave, by their environment names. */
const char	*cmd_cli_envs[4];

static void
cli_set(const char *env, const char *value)
{
	size_t	i;

	setenv(env, value, 1);
	for (i = 0; i < 3 && cmd_cli_envs[i] != NULL; i++)
		if (strcmp(cmd_cli_envs[i], env) == 0)
			return;
	if (i < 3)
		cmd_cli_envs[i] = env;
}

/*
 * Read the configuration file: --config FILE (among the options before
 * the command), else $QUORUM_CONFIG, both of which must exist, else
 * QUORUM_SYSCONF_DIR/quorum.conf if it does.  A bad file stops here,
 * naming its line and key: 0, or the exit status.
 */
static int
configure(int argc, char *argv[])
{
	const char	*path = getenv("QUORUM_CONFIG");
	char		*why = NULL;
	int		 i, required;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		/* the other options before the command take a value too */
		if ((strcmp(argv[i], "--db") == 0 || strcmp(argv[i],
		    "--feeds") == 0 || strcmp(argv[i], "--base-url") == 0) &&
		    i + 1 < argc) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[i++ + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
		else if (strcmp(argv[i], "--config") == 0) {
			fputs("quorum: --config needs a file\n", stderr);
			return EXIT_USAGE;
		}
	}
	required = path != NULL && *path != '\0';
	if (!required)
		path = QUORUM_SYSCONF_DIR "/quorum.conf";
	if (config_load(path, required, &why) == -1) {
		fprintf(stderr, "quorum: %s\n", why ? why : "out of memory");
		free(why);
		return EXIT_CONFIG;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct cmd_ctx		 c;
	const struct cmd_entry	*e;
	const char		*db, *feeds, *base;
	const char		*a, *v;
	char			 basebuf[512];
	struct stat		 sb;
	size_t			 n;
	int			 i, used = 1, rc = EXIT_USAGE;

	if ((rc = configure(argc, argv)) != 0)
		return rc;
	db = getenv("QUORUM_DB");
	feeds = getenv("QUORUM_FEEDS");
	base = getenv("QUORUM_BASE_URL");
	rc = EXIT_USAGE;
	if (db == NULL || *db == '\0')
		db = "quorum.db";
	if (feeds == NULL || *feeds == '\0')
		feeds = stat("feeds", &sb) == 0 && S_ISDIR(sb.st_mode) ?
		    "feeds" : QUORUM_SYSCONF_DIR "/feeds";
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage_main(stdout);
			return 0;
		}
		if (strcmp(a, "--version") == 0) {
			printf("quorum %s\n", QUORUM_VERSION);
			return 0;
		}
		if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			log_set_level(LOG_LEVEL_DEBUG);
			continue;
		}
		v = NULL;
		n = strchr(a, '=') ? (size_t)(strchr(a, '=') - a) : strlen(a);
		if (n == 8 && strncmp(a, "--config", 8) == 0) {
			if (a[n] != '=')
				i++;	/* read by configure() */
			continue;
		}
		if ((n == 4 && strncmp(a, "--db", 4) == 0) ||
		    (n == 7 && strncmp(a, "--feeds", 7) == 0) ||
		    (n == 10 && strncmp(a, "--base-url", 10) == 0)) {
			if (a[n] == '=')
				v = a + n + 1;
			else if (i + 1 < argc)
				v = argv[++i];
			else {
				fprintf(stderr, "quorum: %.*s needs a value; "
				    "see 'quorum --help'\n", (int)n, a);
				return EXIT_USAGE;
			}
			/* the command line has the last word (config check) */
			cli_set(a[2] == 'd' ? "QUORUM_DB" : a[2] == 'f' ?
			    "QUORUM_FEEDS" : "QUORUM_BASE_URL", v);
			if (a[2] == 'd')
				db = v;
			else if (a[2] == 'f')
				feeds = v;
			else
				base = v;
			continue;
		}
		fprintf(stderr, "quorum: unknown option '%s'; see 'quorum "
		    "--help'\n", a);
		return EXIT_USAGE;
	}
	if (i >= argc) {
		fputs("quorum: a command is needed; see 'quorum --help'\n",
		    stderr);
		return EXIT_USAGE;
	}
	if ((e = entry_find(argc - i, argv + i, &used, &rc)) == NULL)
		return rc;
	memset(&c, 0, sizeof(c));
	c.entry = e;
	c.actor = &cli_actor;
	if (base == NULL || *base == '\0')
		base = "http://127.0.0.1:8080";
	snprintf(basebuf, sizeof(basebuf), "%s", base);
	n = strlen(basebuf);
	while (n > 0 && basebuf[n - 1] == '/')
		basebuf[--n] = '\0';
	c.base_url = basebuf;
	rc = parse_args(&c, argc - i - used, argv + i + used);
	if (rc == 0)
		rc = run(e, &c, db, feeds);
	else if (rc == -1)
		rc = 0;		/* --help */
	json_decref(c.opt);
	json_decref(c.body);
	free(c.argv);
	return rc;
}
