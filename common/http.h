/* http: the strict, incremental HTTP/1.1 request parser (RFC 9112) and status names. */
#ifndef TINE_HTTP_H
#define TINE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hard cap on stored header fields; config max_headers may only lower it. */
#define HTTP_MAX_HEADERS	100

enum http_method {
	HTTP_METHOD_UNKNOWN = 0,	/* a valid token we do not know: 501 */
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_OPTIONS,
	HTTP_METHOD_POST,		/* known but not served: 405 */
	HTTP_METHOD_PUT,
	HTTP_METHOD_DELETE,
	HTTP_METHOD_CONNECT,
	HTTP_METHOD_TRACE,
	HTTP_METHOD_PATCH
};

/* A byte range inside the caller's buffer; ptr NULL when absent. */
struct http_str {
	const char	*ptr;
	size_t		 len;
};

struct http_header {
	struct http_str	 name;
	struct http_str	 value;		/* leading/trailing OWS removed */
};

struct http_limits {
	size_t		 max_request_line;	/* request line without CRLF; 414 */
	size_t		 max_header_size;	/* whole block incl. request line; 431 */
	int		 max_headers;		/* field count; 431 */
};

/*
 * One parsed request head. Every http_str points into the buffer given to
 * http_parse(), which the caller must keep unchanged while it uses them.
 */
struct http_request {
	enum http_method	 method;
	struct http_str		 method_str;
	int			 version;	/* 10 or 11 */
	struct http_str		 target;	/* raw request-target */
	struct http_str		 path;		/* still percent-encoded; no query */
	struct http_str		 query;		/* after '?', without it; ptr NULL if none */
	bool			 asterisk;	/* target was "*" (OPTIONS only) */
	struct http_str		 host;		/* absolute-form host, else Host; no port */

	struct http_header	 headers[HTTP_MAX_HEADERS];
	int			 nheaders;

	bool			 has_content_length;
	uint64_t		 content_length;
	bool			 chunked;	/* Transfer-Encoding ends in chunked */
	bool			 keep_alive;	/* version default + Connection */
	bool			 expect_continue;

	struct http_str		 if_none_match;
	struct http_str		 if_match;
	struct http_str		 if_modified_since;
	struct http_str		 if_unmodified_since;
	struct http_str		 range;
	struct http_str		 if_range;
	struct http_str		 user_agent;
	struct http_str		 referer;

	int			 status;	/* when http_parse() fails: 400, 414, 431, 501, 505 */
};

/* Progress kept between calls, so bytes already checked are not scanned again. */
struct http_parser {
	size_t		 scanned;
};

#define HTTP_PARSE_MORE	0

/* Reset a parser before the first byte of a new request. */
void		 http_parser_init(struct http_parser *);

/*
 * Parse the request head at the start of buf[0..len). Returns the number of
 * bytes the head used (leading empty lines and the final CRLF included) once
 * it is complete, HTTP_PARSE_MORE when more bytes are needed, or -1 with
 * req->status set. A failed request must be answered and the connection
 * closed. Calling again with a longer buffer holding the same prefix gives the
 * same result as one call with everything.
 */
long		 http_parse(struct http_parser *, const char *buf, size_t len,
		    const struct http_limits *, struct http_request *req);

/* Find a header by case-insensitive name; NULL if absent. */
const struct http_header *http_header_find(const struct http_request *,
		    const char *name);

/* The next field line with that name after prev (NULL: the first one), for
 * a list field sent on several lines; NULL after the last. */
const struct http_header *http_header_next(const struct http_request *,
		    const struct http_header *prev, const char *name);

/* The first line of buf as received, leading blank lines skipped and
 * without its CR/LF, whether or not it parses (for the access log and the
 * error answers); ptr NULL when there is none. */
struct http_str	 http_first_line(const char *buf, size_t len);

/* "OK", "Not Found", ...; "Unknown" for codes we never send. */
const char	*http_status_text(int status);

/* "GET", "HEAD", ... for known methods. */
const char	*http_method_name(enum http_method);

#endif
