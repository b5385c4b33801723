/* worker: one worker process — privileges, event loop, accept, timers. */
#include "tine_build.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "access.h"
#include "alogbuf.h"
#include "buf.h"
#include "cidr.h"
#include "config.h"
#include "conn.h"
#include "exitcode.h"
#include "fcache.h"
#include "fwatch.h"
#include "limit.h"
#include "listeners.h"
#include "log.h"
#include "realip.h"
#include "sandbox.h"
#include "scoreboard.h"
#include "tls.h"
#include "worker.h"

#define WORKER_EVENTS	256
#define WORKER_ACCEPTS	64	/* most accepts per wake-up, for fairness */
#define WORKER_LINGER	5	/* s to drain a client before closing */
#define WORKER_RETRY_MS	100	/* out of descriptors: accept again after */
#define WORKER_REPORT_MS 1000	/* at most one line a second of refusals */
/* Refusals on PROXY protocol ports, one line each: at most a burst in a
 * while (a client can send bad headers as fast as it connects), as the
 * kernel's printk_ratelimit; then one line of how many were suppressed. */
#define WORKER_SAY_MS	5000
#define WORKER_SAY_BURST 5
#define WORKER_FDS_SPARE 32	/* logs, epoll, signalfd, the docroot ... */
#define WORKER_FDS_MIN	16	/* the file cache keeps at least this many */
#define TAG_SIGNAL	4000	/* epoll tags below any pointer */
#define TAG_FWATCH	4001
#define WORKER_ALOG_QUIET 60	/* s between two lines about a failing access log */
#define WORKER_DRAIN	1	/* s a retiring worker waits for a kept
				 * connection's next request */

/* Whether conf's workers have a user to run as (see worker.h). */
int
worker_ids_check(const struct config *conf, char *err, size_t len)
{
	/* No lookup here: it would load the name service's modules into
	 * the master, and every worker would inherit them. */
	if (geteuid() != 0 || conf->ids.found)
		return 0;
	snprintf(err, len, "user %s does not exist", conf->ids.name);
	return -1;
}

/* Started as root (the master's euid, inherited): switch to the user and
 * groups conf resolved at load; -1 when that is impossible. */
static int
worker_drop(const struct config *conf)
{
	const struct account_ids	*ids = &conf->ids;

	if (geteuid() != 0)
		return 0;
	if (setgroups((size_t)ids->ngroups, ids->groups) == -1 ||
	    setgid(ids->gid) == -1 || setuid(ids->uid) == -1) {
		log_error("cannot switch to user %s: %s", ids->name,
		    strerror(errno));
		return -1;
	}
	if (setuid(0) != -1) {
		log_error("could regain root after switching to %s",
		    ids->name);
		return -1;
	}
	return 0;
}

/*
 * Whether the worker, now unprivileged, may enter its document root. The
 * master opened it as root; a root-only root would answer 403 to every
 * request, so it is a configuration error, said once.
 */
static int
worker_docroot(const struct worker_proc *w)
{
	size_t	i;

	for (i = 0; i < w->nsites; i++)
		if (faccessat(w->sites[i].root_fd, ".", X_OK, AT_EACCESS) ==
		    -1) {
			log_error("document_root %s: %s for the worker's user",
			    w->sites[i].conf->document_root, strerror(errno));
			return -1;
		}
	return 0;
}

/* Close cached descriptors nobody holds, in every cache; how many went. */
size_t
worker_shed_files(struct worker_proc *w)
{
	size_t	i, n = 0;

	for (i = 0; i < w->ncaches; i++)
		n += fcache_shed(w->caches[i]);
	return n;
}

/* A file cache over root_fd typing files as conf says, kept in w->caches;
 * NULL without memory. */
