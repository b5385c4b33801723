/* realip: the client behind trusted proxies, from X-Forwarded-For (or a field like it). */
#ifndef TINE_REALIP_H
#define TINE_REALIP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct cidr;
struct cidr_addr;
struct http_request;

/* Whether addr is in one of the n trusted blocks. */
bool	realip_trusted(const struct cidr *trusted, size_t n,
	    const struct cidr_addr *addr);

/*
 * The client a request's field `name` names, for a peer the caller found
 * trusted: its comma-separated addresses are walked from the right (the
 * last line first, so several lines count as one joined in order), each
 * trusted one skipped; the first untrusted one is the client (nginx's
 * real_ip_recursive on). A proxy appends the address it saw, so only the
 * right-most entries are vouched for: the left-most is whatever the client
 * wrote. An entry that is no address ("unknown", empty, garbage) stops the
 * walk at the last good one, the furthest hop a trusted proxy vouched for;
 * when every entry is trusted the left-most is taken. Entries are
 * "192.0.2.1", "2001:db8::1", "[2001:db8::1]", with ":port" allowed after
 * an IPv4 or bracketed one. Returns 1 with *out set (port 0), or 0 when
 * the field is absent or its right-most entry is no address.
 */
int	realip_client(const struct cidr *trusted, size_t n,
	    const struct http_request *, const char *name,
	    struct sockaddr_storage *out);

#endif
