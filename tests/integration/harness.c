/* harness.c: start and stop the real quorum daemon for tests. */
#include <curl/curl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "quorum/util.h"

static int
run(struct server *s, char **out, char *const argv[])
{
	int	 fd[2], status;
	pid_t	 pid;
	char	 chunk[4096];
	ssize_t	 n;
	struct buf b = { 0 };

	if (pipe(fd) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		setenv("QUORUM_FEEDS", QUORUM_SOURCE_DIR "/feeds", 1);
		setenv("QUORUM_DB", s->db, 1);
		execv(QUORUM_TEST_BIN, argv);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, (size_t)n);
	close(fd[0]);
	waitpid(pid, &status, 0);
	if (out != NULL)
		*out = buf_detach(&b);
	else
		buf_free(&b);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Run the quorum command on the test database; returns its exit code. */
int
server_cli(struct server *s, char **out, ...)
{
	char	*argv[32];
	va_list	 ap;
	int	 n = 1;

	argv[0] = "quorum";
	va_start(ap, out);
	while (n < 31 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run(s, out, argv);
}

int
server_start(struct server *s)
{
	char	 line[256];
	int	 fd[2];
	FILE	*f;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/quorum-it-XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return -1;
	snprintf(s->db, sizeof(s->db), "%s/quorum.db", s->dir);
	if (server_cli(s, NULL, "init", NULL) != 0 || pipe(fd) == -1)
		return -1;
	if ((s->pid = fork()) == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		setenv("QUORUM_FEEDS", QUORUM_SOURCE_DIR "/feeds", 1);
		execl(QUORUM_TEST_BIN, "quorum", "--db", s->db, "serve",
		    "--listen", "127.0.0.1:0", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	if ((f = fdopen(fd[0], "r")) == NULL ||
	    fgets(line, sizeof(line), f) == NULL ||
	    sscanf(line, "quorum: listening on %63s", s->base) != 1) {
		server_stop(s);
		return -1;
	}
	fclose(f);
	if (s->base[strlen(s->base) - 1] == '/')
		s->base[strlen(s->base) - 1] = '\0';
	return 0;
}

void
server_stop(struct server *s)
{
	char	cmd[128];
	int	status;

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, &status, 0);
		s->pid = 0;
	}
	if (s->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", s->dir);
	}
}

/* Every row of every table, in order: equal snapshots, equal data. */
char *
server_snapshot(struct server *s)
{
	sqlite3		*db;
	sqlite3_stmt	*t, *r;
	struct buf	 b = { 0 };
	char		 sql[256];
	int		 i;

	if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE "
	    "type = 'table' ORDER BY name", -1, &t, NULL);
	while (sqlite3_step(t) == SQLITE_ROW) {
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY 1, 2",
		    (const char *)sqlite3_column_text(t, 0));
		buf_printf(&b, "[%s]\n", sqlite3_column_text(t, 0));
		if (sqlite3_prepare_v2(db, sql, -1, &r, NULL) != SQLITE_OK &&
		    (snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"",
		    (const char *)sqlite3_column_text(t, 0)),
		    sqlite3_prepare_v2(db, sql, -1, &r, NULL) != SQLITE_OK))
			continue;
		while (sqlite3_step(r) == SQLITE_ROW) {
			for (i = 0; i < sqlite3_column_count(r); i++)
				buf_printf(&b, "%s|", sqlite3_column_text(r, i) ?
				    (const char *)sqlite3_column_text(r, i) :
				    "NULL");
			buf_puts(&b, "\n");
		}
		sqlite3_finalize(r);
	}
	sqlite3_finalize(t);
	sqlite3_close(db);
	return buf_detach(&b);
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

int
http(struct server *s, const char *method, const char *path,
    const char *const *headers, const char *body, struct reply *out)
{
	CURL			*c = curl_easy_init();
	struct curl_slist	*hl = NULL;
	struct buf		 b = { 0 }, h = { 0 };
	char			 url[1024];
	CURLcode		 rc;

	memset(out, 0, sizeof(*out));
	snprintf(url, sizeof(url), "%s%s", s->base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	for (; headers != NULL && *headers != NULL; headers++)
		hl = curl_slist_append(hl, *headers);
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	out->len = b.len;
	out->body = buf_detach(&b);
	out->headers = buf_detach(&h);
	return rc == CURLE_OK ? 0 : -1;
}

void
reply_free(struct reply *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

/* The value of a response header (caller frees), or NULL. */
char *
reply_header(const struct reply *r, const char *name)
{
	const char	*p = r->headers;
	size_t		 n = strlen(name);

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			p += strspn(p, " ");
			return strndup(p, strcspn(p, "\r\n"));
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}
