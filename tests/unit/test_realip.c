/* Unit tests for common/realip.c: the client behind trusted proxies. */
#include "tine_build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include <criterion/criterion.h>

#include "cidr.h"
#include "http.h"
#include "realip.h"

/* The trusted blocks of every test: a private network and loopback. */
static struct cidr	trusted[3];

/* Parse the trusted blocks. */
static void
setup(void)
{
	static const char *const	 t[] = { "10.0.0.0/8", "127.0.0.1",
	    "2001:db8:ffff::/48" };
	const char			*why;
	size_t				 i;

	for (i = 0; i < 3; i++)
		cr_assert_eq(cidr_parse(t[i], &trusted[i], &why, NULL), 0);
}

TestSuite(realip, .init = setup);

/* A request with the given field lines (name, value, name, value ...,
 * NULL), as the parser leaves them (values without surrounding OWS). */
static void
request(struct http_request *req, const char *const *lines)
{
	size_t	i;

	memset(req, 0, sizeof(*req));
	for (i = 0; lines[i] != NULL; i += 2, req->nheaders++) {
		req->headers[req->nheaders].name = (struct http_str){
		    lines[i], strlen(lines[i]) };
		req->headers[req->nheaders].value = (struct http_str){
		    *lines[i + 1] != '\0' ? lines[i + 1] : NULL,
		    strlen(lines[i + 1]) };
	}
}

/* The client the lines name, as text, or "-" when none. */
static const char *
client(const char *const *lines, char *buf)
{
	struct http_request		 req;
	struct sockaddr_storage		 ss;
	const struct sockaddr_in	*s4 = (const void *)&ss;
	const struct sockaddr_in6	*s6 = (const void *)&ss;

	request(&req, lines);
	if (realip_client(trusted, 3, &req, "X-Forwarded-For", &ss) == 0)
		return "-";
	if (ss.ss_family == AF_INET)
		return inet_ntop(AF_INET, &s4->sin_addr, buf, INET6_ADDRSTRLEN);
	return inet_ntop(AF_INET6, &s6->sin6_addr, buf, INET6_ADDRSTRLEN);
}

/* Assert what one X-Forwarded-For value gives. */
static void
xff(const char *value, const char *want)
{
	const char *const	 lines[] = { "X-Forwarded-For", value, NULL };
	char			 buf[INET6_ADDRSTRLEN];

	cr_assert_str_eq(client(lines, buf), want, "X-Forwarded-For: %s",
	    value);
}

Test(realip, right_most_untrusted_wins)
{
	xff("192.0.2.7", "192.0.2.7");
	xff("192.0.2.7, 10.0.0.2", "192.0.2.7");
	/* The spoofed left-most entries are never taken. */
	xff("127.0.0.1, 198.51.100.9, 192.0.2.7, 10.0.0.2, 10.1.1.1",
	    "192.0.2.7");
	xff("1.2.3.4,192.0.2.7", "192.0.2.7");
	xff(" 192.0.2.7 ,\t10.0.0.2\t", "192.0.2.7");
}

Test(realip, every_entry_trusted_takes_the_left_most)
{
	xff("10.9.9.9, 10.0.0.2", "10.9.9.9");
	xff("127.0.0.1", "127.0.0.1");
}

Test(realip, ipv6_and_ports)
{
	xff("2001:db8::7", "2001:db8::7");
	xff("[2001:db8::7]", "2001:db8::7");
	xff("[2001:db8::7]:4711, 2001:db8:ffff::1", "2001:db8::7");
	xff("192.0.2.7:4711, 10.0.0.2:80", "192.0.2.7");
	xff("::ffff:192.0.2.7", "::ffff:192.0.2.7");
}

Test(realip, a_bad_entry_stops_at_the_last_good_one)
{
	xff("192.0.2.7, unknown, 10.0.0.2", "10.0.0.2");
	xff("192.0.2.7, , 10.0.0.2", "10.0.0.2");
	xff("192.0.2.7,10.0.0.2,", "-");
	xff("unknown", "-");
	xff("", "-");
	xff("192.0.2.7:0", "-");
	xff("192.0.2.7:65536", "-");
	xff("[2001:db8::7", "-");
	xff("[2001:db8::7]x", "-");
	xff("192.0.2.256", "-");
	xff("example.com", "-");
	xff("2001:db8::7:80:1:2:3:4:5", "-");
	xff("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxx, 10.0.0.2", "10.0.0.2");
}

Test(realip, several_lines_join_in_order)
{
	/* As "198.51.100.1, 192.0.2.7, 10.0.0.3, 10.0.0.2". */
	const char *const	 lines[] = { "x-forwarded-for",
	    "198.51.100.1, 192.0.2.7", "Host", "a.test",
	    "X-Forwarded-For", "10.0.0.3, 10.0.0.2", NULL };
	/* A later line's untrusted entry wins over any earlier line. */
	const char *const	 later[] = { "X-Forwarded-For", "192.0.2.7",
	    "X-FORWARDED-FOR", "198.51.100.1", NULL };
	const char *const	 none[] = { "X-Real-IP", "192.0.2.7", NULL };
	char			 buf[INET6_ADDRSTRLEN];

	cr_assert_str_eq(client(lines, buf), "192.0.2.7");
	cr_assert_str_eq(client(later, buf), "198.51.100.1");
	cr_assert_str_eq(client(none, buf), "-");
}

Test(realip, trusted)
{
	struct cidr_addr	 a;
	struct sockaddr_in	 s4 = { .sin_family = AF_INET };

	inet_pton(AF_INET, "10.200.0.1", &s4.sin_addr);
	cidr_addr_from((struct sockaddr *)&s4, &a);
	cr_assert(realip_trusted(trusted, 3, &a));
	cr_assert_not(realip_trusted(trusted, 0, &a));
	inet_pton(AF_INET, "11.0.0.1", &s4.sin_addr);
	cidr_addr_from((struct sockaddr *)&s4, &a);
	cr_assert_not(realip_trusted(trusted, 3, &a));
}
