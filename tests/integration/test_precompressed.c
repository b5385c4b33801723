/*
 * test_precompressed: the site option precompressed against the real
 * binary over real sockets — FILE.br or FILE.gz sent for FILE when the
 * request's Accept-Encoding allows it (q-values, "*", several lines), with
 * FILE's type, the coding, Vary and the sibling's own validators; ranges
 * and conditionals on the sibling's bytes; the file's types, charset and
 * cache_control_types on the coded answer; a sibling that is missing,
 * older than its file or no regular file left alone; Vary on the identity
 * answer; a direct request for the sibling; a sibling deployed or removed
 * while tine runs; off, per vhost, per location, and tine -t's error.
 */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"

#define PC_CSS		"body { color: #333; margin: 0 auto; }\n"
#define PC_JS		"console.log('only a .gz beside me');\n"
#define PC_TXT		"no sibling\n"
#define PC_VARY		"Accept-Encoding"
#define PC_ROUNDS	20	/* requests per file in the syscall count */

/* Siblings with NUL bytes, as real compressed files have; tine never
 * looks inside them. */
static const char	pc_gz[] = "\x1f\x8b\x08\0\0\0\0\0\0\3gz of main.css";
static const char	pc_br[] = "\x0b\x02\x80\0br of main.css";
static const char	pc_jsgz[] = "\x1f\x8b\x08\0\0\0\0\0\0\3gz of only.js";

/* Write len bytes to docroot/rel with mtime when (0: leave it). */
static void
pc_file(struct tine *t, const char *rel, const void *data, size_t len,
    time_t when)
{
	char			path[TINE_PATH_MAX];
	struct timespec		ts[2] = { { when, 0 }, { when, 0 } };

	tine_path(path, t->docroot, rel);
	cr_assert_eq(tine_write_file(path, data, len, 0644), 0, "%s", rel);
	if (when != 0)
		cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0, "%s", rel);
}

/*
 * An instance with conf and: main.css with .gz and .br (each newer than
 * the one before, so every Last-Modified differs), only.js with a .gz,
 * plain.txt alone, old.css with an older .gz, a directory as dir.css.gz,
 * a directory index with a .gz, a hidden file with a .gz.
 */
static struct tine *
pc_start(const char *conf, time_t t0)
{
	struct tine	*t = tine_setup(conf);
	char		 path[TINE_PATH_MAX];

	cr_assert_not_null(t);
	pc_file(t, "main.css", PC_CSS, strlen(PC_CSS), t0);
	pc_file(t, "main.css.gz", pc_gz, sizeof(pc_gz) - 1, t0 + 100);
	pc_file(t, "main.css.br", pc_br, sizeof(pc_br) - 1, t0 + 200);
	pc_file(t, "only.js", PC_JS, strlen(PC_JS), t0);
	pc_file(t, "only.js.gz", pc_jsgz, sizeof(pc_jsgz) - 1, t0);
	pc_file(t, "plain.txt", PC_TXT, strlen(PC_TXT), t0);
	pc_file(t, "old.css", PC_CSS, strlen(PC_CSS), t0);
	pc_file(t, "old.css.gz", pc_gz, sizeof(pc_gz) - 1, t0 - 1);
	pc_file(t, "dir.css", PC_CSS, strlen(PC_CSS), t0);
	cr_assert_eq(mkdir(tine_path(path, t->docroot, "dir.css.gz"), 0755),
	    0);
	pc_file(t, "docs/index.html", "docs\n", 5, t0);
	pc_file(t, "docs/index.html.gz", pc_gz, sizeof(pc_gz) - 1, t0);
	pc_file(t, ".hidden.css", PC_CSS, strlen(PC_CSS), t0);
	pc_file(t, ".hidden.css.gz", pc_gz, sizeof(pc_gz) - 1, t0);
	cr_assert_eq(tine_start(t), 0);
	return t;
}

/* A whole second in the past: the files' times, Last-Modified's. */
static time_t
pc_t0(void)
{
	return time(NULL) - 100000;
}

