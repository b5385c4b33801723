/* Unit tests for common/scoreboard.c: totals that outlive reaped workers,
 * restart causes, the last minute's rate, and the file tine -s status
 * reads. */
#include "tine_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "scoreboard.h"

#define NSLOTS	8

/* A slot i as a worker of pid would leave it after n requests. */
static void
busy(struct scoreboard *sb, int i, pid_t pid, uint64_t n)
{
	uint64_t	k;

	scoreboard_take(sb, i);
	sb->slots[i].pid = pid;
	sb->slots[i].generation = 1;
	sb->slots[i].state = SB_READY;
	sb->slots[i].started = sb->slots[i].heartbeat = scoreboard_now();
	for (k = 0; k < n; k++) {
		sb->slots[i].requests++;
		sb->slots[i].bytes_sent += 100;
		scoreboard_count(&sb->slots[i], k % 2 ? 200 : 404);
	}
}

Test(scoreboard, totals_keep_reaped_workers)
{
	struct scoreboard	sb;
	struct sb_worker	w[NSLOTS];
	struct sb_snapshot	snap = { .workers = w };

	cr_assert_eq(scoreboard_create(&sb, NSLOTS, NULL), 0);
	busy(&sb, 0, 100, 10);
	busy(&sb, 3, 103, 5);
	scoreboard_read(&sb, &snap);
	cr_assert_eq(snap.nworkers, 2);
	cr_assert_eq(snap.total.requests, 15);
	cr_assert_eq(snap.total.bytes_sent, 1500);
	cr_assert_eq(snap.total.responses[1], 7);
	cr_assert_eq(snap.total.responses[3], 8);
	cr_assert_eq(snap.states[SB_READY], 2);
	cr_assert_eq(snap.master_pid, getpid());
	scoreboard_reaped(&sb, 0, SB_EXIT_CRASH);
	scoreboard_reaped(&sb, 3, SB_NCAUSES);	/* a stop's: not counted */
	cr_assert_eq(sb.slots[0].pid, 0);
	scoreboard_read(&sb, &snap);
	cr_assert_eq(snap.nworkers, 0);
	cr_assert_eq(snap.total.requests, 15);
	cr_assert_eq(snap.total.bytes_sent, 1500);
	cr_assert_eq(snap.total.responses[1] + snap.total.responses[3], 15);
	cr_assert_eq(snap.exits[SB_EXIT_CRASH], 1);
	cr_assert_eq(snap.exits[SB_EXIT_LIMIT], 0);
	scoreboard_destroy(&sb);
}

Test(scoreboard, statuses_outside_classes_are_not_counted)
{
	struct scoreboard	sb;

	cr_assert_eq(scoreboard_create(&sb, 1, NULL), 0);
	scoreboard_count(&sb.slots[0], 99);
	scoreboard_count(&sb.slots[0], 600);
	scoreboard_count(&sb.slots[0], 0);
	scoreboard_count(&sb.slots[0], 599);
	scoreboard_count(&sb.slots[0], 100);
	cr_assert_eq(sb.slots[0].responses[4], 1);
	cr_assert_eq(sb.slots[0].responses[0], 1);
	cr_assert_eq(sb.slots[0].responses[1] + sb.slots[0].responses[2] +
	    sb.slots[0].responses[3], 0);
	scoreboard_destroy(&sb);
}

Test(scoreboard, rate_over_the_last_minute)
{
	struct scoreboard	sb;
	struct sb_worker	w[NSLOTS];
	struct sb_snapshot	snap = { .workers = w };
	time_t			now = scoreboard_now();

	cr_assert_eq(scoreboard_create(&sb, NSLOTS, NULL), 0);
	scoreboard_read(&sb, &snap);
	cr_assert_eq(snap.minute_secs, 0, "no sample yet");
	/* Samples 90 s ago (too old), 50 s ago and 10 s ago. */
	sb.head->ring[0].at = now - 90;
	sb.head->ring[0].requests = 1;
	sb.head->ring[1].at = now - 50;
	sb.head->ring[1].requests = 20;
	sb.head->ring[2].at = now - 10;
	sb.head->ring[2].requests = 100;
	busy(&sb, 0, 100, 120);
	scoreboard_read(&sb, &snap);
	cr_assert_eq(snap.minute_secs, 50);
	cr_assert_eq(snap.minute_requests, 100);
	scoreboard_tick(&sb, 7);
	cr_assert_eq(sb.head->generation, 7);
	cr_assert_eq(sb.head->ring[scoreboard_now() % SB_RING].requests, 120);
	scoreboard_destroy(&sb);
}

Test(scoreboard, the_file_for_tine_s_status)
{
	struct scoreboard	sb, rd;
	struct sb_worker	w[NSLOTS];
	struct sb_snapshot	snap = { .workers = w };
	char			path[] = "/tmp/tine-sb-test.XXXXXX";
	FILE			*f;
	int			fd;

	cr_assert_neq(fd = mkstemp(path), -1);
	close(fd);
	/* It replaces what is there. */
	cr_assert_eq(scoreboard_create(&sb, NSLOTS, path), 0);
	cr_assert_not_null(sb.path);
	busy(&sb, 2, 4242, 3);
	cr_assert_eq(scoreboard_attach(&rd, path), 0);
	cr_assert_eq(rd.nslots, NSLOTS);
	scoreboard_read(&rd, &snap);
	cr_assert_eq(snap.nworkers, 1);
	cr_assert_eq(snap.workers[0].pid, 4242);
	cr_assert_eq(snap.total.requests, 3);
	scoreboard_destroy(&rd);
	cr_assert_eq(access(path, F_OK), 0, "a reader does not remove it");
	scoreboard_destroy(&sb);
	cr_assert_neq(access(path, F_OK), 0, "its maker removes it");
	/* A master that finds its file replaced (an upgrade's new master
	 * made its own there) leaves the new one alone. */
	cr_assert_eq(scoreboard_create(&sb, NSLOTS, path), 0);
	cr_assert_eq(scoreboard_create(&rd, NSLOTS, path), 0);
	scoreboard_destroy(&sb);
	cr_assert_eq(access(path, F_OK), 0, "the newer file stays");
	scoreboard_destroy(&rd);
	cr_assert_neq(access(path, F_OK), 0);
	/* Not a scoreboard: refused. */
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "%4096s", "x");
	fclose(f);
	cr_assert_eq(scoreboard_attach(&rd, path), -1);
	unlink(path);
}

Test(scoreboard, names)
{
	cr_assert_str_eq(scoreboard_state_name(SB_READY), "ready");
	cr_assert_str_eq(scoreboard_state_name(99), "unknown");
	cr_assert_str_eq(scoreboard_cause_name(SB_EXIT_CRASH), "crash");
	cr_assert_str_eq(scoreboard_cause_name(SB_EXIT_FATAL), "fatal");
	cr_assert_str_eq(scoreboard_cause_name(-1), "unknown");
}
