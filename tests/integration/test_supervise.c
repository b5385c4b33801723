/* test_supervise: the master's supervision, each event under a real load. */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/options.h>

#include "buf.h"
#include "harness.h"

#define SUP_THREADS_MAX	8
#define SUP_PIDS_MAX	1024
#define SUP_ROTATIONS	20	/* request-limit rotations the test waits for */
#define SUP_LINE_MAX	1024
#define SUP_RESPAWN_MS	1000		/* a crashed worker's replacement serves */
#define SUP_ESTABLISHED	6000		/* ms: past the pool's 5 s early window */
#define SUP_BURST	50		/* requests that must all pass afterwards */
#define SUP_BIG		(64 * 1024 * 1024)
#define SUP_RATE	(16 * 1024 * 1024)	/* bytes/s the slow reader takes */
#define SUP_RCVBUF	16384
#define SUP_CHUNK	65536
#define SUP_SERVER_MAX	128

/* How one request went; anything but SUP_OK is a failure. */
enum supervise_outcome {
	SUP_OK,
	SUP_CONNECT,		/* refused or not connected in time */
	SUP_SEND,		/* the request could not be sent */
	SUP_CLOSED,		/* closed before a whole response */
	SUP_TIMEOUT,		/* no whole response in time */
	SUP_ANSWER,		/* a response, but not the 200 with the body */
	SUP_OUTCOMES
};

/* Names of the outcomes, for the log. */
static const char *const supervise_outcomes[SUP_OUTCOMES] = {
	"ok", "connect failed", "send failed", "closed without a whole "
	"response", "timed out", "wrong answer"
};

/* A bounded load of real clients: GET path, expect a 200 carrying body. */
struct supervise_load {
	struct tine	*t;
	const char	*path;
	const char	*body;
	int		 nthreads;
	int		 max;		/* requests, all threads together */
	long long	 deadline;	/* monotonic ms */
	pthread_t	 tid[SUP_THREADS_MAX];
	atomic_int	 stop;
	atomic_int	 running;	/* threads still in their loop */
	atomic_int	 issued;
	atomic_int	 ok;
	atomic_int	 fail;
	atomic_int	 kind[SUP_OUTCOMES];	/* failures by outcome */
	atomic_llong	 first_fail;	/* monotonic ms a failure was seen, 0 */
	atomic_llong	 worst;		/* ms of the slowest success */
};

/* A set of pids seen so far. */
struct supervise_pids {
	pid_t	v[SUP_PIDS_MAX];
	int	n;
};

/* What a wait for a whole pool needs: the instance, the pids that must be
 * gone, the pid that must stay (0: none), and what was last seen. */
struct supervise_pool {
	struct tine	*t;
	const pid_t	*gone;
	int		 ngone;
	pid_t		 keep;
	pid_t		 now[TINE_MAX_WORKERS];
	int		 n;
};

