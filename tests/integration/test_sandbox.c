/*
 * test_sandbox: the workers' sandbox (issue 9), on real workers.
 *
 * gdb attaches to a running worker and makes it call open() or socket()
 * itself, so what is tested is the kernel's verdict on that process, not
 * tine's own path checks (which never see such a call). Attaching needs
 * root (the workers changed uid), as does dropping privileges: those tests
 * are skipped, visibly, when the tests do not run as root. CI runs as root.
 */
#include "tine_build.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <seccomp.h>

#include "harness.h"

#define SBX_GDB_MS	30000		/* one gdb session, attach to detach */
#define SBX_VALUES	4		/* values one gdb session prints */
#define SBX_LINE_MAX	1024
/* Workers run as nobody, who exists everywhere, when started as root. */
#define SBX_CONF	"user = \"nobody\""
#define SBX_CONF_OFF	SBX_CONF "\nsandbox = off"

/* This binary's first argument when it is to run tine as on a kernel
 * without the part named next ("landlock" or "seccomp"). */
#define SBX_WITHOUT	"--run-tine-without"

/* Calls through function pointers, so gdb needs no debug info for libc. */
#define SBX_OPEN	"print ((int (*)(const char *, int))open)(\"%s\", 0)"
#define SBX_ERRNO	"print *((int *(*)(void))__errno_location)()"
#define SBX_CLOSE	"print ((int (*)(int))close)($1)"
#define SBX_SOCKET	"print ((int (*)(int, int, int))socket)(%d, %d, 0)"
#define SBX_TGKILL	"print ((int (*)(int, int, int))tgkill)(%d, %d, 0)"

/* The numbers after "key:" in /proc/PID/status; -1 when there is none. */
static long
sbx_status(pid_t pid, const char *key)
{
	char	 path[64], line[SBX_LINE_MAX];
	size_t	 len = strlen(key);
	long	 v = -1;
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (v == -1 && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, len) == 0 && line[len] == ':' &&
		    line[len + 1] == '\t')
			v = strtol(line + len + 2, NULL, 10);
	fclose(f);
	return v;
}

/* What waiting for gdb needs. */
struct sbx_reap {
	pid_t	pid;
	int	status;
};

/* Whether the child in arg has exited (reaped into status). */
static int
sbx_reaped(void *arg)
{
	struct sbx_reap	*r = arg;

	return waitpid(r->pid, &r->status, WNOHANG) == r->pid;
}

/* Run argv (gdb) with its output into the file out; its wait status, or
 * -1 when it did not finish in time (then it is killed). */
