/*
 * test_hugo: a Hugo-like site tree (tests/site/gen-site.sh writes it)
 * served as an nginx user would set it up — under two names, one with an
 * alias, its www. name redirected to the apex but for certbot's
 * challenges, the top level as the default site — checked for what such
 * a user expects: pages by name, /about from about.html, section indexes,
 * the site's 404 page, its headers on every answer, the assets byte for
 * byte and cached for a year by a location, a moved section, a listed
 * downloads folder, the www redirect with path and query, a directory
 * without its slash. Then the README's example config through tine -t,
 * and headless Chromium loading the home page: its title, its stylesheet,
 * script and image fetched from that vhost, and a screenshot that shows
 * the stylesheet's colour and the image's two.
 *
 * Environment: CHROMIUM (the browser, default "chromium"),
 * TINE_SKIP_BROWSER (set and not empty: skip the browser test when there is
 * no browser; otherwise a missing browser is a failure).
 */
#include "tine_build.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <zlib.h>

#include "expect.h"
#include "harness.h"

#define HUGO_HSTS	"max-age=63072000"
#define HUGO_IMMUTABLE	"public, max-age=31536000, immutable"
#define HUGO_ACME	"/.well-known/acme-challenge/"

/*
 * The config under test, in one place: %1$s is the generated tree, %2$s
 * the harness's docroot, the default site (written here because the
 * vhosts' document_root lines would hide the harness's own). site.test
 * is the Hugo blog as the README's example hosts it (precompressed, its
 * assets cached for a year); mirror.test the same tree with the defaults.
 */
#define HUGO_CONF \
	"document_root = \"%2$s\"\n" \
	"access_log_format = \"%%v %%>s %%U %%B\"\n" \
	"vhost \"site.test\" {\n" \
	"    aliases       = {\"blog.site.test\"}\n" \
	"    document_root = \"%1$s\"\n" \
	"    error_pages   = {\"404 /404.html\"}\n" \
	"    headers       = {\"Strict-Transport-Security: " HUGO_HSTS "\",\n" \
	"                     \"X-Content-Type-Options: nosniff\"}\n" \
	"    try_html      = on\n" \
	"    precompressed = on\n" \
	"    location \"/assets/\" {\n" \
	"        headers = {\"Strict-Transport-Security: " HUGO_HSTS "\",\n" \
	"                   \"X-Content-Type-Options: nosniff\",\n" \
	"                   \"Cache-Control: " HUGO_IMMUTABLE "\"}\n" \
	"    }\n" \
	"    location \"/old-blog/\" { redirect = \"301 /blog/\" }\n" \
	"    location \"/downloads/\" { autoindex = on }\n" \
	"}\n" \
	"vhost \"mirror.test\" {\n" \
	"    document_root = \"%1$s\"\n" \
	"    error_pages   = {\"404 /404.html\"}\n" \
	"    headers       = {\"X-Frame-Options: DENY\"}\n" \
	"    try_html      = on\n" \
	"}\n" \
	"vhost \"www.site.test\" {\n" \
	"    document_root = \"%1$s\"\n" \
	"    redirect      = \"301 https://site.test\"\n" \
	"    location \"" HUGO_ACME "\" { redirect = \"\" }\n" \
	"}\n"

#define HUGO_TREE	"site"		/* below the instance's dir */
#define HUGO_TITLE	"Tine Test Blog"
#define HUGO_MTIME	1768467600	/* 2026-01-15 09:00:00 UTC */
#define HUGO_MODIFIED	"Thu, 15 Jan 2026 09:00:00 GMT"
#define HUGO_CSS	"assets/main.3f2a1b.css"
#define HUGO_JS		"assets/app.9c8d7e.js"
#define HUGO_PNG	"images/logo.png"

/* The image's two colours (gen-site.sh) and the stylesheet's background. */
#define HUGO_RED	0xe03020
#define HUGO_GREEN	0x20a040
#define HUGO_BLUE	0x1e4d8c

/* The browser: its window, its time, the image's size on the page. */
#define HUGO_WIN_W	800
#define HUGO_WIN_H	600
#define HUGO_BROWSER_MS	30000
#define HUGO_IMG_PX	160
#define HUGO_PNG_MAX	4096		/* a bound on a decoded side */

/* Every file gen-site.sh promises (.br only with a brotli command). */
static const char *const hugo_files[] = {
	"index.html", "about.html", "404.html", "blog/index.html",
	"blog/2026/hello/index.html", "tags/index.html",
	"tags/hugo/index.html", HUGO_CSS, HUGO_CSS ".gz", HUGO_JS,
	HUGO_JS ".gz", HUGO_PNG, "sitemap.xml", "robots.txt",
	"downloads/release-1.0.txt", "downloads/old/release-0.9.txt",
	"downloads/.htaccess", ".git/config",
};

/* A decoded PNG: 8-bit RGB or RGBA pixels, bpp bytes each. */
struct hugo_img {
	unsigned	 w, h, bpp;
	unsigned char	*px;
};

/* ---- processes other than tine ---- */

/* Child side of hugo_run: its own group, tied to the test, files, HOME
 * (when home is not NULL), exec. */
static void __attribute__((noreturn))
hugo_exec(const char *const *argv, const char *out, const char *err,
    const char *home, pid_t parent)
{
	int	fd;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if ((fd = open("/dev/null", O_RDONLY)) != -1)
		dup2(fd, 0);
	if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1)
		dup2(fd, 1);
	if ((fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1)
		dup2(fd, 2);
	closefrom(3);
	if (home != NULL && setenv("HOME", home, 1) == -1)
		_exit(127);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

/* Whether the child has exited; it is left unreaped, so that its process
 * group id cannot be taken by another process yet. For tine_wait_until. */
static int
hugo_exited(void *arg)
{
	siginfo_t	si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, *(pid_t *)arg, &si, WEXITED | WNOHANG |
	    WNOWAIT) == -1)
		return 1;
	return si.si_pid != 0;
}

/*
 * Run argv (PATH searched) in a process group of its own, stdout to out,
 * stderr to err and HOME set to home (unless NULL), for at most
 * timeout_ms; then kill what is left of that group (a browser's helpers).
 * The exit status, or -1 for a timeout or a signal.
 */
