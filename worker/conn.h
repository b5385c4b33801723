/* conn: one client connection's state machine (read, respond, write, close). */
#ifndef TINE_CONN_H
#define TINE_CONN_H

#include <stdint.h>
#include <sys/socket.h>

struct conn;
struct timer;
struct worker_proc;

/* Take over an accepted socket; NULL (socket closed) when out of memory. */
struct conn	*conn_new(struct worker_proc *, int fd,
		    const struct sockaddr_storage *peer);

/* Readiness reported by epoll for this connection. */
void		 conn_event(struct conn *, uint32_t events);

/* The connection's timer expired (the timer is the one inside the conn). */
void		 conn_timeout(struct timer *);

/* Graceful stop: close the connection now if it is idle between requests. */
void		 conn_quit_idle(struct timer *);

#endif
