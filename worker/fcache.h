/* fcache: a worker's cache of open files, their metadata and small contents. */
#ifndef TINE_FCACHE_H
#define TINE_FCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "cond.h"
#include "date.h"
#include "encoding.h"

/* An ETag with room for a coding's suffix ("-gzip") inside its quotes. */
#define FCACHE_ETAG_LEN	(COND_ETAG_LEN + 8)

struct config_site;
struct fwatch;
struct mime;

/*
 * One file (or directory) below the document root. Entries are shared by the
 * connections sending them: take one with fcache_get(), give it back with
 * fcache_release(); the cache never frees an entry that is held.
 */
struct fentry {
	char		*key;		/* path relative to the root, "." for it */
	size_t		 keylen;
	uint32_t	 hash;
	enum encoding	 coding;	/* identity: the file as itself; else
					 * a sibling answered as another file */
	int		 fd;		/* -1 unless sent with sendfile */
	struct stat	 st;
	char		 etag[FCACHE_ETAG_LEN];
	char		 lastmod[DATE_LEN];
	char		*hdr;		/* "Content-Type: ...\r\n...Accept-Ranges: bytes\r\n" */
	size_t		 hdrlen;
	size_t		 ctlen;		/* hdr's first line, "Content-Type: ...\r\n" */
	size_t		 cclen;		/* the "Cache-Control: ...\r\n" after it, or 0 */
	char		*data;		/* whole contents of a small file, or NULL */
	time_t		 checked;	/* monotonic second of the last stat */
	int		 watched;	/* its directory is watched: changes
					 * remove it, no revalidation */
	time_t		 nosib[ENCODING_N]; /* no usable sibling in that coding
					 * before this monotonic second */
	int		 refs;
	int		 dead;		/* replaced while held: free on release */
	struct fentry	*hnext;
	struct fentry	*prev, *next;	/* LRU, most recent first */
};

struct fcache;

/* A worker's memory budget, entries and contents: with descriptors, what
 * bounds its caches (a small file costs about 0.6 KiB over its size). */
#define FCACHE_BYTES	(32 * 1024 * 1024)

/*
 * The memory a worker's caches share, one for all its sites and locations,
 * so that more sites do not mean more memory: what they hold (nbytes), the
 * most they may (max), and the caches themselves. Zeroed, then max set,
 * before the first fcache_create; outlives its caches.
 */
struct fcache_budget {
	size_t		 nbytes;
	size_t		 max;
	struct fcache	*caches;
};

/* A cache over the directory docroot_fd, its files typed as site says
 * (types, charset, default_type, cache_control_types) on top of the
 * server's table, its memory counted in budget; NULL when out of memory. */
struct fcache	*fcache_create(int docroot_fd, const struct mime *,
		    const struct config_site *site, struct fcache_budget *);

/*
 * The entry for key (a normalised path without its leading '/'; "" is the
 * root). Forgotten when it changes where its directory is watched, else
 * revalidated by a stat of its path at most once a second. Returns 0 with
 * *out held, or an errno value (ENOENT, EACCES, ...) when the file cannot
 * be opened.
 */
int		 fcache_get(struct fcache *, const char *key, size_t keylen,
		    time_t now, struct fentry **out);

/*
 * The precompressed sibling of file (a regular file held from fcache_get)
 * in coding: FILE.br for ENCODING_BR, FILE.gz for ENCODING_GZIP, answered
 * as file in that coding (file's Content-Type, Content-Encoding, its own
 * ETag tagged with the coding). Only a regular file no older than file;
 * otherwise ENOENT, remembered in file for the rest of the second, so that
 * a file without siblings costs no syscall. 0 with *out held, or an errno
 * value.
 */
int		 fcache_sibling(struct fcache *, struct fentry *file,
		    enum encoding, time_t now, struct fentry **out);

/*
 * Open key (as for fcache_get) beneath the root with these open(2) flags,
 * the way the cache opens what it serves: no symlink may lead out of the
 * root. For what the cache does not hold (a directory to list); the
 * caller closes the descriptor. -1 with errno.
 */
int		 fcache_open(struct fcache *, const char *key, int flags);

/* Watch the directories of the files loaded from now on with fw (a
 * worker's, NULL: none), so that a change makes the cache forget them at
 * once, instead of revalidating each once a second. */
void		 fcache_set_watch(struct fcache *, struct fwatch *fw);

/* The file at key (len bytes) changed: forget its entries, in every
 * coding, and what is remembered of its siblings when it is one. */
void		 fcache_forget(struct fcache *, const char *key, size_t len);

/* Forget every entry (held ones are freed when let go). */
void		 fcache_forget_all(struct fcache *);

/* Keep at most n descriptors open (the worker's share of RLIMIT_NOFILE);
 * contents held in memory keep none. */
void		 fcache_set_maxfds(struct fcache *, size_t n);

/* The process is out of descriptors: close some that nobody holds, so an
 * accept or open can succeed; returns how many were closed. */
size_t		 fcache_shed(struct fcache *);

/* Give back an entry from fcache_get(). */
void		 fcache_release(struct fcache *, struct fentry *);

/* Free the cache and close every file (entries must all be released). */
void		 fcache_destroy(struct fcache *);

#endif