/* Whether pid is in the first n of v. */
static bool
supervise_in(const pid_t *v, int n, pid_t pid)
{
	int	i;

	for (i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

/* Add pid to the set unless it is there; whether it was new. */
static bool
supervise_add(struct supervise_pids *s, pid_t pid)
{
	if (supervise_in(s->v, s->n, pid))
		return false;
	if (s->n < SUP_PIDS_MAX)
		s->v[s->n++] = pid;
	return true;
}

/* One GET with Connection: close; SUP_OK only for a whole 200 with body.
 * The Server header goes to server (SUP_SERVER_MAX bytes) when it is set. */
static enum supervise_outcome
supervise_fetch(struct tine *t, const char *path, const char *body,
    char *server)
{
	enum supervise_outcome	 ret = SUP_ANSWER;
	struct tine_conn	 c;
	struct tine_resp	 r;
	const char		*v;
	char			 req[TINE_PATH_MAX + 128];

	if (server != NULL)
		snprintf(server, SUP_SERVER_MAX, "(no response)");
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\n\r\n", path);
	if (tine_conn_open(&c, AF_INET, t->port) == -1)
		return SUP_CONNECT;
	if (tine_conn_sends(&c, req) == -1)
		ret = SUP_SEND;
	else if (tine_conn_read(&c, 0, TINE_TIMEOUT_MS, &r) == -1)
		ret = c.eof ? SUP_CLOSED : SUP_TIMEOUT;
	else {
		if (r.status == 200 && r.bodylen == strlen(body) &&
		    memcmp(r.body, body, r.bodylen) == 0)
			ret = SUP_OK;
		if (server != NULL) {
			v = tine_resp_header(&r, "Server");
			snprintf(server, SUP_SERVER_MAX, "%s", v ? v : "(none)");
		}
		tine_resp_free(&r);
	}
	tine_conn_close(&c);
	return ret;
}

/* Remember a failure's time (the first only) and count it by outcome. */
static void
supervise_load_failed(struct supervise_load *l, enum supervise_outcome o)
{
	long long	zero = 0;

	atomic_fetch_add(&l->fail, 1);
	atomic_fetch_add(&l->kind[o], 1);
	atomic_compare_exchange_strong(&l->first_fail, &zero, tine_now_ms());
}

/* Count a success and keep the slowest time. */
static void
supervise_load_passed(struct supervise_load *l, long long took)
{
	long long	worst = atomic_load(&l->worst);

	atomic_fetch_add(&l->ok, 1);
	while (took > worst &&
	    !atomic_compare_exchange_weak(&l->worst, &worst, took))
		;
}

/* One client thread: requests until stopped, out of count or out of time. */
static void *
supervise_load_run(void *arg)
{
	struct supervise_load	*l = arg;
	enum supervise_outcome	 o;
	long long		 t0;

	while (!atomic_load(&l->stop) && tine_now_ms() < l->deadline &&
	    atomic_fetch_add(&l->issued, 1) < l->max) {
		t0 = tine_now_ms();
		if ((o = supervise_fetch(l->t, l->path, l->body, NULL)) ==
		    SUP_OK)
			supervise_load_passed(l, tine_now_ms() - t0);
		else
			supervise_load_failed(l, o);
	}
	atomic_fetch_sub(&l->running, 1);
	return NULL;
}

/*
 * Start nthreads clients on "/" for at most max requests and ms. The load is
 * on the heap: a failed assertion leaves the test's stack while the threads
 * still read it.
 */
static struct supervise_load *
supervise_load_start(struct tine *t, int nthreads, int max, int ms)
{
	struct supervise_load	*l = calloc(1, sizeof(*l));
	int			 i;

	cr_assert_not_null(l);
	cr_assert(nthreads > 0 && nthreads <= SUP_THREADS_MAX);
	l->t = t;
	l->path = "/";
	l->body = TINE_INDEX_BODY;
	l->nthreads = nthreads;
	l->max = max;
	l->deadline = tine_now_ms() + ms;
	atomic_store(&l->running, nthreads);
	for (i = 0; i < nthreads; i++)
		cr_assert_eq(pthread_create(&l->tid[i], NULL,
		    supervise_load_run, l), 0);
	return l;
}

/* A target of successes for a load to reach. */
struct supervise_progress {
	struct supervise_load	*l;
	int			 ok;
};

/* Whether the load has reached its target of successes. */
static int
supervise_progressed(void *arg)
{
	struct supervise_progress	*p = arg;

	return atomic_load(&p->l->ok) >= p->ok ||
	    atomic_load(&p->l->running) == 0;
}

/* Wait until the load has n more successes than now; assert it does. */
static void
supervise_load_more(struct supervise_load *l, int n, const char *when)
{
	struct supervise_progress	p = { l, atomic_load(&l->ok) + n };

	cr_assert_eq(tine_wait_until(supervise_progressed, &p,
	    TINE_TIMEOUT_MS), 0, "load stalled %s (%d ok, %d failed)", when,
	    atomic_load(&l->ok), atomic_load(&l->fail));
	cr_assert_geq(atomic_load(&l->ok), p.ok, "load ended %s (%d ok, "
	    "%d failed)", when, atomic_load(&l->ok), atomic_load(&l->fail));
}

/* Stop the clients, wait for them, and log what they saw. */
static void
supervise_load_end(struct supervise_load *l, const char *what)
{
	char		why[256];
	struct buf	b;
	int		i, n;

	atomic_store(&l->stop, 1);
	for (i = 0; i < l->nthreads; i++)
		pthread_join(l->tid[i], NULL);
	buf_init(&b, why, sizeof(why) - 1);
	for (i = SUP_OK + 1; i < SUP_OUTCOMES; i++)
		if ((n = atomic_load(&l->kind[i])) > 0)
			buf_addf(&b, "; %d %s", n, supervise_outcomes[i]);
	why[b.len] = '\0';
	cr_log_info("%s: %d requests ok, %d failed%s; slowest %lld ms", what,
	    atomic_load(&l->ok), atomic_load(&l->fail), why,
	    (long long)atomic_load(&l->worst));
}

/* End the load and expect that not one of its requests failed. */
static void
supervise_load_clean(struct supervise_load *l, const char *what)
{
	supervise_load_end(l, what);
	cr_expect_eq(atomic_load(&l->fail), 0, "%s: %d requests failed", what,
	    atomic_load(&l->fail));
}

/* Assert n requests in a row all pass (after an event has settled). */
static void
supervise_burst(struct tine *t, int n, const char *when)
{
	int	i;

	for (i = 0; i < n; i++)
		cr_assert_eq(supervise_fetch(t, "/", TINE_INDEX_BODY, NULL),
		    SUP_OK, "request %d of a burst %s failed", i, when);
}

/* Whether the pool is whole: t->workers live, none of gone, keep among them. */
static int
supervise_pool_whole(void *arg)
{
	struct supervise_pool	*p = arg;
	int			 i;

	p->n = tine_children(p->t->pid, p->now, TINE_MAX_WORKERS);
	if (p->n != p->t->workers)
		return 0;
	for (i = 0; i < p->n; i++)
		if (supervise_in(p->gone, p->ngone, p->now[i]))
			return 0;
	return p->keep == 0 || supervise_in(p->now, p->n, p->keep);
}

/* The pid in the pid file, 0 if none can be read. */
static pid_t
supervise_pidfile(struct tine *t)
{
	char	*text = tine_slurp(t->pid_file, NULL);
	pid_t	 pid;

	pid = text != NULL ? (pid_t)atoi(text) : 0;
	free(text);
	return pid;
}

/* Whether a path is gone (ENOENT). */
static bool
supervise_missing(const char *path)
{
	struct stat	sb;

	return stat(path, &sb) == -1 && errno == ENOENT;
}

/* Newlines in a file: its complete lines. */
static int
supervise_lines(const char *path)
{
	return tine_count(path, "\n");
}

/* The line of a file holding mark, copied into buf; false if none. */
static bool
supervise_log_line(const char *path, const char *mark, char *buf, size_t len)
{
	char	*text = tine_slurp(path, NULL), *p, *bol, *eol;
	bool	 found = false;

	if (text != NULL && (p = strstr(text, mark)) != NULL) {
		for (bol = p; bol > text && bol[-1] != '\n'; bol--)
			;
		eol = strchrnul(p, '\n');
		snprintf(buf, len, "%.*s", (int)(eol - bol), bol);
		found = true;
	}
	free(text);
	return found;
}

/* The number of the first line of a file that starts with prefix, 0 if none. */
static int
supervise_line_no(const char *path, const char *prefix)
{
	char	*text = tine_slurp(path, NULL), *p;
	int	 no = 1, found = 0;

	for (p = text; p != NULL && *p != '\0'; no++) {
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			found = no;
			break;
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	free(text);
	return found;
}

/* Whether text holds the number n as a whole word (no digit around it). */
static bool
supervise_has_number(const char *text, long n)
{
	char		 num[32];
	const char	*p;

	snprintf(num, sizeof(num), "%ld", n);
	for (p = text; (p = strstr(p, num)) != NULL; p++)
		if ((p == text || p[-1] < '0' || p[-1] > '9') &&
		    (p[strlen(num)] < '0' || p[strlen(num)] > '9'))
			return true;
	return false;
}

/* Milliseconds of a log line's "[YYYY-MM-DDTHH:MM:SS.mmm" stamp, -1 if none. */
static long long
supervise_stamp(const char *line)
{
	struct tm	tm;
	int		ms;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(line, "[%d-%d-%dT%d:%d:%d.%d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm) * 1000 + ms;
}

/* ---- the master and its crashes ---- */

/* Kill one worker with sig; assert the pool is whole again within 1 s. */
static void
supervise_expect_crash(struct tine *t, pid_t victim, int sig,
    const char *name)
{
	struct supervise_pool	 p = { t, &victim, 1, 0, { 0 }, 0 };
	pid_t			 before[TINE_MAX_WORKERS];
	char			 want[128];
	long long		 t0;
	int			 nb, i, fresh = 0;

	nb = tine_children(t->pid, before, TINE_MAX_WORKERS);
	cr_assert_eq(nb, t->workers, "%d workers before the %s, want %d", nb,
	    name, t->workers);
	t0 = tine_now_ms();
	cr_assert_eq(kill(victim, sig), 0);
	cr_expect_eq(tine_wait_until(supervise_pool_whole, &p,
	    TINE_TIMEOUT_MS), 0, "worker %d not replaced within %d ms of %s "
	    "(%d live)", (int)victim, TINE_TIMEOUT_MS, name, p.n);
	cr_log_info("%s: pool whole again after %lld ms", name,
	    tine_now_ms() - t0);
	/* Replaced at once, not as an early death: the pool logs a backoff
	 * step before it waits, so no clock need tell (a loaded machine
	 * respawns late anyway). */
	cr_expect_eq(tine_count(t->error_log, "backoff step"), 0, "the %s of "
	    "an established worker was backed off", name);
	for (i = 0; i < p.n; i++)
		fresh += !supervise_in(before, nb, p.now[i]);
	cr_expect_eq(fresh, 1, "%d new workers after the %s, want 1", fresh,
	    name);
	snprintf(want, sizeof(want), "worker %d (generation 1) crashed: %s ",
	    (int)victim, name);
	cr_expect_eq(tine_wait_log(t, want, 1, TINE_TIMEOUT_MS), 0,
	    "no \"%s\" line in the error log", want);
}

/* What a wait for an established worker needs. */
struct supervise_age {
	const pid_t	*pid;
	int		 n;
};

/* Whether every worker has lived past the pool's early-death window. */
static int
supervise_established(void *arg)
{
	struct supervise_age	*a = arg;
	int			 i;

	for (i = 0; i < a->n; i++)
		if (tine_age_ms(a->pid[i]) < SUP_ESTABLISHED)
			return 0;
	return 1;
}

Test(supervise, five_reloads_under_load, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine		*t = tine_setup(NULL);
	struct supervise_load	*l;
	struct supervise_pids	 seen = { { 0 }, 0 };
	pid_t			 before[TINE_MAX_WORKERS], now[TINE_MAX_WORKERS];
	pid_t			 master;
	char			 server[SUP_SERVER_MAX], want[128];
	int			 i, j, nb, n;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	master = t->pid;
	nb = tine_children(t->pid, before, TINE_MAX_WORKERS);
	cr_assert_eq(nb, t->workers);
	for (i = 0; i < nb; i++)
		supervise_add(&seen, before[i]);
	l = supervise_load_start(t, 2, 1000000, 100000);
	supervise_load_more(l, 20, "before the first reload");
	for (i = 1; i <= 5; i++) {
		bool	tokens = i % 2 == 0;	/* the default is true */

		cr_assert_eq(tine_config(t, tokens ? "server_tokens = true" :
		    "server_tokens = false"), 0);
		cr_assert_eq(kill(t->pid, SIGHUP), 0);
		snprintf(want, sizeof(want), "master ready: %d workers, "
		    "generation %d\n", t->workers, i + 1);
		cr_assert_eq(tine_wait_log(t, want, 1, TINE_TIMEOUT_MS), 0,
		    "reload %d: no \"%.*s\" line", i, (int)strlen(want) - 1,
		    want);
		cr_assert_eq(tine_wait_gone(before, nb, TINE_TIMEOUT_MS), 0,
		    "reload %d: generation %d outlived its retirement", i, i);
		n = tine_children(t->pid, now, TINE_MAX_WORKERS);
		cr_expect_eq(n, t->workers, "reload %d: %d workers", i, n);
		for (j = 0; j < n; j++)
			cr_expect(supervise_add(&seen, now[j]), "reload %d: "
			    "worker %d is not new", i, (int)now[j]);
		for (j = 0; j < 5; j++) {
			cr_expect_eq(supervise_fetch(t, "/", TINE_INDEX_BODY,
			    server), SUP_OK, "reload %d: a request failed", i);
			cr_expect_str_eq(server, tokens ?
			    "tine/" PACKAGE_VERSION : "tine", "reload %d: "
			    "Server header of generation %d", i, i + 1);
		}
		cr_expect(tine_alive(master), "the master died");
		cr_expect_eq(supervise_pidfile(t), master, "pid file changed");
		memcpy(before, now, sizeof(before));
		nb = n;
		supervise_load_more(l, 20, "after a reload");
	}
	supervise_load_clean(l, "five reloads");
	cr_expect_eq(t->pid, master);
	cr_expect_eq(tine_count(t->error_log, "master started"), 1);
	cr_expect_eq(tine_count(t->error_log, "reload: starting generation"),
	    5);
	free(l);
	tine_stop(t);
}

Test(supervise, bad_reload_keeps_serving, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = tine_setup(NULL);
	struct supervise_load	*l;
	pid_t			 before[TINE_MAX_WORKERS], now[TINE_MAX_WORKERS];
	char			 want[64], line[SUP_LINE_MAX];
	int			 nb, n, i, lineno;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	nb = tine_children(t->pid, before, TINE_MAX_WORKERS);
	cr_assert_eq(nb, t->workers);
	l = supervise_load_start(t, 2, 1000000, 60000);
	supervise_load_more(l, 20, "before the reload");
	cr_assert_eq(tine_config(t, "server_tokens = false\n"
	    "no_such_key = 1"), 0);
	lineno = supervise_line_no(t->conf, "no_such_key");
	cr_assert_gt(lineno, 1);
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_log(t, "reload failed", 1, TINE_TIMEOUT_MS), 0,
	    "no \"reload failed\" line");
	cr_assert(supervise_log_line(t->error_log, "reload failed", line,
	    sizeof(line)));
	snprintf(want, sizeof(want), "tine.conf:%d: no_such_key", lineno);
	cr_expect_not_null(strstr(line, want), "the failure does not name "
	    "%s: %s", want, line);
	cr_expect_not_null(strstr(line, "generation 1 keeps serving"), "%s",
	    line);
	supervise_load_more(l, 50, "after the failed reload");
	supervise_load_clean(l, "bad reload");
	n = tine_children(t->pid, now, TINE_MAX_WORKERS);
	cr_expect_eq(n, nb, "%d workers after a failed reload, were %d", n,
	    nb);
	for (i = 0; i < n; i++)
		cr_expect(supervise_in(before, nb, now[i]), "worker %d is new "
		    "after a failed reload", (int)now[i]);
	cr_expect_eq(tine_count(t->error_log, "starting generation"), 0);
	cr_expect_eq(tine_count(t->error_log, "master ready:"), 1);
	free(l);
	tine_stop(t);
}

Test(supervise, crashes_are_replaced_under_load, .fini = tine_teardown,
    .timeout = 90)
{
	struct tine		*t = tine_setup(NULL);
	struct supervise_load	*l;
	struct supervise_age	 age;
	pid_t			 kids[TINE_MAX_WORKERS];
	int			 n, ok, fail;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	cr_assert_eq(n, 2);
	l = supervise_load_start(t, 2, 1000000, 60000);
	/* A death in the first seconds is backed off on purpose: wait. */
	age.pid = kids;
	age.n = n;
	cr_assert_eq(tine_wait_until(supervise_established, &age,
	    SUP_ESTABLISHED + TINE_TIMEOUT_MS), 0, "cannot tell the workers' "
	    "age");
	supervise_load_more(l, 20, "before the kills");
	supervise_expect_crash(t, kids[0], SIGKILL, "SIGKILL");
	supervise_load_more(l, 20, "after the SIGKILL");
	supervise_expect_crash(t, kids[1], SIGSEGV, "SIGSEGV");
	supervise_load_more(l, 20, "after the SIGSEGV");
	supervise_load_end(l, "crashes");
	ok = atomic_load(&l->ok);
	fail = atomic_load(&l->fail);
	/* Each client holds one connection: a kill can break one each. */
	cr_expect_leq(fail, 2 * l->nthreads, "%d requests failed for 2 kills "
	    "with %d clients", fail, l->nthreads);
	cr_expect_geq(ok, 10 * fail, "%d ok, %d failed", ok, fail);
	supervise_burst(t, SUP_BURST, "after the crashes");
	free(l);
	tine_stop(t);
}

/* ---- the crash loop ---- */

/* What a backoff check reads from the log: each step, its delay, and times. */
struct supervise_backoff {
	int	steps;			/* backoff lines */
	int	bad_order;		/* a step that is not the previous + 1 */
	int	bad_delay;		/* a delay off the 0,1,2,4 ... schedule */
	int	early_spawns;		/* spawns before the announced delay */
	int	last_delay;
	char	why[SUP_LINE_MAX];
};

/* The pool's schedule: the first early death at once, then 1, 2, 4 ... 32. */
static int
supervise_delay(int step)
{
	return step <= 1 ? 0 : step > 7 ? 32 : 1 << (step - 2);
}

/* Check one "started" line against the last announced delay. */
static void
supervise_check_spawn(struct supervise_backoff *b, long long at,
    long long due, const char *line)
{
	/* next_spawn counts whole seconds from the floor of the death time. */
	if (due > 0 && at < due - 1000 - 50) {
		b->early_spawns++;
		snprintf(b->why, sizeof(b->why), "spawned %lld ms early: %s",
		    due - 1000 - at, line);
	}
}

/* Read the backoff lines of the error log and check them in order. */
static void
supervise_read_backoff(const char *path, struct supervise_backoff *b)
{
	char		*text = tine_slurp(path, NULL), *line, *next;
	long long	 at, due = 0;
	int		 step, delay, prev = 0;

	memset(b, 0, sizeof(*b));
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		at = supervise_stamp(line);
		if (strstr(line, " started (generation ") != NULL) {
			supervise_check_spawn(b, at, due, line);
			due = 0;
		}
		if (strstr(line, "backoff step") == NULL ||
		    sscanf(strstr(line, "backoff step"), "backoff step %d, next "
		    "spawn in %ds", &step, &delay) != 2)
			continue;
		b->steps++;
		b->bad_order += step != prev + 1;
		b->bad_delay += delay != supervise_delay(step);
		b->last_delay = delay;
		prev = step;
		due = at + delay * 1000LL;
	}
	free(text);
}

/* Kill every worker but keep for ms; the distinct pids killed. */
static int
supervise_crash_loop(struct tine *t, pid_t keep, int ms, long long *last)
{
	struct supervise_pids	 killed = { { 0 }, 0 };
	pid_t			 now[TINE_MAX_WORKERS];
	long long		 end = tine_now_ms() + ms;
	struct timespec		 nap = { 0, 2000000 };
	int			 n, i;

	while (tine_now_ms() < end) {
		n = tine_children(t->pid, now, TINE_MAX_WORKERS);
		for (i = 0; i < n; i++) {
			if (now[i] == keep)
				continue;
			kill(now[i], SIGKILL);
			if (supervise_add(&killed, now[i]))
				*last = tine_now_ms();
		}
		nanosleep(&nap, NULL);
	}
	return killed.n;
}

Test(supervise, crash_loop_backs_off, .fini = tine_teardown, .timeout = 90)
{
	struct tine		*t = tine_setup("log_level = \"info\"");
	struct supervise_load	*l;
	struct supervise_backoff b;
	struct supervise_pool	 p;
	pid_t			 kids[TINE_MAX_WORKERS];
	long long		 last = 0, left;
	int			 n, kills, started, ok0;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	cr_assert_eq(n, 2);
	l = supervise_load_start(t, 2, 1000000, 60000);
	supervise_load_more(l, 20, "before the crash loop");
	ok0 = atomic_load(&l->ok);
	/* kids[1] serves throughout; every other worker dies at birth. */
	kills = supervise_crash_loop(t, kids[1], 8000, &last);
	started = tine_count(t->error_log, " started (generation 1)");
	cr_log_info("crash loop: %d kills, %d started lines, %d requests "
	    "served meanwhile", kills, started, atomic_load(&l->ok) - ok0);
	cr_expect_lt(started, 15, "%d workers started in 8 s of crashes",
	    started);
	/* The master may reap the last kill a moment after it was sent. */
	tine_wait_file(t->error_log, "(generation 1) crashed: SIGKILL", kills,
	    10000);
	cr_expect_eq(tine_count(t->error_log, "(generation 1) crashed: SIGKILL"),
	    kills, "crash lines do not match the %d kills", kills);
	supervise_read_backoff(t->error_log, &b);
	cr_expect_geq(b.steps, 4, "only %d backoff steps in 8 s", b.steps);
	cr_expect_eq(b.bad_order, 0, "backoff steps do not increase by one");
	cr_expect_eq(b.bad_delay, 0, "backoff delays off the 0,1,2,4 schedule");
	cr_expect_eq(b.early_spawns, 0, "%s", b.why);
	cr_expect_gt(atomic_load(&l->ok), ok0, "nothing served in the crash "
	    "loop");
	/* Stop killing: the missing worker comes back after the last delay. */
	p = (struct supervise_pool){ t, NULL, 0, kids[1], { 0 }, 0 };
	left = last + b.last_delay * 1000LL + 2000 - tine_now_ms();
	cr_expect_eq(tine_wait_until(supervise_pool_whole, &p,
	    left > 0 ? (int)left : 0), 0, "pool not whole %d s after the last "
	    "kill (delay %d s; %d live)", b.last_delay + 2, b.last_delay, p.n);
	supervise_load_end(l, "crash loop");
	cr_expect_leq(atomic_load(&l->fail), kills * l->nthreads, "%d requests "
	    "failed for %d kills", atomic_load(&l->fail), kills);
	supervise_burst(t, SUP_BURST, "after the crash loop");
	free(l);
	tine_stop(t);
}

/* ---- rotation and the watchdog ---- */

/*
 * The live workers at one instant; -1 if the master is gone. A scan of /proc
 * is no snapshot: a worker listed at its start may retire before it is read
 * while its successor, forked after the listing, is not seen. So the master
 * is held still (SIGSTOP) for the look: nothing is forked or told to retire
 * meanwhile, and what exits by itself was retiring already.
 */
static int
supervise_snapshot(struct tine *t, pid_t *out, int max)
{
	int	status, n;

	if (kill(t->pid, SIGSTOP) == -1 ||
	    waitpid(t->pid, &status, WUNTRACED) != t->pid ||
	    !WIFSTOPPED(status))
		return -1;
	n = tine_children(t->pid, out, max);
	kill(t->pid, SIGCONT);
	return n;
}

Test(supervise, request_limit_rotates_workers, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine		*t = tine_setup("max_requests_per_worker = 50");
	struct supervise_load	*l;
	struct supervise_pids	 seen = { { 0 }, 0 };
	pid_t			 now[TINE_MAX_WORKERS];
	struct timespec		 nap = { 0, 2000000 };
	int			 n, i, least = TINE_MAX_WORKERS, samples = 0;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	/* Load until 20 rotations are seen (a slow machine rotates less per
	 * request: a worker serves on until its successor is ready), bounded
	 * by the load's own count and time. */
	l = supervise_load_start(t, 2, 200000, 60000);
	while (atomic_load(&l->running) > 0 && (seen.n <= SUP_ROTATIONS ||
	    tine_count(t->error_log, "reached its request limit: retiring "
	    "it") < SUP_ROTATIONS)) {
		n = supervise_snapshot(t, now, TINE_MAX_WORKERS);
		cr_assert_geq(n, 0, "the master is gone");
		if (n < least)
			least = n;
		samples++;
		for (i = 0; i < n; i++)
			supervise_add(&seen, now[i]);
		nanosleep(&nap, NULL);
	}
	supervise_load_end(l, "rotation");
	cr_log_info("rotation: %d worker pids in %d samples, least %d",
	    seen.n, samples, least);
	cr_expect_gt(atomic_load(&l->ok), 0);
	cr_expect_eq(atomic_load(&l->fail), 0, "%d requests failed",
	    atomic_load(&l->fail));
	cr_expect_geq(least, 2, "a sample saw %d workers", least);
	cr_expect_gt(seen.n, SUP_ROTATIONS, "only %d worker pids", seen.n);
	cr_expect_gt(tine_count(t->error_log, " started (generation 1)"),
	    SUP_ROTATIONS);
	cr_expect_geq(tine_count(t->error_log, "reached its request limit: "
	    "retiring it"), SUP_ROTATIONS);
	free(l);
	tine_stop(t);
}

/* tine_wait_until condition: the pid arg points at is stopped. */
static int
supervise_is_stopped(void *arg)
{
	return tine_stopped(*(pid_t *)arg);
}

Test(supervise, watchdog_kills_a_stopped_worker, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = tine_setup("watchdog_timeout = 2");
	struct supervise_load	*l;
	struct supervise_pool	 p;
	pid_t			 kids[TINE_MAX_WORKERS], victim;
	char			 want[128];
	long long		 t0, gone;
	int			 ok0, ok1, fresh, i;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_children(t->pid, kids, TINE_MAX_WORKERS), 2);
	victim = kids[0];
	l = supervise_load_start(t, 4, 1000000, 60000);
	supervise_load_more(l, 20, "before the stop");
	ok0 = atomic_load(&l->ok);
	t0 = tine_now_ms();
	cr_assert_eq(kill(victim, SIGSTOP), 0);
	/*
	 * Every load thread may be waiting on a request the victim holds, so
	 * the load alone may serve nothing until the kill; a new connection
	 * made once the victim is stopped can only go to the other worker.
	 */
	cr_expect_eq(tine_wait_until(supervise_is_stopped, &victim, 1000), 0,
	    "worker %d not stopped within 1 s", (int)victim);
	for (i = 0, fresh = 0; i < 5; i++)
		fresh += supervise_fetch(t, "/", TINE_INDEX_BODY, NULL) ==
		    SUP_OK;
	cr_expect_eq(fresh, 5, "%d of 5 new requests served while worker %d "
	    "was stopped", fresh, (int)victim);
	cr_expect_eq(tine_wait_gone(&victim, 1, 5000), 0, "the stopped worker "
	    "%d lives 5 s on with watchdog_timeout = 2", (int)victim);
	gone = tine_now_ms();
	ok1 = atomic_load(&l->ok) + fresh;
	p = (struct supervise_pool){ t, &victim, 1, kids[1], { 0 }, 0 };
	cr_expect_eq(tine_wait_until(supervise_pool_whole, &p, SUP_RESPAWN_MS),
	    0, "no replacement within %d ms of the kill (%d live)",
	    SUP_RESPAWN_MS, p.n);
	snprintf(want, sizeof(want), "worker %d (generation 1) unresponsive "
	    "for ", (int)victim);
	cr_expect_eq(tine_wait_log(t, want, 1, TINE_TIMEOUT_MS), 0, "no \"%s\" "
	    "line", want);
	supervise_load_more(l, 20, "after the watchdog");
	supervise_load_end(l, "watchdog");
	cr_log_info("watchdog: killed after %lld ms; %d requests ok while "
	    "stopped; %d failed in all", gone - t0, ok1 - ok0,
	    atomic_load(&l->fail));
	cr_expect_gt(ok1 - ok0, 0, "nothing served while a worker was stopped");
	/* Only what the stopped worker held can fail: one per client. */
	cr_expect_leq(atomic_load(&l->fail), l->nthreads, "%d requests failed",
	    atomic_load(&l->fail));
	supervise_burst(t, SUP_BURST, "after the watchdog");
	free(l);
	tine_stop(t);
}

/* ---- log reopen ---- */

/* What the access-log wait needs: both files and the lines expected. */
struct supervise_logs {
	const char	*a, *b;
	int		 want;
};

/* Whether both access logs together hold the expected lines. */
static int
supervise_logged(void *arg)
{
	struct supervise_logs	*w = arg;

	return supervise_lines(w->a) + supervise_lines(w->b) >= w->want;
}

/* n requests in a row, the last on last (when set); assert they pass. */
static void
supervise_requests(struct tine *t, int n, const char *last)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (i == n - 1 && last != NULL)
			cr_assert_eq(supervise_fetch(t, last, "last\n", NULL),
			    SUP_OK, "request of %s failed", last);
		else
			cr_assert_eq(supervise_fetch(t, "/", TINE_INDEX_BODY,
			    NULL), SUP_OK, "request %d failed", i);
	}
}

