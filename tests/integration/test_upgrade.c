/*
 * test_upgrade: SIGUSR2 and `tine -s upgrade` start the installed binary on
 * the master's sockets; it takes over without losing a request, and a new
 * binary that cannot start leaves the old master serving.
 *
 * Each instance runs a copy of the binary in its own dir, so a test can
 * replace "the installed binary" as `make install` does, without root. The
 * test process is a child subreaper: the new master, orphaned when the old
 * one exits, becomes its child, to be stopped and reaped like any instance.
 */
#include "tine_build.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "harness.h"

#define UP_THREADS	4	/* half a connection per request, half kept */
#define UP_MAX		200000	/* requests, all clients together */
#define UP_LOAD_MS	60000	/* the load's upper bound in time */
#define UP_THINK_MS	5	/* a kept client's pause, watching for a close */
#define UP_PROGRESS	30	/* successes that show the load flows */
#define UP_BURST	20

/* A bounded load: clients on new connections and on kept ones. */
struct upgrade_load {
	struct tine	*t;
	long long	 deadline;	/* monotonic ms */
	pthread_t	 tid[UP_THREADS];
	atomic_int	 stop;
	atomic_int	 issued;
	atomic_int	 ok;
	atomic_int	 fail;		/* a request sent and not answered */
	atomic_int	 kept_ok;	/* answers on a kept connection */
	atomic_int	 reconnects;	/* closes between requests */
};

/* Whether the load may send one more request. */
static bool
upgrade_load_more(struct upgrade_load *l)
{
	return !atomic_load(&l->stop) && tine_now_ms() < l->deadline &&
	    atomic_fetch_add(&l->issued, 1) < UP_MAX;
}

/* Whether r is the index page. */
static bool
upgrade_index(const struct tine_resp *r)
{
	return r->status == 200 && r->bodylen == strlen(TINE_INDEX_BODY) &&
	    memcmp(r->body, TINE_INDEX_BODY, r->bodylen) == 0;
}

/* A client on a new connection per request (Connection: close). */
static void *
upgrade_load_close(void *arg)
{
	struct upgrade_load	*l = arg;
	struct tine_resp	 r;

	while (upgrade_load_more(l)) {
		if (tine_get(l->t, "/", &r) == -1) {
			atomic_fetch_add(&l->fail, 1);
			continue;
		}
		atomic_fetch_add(upgrade_index(&r) ? &l->ok : &l->fail, 1);
		tine_resp_free(&r);
	}
	return NULL;
}

/* Pause between two requests on c; whether the server closed it meanwhile
 * (a retiring worker may close an idle connection: that loses nothing). */
static bool
upgrade_closed_idle(struct tine_conn *c)
{
	struct pollfd	pfd = { c->fd, POLLIN | POLLRDHUP, 0 };

	return poll(&pfd, 1, UP_THINK_MS) != 0;
}

/* One request on a kept connection: 1 answered and kept, 0 answered and
 * closed, -1 lost. */
