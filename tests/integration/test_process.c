/* test_process: the real binary's command line, titles, signals, respawn. */
#include "tine_build.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

#define RUN_MS		10000	/* a -t or -v run */
#define RESPAWN_MS	2000	/* the contract for replacing a crash */
#define BACKOFF_MS	5000	/* the first backoff step, with the 1 s tick */
#define ESTABLISHED_MS	6000	/* past the early-death window of the pool */

/* The binary's stdout and stderr of the last run, joined; caller frees. */
static char *
process_output(struct tine *t)
{
	char	*out = tine_slurp(t->out, NULL);
	char	*err = tine_slurp(t->err, NULL);
	char	*both;

	if (asprintf(&both, "%s\n%s", out ? out : "", err ? err : "") == -1)
		both = NULL;
	free(out);
	free(err);
	cr_assert_not_null(both);
	return both;
}

/* Write a config file of the test's own into the temp dir; its path. */
static void
process_conf(struct tine *t, const char *name, const char *text, char *path)
{
	tine_path(path, t->dir, name);
	cr_assert_eq(tine_write_file(path, text, strlen(text), 0644), 0);
}

/* Assert `tine -t -c path` fails naming path:line: key: on stderr. */
static void
process_expect_bad(struct tine *t, const char *path, int line, const char *key)
{
	const char *const	args[] = { "-t", "-c", path, NULL };
	char			want[TINE_PATH_MAX + 64], *err, *all;

	cr_expect_eq(tine_run(t, args, RUN_MS), 1, "-t on a bad file did not "
	    "exit 1");
	snprintf(want, sizeof(want), "%s:%d: %s:", path, line, key);
	err = tine_slurp(t->err, NULL);
	cr_assert_not_null(err);
	cr_expect_not_null(strstr(err, want), "stderr lacks \"%s\":\n%s", want,
	    err);
	all = process_output(t);
	cr_expect_null(strstr(all, "configuration OK"), "bad file called OK");
	free(all);
	free(err);
}

/* -t accepts a good file and serves nothing. */
Test(process, check_good_config, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = tine_setup(NULL);
	char			*all;

	cr_assert_not_null(t);
	{
		const char *const	args[] = { "-t", "-c", t->conf, NULL };

		cr_expect_eq(tine_run(t, args, RUN_MS), 0, "-t on a good file "
		    "did not exit 0");
	}
	all = process_output(t);
	cr_expect_not_null(strstr(all, "configuration OK"), "output: %s", all);
	free(all);
	cr_expect_eq(tine_count(t->error_log, "master ready"), 0,
	    "-t started serving");
	tine_stop(t);
}

/* -t names the file, line and key of an unknown option. */
Test(process, check_unknown_key, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = tine_setup(NULL);
	char		 path[TINE_PATH_MAX];

	cr_assert_not_null(t);
	process_conf(t, "unknown.conf", "# a comment on line 1\n"
	    "workers = 2\n"
	    "no_such_key = 1\n"
	    "log_level = \"info\"\n", path);
	process_expect_bad(t, path, 3, "no_such_key");
	tine_stop(t);
}

/* -t names the file, line and key of an invalid value. */
Test(process, check_zero_workers, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = tine_setup(NULL);
	char		 path[TINE_PATH_MAX], text[TINE_PATH_MAX + 64];

	cr_assert_not_null(t);
	snprintf(text, sizeof(text), "document_root = \"%s\"\nworkers = 0\n",
	    t->docroot);
	process_conf(t, "zero.conf", text, path);
	process_expect_bad(t, path, 2, "workers");
	tine_stop(t);
}

/* -v prints the version configure gave. */
Test(process, version, .fini = tine_teardown, .timeout = 30)
{
	const char *const	 args[] = { "-v", NULL };
	struct tine		*t = tine_setup(NULL);
	char			*all;

	cr_assert_not_null(t);
	cr_expect_eq(tine_run(t, args, RUN_MS), 0, "-v did not exit 0");
	all = process_output(t);
	cr_expect_not_null(strstr(all, "tine"), "-v output: %s", all);
	cr_expect_not_null(strstr(all, PACKAGE_VERSION), "-v lacks %s: %s",
	    PACKAGE_VERSION, all);
	free(all);
	tine_stop(t);
}

/* -h prints the usage. */
Test(process, usage, .fini = tine_teardown, .timeout = 30)
{
	const char *const	 args[] = { "-h", NULL };
	struct tine		*t = tine_setup(NULL);
	char			*all;

	cr_assert_not_null(t);
	cr_expect_neq(tine_run(t, args, RUN_MS), -1, "-h crashed or hung");
	all = process_output(t);
	cr_expect_not_null(strcasestr(all, "usage"), "-h output: %s", all);
	cr_expect_not_null(strstr(all, "-c"), "-h does not name -c: %s", all);
	free(all);
	tine_stop(t);
}