static int
sbx_run(const char *const *argv, const char *out)
{
	struct sbx_reap	r;
	int		fd;

	if ((r.pid = fork()) == -1)
		return -1;
	if (r.pid == 0) {
		if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		closefrom(3);
		execvp(argv[0], (char *const *)argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	if (tine_wait_until(sbx_reaped, &r, SBX_GDB_MS) == -1) {
		kill(r.pid, SIGKILL);
		waitpid(r.pid, NULL, 0);
		cr_log_error("%s did not finish within %d ms", argv[0],
		    SBX_GDB_MS);
		return -1;
	}
	return r.status;
}

/*
 * Attach gdb to pid, run the commands (up to SBX_VALUES "print"s), detach.
 * The printed values go into v (their count is returned); gdb's whole
 * output stays in t->dir/gdb.out for the failure messages. -1 when gdb
 * could not run or did not finish in time.
 */
static int
sbx_gdb(struct tine *t, pid_t pid, const char *const *cmds, long *v)
{
	char		 out[TINE_PATH_MAX], spid[16], line[SBX_LINE_MAX];
	const char	*argv[8 + 2 * SBX_VALUES] = { "gdb", "-batch", "-nx",
			    "-iex", "set debuginfod enabled off", "-p", spid };
	int		 argc = 7, n = 0, status, i;
	FILE		*f;

	snprintf(spid, sizeof(spid), "%d", (int)pid);
	for (i = 0; cmds[i] != NULL && i < SBX_VALUES; i++) {
		argv[argc++] = "-ex";
		argv[argc++] = cmds[i];
	}
	argv[argc] = NULL;
	status = sbx_run(argv, tine_path(out, t->dir, "gdb.out"));
	if (status == -1 || (WIFEXITED(status) && WEXITSTATUS(status) == 127))
		return -1;
	if ((f = fopen(out, "re")) == NULL)
		return -1;
	while (n < SBX_VALUES && fgets(line, sizeof(line), f) != NULL)
		if (line[0] == '$' && sscanf(line, "$%*d = %ld", &v[n]) == 1)
			n++;
	fclose(f);
	return n;
}

/* gdb's output of the last session, for a failure message (freed by the
 * caller). */
static char *
sbx_gdb_out(struct tine *t)
{
	char	path[TINE_PATH_MAX], *s;

	s = tine_slurp(tine_path(path, t->dir, "gdb.out"), NULL);
	return s != NULL ? s : strdup("(no output)");
}

/* Skip the test unless it runs as root (see the top of the file). */
static void
sbx_need_root(void)
{
	if (geteuid() != 0)
		cr_skip("not root: the workers cannot drop privileges and gdb "
		    "cannot attach to them");
}

/* Start an instance with extra config; its workers' pids into kids. */
static struct tine *
sbx_start(const char *extra, pid_t *kids)
{
	struct tine	*t;

	cr_assert_not_null(t = tine_setup(extra));
	cr_assert_eq(tine_start(t), 0, "tine did not start");
	cr_assert_eq(tine_children(t->pid, kids, TINE_MAX_WORKERS),
	    t->workers);
	return t;
}

/* Write dir/rel with text, mode 0644, outside any docroot; its path. */
static char *
sbx_outside(struct tine *t, char *path, const char *rel, const char *text)
{
	tine_path(path, t->dir, rel);
	cr_assert_eq(tine_write_file(path, text, strlen(text), 0644), 0);
	return path;
}

/* Make worker pid open path itself, then close what it got so the worker
 * is left as it was; the descriptor, or -errno. */
static long
sbx_open_in(struct tine *t, pid_t pid, const char *path)
{
	char		 open_cmd[TINE_PATH_MAX + 64], *out;
	const char	*cmds[] = { open_cmd, SBX_ERRNO, SBX_CLOSE, NULL };
	long		 v[SBX_VALUES];
	int		 n;

	snprintf(open_cmd, sizeof(open_cmd), SBX_OPEN, path);
	n = sbx_gdb(t, pid, cmds, v);
	out = sbx_gdb_out(t);
	cr_assert_eq(n, 3, "gdb could not make worker %d call open() "
	    "(is gdb installed? ./autogen.sh --deps): %s", (int)pid, out);
	free(out);
	return v[0] >= 0 ? v[0] : -v[1];
}

/* The user line when the tests can drop privileges, else none. */
static const char *
sbx_conf(void)
{
	return geteuid() == 0 ? SBX_CONF : NULL;
}

/*
 * Every worker has no_new_privs and a seccomp filter of its own: one more
 * than the master (which may run under a container's filter already).
 * Landlock shows nowhere in /proc: the tests below prove it by its effect.
 */
Test(sandbox, workers_are_confined, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t;
	struct tine_resp	 r;
	pid_t			 kids[TINE_MAX_WORKERS];
	long			 filters = sbx_status(getpid(), "Seccomp_filters");
	int			 i;

	t = sbx_start(sbx_conf(), kids);
	for (i = 0; i < t->workers; i++) {
		cr_expect_eq(sbx_status(kids[i], "NoNewPrivs"), 1,
		    "worker %d has no NoNewPrivs: 1", (int)kids[i]);
		cr_expect_eq(sbx_status(kids[i], "Seccomp"), 2,
		    "worker %d has no seccomp filter", (int)kids[i]);
		if (filters != -1)
			cr_expect_eq(sbx_status(kids[i], "Seccomp_filters"),
			    filters + 1, "worker %d: not one filter more than "
			    "the tests", (int)kids[i]);
	}
	/* The master is not confined: it forks, reloads, reopens logs. */
	if (filters != -1)
		cr_expect_eq(sbx_status(t->pid, "Seccomp_filters"), filters);
	cr_assert_eq(tine_get(t, "/", &r), 0);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(r.body, TINE_INDEX_BODY);
	tine_resp_free(&r);
	tine_stop(t);
}

/* sandbox = off: the workers are as free as the master. */
Test(sandbox, off_leaves_workers_unconfined, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t;
	pid_t		 kids[TINE_MAX_WORKERS];
	int		 i;

	t = sbx_start(geteuid() == 0 ? SBX_CONF_OFF : "sandbox = off", kids);
	for (i = 0; i < t->workers; i++) {
		cr_expect_eq(sbx_status(kids[i], "Seccomp"),
		    sbx_status(t->pid, "Seccomp"), "worker %d has a filter",
		    (int)kids[i]);
		cr_expect_eq(sbx_status(kids[i], "Seccomp_filters"),
		    sbx_status(t->pid, "Seccomp_filters"));
		cr_expect_eq(sbx_status(kids[i], "NoNewPrivs"),
		    sbx_status(t->pid, "NoNewPrivs"));
	}
	tine_stop(t);
}

/*
 * A file the worker's user may read, outside the document root: a request
 * through a symlink in the root (a path every string check passes) is
 * refused by tine's own openat2(RESOLVE_BENEATH); the worker made to open
 * it directly, past every check of tine's, is refused by the kernel.
 */
Test(sandbox, worker_cannot_open_outside_its_root, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine		*t;
	struct tine_resp	 r;
	pid_t			 kids[TINE_MAX_WORKERS];
	char			 out[TINE_PATH_MAX], in[TINE_PATH_MAX];
	char			 link[TINE_PATH_MAX];
	long			 got;

	sbx_need_root();
	t = sbx_start(SBX_CONF, kids);
	sbx_outside(t, out, "outside.txt", "secret\n");
	tine_path(in, t->docroot, "index.html");
	cr_assert_eq(symlink(out, tine_path(link, t->docroot, "leak.txt")), 0);
	cr_assert_eq(tine_get(t, "/leak.txt", &r), 0);
	cr_expect_neq(r.status, 200, "the symlink out of the root was served");
	cr_expect_null(strstr(r.body, "secret"));
	tine_resp_free(&r);
	got = sbx_open_in(t, kids[0], in);
	cr_expect_geq(got, 0, "the worker cannot open its own index (%ld)",
	    got);
	got = sbx_open_in(t, kids[0], out);
	cr_expect_eq(got, -EACCES, "the sandboxed worker opened %s (%ld)",
	    out, got);
	got = sbx_open_in(t, kids[1], "/etc/passwd");
	cr_expect_eq(got, -EACCES, "the sandboxed worker opened /etc/passwd "
	    "(%ld)", got);
	/* A refused open is no crime: both still serve. */
	cr_expect(tine_alive(kids[0]) && tine_alive(kids[1]));
	cr_assert_eq(tine_get(t, "/", &r), 0);
	cr_expect_eq(r.status, 200);
	tine_resp_free(&r);
	tine_stop(t);
}

/* The control of the test above: without the sandbox the same call in the
 * same worker opens the file, so that test can fail. */
Test(sandbox, unsandboxed_worker_can_open_outside, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine	*t;
	pid_t		 kids[TINE_MAX_WORKERS];
	char		 out[TINE_PATH_MAX];
	long		 got;

	sbx_need_root();
	t = sbx_start(SBX_CONF_OFF, kids);
	sbx_outside(t, out, "outside.txt", "secret\n");
	got = sbx_open_in(t, kids[0], out);
	cr_expect_geq(got, 0, "without the sandbox, the worker cannot open "
	    "%s either (%ld): the test above proves nothing", out, got);
	tine_stop(t);
}

/* What waiting for replaced workers needs. */
struct sbx_pool {
	struct tine	*t;
	const pid_t	*gone;
	int		 ngone;
};

/* Whether the pool is whole again without the workers in p->gone. */
static int
sbx_replaced(void *arg)
{
	struct sbx_pool	*p = arg;
	pid_t		 now[TINE_MAX_WORKERS];
	int		 n, i, j;

	n = tine_children(p->t->pid, now, TINE_MAX_WORKERS);
	for (i = 0; i < n; i++)
		for (j = 0; j < p->ngone; j++)
			if (now[i] == p->gone[j])
				return 0;
	return n == p->t->workers;
}

/* Make worker pid run the gdb command cmd, a call that must kill it;
 * expect the master's error line saying the sandbox did. */
static void
sbx_killed_by(struct tine *t, pid_t pid, const char *cmd)
{
	char		 want[256], *out;
	const char	*cmds[] = { cmd, NULL };
	long		 v[SBX_VALUES];

	sbx_gdb(t, pid, cmds, v);
	out = sbx_gdb_out(t);
	cr_expect_neq(strstr(out, "SIGSYS"), NULL, "gdb saw no SIGSYS after "
	    "%s: %s", cmd, out);
	free(out);
	snprintf(want, sizeof(want), "[error] [pid %d] worker %d (generation 1) "
	    "killed by the sandbox: a forbidden system call (SIGSYS)",
	    (int)t->pid, (int)pid);
	cr_expect_eq(tine_wait_log(t, want, 1, TINE_TIMEOUT_MS), 0,
	    "no \"%s\" line in the error log", want);
}

/* Make worker pid call socket(domain, type, 0), which must kill it. */
static void
sbx_socket_kills(struct tine *t, pid_t pid, int domain, int type)
{
	char	cmd[64];

	snprintf(cmd, sizeof(cmd), SBX_SOCKET, domain, type);
	sbx_killed_by(t, pid, cmd);
}

/*
 * A call off the allow-list kills the worker; the master says it was the
 * sandbox, at error level, and replaces it. With a log to syslog, the
 * unix datagram socket syslog(3) connects with is allowed, and no other.
 */
Test(sandbox, forbidden_call_kills_the_worker, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine		*t;
	struct tine_resp	 r;
	struct sbx_pool		 p;
	pid_t			 kids[TINE_MAX_WORKERS];
	char			 cmd[64];
	const char		*cmds[] = { cmd, SBX_CLOSE, NULL };
	long			 v[SBX_VALUES];

	sbx_need_root();
	t = sbx_start(SBX_CONF "\naccess_log = \"syslog\"", kids);
	snprintf(cmd, sizeof(cmd), SBX_SOCKET, AF_UNIX, SOCK_DGRAM);
	cr_assert_eq(sbx_gdb(t, kids[0], cmds, v), 2);
	cr_expect_geq(v[0], 0, "socket(AF_UNIX, SOCK_DGRAM) failed in the "
	    "worker: %ld", v[0]);
	cr_expect(tine_alive(kids[0]), "socket(AF_UNIX) killed the worker");
	sbx_socket_kills(t, kids[0], AF_INET, SOCK_STREAM);
	sbx_socket_kills(t, kids[1], AF_UNIX, SOCK_STREAM);
	p.t = t;
	p.gone = kids;
	p.ngone = 2;
	cr_expect_eq(tine_wait_until(sbx_replaced, &p, TINE_TIMEOUT_MS), 0,
	    "the killed workers were not replaced");
	cr_assert_eq(tine_get(t, "/", &r), 0);
	cr_expect_eq(r.status, 200);
	tine_resp_free(&r);
	tine_stop(t);
}

/*
 * The master compiles the filter once, and each worker puts its own pid
 * in it: a worker may signal itself (abort(3) does, with tgkill), and the
 * same call aimed at its sibling kills the caller, never the sibling.
 */
Test(sandbox, tgkill_reaches_only_the_worker_itself, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine	*t;
	pid_t		 kids[TINE_MAX_WORKERS];
	char		 cmd[64];
	const char	*cmds[] = { cmd, NULL };
	long		 v[SBX_VALUES];
	int		 i;

	sbx_need_root();
	t = sbx_start(SBX_CONF, kids);
	cr_assert_geq(t->workers, 2);
	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), SBX_TGKILL, (int)kids[i],
		    (int)kids[i]);
		cr_assert_eq(sbx_gdb(t, kids[i], cmds, v), 1);
		cr_expect_eq(v[0], 0, "worker %d could not signal itself: %ld",
		    (int)kids[i], v[0]);
		cr_expect(tine_alive(kids[i]), "tgkill of itself killed "
		    "worker %d", (int)kids[i]);
	}
	snprintf(cmd, sizeof(cmd), SBX_TGKILL, (int)kids[1], (int)kids[1]);
	sbx_killed_by(t, kids[0], cmd);
	cr_expect(tine_alive(kids[1]), "the sibling was killed");
	tine_stop(t);
}

