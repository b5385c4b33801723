/*
 * http: a strict, incremental HTTP/1.1 request-head parser (RFC 9112).
 *
 * Work is split in two passes. The scan runs over each new byte once, finds
 * the end of the head and rejects what can be rejected early: bare CR or LF,
 * the size limits, and a malformed request line as soon as its CRLF arrives.
 * Only when the whole head is there does the second pass read it again to
 * fill struct http_request and check the header fields.
 *
 * The only state kept between calls is parser->scanned, the offset where the
 * scan stopped; everything else is rebuilt from the bytes just before it. The
 * scan never stops between a CR and its LF, so at any offset the previous
 * byte tells whether a line has just begun. Only inside the request line must
 * its start be known (for 414): a memrchr() back to the last LF, over at most
 * max_request_line bytes, tells both whether this is the request line and
 * where it began. So a call costs its new bytes plus at most that one
 * bounded memrchr(), never a rescan of the head, however the bytes trickle.
 *
 * Errors are found in byte order by the scan and in field order by the second
 * pass, so the result never depends on how the bytes were split into calls.
 */
#ifdef HAVE_CONFIG_H
#include "tine_build.h"
#else
#define _GNU_SOURCE 1	/* memrchr, when built alone for the fuzzer */
#endif

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* Which part of the head the scan is in. */
enum http_phase {
	HTTP_LEADING,		/* empty lines before the request line */
	HTTP_REQLINE,
	HTTP_FIELDS
};

struct http_scan {
	enum http_phase	 phase;
	size_t		 line;		/* current line's start, or SIZE_MAX */
};

/* What the Transfer-Encoding fields seen so far add up to. */
struct http_te {
	int		 codings;	/* non-empty list elements */
	bool		 last_chunked;
	bool		 chunked_early;	/* chunked, then another coding: 400 */
	bool		 unknown;	/* a coding we do not know: 501 */
};

/* What the fields said, gathered before deciding (order matters). */
struct http_seen {
	const struct http_header *host;
	int		 nhost;
	bool		 has_te;
	struct http_te	 te;
	bool		 close;		/* Connection: close */
	bool		 keep;		/* Connection: keep-alive */
	bool		 expect_bad;
};

/* Used when the caller passes no limits: the config defaults. */
static const struct http_limits http_default_limits = { 8192, 16384,
    HTTP_MAX_HEADERS };

static const char *const http_methods[] = {
	[HTTP_METHOD_GET] = "GET",
	[HTTP_METHOD_HEAD] = "HEAD",
	[HTTP_METHOD_OPTIONS] = "OPTIONS",
	[HTTP_METHOD_POST] = "POST",
	[HTTP_METHOD_PUT] = "PUT",
	[HTTP_METHOD_DELETE] = "DELETE",
	[HTTP_METHOD_CONNECT] = "CONNECT",
	[HTTP_METHOD_TRACE] = "TRACE",
	[HTTP_METHOD_PATCH] = "PATCH"
};

/* Fields with a struct http_request member of their own, in slot order. */
static const char *const http_singletons[] = {
	"If-None-Match", "If-Match", "If-Modified-Since", "If-Unmodified-Since",
	"Range", "If-Range", "User-Agent", "Referer"
};

static const char *const http_codings[] = {
	"chunked", "gzip", "deflate", "compress", "x-gzip"
};

