/* log: the error log (levels, destinations) shared by master and workers. */
#ifndef TINE_LOG_H
#define TINE_LOG_H

#include <sys/types.h>

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

#include "config.h"

/* An error log destination, opened but not necessarily in use. */
struct log_target {
	enum config_log_dest	 dest;		/* FILE, STDERR or SYSLOG */
	int			 fd;		/* FILE: owned; STDERR: 2; -1 */
	int			 level;		/* lines above it are dropped */
	int			 facility;	/* for syslog */
	gid_t			 gid;		/* FILE: its group if created */
	char			 path[PATH_MAX];	/* FILE: for log_reopen() */
};

/* Open the error log of a config as its destination says and switch this
 * process to it; -1 on failure (err says why), the old log kept. */
int	log_open(const struct config *, int foreground, char *err, size_t errlen);

/* Open the error log a config names without switching to it; -1 with err. */
int	log_target_open(const struct config *, int foreground,
	    struct log_target *, char *err, size_t errlen);

/* Switch this process to an opened target, which it then owns; the file
 * of the log it replaces is closed. */
void	log_target_use(struct log_target *);

/* Release an opened target this process did not switch to. */
void	log_target_close(struct log_target *);

/* Reopen a file destination after rotation (new descriptor, then swap). */
int	log_reopen(void);

/* Open a log file (the error log, an access log) for appending: one it
 * creates is 0640, and of group gid (unless (gid_t)-1) when root creates
 * it; an existing one keeps its mode and owner. -1 with errno. */
int	log_file_open(const char *path, gid_t gid);

/* Write one error-log line; level is a syslog.h LOG_* value. Bytes that
 * could act on a terminal (controls, C1, bidi overrides) are escaped. */
void	log_msg(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The file the error log goes to; "" when it is not a file. */
const char *log_path(void);

/* The descriptor of the error log, -1 for syslog; for inheritance checks. */
int	log_fd(void);

#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_crit(...)	log_msg(LOG_CRIT, __VA_ARGS__)
#define log_alert(...)	log_msg(LOG_ALERT, __VA_ARGS__)

#endif
