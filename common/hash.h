/* hash: FNV-1a, the one hash of the workers' and the master's tables. */
#ifndef TINE_HASH_H
#define TINE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a of len bytes at p, from seed (0 for the plain hash): cheap and
 * good enough for paths, extensions and addresses. */
static inline uint32_t
hash_fnv1a(const void *p, size_t len, uint32_t seed)
{
	const unsigned char	*s = p;
	uint32_t		 h = 2166136261u ^ seed;

	while (len-- > 0)
		h = (h ^ *s++) * 16777619u;
	return h;
}

#endif
