/* date: HTTP dates (RFC 9110 5.6.7) in and out. */
#ifndef TINE_DATE_H
#define TINE_DATE_H

#include <stddef.h>
#include <time.h>

#define DATE_LEN	30	/* "Sun, 06 Nov 1994 08:49:37 GMT" + NUL */

/* Format t as IMF-fixdate into buf; returns 29. */
size_t	date_format(time_t t, char buf[DATE_LEN]);

/* "2026-11-28T04:37:00.123+00:00" + NUL: the longest local stamp. */
#define DATE_LOCAL_LEN	30

enum date_style {
	DATE_CLF,	/* Apache's %t: "28/Nov/2026:04:37:00 +0000" */
	DATE_ISO	/* ISO 8601: "2026-11-28T04:37:00+00:00" */
};

/*
 * Format t in local time with its UTC offset, for the logs; ms 0..999 adds
 * ".mmm" after the seconds of DATE_ISO (-1: none). Years are clamped to
 * 0..9999 (a day inside them, whatever the zone). Returns the length written (NUL after).
 */
size_t	date_format_local(time_t t, int ms, enum date_style,
	    char buf[DATE_LOCAL_LEN]);

/* Parse IMF-fixdate, RFC 850 or asctime form; -1 when it is none of them. */
int	date_parse(const char *s, size_t len, time_t *out);

/* date_parse with an explicit clock: now picks an RFC 850 date's century. */
int	date_parse_at(const char *s, size_t len, time_t now, time_t *out);

#endif
