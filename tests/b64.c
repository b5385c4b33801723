/* b64: base64 for tests, written apart from tine's decoder so that one checks the other. */
#include <stdint.h>

#include "b64.h"

/* Standard padded base64 of s; see b64.h. */
size_t
b64_encode(const void *s, size_t len, char *out)
{
	static const char	 t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*u = s;
	size_t			 i, n = 0;
	uint32_t		 v;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)u[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)u[i + 1] << 8;
		if (i + 2 < len)
			v |= u[i + 2];
		out[n++] = t[v >> 18 & 63];
		out[n++] = t[v >> 12 & 63];
		out[n++] = i + 1 < len ? t[v >> 6 & 63] : '=';
		out[n++] = i + 2 < len ? t[v & 63] : '=';
	}
	out[n] = '\0';
	return n;
}
