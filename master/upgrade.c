/*
 * upgrade: SIGUSR2 re-executes the installed binary on the same sockets.
 *
 * The old master renames its pid file to FILE.oldbin and forks; the child
 * puts the listening sockets at descriptors 3, 4 ... with LISTEN_FDS and
 * LISTEN_PID set as systemd's sd_listen_fds(3) convention has them, the
 * write end of a verdict pipe right after them (TINE_UPGRADE names it), and
 * executes the binary by the path the master was started with. The new
 * master adopts the sockets its config still lists, binds the others,
 * writes FILE, and once its workers serve writes the same verdict a daemon
 * writes to its starting process: '0', or '1' and why. On '0' the old
 * master removes FILE.oldbin and stops gracefully; on anything else it
 * logs why, waits for the failed binary to exit and renames its pid file
 * back.
 */
#include "tine_build.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "upgrade.h"

#define UPGRADE_FDS_MAX		4096	/* more listeners than any config has */
#define UPGRADE_PID_MAX		4194304	/* Linux's PID_MAX_LIMIT */
#define UPGRADE_START_TIMEOUT	60	/* s for the new master to serve */
#define UPGRADE_EXIT_TIMEOUT	10	/* s for a failed one to exit */
#define UPGRADE_OLDBIN		".oldbin"

/* A number from the environment in [min, max], or -1. */
static long long
upgrade_env(const char *name, long long min, long long max)
{
	const char	*s = getenv(name), *errstr;
	long long	 v;

	if (s == NULL)
		return -1;
	v = strtonum(s, min, max, &errstr);
	return errstr != NULL ? -1 : v;
}

/* Adopt descriptor fd if it is a listening TCP socket, else close it. */
static void
upgrade_adopt(struct upgrade *up, int fd)
{
	struct listener	*l = &up->inherited.v[up->inherited.n];
	int		 on = 0;
	socklen_t	 len = sizeof(on);

	memset(l, 0, sizeof(*l));
	l->addrlen = sizeof(l->addr);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == -1 ||
	    !on || getsockname(fd, (struct sockaddr *)&l->addr,
	    &l->addrlen) == -1 || (l->addr.ss_family != AF_INET &&
	    l->addr.ss_family != AF_INET6)) {
		close(fd);
		return;
	}
	/* Workers are forked, not executed; a later upgrade re-numbers. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	l->fd = fd;
	up->inherited.n++;
}

/* Take what an old master passed; the lowest descriptor not ours. */
int
upgrade_inherit(struct upgrade *up)
{
	long long	pid, n, fd;
	int		i;

	memset(up, 0, sizeof(*up));
	up->fd = up->report_fd = -1;
	pid = upgrade_env("LISTEN_PID", 1, UPGRADE_PID_MAX);
	n = upgrade_env("LISTEN_FDS", 0, UPGRADE_FDS_MAX);
	fd = upgrade_env("TINE_UPGRADE", STDERR_FILENO + 1, INT_MAX);
	/* Ours only: no child (a worker, the next upgrade) may see them. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	unsetenv("TINE_UPGRADE");
	if (pid != (long long)getpid() || n <= 0 ||
	    (up->inherited.v = calloc(n, sizeof(*up->inherited.v))) == NULL)
		return STDERR_FILENO + 1;
	for (i = 0; i < n; i++)
		upgrade_adopt(up, STDERR_FILENO + 1 + i);
	if (fd == STDERR_FILENO + 1 + n) {
		up->report_fd = (int)fd;
		up->from = getppid();
		fcntl(up->report_fd, F_SETFD, FD_CLOEXEC);
		n++;
	}
	return STDERR_FILENO + 1 + (int)n;
}

/*
 * The binary to execute again: argv[0] made absolute now, with the
 * directory we start in or a PATH search, as the shell found it. Not
 * /proc/self/exe: that names the inode we run, and `make install`
 * replaces the file with a new inode, so it would start the old binary
 * again (or nothing, once it is deleted). Symlinks stay: a symlink
 * switched to a new release is an install too.
 */
static char *
upgrade_exe(const char *argv0, const char *cwd)
{
	const char	*path = getenv("PATH"), *p, *end;
	char		 buf[PATH_MAX];
	char		*out;

	if (*argv0 == '/')
		return strdup(argv0);
	if (strchr(argv0, '/') != NULL) {
		while (argv0[0] == '.' && argv0[1] == '/')
			argv0 += 2;
		if (cwd == NULL || asprintf(&out, "%s/%s", cwd, argv0) == -1)
			return NULL;
		return out;
	}
	for (p = path != NULL ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
	    *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (end == p || *p != '/')
			continue;
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), p, argv0);
		if (access(buf, X_OK) == 0)
			return strdup(buf);
	}
	return NULL;
}

/* Remember argv, the binary and the directory; 0 or -1. */
int
upgrade_init(struct upgrade *up, int argc, char **argv)
{
	int	i;

	if ((up->argv = calloc(argc + 1, sizeof(*up->argv))) == NULL)
		return -1;
	for (i = 0; i < argc; i++)
		if ((up->argv[i] = strdup(argv[i])) == NULL)
			return -1;
	up->cwd = getcwd(NULL, 0);
	/* No path found is not fatal: SIGUSR2 then says so. */
	up->exe = argc > 0 ? upgrade_exe(argv[0], up->cwd) : NULL;
	return 0;
}

