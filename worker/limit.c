/* limit: a worker's count of open connections per client address. */
#include "tine_build.h"

#include <sys/mman.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "limit.h"

/* Links are an entry's index + 1, so that 0 ends a chain or the free
 * list and zeroed memory is an empty table. */
#define LIMIT_NONE	0

/* One address with open connections. */
struct limit_entry {
	struct limit_key	key;
	uint32_t		count;
	uint32_t		next;	/* in its bucket, or in the free list */
};

/*
 * A chained hash table over a fixed pool: each address in it has at least
 * one connection, so max_connections entries always suffice and the memory
 * is bounded whatever the clients do. The pool and the buckets are one
 * anonymous mapping, never written to make it: a worker's memory holds
 * pages for the addresses it has seen, not for max_connections (at 4096,
 * 128 KiB that every idle worker would hold otherwise).
 */
struct limit {
	struct limit_entry	*pool;
	uint32_t		*buckets;
	size_t			 size;	/* of the mapping */
	uint32_t		 mask;
	uint32_t		 max;
	uint32_t		 used;	/* entries ever taken from the pool */
	uint32_t		 free;
	uint32_t		 seed;	/* so clients cannot aim at one bucket */
};

/* A table for at most max connections at once. */
struct limit *
limit_create(uint32_t max)
{
	struct limit	*l;
	uint32_t	 n = 16;
	void		*p;

	while (n < max * 2 && n < (1u << 30))
		n *= 2;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->size = (size_t)n * sizeof(*l->buckets) +
	    (size_t)max * sizeof(*l->pool);
	p = mmap(NULL, l->size, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		free(l);
		return NULL;
	}
	l->buckets = p;
	l->pool = (struct limit_entry *)(l->buckets + n);
	l->mask = n - 1;
	l->max = max;
	l->seed = arc4random();
	return l;
}

/* Free the table. */
void
limit_destroy(struct limit *l)
{
	if (l == NULL)
		return;
	munmap(l->buckets, l->size);
	free(l);
}

/* The key of a peer address. */
void
limit_key(const struct sockaddr_storage *ss, struct limit_key *k)
{
	const struct sockaddr_in	*s4 = (const void *)ss;
	const struct sockaddr_in6	*s6 = (const void *)ss;

	memset(k, 0, sizeof(*k));
	if (ss->ss_family == AF_INET6) {
		memcpy(k->b, &s6->sin6_addr, 8);
		if (!IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			return;
		memcpy(k->b + 8, (const uint8_t *)&s6->sin6_addr + 8, 8);
		return;
	}
	k->b[10] = k->b[11] = 0xff;
	memcpy(k->b + 12, &s4->sin_addr, 4);
}

/* The key as text: "192.0.2.1" or "2001:db8::/64"; buf. */
char *
limit_name(const struct limit_key *k, char *buf, size_t len)
{
	static const uint8_t	mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (memcmp(k->b, mapped, sizeof(mapped)) == 0) {
		if (inet_ntop(AF_INET, k->b + 12, buf, (socklen_t)len) == NULL)
			buf[0] = '\0';
		return buf;
	}
	if (inet_ntop(AF_INET6, k->b, buf, (socklen_t)len) == NULL)
		buf[0] = '\0';
	else
		strlcat(buf, "/64", len);
	return buf;
}

/* The bucket of a key: FNV-1a over its bytes, seeded. */
static uint32_t
limit_hash(const struct limit *l, const struct limit_key *k)
{
	return hash_fnv1a(k->b, sizeof(k->b), l->seed) & l->mask;
}

/* The link that points at key's entry (or the chain's end). */
static uint32_t *
limit_find(struct limit *l, const struct limit_key *k)
{
	uint32_t	*p = &l->buckets[limit_hash(l, k)];

	while (*p != LIMIT_NONE && memcmp(&l->pool[*p - 1].key, k,
	    sizeof(*k)) != 0)
		p = &l->pool[*p - 1].next;
	return p;
}

/* Count one more connection of key unless it has max already. */
int
limit_add(struct limit *l, const struct limit_key *k, uint32_t max)
{
	uint32_t		*p = limit_find(l, k), i;
	struct limit_entry	*e;

	if (*p != LIMIT_NONE) {
		e = &l->pool[*p - 1];
		if (max > 0 && e->count >= max)
			return -1;
		e->count++;
		return 0;
	}
	if ((i = l->free) != LIMIT_NONE)
		l->free = l->pool[i - 1].next;
	else if (l->used < l->max)
		i = ++l->used;
	else
		return -1;	/* more connections than the worker takes */
	e = &l->pool[i - 1];
	e->key = *k;
	e->count = 1;
	e->next = LIMIT_NONE;
	*p = i;
	return 0;
}

/* One connection of key closed. */
void
limit_del(struct limit *l, const struct limit_key *k)
{
	uint32_t	*p = limit_find(l, k), i = *p;

	if (i == LIMIT_NONE || --l->pool[i - 1].count > 0)
		return;
	*p = l->pool[i - 1].next;
	l->pool[i - 1].next = l->free;
	l->free = i;
}

/* Count one connection of from under to instead, unless to is full. */
int
limit_move(struct limit *l, const struct limit_key *from,
    const struct limit_key *to, uint32_t max)
{
	/* Freed first, so the entry from held is there for to. */
	limit_del(l, from);
	if (limit_add(l, to, max) == 0)
		return 0;
	/* Cannot fail: the entry just freed is free again. */
	limit_add(l, from, 0);
	return -1;
}
