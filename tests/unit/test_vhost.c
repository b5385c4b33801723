/* Unit tests for common/vhost.c: which site a host names. */
#include "tine_build.h"

#include <string.h>

#include <criterion/criterion.h>

#include "config.h"
#include "vhost.h"

/* Sites 1..4: a.test (+ www.a.test), *.b.test, x.b.test, *.test. */
static char		*names1[] = { "a.test", "www.a.test" };
static char		*names2[] = { "*.b.test" };
static char		*names3[] = { "x.b.test" };
static char		*names4[] = { "*.test" };
static struct config_site sites[] = {
	{ .name = NULL },
	{ .name = "a.test", .names = names1, .nnames = 2 },
	{ .name = "*.b.test", .names = names2, .nnames = 1 },
	{ .name = "x.b.test", .names = names3, .nnames = 1 },
	{ .name = "*.test", .names = names4, .nnames = 1 },
};

/* The site picked for host in a config of the sites above. */
static size_t
pick(const char *host, size_t def)
{
	struct config	conf;

	memset(&conf, 0, sizeof(conf));
	conf.sites = sites;
	conf.nsites = sizeof(sites) / sizeof(sites[0]);
	conf.default_site = def;
	return vhost_pick(&conf, host, host != NULL ? strlen(host) : 0);
}

Test(vhost, exact_names_and_aliases)
{
	cr_expect_eq(pick("a.test", 0), 1);
	cr_expect_eq(pick("www.a.test", 0), 1);
	cr_expect_eq(pick("WWW.A.Test", 0), 1);
	cr_expect_eq(pick("a.test.", 0), 1);
	cr_expect_eq(pick("x.b.test", 0), 3);	/* exact beats any wildcard */
}

Test(vhost, longest_wildcard_wins)
{
	cr_expect_eq(pick("y.b.test", 0), 2);
	cr_expect_eq(pick("deep.y.b.test.", 0), 2);
	cr_expect_eq(pick("b.test", 0), 4);	/* *.b.test is below b.test */
	cr_expect_eq(pick("other.test", 0), 4);
	cr_expect_eq(pick("xb.test", 0), 4);	/* not ".b.test" */
}

Test(vhost, default_for_the_rest)
{
	cr_expect_eq(pick("test", 0), 0);
	cr_expect_eq(pick("example.org", 0), 0);
	cr_expect_eq(pick("example.org", 3), 3);
	cr_expect_eq(pick(NULL, 2), 2);
	cr_expect_eq(pick("", 1), 1);
	cr_expect_eq(pick(".", 1), 1);
	cr_expect_eq(pick("a.test..", 0), 0);	/* one trailing dot only */
}

Test(vhost, over_long_host_is_the_default)
{
	char	host[600];

	memset(host, 'a', sizeof(host) - 8);
	strcpy(host + sizeof(host) - 8, ".a.test");
	cr_expect_eq(pick(host, 0), 0);
}

/* A site with locations /a/, /a/b/ and /x, longest first as config sorts
 * them. */
static struct config_site locs[] = {
	{ .prefix = "/a/b/", .prefixlen = 5 },
	{ .prefix = "/a/", .prefixlen = 3 },
	{ .prefix = "/x", .prefixlen = 2 },
};
static struct config_site locsite = { .locations = locs, .nlocations = 3 };

/* Which location answers path: its index in locs, or -1 for the site. */
static int
where(const char *path)
{
	const struct config_site	*s;

	s = vhost_location(&locsite, path, strlen(path));
	return s == &locsite ? -1 : (int)(s - locs);
}

Test(vhost, location_longest_prefix)
{
	cr_expect_eq(where("/a/b/c"), 0);
	cr_expect_eq(where("/a/b/"), 0);
	cr_expect_eq(where("/a/b"), 1);
	cr_expect_eq(where("/a/"), 1);
	cr_expect_eq(where("/a"), -1);
	cr_expect_eq(where("/ab"), -1);
	cr_expect_eq(where("/x"), 2);
	cr_expect_eq(where("/xyz/1"), 2);
	cr_expect_eq(where("/"), -1);
	cr_expect_eq(where("/A/b/c"), -1);
}

Test(vhost, location_none)
{
	struct config_site	site = { .nlocations = 0 };

	cr_expect_eq(vhost_location(&site, "/a", 2), &site);
}
