/*
 * test_harden: what a hostile client or a careless deploy did to a worker
 * before the hardening pass, against the real binary over real sockets:
 * multipart ranges with long part headers, redirects longer than a header
 * line, dotfiles, socket files, descriptors leaked from the starting shell,
 * a guessable multipart boundary, a full access-log disk, a reload whose
 * workers cannot run, and the user checks of tine -t.
 */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "expect.h"
#include "harness.h"

#define HUGE_SIZE	(5LL * 1024 * 1024 * 1024)	/* sparse */
#define MID_SIZE	(1100 * 1000)
#define NRANGES		16			/* RANGE_MAX */
#define DIRNAME_LEN	200
#define LEAK_FD		99

/* A 127-character media type, the longest a mime.types line may give. */
#define LONG_TYPE	"application/vnd.tine-test." \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static unsigned char	hard_mid[MID_SIZE];

/* Printable bytes that do not repeat with any short period. */
static void
hard_pattern(unsigned char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)('!' + (i * 37 + i / 89) % 94);
}

/* A sparse file of size bytes at docroot/rel. */
static void
hard_sparse(struct tine *t, const char *rel, long long size)
{
	char	path[TINE_PATH_MAX];
	int	fd;

	fd = open(tine_path(path, t->docroot, rel), O_WRONLY | O_CREAT |
	    O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_neq(fd, -1, "%s: %s", path, strerror(errno));
	cr_assert_eq(ftruncate(fd, (off_t)size), 0, "ftruncate: %s",
	    strerror(errno));
	close(fd);
}

/* A mime.types in t->dir mapping .pptx and .mid to LONG_TYPE; its config. */
static void
hard_long_mime(struct tine *t, char *conf, size_t len)
{
	char	path[TINE_PATH_MAX];
	FILE	*f;

	tine_path(path, t->dir, "mime.types");
	cr_assert_not_null(f = fopen(path, "we"));
	fprintf(f, "# a type as long as mime.types may give\n%s pptx mid\n",
	    LONG_TYPE);
	cr_assert_eq(fclose(f), 0);
	snprintf(conf, len, "mime_types = \"%s\"\nworkers = 1", path);
}

/* Put a MID_SIZE patterned file and a sparse HUGE_SIZE one, start, and
 * open a connection. */
static void
hard_files_start(struct tine *t, const char *mid, const char *huge,
    struct tine_conn *c)
{
	char	path[TINE_PATH_MAX];

	hard_pattern(hard_mid, sizeof(hard_mid));
	cr_assert_eq(tine_write_file(tine_path(path, t->docroot, mid),
	    hard_mid, sizeof(hard_mid), 0644), 0);
	hard_sparse(t, huge, HUGE_SIZE);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_conn_open(c, AF_INET, t->port), 0);
}

/* "bytes=a-b,c-d,..." of NRANGES two-byte ranges from base, 10 apart. */
static void
hard_ranges(long long base, char *spec, size_t len, struct expect_part *want)
{
	struct buf	b;
	int		i;

	buf_init(&b, spec, len - 1);
	buf_adds(&b, "bytes=");
	for (i = 0; i < NRANGES; i++) {
		want[i].first = base + 10LL * i;
		want[i].last = want[i].first + 1;
		buf_addf(&b, "%s%lld-%lld", i > 0 ? "," : "", want[i].first,
		    want[i].last);
	}
	cr_assert(buf_ok(&b));
	spec[b.len] = '\0';
}

/* Send req on c and read one response (HEAD: head only). */
static void
hard_ask(struct tine_conn *c, const char *req, int head, struct tine_resp *r)
{
	cr_assert_eq(tine_conn_sends(c, req), 0);
	cr_assert_eq(tine_conn_read(c, head, TINE_TIMEOUT_MS, r), 0,
	    "no whole response to %.80s", req);
}

