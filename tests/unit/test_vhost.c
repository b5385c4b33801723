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
