/* status_fmt: a scoreboard snapshot as HTML, JSON, Prometheus text or for a terminal. */
#include "tine_build.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "scoreboard.h"
#include "status_fmt.h"

#define STATUS_FIXED	8192	/* bytes of everything but the workers */
#define STATUS_PER	512	/* bytes of one worker, in any format */
#define STATUS_DATE	32	/* "2026-12-01T03:22:37Z" and spare */

/* Requests per second over the last minute (0 before the first sample). */
static double
status_rate(const struct sb_snapshot *s)
{
	return s->minute_secs > 0 ? (double)s->minute_requests /
	    (double)s->minute_secs : 0.0;
}

/* t as "2026-12-01T03:22:37Z" into d (STATUS_DATE bytes). */
static const char *
status_date(time_t t, char *d)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(d, STATUS_DATE,
	    "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(d, STATUS_DATE, "%lld", (long long)t);
	return d;
}

/* ---- HTML ---- */

/* The HTML page's summary above the table. */
static void
status_html_head(struct buf *b, const struct sb_snapshot *s)
{
	char	d[STATUS_DATE];
	int	k;

	buf_addf(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<meta http-equiv=\"refresh\" content=\"%d\">"
	    "<title>tine status</title></head>\n<body><h1>tine status</h1>\n"
	    "<p>Master pid %ld, generation %u, up %lld s (since %s).</p>\n",
	    STATUS_REFRESH, (long)s->master_pid, s->generation,
	    (long long)s->uptime, status_date(s->started, d));
	buf_addf(b, "<p>%llu requests, %.2f per second over the last "
	    "minute; %llu bytes sent; %llu open connections.</p>\n<p>"
	    "Responses:", (unsigned long long)s->total.requests,
	    status_rate(s), (unsigned long long)s->total.bytes_sent,
	    (unsigned long long)s->connections);
	for (k = 0; k < SB_CLASSES; k++)
		buf_addf(b, " %dxx %llu%s", k + 1,
		    (unsigned long long)s->total.responses[k],
		    k + 1 < SB_CLASSES ? "," : ".");
	buf_adds(b, "</p>\n<p>Worker restarts:");
	for (k = 0; k < SB_NCAUSES; k++)
		buf_addf(b, " %s %llu%s", scoreboard_cause_name(k),
		    (unsigned long long)s->exits[k], k + 1 < SB_NCAUSES ? "," :
		    ".");
	buf_adds(b, "</p>\n");
}

/* The HTML page: a summary and a table of the workers. */
static void
status_html(struct buf *b, const struct sb_snapshot *s)
{
	const struct sb_worker	*w;
	char			 d[STATUS_DATE];
	int			 i;

	status_html_head(b, s);
	buf_adds(b, "<table>\n<tr><th>pid</th><th>generation</th>"
	    "<th>state</th><th>started</th><th>requests</th>"
	    "<th>connections</th><th>bytes sent</th><th>last heartbeat</th>"
	    "</tr>\n");
	for (i = 0; i < s->nworkers; i++) {
		w = &s->workers[i];
		buf_addf(b, "<tr><td>%ld</td><td>%u</td><td>%s</td><td>%s"
		    "</td><td>%llu</td><td>%u</td><td>%llu</td><td>%lld s "
		    "ago</td></tr>\n", (long)w->pid, w->generation,
		    scoreboard_state_name(w->state), status_date(w->started,
		    d), (unsigned long long)w->requests, w->connections,
		    (unsigned long long)w->bytes_sent, (long long)w->idle);
	}
	buf_adds(b, "</table>\n</body></html>\n");
}

/* ---- JSON ---- */

/* `"name":{"a":1,...}` for n counters named by name_of. */
static void
status_json_map(struct buf *b, const char *name, const uint64_t *v, int n,
    const char *(*name_of)(int))
{
	int	k;

	buf_addf(b, "\"%s\":{", name);
	for (k = 0; k < n; k++)
		buf_addf(b, "%s\"%s\":%llu", k > 0 ? "," : "", name_of(k),
		    (unsigned long long)v[k]);
	buf_adds(b, "}");
}

