/*
 * nullsrv: the ceiling tool for the "1 KiB new conn each" benchmark row.
 *
 * A server that does the least an HTTP/1.1 server can do per connection:
 * accept4, read the request (not parsed), writev a constant 1 KiB 200
 * response from memory, close.  N forked processes, each with its own epoll.
 * What it reaches under wrk -H 'Connection: close' is what the kernel's
 * loopback TCP setup and teardown allow; no real server can do better.
 *
 *	nullsrv port mode [procs]
 *
 * mode: "shared" (one listener, EPOLLEXCLUSIVE in every process, as tine),
 * "reuseport" (one SO_REUSEPORT listener per process), "shared-defer" and
 * "reuseport-defer" (the same with TCP_DEFER_ACCEPT).  Runs until killed.
 *
 * cc -O2 -o nullsrv tests/bench/nullsrv.c
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char	 nullsrv_head[256];
static char	 nullsrv_body[1024];

/* Opens a listening socket on 127.0.0.1:PORT. */
static int
nullsrv_listen(int port, int reuseport, int defer)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		err(1, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == -1)
		err(1, "SO_REUSEPORT");
	if (defer &&
	    setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &one, sizeof(one)) == -1)
		err(1, "TCP_DEFER_ACCEPT");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "bind");
	if (listen(fd, 4096) == -1)
		err(1, "listen");
	return fd;
}

/* Answers connection FD: read, writev the response, close; -1 when the
 * request has not arrived yet (then the caller waits for it in epoll). */
static int
nullsrv_answer(int fd)
{
	struct iovec	 iov[2];
	char		 req[4096];
	ssize_t		 n;

	if ((n = read(fd, req, sizeof(req))) == -1 && errno == EAGAIN)
		return -1;
	if (n <= 0) {
		close(fd);
		return 0;
	}
	iov[0].iov_base = nullsrv_head;
	iov[0].iov_len = strlen(nullsrv_head);
	iov[1].iov_base = nullsrv_body;
	iov[1].iov_len = sizeof(nullsrv_body);
	(void)writev(fd, iov, 2);
	close(fd);
	return 0;
}

/* One process's event loop on listener LFD. */
static void
nullsrv_loop(int lfd, int exclusive)
{
	struct epoll_event	 ev, evs[64];
	int			 ep, n, i, c;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	ev.events = EPOLLIN | (exclusive ? EPOLLEXCLUSIVE : 0);
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == -1)
		err(1, "epoll_ctl");
	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd != lfd) {
				epoll_ctl(ep, EPOLL_CTL_DEL, evs[i].data.fd,
				    NULL);
				(void)nullsrv_answer(evs[i].data.fd);
				continue;
			}
			/* One accept4 a wake-up (the listener is level-
			 * triggered: more waiting wakes us again), no EAGAIN
			 * call; read right after it, as tine does: the
			 * request is usually there already. */
			if ((c = accept4(lfd, NULL, NULL,
			    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1 ||
			    nullsrv_answer(c) == 0)
				continue;
			ev.events = EPOLLIN;
			ev.data.fd = c;
			epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
		}
	}
}

/* Parses the arguments, forks the processes and waits for them. */
int
main(int argc, char *argv[])
{
	int	 port, procs, reuse, defer, lfd = -1, i;

	if (argc < 3)
		errx(2, "usage: nullsrv port shared|reuseport[-defer] [procs]");
	port = atoi(argv[1]);
	reuse = strncmp(argv[2], "reuseport", 9) == 0;
	defer = strstr(argv[2], "-defer") != NULL;
	procs = argc > 3 ? atoi(argv[3]) : 2;
	memset(nullsrv_body, 'x', sizeof(nullsrv_body));
	snprintf(nullsrv_head, sizeof(nullsrv_head), "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/html\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", sizeof(nullsrv_body));
	if (!reuse)
		lfd = nullsrv_listen(port, 0, defer);
	for (i = 0; i < procs; i++) {
		switch (fork()) {
		case -1:
			err(1, "fork");
		case 0:
			if (reuse)
				lfd = nullsrv_listen(port, 1, defer);
			nullsrv_loop(lfd, !reuse);
			_exit(0);
		}
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
