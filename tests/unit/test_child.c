/* test_child: a function run in a short-lived child, its answer taken back: what it says, and every way it can go wrong. */
#include "tine_build.h"

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "child.h"

#define ERR_MAX	256

/* Answers arg (a string). */
static int
say(const void *arg, struct buf *b)
{
	buf_adds(b, arg);
	return 0;
}

/* Answers *arg bytes, each its offset's low byte. */
static int
say_many(const void *arg, struct buf *b)
{
	size_t	i, n = *(const size_t *)arg;
	char	c;

	for (i = 0; i < n; i++) {
		c = (char)(i & 0xff);
		buf_add(b, &c, 1);
	}
	return 0;
}

/* Has no answer. */
static int
refuse(const void *arg, struct buf *b)
{
	(void)arg;
	(void)b;
	return -1;
}

/* Dies by the signal *arg. */
static int
die(const void *arg, struct buf *b)
{
	(void)b;
	raise(*(const int *)arg);
	return 0;
}

/* Never answers: waits for a signal that does not come. */
static int
hang(const void *arg, struct buf *b)
{
	(void)arg;
	(void)b;
	pause();
	return 0;
}

/* Changes a global in the child, which the parent must not see. */
static int	touched;
static int
touch(const void *arg, struct buf *b)
{
	(void)arg;
	touched = 1;
	buf_adds(b, "ok");
	return 0;
}

/* Expect no child of ours left behind. */
static void
expect_reaped(void)
{
	cr_expect_eq(waitpid(-1, NULL, WNOHANG), -1, "a child was left");
	cr_expect_eq(errno, ECHILD);
}

Test(child, answer_comes_back)
{
	char	*mem, err[ERR_MAX];
	size_t	 got;

	cr_assert_eq(child_run(say, "hello, parent", 64, 10000, "the test",
	    &mem, &got, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(got, 13);
	cr_expect_eq(memcmp(mem, "hello, parent", 13), 0);
	free(mem);
	expect_reaped();
}

/* An answer many times the parent's first buffer, read in several
 * pieces off the pipe: whole and in order. */
Test(child, long_answer_comes_back_whole)
{
	char	*mem, err[ERR_MAX];
	size_t	 got, n = 200000, i;

	cr_assert_eq(child_run(say_many, &n, n, 10000, "the test", &mem,
	    &got, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(got, n);
	for (i = 0; i < n; i++)
		if (mem[i] != (char)(i & 0xff))
			break;
	cr_expect_eq(i, n, "byte %zu differs", i);
	free(mem);
	expect_reaped();
}

Test(child, empty_answer_is_an_answer)
{
	char	*mem, err[ERR_MAX];
	size_t	 got;

	cr_assert_eq(child_run(say, "", 64, 10000, "the test", &mem, &got,
	    err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(got, 0);
	free(mem);
}

Test(child, runs_apart_from_the_parent)
{
	char	*mem, err[ERR_MAX];
	size_t	 got;

	cr_assert_eq(child_run(touch, NULL, 64, 10000, "the test", &mem, &got,
	    err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(touched, 0, "the child ran in this process");
	free(mem);
}

/* An answer longer than max: the buffer overflows in the child (buf_ok),
 * which then has none. */
Test(child, answer_over_max_fails)
{
	char	*mem, err[ERR_MAX];
	size_t	 got;

	cr_expect_eq(child_run(say, "0123456789", 9, 10000, "the test", &mem,
	    &got, err, sizeof(err)), -1);
	cr_expect_null(mem);
	cr_expect_eq(got, 0);
	cr_expect_str_eq(err, "the test: failed (exit status 1)");
	expect_reaped();
}

Test(child, no_answer_fails)
{
	char	*mem, err[ERR_MAX];
	size_t	 got;

	cr_expect_eq(child_run(refuse, NULL, 64, 10000, "the test", &mem,
	    &got, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "the test: failed (exit status 1)");
	expect_reaped();
}

Test(child, killed_child_fails)
{
	char	*mem, err[ERR_MAX];
	size_t	 got;
	int	 sig = SIGKILL;	/* no sanitizer can catch it */

	cr_expect_eq(child_run(die, &sig, 64, 10000, "the test", &mem, &got,
	    err, sizeof(err)), -1);
	cr_expect_str_eq(err, "the test: killed by signal 9");
	expect_reaped();
}

/* A child that never answers is killed at the deadline and reaped. */
Test(child, silent_child_times_out)
{
	char	*mem, err[ERR_MAX];
	size_t	 got;

	cr_expect_eq(child_run(hang, NULL, 64, 1000, "the test", &mem, &got,
	    err, sizeof(err)), -1);
	cr_expect_str_eq(err, "the test: timed out after 1 s");
	cr_expect_null(mem);
	expect_reaped();
}
