/* conn: one client connection's state machine (read, respond, write, close). */
#include "tine_build.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "accesslog.h"
#include "autoindex.h"
#include "cidr.h"
#include "config.h"
#include "conn.h"
#include "fcache.h"
#include "http.h"
#include "limit.h"
#include "log.h"
#include "proxy.h"
#include "realip.h"
#include "scoreboard.h"
#include "static.h"
#include "tls.h"
#include "vhost.h"
#include "worker.h"

#define CONN_IN_START	2048
#define CONN_SPARES	8	/* idle request states a worker keeps */
#define CONN_IOV	16
#define CONN_SLOW_MS	1000	/* a head is judged slow only after this */
#define CONN_TLS_HELLO	0x16	/* how a TLS client's first record starts */
#define CONN_CLOSED_EARLY 499	/* nginx's "client closed request" */

enum conn_state {
	CONN_PROXY,		/* a PROXY protocol header comes first */
	CONN_HANDSHAKE,		/* TLS: before the first request */
	CONN_READ,		/* waiting for (the rest of) a request head */
	CONN_DISCARD,		/* reading and dropping a request body */
	CONN_WRITE,		/* sending a response */
	CONN_LINGER		/* response sent, draining the client, then close */
};

/*
 * What a connection needs only while a request is under way: the input
 * buffer, the parsed head and the response, most of its memory. Taken from
 * the worker's spares when bytes arrive, given back when the connection
 * goes idle, so an idle kept-alive connection holds a few hundred bytes.
 */
struct conn_work {
	struct response		 resp;
	struct http_request	 req;
	struct conn_work	*next;		/* among the worker's spares */
	char			 in[CONN_IN_START];
};

struct conn {
	struct timer		 timer;
	struct worker_proc	*w;
	int			 fd;
	struct tls		*tls;		/* NULL: plain HTTP */
	enum conn_state		 state;
	bool			 readable, writable;
	bool			 in_set;	/* in the event set (conn_first) */
	bool			 out_armed;	/* ... with EPOLLOUT */
	bool			 hup;		/* the peer closed or reset */
	bool			*gone;		/* set when it closes, while
						 * conn_new serves it */
	char			 host[48];	/* "addr", for the access log */
	struct cidr_addr	 peer;		/* the same, for access rules */
	bool			 realip;	/* host and peer are the
						 * request's real_ip_header */
	char			 sock_host[48];	/* the socket's peer, for %{c}a */
	struct sockaddr_storage	 client;	/* the socket's peer, or the
						 * client a PROXY header named */
	int			 port;		/* the local port it came in on */
	struct limit_key	 key;		/* counted under this address */
	int64_t			 head_ms;	/* monotonic ms the head began */
	uint64_t		 rx;		/* bytes read since then */

	struct conn_work	*work;		/* NULL while idle */
	char			*in;		/* work->in, or a grown one */
	size_t			 inlen, incap;
	struct http_parser	 parser;
	struct http_request	*req;		/* in work */
	bool			 have_req;	/* req is valid (parsed) */
	size_t			 used;		/* bytes of `in` this request used */
	uint64_t		 discard;
	unsigned		 nreq;

	struct response		*resp;		/* in work */
	size_t			 head_sent;
	int			 seg;
	size_t			 seg_done;
	uint64_t		 sent;
	bool			 aborted;	/* ended before it was all sent */
	bool			 timed;		/* t0 and t0_mono are set */
	struct timespec		 t0;		/* wall clock: %t */
	struct timespec		 t0_mono;	/* for %D %T */
};

/* The conn that owns a timer. */
static struct conn *
conn_of(struct timer *t)
{
	return (struct conn *)((char *)t - offsetof(struct conn, timer));
}

/* Give c a request state, a spare one when the worker has it; -1 without
 * memory. */
static int
conn_work_get(struct conn *c)
{
	struct worker_proc	*w = c->w;
	struct conn_work	*k;
	size_t			 max = w->conf->max_header_size;

	if ((k = w->spares) != NULL) {
		w->spares = k->next;
		w->nspares--;
	} else if ((k = malloc(sizeof(*k))) != NULL)
		memset(&k->resp, 0, offsetof(struct response, hdr));
	else
		return -1;
	c->work = k;
	c->req = &k->req;
	c->resp = &k->resp;
	c->in = k->in;
	c->incap = max < sizeof(k->in) ? max : sizeof(k->in);
	return 0;
}

