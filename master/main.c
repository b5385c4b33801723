/* main: the command line, daemonising, the pid file, and -s signals. */
#include "tine_build.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "master.h"
#include "status_fmt.h"
#include "tls_load.h"

#define MAIN_DEFAULT_CONF	SYSCONFDIR "/tine/tine.conf"
#define MAIN_DEFAULT_PID	RUNSTATEDIR "/tine.pid"
#define MAIN_PID_MAX		4194304	/* Linux's PID_MAX_LIMIT, 2^22 */
#define MAIN_FILES_CACHE	1024	/* descriptors auto leaves the file cache */
#define MAIN_FILES_SPARE	64	/* logs, epoll, pipes, the docroot */
#define MAIN_FILES_MIN		64	/* below this nothing works */

/* What the command line asked for. */
struct main_opts {
	const char		*conf_file;
	struct config_overrides	 ov;
	bool			 foreground;
	bool			 test;
	const char		*signal;
};

/* Print usage to f. */
static void
main_usage(FILE *f)
{
	fprintf(f, "usage: tine [-fthv] [-c file] [-r docroot] [-l address] "
	    "[-s reload|reopen|upgrade|quit|stop|status]\n"
	    "  -c file     configuration file (default %s if it exists,\n"
	    "              else built-in defaults)\n"
	    "  -f          stay in the foreground; logs to stderr unless set\n"
	    "  -t          check the configuration and exit\n"
	    "  -r docroot  serve this directory (overrides document_root)\n"
	    "  -l address  listen here only (overrides listen)\n"
	    "  -s signal   send reload, reopen, upgrade, quit or stop to the\n"
	    "              master, or print its status\n"
	    "  -v          print the version\n"
	    "  -h          this help\n", MAIN_DEFAULT_CONF);
}

