/* Unit tests for common/range.c: Range header parsing. */
#include "tine_build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "range.h"

#define SZ	10000

/* One case: header, file size, expected return and ranges. */
struct range_case {
	const char	*v;
	off_t		 size;
	int		 want;
	struct range	 r[4];
};

static const struct range_case range_cases[] = {
	/* the three forms */
	{ "bytes=0-499", SZ, 1, { { 0, 499 } } },
	{ "bytes=500-999", SZ, 1, { { 500, 999 } } },
	{ "bytes=-500", SZ, 1, { { 9500, 9999 } } },
	{ "bytes=9500-", SZ, 1, { { 9500, 9999 } } },
	{ "bytes=0-0", SZ, 1, { { 0, 0 } } },
	{ "bytes=-1", SZ, 1, { { 9999, 9999 } } },
	{ "bytes=0-", SZ, 1, { { 0, 9999 } } },
	{ "bytes=00-007", SZ, 1, { { 0, 7 } } },
	/* the unit is case-insensitive */
	{ "BYTES=0-1", SZ, 1, { { 0, 1 } } },
	{ "Bytes=0-1", SZ, 1, { { 0, 1 } } },
	/* clamping and unsatisfiable ranges */
	{ "bytes=0-9999", SZ, 1, { { 0, 9999 } } },
	{ "bytes=0-10000", SZ, 1, { { 0, 9999 } } },
	{ "bytes=5000-9223372036854775807", SZ, 1, { { 5000, 9999 } } },
	{ "bytes=9999-", SZ, 1, { { 9999, 9999 } } },
	{ "bytes=9999-9999", SZ, 1, { { 9999, 9999 } } },
	{ "bytes=10000-", SZ, 0, { { 0, 0 } } },
	{ "bytes=10000-10001", SZ, 0, { { 0, 0 } } },
	{ "bytes=9223372036854775807-", SZ, 0, { { 0, 0 } } },
	{ "bytes=-0", SZ, 0, { { 0, 0 } } },
	{ "bytes=-000", SZ, 0, { { 0, 0 } } },
	{ "bytes=-9999", SZ, 1, { { 1, 9999 } } },
	{ "bytes=-10000", SZ, 1, { { 0, 9999 } } },
	{ "bytes=-20000", SZ, 1, { { 0, 9999 } } },
	{ "bytes=-0,0-0", SZ, 1, { { 0, 0 } } },
	{ "bytes=20000-,0-1", SZ, 1, { { 0, 1 } } },
	{ "bytes=20000-,-0", SZ, 0, { { 0, 0 } } },
	/* several ranges: sorted, and coalesced when they touch */
	{ "bytes=0-0,-1", SZ, 2, { { 0, 0 }, { 9999, 9999 } } },
	{ "bytes=-1,0-0", SZ, 2, { { 0, 0 }, { 9999, 9999 } } },
	{ "bytes=5-6,0-1", SZ, 2, { { 0, 1 }, { 5, 6 } } },
	{ "bytes=500-600,601-999", SZ, 1, { { 500, 999 } } },
	{ "bytes=601-999,500-600", SZ, 1, { { 500, 999 } } },
	{ "bytes=500-700,601-999", SZ, 1, { { 500, 999 } } },
	{ "bytes=500-600,602-999", SZ, 2, { { 500, 600 }, { 602, 999 } } },
	{ "bytes=0-99,50-60", SZ, 1, { { 0, 99 } } },
	{ "bytes=50-60,0-99", SZ, 1, { { 0, 99 } } },
	{ "bytes=100-199,0-99,200-299", SZ, 1, { { 0, 299 } } },
	{ "bytes=0-,5-6", SZ, 1, { { 0, 9999 } } },
	{ "bytes=0-1,0-1", SZ, 1, { { 0, 1 } } },
	{ "bytes=9000-,-500", SZ, 1, { { 9000, 9999 } } },
	{ "bytes=9000-9400,-600", SZ, 1, { { 9000, 9999 } } },
	{ "bytes=9000-9398,-600", SZ, 2, { { 9000, 9398 }, { 9400, 9999 } } },
	{ "bytes=9,3-4,0-0,7-7", SZ, -1, { { 0, 0 } } },
	{ "bytes=8-8,3-4,0-0,6-6", SZ, 4,
	    { { 0, 0 }, { 3, 4 }, { 6, 6 }, { 8, 8 } } },
	{ "bytes=8-8,3-4,0-0,6-6,5-5", SZ, 3,
	    { { 0, 0 }, { 3, 6 }, { 8, 8 } } },
	/* OWS around commas, empty list elements */
	{ "bytes=0-1 , 3-4", SZ, 2, { { 0, 1 }, { 3, 4 } } },
	{ "bytes=0-1,\t3-4", SZ, 2, { { 0, 1 }, { 3, 4 } } },
	{ "bytes=,0-1", SZ, 1, { { 0, 1 } } },
	{ "bytes=, ,0-1", SZ, 1, { { 0, 1 } } },
	{ "bytes=0-1,,3-4", SZ, 2, { { 0, 1 }, { 3, 4 } } },
	{ "bytes=0-1,", SZ, 1, { { 0, 1 } } },
	{ "bytes=0-1 ,", SZ, 1, { { 0, 1 } } },
	/* syntax errors: the header is ignored */
	{ "", SZ, -1, { { 0, 0 } } },
	{ "bytes", SZ, -1, { { 0, 0 } } },
	{ "bytes=", SZ, -1, { { 0, 0 } } },
	{ "bytes=,", SZ, -1, { { 0, 0 } } },
	{ "bytes= , ,", SZ, -1, { { 0, 0 } } },
	{ "bytes=-", SZ, -1, { { 0, 0 } } },
	{ "bytes=1", SZ, -1, { { 0, 0 } } },
	{ "bytes=abc", SZ, -1, { { 0, 0 } } },
	{ "bytes=a-b", SZ, -1, { { 0, 0 } } },
	{ "bytes=1-0", SZ, -1, { { 0, 0 } } },
	{ "bytes=500-499", SZ, -1, { { 0, 0 } } },
	{ "bytes=0-1,5-4", SZ, -1, { { 0, 0 } } },
	{ "bytes=20000-10000", SZ, -1, { { 0, 0 } } },
	{ "bytes=1-2-3", SZ, -1, { { 0, 0 } } },
	{ "bytes=--1", SZ, -1, { { 0, 0 } } },
	{ "bytes=1--2", SZ, -1, { { 0, 0 } } },
	{ "bytes=-1-", SZ, -1, { { 0, 0 } } },
	{ "bytes=-1-2", SZ, -1, { { 0, 0 } } },
	{ "bytes=+1-2", SZ, -1, { { 0, 0 } } },
	{ "bytes=1-+2", SZ, -1, { { 0, 0 } } },
	{ "bytes=-+1", SZ, -1, { { 0, 0 } } },
	{ "bytes=0x10-20", SZ, -1, { { 0, 0 } } },
	{ "bytes=1.5-2", SZ, -1, { { 0, 0 } } },
	{ "bytes=0 -1", SZ, -1, { { 0, 0 } } },
	{ "bytes=0- 1", SZ, -1, { { 0, 0 } } },
	{ "bytes=- 1", SZ, -1, { { 0, 0 } } },
	{ "bytes=0-1;2-3", SZ, -1, { { 0, 0 } } },
	{ "bytes=0-1 3-4", SZ, -1, { { 0, 0 } } },
	{ "bytes=0-1,junk", SZ, -1, { { 0, 0 } } },
	{ "bytes=junk,0-1", SZ, -1, { { 0, 0 } } },
	{ "bytes=0-1\r\n", SZ, -1, { { 0, 0 } } },
	{ "bytes =0-1", SZ, -1, { { 0, 0 } } },
	{ " bytes=0-1", SZ, -1, { { 0, 0 } } },
	{ "bytes:0-1", SZ, -1, { { 0, 0 } } },
	{ "byte=0-1", SZ, -1, { { 0, 0 } } },
	{ "bytesx=0-1", SZ, -1, { { 0, 0 } } },
	{ "items=0-1", SZ, -1, { { 0, 0 } } },
	{ "none", SZ, -1, { { 0, 0 } } },
	{ "=0-1", SZ, -1, { { 0, 0 } } },
	{ "0-1", SZ, -1, { { 0, 0 } } },
	/* numbers past off_t */
	{ "bytes=9223372036854775808-", SZ, -1, { { 0, 0 } } },
	{ "bytes=99999999999999999999-", SZ, -1, { { 0, 0 } } },
	{ "bytes=0-9223372036854775808", SZ, -1, { { 0, 0 } } },
	{ "bytes=0-99999999999999999999", SZ, -1, { { 0, 0 } } },
	{ "bytes=-9223372036854775808", SZ, -1, { { 0, 0 } } },
	{ "bytes=-99999999999999999999", SZ, -1, { { 0, 0 } } },
	{ "bytes=-9223372036854775807", SZ, 1, { { 0, 9999 } } },
	/* an empty file satisfies nothing, but syntax still counts */
	{ "bytes=0-", 0, 0, { { 0, 0 } } },
	{ "bytes=0-0", 0, 0, { { 0, 0 } } },
	{ "bytes=-1", 0, 0, { { 0, 0 } } },
	{ "bytes=-0", 0, 0, { { 0, 0 } } },
	{ "bytes=0-0,-5,3-", 0, 0, { { 0, 0 } } },
	{ "bytes=1-0", 0, -1, { { 0, 0 } } },
	{ "bytes=", 0, -1, { { 0, 0 } } },
	/* a one-byte file */
	{ "bytes=0-", 1, 1, { { 0, 0 } } },
	{ "bytes=-5", 1, 1, { { 0, 0 } } },
	{ "bytes=0-100", 1, 1, { { 0, 0 } } },
	{ "bytes=1-", 1, 0, { { 0, 0 } } },
	{ "bytes=0-0,-1", 1, 1, { { 0, 0 } } },
	/* the largest file: no overflow while clamping or coalescing */
	{ "bytes=-1", INT64_MAX, 1,
	    { { INT64_MAX - 1, INT64_MAX - 1 } } },
	{ "bytes=0-", INT64_MAX, 1, { { 0, INT64_MAX - 1 } } },
	{ "bytes=0-,9223372036854775806-", INT64_MAX, 1,
	    { { 0, INT64_MAX - 1 } } },
	{ "bytes=9223372036854775806-9223372036854775807", INT64_MAX, 1,
	    { { INT64_MAX - 1, INT64_MAX - 1 } } },
	{ "bytes=9223372036854775807-", INT64_MAX, 0, { { 0, 0 } } },
};