/* The answer is the sibling of a text/css file in coding, whole. */
static void
pc_expect_coded(const struct tine_resp *r, const char *coding,
    const void *body, size_t len)
{
	const char	*etag = expect_header(r, "ETag");
	char		 end[16];

	expect_body(r, body, len);
	expect_type(r, "text/css");
	expect_hdr(r, "Content-Encoding", coding);
	expect_hdr(r, "Vary", PC_VARY);
	expect_hdr(r, "Accept-Ranges", "bytes");
	cr_expect_eq(tine_resp_count(r, "Vary"), 1);
	snprintf(end, sizeof(end), "-%s\"", coding);
	cr_expect(strlen(etag) > strlen(end) && etag[0] == '"' &&
	    strcmp(etag + strlen(etag) - strlen(end), end) == 0,
	    "ETag %s: want it tagged %s", etag, end);
}

/* The answer is the file itself, with or without Vary. */
static void
pc_expect_identity(const struct tine_resp *r, const char *body,
    const char *type, int vary)
{
	expect_body(r, body, strlen(body));
	expect_type(r, type);
	cr_expect_null(tine_resp_header(r, "Content-Encoding"));
	if (vary)
		expect_hdr(r, "Vary", PC_VARY);
	else
		cr_expect_null(tine_resp_header(r, "Vary"));
}

/* GET path with this Accept-Encoding (NULL: none): the answer's coding
 * ("" for identity), checked as above. */
static void
pc_get(struct tine *t, const char *host, const char *path, const char *ae,
    const char *coding)
{
	struct tine_resp	 r;
	char			 extra[256] = "";

	if (ae != NULL)
		snprintf(extra, sizeof(extra), "Accept-Encoding: %s\r\n", ae);
	expect_ask(t, "GET", host, path, extra, &r);
	if (strcmp(coding, "br") == 0)
		pc_expect_coded(&r, "br", pc_br, sizeof(pc_br) - 1);
	else if (strcmp(coding, "gzip") == 0)
		pc_expect_coded(&r, "gzip", pc_gz, sizeof(pc_gz) - 1);
	else
		pc_expect_identity(&r, PC_CSS, "text/css", 1);
	tine_resp_free(&r);
}

/* Which sibling Accept-Encoding picks: br first, q-values, "*", several
 * lines, case and blanks; none at all (or a refusal) is the file with
 * Vary. */
Test(precompressed, negotiation, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = pc_start("precompressed = on", pc_t0());

	pc_get(t, "x", "/main.css", "gzip, deflate, br, zstd", "br");
	pc_get(t, "x", "/main.css", "br", "br");
	pc_get(t, "x", "/main.css", "gzip", "gzip");
	pc_get(t, "x", "/main.css", "x-gzip", "gzip");
	pc_get(t, "x", "/main.css", "br;q=0, gzip", "gzip");
	pc_get(t, "x", "/main.css", "gzip;q=0.9, br;q=0.5", "gzip");
	pc_get(t, "x", "/main.css", "gzip;q=0.5, br;q=0.5", "br");
	pc_get(t, "x", "/main.css", " GZIP ;Q=1 ,\tBr;q=0.001", "gzip");
	pc_get(t, "x", "/main.css", "*", "br");
	pc_get(t, "x", "/main.css", "*, br;q=0", "gzip");
	pc_get(t, "x", "/main.css", "*;q=0", "");
	pc_get(t, "x", "/main.css", "*;q=0, identity", "");
	pc_get(t, "x", "/main.css", "br;q=0, gzip;q=0", "");
	pc_get(t, "x", "/main.css", "gzip;q=2, br;level=1", "");
	pc_get(t, "x", "/main.css", "deflate, zstd", "");
	pc_get(t, "x", "/main.css", "", "");
	pc_get(t, "x", "/main.css", NULL, "");
	/* Several lines are one list. */
	pc_get(t, "x", "/main.css", "br;q=0\r\nAccept-Encoding: gzip",
	    "gzip");
	pc_get(t, "x", "/main.css", "gzip\r\nAccept-Encoding: gzip;q=0", "");
	tine_stop(t);
}

/* A sibling that is missing, older than its file, or a directory is not
 * sent: the file is, with Vary; only.js has a .gz and no .br. The index
 * of a directory has its sibling; a hidden file stays hidden. */