Test(supervise, reopen_loses_no_access_line, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = tine_setup(NULL);
	struct supervise_load	*l;
	struct supervise_logs	 w;
	char			 rotated[TINE_PATH_MAX];
	int			 total, old, fresh;

	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "last.txt", "last\n"), 0);
	cr_assert_eq(tine_start(t), 0);
	supervise_requests(t, 100, NULL);
	l = supervise_load_start(t, 2, 1000000, 60000);
	supervise_load_more(l, 20, "before the rotation");
	tine_path(rotated, t->dir, "access.log.1");
	cr_assert_eq(rename(t->access_log, rotated), 0);
	cr_assert_eq(kill(t->pid, SIGUSR1), 0);
	cr_assert_eq(tine_wait_log(t, "master ready:", 2, TINE_TIMEOUT_MS), 0,
	    "no ready line for the reopen's generation");
	cr_expect_eq(tine_count(t->error_log, "log reopen: starting generation "
	    "2\n"), 1);
	cr_assert_eq(tine_wait_log(t, "generation 1 finished", 1,
	    TINE_TIMEOUT_MS), 0, "generation 1 never finished");
	supervise_load_more(l, 20, "after the reopen");
	supervise_load_clean(l, "log reopen");
	supervise_requests(t, 100, "/last.txt");
	total = 100 + atomic_load(&l->ok) + 100;
	w = (struct supervise_logs){ t->access_log, rotated, total };
	tine_wait_until(supervise_logged, &w, TINE_TIMEOUT_MS);
	old = supervise_lines(rotated);
	fresh = supervise_lines(t->access_log);
	cr_log_info("reopen: %d lines before, %d after, %d requests", old,
	    fresh, total);
	cr_expect_eq(old + fresh, total, "%d + %d access lines for %d "
	    "requests", old, fresh, total);
	cr_expect_geq(old, 100);
	cr_expect_geq(fresh, 100);
	cr_expect_eq(tine_count(t->access_log, "/last.txt"), 1,
	    "the last request is not in the new log");
	cr_expect_eq(tine_count(rotated, "/last.txt"), 0);
	free(l);
	tine_stop(t);
}

