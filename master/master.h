/* master: the supervising process's state, signal loop and generations. */
#ifndef TINE_MASTER_H
#define TINE_MASTER_H

#include <sys/types.h>

#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "listen.h"
#include "log.h"
#include "notify.h"
#include "pool.h"
#include "scoreboard.h"
#include "upgrade.h"
#include "worker.h"

struct mime;
struct tls_conf;
struct sandbox_filter;

/* What a generation is made from; shared by a reopen's new generation. */
struct setup {
	int		 refs;
	struct config	*conf;
	struct mime	*mime;
	struct tls_conf	*tls;		/* NULL: no site has a certificate */
	struct sandbox_filter *filter;	/* the workers' seccomp; NULL: off */
};

/* One generation of workers: a config, its listeners and its access logs. */
/* Where a document root's path led when it no longer led to the directory
 * opened: a target already acted on, or the error already logged. */
struct root_seen {
	dev_t		 dev;
	ino_t		 ino;
	int		 err;
};

struct generation {
	unsigned		 id;
	struct setup		*setup;
	struct listeners	 ls;
	int			*access_fds;	/* one per conf->access_logs, -1: none */
	size_t			 naccess;
	int			*root_fds;	/* each site's document root, opened as root */
	size_t			 nroots;
	struct root_seen	*roots_seen;	/* as root_fds: changes acted on */
	struct log_target	 log;		/* its error log, while has_log */
	bool			 has_log;	/* log is its own: the master takes it once ready */
	bool			 ready;		/* "master ready" logged */
	bool			 retiring;	/* superseded: workers told to QUIT */
	bool			 failed;	/* a worker exited 15: no respawn */
	int			 backoff;	/* consecutive early deaths */
	time_t			 last_early;	/* monotonic time of the last one */
	time_t			 next_spawn;	/* monotonic; 0 = now */
	struct generation	*next;		/* older generations */
};

enum master_stop { MASTER_RUNNING = 0, MASTER_QUIT, MASTER_TERM };

/* The master's one process-state struct. */
struct master {
	const char			*conf_file;
	struct config_overrides		 ov;
	bool				 foreground;
	int				 ready_fd;	/* daemon's start pipe, -1 */
	struct pidfh			*pfh;

	struct generation		*gens;		/* current first */
	unsigned			 next_gen;
	struct scoreboard		 sb;
	const char			*sb_path;	/* its file, NULL: none */
	struct pool			 pool;
	int				 wake[2];	/* self-pipe; workers write too;
							 * -1 until made */

	volatile sig_atomic_t		 sig_hup, sig_usr1, sig_quit;
	volatile sig_atomic_t		 sig_term;
	volatile sig_atomic_t		 sig_usr2;
	struct upgrade			 up;		/* binary upgrade (upgrade.c) */
	enum master_stop		 stopping;
	time_t				 stop_deadline;
	time_t				 drain_until;	/* shutdown_delay: the graceful
							 * stop starts then; 0: none */
	struct notify			 notify;	/* what systemd was told */
	int				 exit_status;
};

/*
 * Start the first generation and supervise until stopped. conf becomes the
 * master's. Returns the process exit status.
 */
int	master_run(struct master *, struct config *conf);

/* Point descriptor target at /dev/null (stdin, stdout or stderr). */
void	master_devnull(int target);

/* Write a start's verdict to fd (a daemon's starting process, an
 * upgrading old master): '0', or '1' and why. */
void	master_verdict(int fd, int status, const char *why);

/* Tell the daemon's starting process how the start went (once). */
void	master_report_start(struct master *, int status, const char *why);

#endif
