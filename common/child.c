/* child: run one function in a short-lived forked child and take back the bytes it answers, so that what it maps and touches never stays in the master or its workers. */
#include "tine_build.h"

#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "child.h"

#define CHILD_WHY_MAX	256
#define CHILD_READ_FIRST 1024	/* bytes: most answers are far smaller */

/* Milliseconds of the monotonic clock, for the deadline. */
static long long
child_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: run fn, write its answer to fd and exit, never returning
 * into the caller. */
static void __attribute__((noreturn))
child_main(child_fn fn, const void *arg, size_t max, int fd, pid_t parent)
{
	struct buf	 b;
	char		*mem;
	size_t		 off = 0;
	ssize_t		 n;

	/* Not to outlive a parent that is gone (killed while waiting). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(1);
	if ((mem = malloc(max)) == NULL)
		_exit(1);
	buf_init(&b, mem, max);
	if (fn(arg, &b) == -1 || !buf_ok(&b))
		_exit(1);
	while (off < b.len) {
		if ((n = write(fd, mem + off, b.len - off)) == -1) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		off += (size_t)n;
	}
	/* _exit: no atexit handler or stdio buffer of the parent's runs. */
	_exit(0);
}

/* Wait for fd to be readable until end (monotonic ms): 1 ready, 0 past
 * the deadline, -1 on error. */
static int
child_wait(int fd, long long end)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	long long	 left;
	int		 r;

	for (;;) {
		if ((left = end - child_now_ms()) <= 0)
			return 0;
		if ((r = poll(&pfd, 1, (int)left)) > 0)
			return 1;
		if (r == -1 && errno != EINTR)
			return -1;
	}
}

/* Room for more of the answer in *mem (*cap bytes, *got of them used):
 * the buffer doubles, from CHILD_READ_FIRST up to limit; -1 without
 * memory. */
static int
child_room(char **mem, size_t *cap, size_t got, size_t limit)
{
	size_t	 want;
	char	*p;

	if (got < *cap)
		return 0;
	want = *cap == 0 ? CHILD_READ_FIRST : *cap * 2;
	if (want > limit)
		want = limit;
	if ((p = realloc(*mem, want)) == NULL)
		return -1;
	*mem = p;
	*cap = want;
	return 0;
}

/*
 * Read the child's whole answer from fd, up to EOF, within timeout_ms:
 * 0 with *mem (no larger than the answer) and *got, or -1 with err (*mem
 * is then the caller's to free too). The buffer grows to one byte more
 * than the largest answer, so a longer one is told from one that fits.
 */
static int
child_read(int fd, int timeout_ms, size_t max, char **mem, size_t *got,
    char *err, size_t len)
{
	const long long	 end = child_now_ms() + timeout_ms;
	size_t		 cap = 0;
	ssize_t		 n;
	int		 r;
	char		*fit;

	for (*got = 0;;) {
		if (*got == max + 1) {
			snprintf(err, len, "the answer is too long");
			return -1;
		}
		if (child_room(mem, &cap, *got, max + 1) == -1) {
			snprintf(err, len, "out of memory");
			return -1;
		}
		if ((r = child_wait(fd, end)) == 0) {
			snprintf(err, len, "timed out after %d s",
			    timeout_ms / 1000);
			return -1;
		}
		if (r == -1) {
			snprintf(err, len, "poll: %s", strerror(errno));
			return -1;
		}
		if ((n = read(fd, *mem + *got, cap - *got)) > 0)
			*got += (size_t)n;
		else if (n == 0)
			break;
		else if (errno != EINTR && errno != EAGAIN) {
			snprintf(err, len, "read: %s", strerror(errno));
			return -1;
		}
	}
	/* Kept by the caller (a seccomp program for a config's life): no
	 * larger than it is. */
	if ((fit = realloc(*mem, *got > 0 ? *got : 1)) != NULL)
		*mem = fit;
	return 0;
}

/* Reap the child, killed first when its answer is not wanted; 0 when it
 * exited 0 (or cannot be known: SIGCHLD ignored reaps it for us, and the
 * answer's own checks decide), else -1 with err unless it was killed. */
static int
child_reap(pid_t pid, bool kill_it, char *err, size_t len)
{
	int	status;

	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == ECHILD)
			return 0;
		if (!kill_it)
			snprintf(err, len, "waitpid: %s", strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (kill_it)
		return -1;
	if (WIFSIGNALED(status))
		snprintf(err, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(err, len, "failed (exit status %d)",
		    WEXITSTATUS(status));
	return -1;
}

/* Run fn in a forked child and take its answer (see child.h). */
int
child_run(child_fn fn, const void *arg, size_t max, int timeout_ms,
    const char *what, char **mem, size_t *got, char *err, size_t len)
{
	pid_t	parent = getpid(), pid;
	char	why[CHILD_WHY_MAX] = "";
	int	p[2], r;

	*mem = NULL;
	*got = 0;
	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(err, len, "%s: pipe: %s", what, strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		snprintf(err, len, "%s: fork: %s", what, strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child_main(fn, arg, max, p[1], parent);
	}
	close(p[1]);
	r = child_read(p[0], timeout_ms, max, mem, got, why, sizeof(why));
	close(p[0]);
	if (child_reap(pid, r == -1, why, sizeof(why)) == -1 || r == -1) {
		snprintf(err, len, "%s: %s", what, why);
		free(*mem);
		*mem = NULL;
		*got = 0;
		return -1;
	}
	return 0;
}
