/*
 * test_logtruth: access-log lines that tell what happened, against the real
 * binary — a download the client cut (reset, over TLS too, or stopped
 * reading past send_timeout), or a fast stop cut, logged with its status
 * and the bytes that left, a request abandoned before its answer logged
 * as 499, %D counted from the request's first byte (not from accept, nor
 * from the previous response), and log files created 0640 (root:adm, or
 * log_group, when root creates them).
 */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "tlsc.h"

#define LT_BIG		(16 << 20)	/* more than any socket buffers hold */
#define LT_PART		(64 << 10)	/* what the client reads of it */
#define LT_RCVBUF	4096		/* the client's receive buffer */
#define LT_TLS_RCVBUF	32768		/* one that does not crawl once read */
#define LT_HEAD		1024		/* bytes kept of a response's start */
#define LT_WAIT_MS	10000		/* a line must be logged this soon */
#define LT_DELAY_MS	400		/* a client's pause before a request */
#define LT_FORMAT	"access_log_format = \"%>s %B %D %X %U\""
#define LT_GET(path)	"GET " path " HTTP/1.1\r\nHost: lt.test\r\n\r\n"

/* One access-log line of LT_FORMAT. */
struct lt_line {
	int			status;
	unsigned long long	bytes;
	unsigned long long	us;
	char			conn;		/* %X: X + - */
	char			path[256];
};

/* Wait (bounded) for line n (from 0) of the access log and parse it. */
static void
lt_line(struct tine *t, int n, struct lt_line *l)
{
	char	*text, *p;
	int	 i;

	cr_assert_eq(tine_wait_file(t->access_log, "\n", n + 1, LT_WAIT_MS), 0,
	    "the access log has %d lines, want %d", tine_count(t->access_log,
	    "\n"), n + 1);
	cr_assert_not_null(text = tine_slurp(t->access_log, NULL));
	for (p = text, i = 0; i < n; i++)
		p = strchr(p, '\n') + 1;
	cr_assert_eq(sscanf(p, "%d %llu %llu %c %255s", &l->status, &l->bytes,
	    &l->us, &l->conn, l->path), 5, "line %d: %s", n, p);
	free(text);
}

/* An instance with LT_FORMAT (and extra) and a big file; not started. */
static struct tine *
lt_prepare(const char *extra)
{
	char		 conf[4 * TINE_PATH_MAX];
	struct tine	*t;
	char		 path[TINE_PATH_MAX];
	char		*big;

	snprintf(conf, sizeof(conf), "%s\n%s", LT_FORMAT, extra != NULL ?
	    extra : "");
	cr_assert_not_null(t = tine_setup(conf));
	cr_assert_not_null(big = malloc(LT_BIG));
	memset(big, 'x', LT_BIG);
	cr_assert_eq(tine_write_file(tine_path(path, t->docroot, "big.bin"),
	    big, LT_BIG, 0644), 0);
	free(big);
	return t;
}

/* lt_prepare(), started. */
static struct tine *
lt_start(const char *extra)
{
	struct tine	*t = lt_prepare(extra);

	cr_assert_eq(tine_start(t), 0);
	return t;
}

/* A connection to 127.0.0.1:port whose receive buffer is small, so that
 * most of a big response stays unsent while the client reads a part. */
static int
lt_connect_small(int port)
{
	struct sockaddr_in	sin;
	int			fd, rcv = LT_RCVBUF;

	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), -1);
	/* Before connect: the window offered is fixed by the handshake. */
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)),
	    0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0,
	    "connect: %s", strerror(errno));
	return fd;
}

/* Send all of s on fd. */
static void
lt_send(int fd, const char *s)
{
	size_t	len = strlen(s);

	cr_assert_eq(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Read at least want bytes (bounded in time); the count read. */
static size_t
lt_read_some(int fd, size_t want)
{
	char		 buf[8192];
	size_t		 got = 0;
	long long	 end = tine_now_ms() + LT_WAIT_MS;
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	ssize_t		 n;

	while (got < want && tine_now_ms() < end) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((n = recv(fd, buf, sizeof(buf), 0)) <= 0)
			break;
		got += (size_t)n;
	}
	cr_assert_geq(got, want, "read %zu of %zu bytes", got, want);
	return got;
}

/* Close with a reset, as a browser cancelling a download does. */
static void
lt_reset(int fd)
{
	struct linger	lg = { 1, 0 };

	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)),
	    0);
	close(fd);
}

