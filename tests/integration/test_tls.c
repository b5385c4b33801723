/*
 * test_tls: HTTPS against the real binary over real sockets, with a CA and
 * certificates the openssl command makes in each test's directory — GET,
 * keep-alive and pipelining, ranges and a 1 MiB file byte-exact over TLS,
 * the certificate SNI picks, old versions and weak ciphers refused, a
 * session resumed on another worker, plain HTTP on the TLS port (400) and
 * TLS on a plain port (closed), a handshake bounded by header_timeout,
 * reloads with a new and with a broken certificate, OCSP stapling, what
 * tine -t says about TLS settings, which TLS module a copy of the binary
 * away from the build tree loads or refuses, and curl, Python, wget and
 * headless Chromium as clients.
 */
#include "tine_build.h"

#include <sys/prctl.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "harness.h"
#include "tlsc.h"

#define TLS_BIG		(1024 * 1024)	/* the large file's size */
#define TLS_HUGE	(8 * 1024 * 1024)	/* more than socket buffers hold */
#define TLS_RCVBUF	32768		/* a slow reader's receive buffer */
#define TLS_CONF_MAX	(16 * TINE_PATH_MAX)
#define TLS_WHY		256
#define TLS_TRIES	60		/* resumptions tried to reach the other worker */

/* The certificates of one test: dir/certs holds ca.pem and, signed by that
 * CA, a.pem (a.test, www.a.test and 127.0.0.1, for wget, which cannot
 * be told where a name is), b.pem (b.test), w.pem (*.w.test) and
 * e.pem (e.test, expired yesterday), each the leaf then the CA, with its
 * key NAME.key, readable by root only. */
struct tls_certs {
	char	dir[TINE_PATH_MAX];
	char	ca[TINE_PATH_MAX];
};

/* Make a test's certificates with the openssl command. */
static void
tls_certs(struct tine *t, struct tls_certs *c)
{
	tine_path(c->dir, t->dir, "certs");
	tine_path(c->ca, c->dir, "ca.pem");
	cr_assert_eq(tlsc_sh("mkdir %s && cd %s && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=tine test CA' "
	    "&& leaf() { openssl req -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -keyout $1.key -out $1.csr "
	    "-subj \"/CN=$2\" && printf 'subjectAltName=%%s\\n' \"$3\" >$1.ext "
	    "&& openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key "
	    "-days $4 -extfile $1.ext -out $1.crt && cat $1.crt ca.pem >$1.pem "
	    "&& chmod 600 $1.key; } && "
	    "leaf a a.test DNS:a.test,DNS:www.a.test,IP:127.0.0.1 2 && "
	    "leaf b b.test DNS:b.test 2 && leaf w '*.w.test' 'DNS:*.w.test' 2 "
	    "&& leaf e e.test DNS:e.test -1", c->dir, c->dir), 0,
	    "openssl could not make the test certificates");
}

/* Start t with TLS on its port (and plain HTTP on port plain, unless 0),
 * the docroot and the certificate a.test at the top level, and extra
 * lines (which may set document_root in a vhost). */
static void
tls_start(struct tine *t, const struct tls_certs *c, int plain,
    const char *extra)
{
	char	conf[TLS_CONF_MAX], more[64] = "";

	if (plain != 0)
		snprintf(more, sizeof(more), ", \"127.0.0.1:%d\"", plain);
	snprintf(conf, sizeof(conf),
	    "listen = {\"127.0.0.1:%d tls\"%s}\n"
	    "document_root = \"%s\"\n"
	    "tls_certificate = \"%s/a.pem\"\n"
	    "tls_key = \"%s/a.key\"\n%s\n", t->port, more, t->docroot, c->dir,
	    c->dir, extra != NULL ? extra : "");
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_start(t), 0, "tine did not start: see %s",
	    t->error_log);
}

/* A new instance with its certificates, started; extra as tls_start's. */
static struct tine *
tls_setup(struct tls_certs *c, const char *extra)
{
	struct tine	*t = tine_setup(NULL);

	cr_assert_not_null(t);
	tls_certs(t, c);
	tls_start(t, c, 0, extra);
	return t;
}

/* Connect, expecting the handshake to succeed. */
static void
tls_open(struct tlsc *k, SSL_CTX *ctx, int port, const char *sni,
    SSL_SESSION *sess)
{
	char	why[TLS_WHY];

	cr_assert_eq(tlsc_open(k, ctx, port, sni, sess, why, sizeof(why)), 0,
	    "handshake with %s failed: %s", sni != NULL ? sni : "(no SNI)",
	    why);
}

/* One request on a new TLS connection; the response in r. */
static void
tls_ask(SSL_CTX *ctx, int port, const char *sni, const char *req,
    struct tine_resp *r)
{
	struct tlsc	k;

	tls_open(&k, ctx, port, sni, NULL);
	cr_assert_eq(tlsc_send(&k, req), 0);
	cr_assert_eq(tlsc_read(&k, 0, r), 0, "no response to %s", req);
	tlsc_close(&k);
}

/* A file of n pseudo-random bytes in t's docroot; its bytes, to free. */
static unsigned char *
tls_big_file(struct tine *t, const char *rel, size_t n)
{
	unsigned char	*b = malloc(n);
	char		 path[TINE_PATH_MAX];
	uint32_t	 x = 2463534242u;
	size_t		 i;

	cr_assert_not_null(b);
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (unsigned char)x;
	}
	tine_path(path, t->docroot, rel);
	cr_assert_eq(tine_write_file(path, b, n, 0644), 0);
	return b;
}

/* The TLS transmit counter of the kernel (/proc/net/tls_stat
 * TlsTxSw + TlsTxDevice), -1 when the kernel has no TLS. */