static int
hugo_run(const char *const *argv, const char *out, const char *err,
    const char *home, int timeout_ms)
{
	pid_t	pid, parent = getpid();
	int	status, late;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0)
		hugo_exec(argv, out, err, home, parent);
	/* Also here, so the kill below cannot miss a child not yet run. */
	setpgid(pid, pid);
	late = tine_wait_until(hugo_exited, &pid, timeout_ms) == -1;
	if (late)
		cr_log_error("%s: still running after %d ms: killed", argv[0],
		    timeout_ms);
	/* The leader is at most a zombie here: the group is still ours. */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (late || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Run `sh gen-site.sh dir/rel` from the sources; 0 or -1. */
static int
hugo_generate(struct tine *t, const char *rel)
{
	const char	*src = getenv("TINE_SRCDIR");
	char		 script[TINE_PATH_MAX], dir[TINE_PATH_MAX];
	char		 out[TINE_PATH_MAX], err[TINE_PATH_MAX];
	const char	*argv[] = { "sh", script, dir, NULL };
	int		 status;

	cr_assert(src != NULL && *src != '\0', "TINE_SRCDIR is not set");
	tine_path(script, src, "tests/site/gen-site.sh");
	tine_path(dir, t->dir, rel);
	tine_path(out, t->dir, "gen.out");
	tine_path(err, t->dir, "gen.err");
	status = hugo_run(argv, out, err, NULL, TINE_TIMEOUT_MS);
	if (status != 0)
		cr_log_error("gen-site.sh %s: status %d", dir, status);
	return status == 0 ? 0 : -1;
}

/* ---- the site under test ---- */

/* The generated tree under t's dir, served with HUGO_CONF (and extra). */
static struct tine *
hugo_start(const char *extra)
{
	struct tine	*t = tine_setup(NULL);
	char		 tree[TINE_PATH_MAX], conf[4096], *all;

	cr_assert_not_null(t);
	cr_assert_eq(hugo_generate(t, HUGO_TREE), 0);
	tine_path(tree, t->dir, HUGO_TREE);
	cr_assert_lt((size_t)snprintf(conf, sizeof(conf), HUGO_CONF, tree,
	    t->docroot), sizeof(conf));
	cr_assert_geq(asprintf(&all, "%s%s\n", conf, extra != NULL ? extra :
	    ""), 0);
	cr_assert_eq(tine_config(t, all), 0);
	free(all);
	cr_assert_eq(tine_start(t), 0);
	return t;
}

/* The generated file rel, which the caller frees; its length in *len. */
static char *
hugo_file(struct tine *t, const char *rel, size_t *len)
{
	char	path[TINE_PATH_MAX], trel[TINE_PATH_MAX];
	char	*text;

	snprintf(trel, sizeof(trel), HUGO_TREE "/%s", rel);
	text = tine_slurp(tine_path(path, t->dir, trel), len);
	cr_assert_not_null(text, "no %s in the generated tree", rel);
	return text;
}

/* Expect the body to hold <title>title</title>. */
static void
hugo_expect_title(const struct tine_resp *r, const char *title)
{
	char	want[256];

	snprintf(want, sizeof(want), "<title>%s</title>", title);
	cr_expect_not_null(strstr(r->body, want), "no %s in:\n%s", want,
	    r->body);
}

/* GET path at host must be a 200 of generated file rel, of this type. */
static void
hugo_expect_file(struct tine *t, const char *host, const char *path,
    const char *rel, const char *type)
{
	struct tine_resp	 r;
	char			*want;
	size_t			 len;

	want = hugo_file(t, rel, &len);
	expect_ask(t, "GET", host, path, NULL, &r);
	cr_expect_eq(r.status, 200, "%s%s: %d", host, path, r.status);
	expect_body(&r, want, len);
	expect_type(&r, type);
	tine_resp_free(&r);
	free(want);
}

/* GET (or HEAD) path at host must be a 301 to location. */
static void
hugo_expect_moved(struct tine *t, const char *method, const char *host,
    const char *path, const char *location)
{
	struct tine_resp	r;

	expect_ask(t, method, host, path, NULL, &r);
	cr_expect_eq(r.status, 301, "%s %s%s: %d", method, host, path,
	    r.status);
	expect_hdr(&r, "Location", location);
	tine_resp_free(&r);
}

/* ---- the tree itself ---- */

/* Whether two files have the same bytes; both must exist. */
static void
hugo_expect_same(const char *a, const char *b)
{
	char	*x, *y;
	size_t	 xlen, ylen;

	x = tine_slurp(a, &xlen);
	y = tine_slurp(b, &ylen);
	cr_expect(x != NULL && y != NULL, "%s or %s missing", a, b);
	if (x != NULL && y != NULL)
		cr_expect(xlen == ylen && memcmp(x, y, xlen) == 0,
		    "%s and %s differ", a, b);
	free(x);
	free(y);
}

/* Expect path to inflate (gzip) to exactly want[0..len). */
static void
hugo_expect_gunzip(const char *path, const char *want, size_t len)
{
	z_stream	 z;
	char		*gz, out[8192];
	size_t		 gzlen;
	int		 rc;

	cr_assert_not_null(gz = tine_slurp(path, &gzlen), "no %s", path);
	cr_assert_lt(len, sizeof(out));
	memset(&z, 0, sizeof(z));
	cr_assert_eq(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	z.next_in = (unsigned char *)gz;
	z.avail_in = (uInt)gzlen;
	z.next_out = (unsigned char *)out;
	z.avail_out = sizeof(out);
	rc = inflate(&z, Z_FINISH);
	cr_expect_eq(rc, Z_STREAM_END, "%s: not one whole gzip stream", path);
	cr_expect(z.total_out == len && memcmp(out, want, len) == 0,
	    "%s does not inflate to its file", path);
	inflateEnd(&z);
	free(gz);
}

/* ---- PNG, enough to read a browser's screenshot ---- */

/* The PNG Paeth predictor of left a, up b, up-left c. */
static unsigned
hugo_paeth(unsigned a, unsigned b, unsigned c)
{
	int	p = (int)a + (int)b - (int)c;
	int	pa = abs(p - (int)a), pb = abs(p - (int)b), pc = abs(p - (int)c);

	if (pa <= pb && pa <= pc)
		return a;
	return pb <= pc ? b : c;
}

/* Undo the per-row filters of raw (h rows of 1 + w * bpp bytes) into
 * img->px; 0 or -1 for an unknown filter. */
static int
hugo_png_unfilter(struct hugo_img *img, const unsigned char *raw)
{
	size_t		 stride = (size_t)img->w * img->bpp, x, y;
	unsigned char	*row, *up;
	unsigned	 a, b, c;

	for (y = 0; y < img->h; y++, raw += stride + 1) {
		row = img->px + y * stride;
		up = y > 0 ? row - stride : NULL;
		if (raw[0] > 4)
			return -1;
		for (x = 0; x < stride; x++) {
			a = x >= img->bpp ? row[x - img->bpp] : 0;
			b = up != NULL ? up[x] : 0;
			c = up != NULL && x >= img->bpp ? up[x - img->bpp] : 0;
			row[x] = raw[1 + x] + (unsigned char)(raw[0] == 1 ? a :
			    raw[0] == 2 ? b : raw[0] == 3 ? (a + b) / 2 :
			    raw[0] == 4 ? hugo_paeth(a, b, c) : 0);
		}
	}
	return 0;
}

/* Read IHDR's fields into img: 8-bit RGB or RGBA, not interlaced only;
 * 0 or -1. */
static int
hugo_png_header(struct hugo_img *img, const unsigned char *d, size_t n)
{
	if (n != 13 || d[8] != 8 || (d[9] != 2 && d[9] != 6) || d[10] != 0 ||
	    d[11] != 0 || d[12] != 0)
		return -1;
	img->w = (unsigned)d[0] << 24 | (unsigned)d[1] << 16 |
	    (unsigned)d[2] << 8 | d[3];
	img->h = (unsigned)d[4] << 24 | (unsigned)d[5] << 16 |
	    (unsigned)d[6] << 8 | d[7];
	img->bpp = d[9] == 2 ? 3 : 4;
	if (img->w == 0 || img->h == 0 || img->w > HUGO_PNG_MAX ||
	    img->h > HUGO_PNG_MAX)
		return -1;
	return 0;
}

/* Gather the IDAT data of png[0..len) into *zp (the caller frees), IHDR
 * into img; 0 or -1 for a malformed or unsupported file. */
static int
hugo_png_chunks(const unsigned char *png, size_t len, struct hugo_img *img,
    unsigned char **zp, size_t *zlen)
{
	size_t		 p = 8, n;
	unsigned char	*z;

	*zp = NULL;
	*zlen = 0;
	if (len < 8 || memcmp(png, "\211PNG\r\n\032\n", 8) != 0)
		return -1;
	while (p + 12 <= len) {
		n = (size_t)png[p] << 24 | (size_t)png[p + 1] << 16 |
		    (size_t)png[p + 2] << 8 | png[p + 3];
		if (n > len - p - 12)
			return -1;
		if (memcmp(png + p + 4, "IHDR", 4) == 0 &&
		    hugo_png_header(img, png + p + 8, n) == -1)
			return -1;
		if (memcmp(png + p + 4, "IDAT", 4) == 0) {
			if ((z = realloc(*zp, *zlen + n + 1)) == NULL)
				return -1;
			memcpy(z + *zlen, png + p + 8, n);
			*zp = z;
			*zlen += n;
		}
		if (memcmp(png + p + 4, "IEND", 4) == 0)
			return img->w != 0 && *zlen != 0 ? 0 : -1;
		p += n + 12;
	}
	return -1;
}

/* Decode the PNG file at path into img (free img->px); 0 or -1. */
static int
hugo_png_read(const char *path, struct hugo_img *img)
{
	unsigned char	*png, *z = NULL, *raw = NULL;
	size_t		 len, zlen;
	uLongf		 rawlen;
	int		 rc = -1;

	memset(img, 0, sizeof(*img));
	if ((png = (unsigned char *)tine_slurp(path, &len)) == NULL)
		return -1;
	if (hugo_png_chunks(png, len, img, &z, &zlen) == 0) {
		rawlen = (uLongf)img->h * (1 + (uLongf)img->w * img->bpp);
		raw = malloc(rawlen);
		img->px = malloc((size_t)img->h * img->w * img->bpp);
		if (raw != NULL && img->px != NULL &&
		    uncompress(raw, &rawlen, z, zlen) == Z_OK &&
		    rawlen == (uLongf)img->h * (1 + (uLongf)img->w * img->bpp))
			rc = hugo_png_unfilter(img, raw);
	}
	free(raw);
	free(z);
	free(png);
	if (rc == -1) {
		free(img->px);
		img->px = NULL;
	}
	return rc;
}

/* The colour 0xRRGGBB of pixel (x, y). */
static unsigned
hugo_png_at(const struct hugo_img *img, unsigned x, unsigned y)
{
	const unsigned char	*p = img->px + ((size_t)y * img->w + x) *
	    img->bpp;

	return (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2];
}

/* How many pixels are rgb, each channel within 3 (colour management may
 * round). */
static size_t
hugo_png_count(const struct hugo_img *img, unsigned rgb)
{
	size_t		n = 0;
	unsigned	x, y, c;
	int		s;

	for (y = 0; y < img->h; y++)
		for (x = 0; x < img->w; x++) {
			c = hugo_png_at(img, x, y);
			for (s = 0; s < 24; s += 8)
				if (abs((int)(c >> s & 0xff) -
				    (int)(rgb >> s & 0xff)) > 3)
					break;
			n += s == 24;
		}
	return n;
}

/* ---- the tests ---- */

/* The script writes every file it promises, the same bytes and times on
 * every run; its image is a PNG of two colours (which also checks the
 * decoder the browser test relies on), its .gz the gzip of its file. */
Test(hugo, generator, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = tine_setup(NULL);
	char		 a[TINE_PATH_MAX], b[TINE_PATH_MAX], rel[256], *css;
	struct hugo_img	 img;
	struct stat	 st;
	size_t		 i, len;

	cr_assert_not_null(t);
	cr_assert_eq(hugo_generate(t, "a"), 0);
	cr_assert_eq(hugo_generate(t, "b"), 0);
	for (i = 0; i < sizeof(hugo_files) / sizeof(hugo_files[0]); i++) {
		snprintf(rel, sizeof(rel), "a/%s", hugo_files[i]);
		tine_path(a, t->dir, rel);
		snprintf(rel, sizeof(rel), "b/%s", hugo_files[i]);
		hugo_expect_same(a, tine_path(b, t->dir, rel));
		cr_expect(stat(a, &st) == 0 && st.st_mtime == HUGO_MTIME &&
		    (st.st_mode & 0444) == 0444, "%s: mtime or mode", a);
	}
	cr_assert_eq(hugo_png_read(tine_path(a, t->dir, "a/" HUGO_PNG), &img),
	    0, "the site's image is not a PNG this test can read");
	cr_expect(img.w == 8 && img.h == 8, "%ux%u", img.w, img.h);
	cr_expect_eq(hugo_png_at(&img, 0, 0), HUGO_RED);
	cr_expect_eq(hugo_png_at(&img, 7, 7), HUGO_GREEN);
	cr_expect_eq(hugo_png_count(&img, HUGO_RED), 32);
	cr_expect_eq(hugo_png_count(&img, HUGO_GREEN), 32);
	free(img.px);
	tine_path(a, t->dir, "a/" HUGO_CSS);
	cr_assert_not_null(css = tine_slurp(a, &len));
	hugo_expect_gunzip(tine_path(b, t->dir, "a/" HUGO_CSS ".gz"), css,
	    len);
	free(css);
	tine_stop(t);
}

/* The site by its name, its alias and its second name, whatever the
 * case, port or trailing dot; any other Host gets the default site. */
Test(hugo, names_and_alias, .fini = tine_teardown, .timeout = 30)
{
	static const char *const hosts[] = { "site.test", "SITE.test:8080",
	    "blog.site.test", "mirror.test.", "Mirror.Test:443" };
	struct tine		*t = hugo_start(NULL);
	struct tine_resp	 r;
	size_t			 i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		hugo_expect_file(t, hosts[i], "/", "index.html", "text/html");
		expect_ask(t, "GET", hosts[i], "/", NULL, &r);
		hugo_expect_title(&r, HUGO_TITLE);
		tine_resp_free(&r);
	}
	expect_ask(t, "GET", "example.org", "/", NULL, &r);
	expect_body(&r, TINE_INDEX_BODY, strlen(TINE_INDEX_BODY));
	tine_resp_free(&r);
	expect_ask(t, "GET", "example.org", "/about", NULL, &r);
	expect_status(&r, 404);
	tine_resp_free(&r);
	tine_stop(t);
}

/* Clean URLs as Hugo writes them: /about from about.html, sections and
 * posts from their index.html; a directory asked for without its slash is
 * a 301 to it, with the query. */
Test(hugo, clean_urls, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = hugo_start(NULL);
	struct tine_resp	 r;

	hugo_expect_file(t, "site.test", "/about", "about.html", "text/html");
	hugo_expect_file(t, "site.test", "/about.html", "about.html",
	    "text/html");
	hugo_expect_file(t, "mirror.test", "/about", "about.html",
	    "text/html");
	hugo_expect_file(t, "site.test", "/blog/", "blog/index.html",
	    "text/html");
	hugo_expect_file(t, "site.test", "/blog/2026/hello/",
	    "blog/2026/hello/index.html", "text/html");
	hugo_expect_file(t, "site.test", "/tags/", "tags/index.html",
	    "text/html");
	hugo_expect_file(t, "site.test", "/tags/hugo/", "tags/hugo/index.html",
	    "text/html");
	expect_ask(t, "GET", "site.test", "/about", NULL, &r);
	hugo_expect_title(&r, "About | " HUGO_TITLE);
	tine_resp_free(&r);
	hugo_expect_moved(t, "GET", "site.test", "/blog", "/blog/");
	hugo_expect_moved(t, "GET", "site.test", "/blog/2026/hello?ref=feed",
	    "/blog/2026/hello/?ref=feed");
	hugo_expect_moved(t, "HEAD", "mirror.test", "/tags", "/tags/");
	tine_stop(t);
}

/* What is not there is the site's 404.html with status 404, for a page,
 * an asset, a stray .git/ (never served) and HEAD; the other name too. */
Test(hugo, not_found_page, .fini = tine_teardown, .timeout = 30)
{
	static const char *const paths[] = { "/nope", "/blog/2025/",
	    "/assets/main.000000.css", "/.git/config", "/about/x" };
	struct tine		*t = hugo_start(NULL);
	struct tine_resp	 r;
	char			*page;
	size_t			 i, len;

	page = hugo_file(t, "404.html", &len);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		expect_ask(t, "GET", i % 2 ? "mirror.test" : "site.test",
		    paths[i], NULL, &r);
		expect_status(&r, 404);
		expect_type(&r, "text/html");
		expect_length(&r, len);
		cr_expect(r.bodylen == len && memcmp(r.body, page, len) == 0,
		    "%s: not 404.html:\n%s", paths[i], r.body);
		cr_expect_null(strstr(r.body, "s3cret"), "%s", paths[i]);
		tine_resp_free(&r);
	}
	expect_ask(t, "GET", "site.test", "/nope", NULL, &r);
	hugo_expect_title(&r, "Page not found | " HUGO_TITLE);
	tine_resp_free(&r);
	expect_ask(t, "HEAD", "site.test", "/nope", NULL, &r);
	expect_status(&r, 404);
	expect_length(&r, len);
	cr_expect_eq(r.bodylen, 0);
	tine_resp_free(&r);
	free(page);
	tine_stop(t);
}

