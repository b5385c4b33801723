/* log: the error log (levels, destinations) shared by master and workers. */
#ifndef TINE_LOG_H
#define TINE_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

struct config;

/* Open the error log of a config as its destination says; -1 on failure. */
int	log_open(const struct config *, int foreground, char *err, size_t errlen);

/* Reopen a file destination after rotation (new descriptor, then swap). */
int	log_reopen(void);

/* Write one error-log line; level is a syslog.h LOG_* value. Bytes that
 * could act on a terminal (controls, C1, bidi overrides) are escaped. */
void	log_msg(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

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
