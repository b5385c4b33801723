/* Unit tests for common/path.c: decoding and normalising request paths. */
#include "tine_build.h"

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "path.h"

#define OUTLEN	256

/* One case: in (len 0 means strlen), and the expected result or NULL. */
struct path_case {
	const char	*in;
	size_t		 len;
	const char	*want;	/* NULL: must be rejected (-1) */
};

static const struct path_case path_cases[] = {
	/* plain paths */
	{ "/", 0, "/" },
	{ "/index.html", 0, "/index.html" },
	{ "/a/b/c", 0, "/a/b/c" },
	{ "/a/b/", 0, "/a/b/" },
	{ "/a?b", 0, "/a?b" },
	{ "/~user/x.txt", 0, "/~user/x.txt" },
	{ "/caf\xc3\xa9", 0, "/caf\xc3\xa9" },
	/* collapsing "//" */
	{ "//", 0, "/" },
	{ "/a//b", 0, "/a/b" },
	{ "///a//b///", 0, "/a/b/" },
	/* "." segments */
	{ "/.", 0, "/" },
	{ "/./", 0, "/" },
	{ "/a/.", 0, "/a/" },
	{ "/a/./b", 0, "/a/b" },
	{ "/a/./", 0, "/a/" },
	{ "/./././x", 0, "/x" },
	/* ".." within the path */
	{ "/a/..", 0, "/" },
	{ "/a/../", 0, "/" },
	{ "/a/b/..", 0, "/a/" },
	{ "/a/b/../c", 0, "/a/c" },
	{ "/a/../b/", 0, "/b/" },
	{ "/a/b/../../c", 0, "/c" },
	{ "/a/.b/../c", 0, "/a/c" },
	{ "/a/b/c/d/../../../..", 0, "/" },
	{ "/a//..//b", 0, "/b" },
	/* names that merely contain dots */
	{ "/...", 0, "/..." },
	{ "/.../", 0, "/.../" },
	{ "/..a", 0, "/..a" },
	{ "/a..", 0, "/a.." },
	{ "/.hidden", 0, "/.hidden" },
	{ "/a/.../..", 0, "/a/" },
	/* not a path */
	{ "", 0, NULL },
	{ "a", 0, NULL },
	{ "a/b", 0, NULL },
	{ "*", 0, NULL },
	{ "%2fa", 0, NULL },
	{ "http://h/a", 0, NULL },
	/* ".." above the root: rejected, never clamped */
	{ "/..", 0, NULL },
	{ "/../", 0, NULL },
	{ "/../a", 0, NULL },
	{ "/a/../..", 0, NULL },
	{ "/a/../../b", 0, NULL },
	{ "/a/b/../../../c", 0, NULL },
	{ "/./../", 0, NULL },
	{ "//../", 0, NULL },
	{ "/a/b/c/d/../../../../..", 0, NULL },
	{ "/../../../../etc/passwd", 0, NULL },
	/* encoded dots and slashes are decoded before normalising */
	{ "/%2e%2e", 0, NULL },
	{ "/%2e%2e/", 0, NULL },
	{ "/%2E%2e/", 0, NULL },
	{ "/%2E%2E/x", 0, NULL },
	{ "/.%2e/", 0, NULL },
	{ "/%2e./x", 0, NULL },
	{ "/a/%2e%2e/%2e%2e/x", 0, NULL },
	{ "/a%2f..%2f..%2fb", 0, NULL },
	{ "/..%2f", 0, NULL },
	{ "/%2e%2e%2fetc%2fpasswd", 0, NULL },
	{ "/a/..%2f..%2fetc", 0, NULL },
	{ "/a/%2e%2e/x", 0, "/x" },
	{ "/a%2f..%2fb", 0, "/b" },
	{ "/%2e", 0, "/" },
	{ "/a/%2e", 0, "/a/" },
	{ "/a/b/%2e%2e", 0, "/a/" },
	{ "/a/%2e/b", 0, "/a/b" },
	{ "/a%2fb", 0, "/a/b" },
	{ "/a%2F", 0, "/a/" },
	{ "/a%2f%2f%2fb", 0, "/a/b" },
	{ "/%2e%2e%2e", 0, "/..." },
	/* decoded once only: "%25" is a literal '%' in a name */
	{ "/%252e%252e/", 0, "/%2e%2e/" },
	{ "/%252e", 0, "/%2e" },
	{ "/a/%252e%252e/%252e%252e/x", 0, "/a/%2e%2e/%2e%2e/x" },
	{ "/%25", 0, "/%" },
	{ "/%252f", 0, "/%2f" },
	{ "/%25%32%65", 0, "/%2e" },
	/* a backslash is an ordinary byte */
	{ "/a\\..\\b", 0, "/a\\..\\b" },
	{ "/..\\", 0, "/..\\" },
	{ "/%5c..%5c", 0, "/\\..\\" },
	{ "/\\", 0, "/\\" },
	{ "/..\\..\\etc\\passwd", 0, "/..\\..\\etc\\passwd" },
	/* overlong UTF-8 stays bytes: never a '.' or a '/' */
	{ "/%c0%ae%c0%ae/", 0, "/\xc0\xae\xc0\xae/" },
	{ "/%c0%ae", 0, "/\xc0\xae" },
	{ "/%e0%80%ae/x", 0, "/\xe0\x80\xae/x" },
	{ "/%c0%af", 0, "/\xc0\xaf" },
	{ "/%C0%AE%C0%AE%C0%AFetc", 0, "/\xc0\xae\xc0\xae\xc0\xaf" "etc" },
	{ "/caf%C3%A9", 0, "/caf\xc3\xa9" },
	/* plain escapes */
	{ "/%20", 0, "/ " },
	{ "/%7e", 0, "/~" },
	{ "/%41%42", 0, "/AB" },
	{ "/%ff", 0, "/\xff" },
	/* bad escapes */
	{ "/%", 0, NULL },
	{ "/%2", 0, NULL },
	{ "/a%", 0, NULL },
	{ "/%zz", 0, NULL },
	{ "/%g0", 0, NULL },
	{ "/%0g", 0, NULL },
	{ "/%%32%65", 0, NULL },
	{ "/%-1", 0, NULL },
	{ "/% 2", 0, NULL },
	/* NUL and control bytes, encoded or raw */
	{ "/%00", 0, NULL },
	{ "/a%00.html", 0, NULL },
	{ "/a\0b", 4, NULL },
	{ "/%01", 0, NULL },
	{ "/%1f", 0, NULL },
	{ "/%1F", 0, NULL },
	{ "/%7f", 0, NULL },
	{ "/%7F", 0, NULL },
	{ "/%0a", 0, NULL },
	{ "/%0d%0a", 0, NULL },
	{ "/a\tb", 0, NULL },
	{ "/a\x7f", 0, NULL },
	{ "/a\x1b[0m", 0, NULL },
	/* only len bytes are read */
	{ "/ab", 2, "/a" },
	{ "/%41", 3, NULL },
	{ "/a/..", 4, "/a/" },
	{ "/..x", 3, NULL },
	{ "/a%41", 4, NULL },
	{ "/a%41", 3, NULL },
	{ "/%2e%2e", 6, NULL },
};

