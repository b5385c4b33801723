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
	SB_LIMIT,		/* reached its request limit: wants a replacement */
	SB_NSTATES
};

/* Why a worker went, as the master tells it at reaping (a stop's own
 * exits are not counted: they are no restart). */
enum sb_cause {
	SB_EXIT_CRASH,		/* a signal nobody sent it */
	SB_EXIT_WATCHDOG,	/* killed: its heartbeat stalled */
	SB_EXIT_KILLED,		/* killed: it outstayed a retirement */
	SB_EXIT_LIMIT,		/* retired at max_requests_per_worker */
	SB_EXIT_RELOAD,		/* retired with its generation (reload, reopen) */
	SB_EXIT_RETIRED,	/* retired for another reason */
	SB_EXIT_RESOURCE,	/* exit 7: short of a resource */
	SB_EXIT_FAILED,		/* exit 3 or another code */
	SB_EXIT_FATAL,		/* exit 15: cannot run with its config */
	SB_NCAUSES
};

#define SB_CLASSES	5	/* response status classes 1xx .. 5xx */
#define SB_RING		64	/* per-second request totals: a minute and spares */
#define SB_MINUTE	60

/*
 * One worker's slot. The worker writes only its own slot, the master reads
 * all of them (and clears a slot when it reaps its pid). Counters are plain
 * words written by one process: a torn read costs one stale number.
 */
struct sb_slot {
	volatile pid_t		 pid;
	volatile unsigned	 generation;
	volatile int		 state;
	volatile time_t		 started;	/* CLOCK_MONOTONIC seconds */
	volatile uint64_t	 requests;
	volatile uint32_t	 connections;
	volatile uint64_t	 bytes_sent;
	volatile time_t		 heartbeat;	/* CLOCK_MONOTONIC seconds */
	volatile uint64_t	 responses[SB_CLASSES];
};

/* What a worker's counters add to: the slots' and those of the reaped. */
struct sb_counts {
	uint64_t	requests;
	uint64_t	bytes_sent;
	uint64_t	responses[SB_CLASSES];
};

/*
 * The master's part, at the start of the mapping, written only by the
 * master. `seq` is odd while the master moves a reaped worker's counters
 * into `gone` and clears its slot: a reader copies again then, so the
 * totals never count a worker twice nor lose it (readers take no lock).
 */
struct sb_head {
	uint64_t		 magic;		/* SB_MAGIC: this layout */
	uint32_t		 nslots;
	uint32_t		 size;		/* of the whole mapping */
	volatile pid_t		 master_pid;
	volatile time_t		 started;	/* wall clock */
	volatile time_t		 started_mono;
	volatile unsigned	 generation;	/* the current one */
	volatile unsigned	 seq;
	volatile int		 stopping;	/* a stop, not a reload: the
						 * health path answers 503 */
	volatile uint64_t	 gone_requests;
	volatile uint64_t	 gone_bytes;
	volatile uint64_t	 gone_responses[SB_CLASSES];
	volatile uint64_t	 exits[SB_NCAUSES];
	/* Total requests at monotonic second `at`, in slot at % SB_RING. */
	struct {
		volatile time_t		at;
		volatile uint64_t	requests;
	}			 ring[SB_RING];
};

struct scoreboard {
	int		 nslots;
	struct sb_head	*head;
	struct sb_slot	*slots;
	size_t		 size;
	int		 taken;		/* the master's: slots before this one
					 * have been used; those after are
					 * zero pages nobody has touched */
	char		*path;		/* a file mapped by tine -s status, or NULL */
	dev_t		 dev;		/* and its inode: removed only while */
	ino_t		 ino;		/* path still names it */
};

/* One worker as a snapshot shows it. */
struct sb_worker {
	pid_t		 pid;
	unsigned	 generation;
	int		 state;
	time_t		 started;	/* wall clock */
	uint64_t	 requests;
	uint32_t	 connections;
	uint64_t	 bytes_sent;
	time_t		 idle;		/* seconds since its last heartbeat */
};

/* A copy of the scoreboard, as the status page and tine -s status show it. */
struct sb_snapshot {
	pid_t		 master_pid;
	time_t		 now;		/* wall clock */
	time_t		 started;	/* the master's, wall clock */
	time_t		 uptime;
	unsigned	 generation;
	struct sb_counts total;		/* the live workers' and the reaped */
	uint64_t	 connections;
	uint64_t	 minute_requests; /* over the last minute_secs seconds */
	time_t		 minute_secs;	/* 0: no sample yet */
	uint64_t	 exits[SB_NCAUSES];
	int		 states[SB_NSTATES];
	struct sb_worker *workers;	/* the caller's, room for nslots */
	int		 nworkers;
};

/*
 * Map nslots slots shared with every child forked later. With path, the
 * mapping is that file (made afresh, 0644), so that tine -s status can
 * read it; scoreboard_destroy() removes it. -1 on failure.
 */
int		 scoreboard_create(struct scoreboard *, int nslots,
		    const char *path);

/* Map the scoreboard file of a running master read-only; -1 with errno
 * (EINVAL: not a scoreboard of this version). */
int		 scoreboard_attach(struct scoreboard *, const char *path);

/* Unmap the slots (and remove the file of the one who made it). */
void		 scoreboard_destroy(struct scoreboard *);

/* Monotonic seconds, the clock of heartbeats. */
time_t		 scoreboard_now(void);

/* The master's second: note the current generation and the request total
 * for the last-minute rate. */
void		 scoreboard_tick(struct scoreboard *, unsigned generation);

/* Clear slot i for a new worker (the master's, before the fork). */
void		 scoreboard_take(struct scoreboard *, int i);

/* Count a reaped worker's exit under cause (SB_NCAUSES: not counted),
 * keep its counters in the totals, and free slot i. */
void		 scoreboard_reaped(struct scoreboard *, int i, int cause);

/* Count a worker's finished response under its status class. */
void		 scoreboard_count(struct sb_slot *, int status);

/* Copy the scoreboard into snap without a lock (see struct sb_head). */
void		 scoreboard_read(const struct scoreboard *,
		    struct sb_snapshot *snap);

/* "ready", "crash" ...: the name of a state and of a cause. */
const char	*scoreboard_state_name(int state);
const char	*scoreboard_cause_name(int cause);

#endif
