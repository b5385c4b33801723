/*
 * test_types: a site's types, charset and cache_control_types against the
 * real binary over real sockets — a vhost's own extensions over the
 * server's table (mime_types and the built-in one) while other sites keep
 * theirs, the charset on text types only and never twice, the Cache-Control
 * chosen by type on a file's 200, 206 and 304 but not on an error page, a
 * Cache-Control in headers winning, all of it per location too, and the
 * config errors tine -t reports.
 */
#include "tine_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"

#define TYPES_PNG	"\x89PNG\r\n\x1a\n not really a png\n"
#define TYPES_404	"<!doctype html><p>custom not found\n"

/* Expect GET path on host to be a 200 with exactly this Content-Type. */
static void
types_expect(struct tine *t, const char *host, const char *path,
    const char *type)
{
	struct tine_resp	 r;

	expect_ask(t, "GET", host, path, NULL, &r);
	expect_status(&r, 200);
	cr_expect_str_eq(expect_header(&r, "Content-Type"), type, "%s%s",
	    host, path);
	tine_resp_free(&r);
}

/* Put each file the tests ask for; the names say their types. */
static void
types_files(struct tine *t)
{
	static const char *const	 names[] = {
		"a.gmi", "b.foo", "c.BAR", "s.css", "d.svg", "x.json", "k.zzz",
		"noext",
	};
	size_t				 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_eq(tine_put(t, names[i], "some text\n"), 0);
	cr_assert_eq(tine_put(t, "a.png", TYPES_PNG), 0);
	cr_assert_eq(tine_put(t, "404.html", TYPES_404), 0);
}

/* The config extra with mime_types set to a file of the test's own that
 * maps .zzz, so that nothing depends on the system's /etc/mime.types. */
static void
types_config(struct tine *t, const char *extra)
{
	char	path[TINE_PATH_MAX], conf[4096];

	tine_path(path, t->dir, "mime.types");
	cr_assert_eq(tine_write_file(path, "application/x-server zzz\n", 25,
	    0644), 0);
	snprintf(conf, sizeof(conf), "mime_types = \"%s\"\n%s", path, extra);
	cr_assert_eq(tine_config(t, conf), 0);
}

/* Start an instance with the files and the config extra. */
static struct tine *
types_start(const char *extra)
{
	struct tine	*t = tine_setup(NULL);

	cr_assert_not_null(t);
	types_config(t, extra);
	types_files(t);
	cr_assert_eq(tine_start(t), 0);
	return t;
}

/* A vhost's types add extensions and override the server's table (the
 * built-in one and the mime_types file); other sites keep theirs. */
Test(types, per_vhost, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = types_start("vhost \"gem.test\" {\n"
	    "  types = {\"text/gemini gmi\", \"application/x-foo foo bar\",\n"
	    "    \"text/x-mine css\", \"application/x-site zzz\"} }\n"
	    "vhost \"own.test\" { types = {\"text/x-own gmi\"} }\n");

	types_expect(t, "gem.test", "/a.gmi", "text/gemini; charset=utf-8");
	types_expect(t, "gem.test", "/b.foo", "application/x-foo");
	types_expect(t, "gem.test", "/c.BAR", "application/x-foo");
	types_expect(t, "gem.test", "/s.css", "text/x-mine; charset=utf-8");
	types_expect(t, "gem.test", "/k.zzz", "application/x-site");
	types_expect(t, "gem.test", "/a.png", "image/png");
	types_expect(t, "gem.test", "/", "text/html; charset=utf-8");
	types_expect(t, "own.test", "/a.gmi", "text/x-own; charset=utf-8");
	types_expect(t, "own.test", "/b.foo", "application/octet-stream");
	types_expect(t, "x", "/a.gmi", "application/octet-stream");
	types_expect(t, "x", "/b.foo", "application/octet-stream");
	types_expect(t, "x", "/s.css", "text/css; charset=utf-8");
	types_expect(t, "x", "/k.zzz", "application/x-server");
	tine_stop(t);
}

