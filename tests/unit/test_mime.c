/* Unit tests of mime: built-in table, lookups, mime.types files, a
 * site's own table, the charset rule and type patterns. */
#include "tine_build.h"

#include <sys/stat.h>

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mime.h"

#define DEF	"application/octet-stream"

static char	 types[64];	/* a temp mime.types */

/* An empty temp file to write a mime.types into. */
static void
setup(void)
{
	int	 fd;

	strlcpy(types, "/tmp/tine-mime-XXXXXX", sizeof types);
	cr_assert_neq(fd = mkstemp(types), -1);
	close(fd);
}

/* Remove the temp file. */
static void
teardown(void)
{
	unlink(types);
}

TestSuite(mime, .init = setup, .fini = teardown);

/* Make the temp mime.types hold exactly text. */
static void
types_write(const char *text)
{
	FILE	*fp;

	cr_assert_not_null(fp = fopen(types, "w"));
	cr_assert_eq(fputs(text, fp) >= 0, 1);
	cr_assert_eq(fclose(fp), 0);
}

/* The built-in table alone. */
static struct mime *
builtin(void)
{
	char		 err[256] = "";
	struct mime	*m = mime_load(NULL, err, sizeof err);

	cr_assert_not_null(m, "%s", err);
	return m;
}

Test(mime, builtin_types)
{
	static const struct { const char *path, *type; } t[] = {
		{ "index.html", "text/html" },
		{ "old.htm", "text/html" },
		{ "site.css", "text/css" },
		{ "app.js", "text/javascript" },
		{ "mod.mjs", "text/javascript" },
		{ "data.json", "application/json" },
		{ "notes.txt", "text/plain" },
		{ "table.csv", "text/csv" },
		{ "README.md", "text/markdown" },
		{ "feed.xml", "application/xml" },
		{ "logo.svg", "image/svg+xml" },
		{ "a.png", "image/png" },
		{ "a.jpg", "image/jpeg" },
		{ "a.jpeg", "image/jpeg" },
		{ "a.gif", "image/gif" },
		{ "a.webp", "image/webp" },
		{ "a.avif", "image/avif" },
		{ "favicon.ico", "image/x-icon" },
		{ "f.woff", "font/woff" },
		{ "f.woff2", "font/woff2" },
		{ "f.ttf", "font/ttf" },
		{ "f.otf", "font/otf" },
		{ "doc.pdf", "application/pdf" },
		{ "a.zip", "application/zip" },
		{ "a.gz", "application/gzip" },
		{ "a.tar", "application/x-tar" },
		{ "m.wasm", "application/wasm" },
		{ "v.mp4", "video/mp4" },
		{ "v.webm", "video/webm" },
		{ "s.mp3", "audio/mpeg" },
		{ "s.ogg", "audio/ogg" },
		{ "s.wav", "audio/wav" },
	};
	struct mime	*m = builtin();
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		cr_expect_str_eq(mime_lookup(m, t[i].path, DEF), t[i].type,
		    "%s", t[i].path);
	mime_free(m);
}

Test(mime, case_insensitive)
{
	struct mime	*m = builtin();

	cr_expect_str_eq(mime_lookup(m, "/INDEX.HTML", DEF), "text/html");
	cr_expect_str_eq(mime_lookup(m, "Photo.JpG", DEF), "image/jpeg");
	cr_expect_str_eq(mime_lookup(m, "f.WOFF2", DEF), "font/woff2");
	mime_free(m);
}

Test(mime, no_extension)
{
	struct mime	*m = builtin();

	cr_expect_str_eq(mime_lookup(m, "README", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "/srv/www.d/README", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "/a.html/", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "file.", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "x.unknownext", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "x.abcdefghijklmnopqrstuvwxyz", DEF),
	    DEF);
	cr_expect_null(mime_lookup(m, "README", NULL));
	cr_expect_str_eq(mime_lookup(NULL, "a.html", DEF), DEF);
	mime_free(m);
}

Test(mime, dotfiles)
{
	struct mime	*m = builtin();

	cr_expect_str_eq(mime_lookup(m, ".bashrc", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "/home/u/.html", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "/dir/.config.json", DEF),
	    "application/json");
	mime_free(m);
}

