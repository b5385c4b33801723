/* Unit tests for common/encoding.c: Accept-Encoding (RFC 9110 12.5.3). */
#include "tine_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "encoding.h"

/* One case: a field value and the codings to try, best first. */
struct enc_case {
	const char	*v;
	const char	*want;		/* "br gzip", "gzip", "" ... */
};

static const struct enc_case enc_cases[] = {
	/* plain lists: br first at equal weights */
	{ "gzip, br", "br gzip" },
	{ "br, gzip", "br gzip" },
	{ "gzip, deflate, br, zstd", "br gzip" },
	{ "br", "br" },
	{ "gzip", "gzip" },
	{ "x-gzip", "gzip" },
	{ "", "" },
	{ "identity", "" },
	{ "deflate, zstd", "" },
	{ "brotli, gzipped, xgzip", "" },
	/* weights: 0 refuses, the higher first */
	{ "br;q=0, gzip", "gzip" },
	{ "gzip;q=0, br", "br" },
	{ "br;q=0, gzip;q=0", "" },
	{ "gzip;q=0.5, br;q=0.5", "br gzip" },
	{ "gzip;q=0.8, br;q=0.5", "gzip br" },
	{ "gzip;q=1.0, br;q=0.999", "gzip br" },
	{ "br;q=0.001", "br" },
	{ "br;q=0.000", "" },
	{ "br;q=0.", "" },
	{ "br;q=0", "" },
	{ "br;q=1", "br" },
	{ "br;q=1.", "br" },
	{ "br;q=1.000", "br" },
	{ "identity;q=0, gzip", "gzip" },
	/* "*": every coding the list does not name */
	{ "*", "br gzip" },
	{ "*;q=0", "" },
	{ "*;q=0.5", "br gzip" },
	{ "*;q=0.5, gzip", "gzip br" },
	{ "*, br;q=0", "gzip" },
	{ "br;q=0, *;q=1", "gzip" },
	{ "gzip;q=0, *", "br" },
	{ "gzip, br;q=0.5, *;q=0", "gzip br" },
	{ "*;q=0, identity", "" },
	/* case, whitespace, empty members */
	{ "BR, GZIP", "br gzip" },
	{ "Gzip", "gzip" },
	{ "X-GZIP", "gzip" },
	{ "br;Q=0", "" },
	{ " \tgzip\t , br ", "br gzip" },
	{ "br ; q=0.5, gzip;\tq=0.4", "br gzip" },
	{ ",,gzip,,", "gzip" },
	{ ", ,", "" },
	/* a coding named twice keeps its lower weight */
	{ "gzip, gzip;q=0", "" },
	{ "gzip;q=0, gzip", "" },
	{ "br;q=0.2, gzip;q=0.5, br", "gzip br" },
	/* a weight that cannot be read refuses its coding */
	{ "br;q=1.001", "" },
	{ "br;q=1.5", "" },
	{ "br;q=2", "" },
	{ "br;q=0.1234", "" },
	{ "br;q=-1", "" },
	{ "br;q=", "" },
	{ "br;q", "" },
	{ "br;", "" },
	{ "br;q=.5", "" },
	{ "br;q=0.5x", "" },
	{ "br;q=\"1\"", "" },
	{ "br;q = 0.5", "" },
	{ "br;q= 0.5", "" },
	{ "br;level=5", "" },
	{ "br;q=0.5;q=1", "" },
	{ "gzip deflate, br", "br" },
	{ "gzip/1, br", "br" },
	{ "*;q=x, gzip", "gzip" },
	/* a member that names nothing refuses nothing */
	{ "\"gzip\", br", "br" },
	{ "; q=0, gzip", "gzip" },
	{ "=, gzip", "gzip" },
	{ "@br, gzip", "gzip" },
};