/* Whether c is a decimal digit. */
static bool
http_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Whether c is a hexadecimal digit. */
static bool
http_is_hex(unsigned char c)
{
	return http_is_digit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * The classes of a byte, a bit each, so that a check is one load: 1 tchar
 * (RFC 9110: letters, digits and !#$%&'*+-.^_`|~), 2 unreserved or
 * sub-delims (RFC 3986: letters, digits and -._~!$&'()*+,;=), 4 what a
 * request-target may hold (visible ASCII but "<>\^`{|}#). Bytes below 0x20
 * and from 0x7f up are in none. tests/unit/test_http.c checks every byte
 * against those lists through the parser.
 */
#define HTTP_TCHAR	0x01
#define HTTP_HOSTCHAR	0x02
#define HTTP_TARGETCHAR	0x04
static const unsigned char http_class[256] = {
	[0x20] = 0, 7, 0, 1, 7, 5, 7, 7, 6, 6, 7, 7, 6, 7, 7, 4,
	[0x30] = 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 4, 6, 0, 6, 0, 4,
	[0x40] = 4, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	[0x50] = 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 4, 0, 4, 1, 7,
	[0x60] = 1, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	[0x70] = 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 1, 0, 7, 0,
};

/* Whether c may appear in a token (RFC 9110 tchar). */
static bool
http_is_tchar(unsigned char c)
{
	return (http_class[c] & HTTP_TCHAR) != 0;
}

/* Whether c is an RFC 3986 unreserved or sub-delims character. */
static bool
http_is_hostchar(unsigned char c)
{
	return (http_class[c] & HTTP_HOSTCHAR) != 0;
}

/* Whether c may appear in a request-target: visible ASCII minus unsafe. */
static bool
http_is_targetchar(unsigned char c)
{
	return (http_class[c] & HTTP_TARGETCHAR) != 0;
}

/* Whether s[0..len) is a non-empty token. */
static bool
http_is_token(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!http_is_tchar(s[i]))
			return false;
	return true;
}

/* Case-insensitive comparison of a counted string with a C string. */
static bool
http_str_eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

/* Whether a '%' at s[i] is followed by two hex digits inside s[0..len). */
static bool
http_pct_ok(const char *s, size_t len, size_t i)
{
	return i + 2 < len && http_is_hex(s[i + 1]) && http_is_hex(s[i + 2]);
}

/* Rebuild the scan state at pos from the bytes before it (see the top). */
static void
http_scan_resume(const char *buf, size_t pos, size_t max_rl,
    struct http_scan *st)
{
	const char	*nl;
	size_t		 ls, low;

	st->phase = HTTP_FIELDS;
	st->line = SIZE_MAX;
	if (pos == 0 || buf[pos - 1] == '\n') {
		/* An empty line before an unfinished head is a leading one. */
		if (pos <= 2 || buf[pos - 3] == '\n')
			st->phase = HTTP_LEADING;
		st->line = pos;
		return;
	}
	/* A line longer than max_rl cannot be the request line: 414 came. */
	low = pos > max_rl && pos - max_rl > 1 ? pos - max_rl - 1 : 0;
	nl = memrchr(buf + low, '\n', pos - low);
	if (nl == NULL && low > 0)
		return;
	ls = nl == NULL ? 0 : (size_t)(nl - buf) + 1;
	if (ls <= 2 || buf[ls - 3] == '\n') {
		st->phase = HTTP_REQLINE;
		st->line = ls;
	}
}

/* Map a method token to its enum; unknown tokens are not an error. */
static enum http_method
http_method_lookup(const char *s, size_t len)
{
	size_t	 m;

	for (m = 1; m < sizeof(http_methods) / sizeof(http_methods[0]); m++)
		if (strlen(http_methods[m]) == len &&
		    memcmp(http_methods[m], s, len) == 0)
			return (enum http_method)m;
	return HTTP_METHOD_UNKNOWN;
}

/* Check an HTTP-version; 0 with *version set, else 400 or 505. */
static int
http_version(const char *v, size_t len, int *version)
{
	if (len < 6 || memcmp(v, "HTTP/", 5) != 0 || !http_is_digit(v[5]))
		return 400;
	/* "HTTP/2", "HTTP/3": a newer protocol named without a minor. */
	if (len == 6)
		return v[5] >= '2' ? 505 : 400;
	if (len != 8 || v[6] != '.' || !http_is_digit(v[7]))
		return 400;
	if (v[5] != '1')
		return 505;
	/* Any later 1.x is answered as 1.1 (RFC 9110 6.2). */
	*version = v[7] == '0' ? 10 : 11;
	return 0;
}

/* Check "v" 1*HEXDIG "." 1*(unreserved / sub-delims / ":"). */
static bool
http_ipvfuture_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len < 4 || (s[0] != 'v' && s[0] != 'V'))
		return false;
	for (i = 1; i < len && http_is_hex(s[i]); i++)
		;
	if (i == 1 || i + 1 >= len || s[i] != '.')
		return false;
	for (i++; i < len; i++)
		if (!http_is_hostchar(s[i]) && s[i] != ':')
			return false;
	return true;
}

/* Check the inside of an IP-literal "[...]": IPv6 or IPvFuture. */
static bool
http_ip_literal_ok(const char *s, size_t len)
{
	char			 copy[INET6_ADDRSTRLEN];
	struct in6_addr		 addr;

	if (len > 0 && (s[0] == 'v' || s[0] == 'V'))
		return http_ipvfuture_ok(s, len);
	if (len == 0 || len >= sizeof(copy) || memchr(s, '\0', len) != NULL)
		return false;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return inet_pton(AF_INET6, copy, &addr) == 1;
}

/* Check a port: *DIGIT (empty allowed by RFC 3986), at most 65535. */
static bool
http_port_ok(const char *s, size_t len)
{
	unsigned long	 port = 0;
	size_t		 i;

	if (len > 5)
		return false;
	for (i = 0; i < len; i++) {
		if (!http_is_digit(s[i]))
			return false;
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	return port <= 65535;
}

/*
 * Check uri-host [":" port] (RFC 9110 7.2). Sets *hostlen to the length
 * without the port; returns 0 or -1.
 */
static int
http_host_check(const char *s, size_t len, size_t *hostlen)
{
	const char	*close;
	size_t		 i;

	if (len > 0 && s[0] == '[') {
		if ((close = memchr(s, ']', len)) == NULL ||
		    !http_ip_literal_ok(s + 1, (size_t)(close - s) - 1))
			return -1;
		i = (size_t)(close - s) + 1;
	} else {
		/* IPv4 addresses are reg-names as far as syntax goes. */
		for (i = 0; i < len && s[i] != ':'; i++) {
			if (s[i] == '%' && http_pct_ok(s, len, i))
				i += 2;
			else if (!http_is_hostchar(s[i]))
				return -1;
		}
	}
	*hostlen = i;
	if (i == len)
		return 0;
	if (s[i] != ':' || !http_port_ok(s + i + 1, len - i - 1))
		return -1;
	return 0;
}

/* Split a target that starts at its path into path and query. */
static void
http_path_query(struct http_request *req, const char *p, size_t len)
{
	const char	*q;

	if ((q = memchr(p, '?', len)) == NULL) {
		req->path.ptr = p;
		req->path.len = len;
		return;
	}
	req->path.ptr = p;
	req->path.len = (size_t)(q - p);
	req->query.ptr = q + 1;
	req->query.len = len - req->path.len - 1;
}

/* Absolute-form "http[s]://authority[/path][?query]"; its host wins. */
static int
http_absolute_form(struct http_request *req, const char *t, size_t len)
{
	size_t	 skip, alen, hostlen;

	if (len >= 7 && strncasecmp(t, "http://", 7) == 0)
		skip = 7;
	else if (len >= 8 && strncasecmp(t, "https://", 8) == 0)
		skip = 8;
	else
		return 400;
	for (alen = 0; skip + alen < len; alen++)
		if (t[skip + alen] == '/' || t[skip + alen] == '?')
			break;
	/* userinfo ('@') is refused here too: it is not a host character. */
	if (http_host_check(t + skip, alen, &hostlen) == -1 || hostlen == 0)
		return 400;
	req->host.ptr = t + skip;
	req->host.len = hostlen;
	if (skip + alen < len && t[skip + alen] == '/') {
		http_path_query(req, t + skip + alen, len - skip - alen);
		return 0;
	}
	/* No path means "/": point at the second slash of "//", in buf. */
	req->path.ptr = t + skip - 1;
	req->path.len = 1;
	if (skip + alen < len) {
		req->query.ptr = t + skip + alen + 1;
		req->query.len = len - skip - alen - 1;
	}
	return 0;
}

/* Authority-form "host:port", the only form CONNECT takes. */
static int
http_authority_form(const char *t, size_t len)
{
	size_t	 hostlen;

	if (http_host_check(t, len, &hostlen) == -1 || hostlen == 0 ||
	    hostlen + 1 >= len)
		return 400;
	return 0;
}

/* Check the request-target's bytes and pick its form by the method. */
static int
http_target(struct http_request *req, const char *t, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (!http_is_targetchar(t[i]))
			return 400;
		/* Decoding is path_normalize()'s; a broken escape is ours. */
		if (t[i] == '%' && !http_pct_ok(t, len, i))
			return 400;
	}
	req->target.ptr = t;
	req->target.len = len;
	if (req->method == HTTP_METHOD_CONNECT)
		return http_authority_form(t, len);
	if (t[0] == '/') {
		http_path_query(req, t, len);
		return 0;
	}
	if (len == 1 && t[0] == '*') {
		if (req->method != HTTP_METHOD_OPTIONS)
			return 400;
		req->asterisk = true;
		return 0;
	}
	return http_absolute_form(req, t, len);
}

/*
 * Parse "method SP target SP version" (no CRLF) into req. Returns 0, or the
 * status to answer: 400, or 505 for a version we do not speak.
 */
static int
http_reqline(const char *line, size_t len, struct http_request *req)
{
	const char	*sp1, *sp2, *t;
	size_t		 mlen, tlen;
	int		 status;

	if ((sp1 = memchr(line, ' ', len)) == NULL)
		return 400;
	mlen = (size_t)(sp1 - line);
	if (!http_is_token(line, mlen))
		return 400;
	t = sp1 + 1;
	if ((sp2 = memchr(t, ' ', len - mlen - 1)) == NULL)
		return 400;
	tlen = (size_t)(sp2 - t);
	if (tlen == 0)
		return 400;
	/* The version before the target, so an h2 preface gets its 505. */
	status = http_version(sp2 + 1, len - mlen - tlen - 2, &req->version);
	if (status != 0)
		return status;
	req->method_str.ptr = line;
	req->method_str.len = mlen;
	req->method = http_method_lookup(line, mlen);
	return http_target(req, t, tlen);
}

/* Check the line that just ended at buf[i] (CRLF), moving the scan on. */
static long
http_scan_eol(const char *buf, size_t i, const struct http_limits *lim,
    struct http_scan *st, struct http_request *req)
{
	int	 status;

	switch (st->phase) {
	case HTTP_LEADING:
		if (i + 2 > lim->max_request_line) {
			req->status = 400;
			return -1;
		}
		break;
	case HTTP_REQLINE:
		status = http_reqline(buf + st->line, i - st->line, req);
		if (status != 0) {
			req->status = status;
			return -1;
		}
		st->phase = HTTP_FIELDS;
		break;
	case HTTP_FIELDS:
		if (i == st->line)
			return (long)(i + 2);
		break;
	}
	st->line = i + 2;
	return 0;
}

/*
 * The status for a request line past the limit: 414 once a target has
 * begun; before that the method itself is too long, and no method that
 * long exists (501), unless it is not even a token (400).
 */
static int
http_long_line(const char *line, size_t len)
{
	if (memchr(line, ' ', len) != NULL)
		return 414;
	return http_is_token(line, len) ? 501 : 400;
}

/*
 * Scan the bytes not yet seen. Returns the head length once its empty line
 * arrived, 0 for more, -1 with req->status set.
 */
static long
http_scan(struct http_parser *p, const char *buf, size_t len,
    const struct http_limits *lim, struct http_request *req)
{
	struct http_scan	 st;
	size_t			 i;
	long			 n;

	http_scan_resume(buf, p->scanned, lim->max_request_line, &st);
	req->status = 400;
	for (i = p->scanned; i < len; i++) {
		if (i >= lim->max_header_size) {
			req->status = 431;
			return -1;
		}
		if (buf[i] == '\n')
			return -1;
		if (buf[i] != '\r') {
			if (st.phase == HTTP_LEADING) {
				st.phase = HTTP_REQLINE;
				st.line = i;
			}
			if (st.phase == HTTP_REQLINE &&
			    i - st.line >= lim->max_request_line) {
				req->status = http_long_line(buf + st.line,
				    i - st.line);
				return -1;
			}
			continue;
		}
		/* A CR whose LF is yet to come is seen again next call. */
		if (i + 1 == len)
			break;
		if (buf[i + 1] != '\n')
			return -1;
		if (i + 1 >= lim->max_header_size) {
			req->status = 431;
			return -1;
		}
		if ((n = http_scan_eol(buf, i, lim, &st, req)) != 0)
			return n;
		i++;
	}
	p->scanned = i;
	req->status = 0;
	return HTTP_PARSE_MORE;
}

/* Split one field line into name and trimmed value; 0 or 400. */
static int
http_field_line(const char *l, size_t len, struct http_header *h)
{
	const char	*colon;
	size_t		 i, start, end;
	unsigned char	 c;

	/* Also refuses obs-fold and whitespace before the colon. */
	if ((colon = memchr(l, ':', len)) == NULL ||
	    !http_is_token(l, (size_t)(colon - l)))
		return 400;
	start = (size_t)(colon - l) + 1;
	for (i = start; i < len; i++) {
		c = (unsigned char)l[i];
		if (c < 0x20 && c != '\t')
			return 400;
		if (c == 0x7f)
			return 400;
	}
	end = len;
	while (start < end && (l[start] == ' ' || l[start] == '\t'))
		start++;
	while (end > start && (l[end - 1] == ' ' || l[end - 1] == '\t'))
		end--;
	h->name.ptr = l;
	h->name.len = (size_t)(colon - l);
	h->value.ptr = l + start;
	h->value.len = end - start;
	return 0;
}

/* Split the field lines in buf[pos..end) into req->headers; 0, 400 or 431. */
static int
http_fields(struct http_request *req, const char *buf, size_t pos,
    size_t end, const struct http_limits *lim)
{
	const char	*eol;
	int		 max, status;

	max = lim->max_headers;
	if (max <= 0 || max > HTTP_MAX_HEADERS)
		max = HTTP_MAX_HEADERS;
	while (pos < end) {
		if (req->nheaders >= max)
			return 431;
		/* The scan left no bare CR: the first one ends the line. */
		eol = memchr(buf + pos, '\r', end - pos);
		status = http_field_line(buf + pos, (size_t)(eol - buf) - pos,
		    &req->headers[req->nheaders]);
		if (status != 0)
			return status;
		req->nheaders++;
		pos = (size_t)(eol - buf) + 2;
	}
	return 0;
}

/*
 * Take the next element of a comma-separated list, OWS trimmed; empty
 * elements are skipped as RFC 9110 5.6.1 asks. Returns false at the end.
 */
static bool
http_list_next(const char **s, const char *end, struct http_str *elem)
{
	const char	*p, *e;

	for (;;) {
		for (p = *s; p < end && (*p == ' ' || *p == '\t'); p++)
			;
		if (p == end)
			return false;
		for (e = p; e < end && *e != ','; e++)
			;
		*s = e < end ? e + 1 : e;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > p) {
			elem->ptr = p;
			elem->len = (size_t)(e - p);
			return true;
		}
	}
}

