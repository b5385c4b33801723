/* Unit tests of alogbuf: access-log lines wait in a buffer per descriptor
 * and leave in whole lines, when the buffer would overflow or when flushed;
 * a line too big for it leaves alone; lost lines are counted. */
#include "tine_build.h"

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alogbuf.h"

#define T0	1000		/* a monotonic millisecond */
#define LINE	100		/* bytes of a test line, '\n' included */

static char	path[64];	/* a temp file standing for a log */
static int	fd = -1;

/* A temp file, opened as the master opens a log. */
static void
setup(void)
{
	strlcpy(path, "/tmp/tine-alogbuf-XXXXXX", sizeof(path));
	cr_assert_neq(fd = mkstemp(path), -1);
	cr_assert_neq(fcntl(fd, F_SETFL, O_APPEND), -1);
}

/* Close and remove it. */
static void
teardown(void)
{
	close(fd);
	unlink(path);
}

/* Test line number n: LINE bytes ending in '\n'. */
static const char *
line_of(int n)
{
	static char	buf[LINE + 1];

	memset(buf, 'x', LINE);
	snprintf(buf, sizeof(buf), "line %06d ", n);
	buf[strlen(buf)] = 'x';
	buf[LINE - 1] = '\n';
	return buf;
}

/* Bytes in the file now. */
static off_t
size_now(void)
{
	struct stat	sb;

	cr_assert_eq(fstat(fd, &sb), 0);
	return sb.st_size;
}

/* Add line n to log i, asserting that nothing was lost. */
static void
add(struct alogbuf *b, size_t i, int n, int64_t now)
{
	int	err = 0;

	cr_assert_eq(alogbuf_add(b, i, line_of(n), LINE, now, &err), 0,
	    "line %d lost: %s", n, strerror(err));
}

/* The file holds lines 0 .. n-1, in order, and nothing else. */
static void
expect_lines(int n)
{
	char	*text = malloc((size_t)n * LINE + 1);
	int	 i;

	cr_assert_not_null(text);
	cr_assert_eq(size_now(), (off_t)n * LINE);
	cr_assert_eq(pread(fd, text, (size_t)n * LINE, 0), (ssize_t)n * LINE);
	for (i = 0; i < n; i++)
		cr_assert_eq(memcmp(text + (size_t)i * LINE, line_of(i), LINE),
		    0, "line %d", i);
	free(text);
}

TestSuite(alogbuf, .init = setup, .fini = teardown);

Test(alogbuf, lines_wait_until_flushed)
{
	struct alogbuf	*b = alogbuf_create(&fd, 1);
	int		 err = 0;

	cr_assert_not_null(b);
	cr_expect_eq(alogbuf_due(b), INT64_MAX, "nothing to wake up for");
	add(b, 0, 0, T0);
	add(b, 0, 1, T0 + 50);
	add(b, 0, 2, T0 + 80);
	cr_expect_eq(size_now(), 0, "written one by one");
	cr_expect_eq(alogbuf_due(b), T0 + ALOGBUF_FLUSH_MS,
	    "due after the first line, not the last");
	cr_assert_eq(alogbuf_flush(b, 0, &err), 0);
	expect_lines(3);
	cr_expect_eq(alogbuf_due(b), INT64_MAX);
	cr_assert_eq(alogbuf_flush(b, 0, &err), 0, "an empty flush");
	expect_lines(3);
	alogbuf_free(b);
}

Test(alogbuf, written_whole_when_full)
{
	struct alogbuf	*b = alogbuf_create(&fd, 1);
	int		 fit = ALOGBUF_SIZE / LINE, n, err = 0;

	cr_assert_not_null(b);
	for (n = 0; n < fit; n++)
		add(b, 0, n, T0);
	cr_expect_eq(size_now(), 0, "a full buffer's lines wait");
	add(b, 0, n++, T0);
	expect_lines(fit);
	/* Twice more: each write is the lines that fit, never a part. */
	while (n < 3 * fit + 1)
		add(b, 0, n++, T0);
	expect_lines(3 * fit);
	cr_assert_eq(alogbuf_flush(b, 0, &err), 0);
	expect_lines(3 * fit + 1);
	alogbuf_free(b);
}

