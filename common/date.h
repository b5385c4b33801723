/* date: HTTP dates (RFC 9110 5.6.7) in and out. */
#ifndef TINE_DATE_H
#define TINE_DATE_H

#include <stddef.h>
#include <time.h>

#define DATE_LEN	30	/* "Sun, 06 Nov 1994 08:49:37 GMT" + NUL */

/* Format t as IMF-fixdate into buf; returns 29. */
size_t	date_format(time_t t, char buf[DATE_LEN]);

/* Parse IMF-fixdate, RFC 850 or asctime form; -1 when it is none of them. */
int	date_parse(const char *s, size_t len, time_t *out);

/* date_parse with an explicit clock: now picks an RFC 850 date's century. */
int	date_parse_at(const char *s, size_t len, time_t now, time_t *out);

#endif
