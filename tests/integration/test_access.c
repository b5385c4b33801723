/*
 * test_access: the access rules against the real binary over real sockets
 * — allow and deny by client address over 127.0.0.1 and ::1 (the most
 * specific block deciding), hidden_paths answered 404, HTTP Basic auth
 * from an htpasswd file of bcrypt, SHA-crypt and yescrypt lines made here
 * with libcrypt (no, wrong, malformed and right credentials, the
 * challenge, %u in the access log, the file read again at a reload), the
 * order of the checks, error pages for 401 and 403, and what tine -t says
 * of a bad block or a bad htpasswd line.
 */
#include "tine_build.h"

#include <sys/socket.h>

#include <crypt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"
#include "../b64.h"

#define ACC_CHALLENGE	"Basic realm=\"Test Realm\", charset=\"UTF-8\""

/* A line "user:hash" of pass, hashed by libcrypt with prefix and cost. */
static void
acc_line(const char *user, const char *prefix, unsigned long cost,
    const char *pass, char *out, size_t len)
{
	char			salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data	cd;

	memset(&cd, 0, sizeof(cd));
	cr_assert_not_null(crypt_gensalt_rn(prefix, cost, NULL, 0, salt,
	    sizeof(salt)), "gensalt %s", prefix);
	cr_assert_not_null(crypt_r(pass, salt, &cd));
	cr_assert_eq(cd.output[0], '$', "crypt %s failed", prefix);
	cr_assert(strlen(user) + strlen(cd.output) + 2 < len);
	strcpy(out, user);
	strcat(out, ":");
	strcat(out, cd.output);
	strcat(out, "\n");
}

/* "Authorization: Basic base64(user:pass)\r\n" into out. */
static const char *
acc_basic(const char *user, const char *pass, char *out, size_t len)
{
	char	plain[256], enc[400];

	snprintf(plain, sizeof(plain), "%s:%s", user, pass);
	b64_encode(plain, strlen(plain), enc);
	cr_assert_lt((size_t)snprintf(out, len, "Authorization: Basic %s\r\n",
	    enc), len, "credentials too long for the test's buffer");
	return out;
}

/* A line count to wait for in a log file. */
struct acc_wait {
	const char	*path;
	const char	*needle;
	int		 count;
};

/* tine_wait_until's condition: the needle is there count times. */
static int
acc_logged(void *arg)
{
	const struct acc_wait	*w = arg;

	return tine_count(w->path, w->needle) >= w->count;
}

/* Wait until the access log holds needle count times; then it must hold
 * it exactly that often. */
static void
acc_expect_log(struct tine *t, const char *needle, int count)
{
	struct acc_wait	w = { t->access_log, needle, count };

	cr_expect_eq(tine_wait_until(acc_logged, &w, TINE_TIMEOUT_MS), 0,
	    "\"%s\" not %d times in the access log", needle, count);
	cr_expect_eq(tine_count(t->access_log, needle), count, "\"%s\"",
	    needle);
}

/* GET (or HEAD) path at host over family with extra header lines; the
 * status, the response in *r. */
static int
acc_ask(struct tine *t, int family, const char *method, const char *host,
    const char *path, const char *extra, struct tine_resp *r)
{
	struct tine_conn	c;
	char			req[1024];

	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: %s\r\n%s"
	    "Connection: close\r\n\r\n", method, path, host,
	    extra != NULL ? extra : "");
	cr_assert_eq(tine_conn_open(&c, family, t->port), 0, "cannot connect "
	    "over %s", family == AF_INET6 ? "IPv6" : "IPv4");
	cr_assert_eq(tine_conn_sends(&c, req), 0);
	cr_assert_eq(tine_conn_read(&c, strcmp(method, "HEAD") == 0,
	    TINE_TIMEOUT_MS, r), 0, "%s %s%s: no answer", method, host, path);
	tine_conn_close(&c);
	return r->status;
}

/* GET path at host over family must answer status. */
static void
acc_expect(struct tine *t, int family, const char *host, const char *path,
    const char *extra, int status)
{
	struct tine_resp	r;

	acc_ask(t, family, "GET", host, path, extra, &r);
	cr_expect_eq(r.status, status, "GET %s%s over %s%s%s: %d", host, path,
	    family == AF_INET6 ? "IPv6" : "IPv4", extra != NULL ? " with " : "",
	    extra != NULL ? extra : "", r.status);
	tine_resp_free(&r);
}

