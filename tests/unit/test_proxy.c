/* Unit tests for common/proxy.c: PROXY protocol v1 and v2 headers. */
#include "tine_build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include <criterion/criterion.h>

#include "proxy.h"
#include "../pp2.h"

/* Parse n bytes of s; the result, with *h and *why for the caller. */
static int
parse(const void *s, size_t n, struct proxy_header *h, const char **why)
{
	*why = NULL;
	return proxy_parse(s, n, h, why);
}

/* The source address of a parsed header as text, and its port. */
static const char *
src(const struct proxy_header *h, char *buf, int *port)
{
	const struct sockaddr_in	*s4 = (const void *)&h->src;
	const struct sockaddr_in6	*s6 = (const void *)&h->src;

	if (h->src.ss_family == AF_INET) {
		*port = ntohs(s4->sin_port);
		return inet_ntop(AF_INET, &s4->sin_addr, buf, INET6_ADDRSTRLEN);
	}
	cr_assert_eq(h->src.ss_family, AF_INET6);
	*port = ntohs(s6->sin6_port);
	return inet_ntop(AF_INET6, &s6->sin6_addr, buf, INET6_ADDRSTRLEN);
}

/* A v1 line that must be refused. */
static void
v1_bad(const char *line)
{
	struct proxy_header	 h;
	const char		*why;

	cr_assert_eq(parse(line, strlen(line), &h, &why), -1, "%s", line);
	cr_assert_not_null(why);
}

Test(proxy, v1_tcp4_and_what_follows_is_left)
{
	static const char	 in[] = "PROXY TCP4 192.0.2.7 10.0.0.5 56324 "
	    "443\r\nGET / HTTP/1.1\r\n";
	struct proxy_header	 h;
	const char		*why;
	char			 a[INET6_ADDRSTRLEN];
	int			 port;

	cr_assert_eq(parse(in, sizeof(in) - 1, &h, &why), 1);
	cr_assert_eq(h.len, strlen("PROXY TCP4 192.0.2.7 10.0.0.5 56324 "
	    "443\r\n"));
	cr_assert_eq(h.version, 1);
	cr_assert_not(h.local);
	cr_assert_str_eq(src(&h, a, &port), "192.0.2.7");
	cr_assert_eq(port, 56324);
}

Test(proxy, v1_tcp6)
{
	static const char	 in[] = "PROXY TCP6 2001:db8::1 2001:db8::2 "
	    "65535 80\r\n";
	struct proxy_header	 h;
	const char		*why;
	char			 a[INET6_ADDRSTRLEN];
	int			 port;

	cr_assert_eq(parse(in, sizeof(in) - 1, &h, &why), 1);
	cr_assert_str_eq(src(&h, a, &port), "2001:db8::1");
	cr_assert_eq(port, 65535);
}

Test(proxy, v1_unknown_keeps_the_peer)
{
	static const char *const	 in[] = { "PROXY UNKNOWN\r\n",
	    "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n" };
	struct proxy_header		 h;
	const char			*why;
	size_t				 i;

	for (i = 0; i < 2; i++) {
		cr_assert_eq(parse(in[i], strlen(in[i]), &h, &why), 1);
		cr_assert(h.local);
		cr_assert_eq(h.len, strlen(in[i]));
	}
	/* 107 bytes is the most: that line was exactly it. */
	cr_assert_eq(strlen(in[1]), PROXY_V1_MAX);
}

Test(proxy, v1_short_wants_more)
{
	static const char	 in[] = "PROXY TCP4 192.0.2.7 10.0.0.5 1 2\r\n";
	struct proxy_header	 h;
	const char		*why;
	size_t			 n;

	for (n = 0; n < sizeof(in) - 1; n++)
		cr_assert_eq(parse(in, n, &h, &why), 0, "%zu bytes", n);
}

