/* path: turn a request path into a safe path below the document root. */
#ifndef TINE_PATH_H
#define TINE_PATH_H

#include <stddef.h>

/* The buffer a request's normalised path is put in: its size, so the
 * longest path is PATH_NORM_MAX - 1 bytes. */
#define PATH_NORM_MAX	4096

/*
 * Percent-decode and normalise the path part of a request target into out:
 * always starting with '/', no "//", no "." or ".." segments, a trailing '/'
 * kept when the input had one (or ended in "/." or "/.."). Returns the
 * length written, or -1 when the path is invalid (400): not starting with
 * '/', a bad or %00 escape, a control byte, ".." above the root, or longer
 * than outlen - 1.
 */
long	path_normalize(const char *in, size_t len, char *out, size_t outlen);

#endif
