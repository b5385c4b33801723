/* htpasswd: a file of "user:hash" lines, read by the master; a password checked against a line with crypt_r. */
#ifndef TINE_HTPASSWD_H
#define TINE_HTPASSWD_H

#include <stdbool.h>
#include <stddef.h>

struct crypt_data;

#define HTPASSWD_FILE_MAX	(4 * 1024 * 1024)	/* bytes */
#define HTPASSWD_ERR_MAX	512

/* One line: a user and the hash of its password. */
struct htpasswd_user {
	const char	*name;
	const char	*hash;
	int		 line;		/* in the file, for messages */
};

/*
 * A checked file, shared by the sites that name it (a vhost or location
 * that inherits it holds a reference). Every string points into text.
 */
struct htpasswd {
	unsigned		 refs;
	char			*text;		/* the file, cut up */
	struct htpasswd_user	*users;		/* by name, n >= 1 */
	size_t			 n;
};

/*
 * Parse the len bytes of text, the file called name (for messages):
 * "user:hash" lines, optionally ":comment" after the hash as nginx
 * allows, blank lines and lines starting with '#' skipped, trailing
 * blanks and CR ignored. A hash must be bcrypt ($2y$, $2b$, $2a$, cost 12
 * at most), SHA-crypt ($5$, $6$, 1,000,000 rounds at most) or yescrypt
 * ($y$); MD5 (apr1, $1$), SHA-1 ({SHA}), DES crypt and plain passwords
 * are refused. A user must be 1 to AUTH_USER_MAX bytes without control
 * bytes, and appear once; the file must name at least one. Returns the
 * file with refs 1, or NULL with "NAME:LINE: why" or "NAME: why" in err
 * (never the hash itself: it may be a password).
 */
struct htpasswd	*htpasswd_parse(const char *text, size_t len,
		    const char *name, char *err, size_t errlen);

/* Read the file at path and parse it as htpasswd_parse() does. */
struct htpasswd	*htpasswd_load(const char *path, char *err,
		    size_t errlen);

/* One more site shares hp; hp. */
struct htpasswd	*htpasswd_ref(struct htpasswd *hp);

/* A site lets go of hp; the last one frees it. NULL is fine. */
void		 htpasswd_free(struct htpasswd *hp);

/* The line of user name, or NULL. */
const struct htpasswd_user *htpasswd_find(const struct htpasswd *,
		    const char *name);

/*
 * Whether pass hashes to hash: crypt_r with the hash as its setting, the
 * result compared in constant time. cd must have been zeroed before its
 * first use. This takes as long as the hash was made to (milliseconds to
 * tens of them): the caller should not call it for every request.
 */
bool		 htpasswd_check(const char *hash, const char *pass,
		    struct crypt_data *cd);

#endif