/* A top-level types list is every vhost's that does not write its own. */
Test(types, inherited, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = types_start("types = {\"text/gemini gmi\"}\n"
	    "vhost \"same.test\" { }\n"
	    "vhost \"none.test\" { types = {} }\n");

	types_expect(t, "x", "/a.gmi", "text/gemini; charset=utf-8");
	types_expect(t, "same.test", "/a.gmi", "text/gemini; charset=utf-8");
	types_expect(t, "none.test", "/a.gmi", "application/octet-stream");
	tine_stop(t);
}

/* charset goes on text types (and the XML and JSON ones), not on images
 * or binaries; off sends none; a type with a charset keeps its own. */
Test(types, charset, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = types_start(
	    "vhost \"latin.test\" { charset = \"iso-8859-1\"\n"
	    "  default_type = \"text/plain\" }\n"
	    "vhost \"off.test\" { charset = off }\n"
	    "vhost \"own.test\" { default_type = \"text/plain; "
	    "charset=koi8-r\" }\n");
	struct tine_resp	 r;

	types_expect(t, "latin.test", "/", "text/html; charset=iso-8859-1");
	types_expect(t, "latin.test", "/s.css", "text/css; charset=iso-8859-1");
	types_expect(t, "latin.test", "/d.svg",
	    "image/svg+xml; charset=iso-8859-1");
	types_expect(t, "latin.test", "/x.json",
	    "application/json; charset=iso-8859-1");
	types_expect(t, "latin.test", "/a.png", "image/png");
	types_expect(t, "latin.test", "/noext",
	    "text/plain; charset=iso-8859-1");
	types_expect(t, "off.test", "/", "text/html");
	types_expect(t, "off.test", "/s.css", "text/css");
	types_expect(t, "own.test", "/noext", "text/plain; charset=koi8-r");
	types_expect(t, "own.test", "/", "text/html; charset=utf-8");
	types_expect(t, "x", "/", "text/html; charset=utf-8");
	types_expect(t, "x", "/a.png", "image/png");
	types_expect(t, "x", "/noext", "application/octet-stream");
	/* tine's own error pages are UTF-8 whatever the site says. */
	expect_ask(t, "GET", "off.test", "/nope", NULL, &r);
	expect_error(&r, 404, 0, 1);
	tine_resp_free(&r);
	tine_stop(t);
}

/* The Cache-Control lines of r, and that there is exactly one: want. */
static void
types_expect_cc(const struct tine_resp *r, const char *want,
    const char *what)
{
	const char	*v = tine_resp_header(r, "Cache-Control");

	if (want == NULL) {
		cr_expect_null(v, "%s: Cache-Control \"%s\"", what, v);
		return;
	}
	cr_expect_eq(tine_resp_count(r, "Cache-Control"), 1, "%s", what);
	cr_expect_str_eq(v != NULL ? v : "(none)", want, "%s", what);
}

/* GET (or HEAD) path on host with extra lines: status and Cache-Control. */
static void
types_cc(struct tine *t, const char *method, const char *host,
    const char *path, const char *extra, int status, const char *want)
{
	struct tine_resp	 r;
	char			 what[256];

	snprintf(what, sizeof(what), "%s %s%s %s", method, host, path,
	    extra != NULL ? extra : "");
	expect_ask(t, method, host, path, extra, &r);
	expect_status(&r, status);
	types_expect_cc(&r, want, what);
	tine_resp_free(&r);
}

#define TYPES_CC_CONF							\
	"cache_control_types = {\"image/* public, max-age=2592000\",\n"	\
	"  \"image/svg+xml no-cache\", \"text/css public, max-age=86400\",\n" \
	"  \"text/html max-age=60\"}\n"					\
	"error_pages = {\"404 /404.html\"}\n"				\
	"vhost \"hdr.test\" { headers = {\"Cache-Control: no-store\"} }\n" \
	"vhost \"none.test\" { cache_control_types = {} }\n"

/* The most specific pattern wins, whatever the order: a file's 200 and
 * HEAD carry its line; a file of no listed type carries none. */