static long long
tls_kernel_tx(void)
{
	char		 line[128];
	long long	 v, sum = -1;
	FILE		*f;

	if ((f = fopen("/proc/net/tls_stat", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if ((sscanf(line, "TlsTxSw %lld", &v) == 1 ||
		    sscanf(line, "TlsTxDevice %lld", &v) == 1))
			sum = (sum < 0 ? 0 : sum) + v;
	fclose(f);
	return sum;
}

/* A request on a connection that stays open, for pipelining. */
#define TLS_GET(path, more)	"GET " path " HTTP/1.1\r\nHost: a.test\r\n" \
	more "\r\n"

/*
 * Keep-alive and pipelining over TLS: three requests in one write (one of
 * them a range, one a HEAD), then a 1 MiB file byte-exact on the same
 * connection, which then closes as asked. ALPN settles on http/1.1, the
 * certificate verifies for a.test, and the key file is root's only.
 */
Test(tls, pipelined_range_and_large_file, .fini = tine_teardown,
    .timeout = 60)
{
	static const unsigned char	 alpn[] = "\x02h2\x08http/1.1";
	struct tls_certs		 c;
	struct tine			*t = tine_setup(NULL);
	struct tine_resp		 r;
	struct tlsc			 k;
	SSL_CTX				*ctx;
	unsigned char			*big;
	const unsigned char		*proto;
	unsigned int			 plen;
	long long			 tx;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	big = tls_big_file(t, "big.bin", TLS_BIG);
	tls_start(t, &c, 0, "access_log_format = \"%{ssl_protocol}x "
	    "%{SSL_CIPHER}x %>s %U\"");
	tx = tls_kernel_tx();
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	cr_assert_eq(SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1), 0);
	tls_open(&k, ctx, t->port, "a.test", NULL);
	cr_expect_eq(tlsc_verify(&k), X509_V_OK);
	SSL_get0_alpn_selected(k.ssl, &proto, &plen);
	cr_expect(plen == 8 && memcmp(proto, "http/1.1", 8) == 0);
	cr_assert_eq(tlsc_send(&k, TLS_GET("/", "") TLS_GET("/big.bin",
	    "Range: bytes=1000-1999\r\n") "HEAD /big.bin HTTP/1.1\r\n"
	    "Host: a.test\r\n\r\n"), 0);
	cr_assert_eq(tlsc_read(&k, 0, &r), 0);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(r.body, TINE_INDEX_BODY);
	tine_resp_free(&r);
	cr_assert_eq(tlsc_read(&k, 0, &r), 0);
	cr_expect_eq(r.status, 206);
	cr_assert_eq(r.bodylen, 1000);
	cr_expect(memcmp(r.body, big + 1000, 1000) == 0);
	tine_resp_free(&r);
	cr_assert_eq(tlsc_read(&k, 1, &r), 0);
	cr_expect_eq(r.status, 200);
	cr_assert_not_null(tine_resp_header(&r, "Content-Length"));
	cr_expect_str_eq(tine_resp_header(&r, "Content-Length"), "1048576");
	tine_resp_free(&r);
	cr_assert_eq(tlsc_send(&k, TLS_GET("/big.bin",
	    "Connection: close\r\n")), 0);
	cr_assert_eq(tlsc_read(&k, 0, &r), 0);
	cr_expect_eq(r.status, 200);
	cr_assert_eq(r.bodylen, TLS_BIG);
	cr_expect(memcmp(r.body, big, TLS_BIG) == 0, "1 MiB not byte-exact");
	tine_resp_free(&r);
	cr_expect_eq(tine_conn_wait_close(&k.conn, TINE_TIMEOUT_MS), 1);
	tlsc_close(&k);
	/* The access log names the protocol and the cipher (its lines are
	 * written within 100 ms of the responses). */
	cr_expect_eq(tine_wait_file(t->access_log, "TLSv1.3 TLS_", 4,
	    TINE_TIMEOUT_MS), 0);
	cr_expect_eq(tine_count(t->access_log, "TLSv1.3 TLS_"), 4);
	cr_expect_eq(tine_count(t->access_log, " 206 /big.bin\n"), 1);
	/* Which way the file went is said at start; with kernel TLS, the
	 * kernel must have encrypted it. */
	if (tine_count(t->error_log, "sent with SSL_sendfile (kernel TLS)")) {
		cr_expect_gt(tls_kernel_tx(), tx, "kernel TLS said, not used");
	} else {
		cr_expect_eq(tine_count(t->error_log, "sent with SSL_write "
		    "(no kernel TLS"), 1);
		cr_log_info("no kernel TLS here: the SSL_write path was tested");
	}
	SSL_CTX_free(ctx);
	free(big);
	tine_stop(t);
}

/*
 * A file larger than the socket buffers hold, to a client whose receive
 * buffer is small: tine's batches of records (each written in one call)
 * are taken a part at a time, and the rest of a batch goes later, in
 * order, byte-exact. The same connection then serves a range that starts
 * and ends inside records (so inside batches), and a small file after it
 * (OpenSSL writes to the socket itself again).
 */
Test(tls, large_file_to_a_slow_reader, .fini = tine_teardown, .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	struct tine_resp	 r;
	struct tlsc		 k;
	SSL_CTX			*ctx;
	unsigned char		*big;
	int			 rcv = TLS_RCVBUF;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	big = tls_big_file(t, "huge.bin", TLS_HUGE);
	tls_start(t, &c, 0, NULL);
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	tls_open(&k, ctx, t->port, "a.test", NULL);
	cr_assert_eq(setsockopt(k.conn.fd, SOL_SOCKET, SO_RCVBUF, &rcv,
	    sizeof(rcv)), 0);
	cr_assert_eq(tlsc_send(&k, TLS_GET("/huge.bin", "")), 0);
	cr_assert_eq(tlsc_read(&k, 0, &r), 0);
	cr_expect_eq(r.status, 200);
	cr_assert_eq(r.bodylen, TLS_HUGE);
	cr_expect(memcmp(r.body, big, TLS_HUGE) == 0, "not byte-exact");
	tine_resp_free(&r);
	cr_assert_eq(tlsc_send(&k, TLS_GET("/huge.bin",
	    "Range: bytes=12345-6012344\r\n") TLS_GET("/", "")), 0);
	cr_assert_eq(tlsc_read(&k, 0, &r), 0);
	cr_expect_eq(r.status, 206);
	cr_assert_eq(r.bodylen, 6000000);
	cr_expect(memcmp(r.body, big + 12345, 6000000) == 0,
	    "range not byte-exact");
	tine_resp_free(&r);
	cr_assert_eq(tlsc_read(&k, 0, &r), 0);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(r.body, TINE_INDEX_BODY);
	tine_resp_free(&r);
	tlsc_close(&k);
	SSL_CTX_free(ctx);
	free(big);
	tine_stop(t);
}

/* A process's CPU ticks (utime + stime); 0 if unreadable. */
static unsigned long long
tls_ticks(pid_t pid)
{
	unsigned long long	ut, st;

	if (tine_stat_field(pid, 14, &ut) == -1 ||
	    tine_stat_field(pid, 15, &st) == -1)
		return 0;
	return ut + st;
}

/* Whether the worker (a pid_t *) used no CPU over 300 ms: it has sent
 * all that its clients' sockets take. */
static int
tls_quiet(void *arg)
{
	pid_t			 pid = *(pid_t *)arg;
	unsigned long long	 t0 = tls_ticks(pid);
	struct timespec		 ts = { 0, 300 * 1000000L };

	nanosleep(&ts, NULL);	/* the window quiet is judged over */
	return t0 != 0 && tls_ticks(pid) == t0;
}

/* Read a first byte of an answer through k (bounded in time); 0 or -1. */
static int
tls_first_bytes(struct tlsc *k)
{
	char		 buf[4096];
	struct pollfd	 pfd = { k->conn.fd, POLLIN, 0 };
	long long	 end = tine_now_ms() + 10000;
	int		 n;

	while (tine_now_ms() < end) {
		if ((n = SSL_read(k->ssl, buf, sizeof(buf))) > 0)
			return 0;
		if (SSL_get_error(k->ssl, n) != SSL_ERROR_WANT_READ)
			return -1;
		poll(&pfd, 1, 100);
	}
	return -1;
}

/* Under AddressSanitizer a freed batch would wait in its quarantine (256
 * MiB) and count as held: none for this test's tine (ignored without). */
static void
tls_no_quarantine(void)
{
	const char	*o = getenv("ASAN_OPTIONS");
	char		 buf[512];

	snprintf(buf, sizeof(buf), "%s%squarantine_size_mb=0:"
	    "thread_local_quarantine_size_kb=0", o != NULL ? o : "",
	    o != NULL && *o != '\0' ? ":" : "");
	cr_assert_eq(setenv("ASAN_OPTIONS", buf, 1), 0);
}

/*
 * tcp_notsent_lowat applies to plain-HTTP listeners: a TLS listener keeps
 * the kernel's value (0 on the socket), since a file sealed in userspace
 * went out in more, smaller writes under it; a reload keeps it so.
 */
Test(tls, notsent_lowat_plain_only, .fini = tine_teardown, .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	int			 plain = tine_free_port();

	cr_assert_not_null(t);
	cr_assert_neq(plain, -1);
	tls_certs(t, &c);
	tls_start(t, &c, plain, "tcp_notsent_lowat = 20000");
	cr_expect_eq(tine_sockopt(t->pid, plain, IPPROTO_TCP,
	    TCP_NOTSENT_LOWAT), 20000);
	cr_expect_eq(tine_sockopt(t->pid, t->port, IPPROTO_TCP,
	    TCP_NOTSENT_LOWAT), 0);
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_log(t, "retiring generation 1", 1,
	    TINE_TIMEOUT_MS), 0);
	cr_expect_eq(tine_sockopt(t->pid, plain, IPPROTO_TCP,
	    TCP_NOTSENT_LOWAT), 20000);
	cr_expect_eq(tine_sockopt(t->pid, t->port, IPPROTO_TCP,
	    TCP_NOTSENT_LOWAT), 0);
	tine_stop(t);
}

#define TLS_STALLED	150	/* clients that ask for a big file, then stop */

/*
 * Clients that ask for a large file over TLS and stop reading cannot make a
 * worker hold a batch of records (a quarter MiB) each: past 16 MiB of
 * unsent batches it sends a record at a time. 150 such clients would hold
 * some 39 MiB of batches without the bound.
 */
Test(tls, stalled_readers_hold_bounded_memory, .fini = tine_teardown,
    .timeout = 120)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	struct tlsc		*k;
	SSL_CTX			*ctx;
	pid_t			 kids[2];
	long			 before, after;
	int			 i, rcv = 4096;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	free(tls_big_file(t, "huge.bin", TLS_HUGE));
	tls_no_quarantine();
	tls_start(t, &c, 0, "workers = 1\nmax_connections_per_ip = 0\n"
	    "send_timeout = 120");
	cr_assert_eq(tine_children(t->pid, kids, 2), 1, "one worker");
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	cr_assert_not_null(k = calloc(TLS_STALLED, sizeof(*k)));
	for (i = 0; i < TLS_STALLED; i++) {
		tls_open(&k[i], ctx, t->port, "a.test", NULL);
		cr_assert_eq(setsockopt(k[i].conn.fd, SOL_SOCKET, SO_RCVBUF,
		    &rcv, sizeof(rcv)), 0);
	}
	cr_assert_eq(tine_wait_until(tls_quiet, kids, 20000), 0);
	cr_assert_gt(before = tine_proc_kib(kids[0], "status", "VmRSS"), 0);
	for (i = 0; i < TLS_STALLED; i++) {
		cr_assert_eq(tlsc_send(&k[i], TLS_GET("/huge.bin", "")), 0);
		/* Its answer has begun: a batch was made for it. */
		cr_assert_eq(tls_first_bytes(&k[i]), 0,
		    "no answer on connection %d", i);
	}
	cr_assert_eq(tine_wait_until(tls_quiet, kids, 30000), 0,
	    "the worker never went quiet");
	cr_assert_gt(after = tine_proc_kib(kids[0], "status", "VmRSS"), 0);
	cr_log_info("the worker grew %ld KiB", after - before);
	cr_expect_lt(after - before, 30 * 1024, "the worker grew %ld KiB "
	    "for %d stalled readers", after - before, TLS_STALLED);
	for (i = 0; i < TLS_STALLED; i++)
		tlsc_close(&k[i]);
	free(k);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/* A file and a string it should come to hold. */
struct tls_needle {
	const char	*path;
	const char	*needle;
};

/* Whether the file holds the string yet. */
static int
tls_holds(void *arg)
{
	struct tls_needle	*n = arg;

	return tine_count(n->path, n->needle) > 0;
}

/* Wait until t's access log holds needle (a line is written once its
 * response is out, so maybe after the client read it); 0 or -1. */
static int
tls_wait_access(struct tine *t, const char *needle)
{
	struct tls_needle	n = { t->access_log, needle };

	return tine_wait_until(tls_holds, &n, TINE_TIMEOUT_MS);
}

/* The name of the certificate a handshake with sni gets (NULL: no SNI). */
static void
tls_expect_cert(SSL_CTX *ctx, int port, const char *sni, const char *want)
{
	struct tlsc	k;
	char		name[256];

	tls_open(&k, ctx, port, sni, NULL);
	cr_expect_str_eq(tlsc_name(&k, name, sizeof(name)), want, "SNI %s",
	    sni != NULL ? sni : "(none)");
	tlsc_close(&k);
}

/* SNI picks the certificate as a Host picks a site: an exact name (or an
 * alias), then a wildcard, else the default site's; the Host still picks
 * the site (and its location) that answers. */
Test(tls, sni_picks_the_certificate, .fini = tine_teardown, .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	struct tine_resp	 r;
	char			 extra[TLS_CONF_MAX], bdir[TINE_PATH_MAX];
	char			 file[TINE_PATH_MAX];
	SSL_CTX			*ctx;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	tine_path(bdir, t->dir, "b");
	tine_path(file, bdir, "index.html");
	cr_assert_eq(tine_write_file(file, "site b\n", 7, 0644), 0);
	tine_path(file, bdir, "l/index.html");
	cr_assert_eq(tine_write_file(file, "b's /l/\n", 8, 0644), 0);
	snprintf(extra, sizeof(extra),
	    "vhost \"b.test\" {\n document_root = \"%s\"\n"
	    " location \"/l/\" { headers = {\"X-Location: l\"} }\n"
	    " tls_certificate = \"%s/b.pem\"\n tls_key = \"%s/b.key\" }\n"
	    "vhost \"*.w.test\" {\n tls_certificate = \"%s/w.pem\"\n"
	    " tls_key = \"%s/w.key\" }\n"
	    "vhost \"inherits.test\" { }\n"
	    "access_log_format = json\n", bdir, c.dir, c.dir, c.dir, c.dir);
	tls_start(t, &c, 0, extra);
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	tls_expect_cert(ctx, t->port, "b.test", "b.test");
	tls_expect_cert(ctx, t->port, "B.Test", "b.test");
	tls_expect_cert(ctx, t->port, "x.w.test", "*.w.test");
	tls_expect_cert(ctx, t->port, "inherits.test", "a.test");
	tls_expect_cert(ctx, t->port, "unknown.test", "a.test");
	tls_expect_cert(ctx, t->port, NULL, "a.test");
	tls_ask(ctx, t->port, "b.test", "GET / HTTP/1.1\r\nHost: b.test\r\n"
	    "Connection: close\r\n\r\n", &r);
	cr_expect_str_eq(r.body, "site b\n");
	tine_resp_free(&r);
	tls_ask(ctx, t->port, "b.test", "GET /l/ HTTP/1.1\r\nHost: b.test\r\n"
	    "Connection: close\r\n\r\n", &r);
	cr_expect_str_eq(r.body, "b's /l/\n");
	cr_expect_not_null(tine_resp_header(&r, "X-Location"));
	cr_expect_eq(tine_resp_count(&r, "X-Location"), 1);
	tine_resp_free(&r);
	/* The json access log has the protocol and the cipher. */
	cr_expect_eq(tls_wait_access(t, "\"tls_protocol\":\"TLSv1.3\","
	    "\"tls_cipher\":\"TLS_"), 0);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/* A handshake that must fail, and the reason the server logs for it. */
static void
tls_refused(struct tine *t, SSL_CTX *ctx, const char *logged)
{
	struct tlsc	k;
	char		why[TLS_WHY];

	cr_expect_eq(tlsc_open(&k, ctx, t->port, "a.test", NULL, why,
	    sizeof(why)), -1, "handshake accepted, want \"%s\"", logged);
	tlsc_close(&k);
	cr_expect_eq(tine_wait_log(t, logged, 1, TINE_TIMEOUT_MS), 0,
	    "no \"%s\" in %s", logged, t->error_log);
}

/* TLS 1.0 and 1.1 and ciphers without forward secrecy are refused (the
 * client offers them, the server says why at info); tls_protocols and
 * tls_ciphers change what is accepted. */
Test(tls, old_versions_and_weak_ciphers_refused, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tls_setup(&c, NULL);
	struct tine_resp	 r;
	SSL_CTX			*ctx;

	cr_assert_not_null(ctx = tlsc_ctx(c.ca, TLS1_VERSION, TLS1_1_VERSION,
	    "DEFAULT:@SECLEVEL=0"));
	tls_refused(t, ctx, "TLS handshake with 127.0.0.1 failed: "
	    "unsupported protocol");
	SSL_CTX_free(ctx);
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, TLS1_2_VERSION, TLS1_2_VERSION,
	    "AES128-SHA:AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA"));
	tls_refused(t, ctx, "failed: no shared cipher");
	SSL_CTX_free(ctx);
	cr_expect_eq(tine_count(t->error_log, "[error]"), 0);
	tine_stop(t);

	t = tls_setup(&c, "tls_protocols = \"TLSv1.3\"\n"
	    "tls_ciphers = \"ECDHE-ECDSA-AES128-SHA\"");
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, TLS1_2_VERSION, TLS1_2_VERSION,
	    NULL));
	tls_refused(t, ctx, "failed: unsupported protocol");
	SSL_CTX_free(ctx);
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	tls_ask(ctx, t->port, "a.test", "GET / HTTP/1.0\r\n\r\n", &r);
	cr_expect_eq(r.status, 200);
	tine_resp_free(&r);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/* An access log of at least n lines. */
