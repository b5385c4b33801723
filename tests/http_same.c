/* http_same: compare two parses of the same bytes (the incremental property). */
#include <stdbool.h>

#include "http.h"
#include "http_same.h"

/* Offset of an http_str in buf, -1 when absent. */
static long
http_same_off(const char *buf, struct http_str s)
{
	return s.ptr == NULL ? -1 : (long)(s.ptr - buf);
}

/* Whether two parses of the same bytes agree on everything they filled. */
bool
http_same(const char *buf, long r1, const struct http_request *a, long r2,
    const struct http_request *b)
{
	if (r1 != r2)
		return false;
	if (r1 == -1)
		return a->status == b->status;
	if (r1 == HTTP_PARSE_MORE)
		return true;
	return a->method == b->method && a->version == b->version &&
	    http_same_off(buf, a->target) == http_same_off(buf, b->target) &&
	    http_same_off(buf, a->path) == http_same_off(buf, b->path) &&
	    a->path.len == b->path.len &&
	    http_same_off(buf, a->query) == http_same_off(buf, b->query) &&
	    http_same_off(buf, a->host) == http_same_off(buf, b->host) &&
	    a->host.len == b->host.len && a->nheaders == b->nheaders &&
	    a->has_content_length == b->has_content_length &&
	    a->content_length == b->content_length &&
	    a->chunked == b->chunked && a->keep_alive == b->keep_alive &&
	    a->expect_continue == b->expect_continue &&
	    a->asterisk == b->asterisk &&
	    http_same_off(buf, a->range) == http_same_off(buf, b->range);
}