/* Listen on 127.0.0.1 and, when there is one, ::1; then extra. */
static struct tine *
acc_start(const char *extra, int v6)
{
	struct tine	*t = tine_setup(NULL);
	char		 conf[4096];

	cr_assert_not_null(t);
	if (v6)
		snprintf(conf, sizeof(conf), "listen = {\"127.0.0.1:%d\", "
		    "\"[::1]:%d\"}\n%s", t->port, t->port, extra);
	else
		snprintf(conf, sizeof(conf), "%s", extra);
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_put(t, "403.html", "<p>go away\n"), 0);
	cr_assert_eq(tine_put(t, "a.txt", "a\n"), 0);
	cr_assert_eq(tine_start(t), 0);
	return t;
}

/* allow and deny over IPv4: a listed address in, a denied network out,
 * "all" beside an allow list; a 403 through the site's error page. */
Test(access, addresses_ipv4, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = acc_start(
	    "error_pages = {\"403 /403.html\"}\n"
	    "vhost \"allow.test\" { allow = {\"127.0.0.1/32\"} }\n"
	    "vhost \"deny.test\" { deny = {\"127.0.0.0/8\"} }\n"
	    "vhost \"pair.test\" { allow = {\"127.0.0.1\"}\n"
	    "  deny = {\"all\"} }\n"
	    "vhost \"other.test\" { allow = {\"192.0.2.0/24\"} }\n"
	    "vhost \"back.test\" { deny = {\"127.0.0.0/8\"}\n"
	    "  allow = {\"127.0.0.1\"} }\n", 0);
	struct tine_resp	 r;

	acc_expect(t, AF_INET, "allow.test", "/a.txt", NULL, 200);
	acc_expect(t, AF_INET, "pair.test", "/a.txt", NULL, 200);
	acc_expect(t, AF_INET, "back.test", "/a.txt", NULL, 200);
	acc_expect(t, AF_INET, "localhost", "/a.txt", NULL, 200);
	acc_expect(t, AF_INET, "other.test", "/a.txt", NULL, 403);
	cr_assert_eq(acc_ask(t, AF_INET, "GET", "deny.test", "/a.txt", NULL,
	    &r), 403);
	cr_expect_str_eq(r.body, "<p>go away\n");
	tine_resp_free(&r);
	/* Every method: the rules come before the method is looked at. */
	cr_assert_eq(acc_ask(t, AF_INET, "OPTIONS", "deny.test", "/", NULL,
	    &r), 403);
	tine_resp_free(&r);
	cr_assert_eq(acc_ask(t, AF_INET, "HEAD", "deny.test", "/a.txt", NULL,
	    &r), 403);
	cr_expect_eq(r.bodylen, 0);
	tine_resp_free(&r);
	tine_stop(t);
}

/* IPv6 rules for ::1, and the families kept apart. */
Test(access, addresses_ipv6, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t;

	if (!tine_have_ipv6())
		cr_skip_test("no ::1 on this host");
	t = acc_start(
	    "vhost \"v6.test\" { allow = {\"::1\"} }\n"
	    "vhost \"v6net.test\" { allow = {\"::/64\"} deny = {\"all\"} }\n"
	    "vhost \"nov6.test\" { deny = {\"::1/128\"} }\n"
	    "vhost \"v4.test\" { allow = {\"127.0.0.0/8\"} }\n"
	    "vhost \"doc.test\" { allow = {\"2001:db8::/32\"} }\n", 1);
	acc_expect(t, AF_INET6, "v6.test", "/a.txt", NULL, 200);
	acc_expect(t, AF_INET, "v6.test", "/a.txt", NULL, 403);
	acc_expect(t, AF_INET6, "v6net.test", "/a.txt", NULL, 200);
	acc_expect(t, AF_INET, "v6net.test", "/a.txt", NULL, 403);
	acc_expect(t, AF_INET6, "nov6.test", "/a.txt", NULL, 403);
	acc_expect(t, AF_INET, "nov6.test", "/a.txt", NULL, 200);
	acc_expect(t, AF_INET6, "v4.test", "/a.txt", NULL, 403);
	acc_expect(t, AF_INET, "v4.test", "/a.txt", NULL, 200);
	acc_expect(t, AF_INET6, "doc.test", "/a.txt", NULL, 403);
	tine_stop(t);
}

