/* master: the supervising process's signal loop, generations and reload. */
#include "tine_build.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "mime.h"
#include "sandbox.h"
#include "tls_load.h"

#define MASTER_TICK_MS		1000
#define MASTER_TERM_POLL_MS	100	/* while a fast stop waits for its workers */
#define MASTER_TERM_GRACE	1	/* s before stragglers of a fast stop are killed */
#define MASTER_KILL_AGAIN	60	/* s before SIGKILL is sent again */

/* The handler's only way to the state it records into. */
static struct master *master_self;

/* Record a signal and wake the loop; nothing else happens here. */
static void
master_signal(int sig)
{
	int	saved = errno;

	switch (sig) {
	case SIGHUP:	master_self->sig_hup = 1; break;
	case SIGUSR1:	master_self->sig_usr1 = 1; break;
	case SIGUSR2:	master_self->sig_usr2 = 1; break;
	case SIGQUIT:	master_self->sig_quit = 1; break;
	case SIGTERM:
	case SIGINT:	master_self->sig_term = 1; break;
	case SIGCHLD:	break;	/* waking the loop is enough: it reaps */
	}
	if (write(master_self->wake[1], "s", 1) == -1) {
		/* the pipe is full: the loop is awake already */
	}
	errno = saved;
}

/* Install the handlers; SIGPIPE is ignored (sockets report EPIPE). */
static int
master_signals(struct master *m)
{
	static const int	 sigs[] = { SIGHUP, SIGUSR1, SIGQUIT, SIGTERM,
	    SIGINT, SIGCHLD, SIGUSR2 };
	struct sigaction	 sa;
	size_t			 i;

	master_self = m;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = master_signal;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* Write a start's verdict to fd: '0', or '1' and why, cut to one read. */
void
master_verdict(int fd, int status, const char *why)
{
	char	buf[512];
	int	n;

	n = snprintf(buf, sizeof(buf), "%c%s", status == 0 ? '0' : '1',
	    why != NULL ? why : "");
	if (n < 0)
		return;
	if (write(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n :
	    sizeof(buf) - 1) == -1) {
		/* the reader is gone, or reads EOF: "exited during start-up" */
	}
}

/* Tell the daemon's starting process how the start went (once). */
void
master_report_start(struct master *m, int status, const char *why)
{
	if (m->ready_fd == -1)
		return;
	master_verdict(m->ready_fd, status, why);
	close(m->ready_fd);
	m->ready_fd = -1;
	/* The daemon's stderr was kept for start errors only. */
	if (status == 0 && !m->foreground)
		master_devnull(STDERR_FILENO);
}

/* Point descriptor target at /dev/null (stdin, stdout or stderr). */
void
master_devnull(int target)
{
	int	fd;

	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return;
	if (fd != target) {
		dup2(fd, target);
		close(fd);
	}
}

/* Drop a reference to a setup; the last one frees it. */
static void
master_setup_unref(struct setup *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	tls_conf_free(s->tls);
	sandbox_filter_free(s->filter);
	config_free(s->conf);
	mime_free(s->mime);
	free(s);
}

/* Open one access log of a config for a new generation (created as
 * log_file_open() says, of group gid); -1 on error. */
static int
master_access_fd(const struct master *m, const struct config_access_log *log,
    gid_t gid, int *fd, char *err, size_t len)
{
	enum config_log_dest	 dest = log->dest;
	const char		*path = log->path;

	*fd = -1;
	if (dest == CONFIG_LOG_DEFAULT && !m->foreground) {
		dest = CONFIG_LOG_FILE;
		path = LOCALSTATEDIR "/log/tine/access.log";
	}
	switch (dest) {
	case CONFIG_LOG_FILE:
		if ((*fd = log_file_open(path, gid)) == -1) {
			snprintf(err, len, "cannot open access log %s: %s",
			    path, strerror(errno));
			return -1;
		}
		return 0;
	case CONFIG_LOG_DEFAULT:
	case CONFIG_LOG_STDOUT:
		*fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
		return 0;
	case CONFIG_LOG_STDERR:
		*fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
		return 0;
	default:
		return 0;
	}
}

/* Close the access logs a generation opened. */
static void
master_access_close(struct generation *g)
{
	size_t	i;

	for (i = 0; i < g->naccess; i++)
		if (g->access_fds[i] != -1)
			close(g->access_fds[i]);
	free(g->access_fds);
	g->access_fds = NULL;
	g->naccess = 0;
}

/*
 * Open every access log of a config, one descriptor per distinct one (sites
 * share them by index): a generation owns its logs, so a reopen's new
 * generation opens the files anew while the old one finishes in the old.
 */
static int
master_access_open(const struct master *m, struct generation *g,
    const struct config *conf, char *err, size_t len)
{
	size_t	i;

	if ((g->access_fds = calloc(conf->naccess_logs,
	    sizeof(*g->access_fds))) == NULL) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	for (i = 0; i < conf->naccess_logs; i++, g->naccess++)
		if (master_access_fd(m, &conf->access_logs[i], conf->log_gid,
		    &g->access_fds[i], err, len) == -1) {
			master_access_close(g);
			return -1;
		}
	return 0;
}

/* Close the document roots a generation opened. */
static void
master_roots_close(struct generation *g)
{
	size_t	i;

	for (i = 0; i < g->nroots; i++)
		if (g->root_fds[i] != -1)
			close(g->root_fds[i]);
	free(g->root_fds);
	free(g->roots_seen);
	g->root_fds = NULL;
	g->roots_seen = NULL;
	g->nroots = 0;
}

/* Open every site's document root (as root: workers need no path to it),
 * as written: a symlink in it leads to today's release. */
static int
master_roots_open(struct generation *g, const struct config *conf, char *err,
    size_t len)
{
	size_t	i;

	if ((g->root_fds = calloc(conf->nsites, sizeof(*g->root_fds))) ==
	    NULL || (g->roots_seen = calloc(conf->nsites,
	    sizeof(*g->roots_seen))) == NULL) {
		free(g->root_fds);
		g->root_fds = NULL;
		snprintf(err, len, "out of memory");
		return -1;
	}
	for (i = 0; i < conf->nsites; i++, g->nroots++) {
		g->root_fds[i] = open(conf->sites[i].root_path, O_PATH |
		    O_DIRECTORY | O_CLOEXEC);
		if (g->root_fds[i] == -1) {
			snprintf(err, len, "document_root %s: %s",
			    conf->sites[i].root_path, strerror(errno));
			master_roots_close(g);
			return -1;
		}
	}
	return 0;
}

/*
 * Make a new current generation from setup, taking over the listening
 * sockets of the current one where the addresses match. The old one stays
 * in the list, serving, until the new one is ready.
 */
static int
master_generation(struct master *m, struct setup *setup, char *err, size_t len)
{
	struct generation	*g;
	struct listeners	*keep = m->gens != NULL ? &m->gens->ls :
	    &m->up.inherited;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	if (master_roots_open(g, setup->conf, err, len) == -1) {
		free(g);
		return -1;
	}
	if (master_access_open(m, g, setup->conf, err, len) == -1) {
		master_roots_close(g);
		free(g);
		return -1;
	}
	if (log_target_open(setup->conf, m->foreground, &g->log, err, len) ==
	    -1 || listen_open(&g->ls, keep, setup->conf, err, len) == -1) {
		log_target_close(&g->log);
		master_access_close(g);
		master_roots_close(g);
		free(g);
		return -1;
	}
	g->has_log = true;
	g->id = ++m->next_gen;
	g->setup = setup;
	setup->refs++;
	g->next = m->gens;
	m->gens = g;
	return 0;
}

/* Unlink and free a generation that has no worker left. */
static void
master_generation_free(struct master *m, struct generation *g)
{
	struct generation	**p;

	for (p = &m->gens; *p != NULL; p = &(*p)->next)
		if (*p == g) {
			*p = g->next;
			break;
		}
	listen_close(&g->ls);
	master_access_close(g);
	if (g->has_log)
		log_target_close(&g->log);
	master_roots_close(g);
	master_setup_unref(g->setup);
	free(g);
}

/* Build a setup (config, MIME table, the workers' seccomp filter,
 * certificates) around a freshly loaded config; the ticket keys of the
 * generation serving carry over. */
static struct setup *
master_setup(struct master *m, struct config *conf, char *err, size_t len)
{
	struct setup	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, len, "out of memory");
		config_free(conf);
		return NULL;
	}
	s->refs = 1;
	s->conf = conf;
	if ((s->mime = mime_load(conf->mime_types, err, len)) == NULL) {
		config_free(conf);
		free(s);
		return NULL;
	}
	if (worker_ids_check(conf, err, len) == -1 ||
	    sandbox_filter_make(conf, &s->filter, err, len) == -1) {
		master_setup_unref(s);
		return NULL;
	}
	/*
	 * Certificates only for a TLS listener: OpenSSL's initialisation,
	 * the contexts and the code they run would cost the master some
	 * 2.5 MiB resident and every worker the heap it inherits, to serve
	 * nothing. tine -t still checks them.
	 */
	if (!tls_listening(conf)) {
		if (tls_certified(conf))
			log_notice("no listener speaks TLS: the certificates "
			    "are not loaded");
	} else if (tls_load(conf, m->gens != NULL ? m->gens->setup->tls :
	    NULL, &s->tls, err, len) == -1) {
		master_setup_unref(s);
		return NULL;
	}
	tls_kernel(s->tls);
	return s;
}