/* Parse Content-Length: 1*DIGIT up to 2^63-1; 0 or 400. */
static int
http_content_length(struct http_request *req, const struct http_str *v)
{
	uint64_t	 n = 0;
	size_t		 i;
	unsigned	 d;

	if (req->has_content_length || v->len == 0)
		return 400;
	for (i = 0; i < v->len; i++) {
		if (!http_is_digit(v->ptr[i]))
			return 400;
		d = (unsigned)(v->ptr[i] - '0');
		if (n > ((uint64_t)INT64_MAX - d) / 10)
			return 400;
		n = n * 10 + d;
	}
	req->has_content_length = true;
	req->content_length = n;
	return 0;
}

/* Fold one Transfer-Encoding field into te; 0 or 400. */
static int
http_transfer_encoding(struct http_te *te, const struct http_str *v)
{
	const char	*s = v->ptr, *end = v->ptr + v->len;
	struct http_str	 e;
	size_t		 k;
	bool		 known;

	while (http_list_next(&s, end, &e)) {
		if (!http_is_token(e.ptr, e.len))
			return 400;
		if (te->last_chunked)
			te->chunked_early = true;
		known = false;
		for (k = 0; k < sizeof(http_codings) / sizeof(http_codings[0]);
		    k++)
			if (http_str_eq(e.ptr, e.len, http_codings[k]))
				known = true;
		if (!known)
			te->unknown = true;
		te->last_chunked = http_str_eq(e.ptr, e.len, "chunked");
		te->codings++;
	}
	return 0;
}

