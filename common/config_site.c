/* config_site: the options of a site, at the top level and in each vhost section. */
#include "tine_build.h"

#include <sys/stat.h>

#include <confuse.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cidr.h"
#include "accesslog.h"
#include "config.h"
#include "config_int.h"
#include "htpasswd.h"
#include "mime.h"
#include "path.h"

#define CONFIG_REDIRECT_MAX	2048		/* fits a head with a long path */
#define CONFIG_HEADERS_MAX	1024		/* of a 4096-byte response head */
#define CONFIG_PREFIX_MAX	256		/* a location's path prefix */
#define CONFIG_LOCATIONS_MAX	256		/* per site: scanned per request */
#define CONFIG_REALM_MAX	128		/* auth_basic_realm's bytes */
#define CONFIG_CHARSET_MAX	64		/* IANA's longest name has 45 bytes */
#define CONFIG_CC_MAX		512		/* a Cache-Control value */
/* Distinct access logs: each is a descriptor in the master (twice while a
 * reopen's generation starts) and in every worker. */
#define CONFIG_ACCESS_LOGS_MAX	256

static const struct config_word config_hidden[] = {
	{ "deny", 0 },
	{ "allow", 1 },
};

static const struct config_word config_access_words[] = {
	{ "off", CONFIG_LOG_OFF },
	{ "stdout", CONFIG_LOG_STDOUT },
	{ "stderr", CONFIG_LOG_STDERR },
	{ "syslog", CONFIG_LOG_SYSLOG },
};

/* ---- sites: the top level and each vhost ---- */

/* Where one site's options are read, how errors name them, and what a
 * vhost inherits: everything it does not set comes from the top level. */
struct config_scope {
	cfg_t				*cfg;
	const char			*label;	/* "", 'vhost "NAME" ', ... */
	const struct config_site	*parent; /* NULL at the top level */
	const char			*prefix; /* a location's; NULL: a site */
};

/* "label" + key into buf, the name marks and messages use; buf. */
static const char *
config_key(const struct config_scope *sc, const char *key, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s%s", sc->label, key);
	return buf;
}

/* document_root: an existing directory, kept as its real path. */
static int
config_site_root(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*v = cfg_getstr(sc->cfg, "document_root");
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];
	struct stat	 st;

	/* A location serves from its site's root (it has no such key). */
	if (sc->prefix != NULL) {
		site->document_root = strdup(sc->parent->document_root);
		site->root_path = strdup(sc->parent->root_path);
		return site->document_root == NULL || site->root_path == NULL ?
		    config_oom(ctx) : 0;
	}
	config_key(sc, "document_root", k, sizeof k);
	if (v == NULL && sc->parent != NULL)
		v = sc->parent->document_root;
	if (v == NULL || *v == '\0')
		return config_fail(ctx, k, 0, "must not be empty");
	if ((site->document_root = realpath(v, NULL)) == NULL)
		return config_fail(ctx, k, 0, "%s: %s",
		    config_quote(v, q, sizeof q), strerror(errno));
	if (stat(site->document_root, &st) == -1)
		return config_fail(ctx, k, 0, "%s: %s",
		    config_quote(v, q, sizeof q), strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return config_fail(ctx, k, 0, "%s is not a directory",
		    config_quote(v, q, sizeof q));
	/* A deploy re-points a symlink in the path as written. */
	site->root_path = strdup(*v == '/' ? v : site->document_root);
	return site->root_path == NULL ? config_oom(ctx) : 0;
}

/* index: plain file names tried in a directory, in order. */
static int
config_site_index(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*name, *why;
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];
	unsigned int	 i, n = cfg_size(sc->cfg, "index");
	bool		 inherit = n == 0 && sc->parent != NULL;

	if (inherit)
		n = (unsigned int)sc->parent->nindex;
	if ((site->index = calloc(n + 1, sizeof *site->index)) == NULL)
		return config_oom(ctx);
	for (i = 0; i < n; i++) {
		name = inherit ? sc->parent->index[i] :
		    cfg_getnstr(sc->cfg, "index", i);
		if ((why = config_index_bad(name)) != NULL)
			return config_fail(ctx, config_key(sc, "index", k,
			    sizeof k), i, "%s %s", config_quote(name, q,
			    sizeof q), why);
		if ((site->index[i] = strdup(name)) == NULL)
			return config_oom(ctx);
		site->nindex = i + 1;
	}
	return 0;
}

/* default_type and hidden_files. */
static int
config_site_words(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*type = cfg_getstr(sc->cfg, "default_type");
	const char	*hidden = cfg_getstr(sc->cfg, "hidden_files");
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];
	int		 allow;

	if (type == NULL)
		type = sc->parent->default_type;
	if (config_media_type(type) == -1)
		return config_fail(ctx, config_key(sc, "default_type", k,
		    sizeof k), 0, "must be a media type like \"text/plain\", "
		    "got %s", config_quote(type, q, sizeof q));
	if ((site->default_type = strdup(type)) == NULL)
		return config_oom(ctx);
	if (hidden == NULL) {
		site->hidden_files = sc->parent->hidden_files;
		return 0;
	}
	if (config_word(config_hidden, CONFIG_NITEMS(config_hidden), hidden,
	    &allow) == -1)
		return config_fail(ctx, config_key(sc, "hidden_files", k,
		    sizeof k), 0, "must be deny or allow, got %s",
		    config_quote(hidden, q, sizeof q));
	site->hidden_files = allow;
	return 0;
}

/* ---- error_pages and headers: what a site adds to its answers ---- */

/*
 * Whether a vhost takes the top level's list: only when it does not write
 * the key at all. A vhost that writes it, even as {}, replaces the list,
 * as nginx's add_header and error_page do.
 */
static bool
config_site_inherits(struct config_ctx *ctx, const struct config_scope *sc,
    const char *k)
{
	return sc->parent != NULL && config_marks_find(&ctx->marks, k) == NULL;
}

/*
 * Why a path written in the config (an error page, or with dir a location
 * prefix, which may end with '/') is not matched or read as written, or
 * NULL: it must already be in the form requests are normalised to.
 */
static const char *
config_path_bad(const char *p, bool dir, size_t max)
{
	size_t	n;

	if (*p != '/')
		return "must be an absolute path (starting with '/')";
	if (strchr(p, '?') != NULL)
		return "must be a path without a query ('?')";
	if (strlen(p) >= max)
		return "is too long";
	for (n = 0; p[n] != '\0'; n++)
		if ((unsigned char)p[n] < 0x20 || p[n] == 0x7f)
			return "has a control byte";
	/* Refused rather than normalised: what is written is what is read. */
	for (; *p == '/'; p += n + 1) {
		n = strcspn(p + 1, "/");
		if (n == 0 && dir && p[1] == '\0')
			break;
		if (n == 0)
			return dir ? "is refused, not normalised: it has an "
			    "empty segment" : "is refused, not normalised: it "
			    "has an empty segment or ends with '/'";
		if ((n == 1 && p[1] == '.') || (n == 2 && p[1] == '.' &&
		    p[2] == '.'))
			return "is refused, not normalised: it has a \".\" or "
			    "\"..\" segment";
	}
	return NULL;
}

