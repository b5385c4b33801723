/* Unit tests of fcache's memory budget: one for all of a worker's caches
 * (one per site), not one each, shared so a busy site gets the room. */
#include "tine_build.h"

#include <sys/stat.h>

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fcache.h"
#include "mime.h"

#define T0	1000		/* a monotonic second: no revalidation within */
#define NROOTS	4		/* sites, each its own cache */
#define NFILES	24		/* files in each */
#define FSIZE	(20 * 1024)	/* small enough to be held in memory */
#define BUDGET	(8 * FSIZE)	/* far less than the files of one site */

static char			 dir[64];	/* the temp tree: a root each */
static int			 roots[NROOTS];
static struct mime		*mime;
static struct config_site	 site;
static struct fcache_budget	 budget = { .max = BUDGET };
static struct fcache		*caches[NROOTS];

/* Write FSIZE bytes of c to root r's file i. */
static void
put(int r, int i, char c)
{
	char	path[128], *data;
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%d/f%d", dir, r, i);
	cr_assert_not_null(data = malloc(FSIZE));
	memset(data, c, FSIZE);
	cr_assert_not_null(f = fopen(path, "w"));
	cr_assert_eq(fwrite(data, 1, FSIZE, f), FSIZE);
	cr_assert_eq(fclose(f), 0);
	free(data);
}

/* Get root r's file i (at T0), check it is in memory, and give it back;
 * returns its first byte. */
static char
get(int r, int i)
{
	char		 key[16];
	struct fentry	*e;
	char		 c;

	snprintf(key, sizeof(key), "f%d", i);
	cr_assert_eq(fcache_get(caches[r], key, strlen(key), T0, &e), 0);
	cr_assert_not_null(e->data, "a %d-byte file is held in memory", FSIZE);
	c = e->data[0];
	fcache_release(caches[r], e);
	return c;
}

/* NROOTS roots of NFILES files each, a cache over each, one budget. */
static void
setup(void)
{
	char	path[128];
	int	r, i;

	strlcpy(dir, "/tmp/tine-fcache-XXXXXX", sizeof(dir));
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_not_null(mime = mime_load(NULL, NULL, 0));
	site.default_type = "application/octet-stream";
	for (r = 0; r < NROOTS; r++) {
		snprintf(path, sizeof(path), "%s/%d", dir, r);
		cr_assert_eq(mkdir(path, 0755), 0);
		for (i = 0; i < NFILES; i++)
			put(r, i, 'a');
		cr_assert_neq(roots[r] = open(path, O_PATH | O_DIRECTORY |
		    O_CLOEXEC), -1);
		cr_assert_not_null(caches[r] = fcache_create(roots[r], mime,
		    &site, &budget));
	}
}

/* Free them and remove the tree. */
static void
teardown(void)
{
	char	cmd[128];
	int	r;

	for (r = 0; r < NROOTS; r++) {
		fcache_destroy(caches[r]);
		close(roots[r]);
	}
	cr_expect_eq(budget.nbytes, 0, "the caches gave back what they held");
	cr_expect_null(budget.caches);
	mime_free(mime);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(fcache, .init = setup, .fini = teardown);

/* Every file of every site, twice: the caches together stay within the
 * one budget (each alone would stay within it, together four times). */
Test(fcache, several_sites_share_one_budget)
{
	int	pass, r, i;

	for (pass = 0; pass < 2; pass++)
		for (r = 0; r < NROOTS; r++)
			for (i = 0; i < NFILES; i++) {
				get(r, i);
				cr_assert_leq(budget.nbytes, BUDGET,
				    "site %d file %d: %zu bytes held over a "
				    "budget of %d", r, i, budget.nbytes,
				    BUDGET);
			}
	cr_assert_gt(budget.nbytes, BUDGET / 2, "the budget is used");
}

/* A busy site next to one that filled the budget before it: the room is
 * shared, by evicting from whichever holds the most, so the busy site's
 * recent files stay cached (evicting only from the cache that grows would
 * leave it one file), and so do the other's most recent. */
Test(fcache, busy_site_gets_room_from_a_full_one)
{
	int	i;

	for (i = 0; i < NFILES; i++)
		get(1, i);
	put(1, NFILES - 1, 'b');	/* a hit still answers 'a' (no stat
					 * within T0), a new load 'b' */
	for (i = 0; i < NFILES; i++)
		get(0, i);
	for (i = NFILES - 3; i < NFILES; i++) {
		put(0, i, 'b');
		cr_assert_eq(get(0, i), 'a', "the busy site's recent file %d "
		    "stayed cached", i);
	}
	cr_assert_eq(get(1, NFILES - 1), 'a', "the other site's last file "
	    "stayed cached");
}
