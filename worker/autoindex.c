/*
 * autoindex: the listing of a directory that has no index file, as an HTML
 * page or (?format=json) a JSON array.
 *
 * The directory is opened beneath the site's root as fcache opens files,
 * read with getdents64 (no DIR stream: fdopendir calls fcntl, which the
 * sandbox does not allow), each entry looked at with fstatat relative to
 * it. A listing holds at most autoindex_max_entries entries and reads at
 * most AUTOINDEX_SCAN times as many, so a huge directory costs bounded
 * work; its body is one heap buffer of at most AUTOINDEX_BODY_MAX bytes,
 * and a worker holds at most AUTOINDEX_HELD_MAX bytes of listings (and
 * status pages) being sent, so slow clients cannot pile them up.
 */
#include "tine_build.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "autoindex.h"
#include "buf.h"
#include "config.h"
#include "fcache.h"
#include "log.h"
#include "static.h"
#include "worker.h"

#define AUTOINDEX_DENTS		(16 * 1024)	/* one getdents64 read */
#define AUTOINDEX_SCAN		4	/* entries read per one listed */
#define AUTOINDEX_BODY_MAX	(4 * 1024 * 1024)	/* one listing */
#define AUTOINDEX_HELD_MAX	(64 * 1024 * 1024)	/* a worker sends */
#define AUTOINDEX_PAGE		1024	/* the page's own bytes, path aside */
#define AUTOINDEX_ROW		192	/* a row's own bytes, name aside */
#define AUTOINDEX_PER_BYTE	9	/* a name byte: 6 escaped + 3 in href */
#define AUTOINDEX_ROW_MAX	(AUTOINDEX_ROW + AUTOINDEX_PER_BYTE * NAME_MAX)
#define AUTOINDEX_FOOT		128	/* what follows the last row */

/* One entry to list. */
struct autoindex_ent {
	size_t		 off;		/* of its name in the names arena */
	const char	*name;		/* set once the arena is whole */
	size_t		 len;
	bool		 dir;
	off_t		 size;
	time_t		 mtime;
};

/* The entries read from one directory, and how the reading went. */
struct autoindex_list {
	struct autoindex_ent	*ents;
	size_t			 n, cap;
	char			*names;	/* NUL-terminated, back to back */
	size_t			 nameslen, namescap;
	size_t			 max;	/* autoindex_max_entries */
	bool			 cut;	/* entries were left out for a bound */
};

/* Whether the query asks for JSON: a parameter exactly format=json. */
bool
autoindex_json(const char *query, size_t len)
{
	size_t	i, start = 0;

	if (query == NULL)
		return false;
	for (i = 0; i <= len; i++)
		if (i == len || query[i] == '&') {
			if (i - start == 11 &&
			    memcmp(query + start, "format=json", 11) == 0)
				return true;
			start = i + 1;
		}
	return false;
}

/* Length of the valid UTF-8 sequence at s (a byte >= 0x80), 0 if none. */
static size_t
autoindex_utf8(const unsigned char *s, size_t len)
{
	uint32_t	cp;
	size_t		n, i;

	n = s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : s[0] >= 0xe0 && s[0] < 0xf0 ?
	    3 : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;
	if (n == 0 || n > len)
		return 0;
	cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* No overlong form, no surrogate, nothing past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* The length of the run at s of bytes that stand for themselves in HTML
 * text and in JSON strings alike: printable ASCII but "&'<>\ (copied
 * whole, as most names are). */
static size_t
autoindex_plain(const char *s, size_t len)
{
	size_t	n;

	for (n = 0; n < len && s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' &&
	    s[n] != '&' && s[n] != '\'' && s[n] != '<' && s[n] != '>' &&
	    s[n] != '\\'; n++)
		continue;
	return n;
}

/*
 * Copy a name into b: runs of plain bytes and whole UTF-8 characters as
 * they are, every other byte through one(), which escapes it for the
 * page or the JSON.
 */
