/* static: answer one parsed request from the document root. */
#include "tine_build.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cond.h"
#include "config.h"
#include "fcache.h"
#include "http.h"
#include "log.h"
#include "path.h"
#include "static.h"
#include "worker.h"

#define STATIC_PATH_MAX		4096
#define STATIC_LOCATION_MAX	2048

/* Append bytes to the response's header buffer (bounded; never overflows). */
static void
resp_add(struct response *r, const char *s, size_t n)
{
	if (n > sizeof(r->hdr) - r->hdrlen)
		n = sizeof(r->hdr) - r->hdrlen;
	memcpy(r->hdr + r->hdrlen, s, n);
	r->hdrlen += n;
}

/* Append a C string. */
static void
resp_adds(struct response *r, const char *s)
{
	resp_add(r, s, strlen(s));
}

/* Append a formatted string. */
static void __attribute__((format(printf, 2, 3)))
resp_addf(struct response *r, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(r->hdr + r->hdrlen, sizeof(r->hdr) - r->hdrlen, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->hdrlen += (size_t)n < sizeof(r->hdr) - r->hdrlen ?
		    (size_t)n : sizeof(r->hdr) - r->hdrlen - 1;
}

/* Append "Content-Length: n\r\n" without printf on the hot path. */
static void
resp_length(struct response *r, uint64_t n)
{
	char	buf[40], *p = buf + sizeof(buf);

	r->body_len = n;
	*--p = '\n';
	*--p = '\r';
	do {
		*--p = '0' + n % 10;
		n /= 10;
	} while (n > 0);
	resp_add(r, "Content-Length: ", 16);
	resp_add(r, p, buf + sizeof(buf) - p);
}

/* Start a head: status line, Server, Date. */
static void
resp_start(struct worker_proc *w, struct response *r, int status)
{
	r->status = status;
	r->hdrlen = 0;
	r->nsegs = 0;
	r->body_len = 0;
	resp_addf(r, "HTTP/1.1 %d %s\r\nServer: %s\r\nDate: %s\r\n", status,
	    http_status_text(status), w->conf->server_tokens ?
	    "tine/" PACKAGE_VERSION : "tine", w->date);
}

/* End the head with the connection header and the blank line. */
static void
resp_end(struct response *r)
{
	if (r->close)
		resp_add(r, "Connection: close\r\n", 19);
	else if (r->keep_alive_10)
		resp_add(r, "Connection: keep-alive\r\n", 24);
	resp_add(r, "\r\n", 2);
	r->headlen = r->hdrlen;
}

/* Add a body segment: memory when mem is set, else a file range. */
static void
resp_seg(struct response *r, const char *mem, off_t off, size_t len)
{
	if (len == 0 || r->nsegs == RESP_SEGS)
		return;
	r->segs[r->nsegs++] = (struct seg){ mem, off, len };
}

/* An error (or other short HTML) response, with extra header lines. */
static void
static_page(struct worker_proc *w, struct response *r, int status, bool head,
    const char *extra)
{
	char	body[256];
	int	n;

	n = snprintf(body, sizeof(body), "<!DOCTYPE html>\n<html><head><title>"
	    "%d %s</title></head>\n<body><h1>%d %s</h1></body></html>\n",
	    status, http_status_text(status), status,
	    http_status_text(status));
	resp_start(w, r, status);
	resp_adds(r, "Content-Type: text/html; charset=utf-8\r\n");
	if (extra != NULL)
		resp_adds(r, extra);
	resp_length(r, (uint64_t)n);
	resp_end(r);
	if (!head) {
		resp_add(r, body, (size_t)n);
		resp_seg(r, r->hdr + r->headlen, 0, r->hdrlen - r->headlen);
	}
}

/* An error response with a short HTML body (none for HEAD). */
void
static_error(struct worker_proc *w, struct response *r, int status, bool head)
{
	static_page(w, r, status, head, NULL);
}

/* OPTIONS: what this server allows, and no body. */
static void
static_options(struct worker_proc *w, struct response *r)
{
	resp_start(w, r, 200);
	resp_adds(r, "Allow: GET, HEAD, OPTIONS\r\n");
	resp_length(r, 0);
	resp_end(r);
}

/* Percent-encode a normalised path for a Location header; -1 if too long. */
static int
static_encode(const char *path, char *out, size_t outlen)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 o = 0;
	unsigned char		 c;

	for (; *path != '\0'; path++) {
		c = (unsigned char)*path;
		if (o + 4 > outlen)
			return -1;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/-._~!$&'()*+,;=:@",
		    c) != NULL)
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return 0;
}

