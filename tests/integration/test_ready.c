/* test_ready: readiness for a load balancer and for systemd — the health
 * path through a graceful stop, a reload and shutdown_delay, and the
 * Type=notify messages read from a test NOTIFY_SOCKET. */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "expect.h"
#include "harness.h"

#define READY_HEALTH	"health_path = \"/healthz\""
#define READY_BIG	(32 * 1024 * 1024)	/* outlasts every socket buffer */
#define READY_RCVBUF	16384
#define READY_MSG_MAX	1024

/* ---- the health path ---- */

/* Send method path on an open connection (kept alive) and read the answer. */
static void
ready_ask(struct tine_conn *c, const char *method, const char *path,
    struct tine_resp *r)
{
	char	req[256];

	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: localhost\r\n\r\n",
	    method, path);
	cr_assert_eq(tine_conn_sends(c, req), 0);
	cr_assert_eq(tine_conn_read(c, strcmp(method, "HEAD") == 0,
	    TINE_TIMEOUT_MS, r), 0, "no answer to %s %s", method, path);
}

/* Expect the health path's answer: 200 "ok" or 503 "stopping", plain text,
 * never cached. */
static void
ready_expect_health(const struct tine_resp *r, int status, int head)
{
	const char	*body = status == 200 ? "ok\n" : "stopping\n";

	expect_status(r, status);
	expect_hdr(r, "Content-Type", "text/plain");
	expect_hdr(r, "Cache-Control", "no-store");
	expect_length(r, strlen(body));
	if (!head)
		cr_expect_str_eq(r->body, body);
	else
		cr_expect_eq(r->bodylen, 0);
}

Test(ready, health_path_answers_ok_without_a_log_line,
    .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = tine_setup(READY_HEALTH);
	struct tine_conn	 c;
	struct tine_resp	 r;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_conn_open(&c, AF_INET, t->port), 0);
	ready_ask(&c, "GET", "/healthz", &r);
	ready_expect_health(&r, 200, 0);
	cr_expect_null(tine_resp_header(&r, "Connection"), "kept alive");
	tine_resp_free(&r);
	ready_ask(&c, "HEAD", "/healthz", &r);
	ready_expect_health(&r, 200, 1);
	tine_resp_free(&r);
	/* Another method is the site's business: not the health path's. */
	ready_ask(&c, "POST", "/healthz", &r);
	expect_status(&r, 405);
	tine_resp_free(&r);
	/* The next request is logged: once its line is there, the health
	 * requests' lines would be too. */
	ready_ask(&c, "GET", "/index.html", &r);
	expect_status(&r, 200);
	tine_resp_free(&r);
	tine_conn_close(&c);
	cr_expect_eq(tine_wait_file(t->access_log, "GET /index.html", 1,
	    TINE_TIMEOUT_MS), 0);
	cr_expect_eq(tine_count(t->access_log, "POST /healthz"), 1);
	cr_expect_eq(tine_count(t->access_log, "GET /healthz"), 0,
	    "the health path was logged");
	cr_expect_eq(tine_count(t->access_log, "HEAD /healthz"), 0);
	tine_stop(t);
}

Test(ready, health_path_is_off_unless_set, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = tine_setup("vhost \"b.test\" {\n"
				    "  " READY_HEALTH "\n}");
	struct tine_resp	 r;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	expect_ask(t, "GET", "localhost", "/healthz", NULL, &r);
	expect_status(&r, 404);
	tine_resp_free(&r);
	expect_ask(t, "GET", "b.test", "/healthz", NULL, &r);
	ready_expect_health(&r, 200, 0);
	tine_resp_free(&r);
	tine_stop(t);
}

Test(ready, health_path_must_be_a_plain_path, .timeout = 60)
{
	static const char *const	bad[] = {
		"health_path = \"healthz\"",
		"health_path = \"/a/../healthz\"",
		"health_path = \"/health%7a\"",
		"health_path = \"/healthz?x=1\"",
		"health_path = \"//healthz\"",
	};
	size_t				i;
	char				*err;
	int				status, line;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_refused(bad[i], "health_path", i);
	/* And a plain one is taken, also switched off again in a vhost. */
	err = tine_check_extra(READY_HEALTH "\nvhost \"b.test\" {\n"
	    "  health_path = off\n}", "health_path", &status, &line);
	cr_expect_eq(status, 0, "%s", err != NULL ? err : "");
	free(err);
}

/* A download that stalls: a small receive window, nothing read past the
 * head, so the worker that sends it cannot finish while the test runs. */
