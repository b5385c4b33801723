/* status: the status page (status_path), from the scoreboard. */
#ifndef TINE_STATUS_H
#define TINE_STATUS_H

#include <stdbool.h>
#include <stddef.h>

struct cidr_addr;
struct http_request;
struct response;
struct worker_proc;

/*
 * Answer a GET or HEAD of r's site's status_path (path, normalised, len
 * bytes) from peer: the page in the format the query asks for, or 403
 * to a peer outside status_allow. False when path is not the status page.
 */
bool	status_serve(struct worker_proc *, const struct http_request *,
	    const struct cidr_addr *peer, struct response *r,
	    const char *path, size_t len);

#endif
