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

/* Whether the worker may hold cap more bytes of generated bodies (the
 * listings and status pages its clients have not taken yet, at most
 * AUTOINDEX_HELD_MAX in all): 0, or -1 (logged, naming path) to answer
 * 503 instead. */
int	autoindex_room(struct worker_proc *w, size_t cap, const char *path);

/* Give r the generated body mem (len bytes, malloc'd, within what
 * autoindex_room allowed): r->listing, counted in the worker's bytes held
 * until autoindex_release. */
void	autoindex_hold(struct worker_proc *w, struct response *r, char *mem,
	    size_t len);

/* Free r's listing, if it has one (once it is sent, or not to be). */
void	autoindex_release(struct worker_proc *, struct response *r);

#endif
