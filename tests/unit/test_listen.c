/* Unit tests of master/listen.c: the listening sockets hand the sockets
 * they accept TCP_NODELAY, which the worker no longer sets. */
#include "tine_build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "listen.h"

#define WAIT_MS	10000	/* generous: the machine is shared */

static struct config_listen	cl;
static struct config		conf;

/* A config with one listener on 127.0.0.1, on a port the kernel picks
 * (which the config parser does not allow). */
static void
setup(void)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&cl.addr;

	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cl.addrlen = sizeof(*sin);
	cr_assert_not_null(cl.text = strdup("127.0.0.1:0"));
	conf.listen = &cl;
	conf.nlisten = 1;
	conf.backlog = 16;
}

/* Its text. */
static void
teardown(void)
{
	free(cl.text);
}

/* Open the listeners of conf, keeping those of keep. */
static void
open_ls(struct listeners *ls, struct listeners *keep)
{
	char	err[256];

	cr_assert_eq(listen_open(ls, keep, &conf, err, sizeof(err)), 0, "%s",
	    err);
	cr_assert_eq(ls->n, 1);
}

/* A TCP option of fd, as an int. */
static int
tcp_opt(int fd, int opt)
{
	int		v = -1;
	socklen_t	len = sizeof(v);

	cr_assert_eq(getsockopt(fd, IPPROTO_TCP, opt, &v, &len), 0);
	return v;
}

/* A socket connected (the handshake done) to the listener lfd. */
static int
dial(int lfd)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	struct pollfd		pfd;
	int			fd;

	cr_assert_eq(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), -1);
	cr_assert(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 ||
	    errno == EINPROGRESS);
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	cr_assert_eq(poll(&pfd, 1, WAIT_MS), 1, "connect never completed");
	return fd;
}

/* Accept on lfd once it says something is there. */
static int
take(int lfd)
{
	struct pollfd	pfd = { .fd = lfd, .events = POLLIN };
	int		fd;

	cr_assert_eq(poll(&pfd, 1, WAIT_MS), 1, "nothing to accept");
	cr_assert_neq(fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), -1);
	return fd;
}

TestSuite(listen, .init = setup, .fini = teardown);

/* The worker no longer sets TCP_NODELAY per connection: it must come with
 * the accepted socket, from the listener. */
Test(listen, accepted_sockets_have_nodelay)
{
	struct listeners	ls;
	int			c, s;

	open_ls(&ls, NULL);
	c = dial(ls.v[0].fd);
	cr_assert_eq(send(c, "G", 1, 0), 1);
	s = take(ls.v[0].fd);
	cr_expect_neq(tcp_opt(s, TCP_NODELAY), 0, "accepted without NODELAY");
	close(s);
	close(c);
	listen_close(&ls);
}

/* A socket kept across a reload (or passed by an older binary, which did
 * not set it) gets it too. */
Test(listen, kept_sockets_get_nodelay)
{
	struct listeners	old, ls;
	int			off = 0;

	open_ls(&old, NULL);
	cr_assert_eq(setsockopt(old.v[0].fd, IPPROTO_TCP, TCP_NODELAY, &off,
	    sizeof(off)), 0);
	/* The same config: old's socket is moved over. */
	open_ls(&ls, &old);
	cr_assert_eq(old.v[0].fd, -1, "the socket was not kept");
	cr_expect_neq(tcp_opt(ls.v[0].fd, TCP_NODELAY), 0);
	listen_close(&ls);
	listen_close(&old);
}