/* c goes idle or closes, holding no file nor listing any more: its request
 * state becomes a spare, or is freed when the worker has enough. */
static void
conn_work_put(struct conn *c)
{
	struct worker_proc	*w = c->w;
	struct conn_work	*k = c->work;

	if (k == NULL)
		return;
	if (c->in != k->in)
		free(c->in);
	c->work = NULL;
	c->req = NULL;
	c->resp = NULL;
	c->in = NULL;
	c->inlen = c->incap = 0;
	if (w->nspares >= CONN_SPARES) {
		free(k);
		return;
	}
	k->next = w->spares;
	w->spares = k;
	w->nspares++;
}

/* Free everything; the socket is closed. */
static void
conn_close(struct conn *c)
{
	worker_timer_clear(&c->timer);
	if (c->work != NULL) {
		if (c->resp->fe != NULL)
			fcache_release(c->resp->fc, c->resp->fe);
		c->resp->fe = NULL;
		autoindex_release(c->w, c->resp);
		conn_work_put(c);
	}
	tls_free(c->tls);
	close(c->fd);
	worker_conn_gone(c->w, &c->key);
	if (c->gone != NULL)
		*c->gone = true;
	free(c);
}

/* Write an IPv4 address in dotted decimal: glibc's inet_ntop does it with
 * sprintf, a printf on every new connection. */
static void
conn_ntop4(const struct in_addr *in, char *out, size_t size)
{
	const unsigned char	*a = (const unsigned char *)&in->s_addr;
	struct buf		 b;
	int			 i;

	buf_init(&b, out, size - 1);
	for (i = 0; i < 4; i++) {
		if (i > 0)
			buf_add(&b, ".", 1);
		buf_addu(&b, a[i]);
	}
	out[b.len] = '\0';
}

/* Take the client address once, for the access log and access rules. */
static void
conn_peer(struct conn *c, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*s4 = (const void *)ss;
	const struct sockaddr_in6	*s6 = (const void *)ss;

	if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &s6->sin6_addr, c->host, sizeof(c->host));
	else
		conn_ntop4(&s4->sin_addr, c->host, sizeof(c->host));
	cidr_addr_from((const struct sockaddr *)ss, &c->peer);
}

/* A request head begins: header_timeout and header_min_rate count from
 * now. */
static void
conn_head_start(struct conn *c)
{
	c->head_ms = c->w->now_ms;
	c->rx = 0;
	worker_timer_set(c->w, &c->timer, TIMER_HEADER);
}

/* Whether a connection on a proxy_protocol port may send a PROXY header:
 * else anyone could claim any address, so it is closed. */
static bool
conn_proxy_trusted(const struct conn *c)
{
	const struct config	*conf = c->w->conf;

	if (realip_trusted(conf->trusted_proxies, conf->ntrusted_proxies,
	    &c->peer))
		return true;
	if (worker_proxy_say(c->w))
		log_info("a connection from %s on PROXY protocol port %d, not "
		    "in trusted_proxies: closed", c->host, c->port);
	return false;
}

static bool	conn_step(struct conn *);

/* Put the connection in the event set (add), or ask for EPOLLOUT too. */
static int
conn_watch(struct conn *c, int op, bool out)
{
	struct epoll_event	ev;

	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (out ? EPOLLOUT : 0);
	ev.data.ptr = c;
	if (epoll_ctl(c->w->epfd, op, c->fd, &ev) == -1) {
		log_error("epoll_ctl: %s", strerror(errno));
		return -1;
	}
	c->in_set = true;
	c->out_armed = out;
	return 0;
}

/*
 * A write would block: from now on epoll must say when the socket drains.
 * Until then a connection is watched for input only: an edge-
 * triggered EPOLLOUT is reported at once on a fresh socket, an epoll round
 * trip for nothing on every connection that had to wait for its request.
 * MOD reports the readiness there already, so nothing is missed.
 */
static int
conn_want_out(struct conn *c)
{
	c->writable = false;
	if (!c->in_set || c->out_armed)
		return 0;
	return conn_watch(c, EPOLL_CTL_MOD, true);
}

/*
 * Serve a new connection as far as it goes now. A client sends its request
 * (or PROXY header, or TLS hello) right after its handshake, so it is
 * usually here: a request answered with close then costs no epoll_ctl and
 * no epoll round trip (a miss costs one read). Only what must wait goes in
 * the event set, whose ADD reports any readiness there already, so nothing
 * is missed. EPOLLOUT only once a write (or a TLS read that must write
 * first) has blocked: see conn_want_out().
 */
