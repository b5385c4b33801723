/* alogbuf: a worker's access-log lines, gathered per log descriptor and
 * written whole lines at a time. */
#include "tine_build.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alogbuf.h"

/* One log descriptor's lines not yet written. */
struct alogbuf_log {
	int	 fd;
	size_t	 cap;		/* 0: each line written at once */
	char	*buf;		/* NULL until the first line */
	size_t	 len;
};

/*
 * Every log of a worker. A write is whole lines, so with O_APPEND (or a
 * pipe's PIPE_BUF) no worker's bytes land inside another's line.
 */
struct alogbuf {
	struct alogbuf_log	*v;
	size_t			 n;
	size_t			 pending;	/* logs holding lines */
	int64_t			 due;		/* INT64_MAX: none pending */
};

/* How much a log on fd may hold: a regular file much, a pipe or socket
 * what one write keeps whole there, a terminal or device nothing (a
 * person or a device wants each line when it is made). */
static size_t
alogbuf_cap(int fd)
{
	struct stat	sb;

	if (fd == -1 || fstat(fd, &sb) == -1)
		return 0;
	if (S_ISREG(sb.st_mode))
		return ALOGBUF_SIZE;
	if (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))
		return PIPE_BUF;
	return 0;
}

/* Buffers for the n log descriptors fds; NULL without memory. */
struct alogbuf *
alogbuf_create(const int *fds, size_t n)
{
	struct alogbuf	*b;
	size_t		 i;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	if ((b->v = calloc(n > 0 ? n : 1, sizeof(*b->v))) == NULL) {
		free(b);
		return NULL;
	}
	b->n = n;
	b->due = INT64_MAX;
	/* Now, before the sandbox: what each descriptor is never changes. */
	for (i = 0; i < n; i++) {
		b->v[i].fd = fds[i];
		b->v[i].cap = alogbuf_cap(fds[i]);
	}
	return b;
}

/* Release the buffers. */
void
alogbuf_free(struct alogbuf *b)
{
	size_t	i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		free(b->v[i].buf);
	free(b->v);
	free(b);
}

/* Write len bytes of whole lines to fd once; the lines a failed or short
 * write lost (a line cut short counts as lost), errno's value in *err.
 * No retry of the rest: it could land after another worker's lines. */
static uint64_t
alogbuf_write(int fd, const char *p, size_t len, int *err)
{
	ssize_t		wr = write(fd, p, len);
	uint64_t	lost = 0;
	size_t		i;

	if (wr == (ssize_t)len)
		return 0;
	*err = wr == -1 ? errno : ENOSPC;
	for (i = wr > 0 ? (size_t)wr : 0; i < len; i++)
		lost += p[i] == '\n';
	return lost;
}

/* Write out descriptor i's lines; the lines lost. */
uint64_t
alogbuf_flush(struct alogbuf *b, size_t i, int *err)
{
	struct alogbuf_log	*l = &b->v[i];
	uint64_t		 lost;

	if (l->len == 0)
		return 0;
	lost = alogbuf_write(l->fd, l->buf, l->len, err);
	l->len = 0;
	if (--b->pending == 0)
		b->due = INT64_MAX;
	return lost;
}

/* Add one whole line for descriptor i at now_ms; the lines lost. */
uint64_t
alogbuf_add(struct alogbuf *b, size_t i, const char *line, size_t len,
    int64_t now_ms, int *err)
{
	struct alogbuf_log	*l = &b->v[i];
	uint64_t		 lost = 0;

	if (l->fd == -1)
		return 0;
	/* Only a log that gets lines costs memory; without any, unbuffered. */
	if (l->buf == NULL && len <= l->cap && (l->buf = malloc(l->cap)) ==
	    NULL)
		l->cap = 0;
	if (l->len + len > l->cap)
		lost = alogbuf_flush(b, i, err);
	if (len > l->cap)
		return lost + alogbuf_write(l->fd, line, len, err);
	memcpy(l->buf + l->len, line, len);
	if (l->len == 0 && b->pending++ == 0)
		b->due = now_ms + ALOGBUF_FLUSH_MS;
	l->len += len;
	return lost;
}

/* When the buffered lines must be written; INT64_MAX: none waits. */
int64_t
alogbuf_due(const struct alogbuf *b)
{
	return b->due;
}

/* The descriptors, as given to alogbuf_create(). */
size_t
alogbuf_count(const struct alogbuf *b)
{
	return b->n;
}
