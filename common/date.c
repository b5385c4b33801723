/*
 * date: HTTP dates (RFC 9110 5.6.7) in and out.
 *
 * Names are our own tables, never strftime/strptime, so the output and the
 * accepted input do not depend on the locale. Parsing is strict: names are
 * case-sensitive as the grammar says, every field is range-checked, the
 * weekday must be the true weekday of the date, and nothing may follow.
 */
#include "tine_build.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "date.h"

/* 0000-01-01 and 9999-12-31 23:59:59: the years IMF-fixdate can write. */
#define DATE_MIN	(-62167219200LL)
#define DATE_MAX	253402300799LL

static const char *const date_wday[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const date_wday_long[] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};
static const char *const date_month[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* A cursor over the (not NUL-terminated) input. */
struct date_scan {
	const char	*p;
	const char	*end;
};

/* The fields of a date as written, before any conversion. */
struct date_fields {
	int	wday;
	int	mday;
	int	mon;		/* 0-11 */
	int	year;		/* full year */
	int	hour;
	int	min;
	int	sec;
};

/* Write v as exactly n decimal digits at p; returns the end. */
static char *
date_put_num(char *p, int v, int n)
{
	int	i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = '0' + v % 10;
		v /= 10;
	}
	return p + n;
}

/* Copy a string without its NUL; returns the end. */
static char *
date_put_str(char *p, const char *s)
{
	size_t	n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/* Write the time of day of tm as hh:mm:ss; returns the end. */
static char *
date_put_clock(char *p, const struct tm *tm)
{
	p = date_put_num(p, tm->tm_hour, 2);
	*p++ = ':';
	p = date_put_num(p, tm->tm_min, 2);
	*p++ = ':';
	return date_put_num(p, tm->tm_sec, 2);
}

/* Format t as IMF-fixdate (see date.h). */
size_t
date_format(time_t t, char buf[DATE_LEN])
{
	struct tm	 tm;
	char		*p = buf;

	/* Outside years 0-9999 the fixed width cannot hold it: clamp. */
	if (t < DATE_MIN)
		t = DATE_MIN;
	if (t > DATE_MAX)
		t = DATE_MAX;
	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));	/* not after the clamp */
	p = date_put_str(p, date_wday[tm.tm_wday]);
	p = date_put_str(p, ", ");
	p = date_put_num(p, tm.tm_mday, 2);
	*p++ = ' ';
	p = date_put_str(p, date_month[tm.tm_mon]);
	*p++ = ' ';
	p = date_put_num(p, tm.tm_year + 1900, 4);
	*p++ = ' ';
	p = date_put_clock(p, &tm);
	p = date_put_str(p, " GMT");
	*p = '\0';
	return p - buf;
}

/* Write a UTC offset in minutes as +hhmm, or +hh:mm with colon. */
static char *
date_put_offset(char *p, long off, bool colon)
{
	*p++ = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	p = date_put_num(p, (int)(off / 60 % 100), 2);
	if (colon)
		*p++ = ':';
	return date_put_num(p, (int)(off % 60), 2);
}

/*
 * What a memo of local time was made for: a second and the zone's offset
 * (so a tzset() to another zone is seen); set, since -1 is a second too
 * (1969-12-31T23:59:59Z).
 */
struct date_memo {
	bool	set;
	time_t	t;
	long	zone;
};

/* Whether memo m is not for t in the current zone; then it is made so. */
static bool
date_memo_stale(struct date_memo *m, time_t t)
{
	if (m->set && m->t == t && m->zone == timezone)
		return false;
	m->set = true;
	m->t = t;
	m->zone = timezone;
	return true;
}

/*
 * localtime_r() of t, remembered for the last second asked (the error
 * log's lines, and the access log's once a second).
 */
static void
date_local_tm(time_t t, struct tm *tm)
{
	static struct date_memo	memo;
	static struct tm	last_tm;

	if (date_memo_stale(&memo, t) && localtime_r(&t, &last_tm) == NULL)
		memset(&last_tm, 0, sizeof(last_tm));
	*tm = last_tm;
}

