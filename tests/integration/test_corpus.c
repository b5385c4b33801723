/*
 * test_corpus: replay every case of tests/corpus/requests.txt against the
 * running server over a socket: the status it sends, and whether it closes
 * the connection afterwards or serves a next request on it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "../corpus.h"
#include "harness.h"

#define PROBE	"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

/* Does the request start (after empty lines) with the HEAD method? */
static int
corpus_is_head(const struct corpus_case *k)
{
	size_t	i = 0;

	while (i < k->rawlen && (k->raw[i] == '\r' || k->raw[i] == '\n'))
		i++;
	return k->rawlen - i >= 5 && memcmp(k->raw + i, "HEAD ", 5) == 0;
}

/* Replay one case; returns 0 when the server did what the corpus says. */
static int
corpus_replay(struct tine *t, const struct corpus_case *k)
{
	struct tine_conn	c;
	struct tine_resp	r;
	int			ok = 0, closed;

	cr_assert_eq(tine_conn_open(&c, AF_INET, t->port), 0);
	cr_assert_eq(tine_conn_send(&c, k->raw, k->rawlen), 0);
	if (tine_conn_read(&c, corpus_is_head(k), 5000, &r) == -1) {
		cr_expect(0, "line %d %s: no response", k->line, k->name);
		tine_conn_close(&c);
		return -1;
	}
	cr_expect_eq(r.status, k->server_status, "line %d %s: status %d, want %d",
	    k->line, k->name, r.status, k->server_status);
	ok = r.status == k->server_status ? 0 : -1;
	tine_resp_free(&r);
	if (k->close) {
		closed = tine_conn_wait_close(&c, 5000);
		cr_expect_eq(closed, 1, "line %d %s: connection not closed (%d)",
		    k->line, k->name, closed);
		ok = closed == 1 ? ok : -1;
	} else {
		/* A kept connection must serve a next request. */
		cr_assert_eq(tine_conn_sends(&c, PROBE), 0);
		closed = tine_conn_read(&c, 0, 5000, &r);
		cr_expect(closed == 0 && r.status == 200 && r.bodylen == 6 &&
		    memcmp(r.body, "hello\n", 6) == 0,
		    "line %d %s: connection not kept for a next request",
		    k->line, k->name);
		ok = closed == 0 && r.status == 200 ? ok : -1;
		if (closed == 0)
			tine_resp_free(&r);
	}
	tine_conn_close(&c);
	return ok;
}

Test(corpus, replay_over_socket, .timeout = 240, .fini = tine_teardown)
{
	struct corpus_case	*cases;
	struct tine		*t;
	char			 path[1024];
	size_t			 n, i, bad = 0;

	cr_assert_eq(corpus_path(path, sizeof(path)), 0);
	cr_assert_eq(corpus_load(path, &cases, &n), 0);
	cr_assert_geq(n, 150, "the corpus has only %zu cases", n);
	t = tine_setup(NULL);
	cr_assert_not_null(t);
	cr_assert_eq(tine_put(t, "a.txt", "hello\n"), 0);
	cr_assert_eq(tine_put(t, "dir/index.html", "dir index\n"), 0);
	cr_assert_eq(tine_start(t), 0);
	for (i = 0; i < n; i++)
		if (corpus_replay(t, &cases[i]) == -1)
			bad++;
	cr_expect_eq(bad, 0, "%zu of %zu corpus cases failed", bad, n);
	corpus_free(cases, n);
	tine_stop(t);
}
