/* test_memory: what a worker holds for each idle kept-alive connection. */
#include "tine_build.h"

#include <sys/socket.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "harness.h"

#define MEM_CONNS	300	/* idle kept-alive connections held */
#define MEM_WARM	20	/* requests before the first measure */
#define MEM_PER_CONN	4096	/* bytes of RSS each may add, at most: one
				 * page, where a connection that kept its
				 * request state held some 15 KiB */
#define MEM_LOAD_MS	30000	/* for all of them to be answered */
#define MEM_IDLE_DIRTY	1024	/* KiB a worker may have written before its
				 * first connection, at most: some 250, where
				 * a per-address table filled in for 65536
				 * connections held 2 MiB */

/* The resident set of pid in KiB (VmRSS); -1 if unknown. */
static long
memory_rss(pid_t pid)
{
	return tine_proc_kib(pid, "status", "VmRSS");
}

/* The KiB of pid's mappings whose line in smaps names what; -1 if none. */
static long
memory_mapping_rss(pid_t pid, const char *what)
{
	char		name[64], line[512];
	unsigned long	from, to;
	long		kib, sum = -1;
	bool		in = false;
	FILE		*f;

	snprintf(name, sizeof(name), "/proc/%d/smaps", (int)pid);
	if ((f = fopen(name, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		/* A mapping's first line is its address range. */
		if (sscanf(line, "%lx-%lx ", &from, &to) == 2)
			in = strstr(line, what) != NULL;
		else if (in && sscanf(line, "Rss: %ld kB", &kib) == 1)
			sum = (sum < 0 ? 0 : sum) + kib;
	}
	fclose(f);
	return sum;
}

/* What these tests measure is what a worker writes: without the harness's
 * MALLOC_PERTURB_, which writes every block malloc() hands out. */
static void
memory_unperturbed(void)
{
	setenv("MALLOC_PERTURB_", "0", 1);
}

TestSuite(memory, .init = memory_unperturbed);

/* The scoreboard has 1024 slots for two generations of 256 workers; the
 * master reads and writes those it has used, the others cost nothing. */
Test(memory, scoreboard_holds_used_slots, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup("workers = 2\n");
	long		 kib;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	/* Started: the master's first pass has forked the workers, then
	 * summed the slots for the request rate (it does so each second). */
	kib = memory_mapping_rss(t->pid, ".scoreboard");
	cr_assert_geq(kib, 0, "no scoreboard mapping in the master");
	cr_expect_leq(kib, 16, "the master holds %ld KiB of its scoreboard",
	    kib);
	tine_stop(t);
}

/* Libraries a worker loads after fork are its own copies (relocated
 * data, the allocator's pages): the master loads them once for all. The
 * user lookup, whose name service modules would be one, is done in a
 * child at config load (master_maps_no_name_service). */
Test(memory, workers_load_no_library, .fini = tine_teardown, .timeout = 60)
{
	struct tine	*t = tine_setup("workers = 1\n");
	pid_t		 kids[TINE_MAX_WORKERS];
	char		 name[64], line[512], *path;
	FILE		*f;
	int		 libs = 0;

	if (geteuid() != 0)
		cr_skip("not root: the workers look nobody up");
	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_children(t->pid, kids, TINE_MAX_WORKERS), 1,
	    "expected exactly one worker");
	snprintf(name, sizeof(name), "/proc/%d/maps", (int)kids[0]);
	cr_assert_not_null(f = fopen(name, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((path = strchr(line, '/')) == NULL ||
		    strstr(path, ".so") == NULL)
			continue;
		path[strcspn(path, "\n")] = '\0';
		libs++;
		cr_expect(tine_maps(t->pid, path) == 1, "the worker loaded %s, "
		    "the master did not", path);
	}
	fclose(f);
	cr_expect_gt(libs, 0, "no library in the worker's maps");
	tine_stop(t);
}

/* The name service's modules (libnss_systemd with libcap and libm, some
 * 300 KiB of the tree's PSS) are loaded only by the short-lived child
 * that looks the accounts up: neither the master nor a worker maps one. */
Test(memory, master_maps_no_name_service, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup("workers = 2\n");
	pid_t		 kids[TINE_MAX_WORKERS];
	int		 n;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	n = tine_children(t->pid, kids, TINE_MAX_WORKERS);
	cr_assert_eq(n, 2, "expected two workers, found %d", n);
	cr_expect_eq(tine_tree_maps(t->pid, "libnss_"), 0, "the master or a "
	    "worker maps a libnss_ module");
	/* A reload resolves the accounts again, still in a child. */
	cr_assert_eq(kill(t->pid, SIGHUP), 0);
	cr_assert_eq(tine_wait_log(t, "master ready: 2 workers, generation 2",
	    1, TINE_TIMEOUT_MS), 0, "no generation 2 after the reload");
	cr_expect_eq(tine_tree_maps(t->pid, "libnss_"), 0, "the master or a "
	    "worker maps a libnss_ module after a reload");
	tine_stop(t);
}

/* A server without TLS maps no OpenSSL, master nor workers: the binary
 * does not link it and the TLS module is loaded only for a certificate
 * (libcrypto's relocations alone cost the tree 1.4 MiB of PSS). */
Test(memory, plain_http_maps_no_openssl, .fini = tine_teardown,
    .timeout = 60)
{
	static const char *const	 libs[] = { "libssl", "libcrypto",
					    "/tls.so" };
	struct tine			*t = tine_setup("workers = 2\n");
	pid_t				 kids[TINE_MAX_WORKERS];
	size_t				 i;
	int				 k;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_children(t->pid, kids, TINE_MAX_WORKERS), 2,
	    "expected two workers");
	/* The maps are read: each process maps the C library. */
	cr_assert_eq(tine_maps(t->pid, "libc.so"), 1);
	for (k = 0; k < 2; k++)
		cr_assert_eq(tine_maps(kids[k], "libc.so"), 1);
	for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		cr_expect_eq(tine_tree_maps(t->pid, libs[i]), 0, "the master "
		    "or a worker maps %s", libs[i]);
	tine_stop(t);
}

/* What a worker wrote is its own (a copy of the master's page, or a new
 * one); what it allocates for max_connections must not be written before
 * a connection needs it. */
Test(memory, idle_worker_writes_little, .fini = tine_teardown,
    .timeout = 60)
{
	struct tine	*t = tine_setup("workers = 1\n"
	    "max_connections = 65536\n");
	pid_t		 kids[TINE_MAX_WORKERS];
	long		 dirty;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_children(t->pid, kids, TINE_MAX_WORKERS), 1,
	    "expected exactly one worker");
	dirty = tine_proc_kib(kids[0], "smaps_rollup", "Private_Dirty");
	cr_assert_geq(dirty, 0, "no smaps_rollup for the worker");
	cr_log_info("an idle worker at max_connections = 65536: %ld KiB "
	    "private dirty", dirty);
	cr_expect_lt(dirty, MEM_IDLE_DIRTY, "the idle worker wrote %ld KiB",
	    dirty);
	tine_stop(t);
}