/* Tell a generation's workers to finish and go. */
static void
master_retire(struct master *m, struct generation *g)
{
	if (g->retiring)
		return;
	g->retiring = true;
	log_notice("retiring generation %u (%d workers)", g->id,
	    pool_count(m, g));
	pool_signal(m, g, SIGQUIT);
}

/* Log readiness once the current generation serves fully; retire the rest. */
static void
master_check_ready(struct master *m)
{
	struct generation	*g = m->gens, *o;
	int			 n = g->setup->conf->workers;

	if (g->ready || pool_count_ready(m, g) < n)
		return;
	g->ready = true;
	/* Only a generation that serves changes where the master logs. */
	if (g->has_log) {
		log_target_use(&g->log);
		g->has_log = false;
	}
	log_notice("master ready: %d workers, generation %u", n, g->id);
	for (o = g->next; o != NULL; o = o->next)
		master_retire(m, o);
	master_report_start(m, 0, NULL);
	notify_ready(m);
}

/*
 * A generation whose workers cannot run (exit 15) is abandoned: on reload the
 * old generation keeps serving; at start the master gives up.
 */
static void
master_check_failed(struct master *m)
{
	struct generation	*g = m->gens;

	if (!g->failed || pool_count(m, g) > 0)
		return;
	if (g->next == NULL || g->next->retiring) {
		if (m->stopping == MASTER_RUNNING) {
			log_error("generation %u cannot run; stopping", g->id);
			master_report_start(m, 1, "workers cannot start with "
			    "this configuration; see the error log");
			m->exit_status = 1;
			m->stopping = MASTER_TERM;
			m->stop_deadline = scoreboard_now() + MASTER_TERM_GRACE;
			pool_signal(m, NULL, SIGTERM);
		}
		return;
	}
	if (g->has_log && strcmp(g->log.path, log_path()) != 0)
		log_error("generation %u cannot run (its workers said why in "
		    "%s); generation %u keeps serving", g->id, g->log.path[0] ?
		    g->log.path : "its error log", g->next->id);
	else
		log_error("generation %u cannot run; generation %u keeps "
		    "serving", g->id, g->next->id);
	notify_failed(m, "reload", "its workers cannot run");
	/* Its sockets were the older one's: they must go back, or that
	 * generation's next worker would have nothing to accept on. */
	listen_give_back(&g->ls, &g->next->ls);
	master_generation_free(m, g);
}