/* Expect host's own headers on r: HSTS and nosniff for site.test, only
 * X-Frame-Options for mirror.test, none for the default site. */
static void
hugo_expect_headers(const struct tine_resp *r, const char *host)
{
	int	site = strcmp(host, "site.test") == 0;
	int	mirror = strcmp(host, "mirror.test") == 0;

	cr_expect_eq(tine_resp_count(r, "Strict-Transport-Security"), site,
	    "%s:\n%s", host, r->head);
	cr_expect_eq(tine_resp_count(r, "X-Content-Type-Options"), site,
	    "%s:\n%s", host, r->head);
	cr_expect_eq(tine_resp_count(r, "X-Frame-Options"), mirror,
	    "%s:\n%s", host, r->head);
	if (site) {
		expect_hdr(r, "Strict-Transport-Security", HUGO_HSTS);
		expect_hdr(r, "X-Content-Type-Options", "nosniff");
	}
	if (mirror)
		expect_hdr(r, "X-Frame-Options", "DENY");
}

/* Each vhost's headers on every kind of answer it gives: a page, an
 * asset, a 304, the 404 page, a directory's 301; not on another vhost's. */
Test(hugo, headers_per_site, .fini = tine_teardown, .timeout = 30)
{
	static const char *const hosts[] = { "site.test", "mirror.test",
	    "example.org" };
	static const struct { const char *path; int status; } ask[] = {
		{ "/", 200 }, { "/" HUGO_CSS, 200 }, { "/blog", 301 },
		{ "/nope", 404 },
	};
	struct tine		*t = hugo_start(NULL);
	struct tine_resp	 r;
	char			 inm[160];
	size_t			 h, i;

	for (h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++) {
		for (i = 0; i < sizeof(ask) / sizeof(ask[0]); i++) {
			expect_ask(t, "GET", hosts[h], ask[i].path, NULL, &r);
			/* The default site has neither the CSS nor /blog. */
			if (h < 2)
				expect_status(&r, ask[i].status);
			hugo_expect_headers(&r, hosts[h]);
			tine_resp_free(&r);
		}
		expect_ask(t, "GET", hosts[h], "/", NULL, &r);
		snprintf(inm, sizeof(inm), "If-None-Match: %s\r\n",
		    expect_header(&r, "ETag"));
		tine_resp_free(&r);
		expect_ask(t, "GET", hosts[h], "/", inm, &r);
		expect_status(&r, 304);
		hugo_expect_headers(&r, hosts[h]);
		tine_resp_free(&r);
	}
	tine_stop(t);
}

