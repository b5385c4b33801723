/* conn: one client connection's state machine (read, respond, write, close). */
#ifndef TINE_CONN_H
#define TINE_CONN_H

#include <stdint.h>
#include <sys/socket.h>

struct conn;
struct timer;
struct worker_proc;

/* Take over a socket accepted on local port; NULL (closed) without memory. */
struct conn	*conn_new(struct worker_proc *, int fd,
		    const struct sockaddr_storage *peer, int port);

/* Readiness reported by epoll for this connection. */
void		 conn_event(struct conn *, uint32_t events);

/* The connection's timer expired (the timer is the one inside the conn). */
void		 conn_timeout(struct timer *);

/* Graceful stop: close a kept-alive connection unless a request arrived. */
void		 conn_quit_idle(struct timer *);

#endif
