/* b64: base64 for tests, written apart from tine's decoder so that one checks the other. */
#ifndef TINE_TESTS_B64_H
#define TINE_TESTS_B64_H

#include <stddef.h>

/* Standard padded base64 of the len bytes at s into out (room for
 * 4 * ((len + 2) / 3) + 1 bytes), NUL-terminated; its length. */
size_t	b64_encode(const void *s, size_t len, char *out);

#endif