/* www. goes to the apex with the path and the query, for GET and HEAD,
 * whatever port or case the Host has; nothing of the tree is served. */
Test(hugo, www_redirect, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = hugo_start(NULL);
	struct tine_resp	 r;

	hugo_expect_moved(t, "GET", "www.site.test", "/", "https://site.test/");
	hugo_expect_moved(t, "GET", "www.site.test",
	    "/blog/2026/hello/?utm_source=feed&x=1",
	    "https://site.test/blog/2026/hello/?utm_source=feed&x=1");
	hugo_expect_moved(t, "GET", "WWW.site.test:80", "/about",
	    "https://site.test/about");
	hugo_expect_moved(t, "HEAD", "www.site.test", "/" HUGO_CSS,
	    "https://site.test/" HUGO_CSS);
	hugo_expect_moved(t, "GET", "www.site.test", "/nope?q",
	    "https://site.test/nope?q");
	expect_ask(t, "GET", "www.site.test", "/", NULL, &r);
	cr_expect_null(strstr(r.body, HUGO_TITLE), "%s", r.body);
	tine_resp_free(&r);
	tine_stop(t);
}

/* The assets byte for byte with their types and the tree's time; a 304
 * for a revalidation; the .gz sibling served as a file of its own, and,
 * with precompressed off (the default), the plain file to a client that
 * accepts gzip. */