/* Apply the Connection options; "close" wins over "keep-alive". */
static void
http_connection(const struct http_str *v, bool *close, bool *keep)
{
	const char	*s = v->ptr, *end = v->ptr + v->len;
	struct http_str	 e;

	while (http_list_next(&s, end, &e)) {
		if (http_str_eq(e.ptr, e.len, "close"))
			*close = true;
		else if (http_str_eq(e.ptr, e.len, "keep-alive"))
			*keep = true;
	}
}

/* Store a singleton field the first time it appears (see http.h). */
static void
http_singleton(struct http_request *req, const struct http_header *h)
{
	struct http_str	*slots[] = {
		&req->if_none_match, &req->if_match, &req->if_modified_since,
		&req->if_unmodified_since, &req->range, &req->if_range,
		&req->user_agent, &req->referer
	};
	size_t		 k;

	for (k = 0; k < sizeof(slots) / sizeof(slots[0]); k++) {
		if (!http_str_eq(h->name.ptr, h->name.len, http_singletons[k]))
			continue;
		if (slots[k]->ptr == NULL)
			*slots[k] = h->value;
		return;
	}
}

/* Check and record the Host field(s); the absolute-form host wins. */
static int
http_host(struct http_request *req, const struct http_header *host, int n)
{
	size_t	 hostlen;

	if (n > 1 || (n == 0 && req->version == 11))
		return 400;
	if (host == NULL)
		return 0;
	/* An http URI's host must not be empty (RFC 9110 4.2.1). */
	if (http_host_check(host->value.ptr, host->value.len, &hostlen) == -1 ||
	    hostlen == 0)
		return 400;
	if (req->host.ptr == NULL) {
		req->host.ptr = host->value.ptr;
		req->host.len = hostlen;
	}
	return 0;
}

