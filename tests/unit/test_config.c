/* Unit tests of config: defaults, every option, overrides, every error. */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cidr.h"
#include "config.h"
#include "htpasswd.h"
#include "mime.h"

static char	 tmpdir[PATH_MAX];	/* real path of a fresh directory */
static char	 conf[64];		/* the config file under test */
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

/* A temp directory (a valid document_root) and an empty temp config. */
static void
setup(void)
{
	char	 dir[] = "/tmp/tine-conf-XXXXXX";
	int	 fd;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_not_null(realpath(dir, tmpdir));
	strlcpy(conf, "/tmp/tine-conf-XXXXXX", sizeof conf);
	cr_assert_neq(fd = mkstemp(conf), -1);
	close(fd);
	root_ov.document_root = tmpdir;
	root_ov.listen = NULL;
}

/* Remove everything setup() and the test made. */
static void
teardown(void)
{
	unlink(conf);
	nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(config, .init = setup, .fini = teardown);

/* Make the temp config hold exactly text. */
static void
conf_write(const char *text)
{
	FILE	*fp;

	cr_assert_not_null(fp = fopen(conf, "w"));
	cr_assert_eq(fputs(text, fp) >= 0, 1);
	cr_assert_eq(fclose(fp), 0);
}

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

/* Load text through the temp file with overrides ov. */
static struct config *
load(const char *text, const struct config_overrides *ov, char *err)
{
	conf_write(text);
	return config_load(conf, ov, err, CONFIG_ERR_MAX);
}

/*
 * Loading text with ov must fail with "CONF:LINE: KEY: ..." (key NULL: a
 * libconfuse message, "CONF:LINE: ...") containing what.
 */
static void
expect_fail_ov(const struct config_overrides *ov, const char *text, int line,
    const char *key, const char *what)
{
	char		 err[CONFIG_ERR_MAX], prefix[256];
	struct config	*c;

	c = load(text, ov, err);
	cr_assert_null(c, "accepted: %s", text);
	if (key != NULL)
		fmt(prefix, sizeof prefix, "%s:%d: %s: ", conf, line, key);
	else
		fmt(prefix, sizeof prefix, "%s:%d: ", conf, line);
	cr_expect(strncmp(err, prefix, strlen(prefix)) == 0,
	    "for [%s]: want prefix \"%s\", got \"%s\"", text, prefix, err);
	if (what != NULL)
		cr_expect_not_null(strstr(err, what),
		    "for [%s]: want \"%s\" in \"%s\"", text, what, err);
}

/* The same with the temp directory as document_root. */
static void
expect_fail(const char *text, int line, const char *key, const char *what)
{
	expect_fail_ov(&root_ov, text, line, key, what);
}

/* Loading text (with the temp document_root) must succeed. */
static struct config *
expect_ok(const char *text)
{
	char		 err[CONFIG_ERR_MAX] = "";
	struct config	*c;

	c = load(text, &root_ov, err);
	cr_assert_not_null(c, "rejected [%s]: %s", text, err);
	return c;
}

/* The IPv4 address and port of a listener, as "a.b.c.d:port". */
static const char *
v4(const struct config_listen *l, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const void *)&l->addr;
	char				 a[INET_ADDRSTRLEN];

	cr_assert_eq(sin->sin_family, AF_INET);
	cr_assert_eq(l->addrlen, sizeof *sin);
	inet_ntop(AF_INET, &sin->sin_addr, a, sizeof a);
	return fmt(buf, len, "%s:%u", a, ntohs(sin->sin_port));
}

