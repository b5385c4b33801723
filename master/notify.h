/* notify: systemd's readiness protocol (Type=notify), without libsystemd. */
#ifndef TINE_NOTIFY_H
#define TINE_NOTIFY_H

#include <stdint.h>
#include <time.h>

struct master;

#define NOTIFY_STATUS_MAX	256

/* What was last said, so that STATUS= goes out only when it changed. */
struct notify {
	time_t	said;				/* monotonic s of the last STATUS= */
	char	status[NOTIFY_STATUS_MAX];	/* its text */
};

/* READY=1 with the status: every worker of the newest generation serves
 * (at start, and after a reload or a log reopen). */
void	notify_ready(struct master *);

/* RELOADING=1 with MONOTONIC_USEC: a HUP starts a reload. */
void	notify_reloading(struct master *);

/* READY=1 again with why what ("reload", "log reopen") failed: the old
 * generation serves on. */
void	notify_failed(struct master *, const char *what, const char *why);

/* STOPPING=1: a graceful or fast stop began. */
void	notify_stopping(struct master *);

/* The 1 s tick: STATUS= when it changed, at most every few seconds. */
void	notify_tick(struct master *);

#endif
