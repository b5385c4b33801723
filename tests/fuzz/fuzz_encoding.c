/*
 * fuzz_encoding: libFuzzer target for the Accept-Encoding parser. The
 * input is one field value. Its weights must stay in range, the order it
 * gives must hold exactly the codings with a weight above 0, best first,
 * and the answer must not change when the value is split into two lines
 * at a comma, upper-cased, or given blanks after its commas.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A weight is unnamed or 0 to 1000. */
static void
fuzz_weight(int q)
{
	if (q != ENCODING_UNNAMED && (q < 0 || q > ENCODING_Q_MAX))
		abort();
}

/* A coding's weight as the order must see it. */
static int
fuzz_q(const struct encoding_accept *a, enum encoding c)
{
	return a->q[c] != ENCODING_UNNAMED ? a->q[c] : a->star;
}

/* The order holds the acceptable codings once each, best (br on a tie)
 * first; returns it as a bit set so that runs can be compared. */
static unsigned
fuzz_order(const struct encoding_accept *a)
{
	enum encoding	order[ENCODING_N - 1];
	unsigned	seen = 0;
	int		n, i;

	fuzz_weight(a->q[ENCODING_BR]);
	fuzz_weight(a->q[ENCODING_GZIP]);
	fuzz_weight(a->star);
	n = encoding_order(a, order);
	if (n < 0 || n > ENCODING_N - 1)
		abort();
	for (i = 0; i < n; i++) {
		if ((order[i] != ENCODING_BR && order[i] != ENCODING_GZIP) ||
		    (seen & (1u << order[i])) || fuzz_q(a, order[i]) <= 0)
			abort();
		seen |= 1u << order[i];
	}
	if ((fuzz_q(a, ENCODING_BR) > 0) != ((seen >> ENCODING_BR) & 1) ||
	    (fuzz_q(a, ENCODING_GZIP) > 0) != ((seen >> ENCODING_GZIP) & 1))
		abort();
	if (n == 2 && (fuzz_q(a, order[0]) < fuzz_q(a, order[1]) ||
	    (fuzz_q(a, order[0]) == fuzz_q(a, order[1]) &&
	    order[0] != ENCODING_BR)))
		abort();
	return seen | (unsigned)(n == 2 && order[0] == ENCODING_GZIP) << 8;
}

/* Parse len bytes from a buffer of exactly that size (ASan bounds it). */
static void
fuzz_parse(struct encoding_accept *a, const char *v, size_t len)
{
	char	*copy = malloc(len == 0 ? 1 : len);

	if (copy == NULL)
		abort();
	memcpy(copy, v, len);
	encoding_parse(a, copy, len);
	free(copy);
}

/* The same weights, whichever way they were read. */
static void
fuzz_same(const struct encoding_accept *a, const struct encoding_accept *b)
{
	if (a->q[ENCODING_BR] != b->q[ENCODING_BR] ||
	    a->q[ENCODING_GZIP] != b->q[ENCODING_GZIP] || a->star != b->star ||
	    fuzz_order(a) != fuzz_order(b))
		abort();
}

/* Split at the first comma: two lines are the one list. */
static void
fuzz_lines(const struct encoding_accept *whole, const char *v, size_t len)
{
	struct encoding_accept	 a;
	const char		*comma = memchr(v, ',', len);

	if (comma == NULL)
		return;
	encoding_init(&a);
	fuzz_parse(&a, v, (size_t)(comma - v));
	fuzz_parse(&a, comma + 1, len - (size_t)(comma - v) - 1);
	fuzz_same(whole, &a);
}

/* Upper-case letters, and blanks after every comma: the same answer. */
static void
fuzz_variants(const struct encoding_accept *whole, const char *v, size_t len)
{
	struct encoding_accept	 a;
	char			*w;
	size_t			 i, n = 0;

	if ((w = malloc(len * 3 + 1)) == NULL)
		abort();
	for (i = 0; i < len; i++)
		w[i] = v[i] >= 'a' && v[i] <= 'z' ? (char)(v[i] - 32) : v[i];
	encoding_init(&a);
	fuzz_parse(&a, w, len);
	fuzz_same(whole, &a);
	for (i = 0; i < len; i++) {
		w[n++] = v[i];
		if (v[i] == ',') {
			w[n++] = ' ';
			w[n++] = '\t';
		}
	}
	encoding_init(&a);
	fuzz_parse(&a, w, n);
	fuzz_same(whole, &a);
	free(w);
}

/* Entry point: the input is one Accept-Encoding value. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct encoding_accept	 a;
	const char		*v = (const char *)data;

	encoding_init(&a);
	fuzz_parse(&a, v, size);
	(void)fuzz_order(&a);
	fuzz_lines(&a, v, size);
	fuzz_variants(&a, v, size);
	return 0;
}
