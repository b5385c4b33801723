/*
 * test_sites: virtual hosts against the real binary over real sockets —
 * which site a request's host picks (exact names and aliases, wildcards,
 * case, port, a trailing dot, absolute-form targets, the default), what a
 * vhost inherits from the top level, %v in the access log, and the config
 * errors tine -t reports for vhost sections.
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

/* Each site's index.html says which site it is. */
#define SITES_BODY(n)	"<!doctype html><p>site " n "\n"

/* A directory dir/name holding an index.html that names the site. */
static void
sites_root(struct tine *t, const char *name, char *path)
{
	char	file[TINE_PATH_MAX], rel[64], body[128];

	tine_path(path, t->dir, name);
	snprintf(rel, sizeof(rel), "%s/index.html", name);
	tine_path(file, t->dir, rel);
	snprintf(body, sizeof(body), SITES_BODY("%s"), name);
	cr_assert_eq(tine_write_file(file, body, strlen(body), 0644), 0);
}

/* An instance with the top level (docroot "default") and four vhosts. */
static struct tine *
sites_start(const char *extra)
{
	struct tine	*t = tine_setup(NULL);
	char		 a[TINE_PATH_MAX], b[TINE_PATH_MAX], x[TINE_PATH_MAX];
	char		 w[TINE_PATH_MAX], conf[8 * TINE_PATH_MAX];

	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "index.html", SITES_BODY("default")), 0);
	sites_root(t, "a", a);
	sites_root(t, "b", b);
	sites_root(t, "x", x);
	sites_root(t, "w", w);
	/* The vhosts' own document_root lines would hide the harness's. */
	snprintf(conf, sizeof(conf),
	    "document_root = \"%s\"\n"
	    "access_log_format = \"%%v %%U\"\n"
	    "vhost \"a.test\" {\n"
	    "    aliases = {\"www.a.test\", \"A2.test.\"}\n"
	    "    document_root = \"%s\"\n"
	    "}\n"
	    "vhost \"*.b.test\" { document_root = \"%s\" }\n"
	    "vhost \"x.b.test\" { document_root = \"%s\" }\n"
	    "vhost \"*.test\" { document_root = \"%s\" }\n"
	    "%s\n", t->docroot, a, b, x, w, extra != NULL ? extra : "");
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_start(t), 0);
	return t;
}

/* Which site answered GET / with this Host field (NULL: no Host, 1.0). */
static void
sites_expect(struct tine *t, const char *host, const char *site)
{
	struct tine_resp	r;
	char			req[512], want[64];

	if (host != NULL)
		snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s\r\n"
		    "Connection: close\r\n\r\n", host);
	else
		snprintf(req, sizeof(req), "GET / HTTP/1.0\r\n\r\n");
	cr_assert_eq(tine_request(t, req, 0, &r), 0, "Host %s: no answer",
	    host);
	snprintf(want, sizeof(want), SITES_BODY("%s"), site);
	cr_expect_eq(r.status, 200, "Host %s: %d", host, r.status);
	cr_expect_str_eq(r.body, want, "Host %s: not site %s", host, site);
	tine_resp_free(&r);
}

/* GET path with this Host: expect the status and, where given, the body
 * and the Content-Type. */
static void
sites_expect_body(struct tine *t, const char *host, const char *path,
    int status, const char *body, const char *type)
{
	struct tine_resp	r;

	cr_assert_eq(tine_ask(t, "GET", host, path, NULL, &r), 0,
	    "%s%s: no answer", host, path);
	cr_expect_eq(r.status, status, "%s%s: %d", host, path, r.status);
	if (body != NULL)
		cr_expect_str_eq(r.body, body, "%s%s", host, path);
	if (type != NULL)
		expect_type(&r, type);
	tine_resp_free(&r);
}

/* Names, aliases, case, port, trailing dot; wildcards, longest first;
 * an exact name over any wildcard; the top level for the rest. */
Test(sites, host_picks_the_site, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = sites_start(NULL);

	sites_expect(t, "a.test", "a");
	sites_expect(t, "A.Test", "a");
	sites_expect(t, "a.test.", "a");
	sites_expect(t, "a.test:8080", "a");
	/* A port is *DIGIT (RFC 3986): leading zeros are the same port, and
	 * the port is not part of the match anyway. */
	sites_expect(t, "a.test:0080", "a");
	sites_expect(t, "x.b.test:00080", "x");
	sites_expect(t, "www.a.test", "a");
	sites_expect(t, "a2.test", "a");
	sites_expect(t, "foo.b.test", "b");
	sites_expect(t, "deep.foo.B.TEST.", "b");
	sites_expect(t, "x.b.test", "x");
	sites_expect(t, "b.test", "w");
	sites_expect(t, "other.test", "w");
	sites_expect(t, "test", "default");
	sites_expect(t, "example.org", "default");
	sites_expect(t, "127.0.0.1", "default");
	sites_expect(t, NULL, "default");
	tine_stop(t);
}

