/* Unit tests of fcache with fwatch: a watched entry is never revalidated
 * but forgotten by the events of its file; what cannot be watched is
 * revalidated each second as before. */
#include "tine_build.h"

#include <sys/stat.h>

#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fcache.h"
#include "fwatch.h"
#include "mime.h"

#define T0	1000		/* a monotonic second */
#define LATER	(T0 + 60)	/* long past any revalidation */

static char			 dir[64];	/* the temp document root */
static int			 root = -1;
static struct mime		*mime;
static struct config_site	 site;
static struct fcache_budget	 budget = { .max = FCACHE_BYTES };
static struct fcache		*fc;
static struct fwatch		*fw;

/* A temp root, a cache over it and a watch for it. */
static void
setup(void)
{
	strlcpy(dir, "/tmp/tine-fwatch-XXXXXX", sizeof(dir));
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_neq(root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), -1);
	cr_assert_not_null(mime = mime_load(NULL, NULL, 0));
	site.default_type = "application/octet-stream";
	cr_assert_not_null(fc = fcache_create(root, mime, &site, &budget));
	cr_assert_not_null(fw = fwatch_create());
	fcache_set_watch(fc, fw);
}

/* Free them and remove the tree. */
static void
teardown(void)
{
	char	cmd[128];

	fcache_destroy(fc);
	fwatch_destroy(fw);
	mime_free(mime);
	close(root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

/* Write text to rel below the root, through a temp file renamed over it
 * (rename: a new inode, as a deploy makes). */
static void
put(const char *rel, const char *text)
{
	char	path[256], tmp[300];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	cr_assert_not_null(f = fopen(tmp, "we"));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(rename(tmp, path), 0);
}

/* The body the cache answers key with at second now ("" if not found). */
static const char *
body(const char *key, time_t now)
{
	static char	 got[64];
	struct fentry	*e;

	if (fcache_get(fc, key, strlen(key), now, &e) != 0)
		return "";
	snprintf(got, sizeof(got), "%.*s", (int)e->st.st_size,
	    e->data != NULL ? e->data : "");
	fcache_release(fc, e);
	return got;
}

TestSuite(fwatch, .init = setup, .fini = teardown);

Test(fwatch, watched_entry_forgotten_by_its_events_only)
{
	char	path[256];

	cr_assert_eq(mkdir(strcat(strcpy(path, dir), "/sub"), 0755), 0);
	put("sub/a.txt", "one\n");
	cr_assert_str_eq(body("sub/a.txt", T0), "one\n");
	put("sub/a.txt", "two\n");
	/* No stat while watched: until its event is read, the old entry. */
	cr_assert_str_eq(body("sub/a.txt", LATER), "one\n");
	fwatch_read(fw);
	cr_assert_str_eq(body("sub/a.txt", LATER), "two\n");
	cr_assert_eq(unlink(strcat(strcpy(path, dir), "/sub/a.txt")), 0);
	fwatch_read(fw);
	cr_assert_str_eq(body("sub/a.txt", LATER), "");
}

Test(fwatch, moved_directory_forgets_everything)
{
	char	from[256], to[256];

	cr_assert_eq(mkdir(strcat(strcpy(from, dir), "/d1"), 0755), 0);
	cr_assert_eq(mkdir(strcat(strcpy(to, dir), "/d2"), 0755), 0);
	put("d1/x.txt", "d1\n");
	put("d2/x.txt", "d2\n");
	cr_assert_str_eq(body("d1/x.txt", T0), "d1\n");
	/* d1 goes away, d2 takes its name: the path now names d2's file. */
	cr_assert_eq(rename(from, strcat(strcpy(to, dir), "/old")), 0);
	cr_assert_eq(rename(strcat(strcpy(from, dir), "/d2"),
	    strcat(strcpy(to, dir), "/d1")), 0);
	fwatch_read(fw);
	cr_assert_str_eq(body("d1/x.txt", LATER), "d2\n");
}

Test(fwatch, symlinked_file_is_revalidated)
{
	char	path[256];

	put("real.txt", "one\n");
	cr_assert_eq(symlink("real.txt",
	    strcat(strcpy(path, dir), "/link.txt")), 0);
	cr_assert_str_eq(body("link.txt", T0), "one\n");
	put("real.txt", "two\n");
	/* Not watched (a re-pointed link makes no event in its directory):
	 * the same second keeps it, the next one sees the change. */
	cr_assert_str_eq(body("link.txt", T0), "one\n");
	cr_assert_str_eq(body("link.txt", T0 + 1), "two\n");
}

Test(fwatch, directory_permissions_forget_its_files)
{
	struct fentry	*e;
	char		 path[256];

	cr_assert_eq(mkdir(strcat(strcpy(path, dir), "/sub"), 0755), 0);
	put("sub/a.txt", "one\n");
	cr_assert_eq(fcache_get(fc, "sub/a.txt", 9, T0, &e), 0);
	/* The workers' user may no longer enter it: its files must be
	 * opened again (root, running this, still can: the entry shows it). */
	cr_assert_eq(chmod(path, 0700), 0);
	fwatch_read(fw);
	cr_expect(e->dead, "the entry survived its directory's chmod");
	fcache_release(fc, e);
}

/* A watch is added from inside its directory; the process must not stay
 * there (a worker's core file would land in the document root). */
Test(fwatch, working_directory_is_left_alone)
{
	char	path[256], before[PATH_MAX], after[PATH_MAX];

	cr_assert_not_null(getcwd(before, sizeof(before)));
	cr_assert_eq(mkdir(strcat(strcpy(path, dir), "/sub"), 0755), 0);
	put("sub/a.txt", "one\n");
	cr_assert_str_eq(body("sub/a.txt", T0), "one\n");
	cr_assert_not_null(getcwd(after, sizeof(after)));
	cr_assert_str_eq(after, before);
}
