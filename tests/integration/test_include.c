/*
 * test_include: include = "GLOB" against the real binary, laid out as
 * Debian's nginx is (a sites directory of one file per site): the files
 * come in sorted order where the include stands, relative to the file
 * naming them, nested, none at all is fine, a site enabled and reloaded is
 * served; and tine -t names the included file and its line for every error
 * in it, and the line of an include that closes a loop.
 */
#include "tine_build.h"

#include <sys/stat.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"

/* Each site's index.html says which site it is. */
#define INC_BODY(n)	"<!doctype html><p>site " n "\n"

/* Write t->dir/rel holding text. */
static void
inc_put(struct tine *t, const char *rel, const char *text)
{
	char	path[TINE_PATH_MAX];

	cr_assert_eq(tine_write_file(tine_path(path, t->dir, rel), text,
	    strlen(text), 0644), 0, "cannot write %s", rel);
}

/* A file t->dir/rel written from a format (a config naming t->dir). */
static void __attribute__((format(printf, 3, 4)))
inc_putf(struct tine *t, const char *rel, const char *f, ...)
{
	char	text[4 * TINE_PATH_MAX];
	va_list	ap;

	va_start(ap, f);
	vsnprintf(text, sizeof(text), f, ap);
	va_end(ap);
	inc_put(t, rel, text);
}

/* A document root t->dir/name whose index.html names the site. */
static void
inc_root(struct tine *t, const char *name)
{
	char	rel[64], body[128];

	snprintf(rel, sizeof(rel), "%s/index.html", name);
	snprintf(body, sizeof(body), INC_BODY("%s"), name);
	inc_put(t, rel, body);
}

/* GET / with this Host is answered by site `site`. */
static void
inc_expect(struct tine *t, const char *host, const char *site,
    struct tine_resp *r)
{
	char	want[64];

	cr_assert_eq(tine_ask(t, "GET", host, "/", NULL, r), 0,
	    "%s: no answer", host);
	snprintf(want, sizeof(want), INC_BODY("%s"), site);
	cr_expect_eq(r->status, 200, "%s: %d", host, r->status);
	cr_expect_str_eq(r->body, want, "%s: not site %s", host, site);
}

/* tine -t on t's config: it fails and its message holds want (all of
 * stderr: tine_check's cut at "tine.conf:" would cut an included file's
 * message naming tine.conf). */
static void
inc_check_fails(struct tine *t, const char *want)
{
	char	*err;
	int	 status;

	free(tine_check(t, &status));
	cr_expect_eq(status, 1, "accepted; want %s", want);
	cr_assert_not_null(err = tine_slurp(t->err, NULL));
	cr_expect_not_null(strstr(err, want), "want \"%s\" in %s", want, err);
	free(err);
}

/*
 * The files of sites/, written in the reverse of their order, come sorted: the
 * later file's "headers +=" appends to the earlier's "=", and a vhost from
 * each, and one from a file that one includes, is served by name. The
 * include is relative to tine.conf's directory, not to tine's.
 */
Test(include, glob_sorted_nested_served, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = tine_setup(NULL);
	struct tine_resp	 r;
	const char		*first, *second;
	char			*err;
	int			 status;

	cr_assert_not_null(t);
	inc_root(t, "a");
	inc_root(t, "b");
	inc_root(t, "c");
	cr_assert_eq(tine_put(t, "index.html", INC_BODY("default")), 0);
	inc_putf(t, "sites/b.conf", "headers += {\"X-Second: b\"}\n"
	    "vhost \"b.test\" { document_root = \"%s/b\" }\n"
	    "include = \"more/*.conf\"\n", t->dir);
	inc_putf(t, "sites/more/c.conf", "vhost \"c.test\" {\n"
	    "    document_root = \"%s/c\"\n}\n", t->dir);
	inc_putf(t, "sites/a.conf", "headers = {\"X-First: a\"}\n"
	    "vhost \"a.test\" { document_root = \"%s/a\" }\n", t->dir);
	cr_assert_eq(tine_config(t, "include = \"sites/*.conf\""), 0);
	err = tine_check(t, &status);
	cr_expect_eq(status, 0, "%s", err);
	free(err);
	cr_assert_eq(tine_start(t), 0);
	inc_expect(t, "a.test", "a", &r);
	tine_resp_free(&r);
	inc_expect(t, "c.test", "c", &r);
	tine_resp_free(&r);
	inc_expect(t, "b.test", "b", &r);
	/* The top level's headers, which b.test inherits, a's line first. */
	first = strstr(r.head, "\r\nX-First: a\r\n");
	second = strstr(r.head, "\r\nX-Second: b\r\n");
	cr_expect(first != NULL && second != NULL && first < second,
	    "headers out of order: %s", r.head);
	tine_resp_free(&r);
	inc_expect(t, "other.test", "default", &r);
	tine_resp_free(&r);
	tine_stop(t);
}

/*
 * An empty sites-enabled/ (or none) is fine, as for nginx; a site linked
 * into it later is served after a reload, the Debian way to enable one.
 */
