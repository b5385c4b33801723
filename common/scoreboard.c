/* scoreboard: shared memory where each worker reports its state to the master. */
#include "tine_build.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "scoreboard.h"

#define SB_MAGIC	0x31306273656e6974ULL	/* "tinesb01": bump on change */
#define SB_TRIES	1000	/* copies before a moving seq is taken as is */

/* Where the slots start: past the head, on a cache line. */
static size_t
scoreboard_slots_at(void)
{
	return (sizeof(struct sb_head) + 63) & ~(size_t)63;
}

/* The bytes of a mapping of nslots slots. */
static size_t
scoreboard_size(int nslots)
{
	return scoreboard_slots_at() + sizeof(struct sb_slot) * (size_t)nslots;
}

/* A fresh file of size bytes at path, mapped shared, its inode into st;
 * MAP_FAILED on error. */
static void *
scoreboard_file(const char *path, size_t size, struct stat *st)
{
	void	*p = MAP_FAILED;
	int	 fd;

	/* Made anew, never followed: the directory is the pid file's. */
	if (unlink(path) == -1 && errno != ENOENT)
		return MAP_FAILED;
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1)
		return MAP_FAILED;
	if (ftruncate(fd, (off_t)size) == 0 && fstat(fd, st) == 0)
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		unlink(path);
	return p;
}

/* Map nslots slots shared with every child forked later, in path's file
 * when it can be made (else anonymous, with a warning). */
int
scoreboard_create(struct scoreboard *sb, int nslots, const char *path)
{
	size_t		 size = scoreboard_size(nslots);
	void		*p = MAP_FAILED;
	struct stat	 st;

	memset(sb, 0, sizeof(*sb));
	if (path != NULL && (p = scoreboard_file(path, size, &st)) ==
	    MAP_FAILED)
		log_warn("scoreboard %s: %s: tine -s status will not work",
		    path, strerror(errno));
	if (p != MAP_FAILED && (sb->path = strdup(path)) == NULL) {
		munmap(p, size);
		unlink(path);
		p = MAP_FAILED;
	}
	if (p != MAP_FAILED) {
		sb->dev = st.st_dev;
		sb->ino = st.st_ino;
	} else
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED |
		    MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	/* Both are zero already (a new file, or anonymous): not cleared,
	 * its 1024 slots cost no memory until a worker takes one. */
	sb->head = p;
	sb->slots = (struct sb_slot *)((char *)p + scoreboard_slots_at());
	sb->nslots = nslots;
	sb->size = size;
	sb->head->nslots = (uint32_t)nslots;
	sb->head->size = (uint32_t)size;
	sb->head->master_pid = getpid();
	sb->head->started = time(NULL);
	sb->head->started_mono = scoreboard_now();
	sb->head->magic = SB_MAGIC;
	return 0;
}

/* Map the scoreboard file of a running master read-only. */
int
scoreboard_attach(struct scoreboard *sb, const char *path)
{
	const struct sb_head	*h;
	struct stat		 st;
	void			*p;
	int			 fd;

	memset(sb, 0, sizeof(*sb));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || (size_t)st.st_size <
	    sizeof(struct sb_head)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	h = p;
	if (h->magic != SB_MAGIC || h->size != (uint64_t)st.st_size ||
	    scoreboard_size((int)h->nslots) != (size_t)st.st_size) {
		munmap(p, (size_t)st.st_size);
		errno = EINVAL;
		return -1;
	}
	sb->head = p;
	sb->slots = (struct sb_slot *)((char *)p + scoreboard_slots_at());
	sb->nslots = (int)h->nslots;
	sb->size = (size_t)st.st_size;
	return 0;
}

/* Unmap the slots (and remove the file of the one who made it, unless
 * another master made a new one there since, as an upgrade's does). */
void
scoreboard_destroy(struct scoreboard *sb)
{
	struct stat	st;

	if (sb->head != NULL)
		munmap(sb->head, sb->size);
	if (sb->path != NULL) {
		if (stat(sb->path, &st) == 0 && st.st_dev == sb->dev &&
		    st.st_ino == sb->ino)
			unlink(sb->path);
		free(sb->path);
	}
	memset(sb, 0, sizeof(*sb));
}

/* Monotonic seconds, the clock of heartbeats. */
time_t
scoreboard_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Requests of the reaped and of every live slot. */
static uint64_t
scoreboard_requests(const struct scoreboard *sb)
{
	uint64_t	n = sb->head->gone_requests;
	int		i;

	for (i = 0; i < sb->taken; i++)
		n += sb->slots[i].requests;
	return n;
}

/* The master's second: the generation and the total for the rate. */
void
scoreboard_tick(struct scoreboard *sb, unsigned generation)
{
	time_t	now = scoreboard_now();
	int	k = (int)(now % SB_RING);

	sb->head->generation = generation;
	/* Only the master writes the ring (and the gone totals it sums). */
	sb->head->ring[k].at = 0;
	sb->head->ring[k].requests = scoreboard_requests(sb);
	sb->head->ring[k].at = now;
}

/* Clear slot i for a new worker (see scoreboard.h). */
void
scoreboard_take(struct scoreboard *sb, int i)
{
	memset((void *)&sb->slots[i], 0, sizeof(sb->slots[i]));
	if (i >= sb->taken)
		sb->taken = i + 1;
}

