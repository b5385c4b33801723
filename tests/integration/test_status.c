/*
 * test_status: the status page against the real binary — after requests
 * spread over two workers on several connections, its counters add up
 * exactly in HTML, JSON (well-formed) and the Prometheus text format
 * (every line parsed); a client outside status_allow is refused; it is off
 * unless status_path is set, and set per vhost; a crash and a reload are
 * counted as restarts while the totals keep what the gone workers did;
 * and `tine -s status` prints the same from the scoreboard file.
 */
#include "tine_build.h"

#include <sys/socket.h>

#include <ctype.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"

#define ST_PATH		"/server-status"
#define ST_CONF		"status_path = \"" ST_PATH "\"\n"
#define ST_CONNS	6	/* kept-alive connections taking turns */
#define ST_ROUNDS	5	/* requests on each */
#define ST_TRIES	50	/* status fetches before giving up */
#define ST_METRICS	64

/* The formats, by their query. */
enum st_fmt { ST_HTML, ST_JSON, ST_PROM };

/* What one status page says. */
struct st_seen {
	unsigned long long	requests, bytes, ok2xx;
	unsigned long long	worker_requests, worker_bytes;	/* the rows' sums */
	int			workers;	/* rows, or ready workers */
};

/* Requests made and bytes received so far, all of them answered. */
struct st_run {
	struct tine		*t;
	unsigned long long	 requests, bytes;
};

/* ---- a strict reader of JSON's grammar (values are not kept) ---- */

static const char *st_json_value(const char *p);

/* Past spaces. */
static const char *
st_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}

/* Past a string (p at its quote), NULL if it is not one. */
static const char *
st_json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++)
		if (*p == '\0' || (unsigned char)*p < 0x20 || (*p == '\\' &&
		    *++p == '\0'))
			return NULL;
	return p + 1;
}

/* Past an object or an array (p at its bracket), NULL if malformed. */
static const char *
st_json_members(const char *p, char close)
{
	p = st_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if ((p = st_json_string(st_ws(p))) == NULL ||
			    *(p = st_ws(p)) != ':')
				return NULL;
			p++;
		}
		if ((p = st_json_value(p)) == NULL)
			return NULL;
		p = st_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

/* Past one value, NULL if malformed. */
static const char *
st_json_value(const char *p)
{
	char	*end;

	p = st_ws(p);
	if (*p == '{' || *p == '[')
		return st_json_members(p, *p == '{' ? '}' : ']');
	if (*p == '"')
		return st_json_string(p);
	if (*p == '-' || isdigit((unsigned char)*p)) {
		strtod(p, &end);
		return end;
	}
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
		return p + 4;
	return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
}

/* The number after the first `key` at or past p; the test fails without. */
static unsigned long long
st_num_after(const char *p, const char *key)
{
	const char	*hit = strstr(p, key);

	cr_assert_not_null(hit, "no %s in %s", key, p);
	return strtoull(hit + strlen(key), NULL, 10);
}

/* A JSON page: well-formed, then its totals and its workers' sums. */
static void
st_parse_json(const char *body, struct st_seen *s)
{
	const char	*end = st_json_value(body), *p;

	cr_assert(end != NULL && *st_ws(end) == '\0', "not JSON: %s", body);
	/* The master's object comes first and has no "requests". */
	s->requests = st_num_after(body, ",\"requests\":");
	s->bytes = st_num_after(body, ",\"bytes_sent\":");
	s->ok2xx = st_num_after(body, "\"2xx\":");
	p = strstr(body, "\"workers\":[");
	cr_assert_not_null(p);
	while ((p = strstr(p, "{\"pid\":")) != NULL) {
		s->workers++;
		s->worker_requests += st_num_after(p, "\"requests\":");
		s->worker_bytes += st_num_after(p, "\"bytes_sent\":");
		p++;
	}
}

/* An HTML page: its summary, and the sums of its table's rows. */
static void
st_parse_html(const char *body, struct st_seen *s)
{
	unsigned long long	 req, bytes;
	const char		*p;

	cr_assert(strstr(body, "<meta http-equiv=\"refresh\"") != NULL);
	s->requests = st_num_after(body, "</p>\n<p>");
	s->bytes = st_num_after(body, "per second over the last minute; ");
	s->ok2xx = st_num_after(body, " 2xx ");
	for (p = body; (p = strstr(p, "<tr><td>")) != NULL; p++) {
		cr_assert_eq(sscanf(p, "<tr><td>%*d</td><td>%*u</td><td>%*[a-z]"
		    "</td><td>%*[-0-9TZ:]</td><td>%llu</td><td>%*u</td><td>%llu"
		    "</td>", &req, &bytes), 2, "row %.80s", p);
		s->workers++;
		s->worker_requests += req;
		s->worker_bytes += bytes;
	}
}

