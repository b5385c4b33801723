/* proxy: the PROXY protocol header (v1 text, v2 binary) a load balancer sends before a connection's own bytes. */
#include "tine_build.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "proxy.h"

#define PROXY_V1_FIELDS	6	/* PROXY TCP4 src dst sport dport */
#define PROXY_V2_HEAD	16	/* signature, version+command, family, length */
#define PROXY_V2_LOCAL	0x0
#define PROXY_V2_PROXY	0x1

/* v2's first twelve bytes, chosen to be no other protocol's start. */
static const uint8_t proxy_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* The bytes of the address block for a v2 family (high nibble): none for
 * UNSPEC, -1 for a family the protocol does not define. */
static int
proxy_v2_addrlen(unsigned af)
{
	static const int	len[] = { 0, 12, 36, 216 };

	return af < sizeof(len) / sizeof(len[0]) ? len[af] : -1;
}

/* A v1 port: decimal 0..65535 without a leading zero; -1 if not one. */
static int
proxy_v1_port(const char *s)
{
	size_t	n = strspn(s, "0123456789"), i;
	long	v = 0;

	if (n == 0 || n > 5 || s[n] != '\0' || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v > 65535 ? -1 : (int)v;
}

/* The source of a TCP4/TCP6 line's fields (f[2] .. f[5]) into out. */
static int
proxy_v1_addr(char **f, bool v6, struct proxy_header *out, const char **why)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&out->src;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&out->src;
	uint8_t			 dst[16];
	int			 af = v6 ? AF_INET6 : AF_INET, sport;

	/* inet_pton takes only the canonical forms: no leading zero in
	 * IPv4, at most one "::" in IPv6. */
	if (inet_pton(af, f[2], v6 ? (void *)&s6->sin6_addr :
	    (void *)&s4->sin_addr) != 1 || inet_pton(af, f[3], dst) != 1) {
		*why = "a v1 address is not one of its family";
		return -1;
	}
	if ((sport = proxy_v1_port(f[4])) == -1 || proxy_v1_port(f[5]) == -1) {
		*why = "a v1 port is not 0..65535";
		return -1;
	}
	out->src.ss_family = (sa_family_t)af;
	if (v6)
		s6->sin6_port = htons((uint16_t)sport);
	else
		s4->sin_port = htons((uint16_t)sport);
	return 0;
}

/* The fields of a v1 line (without its CRLF, NUL-ended in line). */
static int
proxy_v1_line(char *line, struct proxy_header *out, const char **why)
{
	char	*f[PROXY_V1_FIELDS + 1], *s = line;
	size_t	 n = 0;

	while (s != NULL && n < PROXY_V1_FIELDS + 1)
		f[n++] = strsep(&s, " ");
	/* The sender may put anything after UNKNOWN: it is ignored. */
	if (n >= 2 && strcmp(f[1], "UNKNOWN") == 0) {
		out->local = true;
		return 0;
	}
	if (n < 2 || (strcmp(f[1], "TCP4") != 0 &&
	    strcmp(f[1], "TCP6") != 0)) {
		*why = "v1 protocol is not TCP4, TCP6 or UNKNOWN";
		return -1;
	}
	/* Exactly one space between fields: an empty one is a double. */
	if (n != PROXY_V1_FIELDS || s != NULL || *f[2] == '\0' ||
	    *f[3] == '\0') {
		*why = "v1 line is not \"PROXY TCPn SRC DST SPORT DPORT\"";
		return -1;
	}
	return proxy_v1_addr(f, f[1][3] == '6', out, why);
}

/* Version 1: "PROXY ...\r\n", at most PROXY_V1_MAX bytes. */
static int
proxy_v1(const uint8_t *p, size_t n, struct proxy_header *out,
    const char **why)
{
	char	line[PROXY_V1_MAX + 1];
	size_t	i, lim = n < PROXY_V1_MAX ? n : PROXY_V1_MAX;

	for (i = 0; i < lim; i++) {
		if (p[i] == '\0' || (p[i] == '\r' && i + 1 < lim &&
		    p[i + 1] != '\n') || (p[i] == '\n' && (i == 0 ||
		    p[i - 1] != '\r'))) {
			*why = "v1 line holds a NUL, a bare CR or a bare LF";
			return -1;
		}
		if (p[i] == '\n')
			break;
	}
	if (i == lim) {
		if (n < PROXY_V1_MAX)
			return 0;
		*why = "v1 line has no CRLF in its first 107 bytes";
		return -1;
	}
	memcpy(line, p, i - 1);
	line[i - 1] = '\0';
	out->len = i + 1;
	out->version = 1;
	return proxy_v1_line(line, out, why);
}

