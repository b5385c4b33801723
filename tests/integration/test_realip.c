/*
 * test_realip: real client addresses behind a load balancer, against the
 * real binary over real sockets — PROXY protocol v1 and v2 headers (TLVs
 * too, LOCAL and UNKNOWN keeping the peer) logged as the client with
 * %{c}a keeping the peer, under TLS as well; a header from a peer not in
 * trusted_proxies, a malformed one and none at all each closing the
 * connection with a line at info, a flood of them a few lines and a count;
 * X-Forwarded-For chains with spoofed
 * left-most entries; deny rules and max_connections_per_ip applied to
 * the real address; and what tine -t says of the options.
 */
#include "tine_build.h"

#include <sys/socket.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"
#include "tlsc.h"
#include "../pp2.h"

#define RIP_CONF_MAX	2048
#define RIP_FORMAT	"access_log_format = \"%%h %%{c}a %%r %%>s\"\n"

/* Start t on one listener with these flags, one worker (so that one
 * per-address table counts every connection) and extra lines. */
static void
rip_start(struct tine *t, const char *flags, const char *extra)
{
	char	conf[RIP_CONF_MAX];

	snprintf(conf, sizeof(conf), "listen = {\"127.0.0.1:%d%s%s\"}\n"
	    "workers = 1\n" RIP_FORMAT "%s\n", t->port, *flags != '\0' ?
	    " " : "", flags, extra);
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_start(t), 0, "tine did not start: see %s",
	    t->error_log);
}

/* Send pre (prelen bytes), then GET path with extra header lines on a new
 * connection; the status, or 0 when the connection closed unanswered. */
static int
rip_get(struct tine *t, const void *pre, size_t prelen, const char *path,
    const char *extra)
{
	char		 req[1024];
	struct tine_raw	 raw;
	uint8_t		 buf[2048];
	int		 status = 0;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: a.test\r\n%s"
	    "Connection: close\r\n\r\n", path, extra != NULL ? extra : "");
	cr_assert_lt(prelen + strlen(req), sizeof(buf));
	memcpy(buf, pre, prelen);
	memcpy(buf + prelen, req, strlen(req));
	cr_assert_eq(tine_exchange(AF_INET, t->port, buf, prelen + strlen(req),
	    TINE_TIMEOUT_MS, &raw), 0);
	if (raw.len > 0)
		cr_assert_eq(sscanf(raw.data, "HTTP/1.1 %d", &status), 1, "%s",
		    raw.data);
	tine_raw_free(&raw);
	return status;
}

/* Wait until the access log holds line ("CLIENT PEER REQUEST STATUS"). */
static void
rip_logged(struct tine *t, const char *line)
{
	cr_assert_eq(tine_wait_file(t->access_log, line, 1, TINE_TIMEOUT_MS),
	    0, "no \"%s\" in %s", line, t->access_log);
}

/* Wait until the error log holds needle. */
static void
rip_said(struct tine *t, const char *needle)
{
	cr_assert_eq(tine_wait_file(t->error_log, needle, 1, TINE_TIMEOUT_MS),
	    0, "no \"%s\" in %s", needle, t->error_log);
}

#define RIP_V1(s)	s, sizeof(s) - 1

