/*
 * cond: validators (ETag, Last-Modified) and conditional requests
 * (RFC 9110 8.8, 13).
 */
#include "tine_build.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cond.h"
#include "date.h"

/* An entity-tag as found in a field value: its opaque part and weakness. */
struct cond_tag {
	const char	*opaque;	/* between the quotes */
	size_t		 len;
	bool		 weak;
};

/* A cursor over a field value (not NUL-terminated). */
struct cond_scan {
	const char	*p;
	const char	*end;
};

/*
 * Write a strong ETag for this file version: mtime (seconds and
 * nanoseconds), size and inode in hex, so any of them changing changes it.
 */
size_t
cond_etag(const struct stat *st, char buf[COND_ETAG_LEN])
{
	int	n;

	/* At most 2 + 16 + 1 + 8 + 1 + 16 + 1 + 16 = 61 bytes: never cut. */
	n = snprintf(buf, COND_ETAG_LEN, "\"%llx.%lx-%llx-%llx\"",
	    (unsigned long long)st->st_mtim.tv_sec,
	    (unsigned long)st->st_mtim.tv_nsec,
	    (unsigned long long)st->st_size,
	    (unsigned long long)st->st_ino);
	return n < 0 ? 0 : (size_t)n;
}

/* Is c allowed inside an entity-tag's quotes (etagc)? */
static bool
cond_etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

/* Skip optional whitespace (SP / HTAB). */
static void
cond_ows(struct cond_scan *cs)
{
	while (cs->p < cs->end && (*cs->p == ' ' || *cs->p == '\t'))
		cs->p++;
}

/* Consume one entity-tag ([W/] DQUOTE *etagc DQUOTE) into tag. */
static int
cond_tag_scan(struct cond_scan *cs, struct cond_tag *tag)
{
	tag->weak = false;
	if (cs->end - cs->p >= 2 && cs->p[0] == 'W' && cs->p[1] == '/') {
		tag->weak = true;
		cs->p += 2;
	}
	if (cs->p >= cs->end || *cs->p != '"')
		return -1;
	tag->opaque = ++cs->p;
	while (cs->p < cs->end && cond_etagc(*cs->p))
		cs->p++;
	if (cs->p >= cs->end || *cs->p != '"')
		return -1;
	tag->len = cs->p - tag->opaque;
	cs->p++;
	return 0;
}

/* Parse a whole value as exactly one entity-tag. */
static int
cond_tag_parse(const char *s, size_t len, struct cond_tag *tag)
{
	struct cond_scan	cs = { s, s + len };

	if (s == NULL || cond_tag_scan(&cs, tag) == -1)
		return -1;
	return cs.p == cs.end ? 0 : -1;
}

/* Compare two tags, strongly (both strong, same opaque) or weakly. */
static bool
cond_tag_eq(const struct cond_tag *a, const struct cond_tag *b, bool weak)
{
	if (!weak && (a->weak || b->weak))
		return false;
	return a->len == b->len && memcmp(a->opaque, b->opaque, a->len) == 0;
}

/* Is the (OWS-trimmed) value exactly "*"? */
static bool
cond_is_star(const char *s, size_t len)
{
	struct cond_scan	cs = { s, s + len };

	cond_ows(&cs);
	if (cs.p >= cs.end || *cs.p != '*')
		return false;
	cs.p++;
	cond_ows(&cs);
	return cs.p == cs.end;
}

/*
 * Walk #entity-tag: empty elements are allowed by the list rules, but a
 * malformed element spoils the whole list (it then matches nothing), so
 * the walk always reaches the end before answering.
 */
static bool
cond_list_match(const char *list, size_t len, const struct cond_tag *our,
    bool weak)
{
	struct cond_scan	cs = { list, list + len };
	struct cond_tag		tag;
	bool			matched = false;

	for (;;) {
		cond_ows(&cs);
		if (cs.p == cs.end)
			break;
		if (*cs.p == ',') {
			cs.p++;
			continue;
		}
		if (cond_tag_scan(&cs, &tag) == -1)
			return false;
		if (cond_tag_eq(&tag, our, weak))
			matched = true;
		cond_ows(&cs);
		if (cs.p < cs.end && *cs.p != ',')
			return false;
	}
	return matched;
}

/* Does an If-Match / If-None-Match value match etag (see cond.h)? */
bool
cond_etag_match(const char *list, size_t len, const char *etag, bool weak)
{
	struct cond_tag	our;

	if (list == NULL || etag == NULL)
		return false;
	if (cond_is_star(list, len))
		return true;	/* we always have a current representation */
	if (cond_tag_parse(etag, strlen(etag), &our) == -1)
		return false;
	return cond_list_match(list, len, &our, weak);
}

/* Parse an optional date field; -1 when absent or not a valid date. */
static int
cond_date(const char *s, size_t len, time_t *t)
{
	if (s == NULL)
		return -1;
	return date_parse(s, len, t);
}

/* Evaluate preconditions in RFC 9110 13.2.2 order for a GET/HEAD. */
enum cond_result
cond_evaluate(const struct cond_request *cr, const char *etag, time_t mtime)
{
	time_t	t;

	if (cr->if_match != NULL) {
		if (!cond_etag_match(cr->if_match, cr->if_match_len, etag,
		    false))
			return COND_FAILED;
	} else if (cond_date(cr->if_unmodified_since,
	    cr->if_unmodified_since_len, &t) == 0 && mtime > t)
		return COND_FAILED;

	if (cr->if_none_match != NULL) {
		if (cond_etag_match(cr->if_none_match, cr->if_none_match_len,
		    etag, true))
			return COND_NOT_MODIFIED;
	} else if (cond_date(cr->if_modified_since,
	    cr->if_modified_since_len, &t) == 0 && mtime <= t)
		return COND_NOT_MODIFIED;
	return COND_PROCEED;
}

/*
 * If-Range (RFC 9110 13.1.5): an entity-tag must match strongly, so a weak
 * one never does; a date must equal Last-Modified exactly.
 */
bool
cond_if_range(const char *v, size_t len, const char *etag, time_t mtime)
{
	struct cond_tag	their, our;
	time_t		t;

	if (v == NULL)
		return false;
	/* "W/" not just 'W': a date may start with "Wed,". */
	if ((len > 0 && v[0] == '"') || (len > 1 && v[0] == 'W' &&
	    v[1] == '/')) {
		if (etag == NULL ||
		    cond_tag_parse(v, len, &their) == -1 ||
		    cond_tag_parse(etag, strlen(etag), &our) == -1)
			return false;
		return cond_tag_eq(&their, &our, false);
	}
	return date_parse(v, len, &t) == 0 && t == mtime;
}
