/* http_same: compare two parses of the same bytes (the incremental property). */
#ifndef TINE_HTTP_SAME_H
#define TINE_HTTP_SAME_H

#include <stdbool.h>

#include "http.h"

/*
 * Whether http_parse() results r1 (into a) and r2 (into b) over the same
 * buffer buf agree: the same return, the same status on failure, and on
 * success the same fields at the same offsets of buf.
 */
bool	http_same(const char *buf, long r1, const struct http_request *a,
	    long r2, const struct http_request *b);

#endif
