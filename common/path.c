/*
 * path: percent-decode and normalise a request path.
 *
 * Decoding happens before normalising, so an encoded dot or slash ("%2e",
 * "%2f") is treated exactly like the plain character: "/%2e%2e/" cannot
 * smuggle a ".." past the segment logic. Every escape is decoded once only,
 * so "%252e" becomes the literal name "%2e". Bytes >= 0x80 are kept as they
 * are; overlong UTF-8 ("%c0%ae") is never read as '.'.
 */
#include "tine_build.h"

#include <stdbool.h>
#include <stddef.h>

#include "path.h"

/* The output being built and the segment being decoded into it. */
struct path_out {
	char	*buf;
	size_t	 len;
	size_t	 max;		/* usable bytes: outlen - 1, room for the NUL */
	bool	 slash;		/* ended in a separator, "." or ".." */
	bool	 named;		/* current segment is a name, already written */
	int	 dots;		/* leading dots of the segment, held back */
};

/* Value of one hex digit, or -1. */
static int
path_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode the byte at in[*i], advancing *i past it (and past its escape).
 * Returns the byte, or -1 for a bad escape, %00 or a control byte.
 */
static int
path_decode(const char *in, size_t len, size_t *i)
{
	unsigned char	c = in[*i];
	int		hi, lo;

	if (c == '%') {
		if (len - *i < 3)
			return -1;
		hi = path_hex(in[*i + 1]);
		lo = path_hex(in[*i + 2]);
		if (hi == -1 || lo == -1)
			return -1;
		c = hi << 4 | lo;
		*i += 3;
	} else
		*i += 1;
	/* %00 and a raw NUL land here too: no control byte reaches a name. */
	if (c < 0x20 || c == 0x7f)
		return -1;
	return c;
}

/*
 * Append one byte, or -1 when the output is full. The limit holds for every
 * step, so "/<outlen bytes>/../x" is refused although "/x" would fit: a
 * client that sends such a path does not deserve a bigger buffer.
 */
static int
path_put(struct path_out *po, int c)
{
	if (po->len >= po->max)
		return -1;
	po->buf[po->len++] = c;
	return 0;
}

/*
 * Add one decoded byte to the current segment. Up to two leading dots are
 * held back until we know whether the segment is "." or ".." or a name.
 */
static int
path_add(struct path_out *po, int c)
{
	if (!po->named && c == '.' && po->dots < 2) {
		po->dots++;
		return 0;
	}
	if (!po->named) {
		if (path_put(po, '/') == -1)
			return -1;
		for (; po->dots > 0; po->dots--)
			if (path_put(po, '.') == -1)
				return -1;
		po->named = true;
	}
	return path_put(po, c);
}

/* Drop the last segment ("/a/b" -> "/a"); -1 when already at the root. */
static int
path_pop(struct path_out *po)
{
	if (po->len == 0)
		return -1;	/* ".." above the root: reject, never clamp */
	while (po->buf[po->len - 1] != '/')
		po->len--;
	po->len--;
	return 0;
}

/* Finish the current segment; sep says a separator ended it. */
static int
path_end(struct path_out *po, bool sep)
{
	/* Dots still held back at the end: the segment was "." or "..". */
	if (po->dots == 2 && path_pop(po) == -1)
		return -1;
	/* The result ends in '/' unless its last segment is a name. */
	po->slash = !po->named || sep;
	po->named = false;
	po->dots = 0;
	return 0;
}

/* Decode and apply the segment starting at in[*i], up to a separator. */
static int
path_segment(struct path_out *po, const char *in, size_t len, size_t *i)
{
	int	c;

	while (*i < len) {
		if ((c = path_decode(in, len, i)) == -1)
			return -1;
		if (c == '/')
			return path_end(po, true);
		if (path_add(po, c) == -1)
			return -1;
	}
	return path_end(po, false);
}

/* Decode and normalise a request path into out (see path.h). */
long
path_normalize(const char *in, size_t len, char *out, size_t outlen)
{
	struct path_out	 po = { .buf = out };
	size_t		 i;

	if (in == NULL || out == NULL || outlen < 2 || len == 0 ||
	    in[0] != '/')
		return -1;
	po.max = outlen - 1;
	for (i = 1; i < len;)
		if (path_segment(&po, in, len, &i) == -1)
			return -1;
	/* Segments are stored as "/name": the root and trailing '/' go last. */
	if ((po.len == 0 || po.slash) && path_put(&po, '/') == -1)
		return -1;
	out[po.len] = '\0';
	return po.len;
}
