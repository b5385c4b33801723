/*
 * test_semantics: the HTTP semantics that take more than a status code to
 * check, against the real binary over real sockets: validators and
 * conditional requests, ranges byte for byte (multipart bodies parsed
 * whole), HEAD against GET, OPTIONS and 405, the shape of every error
 * response, request bodies on GET, Expect, the per-connection request
 * limit, the three timeouts, and how a target names a file.
 */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"

#define PAT_SIZE	1000		/* sent from the worker's memory */
#define BIG_SIZE	100000		/* not cached in memory: sendfile */
#define HUGE_SIZE	(16 * 1024 * 1024) /* more than the socket buffers */
#define SEM_DROP_MS	30000	/* send_timeout = 1 drops well within; the
				 * default 60 s would not */
#define SPACE_BODY	"the file with a space in its name\n"
#define SUB_INDEX	"<!doctype html><p>sub index\n"
#define ALLOW		"GET, HEAD, OPTIONS"
#define CLOSE_MS	3000	/* how long a promised close may take */

/* pat.txt's mtime: 2020-01-02 03:04:05.123456789 UTC (nanoseconds on
 * purpose: HTTP dates have whole seconds, comparisons must too). */
#define PAT_MTIME	1577934245
#define PAT_NSEC	123456789

static unsigned char	sem_pat[PAT_SIZE];
static unsigned char	sem_big[BIG_SIZE];

/* Printable bytes that do not repeat with any short period. */
static void
sem_pattern(unsigned char *buf, size_t len, unsigned seed)
{
	size_t	i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)('!' + (i * 37 + i / 89 + seed * 11) %
		    94);
}

/* Set a file's mtime (and atime) to sec.nsec. */
static void
sem_set_mtime(struct tine *t, const char *rel, time_t sec, long nsec)
{
	char		 path[TINE_PATH_MAX];
	struct timespec	 ts[2] = { { sec, nsec }, { sec, nsec } };

	cr_assert_eq(utimensat(AT_FDCWD, tine_path(path, t->docroot, rel), ts,
	    0), 0, "utimensat %s: %s", path, strerror(errno));
}

/* Set up an instance with the files every test uses and start it. */
static struct tine *
sem_start(const char *extra)
{
	struct tine	*t = tine_setup(extra);
	char		 path[TINE_PATH_MAX];

	cr_assert_not_null(t, "harness setup failed");
	sem_pattern(sem_pat, sizeof(sem_pat), 1);
	sem_pattern(sem_big, sizeof(sem_big), 2);
	cr_assert_eq(tine_write_file(tine_path(path, t->docroot, "pat.txt"),
	    sem_pat, sizeof(sem_pat), 0644), 0);
	sem_set_mtime(t, "pat.txt", PAT_MTIME, PAT_NSEC);
	cr_assert_eq(tine_write_file(tine_path(path, t->docroot, "big.txt"),
	    sem_big, sizeof(sem_big), 0644), 0);
	cr_assert_eq(tine_put(t, "a b.txt", SPACE_BODY), 0);
	cr_assert_eq(tine_put(t, "sub/index.html", SUB_INDEX), 0);
	cr_assert_eq(tine_start(t), 0, "tine did not become ready");
	return t;
}

/* Open an IPv4 connection to t. */
static void
sem_open(struct tine *t, struct tine_conn *c)
{
	cr_assert_eq(tine_conn_open(c, AF_INET, t->port), 0, "cannot connect");
}

/* Send raw bytes and read one response (head_only for HEAD). */
static void
sem_raw(struct tine_conn *c, const char *req, size_t len, int head_only,
    struct tine_resp *r)
{
	cr_assert_eq(tine_conn_send(c, req, len), 0, "send failed");
	cr_assert_eq(tine_conn_read(c, head_only, TINE_TIMEOUT_MS, r), 0,
	    "no complete response to:\n%.*s", (int)(len > 300 ? 300 : len),
	    req);
}

/* "METHOD target HTTP/1.1", Host, the header lines hdrs (each ending in
 * CRLF, or NULL), the blank line; then read the response. */
static void
sem_ask(struct tine_conn *c, const char *method, const char *target,
    const char *hdrs, struct tine_resp *r)
{
	char	req[8192];
	int	n;

	n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: localhost\r\n"
	    "%s\r\n", method, target, hdrs != NULL ? hdrs : "");
	cr_assert(n > 0 && (size_t)n < sizeof(req), "request too long");
	sem_raw(c, req, (size_t)n, strcmp(method, "HEAD") == 0, r);
}

/* sem_ask with the header lines made by printf from fmt. */
static void __attribute__((format(printf, 5, 6)))
sem_askf(struct tine_conn *c, const char *method, const char *target,
    struct tine_resp *r, const char *fmt, ...)
{
	char	hdrs[4096];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(hdrs, sizeof(hdrs), fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < sizeof(hdrs), "header lines too long");
	sem_ask(c, method, target, hdrs, r);
}

/* GET /pat.txt on c and expect the whole of it: the connection still
 * frames responses correctly after whatever came before. */
static void
sem_probe(struct tine_conn *c, const char *after)
{
	struct tine_resp	r;

	cr_assert_eq(tine_conn_sends(c, "GET /pat.txt HTTP/1.1\r\n"
	    "Host: localhost\r\n\r\n"), 0, "send after %s failed", after);
	cr_assert_eq(tine_conn_read(c, 0, TINE_TIMEOUT_MS, &r), 0,
	    "connection not usable after %s (closed, or stray bytes)", after);
	cr_expect(r.status == 200 && r.bodylen == PAT_SIZE &&
	    memcmp(r.body, sem_pat, PAT_SIZE) == 0, "the request after %s got "
	    "status %d and %zu bytes:\n%s", after, r.status, r.bodylen,
	    r.head);
	tine_resp_free(&r);
}

/* Expect the server to close c with nothing more sent. */
static void
sem_expect_closed(struct tine_conn *c, const char *what)
{
	int	closed = tine_conn_wait_close(c, CLOSE_MS);

	cr_expect_eq(closed, 1, "%s: %s", what, closed == -1 ? "more bytes "
	    "after the response" : "connection still open");
}

/* Expect GET's and HEAD's header sets to be the same, but for Date. */
static void
sem_expect_same_headers(const struct tine_resp *g, const struct tine_resp *h,
    const char *what)
{
	size_t	i, j, ng = 0, nh = 0;
	int	found;

	cr_expect_eq(g->status, h->status, "%s: GET %d, HEAD %d", what,
	    g->status, h->status);
	for (i = 0; i < g->nhdr; i++) {
		if (strcasecmp(g->name[i], "Date") == 0)
			continue;
		ng++;
		found = 0;
		for (j = 0; j < h->nhdr && !found; j++)
			found = strcasecmp(g->name[i], h->name[j]) == 0 &&
			    strcmp(g->value[i], h->value[j]) == 0;
		cr_expect(found, "%s: GET has \"%s: %s\", HEAD does not:\n%s",
		    what, g->name[i], g->value[i], h->head);
	}
	for (j = 0; j < h->nhdr; j++)
		if (strcasecmp(h->name[j], "Date") != 0)
			nh++;
	cr_expect_eq(ng, nh, "%s: GET has %zu headers, HEAD %zu:\n%s\n%s",
	    what, ng, nh, g->head, h->head);
	cr_expect_not_null(tine_resp_header(h, "Date"), "%s: HEAD without "
	    "Date", what);
}

/* ---- validators ---- */

/* A strong ETag, stable across requests and workers; Last-Modified is the
 * file's mtime in IMF-fixdate; Accept-Ranges on files. */
