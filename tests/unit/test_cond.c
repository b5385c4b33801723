/* Unit tests for common/cond.c: ETags and conditional requests. */
#include "tine_build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "cond.h"

#define MTIME		784111777	/* Sun, 06 Nov 1994 08:49:37 GMT */
#define D_EQUAL		"Sun, 06 Nov 1994 08:49:37 GMT"
#define D_BEFORE	"Sun, 06 Nov 1994 08:49:36 GMT"
#define D_AFTER		"Sun, 06 Nov 1994 08:49:38 GMT"
#define D_BAD		"Sun, 06 Nov 1994 08:49:37 XYZ"
#define D_EQUAL_850	"Sunday, 06-Nov-94 08:49:37 GMT"
#define D_EQUAL_ASC	"Sun Nov  6 08:49:37 1994"

#define ETAG		"\"5f1a2b3c.1a2b-1f4-abc\""
#define ETAG_WEAK	"W/\"5f1a2b3c.1a2b-1f4-abc\""
#define ETAG_OTHER	"\"5f1a2b3c.1a2b-1f4-abd\""

/* A stat with just the fields the ETag reads. */
static struct stat
mkstat(time_t sec, long nsec, off_t size, ino_t ino)
{
	struct stat	st;

	memset(&st, 0, sizeof(st));
	st.st_mtim.tv_sec = sec;
	st.st_mtim.tv_nsec = nsec;
	st.st_size = size;
	st.st_ino = ino;
	return st;
}

/* ---- cond_etag ---- */

/* The documented layout: mtime.nsec-size-inode in hex, quoted. */
Test(cond, etag_format)
{
	struct stat	st = mkstat(0x5f1a2b3c, 0x1a2b, 0x1f4, 0xabc);
	char		buf[COND_ETAG_LEN];

	cr_assert_eq(cond_etag(&st, buf), strlen(ETAG));
	cr_assert_str_eq(buf, ETAG);
}

/* The same file version always gets the same tag. */
/* The tag depends on the validator fields only: two stats of one file
 * that differ in what a read changes (atime) or in what a tag must not
 * reveal (uid, mode, links) give one tag, and it has a fixed shape. */
Test(cond, etag_is_stable)
{
	struct stat	st = mkstat(1700000000, 123456789, 4096, 77);
	struct stat	again = mkstat(1700000000, 123456789, 4096, 77);
	char		a[COND_ETAG_LEN], b[COND_ETAG_LEN];

	again.st_atim.tv_sec = st.st_atim.tv_sec + 3600;
	again.st_uid = st.st_uid + 1;
	again.st_nlink = st.st_nlink + 1;
	again.st_mode = st.st_mode ^ 0004;
	cond_etag(&st, a);
	cond_etag(&again, b);
	cr_assert_str_eq(a, b);
	cr_expect(a[0] == '"' && a[strlen(a) - 1] == '"', "not quoted: %s", a);
	cr_expect_gt(strlen(a), 2);
	cr_expect_eq(strcspn(a + 1, "\" \\"), strlen(a) - 2, "%s", a);
}

/* Changing any one validator field changes the tag. */
Test(cond, etag_changes_with_every_field)
{
	struct stat	base = mkstat(1700000000, 123456789, 4096, 77);
	struct stat	v[4];
	char		b[COND_ETAG_LEN], o[COND_ETAG_LEN];
	int		i;

	v[0] = base; v[0].st_mtim.tv_sec++;
	v[1] = base; v[1].st_mtim.tv_nsec++;
	v[2] = base; v[2].st_size++;
	v[3] = base; v[3].st_ino++;
	cond_etag(&base, b);
	for (i = 0; i < 4; i++) {
		cond_etag(&v[i], o);
		cr_expect_str_neq(b, o, "field %d ignored", i);
	}
}

/* Separators keep different field splits apart. */
Test(cond, etag_fields_do_not_run_together)
{
	struct stat	a = mkstat(0x1, 0, 0x23, 0x4);
	struct stat	b = mkstat(0x12, 0, 0x3, 0x4);
	char		ea[COND_ETAG_LEN], eb[COND_ETAG_LEN];

	cond_etag(&a, ea);
	cond_etag(&b, eb);
	cr_assert_str_neq(ea, eb);
}

