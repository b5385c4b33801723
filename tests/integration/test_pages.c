/*
 * test_pages: a site's error_pages and headers against the real binary
 * over real sockets — the page served with the original status, its type
 * and body (from memory and by sendfile), HEAD, what a vhost inherits or
 * replaces, the fallback to the built-in page, the headers on every kind
 * of answer, and the config errors tine -t reports for both options.
 */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"

#define PAGES_404	"<!doctype html><p>custom not found\n"
#define PAGES_OWN	"<!doctype html><p>own not found\n"
#define PAGES_403	"<!doctype html><p>custom forbidden\n"
#define PAGES_412	"<!doctype html><p>custom precondition\n"
#define PAGES_BIG	(100 * 1024)	/* past what fcache keeps in memory */

/* Expect an error page answer: status, the file's type, length and body,
 * and none of the validators a file's 200 carries. */
static void
pages_expect(const struct tine_resp *r, int status, const char *type,
    const char *body)
{
	expect_status(r, status);
	expect_type(r, type);
	expect_length(r, strlen(body));
	cr_expect_str_eq(r->body, body, "%d: body", status);
	cr_expect_null(tine_resp_header(r, "ETag"), "%d: ETag", status);
	cr_expect_null(tine_resp_header(r, "Last-Modified"), "%d", status);
	cr_expect_null(tine_resp_header(r, "Accept-Ranges"), "%d", status);
	cr_expect_null(tine_resp_header(r, "Content-Range"), "%d", status);
}

/* A directory dir/name holding file rel with text; its path into path. */
static void
pages_root(struct tine *t, const char *name, const char *rel,
    const char *text, char *path)
{
	char	file[TINE_PATH_MAX], r[128];

	tine_path(path, t->dir, name);
	snprintf(r, sizeof(r), "%s/%s", name, rel);
	tine_path(file, t->dir, r);
	cr_assert_eq(tine_write_file(file, text, strlen(text), 0644), 0);
}

/* A 404 answered with the page: its status, type and body; HEAD gets
 * the same head and no byte of body; Range is ignored for it. */
Test(pages, not_found_page, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = tine_setup("error_pages = "
	    "{\"404 /errors/404.html\"}");
	struct tine_resp	 r;
	struct tine_raw		 raw;
	const char		*req = "HEAD /nope HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n";
	char			 want[64];

	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "errors/404.html", PAGES_404), 0);
	cr_assert_eq(tine_start(t), 0);
	expect_ask(t, "GET", "x", "/nope", NULL, &r);
	pages_expect(&r, 404, "text/html", PAGES_404);
	expect_date_now(&r);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/dir/nope.txt", "Range: bytes=0-3\r\n"
	    "If-None-Match: *\r\n", &r);
	pages_expect(&r, 404, "text/html", PAGES_404);
	tine_resp_free(&r);
	cr_assert_eq(tine_exchange(AF_INET, t->port, req, strlen(req),
	    TINE_TIMEOUT_MS, &raw), 0);
	snprintf(want, sizeof(want), "\r\nContent-Length: %zu\r\n",
	    strlen(PAGES_404));
	cr_expect(strncmp(raw.data, "HTTP/1.1 404 ", 13) == 0, "%s", raw.data);
	cr_expect_not_null(strstr(raw.data, want), "%s", raw.data);
	cr_expect_not_null(strstr(raw.data, "Content-Type: text/html"), "%s",
	    raw.data);
	cr_expect(raw.len > 4 && strcmp(raw.data + raw.len - 4, "\r\n\r\n") ==
	    0, "HEAD sent a body: %s", raw.data);
	tine_raw_free(&raw);
	/* The page itself is still an ordinary file. */
	expect_ask(t, "GET", "x", "/errors/404.html", NULL, &r);
	expect_body(&r, PAGES_404, strlen(PAGES_404));
	tine_resp_free(&r);
	tine_stop(t);
}

/* A vhost that does not write error_pages takes the top level's (from its
 * own root); one that does has its own; one with {} has none. A page too
 * big for memory goes by sendfile. */