Test(semantics, validators_present_and_stable, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine	*t = sem_start(NULL);
	struct tine_resp r;
	char		 lm[64], etag[128];
	const char	*v;
	size_t		 n;
	int		 i;

	tine_http_date(PAT_MTIME, lm, sizeof(lm));
	etag[0] = '\0';
	/* Separate connections: both workers answer some of them. */
	for (i = 0; i < 8; i++) {
		cr_assert_eq(tine_get(t, "/pat.txt", &r), 0);
		expect_body(&r, sem_pat, PAT_SIZE);
		v = expect_header(&r, "ETag");
		n = strlen(v);
		cr_expect(n >= 3 && v[0] == '"' && v[n - 1] == '"' &&
		    strchr(v + 1, '"') == v + n - 1, "ETag %s is not a strong "
		    "entity-tag", v);
		if (i == 0)
			snprintf(etag, sizeof(etag), "%s", v);
		else
			cr_expect_str_eq(v, etag, "ETag changed between "
			    "requests for the same file");
		cr_expect_eq(tine_resp_count(&r, "ETag"), 1);
		expect_hdr(&r, "Last-Modified", lm);
		expect_hdr(&r, "Accept-Ranges", "bytes");
		tine_resp_free(&r);
	}
	/* Another file has another ETag. */
	cr_assert_eq(tine_get(t, "/big.txt", &r), 0);
	cr_expect_str_neq(expect_header(&r, "ETag"), etag, "two files share an "
	    "ETag");
	expect_hdr(&r, "Accept-Ranges", "bytes");
	tine_resp_free(&r);
	tine_stop(t);
}

/* What sem_version_seen() polls for: GET /pat.txt with this body and
 * this Last-Modified (a rewrite and its utimensat are two steps, and the
 * server may cache the stat between them for up to a second). */
struct sem_watch {
	struct tine		*t;
	const unsigned char	*body;
	size_t			 len;
	char			 lm[64];	/* wanted */
	char			 seen[160];	/* what came */
};

/* A tine_wait_until() cond: does GET /pat.txt show that version yet? */
static int
sem_version_seen(void *arg)
{
	struct sem_watch	*w = arg;
	struct tine_resp	 r;
	const char		*lm;
	int			 ok;

	if (tine_get(w->t, "/pat.txt", &r) == -1)
		return 0;
	lm = tine_resp_header(&r, "Last-Modified");
	ok = r.status == 200 && lm != NULL && strcmp(lm, w->lm) == 0 &&
	    r.bodylen == w->len && memcmp(r.body, w->body, w->len) == 0;
	snprintf(w->seen, sizeof(w->seen), "status %d, %zu bytes, "
	    "Last-Modified %s", r.status, r.bodylen, lm != NULL ? lm : "-");
	tine_resp_free(&r);
	return ok;
}

/* Wait (bounded) for GET /pat.txt to be body/len with this mtime, then
 * check the validators and put its ETag into etag. */
static void
sem_expect_version(struct tine *t, const void *body, size_t len,
    time_t mtime, char *etag, size_t etaglen)
{
	struct sem_watch	w = { .t = t, .body = body, .len = len };
	struct tine_resp	r;

	tine_http_date(mtime, w.lm, sizeof(w.lm));
	cr_assert_eq(tine_wait_until(sem_version_seen, &w, 5000), 0,
	    "5 s after the change GET /pat.txt still gives %s, want %zu bytes "
	    "and Last-Modified %s", w.seen, len, w.lm);
	cr_assert_eq(tine_get(t, "/pat.txt", &r), 0);
	expect_body(&r, body, len);
	expect_hdr(&r, "Last-Modified", w.lm);
	snprintf(etag, etaglen, "%s", expect_header(&r, "ETag"));
	tine_resp_free(&r);
}

/* A new version of the file (content, then mtime alone) gets a new ETag
 * and Last-Modified; the old validators stop matching. */
Test(semantics, etag_changes_with_file, .fini = tine_teardown, .timeout = 30)
{
	/* One worker, one cache: once it has seen the change, every answer
	 * has (the cache revalidates an entry at most once a second). */
	struct tine	*t = sem_start("workers = 1");
	struct tine_conn c;
	struct tine_resp r;
	unsigned char	 v2[600];
	char		 path[TINE_PATH_MAX], e1[128], e2[128], e3[128];

	sem_expect_version(t, sem_pat, PAT_SIZE, PAT_MTIME, e1, sizeof(e1));

	/* Version 2, rewritten in place: other bytes, size and mtime. */
	sem_pattern(v2, sizeof(v2), 7);
	cr_assert_eq(tine_write_file(tine_path(path, t->docroot, "pat.txt"),
	    v2, sizeof(v2), 0644), 0);
	sem_set_mtime(t, "pat.txt", PAT_MTIME + 86400, 5);
	sem_expect_version(t, v2, sizeof(v2), PAT_MTIME + 86400, e2,
	    sizeof(e2));
	cr_expect_str_neq(e2, e1, "the file changed, its ETag did not");

	sem_open(t, &c);
	/* The old ETag no longer matches anything. */
	sem_askf(&c, "GET", "/pat.txt", &r, "If-None-Match: %s\r\n", e1);
	expect_body(&r, v2, sizeof(v2));
	tine_resp_free(&r);
	sem_askf(&c, "GET", "/pat.txt", &r, "If-None-Match: %s\r\n", e2);
	expect_status(&r, 304);
	expect_hdr(&r, "ETag", e2);
	tine_resp_free(&r);
	sem_askf(&c, "GET", "/pat.txt", &r, "If-Match: %s\r\n", e1);
	expect_error(&r, 412, 0, 0);
	tine_resp_free(&r);
	sem_askf(&c, "GET", "/pat.txt", &r, "Range: bytes=0-9\r\n"
	    "If-Range: %s\r\n", e1);
	expect_body(&r, v2, sizeof(v2));
	tine_resp_free(&r);
	tine_conn_close(&c);

	/* Version 3: the same bytes, only the mtime moves. */
	sem_set_mtime(t, "pat.txt", PAT_MTIME + 2 * 86400, 5);
	sem_expect_version(t, v2, sizeof(v2), PAT_MTIME + 2 * 86400, e3,
	    sizeof(e3));
	cr_expect_str_neq(e3, e2, "the mtime changed, the ETag did not");
	cr_expect_str_neq(e3, e1);
	tine_stop(t);
}

/* Expect a 304 for /pat.txt: validators, Date, no body, and no
 * Content-Length other than the 200's; c must then frame a next answer. */
static void
sem_expect_304(struct tine_conn *c, const struct tine_resp *r,
    const char *etag, const char *what)
{
	char		 lm[64];
	const char	*cl = tine_resp_header(r, "Content-Length");

	cr_expect_eq(r->status, 304, "%s: status %d, want 304:\n%s", what,
	    r->status, r->head);
	expect_hdr(r, "ETag", etag);
	expect_hdr(r, "Last-Modified", tine_http_date(PAT_MTIME, lm,
	    sizeof(lm)));
	expect_date_now(r);
	cr_expect(cl == NULL || strtoull(cl, NULL, 10) == PAT_SIZE, "%s: 304 "
	    "with Content-Length %s (the 200 has %d)", what, cl, PAT_SIZE);
	cr_expect_null(tine_resp_header(r, "Transfer-Encoding"));
	/* A body after the 304 would spoil the next response. */
	sem_probe(c, what);
}

/* The ETag GET /pat.txt carries, on c. */
static void
sem_etag_of(struct tine_conn *c, char *etag, size_t len)
{
	struct tine_resp	r;

	sem_ask(c, "GET", "/pat.txt", NULL, &r);
	expect_status(&r, 200);
	snprintf(etag, len, "%s", expect_header(&r, "ETag"));
	tine_resp_free(&r);
}