/* Count a reaped worker's exit, keep its counters, free slot i. */
void
scoreboard_reaped(struct scoreboard *sb, int i, int cause)
{
	struct sb_head	*h = sb->head;
	struct sb_slot	*s = &sb->slots[i];
	int		 k;

	__atomic_store_n(&h->seq, h->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	h->gone_requests += s->requests;
	h->gone_bytes += s->bytes_sent;
	for (k = 0; k < SB_CLASSES; k++)
		h->gone_responses[k] += s->responses[k];
	if (cause >= 0 && cause < SB_NCAUSES)
		h->exits[cause]++;
	memset((void *)s, 0, sizeof(*s));
	__atomic_store_n(&h->seq, h->seq + 1, __ATOMIC_RELEASE);
}

/* Count a worker's finished response under its status class. */
void
scoreboard_count(struct sb_slot *slot, int status)
{
	if (status >= 100 && status < 100 * (SB_CLASSES + 1))
		slot->responses[status / 100 - 1]++;
}

/* Copy the live slots and the head's counters into snap, once. */
static void
scoreboard_copy(const struct scoreboard *sb, struct sb_snapshot *snap,
    time_t mono)
{
	const struct sb_head	*h = sb->head;
	const struct sb_slot	*s;
	struct sb_worker	*w;
	int			 i, k;

	memset(&snap->total, 0, sizeof(snap->total));
	memset(snap->states, 0, sizeof(snap->states));
	snap->connections = 0;
	snap->nworkers = 0;
	snap->total.requests = h->gone_requests;
	snap->total.bytes_sent = h->gone_bytes;
	for (k = 0; k < SB_CLASSES; k++)
		snap->total.responses[k] = h->gone_responses[k];
	for (k = 0; k < SB_NCAUSES; k++)
		snap->exits[k] = h->exits[k];
	for (i = 0; i < sb->nslots; i++) {
		s = &sb->slots[i];
		if (s->pid == 0)
			continue;
		w = &snap->workers[snap->nworkers++];
		w->pid = s->pid;
		w->generation = s->generation;
		w->state = s->state >= 0 && s->state < SB_NSTATES ? s->state :
		    SB_FREE;
		w->started = snap->now - (mono - s->started);
		w->requests = s->requests;
		w->connections = s->connections;
		w->bytes_sent = s->bytes_sent;
		w->idle = mono - s->heartbeat;
		snap->states[w->state]++;
		snap->total.requests += w->requests;
		snap->total.bytes_sent += w->bytes_sent;
		snap->connections += w->connections;
		for (k = 0; k < SB_CLASSES; k++)
			snap->total.responses[k] += s->responses[k];
	}
}

/* Requests over the last minute: from the oldest second the master noted
 * in it to now. */
static void
scoreboard_rate(const struct scoreboard *sb, struct sb_snapshot *snap,
    time_t mono)
{
	const struct sb_head	*h = sb->head;
	time_t			 at, best = 0;
	uint64_t		 then = 0;
	int			 k;

	for (k = 0; k < SB_RING; k++) {
		at = h->ring[k].at;
		if (at != 0 && at >= mono - SB_MINUTE && at < mono &&
		    (best == 0 || at < best)) {
			best = at;
			then = h->ring[k].requests;
		}
	}
	snap->minute_secs = best != 0 ? mono - best : 0;
	snap->minute_requests = best != 0 && snap->total.requests > then ?
	    snap->total.requests - then : 0;
}

/* Copy the scoreboard into snap without a lock: again while the master
 * moves a reaped worker's counters (seq odd or changed). */
void
scoreboard_read(const struct scoreboard *sb, struct sb_snapshot *snap)
{
	const struct sb_head	*h = sb->head;
	time_t			 mono = scoreboard_now();
	unsigned		 seq;
	int			 tries;

	snap->now = time(NULL);
	snap->master_pid = h->master_pid;
	snap->started = h->started;
	snap->uptime = mono - h->started_mono;
	snap->generation = h->generation;
	for (tries = 0; tries < SB_TRIES; tries++) {
		seq = __atomic_load_n(&h->seq, __ATOMIC_ACQUIRE);
		if (seq & 1)
			continue;
		scoreboard_copy(sb, snap, mono);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&h->seq, __ATOMIC_RELAXED) == seq)
			break;
	}
	/* The master stayed mid-move all along: a stale number, no more. */
	if (tries == SB_TRIES)
		scoreboard_copy(sb, snap, mono);
	scoreboard_rate(sb, snap, mono);
}

/* The name of a worker state. */
const char *
scoreboard_state_name(int state)
{
	static const char *const names[SB_NSTATES] = {
		"free", "starting", "ready", "retiring", "limit"
	};

	return state >= 0 && state < SB_NSTATES ? names[state] : "unknown";
}

/* The name of an exit cause. */
const char *
scoreboard_cause_name(int cause)
{
	static const char *const names[SB_NCAUSES] = {
		"crash", "watchdog", "killed", "limit", "reload", "retired",
		"resource", "failed", "fatal"
	};

	return cause >= 0 && cause < SB_NCAUSES ? names[cause] : "unknown";
}
