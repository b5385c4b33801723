/* alogbuf: a worker's access-log lines, gathered per log descriptor and
 * written whole lines at a time. */
#ifndef TINE_ALOGBUF_H
#define TINE_ALOGBUF_H

#include <stddef.h>
#include <stdint.h>

/* A regular file's buffer: a few hundred lines, one write(2). */
#define ALOGBUF_SIZE		(32 * 1024)

/*
 * How long a line may wait in a buffer. With the coarse clock's tick and
 * the event loop's slack on top, a line is in its file within 100 ms of
 * its response (what `tail -f` lags at most, and what a crashed worker
 * may lose).
 */
#define ALOGBUF_FLUSH_MS	90

struct alogbuf;

/*
 * Buffers for the n log descriptors fds (-1: none, never given a line).
 * A regular file's holds ALOGBUF_SIZE bytes, a pipe's or socket's PIPE_BUF
 * (so that no write there is split among other writers' bytes), and a
 * terminal or device gets each line at once. No buffer memory until a
 * descriptor's first line. NULL without memory.
 */
struct alogbuf	*alogbuf_create(const int *fds, size_t n);

/* Release the buffers (lines still in them are lost: flush first). */
void		 alogbuf_free(struct alogbuf *);

/*
 * Add one whole line (ending in '\n') for descriptor i at monotonic now_ms.
 * Writes what is buffered first when the line would not fit, and a line
 * bigger than the buffer alone. Returns the lines a failed or short write
 * lost (with errno's value in *err), 0 when none.
 */
uint64_t	 alogbuf_add(struct alogbuf *, size_t i, const char *line,
		    size_t len, int64_t now_ms, int *err);

/* Write out descriptor i's lines; the lines lost, as alogbuf_add(). The
 * caller flushes every descriptor when alogbuf_due() comes. */
uint64_t	 alogbuf_flush(struct alogbuf *, size_t i, int *err);

/* The monotonic ms by which the buffered lines must be written: the first
 * one's time plus ALOGBUF_FLUSH_MS; INT64_MAX when none waits. */
int64_t		 alogbuf_due(const struct alogbuf *);

/* The descriptors, as given to alogbuf_create(). */
size_t		 alogbuf_count(const struct alogbuf *);

#endif