/* If-None-Match: exact, in a list, *, weak comparison: 304; else 200. */
Test(semantics, if_none_match, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;
	struct tine_resp r;
	char		 etag[128];

	sem_open(t, &c);
	sem_etag_of(&c, etag, sizeof(etag));

	sem_askf(&c, "GET", "/pat.txt", &r, "If-None-Match: %s\r\n", etag);
	sem_expect_304(&c, &r, etag, "INM exact");
	tine_resp_free(&r);

	sem_askf(&c, "GET", "/pat.txt", &r, "If-None-Match: \"nope\", %s ,"
	    "W/\"other\"\r\n", etag);
	sem_expect_304(&c, &r, etag, "INM list");
	tine_resp_free(&r);

	sem_ask(&c, "GET", "/pat.txt", "If-None-Match: *\r\n", &r);
	sem_expect_304(&c, &r, etag, "INM *");
	tine_resp_free(&r);

	/* Weak comparison: W/"x" matches "x". */
	sem_askf(&c, "GET", "/pat.txt", &r, "If-None-Match: W/%s\r\n", etag);
	sem_expect_304(&c, &r, etag, "INM weak");
	tine_resp_free(&r);

	/* HEAD is conditional too. */
	sem_askf(&c, "HEAD", "/pat.txt", &r, "If-None-Match: %s\r\n", etag);
	sem_expect_304(&c, &r, etag, "HEAD INM");
	tine_resp_free(&r);

	/* Not matching: the whole file. */
	sem_ask(&c, "GET", "/pat.txt", "If-None-Match: \"nope\", "
	    "W/\"nope2\"\r\n", &r);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);
	/* A near miss: the right tag without its last character. */
	sem_askf(&c, "GET", "/pat.txt", &r, "If-None-Match: %.*s\"\r\n",
	    (int)strlen(etag) - 2, etag);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);
	tine_conn_close(&c);
	tine_stop(t);
}

/*
 * If-None-Match and If-Match are lists (RFC 9110 13.1.1, 13.1.2), and a
 * list may come on several field lines that mean their comma-joined value
 * (RFC 9110 5.2, 5.3): the tag on the second line counts as much as one on
 * the first.
 */
Test(semantics, conditional_lists_over_lines, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;
	struct tine_resp r;
	char		 etag[128];

	sem_open(t, &c);
	sem_etag_of(&c, etag, sizeof(etag));

	sem_askf(&c, "GET", "/pat.txt", &r, "If-None-Match: \"a\"\r\n"
	    "If-None-Match: %s\r\n", etag);
	cr_expect_eq(r.status, 304, "If-None-Match: \"a\" + If-None-Match: "
	    "<current ETag> on two lines: status %d, want 304", r.status);
	tine_resp_free(&r);
	sem_probe(&c, "INM on two lines");

	sem_askf(&c, "GET", "/pat.txt", &r, "If-Match: \"a\"\r\n"
	    "If-Match: %s\r\n", etag);
	cr_expect_eq(r.status, 200, "If-Match: \"a\" + If-Match: <current "
	    "ETag> on two lines: status %d, want 200", r.status);
	tine_resp_free(&r);

	/* The other way round works whichever line is looked at. */
	sem_askf(&c, "GET", "/pat.txt", &r, "If-None-Match: %s\r\n"
	    "If-None-Match: \"a\"\r\n", etag);
	expect_status(&r, 304);
	tine_resp_free(&r);
	sem_probe(&c, "INM on two lines");
	tine_conn_close(&c);
	tine_stop(t);
}

/* If-Modified-Since: equal or later 304, earlier 200, ignored with INM. */
Test(semantics, if_modified_since, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;
	struct tine_resp r;
	char		 etag[128], d[64];

	sem_open(t, &c);
	sem_etag_of(&c, etag, sizeof(etag));

	/* Equal, to the second (the file's mtime has nanoseconds). */
	sem_askf(&c, "GET", "/pat.txt", &r, "If-Modified-Since: %s\r\n",
	    tine_http_date(PAT_MTIME, d, sizeof(d)));
	sem_expect_304(&c, &r, etag, "IMS equal");
	tine_resp_free(&r);

	sem_askf(&c, "GET", "/pat.txt", &r, "If-Modified-Since: %s\r\n",
	    tine_http_date(PAT_MTIME + 3600, d, sizeof(d)));
	sem_expect_304(&c, &r, etag, "IMS later");
	tine_resp_free(&r);

	sem_askf(&c, "GET", "/pat.txt", &r, "If-Modified-Since: %s\r\n",
	    tine_http_date(PAT_MTIME - 1, d, sizeof(d)));
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);

	/* If-None-Match present and not matching: IMS is not looked at. */
	sem_askf(&c, "GET", "/pat.txt", &r, "If-None-Match: \"nope\"\r\n"
	    "If-Modified-Since: %s\r\n", tine_http_date(PAT_MTIME + 3600, d,
	    sizeof(d)));
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);

	/* An invalid date is ignored. */
	sem_ask(&c, "GET", "/pat.txt", "If-Modified-Since: yesterday\r\n",
	    &r);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);

	/* HEAD too. */
	sem_askf(&c, "HEAD", "/pat.txt", &r, "If-Modified-Since: %s\r\n",
	    tine_http_date(PAT_MTIME, d, sizeof(d)));
	sem_expect_304(&c, &r, etag, "HEAD IMS");
	tine_resp_free(&r);
	tine_conn_close(&c);
	tine_stop(t);
}

/* If-Match and If-Unmodified-Since: 412 when they fail. */
Test(semantics, if_match_if_unmodified_since, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;
	struct tine_resp r;
	char		 etag[128], d[64];

	sem_open(t, &c);
	sem_etag_of(&c, etag, sizeof(etag));

	sem_ask(&c, "GET", "/pat.txt", "If-Match: \"nope\"\r\n", &r);
	expect_error(&r, 412, 0, 0);
	tine_resp_free(&r);
	sem_probe(&c, "412");

	/* If-Match compares strongly: a weak tag never matches. */
	sem_askf(&c, "GET", "/pat.txt", &r, "If-Match: W/%s\r\n", etag);
	expect_status(&r, 412);
	tine_resp_free(&r);

	sem_ask(&c, "GET", "/pat.txt", "If-Match: *\r\n", &r);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);

	sem_askf(&c, "GET", "/pat.txt", &r, "If-Match: \"a\", %s\r\n", etag);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);

	/* HEAD: 412 without a body. */
	sem_ask(&c, "HEAD", "/pat.txt", "If-Match: \"nope\"\r\n", &r);
	expect_error(&r, 412, 1, 0);
	tine_resp_free(&r);
	sem_probe(&c, "HEAD 412");

	sem_askf(&c, "GET", "/pat.txt", &r, "If-Unmodified-Since: %s\r\n",
	    tine_http_date(PAT_MTIME - 1, d, sizeof(d)));
	expect_error(&r, 412, 0, 0);
	tine_resp_free(&r);

	sem_askf(&c, "GET", "/pat.txt", &r, "If-Unmodified-Since: %s\r\n",
	    tine_http_date(PAT_MTIME, d, sizeof(d)));
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);

	/* If-Match present: If-Unmodified-Since is not looked at. */
	sem_askf(&c, "GET", "/pat.txt", &r, "If-Match: %s\r\n"
	    "If-Unmodified-Since: %s\r\n", etag,
	    tine_http_date(PAT_MTIME - 1, d, sizeof(d)));
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);
	tine_conn_close(&c);
	tine_stop(t);
}

/* ---- ranges ---- */

/* The Content-Type the whole file is served with. */
static void
sem_type_of(struct tine_conn *c, const char *path, char *type, size_t len)
{
	struct tine_resp	r;

	sem_ask(c, "GET", path, NULL, &r);
	expect_status(&r, 200);
	snprintf(type, len, "%s", expect_header(&r, "Content-Type"));
	tine_resp_free(&r);
}

/* One range: GET gives 206 with exactly data[first..last], HEAD the same
 * headers and no body. */