/* v1 and v2 headers name the client: %h shows it, %{c}a the proxy. */
Test(realip, proxy_v1_and_v2_name_the_client, .fini = tine_teardown,
    .timeout = 60)
{
	static const uint8_t	 tlv4[] = { 192, 0, 2, 9, 127, 0, 0, 1,
	    0xdc, 0x04, 0x1f, 0x90,
	    0x05, 0x00, 0x04, 'u', 'i', 'd', '1',	/* UNIQUE_ID */
	    0x02, 0x00, 0x06, 'a', '.', 't', 'e', 's', 't', /* AUTHORITY */
	    0x04, 0x00, 0x00 };			/* NOOP, empty */
	uint8_t			 v6[36] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint8_t			 h[128];
	struct tine		*t = tine_setup(NULL);

	cr_assert_not_null(t);
	rip_start(t, "proxy_protocol", "trusted_proxies = {\"127.0.0.1\"}");
	cr_assert_eq(rip_get(t, RIP_V1("PROXY TCP4 192.0.2.7 127.0.0.1 "
	    "56324 8080\r\n"), "/?v1", NULL), 200);
	rip_logged(t, "192.0.2.7 127.0.0.1 GET /?v1 HTTP/1.1 200");
	cr_assert_eq(rip_get(t, RIP_V1("PROXY TCP6 2001:db8::7 ::1 1 2\r\n"),
	    "/?v1-6", NULL), 200);
	rip_logged(t, "2001:db8::7 127.0.0.1 GET /?v1-6 HTTP/1.1 200");
	cr_assert_eq(rip_get(t, h, pp2_header(h, 1, 0x11, tlv4, sizeof(tlv4)),
	    "/?v2", NULL), 200);
	rip_logged(t, "192.0.2.9 127.0.0.1 GET /?v2 HTTP/1.1 200");
	v6[15] = 7;
	cr_assert_eq(rip_get(t, h, pp2_header(h, 1, 0x21, v6, sizeof(v6)),
	    "/?v2-6", NULL), 200);
	rip_logged(t, "2001:db8::7 127.0.0.1 GET /?v2-6 HTTP/1.1 200");
	/* A health check (LOCAL) and UNKNOWN: the peer is the client. */
	cr_assert_eq(rip_get(t, h, pp2_header(h, 0, 0x00, "", 0), "/?local",
	    NULL), 200);
	rip_logged(t, "127.0.0.1 127.0.0.1 GET /?local HTTP/1.1 200");
	cr_assert_eq(rip_get(t, RIP_V1("PROXY UNKNOWN\r\n"), "/?unknown",
	    NULL), 200);
	rip_logged(t, "127.0.0.1 127.0.0.1 GET /?unknown HTTP/1.1 200");
	tine_stop(t);
}

/* A header from a peer not in trusted_proxies is not believed: the
 * connection is closed, with a line at info that says why. */
Test(realip, proxy_from_an_untrusted_peer_is_closed, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup(NULL);

	cr_assert_not_null(t);
	rip_start(t, "proxy_protocol", "trusted_proxies = {\"10.0.0.0/8\"}");
	cr_assert_eq(rip_get(t, RIP_V1("PROXY TCP4 192.0.2.7 127.0.0.1 1 2"
	    "\r\n"), "/", NULL), 0);
	rip_said(t, "] a connection from 127.0.0.1 on PROXY protocol "
	    "port");
	/* Stopped first: the workers' buffered lines are written by then. */
	cr_assert_neq(tine_signal_wait(t, SIGTERM, TINE_TIMEOUT_MS), -1);
	cr_assert_eq(tine_count(t->access_log, "GET"), 0);
	tine_stop(t);
}

/* A malformed header, or none, closes the connection unanswered; the
 * reason is logged at info. */
Test(realip, malformed_proxy_header_closes, .fini = tine_teardown,
    .timeout = 60)
{
	static const uint8_t	 overrun[] = { 192, 0, 2, 7, 127, 0, 0, 1,
	    0, 1, 0, 2, 0x04, 0x00, 0x09, 0 };
	uint8_t			 h[64];
	struct tine		*t = tine_setup(NULL);

	cr_assert_not_null(t);
	rip_start(t, "proxy_protocol", "trusted_proxies = {\"127.0.0.1\"}");
	cr_assert_eq(rip_get(t, RIP_V1("PROXY TCP4 192.0.2.7 127.0.0.1 1\r\n"),
	    "/", NULL), 0);
	rip_said(t, "] a malformed PROXY header from 127.0.0.1 on port");
	cr_assert_eq(rip_get(t, h, pp2_header(h, 1, 0x11, overrun,
	    sizeof(overrun)), "/", NULL), 0);
	rip_said(t, "(v2 TLV runs past the header): closed");
	cr_assert_eq(rip_get(t, "", 0, "/", NULL), 0);
	rip_said(t, "(not a PROXY protocol header): closed");
	/* And a good one after them is served. */
	cr_assert_eq(rip_get(t, RIP_V1("PROXY TCP4 192.0.2.7 127.0.0.1 1 2"
	    "\r\n"), "/", NULL), 200);
	/* Stopped first: the workers' buffered lines are written by then;
	 * only the good one's is there. */
	cr_assert_neq(tine_signal_wait(t, SIGTERM, TINE_TIMEOUT_MS), -1);
	cr_assert_eq(tine_count(t->access_log, "GET"), 1);
	tine_stop(t);
}

#define RIP_FLOOD	40	/* bad headers sent in a burst */
#define RIP_BURST	5	/* lines a worker logs in RIP_WHILE_MS */
#define RIP_WHILE_MS	5000
#define RIP_REFUSED	"] a malformed PROXY header from"
#define RIP_SUPPRESSED	"more connections refused on PROXY protocol ports"