/* The master and each of N workers carry their process titles. */
Test(process, titles, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = tine_setup("workers = 3");
	pid_t		 kids[TINE_MAX_WORKERS];
	char		 title[256];
	int		 n, i;

	cr_assert_not_null(t);
	cr_assert_eq(t->workers, 3);
	cr_assert_eq(tine_start(t), 0);
	cr_expect_eq(tine_count(t->error_log, "master ready: 3 workers, "
	    "generation "), 1, "no \"master ready: 3 workers\" line");
	cr_assert_eq(tine_cmdline(t->pid, title, sizeof(title)), 0);
	cr_expect(strncmp(title, "tine: master process", 20) == 0,
	    "master title \"%s\"", title);
	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	cr_expect_eq(n, 3, "%d workers, want 3", n);
	for (i = 0; i < n; i++) {
		cr_assert_eq(tine_cmdline(kids[i], title, sizeof(title)), 0);
		cr_expect(strncmp(title, "tine: worker process", 20) == 0,
		    "worker %d title \"%s\"", (int)kids[i], title);
	}
	tine_stop(t);
}

/* What the respawn test waits for: the dead pid gone, the count back. */
struct process_respawn {
	struct tine	*t;
	pid_t		 dead;
	pid_t		 now[TINE_MAX_WORKERS];
	int		 n;
};

/* Whether the pool is whole again without the killed worker. */
static int
process_respawned(void *arg)
{
	struct process_respawn	*w = arg;
	int			 i;

	w->n = tine_children(w->t->pid, w->now, TINE_MAX_WORKERS);
	for (i = 0; i < w->n; i++)
		if (w->now[i] == w->dead)
			return 0;
	return w->n == w->t->workers;
}

/* What an established-worker wait needs: the pid and the age it must reach. */
struct process_age {
	pid_t		 pid;
	long long	 ms;
};

/* Whether the worker has lived long enough; a tine_wait_until() cond. */
static int
process_old_enough(void *arg)
{
	struct process_age	*a = arg;

	return tine_age_ms(a->pid) >= a->ms;
}

/* Kill a worker; assert one new pid replaces it in ms, and service goes on. */
static void
process_expect_respawn(struct tine *t, int ms)
{
	struct process_respawn	 w = { 0 };
	struct tine_resp	 r;
	pid_t			 before[TINE_MAX_WORKERS];
	int			 n, i, j, fresh = 0;

	n = tine_children(t->pid, before, TINE_MAX_WORKERS);
	cr_assert_eq(n, t->workers, "%d workers, want %d", n, t->workers);
	w.t = t;
	w.dead = before[0];
	cr_assert_eq(kill(w.dead, SIGKILL), 0);
	cr_expect_eq(tine_wait_until(process_respawned, &w, ms), 0,
	    "worker %d not replaced within %d ms (%d live)", (int)w.dead,
	    ms, w.n);
	for (i = 0; i < w.n; i++) {
		for (j = 0; j < n && w.now[i] != before[j]; j++)
			;
		fresh += j == n;
	}
	cr_expect_eq(fresh, 1, "%d new workers, want 1", fresh);
	cr_expect(tine_alive(before[1]), "the other worker died too");
	for (i = 0; i < 20; i++) {
		cr_assert_eq(tine_get(t, "/", &r), 0, "request %d after the "
		    "kill failed", i);
		cr_expect_eq(r.status, 200);
		tine_resp_free(&r);
	}
}

/*
 * A worker that dies in its first seconds is backed off on purpose (DESIGN,
 * supervision rules), so this one kills a worker that has served a while:
 * that is a crash, and a crash is replaced at once.
 */
Test(process, killed_worker_is_replaced, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine		*t = tine_setup("workers = 2");
	struct process_age	 age = { 0, ESTABLISHED_MS };
	pid_t			 kids[TINE_MAX_WORKERS];

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_children(t->pid, kids, TINE_MAX_WORKERS), 2);
	age.pid = kids[0];
	cr_assert_eq(tine_wait_until(process_old_enough, &age,
	    ESTABLISHED_MS + 2000), 0, "cannot tell the worker's age");
	process_expect_respawn(t, RESPAWN_MS);
	tine_stop(t);
}

/* A fresh worker's death is backed off, but not for long, and not forever. */
Test(process, early_death_is_replaced_after_backoff, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine	*t = tine_setup("workers = 2");

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	process_expect_respawn(t, BACKOFF_MS);
	tine_stop(t);
}