Test(proxy, v1_malformed)
{
	v1_bad("PROXY TCP4 192.0.2.7 10.0.0.5 1 2\n");	/* bare LF */
	v1_bad("PROXY TCP4 192.0.2.7 10.0.0.5 1 2\rX\n");	/* bare CR */
	v1_bad("PROXY TCP4  192.0.2.7 10.0.0.5 1 2\r\n");	/* two spaces */
	v1_bad("PROXY TCP4 192.0.2.7 10.0.0.5 1 2 \r\n");
	v1_bad("PROXY TCP4 192.0.2.7 10.0.0.5 1\r\n");
	v1_bad("PROXY TCP4 192.0.2.7 10.0.0.5 1 2 3\r\n");
	v1_bad("PROXY TCP4 2001:db8::1 10.0.0.5 1 2\r\n");	/* family */
	v1_bad("PROXY TCP6 192.0.2.7 2001:db8::2 1 2\r\n");
	v1_bad("PROXY TCP4 192.0.2.07 10.0.0.5 1 2\r\n");	/* octal-ish */
	v1_bad("PROXY TCP4 192.0.2.7 10.0.0.5 01 2\r\n");	/* port zero */
	v1_bad("PROXY TCP4 192.0.2.7 10.0.0.5 65536 2\r\n");
	v1_bad("PROXY TCP4 192.0.2.7 10.0.0.5 -1 2\r\n");
	v1_bad("PROXY UDP4 192.0.2.7 10.0.0.5 1 2\r\n");
	v1_bad("PROXY unknown\r\n");
	v1_bad("PROXY\r\n");
	v1_bad("GET / HTTP/1.1\r\n");
	v1_bad("proxy TCP4 192.0.2.7 10.0.0.5 1 2\r\n");
}

Test(proxy, v1_without_crlf_in_107_bytes)
{
	char			 in[200];
	struct proxy_header	 h;
	const char		*why;

	memset(in, 'x', sizeof(in));
	memcpy(in, "PROXY UNKNOWN ", 14);
	cr_assert_eq(parse(in, PROXY_V1_MAX - 1, &h, &why), 0);
	cr_assert_eq(parse(in, PROXY_V1_MAX, &h, &why), -1);
	/* The CRLF as the 108th and 109th bytes: one too far. */
	memcpy(in + PROXY_V1_MAX, "\r\n", 2);
	cr_assert_eq(parse(in, sizeof(in), &h, &why), -1);
	memcpy(in + PROXY_V1_MAX - 2, "\r\n", 2);
	cr_assert_eq(parse(in, sizeof(in), &h, &why), 1);
}

Test(proxy, v2_tcp4_with_tlvs_and_what_follows)
{
	static const uint8_t	 body[] = { 192, 0, 2, 7, 10, 0, 0, 5,
	    0xdc, 0x04, 0x01, 0xbb,
	    0x04, 0x00, 0x02, 0x00, 0x00,		/* NOOP, 2 bytes */
	    0x05, 0x00, 0x03, 'a', 'b', 'c',		/* UNIQUE_ID */
	    0xea, 0x00, 0x00 };				/* unknown, empty */
	uint8_t			 in[128];
	struct proxy_header	 h;
	const char		*why;
	char			 a[INET6_ADDRSTRLEN];
	size_t			 n = pp2_header(in, 1, 0x11, body, sizeof(body));
	int			 port;

	memcpy(in + n, "\x16\x03\x01", 3);	/* a TLS hello after it */
	cr_assert_eq(parse(in, n + 3, &h, &why), 1, "%s", why);
	cr_assert_eq(h.len, n);
	cr_assert_eq(h.version, 2);
	cr_assert_not(h.local);
	cr_assert_str_eq(src(&h, a, &port), "192.0.2.7");
	cr_assert_eq(port, 56324);
}

Test(proxy, v2_tcp6)
{
	uint8_t			 body[36] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint8_t			 in[64];
	struct proxy_header	 h;
	const char		*why;
	char			 a[INET6_ADDRSTRLEN];
	int			 port;

	body[15] = 1;
	body[33] = 80;
	cr_assert_eq(parse(in, pp2_header(in, 1, 0x21, body, sizeof(body)), &h,
	    &why), 1);
	cr_assert_str_eq(src(&h, a, &port), "2001:db8::1");
	cr_assert_eq(port, 80);
}

Test(proxy, v2_local_unspec_and_unix_keep_the_peer)
{
	uint8_t			 body[216] = { 1, 2, 3, 4 };
	uint8_t			 in[256];
	struct proxy_header	 h;
	const char		*why;

	/* LOCAL: a health check; its address block is skipped all the same. */
	cr_assert_eq(parse(in, pp2_header(in, 0, 0x11, body, 12), &h, &why), 1);
	cr_assert(h.local);
	cr_assert_eq(h.len, 28);
	cr_assert_eq(parse(in, pp2_header(in, 0, 0x00, body, 0), &h, &why), 1);
	cr_assert(h.local);
	cr_assert_eq(parse(in, pp2_header(in, 1, 0x00, body, 0), &h, &why), 1);
	cr_assert(h.local);
	cr_assert_eq(parse(in, pp2_header(in, 1, 0x31, body, 216), &h, &why), 1);
	cr_assert(h.local);
	cr_assert_eq(h.len, 232);
}