static void
sem_range_one(struct tine_conn *c, const char *path, const unsigned char *data,
    long long size, const char *spec, long long first, long long last)
{
	struct tine_resp g, h;
	char		 want[128], type[128];
	size_t		 len = (size_t)(last - first + 1);

	sem_type_of(c, path, type, sizeof(type));
	sem_askf(c, "GET", path, &g, "Range: %s\r\n", spec);
	cr_expect_eq(g.status, 206, "Range: %s: status %d, want 206:\n%s",
	    spec, g.status, g.head);
	snprintf(want, sizeof(want), "bytes %lld-%lld/%lld", first, last,
	    size);
	expect_hdr(&g, "Content-Range", want);
	expect_length(&g, len);
	expect_hdr(&g, "Content-Type", type);
	expect_hdr(&g, "Accept-Ranges", "bytes");
	expect_header(&g, "ETag");
	expect_header(&g, "Last-Modified");
	cr_expect_eq(g.bodylen, len, "Range: %s: %zu bytes, want %zu", spec,
	    g.bodylen, len);
	if (g.bodylen == len)
		cr_expect(memcmp(g.body, data + first, len) == 0, "Range: %s: "
		    "wrong bytes", spec);
	sem_askf(c, "HEAD", path, &h, "Range: %s\r\n", spec);
	sem_expect_same_headers(&g, &h, spec);
	cr_expect_eq(h.bodylen, 0);
	tine_resp_free(&g);
	tine_resp_free(&h);
}

/* Single ranges of both files (memory and sendfile), byte for byte. */
Test(semantics, range_single, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;

	sem_open(t, &c);
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=0-99", 0, 99);
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=100-", 100,
	    PAT_SIZE - 1);
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=-50",
	    PAT_SIZE - 50, PAT_SIZE - 1);
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=900-5000", 900,
	    PAT_SIZE - 1);
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=-5000", 0,
	    PAT_SIZE - 1);
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=999-999",
	    PAT_SIZE - 1, PAT_SIZE - 1);
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=0-0", 0, 0);
	/* The unit is case-insensitive, whitespace around specs is OWS. */
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "Bytes= 10-19 ", 10,
	    19);
	/* An unsatisfiable spec beside a satisfiable one is dropped. */
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=5000-6000,"
	    "0-9", 0, 9);
	sem_range_one(&c, "/big.txt", sem_big, BIG_SIZE, "bytes=0-99", 0, 99);
	sem_range_one(&c, "/big.txt", sem_big, BIG_SIZE, "bytes=50000-", 50000,
	    BIG_SIZE - 1);
	sem_range_one(&c, "/big.txt", sem_big, BIG_SIZE, "bytes=-70000",
	    BIG_SIZE - 70000, BIG_SIZE - 1);
	sem_range_one(&c, "/big.txt", sem_big, BIG_SIZE, "bytes=99990-200000",
	    99990, BIG_SIZE - 1);
	sem_probe(&c, "ranges");
	tine_conn_close(&c);
	tine_stop(t);
}

/* Several ranges: GET gives a parsed multipart body, HEAD its headers. */
static void
sem_range_multi(struct tine_conn *c, const char *path,
    const unsigned char *data, long long size, const char *spec,
    const struct expect_part *want, int n)
{
	struct tine_resp g, h;
	char		 type[128];

	sem_type_of(c, path, type, sizeof(type));
	sem_askf(c, "GET", path, &g, "Range: %s\r\n", spec);
	expect_multipart(&g, data, size, type, want, n, spec);
	/* Same connection, same worker, same boundary. */
	sem_askf(c, "HEAD", path, &h, "Range: %s\r\n", spec);
	sem_expect_same_headers(&g, &h, spec);
	tine_resp_free(&g);
	tine_resp_free(&h);
}

/* Several ranges: multipart/byteranges, sorted, every part exact. */
Test(semantics, range_multipart, .fini = tine_teardown, .timeout = 30)
{
	static const struct expect_part	three[] = { { 0, 9 }, { 20, 29 },
	    { 990, 999 } };
	static const struct expect_part	two[] = { { 0, 0 }, { 998, 999 } };
	static const struct expect_part	big[] = { { 0, 99 },
	    { 40000, 79999 }, { 99950, 99999 } };
	static const struct expect_part	sorted[] = { { 0, 9 },
	    { 500, 509 } };
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;

	sem_open(t, &c);
	sem_range_multi(&c, "/pat.txt", sem_pat, PAT_SIZE,
	    "bytes=0-9,20-29,990-", three, 3);
	sem_range_multi(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=0-0,-2",
	    two, 2);
	sem_range_multi(&c, "/big.txt", sem_big, BIG_SIZE,
	    "bytes=0-99, 40000-79999 ,-50", big, 3);
	/* The server sorts the parts (RFC 9110 15.3.7.2 lets it). */
	sem_range_multi(&c, "/pat.txt", sem_pat, PAT_SIZE,
	    "bytes=500-509,0-9", sorted, 2);
	sem_probe(&c, "multipart");
	tine_conn_close(&c);
	tine_stop(t);
}

/* Overlapping and adjacent ranges are coalesced (common/range.c). */
Test(semantics, range_coalesced, .fini = tine_teardown, .timeout = 30)
{
	static const struct expect_part	two[] = { { 0, 19 }, { 30, 39 } };
	static const struct expect_part	big[] = { { 0, 199 },
	    { 60000, 60099 } };
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;

	sem_open(t, &c);
	/* Overlapping: one range, a plain 206. */
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=0-99,50-149",
	    0, 149);
	/* Adjacent: one range. */
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=0-9,10-19", 0,
	    19);
	/* Contained, out of order: one range. */
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE,
	    "bytes=200-210,100-300", 100, 300);
	/* Suffix overlapping an open range. */
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=900-,-200",
	    800, PAT_SIZE - 1);
	/* The same range twice. */
	sem_range_one(&c, "/pat.txt", sem_pat, PAT_SIZE, "bytes=5-6,5-6", 5,
	    6);
	/* Coalesced, then still several: multipart of the merged ones. */
	sem_range_multi(&c, "/pat.txt", sem_pat, PAT_SIZE,
	    "bytes=0-9,10-19,30-39,5-15", two, 2);
	sem_range_multi(&c, "/big.txt", sem_big, BIG_SIZE,
	    "bytes=60050-60099,0-99,100-199,60000-60060", big, 2);
	sem_probe(&c, "coalesced ranges");
	tine_conn_close(&c);
	tine_stop(t);
}

/* No satisfiable range: 416 with Content-Range: bytes *\/LEN. */
Test(semantics, range_unsatisfiable, .fini = tine_teardown, .timeout = 30)
{
	static const char *const specs[] = { "bytes=1000-", "bytes=5000-6000",
	    "bytes=-0", "bytes=1000-1000,2000-", "bytes=1000-2000,-0" };
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;
	struct tine_resp r;
	char		 want[64];
	size_t		 i;

	snprintf(want, sizeof(want), "bytes */%d", PAT_SIZE);
	sem_open(t, &c);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		sem_askf(&c, "GET", "/pat.txt", &r, "Range: %s\r\n", specs[i]);
		cr_expect_eq(r.status, 416, "Range: %s: status %d, want 416",
		    specs[i], r.status);
		expect_error(&r, 416, 0, 0);
		expect_hdr(&r, "Content-Range", want);
		tine_resp_free(&r);
		sem_askf(&c, "HEAD", "/pat.txt", &r, "Range: %s\r\n", specs[i]);
		expect_error(&r, 416, 1, 0);
		expect_hdr(&r, "Content-Range", want);
		tine_resp_free(&r);
	}
	sem_probe(&c, "416");
	tine_conn_close(&c);
	tine_stop(t);
}