Test(include, empty_then_enabled, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = tine_setup(NULL);
	struct tine_resp	 r;
	char			 avail[TINE_PATH_MAX], link[TINE_PATH_MAX];
	char			*err;
	int			 status;

	cr_assert_not_null(t);
	inc_root(t, "a");
	cr_assert_eq(tine_put(t, "index.html", INC_BODY("default")), 0);
	inc_putf(t, "sites-available/a.conf", "vhost \"a.test\" {\n"
	    "    document_root = \"%s/a\"\n}\n", t->dir);
	tine_path(link, t->dir, "sites-enabled");
	cr_assert_eq(mkdir(link, 0755), 0);
	cr_assert_eq(tine_config(t, "include = \"sites-enabled/*.conf\"\n"
	    "include = \"nowhere/*.conf\""), 0);
	err = tine_check(t, &status);
	cr_expect_eq(status, 0, "%s", err);
	free(err);
	cr_assert_eq(tine_start(t), 0);
	inc_expect(t, "a.test", "default", &r);
	tine_resp_free(&r);

	tine_path(avail, t->dir, "sites-available/a.conf");
	tine_path(link, t->dir, "sites-enabled/a.conf");
	cr_assert_eq(symlink("../sites-available/a.conf", link), 0);
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_log(t, "master ready: 2 workers, generation 2",
	    1, TINE_TIMEOUT_MS), 0, "no generation 2 after the reload");
	/* Until then the old workers may still take a connection. */
	cr_assert_eq(tine_wait_log(t, "generation 1 finished", 1,
	    TINE_TIMEOUT_MS), 0, "generation 1 did not finish");
	inc_expect(t, "a.test", "a", &r);
	tine_resp_free(&r);
	tine_stop(t);
}

/* An error in an included file names that file and its line: tine's own
 * checks and libconfuse's syntax errors, in nested files too. */
Test(include, errors_name_the_included_file, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup("include = \"sites/*.conf\"");

	cr_assert_not_null(t);
	inc_put(t, "sites/a.conf", "# a.test\nvhost \"a.test\" {\n"
	    "    document_root = \"/nonexistent/a\"\n}\n");
	inc_check_fails(t, "sites/a.conf:3: vhost \"a.test\" document_root: "
	    "\"/nonexistent/a\": No such file or directory");
	inc_put(t, "sites/a.conf", "vhost \"a.test\" {\n"
	    "    no_such_key = 1\n}\n");
	inc_check_fails(t, "sites/a.conf:2: no_such_key: no such option");
	inc_put(t, "sites/a.conf", "\nvhost \"a.test\" {\n"
	    "    include = \"snippets/*.conf\"\n}\n");
	inc_put(t, "sites/snippets/s.conf", "\n\nhidden_files = maybe\n");
	inc_check_fails(t, "sites/snippets/s.conf:3: vhost \"a.test\" "
	    "hidden_files: must be deny or allow");
	inc_put(t, "sites/snippets/s.conf", "index = {\"a\"}\nbogus = 1\n");
	inc_check_fails(t, "sites/snippets/s.conf:2: bogus: no such option");
	tine_stop(t);
}

/* A file that includes itself, directly or through others, is an error
 * naming the file and line of the include that closes the loop. */
Test(include, loop_names_the_line, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = tine_setup("include = \"sites/*.conf\"");

	cr_assert_not_null(t);
	inc_put(t, "sites/a.conf", "# a loop\ninclude = \"../tine.conf\"\n");
	inc_check_fails(t, "sites/a.conf:2: include: ");
	inc_check_fails(t, "tine.conf: an include loop");
	inc_put(t, "sites/a.conf", "include = \"a.conf\"\n");
	inc_check_fails(t, "sites/a.conf:1: include: ");
	inc_check_fails(t, "sites/a.conf: an include loop");
	tine_stop(t);
}

/* Inside a location too: a snippet of headers for a path, included where
 * the location stands, applies to that path only; its errors name the
 * snippet, its line, and the vhost and location it was included in. */
Test(include, in_a_location, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = tine_setup(NULL);
	struct tine_resp	 r;
	const char		*cc;

	cr_assert_not_null(t);
	inc_root(t, "a");
	inc_put(t, "a/assets/main.css", "p{}\n");
	inc_putf(t, "sites/a.conf", "vhost \"a.test\" {\n"
	    "    document_root = \"%s/a\"\n"
	    "    location \"/assets/\" { include = \"snippets/cache.conf\" }\n"
	    "}\n", t->dir);
	inc_put(t, "sites/snippets/cache.conf", "# fingerprinted files\n"
	    "headers = {\"Cache-Control: public, max-age=31536000\"}\n");
	cr_assert_eq(tine_config(t, "include = \"sites/*.conf\""), 0);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_ask(t, "GET", "a.test", "/assets/main.css", NULL,
	    &r), 0);
	expect_body(&r, "p{}\n", 4);
	cc = tine_resp_header(&r, "Cache-Control");
	cr_expect(cc != NULL && strcmp(cc, "public, max-age=31536000") == 0,
	    "Cache-Control: %s", cc != NULL ? cc : "(none)");
	tine_resp_free(&r);
	inc_expect(t, "a.test", "a", &r);
	cr_expect_null(tine_resp_header(&r, "Cache-Control"));
	tine_resp_free(&r);

	inc_put(t, "sites/snippets/cache.conf",
	    "\nheaders = {\"Bad Name: x\"}\n");
	inc_check_fails(t, "sites/snippets/cache.conf:2: vhost \"a.test\" "
	    "location \"/assets/\" headers: ");
	tine_stop(t);
}