/* Decide the body framing from Transfer-Encoding; 0, 400 or 501. */
static int
http_framing(struct http_request *req, const struct http_te *te, bool has_te)
{
	if (!has_te)
		return 0;
	/* Both framings at once is how requests get smuggled; and without
	 * chunked last the body's length cannot be known (RFC 9112 6.3). */
	if (req->has_content_length || req->version == 10 || te->codings == 0 ||
	    te->chunked_early || !te->last_chunked)
		return 400;
	if (te->unknown)
		return 501;
	req->chunked = true;
	return 0;
}

/* Note what one field means; 0, or 400 for a malformed framing field. */
static int
http_field_meaning(struct http_request *req, const struct http_header *h,
    struct http_seen *seen)
{
	const char	*n = h->name.ptr;
	size_t		 len = h->name.len;

	if (http_str_eq(n, len, "Host")) {
		seen->host = h;
		seen->nhost++;
	} else if (http_str_eq(n, len, "Content-Length"))
		return http_content_length(req, &h->value);
	else if (http_str_eq(n, len, "Transfer-Encoding")) {
		seen->has_te = true;
		return http_transfer_encoding(&seen->te, &h->value);
	} else if (http_str_eq(n, len, "Connection"))
		http_connection(&h->value, &seen->close, &seen->keep);
	else if (http_str_eq(n, len, "Expect")) {
		/* RFC 9110 10.1.1: a 1.0 client's 100-continue is ignored. */
		if (http_str_eq(h->value.ptr, h->value.len, "100-continue"))
			req->expect_continue = req->version == 11;
		else
			seen->expect_bad = true;
	} else
		http_singleton(req, h);
	return 0;
}