/* Write t in local time in style, with ms if 0..999; the length. */
static size_t
date_write_local(time_t t, int ms, enum date_style style,
    char buf[DATE_LOCAL_LEN])
{
	struct tm	 tm;
	char		*p = buf;

	/* A day inside the ends, so no UTC offset takes the year past them. */
	if (t < DATE_MIN + 86400)
		t = DATE_MIN + 86400;
	if (t > DATE_MAX - 86400)
		t = DATE_MAX - 86400;
	date_local_tm(t, &tm);
	if (style == DATE_ISO) {
		p = date_put_num(p, tm.tm_year + 1900, 4);
		*p++ = '-';
		p = date_put_num(p, tm.tm_mon + 1, 2);
		*p++ = '-';
		p = date_put_num(p, tm.tm_mday, 2);
		*p++ = 'T';
	} else {
		p = date_put_num(p, tm.tm_mday, 2);
		*p++ = '/';
		p = date_put_str(p, date_month[tm.tm_mon]);
		*p++ = '/';
		p = date_put_num(p, tm.tm_year + 1900, 4);
		*p++ = ':';
	}
	p = date_put_clock(p, &tm);
	if (style == DATE_ISO && ms >= 0 && ms <= 999) {
		*p++ = '.';
		p = date_put_num(p, ms, 3);
	}
	if (style == DATE_CLF)
		*p++ = ' ';
	p = date_put_offset(p, tm.tm_gmtoff / 60, style == DATE_ISO);
	*p = '\0';
	return p - buf;
}

/*
 * Format t in local time for the logs (see date.h). Without milliseconds
 * the text of the last second asked is kept, one per style: an access log
 * asks for the same one thousands of times a second.
 */
size_t
date_format_local(time_t t, int ms, enum date_style style,
    char buf[DATE_LOCAL_LEN])
{
	static struct {
		struct date_memo	key;
		size_t			len;
		char			s[DATE_LOCAL_LEN];
	}		 memo[2];
	size_t		 k = style == DATE_ISO;

	if (ms >= 0 && ms <= 999)
		return date_write_local(t, ms, style, buf);
	if (date_memo_stale(&memo[k].key, t))
		memo[k].len = date_write_local(t, -1, style, memo[k].s);
	memcpy(buf, memo[k].s, memo[k].len + 1);
	return memo[k].len;
}

/* Consume the literal lit; -1 when the input does not start with it. */
static int
date_lit(struct date_scan *ds, const char *lit)
{
	size_t	n = strlen(lit);

	if ((size_t)(ds->end - ds->p) < n || memcmp(ds->p, lit, n) != 0)
		return -1;
	ds->p += n;
	return 0;
}

/* Consume one of names (none a prefix of another); its index, or -1. */
static int
date_name(struct date_scan *ds, const char *const *names, int count)
{
	int	i;

	for (i = 0; i < count; i++)
		if (date_lit(ds, names[i]) == 0)
			return i;
	return -1;
}

/* Consume exactly n digits into *v; -1 when they are not all there. */
static int
date_num(struct date_scan *ds, int n, int *v)
{
	*v = 0;
	if (ds->end - ds->p < n)
		return -1;
	for (; n > 0; n--, ds->p++) {
		if (*ds->p < '0' || *ds->p > '9')
			return -1;
		*v = *v * 10 + (*ds->p - '0');
	}
	return 0;
}