/* "CODE /path" into pg (path pointing into v); why it is not, or NULL. */
static const char *
config_page_parse(const char *v, struct config_page *pg)
{
	const char	*p = v + strspn(v, "0123456789");

	if (p - v != 3 || (*p != ' ' && *p != '\t'))
		return "must be \"CODE /path\", like \"404 /404.html\"";
	pg->status = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
	if (pg->status < 400 || pg->status > 599)
		return "must have an error code, 400 to 599";
	pg->path = (char *)p + strspn(p, " \t");
	return config_path_bad(pg->path, false, PATH_MAX);
}

/* A vhost's error_pages copied from the top level's. */
static int
config_pages_copy(struct config_ctx *ctx, const struct config_site *from,
    struct config_site *site)
{
	size_t	i;

	if ((site->pages = calloc(from->npages + 1, sizeof *site->pages)) ==
	    NULL)
		return config_oom(ctx);
	for (i = 0; i < from->npages; i++) {
		site->pages[i].status = from->pages[i].status;
		if ((site->pages[i].path = strdup(from->pages[i].path)) == NULL)
			return config_oom(ctx);
		site->npages = i + 1;
	}
	return 0;
}

/* error_pages: "CODE /path", a file of the site served for that status. */
static int
config_site_pages(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char		*v, *why;
	char			 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];
	struct config_page	 pg;
	unsigned int		 i, n = cfg_size(sc->cfg, "error_pages");
	size_t			 j;

	if (config_site_inherits(ctx, sc, config_key(sc, "error_pages", k,
	    sizeof k)))
		return config_pages_copy(ctx, sc->parent, site);
	if ((site->pages = calloc(n + 1, sizeof *site->pages)) == NULL)
		return config_oom(ctx);
	for (i = 0; i < n; i++) {
		v = cfg_getnstr(sc->cfg, "error_pages", i);
		if ((why = config_page_parse(v, &pg)) != NULL)
			return config_fail(ctx, k, i, "%s %s",
			    config_quote(v, q, sizeof q), why);
		for (j = 0; j < site->npages; j++)
			if (site->pages[j].status == pg.status)
				return config_fail(ctx, k, i, "%s: code %d "
				    "has a page already", config_quote(v, q,
				    sizeof q), pg.status);
		site->pages[i].status = pg.status;
		if ((site->pages[i].path = strdup(pg.path)) == NULL)
			return config_oom(ctx);
		site->npages = i + 1;
	}
	return 0;
}

/* Header names tine writes itself: a line of its own would repeat or
 * contradict them. */
static const char *const config_managed[] = {
	"Content-Length", "Transfer-Encoding", "Connection", "Date", "Server",
	"Content-Type", "Content-Range", "Last-Modified", "ETag",
	"Accept-Ranges", "Location", "Allow", "Content-Encoding",
	"WWW-Authenticate", "Listing-Truncated",
};

/* Why "Name: value" is not a header line to add, or NULL; *len is the
 * line's length without trailing blanks. */
static const char *
config_header_bad(const char *v, size_t *len)
{
	const char	*p = v;
	size_t		 i;

	while (config_tchar((unsigned char)*p))
		p++;
	if (p == v || *p != ':')
		return "must be \"Name: value\" with the name a token "
		    "(letters, digits, !#$%&'*+-.^_`|~)";
	for (i = 0; i < CONFIG_NITEMS(config_managed); i++)
		if (strlen(config_managed[i]) == (size_t)(p - v) &&
		    strncasecmp(v, config_managed[i], p - v) == 0)
			return "names a header tine writes itself";
	for (p++; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') ||
		    (unsigned char)*p > 0x7e)
			return "must have a value of visible ASCII, spaces and "
			    "tabs (no CR, LF or other control byte)";
	*len = strlen(v);
	while (v[*len - 1] == ' ' || v[*len - 1] == '\t')
		(*len)--;
	return NULL;
}

/* Whether a header line is about caching (Cache-Control, Expires). */
static bool
config_header_caching(const char *line)
{
	return strncasecmp(line, "Cache-Control:", 14) == 0 ||
	    strncasecmp(line, "Expires:", 8) == 0;
}

/*
 * Append line + CRLF to the site's headers, or to its cache_headers when
 * it is about caching; both together kept below CONFIG_HEADERS_MAX.
 */
static int
config_header_add(struct config_site *site, const char *line, size_t len)
{
	bool	 caching = config_header_caching(line);
	char	**to = caching ? &site->cache_headers : &site->headers, *h;
	size_t	*tolen = caching ? &site->cache_headerslen : &site->headerslen;

	if (site->headerslen + site->cache_headerslen + len + 2 >
	    CONFIG_HEADERS_MAX)
		return -1;
	if ((h = realloc(*to, *tolen + len + 3)) == NULL)
		return -2;
	memcpy(h + *tolen, line, len);
	memcpy(h + *tolen + len, "\r\n", 3);
	*to = h;
	*tolen += len + 2;
	return 0;
}

/* Copy a parent's joined lines (NULL: none); -1 without memory. */
static int
config_header_copy(const char *from, size_t fromlen, char **to,
    size_t *tolen)
{
	if (from == NULL)
		return 0;
	if ((*to = strdup(from)) == NULL)
		return -1;
	*tolen = fromlen;
	return 0;
}

/*
 * headers: lines added to every answer of the site, joined once here so
 * that a response appends them with one copy; lines about caching go on
 * the answers of files only (200, 206, 304), never on an error or a
 * redirect: a 404 cached for a year would outlive the deploy that fixes it.
 */
static int
config_site_headers(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*v, *why;
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];
	unsigned int	 i, n = cfg_size(sc->cfg, "headers");
	size_t		 len;
	int		 rc;

	if (config_site_inherits(ctx, sc, config_key(sc, "headers", k,
	    sizeof k))) {
		if (config_header_copy(sc->parent->headers,
		    sc->parent->headerslen, &site->headers,
		    &site->headerslen) == -1 || config_header_copy(
		    sc->parent->cache_headers, sc->parent->cache_headerslen,
		    &site->cache_headers, &site->cache_headerslen) == -1)
			return config_oom(ctx);
		return 0;
	}
	for (i = 0; i < n; i++) {
		v = cfg_getnstr(sc->cfg, "headers", i);
		if ((why = config_header_bad(v, &len)) != NULL)
			return config_fail(ctx, k, i, "%s %s",
			    config_quote(v, q, sizeof q), why);
		if ((rc = config_header_add(site, v, len)) == -2)
			return config_oom(ctx);
		if (rc == -1)
			return config_fail(ctx, k, i, "the lines together are "
			    "longer than %d bytes", CONFIG_HEADERS_MAX);
	}
	return 0;
}

/* ---- types, charset, cache_control_types: how files are typed ---- */

/* Add one "type ext ext ..." entry to m; why it cannot be, or NULL (with
 * *oom set when memory ran out). A bad extension is left in bad. */
