/* vhost: which site a request's host names (exact name, then the longest wildcard, else the default), and which of its locations its path. */
#include "tine_build.h"

#include <string.h>
#include <strings.h>

#include "config.h"
#include "vhost.h"

#define VHOST_NAME_MAX	255

/* Whether a site's "*.suffix" (nlen bytes) matches host: host ends in
 * ".suffix". */
static int
vhost_wild(const char *name, size_t nlen, const char *host, size_t len)
{
	return len > nlen - 1 && strncasecmp(host + len - (nlen - 1), name + 1,
	    nlen - 1) == 0;
}

/* Which site names host; see vhost.h. */
size_t
vhost_pick(const struct config *conf, const char *host, size_t len)
{
	const char	*name;
	size_t		 i, j, nlen, best = conf->default_site, bestlen = 0;

	if (host == NULL)
		return conf->default_site;
	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0 || len > VHOST_NAME_MAX)
		return conf->default_site;
	for (i = 1; i < conf->nsites; i++)
		for (j = 0; j < conf->sites[i].nnames; j++) {
			name = conf->sites[i].names[j];
			nlen = strlen(name);
			if (name[0] != '*') {
				if (nlen == len && strncasecmp(name, host,
				    len) == 0)
					return i;
			} else if (nlen > bestlen && vhost_wild(name, nlen,
			    host, len)) {
				best = i;
				bestlen = nlen;
			}
		}
	return best;
}

/* The options a path of site is answered with; see vhost.h. */
const struct config_site *
vhost_location(const struct config_site *site, const char *path, size_t len)
{
	const struct config_site	*loc;
	size_t				 i;

	for (i = 0; i < site->nlocations; i++) {
		loc = &site->locations[i];
		if (loc->prefixlen <= len && memcmp(loc->prefix, path,
		    loc->prefixlen) == 0)
			return loc;
	}
	return site;
}
