/*
 * test_redirect: the site options redirect and try_html against the real
 * binary over real sockets — each redirect code, the path and query kept
 * and percent-encoded, targets with and without a trailing slash or a
 * host, HEAD, other methods untouched, the Host never reflected, a
 * redirecting vhost beside a serving one; /about answered from
 * /about.html, with conditionals and ranges; and the config errors tine -t
 * reports for both.
 */
#include "tine_build.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"

#define REDIR_ABOUT	"<!doctype html><p>about\n"

/* GET (or HEAD) path at host must answer status with this Location. */
static void
redir_expect(struct tine *t, const char *method, const char *host,
    const char *path, int status, const char *location)
{
	struct tine_resp	r;
	const char		*loc;

	expect_ask(t, method, host, path, NULL, &r);
	cr_expect_eq(r.status, status, "%s %s%s: %d", method, host, path,
	    r.status);
	loc = tine_resp_header(&r, "Location");
	cr_expect_str_eq(loc != NULL ? loc : "(none)", location,
	    "%s %s%s", method, host, path);
	cr_expect_eq(tine_resp_count(&r, "Location"), 1);
	expect_type(&r, "text/html");
	if (strcmp(method, "HEAD") == 0)
		cr_expect_eq(r.bodylen, 0);
	else
		cr_expect_not_null(strstr(r.body, "<h1>"), "%s", r.body);
	tine_resp_free(&r);
}

/* One vhost per code and target shape, next to the serving top level. */
static struct tine *
redir_start(void)
{
	struct tine	*t = tine_setup(
	    "vhost \"a.test\" { redirect = \"301 https://example.net\" }\n"
	    "vhost \"b.test\" { redirect = \"302 http://b.example:8080/new/\" }\n"
	    "vhost \"c.test\" { redirect = \"307 /moved\" }\n"
	    "vhost \"d.test\" { redirect = \"308 https://[::1]/\" }\n"
	    "vhost \"e.test\" { redirect = \"301 /\" }\n"
	    "vhost \"f.test\" { }\n");

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	return t;
}

/* Each code, the path and query kept, the root, a target with and without
 * its trailing slash, a path-only target. */
Test(redirect, codes_paths_queries, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = redir_start();

	redir_expect(t, "GET", "a.test", "/a/b?x=1", 301,
	    "https://example.net/a/b?x=1");
	redir_expect(t, "GET", "a.test", "/", 301, "https://example.net/");
	redir_expect(t, "GET", "a.test", "/dir/", 301,
	    "https://example.net/dir/");
	redir_expect(t, "GET", "a.test", "/?", 301, "https://example.net/?");
	redir_expect(t, "GET", "b.test", "/a/b?x=1&y=%20", 302,
	    "http://b.example:8080/new/a/b?x=1&y=%20");
	redir_expect(t, "GET", "b.test", "/", 302,
	    "http://b.example:8080/new/");
	redir_expect(t, "GET", "c.test", "/a/b?x=1", 307, "/moved/a/b?x=1");
	redir_expect(t, "GET", "c.test", "/", 307, "/moved/");
	redir_expect(t, "GET", "d.test", "/x", 308, "https://[::1]/x");
	redir_expect(t, "GET", "e.test", "/x/y", 301, "/x/y");
	redir_expect(t, "GET", "e.test", "/", 301, "/");
	tine_stop(t);
}

/* The path is the normalised one, percent-encoded: no "//" that would
 * make a path-only target scheme-relative, no raw odd bytes. */
Test(redirect, path_normalised_and_encoded, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = redir_start();

	redir_expect(t, "GET", "a.test", "/a%20b/%C3%A9%22%3C%3E%5C", 301,
	    "https://example.net/a%20b/%C3%A9%22%3C%3E%5C");
	redir_expect(t, "GET", "a.test", "/a/../b/./c", 301,
	    "https://example.net/b/c");
	redir_expect(t, "GET", "e.test", "//evil.test/x", 301, "/evil.test/x");
	redir_expect(t, "GET", "e.test", "/%2F/evil.test", 301,
	    "/evil.test");
	redir_expect(t, "GET", "e.test", "/%252F%2fevil.test", 301,
	    "/%252F/evil.test");
	tine_stop(t);
}

/* HEAD is redirected without a body; POST keeps its 405, an unknown
 * method its 501; OPTIONS its 200. */