static const char *
config_types_entry(struct mime *m, char *v, char *bad, size_t badlen,
    bool *oom)
{
	const char	*type;
	char		*ext, *last;
	int		 rc;

	if ((type = strtok_r(v, " \t", &last)) == NULL || !mime_type_ok(type))
		return "must start with a media type like \"text/gemini\" "
		    "(no parameters)";
	if ((ext = strtok_r(NULL, " \t", &last)) == NULL)
		return "must name at least one extension after its type";
	for (; ext != NULL; ext = strtok_r(NULL, " \t", &last)) {
		strlcpy(bad, ext, badlen);
		if (!mime_ext_ok(ext))
			return "must be 1 to 15 bytes without '.' or '/' "
			    "(write \"gmi\", not \".gmi\")";
		if ((rc = mime_add(m, type, ext)) == -1) {
			*oom = true;
			return "";
		}
		if (rc == 1)
			return "has a type already";
	}
	return NULL;
}

/* types = {"type ext ext ...", ...}: a site's own types, looked up before
 * the server's table (mime_types and the built-in one). */
static int
config_site_types(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*why;
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX], *v;
	char		 ext[CONFIG_QUOTE_MAX], qe[CONFIG_QUOTE_MAX];
	unsigned int	 i, n = cfg_size(sc->cfg, "types");
	bool		 oom = false;

	if (config_site_inherits(ctx, sc, config_key(sc, "types", k,
	    sizeof k))) {
		site->types = mime_hold(sc->parent->types);
		return 0;
	}
	if (n > 0 && (site->types = mime_create()) == NULL)
		return config_oom(ctx);
	for (i = 0; i < n; i++) {
		if ((v = strdup(cfg_getnstr(sc->cfg, "types", i))) == NULL)
			return config_oom(ctx);
		ext[0] = '\0';
		why = config_types_entry(site->types, v, ext, sizeof ext, &oom);
		free(v);
		if (oom)
			return config_oom(ctx);
		if (why != NULL && ext[0] != '\0')
			return config_fail(ctx, k, i, "%s: extension %s %s",
			    config_quote(cfg_getnstr(sc->cfg, "types", i), q,
			    sizeof q), config_quote(ext, qe, sizeof qe), why);
		if (why != NULL)
			return config_fail(ctx, k, i, "%s %s", config_quote(
			    cfg_getnstr(sc->cfg, "types", i), q, sizeof q),
			    why);
	}
	return 0;
}

/* charset = "utf-8": the parameter text types are sent with; "" or off
 * sends none. */
static int
config_site_charset(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*v = cfg_getstr(sc->cfg, "charset"), *p;
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];

	if (v == NULL)
		v = sc->parent->charset;
	if (v == NULL || *v == '\0' || strcasecmp(v, "off") == 0)
		return 0;
	for (p = v; config_tchar((unsigned char)*p); p++)
		continue;
	if (*p != '\0' || p - v > CONFIG_CHARSET_MAX)
		return config_fail(ctx, config_key(sc, "charset", k, sizeof k),
		    0, "must be a charset name like \"utf-8\" (at most %d "
		    "letters, digits and -._ ...), or off, got %s",
		    CONFIG_CHARSET_MAX, config_quote(v, q, sizeof q));
	if ((site->charset = strdup(v)) == NULL)
		return config_oom(ctx);
	return 0;
}

/* Whether p is a type pattern: "type/subtype", "type/" + '*', or a star,
 * '/', a star. */
static bool
config_cctype_ok(const char *p)
{
	size_t	n = strcspn(p, "/");

	if (strcmp(p, "*/*") == 0)
		return true;
	if (strcmp(p + n, "/*") == 0 && n > 0 && strcspn(p, "*") == n + 1) {
		while (n > 0 && config_tchar((unsigned char)p[n - 1]))
			n--;
		return n == 0;
	}
	/* A star anywhere else is no pattern, and no type either. */
	return strchr(p, '*') == NULL && mime_type_ok(p);
}

/* "PATTERN VALUE" into cc (type and line allocated); why it is not one,
 * or NULL (with *oom set when memory ran out). */
static const char *
config_cctype_parse(const char *v, struct config_cctype *cc, bool *oom)
{
	const char	*val, *p;
	size_t		 n = strcspn(v, " \t"), len;

	val = v + n + strspn(v + n, " \t");
	len = strlen(val);
	while (len > 0 && (val[len - 1] == ' ' || val[len - 1] == '\t'))
		len--;
	if (len == 0)
		return "must be \"TYPE VALUE\", like \"image/* public, "
		    "max-age=2592000\"";
	if ((cc->type = strndup(v, n)) == NULL) {
		*oom = true;
		return "";
	}
	if (!config_cctype_ok(cc->type))
		return "must start with a media type, \"type/*\" or \"*/*\"";
	for (p = val; p < val + len; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') ||
		    (unsigned char)*p > 0x7e)
			return "must have a value of visible ASCII, spaces and "
			    "tabs (no CR, LF or other control byte)";
	if (len > CONFIG_CC_MAX)
		return "has a value longer than 512 bytes";
	if (asprintf(&cc->line, "Cache-Control: %.*s\r\n", (int)len, val) ==
	    -1) {
		cc->line = NULL;
		*oom = true;
		return "";
	}
	cc->linelen = strlen(cc->line);
	return NULL;
}

/* A site's cache_control_types copied from its parent's. */
static int
config_cctypes_copy(struct config_ctx *ctx, const struct config_site *from,
    struct config_site *site)
{
	struct config_cctype	*cc;
	size_t			 i;

	if (from->ncctypes == 0)
		return 0;
	if ((site->cctypes = calloc(from->ncctypes, sizeof *cc)) == NULL)
		return config_oom(ctx);
	for (i = 0; i < from->ncctypes; i++) {
		cc = &site->cctypes[i];
		site->ncctypes = i + 1;
		if ((cc->type = strdup(from->cctypes[i].type)) == NULL ||
		    (cc->line = strdup(from->cctypes[i].line)) == NULL)
			return config_oom(ctx);
		cc->linelen = from->cctypes[i].linelen;
	}
	return 0;
}

/* Whether the site's headers have a Cache-Control line. */
static bool
config_headers_cc(const struct config_site *site)
{
	const char	*p = site->cache_headers;

	for (; p != NULL && *p != '\0'; p = strchr(p, '\n') + 1)
		if (strncasecmp(p, "Cache-Control:", 14) == 0)
			return true;
	return false;
}

/* Whether two sites type files alike: the same types table, charset,
 * default_type and the same cache_control_types in effect. */
static bool
config_types_same(const struct config_site *a, const struct config_site *b)
{
	size_t	i, n = a->headers_cc ? 0 : a->ncctypes;

	if (a->types != b->types || strcmp(a->default_type,
	    b->default_type) != 0 || (b->headers_cc ? 0 : b->ncctypes) != n)
		return false;
	if (a->charset != NULL || b->charset != NULL)
		if (a->charset == NULL || b->charset == NULL ||
		    strcmp(a->charset, b->charset) != 0)
			return false;
	for (i = 0; i < n; i++)
		if (strcmp(a->cctypes[i].type, b->cctypes[i].type) != 0 ||
		    strcmp(a->cctypes[i].line, b->cctypes[i].line) != 0)
			return false;
	return true;
}