/* ---- stops ---- */

Test(supervise, graceful_stop_finishes_slow_download, .fini = tine_teardown,
    .timeout = 90)
{
	struct tine		*t = tine_setup(NULL);
	struct supervise_load	*l;
	struct tine_slow	 s = { .size = SUP_BIG, .rate = SUP_RATE,
				    .chunk = SUP_CHUNK };
	long long		 quit_at = 0, ff;
	int			 status;

	cr_assert_not_null(t);
	cr_assert_eq(tine_put_pattern(t, "big.bin", SUP_BIG), 0);
	cr_assert_eq(tine_start(t), 0);
	l = supervise_load_start(t, 1, 1000000, 60000);
	supervise_load_more(l, 20, "before the download");
	cr_assert_eq(tine_slow_open(&s, t->port, "/big.bin", SUP_RCVBUF), 0);
	while (tine_slow_read(&s) &&
	    tine_now_ms() - s.start < 60000)
		if (quit_at == 0 && s.body > 0) {
			quit_at = tine_now_ms();
			cr_assert_eq(kill(t->pid, SIGQUIT), 0);
			/* New connections are refused from now on. */
			atomic_store(&l->stop, 1);
		}
	close(s.fd);
	cr_log_info("slow download: %zu body bytes in %lld ms", s.body,
	    tine_now_ms() - s.start);
	supervise_load_end(l, "graceful stop");
	cr_assert_neq(quit_at, 0, "no body byte arrived");
	cr_expect_not_null(strstr(s.head, "HTTP/1.1 200 "), "%s", s.head);
	cr_expect(s.eof, "the download did not end with a close");
	cr_expect_eq(s.body, (size_t)SUP_BIG, "%zu of %d bytes arrived", s.body,
	    SUP_BIG);
	cr_expect_eq(s.bad_at, 0, "byte %zu is wrong", s.bad_at - 1);
	ff = atomic_load(&l->first_fail);
	cr_expect(ff == 0 || ff >= quit_at, "a request failed %lld ms before "
	    "the SIGQUIT", quit_at - ff);
	status = tine_wait_exit(t, TINE_TIMEOUT_MS);
	cr_expect_neq(status, -1, "the master did not exit after the download");
	cr_expect(status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "the master's wait status is 0x%x",
	    status);
	cr_expect(supervise_missing(t->pid_file), "the pid file remains");
	cr_expect_eq(tine_count(t->error_log, "master exiting (status 0)"), 1);
	free(l);
	tine_stop(t);
}