static void
conn_first(struct conn *c)
{
	bool	gone = false;

	c->readable = c->writable = true;
	c->gone = &gone;
	while (conn_step(c))
		;
	if (gone)
		return;
	c->gone = NULL;
	if (conn_watch(c, EPOLL_CTL_ADD, !c->writable) == -1)
		conn_close(c);
}

/* Take over an accepted socket; a PROXY header, then a TLS handshake, come
 * first where the listener says so, and count as header time. */
int
conn_new(struct worker_proc *w, int fd, const struct sockaddr_storage *peer,
    const struct limit_key *key, int port, struct tls_worker *tls,
    bool proxy)
{
	struct conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return -1;
	}
	c->w = w;
	c->fd = fd;
	c->port = port;
	c->key = *key;
	c->timer.kind = -1;
	conn_peer(c, peer);
	memcpy(c->sock_host, c->host, sizeof(c->sock_host));
	c->client = *peer;
	c->state = proxy ? CONN_PROXY : tls != NULL ? CONN_HANDSHAKE :
	    CONN_READ;
	if (proxy && !conn_proxy_trusted(c)) {
		close(fd);
		free(c);
		return -1;
	}
	if (tls != NULL && (c->tls = tls_new(tls, fd, c->host)) == NULL) {
		close(fd);
		free(c);
		return -1;
	}
	http_parser_init(&c->parser);
	w->nconns++;
	conn_head_start(c);
	conn_first(c);
	return 0;
}

/*
 * A request's clock starts: when its first byte is read, or, for a request
 * whose bytes were already buffered (pipelined), when the one before it is
 * answered. Not at accept, nor at the end of the previous response: %D
 * must not count how long a client took to send, or kept a connection idle.
 */
static void
conn_clock_start(struct conn *c)
{
	clock_gettime(CLOCK_REALTIME, &c->t0);
	clock_gettime(CLOCK_MONOTONIC, &c->t0_mono);
	c->timed = true;
}