Test(redirect, methods, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = redir_start();
	struct tine_resp	 r;

	redir_expect(t, "HEAD", "a.test", "/h?q", 301,
	    "https://example.net/h?q");
	expect_ask(t, "POST", "a.test", "/p", "Content-Length: 0\r\n", &r);
	cr_expect_eq(r.status, 405);
	cr_expect_null(tine_resp_header(&r, "Location"));
	tine_resp_free(&r);
	expect_ask(t, "BREW", "a.test", "/p", NULL, &r);
	cr_expect_eq(r.status, 501);
	cr_expect_null(tine_resp_header(&r, "Location"));
	tine_resp_free(&r);
	expect_ask(t, "OPTIONS", "a.test", "/p", NULL, &r);
	cr_expect_eq(r.status, 200);
	cr_expect_null(tine_resp_header(&r, "Location"));
	tine_resp_free(&r);
	tine_stop(t);
}

/* The Host sent is never what the Location names; the site that does not
 * redirect, on the same listener, serves its files. */
Test(redirect, host_not_reflected_next_site_serves, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = redir_start();
	struct tine_resp	 r;

	redir_expect(t, "GET", "A.TEST.:81", "/x", 301,
	    "https://example.net/x");
	redir_expect(t, "GET", "c.test", "/x", 307, "/moved/x");
	cr_assert_eq(tine_request(t, "GET http://c.test/x HTTP/1.1\r\n"
	    "Host: evil.test\r\nConnection: close\r\n\r\n", 0, &r), 0);
	cr_expect_eq(r.status, 307);
	cr_expect_str_eq(tine_resp_header(&r, "Location"), "/moved/x");
	tine_resp_free(&r);
	expect_ask(t, "GET", "f.test", "/", NULL, &r);
	expect_body(&r, TINE_INDEX_BODY, strlen(TINE_INDEX_BODY));
	cr_expect_null(tine_resp_header(&r, "Location"));
	tine_resp_free(&r);
	expect_ask(t, "GET", "other.test", "/", NULL, &r);
	expect_body(&r, TINE_INDEX_BODY, strlen(TINE_INDEX_BODY));
	tine_resp_free(&r);
	tine_stop(t);
}

/* A Location longer than a head holds is a 414, never cut. */
Test(redirect, too_long_is_414, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = tine_setup("max_request_line = 65536\n"
	    "max_header_size = 1048576\n"
	    "redirect = \"301 https://example.net\"");
	struct tine_resp	 r;
	char			*req;
	size_t			 n = 4000;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_not_null(req = malloc(n + 128));
	/* A path that fits the request line but not a head's Location. */
	strcpy(req, "GET /");
	memset(req + 5, 'a', n);
	strcpy(req + 5 + n, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	cr_assert_eq(tine_request(t, req, 0, &r), 0);
	expect_error(&r, 414, 0, 1);
	cr_expect_null(tine_resp_header(&r, "Location"));
	tine_resp_free(&r);
	free(req);
	tine_stop(t);
}

/* An instance with about.html, dir/ beside dir.html, and try_html. */
static struct tine *
redir_try_start(const char *conf)
{
	struct tine	*t = tine_setup(conf);
	char		 dir[TINE_PATH_MAX];

	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "about.html", REDIR_ABOUT), 0);
	cr_assert_eq(tine_put(t, "dir.html", "dir.html\n"), 0);
	cr_assert_eq(tine_put(t, "x.html.html", "x.html.html\n"), 0);
	cr_assert_eq(tine_put(t, "sub.html", "sub.html\n"), 0);
	cr_assert_eq(mkdir(tine_path(dir, t->docroot, "dir"), 0755), 0);
	cr_assert_eq(tine_put(t, "dir/index.html", "dir index\n"), 0);
	cr_assert_eq(tine_put(t, ".secret.html", "secret\n"), 0);
	cr_assert_eq(tine_start(t), 0);
	return t;
}

/* GET path at host: the status and, for a 200, the body and the type. */
static void
redir_get(struct tine *t, const char *host, const char *path, int status,
    const char *body)
{
	struct tine_resp	r;

	expect_ask(t, "GET", host, path, NULL, &r);
	cr_expect_eq(r.status, status, "%s%s: %d", host, path, r.status);
	if (body != NULL) {
		expect_body(&r, body, strlen(body));
		expect_type(&r, "text/html");
	}
	tine_resp_free(&r);
}

/* try_html on: /about is /about.html; a directory stays a directory; a
 * missing .html, a '/' ending or an .html ending stay 404; hidden stays
 * hidden. Off (the default, or in a vhost) it is 404. */
