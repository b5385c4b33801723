/*
 * test_sitelogs: access_log and access_log_format per vhost, against the
 * real binary — each request in its own site's file and nowhere else, one
 * file shared by two vhosts (one descriptor), "off" in a vhost, a request
 * no site answered, every file reopened on SIGUSR1, syslog from a vhost
 * under the sandbox, a location's own log, and the config error tine -t
 * gives for a bad path.
 */
#include "tine_build.h"

#include <sys/socket.h>

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

/* One instance: the top level logs to t->access_log, vhost a.test to a.log,
 * b.test (a format of its own) to b.log, c.test to a.log too, off.test
 * nowhere and s.test to syslog. */
struct slog {
	struct tine	*t;
	char		 a[TINE_PATH_MAX];
	char		 b[TINE_PATH_MAX];
};

/* Set up the instance of struct slog, not started yet. */
static void
slog_setup(struct slog *s)
{
	cr_assert_not_null(s->t = tine_setup(NULL));
	tine_path(s->a, s->t->dir, "a.log");
	tine_path(s->b, s->t->dir, "b.log");
}

/* Write its config, with extra appended, and start it. */
static void
slog_run(struct slog *s, const char *extra)
{
	char	conf[12 * TINE_PATH_MAX];

	/* The vhosts' keys share a line with their section, so the harness
	 * does not take them for the top level's. */
	snprintf(conf, sizeof(conf),
	    "access_log = \"%s\"\n"
	    "access_log_format = \"%%v %%U\"\n"
	    "vhost \"a.test\" { access_log = \"%s\" }\n"
	    "vhost \"b.test\" { access_log = \"%s\"\n"
	    "    access_log_format = \"B %%v %%U %%>s\" }\n"
	    "vhost \"c.test\" { access_log = \"%s\" }\n"
	    "vhost \"off.test\" { access_log = off }\n"
	    "vhost \"s.test\" { access_log = syslog }\n"
	    "%s\n", s->t->access_log, s->a, s->b, s->a,
	    extra != NULL ? extra : "");
	cr_assert_eq(tine_config(s->t, conf), 0);
	cr_assert_eq(tine_start(s->t), 0);
}

/* Set up and start the instance of struct slog with extra. */
static void
slog_start(struct slog *s, const char *extra)
{
	slog_setup(s);
	slog_run(s, extra);
}

/* GET path with this Host; expect the status. */
static void
slog_ask(struct slog *s, const char *host, const char *path, int status)
{
	struct tine_resp	r;

	cr_assert_eq(tine_ask(s->t, "GET", host, path, NULL, &r), 0,
	    "%s%s: no answer", host, path);
	cr_expect_eq(r.status, status, "%s%s: %d", host, path, r.status);
	tine_resp_free(&r);
}

/* Wait until path holds line. */
static void
slog_wait(const char *path, const char *line)
{
	cr_assert_eq(tine_wait_file(path, line, 1, TINE_TIMEOUT_MS), 0,
	    "no \"%s\" in %s", line, path);
}

/* Expect the file to hold exactly text ("" for a missing file). */
static void
slog_expect(const char *path, const char *text)
{
	char	*got = tine_slurp(path, NULL);

	cr_expect_str_eq(got != NULL ? got : "", text, "%s", path);
	free(got);
}

/* Each request lands in its own site's file and in no other: a vhost's
 * format is its own, %v is its name, and a request no site answered (it
 * did not parse) goes to the default site's log. */
Test(sitelogs, each_vhost_its_own_file, .fini = tine_teardown,
    .timeout = 30)
{
	static const char	 bad[] = "NOT HTTP\r\n\r\n";
	struct tine_raw		 raw;
	struct slog		 s;

	slog_start(&s, NULL);
	slog_ask(&s, "a.test", "/from-a", 404);
	slog_ask(&s, "B.TEST:81", "/", 200);
	slog_ask(&s, "other.test", "/from-default", 404);
	cr_assert_eq(tine_exchange(AF_INET, s.t->port, bad, sizeof(bad) - 1,
	    TINE_TIMEOUT_MS, &raw), 0);
	cr_expect_eq(strncmp(raw.data, "HTTP/1.1 400 ", 13), 0, "%s", raw.data);
	tine_raw_free(&raw);
	slog_wait(s.a, "a.test /from-a\n");
	slog_wait(s.b, "B b.test / 200\n");
	/* Two connections, maybe two workers: in either order. */
	slog_wait(s.t->access_log, "other.test /from-default\n");
	slog_wait(s.t->access_log, "- -\n");
	slog_expect(s.a, "a.test /from-a\n");
	slog_expect(s.b, "B b.test / 200\n");
	cr_expect_eq(tine_count(s.t->access_log, "\n"), 2);
	tine_stop(s.t);
}

/* With default_vhost, the default site's log is that vhost's: a request
 * for an unknown host and one that did not parse both go there. */