/* Run one case with the input in a buffer of exactly its size (ASan). */
static long
path_run(const char *in, size_t len, char *out, size_t outlen)
{
	char	*copy;
	long	 r;

	copy = malloc(len == 0 ? 1 : len);
	cr_assert_not_null(copy);
	memcpy(copy, in, len);
	r = path_normalize(copy, len, out, outlen);
	free(copy);
	return r;
}

/* Every case of the table, in a tight copy and in place. */
Test(path, table)
{
	const struct path_case	*c;
	char			 out[OUTLEN], out2[OUTLEN];
	size_t			 i, len;
	long			 r;

	cr_assert_geq(sizeof(path_cases) / sizeof(path_cases[0]), 60);
	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		c = &path_cases[i];
		len = c->len != 0 ? c->len : strlen(c->in);
		r = path_run(c->in, len, out, sizeof(out));
		/* Again in place, where the bytes past len are still there. */
		cr_expect_eq(path_normalize(c->in, len, out2, sizeof(out2)),
		    r, "case %zu \"%s\" in place", i, c->in);
		if (c->want == NULL) {
			cr_expect_eq(r, -1, "case %zu \"%s\": got %ld, want -1",
			    i, c->in, r);
			continue;
		}
		cr_expect_eq(r, (long)strlen(c->want),
		    "case %zu \"%s\": got %ld, want %zu", i, c->in, r,
		    strlen(c->want));
		if (r >= 0)
			cr_expect_str_eq(out, c->want, "case %zu \"%s\"", i,
			    c->in);
	}
}

/* Fill buf with "/" and n copies of c, then an optional tail. */
static void
path_make(char *buf, size_t n, char c, const char *tail)
{
	buf[0] = '/';
	memset(buf + 1, c, n);
	strcpy(buf + 1 + n, tail);
}