/* cache_control_types = {"TYPE VALUE", ...}: the Cache-Control line of a
 * file's answers, chosen by its type (the most specific pattern wins); a
 * Cache-Control line in the site's headers wins over them all. */
static int
config_site_cctypes(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*v, *why;
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];
	unsigned int	 i, n = cfg_size(sc->cfg, "cache_control_types");
	size_t		 j;
	bool		 oom = false;

	site->headers_cc = config_headers_cc(site);
	if (config_site_inherits(ctx, sc, config_key(sc, "cache_control_types",
	    k, sizeof k)))
		return config_cctypes_copy(ctx, sc->parent, site);
	if (n > 0 && (site->cctypes = calloc(n, sizeof *site->cctypes)) ==
	    NULL)
		return config_oom(ctx);
	for (i = 0; i < n; i++) {
		v = cfg_getnstr(sc->cfg, "cache_control_types", i);
		site->ncctypes = i + 1;
		why = config_cctype_parse(v, &site->cctypes[i], &oom);
		if (oom)
			return config_oom(ctx);
		for (j = 0; why == NULL && j < i; j++)
			if (strcasecmp(site->cctypes[j].type,
			    site->cctypes[i].type) == 0)
				why = "names a type given a value already";
		if (why != NULL)
			return config_fail(ctx, k, i, "%s %s",
			    config_quote(v, q, sizeof q), why);
	}
	return 0;
}

/*
 * Why a redirect target is refused, or NULL: it must be an http(s) URL
 * with a host, or a path starting with a single '/' (no scheme-relative
 * "//host", which would send clients to any host), printable ASCII with
 * no query or fragment, since the request's path and query are appended.
 */
static const char *
config_redirect_bad(const char *t)
{
	size_t	i, n;

	for (i = 0; t[i] != '\0'; i++)
		if (t[i] <= ' ' || t[i] > '~' || strchr("\"<>\\^`{|}", t[i]))
			return "has a byte a URL cannot hold";
	if (strpbrk(t, "?#") != NULL)
		return "must have no query or fragment";
	if (i > CONFIG_REDIRECT_MAX)
		return "is too long";
	if (t[0] == '/')
		return t[1] == '/' ? "must start with one '/', not two" : NULL;
	if (strncasecmp(t, "http://", 7) == 0)
		t += 7;
	else if (strncasecmp(t, "https://", 8) == 0)
		t += 8;
	else
		return "must be an http:// or https:// URL or start with '/'";
	n = strcspn(t, "/");
	if (n == 0 || strspn(t, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.:[]") < n)
		return "must name a host";
	return NULL;
}

/*
 * In a location, the redirect target replaces the prefix: with "/old/" the
 * path's "/old" (the rest, "/a", keeps its slash, and the target drops its
 * own), with "/old" all of it (the rest follows the target as written, so
 * an URL target needs a path after its host). Why v is refused, or NULL.
 */
static const char *
config_location_cut(const char *prefix, const char *v,
    struct config_site *site, bool *strip)
{
	size_t		 n = strlen(prefix);
	const char	*host = strstr(v, "://");

	*strip = prefix[n - 1] == '/';
	site->redirect_cut = n - *strip;
	if (!*strip && host != NULL && strchr(host + 3, '/') == NULL)
		return "must have a path after the host: the rest of the "
		    "request's path follows it directly";
	return NULL;
}

/* redirect = "CODE TARGET": every GET and HEAD sent to TARGET + path;
 * "" turns an inherited redirect off. */
static int
config_site_redirect(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*v = cfg_getstr(sc->cfg, "redirect"), *why = NULL;
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];
	int		 code = 0;
	size_t		 n;
	bool		 strip = true;

	if (v == NULL && sc->parent != NULL) {
		site->redirect_code = sc->parent->redirect_code;
		site->redirect_cut = sc->parent->redirect_cut;
		v = sc->parent->redirect;
	} else if (v != NULL && *v != '\0') {
		if (sc->prefix != NULL && (why = config_location_cut(sc->prefix,
		    v, site, &strip)) != NULL)
			return config_fail(ctx, config_key(sc, "redirect", k,
			    sizeof k), 0, "%s %s", config_quote(v, q, sizeof q),
			    why);
		if (strspn(v, "0123456789") == 3 && v[3] == ' ')
			code = atoi(v);
		if (code != 301 && code != 302 && code != 307 && code != 308)
			why = "must be \"CODE TARGET\", CODE 301, 302, 307 "
			    "or 308";
		else if ((why = config_redirect_bad(v += 4)) == NULL)
			site->redirect_code = code;
	}
	if (why != NULL)
		return config_fail(ctx, config_key(sc, "redirect", k,
		    sizeof k), 0, "%s %s", config_quote(v, q, sizeof q), why);
	if (site->redirect_code == 0)
		return 0;
	/* The path appended starts with '/': do not double it. */
	n = strlen(v);
	while (strip && n > 0 && v[n - 1] == '/')
		n--;
	if ((site->redirect = strndup(v, n)) == NULL)
		return config_oom(ctx);
	return 0;
}

/* A bool site option into *out; a site that does not set it takes its
 * parent's (at *from, the same field of the parent). */
static void
config_site_bool(const struct config_scope *sc, const char *key, bool *out,
    const bool *from)
{
	if (cfg_size(sc->cfg, key) == 0 && sc->parent != NULL)
		*out = *from;
	else
		*out = cfg_getbool(sc->cfg, key);
}

/* https_redirect = off | 301 | 302 | 307 | 308: the code a request that
 * came over plain HTTP is sent to https with; unset: the parent's. */
static int
config_site_https(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*v = cfg_getstr(sc->cfg, "https_redirect");
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];

	if (v == NULL) {
		site->https_redirect = sc->parent->https_redirect;
		return 0;
	}
	if (strcmp(v, "off") == 0)
		return 0;
	if (strcmp(v, "301") == 0 || strcmp(v, "302") == 0 ||
	    strcmp(v, "307") == 0 || strcmp(v, "308") == 0) {
		site->https_redirect = atoi(v);
		return 0;
	}
	return config_fail(ctx, config_key(sc, "https_redirect", k, sizeof k),
	    0, "must be off, 301, 302, 307 or 308, got %s", config_quote(v, q,
	    sizeof q));
}

/* ---- a site's certificate ---- */

/* A file the master reads (a certificate, a key), kept absolute so that a
 * reload after the daemon's chdir("/") reads the same one, and where the
 * config names it, for the loader's errors. */
static int
config_site_file(struct config_ctx *ctx, const char *k, const char *v,
    struct config_ref *ref)
{
	char	 cwd[PATH_MAX], q[CONFIG_QUOTE_MAX];