/* Then a plain GET on the same connection still gets its own answer. */
static void
hard_still_framed(struct tine_conn *c, const char *after)
{
	struct tine_resp	r;

	hard_ask(c, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", 0, &r);
	expect_body(&r, TINE_INDEX_BODY, strlen(TINE_INDEX_BODY));
	cr_expect_eq(r.status, 200, "after %s: %s", after, r.head);
	tine_resp_free(&r);
}

/*
 * Sixteen ranges whose part headers carry a 127-byte Content-Type and
 * 10-digit offsets: each is far longer than the 160 bytes the old fixed
 * array gave a part (a stack overflow that killed the worker, or sent
 * stack bytes). They must come back as an exact multipart body.
 */
Test(harden, multipart_long_part_headers, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = tine_setup(NULL);
	struct expect_part	 want[NRANGES];
	struct tine_conn	 c;
	struct tine_resp	 r;
	char			 conf[TINE_PATH_MAX + 64], spec[1024];
	char			 req[1200];

	cr_assert_not_null(t);
	hard_long_mime(t, conf, sizeof(conf));
	cr_assert_eq(tine_config(t, conf), 0);
	hard_files_start(t, "data.mid", "huge.pptx", &c);

	hard_ranges(1000000, spec, sizeof(spec), want);
	snprintf(req, sizeof(req), "GET /data.mid HTTP/1.1\r\nHost: x\r\n"
	    "Range: %s\r\n\r\n", spec);
	hard_ask(&c, req, 0, &r);
	expect_multipart(&r, hard_mid, MID_SIZE, LONG_TYPE, want, NRANGES,
	    spec);
	tine_resp_free(&r);
	hard_still_framed(&c, "a multipart GET");

	hard_ranges(1000000000, spec, sizeof(spec), want);
	snprintf(req, sizeof(req), "HEAD /huge.pptx HTTP/1.1\r\nHost: x\r\n"
	    "Range: %s\r\n\r\n", spec);
	hard_ask(&c, req, 1, &r);
	expect_status(&r, 206);
	cr_expect_not_null(strstr(expect_header(&r, "Content-Type"),
	    "multipart/byteranges"));
	tine_resp_free(&r);
	hard_still_framed(&c, "a multipart HEAD");
	tine_conn_close(&c);
	cr_expect_eq(tine_count(t->error_log, "crashed"), 0);
	tine_stop(t);
}

/*
 * Part headers that cannot fit the bounded buffer at all (a media type of
 * 600 bytes from default_type) give the whole file, as RFC 9110 lets a
 * server ignore Range: never a cut or overflowed body.
 */
Test(harden, multipart_too_long_sends_whole_file, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t;
	struct expect_part	 want[NRANGES];
	struct tine_conn	 c;
	struct tine_resp	 r;
	char			 conf[1024], spec[1024], req[1200];
	char			 type[700];

	snprintf(type, sizeof(type), "application/x-tine; p=%0580d", 7);
	snprintf(conf, sizeof(conf), "default_type = \"%s\"\nworkers = 1",
	    type);
	cr_assert_not_null(t = tine_setup(conf));
	hard_files_start(t, "data.zzz", "huge.zzz", &c);

	hard_ranges(1000000, spec, sizeof(spec), want);
	snprintf(req, sizeof(req), "GET /data.zzz HTTP/1.1\r\nHost: x\r\n"
	    "Range: %s\r\n\r\n", spec);
	hard_ask(&c, req, 0, &r);
	expect_body(&r, hard_mid, sizeof(hard_mid));
	expect_hdr(&r, "Content-Type", type);
	tine_resp_free(&r);
	hard_still_framed(&c, "a range request answered whole");

	hard_ranges(1000000000, spec, sizeof(spec), want);
	snprintf(req, sizeof(req), "HEAD /huge.zzz HTTP/1.1\r\nHost: x\r\n"
	    "Range: %s\r\n\r\n", spec);
	hard_ask(&c, req, 1, &r);
	expect_status(&r, 200);
	expect_length(&r, (unsigned long long)HUGE_SIZE);
	tine_resp_free(&r);
	tine_conn_close(&c);
	tine_stop(t);
}

/* Make nested directories of DIRNAME_LEN-byte names under the docroot
 * until the path is at least len bytes; the URL path, without a slash. */
static void
hard_deep_dir(struct tine *t, size_t len, char *url, size_t urllen)
{
	char		path[8192], name[DIRNAME_LEN + 1];
	struct buf	b;
	int		i;

	buf_init(&b, url, urllen - 1);
	for (i = 0; b.len < len; i++) {
		memset(name, 'a' + i % 26, DIRNAME_LEN);
		name[DIRNAME_LEN] = '\0';
		buf_addf(&b, "/%s", name);
		cr_assert(buf_ok(&b));
		url[b.len] = '\0';
		snprintf(path, sizeof(path), "%s%s", t->docroot, url);
		cr_assert(mkdir(path, 0755) == 0 || errno == EEXIST,
		    "mkdir: %s", strerror(errno));
	}
}

/*
 * A redirect to a directory's slash whose Location is longer than the old
 * 2,112-byte line buffer: the whole Location, query and all, its line
 * ended, and the next pipelined answer still framed. Past what a head
 * holds, 414 instead of a cut line.
 */
Test(harden, long_redirects_framed, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = tine_setup(NULL);
	struct tine_conn	 c;
	struct tine_resp	 r;
	char			 url[4096], want[6000], query[1001], *req;
	const char		*loc;

	cr_assert_not_null(t);
	hard_deep_dir(t, 2000, url, sizeof(url));
	memset(query, 'q', sizeof(query) - 1);
	query[sizeof(query) - 1] = '\0';
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_conn_open(&c, AF_INET, t->port), 0);
	cr_assert_gt(asprintf(&req, "GET %s?%s HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", url, query), 0);
	cr_assert_eq(tine_conn_sends(&c, req), 0);
	free(req);
	cr_assert_eq(tine_conn_read(&c, 0, TINE_TIMEOUT_MS, &r), 0);
	expect_error(&r, 301, 0, 0);
	snprintf(want, sizeof(want), "%s/?%s", url, query);
	loc = expect_header(&r, "Location");
	cr_expect_str_eq(loc, want, "Location of %zu bytes", strlen(loc));
	tine_resp_free(&r);
	cr_assert_eq(tine_conn_read(&c, 0, TINE_TIMEOUT_MS, &r), 0);
	expect_body(&r, TINE_INDEX_BODY, strlen(TINE_INDEX_BODY));
	tine_resp_free(&r);

	/* 3,600 bytes of path and 1,600 of query: more than a head holds. */
	hard_deep_dir(t, 3600, url, sizeof(url));
	cr_assert_gt(asprintf(&req, "GET %s?%s HTTP/1.1\r\nHost: x\r\n\r\n",
	    url, query), 0);
	hard_ask(&c, req, 0, &r);
	free(req);
	expect_error(&r, 414, 0, 0);
	cr_expect_null(tine_resp_header(&r, "Location"));
	tine_resp_free(&r);
	hard_still_framed(&c, "a 414 for a long redirect");
	tine_conn_close(&c);
	tine_stop(t);
}