Test(pages, vhost_pages, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = tine_setup(NULL);
	struct tine_resp	 r;
	char			 own[TINE_PATH_MAX], same[TINE_PATH_MAX];
	char			 none[TINE_PATH_MAX], conf[5 * TINE_PATH_MAX];
	char			*big;

	cr_assert_not_null(t);
	cr_assert_not_null(big = malloc(PAGES_BIG + 1));
	memset(big, 'b', PAGES_BIG);
	big[PAGES_BIG] = '\0';
	cr_assert_eq(tine_put(t, "404.html", PAGES_404), 0);
	pages_root(t, "own", "e/own.txt", PAGES_OWN, own);
	pages_root(t, "same", "404.html", big, same);
	pages_root(t, "none", "404.html", PAGES_404, none);
	snprintf(conf, sizeof(conf), "document_root = \"%s\"\n"
	    "error_pages = {\"404 /404.html\"}\n"
	    "vhost \"own.test\" { document_root = \"%s\"\n"
	    "    error_pages = {\"404 /e/own.txt\"} }\n"
	    "vhost \"same.test\" { document_root = \"%s\" }\n"
	    "vhost \"none.test\" { document_root = \"%s\"\n"
	    "    error_pages = {} }\n", t->docroot, own, same, none);
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_start(t), 0);
	expect_ask(t, "GET", "top.test", "/nope", NULL, &r);
	pages_expect(&r, 404, "text/html", PAGES_404);
	tine_resp_free(&r);
	expect_ask(t, "GET", "own.test", "/nope", NULL, &r);
	pages_expect(&r, 404, "text/plain", PAGES_OWN);
	tine_resp_free(&r);
	expect_ask(t, "GET", "same.test", "/nope", NULL, &r);
	pages_expect(&r, 404, "text/html", big);
	tine_resp_free(&r);
	expect_ask(t, "GET", "none.test", "/nope", NULL, &r);
	expect_error(&r, 404, 0, 1);
	tine_resp_free(&r);
	free(big);
	tine_stop(t);
}

/* A page that is missing, itself not found, a directory or unreadable
 * gives the built-in page, once, with the original status. */
Test(pages, fallback_to_builtin, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = tine_setup("error_pages = {"
	    "\"404 /missing.html\", \"403 /locked.html\", \"412 /sub\"}");
	struct tine_resp	 r;
	char			 path[TINE_PATH_MAX];

	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "sub/index.html", "index\n"), 0);
	/* Root's 0600 file: the worker (www-data, or anyone without the
	 * file) cannot read it; mode 000 keeps a non-root run honest. */
	cr_assert_eq(tine_write_file(tine_path(path, t->docroot,
	    "locked.html"), "x\n", 2, 0000), 0);
	cr_assert_eq(tine_start(t), 0);
	expect_ask(t, "GET", "x", "/nope", NULL, &r);
	expect_error(&r, 404, 0, 1);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/missing.html", NULL, &r);
	expect_error(&r, 404, 0, 1);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/locked.html", NULL, &r);
	expect_error(&r, 403, 0, 1);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/", "If-Match: \"nope\"\r\n", &r);
	expect_error(&r, 412, 0, 1);
	tine_resp_free(&r);
	tine_stop(t);
}

/* Errors of every origin use the page: unreadable (403), a failed
 * precondition on a held file (412), an unsatisfiable range (416, its
 * Content-Range kept), a refused method (405, its Allow kept). */
Test(pages, other_statuses, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = tine_setup("error_pages = {"
	    "\"403 /403.html\", \"412 /412.html\", \"416 /412.html\", "
	    "\"405 /403.html\"}");
	struct tine_resp	 r;
	char			 path[TINE_PATH_MAX];

	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "403.html", PAGES_403), 0);
	cr_assert_eq(tine_put(t, "412.html", PAGES_412), 0);
	cr_assert_eq(tine_write_file(tine_path(path, t->docroot,
	    "secret.html"), "secret\n", 7, 0000), 0);
	cr_assert_eq(tine_start(t), 0);
	expect_ask(t, "GET", "x", "/secret.html", NULL, &r);
	pages_expect(&r, 403, "text/html", PAGES_403);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/", "If-Match: \"nope\"\r\n", &r);
	pages_expect(&r, 412, "text/html", PAGES_412);
	tine_resp_free(&r);
	/* The page is the answer even to a precondition on itself. */
	expect_ask(t, "GET", "x", "/412.html", "If-Match: \"nope\"\r\n", &r);
	pages_expect(&r, 412, "text/html", PAGES_412);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/", "Range: bytes=99999-\r\n", &r);
	expect_status(&r, 416);
	cr_expect_str_eq(r.body, PAGES_412);
	snprintf(path, sizeof(path), "bytes */%zu", strlen(TINE_INDEX_BODY));
	expect_hdr(&r, "Content-Range", path);
	tine_resp_free(&r);
	expect_ask(t, "DELETE", "x", "/", NULL, &r);
	expect_status(&r, 405);
	cr_expect_str_eq(r.body, PAGES_403);
	expect_hdr(&r, "Allow", "GET, HEAD, OPTIONS");
	tine_resp_free(&r);
	tine_stop(t);
}

/* Expect each header line of the top level's list, once. */
static void
pages_expect_headers(const struct tine_resp *r, int present)
{
	if (present) {
		expect_hdr(r, "Strict-Transport-Security", "max-age=63072000");
		expect_hdr(r, "X-Content-Type-Options", "nosniff");
		cr_expect_eq(tine_resp_count(r, "X-Content-Type-Options"), 1);
	} else {
		cr_expect_null(tine_resp_header(r, "X-Content-Type-Options"),
		    "%d: top level's header on a vhost with its own", r->status);
		cr_expect_null(tine_resp_header(r,
		    "Strict-Transport-Security"), "%d", r->status);
	}
}