	if (*v == '\0')
		return config_fail(ctx, k, 0, "must not be empty");
	if (*v != '/' && getcwd(cwd, sizeof cwd) == NULL)
		return config_fail(ctx, k, 0, "%s is relative and the current "
		    "directory is unknown", config_quote(v, q, sizeof q));
	if (*v == '/')
		ref->value = strdup(v);
	else if (asprintf(&ref->value, "%s/%s", cwd, v) == -1)
		ref->value = NULL;
	if (ref->value == NULL || (ref->where = config_blame(ctx, k, 0)) ==
	    NULL)
		return config_oom(ctx);
	return 0;
}

/* A copy of a config_ref (value NULL: nothing to copy). */
static int
config_ref_copy(struct config_ctx *ctx, const struct config_ref *from,
    struct config_ref *to)
{
	if (from->value == NULL)
		return 0;
	if ((to->value = strdup(from->value)) == NULL ||
	    (to->where = strdup(from->where)) == NULL)
		return config_oom(ctx);
	return 0;
}

/* A vhost that sets no certificate takes its parent's, key and all. */
static int
config_site_tls_inherit(struct config_ctx *ctx,
    const struct config_site *parent, struct config_site *site)
{
	if (config_ref_copy(ctx, &parent->tls_certificate,
	    &site->tls_certificate) == -1 ||
	    config_ref_copy(ctx, &parent->tls_key, &site->tls_key) == -1)
		return -1;
	return config_ref_copy(ctx, &parent->tls_ocsp_response,
	    &site->tls_ocsp_response);
}

/*
 * tls_certificate, tls_key and tls_ocsp_response go together: a vhost that
 * sets none of them takes the top level's three, one that sets a
 * certificate sets its key in the same section. A location has none (it
 * cannot set them: a certificate is a host's). The master reads the files.
 */
static int
config_site_tls(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*cert, *key, *ocsp;
	char		 kc[CONFIG_LABEL_MAX], kk[CONFIG_LABEL_MAX];
	char		 ko[CONFIG_LABEL_MAX];

	if (sc->prefix != NULL)
		return 0;
	cert = cfg_getstr(sc->cfg, "tls_certificate");
	key = cfg_getstr(sc->cfg, "tls_key");
	ocsp = cfg_getstr(sc->cfg, "tls_ocsp_response");
	config_key(sc, "tls_certificate", kc, sizeof kc);
	config_key(sc, "tls_key", kk, sizeof kk);
	config_key(sc, "tls_ocsp_response", ko, sizeof ko);
	if (cert == NULL && key == NULL && ocsp == NULL && sc->parent != NULL)
		return config_site_tls_inherit(ctx, sc->parent, site);
	if (cert == NULL && (key != NULL || ocsp != NULL))
		return config_fail(ctx, key != NULL ? kk : ko, 0, "needs "
		    "tls_certificate in the same section");
	if (cert == NULL)
		return 0;
	if (key == NULL)
		return config_fail(ctx, kc, 0, "needs tls_key in the same "
		    "section");
	if (config_site_file(ctx, kc, cert, &site->tls_certificate) == -1 ||
	    config_site_file(ctx, kk, key, &site->tls_key) == -1)
		return -1;
	return ocsp == NULL ? 0 : config_site_file(ctx, ko, ocsp,
	    &site->tls_ocsp_response);
}

/*
 * A host name a site answers to, lower-cased into out without one trailing
 * dot: "example.com", "*.example.com" (any name below it), an IPv4 address
 * or "[v6 address]"; -1 when it is none of them.
 */
static int
config_host_name(const char *v, char *out, size_t len)
{
	size_t	i, n = strlen(v), start = 0;

	if (n > 0 && v[n - 1] == '.')
		n--;
	if (n == 0 || n >= len || n > 255)
		return -1;
	if (n > 2 && v[0] == '*' && v[1] == '.')
		start = 2;
	for (i = 0; i < n; i++) {
		out[i] = (char)tolower((unsigned char)v[i]);
		if (i < start || isalnum((unsigned char)v[i]) ||
		    strchr("-.", v[i]) != NULL)
			continue;
		if (v[0] == '[' && strchr("[]:", v[i]) != NULL)
			continue;
		return -1;
	}
	out[n] = '\0';
	if (out[start] == '.' || out[n - 1] == '.' || strstr(out, "..") != NULL)
		return -1;
	return 0;
}

/* Add name to site->names; -1 when it is no host name or already taken. */
static int
config_site_name(struct config_ctx *ctx, const struct config *conf,
    struct config_site *site, const char *key, int index, const char *v)
{
	char	 name[256], q[CONFIG_QUOTE_MAX];
	size_t	 i, j;

	if (config_host_name(v, name, sizeof name) == -1)
		return config_fail(ctx, key, index, "%s is not a host name "
		    "(\"example.com\", \"*.example.com\", an address)",
		    config_quote(v, q, sizeof q));
	for (i = 1; i < conf->nsites; i++)
		for (j = 0; j < conf->sites[i].nnames; j++)
			if (strcmp(conf->sites[i].names[j], name) == 0)
				return config_fail(ctx, key, index, "%s is "
				    "also a name of vhost \"%s\"", name,
				    conf->sites[i].name);
	for (j = 0; j < site->nnames; j++)
		if (strcmp(site->names[j], name) == 0)
			return config_fail(ctx, key, index, "%s is given "
			    "twice", name);
	if ((site->names[site->nnames] = strdup(name)) == NULL)
		return config_oom(ctx);
	site->nnames++;
	return 0;
}

/* ---- access_log and access_log_format ---- */

/*
 * The index of log in conf->access_logs, added if no site named it yet
 * (then the table owns log->path; else it is freed): sites naming one file
 * share one descriptor. key is blamed past the limit.
 */
static int
config_access_add(struct config_ctx *ctx, struct config *conf,
    const char *key, struct config_access_log *log, size_t *at)
{
	struct config_access_log	*v;
	size_t				 i;

	for (i = 0; i < conf->naccess_logs; i++) {
		v = &conf->access_logs[i];
		if (v->dest == log->dest && (v->path == NULL ||
		    strcmp(v->path, log->path) == 0)) {
			free(log->path);
			*at = i;
			return 0;
		}
	}
	if (conf->naccess_logs == CONFIG_ACCESS_LOGS_MAX) {
		free(log->path);
		return config_fail(ctx, key, 0, "more than %d distinct access "
		    "logs", CONFIG_ACCESS_LOGS_MAX);
	}
	if ((v = reallocarray(conf->access_logs, conf->naccess_logs + 1,
	    sizeof *v)) == NULL) {
		free(log->path);
		return config_oom(ctx);
	}
	conf->access_logs = v;
	v[conf->naccess_logs] = *log;
	*at = conf->naccess_logs++;
	return 0;
}

/* access_log: "off", "stdout", "stderr", "syslog" or a file; a vhost that
 * does not set it writes to the top level's. */