static struct fcache *
worker_cache(struct worker_proc *w, int root_fd,
    const struct config_site *conf)
{
	struct fcache	**v;

	v = reallocarray(w->caches, w->ncaches + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	w->caches = v;
	if ((v[w->ncaches] = fcache_create(root_fd, w->env->mime, conf,
	    &w->fbudget)) == NULL)
		return NULL;
	return v[w->ncaches++];
}

/* A cache for each location of ws that types files otherwise than its
 * site: the site's cache holds heads made by the site's options. */
static int
worker_locations(struct worker_proc *w, struct worker_site *ws)
{
	size_t	i, n = ws->conf->nlocations;

	if ((ws->lcaches = calloc(n + 1, sizeof(*ws->lcaches))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (ws->conf->locations[i].retypes && (ws->lcaches[i] =
		    worker_cache(w, ws->root_fd, &ws->conf->locations[i])) ==
		    NULL)
			return -1;
	return 0;
}

/* Each site's root and file caches; -1 without memory. */
static int
worker_sites(struct worker_proc *w, const struct worker_env *env)
{
	size_t	i;

	if ((w->sites = calloc(env->nroots, sizeof(*w->sites))) == NULL)
		return -1;
	w->fbudget.max = FCACHE_BYTES;	/* for all sites: not each */
	for (i = 0; i < env->nroots; i++, w->nsites++) {
		w->sites[i].conf = &w->conf->sites[i];
		w->sites[i].root_fd = env->root_fds[i];
		w->sites[i].fcache = worker_cache(w, env->root_fds[i],
		    &w->conf->sites[i]);
		if (w->sites[i].fcache == NULL ||
		    worker_locations(w, &w->sites[i]) == -1)
			return -1;
	}
	return 0;
}

/* A multipart boundary no client can predict (it must not occur in the
 * file, and a guessable one would let a file forge part headers). */
static int
worker_boundary(struct worker_proc *w)
{
	unsigned char	rnd[8];
	struct buf	b;
	size_t		i;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		log_error("getrandom: %s", strerror(errno));
		return -1;
	}
	buf_init(&b, w->boundary, sizeof(w->boundary) - 1);
	buf_adds(&b, "tine");
	for (i = 0; i < sizeof(rnd); i++)
		buf_addesc(&b, "", rnd[i], false);
	w->boundary[b.len] = '\0';
	return 0;
}

/* Access-log lines could not be written: count them, and say so at most
 * once a minute, so a full disk neither floods nor hides. */
void
worker_access_failed(struct worker_proc *w, const char *path, int err,
    uint64_t lines)
{
	bool	first = w->alog_lost == 0;

	w->alog_lost += lines;
	/* The first loss is always said; later ones once a minute. */
	if (!first && w->now - w->alog_last < WORKER_ALOG_QUIET)
		return;
	log_error("cannot write the access log%s%s: %s (%llu lines lost so "
	    "far)", path != NULL ? " " : "", path != NULL ? path : "",
	    strerror(err), (unsigned long long)w->alog_lost);
	w->alog_last = w->now;
}

/* One access-log line for log i, buffered: a write(2) per line cost a
 * tenth of the small-file throughput. */
void
worker_access_line(struct worker_proc *w, size_t i, const char *line,
    size_t len)
{
	uint64_t	lost;
	int		err;

	if ((lost = alogbuf_add(w->alog, i, line, len, w->now_ms, &err)) > 0)
		worker_access_failed(w, w->conf->access_logs[i].path, err,
		    lost);
}

/* Write out every buffered access-log line: when the oldest is due, and on
 * every way out (a retirement's old-generation worker so ends its lines in
 * the files it was given, before a reopen's new ones take over). */
static void
worker_access_flush(struct worker_proc *w)
{
	uint64_t	lost;
	size_t		i;
	int		err;

	for (i = 0; i < alogbuf_count(w->alog); i++)
		if ((lost = alogbuf_flush(w->alog, i, &err)) > 0)
			worker_access_failed(w, w->conf->access_logs[i].path,
			    err, lost);
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
	if (w->emfile_retry != 0 && w->emfile_retry - w->now_ms < wait)
		wait = w->emfile_retry - w->now_ms;
	if ((w->refused > 0 || w->shed > 0) && w->report_ms - w->now_ms < wait)
		wait = w->report_ms - w->now_ms;
	/* No wake-up for the access log while its buffers are empty. */
	if (alogbuf_due(w->alog) - w->now_ms < wait)
		wait = alogbuf_due(w->alog) - w->now_ms;
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

/* Add or remove the listeners from the event set, unless they are so. */
static void
worker_listen(struct worker_proc *w, bool on)
{
	struct epoll_event	ev;
	size_t			i;

	if (on == w->listening)
		return;
	w->listening = on;
	for (i = 0; i < w->env->ls->n; i++) {
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = i + 1;
		epoll_ctl(w->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		    w->env->ls->v[i].fd, &ev);
	}
}

/* A connection finished one response: count it, maybe ask for retirement. */
void
worker_request_done(struct worker_proc *w, uint64_t bytes, int status)
{
	struct sb_slot	*slot = w->env->slot;
	long		 max = w->conf->max_requests_per_worker;

	w->requests++;
	slot->requests = w->requests;
	slot->bytes_sent += bytes;
	scoreboard_count(slot, status);
	if (max > 0 && w->requests >= (uint64_t)max && slot->state == SB_READY) {
		/* Ask for a successor first; keep serving until told to go. */
		slot->state = SB_LIMIT;
		worker_notify(w);
	}
}

/* Listen exactly when a new connection could be taken: not stopping, under
 * max_connections, and not waiting for descriptors. Leaving the backlog to
 * the other workers is better than taking and dropping. */
static void
worker_listen_update(struct worker_proc *w)
{
	worker_listen(w, !w->quitting && w->emfile_retry == 0 &&
	    w->nconns < (uint32_t)w->conf->max_connections);
}

/* A connection from the client address key closed. */
void
worker_conn_gone(struct worker_proc *w, const struct limit_key *key)
{
	w->nconns--;
	w->env->slot->connections = w->nconns;
	limit_del(w->limit, key);
	/* A descriptor is free: worth another accept at once. */
	w->emfile_retry = 0;
	worker_listen_update(w);
}

/*
 * accept failed for want of descriptors. A level-triggered listener would
 * wake us again at once, so stop listening until a connection closes or a
 * short timer fires; one line when the episode begins, one when it ends.
 */
static void
worker_emfile(struct worker_proc *w, int err)
{
	if (w->emfile_since == 0) {
		w->emfile_since = w->now_ms;
		w->emfile_fails = 0;
		log_error("accept: %s: not accepting until a connection closes "
		    "(or every %d ms); see max_open_files", strerror(err),
		    WORKER_RETRY_MS);
	}
	w->emfile_fails++;
	w->emfile_retry = w->now_ms + WORKER_RETRY_MS;
	worker_listen(w, false);
}

/* The backlog is drained: a descriptor episode, if any, is over. */
static void
worker_emfile_end(struct worker_proc *w)
{
	if (w->emfile_since == 0)
		return;
	log_notice("accept: accepting again after %lld ms and %llu refused "
	    "accepts", (long long)(w->now_ms - w->emfile_since),
	    (unsigned long long)w->emfile_fails);
	w->emfile_since = 0;
}

/* The max_connections_per_ip a peer is held to at accept: none for a
 * trusted proxy, whose connections carry many clients (after a PROXY
 * header they are counted under the client's address, in conn). */
static uint32_t
worker_per_ip(const struct worker_proc *w, const struct sockaddr_storage *ss)
{
	const struct config	*conf = w->conf;
	struct cidr_addr	 a;

	if (conf->ntrusted_proxies > 0 && cidr_addr_from((const void *)ss,
	    &a) == 0 && realip_trusted(conf->trusted_proxies,
	    conf->ntrusted_proxies, &a))
		return 0;
	return (uint32_t)conf->max_connections_per_ip;
}

/* Take an accepted socket, unless its address has max_connections_per_ip
 * here already: then close it at once, without a word. It has TCP_NODELAY
 * from the listener (listen_options). */
static void
worker_admit(struct worker_proc *w, int fd, const struct sockaddr_storage *ss,
    const struct listener *l)
{
	struct limit_key	key;

	limit_key(ss, &key);
	if (limit_add(w->limit, &key, worker_per_ip(w, ss)) == -1) {
		close(fd);
		w->refused++;
		w->refused_key = key;
		return;
	}
	if (conn_new(w, fd, ss, &key, l->port, l->tls ? w->tls : NULL,
	    l->proxy) == -1)
		limit_del(w->limit, &key);
	w->env->slot->connections = w->nconns;
}

/*
 * Accept what is waiting on listener i, at most w->accepts: a batch that
 * ends in EAGAIN costs a call, so the next is as big as this one found,
 * and one that filled up on a busy wake-up (other events with it) doubles
 * the next. A lone wake-up is one client at a time: doubling there made
 * every other one end in EAGAIN. What is left makes epoll report the
 * listener again at once. In a descriptor episode it accepts a whole
 * backlog and more, as only the EAGAIN says the episode is over (a batch
 * cut at WORKER_ACCEPTS could take the last client without seeing it,
 * and the end would wait for the next one), or until descriptors run out
 * again. Still a bound: a socket refused at once (max_connections_per_ip)
 * frees its descriptor, and clients that keep coming must not hold the
 * worker in this loop.
 */
static void
worker_accept(struct worker_proc *w, size_t i, bool busy)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, n, err, max;

	max = w->emfile_since != 0 ? w->conf->backlog + WORKER_ACCEPTS :
	    w->accepts;
	for (n = 0; n < max && w->listening; n++) {
		len = sizeof(ss);
		fd = accept4(w->env->ls->v[i].fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			err = errno;
			if (err == EAGAIN) {
				w->accepts = n > 1 ? n : 1;
				worker_emfile_end(w);
			}
			if (err != EMFILE && err != ENFILE)
				return;
			/* Cached files give way to clients; else wait. */
			if (worker_shed_files(w) == 0)
				worker_emfile(w, err);
			continue;
		}
		worker_admit(w, fd, &ss, &w->env->ls->v[i]);
		worker_listen_update(w);
	}
	if (busy && n == w->accepts && w->accepts < WORKER_ACCEPTS)
		w->accepts *= 2;
}

/* Near max_connections, make room before new clients must wait: close the
 * oldest lingering, then idle keep-alive, then too slow request heads (as
 * nginx reuses its keep-alive connections when it runs short). */
static void
worker_shed(struct worker_proc *w)
{
	static const enum timer_kind	 order[] = { TIMER_LINGER,
	    TIMER_KEEPALIVE, TIMER_HEADER };
	uint32_t			 max = (uint32_t)w->conf->max_connections;
	struct timer			*head, *t;
	size_t				 k;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		head = &w->lists[order[k]];
		while (w->nconns > max - max / 10 && (t = head->next) != head &&
		    conn_shed(t))
			w->shed++;
	}
}

/* Once the while of a burst of PROXY refusals is over: how many were not
 * logged, and a new while begins. */
static void
worker_proxy_report(struct worker_proc *w)
{
	if (w->now_ms - w->proxy_since < WORKER_SAY_MS)
		return;
	if (w->proxy_unsaid > 0)
		log_info("%u more connections refused on PROXY protocol ports "
		    "in %d s: suppressed", w->proxy_unsaid,
		    (int)((w->now_ms - w->proxy_since) / 1000));
	w->proxy_since = w->now_ms;
	w->proxy_said = w->proxy_unsaid = 0;
}

/* May a refusal on a PROXY protocol port be logged? The first
 * WORKER_SAY_BURST of a while; the rest are counted. */
bool
worker_proxy_say(struct worker_proc *w)
{
	worker_proxy_report(w);
	if (w->proxy_said >= WORKER_SAY_BURST) {
		w->proxy_unsaid++;
		return false;
	}
	w->proxy_said++;
	return true;
}

/* Say, at most once a second, what was refused or closed for room: the
 * first at once, then what came in the next second, and so on. */
static void
worker_report(struct worker_proc *w)
{
	char	name[INET6_ADDRSTRLEN + 4];

	worker_proxy_report(w);
	if ((w->refused == 0 && w->shed == 0) || w->now_ms < w->report_ms)
		return;
	if (w->refused > 0)
		log_info("refused %u connections over max_connections_per_ip "
		    "(%d), the last from %s", w->refused,
		    w->conf->max_connections_per_ip, limit_name(&w->refused_key,
		    name, sizeof(name)));
	if (w->shed > 0)
		log_info("near max_connections (%d): closed %u idle or slow "
		    "connections", w->conf->max_connections, w->shed);
	w->refused = w->shed = 0;
	w->report_ms = w->now_ms + WORKER_REPORT_MS;
}

/* The limits that follow from the config and RLIMIT_NOFILE: the per-address
 * table, and the file cache's share of the descriptors. */
static int
worker_limits(struct worker_proc *w)
{
	const struct config	*conf = w->conf;
	struct rlimit		 rl;
	rlim_t			 fds = WORKER_FDS_MIN, need;
	size_t			 i;

	if ((w->limit = limit_create((uint32_t)conf->max_connections)) == NULL)
		return -1;
	need = (rlim_t)conf->max_connections + w->env->ls->n +
	    w->env->naccess + WORKER_FDS_SPARE;
	/* What connections and the rest may need is not the cache's. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > need +
	    WORKER_FDS_MIN)
		fds = rl.rlim_cur - need;
	/* Each cache (a site's, a location's) gets an equal share. */
	for (i = 0; i < w->ncaches; i++)
		fcache_set_maxfds(w->caches[i], (size_t)fds / w->ncaches >
		    WORKER_FDS_MIN ? (size_t)fds / w->ncaches : WORKER_FDS_MIN);
	return 0;
}

/*
 * QUIT: stop accepting, finish the responses in flight, and give each idle
 * keep-alive connection a short grace for its next request (answered with
 * close): closing it at once races with a request already on its way.
 * Run between event batches, so no pending event names a closed conn.
 */
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
	log_info("worker %ld retiring; open connections: %u", (long)w->pid,
	    w->nconns);
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

/* Fast stop: every request in progress leaves its access-log line, as one
 * its client cut short would; one step per connection, no I/O but the log. */
static void
worker_stop(struct worker_proc *w)
{
	struct timer	*t;
	int		 k;

	for (k = 0; k < TIMER_N; k++)
		for (t = w->lists[k].next; t != &w->lists[k]; t = t->next)
			conn_stop(t);
}

/* Read one signal from the signalfd and act on it. */
static void
worker_signal(struct worker_proc *w)
{
	struct signalfd_siginfo	si;

	while (read(w->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGQUIT)
			w->quit_asked = true;
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			/* A fast stop drops connections, not log lines. */
			worker_stop(w);
			worker_access_flush(w);
			_exit(WORKER_EXIT_OK);
		}
	}
}