/* ---- the Prometheus text format ---- */

/* One sample: its name with labels, and its value. */
struct st_metric {
	char	name[128];
	double	value;
};

/* Whether s[0..n) is a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*). */
static int
st_prom_name(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != ':')
			return 0;
	return 1;
}

/* Whether {labels} at p (up to end) is `{name="value",...}`. */
static int
st_prom_labels(const char *p, const char *end)
{
	size_t	n;

	if (*p++ != '{')
		return 0;
	while (p < end && *p != '}') {
		n = strcspn(p, "=");
		if (!st_prom_name(p, n) || p[n + 1] != '"')
			return 0;
		p += n + 2;
		p += strcspn(p, "\"\n") + 1;
		if (p[-1] != '"' || (*p != ',' && *p != '}'))
			return 0;
		if (*p == ',')
			p++;
	}
	return p + 1 == end;
}

/* A Prometheus page: every line a HELP or TYPE comment or a sample of a
 * metric whose TYPE came before; the samples into m. */
static int
st_parse_prom(const char *body, struct st_metric *m, int max)
{
	char		 typed[ST_METRICS][64], *end;
	const char	*line, *sp, *brace;
	size_t		 nlen;
	int		 ntyped = 0, n = 0, i;

	for (line = body; *line != '\0'; line = strchr(line, '\n') + 1) {
		cr_assert_not_null(strchr(line, '\n'), "unterminated line");
		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (sscanf(line, "# TYPE %63s", typed[ntyped]) == 1) {
			cr_assert(strstr(line, " counter\n") != NULL ||
			    strstr(line, " gauge\n") != NULL, "%s", line);
			cr_assert_lt(++ntyped, ST_METRICS);
			continue;
		}
		sp = strchr(line, ' ');
		cr_assert(sp != NULL && sp < strchr(line, '\n'), "%s", line);
		brace = memchr(line, '{', (size_t)(sp - line));
		nlen = (size_t)((brace != NULL ? brace : sp) - line);
		cr_assert(st_prom_name(line, nlen), "bad name: %.60s", line);
		cr_assert(brace == NULL || st_prom_labels(brace, sp),
		    "bad labels: %.80s", line);
		for (i = 0; i < ntyped; i++)
			if (strlen(typed[i]) == nlen &&
			    strncmp(typed[i], line, nlen) == 0)
				break;
		cr_assert_lt(i, ntyped, "no TYPE before %.60s", line);
		cr_assert_lt(n, max);
		snprintf(m[n].name, sizeof(m[n].name), "%.*s",
		    (int)(sp - line), line);
		m[n].value = strtod(sp + 1, &end);
		cr_assert_eq(*end, '\n', "bad value: %.80s", line);
		n++;
	}
	return n;
}

/* The value of sample name (with labels) among n; the test fails without. */
static double
st_metric(const struct st_metric *m, int n, const char *name)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(m[i].name, name) == 0)
			return m[i].value;
	cr_assert_fail("no sample %s", name);
	return 0;
}

/* A Prometheus page's totals (it has no per-worker samples). */
static void
st_parse_prom_seen(const char *body, struct st_seen *s)
{
	struct st_metric	m[ST_METRICS];
	int			n = st_parse_prom(body, m, ST_METRICS);

	s->requests = (unsigned long long)st_metric(m, n,
	    "tine_requests_total");
	s->bytes = (unsigned long long)st_metric(m, n,
	    "tine_bytes_sent_total");
	s->ok2xx = (unsigned long long)st_metric(m, n,
	    "tine_responses_total{class=\"2xx\"}");
	s->workers = (int)st_metric(m, n, "tine_workers{state=\"ready\"}");
	s->worker_requests = s->requests;
	s->worker_bytes = s->bytes;
}

/* ---- talking to it ---- */

/* GET path, counted in run (the bytes as received: head and body). */
static void
st_get(struct st_run *run, const char *path, struct tine_resp *r)
{
	cr_assert_eq(tine_get(run->t, path, r), 0, "GET %s", path);
	run->requests++;
	run->bytes += strlen(r->head) + r->bodylen;
}