/* Consume "HH:MM:SS". */
static int
date_time(struct date_scan *ds, struct date_fields *df)
{
	if (date_num(ds, 2, &df->hour) == -1 || date_lit(ds, ":") == -1 ||
	    date_num(ds, 2, &df->min) == -1 || date_lit(ds, ":") == -1 ||
	    date_num(ds, 2, &df->sec) == -1)
		return -1;
	return 0;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" */
static int
date_imf(struct date_scan *ds, struct date_fields *df)
{
	if ((df->wday = date_name(ds, date_wday, 7)) == -1 ||
	    date_lit(ds, ", ") == -1 || date_num(ds, 2, &df->mday) == -1 ||
	    date_lit(ds, " ") == -1 ||
	    (df->mon = date_name(ds, date_month, 12)) == -1 ||
	    date_lit(ds, " ") == -1 || date_num(ds, 4, &df->year) == -1 ||
	    date_lit(ds, " ") == -1 || date_time(ds, df) == -1 ||
	    date_lit(ds, " GMT") == -1)
		return -1;
	return ds->p == ds->end ? 0 : -1;
}

/* "Sunday, 06-Nov-94 08:49:37 GMT"; the year is two digits here. */
static int
date_rfc850(struct date_scan *ds, struct date_fields *df)
{
	if ((df->wday = date_name(ds, date_wday_long, 7)) == -1 ||
	    date_lit(ds, ", ") == -1 || date_num(ds, 2, &df->mday) == -1 ||
	    date_lit(ds, "-") == -1 ||
	    (df->mon = date_name(ds, date_month, 12)) == -1 ||
	    date_lit(ds, "-") == -1 || date_num(ds, 2, &df->year) == -1 ||
	    date_lit(ds, " ") == -1 || date_time(ds, df) == -1 ||
	    date_lit(ds, " GMT") == -1)
		return -1;
	return ds->p == ds->end ? 0 : -1;
}

/* "Sun Nov  6 08:49:37 1994"; the day is " 6" or "06" or "16". */
static int
date_asctime(struct date_scan *ds, struct date_fields *df)
{
	int	 r;

	if ((df->wday = date_name(ds, date_wday, 7)) == -1 ||
	    date_lit(ds, " ") == -1 ||
	    (df->mon = date_name(ds, date_month, 12)) == -1 ||
	    date_lit(ds, " ") == -1)
		return -1;
	if (date_lit(ds, " ") == 0)
		r = date_num(ds, 1, &df->mday);
	else
		r = date_num(ds, 2, &df->mday);
	if (r == -1 || date_lit(ds, " ") == -1 || date_time(ds, df) == -1 ||
	    date_lit(ds, " ") == -1 || date_num(ds, 4, &df->year) == -1)
		return -1;
	return ds->p == ds->end ? 0 : -1;
}

/*
 * RFC 9110: a two-digit year that would be more than 50 years in the future
 * is the most recent past year with those digits; pick the year with those
 * digits in (now - 50, now + 50].
 */
static int
date_century(int yy, time_t now, int *year)
{
	struct tm	tm;
	int		cur;

	if (gmtime_r(&now, &tm) == NULL)
		return -1;
	cur = tm.tm_year + 1900;
	*year = cur - cur % 100 + yy;
	if (*year > cur + 50)
		*year -= 100;
	else if (*year <= cur - 50)
		*year += 100;
	return 0;
}

/* Days in month mon (0-11) of a Gregorian year. */
static int
date_mdays(int year, int mon)
{
	static const int	days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	bool			leap;

	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return days[mon] + (mon == 1 && leap);
}

/* Check the fields and turn them into a time_t. */
static int
date_make(const struct date_fields *df, time_t *out)
{
	struct tm	tm;
	time_t		t;

	if (df->mday < 1 || df->mday > date_mdays(df->year, df->mon) ||
	    df->hour > 23 || df->min > 59 || df->sec > 60)
		return -1;
	/* Leap seconds are only ever inserted as 23:59:60. */
	if (df->sec == 60 && (df->hour != 23 || df->min != 59))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = df->year - 1900;
	tm.tm_mon = df->mon;
	tm.tm_mday = df->mday;
	tm.tm_hour = df->hour;
	tm.tm_min = df->min;
	/* A leap second (:60) is the next second, but still on this day. */
	tm.tm_sec = df->sec == 60 ? 59 : df->sec;
	t = timegm(&tm);
	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday != df->wday)
		return -1;
	*out = t + (df->sec == 60);
	return 0;
}

/* Parse any of the three forms, with now for an RFC 850 century. */
int
date_parse_at(const char *s, size_t len, time_t now, time_t *out)
{
	struct date_scan	ds;
	struct date_fields	df;

	if (s == NULL)
		return -1;
	ds.p = s;
	ds.end = s + len;
	if (date_imf(&ds, &df) == 0)
		return date_make(&df, out);
	ds.p = s;
	if (date_rfc850(&ds, &df) == 0) {
		if (date_century(df.year, now, &df.year) == -1)
			return -1;
		return date_make(&df, out);
	}
	ds.p = s;
	if (date_asctime(&ds, &df) == 0)
		return date_make(&df, out);
	return -1;
}

/* Parse any of the three forms against the current clock. */
int
date_parse(const char *s, size_t len, time_t *out)
{
	return date_parse_at(s, len, time(NULL), out);
}
