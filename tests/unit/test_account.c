/* Unit tests for common/account.c: the answer's wire format, and a lookup in a child that leaves the name service out of this process. */
#include "tine_build.h"

#include <sys/wait.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "account.h"
#include "buf.h"

/* An answer with three supplementary groups, every field set. */
static void
answer_sample(struct account_ids *ids, gid_t *groups)
{
	memset(ids, 0, sizeof(*ids));
	groups[0] = 33;
	groups[1] = 4;
	groups[2] = 100000;
	ids->found = true;
	ids->user = 1;
	ids->uid = 65534;
	ids->gid = 33;
	ids->group_found = true;
	ids->log_found = true;
	ids->log_gid = 4;
	ids->groups = groups;
	ids->ngroups = 3;
}

/* ids on the wire into mem (of cap bytes); its length. */
static size_t
answer_encode(const struct account_ids *ids, char *mem, size_t cap)
{
	struct buf	b;

	buf_init(&b, mem, cap);
	account_encode(ids, &b);
	cr_assert(buf_ok(&b));
	return b.len;
}

Test(account, round_trip)
{
	struct account_ids	ids, out;
	gid_t			groups[3];
	char			mem[256];
	size_t			n;

	answer_sample(&ids, groups);
	n = answer_encode(&ids, mem, sizeof(mem));
	cr_assert_eq(n, ACCOUNT_WIRE_HEAD + 3 * 4);
	cr_assert_eq(account_decode(mem, n, &out), 0);
	cr_expect(out.found);
	cr_expect_eq(out.user, 1);
	cr_expect_eq(out.uid, 65534);
	cr_expect_eq(out.gid, 33);
	cr_expect(out.group_found);
	cr_expect(out.log_found);
	cr_expect_eq(out.log_gid, 4);
	cr_assert_eq(out.ngroups, 3);
	cr_expect_arr_eq(out.groups, groups, sizeof(groups));
	cr_expect_null(out.name);
	account_free(&out);
	account_free(&out);
}

/* Nothing found, no group: the smallest answer. */
Test(account, empty_answer)
{
	struct account_ids	ids, out;
	char			mem[64];
	size_t			n;

	memset(&ids, 0, sizeof(ids));
	n = answer_encode(&ids, mem, sizeof(mem));
	cr_assert_eq(n, ACCOUNT_WIRE_HEAD);
	cr_assert_eq(account_decode(mem, n, &out), 0);
	cr_expect(!out.found);
	cr_expect(!out.group_found);
	cr_expect(!out.log_found);
	cr_expect_eq(out.ngroups, 0);
	cr_expect_null(out.groups);
}

/* Every cut short of the whole answer is refused, leaving nothing held. */
Test(account, truncated_refused)
{
	struct account_ids	ids, out;
	gid_t			groups[3];
	char			mem[256];
	size_t			n, i;

	answer_sample(&ids, groups);
	n = answer_encode(&ids, mem, sizeof(mem));
	for (i = 0; i < n; i++) {
		cr_expect_eq(account_decode(mem, i, &out), -1, "%zu of %zu "
		    "bytes taken", i, n);
		cr_expect_null(out.groups);
	}
	cr_expect_eq(account_decode(NULL, 0, &out), -1);
}

/* Bytes past what the count says, or a count past the limit: refused. */
Test(account, oversized_refused)
{
	struct account_ids	ids, out;
	gid_t			groups[3];
	char			mem[256];
	uint32_t		big = ACCOUNT_GROUPS_MAX + 1;
	size_t			n;

	answer_sample(&ids, groups);
	n = answer_encode(&ids, mem, sizeof(mem));
	memset(mem + n, 0, 8);
	cr_expect_eq(account_decode(mem, n + 1, &out), -1);
	cr_expect_eq(account_decode(mem, n + 4, &out), -1);
	/* The count says more than are there. */
	ids.ngroups = 2;
	n = answer_encode(&ids, mem, sizeof(mem));
	cr_expect_eq(account_decode(mem, n + 4, &out), -1);
	cr_expect_eq(account_decode(mem, n, &out), 0);
	account_free(&out);
	/* A count past Linux's limit, whatever follows. */
	memcpy(mem + 6 * 4, &big, sizeof(big));
	cr_expect_eq(account_decode(mem, n, &out), -1);
	cr_expect_null(out.groups);
}

/* A word of the head set to v in an otherwise good answer, decoded. */
static int
answer_with(size_t word, uint32_t v)
{
	struct account_ids	ids, out;
	gid_t			groups[3];
	char			mem[256];
	size_t			n;
	int			r;

	answer_sample(&ids, groups);
	n = answer_encode(&ids, mem, sizeof(mem));
	memcpy(mem + word * 4, &v, sizeof(v));
	r = account_decode(mem, n, &out);
	account_free(&out);
	return r;
}

Test(account, inconsistent_refused)
{
	cr_expect_eq(answer_with(0, 0x12345678), -1, "wrong magic");
	cr_expect_eq(answer_with(1, ACCOUNT_USERS + 1), -1, "no such "
	    "candidate");
	cr_expect_eq(answer_with(4, 0x4), -1, "unknown flag");
	cr_expect_eq(answer_with(1, ACCOUNT_USERS), 0);
}

/* Whether this process maps a library whose path holds what. */
static bool
self_maps(const char *what)
{
	char	 line[512];
	bool	 found = false;
	FILE	*f;

	cr_assert_not_null(f = fopen("/proc/self/maps", "r"));
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

/* A real lookup: root is uid 0, a missing first candidate falls to the
 * next, a missing group is an answer; no child is left and the name
 * service's modules stay out of this process. */
Test(account, resolve_in_child)
{
	struct account_query	q = { .users = { "tine-no-such-user",
	    "root" }, .group = "root", .log_group = "tine-no-such-group" };
	struct account_ids	ids;
	char			err[ACCOUNT_ERR_MAX];
	int			status;

	cr_assert(!self_maps("libnss_"), "libnss_ mapped before the test");
	cr_assert_eq(account_resolve(&q, &ids, err, sizeof(err)), 0, "%s",
	    err);
	cr_expect(ids.found);
	cr_expect_eq(ids.user, 1);
	cr_expect_str_eq(ids.name, "root");
	cr_expect_eq(ids.uid, 0);
	cr_expect_eq(ids.gid, 0);
	cr_expect(ids.group_found);
	cr_expect(!ids.log_found);
	cr_expect_geq(ids.ngroups, 1);
	cr_expect_eq(ids.groups[0], 0, "the primary group comes first");
	account_free(&ids);
	cr_expect_eq(waitpid(-1, &status, WNOHANG), -1, "a child was left");
	cr_expect_eq(errno, ECHILD);
	cr_expect(!self_maps("libnss_"), "the lookup loaded libnss_ here");
}

/* No candidate exists: an answer naming the last one, not an error. */
Test(account, resolve_nobody_found)
{
	struct account_query	q = { .users = { "tine-no-such-user" } };
	struct account_ids	ids;
	char			err[ACCOUNT_ERR_MAX];

	cr_assert_eq(account_resolve(&q, &ids, err, sizeof(err)), 0, "%s",
	    err);
	cr_expect(!ids.found);
	cr_expect_str_eq(ids.name, "tine-no-such-user");
	cr_expect_eq(ids.ngroups, 0);
	account_free(&ids);
}
