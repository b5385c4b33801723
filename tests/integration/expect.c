/* expect: Criterion expectations on a response read by the harness. */
#include "tine_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <criterion/criterion.h>

#include "expect.h"

#define EXPECT_ERROR_MAX	512	/* a "short" HTML error body */

/* The header must be there. */
const char *
expect_header(const struct tine_resp *r, const char *name)
{
	const char	*v = tine_resp_header(r, name);

	cr_assert_not_null(v, "no %s header in:\n%s", name, r->head);
	return v;
}

/* A header with exactly this value. */
void
expect_hdr(const struct tine_resp *r, const char *name, const char *want)
{
	const char	*v = tine_resp_header(r, name);

	cr_expect(v != NULL && strcmp(v, want) == 0, "%s is \"%s\", want "
	    "\"%s\" in:\n%s", name, v != NULL ? v : "(absent)", want, r->head);
}

/* The status line's code. */
void
expect_status(const struct tine_resp *r, int status)
{
	cr_expect_eq(r->status, status, "status %d, want %d:\n%s", r->status,
	    status, r->head);
}

/* One Content-Length, all digits, equal to n. */
void
expect_length(const struct tine_resp *r, unsigned long long n)
{
	const char	*v = expect_header(r, "Content-Length");
	char		*end;

	cr_expect_eq(tine_resp_count(r, "Content-Length"), 1, "Content-Length "
	    "twice:\n%s", r->head);
	cr_expect(strtoull(v, &end, 10) == n && *end == '\0' && end != v,
	    "Content-Length \"%s\", want %llu", v, n);
}

/* The media type, with or without parameters. */
void
expect_type(const struct tine_resp *r, const char *mime)
{
	const char	*v = expect_header(r, "Content-Type");
	size_t		 n = strlen(mime);

	cr_expect(strncasecmp(v, mime, n) == 0 &&
	    (v[n] == '\0' || v[n] == ';'), "Content-Type \"%s\", want %s",
	    v, mime);
}

/* Date: an IMF-fixdate, and now. */
void
expect_date_now(const struct tine_resp *r)
{
	const char	*v = expect_header(r, "Date");
	struct tm	 tm;
	char		*end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	cr_expect(end != NULL && *end == '\0', "Date \"%s\" is not an "
	    "IMF-fixdate", v);
	cr_expect(labs((long)(timegm(&tm) - time(NULL))) <= 60, "Date \"%s\" "
	    "is not now", v);
}

/* A whole 200 response carrying exactly this body. */
void
expect_body(const struct tine_resp *r, const void *body, size_t len)
{
	expect_status(r, 200);
	expect_length(r, len);
	cr_expect_eq(r->bodylen, len, "body of %zu bytes, want %zu",
	    r->bodylen, len);
	if (r->bodylen == len)
		cr_expect(memcmp(r->body, body, len) == 0, "body differs");
}

/*
 * Expect an error response: the status line, Content-Type, Date, an honest
 * Content-Length, a short HTML body naming the status (none for HEAD), and
 * Connection: close exactly when closing.
 */
void
expect_error(const struct tine_resp *r, int status, int head, int closing)
{
	char	line[32], code[8];
	size_t	n;

	expect_status(r, status);
	n = (size_t)snprintf(line, sizeof(line), "HTTP/1.1 %d ", status);
	cr_expect(strncmp(r->head, line, n) == 0 && r->head[n] != '\r' &&
	    r->head[n] != ' ', "status line \"%.40s\", want \"%s<reason>\"",
	    r->head, line);
	expect_hdr(r, "Content-Type", "text/html; charset=utf-8");
	expect_date_now(r);
	if (head) {
		/* HEAD: the GET length, no body (tine_conn_read read none;
		 * the caller checks that no bytes follow). */
		cr_expect_gt(strtoull(expect_header(r, "Content-Length"), NULL,
		    10), 0, "HEAD %d: Content-Length 0", status);
	} else {
		expect_length(r, r->bodylen);
		cr_expect(r->bodylen > 0 && r->bodylen < EXPECT_ERROR_MAX,
		    "%d: body of %zu bytes", status, r->bodylen);
		snprintf(code, sizeof(code), "%d", status);
		cr_expect(strstr(r->body, "<html") != NULL &&
		    strstr(r->body, "</html>") != NULL &&
		    strstr(r->body, code) != NULL, "%d: body is not a short "
		    "HTML page naming the status: %s", status, r->body);
	}
	if (closing)
		expect_hdr(r, "Connection", "close");
	else
		cr_expect_null(tine_resp_header(r, "Connection"), "%d: "
		    "Connection \"%s\" on a kept connection", status,
		    tine_resp_header(r, "Connection"));
}

/* Find needle (a C string) in [p, end); NULL if absent. */
static const char *
expect_find(const char *p, const char *end, const char *needle)
{
	return memmem(p, (size_t)(end - p), needle, strlen(needle));
}

