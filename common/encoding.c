/*
 * encoding: which content codings a request accepts (Accept-Encoding, RFC
 * 9110 12.5.3), for the precompressed siblings tine can send.
 *
 * The field is a comma-separated list of "coding [ ;q=qvalue ]". Nothing
 * here can make tine send a coding the client refused: a member that names
 * a coding but whose weight cannot be read refuses it, and a coding named
 * twice keeps its lower weight. Identity is always acceptable to tine (it
 * never answers 415), so it needs no slot.
 */
#include "tine_build.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "encoding.h"

/* A cursor over one list member (not NUL-terminated). */
struct encoding_scan {
	const char	*p;
	const char	*end;
};

/* Start as a request without Accept-Encoding: nothing but identity. */
void
encoding_init(struct encoding_accept *a)
{
	int	i;

	for (i = 0; i < ENCODING_N; i++)
		a->q[i] = ENCODING_UNNAMED;
	a->star = ENCODING_UNNAMED;
}

/* Whether c may appear in a token (RFC 9110 tchar). */
static bool
encoding_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Skip optional whitespace (SP / HTAB). */
static void
encoding_ows(struct encoding_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
		s->p++;
}

/* Consume a qvalue ("0" ["." 0*3DIGIT] / "1" ["." 0*3"0"]) into *q in
 * thousandths; -1 when there is none. */
static int
encoding_qvalue(struct encoding_scan *s, int *q)
{
	int	scale;

	if (s->p == s->end || (*s->p != '0' && *s->p != '1'))
		return -1;
	*q = (*s->p++ - '0') * ENCODING_Q_MAX;
	if (s->p == s->end || *s->p != '.')
		return 0;
	for (s->p++, scale = 100; scale > 0 && s->p < s->end &&
	    *s->p >= '0' && *s->p <= '9'; s->p++, scale /= 10)
		*q += (*s->p - '0') * scale;
	return *q > ENCODING_Q_MAX ? -1 : 0;
}

/* The weight after a coding's name, to the member's end, in thousandths:
 * 1000 when there is none, 0 when it cannot be read. */
static int
encoding_weight(struct encoding_scan *s)
{
	int	q;

	encoding_ows(s);
	if (s->p == s->end)
		return ENCODING_Q_MAX;
	if (*s->p != ';')
		return 0;
	s->p++;
	encoding_ows(s);
	if (s->end - s->p < 2 || (s->p[0] != 'q' && s->p[0] != 'Q') ||
	    s->p[1] != '=')
		return 0;
	s->p += 2;
	if (encoding_qvalue(s, &q) == -1)
		return 0;
	encoding_ows(s);
	return s->p == s->end ? q : 0;
}

/* The weight a coding's name sets in a, or NULL for a coding tine never
 * sends. x-gzip is gzip (RFC 9110 8.4.1.3). */
static int *
encoding_slot(struct encoding_accept *a, const char *name, size_t len)
{
	if (len == 1 && name[0] == '*')
		return &a->star;
	if (len == 2 && strncasecmp(name, "br", 2) == 0)
		return &a->q[ENCODING_BR];
	if ((len == 4 && strncasecmp(name, "gzip", 4) == 0) ||
	    (len == 6 && strncasecmp(name, "x-gzip", 6) == 0))
		return &a->q[ENCODING_GZIP];
	return NULL;
}

/* One list member [p, end): "coding [ weight ]", OWS around it. */
static void
encoding_member(struct encoding_accept *a, const char *p, const char *end)
{
	struct encoding_scan	 s = { p, end };
	const char		*name;
	int			*slot, q;

	encoding_ows(&s);
	for (name = s.p; s.p < s.end && encoding_tchar(*s.p); s.p++)
		continue;
	/* Not even a name (an empty member, a stray byte): it refuses
	 * nothing, since it names nothing. */
	if (s.p == name || (slot = encoding_slot(a, name,
	    (size_t)(s.p - name))) == NULL)
		return;
	q = encoding_weight(&s);
	if (*slot == ENCODING_UNNAMED || q < *slot)
		*slot = q;
}

/* Add one Accept-Encoding field value (one of the request's lines). */
void
encoding_parse(struct encoding_accept *a, const char *v, size_t len)
{
	const char	*end, *p, *comma;

	if (v == NULL)
		return;
	end = v + len;
	for (p = v; p != NULL; p = comma != NULL ? comma + 1 : NULL) {
		comma = memchr(p, ',', (size_t)(end - p));
		encoding_member(a, p, comma != NULL ? comma : end);
	}
}

/* A coding's weight: its own, or "*"'s when the request does not name it. */
static int
encoding_q(const struct encoding_accept *a, enum encoding c)
{
	return a->q[c] != ENCODING_UNNAMED ? a->q[c] : a->star;
}

/* The codings to try, best first (br first at equal weights); how many. */
int
encoding_order(const struct encoding_accept *a,
    enum encoding out[ENCODING_N - 1])
{
	int	qb = encoding_q(a, ENCODING_BR);
	int	qg = encoding_q(a, ENCODING_GZIP);
	int	n = 0;

	if (qb > 0 && qb >= qg)
		out[n++] = ENCODING_BR;
	if (qg > 0)
		out[n++] = ENCODING_GZIP;
	if (qb > 0 && qb < qg)
		out[n++] = ENCODING_BR;
	return n;
}

/* The Content-Encoding token of a coding; "" for identity. */
const char *
encoding_name(enum encoding c)
{
	static const char *const	names[ENCODING_N] = { "", "br", "gzip" };

	return c >= 0 && c < ENCODING_N ? names[c] : "";
}
