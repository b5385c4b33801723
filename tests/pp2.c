/* pp2: PROXY protocol v2 headers for tests, built byte by byte from the spec. */
#include <string.h>

#include "pp2.h"

/* A v2 header; see pp2.h. */
size_t
pp2_header(uint8_t *out, int cmd, int fam, const void *body, size_t len)
{
	/* The signature: CR LF CR LF NUL CR LF "QUIT" LF. */
	memcpy(out, "\r\n\r\n\0\r\nQUIT\n", 12);
	out[12] = (uint8_t)(0x20 | cmd);
	out[13] = (uint8_t)fam;
	out[14] = (uint8_t)(len >> 8);
	out[15] = (uint8_t)len;
	memcpy(out + 16, body, len);
	return 16 + len;
}