Test(hugo, assets, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = hugo_start(NULL);
	struct tine_resp	 r;
	char			 inm[160], *css;
	size_t			 len;

	hugo_expect_file(t, "site.test", "/" HUGO_CSS, HUGO_CSS, "text/css");
	hugo_expect_file(t, "blog.site.test", "/" HUGO_PNG, HUGO_PNG,
	    "image/png");
	hugo_expect_file(t, "site.test", "/" HUGO_CSS ".gz", HUGO_CSS ".gz",
	    "application/gzip");
	hugo_expect_file(t, "site.test", "/sitemap.xml", "sitemap.xml",
	    "application/xml");
	hugo_expect_file(t, "site.test", "/robots.txt", "robots.txt",
	    "text/plain");
	expect_ask(t, "GET", "site.test", "/" HUGO_JS, NULL, &r);
	cr_expect_eq(r.status, 200);
	expect_hdr(&r, "Last-Modified", HUGO_MODIFIED);
	snprintf(inm, sizeof(inm), "If-None-Match: %s\r\n",
	    expect_header(&r, "ETag"));
	tine_resp_free(&r);
	expect_ask(t, "GET", "site.test", "/" HUGO_JS, inm, &r);
	expect_status(&r, 304);
	cr_expect_eq(r.bodylen, 0);
	tine_resp_free(&r);
	css = hugo_file(t, HUGO_CSS, &len);
	expect_ask(t, "GET", "mirror.test", "/" HUGO_CSS,
	    "Accept-Encoding: gzip\r\n", &r);
	expect_body(&r, css, len);
	cr_expect_null(tine_resp_header(&r, "Content-Encoding"));
	tine_resp_free(&r);
	free(css);
	/* site.test has precompressed = on: the .gz, said so. */
	css = hugo_file(t, HUGO_CSS ".gz", &len);
	expect_ask(t, "GET", "site.test", "/" HUGO_CSS,
	    "Accept-Encoding: gzip\r\n", &r);
	expect_body(&r, css, len);
	expect_hdr(&r, "Content-Encoding", "gzip");
	expect_hdr(&r, "Vary", "Accept-Encoding");
	expect_type(&r, "text/css");
	tine_resp_free(&r);
	free(css);
	tine_stop(t);
}

/* GET path at host: expect status and a Cache-Control of want (NULL:
 * none), and the site's HSTS once whenever it is site.test's. */
static void
hugo_expect_cache(struct tine *t, const char *host, const char *path,
    const char *extra, int status, const char *want)
{
	struct tine_resp	r;

	expect_ask(t, "GET", host, path, extra, &r);
	expect_status(&r, status);
	if (want != NULL)
		expect_hdr(&r, "Cache-Control", want);
	cr_expect_eq(tine_resp_count(&r, "Cache-Control"), want != NULL,
	    "%s%s:\n%s", host, path, r.head);
	if (strcmp(host, "site.test") == 0)
		cr_expect_eq(tine_resp_count(&r, "Strict-Transport-Security"),
		    1, "%s%s:\n%s", host, path, r.head);
	tine_resp_free(&r);
}

/* Hugo's fingerprinted assets cached for a year by a location, on the
 * 200 and the 304; not the pages or the image outside it, not the other
 * vhost's assets. */