Test(supervise, sigterm_under_load, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = tine_setup("workers = 3");
	struct supervise_load	*l;
	pid_t			 kids[TINE_MAX_WORKERS];
	long long		 t0, ff;
	int			 n, left;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	cr_assert_eq(n, 3);
	l = supervise_load_start(t, 3, 1000000, 60000);
	supervise_load_more(l, 50, "before the SIGTERM");
	t0 = tine_now_ms();
	cr_expect_neq(tine_signal_wait(t, SIGTERM, TINE_STOP_MS), -1,
	    "master alive %d ms after SIGTERM", TINE_STOP_MS);
	if ((left = TINE_STOP_MS - (int)(tine_now_ms() - t0)) < 0)
		left = 0;
	cr_expect_eq(tine_wait_gone(kids, n, left), 0, "workers alive %d ms "
	    "after SIGTERM", TINE_STOP_MS);
	supervise_load_end(l, "SIGTERM");
	ff = atomic_load(&l->first_fail);
	cr_expect(ff == 0 || ff >= t0, "a request failed before the SIGTERM");
	cr_expect(supervise_missing(t->pid_file), "the pid file remains");
	cr_expect(tine_port_bindable(t->port), "port %d still taken", t->port);
	free(l);
	tine_stop(t);
}

/* ---- the pid file, the daemon ---- */

