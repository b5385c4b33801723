/* Unit tests for common/http.c: the corpus replayed every way, then fields. */
#include "tine_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "../corpus.h"
#include "buf.h"
#include "http.h"
#include "../http_same.h"

static const struct http_limits test_defaults = { 8192, 16384, 100 };

/* Parse s whole with fresh state; the request lands in *req. */
static long
test_parse(const char *s, size_t len, const struct http_limits *lim,
    struct http_request *req)
{
	struct http_parser	 p;

	http_parser_init(&p);
	return http_parse(&p, s, len, lim, req);
}

/* Parse a C string whole with the default limits. */
static long
test_parse_str(const char *s, struct http_request *req)
{
	return test_parse(s, strlen(s), &test_defaults, req);
}

/* Whether an http_str holds exactly the C string want. */
static bool
test_str_is(struct http_str s, const char *want)
{
	return s.ptr != NULL && s.len == strlen(want) &&
	    memcmp(s.ptr, want, s.len) == 0;
}

/* Load the corpus named by TINE_SRCDIR or fail the test. */
static void
test_load(struct corpus_case **cases, size_t *n)
{
	char	 path[4096];

	cr_assert_eq(corpus_path(path, sizeof(path)), 0);
	cr_assert_eq(corpus_load(path, cases, n), 0,
	    "cannot load %s (is TINE_SRCDIR set?)", path);
}

/*
 * Feed c one byte more each call; returns the result and sets *at to the
 * prefix length that decided it (0 if none did).
 */
static long
test_bytewise(const struct corpus_case *c, struct http_request *req,
    size_t *at)
{
	struct http_parser	 p;
	size_t			 k;
	long			 r = HTTP_PARSE_MORE;

	*at = 0;
	http_parser_init(&p);
	for (k = 1; k <= c->rawlen && r == HTTP_PARSE_MORE; k++) {
		r = http_parse(&p, c->raw, k, &test_defaults, req);
		*at = k;
	}
	return r;
}

/* Split c at every offset up to upto: two calls must equal one. */
static void
test_splits(const struct corpus_case *c, size_t upto, long whole,
    const struct http_request *want, struct http_request *req)
{
	struct http_parser	 p;
	size_t			 k;
	long			 r;

	for (k = 0; k <= upto; k++) {
		http_parser_init(&p);
		r = http_parse(&p, c->raw, k, &test_defaults, req);
		if (r == HTTP_PARSE_MORE)
			r = http_parse(&p, c->raw, c->rawlen, &test_defaults,
			    req);
		if (!http_same(c->raw, whole, want, r, req)) {
			cr_expect_fail("line %d %s: split at %zu gives %ld "
			    "(status %d), whole gives %ld (status %d)",
			    c->line, c->name, k, r, req->status, whole,
			    want->status);
			return;
		}
	}
}

/* One corpus case: whole, byte-at-a-time, and split at every offset. */
static void
test_case(const struct corpus_case *c, struct http_request *whole,
    struct http_request *req)
{
	size_t	 at;
	long	 r, w;

	w = test_parse(c->raw, c->rawlen, &test_defaults, whole);
	if (c->parse_status == 0)
		cr_expect_gt(w, 0, "line %d %s: want ok, got %ld status %d",
		    c->line, c->name, w, whole->status);
	else
		cr_expect(w == -1 && whole->status == c->parse_status,
		    "line %d %s: want %d, got %ld status %d", c->line,
		    c->name, c->parse_status, w, whole->status);
	r = test_bytewise(c, req, &at);
	cr_expect(http_same(c->raw, w, whole, r, req),
	    "line %d %s: byte-at-a-time gives %ld (status %d)", c->line,
	    c->name, r, req->status);
	/* A head is complete only with its last byte, never earlier. */
	if (w > 0)
		cr_expect_eq(at, (size_t)w, "line %d %s", c->line, c->name);
	/* Past the deciding byte the first call decides alone. */
	test_splits(c, at, w, whole, req);
}