static void
autoindex_escape(struct buf *b, const char *s, size_t len,
    void (*one)(struct buf *, unsigned char))
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		if ((n = autoindex_plain(s + i, len - i)) == 0 && u[i] >= 0x80)
			n = autoindex_utf8(u + i, len - i);
		if (n > 0) {
			buf_add(b, s + i, n);
			continue;
		}
		n = 1;
		one(b, u[i]);
	}
}

/* One byte of a name as HTML text: markup characters as entities; a
 * control byte or one that is no UTF-8 as U+FFFD, so the page is valid
 * UTF-8 and a name cannot end a line or a tag. */
static void
autoindex_html_byte(struct buf *b, unsigned char c)
{
	if (c >= 0x80 || c < 0x20 || c == 0x7f)
		buf_adds(b, "\xef\xbf\xbd");
	else if (c == '<')
		buf_adds(b, "&lt;");
	else if (c == '>')
		buf_adds(b, "&gt;");
	else if (c == '&')
		buf_adds(b, "&amp;");
	else if (c == '"')
		buf_adds(b, "&quot;");
	else if (c == '\'')
		buf_adds(b, "&#39;");
	else
		buf_add(b, (const char *)&c, 1);
}

/* One byte of a name in a JSON string: one that is no UTF-8 as U+FFFD;
 * controls and <>& as \u escapes. */
static void
autoindex_json_byte(struct buf *b, unsigned char c)
{
	if (c >= 0x80)
		buf_adds(b, "\\ufffd");
	else if (c == '"' || c == '\\') {
		buf_add(b, "\\", 1);
		buf_add(b, (const char *)&c, 1);
	} else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&')
		buf_addesc(b, "\\u00", c, false);
	else
		buf_add(b, (const char *)&c, 1);
}

/* A name as HTML text. */
static void
autoindex_text(struct buf *b, const char *s, size_t len)
{
	autoindex_escape(b, s, len, autoindex_html_byte);
}

/* A name as a JSON string's contents. */
static void
autoindex_jstr(struct buf *b, const char *s, size_t len)
{
	autoindex_escape(b, s, len, autoindex_json_byte);
}

/* An entry's link relative to the directory: its name percent-encoded
 * but for the unreserved bytes (so "a:b" is no scheme), '/' for a
 * directory. */
static void
autoindex_href(struct buf *b, const struct autoindex_ent *e)
{
	size_t	i, n;

	/* Names hold no NUL: strspn stops at the end. */
	for (i = 0; i < e->len; i += n) {
		n = strspn(e->name + i, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-._~");
		buf_add(b, e->name + i, n);
		if (i + n < e->len) {
			buf_addesc(b, "%", (unsigned char)e->name[i + n],
			    true);
			n++;
		}
	}
	if (e->dir)
		buf_add(b, "/", 1);
}

/* A size for people: bytes below 1K, then 1.2K, 34K, 5.6M ... */
static void
autoindex_size(struct buf *b, off_t size)
{
	static const char	 units[] = "KMGTPE";
	double			 v = (double)size;
	int			 i = -1;

	if (size < 1024) {
		buf_addu(b, (uint64_t)(size < 0 ? 0 : size));
		return;
	}
	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	buf_addf(b, v < 9.95 ? "%.1f%c" : "%.0f%c", v, units[i]);
}

/* A modification time in UTC: "2026-11-28 04:37" for people, ISO 8601
 * ("2026-11-28T04:37:00Z") for scripts; empty when it has no date. */
static void
autoindex_date(struct buf *b, time_t t, bool iso)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL)
		return;
	buf_addf(b, iso ? "%04ld-%02d-%02dT%02d:%02d:%02dZ" :
	    "%04ld-%02d-%02d %02d:%02d", (long)tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Room for one more entry and a name of len bytes; -1 without memory. */
static int
autoindex_grow(struct autoindex_list *l, size_t len)
{
	void	*p;
	size_t	 cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 64 : l->cap * 2;
		if ((p = reallocarray(l->ents, cap, sizeof(*l->ents))) == NULL)
			return -1;
		l->ents = p;
		l->cap = cap;
	}
	if (l->namescap - l->nameslen > len)
		return 0;
	for (cap = l->namescap == 0 ? 4096 : l->namescap; cap - l->nameslen <=
	    len; cap *= 2)
		continue;
	if ((p = realloc(l->names, cap)) == NULL)
		return -1;
	l->names = p;
	l->namescap = cap;
	return 0;
}

