/* test_drain: retiring workers lose nothing — keep-alive clients that do not
 * retry, long downloads, signals sent right after a fork. */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "harness.h"

#define DRAIN_CLIENTS	4
#define DRAIN_MAX	200000	/* requests per client, at most */
#define DRAIN_LOOP_MS	90000	/* the keep-alive loop's time bound */
#define DRAIN_STEP	20	/* requests each client makes between events */
#define DRAIN_PAIRS	20	/* back-to-back HUP + USR1 */
#define DRAIN_BIG	(10 * 1024 * 1024)
#define DRAIN_RATE	(1024 * 1024)	/* bytes/s the slow reader takes */
#define DRAIN_RCVBUF	8192
#define DRAIN_CHUNK	4096
#define DRAIN_SLOW_MS	60000	/* the download's time bound */
#define DRAIN_REQ	"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"

/* One keep-alive client that does not retry: a request that gets no whole
 * response is a failure; a response saying close makes it reconnect. */
struct drain_client {
	struct tine	*t;
	atomic_int	*stop;
	pthread_t	 tid;
	atomic_int	 ok;
	atomic_int	 fail;
	atomic_int	 reconnects;
	char		 why[160];	/* the first failure */
};

/* Record the first failure of a client. */
static void
drain_fail(struct drain_client *c, const char *what, int ok)
{
	if (atomic_fetch_add(&c->fail, 1) == 0)
		snprintf(c->why, sizeof(c->why), "%s after %d requests", what,
		    ok);
}

/* One request on an open kept connection; whether it stays open. */
static bool
drain_one(struct drain_client *c, struct tine_conn *conn)
{
	struct tine_resp	 r;
	const char		*v;
	bool			 keep;

	if (tine_conn_sends(conn, DRAIN_REQ) == -1) {
		drain_fail(c, "send failed", atomic_load(&c->ok));
		return false;
	}
	if (tine_conn_read(conn, 0, TINE_TIMEOUT_MS, &r) == -1) {
		drain_fail(c, conn->eof ? "sent request, then EOF" :
		    "no whole response", atomic_load(&c->ok));
		return false;
	}
	if (r.status != 200 || strcmp(r.body, TINE_INDEX_BODY) != 0)
		drain_fail(c, "wrong answer", atomic_load(&c->ok));
	else
		atomic_fetch_add(&c->ok, 1);
	v = tine_resp_header(&r, "Connection");
	keep = v == NULL || strcasecmp(v, "close") != 0;
	tine_resp_free(&r);
	return keep;
}

/* A client's loop, bounded in count and time. */
static void *
drain_client_run(void *arg)
{
	struct drain_client	*c = arg;
	struct tine_conn	 conn;
	long long		 deadline = tine_now_ms() + DRAIN_LOOP_MS;
	bool			 open = false;

	while (!atomic_load(c->stop) && atomic_load(&c->ok) < DRAIN_MAX &&
	    tine_now_ms() < deadline) {
		if (!open && tine_conn_open(&conn, AF_INET, c->t->port) == -1) {
			drain_fail(c, "connect failed", atomic_load(&c->ok));
			break;
		}
		open = drain_one(c, &conn);
		if (!open) {
			tine_conn_close(&conn);
			atomic_fetch_add(&c->reconnects, 1);
		}
	}
	if (open)
		tine_conn_close(&conn);
	return NULL;
}

/* What drain_progressed waits for: every client past a count. */
struct drain_mark {
	struct drain_client	*c;
	int			 want[DRAIN_CLIENTS];
};

/* Whether every client made its requests since the mark (or failed). */
static int
drain_progressed(void *arg)
{
	struct drain_mark	*m = arg;
	int			 i;

	for (i = 0; i < DRAIN_CLIENTS; i++)
		if (atomic_load(&m->c[i].ok) < m->want[i] &&
		    atomic_load(&m->c[i].fail) == 0)
			return 0;
	return 1;
}

/* Wait until each client made DRAIN_STEP more requests. */
static void
drain_step(struct drain_client *c, const char *when)
{
	struct drain_mark	m = { .c = c };
	int			i;

	for (i = 0; i < DRAIN_CLIENTS; i++)
		m.want[i] = atomic_load(&c[i].ok) + DRAIN_STEP;
	cr_assert_eq(tine_wait_until(drain_progressed, &m, TINE_TIMEOUT_MS), 0,
	    "the clients made no progress %s", when);
}

/* Send sig and wait for generation gen to serve, the clients busy. */
static void
drain_event(struct tine *t, struct drain_client *c, int sig, int gen)
{
	char	ready[64];

	snprintf(ready, sizeof(ready), "workers, generation %d\n", gen);
	cr_assert_eq(kill(t->pid, sig), 0);
	cr_assert_eq(tine_wait_log(t, ready, 1, TINE_TIMEOUT_MS), 0,
	    "generation %d never served", gen);
	drain_step(c, "after a reload or reopen");
}

