/* auth: the credentials of an Authorization field of the Basic scheme (RFC 7617). */
#ifndef TINE_AUTH_H
#define TINE_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define AUTH_USER_MAX	255	/* bytes of a user name */
#define AUTH_PASS_MAX	255	/* bytes of a password */
/* The longest token68 taken: user, ':' and password, base64-encoded. */
#define AUTH_TOKEN_MAX	\
	(4 * ((AUTH_USER_MAX + 1 + AUTH_PASS_MAX + 2) / 3))

/* A user name and a password, each NUL-terminated. */
struct auth_basic {
	char	user[AUTH_USER_MAX + 1];
	char	pass[AUTH_PASS_MAX + 1];
};

/*
 * Parse an Authorization field value (v, len bytes, OWS already trimmed):
 * the scheme "Basic" in any case, one or more spaces, then a token68 that
 * is strict base64 (RFC 4648 section 4: its alphabet only, padded to a
 * multiple of 4, the bits past the data zero), which decodes to
 * "user:password" split at the first ':'. Returns 0 with both in out, or
 * -1 when v is not that: another scheme, no ':', an empty user, a control
 * byte (NUL included) in either part, or either longer than its maximum.
 */
int	auth_basic_parse(const char *v, size_t len, struct auth_basic *out);

/* Whether the n bytes at a and b are equal, in a time that depends on n
 * only (for secrets: where they differ must not show). */
bool	auth_equal(const void *a, const void *b, size_t n);

#endif