/* All-ones fields still fit COND_ETAG_LEN with the NUL. */
Test(cond, etag_largest_fits)
{
	struct stat	st = mkstat(-1, 999999999, INT64_MAX, (ino_t)-1);
	char		buf[COND_ETAG_LEN + 8];
	size_t		n;

	memset(buf, 'Z', sizeof(buf));
	n = cond_etag(&st, buf);
	cr_assert_lt(n, COND_ETAG_LEN);
	cr_assert_eq(buf[n], '\0');
	cr_assert_eq(buf[0], '"');
	cr_assert_eq(buf[n - 1], '"');
	/* A strong tag of its own kind: it matches itself strongly. */
	cr_assert(cond_etag_match(buf, n, buf, false));
}

/* The tag is a strong entity-tag made only of etagc bytes. */
Test(cond, etag_is_a_valid_strong_tag)
{
	struct stat	st = mkstat(1700000000, 5, 10, 11);
	char		buf[COND_ETAG_LEN];
	size_t		i, n;

	n = cond_etag(&st, buf);
	cr_assert_geq(n, 3);
	cr_assert_eq(buf[0], '"');
	cr_assert_eq(buf[n - 1], '"');
	for (i = 1; i < n - 1; i++)
		cr_expect(buf[i] > 0x20 && buf[i] < 0x7f && buf[i] != '"' &&
		    buf[i] != '\\', "byte %zu", i);
}

/* ---- cond_etag_match ---- */

struct match_case {
	const char	*list;
	const char	*etag;
	int		 strong;	/* expected, strong comparison */
	int		 weak;		/* expected, weak comparison */
};

static const struct match_case match_cases[] = {
	{ "*", ETAG, 1, 1 },
	{ " * ", ETAG, 1, 1 },
	{ "\t*", ETAG, 1, 1 },
	{ ETAG, ETAG, 1, 1 },
	{ ETAG_WEAK, ETAG, 0, 1 },
	{ ETAG, ETAG_WEAK, 0, 1 },
	{ ETAG_WEAK, ETAG_WEAK, 0, 1 },
	{ ETAG_OTHER, ETAG, 0, 0 },
	{ "W/" ETAG_OTHER, ETAG, 0, 0 },
	{ ETAG_OTHER ", " ETAG, ETAG, 1, 1 },
	{ ETAG ", " ETAG_OTHER, ETAG, 1, 1 },
	{ ETAG_OTHER "," ETAG, ETAG, 1, 1 },
	{ ETAG_OTHER " ,\t" ETAG, ETAG, 1, 1 },
	{ ETAG_OTHER ", W/" ETAG, ETAG, 0, 1 },
	{ "W/" ETAG_OTHER ", " ETAG, ETAG, 1, 1 },
	{ " " ETAG " ", ETAG, 1, 1 },
	/* empty list elements are tolerated */
	{ ", ," ETAG ",", ETAG, 1, 1 },
	{ ETAG ",,, ," ETAG_OTHER, ETAG, 1, 1 },
	{ "\"a\", \"b\", \"c\"", "\"b\"", 1, 1 },
	/* exact opaque comparison */
	{ "\"a\"", "\"b\"", 0, 0 },
	{ "\"A\"", "\"a\"", 0, 0 },
	{ "\"ab\"", "\"a\"", 0, 0 },
	{ "\"a\"", "\"ab\"", 0, 0 },
	{ "\"\"", "\"a\"", 0, 0 },
	{ "\"\"", "\"\"", 1, 1 },
	{ "\"a!#~\x80\xff\"", "\"a!#~\x80\xff\"", 1, 1 },
	/* nothing to match */
	{ "", ETAG, 0, 0 },
	{ " ", ETAG, 0, 0 },
	{ ",", ETAG, 0, 0 },
	{ " , , ", ETAG, 0, 0 },
	/* malformed lists match nothing, even where they name the tag */
	{ "\"a", "\"a\"", 0, 0 },
	{ "a", "\"a\"", 0, 0 },
	{ "a\"", "\"a\"", 0, 0 },
	{ "\"a\" \"b\"", "\"a\"", 0, 0 },
	{ "\"a\"\"b\"", "\"a\"", 0, 0 },
	{ "\"a\", junk", "\"a\"", 0, 0 },
	{ "junk, \"a\"", "\"a\"", 0, 0 },
	{ "\"a\", \"b", "\"a\"", 0, 0 },
	{ "\"a\";q=1", "\"a\"", 0, 0 },
	{ "*, \"a\"", "\"a\"", 0, 0 },
	{ "\"a\", *", "\"a\"", 0, 0 },
	{ "**", "\"a\"", 0, 0 },
	{ "w/\"a\"", "\"a\"", 0, 0 },
	{ "W/ \"a\"", "\"a\"", 0, 0 },
	{ "W\"a\"", "\"a\"", 0, 0 },
	{ "W/", "\"a\"", 0, 0 },
	{ "\"a b\"", "\"a b\"", 0, 0 },
	{ "\"a\tb\"", "\"a\tb\"", 0, 0 },
	{ "\"a\x7f\"", "\"a\x7f\"", 0, 0 },
	{ "'a'", "\"a\"", 0, 0 },
	/* a malformed etag of our own matches nothing but "*" */
	{ "\"a\"", "a", 0, 0 },
	{ "*", "a", 1, 1 },
};