static int
config_site_access_log(struct config_ctx *ctx, struct config *conf,
    const struct config_scope *sc, struct config_site *site)
{
	const char			*v = cfg_getstr(sc->cfg, "access_log");
	char				 k[CONFIG_LABEL_MAX];
	struct config_access_log	 log = { CONFIG_LOG_DEFAULT, NULL };
	int				 dest;

	if (v == NULL && sc->parent != NULL) {
		site->access_log = sc->parent->access_log;
		return 0;
	}
	config_key(sc, "access_log", k, sizeof k);
	if (v != NULL && config_word(config_access_words,
	    CONFIG_NITEMS(config_access_words), v, &dest) == 0)
		log.dest = (enum config_log_dest)dest;
	else if (v != NULL) {
		log.dest = CONFIG_LOG_FILE;
		if (config_path(ctx, k, v, &log.path) == -1)
			return -1;
	}
	return config_access_add(ctx, conf, k, &log, &site->access_log);
}

/* access_log_format, compiled once here; a vhost that does not set it
 * inherits the top level's. */
static int
config_site_access_format(struct config_ctx *ctx,
    const struct config_scope *sc, struct config_site *site)
{
	const char	*fmt = cfg_getstr(sc->cfg, "access_log_format");
	char		 q[CONFIG_QUOTE_MAX], why[CONFIG_ERR_MAX];
	char		 k[CONFIG_LABEL_MAX];

	if (fmt == NULL)
		fmt = sc->parent->access_log_format;
	config_key(sc, "access_log_format", k, sizeof k);
	if (strcmp(fmt, "combined") != 0 && strcmp(fmt, "common") != 0 &&
	    strcmp(fmt, "json") != 0 && strchr(fmt, '%') == NULL)
		return config_fail(ctx, k, 0, "must be \"combined\", "
		    "\"common\", \"json\" or a format with %% directives, got "
		    "%s", config_quote(fmt, q, sizeof q));
	if ((site->access_format = alog_compile(fmt, why, sizeof why)) == NULL)
		return config_fail(ctx, k, 0, "%s", why);
	if ((site->access_log_format = strdup(fmt)) == NULL)
		return config_oom(ctx);
	return 0;
}

/* A vhost's title and aliases: the names it answers to. */
static int
config_site_names(struct config_ctx *ctx, const struct config *conf,
    const struct config_scope *sc, struct config_site *site)
{
	const char	*title = cfg_title(sc->cfg);
	char		 k[CONFIG_LABEL_MAX];
	unsigned int	 i, n = cfg_size(sc->cfg, "aliases");

	if ((site->names = calloc(n + 1, sizeof *site->names)) == NULL)
		return config_oom(ctx);
	/* The name is blamed on the line that opened the section. */
	snprintf(k, sizeof k, "%.*s", (int)strlen(sc->label) - 1, sc->label);
	if (config_site_name(ctx, conf, site, k, -1, title) == -1)
		return -1;
	if ((site->name = strdup(site->names[0])) == NULL)
		return config_oom(ctx);
	config_key(sc, "aliases", k, sizeof k);
	for (i = 0; i < n; i++)
		if (config_site_name(ctx, conf, site, k, i,
		    cfg_getnstr(sc->cfg, "aliases", i)) == -1)
			return -1;
	return 0;
}

/* A location's name (its site's, for %v) and prefix, checked. */
static int
config_location_names(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*why;
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];

	/* The prefix is blamed on the line that opened the section. */
	snprintf(k, sizeof k, "%.*s", (int)strlen(sc->label) - 1, sc->label);
	if ((why = config_path_bad(sc->prefix, true, CONFIG_PREFIX_MAX)) !=
	    NULL)
		return config_fail(ctx, k, -1, "%s %s", config_quote(sc->prefix,
		    q, sizeof q), why);
	if (sc->parent->name != NULL &&
	    (site->name = strdup(sc->parent->name)) == NULL)
		return config_oom(ctx);
	if ((site->prefix = strdup(sc->prefix)) == NULL)
		return config_oom(ctx);
	site->prefixlen = strlen(site->prefix);
	return 0;
}

static int	config_site(struct config_ctx *, struct config *,
		    const struct config_scope *, struct config_site *);

/* Longest prefix first, so that the first match is the longest. */
static int
config_location_cmp(const void *a, const void *b)
{
	const struct config_site	*x = a, *y = b;

	if (x->prefixlen != y->prefixlen)
		return x->prefixlen > y->prefixlen ? -1 : 1;
	return strcmp(x->prefix, y->prefix);
}

/* A site's location sections, each built from the site's options. */
static int
config_site_locations(struct config_ctx *ctx, struct config *conf,
    const struct config_scope *sc, struct config_site *site)
{
	struct config_scope	 lsc = { NULL, NULL, site, NULL };
	char			 label[CONFIG_LABEL_MAX];
	unsigned int		 i, n = cfg_size(sc->cfg, "location");

	if (n > CONFIG_LOCATIONS_MAX)
		return config_fail(ctx, config_key(sc, "location", label,
		    sizeof label), -1, "more than %d locations in one site",
		    CONFIG_LOCATIONS_MAX);
	if ((site->locations = calloc(n + 1, sizeof *site->locations)) == NULL)
		return config_oom(ctx);
	for (i = 0; i < n; i++) {
		lsc.cfg = cfg_getnsec(sc->cfg, "location", i);
		lsc.prefix = cfg_title(lsc.cfg);
		snprintf(label, sizeof label, "%slocation \"%s\" ", sc->label,
		    lsc.prefix);
		lsc.label = label;
		site->nlocations = i + 1;
		if (config_site(ctx, conf, &lsc, &site->locations[i]) == -1)
			return -1;
	}
	qsort(site->locations, site->nlocations, sizeof *site->locations,
	    config_location_cmp);
	return 0;
}

/* ---- access rules: addresses, hidden paths, Basic auth ---- */

/* A list of address blocks into *out, *n of them (see config_int.h). */
int
config_cidr_list(struct config_ctx *ctx, cfg_t *cfg, const char *key,
    const char *label, struct cidr **out, size_t *n)
{
	const char	*v, *why;
	char		 q[CONFIG_QUOTE_MAX], meant[CIDR_TEXT_MAX];
	unsigned int	 i, count = cfg_size(cfg, key);

	if ((*out = calloc(count + 1, sizeof **out)) == NULL)
		return config_oom(ctx);
	for (i = 0; i < count; i++) {
		v = cfg_getnstr(cfg, key, i);
		meant[0] = '\0';
		if (cidr_parse(v, &(*out)[i], &why, meant) == -1)
			return config_fail(ctx, label, i, "%s %s%s%s%s",
			    config_quote(v, q, sizeof q), why, *meant != '\0' ?
			    " (\"" : "", meant, *meant != '\0' ? "\"?)" : "");
		*n = i + 1;
	}
	return 0;
}

/* One of a site's lists of blocks (allow, deny, status_allow). */
static int
config_cidrs(struct config_ctx *ctx, const struct config_scope *sc,
    const char *key, struct cidr **out, size_t *n)
{
	char	k[CONFIG_LABEL_MAX];

	return config_cidr_list(ctx, sc->cfg, key, config_key(sc, key, k,
	    sizeof k), out, n);
}

