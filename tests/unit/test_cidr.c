/* Unit tests for common/cidr.c: address blocks and who is in them. */
#include "tine_build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include <criterion/criterion.h>

#include "cidr.h"

/* The cidr_addr of a numeric address, as a socket peer of its family. */
static struct cidr_addr
peer(const char *text)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	struct cidr_addr	 a;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else {
		cr_assert_eq(inet_pton(AF_INET6, text, &s6->sin6_addr), 1,
		    "%s", text);
		s6->sin6_family = AF_INET6;
	}
	cr_assert_eq(cidr_addr_from((struct sockaddr *)&ss, &a), 0);
	return a;
}

/* A block that must parse. */
static struct cidr
block(const char *text)
{
	struct cidr	 c;
	const char	*why = NULL;

	cr_assert_eq(cidr_parse(text, &c, &why, NULL), 0, "%s: %s", text,
	    why != NULL ? why : "");
	return c;
}

/* Whether peer p is in block b. */
static bool
in(const char *b, const char *p)
{
	struct cidr		c = block(b);
	struct cidr_addr	a = peer(p);

	return cidr_match(&c, &a);
}

Test(cidr, ipv4_blocks)
{
	cr_expect(in("192.0.2.0/24", "192.0.2.0"));
	cr_expect(in("192.0.2.0/24", "192.0.2.255"));
	cr_expect(!in("192.0.2.0/24", "192.0.3.0"));
	cr_expect(!in("192.0.2.0/24", "192.0.1.255"));
	cr_expect(in("10.0.0.0/8", "10.255.1.2"));
	cr_expect(in("127.0.0.1", "127.0.0.1"));	/* a bare address: /32 */
	cr_expect(!in("127.0.0.1", "127.0.0.2"));
	cr_expect(in("0.0.0.0/0", "203.0.113.9"));
	/* Not a byte boundary: 172.16.0.0/12 is 172.16 to 172.31. */
	cr_expect(in("172.16.0.0/12", "172.31.255.255"));
	cr_expect(!in("172.16.0.0/12", "172.32.0.0"));
	cr_expect(!in("172.16.0.0/12", "172.15.255.255"));
	cr_expect(in("192.0.2.128/25", "192.0.2.200"));
	cr_expect(!in("192.0.2.128/25", "192.0.2.127"));
}

Test(cidr, ipv6_blocks)
{
	cr_expect(in("2001:db8::/32", "2001:db8:1::5"));
	cr_expect(!in("2001:db8::/32", "2001:db9::1"));
	cr_expect(in("::1", "::1"));			/* a bare address: /128 */
	cr_expect(!in("::1", "::2"));
	cr_expect(in("fe80::/10", "febf::1"));
	cr_expect(!in("fe80::/10", "fec0::1"));
	cr_expect(in("2001:db8::/127", "2001:db8::1"));
	cr_expect(!in("2001:db8::/127", "2001:db8::2"));
}

/* An IPv4 client on an IPv6 socket is the IPv4 client it is; the families
 * never cross otherwise. */
Test(cidr, mapped_and_families)
{
	cr_expect(in("192.0.2.0/24", "::ffff:192.0.2.9"));
	cr_expect(in("127.0.0.1", "::ffff:127.0.0.1"));
	cr_expect(!in("192.0.2.0/24", "::ffff:192.0.3.9"));
	/* "::ffff:192.0.2.0/120" is the IPv4 block 192.0.2.0/24. */
	cr_expect(in("::ffff:192.0.2.0/120", "192.0.2.77"));
	cr_expect(!in("::/0", "192.0.2.1"));		/* IPv6 only */
	cr_expect(in("::/0", "2001:db8::1"));
	cr_expect(!in("0.0.0.0/0", "2001:db8::1"));	/* IPv4 only */
	cr_expect(!in("0.0.0.0/0", "::1"));
	/* ::/96 is not where IPv4 clients are held. */
	cr_expect(!in("::/96", "192.0.2.1"));
	cr_expect(in("all", "192.0.2.1"));
	cr_expect(in("all", "2001:db8::1"));
}

