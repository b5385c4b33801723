/* fwatch: inotify on the directories a worker's file caches hold files of. */
#ifndef TINE_FWATCH_H
#define TINE_FWATCH_H

#include <stddef.h>

struct fcache;
struct fwatch;

/*
 * One per worker, shared by its caches; NULL when the kernel or its limits
 * (fs.inotify.max_user_instances) refuse one: the caches then revalidate
 * each entry once a second, as they do wherever a watch cannot be had.
 */
struct fwatch	*fwatch_create(void);

/* The inotify descriptor, for the worker's event loop (readable: events). */
int		 fwatch_fd(const struct fwatch *);

/*
 * Watch the directory dir (len bytes, a key below the root of fc without
 * its trailing '/', "" for the root itself) and every directory between it
 * and the root, so that any later change to a file in it, or to the path
 * leading to it, reaches fc. Before the file is opened, so no change
 * between the open and the watch can be missed. 0, or -1 when it cannot
 * be watched (symlinks on the way, out of watches): revalidate instead.
 */
int		 fwatch_dir(struct fwatch *, struct fcache *fc, int root,
		    const char *dir, size_t len);

/* Read the pending events and make each cache forget the entries they
 * concern (all of them when a directory moved or the queue overflowed). */
void		 fwatch_read(struct fwatch *);

/* Close the descriptor and free the watches. */
void		 fwatch_destroy(struct fwatch *);

#endif