Test(precompressed, unusable_siblings, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = pc_start("precompressed = on", pc_t0());
	struct tine_resp	 r;

	expect_ask(t, "GET", "x", "/only.js", "Accept-Encoding: br, gzip\r\n", &r);
	expect_body(&r, pc_jsgz, sizeof(pc_jsgz) - 1);
	expect_hdr(&r, "Content-Encoding", "gzip");
	expect_type(&r, "text/javascript");
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/only.js", "Accept-Encoding: br\r\n", &r);
	pc_expect_identity(&r, PC_JS, "text/javascript", 1);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/plain.txt", "Accept-Encoding: br, gzip\r\n",
	    &r);
	pc_expect_identity(&r, PC_TXT, "text/plain", 1);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/old.css", "Accept-Encoding: gzip\r\n", &r);
	pc_expect_identity(&r, PC_CSS, "text/css", 1);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/dir.css", "Accept-Encoding: gzip\r\n", &r);
	pc_expect_identity(&r, PC_CSS, "text/css", 1);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/docs/", "Accept-Encoding: gzip\r\n", &r);
	expect_body(&r, pc_gz, sizeof(pc_gz) - 1);
	expect_hdr(&r, "Content-Encoding", "gzip");
	expect_type(&r, "text/html");
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/.hidden.css", "Accept-Encoding: gzip\r\n", &r);
	expect_error(&r, 404, 0, 1);
	tine_resp_free(&r);
	tine_stop(t);
}

/*
 * The coded answer's validators are the sibling's: its Last-Modified,
 * its own ETag tagged with the coding (the direct request for the .gz
 * shows the untagged one), never the file's.
 */
Test(precompressed, validators, .fini = tine_teardown, .timeout = 60)
{
	time_t			 t0 = pc_t0();
	struct tine		*t = pc_start("precompressed = on", t0);
	struct tine_resp	 r, gz, id;
	char			 date[64], want[128];

	expect_ask(t, "GET", "x", "/main.css", "Accept-Encoding: gzip\r\n", &r);
	expect_ask(t, "GET", "x", "/main.css.gz", NULL, &gz);
	expect_ask(t, "GET", "x", "/main.css", NULL, &id);
	expect_hdr(&r, "Last-Modified", tine_http_date(t0 + 100, date,
	    sizeof(date)));
	expect_hdr(&id, "Last-Modified", tine_http_date(t0, date,
	    sizeof(date)));
	snprintf(want, sizeof(want), "%.*s-gzip\"",
	    (int)strlen(expect_header(&gz, "ETag")) - 1,
	    expect_header(&gz, "ETag"));
	expect_hdr(&r, "ETag", want);
	cr_expect_str_neq(expect_header(&id, "ETag"), want);
	tine_resp_free(&r);
	tine_resp_free(&gz);
	tine_resp_free(&id);
	expect_ask(t, "GET", "x", "/main.css", "Accept-Encoding: br\r\n", &r);
	expect_hdr(&r, "Last-Modified", tine_http_date(t0 + 200, date,
	    sizeof(date)));
	tine_resp_free(&r);
	tine_stop(t);
}

/* The .gz asked for by its own name is a file like any other: its own
 * type, no Content-Encoding, an ETag without the coding. */
Test(precompressed, direct_request, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = pc_start("precompressed = on", pc_t0());
	struct tine_resp	 r;

	expect_ask(t, "GET", "x", "/main.css.gz", "Accept-Encoding: gzip\r\n",
	    &r);
	expect_body(&r, pc_gz, sizeof(pc_gz) - 1);
	expect_type(&r, "application/gzip");
	cr_expect_null(tine_resp_header(&r, "Content-Encoding"));
	cr_expect_null(strstr(expect_header(&r, "ETag"), "gzip"));
	tine_resp_free(&r);
	tine_stop(t);
}

/* A range is of the sibling's bytes, against its length; several ranges
 * on a coded answer get the whole sibling; the file's own answer keeps
 * its ranges, with Vary. */