/*
 * A symlink-swap deploy: the root is a link current -> v1; the link is
 * swapped atomically to v2 and the master reloaded. The new generation's
 * workers rule v2 with Landlock (the old ones ruled v1) and serve it.
 */
Test(sandbox, symlink_swap_deploy_with_reload, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t;
	struct tine_resp	 r;
	pid_t			 kids[TINE_MAX_WORKERS];
	char			 cur[TINE_PATH_MAX], tmp[TINE_PATH_MAX];
	char			 path[TINE_PATH_MAX], conf[2 * TINE_PATH_MAX];
	int			 n, i;

	cr_assert_not_null(t = tine_setup(sbx_conf()));
	cr_assert_eq(tine_write_file(tine_path(path, t->dir, "v1/index.html"),
	    "v1\n", 3, 0644), 0);
	cr_assert_eq(tine_write_file(tine_path(path, t->dir, "v2/index.html"),
	    "v2\n", 3, 0644), 0);
	cr_assert_eq(tine_write_file(tine_path(path, t->dir, "v2/new.txt"),
	    "new in v2\n", 10, 0644), 0);
	cr_assert_eq(symlink("v1", tine_path(cur, t->dir, "current")), 0);
	snprintf(conf, sizeof(conf), "document_root = \"%s\"\n%s", cur,
	    geteuid() == 0 ? SBX_CONF : "");
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_get(t, "/", &r), 0);
	cr_expect_str_eq(r.body, "v1\n");
	tine_resp_free(&r);

	cr_assert_eq(symlink("v2", tine_path(tmp, t->dir, "current.new")), 0);
	cr_assert_eq(rename(tmp, cur), 0);
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_log(t, "master ready: 2 workers, generation 2",
	    1, TINE_TIMEOUT_MS), 0, "no generation 2 after the reload");
	/* Until then the old workers may still take a connection. */
	cr_assert_eq(tine_wait_log(t, "generation 1 finished", 1,
	    TINE_TIMEOUT_MS), 0, "generation 1 did not finish");
	cr_assert_eq(tine_get(t, "/", &r), 0);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(r.body, "v2\n");
	tine_resp_free(&r);
	cr_assert_eq(tine_get(t, "/new.txt", &r), 0);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(r.body, "new in v2\n");
	tine_resp_free(&r);
	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	for (i = 0; i < n; i++)
		cr_expect_eq(sbx_status(kids[i], "Seccomp"), 2,
		    "worker %d is not confined", (int)kids[i]);
	tine_stop(t);
}

