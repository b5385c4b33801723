/* Unit tests for common/htpasswd.c: password files and checking a password. */
#include "tine_build.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "htpasswd.h"

/* A hash of pass made by libcrypt with this prefix and cost, into out. */
static void
make_hash(const char *prefix, unsigned long cost, const char *pass,
    char *out, size_t len)
{
	char			salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data	cd;

	memset(&cd, 0, sizeof(cd));
	cr_assert_not_null(crypt_gensalt_rn(prefix, cost, NULL, 0, salt,
	    sizeof(salt)), "gensalt %s", prefix);
	cr_assert_not_null(crypt_r(pass, salt, &cd));
	cr_assert(strlen(cd.output) < len);
	strcpy(out, cd.output);
}

/* Parse a NUL-terminated text; NULL with the error in err. */
static struct htpasswd *
parse(const char *text, char *err)
{
	err[0] = '\0';
	return htpasswd_parse(text, strlen(text), "pw", err,
	    HTPASSWD_ERR_MAX);
}

/* Every kind taken, with comments, blank lines, CRLF, a comment field. */
Test(htpasswd, kinds_and_layout)
{
	char			 b[128], s5[128], s6[160], y[160];
	char			 text[1024];
	char			 err[HTPASSWD_ERR_MAX];
	struct crypt_data	 cd;
	struct htpasswd		*hp;
	const struct htpasswd_user *u;

	make_hash("$2y$", 4, "pw-b", b, sizeof(b));
	make_hash("$5$", 1000, "pw-5", s5, sizeof(s5));
	make_hash("$6$", 0, "pw-6", s6, sizeof(s6));
	make_hash("$y$", 0, "pw-y", y, sizeof(y));
	snprintf(text, sizeof(text), "# users\n\nzed:%s\r\nbob:%s:a comment\n"
	    "  \n#x:y\nal:%s  \nyes:%s", b, s5, s6, y);
	cr_assert_not_null(hp = parse(text, err), "%s", err);
	cr_expect_eq(hp->n, 4);
	cr_expect_str_eq(hp->users[0].name, "al");	/* sorted */
	memset(&cd, 0, sizeof(cd));
	cr_assert_not_null(u = htpasswd_find(hp, "zed"));
	cr_expect_eq(u->line, 3);
	cr_expect_str_eq(u->hash, b);		/* CR cut */
	cr_expect(htpasswd_check(u->hash, "pw-b", &cd));
	cr_expect(!htpasswd_check(u->hash, "pw-B", &cd));
	cr_expect(!htpasswd_check(u->hash, "", &cd));
	cr_assert_not_null(u = htpasswd_find(hp, "bob"));
	cr_expect_str_eq(u->hash, s5);		/* comment cut */
	cr_expect(htpasswd_check(u->hash, "pw-5", &cd));
	cr_expect(!htpasswd_check(u->hash, "pw-6", &cd));
	cr_assert_not_null(u = htpasswd_find(hp, "al"));
	cr_expect(htpasswd_check(u->hash, "pw-6", &cd));
	cr_assert_not_null(u = htpasswd_find(hp, "yes"));
	cr_expect(htpasswd_check(u->hash, "pw-y", &cd));
	cr_expect_null(htpasswd_find(hp, "Bob"));
	cr_expect_null(htpasswd_find(hp, ""));
	cr_expect_null(htpasswd_find(hp, "#x"));
	htpasswd_free(hp);
}

