/* combined_check: matchers for Apache-style text log lines, for the tests. */
#ifndef TINE_COMBINED_CHECK_H
#define TINE_COMBINED_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* Match the literal s at *pp and move past it. */
bool	combined_lit(const char **pp, const char *s);

/* Match exactly n digits at *pp and move past them. */
bool	combined_digits(const char **pp, int n);

/*
 * Match a quoted field escaped as Apache does (\" \\ \b \n \r \t \v and \xhh
 * with lowercase hex; nothing else below 0x20 or from 0x7f) and move past
 * it. When out is not NULL, the field's text (still escaped) is copied
 * there; a field that does not fit in outlen fails.
 */
bool	combined_quoted(const char **pp, char *out, size_t outlen);

#endif