/* Add an entry; -1 without memory. */
static int
autoindex_add(struct autoindex_list *l, const char *name,
    const struct stat *st)
{
	struct autoindex_ent	*e;
	size_t			 len = strlen(name);

	if (autoindex_grow(l, len) == -1)
		return -1;
	e = &l->ents[l->n++];
	e->off = l->nameslen;
	e->len = len;
	e->dir = S_ISDIR(st->st_mode);
	e->size = st->st_size;
	e->mtime = st->st_mtim.tv_sec;
	memcpy(l->names + l->nameslen, name, len + 1);
	l->nameslen += len + 1;
	return 0;
}

/*
 * What name (in the directory dfd, which is key below the root) is, into
 * st: 0 a regular file or a directory, -1 something to leave out. A
 * symlink is what it points to, when the request for it would reach
 * that: it is opened from the root as fcache opens files (O_PATH: nothing
 * is read), so one that leads out of the root, dangles or loops is left
 * out, as is a socket or a FIFO.
 */
static int
autoindex_stat(struct response *r, int dfd, const char *key, size_t keylen,
    const char *name, struct stat *st)
{
	char	path[PATH_MAX + NAME_MAX + 1];
	size_t	len = strlen(name);
	int	fd, rc;

	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (S_ISLNK(st->st_mode)) {
		if (keylen + len >= sizeof(path))
			return -1;
		memcpy(path, key, keylen);
		memcpy(path + keylen, name, len + 1);
		if ((fd = fcache_open(r->fc, path, O_PATH | O_CLOEXEC)) == -1)
			return -1;
		rc = fstat(fd, st);
		close(fd);
		if (rc == -1)
			return -1;
	}
	return S_ISREG(st->st_mode) || S_ISDIR(st->st_mode) ? 0 : -1;
}

/* Look at one directory entry and list it or leave it out; -1 without
 * memory. "." and ".." never (the page has its own parent link), hidden
 * names only with hidden_files = allow. */
static int
autoindex_entry(struct response *r, struct autoindex_list *l, int dfd,
    const char *key, size_t keylen, const struct dirent64 *d)
{
	const char	*name = d->d_name;
	struct stat	 st;

	if (name[0] == '.' && (!r->site->hidden_files || name[1] == '\0' ||
	    (name[1] == '.' && name[2] == '\0')))
		return 0;
	/* What the directory says is a FIFO, a socket or a device costs no
	 * stat. */
	if (d->d_type != DT_UNKNOWN && d->d_type != DT_REG &&
	    d->d_type != DT_DIR && d->d_type != DT_LNK)
		return 0;
	if (autoindex_stat(r, dfd, key, keylen, name, &st) == -1)
		return 0;
	if (l->n == l->max) {
		l->cut = true;
		return 0;
	}
	return autoindex_add(l, name, &st);
}

/* Read the directory dfd (key below the root) into l, within the
 * bounds; 0 or an errno value. */
static int
autoindex_read(struct response *r, struct autoindex_list *l, int dfd,
    const char *key, size_t keylen)
{
	uint64_t		 buf[AUTOINDEX_DENTS / 8];	/* aligned */
	const struct dirent64	*d;
	size_t			 seen = 0;
	ssize_t			 n = 0, off;

	/* "." and ".." come too: they are not counted against the bound. */
	while (!l->cut && (n = getdents64(dfd, buf, sizeof(buf))) > 0)
		for (off = 0; off < n && !l->cut; off += d->d_reclen) {
			d = (const void *)((const char *)buf + off);
			if (++seen > AUTOINDEX_SCAN * l->max + 2)
				l->cut = true;
			else if (autoindex_entry(r, l, dfd, key, keylen, d) ==
			    -1)
				return ENOMEM;
		}
	return n == -1 ? errno : 0;
}