/* The status page in fmt, parsed into s. */
static void
st_fetch(struct st_run *run, enum st_fmt fmt, struct st_seen *s)
{
	static const char *const q[] = { "", "?json", "?prometheus" };
	static const char *const type[] = { "text/html; charset=utf-8",
	    "application/json", "text/plain; version=0.0.4; charset=utf-8" };
	struct tine_resp	 r;
	char			 path[64];

	snprintf(path, sizeof(path), "%s%s", ST_PATH, q[fmt]);
	memset(s, 0, sizeof(*s));
	st_get(run, path, &r);
	expect_status(&r, 200);
	expect_hdr(&r, "Content-Type", type[fmt]);
	expect_hdr(&r, "Cache-Control", "no-store");
	if (fmt == ST_JSON)
		st_parse_json(r.body, s);
	else if (fmt == ST_HTML)
		st_parse_html(r.body, s);
	else
		st_parse_prom_seen(r.body, s);
	tine_resp_free(&r);
}

/*
 * Fetch fmt until it shows every response run had before it: a response
 * is counted just after its last byte is written, so the one read last
 * may not be yet. Then everything must add up exactly: the rows to the
 * totals too, unless workers were reaped (the totals keep theirs).
 */
static void
st_until_exact(struct st_run *run, enum st_fmt fmt, int workers,
    bool reaped)
{
	unsigned long long	want_req, want_bytes;
	struct st_seen		s;
	int			i;

	for (i = 0; i < ST_TRIES; i++) {
		want_req = run->requests;
		want_bytes = run->bytes;
		st_fetch(run, fmt, &s);
		cr_assert_leq(s.requests, want_req, "format %d counts more", fmt);
		cr_assert_leq(s.bytes, want_bytes, "format %d: more bytes", fmt);
		/* A worker counts a response's request, bytes and class one
		 * after the other: all three, or look again. */
		if (s.requests == want_req && s.bytes == want_bytes &&
		    s.ok2xx == want_req)
			break;
	}
	cr_assert_lt(i, ST_TRIES, "format %d: %llu requests, %llu bytes, "
	    "%llu 2xx; not %llu, %llu", fmt, s.requests, s.bytes, s.ok2xx,
	    want_req, want_bytes);
	cr_assert_eq(s.workers, workers, "format %d: workers", fmt);
	if (!reaped) {
		cr_assert_eq(s.worker_requests, s.requests, "format %d: rows",
		    fmt);
		cr_assert_eq(s.worker_bytes, s.bytes, "format %d: row bytes",
		    fmt);
	} else
		cr_assert_lt(s.worker_requests, s.requests, "format %d", fmt);
}

/* ST_CONNS kept-alive connections taking turns, ST_ROUNDS GETs on each. */
static void
st_load(struct st_run *run)
{
	struct tine_conn	c[ST_CONNS];
	struct tine_resp	r;
	int			i, k;

	for (i = 0; i < ST_CONNS; i++)
		cr_assert_eq(tine_conn_open(&c[i], AF_INET, run->t->port), 0);
	for (k = 0; k < ST_ROUNDS; k++)
		for (i = 0; i < ST_CONNS; i++) {
			cr_assert_eq(tine_conn_sends(&c[i], "GET / HTTP/1.1\r\n"
			    "Host: a\r\n\r\n"), 0);
			cr_assert_eq(tine_conn_read(&c[i], 0, TINE_TIMEOUT_MS,
			    &r), 0);
			expect_status(&r, 200);
			run->requests++;
			run->bytes += strlen(r.head) + r.bodylen;
			tine_resp_free(&r);
		}
	for (i = 0; i < ST_CONNS; i++)
		tine_conn_close(&c[i]);
}

/* Ask method path of host and expect status. */
static void
st_expect(struct tine *t, const char *method, const char *host,
    const char *path, int status)
{
	struct tine_resp	r;

	expect_ask(t, method, host, path, NULL, &r);
	expect_status(&r, status);
	tine_resp_free(&r);
}

/* Start an instance with extra; the test fails without one. */
static struct tine *
st_start(const char *extra)
{
	struct tine	*t = tine_setup(extra);

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0, "tine did not start");
	return t;
}

Test(status, counters_add_up_in_every_format, .fini = tine_teardown)
{
	struct st_run	run = { st_start(ST_CONF), 0, 0 };

	st_load(&run);
	cr_assert_eq(run.requests, ST_CONNS * ST_ROUNDS);
	st_until_exact(&run, ST_HTML, 2, false);
	st_until_exact(&run, ST_JSON, 2, false);
	st_until_exact(&run, ST_PROM, 2, false);
	st_until_exact(&run, ST_HTML, 2, false);
	tine_stop(run.t);
}

