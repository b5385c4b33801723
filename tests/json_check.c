/* json_check: a small strict JSON reader for the tests of the json log format. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json_check.h"

/* Skip JSON whitespace. */
static const char *
json_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Length of the valid UTF-8 sequence at p, 0 if invalid . */
static size_t
json_utf8(const unsigned char *p, const unsigned char *end)
{
	uint32_t	cp;
	size_t		n, i;

	if (*p < 0xc0)
		return 0;
	n = *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : *p < 0xf8 ? 4 : 0;
	if (n == 0 || (size_t)(end - p) < n)
		return 0;
	cp = *p & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Skip one JSON string at p (its quote); the byte after it or NULL. */
static const char *
json_string(const char *p, const char *end)
{
	size_t	n;

	if (p >= end || *p++ != '"')
		return NULL;
	while (p < end && *p != '"') {
		unsigned char	c = (unsigned char)*p;

		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			if (++p >= end)
				return NULL;
			if (*p == 'u') {
				if (end - p < 5 ||
				    !isxdigit((unsigned char)p[1]) ||
				    !isxdigit((unsigned char)p[2]) ||
				    !isxdigit((unsigned char)p[3]) ||
				    !isxdigit((unsigned char)p[4]))
					return NULL;
				p += 5;
			} else if (strchr("\"\\/bfnrt", *p) != NULL && *p)
				p++;
			else
				return NULL;
		} else if (c >= 0x80) {
			if ((n = json_utf8((const unsigned char *)p,
			    (const unsigned char *)end)) == 0)
				return NULL;
			p += n;
		} else
			p++;
	}
	return p < end ? p + 1 : NULL;
}

/* Skip one JSON number (integers suffice here); the byte after or NULL. */
static const char *
json_number(const char *p, const char *end)
{
	const char	*s;

	if (p < end && *p == '-')
		p++;
	s = p;
	while (p < end && isdigit((unsigned char)*p))
		p++;
	if (p == s || (*s == '0' && p - s > 1))
		return NULL;
	return p;
}

/* Skip one value: string, number or null; the byte after or NULL. */
static const char *
json_value(const char *p, const char *end)
{
	if (p < end && *p == '"')
		return json_string(p, end);
	if (end - p >= 4 && memcmp(p, "null", 4) == 0)
		return p + 4;
	return json_number(p, end);
}

/* Parse one flat object filling fields; the field count or -1 if invalid. */
int
json_object(const char *s, size_t len, struct json_field *f, int max)
{
	const char	*p = s, *end = s + len, *q;
	int		 n = 0;

	p = json_ws(p, end);
	if (p >= end || *p++ != '{')
		return -1;
	p = json_ws(p, end);
	if (p < end && *p == '}')
		return json_ws(p + 1, end) == end ? 0 : -1;
	for (;;) {
		if (n == max || (q = json_string(p, end)) == NULL)
			return -1;
		f[n].key = p + 1;
		f[n].keylen = (size_t)(q - p - 2);
		p = json_ws(q, end);
		if (p >= end || *p++ != ':')
			return -1;
		p = json_ws(p, end);
		if ((q = json_value(p, end)) == NULL)
			return -1;
		f[n].val = p;
		f[n++].vallen = (size_t)(q - p);
		p = json_ws(q, end);
		if (p < end && *p == ',') {
			p = json_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}')
			return json_ws(p + 1, end) == end ? n : -1;
		return -1;
	}
}

/* The raw value of key in fields, as a C string in buf; NULL if absent. */
const char *
json_get(const struct json_field *f, int n, const char *key, char *buf,
    size_t len)
{
	int	i;

	for (i = 0; i < n; i++)
		if (f[i].keylen == strlen(key) &&
		    memcmp(f[i].key, key, f[i].keylen) == 0) {
			snprintf(buf, len, "%.*s", (int)f[i].vallen, f[i].val);
			return buf;
		}
	return NULL;
}
