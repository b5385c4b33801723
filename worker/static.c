/* static: answer one parsed request from the document root. */
#include "tine_build.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "autoindex.h"
#include "access.h"
#include "buf.h"
#include "cond.h"
#include "config.h"
#include "encoding.h"
#include "fcache.h"
#include "http.h"
#include "log.h"
#include "path.h"
#include "scoreboard.h"
#include "static.h"
#include "status.h"
#include "vhost.h"
#include "worker.h"

#define STATIC_PATH_MAX		PATH_NORM_MAX
#define STATIC_HOST_MAX		255	/* a host name echoed in a Location */
#define STATIC_PAGE_MAX		256	/* the generated HTML of an error page */

/* Start a head: status line, Server, Date. */
static void
resp_start(struct worker_proc *w, struct response *r, int status)
{
	r->status = status;
	r->nsegs = 0;
	r->body_len = 0;
	r->headlen = 0;
	buf_init(&r->head, r->hdr, sizeof(r->hdr));
	buf_init(&r->gen, r->body, sizeof(r->body));
	buf_adds(&r->head, "HTTP/1.1 ");
	buf_addu(&r->head, (uint64_t)status);
	/* Every response has these: no printf on the hot path. */
	buf_adds(&r->head, " ");
	buf_adds(&r->head, http_status_text(status));
	buf_adds(&r->head, w->conf->server_tokens ?
	    "\r\nServer: tine/" PACKAGE_VERSION "\r\nDate: " :
	    "\r\nServer: tine\r\nDate: ");
	buf_adds(&r->head, w->date);
	buf_adds(&r->head, "\r\n");
	/* The site's headers lines, pre-joined: one test when it has none. */
	if (r->site != NULL && r->site->headers != NULL)
		buf_add(&r->head, r->site->headers, r->site->headerslen);
}

/*
 * The site's own lines about caching, for the answers of files only. With
 * precompressed on, a file's answer depends on the request's
 * Accept-Encoding: Vary says so on every one, sibling or not, as nginx
 * does (knowing that a file has none would cost a lookup per coding).
 */
static void
resp_caching(struct response *r)
{
	if (r->site->cache_headers != NULL)
		buf_add(&r->head, r->site->cache_headers,
		    r->site->cache_headerslen);
	if (r->site->precompressed)
		buf_adds(&r->head, "Vary: Accept-Encoding\r\n");
}

/* Append "Content-Length: n\r\n" and remember n. */
static void
resp_length(struct response *r, uint64_t n)
{
	r->body_len = n;
	buf_adds(&r->head, "Content-Length: ");
	buf_addu(&r->head, n);
	buf_add(&r->head, "\r\n", 2);
}

/* End the head with the connection header and the blank line. */
static void
resp_end(struct response *r)
{
	if (r->close)
		buf_adds(&r->head, "Connection: close\r\n");
	else if (r->keep_alive_10)
		buf_adds(&r->head, "Connection: keep-alive\r\n");
	buf_add(&r->head, "\r\n", 2);
	r->headlen = r->head.len;
}

/* Add a body segment: memory when mem is set, else a file range. */
static void
resp_seg(struct response *r, const char *mem, off_t off, size_t len)
{
	if (len == 0)
		return;
	if (r->nsegs == RESP_SEGS) {
		/* Cannot happen with RANGE_MAX ranges; never send short. */
		r->head.overflow = true;
		return;
	}
	r->segs[r->nsegs++] = (struct seg){ mem, off, len };
}

/*
 * The last resort when a response did not fit its buffers: a fixed 500
 * that always fits, and the connection closes after it.
 */
static void
resp_overflowed(struct worker_proc *w, struct response *r, bool head)
{
	static const char	body[] = "<!DOCTYPE html>\n<html><head><title>"
	    "500 Internal Server Error</title></head>\n<body><h1>500 "
	    "Internal Server Error</h1></body></html>\n";

	log_error("response %d did not fit its buffer: answering 500",
	    r->status);
	r->close = true;
	if (r->fe != NULL) {
		fcache_release(r->fc, r->fe);
		r->fe = NULL;
	}
	autoindex_release(w, r);
	resp_start(w, r, 500);
	buf_adds(&r->head, "Content-Type: text/html; charset=utf-8\r\n");
	resp_length(r, sizeof(body) - 1);
	resp_end(r);
	if (!head)
		resp_seg(r, body, 0, sizeof(body) - 1);
}