/* Free retired generations whose last worker has gone. */
static void
master_prune(struct master *m)
{
	struct generation	*g, *next;

	for (g = m->gens->next; g != NULL; g = next) {
		next = g->next;
		if (g->retiring && pool_count(m, g) == 0) {
			log_notice("generation %u finished", g->id);
			master_generation_free(m, g);
		}
	}
}

/* Close every listening socket the master holds (stop: free the ports). */
static void
master_close_listeners(struct master *m)
{
	struct generation	*g;

	for (g = m->gens; g != NULL; g = g->next)
		listen_close(&g->ls);
}

/* TERM/INT: workers exit now, the master right after them. */
static void
master_on_term(struct master *m)
{
	m->sig_term = m->sig_quit = m->sig_hup = m->sig_usr1 = 0;
	if (m->stopping == MASTER_TERM)
		return;
	log_notice("fast stop: terminating %d workers", pool_count(m, NULL));
	notify_stopping(m);
	m->sb.head->stopping = 1;
	m->stopping = MASTER_TERM;
	m->stop_deadline = scoreboard_now() + MASTER_TERM_GRACE;
	master_close_listeners(m);
	pool_signal(m, NULL, SIGTERM);
}

/*
 * QUIT: stop accepting, let in-flight responses finish, then exit. The
 * health path says 503 from now on (unlike a reload's retirement), and
 * with shutdown_delay for that long before the listeners close, so that a
 * load balancer sees it and sends no more; a second QUIT cuts that short.
 */