/* A Location that fits a line but not the head once the site's own header
 * lines are in is a 414 too, never a 500 or a cut head; one that fits with
 * them is answered (the head's real room decides, not a guess). */
Test(harden, long_redirect_with_site_headers, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t;
	struct tine_conn	 c;
	struct tine_resp	 r;
	char			 conf[1100], url[4096], query[1001], *req;
	char			 want[6000];

	snprintf(conf, sizeof(conf), "headers = {\"X-Pad: %01000d\"}", 0);
	cr_assert_not_null(t = tine_setup(conf));
	hard_deep_dir(t, 2000, url, sizeof(url));
	memset(query, 'q', sizeof(query) - 1);
	query[sizeof(query) - 1] = '\0';
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_conn_open(&c, AF_INET, t->port), 0);
	/* 3 KB of Location and 1 KB of site headers: over 4 KB of head. */
	cr_assert_gt(asprintf(&req, "GET %s?%s HTTP/1.1\r\nHost: x\r\n\r\n",
	    url, query), 0);
	hard_ask(&c, req, 0, &r);
	free(req);
	expect_error(&r, 414, 0, 0);
	cr_expect_not_null(tine_resp_header(&r, "X-Pad"));
	tine_resp_free(&r);
	hard_still_framed(&c, "a 414 for a redirect crowded out by headers");
	/* 2.6 KB of Location fits beside them: answered, whole. */
	query[600] = '\0';
	cr_assert_gt(asprintf(&req, "GET %s?%s HTTP/1.1\r\nHost: x\r\n\r\n",
	    url, query), 0);
	hard_ask(&c, req, 0, &r);
	free(req);
	expect_error(&r, 301, 0, 0);
	snprintf(want, sizeof(want), "%s/?%s", url, query);
	cr_expect_str_eq(expect_header(&r, "Location"), want);
	tine_resp_free(&r);
	hard_still_framed(&c, "a long redirect beside site headers");
	tine_conn_close(&c);
	cr_expect_eq(tine_count(t->error_log, "did not fit"), 0);
	tine_stop(t);
}