Test(hugo, cache_by_path, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = hugo_start(NULL);
	struct tine_resp	 r;
	char			 inm[160];

	hugo_expect_cache(t, "site.test", "/" HUGO_CSS, NULL, 200,
	    HUGO_IMMUTABLE);
	hugo_expect_cache(t, "blog.site.test", "/" HUGO_JS, NULL, 200,
	    HUGO_IMMUTABLE);
	expect_ask(t, "GET", "site.test", "/" HUGO_CSS, NULL, &r);
	snprintf(inm, sizeof(inm), "If-None-Match: %s\r\n",
	    expect_header(&r, "ETag"));
	tine_resp_free(&r);
	hugo_expect_cache(t, "site.test", "/" HUGO_CSS, inm, 304,
	    HUGO_IMMUTABLE);
	hugo_expect_cache(t, "site.test", "/", NULL, 200, NULL);
	hugo_expect_cache(t, "site.test", "/about", NULL, 200, NULL);
	hugo_expect_cache(t, "site.test", "/" HUGO_PNG, NULL, 200, NULL);
	hugo_expect_cache(t, "site.test", "/assets", NULL, 301, NULL);
	hugo_expect_cache(t, "mirror.test", "/" HUGO_CSS, NULL, 200, NULL);
	tine_stop(t);
}

/* A moved section: /old-blog/ and what is below it go to /blog/ with the
 * rest of the path and the query. */
Test(hugo, moved_section, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = hugo_start(NULL);

	hugo_expect_moved(t, "GET", "site.test", "/old-blog/", "/blog/");
	hugo_expect_moved(t, "GET", "site.test", "/old-blog/2026/hello/?x=1",
	    "/blog/2026/hello/?x=1");
	hugo_expect_moved(t, "HEAD", "blog.site.test", "/old-blog/tags/a%20b",
	    "/blog/tags/a%20b");
	/* Not the other name's, not a prefix of a segment. */
	hugo_expect_file(t, "mirror.test", "/blog/", "blog/index.html",
	    "text/html");
	hugo_expect_cache(t, "mirror.test", "/old-blog/", NULL, 404, NULL);
	hugo_expect_cache(t, "site.test", "/old-blogs", NULL, 404, NULL);
	tine_stop(t);
}

/* certbot --webroot on the www. name: its challenge files are served
 * there (a missing one is a 404), everything else still goes to the
 * apex. */
Test(hugo, acme_on_redirecting_name, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = hugo_start(NULL);
	struct tine_resp	 r;
	char			 path[TINE_PATH_MAX];
	const char		*token = "Xk2-token.abc\n";

	tine_path(path, t->dir, HUGO_TREE HUGO_ACME "Xk2");
	cr_assert_eq(tine_write_file(path, token, strlen(token), 0644), 0);
	expect_ask(t, "GET", "www.site.test", HUGO_ACME "Xk2", NULL, &r);
	expect_body(&r, token, strlen(token));
	tine_resp_free(&r);
	hugo_expect_moved(t, "GET", "www.site.test", "/.well-known/other",
	    "https://site.test/.well-known/other");
	expect_ask(t, "GET", "www.site.test", HUGO_ACME "gone", NULL, &r);
	expect_status(&r, 404);
	cr_expect_null(tine_resp_header(&r, "Location"));
	tine_resp_free(&r);
	tine_stop(t);
}

/* GET path at host: expect a 200 listing of this type whose body has
 * each of want (NULL-terminated) and none of the hidden file. */
static void
hugo_expect_listing(struct tine *t, const char *host, const char *path,
    const char *type, const char *const *want)
{
	struct tine_resp	r;

	expect_ask(t, "GET", host, path, NULL, &r);
	expect_status(&r, 200);
	expect_type(&r, type);
	for (; *want != NULL; want++)
		cr_expect_not_null(strstr(r.body, *want), "%s%s: no %s in:\n%s",
		    host, path, *want, r.body);
	cr_expect_null(strstr(r.body, ".htaccess"), "%s%s:\n%s", host, path,
	    r.body);
	tine_resp_free(&r);
}

/* /downloads/ is listed (HTML and JSON, a dotfile left out, the files
 * and a subdirectory served from it); a directory without an index
 * elsewhere, or on the vhost without that location, stays a 403. */
Test(hugo, downloads_listing, .fini = tine_teardown, .timeout = 30)
{
	static const char *const html[] = {
	    "<a href=\"release-1.0.txt\">release-1.0.txt</a>",
	    "<a href=\"old/\">old/</a>", NULL };
	static const char *const json[] = { "\"release-1.0.txt\"",
	    "\"old/\"", NULL };
	static const char *const sub[] = {
	    "<a href=\"release-0.9.txt\">release-0.9.txt</a>", NULL };
	struct tine		*t = hugo_start(NULL);
	struct tine_resp	 r;

	hugo_expect_listing(t, "site.test", "/downloads/", "text/html", html);
	hugo_expect_listing(t, "site.test", "/downloads/?format=json",
	    "application/json", json);
	hugo_expect_listing(t, "blog.site.test", "/downloads/old/",
	    "text/html", sub);
	hugo_expect_file(t, "site.test", "/downloads/old/release-0.9.txt",
	    "downloads/old/release-0.9.txt", "text/plain");
	hugo_expect_moved(t, "GET", "site.test", "/downloads", "/downloads/");
	expect_ask(t, "GET", "site.test", "/downloads/.htaccess", NULL, &r);
	expect_status(&r, 404);
	tine_resp_free(&r);
	expect_ask(t, "GET", "site.test", "/blog/2026/", NULL, &r);
	expect_status(&r, 403);
	tine_resp_free(&r);
	expect_ask(t, "GET", "mirror.test", "/downloads/", NULL, &r);
	expect_status(&r, 403);
	tine_resp_free(&r);
	tine_stop(t);
}

/* The absolute paths a config names, by what must exist there. */
enum hugo_path { HUGO_DIR, HUGO_LOG, HUGO_USERS };

/* The next document_root, access_log or auth_basic_file key in p, or
 * NULL; *kind says which. */
static const char *
hugo_path_key(const char *p, enum hugo_path *kind)
{
	static const char *const keys[] = { "document_root", "access_log ",
	    "auth_basic_file" };
	const char	*best = NULL, *q;
	size_t		 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((q = strstr(p, keys[i])) != NULL && (best == NULL ||
		    q < best)) {
			best = q;
			*kind = (enum hugo_path)i;
		}
	return best;
}

