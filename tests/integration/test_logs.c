/* test_logs: the access and error logs the real binary writes. */
#include "tine_build.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "../combined_check.h"
#include "../json_check.h"

#define LOGS_MAX_LINES	1024
#define LOGS_FIELD	4096	/* an escaped field, and its decoding */
#define LOGS_CLIENTS	8	/* concurrent client processes */
#define LOGS_PER_CLIENT	50	/* requests each */
#define LOGS_SEEN_MS	1000	/* a line must be in the log this soon */
#define LOGS_WAIT_MS	5000	/* all lines of a burst */
#define LOGS_IDLE_MS	2000	/* how long a close may take to arrive */
#define LOGS_JSON_MAX	32
#define LOGS_BURST	200	/* requests on one connection */
#define LOGS_EXITING	20	/* requests just before a worker exits */

/* A log file split into its lines (the '\n' of each replaced by NUL). */
struct logs_file {
	char	*text;
	size_t	 len;
	char	*line[LOGS_MAX_LINES];
	size_t	 linelen[LOGS_MAX_LINES];
	size_t	 n;
};

/* One combined line; strings hold the fields still escaped. */
struct logs_combined {
	char		host[64];
	char		time[40];
	char		request[LOGS_FIELD];
	int		status;
	long long	bytes;		/* -1 for "-" */
	char		referer[LOGS_FIELD];
	char		ua[LOGS_FIELD];
};

/* One key of a flat JSON object and its raw value. */

/* What logs_has_lines() waits for. */
struct logs_want {
	const char	*path;
	size_t		 lines;
	const char	*needle;	/* or this string, when not NULL */
};

/* ---- reading the logs ---- */

/* Lines (newlines) in the file at path; 0 when it is missing. */
static size_t
logs_count_lines(const char *path)
{
	char	*text;
	size_t	 len, i, n = 0;

	if ((text = tine_slurp(path, &len)) == NULL)
		return 0;
	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	free(text);
	return n;
}

/* Whether the wanted lines or string are in the log; a wait condition. */
static int
logs_has_lines(void *arg)
{
	const struct logs_want	*w = arg;

	if (w->needle != NULL)
		return tine_count(w->path, w->needle) > 0;
	return logs_count_lines(w->path) >= w->lines;
}

/* Wait (bounded) until the access log has n lines; assert it does. */
static void
logs_wait_lines(struct tine *t, size_t n)
{
	struct logs_want	w = { t->access_log, n, NULL };

	cr_assert_eq(tine_wait_until(logs_has_lines, &w, LOGS_WAIT_MS), 0,
	    "access log has %zu lines, want %zu", logs_count_lines(
	    t->access_log), n);
}

/* Read a log and split it into whole lines; asserts it ends in '\n'. */
static struct logs_file *
logs_read(const char *path)
{
	struct logs_file	*f = calloc(1, sizeof(*f));
	char			*p, *end, *nl;

	cr_assert_not_null(f);
	f->text = tine_slurp(path, &f->len);
	cr_assert_not_null(f->text, "no log at %s", path);
	cr_assert(f->len == 0 || f->text[f->len - 1] == '\n',
	    "%s does not end in a newline", path);
	for (p = f->text, end = f->text + f->len; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		cr_assert_lt(f->n, LOGS_MAX_LINES, "too many lines in %s",
		    path);
		*nl = '\0';
		f->line[f->n] = p;
		f->linelen[f->n++] = (size_t)(nl - p);
	}
	return f;
}

/* Release a read log. */
static void
logs_free(struct logs_file *f)
{
	free(f->text);
	free(f);
}

/* ---- a strict combined-format parser ---- */

/* Match "[28/Nov/2026:04:37:00 +0000]" at *pp. */
static bool
logs_time(const char **pp, char *out, size_t outlen)
{
	static const char	 months[] =
	    "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char		*p = *pp, *m;

	if (!combined_lit(&p, "[") || !combined_digits(&p, 2) || !combined_lit(&p, "/"))
		return false;
	for (m = months; *m != '\0'; m += 3)
		if (strncmp(p, m, 3) == 0)
			break;
	if (*m == '\0')
		return false;
	p += 3;
	if (!combined_lit(&p, "/") || !combined_digits(&p, 4) || !combined_lit(&p, ":") ||
	    !combined_digits(&p, 2) || !combined_lit(&p, ":") || !combined_digits(&p, 2) ||
	    !combined_lit(&p, ":") || !combined_digits(&p, 2) || !combined_lit(&p, " ") ||
	    (*p != '+' && *p != '-'))
		return false;
	p++;
	if (!combined_digits(&p, 4) || !combined_lit(&p, "]"))
		return false;
	snprintf(out, outlen, "%.*s", (int)(p - *pp), *pp);
	*pp = p;
	return true;
}

