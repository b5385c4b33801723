/* pool: spawn, reap, back off and watch the worker processes. */
#include "tine_build.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "pool.h"
#include "worker.h"

#define POOL_EARLY	5	/* s: a death sooner than this backs off */
#define POOL_BACKOFF_CAP 32	/* s: the longest wait between spawns */
#define POOL_HEALTHY	30	/* s without an early death resets the backoff */

/* Map the slots (see pool.h). */
int
pool_create(struct pool *p)
{
	void	*v;

	v = mmap(NULL, POOL_SLOTS * sizeof(*p->v), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v == MAP_FAILED)
		return -1;
	p->v = v;
	return 0;
}

/* Unmap the slots (see pool.h). */
void
pool_destroy(struct pool *p)
{
	if (p->v != NULL)
		munmap(p->v, POOL_SLOTS * sizeof(*p->v));
	p->v = NULL;
}

/* Seconds before the next spawn: the first early death is replaced at once. */
static int
pool_delay(int step)
{
	return step <= 1 ? 0 : step > 7 ? POOL_BACKOFF_CAP : 1 << (step - 2);
}

/* In the child: close what another generation o holds open. */
static void
pool_child_drop(struct generation *o)
{
	size_t	k;

	listen_close(&o->ls);
	for (k = 0; k < o->nroots; k++)
		close(o->root_fds[k]);
	for (k = 0; k < o->naccess; k++)
		if (o->access_fds[k] != -1)
			close(o->access_fds[k]);
	if (o->has_log)
		log_target_close(&o->log);
}

/* In the child: drop what belongs to the master, then become a worker. */
static void __attribute__((noreturn))
pool_child(struct master *m, struct generation *g, int i)
{
	struct worker_env	 env;
	struct generation	*o;
	struct sigaction	 sa;
	int			 s;

	/* Every signal stays blocked (pool_spawn's mask) until the worker's
	 * signalfd takes them: a QUIT sent to a just-forked worker must wait
	 * there, not kill it by its default action. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	for (o = m->gens; o != NULL; o = o->next)
		if (o != g)
			pool_child_drop(o);
	/* A new generation's workers log where its config says at once. */
	if (g->has_log)
		log_target_use(&g->log);
	close(m->wake[0]);
	if (m->ready_fd != -1)
		close(m->ready_fd);
	/* A daemon's workers must not hold the starter's terminal or pipe. */
	if (!m->foreground)
		master_devnull(STDERR_FILENO);
	if (m->pfh != NULL)
		pidfile_close(m->pfh);
	memset(&env, 0, sizeof(env));
	env.conf = g->setup->conf;
	env.mime = g->setup->mime;
	env.tls = g->setup->tls;
	env.filter = g->setup->filter;
	env.ls = &g->ls;
	env.access_fds = g->access_fds;
	env.naccess = g->naccess;
	env.root_fds = g->root_fds;
	env.nroots = g->nroots;
	env.slot = &m->sb.slots[i];
	env.sb = &m->sb;
	env.sb_head = m->sb.head;
	env.generation = g->id;
	env.notify_fd = m->wake[1];
	env.first = g->id == 1 && i == 0;
	worker_main(&env);
}

/* Fork one worker of generation g into a free slot; -1 if none could be. */
static int
pool_spawn(struct master *m, struct generation *g)
{
	sigset_t	 all, old;
	pid_t		 pid;
	int		 i;

	for (i = 0; i < POOL_SLOTS; i++)
		if (m->pool.v[i].pid == 0 && m->sb.slots[i].pid == 0)
			break;
	if (i == POOL_SLOTS) {
		log_error("no free worker slot (%d in use)", POOL_SLOTS);
		return -1;
	}
	scoreboard_take(&m->sb, i);
	m->sb.slots[i].state = SB_STARTING;
	m->sb.slots[i].generation = g->id;
	m->sb.slots[i].started = m->sb.slots[i].heartbeat = scoreboard_now();
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0)
		pool_child(m, g, i);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		log_error("fork: %s", strerror(errno));
		m->sb.slots[i].state = SB_FREE;
		return -1;
	}
	m->sb.slots[i].pid = pid;
	m->pool.v[i] = (struct worker){ .pid = pid, .gen = g,
	    .started = scoreboard_now() };
	log_info("worker %ld started (generation %u)", (long)pid, g->id);
	return 0;
}

/* Which workers of a generation pool_tally() counts. */
enum pool_which {
	POOL_LIVE,		/* every live process */
	POOL_READY,		/* serving, and not told to leave */
	POOL_SERVING		/* not told to leave, not at its request limit */
};