/* Does [p, end) start with s? */
static int
expect_at(const char *p, const char *end, const char *s)
{
	size_t	n = strlen(s);

	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

/* The Content-Type and Content-Range of a part's header lines [p, hend). */
static void
expect_part_fields(const char *p, const char *hend, char *ptype, size_t tlen,
    char *prange, size_t rlen, const char *spec, int i)
{
	const char	*line, *eol;
	size_t		 len;

	ptype[0] = prange[0] = '\0';
	for (line = p; line < hend + 2; line = eol + 2) {
		eol = expect_find(line, hend + 2, "\r\n");
		len = (size_t)(eol - line);
		if (len > 14 && strncasecmp(line, "Content-Type: ", 14) == 0)
			snprintf(ptype, tlen, "%.*s", (int)len - 14, line + 14);
		else if (len > 15 && strncasecmp(line, "Content-Range: ",
		    15) == 0)
			snprintf(prange, rlen, "%.*s", (int)len - 15,
			    line + 15);
		else
			cr_expect(0, "%s: part %d: unexpected line \"%.*s\"",
			    spec, i, (int)len, line);
	}
}

/* Expect part i at p (just past its delimiter) to be want[i] of data, with
 * the file's type, followed by CRLF and delim; where the next part starts. */
static const char *
expect_one_part(const char *p, const char *end, const char *delim,
    const unsigned char *data, long long size, const char *type,
    const struct expect_part *want, int i, const char *spec)
{
	const char	*hend;
	char		 ptype[1024], prange[256], range[128];
	size_t		 len;

	cr_assert(expect_at(p, end, "\r\n"), "%s: part %d: no CRLF after the "
	    "delimiter", spec, i);
	p += 2;
	cr_assert_not_null(hend = expect_find(p, end, "\r\n\r\n"),
	    "%s: part %d: headers do not end", spec, i);
	expect_part_fields(p, hend, ptype, sizeof(ptype), prange,
	    sizeof(prange), spec, i);
	cr_expect_str_eq(ptype, type, "%s: part %d: Content-Type", spec, i);
	snprintf(range, sizeof(range), "bytes %lld-%lld/%lld", want[i].first,
	    want[i].last, size);
	cr_expect_str_eq(prange, range, "%s: part %d: Content-Range", spec, i);
	p = hend + 4;
	len = (size_t)(want[i].last - want[i].first + 1);
	cr_assert_geq((size_t)(end - p), len, "%s: part %d: body cut", spec, i);
	cr_expect(memcmp(p, data + want[i].first, len) == 0, "%s: part %d: "
	    "wrong bytes", spec, i);
	p += len;
	cr_assert(expect_at(p, end, "\r\n") && expect_at(p + 2, end, delim),
	    "%s: part %d: its bytes are not followed by CRLF and the "
	    "delimiter: %.60s", spec, i, p);
	return p + 2 + strlen(delim);
}

/*
 * Parse a whole multipart/byteranges body and expect exactly the parts
 * want, in order, each with the file's Content-Type, its Content-Range and
 * its bytes, then the closing delimiter and nothing but a CRLF after it.
 */
void
expect_multipart(const struct tine_resp *r, const unsigned char *data,
    long long size, const char *type, const struct expect_part *want, int n,
    const char *spec)
{
	const char	*ct = expect_header(r, "Content-Type");
	const char	*p, *end = r->body + r->bodylen;
	char		 delim[160];
	size_t		 blen;
	int		 i;

	cr_expect_eq(r->status, 206, "%s: status %d:\n%s", spec, r->status,
	    r->head);
	cr_assert(strncmp(ct, "multipart/byteranges; boundary=", 31) == 0,
	    "%s: Content-Type \"%s\"", spec, ct);
	p = ct + 31;
	blen = *p == '"' ? strcspn(p + 1, "\"") : strlen(p);
	if (*p == '"')
		p++;
	cr_assert(blen > 0 && blen <= 70, "%s: boundary of %zu bytes", spec,
	    blen);
	snprintf(delim, sizeof(delim), "--%.*s", (int)blen, p);
	expect_length(r, r->bodylen);
	cr_expect_null(tine_resp_header(r, "Content-Range"), "%s: "
	    "Content-Range in a multipart head", spec);
	expect_hdr(r, "Accept-Ranges", "bytes");
	expect_header(r, "ETag");
	expect_header(r, "Last-Modified");
	/* An empty preamble (a CRLF), then the first delimiter. */
	p = r->body;
	if (expect_at(p, end, "\r\n"))
		p += 2;
	cr_assert(expect_at(p, end, delim), "%s: body does not start with the "
	    "delimiter: %.60s", spec, r->body);
	p += strlen(delim);
	for (i = 0; !expect_at(p, end, "--"); i++) {
		cr_assert_lt(i, n, "%s: more than %d parts", spec, n);
		p = expect_one_part(p, end, delim, data, size, type, want, i,
		    spec);
	}
	cr_expect_eq(i, n, "%s: %d parts, want %d", spec, i, n);
	p += 2;
	cr_expect(p == end || (end - p == 2 && expect_at(p, end, "\r\n")),
	    "%s: %zu bytes after the close delimiter", spec,
	    (size_t)(end - p));
}

/* Send a request and assert it was answered; see expect.h. */
void
expect_ask(struct tine *t, const char *method, const char *host,
    const char *path, const char *extra, struct tine_resp *r)
{
	cr_assert_eq(tine_ask(t, method, host, path, extra, r), 0,
	    "%s %s%s: no answer", method, host, path);
}

/* tine -t refuses extra, saying want and where; see expect.h. */
void
expect_refused(const char *extra, const char *want, size_t i)
{
	char	*err;
	int	 status;

	err = tine_check_extra(extra, NULL, &status, NULL);
	cr_expect_eq(status, 1, "case %zu accepted", i);
	cr_expect_not_null(strstr(err, want), "case %zu: want \"%s\" in %s",
	    i, want, err);
	cr_expect_not_null(strstr(err, "tine.conf:"), "case %zu: no file and "
	    "line: %s", i, err);
	free(err);
}
