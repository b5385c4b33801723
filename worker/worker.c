/* worker: one worker process — privileges, event loop, accept, timers. */
#include "tine_build.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
#include "fcache.h"
#include "listen.h"
#include "log.h"
#include "pool.h"
#include "sandbox.h"
#include "scoreboard.h"
#include "worker.h"

#define WORKER_EVENTS	256
#define WORKER_ACCEPTS	64	/* accepts per wake-up, for fairness */
#define WORKER_LINGER	5	/* s to drain a client before closing */
#define TAG_SIGNAL	4000	/* epoll tags below any pointer */

/* Switch to the configured user and group; -1 when that is impossible. */
static int
worker_drop(const struct config *conf)
{
	const char	*name = conf->user;
	struct passwd	*pw;
	struct group	*gr;
	gid_t		 gid;

	if (geteuid() != 0)
		return 0;
	if (name == NULL)
		name = getpwnam("www-data") != NULL ? "www-data" : "nobody";
	if ((pw = getpwnam(name)) == NULL) {
		log_error("user %s does not exist", name);
		return -1;
	}
	gid = pw->pw_gid;
	if (conf->group != NULL) {
		if ((gr = getgrnam(conf->group)) == NULL) {
			log_error("group %s does not exist", conf->group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (initgroups(name, gid) == -1 || setgid(gid) == -1 ||
	    setuid(pw->pw_uid) == -1) {
		log_error("cannot switch to user %s: %s", name, strerror(errno));
		return -1;
	}
	if (setuid(0) != -1) {
		log_error("could regain root after switching to %s", name);
		return -1;
	}
	return 0;
}

/* Refresh the clocks and the cached Date value. */
static void
worker_clock(struct worker_proc *w)
{
	struct timespec	ts;
	time_t		wall = time(NULL);

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	w->now = ts.tv_sec;
	w->now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (wall != w->wall) {
		w->wall = wall;
		date_format(wall, w->date);
	}
}

/* (Re)arm t in the list of kind: its deadline is now + that duration. */
void
worker_timer_set(struct worker_proc *w, struct timer *t, enum timer_kind kind)
{
	struct timer	*head = &w->lists[kind];

	worker_timer_clear(t);
	t->kind = (int)kind;
	t->deadline = w->now_ms + (int64_t)w->durations[kind] * 1000;
	t->prev = head->prev;
	t->next = head;
	head->prev->next = t;
	head->prev = t;
}

/* Take t out of whatever list it is in. */
void
worker_timer_clear(struct timer *t)
{
	if (t->kind == -1)
		return;
	t->prev->next = t->next;
	t->next->prev = t->prev;
	t->prev = t->next = NULL;
	t->kind = -1;
}

/* Expire the heads of every list whose deadline has passed. */
static void
worker_sweep(struct worker_proc *w)
{
	struct timer	*head, *t;
	int		 k;

	for (k = 0; k < TIMER_N; k++) {
		head = &w->lists[k];
		while ((t = head->next) != head && w->now_ms >= t->deadline)
			conn_timeout(t);
	}
}

/* Milliseconds epoll may sleep: until the first deadline, at most 1 s (the
 * heartbeat). Each list is in deadline order, so its head is its first. */
static int
worker_wait_ms(const struct worker_proc *w)
{
	int64_t	wait = 1000;
	int	k;

	for (k = 0; k < TIMER_N; k++) {
		const struct timer	*t = w->lists[k].next;

		if (t != &w->lists[k] && t->deadline - w->now_ms < wait)
			wait = t->deadline - w->now_ms;
	}
	/* The coarse clock ticks in a few ms: do not wake just before it. */
	return wait < 0 ? 0 : (int)wait + 5;
}

/* Tell the master something changed in our slot. */
static void
worker_notify(struct worker_proc *w)
{
	if (write(w->env->notify_fd, "w", 1) == -1) {
		/* a full pipe means the master is awake already */
	}
}

/* Add or remove the listeners from the event set. */
static void
worker_listen(struct worker_proc *w, bool on)
{
	struct epoll_event	ev;
	size_t			i;

	for (i = 0; i < w->env->ls->n; i++) {
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = i + 1;
		epoll_ctl(w->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		    w->env->ls->v[i].fd, &ev);
	}
}

/* A connection finished one response: count it, maybe ask for retirement. */
void
worker_request_done(struct worker_proc *w, uint64_t bytes)
{
	struct sb_slot	*slot = w->env->slot;
	long		 max = w->conf->max_requests_per_worker;

	w->requests++;
	slot->requests = w->requests;
	slot->bytes_sent += bytes;
	if (max > 0 && w->requests >= (uint64_t)max && slot->state == SB_READY) {
		/* Ask for a successor first; keep serving until told to go. */
		slot->state = SB_LIMIT;
		worker_notify(w);
	}
}

/* A connection closed. */
void
worker_conn_gone(struct worker_proc *w)
{
	w->nconns--;
	w->env->slot->connections = w->nconns;
	if (w->paused && !w->quitting) {
		w->paused = false;
		worker_listen(w, true);
	}
}

/* Accept what is waiting on listener i. */
static void
worker_accept(struct worker_proc *w, size_t i)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, n, on = 1;

	for (n = 0; n < WORKER_ACCEPTS && !w->quitting; n++) {
		if (w->nconns >= (uint32_t)w->conf->max_connections) {
			/* Leave the backlog to other workers until one closes. */
			worker_listen(w, false);
			w->paused = true;
			return;
		}
		len = sizeof(ss);
		fd = accept4(w->env->ls->v[i].fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE)
				log_error("accept: %s", strerror(errno));
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		conn_new(w, fd, &ss, w->env->ls->v[i].port);
		w->env->slot->connections = w->nconns;
	}
}

/* QUIT: stop accepting, close idle keep-alive connections, finish the rest.
 * Run between event batches, so no pending event names a closed conn. */
static void
worker_quit(struct worker_proc *w)
{
	struct timer	*head = &w->lists[TIMER_KEEPALIVE], *t, *next;
	size_t		 i;

	w->quit_asked = false;
	if (w->quitting)
		return;
	w->quitting = true;
	w->env->slot->state = SB_RETIRING;
	if (!w->paused)
		worker_listen(w, false);
	for (i = 0; i < w->env->ls->n; i++)
		close(w->env->ls->v[i].fd);
	/* New connections still waiting for their first request are kept:
	 * it is on its way, and header_timeout bounds the wait. */
	for (t = head->next; t != head; t = next) {
		next = t->next;
		conn_quit_idle(t);
	}
}

/* Read one signal from the signalfd and act on it. */
static void
worker_signal(struct worker_proc *w)
{
	struct signalfd_siginfo	si;

	while (read(w->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGQUIT)
			w->quit_asked = true;
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			_exit(WORKER_EXIT_OK);
	}
}

/* Signals come through a descriptor so the loop handles them in order. */
static int
worker_signals(struct worker_proc *w)
{
	struct epoll_event	ev;
	sigset_t		set;
	int			sfd;

	sigemptyset(&set);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		return -1;
	w->sigfd = sfd;
	ev.events = EPOLLIN;
	ev.data.u64 = TAG_SIGNAL;
	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, sfd, &ev);
}

/* Everything before the first accept; returns an exit code or 0. */
static int
worker_init(struct worker_proc *w, const struct worker_env *env)
{
	int	k;

	w->env = env;
	w->conf = env->conf;
	if (worker_drop(w->conf) == -1)
		return WORKER_EXIT_FATAL;
	/* After the uid change, which would clear it. */
	prctl(PR_SET_PDEATHSIG, SIGQUIT);
	w->docroot_fd = env->docroot_fd;
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    worker_signals(w) == -1 || (w->fcache = fcache_create(w->docroot_fd,
	    env->mime, w->conf->default_type)) == NULL) {
		log_error("worker setup: %s", strerror(errno));
		return WORKER_EXIT_RESOURCE;
	}
	if (w->conf->sandbox &&
	    sandbox_enter(w->conf, w->docroot_fd, env->first) == -1)
		return WORKER_EXIT_FATAL;
	for (k = 0; k < TIMER_N; k++) {
		w->lists[k].next = w->lists[k].prev = &w->lists[k];
		w->lists[k].kind = -1;
	}
	w->durations[TIMER_HEADER] = w->conf->header_timeout;
	w->durations[TIMER_KEEPALIVE] = w->conf->keepalive_timeout;
	w->durations[TIMER_SEND] = w->conf->send_timeout;
	w->durations[TIMER_LINGER] = WORKER_LINGER;
	snprintf(w->boundary, sizeof(w->boundary), "tine%08lx%08lx",
	    (unsigned long)getpid(), (unsigned long)random());
	worker_clock(w);
	worker_listen(w, true);
	return 0;
}