/* The refusals the error log at path accounts for: one per line, and those
 * counted in "N more ... suppressed" lines. */
static int
rip_refusals(const char *path)
{
	char		*text, *p;
	unsigned	 n;
	int		 total;

	if ((text = tine_slurp(path, NULL)) == NULL)
		return 0;
	total = tine_count(path, RIP_REFUSED);
	for (p = text; (p = strstr(p, "] ")) != NULL; p += 2)
		if (sscanf(p, "] %u more connections refused", &n) == 1)
			total += (int)n;
	free(text);
	return total;
}

/* tine_wait_until's condition: every refusal of the flood is accounted. */
static int
rip_all_said(void *arg)
{
	return rip_refusals(arg) >= RIP_FLOOD;
}

/* Bad headers in a burst (a client can send them as fast as it connects)
 * leave a few lines each while, then one that counts the others; none is
 * unaccounted. */
Test(realip, proxy_refusals_rate_limited, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup(NULL);
	long long	 t0;
	int		 i, lines, whiles;

	cr_assert_not_null(t);
	rip_start(t, "proxy_protocol", "trusted_proxies = {\"127.0.0.1\"}");
	t0 = tine_now_ms();
	for (i = 0; i < RIP_FLOOD; i++)
		cr_assert_eq(rip_get(t, RIP_V1("BAD\r\n"), "/", NULL), 0);
	whiles = (int)((tine_now_ms() - t0) / RIP_WHILE_MS) + 2;
	cr_assert_eq(tine_wait_until(rip_all_said, t->error_log,
	    2 * RIP_WHILE_MS + TINE_TIMEOUT_MS), 0, "%d of %d refusals in %s",
	    rip_refusals(t->error_log), RIP_FLOOD, t->error_log);
	lines = tine_count(t->error_log, RIP_REFUSED);
	cr_expect_leq(lines, RIP_BURST * whiles, "%d lines for %d refusals",
	    lines, RIP_FLOOD);
	cr_expect_geq(tine_count(t->error_log, RIP_SUPPRESSED), 1);
	cr_expect_eq(rip_refusals(t->error_log), RIP_FLOOD);
	tine_stop(t);
}

/* On a "tls proxy_protocol" listener the header comes before the TLS
 * hello, which must be left for the handshake. */
Test(realip, proxy_before_tls, .fini = tine_teardown, .timeout = 60)
{
	static const uint8_t	 addr[] = { 198, 51, 100, 4, 127, 0, 0, 1,
	    0x30, 0x39, 0x01, 0xbb };
	char			 conf[RIP_CONF_MAX], why[256], dir[TINE_PATH_MAX];
	uint8_t			 h[64];
	struct tine_resp	 r;
	struct tlsc		 c;
	SSL_CTX			*ctx;
	struct tine		*t = tine_setup(NULL);

	cr_assert_not_null(t);
	tine_path(dir, t->dir, "certs");
	cr_assert_eq(tlsc_sh("mkdir %s && cd %s && openssl req -x509 -newkey "
	    "ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout a.key -out "
	    "a.pem -days 2 -subj /CN=a.test -addext subjectAltName=DNS:a.test "
	    "&& chmod 600 a.key", dir, dir), 0, "openssl failed");
	snprintf(conf, sizeof(conf), "trusted_proxies = {\"127.0.0.0/8\"}\n"
	    "tls_certificate = \"%s/a.pem\"\ntls_key = \"%s/a.key\"", dir,
	    dir);
	rip_start(t, "tls proxy_protocol", conf);
	cr_assert_not_null(ctx = tlsc_ctx(NULL, 0, 0, NULL));
	cr_assert_eq(tlsc_open_after(&c, ctx, t->port, h, pp2_header(h, 1, 0x11,
	    addr, sizeof(addr)), "a.test", NULL, why, sizeof(why)), 0, "%s",
	    why);
	cr_assert_eq(tlsc_send(&c, "GET /?tls HTTP/1.1\r\nHost: a.test\r\n\r\n"),
	    0);
	cr_assert_eq(tlsc_read(&c, 0, &r), 0);
	expect_status(&r, 200);
	tine_resp_free(&r);
	tlsc_close(&c);
	SSL_CTX_free(ctx);
	rip_logged(t, "198.51.100.4 127.0.0.1 GET /?tls HTTP/1.1 200");
	tine_stop(t);
}