/* Parse one combined line strictly (no '\n'); 0 or -1. */
static int
logs_parse_combined(const char *line, struct logs_combined *c)
{
	const char	*p = line, *s;
	char		*end;

	for (s = p; isdigit((unsigned char)*p) || *p == '.' || *p == ':' ||
	    isxdigit((unsigned char)*p); p++)
		;
	if (p == s || (size_t)(p - s) >= sizeof(c->host))
		return -1;
	snprintf(c->host, sizeof(c->host), "%.*s", (int)(p - s), s);
	if (!combined_lit(&p, " - - ") ||
	    !logs_time(&p, c->time, sizeof(c->time)) || !combined_lit(&p, " ") ||
	    !combined_quoted(&p, c->request, sizeof(c->request)) ||
	    !combined_lit(&p, " ") || !combined_digits(&p, 3) || !combined_lit(&p, " "))
		return -1;
	c->status = atoi(p - 4);
	if (*p == '-') {
		c->bytes = -1;
		p++;
	} else if (*p >= '1' && *p <= '9') {
		c->bytes = strtoll(p, &end, 10);
		p = end;
	} else
		return -1;
	if (!combined_lit(&p, " ") ||
	    !combined_quoted(&p, c->referer, sizeof(c->referer)) ||
	    !combined_lit(&p, " ") || !combined_quoted(&p, c->ua, sizeof(c->ua)))
		return -1;
	return *p == '\0' ? 0 : -1;
}

/* Undo Apache's escaping of a field into out; the decoded length. */
static size_t
logs_unescape(const char *s, char *out)
{
	static const char	 from[] = "\"\\bnrtv", to[] = "\"\\\b\n\r\t\v";
	size_t			 o = 0;
	unsigned int		 x;

	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			out[o++] = *s;
			continue;
		}
		s++;
		if (*s == 'x' && sscanf(s + 1, "%2x", &x) == 1) {
			out[o++] = (char)x;
			s += 2;
		} else
			out[o++] = to[strchr(from, *s) - from];
	}
	out[o] = '\0';
	return o;
}

/* ---- driving the server ---- */

/* Set up and start an instance with extra config; asserts it serves. */
static struct tine *
logs_start(const char *extra)
{
	struct tine	*t = tine_setup(extra);

	cr_assert_not_null(t, "harness setup failed");
	cr_assert_eq(tine_put(t, "hello.txt", "hello\n"), 0);
	cr_assert_eq(tine_start(t), 0, "tine did not become ready");
	return t;
}

/* Send one raw request and assert the response status. */
static void
logs_send(struct tine *t, const char *req, size_t len, int status)
{
	struct tine_raw	raw;
	char		want[16];

	cr_assert_eq(tine_exchange(AF_INET, t->port, req, len, LOGS_IDLE_MS,
	    &raw), 0, "no exchange with the server");
	snprintf(want, sizeof(want), " %d ", status);
	cr_expect(raw.len > 12 && memcmp(raw.data + 8, want, strlen(want)) ==
	    0, "want status %d, got: %.40s", status, raw.data);
	tine_raw_free(&raw);
}

/* GET with our own headers and Connection: close; asserts the status. */
static void
logs_get(struct tine *t, const char *target, const char *headers,
    int status, struct tine_resp *r)
{
	char	req[8192];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: logs.test\r\n%s"
	    "Connection: close\r\n\r\n", target, headers);
	cr_assert_eq(tine_request(t, req, 0, r), 0, "no response to %s",
	    target);
	cr_assert_eq(r->status, status, "GET %s", target);
}

/* Whether the instance answers GET / with 200; a wait condition. */
static int
logs_serving(void *arg)
{
	struct tine_resp	r;
	int			ok;

	ok = tine_get(arg, "/", &r) == 0 && r.status == 200;
	tine_resp_free(&r);
	return ok;
}

/*
 * Start tine without waiting for "master ready" (a log level above notice
 * hides it): spawn as the harness does, then poll until a request succeeds.
 */
