/* encoding: which content codings a request accepts (Accept-Encoding, RFC 9110 12.5.3). */
#ifndef TINE_ENCODING_H
#define TINE_ENCODING_H

#include <stddef.h>

/* The codings tine can answer with: a file as stored, or a sibling. */
enum encoding {
	ENCODING_IDENTITY = 0,	/* as stored: no Content-Encoding */
	ENCODING_BR,		/* FILE.br */
	ENCODING_GZIP,		/* FILE.gz */
	ENCODING_N
};

#define ENCODING_Q_MAX		1000	/* q=1, in thousandths */
#define ENCODING_UNNAMED	(-1)	/* the request names no such coding */

/*
 * What a request's Accept-Encoding lines say so far: each weight in
 * thousandths (0 = not acceptable), or ENCODING_UNNAMED.
 */
struct encoding_accept {
	int	q[ENCODING_N];		/* [ENCODING_BR], [ENCODING_GZIP] */
	int	star;			/* "*": any coding not named */
};

/* Start as a request without Accept-Encoding: nothing but identity. */
void		 encoding_init(struct encoding_accept *);

/*
 * Add one Accept-Encoding field value: a request's lines are one list, so
 * call it for each in turn. A coding named twice keeps its lower weight;
 * a member whose weight cannot be read refuses the coding it names.
 */
void		 encoding_parse(struct encoding_accept *, const char *v,
		    size_t len);

/*
 * The codings to try, best first, into out; their count (0 to 2). Only
 * those with a weight above 0 (their own, or "*"'s when not named); the
 * higher weight first, br first at equal weights.
 */
int		 encoding_order(const struct encoding_accept *,
		    enum encoding out[ENCODING_N - 1]);

/* The Content-Encoding token of a coding ("br", "gzip"); "" for identity. */
const char	*encoding_name(enum encoding);

#endif