static void	static_body(struct response *, const struct fentry *, off_t,
		    off_t);

/* The site's error_pages file for status, or NULL. */
static const char *
static_page_path(const struct config_site *site, int status)
{
	size_t	i;

	for (i = 0; i < site->npages; i++)
		if (site->pages[i].status == status)
			return site->pages[i].path;
	return NULL;
}

/*
 * Answer status with the site's page for it, as a plain file (no
 * validators, no ranges); false when there is none or it cannot be
 * served, and the caller sends the built-in page. It never answers with
 * an error itself, so an error page can never lead to another.
 */
static bool
static_error_page(struct worker_proc *w, struct response *r, int status,
    bool head, const char *extra)
{
	const char	*path;
	struct fentry	*fe;

	if (r->site == NULL || (path = static_page_path(r->site, status)) ==
	    NULL || fcache_get(r->fc, path + 1, strlen(path) - 1, w->now,
	    &fe) != 0)
		return false;
	if (!S_ISREG(fe->st.st_mode)) {
		fcache_release(r->fc, fe);
		return false;
	}
	resp_start(w, r, status);
	/* Its Content-Type line, not its Cache-Control: an error is not
	 * to be cached as the file would be. */
	buf_add(&r->head, fe->hdr, fe->ctlen);
	if (extra != NULL)
		buf_adds(&r->head, extra);
	resp_length(r, (uint64_t)fe->st.st_size);
	resp_end(r);
	if (!buf_ok(&r->head)) {
		fcache_release(r->fc, fe);
		return false;
	}
	if (!head && fe->st.st_size > 0)
		static_body(r, fe, 0, fe->st.st_size - 1);
	/* Held while its segments are sent; conn releases it. */
	if (r->nsegs > 0)
		r->fe = fe;
	else
		fcache_release(r->fc, fe);
	return true;
}

/* An error (or other short HTML) response, with extra header lines. */
static void
static_page(struct worker_proc *w, struct response *r, int status, bool head,
    const char *extra)
{
	if (status >= 400 && static_error_page(w, r, status, head, extra))
		return;
	resp_start(w, r, status);
	buf_addf(&r->gen, "<!DOCTYPE html>\n<html><head><title>%d %s</title>"
	    "</head>\n<body><h1>%d %s</h1></body></html>\n", status,
	    http_status_text(status), status, http_status_text(status));
	buf_adds(&r->head, "Content-Type: text/html; charset=utf-8\r\n");
	if (extra != NULL)
		buf_adds(&r->head, extra);
	resp_length(r, r->gen.len);
	resp_end(r);
	if (!head)
		resp_seg(r, r->body, 0, r->gen.len);
}

/* An error response with a short HTML body (none for HEAD). */
void
static_error(struct worker_proc *w, struct response *r, int status, bool head)
{
	static_page(w, r, status, head, NULL);
	if (!buf_ok(&r->head) || !buf_ok(&r->gen))
		resp_overflowed(w, r, head);
}

/* OPTIONS: what this server allows, and no body. */
static void
static_options(struct worker_proc *w, struct response *r)
{
	resp_start(w, r, 200);
	buf_adds(&r->head, "Allow: GET, HEAD, OPTIONS\r\n");
	resp_length(r, 0);
	resp_end(r);
}

/* Append s percent-encoded as a Location path needs it. */
static void
static_encode(struct buf *b, const char *s, size_t len)
{
	unsigned char	c;
	size_t		i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c != '\0' &&
		    strchr("/-._~!$&'()*+,;=:@", c) != NULL))
			buf_add(b, &s[i], 1);
		else
			buf_addesc(b, "%", c, true);
	}
}