/* An absolute-form target's host wins over the Host field. */
Test(sites, absolute_form_host_wins, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = sites_start(NULL);
	struct tine_resp	 r;

	cr_assert_eq(tine_request(t, "GET http://www.a.test/ HTTP/1.1\r\n"
	    "Host: x.b.test\r\nConnection: close\r\n\r\n", 0, &r), 0);
	cr_expect_str_eq(r.body, SITES_BODY("a"));
	tine_resp_free(&r);
	tine_stop(t);
}

/* default_vhost names the site for hosts no site names. */
Test(sites, default_vhost, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sites_start("default_vhost = \"A.TEST\"");

	sites_expect(t, "example.org", "a");
	sites_expect(t, NULL, "a");
	sites_expect(t, "x.b.test", "x");
	tine_stop(t);
}

/* What a vhost does not set comes from the top level: the root, the index
 * list, hidden_files, default_type; what it sets is its own. */
Test(sites, vhost_inherits_the_top_level, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine		*t = tine_setup("index = {\"home.html\"}\n"
	    "default_type = \"text/x-top\"\n"
	    "vhost \"same.test\" { }\n"
	    "vhost \"own.test\" { index = {\"index.html\"}\n"
	    "    hidden_files = allow\n"
	    "    default_type = \"text/x-own\" }");

	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "home.html", "home\n"), 0);
	cr_assert_eq(tine_put(t, ".env", "env\n"), 0);
	cr_assert_eq(tine_put(t, "data.zzz", "zzz\n"), 0);
	cr_assert_eq(tine_start(t), 0);
	sites_expect_body(t, "same.test", "/", 200, "home\n", NULL);
	sites_expect_body(t, "same.test", "/.env", 404, NULL, NULL);
	sites_expect_body(t, "same.test", "/data.zzz", 200, "zzz\n",
	    "text/x-top");
	sites_expect_body(t, "own.test", "/", 200, TINE_INDEX_BODY, NULL);
	sites_expect_body(t, "own.test", "/.env", 200, "env\n", NULL);
	sites_expect_body(t, "own.test", "/data.zzz", 200, "zzz\n",
	    "text/x-own");
	tine_stop(t);
}

/* Whether the access log has three lines yet; for tine_wait_until. */
static int
sites_three_lines(void *arg)
{
	struct tine	*t = arg;

	return tine_count(t->access_log, " /\n") >= 3;
}

/* %v is the vhost that answered, by its name; else the Host sent. */
Test(sites, access_log_names_the_vhost, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine	*t = sites_start(NULL);
	char		*log;

	sites_expect(t, "WWW.A.TEST:81", "a");
	sites_expect(t, "deep.foo.b.test", "b");
	sites_expect(t, "example.org", "default");
	/* A line is written once its response is out: wait for all three. */
	cr_assert_eq(tine_wait_until(sites_three_lines, t, TINE_TIMEOUT_MS), 0);
	cr_assert_not_null(log = tine_slurp(t->access_log, NULL));
	cr_expect_not_null(strstr(log, "a.test /\n"), "%s", log);
	cr_expect_not_null(strstr(log, "*.b.test /\n"), "%s", log);
	cr_expect_not_null(strstr(log, "example.org /\n"), "%s", log);
	free(log);
	tine_stop(t);
}

/* tine -t names the file, the line and the vhost of a bad section. */
Test(sites, config_errors_name_the_vhost, .fini = tine_teardown,
    .timeout = 30)
{
	static const struct { const char *conf, *want; } c[] = {
		{ "vhost \"a.test\" { }\nvhost \"b.test\" {\n"
		  "  aliases = {\"A.test.\"} }", "aliases: a.test is also a "
		  "name of vhost \"a.test\"" },
		{ "vhost \"a_b\" { }", "is not a host name" },
		{ "vhost \"a.test\" {\n  index = {\"x\"}\n  index = {\"y\"}\n}",
		  "vhost \"a.test\" index: set twice (first on line" },
		{ "vhost \"a.test\" { document_root = \"/nonexistent/x\" }",
		  "vhost \"a.test\" document_root: \"/nonexistent/x\": No "
		  "such file" },
		{ "vhost \"a.test\" {\n  hidden_files = maybe }",
		  "vhost \"a.test\" hidden_files: must be deny or allow" },
		{ "default_vhost = \"nowhere.test\"", "default_vhost: no "
		  "vhost is named" },
		{ "vhost \"a.test\" { listen = {\"*:81\"} }", "listen" },
		{ "vhost \"a.test\" { }\nvhost \"a.test\" { }", "a.test" },
	};
	char	*err;
	size_t	 i;
	int	 status;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		expect_refused(c[i].conf, c[i].want, i);
	/* The same key in two vhosts is not "set twice". */
	err = tine_check_extra("vhost \"a.test\" { index = {\"x\"} }\n"
	    "vhost \"b.test\" { index = {\"x\"} }", NULL, &status, NULL);
	cr_expect_eq(status, 0, "%s", err);
	free(err);
}