/* What the access-log line of the finished (or aborted) response shows. */
static void
conn_log_entry(struct conn *c, struct alog_entry *e)
{
	struct timespec	now;
	int64_t		us;

	if (!c->timed)
		conn_clock_start(c);
	memset(e, 0, sizeof(*e));
	e->client = c->host;
	e->peer = c->sock_host;
	e->request_line = http_first_line(c->in, c->inlen);
	if (c->have_req)
		alog_entry_request(e, c->req);
	/* %v: the vhost that answered, by its name (else the Host sent). */
	if (c->resp->site != NULL && c->resp->site->name != NULL)
		e->host = (struct http_str){ c->resp->site->name,
		    strlen(c->resp->site->name) };
	if (c->resp->user != NULL)
		e->user = (struct http_str){ c->resp->user,
		    strlen(c->resp->user) };
	e->response_head = (struct http_str){ c->resp->hdr, c->resp->headlen };
	e->status = c->resp->status;
	e->body_bytes = c->sent > c->resp->headlen ? c->sent -
	    c->resp->headlen : 0;
	e->conn_status = c->aborted ? "X" : c->resp->close || c->w->quitting ?
	    "-" : "+";
	e->start = c->t0;
	/* The monotonic clock: a wall clock step must not bend %D. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (int64_t)(now.tv_sec - c->t0_mono.tv_sec) * 1000000 +
	    (now.tv_nsec - c->t0_mono.tv_nsec) / 1000;
	e->duration_us = us > 0 ? (uint64_t)us : 0;
	e->local_port = c->port;
	e->pid = c->w->pid;
	if (c->tls != NULL) {
		e->tls_protocol = tls_protocol(c->tls);
		e->tls_cipher = tls_cipher(c->tls);
	}
}

/*
 * Log the finished response: a line for its site's log (by the index
 * config gave the site), buffered by the worker. A response no site
 * answered (a request that did not parse) goes to the default site's.
 */
static void
conn_log(struct conn *c)
{
	const struct config		*conf = c->w->conf;
	const struct config_site	*site = c->resp->site != NULL ?
	    c->resp->site : &conf->sites[conf->default_site];
	struct alog_entry		 e;
	char				 line[ALOG_LINE_MAX];
	size_t				 n;
	size_t				 i = site->access_log;
	int				 fd = c->w->env->access_fds[i];

	if (fd == -1 && conf->access_logs[i].dest != CONFIG_LOG_SYSLOG)
		return;
	conn_log_entry(c, &e);
	n = alog_format(site->access_format, &e, line, sizeof(line));
	if (fd == -1) {
		syslog(LOG_INFO, "%.*s", (int)n - 1, line);
		return;
	}
	worker_access_line(c->w, i, line, n);
}

/* Start sending c->resp. */
static void
conn_send(struct conn *c)
{
	c->state = CONN_WRITE;
	c->head_sent = 0;
	c->seg = 0;
	c->seg_done = 0;
	c->sent = 0;
	worker_timer_set(c->w, &c->timer, TIMER_SEND);
}

/* Did the request line (parsed or not) ask for HEAD? Then no error body. */
static bool
conn_is_head(const struct conn *c)
{
	struct http_str	rl = http_first_line(c->in, c->inlen);

	return rl.len >= 5 && memcmp(rl.ptr, "HEAD ", 5) == 0;
}

/* Answer with an error status and close afterwards. */
static void
conn_fail(struct conn *c, int status)
{
	memset(c->resp, 0, offsetof(struct response, hdr));
	c->resp->close = true;
	static_error(c->w, c->resp, status, conn_is_head(c));
	conn_send(c);
}

/*
 * Will the request be answered without reading its body? Then the
 * connection closes after the answer: its framing cannot be trusted.
 * That is the case for methods we refuse (405, 501) sent with a body,
 * CONNECT, and Expect: 100-continue (we answer before the body comes).
 */
static bool
conn_skips_body(const struct conn *c)
{
	bool	body = c->req->content_length > 0 || c->req->chunked;

	switch (c->req->method) {
	case HTTP_METHOD_GET:
	case HTTP_METHOD_HEAD:
	case HTTP_METHOD_OPTIONS:
		return body && c->req->expect_continue && !c->req->chunked;
	case HTTP_METHOD_CONNECT:
		return true;
	default:
		return body;
	}
}

/* Build the response to the parsed request and start sending it. */
static void
conn_respond(struct conn *c)
{
	struct worker_proc	*w = c->w;
	struct response		*r = c->resp;
	long			 max = w->conf->keepalive_requests;

	memset(r, 0, offsetof(struct response, hdr));
	r->close = !c->req->keep_alive || w->quitting ||
	    (max > 0 && c->nreq + 1 >= (unsigned long)max) ||
	    conn_skips_body(c);
	r->keep_alive_10 = !r->close && c->req->version == 10;
	r->tls = c->tls != NULL;
	static_serve(w, c->req, &c->peer, r);
	conn_send(c);
}

/* With real_ip_header, a request from a trusted proxy names its client:
 * for this request only (a proxy may mix clients on one connection). */
static void
conn_realip(struct conn *c)
{
	const struct config	*conf = c->w->conf;
	struct sockaddr_storage	 ss;

	if (conf->real_ip_header == NULL || !realip_trusted(
	    conf->trusted_proxies, conf->ntrusted_proxies, &c->peer))
		return;
	if (realip_client(conf->trusted_proxies, conf->ntrusted_proxies,
	    c->req, conf->real_ip_header, &ss) == 1) {
		conn_peer(c, &ss);
		c->realip = true;
	}
}

/* A complete head was parsed: check its framing, then body or response. */
static void
conn_request(struct conn *c, size_t headlen)
{
	const struct config	*conf = c->w->conf;
	size_t			 take;

	c->have_req = true;
	conn_realip(c);
	c->used = headlen;
	if (conn_skips_body(c)) {
		conn_respond(c);
		return;
	}
	/* A chunked body is refused rather than decoded: 411, then close. */
	if (c->req->chunked) {
		conn_fail(c, 411);
		return;
	}
	if (c->req->content_length > conf->max_body_size) {
		conn_fail(c, 413);
		return;
	}
	c->discard = c->req->content_length;
	take = c->inlen - c->used < c->discard ? c->inlen - c->used :
	    (size_t)c->discard;
	c->used += take;
	c->discard -= take;
	if (c->discard > 0) {
		c->state = CONN_DISCARD;
		return;
	}
	conn_respond(c);
}

/* Bytes from the client: through TLS on a TLS connection. */
static ssize_t
conn_recv(struct conn *c, void *buf, size_t len)
{
	ssize_t	n;

	if (c->tls == NULL)
		return read(c->fd, buf, len);
	/* A TLS read that must write first (the rest of a handshake's
	 * flight, a key update's answer) waits for the socket to drain. */
	if ((n = tls_read(c->tls, buf, len)) == -1 && errno == EAGAIN &&
	    tls_crossed(c->tls)) {
		if (conn_want_out(c) == -1) {
			errno = EIO;
			return -1;
		}
		errno = EAGAIN;
	}
	return n;
}

/* Try to parse the buffered bytes: 1 the state moved on, 0 more bytes are
 * needed, -1 the connection is gone. */
static int
conn_parse(struct conn *c)
{
	const struct config	*conf = c->w->conf;
	struct http_limits	 lim = { conf->max_request_line,
	    conf->max_header_size, conf->max_headers };
	long			 n;

	if (c->inlen == 0)
		return 0;
	/* A TLS hello on a plain port: no answer it could read. */
	if (c->nreq == 0 && (unsigned char)c->in[0] == CONN_TLS_HELLO &&
	    c->tls == NULL) {
		log_info("a TLS handshake from %s on plain HTTP port %d: closed",
		    c->host, c->port);
		conn_close(c);
		return -1;
	}
	n = http_parse(&c->parser, c->in, c->inlen, &lim, c->req);
	if (n < 0) {
		c->have_req = false;
		conn_fail(c, c->req->status);
		return 1;
	}
	if (n == HTTP_PARSE_MORE) {
		if (c->inlen < conf->max_header_size)
			return 0;
		conn_fail(c, 431);
		return 1;
	}
	conn_request(c, (size_t)n);
	return 1;
}

/* The input buffer is full: double it, up to max_header_size, moving out
 * of the request state onto the heap (a big head); -1 when it may not. */
static int
conn_grow(struct conn *c)
{
	size_t	max = c->w->conf->max_header_size;
	size_t	cap = c->incap * 2 < max ? c->incap * 2 : max;
	char	*p;

	if (cap <= c->incap)
		return -1;
	if (c->in != c->work->in)
		p = realloc(c->in, cap);
	else if ((p = malloc(cap)) != NULL)
		memcpy(p, c->in, c->inlen);
	if (p == NULL)
		return -1;
	c->in = p;
	c->incap = cap;
	return 0;
}

/* Read into the buffer; 1 data, 0 would block, -1 closed or failed. An
 * idle connection takes a request state to read into, and gives it back
 * when nothing came. */
static int
conn_read(struct conn *c)
{
	ssize_t	n;

	if (c->work == NULL && conn_work_get(c) == -1)
		return -1;
	if (c->inlen == c->incap && conn_grow(c) == -1)
		return -1;
	n = conn_recv(c, c->in + c->inlen, c->incap - c->inlen);
	if (n > 0) {
		if (!c->timed)
			conn_clock_start(c);
		if (c->inlen == 0 && (c->timer.kind == TIMER_KEEPALIVE ||
		    c->timer.kind == TIMER_DRAIN))
			conn_head_start(c);
		c->rx += (uint64_t)n;
		/* A short read drained the socket: skip the EAGAIN read. (Not
		 * when the peer's close came with the bytes: edge-triggered,
		 * no event would tell of it again. Through TLS, which returns
		 * a record at a time, the module knows.) */
		if ((c->tls != NULL ? tls_drained(c->tls) :
		    (size_t)n < c->incap - c->inlen) && !c->hup)
			c->readable = false;
		c->inlen += (size_t)n;
		return 1;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		c->readable = false;
		if (c->inlen == 0)
			conn_work_put(c);
		return 0;
	}
	return -1;
}

/* Read and drop body bytes; 1 progress, 0 would block, -1 closed. */
static int
conn_drop(struct conn *c)
{
	char	buf[16384];
	ssize_t	n;

	n = conn_recv(c, buf, c->discard < sizeof(buf) ? (size_t)c->discard :
	    sizeof(buf));
	/* No timer reset: header_timeout bounds the head and the body. */
	if (n > 0) {
		c->discard -= (uint64_t)n;
		c->rx += (uint64_t)n;
		return 1;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		c->readable = false;
		return 0;
	}
	return -1;
}

/* Account n bytes written against the head and the segments. */
static void
conn_advance(struct conn *c, size_t n)
{
	struct response	*r = c->resp;
	size_t		 k;

	c->sent += n;
	k = r->headlen - c->head_sent < n ? r->headlen - c->head_sent : n;
	c->head_sent += k;
	n -= k;
	while (n > 0 && c->seg < r->nsegs) {
		k = r->segs[c->seg].len - c->seg_done;
		if (n < k) {
			c->seg_done += n;
			return;
		}
		n -= k;
		c->seg++;
		c->seg_done = 0;
	}
}

/* Gather what is left of the head and the memory segments after it; *more
 * says whether anything (a file segment) follows them. */
static int
conn_iov(struct conn *c, struct iovec *iov, bool *more)
{
	struct response	*r = c->resp;
	int		 n = 0, i;
	size_t		 done = c->seg_done;

	if (c->head_sent < r->headlen)
		iov[n++] = (struct iovec){ r->hdr + c->head_sent,
		    r->headlen - c->head_sent };
	for (i = c->seg; i < r->nsegs && n < CONN_IOV &&
	    r->segs[i].mem != NULL; i++, done = 0)
		iov[n++] = (struct iovec){ (void *)(r->segs[i].mem + done),
		    r->segs[i].len - done };
	*more = i < r->nsegs;
	return n;
}

/* Write iov; with more, MSG_MORE holds a short head back so it leaves in
 * the same packets as the file after it (what TCP_CORK does, without the
 * two extra system calls). */
static ssize_t
conn_gather(struct conn *c, struct iovec *iov, int niov, bool more)
{
	struct msghdr	msg;

	if (c->tls != NULL)
		return tls_writev(c->tls, iov, niov, !more && c->resp->close);
	if (!more)
		return writev(c->fd, iov, niov);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)niov;
	return sendmsg(c->fd, &msg, MSG_MORE | MSG_NOSIGNAL);
}

