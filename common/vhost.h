/* vhost: which site a request's host names (exact name, then the longest wildcard, else the default), and which of its locations its path. */
#ifndef TINE_VHOST_H
#define TINE_VHOST_H

#include <stddef.h>

struct config;
struct config_site;

/*
 * The index in conf->sites of the site for host (len bytes, no port: the
 * absolute-form host or the Host field, as the parser gives it; NULL when
 * there was none). Case does not matter and one trailing dot is ignored.
 * A name a vhost lists exactly wins; else the longest "*.suffix" that host
 * ends in (below suffix, at any depth); else conf->default_site.
 */
size_t	vhost_pick(const struct config *conf, const char *host, size_t len);

/*
 * The options a request for path (normalised, len bytes) is answered with:
 * the site's location with the longest prefix of path, else the site.
 */
const struct config_site *vhost_location(const struct config_site *site,
		    const char *path, size_t len);

#endif