/* Make what a moved path needs: a directory, a log's directory, or an
 * htpasswd file of one valid SHA-crypt line. */
static void
hugo_make(const char *dir, const char *v, int len, enum hugo_path kind)
{
	static const char	 users[] = "u:$5$rounds=1000$s$0123456789012"
	    "345678901234567890123456789012\n";
	char			 path[2 * TINE_PATH_MAX];

	cr_assert_lt((size_t)snprintf(path, sizeof(path), "%s%.*s%s", dir,
	    len, v, kind == HUGO_DIR ? "/x" : ""), sizeof(path));
	/* dir/path/x makes dir/path; a log's file is made empty. */
	if (kind == HUGO_USERS)
		cr_assert_eq(tine_write_file(path, users, sizeof(users) - 1,
		    0600), 0);
	else
		cr_assert_eq(tine_write_file(path, "", 0, 0644), 0);
}

/* Prefix every document_root, access_log and auth_basic_file of text with
 * dir and make what they need (a config's absolute paths, moved under a
 * temp dir); the new text, which the caller frees. */
static char *
hugo_reroot(const char *text, const char *dir)
{
	const char	*p = text, *q, *v, *e;
	char		*out;
	size_t		 cap = strlen(text) * 2 + 4096, len = 0;
	enum hugo_path	 kind = HUGO_DIR;

	cr_assert_not_null(out = malloc(cap));
	while ((q = hugo_path_key(p, &kind)) != NULL) {
		v = q + strcspn(q, " \t=");
		v += strspn(v, " \t=");
		cr_assert(*v == '"' && v[1] == '/', "path not absolute in "
		    "quotes: %.40s", q);
		cr_assert_not_null(e = strchr(v + 1, '"'));
		hugo_make(dir, v + 1, (int)(e - v - 1), kind);
		cr_assert_lt(len + (size_t)(v + 1 - p) + strlen(dir), cap);
		memcpy(out + len, p, (size_t)(v + 1 - p));
		len += (size_t)(v + 1 - p);
		memcpy(out + len, dir, strlen(dir));
		len += strlen(dir);
		p = v + 1;
	}
	cr_assert_lt(len + strlen(p), cap);
	strcpy(out + len, p);
	return out;
}

/* tine -t on text with its roots moved under t's dir: expect it valid. */
static void
hugo_expect_valid(struct tine *t, const char *what, const char *text)
{
	const char	*args[] = { "-t", "-c", NULL, NULL };
	char		 conf[TINE_PATH_MAX], *moved, *err;
	int		 status;

	moved = hugo_reroot(text, t->dir);
	tine_path(conf, t->dir, "example.conf");
	cr_assert_eq(tine_write_file(conf, moved, strlen(moved), 0644), 0);
	args[2] = conf;
	status = tine_run(t, args, TINE_TIMEOUT_MS);
	err = tine_slurp(t->err, NULL);
	cr_expect_eq(status, 0, "%s: tine -t says:\n%s\n---\n%s", what,
	    err != NULL ? err : "", moved);
	free(err);
	free(moved);
}

/* The indented block under the README's "Hosting several sites", without
 * its indent; the caller frees it. */
static char *
hugo_readme_example(const char *readme)
{
	const char	*p = strstr(readme, "\nHosting several sites\n"), *nl;
	char		*out;
	size_t		 len = 0;

	cr_assert_not_null(p, "no \"Hosting several sites\" in the README");
	cr_assert_not_null(out = malloc(strlen(p) + 1));
	/* The first indented block: from its first line on, while the lines
	 * are indented or blank. */
	for (p++; *p != '\0'; p = *nl == '\n' ? nl + 1 : nl) {
		nl = strchrnul(p, '\n');
		if (strncmp(p, "    ", 4) == 0) {
			memcpy(out + len, p + 4, (size_t)(nl - p - 4));
			len += (size_t)(nl - p - 4);
			out[len++] = '\n';
		} else if (nl != p && len > 0)
			break;
	}
	out[len] = '\0';
	cr_assert(len > 0, "no example under \"Hosting several sites\"");
	return out;
}

/* s without its blank lines, in place; s. */
static char *
hugo_unblank(char *s)
{
	char	*r = s, *w = s;

	for (; *r != '\0'; r++)
		if (*r != '\n' || (w > s && w[-1] != '\n'))
			*w++ = *r;
	*w = '\0';
	return s;
}

/* The README's example config (tests/site/README-example.conf, which the
 * README shows as its first block there, line for line) passes tine -t. */
Test(hugo, readme_example, .fini = tine_teardown, .timeout = 30)
{
	const char	*src = getenv("TINE_SRCDIR");
	struct tine	*t = tine_setup(NULL);
	char		 path[TINE_PATH_MAX], *text, *file, *block;

	cr_assert_not_null(t);
	cr_assert(src != NULL && *src != '\0', "TINE_SRCDIR is not set");
	file = tine_slurp(tine_path(path, src, "tests/site/README-example.conf"),
	    NULL);
	cr_assert_not_null(file, "no %s", path);
	hugo_expect_valid(t, "README-example.conf", file);
	cr_assert_not_null(text = tine_slurp(tine_path(path, src, "README"),
	    NULL));
	block = hugo_readme_example(text);
	hugo_expect_valid(t, "the README's example", block);
	cr_expect_str_eq(hugo_unblank(block), hugo_unblank(file), "the README's "
	    "example is not tests/site/README-example.conf");
	free(block);
	free(text);
	free(file);
	tine_stop(t);
}

/* Whether t's access log ("%v %>s %U %B") has site.test's 200 for path
 * with the size of the tree's file rel: the bytes that went out. */
static int
hugo_logged(struct tine *t, const char *path, const char *rel)
{
	char	 line[TINE_PATH_MAX], *body;
	size_t	 len;

	if ((body = hugo_file(t, rel, &len)) == NULL)
		return 0;
	free(body);
	snprintf(line, sizeof(line), "site.test 200 %s %zu\n", path, len);
	return tine_count(t->access_log, line);
}

/* Whether the browser fetched the page's three subresources from the
 * vhost with a 200, the stylesheet and script as their .gz (Chromium
 * asks for gzip, and br only over https); for tine_wait_until. */