/* Count the workers of gen (NULL: of every generation) that are `which`. */
static int
pool_tally(struct master *m, struct generation *gen, enum pool_which which)
{
	const struct worker	*w;
	int			 i, n = 0, state;

	for (i = 0; i < POOL_SLOTS; i++) {
		w = &m->pool.v[i];
		if (w->pid == 0 || (gen != NULL && w->gen != gen))
			continue;
		/* Only a live worker's slot is read: the free ones are pages
		 * of the scoreboard nobody has touched yet. */
		state = m->sb.slots[i].state;
		if (which == POOL_LIVE || (!w->quitting && (which == POOL_READY ?
		    state == SB_READY : state != SB_LIMIT)))
			n++;
	}
	return n;
}

/* Fork workers until the current generation has its size. */
void
pool_fill(struct master *m)
{
	struct generation	*g = m->gens;
	time_t			 now = scoreboard_now();
	int			 need;

	if (g == NULL || g->failed || g->retiring || now < g->next_spawn)
		return;
	need = g->setup->conf->workers - pool_tally(m, g, POOL_SERVING);
	/* While backing off, one at a time: a broken deployment forks slowly. */
	if (g->backoff > 0 && need > 1)
		need = 1;
	while (need-- > 0)
		if (pool_spawn(m, g) == -1)
			break;
	if (g->backoff > 0)
		g->next_spawn = now + pool_delay(g->backoff);
}

/* "SIGSEGV", or "signal 40" where there is no name (real-time signals). */
static const char *
pool_signame(int sig, char *buf, size_t len)
{
	const char	*abbrev = sigabbrev_np(sig);

	if (abbrev != NULL)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

/* Log a worker's death by a signal; true if it counts as an early failure. */
static bool
pool_log_signal(struct worker *w, int status, time_t lived)
{
	unsigned	gen = w->gen->id;
	long		pid = (long)w->pid;
	int		sig = WTERMSIG(status);
	char		name[32];

	pool_signame(sig, name, sizeof(name));
	if (sig == w->sent) {
		log_notice("worker %ld (generation %u) ended by %s", pid, gen,
		    name);
		return false;
	}
	/* The sandbox's verdict is told apart from a crash; a crash is a
	 * crash, also while the worker was retiring. */
	if (sig == SIGSYS && w->gen->setup->conf->sandbox)
		log_error("worker %ld (generation %u) killed by the sandbox: "
		    "a forbidden system call (SIGSYS) after %lds%s", pid, gen,
		    (long)lived, w->quitting ? " while retiring" : "");
	else
		log_error("worker %ld (generation %u) crashed: %s%s after "
		    "%lds%s", pid, gen, name,
		    WCOREDUMP(status) ? " (core dumped)" : "", (long)lived,
		    w->quitting ? " while retiring" : "");
	return !w->quitting && lived < POOL_EARLY;
}

/* Log how a worker ended; returns true if it counts as an early failure. */
static bool
pool_log_exit(struct worker *w, int status, time_t lived)
{
	unsigned	gen = w->gen->id;
	long		pid = (long)w->pid;

	if (WIFSIGNALED(status))
		return pool_log_signal(w, status, lived);
	switch (WEXITSTATUS(status)) {
	case WORKER_EXIT_OK:
		log_info("worker %ld (generation %u) retired", pid, gen);
		return false;
	case WORKER_EXIT_RESOURCE:
		log_warn("worker %ld (generation %u) short of resources",
		    pid, gen);
		return true;
	case WORKER_EXIT_FATAL:
		log_error("worker %ld (generation %u) cannot run with this "
		    "configuration; not respawning generation %u", pid, gen,
		    gen);
		w->gen->failed = true;
		return false;
	default:
		log_error("worker %ld (generation %u) failed (exit %d) after "
		    "%lds", pid, gen, WEXITSTATUS(status), (long)lived);
		return true;
	}
}

/* Account one death for its generation's backoff. */
static void
pool_backoff(struct worker *w, bool early, time_t now)
{
	struct generation	*g = w->gen;

	if (!early)
		return;
	if (g->retiring)
		return;
	g->backoff++;
	g->last_early = now;
	g->next_spawn = now + pool_delay(g->backoff);
	log_warn("generation %u: backoff step %d, next spawn in %ds", g->id,
	    g->backoff, pool_delay(g->backoff));
}

/* Why the worker of slot i went, as the status page counts restarts;
 * SB_NCAUSES for an exit while the master stops, which is none. */
static int
pool_cause(const struct master *m, int i, int status, time_t now)
{
	const struct worker	*w = &m->pool.v[i];
	const struct sb_slot	*s = &m->sb.slots[i];
	const struct config	*c = w->gen->setup->conf;

	if (m->stopping != MASTER_RUNNING)
		return SB_NCAUSES;
	if (WIFSIGNALED(status))
		return WTERMSIG(status) != w->sent ? SB_EXIT_CRASH :
		    now - s->heartbeat > c->watchdog_timeout ?
		    SB_EXIT_WATCHDOG : SB_EXIT_KILLED;
	switch (WEXITSTATUS(status)) {
	case WORKER_EXIT_OK:
		/* It said SB_LIMIT, then SB_RETIRING once told to go. */
		if (c->max_requests_per_worker > 0 && s->requests >=
		    (uint64_t)c->max_requests_per_worker)
			return SB_EXIT_LIMIT;
		return w->gen->retiring ? SB_EXIT_RELOAD : SB_EXIT_RETIRED;
	case WORKER_EXIT_RESOURCE:
		return SB_EXIT_RESOURCE;
	case WORKER_EXIT_FATAL:
		return SB_EXIT_FATAL;
	default:
		return SB_EXIT_FAILED;
	}
}

/* Reap every exited child, log why it went, and free its slot. */
void
pool_reap(struct master *m)
{
	struct worker	*w;
	time_t		 now = scoreboard_now();
	pid_t		 pid;
	int		 status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < POOL_SLOTS; i++)
			if (m->pool.v[i].pid == pid)
				break;
		if (i == POOL_SLOTS) {
			upgrade_reaped(m, pid);
			continue;
		}
		w = &m->pool.v[i];
		pool_backoff(w, pool_log_exit(w, status, now - w->started),
		    now);
		scoreboard_reaped(&m->sb, i, pool_cause(m, i, status, now));
		memset(w, 0, sizeof(*w));
	}
}

