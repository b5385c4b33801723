/* static: answer one parsed request from the document root. */
#ifndef TINE_STATIC_H
#define TINE_STATIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "range.h"

struct cidr_addr;
struct config_site;
struct fcache;
struct fentry;
struct http_request;
struct worker_proc;

#define RESP_HEAD_MAX		4096	/* a response head */
#define RESP_BODY_MAX		(RANGE_MAX * 256) /* generated body bytes */
#define RESP_SEGS		(2 * RANGE_MAX + 2)

/* A piece of a response body: bytes in memory, or a range of the file. */
struct seg {
	const char	*mem;		/* NULL: from the file at off */
	off_t		 off;
	size_t		 len;
};

/*
 * A response being built, then sent by conn. hdr holds the head (built
 * through `head`), body the generated body bytes that segments point into
 * (an error page, multipart part headers; built through `gen`). Both are
 * bounded: what does not fit becomes a 500, never a cut line. A directory
 * listing, too big for body, is on the heap (listing): conn frees it with
 * autoindex_release() once it is sent, as it releases fe.
 */
struct response {
	int		 status;
	bool		 close;		/* "Connection: close", then close */
	bool		 keep_alive_10;	/* HTTP/1.0 keep-alive: say so */
	bool		 tls;		/* the request came over TLS */
	bool		 quiet;		/* no access-log line (health_path) */
	struct fentry	*fe;		/* file held while sending, or NULL */
	struct fcache	*fc;		/* the site's cache fe belongs to */
	const struct config_site *site;	/* the site it answers for, or NULL */
	char		*listing;	/* an autoindex body, malloc'd, or NULL */
	size_t		 listing_len;
	const char	*user;		/* let in by Basic auth (%u), or NULL */
	char		 hdr[RESP_HEAD_MAX];
	struct buf	 head;
	size_t		 headlen;	/* bytes of hdr that are the head */
	char		 body[RESP_BODY_MAX];
	struct buf	 gen;
	struct seg	 segs[RESP_SEGS];
	int		 nsegs;
	uint64_t	 body_len;	/* what Content-Length says */
};

/* Answer a request from peer (access rules, method, path, conditionals,
 * ranges) into r. */
void	static_serve(struct worker_proc *, const struct http_request *,
	    const struct cidr_addr *peer, struct response *r);

/* An error response with a short HTML body (none for HEAD). */
void	static_error(struct worker_proc *, struct response *r, int status,
	    bool head);

/* A generated page held in r->listing (freed as a listing is): status,
 * its Content-Type value, never to be cached; no body for HEAD. */
void	static_held(struct worker_proc *, struct response *r, int status,
	    const char *type, bool head);

/* The status for a file that could not be opened (errno value err);
 * logs what is the server's fault. */
int	static_errno_status(int err, const char *path);

#endif