static void
master_on_quit(struct master *m)
{
	struct generation	*g;
	int			 delay = m->gens->setup->conf->shutdown_delay;

	m->sig_quit = m->sig_hup = 0;
	if (m->stopping != MASTER_RUNNING)
		return;
	/* A binary upgrade's old master hands over: the server goes on. */
	if (m->drain_until == 0 && !m->up.handed_over) {
		notify_stopping(m);
		m->sb.head->stopping = 1;
		if (delay > 0) {
			m->drain_until = scoreboard_now() + delay;
			log_notice("graceful stop in %ds: health_path answers "
			    "503 meanwhile", delay);
			return;
		}
	}
	log_notice("graceful stop: %d workers finishing", pool_count(m, NULL));
	m->stopping = MASTER_QUIT;
	master_close_listeners(m);
	for (g = m->gens; g != NULL; g = g->next) {
		g->retiring = false;
		master_retire(m, g);
	}
}

/* Start a new generation from setup, logging the outcome of why. */
static void
master_start_generation(struct master *m, struct setup *s, const char *why)
{
	struct generation	*o;
	char			 err[CONFIG_ERR_MAX];

	if (master_generation(m, s, err, sizeof(err)) == -1) {
		log_error("%s failed: %s; generation %u keeps serving", why,
		    err, m->gens->id);
		notify_failed(m, why, err);
		return;
	}
	log_notice("%s: starting generation %u", why, m->gens->id);
	/* One that never came to serve is superseded: retire it now, or
	 * reloads faster than workers start would pile generations up
	 * until the slots run out (the newest ready one serves meanwhile). */
	for (o = m->gens->next; o != NULL && !o->ready; o = o->next)
		;
	if (o != NULL)
		for (o = m->gens->next; !o->ready; o = o->next)
			master_retire(m, o);
	pool_fill(m);
}