static int
upgrade_kept_request(struct tine_conn *c)
{
	struct tine_resp	r;
	const char		*v;
	int			 ret;

	if (tine_conn_sends(c, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n") ==
	    -1 || tine_conn_read(c, 0, TINE_TIMEOUT_MS, &r) == -1)
		return -1;
	if (!upgrade_index(&r))
		ret = -1;
	else {
		v = tine_resp_header(&r, "Connection");
		ret = v != NULL && strcasecmp(v, "close") == 0 ? 0 : 1;
	}
	tine_resp_free(&r);
	return ret;
}

/* A client that keeps its connection, reconnecting after a clean close. */
static void *
upgrade_load_kept(void *arg)
{
	struct upgrade_load	*l = arg;
	struct tine_conn	 c;
	bool			 open = false;
	int			 rc;

	while (upgrade_load_more(l)) {
		if (open && upgrade_closed_idle(&c)) {
			tine_conn_close(&c);
			open = false;
			atomic_fetch_add(&l->reconnects, 1);
		}
		if (!open && tine_conn_open(&c, AF_INET, l->t->port) == -1) {
			atomic_fetch_add(&l->fail, 1);
			continue;
		}
		open = true;
		if ((rc = upgrade_kept_request(&c)) == -1)
			atomic_fetch_add(&l->fail, 1);
		else {
			atomic_fetch_add(&l->ok, 1);
			atomic_fetch_add(&l->kept_ok, 1);
		}
		if (rc != 1) {
			tine_conn_close(&c);
			open = false;
		}
	}
	if (open)
		tine_conn_close(&c);
	return NULL;
}

/* Start the clients; on the heap, as threads outlive a failed assert. */
static struct upgrade_load *
upgrade_load_start(struct tine *t)
{
	struct upgrade_load	*l = calloc(1, sizeof(*l));
	int			 i;

	cr_assert_not_null(l);
	l->t = t;
	l->deadline = tine_now_ms() + UP_LOAD_MS;
	for (i = 0; i < UP_THREADS; i++)
		cr_assert_eq(pthread_create(&l->tid[i], NULL, i % 2 == 0 ?
		    upgrade_load_close : upgrade_load_kept, l), 0);
	return l;
}

/* A number of successes for a load to reach. */
struct upgrade_goal {
	struct upgrade_load	*l;
	int			 ok;
};

/* Whether the load reached its goal (or ended). */
static int
upgrade_reached(void *arg)
{
	struct upgrade_goal	*g = arg;

	return atomic_load(&g->l->ok) >= g->ok ||
	    tine_now_ms() >= g->l->deadline;
}

/* Wait for n more successes; assert they come. */
static void
upgrade_load_flows(struct upgrade_load *l, const char *when)
{
	struct upgrade_goal	g = { l, atomic_load(&l->ok) + UP_PROGRESS };

	tine_wait_until(upgrade_reached, &g, TINE_TIMEOUT_MS);
	cr_assert_geq(atomic_load(&l->ok), g.ok, "load stalled %s (%d ok, "
	    "%d lost)", when, atomic_load(&l->ok), atomic_load(&l->fail));
}

/* Stop the clients, expect not one lost request, and free the load. */
static void
upgrade_load_end(struct upgrade_load *l)
{
	int	i;

	atomic_store(&l->stop, 1);
	for (i = 0; i < UP_THREADS; i++)
		pthread_join(l->tid[i], NULL);
	cr_log_info("upgrade under load: %d ok (%d on kept connections), "
	    "%d lost, %d clean closes between requests", atomic_load(&l->ok),
	    atomic_load(&l->kept_ok), atomic_load(&l->fail),
	    atomic_load(&l->reconnects));
	cr_expect_eq(atomic_load(&l->fail), 0, "%d requests lost",
	    atomic_load(&l->fail));
	cr_expect_gt(atomic_load(&l->kept_ok), 0, "no kept connection served");
	free(l);
}

/* An instance running its own copy of the binary (the "installed" one). */
static struct tine *
upgrade_setup(const char *extra)
{
	struct tine	*t = tine_setup(extra);
	char		*bin;
	size_t		 len;

	cr_assert_not_null(t);
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	cr_assert_not_null(bin = tine_slurp(t->bin, &len));
	tine_path(t->bin, t->dir, "tine");
	cr_assert_eq(tine_write_file(t->bin, bin, len, 0755), 0);
	free(bin);
	return t;
}

/* Replace the installed binary as `make install` does: a new file. */
static void
upgrade_install(struct tine *t, const char *text, mode_t mode)
{
	cr_assert_eq(unlink(t->bin), 0);
	cr_assert_eq(tine_write_file(t->bin, text, strlen(text), mode), 0);
}

/* The pid the pid file names, 0 if none. */
static pid_t
upgrade_pidfile(const struct tine *t)
{
	char	*text = tine_slurp(t->pid_file, NULL);
	long	 pid = text != NULL ? strtol(text, NULL, 10) : 0;

	free(text);
	return (pid_t)pid;
}

/* Whether FILE.oldbin exists. */
static bool
upgrade_oldbin(const struct tine *t)
{
	char	path[TINE_PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s.oldbin", t->pid_file);
	return access(path, F_OK) == 0;
}

/* The old master exits 0 once its successor serves; the successor, now
 * our child, becomes the instance's master. Returns it. */
static pid_t
upgrade_follow(struct tine *t)
{
	pid_t	old = t->pid, now;
	int	status;

	status = tine_wait_exit(t, TINE_TIMEOUT_MS);
	cr_assert_neq(status, -1, "the old master %d did not exit", (int)old);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the old "
	    "master ended with status 0x%x", status);
	now = upgrade_pidfile(t);
	cr_assert(now > 0 && now != old && tine_alive(now), "the pid file "
	    "names %d after the upgrade from %d", (int)now, (int)old);
	t->pid = now;
	cr_expect_not(upgrade_oldbin(t), "%s.oldbin outlived the old master",
	    t->pid_file);
	return now;
}

/* Whether a GET / on port answers with the index page. */
static bool
upgrade_serves(int port)
{
	struct tine_conn	c;
	struct tine_resp	r;
	bool			ok = false;

	if (tine_conn_open(&c, AF_INET, port) == -1)
		return false;
	if (tine_conn_sends(&c, "GET / HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\n\r\n") == 0 &&
	    tine_conn_read(&c, 0, TINE_TIMEOUT_MS, &r) == 0) {
		ok = upgrade_index(&r);
		tine_resp_free(&r);
	}
	tine_conn_close(&c);
	return ok;
}

/* An upgrade that must fail with why in the error log: the old master
 * keeps serving with its own workers and its pid file. */
static void
upgrade_expect_failed(struct tine *t, const char *why, int nth)
{
	pid_t	before[TINE_MAX_WORKERS], after[TINE_MAX_WORKERS];
	int	nb, na, i;

	nb = tine_children(t->pid, before, TINE_MAX_WORKERS);
	cr_assert_eq(kill(t->pid, SIGUSR2), 0);
	cr_assert_eq(tine_wait_log(t, "upgrade failed: ", nth,
	    TINE_TIMEOUT_MS), 0, "upgrade %d did not fail", nth);
	cr_expect_eq(tine_count(t->error_log, why), 1, "the error log does "
	    "not say \"%s\"", why);
	cr_assert_eq(tine_wait_log(t, "names pid", nth, TINE_TIMEOUT_MS), 0,
	    "the pid file was not restored");
	cr_expect_eq(upgrade_pidfile(t), t->pid, "the pid file does not "
	    "name the old master");
	cr_expect_not(upgrade_oldbin(t), "a .oldbin is left");
	cr_expect(tine_alive(t->pid), "the old master is gone");
	na = tine_children(t->pid, after, TINE_MAX_WORKERS);
	cr_expect_eq(na, nb, "%d workers before, %d after", nb, na);
	for (i = 0; i < na && i < nb; i++)
		cr_expect_eq(after[i], before[i], "worker %d changed", i);
	for (i = 0; i < UP_BURST; i++)
		cr_expect(upgrade_serves(t->port), "request %d after failed "
		    "upgrade %d", i, nth);
}

/* Whether nothing listens on the port any more. */
static int
upgrade_refused(void *arg)
{
	struct tine_conn	c;

	if (tine_conn_open(&c, AF_INET, *(int *)arg) == -1)
		return 1;
	tine_conn_close(&c);
	return 0;
}

Test(upgrade, under_load_loses_nothing, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine		*t = upgrade_setup(NULL);
	struct upgrade_load	*l;
	const char		*args[] = { "-c", NULL, "-s", "upgrade", NULL };
	pid_t			 old, now, before[TINE_MAX_WORKERS];
	pid_t			 kids[TINE_MAX_WORKERS];
	int			 nb, n, i;

	cr_assert_eq(tine_start(t), 0);
	old = t->pid;
	cr_assert_eq(upgrade_pidfile(t), old);
	nb = tine_children(old, before, TINE_MAX_WORKERS);
	l = upgrade_load_start(t);
	upgrade_load_flows(l, "before the upgrade");
	args[1] = t->conf;
	cr_assert_eq(tine_run(t, args, TINE_TIMEOUT_MS), 0,
	    "tine -s upgrade failed");
	now = upgrade_follow(t);
	cr_expect_eq(tine_wait_gone(before, nb, TINE_TIMEOUT_MS), 0,
	    "the old master's workers outlived it");
	/* Only the new master's workers are left to answer these. */
	upgrade_load_flows(l, "after the upgrade");
	upgrade_load_end(l);
	n = tine_children(now, kids, TINE_MAX_WORKERS);
	cr_expect_eq(n, t->workers, "the new master has %d workers", n);
	for (i = 0; i < UP_BURST; i++)
		cr_expect(upgrade_serves(t->port), "request %d after the "
		    "upgrade", i);
	cr_expect_eq(tine_count(t->error_log, "upgrade: new master pid"), 1);
	tine_stop(t);
}

Test(upgrade, failing_binary_keeps_the_old_master, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine	*t = upgrade_setup(NULL);

	cr_assert_eq(tine_start(t), 0);
	/* The config became invalid since the master started. */
	cr_assert_eq(tine_config(t, "no_such_option = 1"), 0);
	upgrade_expect_failed(t, "no such option 'no_such_option'", 1);
	cr_assert_eq(tine_config(t, NULL), 0);
	/* The installed file is no program. */
	upgrade_install(t, "not a program\n", 0644);
	upgrade_expect_failed(t, "cannot execute ", 2);
	/* The new binary exits before it serves, saying nothing. */
	upgrade_install(t, "#!/bin/sh\nexit 3\n", 0755);
	upgrade_expect_failed(t, "exited during start-up", 3);
	tine_stop(t);
}

Test(upgrade, sockets_follow_the_new_config, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = upgrade_setup(NULL);
	char		 conf[256];
	int		 kept = t->port, gone, added;

	cr_assert((gone = tine_free_port()) > 0 && gone != kept);
	snprintf(conf, sizeof(conf), "listen = {\"127.0.0.1:%d\", "
	    "\"127.0.0.1:%d\"}", kept, gone);
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_start(t), 0);
	cr_assert(upgrade_serves(gone));
	cr_assert((added = tine_free_port()) > 0 && added != kept &&
	    added != gone);
	snprintf(conf, sizeof(conf), "listen = {\"127.0.0.1:%d\", "
	    "\"127.0.0.1:%d\"}", kept, added);
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(kill(t->pid, SIGUSR2), 0);
	upgrade_follow(t);
	cr_expect(upgrade_serves(kept), "the kept address does not serve");
	cr_expect(upgrade_serves(added), "the added address does not serve");
	cr_expect_eq(tine_wait_until(upgrade_refused, &gone, TINE_TIMEOUT_MS),
	    0, "port %d still accepts after the upgrade", gone);
	cr_expect_eq(tine_count(t->error_log, "with 2 listening sockets, 1 of "
	    "them no longer in the config"), 1);
	tine_stop(t);
}
