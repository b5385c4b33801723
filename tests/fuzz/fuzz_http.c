/*
 * fuzz_http: libFuzzer target for the request parser. Any input must give the
 * same result parsed whole, split in two at an offset taken from its first
 * byte, and fed one byte at a time; then the pipelined heads are walked.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_same.h"

/* Small limits, so the fuzzer reaches 414 and 431 with short inputs. */
static const struct http_limits fuzz_limits = { 64, 256, 8 };

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Check what a successful parse promises about its result. */
static void
fuzz_check_ok(const char *buf, size_t len, long n,
    const struct http_request *req)
{
	const struct http_header	*h;
	char				 name[64];
	int				 i;

	if ((size_t)n > len || n < 4 || memcmp(buf + n - 4, "\r\n\r\n", 4) != 0)
		abort();
	if (req->version != 10 && req->version != 11)
		abort();
	if (req->nheaders < 0 || req->nheaders > fuzz_limits.max_headers)
		abort();
	if (req->path.ptr != NULL && req->path.ptr[0] != '/')
		abort();
	if (req->version == 11 && req->host.ptr == NULL)
		abort();
	if (req->chunked && req->has_content_length)
		abort();
	/* Every stored name can be found again, no later than where it is. */
	for (i = 0; i < req->nheaders; i++) {
		h = &req->headers[i];
		if (h->name.len == 0)
			abort();
		if (h->name.len >= sizeof(name))
			continue;
		memcpy(name, h->name.ptr, h->name.len);
		name[h->name.len] = '\0';
		if (http_header_find(req, name) == NULL ||
		    http_header_find(req, name) > h)
			abort();
	}
	if (http_method_name(req->method) == NULL)
		abort();
}

/* Parse buf[0..len) every way and compare; returns the whole result. */
static long
fuzz_one(const char *buf, size_t len, size_t split,
    struct http_request *whole, struct http_request *req)
{
	struct http_parser	 p;
	size_t			 k;
	long			 w, r;

	http_parser_init(&p);
	w = http_parse(&p, buf, len, &fuzz_limits, whole);
	if (w == -1 && strcmp(http_status_text(whole->status), "Unknown") == 0)
		abort();
	if (w > 0)
		fuzz_check_ok(buf, len, w, whole);

	http_parser_init(&p);
	r = http_parse(&p, buf, split, &fuzz_limits, req);
	if (r == HTTP_PARSE_MORE)
		r = http_parse(&p, buf, len, &fuzz_limits, req);
	if (!http_same(buf, w, whole, r, req))
		abort();

	http_parser_init(&p);
	r = HTTP_PARSE_MORE;
	for (k = 0; k <= len && r == HTTP_PARSE_MORE; k++)
		r = http_parse(&p, buf, k, &fuzz_limits, req);
	if (!http_same(buf, w, whole, r, req))
		abort();
	return w;
}

/* Entry point: the whole input, then each pipelined head after the first. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_request	 whole, req;
	const char			*buf = (const char *)data;
	size_t				 off = 0, split;
	long				 n;

	split = size == 0 ? 0 : (size_t)data[0] * (size + 1) / 256;
	while (off <= size) {
		n = fuzz_one(buf + off, size - off, split > off ?
		    split - off : 0, &whole, &req);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	return 0;
}