/* Run a second `tine ARGS -c conf` of t's; assert it is refused by pid. */
static void
supervise_expect_refused(struct tine *t, struct tine *runner, bool fg)
{
	const char *const	 fgargs[] = { "-f", "-c", t->conf, NULL };
	const char *const	 bgargs[] = { "-c", t->conf, NULL };
	char			*err;
	int			 status;

	status = tine_run(runner, fg ? fgargs : bgargs, TINE_TIMEOUT_MS);
	cr_expect(status > 0, "a second %s instance exited %d",
	    fg ? "foreground" : "daemon", status);
	err = tine_slurp(runner->err, NULL);
	cr_expect(err != NULL && supervise_has_number(err, (long)t->pid),
	    "a second %s instance's stderr does not name pid %d: \"%s\"",
	    fg ? "foreground" : "daemon", (int)t->pid, err ? err : "");
	free(err);
}

Test(supervise, second_instance_is_refused, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = tine_setup(NULL), *runner;
	struct supervise_load	*l;
	pid_t			 before[TINE_MAX_WORKERS], now[TINE_MAX_WORKERS];
	int			 nb, n, i;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	/* Its own stdout and stderr files, not those of the running one. */
	runner = tine_setup(NULL);
	cr_assert_not_null(runner);
	nb = tine_children(t->pid, before, TINE_MAX_WORKERS);
	l = supervise_load_start(t, 2, 1000000, 60000);
	supervise_load_more(l, 20, "before the second start");
	supervise_expect_refused(t, runner, true);
	supervise_expect_refused(t, runner, false);
	supervise_load_more(l, 20, "after the second start");
	supervise_load_clean(l, "second instance");
	cr_expect_eq(supervise_pidfile(t), t->pid, "the pid file changed");
	n = tine_children(t->pid, now, TINE_MAX_WORKERS);
	cr_expect_eq(n, nb);
	for (i = 0; i < n; i++)
		cr_expect(supervise_in(before, nb, now[i]));
	cr_expect_eq(tine_count(t->error_log, "master started"), 1);
	free(l);
	tine_stop(runner);
	tine_stop(t);
}

