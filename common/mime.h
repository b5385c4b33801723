/* mime: map file names to Content-Type from mime.types or a built-in table. */
#ifndef TINE_MIME_H
#define TINE_MIME_H

#include <stddef.h>

struct mime;

/*
 * Load a mime.types file (Debian's format: "type ext ext ..." lines, '#'
 * comments) on top of the built-in table. A NULL or missing file gives the
 * built-in table alone and is not an error; an unreadable one is. Returns
 * NULL with err set on failure. Free with mime_free().
 */
struct mime	*mime_load(const char *file, char *err, size_t errlen);

/*
 * Content-Type for a path by its extension (case-insensitive), or def when
 * unknown. The string belongs to the table.
 */
const char	*mime_lookup(const struct mime *, const char *path,
		    const char *def);

void		 mime_free(struct mime *);

#endif
