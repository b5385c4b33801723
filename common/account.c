/* account: user and group names resolved in a short-lived child, so that the name service's modules (libnss_*) are never mapped in the master or its workers. */
#include "tine_build.h"

#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "buf.h"
#include "child.h"

/*
 * Why a child at all: getpwnam(3) and friends dlopen the modules nsswitch.conf
 * names (libnss_systemd, libnss_sss ...) and nothing ever unloads them;
 * in the master they would stay mapped for its whole life, and every worker
 * would inherit them (some 300 KiB of the tree's idle PSS).
 */

#define ACCOUNT_MAGIC		0x74696e31u	/* "tin1": same binary, same layout */
#define ACCOUNT_GROUP_FOUND	0x1u
#define ACCOUNT_LOG_FOUND	0x2u

/* Append one 32-bit word in host order. */
static void
account_put(struct buf *b, uint32_t v)
{
	buf_add(b, &v, sizeof(v));
}

/* Word i of an answer already known to hold it. */
static uint32_t
account_word(const unsigned char *p, size_t i)
{
	uint32_t	v;

	memcpy(&v, p + i * 4, sizeof(v));
	return v;
}

/* Append ids on the wire to b (see account.h). */
void
account_encode(const struct account_ids *ids, struct buf *b)
{
	int	i;

	account_put(b, ACCOUNT_MAGIC);
	account_put(b, ids->found ? (uint32_t)ids->user + 1 : 0);
	account_put(b, (uint32_t)ids->uid);
	account_put(b, (uint32_t)ids->gid);
	account_put(b, (ids->group_found ? ACCOUNT_GROUP_FOUND : 0) |
	    (ids->log_found ? ACCOUNT_LOG_FOUND : 0));
	account_put(b, (uint32_t)ids->log_gid);
	account_put(b, (uint32_t)ids->ngroups);
	for (i = 0; i < ids->ngroups; i++)
		account_put(b, (uint32_t)ids->groups[i]);
}

/* Read an answer of exactly len bytes into ids (see account.h). */
int
account_decode(const void *data, size_t len, struct account_ids *ids)
{
	const unsigned char	*p = data;
	uint32_t		 user, flags, n, i;

	memset(ids, 0, sizeof(*ids));
	if (len < ACCOUNT_WIRE_HEAD || account_word(p, 0) != ACCOUNT_MAGIC)
		return -1;
	user = account_word(p, 1);
	flags = account_word(p, 4);
	n = account_word(p, 6);
	/* n is checked before it sizes anything: a wrong count is refused,
	 * whether the bytes after it are too few or too many. */
	if (user > ACCOUNT_USERS || (flags & ~(ACCOUNT_GROUP_FOUND |
	    ACCOUNT_LOG_FOUND)) != 0 || n > ACCOUNT_GROUPS_MAX ||
	    len != ACCOUNT_WIRE_HEAD + (size_t)n * 4)
		return -1;
	if (n > 0 && (ids->groups = calloc(n, sizeof(gid_t))) == NULL)
		return -1;
	ids->found = user > 0;
	ids->user = user > 0 ? (int)user - 1 : 0;
	ids->uid = (uid_t)account_word(p, 2);
	ids->gid = (gid_t)account_word(p, 3);
	ids->group_found = (flags & ACCOUNT_GROUP_FOUND) != 0;
	ids->log_found = (flags & ACCOUNT_LOG_FOUND) != 0;
	ids->log_gid = (gid_t)account_word(p, 5);
	for (i = 0; i < n; i++)
		ids->groups[i] = (gid_t)account_word(p, ACCOUNT_WIRE_HEAD / 4 +
		    i);
	ids->ngroups = (int)n;
	return 0;
}

/* Release what an answer owns. */
void
account_free(struct account_ids *ids)
{
	free(ids->name);
	free(ids->groups);
	ids->name = NULL;
	ids->groups = NULL;
	ids->ngroups = 0;
}

/* In the child: the groups initgroups(3) would give name with primary
 * group ids->gid, into ids; -1 without memory or past the wire's limit. */
static int
account_grouplist(const char *name, struct account_ids *ids)
{
	gid_t	*v;
	int	 n = 16, had;

	for (;;) {
		if (n > ACCOUNT_GROUPS_MAX)
			return -1;
		if ((v = reallocarray(ids->groups, (size_t)n,
		    sizeof(*v))) == NULL)
			return -1;
		ids->groups = v;
		had = n;
		/* Short, it says in n how many there are. */
		if (getgrouplist(name, ids->gid, v, &n) != -1)
			break;
		if (n <= had)
			n = had * 2;
	}
	ids->ngroups = n;
	return 0;
}

/* In the child: look q up into ids; -1 when the answer cannot be made. */
static int
account_lookup(const struct account_query *q, struct account_ids *ids)
{
	struct passwd	*pw = NULL;
	struct group	*gr;
	int		 i;

	memset(ids, 0, sizeof(*ids));
	for (i = 0; i < ACCOUNT_USERS && q->users[i] != NULL && pw == NULL;
	    i++)
		if ((pw = getpwnam(q->users[i])) != NULL) {
			ids->found = true;
			ids->user = i;
			ids->uid = pw->pw_uid;
			ids->gid = pw->pw_gid;
		}
	if (q->group != NULL && (gr = getgrnam(q->group)) != NULL) {
		ids->group_found = true;
		ids->gid = gr->gr_gid;
	}
	if (q->log_group != NULL && (gr = getgrnam(q->log_group)) != NULL) {
		ids->log_found = true;
		ids->log_gid = gr->gr_gid;
	}
	if (ids->found)
		return account_grouplist(q->users[ids->user], ids);
	return 0;
}

/* In the child: look q up and put the answer on the wire into b; -1
 * when it cannot be made. */
static int
account_child(const void *arg, struct buf *b)
{
	struct account_ids	ids;

	if (account_lookup(arg, &ids) == -1)
		return -1;
	account_encode(&ids, b);
	return 0;
}

/* Turn the child's bytes into ids, the user's name added; 0 or -1. */
static int
account_answer(const struct account_query *q, const char *mem, size_t got,
    struct account_ids *ids, char *err, size_t len)
{
	int	n = 0, who;

	while (n < ACCOUNT_USERS && q->users[n] != NULL)
		n++;
	if (account_decode(mem, got, ids) == -1 || (ids->found &&
	    ids->user >= n)) {
		account_free(ids);
		snprintf(err, len, "the lookup's answer is malformed");
		return -1;
	}
	/* None found: the last candidate, the one a message names. */
	who = ids->found ? ids->user : n - 1;
	if (who >= 0 && (ids->name = strdup(q->users[who])) == NULL) {
		account_free(ids);
		snprintf(err, len, "out of memory");
		return -1;
	}
	return 0;
}

/* Resolve q in a forked child (see account.h). */
int
account_resolve(const struct account_query *q, struct account_ids *ids,
    char *err, size_t len)
{
	char	*mem;
	size_t	 got;
	int	 rc;

	memset(ids, 0, sizeof(*ids));
	if (child_run(account_child, q, ACCOUNT_WIRE_MAX, ACCOUNT_TIMEOUT_MS,
	    "the lookup", &mem, &got, err, len) == -1)
		return -1;
	rc = account_answer(q, mem, got, ids, err, len);
	free(mem);
	return rc;
}