/* The number of online CPUs as "auto" resolves it. */
static int
cpus(void)
{
	long	 n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* The access log site i writes to. */
static const struct config_access_log *
alog_of(const struct config *c, size_t i)
{
	cr_assert_lt(i, c->nsites);
	cr_assert_lt(c->sites[i].access_log, c->naccess_logs);
	return &c->access_logs[c->sites[i].access_log];
}

Test(config, builtin_defaults)
{
	char		 err[CONFIG_ERR_MAX] = "x", buf[64];
	struct config	*c;

	c = config_load(NULL, &root_ov, err, sizeof err);
	cr_assert_not_null(c, "%s", err);
	cr_expect_str_empty(err);
	cr_expect_null(c->file);
	cr_assert_eq(c->nlisten, 1);
	cr_expect_str_eq(c->listen[0].text, "127.0.0.1:8080");
	cr_expect_str_eq(v4(&c->listen[0], buf, sizeof buf), "127.0.0.1:8080");
	cr_expect_eq(c->backlog, 511);
	cr_expect_eq(c->tcp_notsent_lowat, 16384);
	cr_expect_str_eq(c->sites[0].document_root, tmpdir);
	cr_assert_eq(c->sites[0].nindex, 2);
	cr_expect_str_eq(c->sites[0].index[0], "index.html");
	cr_expect_str_eq(c->sites[0].index[1], "index.htm");
	cr_expect_eq(c->workers, cpus());
	cr_expect_eq(c->max_connections, 1024);
	cr_expect_eq(c->max_requests_per_worker, 0);
	cr_expect_eq(c->keepalive_requests, 1000);
	cr_expect_null(c->user);
	cr_expect_null(c->group);
	cr_expect_null(c->pid_file);	/* main decides: RUNSTATEDIR for a daemon */
	cr_expect_eq(c->error_log_dest, CONFIG_LOG_DEFAULT);
	cr_expect_null(c->error_log);
	cr_expect_eq(c->log_level, LOG_NOTICE);
	cr_expect_eq(c->syslog_facility, LOG_DAEMON);
	cr_expect_eq(c->naccess_logs, 1);
	cr_expect_eq(alog_of(c, 0)->dest, CONFIG_LOG_DEFAULT);
	cr_expect_null(alog_of(c, 0)->path);
	cr_expect_str_eq(c->sites[0].access_log_format, "combined");
	cr_expect_str_eq(c->mime_types, "/etc/mime.types");
	cr_expect_str_eq(c->sites[0].default_type, "application/octet-stream");
	cr_expect_eq(c->header_timeout, 10);
	cr_expect_eq(c->keepalive_timeout, 15);
	cr_expect_eq(c->send_timeout, 60);
	cr_expect_eq(c->watchdog_timeout, 30);
	cr_expect_eq(c->worker_shutdown_timeout, 0);	/* no limit */
	cr_expect_eq(c->max_request_line, 8192);
	cr_expect_eq(c->max_header_size, 16384);
	cr_expect_eq(c->max_headers, 100);
	cr_expect_eq(c->max_body_size, 1048576);
	cr_expect_eq(c->server_tokens, true);
	cr_expect_eq(c->sites[0].hidden_files, false);
	config_free(c);
}

Test(config, empty_file_is_defaults)
{
	struct config	*c = expect_ok("# nothing but a comment\n");

	cr_expect_str_eq(c->file, conf);
	cr_expect_str_eq(c->listen[0].text, "127.0.0.1:8080");
	cr_expect_eq(c->backlog, 511);
	config_free(c);
}

Test(config, default_document_root)
{
	char		 err[CONFIG_ERR_MAX];
	struct config	*c;
	struct stat	 st;

	if (stat(DATADIR "/tine/www", &st) == 0)
		cr_skip_test(DATADIR "/tine/www exists here");
	c = config_load(NULL, NULL, err, sizeof err);
	cr_assert_null(c);
	cr_expect(strncmp(err, "(default): document_root: ", 26) == 0, "%s",
	    err);
	cr_expect_not_null(strstr(err, DATADIR "/tine/www"), "%s", err);
}

Test(config, every_option)
{
	char		 text[4096], buf[64], logs[PATH_MAX + 8];
	struct config	*c;
	const struct sockaddr_in6 *sin6;

	mkdir(fmt(logs, sizeof logs, "%s/logs", tmpdir), 0755);
	fmt(text, sizeof text,
	    "# every option, none at its default\n"
	    "listen = { \"10.1.2.3:81\", \"[::1]:8443\",\n"
	    "    \"*:82\" }\n"
	    "backlog = 128\n"
	    "document_root = \"%s\"\n"
	    "index = { \"default.htm\" }\n"
	    "workers = 3\n"
	    "max_connections = 1\n"
	    "max_requests_per_worker = 5000\n"
	    "keepalive_requests = 0\n"
	    "user = \"nobody\"\n"
	    "group = \"root\"\n"
	    "pid_file = \"%s/tine.pid\"\n"
	    "error_log = \"%s/logs/error.log\"\n"
	    "log_level = debug\n"
	    "syslog_facility = local3\n"
	    "access_log = \"%s/logs/access.log\"\n"
	    "access_log_format = \"%%h %%r %%s\"\n"
	    "mime_types = \"/nonexistent/mime.types\"\n"
	    "default_type = \"text/plain; charset=utf-8\"\n"
	    "header_timeout = 1\n"
	    "keepalive_timeout = 2\n"
	    "send_timeout = 3\n"
	    "watchdog_timeout = 4\n"
	    "worker_shutdown_timeout = 86400\n"
	    "max_request_line = 256\n"
	    "max_header_size = 1048576\n"
	    "max_headers = 7\n"
	    "max_body_size = 1099511627776\n"
	    "server_tokens = false\n"
	    "hidden_files = allow\n",
	    tmpdir, tmpdir, tmpdir, tmpdir);
	c = expect_ok(text);
	cr_assert_eq(c->nlisten, 3);
	cr_expect_str_eq(c->listen[0].text, "10.1.2.3:81");
	cr_expect_str_eq(v4(&c->listen[0], buf, sizeof buf), "10.1.2.3:81");
	cr_expect_str_eq(c->listen[1].text, "[::1]:8443");
	sin6 = (const void *)&c->listen[1].addr;
	cr_expect_eq(sin6->sin6_family, AF_INET6);
	cr_expect_eq(ntohs(sin6->sin6_port), 8443);
	cr_expect(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	cr_expect_str_eq(v4(&c->listen[2], buf, sizeof buf), "0.0.0.0:82");
	cr_expect_eq(c->backlog, 128);
	cr_expect_str_eq(c->sites[0].document_root, tmpdir);
	cr_assert_eq(c->sites[0].nindex, 1);
	cr_expect_str_eq(c->sites[0].index[0], "default.htm");
	cr_expect_eq(c->workers, 3);
	cr_expect_eq(c->max_connections, 1);
	cr_expect_eq(c->max_requests_per_worker, 5000);
	cr_expect_eq(c->keepalive_requests, 0);
	cr_expect_str_eq(c->user, "nobody");
	cr_expect_str_eq(c->group, "root");
	cr_expect_str_eq(c->pid_file, fmt(buf, sizeof buf, "%s/tine.pid",
	    tmpdir));
	cr_expect_eq(c->error_log_dest, CONFIG_LOG_FILE);
	cr_expect_str_eq(c->error_log, fmt(logs, sizeof logs,
	    "%s/logs/error.log", tmpdir));
	cr_expect_eq(c->log_level, LOG_DEBUG);
	cr_expect_eq(c->syslog_facility, LOG_LOCAL3);
	cr_expect_eq(alog_of(c, 0)->dest, CONFIG_LOG_FILE);
	cr_expect_str_eq(alog_of(c, 0)->path, fmt(logs, sizeof logs,
	    "%s/logs/access.log", tmpdir));
	cr_expect_str_eq(c->sites[0].access_log_format, "%h %r %s");
	cr_expect_str_eq(c->mime_types, "/nonexistent/mime.types");
	cr_expect_str_eq(c->sites[0].default_type, "text/plain; charset=utf-8");
	cr_expect_eq(c->header_timeout, 1);
	cr_expect_eq(c->keepalive_timeout, 2);
	cr_expect_eq(c->send_timeout, 3);
	cr_expect_eq(c->watchdog_timeout, 4);
	cr_expect_eq(c->worker_shutdown_timeout, 86400);
	cr_expect_eq(c->max_request_line, 256);
	cr_expect_eq(c->max_header_size, 1048576);
	cr_expect_eq(c->max_headers, 7);
	cr_expect_eq(c->max_body_size, 1099511627776ULL);
	cr_expect_eq(c->server_tokens, false);
	cr_expect_eq(c->sites[0].hidden_files, true);
	config_free(c);
}

Test(config, keywords)
{
	static const struct { const char *text; int level, fac; } w[] = {
		{ "log_level = info\nsyslog_facility = user\n",
		    LOG_INFO, LOG_USER },
		{ "log_level = warn\nsyslog_facility = local0\n",
		    LOG_WARNING, LOG_LOCAL0 },
		{ "log_level = error\nsyslog_facility = local7\n",
		    LOG_ERR, LOG_LOCAL7 },
		{ "log_level = crit\n", LOG_CRIT, LOG_DAEMON },
		{ "log_level = alert\n", LOG_ALERT, LOG_DAEMON },
		{ "log_level = emerg\n", LOG_EMERG, LOG_DAEMON },
	};
	struct config	*c;
	size_t		 i;

	for (i = 0; i < sizeof w / sizeof w[0]; i++) {
		c = expect_ok(w[i].text);
		cr_expect_eq(c->log_level, w[i].level, "%s", w[i].text);
		cr_expect_eq(c->syslog_facility, w[i].fac, "%s", w[i].text);
		config_free(c);
	}
}

Test(config, log_destinations)
{
	struct config	*c;

	c = expect_ok("error_log = stderr\naccess_log = off\n");
	cr_expect_eq(c->error_log_dest, CONFIG_LOG_STDERR);
	cr_expect_eq(alog_of(c, 0)->dest, CONFIG_LOG_OFF);
	config_free(c);
	c = expect_ok("error_log = syslog\naccess_log = stdout\n");
	cr_expect_eq(c->error_log_dest, CONFIG_LOG_SYSLOG);
	cr_expect_eq(alog_of(c, 0)->dest, CONFIG_LOG_STDOUT);
	config_free(c);
	c = expect_ok("access_log = stderr\n");
	cr_expect_eq(alog_of(c, 0)->dest, CONFIG_LOG_STDERR);
	config_free(c);
	c = expect_ok("access_log = syslog\naccess_log_format = json\n");
	cr_expect_eq(alog_of(c, 0)->dest, CONFIG_LOG_SYSLOG);
	cr_expect_str_eq(c->sites[0].access_log_format, "json");
	config_free(c);
	c = expect_ok("access_log_format = common\n");
	cr_expect_str_eq(c->sites[0].access_log_format, "common");
	config_free(c);
}

Test(config, pid_file_off)
{
	struct config	*c;

	c = expect_ok("pid_file = off\n");
	cr_expect_str_empty(c->pid_file);
	config_free(c);
	c = expect_ok("pid_file = \"\"\n");
	cr_expect_str_empty(c->pid_file);
	config_free(c);
}

Test(config, relative_paths_become_absolute)
{
	char		 old[PATH_MAX], want[PATH_MAX + 16];
	struct config	*c;

	cr_assert_not_null(getcwd(old, sizeof old));
	cr_assert_eq(chdir(tmpdir), 0);
	c = expect_ok("pid_file = tine.pid\nerror_log = \"./e.log\"\n");
	cr_expect_str_eq(c->pid_file, fmt(want, sizeof want, "%s/tine.pid",
	    tmpdir));
	cr_expect_str_eq(c->error_log, fmt(want, sizeof want, "%s/./e.log",
	    tmpdir));
	config_free(c);
	cr_assert_eq(chdir(old), 0);
}

Test(config, workers)
{
	struct config	*c;

	c = expect_ok("workers = \"256\"\n");
	cr_expect_eq(c->workers, 256);
	config_free(c);
	c = expect_ok("workers = 1\n");
	cr_expect_eq(c->workers, 1);
	config_free(c);
	c = expect_ok("workers = auto\n");
	cr_expect_eq(c->workers, cpus());
	config_free(c);
}

Test(config, limits_accepted)
{
	struct config	*c;

	c = expect_ok("backlog = 1\nmax_connections = 65536\n"
	    "max_requests_per_worker = 2147483647\n"
	    "keepalive_requests = 2147483647\nmax_request_line = 65536\n"
	    "max_header_size = 65536\nmax_headers = 100\nmax_body_size = 0\n"
	    "tcp_notsent_lowat = 0\n");
	cr_expect_eq(c->backlog, 1);
	cr_expect_eq(c->tcp_notsent_lowat, 0);
	cr_expect_eq(c->max_connections, 65536);
	cr_expect_eq(c->max_requests_per_worker, 2147483647L);
	cr_expect_eq(c->keepalive_requests, 2147483647L);
	cr_expect_eq(c->max_request_line, 65536);
	cr_expect_eq(c->max_header_size, 65536);
	cr_expect_eq(c->max_headers, 100);
	cr_expect_eq(c->max_body_size, 0);
	config_free(c);
}

/* A list over several lines blames the line of the bad value. */
Test(config, list_value_lines)
{
	expect_fail("listen = { \"*:81\",\n \"bad2\" }\n", 2, "listen",
	    "bad2");
}

Test(config, append_to_default_list)
{
	struct config	*c;

	c = expect_ok("index += { \"home.html\" }\n");
	cr_assert_eq(c->sites[0].nindex, 3);
	cr_expect_str_eq(c->sites[0].index[0], "index.html");
	cr_expect_str_eq(c->sites[0].index[2], "home.html");
	config_free(c);
	/* The appended value is blamed on its own line, not a default's. */
	expect_fail("# x\nindex += {\n \"ok.html\",\n \"a/b\" }\n", 4, "index",
	    "\"a/b\"");
}

Test(config, empty_index_list)
{
	struct config	*c = expect_ok("index = {}\n");

	cr_expect_eq(c->sites[0].nindex, 0);
	config_free(c);
}

Test(config, environment_variable_values)
{
	struct config	*c;

	cr_assert_eq(setenv("TINE_TEST_BACKLOG", "77", 1), 0);
	c = expect_ok("backlog = ${TINE_TEST_BACKLOG}\n");
	cr_expect_eq(c->backlog, 77);
	config_free(c);
	/* A substituted value is still blamed on the line that used it. */
	expect_fail("\n\nworkers = \"${TINE_TEST_BACKLOG}0\"\n", 3, "workers",
	    "\"770\"");
}

Test(config, overrides)
{
	char			 text[512], buf[64], other[PATH_MAX + 8];
	struct config_overrides	 ov = { 0 };
	char			 err[CONFIG_ERR_MAX];
	struct config		*c;

	fmt(other, sizeof other, "%s/other", tmpdir);
	cr_assert_eq(mkdir(other, 0755), 0);
	fmt(text, sizeof text, "document_root = \"%s\"\n"
	    "listen = { \"127.0.0.1:81\", \"127.0.0.1:82\" }\n", tmpdir);
	ov.document_root = other;
	ov.listen = "[::]:9000";
	c = load(text, &ov, err);
	cr_assert_not_null(c, "%s", err);
	cr_expect_str_eq(c->sites[0].document_root, other);
	cr_assert_eq(c->nlisten, 1);
	cr_expect_str_eq(c->listen[0].text, "[::]:9000");
	config_free(c);
	/* Without overrides the file's values stand. */
	c = load(text, NULL, err);
	cr_assert_not_null(c, "%s", err);
	cr_expect_str_eq(c->sites[0].document_root, tmpdir);
	cr_assert_eq(c->nlisten, 2);
	cr_expect_str_eq(v4(&c->listen[1], buf, sizeof buf), "127.0.0.1:82");
	config_free(c);
}

Test(config, override_errors)
{
	struct config_overrides	 ov = { .document_root = "/nonexistent/www" };
	char			 err[CONFIG_ERR_MAX];

	cr_assert_null(config_load(NULL, &ov, err, sizeof err));
	cr_expect_str_eq(err, "(command line): document_root: "
	    "\"/nonexistent/www\": No such file or directory");
	ov.document_root = tmpdir;
	ov.listen = "localhost:80";
	cr_assert_null(load("listen = { \"*:80\" }\n", &ov, err));
	cr_expect(strncmp(err, "(command line): listen: ", 24) == 0, "%s",
	    err);
	cr_expect_not_null(strstr(err, "\"localhost:80\""), "%s", err);
	ov.listen = "127.0.0.1:0080";
	cr_assert_null(load("listen = { \"*:80\" }\n", &ov, err));
	cr_expect_str_eq(err, "(command line): listen: port must not have a "
	    "leading zero, got \"127.0.0.1:0080\"");
}

Test(config, error_format_example)
{
	char	 want[CONFIG_ERR_MAX], err[CONFIG_ERR_MAX];

	cr_assert_null(load("# twelve lines\n\n\n\n\n\n\n\n\n\n\n"
	    "workers = \"0\"\n", &root_ov, err));
	cr_expect_str_eq(err, fmt(want, sizeof want, "%s:12: workers: must be "
	    "\"auto\" or 1..256, got \"0\"", conf));
}

Test(config, libconfuse_errors)
{
	expect_fail("backlog = 5\n\nbogus = 3\n", 3, "bogus",
	    "no such option 'bogus'");
	expect_fail("backlog = 5\nindex = { \"a\" \"b\" }\n", 2, NULL,
	    "unexpected token");
	expect_fail("backlog = 5\n\n\nlisten = {\n", 5, NULL, NULL);
	expect_fail("\nbacklog = abc\n", 2, NULL, "'backlog'");
	expect_fail("\n\nserver_tokens = maybe\n", 3, NULL, "'server_tokens'");
	expect_fail("max_body_size = 99999999999999999999999\n", 1, NULL,
	    "'max_body_size'");
	expect_fail("/* a\ncomment */ backlog = = 5\n", 2, NULL,
	    "unexpected token");
}

/* libconfuse 3.3 miscounts lines after comments; tine must not. */
Test(config, lines_after_comments)
{
	static const char *pre = "# hash\n// slashes\n/* one */\n"
	    "/* two\n   lines */\nbacklog = 5 # trailing\n"
	    "index = { \"a#b.html\", // an index\n \"c.html\" /* x */ }\n";
	char		 text[512];
	struct config	*c;

	c = expect_ok(pre);
	cr_assert_eq(c->sites[0].nindex, 2);
	cr_expect_str_eq(c->sites[0].index[0], "a#b.html");
	config_free(c);
	expect_fail(fmt(text, sizeof text, "%sbogus = 1\n", pre), 9, NULL,
	    "'bogus'");
	expect_fail(fmt(text, sizeof text, "%smax_connections = x\n", pre), 9,
	    NULL, "'max_connections'");
	expect_fail(fmt(text, sizeof text, "%smax_connections = 0\n", pre), 9,
	    "max_connections", "got 0");
	expect_fail(fmt(text, sizeof text, "%slisten = {\n# c\n\"/\" }\n",
	    pre), 11, "listen", NULL);
	expect_fail(fmt(text, sizeof text, "%smime_types = \"x\ny\" /* z\n */ "
	    "max_connections = 0\n", pre), 11, "max_connections", NULL);
}

Test(config, hidden_options_are_unknown)
{
	expect_fail("\"#error\" = \"x\"\n", 1, "#error", "no such option");
	expect_fail("\n\"#error_line\" = 3\n", 2, "#error_line",
	    "no such option");
}

Test(config, integer_ranges)
{
	static const struct { const char *key, *bad; } r[] = {
		{ "backlog", "0" }, { "backlog", "65536" },
		{ "max_connections", "0" }, { "max_connections", "65537" },
		{ "max_requests_per_worker", "-1" },
		{ "max_requests_per_worker", "2147483648" },
		{ "keepalive_requests", "-1" },
		{ "keepalive_requests", "2147483648" },
		{ "header_timeout", "0" }, { "header_timeout", "86401" },
		{ "keepalive_timeout", "0" }, { "keepalive_timeout", "86401" },
		{ "send_timeout", "0" }, { "send_timeout", "86401" },
		{ "watchdog_timeout", "0" }, { "watchdog_timeout", "86401" },
		{ "worker_shutdown_timeout", "-1" },
		{ "worker_shutdown_timeout", "86401" },
		{ "max_request_line", "255" }, { "max_request_line", "65537" },
		{ "max_header_size", "1023" }, { "max_header_size", "1048577" },
		{ "max_headers", "0" }, { "max_headers", "101" },
		{ "max_body_size", "-1" }, { "max_body_size", "1099511627777" },
		{ "tcp_notsent_lowat", "-1" },
		{ "tcp_notsent_lowat", "16777217" },
	};
	char	 text[256], what[64];
	size_t	 i;

	for (i = 0; i < sizeof r / sizeof r[0]; i++) {
		fmt(text, sizeof text, "# range\nworkers = 1\n%s = %s\n",
		    r[i].key, r[i].bad);
		expect_fail(text, 3, r[i].key, fmt(what, sizeof what,
		    "got %s", r[i].bad));
	}
}

Test(config, header_size_holds_request_line)
{
	expect_fail("max_request_line = 4096\n\nmax_header_size = 2048\n", 3,
	    "max_header_size", "at least max_request_line (4096)");
	/* With max_header_size at its default, the line that set the other. */
	expect_fail("\nmax_request_line = 20000\n", 2, "max_request_line",
	    "must not exceed max_header_size (16384), got 20000");
}

Test(config, workers_errors)
{
	expect_fail("\nworkers = 0\n", 2, "workers",
	    "must be \"auto\" or 1..256, got \"0\"");
	expect_fail("\nworkers = 257\n", 2, "workers", "got \"257\"");
	expect_fail("\nworkers = \"many\"\n", 2, "workers", "got \"many\"");
	expect_fail("\nworkers = \"-1\"\n", 2, "workers", "got \"-1\"");
	expect_fail("\nworkers = \"\"\n", 2, "workers", "got \"\"");
}

Test(config, listen_errors)
{
	static const struct { const char *addr, *what; } bad[] = {
		{ "1.2.3.4", "missing \":port\"" },
		{ "1.2.3.4:0", "port must be 1..65535" },
		{ "1.2.3.4:70000", "port must be 1..65535" },
		{ "1.2.3.4:", "port must be 1..65535" },
		{ "1.2.3.4:+80", "port must be 1..65535" },
		{ "1.2.3.4:080x", "port must be 1..65535" },
		{ "1.2.3.4:0080", "port must not have a leading zero, got "
		    "\"1.2.3.4:0080\"" },
		{ "*:080 tls", "port must not have a leading zero" },
		{ "1.2.3.4:00", "port must not have a leading zero" },
		{ "1.2.3.4:000080", "port must not have a leading zero" },
		{ "[::1]:0443", "port must not have a leading zero" },
		{ "[::1:80", "missing ']'" },
		{ "[::1]80", "missing \":port\" after ']'" },
		{ "[::1]:0", "port must be 1..65535" },
		{ "[1.2.3.4]:80", "not a numeric IPv6 address" },
		{ "::1:80", "needs brackets" },
		{ "host.example:80", "host names are not accepted" },
		{ "localhost:80", "host names are not accepted" },
		{ "1.2.3:80", "not a numeric IPv4 address" },
		{ "", "missing \":port\"" },
	};
	char	 text[256];
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fmt(text, sizeof text, "listen = {\n  \"127.0.0.1:80\",\n"
		    "  \"%s\"\n}\n", bad[i].addr);
		expect_fail(text, 3, "listen", bad[i].what);
	}
}

Test(config, listen_duplicates_and_empty)
{
	expect_fail("listen = { \"*:80\",\n\"0.0.0.0:80\" }\n", 2, "listen",
	    "duplicate address \"0.0.0.0:80\" (same as *:80)");
	expect_fail("listen = { \"*:80\",\n\n\"*:80\" }\n", 3, "listen",
	    "duplicate address \"*:80\"");
	expect_fail("listen = { \"[::1]:80\", \"[0:0::1]:80\" }\n", 1,
	    "listen", "duplicate address");
	expect_fail("\n\nlisten = {}\n", 3, "listen", "at least one");
}

Test(config, listen_same_port_other_address_is_fine)
{
	struct config	*c;

	c = expect_ok("listen = { \"127.0.0.1:80\", \"127.0.0.2:80\", "
	    "\"127.0.0.1:81\", \"[::1]:80\" }\n");
	cr_expect_eq(c->nlisten, 4);
	config_free(c);
}

Test(config, document_root_errors)
{
	char	 text[PATH_MAX + 64], file[PATH_MAX + 8];
	int	 fd;

	expect_fail_ov(NULL, "\ndocument_root = \"/nonexistent/www\"\n", 2,
	    "document_root", "No such file or directory");
	fmt(file, sizeof file, "%s/file", tmpdir);
	cr_assert_neq(fd = open(file, O_CREAT | O_WRONLY, 0644), -1);
	close(fd);
	fmt(text, sizeof text, "\n\ndocument_root = \"%s\"\n", file);
	expect_fail_ov(NULL, text, 3, "document_root", "not a directory");
	expect_fail_ov(NULL, "document_root = \"\"\n", 1, "document_root",
	    "must not be empty");
}

Test(config, document_root_is_resolved)
{
	char		 text[PATH_MAX + 64], err[CONFIG_ERR_MAX];
	struct config	*c;

	fmt(text, sizeof text, "document_root = \"%s/./\"\n", tmpdir);
	c = load(text, NULL, err);
	cr_assert_not_null(c, "%s", err);
	cr_expect_str_eq(c->sites[0].document_root, tmpdir);
	config_free(c);
}

Test(config, index_errors)
{
	char	 text[512];

	expect_fail("index = { \"index.html\",\n \"\" }\n", 2, "index",
	    "must not be empty");
	expect_fail("\nindex = \"a/index.html\"\n", 2, "index", "without '/'");
	expect_fail("\n\nindex = { \".\" }\n", 3, "index", "\".\"");
	expect_fail("index = { \"..\" }\n", 1, "index", "\"..\"");
	fmt(text, sizeof text, "\nindex = \"%0256d\"\n", 0);
	expect_fail(text, 2, "index", "longer than a file name");
	fmt(text, sizeof text, "\nindex = \"%0255d\"\n", 0);
	config_free(expect_ok(text));
}

/* A key set twice is an error naming both lines; += still appends. */
Test(config, key_set_twice)
{
	struct config	*c;

	expect_fail("workers = 2\nbacklog = 5\n\nworkers = 3\n", 4, "workers",
	    "set twice (first on line 1)");
	expect_fail("\nserver_tokens = false\n# server_tokens = true\n"
	    "server_tokens = \"true\"\n", 4, "server_tokens", "set twice "
	    "(first on line 2)");
	c = expect_ok("index = {\"a.html\"}\nindex += {\"b.html\"}\n");
	cr_assert_eq(c->sites[0].nindex, 2);
	config_free(c);
}

/* An unterminated string is blamed on the line its quote opened. */
Test(config, unterminated_string_line)
{
	expect_fail("workers = 2\nerror_log = \"/tmp/x\nbacklog = 5\n\n", 2,
	    NULL, "unterminated string");
	expect_fail("\n\nindex = { \"a.html\", 'b.html }\n\n\n", 3, NULL,
	    "unterminated string");
}

Test(config, account_errors)
{
	expect_fail("\nuser = \"tine-no-such-user\"\n", 2, "user",
	    "no such user \"tine-no-such-user\"");
	expect_fail("\n\ngroup = \"tine-no-such-group\"\n", 3, "group",
	    "no such group");
	/* Workers must never keep root's powers. */
	expect_fail("\nuser = \"root\"\n", 2, "user", "\"root\" is root");
}

/* log_group: "adm" where it exists (else none), a named group by its gid,
 * a missing one refused. */
Test(config, log_group)
{
	struct group	*gr = getgrnam("adm");
	gid_t		 adm = gr != NULL ? gr->gr_gid : (gid_t)-1;
	struct config	*c;

	c = expect_ok("");
	cr_expect_eq(c->log_gid, adm);
	config_free(c);
	c = expect_ok("log_group = \"root\"\n");
	cr_expect_eq(c->log_gid, 0);
	config_free(c);
	expect_fail("\nlog_group = \"tine-no-such-group\"\n", 2, "log_group",
	    "no such group \"tine-no-such-group\"");
}

Test(config, keyword_errors)
{
	expect_fail("\nlog_level = verbose\n", 2, "log_level",
	    "got \"verbose\"");
	expect_fail("\n\n\nhidden_files = off\n", 4, "hidden_files",
	    "must be deny or allow, got \"off\"");
	expect_fail("\nlog_level = warning\n", 2, "log_level", "warn");
	expect_fail("\nsyslog_facility = local8\n", 2, "syslog_facility",
	    "got \"local8\"");
	expect_fail("\nerror_log = off\n", 2, "error_log", "\"off\"");
	expect_fail("\naccess_log_format = fancy\n", 2, "access_log_format",
	    "got \"fancy\"");
}

Test(config, default_type_errors)
{
	expect_fail("\ndefault_type = text\n", 2, "default_type", "\"text\"");
	expect_fail("\ndefault_type = \"text/\"\n", 2, "default_type", NULL);
	expect_fail("\ndefault_type = \"/plain\"\n", 2, "default_type", NULL);
	expect_fail("\ndefault_type = \"text/plain x\"\n", 2, "default_type",
	    NULL);
	expect_fail("\ndefault_type = \"text/plain \"\n", 2, "default_type",
	    NULL);
	expect_fail("\ndefault_type = \"text/plain;\\r\\nX: y\"\n", 2,
	    "default_type", "\\r\\n");
}

Test(config, path_errors)
{
	char	 text[PATH_MAX + 64];

	expect_fail("\npid_file = \"/nonexistent/dir/tine.pid\"\n", 2,
	    "pid_file", "directory \"/nonexistent/dir\" does not exist");
	expect_fail("\nerror_log = \"/nonexistent/error.log\"\n", 2,
	    "error_log", "does not exist");
	expect_fail("\naccess_log = \"/nonexistent/access.log\"\n", 2,
	    "access_log", "does not exist");
	fmt(text, sizeof text, "\n\naccess_log = \"%s\"\n", tmpdir);
	expect_fail(text, 3, "access_log", "is a directory");
	expect_fail("\npid_file = /\n", 2, "pid_file", "is a directory");
}

Test(config, missing_or_odd_file)
{
	char	 err[CONFIG_ERR_MAX];

	cr_assert_null(config_load("/nonexistent/tine.conf", NULL, err,
	    sizeof err));
	cr_expect_str_eq(err,
	    "/nonexistent/tine.conf: No such file or directory");
	cr_assert_null(config_load(tmpdir, &root_ov, err, sizeof err));
	cr_expect_not_null(strstr(err, "not a regular file"), "%s", err);
	cr_expect_eq(strncmp(err, tmpdir, strlen(tmpdir)), 0, "%s", err);
}

Test(config, nul_byte_in_file)
{
	char	 err[CONFIG_ERR_MAX];
	FILE	*fp;

	cr_assert_not_null(fp = fopen(conf, "w"));
	fwrite("backlog = 5\n\0x", 1, 14, fp);
	fclose(fp);
	cr_assert_null(config_load(conf, &root_ov, err, sizeof err));
	cr_expect_not_null(strstr(err, "NUL"), "%s", err);
}

Test(config, small_error_buffer_is_terminated)
{
	char	 err[8];

	memset(err, 'x', sizeof err);
	cr_assert_null(config_load("/nonexistent/tine.conf", NULL, err,
	    sizeof err));
	cr_expect_eq(strlen(err), sizeof err - 1);
	cr_assert_null(config_load("/nonexistent/tine.conf", NULL, NULL, 0));
}

Test(config, parse_listen)
{
	struct config_listen		 l;
	const struct sockaddr_in	*sin = (const void *)&l.addr;
	const struct sockaddr_in6	*sin6 = (const void *)&l.addr;
	struct in6_addr			 want6;

	cr_assert_eq(config_parse_listen("192.168.1.2:8080", &l), 0);
	cr_expect_eq(sin->sin_family, AF_INET);
	cr_expect_eq(l.addrlen, sizeof(struct sockaddr_in));
	cr_expect_eq(ntohs(sin->sin_port), 8080);
	cr_expect_eq(ntohl(sin->sin_addr.s_addr), 0xc0a80102u);
	cr_expect_str_eq(l.text, "192.168.1.2:8080");
	free(l.text);

	cr_assert_eq(config_parse_listen("[2001:db8::5]:443", &l), 0);
	cr_expect_eq(sin6->sin6_family, AF_INET6);
	cr_expect_eq(l.addrlen, sizeof(struct sockaddr_in6));
	cr_expect_eq(ntohs(sin6->sin6_port), 443);
	inet_pton(AF_INET6, "2001:db8::5", &want6);
	cr_expect_eq(memcmp(&sin6->sin6_addr, &want6, sizeof want6), 0);
	cr_expect_str_eq(l.text, "[2001:db8::5]:443");
	free(l.text);

	cr_assert_eq(config_parse_listen("*:65535", &l), 0);
	cr_expect_eq(sin->sin_family, AF_INET);
	cr_expect_eq(sin->sin_addr.s_addr, htonl(INADDR_ANY));
	cr_expect_eq(ntohs(sin->sin_port), 65535);
	free(l.text);

	cr_expect_eq(config_parse_listen("*:65536", &l), -1);
	cr_expect_eq(config_parse_listen("*:080", &l), -1);
	cr_expect_eq(config_parse_listen("[::1]:08080", &l), -1);
	cr_expect_eq(config_parse_listen("*", &l), -1);
	cr_expect_eq(config_parse_listen("[::1]", &l), -1);
	cr_expect_eq(config_parse_listen("example.com:80", &l), -1);
	cr_expect_eq(config_parse_listen("[::ffff:1.2.3.4]:80 ", &l), -1);
	cr_expect_eq(config_parse_listen(" 1.2.3.4:80", &l), -1);
	/* Longer than any address can be written. */
	cr_expect_eq(config_parse_listen("[1111:2222:3333:4444:5555:6666:"
	    "7777:8888]:65535.............................", &l), -1);
}

Test(config, level_names)
{
	cr_expect_str_eq(config_level_name(LOG_DEBUG), "debug");
	cr_expect_str_eq(config_level_name(LOG_WARNING), "warn");
	cr_expect_str_eq(config_level_name(LOG_ERR), "error");
	cr_expect_str_eq(config_level_name(LOG_EMERG), "emerg");
	cr_expect_str_eq(config_level_name(99), "unknown");
}

/* Read a whole small file into buf; -1 if it cannot be read. */
static int
slurp(const char *path, char *buf, size_t len)
{
	FILE	*fp;
	size_t	 n;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return n < len - 1 ? 0 : -1;
}

/* The sample etc/tine.conf.in, its directories set to this test's. */
Test(config, sample_config_is_valid)
{
	static const char *const marks[] = { "@sbindir@", "@sysconfdir@",
	    "@localstatedir@", "@runstatedir@", "@datadir@" };
	static char		 text[65536], out[65536];
	char			 path[PATH_MAX], logs[PATH_MAX + 16];
	const char		*src = getenv("TINE_SRCDIR"), *p, *hit;
	struct config		*c;
	size_t			 i, k;

	cr_assert_not_null(src, "TINE_SRCDIR is not set (make check sets it)");
	fmt(path, sizeof path, "%s/etc/tine.conf.in", src);
	cr_assert_eq(slurp(path, text, sizeof text), 0, "cannot read %s", path);
	/* Its log directory only exists once installed: make it here. */
	fmt(logs, sizeof logs, "%s/log", tmpdir);
	cr_assert_eq(mkdir(logs, 0755), 0);
	fmt(logs, sizeof logs, "%s/log/tine", tmpdir);
	cr_assert_eq(mkdir(logs, 0755), 0);
	out[0] = '\0';
	for (p = text; *p != '\0'; p = hit) {
		if ((hit = strchr(p, '@')) == NULL)
			hit = p + strlen(p);
		strncat(out, p, (size_t)(hit - p));
		for (i = 0; *hit != '\0' && i < sizeof marks / sizeof marks[0];
		    i++)
			if (strncmp(hit, marks[i], k = strlen(marks[i])) == 0)
				break;
		if (*hit == '\0')
			break;
		if (i < sizeof marks / sizeof marks[0]) {
			strlcat(out, tmpdir, sizeof out);
			hit += k;
		} else {
			strlcat(out, "@", sizeof out);
			hit++;
		}
		cr_assert_lt(strlen(out) + PATH_MAX, sizeof out);
	}
	c = expect_ok(out);
	cr_assert_eq(c->nlisten, 1);
	cr_expect_str_eq(c->listen[0].text, "*:80");
	cr_expect_eq(c->error_log_dest, CONFIG_LOG_FILE);
	cr_expect_eq(alog_of(c, 0)->dest, CONFIG_LOG_FILE);
	cr_expect_str_eq(c->pid_file, fmt(path, sizeof path, "%s/tine.pid",
	    tmpdir));
	cr_expect_str_eq(alog_of(c, 0)->path, fmt(path, sizeof path,
	    "%s/log/tine/access.log", tmpdir));
	config_free(c);
}

/* redirect and try_html at top level and in a vhost: the code, the target
 * without its trailing '/', and what a vhost inherits or turns off. */
Test(config, redirect_and_try_html)
{
	struct config	*c;

	c = expect_ok("redirect = \"308 https://Example.net:8443/new/\"\n"
	    "try_html = on\n"
	    "vhost \"same.test\" { }\n"
	    "vhost \"off.test\" { redirect = \"\"\n try_html = off }\n"
	    "vhost \"own.test\" { redirect = \"302 /elsewhere\" }\n");
	cr_assert_eq(c->nsites, 4);
	cr_expect_eq(c->sites[0].redirect_code, 308);
	cr_expect_str_eq(c->sites[0].redirect, "https://Example.net:8443/new");
	cr_expect_eq(c->sites[0].try_html, true);
	cr_expect_eq(c->sites[1].redirect_code, 308);
	cr_expect_str_eq(c->sites[1].redirect, "https://Example.net:8443/new");
	cr_expect_eq(c->sites[1].try_html, true);
	cr_expect_eq(c->sites[2].redirect_code, 0);
	cr_expect_null(c->sites[2].redirect);
	cr_expect_eq(c->sites[2].try_html, false);
	cr_expect_eq(c->sites[3].redirect_code, 302);
	cr_expect_str_eq(c->sites[3].redirect, "/elsewhere");
	cr_expect_eq(c->sites[3].try_html, true);
	config_free(c);
	c = expect_ok("vhost \"a.test\" { redirect = \"301 http://a.test\"\n"
	    "  try_html = true }\nvhost \"b.test\" { redirect = \"307 /\" }\n");
	cr_expect_eq(c->sites[0].redirect_code, 0);
	cr_expect_null(c->sites[0].redirect);
	cr_expect_eq(c->sites[0].try_html, false);
	cr_expect_eq(c->sites[1].redirect_code, 301);
	cr_expect_str_eq(c->sites[1].redirect, "http://a.test");
	cr_expect_eq(c->sites[1].try_html, true);
	cr_expect_eq(c->sites[2].redirect_code, 307);
	cr_expect_str_eq(c->sites[2].redirect, "");
	config_free(c);
}

/* A redirect that is no "CODE TARGET", or whose target could send a
 * client anywhere else than the site names, is refused with its line. */
Test(config, redirect_errors)
{
	expect_fail("\nredirect = \"303 https://a.test\"\n", 2, "redirect",
	    "CODE 301, 302, 307 or 308");
	expect_fail("redirect = \"https://a.test\"\n", 1, "redirect", "CODE");
	expect_fail("redirect = \"301\"\n", 1, "redirect", "CODE");
	expect_fail("\n\nredirect = \"301 a.test/x\"\n", 3, "redirect",
	    "must be an http:// or https:// URL");
	expect_fail("redirect = \"301 javascript:alert(1)\"\n", 1, "redirect",
	    "must be an http:// or https:// URL");
	expect_fail("redirect = \"301 //evil.test\"\n", 1, "redirect",
	    "not two");
	expect_fail("redirect = \"301 https://a.test/?x=1\"\n", 1, "redirect",
	    "no query or fragment");
	expect_fail("redirect = \"301 https://a.test/#top\"\n", 1, "redirect",
	    "no query or fragment");
	expect_fail("redirect = \"301 https:///x\"\n", 1, "redirect",
	    "must name a host");
	expect_fail("redirect = \"301 https://u@a.test/\"\n", 1, "redirect",
	    "must name a host");
	expect_fail("redirect = \"301 /a b\"\n", 1, "redirect",
	    "a byte a URL cannot hold");
	expect_fail("redirect = \"301 /\\\\evil.test\"\n", 1, "redirect",
	    "a byte a URL cannot hold");
	expect_fail("vhost \"a.test\" {\n  redirect = \"200 /x\" }\n", 2,
	    "vhost \"a.test\" redirect", "CODE");
	expect_fail("\ntry_html = maybe\n", 2, NULL, "try_html");
}

/* error_pages and headers at top level, a vhost that inherits them, and
 * one that replaces each list (even with an empty one). */
Test(config, error_pages_and_headers)
{
	struct config	*c;

	c = expect_ok("error_pages = {\"404 /404.html\", \"503\t/busy/50x.html\"}\n"
	    "headers = {\"X-Content-Type-Options: nosniff\", "
	    "\"Strict-Transport-Security: max-age=63072000  \"}\n"
	    "vhost \"same.test\" { }\n"
	    "vhost \"own.test\" {\n"
	    "  error_pages = {\"500 /oops.html\"}\n"
	    "  headers = {\"X-Frame-Options: DENY\"}\n"
	    "}\n"
	    "vhost \"none.test\" { error_pages = {}\n headers = {} }\n");
	cr_assert_eq(c->nsites, 4);
	cr_assert_eq(c->sites[0].npages, 2);
	cr_expect_eq(c->sites[0].pages[0].status, 404);
	cr_expect_str_eq(c->sites[0].pages[0].path, "/404.html");
	cr_expect_eq(c->sites[0].pages[1].status, 503);
	cr_expect_str_eq(c->sites[0].pages[1].path, "/busy/50x.html");
	cr_expect_str_eq(c->sites[0].headers, "X-Content-Type-Options: "
	    "nosniff\r\nStrict-Transport-Security: max-age=63072000\r\n");
	cr_expect_eq(c->sites[0].headerslen, strlen(c->sites[0].headers));
	cr_assert_eq(c->sites[1].npages, 2);
	cr_expect_str_eq(c->sites[1].pages[1].path, "/busy/50x.html");
	cr_expect_str_eq(c->sites[1].headers, c->sites[0].headers);
	cr_expect_eq(c->sites[1].headerslen, c->sites[0].headerslen);
	cr_assert_eq(c->sites[2].npages, 1);
	cr_expect_eq(c->sites[2].pages[0].status, 500);
	cr_expect_str_eq(c->sites[2].pages[0].path, "/oops.html");
	cr_expect_str_eq(c->sites[2].headers, "X-Frame-Options: DENY\r\n");
	cr_expect_eq(c->sites[3].npages, 0);
	cr_expect_null(c->sites[3].headers);
	config_free(c);
	c = expect_ok("");
	cr_expect_eq(c->sites[0].npages, 0);
	cr_expect_null(c->sites[0].headers);
	cr_expect_eq(c->sites[0].headerslen, 0);
	config_free(c);
}

/* Each bad entry is refused with its file, line, key and why. */
Test(config, error_pages_and_headers_errors)
{
	char	long_hdr[1200];

	expect_fail("error_pages = {\"404 /a.html\",\n\"399 /b.html\"}", 2,
	    "error_pages", "400 to 599");
	expect_fail("error_pages = {\"600 /b.html\"}", 1, "error_pages",
	    "400 to 599");
	expect_fail("error_pages = {\"40 /b.html\"}", 1, "error_pages",
	    "\"CODE /path\"");
	expect_fail("error_pages = {\"404\"}", 1, "error_pages",
	    "\"CODE /path\"");
	expect_fail("error_pages = {\"404 b.html\"}", 1, "error_pages",
	    "absolute");
	expect_fail("error_pages = {\"404 /a/../b.html\"}", 1, "error_pages",
	    "refused, not normalised");
	expect_fail("error_pages = {\"404 /./b.html\"}", 1, "error_pages",
	    "\"..\" segment");
	expect_fail("error_pages = {\"404 //b.html\"}", 1, "error_pages",
	    "empty segment");
	expect_fail("error_pages = {\"404 /errors/\"}", 1, "error_pages",
	    "ends with '/'");
	expect_fail("error_pages = {\"404 /b.html?x=1\"}", 1, "error_pages",
	    "query");
	expect_fail("error_pages = {\"404 /a.html\",\n\"404 /b.html\"}", 2,
	    "error_pages", "code 404 has a page already");
	expect_fail("vhost \"a.test\" {\n error_pages = {\"4xx /a.html\"} }", 2,
	    "vhost \"a.test\" error_pages", "\"CODE /path\"");
	expect_fail("headers = {\"X-A: 1\",\n\"Bad Name: x\"}", 2, "headers",
	    "token");
	expect_fail("headers = {\"NoColon\"}", 1, "headers", "token");
	expect_fail("headers = {\": empty\"}", 1, "headers", "token");
	expect_fail("headers = {\"X-A: a\\r\\nX-B: b\"}", 1, "headers",
	    "no CR, LF");
	expect_fail("headers = {\"X-A: a\\nb\"}", 1, "headers", "no CR, LF");
	expect_fail("headers = {\"X-A: caf\xc3\xa9\"}", 1, "headers",
	    "visible ASCII");
	expect_fail("headers = {\"content-LENGTH: 5\"}", 1, "headers",
	    "tine writes itself");
	expect_fail("headers = {\"Server: apache\"}", 1, "headers",
	    "tine writes itself");
	expect_fail("headers = {\"ETag: \\\"x\\\"\"}", 1, "headers",
	    "tine writes itself");
	expect_fail("vhost \"a.test\" {\n\n headers = {\"Location: /\"} }", 3,
	    "vhost \"a.test\" headers", "tine writes itself");
	memset(long_hdr, 'x', sizeof long_hdr);
	memcpy(long_hdr, "headers = {\"X-Long: ", 20);
	strcpy(long_hdr + sizeof long_hdr - 4, "\"}\n");
	expect_fail(long_hdr, 1, "headers", "longer than 1024 bytes");
}

/* "ADDR tls" marks a listener for TLS; the flag is the only word after an
 * address, and the text stays as written, for log lines. */
/* proxy_protocol: a flag beside tls, in either order, with the proxies it
 * trusts; real_ip_header a field name. */
Test(config, listen_proxy_flag_and_trusted_proxies)
{
	struct config	*c;

	c = expect_ok("listen = {\"127.0.0.1:443 tls proxy_protocol\",\n"
	    "\"127.0.0.1:80 proxy_protocol  tls\", \"127.0.0.1:81\"}\n"
	    "trusted_proxies = {\"10.0.0.0/8\", \"::1\"}\n"
	    "real_ip_header = \"X-Real-IP\"\n"
	    "tls_certificate = \"/etc/ssl/a.pem\"\ntls_key = \"/etc/ssl/a.key\"\n");
	cr_assert_eq(c->nlisten, 3);
	cr_expect(c->listen[0].tls && c->listen[0].proxy_protocol);
	cr_expect(c->listen[1].tls && c->listen[1].proxy_protocol);
	cr_expect(!c->listen[2].tls && !c->listen[2].proxy_protocol);
	cr_expect_eq(c->ntrusted_proxies, 2);
	cr_expect_str_eq(c->real_ip_header, "X-Real-IP");
	config_free(c);
	c = expect_ok("");
	cr_expect_eq(c->ntrusted_proxies, 0);
	cr_expect_null(c->real_ip_header);
	config_free(c);
	expect_fail("listen = {\"127.0.0.1:80 proxy_protocol\"}\n", 1,
	    "listen", "trusted_proxies is empty");
	expect_fail("trusted_proxies = {\"10.0.0.0/8\"}\n"
	    "real_ip_header = \"\"\n", 2, "real_ip_header",
	    "must be a field name");
	expect_fail("trusted_proxies = {\"10.0.0.0/8\", \"nope\"}\n", 1,
	    "trusted_proxies", "\"nope\" is not");
}

Test(config, listen_tls_flag)
{
	struct config	*c;
	char		 buf[64];

	c = expect_ok("listen = {\"127.0.0.1:443 tls\", \"127.0.0.1:80\",\n"
	    "\"[::1]:443\ttls\"}\n"
	    "tls_certificate = \"/etc/ssl/a.pem\"\ntls_key = \"/etc/ssl/a.key\"\n");
	cr_assert_eq(c->nlisten, 3);
	cr_expect(c->listen[0].tls);
	cr_expect_str_eq(c->listen[0].text, "127.0.0.1:443 tls");
	cr_expect_str_eq(v4(&c->listen[0], buf, sizeof buf), "127.0.0.1:443");
	cr_expect(!c->listen[1].tls);
	cr_expect(c->listen[2].tls);
	cr_expect_eq(c->listen[2].addr.ss_family, AF_INET6);
	config_free(c);
	expect_fail("listen = {\"127.0.0.1:443 ssl\"}\n", 1, "listen",
	    "only the flags \"tls\" and \"proxy_protocol\"");
	expect_fail("listen = {\"127.0.0.1:443 tls tls\"}\n", 1, "listen",
	    "only the flags \"tls\" and \"proxy_protocol\"");
	expect_fail("listen = {\"127.0.0.1:443 tls \"}\n", 1, "listen",
	    "only the flags \"tls\" and \"proxy_protocol\"");
	expect_fail("listen = {\"127.0.0.1:80\", \"127.0.0.1:80 tls\"}\n"
	    "tls_certificate = \"/a\"\ntls_key = \"/b\"\n", 1, "listen",
	    "duplicate address");
	expect_fail("listen = {\"127.0.0.1:80\",\n\"127.0.0.1:443 tls\"}\n", 2,
	    "listen", "127.0.0.1:443 tls is a tls listener, but no site has "
	    "a tls_certificate");
}

/* tls_protocols: a range of versions by name (TLS 1.2 and 1.3 unless
 * set); tls_ciphers: Mozilla's intermediate list unless set. */
Test(config, tls_protocols_and_ciphers)
{
	struct config	*c;

	c = expect_ok("");
	cr_expect_eq(c->tls_min, 12);
	cr_expect_eq(c->tls_max, 13);
	cr_expect(strncmp(c->tls_ciphers.value, "ECDHE-ECDSA-AES128-GCM-SHA256:",
	    30) == 0, "%s", c->tls_ciphers.value);
	cr_expect_str_eq(c->tls_ciphers.where, "(default): tls_ciphers");
	config_free(c);
	c = expect_ok("tls_protocols = \" TLSv1.3\"\n\ntls_ciphers = \"HIGH\"\n");
	cr_expect_eq(c->tls_min, 13);
	cr_expect_eq(c->tls_max, 13);
	cr_expect_str_eq(c->tls_ciphers.value, "HIGH");
	cr_expect(strstr(c->tls_ciphers.where, ":3: tls_ciphers") != NULL,
	    "%s", c->tls_ciphers.where);
	config_free(c);
	c = expect_ok("tls_protocols = \"TLSv1.2 TLSv1 TLSv1.1\"\n");
	cr_expect_eq(c->tls_min, 10);
	cr_expect_eq(c->tls_max, 12);
	config_free(c);
	expect_fail("\ntls_protocols = \"TLSv1.2 SSLv3\"\n", 2, "tls_protocols",
	    "\"SSLv3\" is not TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3");
	expect_fail("tls_protocols = \"TLSv1.1 TLSv1.3\"\n", 1, "tls_protocols",
	    "without a gap");
	expect_fail("tls_protocols = \" \"\n", 1, "tls_protocols",
	    "at least one version");
	expect_fail("tls_protocols = \"TLSv1.2TLSv1.3TLSv1.3\"\n", 1,
	    "tls_protocols", "is not TLSv1");
	expect_fail("tls_ciphers = \"\"\n", 1, "tls_ciphers", "empty");
}

/* A site's certificate: the three keys go together, a vhost that sets
 * none inherits them, a relative path becomes absolute, and each keeps
 * where it was set for the loader's errors. */
Test(config, tls_certificate_per_site)
{
	char		 want[PATH_MAX + 16], cwd[PATH_MAX];
	struct config	*c;

	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	c = expect_ok("tls_certificate = \"/c/top.pem\"\ntls_key = \"/c/top.key\"\n"
	    "vhost \"a.test\" { }\n"
	    "vhost \"b.test\" {\n  tls_certificate = \"b.pem\"\n"
	    "  tls_key = \"/c/b.key\"\n  tls_ocsp_response = \"/c/b.der\" }\n");
	cr_assert_eq(c->nsites, 3);
	cr_expect_str_eq(c->sites[0].tls_certificate.value, "/c/top.pem");
	cr_expect(strstr(c->sites[0].tls_certificate.where,
	    ":1: tls_certificate") != NULL);
	cr_expect_null(c->sites[0].tls_ocsp_response.value);
	cr_expect_str_eq(c->sites[1].tls_certificate.value, "/c/top.pem");
	cr_expect_str_eq(c->sites[1].tls_key.value, "/c/top.key");
	cr_expect(strstr(c->sites[1].tls_key.where, ":2: tls_key") != NULL,
	    "%s", c->sites[1].tls_key.where);
	cr_expect_str_eq(c->sites[2].tls_certificate.value, fmt(want,
	    sizeof want, "%s/b.pem", cwd));
	cr_expect(strstr(c->sites[2].tls_certificate.where,
	    ":5: vhost \"b.test\" tls_certificate") != NULL, "%s",
	    c->sites[2].tls_certificate.where);
	cr_expect_str_eq(c->sites[2].tls_ocsp_response.value, "/c/b.der");
	config_free(c);
	c = expect_ok("vhost \"a.test\" {\n tls_certificate = \"/a.pem\"\n"
	    " tls_key = \"/a.key\" }\nlisten = {\"127.0.0.1:443 tls\"}\n");
	cr_expect_null(c->sites[0].tls_certificate.value);
	config_free(c);
	expect_fail("\ntls_certificate = \"/a.pem\"\n", 2, "tls_certificate",
	    "needs tls_key in the same section");
	expect_fail("tls_key = \"/a.key\"\n", 1, "tls_key",
	    "needs tls_certificate in the same section");
	expect_fail("tls_ocsp_response = \"/a.der\"\n", 1, "tls_ocsp_response",
	    "needs tls_certificate");
	expect_fail("tls_certificate = \"/a.pem\"\ntls_key = \"/a.key\"\n"
	    "vhost \"a.test\" {\n tls_key = \"/b.key\" }\n", 4,
	    "vhost \"a.test\" tls_key", "needs tls_certificate");
	expect_fail("tls_certificate = \"\"\ntls_key = \"/a.key\"\n", 1,
	    "tls_certificate", "must not be empty");
	/* A certificate is a host's: a location cannot set one. */
	expect_fail("location \"/a/\" {\n\n tls_certificate = \"/a.pem\" }\n", 3,
	    NULL, "tls_certificate");
}

/* access_log and access_log_format per vhost: inherited when unset, one
 * entry per distinct destination (two vhosts naming one file share it),
 * "off" a destination of its own. */
Test(config, vhost_access_logs)
{
	struct config	*c;
	char		 text[8 * PATH_MAX];

	fmt(text, sizeof text,
	    "access_log = \"%s/top.log\"\n"
	    "access_log_format = \"%%v %%U\"\n"
	    "vhost \"same.test\" { }\n"
	    "vhost \"a.test\" { access_log = \"%s/shared.log\" }\n"
	    "vhost \"b.test\" {\n access_log = \"%s/shared.log\"\n"
	    " access_log_format = json }\n"
	    "vhost \"off.test\" { access_log = off }\n"
	    "vhost \"top.test\" { access_log = \"%s/top.log\" }\n",
	    tmpdir, tmpdir, tmpdir, tmpdir);
	c = expect_ok(text);
	cr_assert_eq(c->nsites, 6);
	cr_expect_eq(c->naccess_logs, 3);
	cr_expect_str_eq(alog_of(c, 0)->path, fmt(text, sizeof text,
	    "%s/top.log", tmpdir));
	cr_expect_eq(c->sites[1].access_log, c->sites[0].access_log);
	cr_expect_eq(c->sites[5].access_log, c->sites[0].access_log);
	cr_expect_str_eq(alog_of(c, 2)->path, fmt(text, sizeof text,
	    "%s/shared.log", tmpdir));
	cr_expect_eq(c->sites[3].access_log, c->sites[2].access_log);
	cr_expect_neq(c->sites[2].access_log, c->sites[0].access_log);
	cr_expect_eq(alog_of(c, 4)->dest, CONFIG_LOG_OFF);
	cr_expect_str_eq(c->sites[1].access_log_format, "%v %U");
	cr_expect_str_eq(c->sites[2].access_log_format, "%v %U");
	cr_expect_str_eq(c->sites[3].access_log_format, "json");
	cr_expect_not_null(c->sites[3].access_format);
	config_free(c);
}

/* A config of the top level's log and n vhosts each with a log of its
 * own, into text (cap bytes); the caller frees it. */
static char *
many_logs(int n)
{
	size_t	 cap = (size_t)(n + 1) * (PATH_MAX + 64), len;
	char	*text, *p;
	int	 i;

	cr_assert_not_null(text = malloc(cap));
	len = strlen(fmt(text, cap, "access_log = \"%s/top.log\"\n", tmpdir));
	for (i = 0; i < n; i++) {
		p = text + len;
		len += strlen(fmt(p, cap - len, "vhost \"v%d.test\" { "
		    "access_log = \"%s/v%d.log\" }\n", i, tmpdir, i));
		cr_assert_lt(len + 1, cap);
	}
	return text;
}

/* A vhost's bad access_log or access_log_format is blamed on its line, and
 * more distinct log files than the limit are refused on the first past it. */
Test(config, vhost_access_log_errors)
{
	struct config	*c;
	char		*text, line[PATH_MAX + 64];

	expect_fail("vhost \"a.test\" {\n\n access_log = \"/nonexistent/x.log\""
	    " }\n", 3, "vhost \"a.test\" access_log", "directory "
	    "\"/nonexistent\" does not exist");
	fmt(line, sizeof line, "vhost \"a.test\" {\n access_log = \"%s\" }\n",
	    tmpdir);
	expect_fail(line, 2, "vhost \"a.test\" access_log", "is a directory");
	expect_fail("vhost \"a.test\" {\n access_log_format = fancy }\n", 2,
	    "vhost \"a.test\" access_log_format", "got \"fancy\"");
	expect_fail("vhost \"a.test\" {\n access_log_format = \"%Z\" }\n", 2,
	    "vhost \"a.test\" access_log_format", "unknown directive %Z");
	/* The top level's log and 255 vhosts' are the 256 allowed. */
	text = many_logs(255);
	c = expect_ok(text);
	cr_expect_eq(c->naccess_logs, 256);
	config_free(c);
	free(text);
	text = many_logs(256);
	expect_fail(text, 257, "vhost \"v255.test\" access_log",
	    "more than 256 distinct access logs");
	free(text);
}

/* autoindex off by default and inherited by a vhost unless it sets it;
 * autoindex_max_entries 10000 by default, 1..100000. */
Test(config, autoindex)
{
	struct config	*c;

	c = expect_ok("vhost \"same.test\" { }\n");
	cr_expect_eq(c->sites[0].autoindex, false);
	cr_expect_eq(c->sites[1].autoindex, false);
	cr_expect_eq(c->autoindex_max_entries, 10000);
	config_free(c);
	c = expect_ok("autoindex = on\nautoindex_max_entries = 100000\n"
	    "vhost \"same.test\" { }\n"
	    "vhost \"off.test\" { autoindex = off }\n");
	cr_expect_eq(c->sites[0].autoindex, true);
	cr_expect_eq(c->sites[1].autoindex, true);
	cr_expect_eq(c->sites[2].autoindex, false);
	cr_expect_eq(c->autoindex_max_entries, 100000);
	config_free(c);
	c = expect_ok("vhost \"on.test\" { autoindex = on }\n");
	cr_expect_eq(c->sites[0].autoindex, false);
	cr_expect_eq(c->sites[1].autoindex, true);
	config_free(c);
	expect_fail("autoindex_max_entries = 0", 1, "autoindex_max_entries",
	    "must be 1..100000, got 0");
	expect_fail("\nautoindex_max_entries = 100001", 2,
	    "autoindex_max_entries", "must be 1..100000");
}

/* A valid SHA-crypt line (config checks its form; crypt is not run). */
#define CONF_HTLINE	"u:$5$rounds=1000$s$012345678901234567890123456" \
			"7890123456789012\n"

/* Write an htpasswd file into the temp directory; its path in buf. */
static const char *
conf_htpasswd(const char *name, const char *text, char *buf, size_t len)
{
	FILE	*fp;

	fmt(buf, len, "%s/%s", tmpdir, name);
	cr_assert_not_null(fp = fopen(buf, "w"));
	cr_assert_eq(fputs(text, fp) >= 0, 1);
	cr_assert_eq(fclose(fp), 0);
	return buf;
}

/* allow and deny are inherited as a pair, hidden_paths as a list, the
 * htpasswd file shared; "" turns an inherited file off. */
Test(config, access_rules)
{
	char		 pw[PATH_MAX], text[4 * PATH_MAX];
	struct config	*c;

	conf_htpasswd("users", CONF_HTLINE, pw, sizeof pw);
	c = expect_ok(fmt(text, sizeof text, "allow = {\"10.0.0.0/8\", "
	    "\"2001:db8::/32\"}\ndeny = {\"all\"}\n"
	    "hidden_paths = {\"*.bak\", \"/.git/*\"}\n"
	    "auth_basic_file = \"%s\"\n"
	    "vhost \"same.test\" { }\n"
	    "vhost \"own.test\" { deny = {\"192.0.2.0/24\"}\n"
	    "  hidden_paths = {}\n  auth_basic_file = \"\" }\n"
	    "vhost \"realm.test\" { auth_basic_realm = \"Staff only\" }\n",
	    pw));
	cr_assert_eq(c->nsites, 4);
	cr_expect(c->sites[0].access);
	cr_expect_eq(c->sites[0].nallow, 2);
	cr_expect_eq(c->sites[0].ndeny, 1);
	cr_expect_eq(c->sites[0].nhidden_paths, 2);
	cr_expect_str_eq(c->sites[0].hidden_paths[1], "/.git/*");
	cr_assert_not_null(c->sites[0].auth);
	cr_expect_str_eq(c->sites[0].auth_realm, "Restricted");
	cr_expect_str_eq(c->sites[0].auth_challenge, "WWW-Authenticate: Basic "
	    "realm=\"Restricted\", charset=\"UTF-8\"\r\n");
	/* same.test takes it all, the file shared rather than read again. */
	cr_expect_eq(c->sites[1].nallow, 2);
	cr_expect_eq(c->sites[1].ndeny, 1);
	cr_expect_eq(c->sites[1].nhidden_paths, 2);
	cr_expect_eq(c->sites[1].auth, c->sites[0].auth);
	cr_expect_eq(c->sites[0].auth->refs, 3);
	/* own.test wrote deny: the top level's allow goes with it. */
	cr_expect_eq(c->sites[2].nallow, 0);
	cr_expect_eq(c->sites[2].ndeny, 1);
	cr_expect_eq(c->sites[2].nhidden_paths, 0);
	cr_expect_null(c->sites[2].auth);
	cr_expect_null(c->sites[2].auth_challenge);
	cr_expect(c->sites[2].access);
	cr_expect_str_eq(c->sites[3].auth_realm, "Staff only");
	cr_expect_not_null(strstr(c->sites[3].auth_challenge,
	    "realm=\"Staff only\""));
	config_free(c);
	c = expect_ok("vhost \"a.test\" { allow = {} }\n");
	cr_expect(!c->sites[0].access);
	cr_expect(!c->sites[1].access);
	cr_expect_null(c->sites[0].auth);
	config_free(c);
}

/* Each bad value is refused with its file, line, key and why; a bad
 * htpasswd line with the htpasswd file and its line too. */
Test(config, access_rules_errors)
{
	char	pw[PATH_MAX], text[4 * PATH_MAX], want[PATH_MAX + 32];

	expect_fail("allow = {\"10.0.0.0/8\",\n\"10.0.0.0/33\"}", 2, "allow",
	    "\"10.0.0.0/33\" must have a prefix length of 0 to 32");
	expect_fail("deny = {\"10.0.0.1/8\"}", 1, "deny",
	    "\"10.0.0.1/8\" has bits set past its prefix length "
	    "(\"10.0.0.0/8\"?)");
	expect_fail("vhost \"a.test\" {\n deny = {\"example.com\"} }", 2,
	    "vhost \"a.test\" deny", "is not \"all\", an address");
	expect_fail("hidden_paths = {\"*.bak\",\n\"secret\"}", 2,
	    "hidden_paths", "must start with '/' or '*'");
	expect_fail("auth_basic_realm = \"a \\\"b\\\"\"", 1, "auth_basic_realm",
	    "without '\"' or '\\'");
	expect_fail("auth_basic_realm = \"\"", 1, "auth_basic_realm",
	    "1 to 128");
	expect_fail("auth_basic_file = \"users\"", 1, "auth_basic_file",
	    "absolute path");
	fmt(pw, sizeof pw, "%s/none", tmpdir);
	expect_fail(fmt(text, sizeof text, "auth_basic_file = \"%s\"", pw), 1,
	    "auth_basic_file", "No such file");
	conf_htpasswd("bad", CONF_HTLINE "# two\nv:$apr1$x$y\n", pw,
	    sizeof pw);
	expect_fail(fmt(text, sizeof text, "vhost \"a.test\" {\n\n"
	    "auth_basic_file = \"%s\" }", pw), 3, "vhost \"a.test\" "
	    "auth_basic_file", fmt(want, sizeof want, "%s:3: is an MD5 hash",
	    pw));
}

/* types, charset and cache_control_types: the defaults (no types of a
 * site's own, utf-8, no Cache-Control), a vhost that inherits them and
 * ones that replace or turn them off. */
Test(config, types_charset_cache_control_types)
{
	struct config	*c;

	c = expect_ok("");
	cr_expect_null(c->sites[0].types);
	cr_expect_str_eq(c->sites[0].charset, "utf-8");
	cr_expect_eq(c->sites[0].ncctypes, 0);
	cr_expect_not(c->sites[0].headers_cc);
	config_free(c);
	c = expect_ok("types = {\"text/gemini gmi\",\n"
	    "  \"application/x-foo\tfoo  BAR \"}\n"
	    "charset = \"ISO-8859-1\"\n"
	    "cache_control_types = {\"image/* public, max-age=2592000 \",\n"
	    "  \"text/css  public, max-age=86400\", \"*/* no-cache\"}\n"
	    "vhost \"same.test\" { }\n"
	    "vhost \"own.test\" { types = {\"text/x-own own\"}\n"
	    "  charset = off\n"
	    "  cache_control_types = {\"image/png max-age=1\"}\n"
	    "  headers = {\"cache-control: no-store\"} }\n"
	    "vhost \"none.test\" { types = {}\n charset = \"\"\n"
	    "  cache_control_types = {} }\n");
	cr_assert_eq(c->nsites, 4);
	cr_assert_not_null(c->sites[0].types);
	cr_expect_str_eq(mime_lookup(c->sites[0].types, "a.gmi", NULL),
	    "text/gemini");
	cr_expect_str_eq(mime_lookup(c->sites[0].types, "a.bar", NULL),
	    "application/x-foo");
	cr_expect_null(mime_lookup(c->sites[0].types, "a.html", NULL));
	cr_expect_str_eq(c->sites[0].charset, "ISO-8859-1");
	cr_assert_eq(c->sites[0].ncctypes, 3);
	cr_expect_str_eq(c->sites[0].cctypes[0].type, "image/*");
	cr_expect_str_eq(c->sites[0].cctypes[0].line,
	    "Cache-Control: public, max-age=2592000\r\n");
	cr_expect_eq(c->sites[0].cctypes[0].linelen,
	    strlen(c->sites[0].cctypes[0].line));
	cr_expect_str_eq(c->sites[0].cctypes[1].line,
	    "Cache-Control: public, max-age=86400\r\n");
	cr_expect_str_eq(c->sites[0].cctypes[2].type, "*/*");
	cr_expect_eq(c->sites[1].types, c->sites[0].types);
	cr_expect_str_eq(c->sites[1].charset, "ISO-8859-1");
	cr_assert_eq(c->sites[1].ncctypes, 3);
	cr_expect_str_eq(c->sites[1].cctypes[1].type, "text/css");
	cr_expect_not(c->sites[1].headers_cc);
	cr_expect_str_eq(mime_lookup(c->sites[2].types, "a.own", NULL),
	    "text/x-own");
	cr_expect_null(mime_lookup(c->sites[2].types, "a.gmi", NULL));
	cr_expect_null(c->sites[2].charset);
	cr_assert_eq(c->sites[2].ncctypes, 1);
	cr_expect_str_eq(c->sites[2].cctypes[0].line,
	    "Cache-Control: max-age=1\r\n");
	cr_expect(c->sites[2].headers_cc);
	cr_expect_null(c->sites[3].types);
	cr_expect_null(c->sites[3].charset);
	cr_expect_eq(c->sites[3].ncctypes, 0);
	config_free(c);
}

/* Each bad entry is refused with its file, line, key and why. */
Test(config, types_charset_cache_control_types_errors)
{
	expect_fail("types = {\"text/gemini gmi\",\n\"text gmi2\"}", 2,
	    "types", "media type");
	expect_fail("types = {\"text/plain;charset=x txt\"}", 1, "types",
	    "media type");
	expect_fail("types = {\"text/gemini\"}", 1, "types",
	    "at least one extension");
	expect_fail("types = {\"\"}", 1, "types", "media type");
	expect_fail("types = {\"text/gemini gmi .gem\"}", 1, "types",
	    "extension \".gem\" must be 1 to 15 bytes without '.' or '/' "
	    "(write \"gmi\", not \".gmi\")");
	expect_fail("types = {\"text/gemini abcdefghijklmnop\"}", 1, "types",
	    "extension \"abcdefghijklmnop\" must be 1 to 15 bytes");
	expect_fail("types = {\"text/a x\",\n\n\"text/b y X\"}", 3, "types",
	    "\"text/b y X\": extension \"X\" has a type already");
	expect_fail("vhost \"a.test\" {\n\n types = {\"a/b c/d\"} }", 3,
	    "vhost \"a.test\" types", "\"c/d\"");
	expect_fail("\ncharset = \"utf 8\"", 2, "charset", "\"utf 8\"");
	expect_fail("charset = \"utf-8;x=y\"", 1, "charset", "charset name");
	expect_fail("charset = \"a\\r\\nX: y\"", 1, "charset",
	    "charset name");
	expect_fail("charset = \"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"
	    "rstuvwxyzabcdefghijklm\"", 1, "charset", "at most 64");
	config_free(expect_ok("charset = "
	    "\"Extended_UNIX_Code_Packed_Format_for_Japanese\""));
	expect_fail("vhost \"a.test\" {\n charset = \"\\\"x\\\"\" }", 2,
	    "vhost \"a.test\" charset", "charset name");
	expect_fail("cache_control_types = {\"image/*\"}", 1,
	    "cache_control_types", "TYPE VALUE");
	expect_fail("cache_control_types = {\"image/*   \"}", 1,
	    "cache_control_types", "TYPE VALUE");
	expect_fail("cache_control_types = {\"image max-age=1\"}", 1,
	    "cache_control_types", "\"type/*\"");
	expect_fail("cache_control_types = {\"*/png max-age=1\"}", 1,
	    "cache_control_types", "\"type/*\"");
	expect_fail("cache_control_types = {\"image/*x max-age=1\"}", 1,
	    "cache_control_types", "\"type/*\"");
	expect_fail("cache_control_types = {\"/* max-age=1\"}", 1,
	    "cache_control_types", "\"type/*\"");
	expect_fail("cache_control_types = {\"* max-age=1\"}", 1,
	    "cache_control_types", "\"type/*\"");
	expect_fail("cache_control_types = {\"image/* a\\r\\nX: y\"}", 1,
	    "cache_control_types", "no CR, LF");
	expect_fail("cache_control_types = {\"image/* max-age=1\",\n"
	    "\"IMAGE/* max-age=2\"}", 2, "cache_control_types",
	    "given a value already");
	expect_fail("vhost \"a.test\" {\n cache_control_types = {\n"
	    "\"text/css x\", \"x/y/z a\"} }", 3,
	    "vhost \"a.test\" cache_control_types", "media type");
}

/* A value longer than a head can spare is refused, not cut. */
Test(config, cache_control_types_too_long)
{
	char	text[800];

	memset(text, 'x', sizeof text);
	memcpy(text, "cache_control_types = {\"a/b ", 28);
	strcpy(text + sizeof text - 4, "\"}\n");
	expect_fail(text, 1, "cache_control_types", "longer than 512 bytes");
}

/* A location that types files otherwise than its site (types, charset,
 * default_type, or the cache_control_types in effect, which a
 * Cache-Control in headers cancels) gets a file cache of its own. */
Test(config, location_retypes)
{
	struct config		*c;
	const struct config_site *l;
	size_t			 i;

	c = expect_ok("cache_control_types = {\"image/* max-age=1\"}\n"
	    "location \"/same/\" { headers = {\"X-A: 1\"} }\n"
	    "location \"/same-charset/\" { charset = \"utf-8\" }\n"
	    "location \"/types/\" { types = {\"text/gemini gmi\"} }\n"
	    "location \"/charset/\" { charset = off }\n"
	    "location \"/deftype/\" { default_type = \"text/plain\" }\n"
	    "location \"/cc/\" { cache_control_types = {\"image/* x\"} }\n"
	    "location \"/hdr/\" { headers = {\"Cache-Control: no-store\"} }\n"
	    "vhost \"a.test\" { headers = {\"Cache-Control: no-store\"}\n"
	    "  location \"/same/\" { headers = {\"cache-control: x\"} }\n"
	    "  location \"/own/\" { headers = {} } }\n"
	    "vhost \"b.test\" { cache_control_types = {}\n"
	    "  location \"/same/\" { headers = {\"Cache-Control: x\"} } }\n");
	cr_expect_not(c->sites[0].retypes);
	cr_assert_eq(c->sites[0].nlocations, 7);
	for (i = 0; i < c->sites[0].nlocations; i++) {
		l = &c->sites[0].locations[i];
		cr_expect_eq(l->retypes, strncmp(l->prefix, "/same", 5) != 0,
		    "%s", l->prefix);
	}
	cr_assert_eq(c->sites[1].nlocations, 2);
	for (i = 0; i < c->sites[1].nlocations; i++) {
		l = &c->sites[1].locations[i];
		cr_expect_eq(l->retypes, strcmp(l->prefix, "/own/") == 0, "%s",
		    l->prefix);
	}
	cr_assert_eq(c->sites[2].nlocations, 1);
	cr_expect_not(c->sites[2].locations[0].retypes);
	config_free(c);
}

/* https_redirect: off by default, a code, inherited by vhost and
 * location unless they set it; a bad word names its line. */
Test(config, https_redirect)
{
	struct config	*c;

	c = expect_ok("vhost \"a.test\" { https_redirect = 308\n"
	    "  location \"/.well-known/\" { https_redirect = off } }\n"
	    "vhost \"b.test\" { }\n");
	cr_expect_eq(c->sites[0].https_redirect, 0);
	cr_expect_eq(c->sites[1].https_redirect, 308);
	cr_expect_eq(c->sites[1].locations[0].https_redirect, 0);
	cr_expect_eq(c->sites[2].https_redirect, 0);
	config_free(c);
	c = expect_ok("https_redirect = 301\nvhost \"b.test\" { }\n");
	cr_expect_eq(c->sites[1].https_redirect, 301);
	config_free(c);
	expect_fail("\nhttps_redirect = 300", 2, "https_redirect",
	    "must be off, 301, 302, 307 or 308, got \"300\"");
	expect_fail("vhost \"a.test\" {\n https_redirect = on }", 2,
	    "vhost \"a.test\" https_redirect", "must be off, 301");
}

/* status_path and status_allow: off by default and loopback only; a vhost
 * inherits, replaces or turns off the top level's; a location has its
 * site's path and may set who sees it. */
Test(config, status_options)
{
	struct config	*c;

	c = expect_ok("");
	cr_expect_null(c->sites[0].status_path);
	cr_assert_eq(c->sites[0].nstatus_allow, 2);
	cr_expect_eq(c->sites[0].status_allow[0].bits, 128);
	cr_expect_eq(c->sites[0].status_allow[0].family, CIDR_V4);
	cr_expect_eq(c->sites[0].status_allow[1].family, CIDR_V6);
	config_free(c);
	c = expect_ok("status_path = \"/server-status\"\n"
	    "vhost \"same.test\" { }\n"
	    "vhost \"off.test\" { status_path = \"off\" }\n"
	    "vhost \"own.test\" { status_path = \"/st\"\n"
	    "  status_allow = {\"10.0.0.0/8\"}\n"
	    "  location \"/st\" { status_allow = {\"::1\"} } }\n");
	cr_assert_eq(c->nsites, 4);
	cr_expect_str_eq(c->sites[0].status_path, "/server-status");
	cr_expect_str_eq(c->sites[1].status_path, "/server-status");
	cr_expect_eq(c->sites[1].nstatus_allow, 2);
	cr_expect_null(c->sites[2].status_path);
	cr_expect_str_eq(c->sites[3].status_path, "/st");
	cr_expect_eq(c->sites[3].nstatus_allow, 1);
	cr_assert_eq(c->sites[3].nlocations, 1);
	cr_expect_str_eq(c->sites[3].locations[0].status_path, "/st");
	cr_expect_eq(c->sites[3].locations[0].nstatus_allow, 1);
	cr_expect_eq(c->sites[3].locations[0].status_allow[0].family,
	    CIDR_V6);
	config_free(c);
}

/* What tine -t says of a bad status_path or status_allow. */
Test(config, status_options_errors)
{
	expect_fail("status_path = \"server-status\"", 1, "status_path",
	    "must be an absolute path");
	expect_fail("status_path = \"/s?json\"", 1, "status_path",
	    "without a query");
	expect_fail("vhost \"a.test\" {\n status_path = \"/a/../s\" }", 2,
	    "vhost \"a.test\" status_path", "has a \".\" or \"..\" segment");
	expect_fail("status_allow = {\"127.0.0.1/8\"}", 1, "status_allow",
	    "has bits set past its prefix length");
}