/* The corpus parses, is big enough, and every name is unique. */
Test(http_corpus, loads_enough_distinct_cases)
{
	struct corpus_case	*cases;
	size_t			 n, i, j;

	test_load(&cases, &n);
	cr_expect_geq(n, 170);
	for (i = 0; i < n; i++) {
		cr_expect(cases[i].server_status >= 100, "line %d",
		    cases[i].line);
		for (j = i + 1; j < n; j++)
			cr_expect_str_neq(cases[i].name, cases[j].name,
			    "lines %d and %d", cases[i].line, cases[j].line);
	}
	corpus_free(cases, n);
}

/* Every case gives its status whole, byte by byte and split anywhere. */
Test(http_corpus, every_case_every_split, .timeout = 300)
{
	struct corpus_case	*cases;
	struct http_request	*whole, *req;
	size_t			 n, i;

	test_load(&cases, &n);
	whole = malloc(sizeof(*whole));
	req = malloc(sizeof(*req));
	cr_assert(whole != NULL && req != NULL);
	for (i = 0; i < n; i++)
		test_case(&cases[i], whole, req);
	free(whole);
	free(req);
	corpus_free(cases, n);
}

/* Write s to a temporary corpus file and try to load it. */
static int
test_load_text(const char *text, struct corpus_case **cases, size_t *n)
{
	char	 path[] = "/tmp/tine-corpus-XXXXXX";
	FILE	*fp;
	int	 fd, rc;

	cr_assert_neq(fd = mkstemp(path), -1);
	cr_assert_not_null(fp = fdopen(fd, "w"));
	fputs(text, fp);
	fclose(fp);
	rc = corpus_load(path, cases, n);
	unlink(path);
	return rc;
}

/* Escapes and {LONG}/{REP} expand to the exact bytes. */
Test(http_corpus, loader_expands_escapes_and_macros)
{
	struct corpus_case	*c;
	size_t			 n;

	cr_assert_eq(test_load_text("# c\n\nx\tok\t200\tkeep\t"
	    "a\\r\\n\\t\\\\\\x41{LONG:3}{REP:2:\\r\\n}{x}\n"
	    "y\t414\t414\tclose\tz\n", &c, &n), 0);
	cr_assert_eq(n, 2);
	cr_expect_eq(c[0].line, 3);
	cr_expect_str_eq(c[0].name, "x");
	cr_expect_eq(c[0].parse_status, 0);
	cr_expect_eq(c[0].server_status, 200);
	cr_expect(!c[0].close);
	cr_expect_eq(c[0].rawlen, 16);
	cr_expect(memcmp(c[0].raw, "a\r\n\t\\Aaaa\r\n\r\n{x}", 16) == 0);
	cr_expect_eq(c[1].parse_status, 414);
	cr_expect(c[1].close);
	corpus_free(c, n);
}

/* A malformed line fails the whole load instead of being skipped. */
Test(http_corpus, loader_rejects_malformed_lines)
{
	static const char *const bad[] = {
		"x\tok\t200\tkeep\n",		/* four fields */
		"x\tmaybe\t200\tkeep\tGET\n",	/* bad PARSE */
		"x\tok\t2000\tkeep\tGET\n",	/* bad SERVER */
		"x\tok\t200\topen\tGET\n",	/* bad CONN */
		"x\tok\t200\tkeep\tG\\qT\n",	/* unknown escape */
		"x\tok\t200\tkeep\tG\\x4\n",	/* short \x */
		"x\tok\t200\tkeep\tG\tT\n",	/* raw tab in REQUEST */
		"x\tok\t200\tkeep\t{LONG:x}\n",	/* bad macro */
	};
	struct corpus_case	*c;
	size_t			 n, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(test_load_text(bad[i], &c, &n), -1, "case %zu",
		    i);
}

/* Origin-form: method, version, target split, host without port. */
Test(http_fields, origin_form)
{
	struct http_request	 r;
	const char		*s = "GET /a/b.txt?x=1&y HTTP/1.1\r\n"
	    "Host: example.com:8080\r\nUser-Agent:  t/1 \r\n\r\n";

	cr_assert_eq(test_parse_str(s, &r), (long)strlen(s));
	cr_expect_eq(r.method, HTTP_METHOD_GET);
	cr_expect(test_str_is(r.method_str, "GET"));
	cr_expect_eq(r.version, 11);
	cr_expect(test_str_is(r.target, "/a/b.txt?x=1&y"));
	cr_expect(test_str_is(r.path, "/a/b.txt"));
	cr_expect(test_str_is(r.query, "x=1&y"));
	cr_expect(test_str_is(r.host, "example.com"));
	cr_expect(test_str_is(r.user_agent, "t/1"));
	cr_expect(!r.asterisk && !r.has_content_length && !r.chunked);
	cr_expect_eq(r.nheaders, 2);
	cr_expect(test_str_is(r.headers[1].name, "User-Agent"));
}