static int
ready_slow_open(struct tine *t)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	const char		req[] = "GET /big.bin HTTP/1.1\r\n"
				    "Host: localhost\r\n\r\n";
	char			head[64];
	int			fd, rcv = READY_RCVBUF;
	struct pollfd		pfd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)t->port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)),
	    0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL),
	    (ssize_t)sizeof(req) - 1);
	pfd = (struct pollfd){ fd, POLLIN, 0 };
	cr_assert_eq(poll(&pfd, 1, TINE_TIMEOUT_MS), 1, "no answer began");
	cr_assert_eq(recv(fd, head, sizeof(head) - 1, 0),
	    (ssize_t)sizeof(head) - 1);
	head[sizeof(head) - 1] = '\0';
	cr_assert_not_null(strstr(head, "HTTP/1.1 200 "), "%s", head);
	return fd;
}

/*
 * The config of the tests of ready_hold(): one worker, and no
 * TCP_DEFER_ACCEPT, under which the fresh connection (no request yet)
 * would stay the kernel's, not the retiring worker's, and a graceful stop
 * would reset it: the price defer_accept documents.
 */
#define READY_HOLD_CONF	"workers = 1\nheader_timeout = 120\n" \
			"defer_accept = off\n" READY_HEALTH

/* The connections a retiring worker holds while it is told to go. */
struct ready_held {
	int			slow;	/* a stalled download */
	struct tine_conn	idle;	/* kept alive after one request */
	struct tine_conn	fresh;	/* accepted, no request yet */
};

/*
 * With one worker: a stalled download, an idle kept-alive connection, and
 * a fresh one with no request yet, which a load balancer's checker may
 * hold. A request on a third connection proves the fresh one accepted
 * (the backlog is first in, first out).
 */
static void
ready_hold(struct tine *t, struct ready_held *h)
{
	struct tine_resp	r;

	h->slow = ready_slow_open(t);
	cr_assert_eq(tine_conn_open(&h->idle, AF_INET, t->port), 0);
	ready_ask(&h->idle, "GET", "/healthz", &r);
	ready_expect_health(&r, 200, 0);
	tine_resp_free(&r);
	cr_assert_eq(tine_conn_open(&h->fresh, AF_INET, t->port), 0);
	cr_assert_eq(tine_get(t, "/healthz", &r), 0);
	ready_expect_health(&r, 200, 0);
	tine_resp_free(&r);
}

/* The worker is retiring once it closed the idle kept-alive connection;
 * then ask the health path on the fresh one. */
static void
ready_ask_retiring(struct ready_held *h, struct tine_resp *r)
{
	cr_assert_eq(tine_conn_wait_close(&h->idle, TINE_TIMEOUT_MS), 1,
	    "the worker did not retire");
	ready_ask(&h->fresh, "GET", "/healthz", r);
	/* A retiring worker closes after each answer: this one was. */
	expect_hdr(r, "Connection", "close");
}

/* Close what ready_hold() opened. */
static void
ready_release(struct ready_held *h)
{
	close(h->slow);
	tine_conn_close(&h->idle);
	tine_conn_close(&h->fresh);
}

/* Write the big file the stalled download asks for. */
static void
ready_put_big(struct tine *t)
{
	char	path[TINE_PATH_MAX], *data;

	cr_assert_not_null(data = calloc(1, READY_BIG));
	cr_assert_eq(tine_write_file(tine_path(path, t->docroot, "big.bin"),
	    data, READY_BIG, 0644), 0);
	free(data);
}

Test(ready, health_503_in_a_graceful_stop, .fini = tine_teardown,
    .timeout = 90)
{
	struct tine		*t = tine_setup(READY_HOLD_CONF);
	struct ready_held	 h;
	struct tine_resp	 r;
	int			 status;

	cr_assert_not_null(t);
	ready_put_big(t);
	cr_assert_eq(tine_start(t), 0);
	ready_hold(t, &h);
	cr_assert_eq(kill(t->pid, SIGQUIT), 0);
	ready_ask_retiring(&h, &r);
	ready_expect_health(&r, 503, 0);
	tine_resp_free(&r);
	/* The download is what kept the worker: it goes, and so do they. */
	ready_release(&h);
	status = tine_wait_exit(t, TINE_TIMEOUT_MS);
	cr_expect(status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "the master's wait status is 0x%x",
	    status);
	tine_stop(t);
}