struct tls_lines {
	struct tine	*t;
	int		 n;
};

/* Whether the access log has its lines yet (a line is written once its
 * response is out, so after the client may have read it). */
static int
tls_has_lines(void *arg)
{
	struct tls_lines	*l = arg;

	return tine_count(l->t->access_log, "\n") >= l->n;
}

/* The number at the start of line n (from 1) of the access log. */
static long
tls_log_number(struct tine *t, int n)
{
	struct tls_lines	 l = { t, n };
	char			*log, *p;
	long			 v;
	int			 i;

	cr_assert_eq(tine_wait_until(tls_has_lines, &l, TINE_TIMEOUT_MS), 0,
	    "fewer than %d access log lines", n);
	cr_assert_not_null(log = tine_slurp(t->access_log, NULL));
	for (p = log, i = 1; i < n; i++)
		p = strchr(p, '\n') + 1;
	v = strtol(p, NULL, 10);
	free(log);
	return v;
}

/* GET / with Host a.test on an open TLS connection, kept alive. */
static void
tls_get(struct tlsc *k)
{
	struct tine_resp	r;

	cr_assert_eq(tlsc_send(k, TLS_GET("/", "")), 0);
	cr_assert_eq(tlsc_read(k, 0, &r), 0);
	cr_expect_eq(r.status, 200);
	tine_resp_free(&r);
}

/*
 * A session made on one worker resumes on the other: the ticket keys are
 * the generation's, not a worker's. With max_connections = 1, the worker
 * holding the first connection does not accept, so the second one lands
 * on the other worker, which the access log's %P shows.
 */
