/* Unit tests for common/status_fmt.c: a snapshot in each format, and the
 * bound its buffer is made with. */
#include "tine_build.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "scoreboard.h"
#include "status_fmt.h"

#define BIG	(1 << 20)

/* A snapshot of two workers, one of each of two generations. */
static void
two(struct sb_snapshot *s, struct sb_worker *w)
{
	memset(s, 0, sizeof(*s));
	memset(w, 0, 2 * sizeof(*w));
	s->master_pid = 41;
	s->now = 1796095600;
	s->started = 1796095570;
	s->uptime = 30;
	s->generation = 2;
	s->total.requests = 12;
	s->total.bytes_sent = 3456;
	s->total.responses[1] = 10;
	s->total.responses[3] = 2;
	s->connections = 3;
	s->minute_requests = 12;
	s->minute_secs = 24;
	s->exits[SB_EXIT_RELOAD] = 2;
	s->states[SB_READY] = 1;
	s->states[SB_RETIRING] = 1;
	w[0] = (struct sb_worker){ 42, 1, SB_RETIRING, 1796095571, 5, 1,
	    1000, 0 };
	w[1] = (struct sb_worker){ 43, 2, SB_READY, 1796095590, 7, 2, 2456,
	    1 };
	s->workers = w;
	s->nworkers = 2;
}

/* snap in f, NUL-terminated in a malloc'd string. */
static char *
render(const struct sb_snapshot *snap, enum status_format f, size_t cap)
{
	struct buf	 b;
	char		*mem = malloc(cap + 1);

	cr_assert_not_null(mem);
	buf_init(&b, mem, cap);
	status_fmt(&b, snap, f);
	cr_assert(buf_ok(&b), "format %d overflowed %zu bytes", f, cap);
	mem[b.len] = '\0';
	return mem;
}

Test(status_fmt, json)
{
	struct sb_snapshot	 s;
	struct sb_worker	 w[2];
	char			*out;

	two(&s, w);
	out = render(&s, STATUS_JSON, BIG);
	cr_assert_str_eq(out, "{\"master\":{\"pid\":41,\"started\":1796095570,"
	    "\"uptime\":30,\"generation\":2},\"requests\":12,\"bytes_sent\":"
	    "3456,\"connections\":3,\"requests_per_second\":0.50,\"responses\":"
	    "{\"1xx\":0,\"2xx\":10,\"3xx\":0,\"4xx\":2,\"5xx\":0},"
	    "\"workers_by_state\":{\"starting\":0,\"ready\":1,\"retiring\":1,"
	    "\"limit\":0},\"restarts\":{\"crash\":0,\"watchdog\":0,\"killed\":0,"
	    "\"limit\":0,\"reload\":2,\"retired\":0,\"resource\":0,\"failed\":0,"
	    "\"fatal\":0},\"workers\":[{\"pid\":42,\"generation\":1,\"state\":"
	    "\"retiring\",\"started\":1796095571,\"requests\":5,\"connections\":"
	    "1,\"bytes_sent\":1000,\"heartbeat_age\":0},{\"pid\":43,"
	    "\"generation\":2,\"state\":\"ready\",\"started\":1796095590,"
	    "\"requests\":7,\"connections\":2,\"bytes_sent\":2456,"
	    "\"heartbeat_age\":1}]}\n");
	free(out);
}