/* headers go on 200, 304, 404 (built-in or page), 301 and OPTIONS; a vhost
 * that sets its own list has only that. */
Test(pages, headers_on_every_answer, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = tine_setup("headers = {"
	    "\"Strict-Transport-Security: max-age=63072000\", "
	    "\"X-Content-Type-Options: nosniff\"}\n"
	    "error_pages = {\"410 /gone.html\"}\n"
	    "vhost \"own.test\" { headers = {\"X-Frame-Options: DENY\"}\n"
	    "    error_pages = {\"404 /index.html\"} }");
	struct tine_resp	 r;
	char			 inm[128];

	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "dir/index.html", "dir\n"), 0);
	cr_assert_eq(tine_start(t), 0);
	expect_ask(t, "GET", "x", "/", NULL, &r);
	expect_body(&r, TINE_INDEX_BODY, strlen(TINE_INDEX_BODY));
	pages_expect_headers(&r, 1);
	snprintf(inm, sizeof(inm), "If-None-Match: %s\r\n",
	    expect_header(&r, "ETag"));
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/", inm, &r);
	expect_status(&r, 304);
	pages_expect_headers(&r, 1);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/nope", NULL, &r);
	expect_error(&r, 404, 0, 1);
	pages_expect_headers(&r, 1);
	tine_resp_free(&r);
	expect_ask(t, "HEAD", "x", "/dir", NULL, &r);
	expect_status(&r, 301);
	expect_hdr(&r, "Location", "/dir/");
	pages_expect_headers(&r, 1);
	tine_resp_free(&r);
	expect_ask(t, "OPTIONS", "x", "*", NULL, &r);
	pages_expect_headers(&r, 1);
	tine_resp_free(&r);
	expect_ask(t, "GET", "own.test", "/", NULL, &r);
	expect_status(&r, 200);
	pages_expect_headers(&r, 0);
	expect_hdr(&r, "X-Frame-Options", "DENY");
	tine_resp_free(&r);
	expect_ask(t, "GET", "own.test", "/nope", NULL, &r);
	pages_expect(&r, 404, "text/html", TINE_INDEX_BODY);
	pages_expect_headers(&r, 0);
	expect_hdr(&r, "X-Frame-Options", "DENY");
	tine_resp_free(&r);
	tine_stop(t);
}

/* tine -t refuses each bad entry, naming file, line, key (and vhost). */
Test(pages, config_errors, .fini = tine_teardown, .timeout = 60)
{
	static const struct { const char *conf, *mark, *want; } c[] = {
		{ "error_pages = {\"200 /ok.html\"}", "200", "error_pages: "
		  "\"200 /ok.html\" must have an error code, 400 to 599" },
		{ "error_pages = {\"404 404.html\"}", "404 404", "must be an "
		  "absolute path" },
		{ "error_pages = {\"404 /a/../b.html\"}", "..", "is refused, "
		  "not normalised" },
		{ "error_pages = {\"404 /a.html\",\n\"404 /b.html\"}",
		  "/b.html", "code 404 has a page already" },
		{ "vhost \"a.test\" {\n  error_pages = {\"404 /x?y\"} }", "?y",
		  "vhost \"a.test\" error_pages: \"404 /x?y\" must be a path "
		  "without a query" },
		{ "headers = {\"Bad Name: x\"}", "Bad", "headers: \"Bad Name: "
		  "x\" must be \"Name: value\"" },
		{ "headers = {\"X-A: a\\r\\nX-B: b\"}", "X-A", "no CR, LF" },
		{ "vhost \"a.test\" {\n  headers = {\"connection: x\"} }",
		  "connection:", "vhost \"a.test\" headers: \"connection: x\" "
		  "names a header tine writes itself" },
		{ "headers = {\"X-A: a\",\n\"Content-Encoding: gzip\"}",
		  "Content-Encoding", "headers: \"Content-Encoding: gzip\" "
		  "names a header tine writes itself" },
	};
	char	*err, want[32];
	size_t	 i;
	int	 status, line;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		err = tine_check_extra(c[i].conf, c[i].mark, &status, &line);
		cr_expect_eq(status, 1, "case %zu accepted", i);
		cr_expect_not_null(strstr(err, c[i].want), "case %zu: want "
		    "\"%s\" in %s", i, c[i].want, err);
		cr_expect_gt(line, 0, "case %zu: %s not in the config", i,
		    c[i].mark);
		snprintf(want, sizeof(want), "tine.conf:%d: ", line);
		cr_expect(strncmp(err, want, strlen(want)) == 0, "case %zu: "
		    "want \"%s\": %s", i, want, err);
		free(err);
	}
}
