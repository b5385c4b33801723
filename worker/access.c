/* access: a site's access rules for one request (client address, hidden paths, Basic auth). */
#include "tine_build.h"

#include <sys/mman.h>
#include <sys/random.h>

#include <crypt.h>
#include <errno.h>
#include <fnmatch.h>
#include <sha2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "auth.h"
#include "cidr.h"
#include "config.h"
#include "htpasswd.h"
#include "http.h"
#include "log.h"
#include "path.h"

#define ACCESS_CACHE_N		16	/* verified passwords kept */
#define ACCESS_CACHE_TTL	60	/* seconds one is trusted */

/* A password crypt_r accepted for a user, kept as a keyed digest. */
struct access_entry {
	const struct htpasswd_user	*user;	/* NULL: a free slot */
	uint8_t				 digest[SHA256_DIGEST_LENGTH];
	time_t				 until;
};

/*
 * A browser sends the same credentials with every request of a page, and
 * one crypt_r call takes milliseconds (bcrypt cost 10: about 60 ms),
 * during which the worker serves nobody else: so a password is checked
 * once a minute per worker, not once per request. The cache holds keyed
 * digests, never the passwords themselves.
 */
struct access_cache {
	uint8_t			 key[32];	/* getrandom's, per worker */
	struct access_entry	 e[ACCESS_CACHE_N];
	size_t			 next;		/* the slot to reuse */
	struct crypt_data	 cd;		/* 32 KiB: off the stack */
};

/* A worker's cache of verified credentials; NULL when it cannot be made. */
struct access_cache *
access_create(void)
{
	struct access_cache	*ac;

	/* Zeroed, as crypt_r wants its crypt_data before first use, and
	 * mapped rather than calloc'd: a worker that checks no password
	 * never touches the 32 KiB of it (calloc may clear them). */
	ac = mmap(NULL, sizeof(*ac), PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	if (ac == MAP_FAILED) {
		log_error("access: %s", strerror(errno));
		return NULL;
	}
	if (getrandom(ac->key, sizeof(ac->key), 0) !=
	    (ssize_t)sizeof(ac->key)) {
		log_error("getrandom: %s", strerror(errno));
		munmap(ac, sizeof(*ac));
		return NULL;
	}
	return ac;
}

/* Free a cache. */
void
access_destroy(struct access_cache *ac)
{
	if (ac == NULL)
		return;
	explicit_bzero(ac, sizeof(*ac));
	munmap(ac, sizeof(*ac));
}

/* Whether the normalised path (len bytes) matches one of the site's
 * hidden_paths; a path without a final '/' is also tried with one, so that
 * the pattern of what is below /drafts/ hides /drafts too (it would
 * redirect there). */
static bool
access_hidden(const struct config_site *site, const char *path, size_t len)
{
	char	slash[PATH_NORM_MAX + 1];
	size_t	i;

	for (i = 0; i < site->nhidden_paths; i++)
		if (fnmatch(site->hidden_paths[i], path, 0) == 0)
			return true;
	if (len == 0 || path[len - 1] == '/' || len >= PATH_NORM_MAX)
		return false;
	memcpy(slash, path, len);
	memcpy(slash + len, "/", 2);
	for (i = 0; i < site->nhidden_paths; i++)
		if (fnmatch(site->hidden_paths[i], slash, 0) == 0)
			return true;
	return false;
}

/* The keyed digest of a password for one line's hash. */
static void
access_digest(const struct access_cache *ac, const char *hash,
    const char *pass, uint8_t *out)
{
	SHA2_CTX	ctx;

	SHA256Init(&ctx);
	SHA256Update(&ctx, ac->key, sizeof(ac->key));
	SHA256Update(&ctx, (const uint8_t *)hash, strlen(hash) + 1);
	SHA256Update(&ctx, (const uint8_t *)pass, strlen(pass));
	SHA256Final(out, &ctx);
	explicit_bzero(&ctx, sizeof(ctx));
}

/* Whether user's password with this digest was verified in the last
 * ACCESS_CACHE_TTL seconds. */
static bool
access_cached(const struct access_cache *ac, const struct htpasswd_user *u,
    const uint8_t *digest, time_t now)
{
	size_t	i;

	for (i = 0; i < ACCESS_CACHE_N; i++)
		if (ac->e[i].user == u && now < ac->e[i].until &&
		    auth_equal(ac->e[i].digest, digest,
		    SHA256_DIGEST_LENGTH))
			return true;
	return false;
}

/* Keep a verified password: in the user's slot, else the next in turn. */
static void
access_remember(struct access_cache *ac, const struct htpasswd_user *u,
    const uint8_t *digest, time_t now)
{
	struct access_entry	*e = NULL;
	size_t			 i;

	for (i = 0; i < ACCESS_CACHE_N && e == NULL; i++)
		if (ac->e[i].user == u)
			e = &ac->e[i];
	if (e == NULL) {
		e = &ac->e[ac->next];
		ac->next = (ac->next + 1) % ACCESS_CACHE_N;
	}
	e->user = u;
	memcpy(e->digest, digest, SHA256_DIGEST_LENGTH);
	e->until = now + ACCESS_CACHE_TTL;
}

/* Whether cred names a user of hp with its password; the user or NULL. */
static const struct htpasswd_user *
access_verify(struct access_cache *ac, const struct htpasswd *hp,
    const struct auth_basic *cred, time_t now)
{
	const struct htpasswd_user	*u = htpasswd_find(hp, cred->user);
	/* An unknown user is checked against the first line all the same:
	 * a quicker 401 would tell who has an account. */
	const char			*hash = u != NULL ? u->hash :
	    hp->users[0].hash;
	uint8_t				 digest[SHA256_DIGEST_LENGTH];
	bool				 ok;

	access_digest(ac, hash, cred->pass, digest);
	if (u != NULL && access_cached(ac, u, digest, now))
		return u;
	ok = htpasswd_check(hash, cred->pass, &ac->cd) && u != NULL;
	if (ok)
		access_remember(ac, u, digest, now);
	explicit_bzero(digest, sizeof(digest));
	return ok ? u : NULL;
}

/* The user the request's Basic credentials let in, or NULL (401). */
static const char *
access_user(struct access_cache *ac, const struct htpasswd *hp,
    const struct http_request *req, time_t now)
{
	const struct http_header	*h = http_header_find(req,
	    "Authorization");
	const struct htpasswd_user	*u;
	struct auth_basic		 cred;

	/* Two Authorization fields: which one counts is in doubt. */
	if (h == NULL || http_header_next(req, h, "Authorization") != NULL ||
	    auth_basic_parse(h->value.ptr, h->value.len, &cred) == -1)
		return NULL;
	u = access_verify(ac, hp, &cred, now);
	explicit_bzero(&cred, sizeof(cred));
	return u != NULL ? u->name : NULL;
}

/* The rules of site for one request; see access.h. */
int
access_check(struct access_cache *ac, const struct config_site *site,
    const struct cidr_addr *peer, const struct http_request *req,
    const char *path, size_t len, time_t now, const char **user)
{
	*user = NULL;
	if ((site->nallow > 0 || site->ndeny > 0) && !cidr_allowed(site->allow,
	    site->nallow, site->deny, site->ndeny, peer))
		return 403;
	if (site->nhidden_paths > 0 && access_hidden(site, path, len))
		return 404;
	if (site->auth != NULL && (*user = access_user(ac, site->auth, req,
	    now)) == NULL)
		return 401;
	return 0;
}