Test(status_fmt, prometheus)
{
	struct sb_snapshot	 s;
	struct sb_worker	 w[2];
	char			*out;

	two(&s, w);
	out = render(&s, STATUS_PROMETHEUS, BIG);
	cr_assert_not_null(strstr(out, "# HELP tine_requests_total "));
	cr_assert_not_null(strstr(out, "# TYPE tine_requests_total counter\n"
	    "tine_requests_total 12\n"));
	cr_assert_not_null(strstr(out, "# TYPE tine_responses_total counter\n"
	    "tine_responses_total{class=\"1xx\"} 0\n"
	    "tine_responses_total{class=\"2xx\"} 10\n"));
	cr_assert_not_null(strstr(out, "tine_bytes_sent_total 3456\n"));
	cr_assert_not_null(strstr(out, "# TYPE tine_connections gauge\n"
	    "tine_connections 3\n"));
	cr_assert_not_null(strstr(out, "tine_workers{state=\"retiring\"} 1\n"));
	cr_assert_null(strstr(out, "state=\"free\""));
	cr_assert_not_null(strstr(out,
	    "tine_worker_restarts_total{cause=\"reload\"} 2\n"));
	cr_assert_not_null(strstr(out, "tine_requests_per_second 0.50\n"));
	cr_assert_eq(out[strlen(out) - 1], '\n');
	free(out);
}

Test(status_fmt, html_and_text)
{
	struct sb_snapshot	 s;
	struct sb_worker	 w[2];
	char			*out;

	two(&s, w);
	out = render(&s, STATUS_HTML, BIG);
	cr_assert_not_null(strstr(out, "<meta http-equiv=\"refresh\" "
	    "content=\"5\">"));
	cr_assert_not_null(strstr(out, "<p>Master pid 41, generation 2, up "
	    "30 s (since 2026-12-01T03:26:10Z).</p>"));
	cr_assert_not_null(strstr(out, "<tr><td>43</td><td>2</td><td>ready"
	    "</td><td>2026-12-01T03:26:30Z</td><td>7</td><td>2</td><td>2456"
	    "</td><td>1 s ago</td></tr>\n"));
	free(out);
	out = render(&s, STATUS_TEXT, BIG);
	cr_assert_not_null(strstr(out, "master pid 41, generation 2, up 30 s"
	    " (since 2026-12-01T03:26:10Z)\nrequests 12 (0.50/s over the last"
	    " minute), bytes sent 3456, connections 3\n"));
	cr_assert_not_null(strstr(out, "\n      42    1 retiring  "
	    "2026-12-01T03:26:11Z          5      1         1000 0s ago\n"));
	free(out);
}

Test(status_fmt, the_bound_holds_for_the_largest_numbers)
{
	static struct sb_worker	w[1024];
	struct sb_snapshot	s;
	char			*out;
	int			i, f, k;

	memset(&s, 0xff, sizeof(s));
	s.master_pid = INT_MAX;
	s.generation = UINT_MAX;
	s.minute_secs = 1;
	s.started = s.now = INT32_MAX;
	for (k = 0; k < SB_NSTATES; k++)
		s.states[k] = INT_MAX;
	for (i = 0; i < 1024; i++)
		w[i] = (struct sb_worker){ INT_MAX, UINT_MAX, SB_RETIRING,
		    INT32_MAX, UINT64_MAX, UINT32_MAX, UINT64_MAX,
		    INT64_MAX };
	s.workers = w;
	s.nworkers = 1024;
	for (f = STATUS_HTML; f <= STATUS_TEXT; f++) {
		out = render(&s, (enum status_format)f,
		    status_fmt_size(s.nworkers));
		free(out);
	}
}

Test(status_fmt, short_buffer_is_flagged)
{
	struct sb_snapshot	 s;
	struct sb_worker	 w[2];
	struct buf		 b;
	char			 mem[100];

	two(&s, w);
	buf_init(&b, mem, sizeof(mem));
	status_fmt(&b, &s, STATUS_JSON);
	cr_assert(!buf_ok(&b));
}

Test(status_fmt, types)
{
	cr_assert_str_eq(status_fmt_type(STATUS_JSON), "application/json");
	cr_assert_str_eq(status_fmt_type(STATUS_PROMETHEUS),
	    "text/plain; version=0.0.4; charset=utf-8");
	cr_assert_str_eq(status_fmt_type(STATUS_HTML),
	    "text/html; charset=utf-8");
}