Test(precompressed, ranges, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = pc_start("precompressed = on", pc_t0());
	struct tine_resp	 r;
	char			 want[64];

	expect_ask(t, "GET", "x", "/main.css",
	    "Accept-Encoding: gzip\r\nRange: bytes=1-12\r\n", &r);
	expect_status(&r, 206);
	snprintf(want, sizeof(want), "bytes 1-12/%zu", sizeof(pc_gz) - 1);
	expect_hdr(&r, "Content-Range", want);
	expect_hdr(&r, "Content-Encoding", "gzip");
	expect_hdr(&r, "Vary", PC_VARY);
	expect_type(&r, "text/css");
	expect_length(&r, 12);
	cr_expect(r.bodylen == 12 && memcmp(r.body, pc_gz + 1, 12) == 0);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/main.css",
	    "Accept-Encoding: gzip\r\nRange: bytes=0-0,3-4\r\n", &r);
	pc_expect_coded(&r, "gzip", pc_gz, sizeof(pc_gz) - 1);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/main.css",
	    "Accept-Encoding: gzip\r\nRange: bytes=5000-\r\n", &r);
	expect_status(&r, 416);
	snprintf(want, sizeof(want), "bytes */%zu", sizeof(pc_gz) - 1);
	expect_hdr(&r, "Content-Range", want);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/main.css", "Range: bytes=0-3\r\n", &r);
	expect_status(&r, 206);
	cr_expect(r.bodylen == 4 && memcmp(r.body, PC_CSS, 4) == 0);
	cr_expect_null(tine_resp_header(&r, "Content-Encoding"));
	expect_hdr(&r, "Vary", PC_VARY);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/main.css", "Range: bytes=0-0,3-4\r\n", &r);
	expect_status(&r, 206);
	expect_hdr(&r, "Vary", PC_VARY);
	tine_resp_free(&r);
	tine_stop(t);
}

/* If-None-Match with the .gz answer's tag is a 304 (with Vary) when gzip
 * is chosen again; the file's tag does not match the coded answer, nor
 * the coded tag the file's. If-Range follows the sibling too. */
Test(precompressed, conditionals, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = pc_start("precompressed = on", pc_t0());
	struct tine_resp	 r;
	char			 gz[128], id[128], extra[512];

	expect_ask(t, "GET", "x", "/main.css", "Accept-Encoding: gzip\r\n", &r);
	snprintf(gz, sizeof(gz), "%s", expect_header(&r, "ETag"));
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/main.css", NULL, &r);
	snprintf(id, sizeof(id), "%s", expect_header(&r, "ETag"));
	tine_resp_free(&r);

	snprintf(extra, sizeof(extra), "Accept-Encoding: gzip\r\n"
	    "If-None-Match: %s\r\n", gz);
	expect_ask(t, "GET", "x", "/main.css", extra, &r);
	expect_status(&r, 304);
	expect_hdr(&r, "ETag", gz);
	expect_hdr(&r, "Vary", PC_VARY);
	cr_expect_eq(r.bodylen, 0);
	tine_resp_free(&r);
	snprintf(extra, sizeof(extra), "Accept-Encoding: gzip\r\n"
	    "If-None-Match: %s\r\n", id);
	expect_ask(t, "GET", "x", "/main.css", extra, &r);
	pc_expect_coded(&r, "gzip", pc_gz, sizeof(pc_gz) - 1);
	tine_resp_free(&r);
	snprintf(extra, sizeof(extra), "If-None-Match: %s\r\n", gz);
	expect_ask(t, "GET", "x", "/main.css", extra, &r);
	pc_expect_identity(&r, PC_CSS, "text/css", 1);
	tine_resp_free(&r);
	snprintf(extra, sizeof(extra), "If-None-Match: %s\r\n", id);
	expect_ask(t, "GET", "x", "/main.css", extra, &r);
	expect_status(&r, 304);
	expect_hdr(&r, "Vary", PC_VARY);
	tine_resp_free(&r);
	snprintf(extra, sizeof(extra), "Accept-Encoding: gzip\r\n"
	    "Range: bytes=0-1\r\nIf-Range: %s\r\n", gz);
	expect_ask(t, "GET", "x", "/main.css", extra, &r);
	expect_status(&r, 206);
	tine_resp_free(&r);
	tine_stop(t);
}

/* The coded answer is typed and cached as its file (the site's types,
 * charset and cache_control_types), on a 304 too; the .gz by name as a
 * .gz. */