Test(mime, last_extension_counts)
{
	struct mime	*m = builtin();

	cr_expect_str_eq(mime_lookup(m, "a.tar.gz", DEF), "application/gzip");
	cr_expect_str_eq(mime_lookup(m, "/x.png/y.html", DEF), "text/html");
	cr_expect_str_eq(mime_lookup(m, "page.html.bak", DEF), DEF);
	mime_free(m);
}

Test(mime, file_overrides_and_extends)
{
	char		 err[256] = "";
	struct mime	*m;

	types_write(
	    "# a comment line\n"
	    "\n"
	    "text/x-custom\tfoo  bar   # trailing comment baz\n"
	    "application/x-override html\n"
	    "image/png png2\n"
	    "application/x-first twice\n"
	    "application/x-second twice\n"
	    "TEXT/X-Upper up\n"
	    "application/json  geojson\n"
	    "Application/JSON  upjson\n"
	    "APPLICATION/JavaScript  upjs\n"
	    "application/jsonx  notjson\n");
	m = mime_load(types, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	cr_expect_str_eq(mime_lookup(m, "a.foo", DEF), "text/x-custom");
	cr_expect_str_eq(mime_lookup(m, "a.BAR", DEF), "text/x-custom");
	cr_expect_str_eq(mime_lookup(m, "a.baz", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "a.html", DEF),
	    "application/x-override");
	cr_expect_str_eq(mime_lookup(m, "a.htm", DEF), "text/html");
	cr_expect_str_eq(mime_lookup(m, "a.png2", DEF), "image/png");
	cr_expect_str_eq(mime_lookup(m, "a.twice", DEF),
	    "application/x-second");
	cr_expect_str_eq(mime_lookup(m, "a.up", DEF), "TEXT/X-Upper");
	cr_expect_str_eq(mime_lookup(m, "a.geojson", DEF), "application/json");
	cr_expect_str_eq(mime_lookup(m, "a.upjson", DEF), "Application/JSON");
	cr_expect_str_eq(mime_lookup(m, "a.upjs", DEF),
	    "APPLICATION/JavaScript");
	cr_expect_str_eq(mime_lookup(m, "a.notjson", DEF), "application/jsonx");
	cr_expect_str_eq(mime_lookup(m, "a.css", DEF), "text/css");
	mime_free(m);
}

Test(mime, malformed_lines_ignored)
{
	char		 err[256] = "", *text, *pad;
	struct mime	*m;
	size_t		 n = 5000;

	/* One line far longer than any real one, then a good line. */
	cr_assert_not_null(pad = malloc(n + 1));
	memset(pad, 'a', n);
	pad[n] = '\0';
	cr_assert_neq(asprintf(&text, "noslash xyz\n"
	    "text/ qqq\n"
	    "/plain rrr\n"
	    "te xt/plain sss\n"
	    "application/ok ok.dot a/b abcdefghijklmnopqrstuvwxyz ok2\n"
	    "application/x-long %s longline\n"
	    "audio/x-after after\n", pad), -1);
	free(pad);
	types_write(text);
	free(text);
	m = mime_load(types, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	cr_expect_str_eq(mime_lookup(m, "a.xyz", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "a.qqq", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "a.rrr", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "a.sss", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "a.dot", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "a.ok2", DEF), "application/ok");
	cr_expect_str_eq(mime_lookup(m, "a.longline", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "a.after", DEF), "audio/x-after");
	mime_free(m);
}

/* Lines of "#" and k letters, then " text/x-evil evil", for k in [lo, hi). */
static void
long_comments(FILE *fp, int lo, int hi)
{
	int	 k;

	for (k = lo; k < hi; k++)
		fprintf(fp, "#%*s text/x-evil evil\n", k, "a");
}

Test(mime, long_line_tail_is_not_a_line)
{
	char		 err[256] = "";
	struct mime	*m;
	FILE		*fp;

	/*
	 * Whatever the line buffer, one of these over-long comments breaks
	 * right before " text/x-evil": its tail must not be read as a line.
	 */
	cr_assert_not_null(fp = fopen(types, "w"));
	long_comments(fp, 1000, 1100);
	long_comments(fp, 2020, 2080);
	long_comments(fp, 4070, 4130);
	fprintf(fp, "audio/x-after after\n");
	fclose(fp);
	m = mime_load(types, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	cr_expect_str_eq(mime_lookup(m, "a.evil", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "a.after", DEF), "audio/x-after");
	mime_free(m);
}

Test(mime, many_entries)
{
	char		 err[256] = "", ext[32], want[64];
	struct mime	*m;
	FILE		*fp;
	int		 i;

	cr_assert_not_null(fp = fopen(types, "w"));
	for (i = 0; i < 5000; i++)
		fprintf(fp, "application/x-t%d e%d\n", i % 7, i);
	fclose(fp);
	m = mime_load(types, err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	for (i = 0; i < 5000; i++) {
		snprintf(ext, sizeof ext, "f.e%d", i);
		snprintf(want, sizeof want, "application/x-t%d", i % 7);
		cr_assert_str_eq(mime_lookup(m, ext, DEF), want, "%s", ext);
	}
	cr_expect_str_eq(mime_lookup(m, "f.e5000", DEF), DEF);
	cr_expect_str_eq(mime_lookup(m, "a.html", DEF), "text/html");
	mime_free(m);
}

Test(mime, missing_file_is_builtin)
{
	char		 err[256] = "x";
	struct mime	*m;

	m = mime_load("/nonexistent/mime.types", err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	cr_expect_str_empty(err);
	cr_expect_str_eq(mime_lookup(m, "a.html", DEF), "text/html");
	mime_free(m);
}

Test(mime, unreadable_file_is_an_error)
{
	char	 err[256] = "";

	cr_assert_null(mime_load("/tmp", err, sizeof err));
	cr_expect(strncmp(err, "/tmp: ", 6) == 0, "%s", err);
}

Test(mime, system_mime_types)
{
	char		 err[256] = "";
	struct mime	*m;

	if (access("/etc/mime.types", R_OK) == -1)
		cr_skip_test("no /etc/mime.types on this system");
	m = mime_load("/etc/mime.types", err, sizeof err);
	cr_assert_not_null(m, "%s", err);
	cr_expect_str_eq(mime_lookup(m, "a.html", DEF), "text/html");
	cr_expect_str_eq(mime_lookup(m, "a.png", DEF), "image/png");
	cr_expect_str_eq(mime_lookup(m, "a.css", DEF), "text/css");
	cr_expect_str_eq(mime_lookup(m, "A.PDF", DEF), "application/pdf");
	cr_expect_str_eq(mime_lookup(m, "noext", DEF), DEF);
	mime_free(m);
}

/* A site's own table: its types, case-insensitive, a later mapping
 * replacing an earlier, and nothing else (the server's table is apart). */
Test(mime, site_table)
{
	struct mime	*m, *held;

	cr_assert_not_null(m = mime_create());
	cr_expect_str_eq(mime_lookup(m, "a.html", DEF), DEF);
	cr_expect_eq(mime_add(m, "text/gemini", "gmi"), 0);
	cr_expect_eq(mime_add(m, "application/x-foo", "foo"), 0);
	cr_expect_eq(mime_add(m, "application/x-foo", "BAR"), 0);
	cr_expect_eq(mime_add(m, "text/x-html", "html"), 0);
	cr_expect_str_eq(mime_lookup(m, "/a/index.GMI", DEF), "text/gemini");
	cr_expect_str_eq(mime_lookup(m, "x.bar", DEF), "application/x-foo");
	cr_expect_str_eq(mime_lookup(m, "x.foo", DEF), "application/x-foo");
	cr_expect_str_eq(mime_lookup(m, "x.html", DEF), "text/x-html");
	cr_expect_null(mime_lookup(m, "x.css", NULL));
	cr_expect_eq(mime_add(m, "text/plain", "Gmi"), 1);
	cr_expect_str_eq(mime_lookup(m, "a.gmi", DEF), "text/plain");
	/* Held twice: the first free leaves it whole. */
	held = mime_hold(m);
	cr_expect_eq(held, m);
	mime_free(m);
	cr_expect_str_eq(mime_lookup(held, "a.foo", DEF), "application/x-foo");
	mime_free(held);
	cr_expect_null(mime_hold(NULL));
}

/* A site's table grows past its first slots like the server's. */
Test(mime, site_table_grows)
{
	struct mime	*m;
	char		 ext[16], path[32];
	int		 i;

	cr_assert_not_null(m = mime_create());
	for (i = 0; i < 300; i++) {
		snprintf(ext, sizeof ext, "x%d", i);
		cr_assert_eq(mime_add(m, i % 2 ? "text/odd" : "text/even", ext),
		    0);
	}
	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof path, "f.x%d", i);
		cr_assert_str_eq(mime_lookup(m, path, DEF), i % 2 ? "text/odd" :
		    "text/even", "%s", path);
	}
	mime_free(m);
}

/* What a table can hold: bare "token/token" types, extensions without
 * '.' or '/' of 1 to 15 bytes. */
Test(mime, type_and_ext_checks)
{
	cr_expect(mime_type_ok("text/gemini"));
	cr_expect(mime_type_ok("application/vnd.a+b"));
	cr_expect_not(mime_type_ok("text"));
	cr_expect_not(mime_type_ok("text/"));
	cr_expect_not(mime_type_ok("/plain"));
	cr_expect_not(mime_type_ok("text/plain; charset=utf-8"));
	cr_expect_not(mime_type_ok("text/pl ain"));
	cr_expect_not(mime_type_ok("text/a/b"));
	cr_expect(mime_ext_ok("gmi"));
	cr_expect(mime_ext_ok("abcdefghijklmno"));
	cr_expect_not(mime_ext_ok("abcdefghijklmnop"));
	cr_expect_not(mime_ext_ok(".gmi"));
	cr_expect_not(mime_ext_ok("tar.gz"));
	cr_expect_not(mime_ext_ok("a/b"));
	cr_expect_not(mime_ext_ok(""));
}

/* The types a site's charset goes on, case-insensitive; never twice. */
Test(mime, takes_charset)
{
	static const char *const	 yes[] = {
		"text/html", "text/css", "TEXT/Plain", "text/gemini",
		"application/javascript", "application/json",
		"Application/JSON", "application/xml", "image/svg+xml",
		"application/rss+xml", "application/atom+xml",
		"application/xhtml+xml", "application/ld+json",
		"application/manifest+json", "text/plain; format=flowed",
		"text/plain ;q=1",
	};
	static const char *const	 no[] = {
		"image/png", "application/octet-stream", "font/woff2",
		"application/jsonx", "application/x-xml-ish", "text/",
		"application/pdf", "text/plain; charset=iso-8859-1",
		"text/html;CHARSET=utf-8", "text/html; a=b; charset=x",
		"application/json; charset=utf-8", "image/+xml-no",
	};
	size_t				 i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		cr_expect(mime_takes_charset(yes[i]), "%s", yes[i]);
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		cr_expect_not(mime_takes_charset(no[i]), "%s", no[i]);
}

/* Patterns: the type itself beats its major type, which beats any type. */
Test(mime, match)
{
	cr_expect_eq(mime_match("image/png", "image/png"), 3);
	cr_expect_eq(mime_match("IMAGE/PNG", "image/png"), 3);
	cr_expect_eq(mime_match("text/plain", "text/plain; charset=utf-8"), 3);
	cr_expect_eq(mime_match("image/*", "image/png"), 2);
	cr_expect_eq(mime_match("Image/*", "image/svg+xml"), 2);
	cr_expect_eq(mime_match("text/*", "text/css; charset=utf-8"), 2);
	cr_expect_eq(mime_match("*/*", "font/woff2"), 1);
	cr_expect_eq(mime_match("image/png", "image/pngx"), 0);
	cr_expect_eq(mime_match("image/pngx", "image/png"), 0);
	cr_expect_eq(mime_match("image/*", "imagex/png"), 0);
	cr_expect_eq(mime_match("imag/*", "image/png"), 0);
	cr_expect_eq(mime_match("text/*", "image/png"), 0);
	cr_expect_eq(mime_match("text/plain", "text/plainx"), 0);
}
