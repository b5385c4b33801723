/* listen: the listening sockets, bound by the master and kept across reloads. */
#include "tine_build.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "listen.h"

/* The port of an address, in host order. */
static int
listen_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/*
 * What every listener is set to, bound here or kept (maybe from an older
 * binary), inherited by the sockets it accepts, saving a setsockopt per
 * connection: TCP_NODELAY, as a response leaves in one writev (or a head
 * held back with MSG_MORE) and Nagle has nothing to gather;
 * TCP_NOTSENT_LOWAT (tcp_notsent_lowat), so sendfile hands TCP a file as
 * the client takes it rather than megabytes ahead, which over loopback
 * halved the client's CPU per 64 MiB download (not on TLS listeners: a file
 * sealed in userspace then went out in more, smaller writes, and the TLS 1
 * MiB row took 0.69 of the CPU per request with the kernel's value, at p99
 * 75 ms against 300); TCP_DEFER_ACCEPT
 * (defer_accept), so a worker is woken only once the first bytes came and
 * its read right after accept4 finds them (without it, at 64 new
 * connections at a time, 0.3 to 0.5 of the reads found nothing and cost an
 * epoll_ctl, an epoll_wait and a read more). Its price: a graceful stop
 * resets a client whose handshake is done but whose bytes are still on
 * their way; a silent client is accepted after a SYN-ACK retransmission
 * (about 1 s) and header_timeout applies from then. A reload sets or
 * clears each on the sockets it keeps.
 */
static int
listen_options(const struct listener *l, const struct config *conf, char *err,
    size_t errlen)
{
	const struct {
		int		 opt;
		const char	*name;
		int		 v;
	} o[] = {
		{ TCP_NODELAY, "TCP_NODELAY", 1 },
		/* 0 gives the connections the kernel's tcp_notsent_lowat. */
		{ TCP_NOTSENT_LOWAT, "TCP_NOTSENT_LOWAT",
		    l->tls ? 0 : conf->tcp_notsent_lowat },
		{ TCP_DEFER_ACCEPT, "TCP_DEFER_ACCEPT",
		    conf->defer_accept ? 1 : 0 },
	};
	size_t	i;

	for (i = 0; i < sizeof(o) / sizeof(o[0]); i++)
		if (setsockopt(l->fd, IPPROTO_TCP, o[i].opt, &o[i].v,
		    sizeof(o[i].v)) == -1) {
			snprintf(err, errlen, "cannot set %s on %s: %s",
			    o[i].name, l->text, strerror(errno));
			return -1;
		}
	return 0;
}

/* Bind and listen on one address; the socket is non-blocking for accept4. */
static int
listen_bind(struct listener *l, int backlog, char *err, size_t errlen)
{
	int	fd, on = 1;

	fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	/* "[::]:80" and "*:80" may both be listed: v6 sockets stay v6-only. */
	if (l->addr.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (bind(fd, (struct sockaddr *)&l->addr, l->addrlen) == -1 ||
	    listen(fd, backlog) == -1)
		goto fail;
	l->fd = fd;
	return 0;
fail:
	snprintf(err, errlen, "cannot listen on %s: %s", l->text,
	    strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/*
 * Whether a and b are the same address and port. Field by field, not
 * memcmp: a socket an old master passed comes back from getsockname(),
 * whose padding and flow label owe nothing to the config's parser.
 */
static bool
listen_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6	*a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port && a6->sin6_scope_id ==
	    b6->sin6_scope_id && memcmp(&a6->sin6_addr, &b6->sin6_addr,
	    sizeof(a6->sin6_addr)) == 0;
}

/* The index of an open socket for the same address in keep, or -1. */
static int
listen_find(struct listeners *keep, const struct config_listen *cl)
{
	size_t	i;

	if (keep == NULL)
		return -1;
	for (i = 0; i < keep->n; i++)
		if (keep->v[i].fd != -1 && listen_same(&keep->v[i].addr,
		    &cl->addr))
			return (int)i;
	return -1;
}

/* A listener for the config's entry c, its socket not yet there. */
static void
listen_entry(struct listener *l, const struct config_listen *c)
{
	l->addr = c->addr;
	l->addrlen = c->addrlen;
	l->port = listen_port(&l->addr);
	l->tls = c->tls;
	l->proxy = c->proxy_protocol;
	l->text = strdup(c->text);
	l->fd = -1;
}

/* Make the listeners of conf, reusing sockets of keep where they match. */
int
listen_open(struct listeners *out, struct listeners *keep,
    const struct config *conf, char *err, size_t errlen)
{
	struct listeners	 ls = { NULL, 0 };
	int			*from;
	size_t			 i;
	int			 k;

	ls.v = calloc(conf->nlisten, sizeof(*ls.v));
	from = calloc(conf->nlisten, sizeof(*from));
	if (ls.v == NULL || from == NULL) {
		snprintf(err, errlen, "out of memory");
		free(ls.v);
		free(from);
		return -1;
	}
	for (i = 0; i < conf->nlisten; i++, ls.n++) {
		struct listener	*l = &ls.v[i];

		listen_entry(l, &conf->listen[i]);
		from[i] = k = listen_find(keep, &conf->listen[i]);
		if (k != -1)
			l->fd = keep->v[k].fd;
		if (l->text == NULL || (k == -1 &&
		    listen_bind(l, conf->backlog, err, errlen) == -1) ||
		    listen_options(l, conf, err, errlen) == -1) {
			if (l->text == NULL)
				snprintf(err, errlen, "out of memory");
			ls.n++;
			goto fail;
		}
	}
	/* Only now that nothing can fail do the kept sockets change owner. */
	for (i = 0; i < ls.n; i++)
		if (from[i] != -1)
			keep->v[from[i]].fd = -1;
	free(from);
	*out = ls;
	return 0;
fail:
	for (i = 0; i < ls.n; i++)
		if (from[i] == -1 && ls.v[i].fd != -1)
			close(ls.v[i].fd);
	for (i = 0; i < ls.n; i++)
		free(ls.v[i].text);
	free(ls.v);
	free(from);
	return -1;
}

/* Close every socket of a set and free it. */
void
listen_close(struct listeners *ls)
{
	size_t	i;

	for (i = 0; i < ls->n; i++) {
		if (ls->v[i].fd != -1)
			close(ls->v[i].fd);
		free(ls->v[i].text);
	}
	free(ls->v);
	ls->v = NULL;
	ls->n = 0;
}

/* Hand the sockets of from that were moved out of to back to it. */
void
listen_give_back(struct listeners *from, struct listeners *to)
{
	size_t	i, j;

	for (i = 0; i < from->n; i++)
		for (j = 0; j < to->n && from->v[i].fd != -1; j++)
			if (to->v[j].fd == -1 && listen_same(&to->v[j].addr,
			    &from->v[i].addr)) {
				to->v[j].fd = from->v[i].fd;
				from->v[i].fd = -1;
			}
}