/* real_ip_header: the right-most untrusted entry, never the left-most a
 * client may write; per request, and only from a trusted peer. */
Test(realip, forwarded_for_chains, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = tine_setup(NULL);

	cr_assert_not_null(t);
	rip_start(t, "", "trusted_proxies = {\"127.0.0.1\", \"10.0.0.0/8\"}\n"
	    "real_ip_header = \"X-Forwarded-For\"");
	cr_assert_eq(rip_get(t, "", 0, "/?a", "X-Forwarded-For: 127.0.0.1, "
	    "6.6.6.6, 192.0.2.7, 10.0.0.2\r\n"), 200);
	rip_logged(t, "192.0.2.7 127.0.0.1 GET /?a HTTP/1.1 200");
	/* Two lines count as one, joined in order. */
	cr_assert_eq(rip_get(t, "", 0, "/?b", "X-Forwarded-For: 6.6.6.6, "
	    "198.51.100.3\r\nX-Forwarded-For: 10.1.2.3\r\n"), 200);
	rip_logged(t, "198.51.100.3 127.0.0.1 GET /?b HTTP/1.1 200");
	/* A bad entry stops the walk at the last good (trusted) one. */
	cr_assert_eq(rip_get(t, "", 0, "/?c", "X-Forwarded-For: 192.0.2.7, "
	    "unknown, 10.0.0.2\r\n"), 200);
	rip_logged(t, "10.0.0.2 127.0.0.1 GET /?c HTTP/1.1 200");
	cr_assert_eq(rip_get(t, "", 0, "/?d", NULL), 200);
	rip_logged(t, "127.0.0.1 127.0.0.1 GET /?d HTTP/1.1 200");
	cr_assert_eq(rip_get(t, "", 0, "/?e", "X-Forwarded-For: [2001:db8::5]:"
	    "443\r\n"), 200);
	rip_logged(t, "2001:db8::5 127.0.0.1 GET /?e HTTP/1.1 200");
	tine_stop(t);
}

/* On a kept-alive connection each request names its own client. */
Test(realip, forwarded_for_per_request, .fini = tine_teardown, .timeout = 60)
{
	struct tine_conn	 c;
	struct tine_resp	 r;
	struct tine		*t = tine_setup(NULL);

	cr_assert_not_null(t);
	rip_start(t, "", "trusted_proxies = {\"127.0.0.1\"}\n"
	    "real_ip_header = \"X-Forwarded-For\"");
	cr_assert_eq(tine_conn_open(&c, AF_INET, t->port), 0);
	cr_assert_eq(tine_conn_sends(&c, "GET /?1 HTTP/1.1\r\nHost: a.test\r\n"
	    "X-Forwarded-For: 192.0.2.1\r\n\r\nGET /?2 HTTP/1.1\r\nHost: a.test"
	    "\r\n\r\nGET /?3 HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: "
	    "192.0.2.3\r\nConnection: close\r\n\r\n"), 0);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(tine_conn_read(&c, 0, TINE_TIMEOUT_MS, &r), 0);
		expect_status(&r, 200);
		tine_resp_free(&r);
	}
	tine_conn_close(&c);
	rip_logged(t, "192.0.2.1 127.0.0.1 GET /?1 HTTP/1.1 200");
	rip_logged(t, "127.0.0.1 127.0.0.1 GET /?2 HTTP/1.1 200");
	rip_logged(t, "192.0.2.3 127.0.0.1 GET /?3 HTTP/1.1 200");
	tine_stop(t);
}

/* From a peer not in trusted_proxies, X-Forwarded-For is only a field. */
Test(realip, forwarded_for_from_an_untrusted_peer, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup(NULL);

	cr_assert_not_null(t);
	rip_start(t, "", "trusted_proxies = {\"10.0.0.0/8\"}\n"
	    "real_ip_header = \"X-Forwarded-For\"");
	cr_assert_eq(rip_get(t, "", 0, "/", "X-Forwarded-For: 192.0.2.7\r\n"),
	    200);
	rip_logged(t, "127.0.0.1 127.0.0.1 GET / HTTP/1.1 200");
	tine_stop(t);
}