/* "1xx" .. "5xx". */
static const char *
status_class_name(int k)
{
	static const char *const names[SB_CLASSES] = {
		"1xx", "2xx", "3xx", "4xx", "5xx"
	};

	return names[k];
}

/* A live worker's state name: k counts from the one after "free". */
static const char *
status_state_after_free(int k)
{
	return scoreboard_state_name(k + 1);
}

/* The JSON document: the master, the totals, then one object per worker. */
static void
status_json(struct buf *b, const struct sb_snapshot *s)
{
	const struct sb_worker	*w;
	uint64_t		 states[SB_NSTATES];
	int			 i;

	buf_addf(b, "{\"master\":{\"pid\":%ld,\"started\":%lld,\"uptime\":"
	    "%lld,\"generation\":%u},\"requests\":%llu,\"bytes_sent\":%llu,"
	    "\"connections\":%llu,\"requests_per_second\":%.2f,",
	    (long)s->master_pid, (long long)s->started, (long long)s->uptime,
	    s->generation, (unsigned long long)s->total.requests,
	    (unsigned long long)s->total.bytes_sent,
	    (unsigned long long)s->connections, status_rate(s));
	status_json_map(b, "responses", s->total.responses, SB_CLASSES,
	    status_class_name);
	for (i = 0; i < SB_NSTATES; i++)
		states[i] = (uint64_t)s->states[i];
	buf_adds(b, ",");
	/* "free" is no worker: the map starts at "starting". */
	status_json_map(b, "workers_by_state", states + 1, SB_NSTATES - 1,
	    status_state_after_free);
	buf_adds(b, ",");
	status_json_map(b, "restarts", s->exits, SB_NCAUSES,
	    scoreboard_cause_name);
	buf_adds(b, ",\"workers\":[");
	for (i = 0; i < s->nworkers; i++) {
		w = &s->workers[i];
		buf_addf(b, "%s{\"pid\":%ld,\"generation\":%u,\"state\":\"%s\","
		    "\"started\":%lld,\"requests\":%llu,\"connections\":%u,"
		    "\"bytes_sent\":%llu,\"heartbeat_age\":%lld}", i > 0 ? ","
		    : "", (long)w->pid, w->generation,
		    scoreboard_state_name(w->state), (long long)w->started,
		    (unsigned long long)w->requests, w->connections,
		    (unsigned long long)w->bytes_sent, (long long)w->idle);
	}
	buf_adds(b, "]}\n");
}

/* ---- Prometheus ---- */