/*
 * A redirect to target + the normalised path + tail, then the query as
 * sent (the parser allows only visible ASCII in it). What does not fit a
 * response head is refused with 414 rather than cut.
 */
static void
static_moved(struct worker_proc *w, const struct http_request *req,
    struct response *r, int status, const char *target, const char *path,
    const char *tail)
{
	char		line[RESP_HEAD_MAX];
	struct buf	b;
	bool		head = req->method == HTTP_METHOD_HEAD;

	buf_init(&b, line, sizeof(line));
	/* The path is normalised, so it cannot start with "//" (no open
	 * redirect). */
	buf_adds(&b, "Location: ");
	buf_adds(&b, target);
	static_encode(&b, path, strlen(path));
	buf_adds(&b, tail);
	if (req->query.ptr != NULL) {
		buf_add(&b, "?", 1);
		buf_add(&b, req->query.ptr, req->query.len);
	}
	buf_add(&b, "\r\n\0", 3);
	if (buf_ok(&b))
		static_page(w, r, status, head, line);
	/* A Location that does not fit the head (with the site's headers and
	 * the rest) is refused, rather than answered with a 500. */
	if (!buf_ok(&b) || !buf_ok(&r->head))
		static_error(w, r, 414, head);
}

/* The status for a file that could not be opened; a refusal the site's
 * owner may not expect is said at info, so a 403 has an answer in the log. */
int
static_errno_status(int err, const char *path)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG:
		return 404;
	case EXDEV:	/* RESOLVE_BENEATH: a symlink leads out of the root */
		log_info("%s: 404: a symlink leads out of the document root",
		    path);
		return 404;
	case ELOOP:
		log_info("%s: 404: %s (or a link through /proc)", path,
		    strerror(err));
		return 404;
	case EACCES:
	case EPERM:
		log_info("%s: 403: %s for the worker's user", path,
		    strerror(err));
		return 403;
	case ENXIO:	/* a socket file: like a FIFO, not ours to serve */
		log_info("%s: 403: a socket, not a file", path);
		return 403;
	case EMFILE:
	case ENFILE:
	case ENOMEM:
		log_error("open %s: %s", path, strerror(err));
		return 503;
	default:
		log_error("open %s: %s", path, strerror(err));
		return 500;
	}
}

/* 304: the Cache-Control the 200 would have (RFC 9110 15.4.5), the
 * validators, no body. */
static void
static_not_modified(struct worker_proc *w, struct response *r,
    const struct fentry *fe)
{
	resp_start(w, r, 304);
	buf_add(&r->head, fe->hdr + fe->ctlen, fe->cclen);
	resp_caching(r);
	buf_addf(&r->head, "Last-Modified: %s\r\nETag: %s\r\n", fe->lastmod,
	    fe->etag);
	resp_end(r);
}

/* The body of the file between first and last, from memory or the file. */
static void
static_body(struct response *r, const struct fentry *fe, off_t first,
    off_t last)
{
	size_t	len = (size_t)(last - first + 1);

	if (fe->data != NULL)
		resp_seg(r, fe->data + first, first, len);
	else
		resp_seg(r, NULL, first, len);
}

/* 206 with one range. */
static void
static_range_one(struct worker_proc *w, struct response *r,
    const struct fentry *fe, const struct range *rg, bool head)
{
	resp_start(w, r, 206);
	buf_add(&r->head, fe->hdr, fe->hdrlen);
	resp_caching(r);
	buf_addf(&r->head, "Content-Range: bytes %lld-%lld/%lld\r\n",
	    (long long)rg->first, (long long)rg->last,
	    (long long)fe->st.st_size);
	resp_length(r, (uint64_t)(rg->last - rg->first + 1));
	resp_end(r);
	if (!head)
		static_body(r, fe, rg->first, rg->last);
}

/*
 * The part headers of a multipart/byteranges body into r->gen, part i's
 * at off[i], the closing delimiter at off[n]; false when they do not fit.
 */