/* hidden_paths: 404 for what matches, decoded and normalised first, a
 * directory without its slash included; the rest served. */
Test(access, hidden_paths, .fini = tine_teardown, .timeout = 60)
{
	static const char *const hidden[] = {
		"/x.bak", "/sub/y.bak", "/x%2Ebak", "/sub/../x.bak",
		"/drafts", "/drafts/", "/drafts/p.html", "//drafts//p.html",
		"/sub/drafts/p.html",
	};
	static const char *const shown[] = {
		"/a.txt", "/x.bak.txt", "/drafts-public/p.html", "/sub/p.html",
	};
	struct tine	*t = acc_start(
	    "hidden_paths = {\"*.bak\", \"*/drafts/*\"}\n"
	    "vhost \"own.test\" { hidden_paths = {\"/a.txt\"} }\n", 0);
	size_t		 i;

	cr_assert_eq(tine_put(t, "x.bak", "bak\n"), 0);
	cr_assert_eq(tine_put(t, "x.bak.txt", "txt\n"), 0);
	cr_assert_eq(tine_put(t, "sub/y.bak", "bak\n"), 0);
	cr_assert_eq(tine_put(t, "sub/p.html", "p\n"), 0);
	cr_assert_eq(tine_put(t, "drafts/p.html", "draft\n"), 0);
	cr_assert_eq(tine_put(t, "sub/drafts/p.html", "draft\n"), 0);
	cr_assert_eq(tine_put(t, "drafts-public/p.html", "public\n"), 0);
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		acc_expect(t, AF_INET, "localhost", hidden[i], NULL, 404);
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		acc_expect(t, AF_INET, "localhost", shown[i], NULL, 200);
	/* A vhost that writes the list replaces the top level's. */
	acc_expect(t, AF_INET, "own.test", "/a.txt", NULL, 404);
	acc_expect(t, AF_INET, "own.test", "/x.bak", NULL, 200);
	tine_stop(t);
}

/* An htpasswd file of one bcrypt, two SHA-crypt and a yescrypt user at
 * dir/users; passwords "pw-" and the user's name. */
static void
acc_users(struct tine *t, const char *name)
{
	char	path[TINE_PATH_MAX], text[1024], line[256];

	acc_line("bee", "$2y$", 5, "pw-bee", line, sizeof(line));
	snprintf(text, sizeof(text), "# made by test_access\n%s", line);
	acc_line("five", "$5$", 0, "pw-five", line, sizeof(line));
	strncat(text, line, sizeof(text) - strlen(text) - 1);
	acc_line("six", "$6$", 0, "pw-six", line, sizeof(line));
	strncat(text, line, sizeof(text) - strlen(text) - 1);
	acc_line("why", "$y$", 0, "pw-why", line, sizeof(line));
	strncat(text, line, sizeof(text) - strlen(text) - 1);
	cr_assert_eq(tine_write_file(tine_path(path, t->dir, name), text,
	    strlen(text), 0600), 0);
}

/* A vhost behind Basic auth with the users above, and a page for 401. */
static struct tine *
acc_auth_start(void)
{
	struct tine	*t = tine_setup(NULL);
	char		 conf[2048], path[TINE_PATH_MAX];

	cr_assert_not_null(t);
	acc_users(t, "users");
	snprintf(conf, sizeof(conf), "access_log_format = \"%%u %%>s %%U\"\n"
	    "vhost \"auth.test\" { auth_basic_file = \"%s\"\n"
	    "  auth_basic_realm = \"Test Realm\"\n"
	    "  error_pages = {\"401 /401.html\"} }\n",
	    tine_path(path, t->dir, "users"));
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_put(t, "a.txt", "a\n"), 0);
	cr_assert_eq(tine_put(t, "401.html", "<p>who are you?\n"), 0);
	cr_assert_eq(tine_start(t), 0);
	return t;
}

