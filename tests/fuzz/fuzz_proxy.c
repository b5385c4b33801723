/*
 * fuzz_proxy: libFuzzer target for the PROXY protocol header parser and
 * the X-Forwarded-For walk. The first byte picks which: even, the rest is
 * the start of a connection; odd, the rest is split at '\n' into field
 * values of X-Forwarded-For lines. libFuzzer hands the input in a buffer of
 * exactly its size, so a read past it is an AddressSanitizer report. What
 * the parser takes must keep proxy.h's promises: a header no longer than
 * its version's bound and than what was given, a whole v1 line ending in
 * CRLF, and the same answer whatever bytes follow it.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "http.h"
#include "proxy.h"
#include "realip.h"

#define FUZZ_LINES	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The header's promises; the bytes after it must not change the answer. */
static void
fuzz_header(const uint8_t *p, size_t n)
{
	struct proxy_header	 h, again;
	const char		*why;
	uint8_t			*cut;
	int			 r = proxy_parse(p, n, &h, &why);

	if (r != 1)
		return;
	if (h.len > n || h.len > (h.version == 1 ? PROXY_V1_MAX :
	    PROXY_V2_MAX))
		abort();
	if (h.version == 1 && (h.len < 2 || memcmp(p + h.len - 2, "\r\n",
	    2) != 0))
		abort();
	if (!h.local && h.src.ss_family != AF_INET &&
	    h.src.ss_family != AF_INET6)
		abort();
	/* Exactly the header, in a buffer of its size. */
	if ((cut = malloc(h.len)) == NULL)
		return;
	memcpy(cut, p, h.len);
	if (proxy_parse(cut, h.len, &again, &why) != 1 ||
	    again.len != h.len || again.local != h.local ||
	    memcmp(&again.src, &h.src, sizeof(h.src)) != 0)
		abort();
	free(cut);
}

/* The walk over up to FUZZ_LINES field values. */
static void
fuzz_forwarded(const uint8_t *p, size_t n)
{
	static const char *const	 blocks[] = { "10.0.0.0/8", "::1",
	    "192.0.2.0/24" };
	struct cidr			 t[3];
	struct http_request		*req;
	struct sockaddr_storage		 ss;
	const char			*why;
	const uint8_t			*nl;
	size_t				 i;

	if ((req = calloc(1, sizeof(*req))) == NULL)
		return;
	for (i = 0; i < 3; i++)
		cidr_parse(blocks[i], &t[i], &why, NULL);
	while (req->nheaders < FUZZ_LINES) {
		nl = memchr(p, '\n', n);
		req->headers[req->nheaders].name = (struct http_str){
		    "X-Forwarded-For", 15 };
		req->headers[req->nheaders++].value = (struct http_str){
		    n > 0 ? (const char *)p : NULL, nl != NULL ?
		    (size_t)(nl - p) : n };
		if (nl == NULL)
			break;
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	if (realip_client(t, 3, req, "x-forwarded-for", &ss) == 1 &&
	    ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		abort();
	free(req);
}

/* One input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] % 2 == 0)
		fuzz_header(data + 1, size - 1);
	else
		fuzz_forwarded(data + 1, size - 1);
	return 0;
}