static bool
static_parts(struct worker_proc *w, struct response *r,
    const struct fentry *fe, const struct range *rg, int n, size_t *off)
{
	int	i;

	for (i = 0; i < n; i++) {
		off[i] = r->gen.len;
		buf_addf(&r->gen, "\r\n--%s\r\n", w->boundary);
		buf_add(&r->gen, fe->hdr, fe->ctlen);
		buf_addf(&r->gen, "Content-Range: bytes %lld-%lld/%lld\r\n\r\n",
		    (long long)rg[i].first, (long long)rg[i].last,
		    (long long)fe->st.st_size);
	}
	off[n] = r->gen.len;
	buf_addf(&r->gen, "\r\n--%s--\r\n", w->boundary);
	return buf_ok(&r->gen);
}

/*
 * 206 multipart/byteranges; false when its part headers would not fit
 * (a very long Content-Type): then the whole file is sent instead, as
 * RFC 9110 14.2 lets a server ignore Range.
 */
static bool
static_range_multi(struct worker_proc *w, struct response *r,
    const struct fentry *fe, const struct range *rg, int n, bool head)
{
	size_t		 off[RANGE_MAX + 1];
	uint64_t	 total;
	int		 i;

	resp_start(w, r, 206);
	if (!static_parts(w, r, fe, rg, n, off))
		return false;
	total = r->gen.len;
	for (i = 0; i < n; i++)
		total += (uint64_t)(rg[i].last - rg[i].first + 1);
	buf_addf(&r->head, "Content-Type: multipart/byteranges; boundary=%s"
	    "\r\n", w->boundary);
	buf_add(&r->head, fe->hdr + fe->ctlen, fe->cclen);
	resp_caching(r);
	buf_addf(&r->head, "Last-Modified: %s\r\nETag: %s\r\n"
	    "Accept-Ranges: bytes\r\n", fe->lastmod, fe->etag);
	resp_length(r, total);
	resp_end(r);
	if (head)
		return true;
	for (i = 0; i < n; i++) {
		resp_seg(r, r->body + off[i], 0, off[i + 1] - off[i]);
		static_body(r, fe, rg[i].first, rg[i].last);
	}
	resp_seg(r, r->body + off[n], 0, r->gen.len - off[n]);
	return true;
}

/* Answer a Range request; false when it is to be ignored (send 200). */
static bool
static_ranges(struct worker_proc *w, const struct http_request *req,
    struct response *r, const struct fentry *fe)
{
	struct range	rg[RANGE_MAX];
	char		extra[64];
	struct buf	b;
	bool		head = req->method == HTTP_METHOD_HEAD;
	int		n;

	if (req->if_range.ptr != NULL && !cond_if_range(req->if_range.ptr,
	    req->if_range.len, fe->etag, fe->st.st_mtim.tv_sec))
		return false;
	n = range_parse(req->range.ptr, req->range.len, fe->st.st_size, rg,
	    RANGE_MAX);
	if (n < 0)
		return false;
	/* A multipart body is not in the sibling's coding: a coded answer
	 * sends its whole file rather than claim it is (RFC 9110 14.2). */
	if (n > 1 && fe->coding != ENCODING_IDENTITY)
		return false;
	if (n == 0) {
		buf_init(&b, extra, sizeof(extra));
		buf_addf(&b, "Content-Range: bytes */%lld\r\n%c",
		    (long long)fe->st.st_size, '\0');
		static_page(w, r, 416, head, buf_ok(&b) ? extra : NULL);
	} else if (n == 1)
		static_range_one(w, r, fe, rg, head);
	else
		return static_range_multi(w, r, fe, rg, n, head);
	return true;
}

/*
 * An entity-tag list field sent on several lines means their comma-joined
 * value (RFC 9110 5.3). "Does the list match" is then "does any line
 * match", so the first matching line stands for them all (else the first).
 */
static struct http_str
static_etag_list(const struct http_request *req, const char *name,
    struct http_str first, const char *etag, bool weak)
{
	const struct http_header	*h = NULL;

	if (first.ptr == NULL || cond_etag_match(first.ptr, first.len, etag,
	    weak))
		return first;
	while ((h = http_header_next(req, h, name)) != NULL)
		if (cond_etag_match(h->value.ptr, h->value.len, etag, weak))
			return h->value;
	return first;
}