/* Each refused line names the file and its line, never its hash. */
Test(htpasswd, refused_lines)
{
	static const struct { const char *line, *want; } c[] = {
		{ "u:$apr1$abcdefgh$0123456789012345678901", "MD5" },
		{ "u:$1$abcdefgh$0123456789012345678901", "MD5" },
		{ "u:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=", "SHA-1" },
		{ "u:abJnggxhB/yWI", "DES" },
		{ "u:hunter2", "plain password" },
		{ "u:", "plain password" },
		{ "no colon here", "user:hash" },
		{ ":$5$rounds=1000$salt$012345678901234567890123456789012345"
		  "6789012", "empty user" },
		{ "u\x01:$2y$05$0123456789012345678901234567890123456789012345"
		  "6789012", "control" },
		{ "u:$2y$13$01234567890123456789012345678901234567890123456789"
		  "012", "cost over 12" },
		{ "u:$2y$03$01234567890123456789012345678901234567890123456789"
		  "012", "04..31" },
		{ "u:$2y$05$0123456789012345678901234567890123456789",
		  "bcrypt" },
		{ "u:$2y$05$01234567890123456789012345678901234567890123456789"
		  "01!", "bcrypt" },
		{ "u:$2x$05$01234567890123456789012345678901234567890123456789"
		  "012", "plain password" },
		{ "u:$5$rounds=999$salt$01234567890123456789012345678901234567"
		  "89012", "below 1000" },
		{ "u:$5$rounds=2000000$salt$0123456789012345678901234567890123"
		  "456789012", "over 1000000" },
		{ "u:$5$rounds=01000$salt$0123456789012345678901234567890123456"
		  "789012", "rounds=" },
		{ "u:$5$salt$0123456789", "SHA-crypt" },
		{ "u:$6$salt$0123456789012345678901234567890123456789012",
		  "SHA-crypt" },
		{ "u:$5$$0123456789012345678901234567890123456789012",
		  "SHA-crypt" },
		{ "u:$y$j9T$$abc", "yescrypt" },
	};
	char		 text[256], err[HTPASSWD_ERR_MAX], want[64];
	const char	*hash;
	size_t		 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(text, sizeof(text), "# first\nok:$5$rounds=1000$s$"
		    "0123456789012345678901234567890123456789012\n%s\n",
		    c[i].line);
		cr_expect_null(parse(text, err), "case %zu taken", i);
		snprintf(want, sizeof(want), "pw:3: ");
		cr_expect(strncmp(err, want, strlen(want)) == 0, "case %zu: %s",
		    i, err);
		cr_expect_not_null(strstr(err, c[i].want), "case %zu: want %s "
		    "in %s", i, c[i].want, err);
		hash = strchr(c[i].line, ':');
		if (hash != NULL && strlen(hash + 1) > 3)
			cr_expect_null(strstr(err, hash + 1), "case %zu shows "
			    "its hash: %s", i, err);
	}
}

Test(htpasswd, refused_files)
{
	static const char	dup[] = "a:$5$rounds=1000$s$012345678901234567"
	    "8901234567890123456789012\n\nb:$5$rounds=1000$s$012345678901234"
	    "5678901234567890123456789012\na:$5$rounds=1000$t$01234567890123"
	    "45678901234567890123456789012\n";
	static const char	nul[] = "a:$5$rounds=1000$s$012345678901234567"
	    "8901234567890123456789012\nb:x\0y\n";
	char			err[HTPASSWD_ERR_MAX];

	cr_expect_null(parse(dup, err));
	cr_expect_str_eq(err, "pw:4: has the user of line 1 again");
	cr_expect_null(htpasswd_parse(nul, sizeof(nul) - 1, "pw", err,
	    sizeof(err)));
	cr_expect_str_eq(err, "pw:2: has a NUL byte");
	cr_expect_null(parse("", err));
	cr_expect_str_eq(err, "pw: has no \"user:hash\" line");
	cr_expect_null(parse("# only a comment\n\n", err));
	cr_expect_not_null(strstr(err, "no \"user:hash\" line"));
}

/* A file is read whole; a missing or odd one is named with the reason. */
Test(htpasswd, load)
{
	char		 dir[] = "/tmp/tine-htpasswd-XXXXXX", path[64];
	char		 hash[128], err[HTPASSWD_ERR_MAX];
	struct htpasswd	*hp;
	FILE		*f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/users", dir);
	make_hash("$2b$", 4, "s3cret", hash, sizeof(hash));
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "carol:%s\n", hash);
	fclose(f);
	cr_assert_not_null(hp = htpasswd_load(path, err, sizeof(err)), "%s",
	    err);
	cr_expect_eq(hp->n, 1);
	/* Shared by two sites: freed by the second. */
	cr_expect_eq(htpasswd_ref(hp), hp);
	cr_expect_eq(hp->refs, 2);
	htpasswd_free(hp);
	cr_expect_eq(hp->refs, 1);
	htpasswd_free(hp);
	htpasswd_free(NULL);
	cr_expect_null(htpasswd_load(dir, err, sizeof(err)));
	cr_expect_not_null(strstr(err, "is not a regular file"), "%s", err);
	unlink(path);
	cr_expect_null(htpasswd_load(path, err, sizeof(err)));
	cr_expect_not_null(strstr(err, path), "%s", err);
	cr_expect_not_null(strstr(err, "No such file"), "%s", err);
	rmdir(dir);
}
