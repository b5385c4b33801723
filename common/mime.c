/*
 * mime: map a file name to its media type. A built-in table of the common
 * types comes first, then a mime.types file may override and extend it; a
 * site's own types are a second, small table looked up before it. The
 * tables hold bare types: the charset parameter is the site's to add.
 * Lookups run once per cached file, so they hash the extension: no scanning.
 */
#include "tine_build.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "mime.h"

#define MIME_EXT_MAX		15	/* longer extensions never match */
#define MIME_TYPE_MAX		127	/* "type/subtype" without the charset */
#define MIME_LINE_MAX		1024	/* longer lines are skipped whole */
#define MIME_ENTRIES_MAX	65536	/* a hostile file cannot grow us more */
#define MIME_SLOTS_MIN		16	/* a site's own table is a few types */
#define MIME_BLOCK		4096	/* type strings are packed in blocks */

/* One extension and the Content-Type it maps to. */
struct mime_entry {
	char		 ext[MIME_EXT_MAX + 1];	/* lower case */
	const char	*type;			/* in one of mime->blocks */
};

/*
 * Open addressing with linear probing, kept at most half full, over the
 * entries' indexes: the master's table of /etc/mime.types (1,500
 * extensions of 1,200 types) is in every worker's memory, so it is
 * packed: 4-byte slots, the entries in one array, the type strings in
 * blocks rather than one allocation each (88 KiB less of the master's
 * heap with Debian's file than 24-byte slots and a strdup per type).
 */
struct mime {
	uint32_t		*slots;		/* entry index + 1; 0 = free */
	size_t			 nslots;	/* a power of two */
	struct mime_entry	*ents;
	size_t			 nused;
	size_t			 cap;		/* of ents */
	char			**blocks;	/* of type strings, owned */
	size_t			 nblocks;
	size_t			 left;		/* free bytes in the last block */
	const char		*last;		/* the type interned last */
	int			 refs;		/* holders; the last frees */
};

/* The built-in table, in mime.types format so that it goes through the
 * same parser as the file. */
static const char *const mime_builtin[] = {
	"text/html html htm",
	"text/css css",
	"text/javascript js mjs",
	"application/json json map",
	"application/manifest+json webmanifest",
	"application/ld+json jsonld",
	"text/plain txt text log conf",
	"text/csv csv",
	"text/markdown md markdown",
	"text/calendar ics",
	"text/vtt vtt",
	"application/xml xml xsl",
	"application/xhtml+xml xhtml",
	"application/rss+xml rss",
	"application/atom+xml atom",
	"image/svg+xml svg",
	"image/png png",
	"image/apng apng",
	"image/jpeg jpg jpeg",
	"image/gif gif",
	"image/webp webp",
	"image/avif avif",
	"image/bmp bmp",
	"image/tiff tif tiff",
	"image/x-icon ico",
	"font/woff woff",
	"font/woff2 woff2",
	"font/ttf ttf",
	"font/otf otf",
	"application/pdf pdf",
	"application/epub+zip epub",
	"application/zip zip",
	"application/gzip gz tgz",
	"application/x-bzip2 bz2",
	"application/x-xz xz",
	"application/zstd zst",
	"application/x-tar tar",
	"application/x-7z-compressed 7z",
	"application/wasm wasm",
	"video/mp4 mp4 m4v",
	"video/webm webm",
	"video/ogg ogv",
	"video/quicktime mov",
	"audio/mpeg mp3",
	"audio/ogg ogg oga opus",
	"audio/wav wav",
	"audio/flac flac",
	"audio/mp4 m4a",
	"audio/aac aac",
};