/* HUP: parse the config again; a bad one changes nothing. */
static void
master_on_hup(struct master *m)
{
	char		 err[CONFIG_ERR_MAX];
	struct config	*conf;
	struct setup	*s;

	m->sig_hup = 0;
	if (m->drain_until != 0 || m->stopping != MASTER_RUNNING) {
		log_notice("reload ignored: stopping");
		return;
	}
	log_notice("reload requested");
	notify_reloading(m);
	if ((conf = config_load(m->conf_file, &m->ov, err, sizeof(err))) ==
	    NULL || (s = master_setup(m, conf, err, sizeof(err))) == NULL) {
		log_error("reload failed: %s; generation %u keeps serving",
		    err, m->gens->id);
		notify_failed(m, "reload", err);
		return;
	}
	master_start_generation(m, s, "reload");
	master_setup_unref(s);
}

/* USR1: reopen the logs; a new generation picks up the new files. */
static void
master_on_usr1(struct master *m)
{
	m->sig_usr1 = 0;
	if (m->stopping != MASTER_RUNNING)
		return;
	log_notice("reopening log files");
	if (log_reopen() == -1)
		return;
	master_start_generation(m, m->gens->setup, "log reopen");
}

/* USR2: start the installed binary on our sockets (upgrade.c). */
static void
master_on_usr2(struct master *m)
{
	m->sig_usr2 = 0;
	if (m->stopping != MASTER_RUNNING)
		return;
	upgrade_start(m);
}

/*
 * Whether root i of g now leads to a directory other than the one opened
 * (a symlink swapped, a directory removed and made again) that was not
 * acted on yet. A path that leads nowhere is logged once: the opened
 * directory keeps serving.
 */
static bool
master_root_moved(struct generation *g, size_t i)
{
	const char		*path = g->setup->conf->sites[i].root_path;
	struct root_seen	*seen = &g->roots_seen[i];
	struct stat		 now, was;
	int			 err = 0;

	if (stat(path, &now) == -1)
		err = errno;
	else if (!S_ISDIR(now.st_mode))
		err = ENOTDIR;
	if (err != 0) {
		if (seen->err != err)
			log_warn("document_root %s: %s; still serving the "
			    "directory opened before", path, strerror(err));
		seen->err = err;
		return false;
	}
	if (fstat(g->root_fds[i], &was) == -1 || (now.st_dev == was.st_dev &&
	    now.st_ino == was.st_ino)) {
		memset(seen, 0, sizeof(*seen));
		return false;
	}
	seen->err = 0;
	if (now.st_dev == seen->dev && now.st_ino == seen->ino)
		return false;
	seen->dev = now.st_dev;
	seen->ino = now.st_ino;
	log_notice("document_root %s leads to another directory now", path);
	return true;
}

/*
 * Once a second: a document root whose path leads elsewhere is served by
 * a new generation of the same setup (Landlock cannot widen a running
 * worker's sandbox, so new workers rule the new directory), and the old
 * one retires as on reload. A target tried once is not tried again.
 */
static void
master_check_roots(struct master *m)
{
	struct generation	*g = m->gens;
	size_t			 i;
	bool			 moved = false;

	if (g == NULL || !g->ready || g->retiring ||
	    m->stopping != MASTER_RUNNING)
		return;
	for (i = 0; i < g->nroots; i++)
		if (master_root_moved(g, i))
			moved = true;
	if (moved)
		master_start_generation(m, g->setup, "document root change");
}

/* Sleep until a signal or a worker wakes us, or until the next tick. */
static void
master_wait(struct master *m, int timeout_ms)
{
	struct pollfd	pfd = { m->wake[0], POLLIN, 0 };
	char		buf[256];

	if (poll(&pfd, 1, timeout_ms) > 0)
		while (read(m->wake[0], buf, sizeof(buf)) > 0)
			;
}