Test(drain, keepalive_clients_across_reloads_and_reopens,
    .fini = tine_teardown, .timeout = 150)
{
	static const int	 sigs[] = { SIGHUP, SIGUSR1, SIGHUP, SIGHUP,
	    SIGUSR1, SIGHUP, SIGHUP };
	struct tine		*t = tine_setup("workers = 2");
	struct drain_client	 c[DRAIN_CLIENTS];
	atomic_int		 stop = 0;
	int			 i, ok = 0, fail = 0, again = 0;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	memset(c, 0, sizeof(c));
	for (i = 0; i < DRAIN_CLIENTS; i++) {
		c[i].t = t;
		c[i].stop = &stop;
		cr_assert_eq(pthread_create(&c[i].tid, NULL, drain_client_run,
		    &c[i]), 0);
	}
	drain_step(c, "before the first reload");
	for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
		drain_event(t, c, sigs[i], i + 2);
	atomic_store(&stop, 1);
	for (i = 0; i < DRAIN_CLIENTS; i++) {
		pthread_join(c[i].tid, NULL);
		ok += c[i].ok;
		fail += c[i].fail;
		again += c[i].reconnects;
		cr_expect_eq(c[i].fail, 0, "client %d: %d failed, the first: %s",
		    i, c[i].fail, c[i].why);
	}
	cr_log_info("%d requests, %d failed, %d reconnects after a close", ok,
	    fail, again);
	/* Each retirement told each client's connection to close. */
	cr_expect_geq(again, DRAIN_CLIENTS, "only %d reconnects", again);
	cr_expect_eq(tine_count(t->error_log, "crashed"), 0);
	tine_stop(t);
}

/* GET / on a new kept-alive connection; assert a 200 that keeps it. */
static void
drain_kept(struct tine *t, struct tine_conn *conn)
{
	struct tine_resp	 r;
	const char		*v;

	cr_assert_eq(tine_conn_open(conn, AF_INET, t->port), 0);
	cr_assert_eq(tine_conn_sends(conn, DRAIN_REQ), 0);
	cr_assert_eq(tine_conn_read(conn, 0, TINE_TIMEOUT_MS, &r), 0);
	cr_assert_eq(r.status, 200);
	v = tine_resp_header(&r, "Connection");
	cr_assert(v == NULL || strcasecmp(v, "close") != 0,
	    "the first answer said close");
	tine_resp_free(&r);
}

Test(drain, retiring_worker_answers_kept_connection_with_close,
    .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = tine_setup("workers = 1\n"
				    "keepalive_timeout = 60");
	struct tine_conn	 busy, idle;
	struct tine_resp	 r;
	const char		*v;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	drain_kept(t, &busy);
	drain_kept(t, &idle);
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_log(t, "retiring; open connections: 2", 1,
	    TINE_TIMEOUT_MS), 0);
	/* Within the drain grace (1 s) of the worker's retirement. */
	cr_assert_eq(tine_conn_sends(&busy, DRAIN_REQ), 0);
	cr_assert_eq(tine_conn_read(&busy, 0, TINE_TIMEOUT_MS, &r), 0,
	    "the kept connection was closed under its next request");
	cr_expect_eq(r.status, 200);
	v = tine_resp_header(&r, "Connection");
	cr_expect(v != NULL && strcasecmp(v, "close") == 0,
	    "the retiring worker's answer says Connection: %s", v ? v : "-");
	tine_resp_free(&r);
	cr_expect_eq(tine_conn_wait_close(&busy, TINE_TIMEOUT_MS), 1);
	/* The idle one goes after the grace, long before keepalive_timeout. */
	cr_expect_eq(tine_conn_wait_close(&idle, TINE_TIMEOUT_MS), 1);
	cr_expect_eq(tine_wait_log(t, "generation 1 finished", 1,
	    TINE_TIMEOUT_MS), 0, "the old worker did not exit");
	tine_conn_close(&busy);
	tine_conn_close(&idle);
	tine_stop(t);
}

/* Whether the master has a child that is not among the n in before. */
static bool
drain_new_child(struct tine *t, const pid_t *before, int n)
{
	pid_t	now[TINE_MAX_WORKERS];
	int	i, j, k = tine_children(t->pid, now, TINE_MAX_WORKERS);

	for (i = 0; i < k; i++) {
		for (j = 0; j < n && before[j] != now[i]; j++)
			;
		if (j == n)
			return true;
	}
	return false;
}

/* HUP, then QUIT as soon as the first new worker exists: the master's QUIT
 * reaches workers it forked an instant before. */