/* Whether every worker the master has shows in the JSON page's rows. */
static int
st_all_workers(void *arg)
{
	struct st_run	*run = arg;
	struct st_seen	 s;

	st_fetch(run, ST_JSON, &s);
	return s.workers == 2;
}

Test(status, restarts_counted_and_totals_kept, .fini = tine_teardown)
{
	struct st_run		 run = { st_start(ST_CONF), 0, 0 };
	struct st_metric	 m[ST_METRICS];
	struct tine_resp	 r;
	pid_t			 kids[TINE_MAX_WORKERS];
	int			 n;

	st_load(&run);
	/* Every response counted before the crash: a worker counts one just
	 * after its last byte, and a kill in between would lose it. */
	st_until_exact(&run, ST_JSON, 2, false);
	n = tine_children(run.t->pid, kids, TINE_MAX_WORKERS);
	cr_assert_eq(n, 2);
	/* A crash: its requests stay in the totals. */
	kill(kids[0], SIGSEGV);
	cr_assert_eq(tine_wait_log(run.t, "crashed: SIGSEGV", 1,
	    TINE_TIMEOUT_MS), 0);
	/* A reload: both workers of generation 1 retire. */
	cr_assert_eq(kill(run.t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_log(run.t, "generation 1 finished", 1,
	    TINE_TIMEOUT_MS), 0);
	cr_assert_eq(tine_wait_until(st_all_workers, &run, TINE_TIMEOUT_MS),
	    0);
	st_until_exact(&run, ST_JSON, 2, true);
	st_get(&run, ST_PATH "?prometheus", &r);
	n = st_parse_prom(r.body, m, ST_METRICS);
	cr_assert_eq(st_metric(m, n,
	    "tine_worker_restarts_total{cause=\"crash\"}"), 1);
	cr_assert_eq(st_metric(m, n,
	    "tine_worker_restarts_total{cause=\"reload\"}"), 2);
	cr_assert_eq(st_metric(m, n,
	    "tine_worker_restarts_total{cause=\"watchdog\"}"), 0);
	cr_assert_eq(st_metric(m, n, "tine_generation"), 2);
	tine_resp_free(&r);
	tine_stop(run.t);
}

Test(status, refused_outside_status_allow, .fini = tine_teardown)
{
	struct tine		*t = st_start(ST_CONF
	    "status_allow = {\"::1/128\"}\n");
	struct tine_resp	 r;

	/* The harness talks from 127.0.0.1, which ::1/128 does not hold. */
	cr_assert_eq(tine_get(t, ST_PATH "?json", &r), 0);
	expect_status(&r, 403);
	cr_assert_null(strstr(r.body, "requests"));
	tine_resp_free(&r);
	cr_assert_eq(tine_get(t, "/", &r), 0);
	expect_status(&r, 200);
	tine_resp_free(&r);
	tine_stop(t);
}

Test(status, off_by_default, .fini = tine_teardown)
{
	struct tine	*t = st_start(NULL);

	st_expect(t, "GET", "a", ST_PATH, 404);
	st_expect(t, "GET", "a", ST_PATH "?prometheus", 404);
	tine_stop(t);
}

Test(status, per_vhost, .fini = tine_teardown)
{
	struct tine		*t = st_start(
	    "vhost \"on.test\" { status_path = \"/st\" }\n"
	    "vhost \"off.test\" { }\n");
	struct tine_resp	 r;

	cr_assert_eq(tine_ask(t, "GET", "on.test", "/st?json", NULL, &r), 0);
	expect_status(&r, 200);
	cr_assert_not_null(strstr(r.body, "\"workers\":["));
	tine_resp_free(&r);
	st_expect(t, "GET", "off.test", "/st?json", 404);
	st_expect(t, "GET", "on.test", ST_PATH, 404);
	tine_stop(t);
}

Test(status, vhost_turns_it_off, .fini = tine_teardown)
{
	struct tine	*t = st_start(ST_CONF
	    "vhost \"quiet.test\" { status_path = \"off\" }\n");

	st_expect(t, "GET", "quiet.test", ST_PATH, 404);
	st_expect(t, "GET", "other.test", ST_PATH, 200);
	tine_stop(t);
}

/* tine -s status of run's instance; its stdout (the caller frees it),
 * the exit status in *status. */
static char *
st_tine_s_status(struct st_run *run, int *status)
{
	const char	*args[] = { "-c", NULL, "-s", "status", NULL };

	args[1] = run->t->conf;
	*status = tine_run(run->t, args, TINE_TIMEOUT_MS);
	return tine_slurp(*status == 0 ? run->t->out : run->t->err, NULL);
}

/* Whether tine -s status counts every request of run, its bytes and its
 * 2xx (the last may be counted just after the client read it). */
static int
st_s_counts_all(void *arg)
{
	struct st_run	*run = arg;
	char		*out, req[64], bytes[64], ok2xx[64];
	int		 status, ok;

	out = st_tine_s_status(run, &status);
	snprintf(req, sizeof(req), "\nrequests %llu (", run->requests);
	snprintf(bytes, sizeof(bytes), "bytes sent %llu,", run->bytes);
	snprintf(ok2xx, sizeof(ok2xx), " 2xx %llu ", run->requests);
	ok = status == 0 && out != NULL && strstr(out, req) != NULL &&
	    strstr(out, bytes) != NULL && strstr(out, ok2xx) != NULL;
	free(out);
	return ok;
}

Test(status, tine_s_status_prints_the_scoreboard, .fini = tine_teardown)
{
	struct st_run	 run = { st_start(NULL), 0, 0 };
	pid_t		 kids[TINE_MAX_WORKERS];
	char		*out, want[64], sb[TINE_PATH_MAX];
	int		 n, i, status;

	/* No status_path: tine -s status reads the file, not the page. */
	st_load(&run);
	n = tine_children(run.t->pid, kids, TINE_MAX_WORKERS);
	cr_assert_eq(n, 2);
	cr_assert_eq(tine_wait_until(st_s_counts_all, &run, TINE_TIMEOUT_MS),
	    0, "tine -s status never counted %llu requests and %llu bytes",
	    run.requests, run.bytes);
	out = st_tine_s_status(&run, &status);
	cr_assert_eq(status, 0);
	snprintf(want, sizeof(want), "master pid %ld, generation 1,",
	    (long)run.t->pid);
	cr_assert_not_null(strstr(out, want), "%s", out);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "\n%8ld    1 ready ",
		    (long)kids[i]);
		cr_assert_not_null(strstr(out, want), "%s", out);
	}
	free(out);
	/* Stopped: the file beside the pid file is gone, and it says so. */
	tine_path(sb, run.t->dir, "tine.scoreboard");
	cr_assert_eq(access(sb, F_OK), 0);
	cr_assert_neq(tine_signal_wait(run.t, SIGTERM, TINE_STOP_MS), -1);
	cr_assert_neq(access(sb, F_OK), 0);
	out = st_tine_s_status(&run, &status);
	cr_assert_eq(status, 1);
	cr_assert_not_null(strstr(out, "is tine running?"), "%s", out);
	free(out);
	tine_stop(run.t);
}