/* Directories first, then byte order of the names. */
static int
autoindex_cmp(const void *a, const void *b)
{
	const struct autoindex_ent	*x = a, *y = b;

	if (x->dir != y->dir)
		return x->dir ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* One entry as a JSON object, after a comma unless it is the first. */
static void
autoindex_row_json(struct buf *b, const struct autoindex_ent *e, bool first)
{
	buf_adds(b, first ? "\n{\"name\":\"" : ",\n{\"name\":\"");
	autoindex_jstr(b, e->name, e->len);
	buf_addf(b, "\",\"type\":\"%s\",\"size\":", e->dir ? "directory" :
	    "file");
	buf_addu(b, e->dir || e->size < 0 ? 0 : (uint64_t)e->size);
	buf_adds(b, ",\"mtime\":\"");
	autoindex_date(b, e->mtime, true);
	buf_adds(b, "\",\"href\":\"");
	autoindex_href(b, e);
	buf_adds(b, "\"}");
}

/* One entry as a row of the HTML table. */
static void
autoindex_row_html(struct buf *b, const struct autoindex_ent *e)
{
	buf_adds(b, "<tr><td><a href=\"");
	autoindex_href(b, e);
	buf_adds(b, "\">");
	autoindex_text(b, e->name, e->len);
	buf_adds(b, e->dir ? "/</a></td><td>" : "</a></td><td>");
	autoindex_date(b, e->mtime, false);
	buf_adds(b, "</td><td>");
	if (e->dir)
		buf_add(b, "-", 1);
	else
		autoindex_size(b, e->size);
	buf_adds(b, "</td></tr>\n");
}

/* The page before the rows: title, heading, the parent link but at the
 * root. */
static void
autoindex_head(struct buf *b, const char *path, size_t len, bool json)
{
	if (json) {
		buf_add(b, "[", 1);
		return;
	}
	buf_adds(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
	    "<title>Index of ");
	autoindex_text(b, path, len);
	buf_adds(b, "</title>\n<style>body{font-family:sans-serif}"
	    "td{padding:0 2em 0 0}td+td+td{text-align:right}</style>\n"
	    "</head>\n<body>\n<h1>Index of ");
	autoindex_text(b, path, len);
	buf_adds(b, "</h1>\n<table>\n<tr><th>Name</th><th>Modified (UTC)"
	    "</th><th>Size</th></tr>\n");
	if (len > 1)
		buf_adds(b, "<tr><td><a href=\"../\">../</a></td><td></td>"
		    "<td>-</td></tr>\n");
}

/* The rows that fit with room left for the foot, the rest cut; how
 * many are shown. */
static size_t
autoindex_rows(struct buf *b, struct autoindex_list *l, bool json)
{
	char		 mem[AUTOINDEX_ROW_MAX];
	struct buf	 row;
	size_t		 i, shown = 0;

	for (i = 0; i < l->n; i++) {
		buf_init(&row, mem, sizeof(mem));
		if (json)
			autoindex_row_json(&row, &l->ents[i], shown == 0);
		else
			autoindex_row_html(&row, &l->ents[i]);
		/* A name longer than NAME_MAX is no Linux name: left out. */
		if (!buf_ok(&row))
			continue;
		if (b->cap - b->len < row.len + AUTOINDEX_FOOT) {
			l->cut = true;
			break;
		}
		buf_add(b, row.mem, row.len);
		shown++;
	}
	return shown;
}

/* The bytes the page can take at most, all rows shown; capped. */
static size_t
autoindex_bound(const struct autoindex_list *l, size_t pathlen)
{
	size_t	n = AUTOINDEX_PAGE + 12 * pathlen + l->n * AUTOINDEX_ROW +
	    AUTOINDEX_PER_BYTE * l->nameslen;

	return n < AUTOINDEX_BODY_MAX ? n : AUTOINDEX_BODY_MAX;
}

/* Whether the worker may hold cap more bytes of generated bodies (see
 * autoindex.h); -1, logged once a second at most, when it may not. */
int
autoindex_room(struct worker_proc *w, size_t cap, const char *path)
{
	if (w->listing_bytes + cap <= AUTOINDEX_HELD_MAX)
		return 0;
	/* Once a second at most: a flood must not flood the log. */
	if (w->listing_said != w->now)
		log_warn("%zu bytes of listings and status pages are being "
		    "sent, %s answered 503", w->listing_bytes, path);
	w->listing_said = w->now;
	return -1;
}

/* Render the sorted list as r's listing; 0 or the status to answer. */
static int
autoindex_render(struct worker_proc *w, struct response *r,
    struct autoindex_list *l, const char *path, size_t len, bool json)
{
	size_t		 cap = autoindex_bound(l, len), shown;
	struct buf	 b;
	char		*mem, *p;

	if (autoindex_room(w, cap, path) == -1)
		return 503;
	if ((mem = malloc(cap)) == NULL)
		return static_errno_status(ENOMEM, path);
	buf_init(&b, mem, cap);
	autoindex_head(&b, path, len, json);
	shown = autoindex_rows(&b, l, json);
	if (json)
		buf_adds(&b, "\n]\n");
	else if (l->cut)
		buf_addf(&b, "</table>\n<p>This listing is cut short: %zu "
		    "entries are shown.</p>\n</body></html>\n", shown);
	else
		buf_adds(&b, "</table>\n</body></html>\n");
	if (!buf_ok(&b)) {
		/* The bound is wrong: a bug, not the client's. */
		log_error("autoindex: the listing of %s outgrew %zu bytes",
		    path, cap);
		free(mem);
		return 500;
	}
	if ((p = realloc(mem, b.len)) != NULL)
		mem = p;
	autoindex_hold(w, r, mem, b.len);
	return 0;
}

/* Build the listing of directory path of r's site (see autoindex.h). */
int
autoindex_build(struct worker_proc *w, struct response *r, const char *path,
    size_t len, bool json, bool *cut)
{
	struct autoindex_list	l;
	size_t			i;
	int			dfd, err;

	memset(&l, 0, sizeof(l));
	l.max = (size_t)w->conf->autoindex_max_entries;
	if ((dfd = fcache_open(r->fc, path + 1, O_RDONLY | O_DIRECTORY |
	    O_NONBLOCK | O_CLOEXEC)) == -1)
		return static_errno_status(errno, path);
	err = autoindex_read(r, &l, dfd, path + 1, len - 1);
	close(dfd);
	if (err != 0)
		err = static_errno_status(err, path);
	else {
		for (i = 0; i < l.n; i++)
			l.ents[i].name = l.names + l.ents[i].off;
		if (l.n > 1)
			qsort(l.ents, l.n, sizeof(*l.ents), autoindex_cmp);
		err = autoindex_render(w, r, &l, path, len, json);
	}
	*cut = l.cut;
	free(l.ents);
	free(l.names);
	return err;
}

/* Give r the generated body mem, counted until autoindex_release. */
void
autoindex_hold(struct worker_proc *w, struct response *r, char *mem,
    size_t len)
{
	r->listing = mem;
	r->listing_len = len;
	w->listing_bytes += len;
}

/* Free r's listing, if it has one. */
void
autoindex_release(struct worker_proc *w, struct response *r)
{
	if (r->listing == NULL)
		return;
	w->listing_bytes -= r->listing_len;
	free(r->listing);
	r->listing = NULL;
	r->listing_len = 0;
}
