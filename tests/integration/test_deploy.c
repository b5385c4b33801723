/*
 * test_deploy: deploys under a running server (issue 13) — a symlink swap
 * of the document root, a root removed and made again, a root that
 * vanishes; files replaced or removed beneath a root while cached; why a
 * 403 or a 404 for a symlink out of the root was answered.
 */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"

#define DEPLOY_WAIT_MS	10000	/* a change must show well within this */
#define DEPLOY_QUIET_MS	2500	/* more than two of the master's ticks */

/* What deploy_serves waits for: path answering 200 with body. */
struct deploy_want {
	struct tine	*t;
	const char	*path;
	const char	*body;
};

/* Whether want's path answers 200 with its body now. */
static int
deploy_serves(void *arg)
{
	struct deploy_want	*want = arg;
	struct tine_resp	 r;
	int			 ok;

	if (tine_get(want->t, want->path, &r) == -1)
		return 0;
	ok = r.status == 200 && strcmp(r.body, want->body) == 0;
	tine_resp_free(&r);
	return ok;
}

/* Expect path to answer 200 with body right now. */
static void
deploy_expect(struct tine *t, const char *path, const char *body)
{
	struct tine_resp	r;

	cr_assert_eq(tine_get(t, path, &r), 0, "GET %s", path);
	cr_expect_eq(r.status, 200, "GET %s: %d", path, r.status);
	cr_expect_str_eq(r.body, body, "GET %s", path);
	tine_resp_free(&r);
}

/* Write rel below dir (parents made) with text; the test fails if not. */
static void
deploy_put(const char *dir, const char *rel, const char *text)
{
	char	path[TINE_PATH_MAX];

	cr_assert_eq(tine_write_file(tine_path(path, dir, rel), text,
	    strlen(text), 0644), 0, "%s", path);
}

/* Point the symlink link at target the way deploy tools do: a new link
 * renamed over the old one, so the path never leads nowhere. */
static void
deploy_swap(const char *link, const char *target)
{
	char	tmp[TINE_PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s.tmp", link);
	unlink(tmp);
	cr_assert_eq(symlink(target, tmp), 0, "symlink: %s", strerror(errno));
	cr_assert_eq(rename(tmp, link), 0, "rename: %s", strerror(errno));
}

/* An instance whose document_root is the symlink dir/current leading to
 * releases/42; started. */
static struct tine *
deploy_releases(char *link)
{
	struct tine	*t = tine_setup(NULL);
	char		 conf[TINE_PATH_MAX + 32];

	cr_assert_not_null(t);
	deploy_put(t->dir, "releases/42/index.html", "release 42\n");
	deploy_put(t->dir, "releases/43/index.html", "release 43\n");
	tine_path(link, t->dir, "current");
	cr_assert_eq(symlink("releases/42", link), 0);
	snprintf(conf, sizeof(conf), "document_root = \"%s\"", link);
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_start(t), 0);
	return t;
}

Test(deploy, symlink_swap_is_followed, .fini = tine_teardown, .timeout = 60)
{
	char			 link[TINE_PATH_MAX];
	struct tine		*t = deploy_releases(link);
	struct deploy_want	 want = { t, "/", "release 43\n" };
	long long		 t0;

	deploy_expect(t, "/", "release 42\n");
	t0 = tine_now_ms();
	deploy_swap(link, "releases/43");
	cr_assert_eq(tine_wait_until(deploy_serves, &want, DEPLOY_WAIT_MS), 0,
	    "release 43 not served after the swap");
	cr_log_info("release 43 served %lld ms after the swap",
	    tine_now_ms() - t0);
	/* Every worker serves it now: the old generation retires. */
	cr_assert_eq(tine_wait_log(t, "generation 1 finished", 1,
	    DEPLOY_WAIT_MS), 0);
	deploy_expect(t, "/", "release 43\n");
	deploy_expect(t, "/", "release 43\n");
	cr_expect_eq(tine_count(t->error_log, "document root change: starting "
	    "generation 2"), 1);
	/* And back, as a rollback does. */
	deploy_swap(link, "releases/42");
	want.body = "release 42\n";
	cr_assert_eq(tine_wait_until(deploy_serves, &want, DEPLOY_WAIT_MS), 0,
	    "release 42 not served after the rollback");
	tine_stop(t);
}

/* An instance with the harness's docroot, started, serving its index. */
static struct tine *
deploy_started(void)
{
	struct tine	*t = tine_setup(NULL);

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	deploy_expect(t, "/index.html", TINE_INDEX_BODY);
	return t;
}

