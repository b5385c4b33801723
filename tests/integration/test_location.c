/*
 * test_location: location "PREFIX" sections against the real binary over
 * real sockets — the longest prefix of the normalised path wins (so
 * "%61", "..", "//" and "." cannot step around a location), a location
 * inherits its site's options and replaces the lists it writes, a
 * location's redirect replaces its prefix and keeps the rest and the
 * query, redirect = "" exempts a path from a vhost's redirect (ACME on
 * port 80), a vhost does not inherit the top level's locations, and the
 * config errors tine -t names with file, line and section.
 */
#include "tine_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"

/* GET path at host: status and the X-Loc header (or "-" without one). */
static void
loc_expect(struct tine *t, const char *host, const char *path, int status,
    const char *xloc)
{
	struct tine_resp	 r;
	const char		*v;

	cr_assert_eq(tine_ask(t, "GET", host, path, NULL, &r), 0,
	    "GET %s%s: no answer", host, path);
	cr_expect_eq(r.status, status, "GET %s%s: %d", host, path, r.status);
	v = tine_resp_header(&r, "X-Loc");
	cr_expect_str_eq(v != NULL ? v : "-", xloc, "GET %s%s", host, path);
	tine_resp_free(&r);
}

/* GET path at host must redirect with this code to location. */
static void
loc_moved(struct tine *t, const char *host, const char *path, int status,
    const char *location)
{
	struct tine_resp	 r;
	const char		*v;

	cr_assert_eq(tine_ask(t, "GET", host, path, NULL, &r), 0,
	    "GET %s%s: no answer", host, path);
	cr_expect_eq(r.status, status, "GET %s%s: %d", host, path, r.status);
	v = tine_resp_header(&r, "Location");
	cr_expect_str_eq(v != NULL ? v : "(none)", location, "GET %s%s",
	    host, path);
	tine_resp_free(&r);
}

/* A docroot with a/f, a/b/f, a/b/c/f, c and the files the tests ask for. */
static void
loc_files(struct tine *t)
{
	static const char *const files[] = {
		"a/f", "a/b/f", "a/b/c/f", "c", "ab", "blog/a", "blog/index.html",
		".well-known/acme-challenge/tok", "x/f", "new-x/f",
	};
	size_t	i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		cr_assert_eq(tine_put(t, files[i], "body\n"), 0, "%s",
		    files[i]);
}

/* The longest prefix wins, whatever order the sections are written in. */
Test(location, longest_prefix_wins, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = tine_setup(
	    "headers = {\"X-Loc: top\"}\n"
	    "location \"/a/b/\" { headers = {\"X-Loc: ab\"} }\n"
	    "location \"/a/\" { headers = {\"X-Loc: a\"} }\n"
	    "location \"/a/b/c/\" { headers = {\"X-Loc: abc\"} }\n");

	cr_assert_not_null(t);
	loc_files(t);
	cr_assert_eq(tine_start(t), 0);
	loc_expect(t, "localhost", "/a/f", 200, "a");
	loc_expect(t, "localhost", "/a/b/f", 200, "ab");
	loc_expect(t, "localhost", "/a/b/c/f", 200, "abc");
	loc_expect(t, "localhost", "/c", 200, "top");
	/* A prefix is matched as bytes of the path: "/ab" is not in "/a/". */
	loc_expect(t, "localhost", "/ab", 200, "top");
	/* Errors of a location carry its headers too. */
	loc_expect(t, "localhost", "/a/b/missing", 404, "ab");
	/* "/a" is not below "/a/": it is the directory's 301, from the top. */
	loc_moved(t, "localhost", "/a", 301, "/a/");
	tine_stop(t);
}

/* A location's Cache-Control (Hugo's fingerprinted assets) goes on its
 * files' 200, 206 and 304, never on an error or a redirect; its other
 * lines (HSTS) go on every answer. */