/* Serve a regular file: conditionals, then ranges, then the whole of it. */
static void
static_file(struct worker_proc *w, const struct http_request *req,
    struct response *r, const struct fentry *fe)
{
	struct http_str		im = static_etag_list(req, "If-Match",
	    req->if_match, fe->etag, false);
	struct http_str		inm = static_etag_list(req, "If-None-Match",
	    req->if_none_match, fe->etag, true);
	struct cond_request	cr = {
		im.ptr, im.len, inm.ptr, inm.len,
		req->if_modified_since.ptr, req->if_modified_since.len,
		req->if_unmodified_since.ptr, req->if_unmodified_since.len,
	};
	bool			head = req->method == HTTP_METHOD_HEAD;

	switch (cond_evaluate(&cr, fe->etag, fe->st.st_mtim.tv_sec)) {
	case COND_NOT_MODIFIED:
		static_not_modified(w, r, fe);
		return;
	case COND_FAILED:
		static_error(w, r, 412, head);
		return;
	default:
		break;
	}
	if (req->range.ptr != NULL && static_ranges(w, req, r, fe))
		return;
	resp_start(w, r, 200);
	buf_add(&r->head, fe->hdr, fe->hdrlen);
	resp_caching(r);
	resp_length(r, (uint64_t)fe->st.st_size);
	resp_end(r);
	if (!head && fe->st.st_size > 0)
		static_body(r, fe, 0, fe->st.st_size - 1);
}

/* Find the index file of a directory; 0 with *out held, -1 when it has
 * none, else a status. */
static int
static_index(struct worker_proc *w, struct response *r, const char *dir,
    size_t len, struct fentry **out)
{
	char	key[STATIC_PATH_MAX];
	size_t	i;
	int	n, err, status = -1;

	for (i = 0; i < r->site->nindex; i++) {
		n = snprintf(key, sizeof(key), "%.*s%s", (int)len, dir,
		    r->site->index[i]);
		if (n < 0 || (size_t)n >= sizeof(key))
			return 414;
		err = fcache_get(r->fc, key, (size_t)n, w->now, out);
		if (err == 0 && S_ISREG((*out)->st.st_mode))
			return 0;
		if (err == 0)
			fcache_release(r->fc, *out);
		else if (err != ENOENT)
			status = static_errno_status(err, key);
	}
	return status;
}

/*
 * Whether a normalised path names a hidden file: a segment that starts
 * with '.' (.git, .env, .htpasswd), except a first segment .well-known,
 * which ACME and other well-known URIs (RFC 8615) live under.
 */
static bool
static_hidden(const char *path)
{
	const char	*p;

	for (p = path; (p = strstr(p, "/.")) != NULL; p++) {
		if (p == path && strncmp(p, "/.well-known/", 13) == 0)
			continue;
		if (p == path && strcmp(p, "/.well-known") == 0)
			continue;
		return true;
	}
	return false;
}

/*
 * try_html: for a path that does not exist, the held entry of path.html
 * when that is a regular file (nginx's try_files $uri $uri.html); NULL
 * otherwise. Never for a directory path or one already ending in .html.
 */
static struct fentry *
static_try_html(struct worker_proc *w, struct response *r, const char *path,
    size_t len)
{
	char		 key[STATIC_PATH_MAX];
	struct fentry	*fe;
	int		 n;

	if (!r->site->try_html || path[len - 1] == '/' || (len >= 5 &&
	    strcmp(path + len - 5, ".html") == 0))
		return NULL;
	n = snprintf(key, sizeof(key), "%s.html", path + 1);
	if (n < 0 || (size_t)n >= sizeof(key) ||
	    fcache_get(r->fc, key, (size_t)n, w->now, &fe) != 0)
		return NULL;
	if (S_ISREG(fe->st.st_mode))
		return fe;
	fcache_release(r->fc, fe);
	return NULL;
}

/* End a head for the body held in r->listing and send that body (a HEAD
 * gives it back at once). */