Test(deploy, root_made_again_is_followed, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = deploy_started();
	struct deploy_want	 want = { t, "/index.html", "new tree\n" };
	char			 path[TINE_PATH_MAX];

	/* rm -rf www && mkdir www && cp ... */
	cr_assert_eq(unlink(tine_path(path, t->docroot, "index.html")), 0);
	cr_assert_eq(rmdir(t->docroot), 0);
	cr_assert_eq(mkdir(t->docroot, 0755), 0);
	deploy_put(t->docroot, "index.html", "new tree\n");
	cr_assert_eq(tine_wait_until(deploy_serves, &want, DEPLOY_WAIT_MS), 0,
	    "the new tree is not served");
	tine_stop(t);
}

Test(deploy, vanished_root_keeps_serving, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = deploy_started();
	char		 away[TINE_PATH_MAX];

	tine_path(away, t->dir, "www.away");
	cr_assert_eq(rename(t->docroot, away), 0);
	cr_assert_eq(tine_wait_log(t, "still serving the directory opened "
	    "before", 1, DEPLOY_WAIT_MS), 0);
	deploy_expect(t, "/index.html", TINE_INDEX_BODY);
	/* Said once, however many ticks look at it. */
	cr_expect_eq(tine_wait_log(t, "still serving the directory opened "
	    "before", 2, DEPLOY_QUIET_MS), -1);
	cr_expect_eq(tine_count(t->error_log, "document root change"), 0);
	cr_assert_eq(rename(away, t->docroot), 0);
	deploy_expect(t, "/index.html", TINE_INDEX_BODY);
	tine_stop(t);
}

/* Expect path to answer status, and the error log to say why at info. */
static void
deploy_expect_why(struct tine *t, const char *path, int status,
    const char *why)
{
	struct tine_resp	r;
	char			line[TINE_PATH_MAX];

	cr_assert_eq(tine_get(t, path, &r), 0, "GET %s", path);
	cr_expect_eq(r.status, status, "GET %s: %d", path, r.status);
	tine_resp_free(&r);
	snprintf(line, sizeof(line), "] %s: %d: %s", path, status, why);
	cr_expect_eq(tine_wait_log(t, line, 1, DEPLOY_WAIT_MS), 0,
	    "no \"%s\" in the error log", line);
}

Test(deploy, refusals_say_why, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = tine_setup(NULL);
	char		 path[TINE_PATH_MAX], out[TINE_PATH_MAX];

	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "secret.html", "secret\n"), 0);
	cr_assert_eq(chmod(tine_path(path, t->docroot, "secret.html"), 0), 0);
	deploy_put(t->dir, "outside.html", "outside\n");
	cr_assert_eq(symlink(tine_path(out, t->dir, "outside.html"),
	    tine_path(path, t->docroot, "out.html")), 0);
	cr_assert_eq(symlink("../outside.html",
	    tine_path(path, t->docroot, "up.html")), 0);
	cr_assert_eq(tine_start(t), 0);
	deploy_expect_why(t, "/secret.html", 403,
	    "Permission denied for the worker's user");
	deploy_expect_why(t, "/out.html", 404,
	    "a symlink leads out of the document root");
	deploy_expect_why(t, "/up.html", 404,
	    "a symlink leads out of the document root");
	tine_stop(t);
}

#define DEPLOY_BIG	(64 * 1024)	/* sent with sendfile, not from memory */

/* What deploy_logged waits for: the access-log line tagged tag. */
struct deploy_line {
	struct tine	*t;
	const char	*tag;
	long		 pid;		/* the worker that wrote it */
};

/* Whether the access log has want's line; its worker's pid into want. */
static int
deploy_logged(void *arg)
{
	struct deploy_line	*want = arg;
	char			*log, *p;

	if ((log = tine_slurp(want->t->access_log, NULL)) == NULL)
		return 0;
	if ((p = strstr(log, want->tag)) != NULL) {
		while (p > log && p[-1] != '\n')
			p--;
		want->pid = strtol(p, NULL, 10);
	}
	free(log);
	return p != NULL;
}

/* GET path on kept connection c: the status, and the body's start into
 * body (len bytes, NUL-terminated). */
static int
deploy_ask(struct tine_conn *c, const char *path, char *body, size_t len)
{
	struct tine_resp	r;
	char			req[TINE_PATH_MAX];
	int			status;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\n"
	    "\r\n", path);
	cr_assert_eq(tine_conn_sends(c, req), 0);
	cr_assert_eq(tine_conn_read(c, 0, TINE_TIMEOUT_MS, &r), 0, "%s", path);
	status = r.status;
	snprintf(body, len, "%.*s", (int)r.bodylen, r.body);
	tine_resp_free(&r);
	return status;
}

/*
 * Two kept connections served by the two workers (so that each has the
 * files cached), their first request being for path; into conns. With
 * max_connections = 1 a worker holding one stops accepting, so the second
 * goes to the other one; the access log says it did.
 */