/* "?" with nothing after it is an empty query, not a missing one. */
Test(http_fields, no_query_is_null_empty_query_is_not)
{
	struct http_request	 r;

	cr_assert_gt(test_parse_str("GET /a HTTP/1.1\r\nHost: x\r\n\r\n", &r),
	    0);
	cr_expect_null(r.query.ptr);
	cr_assert_gt(test_parse_str("GET /a? HTTP/1.1\r\nHost: x\r\n\r\n",
	    &r), 0);
	cr_expect_not_null(r.query.ptr);
	cr_expect_eq(r.query.len, 0);
	cr_expect(test_str_is(r.path, "/a"));
}

/* The absolute-form host replaces the Host field's. */
Test(http_fields, absolute_form_host_wins)
{
	struct http_request	 r;
	const char		*s =
	    "GET http://Example.ORG:81/p/q?z HTTP/1.1\r\n"
	    "Host: other.example\r\n\r\n";

	cr_assert_gt(test_parse_str(s, &r), 0);
	cr_expect(test_str_is(r.host, "Example.ORG"));
	cr_expect(test_str_is(r.path, "/p/q"));
	cr_expect(test_str_is(r.query, "z"));
	cr_expect(test_str_is(http_header_find(&r, "host")->value,
	    "other.example"));
}

/* An absolute-form target without a path asks for "/". */
Test(http_fields, absolute_form_empty_path_is_slash)
{
	struct http_request	 r;
	const char		*s =
	    "GET https://[::1]?q HTTP/1.1\r\nHost: x\r\n\r\n";

	cr_assert_gt(test_parse_str(s, &r), 0);
	cr_expect(test_str_is(r.host, "[::1]"));
	cr_expect(test_str_is(r.path, "/"));
	cr_expect(test_str_is(r.query, "q"));
	/* Still inside the caller's buffer. */
	cr_expect(r.path.ptr >= s && r.path.ptr < s + strlen(s));
}

/* req->host never carries the port, is never empty, and is absent only
 * without Host in 1.0. */
Test(http_fields, host_without_port)
{
	struct http_request	 r;

	cr_assert_gt(test_parse_str("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
	    &r), 0);
	cr_expect(test_str_is(r.host, "[::1]"));
	cr_assert_gt(test_parse_str("GET / HTTP/1.1\r\nHost: a.b:\r\n\r\n",
	    &r), 0);
	cr_expect(test_str_is(r.host, "a.b"));
	/* RFC 3986's port is *DIGIT: leading zeros are allowed, and the port
	 * is dropped (a site is picked by the name alone, see vhost.c). */
	cr_assert_gt(test_parse_str("GET / HTTP/1.1\r\nHost: "
	    "example.com:0080\r\n\r\n", &r), 0);
	cr_expect(test_str_is(r.host, "example.com"));
	cr_assert_gt(test_parse_str("GET http://[::1]:00443/x HTTP/1.1\r\n"
	    "Host: other\r\n\r\n", &r), 0);
	cr_expect(test_str_is(r.host, "[::1]"));
	/* An empty host is no host (RFC 9110 4.2.1): 400. */
	cr_assert_eq(test_parse_str("GET / HTTP/1.1\r\nHost:\r\n\r\n", &r),
	    -1);
	cr_expect_eq(r.status, 400);
	cr_assert_eq(test_parse_str("GET / HTTP/1.1\r\nHost: :80\r\n\r\n",
	    &r), -1);
	cr_expect_eq(r.status, 400);
	cr_assert_gt(test_parse_str("GET / HTTP/1.0\r\n\r\n", &r), 0);
	cr_expect_null(r.host.ptr);
}

