/* accesslog: compile an access_log_format once, then format request lines. */
#ifndef TINE_ACCESSLOG_H
#define TINE_ACCESSLOG_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "http.h"

/* A buffer this big holds any sane line; longer ones are cut to fit. */
#define ALOG_LINE_MAX	8192

/* Directives (literals and "%%" aside) one custom format may hold. */
#define ALOG_MAX_DIRECTIVES	64

/* A compiled format: read-only once built, so one may serve many lines. */
struct alog;

/*
 * Everything one line can show. Every http_str is a byte range that may hold
 * any bytes and is absent when its ptr is NULL (a connection that sent
 * garbage has no method, path ...). Nothing is copied: the pointers must stay
 * valid only during alog_format().
 */
struct alog_entry {
	const char		*client;	/* %h %a; NULL: absent */
	const char		*peer;		/* %{c}a %{c}h; NULL: as client */
	struct http_str		 request_line;	/* %r: as received, no CRLF */
	struct http_str		 method;	/* %m */
	struct http_str		 path;		/* %U: as received, no query */
	struct http_str		 query;		/* %q: without the '?' */
	struct http_str		 protocol;	/* %H: "HTTP/1.1" */
	struct http_str		 host;		/* %v: the vhost that answered, else Host */
	struct http_str		 user;		/* %u: the user Basic auth let in */
	/* %{Name}i: found with http_header_find(); NULL: none parsed */
	const struct http_request *req;
	/* %{Name}o: the raw head, "HTTP/1.1 200 OK\r\nName: value\r\n" */
	struct http_str		 response_head;
	int			 status;	/* %>s %s: the final status */
	uint64_t		 body_bytes;	/* %b %B: body bytes sent */
	struct timespec		 start;		/* %t: wall clock at start */
	uint64_t		 duration_us;	/* %D %T */
	int			 local_port;	/* %p */
	pid_t			 pid;		/* %P */
	const char		*tls_protocol;	/* %{ssl_protocol}x; NULL: plain */
	const char		*tls_cipher;	/* %{ssl_cipher}x; NULL: plain */
	/* %X: "X" the connection ended before the response was all sent,
	 * "+" it stays open for another request, "-" it closes; NULL: absent */
	const char		*conn_status;
};

/*
 * Compile a format: NULL or "combined" (Apache's combined, byte for byte),
 * "common", "json" (one object per line), or a custom string of Apache
 * directives: %h %a %l %u %t %r %>s %<s %s %b %B %D %T %{s|ms|us}T %m %U %q
 * %H %v %p %P %X %{Name}i %{Name}o %{ssl_protocol}x %{ssl_cipher}x (mod_ssl's
 * names, any case; "-" over plain HTTP) %{c}a %{c}h (the connection's
 * peer, a proxy's address where %h %a show the client behind it) %%. %t is when the request's first
 * byte was read, %D and %T count from then. A '<' or '>' after the '%' is accepted
 * and ignored (tine has no internal redirects). Text formats escape every
 * request-derived byte as Apache's ap_escape_logitem() does: \" \\ \b \n \r
 * \t \v, any other byte below 0x20 or from 0x7f up as \xhh. An absent value
 * is "-" (%q: empty); %U is the path as received, still percent-encoded.
 *
 * JSON strings follow RFC 8259 (\" \\ \b \f \n \r \t, other control bytes
 * and DEL as \u00xx); valid UTF-8 passes through, and each byte that is not
 * part of a valid UTF-8 sequence becomes \u00xx of its value (so a reader
 * sees it as U+0080..U+00FF), which keeps every line valid JSON. Absent
 * strings are null.
 *
 * Returns a format owned by the caller (alog_free()), or NULL with a message
 * naming the bad directive in err, e.g. "unknown directive %Z".
 */
struct alog	*alog_compile(const char *format, char *err, size_t errlen);

/*
 * Write the line of one request into buf: at most len bytes, always ending in
 * '\n', not NUL-terminated; returns the bytes written (0 only when len is 0).
 * A line that does not fit is cut: literals, numbers and times stay whole and
 * the string fields share the room left, the short ones kept whole and the
 * long ones cut at an escape boundary, so quotes stay balanced and JSON stays
 * valid. A buffer too small even for that gets as many whole fields as fit
 * (JSON: "{}\n").
 */
size_t		 alog_format(const struct alog *, const struct alog_entry *,
		    char *buf, size_t len);

/* Fill the entry's %m %U %q %H %v and %{Name}i from a parsed request head
 * (its pointers, not copies). */
void		 alog_entry_request(struct alog_entry *,
		    const struct http_request *);

/* Release a compiled format; NULL is fine. */
void		 alog_free(struct alog *);

#endif