static void
deploy_both_workers(struct tine *t, const char *path, struct tine_conn *conns)
{
	struct deploy_line	 line = { t, NULL, 0 };
	char			 tag[64], req[TINE_PATH_MAX], body[64];
	long			 pids[2];
	int			 i;

	for (i = 0; i < 2; i++) {
		cr_assert_eq(tine_conn_open(&conns[i], AF_INET, t->port), 0);
		snprintf(req, sizeof(req), "%s?c=%d", path, i);
		cr_assert_eq(deploy_ask(&conns[i], req, body, sizeof(body)),
		    200);
		snprintf(tag, sizeof(tag), "?c=%d.", i);
		line.tag = tag;
		cr_assert_eq(tine_wait_until(deploy_logged, &line,
		    TINE_TIMEOUT_MS), 0, "no access-log line %s", tag);
		pids[i] = line.pid;
	}
	cr_assert_neq(pids[0], pids[1], "both connections went to worker %ld",
	    pids[0]);
}

/* Write text to docroot/rel.new and rename it over rel, as deploys and
 * `git update-server-info` do. */
static void
deploy_replace(struct tine *t, const char *rel, const char *text, size_t len)
{
	char	from[TINE_PATH_MAX], to[TINE_PATH_MAX], tmp[TINE_PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s.new", rel);
	cr_assert_eq(tine_write_file(tine_path(from, t->docroot, tmp), text,
	    len, 0644), 0);
	cr_assert_eq(rename(from, tine_path(to, t->docroot, rel)), 0);
}

/* Expect every one of the n connections to see path as status with a body
 * that begins with body, now, with no wait. */
static void
deploy_expect_all(struct tine_conn *conns, int n, const char *path,
    int status, const char *body)
{
	char	got[64];
	int	i;

	for (i = 0; i < n; i++) {
		cr_expect_eq(deploy_ask(&conns[i], path, got, sizeof(got)),
		    status, "connection %d: %s", i, path);
		if (body != NULL)
			cr_expect(strncmp(got, body, strlen(body)) == 0,
			    "connection %d: %s: %s", i, path, got);
	}
}

Test(deploy, changed_files_seen_at_once, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = tine_setup("access_log_format = "
	    "\"%P %U%q.\"\nmax_connections = 1");
	struct tine_conn	 conns[2];
	char			*big, path[TINE_PATH_MAX], to[TINE_PATH_MAX];
	char			 got[64];
	int			 i;

	cr_assert_not_null(t);
	cr_assert_not_null(big = malloc(DEPLOY_BIG));
	memset(big, 'a', DEPLOY_BIG);
	cr_assert_eq(tine_put(t, "page.html", "v1\n"), 0);
	cr_assert_eq(tine_put(t, "sub/deep.txt", "deep 1\n"), 0);
	cr_assert_eq(tine_write_file(tine_path(path, t->docroot, "big.bin"),
	    big, DEPLOY_BIG, 0644), 0);
	cr_assert_eq(tine_start(t), 0);
	deploy_both_workers(t, "/page.html", conns);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(deploy_ask(&conns[i], "/sub/deep.txt", got,
		    sizeof(got)), 200);
		cr_assert_eq(deploy_ask(&conns[i], "/big.bin", got,
		    sizeof(got)), 200);
		cr_assert_eq(got[0], 'a');
	}
	/* A new file renamed over a cached one: the next request has it. */
	deploy_replace(t, "page.html", "v2\n", 3);
	deploy_expect_all(conns, 2, "/page.html", 200, "v2\n");
	deploy_replace(t, "sub/deep.txt", "deep 2\n", 7);
	deploy_expect_all(conns, 2, "/sub/deep.txt", 200, "deep 2\n");
	memset(big, 'b', DEPLOY_BIG);
	deploy_replace(t, "big.bin", big, DEPLOY_BIG);
	deploy_expect_all(conns, 2, "/big.bin", 200, "b");
	/* Rewritten in place, the same size in the same second. */
	cr_assert_eq(tine_put(t, "page.html", "v3\n"), 0);
	deploy_expect_all(conns, 2, "/page.html", 200, "v3\n");
	/* Removed: 404 at once. */
	cr_assert_eq(unlink(tine_path(path, t->docroot, "page.html")), 0);
	deploy_expect_all(conns, 2, "/page.html", 404, NULL);
	/* Its directory replaced by another. */
	cr_assert_eq(tine_put(t, "sub2/deep.txt", "deep 3\n"), 0);
	cr_assert_eq(unlink(tine_path(path, t->docroot, "sub/deep.txt")), 0);
	cr_assert_eq(rmdir(tine_path(path, t->docroot, "sub")), 0);
	cr_assert_eq(rename(tine_path(path, t->docroot, "sub2"),
	    tine_path(to, t->docroot, "sub")), 0);
	deploy_expect_all(conns, 2, "/sub/deep.txt", 200, "deep 3\n");
	free(big);
	for (i = 0; i < 2; i++)
		tine_conn_close(&conns[i]);
	tine_stop(t);
}
