/* access: a site's access rules for one request (client address, hidden paths, Basic auth). */
#ifndef TINE_ACCESS_H
#define TINE_ACCESS_H

#include <time.h>

struct access_cache;
struct cidr_addr;
struct config_site;
struct http_request;

/*
 * A worker's cache of recently verified credentials, with crypt_r's
 * scratch space; made before the sandbox (it asks getrandom for its key).
 * NULL without memory or randomness (logged).
 */
struct access_cache	*access_create(void);

/* Free a cache; NULL is fine. */
void			 access_destroy(struct access_cache *);

/*
 * Whether site lets the request in: 0, or the status to answer, in the
 * order the rules are checked: 403 when its address is not allowed (allow,
 * deny), 404 when its path (normalised, len bytes; "" for none)
 * matches hidden_paths, 401 when the site has
 * auth_basic_file and the request brings no Basic credentials, malformed
 * ones, or a user and password the file does not hold. *user is then the
 * name the password was checked for (owned by the config), else NULL.
 */
int	access_check(struct access_cache *, const struct config_site *site,
	    const struct cidr_addr *peer, const struct http_request *,
	    const char *path, size_t len, time_t now, const char **user);

#endif