/* Parse v from a buffer of exactly its length into exactly max slots. */
static int
parse(const char *v, size_t len, off_t size, struct range *out, int max)
{
	struct range	*slots;
	char		*copy;
	int		 n, i;

	copy = malloc(len == 0 ? 1 : len);
	slots = calloc(max > 0 ? max : 1, sizeof(*slots));
	cr_assert(copy != NULL && slots != NULL);
	memcpy(copy, v, len);
	n = range_parse(copy, len, size, slots, max);
	for (i = 0; i < n && i < max; i++)
		out[i] = slots[i];
	free(slots);
	free(copy);
	return n;
}

/* Every case of the table with RANGE_MAX slots. */
Test(range, table)
{
	const struct range_case	*c;
	struct range		 r[RANGE_MAX];
	size_t			 i;
	int			 n, j;

	for (i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		c = &range_cases[i];
		n = parse(c->v, strlen(c->v), c->size, r, RANGE_MAX);
		cr_expect_eq(n, c->want, "\"%s\" size %lld: got %d, want %d",
		    c->v, (long long)c->size, n, c->want);
		if (n != c->want)
			continue;
		for (j = 0; j < n; j++) {
			cr_expect_eq(r[j].first, c->r[j].first,
			    "\"%s\" range %d first", c->v, j);
			cr_expect_eq(r[j].last, c->r[j].last,
			    "\"%s\" range %d last", c->v, j);
		}
	}
}

