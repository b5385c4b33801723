/* conn: one client connection's state machine (read, respond, write, close). */
#ifndef TINE_CONN_H
#define TINE_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct conn;
struct limit_key;
struct timer;
struct tls_worker;
struct worker_proc;

/* Take over a socket accepted on local port, counted under key, over TLS
 * when tls is set, after a PROXY protocol header when proxy is, and serve
 * what the client sent already; 0 taken (maybe answered and closed by
 * now), -1 closed and not counted: without memory, or from a peer not in
 * trusted_proxies on a proxy port (logged). */
int		 conn_new(struct worker_proc *, int fd,
		    const struct sockaddr_storage *peer,
		    const struct limit_key *key, int port,
		    struct tls_worker *tls, bool proxy);

/* Readiness reported by epoll for this connection. */
void		 conn_event(struct conn *, uint32_t events);

/* The connection's timer expired (the timer is the one inside the conn). */
void		 conn_timeout(struct timer *);

/* Room is short: close the connection unless it is a request head arriving
 * at header_min_rate or faster; true if it was closed. */
bool		 conn_shed(struct timer *);

/* Fast stop: log the request in progress on the connection as aborted
 * (as conn_timeout does one past send_timeout), leaving the socket to the
 * exit; an idle connection, or one lingering, logs nothing. */
void		 conn_stop(struct timer *);

/* Graceful stop: an idle kept-alive connection waits for its next request
 * only the drain grace, unless it would close sooner. */
void		 conn_quit_idle(struct timer *);

#endif
