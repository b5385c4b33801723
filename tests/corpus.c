/*
 * corpus: load tests/corpus/requests.txt. Each line is
 * NAME TAB PARSE TAB SERVER TAB CONN TAB REQUEST, where REQUEST uses the C
 * escapes \r \n \t \\ \xHH plus {LONG:N} (N 'a' bytes) and {REP:N:text}
 * (text, itself escaped, N times) so limit cases stay one readable line.
 */
#include "tine_build.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"

#define CORPUS_MAX_RAW	(4 * 1024 * 1024)

/* A growing byte buffer for one expanded request. */
struct corpus_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

/* Append n copies of byte c; -1 when the request grows absurdly large. */
static int
corpus_put(struct corpus_buf *b, char c, size_t n)
{
	char	*np;
	size_t	 ncap;

	if (n > CORPUS_MAX_RAW || b->len + n > CORPUS_MAX_RAW)
		return -1;
	if (b->len + n > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + n)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL)
			return -1;
		b->p = np;
		b->cap = ncap;
	}
	memset(b->p + b->len, c, n);
	b->len += n;
	return 0;
}

/* Value of a hex digit, or -1. */
static int
corpus_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the escape at s (just after a backslash); returns bytes used or -1. */
static int
corpus_escape(const char *s, char *out)
{
	int	 hi, lo;

	switch (s[0]) {
	case 'r': *out = '\r'; return 1;
	case 'n': *out = '\n'; return 1;
	case 't': *out = '\t'; return 1;
	case '\\': *out = '\\'; return 1;
	case 'x':
		if ((hi = corpus_hex(s[1])) == -1 ||
		    (lo = corpus_hex(s[2])) == -1)
			return -1;
		*out = (char)(hi * 16 + lo);
		return 3;
	default:
		return -1;
	}
}

/* Expand the escapes of s[0..len) into b; -1 on a bad escape or a tab. */
static int
corpus_unescape(const char *s, size_t len, struct corpus_buf *b)
{
	size_t	 i;
	int	 used;
	char	 c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '\t')
			return -1;
		if (c == '\\') {
			if (i + 1 >= len ||
			    (used = corpus_escape(s + i + 1, &c)) == -1 ||
			    i + (size_t)used >= len)
				return -1;
			i += (size_t)used;
		}
		if (corpus_put(b, c, 1) == -1)
			return -1;
	}
	return 0;
}

/* Parse the count of a macro at s ("N:" or "N}"); -1 if none. */
static long
corpus_count(const char *s, char **end)
{
	long	 n;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtol(s, end, 10);
	if (errno != 0 || n < 0 || n > CORPUS_MAX_RAW)
		return -1;
	return n;
}

/* Expand {LONG:N} or {REP:N:text} at s; returns chars used, 0 if none, -1. */
static long
corpus_macro(const char *s, struct corpus_buf *b)
{
	struct corpus_buf	 one = { NULL, 0, 0 };
	const char		*close;
	char			*end;
	long			 n, k;

	if (strncmp(s, "{LONG:", 6) == 0) {
		if ((n = corpus_count(s + 6, &end)) == -1 || *end != '}' ||
		    corpus_put(b, 'a', (size_t)n) == -1)
			return -1;
		return end - s + 1;
	}
	if (strncmp(s, "{REP:", 5) != 0)
		return 0;
	if ((n = corpus_count(s + 5, &end)) == -1 || *end != ':' ||
	    (close = strchr(end, '}')) == NULL ||
	    corpus_unescape(end + 1, (size_t)(close - end - 1), &one) == -1) {
		free(one.p);
		return -1;
	}
	for (k = 0; k < n; k++) {
		if (corpus_put(b, '\0', one.len) == -1) {
			free(one.p);
			return -1;
		}
		memcpy(b->p + b->len - one.len, one.p, one.len);
	}
	free(one.p);
	return close - s + 1;
}