Test(proxy, v2_short_wants_more)
{
	static const uint8_t	 body[] = { 192, 0, 2, 7, 10, 0, 0, 5, 0, 1,
	    0, 2 };
	uint8_t			 in[64];
	struct proxy_header	 h;
	const char		*why;
	size_t			 n = pp2_header(in, 1, 0x11, body, sizeof(body)), k;

	for (k = 0; k < n; k++)
		cr_assert_eq(parse(in, k, &h, &why), 0, "%zu bytes", k);
}

Test(proxy, v2_malformed)
{
	static const uint8_t	 body[] = { 192, 0, 2, 7, 10, 0, 0, 5, 0, 1,
	    0, 2, 0x04, 0x00, 0x09, 0 };	/* a TLV longer than the rest */
	uint8_t			 in[64];
	struct proxy_header	 h;
	const char		*why;
	size_t			 n;

	cr_assert_eq(parse(in, pp2_header(in, 1, 0x11, body, sizeof(body)), &h,
	    &why), -1);
	cr_assert_str_eq(why, "v2 TLV runs past the header");
	/* A TLV cut in its type and length. */
	cr_assert_eq(parse(in, pp2_header(in, 1, 0x11, body, 14), &h, &why), -1);
	/* An address block short of its family's. */
	cr_assert_eq(parse(in, pp2_header(in, 1, 0x11, body, 8), &h, &why), -1);
	cr_assert_eq(parse(in, pp2_header(in, 1, 0x21, body, 12), &h, &why), -1);
	/* An undefined command, family or transport; version 1 or 3. */
	cr_assert_eq(parse(in, pp2_header(in, 2, 0x11, body, 12), &h, &why), -1);
	cr_assert_eq(parse(in, pp2_header(in, 1, 0x41, body, 12), &h, &why), -1);
	cr_assert_eq(parse(in, pp2_header(in, 1, 0x13, body, 12), &h, &why), -1);
	n = pp2_header(in, 1, 0x11, body, 12);
	in[12] = 0x11;
	cr_assert_eq(parse(in, n, &h, &why), -1);
	in[12] = 0x31;
	cr_assert_eq(parse(in, 13, &h, &why), -1);
	/* A signature off by one byte, seen as soon as that byte is. */
	pp2_header(in, 1, 0x11, body, 12);
	in[7] = 'q';
	cr_assert_eq(parse(in, 8, &h, &why), -1);
}

Test(proxy, v2_length_bound)
{
	static uint8_t		 in[PROXY_V2_MAX + 16];
	static const uint8_t	 addr[12] = { 192, 0, 2, 7 };
	struct proxy_header	 h;
	const char		*why;
	size_t			 len = PROXY_V2_MAX - 16;

	/* Addresses, then one TLV filling the rest: the longest taken. */
	memset(in, 0, sizeof(in));
	pp2_header(in, 1, 0x11, addr, sizeof(addr));
	in[14] = (uint8_t)(len >> 8);
	in[15] = (uint8_t)len;
	in[28] = 0x04;
	in[29] = (uint8_t)((len - 12 - 3) >> 8);
	in[30] = (uint8_t)(len - 12 - 3);
	cr_assert_eq(parse(in, PROXY_V2_MAX, &h, &why), 1, "%s", why);
	cr_assert_eq(h.len, PROXY_V2_MAX);
	/* One byte more is refused before it arrives. */
	len++;
	in[14] = (uint8_t)(len >> 8);
	in[15] = (uint8_t)len;
	cr_assert_eq(parse(in, 16, &h, &why), -1);
}

Test(proxy, neither_version)
{
	struct proxy_header	 h;
	const char		*why;

	cr_assert_eq(parse("\x16\x03\x01", 3, &h, &why), -1);
	cr_assert_str_eq(why, "not a PROXY protocol header");
	cr_assert_eq(parse("", 0, &h, &why), 0);
	cr_assert_eq(parse("PRO", 3, &h, &why), 0);
	cr_assert_eq(parse("\r\n\r\n", 4, &h, &why), 0);
}
