/* fcache: a worker's cache of open files, their metadata and small contents. */
#include "tine_build.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "fcache.h"
#include "fwatch.h"
#include "hash.h"
#include "mime.h"

#define FCACHE_BUCKETS	256		/* to begin with; doubled as it fills */
#define FCACHE_BUCKETS_MAX (1U << 20)
#define FCACHE_SMALL	(32 * 1024)	/* files this small live in memory */
#define FCACHE_FDS	1024		/* most descriptors kept, by default */
#define FCACHE_SHED	16		/* descriptors freed when the process is out */
/* How the files served are opened; O_NONBLOCK: a FIFO in the docroot must
 * not hang the worker. */
#define FCACHE_FLAGS	(O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
/* Symlinks may not lead out of the root, nor through /proc. */
#define FCACHE_RESOLVE	(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)

/* A file's precompressed siblings, by coding. */
static const char *const fcache_suffix[ENCODING_N] = { "", ".br", ".gz" };

struct fcache {
	int			 root;
	const struct mime	*mime;
	const struct config_site *site;
	struct fentry		**buckets;
	size_t			 nbuckets;	/* a power of two */
	/* Least recently used lists, most recent first: [0] entries without
	 * a descriptor, [1] with one, so that keeping to maxfds never walks
	 * past the many small files held in memory. */
	struct fentry		*lru_head[2], *lru_tail[2];
	size_t			 nentries;
	size_t			 nbytes;	/* entries, keys, heads, contents */
	size_t			 nfds;		/* entries holding a descriptor */
	size_t			 maxfds;
	struct fwatch		*watch;		/* NULL: revalidate each second */
	struct fcache_budget	*budget;	/* the memory it shares */
	struct fcache		*bnext;		/* the budget's next cache */
	bool			 stuck;		/* every entry held: no room */
};

/* What an entry is looked up by, and what a new one is made as. */
struct fcache_key {
	const char	*s;		/* the path below the root */
	size_t		 len;
	uint32_t	 hash;
	enum encoding	 coding;	/* a sibling's: answered in this coding */
	const struct fentry *of;	/* a sibling's: the file it answers as */
};

/* Create a cache over the directory docroot_fd, sharing budget. */
struct fcache *
fcache_create(int docroot_fd, const struct mime *mime,
    const struct config_site *site, struct fcache_budget *budget)
{
	struct fcache	*fc;

	if ((fc = calloc(1, sizeof(*fc))) == NULL)
		return NULL;
	if ((fc->buckets = calloc(FCACHE_BUCKETS, sizeof(*fc->buckets))) ==
	    NULL) {
		free(fc);
		return NULL;
	}
	fc->nbuckets = FCACHE_BUCKETS;
	fc->root = docroot_fd;
	fc->mime = mime;
	fc->site = site;
	fc->maxfds = FCACHE_FDS;
	fc->budget = budget;
	fc->bnext = budget->caches;
	budget->caches = fc;
	return fc;
}

/* A path key's hash. */
static uint32_t
fcache_hash(const char *s, size_t len)
{
	return hash_fnv1a(s, len, 0);
}

/* The head of the chain that holds entries of hash. */
static struct fentry **
fcache_bucket(struct fcache *fc, uint32_t hash)
{
	return &fc->buckets[hash & (fc->nbuckets - 1)];
}

/* Double the table once it holds more entries than chains, so a lookup
 * walks about one entry however many files the cache holds. Without
 * memory the chains just get longer. */
static void
fcache_grow(struct fcache *fc)
{
	struct fentry	**old = fc->buckets, *e, *next;
	size_t		  i, n = fc->nbuckets;

	if (fc->nentries <= n || n >= FCACHE_BUCKETS_MAX ||
	    (fc->buckets = calloc(n * 2, sizeof(*old))) == NULL) {
		fc->buckets = old;
		return;
	}
	fc->nbuckets = n * 2;
	for (i = 0; i < n; i++)
		for (e = old[i]; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = *fcache_bucket(fc, e->hash);
			*fcache_bucket(fc, e->hash) = e;
		}
	free(old);
}

