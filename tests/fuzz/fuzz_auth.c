/*
 * fuzz_auth: libFuzzer target for the Authorization (Basic) parser. The
 * input is a field value; libFuzzer hands it in a buffer of exactly its
 * size, so a read past the value is an AddressSanitizer report. What the
 * parser takes must keep the promises of auth.h: a user of 1 to
 * AUTH_USER_MAX bytes without ':' or a control byte, a password of at
 * most AUTH_PASS_MAX without a control byte, and strictness: encoding
 * "user:password" again gives the very token that was sent, and the value
 * is "Basic" (any case), spaces, then that token.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "../b64.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Whether any of the n bytes is a control byte. */
static int
fuzz_ctl(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* What was taken must be what was sent, encoded the one strict way. */
static void
fuzz_taken(const char *v, size_t len, const struct auth_basic *c)
{
	char	plain[AUTH_USER_MAX + 1 + AUTH_PASS_MAX + 1];
	char	token[AUTH_TOKEN_MAX + 4];
	size_t	ulen = strlen(c->user), plen = strlen(c->pass), i = 5, n;

	if (ulen == 0 || ulen > AUTH_USER_MAX || plen > AUTH_PASS_MAX ||
	    memchr(c->user, ':', ulen) != NULL || fuzz_ctl(c->user, ulen) ||
	    fuzz_ctl(c->pass, plen))
		abort();
	if (len < 6 || strncasecmp(v, "Basic ", 6) != 0)
		abort();
	while (i < len && v[i] == ' ')
		i++;
	memcpy(plain, c->user, ulen);
	plain[ulen] = ':';
	memcpy(plain + ulen + 1, c->pass, plen);
	n = b64_encode(plain, ulen + 1 + plen, token);
	if (n != len - i || memcmp(token, v + i, n) != 0)
		abort();
}

/* Entry point: the input is one Authorization field value. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_basic	c;
	const char		*v = (const char *)data;

	if (auth_basic_parse(v, size, &c) == 0)
		fuzz_taken(v, size, &c);
	return 0;
}
