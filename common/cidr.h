/* cidr: address blocks ("192.0.2.0/24", "2001:db8::/32", "all") and whether a client is in one. */
#ifndef TINE_CIDR_H
#define TINE_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" and its NUL. */
#define CIDR_TEXT_MAX	52

/*
 * A client address in one form for both families: an IPv4 address is held
 * as its IPv4-mapped IPv6 address (::ffff:a.b.c.d), as is a peer that
 * reached an IPv6 socket from IPv4, so IPv4 rules match both.
 */
struct cidr_addr {
	uint8_t	b[16];
};

/* What a block covers: every address, IPv4 addresses, or IPv6 ones. */
enum cidr_family {
	CIDR_ALL,
	CIDR_V4,
	CIDR_V6
};

/*
 * A block: the first `bits` bits of b (IPv4 blocks as mapped addresses,
 * 96 + their prefix length), in a family: an IPv6 block never matches an
 * IPv4 client, nor an IPv4 block an IPv6 one.
 */
struct cidr {
	uint8_t			b[16];
	unsigned		bits;		/* 0 .. 128 of b */
	enum cidr_family	family;
};

/*
 * Parse "all", an address ("192.0.2.7": /32, "2001:db8::1": /128) or
 * "ADDRESS/LENGTH" into out. An IPv6 block inside ::ffff:0:0/96 is taken
 * as the IPv4 block it is. Returns 0, or -1 with *why saying what is
 * wrong; a block with bits set past its length ("10.0.0.1/8") is refused
 * and `suggest` (CIDR_TEXT_MAX bytes, may be NULL) gets the block meant,
 * "10.0.0.0/8".
 */
int	 cidr_parse(const char *s, struct cidr *out, const char **why,
	    char *suggest);

/* A socket peer (AF_INET or AF_INET6) as a cidr_addr; -1 for any other
 * family. */
int	 cidr_addr_from(const struct sockaddr *, struct cidr_addr *);

/* Whether addr is in block c. */
bool	 cidr_match(const struct cidr *c, const struct cidr_addr *addr);

/* The prefix length of the longest of the n blocks that holds addr, or -1
 * when none does. */
int	 cidr_longest(const struct cidr *, size_t n,
	    const struct cidr_addr *addr);

/*
 * Whether an allow and a deny list let addr in: the most specific block
 * that holds it decides, whichever list it is in (the longest prefix, as
 * in a routing table; "all" is the least specific), and deny wins a tie.
 * An address no block holds is let in only when allow is empty. So
 * allow = {"192.0.2.0/24"} with or without deny = {"all"} lets that
 * network in and nobody else, and deny = {"192.0.2.7"} beside it keeps
 * one machine of it out, in whatever order they are written.
 */
bool	 cidr_allowed(const struct cidr *allow, size_t nallow,
	    const struct cidr *deny, size_t ndeny,
	    const struct cidr_addr *addr);

#endif
