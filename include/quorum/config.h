/*
 * quorum: the configuration file (INI), whose settings stand for the
 * environment variables; the environment wins over the file.
 */
#ifndef QUORUM_CONFIG_H
#define QUORUM_CONFIG_H

#include <stdio.h>

int	 config_load(const char *path, int required, char **error);
int	 config_check_env(char **error);
int	 config_reload(char **note);
void	 config_print(FILE *, const char *const *cli_envs);
int	 config_bool(const char *);

#endif