Test(types, cache_control_by_type, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = types_start(TYPES_CC_CONF);

	types_cc(t, "GET", "x", "/a.png", NULL, 200, "public, max-age=2592000");
	types_cc(t, "HEAD", "x", "/a.png", NULL, 200,
	    "public, max-age=2592000");
	types_cc(t, "GET", "x", "/d.svg", NULL, 200, "no-cache");
	types_cc(t, "GET", "x", "/s.css", NULL, 200, "public, max-age=86400");
	types_cc(t, "GET", "x", "/", NULL, 200, "max-age=60");
	types_cc(t, "GET", "x", "/x.json", NULL, 200, NULL);
	types_cc(t, "GET", "none.test", "/a.png", NULL, 200, NULL);
	tine_stop(t);
}

/* Not on an error answer (a page file of a listed type, or tine's own),
 * but on a 304 and on 206s, one and several ranges. */
Test(types, cache_control_answers, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = types_start(TYPES_CC_CONF);
	struct tine_resp	 r;
	char			 inm[128];

	types_cc(t, "GET", "x", "/nope.png", NULL, 404, NULL);
	types_cc(t, "GET", "none.test", "/nope.png", NULL, 404, NULL);
	types_cc(t, "GET", "x", "/a.png", "If-Match: \"other\"\r\n", 412,
	    NULL);
	types_cc(t, "GET", "x", "/a.png", "Range: bytes=0-3\r\n", 206,
	    "public, max-age=2592000");
	types_cc(t, "GET", "x", "/a.png", "Range: bytes=0-1,4-5\r\n", 206,
	    "public, max-age=2592000");
	expect_ask(t, "GET", "x", "/a.png", NULL, &r);
	snprintf(inm, sizeof(inm), "If-None-Match: %s\r\n",
	    expect_header(&r, "ETag"));
	tine_resp_free(&r);
	types_cc(t, "GET", "x", "/a.png", inm, 304, "public, max-age=2592000");
	types_cc(t, "GET", "x", "/", "If-None-Match: *\r\n", 304,
	    "max-age=60");
	tine_stop(t);
}

/* A Cache-Control line in the site's headers wins: it is the only one, on
 * every answer (errors included, as headers are). */
Test(types, headers_cache_control_wins, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine	*t = types_start(TYPES_CC_CONF);

	types_cc(t, "GET", "hdr.test", "/a.png", NULL, 200, "no-store");
	types_cc(t, "GET", "hdr.test", "/s.css", "Range: bytes=0-1,3-4\r\n",
	    206, "no-store");
	types_cc(t, "GET", "hdr.test", "/a.png", "If-None-Match: *\r\n", 304,
	    "no-store");
	/* Lines about caching are for files: none on an error. */
	types_cc(t, "GET", "hdr.test", "/nope.png", NULL, 404, NULL);
	tine_stop(t);
}

/* tine -t refuses each bad entry, naming file, line, key (and vhost). */
Test(types, config_errors, .fini = tine_teardown, .timeout = 60)
{
	static const struct { const char *conf, *mark, *want; } c[] = {
		{ "types = {\"text/gemini gmi\",\n\"gemini gmi2\"}",
		  "gemini gmi2", "types: \"gemini gmi2\" must start with a "
		  "media type" },
		{ "vhost \"a.test\" {\n  types = {\"text/gemini .gmi\"} }",
		  ".gmi", "vhost \"a.test\" types: \"text/gemini .gmi\": "
		  "extension \".gmi\" must be 1 to 15 bytes" },
		{ "types = {\"text/a x\",\n\"text/b x\"}", "text/b",
		  "extension \"x\" has a type already" },
		{ "vhost \"a.test\" {\n\n  charset = \"utf 8\" }", "utf 8",
		  "vhost \"a.test\" charset: must be a charset name" },
		{ "cache_control_types = {\"*/png max-age=1\"}", "*/png",
		  "cache_control_types: \"*/png max-age=1\" must start with a "
		  "media type" },
		{ "vhost \"a.test\" {\n  cache_control_types = {\n"
		  "\"image/* a\", \"image/* b\"} }", "image/* a",
		  "vhost \"a.test\" cache_control_types: \"image/* b\" names a "
		  "type given a value already" },
	};
	struct tine	*t;
	char		*err, want[32];
	size_t		 i;
	int		 status, line;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cr_assert_not_null(t = tine_setup(c[i].conf));
		line = tine_line_of(t->conf, c[i].mark);
		err = tine_check(t, &status);
		tine_stop(t);
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

/* Put file rel of the kinds the location tests ask for in dir/. */
static void
types_put_in(struct tine *t, const char *dir)
{
	static const char *const	 names[] = {
		"a.gmi", "s.css", "noext",
	};
	char				 rel[128];
	size_t				 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/%s", dir, names[i]);
		cr_assert_eq(tine_put(t, rel, "some text\n"), 0);
	}
	snprintf(rel, sizeof(rel), "%s/a.png", dir);
	cr_assert_eq(tine_put(t, rel, TYPES_PNG), 0);
}

