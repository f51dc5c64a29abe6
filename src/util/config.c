/*
 * config.c: the configuration file, /etc/quorum/quorum.conf (INI, read
 * by inih).  Each key stands for one of quorum's environment variables;
 * a variable set in the environment wins over the file, and an option
 * on the command line over both.  The file is checked whole before
 * anything is applied: an unknown section or key, or a value of the
 * wrong kind, names its line and key, and nothing starts on it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "quorum/config.h"
#include "quorum/util.h"

enum kind {
	K_TEXT,		/* any one line */
	K_ADDR,		/* ADDR:PORT */
	K_URL,		/* http:// or https:// */
	K_SMTP,		/* smtp:// or smtps:// */
	K_EMAIL,
	K_INT,		/* a whole number from min to max */
	K_BOOL,		/* yes/no, true/false, 1/0 */
	K_RATE,		/* FAILURES/SECONDS, or 0 */
	K_AGE,		/* 6y, 18m, 90d */
	K_PAIR,		/* "PREP,TRAVEL": two hours, 0 to 24 */
	K_HOURS,	/* hours a week, more than 0, at most 80 */
	K_PATH		/* an absolute or relative path */
};

static const struct setting {
	const char	*section;
	const char	*key;
	const char	*env;
	enum kind	 kind;
	int64_t		 min, max;
	int		 secret;
	const char	*fallback;	/* what applies when unset, in words */
} settings[] = {
	{ "server", "listen", "QUORUM_LISTEN", K_ADDR, 0, 0, 0,
	  "127.0.0.1:8080" },
	{ "server", "base_url", "QUORUM_BASE_URL", K_URL, 0, 0, 0,
	  "http://127.0.0.1:8080" },
	{ "server", "threads", "QUORUM_THREADS", K_INT, 1, 256, 0,
	  "one per core" },
	{ "server", "timeout", "QUORUM_TIMEOUT", K_INT, 1, 3600, 0, "30" },
	{ "server", "cache_mb", "QUORUM_CACHE_MB", K_INT, 1, 4096, 0, "24" },
	{ "server", "token_guesses", "QUORUM_TOKEN_GUESSES", K_RATE, 0, 0, 0,
	  "30/60" },
	{ "server", "metrics_token", "QUORUM_METRICS_TOKEN", K_TEXT, 0, 0, 1,
	  "none: /metrics on loopback only" },
	{ "server", "access_log", "QUORUM_ACCESS_LOG", K_BOOL, 0, 0, 0,
	  "yes: a line a request" },
	{ "server", "session_days", "QUORUM_SESSION_DAYS", K_INT, 1, 3650, 0,
	  "180" },
	{ "server", "session_idle_days", "QUORUM_SESSION_IDLE_DAYS", K_INT, 1,
	  365, 0, "30" },
	{ "server", "signin_minutes", "QUORUM_SIGNIN_MINUTES", K_INT, 1, 1440,
	  0, "30" },
	{ "storage", "database", "QUORUM_DB", K_PATH, 0, 0, 0, "quorum.db" },
	{ "storage", "catalogue", "QUORUM_FEEDS", K_PATH, 0, 0, 0,
	  "./feeds, else " QUORUM_SYSCONF_DIR "/feeds" },
	{ "mail", "smtp", "QUORUM_SMTP", K_SMTP, 0, 0, 0, "none: no mail" },
	{ "mail", "from", "QUORUM_MAIL_FROM", K_EMAIL, 0, 0, 0,
	  "quorum@localhost" },
	{ "mail", "user", "QUORUM_SMTP_USER", K_TEXT, 0, 0, 0, "none" },
	{ "mail", "password", "QUORUM_SMTP_PASSWORD", K_TEXT, 0, 0, 1,
	  "none" },
	{ "mail", "starttls", "QUORUM_SMTP_STARTTLS", K_BOOL, 0, 0, 0, "no" },
	{ "mail", "outbox_interval", "QUORUM_OUTBOX_INTERVAL", K_INT, 1, 3600,
	  0, "5" },
	{ "mail", "reminders", "QUORUM_REMINDERS", K_TEXT, 0, 0, 0,
	  "P1D; PT1H more for online meetings" },
	{ "mail", "offer_hours", "QUORUM_OFFER_HOURS", K_INT, 1, 720, 0,
	  "48" },
	{ "retention", "cancelled_days", "QUORUM_CANCELLED_DAYS", K_INT, 1,
	  3650, 0, "90" },
	{ "retention", "attendance", "QUORUM_ATTENDANCE_RETENTION", K_AGE, 0,
	  0, 0, "kept until purged" },
	{ "retention", "backups", "QUORUM_BACKUP_KEEP", K_INT, 1, 10000, 0,
	  "14" },
	{ "facility", "full_time_hours", "QUORUM_FULL_TIME_HOURS", K_HOURS, 0,
	  0, 0, "37" },
	{ "facility", "workshop", "QUORUM_FACILITY_WORKSHOP", K_PAIR, 0, 0, 0,
	  "1,0: an hour's preparation, no travel" },
	{ "facility", "jes_panel", "QUORUM_FACILITY_JES_PANEL", K_PAIR, 0, 0,
	  0, "2,0.5" },
	{ "facility", "employer_meeting", "QUORUM_FACILITY_EMPLOYER_MEETING",
	  K_PAIR, 0, 0, 0, "1,0.5" },
	{ "facility", "member_briefing", "QUORUM_FACILITY_MEMBER_BRIEFING",
	  K_PAIR, 0, 0, 0, "0.5,0" },
	{ "facility", "joint_union_meeting",
	  "QUORUM_FACILITY_JOINT_UNION_MEETING", K_PAIR, 0, 0, 0, "1,0.5" },
	{ "facility", "away_day", "QUORUM_FACILITY_AWAY_DAY", K_PAIR, 0, 0, 0,
	  "0,1" },
	{ "facility", "other", "QUORUM_FACILITY_OTHER", K_PAIR, 0, 0, 0,
	  "0,0" },
	{ "forecast", "days", "QUORUM_FORECAST_DAYS", K_INT, 1, 60, 0, "7" },
};

