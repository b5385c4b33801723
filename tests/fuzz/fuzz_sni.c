/*
 * fuzz_sni: libFuzzer target for the site a TLS server name picks. The
 * input is the name a ClientHello's SNI carries, up to its first NUL (as
 * SSL_get_servername hands it to worker/tls.c's callback, which calls
 * vhost_pick with its strlen): unlike a Host field, nothing has checked
 * its bytes. Against sites with exact names, nested and overlapping
 * wildcards and aliases, the pick must be a site, must equal that of a
 * plain reference (lower-case copy, exact name first in site order, else
 * the longest "*.suffix" the name ends in below the suffix, else the
 * default), and must not change with the name's case or one trailing dot.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "vhost.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_NAME_MAX	255	/* the longest name a site can have */

/* Each site's names, NULL-terminated; site 0 is the default (no names). */
static const char *const fuzz_names[][4] = {
	{ NULL },
	{ "a.test", "www.a.test", NULL },
	{ "*.a.test", NULL },
	{ "*.b.a.test", "c.b.a.test", NULL },
	{ "*.test", NULL },
	{ "xn--bcher-kva.example", "*.example", NULL },
	{ "*.b.a.test", NULL },		/* the same wildcard again: loses */
};
#define FUZZ_SITES	(sizeof(fuzz_names) / sizeof(fuzz_names[0]))

static struct config_site	fuzz_sites[FUZZ_SITES];
static struct config		fuzz_conf;

/* Build the config once. */
static void
fuzz_init(void)
{
	size_t	i, n;

	if (fuzz_conf.sites != NULL)
		return;
	for (i = 0; i < FUZZ_SITES; i++) {
		for (n = 0; fuzz_names[i][n] != NULL; n++)
			continue;
		fuzz_sites[i].names = (char **)fuzz_names[i];
		fuzz_sites[i].nnames = n;
	}
	fuzz_conf.sites = fuzz_sites;
	fuzz_conf.nsites = FUZZ_SITES;
	fuzz_conf.default_site = 0;
}

/* The reference: the same rule, written the plain way. */
static size_t
fuzz_reference(const char *host, size_t len)
{
	char		 low[FUZZ_NAME_MAX];
	const char	*name;
	size_t		 i, j, k, nlen, best = 0, bestlen = 0;

	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0 || len > FUZZ_NAME_MAX)
		return 0;
	for (k = 0; k < len; k++)
		low[k] = (char)tolower((unsigned char)host[k]);
	for (i = 1; i < FUZZ_SITES; i++)
		for (j = 0; (name = fuzz_names[i][j]) != NULL; j++)
			if (name[0] != '*' && strlen(name) == len &&
			    memcmp(name, low, len) == 0)
				return i;
	for (i = 1; i < FUZZ_SITES; i++)
		for (j = 0; (name = fuzz_names[i][j]) != NULL; j++) {
			nlen = strlen(name) - 1;	/* ".suffix" */
			if (name[0] == '*' && len > nlen && nlen > bestlen &&
			    memcmp(low + len - nlen, name + 1, nlen) == 0) {
				best = i;
				bestlen = nlen;
			}
		}
	return best;
}

/* vhost_pick on len bytes of a heap copy of exactly that size (ASan
 * bounds it), as tls_on_sni would call it. */
static size_t
fuzz_pick(const char *name, size_t len)
{
	char	*copy = malloc(len == 0 ? 1 : len);
	size_t	 site;

	if (copy == NULL)
		abort();
	memcpy(copy, name, len);
	site = vhost_pick(&fuzz_conf, copy, len);
	free(copy);
	if (site >= FUZZ_SITES)
		abort();
	return site;
}

/* The name with its case flipped, and with one more trailing dot. */
static void
fuzz_variants(const char *name, size_t len, size_t site)
{
	char	v[FUZZ_NAME_MAX + 2];
	size_t	k;

	if (len > FUZZ_NAME_MAX)
		return;
	for (k = 0; k < len; k++)
		v[k] = (char)(islower((unsigned char)name[k]) ?
		    toupper((unsigned char)name[k]) :
		    tolower((unsigned char)name[k]));
	if (fuzz_pick(v, len) != site)
		abort();
	if (len > 0 && name[len - 1] != '.') {
		memcpy(v, name, len);
		v[len] = '.';
		if (fuzz_pick(v, len + 1) != site)
			abort();
	}
}

/* One server name. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*name = (const char *)data;
	size_t		 len = strnlen(name, size), site;

	fuzz_init();
	site = fuzz_pick(name, len);
	if (site != fuzz_reference(name, len))
		abort();
	fuzz_variants(name, len, site);
	return 0;
}
