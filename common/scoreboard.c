/* scoreboard: shared memory where each worker reports its state to the master. */
#include "tine_build.h"

#include <string.h>
#include <sys/mman.h>

#include "scoreboard.h"

/* Map the head and nslots slots shared with every child forked later. */
int
scoreboard_create(struct scoreboard *sb, int nslots)
{
	void	*p;

	p = mmap(NULL, sizeof(struct sb_head), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	sb->head = p;
	p = mmap(NULL, sizeof(struct sb_slot) * nslots, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	memset(p, 0, sizeof(struct sb_slot) * nslots);
	sb->slots = p;
	sb->nslots = nslots;
	return 0;
}

/* Unmap the head and the slots. */
void
scoreboard_destroy(struct scoreboard *sb)
{
	if (sb->slots != NULL)
		munmap(sb->slots, sizeof(struct sb_slot) * sb->nslots);
	if (sb->head != NULL)
		munmap(sb->head, sizeof(struct sb_head));
	sb->head = NULL;
	sb->slots = NULL;
	sb->nslots = 0;
}

/* Monotonic seconds, the clock of heartbeats. */
time_t
scoreboard_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}