/* A metric's HELP and TYPE lines, which come before its samples. */
static void
status_prom_meta(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One labelled sample per value: name{label="name_of(k)"} v[k]. */
static void
status_prom_labelled(struct buf *b, const char *name, const char *label,
    const uint64_t *v, int n, const char *(*name_of)(int))
{
	int	k;

	for (k = 0; k < n; k++)
		buf_addf(b, "%s{%s=\"%s\"} %llu\n", name, label, name_of(k),
		    (unsigned long long)v[k]);
}

/* A metric of one sample without labels. */
static void
status_prom_one(struct buf *b, const char *name, const char *type,
    const char *help, uint64_t v)
{
	status_prom_meta(b, name, type, help);
	buf_addf(b, "%s %llu\n", name, (unsigned long long)v);
}

/* The server's metrics in the Prometheus text exposition format 0.0.4. */
static void
status_prom(struct buf *b, const struct sb_snapshot *s)
{
	uint64_t	states[SB_NSTATES];
	int		i;

	for (i = 0; i < SB_NSTATES; i++)
		states[i] = (uint64_t)s->states[i];
	status_prom_one(b, "tine_requests_total", "counter",
	    "Requests answered since the master started.", s->total.requests);
	status_prom_meta(b, "tine_responses_total", "counter",
	    "Responses sent, by status class.");
	status_prom_labelled(b, "tine_responses_total", "class",
	    s->total.responses, SB_CLASSES, status_class_name);
	status_prom_one(b, "tine_bytes_sent_total", "counter",
	    "Bytes sent to clients, heads and bodies.", s->total.bytes_sent);
	status_prom_one(b, "tine_connections", "gauge",
	    "Open client connections.", s->connections);
	status_prom_meta(b, "tine_requests_per_second", "gauge",
	    "Requests per second over the last minute.");
	buf_addf(b, "tine_requests_per_second %.2f\n", status_rate(s));
	status_prom_meta(b, "tine_workers", "gauge",
	    "Worker processes, by state.");
	status_prom_labelled(b, "tine_workers", "state", states + 1,
	    SB_NSTATES - 1, status_state_after_free);
	status_prom_meta(b, "tine_worker_restarts_total", "counter",
	    "Workers that ended and were replaced, by cause.");
	status_prom_labelled(b, "tine_worker_restarts_total", "cause",
	    s->exits, SB_NCAUSES, scoreboard_cause_name);
	status_prom_one(b, "tine_generation", "gauge",
	    "The generation of workers the master starts.", s->generation);
	status_prom_one(b, "tine_start_time_seconds", "gauge",
	    "When the master started, in seconds since the epoch.",
	    (uint64_t)s->started);
}

/* ---- the terminal ---- */

/* tine -s status: the summary, then one line per worker. */
static void
status_text(struct buf *b, const struct sb_snapshot *s)
{
	const struct sb_worker	*w;
	char			 d[STATUS_DATE];
	int			 i, k;

	buf_addf(b, "master pid %ld, generation %u, up %lld s (since %s)\n"
	    "requests %llu (%.2f/s over the last minute), bytes sent %llu, "
	    "connections %llu\nresponses", (long)s->master_pid, s->generation,
	    (long long)s->uptime, status_date(s->started, d),
	    (unsigned long long)s->total.requests, status_rate(s),
	    (unsigned long long)s->total.bytes_sent,
	    (unsigned long long)s->connections);
	for (k = 0; k < SB_CLASSES; k++)
		buf_addf(b, " %s %llu", status_class_name(k),
		    (unsigned long long)s->total.responses[k]);
	buf_adds(b, "\nrestarts");
	for (k = 0; k < SB_NCAUSES; k++)
		buf_addf(b, " %s %llu", scoreboard_cause_name(k),
		    (unsigned long long)s->exits[k]);
	buf_addf(b, "\nworkers %d\n%8s %4s %-9s %-20s %10s %6s %12s %s\n",
	    s->nworkers, "PID", "GEN", "STATE", "STARTED", "REQUESTS", "CONNS",
	    "BYTES", "HEARTBEAT");
	for (i = 0; i < s->nworkers; i++) {
		w = &s->workers[i];
		buf_addf(b, "%8ld %4u %-9s %-20s %10llu %6u %12llu %llds ago\n",
		    (long)w->pid, w->generation,
		    scoreboard_state_name(w->state), status_date(w->started,
		    d), (unsigned long long)w->requests, w->connections,
		    (unsigned long long)w->bytes_sent, (long long)w->idle);
	}
}

/* Append snap in format f to b. */
void
status_fmt(struct buf *b, const struct sb_snapshot *snap,
    enum status_format f)
{
	switch (f) {
	case STATUS_HTML:
		status_html(b, snap);
		break;
	case STATUS_JSON:
		status_json(b, snap);
		break;
	case STATUS_PROMETHEUS:
		status_prom(b, snap);
		break;
	case STATUS_TEXT:
		status_text(b, snap);
		break;
	}
}

/* The Content-Type line's value for format f. */
const char *
status_fmt_type(enum status_format f)
{
	switch (f) {
	case STATUS_JSON:
		return "application/json";
	case STATUS_PROMETHEUS:
		return "text/plain; version=0.0.4; charset=utf-8";
	case STATUS_TEXT:
		return "text/plain; charset=utf-8";
	default:
		return "text/html; charset=utf-8";
	}
}

/* The bytes a rendering of a snapshot with n workers needs at most. */
size_t
status_fmt_size(int nworkers)
{
	return STATUS_FIXED + (size_t)STATUS_PER * (size_t)nworkers;
}