/*
 * Start t's tine as on a kernel without `what` ("landlock" or "seccomp"):
 * this test binary, run with SBX_WITHOUT, installs a filter that answers
 * as such a kernel would, then becomes tine (see main).
 */
static void
sbx_start_without(struct tine *t, const char *what)
{
	const char	*args[] = { SBX_WITHOUT, what, "-f", "-c", t->conf,
			    NULL };
	ssize_t		 n;

	n = readlink("/proc/self/exe", t->bin, sizeof(t->bin) - 1);
	cr_assert(n > 0 && (size_t)n < sizeof(t->bin) - 1);
	t->bin[n] = '\0';
	/* Criterion runs each test in a copy of this binary that finds its
	 * runner through BXFI_MAP: the copy that becomes tine is none. */
	unsetenv("BXFI_MAP");
	cr_assert_eq(tine_start_args(t, args, t->error_log), 0,
	    "tine did not start without %s", what);
}

/* Whether workers have a filter of their own (one more than the master). */
static void
sbx_expect_filter(struct tine *t, int own)
{
	pid_t	kids[TINE_MAX_WORKERS];
	long	master = sbx_status(t->pid, "Seccomp_filters");
	int	n, i;

	if (master == -1)
		return;
	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	for (i = 0; i < n; i++)
		cr_expect_eq(sbx_status(kids[i], "Seccomp_filters"),
		    master + own, "worker %d has %ld filters, the master %ld",
		    (int)kids[i], sbx_status(kids[i], "Seccomp_filters"),
		    master);
}

