/*
 * Unit tests of config_text through config_load: include = "GLOB" pastes
 * files where it stands, and every error names the file and line it was
 * written on, whichever file that is.
 */
#include "tine_build.h"

#include <sys/stat.h>

#include <criterion/criterion.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char	 tmpdir[PATH_MAX];	/* real path of a fresh directory */
static char	 conf[PATH_MAX + 16];	/* tmpdir/tine.conf */
static struct config_overrides root_ov;	/* -r tmpdir, so files need no root */

/* Remove one entry of the temp tree, deepest first. */
static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* A temp directory that holds the config and the files it includes. */
static void
setup(void)
{
	char	 dir[] = "/tmp/tine-text-XXXXXX";

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_not_null(realpath(dir, tmpdir));
	snprintf(conf, sizeof conf, "%s/tine.conf", tmpdir);
	root_ov.document_root = tmpdir;
	root_ov.listen = NULL;
}

/* Remove everything setup() and the test made. */
static void
teardown(void)
{
	nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(config_text, .init = setup, .fini = teardown);

/* Printf into a buffer that the test owns (a config text, a path). */
static const char * __attribute__((format(printf, 3, 4)))
fmt(char *buf, size_t len, const char *f, ...)
{
	va_list	 ap;

	va_start(ap, f);
	vsnprintf(buf, len, f, ap);
	va_end(ap);
	return buf;
}

/* Write tmpdir/rel (its directories made) holding exactly text. */
static void
put(const char *rel, const char *text)
{
	char	 path[PATH_MAX], *slash;
	FILE	*fp;

	fmt(path, sizeof path, "%s/%s", tmpdir, rel);
	for (slash = path + strlen(tmpdir) + 1; (slash = strchr(slash, '/'))
	    != NULL; slash++) {
		*slash = '\0';
		cr_assert(mkdir(path, 0755) == 0 || access(path, F_OK) == 0);
		*slash = '/';
	}
	cr_assert_not_null(fp = fopen(path, "w"), "%s", path);
	cr_assert_eq(fputs(text, fp) >= 0, 1);
	cr_assert_eq(fclose(fp), 0);
}

/* Load tine.conf holding text; must succeed. */
static struct config *
expect_ok(const char *text)
{
	char		 err[CONFIG_ERR_MAX] = "";
	struct config	*c;

	put("tine.conf", text);
	c = config_load(conf, &root_ov, err, sizeof err);
	cr_assert_not_null(c, "rejected [%s]: %s", text, err);
	return c;
}

/* Load tine.conf holding text; must fail with an error that starts with
 * "TMPDIR/" + at (the file relative to tmpdir, its line, ...) and holds
 * what (unless NULL). */
static void
expect_fail(const char *text, const char *at, const char *what)
{
	char		 err[CONFIG_ERR_MAX], want[PATH_MAX + 256];
	struct config	*c;

	put("tine.conf", text);
	c = config_load(conf, &root_ov, err, sizeof err);
	cr_assert_null(c, "accepted [%s]", text);
	fmt(want, sizeof want, "%s/%s", tmpdir, at);
	cr_expect(strncmp(err, want, strlen(want)) == 0,
	    "for [%s]: want \"%s...\", got \"%s\"", text, want, err);
	if (what != NULL)
		cr_expect_not_null(strstr(err, what), "for [%s]: want \"%s\" "
		    "in \"%s\"", text, what, err);
}

/* Files a glob matches come in sorted order, where the include stands: a
 * later one's "+=" appends to an earlier one's "=". */
Test(config_text, glob_sorted_in_place)
{
	struct config	*c;

	/* Written in the reverse of their order. */
	put("sites/b.conf", "index += {\"b.html\"}\n"
	    "vhost \"b.test\" { }\n");
	put("sites/a.conf", "index = {\"a.html\"}\n");
	put("sites/a.conf.off", "index += {\"off.html\"}\n");
	c = expect_ok("workers = 1\ninclude = \"sites/*.conf\"\n"
	    "index += {\"c.html\"}\n");
	cr_assert_eq(c->sites[0].nindex, 3);
	cr_expect_str_eq(c->sites[0].index[0], "a.html");
	cr_expect_str_eq(c->sites[0].index[1], "b.html");
	cr_expect_str_eq(c->sites[0].index[2], "c.html");
	cr_assert_eq(c->nsites, 2);
	cr_expect_str_eq(c->sites[1].name, "b.test");
	config_free(c);
}

/* A pattern that matches nothing, even in a missing directory, is fine
 * (an empty sites-enabled/); a name without wildcards must exist. */
Test(config_text, no_match_is_fine_a_missing_file_is_not)
{
	char	 dir[PATH_MAX];

	fmt(dir, sizeof dir, "%s/empty", tmpdir);
	cr_assert_eq(mkdir(dir, 0755), 0);
	config_free(expect_ok("include = \"empty/*.conf\"\n"
	    "include = \"nowhere/*.conf\"\ninclude = \"x[0-9].conf\"\n"));
	expect_fail("\n\ninclude = \"extra.conf\"\n", "tine.conf:3: include: ",
	    "extra.conf: No such file or directory");
	expect_fail("include = \"empty\"\n", "tine.conf:1: include: ",
	    "empty: not a regular file");
}

/* A relative pattern is taken from the directory of the file naming it,
 * not from the current directory; an absolute one as it is. */
Test(config_text, relative_to_the_including_file)
{
	struct config	*c;
	char		 text[PATH_MAX + 64];

	put("sites/a.conf", "include = \"../snippets/*.conf\"\n");
	put("snippets/x.conf", "index = {\"x.html\"}\n");
	cr_assert_eq(chdir("/"), 0);
	c = expect_ok("include = \"sites/a.conf\"\n");
	cr_assert_eq(c->sites[0].nindex, 1);
	cr_expect_str_eq(c->sites[0].index[0], "x.html");
	config_free(c);
	c = expect_ok(fmt(text, sizeof text, "include = \"%s/snippets/*\"\n",
	    tmpdir));
	cr_expect_str_eq(c->sites[0].index[0], "x.html");
	config_free(c);
}

/* A directory with glob(3)'s special characters in its name is taken as
 * it is, and the value is read as libconfuse reads strings (${NAME}). */
Test(config_text, special_directory_and_variables)
{
	char		 err[CONFIG_ERR_MAX] = "", path[PATH_MAX];
	struct config	*c;

	put("a[1]*/tine.conf", "include = \"s/*.conf\"\n"
	    "include = \"${TINE_TEST_SNIPPET}\"\n");
	put("a[1]*/s/one.conf", "index = {\"one.html\"}\n");
	put("a[1]*/two.conf", "index += {\"two.html\"}\n");
	cr_assert_eq(setenv("TINE_TEST_SNIPPET", "two.conf", 1), 0);
	fmt(path, sizeof path, "%s/a[1]*/tine.conf", tmpdir);
	c = config_load(path, &root_ov, err, sizeof err);
	cr_assert_not_null(c, "%s", err);
	cr_assert_eq(c->sites[0].nindex, 2);
	cr_expect_str_eq(c->sites[0].index[1], "two.html");
	config_free(c);
}

/* Includes nest; in a vhost the included keys belong to that vhost, and
 * their errors name the included file, its line and the vhost. */
Test(config_text, nested_and_in_a_vhost)
{
	struct config	*c;

	put("sites/a.conf", "vhost \"a.test\" {\n"
	    "    include = \"common/*.conf\"\n}\n");
	put("sites/common/x.conf", "# shared by every site\n"
	    "index = {\"x.html\"}\n");
	c = expect_ok("index = {\"top.html\"}\ninclude = \"sites/*.conf\"\n");
	cr_assert_eq(c->nsites, 2);
	cr_expect_str_eq(c->sites[0].index[0], "top.html");
	cr_expect_str_eq(c->sites[1].index[0], "x.html");
	config_free(c);
	put("sites/common/x.conf", "\n\nhidden_files = maybe\n");
	expect_fail("include = \"sites/*.conf\"\n", "sites/common/x.conf:3: "
	    "vhost \"a.test\" hidden_files: must be deny or allow", NULL);
}

/* Lines after an include, on its own line and later, are still blamed on
 * the file and line they were written on. */
Test(config_text, lines_after_an_include)
{
	put("a.conf", "\n\n\nindex = {\"a.html\"}\n\n");
	expect_fail("include = \"a.conf\" hidden_files = maybe\n",
	    "tine.conf:1: hidden_files: must be deny or allow", NULL);
	expect_fail("# x\ninclude = \"a.conf\"\n\n\nhidden_files = maybe\n",
	    "tine.conf:5: hidden_files: must be deny or allow", NULL);
	/* libconfuse's own errors too. */
	expect_fail("include = \"a.conf\"\n/* a\ncomment */\nno_such_key = 1\n",
	    "tine.conf:4: no_such_key: ", "no such option");
}

/* Errors inside an included file name it: tine's checks, libconfuse's
 * syntax errors, a key set in two files (naming both). */
Test(config_text, errors_name_the_included_file)
{
	char	 want[PATH_MAX + 128];

	put("sites/a.conf", "vhost \"a.test\" {\n\n"
	    "    document_root = \"/nonexistent/a\"\n}\n");
	expect_fail("workers = 1\ninclude = \"sites/*.conf\"\n",
	    "sites/a.conf:3: vhost \"a.test\" document_root: ",
	    "No such file or directory");
	put("sites/a.conf", "vhost \"a.test\" {\n    no_such_key = 1\n}\n");
	expect_fail("include = \"sites/*.conf\"\n",
	    "sites/a.conf:2: no_such_key: ", "no such option");
	put("sites/a.conf", "\nworkers = many\n");
	expect_fail("include = \"sites/*.conf\"\n",
	    "sites/a.conf:2: workers: ", "many");
	put("sites/a.conf", "\nworkers = 2\n");
	fmt(want, sizeof want, "sites/a.conf:2: workers: set twice (first on "
	    "line 1 of %s); keep one", conf);
	expect_fail("workers = 1\ninclude = \"sites/*.conf\"\n", want, NULL);
	put("sites/a.conf", "index = {\"a.html\",\n  'b.html }\n");
	expect_fail("include = \"sites/*.conf\"\n",
	    "sites/a.conf:2: unterminated string", NULL);
}

/* An included file is pasted where it is named, so it must be whole. */
Test(config_text, included_file_must_be_whole)
{
	put("a.conf", "\nvhost \"a.test\" {\n    index = {\"a.html\"}\n");
	expect_fail("include = \"a.conf\"\n}\n", "a.conf:2: vhost \"a.test\": "
	    "not closed", NULL);
	put("a.conf", "index = {\"a.html\"}\n}\n");
	expect_fail("vhost \"a.test\" {\ninclude = \"a.conf\"\n}\n",
	    "a.conf:2: '}' closes a section this file did not open", NULL);
	put("a.conf", "index = {\"a.html\",\n");
	expect_fail("include = \"a.conf\"\n\"b.html\"}\n",
	    "a.conf:1: index: the file ends inside it", NULL);
	expect_fail("\ninclude = a.conf\n", "tine.conf:2: include: must be",
	    NULL);
	expect_fail("include += \"a.conf\"\n", "tine.conf:1: include: must be",
	    NULL);
	expect_fail("include = {\"a.conf\"}\n", "tine.conf:1: include: must be",
	    NULL);
	expect_fail("include = \"\"\n", "tine.conf:1: include: must not be "
	    "empty", NULL);
}

/* A file that includes itself, directly or through others, is an error
 * naming the include that closes the loop. */
Test(config_text, loops)
{
	put("a.conf", "include = \"a.conf\"\n");
	expect_fail("include = \"a.conf\"\n", "a.conf:1: include: ",
	    "a.conf: an include loop");
	put("a.conf", "\ninclude = \"b/*.conf\"\n");
	put("b/b.conf", "\n\ninclude = \"../tine.conf\"\n");
	expect_fail("include = \"a.conf\"\n", "b/b.conf:3: include: ",
	    "tine.conf: an include loop");
	/* The same file twice, one after the other, is no loop. */
	put("a.conf", "index += {\"a.html\"}\n");
	config_free(expect_ok("include = \"a.conf\"\ninclude = \"a.conf\"\n"));
}

/* Depth and size are bounded: files nested 8 deep; 8 MB, 10000 files
 * read and 10000 include lines followed in all. */
Test(config_text, bounds)
{
	char	 name[32], text[64], *big;
	int	 i;

	for (i = 1; i < 8; i++) {
		fmt(name, sizeof name, "d%d.conf", i);
		fmt(text, sizeof text, "include = \"d%d.conf\"\n", i + 1);
		put(name, text);
	}
	put("d8.conf", "index = {\"deep.html\"}\n");
	expect_fail("include = \"d1.conf\"\n", "d7.conf:1: include: ",
	    "d8.conf: files nested deeper than 8");
	put("d7.conf", "index = {\"deep.html\"}\n");
	config_free(expect_ok("include = \"d1.conf\"\n"));
	cr_assert_not_null(big = malloc(1024 * 1024 + 1));
	memset(big, '\n', 1024 * 1024);
	big[1024 * 1024] = '\0';
	put("big.conf", big);
	free(big);
	expect_fail("include = \"big.conf\"\ninclude = \"big.conf\"\n"
	    "include = \"big.conf\"\ninclude = \"big.conf\"\n"
	    "include = \"big.conf\"\ninclude = \"big.conf\"\n"
	    "include = \"big.conf\"\ninclude = \"big.conf\"\n",
	    "tine.conf:8: include: ", "more than 8 MB");
	/* 20 bytes a line, each matching nothing. */
	cr_assert_not_null(big = malloc(10001 * 20 + 1));
	for (i = 0; i < 10001; i++)
		memcpy(big + i * 20, "include = \"x*.conf\"\n", 20);
	big[10001 * 20] = '\0';
	put("many.conf", big);
	free(big);
	expect_fail("include = \"many.conf\"\n", "many.conf:10000: include: ",
	    "more than 10000 include lines");
	/* 100 empty files, each matched by 101 lines: 10100 files read. */
	for (i = 0; i < 100; i++) {
		fmt(name, sizeof name, "e/%02d.conf", i);
		put(name, "");
	}
	/* 21 bytes a line. */
	cr_assert_not_null(big = malloc(101 * 21 + 1));
	for (i = 0; i < 101; i++)
		memcpy(big + i * 21, "include = \"e/*.conf\"\n", 21);
	big[101 * 21] = '\0';
	expect_fail(big, "tine.conf:100: include: ", "e/99.conf: more than "
	    "10000 files read in all");
	free(big);
}