/* Send sig to a serving instance; assert everything is gone in 2 s. */
static void
process_expect_stop(int sig)
{
	struct tine	*t = tine_setup(NULL);
	pid_t		 kids[TINE_MAX_WORKERS];
	long long	 t0;
	int		 n, left;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	cr_assert_eq(n, t->workers);
	t0 = tine_now_ms();
	cr_expect_neq(tine_signal_wait(t, sig, TINE_STOP_MS), -1,
	    "master alive %d ms after signal %d", TINE_STOP_MS, sig);
	/* The same 2 s count from the signal for the workers too. */
	if ((left = TINE_STOP_MS - (int)(tine_now_ms() - t0)) < 0)
		left = 0;
	cr_expect_eq(tine_wait_gone(kids, n, left), 0, "workers alive %d ms "
	    "after signal %d", TINE_STOP_MS, sig);
	cr_expect(tine_port_bindable(t->port), "port %d still taken after "
	    "stop", t->port);
	tine_stop(t);
}

/* SIGTERM stops master and workers within 2 s and frees the port. */
Test(process, sigterm_stops_all, .fini = tine_teardown, .timeout = 30)
{
	process_expect_stop(SIGTERM);
}

/* SIGINT stops master and workers within 2 s and frees the port. */
Test(process, sigint_stops_all, .fini = tine_teardown, .timeout = 30)
{
	process_expect_stop(SIGINT);
}

/* The pid file names the master, and -s stop ends it through it. */
Test(process, signal_stop_via_pid_file, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = tine_setup(NULL);
	char		*pidtext;
	int		 status;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	pidtext = tine_slurp(t->pid_file, NULL);
	cr_assert_not_null(pidtext, "no pid file %s", t->pid_file);
	cr_expect_eq(atoi(pidtext), (int)t->pid, "pid file says %s", pidtext);
	free(pidtext);
	{
		const char *const	args[] = { "-s", "stop", "-c", t->conf,
					    NULL };

		cr_expect_eq(tine_run(t, args, RUN_MS), 0, "-s stop failed");
	}
	status = tine_wait_exit(t, TINE_STOP_MS);
	cr_expect_neq(status, -1, "master alive %d ms after -s stop",
	    TINE_STOP_MS);
	tine_stop(t);
}

/* With no config file at all, -r and -l are enough to serve. */
Test(process, no_config_file, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = tine_setup(NULL);
	struct tine_resp	 r;
	char			 listen[64];

	cr_assert_not_null(t);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", t->port);
	{
		const char *const	args[] = { "-f", "-r", t->docroot,
					    "-l", listen, NULL };

		cr_assert_eq(tine_start_args(t, args, t->err), 0,
		    "tine -f -r -l did not become ready");
	}
	cr_assert_eq(tine_get(t, "/", &r), 0);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(r.body, TINE_INDEX_BODY);
	tine_resp_free(&r);
	tine_stop(t);
}

/* Reload t with defer_accept = value (generation gen retires); then the
 * listener's TCP_DEFER_ACCEPT says whether it is set, and "/" is served. */
static void
process_reload_defer(struct tine *t, const char *value, int gen)
{
	char			 conf[64], retiring[64];
	struct tine_resp	 r;
	int			 v;

	snprintf(conf, sizeof(conf), "workers = 2\ndefer_accept = %s", value);
	snprintf(retiring, sizeof(retiring), "retiring generation %d", gen);
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_log(t, retiring, 1, TINE_TIMEOUT_MS), 0);
	v = tine_sockopt(t->pid, t->port, IPPROTO_TCP, TCP_DEFER_ACCEPT);
	/* -1 (no listener found) fails both ways. */
	if (strcmp(value, "on") == 0)
		cr_expect_gt(v, 0, "the reload did not set TCP_DEFER_ACCEPT");
	else
		cr_expect_eq(v, 0, "the reload left TCP_DEFER_ACCEPT at %d", v);
	cr_assert_eq(tine_get(t, "/", &r), 0);
	cr_expect_eq(r.status, 200);
	tine_resp_free(&r);
}

/* defer_accept is on by default, and a reload sets or clears it on the
 * sockets it keeps; requests are served either way. */
Test(process, defer_accept_follows_reload, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup("workers = 2");

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	cr_expect_gt(tine_sockopt(t->pid, t->port, IPPROTO_TCP,
	    TCP_DEFER_ACCEPT), 0, "the listener has no TCP_DEFER_ACCEPT");
	process_reload_defer(t, "off", 1);
	process_reload_defer(t, "on", 2);
	tine_stop(t);
}