/*
 * Go over the fields for what they mean; 0 or the status to send. All 400s
 * come before 501 (a coding we lack) and 417, whatever the field order.
 */
static int
http_semantics(struct http_request *req)
{
	struct http_seen	 seen;
	int			 i, status;

	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < req->nheaders; i++)
		if (http_field_meaning(req, &req->headers[i], &seen) != 0)
			return 400;
	if ((status = http_host(req, seen.host, seen.nhost)) != 0 ||
	    (status = http_framing(req, &seen.te, seen.has_te)) != 0)
		return status;
	if (seen.expect_bad)
		return 417;
	req->keep_alive = !seen.close && (req->version == 11 || seen.keep);
	return 0;
}

/* Fill req from a complete head of n bytes; 0 or the status to send. */
static int
http_head(const char *buf, size_t n, const struct http_limits *lim,
    struct http_request *req)
{
	const char	*eol;
	size_t		 l, rl;
	int		 status;

	memset(req, 0, sizeof(*req));
	/* The scan checked the leading lines are all CRLF. */
	for (l = 0; buf[l] == '\r'; l += 2)
		;
	eol = memchr(buf + l, '\r', n - l);
	rl = (size_t)(eol - buf);
	if ((status = http_reqline(buf + l, rl - l, req)) != 0 ||
	    (status = http_fields(req, buf, rl + 2, n - 2, lim)) != 0)
		return status;
	return http_semantics(req);
}