Test(ready, health_200_in_a_reload, .fini = tine_teardown, .timeout = 90)
{
	struct tine		*t = tine_setup(READY_HOLD_CONF);
	struct ready_held	 h;
	struct tine_resp	 r;

	cr_assert_not_null(t);
	ready_put_big(t);
	cr_assert_eq(tine_start(t), 0);
	ready_hold(t, &h);
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_log(t, "retiring generation 1", 1,
	    TINE_TIMEOUT_MS), 0);
	/* The old worker retires because of the reload: the server goes on. */
	ready_ask_retiring(&h, &r);
	ready_expect_health(&r, 200, 0);
	tine_resp_free(&r);
	ready_release(&h);
	/* And the new generation says so too. */
	cr_assert_eq(tine_get(t, "/healthz", &r), 0);
	ready_expect_health(&r, 200, 0);
	tine_resp_free(&r);
	tine_stop(t);
}

Test(ready, shutdown_delay_says_503_before_closing, .fini = tine_teardown,
    .timeout = 90)
{
	struct tine		*t = tine_setup("shutdown_delay = 120\n"
				    READY_HEALTH);
	struct tine_conn	 c;
	struct tine_resp	 r;
	int			 status;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_conn_open(&c, AF_INET, t->port), 0);
	ready_ask(&c, "GET", "/healthz", &r);
	ready_expect_health(&r, 200, 0);
	tine_resp_free(&r);
	cr_assert_eq(kill(t->pid, SIGQUIT), 0);
	cr_assert_eq(tine_wait_log(t, "graceful stop in 120s", 1,
	    TINE_TIMEOUT_MS), 0);
	/* Still serving, on kept and on new connections, but unhealthy. */
	ready_ask(&c, "GET", "/healthz", &r);
	ready_expect_health(&r, 503, 0);
	cr_expect_null(tine_resp_header(&r, "Connection"), "kept alive");
	tine_resp_free(&r);
	ready_ask(&c, "GET", "/index.html", &r);
	expect_body(&r, TINE_INDEX_BODY, strlen(TINE_INDEX_BODY));
	tine_resp_free(&r);
	expect_ask(t, "GET", "localhost", "/healthz", NULL, &r);
	ready_expect_health(&r, 503, 0);
	tine_resp_free(&r);
	/* A reload in the delay would start what is being stopped. */
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_expect_eq(tine_wait_log(t, "reload ignored: stopping", 1,
	    TINE_TIMEOUT_MS), 0);
	/* A second QUIT cuts the delay short. */
	tine_conn_close(&c);
	cr_assert_eq(kill(t->pid, SIGQUIT), 0);
	status = tine_wait_exit(t, TINE_TIMEOUT_MS);
	cr_expect(status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "the master's wait status is 0x%x",
	    status);
	cr_expect_eq(tine_count(t->error_log, "starting generation"), 0);
	tine_stop(t);
}

/* ---- systemd's notify protocol ---- */

/* A datagram socket bound where NOTIFY_SOCKET (set here) names it: a file
 * in the instance's dir, or an abstract name ("@..."). */
static int
ready_notify_socket(struct tine *t, int abstract)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	char			name[TINE_PATH_MAX + 32];
	socklen_t		len;
	int			fd;

	if (abstract)
		snprintf(name, sizeof(name), "@tine-test-ready-%ld",
		    (long)getpid());
	else
		snprintf(name, sizeof(name), "%s/notify.sock", t->dir);
	cr_assert_lt(strlen(name), sizeof(sun.sun_path));
	memcpy(sun.sun_path, name, strlen(name));
	if (abstract)
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(name));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, len), 0, "bind %s: %s",
	    name, strerror(errno));
	cr_assert_eq(setenv("NOTIFY_SOCKET", name, 1), 0);
	return fd;
}

/* The next message on fd, into buf, before deadline (monotonic ms); its
 * length, or -1. */
static ssize_t
ready_notify_recv(int fd, char *buf, size_t len, long long deadline)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	long long	left;
	ssize_t		n;

	while ((left = deadline - tine_now_ms()) > 0) {
		if (poll(&pfd, 1, (int)left) != 1)
			continue;
		if ((n = recv(fd, buf, len - 1, 0)) <= 0)
			return -1;
		buf[n] = '\0';
		cr_log_info("notify: %s", buf);
		return n;
	}
	return -1;
}

/* The next message that says more than STATUS= (those come every few
 * seconds as the numbers change), into buf; asserts one comes in time. */
static void
ready_notify_next(int fd, char *buf, size_t len)
{
	long long	deadline = tine_now_ms() + TINE_TIMEOUT_MS;

	do {
		cr_assert_gt(ready_notify_recv(fd, buf, len, deadline), 0,
		    "no notify message in %d ms", TINE_TIMEOUT_MS);
	} while (strncmp(buf, "STATUS=", 7) == 0);
}

