/* pp2: PROXY protocol v2 headers for tests, built byte by byte from the spec. */
#ifndef TINE_TESTS_PP2_H
#define TINE_TESTS_PP2_H

#include <stddef.h>
#include <stdint.h>

/* A v2 header into out (room for 16 + len bytes): the signature, version
 * 2 with cmd (0 LOCAL, 1 PROXY), the family/transport byte fam (0x11 TCP
 * over IPv4 ...), then len bytes of body (addresses, TLVs); its length. */
size_t	pp2_header(uint8_t *out, int cmd, int fam, const void *body,
	    size_t len);

#endif
