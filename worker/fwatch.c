/* fwatch: inotify on the directories a worker's file caches hold files of. */
#include "tine_build.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fcache.h"
#include "fwatch.h"
#include "hash.h"
#include "log.h"

#define FWATCH_BUCKETS	256
/* What makes a cached file another: its name given to another file, taken
 * away, its contents or its permissions changed; and the directory itself
 * moved or removed (then everything below it is another). */
#define FWATCH_MASK	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | \
			    IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | \
			    IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | \
			    IN_ONLYDIR)
/* Events that make every entry suspect: a directory on some path moved or
 * changed, a watch gone, events lost. */
#define FWATCH_ALL	(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | \
			    IN_Q_OVERFLOW)

/* One directory of one cache, and its watch (several may share a wd: the
 * same directory under two caches' roots). */
struct fwatch_sub {
	struct fcache		*fc;
	char			*dir;
	size_t			 len;
	int			 wd;
	struct fwatch_sub	*dnext;		/* in dirs, by cache and dir */
	struct fwatch_sub	*wnext;		/* in wds, by wd */
};

struct fwatch {
	int			 fd;
	int			 home;		/* the working directory,
						 * gone back to after a watch */
	bool			 full;		/* out of watches until a flush */
	bool			 said;		/* that was logged */
	struct fwatch_sub	*dirs[FWATCH_BUCKETS];
	struct fwatch_sub	*wds[FWATCH_BUCKETS];
};

/* Make the inotify instance of a worker. */
struct fwatch *
fwatch_create(void)
{
	struct fwatch	*fw;

	if ((fw = calloc(1, sizeof(*fw))) == NULL)
		return NULL;
	if ((fw->home = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_notice("inotify: working directory: %s: cached files are "
		    "revalidated each second", strerror(errno));
		free(fw);
		return NULL;
	}
	if ((fw->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		log_notice("inotify: %s%s: cached files are revalidated each "
		    "second", strerror(errno), errno == EMFILE ?
		    " (fs.inotify.max_user_instances)" : "");
		close(fw->home);
		free(fw);
		return NULL;
	}
	return fw;
}

/* The inotify descriptor. */
int
fwatch_fd(const struct fwatch *fw)
{
	return fw->fd;
}

/* The dirs bucket of a cache's directory (FNV-1a over both). */
static unsigned
fwatch_bucket(const struct fcache *fc, const char *dir, size_t len)
{
	uintptr_t	p = (uintptr_t)fc;

	return (unsigned)((hash_fnv1a(dir, len, 0) ^ (uint32_t)(p >> 4)) %
	    FWATCH_BUCKETS);
}

/* The watch of fc's directory dir, or NULL. */
static struct fwatch_sub *
fwatch_find(const struct fwatch *fw, const struct fcache *fc,
    const char *dir, size_t len)
{
	struct fwatch_sub	*s;

	for (s = fw->dirs[fwatch_bucket(fc, dir, len)]; s != NULL;
	    s = s->dnext)
		if (s->fc == fc && s->len == len &&
		    memcmp(s->dir, dir, len) == 0)
			return s;
	return NULL;
}

/*
 * Watch directory dir below root: the kernel wants a path, the worker has
 * only a descriptor (and no path to its root), so the watch is added on
 * "." after changing into the directory, then back: the worker's working
 * directory must not stay in a document root (a core file would land
 * there, to be served). No symlink may be on the way: a symlink
 * re-pointed changes what is below it with no event in it.
 */
static int
fwatch_add(struct fwatch *fw, int root, const char *dir)
{
	struct open_how	how;
	int		dfd = root, wd, saved;

	if (*dir != '\0') {
		memset(&how, 0, sizeof(how));
		how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
		if ((dfd = (int)syscall(SYS_openat2, root, dir, &how,
		    sizeof(how))) == -1)
			return -1;
	}
	if (fchdir(dfd) == -1)
		wd = -1;
	else
		wd = inotify_add_watch(fw->fd, ".", FWATCH_MASK);
	saved = errno;
	/* Not back: no watch (one made is left unknown, its events unread). */
	if (fchdir(fw->home) == -1) {
		saved = errno;
		wd = -1;
	}
	if (dfd != root)
		close(dfd);
	errno = saved;
	return wd;
}

/* Out of watches: say so once, and add none until a flush frees some. */
static void
fwatch_full(struct fwatch *fw)
{
	fw->full = true;
	if (fw->said)
		return;
	fw->said = true;
	log_notice("inotify: out of watches (fs.inotify.max_user_watches): "
	    "files in directories not watched are revalidated each second");
}

/* Watch dir of fc, and the directories above it first. */
int
fwatch_dir(struct fwatch *fw, struct fcache *fc, int root, const char *dir,
    size_t len)
{
	struct fwatch_sub	*s;
	size_t			 up = len;
	unsigned		 b;
	int			 wd;

	if (fw == NULL)
		return -1;
	if (fwatch_find(fw, fc, dir, len) != NULL)
		return 0;
	if (fw->full)
		return -1;
	while (up > 0 && dir[up - 1] != '/')
		up--;
	if (len > 0 && fwatch_dir(fw, fc, root, dir, up > 0 ? up - 1 : 0) ==
	    -1)
		return -1;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->dir = strndup(dir, len)) == NULL) {
		free(s);
		return -1;
	}
	if ((wd = fwatch_add(fw, root, s->dir)) == -1) {
		if (errno == ENOSPC)
			fwatch_full(fw);
		free(s->dir);
		free(s);
		return -1;
	}
	s->fc = fc;
	s->len = len;
	s->wd = wd;
	b = fwatch_bucket(fc, dir, len);
	s->dnext = fw->dirs[b];
	fw->dirs[b] = s;
	s->wnext = fw->wds[(unsigned)wd % FWATCH_BUCKETS];
	fw->wds[(unsigned)wd % FWATCH_BUCKETS] = s;
	return 0;
}