/* n blocks copied from a parent's list. */
static int
config_cidrs_copy(struct config_ctx *ctx, const struct cidr *from, size_t n,
    struct cidr **out, size_t *nout)
{
	if ((*out = calloc(n + 1, sizeof **out)) == NULL)
		return config_oom(ctx);
	if (n > 0)
		memcpy(*out, from, n * sizeof **out);
	*nout = n;
	return 0;
}

/*
 * allow and deny: the most specific block decides (cidr_allowed). They
 * are one rule, so they are inherited together: a site that writes either
 * replaces both of the parent's (as nginx's allow and deny).
 */
static int
config_site_addresses(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const struct config_site	*p = sc->parent;
	char				 ka[CONFIG_LABEL_MAX], kd[CONFIG_LABEL_MAX];

	if (config_site_inherits(ctx, sc, config_key(sc, "allow", ka,
	    sizeof ka)) && config_site_inherits(ctx, sc, config_key(sc,
	    "deny", kd, sizeof kd)))
		return config_cidrs_copy(ctx, p->allow, p->nallow,
		    &site->allow, &site->nallow) == -1 ? -1 :
		    config_cidrs_copy(ctx, p->deny, p->ndeny, &site->deny,
		    &site->ndeny);
	if (config_cidrs(ctx, sc, "allow", &site->allow, &site->nallow) ==
	    -1)
		return -1;
	return config_cidrs(ctx, sc, "deny", &site->deny, &site->ndeny);
}

/* Why a hidden_paths pattern is refused, or NULL. */
static const char *
config_pattern_bad(const char *p)
{
	const unsigned char	*c;

	if (*p != '/' && *p != '*')
		return "must start with '/' or '*': it is matched against the "
		    "whole path, which starts with '/'";
	if (strlen(p) >= PATH_MAX)
		return "is too long";
	for (c = (const unsigned char *)p; *c != '\0'; c++)
		if (*c < 0x20 || *c == 0x7f)
			return "has a control byte";
	return NULL;
}

/* hidden_paths: fnmatch(3) patterns whose paths are answered 404. */
static int
config_site_hidden_paths(struct config_ctx *ctx,
    const struct config_scope *sc, struct config_site *site)
{
	const char	*v, *why;
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];
	unsigned int	 i, n = cfg_size(sc->cfg, "hidden_paths");
	bool		 inherit = config_site_inherits(ctx, sc,
	    config_key(sc, "hidden_paths", k, sizeof k));

	if (inherit)
		n = (unsigned int)sc->parent->nhidden_paths;
	if ((site->hidden_paths = calloc(n + 1, sizeof(char *))) == NULL)
		return config_oom(ctx);
	for (i = 0; i < n; i++) {
		v = inherit ? sc->parent->hidden_paths[i] :
		    cfg_getnstr(sc->cfg, "hidden_paths", i);
		if ((why = config_pattern_bad(v)) != NULL)
			return config_fail(ctx, k, i, "%s %s",
			    config_quote(v, q, sizeof q), why);
		if ((site->hidden_paths[i] = strdup(v)) == NULL)
			return config_oom(ctx);
		site->nhidden_paths = i + 1;
	}
	return 0;
}

/* auth_basic_realm: a quoted-string's content without quote or
 * backslash, so it needs no escaping in WWW-Authenticate. */
static int
config_site_realm(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*v = cfg_getstr(sc->cfg, "auth_basic_realm"), *c;
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];

	if (v == NULL)
		v = sc->parent->auth_realm;
	for (c = v; *c != '\0'; c++)
		if (*c < ' ' || *c > '~' || *c == '"' || *c == '\\')
			break;
	if (*c != '\0' || c == v || c - v > CONFIG_REALM_MAX)
		return config_fail(ctx, config_key(sc, "auth_basic_realm", k,
		    sizeof k), 0, "%s must be 1 to 128 printable ASCII "
		    "characters without '\"' or '\\'", config_quote(v, q,
		    sizeof q));
	if ((site->auth_realm = strdup(v)) == NULL)
		return config_oom(ctx);
	return 0;
}

/* auth_basic_file: the users, read now (by the master, as root, before
 * any worker exists; again at each reload); "" turns an inherited one
 * off. */
static int
config_site_auth(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*v = cfg_getstr(sc->cfg, "auth_basic_file");
	char		 k[CONFIG_LABEL_MAX], err[HTPASSWD_ERR_MAX];

	config_key(sc, "auth_basic_file", k, sizeof k);
	if (config_site_realm(ctx, sc, site) == -1)
		return -1;
	if (v == NULL && sc->parent != NULL && sc->parent->auth != NULL)
		site->auth = htpasswd_ref(sc->parent->auth);
	else if (v != NULL && *v != '\0' && *v != '/')
		return config_fail(ctx, k, 0, "must be an absolute path (it "
		    "is read again at each reload)");
	else if (v != NULL && *v != '\0' &&
	    (site->auth = htpasswd_load(v, err, sizeof err)) == NULL)
		return config_fail(ctx, k, 0, "%s", err);
	if (site->auth == NULL)
		return 0;
	/* RFC 7617: the realm, and that credentials are read as UTF-8. */
	if (asprintf(&site->auth_challenge, "WWW-Authenticate: Basic "
	    "realm=\"%s\", charset=\"UTF-8\"\r\n", site->auth_realm) == -1) {
		site->auth_challenge = NULL;
		return config_oom(ctx);
	}
	return 0;
}

/*
 * status_path: the host's status page, a path as requests are normalised
 * to ("" or "off": none; a location has its site's); status_allow: the
 * addresses it answers, the parent's unless set.
 */
static int
config_site_status(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*v = NULL, *why;
	char		 q[CONFIG_QUOTE_MAX], k[CONFIG_LABEL_MAX];

	if (sc->prefix == NULL)
		v = cfg_getstr(sc->cfg, "status_path");
	if (v == NULL && sc->parent != NULL)
		v = sc->parent->status_path;
	if (v != NULL && *v != '\0' && strcmp(v, "off") != 0) {
		if ((why = config_path_bad(v, false, PATH_MAX)) != NULL)
			return config_fail(ctx, config_key(sc, "status_path",
			    k, sizeof k), 0, "%s %s", config_quote(v, q,
			    sizeof q), why);
		if ((site->status_path = strdup(v)) == NULL)
			return config_oom(ctx);
		site->status_path_len = strlen(v);
	}
	if (config_site_inherits(ctx, sc, config_key(sc, "status_allow", k,
	    sizeof k)))
		return config_cidrs_copy(ctx, sc->parent->status_allow,
		    sc->parent->nstatus_allow, &site->status_allow,
		    &site->nstatus_allow);
	return config_cidrs(ctx, sc, "status_allow", &site->status_allow,
	    &site->nstatus_allow);
}

/* The access rules, and whether the site has any (one test per request
 * when it has none). */
static int
config_site_access(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	if (config_site_addresses(ctx, sc, site) == -1 ||
	    config_site_hidden_paths(ctx, sc, site) == -1 ||
	    config_site_auth(ctx, sc, site) == -1)
		return -1;
	site->access = site->nallow > 0 || site->ndeny > 0 ||
	    site->nhidden_paths > 0 || site->auth != NULL;
	return 0;
}