/* The status of GET path on a new connection. */
static int
hard_status(struct tine *t, const char *path)
{
	struct tine_resp	r;
	int			status;

	cr_assert_eq(tine_get(t, path, &r), 0, "no answer to GET %s", path);
	status = r.status;
	tine_resp_free(&r);
	return status;
}

/* Put the dotfiles a deploy leaves in a docroot. */
static void
hard_dotfiles(struct tine *t)
{
	cr_assert_eq(tine_put(t, ".git/config", "[core]\n"), 0);
	cr_assert_eq(tine_put(t, ".git/HEAD", "ref: refs/heads/main\n"), 0);
	cr_assert_eq(tine_put(t, ".env", "SECRET=1\n"), 0);
	cr_assert_eq(tine_put(t, ".htpasswd", "u:x\n"), 0);
	cr_assert_eq(tine_put(t, "sub/.hidden", "h\n"), 0);
	cr_assert_eq(tine_put(t, "sub/visible.txt", "v\n"), 0);
	cr_assert_eq(tine_put(t, ".well-known/acme-challenge/tok", "t\n"), 0);
	cr_assert_eq(tine_put(t, ".well-known/.secret", "s\n"), 0);
}

/* Dotfiles are 404 by default however the path is spelt; ACME is served. */
Test(harden, dotfiles_hidden_by_default, .fini = tine_teardown, .timeout = 30)
{
	static const char *const hidden[] = {
		"/.git/config", "/.git/HEAD", "/.git/", "/.git", "/.env",
		"/.htpasswd", "/sub/.hidden", "/%2egit/config", "/%2Eenv",
		"/sub/../.env", "/./.env", "//.env", "/.well-known/.secret",
		"/sub/.well-known/x",
	};
	struct tine	*t = tine_setup(NULL);
	size_t		 i;

	cr_assert_not_null(t);
	hard_dotfiles(t);
	cr_assert_eq(tine_start(t), 0);
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		cr_expect_eq(hard_status(t, hidden[i]), 404, "%s", hidden[i]);
	cr_expect_eq(hard_status(t, "/.well-known/acme-challenge/tok"), 200);
	cr_expect_eq(hard_status(t, "/sub/visible.txt"), 200);
	tine_stop(t);
}

/* hidden_files = allow serves them, and tine -t rejects other words. */
Test(harden, dotfiles_allowed_when_asked, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine	*t = tine_setup("hidden_files = yes");
	const char	*args[] = { "-t", "-c", NULL, NULL };
	char		*err;

	cr_assert_not_null(t);
	args[2] = t->conf;
	cr_expect_eq(tine_run(t, args, TINE_TIMEOUT_MS), 1);
	cr_assert_not_null(err = tine_slurp(t->err, NULL));
	cr_expect_not_null(strstr(err, "hidden_files: must be deny or allow"),
	    "%s", err);
	free(err);

	cr_assert_eq(tine_config(t, "hidden_files = allow"), 0);
	hard_dotfiles(t);
	cr_assert_eq(tine_start(t), 0);
	cr_expect_eq(hard_status(t, "/.env"), 200);
	cr_expect_eq(hard_status(t, "/.git/config"), 200);
	cr_expect_eq(hard_status(t, "/sub/.hidden"), 200);
	tine_stop(t);
}

