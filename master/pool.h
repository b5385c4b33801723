/* pool: spawn, reap, back off and watch the worker processes. */
#ifndef TINE_POOL_H
#define TINE_POOL_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "exitcode.h"

#define POOL_SLOTS	1024	/* scoreboard slots: two generations of 256 + spares */

struct generation;
struct master;

/* The master's view of one worker process. */
struct worker {
	pid_t			 pid;		/* 0: free */
	struct generation	*gen;
	time_t			 started;	/* monotonic */
	bool			 quitting;	/* sent SIGQUIT */
	time_t			 quit_at;
	int			 sent;		/* the last TERM/KILL we sent, 0 */
};

/* POOL_SLOTS of them, mapped apart (pool_create()): pages of slots never
 * used stay untouched, instead of 48 KiB of the master's stack that every
 * worker would inherit. */
struct pool {
	struct worker	*v;		/* index i uses scoreboard slot i */
};

/* Map the slots, all free; -1 with errno. */
int	pool_create(struct pool *);

/* Unmap them (a pool not created is NULL: nothing to do). */
void	pool_destroy(struct pool *);


/* Reap every exited child, log why it went, and free its slot. */
void	pool_reap(struct master *);

/* Fork workers until the current generation has its size (backoff allowing). */
void	pool_fill(struct master *);

/* Replace workers at their request limit once their successors serve. */
void	pool_rotate(struct master *);

/* Kill workers whose heartbeat stalled or that outstayed a retirement. */
void	pool_watchdog(struct master *);

/* Send sig to every worker of gen (NULL: of every generation). */
void	pool_signal(struct master *, struct generation *gen, int sig);

/* Live workers of gen (NULL: of all generations). */
int	pool_count(struct master *, struct generation *gen);

/* Workers of gen that are serving and not on their way out. */
int	pool_count_ready(struct master *, struct generation *gen);

#endif