#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

/* Where each setting came from, for `quorum config check`. */
static struct {
	int	 line;		/* in the file; 0: not there */
	char	*value;		/* as the file gave it */
	int	 applied;	/* its variable was set from the file */
} from_file[NSETTINGS];
static char	*file_path;

struct reading {
	FILE		*f;
	int		 line;		/* the line read last */
	const char	*path;
	char		*error;		/* the first problem, in words */
	int		 seen[NSETTINGS];
};

/* *out = the formatted text (NULL if no memory). */
static void	say(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
say(char **out, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(out, fmt, ap) == -1)
		*out = NULL;
	va_end(ap);
}

static int
value_ok(const struct setting *s, const char *v, char *why, size_t sz)
{
	const char	*p, *bad = NULL;
	char		*end;
	double		 x, y;
	int64_t		 n, m;
	int		 len = 0;

	switch (s->kind) {
	case K_INT:
		if (parse_int64(v, &n) == -1 || n < s->min || n > s->max) {
			snprintf(why, sz, "must be a whole number from %lld to "
			    "%lld", (long long)s->min, (long long)s->max);
			return 0;
		}
		break;
	case K_BOOL:
		if (config_bool(v) == -1)
			bad = "must be yes or no";
		break;
	case K_ADDR:
		if ((p = strrchr(v, ':')) == NULL || parse_int64(p + 1, &n) ==
		    -1 || n < 0 || n > 65535 || p == v)
			bad = "must be ADDRESS:PORT, e.g. 127.0.0.1:8080";
		break;
	case K_URL:
		if (strncmp(v, "https://", 8) != 0 &&
		    strncmp(v, "http://", 7) != 0)
			bad = "must start with https:// (or http://)";
		break;
	case K_SMTP:
		if (strncmp(v, "smtp://", 7) != 0 &&
		    strncmp(v, "smtps://", 8) != 0)
			bad = "must start with smtp:// or smtps://";
		break;
	case K_EMAIL:
		if ((p = strchr(v, '@')) == NULL || p == v || p[1] == '\0' ||
		    strpbrk(v, " <>,;") != NULL)
			bad = "must be an e-mail address";
		break;
	case K_RATE:
		if (strcmp(v, "0") != 0 && ((p = strchr(v, '/')) == NULL ||
		    sscanf(v, "%lld", (long long *)&n) != 1 ||
		    parse_int64(p + 1, &m) == -1 || n < 1 || m < 1 ||
		    m > 86400))
			bad = "must be FAILURES/SECONDS, e.g. 30/60, or 0";
		break;
	case K_AGE:
		n = (int64_t)strlen(v);
		if (n < 2 || strchr("ymd", v[n - 1]) == NULL ||
		    strspn(v, "0123456789") != (size_t)(n - 1))
			bad = "must be an age: 6y, 18m or 90d";
		break;
	case K_PAIR:
		if (sscanf(v, "%lf,%lf%n", &x, &y, &len) != 2 ||
		    (size_t)len != strlen(v) || x < 0 || y < 0 || x > 24 ||
		    y > 24)
			bad = "must be PREPARATION,TRAVEL in hours, e.g. 1,0.5";
		break;
	case K_HOURS:
		if ((x = strtod(v, &end)) <= 0 || x > 80 || *end != '\0')
			bad = "must be hours a week, more than 0, at most 80";
		break;
	case K_PATH:
	case K_TEXT:
		break;
	}
	if (bad != NULL)
		snprintf(why, sz, "%s", bad);
	return bad == NULL;
}