/* A unix socket file in the docroot: 403 like a FIFO, and no log line per
 * request (it was a 500 and an error line each time). */
Test(harden, socket_file_forbidden_quietly, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine		*t = tine_setup(NULL);
	struct sockaddr_un	 sun;
	int			 fd, i;

	cr_assert_not_null(t);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	cr_assert_lt(snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s.sock",
	    t->docroot), (int)sizeof(sun.sun_path));
	cr_assert_neq(fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0,
	    "bind: %s", strerror(errno));
	cr_assert_eq(tine_start(t), 0);
	for (i = 0; i < 20; i++)
		cr_expect_eq(hard_status(t, "/s.sock"), 403);
	close(fd);
	tine_stop(t);
	cr_expect_eq(tine_count(t->error_log, "s.sock"), 0,
	    "the error log names the socket file");
}

/* Spawn tine -f -c conf as the harness does, but with a root-only file
 * open on LEAK_FD, as a careless shell or supervisor might leave it. */
static void
hard_spawn_with_fd(struct tine *t, const char *secret)
{
	pid_t	pid;
	int	fd;

	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		if ((fd = open(secret, O_RDONLY)) == -1 ||
		    dup2(fd, LEAK_FD) == -1)
			_exit(126);
		if ((fd = open(t->err, O_WRONLY | O_CREAT | O_TRUNC, 0644)) !=
		    -1)
			dup2(fd, 2);
		execl(t->bin, t->bin, "-f", "-c", t->conf, (char *)NULL);
		_exit(127);
	}
	t->pid = pid;
	cr_assert_eq(tine_wait_log(t, "master ready:", 1, TINE_TIMEOUT_MS), 0,
	    "not ready");
}

/* Whether /proc/PID/fd/N exists. */
static int
hard_has_fd(pid_t pid, int n)
{
	char	path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, n);
	return access(path, F_OK) == 0;
}

/* A descriptor open in whatever started tine reaches neither the master
 * nor (above all) an unprivileged worker. */
Test(harden, inherited_descriptors_closed, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine	*t = tine_setup(NULL);
	char		 secret[TINE_PATH_MAX];
	pid_t		 kids[TINE_MAX_WORKERS];
	int		 n, i;

	cr_assert_not_null(t);
	tine_path(secret, t->dir, "root-only");
	cr_assert_eq(tine_write_file(secret, "s3cr3t\n", 7, 0600), 0);
	hard_spawn_with_fd(t, secret);
	cr_expect_not(hard_has_fd(t->pid, LEAK_FD), "the master holds fd %d",
	    LEAK_FD);
	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	cr_assert_eq(n, t->workers);
	for (i = 0; i < n; i++)
		cr_expect_not(hard_has_fd(kids[i], LEAK_FD), "worker %d holds "
		    "fd %d", (int)kids[i], LEAK_FD);
	tine_stop(t);
}

/* The boundary of a multipart answer from a fresh one-worker instance. */
static void
hard_boundary(char *out, size_t len)
{
	struct tine		*t = tine_setup("workers = 1");
	struct tine_resp	 r;
	const char		*ct, *b;

	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "a.txt", "0123456789abcdef"), 0);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_request(t, "GET /a.txt HTTP/1.1\r\nHost: x\r\n"
	    "Range: bytes=0-1,4-5\r\nConnection: close\r\n\r\n", 0, &r), 0);
	expect_status(&r, 206);
	ct = expect_header(&r, "Content-Type");
	cr_assert_not_null(b = strstr(ct, "boundary="));
	snprintf(out, len, "%s", b + 9);
	tine_resp_free(&r);
	tine_stop(t);
}

/* The boundary is 64 random bits: two workers never share it (the old one
 * was the pid and the first value of an unseeded random()). */