/* Reload and wait for the old generation to be gone; then a GET. */
static void
sbx_reload_serves(struct tine *t)
{
	struct tine_resp	r;

	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_log(t, "generation 1 finished", 1,
	    TINE_TIMEOUT_MS), 0, "no generation 2 after the reload");
	cr_assert_eq(tine_get(t, "/", &r), 0);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(r.body, TINE_INDEX_BODY);
	tine_resp_free(&r);
}

/* Whether the error log's first line holding needle is at level ("notice"). */
static int
sbx_logged_at(struct tine *t, const char *needle, const char *level)
{
	char	*log, *p, *start, tag[32];
	int	 found = 0;

	if ((log = tine_slurp(t->error_log, NULL)) == NULL)
		return 0;
	if ((p = strstr(log, needle)) != NULL) {
		for (start = p; start > log && start[-1] != '\n'; start--)
			;
		*p = '\0';
		snprintf(tag, sizeof(tag), "] [%s] [pid ", level);
		found = strstr(start, tag) != NULL;
	}
	free(log);
	return found;
}

/*
 * A kernel without Landlock, or without seccomp: one notice (from the
 * master's first worker, not one per worker or generation), and the
 * workers serve with the other part: a filter of their own or not.
 */
static void
sbx_without_test(const char *what, const char *notice, int own_filter)
{
	struct tine	*t;

	cr_assert_not_null(t = tine_setup(sbx_conf()));
	sbx_start_without(t, what);
	sbx_reload_serves(t);
	cr_expect_eq(tine_count(t->error_log, notice), 1, "%d notices \"%s\"",
	    tine_count(t->error_log, notice), notice);
	cr_expect(sbx_logged_at(t, notice, "notice"), "\"%s\" is not a "
	    "notice", notice);
	sbx_expect_filter(t, own_filter);
	tine_stop(t);
}