/* fgets that counts lines, so that a setting knows where it was. */
static char *
read_line(char *str, int num, void *arg)
{
	struct reading	*r = arg;
	char		*got = fgets(str, num, r->f);

	if (got != NULL && (strchr(got, '\n') != NULL || feof(r->f)))
		r->line++;
	return got;
}

static int
on_value(void *arg, const char *section, const char *key, const char *value)
{
	struct reading	*r = arg;
	int		 line = r->line;
	char		 why[160];
	size_t		 i;
	int		 known_section = 0;

	if (r->error != NULL)
		return 1;
	for (i = 0; i < NSETTINGS; i++) {
		if (strcmp(settings[i].section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(settings[i].key, key) == 0)
			break;
	}
	if (i == NSETTINGS) {
		if (known_section)
			say(&r->error, "%s:%d: unknown key '%s' in [%s]",
			    r->path, line, key, section);
		else
			say(&r->error, "%s:%d: unknown section [%s] (of "
			    "[server], [storage], [mail], [retention], "
			    "[facility], [forecast])",
			    r->path, line, section);
		return 1;
	}
	if (r->seen[i]) {
		say(&r->error, "%s:%d: %s.%s is set twice (first on line "
		    "%d)", r->path, line, section, key, from_file[i].line);
		return 1;
	}
	if (*value == '\0' || !value_ok(&settings[i], value, why,
	    sizeof(why))) {
		say(&r->error, "%s:%d: %s.%s %s", r->path, line, section,
		    key, *value == '\0' ? "has no value" : why);
		return 1;
	}
	r->seen[i] = 1;
	free(from_file[i].value);
	from_file[i].value = strdup(value);
	from_file[i].line = line;
	return 1;
}

/* yes/no, true/false, on/off, 1/0: 1 or 0; -1 for anything else. */
int
config_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/*
 * Read the file at path, check it whole, and apply it: each setting it
 * gives becomes its environment variable, unless the environment has
 * that variable already.  A missing file is not an error unless
 * required.  *error (the caller frees it) says why on failure.
 */
int
config_load(const char *path, int required, char **error)
{
	struct reading	 r;
	FILE		*f;
	size_t		 i;
	int		 rc;

	*error = NULL;
	memset(&r, 0, sizeof(r));
	r.path = path;
	for (i = 0; i < NSETTINGS; i++) {
		free(from_file[i].value);
		from_file[i].value = NULL;
		from_file[i].line = 0;
	}
	if ((f = fopen(path, "r")) == NULL) {
		if (!required)
			return 0;
		say(error, "%s: %s", path, strerror(errno));
		return -1;
	}
	r.f = f;
	rc = ini_parse_stream(read_line, &r, on_value, &r);
	fclose(f);
	if (r.error == NULL && rc > 0)
		say(&r.error, "%s:%d: not a line of an INI file (\"key = "
		    "value\", or a [section])", path, rc);
	else if (r.error == NULL && rc < 0)
		say(&r.error, "%s: cannot be read", path);
	if (r.error != NULL) {
		*error = r.error;
		return -1;
	}
	free(file_path);
	file_path = strdup(path);
	for (i = 0; i < NSETTINGS; i++) {
		if (from_file[i].value == NULL || getenv(settings[i].env) !=
		    NULL)
			continue;
		from_file[i].applied = 1;
		/* yes/no as the variables take them: 1 or 0 */
		if (settings[i].kind == K_BOOL)
			setenv(settings[i].env, config_bool(from_file[i].value) ?
			    "1" : "0", 1);
		else
			setenv(settings[i].env, from_file[i].value, 1);
	}
	return 0;
}

/* Settings a running server reads only when it starts. */
static int
start_only(const struct setting *s)
{
	return strcmp(s->env, "QUORUM_LISTEN") == 0 ||
	    strcmp(s->env, "QUORUM_THREADS") == 0 ||
	    strcmp(s->env, "QUORUM_DB") == 0 ||
	    strcmp(s->env, "QUORUM_FEEDS") == 0 ||
	    strcmp(s->env, "QUORUM_TIMEOUT") == 0 ||
	    strcmp(s->env, "QUORUM_TOKEN_GUESSES") == 0 ||
	    strcmp(s->env, "QUORUM_CACHE_MB") == 0;
}

/*
 * The file read again (SIGHUP), checked whole: a bad one changes
 * nothing (-1, *note says why).  A setting that came from the file
 * takes its new value; a new one, one the environment set, or one read
 * only at start is named in *note as needing a restart.  Only
 * variables set already are replaced (threads read them meanwhile;
 * glibc replaces a value without moving the environment).
 */
int
config_reload(char **note)
{
	struct reading	 r;
	struct buf	 b = { 0 };
	FILE		*f;
	char		*old[NSETTINGS];
	int		 oldline[NSETTINGS], rc;
	size_t		 i;

	*note = NULL;
	if (file_path == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	r.path = file_path;
	for (i = 0; i < NSETTINGS; i++) {
		old[i] = from_file[i].value;
		oldline[i] = from_file[i].line;
		from_file[i].value = NULL;
		from_file[i].line = 0;
	}
	if ((f = fopen(file_path, "r")) == NULL)
		say(&r.error, "%s: %s", file_path, strerror(errno));
	else {
		r.f = f;
		rc = ini_parse_stream(read_line, &r, on_value, &r);
		fclose(f);
		if (r.error == NULL && rc != 0)
			say(&r.error, "%s:%d: not a line of an INI file",
			    file_path, rc > 0 ? rc : 0);
	}
	if (r.error != NULL) {
		for (i = 0; i < NSETTINGS; i++) {
			free(from_file[i].value);
			from_file[i].value = old[i];
			from_file[i].line = oldline[i];
		}
		*note = r.error;
		return -1;
	}
	for (i = 0; i < NSETTINGS; i++) {
		const char *v = from_file[i].value;

		if ((v == NULL) != (old[i] == NULL) || (v != NULL &&
		    strcmp(v, old[i]) != 0)) {
			if (v != NULL && from_file[i].applied &&
			    !start_only(&settings[i]))
				setenv(settings[i].env, settings[i].kind ==
				    K_BOOL ? (config_bool(v) ? "1" : "0") : v,
				    1);
			else
				buf_printf(&b, "%s%s.%s changed: restart to "
				    "apply it", b.len ? "; " : "",
				    settings[i].section, settings[i].key);
		}
		free(old[i]);
	}
	*note = buf_detach(&b);
	return 0;
}

/*
 * Check the environment's own values as the file's are checked (they
 * win over it); -1 with *error naming the variable.
 */
int
config_check_env(char **error)
{
	const char	*v;
	char		 why[160];
	size_t		 i;

	*error = NULL;
	for (i = 0; i < NSETTINGS; i++) {
		if ((v = getenv(settings[i].env)) == NULL || *v == '\0' ||
		    (from_file[i].value != NULL && strcmp(v,
		    from_file[i].value) == 0))
			continue;
		if (!value_ok(&settings[i], v, why, sizeof(why))) {
			say(error, "$%s %s", settings[i].env, why);
			return -1;
		}
	}
	return 0;
}

/*
 * The effective settings, one a line, with where each came from; a
 * secret shows as ********.  overrides: settings the command line set
 * (their env names), given the last word.
 */
void
config_print(FILE *out, const char *const *cli_envs)
{
	const struct setting	*s;
	const char		*v, *src;
	char			 where[600], shown[512];
	size_t			 i, k;
	int			 cli;

	fprintf(out, "# configuration: %s\n", file_path ? file_path :
	    "no file (defaults and the environment)");
	for (i = 0; i < NSETTINGS; i++) {
		s = &settings[i];
		v = getenv(s->env);
		for (cli = 0, k = 0; cli_envs != NULL && cli_envs[k] != NULL;
		    k++)
			cli |= strcmp(cli_envs[k], s->env) == 0;
		if (v == NULL || *v == '\0') {
			snprintf(shown, sizeof(shown), "(%s)", s->fallback);
			src = "default";
		} else {
			snprintf(shown, sizeof(shown), "%s", s->secret ?
			    "********" : v);
			if (cli)
				src = "command line";
			else if (from_file[i].value != NULL &&
			    (strcmp(from_file[i].value, v) == 0 ||
			    (s->kind == K_BOOL && config_bool(v) ==
			    config_bool(from_file[i].value)))) {
				snprintf(where, sizeof(where), "%s:%d",
				    file_path, from_file[i].line);
				src = where;
			} else {
				snprintf(where, sizeof(where), "environment "
				    "$%s", s->env);
				src = where;
			}
		}
		fprintf(out, "%s.%s = %s\t# %s\n", s->section, s->key, shown,
		    src);
	}
}