/* 301 to the directory with its slash; built from the normalised path. */
static void
static_redirect(struct worker_proc *w, const struct http_request *req,
    struct response *r, const char *path)
{
	char	loc[STATIC_LOCATION_MAX], line[STATIC_LOCATION_MAX + 64];

	if (static_encode(path, loc, sizeof(loc) - 1) == -1) {
		static_error(w, r, 414, req->method == HTTP_METHOD_HEAD);
		return;
	}
	/* The path is normalised, so it cannot start with "//" (no open redirect). */
	snprintf(line, sizeof(line), "Location: %s/%s%.*s\r\n", loc,
	    req->query.ptr != NULL ? "?" : "",
	    req->query.ptr != NULL && req->query.len < 1024 ?
	    (int)req->query.len : 0, req->query.ptr != NULL ?
	    req->query.ptr : "");
	static_page(w, r, 301, req->method == HTTP_METHOD_HEAD, line);
}

/* The status for a file that could not be opened. */
static int
static_errno_status(int err, const char *path)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case ELOOP:
	case EXDEV:
	case ENAMETOOLONG:
		return 404;
	case EACCES:
	case EPERM:
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

/* 304: validators, no body. */
static void
static_not_modified(struct worker_proc *w, struct response *r,
    const struct fentry *fe)
{
	resp_start(w, r, 304);
	resp_addf(r, "Last-Modified: %s\r\nETag: %s\r\n", fe->lastmod, fe->etag);
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
	resp_add(r, fe->hdr, fe->hdrlen);
	resp_addf(r, "Content-Range: bytes %lld-%lld/%lld\r\n",
	    (long long)rg->first, (long long)rg->last,
	    (long long)fe->st.st_size);
	resp_length(r, (uint64_t)(rg->last - rg->first + 1));
	resp_end(r);
	if (!head)
		static_body(r, fe, rg->first, rg->last);
}

/* 206 multipart/byteranges: part headers live in r->hdr after the head. */
static void
static_range_multi(struct worker_proc *w, struct response *r,
    const struct fentry *fe, const struct range *rg, int n, bool head)
{
	char		 parts[RANGE_MAX * 160], tail[64];
	size_t		 off[RANGE_MAX + 1], plen = 0;
	uint64_t	 total = 0;
	int		 i, k;

	for (i = 0; i < n; i++) {
		off[i] = plen;
		k = snprintf(parts + plen, sizeof(parts) - plen, "\r\n--%s\r\n"
		    "Content-Type: %s\r\nContent-Range: bytes %lld-%lld/%lld"
		    "\r\n\r\n", w->boundary, fe->type, (long long)rg[i].first,
		    (long long)rg[i].last, (long long)fe->st.st_size);
		plen += (size_t)k;
		total += (uint64_t)(rg[i].last - rg[i].first + 1);
	}
	off[n] = plen;
	k = snprintf(tail, sizeof(tail), "\r\n--%s--\r\n", w->boundary);
	total += plen + (size_t)k;
	resp_start(w, r, 206);
	resp_addf(r, "Content-Type: multipart/byteranges; boundary=%s\r\n"
	    "Last-Modified: %s\r\nETag: %s\r\nAccept-Ranges: bytes\r\n",
	    w->boundary, fe->lastmod, fe->etag);
	resp_length(r, total);
	resp_end(r);
	if (head)
		return;
	resp_add(r, parts, plen);
	resp_add(r, tail, (size_t)k);
	for (i = 0; i < n; i++) {
		resp_seg(r, r->hdr + r->headlen + off[i], 0, off[i + 1] - off[i]);
		static_body(r, fe, rg[i].first, rg[i].last);
	}
	resp_seg(r, r->hdr + r->headlen + plen, 0, (size_t)k);
}

/* Answer a Range request; false when it is to be ignored (send 200). */
static bool
static_ranges(struct worker_proc *w, const struct http_request *req,
    struct response *r, const struct fentry *fe)
{
	struct range	rg[RANGE_MAX];
	char		extra[64];
	bool		head = req->method == HTTP_METHOD_HEAD;
	int		n;