/* Build "bytes=" and n ranges "i*step-(i*step+len-1)" joined by commas. */
static size_t
many(char *buf, size_t buflen, int n, int step, int len)
{
	struct buf	b;
	int		i;

	buf_init(&b, buf, buflen - 1);
	buf_adds(&b, "bytes=");
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s%d-%d", i == 0 ? "" : ",", i * step,
		    i * step + len - 1);
	cr_assert(buf_ok(&b), "%d ranges do not fit %zu bytes", n, buflen);
	buf[b.len] = '\0';
	return b.len;
}

/* max separate ranges are served; max + 1 makes the header void. */
Test(range, at_most_max)
{
	struct range	r[RANGE_MAX];
	char		buf[1024];
	size_t		len;
	int		i;

	/* RANGE_MAX separate ranges are honoured ... */
	len = many(buf, sizeof(buf), RANGE_MAX, 10, 2);
	cr_assert_eq(parse(buf, len, SZ, r, RANGE_MAX), RANGE_MAX);
	for (i = 0; i < RANGE_MAX; i++) {
		cr_expect_eq(r[i].first, i * 10);
		cr_expect_eq(r[i].last, i * 10 + 1);
	}
	/* ... one more and the whole header is ignored. */
	len = many(buf, sizeof(buf), RANGE_MAX + 1, 10, 2);
	cr_assert_eq(parse(buf, len, SZ, r, RANGE_MAX), -1);
}