/* GET /a.txt at auth.test with this Authorization line (or none) must be
 * a 401 with the challenge (and the site's page), or a 200 when ok. */
static void
acc_auth_expect(struct tine *t, const char *extra, int ok)
{
	struct tine_resp	r;

	acc_ask(t, AF_INET, "GET", "auth.test", "/a.txt", extra, &r);
	if (ok) {
		cr_expect_eq(r.status, 200, "with %s: %d", extra, r.status);
		cr_expect_str_eq(r.body, "a\n");
		cr_expect_null(tine_resp_header(&r, "WWW-Authenticate"));
	} else {
		cr_expect_eq(r.status, 401, "with %s: %d", extra != NULL ?
		    extra : "(none)", r.status);
		expect_hdr(&r, "WWW-Authenticate", ACC_CHALLENGE);
		cr_expect_eq(tine_resp_count(&r, "WWW-Authenticate"), 1);
		cr_expect_str_eq(r.body, "<p>who are you?\n");
	}
	tine_resp_free(&r);
}

Test(access, basic_auth, .fini = tine_teardown, .timeout = 60)
{
	static const char *const users[] = { "bee", "five", "six", "why" };
	struct tine		*t = acc_auth_start();
	struct tine_resp	 r;
	char			 h[512], pw[32];
	size_t			 i;

	acc_auth_expect(t, NULL, 0);
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		snprintf(pw, sizeof(pw), "pw-%s", users[i]);
		acc_auth_expect(t, acc_basic(users[i], pw, h, sizeof(h)), 1);
		/* A cached success lets no other password in. */
		acc_auth_expect(t, acc_basic(users[i], "pw-x", h, sizeof(h)),
		    0);
		acc_auth_expect(t, acc_basic(users[i], "", h, sizeof(h)), 0);
		acc_auth_expect(t, acc_basic(users[i], pw, h, sizeof(h)), 1);
	}
	acc_auth_expect(t, acc_basic("nobody", "pw-bee", h, sizeof(h)), 0);
	acc_auth_expect(t, acc_basic("BEE", "pw-bee", h, sizeof(h)), 0);
	acc_auth_expect(t, acc_basic("bee", "pw-bee ", h, sizeof(h)), 0);
	/* Malformed: bad base64, no padding, no ':', another scheme. */
	acc_auth_expect(t, "Authorization: Basic !!!!\r\n", 0);
	acc_auth_expect(t, "Authorization: Basic YmVlOnB3LWJlZQ\r\n", 0);
	acc_auth_expect(t, "Authorization: Basic YmVl\r\n", 0);
	acc_auth_expect(t, "Authorization: Bearer YmVlOnB3LWJlZQ==\r\n", 0);
	acc_auth_expect(t, "Authorization: Basic\r\n", 0);
	/* The scheme in any case; two Authorization fields are refused. */
	acc_auth_expect(t, "Authorization: bAsIc YmVlOnB3LWJlZQ==\r\n", 1);
	acc_auth_expect(t, "Authorization: Basic YmVlOnB3LWJlZQ==\r\n"
	    "Authorization: Basic YmVlOnB3LWJlZQ==\r\n", 0);
	/* HEAD: the challenge, no body; another site needs nothing. */
	cr_assert_eq(acc_ask(t, AF_INET, "HEAD", "auth.test", "/a.txt", NULL,
	    &r), 401);
	expect_hdr(&r, "WWW-Authenticate", ACC_CHALLENGE);
	cr_expect_eq(r.bodylen, 0);
	tine_resp_free(&r);
	acc_expect(t, AF_INET, "localhost", "/a.txt", NULL, 200);
	/* %u: the user let in, "-" for the rest. */
	acc_expect_log(t, "bee 200 /a.txt", 3);
	acc_expect_log(t, "six 200 /a.txt", 2);
	acc_expect_log(t, "why 200 /a.txt", 2);
	acc_expect_log(t, "- 401 /a.txt", 19);
	acc_expect_log(t, "- 200 /a.txt", 1);
	cr_expect_eq(tine_count(t->access_log, "nobody"), 0);
	tine_stop(t);
}

/* The example: a location with a password and an address list,
 * matched on the normalised path (no spelling of it gets around them),
 * and a longer one below it that turns the password off again. */
