/* harness: run the real tine binary and talk HTTP to it (see harness.h). */
#include "tine_build.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "harness.h"

#define TINE_LIVE_MAX	8
#define TINE_POLL_MS	10
#define TINE_HEAD_MAX	(1024 * 1024)
#define TINE_CHUNK	65536

/*
 * The instances of this test. Criterion's .fini takes no argument and runs
 * after a failed assertion has unwound the test's stack, so the instances
 * live here (each test runs in its own process) for tine_teardown() to find.
 */
static struct tine tine_pool[TINE_LIVE_MAX];

static void	tine_rmdir(struct tine *);

/* Lines whose level a healthy server never writes. */
static const char *const tine_bad_levels[] = { "[emerg]", "[alert]", "[crit]" };

/* What sanitizers print on stderr when they find something. */
static const char *const tine_san_marks[] = {
	"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"
};

/* Milliseconds on the monotonic clock. */
long long
tine_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep a few milliseconds between two looks at a condition. */
static void
tine_nap(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Poll cond every few ms until it returns non-zero or timeout; 0 or -1. */
int
tine_wait_until(int (*cond)(void *), void *arg, int timeout_ms)
{
	long long	deadline = tine_now_ms() + timeout_ms;

	for (;;) {
		if (cond(arg))
			return 0;
		if (tine_now_ms() >= deadline)
			return -1;
		tine_nap(TINE_POLL_MS);
	}
}

/* Join dir and rel into buf (TINE_PATH_MAX); buf. */
char *
tine_path(char *buf, const char *dir, const char *rel)
{
	if (snprintf(buf, TINE_PATH_MAX, "%s/%s", dir, rel) >= TINE_PATH_MAX)
		cr_log_error("harness: path too long: %s/%s", dir, rel);
	return buf;
}

/* The whole file as a NUL-terminated string the caller frees; NULL if none. */
char *
tine_slurp(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;

	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	do {
		if (cap - len < TINE_CHUNK + 1) {
			char	*nb;

			cap = cap ? cap * 2 : TINE_CHUNK * 2;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, TINE_CHUNK, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* Occurrences of needle in the file at path (0 when it is missing). */
int
tine_count(const char *path, const char *needle)
{
	char		*text, *p;
	int		 n = 0;

	if ((text = tine_slurp(path, NULL)) == NULL)
		return 0;
	for (p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	free(text);
	return n;
}

/* Make every missing parent directory of path, mode 0755; 0 or -1. */
static int
tine_mkparents(const char *path)
{
	char	 buf[TINE_PATH_MAX], *p;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf))
		return -1;
	for (p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* Write a file (parents made 0755) with this mode; 0 or -1. */
int
tine_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	const char	*p = data;
	ssize_t		 n;
	int		 fd;

	if (tine_mkparents(path) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	/* fchmod, not open's mode, so the umask cannot narrow it. */
	if (fchmod(fd, mode) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Write a NUL-terminated string to docroot/rel, mode 0644; 0 or -1. */
int
tine_put(struct tine *t, const char *rel, const char *text)
{
	char	path[TINE_PATH_MAX];

	return tine_write_file(tine_path(path, t->docroot, rel), text,
	    strlen(text), 0644);
}

/* Byte i of a patterned file: a shifted or lost chunk breaks it. */
unsigned char
tine_pattern(size_t i)
{
	uint32_t	x = (uint32_t)(i / 4) * 2654435761u;

	return (unsigned char)(x >> (8 * (i % 4)));
}

/* Write docroot/rel: len bytes of tine_pattern(), mode 0644; 0 or -1. */
int
tine_put_pattern(struct tine *t, const char *rel, size_t len)
{
	char		 path[TINE_PATH_MAX];
	unsigned char	*buf = malloc(len);
	size_t		 i;
	int		 rc;

	if (buf == NULL)
		return -1;
	for (i = 0; i < len; i++)
		buf[i] = tine_pattern(i);
	rc = tine_write_file(tine_path(path, t->docroot, rel), buf, len, 0644);
	free(buf);
	return rc;
}

/* Whether this host has a usable ::1. */
int
tine_have_ipv6(void)
{
	struct sockaddr_in6	sin6 = { .sin6_family = AF_INET6 };
	int			fd, ok;

	sin6.sin6_addr = in6addr_loopback;
	if ((fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	ok = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
	close(fd);
	return ok;
}

/* Fill a loopback address of family with port; its length. */
static socklen_t
tine_loopback(int family, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = htons((uint16_t)port);
		return sizeof(*sin6);
	}
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons((uint16_t)port);
	return sizeof(*sin);
}

/* Bind (and listen, if asked) a loopback socket; the port or -1. */
static int
tine_try_bind(int family, int port, int reuse, int do_listen)
{
	struct sockaddr_storage	ss;
	socklen_t		sl;
	int			fd, one = 1, ret = -1;

	if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (reuse)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	sl = tine_loopback(family, port, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) == 0 &&
	    (!do_listen || listen(fd, 1) == 0)) {
		sl = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
			ret = ntohs(family == AF_INET6 ?
			    ((struct sockaddr_in6 *)&ss)->sin6_port :
			    ((struct sockaddr_in *)&ss)->sin_port);
	}
	close(fd);
	return ret;
}

/* A port nothing listens on at 127.0.0.1 and ::1 right now; -1 if none. */
int
tine_free_port(void)
{
	int	i, port, v6 = tine_have_ipv6();

	for (i = 0; i < 50; i++) {
		if ((port = tine_try_bind(AF_INET, 0, 0, 0)) == -1)
			continue;
		if (!v6 || tine_try_bind(AF_INET6, port, 0, 0) == port)
			return port;
	}
	return -1;
}

/* Whether a listener could bind 127.0.0.1:port now (SO_REUSEADDR). */
int
tine_port_bindable(int port)
{
	return tine_try_bind(AF_INET, port, 1, 1) == port;
}

/* Whether line (up to its newline) names a key that extra sets. */
static int
tine_key_in(const char *key, size_t keylen, const char *extra)
{
	const char	*p = extra;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, key, keylen) == 0) {
			const char	*q = p + keylen;

			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == '=' || (q[0] == '+' && q[1] == '='))
				return 1;
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return 0;
}

/* Append one base config line to f unless extra sets the same key. */
static void
tine_conf_line(FILE *f, const char *extra, const char *line)
{
	size_t	keylen = strcspn(line, " =");

	if (extra == NULL || !tine_key_in(line, keylen, extra))
		fprintf(f, "%s\n", line);
}

/* Write t->conf: the base lines the harness needs, then extra; 0 or -1. */
static int
tine_write_conf(struct tine *t, const char *extra)
{
	char	 line[TINE_PATH_MAX + 64];
	FILE	*f;

	if ((f = fopen(t->conf, "we")) == NULL)
		return -1;
	fprintf(f, "# written by the tine integration harness\n");
	snprintf(line, sizeof(line), "listen = {\"127.0.0.1:%d\"}", t->port);
	tine_conf_line(f, extra, line);
	snprintf(line, sizeof(line), "document_root = \"%s\"", t->docroot);
	tine_conf_line(f, extra, line);
	tine_conf_line(f, extra, "index = {\"index.html\"}");
	tine_conf_line(f, extra, "workers = 2");
	snprintf(line, sizeof(line), "pid_file = \"%s\"", t->pid_file);
	tine_conf_line(f, extra, line);
	snprintf(line, sizeof(line), "error_log = \"%s\"", t->error_log);
	tine_conf_line(f, extra, line);
	snprintf(line, sizeof(line), "access_log = \"%s\"", t->access_log);
	tine_conf_line(f, extra, line);
	tine_conf_line(f, extra, "log_level = \"info\"");
	if (extra != NULL)
		fprintf(f, "%s\n", extra);
	if (fclose(f) == EOF)
		return -1;
	return chmod(t->conf, 0644);
}

/* The worker count extra sets, or 2 (the base config's). */
static int
tine_conf_workers(const char *extra)
{
	const char	*p;
	int		 n;

	if (extra == NULL || !tine_key_in("workers", 7, extra))
		return 2;
	for (p = extra; (p = strstr(p, "workers")) != NULL; p++)
		if (sscanf(p, "workers = %d", &n) == 1)
			return n;
	return 2;
}

/* A free slot of the pool, cleared; NULL when all are taken. */
static struct tine *
tine_alloc(void)
{
	int	i;

	for (i = 0; i < TINE_LIVE_MAX; i++)
		if (!tine_pool[i].used) {
			memset(&tine_pool[i], 0, sizeof(tine_pool[i]));
			tine_pool[i].used = 1;
			return &tine_pool[i];
		}
	cr_log_error("harness: more than %d instances in one test",
	    TINE_LIVE_MAX);
	return NULL;
}

/* Fill t's dir, files and config; 0 or -1. */
static int
tine_prepare(struct tine *t, const char *extra)
{
	const char	*bin = getenv("TINE_BIN"), *tmp = getenv("TMPDIR");
	char		 dir[TINE_PATH_MAX];

	if (bin == NULL || *bin == '\0') {
		cr_log_error("harness: TINE_BIN is not set");
		return -1;
	}
	strlcpy(t->bin, bin, sizeof(t->bin));
	snprintf(t->dir, sizeof(t->dir), "%s/tine-it.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(t->dir) == NULL) {
		t->dir[0] = '\0';
		return -1;
	}
	/* Workers run as www-data when the tests run as root. */
	if (chmod(t->dir, 0755) == -1)
		return -1;
	/* A copy, so no path is built from a member of the struct it fills. */
	strlcpy(dir, t->dir, sizeof(dir));
	tine_path(t->docroot, dir, "www");
	tine_path(t->conf, dir, "tine.conf");
	tine_path(t->error_log, dir, "error.log");
	tine_path(t->access_log, dir, "access.log");
	tine_path(t->pid_file, dir, "tine.pid");
	tine_path(t->out, dir, "stdout");
	tine_path(t->err, dir, "stderr");
	strlcpy(t->ready_log, t->error_log, sizeof(t->ready_log));
	if (mkdir(t->docroot, 0755) == -1 || chmod(t->docroot, 0755) == -1)
		return -1;
	if (tine_put(t, "index.html", TINE_INDEX_BODY) == -1)
		return -1;
	if ((t->port = tine_free_port()) == -1)
		return -1;
	return tine_config(t, extra);
}

/* Rewrite t->conf: base lines, less those extra replaces, then extra. */
int
tine_config(struct tine *t, const char *extra)
{
	t->workers = tine_conf_workers(extra);
	return tine_write_conf(t, extra);
}

/* A new instance: temp dir, docroot, config; NULL on failure. */
struct tine *
tine_setup(const char *extra)
{
	struct tine	*t;

	if ((t = tine_alloc()) == NULL)
		return NULL;
	if (tine_prepare(t, extra) == -1) {
		cr_log_error("harness: setup failed in %s: %s", t->dir,
		    strerror(errno));
		tine_rmdir(t);
		t->used = 0;
		return NULL;
	}
	return t;
}

/* Child side of a spawn: redirect, tie to the test process, exec. */
static void __attribute__((noreturn))
tine_exec(struct tine *t, const char *const *args, pid_t parent)
{
	const char	*argv[32];
	int		 fd, i;

	/* A test killed by its timeout must not leave a server behind. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	argv[0] = t->bin;
	for (i = 0; args[i] != NULL && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if ((fd = open("/dev/null", O_RDONLY)) != -1)
		dup2(fd, 0);
	if ((fd = open(t->out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1)
		dup2(fd, 1);
	if ((fd = open(t->err, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1)
		dup2(fd, 2);
	/* Criterion's own pipes must not outlive the test in the server. */
	closefrom(3);
	/* glibc fills what malloc() gives and free() takes with this byte
	 * pattern: a field read before it is set shows in every test rather
	 * than only on reused memory (AddressSanitizer builds ignore it). */
	setenv("MALLOC_PERTURB_", "165", 0);
	execv(t->bin, (char *const *)argv);
	_exit(127);
}

/* Fork and exec tine with args; the pid or -1. */
static pid_t
tine_spawn(struct tine *t, const char *const *args)
{
	pid_t	parent = getpid(), pid;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0)
		tine_exec(t, args, parent);
	return pid;
}

/* Put the head of a file into the test's log, for a failure's reader. */
static void
tine_dump(const char *what, const char *path)
{
	char	*text;

	if ((text = tine_slurp(path, NULL)) == NULL || *text == '\0') {
		free(text);
		return;
	}
	if (strlen(text) > 4000)
		strcpy(text + 3990, "\n[...]");
	cr_log_warn("%s (%s):\n%s", what, path, text);
	free(text);
}

/* Reap pid if it has exited, waiting at most timeout_ms; status or -1. */
static int
tine_reap(pid_t pid, int timeout_ms)
{
	long long	deadline = tine_now_ms() + timeout_ms;
	int		status;
	pid_t		r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r == -1 && errno != EINTR)
			return -1;
		if (tine_now_ms() >= deadline)
			return -1;
		tine_nap(TINE_POLL_MS);
	}
}

/* Start tine with these arguments and wait for the ready line; 0 or -1. */
int
tine_start_args(struct tine *t, const char *const *args, const char *ready_log)
{
	long long	deadline = tine_now_ms() + TINE_TIMEOUT_MS;
	int		status, want = 1;

	strlcpy(t->ready_log, ready_log, sizeof(t->ready_log));
	/* A restart appends to the same log: wait for one line more. */
	if (strcmp(ready_log, t->err) != 0 && strcmp(ready_log, t->out) != 0)
		want += tine_count(ready_log, "master ready:");
	if ((t->pid = tine_spawn(t, args)) == -1) {
		t->pid = 0;
		return -1;
	}
	while (tine_count(t->ready_log, "master ready:") < want) {
		if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
			cr_log_error("harness: tine exited before ready "
			    "(status 0x%x)", status);
			t->pid = 0;
			break;
		}
		if (tine_now_ms() >= deadline) {
			cr_log_error("harness: no ready line in %s after %d ms",
			    t->ready_log, TINE_TIMEOUT_MS);
			break;
		}
		tine_nap(TINE_POLL_MS);
	}
	if (t->pid != 0 && tine_count(t->ready_log, "master ready:") >= want) {
		t->ready = 1;
		return 0;
	}
	tine_dump("stderr", t->err);
	tine_dump("error log", t->error_log);
	return -1;
}

/* Start `tine -f -c conf` and wait for the ready line; 0 or -1. */
int
tine_start(struct tine *t)
{
	const char *const	args[] = { "-f", "-c", t->conf, NULL };

	return tine_start_args(t, args, t->error_log);
}

/* Run tine to completion with these arguments; exit status or -1. */
int
tine_run(struct tine *t, const char *const *args, int timeout_ms)
{
	pid_t	pid;
	int	status;

	if ((pid = tine_spawn(t, args)) == -1)
		return -1;
	if ((status = tine_reap(pid, timeout_ms)) == -1) {
		cr_log_error("harness: tine %s did not exit in %d ms",
		    args[0] != NULL ? args[0] : "", timeout_ms);
		kill(pid, SIGKILL);
		tine_reap(pid, TINE_TIMEOUT_MS);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The number of the first line of the file at path that holds mark; 0
 * when none does. */
int
tine_line_of(const char *path, const char *mark)
{
	char		*text, *hit;
	const char	*p;
	int		 line = 0;

	if ((text = tine_slurp(path, NULL)) == NULL)
		return 0;
	if ((hit = strstr(text, mark)) != NULL)
		for (line = 1, p = text; p < hit; p++)
			line += *p == '\n';
	free(text);
	return line;
}

/* tine -t on a new instance's config of the base lines and extra; see
 * harness.h. */
char *
tine_check_extra(const char *extra, const char *mark, int *status,
    int *line)
{
	struct tine	*t = tine_setup(extra);
	char		*out;

	cr_assert_not_null(t, "harness: no instance for tine -t");
	if (line != NULL)
		*line = tine_line_of(t->conf, mark);
	out = tine_check(t, status);
	tine_stop(t);
	return out;
}

/* Run tine -t on t's config; its stderr from "tine.conf:" on (so callers
 * match FILE:LINE without the temp path), which the caller frees. */
char *
tine_check(struct tine *t, int *status)
{
	const char	*args[] = { "-t", "-c", NULL, NULL };
	char		*err, *out;

	args[2] = t->conf;
	*status = tine_run(t, args, TINE_TIMEOUT_MS);
	if ((err = tine_slurp(t->err, NULL)) == NULL)
		return strdup("");
	out = strdup(strstr(err, "tine.conf:") != NULL ? strstr(err,
	    "tine.conf:") : err);
	free(err);
	return out;
}

/* Wait until needle occurs count times in t->ready_log; 0 or -1. */
int
tine_wait_log(struct tine *t, const char *needle, int count, int timeout_ms)
{
	return tine_wait_file(t->ready_log, needle, count, timeout_ms);
}

/* Wait until needle occurs count times in the file at path; 0 or -1. */
int
tine_wait_file(const char *path, const char *needle, int count,
    int timeout_ms)
{
	long long	deadline = tine_now_ms() + timeout_ms;

	while (tine_count(path, needle) < count) {
		if (tine_now_ms() >= deadline)
			return -1;
		tine_nap(TINE_POLL_MS);
	}
	return 0;
}

/* Wait for the master to exit and reap it; its wait status or -1. */
int
tine_wait_exit(struct tine *t, int timeout_ms)
{
	int	status;

	if (t->pid <= 0)
		return -1;
	if ((status = tine_reap(t->pid, timeout_ms)) != -1)
		t->pid = 0;
	return status;
}

/* Send sig to the master and wait for it to exit; wait status or -1. */
int
tine_signal_wait(struct tine *t, int sig, int timeout_ms)
{
	if (t->pid <= 0 || kill(t->pid, sig) == -1)
		return -1;
	return tine_wait_exit(t, timeout_ms);
}

/* The first line of text holding mark, copied into buf; buf or NULL. */
static const char *
tine_find_line(const char *text, const char *mark, char *buf, size_t len)
{
	const char	*p, *bol, *eol;

	if ((p = strstr(text, mark)) == NULL)
		return NULL;
	for (bol = p; bol > text && bol[-1] != '\n'; bol--)
		;
	eol = strchrnul(p, '\n');
	snprintf(buf, len, "%.*s", (int)(eol - bol), bol);
	return buf;
}

/* Expect a log holds none of the first n marks; with must, that it exists. */
static void
tine_expect_clean(const char *path, const char *const *marks, size_t n,
    int must)
{
	char		*text, line[512];
	size_t		 i;

	if ((text = tine_slurp(path, NULL)) == NULL) {
		/* The log an instance said "ready" in cannot vanish. */
		cr_expect_not(must, "%s is missing: its log cannot be checked",
		    path);
		return;
	}
	for (i = 0; i < n; i++)
		cr_expect(tine_find_line(text, marks[i], line, sizeof(line)) ==
		    NULL, "%s has a %s line: %s", path, marks[i], line);
	free(text);
}

/* Remove one entry of the temp tree; nftw callback. */
static int
tine_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Remove the temp dir unless TINE_KEEP asks to keep it. */
static void
tine_rmdir(struct tine *t)
{
	if (t->dir[0] == '\0')
		return;
	if (getenv("TINE_KEEP") != NULL)
		cr_log_info("harness: kept %s", t->dir);
	else
		nftw(t->dir, tine_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	t->dir[0] = '\0';
}

/* A list of pids for tine_all_gone(). */
struct tine_pids {
	const pid_t	*pid;
	int		 n;
};

/* Whether every pid of the list is gone; a tine_wait_until() cond. */
static int
tine_all_gone(void *arg)
{
	const struct tine_pids	*l = arg;
	int			 i;

	for (i = 0; i < l->n; i++)
		if (tine_alive(l->pid[i]))
			return 0;
	return 1;
}

/* Wait until none of n pids is alive; 0, or -1 at the timeout. */
int
tine_wait_gone(const pid_t *pids, int n, int timeout_ms)
{
	struct tine_pids	l = { pids, n };

	return tine_wait_until(tine_all_gone, &l, timeout_ms);
}

/* Stop the master with sig; SIGKILL it and its children if that fails. */
static int
tine_end(struct tine *t, int sig, int timeout_ms, int *workers_ok)
{
	pid_t	kids[TINE_MAX_WORKERS];
	int	n, i, status;

	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	if ((status = tine_signal_wait(t, sig, timeout_ms)) == -1) {
		kill(t->pid, SIGKILL);
		tine_reap(t->pid, TINE_TIMEOUT_MS);
		t->pid = 0;
	}
	*workers_ok = tine_wait_gone(kids, n, timeout_ms) == 0;
	/* Only this instance's own workers, each by pid. */
	for (i = 0; i < n; i++)
		if (tine_alive(kids[i]))
			kill(kids[i], SIGKILL);
	return status;
}

/* SIGTERM, bounded wait, expect everything gone and clean logs. */
void
tine_stop(struct tine *t)
{
	int	status = 0, workers_ok = 1;

	if (t->pid > 0) {
		status = tine_end(t, SIGTERM, TINE_STOP_MS, &workers_ok);
		cr_expect(status != -1, "master did not exit within %d ms of "
		    "SIGTERM", TINE_STOP_MS);
		cr_expect(workers_ok, "workers outlived the master by more "
		    "than %d ms", TINE_STOP_MS);
	}
	tine_expect_clean(t->error_log, tine_bad_levels, 3, 0);
	tine_expect_clean(t->err, tine_bad_levels, 3, 0);
	tine_expect_clean(t->err, tine_san_marks, 3, 0);
	tine_expect_clean(t->error_log, tine_san_marks, 3, 0);
	if (t->ready) {
		tine_expect_clean(t->ready_log, tine_bad_levels, 3, 1);
		tine_expect_clean(t->ready_log, tine_san_marks, 3, 1);
	}
	tine_rmdir(t);
	t->used = 0;
}

/* The Criterion .fini: end what a failed test left running, no assertions. */
void
tine_teardown(void)
{
	int	i, workers_ok;

	for (i = 0; i < TINE_LIVE_MAX; i++) {
		struct tine	*t = &tine_pool[i];

		if (!t->used)
			continue;
		if (t->pid > 0) {
			tine_dump("stderr", t->err);
			tine_dump("error log", t->error_log);
			tine_end(t, SIGTERM, TINE_STOP_MS, &workers_ok);
		}
		tine_rmdir(t);
		t->used = 0;
	}
}

/* ---- sockets and HTTP ---- */

/* Wait for fd to be ready for events until deadline; 1, 0 timeout, -1. */
static int
tine_poll(int fd, short events, long long deadline)
{
	struct pollfd	pfd = { .fd = fd, .events = events };
	long long	left;
	int		r;

	for (;;) {
		if ((left = deadline - tine_now_ms()) < 0)
			left = 0;
		r = poll(&pfd, 1, (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		return r;
	}
}

/* Connect to 127.0.0.1 (AF_INET) or ::1 (AF_INET6); 0 or -1. */
int
tine_conn_open(struct tine_conn *c, int family, int port)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = tine_loopback(family, port, &ss);
	socklen_t		elen = sizeof(int);
	int			err = 0;

	memset(c, 0, sizeof(*c));
	c->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&ss, sl) == 0)
		return 0;
	if (errno == EINPROGRESS &&
	    tine_poll(c->fd, POLLOUT, tine_now_ms() + TINE_TIMEOUT_MS) == 1 &&
	    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 &&
	    err == 0)
		return 0;
	close(c->fd);
	c->fd = -1;
	return -1;
}

/* Ask for path with Connection: close as a slow reader (s->size, s->rate
 * and s->chunk set by the caller): a receive buffer of rcvbuf bytes, set
 * before connect so the window the server sees is small too; 0 or -1. */
int
tine_slow_open(struct tine_slow *s, int port, const char *path, int rcvbuf)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = tine_loopback(AF_INET, port, &ss);
	struct timeval		tv = { TINE_TIMEOUT_MS / 1000, 0 };
	char			req[TINE_PATH_MAX + 64];
	int			len;

	/* What the caller set stays; the rest starts empty. */
	memset(&s->fd, 0, sizeof(*s) - offsetof(struct tine_slow, fd));
	len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost"
	    "\r\nConnection: close\r\n\r\n", path);
	if ((s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof(rcvbuf)) == -1 || setsockopt(s->fd, SOL_SOCKET,
	    SO_RCVTIMEO, &tv, sizeof(tv)) == -1 || connect(s->fd,
	    (struct sockaddr *)&ss, sl) == -1 || send(s->fd, req, (size_t)len,
	    MSG_NOSIGNAL) != len) {
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	s->start = tine_now_ms();
	return 0;
}

/* Take n received bytes: the head first, then body checked byte by byte. */
static void
tine_slow_take(struct tine_slow *s, const unsigned char *p, size_t n)
{
	char	*end;
	size_t	 i, used = 0;

	if (!s->have_head) {
		used = n < sizeof(s->head) - 1 - s->headlen ? n :
		    sizeof(s->head) - 1 - s->headlen;
		memcpy(s->head + s->headlen, p, used);
		s->head[s->headlen + used] = '\0';
		if ((end = strstr(s->head, "\r\n\r\n")) == NULL) {
			s->headlen += used;
			return;
		}
		used = (size_t)(end + 4 - s->head) - s->headlen;
		s->headlen = (size_t)(end + 4 - s->head);
		s->have_head = 1;
	}
	for (i = used; i < n; i++, s->body++)
		if (s->bad_at == 0 && (s->body >= s->size ||
		    p[i] != tine_pattern(s->body)))
			s->bad_at = s->body + 1;
}

/* Read one chunk, check it against tine_pattern(), keep to the rate; 0 at
 * the end (a close, an error, TINE_TIMEOUT_MS without a byte), else 1. */
int
tine_slow_read(struct tine_slow *s)
{
	unsigned char	buf[TINE_SLOW_CHUNK];
	struct timespec	ts;
	long long	left;
	ssize_t		n;

	n = recv(s->fd, buf, s->chunk < sizeof(buf) ? s->chunk : sizeof(buf),
	    0);
	if (n == -1 && errno == EINTR)
		return 1;
	if (n <= 0) {
		s->eof = n == 0;
		return 0;
	}
	tine_slow_take(s, buf, (size_t)n);
	s->got += (size_t)n;
	left = s->start + (long long)(s->got * 1000 / s->rate) - tine_now_ms();
	if (left > 0) {
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		nanosleep(&ts, NULL);
	}
	return 1;
}

/* Send all of len bytes; 0 or -1. */
int
tine_conn_send(struct tine_conn *c, const void *data, size_t len)
{
	long long	 deadline = tine_now_ms() + TINE_TIMEOUT_MS;
	const char	*p = data;
	ssize_t		 n;

	while (len > 0) {
		n = c->send != NULL ? c->send(c->layer, p, len) :
		    send(c->fd, p, len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN ||
			    tine_poll(c->fd, POLLOUT, deadline) != 1)
				return -1;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send a NUL-terminated string; 0 or -1. */
int
tine_conn_sends(struct tine_conn *c, const char *s)
{
	return tine_conn_send(c, s, strlen(s));
}

/* Read more bytes into the buffer; >0 read, 0 peer closed, -1 timeout. */
static int
tine_conn_fill(struct tine_conn *c, long long deadline)
{
	ssize_t	n;

	if (c->eof)
		return 0;
	if (c->cap - c->len < TINE_CHUNK + 1) {
		size_t	 cap = c->cap ? c->cap * 2 : TINE_CHUNK * 2;
		char	*nb;

		if ((nb = realloc(c->buf, cap)) == NULL)
			return -1;
		c->buf = nb;
		c->cap = cap;
	}
	for (;;) {
		n = c->recv != NULL ? c->recv(c->layer, c->buf + c->len,
		    TINE_CHUNK) : recv(c->fd, c->buf + c->len, TINE_CHUNK, 0);
		if (n > 0) {
			c->len += (size_t)n;
			c->buf[c->len] = '\0';
			return 1;
		}
		if (n == 0 || errno == ECONNRESET) {
			c->eof = 1;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || tine_poll(c->fd, POLLIN, deadline) != 1)
			return -1;
	}
}

/* Parse the status line and headers of head into r; 0 or -1. */
static int
tine_parse_head(struct tine_resp *r)
{
	const u_char	*h = (const u_char *)r->head;
	char		*line, *next, *colon, *v, *e;

	if (strncmp(r->head, "HTTP/1.", 7) != 0 || !isdigit(h[7]) ||
	    h[8] != ' ' || !isdigit(h[9]) || !isdigit(h[10]) ||
	    !isdigit(h[11]) || (h[12] != ' ' && h[12] != '\r'))
		return -1;
	r->minor = r->head[7] - '0';
	r->status = atoi(r->head + 9);
	line = strstr(r->head, "\r\n") + 2;
	for (; *line != '\0'; line = next) {
		if ((next = strstr(line, "\r\n")) == NULL)
			return -1;
		if (next == line)
			break;
		colon = memchr(line, ':', (size_t)(next - line));
		if (colon == NULL || r->nhdr == TINE_MAX_HEADERS)
			return -1;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (e = next; e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		r->name[r->nhdr] = strndup(line, (size_t)(colon - line));
		r->value[r->nhdr] = strndup(v, (size_t)(e - v));
		r->nhdr++;
		next += 2;
	}
	return 0;
}

/* Bytes of body this response carries: -2 none known (until close), -1 bad. */
static long long
tine_body_length(const struct tine_resp *r, int head_only)
{
	const char	*cl;
	char		*end;
	long long	 n;

	if (head_only || r->status / 100 == 1 || r->status == 204 ||
	    r->status == 304)
		return 0;
	if (tine_resp_header(r, "Transfer-Encoding") != NULL)
		return -1;	/* a static server has no reason to chunk */
	if ((cl = tine_resp_header(r, "Content-Length")) == NULL)
		return -2;
	errno = 0;
	n = strtoll(cl, &end, 10);
	if (errno != 0 || end == cl || *end != '\0' || n < 0)
		return -1;
	return n;
}

/* Move the first n buffered bytes into a new string *out. */
static void
tine_conn_take(struct tine_conn *c, size_t n, char **out)
{
	if ((*out = malloc(n + 1)) != NULL) {
		memcpy(*out, c->buf, n);
		(*out)[n] = '\0';
	}
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	c->buf[c->len] = '\0';
}

/* Read one response; 0, or -1 on timeout, early close or bad response. */
int
tine_conn_read(struct tine_conn *c, int head_only, int timeout_ms,
    struct tine_resp *r)
{
	long long	 deadline = tine_now_ms() + timeout_ms, blen;
	char		*end;

	memset(r, 0, sizeof(*r));
	while (c->buf == NULL ||
	    (end = memmem(c->buf, c->len, "\r\n\r\n", 4)) == NULL) {
		if (c->len > TINE_HEAD_MAX || tine_conn_fill(c, deadline) != 1)
			return -1;
	}
	tine_conn_take(c, (size_t)(end + 4 - c->buf), &r->head);
	if (r->head == NULL || tine_parse_head(r) == -1)
		return -1;
	if ((blen = tine_body_length(r, head_only)) == -1)
		return -1;
	if (blen == -2) {
		while (tine_conn_fill(c, deadline) == 1)
			;
		if (!c->eof)
			return -1;
		blen = (long long)c->len;
	}
	while (c->len < (size_t)blen)
		if (tine_conn_fill(c, deadline) != 1)
			return -1;
	r->bodylen = (size_t)blen;
	tine_conn_take(c, r->bodylen, &r->body);
	return r->body == NULL ? -1 : 0;
}

/* Wait for the peer to close: 1 closed, 0 still open, -1 more bytes. */
int
tine_conn_wait_close(struct tine_conn *c, int timeout_ms)
{
	int	r;

	if (c->len > 0)
		return -1;
	r = tine_conn_fill(c, tine_now_ms() + timeout_ms);
	if (r == 1)
		return -1;
	return c->eof ? 1 : 0;
}

/* Close the socket and free the buffer. */
void
tine_conn_close(struct tine_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Value of a header (case-insensitive name), NULL if absent. */
const char *
tine_resp_header(const struct tine_resp *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->nhdr; i++)
		if (r->name[i] != NULL && strcasecmp(r->name[i], name) == 0)
			return r->value[i];
	return NULL;
}

/* How many times a header occurs. */
int
tine_resp_count(const struct tine_resp *r, const char *name)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < r->nhdr; i++)
		if (r->name[i] != NULL && strcasecmp(r->name[i], name) == 0)
			n++;
	return n;
}

/* The IMF-fixdate of when, written here independently of tine's. */
char *
tine_http_date(time_t when, char *buf, size_t len)
{
	struct tm	tm;

	gmtime_r(&when, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return buf;
}

/* Release a response's strings. */
void
tine_resp_free(struct tine_resp *r)
{
	size_t	i;

	for (i = 0; i < r->nhdr; i++) {
		free(r->name[i]);
		free(r->value[i]);
	}
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* One request on a new IPv4 connection, one response; 0 or -1. */
int
tine_request(struct tine *t, const char *req, int head_only,
    struct tine_resp *r)
{
	struct tine_conn	c;
	int			ret = -1;

	memset(r, 0, sizeof(*r));
	if (tine_conn_open(&c, AF_INET, t->port) == -1)
		return -1;
	if (tine_conn_sends(&c, req) == 0)
		ret = tine_conn_read(&c, head_only, TINE_TIMEOUT_MS, r);
	tine_conn_close(&c);
	return ret;
}

/* method path with this Host and extra header lines (may be NULL), and
 * Connection: close, on a new connection; 0 or -1. */
int
tine_ask(struct tine *t, const char *method, const char *host,
    const char *path, const char *extra, struct tine_resp *r)
{
	char	req[2048];
	int	n;

	n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: %s\r\n%s"
	    "Connection: close\r\n\r\n", method, path, host,
	    extra != NULL ? extra : "");
	if (n < 0 || (size_t)n >= sizeof(req))
		return -1;
	return tine_request(t, req, strcmp(method, "HEAD") == 0, r);
}

/* GET path with Connection: close; 0 or -1. */
int
tine_get(struct tine *t, const char *path, struct tine_resp *r)
{
	char	req[TINE_PATH_MAX + 128];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\n\r\n", path);
	return tine_request(t, req, 0, r);
}

/* Send raw bytes, read until the peer closes or is idle for idle_ms. */
int
tine_exchange(int family, int port, const void *req, size_t len, int idle_ms,
    struct tine_raw *raw)
{
	struct tine_conn	c;

	memset(raw, 0, sizeof(*raw));
	if (tine_conn_open(&c, family, port) == -1)
		return -1;
	if (tine_conn_send(&c, req, len) == -1) {
		tine_conn_close(&c);
		return -1;
	}
	while (tine_conn_fill(&c, tine_now_ms() + idle_ms) == 1)
		;
	raw->closed = c.eof;
	raw->len = c.len;
	raw->data = c.buf != NULL ? c.buf : strdup("");
	c.buf = NULL;
	tine_conn_close(&c);
	return 0;
}

/* Release a raw exchange. */
void
tine_raw_free(struct tine_raw *raw)
{
	free(raw->data);
	memset(raw, 0, sizeof(*raw));
}

/* ---- processes ---- */

/* State and parent of pid from /proc/PID/stat; 0 or -1. */
static int
tine_stat(pid_t pid, char *state, pid_t *ppid)
{
	char	path[64], buf[1024], *p;
	FILE	*f;
	int	pp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* The command name may hold spaces and parentheses: skip past it. */
	if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %c %d", state, &pp) != 2)
		return -1;
	*ppid = pp;
	return 0;
}

/* Whether pid exists and is not a zombie. */
int
tine_alive(pid_t pid)
{
	char	state;
	pid_t	ppid;

	if (pid <= 0 || tine_stat(pid, &state, &ppid) == -1)
		return 0;
	return state != 'Z' && state != 'X' && state != 'x';
}

/* Whether pid is stopped (SIGSTOP: state T in /proc/PID/stat). */
int
tine_stopped(pid_t pid)
{
	char	state;
	pid_t	ppid;

	return pid > 0 && tine_stat(pid, &state, &ppid) == 0 && state == 'T';
}

/* Field n (numbered as in proc(5), n >= 4: the numbers after the state)
 * of /proc/PID/stat into *out; 0 or -1. */
int
tine_stat_field(pid_t pid, int n, unsigned long long *out)
{
	char	path[64], buf[1024], *p, *end;
	FILE	*f;
	int	 i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (n < 4 || (f = fopen(path, "re")) == NULL)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* The command (field 2) may hold spaces: count from its ')'. */
	if (p == NULL || (p = strrchr(buf, ')')) == NULL)
		return -1;
	p += 2;				/* ") ", then the state (field 3) */
	for (i = 3; i < n && p != NULL; i++)
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	if (p == NULL || !isdigit((u_char)*p))
		return -1;
	*out = strtoull(p, &end, 10);
	return 0;
}

/* Whether a mapping of pid has a path holding needle (see harness.h). */
int
tine_maps(pid_t pid, const char *needle)
{
	char	name[64], line[1024], *path;
	int	found = 0;
	FILE	*f;

	snprintf(name, sizeof(name), "/proc/%d/maps", (int)pid);
	if ((f = fopen(name, "r")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = (path = strchr(line, '/')) != NULL &&
		    strstr(path, needle) != NULL;
	fclose(f);
	return found;
}

/* Whether the master or a worker maps needle (see harness.h). */
int
tine_tree_maps(pid_t master, const char *needle)
{
	pid_t	kids[TINE_MAX_WORKERS];
	int	n, i, r;

	if ((r = tine_maps(master, needle)) != 0)
		return r;
	n = tine_children(master, kids, TINE_MAX_WORKERS);
	for (i = 0; i < n; i++) {
		r = tine_maps(kids[i], needle);
		/* Gone since it was listed: its maps went with it. */
		if (r == -1 && (errno == ENOENT || errno == ESRCH))
			continue;
		if (r != 0)
			return r;
	}
	return 0;
}

/* A socket option of a process's listener (see harness.h). */
int
tine_sockopt(pid_t pid, int port, int level, int opt)
{
	struct sockaddr_in	 sin;
	socklen_t		 len;
	int			 pfd, fd, n, v = -1, val;

	if ((pfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
		return -1;
	for (n = 0; n < 1024 && v == -1; n++) {
		if ((fd = (int)syscall(SYS_pidfd_getfd, pfd, n, 0)) == -1)
			continue;
		len = sizeof(sin);
		if (getsockname(fd, (struct sockaddr *)&sin, &len) == 0 &&
		    sin.sin_family == AF_INET && ntohs(sin.sin_port) == port) {
			len = sizeof(val);
			if (getsockopt(fd, level, opt, &val, &len) == 0)
				v = val;
		}
		close(fd);
	}
	close(pfd);
	return v;
}

/* A socket's row of /proc/net/tcp (see harness.h). */
int
tine_tcp_row(int lport, int rport, int *state, long *txq)
{
	char		 line[512];
	unsigned	 lp, rp, st;
	unsigned long	 tx;
	int		 r = 1;
	FILE		*f;

	if ((f = fopen("/proc/net/tcp", "re")) == NULL)
		return -1;
	while (r == 1 && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " %*u: %*x:%x %*x:%x %x %lx", &lp, &rp, &st,
		    &tx) == 4 && (int)lp == lport && (int)rp == rport) {
			*state = (int)st;
			*txq = (long)tx;
			r = 0;
		}
	fclose(f);
	return r;
}

/* The value in KiB of the line "key: N kB" of /proc/PID/file; -1 if
 * unknown. */
long
tine_proc_kib(pid_t pid, const char *file, const char *key)
{
	char	path[64], line[128];
	long	kib = -1;
	size_t	len = strlen(key);
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, len) == 0 && line[len] == ':' &&
		    sscanf(line + len + 1, "%ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Milliseconds since pid started (clock-tick precision), -1 if unknown. */
long long
tine_age_ms(pid_t pid)
{
	unsigned long long	 start;
	double			 up;
	FILE			*f;
	int			 ok;

	/* starttime is field 22, in clock ticks since boot. */
	if (tine_stat_field(pid, 22, &start) == -1)
		return -1;
	if ((f = fopen("/proc/uptime", "re")) == NULL)
		return -1;
	ok = fscanf(f, "%lf", &up) == 1;
	fclose(f);
	if (!ok)
		return -1;
	start = start * 1000 / (unsigned long long)sysconf(_SC_CLK_TCK);
	return (long long)(up * 1000) - (long long)start;
}

/* Live (not zombie) children of parent into out; their count. */
int
tine_children(pid_t parent, pid_t *out, int max)
{
	struct dirent	*de;
	DIR		*d;
	char		 state;
	pid_t		 pid, ppid;
	int		 n = 0;

	if (parent <= 0 || (d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		if (!isdigit((u_char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (tine_stat(pid, &state, &ppid) == 0 && ppid == parent &&
		    state != 'Z' && state != 'X' && state != 'x')
			out[n++] = pid;
	}
	closedir(d);
	return n;
}

/* /proc/PID/cmdline with NULs as spaces, trailing blanks cut; 0 or -1. */
int
tine_cmdline(pid_t pid, char *buf, size_t len)
{
	char	path[64];
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (len == 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\0'))
		buf[--n] = '\0';
	return 0;
}