static int
hugo_subresources_logged(void *arg)
{
	struct tine	*t = arg;

	return hugo_logged(t, "/" HUGO_CSS, HUGO_CSS ".gz") &&
	    hugo_logged(t, "/" HUGO_JS, HUGO_JS ".gz") &&
	    hugo_logged(t, "/" HUGO_PNG, HUGO_PNG);
}

/* The browser to use, or NULL (the test is then skipped or failed). */
static const char *
hugo_browser(struct tine *t)
{
	const char	*b = getenv("CHROMIUM");
	const char	*argv[] = { "sh", "-c", "command -v \"$0\"", NULL, NULL };
	char		 out[TINE_PATH_MAX], err[TINE_PATH_MAX];

	argv[3] = b != NULL && *b != '\0' ? b : "chromium";
	tine_path(out, t->dir, "which.out");
	tine_path(err, t->dir, "which.err");
	if (hugo_run(argv, out, err, NULL, TINE_TIMEOUT_MS) == 0)
		return argv[3];
	return NULL;
}

/* Run the browser on http://site.test:PORT/ (resolved to 127.0.0.1) with
 * a screenshot into shot, the DOM after load into dom and its stderr into
 * err; its exit status, or -1. */
static int
hugo_browse(struct tine *t, const char *browser, const char *shot,
    const char *dom, const char *err)
{
	char	home[TINE_PATH_MAX], udd[TINE_PATH_MAX], ports[64];
	char	url[128], shotarg[TINE_PATH_MAX + 16], win[64];
	char	uarg[TINE_PATH_MAX + 32];
	const char *const argv[] = { browser, "--headless",
	    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
	    "--no-first-run", "--no-default-browser-check",
	    "--disable-extensions", "--disable-sync",
	    "--disable-background-networking", "--disable-component-update",
	    "--no-proxy-server", uarg,
	    "--host-resolver-rules=MAP site.test 127.0.0.1", ports,
	    win, shotarg, "--dump-dom", url, NULL };

	tine_path(home, t->dir, "home");
	tine_path(udd, t->dir, "chrome");
	snprintf(uarg, sizeof(uarg), "--user-data-dir=%s", udd);
	/* A free port may be one Chromium calls unsafe (6000, 6665 ...). */
	snprintf(ports, sizeof(ports), "--explicitly-allowed-ports=%d",
	    t->port);
	snprintf(win, sizeof(win), "--window-size=%d,%d", HUGO_WIN_W,
	    HUGO_WIN_H);
	snprintf(shotarg, sizeof(shotarg), "--screenshot=%s", shot);
	snprintf(url, sizeof(url), "http://site.test:%d/", t->port);
	return hugo_run(argv, dom, err, home, HUGO_BROWSER_MS);
}

/* Expect the DOM the browser dumped to have the page's title and the
 * script's mark. */
static void
hugo_expect_dom(const char *dom)
{
	char	*text;

	cr_assert_not_null(text = tine_slurp(dom, NULL), "no %s", dom);
	cr_expect_not_null(strstr(text, "<title>" HUGO_TITLE "</title>"),
	    "title not in the DOM:\n%s", text);
	cr_expect_not_null(strstr(text, "app.js ran"), "no script:\n%s", text);
	free(text);
}

/* Expect the stylesheet, script and image in t's access log as 200s of
 * site.test (waiting for the lines, which follow the answers). */
static void
hugo_expect_fetched(struct tine *t)
{
	char	*text;

	if (tine_wait_until(hugo_subresources_logged, t, TINE_TIMEOUT_MS) ==
	    0)
		return;
	text = tine_slurp(t->access_log, NULL);
	cr_expect_fail("stylesheet, script (both precompressed) or image not "
	    "fetched with a 200 from site.test; access log:\n%s",
	    text != NULL ? text : "");
	free(text);
}

/* Expect the screenshot to be the window, the stylesheet's background
 * over most of it, and both halves of the image at the page's size. */
static void
hugo_expect_screenshot(const char *shot)
{
	struct hugo_img	img;
	size_t		half = HUGO_IMG_PX * HUGO_IMG_PX / 2;

	cr_assert_eq(hugo_png_read(shot, &img), 0, "no screenshot PNG");
	cr_expect(img.w == HUGO_WIN_W && img.h == HUGO_WIN_H, "%ux%u", img.w,
	    img.h);
	cr_expect_geq(hugo_png_count(&img, HUGO_BLUE), (size_t)img.w * img.h /
	    2, "the stylesheet's background is not on most of the page");
	cr_expect_geq(hugo_png_count(&img, HUGO_RED), half * 9 / 10,
	    "the image's top half is not on the page");
	cr_expect_geq(hugo_png_count(&img, HUGO_GREEN), half * 9 / 10,
	    "the image's bottom half is not on the page");
	free(img.px);
}

/*
 * Headless Chromium loads the home page by the vhost's name: the title is
 * right and the script ran (in the DOM it dumps), the stylesheet, script
 * and image came from that vhost with 200s (the access log), and the
 * screenshot shows the stylesheet's background over most of the window
 * and both colours of the image at its size.
 */
Test(hugo, browser, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = hugo_start(NULL);
	const char	*browser, *skip = getenv("TINE_SKIP_BROWSER");
	char		 shot[TINE_PATH_MAX], dom[TINE_PATH_MAX];
	char		 err[TINE_PATH_MAX], *text;
	int		 status;

	if ((browser = hugo_browser(t)) == NULL) {
		tine_stop(t);
		if (skip != NULL && *skip != '\0')
			cr_skip_test("no chromium (TINE_SKIP_BROWSER is set)");
		cr_assert_fail("no chromium: run ./autogen.sh --deps, or set "
		    "TINE_SKIP_BROWSER=1 to skip this test");
	}
	tine_path(shot, t->dir, "shot.png");
	tine_path(dom, t->dir, "dom.html");
	tine_path(err, t->dir, "chrome.err");
	if ((status = hugo_browse(t, browser, shot, dom, err)) != 0) {
		text = tine_slurp(err, NULL);
		cr_assert_fail("%s: status %d (-1: killed); its stderr:\n%s",
		    browser, status, text != NULL ? text : "");
	}
	hugo_expect_dom(dom);
	hugo_expect_fetched(t);
	hugo_expect_screenshot(shot);
	tine_stop(t);
}