Test(redirect, try_html, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = redir_try_start("try_html = on\n"
	    "vhost \"off.test\" { try_html = off }\n"
	    "vhost \"on.test\" { }\n");

	redir_get(t, "x", "/about", 200, REDIR_ABOUT);
	redir_get(t, "on.test", "/about", 200, REDIR_ABOUT);
	redir_get(t, "x", "/about.html", 200, REDIR_ABOUT);
	redir_get(t, "x", "/about?q=1", 200, REDIR_ABOUT);
	redir_get(t, "x", "/about/", 404, NULL);
	redir_get(t, "x", "/missing", 404, NULL);
	redir_get(t, "x", "/x.html", 404, NULL);
	redir_get(t, "x", "/dir", 301, NULL);
	redir_get(t, "x", "/dir/", 200, "dir index\n");
	redir_get(t, "x", "/.secret", 404, NULL);
	redir_get(t, "off.test", "/about", 404, NULL);
	redir_get(t, "off.test", "/about.html", 200, REDIR_ABOUT);
	tine_stop(t);
	t = redir_try_start(NULL);
	redir_get(t, "x", "/about", 404, NULL);
	tine_stop(t);
}

/* HEAD, conditionals and ranges on /about work on about.html. */
Test(redirect, try_html_conditionals_ranges, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = redir_try_start("try_html = on");
	struct tine_resp	 r;
	char			 extra[256];

	expect_ask(t, "GET", "x", "/about.html", NULL, &r);
	cr_assert_eq(r.status, 200);
	snprintf(extra, sizeof(extra), "If-None-Match: %s\r\n",
	    tine_resp_header(&r, "ETag"));
	tine_resp_free(&r);
	expect_ask(t, "HEAD", "x", "/about", NULL, &r);
	cr_expect_eq(r.status, 200);
	expect_type(&r, "text/html");
	expect_length(&r, strlen(REDIR_ABOUT));
	cr_expect_eq(r.bodylen, 0);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/about", extra, &r);
	cr_expect_eq(r.status, 304);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/about", "Range: bytes=2-8\r\n", &r);
	cr_expect_eq(r.status, 206);
	cr_expect_str_eq(r.body, "doctype");
	expect_type(&r, "text/html");
	tine_resp_free(&r);
	tine_stop(t);
}

/* Run tine -t on a config of the base lines and extra; its stderr from
 * "tine.conf:" on, which the caller frees, the exit status, and the
 * number of lines of the config (extra is last). */
static char *
redir_check(const char *extra, int *status, int *lines)
{
	struct tine	*t = tine_setup(extra);
	char		*out, *conf;
	size_t		 i, len;

	cr_assert_not_null(t);
	cr_assert_not_null(conf = tine_slurp(t->conf, &len));
	for (*lines = 0, i = 0; i < len; i++)
		*lines += conf[i] == '\n';
	if (len > 0 && conf[len - 1] != '\n')
		(*lines)++;
	free(conf);
	out = tine_check(t, status);
	tine_stop(t);
	return out;
}

/* tine -t names the file, the line (back lines before the config's
 * last), the vhost and the fault. */
Test(redirect, config_errors, .fini = tine_teardown, .timeout = 60)
{
	static const struct { const char *conf, *want; int back; } c[] = {
		{ "vhost \"a.test\" {\n  redirect = \"303 https://a.test\"\n}",
		  "vhost \"a.test\" redirect: \"303 https://a.test\" must "
		  "be \"CODE TARGET\"", 1 },
		{ "redirect = \"301 example.net/x\"",
		  "redirect: \"example.net/x\" must be an http:// or https://",
		  0 },
		{ "vhost \"a.test\" { redirect = \"301 https://a.test/?x\" }",
		  "vhost \"a.test\" redirect: \"https://a.test/?x\" must have "
		  "no query", 0 },
		{ "redirect = \"302 javascript:alert(1)\"\n\n",
		  "redirect: \"javascript:alert(1)\" must be an http://", 2 },
		{ "redirect = \"302 //evil.test\"", "not two", 0 },
		{ "vhost \"a.test\" {\n\n  try_html = onn\n\n}",
		  "try_html", 2 },
		{ "try_html = maybe", "try_html", 0 },
	};
	char	*err, where[64];
	size_t	 i;
	int	 status, lines;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		err = redir_check(c[i].conf, &status, &lines);
		cr_expect_eq(status, 1, "case %zu accepted", i);
		cr_expect_not_null(strstr(err, c[i].want), "case %zu: want "
		    "\"%s\" in %s", i, c[i].want, err);
		snprintf(where, sizeof(where), "tine.conf:%d: ",
		    lines - c[i].back);
		cr_expect(strncmp(err, where, strlen(where)) == 0, "case %zu: "
		    "want %s in %s", i, where, err);
		free(err);
	}
}