/* A result of exactly outlen - 1 bytes fits; one more does not. */
Test(path, exact_limit)
{
	char	in[64], out[16];

	/* 15 bytes of result is the most a 16-byte buffer holds. */
	path_make(in, 14, 'a', "");
	cr_assert_eq(path_normalize(in, strlen(in), out, sizeof(out)), 15);
	cr_assert_str_eq(out, in);
	path_make(in, 15, 'a', "");
	cr_assert_eq(path_normalize(in, strlen(in), out, sizeof(out)), -1);
}

/* The kept trailing '/' counts against the limit. */
Test(path, exact_limit_trailing_slash)
{
	char	in[64], out[16];

	path_make(in, 13, 'a', "/");
	cr_assert_eq(path_normalize(in, strlen(in), out, sizeof(out)), 15);
	cr_assert_str_eq(out, in);
	path_make(in, 14, 'a', "/");
	cr_assert_eq(path_normalize(in, strlen(in), out, sizeof(out)), -1);
	/* The '/' added for a final "." counts too. */
	path_make(in, 14, 'a', "/.");
	cr_assert_eq(path_normalize(in, strlen(in), out, sizeof(out)), -1);
	path_make(in, 13, 'a', "/.");
	cr_assert_eq(path_normalize(in, strlen(in), out, sizeof(out)), 15);
}

/* The limit is on the result, not on the encoded input. */
Test(path, limit_counts_output_not_input)
{
	char	out[16];
	char	enc[] = "/%61%61%61%61%61%61%61%61%61%61%61%61%61%61";

	/* 43 bytes of input decode to 15 bytes of output: it fits. */
	cr_assert_eq(path_normalize(enc, strlen(enc), out, sizeof(out)), 15);
	cr_assert_str_eq(out, "/aaaaaaaaaaaaaa");
	cr_assert_eq(path_normalize("/./././././././././x", 20, out,
	    sizeof(out)), 2);
	cr_assert_str_eq(out, "/x");
	cr_assert_eq(path_normalize("/a//////////////////b", 21, out,
	    sizeof(out)), 4);
	cr_assert_str_eq(out, "/a/b");
}

/* A PATH_MAX-sized buffer filled to the last byte, and one past. */
Test(path, long_path_max)
{
	char	*in, *out;
	size_t	 outlen = 4096;

	/* A 4095-byte result in a 4096-byte buffer, as one long name. */
	in = malloc(outlen + 2);
	out = malloc(outlen);
	cr_assert(in != NULL && out != NULL);
	path_make(in, outlen - 2, 'x', "");
	cr_assert_eq(path_normalize(in, outlen - 1, out, outlen),
	    (long)outlen - 1);
	cr_assert_eq(memcmp(out, in, outlen - 1), 0);
	cr_assert_eq(out[outlen - 1], '\0');
	path_make(in, outlen - 1, 'x', "");
	cr_assert_eq(path_normalize(in, outlen, out, outlen), -1);
	free(in);
	free(out);
}

/* Buffers too small for anything but the root, and bad arguments. */
Test(path, tiny_buffers)
{
	char	out[2];

	cr_assert_eq(path_normalize("/", 1, out, 0), -1);
	cr_assert_eq(path_normalize("/", 1, out, 1), -1);
	cr_assert_eq(path_normalize("/", 1, out, 2), 1);
	cr_assert_str_eq(out, "/");
	cr_assert_eq(path_normalize("/a", 2, out, 2), -1);
	cr_assert_eq(path_normalize("/a/..", 5, out, 2), -1);
	cr_assert_eq(path_normalize(NULL, 1, out, 2), -1);
}

/* The result is NUL-terminated right after the returned length. */
Test(path, result_is_terminated)
{
	char	out[32];

	memset(out, 'Z', sizeof(out));
	cr_assert_eq(path_normalize("/a/b/../c", 9, out, sizeof(out)), 4);
	cr_assert_eq(out[4], '\0');
	cr_assert_str_eq(out, "/a/c");
}

/* Climbing back exactly as far as we went down is fine; further is not. */
Test(path, deep_nesting)
{
	char	in[2048], out[2048];
	size_t	i, n = 0;

	/* 300 levels down and exactly 300 back up is the root ... */
	for (i = 0; i < 300; i++)
		n += (size_t)sprintf(in + n, "/d");
	for (i = 0; i < 300; i++)
		n += (size_t)sprintf(in + n, "/..");
	cr_assert_eq(path_normalize(in, n, out, sizeof(out)), 1);
	cr_assert_str_eq(out, "/");
	/* ... and one more climbs out. */
	n += (size_t)sprintf(in + n, "/%%2e%%2e");
	cr_assert_eq(path_normalize(in, n, out, sizeof(out)), -1);
}
