/* json_check: a small strict JSON reader for the tests of the json log format. */
#ifndef TINE_JSON_CHECK_H
#define TINE_JSON_CHECK_H

#include <stddef.h>

/* One member of a flat object, pointing into the parsed text. */
struct json_field {
	const char	*key;		/* after the opening quote */
	size_t		 keylen;
	const char	*val;		/* raw JSON text of the value */
	size_t		 vallen;
};

/*
 * Parse s[0..len) as one flat object whose values are strings (valid UTF-8,
 * RFC 8259 escapes), integers or null. Fills at most max fields; returns
 * their count, or -1 when the text is not such an object.
 */
int		 json_object(const char *s, size_t len, struct json_field *f,
		    int max);

/* The raw value of key as a C string in buf; NULL when absent. */
const char	*json_get(const struct json_field *f, int n, const char *key,
		    char *buf, size_t len);

#endif