/* Match with list in a buffer of exactly its length (ASan). */
static bool
match(const char *list, size_t len, const char *etag, bool weak)
{
	char	*copy;
	bool	 r;

	copy = malloc(len == 0 ? 1 : len);
	cr_assert_not_null(copy);
	memcpy(copy, list, len);
	r = cond_etag_match(copy, len, etag, weak);
	free(copy);
	return r;
}

/* Each list under both the strong and the weak comparison. */
Test(cond, etag_match_table)
{
	const struct match_case	*c;
	size_t			 i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		c = &match_cases[i];
		cr_expect_eq(match(c->list, strlen(c->list), c->etag, false),
		    c->strong, "strong: [%s] vs %s", c->list, c->etag);
		cr_expect_eq(match(c->list, strlen(c->list), c->etag, true),
		    c->weak, "weak: [%s] vs %s", c->list, c->etag);
	}
}

/* Only len bytes of the list are part of it. */
Test(cond, etag_match_reads_only_len)
{
	/* Cut inside the tag: malformed; cut after it: a match. */
	cr_assert_not(match(ETAG ", junk", strlen(ETAG) - 1, ETAG, true));
	cr_assert(match(ETAG ", junk", strlen(ETAG), ETAG, true));
	cr_assert(match(ETAG ", junk", strlen(ETAG) + 1, ETAG, true));
	cr_assert_not(match(ETAG ", junk", strlen(ETAG) + 3, ETAG, true));
	cr_assert_not(cond_etag_match(NULL, 0, ETAG, true));
}

/* ---- cond_evaluate ---- */

struct eval_case {
	const char		*im, *inm, *ims, *ius;
	enum cond_result	 want;
};