/* Send what we can; 1 finished, 0 would block, -1 failed. */
static int
conn_write(struct conn *c)
{
	struct response	*r = c->resp;
	struct iovec	 iov[CONN_IOV];
	ssize_t		 n;
	off_t		 off;
	int		 niov;
	bool		 more;

	for (;;) {
		if ((niov = conn_iov(c, iov, &more)) > 0)
			n = conn_gather(c, iov, niov, more);
		else if (c->seg == r->nsegs)
			return 1;
		else {
			off = r->segs[c->seg].off + (off_t)c->seg_done;
			n = c->tls != NULL ? tls_sendfile(c->tls, r->fe->fd,
			    off, r->segs[c->seg].len - c->seg_done) :
			    sendfile(c->fd, r->fe->fd, &off,
			    r->segs[c->seg].len - c->seg_done);
			if (n == 0) {
				log_error("%s changed while being sent",
				    r->fe->key);
				return -1;
			}
		}
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return conn_want_out(c);
			return -1;
		}
		conn_advance(c, (size_t)n);
		worker_timer_set(c->w, &c->timer, TIMER_SEND);
	}
}

/* Close now, or half-close and drain what the client still sends. */
static bool
conn_finish(struct conn *c)
{
	if (c->tls != NULL)
		tls_shutdown(c->tls);
	if (c->inlen == c->used && c->discard == 0 && !c->readable) {
		conn_close(c);
		return false;
	}
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_LINGER;
	worker_timer_set(c->w, &c->timer, TIMER_LINGER);
	return true;
}

