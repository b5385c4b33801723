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