/* Parse argv into opts; returns -1 after printing usage on a bad option. */
static int
main_args(int argc, char **argv, struct main_opts *o)
{
	int	ch;

	while ((ch = getopt(argc, argv, "c:fthvr:l:s:")) != -1) {
		switch (ch) {
		case 'c': o->conf_file = optarg; break;
		case 'f': o->foreground = true; break;
		case 't': o->test = true; break;
		case 'r': o->ov.document_root = optarg; break;
		case 'l': o->ov.listen = optarg; break;
		case 's': o->signal = optarg; break;
		case 'v':
			printf("tine %s\n", PACKAGE_VERSION);
			tls_module_describe(stdout);
			exit(0);
		case 'h':
			main_usage(stdout);
			exit(0);
		default:
			main_usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		main_usage(stderr);
		return -1;
	}
	if (o->conf_file == NULL && access(MAIN_DEFAULT_CONF, F_OK) == 0)
		o->conf_file = MAIN_DEFAULT_CONF;
	return 0;
}

/* The pid file to use: the config's, or the built-in one for a daemon. */
static const char *
main_pid_path(const struct config *conf, bool foreground)
{
	if (conf->pid_file != NULL)
		return conf->pid_file[0] != '\0' ? conf->pid_file : NULL;
	return foreground ? NULL : MAIN_DEFAULT_PID;
}

/* The pid in the pid file at path; -1 after saying why not. */
static long long
main_read_pid(const char *path)
{
	const char	*errstr;
	char		 buf[32];
	long long	 pid;
	ssize_t		 n;
	int		 fd;

	if (path == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "tine: cannot read pid file %s: %s (is tine "
		    "running?)\n", path ? path : "(none)", strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	pid = strtonum(buf, 2, MAIN_PID_MAX, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "tine: pid file %s: pid is %s\n", path, errstr);
		return -1;
	}
	return pid;
}

/*
 * The scoreboard file beside the pid file, into buf: "tine.pid" gives
 * "tine.scoreboard", another name gets ".scoreboard" appended. NULL
 * without a pid file (or with one whose name is too long).
 */
static const char *
main_sb_path(const char *pid_path, char *buf, size_t len)
{
	size_t	n;

	if (pid_path == NULL)
		return NULL;
	n = strlen(pid_path);
	if (n > 4 && strcmp(pid_path + n - 4, ".pid") == 0)
		n -= 4;
	if ((size_t)snprintf(buf, len, "%.*s.scoreboard", (int)n, pid_path) >=
	    len)
		return NULL;
	return buf;
}

/* Print a snapshot of sb as tine -s status shows it; the exit status. */
static int
main_status_print(const struct scoreboard *sb)
{
	struct sb_snapshot	 snap;
	struct buf		 b;
	size_t			 cap = status_fmt_size(sb->nslots);
	char			*mem;
	int			 status = 1;

	memset(&snap, 0, sizeof(snap));
	if ((snap.workers = calloc((size_t)sb->nslots,
	    sizeof(*snap.workers))) == NULL || (mem = malloc(cap)) == NULL) {
		free(snap.workers);
		fprintf(stderr, "tine: out of memory\n");
		return 1;
	}
	scoreboard_read(sb, &snap);
	buf_init(&b, mem, cap);
	status_fmt(&b, &snap, STATUS_TEXT);
	if (buf_ok(&b) && fwrite(mem, 1, b.len, stdout) == b.len &&
	    fflush(stdout) == 0)
		status = 0;
	else
		fprintf(stderr, "tine: cannot print the status\n");
	free(mem);
	free(snap.workers);
	return status;
}

/* -s status: the running master's scoreboard, read from its file. */
static int
main_status(const struct config *conf)
{
	const char		*pid_path = main_pid_path(conf, false), *path;
	char			 sbpath[PATH_MAX];
	struct scoreboard	 sb;
	long long		 pid;
	int			 status;

	if ((pid = main_read_pid(pid_path)) == -1)
		return 1;
	if ((path = main_sb_path(pid_path, sbpath, sizeof(sbpath))) == NULL ||
	    scoreboard_attach(&sb, path) == -1) {
		fprintf(stderr, "tine: cannot read the scoreboard %s: %s\n",
		    path != NULL ? path : "(none)", path != NULL ? errno ==
		    EINVAL ? "not a scoreboard of this tine version" :
		    strerror(errno) : "the pid file's name is too long");
		return 1;
	}
	if (sb.head->master_pid != (pid_t)pid || (kill((pid_t)pid, 0) == -1 &&
	    errno == ESRCH)) {
		fprintf(stderr, "tine: %s is not pid %lld's, or tine is not "
		    "running\n", path, pid);
		scoreboard_destroy(&sb);
		return 1;
	}
	status = main_status_print(&sb);
	scoreboard_destroy(&sb);
	return status;
}

/* -s: signal the running master named by the pid file (status: print its
 * scoreboard instead). */
static int
main_signal(const struct config *conf, const char *name)
{
	static const struct { const char *name; int sig; } sigs[] = {
		{ "reload", SIGHUP }, { "reopen", SIGUSR1 },
		{ "quit", SIGQUIT }, { "stop", SIGTERM },
		{ "upgrade", SIGUSR2 },
	};
	long long	 pid;
	size_t		 i;

	if (strcmp(name, "status") == 0)
		return main_status(conf);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcmp(name, sigs[i].name) == 0)
			break;
	if (i == sizeof(sigs) / sizeof(sigs[0])) {
		fprintf(stderr, "tine: unknown signal \"%s\" (reload, reopen, "
		    "upgrade, quit, stop or status)\n", name);
		return 1;
	}
	if ((pid = main_read_pid(main_pid_path(conf, false))) == -1)
		return 1;
	if (kill((pid_t)pid, sigs[i].sig) == -1) {
		fprintf(stderr, "tine: cannot signal pid %lld: %s\n", pid,
		    strerror(errno));
		return 1;
	}
	return 0;
}

/*
 * Fork into the background. The starting process waits on a pipe and exits
 * with the master's verdict: 0 once it serves, 1 with the reason otherwise.
 */
static int
main_daemonize(void)
{
	char	buf[512];
	ssize_t	n, got = 0;
	int	p[2];
	pid_t	pid;

	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		fprintf(stderr, "tine: cannot daemonize: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(p[1]);
		while (got < (ssize_t)sizeof(buf) - 1 && (n = read(p[0],
		    buf + got, sizeof(buf) - 1 - got)) > 0)
			got += n;
		buf[got] = '\0';
		if (got > 0 && buf[0] == '0')
			exit(0);
		fprintf(stderr, "tine: %s\n", got > 1 ? buf + 1 :
		    "the server exited during start-up");
		exit(1);
	}
	close(p[0]);
	setsid();
	if (chdir("/") == -1)
		exit(1);
	master_devnull(STDIN_FILENO);
	master_devnull(STDOUT_FILENO);
	return p[1];
}