/* While stopping: kill stragglers past their time; true when all are gone. */
static bool
master_stopped(struct master *m)
{
	if (pool_count(m, NULL) == 0)
		return true;
	if (m->stopping == MASTER_TERM && scoreboard_now() >
	    m->stop_deadline) {
		log_warn("workers still running after fast stop: killing");
		pool_signal(m, NULL, SIGKILL);
		m->stop_deadline = scoreboard_now() + MASTER_KILL_AGAIN;
	}
	return false;
}

/* One pass of the loop, in the fixed order of DESIGN.md. */
static bool
master_pass(struct master *m, time_t *tick)
{
	pool_reap(m);
	upgrade_check(m);
	/* shutdown_delay is over: the graceful stop proper begins. */
	if (m->drain_until != 0 && m->stopping == MASTER_RUNNING &&
	    scoreboard_now() >= m->drain_until)
		m->sig_quit = 1;
	if (m->sig_term)
		master_on_term(m);
	else if (m->sig_quit)
		master_on_quit(m);
	else if (m->sig_hup)
		master_on_hup(m);
	if (m->sig_usr1)
		master_on_usr1(m);
	if (m->sig_usr2)
		master_on_usr2(m);
	if (m->stopping != MASTER_RUNNING && master_stopped(m))
		return false;
	if (m->stopping == MASTER_RUNNING) {
		master_check_failed(m);
		if (m->stopping == MASTER_RUNNING) {
			pool_fill(m);
			master_check_ready(m);
			pool_rotate(m);
		}
	}
	if (scoreboard_now() != *tick) {
		*tick = scoreboard_now();
		scoreboard_tick(&m->sb, m->gens != NULL ? m->gens->id : 0);
		pool_watchdog(m);
		if (m->gens != NULL)
			tls_rotate(m->gens->setup->tls, *tick);
		master_prune(m);
		notify_tick(m);
		master_check_roots(m);
	}
	return true;
}

/*
 * Free everything the master holds before it exits, from any point of
 * master_run: a scoreboard, pool or pipe not made yet is zero or -1. The pipe's
 * ends become -1, so a late signal's write cannot reach a reused number.
 */
static void
master_cleanup(struct master *m)
{
	int	i;

	while (m->gens != NULL)
		master_generation_free(m, m->gens);
	scoreboard_destroy(&m->sb);
	pool_destroy(&m->pool);
	for (i = 0; i < 2; i++)
		if (m->wake[i] != -1) {
			close(m->wake[i]);
			m->wake[i] = -1;
		}
}

/* Start the first generation and supervise until stopped. */
int
master_run(struct master *m, struct config *conf)
{
	char		 err[CONFIG_ERR_MAX];
	struct setup	*s;
	time_t		 tick = 0;

	if (pipe2(m->wake, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    scoreboard_create(&m->sb, POOL_SLOTS, m->sb_path) == -1 ||
	    pool_create(&m->pool) == -1 || master_signals(m) == -1) {
		snprintf(err, sizeof(err), "cannot set up: %s", strerror(errno));
		goto fail;
	}
	if ((s = master_setup(m, conf, err, sizeof(err))) == NULL)
		goto fail;
	if (master_generation(m, s, err, sizeof(err)) == -1) {
		master_setup_unref(s);
		goto fail;
	}
	master_setup_unref(s);
	upgrade_inherited_done(m);
	log_notice("master started: pid %ld, generation %u, %zu listeners",
	    (long)getpid(), m->gens->id, m->gens->ls.n);
	pool_fill(m);
	while (master_pass(m, &tick))
		master_wait(m, m->stopping == MASTER_TERM ?
		    MASTER_TERM_POLL_MS : MASTER_TICK_MS);
	log_notice("master exiting (status %d)", m->exit_status);
	master_cleanup(m);
	return m->exit_status;
fail:
	log_error("%s", err);
	master_report_start(m, 1, err);
	/* The scoreboard's file and the pipe do not outlive a start that
	 * failed (a TLS module that would not load, a bad key). */
	master_cleanup(m);
	return 1;
}