/* deny rules see the real client, by either way of naming it. */
Test(realip, access_rules_use_the_real_address, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup(NULL);
	struct tine	*p = tine_setup(NULL);

	cr_assert_not_null(t);
	cr_assert_not_null(p);
	rip_start(t, "", "trusted_proxies = {\"127.0.0.1\"}\n"
	    "real_ip_header = \"X-Forwarded-For\"\n"
	    "deny = {\"192.0.2.0/24\"}");
	cr_assert_eq(rip_get(t, "", 0, "/", "X-Forwarded-For: 192.0.2.7\r\n"),
	    403);
	cr_assert_eq(rip_get(t, "", 0, "/", "X-Forwarded-For: 192.0.2.7, "
	    "198.51.100.1\r\n"), 200);
	/* The spoofed left-most entry does not get one in either. */
	cr_assert_eq(rip_get(t, "", 0, "/", "X-Forwarded-For: 198.51.100.1, "
	    "192.0.2.7\r\n"), 403);
	cr_assert_eq(rip_get(t, "", 0, "/", NULL), 200);
	tine_stop(t);
	rip_start(p, "proxy_protocol", "trusted_proxies = {\"127.0.0.1\"}\n"
	    "allow = {\"198.51.100.0/24\"}");
	cr_assert_eq(rip_get(p, RIP_V1("PROXY TCP4 192.0.2.7 127.0.0.1 1 2"
	    "\r\n"), "/", NULL), 403);
	cr_assert_eq(rip_get(p, RIP_V1("PROXY TCP4 198.51.100.1 127.0.0.1 1 2"
	    "\r\n"), "/", NULL), 200);
	/* Not even the proxy itself, when a header says nothing. */
	cr_assert_eq(rip_get(p, RIP_V1("PROXY UNKNOWN\r\n"), "/", NULL), 403);
	tine_stop(p);
}

/* Open a kept-alive connection from the client a v1 header names and
 * have one request answered; 0, or -1 when it was closed unanswered. */
static int
rip_hold(struct tine *t, struct tine_conn *c, const char *client)
{
	char			 req[256];
	struct tine_resp	 r;
	int			 rc;

	snprintf(req, sizeof(req), "PROXY TCP4 %s 127.0.0.1 1 2\r\n"
	    "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", client);
	cr_assert_eq(tine_conn_open(c, AF_INET, t->port), 0);
	cr_assert_eq(tine_conn_sends(c, req), 0);
	rc = tine_conn_read(c, 0, TINE_TIMEOUT_MS, &r);
	if (rc == 0) {
		expect_status(&r, 200);
		tine_resp_free(&r);
	}
	return rc;
}

/* max_connections_per_ip counts the client a PROXY header names, not the
 * proxy that carries them all. */
Test(realip, per_ip_limit_counts_the_real_address, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine_conn	 a, b, c;
	struct tine		*t = tine_setup(NULL);

	cr_assert_not_null(t);
	rip_start(t, "proxy_protocol", "trusted_proxies = {\"127.0.0.1\"}\n"
	    "max_connections_per_ip = 1");
	cr_assert_eq(rip_hold(t, &a, "192.0.2.1"), 0);
	cr_assert_eq(rip_hold(t, &b, "192.0.2.2"), 0);
	cr_assert_eq(rip_hold(t, &c, "192.0.2.1"), -1);
	tine_conn_close(&c);
	rip_said(t, "refused 1 connections over max_connections_per_ip (1), "
	    "the last from 192.0.2.1");
	tine_conn_close(&a);
	tine_conn_close(&b);
	tine_stop(t);
}

/* tine -t: the flag, and the options that need each other. */
Test(realip, config_errors, .fini = tine_teardown, .timeout = 60)
{
	expect_refused("listen = {\"127.0.0.1:8080 proxy_protocol\"}",
	    "trusted_proxies is empty", 0);
	expect_refused("listen = {\"127.0.0.1:8080 proxy\"}",
	    "only the flags \"tls\" and \"proxy_protocol\"", 1);
	expect_refused("listen = {\"127.0.0.1:8080 proxy_protocol "
	    "proxy_protocol\"}\ntrusted_proxies = {\"127.0.0.1\"}",
	    "each once", 2);
	expect_refused("real_ip_header = \"X-Forwarded-For\"",
	    "needs trusted_proxies", 3);
	expect_refused("trusted_proxies = {\"10.0.0.1/8\"}\n"
	    "real_ip_header = \"X-Forwarded-For\"",
	    "\"10.0.0.1/8\" has bits set past its prefix length "
	    "(\"10.0.0.0/8\"?)", 4);
	expect_refused("trusted_proxies = {\"127.0.0.1\"}\n"
	    "real_ip_header = \"X Forwarded\"", "must be a field name", 5);
}