/* The response is out: log it, then the next request or the end. */
static bool
conn_done(struct conn *c)
{
	struct worker_proc	*w = c->w;

	/* A load balancer asks its health path every few seconds. */
	if (!c->resp->quiet)
		conn_log(c);
	worker_request_done(w, c->sent, c->resp->status);
	if (c->resp->fe != NULL) {
		fcache_release(c->resp->fc, c->resp->fe);
		c->resp->fe = NULL;
	}
	autoindex_release(w, c->resp);
	c->nreq++;
	/* A response that did not say close keeps the connection even in a
	 * retiring worker: its client may be sending the next request. */
	if (c->resp->close)
		return conn_finish(c);
	c->inlen -= c->used;
	memmove(c->in, c->in + c->used, c->inlen);
	c->used = 0;
	if (c->inlen == 0)
		conn_work_put(c);	/* idle: not 15 KiB each */
	c->have_req = false;
	http_parser_init(&c->parser);
	c->state = CONN_READ;
	if (c->realip) {
		conn_peer(c, &c->client);	/* the last request's is done */
		c->realip = false;
	}
	c->timed = false;
	if (c->inlen > 0) {
		conn_clock_start(c);
		conn_head_start(c);
	} else
		worker_timer_set(w, &c->timer, w->quitting ? TIMER_DRAIN :
		    TIMER_KEEPALIVE);
	return true;
}