Test(precompressed, types_and_caching, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = pc_start("precompressed = on\n"
	    "types = {\"text/x-fancy css\"}\ncharset = \"iso-8859-1\"\n"
	    "cache_control_types = {\"text/* public, max-age=600\",\n"
	    "  \"application/gzip no-cache\"}\n", pc_t0());
	struct tine_resp	 r;
	char			 extra[256];

	expect_ask(t, "GET", "x", "/main.css", "Accept-Encoding: gzip\r\n", &r);
	expect_body(&r, pc_gz, sizeof(pc_gz) - 1);
	expect_hdr(&r, "Content-Type", "text/x-fancy; charset=iso-8859-1");
	expect_hdr(&r, "Content-Encoding", "gzip");
	expect_hdr(&r, "Cache-Control", "public, max-age=600");
	snprintf(extra, sizeof(extra), "Accept-Encoding: gzip\r\n"
	    "If-None-Match: %s\r\n", expect_header(&r, "ETag"));
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/main.css", extra, &r);
	expect_status(&r, 304);
	expect_hdr(&r, "Cache-Control", "public, max-age=600");
	expect_hdr(&r, "Vary", PC_VARY);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/main.css.gz", NULL, &r);
	expect_type(&r, "application/gzip");
	expect_hdr(&r, "Cache-Control", "no-cache");
	cr_expect_null(tine_resp_header(&r, "Content-Encoding"));
	tine_resp_free(&r);
	tine_stop(t);
}

/* HEAD: the coded answer's head, no body. */
Test(precompressed, head, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = pc_start("precompressed = on", pc_t0());
	struct tine_resp	 r;

	expect_ask(t, "HEAD", "x", "/main.css", "Accept-Encoding: br\r\n", &r);
	expect_status(&r, 200);
	expect_length(&r, sizeof(pc_br) - 1);
	expect_hdr(&r, "Content-Encoding", "br");
	expect_hdr(&r, "Vary", PC_VARY);
	expect_type(&r, "text/css");
	cr_expect_eq(r.bodylen, 0);
	tine_resp_free(&r);
	tine_stop(t);
}

/* Off (the default, or in a vhost): the file, no Vary, whatever the
 * request accepts; a vhost that does not say inherits the top level. */
Test(precompressed, off_and_vhosts, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = pc_start(NULL, pc_t0());
	struct tine_resp	 r;

	expect_ask(t, "GET", "x", "/main.css", "Accept-Encoding: br, gzip\r\n", &r);
	pc_expect_identity(&r, PC_CSS, "text/css", 0);
	tine_resp_free(&r);
	expect_ask(t, "GET", "x", "/main.css", "Range: bytes=0-0,2-2\r\n", &r);
	expect_status(&r, 206);
	cr_expect_null(tine_resp_header(&r, "Vary"));
	tine_resp_free(&r);
	tine_stop(t);

	t = pc_start("precompressed = on\n"
	    "vhost \"off.test\" { precompressed = off }\n"
	    "vhost \"in.test\" { }\n", pc_t0());
	pc_get(t, "in.test", "/main.css", "gzip", "gzip");
	expect_ask(t, "GET", "off.test", "/main.css", "Accept-Encoding: gzip\r\n",
	    &r);
	pc_expect_identity(&r, PC_CSS, "text/css", 0);
	tine_resp_free(&r);
	tine_stop(t);

	t = pc_start("vhost \"on.test\" { precompressed = on }\n", pc_t0());
	pc_get(t, "on.test", "/main.css", "br", "br");
	expect_ask(t, "GET", "x", "/main.css", "Accept-Encoding: br\r\n", &r);
	pc_expect_identity(&r, PC_CSS, "text/css", 0);
	tine_resp_free(&r);
	tine_stop(t);
}

/* GET path at host with gzip accepted: the .gz with Vary, or (coded 0)
 * the file without Vary. */
static void
pc_loc(struct tine *t, const char *host, const char *path, int coded)
{
	struct tine_resp	r;

	expect_ask(t, "GET", host, path, "Accept-Encoding: gzip\r\n", &r);
	if (coded)
		pc_expect_coded(&r, "gzip", pc_gz, sizeof(pc_gz) - 1);
	else
		pc_expect_identity(&r, PC_CSS, "text/css", 0);
	tine_resp_free(&r);
}