static void
static_held_send(struct worker_proc *w, struct response *r, bool head)
{
	resp_length(r, r->listing_len);
	resp_end(r);
	if (head)
		autoindex_release(w, r);
	else
		resp_seg(r, r->listing, 0, r->listing_len);
}

/*
 * autoindex: a directory without an index file answered with its listing,
 * HTML or JSON. It has no validators (it would need a stat of every entry
 * to say it changed), so caches are told to ask again: no-cache, unless
 * the site's headers say otherwise.
 */
static void
static_listing(struct worker_proc *w, const struct http_request *req,
    struct response *r, const char *path, size_t len)
{
	bool	head = req->method == HTTP_METHOD_HEAD, cut;
	bool	json = autoindex_json(req->query.ptr, req->query.len);
	int	status;

	if ((status = autoindex_build(w, r, path, len, json, &cut)) != 0) {
		static_error(w, r, status, head);
		return;
	}
	resp_start(w, r, 200);
	buf_adds(&r->head, json ? "Content-Type: application/json\r\n" :
	    "Content-Type: text/html; charset=utf-8\r\n");
	if (!r->site->headers_cc)
		buf_adds(&r->head, "Cache-Control: no-cache\r\n");
	resp_caching(r);
	if (cut)
		buf_adds(&r->head, "Listing-Truncated: true\r\n");
	static_held_send(w, r, head);
}

/* A generated page held in r->listing (the status page): status, its
 * type, never to be cached; r->listing goes as a listing's does. */
void
static_held(struct worker_proc *w, struct response *r, int status,
    const char *type, bool head)
{
	resp_start(w, r, status);
	buf_addf(&r->head, "Content-Type: %s\r\nCache-Control: no-store\r\n",
	    type);
	static_held_send(w, r, head);
}

/*
 * A directory: without its slash, a 301 to add it; with it, its index
 * file held, else its listing (autoindex) or 403. NULL when answered.
 */
static struct fentry *
static_dir(struct worker_proc *w, const struct http_request *req,
    struct response *r, const char *path, size_t len)
{
	struct fentry	*fe = NULL;
	int		 err;

	if (path[len - 1] != '/') {
		static_moved(w, req, r, 301, "", path, "/");
		return NULL;
	}
	if ((err = static_index(w, r, path + 1, len - 1, &fe)) == 0)
		return fe;
	if (err == -1 && r->site->autoindex)
		static_listing(w, req, r, path, len);
	else {
		if (err == -1)
			log_info("%s: 403: no index file, and autoindex is off",
			    path);
		static_error(w, r, err == -1 ? 403 : err,
		    req->method == HTTP_METHOD_HEAD);
	}
	return NULL;
}

/*
 * Normalise the request's path into path (size bytes) and pick the
 * location of site ws that answers it (and its file cache, when it types
 * files otherwise than the site), so that every rule after this one is
 * the path's. The path's length (0 for "OPTIONS *" and CONNECT's authority,
 * which have none), or -1 when answered (400).
 */
static long
static_locate(struct worker_proc *w, const struct worker_site *ws,
    const struct http_request *req, struct response *r, char *path,
    size_t size)
{
	long	len;

	path[0] = '\0';
	if (req->path.len == 0)
		return 0;
	if ((len = path_normalize(req->path.ptr, req->path.len, path,
	    size)) == -1) {
		r->close = true;
		static_error(w, r, 400, req->method == HTTP_METHOD_HEAD);
		return -1;
	}
	r->site = vhost_location(ws->conf, path, (size_t)len);
	if (r->site->retypes)
		r->fc = ws->lcaches[r->site - ws->conf->locations];
	return len;
}

/*
 * https_redirect: a request that came over plain HTTP sent to the same
 * host over https, with its path and query. The host is the request's
 * when it is a plain name or an address literal (the parser checked it;
 * one with escapes or sub-delims is not echoed), else the site's own
 * name; with neither (HTTP/1.0 without Host on the top level), 400.
 */
