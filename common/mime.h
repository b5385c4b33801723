/* mime: map file names to media types from mime.types or a built-in table. */
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

/* An empty table, for a site's own types; NULL without memory. */
struct mime	*mime_create(void);

/*
 * Map ext to type (both checked with the two functions below); a later
 * mapping of the same extension replaces the earlier. 0 for a new one, 1
 * when it replaced one, -1 without memory.
 */
int		 mime_add(struct mime *, const char *type, const char *ext);

/* Whether s is a bare "type/subtype" a table can hold. */
int		 mime_type_ok(const char *s);

/* Whether s is an extension a table can hold: 1 to 15 bytes, no '.' or
 * '/' (a file's extension is what follows its last '.'). */
int		 mime_ext_ok(const char *s);

/*
 * The bare media type for a path by its extension (case-insensitive), or
 * def when unknown or m is NULL. The string belongs to the table.
 */
const char	*mime_lookup(const struct mime *, const char *path,
		    const char *def);

/*
 * Whether a site's charset parameter goes on a Content-Type: the text
 * types, application/javascript, application/json, application/xml and the +xml
 * and +json types (image/svg+xml, application/ld+json ...), unless it has
 * a charset parameter already.
 */
int		 mime_takes_charset(const char *type);

/*
 * How closely a pattern matches a Content-Type (its parameters ignored,
 * case-insensitive): 3 for the same "type/subtype", 2 for its type with
 * the subtype '*' (any image: "image/" and a star), 1 for any type (a
 * star, '/', a star), 0 for no match.
 */
int		 mime_match(const char *pattern, const char *type);

/* Share a table (NULL is fine); it lives until every holder freed it. */
struct mime	*mime_hold(struct mime *);

/* Drop a hold from mime_load(), mime_create() or mime_hold(). */
void		 mime_free(struct mime *);

#endif