Test(location, caching_lines_for_files_only, .fini = tine_teardown,
    .timeout = 60)
{
	static const struct { const char *path, *extra; int status, cc; } c[] = {
		{ "/a/f", NULL, 200, 1 },
		{ "/a/f", "Range: bytes=0-1\r\n", 206, 1 },
		{ "/a/f", "If-None-Match: *\r\n", 304, 1 },
		{ "/a/missing.css", NULL, 404, 0 },
		{ "/a/b", NULL, 301, 0 },
		{ "/a/f", "If-Match: \"nope\"\r\n", 412, 0 },
	};
	struct tine		*t = tine_setup(
	    "location \"/a/\" { headers = {\"X-Loc: a\",\n"
	    "  \"Cache-Control: public, max-age=31536000, immutable\",\n"
	    "  \"Expires: Thu, 31 Dec 2037 23:55:55 GMT\"} }\n");
	struct tine_resp	 r;
	size_t			 i;

	cr_assert_not_null(t);
	loc_files(t);
	cr_assert_eq(tine_start(t), 0);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cr_assert_eq(tine_ask(t, "GET", "localhost", c[i].path,
		    c[i].extra, &r), 0);
		cr_expect_eq(r.status, c[i].status, "case %zu: %d", i,
		    r.status);
		expect_hdr(&r, "X-Loc", "a");
		cr_expect_eq(tine_resp_count(&r, "Cache-Control"), c[i].cc,
		    "case %zu", i);
		cr_expect_eq(tine_resp_count(&r, "Expires"), c[i].cc,
		    "case %zu", i);
		tine_resp_free(&r);
	}
	tine_stop(t);
}

/* The path is matched once normalised: no spelling steps around it. */
Test(location, normalised_path_matched, .fini = tine_teardown,
    .timeout = 60)
{
	static const char *const paths[] = {
		"/a/b/f", "/%61/b/f", "/a/%62/f", "//a//b/f", "/a/./b/f",
		"/c/../a/b/f", "/a/b/c/../f", "/A/../a/b/f",
	};
	struct tine	*t = tine_setup(
	    "location \"/a/b/\" { headers = {\"X-Loc: ab\"} }\n");
	size_t		 i;

	cr_assert_not_null(t);
	loc_files(t);
	cr_assert_eq(tine_start(t), 0);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		loc_expect(t, "localhost", paths[i], 200, "ab");
	tine_stop(t);
}

/* A location takes what it does not set from its vhost; a list it writes
 * replaces the vhost's; the top level's locations stay the top level's. */
Test(location, inherits_from_its_site, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup(
	    "location \"/a/\" { headers = {\"X-Loc: top-a\"} }\n"
	    "vhost \"v.test\" {\n"
	    "  headers = {\"X-Loc: v\"}\n"
	    "  try_html = on\n"
	    "  location \"/x/\" { index = {\"f\"} }\n"
	    "  location \"/a/b/\" { headers = {\"X-Loc: v-ab\"} }\n"
	    "  location \"/blog/\" { headers = {} }\n"
	    "}\n");

	cr_assert_not_null(t);
	loc_files(t);
	cr_assert_eq(tine_put(t, "x/page.html", "page\n"), 0);
	cr_assert_eq(tine_start(t), 0);
	/* Inherited headers and try_html; its own index. */
	loc_expect(t, "v.test", "/x/", 200, "v");
	loc_expect(t, "v.test", "/x/page", 200, "v");
	loc_expect(t, "v.test", "/a/b/f", 200, "v-ab");
	/* headers = {} in a location: none of the vhost's. */
	loc_expect(t, "v.test", "/blog/a", 200, "-");
	/* The top level's "/a/" is not v.test's. */
	loc_expect(t, "v.test", "/a/f", 200, "v");
	loc_expect(t, "other.test", "/a/f", 200, "top-a");
	/* The top level's index, not "/x/"'s, outside it. */
	loc_expect(t, "v.test", "/blog/", 200, "-");
	tine_stop(t);
}