Test(access, per_location, .fini = tine_teardown, .timeout = 60)
{
	static const char *const paths[] = {
		"/private/a.txt", "/%70rivate/a.txt", "//private//a.txt",
		"/x/../private/a.txt", "/private/./a.txt",
	};
	struct tine	*t = tine_setup(NULL);
	char		 conf[2048], path[TINE_PATH_MAX], h[512];
	size_t		 i;

	cr_assert_not_null(t);
	acc_users(t, "users");
	snprintf(conf, sizeof(conf),
	    "location \"/private/\" { auth_basic_file = \"%s\"\n"
	    "  allow = {\"192.0.2.0/24\", \"2001:db8::/32\", \"127.0.0.1\"}\n"
	    "}\nlocation \"/private/open/\" { auth_basic_file = \"\" }\n"
	    "location \"/staff/\" { allow = {\"192.0.2.0/24\"} }\n"
	    "location \"/drafts/\" { hidden_paths = {\"*.bak\"} }\n",
	    tine_path(path, t->dir, "users"));
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_put(t, "a.txt", "a\n"), 0);
	cr_assert_eq(tine_put(t, "private/a.txt", "a\n"), 0);
	cr_assert_eq(tine_put(t, "private/open/a.txt", "a\n"), 0);
	cr_assert_eq(tine_put(t, "staff/a.txt", "a\n"), 0);
	cr_assert_eq(tine_put(t, "drafts/a.bak", "a\n"), 0);
	cr_assert_eq(tine_put(t, "a.bak", "a\n"), 0);
	cr_assert_eq(tine_start(t), 0);
	acc_basic("bee", "pw-bee", h, sizeof(h));
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		acc_expect(t, AF_INET, "localhost", paths[i], NULL, 401);
		acc_expect(t, AF_INET, "localhost", paths[i], h, 200);
	}
	acc_expect(t, AF_INET, "localhost", "/private/open/a.txt", NULL, 200);
	acc_expect(t, AF_INET, "localhost", "/a.txt", NULL, 200);
	/* 127.0.0.1 is not in /staff/'s list, whatever the spelling. */
	acc_expect(t, AF_INET, "localhost", "/staff/a.txt", NULL, 403);
	acc_expect(t, AF_INET, "localhost", "/%73taff/a.txt", NULL, 403);
	acc_expect(t, AF_INET, "localhost", "/drafts/a.bak", NULL, 404);
	acc_expect(t, AF_INET, "localhost", "/a.bak", NULL, 200);
	tine_stop(t);
}

/* The order of the checks: address, then hidden paths, then the
 * password; a hidden path is 404 even to a client with no credentials. */
Test(access, order_of_checks, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = tine_setup(NULL);
	char		 conf[2048], path[TINE_PATH_MAX], h[256];

	cr_assert_not_null(t);
	acc_users(t, "users");
	snprintf(conf, sizeof(conf),
	    "auth_basic_file = \"%s\"\nhidden_paths = {\"*.bak\"}\n"
	    "vhost \"denied.test\" { deny = {\"127.0.0.1\"} }\n"
	    "vhost \"moved.test\" { redirect = \"301 /new\" }\n",
	    tine_path(path, t->dir, "users"));
	cr_assert_eq(tine_config(t, conf), 0);
	cr_assert_eq(tine_put(t, "x.bak", "bak\n"), 0);
	cr_assert_eq(tine_put(t, "a.txt", "a\n"), 0);
	cr_assert_eq(tine_start(t), 0);
	acc_basic("bee", "pw-bee", h, sizeof(h));
	acc_expect(t, AF_INET, "denied.test", "/a.txt", h, 403);
	acc_expect(t, AF_INET, "denied.test", "/x.bak", NULL, 403);
	acc_expect(t, AF_INET, "localhost", "/x.bak", NULL, 404);
	acc_expect(t, AF_INET, "localhost", "/x.bak", h, 404);
	acc_expect(t, AF_INET, "localhost", "/a.txt", NULL, 401);
	acc_expect(t, AF_INET, "localhost", "/a.txt", h, 200);
	acc_expect(t, AF_INET, "localhost", "/missing", h, 404);
	/* A redirect comes after the password too. */
	acc_expect(t, AF_INET, "moved.test", "/a.txt", NULL, 401);
	acc_expect(t, AF_INET, "moved.test", "/a.txt", h, 301);
	tine_stop(t);
}

