/* cond: validators (ETag, Last-Modified) and conditional requests (RFC 9110 13). */
#ifndef TINE_COND_H
#define TINE_COND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#define COND_ETAG_LEN	64

/* The request's conditional fields; a NULL ptr means the header is absent. */
struct cond_request {
	const char	*if_match;		size_t if_match_len;
	const char	*if_none_match;		size_t if_none_match_len;
	const char	*if_modified_since;	size_t if_modified_since_len;
	const char	*if_unmodified_since;	size_t if_unmodified_since_len;
};

enum cond_result {
	COND_PROCEED = 0,	/* serve normally */
	COND_NOT_MODIFIED,	/* 304 */
	COND_FAILED		/* 412 */
};

/* Write a strong ETag ("\"...\"", quotes included) for this file version. */
size_t		 cond_etag(const struct stat *, char buf[COND_ETAG_LEN]);

/*
 * Does a comma-separated entity-tag list (or "*") match etag? weak selects
 * the weak comparison (If-None-Match) instead of the strong one (If-Match).
 */
bool		 cond_etag_match(const char *list, size_t len, const char *etag,
		    bool weak);

/* Evaluate preconditions in RFC 9110 13.2.2 order for a GET/HEAD. */
enum cond_result cond_evaluate(const struct cond_request *, const char *etag,
		    time_t mtime);

/* Should a Range be honoured given this If-Range value (ETag or date)? */
bool		 cond_if_range(const char *v, size_t len, const char *etag,
		    time_t mtime);

#endif
