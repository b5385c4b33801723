/*
 * fuzz_fields: libFuzzer target for the header field values tine
 * interprets after parsing: Range (against a file length taken from the
 * first bytes), entity-tag lists, If-Range and HTTP dates. Each must stay
 * inside its input and keep the promises its header makes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cond.h"
#include "date.h"
#include "range.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The validator a file would have; cond_etag writes strong ones. */
static const char	fuzz_etag[] = "\"6747c8a1.1f40.2a\"";

/* A file length from the first two bytes: mostly small, sometimes huge. */
static off_t
fuzz_size(const uint8_t *data)
{
	if (data[0] == 0xff)
		return (off_t)INT64_MAX - data[1];
	return (off_t)data[0] * 256 + data[1];
}

/* range_parse's promises: in bounds, sorted, coalesced, at most max. */
static void
fuzz_range(const char *v, size_t len, off_t size)
{
	struct range	out[RANGE_MAX];
	int		n, i;

	n = range_parse(v, len, size, out, RANGE_MAX);
	if (n < -1 || n > RANGE_MAX || (size == 0 && n > 0))
		abort();
	for (i = 0; i < n; i++) {
		if (out[i].first < 0 || out[i].first > out[i].last ||
		    out[i].last >= size)
			abort();
		/* Overlapping or adjacent ranges are merged into one. */
		if (i > 0 && out[i].first <= out[i - 1].last + 1)
			abort();
	}
	/* A smaller max never yields more ranges. */
	if (range_parse(v, len, size, out, 1) > 1)
		abort();
}

/* An entity-tag list: a strong match is also a weak one. */
static void
fuzz_etags(const char *v, size_t len)
{
	bool	strong, weak;

	strong = cond_etag_match(v, len, fuzz_etag, false);
	weak = cond_etag_match(v, len, fuzz_etag, true);
	if (strong && !weak)
		abort();
	(void)cond_if_range(v, len, fuzz_etag, 1700000000);
	/* The file's own tag, alone, matches both ways. */
	if (len == sizeof(fuzz_etag) - 1 && memcmp(v, fuzz_etag, len) == 0 &&
	    !strong)
		abort();
}

/* Every precondition field at once: an answer, never a crash. */
static void
fuzz_preconditions(const char *v, size_t len)
{
	struct cond_request	cr = { v, len, v, len, v, len, v, len };
	enum cond_result	r;

	r = cond_evaluate(&cr, fuzz_etag, 1700000000);
	if (r != COND_PROCEED && r != COND_NOT_MODIFIED && r != COND_FAILED)
		abort();
}

/* A date that parses formats to an IMF-fixdate that parses to it again. */
static void
fuzz_date(const char *v, size_t len)
{
	char	buf[DATE_LEN];
	time_t	t, again;
	size_t	n;

	if (date_parse(v, len, &t) == -1)
		return;
	n = date_format(t, buf);
	if (n != DATE_LEN - 1 || date_parse(buf, n, &again) == -1 || again != t)
		abort();
	/* As an If-Range value, the file's own date lets the Range through. */
	if (!cond_if_range(buf, n, fuzz_etag, t))
		abort();
}

/* Entry point: two bytes of file length, then the field value. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*v;
	size_t		 len;

	if (size < 2)
		return 0;
	v = (const char *)data + 2;
	len = size - 2;
	fuzz_range(v, len, fuzz_size(data));
	fuzz_etags(v, len);
	fuzz_preconditions(v, len);
	fuzz_date(v, len);
	return 0;
}