	if (req->if_range.ptr != NULL && !cond_if_range(req->if_range.ptr,
	    req->if_range.len, fe->etag, fe->st.st_mtim.tv_sec))
		return false;
	n = range_parse(req->range.ptr, req->range.len, fe->st.st_size, rg,
	    RANGE_MAX);
	if (n < 0)
		return false;
	if (n == 0) {
		snprintf(extra, sizeof(extra), "Content-Range: bytes */%lld\r\n",
		    (long long)fe->st.st_size);
		static_page(w, r, 416, head, extra);
	} else if (n == 1)
		static_range_one(w, r, fe, rg, head);
	else
		static_range_multi(w, r, fe, rg, n, head);
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
	resp_add(r, fe->hdr, fe->hdrlen);
	resp_length(r, (uint64_t)fe->st.st_size);
	resp_end(r);
	if (!head && fe->st.st_size > 0)
		static_body(r, fe, 0, fe->st.st_size - 1);
}

/* Find the index file of a directory; 0 with *out held, else a status. */
static int
static_index(struct worker_proc *w, const char *dir, size_t len,
    struct fentry **out)
{
	char	key[STATIC_PATH_MAX];
	size_t	i;
	int	n, err, status = 403;

	for (i = 0; i < w->conf->nindex; i++) {
		n = snprintf(key, sizeof(key), "%.*s%s", (int)len, dir,
		    w->conf->index[i]);
		if (n < 0 || (size_t)n >= sizeof(key))
			return 414;
		err = fcache_get(w->fcache, key, (size_t)n, w->now, out);
		if (err == 0 && S_ISREG((*out)->st.st_mode))
			return 0;
		if (err == 0)
			fcache_release(w->fcache, *out);
		else if (err != ENOENT)
			status = static_errno_status(err, key);
	}
	return status;
}

/* Resolve the path to a held regular file entry, or answer with an error. */
static struct fentry *
static_resolve(struct worker_proc *w, const struct http_request *req,
    struct response *r)
{
	char		 path[STATIC_PATH_MAX];
	struct fentry	*fe, *dir;
	bool		 head = req->method == HTTP_METHOD_HEAD;
	long		 len;
	int		 err;

	if ((len = path_normalize(req->path.ptr, req->path.len, path,
	    sizeof(path))) == -1) {
		r->close = true;
		static_error(w, r, 400, head);
		return NULL;
	}
	if ((err = fcache_get(w->fcache, path + 1, (size_t)len - 1, w->now,
	    &fe)) != 0) {
		static_error(w, r, static_errno_status(err, path), head);
		return NULL;
	}
	if (S_ISDIR(fe->st.st_mode)) {
		fcache_release(w->fcache, fe);
		if (path[len - 1] != '/') {
			static_redirect(w, req, r, path);
			return NULL;
		}
		dir = NULL;
		if ((err = static_index(w, path + 1, (size_t)len - 1, &dir)) !=
		    0) {
			static_error(w, r, err, head);
			return NULL;
		}
		fe = dir;
	}
	if (!S_ISREG(fe->st.st_mode)) {
		fcache_release(w->fcache, fe);
		static_error(w, r, 403, head);
		return NULL;
	}
	return fe;
}

/* Answer a request (method, path, conditionals, ranges) into r. */
void
static_serve(struct worker_proc *w, const struct http_request *req,
    struct response *r)
{
	struct fentry	*fe;

	r->fe = NULL;
	switch (req->method) {
	case HTTP_METHOD_GET:
	case HTTP_METHOD_HEAD:
		break;
	case HTTP_METHOD_OPTIONS:
		static_options(w, r);
		return;
	case HTTP_METHOD_UNKNOWN:
		r->close = true;
		static_error(w, r, 501, false);
		return;
	default:
		static_page(w, r, 405, false, "Allow: GET, HEAD, OPTIONS\r\n");
		return;
	}
	if ((fe = static_resolve(w, req, r)) == NULL)
		return;
	static_file(w, req, r, fe);
	/* Segments read the file or point into its data: conn releases it. */
	if (r->nsegs > 0)
		r->fe = fe;
	else
		fcache_release(w->fcache, fe);
}
