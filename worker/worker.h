/* worker: one worker process — privileges, event loop, accept, timers. */
#ifndef TINE_WORKER_H
#define TINE_WORKER_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "date.h"
#include "fcache.h"
#include "limit.h"

struct access_cache;
struct alogbuf;
struct config;
struct conn_work;
struct mime;
struct listeners;
struct sb_head;
struct sb_slot;
struct scoreboard;
struct fcache;
struct fwatch;
struct limit;
struct tls_conf;
struct sandbox_filter;
struct tls_worker;

/* What the master hands a new worker (all of it inherited through fork). */
struct worker_env {
	const struct config	*conf;		/* its ids: whom to run as */
	const struct mime	*mime;
	const struct listeners	*ls;
	const struct tls_conf	*tls;		/* certificates; NULL: none */
	const struct sandbox_filter *filter;	/* seccomp; NULL: sandbox off */
	const int		*access_fds;	/* one per conf->access_logs, -1: none */
	size_t			 naccess;
	const int		*root_fds;	/* O_PATH, one per site, opened by the master */
	size_t			 nroots;
	struct sb_slot		*slot;
	const struct scoreboard	*sb;		/* every slot: the status page */
	const struct sb_head	*sb_head;	/* the master's word to all */
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
	TIMER_RATE,		/* a head past header_timeout, still arriving
				 * at header_min_rate: checked every second */
	TIMER_DRAIN,		/* idle between requests in a retiring worker */
	TIMER_N
};

/* A connection's place in one timeout list. */
struct timer {
	struct timer	*prev, *next;
	int64_t		 deadline;	/* monotonic milliseconds */
	int		 kind;		/* enum timer_kind, -1 when in no list */
};

/* A site as a worker serves it: its options, its root, its file cache,
 * and one for each location that types files otherwise than the site. */
struct worker_site {
	const struct config_site *conf;
	int			 root_fd;
	struct fcache		*fcache;
	struct fcache		**lcaches;	/* as conf->locations; NULL where
						 * the site's serves */
};

/* The worker's one process-state struct; conn and static read it. */
struct worker_proc {
	const struct worker_env	*env;
	const struct config	*conf;
	int			 epfd;
	int			 sigfd;
	bool			 listening;	/* listeners in the event set */
	struct limit		*limit;		/* connections per client address */
	struct tls_worker	*tls;		/* NULL: no certificate */
	int64_t			 emfile_retry;	/* ms: accept again; 0 = not paused */
	int			 accepts;	/* accept at most this many per
						 * wake-up (worker_accept) */
	int64_t			 emfile_since;	/* ms the episode began, 0 = none */
	uint64_t		 emfile_fails;	/* accepts refused in the episode */
	uint32_t		 refused;	/* over max_connections_per_ip, unlogged */
	struct limit_key	 refused_key;	/* the last one's address */
	uint32_t		 shed;		/* closed for room, unlogged */
	int64_t			 report_ms;	/* when those may be logged next */
	int64_t			 proxy_since;	/* ms: refusals on PROXY ports */
	uint32_t		 proxy_said;	/* logged since then */
	uint32_t		 proxy_unsaid;	/* and not (over the burst) */
	struct access_cache	*access;	/* verified Basic credentials */
	struct worker_site	*sites;		/* as conf->sites */
	size_t			 nsites;
	struct fcache		**caches;	/* every site's and location's */
	size_t			 ncaches;
	struct fcache_budget	 fbudget;	/* the memory they share */
	struct fwatch		*fwatch;	/* their inotify; NULL: none */
	struct timer		 lists[TIMER_N];	/* list heads */
	int			 durations[TIMER_N];	/* seconds */
	time_t			 now;			/* monotonic seconds */
	int64_t			 now_ms;		/* monotonic milliseconds */
	time_t			 wall;			/* wall-clock seconds */
	char			 date[DATE_LEN];	/* Date: value for wall */
	char			 boundary[24];		/* multipart boundary: "tine" + 16 hex */
	pid_t			 pid;
	uint32_t		 nconns;
	uint64_t		 requests;
	bool			 quitting;
	bool			 quit_asked;	/* SIGQUIT seen; acted on after the batch */
	size_t			 listing_bytes;	/* autoindex bodies held by responses */
	time_t			 listing_said;	/* when a 503 for them was logged */
	struct alogbuf		*alog;		/* access-log lines not yet written */
	struct conn_work	*spares;	/* request states no conn holds */
	unsigned		 nspares;
	uint64_t		 alog_lost;	/* access-log lines not written */
	time_t			 alog_last;	/* when a lost line was last said */
};

/*
 * Started as root, workers switch to the user conf->ids holds, resolved
 * when conf loaded (in a child: the name service's modules, systemd's
 * with libcap and libm, are loaded neither in the master nor in any
 * worker). 0, or -1 with err when no such user exists.
 */
int	worker_ids_check(const struct config *conf, char *err, size_t len);

/* Become a worker; never returns (exit codes: common/exitcode.h). */
void	worker_main(const struct worker_env *) __attribute__((noreturn));

/* (Re)arm t in the list of kind: its deadline is now + that duration. */
void	worker_timer_set(struct worker_proc *, struct timer *, enum timer_kind);

/* Take t out of whatever list it is in. */
void	worker_timer_clear(struct timer *);

/* A connection finished one response (bytes sent, its status): count it,
 * maybe ask for retirement. */
void	worker_request_done(struct worker_proc *, uint64_t bytes, int status);

/* Lines of the access log at path (NULL: unnamed) could not be written
 * (errno value err). */
void	worker_access_failed(struct worker_proc *, const char *path, int err,
	    uint64_t lines);

/* One access-log line for log i (conf->access_logs), buffered: it is in
 * its file within 100 ms, or when the worker exits. */
void	worker_access_line(struct worker_proc *, size_t i, const char *line,
	    size_t len);

/* May a refusal on a PROXY protocol port be logged now? Not when a burst
 * was logged recently: the rest are counted, and said in one line. */
bool	worker_proxy_say(struct worker_proc *);

/* Close cached descriptors nobody holds, in every site; how many went. */
size_t	worker_shed_files(struct worker_proc *);

/* A connection from the client address key closed. */
void	worker_conn_gone(struct worker_proc *, const struct limit_key *);

#endif
