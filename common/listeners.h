/* listeners: the listening sockets a generation hands its workers (master binds, worker accepts). */
#ifndef TINE_LISTENERS_H
#define TINE_LISTENERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* One listening socket; the master owns fd, the workers inherit it. */
struct listener {
	char			*text;		/* "127.0.0.1:8080", for logs */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 port;		/* host order, for %p in the access log */
	int			 fd;
	bool			 tls;		/* connections start with a TLS handshake */
	bool			 proxy;		/* ... after a PROXY protocol header */
};

/* The set of sockets one generation of workers accepts on. */
struct listeners {
	struct listener	*v;
	size_t		 n;
};

#endif
