/* notify: systemd's readiness protocol (Type=notify), without libsystemd. */
#include "tine_build.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "notify.h"

#define NOTIFY_EVERY	5	/* s between two STATUS= lines at most */
#define NOTIFY_MSG_MAX	512

/*
 * Send one datagram to $NOTIFY_SOCKET, if systemd set it: a path, or an
 * abstract name when it starts with '@'. A socket per message: they are
 * rare, and no descriptor is left for a worker to inherit.
 */
static void
notify_send(const char *msg, size_t len)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	size_t			 n;
	int			 fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (n = strlen(path)) >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	/* systemd not listening must not stop a server that serves. */
	if (sendto(fd, msg, len, MSG_NOSIGNAL, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) == -1)
		log_info("NOTIFY_SOCKET %s: %s", path, strerror(errno));
	close(fd);
}

/* The status line of now: the newest generation's workers, and what every
 * live worker has served. */
static void
notify_status_text(struct master *m, char *out, size_t len)
{
	uint64_t	requests = 0;
	unsigned	conns = 0;
	int		i;

	/* The master's list first: free slots' pages stay untouched. */
	for (i = 0; i < m->sb.nslots; i++)
		if (m->pool.v[i].pid != 0 && m->sb.slots[i].pid != 0) {
			requests += m->sb.slots[i].requests;
			conns += m->sb.slots[i].connections;
		}
	snprintf(out, len, "generation %u: %d of %d workers serving, %llu "
	    "requests by the live workers, %u connections", m->gens->id,
	    pool_count_ready(m, m->gens), m->gens->setup->conf->workers,
	    (unsigned long long)requests, conns);
}

/* Format a message into msg and send it; one cut short still goes, as
 * systemd reads it line by line. */
static void __attribute__((format(printf, 1, 2)))
notify_sendf(const char *fmt, ...)
{
	char	msg[NOTIFY_MSG_MAX];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	notify_send(msg, (size_t)n < sizeof(msg) ? (size_t)n :
	    sizeof(msg) - 1);
}

/* Send what (one or more "KEY=value" lines), then the current status. */
static void
notify_with_status(struct master *m, const char *what)
{
	notify_status_text(m, m->notify.status, sizeof(m->notify.status));
	m->notify.said = scoreboard_now();
	notify_sendf("%s\nSTATUS=%s", what, m->notify.status);
}

/* READY=1 with the status. */
void
notify_ready(struct master *m)
{
	char	msg[64];

	/* Started by an old master (a binary upgrade): we are the main
	 * process now, which systemd learns before the old one exits. */
	if (m->up.from != 0) {
		snprintf(msg, sizeof(msg), "MAINPID=%ld\nREADY=1",
		    (long)getpid());
		notify_with_status(m, msg);
		return;
	}
	notify_with_status(m, "READY=1");
}

/* RELOADING=1 with MONOTONIC_USEC, as systemd wants it since v253. */
void
notify_reloading(struct master *m)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify_sendf("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading "
	    "(generation %u serves meanwhile)", (unsigned long long)ts.tv_sec *
	    1000000ULL + (unsigned long long)ts.tv_nsec / 1000, m->gens->id);
}

/* READY=1 again: what (a reload, a log reopen) is over, though the old
 * generation serves on. */
void
notify_failed(struct master *m, const char *what, const char *why)
{
	char	reason[NOTIFY_STATUS_MAX], *p;

	/* A line break in it would start an assignment of its own. */
	strlcpy(reason, why, sizeof(reason));
	for (p = reason; *p != '\0'; p++)
		if ((unsigned char)*p < ' ')
			*p = ' ';
	notify_sendf("READY=1\nSTATUS=%s failed: %s; generation %u serves on",
	    what, reason, m->gens->id);
}

/* STOPPING=1. */
void
notify_stopping(struct master *m)
{
	notify_sendf("STOPPING=1\nSTATUS=stopping: %d workers finishing",
	    pool_count(m, NULL));
}

/* The 1 s tick: STATUS= when it changed and the last is old enough. */
void
notify_tick(struct master *m)
{
	char	text[NOTIFY_STATUS_MAX];

	if (m->gens == NULL || !m->gens->ready ||
	    scoreboard_now() - m->notify.said < NOTIFY_EVERY)
		return;
	notify_status_text(m, text, sizeof(text));
	if (strcmp(text, m->notify.status) == 0)
		return;
	memcpy(m->notify.status, text, sizeof(text));
	m->notify.said = scoreboard_now();
	notify_sendf("STATUS=%s", text);
}
