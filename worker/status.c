/*
 * status: the status page. It copies the scoreboard (shared memory the
 * master made before forking, so every worker sees every slot) without a
 * lock: counters written as a reader copies cost one stale number, and a
 * worker reaped meanwhile is counted once (struct sb_head's seq).
 */
#include "tine_build.h"

#include <stdlib.h>
#include <string.h>

#include "autoindex.h"
#include "buf.h"
#include "cidr.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "scoreboard.h"
#include "static.h"
#include "status.h"
#include "status_fmt.h"
#include "worker.h"

/* The format the query names ("json", "prometheus" among its
 * '&'-separated parameters), else HTML. */
static enum status_format
status_format_of(const char *q, size_t len)
{
	size_t	n;

	while (q != NULL && len > 0) {
		n = 0;
		while (n < len && q[n] != '&')
			n++;
		if (n == 4 && memcmp(q, "json", 4) == 0)
			return STATUS_JSON;
		if (n == 10 && memcmp(q, "prometheus", 10) == 0)
			return STATUS_PROMETHEUS;
		q += n < len ? n + 1 : n;
		len -= n < len ? n + 1 : n;
	}
	return STATUS_HTML;
}

/* Render the scoreboard in format f into r->listing, within the bytes a
 * worker may hold of them (autoindex_room); 0, or the status to answer
 * (503 beyond those, 500 without memory or when the bound was wrong:
 * logged). */
static int
status_render(struct worker_proc *w, struct response *r,
    enum status_format f, const char *path)
{
	const struct scoreboard	*sb = w->env->sb;
	struct sb_snapshot	 snap;
	struct buf		 b;
	size_t			 cap;
	char			*mem;

	memset(&snap, 0, sizeof(snap));
	if ((snap.workers = calloc((size_t)sb->nslots,
	    sizeof(*snap.workers))) == NULL)
		return 500;
	scoreboard_read(sb, &snap);
	cap = status_fmt_size(snap.nworkers);
	if (autoindex_room(w, cap, path) == -1) {
		free(snap.workers);
		return 503;
	}
	if ((mem = malloc(cap)) == NULL) {
		free(snap.workers);
		return 500;
	}
	buf_init(&b, mem, cap);
	status_fmt(&b, &snap, f);
	free(snap.workers);
	if (!buf_ok(&b)) {
		log_error("status: the page outgrew %zu bytes", cap);
		free(mem);
		return 500;
	}
	autoindex_hold(w, r, mem, b.len);
	return 0;
}

/* Answer the status page, or 403 outside status_allow. */
bool
status_serve(struct worker_proc *w, const struct http_request *req,
    const struct cidr_addr *peer, struct response *r, const char *path,
    size_t len)
{
	const struct config_site	*site = r->site;
	enum status_format		 f;
	bool				 head;
	int				 status;

	if (site->status_path == NULL || site->status_path_len != len ||
	    memcmp(site->status_path, path, len) != 0)
		return false;
	head = req->method == HTTP_METHOD_HEAD;
	if (cidr_longest(site->status_allow, site->nstatus_allow, peer) < 0) {
		static_error(w, r, 403, head);
		return true;
	}
	f = status_format_of(req->query.ptr, req->query.len);
	if ((status = status_render(w, r, f, site->status_path)) != 0)
		static_error(w, r, status, head);
	else
		static_held(w, r, 200, status_fmt_type(f), head);
	return true;
}
