/* limit: a worker's count of open connections per client address. */
#ifndef TINE_LIMIT_H
#define TINE_LIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* What connections are counted by: an IPv4 address (v4-mapped), or the
 * /64 prefix of an IPv6 one (the least a site is given). */
struct limit_key {
	uint8_t	b[16];
};

struct limit;

/* A table for at most max connections at once; NULL without memory. */
struct limit	*limit_create(uint32_t max);

/* Free the table. */
void		 limit_destroy(struct limit *);

/* The key of a peer address. */
void		 limit_key(const struct sockaddr_storage *, struct limit_key *);

/* The key as text: "192.0.2.1" or "2001:db8::/64"; buf. */
char		*limit_name(const struct limit_key *, char *buf, size_t len);

/* Count one more connection of key unless it has max already (0: no limit);
 * 0 counted, -1 refused. Every 0 must be matched by one limit_del(). */
int		 limit_add(struct limit *, const struct limit_key *,
		    uint32_t max);

/* One connection of key closed. */
void		 limit_del(struct limit *, const struct limit_key *);

/* Count one connection of from under to instead, unless to has max
 * already (0: no limit); 0 moved, -1 still counted under from. */
int		 limit_move(struct limit *, const struct limit_key *from,
		    const struct limit_key *to, uint32_t max);

#endif