static void
static_https(struct worker_proc *w, const struct http_request *req,
    struct response *r, const char *path)
{
	const char	*host = req->host.ptr, *name = r->site->name;
	size_t		 len = req->host.len, i;
	char		 target[STATIC_HOST_MAX + 9];

	if (host != NULL && len > 0 && host[len - 1] == '.')
		len--;
	for (i = 0; host != NULL && host[0] != '[' && i < len; i++)
		if (!isalnum((unsigned char)host[i]) && host[i] != '.' &&
		    host[i] != '-')
			break;
	if (host == NULL || len == 0 || len > STATIC_HOST_MAX ||
	    (host[0] != '[' && i < len)) {
		host = name != NULL && name[0] != '*' ? name : NULL;
		len = host != NULL ? strlen(host) : 0;
	}
	if (host == NULL) {
		static_error(w, r, 400, req->method == HTTP_METHOD_HEAD);
		return;
	}
	memcpy(target, "https://", 8);
	for (i = 0; i < len; i++)
		target[8 + i] = (char)tolower((unsigned char)host[i]);
	target[8 + len] = '\0';
	static_moved(w, req, r, r->site->https_redirect, target, path, "");
}

/*
 * What a GET or HEAD needs no file for: a redirect (its code, to its
 * target, checked by config and never from the request's Host, with the
 * path past the prefix it replaces and the query), then https_redirect
 * for plain HTTP, hidden files. False when answered.
 */
static bool
static_guard(struct worker_proc *w, const struct http_request *req,
    struct response *r, const char *path)
{
	if (r->site->redirect_code != 0) {
		static_moved(w, req, r, r->site->redirect_code,
		    r->site->redirect, path + r->site->redirect_cut, "");
		return false;
	}
	if (r->site->https_redirect != 0 && !r->tls) {
		static_https(w, req, r, path);
		return false;
	}
	if (!r->site->hidden_files && static_hidden(path)) {
		static_error(w, r, 404, req->method == HTTP_METHOD_HEAD);
		return false;
	}
	return true;
}

/* Resolve a normalised path to a held regular file entry, or answer
 * without one (an error, a redirect to add a slash, a listing). */
static struct fentry *
static_resolve(struct worker_proc *w, const struct http_request *req,
    struct response *r, const char *path, long len)
{
	struct fentry	*fe;
	bool		 head = req->method == HTTP_METHOD_HEAD;
	int		 err;

	if ((err = fcache_get(r->fc, path + 1, (size_t)len - 1, w->now,
	    &fe)) != 0 && (err != ENOENT ||
	    (fe = static_try_html(w, r, path, (size_t)len)) == NULL)) {
		static_error(w, r, static_errno_status(err, path), head);
		return NULL;
	}
	if (S_ISDIR(fe->st.st_mode)) {
		fcache_release(r->fc, fe);
		if ((fe = static_dir(w, req, r, path, (size_t)len)) == NULL)
			return NULL;
	}
	if (!S_ISREG(fe->st.st_mode)) {
		fcache_release(r->fc, fe);
		log_info("%s: 403: not a regular file", path);
		static_error(w, r, 403, head);
		return NULL;
	}
	return fe;
}

/*
 * precompressed: in fe's place (released), its sibling in the best coding
 * the request accepts that has a usable one, held; else fe. A request's
 * Accept-Encoding lines are one list.
 */
static struct fentry *
static_precompressed(struct worker_proc *w, const struct http_request *req,
    struct response *r, struct fentry *fe)
{
	const struct http_header	*h = NULL;
	struct encoding_accept		 acc;
	enum encoding			 order[ENCODING_N - 1];
	struct fentry			*sib;
	int				 i, n;

	encoding_init(&acc);
	while ((h = http_header_next(req, h, "Accept-Encoding")) != NULL)
		encoding_parse(&acc, h->value.ptr, h->value.len);
	n = encoding_order(&acc, order);
	for (i = 0; i < n; i++)
		if (fcache_sibling(r->fc, fe, order[i], w->now, &sib) == 0) {
			fcache_release(r->fc, fe);
			return sib;
		}
	return fe;
}