Test(tls, session_resumes_on_another_worker, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tls_setup(&c, "workers = 2\n"
	    "max_connections = 1\naccess_log_format = \"%P\"");
	struct tlsc		 k1, k2;
	SSL_SESSION		*sess;
	SSL_CTX			*ctx;

	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	tls_open(&k1, ctx, t->port, "a.test", NULL);
	tls_get(&k1);
	cr_assert_not_null(sess = SSL_get1_session(k1.ssl));
	cr_assert(SSL_SESSION_is_resumable(sess), "no ticket came");
	tls_open(&k2, ctx, t->port, "a.test", sess);
	cr_expect(SSL_session_reused(k2.ssl), "a full handshake, not resumed");
	tls_get(&k2);
	cr_expect_neq(tls_log_number(t, 1), tls_log_number(t, 2),
	    "both connections on one worker");
	tlsc_close(&k2);
	tlsc_close(&k1);
	SSL_SESSION_free(sess);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/* A new connection resuming sess, expected to, and a GET on it; the
 * session it ends with, to free. */
static SSL_SESSION *
tls_resume(SSL_CTX *ctx, int port, SSL_SESSION *sess)
{
	struct tlsc	 k;
	SSL_SESSION	*after;

	tls_open(&k, ctx, port, "a.test", sess);
	cr_expect(SSL_session_reused(k.ssl), "a full handshake, not resumed");
	tls_get(&k);
	cr_assert_not_null(after = SSL_get1_session(k.ssl));
	tlsc_close(&k);
	return after;
}

/*
 * A TLS 1.3 resumption brings a new ticket: clients use a ticket once, so
 * without one their next connection would be a full handshake (only every
 * other one resumed under wrk, against nginx's every one).
 */
Test(tls, resumption_renews_ticket, .fini = tine_teardown, .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tls_setup(&c, NULL);
	struct tlsc		 k;
	SSL_SESSION		*s1, *s2;
	SSL_CTX			*ctx;
	const unsigned char	*t1, *t2;
	size_t			 l1, l2;

	cr_assert_not_null(ctx = tlsc_ctx(c.ca, TLS1_3_VERSION,
	    TLS1_3_VERSION, NULL));
	tls_open(&k, ctx, t->port, "a.test", NULL);
	tls_get(&k);
	cr_assert_not_null(s1 = SSL_get1_session(k.ssl));
	tlsc_close(&k);
	s2 = tls_resume(ctx, t->port, s1);
	SSL_SESSION_get0_ticket(s1, &t1, &l1);
	SSL_SESSION_get0_ticket(s2, &t2, &l2);
	cr_expect(l1 != l2 || memcmp(t1, t2, l1) != 0,
	    "no new ticket after a resumption");
	SSL_SESSION_free(s2);
	SSL_SESSION_free(s1);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/* Wait (until deadline) for bytes on k and let OpenSSL take them,
 * expecting no application data (what names the check): the read's
 * SSL_get_error(), or -1 when nothing came in time. */
static int
tls_take(struct tlsc *k, long long deadline, const char *what)
{
	struct pollfd	 pfd = { .fd = k->conn.fd, .events = POLLIN };
	char		 b;
	int		 n;

	if (tine_now_ms() >= deadline ||
	    poll(&pfd, 1, (int)(deadline - tine_now_ms())) != 1)
		return -1;
	n = SSL_read(k->ssl, &b, 1);
	cr_assert_leq(n, 0, "%s: application data came", what);
	return SSL_get_error(k->ssl, n);
}

/*
 * The tickets that end a TLS 1.3 handshake wait in the worker for the
 * response to a request sent with the client's Finished, to leave in one
 * write with it; a client that sends nothing yet (a browser's preconnect)
 * still gets them at once, and resumes with them.
 */
Test(tls, tickets_come_without_a_request, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tls_setup(&c, NULL);
	long long		 deadline = tine_now_ms() + TINE_TIMEOUT_MS;
	struct tlsc		 k;
	SSL_SESSION		*sess = NULL;
	SSL_CTX			*ctx;
	int			 err = -1;

	cr_assert_not_null(ctx = tlsc_ctx(c.ca, TLS1_3_VERSION,
	    TLS1_3_VERSION, NULL));
	tls_open(&k, ctx, t->port, "a.test", NULL);
	/* Each read takes in what came: tickets, and no response. */
	while (sess == NULL && (err = tls_take(&k, deadline,
	    "an answer unasked")) == SSL_ERROR_WANT_READ)
		if ((sess = SSL_get1_session(k.ssl)) != NULL &&
		    !SSL_SESSION_is_resumable(sess)) {
			SSL_SESSION_free(sess);
			sess = NULL;
		}
	cr_assert_not_null(sess, "no ticket came before a request (%d)", err);
	tlsc_close(&k);
	SSL_SESSION_free(tls_resume(ctx, t->port, sess));
	SSL_SESSION_free(sess);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/* Two requests in two TLS records, held back by TCP_CORK so that they
 * leave in one packet. */
static void
tls_send_corked(struct tlsc *k, const char *req1, const char *req2)
{
	int	on = 1, off = 0;

	cr_assert_eq(setsockopt(k->conn.fd, IPPROTO_TCP, TCP_CORK, &on,
	    sizeof(on)), 0);
	cr_assert_eq(tlsc_send(k, req1), 0);
	cr_assert_eq(tlsc_send(k, req2), 0);
	cr_assert_eq(setsockopt(k->conn.fd, IPPROTO_TCP, TCP_CORK, &off,
	    sizeof(off)), 0);
}

/*
 * Two requests in two TLS records that reach the worker in one packet:
 * the socket is drained by one read, but OpenSSL returns a record at a
 * time, so the worker must not wait for epoll before the second (which
 * would never come: edge-triggered, nothing new arrives).
 */
Test(tls, pipelined_records_in_one_packet, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tls_setup(&c, NULL);
	struct tine_resp	 r;
	struct tlsc		 k;
	SSL_CTX			*ctx;
	int			 i;

	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	tls_open(&k, ctx, t->port, "a.test", NULL);
	tls_send_corked(&k, TLS_GET("/", ""), TLS_GET("/", ""));
	for (i = 0; i < 2; i++) {
		cr_assert_eq(tlsc_read(&k, 0, &r), 0, "no response %d", i + 1);
		cr_expect_eq(r.status, 200);
		tine_resp_free(&r);
	}
	tlsc_close(&k);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/*
 * A request that arrives while the worker is blocked writing an earlier
 * response, with another one still buffered in OpenSSL: the event that
 * told of it came while the worker could not read, so the worker must
 * still read the socket once the buffered request is answered, not take
 * the earlier short read as the last word.
 */
Test(tls, request_during_a_blocked_response, .fini = tine_teardown,
    .timeout = 90)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	struct tine_resp	 r;
	struct tlsc		 k;
	struct pollfd		 pfd = { .events = POLLIN };
	SSL_CTX			*ctx;
	unsigned char		*big;
	int			 i;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	/* Far more than the socket buffers hold: the worker blocks. */
	big = tls_big_file(t, "big.bin", 32 << 20);
	tls_start(t, &c, 0, NULL);
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	tls_open(&k, ctx, t->port, "a.test", NULL);
	pfd.fd = k.conn.fd;
	tls_send_corked(&k, TLS_GET("/big.bin", ""), TLS_GET("/", ""));
	/* The first response has begun: both requests were read. */
	cr_assert_eq(poll(&pfd, 1, TINE_TIMEOUT_MS), 1, "no response");
	cr_assert_eq(tlsc_send(&k, TLS_GET("/", "")), 0);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(tlsc_read(&k, 0, &r), 0, "no response %d", i + 1);
		cr_expect_eq(r.status, 200);
		if (i == 0)
			cr_expect(r.bodylen == 32 << 20 &&
			    memcmp(r.body, big, r.bodylen) == 0,
			    "the file's bytes differ");
		tine_resp_free(&r);
	}
	tlsc_close(&k);
	free(big);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/* After the response on k, the connection's end: close_notify, not a bare
 * close (which a client may not tell from a truncation). */
static void
tls_expect_close_notify(struct tlsc *k, const char *what)
{
	long long	 deadline = tine_now_ms() + TINE_TIMEOUT_MS;
	int		 err;

	while ((err = tls_take(k, deadline, what)) == SSL_ERROR_WANT_READ)
		;
	cr_expect_eq(err, SSL_ERROR_ZERO_RETURN, "%s: no close_notify (%d)",
	    what, err);
}

/*
 * A response that ends the connection ends with close_notify, whether it
 * went in one record with it (a small body, a head alone) or was a file
 * sent in batches, and its bytes are all there before it.
 */
Test(tls, close_notify_after_the_last_response, .fini = tine_teardown,
    .timeout = 60)
{
	static const char	*reqs[] = {
		TLS_GET("/", "Connection: close\r\n"),
		"HEAD / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n",
		TLS_GET("/big.bin", "Connection: close\r\n"),
		"GET / HTTP/1.0\r\nHost: a.test\r\n\r\n",
	};
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	struct tine_resp	 r;
	struct tlsc		 k;
	SSL_CTX			*ctx;
	unsigned char		*big;
	size_t			 i;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	big = tls_big_file(t, "big.bin", 300000);
	tls_start(t, &c, 0, NULL);
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		tls_open(&k, ctx, t->port, "a.test", NULL);
		cr_assert_eq(tlsc_send(&k, reqs[i]), 0);
		cr_assert_eq(tlsc_read(&k, i == 1, &r), 0, "no response %zu",
		    i);
		cr_expect_eq(r.status, 200, "request %zu", i);
		if (i == 2)
			cr_expect(r.bodylen == 300000 &&
			    memcmp(r.body, big, 300000) == 0,
			    "the file's bytes differ");
		tine_resp_free(&r);
		tls_expect_close_notify(&k, reqs[i]);
		tlsc_close(&k);
	}
	free(big);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/* The name of the key a session's ticket is sealed with into name. */
static void
tls_ticket_name(SSL_SESSION *sess, unsigned char name[16])
{
	const unsigned char	*tick;
	size_t			 len;

	SSL_SESSION_get0_ticket(sess, &tick, &len);
	cr_assert_geq(len, 16, "no ticket");
	memcpy(name, tick, 16);
}

/* The master rotates the ticket keys every half tls_session_timeout: a
 * session sealed before a rotation still resumes, and tickets issued
 * after it are sealed with the new key. */
Test(tls, ticket_keys_rotate, .fini = tine_teardown, .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tls_setup(&c, "tls_session_timeout = 4");
	struct tlsc		 k;
	SSL_SESSION		*s1, *s2;
	SSL_CTX			*ctx;
	unsigned char		 n1[16], n2[16];

	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	tls_open(&k, ctx, t->port, "a.test", NULL);
	tls_get(&k);
	cr_assert_not_null(s1 = SSL_get1_session(k.ssl));
	tlsc_close(&k);
	cr_assert_eq(tine_wait_log(t, "TLS: new session ticket key", 1,
	    TINE_TIMEOUT_MS), 0, "no rotation after 2 s");
	tls_open(&k, ctx, t->port, "a.test", s1);
	cr_expect(SSL_session_reused(k.ssl), "the previous key lost");
	tls_get(&k);
	cr_assert_not_null(s2 = SSL_get1_session(k.ssl));
	tlsc_close(&k);
	tls_ticket_name(s1, n1);
	tls_ticket_name(s2, n2);
	cr_expect(memcmp(n1, n2, 16) != 0, "a new ticket under the old key");
	SSL_SESSION_free(s1);
	SSL_SESSION_free(s2);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/* Plain HTTP sent to the TLS port gets a 400 it can read, then the
 * connection closes (as nginx answers); a TLS hello sent to a plain port
 * is closed without a byte; a TLS connection that does not finish its
 * handshake within header_timeout is closed. */
Test(tls, wrong_protocol_and_stalled_handshake, .fini = tine_teardown,
    .timeout = 60)
{
	static const char	 hello[] = "\x16\x03\x01\x00\x40\x01";
	static const char	 plain_get[] = "GET / HTTP/1.1\r\n"
	    "Host: a.test\r\n\r\n";
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	struct tine_raw		 raw;
	int			 plain = tine_free_port();
	long long		 t0;

	cr_assert_not_null(t);
	cr_assert_neq(plain, -1);
	tls_certs(t, &c);
	tls_start(t, &c, plain, "header_timeout = 1");
	cr_assert_eq(tine_exchange(AF_INET, t->port, plain_get,
	    sizeof(plain_get) - 1, 3000, &raw), 0);
	cr_expect(strncmp(raw.data, "HTTP/1.1 400 ", 13) == 0, "%s", raw.data);
	cr_expect_not_null(strstr(raw.data, "Connection: close\r\n"));
	cr_expect(raw.closed);
	tine_raw_free(&raw);
	cr_expect_eq(tine_wait_file(t->access_log, "\"GET / HTTP/1.1\" 400 ",
	    1, TINE_TIMEOUT_MS), 0);
	cr_assert_eq(tine_exchange(AF_INET, plain, hello, sizeof(hello) - 1,
	    3000, &raw), 0);
	cr_expect_eq(raw.len, 0, "answered a TLS hello: %s", raw.data);
	cr_expect(raw.closed);
	tine_raw_free(&raw);
	cr_expect_eq(tine_wait_log(t, "a TLS handshake from 127.0.0.1 on plain "
	    "HTTP port", 1, TINE_TIMEOUT_MS), 0);
	/* Half a ClientHello, then nothing: header_timeout (1 s) ends it. */
	t0 = tine_now_ms();
	cr_assert_eq(tine_exchange(AF_INET, t->port, hello, sizeof(hello) - 1,
	    5000, &raw), 0);
	cr_expect(raw.closed, "a stalled handshake was kept open");
	cr_expect_lt(tine_now_ms() - t0, 4000);
	tine_raw_free(&raw);
	tine_stop(t);
}

/* Whether t's access log has the TLS 1.2 request; for tine_wait_until. */
static int
tls_logged_12(void *arg)
{
	struct tine	*t = arg;

	return tine_count(t->access_log, "TLSv1.2 200 /\n") > 0;
}

/*
 * Clients other than the test's own: curl (HTTP/1.1 over TLS 1.3, a 1 MiB
 * file byte-exact, a range, two URLs on one kept connection) and Python's
 * ssl module (TLS 1.2 forced, the certificate checked against the test
 * CA for the name a.test). Both are in autogen.sh --deps.
 */
Test(tls, curl_and_python_clients, .fini = tine_teardown, .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	char			 out[TINE_PATH_MAX], path[TINE_PATH_MAX];
	unsigned char		*big, *got;
	size_t			 len;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	big = tls_big_file(t, "big.bin", TLS_BIG);
	tls_start(t, &c, 0, "access_log_format = \"%{ssl_protocol}x %>s %U\"");
	tine_path(out, t->dir, "curl.out");
	cr_assert_eq(tlsc_sh("curl -sf --tlsv1.3 --http1.1 --cacert %s "
	    "--resolve a.test:%d:127.0.0.1 -o %s https://a.test:%d/big.bin",
	    c.ca, t->port, out, t->port), 0, "curl could not fetch big.bin");
	cr_assert_not_null(got = (unsigned char *)tine_slurp(out, &len));
	cr_expect(len == TLS_BIG && memcmp(got, big, len) == 0,
	    "curl got %zu bytes, not big.bin", len);
	free(got);
	cr_expect_eq(tlsc_sh("test \"$(curl -sf --cacert %s -r 10-19 "
	    "--resolve a.test:%d:127.0.0.1 https://a.test:%d/big.bin | "
	    "od -An -tx1 | tr -d ' \\n')\" = \"$(dd if=%s bs=1 skip=10 "
	    "count=10 2>/dev/null | od -An -tx1 | tr -d ' \\n')\"", c.ca,
	    t->port, t->port, tine_path(path, t->docroot, "big.bin")), 0,
	    "curl's range is not bytes 10-19");
	cr_expect_eq(tlsc_sh("curl -sf --cacert %s --resolve "
	    "a.test:%d:127.0.0.1 https://a.test:%d/ https://a.test:%d/ "
	    "-o /dev/null -o /dev/null -w '%%{num_connects}\\n' | "
	    "tr -d '\\n' | grep -qx 10", c.ca, t->port, t->port, t->port), 0,
	    "curl did not keep its connection for the second URL");
	cr_expect_eq(tlsc_sh("python3 -c 'import ssl, socket, sys\n"
	    "x = ssl.create_default_context(cafile=sys.argv[1])\n"
	    "x.maximum_version = ssl.TLSVersion.TLSv1_2\n"
	    "s = x.wrap_socket(socket.create_connection((\"127.0.0.1\", "
	    "int(sys.argv[2]))), server_hostname=\"a.test\")\n"
	    "s.sendall(b\"GET / HTTP/1.1\\r\\nHost: a.test\\r\\n"
	    "Connection: close\\r\\n\\r\\n\")\n"
	    "r = b\"\"\n"
	    "while True:\n"
	    "    d = s.recv(65536)\n"
	    "    if not d: break\n"
	    "    r += d\n"
	    "sys.exit(0 if r.startswith(b\"HTTP/1.1 200 \") and "
	    "s.version() == \"TLSv1.2\" else 1)' %s %d", c.ca, t->port), 0,
	    "Python's ssl client did not get a 200 over TLS 1.2");
	/* The log line follows the answer: wait for the last one. */
	cr_expect_eq(tine_wait_until(tls_logged_12, t, TINE_TIMEOUT_MS), 0);
	/* Another worker's lines may follow it by up to 100 ms. */
	cr_expect_eq(tine_wait_file(t->access_log, "TLSv1.3 200 /big.bin", 1,
	    TINE_TIMEOUT_MS), 0);
	cr_expect_eq(tine_wait_file(t->access_log, "TLSv1.3 206 /big.bin", 1,
	    TINE_TIMEOUT_MS), 0);
	free(big);
	tine_stop(t);
}

/* A page whose script fetches /big.bin whole and bytes 10-19 of it (with
 * synchronous XHRs, so they end before the DOM is dumped) and writes each
 * status, length and FNV-1a hash of the bytes into the page. */
#define TLS_PAGE "<!DOCTYPE html><title>tls</title><p id=r><script>\n" \
	"function get(range) {\n" \
	" var x = new XMLHttpRequest();\n" \
	" x.open('GET', '/big.bin', false);\n" \
	" x.overrideMimeType('text/plain; charset=x-user-defined');\n" \
	" if (range) x.setRequestHeader('Range', range);\n" \
	" x.send();\n" \
	" var h = 0x811c9dc5, s = x.responseText;\n" \
	" for (var i = 0; i < s.length; i++)\n" \
	"  h = Math.imul(h ^ (s.charCodeAt(i) & 0xff), 0x01000193) >>> 0;\n" \
	" return x.status + ' ' + s.length + ' ' + h.toString(16);\n" \
	"}\n" \
	"document.getElementById('r').textContent = 'whole ' + get(null) +\n" \
	" ', range ' + get('bytes=10-19') + ' .';\n" \
	"</script>\n"

/* The FNV-1a hash of n bytes, as the page's script computes it. */
static uint32_t
tls_fnv(const unsigned char *b, size_t n)
{
	uint32_t	h = 0x811c9dc5u;
	size_t		i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x01000193u;
	return h;
}

/* The browser (CHROMIUM, default chromium), or NULL after skipping or
 * failing the test as test_hugo does when it is missing. */
static const char *
tls_browser(void)
{
	const char	*b = getenv("CHROMIUM");
	const char	*skip = getenv("TINE_SKIP_BROWSER");

	if (b == NULL || *b == '\0')
		b = "chromium";
	if (tlsc_sh("command -v '%s'", b) == 0)
		return b;
	if (skip != NULL && *skip != '\0')
		cr_skip_test("no chromium (TINE_SKIP_BROWSER is set)");
	else
		cr_assert_fail("no chromium: run ./autogen.sh --deps, or set "
		    "TINE_SKIP_BROWSER=1 to skip this test");
	return NULL;
}

/* Load https://a.test:PORT/tls.html in headless Chromium, which trusts
 * a.test's key by its SPKI hash (the practical way to give a headless
 * browser a CA), and dump its DOM into dom. */
static void
tls_chromium(struct tine *t, const struct tls_certs *c, const char *browser,
    const char *dom)
{
	char	spki[TINE_PATH_MAX], *hash;

	tine_path(spki, t->dir, "spki");
	cr_assert_eq(tlsc_sh("openssl x509 -in %s/a.crt -pubkey -noout | "
	    "openssl pkey -pubin -outform der | openssl dgst -sha256 -binary "
	    "| openssl base64 -A >%s", c->dir, spki), 0);
	cr_assert_not_null(hash = tine_slurp(spki, NULL));
	cr_assert_eq(tlsc_sh("HOME=%s timeout 50 %s --headless --no-sandbox "
	    "--disable-gpu --disable-dev-shm-usage --no-first-run "
	    "--no-default-browser-check --disable-extensions --disable-sync "
	    "--disable-background-networking --disable-component-update "
	    "--no-proxy-server --user-data-dir=%s/chrome "
	    "--ignore-certificate-errors-spki-list=%s "
	    "--host-resolver-rules='MAP a.test 127.0.0.1' "
	    "--explicitly-allowed-ports=%d --dump-dom "
	    "https://a.test:%d/tls.html >%s 2>%s.err", t->dir, browser, t->dir,
	    hash, t->port, t->port, dom, dom), 0,
	    "%s failed: see %s.err", browser, dom);
	free(hash);
}

/*
 * wget (with the test CA: a page, a 1 MiB file byte-exact, and the rest of
 * a half-fetched copy with -c, a range) and headless Chromium (a page
 * whose script fetches the 1 MiB file and a range over the same TLS
 * listener, the hashes compared with the file's). Both are in
 * autogen.sh --deps.
 */
Test(tls, wget_and_chromium_clients, .fini = tine_teardown, .timeout = 90)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	char			 out[TINE_PATH_MAX], want[128], *text;
	const char		*browser;
	unsigned char		*big;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	big = tls_big_file(t, "big.bin", TLS_BIG);
	cr_assert_eq(tine_put(t, "tls.html", TLS_PAGE), 0);
	tls_start(t, &c, 0, "access_log_format = \"%{ssl_protocol}x %>s %U\"");
	tine_path(out, t->dir, "wget.out");
	cr_expect_eq(tlsc_sh("wget -q --ca-certificate=%s -O - "
	    "https://127.0.0.1:%d/ | grep -q .", c.ca, t->port), 0,
	    "wget could not fetch the index page");
	cr_expect_eq(tlsc_sh("wget -q --ca-certificate=%s -O %s "
	    "https://127.0.0.1:%d/big.bin && cmp %s %s/big.bin", c.ca, out,
	    t->port, out, t->docroot), 0, "wget's big.bin is not big.bin");
	/* -c asks for the rest with Range: bytes=1000-. */
	cr_expect_eq(tlsc_sh("cd %s && head -c 1000 www/big.bin >big.bin && "
	    "wget -q -c --ca-certificate=%s https://127.0.0.1:%d/big.bin && "
	    "cmp big.bin www/big.bin", t->dir, c.ca, t->port), 0,
	    "wget -c did not complete big.bin byte-exact");
	cr_expect_eq(tls_wait_access(t, "TLSv1.3 206 /big.bin"), 0,
	    "wget -c's range not logged");
	if ((browser = tls_browser()) != NULL) {
		tine_path(out, t->dir, "dom.html");
		tls_chromium(t, &c, browser, out);
		cr_assert_not_null(text = tine_slurp(out, NULL));
		snprintf(want, sizeof(want),
		    "whole 200 %d %x, range 206 10 %x .", TLS_BIG,
		    tls_fnv(big, TLS_BIG), tls_fnv(big + 10, 10));
		cr_expect_not_null(strstr(text, want), "not \"%s\" in:\n%s",
		    want, text);
		free(text);
	}
	free(big);
	tine_stop(t);
}

/* One plain request on port; its response (status and Location) in raw. */
static void
tls_plain(int port, const char *req, int status, const char *location)
{
	struct tine_raw	 raw;
	char		 want[512];

	cr_assert_eq(tine_exchange(AF_INET, port, req, strlen(req), 3000,
	    &raw), 0);
	snprintf(want, sizeof(want), "HTTP/1.1 %d ", status);
	cr_expect(strncmp(raw.data, want, strlen(want)) == 0, "%s: %.40s",
	    req, raw.data);
	if (location != NULL) {
		snprintf(want, sizeof(want), "\r\nLocation: %s\r\n", location);
		cr_expect_not_null(strstr(raw.data, want), "%s: want %s in %s",
		    req, want, raw.data);
	} else
		cr_expect_null(strstr(raw.data, "\r\nLocation:"), "%s: %s",
		    req, raw.data);
	tine_raw_free(&raw);
}

/*
 * https_redirect: plain HTTP goes to https on the same host with path and
 * query, TLS is served (no loop), a location can turn it off (ACME), a
 * Host that is not a plain name is not echoed, and a site without a name
 * to go to answers 400.
 */
Test(tls, https_redirect_for_plain_http, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	struct tine_resp	 r;
	SSL_CTX			*ctx;
	int			 plain = tine_free_port();

	cr_assert_not_null(t);
	cr_assert_neq(plain, -1);
	tls_certs(t, &c);
	cr_assert_eq(tine_put(t, ".well-known/acme-challenge/tok", "tok\n"), 0);
	tls_start(t, &c, plain, "https_redirect = 308\n"
	    "vhost \"a.test\" { aliases = {\"www.a.test\"}\n"
	    "  https_redirect = 301\n"
	    "  location \"/.well-known/acme-challenge/\" {"
	    " https_redirect = off } }\n");
	tls_plain(plain, "GET /x/y?q=1 HTTP/1.1\r\nConnection: close\r\nHost: a.test\r\n\r\n",
	    301, "https://a.test/x/y?q=1");
	tls_plain(plain, "GET / HTTP/1.1\r\nConnection: close\r\nHost: WWW.A.Test.:80\r\n\r\n",
	    301, "https://www.a.test/");
	tls_plain(plain, "GET /x/%2e%2e/a/./b HTTP/1.1\r\nConnection: close\r\nHost: a.test\r\n\r\n",
	    301, "https://a.test/a/b");
	tls_plain(plain, "GET /.well-known/acme-challenge/tok HTTP/1.1\r\n"
	    "Host: a.test\r\nConnection: close\r\n\r\n", 200, NULL);
	/* The top level: any plain name is kept; one with escapes or
	 * sub-delims is not echoed, and the top level has no name: 400. */
	tls_plain(plain, "GET /p HTTP/1.1\r\nConnection: close\r\nHost: other.test\r\n\r\n", 308,
	    "https://other.test/p");
	tls_plain(plain, "GET /p HTTP/1.1\r\nConnection: close\r\nHost: ev%69l.test\r\n\r\n", 400,
	    NULL);
	tls_plain(plain, "GET /p HTTP/1.1\r\nConnection: close\r\nHost: a!b.test\r\n\r\n", 400,
	    NULL);
	tls_plain(plain, "GET /p HTTP/1.0\r\n\r\n", 400, NULL);
	tls_plain(plain, "GET /p HTTP/1.1\r\nConnection: close\r\nHost: [::1]:8080\r\n\r\n", 308,
	    "https://[::1]/p");
	/* Over TLS the site is served: no loop. */
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	tls_ask(ctx, t->port, "a.test", "GET /index.html HTTP/1.1\r\n"
	    "Host: a.test\r\nConnection: close\r\n\r\n", &r);
	cr_expect_eq(r.status, 200);
	tine_resp_free(&r);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/* tls_certificate and tls_key of the top level into conf (with the port). */
static void
tls_conf_cert(struct tine *t, const struct tls_certs *c, const char *cert,
    const char *key)
{
	char	conf[TLS_CONF_MAX];

	snprintf(conf, sizeof(conf), "listen = {\"127.0.0.1:%d tls\"}\n"
	    "tls_certificate = \"%s/%s\"\ntls_key = \"%s/%s\"\n", t->port,
	    c->dir, cert, c->dir, key);
	cr_assert_eq(tine_config(t, conf), 0);
}

/* Whether a handshake now gets the certificate named arg's want. */
struct tls_seen {
	struct tine	*t;
	SSL_CTX		*ctx;
	const char	*want;
	int		 asked;
	int		 failed;
};

/* One request on a new connection: count a failure, and whether its
 * certificate is the one wanted. */
static int
tls_sees(void *arg)
{
	struct tls_seen		*s = arg;
	struct tine_resp	 r;
	struct tlsc		 k;
	char			 why[TLS_WHY], name[256] = "";
	int			 ok;

	s->asked++;
	if (tlsc_open(&k, s->ctx, s->t->port, "a.test", NULL, why,
	    sizeof(why)) == -1 || tlsc_send(&k, TLS_GET("/",
	    "Connection: close\r\n")) == -1 || tlsc_read(&k, 0, &r) == -1) {
		s->failed++;
		tlsc_close(&k);
		return 0;
	}
	ok = r.status == 200;
	s->failed += !ok;
	tlsc_name(&k, name, sizeof(name));
	tine_resp_free(&r);
	tlsc_close(&k);
	return ok && strcmp(name, s->want) == 0;
}

/*
 * SIGHUP with a new certificate: new connections see it once the new
 * generation serves, and no request fails meanwhile (a request per try,
 * bounded by the wait); a session from the old generation still resumes
 * (the ticket keys carry over). A broken certificate is refused: the
 * reload fails, saying why, and the old generation keeps serving.
 */
Test(tls, reload_changes_the_certificate, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tls_setup(&c, NULL);
	struct tls_seen		 s = { t, NULL, "b.test", 0, 0 };
	struct tlsc		 k;
	SSL_SESSION		*sess;

	cr_assert_not_null(s.ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	tls_open(&k, s.ctx, t->port, "a.test", NULL);
	tls_get(&k);
	cr_assert_not_null(sess = SSL_get1_session(k.ssl));
	tlsc_close(&k);
	tls_conf_cert(t, &c, "b.pem", "b.key");
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_expect_eq(tine_wait_until(tls_sees, &s, TINE_TIMEOUT_MS), 0,
	    "b.test's certificate not seen after %d requests", s.asked);
	cr_expect_eq(s.failed, 0, "%d of %d requests failed during the reload",
	    s.failed, s.asked);
	tls_open(&k, s.ctx, t->port, "a.test", sess);
	cr_expect(SSL_session_reused(k.ssl), "the reload lost the sessions");
	tlsc_close(&k);
	/* a's key with b's certificate: refused, b keeps being served. */
	tls_conf_cert(t, &c, "b.pem", "a.key");
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_expect_eq(tine_wait_log(t, "reload failed: ", 1, TINE_TIMEOUT_MS),
	    0);
	cr_expect_eq(tine_count(t->error_log, "tls_key: "), 1);
	cr_expect_eq(tine_count(t->error_log, "is not the key of the "
	    "certificate in"), 1);
	s.asked = s.failed = 0;
	cr_expect(tls_sees(&s), "the old generation stopped serving b.test");
	SSL_SESSION_free(sess);
	SSL_CTX_free(s.ctx);
	tine_stop(t);
}

/* src with each "D/" standing for the certificates' directory, into dst. */
static char *
tls_subst(char *dst, size_t len, const char *src, const char *dir)
{
	size_t	n = 0;

	for (; *src != '\0' && n < len - 1; src++)
		if (src[0] == 'D' && src[1] == '/')
			n += strlcpy(dst + n, dir, len - n);
		else
			dst[n++] = *src;
	dst[n < len ? n : len - 1] = '\0';
	return dst;
}

/* tine -t checks what the master will load, naming the file and line of
 * the value at fault ("D/" is the certificates' directory). */
Test(tls, config_errors_name_the_line, .fini = tine_teardown, .timeout = 60)
{
	static const struct { const char *conf, *at, *want; } cases[] = {
		{ "workers = 1", "listen =", "listen: 127.0.0.1:" },
		{ "tls_certificate = \"D/none.pem\"\ntls_key = \"D/a.key\"",
		  "tls_certificate =", "tls_certificate: cannot read "
		  "D/none.pem: No such file" },
		{ "tls_certificate = \"D/a.pem\"\ntls_key = \"D/b.key\"",
		  "tls_key =", "tls_key: D/b.key is not the key of the "
		  "certificate in D/a.pem" },
		{ "tls_certificate = \"D/a.pem\"", "tls_certificate =",
		  "tls_certificate: needs tls_key" },
		{ "tls_certificate = \"D/a.ext\"\ntls_key = \"D/a.key\"",
		  "tls_certificate =", "tls_certificate: D/a.ext is not a PEM "
		  "certificate chain" },
		{ "tls_certificate = \"D/a.pem\"\ntls_key = \"D/a.pem\"",
		  "tls_key =", "tls_key: D/a.pem is not a PEM private key" },
		{ "tls_certificate = \"D/a.pem\"\ntls_key = \"D/a.key\"\n"
		  "tls_ciphers = \"NOTHING-LIKE-THIS\"", "tls_ciphers =",
		  "tls_ciphers: OpenSSL knows none of these ciphers" },
		{ "vhost \"b.test\" {\n tls_certificate = \"D/b.pem\"\n"
		  " tls_key = \"D/a.key\" }", " tls_key =", "vhost \"b.test\" "
		  "tls_key: D/a.key is not the key of the certificate" },
		{ "tls_certificate = \"D/a.pem\"\ntls_key = \"D/a.key\"\n"
		  "location \"/x/\" {\n tls_key = \"D/a.key\" }", " tls_key =",
		  "tls_key: no such option" },
	};
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	char			 conf[TLS_CONF_MAX], want[TLS_CONF_MAX];
	char			 text[TLS_CONF_MAX], *err;
	size_t			 i;
	int			 status;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(conf, sizeof(conf), "listen = {\"127.0.0.1:%d tls\"}\n"
		    "%s\n", t->port, tls_subst(text, sizeof(text),
		    cases[i].conf, c.dir));
		cr_assert_eq(tine_config(t, conf), 0);
		snprintf(want, sizeof(want), "tine.conf:%d: %s",
		    tine_line_of(t->conf, cases[i].at), tls_subst(text, sizeof(text),
		    cases[i].want, c.dir));
		err = tine_check(t, &status);
		cr_expect_eq(status, 1, "case %zu accepted", i);
		cr_expect_not_null(strstr(err, want), "case %zu: want \"%s\" in "
		    "%s", i, want, err);
		free(err);
	}
	/* A key readable only by root is fine: the master loads it. */
	snprintf(conf, sizeof(conf), "listen = {\"127.0.0.1:%d tls\"}\n"
	    "tls_certificate = \"%s/a.pem\"\ntls_key = \"%s/a.key\"",
	    t->port, c.dir, c.dir);
	cr_assert_eq(tine_config(t, conf), 0);
	err = tine_check(t, &status);
	cr_expect_eq(status, 0, "%s", err);
	free(err);
	tine_stop(t);
}

/* Without a tls listener the master loads no certificate (OpenSSL would
 * cost memory for nothing): one that would not load does not stop it,
 * while tine -t still names it. */
Test(tls, no_tls_listener_loads_nothing, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	struct tine_resp	 r;
	char			 conf[TLS_CONF_MAX], *err;
	int			 status;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	snprintf(conf, sizeof(conf), "listen = {\"127.0.0.1:%d\"}\n"
	    "document_root = \"%s\"\n"
	    "tls_certificate = \"%s/a.pem\"\ntls_key = \"%s/b.key\"\n",
	    t->port, t->docroot, c.dir, c.dir);
	cr_assert_eq(tine_config(t, conf), 0);
	err = tine_check(t, &status);
	cr_expect_eq(status, 1, "tine -t took a key of another certificate");
	cr_expect_not_null(strstr(err, "is not the key of the certificate"),
	    "%s", err);
	free(err);
	cr_assert_eq(tine_start(t), 0, "tine did not start: see %s",
	    t->error_log);
	cr_expect_eq(tine_wait_log(t, "no listener speaks TLS: the "
	    "certificates are not loaded", 1, TINE_TIMEOUT_MS), 0);
	cr_assert_eq(tine_get(t, "/", &r), 0);
	cr_expect_eq(r.status, 200);
	tine_resp_free(&r);
	/* Nor the TLS module, nor OpenSSL with it. */
	cr_expect_eq(tine_tree_maps(t->pid, "/tls.so"), 0);
	cr_expect_eq(tine_tree_maps(t->pid, "libcrypto"), 0);
	tine_stop(t);
}

/* With a TLS listener the master loads the module, and the workers it
 * forks have it (and OpenSSL) without loading it again. */
Test(tls, module_loaded_for_a_tls_listener, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tls_setup(&c, NULL);
	pid_t			 kids[TINE_MAX_WORKERS];
	int			 n, i;

	cr_expect_eq(tine_maps(t->pid, "/tls.so"), 1);
	cr_expect_eq(tine_maps(t->pid, "libssl"), 1);
	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	cr_assert_gt(n, 0);
	for (i = 0; i < n; i++)
		cr_expect_eq(tine_maps(kids[i], "/tls.so"), 1, "worker %d",
		    (int)kids[i]);
	tine_stop(t);
}

/* Where tls_sees_on() tries a TLS request. */
struct tls_port {
	SSL_CTX	*ctx;
	int	 port;
};

/* Whether a GET / over TLS on the port succeeds. */
static int
tls_sees_on(void *arg)
{
	struct tls_port		*p = arg;
	struct tine_resp	 r;
	struct tlsc		 k;
	char			 why[TLS_WHY];
	int			 ok = 0;

	if (tlsc_open(&k, p->ctx, p->port, "a.test", NULL, why,
	    sizeof(why)) == 0 && tlsc_send(&k, TLS_GET("/",
	    "Connection: close\r\n")) == 0 && tlsc_read(&k, 0, &r) == 0) {
		ok = r.status == 200;
		tine_resp_free(&r);
	}
	tlsc_close(&k);
	return ok;
}

/* Reload t (plain HTTP on its port) with a TLS listener added on
 * p->port, certificate a.test, and wait until it speaks TLS; p->ctx is
 * the client's, for the caller to free. */
static void
tls_reload_adding_tls(struct tine *t, const struct tls_certs *c,
    struct tls_port *p)
{
	char	conf[TLS_CONF_MAX];

	snprintf(conf, sizeof(conf), "listen = {\"127.0.0.1:%d\", "
	    "\"127.0.0.1:%d tls\"}\ndocument_root = \"%s\"\n"
	    "tls_certificate = \"%s/a.pem\"\ntls_key = \"%s/a.key\"\n",
	    t->port, p->port, t->docroot, c->dir, c->dir);
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_not_null(p->ctx = tlsc_ctx(c->ca, 0, 0, NULL));
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_expect_eq(tine_wait_until(tls_sees_on, p, TINE_TIMEOUT_MS), 0,
	    "no TLS on port %d after the reload", p->port);
}

/* A reload that adds the first TLS listener loads the module then: the
 * plain server mapped none of it, the new generation serves TLS. */
Test(tls, reload_adds_the_first_tls_listener, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	struct tls_port		 p;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	cr_assert((p.port = tine_free_port()) > 0 && p.port != t->port);
	cr_assert_eq(tine_start(t), 0);
	cr_expect_eq(tine_tree_maps(t->pid, "/tls.so"), 0);
	cr_expect_eq(tine_tree_maps(t->pid, "libssl"), 0);
	tls_reload_adding_tls(t, &c, &p);
	cr_expect_eq(tine_maps(t->pid, "/tls.so"), 1);
	SSL_CTX_free(p.ctx);
	tine_stop(t);
}

/* Where a copy of the binary under test looks for its module: beside
 * itself, then TINE_MODULE_REL from its directory (where make install
 * puts it), both as the kernel resolves them. */
struct tls_moved {
	char	bin[TINE_PATH_MAX];
	char	beside[TINE_PATH_MAX];
	char	installed[TINE_PATH_MAX];
};

/* Copy the binary under test into t->dir/b/s..., one s for each "../" of
 * TINE_MODULE_REL so that the module's place is in t->dir too, with no
 * module beside it nor there (its directory made); t runs the copy. */
static void
tls_moved(struct tine *t, struct tls_moved *m)
{
	const char	*r = TINE_MODULE_REL;
	char		 dir[TINE_PATH_MAX], inst[TINE_PATH_MAX], real[PATH_MAX];
	size_t		 n;

	if (*r == '\0')
		cr_skip("this build looks for its module at " TINE_MODULE_DIR
		    " only (no path from sbindir to it)");
	tine_path(dir, t->dir, "b");
	for (; strncmp(r, "../", 3) == 0; r += 3)
		strlcat(dir, "/s", sizeof(dir));
	tine_path(m->bin, dir, "tine");
	tine_path(inst, dir, TINE_MODULE_REL);
	n = strlen(inst) - strlen("/tls.so");
	cr_assert_eq(tlsc_sh("mkdir -p %s %.*s && cp %s %s", dir, (int)n, inst,
	    t->bin, m->bin), 0);
	inst[n] = '\0';
	cr_assert_not_null(realpath(inst, real));
	tine_path(m->installed, real, "tls.so");
	cr_assert_not_null(realpath(dir, real));
	tine_path(m->beside, real, "tls.so");
	strlcpy(t->bin, m->bin, sizeof(t->bin));
}

/* What `tine -v` of t's binary says about its module; the caller frees. */
static char *
tls_module_says(struct tine *t)
{
	const char	*args[] = { "-v", NULL };
	char		*out;

	cr_assert_eq(tine_run(t, args, TINE_TIMEOUT_MS), 0);
	cr_assert_not_null(out = tine_slurp(t->out, NULL));
	return out;
}

/* Put the module of this build at path. */
static void
tls_module_copy(const char *path)
{
	const char	*bin = getenv("TINE_BIN");

	cr_assert_eq(tlsc_sh("cp %.*s/tls.so %s", (int)(strrchr(bin, '/') -
	    bin), bin, path), 0);
}

/* A module that is not there is a config error naming the certificate's
 * line and the path tried (where make install would put it, seen from
 * the binary), as tine -t says it, as a start fails and as tine -v says. */
Test(tls, missing_module_names_the_line, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tls_moved	 m;
	struct tine		*t = tine_setup(NULL);
	const char		*args[] = { "-f", "-c", NULL, NULL };
	char			 want[TLS_CONF_MAX], *err;
	int			 status;

	cr_assert_not_null(t);
	tls_moved(t, &m);
	tls_certs(t, &c);
	tls_conf_cert(t, &c, "a.pem", "a.key");
	snprintf(want, sizeof(want), "tine.conf:%d: tls_certificate: cannot "
	    "load the TLS module %s: ", tine_line_of(t->conf,
	    "tls_certificate ="), m.installed);
	err = tine_check(t, &status);
	cr_expect_eq(status, 1, "tine -t took a missing module");
	cr_expect_not_null(strstr(err, want), "want \"%s\" in %s", want, err);
	free(err);
	args[2] = t->conf;
	cr_expect_eq(tine_run(t, args, TINE_TIMEOUT_MS), 1, "tine served "
	    "without its module");
	cr_expect_eq(tine_count(t->error_log, want), 1, "want \"%s\" in %s",
	    want, t->error_log);
	snprintf(want, sizeof(want), "TLS module %s: cannot load: ",
	    m.installed);
	err = tls_module_says(t);
	cr_expect_not_null(strstr(err, want), "want \"%s\" in %s", want, err);
	free(err);
}

/* A module of another build (its ABI string differs) is refused, saying
 * which it is and which the binary needs: its table is never called. The
 * one beside the binary is the one, even with a good one installed. */
Test(tls, module_of_another_build_refused, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tls_moved	 m;
	struct tine		*t = tine_setup(NULL);
	char			 want[TLS_CONF_MAX], *err;
	int			 status;

	cr_assert_not_null(t);
	tls_moved(t, &m);
	tls_certs(t, &c);
	tls_conf_cert(t, &c, "a.pem", "a.key");
	if (tlsc_sh("cd %s && printf 'const struct { const char *abi; } "
	    "tine_tls_module = { \"tine 0.0.1 1\" };\\n' >old.c && "
	    "${CC:-cc} -shared -fPIC -o %s old.c", t->dir, m.beside) != 0)
		cr_skip("no C compiler to build a module with");
	tls_module_copy(m.installed);
	snprintf(want, sizeof(want), "tine.conf:%d: tls_certificate: cannot "
	    "load the TLS module %s: it is \"tine 0.0.1 1\", this binary "
	    "needs \"tine %s ", tine_line_of(t->conf, "tls_certificate ="),
	    m.beside, PACKAGE_VERSION);
	err = tine_check(t, &status);
	cr_expect_eq(status, 1, "tine -t took a module of another build");
	cr_expect_not_null(strstr(err, want), "want \"%s\" in %s", want, err);
	free(err);
}

/* A binary away from its build tree (installed under DESTDIR, unpacked
 * from a package, its prefix moved) loads the module installed with it:
 * tine -v says so, and it serves TLS through it. */
Test(tls, module_found_from_the_binary, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_certs	 c;
	struct tls_moved	 m;
	struct tine		*t = tine_setup(NULL);
	struct tls_port		 p;
	char			 want[TLS_CONF_MAX], *out;

	cr_assert_not_null(t);
	tls_moved(t, &m);
	tls_module_copy(m.installed);
	snprintf(want, sizeof(want), "\nTLS module %s (OpenSSL ", m.installed);
	out = tls_module_says(t);
	cr_expect_not_null(strstr(out, want), "want \"%s\" in %s", want, out);
	free(out);
	tls_certs(t, &c);
	tls_start(t, &c, 0, NULL);
	p.port = t->port;
	cr_assert_not_null(p.ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	cr_expect(tls_sees_on(&p), "no TLS through %s", m.installed);
	cr_expect_eq(tine_maps(t->pid, m.installed), 1);
	SSL_CTX_free(p.ctx);
	tine_stop(t);
}

/* Whether tine -v of t says it loads the module at path (what NULL), or
 * refuses it because what (the file or its directory) is as why says. */
static int
tls_module_said(struct tine *t, const char *path, const char *what,
    const char *why)
{
	char	line[TLS_CONF_MAX], *out;
	int	found;

	if (what == NULL)
		snprintf(line, sizeof(line), "\nTLS module %s (OpenSSL ", path);
	else
		snprintf(line, sizeof(line), "\nTLS module %s: cannot load: "
		    "%s %s\n", path, what, why);
	out = tls_module_says(t);
	if (!(found = strstr(out, line) != NULL))
		cr_log_error("want \"%s\" in %s", line + 1, out);
	free(out);
	return found;
}

/* A module that someone other than the binary's owner could have put
 * there is refused (a tls.so dropped beside a binary in /tmp): one anyone
 * may write, or in a directory anyone may write without the sticky bit,
 * one a group that could not replace the binary may write, or another
 * user's. */
Test(tls, module_others_could_write_refused, .fini = tine_teardown,
    .timeout = 60)
{
	struct tls_moved	 m;
	struct tine		*t = tine_setup(NULL);
	char			 dir[TINE_PATH_MAX];

	cr_assert_not_null(t);
	tls_moved(t, &m);
	tls_module_copy(m.beside);
	strlcpy(dir, m.beside, strrchr(m.beside, '/') - m.beside + 1);
	cr_expect(tls_module_said(t, m.beside, NULL, NULL));
	cr_assert_eq(chmod(m.beside, 0757), 0);
	cr_expect(tls_module_said(t, m.beside, m.beside,
	    "is writable by anyone"));
	cr_assert_eq(chmod(m.beside, 0755), 0);
	cr_assert_eq(chmod(dir, 01777), 0);
	cr_expect(tls_module_said(t, m.beside, NULL, NULL), "a sticky "
	    "directory (/tmp) keeps our files ours");
	cr_assert_eq(chmod(dir, 0777), 0);
	cr_expect(tls_module_said(t, m.beside, dir, "is writable by anyone"));
	cr_assert_eq(chmod(dir, 0755), 0);
	if (geteuid() != 0)
		return;
	/* A group that could not replace the binary may not write it. */
	cr_assert_eq(chown(m.beside, 0, 65534), 0);
	cr_assert_eq(chmod(m.beside, 0775), 0);
	cr_expect(tls_module_said(t, m.beside, m.beside,
	    "is writable by group 65534"));
	cr_assert_eq(chmod(m.beside, 0755), 0);
	cr_expect(tls_module_said(t, m.beside, NULL, NULL));
	cr_assert_eq(chown(m.beside, 65534, 65534), 0);
	cr_expect(tls_module_said(t, m.beside, m.beside, "belongs to uid "
	    "65534, not to root nor to the binary's owner"));
}

/* A package upgrade replaces the binary under a running master: a reload
 * that adds the first TLS listener then still loads the module from the
 * directory it started in (its /proc/self/exe now ends in " (deleted)"). */
Test(tls, reload_loads_the_module_of_a_replaced_binary,
    .fini = tine_teardown, .timeout = 60)
{
	struct tls_certs	 c;
	struct tls_moved	 m;
	struct tine		*t = tine_setup(NULL);
	struct tls_port		 p;
	char			 conf[TLS_CONF_MAX], exe[TINE_PATH_MAX];
	ssize_t			 n;

	cr_assert_not_null(t);
	tls_moved(t, &m);
	tls_module_copy(m.beside);
	tls_certs(t, &c);
	cr_assert((p.port = tine_free_port()) > 0 && p.port != t->port);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tlsc_sh("cp %s %s.new && mv %s.new %s", m.bin, m.bin,
	    m.bin, m.bin), 0);
	snprintf(conf, sizeof(conf), "/proc/%d/exe", (int)t->pid);
	cr_assert((n = readlink(conf, exe, sizeof(exe) - 1)) > 0);
	exe[n] = '\0';
	cr_expect_not_null(strstr(exe, " (deleted)"), "%s", exe);
	tls_reload_adding_tls(t, &c, &p);
	cr_expect_eq(tine_maps(t->pid, m.beside), 1);
	SSL_CTX_free(p.ctx);
	tine_stop(t);
}

/* A binary upgrade (SIGUSR2) of a TLS server: the new master, a new
 * process image, loads the module itself and serves TLS on the sockets
 * it inherits; the old one exits once it does. */
Test(tls, upgrade_keeps_serving, .fini = tine_teardown, .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t;
	struct tls_port		 p;
	char			*text;
	pid_t			 old;
	int			 status;

	/* The new master, orphaned by the old one, becomes our child. */
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	t = tls_setup(&c, NULL);
	p.port = t->port;
	cr_assert_not_null(p.ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	cr_assert(tls_sees_on(&p));
	old = t->pid;
	cr_assert_eq(kill(t->pid, SIGUSR2), 0);
	status = tine_wait_exit(t, TINE_TIMEOUT_MS);
	cr_assert(status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "the old master %d: status 0x%x",
	    (int)old, status);
	cr_assert_not_null(text = tine_slurp(t->pid_file, NULL));
	t->pid = (pid_t)strtol(text, NULL, 10);
	free(text);
	cr_assert(t->pid > 0 && t->pid != old && tine_alive(t->pid));
	cr_expect(tls_sees_on(&p), "the new master does not serve TLS");
	cr_expect_eq(tine_maps(t->pid, "/tls.so"), 1);
	SSL_CTX_free(p.ctx);
	tine_stop(t);
}

/* An expired certificate is served as configured, with a warning at
 * start, and the client sees why it cannot trust it. */
Test(tls, expired_certificate_warned, .fini = tine_teardown, .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	struct tlsc		 k;
	SSL_CTX			*ctx;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	tls_conf_cert(t, &c, "e.pem", "e.key");
	cr_assert_eq(tine_start(t), 0);
	cr_expect_eq(tine_count(t->error_log, "[warn]"), 1);
	cr_expect_eq(tine_count(t->error_log, "tls_certificate: the "
	    "certificate in "), 1);
	cr_expect_eq(tine_count(t->error_log, "/e.pem expired on "), 1);
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	tls_open(&k, ctx, t->port, "e.test", NULL);
	cr_expect_eq(tlsc_verify(&k), X509_V_ERR_CERT_HAS_EXPIRED);
	tlsc_close(&k);
	SSL_CTX_free(ctx);
	tine_stop(t);
}

/* An OCSP response for NAME's certificate (good), made by the test CA as
 * its own responder, into dir/NAME.ocsp. */
static void
tls_ocsp(const struct tls_certs *c, const char *name)
{
	cr_assert_eq(tlsc_sh("cd %s && printf 'V\\t301231235959Z\\t\\t%%s\\t"
	    "unknown\\t/CN=%s\\n' \"$(openssl x509 -in %s.crt -serial -noout | "
	    "cut -d= -f2)\" >%s.idx && openssl ocsp -issuer ca.pem -cert "
	    "%s.crt -no_nonce -reqout %s.req && openssl ocsp -index %s.idx "
	    "-rsigner ca.pem -rkey ca.key -CA ca.pem -reqin %s.req -respout "
	    "%s.ocsp -ndays 1", c->dir, name, name, name, name, name, name, name,
	    name), 0, "openssl could not make an OCSP response");
}

/* tine -t on a config with the certificate a.test and this OCSP response
 * file (in the certificates' directory); what it says must hold want. */
static void
tls_ocsp_refused(struct tine *t, const struct tls_certs *c, const char *file,
    const char *want)
{
	char	 conf[TLS_CONF_MAX], *err;
	int	 status;

	snprintf(conf, sizeof(conf), "listen = {\"127.0.0.1:%d tls\"}\n"
	    "tls_certificate = \"%s/a.pem\"\ntls_key = \"%s/a.key\"\n"
	    "tls_ocsp_response = \"%s/%s\"", t->port, c->dir, c->dir, c->dir,
	    file);
	cr_assert_eq(tine_config(t, conf), 0);
	err = tine_check(t, &status);
	cr_expect_eq(status, 1, "%s accepted", file);
	cr_expect_not_null(strstr(err, "tls_ocsp_response: "), "%s", err);
	cr_expect_not_null(strstr(err, want), "want \"%s\" in %s", want, err);
	free(err);
}

/* tls_ocsp_response: a client that asks gets the file's response stapled
 * to the handshake, byte for byte; a response for another certificate,
 * or a file that is no response, is refused by tine -t. */
Test(tls, ocsp_response_stapled, .fini = tine_teardown, .timeout = 60)
{
	struct tls_certs	 c;
	struct tine		*t = tine_setup(NULL);
	struct tlsc		 k;
	SSL_CTX			*ctx;
	char			 extra[TLS_CONF_MAX], path[TINE_PATH_MAX];
	char			*want;
	unsigned char		*got;
	size_t			 wlen;
	long			 glen;

	cr_assert_not_null(t);
	tls_certs(t, &c);
	tls_ocsp(&c, "a");
	tls_ocsp(&c, "b");
	tls_ocsp_refused(t, &c, "b.ocsp", "/b.ocsp does not answer for this "
	    "site's certificate");
	tls_ocsp_refused(t, &c, "a.crt", "/a.crt is not an OCSP response");
	snprintf(extra, sizeof(extra), "tls_ocsp_response = \"%s/a.ocsp\"",
	    c.dir);
	tls_start(t, &c, 0, extra);
	tine_path(path, c.dir, "a.ocsp");
	cr_assert_not_null(want = tine_slurp(path, &wlen));
	cr_assert_not_null(ctx = tlsc_ctx(c.ca, 0, 0, NULL));
	cr_assert_eq(SSL_CTX_set_tlsext_status_type(ctx,
	    TLSEXT_STATUSTYPE_ocsp), 1);
	tls_open(&k, ctx, t->port, "a.test", NULL);
	glen = SSL_get_tlsext_status_ocsp_resp(k.ssl, &got);
	cr_expect(glen == (long)wlen && memcmp(got, want, wlen) == 0,
	    "stapled %ld bytes, the file has %zu", glen, wlen);
	tlsc_close(&k);
	free(want);
	SSL_CTX_free(ctx);
	tine_stop(t);
}