/* Free what upgrade_init() kept. */
void
upgrade_free(struct upgrade *up)
{
	size_t	i;

	for (i = 0; up->argv != NULL && up->argv[i] != NULL; i++)
		free(up->argv[i]);
	free(up->argv);
	free(up->exe);
	free(up->cwd);
	free(up->pid_path);
	listen_close(&up->inherited);
	if (up->fd != -1)
		close(up->fd);
	if (up->report_fd != -1)
		close(up->report_fd);
}

/* The first generation took its sockets: close the rest, say so. */
void
upgrade_inherited_done(struct master *m)
{
	struct upgrade	*up = &m->up;
	size_t		 i, unused = 0;

	if (up->from == 0 && up->inherited.n == 0)
		return;
	for (i = 0; i < up->inherited.n; i++)
		unused += up->inherited.v[i].fd != -1;
	log_notice("upgrade: started by pid %ld with %zu listening sockets, "
	    "%zu of them no longer in the config (closed)", (long)up->from,
	    up->inherited.n, unused);
	listen_close(&up->inherited);
}

/* The pid file's name while an upgrade runs, into buf. */
static const char *
upgrade_oldbin(const struct upgrade *up, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", up->pid_path, UPGRADE_OLDBIN);
	return buf;
}

/* Rename the pid file to FILE.oldbin (to = true) or back; 0 or -1. */
static int
upgrade_rename(struct upgrade *up, bool to)
{
	char	old[PATH_MAX];

	if (up->pid_path == NULL || up->renamed == to)
		return 0;
	upgrade_oldbin(up, old, sizeof(old));
	if (rename(to ? up->pid_path : old, to ? old : up->pid_path) == -1) {
		log_error("upgrade: cannot rename %s: %s", to ? up->pid_path :
		    old, strerror(errno));
		return -1;
	}
	up->renamed = to;
	return 0;
}

/*
 * Child side: the sockets to 3, 4 ..., the verdict pipe after them, the
 * environment that names them, the directory we started in, then the
 * binary. An exec failure is written as a verdict.
 */
static void __attribute__((noreturn))
upgrade_exec(struct master *m, int wfd)
{
	struct upgrade		*up = &m->up;
	struct listeners	*ls = &m->gens->ls;
	int			 base = STDERR_FILENO + 1, top, *tmp, i, n, wfd_at;
	char			 num[32], why[512];

	n = (int)ls->n;
	top = base + n + 1;
	wfd_at = base + n;
	if ((tmp = calloc(n + 1, sizeof(*tmp))) == NULL)
		_exit(127);
	/* Out of the way first, so no move overwrites one still to move. */
	for (i = 0; i <= n; i++)
		tmp[i] = fcntl(i < n ? ls->v[i].fd : wfd, F_DUPFD_CLOEXEC, top);
	for (i = 0; i <= n; i++)
		if (tmp[i] == -1 || dup2(tmp[i], base + i) == -1)
			_exit(127);
	snprintf(num, sizeof(num), "%d", n);
	setenv("LISTEN_FDS", num, 1);
	snprintf(num, sizeof(num), "%ld", (long)getpid());
	setenv("LISTEN_PID", num, 1);
	snprintf(num, sizeof(num), "%d", wfd_at);
	setenv("TINE_UPGRADE", num, 1);
	if (up->cwd != NULL && chdir(up->cwd) == -1) {
		/* relative paths fail below and say so */
	}
	execv(up->exe, up->argv);
	snprintf(why, sizeof(why), "cannot execute %s: %s", up->exe,
	    strerror(errno));
	master_verdict(wfd_at, 1, why);
	_exit(127);
}

/* Why an upgrade cannot start now, or NULL. */
static const char *
upgrade_refusal(const struct master *m)
{
	if (m->up.pid != 0)
		return "an upgrade is already running";
	/* A container ends with its PID 1: the new master would go too. */
	if (getpid() == 1)
		return "pid 1 (a container's init) cannot hand over: restart "
		    "the container instead";
	if (m->up.exe == NULL)
		return "the binary's path is unknown (not found at start-up)";
	if (!m->gens->ready)
		return "the current generation is not serving yet";
	/* FILE.oldbin must fit where it is made, or rename() and unlink()
	 * would act on a shortened name. */
	if (m->up.pid_path != NULL && strlen(m->up.pid_path) +
	    strlen(UPGRADE_OLDBIN) >= PATH_MAX)
		return "the pid file's path is too long to add " UPGRADE_OLDBIN;
	return NULL;
}