/* One keep-alive GET of the index on c, answered; 0 or -1. */
static int
memory_ask(struct tine_conn *c)
{
	struct tine_resp	r;
	int			ok;

	if (tine_conn_sends(c, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n") ==
	    -1 || tine_conn_read(c, 0, TINE_TIMEOUT_MS, &r) == -1)
		return -1;
	ok = r.status == 200 && tine_resp_header(&r, "Connection") == NULL;
	tine_resp_free(&r);
	return ok ? 0 : -1;
}

Test(memory, idle_connections_hold_little, .fini = tine_teardown,
    .timeout = 120)
{
	struct tine		*t = tine_setup("workers = 1\n"
	    "max_connections_per_ip = 0\n");
	static struct tine_conn	 held[MEM_CONNS];
	pid_t			 kids[TINE_MAX_WORKERS], worker;
	long			 before, after;
	long long		 end;
	int			 i;

	cr_assert_not_null(t);
	cr_assert_eq(tine_start(t), 0);
	cr_assert_eq(tine_children(t->pid, kids, TINE_MAX_WORKERS), 1,
	    "expected exactly one worker");
	worker = kids[0];
	/* Code, the file cache and the allocator's first arena come in. */
	for (i = 0; i < MEM_WARM; i++) {
		cr_assert_eq(tine_conn_open(&held[i], AF_INET, t->port), 0);
		cr_assert_eq(memory_ask(&held[i]), 0);
	}
	for (i = 0; i < MEM_WARM; i++)
		tine_conn_close(&held[i]);
	cr_assert_gt(before = memory_rss(worker), 0);
	end = tine_now_ms() + MEM_LOAD_MS;
	for (i = 0; i < MEM_CONNS && tine_now_ms() < end; i++) {
		cr_assert_eq(tine_conn_open(&held[i], AF_INET, t->port), 0);
		cr_assert_eq(memory_ask(&held[i]), 0, "request %d", i);
	}
	cr_assert_eq(i, MEM_CONNS, "only %d connections in %d ms", i,
	    MEM_LOAD_MS);
	cr_assert_gt(after = memory_rss(worker), 0);
	cr_log_info("worker RSS %ld KiB, %ld KiB with %d idle connections: "
	    "%ld bytes each", before, after, MEM_CONNS, (after - before) *
	    1024 / MEM_CONNS);
	cr_expect_lt((after - before) * 1024, (long)MEM_PER_CONN * MEM_CONNS,
	    "%ld bytes of RSS per idle connection", (after - before) * 1024 /
	    MEM_CONNS);
	/* They are still served. */
	cr_expect_eq(memory_ask(&held[0]), 0);
	cr_expect_eq(memory_ask(&held[MEM_CONNS - 1]), 0);
	for (i = 0; i < MEM_CONNS; i++)
		tine_conn_close(&held[i]);
	tine_stop(t);
}