/* What an entry costs the memory budget: itself, its key, head and
 * contents (allocator overhead is in sizeof's rounding, roughly). */
static size_t
fcache_cost(const struct fentry *e)
{
	return sizeof(*e) + e->keylen + 1 + e->hdrlen + 1 +
	    (e->data != NULL ? (size_t)e->st.st_size : 0);
}

/* Watch the directories of files loaded from now on with fw. */
void
fcache_set_watch(struct fcache *fc, struct fwatch *fw)
{
	fc->watch = fw;
}

/* Open a path beneath the root with flags, resolved as resolve says. */
static int
fcache_openat(struct fcache *fc, const char *key, int flags,
    uint64_t resolve)
{
	struct open_how	how;
	int		fd;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)flags;
	how.resolve = resolve;
	fd = (int)syscall(SYS_openat2, fc->root, *key ? key : ".", &how,
	    sizeof(how));
	/* Out of descriptors: close cached ones nobody holds, try again. */
	if (fd == -1 && (errno == EMFILE || errno == ENFILE) &&
	    fcache_shed(fc) > 0)
		fd = (int)syscall(SYS_openat2, fc->root, *key ? key : ".",
		    &how, sizeof(how));
	return fd;
}

/* Open a path beneath the root with flags; symlinks may not leave it. */
int
fcache_open(struct fcache *fc, const char *key, int flags)
{
	return fcache_openat(fc, key, flags, FCACHE_RESOLVE);
}

/*
 * Open k for a new entry, its directory watched first where it can be
 * and no symlink is on the way (a symlink re-pointed changes the file
 * with no event in its directory); *watched says whether it was.
 */
static int
fcache_open_watched(struct fcache *fc, const struct fcache_key *k,
    int *watched)
{
	size_t	dir = k->len;
	int	fd;

	*watched = 0;
	while (dir > 0 && k->s[dir - 1] != '/')
		dir--;
	/* A directory ("", "sub/") is revalidated: it is never sent. */
	if (fc->watch == NULL || dir == k->len || fwatch_dir(fc->watch, fc,
	    fc->root, k->s, dir > 0 ? dir - 1 : 0) == -1)
		return fcache_open(fc, k->s, FCACHE_FLAGS);
	fd = fcache_openat(fc, k->s, FCACHE_FLAGS, FCACHE_RESOLVE |
	    RESOLVE_NO_SYMLINKS);
	if (fd != -1)
		*watched = 1;
	else if (errno == ELOOP)
		fd = fcache_open(fc, k->s, FCACHE_FLAGS);
	return fd;
}

/* Take e out of its LRU list. */
static void
fcache_lru_unlink(struct fcache *fc, struct fentry *e)
{
	int	l = e->fd != -1;

	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		fc->lru_head[l] = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		fc->lru_tail[l] = e->prev;
	e->prev = e->next = NULL;
}

/* Put e at the front of its LRU list (by whether it holds a descriptor,
 * which never changes while it is in the table). */
static void
fcache_lru_push(struct fcache *fc, struct fentry *e)
{
	int	l = e->fd != -1;

	e->prev = NULL;
	e->next = fc->lru_head[l];
	if (fc->lru_head[l] != NULL)
		fc->lru_head[l]->prev = e;
	fc->lru_head[l] = e;
	if (fc->lru_tail[l] == NULL)
		fc->lru_tail[l] = e;
}

/* Release an entry's memory and descriptor. */
static void
fcache_free(struct fcache *fc, struct fentry *e)
{
	if (e->fd != -1) {
		close(e->fd);
		fc->nfds--;
	}
	free(e->key);
	free(e->hdr);
	free(e->data);
	free(e);
}

