/* combined_check: matchers for Apache-style text log lines, for the tests. */
#include <ctype.h>
#include <string.h>

#include "combined_check.h"

/* Match the literal s at *pp and move past it. */
bool
combined_lit(const char **pp, const char *s)
{
	size_t	n = strlen(s);

	if (strncmp(*pp, s, n) != 0)
		return false;
	*pp += n;
	return true;
}

/* Match exactly n digits at *pp and move past them. */
bool
combined_digits(const char **pp, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)(*pp)[i]))
			return false;
	*pp += n;
	return true;
}

/* Whether c is a lowercase hex digit, as Apache writes them. */
static bool
combined_hex(char c)
{
	return c != '\0' && strchr("0123456789abcdef", c) != NULL;
}

/* Match an Apache-escaped quoted field at *pp, copying it to out if set. */
bool
combined_quoted(const char **pp, char *out, size_t outlen)
{
	const char	*p = *pp, *s;

	if (*p++ != '"')
		return false;
	for (s = p; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return false;
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'x' && combined_hex(p[1]) && combined_hex(p[2]))
			p += 2;
		else if (*p == '\0' || strchr("\"\\bnrtv", *p) == NULL)
			return false;
	}
	if (out != NULL) {
		if ((size_t)(p - s) >= outlen)
			return false;
		memcpy(out, s, (size_t)(p - s));
		out[p - s] = '\0';
	}
	*pp = p + 1;
	return true;
}