/* Walk the TLVs from off to the end: each must fit; their values are not
 * used. */
static int
proxy_v2_tlvs(const uint8_t *p, size_t off, size_t end, const char **why)
{
	while (off < end) {
		if (end - off < 3) {
			*why = "v2 TLV is cut short";
			return -1;
		}
		off += 3 + (((size_t)p[off + 1] << 8) | p[off + 2]);
		if (off > end) {
			*why = "v2 TLV runs past the header";
			return -1;
		}
	}
	return 0;
}

/* The source address of a v2 PROXY header over IPv4 or IPv6 into out. */
static void
proxy_v2_src(const uint8_t *a, unsigned af, struct proxy_header *out)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&out->src;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&out->src;

	if (af == 1) {
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a, 4);
		memcpy(&s4->sin_port, a + 8, 2);
	} else {
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a, 16);
		memcpy(&s6->sin6_port, a + 32, 2);
	}
}

/* Version 2, whose first 16 bytes are here and valid: the rest. */
static int
proxy_v2_body(const uint8_t *p, size_t n, struct proxy_header *out,
    const char **why)
{
	unsigned	cmd = p[12] & 0xf, af = p[13] >> 4, proto = p[13] & 0xf;
	size_t		len = PROXY_V2_HEAD + (((size_t)p[14] << 8) | p[15]);
	int		alen = proxy_v2_addrlen(af);

	if (len > PROXY_V2_MAX) {
		*why = "v2 header is longer than tine takes (2 KiB of TLVs)";
		return -1;
	}
	if (n < len)
		return 0;
	out->len = len;
	out->version = 2;
	/* LOCAL (a health check), or nothing tine could use: the peer. */
	out->local = cmd == PROXY_V2_LOCAL || af == 0 || af == 3 || proto == 0;
	if (out->local)
		return 0;
	if (len - PROXY_V2_HEAD < (size_t)alen) {
		*why = "v2 address block is shorter than its family's";
		return -1;
	}
	proxy_v2_src(p + PROXY_V2_HEAD, af, out);
	return proxy_v2_tlvs(p, PROXY_V2_HEAD + (size_t)alen, len, why);
}

/* Version 2: the signature, then a length-prefixed binary block. */
static int
proxy_v2(const uint8_t *p, size_t n, struct proxy_header *out,
    const char **why)
{
	if (n > 12 && (p[12] >> 4) != 2) {
		*why = "v2 version is not 2";
		return -1;
	}
	if (n > 12 && (p[12] & 0xf) > PROXY_V2_PROXY) {
		*why = "v2 command is neither LOCAL nor PROXY";
		return -1;
	}
	if (n > 13 && (proxy_v2_addrlen(p[13] >> 4) == -1 ||
	    (p[13] & 0xf) > 2)) {
		*why = "v2 family or transport is not defined";
		return -1;
	}
	if (n < PROXY_V2_HEAD)
		return 0;
	return proxy_v2_body(p, n, out, why);
}

/* Parse the start of a connection; see proxy.h. */
int
proxy_parse(const uint8_t *p, size_t n, struct proxy_header *out,
    const char **why)
{
	size_t	k;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return 0;
	/* What is here must begin one of the two; say no at once if not. */
	k = n < sizeof(proxy_sig) ? n : sizeof(proxy_sig);
	if (memcmp(p, proxy_sig, k) == 0)
		return proxy_v2(p, n, out, why) == -1 ? -1 :
		    out->len > 0 ? 1 : 0;
	k = n < 6 ? n : 6;
	if (memcmp(p, "PROXY ", k) == 0)
		return proxy_v1(p, n, out, why) == -1 ? -1 :
		    out->len > 0 ? 1 : 0;
	*why = "not a PROXY protocol header";
	return -1;
}
