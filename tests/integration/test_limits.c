/* test_limits: descriptors running out, the file cache against the limit,
 * and slow clients trying to take every connection slot. */
#include "tine_build.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "harness.h"

#define LIM_HOLD	120	/* connections held past a 64-descriptor worker */
#define LIM_SPIN_MS	2000	/* window the worker's CPU time is measured */
#define LIM_FILES	300	/* of each kind: small (in memory) and large */
#define LIM_SMALL	100
#define LIM_LARGE	(64 * 1024)	/* past the cache's in-memory size */
#define LIM_NOFILE	256
#define LIM_MANY	2500	/* small files, past the 2,048 entries once kept */
#define LIM_MANY_SIZE	1000
#define LIM_FULL	1200	/* files of the largest size kept in memory: */
#define LIM_FULL_SIZE	(32 * 1024)	/* 37.5 MiB, past the 32 MiB budget */
#define LIM_SINGLE	3000	/* slow connections from 127.0.0.1 */
#define LIM_SPREAD	2000	/* slow connections from 127.0.0.2 .. */
#define LIM_ADDRS	100	/* .. 127.0.0.101, 20 each */
#define LIM_DRIP_MS	1000	/* each slow connection sends a byte this often */
#define LIM_RAMP	250	/* slow connections opened per 50 ms */
#define LIM_REQUESTS	400	/* the normal client's requests */
#define LIM_GAP_MS	25	/* between them */
#define LIM_WINDOW_MS	14000	/* and at most this long */
/* Slow heads are not timed out (408) in the test's time: a server that
 * made no room would keep a normal client waiting about that long. */
#define LIM_HEADER_CONF	"header_timeout = 60"
#define LIM_REQ_MS	15000	/* one request's own timeout, far below it */
#define LIM_LOAD_MS	60000	/* for every slow client to be connected */
#define LIM_NORMAL	"127.0.0.254"	/* an address no slow client uses */