/*
 * The connection ends mid-request: the client closed or reset it, took
 * nothing for send_timeout, or the worker stops at once. The request is
 * logged as far as it went, as nginx does: a response under way with its
 * status and the body bytes that left; one of which nothing left yet, or a
 * request whose body was still arriving, as 499 (the client closed first);
 * a head cut short, 400. A connection idle between requests goes unlogged.
 */
static void
conn_abort_log(struct conn *c)
{
	const struct config	*conf = c->w->conf;

	if (c->state == CONN_DISCARD || (c->state == CONN_READ &&
	    c->inlen > 0)) {
		memset(c->resp, 0, offsetof(struct response, hdr));
		c->resp->headlen = 0;
		c->resp->status = c->state == CONN_DISCARD ?
		    CONN_CLOSED_EARLY : 400;
		/* A parsed head is logged where its vhost's lines go. */
		if (c->have_req)
			c->resp->site = c->w->sites[vhost_pick(conf,
			    c->req->host.ptr, c->req->host.len)].conf;
	} else if (c->state != CONN_WRITE)
		return;
	else if (c->sent == 0)
		c->resp->status = CONN_CLOSED_EARLY;
	c->aborted = true;
	conn_log(c);
	worker_request_done(c->w, c->sent, c->resp->status);
}

/* The connection ends mid-request (conn_abort_log): log it, close it. */
static void
conn_abort(struct conn *c)
{
	conn_abort_log(c);
	conn_close(c);
}

/* Drain a lingering client; false when the conn is gone. */
static bool
conn_linger(struct conn *c)
{
	char	buf[4096];
	ssize_t	n;

	while ((n = read(c->fd, buf, sizeof(buf))) > 0)
		;
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		c->readable = false;
		return true;
	}
	conn_close(c);
	return false;
}

/* The PROXY header named the client: count the connection under its
 * address (max_connections_per_ip) and show it; -1 when it is closed. */
static int
conn_proxied(struct conn *c, const struct sockaddr_storage *src)
{
	struct worker_proc	*w = c->w;
	struct limit_key	 key;

	limit_key(src, &key);
	if (limit_move(w->limit, &c->key, &key,
	    (uint32_t)w->conf->max_connections_per_ip) == -1) {
		w->refused++;
		w->refused_key = key;
		conn_close(c);
		return -1;
	}
	c->key = key;
	c->client = *src;
	conn_peer(c, src);
	return 0;
}

/* The PROXY header before anything else; false when it must wait or the
 * conn is gone. It is peeked, then exactly its bytes read: what follows
 * is the request or the TLS hello, for the next state to read. */
static bool
conn_proxy(struct conn *c)
{
	uint8_t			 buf[PROXY_MAX];
	struct proxy_header	 h;
	const char		*why = "";
	ssize_t			 n;
	int			 r = -1;

	n = recv(c->fd, buf, sizeof(buf), MSG_PEEK);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		c->readable = false;
		return false;
	}
	/* Closed before a byte (a load balancer's TCP check): no word. */
	if (n > 0 && (r = proxy_parse(buf, (size_t)n, &h, &why)) == 0) {
		c->readable = false;
		return false;
	}
	if (r == -1 && n > 0 && worker_proxy_say(c->w))
		log_info("a malformed PROXY header from %s on port %d (%s): "
		    "closed", c->host, c->port, why);
	if (r == -1 || read(c->fd, buf, h.len) != (ssize_t)h.len) {
		conn_close(c);
		return false;
	}
	if (!h.local && conn_proxied(c, &h.src) == -1)
		return false;
	c->state = c->tls != NULL ? CONN_HANDSHAKE : CONN_READ;
	return true;
}

/* The TLS handshake; false when it must wait or the conn is gone. */
static bool
conn_handshake(struct conn *c)
{
	switch (tls_handshake(c->tls)) {
	case TLS_DONE:
		c->state = CONN_READ;
		return true;
	case TLS_WANT_READ:
		c->readable = false;
		return false;
	case TLS_WANT_WRITE:
		if (conn_want_out(c) == -1)
			conn_close(c);
		return false;
	case TLS_PLAIN:
		/* Plain HTTP on the TLS port: a 400 it can read, then close,
		 * as nginx answers; what it sent so far is logged with it. */
		tls_free(c->tls);
		c->tls = NULL;
		if (conn_read(c) == -1 || c->work == NULL) {
			conn_close(c);
			return false;
		}
		conn_fail(c, 400);
		return true;
	default:
		conn_close(c);
		return false;
	}
}

