/* static: answer one parsed request from the document root. */
#ifndef TINE_STATIC_H
#define TINE_STATIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "range.h"

struct fentry;
struct http_request;
struct worker_proc;

#define RESP_HDR_MAX	(4096 + RANGE_MAX * 160)
#define RESP_SEGS	(2 * RANGE_MAX + 2)

/* A piece of a response body: bytes in memory, or a range of the file. */
struct seg {
	const char	*mem;		/* NULL: from the file at off */
	off_t		 off;
	size_t		 len;
};

/*
 * A response being built, then sent by conn. hdr holds the head and, for
 * multipart bodies, the part headers that segments point into.
 */
struct response {
	int		 status;
	bool		 close;		/* "Connection: close", then close */
	bool		 keep_alive_10;	/* HTTP/1.0 keep-alive: say so */
	struct fentry	*fe;		/* file held while sending, or NULL */
	char		 hdr[RESP_HDR_MAX];
	size_t		 hdrlen;
	size_t		 headlen;	/* bytes of hdr that are the head */
	struct seg	 segs[RESP_SEGS];
	int		 nsegs;
	uint64_t	 body_len;	/* what Content-Length says */
};

/* Answer a request (method, path, conditionals, ranges) into r. */
void	static_serve(struct worker_proc *, const struct http_request *,
	    struct response *r);

/* An error response with a short HTML body (none for HEAD). */
void	static_error(struct worker_proc *, struct response *r, int status,
	    bool head);

#endif
