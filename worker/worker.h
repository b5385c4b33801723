/* worker: one worker process — privileges, event loop, accept, timers. */
#ifndef TINE_WORKER_H
#define TINE_WORKER_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "date.h"

struct config;
struct mime;
struct listeners;
struct sb_slot;
struct fcache;

/* What the master hands a new worker (all of it inherited through fork). */
struct worker_env {
	const struct config	*conf;
	const struct mime	*mime;
	const struct listeners	*ls;
	int			 access_fd;	/* -1: access log off */
	int			 docroot_fd;	/* O_PATH directory, opened by the master */
	struct sb_slot		*slot;
	unsigned		 generation;
	int			 notify_fd;	/* wakes the master */
	bool			 first;		/* the master's first: says what the kernel lacks */
};

/* The fixed-duration timeouts; each is a FIFO list ordered by deadline. */
enum timer_kind {
	TIMER_HEADER,		/* reading a request head (and a body to discard) */
	TIMER_KEEPALIVE,	/* idle between requests */
	TIMER_SEND,		/* waiting for the client to take our bytes */
	TIMER_LINGER,		/* draining a client before closing */
	TIMER_N
};

/* A connection's place in one timeout list. */
struct timer {
	struct timer	*prev, *next;
	int64_t		 deadline;	/* monotonic milliseconds */
	int		 kind;		/* enum timer_kind, -1 when in no list */
};

/* The worker's one process-state struct; conn and static read it. */
struct worker_proc {
	const struct worker_env	*env;
	const struct config	*conf;
	int			 epfd;
	int			 sigfd;
	bool			 paused;	/* at max_connections: not accepting */
	int			 docroot_fd;
	struct fcache		*fcache;
	struct timer		 lists[TIMER_N];	/* list heads */
	int			 durations[TIMER_N];	/* seconds */
	time_t			 now;			/* monotonic seconds */
	int64_t			 now_ms;		/* monotonic milliseconds */
	time_t			 wall;			/* wall-clock seconds */
	char			 date[DATE_LEN];	/* Date: value for wall */
	char			 boundary[24];		/* multipart boundary */
	pid_t			 pid;
	uint32_t		 nconns;
	uint64_t		 requests;
	bool			 quitting;
	bool			 quit_asked;	/* SIGQUIT seen; acted on after the batch */
};

/* Become a worker; never returns (exit codes: WORKER_EXIT_* in pool.h). */
void	worker_main(const struct worker_env *) __attribute__((noreturn));

/* (Re)arm t in the list of kind: its deadline is now + that duration. */
void	worker_timer_set(struct worker_proc *, struct timer *, enum timer_kind);

/* Take t out of whatever list it is in. */
void	worker_timer_clear(struct timer *);

/* A connection finished one response: count it, maybe ask for retirement. */
void	worker_request_done(struct worker_proc *, uint64_t bytes);

/* A connection closed. */
void	worker_conn_gone(struct worker_proc *);

#endif
