/* Unit tests for common/auth.c: Basic credentials from an Authorization value. */
#include "tine_build.h"

#include <string.h>

#include <criterion/criterion.h>

#include "auth.h"
#include "../b64.h"

/* Parse a NUL-terminated value; its result, out filled on 0. */
static int
parse(const char *v, struct auth_basic *out)
{
	memset(out, 'x', sizeof(*out));
	return auth_basic_parse(v, strlen(v), out);
}

/* v must give this user and password. */
static void
expect_ok(const char *v, const char *user, const char *pass)
{
	struct auth_basic	c;

	cr_expect_eq(parse(v, &c), 0, "refused: %s", v);
	cr_expect_str_eq(c.user, user, "%s", v);
	cr_expect_str_eq(c.pass, pass, "%s", v);
}

Test(auth, basic_credentials)
{
	/* RFC 7617's example. */
	expect_ok("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin",
	    "open sesame");
	/* The scheme in any case, one or more spaces. */
	expect_ok("basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin",
	    "open sesame");
	expect_ok("BASIC   QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin",
	    "open sesame");
	/* Each padding: "a:b" "ab:c" "ab:cd" (0, 1 and 2 '='). */
	expect_ok("Basic YTpi", "a", "b");
	expect_ok("Basic YWI6Yw==", "ab", "c");
	expect_ok("Basic YWI6Y2Q=", "ab", "cd");
	/* Split at the first ':'; the password may hold more, or be empty. */
	expect_ok("Basic dTpwOnE6cg==", "u", "p:q:r");
	expect_ok("Basic dTo=", "u", "");
	/* UTF-8 (charset="UTF-8"): "é:ü". */
	expect_ok("Basic w6k6w7w=", "\xc3\xa9", "\xc3\xbc");
	/* Every base64 character, '+' and '/' included: "u:>?~" */
	expect_ok("Basic dTo+P34=", "u", ">?~");
}

Test(auth, refused)
{
	static const char *const bad[] = {
		"",
		"Basic",
		"Basic ",
		"Basic  ",
		"Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
		"Digest username=\"a\"",
		"Basicx QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
		"BasicQWxhZGRpbjpvcGVuIHNlc2FtZQ==",
		"Basic\tQWxhZGRpbjpvcGVuIHNlc2FtZQ==",	/* 1*SP only */
		"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ",	/* no padding */
		"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=",	/* short padding */
		"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ===",
		"Basic QWxhZGRpbjpvcGVuIHNlc2FtZ=Q=",	/* '=' inside */
		"Basic QWxh ZGRpbjpvcGVuIHNlc2FtZQ==",	/* a space inside */
		"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== x",
		"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ-_",	/* base64url */
		"Basic QWxhZGRpbjpvcGVuIHNlc2FtZR==",	/* bits past the data */
		"Basic YWI6Y2R=",			/* bits past the data */
		"Basic ====",
		"Basic =",
		"Basic YWJj",				/* "abc": no ':' */
		"Basic OnA=",				/* ":p": no user */
		"Basic dQB4OnA=",			/* "u\0x:p": a NUL */
		"Basic dTpwCg==",			/* "u:p\n": a control */
		"Basic dTpwfw==",			/* "u:p\x7f": DEL */
	};
	struct auth_basic	c;
	size_t			i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(parse(bad[i], &c), -1, "taken: \"%s\"", bad[i]);
}

/* A value is read within its length only: no NUL needed at its end. */
Test(auth, bounded_by_length)
{
	static const char	v[] = "Basic YTpiYTpi";	/* "a:ba:b" */
	struct auth_basic	c;

	cr_expect_eq(auth_basic_parse(v, 10, &c), 0);	/* "Basic YTpi" */
	cr_expect_str_eq(c.user, "a");
	cr_expect_str_eq(c.pass, "b");
	cr_expect_eq(auth_basic_parse(v, 5, &c), -1);
	cr_expect_eq(auth_basic_parse(v, 0, &c), -1);
}

/* The longest user and password pass; one byte more of either does not. */
Test(auth, length_limits)
{
	char			plain[AUTH_USER_MAX + AUTH_PASS_MAX + 4];
	char			v[AUTH_TOKEN_MAX + 16];
	struct auth_basic	c;
	size_t			u, p;

	for (u = AUTH_USER_MAX; u <= AUTH_USER_MAX + 1; u++)
		for (p = AUTH_PASS_MAX; p <= AUTH_PASS_MAX + 1; p++) {
			memset(plain, 'u', u);
			plain[u] = ':';
			memset(plain + u + 1, 'p', p);
			strcpy(v, "Basic ");
			b64_encode(plain, u + 1 + p, v + 6);
			if (u > AUTH_USER_MAX || p > AUTH_PASS_MAX) {
				cr_expect_eq(parse(v, &c), -1, "user %zu, "
				    "password %zu taken", u, p);
				continue;
			}
			cr_expect_eq(parse(v, &c), 0);
			cr_expect_eq(strlen(c.user), AUTH_USER_MAX);
			cr_expect_eq(strlen(c.pass), AUTH_PASS_MAX);
		}
}

Test(auth, equal_compares_every_byte)
{
	cr_expect(auth_equal("abcdef", "abcdef", 6));
	cr_expect(!auth_equal("abcdef", "abcdeg", 6));
	cr_expect(!auth_equal("xbcdef", "abcdef", 6));
	cr_expect(auth_equal("abc", "abd", 2));
	cr_expect(auth_equal("", "", 0));
}