Test(sandbox, kernel_without_landlock, .fini = tine_teardown, .timeout = 60)
{
	sbx_without_test("landlock", "sandbox: this kernel has no Landlock", 1);
}

Test(sandbox, kernel_without_seccomp, .fini = tine_teardown, .timeout = 60)
{
	sbx_without_test("seccomp", "sandbox: this kernel has no seccomp", 0);
}

/* Run TINE_BIN with argv as on a kernel without `what`: a filter makes
 * landlock_create_ruleset() fail with ENOSYS, or PR_GET_SECCOMP with
 * EINVAL, as there. Never returns. */
static void __attribute__((noreturn))
sbx_without(const char *what, char **argv)
{
	const char	*bin = getenv("TINE_BIN");
	scmp_filter_ctx	 ctx = seccomp_init(SCMP_ACT_ALLOW);
	int		 rc = -1;

	if (ctx != NULL && strcmp(what, "landlock") == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
		    SCMP_SYS(landlock_create_ruleset), 0);
	else if (ctx != NULL && strcmp(what, "seccomp") == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL),
		    SCMP_SYS(prctl), 1, SCMP_A0_32(SCMP_CMP_EQ,
		    PR_GET_SECCOMP));
	/* As root, no no_new_privs: the master is to run as it would. */
	if (rc == 0 && geteuid() == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	if (rc != 0 || bin == NULL) {
		dprintf(STDERR_FILENO, "%s %s: cannot run TINE_BIN (%d)\n",
		    SBX_WITHOUT, what, rc);
		_exit(127);
	}
	argv[0] = (char *)bin;
	execv(bin, argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", bin, strerror(errno));
	_exit(127);
}

/* The tests, or tine on a kernel without something (SBX_WITHOUT). */
int
main(int argc, char *argv[])
{
	struct criterion_test_set	*tests;
	int				 result = 0;

	if (argc >= 3 && strcmp(argv[1], SBX_WITHOUT) == 0)
		sbx_without(argv[2], argv + 2);
	tests = criterion_initialize();
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}
