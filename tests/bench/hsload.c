/*
 * hsload: full TLS handshakes as fast as a server takes them, for
 * tests/bench/bench.py. CONNS connections at a time, shared by THREADS
 * threads (epoll each), each a new TCP connection to 127.0.0.1:PORT, a
 * full handshake, one GET of PATH with "Connection: close", the response
 * read to its last byte, a close_notify and a close; for SECONDS. The
 * client keeps no session and offers none, so no handshake resumes (wrk
 * does: it keeps its session and resumes with a TLS 1.3 ticket); it
 * counts the ones that did all the same, and the version and key
 * exchange of each, so the figures can be checked.
 *
 *   usage: hsload PORT PATH CONNS SECONDS [THREADS]
 *   build: cc -O2 -o hsload hsload.c -lssl -lcrypto -lpthread
 *
 * Prints "key value" lines: requests (completed), seconds, rps, p99_ms
 * (from connect to the response's end), errors (failed connections,
 * non-2xx, short responses, timeouts), reused, tls13, x25519, cipher and
 * client_cpu_us (this process's CPU time per request).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>

#define HS_HEAD		4096	/* room for a response head */
#define HS_TIMEOUT	10.0	/* seconds a connection may take, as wrk's */
#define HS_LAT_MAX	(1 << 24)	/* latencies kept per thread */

/* One connection in flight. */
struct hs_conn {
	SSL		*ssl;
	int		 fd;
	double		 t0;		/* when its socket was made */
	size_t		 sent;		/* bytes of the request written */
	size_t		 have;		/* bytes of the head in head */
	long long	 left;		/* body bytes to come; -1: to EOF */
	int		 body;		/* the head is complete */
	char		 head[HS_HEAD];
};

/* One thread's connections and tallies. */
struct hs_thread {
	pthread_t	 tid;
	SSL_CTX		*ctx;
	int		 ep;
	int		 n;
	struct hs_conn	*c;
	long long	 done, errors, reused, tls13, x25519;
	double		*lat;
	size_t		 nlat, cap;
	char		 cipher[64];
};

/* What every thread shares: the target, the request and the deadline. */
struct hs_run {
	struct sockaddr_in	 sin;
	char			 req[512];
	size_t			 reqlen;
	double			 end;
};

static struct hs_run	 run;

/* The monotonic clock in seconds. */
static double
hs_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Open connection c: a non-blocking socket connecting, and its SSL;
 * 0 or -1. */