/* SIGUSR2: rename the pid file and start the new binary. */
void
upgrade_start(struct master *m)
{
	struct upgrade	*up = &m->up;
	const char	*why;
	int		 p[2];

	if ((why = upgrade_refusal(m)) != NULL) {
		log_error("upgrade refused: %s", why);
		return;
	}
	log_notice("upgrade requested: starting %s", up->exe);
	if (upgrade_rename(up, true) == -1)
		return;
	p[0] = p[1] = -1;
	if (pipe2(p, O_CLOEXEC) == -1 || (up->pid = fork()) == -1) {
		log_error("upgrade failed: cannot start %s: %s", up->exe,
		    strerror(errno));
		/* A failed fork leaves the pipe: each retry would leak two. */
		if (p[0] != -1) {
			close(p[0]);
			close(p[1]);
		}
		up->pid = 0;
		upgrade_rename(up, false);
		return;
	}
	if (up->pid == 0)
		upgrade_exec(m, p[1]);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	up->fd = p[0];
	up->got = 0;
	up->failed = up->exited = false;
	up->deadline = scoreboard_now() + UPGRADE_START_TIMEOUT;
}

/* Read the verdict pipe: 0 while it is open, 1 once it is closed. */
static int
upgrade_read(struct upgrade *up)
{
	ssize_t	n;

	while (up->got < sizeof(up->verdict) - 1) {
		n = read(up->fd, up->verdict + up->got,
		    sizeof(up->verdict) - 1 - up->got);
		if (n > 0)
			up->got += (size_t)n;
		else if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return 0;
		else
			break;
	}
	up->verdict[up->got] = '\0';
	close(up->fd);
	up->fd = -1;
	return 1;
}

/* The new master serves: our pid file goes, and we stop gracefully. */
static void
upgrade_done(struct master *m)
{
	struct upgrade	*up = &m->up;
	char		 old[PATH_MAX];

	log_notice("upgrade: new master pid %ld serves; pid %ld retires",
	    (long)up->pid, (long)getpid());
	if (up->renamed && unlink(upgrade_oldbin(up, old, sizeof(old))) == -1)
		log_warn("upgrade: cannot remove %s: %s", old, strerror(errno));
	up->renamed = false;
	if (m->pfh != NULL) {
		pidfile_close(m->pfh);
		m->pfh = NULL;
	}
	/* Still our child until we exit: pool_reap() reaps it if it dies. */
	up->pid = 0;
	up->handed_over = true;
	m->sig_quit = 1;
}

/* The verdict is in: done, or failed and waiting for the binary to exit. */
static void
upgrade_verdict(struct master *m)
{
	struct upgrade	*up = &m->up;

	if (up->got > 0 && up->verdict[0] == '0') {
		upgrade_done(m);
		return;
	}
	log_error("upgrade failed: %s; pid %ld keeps serving", up->got > 1 ?
	    up->verdict + 1 : "the new binary exited during start-up",
	    (long)getpid());
	up->failed = true;
	up->deadline = scoreboard_now() + UPGRADE_EXIT_TIMEOUT;
}

/* pool_reap() reaped pid, a child that is no worker: ours, maybe. */
void
upgrade_reaped(struct master *m, pid_t pid)
{
	if (pid == m->up.pid)
		m->up.exited = true;
}

/*
 * A failed new master must be gone before the pid file is renamed back: at
 * exit it removes the pid file it wrote, by name. Gone is what the reaper
 * saw, not a kill(pid, 0), which a reused pid would answer (and whose
 * owner the deadline's SIGKILL would then hit).
 */
static void
upgrade_wait_exit(struct master *m)
{
	struct upgrade	*up = &m->up;

	if (up->exited) {
		up->pid = 0;
		up->failed = false;
		if (upgrade_rename(up, false) == 0 && up->pid_path != NULL)
			log_notice("upgrade: pid file %s names pid %ld again",
			    up->pid_path, (long)getpid());
		return;
	}
	if (scoreboard_now() > up->deadline) {
		log_warn("upgrade: pid %ld still running after it failed: "
		    "killing it", (long)up->pid);
		kill(up->pid, SIGKILL);
		up->deadline = scoreboard_now() + UPGRADE_START_TIMEOUT;
	}
}

/* Each pass: follow the new master until it serves or is gone. */
void
upgrade_check(struct master *m)
{
	struct upgrade	*up = &m->up;

	if (up->pid == 0)
		return;
	if (up->failed) {
		upgrade_wait_exit(m);
		return;
	}
	if (upgrade_read(up) == 1) {
		upgrade_verdict(m);
		return;
	}
	if (scoreboard_now() > up->deadline) {
		close(up->fd);
		up->fd = -1;
		log_error("upgrade failed: pid %ld did not serve within %d s; "
		    "stopping it; pid %ld keeps serving", (long)up->pid,
		    UPGRADE_START_TIMEOUT, (long)getpid());
		kill(up->pid, SIGTERM);
		up->failed = true;
		up->deadline = scoreboard_now() + UPGRADE_EXIT_TIMEOUT;
	}
}

/* Remove our pid file at exit, wherever the upgrade left it. */
void
upgrade_pidfile_remove(struct master *m)
{
	char	old[PATH_MAX];

	if (m->pfh == NULL)
		return;
	if (m->up.renamed) {
		unlink(upgrade_oldbin(&m->up, old, sizeof(old)));
		pidfile_close(m->pfh);
	} else
		pidfile_remove(m->pfh);
	m->pfh = NULL;
}