/* A Range that is not valid bytes-range syntax is ignored: 200. */
Test(semantics, range_invalid_ignored, .fini = tine_teardown, .timeout = 30)
{
	static const char *const specs[] = { "bytes=abc", "items=0-1",
	    "bytes=5-1", "bytes=", "bytes 0-1", "bytes=0-1;x", "bytes=--1",
	    "bytes=1-2-3", "bytes=0-1,abc", "bytes=,", "bytes=0x10-20",
	    /* More than RANGE_MAX (16) ranges: ignored, see range.h. */
	    "bytes=1-,2-,3-,4-,5-,6-,7-,8-,9-,10-,11-,12-,13-,14-,15-,16-,"
	    "17-" };
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;
	struct tine_resp r;
	size_t		 i;

	sem_open(t, &c);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		sem_askf(&c, "GET", "/pat.txt", &r, "Range: %s\r\n", specs[i]);
		cr_expect_eq(r.status, 200, "Range: %s: status %d, want 200",
		    specs[i], r.status);
		expect_body(&r, sem_pat, PAT_SIZE);
		cr_expect_null(tine_resp_header(&r, "Content-Range"),
		    "Range: %s: Content-Range on a 200", specs[i]);
		tine_resp_free(&r);
	}
	tine_conn_close(&c);
	tine_stop(t);
}

/* If-Range: the current ETag or the exact Last-Modified keeps the range;
 * anything else sends the whole file. */
Test(semantics, if_range, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;
	struct tine_resp r;
	char		 etag[128], d[64];

	sem_open(t, &c);
	sem_etag_of(&c, etag, sizeof(etag));

	sem_askf(&c, "GET", "/pat.txt", &r, "Range: bytes=10-19\r\n"
	    "If-Range: %s\r\n", etag);
	expect_status(&r, 206);
	expect_hdr(&r, "Content-Range", "bytes 10-19/1000");
	cr_expect(r.bodylen == 10 && memcmp(r.body, sem_pat + 10, 10) == 0,
	    "If-Range with the current ETag: wrong bytes");
	tine_resp_free(&r);

	/* An old (or any other) ETag: the whole file. */
	sem_ask(&c, "GET", "/pat.txt", "Range: bytes=10-19\r\n"
	    "If-Range: \"5e0d5ea5.0-3e8-1\"\r\n", &r);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);

	/* A weak ETag never matches in If-Range. */
	sem_askf(&c, "GET", "/pat.txt", &r, "Range: bytes=10-19\r\n"
	    "If-Range: W/%s\r\n", etag);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);

	/* The date of Last-Modified: the range. */
	sem_askf(&c, "GET", "/pat.txt", &r, "Range: bytes=10-19\r\n"
	    "If-Range: %s\r\n", tine_http_date(PAT_MTIME, d, sizeof(d)));
	expect_status(&r, 206);
	expect_hdr(&r, "Content-Range", "bytes 10-19/1000");
	cr_expect(r.bodylen == 10 && memcmp(r.body, sem_pat + 10, 10) == 0,
	    "If-Range with Last-Modified: wrong bytes");
	tine_resp_free(&r);

	/* Another date, earlier or later: the whole file. */
	sem_askf(&c, "GET", "/pat.txt", &r, "Range: bytes=10-19\r\n"
	    "If-Range: %s\r\n", tine_http_date(PAT_MTIME + 1, d, sizeof(d)));
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);
	sem_askf(&c, "GET", "/pat.txt", &r, "Range: bytes=10-19\r\n"
	    "If-Range: %s\r\n", tine_http_date(PAT_MTIME - 1, d, sizeof(d)));
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);

	/* If-Range with an unsatisfiable range that it voids: 200, not 416. */
	sem_ask(&c, "GET", "/pat.txt", "Range: bytes=5000-\r\n"
	    "If-Range: \"other\"\r\n", &r);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);

	/* Multipart under a matching If-Range. */
	sem_askf(&c, "GET", "/pat.txt", &r, "Range: bytes=0-1,5-6\r\n"
	    "If-Range: %s\r\n", etag);
	expect_status(&r, 206);
	cr_expect(strncmp(expect_header(&r, "Content-Type"),
	    "multipart/byteranges;", 21) == 0);
	tine_resp_free(&r);
	sem_probe(&c, "If-Range");
	tine_conn_close(&c);
	tine_stop(t);
}

/* ---- HEAD, OPTIONS, 405 ---- */

/* GET then HEAD of target on one connection: same headers, no body. */
static void
sem_head_like_get(struct tine_conn *c, const char *target, int status)
{
	struct tine_resp g, h;

	sem_ask(c, "GET", target, NULL, &g);
	expect_status(&g, status);
	sem_ask(c, "HEAD", target, NULL, &h);
	sem_expect_same_headers(&g, &h, target);
	cr_expect_eq(strtoull(expect_header(&h, "Content-Length"), NULL, 10),
	    g.bodylen, "%s: HEAD's Content-Length is not GET's body length",
	    target);
	tine_resp_free(&g);
	tine_resp_free(&h);
	/* Any byte of body after HEAD's head would spoil this. */
	sem_probe(c, "HEAD");
}

/* HEAD gives exactly GET's headers and no body: file, 404, 301. */
Test(semantics, head_same_as_get, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;
	struct tine_raw	 raw;
	const char	*req = "HEAD /pat.txt HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\n\r\n";
	const char	*eoh;

	sem_open(t, &c);
	sem_head_like_get(&c, "/pat.txt", 200);
	sem_head_like_get(&c, "/big.txt", 200);
	sem_head_like_get(&c, "/no-such-file.txt", 404);
	sem_head_like_get(&c, "/sub", 301);
	sem_head_like_get(&c, "/sub/", 200);
	sem_head_like_get(&c, "/sub?x=1", 301);
	tine_conn_close(&c);
	/* Raw, to the close: nothing after the blank line. */
	cr_assert_eq(tine_exchange(AF_INET, t->port, req, strlen(req), CLOSE_MS,
	    &raw), 0);
	cr_expect(raw.closed, "no close after Connection: close");
	eoh = strstr(raw.data, "\r\n\r\n");
	cr_assert_not_null(eoh, "no end of head: %s", raw.data);
	cr_expect_eq((size_t)(eoh + 4 - raw.data), raw.len, "HEAD sent %zu "
	    "bytes of body", raw.len - (size_t)(eoh + 4 - raw.data));
	tine_raw_free(&raw);
	tine_stop(t);
}

/* OPTIONS on a path and on *: 200, Allow; refused methods: 405, Allow. */
Test(semantics, options_and_405, .fini = tine_teardown, .timeout = 30)
{
	static const char *const refused[] = { "POST", "PUT", "DELETE",
	    "PATCH", "TRACE" };
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;
	struct tine_resp r;
	const char	*post = "POST /pat.txt HTTP/1.1\r\n"
	    "Host: localhost\r\nContent-Length: 5\r\n\r\nhello";
	size_t		 i;

	sem_open(t, &c);
	sem_ask(&c, "OPTIONS", "/pat.txt", NULL, &r);
	cr_expect(r.status == 200 || r.status == 204, "OPTIONS: status %d",
	    r.status);
	expect_hdr(&r, "Allow", ALLOW);
	cr_expect_eq(r.bodylen, 0, "OPTIONS answered with a body");
	if (r.status == 200)
		expect_length(&r, 0);
	expect_date_now(&r);
	cr_expect_null(tine_resp_header(&r, "Connection"));
	tine_resp_free(&r);
	sem_probe(&c, "OPTIONS /pat.txt");

	sem_ask(&c, "OPTIONS", "*", NULL, &r);
	cr_expect(r.status == 200 || r.status == 204, "OPTIONS *: status %d",
	    r.status);
	expect_hdr(&r, "Allow", ALLOW);
	cr_expect_eq(r.bodylen, 0, "OPTIONS * answered with a body");
	tine_resp_free(&r);
	sem_probe(&c, "OPTIONS *");

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		sem_ask(&c, refused[i], "/pat.txt", NULL, &r);
		expect_error(&r, 405, 0, 0);
		expect_hdr(&r, "Allow", ALLOW);
		tine_resp_free(&r);
		sem_probe(&c, refused[i]);
	}
	tine_conn_close(&c);

	/* A refused method with a body it will not read: 405, then close. */
	sem_open(t, &c);
	sem_raw(&c, post, strlen(post), 0, &r);
	expect_error(&r, 405, 0, 1);
	expect_hdr(&r, "Allow", ALLOW);
	tine_resp_free(&r);
	sem_expect_closed(&c, "405 with an unread body");
	tine_conn_close(&c);
	tine_stop(t);
}