/* Remove e from the table; it is freed now or when its last holder lets go. */
static void
fcache_remove(struct fcache *fc, struct fentry *e)
{
	struct fentry	**p = fcache_bucket(fc, e->hash);

	for (; *p != NULL; p = &(*p)->hnext)
		if (*p == e) {
			*p = e->hnext;
			break;
		}
	fcache_lru_unlink(fc, e);
	fc->nentries--;
	fc->nbytes -= fcache_cost(e);
	fc->budget->nbytes -= fcache_cost(e);
	if (e->refs > 0)
		e->dead = 1;
	else
		fcache_free(fc, e);
}

/* Evict fc's least recently used entry that nobody holds, contents first
 * (they weigh the most); -1 when there is none. */
static int
fcache_evict(struct fcache *fc)
{
	struct fentry	*e;
	int		 l;

	for (l = 0; l < 2; l++)
		for (e = fc->lru_tail[l]; e != NULL; e = e->prev)
			if (e->refs == 0) {
				fcache_remove(fc, e);
				return 0;
			}
	return -1;
}

/*
 * While the worker's caches hold more than their budget, evict from the
 * one that holds the most: a busy site takes the room that idle ones leave,
 * and none can keep the others from caching (evicting from the cache that
 * grows would leave it nothing while an idle one keeps its files). One
 * pass over the caches per eviction, and only once the budget is full.
 */
static void
fcache_budget_trim(struct fcache_budget *b)
{
	struct fcache	*fc, *big;

	if (b->nbytes <= b->max)
		return;
	for (fc = b->caches; fc != NULL; fc = fc->bnext)
		fc->stuck = false;
	while (b->nbytes > b->max) {
		big = NULL;
		for (fc = b->caches; fc != NULL; fc = fc->bnext)
			if (!fc->stuck && (big == NULL ||
			    fc->nbytes > big->nbytes))
				big = fc;
		if (big == NULL)
			return;		/* all held: over until released */
		if (fcache_evict(big) == -1)
			big->stuck = true;
	}
}

/* Evict least recently used entries nobody holds until under the limits:
 * those with a descriptor while there are more than maxfds, then, from
 * whichever cache holds the most, any while over the memory budget. */
static void
fcache_trim(struct fcache *fc, size_t maxfds)
{
	struct fentry	*e, *prev;

	for (e = fc->lru_tail[1]; e != NULL && fc->nfds > maxfds; e = prev) {
		prev = e->prev;
		if (e->refs == 0)
			fcache_remove(fc, e);
	}
	fcache_budget_trim(fc->budget);
}

/* Keep at most n descriptors open (the worker's share of RLIMIT_NOFILE). */
void
fcache_set_maxfds(struct fcache *fc, size_t n)
{
	fc->maxfds = n;
	fcache_trim(fc, n);
}

/* The process is out of descriptors: close some of the least recently used
 * (held ones stay), so an accept or open can succeed; how many went. */
size_t
fcache_shed(struct fcache *fc)
{
	size_t	before = fc->nfds;

	fcache_trim(fc, fc->nfds > FCACHE_SHED ? fc->nfds - FCACHE_SHED : 0);
	return before - fc->nfds;
}

/* The Cache-Control line a site's cache_control_types choose for a type:
 * the most specific pattern; "" when none does or its headers have one. */
static const char *
fcache_cctype(const struct config_site *site, const char *type,
    size_t *len)
{
	const struct config_cctype	*best = NULL;
	size_t				 i;
	int				 m, bestm = 0;

	for (i = 0; !site->headers_cc && i < site->ncctypes; i++)
		if ((m = mime_match(site->cctypes[i].type, type)) > bestm) {
			best = &site->cctypes[i];
			bestm = m;
		}
	*len = best != NULL ? best->linelen : 0;
	return best != NULL ? best->line : "";
}

/*
 * The header block of a sibling answered as the file `of`: of's
 * Content-Type and Cache-Control lines (its type's, not the .gz's), the
 * coding, then its own validators, its ETag tagged with the coding inside
 * the quotes ("...-gzip"): never the file's tag, still one entity-tag.
 */