static void
logs_start_quiet(struct tine *t)
{
	pid_t	parent = getpid();
	int	fd;

	if ((t->pid = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		if ((fd = open("/dev/null", O_RDONLY)) != -1)
			dup2(fd, 0);
		fd = open(t->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd != -1)
			dup2(fd, 1);
		fd = open(t->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd != -1)
			dup2(fd, 2);
		closefrom(3);
		execl(t->bin, t->bin, "-f", "-c", t->conf, (char *)NULL);
		_exit(127);
	}
	cr_assert_gt(t->pid, 0, "fork failed");
	cr_assert_eq(tine_wait_until(logs_serving, t, TINE_TIMEOUT_MS), 0,
	    "tine never served");
}

/* ---- combined lines ---- */

/* One client process: n requests on new connections; exits 0 if all OK. */
static void __attribute__((noreturn))
logs_client(struct tine *t, int id)
{
	struct tine_resp	r;
	char			req[1024], pad[301];
	int			i, bad = 0;

	memset(pad, 'p', 300);
	pad[300] = '\0';
	for (i = 0; i < LOGS_PER_CLIENT; i++) {
		snprintf(req, sizeof(req), "GET /index.html?c=%d&i=%d HTTP/1.1"
		    "\r\nHost: logs.test\r\nUser-Agent: client-%d-%d %s\r\n"
		    "Referer: http://r.test/%d\r\nConnection: close\r\n\r\n",
		    id, i, id, i, pad, i);
		if (tine_request(t, req, 0, &r) == -1 || r.status != 200 ||
		    r.bodylen != strlen(TINE_INDEX_BODY))
			bad++;
		tine_resp_free(&r);
	}
	_exit(bad == 0 ? 0 : 1);
}

/* Check one line of the burst and mark its (client, request) as seen. */
static void
logs_check_burst_line(const char *line, bool seen[][LOGS_PER_CLIENT])
{
	struct logs_combined	*c = malloc(sizeof(*c));
	char			 want[512];
	int			 id, i, n = 0;

	cr_assert_not_null(c);
	cr_assert_eq(logs_parse_combined(line, c), 0, "malformed: %s", line);
	cr_expect_str_eq(c->host, "127.0.0.1");
	cr_assert_eq(sscanf(c->request, "GET /index.html?c=%d&i=%d HTTP/1.1%n",
	    &id, &i, &n), 2, "request %s", c->request);
	cr_assert(n == (int)strlen(c->request) && id >= 0 &&
	    id < LOGS_CLIENTS && i >= 0 && i < LOGS_PER_CLIENT, "%s", line);
	cr_expect(!seen[id][i], "logged twice: %s", line);
	seen[id][i] = true;
	cr_expect_eq(c->status, 200);
	cr_expect_eq(c->bytes, (long long)strlen(TINE_INDEX_BODY));
	snprintf(want, sizeof(want), "http://r.test/%d", i);
	cr_expect_str_eq(c->referer, want);
	snprintf(want, sizeof(want), "client-%d-%d ", id, i);
	cr_expect(strncmp(c->ua, want, strlen(want)) == 0 &&
	    strlen(c->ua) == strlen(want) + 300, "user agent %s", c->ua);
	free(c);
}

Test(logs, concurrent_lines_whole, .fini = tine_teardown, .timeout = 120)
{
	struct tine		*t = logs_start("workers = 4");
	bool			(*seen)[LOGS_PER_CLIENT];
	struct logs_file	*f;
	pid_t			 kids[LOGS_CLIENTS];
	int			 i, j, status;
	size_t			 n;

	seen = calloc(LOGS_CLIENTS, sizeof(*seen));
	cr_assert_not_null(seen);
	for (i = 0; i < LOGS_CLIENTS; i++) {
		cr_assert_neq(kids[i] = fork(), -1);
		if (kids[i] == 0)
			logs_client(t, i);
	}
	for (i = 0; i < LOGS_CLIENTS; i++) {
		cr_assert_eq(waitpid(kids[i], &status, 0), kids[i]);
		cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "client %d saw a failed request", i);
	}
	logs_wait_lines(t, LOGS_CLIENTS * LOGS_PER_CLIENT);
	f = logs_read(t->access_log);
	cr_assert_eq(f->n, LOGS_CLIENTS * LOGS_PER_CLIENT,
	    "%zu lines for %d requests", f->n, LOGS_CLIENTS * LOGS_PER_CLIENT);
	for (n = 0; n < f->n; n++)
		logs_check_burst_line(f->line[n], seen);
	for (i = 0; i < LOGS_CLIENTS; i++)
		for (j = 0; j < LOGS_PER_CLIENT; j++)
			cr_expect(seen[i][j], "request c=%d i=%d never logged",
			    i, j);
	free(seen);
	logs_free(f);
	tine_stop(t);
}