/* The site's access rules (address, hidden paths, password); false when
 * they answered the request, 401 with the site's challenge. */
static bool
static_access(struct worker_proc *w, const struct http_request *req,
    const struct cidr_addr *peer, struct response *r, const char *path,
    size_t len)
{
	int	status = access_check(w->access, r->site, peer, req, path, len,
	    w->now, &r->user);

	if (status == 0)
		return true;
	static_page(w, r, status, req->method == HTTP_METHOD_HEAD,
	    status == 401 ? r->site->auth_challenge : NULL);
	return false;
}

/* Answer the method; false when the request is answered without a file. */
static bool
static_method(struct worker_proc *w, const struct http_request *req,
    struct response *r)
{
	switch (req->method) {
	case HTTP_METHOD_GET:
	case HTTP_METHOD_HEAD:
		return true;
	case HTTP_METHOD_OPTIONS:
		static_options(w, r);
		return false;
	case HTTP_METHOD_UNKNOWN:
		r->close = true;
		static_error(w, r, 501, false);
		return false;
	default:
		static_page(w, r, 405, false, "Allow: GET, HEAD, OPTIONS\r\n");
		return false;
	}
}

/*
 * health_path: "ok" while this server takes requests, 503 once it is
 * stopping (not reloading), so that a load balancer drains it before the
 * listeners close; never cached, never logged. False when answered.
 */
static bool
static_health(struct worker_proc *w, const struct http_request *req,
    struct response *r, const char *path)
{
	bool		 stopping;
	const char	*body;

	if (r->site->health_path == NULL || strcmp(path,
	    r->site->health_path) != 0 || (req->method != HTTP_METHOD_GET &&
	    req->method != HTTP_METHOD_HEAD))
		return true;
	/* The master's word, read only for the health path. */
	stopping = w->env->sb_head->stopping;
	body = stopping ? "stopping\n" : "ok\n";
	r->quiet = true;
	resp_start(w, r, stopping ? 503 : 200);
	buf_adds(&r->head, "Content-Type: text/plain\r\n");
	if (!r->site->headers_cc)
		buf_adds(&r->head, "Cache-Control: no-store\r\n");
	resp_length(r, strlen(body));
	resp_end(r);
	if (req->method != HTTP_METHOD_HEAD)
		resp_seg(r, body, 0, strlen(body));
	return false;
}

/* Answer a request from peer (access rules, method, path, conditionals,
 * ranges) into r. */
void
static_serve(struct worker_proc *w, const struct http_request *req,
    const struct cidr_addr *peer, struct response *r)
{
	char		 path[STATIC_PATH_MAX];
	struct fentry	*fe;
	size_t		 k = vhost_pick(w->conf, req->host.ptr, req->host.len);
	long		 len;

	r->fe = NULL;
	r->site = w->sites[k].conf;
	r->fc = w->sites[k].fcache;
	/* The location, its health path (which a load balancer asks
	 * without credentials), then its access rules for every method (one
	 * test when none is set), then the method, then the path. */
	if ((len = static_locate(w, &w->sites[k], req, r, path,
	    sizeof(path))) != -1 && static_health(w, req, r, path) &&
	    (!r->site->access || static_access(w, req, peer, r, path,
	    (size_t)len)) && static_method(w, req, r) &&
	    !status_serve(w, req, peer, r, path, (size_t)len) &&
	    static_guard(w, req, r, path) && (fe = static_resolve(w, req, r,
	    path, len)) != NULL) {
		/* Off, it costs this test and resp_caching's: no lookup. */
		if (r->site->precompressed)
			fe = static_precompressed(w, req, r, fe);
		static_file(w, req, r, fe);
		/* Segments read the file or point into its data: conn
		 * releases it (unless they are an error page's, held
		 * already). */
		if (r->nsegs > 0 && r->fe == NULL)
			r->fe = fe;
		else
			fcache_release(r->fc, fe);
	}
	if (!buf_ok(&r->head) || !buf_ok(&r->gen))
		resp_overflowed(w, r, req->method == HTTP_METHOD_HEAD);
}