/* Dispatch one batch of events. */
static void
worker_events(struct worker_proc *w, struct epoll_event *ev, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (ev[i].data.u64 == TAG_SIGNAL)
			worker_signal(w);
		else if (ev[i].data.u64 <= w->env->ls->n)
			worker_accept(w, (size_t)ev[i].data.u64 - 1);
		else
			conn_event(ev[i].data.ptr, ev[i].events);
	}
}

/* Become a worker; never returns. */
void
worker_main(const struct worker_env *env)
{
	struct worker_proc	w;
	struct epoll_event	ev[WORKER_EVENTS];
	int			n, code;

	memset(&w, 0, sizeof(w));
	w.pid = getpid();
	setproctitle("-tine: worker process (generation %u)", env->generation);
	if ((code = worker_init(&w, env)) != 0)
		_exit(code);
	env->slot->heartbeat = scoreboard_now();
	env->slot->state = SB_READY;
	worker_notify(&w);
	for (;;) {
		n = epoll_wait(w.epfd, ev, WORKER_EVENTS, worker_wait_ms(&w));
		worker_clock(&w);
		if (n > 0)
			worker_events(&w, ev, n);
		if (w.quit_asked)
			worker_quit(&w);
		worker_sweep(&w);
		env->slot->heartbeat = w.now;
		if (w.quitting && w.nconns == 0)
			break;
	}
	fcache_destroy(w.fcache);
	_exit(WORKER_EXIT_OK);
}