/* The order for v parsed from a buffer of exactly its length, as a string. */
static void
order_of(const char *const *lines, int nlines, char *out, size_t len)
{
	struct encoding_accept	 a;
	enum encoding		 order[ENCODING_N - 1];
	char			*copy;
	size_t			 n;
	int			 i, k;

	encoding_init(&a);
	for (i = 0; i < nlines; i++) {
		n = strlen(lines[i]);
		copy = malloc(n == 0 ? 1 : n);
		cr_assert_not_null(copy);
		memcpy(copy, lines[i], n);
		encoding_parse(&a, copy, n);
		free(copy);
	}
	k = encoding_order(&a, order);
	cr_assert(k >= 0 && k <= ENCODING_N - 1);
	*out = '\0';
	for (i = 0; i < k; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s",
		    i > 0 ? " " : "", encoding_name(order[i]));
}

/* Every case of the table, as one line. */
Test(encoding, table)
{
	char	got[32];
	size_t	i;

	for (i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		order_of(&enc_cases[i].v, 1, got, sizeof(got));
		cr_expect_str_eq(got, enc_cases[i].want, "\"%s\": got \"%s\"",
		    enc_cases[i].v, got);
	}
}

/* Several Accept-Encoding lines are one list (RFC 9110 5.3). */
Test(encoding, lines_are_one_list)
{
	static const char *const	a[] = { "br;q=0", "gzip" };
	static const char *const	b[] = { "gzip", "gzip;q=0" };
	static const char *const	c[] = { "*;q=0", "br" };
	static const char *const	d[] = { "gzip;q=0.5", "", "br;q=0.4" };
	static const char *const	e[] = { "*", "br;q=0" };
	char				got[32];

	order_of(a, 2, got, sizeof(got));
	cr_expect_str_eq(got, "gzip");
	order_of(b, 2, got, sizeof(got));
	cr_expect_str_eq(got, "");
	order_of(c, 2, got, sizeof(got));
	cr_expect_str_eq(got, "br");
	order_of(d, 3, got, sizeof(got));
	cr_expect_str_eq(got, "gzip br");
	order_of(e, 2, got, sizeof(got));
	cr_expect_str_eq(got, "gzip");
}

/* The weights kept, in thousandths; unnamed codings stay unnamed. */
Test(encoding, weights)
{
	struct encoding_accept	a;
	const char		v[] = "gzip;q=0.25, *;q=0.7";

	encoding_init(&a);
	cr_expect_eq(a.q[ENCODING_BR], ENCODING_UNNAMED);
	cr_expect_eq(a.star, ENCODING_UNNAMED);
	encoding_parse(&a, v, sizeof(v) - 1);
	cr_expect_eq(a.q[ENCODING_GZIP], 250);
	cr_expect_eq(a.q[ENCODING_BR], ENCODING_UNNAMED);
	cr_expect_eq(a.star, 700);
}

/* Only len bytes are read: a weight past them is not seen; NULL is none. */
Test(encoding, bounded)
{
	struct encoding_accept	a;
	enum encoding		order[ENCODING_N - 1];
	const char		v[] = "gzip;q=0";

	encoding_init(&a);
	encoding_parse(&a, v, 4);
	cr_expect_eq(encoding_order(&a, order), 1);
	cr_expect_eq(order[0], ENCODING_GZIP);
	encoding_init(&a);
	encoding_parse(&a, NULL, 0);
	encoding_parse(&a, "gzip\0,br", 8);
	cr_expect_eq(a.q[ENCODING_GZIP], 0, "a NUL after a name: unreadable");
	cr_expect_eq(a.q[ENCODING_BR], ENCODING_Q_MAX);
}

/* The Content-Encoding tokens. */
Test(encoding, names)
{
	cr_expect_str_eq(encoding_name(ENCODING_BR), "br");
	cr_expect_str_eq(encoding_name(ENCODING_GZIP), "gzip");
	cr_expect_str_eq(encoding_name(ENCODING_IDENTITY), "");
}