/*
 * One inotify for every cache, in the event set, so that a file replaced
 * or removed is forgotten before the next request for it; without one
 * (the kernel's limits) the caches revalidate each second.
 */
static int
worker_fwatch(struct worker_proc *w)
{
	struct epoll_event	ev;
	size_t			i;

	if ((w->fwatch = fwatch_create()) == NULL)
		return 0;
	ev.events = EPOLLIN;
	ev.data.u64 = TAG_FWATCH;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fwatch_fd(w->fwatch), &ev) ==
	    -1)
		return -1;
	for (i = 0; i < w->ncaches; i++)
		fcache_set_watch(w->caches[i], w->fwatch);
	return 0;
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
	if ((sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		return -1;
	w->sigfd = sfd;
	ev.events = EPOLLIN;
	ev.data.u64 = TAG_SIGNAL;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, sfd, &ev) == -1)
		return -1;
	/* Blocked since fork (pool_child): from now on these wait in the
	 * descriptor, and the others act as they would. */
	return sigprocmask(SIG_SETMASK, &set, NULL);
}

/* The timer lists, empty, and how long each kind of wait may last. */
static void
worker_timers(struct worker_proc *w)
{
	int	k;

	for (k = 0; k < TIMER_N; k++) {
		w->lists[k].next = w->lists[k].prev = &w->lists[k];
		w->lists[k].kind = -1;
	}
	w->durations[TIMER_HEADER] = w->conf->header_timeout;
	w->durations[TIMER_KEEPALIVE] = w->conf->keepalive_timeout;
	w->durations[TIMER_SEND] = w->conf->send_timeout;
	w->durations[TIMER_LINGER] = WORKER_LINGER;
	w->durations[TIMER_RATE] = 1;	/* a slow head is judged each second */
	/* Always within keepalive_timeout, which a client may count on. */
	w->durations[TIMER_DRAIN] = WORKER_DRAIN < w->conf->keepalive_timeout ?
	    WORKER_DRAIN : w->conf->keepalive_timeout;
}