Test(supervise, daemon_starts_and_stops, .fini = tine_teardown,
    .timeout = 60)
{
	const char *const	 start[] = { "-c", NULL, NULL };
	const char *const	 stop[] = { "-s", "stop", "-c", NULL, NULL };
	struct tine		*t = tine_setup(NULL);
	struct supervise_load	*l;
	pid_t			 pid, kids[TINE_MAX_WORKERS];
	const char		*argv_start[3], *argv_stop[5];
	int			 n;

	cr_assert_not_null(t);
	memcpy(argv_start, start, sizeof(start));
	memcpy(argv_stop, stop, sizeof(stop));
	argv_start[1] = t->conf;
	argv_stop[3] = t->conf;
	cr_assert_eq(tine_run(t, argv_start, TINE_TIMEOUT_MS), 0,
	    "the daemon's start did not exit 0");
	pid = supervise_pidfile(t);
	cr_assert_gt(pid, 1, "no pid in the pid file");
	/* Not our child; t->pid lets the teardown end it if we fail. */
	t->pid = pid;
	cr_expect_eq(tine_count(t->error_log, "master ready:"), 1,
	    "the start returned before the ready line");
	cr_assert_eq(supervise_fetch(t, "/", TINE_INDEX_BODY, NULL), SUP_OK,
	    "not serving right after the start returned");
	n = tine_children(pid, kids, TINE_MAX_WORKERS);
	cr_expect_eq(n, t->workers);
	l = supervise_load_start(t, 2, 1000000, 60000);
	supervise_load_more(l, 50, "in daemon mode");
	supervise_load_clean(l, "daemon");
	cr_expect_eq(tine_run(t, argv_stop, TINE_TIMEOUT_MS), 0,
	    "-s stop failed");
	cr_expect_eq(tine_wait_gone(&pid, 1, TINE_STOP_MS), 0, "the daemon "
	    "lives %d ms after -s stop", TINE_STOP_MS);
	cr_expect_eq(tine_wait_gone(kids, n, TINE_STOP_MS), 0);
	cr_expect(supervise_missing(t->pid_file), "the pid file remains");
	if (!tine_alive(pid))
		t->pid = 0;
	free(l);
	tine_stop(t);
}