/* ASCII lower case, whatever the locale says. */
static int
mime_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* A token character of RFC 9110, as in "type/subtype". */
static int
mime_tchar(int c)
{
	return c != '\0' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Whether s is "token/token", short enough to store. */
int
mime_type_ok(const char *s)
{
	const char	*p = s, *sub;

	while (mime_tchar((unsigned char)*p))
		p++;
	if (p == s || *p != '/')
		return 0;
	sub = ++p;
	while (mime_tchar((unsigned char)*p))
		p++;
	return p > sub && *p == '\0' && (size_t)(p - s) <= MIME_TYPE_MAX;
}

/* Whether s can be an extension: lookups cut at the last '.', so no dots. */
int
mime_ext_ok(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= MIME_EXT_MAX && strchr(s, '.') == NULL &&
	    strchr(s, '/') == NULL;
}

/* FNV-1a of the lower-cased extension. */
static uint32_t
mime_hash(const char *ext)
{
	return hash_fnv1a(ext, strlen(ext), 0);
}

/* The index of the slot holding ext, or of the free slot where it goes. */
static size_t
mime_slot(const struct mime *m, const uint32_t *slots, size_t nslots,
    const char *ext)
{
	size_t	 i = mime_hash(ext) & (nslots - 1);

	while (slots[i] != 0 && strcmp(m->ents[slots[i] - 1].ext, ext) != 0)
		i = (i + 1) & (nslots - 1);
	return i;
}

/* Double the slots (or make the first ones) and index every entry anew. */
static int
mime_grow(struct mime *m)
{
	uint32_t	*slots;
	size_t		 i, n;

	n = m->nslots ? m->nslots * 2 : MIME_SLOTS_MIN;

	if ((slots = calloc(n, sizeof *slots)) == NULL)
		return -1;
	for (i = 0; i < m->nused; i++)
		slots[mime_slot(m, slots, n, m->ents[i].ext)] = (uint32_t)i + 1;
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
	return 0;
}

/* Room for one more entry; -1 without memory. */
static int
mime_room(struct mime *m)
{
	struct mime_entry	*v;
	size_t			 n;

	if (m->nused < m->cap)
		return 0;
	n = m->cap ? m->cap * 2 : MIME_SLOTS_MIN / 2;
	if ((v = reallocarray(m->ents, n, sizeof *v)) == NULL)
		return -1;
	m->ents = v;
	m->cap = n;
	return 0;
}

/* Map ext (already checked) to type; a later mapping replaces an earlier:
 * 1 then, 0 for a new one, -1 without memory. */
static int
mime_put(struct mime *m, const char *ext, const char *type)
{
	struct mime_entry	*e;
	char			 key[MIME_EXT_MAX + 1];
	size_t			 i, slot;

	for (i = 0; ext[i] != '\0'; i++)
		key[i] = (char)mime_lower((unsigned char)ext[i]);
	key[i] = '\0';
	if ((m->nused + 1) * 2 > m->nslots && mime_grow(m) == -1)
		return -1;
	slot = mime_slot(m, m->slots, m->nslots, key);
	if (m->slots[slot] != 0) {
		m->ents[m->slots[slot] - 1].type = type;
		return 1;
	}
	if (m->nused >= MIME_ENTRIES_MAX)
		return 0;
	if (mime_room(m) == -1)
		return -1;
	e = &m->ents[m->nused++];
	memcpy(e->ext, key, sizeof key);
	e->type = type;
	m->slots[slot] = (uint32_t)m->nused;
	return 0;
}

/* Keep a copy of type (the last one kept, when it is the same); NULL on
 * ENOMEM. */
static const char *
mime_intern(struct mime *m, const char *type)
{
	size_t	 len = strlen(type) + 1;
	char	**v, *s;

	if (m->last != NULL && strcmp(m->last, type) == 0)
		return m->last;
	if (len > MIME_BLOCK)	/* mime_type_ok() refuses it first */
		return NULL;
	if (len > m->left) {
		v = reallocarray(m->blocks, m->nblocks + 1, sizeof *v);
		if (v == NULL)
			return NULL;
		m->blocks = v;
		if ((m->blocks[m->nblocks] = malloc(MIME_BLOCK)) == NULL)
			return NULL;
		m->nblocks++;
		m->left = MIME_BLOCK;
	}
	s = m->blocks[m->nblocks - 1] + (MIME_BLOCK - m->left);
	memcpy(s, type, len);
	m->left -= len;
	return m->last = s;
}

/* Add one "type ext ext ..." line; comments and malformed parts are skipped. */
static int
mime_add_line(struct mime *m, char *line)
{
	const char	*type;
	char		*ext, *last;

	line[strcspn(line, "#")] = '\0';
	type = strtok_r(line, " \t\r\n", &last);
	if (type == NULL || !mime_type_ok(type))
		return 0;
	while ((ext = strtok_r(NULL, " \t\r\n", &last)) != NULL) {
		if (!mime_ext_ok(ext))
			continue;
		if (mime_add(m, type, ext) == -1)
			return -1;
	}
	return 0;
}

/* An empty table, for a site's own types (see mime.h). */
struct mime *
mime_create(void)
{
	struct mime	*m;

	if ((m = calloc(1, sizeof *m)) == NULL)
		return NULL;
	m->refs = 1;
	return m;
}

/* Map ext to type in a site's table (see mime.h). */
int
mime_add(struct mime *m, const char *type, const char *ext)
{
	const char	*t;

	if ((t = mime_intern(m, type)) == NULL)
		return -1;
	return mime_put(m, ext, t);
}

/* Fill a new table from the built-in list; NULL on ENOMEM. */
static struct mime *
mime_new(void)
{
	struct mime	*m;
	char		 line[MIME_LINE_MAX];
	size_t		 i;

	if ((m = mime_create()) == NULL)
		return NULL;
	for (i = 0; i < sizeof mime_builtin / sizeof mime_builtin[0]; i++) {
		strlcpy(line, mime_builtin[i], sizeof line);
		if (mime_add_line(m, line) == -1) {
			mime_free(m);
			return NULL;
		}
	}
	return m;
}

/* Read the rest of an over-long line so the next fgets starts afresh. */
static void
mime_skip_line(FILE *fp)
{
	int	 c;

	while ((c = getc(fp)) != EOF && c != '\n')
		;
}

/* Add every line of an open mime.types; -1 on a read error or ENOMEM. */
static int
mime_read(struct mime *m, FILE *fp)
{
	char	 line[MIME_LINE_MAX];
	size_t	 len;

	while (fgets(line, sizeof line, fp) != NULL) {
		len = strlen(line);
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			mime_skip_line(fp);
			continue;
		}
		if (mime_add_line(m, line) == -1)
			return -1;
	}
	return ferror(fp) ? -1 : 0;
}