Test(sitelogs, default_vhost_takes_the_rest, .fini = tine_teardown,
    .timeout = 30)
{
	static const char	 bad[] = "NOT HTTP\r\n\r\n";
	struct tine_raw		 raw;
	struct slog		 s;

	slog_start(&s, "default_vhost = \"a.test\"");
	slog_ask(&s, "other.test", "/unknown", 404);
	cr_assert_eq(tine_exchange(AF_INET, s.t->port, bad, sizeof(bad) - 1,
	    TINE_TIMEOUT_MS, &raw), 0);
	tine_raw_free(&raw);
	slog_wait(s.a, "a.test /unknown\n");
	slog_wait(s.a, "- -\n");
	cr_expect_eq(tine_count(s.a, "\n"), 2);
	slog_expect(s.t->access_log, "");
	tine_stop(s.t);
}

/* The descriptors of pid open on path. */
static int
slog_fds_on(pid_t pid, const char *path)
{
	char		 dir[64], link[TINE_PATH_MAX + 64], to[PATH_MAX];
	struct dirent	*d;
	DIR		*dp;
	ssize_t		 n;
	int		 count = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	cr_assert_not_null(dp = opendir(dir));
	while ((d = readdir(dp)) != NULL) {
		snprintf(link, sizeof(link), "%s/%s", dir, d->d_name);
		if ((n = readlink(link, to, sizeof(to) - 1)) <= 0)
			continue;
		to[n] = '\0';
		count += strcmp(to, path) == 0;
	}
	closedir(dp);
	return count;
}

/* Two vhosts naming one file both write there, through one descriptor in
 * the master and in each worker. */
Test(sitelogs, shared_path_one_descriptor, .fini = tine_teardown,
    .timeout = 30)
{
	pid_t		kids[TINE_MAX_WORKERS];
	struct slog	s;
	int		n, i;

	slog_start(&s, NULL);
	slog_ask(&s, "a.test", "/one", 404);
	slog_ask(&s, "c.test", "/two", 404);
	slog_wait(s.a, "c.test /two\n");
	slog_wait(s.a, "a.test /one\n");
	slog_expect(s.t->access_log, "");
	cr_expect_eq(slog_fds_on(s.t->pid, s.a), 1, "the master");
	n = tine_children(s.t->pid, kids, TINE_MAX_WORKERS);
	cr_assert_eq(n, s.t->workers);
	for (i = 0; i < n; i++)
		cr_expect_eq(slog_fds_on(kids[i], s.a), 1, "worker %d",
		    (int)kids[i]);
	tine_stop(s.t);
}

/* Send GET path with Host host on an open keep-alive connection and read
 * the answer; expect the status. */
static void
slog_keep(struct tine_conn *c, const char *host, const char *path,
    int status)
{
	struct tine_resp	r;
	char			req[256];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n",
	    path, host);
	cr_assert_eq(tine_conn_sends(c, req), 0);
	cr_assert_eq(tine_conn_read(c, 0, TINE_TIMEOUT_MS, &r), 0, "%s%s",
	    host, path);
	cr_expect_eq(r.status, status, "%s%s: %d", host, path, r.status);
	tine_resp_free(&r);
}

/*
 * A vhost with access_log = off writes nothing, and one with syslog sends
 * there without the sandbox killing its worker. Each is followed on the
 * same connection (so by the same worker, which logs a response before it
 * reads the next request) by one whose line is awaited: by then the first
 * one's line would have been written, and the worker is still alive.
 */
Test(sitelogs, off_and_syslog_in_a_vhost, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine_conn	c;
	struct slog		s;

	slog_start(&s, NULL);
	cr_assert_eq(tine_conn_open(&c, AF_INET, s.t->port), 0);
	slog_keep(&c, "off.test", "/unlogged", 404);
	slog_keep(&c, "other.test", "/after-off", 404);
	slog_wait(s.t->access_log, "other.test /after-off\n");
	slog_keep(&c, "s.test", "/to-syslog", 404);
	slog_keep(&c, "a.test", "/after-syslog", 404);
	slog_wait(s.a, "a.test /after-syslog\n");
	tine_conn_close(&c);
	slog_expect(s.t->access_log, "other.test /after-off\n");
	slog_expect(s.a, "a.test /after-syslog\n");
	slog_expect(s.b, "");
	cr_expect_eq(tine_count(s.t->error_log, "killed by the sandbox"), 0);
	cr_expect_eq(tine_count(s.t->error_log, "crashed"), 0);
	tine_stop(s.t);
}

/* Move path to path.1; the new name into rotated. */
static void
slog_rotate(const char *path, char *rotated)
{
	snprintf(rotated, TINE_PATH_MAX, "%s.1", path);
	cr_assert_eq(rename(path, rotated), 0, "%s", path);
}

/* After the files are renamed and SIGUSR1, every site's new lines land in
 * its new file, the shared one included; the old lines stay in the old. */