/* The CPU time (user + system) pid has used, in ms; -1 if unknown. */
static long long
limits_cpu_ms(pid_t pid)
{
	unsigned long long	ut, st;

	/* utime and stime are fields 14 and 15, in clock ticks. */
	if (tine_stat_field(pid, 14, &ut) == -1 ||
	    tine_stat_field(pid, 15, &st) == -1)
		return -1;
	return (long long)((ut + st) * 1000 /
	    (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* How many descriptors pid has open; -1 if unknown. */
static int
limits_fds(pid_t pid)
{
	struct dirent	*de;
	char		 path[64];
	DIR		*d;
	int		 n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* The one worker of a workers = 1 instance. */
static pid_t
limits_worker(struct tine *t)
{
	pid_t	kids[TINE_MAX_WORKERS];

	cr_assert_eq(tine_children(t->pid, kids, TINE_MAX_WORKERS), 1,
	    "expected exactly one worker");
	return kids[0];
}

/* GET path: a 200 with len bytes, the first being first. */
static void
limits_get_file(struct tine *t, const char *path, size_t len, char first)
{
	struct tine_resp	r;

	cr_assert_eq(tine_get(t, path, &r), 0, "no response to GET %s", path);
	cr_assert_eq(r.status, 200, "GET %s: %d", path, r.status);
	cr_assert_eq(r.bodylen, len, "GET %s: %zu bytes", path, r.bodylen);
	cr_assert_eq(r.body[0], first, "GET %s: wrong contents", path);
	tine_resp_free(&r);
}

Test(limits, emfile_pauses_accepting, .fini = tine_teardown, .timeout = 90)
{
	/* defer_accept off: the held connections send nothing, and the test
	 * needs them accepted at once, in one episode, not as the kernel's
	 * deferral timer lets them through in waves. */
	struct tine		*t = tine_setup("workers = 1\n"
	    "max_open_files = 64\ndefer_accept = off\n");
	static struct tine_conn	 held[LIM_HOLD];
	struct pollfd		 pfd;
	struct tine_resp	 r;
	long long		 cpu0, cpu1, t0, t1;
	pid_t			 worker;
	int			 i;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	worker = limits_worker(t);
	/* More than 64 descriptors can hold: the rest wait in the backlog. */
	for (i = 0; i < LIM_HOLD; i++)
		cr_assert_eq(tine_conn_open(&held[i], AF_INET, t->port), 0);
	cr_assert_eq(tine_wait_log(t, "Too many open files", 1,
	    TINE_TIMEOUT_MS), 0, "accept never ran out of descriptors");
	/* Wait on a socket that stays quiet, and measure what passed. */
	cpu0 = limits_cpu_ms(worker);
	t0 = tine_now_ms();
	pfd = (struct pollfd){ .fd = held[0].fd, .events = POLLIN };
	cr_assert_eq(poll(&pfd, 1, LIM_SPIN_MS), 0);
	cpu1 = limits_cpu_ms(worker);
	t1 = tine_now_ms();
	cr_assert(cpu0 >= 0 && cpu1 >= 0);
	cr_log_info("worker used %lld ms of CPU in %lld ms", cpu1 - cpu0,
	    t1 - t0);
	cr_expect_lt((cpu1 - cpu0) * 5, t1 - t0, "the worker spins: %lld ms "
	    "of CPU in %lld ms", cpu1 - cpu0, t1 - t0);
	cr_expect_eq(tine_count(t->error_log, "Too many open files"), 1,
	    "not one line for the episode");
	/* Descriptors come back: the worker accepts and answers again. */
	for (i = 0; i < LIM_HOLD; i++)
		tine_conn_close(&held[i]);
	cr_assert_eq(tine_get(t, "/index.html", &r), 0);
	cr_expect_eq(r.status, 200);
	tine_resp_free(&r);
	cr_expect_eq(tine_wait_log(t, "accepting again after", 1,
	    TINE_TIMEOUT_MS), 0, "the episode's end was not logged");
	cr_expect_eq(tine_count(t->error_log, "Too many open files"), 1);
	tine_stop(t);
}

/* Put LIM_FILES small and LIM_FILES large files in the docroot. */
static void
limits_put_files(struct tine *t)
{
	char	 rel[64], path[TINE_PATH_MAX], *big;
	int	 i;

	cr_assert_not_null(big = malloc(LIM_LARGE));
	for (i = 0; i < LIM_FILES; i++) {
		memset(big, 'a' + i % 26, LIM_SMALL);
		snprintf(rel, sizeof(rel), "small/s%03d.txt", i);
		cr_assert_eq(tine_write_file(tine_path(path, t->docroot, rel),
		    big, LIM_SMALL, 0644), 0);
		memset(big, 'A' + i % 26, LIM_LARGE);
		snprintf(rel, sizeof(rel), "large/l%03d.bin", i);
		cr_assert_eq(tine_write_file(tine_path(path, t->docroot, rel),
		    big, LIM_LARGE, 0644), 0);
	}
	free(big);
}

Test(limits, file_cache_under_descriptor_limit, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine	*t = tine_setup("workers = 1\nmax_open_files = 256\n");
	char		 path[64];
	pid_t		 worker;
	int		 pass, i, n, most = 0;

	cr_assert_not_null(t);
	limits_put_files(t);
	cr_assert_eq(tine_start(t), 0);
	worker = limits_worker(t);
	/* Twice over 600 distinct files: every one a 200, each time. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < LIM_FILES; i++) {
			snprintf(path, sizeof(path), "/small/s%03d.txt", i);
			limits_get_file(t, path, LIM_SMALL, 'a' + i % 26);
			snprintf(path, sizeof(path), "/large/l%03d.bin", i);
			limits_get_file(t, path, LIM_LARGE, 'A' + i % 26);
			if (i % 50 == 0 && (n = limits_fds(worker)) > most)
				most = n;
		}
	cr_log_info("the worker held at most %d descriptors", most);
	cr_expect_gt(most, 0);
	cr_expect_lt(most, LIM_NOFILE, "%d descriptors open", most);
	tine_stop(t);
}

/* The bytes pid has read with read(2) and the like (rchar in
 * /proc/PID/io); -1 if unknown. */
static long long
limits_rchar(pid_t pid)
{
	char		 path[64];
	long long	 n = -1;
	FILE		*f;

	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	if (fscanf(f, "rchar: %lld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* Put n files of size bytes in the docroot, /many/mNNNN.txt, each
 * starting with its number. */
static void
limits_put_many(struct tine *t, int n, size_t size)
{
	char	rel[64], path[TINE_PATH_MAX], *body;
	int	i;

	cr_assert_not_null(body = malloc(size));
	memset(body, 'x', size);
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "many/m%04d.txt", i);
		memcpy(body, rel + 6, 4);
		cr_assert_eq(tine_write_file(tine_path(path, t->docroot, rel),
		    body, size, 0644), 0);
	}
	free(body);
}

/* GET each of the n files in order: each a 200 with its own contents;
 * how many bytes the worker read (files and requests) meanwhile. */
static long long
limits_get_many(struct tine *t, pid_t worker, int n, size_t size)
{
	struct tine_resp	r;
	char			path[64];
	long long		before, after;
	int			i;

	before = limits_rchar(worker);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/many/m%04d.txt", i);
		cr_assert_eq(tine_get(t, path, &r), 0, "no response to %s",
		    path);
		cr_assert_eq(r.status, 200, "GET %s: %d", path, r.status);
		cr_assert_eq(r.bodylen, size, "GET %s: %zu bytes", path,
		    r.bodylen);
		cr_assert_eq(memcmp(r.body, path + 7, 4), 0,
		    "GET %s: another file's contents", path);
		tine_resp_free(&r);
	}
	after = limits_rchar(worker);
	cr_assert(before >= 0 && after >= before, "no rchar in /proc/%d/io",
	    (int)worker);
	return after - before;
}

/* Start t over n files of size bytes and GET each twice, in order: the
 * bytes the worker read on the second pass. */
static long long
limits_reread(struct tine *t, int n, size_t size)
{
	long long	read;
	pid_t		worker;

	limits_put_many(t, n, size);
	cr_assert_eq(tine_start(t), 0);
	worker = limits_worker(t);
	limits_get_many(t, worker, n, size);
	read = limits_get_many(t, worker, n, size);
	cr_log_info("second pass: the worker read %lld bytes", read);
	return read;
}

/*
 * Many small files, far below the memory budget: once loaded, every one
 * is answered from memory, not read again (a cache with a small fixed
 * number of entries re-read each file on each pass of this loop).
 */
Test(limits, file_cache_keeps_many_small, .fini = tine_teardown,
    .timeout = 180)
{
	struct tine	*t = tine_setup("workers = 1\n");
	long long	 n;

	cr_assert_not_null(t);
	n = limits_reread(t, LIM_MANY, LIM_MANY_SIZE);
	cr_expect_lt(n, (long long)LIM_MANY * LIM_MANY_SIZE / 4, "the worker "
	    "read %lld bytes for %d files it had loaded: the cache did not "
	    "keep them", n, LIM_MANY);
	tine_stop(t);
}

/*
 * More contents than the memory budget (32 MiB a cache): every file still
 * served right, and the cache is bounded: going over them again in the
 * same order, the least recently used were let go and are read again.
 */
Test(limits, file_cache_memory_bounded, .fini = tine_teardown,
    .timeout = 180)
{
	struct tine	*t = tine_setup("workers = 1\n");
	long long	 n;

	cr_assert_not_null(t);
	n = limits_reread(t, LIM_FULL, LIM_FULL_SIZE);
	cr_expect_gt(n, (long long)LIM_FULL * LIM_FULL_SIZE / 2, "the worker "
	    "read only %lld bytes for %d files, %d KiB each: it kept them all "
	    "(or no longer reads small files into memory)", n, LIM_FULL,
	    LIM_FULL_SIZE / 1024);
	tine_stop(t);
}

/* A head of some 340 bytes sent in two parts, the second after wait_ms:
 * the status of the answer, 0 when there is none. */
static int
limits_two_parts(struct tine *t, int wait_ms)
{
	char			 head[512];
	struct tine_conn	 c;
	struct tine_resp	 r;
	struct pollfd		 pfd;
	int			 status = 0;

	snprintf(head, sizeof(head), "GET /index.html HTTP/1.1\r\nHost: x\r\n"
	    "X-Pad: %0300d", 0);
	cr_assert_eq(tine_conn_open(&c, AF_INET, t->port), 0);
	cr_assert_eq(tine_conn_sends(&c, head), 0);
	/* Wait, watching for an answer (a 408) before the rest is sent. */
	pfd = (struct pollfd){ .fd = c.fd, .events = POLLIN };
	if (poll(&pfd, 1, wait_ms) == 0)
		tine_conn_sends(&c, "\r\nConnection: close\r\n\r\n");
	if (tine_conn_read(&c, 0, TINE_TIMEOUT_MS, &r) == 0) {
		status = r.status;
		tine_resp_free(&r);
	}
	tine_conn_close(&c);
	return status;
}

Test(limits, head_min_rate_extends, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t;

	/* 340 bytes at 200 bytes/s earn the head a second (the most: twice
	 * header_timeout), so it may still end after 1.5 s. */
	cr_assert_not_null(t = tine_setup("header_timeout = 1\n"
	    "header_min_rate = 200\n"));
	cr_assert_eq(tine_start(t), 0);
	cr_expect_eq(limits_two_parts(t, 1500), 200);
	tine_stop(t);
	/* Without a rate, header_timeout is a hard limit. */
	cr_assert_not_null(t = tine_setup("header_timeout = 1\n"
	    "header_min_rate = 0\n"));
	cr_assert_eq(tine_start(t), 0);
	cr_expect_eq(limits_two_parts(t, 1500), 408);
	tine_stop(t);
}

/* One slow client: a head that never ends, a byte at a time. */
struct limits_slow {
	int		fd;		/* -1: closed, to reopen */
	int		addr;		/* 1 = 127.0.0.1, 2 .. = the spread */
	long long	next;		/* ms of its next byte */
	size_t		sent;
};

/* The slow clients and what they saw; the thread's only state. */
struct limits_load {
	struct tine		*t;
	struct limits_slow	*v;
	int			 n;
	atomic_int		 stop;
	atomic_int		 ready;		/* all opened, each has dripped */
	long			 opens;		/* connections made in all */
	long			 closed;	/* closed by the server */
};

/* A non-blocking socket from 127.0.0.a connecting to port; -1 if none. */
static int
limits_connect(int a, int port)
{
	struct sockaddr_in	sin;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)a);
	if (a != 1 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Drip one byte of a head that never ends, or reopen a closed one. */
static void
limits_drip(struct limits_load *l, struct limits_slow *s, long long now)
{
	static const char	head[] = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";
	char			c;

	s->next = now + LIM_DRIP_MS;
	if (s->fd == -1) {
		if ((s->fd = limits_connect(s->addr, l->t->port)) != -1) {
			s->sent = 0;
			l->opens++;
		}
		return;
	}
	c = s->sent < sizeof(head) - 1 ? head[s->sent] : 'a';
	if (send(s->fd, &c, 1, MSG_NOSIGNAL) == 1)
		s->sent++;
	else if (errno != EAGAIN && errno != ENOTCONN) {
		close(s->fd);
		s->fd = -1;
	}
}

/* Close the slow clients the server closed (or answered, e.g. 408). */
static void
limits_reap(struct limits_load *l, struct pollfd *pfd, int n)
{
	char	buf[512];
	int	i;

	for (i = 0; i < n; i++)
		if (pfd[i].fd != -1 && pfd[i].revents != 0 &&
		    read(pfd[i].fd, buf, sizeof(buf)) != -1) {
			close(l->v[i].fd);
			l->v[i].fd = -1;
			l->closed++;
		}
}

/* The load: open the slow clients a batch at a time, then keep each
 * dripping and reopen every one the server closes, until told to stop. */
static void *
limits_load_run(void *arg)
{
	struct limits_load	*l = arg;
	struct pollfd		*pfd;
	long long		 now, all = 0;
	int			 i, started = 0;

	if ((pfd = calloc((size_t)l->n, sizeof(*pfd))) == NULL)
		return NULL;
	while (!atomic_load(&l->stop)) {
		now = tine_now_ms();
		for (i = 0; i < started; i++)
			if (l->v[i].next <= now)
				limits_drip(l, &l->v[i], now);
		if (started == l->n && all == 0)
			all = now;
		if (all != 0 && now >= all + LIM_DRIP_MS)
			atomic_store(&l->ready, 1);
		started = started + LIM_RAMP < l->n ? started + LIM_RAMP :
		    l->n;
		for (i = 0; i < l->n; i++)
			pfd[i] = (struct pollfd){ .fd = l->v[i].fd,
			    .events = POLLIN | POLLRDHUP };
		if (poll(pfd, (nfds_t)l->n, 50) > 0)
			limits_reap(l, pfd, l->n);
	}
	free(pfd);
	return NULL;
}

/* One normal request from LIM_NORMAL on a new connection: its time in ms
 * (LIM_REQ_MS when it failed), and *ok whether it was a 200. */
static long long
limits_normal(int port, int *ok)
{
	static const char	req[] = "GET /index.html HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n";
	struct pollfd		pfd;
	char			buf[4096];
	long long		t0 = tine_now_ms(), left;
	size_t			got = 0;
	ssize_t			n;

	*ok = 0;
	if ((pfd.fd = limits_connect(254, port)) == -1)
		return LIM_REQ_MS;
	pfd.events = POLLOUT;
	while ((left = t0 + LIM_REQ_MS - tine_now_ms()) > 0 &&
	    poll(&pfd, 1, (int)left) == 1) {
		if (pfd.events == POLLOUT) {
			if (send(pfd.fd, req, sizeof(req) - 1, MSG_NOSIGNAL) !=
			    (ssize_t)sizeof(req) - 1)
				break;
			pfd.events = POLLIN;
			continue;
		}
		if ((n = read(pfd.fd, buf + got, sizeof(buf) - 1 - got)) <= 0)
			break;
		got += (size_t)n;
	}
	close(pfd.fd);
	buf[got] = '\0';
	*ok = strncmp(buf, "HTTP/1.1 200 ", 13) == 0 && got > 13 && left > 0;
	return *ok ? tine_now_ms() - t0 : LIM_REQ_MS;
}

/* Raise our own descriptor limit for n sockets (root may raise the hard
 * one); old gets what to restore. */
static void
limits_nofile(rlim_t n, struct rlimit *old)
{
	struct rlimit	rl;

	cr_assert_eq(getrlimit(RLIMIT_NOFILE, old), 0);
	if (old->rlim_cur >= n)
		return;
	rl.rlim_cur = n;
	rl.rlim_max = old->rlim_max > n ? old->rlim_max : n;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0,
	    "cannot have %lu descriptors: %s", (unsigned long)n,
	    strerror(errno));
}

/* Start the slow clients: LIM_SINGLE from 127.0.0.1, LIM_SPREAD from
 * LIM_ADDRS other addresses. */
static void
limits_load_start(struct limits_load *l, struct tine *t, pthread_t *th)
{
	int	i;

	memset(l, 0, sizeof(*l));
	l->t = t;
	l->n = LIM_SINGLE + LIM_SPREAD;
	cr_assert_not_null(l->v = calloc((size_t)l->n, sizeof(*l->v)));
	for (i = 0; i < l->n; i++) {
		l->v[i].fd = -1;
		l->v[i].addr = i < LIM_SINGLE ? 1 : 2 + i % LIM_ADDRS;
	}
	cr_assert_eq(pthread_create(th, NULL, limits_load_run, l), 0);
}

/* Whether every slow client has opened and dripped (tine_wait_until). */
static int
limits_loaded(void *arg)
{
	struct limits_load	*l = arg;

	return atomic_load(&l->ready);
}

/* Stop the slow clients and close their sockets. */
static void
limits_load_stop(struct limits_load *l, pthread_t th)
{
	int	i;

	atomic_store(&l->stop, 1);
	pthread_join(th, NULL);
	for (i = 0; i < l->n; i++)
		if (l->v[i].fd != -1)
			close(l->v[i].fd);
	free(l->v);
}

/* Order two latencies. */
static int
limits_cmp(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Normal requests while the load runs: their latencies into ms, how many
 * there were, and *failed how many did not get a 200. */
static int
limits_measure(struct tine *t, long long *ms, int *failed)
{
	long long	end = tine_now_ms() + LIM_WINDOW_MS;
	struct pollfd	none = { .fd = -1 };
	int		n = 0, ok;

	*failed = 0;
	while (n < LIM_REQUESTS && tine_now_ms() < end) {
		ms[n++] = limits_normal(t->port, &ok);
		*failed += !ok;
		poll(&none, 1, LIM_GAP_MS);
	}
	return n;
}

Test(limits, slow_clients_leave_room, .fini = tine_teardown, .timeout = 120)
{
	struct tine		*t;
	struct limits_load	 load;
	struct rlimit		 old;
	pthread_t		 th;
	long long		 ms[LIM_REQUESTS], p99, t0;
	int			 n, failed, lines;

	limits_nofile(LIM_SINGLE + LIM_SPREAD + 256, &old);
	/* Only the per-address limit and the shedding make room: without
	 * them a normal client would wait for a slow head's timeout, past
	 * LIM_REQ_MS. That, not a latency (a loaded machine has any), is
	 * what fails. */
	cr_assert_not_null(t = tine_setup(LIM_HEADER_CONF));
	cr_assert_eq(tine_start(t), 0);
	t0 = tine_now_ms();
	limits_load_start(&load, t, &th);
	/* Let every slow client connect and start its head first. */
	cr_assert_eq(tine_wait_until(limits_loaded, &load, LIM_LOAD_MS), 0);
	n = limits_measure(t, ms, &failed);
	limits_load_stop(&load, th);
	setrlimit(RLIMIT_NOFILE, &old);
	qsort(ms, (size_t)n, sizeof(ms[0]), limits_cmp);
	p99 = ms[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
	cr_log_info("%d normal requests, %d failed, median %lld ms, p99 %lld "
	    "ms; slow clients: %ld connections, %ld closed by the server", n,
	    failed, ms[n / 2], p99, load.opens, load.closed);
	cr_expect_eq(failed, 0, "%d of %d normal requests failed", failed, n);
	/* Reported, but at most a line a second per worker, not one each. */
	lines = tine_count(t->error_log, "over max_connections_per_ip");
	cr_expect_gt(lines, 0, "refusals were not reported");
	cr_expect_gt(tine_count(t->error_log, "near max_connections"), 0,
	    "the slow clients never filled a worker");
	cr_expect_leq(lines, t->workers * ((tine_now_ms() - t0) / 1000 + 2),
	    "%d lines for refusals", lines);
	tine_stop(t);
}