/* A location's types, charset, default_type and cache_control_types are
 * its own (a file cache of its own makes their heads); a location that
 * sets none serves with its site's. */
Test(types, per_location, .fini = tine_teardown, .timeout = 30)
{
	static const char *const	 dirs[] = {
		"gem", "raw", "cc", "plain",
	};
	struct tine			*t = tine_setup(NULL);
	size_t				 i;

	cr_assert_not_null(t);
	types_config(t, "vhost \"v.test\" {\n"
	    "  cache_control_types = {\"image/* public, max-age=2592000\"}\n"
	    "  location \"/gem/\" { types = {\"text/gemini gmi\"}\n"
	    "    charset = off }\n"
	    "  location \"/raw/\" { default_type = \"text/plain\" }\n"
	    "  location \"/cc/\" { cache_control_types = {\"text/css "
	    "no-cache\"} }\n"
	    "  location \"/plain/\" { headers = {\"X-L: 1\"} } }\n");
	types_files(t);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		types_put_in(t, dirs[i]);
	cr_assert_eq(tine_start(t), 0);
	types_expect(t, "v.test", "/gem/a.gmi", "text/gemini");
	types_expect(t, "v.test", "/gem/s.css", "text/css");
	types_expect(t, "v.test", "/a.gmi", "application/octet-stream");
	types_expect(t, "v.test", "/s.css", "text/css; charset=utf-8");
	types_expect(t, "v.test", "/raw/noext", "text/plain; charset=utf-8");
	types_expect(t, "v.test", "/noext", "application/octet-stream");
	types_expect(t, "v.test", "/plain/s.css", "text/css; charset=utf-8");
	types_cc(t, "GET", "v.test", "/cc/s.css", NULL, 200, "no-cache");
	types_cc(t, "GET", "v.test", "/cc/a.png", NULL, 200, NULL);
	types_cc(t, "GET", "v.test", "/s.css", NULL, 200, NULL);
	types_cc(t, "GET", "v.test", "/a.png", NULL, 200,
	    "public, max-age=2592000");
	types_cc(t, "GET", "v.test", "/gem/a.png", NULL, 200,
	    "public, max-age=2592000");
	types_cc(t, "GET", "v.test", "/plain/a.png", NULL, 200,
	    "public, max-age=2592000");
	tine_stop(t);
}

/* Hugo's fingerprinted assets: a location's headers give them an
 * immutable Cache-Control, which wins over the site's by type there (one
 * line, on 200 and 304), while the rest of the site keeps its own. */
Test(types, location_headers_win, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = tine_setup(NULL);

	cr_assert_not_null(t);
	types_config(t, "cache_control_types = {\"image/* public, "
	    "max-age=2592000\"}\n"
	    "location \"/assets/\" { headers = {\"Cache-Control: public, "
	    "max-age=31536000, immutable\"} }\n");
	types_files(t);
	types_put_in(t, "assets");
	cr_assert_eq(tine_start(t), 0);
	types_cc(t, "GET", "x", "/assets/a.png", NULL, 200,
	    "public, max-age=31536000, immutable");
	types_cc(t, "GET", "x", "/assets/a.png", "If-None-Match: *\r\n", 304,
	    "public, max-age=31536000, immutable");
	types_cc(t, "GET", "x", "/assets/a.png", "Range: bytes=0-1,3-4\r\n",
	    206, "public, max-age=31536000, immutable");
	types_cc(t, "GET", "x", "/a.png", NULL, 200, "public, max-age=2592000");
	types_cc(t, "GET", "x", "/a.png", "If-None-Match: *\r\n", 304,
	    "public, max-age=2592000");
	tine_stop(t);
}
