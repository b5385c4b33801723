/* upgrade: SIGUSR2 re-executes the installed binary on the same sockets. */
#ifndef TINE_UPGRADE_H
#define TINE_UPGRADE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "listeners.h"

struct master;

/*
 * The binary upgrade's state, in the master's struct. The old master keeps
 * what it needs to start its successor (path, arguments, directory) and
 * follows it; a new master keeps what its predecessor passed it.
 */
struct upgrade {
	char			**argv;		/* a copy of main's, for execv */
	char			 *exe;		/* absolute, symlinks kept */
	char			 *cwd;		/* where we were started */
	char			 *pid_path;	/* NULL: no pid file */
	bool			  renamed;	/* the pid file is pid_path.oldbin */

	pid_t			  pid;		/* the new master, 0: none */
	int			  fd;		/* its verdict pipe's read end, -1 */
	char			  verdict[512];
	size_t			  got;
	bool			  failed;	/* waiting for it to exit */
	bool			  exited;	/* reaped (upgrade_reaped) */
	bool			  handed_over;	/* it serves: we retire, not stop */
	time_t			  deadline;	/* monotonic: then kill it */

	struct listeners	  inherited;	/* sockets the old master passed */
	int			  report_fd;	/* our verdict to it, -1: none */
	pid_t			  from;		/* the old master, 0: none */
};

/*
 * Take what an old master passed (LISTEN_FDS, LISTEN_PID, TINE_UPGRADE)
 * before anything else opens a descriptor; the lowest descriptor that is
 * not ours is returned, for closefrom().
 */
int	upgrade_inherit(struct upgrade *);

/* Remember argv, the binary and the directory, before setproctitle
 * overwrites argv; 0 or -1 (out of memory). */
int	upgrade_init(struct upgrade *, int argc, char **argv);

/* The first generation has taken the inherited sockets it needs: close the
 * rest and say where the sockets came from. */
void	upgrade_inherited_done(struct master *);

/* SIGUSR2: rename the pid file and start the new binary. */
void	upgrade_start(struct master *);

/* Each pass: read the new master's verdict; retire on success, restore
 * the pid file after a failure. */
void	upgrade_check(struct master *);

/* pool_reap() reaped pid, a child that is no worker: the new master, if
 * it is ours. */
void	upgrade_reaped(struct master *, pid_t);

/* Remove our pid file at exit, wherever the upgrade left it. */
void	upgrade_pidfile_remove(struct master *);

/* Free what upgrade_init() kept. */
void	upgrade_free(struct upgrade *);

#endif