Test(alogbuf, big_line_written_alone_in_order)
{
	struct alogbuf	*b = alogbuf_create(&fd, 1);
	size_t		 big = ALOGBUF_SIZE + 10;
	char		*line = malloc(big), *text;
	int		 err = 0;

	cr_assert_not_null(b);
	cr_assert_not_null(line);
	memset(line, 'b', big - 1);
	line[big - 1] = '\n';
	add(b, 0, 0, T0);
	cr_assert_eq(alogbuf_add(b, 0, line, big, T0, &err), 0);
	cr_assert_eq(size_now(), (off_t)(LINE + big), "both out, at once");
	cr_expect_eq(alogbuf_due(b), INT64_MAX, "nothing left waiting");
	cr_assert_not_null(text = malloc(LINE + big));
	cr_assert_eq(pread(fd, text, LINE + big, 0), (ssize_t)(LINE + big));
	cr_expect_eq(memcmp(text, line_of(0), LINE), 0, "the older first");
	cr_expect_eq(memcmp(text + LINE, line, big), 0);
	free(text);
	free(line);
	alogbuf_free(b);
}

/* A pipe's writes stay within PIPE_BUF: no other writer's bytes inside. */
Test(alogbuf, pipe_written_in_pipe_buf)
{
	struct alogbuf	*b;
	int		 p[2], fit = PIPE_BUF / LINE, n, queued = -1;

	cr_assert_eq(pipe(p), 0);
	cr_assert_not_null(b = alogbuf_create(&p[1], 1));
	for (n = 0; n <= fit; n++)
		add(b, 0, n, T0);
	cr_assert_eq(ioctl(p[0], FIONREAD, &queued), 0);
	cr_expect_eq(queued, fit * LINE, "the lines that fit in PIPE_BUF");
	alogbuf_free(b);
	close(p[0]);
	close(p[1]);
}

/* A device (or a terminal) gets each line at once; its loss is counted. */
Test(alogbuf, device_unbuffered)
{
	struct alogbuf	*b;
	int		 full, err = 0;

	cr_assert_neq(full = open("/dev/full", O_WRONLY), -1);
	cr_assert_not_null(b = alogbuf_create(&full, 1));
	cr_expect_eq(alogbuf_add(b, 0, line_of(0), LINE, T0, &err), 1);
	cr_expect_eq(err, ENOSPC);
	cr_expect_eq(alogbuf_due(b), INT64_MAX);
	alogbuf_free(b);
	close(full);
}

/* Every line of a failed write is counted lost, and the buffer emptied. */
Test(alogbuf, failed_write_counts_its_lines)
{
	struct alogbuf	*b;
	int		 ro, err = 0;

	cr_assert_neq(ro = open(path, O_RDONLY), -1);
	cr_assert_not_null(b = alogbuf_create(&ro, 1));
	add(b, 0, 0, T0);
	add(b, 0, 1, T0);
	add(b, 0, 2, T0);
	cr_expect_eq(alogbuf_flush(b, 0, &err), 3);
	cr_expect_eq(err, EBADF);
	cr_expect_eq(alogbuf_flush(b, 0, &err), 0, "not lost twice");
	cr_expect_eq(alogbuf_due(b), INT64_MAX);
	alogbuf_free(b);
	close(ro);
}

/* One due time for all logs: the oldest line's, until all are written. */
Test(alogbuf, due_until_every_log_written)
{
	struct alogbuf	*b;
	int		 fds[3] = { fd, -1, -1 }, err = 0;

	cr_assert_neq(fds[1] = open(path, O_WRONLY | O_APPEND), -1);
	cr_assert_not_null(b = alogbuf_create(fds, 3));
	cr_expect_eq(alogbuf_count(b), 3);
	cr_expect_eq(alogbuf_add(b, 2, line_of(9), LINE, T0, &err), 0);
	cr_expect_eq(alogbuf_due(b), INT64_MAX, "-1: not logged, not due");
	add(b, 0, 0, T0);
	add(b, 1, 1, T0 + 40);
	cr_expect_eq(alogbuf_due(b), T0 + ALOGBUF_FLUSH_MS);
	cr_assert_eq(alogbuf_flush(b, 0, &err), 0);
	cr_expect_eq(alogbuf_due(b), T0 + ALOGBUF_FLUSH_MS, "log 1 waits");
	cr_assert_eq(alogbuf_flush(b, 1, &err), 0);
	cr_expect_eq(alogbuf_due(b), INT64_MAX);
	expect_lines(2);
	alogbuf_free(b);
	close(fds[1]);
}