/* A location turns it on or off for its paths; a vhost does not take the
 * top level's locations. */
Test(precompressed, per_location, .fini = tine_teardown, .timeout = 60)
{
	static const char *const dirs[] = { "", "assets/", "raw/" };
	struct tine	*t = tine_setup(
	    "location \"/assets/\" { precompressed = on }\n"
	    "vhost \"v.test\" { precompressed = on\n"
	    "  location \"/raw/\" { precompressed = off } }\n");
	char		 rel[64];
	size_t		 i;

	cr_assert_not_null(t);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(rel, sizeof(rel), "%sa.css", dirs[i]);
		pc_file(t, rel, PC_CSS, strlen(PC_CSS), 0);
		snprintf(rel, sizeof(rel), "%sa.css.gz", dirs[i]);
		pc_file(t, rel, pc_gz, sizeof(pc_gz) - 1, 0);
	}
	cr_assert_eq(tine_start(t), 0);
	pc_loc(t, "x", "/assets/a.css", 1);
	pc_loc(t, "x", "/a.css", 0);
	pc_loc(t, "x", "/raw/a.css", 0);
	pc_loc(t, "v.test", "/a.css", 1);
	pc_loc(t, "v.test", "/assets/a.css", 1);
	pc_loc(t, "v.test", "/raw/a.css", 0);
	tine_stop(t);
}

/* What pc_coded() asks for, and whether the answer had a coding. */
struct pc_poll {
	struct tine	*t;
	const char	*path;
	int		 want;		/* 1: wait for coded, 0: for identity */
};

/* tine_wait_until's condition: GET with gzip is (or is not) coded. */
static int
pc_coded(void *arg)
{
	struct pc_poll		*p = arg;
	struct tine_resp	 r;
	int			 coded;

	if (tine_ask(p->t, "GET", "x", p->path, "Accept-Encoding: gzip\r\n",
	    &r) != 0)
		return 0;
	coded = r.status == 200 &&
	    tine_resp_header(&r, "Content-Encoding") != NULL;
	tine_resp_free(&r);
	return coded == p->want;
}

/* A sibling deployed while tine runs is sent within the cache's second,
 * though its absence was seen (and remembered) before; removed, it stops
 * being sent. One worker: the one that remembered is the one asked. */
Test(precompressed, deploy_while_running, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = pc_start("precompressed = on\nworkers = 1",
	    pc_t0());
	struct pc_poll	 p = { t, "/plain.txt", 1 };
	char		 path[TINE_PATH_MAX];

	pc_get(t, "x", "/main.css", "gzip", "gzip");
	p.want = 0;
	cr_assert_eq(pc_coded(&p), 1, "plain.txt coded before its .gz");
	pc_file(t, "plain.txt.gz", pc_gz, sizeof(pc_gz) - 1, 0);
	p.want = 1;
	cr_expect_eq(tine_wait_until(pc_coded, &p, 5000), 0,
	    "the new plain.txt.gz was never sent");
	cr_assert_eq(unlink(tine_path(path, t->docroot, "main.css.gz")), 0);
	p.path = "/main.css";
	p.want = 0;
	cr_expect_eq(tine_wait_until(pc_coded, &p, 5000), 0,
	    "the removed main.css.gz was still sent");
	tine_stop(t);
}

/* Whether pid is being traced (TracerPid in /proc/PID/status). */
static int
pc_traced(void *arg)
{
	char		 path[64], *status, *p;
	size_t		 len;
	int		 traced;

	snprintf(path, sizeof(path), "/proc/%d/status", *(pid_t *)arg);
	if ((status = tine_slurp(path, &len)) == NULL)
		return 0;
	traced = (p = strstr(status, "TracerPid:\t")) != NULL &&
	    atoi(p + 11) != 0;
	free(status);
	return traced;
}

/* Start strace on pid, writing its openat2 calls to out; its pid, or -1
 * when it cannot be run or attach (then the test is skipped). */