/* Everything before the first accept; returns an exit code or 0. */
static int
worker_init(struct worker_proc *w, const struct worker_env *env)
{
	w->env = env;
	w->conf = env->conf;
	if (worker_drop(env->conf) == -1)
		return WORKER_EXIT_FATAL;
	/* After the uid change, which would clear it. */
	prctl(PR_SET_PDEATHSIG, SIGQUIT);
	if (worker_sites(w, env) == -1) {
		log_error("worker setup: %s", strerror(errno));
		return WORKER_EXIT_RESOURCE;
	}
	if (worker_docroot(w) == -1)
		return WORKER_EXIT_FATAL;
	if (worker_boundary(w) == -1 || (w->access = access_create()) == NULL)
		return WORKER_EXIT_RESOURCE;
	if (env->tls != NULL && (w->tls = tls_worker_new(env->tls)) == NULL) {
		log_error("worker setup: %s", strerror(errno));
		return WORKER_EXIT_RESOURCE;
	}
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    worker_signals(w) == -1 || worker_fwatch(w) == -1) {
		log_error("worker setup: %s", strerror(errno));
		return WORKER_EXIT_RESOURCE;
	}
	if (worker_limits(w) == -1 || (w->alog = alogbuf_create(
	    env->access_fds, env->naccess)) == NULL) {
		log_error("worker setup: %s", strerror(errno));
		return WORKER_EXIT_RESOURCE;
	}
	/* Last: everything above opens or asks what the sandbox forbids. */
	if (w->conf->sandbox &&
	    sandbox_enter(env->filter, env->root_fds, env->nroots,
	    env->first) == -1)
		return WORKER_EXIT_FATAL;
	worker_timers(w);
	w->accepts = 1;
	worker_clock(w);
	worker_listen(w, true);
	return 0;
}