Test(logs, line_appears_within_1s, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = logs_start(NULL);
	struct tine_resp	 r;
	struct logs_want	 w;
	long long		 t0;

	logs_get(t, "/hello.txt?first-seen-marker", "", 200, &r);
	tine_resp_free(&r);
	t0 = tine_now_ms();
	w = (struct logs_want){ t->access_log, 0, "first-seen-marker" };
	cr_expect_eq(tine_wait_until(logs_has_lines, &w, LOGS_SEEN_MS), 0,
	    "no access-log line %lld ms after the response",
	    tine_now_ms() - t0);
	tine_stop(t);
}

Test(logs, combined_fields, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = logs_start(NULL);
	struct tine_resp	 r;
	struct logs_file	*f;
	struct logs_combined	*c = malloc(sizeof(*c));

	cr_assert_not_null(c);
	logs_get(t, "/hello.txt?a=b", "User-Agent: ua/1\r\nReferer: /from\r\n",
	    200, &r);
	tine_resp_free(&r);
	/* The next may reach another worker: one line at a time keeps order. */
	logs_wait_lines(t, 1);
	logs_get(t, "/missing", "", 404, &r);
	logs_wait_lines(t, 2);
	f = logs_read(t->access_log);
	cr_assert_eq(f->n, 2);
	cr_assert_eq(logs_parse_combined(f->line[0], c), 0, "%s", f->line[0]);
	cr_expect_str_eq(c->request, "GET /hello.txt?a=b HTTP/1.1");
	cr_expect_eq(c->status, 200);
	cr_expect_eq(c->bytes, 6);
	cr_expect_str_eq(c->referer, "/from");
	cr_expect_str_eq(c->ua, "ua/1");
	cr_assert_eq(logs_parse_combined(f->line[1], c), 0, "%s", f->line[1]);
	cr_expect_str_eq(c->request, "GET /missing HTTP/1.1");
	cr_expect_eq(c->status, 404);
	cr_expect_eq(c->bytes, (long long)r.bodylen);
	cr_expect_str_eq(c->referer, "-");
	cr_expect_str_eq(c->ua, "-");
	tine_resp_free(&r);
	logs_free(f);
	free(c);
	tine_stop(t);
}

/* The only line of the access log, parsed; asserts there is exactly one. */
static void
logs_only_line(struct tine *t, struct logs_combined *c)
{
	struct logs_file	*f;

	logs_wait_lines(t, 1);
	f = logs_read(t->access_log);
	cr_assert_eq(f->n, 1, "%zu lines for one request", f->n);
	cr_assert_eq(logs_parse_combined(f->line[0], c), 0, "malformed: %s",
	    f->line[0]);
	logs_free(f);
}

Test(logs, user_agent_cannot_forge_lines, .fini = tine_teardown,
    .timeout = 30)
{
	/* Raw backslash-quote, the two characters \n, a tab and a 0xff byte. */
	static const char	 ua[] = "evil\\\" \\n127.0.0.1 - - [x] \"GET "
	    "/forged HTTP/1.1\" 200 1 \"-\" \"x\t\xff";
	struct tine		*t = logs_start(NULL);
	struct logs_combined	*c = malloc(sizeof(*c));
	char			 hdr[512], back[LOGS_FIELD];
	struct tine_resp	 r;

	cr_assert_not_null(c);
	snprintf(hdr, sizeof(hdr), "User-Agent: %s\r\n", ua);
	logs_get(t, "/hello.txt", hdr, 200, &r);
	tine_resp_free(&r);
	logs_only_line(t, c);
	cr_expect_str_eq(c->ua, "evil\\\\\\\" \\\\n127.0.0.1 - - [x] \\\"GET "
	    "/forged HTTP/1.1\\\" 200 1 \\\"-\\\" \\\"x\\t\\xff");
	logs_unescape(c->ua, back);
	cr_expect_str_eq(back, ua, "the field does not decode to what was "
	    "sent");
	free(c);
	tine_stop(t);
}

/* A bad request, what it must log, and the status it must get. */
struct logs_bad {
	const char	*req;
	size_t		 len;
	const char	*want;		/* the escaped request field */
	int		 status;
};

#define B(s)	s, sizeof(s) - 1