/* OPTIONS * and CONNECT host:port have no path. */
Test(http_fields, asterisk_and_authority)
{
	struct http_request	 r;

	cr_assert_gt(test_parse_str("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	    &r), 0);
	cr_expect(r.asterisk);
	cr_expect_eq(r.method, HTTP_METHOD_OPTIONS);
	cr_expect_null(r.path.ptr);
	cr_assert_gt(test_parse_str("CONNECT a.b:443 HTTP/1.1\r\nHost: a.b:443"
	    "\r\n\r\n", &r), 0);
	cr_expect_eq(r.method, HTTP_METHOD_CONNECT);
	cr_expect(test_str_is(r.target, "a.b:443"));
	cr_expect_null(r.path.ptr);
	cr_expect(!r.asterisk);
}

/* Known methods map to their enum and back; others are UNKNOWN. */
Test(http_fields, methods)
{
	static const char *const names[] = { "GET", "HEAD", "OPTIONS", "POST",
	    "PUT", "DELETE", "TRACE", "PATCH" };
	struct http_request	 r;
	char			 s[128];
	size_t			 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(s, sizeof(s), "%s / HTTP/1.1\r\nHost: x\r\n\r\n",
		    names[i]);
		cr_assert_gt(test_parse_str(s, &r), 0, "%s", names[i]);
		cr_expect_str_eq(http_method_name(r.method), names[i]);
	}
	cr_assert_gt(test_parse_str("BREW / HTTP/1.1\r\nHost: x\r\n\r\n", &r),
	    0);
	cr_expect_eq(r.method, HTTP_METHOD_UNKNOWN);
	cr_expect(test_str_is(r.method_str, "BREW"));
	cr_expect_str_eq(http_method_name(HTTP_METHOD_UNKNOWN), "UNKNOWN");
	cr_expect_str_eq(http_method_name(HTTP_METHOD_CONNECT), "CONNECT");
}

/* 1.0 is 10; 1.1 and later 1.x are 11. */
Test(http_fields, versions)
{
	struct http_request	 r;

	cr_assert_gt(test_parse_str("GET / HTTP/1.0\r\n\r\n", &r), 0);
	cr_expect_eq(r.version, 10);
	cr_assert_gt(test_parse_str("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r),
	    0);
	cr_expect_eq(r.version, 11);
	cr_assert_gt(test_parse_str("GET / HTTP/1.7\r\nHost: x\r\n\r\n", &r),
	    0);
	cr_expect_eq(r.version, 11);
}

/* Content-Length up to 2^63-1 and chunked framing are reported. */
Test(http_fields, content_length_and_chunked)
{
	struct http_request	 r;

	cr_assert_gt(test_parse_str("POST / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 9223372036854775807\r\n\r\n", &r), 0);
	cr_expect(r.has_content_length);
	cr_expect_eq(r.content_length, 9223372036854775807ULL);
	cr_expect(!r.chunked);
	cr_assert_gt(test_parse_str("POST / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 0\r\n\r\n", &r), 0);
	cr_expect(r.has_content_length);
	cr_expect_eq(r.content_length, 0);
	cr_assert_gt(test_parse_str("POST / HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: gzip, Chunked\r\n\r\n", &r), 0);
	cr_expect(r.chunked);
	cr_expect(!r.has_content_length);
}

/* keep_alive for each version and Connection combination. */
Test(http_fields, keep_alive_matrix)
{
	static const struct {
		const char	*version;
		const char	*conn;		/* NULL: no Connection field */
		bool		 keep;
	} m[] = {
		{ "1.1", NULL, true },
		{ "1.1", "close", false },
		{ "1.1", "keep-alive", true },
		{ "1.1", "keep-alive, close", false },
		{ "1.1", "Upgrade", true },
		{ "1.0", NULL, false },
		{ "1.0", "close", false },
		{ "1.0", "keep-alive", true },
		{ "1.0", "KEEP-ALIVE , foo", true },
		{ "1.0", "close, keep-alive", false },
		{ "1.0", "foo", false },
	};
	struct http_request	 r;
	char			 s[256];
	size_t			 i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		snprintf(s, sizeof(s), "GET / HTTP/%s\r\nHost: x\r\n%s%s%s\r\n",
		    m[i].version, m[i].conn ? "Connection: " : "",
		    m[i].conn ? m[i].conn : "", m[i].conn ? "\r\n" : "");
		cr_assert_gt(test_parse_str(s, &r), 0, "%zu", i);
		cr_expect_eq(r.keep_alive, m[i].keep, "case %zu: %s %s", i,
		    m[i].version, m[i].conn ? m[i].conn : "-");
	}
}

/* 100-continue counts in 1.1 only. */
Test(http_fields, expect_continue)
{
	struct http_request	 r;

	cr_assert_gt(test_parse_str("PUT / HTTP/1.1\r\nHost: x\r\n"
	    "Expect: 100-CONTINUE\r\nContent-Length: 1\r\n\r\n", &r), 0);
	cr_expect(r.expect_continue);
	cr_assert_gt(test_parse_str("PUT / HTTP/1.0\r\n"
	    "Expect: 100-continue\r\nContent-Length: 1\r\n\r\n", &r), 0);
	cr_expect(!r.expect_continue);
	cr_assert_gt(test_parse_str("PUT / HTTP/1.1\r\nHost: x\r\n\r\n", &r),
	    0);
	cr_expect(!r.expect_continue);
}

/* Every singleton field is filled, and a repeat keeps the first. */
Test(http_fields, singletons_keep_first)
{
	struct http_request	 r;
	const char		*s = "GET / HTTP/1.1\r\nHost: x\r\n"
	    "If-None-Match: \"a\"\r\nif-none-match: \"b\"\r\n"
	    "If-Match: \"c\"\r\nIf-Modified-Since: d1\r\n"
	    "If-Unmodified-Since: d2\r\nRange: bytes=0-1\r\n"
	    "RANGE: bytes=5-\r\nIf-Range: d3\r\nUser-Agent: ua\r\n"
	    "Referer: /ref\r\n\r\n";

	cr_assert_gt(test_parse_str(s, &r), 0);
	cr_expect(test_str_is(r.if_none_match, "\"a\""));
	cr_expect(test_str_is(r.if_match, "\"c\""));
	cr_expect(test_str_is(r.if_modified_since, "d1"));
	cr_expect(test_str_is(r.if_unmodified_since, "d2"));
	cr_expect(test_str_is(r.range, "bytes=0-1"));
	cr_expect(test_str_is(r.if_range, "d3"));
	cr_expect(test_str_is(r.user_agent, "ua"));
	cr_expect(test_str_is(r.referer, "/ref"));
	cr_expect_eq(r.nheaders, 11);
}

/* Lookup is case-insensitive on whole names; values are trimmed. */
Test(http_fields, header_find)
{
	struct http_request	 r;
	const struct http_header *h;

	cr_assert_gt(test_parse_str("GET / HTTP/1.1\r\nHost: x\r\n"
	    "X-Thing:\t v a l \t\r\nX-Empty:\r\n\r\n", &r), 0);
	cr_assert_not_null(h = http_header_find(&r, "x-THING"));
	cr_expect(test_str_is(h->value, "v a l"));
	cr_assert_not_null(h = http_header_find(&r, "X-Empty"));
	cr_expect_eq(h->value.len, 0);
	cr_expect_null(http_header_find(&r, "X-Thin"));
	cr_expect_null(http_header_find(&r, "X-Things"));
}

/* A list field on several lines: every line, in order, then NULL. */
Test(http_fields, header_next)
{
	struct http_request	 r;
	const struct http_header *h;

	cr_assert_gt(test_parse_str("GET / HTTP/1.1\r\nIf-Match: \"a\"\r\n"
	    "Host: x\r\nif-match: \"b\", \"c\"\r\nX: y\r\n"
	    "IF-MATCH: *\r\n\r\n", &r), 0);
	cr_assert_not_null(h = http_header_next(&r, NULL, "If-Match"));
	cr_expect(test_str_is(h->value, "\"a\""));
	cr_assert_not_null(h = http_header_next(&r, h, "If-Match"));
	cr_expect(test_str_is(h->value, "\"b\", \"c\""));
	cr_assert_not_null(h = http_header_next(&r, h, "If-Match"));
	cr_expect(test_str_is(h->value, "*"));
	cr_expect_null(http_header_next(&r, h, "If-Match"));
	cr_expect_null(http_header_next(&r, NULL, "If-None-Match"));
}

/* Whether c is an ASCII letter or digit (not ctype: no locale). */
static bool
test_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Whether c is one of the bytes of the C string set (NUL never is). */
static bool
test_in(int c, const char *set)
{
	return c != 0 && strchr(set, c) != NULL;
}

/* Parse the request with byte c put at each '@' of fmt; -1 or its status. */
static long
test_with_byte(const char *fmt, int c)
{
	struct http_request	 req;
	char			 s[128];
	size_t			 i, n = strlen(fmt);
	long			 r;

	cr_assert_lt(n, sizeof(s));
	for (i = 0; i < n; i++)
		s[i] = fmt[i] == '@' ? (char)c : fmt[i];
	r = test_parse(s, n, &test_defaults, &req);
	return r >= 0 ? 0 : req.status;
}

/*
 * Every byte where the grammar names a class: a method is tchars (RFC 9110
 * 5.6.2: an unknown one is 501, not 400), a target visible ASCII but the
 * unsafe "<>\^`{|}# (and '%' only before two hex digits), a host
 * unreserved and sub-delims (RFC 3986 3.2.2).
 */
Test(http_fields, byte_classes)
{
	long	r;
	int	c;

	for (c = 0; c < 256; c++) {
		r = test_with_byte("G@T / HTTP/1.1\r\nHost: x\r\n\r\n", c);
		if (test_alnum(c) || test_in(c, "!#$%&'*+-.^_`|~"))
			cr_expect(r == 0 || r == 501, "method byte 0x%02x: %ld",
			    c, r);
		else
			cr_expect_eq(r, 400, "method byte 0x%02x", c);
		r = test_with_byte("GET /a@b HTTP/1.1\r\nHost: x\r\n\r\n", c);
		if (c > 0x20 && c < 0x7f && c != '%' &&
		    !test_in(c, "\"<>\\^`{|}#"))
			cr_expect_eq(r, 0, "target byte 0x%02x", c);
		else
			cr_expect_eq(r, 400, "target byte 0x%02x", c);
		r = test_with_byte("GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", c);
		if (test_alnum(c) || test_in(c, "-._~!$&'()*+,;="))
			cr_expect_eq(r, 0, "host byte 0x%02x", c);
		else
			cr_expect_eq(r, 400, "host byte 0x%02x", c);
	}
}

/* The first line as received, for the log: blank lines before it skipped,
 * no line end, whatever it holds; none in an empty or all-blank buffer. */
Test(http_fields, first_line)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1" },
		{ "\r\n\r\nGET /a HTTP/1.0\r\n", "GET /a HTTP/1.0" },
		{ "\n\nbare lf\nsecond", "bare lf" },
		{ "no line end at all", "no line end at all" },
		{ "stray\rCR", "stray" },
		{ "lf first\nthen\rcr", "lf first" },
		{ "cr first\rthen\nlf", "cr first" },
		{ "\x01\x7f\xff\\\"", "\x01\x7f\xff\\\"" },
		{ "", NULL },
		{ "\r\n\n\r", NULL },
	};
	struct http_str	 l;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		l = http_first_line(cases[i].in, strlen(cases[i].in));
		if (cases[i].want == NULL) {
			cr_expect_null(l.ptr, "case %zu", i);
			cr_expect_eq(l.len, 0, "case %zu", i);
		} else
			cr_expect(test_str_is(l, cases[i].want), "case %zu: "
			    "\"%.*s\"", i, (int)l.len, l.ptr);
	}
}

