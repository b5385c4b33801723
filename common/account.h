/* account: user and group names resolved in a short-lived child, so that the name service's modules (libnss_*) are never mapped in the master or its workers. */
#ifndef TINE_ACCOUNT_H
#define TINE_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct buf;

#define ACCOUNT_USERS		2	/* candidates for the user, in order */
#define ACCOUNT_GROUPS_MAX	65536	/* Linux's NGROUPS_MAX */
#define ACCOUNT_TIMEOUT_MS	10000	/* the whole lookup, child and all */
#define ACCOUNT_ERR_MAX		256

/* Fixed part of an answer on the pipe: 7 host-order 32-bit words, then
 * one per supplementary group (both ends are the same binary). */
#define ACCOUNT_WIRE_HEAD	(7 * 4)
#define ACCOUNT_WIRE_MAX	(ACCOUNT_WIRE_HEAD + ACCOUNT_GROUPS_MAX * 4)

/* What one config load needs looked up, all in one child. */
struct account_query {
	const char	*users[ACCOUNT_USERS];	/* the first that exists is
						 * the user; a NULL ends them */
	const char	*group;		/* NULL: the user's primary group */
	const char	*log_group;	/* NULL: none */
};

/*
 * The answer. name is malloc'd: the user found, or the last candidate
 * when none exists (for the message); groups is malloc'd, the list
 * initgroups(3) would set for name and gid. Free with account_free().
 */
struct account_ids {
	bool		 found;		/* a candidate user exists */
	int		 user;		/* its index in the query's users */
	char		*name;
	uid_t		 uid;
	gid_t		 gid;		/* the group's, else the user's primary */
	bool		 group_found;	/* the query's group exists */
	bool		 log_found;	/* the query's log_group exists */
	gid_t		 log_gid;
	gid_t		*groups;
	int		 ngroups;
};

/*
 * Resolve q in a forked child that writes the answer on a pipe and exits;
 * the whole exchange is bounded by ACCOUNT_TIMEOUT_MS. A name that does
 * not exist is an answer (found flags false), not an error. 0, or -1 with
 * a message in err.
 */
int	account_resolve(const struct account_query *q,
	    struct account_ids *ids, char *err, size_t len);

/* Release what an answer owns; ids stays safe to free again. */
void	account_free(struct account_ids *ids);

/* Append ids on the wire to b (not name: the parent knows the query). */
void	account_encode(const struct account_ids *ids, struct buf *b);

/* Read an answer of exactly len bytes into ids (name NULL); -1 when it is
 * truncated, too long or inconsistent, with nothing to free then. */
int	account_decode(const void *data, size_t len, struct account_ids *ids);

#endif