Test(harden, multipart_boundary_random, .fini = tine_teardown, .timeout = 30)
{
	char	a[128], b[128];
	size_t	i;

	hard_boundary(a, sizeof(a));
	hard_boundary(b, sizeof(b));
	cr_assert_eq(strlen(a), 20, "boundary %s", a);
	cr_expect_eq(strncmp(a, "tine", 4), 0, "%s", a);
	for (i = 4; i < 20; i++)
		cr_expect(isxdigit((unsigned char)a[i]), "%s", a);
	cr_expect_neq(strcmp(a + 12, b + 12), 0, "two workers' boundaries end "
	    "alike: %s %s", a, b);
}

/* A full disk under the access log: every request is still served, and the
 * loss is said once (per minute), with a count, not silently. */
Test(harden, access_log_full_disk_reported, .fini = tine_teardown,
    .timeout = 30)
{
	struct tine	*t = tine_setup("access_log = \"/dev/full\"\n"
	    "workers = 1");
	int		 i;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	for (i = 0; i < 30; i++)
		cr_expect_eq(hard_status(t, "/index.html"), 200);
	cr_assert_eq(tine_wait_log(t, "cannot write the access log", 1,
	    TINE_TIMEOUT_MS), 0, "the lost access log went unsaid");
	cr_expect_eq(tine_count(t->error_log, "cannot write the access log"),
	    1, "not rate-limited");
	cr_expect_eq(tine_count(t->error_log, "No space left on device (1 "
	    "lines lost so far)"), 1);
	tine_stop(t);
}

/* The pid of the only worker of a one-worker instance, once it serves. */
static pid_t
hard_worker(struct tine *t)
{
	pid_t	kids[TINE_MAX_WORKERS];

	cr_assert_eq(tine_children(t->pid, kids, TINE_MAX_WORKERS), 1);
	return kids[0];
}

/* A master and the worker it had. */
struct hard_other { struct tine *t; pid_t old; };

/* Whether the master has a worker other than old; for tine_wait_until. */
static int
hard_replaced(void *arg)
{
	struct hard_other	*o = arg;
	pid_t			 kids[TINE_MAX_WORKERS];
	int			 n;

	n = tine_children(o->t->pid, kids, TINE_MAX_WORKERS);
	return n == 1 && kids[0] != o->old;
}

/*
 * A reload whose workers cannot run (here: a document root the worker
 * user may not enter) is abandoned, and the listening socket it was handed
 * goes back to the generation that keeps serving: the next worker that
 * generation forks (after a crash) still accepts. It used to be closed.
 * The master's own log moves to the new config's file only once that
 * generation serves: here, never.
 */
Test(harden, abandoned_reload_keeps_the_listener, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t;
	struct hard_other	 o;
	char			 locked[TINE_PATH_MAX], newlog[TINE_PATH_MAX];
	char			 conf[3 * TINE_PATH_MAX], want[TINE_PATH_MAX + 128];

	if (geteuid() != 0)
		cr_skip("not root: workers cannot be refused a root-only "
		    "directory");
	cr_assert_not_null(t = tine_setup("workers = 1"));
	cr_assert_eq(tine_start(t), 0);
	tine_path(locked, t->dir, "locked");
	tine_path(newlog, t->dir, "new-error.log");
	cr_assert_eq(mkdir(locked, 0700), 0);
	snprintf(conf, sizeof(conf), "workers = 1\ndocument_root = \"%s\"\n"
	    "error_log = \"%s\"", locked, newlog);
	cr_assert_eq(tine_config(t, conf), 0);
	o.t = t;
	o.old = hard_worker(t);
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	/* The master keeps its log until a generation serves; the new
	 * workers log where their config says, and the master points there. */
	snprintf(want, sizeof(want), "generation 2 cannot run (its workers "
	    "said why in %s); generation 1 keeps serving", newlog);
	cr_assert_eq(tine_wait_log(t, want, 1, TINE_TIMEOUT_MS), 0);
	cr_expect_eq(tine_count(newlog, "Permission denied for the worker's "
	    "user"), 1);
	cr_expect_eq(tine_count(newlog, "cannot run"), 0);
	cr_expect_eq(tine_count(newlog, "reload"), 0);
	cr_expect_eq(hard_status(t, "/index.html"), 200);
	/* Generation 1 loses its worker and forks another. */
	cr_assert_eq(kill(o.old, SIGKILL), 0);
	cr_assert_eq(tine_wait_until(hard_replaced, &o, TINE_TIMEOUT_MS), 0);
	cr_expect_eq(hard_status(t, "/index.html"), 200);
	cr_expect_eq(hard_status(t, "/index.html"), 200);
	tine_stop(t);
}