/* The htpasswd file is read again at a reload: a changed password
 * works and the old one does not, once the old workers are gone. */
Test(access, reload_rereads_the_file, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = acc_auth_start();
	char		 h[256], line[256], path[TINE_PATH_MAX];

	acc_auth_expect(t, acc_basic("bee", "pw-bee", h, sizeof(h)), 1);
	acc_line("bee", "$2b$", 5, "new-pw", line, sizeof(line));
	cr_assert_eq(tine_write_file(tine_path(path, t->dir, "users"), line,
	    strlen(line), 0600), 0);
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_log(t, "master ready: 2 workers, generation 2",
	    1, TINE_TIMEOUT_MS), 0, "no generation 2 after the reload");
	cr_assert_eq(tine_wait_log(t, "generation 1 finished", 1,
	    TINE_TIMEOUT_MS), 0, "generation 1 did not finish");
	acc_auth_expect(t, acc_basic("bee", "pw-bee", h, sizeof(h)), 0);
	acc_auth_expect(t, acc_basic("bee", "new-pw", h, sizeof(h)), 1);
	acc_auth_expect(t, acc_basic("six", "pw-six", h, sizeof(h)), 0);
	tine_stop(t);
}

/* tine -t on extra; its error (from "tine.conf:") and exit status. */
static char *
acc_check(struct tine *t, const char *extra, int *status)
{
	cr_assert_eq(tine_config(t, extra), 0);
	return tine_check(t, status);
}

/* tine -t names the config's file and line, and for a bad htpasswd line
 * the htpasswd file and its line too. */
Test(access, config_errors, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = tine_setup(NULL);
	char		 conf[1024], path[TINE_PATH_MAX], want[1024];
	char		 line[256], *err;
	int		 status;

	cr_assert_not_null(t);
	err = acc_check(t, "vhost \"a.test\" {\n  allow = {\"127.0.0.1\",\n"
	    "    \"10.0.0.0/33\"}\n}", &status);
	cr_expect_eq(status, 1);
	cr_expect_not_null(strstr(err, "tine.conf:"), "%s", err);
	snprintf(want, sizeof(want), ":%d: vhost \"a.test\" allow: "
	    "\"10.0.0.0/33\" must have a prefix length of 0 to 32",
	    tine_count(t->conf, "\n") - 1);
	cr_expect_not_null(strstr(err, want), "want %s in %s", want, err);
	free(err);
	err = acc_check(t, "deny = {\"10.0.0.1/8\"}", &status);
	cr_expect_eq(status, 1);
	cr_expect_not_null(strstr(err, "deny: \"10.0.0.1/8\" has bits set "
	    "past its prefix length (\"10.0.0.0/8\"?)"), "%s", err);
	free(err);
	acc_line("ok", "$5$", 1000, "pw", line, sizeof(line));
	snprintf(conf, sizeof(conf), "%s# a comment\nbad:hunter2\n", line);
	cr_assert_eq(tine_write_file(tine_path(path, t->dir, "users"), conf,
	    strlen(conf), 0600), 0);
	snprintf(conf, sizeof(conf), "auth_basic_file = \"%s\"", path);
	err = acc_check(t, conf, &status);
	cr_expect_eq(status, 1);
	snprintf(want, sizeof(want), ": auth_basic_file: %s:3: is not a "
	    "bcrypt", path);
	cr_expect_not_null(strstr(err, want), "want %s in %s", want, err);
	cr_expect_null(strstr(err, "hunter2"), "the password shown: %s", err);
	free(err);
	snprintf(conf, sizeof(conf), "ok:$apr1$abcdefgh$012345678901234567"
	    "8901\n");
	cr_assert_eq(tine_write_file(path, conf, strlen(conf), 0600), 0);
	snprintf(conf, sizeof(conf), "auth_basic_file = \"%s\"", path);
	err = acc_check(t, conf, &status);
	snprintf(want, sizeof(want), "%s:1: is an MD5 hash, refused", path);
	cr_expect_not_null(strstr(err, want), "want %s in %s", want, err);
	free(err);
	tine_stop(t);
}
