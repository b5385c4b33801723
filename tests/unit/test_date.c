/* Unit tests for common/date.c: HTTP dates in and out. */
#include "tine_build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "date.h"

#define T_1994		784111777	/* Sun, 06 Nov 1994 08:49:37 GMT */
#define T_2025		1748736000	/* Sun, 01 Jun 2025 00:00:00 GMT */

static const char *const wday[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const wday_long[] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};
static const char *const month[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Parse s from a buffer of exactly its length (ASan catches overreads). */
static int
parse_at(const char *s, size_t len, time_t now, time_t *t)
{
	char	*copy;
	int	 r;

	copy = malloc(len == 0 ? 1 : len);
	cr_assert_not_null(copy);
	memcpy(copy, s, len);
	r = date_parse_at(copy, len, now, t);
	free(copy);
	return r;
}

/* Parse a NUL-terminated s with the clock at 2025. */
static int
parse(const char *s, time_t *t)
{
	return parse_at(s, strlen(s), T_2025, t);
}

/* ---- formatting ---- */

struct fmt_case {
	time_t		 t;
	const char	*want;
};

static const struct fmt_case fmt_cases[] = {
	{ 0, "Thu, 01 Jan 1970 00:00:00 GMT" },
	{ T_1994, "Sun, 06 Nov 1994 08:49:37 GMT" },
	{ 951782400, "Tue, 29 Feb 2000 00:00:00 GMT" },
	{ 2147483647, "Tue, 19 Jan 2038 03:14:07 GMT" },
	{ 2147483648LL, "Tue, 19 Jan 2038 03:14:08 GMT" },
	{ 4102444800LL, "Fri, 01 Jan 2100 00:00:00 GMT" },
	{ 1483228799, "Sat, 31 Dec 2016 23:59:59 GMT" },
	{ 1709208000, "Thu, 29 Feb 2024 12:00:00 GMT" },
	{ -1, "Wed, 31 Dec 1969 23:59:59 GMT" },
	{ 253402300799LL, "Fri, 31 Dec 9999 23:59:59 GMT" },
	/* beyond what four digits can say: clamped, never wider */
	{ 253402300800LL, "Fri, 31 Dec 9999 23:59:59 GMT" },
	{ INT64_MAX, "Fri, 31 Dec 9999 23:59:59 GMT" },
	{ -62167219200LL, "Sat, 01 Jan 0000 00:00:00 GMT" },
	{ INT64_MIN, "Sat, 01 Jan 0000 00:00:00 GMT" },
};

/* Known instants, including the clamped ends, format exactly. */
Test(date, format_table)
{
	char	buf[DATE_LEN];
	size_t	i;

	for (i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		memset(buf, 'Z', sizeof(buf));
		cr_expect_eq(date_format(fmt_cases[i].t, buf), 29,
		    "case %zu", i);
		cr_expect_eq(buf[29], '\0', "case %zu not terminated", i);
		buf[DATE_LEN - 1] = '\0';
		cr_expect_str_eq(buf, fmt_cases[i].want, "case %zu", i);
	}
}

/* The output is GMT whatever TZ says. */
Test(date, format_ignores_local_zone)
{
	char	buf[DATE_LEN];

	/* A POSIX TZ string needs no zone files: 5 hours west of UTC. */
	setenv("TZ", "XST+05", 1);
	tzset();
	date_format(T_1994, buf);
	cr_assert_str_eq(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
	date_format(0, buf);
	cr_assert_str_eq(buf, "Thu, 01 Jan 1970 00:00:00 GMT");
}

/* The log stamps: local time with its offset, in both styles. */
Test(date, format_local_styles)
{
	char	buf[DATE_LOCAL_LEN];

	setenv("TZ", "XST+05", 1);	/* 5 hours west of UTC */
	tzset();
	cr_expect_eq(date_format_local(T_1994, -1, DATE_CLF, buf), 26);
	cr_expect_str_eq(buf, "06/Nov/1994:03:49:37 -0500");
	cr_expect_eq(date_format_local(T_1994, -1, DATE_ISO, buf), 25);
	cr_expect_str_eq(buf, "1994-11-06T03:49:37-05:00");
	cr_expect_eq(date_format_local(T_1994, 7, DATE_ISO, buf), 29);
	cr_expect_str_eq(buf, "1994-11-06T03:49:37.007-05:00");
	/* Milliseconds belong to the ISO stamp only, and only 0..999. */
	date_format_local(T_1994, 7, DATE_CLF, buf);
	cr_expect_str_eq(buf, "06/Nov/1994:03:49:37 -0500");
	date_format_local(T_1994, 1000, DATE_ISO, buf);
	cr_expect_str_eq(buf, "1994-11-06T03:49:37-05:00");
	setenv("TZ", "YST-05:30", 1);	/* east, with minutes */
	tzset();
	date_format_local(0, 999, DATE_ISO, buf);
	cr_expect_str_eq(buf, "1970-01-01T05:30:00.999+05:30");
	date_format_local(0, -1, DATE_CLF, buf);
	cr_expect_str_eq(buf, "01/Jan/1970:05:30:00 +0530");
}

/* The text kept for the last second is that second's, in that style and
 * zone: never another's, and not taken for t == -1 before any was kept. */
Test(date, format_local_remembers_one_second)
{
	char	buf[DATE_LOCAL_LEN];

	setenv("TZ", "UTC0", 1);
	tzset();
	cr_expect_eq(date_format_local(-1, -1, DATE_CLF, buf), 26);
	cr_expect_str_eq(buf, "31/Dec/1969:23:59:59 +0000");
	date_format_local(0, -1, DATE_CLF, buf);
	cr_expect_str_eq(buf, "01/Jan/1970:00:00:00 +0000");
	date_format_local(0, -1, DATE_ISO, buf);
	cr_expect_str_eq(buf, "1970-01-01T00:00:00+00:00");
	date_format_local(0, 5, DATE_ISO, buf);
	cr_expect_str_eq(buf, "1970-01-01T00:00:00.005+00:00");
	cr_expect_eq(date_format_local(0, -1, DATE_CLF, buf), 26);
	cr_expect_str_eq(buf, "01/Jan/1970:00:00:00 +0000");
	date_format_local(0, -1, DATE_ISO, buf);
	cr_expect_str_eq(buf, "1970-01-01T00:00:00+00:00");
	date_format_local(1, -1, DATE_CLF, buf);
	cr_expect_str_eq(buf, "01/Jan/1970:00:00:01 +0000");
	setenv("TZ", "XST+05", 1);
	tzset();
	date_format_local(1, -1, DATE_CLF, buf);
	cr_expect_str_eq(buf, "31/Dec/1969:19:00:01 -0500");
}

/* The epoch asked first, in UTC: a memo's zeroed key must not pass for
 * it (t 0, offset 0), with or without milliseconds. */
Test(date, format_local_epoch_first)
{
	char	buf[DATE_LOCAL_LEN];

	setenv("TZ", "UTC0", 1);
	tzset();
	cr_expect_eq(date_format_local(0, 0, DATE_ISO, buf), 29);
	cr_expect_str_eq(buf, "1970-01-01T00:00:00.000+00:00");
	cr_expect_eq(date_format_local(0, -1, DATE_CLF, buf), 26);
	cr_expect_str_eq(buf, "01/Jan/1970:00:00:00 +0000");
}

/* Far instants keep four-digit years in any zone: clamped a day inside. */
Test(date, format_local_clamped)
{
	char	buf[DATE_LOCAL_LEN];

	setenv("TZ", "UTC0", 1);
	tzset();
	cr_expect_eq(date_format_local(INT64_MAX, 999, DATE_ISO, buf), 29);
	cr_expect_str_eq(buf, "9999-12-30T23:59:59.999+00:00");
	date_format_local(INT64_MIN, -1, DATE_CLF, buf);
	cr_expect_str_eq(buf, "02/Jan/0000:00:00:00 +0000");
	setenv("TZ", "XST+12", 1);
	tzset();
	date_format_local(INT64_MIN, -1, DATE_ISO, buf);
	cr_expect_str_eq(buf, "0000-01-01T12:00:00-12:00");
	setenv("TZ", "YST-14", 1);
	tzset();
	date_format_local(INT64_MAX, -1, DATE_ISO, buf);
	cr_expect_str_eq(buf, "9999-12-31T13:59:59+14:00");
}

/* ---- parsing the three forms ---- */

/* The three forms from RFC 9110 5.6.7 name the same instant. */
Test(date, parse_rfc9110_examples)
{
	time_t	t;

	t = 0;
	cr_assert_eq(parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
	cr_assert_eq(t, T_1994);
	t = 0;
	cr_assert_eq(parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
	cr_assert_eq(t, T_1994);
	t = 0;
	cr_assert_eq(parse("Sun Nov  6 08:49:37 1994", &t), 0);
	cr_assert_eq(t, T_1994);
}

/* date_parse is date_parse_at with the real clock. */
Test(date, parse_real_clock)
{
	time_t	t = 0;

	cr_assert_eq(date_parse("Sun, 06 Nov 1994 08:49:37 GMT", 29, &t), 0);
	cr_assert_eq(t, T_1994);
	cr_assert_eq(date_parse("Sun, 06 Nov 1994 08:49:37 GMTx", 30, &t), -1);
	cr_assert_eq(date_parse(NULL, 0, &t), -1);
}

/* asctime days: space-padded or two digits. */
Test(date, parse_asctime_days)
{
	time_t	t;

	/* day = 2DIGIT / ( SP DIGIT ) */
	cr_assert_eq(parse("Sun Nov 06 08:49:37 1994", &t), 0);
	cr_assert_eq(t, T_1994);
	cr_assert_eq(parse("Wed Nov 16 08:49:37 1994", &t), 0);
	cr_assert_eq(t, T_1994 + 10 * 86400);
	cr_assert_eq(parse("Thu Jan  1 00:00:00 1970", &t), 0);
	cr_assert_eq(t, 0);
}

/* Epoch edges, leap days, 2038, year 9999 and a leap second. */
Test(date, parse_edges)
{
	time_t	t;

	cr_assert_eq(parse("Thu, 01 Jan 1970 00:00:00 GMT", &t), 0);
	cr_assert_eq(t, 0);
	cr_assert_eq(parse("Wed, 31 Dec 1969 23:59:59 GMT", &t), 0);
	cr_assert_eq(t, -1);
	cr_assert_eq(parse("Tue, 29 Feb 2000 00:00:00 GMT", &t), 0);
	cr_assert_eq(t, 951782400);
	cr_assert_eq(parse("Thu, 29 Feb 2024 12:00:00 GMT", &t), 0);
	cr_assert_eq(t, 1709208000);
	cr_assert_eq(parse("Fri, 31 Dec 9999 23:59:59 GMT", &t), 0);
	cr_assert_eq(t, 253402300799LL);
	cr_assert_eq(parse("Tue, 19 Jan 2038 03:14:08 GMT", &t), 0);
	cr_assert_eq(t, 2147483648LL);
	/* 23:59:60 is a leap second: the first second of the next day. */
	cr_assert_eq(parse("Sat, 31 Dec 2016 23:59:60 GMT", &t), 0);
	cr_assert_eq(t, 1483228800);
}

/* The RFC 9110 rule for two-digit years. */
Test(date, rfc850_two_digit_year)
{
	time_t	t;

	/* With the clock in mid 2025, 75 is 2075 but 76 is 1976. */
	cr_assert_eq(parse("Friday, 15-Mar-75 10:00:00 GMT", &t), 0);
	cr_assert_eq(t, 3319869600LL);
	cr_assert_eq(parse("Monday, 15-Mar-76 10:00:00 GMT", &t), 0);
	cr_assert_eq(t, 195732000);
	cr_assert_eq(parse("Saturday, 01-Jan-00 00:00:00 GMT", &t), 0);
	cr_assert_eq(t, 946684800);
	cr_assert_eq(parse("Sunday, 01-Jun-25 00:00:00 GMT", &t), 0);
	cr_assert_eq(t, T_2025);
	/* The weekday is checked against the century chosen. */
	cr_assert_eq(parse("Saturday, 15-Mar-75 10:00:00 GMT", &t), -1);
	/* In 1994 itself, 94 is 1994 and 44 is 2044. */
	cr_assert_eq(parse_at("Sunday, 06-Nov-94 08:49:37 GMT", 30, T_1994,
	    &t), 0);
	cr_assert_eq(t, T_1994);
	cr_assert_eq(parse_at("Sunday, 06-Nov-44 08:49:37 GMT", 30, T_1994,
	    &t), 0);
	cr_assert_eq(t, 2362034977LL);
	/* In 2090 "30" is not more than 50 years ahead: 2130. */
	cr_assert_eq(parse_at("Wednesday, 01-Mar-30 00:00:00 GMT", 33,
	    3786912000LL, &t), 0);
	cr_assert_eq(t, 5054227200LL);
}

/* Write t in all three forms. */
static void
forms(time_t t, char imf[64], char rfc850[64], char asc[64])
{
	struct tm	tm;

	cr_assert_not_null(gmtime_r(&t, &tm));
	snprintf(imf, 64, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    wday[tm.tm_wday], tm.tm_mday, month[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	snprintf(rfc850, 64, "%s, %02d-%s-%02d %02d:%02d:%02d GMT",
	    wday_long[tm.tm_wday], tm.tm_mday, month[tm.tm_mon],
	    (tm.tm_year + 1900) % 100, tm.tm_hour, tm.tm_min, tm.tm_sec);
	snprintf(asc, 64, "%s %s %2d %02d:%02d:%02d %04d",
	    wday[tm.tm_wday], month[tm.tm_mon], tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/* Format then parse gives the same time, in all three forms. */
Test(date, round_trip)
{
	char	buf[DATE_LEN], imf[64], rfc850[64], asc[64];
	time_t	t, got;
	int	i;

	/* About every 3.7 days from 1970 to 2100, at odd times of day. */
	for (i = 0, t = 0; t < 4102444800LL; i++, t += 319993) {
		cr_assert_eq(date_format(t, buf), 29);
		got = -1;
		cr_assert_eq(parse(buf, &got), 0, "%s", buf);
		cr_assert_eq(got, t, "%s", buf);

		forms(t, imf, rfc850, asc);
		cr_assert_str_eq(imf, buf);
		got = -1;
		cr_assert_eq(parse_at(asc, strlen(asc), T_2025, &got), 0,
		    "%s", asc);
		cr_assert_eq(got, t, "%s", asc);
		/* The two-digit year is read relative to the date itself. */
		got = -1;
		cr_assert_eq(parse_at(rfc850, strlen(rfc850), t, &got), 0,
		    "%s", rfc850);
		cr_assert_eq(got, t, "%s", rfc850);
	}
	cr_assert_gt(i, 10000);
}

/* ---- rejected input ---- */

static const char *const bad_dates[] = {
	"",
	" ",
	"GMT",
	/* IMF-fixdate gone wrong */
	"Sun, 06 Nov 1994 08:49:37 GMT ",
	" Sun, 06 Nov 1994 08:49:37 GMT",
	"Sun, 06 Nov 1994 08:49:37 GMTx",
	"Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",
	"Sun, 06 Nov 1994 08:49:37 UTC",
	"Sun, 06 Nov 1994 08:49:37 gmt",
	"Sun, 06 Nov 1994 08:49:37 +0000",
	"Sun, 06 Nov 1994 08:49:37",
	"sun, 06 Nov 1994 08:49:37 GMT",
	"SUN, 06 Nov 1994 08:49:37 GMT",
	"Sun, 06 nov 1994 08:49:37 GMT",
	"Sun, 06 NOV 1994 08:49:37 GMT",
	"Sux, 06 Nov 1994 08:49:37 GMT",
	"Mon, 06 Nov 1994 08:49:37 GMT",
	"Sat, 06 Nov 1994 08:49:37 GMT",
	"Sunday, 06 Nov 1994 08:49:37 GMT",
	"Sun 06 Nov 1994 08:49:37 GMT",
	"Sun,06 Nov 1994 08:49:37 GMT",
	"Sun,  06 Nov 1994 08:49:37 GMT",
	"Sun, 6 Nov 1994 08:49:37 GMT",
	"Sun,  6 Nov 1994 08:49:37 GMT",
	"Sun, 06 Nov 94 08:49:37 GMT",
	"Sun, 06 Nov 01994 08:49:37 GMT",
	"Sun, 06 Xyz 1994 08:49:37 GMT",
	"Sun, 06 November 1994 08:49:37 GMT",
	"Sun, 06 Nov 199a 08:49:37 GMT",
	"Sun, +6 Nov 1994 08:49:37 GMT",
	"Sun, 06 Nov 1994 8:49:37 GMT",
	"Sun, 06 Nov 1994 08:49 GMT",
	"Sun, 06 Nov 1994 08-49-37 GMT",
	"Sun, 06 Nov 1994 08:49:37.5 GMT",
	"Sun, 06-Nov-1994 08:49:37 GMT",
	/* out-of-range fields */
	"Sun, 00 Nov 1994 08:49:37 GMT",
	"Tue, 32 Nov 1994 08:49:37 GMT",
	"Thu, 31 Nov 1994 08:49:37 GMT",
	"Fri, 01 Dec 1994 08:49:37 GMT",	/* weekday wrong: Thursday */
	"Mon, 29 Feb 2100 00:00:00 GMT",
	"Thu, 29 Feb 1900 00:00:00 GMT",
	"Tue, 30 Feb 2000 00:00:00 GMT",
	"Sun, 06 Nov 1994 24:00:00 GMT",
	"Sun, 06 Nov 1994 08:60:00 GMT",
	"Sun, 06 Nov 1994 08:49:61 GMT",
	"Sun, 06 Nov 1994 99:99:99 GMT",
	/* 24:00 would be the next day, with the next day's name */
	"Sun, 05 Nov 1994 24:00:00 GMT",
	"Sun Nov  5 24:00:00 1994",
	"Sunday, 05-Nov-94 24:00:00 GMT",
	"Sun, 06 Nov 1994 08:49:60 GMT",
	/* RFC 850 gone wrong */
	"Sunday, 06-Nov-94 08:49:37",
	"Sunday, 06-Nov-94 08:49:37 GMT ",
	"Sunday, 06-Nov-94 08:49:37 UTC",
	"Sunday, 06-Nov-1994 08:49:37 GMT",
	"Sunday, 6-Nov-94 08:49:37 GMT",
	"Sunday, 06-nov-94 08:49:37 GMT",
	"Sunday, 06 Nov 94 08:49:37 GMT",
	"Sunday 06-Nov-94 08:49:37 GMT",
	"sunday, 06-Nov-94 08:49:37 GMT",
	"Sundae, 06-Nov-94 08:49:37 GMT",
	"Monday, 06-Nov-94 08:49:37 GMT",
	"Sun, 06-Nov-94 08:49:37 GMT",
	"Sunday, 31-Nov-94 08:49:37 GMT",
	"Sunday, 06-Nov-94 25:49:37 GMT",
	"Sunday, 06-Nov-9 08:49:37 GMT",
	/* asctime gone wrong */
	"Sun Nov 6 08:49:37 1994",
	"Sun Nov   6 08:49:37 1994",
	"Sun Nov  6 08:49:37 94",
	"Sun Nov  6 08:49:37 1994 ",
	"Sun Nov  6 08:49:37 1994 GMT",
	"Sun Nov  6 08:49:37 1994\n",
	"Sun  Nov  6 08:49:37 1994",
	"Sunday Nov  6 08:49:37 1994",
	"Mon Nov  6 08:49:37 1994",
	"Sun nov  6 08:49:37 1994",
	"Sun Nov  0 08:49:37 1994",
	"Sun Nov 31 08:49:37 1994",
	"Sun Nov  6 08:49:37 GMT 1994",
	"Sun Nov  6 24:49:37 1994",
	"Sun Nov  6 08:49:37 19940",
	/* none of the forms */
	"784111777",
	"1994-11-06T08:49:37Z",
	"Sun, 06 Nov 1994 08:49:37 GMT\r\n",
	"06 Nov 1994 08:49:37 GMT",
};

/* Every malformed or out-of-range date is refused. */
Test(date, rejects)
{
	time_t	t;
	size_t	i;

	cr_assert_geq(sizeof(bad_dates) / sizeof(bad_dates[0]), 80);
	for (i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++)
		cr_expect_eq(parse(bad_dates[i], &t), -1, "\"%s\" accepted",
		    bad_dates[i]);
}

/* A NUL inside the length is garbage, not an end. */
Test(date, rejects_embedded_nul)
{
	time_t	t;

	cr_assert_eq(parse_at("Sun, 06 Nov 1994 08:49:37 GMT\0", 30, T_2025,
	    &t), -1);
	cr_assert_eq(parse_at("Sun, 06 Nov\0 1994 08:49:37 GMT", 30, T_2025,
	    &t), -1);
}

/* No proper prefix of a valid date is accepted. */
Test(date, rejects_every_truncation)
{
	static const char *const good[] = {
		"Sun, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994",
		"Wed Nov 16 08:49:37 1994",
	};
	time_t	t;
	size_t	i, n;

	/* Each whole string parses; none of its proper prefixes does. */
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cr_assert_eq(parse(good[i], &t), 0, "%s", good[i]);
		for (n = 0; n < strlen(good[i]); n++) {
			cr_expect_eq(parse_at(good[i], n, T_2025, &t), -1,
			    "%.*s", (int)n, good[i]);
			/* In place: the rest of the date follows len. */
			cr_expect_eq(date_parse_at(good[i], n, T_2025, &t), -1,
			    "%.*s in place", (int)n, good[i]);
		}
	}
}