/* Without root, workers cannot switch users: say so when user is set. */
static void
main_user_ignored(const struct config *conf, const char *file, bool test)
{
	if (geteuid() == 0 || (conf->user == NULL && conf->group == NULL))
		return;
	if (test)
		fprintf(stderr, "tine: %s: user and group are ignored: tine is "
		    "not started as root, so workers run as uid %ld\n",
		    file != NULL ? file : "(built-in defaults)",
		    (long)geteuid());
	else
		log_notice("user and group are ignored: tine is not started "
		    "as root, so workers run as uid %ld", (long)geteuid());
}

/* Say why we cannot start: the log, and the terminal (directly in the
 * foreground unless the log is already there, else through the starter). */
static void
main_refuse(struct master *m, const char *why)
{
	log_error("%s", why);
	if (m->foreground && log_fd() != STDERR_FILENO)
		fprintf(stderr, "tine: %s\n", why);
	master_report_start(m, 1, why);
}

/* Take the pid file; a running master keeps it and we refuse to start. */
static int
main_pidfile(struct master *m, const char *path)
{
	char	why[256];
	pid_t	other = 0;

	if (path == NULL)
		return 0;
	m->pfh = pidfile_open(path, 0644, &other);
	if (m->pfh == NULL) {
		if (errno == EEXIST)
			snprintf(why, sizeof(why), "already running as pid %ld "
			    "(pid file %s)", (long)other, path);
		else
			snprintf(why, sizeof(why), "cannot open pid file %s: %s",
			    path, strerror(errno));
		main_refuse(m, why);
		return -1;
	}
	if (pidfile_write(m->pfh) == -1) {
		snprintf(why, sizeof(why), "cannot write pid file %s: %s", path,
		    strerror(errno));
		main_refuse(m, why);
		pidfile_remove(m->pfh);
		return -1;
	}
	return 0;
}

/* The descriptor limit the config asks for: max_open_files, or (auto)
 * enough for max_connections, the listeners, the access logs and the file
 * cache. */
static rlim_t
main_files_wanted(const struct config *conf)
{
	if (conf->max_open_files != 0)
		return conf->max_open_files < MAIN_FILES_MIN ? MAIN_FILES_MIN :
		    (rlim_t)conf->max_open_files;
	return (rlim_t)conf->max_connections + conf->nlisten +
	    conf->naccess_logs + MAIN_FILES_CACHE + MAIN_FILES_SPARE;
}

/*
 * Set RLIMIT_NOFILE before the first fork, so every worker inherits it (as
 * nginx's worker_rlimit_nofile). An explicit max_open_files is set as is,
 * lower or higher; auto only ever raises. Root may raise the hard limit;
 * anyone else gets at most the hard limit, and a warning.
 */
static void
main_rlimit(const struct config *conf)
{
	struct rlimit	rl, old;
	rlim_t		want = main_files_wanted(conf);

	if (conf->max_open_files != 0 && (rlim_t)conf->max_open_files <
	    (rlim_t)conf->max_connections + MAIN_FILES_SPARE)
		log_warn("max_open_files %d leaves too few descriptors for "
		    "max_connections %d: expect refused accepts",
		    conf->max_open_files, conf->max_connections);
	if (getrlimit(RLIMIT_NOFILE, &old) == -1)
		return;
	if (old.rlim_cur == want || (conf->max_open_files == 0 &&
	    old.rlim_cur >= want))
		return;
	rl.rlim_cur = want;
	rl.rlim_max = old.rlim_max < want ? want : old.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		/* Not root (or past fs.nr_open): up to the hard limit. */
		rl.rlim_cur = rl.rlim_max = old.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			rl.rlim_cur = old.rlim_cur;
	}
	if (rl.rlim_cur < want)
		log_warn("open files limit %llu, not the %llu max_open_files "
		    "asks for: %s", (unsigned long long)rl.rlim_cur,
		    (unsigned long long)want, "raise it (ulimit -n, "
		    "LimitNOFILE=) or start tine as root");
	else
		log_notice("open files limit %llu (was %llu)",
		    (unsigned long long)rl.rlim_cur,
		    (unsigned long long)old.rlim_cur);
}

/*
 * Where the start's verdict goes: an old master's pipe when it executed us
 * (already a daemon: only the directory is left to leave), else the
 * daemon's starting process, else nowhere.
 */
static int
main_ready_fd(struct master *m)
{
	int	fd = m->up.report_fd;

	if (fd == -1)
		return m->foreground ? -1 : main_daemonize();
	m->up.report_fd = -1;
	if (!m->foreground && chdir("/") == -1) {
		/* relative paths were resolved by now */
	}
	return fd;
}