/* The cap counts ranges as asked for, not as merged. */
Test(range, max_counts_before_coalescing)
{
	struct range	r[RANGE_MAX];
	char		buf[1024];
	size_t		len;

	/* Adjacent one-byte ranges would merge into one, but count first. */
	len = many(buf, sizeof(buf), RANGE_MAX, 1, 1);
	cr_assert_eq(parse(buf, len, SZ, r, RANGE_MAX), 1);
	cr_assert_eq(r[0].first, 0);
	cr_assert_eq(r[0].last, RANGE_MAX - 1);
	len = many(buf, sizeof(buf), RANGE_MAX + 1, 1, 1);
	cr_assert_eq(parse(buf, len, SZ, r, RANGE_MAX), -1);
}

/* Unsatisfiable ranges count towards the cap too. */
Test(range, max_counts_unsatisfiable_ranges)
{
	struct range	r[4];
	const char	*v = "bytes=0-0,20000-,30000-,40000-";
	const char	*w = "bytes=0-0,20000-,30000-";

	cr_assert_eq(parse(v, strlen(v), SZ, r, 3), -1);
	cr_assert_eq(parse(w, strlen(w), SZ, r, 3), 1);
}

/* Empty list elements are not ranges. */
Test(range, empty_elements_do_not_count)
{
	struct range	r[2];
	const char	*v = "bytes=0-0,,,,,,,,,,,,,,,,,,,, , ,5-5";

	cr_assert_eq(parse(v, strlen(v), SZ, r, 2), 2);
	cr_assert_eq(r[1].first, 5);
}

/* A flood of tiny ranges is refused, not served. */
Test(range, thousands_of_tiny_ranges)
{
	struct range	r[RANGE_MAX];
	char		*buf;
	size_t		len, buflen = 5000 * 16;

	buf = malloc(buflen);
	cr_assert_not_null(buf);
	len = many(buf, buflen, 5000, 2, 1);
	cr_assert_eq(parse(buf, len, SZ, r, RANGE_MAX), -1);
	free(buf);
}

/* A cap of one, and of zero. */
Test(range, small_max)
{
	struct range	r[1];

	cr_assert_eq(parse("bytes=0-1", 9, SZ, r, 1), 1);
	cr_assert_eq(r[0].last, 1);
	cr_assert_eq(parse("bytes=0-1,3-4", 13, SZ, r, 1), -1);
	cr_assert_eq(parse("bytes=0-1", 9, SZ, r, 0), -1);
}

/* Only len bytes of the value are part of it. */
Test(range, reads_only_len)
{
	struct range	r[2];

	cr_assert_eq(parse("bytes=0-19", 9, SZ, r, 2), 1);
	cr_assert_eq(r[0].last, 1);
	cr_assert_eq(parse("bytes=0-1,junk", 9, SZ, r, 2), 1);
	cr_assert_eq(parse("bytes=0-1\0", 10, SZ, r, 2), -1);
	cr_assert_eq(parse("bytes=0-1", 5, SZ, r, 2), -1);
	cr_assert_eq(range_parse(NULL, 0, SZ, r, 2), -1);
}

/* A negative size is a caller bug: refuse. */
Test(range, negative_size)
{
	struct range	r[1];

	cr_assert_eq(parse("bytes=0-", 8, -1, r, 1), -1);
}