static int
fcache_headers_coded(struct fentry *e, const struct fentry *of, size_t len)
{
	const char	*name = encoding_name(e->coding);
	int		 n;

	snprintf(e->etag + len - 1, sizeof(e->etag) - len + 1, "-%s\"", name);
	n = asprintf(&e->hdr, "%.*sContent-Encoding: %s\r\nLast-Modified: %s"
	    "\r\nETag: %s\r\nAccept-Ranges: bytes\r\n",
	    (int)(of->ctlen + of->cclen), of->hdr, name, e->lastmod, e->etag);
	if (n == -1) {
		e->hdr = NULL;
		return -1;
	}
	e->hdrlen = (size_t)n;
	e->ctlen = of->ctlen;
	e->cclen = of->cclen;
	return 0;
}

/*
 * Build the per-file header block sent with every 200/206 of it: its type
 * (the site's own types, then the server's table, then default_type) with
 * the site's charset when it takes one, the Cache-Control line chosen by
 * that type, then the validators. Resolved once here, so that options
 * cost nothing per request. A sibling's is its file's (k->of) in coding.
 */
static int
fcache_headers(struct fcache *fc, struct fentry *e,
    const struct fcache_key *k)
{
	const struct config_site	*site = fc->site;
	const char			*type, *cs, *cc;
	size_t				 len;
	int				 n;

	if ((len = cond_etag(&e->st, e->etag)) < 2)
		return -1;
	date_format(e->st.st_mtim.tv_sec, e->lastmod);
	if (e->coding != ENCODING_IDENTITY)
		return fcache_headers_coded(e, k->of, len);
	type = mime_lookup(site->types, e->key, NULL);
	if (type == NULL)
		type = mime_lookup(fc->mime, e->key, site->default_type);
	cs = site->charset != NULL && mime_takes_charset(type) ?
	    site->charset : NULL;
	cc = fcache_cctype(site, type, &e->cclen);
	n = asprintf(&e->hdr, "Content-Type: %s%s%s\r\n%sLast-Modified: %s\r\n"
	    "ETag: %s\r\nAccept-Ranges: bytes\r\n", type, cs != NULL ?
	    "; charset=" : "", cs != NULL ? cs : "", cc, e->lastmod, e->etag);
	if (n == -1) {
		e->hdr = NULL;
		return -1;
	}
	e->hdrlen = (size_t)n;
	/* No type or charset holds a '\n': config and mime.c refuse them. */
	e->ctlen = (size_t)(strchr(e->hdr, '\n') - e->hdr) + 1;
	return 0;
}

/* Read a small regular file whole, so it is sent from memory and needs
 * no descriptor; room is made by evicting (fcache_trim). */
static void
fcache_slurp(struct fentry *e)
{
	size_t	size = (size_t)e->st.st_size;
	ssize_t	n;

	if (size == 0 || size > FCACHE_SMALL ||
	    (e->data = malloc(size)) == NULL)
		return;
	n = pread(e->fd, e->data, size, 0);
	if (n != (ssize_t)size) {
		free(e->data);
		e->data = NULL;
	}
}

/* Keep the descriptor only if responses need it: a file sent with sendfile.
 * Contents in memory, directories and the like are revalidated by path. */
static void
fcache_keep_fd(struct fcache *fc, struct fentry *e)
{
	if (S_ISREG(e->st.st_mode) && e->data == NULL && e->st.st_size > 0) {
		fc->nfds++;
		return;
	}
	close(e->fd);
	e->fd = -1;
}