/*
 * Send sig to one worker and remember what it means: QUIT starts its
 * retirement (and its shutdown clock), a fatal one makes its end no crash.
 */
static void
pool_kill(struct worker *w, int sig)
{
	if (sig == SIGQUIT && !w->quitting) {
		w->quitting = true;
		w->quit_at = scoreboard_now();
	} else if (sig == SIGTERM || sig == SIGKILL || sig == SIGINT)
		w->sent = sig;
	kill(w->pid, sig);
}

/* Replace workers at their request limit once their successors serve. */
void
pool_rotate(struct master *m)
{
	struct generation	*g = m->gens;
	int			 i;

	for (i = 0; i < POOL_SLOTS; i++) {
		struct worker	*w = &m->pool.v[i];

		if (w->pid == 0 || w->gen != g || w->quitting ||
		    m->sb.slots[i].state != SB_LIMIT)
			continue;
		if (pool_count_ready(m, g) < g->setup->conf->workers)
			return;
		log_info("worker %ld reached its request limit: retiring it",
		    (long)w->pid);
		pool_kill(w, SIGQUIT);
	}
}

/* Kill workers whose heartbeat stalled or that outstayed a retirement. */
void
pool_watchdog(struct master *m)
{
	time_t	now = scoreboard_now();
	int	i;

	if (m->gens != NULL && m->gens->backoff > 0 &&
	    now - m->gens->last_early >= POOL_HEALTHY) {
		log_notice("generation %u healthy for %ds: backoff reset",
		    m->gens->id, POOL_HEALTHY);
		m->gens->backoff = 0;
	}
	for (i = 0; i < POOL_SLOTS; i++) {
		struct worker		*w = &m->pool.v[i];
		const struct config	*c;

		if (w->pid == 0)
			continue;
		c = w->gen->setup->conf;
		if (now - m->sb.slots[i].heartbeat > c->watchdog_timeout) {
			log_error("worker %ld (generation %u) unresponsive for "
			    "%lds: killing it", (long)w->pid, w->gen->id,
			    (long)(now - m->sb.slots[i].heartbeat));
			pool_kill(w, SIGKILL);
		} else if (w->quitting && c->worker_shutdown_timeout > 0 &&
		    now - w->quit_at > c->worker_shutdown_timeout) {
			log_warn("worker %ld (generation %u) still finishing "
			    "after %ds: killing it", (long)w->pid, w->gen->id,
			    c->worker_shutdown_timeout);
			pool_kill(w, SIGKILL);
		}
	}
}

/* Send sig to every worker of gen (NULL: of every generation). */
void
pool_signal(struct master *m, struct generation *gen, int sig)
{
	int	i;

	for (i = 0; i < POOL_SLOTS; i++) {
		struct worker	*w = &m->pool.v[i];

		if (w->pid == 0 || (gen != NULL && w->gen != gen))
			continue;
		pool_kill(w, sig);
	}
}

/* Live workers of gen (NULL: of all generations). */
int
pool_count(struct master *m, struct generation *gen)
{
	return pool_tally(m, gen, POOL_LIVE);
}

/* Workers of gen that are serving and not on their way out. */
int
pool_count_ready(struct master *m, struct generation *gen)
{
	return pool_tally(m, gen, POOL_READY);
}
