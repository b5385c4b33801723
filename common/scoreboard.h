/* scoreboard: shared memory where each worker reports its state to the master. */
#ifndef TINE_SCOREBOARD_H
#define TINE_SCOREBOARD_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

enum sb_state {
	SB_FREE = 0,
	SB_STARTING,
	SB_READY,		/* accepting */
	SB_RETIRING,		/* asked to go: no new accepts, draining */
	SB_LIMIT		/* reached its request limit: wants a replacement */
};

/*
 * One worker's slot. The worker writes only its own slot, the master reads
 * all of them (and clears a slot when it reaps its pid). Counters are plain
 * words written by one process: a torn read costs one stale number.
 */
struct sb_slot {
	volatile pid_t		 pid;
	volatile unsigned	 generation;
	volatile int		 state;
	volatile time_t		 started;
	volatile uint64_t	 requests;
	volatile uint32_t	 connections;
	volatile uint64_t	 bytes_sent;
	volatile time_t		 heartbeat;	/* CLOCK_MONOTONIC seconds */
};

/*
 * What the master tells every worker at once, whatever its generation: the
 * master writes it, workers only read it.
 */
struct sb_head {
	volatile int		 stopping;	/* a stop, not a reload: the
						 * health path answers 503 */
};

struct scoreboard {
	int		 nslots;
	struct sb_slot	*slots;
	struct sb_head	*head;
};

/* Map the head and nslots slots shared with every child forked later; -1
 * on failure. */
int		 scoreboard_create(struct scoreboard *, int nslots);

/* Unmap the head and the slots. */
void		 scoreboard_destroy(struct scoreboard *);

/* Monotonic seconds, the clock of heartbeats. */
time_t		 scoreboard_now(void);

#endif