static const struct eval_case eval_cases[] = {
	{ NULL, NULL, NULL, NULL, COND_PROCEED },
	/* 1: If-Match, strong comparison */
	{ ETAG, NULL, NULL, NULL, COND_PROCEED },
	{ "*", NULL, NULL, NULL, COND_PROCEED },
	{ ETAG_OTHER ", " ETAG, NULL, NULL, NULL, COND_PROCEED },
	{ ETAG_OTHER, NULL, NULL, NULL, COND_FAILED },
	{ ETAG_WEAK, NULL, NULL, NULL, COND_FAILED },
	{ "junk", NULL, NULL, NULL, COND_FAILED },
	{ "", NULL, NULL, NULL, COND_FAILED },
	/* 2: If-Unmodified-Since, only without If-Match */
	{ NULL, NULL, NULL, D_BEFORE, COND_FAILED },
	{ NULL, NULL, NULL, D_EQUAL, COND_PROCEED },
	{ NULL, NULL, NULL, D_AFTER, COND_PROCEED },
	{ NULL, NULL, NULL, D_BAD, COND_PROCEED },
	{ NULL, NULL, NULL, "", COND_PROCEED },
	{ ETAG, NULL, NULL, D_BEFORE, COND_PROCEED },
	{ ETAG_OTHER, NULL, NULL, D_AFTER, COND_FAILED },
	/* 3: If-None-Match, weak comparison */
	{ NULL, ETAG, NULL, NULL, COND_NOT_MODIFIED },
	{ NULL, ETAG_WEAK, NULL, NULL, COND_NOT_MODIFIED },
	{ NULL, "*", NULL, NULL, COND_NOT_MODIFIED },
	{ NULL, ETAG_OTHER ", W/" ETAG, NULL, NULL, COND_NOT_MODIFIED },
	{ NULL, ETAG_OTHER, NULL, NULL, COND_PROCEED },
	{ NULL, "junk " ETAG, NULL, NULL, COND_PROCEED },
	/* 4: If-Modified-Since, only without If-None-Match */
	{ NULL, NULL, D_EQUAL, NULL, COND_NOT_MODIFIED },
	{ NULL, NULL, D_AFTER, NULL, COND_NOT_MODIFIED },
	{ NULL, NULL, D_BEFORE, NULL, COND_PROCEED },
	{ NULL, NULL, D_BAD, NULL, COND_PROCEED },
	{ NULL, NULL, "", NULL, COND_PROCEED },
	{ NULL, NULL, D_EQUAL_850, NULL, COND_NOT_MODIFIED },
	{ NULL, NULL, D_EQUAL_ASC, NULL, COND_NOT_MODIFIED },
	{ NULL, ETAG_OTHER, D_AFTER, NULL, COND_PROCEED },
	{ NULL, ETAG, D_BEFORE, NULL, COND_NOT_MODIFIED },
	/* the order between the steps */
	{ ETAG_OTHER, ETAG, NULL, NULL, COND_FAILED },
	{ ETAG_OTHER, NULL, D_AFTER, NULL, COND_FAILED },
	{ NULL, ETAG, NULL, D_BEFORE, COND_FAILED },
	{ NULL, NULL, D_EQUAL, D_BEFORE, COND_FAILED },
	{ ETAG, ETAG, NULL, NULL, COND_NOT_MODIFIED },
	{ ETAG, ETAG_OTHER, NULL, NULL, COND_PROCEED },
	{ "*", "*", NULL, NULL, COND_NOT_MODIFIED },
	{ NULL, NULL, D_EQUAL, D_AFTER, COND_NOT_MODIFIED },
	{ NULL, NULL, D_BEFORE, D_AFTER, COND_PROCEED },
	{ ETAG, NULL, D_EQUAL, D_BEFORE, COND_NOT_MODIFIED },
	{ ETAG, ETAG_OTHER, D_EQUAL, D_BEFORE, COND_PROCEED },
};

/* Fill one conditional field (NULL stays absent). */
static void
field(const char *v, const char **p, size_t *len)
{
	*p = v;
	*len = v == NULL ? 0 : strlen(v);
}

/* RFC 9110 13.2.2 step order over combinations of fields. */
Test(cond, evaluate_table)
{
	const struct eval_case	*c;
	struct cond_request	 cr;
	size_t			 i;

	for (i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++) {
		c = &eval_cases[i];
		field(c->im, &cr.if_match, &cr.if_match_len);
		field(c->inm, &cr.if_none_match, &cr.if_none_match_len);
		field(c->ims, &cr.if_modified_since,
		    &cr.if_modified_since_len);
		field(c->ius, &cr.if_unmodified_since,
		    &cr.if_unmodified_since_len);
		cr_expect_eq(cond_evaluate(&cr, ETAG, MTIME), c->want,
		    "case %zu: IM=%s INM=%s IMS=%s IUS=%s", i, c->im, c->inm,
		    c->ims, c->ius);
	}
}