static pid_t
pc_strace(pid_t pid, const char *out)
{
	char	arg[32];
	pid_t	s;
	int	null;

	if (access("/usr/bin/strace", X_OK) == -1)
		return -1;
	snprintf(arg, sizeof(arg), "%d", pid);
	if ((s = fork()) == 0) {
		if ((null = open("/dev/null", O_WRONLY)) != -1)
			dup2(null, STDERR_FILENO);
		execl("/usr/bin/strace", "strace", "-q", "-e", "trace=openat2",
		    "-o", out, "-p", arg, (char *)NULL);
		_exit(127);
	}
	if (s == -1 || tine_wait_until(pc_traced, &pid, 5000) == -1) {
		if (s > 0) {
			kill(s, SIGKILL);
			waitpid(s, NULL, 0);
		}
		return -1;
	}
	return s;
}

/* PC_ROUNDS keep-alive GETs with gzip for each path; 0 or -1. */
static int
pc_rounds(struct tine *t, const char *const *paths, int npaths)
{
	struct tine_conn	 c;
	struct tine_resp	 r;
	char			 req[256];
	int			 i, rc = 0;

	if (tine_conn_open(&c, AF_INET, t->port) == -1)
		return -1;
	for (i = 0; i < PC_ROUNDS * npaths && rc == 0; i++) {
		snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n"
		    "Accept-Encoding: gzip\r\n\r\n", paths[i % npaths]);
		if (tine_conn_sends(&c, req) == -1 ||
		    tine_conn_read(&c, 0, TINE_TIMEOUT_MS, &r) == -1)
			rc = -1;
		else {
			rc = r.status == 200 ? 0 : -1;
			tine_resp_free(&r);
		}
	}
	tine_conn_close(&c);
	return rc;
}

/*
 * The sibling lookup goes through the file cache: a file with a sibling
 * and one without cost no open per request, only the cache's checks, at
 * most once a second per entry (the file, its sibling or its absence).
 */
Test(precompressed, cached_lookups, .fini = tine_teardown, .timeout = 60)
{
	static const char *const paths[] = { "/main.css", "/plain.txt" };
	struct tine	*t = pc_start("precompressed = on\nworkers = 1",
	    pc_t0());
	char		 out[TINE_PATH_MAX], *log, *p;
	pid_t		 w, s;
	long long	 start, secs;
	size_t		 len;
	int		 opens;

	cr_assert_eq(tine_children(t->pid, &w, 1), 1);
	/* Every entry made: what follows is the steady state. */
	cr_assert_eq(pc_rounds(t, paths, 2), 0);
	if ((s = pc_strace(w, tine_path(out, t->dir, "strace.out"))) == -1) {
		tine_stop(t);
		cr_skip_test("strace cannot trace the worker here");
	}
	start = tine_now_ms();
	cr_expect_eq(pc_rounds(t, paths, 2), 0);
	secs = (tine_now_ms() - start) / 1000 + 1;
	kill(s, SIGINT);
	waitpid(s, NULL, 0);
	log = tine_slurp(out, &len);
	cr_assert_not_null(log);
	for (opens = 0, p = log; (p = strstr(p, "openat2(")) != NULL; p++)
		opens++;
	free(log);
	/* Four entries, each checked at most once in each second begun. */
	cr_expect_leq(opens, 4 * (secs + 1), "%d opens for %d requests in "
	    "%lld s", opens, 2 * PC_ROUNDS, secs);
	tine_stop(t);
}

/* tine -t names the file and line of a value that is no boolean. */
Test(precompressed, config_error, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = tine_setup("vhost \"a.test\" {\n"
	    "  precompressed = maybe\n}");
	char		*err, *conf, where[64];
	size_t		 i, len;
	int		 status, lines = 1;

	cr_assert_not_null(t);
	cr_assert_not_null(conf = tine_slurp(t->conf, &len));
	for (i = 0; i + 1 < len; i++)
		lines += conf[i] == '\n';
	free(conf);
	/* The value is on the line before the config's last, "}". */
	snprintf(where, sizeof(where), "tine.conf:%d: ", lines - 1);
	err = tine_check(t, &status);
	cr_expect_eq(status, 1);
	cr_expect(strncmp(err, where, strlen(where)) == 0, "want %s in %s",
	    where, err);
	cr_expect_not_null(strstr(err, "boolean value for option "
	    "'precompressed'"), "%s", err);
	free(err);
	tine_stop(t);
}
