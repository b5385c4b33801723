/* range: parse a Range header (RFC 9110 14.2) against a representation length. */
#ifndef TINE_RANGE_H
#define TINE_RANGE_H

#include <stddef.h>
#include <sys/types.h>

#define RANGE_MAX	16	/* more ranges than this: answer the whole file */

struct range {
	off_t	first;		/* inclusive */
	off_t	last;		/* inclusive */
};

/*
 * Parse "bytes=..." for a file of `size` bytes into at most max ranges,
 * sorted and with overlapping or adjacent ranges coalesced. Returns the number
 * of satisfiable ranges (>0), 0 when none is satisfiable (416), or -1 when
 * the header is syntactically invalid, another unit, or has more than max
 * ranges (ignore it and send 200).
 */
int	range_parse(const char *v, size_t len, off_t size, struct range *out,
	    int max);

#endif