/* The built-in table extended by a mime.types file (see mime.h). */
struct mime *
mime_load(const char *file, char *err, size_t errlen)
{
	struct mime	*m;
	FILE		*fp;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((m = mime_new()) == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "mime types: out of memory");
		return NULL;
	}
	if (file == NULL)
		return m;
	if ((fp = fopen(file, "re")) == NULL) {
		/* A system without mime.types still serves the common types. */
		if (errno == ENOENT || errno == ENOTDIR)
			return m;
		goto fail;
	}
	errno = 0;
	if (mime_read(m, fp) == -1) {
		fclose(fp);
		goto fail;
	}
	fclose(fp);
	return m;
fail:
	if (err != NULL)
		snprintf(err, errlen, "%s: %s", file,
		    errno != 0 ? strerror(errno) : "read error");
	mime_free(m);
	return NULL;
}

/* Content-Type of a path by its last extension; def when unknown. */
const char *
mime_lookup(const struct mime *m, const char *path, const char *def)
{
	const char		*base, *dot;
	char			 key[MIME_EXT_MAX + 1];
	size_t			 i;
	uint32_t		 e;

	if (m == NULL || m->nslots == 0 || path == NULL)
		return def;
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	/* ".bashrc" is a hidden file without an extension. */
	if ((dot = strrchr(base, '.')) == NULL || dot == base)
		return def;
	for (i = 0; dot[i + 1] != '\0'; i++) {
		if (i == MIME_EXT_MAX)
			return def;
		key[i] = (char)mime_lower((unsigned char)dot[i + 1]);
	}
	key[i] = '\0';
	if (i == 0)
		return def;
	e = m->slots[mime_slot(m, m->slots, m->nslots, key)];
	return e != 0 ? m->ents[e - 1].type : def;
}

/* One more holder of a table; m. */
struct mime *
mime_hold(struct mime *m)
{
	if (m != NULL)
		m->refs++;
	return m;
}

/* Drop a hold: the last one releases the table and every type string. */
void
mime_free(struct mime *m)
{
	size_t	 i;

	if (m == NULL || --m->refs > 0)
		return;
	for (i = 0; i < m->nblocks; i++)
		free(m->blocks[i]);
	free(m->blocks);
	free(m->ents);
	free(m->slots);
	free(m);
}

/* Length of the bare "type/subtype" at the start of a media type. */
static size_t
mime_bare_len(const char *type)
{
	return strcspn(type, "; \t");
}

/* Whether a Content-Type's parameters name a charset already. */
static int
mime_has_charset(const char *type)
{
	const char	*p = type;

	while ((p = strchr(p, ';')) != NULL) {
		p += 1 + strspn(p + 1, " \t");
		if (strncasecmp(p, "charset=", 8) == 0)
			return 1;
	}
	return 0;
}

/* Whether a site's charset goes on type (see mime.h). */
int
mime_takes_charset(const char *type)
{
	static const char *const	 exact[] = {
		"application/javascript", "application/json", "application/xml",
	};
	size_t				 n = mime_bare_len(type), i;

	if (mime_has_charset(type))
		return 0;
	if (n > 5 && strncasecmp(type, "text/", 5) == 0)
		return 1;
	for (i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (n == strlen(exact[i]) &&
		    strncasecmp(type, exact[i], n) == 0)
			return 1;
	/* RFC 6839's structured syntax suffixes: image/svg+xml, rss+xml,
	 * application/ld+json, ... are text in those encodings. */
	return (n > 4 && strncasecmp(type + n - 4, "+xml", 4) == 0) ||
	    (n > 5 && strncasecmp(type + n - 5, "+json", 5) == 0);
}

/* How closely pattern matches type (see mime.h). */
int
mime_match(const char *pattern, const char *type)
{
	size_t	 n = mime_bare_len(type), major = strcspn(type, "/");

	if (strcmp(pattern, "*/*") == 0)
		return 1;
	if (major < n && strlen(pattern) == major + 2 &&
	    strcmp(pattern + major, "/*") == 0 &&
	    strncasecmp(pattern, type, major) == 0)
		return 2;
	return strlen(pattern) == n && strncasecmp(pattern, type, n) == 0 ?
	    3 : 0;
}