/* Make a new entry for an opened file. */
static struct fentry *
fcache_entry(struct fcache *fc, const struct fcache_key *k, int fd,
    const struct stat *st, time_t now)
{
	struct fentry	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->key = strndup(k->s, k->len)) == NULL) {
		free(e);
		return NULL;
	}
	e->keylen = k->len;
	e->hash = k->hash;
	e->coding = k->coding;
	e->fd = fd;
	e->st = *st;
	e->checked = now;
	if (S_ISREG(st->st_mode)) {
		if (fcache_headers(fc, e, k) == -1) {
			e->fd = -1;
			fcache_free(fc, e);
			return NULL;
		}
		fcache_slurp(e);
	}
	fcache_keep_fd(fc, e);
	return e;
}

/*
 * Is an entry not watched still the file at its path? One stat of the
 * path, refreshing `checked`. The path is resolved without openat2's
 * limits, which is safe: only the very inode the entry was opened as
 * (beneath the root) with the same size, times and mode passes; anything
 * else, an error included, is -1: the entry goes, and the reload's
 * openat2 says what the path is now.
 */
static int
fcache_fresh(struct fcache *fc, struct fentry *e, time_t now)
{
	struct stat	st;

	if (e->watched || e->checked == now)
		return 0;
	if (fstatat(fc->root, *e->key ? e->key : ".", &st, 0) == -1 ||
	    st.st_ino != e->st.st_ino || st.st_dev != e->st.st_dev ||
	    st.st_size != e->st.st_size ||
	    st.st_mtim.tv_sec != e->st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != e->st.st_mtim.tv_nsec ||
	    st.st_ctim.tv_sec != e->st.st_ctim.tv_sec ||
	    st.st_ctim.tv_nsec != e->st.st_ctim.tv_nsec ||
	    st.st_mode != e->st.st_mode)
		return -1;
	e->checked = now;
	return 0;
}

/* Look k up in the table: the same path answered in the same coding. */
static struct fentry *
fcache_find(struct fcache *fc, const struct fcache_key *k)
{
	struct fentry	*e;

	for (e = *fcache_bucket(fc, k->hash); e != NULL; e = e->hnext)
		if (e->hash == k->hash && e->keylen == k->len &&
		    e->coding == k->coding && memcmp(e->key, k->s, k->len) == 0)
			return e;
	return NULL;
}

/* Open, stat and insert a file not in the table. */
static int
fcache_load(struct fcache *fc, const struct fcache_key *k, time_t now,
    struct fentry **out)
{
	struct fentry	*e;
	struct stat	 st;
	int		 fd, err, watched;

	if ((fd = fcache_open_watched(fc, k, &watched)) == -1)
		return errno;
	if (fstat(fd, &st) == -1) {
		err = errno;
		close(fd);
		return err;
	}
	if ((e = fcache_entry(fc, k, fd, &st, now)) == NULL) {
		close(fd);
		return ENOMEM;
	}
	e->hnext = *fcache_bucket(fc, k->hash);
	*fcache_bucket(fc, k->hash) = e;
	fcache_lru_push(fc, e);
	fc->nentries++;
	fc->nbytes += fcache_cost(e);
	fc->budget->nbytes += fcache_cost(e);
	e->refs = 1;
	e->watched = watched;
	fcache_trim(fc, fc->maxfds);
	fcache_grow(fc);
	*out = e;
	return 0;
}

/* The entry for k, revalidated at most once a second. */
static int
fcache_lookup(struct fcache *fc, const struct fcache_key *k, time_t now,
    struct fentry **out)
{
	struct fentry	*e;

	if ((e = fcache_find(fc, k)) != NULL) {
		if (fcache_fresh(fc, e, now) == 0) {
			if (e->prev != NULL) {
				fcache_lru_unlink(fc, e);
				fcache_lru_push(fc, e);
			}
			e->refs++;
			*out = e;
			return 0;
		}
		fcache_remove(fc, e);
	}
	return fcache_load(fc, k, now, out);
}

/* The entry for key, revalidated at most once a second. */
int
fcache_get(struct fcache *fc, const char *key, size_t keylen, time_t now,
    struct fentry **out)
{
	struct fcache_key	k = { key, keylen, fcache_hash(key, keylen),
	    ENCODING_IDENTITY, NULL };