Test(cidr, refused)
{
	static const char *const bad[] = {
		"", "all/0", "ALL", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1",
		"10.0.0.0/+8", "10.0.0.0/08", "10.0.0.0/8/8", "10.0.0.0 /8",
		" 10.0.0.0/8", "10.0.0/8", "010.0.0.0/8", "10.0.0.256",
		"2001:db8::/129", "2001:db8::/1000", "fe80::1%eth0",
		"[::1]", "example.com", "10.0.0.0/8 ", "::1/", "/8",
	};
	struct cidr	 c;
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		cr_expect_eq(cidr_parse(bad[i], &c, &why, NULL), -1,
		    "\"%s\" taken", bad[i]);
		cr_expect_not_null(why, "\"%s\": no reason", bad[i]);
	}
}

/* A block with bits past its length is refused, and the block meant is
 * offered. */
Test(cidr, host_bits_refused_with_the_block_meant)
{
	static const struct { const char *in, *meant; } c[] = {
		{ "10.0.0.1/8", "10.0.0.0/8" },
		{ "192.0.2.130/25", "192.0.2.128/25" },
		{ "2001:db8::1/32", "2001:db8::/32" },
		{ "::ffff:192.0.2.1/120", "192.0.2.0/24" },
		{ "255.255.255.255/0", "0.0.0.0/0" },
	};
	char		 meant[CIDR_TEXT_MAX];
	struct cidr	 out;
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		meant[0] = '\0';
		cr_expect_eq(cidr_parse(c[i].in, &out, &why, meant), -1, "%s",
		    c[i].in);
		cr_expect_str_eq(meant, c[i].meant, "%s", c[i].in);
	}
}

/* allow and deny: the most specific block decides, deny wins a tie, and
 * an address in no block gets in only when allow is empty. */
Test(cidr, allowed_most_specific_wins)
{
	struct cidr		allow[2], deny[2];
	struct cidr_addr	a;

	allow[0] = block("192.0.2.0/24");
	deny[0] = block("all");
	deny[1] = block("192.0.2.7");
	a = peer("192.0.2.1");
	cr_expect(cidr_allowed(allow, 1, deny, 1, &a));	/* /24 beats all */
	cr_expect(cidr_allowed(allow, 1, NULL, 0, &a));
	a = peer("192.0.2.7");
	cr_expect(!cidr_allowed(allow, 1, deny, 2, &a));	/* /32 beats /24 */
	a = peer("198.51.100.1");
	cr_expect(!cidr_allowed(allow, 1, deny, 1, &a));
	cr_expect(!cidr_allowed(allow, 1, NULL, 0, &a));	/* not listed */
	cr_expect(cidr_allowed(NULL, 0, deny + 1, 1, &a));	/* deny only */
	cr_expect(cidr_allowed(NULL, 0, NULL, 0, &a));
	/* deny a network, allow one machine of it back. */
	deny[0] = block("10.0.0.0/8");
	allow[0] = block("10.1.2.3");
	a = peer("10.1.2.3");
	cr_expect(cidr_allowed(allow, 1, deny, 1, &a));
	a = peer("10.1.2.4");
	cr_expect(!cidr_allowed(allow, 1, deny, 1, &a));
	/* The same block in both: deny wins. */
	allow[0] = block("10.0.0.0/8");
	cr_expect(!cidr_allowed(allow, 1, deny, 1, &a));
	/* IPv6 rules leave IPv4 clients to the rest. */
	allow[0] = block("2001:db8::/32");
	a = peer("::1");
	cr_expect(!cidr_allowed(allow, 1, NULL, 0, &a));
	a = peer("2001:db8::5");
	cr_expect(cidr_allowed(allow, 1, NULL, 0, &a));
	a = peer("::ffff:10.1.1.1");
	cr_expect(!cidr_allowed(allow, 1, deny, 1, &a));
}

Test(cidr, longest)
{
	struct cidr		c[3];
	struct cidr_addr	a = peer("192.0.2.9");

	c[0] = block("all");
	c[1] = block("192.0.2.0/24");
	c[2] = block("192.0.0.0/16");
	cr_expect_eq(cidr_longest(c, 3, &a), 96 + 24);
	cr_expect_eq(cidr_longest(c, 1, &a), 0);
	a = peer("2001:db8::1");
	cr_expect_eq(cidr_longest(c + 1, 2, &a), -1);
	cr_expect_eq(cidr_longest(c, 0, &a), -1);
}

Test(cidr, other_families_refused)
{
	struct sockaddr_storage	ss;
	struct cidr_addr	a;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	cr_expect_eq(cidr_addr_from((struct sockaddr *)&ss, &a), -1);
}
