/* auth: the credentials of an Authorization field of the Basic scheme (RFC 7617). */
#include "tine_build.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "auth.h"

/* Bytes a token of AUTH_TOKEN_MAX characters decodes to, at most. */
#define AUTH_DECODED_MAX	(AUTH_TOKEN_MAX / 4 * 3)

/* The value of a base64 character (RFC 4648 table 1), -1 for any other. */
static int
auth_b64(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode strict base64 (len characters, a multiple of 4, '=' only as the
 * padding of the last group) into out, which has room for len / 4 * 3
 * bytes; the bytes decoded, or -1. Bits past the data must be zero, so
 * each byte string has one encoding only.
 */
static long
auth_decode(const char *s, size_t len, unsigned char *out)
{
	uint32_t	acc = 0;
	size_t		i, pad, n = 0;
	int		v;

	if (len == 0 || len % 4 != 0)
		return -1;
	pad = (s[len - 1] == '=') + (s[len - 1] == '=' && s[len - 2] == '=');
	for (i = 0; i < len; i++) {
		v = i < len - pad ? auth_b64((unsigned char)s[i]) : 0;
		if (v == -1)
			return -1;
		acc = (i % 4 == 0 ? 0 : acc << 6) | (uint32_t)v;
		if (i % 4 == 3) {
			out[n++] = (unsigned char)(acc >> 16);
			out[n++] = (unsigned char)(acc >> 8);
			out[n++] = (unsigned char)acc;
		}
	}
	/* One '=': the last byte is padding; two: the last two. */
	if ((acc & (pad == 2 ? 0xffff : pad == 1 ? 0xff : 0)) != 0)
		return -1;
	return (long)(n - pad);
}

/* Whether any of the n bytes is a control byte (RFC 7617 2: none in a
 * user-id or password). */
static int
auth_has_ctl(const unsigned char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* Parse "Basic TOKEN68"; see auth.h. */
int
auth_basic_parse(const char *v, size_t len, struct auth_basic *out)
{
	unsigned char	 dec[AUTH_DECODED_MAX];
	const unsigned char *colon;
	size_t		 i = 5, ulen, plen;
	long		 n;

	if (len < 6 || strncasecmp(v, "Basic", 5) != 0 || v[5] != ' ')
		return -1;
	while (i < len && v[i] == ' ')
		i++;
	if (len - i > AUTH_TOKEN_MAX || (n = auth_decode(v + i, len - i,
	    dec)) == -1)
		return -1;
	if ((colon = memchr(dec, ':', (size_t)n)) == NULL)
		return -1;
	ulen = (size_t)(colon - dec);
	plen = (size_t)n - ulen - 1;
	if (ulen == 0 || ulen > AUTH_USER_MAX || plen > AUTH_PASS_MAX ||
	    auth_has_ctl(dec, (size_t)n))
		return -1;
	memcpy(out->user, dec, ulen);
	out->user[ulen] = '\0';
	memcpy(out->pass, colon + 1, plen);
	out->pass[plen] = '\0';
	return 0;
}

/* Compare n bytes in constant time. */
bool
auth_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char	*x = a, *y = b;
	unsigned char			 diff = 0;
	size_t				 i;

	for (i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}