/*
 * health_path = "/healthz": the path a load balancer asks whether to send
 * traffic here (static_health in worker/static.c answers it); unset, ""
 * or off: none. It is compared with the normalised request path, so it
 * must be one already.
 */
static int
config_site_health(struct config_ctx *ctx, const struct config_scope *sc,
    struct config_site *site)
{
	const char	*v = cfg_getstr(sc->cfg, "health_path");
	char		 norm[PATH_NORM_MAX], q[CONFIG_QUOTE_MAX];
	char		 k[CONFIG_LABEL_MAX];
	long		 n;

	if (v == NULL)
		v = sc->parent != NULL ? sc->parent->health_path : NULL;
	if (v == NULL || *v == '\0' || strcasecmp(v, "off") == 0)
		return 0;
	n = path_normalize(v, strlen(v), norm, sizeof norm);
	if (n == -1 || strcmp(norm, v) != 0 || strpbrk(v, "?# ") != NULL)
		return config_fail(ctx, config_key(sc, "health_path", k,
		    sizeof k), 0, "must be a plain absolute path like "
		    "\"/healthz\" (no escapes, '?', '#', \".\" or \"..\" "
		    "segments), or off, got %s", config_quote(v, q, sizeof q));
	if ((site->health_path = strdup(v)) == NULL)
		return config_oom(ctx);
	return 0;
}

/* Every option of one site, into site. */
static int
config_site(struct config_ctx *ctx, struct config *conf,
    const struct config_scope *sc, struct config_site *site)
{
	if (sc->parent != NULL && sc->prefix == NULL &&
	    config_site_names(ctx, conf, sc, site) == -1)
		return -1;
	if (sc->prefix != NULL && config_location_names(ctx, sc, site) == -1)
		return -1;
	if (config_site_root(ctx, sc, site) == -1 ||
	    config_site_index(ctx, sc, site) == -1 ||
	    config_site_pages(ctx, sc, site) == -1 ||
	    config_site_headers(ctx, sc, site) == -1)
		return -1;
	if (config_site_access_log(ctx, conf, sc, site) == -1 ||
	    config_site_access_format(ctx, sc, site) == -1)
		return -1;
	if (config_site_redirect(ctx, sc, site) == -1 ||
	    config_site_https(ctx, sc, site) == -1 ||
	    config_site_access(ctx, sc, site) == -1 ||
	    config_site_status(ctx, sc, site) == -1 ||
	    config_site_tls(ctx, sc, site) == -1)
		return -1;
	config_site_bool(sc, "try_html", &site->try_html,
	    sc->parent != NULL ? &sc->parent->try_html : NULL);
	config_site_bool(sc, "autoindex", &site->autoindex,
	    sc->parent != NULL ? &sc->parent->autoindex : NULL);
	config_site_bool(sc, "precompressed", &site->precompressed,
	    sc->parent != NULL ? &sc->parent->precompressed : NULL);
	if (config_site_types(ctx, sc, site) == -1 ||
	    config_site_charset(ctx, sc, site) == -1 ||
	    config_site_cctypes(ctx, sc, site) == -1 ||
	    config_site_words(ctx, sc, site) == -1 ||
	    config_site_health(ctx, sc, site) == -1)
		return -1;
	if (sc->prefix != NULL)
		site->retypes = !config_types_same(sc->parent, site);
	return sc->prefix == NULL ? config_site_locations(ctx, conf, sc,
	    site) : 0;
}

/* default_vhost: unset (the top level), or the name of a vhost. */
static int
config_default_site(struct config_ctx *ctx, struct config *conf)
{
	const char	*v = cfg_getstr(ctx->cfg, "default_vhost");
	char		 name[256], q[CONFIG_QUOTE_MAX];
	size_t		 i;

	if (v == NULL)
		return 0;
	if (config_host_name(v, name, sizeof name) == 0)
		for (i = 1; i < conf->nsites; i++)
			if (strcmp(conf->sites[i].name, name) == 0) {
				conf->default_site = i;
				return 0;
			}
	return config_fail(ctx, "default_vhost", 0, "no vhost is named %s",
	    config_quote(v, q, sizeof q));
}

/* The top-level site, then one per vhost section, then default_vhost. */
int
config_get_sites(struct config_ctx *ctx, struct config *conf)
{
	struct config_scope	 sc = { ctx->cfg, "", NULL, NULL };
	char			 label[CONFIG_LABEL_MAX];
	unsigned int		 i, n = cfg_size(ctx->cfg, "vhost");

	if ((conf->sites = calloc(n + 1, sizeof *conf->sites)) == NULL)
		return config_oom(ctx);
	conf->nsites = 1;
	if (config_site(ctx, conf, &sc, &conf->sites[0]) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		sc.cfg = cfg_getnsec(ctx->cfg, "vhost", i);
		snprintf(label, sizeof label, "vhost \"%s\" ",
		    cfg_title(sc.cfg));
		sc.label = label;
		sc.parent = &conf->sites[0];
		conf->nsites++;
		if (config_site(ctx, conf, &sc, &conf->sites[i + 1]) == -1)
			return -1;
	}
	return config_default_site(ctx, conf);
}

/* Release a site's TLS file names. */
static void
config_site_free_tls(struct config_site *site)
{
	free(site->tls_certificate.value);
	free(site->tls_certificate.where);
	free(site->tls_key.value);
	free(site->tls_key.where);
	free(site->tls_ocsp_response.value);
	free(site->tls_ocsp_response.where);
}

/* Release a site's access rules, status and auth settings. */
static void
config_site_free_access(struct config_site *site)
{
	size_t	i;

	free(site->allow);
	free(site->deny);
	free(site->status_path);
	free(site->status_allow);
	for (i = 0; i < site->nhidden_paths; i++)
		free(site->hidden_paths[i]);
	free(site->hidden_paths);
	htpasswd_free(site->auth);
	free(site->auth_realm);
	free(site->auth_challenge);
}

/* Release what one site owns. */
void
config_site_free(struct config_site *site)
{
	size_t	i;

	for (i = 0; i < site->nnames; i++)
		free(site->names[i]);
	free(site->names);
	for (i = 0; i < site->nindex; i++)
		free(site->index[i]);
	free(site->index);
	free(site->name);
	free(site->document_root);
	free(site->root_path);
	free(site->default_type);
	free(site->redirect);
	for (i = 0; i < site->npages; i++)
		free(site->pages[i].path);
	free(site->pages);
	free(site->headers);
	free(site->cache_headers);
	mime_free(site->types);
	free(site->charset);
	for (i = 0; i < site->ncctypes; i++) {
		free(site->cctypes[i].type);
		free(site->cctypes[i].line);
	}
	free(site->cctypes);
	free(site->prefix);
	config_site_free_tls(site);
	for (i = 0; i < site->nlocations; i++)
		config_site_free(&site->locations[i]);
	free(site->locations);
	config_site_free_access(site);
	free(site->access_log_format);
	alog_free(site->access_format);
	free(site->health_path);
}
