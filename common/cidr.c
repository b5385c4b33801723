/* cidr: address blocks ("192.0.2.0/24", "2001:db8::/32", "all") and whether a client is in one. */
#include "tine_build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "cidr.h"

/* The first 12 bytes of an IPv4-mapped IPv6 address (RFC 4291 2.5.5.2). */
static const uint8_t cidr_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* Whether a is an IPv4 client (held as its mapped address). */
static bool
cidr_is_v4(const uint8_t *a)
{
	return memcmp(a, cidr_mapped, sizeof(cidr_mapped)) == 0;
}

/* The prefix length after a '/': decimal, no sign or leading zero, at most
 * max; -1 when it is not one. */
static int
cidr_length(const char *s, int max)
{
	size_t	n = strspn(s, "0123456789"), i;
	int	v = 0;

	if (n == 0 || n > 3 || s[n] != '\0' || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v > max ? -1 : v;
}

/* Clear the bits of b past the first bits; whether any was set. */
static bool
cidr_clear(uint8_t *b, unsigned bits)
{
	bool		set = false;
	unsigned	i;
	uint8_t		bit;

	for (i = bits; i < 128; i++) {
		bit = (uint8_t)(0x80 >> (i % 8));
		set |= (b[i / 8] & bit) != 0;
		b[i / 8] &= (uint8_t)~bit;
	}
	return set;
}

/* The block c as text, "10.0.0.0/8" or "2001:db8::/32", into out. */
static void
cidr_format(const struct cidr *c, char *out)
{
	char	a[INET6_ADDRSTRLEN];

	if (c->family == CIDR_V4) {
		inet_ntop(AF_INET, c->b + 12, a, sizeof(a));
		snprintf(out, CIDR_TEXT_MAX, "%s/%u", a, c->bits - 96);
	} else {
		inet_ntop(AF_INET6, c->b, a, sizeof(a));
		snprintf(out, CIDR_TEXT_MAX, "%s/%u", a, c->bits);
	}
}

/* The address part of s (len bytes) into out; its family's longest
 * prefix, or -1 when it is no numeric address. */
static int
cidr_address(const char *s, size_t len, struct cidr *out)
{
	char		a[INET6_ADDRSTRLEN];
	struct in_addr	a4;

	if (len == 0 || len >= sizeof(a))
		return -1;
	memcpy(a, s, len);
	a[len] = '\0';
	if (inet_pton(AF_INET, a, &a4) == 1) {
		memcpy(out->b, cidr_mapped, sizeof(cidr_mapped));
		memcpy(out->b + 12, &a4, 4);
		out->family = CIDR_V4;
		return 32;
	}
	if (inet_pton(AF_INET6, a, out->b) == 1) {
		out->family = CIDR_V6;
		return 128;
	}
	return -1;
}

/* Parse a block; see cidr.h. */
int
cidr_parse(const char *s, struct cidr *out, const char **why, char *suggest)
{
	const char	*slash = strchr(s, '/');
	int		 max, len;

	memset(out, 0, sizeof(*out));
	if (strcmp(s, "all") == 0)
		return 0;
	if ((max = cidr_address(s, slash != NULL ? (size_t)(slash - s) :
	    strlen(s), out)) == -1) {
		*why = "is not \"all\", an address or a block like "
		    "\"192.0.2.0/24\" or \"2001:db8::/32\"";
		return -1;
	}
	if ((len = slash == NULL ? max : cidr_length(slash + 1, max)) == -1) {
		*why = max == 32 ? "must have a prefix length of 0 to 32 after "
		    "'/'" : "must have a prefix length of 0 to 128 after '/'";
		return -1;
	}
	out->bits = (unsigned)len + (max == 32 ? 96 : 0);
	/* "::ffff:192.0.2.0/120" is an IPv4 block, written the long way. */
	if (out->bits >= 96 && cidr_is_v4(out->b))
		out->family = CIDR_V4;
	/* Refused, not masked: "10.0.0.1/8" may be a typo for "/32". */
	if (cidr_clear(out->b, out->bits)) {
		if (suggest != NULL)
			cidr_format(out, suggest);
		*why = "has bits set past its prefix length";
		return -1;
	}
	return 0;
}

/* A socket peer as a cidr_addr; see cidr.h. */
int
cidr_addr_from(const struct sockaddr *sa, struct cidr_addr *out)
{
	const struct sockaddr_in	*s4 = (const void *)sa;
	const struct sockaddr_in6	*s6 = (const void *)sa;

	if (sa->sa_family == AF_INET6) {
		memcpy(out->b, &s6->sin6_addr, 16);
		return 0;
	}
	if (sa->sa_family != AF_INET)
		return -1;
	memcpy(out->b, cidr_mapped, sizeof(cidr_mapped));
	memcpy(out->b + 12, &s4->sin_addr, 4);
	return 0;
}

/* Whether addr is in block c. */
bool
cidr_match(const struct cidr *c, const struct cidr_addr *addr)
{
	unsigned	full = c->bits / 8, rest = c->bits % 8;

	if (c->family != CIDR_ALL && (c->family == CIDR_V4) !=
	    cidr_is_v4(addr->b))
		return false;
	if (memcmp(c->b, addr->b, full) != 0)
		return false;
	return rest == 0 || ((c->b[full] ^ addr->b[full]) &
	    (uint8_t)(0xff00 >> rest)) == 0;
}

/* The longest prefix of the n blocks that holds addr, or -1. */
int
cidr_longest(const struct cidr *c, size_t n, const struct cidr_addr *addr)
{
	size_t	i;
	int	best = -1;

	for (i = 0; i < n; i++)
		if ((int)c[i].bits > best && cidr_match(&c[i], addr))
			best = (int)c[i].bits;
	return best;
}

/* Whether allow and deny let addr in; see cidr.h. */
bool
cidr_allowed(const struct cidr *allow, size_t nallow, const struct cidr *deny,
    size_t ndeny, const struct cidr_addr *addr)
{
	int	a = cidr_longest(allow, nallow, addr);
	int	d = cidr_longest(deny, ndeny, addr);

	if (d >= 0 && d >= a)
		return false;
	return a >= 0 || nallow == 0;
}
