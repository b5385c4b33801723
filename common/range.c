/*
 * range: parse a Range header (RFC 9110 14.2) against a representation
 * length.
 *
 * The whole header is checked before anything is answered: one bad range-spec
 * makes the header invalid (-1, send 200), as does asking for more than max
 * ranges, so that a client cannot make us build thousands of tiny parts.
 */
#include "tine_build.h"

#include <stdbool.h>
#include <stdint.h>
#include <strings.h>
#include <sys/types.h>

#include "range.h"

_Static_assert(sizeof(off_t) == sizeof(int64_t), "off_t must be 64 bits");
#define RANGE_OFF_MAX	((off_t)INT64_MAX)

/* A cursor over the (not NUL-terminated) field value. */
struct range_scan {
	const char	*p;
	const char	*end;
};

/* One range-spec as written; first == -1 marks a suffix range. */
struct range_spec {
	off_t	first;
	off_t	last;		/* -1 when open ("first-") */
	off_t	suffix;
};

/* Skip optional whitespace (SP / HTAB). */
static void
range_ows(struct range_scan *rs)
{
	while (rs->p < rs->end && (*rs->p == ' ' || *rs->p == '\t'))
		rs->p++;
}

/* Consume 1*DIGIT into *v; -1 when there is none or it overflows off_t. */
static int
range_num(struct range_scan *rs, off_t *v)
{
	const char	*start = rs->p;
	int		 d;

	*v = 0;
	for (; rs->p < rs->end && *rs->p >= '0' && *rs->p <= '9'; rs->p++) {
		d = *rs->p - '0';
		if (*v > (RANGE_OFF_MAX - d) / 10)
			return -1;
		*v = *v * 10 + d;
	}
	return rs->p == start ? -1 : 0;
}

/* Consume one range-spec: "first-last", "first-" or "-suffix". */
static int
range_spec(struct range_scan *rs, struct range_spec *sp)
{
	sp->first = sp->last = sp->suffix = -1;
	if (rs->p < rs->end && *rs->p == '-') {
		rs->p++;
		return range_num(rs, &sp->suffix);
	}
	if (range_num(rs, &sp->first) == -1)
		return -1;
	if (rs->p >= rs->end || *rs->p != '-')
		return -1;
	rs->p++;
	if (rs->p < rs->end && *rs->p >= '0' && *rs->p <= '9') {
		if (range_num(rs, &sp->last) == -1)
			return -1;
		if (sp->last < sp->first)
			return -1;	/* invalid, not merely unsatisfiable */
	}
	return 0;
}

/* Turn a spec into a range of a size-byte file; false if unsatisfiable. */
static bool
range_resolve(const struct range_spec *sp, off_t size, struct range *r)
{
	if (sp->first == -1) {
		if (sp->suffix == 0 || size == 0)
			return false;
		r->first = sp->suffix >= size ? 0 : size - sp->suffix;
		r->last = size - 1;
		return true;
	}
	if (sp->first >= size)
		return false;
	r->first = sp->first;
	r->last = sp->last == -1 || sp->last >= size ? size - 1 : sp->last;
	return true;
}

/* Sort by first (insertion sort: there are at most max ranges). */
static void
range_sort(struct range *r, int n)
{
	struct range	tmp;
	int		i, j;

	for (i = 1; i < n; i++) {
		tmp = r[i];
		for (j = i; j > 0 && r[j - 1].first > tmp.first; j--)
			r[j] = r[j - 1];
		r[j] = tmp;
	}
}

/* Merge overlapping or adjacent sorted ranges; returns the new count. */
static int
range_coalesce(struct range *r, int n)
{
	int	i, out = 0;

	for (i = 1; i < n; i++) {
		/* last < size <= OFF_MAX, so last + 1 cannot overflow. */
		if (r[i].first <= r[out].last + 1) {
			if (r[i].last > r[out].last)
				r[out].last = r[i].last;
		} else
			r[++out] = r[i];
	}
	return n == 0 ? 0 : out + 1;
}

/*
 * Walk the range-set: elements split by commas with OWS around them, empty
 * ones skipped. Returns the number of satisfiable ranges stored in out, or
 * -1 when a spec is invalid, there is none, or there are more than max.
 */
static int
range_set(struct range_scan *rs, off_t size, struct range *out, int max)
{
	struct range_spec	sp;
	int			specs = 0, n = 0;

	for (;;) {
		range_ows(rs);
		if (rs->p == rs->end)
			break;
		if (*rs->p == ',') {
			rs->p++;
			continue;
		}
		if (++specs > max || range_spec(rs, &sp) == -1)
			return -1;
		if (range_resolve(&sp, size, &out[n]))
			n++;
		range_ows(rs);
		if (rs->p < rs->end && *rs->p != ',')
			return -1;
	}
	return specs == 0 ? -1 : n;
}

/* Parse a Range value for a size-byte file (see range.h). */
int
range_parse(const char *v, size_t len, off_t size, struct range *out,
    int max)
{
	struct range_scan	rs;
	int			n;

	/* "bytes" is a token, compared case-insensitively (RFC 9110 14.1). */
	if (v == NULL || out == NULL || max < 1 || size < 0 || len < 6 ||
	    strncasecmp(v, "bytes=", 6) != 0)
		return -1;
	rs.p = v + 6;
	rs.end = v + len;
	if ((n = range_set(&rs, size, out, max)) <= 0)
		return n;
	range_sort(out, n);
	return range_coalesce(out, n);
}