static const struct logs_bad logs_bads[] = {
	{ B("GET /a\x01z HTTP/1.1\r\nHost: x\r\n\r\n"),
	    "GET /a\\x01z HTTP/1.1", 400 },
	{ B("GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n"),
	    "GET /\\xff\\xfe HTTP/1.1", 400 },
	{ B("GET /t\tx HTTP/1.1\r\nHost: x\r\n\r\n"),
	    "GET /t\\tx HTTP/1.1", 400 },
	{ B("GET /q\"\\ HTTP/1.1\r\nHost: x\r\n\r\n"),
	    "GET /q\\\"\\\\ HTTP/1.1", 400 },
	{ B("GET /esc\x1b[2J HTTP/1.1\r\nHost: x\r\n\r\n"),
	    "GET /esc\\x1b[2J HTTP/1.1", 400 },
	{ B("GET /hdr HTTP/1.1\r\nHost: x\r\nUser-Agent: a\x01z\r\n\r\n"),
	    "GET /hdr HTTP/1.1", 400 },
	{ B("GET /del HTTP/1.1\r\nHost: x\r\nReferer: a\x7fz\r\n\r\n"),
	    "GET /del HTTP/1.1", 400 },
};

Test(logs, bad_requests_logged_escaped, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = logs_start(NULL);
	struct logs_combined	*c = malloc(sizeof(*c));
	struct logs_file	*f;
	size_t			 i, n;

	n = sizeof(logs_bads) / sizeof(logs_bads[0]);

	cr_assert_not_null(c);
	for (i = 0; i < n; i++) {
		logs_send(t, logs_bads[i].req, logs_bads[i].len,
		    logs_bads[i].status);
		/* One at a time, so the lines come in the order sent. */
		logs_wait_lines(t, i + 1);
	}
	f = logs_read(t->access_log);
	cr_assert_eq(f->n, n, "%zu lines for %zu requests", f->n, n);
	for (i = 0; i < n; i++) {
		cr_assert_eq(logs_parse_combined(f->line[i], c), 0,
		    "malformed: %s", f->line[i]);
		cr_expect_str_eq(c->request, logs_bads[i].want, "request %zu",
		    i);
		cr_expect_eq(c->status, logs_bads[i].status, "request %zu", i);
	}
	logs_free(f);
	free(c);
	tine_stop(t);
}

Test(logs, binary_garbage_logged, .fini = tine_teardown, .timeout = 30)
{
	/* A SOCKS5 greeting sent to the HTTP port (a TLS hello is closed
	 * without an answer: test_tls). */
	static const char	 hello[] = "\x05\x02\x00\x02\xfc\r\n\r\n";
	struct tine		*t = logs_start(NULL);
	struct logs_combined	*c = malloc(sizeof(*c));
	struct tine_raw		 raw;

	cr_assert_not_null(c);
	cr_assert_eq(tine_exchange(AF_INET, t->port, hello, sizeof(hello) - 1,
	    LOGS_IDLE_MS, &raw), 0);
	tine_raw_free(&raw);
	logs_only_line(t, c);
	cr_expect_eq(c->status, 400);
	cr_expect(strncmp(c->request, "\\x05\\x02\\x00", 12) == 0,
	    "request field %s", c->request);
	cr_expect_str_eq(c->ua, "-");
	free(c);
	tine_stop(t);
}

/* ---- formats ---- */

/* Parse a JSON line and check the fields every line has; the count. */
static int
logs_json_line(const char *line, size_t len, struct json_field *jf)
{
	static const char *const keys[] = { "time", "remote_addr", "request",
	    "method", "uri", "query", "protocol", "status", "body_bytes",
	    "connection_status", "referer", "user_agent", "host",
	    "duration_us", "pid", "tls_protocol", "tls_cipher" };
	char	 v[LOGS_FIELD];
	size_t	 i;
	int	 n;

	n = json_object(line, len, jf, LOGS_JSON_MAX);
	cr_assert_eq(n, 17, "not a JSON object of 17 fields: %s", line);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_assert_not_null(json_get(jf, n, keys[i], v, sizeof(v)),
		    "no %s in %s", keys[i], line);
	json_get(jf, n, "time", v, sizeof(v));
	cr_expect(strlen(v) == 27 && v[5] == '-' && v[11] == 'T' &&
	    (v[20] == '+' || v[20] == '-') && v[23] == ':', "time %s", v);
	cr_expect_str_eq(json_get(jf, n, "remote_addr", v, sizeof(v)),
	    "\"127.0.0.1\"");
	json_get(jf, n, "duration_us", v, sizeof(v));
	cr_expect(isdigit((unsigned char)v[0]), "duration_us %s", v);
	return n;
}

/* Expect key to hold exactly the raw JSON value want. */
static void
logs_jexpect(const struct json_field *jf, int n, const char *key,
    const char *want)
{
	char	v[LOGS_FIELD];

	cr_expect_str_eq(json_get(jf, n, key, v, sizeof(v)), want, "%s", key);
}