/* Every status tine sends has its reason phrase. */
Test(http_fields, status_texts)
{
	static const int codes[] = { 100, 200, 204, 206, 301, 304, 400, 401,
	    403, 404, 405, 408, 411, 412, 413, 414, 416, 417, 431, 500, 501,
	    503, 505 };
	size_t	 i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		cr_expect_str_neq(http_status_text(codes[i]), "Unknown", "%d",
		    codes[i]);
	cr_expect_str_eq(http_status_text(404), "Not Found");
	cr_expect_str_eq(http_status_text(431),
	    "Request Header Fields Too Large");
	cr_expect_str_eq(http_status_text(299), "Unknown");
}

/* Back-to-back heads come out one at a time with exact lengths. */
Test(http_stream, pipelined_heads)
{
	static const char	 s[] =
	    "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
	    "\r\nHEAD /22 HTTP/1.1\r\nHost: y\r\n\r\n"
	    "GET /333 HTTP/1.0\r\n\r\nGET /4";
	struct http_request	 r;
	struct http_parser	 p;
	size_t			 off = 0, len = sizeof(s) - 1;
	long			 n;

	http_parser_init(&p);
	n = http_parse(&p, s, len, &test_defaults, &r);
	cr_assert_eq(n, 28);
	cr_expect(test_str_is(r.path, "/1"));
	off += (size_t)n;
	http_parser_init(&p);
	n = http_parse(&p, s + off, len - off, &test_defaults, &r);
	/* The leading CRLF belongs to the second head. */
	cr_assert_eq(n, 2 + 30);
	cr_expect_eq(r.method, HTTP_METHOD_HEAD);
	cr_expect(test_str_is(r.path, "/22"));
	off += (size_t)n;
	http_parser_init(&p);
	n = http_parse(&p, s + off, len - off, &test_defaults, &r);
	cr_assert_eq(n, 21);
	cr_expect(test_str_is(r.path, "/333"));
	off += (size_t)n;
	http_parser_init(&p);
	cr_expect_eq(http_parse(&p, s + off, len - off, &test_defaults, &r),
	    HTTP_PARSE_MORE);
	cr_expect_eq(off + 6, len);
}