/* Expect the next telling message to hold each of the needles. */
static void
ready_notify_expect(int fd, const char *a, const char *b)
{
	char	msg[READY_MSG_MAX];

	ready_notify_next(fd, msg, sizeof(msg));
	cr_expect_not_null(strstr(msg, a), "\"%s\" not in: %s", a, msg);
	if (b != NULL)
		cr_expect_not_null(strstr(msg, b), "\"%s\" not in: %s", b, msg);
}

/* Start t with NOTIFY_SOCKET set (abstract or not) and expect READY=1
 * holding status; the socket. */
static int
ready_notify_start(struct tine *t, int abstract, const char *status)
{
	int	fd = ready_notify_socket(t, abstract);

	cr_assert_eq(tine_start(t), 0);
	ready_notify_expect(fd, "READY=1\n", status);
	return fd;
}

/* RELOADING=1 with a MONOTONIC_USEC of now, on CLOCK_MONOTONIC. */
static void
ready_notify_reloading(int fd)
{
	struct timespec		 ts;
	char			 msg[READY_MSG_MAX];
	const char		*v;
	unsigned long long	 us, now;

	ready_notify_next(fd, msg, sizeof(msg));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000;
	cr_expect_eq(strncmp(msg, "RELOADING=1\n", 12), 0, "%s", msg);
	cr_assert_not_null(v = strstr(msg, "\nMONOTONIC_USEC="), "%s", msg);
	us = strtoull(v + 16, NULL, 10);
	cr_expect(us <= now && now - us < (unsigned long long)TINE_TIMEOUT_MS *
	    1000, "MONOTONIC_USEC=%llu, now %llu", us, now);
}

Test(ready, notify_messages_in_order, .fini = tine_teardown, .timeout = 90)
{
	struct tine	*t = tine_setup("workers = 2");
	int		 fd, status;

	cr_assert_not_null(t);
	fd = ready_notify_start(t, 0, "STATUS=generation 1: 2 of 2 workers "
	    "serving");
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	ready_notify_reloading(fd);
	ready_notify_expect(fd, "READY=1\n", "STATUS=generation 2: ");
	/* A reload that fails is over too: READY=1 again, and why. */
	cr_assert_eq(tine_config(t, "workers = 2\nkeepalive_timeout = -5"), 0);
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	ready_notify_reloading(fd);
	ready_notify_expect(fd, "READY=1\nSTATUS=reload failed: ",
	    "keepalive_timeout");
	cr_assert_eq(kill(t->pid, SIGQUIT), 0);
	ready_notify_expect(fd, "STOPPING=1\n", NULL);
	status = tine_wait_exit(t, TINE_TIMEOUT_MS);
	cr_expect(status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "the master's wait status is 0x%x",
	    status);
	close(fd);
	tine_stop(t);
}

/* The next STATUS= line that holds needle, within bound ms; 0 or -1. */
static int
ready_status_wait(int fd, const char *needle, int bound)
{
	long long	deadline = tine_now_ms() + bound;
	char		msg[READY_MSG_MAX];

	while (ready_notify_recv(fd, msg, sizeof(msg), deadline) > 0)
		if (strncmp(msg, "STATUS=", 7) == 0 && strstr(msg, needle))
			return 0;
	return -1;
}

Test(ready, notify_status_follows_the_requests, .fini = tine_teardown,
    .timeout = 90)
{
	struct tine		*t = tine_setup("workers = 1");
	struct tine_resp	 r;
	int			 fd, i;

	cr_assert_not_null(t);
	fd = ready_notify_start(t, 0, ", 0 requests");
	for (i = 0; i < 3; i++) {
		expect_ask(t, "GET", "localhost", "/", NULL, &r);
		expect_status(&r, 200);
		tine_resp_free(&r);
	}
	/* Said at most every 5 s: the bound leaves room for a slow tick. */
	cr_expect_eq(ready_status_wait(fd, ", 3 requests by the live workers",
	    3 * TINE_TIMEOUT_MS), 0, "no STATUS= with the 3 requests");
	close(fd);
	tine_stop(t);
}

Test(ready, notify_to_an_abstract_socket, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup("workers = 1");
	int		 fd;

	cr_assert_not_null(t);
	fd = ready_notify_start(t, 1, "STATUS=generation 1: 1 of 1 workers "
	    "serving");
	cr_assert_eq(kill(t->pid, SIGTERM), 0);
	ready_notify_expect(fd, "STOPPING=1\n", NULL);
	close(fd);
	tine_stop(t);
}