/* Run the state machine until it must wait; false when the conn is gone. */
static bool
conn_step(struct conn *c)
{
	int	r;

	switch (c->state) {
	case CONN_PROXY:
		return c->readable && conn_proxy(c);
	case CONN_HANDSHAKE:
		return c->readable && conn_handshake(c);
	case CONN_READ:
		if ((r = conn_parse(c)) != 0)
			return r == 1;
		if (!c->readable)
			return false;
		if ((r = conn_read(c)) == -1) {
			conn_abort(c);
			return false;
		}
		return r == 1 || c->readable;
	case CONN_DISCARD:
		if (c->discard == 0) {
			conn_respond(c);
			return true;
		}
		if (!c->readable)
			return false;
		if ((r = conn_drop(c)) == -1) {
			conn_abort(c);
			return false;
		}
		return r == 1;
	case CONN_WRITE:
		if (!c->writable)
			return false;
		if ((r = conn_write(c)) == -1) {
			conn_abort(c);
			return false;
		}
		return r == 1 ? conn_done(c) : false;
	case CONN_LINGER:
		if (c->readable)
			conn_linger(c);
		return false;
	}
	return false;
}

/* Readiness reported by epoll for this connection. */
void
conn_event(struct conn *c, uint32_t events)
{
	/* A TLS read that must first write, or the reverse: either way. */
	if (c->tls != NULL && tls_crossed(c->tls))
		events |= EPOLLIN | EPOLLOUT;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		c->readable = true;
		if (c->tls != NULL)
			tls_ready(c->tls);
	}
	if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->hup = true;
	if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		c->writable = true;
	while (conn_step(c))
		;
}

/*
 * May a head past header_timeout go on? As Apache's RequestReadTimeout
 * header=T-2T,MinRate=R: each header_min_rate bytes received earn one more
 * second, up to twice header_timeout.
 */
static bool
conn_head_allowed(const struct conn *c)
{
	const struct config	*conf = c->w->conf;
	int64_t			 t = (int64_t)conf->header_timeout * 1000, more;

	if (conf->header_min_rate == 0)
		return false;
	more = (int64_t)(c->rx * 1000 / (uint64_t)conf->header_min_rate);
	return c->w->now_ms - c->head_ms < t + (more < t ? more : t);
}

/* Is the head arriving slower than header_min_rate (judged after a second,
 * so a client's first packets are not)? Such go first when room is short. */
static bool
conn_head_slow(const struct conn *c)
{
	int64_t	ms = c->w->now_ms - c->head_ms;

	return ms >= CONN_SLOW_MS && c->w->conf->header_min_rate > 0 &&
	    c->rx * 1000 < (uint64_t)c->w->conf->header_min_rate *
	    (uint64_t)ms;
}

/* The connection's timer expired. */
void
conn_timeout(struct timer *t)
{
	struct conn	*c = conn_of(t);

	if ((c->timer.kind == TIMER_HEADER || c->timer.kind == TIMER_RATE) &&
	    (c->state == CONN_DISCARD || (c->state == CONN_READ &&
	    c->inlen > 0))) {
		if (conn_head_allowed(c)) {
			worker_timer_set(c->w, &c->timer, TIMER_RATE);
			return;
		}
		/* A client that started a request and stalled hears why. */
		worker_timer_clear(&c->timer);
		c->have_req = false;
		conn_fail(c, 408);
		c->writable = true;
		while (conn_step(c))
			;
		return;
	}
	/* send_timeout logs what was sent; idle and lingering ones end. */
	conn_abort(c);
}

/* Fast stop: the request in progress on t's connection is logged as
 * aborted; the connection is left to the exit, which closes it. */
void
conn_stop(struct timer *t)
{
	conn_abort_log(conn_of(t));
}

/* Room is short: close c unless it is a request head arriving fast enough. */
bool
conn_shed(struct timer *t)
{
	struct conn	*c = conn_of(t);

	if (c->timer.kind == TIMER_HEADER && !conn_head_slow(c))
		return false;
	conn_close(c);
	return true;
}

/* Graceful stop: an idle kept-alive connection waits for its next request
 * only the drain grace (it is closed then), unless it would close sooner. */
void
conn_quit_idle(struct timer *t)
{
	struct conn	*c = conn_of(t);
	int64_t		 grace = (int64_t)c->w->durations[TIMER_DRAIN] * 1000;

	if (t->deadline > c->w->now_ms + grace)
		worker_timer_set(c->w, t, TIMER_DRAIN);
}