Test(sitelogs, reopen_moves_every_vhost, .fini = tine_teardown,
    .timeout = 60)
{
	char		ra[TINE_PATH_MAX], rb[TINE_PATH_MAX], rd[TINE_PATH_MAX];
	struct slog	s;

	slog_start(&s, NULL);
	slog_ask(&s, "a.test", "/old", 404);
	slog_ask(&s, "b.test", "/old", 404);
	slog_ask(&s, "c.test", "/old", 404);
	slog_ask(&s, "other.test", "/old", 404);
	slog_wait(s.a, "a.test /old\n");
	slog_wait(s.a, "c.test /old\n");
	slog_wait(s.b, "B b.test /old 404\n");
	slog_wait(s.t->access_log, "other.test /old\n");
	slog_rotate(s.a, ra);
	slog_rotate(s.b, rb);
	slog_rotate(s.t->access_log, rd);
	cr_assert_eq(kill(s.t->pid, SIGUSR1), 0);
	cr_assert_eq(tine_wait_log(s.t, "master ready:", 2, TINE_TIMEOUT_MS),
	    0, "no ready line for the reopen's generation");
	cr_assert_eq(tine_wait_log(s.t, "generation 1 finished", 1,
	    TINE_TIMEOUT_MS), 0, "generation 1 never finished");
	slog_ask(&s, "a.test", "/new", 404);
	slog_ask(&s, "b.test", "/new", 404);
	slog_ask(&s, "c.test", "/new", 404);
	slog_ask(&s, "other.test", "/new", 404);
	slog_wait(s.a, "a.test /new\n");
	slog_wait(s.a, "c.test /new\n");
	slog_wait(s.b, "B b.test /new 404\n");
	slog_wait(s.t->access_log, "other.test /new\n");
	cr_expect_eq(tine_count(s.a, "/old"), 0);
	cr_expect_eq(tine_count(s.a, "\n"), 2);
	slog_expect(s.b, "B b.test /new 404\n");
	slog_expect(s.t->access_log, "other.test /new\n");
	cr_expect_eq(tine_count(ra, "/new"), 0);
	cr_expect_eq(tine_count(ra, "\n"), 2);
	slog_expect(rb, "B b.test /old 404\n");
	slog_expect(rd, "other.test /old\n");
	tine_stop(s.t);
}

/*
 * A location may have its own log, "off" or format, as a vhost may; one
 * that sets none writes to its site's. A vhost's location and a top-level
 * one naming one file share it.
 */
Test(sitelogs, location_logs, .fini = tine_teardown, .timeout = 30)
{
	struct tine_conn	c;
	struct slog		s;
	char			l[TINE_PATH_MAX], api[TINE_PATH_MAX];
	char			extra[4 * TINE_PATH_MAX];

	slog_setup(&s);
	tine_path(l, s.t->dir, "l.log");
	tine_path(api, s.t->dir, "api.log");
	snprintf(extra, sizeof(extra),
	    "vhost \"l.test\" { access_log = \"%s\"\n"
	    "    location \"/api/\" { access_log = \"%s\" }\n"
	    "    location \"/quiet/\" { access_log = off }\n"
	    "    location \"/fmt/\" { access_log_format = \"F %%v %%U\" }\n"
	    "}\n"
	    "location \"/top-api/\" { access_log = \"%s\" }", l, api, api);
	slog_run(&s, extra);
	cr_assert_eq(tine_conn_open(&c, AF_INET, s.t->port), 0);
	slog_keep(&c, "l.test", "/page", 404);
	slog_keep(&c, "l.test", "/api/x", 404);
	slog_keep(&c, "l.test", "/quiet/x", 404);
	slog_keep(&c, "l.test", "/fmt/x", 404);
	slog_keep(&c, "other.test", "/top-api/y", 404);
	tine_conn_close(&c);
	slog_wait(api, "other.test /top-api/y\n");
	slog_expect(l, "l.test /page\nF l.test /fmt/x\n");
	slog_expect(api, "l.test /api/x\nother.test /top-api/y\n");
	slog_expect(s.t->access_log, "");
	cr_expect_eq(slog_fds_on(s.t->pid, api), 1);
	tine_stop(s.t);
}

/* The line number of the first line of path holding needle, or 0. */
static int
slog_line_of(const char *path, const char *needle)
{
	char	*text = tine_slurp(path, NULL), *hit;
	int	 line = 1;
	char	*p;

	if (text == NULL || (hit = strstr(text, needle)) == NULL) {
		free(text);
		return 0;
	}
	for (p = text; p < hit; p++)
		line += *p == '\n';
	free(text);
	return line;
}

/* tine -t blames a vhost's access log in a directory that does not exist
 * on its file and line, as it does the top level's. */
Test(sitelogs, check_names_the_line, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t;
	char		 want[256], *err;
	int		 status;

	cr_assert_not_null(t = tine_setup("vhost \"a.test\" {\n"
	    "    access_log = \"/nonexistent/dir/a.log\"\n}"));
	snprintf(want, sizeof(want), "tine.conf:%d: vhost \"a.test\" "
	    "access_log: directory \"/nonexistent/dir\" does not exist",
	    slog_line_of(t->conf, "/nonexistent/dir/a.log"));
	err = tine_check(t, &status);
	cr_expect_eq(status, 1);
	cr_expect_not_null(strstr(err, want), "want \"%s\" in %s", want, err);
	free(err);
	tine_stop(t);
}