/* Dispatch one batch of events. */
static void
worker_events(struct worker_proc *w, struct epoll_event *ev, int n)
{
	bool	changed = false;
	int	i;

	for (i = 0; i < n; i++)
		if (ev[i].data.u64 == TAG_FWATCH)
			changed = true;
	/*
	 * Changed files first: a request of this batch may be for one. A
	 * full batch may have left the watch's event for the next while a
	 * request sent after the change is in this one (a socket that stayed
	 * ready keeps its place in epoll's queue, ahead of the watch): then
	 * read the watch anyway, a read that finds nothing at worst.
	 */
	if (w->fwatch != NULL && (changed || n == WORKER_EVENTS))
		fwatch_read(w->fwatch);
	for (i = 0; i < n; i++) {
		if (ev[i].data.u64 == TAG_FWATCH)
			continue;
		if (ev[i].data.u64 == TAG_SIGNAL)
			worker_signal(w);
		else if (ev[i].data.u64 <= w->env->ls->n)
			worker_accept(w, (size_t)ev[i].data.u64 - 1, n > 1);
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
		worker_shed(&w);
		if (w.emfile_retry != 0 && w.now_ms >= w.emfile_retry)
			w.emfile_retry = 0;
		worker_listen_update(&w);
		worker_report(&w);
		if (w.now_ms >= alogbuf_due(w.alog))
			worker_access_flush(&w);
		env->slot->heartbeat = w.now;
		if (w.quitting && w.nconns == 0)
			break;
	}
	worker_access_flush(&w);
	alogbuf_free(w.alog);
	for (n = 0; n < (int)w.ncaches; n++)
		fcache_destroy(w.caches[n]);
	fwatch_destroy(w.fwatch);
	for (n = 0; n < (int)w.nsites; n++)
		free(w.sites[n].lcaches);
	free(w.caches);
	free(w.sites);
	limit_destroy(w.limit);
	access_destroy(w.access);
	tls_worker_free(w.tls);
	_exit(WORKER_EXIT_OK);
}