/* Pause as a slow client would: the delay is the scenario, not a wait. */
static void
lt_pause(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ---- cut responses ---- */

/* Expect the first line to be the GET /big.bin that was cut: 200, some
 * bytes but not all, and %X = X. */
static void
lt_expect_cut(struct tine *t)
{
	struct lt_line	l;

	lt_line(t, 0, &l);
	cr_expect_eq(l.status, 200);
	cr_expect_eq(l.conn, 'X', "%%X is %c, not X (aborted)", l.conn);
	cr_expect_str_eq(l.path, "/big.bin");
	cr_expect_gt(l.bytes, 0);
	cr_expect_lt(l.bytes, (unsigned long long)LT_BIG, "%llu bytes",
	    l.bytes);
}

Test(logtruth, reset_mid_body_logged, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = lt_start(NULL);
	int		 fd = lt_connect_small(t->port);

	lt_send(fd, LT_GET("/big.bin"));
	lt_read_some(fd, LT_PART);
	lt_reset(fd);
	lt_expect_cut(t);
	tine_stop(t);
}

/* A fast stop (SIGTERM to the master) during a download: the server exits
 * at once, and the request it cut is logged as one its client cut. */
Test(logtruth, fast_stop_logs_download_in_progress, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = lt_start(NULL);
	int		 fd = lt_connect_small(t->port);

	lt_send(fd, LT_GET("/big.bin"));
	lt_read_some(fd, LT_PART);
	cr_assert_neq(tine_signal_wait(t, SIGTERM, LT_WAIT_MS), -1,
	    "the master exits on SIGTERM");
	lt_expect_cut(t);
	cr_expect_eq(tine_count(t->access_log, "\n"), 1, "one line");
	close(fd);
	tine_stop(t);
}

/* What a TLS client read: how many bytes, and the first of them. */
struct lt_tls_got {
	size_t	n;
	char	head[LT_HEAD];
};

/* Read through TLS until g holds want bytes or the connection ends (a
 * cut record ends it too), bounded in time. */
static void
lt_tls_read(struct tlsc *k, size_t want, struct lt_tls_got *g)
{
	char		 buf[16384];
	long long	 end = tine_now_ms() + LT_WAIT_MS;
	struct pollfd	 pfd = { k->conn.fd, POLLIN, 0 };
	size_t		 keep;
	int		 n;

	while (g->n < want && tine_now_ms() < end) {
		if ((n = SSL_read(k->ssl, buf, sizeof(buf))) > 0) {
			keep = g->n < LT_HEAD - 1 ? LT_HEAD - 1 - g->n : 0;
			if (keep > 0)
				memcpy(g->head + g->n, buf, keep < (size_t)n ?
				    keep : (size_t)n);
			g->n += (size_t)n;
		} else if (SSL_get_error(k->ssl, n) != SSL_ERROR_WANT_READ)
			break;
		else
			poll(&pfd, 1, 100);
	}
}

/* Read at least want bytes through TLS (bounded in time). */
static void
lt_tls_read_some(struct tlsc *k, size_t want)
{
	struct lt_tls_got	g = { 0 };

	lt_tls_read(k, want, &g);
	cr_assert_geq(g.n, want, "read %zu of %zu bytes", g.n, want);
}

/* Start t (from lt_prepare) with TLS (certificate lt.test) and extra
 * lines, and connect k to it; the client's context, to free. */
static SSL_CTX *
lt_tls_start(struct tine *t, const char *extra, struct tlsc *k)
{
	char		 conf[4 * TINE_PATH_MAX], why[256];
	SSL_CTX		*ctx;

	cr_assert_eq(tlsc_sh("cd %s && openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -keyout lt.key -out lt.pem -days 2 "
	    "-subj /CN=lt.test -addext subjectAltName=DNS:lt.test", t->dir),
	    0, "openssl could not make a certificate");
	snprintf(conf, sizeof(conf), "%s\n%s\nlisten = {\"127.0.0.1:%d tls\"}"
	    "\ntls_certificate = \"%s/lt.pem\"\ntls_key = \"%s/lt.key\"",
	    LT_FORMAT, extra, t->port, t->dir, t->dir);
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_not_null(ctx = tlsc_ctx(NULL, 0, 0, NULL));
	cr_assert_eq(tlsc_open(k, ctx, t->port, "lt.test", NULL, why,
	    sizeof(why)), 0, "handshake: %s", why);
	return ctx;
}

Test(logtruth, tls_reset_mid_body_logged, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = lt_prepare(NULL);
	struct linger	 lg = { 1, 0 };
	struct tlsc	 k;
	SSL_CTX		*ctx = lt_tls_start(t, "", &k);

	cr_assert_eq(tlsc_send(&k, LT_GET("/big.bin")), 0);
	lt_tls_read_some(&k, LT_PART);
	cr_assert_eq(setsockopt(k.conn.fd, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)), 0);
	tlsc_close(&k);
	SSL_CTX_free(ctx);
	lt_expect_cut(t);
	tine_stop(t);
}