/* ---- error responses ---- */

/* One error case: a raw request and what must come back. */
struct sem_err {
	const char	*name;
	char		*req;		/* owned */
	int		 status;
	int		 head;
	int		 closing;
};

/* A request made of prefix, n copies of rep, and suffix; caller frees. */
static char *
sem_build(const char *prefix, const char *rep, size_t n, const char *suffix)
{
	size_t	 lp = strlen(prefix), lr = strlen(rep);
	size_t	 ls = strlen(suffix);
	size_t	 i;
	char	*s = malloc(lp + lr * n + ls + 1), *p;

	cr_assert_not_null(s);
	memcpy(s, prefix, lp);
	p = s + lp;
	for (i = 0; i < n; i++, p += lr)
		memcpy(p, rep, lr);
	memcpy(p, suffix, ls + 1);
	return s;
}

/* Every error response has the same honest shape; closing ones close. */
Test(semantics, error_responses, .fini = tine_teardown, .timeout = 60)
{
	struct sem_err	 cases[] = {
	    { "400 space in target", sem_build("GET /a b HTTP/1.1\r\n"
		"Host: localhost\r\n\r\n", "", 0, ""), 400, 0, 1 },
	    { "400 no Host", sem_build("GET /pat.txt HTTP/1.1\r\n\r\n", "", 0,
		""), 400, 0, 1 },
	    { "400 obs-fold", sem_build("GET /pat.txt HTTP/1.1\r\nHost: x\r\n"
		"X: a\r\n b\r\n\r\n", "", 0, ""), 400, 0, 1 },
	    { "404", sem_build("GET /nope.txt HTTP/1.1\r\nHost: x\r\n\r\n", "",
		0, ""), 404, 0, 0 },
	    { "405", sem_build("DELETE /pat.txt HTTP/1.1\r\nHost: x\r\n\r\n",
		"", 0, ""), 405, 0, 0 },
	    { "413", sem_build("GET /pat.txt HTTP/1.1\r\nHost: x\r\n"
		"Content-Length: 4097\r\n\r\n", "", 0, ""), 413, 0, 1 },
	    { "414", sem_build("GET /", "a", 1100, " HTTP/1.1\r\nHost: x\r\n"
		"\r\n"), 414, 0, 1 },
	    { "431 big field", sem_build("GET /pat.txt HTTP/1.1\r\nHost: x\r\n"
		"X-Big: ", "b", 5000, "\r\n\r\n"), 431, 0, 1 },
	    { "431 many fields", sem_build("GET /pat.txt HTTP/1.1\r\n"
		"Host: x\r\n", "X-F: y\r\n", 25, "\r\n"), 431, 0, 1 },
	    { "501", sem_build("FROB /pat.txt HTTP/1.1\r\nHost: x\r\n\r\n", "",
		0, ""), 501, 0, 1 },
	    { "505", sem_build("GET /pat.txt HTTP/2.0\r\nHost: x\r\n\r\n", "",
		0, ""), 505, 0, 1 },
	    { "HEAD 400", sem_build("HEAD /a b HTTP/1.1\r\nHost: x\r\n\r\n",
		"", 0, ""), 400, 1, 1 },
	    { "HEAD 404", sem_build("HEAD /nope.txt HTTP/1.1\r\nHost: x\r\n"
		"\r\n", "", 0, ""), 404, 1, 0 },
	    { "HEAD 413", sem_build("HEAD /pat.txt HTTP/1.1\r\nHost: x\r\n"
		"Content-Length: 4097\r\n\r\n", "", 0, ""), 413, 1, 1 },
	    { "HEAD 414", sem_build("HEAD /", "a", 1100, " HTTP/1.1\r\n"
		"Host: x\r\n\r\n"), 414, 1, 1 },
	    { "HEAD 431", sem_build("HEAD /pat.txt HTTP/1.1\r\nHost: x\r\n",
		"X-F: y\r\n", 25, "\r\n"), 431, 1, 1 },
	    { "HEAD 505", sem_build("HEAD /pat.txt HTTP/2.0\r\nHost: x\r\n\r\n",
		"", 0, ""), 505, 1, 1 },
	};
	struct tine	*t = sem_start("max_body_size = 4096\n"
	    "max_request_line = 1024\nmax_header_size = 4096\n"
	    "max_headers = 20");
	struct tine_conn c;
	struct tine_resp r;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sem_err	*k = &cases[i];

		cr_log_info("case %s", k->name);
		sem_open(t, &c);
		sem_raw(&c, k->req, strlen(k->req), k->head, &r);
		expect_error(&r, k->status, k->head, k->closing);
		if (k->status == 405)
			expect_hdr(&r, "Allow", ALLOW);
		tine_resp_free(&r);
		if (k->closing)
			sem_expect_closed(&c, k->name);
		else
			sem_probe(&c, k->name);
		tine_conn_close(&c);
		free(k->req);
	}
	tine_stop(t);
}

/* ---- request bodies on GET, Expect ---- */

/* A Content-Length body is read and dropped; the connection goes on. */
Test(semantics, get_body_discarded, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start("max_body_size = 4096");
	struct tine_conn c;
	struct tine_resp r;
	const char	*piece1 = "GET /nope HTTP/1.1\r\n";
	const char	*piece2 = "Host: x\r\n\r\nGET /nope HTTP/1.1\r\n\r\n";
	char		 req[8192], body[4096];
	int		 n;

	memset(body, 'x', sizeof(body));
	sem_open(t, &c);
	/* Head and body in one write, then a next request. */
	n = snprintf(req, sizeof(req), "GET /pat.txt HTTP/1.1\r\n"
	    "Host: localhost\r\nContent-Length: 100\r\n\r\n%.100s", body);
	sem_raw(&c, req, (size_t)n, 0, &r);
	expect_body(&r, sem_pat, PAT_SIZE);
	cr_expect_null(tine_resp_header(&r, "Connection"));
	tine_resp_free(&r);
	sem_probe(&c, "a 100-byte GET body");

	/* The body in later writes, pieces that look like requests. */
	n = snprintf(req, sizeof(req), "GET /big.txt HTTP/1.1\r\n"
	    "Host: localhost\r\nContent-Length: %zu\r\n\r\n",
	    strlen(piece1) + strlen(piece2));
	cr_assert_eq(tine_conn_send(&c, req, (size_t)n), 0);
	cr_assert_eq(tine_conn_sends(&c, piece1), 0);
	cr_assert_eq(tine_conn_sends(&c, piece2), 0);
	cr_assert_eq(tine_conn_read(&c, 0, TINE_TIMEOUT_MS, &r), 0);
	expect_body(&r, sem_big, BIG_SIZE);
	tine_resp_free(&r);
	sem_probe(&c, "a GET body in two writes");

	/* Pipelined behind a body, and a body of exactly max_body_size. */
	n = snprintf(req, sizeof(req), "GET /pat.txt HTTP/1.1\r\n"
	    "Host: localhost\r\nContent-Length: 4096\r\n\r\n%.4096s"
	    "HEAD /pat.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", body);
	cr_assert_eq(tine_conn_send(&c, req, (size_t)n), 0);
	cr_assert_eq(tine_conn_read(&c, 0, TINE_TIMEOUT_MS, &r), 0,
	    "no answer to a GET with a body of max_body_size");
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);
	cr_assert_eq(tine_conn_read(&c, 1, TINE_TIMEOUT_MS, &r), 0,
	    "no answer to the request pipelined behind a body");
	expect_status(&r, 200);
	tine_resp_free(&r);
	sem_probe(&c, "a body of max_body_size");

	/* One byte over: 413 and close, the body unread. */
	sem_ask(&c, "GET", "/pat.txt", "Content-Length: 4097\r\n", &r);
	expect_error(&r, 413, 0, 1);
	tine_resp_free(&r);
	sem_expect_closed(&c, "413");
	tine_conn_close(&c);
	tine_stop(t);
}