/* tine -t refuses user = "root" (workers would keep every privilege),
 * naming the file and line, instead of a confusing failure at start. */
Test(harden, check_refuses_root_user, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = tine_setup("user = \"root\"");
	const char	*args[] = { "-t", "-c", NULL, NULL };
	char		*err, want[TINE_PATH_MAX + 32];

	cr_assert_not_null(t);
	args[2] = t->conf;
	cr_expect_eq(tine_run(t, args, TINE_TIMEOUT_MS), 1);
	cr_assert_not_null(err = tine_slurp(t->err, NULL));
	snprintf(want, sizeof(want), "%s:", t->conf);
	cr_expect_not_null(strstr(err, want), "%s", err);
	cr_expect_not_null(strstr(err, ": user: \"root\" is root"), "%s", err);
	free(err);
}

/* A user or group that does not exist is a config error naming the file
 * and line, for tine -t and at start alike: the lookup's child answers
 * "not found", it is not an error of the lookup. */
Test(harden, unknown_account_refused, .fini = tine_teardown, .timeout = 30)
{
	static const char *const	 kind[] = { "user", "group" };
	struct tine			*t;
	const char			*args[] = { "-f", "-c", NULL, NULL };
	char				*err, extra[64], key[16], want[96];
	int				 status, line;
	size_t				 i;

	for (i = 0; i < sizeof(kind) / sizeof(kind[0]); i++) {
		snprintf(extra, sizeof(extra), "%s = \"tine-no-such-%s\"",
		    kind[i], kind[i]);
		snprintf(key, sizeof(key), "%s =", kind[i]);
		err = tine_check_extra(extra, key, &status, &line);
		snprintf(want, sizeof(want), "tine.conf:%d: %s: no such %s "
		    "\"tine-no-such-%s\"", line, kind[i], kind[i], kind[i]);
		cr_expect_eq(status, 1);
		cr_expect_not_null(strstr(err, want), "%s", err);
		free(err);
	}
	/* Started, the same words, and no server. */
	cr_assert_not_null(t = tine_setup("user = \"tine-no-such-user\""));
	args[2] = t->conf;
	cr_expect_eq(tine_run(t, args, TINE_TIMEOUT_MS), 1);
	cr_assert_not_null(err = tine_slurp(t->err, NULL));
	cr_expect_not_null(strstr(err, "user: no such user "
	    "\"tine-no-such-user\""), "%s", err);
	free(err);
}

/* Not started as root, tine says that user and group are ignored. */
Test(harden, user_ignored_without_root, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = tine_setup("user = \"nobody\"");
	struct passwd	*pw;
	char		*err;
	pid_t		 pid;
	int		 status, fd;

	cr_assert_not_null(t);
	cr_assert_not_null(pw = getpwnam("nobody"));
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		if ((fd = open(t->err, O_WRONLY | O_CREAT | O_TRUNC, 0644)) !=
		    -1)
			dup2(fd, 2);
		if ((fd = open(t->out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) !=
		    -1)
			dup2(fd, 1);
		if (geteuid() == 0 && (setgroups(0, NULL) == -1 ||
		    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1))
			_exit(126);
		execl(t->bin, t->bin, "-t", "-c", t->conf, (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status 0x%x", status);
	cr_assert_not_null(err = tine_slurp(t->err, NULL));
	cr_expect_not_null(strstr(err, "user and group are ignored"), "%s",
	    err);
	free(err);
}