/*
 * A TLS client that stops reading, past send_timeout: the bytes logged
 * are those of the records that left whole, which the client can still
 * read and decrypt after the cut. tine seals a file's records in batches
 * written in one call each: records of a batch the socket did not take
 * must not count.
 */
Test(logtruth, tls_send_timeout_counts_what_left, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = lt_prepare(NULL);
	struct lt_tls_got	 g = { 0 };
	struct lt_line		 l;
	struct tlsc		 k;
	SSL_CTX			*ctx = lt_tls_start(t, "send_timeout = 1", &k);
	int			 rcv = LT_TLS_RCVBUF;
	char			*body;

	cr_assert_eq(setsockopt(k.conn.fd, SOL_SOCKET, SO_RCVBUF, &rcv,
	    sizeof(rcv)), 0);
	cr_assert_eq(tlsc_send(&k, LT_GET("/big.bin")), 0);
	lt_tls_read(&k, LT_PART, &g);
	lt_expect_cut(t);
	/* What the socket took reaches the client after tine closed. */
	lt_tls_read(&k, SIZE_MAX, &g);
	cr_assert_not_null(body = strstr(g.head, "\r\n\r\n"));
	lt_line(t, 0, &l);
	cr_expect_eq(l.bytes, g.n - (size_t)(body + 4 - g.head),
	    "%llu bytes logged, %zu read", l.bytes, g.n);
	tlsc_close(&k);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

Test(logtruth, send_timeout_logged, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = lt_start("send_timeout = 1");
	int		 fd = lt_connect_small(t->port);

	/* The client reads a part, then nothing more: tine gives up. */
	lt_send(fd, LT_GET("/big.bin"));
	lt_read_some(fd, LT_PART);
	lt_expect_cut(t);
	close(fd);
	tine_stop(t);
}

Test(logtruth, closed_before_answer_is_499, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = lt_start(NULL);
	struct lt_line	 l;
	int		 fd = lt_connect_small(t->port);

	/* A body tine reads and drops before answering; the client leaves
	 * half way through it. */
	lt_send(fd, "GET /index.html HTTP/1.1\r\nHost: lt.test\r\n"
	    "Content-Length: 1000\r\n\r\n0123456789");
	close(fd);
	lt_line(t, 0, &l);
	cr_expect_eq(l.status, 499);
	cr_expect_eq(l.bytes, 0);
	cr_expect_str_eq(l.path, "/index.html");
	tine_stop(t);
}

Test(logtruth, cut_head_is_400, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = lt_start(NULL);
	struct lt_line	 l;
	int		 fd = lt_connect_small(t->port);

	lt_send(fd, "GET /index.html HTTP/1.1\r\nHost: lt");
	close(fd);
	lt_line(t, 0, &l);
	cr_expect_eq(l.status, 400);
	cr_expect_eq(l.bytes, 0);
	tine_stop(t);
}

/* ---- time from the first byte ---- */

/* On c, quiet for LT_DELAY_MS (as a client that connected, or was
 * answered, and then waits), then GET /index.html, answered 200. */
static void
lt_paused_get(struct tine_conn *c)
{
	struct tine_resp	r;

	lt_pause(LT_DELAY_MS);
	cr_assert_eq(tine_conn_sends(c, LT_GET("/index.html")), 0);
	cr_assert_eq(tine_conn_read(c, 0, TINE_TIMEOUT_MS, &r), 0);
	cr_expect_eq(r.status, 200);
	tine_resp_free(&r);
}

Test(logtruth, duration_from_first_byte, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = lt_start(NULL);
	struct tine_conn	 c;
	struct lt_line		 l;

	cr_assert_eq(tine_conn_open(&c, AF_INET, t->port), 0);
	lt_paused_get(&c);
	lt_line(t, 0, &l);
	cr_expect_lt(l.us, LT_DELAY_MS * 1000ULL, "D=%llu counts the wait "
	    "before the request", l.us);
	cr_expect_eq(l.conn, '+', "%%X is %c, not + (kept alive)", l.conn);
	/* Kept alive, and again quiet before the second request. */
	lt_paused_get(&c);
	lt_line(t, 1, &l);
	cr_expect_lt(l.us, LT_DELAY_MS * 1000ULL, "D=%llu counts the idle "
	    "time after the first response", l.us);
	tine_conn_close(&c);
	tine_stop(t);
}

/* The json format's duration_us: one value of a line, as text. */
static unsigned long long
lt_json_us(const char *line)
{
	const char	*p = strstr(line, "\"duration_us\":");

	cr_assert_not_null(p, "%s", line);
	return strtoull(p + strlen("\"duration_us\":"), NULL, 10);
}

Test(logtruth, json_duration_from_first_byte, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = tine_setup("access_log_format = \"json\"");
	struct tine_conn	 c;
	char			*text;
	unsigned long long	 us;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_conn_open(&c, AF_INET, t->port), 0);
	lt_paused_get(&c);
	tine_conn_close(&c);
	cr_assert_eq(tine_wait_file(t->access_log, "\n", 1, LT_WAIT_MS), 0);
	cr_assert_not_null(text = tine_slurp(t->access_log, NULL));
	us = lt_json_us(text);
	cr_expect_lt(us, LT_DELAY_MS * 1000ULL, "duration_us=%llu", us);
	free(text);
	tine_stop(t);
}