Test(logs, json_format, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = logs_start("access_log_format = \"json\"");
	struct json_field	 jf[LOGS_JSON_MAX];
	struct tine_resp	 r;
	struct logs_file	*f;
	pid_t			 kids[TINE_MAX_WORKERS];
	char			 v[64];
	int			 n, nkids, i;
	bool			 found = false;

	logs_get(t, "/hello.txt?x=1&y=%22", "User-Agent: caf\xc3\xa9 "
	    "\"q\" \xff\t\\\r\nReferer: /r\r\n", 200, &r);
	tine_resp_free(&r);
	logs_wait_lines(t, 1);
	logs_send(t, B("GET /\x01\xc3 HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	logs_wait_lines(t, 2);
	f = logs_read(t->access_log);
	cr_assert_eq(f->n, 2, "%zu lines", f->n);
	n = logs_json_line(f->line[0], f->linelen[0], jf);
	logs_jexpect(jf, n, "request", "\"GET /hello.txt?x=1&y=%22 HTTP/1.1\"");
	logs_jexpect(jf, n, "method", "\"GET\"");
	logs_jexpect(jf, n, "uri", "\"/hello.txt\"");
	logs_jexpect(jf, n, "query", "\"x=1&y=%22\"");
	logs_jexpect(jf, n, "protocol", "\"HTTP/1.1\"");
	logs_jexpect(jf, n, "status", "200");
	logs_jexpect(jf, n, "body_bytes", "6");
	logs_jexpect(jf, n, "referer", "\"/r\"");
	logs_jexpect(jf, n, "user_agent",
	    "\"caf\xc3\xa9 \\\"q\\\" \\u00ff\\t\\\\\"");
	logs_jexpect(jf, n, "host", "\"logs.test\"");
	/* The pid is one of this master's workers. */
	nkids = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	json_get(jf, n, "pid", v, sizeof(v));
	for (i = 0; i < nkids; i++)
		found |= atoi(v) == kids[i];
	cr_expect(found, "pid %s is not a worker", v);
	n = logs_json_line(f->line[1], f->linelen[1], jf);
	logs_jexpect(jf, n, "request", "\"GET /\\u0001\\u00c3 HTTP/1.1\"");
	logs_jexpect(jf, n, "status", "400");
	logs_jexpect(jf, n, "user_agent", "null");
	logs_free(f);
	tine_stop(t);
}

Test(logs, custom_format, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = logs_start("access_log_format = \"%>s %b "
	    "%m %U %q %H %{Host}i %{Content-Type}o\"");
	struct tine_resp	 r;
	struct logs_file	*f;
	char			 want[256], ct[128];
	const char		*v;

	logs_get(t, "/hello.txt?k=v", "", 200, &r);
	cr_assert_not_null(v = tine_resp_header(&r, "Content-Type"));
	strlcpy(ct, v, sizeof(ct));
	snprintf(want, sizeof(want), "200 6 GET /hello.txt ?k=v HTTP/1.1 "
	    "logs.test %s", ct);
	tine_resp_free(&r);
	logs_wait_lines(t, 1);
	cr_assert_eq(tine_request(t, "HEAD /hello.txt HTTP/1.0\r\n"
	    "Host: h.test\r\n\r\n", 1, &r), 0);
	tine_resp_free(&r);
	logs_wait_lines(t, 2);
	f = logs_read(t->access_log);
	cr_assert_eq(f->n, 2);
	cr_expect_str_eq(f->line[0], want);
	snprintf(want, sizeof(want), "200 - HEAD /hello.txt  HTTP/1.0 "
	    "h.test %s", ct);
	cr_expect_str_eq(f->line[1], want);
	logs_free(f);
	tine_stop(t);
}

/* ---- where lines go ---- */

/* Three GET /hello.txt with this Host on one kept-alive connection c, each
 * answered 200; c is left open. */
static void
logs_three_on_one(struct tine *t, const char *host, struct tine_conn *c)
{
	struct tine_resp	 r;
	char			 req[256];
	int			 i;

	snprintf(req, sizeof(req), "GET /hello.txt HTTP/1.1\r\nHost: %s\r\n"
	    "\r\n", host);
	cr_assert_eq(tine_conn_open(c, AF_INET, t->port), 0);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(tine_conn_sends(c, req), 0);
		cr_assert_eq(tine_conn_read(c, 0, TINE_TIMEOUT_MS, &r), 0);
		cr_expect_eq(r.status, 200);
		tine_resp_free(&r);
	}
}

Test(logs, access_log_off, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = logs_start("access_log = \"off\"");
	struct tine_conn	 c;
	struct stat		 sb;
	char			*out;

	/* Three requests on one connection, then a stop: its workers write
	 * every line they hold before they exit. */
	logs_three_on_one(t, "off.test", &c);
	cr_assert_geq(tine_signal_wait(t, SIGTERM, TINE_STOP_MS), 0);
	tine_conn_close(&c);
	cr_expect(stat(t->access_log, &sb) == -1 || sb.st_size == 0,
	    "access_log = off wrote %s", t->access_log);
	cr_expect_eq(tine_count(t->error_log, "off.test"), 0);
	cr_expect_eq(tine_count(t->error_log, "GET /hello.txt"), 0);
	out = tine_slurp(t->out, NULL);
	cr_expect(out == NULL || strstr(out, "GET /hello.txt") == NULL,
	    "access lines on stdout: %s", out);
	free(out);
	tine_stop(t);
}

Test(logs, access_log_on_counts, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = logs_start(NULL);
	struct tine_conn	 c;

	/* The control for access_log_off: the same three requests log. */
	logs_three_on_one(t, "on.test", &c);
	cr_assert_geq(tine_signal_wait(t, SIGTERM, TINE_STOP_MS), 0);
	tine_conn_close(&c);
	cr_expect_eq(logs_count_lines(t->access_log), 3);
	tine_stop(t);
}

/* ---- buffered lines ---- */

/* GET /hello.txt?burst=I with this Host on the open connection c, for I
 * from 0 to n - 1, each answered 200. */
static void
logs_burst(struct tine_conn *c, const char *host, int n)
{
	struct tine_resp	 r;
	char			 req[256];
	int			 i;

	for (i = 0; i < n; i++) {
		snprintf(req, sizeof(req), "GET /hello.txt?burst=%d HTTP/1.1\r\n"
		    "Host: %s\r\n\r\n", i, host);
		cr_assert_eq(tine_conn_sends(c, req), 0);
		cr_assert_eq(tine_conn_read(c, 0, TINE_TIMEOUT_MS, &r), 0);
		cr_assert_eq(r.status, 200);
		tine_resp_free(&r);
	}
}

/* The write(2)-like calls pid made so far: syscw in /proc/PID/io. */
static long long
logs_syscw(pid_t pid)
{
	char		path[64], key[32];
	long long	v = -1, x;
	FILE		*f;

	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	cr_assert_not_null(f = fopen(path, "re"), "%s", path);
	while (fscanf(f, "%31s %lld", key, &x) == 2)
		if (strcmp(key, "syscw:") == 0)
			v = x;
	fclose(f);
	cr_assert_geq(v, 0, "no syscw in %s", path);
	return v;
}

/* The only worker of a one-worker instance. */
static pid_t
logs_worker(struct tine *t)
{
	pid_t	kids[TINE_MAX_WORKERS];

	cr_assert_eq(tine_children(t->pid, kids, TINE_MAX_WORKERS), 1);
	return kids[0];
}

/*
 * A burst of requests on one connection costs about as many write calls
 * with the access log on as with it off (the lines leave together, not
 * one write each), and every line is in the file soon after, though no
 * further request comes and the connection stays open.
 */
Test(logs, burst_lines_written_together, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine		*t = logs_start("workers = 1\n"
	    "vhost \"quiet.test\" { access_log = off }");
	struct tine_conn	 c;
	long long		 w0, off, on;
	pid_t			 pid = logs_worker(t);

	cr_assert_eq(tine_conn_open(&c, AF_INET, t->port), 0);
	/* Once each first: caches filled, the log's buffer made. */
	logs_burst(&c, "quiet.test", 1);
	logs_burst(&c, "logs.test", 1);
	w0 = logs_syscw(pid);
	logs_burst(&c, "quiet.test", LOGS_BURST);
	off = logs_syscw(pid) - w0;
	w0 = logs_syscw(pid);
	logs_burst(&c, "logs.test", LOGS_BURST);
	on = logs_syscw(pid) - w0;
	cr_log_info("write calls for %d requests: %lld log off, %lld on",
	    LOGS_BURST, off, on);
	/* One write per line would be LOGS_BURST more; a flush each 100 ms
	 * of a slow run is a few. */
	cr_expect_lt(on - off, LOGS_BURST / 4, "%lld write calls with the log "
	    "on, %lld off, for %d requests", on, off, LOGS_BURST);
	logs_wait_lines(t, LOGS_BURST + 1);
	cr_expect_eq(tine_count(t->access_log, "GET /hello.txt?burst="),
	    LOGS_BURST + 1);
	cr_expect_eq(tine_count(t->access_log, "?burst=199 "), 1);
	tine_conn_close(&c);
	tine_stop(t);
}

/* A fast stop right after a burst on a kept connection: every line is in
 * the file once the server is gone. */
Test(logs, fast_stop_loses_no_line, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = logs_start("workers = 1");
	struct tine_conn	 c;

	cr_assert_eq(tine_conn_open(&c, AF_INET, t->port), 0);
	logs_burst(&c, "logs.test", LOGS_BURST);
	cr_assert_geq(tine_signal_wait(t, SIGTERM, TINE_STOP_MS), 0);
	tine_conn_close(&c);
	cr_expect_eq(logs_count_lines(t->access_log), LOGS_BURST);
	tine_stop(t);
}

/* LOGS_EXITING requests each on its own connection, answered 200. */
static void
logs_exiting(struct tine *t)
{
	struct tine_resp	r;
	char			target[64];
	int			i;

	for (i = 0; i < LOGS_EXITING; i++) {
		snprintf(target, sizeof(target), "/hello.txt?exiting=%d", i);
		logs_get(t, target, "", 200, &r);
		tine_resp_free(&r);
	}
}

/* A graceful stop right after requests: the retiring worker, with no
 * connection left, exits at once and writes its lines first. */
Test(logs, graceful_stop_loses_no_line, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = logs_start("workers = 1");

	logs_exiting(t);
	cr_assert_geq(tine_signal_wait(t, SIGQUIT, TINE_TIMEOUT_MS), 0);
	cr_expect_eq(logs_count_lines(t->access_log), LOGS_EXITING);
	tine_stop(t);
}

/* A worker retired by a reload or by its request limit leaves every line
 * in the log before it is gone. */
static void
logs_retired(const char *extra, bool reload)
{
	struct tine	*t = logs_start(extra);
	pid_t		 pid = logs_worker(t);

	logs_exiting(t);
	if (reload)
		cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_gone(&pid, 1, TINE_TIMEOUT_MS), 0,
	    "worker %d not retired", (int)pid);
	cr_expect_eq(logs_count_lines(t->access_log), LOGS_EXITING);
	tine_stop(t);
}