static int
hs_open(struct hs_thread *t, struct hs_conn *c)
{
	struct epoll_event	ev;
	int			one = 1;

	memset(c, 0, sizeof(*c));
	c->t0 = hs_now();
	c->left = -1;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&run.sin, sizeof(run.sin)) ==
	    -1 && errno != EINPROGRESS)
		return -1;
	if ((c->ssl = SSL_new(t->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		return -1;
	SSL_set_connect_state(c->ssl);
	ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
	ev.data.ptr = c;
	return epoll_ctl(t->ep, EPOLL_CTL_ADD, c->fd, &ev);
}

/* Close connection c, saying close_notify when it got that far. */
static void
hs_close(struct hs_conn *c, int polite)
{
	if (c->ssl != NULL) {
		if (polite)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd != -1)
		close(c->fd);	/* leaves the epoll set with it */
	c->fd = -1;
}

/* After an SSL call returned n <= 0: 0 if it only has to wait, -1 if the
 * connection failed or ended. */
static int
hs_wait(struct hs_conn *c, int n)
{
	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	default:
		ERR_clear_error();
		return -1;
	}
}

/* Note what the finished handshake of c negotiated. */
static void
hs_shook(struct hs_thread *t, struct hs_conn *c)
{
	if (SSL_session_reused(c->ssl))
		t->reused++;
	if (SSL_version(c->ssl) == TLS1_3_VERSION)
		t->tls13++;
	if (SSL_get_negotiated_group(c->ssl) == NID_X25519)
		t->x25519++;
	if (t->cipher[0] == '\0')
		snprintf(t->cipher, sizeof(t->cipher), "%s",
		    SSL_get_cipher_name(c->ssl));
}

/* Take the head gathered in c once it is complete: its status must be
 * 2xx; the body's length from Content-Length. 0 waiting, 1 done, -1 bad. */
static int
hs_head(struct hs_conn *c)
{
	char		*end, *cl;
	size_t		 hlen;

	c->head[c->have] = '\0';
	if ((end = strstr(c->head, "\r\n\r\n")) == NULL)
		return c->have + 1 >= sizeof(c->head) ? -1 : 0;
	hlen = end + 4 - c->head;
	if (strncmp(c->head, "HTTP/1.", 7) != 0 || c->have < 12 ||
	    c->head[9] != '2')
		return -1;
	c->body = 1;
	*end = '\0';
	if ((cl = strcasestr(c->head, "\r\ncontent-length:")) != NULL)
		c->left = strtoll(cl + 17, NULL, 10) - (c->have - hlen);
	return c->left == 0 ? 1 : 0;
}

/* Read what c has: 0 waiting, 1 the response is complete, -1 failed. */
static int
hs_read(struct hs_conn *c)
{
	char	 scratch[16384];
	int	 n, r;

	for (;;) {
		if (!c->body)
			n = SSL_read(c->ssl, c->head + c->have,
			    sizeof(c->head) - 1 - c->have);
		else
			n = SSL_read(c->ssl, scratch, sizeof(scratch));
		if (n <= 0) {
			if ((r = hs_wait(c, n)) == 0)
				return 0;
			return c->body && c->left == -1 ? 1 : -1;
		}
		if (!c->body) {
			c->have += n;
			if ((r = hs_head(c)) != 0)
				return r;
		} else if (c->left != -1 && (c->left -= n) <= 0)
			return c->left == 0 ? 1 : -1;
	}
}

/* Move c on as far as it goes without waiting: the handshake, the
 * request, the response. 0 waiting, 1 done, -1 failed. */
static int
hs_step(struct hs_thread *t, struct hs_conn *c)
{
	int	 n;

	if (!SSL_is_init_finished(c->ssl)) {
		if ((n = SSL_connect(c->ssl)) <= 0)
			return hs_wait(c, n);
		hs_shook(t, c);
	}
	while (c->sent < run.reqlen) {
		n = SSL_write(c->ssl, run.req + c->sent, run.reqlen - c->sent);
		if (n <= 0)
			return hs_wait(c, n);
		c->sent += n;
	}
	return hs_read(c);
}

/* Keep latency x (seconds) of one completed request. */
static void
hs_keep(struct hs_thread *t, double x)
{
	double	*p;

	if (t->nlat == t->cap) {
		if (t->cap >= HS_LAT_MAX)
			return;
		t->cap = t->cap ? t->cap * 2 : 4096;
		if ((p = realloc(t->lat, t->cap * sizeof(*p))) == NULL) {
			t->cap = t->nlat;
			return;
		}
		t->lat = p;
	}
	t->lat[t->nlat++] = x;
}

/* Finish c (r: 1 done, -1 failed, 0 not yet open) and, before the
 * deadline, open the next connection in its place. */
static void
hs_next(struct hs_thread *t, struct hs_conn *c, int r, double now)
{
	if (r == 1) {
		t->done++;
		hs_keep(t, now - c->t0);
	} else if (r == -1)
		t->errors++;
	hs_close(c, r == 1);
	while (now < run.end && hs_open(t, c) == -1) {
		hs_close(c, 0);
		t->errors++;
		if ((now = hs_now()) >= run.end)
			break;
		usleep(1000);	/* out of ports or files: not a hot loop */
	}
}

/* Time out the connections that took longer than wrk would wait. */
static void
hs_sweep(struct hs_thread *t, double now)
{
	int	 i;

	for (i = 0; i < t->n; i++)
		if (t->c[i].fd != -1 && now - t->c[i].t0 > HS_TIMEOUT)
			hs_next(t, &t->c[i], -1, now);
}

/* A thread: its connections until the deadline. */
static void *
hs_thread(void *arg)
{
	struct hs_thread	*t = arg;
	struct epoll_event	 evs[256];
	struct hs_conn		*c;
	double			 now, swept = 0;
	int			 i, n, r;

	for (i = 0; i < t->n; i++) {
		t->c[i].fd = -1;
		hs_next(t, &t->c[i], 0, hs_now());
	}
	while ((now = hs_now()) < run.end) {
		n = epoll_wait(t->ep, evs, 256, 100);
		now = hs_now();
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if (c->fd != -1 && (r = hs_step(t, c)) != 0)
				hs_next(t, c, r, now);
		}
		if (now - swept > 1) {
			hs_sweep(t, now);
			swept = now;
		}
	}
	for (i = 0; i < t->n; i++)
		hs_close(&t->c[i], 0);	/* in flight at the end: not counted */
	return NULL;
}