/* ---- who may read the logs ---- */

/* Assert the file at path is mode 0640 and, when the test is root, of
 * group gid (the group check needs root: only root may give files away). */
static void
lt_expect_mode(const char *path, gid_t gid)
{
	struct stat	st;

	cr_assert_eq(stat(path, &st), 0, "%s: %s", path, strerror(errno));
	cr_expect_eq(st.st_mode & 07777, 0640, "%s is %o", path,
	    (unsigned)(st.st_mode & 07777));
	if (geteuid() == 0)
		cr_expect_eq(st.st_gid, gid, "%s is of group %u, want %u", path,
		    (unsigned)st.st_gid, (unsigned)gid);
	else
		cr_expect_eq(st.st_gid, getegid(), "%s is of group %u", path,
		    (unsigned)st.st_gid);
}

Test(logtruth, logs_created_0640, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t;
	struct group	*gr = getgrnam("adm");
	gid_t		 adm = gr != NULL ? gr->gr_gid : 0;
	struct stat	 st;
	char		 mine[TINE_PATH_MAX], conf[2 * TINE_PATH_MAX];

	cr_assert_not_null(t = tine_setup(NULL));
	/* An admin's own file is left as it is. */
	tine_path(mine, t->dir, "mine.log");
	cr_assert_eq(tine_write_file(mine, "", 0, 0600), 0);
	snprintf(conf, sizeof(conf), "vhost \"m.test\" { access_log = "
	    "\"%s\" }", mine);
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_start(t), 0);
	lt_expect_mode(t->error_log, adm);
	lt_expect_mode(t->access_log, adm);
	cr_assert_eq(stat(mine, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600, "mine.log is %o",
	    (unsigned)(st.st_mode & 07777));
	/* Rotated without "create": the reopened files are made the same. */
	cr_assert_eq(unlink(t->error_log), 0);
	cr_assert_eq(unlink(t->access_log), 0);
	cr_assert_eq(kill(t->pid, SIGUSR1), 0);
	/* Serving again: both files were made (and given their group). */
	cr_assert_eq(tine_wait_log(t, "workers, generation 2", 1, LT_WAIT_MS),
	    0);
	lt_expect_mode(t->error_log, adm);
	lt_expect_mode(t->access_log, adm);
	tine_stop(t);
}

Test(logtruth, log_group_option, .fini = tine_teardown, .timeout = 60)
{
	struct group	*gr = getgrnam("daemon");
	gid_t		 gid = gr != NULL ? gr->gr_gid : 0;
	struct tine	*t;
	char		*err;
	int		 status;

	/* A group that does not exist is a mistake tine -t names. */
	err = tine_check_extra("log_group = \"no-such-group-lt\"", "log_group",
	    &status, NULL);
	cr_expect_neq(status, 0);
	cr_expect_not_null(strstr(err, "log_group: no such group"), "%s",
	    err);
	free(err);
	if (geteuid() != 0 || gr == NULL) {
		cr_log_warn("not root, or no group daemon: group not checked");
		return;
	}
	cr_assert_not_null(t = tine_setup("log_group = \"daemon\""));
	cr_assert_eq(tine_start(t), 0);
	lt_expect_mode(t->error_log, gid);
	lt_expect_mode(t->access_log, gid);
	tine_stop(t);
}