	if (memchr(key, '\0', keylen) != NULL)
		return ENOENT;
	return fcache_lookup(fc, &k, now, out);
}

/* Whether a's mtime is before b's. */
static bool
fcache_older(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec < b->st_mtim.tv_sec ||
	    (a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec < b->st_mtim.tv_nsec);
}

/* file's sibling FILE.br or FILE.gz, held, answered as file in coding;
 * a miss is remembered in file for the rest of the second. */
int
fcache_sibling(struct fcache *fc, struct fentry *file, enum encoding coding,
    time_t now, struct fentry **out)
{
	char			 key[PATH_MAX];
	struct fcache_key	 k = { key, 0, 0, coding, file };
	struct fentry		*e;
	int			 n, err;

	if (now < file->nosib[coding])
		return ENOENT;
	n = snprintf(key, sizeof(key), "%s%s", file->key,
	    fcache_suffix[coding]);
	if (n < 0 || (size_t)n >= sizeof(key))
		err = ENAMETOOLONG;
	else {
		k.len = (size_t)n;
		/* Apart from the file's own entry for that path. */
		k.hash = fcache_hash(key, k.len) + (uint32_t)coding;
		if ((err = fcache_lookup(fc, &k, now, &e)) == 0) {
			if (S_ISREG(e->st.st_mode) &&
			    !fcache_older(&e->st, &file->st)) {
				*out = e;
				return 0;
			}
			fcache_release(fc, e);
			err = ENOENT;
		}
	}
	file->nosib[coding] = now + 1;
	return err;
}

/* The file at key changed: forget its entries in every coding, and, when
 * it is a sibling, that its file had none. */
void
fcache_forget(struct fcache *fc, const char *key, size_t len)
{
	struct fcache_key	 k = { key, len, 0, ENCODING_IDENTITY, NULL };
	struct fentry		*e;
	uint32_t		 h = fcache_hash(key, len);
	size_t			 n;
	int			 c;

	for (c = 0; c < ENCODING_N; c++) {
		k.coding = (enum encoding)c;
		k.hash = h + (uint32_t)c;
		if ((e = fcache_find(fc, &k)) != NULL)
			fcache_remove(fc, e);
	}
	for (c = 1; c < ENCODING_N; c++) {
		n = strlen(fcache_suffix[c]);
		if (len <= n || memcmp(key + len - n, fcache_suffix[c], n) != 0)
			continue;
		k.coding = ENCODING_IDENTITY;
		k.len = len - n;
		k.hash = fcache_hash(key, k.len);
		if ((e = fcache_find(fc, &k)) != NULL)
			memset(e->nosib, 0, sizeof(e->nosib));
	}
}

/* Forget every entry; held ones go when let go. */
void
fcache_forget_all(struct fcache *fc)
{
	struct fentry	*e, *next;
	int		 l;

	for (l = 0; l < 2; l++)
		for (e = fc->lru_head[l]; e != NULL; e = next) {
			next = e->next;
			fcache_remove(fc, e);
		}
}

/* Give back an entry from fcache_get(). */
void
fcache_release(struct fcache *fc, struct fentry *e)
{
	if (--e->refs == 0 && e->dead)
		fcache_free(fc, e);
}

/* Free the cache and close every file. */
void
fcache_destroy(struct fcache *fc)
{
	struct fcache	**p;
	struct fentry	*e, *next;
	int		 l;

	if (fc == NULL)
		return;
	for (p = &fc->budget->caches; *p != fc; p = &(*p)->bnext)
		;
	*p = fc->bnext;
	fc->budget->nbytes -= fc->nbytes;
	for (l = 0; l < 2; l++)
		for (e = fc->lru_head[l]; e != NULL; e = next) {
			next = e->next;
			fcache_free(fc, e);
		}
	free(fc->buckets);
	free(fc);
}