/* A chunked body on GET is refused with 411 and the connection closed. */
Test(semantics, get_chunked_411, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;
	struct tine_resp r;
	const char	*req = "GET /pat.txt HTTP/1.1\r\nHost: localhost\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";

	sem_open(t, &c);
	sem_raw(&c, req, strlen(req), 0, &r);
	expect_error(&r, 411, 0, 1);
	tine_resp_free(&r);
	sem_expect_closed(&c, "411");
	tine_conn_close(&c);

	/* The same for HEAD, without a body. */
	sem_open(t, &c);
	req = "HEAD /pat.txt HTTP/1.1\r\nHost: localhost\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
	sem_raw(&c, req, strlen(req), 1, &r);
	expect_error(&r, 411, 1, 1);
	tine_resp_free(&r);
	sem_expect_closed(&c, "HEAD 411");
	tine_conn_close(&c);
	tine_stop(t);
}

/*
 * Expect: 100-continue (worker/conn.c, conn_skips_body): without a body it
 * changes nothing; with a Content-Length body the answer comes at once,
 * with no 100, without waiting for the body, and the connection closes.
 */
Test(semantics, expect_continue, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start(NULL);
	struct tine_conn c;
	struct tine_resp r;
	long long	 t0;

	sem_open(t, &c);
	sem_ask(&c, "GET", "/pat.txt", "Expect: 100-continue\r\n", &r);
	expect_body(&r, sem_pat, PAT_SIZE);
	cr_expect_null(tine_resp_header(&r, "Connection"));
	tine_resp_free(&r);
	sem_probe(&c, "Expect without a body");
	tine_conn_close(&c);

	sem_open(t, &c);
	t0 = tine_now_ms();
	cr_assert_eq(tine_conn_sends(&c, "GET /pat.txt HTTP/1.1\r\n"
	    "Host: localhost\r\nExpect: 100-continue\r\nContent-Length: 10\r\n"
	    "\r\n"), 0);
	cr_assert_eq(tine_conn_read(&c, 0, 2000, &r), 0, "no answer within "
	    "2 s to Expect: 100-continue with its body withheld");
	cr_expect_lt(tine_now_ms() - t0, 2000);
	cr_expect_neq(r.status, 100, "a 100 Continue was sent");
	expect_body(&r, sem_pat, PAT_SIZE);
	expect_hdr(&r, "Connection", "close");
	tine_resp_free(&r);
	sem_expect_closed(&c, "Expect with a body");
	tine_conn_close(&c);
	tine_stop(t);
}

/* ---- connection management ---- */

/* keepalive_requests = 3: the third answer says close, and closes. */
Test(semantics, keepalive_requests_limit, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine	*t = sem_start("keepalive_requests = 3");
	struct tine_conn c;
	struct tine_resp r;
	char		 reqs[512];
	int		 i;

	sem_open(t, &c);
	for (i = 1; i <= 3; i++) {
		sem_ask(&c, "GET", "/pat.txt", NULL, &r);
		expect_body(&r, sem_pat, PAT_SIZE);
		if (i < 3)
			cr_expect_null(tine_resp_header(&r, "Connection"),
			    "response %d: Connection %s", i,
			    tine_resp_header(&r, "Connection"));
		else
			expect_hdr(&r, "Connection", "close");
		tine_resp_free(&r);
	}
	sem_expect_closed(&c, "after keepalive_requests");
	tine_conn_close(&c);

	/* Four pipelined: three answers, the last with close, then EOF. */
	snprintf(reqs, sizeof(reqs), "%s%s%s%s",
	    "GET /pat.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
	    "HEAD /pat.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
	    "GET /pat.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
	    "GET /big.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
	sem_open(t, &c);
	cr_assert_eq(tine_conn_sends(&c, reqs), 0);
	for (i = 1; i <= 3; i++) {
		cr_assert_eq(tine_conn_read(&c, i == 2, TINE_TIMEOUT_MS, &r), 0,
		    "pipelined response %d missing", i);
		expect_status(&r, 200);
		cr_expect_eq(r.bodylen, i == 2 ? 0 : PAT_SIZE);
		if (i == 3)
			expect_hdr(&r, "Connection", "close");
		tine_resp_free(&r);
	}
	sem_expect_closed(&c, "a 4th pipelined request was answered");
	tine_conn_close(&c);
	tine_stop(t);
}

/* Wait until c is closed by the peer; 1 closed, 0 timeout, -1 data. */
static int
sem_wait_eof(struct tine_conn *c, long long deadline)
{
	long long	left = deadline - tine_now_ms();

	return tine_conn_wait_close(c, left > 0 ? (int)left : 0);
}

/*
 * header_timeout = 1: a request head that stalls gets 408 and a close; a
 * HEAD one the same without a body; a connection that sends nothing is
 * closed without a word. All three at once, so the wait is paid once.
 */
Test(semantics, header_timeout_408, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start("header_timeout = 1");
	struct tine_conn a, b, s;
	struct tine_resp r;
	long long	 t0, el;

	t0 = tine_now_ms();
	sem_open(t, &a);
	sem_open(t, &b);
	sem_open(t, &s);
	cr_assert_eq(tine_conn_sends(&a, "GET /pat.txt HTTP/1.1\r\n"
	    "Host: localhost\r\nUser-Agent: sl"), 0);
	cr_assert_eq(tine_conn_sends(&b, "HEAD /pat.txt HTTP/1.1\r\n"
	    "Host: localhost\r\n"), 0);

	cr_assert_eq(tine_conn_read(&a, 0, 6000, &r), 0, "no 408 within 6 s");
	el = tine_now_ms() - t0;
	cr_log_info("408 after %lld ms", el);
	cr_expect(el >= 900 && el <= 4000, "408 after %lld ms, want 1-4 s",
	    el);
	expect_error(&r, 408, 0, 1);
	tine_resp_free(&r);
	sem_expect_closed(&a, "408");

	cr_assert_eq(tine_conn_read(&b, 1, 6000, &r), 0, "no HEAD 408");
	el = tine_now_ms() - t0;
	cr_expect(el >= 900 && el <= 4000, "HEAD 408 after %lld ms", el);
	expect_error(&r, 408, 1, 1);
	tine_resp_free(&r);
	sem_expect_closed(&b, "HEAD 408");

	cr_expect_eq(sem_wait_eof(&s, t0 + 6000), 1, "a silent connection got "
	    "bytes or was not closed");
	el = tine_now_ms() - t0;
	cr_expect(el >= 900 && el <= 4000, "silent connection closed after "
	    "%lld ms", el);
	tine_conn_close(&a);
	tine_conn_close(&b);
	tine_conn_close(&s);
	tine_stop(t);
}

/*
 * header_timeout also bounds a body tine reads and discards: a client that
 * trickles it a byte at a time, each well inside the timeout, still gets
 * 408 once header_timeout has passed since the request began.
 */
Test(semantics, trickled_body_408, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start("header_timeout = 2");
	struct tine_conn c;
	struct tine_resp r;
	long long	 t0, el;
	int		 got = -1, sent = 0;

	sem_open(t, &c);
	t0 = tine_now_ms();
	cr_assert_eq(tine_conn_sends(&c, "GET /pat.txt HTTP/1.1\r\n"
	    "Host: localhost\r\nContent-Length: 100\r\n\r\n"), 0);
	while (got != 0 && tine_now_ms() - t0 < 8000) {
		if (tine_conn_send(&c, "x", 1) == 0)
			sent++;
		got = tine_conn_read(&c, 0, 250, &r);
	}
	el = tine_now_ms() - t0;
	cr_assert_eq(got, 0, "no answer in 8 s to a body trickled byte by "
	    "byte (%d bytes sent)", sent);
	cr_log_info("trickled body: 408 after %lld ms, %d bytes", el, sent);
	cr_expect(el >= 1900 && el <= 4000, "408 after %lld ms, want 2-4 s",
	    el);
	cr_expect_lt(sent, 100, "the whole body went in: nothing was bounded");
	expect_error(&r, 408, 0, 1);
	tine_resp_free(&r);
	sem_expect_closed(&c, "408 to a trickled body");
	tine_conn_close(&c);
	tine_stop(t);
}

/* keepalive_timeout = 1: an idle kept-alive connection closes quietly. */
Test(semantics, keepalive_timeout_quiet, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start("keepalive_timeout = 1");
	struct tine_conn c;
	struct tine_resp r;
	long long	 t0, el;
	int		 closed;

	sem_open(t, &c);
	sem_ask(&c, "GET", "/pat.txt", NULL, &r);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);
	/* The timer restarts with each request: a second one, then idle. */
	sem_probe(&c, "the first request");
	t0 = tine_now_ms();
	closed = sem_wait_eof(&c, t0 + 6000);
	el = tine_now_ms() - t0;
	cr_log_info("idle close after %lld ms", el);
	cr_expect_eq(closed, 1, "idle connection %s", closed == -1 ? "got "
	    "bytes (a 408?)" : "still open after 6 s");
	cr_expect(el >= 900 && el <= 4000, "idle close after %lld ms, want "
	    "1-4 s", el);
	tine_conn_close(&c);
	tine_stop(t);
}

