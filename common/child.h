/* child: run one function in a short-lived forked child and take back the bytes it answers, so that what it maps and touches never stays in the master or its workers. */
#ifndef TINE_CHILD_H
#define TINE_CHILD_H

#include <stddef.h>

struct buf;

/* What a child runs: its answer into b (bounded: see buf.h); 0, or -1
 * when it has none. */
typedef int (*child_fn)(const void *arg, struct buf *b);

/*
 * Run fn(arg) in a forked child, which dies with its parent, and read its
 * answer (at most max bytes) off a pipe until it exits, all within
 * timeout_ms. 0 with *mem (malloc'd, freed by the caller) and *got, or -1
 * with err saying what went wrong with what ("the lookup").
 */
int	child_run(child_fn fn, const void *arg, size_t max, int timeout_ms,
	    const char *what, char **mem, size_t *got, char *err, size_t len);

#endif