/* A listening socket of our own on 127.0.0.1:port; the fd. */
static int
supervise_occupy(int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	int			fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0,
	    "cannot bind port %d: %s", port, strerror(errno));
	cr_assert_eq(listen(fd, 8), 0);
	return fd;
}

Test(supervise, daemon_start_failure_is_reported, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = tine_setup(NULL);
	char			 addr[64], sb[TINE_PATH_MAX], *err;
	int			 fd, status;

	cr_assert_not_null(t);
	fd = supervise_occupy(t->port);
	{
		const char *const	args[] = { "-c", t->conf, NULL };

		status = tine_run(t, args, TINE_TIMEOUT_MS);
	}
	cr_expect(status > 0, "a daemon on a taken port exited %d", status);
	err = tine_slurp(t->err, NULL);
	cr_assert_not_null(err);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", t->port);
	cr_expect_not_null(strstr(err, addr), "stderr does not name %s: %s",
	    addr, err);
	cr_expect_not_null(strstr(err, "Address already in use"), "stderr: %s",
	    err);
	free(err);
	cr_expect(supervise_missing(t->pid_file), "a failed start left its pid "
	    "file");
	/* made before the listeners: the fail path's teardown removes it */
	tine_path(sb, t->dir, "tine.scoreboard");
	cr_expect(supervise_missing(sb), "a failed start left its scoreboard");
	cr_expect_eq(tine_count(t->error_log, "master ready:"), 0);
	close(fd);
	tine_stop(t);
}

/* ---- privileges ---- */

/* The numbers after "key:" in /proc/PID/status into v; their count. */
static int
supervise_status(pid_t pid, const char *key, long *v, int max)
{
	char	 path[64], line[SUP_LINE_MAX], *p, *end;
	FILE	*f;
	int	 n = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (n == -1 && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, strlen(key)) != 0 ||
		    line[strlen(key)] != ':')
			continue;
		n = 0;
		for (p = line + strlen(key) + 1; n < max; p = end) {
			v[n] = strtol(p, &end, 10);
			if (end == p)
				break;
			n++;
		}
	}
	fclose(f);
	return n;
}

/* Whether the two id lists hold the same ids, in any order. */
static bool
supervise_same_ids(const long *a, int na, const gid_t *b, int nb)
{
	int	i, j;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && (gid_t)a[i] != b[j]; j++)
			;
		if (j == nb)
			return false;
	}
	for (j = 0; j < nb; j++) {
		for (i = 0; i < na && (gid_t)a[i] != b[j]; i++)
			;
		if (i == na)
			return false;
	}
	return true;
}

/* Assert a worker runs as pw: every uid and gid, and pw's own groups. */
static void
supervise_expect_user(pid_t pid, const struct passwd *pw, const gid_t *groups,
    int ngroups)
{
	long	v[64];
	int	n, i;

	n = supervise_status(pid, "Uid", v, 4);
	cr_expect_eq(n, 4, "no Uid line for %d", (int)pid);
	for (i = 0; i < n; i++)
		cr_expect_eq(v[i], (long)pw->pw_uid, "worker %d uid %d is %ld",
		    (int)pid, i, v[i]);
	n = supervise_status(pid, "Gid", v, 4);
	cr_expect_eq(n, 4, "no Gid line for %d", (int)pid);
	for (i = 0; i < n; i++)
		cr_expect_eq(v[i], (long)pw->pw_gid, "worker %d gid %d is %ld",
		    (int)pid, i, v[i]);
	n = supervise_status(pid, "Groups", v, 64);
	cr_expect(supervise_same_ids(v, n, groups, ngroups), "worker %d has "
	    "other supplementary groups than %s (%d listed)", (int)pid,
	    pw->pw_name, n);
}

Test(supervise, workers_drop_privileges, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t;
	struct supervise_load	*l;
	struct passwd		*pw;
	gid_t			 groups[64];
	pid_t			 kids[TINE_MAX_WORKERS];
	long			 v[4];
	int			 ngroups = 64, n, i;

	if (geteuid() != 0)
		cr_skip("not root: workers keep the tests' user");
	cr_assert_not_null(pw = getpwnam("www-data"), "no www-data user");
	cr_assert_neq(getgrouplist("www-data", pw->pw_gid, groups, &ngroups),
	    -1);
	t = tine_setup(NULL);
	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	l = supervise_load_start(t, 2, 1000000, 60000);
	supervise_load_more(l, 20, "before the checks");
	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	cr_assert_eq(n, t->workers);
	for (i = 0; i < n; i++)
		supervise_expect_user(kids[i], pw, groups, ngroups);
	cr_expect_eq(supervise_status(t->pid, "Uid", v, 4), 4);
	for (i = 0; i < 4; i++)
		cr_expect_eq(v[i], 0, "the master's uid %d is %ld", i, v[i]);
	supervise_load_clean(l, "privileges");
	free(l);
	tine_stop(t);
}

/*
 * The supervision tests time respawns in milliseconds and count workers in
 * /proc: run them one at a time unless the command line says otherwise.
 */
int
main(int argc, char *argv[])
{
	struct criterion_test_set	*tests = criterion_initialize();
	int				 result = 0;

	criterion_options.jobs = 1;
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}