static void
drain_hup_quit(struct tine *t)
{
	pid_t		before[TINE_MAX_WORKERS];
	long long	deadline = tine_now_ms() + TINE_TIMEOUT_MS;
	int		n = tine_children(t->pid, before, TINE_MAX_WORKERS), status;

	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	/* A busy wait: a nap would let the new workers finish starting. */
	while (!drain_new_child(t, before, n))
		cr_assert_lt(tine_now_ms(), deadline, "no worker was forked");
	cr_assert_eq(kill(t->pid, SIGQUIT), 0);
	status = tine_wait_exit(t, 3 * TINE_TIMEOUT_MS);
	cr_expect(status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "the master's wait status is 0x%x",
	    status);
}

Test(drain, back_to_back_signals_crash_nothing, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine	*t = tine_setup("workers = 16");
	char		 last[64];
	int		 i;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	for (i = 0; i < DRAIN_PAIRS; i++) {
		cr_assert_eq(kill(t->pid, SIGHUP), 0);
		cr_assert_eq(kill(t->pid, SIGUSR1), 0);
		cr_assert_eq(tine_wait_log(t, "log reopen: starting", i + 1,
		    TINE_TIMEOUT_MS), 0, "pair %d was not handled", i);
	}
	snprintf(last, sizeof(last), "workers, generation %d\n",
	    1 + 2 * DRAIN_PAIRS);
	cr_assert_eq(tine_wait_log(t, last, 1, 3 * TINE_TIMEOUT_MS), 0);
	cr_assert_eq(tine_wait_log(t, " finished\n", 2 * DRAIN_PAIRS,
	    3 * TINE_TIMEOUT_MS), 0, "the old generations did not finish");
	drain_hup_quit(t);
	cr_expect_eq(tine_count(t->error_log, "crashed"), 0,
	    "a worker died of a signal it should have held");
	tine_stop(t);
}

/* ---- long downloads ---- */

/* Download big.bin slowly; a reopen once the body flows, a reload once
 * that generation serves. How many of the two were sent. */
static int
drain_download(struct tine *t, struct tine_slow *s)
{
	int	step = 0;

	s->size = DRAIN_BIG;
	s->rate = DRAIN_RATE;
	s->chunk = DRAIN_CHUNK;
	cr_assert_eq(tine_slow_open(s, t->port, "/big.bin", DRAIN_RCVBUF), 0);
	while (tine_slow_read(s) && tine_now_ms() - s->start < DRAIN_SLOW_MS)
		if (step == 0 && s->body > 0) {
			cr_assert_eq(kill(t->pid, SIGUSR1), 0);
			step = 1;
		} else if (step == 1 && tine_count(t->error_log,
		    "workers, generation 2\n") == 1) {
			cr_assert_eq(kill(t->pid, SIGHUP), 0);
			step = 2;
		}
	close(s->fd);
	cr_log_info("slow download: %zu of %d body bytes in %lld ms", s->body,
	    DRAIN_BIG, tine_now_ms() - s->start);
	cr_expect_not_null(strstr(s->head, "HTTP/1.1 200 "), "%s", s->head);
	return step;
}

Test(drain, download_survives_reopen_and_reload, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine		*t = tine_setup(NULL);
	struct tine_slow	 s;

	cr_assert_not_null(t);
	cr_assert_eq(tine_put_pattern(t, "big.bin", DRAIN_BIG), 0);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(drain_download(t, &s), 2, "it ended before the reload");
	cr_expect_eq(s.body, (size_t)DRAIN_BIG, "%zu of %d bytes arrived",
	    s.body, DRAIN_BIG);
	cr_expect_eq(s.bad_at, 0, "byte %zu is wrong", s.bad_at - 1);
	/* Else the file fitted in the socket buffers: nothing was tested. */
	cr_expect_eq(tine_count(t->error_log, "open connections: 1\n"), 1,
	    "no retiring worker held the download");
	cr_expect_eq(tine_wait_log(t, "generation 1 finished", 1,
	    TINE_TIMEOUT_MS), 0);
	cr_expect_eq(tine_count(t->error_log, "killing it"), 0);
	tine_stop(t);
}

/* The same download is cut by a worker_shutdown_timeout shorter than it. */
Test(drain, shutdown_timeout_cuts_download, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine		*t = tine_setup("worker_shutdown_timeout = 1");
	struct tine_slow	 s;

	cr_assert_not_null(t);
	cr_assert_eq(tine_put_pattern(t, "big.bin", DRAIN_BIG), 0);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_geq(drain_download(t, &s), 1, "it ended before the reopen");
	cr_expect_lt(s.body, (size_t)DRAIN_BIG, "the download was not cut");
	cr_expect_eq(s.bad_at, 0, "byte %zu is wrong", s.bad_at - 1);
	cr_expect_geq(tine_count(t->error_log, "still finishing after 1s: "
	    "killing it"), 1);
	tine_stop(t);
}
