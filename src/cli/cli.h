/*
 * cli.h: the quorum command.  Every command is one entry in a table (in
 * the file of its group, cmd-*.c): its name, its options, its usage and
 * the function that runs it.  One parser (cmd.c) reads every command
 * line against its entry, and --help comes from the same entry, so the
 * two cannot disagree.  Commands go through the domain layer exactly as
 * the HTTP API does.
 */
#ifndef QUORUM_CLI_H
#define QUORUM_CLI_H

#include <stdint.h>

#include "quorum/core.h"

#define EXIT_REFUSED	1	/* the domain said no; the reason is on stderr */
#define EXIT_USAGE	2	/* the command line itself is wrong */
#define EXIT_CONFIG	78	/* the configuration is wrong (sysexits) */

extern const char	*cmd_cli_envs[4];	/* set on the command line */

enum opt_type {
	OPT_FLAG,		/* --json: true */
	OPT_TEXT,		/* --title T */
	OPT_TEXTS,		/* --audience SLUG, repeatable: a list */
	OPT_INT,		/* --capacity N: a whole number */
	OPT_INTS,		/* --host ID, repeatable */
	OPT_ID_OR_NONE		/* --after ID or --after none (null) */
};

struct cmd_opt {
	const char	*name;	/* without the leading "--" */
	enum opt_type	 type;
	const char	*key;	/* the API field it fills, or NULL */
	const char	*arg;	/* its value in usage: "SLUG" */
	const char	*help;
};

#define CMD_DB		0x01	/* opens (and creates) the database */
#define CMD_CATALOGUE	0x02	/* (re)loads the feed catalogue first */
#define CMD_MKDIR	0x04	/* creates the database's folder if need be */

struct cmd_ctx;

struct cmd_entry {
	const char		*name;
	const char		*sub;	/* NULL: the command takes no subcommand */
	const char		*args;	/* positional arguments, for usage */
	int			 min_args;
	int			 max_args;	/* -1: any number */
	const struct cmd_opt	*opts;	/* ends with a NULL name; may be NULL */
	const char		*summary;
	int			 flags;
	int			(*exec)(struct cmd_ctx *);
};

/* What a command's function gets. */
struct cmd_ctx {
	const struct cmd_entry	*entry;
	struct qrm		*q;
	const struct actor	*actor;
	json_t			*opt;	/* every option given, by its name */
	json_t			*body;	/* the options with a key, as the API */
	int			 argc;	/* positional arguments */
	char			**argv;
	const char		*base_url;	/* public address, no '/' at end */
	const char		*db;		/* the database's path */
};

/* The tables of the groups; each ends with an entry whose name is NULL. */
extern const struct cmd_entry	cmd_admin_entries[];
extern const struct cmd_entry	cmd_event_entries[];
extern const struct cmd_entry	cmd_member_entries[];
extern const struct cmd_entry	cmd_attend_entries[];
extern const struct cmd_entry	cmd_action_entries[];
extern const struct cmd_entry	cmd_outbox_entries[];
extern const struct cmd_entry	cmd_signin_entries[];
extern const struct cmd_entry	cmd_schedule_entries[];

/* cmd.c */
const char	*cmd_text(const struct cmd_ctx *, const char *name);
int		 cmd_flag(const struct cmd_ctx *, const char *name);
int		 cmd_int(const struct cmd_ctx *, const char *name, int64_t *);
int64_t		 cmd_arg_id(const struct cmd_ctx *, int i);
int		 cmd_fail(const struct qrm_error *, int code);
int		 cmd_reply(int rc, const struct qrm_error *, json_t **);
int		 cmd_usage_error(const struct cmd_ctx *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
int		 cmd_print_json(json_t *);
char		*cmd_read_file(const char *path, size_t max, size_t *len);
int		 cmd_mkdirs(const char *path, int include_last);

/* cmd-member.c */
int		 cmd_member_links_print(struct qrm *, const char *base,
		    int64_t member, const char *token);

#endif