/* Field lengths bound what is read. */
Test(cond, evaluate_uses_field_lengths)
{
	struct cond_request	cr;

	/* Only the first len bytes belong to the field. */
	memset(&cr, 0, sizeof(cr));
	cr.if_none_match = ETAG "garbage";
	cr.if_none_match_len = strlen(ETAG);
	cr_assert_eq(cond_evaluate(&cr, ETAG, MTIME), COND_NOT_MODIFIED);
	cr.if_none_match_len = strlen(ETAG) + 1;
	cr_assert_eq(cond_evaluate(&cr, ETAG, MTIME), COND_PROCEED);

	memset(&cr, 0, sizeof(cr));
	cr.if_modified_since = D_EQUAL "junk";
	cr.if_modified_since_len = strlen(D_EQUAL);
	cr_assert_eq(cond_evaluate(&cr, ETAG, MTIME), COND_NOT_MODIFIED);
	cr.if_modified_since_len = strlen(D_EQUAL) + 1;
	cr_assert_eq(cond_evaluate(&cr, ETAG, MTIME), COND_PROCEED);
}

/* Tags from cond_etag round-trip through If-None-Match. */
Test(cond, evaluate_with_real_etag)
{
	struct stat		st = mkstat(MTIME, 42, 1234, 99);
	struct stat		st2 = mkstat(MTIME, 43, 1234, 99);
	struct cond_request	cr;
	char			etag[COND_ETAG_LEN], old[COND_ETAG_LEN];

	/* A cached copy validated by a tag is stale once the file changes. */
	cond_etag(&st, etag);
	cond_etag(&st2, old);
	memset(&cr, 0, sizeof(cr));
	field(etag, &cr.if_none_match, &cr.if_none_match_len);
	cr_assert_eq(cond_evaluate(&cr, etag, MTIME), COND_NOT_MODIFIED);
	cr_assert_eq(cond_evaluate(&cr, old, MTIME), COND_PROCEED);
}

/* ---- cond_if_range ---- */

struct ifr_case {
	const char	*v;
	int		 want;
};

static const struct ifr_case ifr_cases[] = {
	{ ETAG, 1 },
	{ ETAG_WEAK, 0 },
	{ ETAG_OTHER, 0 },
	{ "W/" ETAG_OTHER, 0 },
	{ ETAG ", " ETAG, 0 },
	{ ETAG " ", 0 },
	{ "*", 0 },
	{ "", 0 },
	{ "\"", 0 },
	{ "W/", 0 },
	{ D_EQUAL, 1 },
	{ D_EQUAL_850, 1 },
	{ D_EQUAL_ASC, 1 },
	{ D_BEFORE, 0 },
	{ D_AFTER, 0 },
	{ D_BAD, 0 },
	{ D_EQUAL " ", 0 },
	{ "784111777", 0 },
	{ "junk", 0 },
};

/* If-Range values: strong tag or exact date only. */
Test(cond, if_range_table)
{
	size_t	i;

	for (i = 0; i < sizeof(ifr_cases) / sizeof(ifr_cases[0]); i++)
		cr_expect_eq(cond_if_range(ifr_cases[i].v,
		    strlen(ifr_cases[i].v), ETAG, MTIME), ifr_cases[i].want,
		    "[%s]", ifr_cases[i].v);
}

/* A date beginning with "W" is still a date. */
Test(cond, if_range_date_starting_with_w)
{
	/* "Wed, ..." is a date, not the start of a weak tag. */
	const char	*d = "Wed, 09 Nov 1994 08:49:37 GMT";

	cr_assert(cond_if_range(d, strlen(d), ETAG, MTIME + 3 * 86400));
	cr_assert_not(cond_if_range(d, strlen(d), ETAG, MTIME));
}

/* Absent value, weak own tag, and the length bound. */
Test(cond, if_range_edges)
{
	cr_assert_not(cond_if_range(NULL, 0, ETAG, MTIME));
	/* A weak tag of our own can never satisfy a strong comparison. */
	cr_assert_not(cond_if_range(ETAG_WEAK, strlen(ETAG_WEAK), ETAG_WEAK,
	    MTIME));
	cr_assert(cond_if_range(ETAG "junk", strlen(ETAG), ETAG, MTIME));
	cr_assert_not(cond_if_range(ETAG "junk", strlen(ETAG) + 1, ETAG,
	    MTIME));
}
