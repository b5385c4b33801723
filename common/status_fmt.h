/* status_fmt: a scoreboard snapshot as HTML, JSON, Prometheus text or for a terminal. */
#ifndef TINE_STATUS_FMT_H
#define TINE_STATUS_FMT_H

struct buf;
struct sb_snapshot;

#define STATUS_REFRESH	5	/* s: how often the HTML page reloads itself */

/* What a snapshot is shown as. */
enum status_format {
	STATUS_HTML,		/* a table for a person, refreshing */
	STATUS_JSON,		/* ?json: for monitoring */
	STATUS_PROMETHEUS,	/* ?prometheus: the text exposition format */
	STATUS_TEXT		/* tine -s status */
};

/* Append snap in format f to b (check buf_ok() after). */
void	status_fmt(struct buf *b, const struct sb_snapshot *snap,
	    enum status_format f);

/* The Content-Type line's value for format f. */
const char *status_fmt_type(enum status_format f);

/* The bytes a rendering of a snapshot with n workers needs at most. */
size_t	status_fmt_size(int nworkers);

#endif