/* A location's redirect replaces its prefix, keeps the rest and query. */
Test(location, redirect_replaces_prefix, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup(
	    "location \"/old-blog/\" { redirect = \"301 /blog/\" }\n"
	    "location \"/x\" { redirect = \"302 /new-x\" }\n"
	    "location \"/ext/\" { redirect = \"308 https://example.net/e/\" }\n"
	    "location \"/host/\" { redirect = \"307 https://example.net\" }\n");

	cr_assert_not_null(t);
	loc_files(t);
	cr_assert_eq(tine_start(t), 0);
	loc_moved(t, "localhost", "/old-blog/a?x=1", 301, "/blog/a?x=1");
	loc_moved(t, "localhost", "/old-blog/", 301, "/blog/");
	loc_moved(t, "localhost", "/old-blog/2026/a%20b", 301,
	    "/blog/2026/a%20b");
	/* Normalised first: ".." cannot carry the rest above the target. */
	loc_moved(t, "localhost", "/old-blog/../old-blog/a", 301, "/blog/a");
	loc_moved(t, "localhost", "/xyz/q?z", 302, "/new-xyz/q?z");
	loc_moved(t, "localhost", "/x/f", 302, "/new-x/f");
	loc_moved(t, "localhost", "/ext/a/b", 308, "https://example.net/e/a/b");
	loc_moved(t, "localhost", "/host/a", 307, "https://example.net/a");
	/* Outside every prefix: served. */
	loc_expect(t, "localhost", "/blog/a", 200, "-");
	loc_expect(t, "localhost", "/old-blog", 404, "-");
	tine_stop(t);
}

/* redirect = "" in a location serves a path of a redirecting vhost, as
 * ACME HTTP-01 needs on a port-80 vhost that sends the rest to https. */
Test(location, redirect_off_for_acme, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = tine_setup(
	    "vhost \"r.test\" {\n"
	    "  redirect = \"301 https://r.test\"\n"
	    "  location \"/.well-known/acme-challenge/\" { redirect = \"\" }\n"
	    "}\n");

	cr_assert_not_null(t);
	loc_files(t);
	cr_assert_eq(tine_start(t), 0);
	loc_expect(t, "r.test", "/.well-known/acme-challenge/tok", 200, "-");
	loc_expect(t, "r.test", "/.well-known/acme-challenge/none", 404, "-");
	loc_moved(t, "r.test", "/a/f?q", 301, "https://r.test/a/f?q");
	loc_moved(t, "r.test", "/.well-known/other", 301,
	    "https://r.test/.well-known/other");
	tine_stop(t);
}

/* tine -t names the file, the line and the section of a bad location. */
Test(location, config_errors, .fini = tine_teardown, .timeout = 60)
{
	static const struct { const char *conf, *want; } c[] = {
		{ "location \"a/\" { }", ":10: location \"a/\": \"a/\" must "
		  "be an absolute path" },
		{ "\nlocation \"/a/../b/\" { }", ":11: location \"/a/../b/\": "
		  "\"/a/../b/\" is refused, not normalised" },
		{ "location \"/a//b\" { }", "not normalised" },
		{ "location \"/a?b\" { }", "without a query" },
		{ "location \"/a/\" { }\nlocation \"/a/\" { }", "/a/" },
		{ "vhost \"v.test\" {\n location \"/a/\" {\n"
		  "  document_root = \"/\" } }", "document_root" },
		{ "location \"/a/\" {\n location \"/a/b/\" { } }", ":11:" },
		{ "vhost \"v.test\" {\n location \"/p/\" {\n"
		  "  hidden_files = maybe } }", ":12: vhost \"v.test\" "
		  "location \"/p/\" hidden_files: must be deny or allow" },
		{ "location \"/p\" { redirect = \"301 https://h.test\" }",
		  "location \"/p\" redirect: \"301 https://h.test\" must have "
		  "a path after the host" },
		{ "location \"/p/\" {\n redirect = \"300 /q\" }", ":11: "
		  "location \"/p/\" redirect: " },
	};
	size_t	 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		expect_refused(c[i].conf, c[i].want, i);
}