/* Become the master: logs, pid file, limits, then the supervision loop. */
static int
main_serve(const struct main_opts *o, struct config *conf, struct upgrade *up)
{
	struct master	 m;
	const char	*pid_path = main_pid_path(conf, o->foreground);
	char		 err[CONFIG_ERR_MAX], sbpath[PATH_MAX];
	int		 status;

	memset(&m, 0, sizeof(m));
	m.sb_path = main_sb_path(pid_path, sbpath, sizeof(sbpath));
	m.conf_file = o->conf_file;
	m.ov = o->ov;
	m.foreground = o->foreground;
	m.wake[0] = m.wake[1] = -1;	/* not made yet: master_cleanup skips it */
	m.up = *up;
	m.ready_fd = main_ready_fd(&m);
	if (pid_path != NULL && (m.up.pid_path = strdup(pid_path)) == NULL) {
		master_report_start(&m, 1, "out of memory");
		goto fail;
	}
	umask(022);
	if (log_open(conf, o->foreground, err, sizeof(err)) == -1) {
		fprintf(stderr, "tine: %s\n", err);
		master_report_start(&m, 1, err);
		goto fail;
	}
	if (main_pidfile(&m, pid_path) == -1)
		goto fail;
	main_user_ignored(conf, o->conf_file, false);
	main_rlimit(conf);
	setproctitle("-tine: master process %s", o->conf_file ? o->conf_file :
	    "(built-in defaults)");
	status = master_run(&m, conf);
	upgrade_pidfile_remove(&m);
	upgrade_free(&m.up);
	return status;
fail:
	config_free(conf);
	upgrade_free(&m.up);
	return 1;
}

/* tine -t: the certificates load, as the master would load them. */
static int
main_check_tls(const struct config *conf)
{
	struct tls_conf	*tls;
	char		 err[CONFIG_ERR_MAX];

	if (tls_load(conf, NULL, &tls, err, sizeof(err)) == -1) {
		fprintf(stderr, "tine: %s\n", err);
		return -1;
	}
	tls_conf_free(tls);
	return 0;
}

/* An old master executed us and we cannot start: tell it why. */
static void
main_upgrade_refuse(struct upgrade *up, const char *why)
{
	if (up->report_fd != -1)
		master_verdict(up->report_fd, 1, why);
}

/* tine -t or -s: what main() runs instead of serving; the exit status. */
static int
main_command(const struct main_opts *o, struct config *conf)
{
	int	status = 0;

	if (o->signal != NULL)
		status = main_signal(conf, o->signal);
	else if (main_check_tls(conf) == -1)
		status = 1;
	else {
		main_user_ignored(conf, o->conf_file, true);
		printf("tine: %s: configuration OK\n", o->conf_file ?
		    o->conf_file : "(built-in defaults)");
	}
	config_free(conf);
	return status;
}

/* tine: check a config (-t), signal a master (-s), or serve. */
int
main(int argc, char **argv, char **envp)
{
	struct main_opts	 o;
	struct config		*conf;
	struct upgrade		 up;
	char			 err[CONFIG_ERR_MAX];
	int			 status = 1;

	/* Before anything may replace the binary (see tls_load_init()). */
	tls_load_init();
	/* Nothing the caller left open (a root-only file, a socket) may reach
	 * a worker: only stdin, stdout and stderr are inherited, and the
	 * listening sockets an upgrading master passed. */
	closefrom(upgrade_inherit(&up));
	/* Before setproctitle_init(), which takes argv's memory. */
	if (upgrade_init(&up, argc, argv) == -1) {
		fprintf(stderr, "tine: out of memory\n");
		main_upgrade_refuse(&up, "out of memory");
		goto done;
	}
	setproctitle_init(argc, argv, envp);
	memset(&o, 0, sizeof(o));
	if (main_args(argc, argv, &o) == -1)
		goto done;
	if ((conf = config_load(o.conf_file, &o.ov, err, sizeof(err))) == NULL) {
		fprintf(stderr, "tine: %s\n", err);
		main_upgrade_refuse(&up, err);
		goto done;
	}
	if (o.test || o.signal != NULL) {
		status = main_command(&o, conf);
		goto done;
	}
	/* main_serve() owns up from here. */
	return main_serve(&o, conf, &up);
done:
	upgrade_free(&up);
	return status;
}