Test(status, head_and_methods, .fini = tine_teardown)
{
	struct tine		*t = st_start(ST_CONF);
	struct tine_resp	 r;

	cr_assert_eq(tine_request(t, "HEAD " ST_PATH "?json HTTP/1.1\r\n"
	    "Host: a\r\nConnection: close\r\n\r\n", 1, &r), 0);
	expect_status(&r, 200);
	expect_hdr(&r, "Content-Type", "application/json");
	cr_assert_gt(strtoull(tine_resp_header(&r, "Content-Length"), NULL,
	    10), 0);
	cr_assert_eq(r.bodylen, 0);
	tine_resp_free(&r);
	st_expect(t, "DELETE", "a", ST_PATH, 405);
	tine_stop(t);
}

Test(status, per_location_allow_and_access_rules, .fini = tine_teardown)
{
	struct tine	*t = st_start(ST_CONF
	    "vhost \"loc.test\" { location \"" ST_PATH "\" {"
	    " status_allow = {\"::1/128\"} } }\n"
	    "vhost \"deny.test\" { location \"/server\" {"
	    " deny = {\"all\"} } }\n");

	/* A location around the path sets who sees it ... */
	st_expect(t, "GET", "loc.test", ST_PATH, 403);
	/* ... and the access rules come first. */
	st_expect(t, "GET", "deny.test", ST_PATH, 403);
	st_expect(t, "GET", "other.test", ST_PATH, 200);
	tine_stop(t);
}