/* State (hex, /proc/net/tcp) of the IPv4 socket local:lport -> rport, or
 * 0 when there is none; -1 when the table cannot be read. */
static int
sem_tcp_state(int lport, int rport)
{
	int	r, state;
	long	txq;

	r = tine_tcp_row(lport, rport, &state, &txq);
	return r == 0 ? state : r == 1 ? 0 : -1;
}

/*
 * send_timeout = 1: a client that stops reading a large response is
 * dropped: the server's socket leaves ESTABLISHED (it was closed) not
 * before a second and long before the default 60 s would, and the client,
 * reading at last, gets what was in flight and then EOF (or a reset),
 * short of the whole file. No upper bound nearer than that: a loaded
 * machine wakes the worker late.
 */
Test(semantics, send_timeout_drops_stalled_reader, .fini = tine_teardown,
    .timeout = 90)
{
	struct tine	*t = tine_setup("send_timeout = 1");
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t	 sl = sizeof(sin);
	struct tine_conn c = { .fd = -1 };
	unsigned char	*huge, buf[65536];
	char		 path[TINE_PATH_MAX];
	long long	 t0, el, deadline;
	size_t		 total = 0;
	ssize_t		 n;
	int		 rcv = 4096, state, cport, eof = 0;
	struct pollfd	 pfd;

	cr_assert_not_null(t);
	cr_assert_not_null(huge = malloc(HUGE_SIZE));
	sem_pattern(huge, HUGE_SIZE, 3);
	cr_assert_eq(tine_write_file(tine_path(path, t->docroot, "huge.bin"),
	    huge, HUGE_SIZE, 0644), 0);
	free(huge);
	cr_assert_eq(tine_start(t), 0);

	/* A small receive buffer, set before connect so the window is small. */
	cr_assert_neq(c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
	    -1);
	cr_assert_eq(setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &rcv,
	    sizeof(rcv)), 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)t->port);
	cr_assert_eq(connect(c.fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(c.fd, (struct sockaddr *)&sin, &sl), 0);
	cport = ntohs(sin.sin_port);
	cr_assert_eq(tine_conn_sends(&c, "GET /huge.bin HTTP/1.1\r\n"
	    "Host: localhost\r\n\r\n"), 0);
	t0 = tine_now_ms();

	/* Read nothing; watch the server's end of the connection. */
	cr_assert_eq(sem_tcp_state(t->port, cport), 1, "the server's socket "
	    "is not ESTABLISHED (/proc/net/tcp)");
	deadline = t0 + SEM_DROP_MS;
	while ((state = sem_tcp_state(t->port, cport)) == 1 &&
	    tine_now_ms() < deadline)
		poll(NULL, 0, 20);
	el = tine_now_ms() - t0;
	cr_log_info("stalled reader dropped after %lld ms", el);
	cr_expect_neq(state, 1, "a stalled reader was not dropped in %d ms",
	    SEM_DROP_MS);
	cr_expect_geq(el, 900, "dropped after %lld ms, before send_timeout = 1",
	    el);

	/* Now read: what was queued, then the end. */
	deadline = tine_now_ms() + 10000;
	pfd.fd = c.fd;
	pfd.events = POLLIN;
	while (!eof && tine_now_ms() < deadline) {
		if (poll(&pfd, 1, 500) < 0 && errno != EINTR)
			break;
		n = recv(c.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			total += (size_t)n;
		else if (n == 0 || errno == ECONNRESET)
			eof = 1;
		else if (errno != EAGAIN && errno != EINTR)
			break;
	}
	cr_expect(eof, "no EOF or reset after the drop (%zu bytes read)",
	    total);
	cr_expect_gt(total, 0, "not even the head arrived");
	cr_expect_lt(total, (size_t)HUGE_SIZE, "the whole file arrived: the "
	    "reader was not dropped");
	close(c.fd);
	tine_stop(t);
}

/* ---- targets ---- */

/* Query strings do not name files; absolute-form's host wins over Host;
 * the path is percent-decoded. */
Test(semantics, targets_name_files, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = sem_start("access_log_format = \"%v %U\"");
	struct tine_conn c;
	struct tine_resp r;

	sem_open(t, &c);
	sem_ask(&c, "GET", "/pat.txt?x=1", NULL, &r);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);
	sem_ask(&c, "GET", "/pat.txt?/big.txt", NULL, &r);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);
	sem_ask(&c, "GET", "/no-such.txt?pat.txt", NULL, &r);
	expect_status(&r, 404);
	tine_resp_free(&r);

	sem_ask(&c, "GET", "/a%20b.txt", NULL, &r);
	expect_body(&r, SPACE_BODY, strlen(SPACE_BODY));
	tine_resp_free(&r);
	sem_ask(&c, "GET", "/%61%20%62.txt?q=%3F", NULL, &r);
	expect_body(&r, SPACE_BODY, strlen(SPACE_BODY));
	tine_resp_free(&r);

	/* Absolute-form: served, and the host it names is the request's. */
	cr_assert_eq(tine_conn_sends(&c, "GET http://other.example/pat.txt "
	    "HTTP/1.1\r\nHost: localhost\r\n\r\n"), 0);
	cr_assert_eq(tine_conn_read(&c, 0, TINE_TIMEOUT_MS, &r), 0);
	expect_body(&r, sem_pat, PAT_SIZE);
	tine_resp_free(&r);
	cr_expect_eq(tine_wait_file(t->access_log, "other.example /pat.txt\n",
	    1, 3000), 0, "no access log "
	    "line \"other.example /pat.txt\": the Host header won");
	cr_expect_eq(tine_count(t->access_log, "localhost /pat.txt\n"), 2,
	    "origin-form requests are not logged with their Host");
	tine_conn_close(&c);
	tine_stop(t);
}
