/* log: the error log (levels, destinations) shared by master and workers. */
#include "tine_build.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "date.h"
#include "log.h"

#define LOG_LINE_MAX	2048

/* This process's error log: where it goes and what passes the filter. */
static struct {
	enum config_log_dest	 dest;
	int			 fd;
	int			 level;
	char			 path[1024];
} log_state = { CONFIG_LOG_STDERR, STDERR_FILENO, LOG_NOTICE, "" };

static const char *const log_names[] = {
	"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"
};

/* Open a log file for appending, as the daemon's files are: 0640. */
static int
log_open_file(const char *path, char *err, size_t errlen)
{
	int	fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		snprintf(err, errlen, "cannot open error log %s: %s", path,
		    strerror(errno));
	return fd;
}

/* Open the error log of a config as its destination says. */
int
log_open(const struct config *conf, int foreground, char *err, size_t errlen)
{
	enum config_log_dest	 dest = conf->error_log_dest;
	const char		*path = conf->error_log;
	int			 fd = -1;

	if (dest == CONFIG_LOG_DEFAULT) {
		dest = foreground ? CONFIG_LOG_STDERR : CONFIG_LOG_FILE;
		path = LOCALSTATEDIR "/log/tine/error.log";
	}
	if (dest == CONFIG_LOG_FILE && (fd = log_open_file(path, err,
	    errlen)) == -1)
		return -1;
	if (dest == CONFIG_LOG_SYSLOG)
		openlog("tine", LOG_PID | LOG_NDELAY, conf->syslog_facility);
	if (log_state.dest == CONFIG_LOG_FILE && log_state.fd != -1)
		close(log_state.fd);
	log_state.dest = dest;
	log_state.fd = dest == CONFIG_LOG_FILE ? fd :
	    dest == CONFIG_LOG_SYSLOG ? -1 : STDERR_FILENO;
	if (dest == CONFIG_LOG_FILE)
		strlcpy(log_state.path, path, sizeof(log_state.path));
	log_state.level = conf->log_level;
	return 0;
}

/* Reopen a file destination after rotation (new descriptor, then swap). */
int
log_reopen(void)
{
	char	err[sizeof(log_state.path) + 256];
	int	fd;

	if (log_state.dest != CONFIG_LOG_FILE)
		return 0;
	if ((fd = log_open_file(log_state.path, err, sizeof(err))) == -1) {
		log_error("%s", err);
		return -1;
	}
	if (dup3(fd, log_state.fd, O_CLOEXEC) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Only lines at `level` or more severe are written. */
void
log_set_level(int level)
{
	log_state.level = level;
}

/* The descriptor of the error log, -1 for syslog. */
int
log_fd(void)
{
	return log_state.fd;
}

/* "[2026-11-28T02:21:27.123+00:00]" for now, local time with its offset. */
static size_t
log_stamp(char *buf, size_t len)
{
	struct timeval	tv;
	char		stamp[DATE_LOCAL_LEN];

	gettimeofday(&tv, NULL);
	date_format_local(tv.tv_sec, (int)(tv.tv_usec / 1000), DATE_ISO,
	    stamp);
	return (size_t)snprintf(buf, len, "[%s]", stamp);
}

/* Format and write one line; the single write keeps lines whole. */
static void
log_vline(int level, const char *client, const char *fmt, va_list ap)
{
	char	 line[LOG_LINE_MAX];
	size_t	 n = 0;
	int	 r, saved = errno;

	if (level > log_state.level || level < 0 || level > LOG_DEBUG)
		return;
	if (log_state.dest == CONFIG_LOG_SYSLOG) {
		vsyslog(level, fmt, ap);
		errno = saved;
		return;
	}
	n = log_stamp(line, sizeof(line));
	n += snprintf(line + n, sizeof(line) - n, " [%s] [pid %ld] ",
	    log_names[level], (long)getpid());
	if (client != NULL)
		n += snprintf(line + n, sizeof(line) - n, "[client %s] ",
		    client);
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	n = (r < 0 || n + r >= sizeof(line) - 1) ? sizeof(line) - 2 : n + r;
	line[n++] = '\n';
	if (write(log_state.fd, line, n) == -1) {
		/* nowhere left to report it */
	}
	errno = saved;
}

/* Write one error-log line. */
void
log_msg(int level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline(level, NULL, fmt, ap);
	va_end(ap);
}

/* Write one error-log line naming the client. */
void
log_client(int level, const char *client, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline(level, client, fmt, ap);
	va_end(ap);
}
