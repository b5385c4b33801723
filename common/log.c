/* log: the error log (levels, destinations) shared by master and workers. */
#include "tine_build.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "date.h"
#include "log.h"

#define LOG_LINE_MAX	2048
#define LOG_MODE	0640	/* what a log file is created with */
#define LOG_RACES	3	/* creations lost to a racing unlink */

/* This process's error log: where it goes and what passes the filter. */
static struct log_target log_state = {
	CONFIG_LOG_STDERR, STDERR_FILENO, LOG_NOTICE, LOG_DAEMON, (gid_t)-1, ""
};

static const char *const log_names[] = {
	"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"
};

/*
 * Open a log file for appending. A file this creates is 0640 (main() set
 * the umask to 022) and, when root creates it, of group gid (unless -1), so
 * that the admins' group reads it before the first rotation (Debian's
 * root:adm). An existing file keeps its mode and owner: its admin chose
 * them.
 */
int
log_file_open(const char *path, gid_t gid)
{
	int	fd = -1, flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY;
	int	i;

	for (i = 0; i < LOG_RACES && fd == -1; i++) {
		if ((fd = open(path, flags)) != -1)
			return fd;
		if (errno != ENOENT)
			return -1;
		/* O_EXCL: only a file made here is given our group. */
		fd = open(path, flags | O_CREAT | O_EXCL, LOG_MODE);
		if (fd == -1 && errno != EEXIST)
			return -1;
	}
	if (fd == -1)
		return -1;
	if (geteuid() == 0 && gid != (gid_t)-1 && fchown(fd, (uid_t)-1,
	    gid) == -1) {
		/* it stays root's group: not worth refusing to start over */
	}
	return fd;
}

/* Open the error log file for appending; err says why not. */
static int
log_open_file(const char *path, gid_t gid, char *err, size_t errlen)
{
	int	fd;

	if ((fd = log_file_open(path, gid)) == -1)
		snprintf(err, errlen, "cannot open error log %s: %s", path,
		    strerror(errno));
	return fd;
}

/* Open the error log a config names, without switching to it yet. */
int
log_target_open(const struct config *conf, int foreground,
    struct log_target *t, char *err, size_t errlen)
{
	const char	*path = conf->error_log;

	t->dest = conf->error_log_dest;
	if (t->dest == CONFIG_LOG_DEFAULT) {
		t->dest = foreground ? CONFIG_LOG_STDERR : CONFIG_LOG_FILE;
		path = LOCALSTATEDIR "/log/tine/error.log";
	}
	t->level = conf->log_level;
	t->facility = conf->syslog_facility;
	t->gid = conf->log_gid;
	t->path[0] = '\0';
	t->fd = t->dest == CONFIG_LOG_SYSLOG ? -1 : STDERR_FILENO;
	if (t->dest != CONFIG_LOG_FILE)
		return 0;
	if (strlcpy(t->path, path, sizeof(t->path)) >= sizeof(t->path)) {
		snprintf(err, errlen, "error log path too long");
		return -1;
	}
	if ((t->fd = log_open_file(path, t->gid, err, errlen)) == -1)
		return -1;
	return 0;
}

/* Release what log_target_open() opened, unless it is in use. */
void
log_target_close(struct log_target *t)
{
	if (t->dest == CONFIG_LOG_FILE && t->fd != -1 && t->fd != log_state.fd)
		close(t->fd);
	t->fd = -1;
}

/* Switch this process to t, which it then owns; the old file is closed. */
void
log_target_use(struct log_target *t)
{
	if (t->dest == CONFIG_LOG_SYSLOG)
		openlog("tine", LOG_PID | LOG_NDELAY, t->facility);
	if (log_state.dest == CONFIG_LOG_FILE && log_state.fd != -1 &&
	    log_state.fd != t->fd)
		close(log_state.fd);
	log_state = *t;
}

/* Open the error log of a config and switch to it. */
int
log_open(const struct config *conf, int foreground, char *err, size_t errlen)
{
	struct log_target	t;

	if (log_target_open(conf, foreground, &t, err, errlen) == -1)
		return -1;
	log_target_use(&t);
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
	if ((fd = log_open_file(log_state.path, log_state.gid, err,
	    sizeof(err))) == -1) {
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

/* The file the error log goes to; "" when it is not a file. */
const char *
log_path(void)
{
	return log_state.dest == CONFIG_LOG_FILE ? log_state.path : "";
}

/* The descriptor of the error log, -1 for syslog. */
int
log_fd(void)
{
	return log_state.fd;
}

/* "[2026-11-28T02:21:27.123+00:00]" for now, local time with its offset. */
static void
log_stamp(struct buf *b)
{
	struct timeval	tv;
	char		stamp[DATE_LOCAL_LEN];
	size_t		n;

	gettimeofday(&tv, NULL);
	n = date_format_local(tv.tv_sec, (int)(tv.tv_usec / 1000), DATE_ISO,
	    stamp);
	buf_add(b, "[", 1);
	buf_add(b, stamp, n);
	buf_add(b, "]", 1);
}

/*
 * Append a message with every byte that could act on a terminal or hide
 * text escaped as \xhh: controls, DEL, and all of 0x80 up (C1 controls and
 * bidi overrides are among them), as Apache escapes its log items. A
 * backslash is doubled so an escape cannot be forged. What does not fit is
 * cut at an escape boundary.
 */
static void
log_escape(struct buf *b, const char *s, size_t len)
{
	unsigned char	c;
	size_t		i;

	for (i = 0; i < len && buf_ok(b); i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf_add(b, &s[i], 1);
		else if (c == '\\')
			buf_add(b, "\\\\", 2);
		else
			buf_addesc(b, "\\x", c, false);
	}
}

/* Format and write one line; the single write keeps lines whole. */
static void
log_vline(int level, const char *fmt, va_list ap)
{
	char		 line[LOG_LINE_MAX], msg[LOG_LINE_MAX];
	struct buf	 b;
	int		 n, saved = errno;

	if (level > log_state.level || level < 0 || level > LOG_DEBUG)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		n = 0;
	else if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	/* One byte is kept back for the newline. */
	buf_init(&b, line, sizeof(line) - 1);
	if (log_state.dest != CONFIG_LOG_SYSLOG) {
		log_stamp(&b);
		buf_addf(&b, " [%s] [pid %ld] ", log_names[level],
		    (long)getpid());
	}
	log_escape(&b, msg, (size_t)n);
	if (log_state.dest == CONFIG_LOG_SYSLOG) {
		syslog(level, "%.*s", (int)b.len, line);
		errno = saved;
		return;
	}
	line[b.len++] = '\n';
	if (write(log_state.fd, line, b.len) == -1) {
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
	log_vline(level, fmt, ap);
	va_end(ap);
}
