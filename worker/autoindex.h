/* autoindex: a directory's listing, HTML or JSON, when it has no index. */
#ifndef TINE_AUTOINDEX_H
#define TINE_AUTOINDEX_H

#include <stdbool.h>
#include <stddef.h>

struct response;
struct worker_proc;

/* Whether a query (as sent, without '?'; NULL for none) asks for the JSON
 * listing: one of its '&'-separated parameters is exactly format=json. */
bool	autoindex_json(const char *query, size_t len);

/*
 * Build the listing of the directory path (normalised, ending in '/') of
 * r's site into r->listing: 0, or the HTTP status to answer instead. At
 * most autoindex_max_entries entries, within a fixed number of bytes;
 * *cut says that some were left out for those bounds. r->listing belongs
 * to r until autoindex_release().
 */
int	autoindex_build(struct worker_proc *, struct response *r,
	    const char *path, size_t len, bool json, bool *cut);

/* Free r's listing, if it has one (once it is sent, or not to be). */
void	autoindex_release(struct worker_proc *, struct response *r);

#endif