Test(logs, reload_loses_no_line, .fini = tine_teardown, .timeout = 60)
{
	logs_retired("workers = 1", true);
}

Test(logs, request_limit_loses_no_line, .fini = tine_teardown,
    .timeout = 60)
{
	char	extra[64];

	snprintf(extra, sizeof(extra), "workers = 1\n"
	    "max_requests_per_worker = %d", LOGS_EXITING);
	logs_retired(extra, false);
}

Test(logs, log_level_error_filters, .fini = tine_teardown, .timeout = 30)
{
	struct tine		*t = tine_setup("log_level = \"error\"");
	struct tine_resp	 r;
	struct logs_want	 w;

	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "hello.txt", "hello\n"), 0);
	logs_start_quiet(t);
	logs_get(t, "/missing", "", 404, &r);
	tine_resp_free(&r);
	logs_wait_lines(t, 1);
	/* A reload of a broken file is an error: it must get through. */
	cr_assert_eq(tine_config(t, "log_level = \"error\"\nno_such_key = 1"),
	    0);
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	w = (struct logs_want){ t->error_log, 0, "[error]" };
	cr_expect_eq(tine_wait_until(logs_has_lines, &w, TINE_TIMEOUT_MS), 0,
	    "the failed reload was not logged at error level");
	logs_get(t, "/hello.txt", "", 200, &r);
	tine_resp_free(&r);
	cr_expect_eq(tine_count(t->error_log, "master ready"), 0,
	    "a notice line got through log_level = error");
	cr_expect_eq(tine_count(t->error_log, "[notice]"), 0);
	cr_expect_eq(tine_count(t->error_log, "[info]"), 0);
	cr_expect_eq(tine_count(t->error_log, "[warn]"), 0);
	tine_stop(t);
}

Test(logs, log_level_info_shows_notice, .fini = tine_teardown, .timeout = 30)
{
	struct tine	*t = logs_start("log_level = \"info\"");

	/* The control for the filter test: the same line at a lower level. */
	cr_expect_geq(tine_count(t->error_log, "[notice]"), 1);
	cr_expect_geq(tine_count(t->error_log, "master ready"), 1);
	tine_stop(t);
}