/* The scan remembers its place, but never between CR and LF. */
Test(http_stream, scanned_advances_and_stops_at_cr)
{
	static const char	 s[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct http_request	 r;
	struct http_parser	 p;

	http_parser_init(&p);
	cr_expect_eq(http_parse(&p, s, 0, &test_defaults, &r), 0);
	cr_expect_eq(http_parse(&p, s, 20, &test_defaults, &r), 0);
	cr_expect_eq(p.scanned, 20);
	/* A CR whose LF is missing is looked at again next time. */
	cr_expect_eq(http_parse(&p, s, 24, &test_defaults, &r), 0);
	cr_expect_eq(p.scanned, 23);
	cr_expect_eq(http_parse(&p, s, sizeof(s) - 1, &test_defaults, &r),
	    (long)sizeof(s) - 1);
}

/* Line-level errors do not wait for the end of the head. */
Test(http_stream, errors_are_found_early)
{
	struct http_request	 r;

	/* A bad request line is refused when its CRLF comes, not later. */
	cr_expect_eq(test_parse_str("GET / HTTP/2.0\r\n", &r), -1);
	cr_expect_eq(r.status, 505);
	cr_expect_eq(test_parse_str("G@T / HTTP/1.1\r\nHost", &r), -1);
	cr_expect_eq(r.status, 400);
	cr_expect_eq(test_parse_str("GET / HTTP/1.1\r\nHost: x\n", &r), -1);
	cr_expect_eq(r.status, 400);
	cr_expect_eq(test_parse_str("GET / HTTP/1.1\r\nHo\rst", &r), -1);
	cr_expect_eq(r.status, 400);
	/* Field errors wait for the whole head. */
	cr_expect_eq(test_parse_str("GET / HTTP/1.1\r\nHost : x\r\n", &r), 0);
}

/* Build "GET /<pad> HTTP/1.1" plus CRLF and fields, for limit tests. */
static size_t
test_build(char *buf, size_t cap, size_t pad, const char *rest)
{
	int	 n;

	n = snprintf(buf, cap, "GET /%.*s HTTP/1.1\r\n%s", (int)pad,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    rest);
	cr_assert(n > 0 && (size_t)n < cap && pad <= 128);
	return (size_t)n;
}

/* max_request_line is allowed exactly; one more is 414, early. */
Test(http_limits, request_line_boundary)
{
	struct http_limits	 lim = { 64, 4096, 10 };
	struct http_request	 r;
	char			 buf[512];
	size_t			 len;

	/* "GET /" + pad + " HTTP/1.1" is 14 + pad bytes. */
	len = test_build(buf, sizeof(buf), 50, "Host: x\r\n\r\n");
	cr_expect_eq(test_parse(buf, len, &lim, &r), (long)len);
	len = test_build(buf, sizeof(buf), 51, "Host: x\r\n\r\n");
	cr_expect_eq(test_parse(buf, len, &lim, &r), -1);
	cr_expect_eq(r.status, 414);
	/* Known as soon as 65 bytes came without a CRLF. */
	cr_expect_eq(test_parse(buf, 64, &lim, &r), 0);
	cr_expect_eq(test_parse(buf, 65, &lim, &r), -1);
	cr_expect_eq(r.status, 414);
	/* Leading empty lines do not count against the request line. */
	len = (size_t)snprintf(buf, sizeof(buf), "\r\n\r\n");
	len += test_build(buf + len, sizeof(buf) - len, 50, "Host: x\r\n\r\n");
	cr_expect_eq(test_parse(buf, len, &lim, &r), (long)len);
}

/* Leading empty lines are bounded by max_request_line. */
Test(http_limits, leading_lines_boundary)
{
	struct http_limits	 lim = { 8, 4096, 10 };
	struct http_request	 r;
	const char		*ok =
	    "\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
	const char		*bad = "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n";

	lim.max_request_line = 16;
	cr_expect_eq(test_parse(ok, strlen(ok), &lim, &r), (long)strlen(ok));
	lim.max_request_line = 8;
	cr_expect_eq(test_parse(bad, strlen(bad), &lim, &r), -1);
	cr_expect_eq(r.status, 400);
}

/* max_header_size is allowed exactly; one more is 431, early. */
Test(http_limits, header_size_boundary)
{
	struct http_limits	 lim = { 1024, 0, 10 };
	struct http_request	 r;
	char			 buf[512];
	size_t			 len;

	len = test_build(buf, sizeof(buf), 10, "Host: x\r\nX: y\r\n\r\n");
	lim.max_header_size = len;
	cr_expect_eq(test_parse(buf, len, &lim, &r), (long)len);
	lim.max_header_size = len - 1;
	cr_expect_eq(test_parse(buf, len, &lim, &r), -1);
	cr_expect_eq(r.status, 431);
	/* Without its end, the head is refused once one byte too many came. */
	cr_expect_eq(test_parse(buf, len - 3, &lim, &r), 0);
	lim.max_header_size = len - 4;
	cr_expect_eq(test_parse(buf, len - 3, &lim, &r), -1);
	cr_expect_eq(r.status, 431);
}

/* max_headers is allowed exactly; one more is 431. */
Test(http_limits, field_count_boundary)
{
	struct http_limits	 lim = { 1024, 4096, 3 };
	struct http_request	 r;
	const char		*three = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\n"
	    "B: 2\r\n\r\n";
	const char		*four = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\n"
	    "B: 2\r\nC: 3\r\n\r\n";

	cr_expect_eq(test_parse(three, strlen(three), &lim, &r),
	    (long)strlen(three));
	cr_expect_eq(r.nheaders, 3);
	cr_expect_eq(test_parse(four, strlen(four), &lim, &r), -1);
	cr_expect_eq(r.status, 431);
	/* Beyond the hard cap, config cannot raise it. */
	lim.max_headers = HTTP_MAX_HEADERS + 50;
	cr_expect_eq(test_parse(four, strlen(four), &lim, &r),
	    (long)strlen(four));
}

/* HTTP_MAX_HEADERS caps the count even when the config allows more. */
Test(http_limits, hard_field_cap)
{
	struct http_limits	 lim = { 1024, 65536, 1000 };
	struct http_request	 r;
	char			 buf[4096];
	struct buf		 b;
	size_t			 i;

	buf_init(&b, buf, sizeof(buf));
	buf_adds(&b, "GET / HTTP/1.1\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS; i++)
		buf_adds(&b, i == 0 ? "Host: x\r\n" : "X: y\r\n");
	buf_adds(&b, "\r\n");
	cr_assert(buf_ok(&b));
	cr_expect_eq(test_parse(buf, b.len, &lim, &r), (long)b.len);
	cr_expect_eq(r.nheaders, HTTP_MAX_HEADERS);
	buf_truncate(&b, b.len - 2);
	buf_adds(&b, "X: 1\r\n\r\n");
	cr_assert(buf_ok(&b));
	cr_expect_eq(test_parse(buf, b.len, &lim, &r), -1);
	cr_expect_eq(r.status, 431);
}