/* Expand a whole REQUEST field into c->raw; 0 or -1. */
static int
corpus_request(const char *s, struct corpus_case *c)
{
	struct corpus_buf	 b = { NULL, 0, 0 };
	const char		*next;
	long			 used;

	while (*s != '\0') {
		if ((used = corpus_macro(s, &b)) == -1)
			goto fail;
		if (used > 0) {
			s += used;
			continue;
		}
		/* Escape-expand up to the next possible macro. */
		next = strchr(s + 1, '{');
		if (next == NULL)
			next = s + strlen(s);
		if (corpus_unescape(s, (size_t)(next - s), &b) == -1)
			goto fail;
		s = next;
	}
	if (corpus_put(&b, '\0', 1) == -1)
		goto fail;
	c->raw = b.p;
	c->rawlen = b.len - 1;
	return 0;
fail:
	free(b.p);
	return -1;
}

/* Parse a status field: "ok" (parse only) or a three-digit code. */
static int
corpus_status(const char *s, bool ok_allowed)
{
	char	*end;
	long	 v;

	if (ok_allowed && strcmp(s, "ok") == 0)
		return 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 100 || v > 599)
		return -1;
	return (int)v;
}

/* Split one non-comment line into c; 0 or -1. */
static int
corpus_line(char *line, struct corpus_case *c)
{
	char	*f[5];
	int	 i;

	f[0] = line;
	for (i = 1; i < 5; i++) {
		if ((f[i] = strchr(f[i - 1], '\t')) == NULL)
			return -1;
		*f[i]++ = '\0';
	}
	if (*f[0] == '\0' || *f[4] == '\0')
		return -1;
	if ((c->parse_status = corpus_status(f[1], true)) == -1 ||
	    (c->server_status = corpus_status(f[2], false)) == -1)
		return -1;
	if (strcmp(f[3], "keep") == 0)
		c->close = false;
	else if (strcmp(f[3], "close") == 0)
		c->close = true;
	else
		return -1;
	if ((c->name = strdup(f[0])) == NULL)
		return -1;
	if (corpus_request(f[4], c) == -1) {
		free(c->name);
		return -1;
	}
	return 0;
}

/* Append one case to the array, growing it. */
static int
corpus_push(struct corpus_case **v, size_t *n, size_t *cap,
    const struct corpus_case *c)
{
	struct corpus_case	*nv;
	size_t			 ncap;

	if (*n == *cap) {
		ncap = *cap ? *cap * 2 : 64;
		if ((nv = reallocarray(*v, ncap, sizeof(*nv))) == NULL)
			return -1;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = *c;
	return 0;
}

/* Read the file line by line; see corpus.h. */
int
corpus_load(const char *path, struct corpus_case **out, size_t *n)
{
	struct corpus_case	 c, *v = NULL;
	FILE			*fp;
	char			*line = NULL;
	size_t			 cap = 0, vcap = 0, nv = 0;
	ssize_t			 len;
	int			 lineno = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		memset(&c, 0, sizeof(c));
		c.line = lineno;
		if (corpus_line(line, &c) == -1 ||
		    corpus_push(&v, &nv, &vcap, &c) == -1) {
			fprintf(stderr, "%s:%d: malformed corpus line\n", path,
			    lineno);
			goto fail;
		}
	}
	free(line);
	fclose(fp);
	*out = v;
	*n = nv;
	return 0;
fail:
	free(line);
	fclose(fp);
	corpus_free(v, nv);
	return -1;
}

/* Free every case and the array. */
void
corpus_free(struct corpus_case *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].raw);
	}
	free(v);
}

/* See corpus.h: tests run from the build dir, the corpus is in the source. */
int
corpus_path(char *buf, size_t len)
{
	const char	*dir;
	int		 w;

	if ((dir = getenv("TINE_SRCDIR")) == NULL)
		dir = ".";
	w = snprintf(buf, len, "%s/tests/corpus/requests.txt", dir);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}