/* Forget any progress: the next byte is the first of a new head. */
void
http_parser_init(struct http_parser *p)
{
	p->scanned = 0;
}

/* Scan what is new, then parse the head once it is complete. */
long
http_parse(struct http_parser *p, const char *buf, size_t len,
    const struct http_limits *lim, struct http_request *req)
{
	long	 n;
	int	 status;

	if (lim == NULL)
		lim = &http_default_limits;
	/* A caller that shrank the buffer broke the contract: start over. */
	if (p->scanned > len)
		p->scanned = 0;
	if ((n = http_scan(p, buf, len, lim, req)) <= 0)
		return n;
	if ((status = http_head(buf, (size_t)n, lim, req)) != 0) {
		req->status = status;
		return -1;
	}
	return n;
}

/* Linear search: a head holds at most HTTP_MAX_HEADERS fields. */
const struct http_header *
http_header_find(const struct http_request *req, const char *name)
{
	return http_header_next(req, NULL, name);
}

/* The next field line named name after prev (NULL: the first); or NULL. */
const struct http_header *
http_header_next(const struct http_request *req,
    const struct http_header *prev, const char *name)
{
	int	 i;

	for (i = prev == NULL ? 0 : (int)(prev - req->headers) + 1;
	    i < req->nheaders; i++)
		if (http_str_eq(req->headers[i].name.ptr,
		    req->headers[i].name.len, name))
			return &req->headers[i];
	return NULL;
}

/* The first line of what a client sent, parsed or not. */
struct http_str
http_first_line(const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *eol, *cr;

	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	/* Two memchr()s, not a byte loop: this runs for every log line. */
	if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
		eol = end;
	if ((cr = memchr(p, '\r', (size_t)(eol - p))) != NULL)
		eol = cr;
	return (struct http_str){ eol > p ? p : NULL, (size_t)(eol - p) };
}

/* The reason phrase of every status tine can send (RFC 9110 15). */
const char *
http_status_text(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* The method token of a known method; "UNKNOWN" otherwise, never NULL. */
const char *
http_method_name(enum http_method m)
{
	if (m <= HTTP_METHOD_UNKNOWN || m > HTTP_METHOD_PATCH)
		return "UNKNOWN";
	return http_methods[m];
}