/* Order two latencies, for qsort. */
static int
hs_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Add up the threads' tallies and print them. */
static void
hs_report(struct hs_thread *t, int nt, double secs)
{
	struct rusage	 ru;
	long long	 done = 0, err = 0, reused = 0, tls13 = 0, x = 0;
	double		*all, cpu, p99 = 0;
	size_t		 nall = 0, i;
	int		 k;

	for (k = 0; k < nt; k++)
		nall += t[k].nlat;
	if ((all = calloc(nall + 1, sizeof(*all))) == NULL)
		nall = 0;
	for (k = 0, i = 0; k < nt; k++) {
		done += t[k].done;
		err += t[k].errors;
		reused += t[k].reused;
		tls13 += t[k].tls13;
		x += t[k].x25519;
		if (all != NULL && t[k].nlat)
			memcpy(all + i, t[k].lat, t[k].nlat * sizeof(*all));
		i += t[k].nlat;
	}
	if (nall) {
		qsort(all, nall, sizeof(*all), hs_cmp);
		p99 = all[(size_t)((nall - 1) * 0.99)];
	}
	getrusage(RUSAGE_SELF, &ru);
	cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	printf("requests %lld\nseconds %.3f\nrps %.1f\np99_ms %.2f\n"
	    "errors %lld\nreused %lld\ntls13 %lld\nx25519 %lld\ncipher %s\n"
	    "client_cpu_us %.1f\n", done, secs, done / secs, p99 * 1000, err,
	    reused, tls13, x, t[0].cipher[0] ? t[0].cipher : "-",
	    done ? cpu * 1e6 / done : 0.0);
	free(all);
}

/* Take the server's certificate unchecked, as SSL_VERIFY_NONE would after
 * checking its chain: the load is the server's. */
static int
hs_trust(X509_STORE_CTX *x, void *arg)
{
	(void)x;
	(void)arg;
	return 1;
}

/* A client context that neither keeps nor offers a session. */
static SSL_CTX *
hs_ctx(void)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, hs_trust, NULL);
	return ctx;
}

/* Set the threads up, run them for secs, report. */
int
main(int argc, char *argv[])
{
	struct hs_thread	*t;
	SSL_CTX			*ctx;
	double			 t0, secs;
	int			 conns, nt, k;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: hsload PORT PATH CONNS SECONDS "
		    "[THREADS]\n");
		return 2;
	}
	conns = atoi(argv[3]);
	secs = atof(argv[4]);
	nt = argc == 6 ? atoi(argv[5]) : 2;
	if (conns < 1 || secs <= 0 || nt < 1 || nt > conns ||
	    strlen(argv[2]) > 400) {
		fprintf(stderr, "hsload: bad arguments\n");
		return 2;
	}
	run.sin.sin_family = AF_INET;
	run.sin.sin_port = htons(atoi(argv[1]));
	run.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	run.reqlen = snprintf(run.req, sizeof(run.req), "GET %s HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nConnection: close\r\n\r\n", argv[2]);
	if ((ctx = hs_ctx()) == NULL ||
	    (t = calloc(nt, sizeof(*t))) == NULL) {
		fprintf(stderr, "hsload: out of memory\n");
		return 1;
	}
	t0 = hs_now();
	run.end = t0 + secs;
	for (k = 0; k < nt; k++) {
		t[k].ctx = ctx;
		t[k].n = conns / nt + (k < conns % nt);
		t[k].ep = epoll_create1(EPOLL_CLOEXEC);
		t[k].c = calloc(t[k].n, sizeof(*t[k].c));
		if (t[k].ep == -1 || t[k].c == NULL ||
		    pthread_create(&t[k].tid, NULL, hs_thread, &t[k]) != 0) {
			fprintf(stderr, "hsload: cannot start a thread\n");
			return 1;
		}
	}
	for (k = 0; k < nt; k++)
		pthread_join(t[k].tid, NULL);
	hs_report(t, nt, hs_now() - t0);
	return 0;
}
