/* proxy: the PROXY protocol header (v1 text, v2 binary) a load balancer sends before a connection's own bytes. */
#ifndef TINE_PROXY_H
#define TINE_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The longest v1 line, "PROXY UNKNOWN <v6> <v6> 65535 65535\r\n". */
#define PROXY_V1_MAX	107
/* The longest v2 header taken: 16 bytes, then addresses and TLVs. The
 * addresses need at most 216 (AF_UNIX); the rest is room for TLVs (AWS's
 * endpoint id, HAProxy's unique id, ALPN, authority). A header longer than
 * this (a client certificate in a TLV) is refused. */
#define PROXY_V2_MAX	(16 + 2048)
/* What the reader must be able to look at to decide. */
#define PROXY_MAX	PROXY_V2_MAX

/* What a complete header said. */
struct proxy_header {
	size_t			 len;		/* bytes it takes; the next
						 * stage starts after them */
	int			 version;	/* 1 or 2 */
	bool			 local;		/* no address to take: keep
						 * the peer's (v2 LOCAL,
						 * UNKNOWN, UNSPEC, AF_UNIX) */
	struct sockaddr_storage	 src;		/* the client, unless local */
};

/*
 * Parse the first n bytes a connection sent. Returns 1 with *out filled
 * when they begin with a whole valid header (out->len of them; the bytes
 * after it are not looked at), 0 when they are a valid beginning that is
 * still short, and -1 with *why saying what is wrong otherwise (not a
 * PROXY header, a malformed one, one longer than PROXY_V1_MAX or
 * PROXY_V2_MAX). Pure: no system call, no allocation.
 */
int	proxy_parse(const uint8_t *p, size_t n, struct proxy_header *out,
	    const char **why);

#endif