/* Free every watch, and make every cache that had one forget all its
 * entries: each is loaded, and its directories watched, anew. */
static void
fwatch_flush(struct fwatch *fw)
{
	struct fwatch_sub	*s, *next;
	size_t			 i;

	for (i = 0; i < FWATCH_BUCKETS; i++) {
		for (s = fw->dirs[i]; s != NULL; s = next) {
			next = s->dnext;
			/* A shared wd is removed once; later EINVAL is fine. */
			inotify_rm_watch(fw->fd, s->wd);
			fcache_forget_all(s->fc);
			free(s->dir);
			free(s);
		}
		fw->dirs[i] = NULL;
		fw->wds[i] = NULL;
	}
	fw->full = false;
}

/* Whether wd is one of ours (events of watches already removed are not). */
static bool
fwatch_known(const struct fwatch *fw, int wd)
{
	struct fwatch_sub	*s;

	for (s = fw->wds[(unsigned)wd % FWATCH_BUCKETS]; s != NULL;
	    s = s->wnext)
		if (s->wd == wd)
			return true;
	return false;
}

/* A file named in a watched directory changed: each cache watching that
 * directory forgets its entries for the file. */
static void
fwatch_file(struct fwatch *fw, const struct inotify_event *ev)
{
	struct fwatch_sub	*s;
	char			 key[PATH_MAX];
	size_t			 n = strlen(ev->name);

	for (s = fw->wds[(unsigned)ev->wd % FWATCH_BUCKETS]; s != NULL;
	    s = s->wnext) {
		if (s->wd != ev->wd || s->len + 1 + n >= sizeof(key))
			continue;
		memcpy(key, s->dir, s->len);
		key[s->len] = '/';
		memcpy(key + s->len + 1, ev->name, n);
		/* The root's own files have no leading '/'. */
		if (s->len == 0)
			fcache_forget(s->fc, key + 1, n);
		else
			fcache_forget(s->fc, key, s->len + 1 + n);
	}
}

/* Whether an event makes every entry suspect: a directory moved, removed
 * or changed its permissions (everything below it may be another file or
 * none), a watch gone, events lost. A new directory holds nothing cached. */
static bool
fwatch_all(const struct fwatch *fw, const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW)
		return true;
	if ((ev->mask & FWATCH_ALL) && fwatch_known(fw, ev->wd))
		return true;
	return (ev->mask & IN_ISDIR) && !(ev->mask & IN_CREATE);
}

/* Read the pending events and make the caches forget what they concern. */
void
fwatch_read(struct fwatch *fw)
{
	alignas(struct inotify_event) char	 buf[8192];
	const struct inotify_event		*ev;
	ssize_t					 n, i;
	bool					 all = false;

	while ((n = read(fw->fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i += (ssize_t)(sizeof(*ev) + ev->len)) {
			ev = (const struct inotify_event *)(buf + i);
			if (fwatch_all(fw, ev))
				all = true;
			else if (ev->len > 0 && fwatch_known(fw, ev->wd))
				fwatch_file(fw, ev);
		}
	if (all)
		fwatch_flush(fw);
}

/* Close the descriptor and free the watches. */
void
fwatch_destroy(struct fwatch *fw)
{
	struct fwatch_sub	*s, *next;
	size_t			 i;

	if (fw == NULL)
		return;
	for (i = 0; i < FWATCH_BUCKETS; i++)
		for (s = fw->dirs[i]; s != NULL; s = next) {
			next = s->dnext;
			free(s->dir);
			free(s);
		}
	close(fw->fd);
	close(fw->home);
	free(fw);
}
