/*
 * config: read tine.conf with libconfuse, check every value and copy the
 * result into a struct config that owns all of its memory. config.c,
 * config_site.c (the site options) and config_text.c (an include's value)
 * are the only files that include confuse.h.
 */
#include "tine_build.h"

/* libbsd has two strnvis() argument orders; we use OpenBSD's. */
#define LIBBSD_OPENBSD_VIS

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <confuse.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>
#include <vis.h>

#include "account.h"
#include "config.h"
#include "config_int.h"
#include "config_lex.h"
#include "http.h"

#define CONFIG_LISTEN_MAX	64		/* "[v6 address]:port" fits */
#define CONFIG_WHERE_MAX	(PATH_MAX + 32)
#define CONFIG_WORKERS_MAX	256
#define CONFIG_TIMEOUT_MAX	86400L
#define CONFIG_INT32_MAX	2147483647L
#define CONFIG_BODY_MAX		(1L << 40)
#define CONFIG_TLS_WORD_MAX	16		/* "TLSv1.3" */

/* Mozilla's "intermediate" TLS 1.2 ciphers (version 5.7): forward secrecy
 * and AEAD only. TLS 1.3's suites are OpenSSL's defaults, all strong. */
#define CONFIG_TLS_CIPHERS	"ECDHE-ECDSA-AES128-GCM-SHA256:" \
	"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" \
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:" \
	"ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:" \
	"DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"


/* An integer option: its default, range and the field it fills. */
struct config_num {
	const char	*key;
	long		 def;
	long		 min;
	long		 max;
	size_t		 off;
	enum { CONFIG_NUM_INT, CONFIG_NUM_LONG, CONFIG_NUM_SIZE } type;
};


/* One step of turning the parsed tree into a struct config. */
typedef int (*config_step)(struct config_ctx *, struct config *);

/*
 * Every integer option, once: its name is its struct config field, then its
 * default, its range and the field's type. config_tree() declares them to
 * libconfuse from here, config_get_numbers() checks and copies them.
 */
#define CONFIG_NUM(field, def, min, max, type) \
	{ #field, def, min, max, offsetof(struct config, field), \
	    CONFIG_NUM_##type }

static const struct config_num config_nums[] = {
	CONFIG_NUM(backlog, 511, 1, 65535, INT),
	CONFIG_NUM(tcp_notsent_lowat, 16384, 0, 16777216, INT),
	CONFIG_NUM(max_connections, 1024, 1, 65536, INT),
	CONFIG_NUM(max_connections_per_ip, 64, 0, 65536, INT),
	CONFIG_NUM(max_open_files, 0, 0, 1048576, INT),
	CONFIG_NUM(header_min_rate, 500, 0, 1048576, INT),
	CONFIG_NUM(max_requests_per_worker, 0, 0, CONFIG_INT32_MAX, LONG),
	CONFIG_NUM(keepalive_requests, 1000, 0, CONFIG_INT32_MAX, LONG),
	CONFIG_NUM(header_timeout, 10, 1, CONFIG_TIMEOUT_MAX, INT),
	CONFIG_NUM(keepalive_timeout, 15, 1, CONFIG_TIMEOUT_MAX, INT),
	CONFIG_NUM(send_timeout, 60, 1, CONFIG_TIMEOUT_MAX, INT),
	CONFIG_NUM(watchdog_timeout, 30, 1, CONFIG_TIMEOUT_MAX, INT),
	CONFIG_NUM(worker_shutdown_timeout, 0, 0, CONFIG_TIMEOUT_MAX, INT),
	CONFIG_NUM(shutdown_delay, 0, 0, CONFIG_TIMEOUT_MAX, INT),
	CONFIG_NUM(max_request_line, 8192, 256, 65536, SIZE),
	CONFIG_NUM(max_header_size, 16384, 1024, 1048576, SIZE),
	CONFIG_NUM(max_headers, 100, 1, HTTP_MAX_HEADERS, INT),
	CONFIG_NUM(max_body_size, 1048576, 0, CONFIG_BODY_MAX, SIZE),
	CONFIG_NUM(tls_session_timeout, 86400, 2, 604800, INT),
	CONFIG_NUM(autoindex_max_entries, 10000, 1, 100000, INT),
};

static const struct config_word config_levels[] = {
	{ "debug", LOG_DEBUG },
	{ "info", LOG_INFO },
	{ "notice", LOG_NOTICE },
	{ "warn", LOG_WARNING },
	{ "error", LOG_ERR },
	{ "crit", LOG_CRIT },
	{ "alert", LOG_ALERT },
	{ "emerg", LOG_EMERG },
};

static const struct config_word config_facilities[] = {
	{ "daemon", LOG_DAEMON },
	{ "user", LOG_USER },
	{ "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

static const struct config_word config_error_logs[] = {
	{ "stderr", CONFIG_LOG_STDERR },
	{ "syslog", CONFIG_LOG_SYSLOG },
};

/* tls_protocols' words, as nginx and Apache spell them; value 10 + minor. */
static const struct config_word config_tls_versions[] = {
	{ "TLSv1", 10 },
	{ "TLSv1.1", 11 },
	{ "TLSv1.2", 12 },
	{ "TLSv1.3", 13 },
};


/* The line of value `index` of key (-1: of the key), 0 when it is a default. */
static int
config_line(struct config_ctx *ctx, const char *key, int index)
{
	struct config_mark	*m;
	size_t			 n, defaults;

	if ((m = config_marks_find(&ctx->marks, key)) == NULL)
		return 0;
	if (index < 0)
		return m->keyline;
	/* "key += ..." appends to the defaults, which stay first. */
	n = cfg_size(ctx->cfg, key);
	defaults = n > m->nlines ? n - m->nlines : 0;
	if ((size_t)index < defaults || (size_t)index - defaults >= m->nlines)
		return 0;
	return m->lines[index - defaults];
}

/* "FILE:LINE", "(command line)" or "(default)" for value `index` of key. */
static void
config_where(struct config_ctx *ctx, const char *key, int index, char *buf,
    size_t len)
{
	struct config_mark	*m;
	int			 line;

	m = config_marks_find(&ctx->marks, key);
	if (m != NULL && m->cmdline) {
		strlcpy(buf, "(command line)", len);
		return;
	}
	if ((line = config_line(ctx, key, index)) > 0)
		config_text_at(&ctx->text, line, buf, len);
	else
		strlcpy(buf, "(default)", len);
}

/* Put "WHERE: KEY: message" in the caller's buffer; returns -1 for chaining. */
int __attribute__((format(printf, 4, 5)))
config_fail(struct config_ctx *ctx, const char *key, int index,
    const char *fmt, ...)
{
	char	 where[CONFIG_WHERE_MAX], msg[CONFIG_ERR_MAX];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	config_where(ctx, key, index, where, sizeof where);
	snprintf(ctx->err, ctx->errlen, "%s: %s: %s", where, key, msg);
	return -1;
}

/* "WHERE: KEY" of value index of key, for a value checked after loading. */
char *
config_blame(struct config_ctx *ctx, const char *key, int index)
{
	char	 where[CONFIG_WHERE_MAX], *s;

	config_where(ctx, key, index, where, sizeof where);
	if (asprintf(&s, "%s: %s", where, key) == -1)
		return NULL;
	return s;
}

/* The error for a failed allocation, which has no line to blame. */
int
config_oom(struct config_ctx *ctx)
{
	strlcpy(ctx->err, "out of memory", ctx->errlen);
	return -1;
}

/* A user's string made printable and quoted, for an error message. */
const char *
config_quote(const char *s, char *buf, size_t len)
{
	buf[0] = '"';
	strnvis(buf + 1, s, len - 2,
	    VIS_CSTYLE | VIS_OCTAL | VIS_TAB | VIS_NL | VIS_DQ);
	strlcat(buf, "\"", len);
	return buf;
}

/* ---- libconfuse ---- */

/* libconfuse's error callback: keep its first message and the line. */
static void __attribute__((format(printf, 2, 0)))
config_on_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char	 msg[CONFIG_ERR_MAX];

	if (cfg_getint(cfg, CONFIG_ERR_LINE) != 0)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	cfg_setstr(cfg, CONFIG_ERR_MSG, msg);
	cfg_setint(cfg, CONFIG_ERR_LINE, cfg->line > 0 ? cfg->line : 1);
}

/* Options of the server as a whole. */
static const cfg_opt_t config_server_opts[] = {
	CFG_STR_LIST("listen", "{\"127.0.0.1:8080\"}", CFGF_NONE),
	CFG_STR("workers", "auto", CFGF_NONE),
	CFG_STR("user", NULL, CFGF_NONE),
	CFG_STR("group", NULL, CFGF_NONE),
	CFG_STR("pid_file", NULL, CFGF_NONE),
	CFG_STR("error_log", NULL, CFGF_NONE),
	CFG_STR("log_group", NULL, CFGF_NONE),
	CFG_STR("log_level", "notice", CFGF_NONE),
	CFG_STR("syslog_facility", "daemon", CFGF_NONE),
	CFG_STR("mime_types", "/etc/mime.types", CFGF_NONE),
	CFG_BOOL("server_tokens", cfg_true, CFGF_NONE),
	CFG_BOOL("sandbox", cfg_true, CFGF_NONE),
	CFG_BOOL("defer_accept", cfg_true, CFGF_NONE),
	CFG_STR("default_vhost", NULL, CFGF_NONE),
	CFG_STR(CONFIG_ERR_MSG, NULL, CFGF_NONE),
	CFG_INT(CONFIG_ERR_LINE, 0, CFGF_NONE),
	CFG_STR("tls_protocols", "TLSv1.2 TLSv1.3", CFGF_NONE),
	CFG_STR("tls_ciphers", CONFIG_TLS_CIPHERS, CFGF_NONE),
	CFG_STR_LIST("trusted_proxies", NULL, CFGF_NONE),
	CFG_STR("real_ip_header", NULL, CFGF_NONE),
};

/*
 * Options of one site. At top level they describe the default site; each
 * vhost section takes this same list (without defaults: what a vhost does
 * not set, it inherits from the top level), so a site option is declared
 * once for both.
 */
static const cfg_opt_t config_site_opts[] = {
	CFG_STR("document_root", DATADIR "/tine/www", CFGF_NONE),
	CFG_STR_LIST("index", "{\"index.html\", \"index.htm\"}", CFGF_NONE),
	CFG_STR("default_type", "application/octet-stream", CFGF_NONE),
	CFG_STR("hidden_files", "deny", CFGF_NONE),
	CFG_STR("redirect", NULL, CFGF_NONE),
	CFG_STR("https_redirect", "off", CFGF_NONE),
	CFG_BOOL("try_html", cfg_false, CFGF_NONE),
	CFG_BOOL("autoindex", cfg_false, CFGF_NONE),
	CFG_BOOL("precompressed", cfg_false, CFGF_NONE),
	CFG_STR_LIST("error_pages", NULL, CFGF_NONE),
	CFG_STR_LIST("headers", NULL, CFGF_NONE),
	CFG_STR_LIST("allow", NULL, CFGF_NONE),
	CFG_STR_LIST("deny", NULL, CFGF_NONE),
	CFG_STR_LIST("hidden_paths", NULL, CFGF_NONE),
	CFG_STR("auth_basic_file", NULL, CFGF_NONE),
	CFG_STR("auth_basic_realm", "Restricted", CFGF_NONE),
	CFG_STR("access_log", NULL, CFGF_NONE),
	CFG_STR("access_log_format", "combined", CFGF_NONE),
	CFG_STR_LIST("types", NULL, CFGF_NONE),
	CFG_STR("charset", "utf-8", CFGF_NONE),
	CFG_STR_LIST("cache_control_types", NULL, CFGF_NONE),
	CFG_STR("tls_certificate", NULL, CFGF_NONE),
	CFG_STR("tls_key", NULL, CFGF_NONE),
	CFG_STR("tls_ocsp_response", NULL, CFGF_NONE),
	CFG_STR("status_path", NULL, CFGF_NONE),
	CFG_STR_LIST("status_allow", "{\"127.0.0.1/32\", \"::1/128\"}",
	    CFGF_NONE),
	CFG_STR("health_path", NULL, CFGF_NONE),
};

/* Site options that belong to a host, not to a path: a location cannot set
 * them (it serves from its site's root, with its site's certificate, and
 * its status page is at one path of the host). */
static const char *const config_host_opts[] = {
	"document_root", "tls_certificate", "tls_key", "tls_ocsp_response",
	"status_path",
};

/* Whether a site option is a host's, which a location cannot set. */
static bool
config_host_opt(const char *name)
{
	size_t	i;

	for (i = 0; i < CONFIG_NITEMS(config_host_opts); i++)
		if (strcmp(config_host_opts[i], name) == 0)
			return true;
	return false;
}

/*
 * A section's options: the site options without their defaults (unset
 * means inherited), without a host's options in a location, then `extra`,
 * then the hidden error options; malloc'd, NULL without memory.
 */
static cfg_opt_t *
config_section_opts(bool location, const cfg_opt_t *extra, size_t nextra)
{
	size_t		 nsite = CONFIG_NITEMS(config_site_opts), i, n = 0;
	cfg_opt_t	*opts;

	if ((opts = calloc(nsite + nextra + 3, sizeof(*opts))) == NULL)
		return NULL;
	for (i = 0; i < nsite; i++) {
		if (location && config_host_opt(config_site_opts[i].name))
			continue;
		opts[n] = config_site_opts[i];
		opts[n].flags |= CFGF_NODEFAULT;
		opts[n].def.string = NULL;
		opts[n++].def.parsed = NULL;
	}
	for (i = 0; i < nextra; i++)
		opts[n++] = extra[i];
	/* libconfuse reports an error inside a section to the section. */
	opts[n++] = (cfg_opt_t)CFG_STR(CONFIG_ERR_MSG, NULL, CFGF_NONE);
	opts[n++] = (cfg_opt_t)CFG_INT(CONFIG_ERR_LINE, 0, CFGF_NONE);
	opts[n] = (cfg_opt_t)CFG_END();
	return opts;
}

/* A location section, which vhosts and the top level both hold. */
#define CONFIG_LOCATION_SEC(opts) \
	CFG_SEC("location", opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES)

/* A vhost section's options: a site's, its aliases and its locations;
 * loc is the location section's options. */
static cfg_opt_t *
config_vhost_opts(cfg_opt_t *loc)
{
	cfg_opt_t	extra[] = {
		CFG_STR_LIST("aliases", NULL, CFGF_NONE),
		CONFIG_LOCATION_SEC(loc),
	};

	return config_section_opts(false, extra, CONFIG_NITEMS(extra));
}

/* The libconfuse description of tine.conf, with every built-in default. */
static cfg_t *
config_tree(void)
{
	size_t		 nserver = CONFIG_NITEMS(config_server_opts);
	size_t		 nsite = CONFIG_NITEMS(config_site_opts), i, n;
	cfg_opt_t	*opts, *vhost = NULL, *loc;
	cfg_t		*cfg = NULL;

	n = nserver + nsite + CONFIG_NITEMS(config_nums) + 3;
	opts = calloc(n, sizeof(*opts));
	loc = config_section_opts(true, NULL, 0);
	if (opts == NULL || loc == NULL ||
	    (vhost = config_vhost_opts(loc)) == NULL) {
		free(opts);
		free(loc);
		return NULL;
	}
	memcpy(opts, config_server_opts, sizeof(config_server_opts));
	memcpy(opts + nserver, config_site_opts, sizeof(config_site_opts));
	n = nserver + nsite;
	for (i = 0; i < CONFIG_NITEMS(config_nums); i++)
		opts[n++] = (cfg_opt_t)CFG_INT(config_nums[i].key,
		    config_nums[i].def, CFGF_NONE);
	opts[n++] = (cfg_opt_t)CFG_SEC("vhost", vhost, CFGF_MULTI |
	    CFGF_TITLE | CFGF_NO_TITLE_DUPES);
	opts[n++] = (cfg_opt_t)CONFIG_LOCATION_SEC(loc);
	opts[n] = (cfg_opt_t)CFG_END();
	/* libconfuse copies the description, sections and all. */
	cfg = cfg_init(opts, CFGF_NONE);
	free(vhost);
	free(loc);
	free(opts);
	if (cfg != NULL)
		cfg_set_error_function(cfg, config_on_error);
	return cfg;
}

/*
 * Report a libconfuse message as "FILE:LINE: KEY: message" when it names an
 * option ("... option 'KEY'"), so every config error has the same shape.
 */
static void
config_confuse_error(struct config_ctx *ctx, long line, const char *msg)
{
	const char	*k = strstr(msg, "option '"), *end;
	char		 at[CONFIG_WHERE_MAX];

	config_text_at(&ctx->text, line > INT_MAX ? INT_MAX : (int)line, at,
	    sizeof(at));
	if (k != NULL && (end = strchr(k + 8, '\'')) != NULL) {
		snprintf(ctx->err, ctx->errlen, "%s: %.*s: %s", at,
		    (int)(end - (k + 8)), k + 8, msg);
		return;
	}
	snprintf(ctx->err, ctx->errlen, "%s: %s", at, msg);
}

/* The sections a tree may hold: vhosts (at the top level), locations. */
static const char *const config_sections[] = { "vhost", "location" };

/* How many sections named sec a tree holds: vhosts only at the top level,
 * locations there and in a vhost (asking a tree for an option it lacks
 * would be an error of its own). */
static unsigned int
config_nsec(cfg_t *cfg, const char *sec)
{
	const char	*name = cfg_name(cfg);

	if (name != NULL && (strcmp(name, "location") == 0 ||
	    (strcmp(name, "vhost") == 0 && strcmp(sec, "vhost") == 0)))
		return 0;
	return cfg_size(cfg, sec);
}

/* The tree libconfuse reported on: cfg, or the section below it it was
 * parsing (sections carry the hidden error options too); NULL if none. */
static cfg_t *
config_error_tree(cfg_t *cfg)
{
	cfg_t		*sec;
	unsigned int	 i, n;
	size_t		 s;

	if (cfg_getint(cfg, CONFIG_ERR_LINE) != 0)
		return cfg;
	for (s = 0; s < CONFIG_NITEMS(config_sections); s++) {
		n = config_nsec(cfg, config_sections[s]);
		for (i = 0; i < n; i++) {
			sec = cfg_getnsec(cfg, config_sections[s], i);
			if ((sec = config_error_tree(sec)) != NULL)
				return sec;
		}
	}
	return NULL;
}

/* A quoted "#error" key would reach the hidden options: refuse it, at the
 * top level (label "") and in every section below. */
static int
config_hidden_set(struct config_ctx *ctx, cfg_t *cfg, const char *label)
{
	char		 k[CONFIG_LABEL_MAX], sub[CONFIG_LABEL_MAX];
	cfg_t		*sec;
	unsigned int	 i, n;
	size_t		 s;

	snprintf(k, sizeof k, "%s%s", label, CONFIG_ERR_MSG);
	if (cfg_getstr(cfg, CONFIG_ERR_MSG) != NULL)
		return config_fail(ctx, k, -1, "no such option");
	snprintf(k, sizeof k, "%s%s", label, CONFIG_ERR_LINE);
	if (cfg_getint(cfg, CONFIG_ERR_LINE) != 0)
		return config_fail(ctx, k, -1, "no such option");
	for (s = 0; s < CONFIG_NITEMS(config_sections); s++) {
		n = config_nsec(cfg, config_sections[s]);
		for (i = 0; i < n; i++) {
			sec = cfg_getnsec(cfg, config_sections[s], i);
			snprintf(sub, sizeof sub, "%s%s \"%s\" ", label,
			    config_sections[s], cfg_title(sec));
			if (config_hidden_set(ctx, sec, sub) == -1)
				return -1;
		}
	}
	return 0;
}

/* Read the file and its includes noting where each value is written,
 * then let libconfuse parse the text. */
static int
config_parse(struct config_ctx *ctx)
{
	cfg_t		*cfg = ctx->cfg;
	const char	*msg;

	if (config_lex_load(ctx->file, &ctx->text, &ctx->marks, ctx->err,
	    ctx->errlen) == -1)
		return -1;
	if (cfg_parse_buf(cfg, ctx->text.buf) != CFG_SUCCESS) {
		if ((cfg = config_error_tree(ctx->cfg)) == NULL)
			cfg = ctx->cfg;
		msg = cfg_getstr(cfg, CONFIG_ERR_MSG);
		config_confuse_error(ctx, cfg_getint(cfg, CONFIG_ERR_LINE),
		    msg != NULL ? msg : "syntax error");
		return -1;
	}
	return config_hidden_set(ctx, cfg, "");
}

/* Put -r and -l in place of the file's values, remembering their origin. */
static int
config_override(struct config_ctx *ctx, const struct config_overrides *ov)
{
	struct config_mark	*m;

	if (ov == NULL)
		return 0;
	if (ov->document_root != NULL) {
		if ((m = config_marks_get(&ctx->marks, "document_root")) == NULL ||
		    cfg_setstr(ctx->cfg, "document_root", ov->document_root))
			return config_oom(ctx);
		m->cmdline = 1;
	}
	if (ov->listen != NULL) {
		if ((m = config_marks_get(&ctx->marks, "listen")) == NULL ||
		    cfg_setlist(ctx->cfg, "listen", 1, ov->listen) != 0)
			return config_oom(ctx);
		m->cmdline = 1;
	}
	return 0;
}

/* ---- listen addresses ---- */

/* A port: 1..65535 in decimal, without a leading zero ("0080" is a typo
 * or, to some readers, octal: refused rather than taken as 80). */
static int
config_port(const char *s, in_port_t *port, const char **why)
{
	size_t		 n = strspn(s, "0123456789");
	long long	 v = 0;

	if (n > 1 && s[0] == '0' && s[n] == '\0') {
		*why = "port must not have a leading zero";
		return -1;
	}
	if (n > 0 && n <= 5 && s[n] == '\0')
		v = strtonum(s, 1, 65535, NULL);
	if (v == 0) {
		*why = "port must be 1..65535";
		return -1;
	}
	*port = htons((in_port_t)v);
	return 0;
}

/* "[v6]:port" with the bracket at host[0]; host is a scratch copy. */
static int
config_listen_v6(char *host, struct config_listen *out, const char **why)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&out->addr;
	char			*end;

	if ((end = strchr(host, ']')) == NULL) {
		*why = "missing ']' after an IPv6 address";
		return -1;
	}
	*end++ = '\0';
	if (*end != ':') {
		*why = "missing \":port\" after ']'";
		return -1;
	}
	if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1) {
		*why = "not a numeric IPv6 address";
		return -1;
	}
	if (config_port(end + 1, &sin6->sin6_port, why) == -1)
		return -1;
	sin6->sin6_family = AF_INET6;
	out->addrlen = sizeof *sin6;
	return 0;
}

/* "a.b.c.d:port" or "*:port"; host is a scratch copy. */
static int
config_listen_v4(char *host, struct config_listen *out, const char **why)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&out->addr;
	char			*port;

	if ((port = strrchr(host, ':')) == NULL) {
		*why = "missing \":port\"";
		return -1;
	}
	*port++ = '\0';
	if (strchr(host, ':') != NULL) {
		*why = "an IPv6 address needs brackets, as in \"[::1]:80\"";
		return -1;
	}
	if (strcmp(host, "*") == 0)
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		*why = "not a numeric IPv4 address (host names are not "
		    "accepted)";
		return -1;
	}
	if (config_port(port, &sin->sin_port, why) == -1)
		return -1;
	sin->sin_family = AF_INET;
	out->addrlen = sizeof *sin;
	return 0;
}

/* What follows an address (cut off at *p): the flags "tls" and
 * "proxy_protocol" after blanks, each at most once, in any order. */
static int
config_listen_flags(char *p, struct config_listen *out, const char **why)
{
	char	*word;
	bool	*flag;

	*p++ = '\0';
	do {
		p += strspn(p, " \t");
		word = strsep(&p, " \t");
		flag = strcmp(word, "tls") == 0 ? &out->tls :
		    strcmp(word, "proxy_protocol") == 0 ?
		    &out->proxy_protocol : NULL;
		if (flag == NULL || *flag) {
			*why = "only the flags \"tls\" and \"proxy_protocol\" "
			    "may follow the address, each once";
			return -1;
		}
		*flag = true;
	} while (p != NULL);
	return 0;
}

/* Parse one address into out (text left NULL), saying why it is wrong. */
static int
config_listen_parse(const char *text, struct config_listen *out,
    const char **why)
{
	char	 host[CONFIG_LISTEN_MAX], *blank;

	memset(out, 0, sizeof *out);
	if (strlcpy(host, text, sizeof host) >= sizeof host) {
		*why = "too long to be an address";
		return -1;
	}
	if ((blank = strpbrk(host, " \t")) != NULL &&
	    config_listen_flags(blank, out, why) == -1)
		return -1;
	if (host[0] == '[')
		return config_listen_v6(host, out, why);
	return config_listen_v4(host, out, why);
}

/* Parse one listen address for the caller; out->text is a copy to free. */
int
config_parse_listen(const char *text, struct config_listen *out)
{
	const char	*why;

	if (config_listen_parse(text, out, &why) == -1)
		return -1;
	if ((out->text = strdup(text)) == NULL)
		return -1;
	return 0;
}

/* Whether two listeners name one socket address ("*:80" is "0.0.0.0:80"). */
static int
config_listen_same(const struct config_listen *a, const struct config_listen *b)
{
	return a->addrlen == b->addrlen &&
	    memcmp(&a->addr, &b->addr, a->addrlen) == 0;
}

/* Fail if listener i repeats an earlier one; binding both would fail. */
static int
config_listen_dup(struct config_ctx *ctx, const struct config *conf,
    unsigned int i, const char *text)
{
	char		 q[CONFIG_QUOTE_MAX];
	unsigned int	 j;

	for (j = 0; j < i; j++) {
		if (!config_listen_same(&conf->listen[j], &conf->listen[i]))
			continue;
		if (strcmp(text, conf->listen[j].text) == 0)
			return config_fail(ctx, "listen", i,
			    "duplicate address %s",
			    config_quote(text, q, sizeof q));
		return config_fail(ctx, "listen", i,
		    "duplicate address %s (same as %s)",
		    config_quote(text, q, sizeof q), conf->listen[j].text);
	}
	return 0;
}

/* listen: at least one address, each valid, none given twice. */
static int
config_get_listen(struct config_ctx *ctx, struct config *conf)
{
	struct config_listen	*l;
	const char		*text, *why;
	char			 q[CONFIG_QUOTE_MAX];
	unsigned int		 i, n = cfg_size(ctx->cfg, "listen");

	if (n == 0)
		return config_fail(ctx, "listen", -1,
		    "at least one address is needed");
	if ((conf->listen = calloc(n, sizeof *conf->listen)) == NULL)
		return config_oom(ctx);
	for (i = 0; i < n; i++) {
		l = &conf->listen[i];
		text = cfg_getnstr(ctx->cfg, "listen", i);
		if (config_listen_parse(text, l, &why) == -1)
			return config_fail(ctx, "listen", i, "%s, got %s", why,
			    config_quote(text, q, sizeof q));
		if (config_listen_dup(ctx, conf, i, text) == -1)
			return -1;
		if ((l->text = strdup(text)) == NULL)
			return config_oom(ctx);
		conf->nlisten = i + 1;
	}
	return 0;
}

/* ---- real client addresses ---- */

/* trusted_proxies, real_ip_header (a field name), and a trusted proxy
 * for each of them and each proxy_protocol listener to believe. */
static int
config_get_realip(struct config_ctx *ctx, struct config *conf)
{
	const char	*h = cfg_getstr(ctx->cfg, "real_ip_header"), *c;
	char		 q[CONFIG_QUOTE_MAX];
	size_t		 i;

	/* trusted_proxies: the blocks whose PROXY headers and real_ip_header
	 * are believed. */
	if (config_cidr_list(ctx, ctx->cfg, "trusted_proxies",
	    "trusted_proxies", &conf->trusted_proxies,
	    &conf->ntrusted_proxies) == -1)
		return -1;
	for (i = 0; i < conf->nlisten; i++)
		if (conf->listen[i].proxy_protocol &&
		    conf->ntrusted_proxies == 0)
			return config_fail(ctx, "listen", (int)i, "%s takes "
			    "the PROXY protocol, but trusted_proxies is empty: "
			    "every connection would be refused",
			    conf->listen[i].text);
	if (h == NULL)
		return 0;
	for (c = h; config_tchar((unsigned char)*c); c++)
		;
	if (*h == '\0' || *c != '\0')
		return config_fail(ctx, "real_ip_header", 0, "must be a field "
		    "name like \"X-Forwarded-For\", got %s",
		    config_quote(h, q, sizeof q));
	if (conf->ntrusted_proxies == 0)
		return config_fail(ctx, "real_ip_header", 0, "needs "
		    "trusted_proxies: the proxies whose %s is believed", h);
	if ((conf->real_ip_header = strdup(h)) == NULL)
		return config_oom(ctx);
	return 0;
}

/* ---- files and directories ---- */

/* Why an index name is not a plain file name, or NULL if it is one. */
const char *
config_index_bad(const char *name)
{
	if (*name == '\0')
		return "must not be empty";
	if (strchr(name, '/') != NULL)
		return "must be a file name, without '/'";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "must be a file name, not \".\" or \"..\"";
	if (strlen(name) > NAME_MAX)
		return "is longer than a file name can be";
	return NULL;
}

/*
 * A file tine creates (pid file, log): its directory must exist. It is kept
 * absolute so that the daemon's chdir("/") does not move it.
 */
int
config_path(struct config_ctx *ctx, const char *key, const char *v, char **out)
{
	char		 path[PATH_MAX], cwd[PATH_MAX], q[CONFIG_QUOTE_MAX];
	char		*slash;
	struct stat	 st;
	int		 n;

	if (*v == '\0')
		return config_fail(ctx, key, 0, "must not be empty");
	if (*v != '/' && getcwd(cwd, sizeof cwd) == NULL)
		return config_fail(ctx, key, 0, "%s is relative and the "
		    "current directory is unknown",
		    config_quote(v, q, sizeof q));
	n = *v == '/' ? snprintf(path, sizeof path, "%s", v) :
	    snprintf(path, sizeof path, "%s%s%s", cwd,
	    strcmp(cwd, "/") == 0 ? "" : "/", v);
	if (n < 0 || (size_t)n >= sizeof path)
		return config_fail(ctx, key, 0, "path too long");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return config_fail(ctx, key, 0, "%s is a directory",
		    config_quote(v, q, sizeof q));
	slash = strrchr(path, '/');
	*slash = '\0';
	if (stat(slash == path ? "/" : path, &st) == -1 || !S_ISDIR(st.st_mode))
		return config_fail(ctx, key, 0, "directory %s does not exist",
		    config_quote(path, q, sizeof q));
	*slash = '/';
	if ((*out = strdup(path)) == NULL)
		return config_oom(ctx);
	return 0;
}

/*
 * pid_file: "" or "off" for none, else a path in an existing directory.
 * Unset stays NULL: main picks RUNSTATEDIR/tine.pid for a daemon and none
 * in the foreground, so "tine -f" from a build tree starts anywhere.
 */
static int
config_get_pidfile(struct config_ctx *ctx, struct config *conf)
{
	const char	*v = cfg_getstr(ctx->cfg, "pid_file");

	if (v == NULL)
		return 0;
	if (*v == '\0' || strcmp(v, "off") == 0)
		v = "";
	if (*v != '\0' && config_marks_find(&ctx->marks, "pid_file") != NULL)
		return config_path(ctx, "pid_file", v, &conf->pid_file);
	if ((conf->pid_file = strdup(v)) == NULL)
		return config_oom(ctx);
	return 0;
}

/* ---- words and accounts ---- */

/* Look a word up in a table; -1 when it is not there. */
int
config_word(const struct config_word *w, size_t n, const char *name,
    int *value)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(w[i].name, name) == 0) {
			*value = w[i].value;
			return 0;
		}
	return -1;
}

/* A keyword option: fail with the list of what it may be. */
static int
config_get_word(struct config_ctx *ctx, const char *key,
    const struct config_word *w, size_t n, int *value)
{
	const char	*v = cfg_getstr(ctx->cfg, key);
	char		 words[CONFIG_ERR_MAX / 2], q[CONFIG_QUOTE_MAX];
	size_t		 i;

	if (config_word(w, n, v, value) == 0)
		return 0;
	words[0] = '\0';
	for (i = 0; i < n; i++) {
		strlcat(words, i == 0 ? "" : i + 1 == n ? " or " : ", ",
		    sizeof words);
		strlcat(words, w[i].name, sizeof words);
	}
	return config_fail(ctx, key, 0, "must be %s, got %s", words,
	    config_quote(v, q, sizeof q));
}

/* log_level and syslog_facility. */
static int
config_get_levels(struct config_ctx *ctx, struct config *conf)
{
	if (config_get_word(ctx, "log_level", config_levels,
	    CONFIG_NITEMS(config_levels), &conf->log_level) == -1)
		return -1;
	return config_get_word(ctx, "syslog_facility", config_facilities,
	    CONFIG_NITEMS(config_facilities), &conf->syslog_facility);
}

/* A log: unset, one of the keywords in w, or a file path. */
static int
config_get_log(struct config_ctx *ctx, const char *key,
    const struct config_word *w, size_t n, enum config_log_dest *dest,
    char **path)
{
	const char	*v = cfg_getstr(ctx->cfg, key);
	int		 d;

	if (v == NULL) {
		*dest = CONFIG_LOG_DEFAULT;
		return 0;
	}
	if (config_word(w, n, v, &d) == 0) {
		*dest = (enum config_log_dest)d;
		return 0;
	}
	/* Without this, "off" would silently become a file named off. */
	if (strcmp(v, "off") == 0 || strcmp(v, "stdout") == 0)
		return config_fail(ctx, key, 0, "cannot be \"%s\": use "
		    "\"stderr\", \"syslog\" or a file path", v);
	*dest = CONFIG_LOG_FILE;
	return config_path(ctx, key, v, path);
}

/*
 * log_group: the group of the log files the master creates as root. Unset,
 * "adm" where it exists (Debian's readers of /var/log), else none; a group
 * the admin names must exist, so that a typo is caught by tine -t rather
 * than leaving the logs unreadable to whom they were meant for.
 */
static int
config_get_log_group(struct config_ctx *ctx, struct config *conf)
{
	const char	*name = cfg_getstr(ctx->cfg, "log_group");
	char		 q[CONFIG_QUOTE_MAX];

	/* Looked up with the user and group: config_get_accounts(). */
	conf->log_gid = conf->ids.log_found ? conf->ids.log_gid : (gid_t)-1;
	if (name != NULL && !conf->ids.log_found)
		return config_fail(ctx, "log_group", 0, "no such group %s",
		    config_quote(name, q, sizeof q));
	return 0;
}

/* error_log and log_group (access_log is a site's: config_site.c). */
static int
config_get_logs(struct config_ctx *ctx, struct config *conf)
{
	if (config_get_log(ctx, "error_log", config_error_logs,
	    CONFIG_NITEMS(config_error_logs), &conf->error_log_dest,
	    &conf->error_log) == -1)
		return -1;
	return config_get_log_group(ctx, conf);
}

/*
 * user, group and log_group, resolved at once in a child (common/account.c)
 * so that the name service's modules never load here. Unset user: the
 * workers' fallback, www-data where it exists, else nobody.
 */
static int
config_resolve(struct config_ctx *ctx, struct config *conf)
{
	const char		*user = cfg_getstr(ctx->cfg, "user");
	const char		*log = cfg_getstr(ctx->cfg, "log_group");
	struct account_query	 aq = { .users = { "www-data", "nobody" } };
	char			 err[ACCOUNT_ERR_MAX];

	if (user != NULL) {
		aq.users[0] = user;
		aq.users[1] = NULL;
	}
	aq.group = cfg_getstr(ctx->cfg, "group");
	aq.log_group = log != NULL ? log : "adm";
	if (account_resolve(&aq, &conf->ids, err, sizeof err) == -1)
		return config_fail(ctx, "user", 0, "cannot look users and "
		    "groups up: %s", err);
	return 0;
}

/* user and group: unset, or names that exist now. */
static int
config_get_accounts(struct config_ctx *ctx, struct config *conf)
{
	const char	*user = cfg_getstr(ctx->cfg, "user");
	const char	*group = cfg_getstr(ctx->cfg, "group");
	char		 q[CONFIG_QUOTE_MAX];

	if (config_resolve(ctx, conf) == -1)
		return -1;
	if (user != NULL && !conf->ids.found)
		return config_fail(ctx, "user", 0, "no such user %s",
		    config_quote(user, q, sizeof q));
	/* Workers face the network: they must never keep root's powers. */
	if (user != NULL && conf->ids.uid == 0)
		return config_fail(ctx, "user", 0, "%s is root: workers must "
		    "run as an unprivileged user", config_quote(user, q,
		    sizeof q));
	if (group != NULL && !conf->ids.group_found)
		return config_fail(ctx, "group", 0, "no such group %s",
		    config_quote(group, q, sizeof q));
	if (user != NULL && (conf->user = strdup(user)) == NULL)
		return config_oom(ctx);
	if (group != NULL && (conf->group = strdup(group)) == NULL)
		return config_oom(ctx);
	return 0;
}

/* ---- numbers ---- */

/* workers: "auto" for one per online CPU, or 1..256 as number or string. */
static int
config_get_workers(struct config_ctx *ctx, struct config *conf)
{
	const char	*v = cfg_getstr(ctx->cfg, "workers");
	char		 q[CONFIG_QUOTE_MAX];
	long		 cpus;
	size_t		 n = strspn(v, "0123456789");

	if (strcmp(v, "auto") == 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		conf->workers = cpus < 1 ? 1 : cpus > CONFIG_WORKERS_MAX ?
		    CONFIG_WORKERS_MAX : (int)cpus;
		return 0;
	}
	if (n > 0 && n <= 3 && v[n] == '\0')
		conf->workers = (int)strtonum(v, 1, CONFIG_WORKERS_MAX, NULL);
	else
		conf->workers = 0;
	if (conf->workers == 0)
		return config_fail(ctx, "workers", 0, "must be \"auto\" or "
		    "1..%d, got %s", CONFIG_WORKERS_MAX,
		    config_quote(v, q, sizeof q));
	return 0;
}

/* Every plain integer option, checked against its range. */
static int
config_get_numbers(struct config_ctx *ctx, struct config *conf)
{
	const struct config_num	*e;
	char			*field;
	long			 v;
	size_t			 i;

	for (i = 0; i < CONFIG_NITEMS(config_nums); i++) {
		e = &config_nums[i];
		v = cfg_getint(ctx->cfg, e->key);
		if (v < e->min || v > e->max)
			return config_fail(ctx, e->key, 0,
			    "must be %ld..%ld, got %ld", e->min, e->max, v);
		field = (char *)conf + e->off;
		if (e->type == CONFIG_NUM_INT)
			*(int *)(void *)field = (int)v;
		else if (e->type == CONFIG_NUM_LONG)
			*(long *)(void *)field = v;
		else
			*(size_t *)(void *)field = (size_t)v;
	}
	return 0;
}

/* The limits that depend on each other: a header block holds its line. */
static int
config_check_sizes(struct config_ctx *ctx, struct config *conf)
{
	if (conf->max_header_size >= conf->max_request_line)
		return 0;
	/* Blame the one the file set, not a default it pushed out of range. */
	if (config_line(ctx, "max_header_size", 0) == 0)
		return config_fail(ctx, "max_request_line", 0, "must not "
		    "exceed max_header_size (%zu), got %zu",
		    conf->max_header_size, conf->max_request_line);
	return config_fail(ctx, "max_header_size", 0, "must be at least "
	    "max_request_line (%zu), got %zu", conf->max_request_line,
	    conf->max_header_size);
}

/* ---- strings ---- */

/* A token character of RFC 9110, as in a media type. */
int
config_tchar(int c)
{
	return c != '\0' && (isalnum(c) || strchr("!#$%&'*+-.^_`|~", c));
}

/* "type/subtype", optionally followed by "; parameters". */
int
config_media_type(const char *v)
{
	const char	*p = v;

	while (config_tchar((unsigned char)*p))
		p++;
	if (p == v || *p++ != '/')
		return -1;
	v = p;
	while (config_tchar((unsigned char)*p))
		p++;
	if (p == v)
		return -1;
	if (*p == '\0')
		return 0;
	p += strspn(p, " ");
	if (*p != ';')
		return -1;
	/* It goes into a header line as it is: no control characters. */
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return -1;
	return 0;
}

/* mime_types, server_tokens, sandbox and defer_accept. */
static int
config_get_strings(struct config_ctx *ctx, struct config *conf)
{
	if ((conf->mime_types = strdup(cfg_getstr(ctx->cfg,
	    "mime_types"))) == NULL)
		return config_oom(ctx);
	conf->server_tokens = cfg_getbool(ctx->cfg, "server_tokens");
	conf->sandbox = cfg_getbool(ctx->cfg, "sandbox");
	conf->defer_accept = cfg_getbool(ctx->cfg, "defer_accept");
	return 0;
}

/* ---- TLS ---- */

/* tls_protocols: TLS versions by name, a range without a gap. */
static int
config_tls_protocols(struct config_ctx *ctx, struct config *conf)
{
	const char	*p = cfg_getstr(ctx->cfg, "tls_protocols");
	char		 word[CONFIG_TLS_WORD_MAX], q[CONFIG_QUOTE_MAX];
	unsigned int	 seen = 0;
	size_t		 n;
	int		 v;

	for (;; p += n) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		n = strcspn(p, " \t");
		snprintf(word, sizeof word, "%.*s", (int)n, p);
		if (n >= sizeof word || config_word(config_tls_versions,
		    CONFIG_NITEMS(config_tls_versions), word, &v) == -1)
			return config_fail(ctx, "tls_protocols", 0, "%s is not "
			    "TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3",
			    config_quote(word, q, sizeof q));
		seen |= 1u << (v - 10);
	}
	if (seen == 0)
		return config_fail(ctx, "tls_protocols", 0, "must name at "
		    "least one version, like \"TLSv1.2 TLSv1.3\"");
	conf->tls_min = 10 + __builtin_ctz(seen);
	conf->tls_max = 10 + 31 - __builtin_clz(seen);
	/* OpenSSL takes a lowest and a highest version, nothing between. */
	if (seen + (1u << (conf->tls_min - 10)) != 1u << (conf->tls_max - 9))
		return config_fail(ctx, "tls_protocols", 0, "must be versions "
		    "without a gap (TLSv1.1 TLSv1.2, not TLSv1.1 TLSv1.3)");
	return 0;
}

/* tls_protocols, tls_ciphers (OpenSSL checks it), and a certificate for
 * every TLS listener to show. */
static int
config_get_tls(struct config_ctx *ctx, struct config *conf)
{
	const char	*ciphers = cfg_getstr(ctx->cfg, "tls_ciphers");
	size_t		 i;

	if (config_tls_protocols(ctx, conf) == -1)
		return -1;
	if (*ciphers == '\0')
		return config_fail(ctx, "tls_ciphers", 0, "must not be empty");
	if ((conf->tls_ciphers.value = strdup(ciphers)) == NULL ||
	    (conf->tls_ciphers.where = config_blame(ctx, "tls_ciphers",
	    0)) == NULL)
		return config_oom(ctx);
	for (i = 0; i < conf->nsites; i++)
		if (conf->sites[i].tls_certificate.value != NULL)
			return 0;
	for (i = 0; i < conf->nlisten; i++)
		if (conf->listen[i].tls)
			return config_fail(ctx, "listen", (int)i, "%s is a tls "
			    "listener, but no site has a tls_certificate",
			    conf->listen[i].text);
	return 0;
}

/* ---- the whole ---- */

static const config_step config_steps[] = {
	config_get_listen,
	config_get_sites,
	config_get_tls,
	config_get_workers,
	config_get_numbers,
	config_check_sizes,
	config_get_accounts,
	config_get_pidfile,
	config_get_logs,
	config_get_levels,
	config_get_strings,
	config_get_realip,
};

/* Check every value of the tree and copy it into a new struct config. */
static struct config *
config_build(struct config_ctx *ctx)
{
	struct config	*conf;
	size_t		 i;

	if ((conf = calloc(1, sizeof *conf)) == NULL) {
		config_oom(ctx);
		return NULL;
	}
	if (ctx->file != NULL && (conf->file = strdup(ctx->file)) == NULL) {
		config_oom(ctx);
		config_free(conf);
		return NULL;
	}
	for (i = 0; i < CONFIG_NITEMS(config_steps); i++)
		if (config_steps[i](ctx, conf) == -1) {
			config_free(conf);
			return NULL;
		}
	return conf;
}

/* Read, check and copy a whole configuration (see config.h). */
struct config *
config_load(const char *file, const struct config_overrides *ov, char *err,
    size_t errlen)
{
	struct config_ctx	 ctx;
	struct config		*conf = NULL;
	char			 scratch[CONFIG_ERR_MAX];

	memset(&ctx, 0, sizeof ctx);
	ctx.file = file;
	ctx.err = err;
	ctx.errlen = errlen;
	if (err == NULL || errlen == 0) {
		ctx.err = scratch;
		ctx.errlen = sizeof scratch;
	}
	ctx.err[0] = '\0';
	if ((ctx.cfg = config_tree()) == NULL)
		config_oom(&ctx);
	else if ((file == NULL || config_parse(&ctx) == 0) &&
	    config_override(&ctx, ov) == 0)
		conf = config_build(&ctx);
	if (ctx.cfg != NULL)
		cfg_free(ctx.cfg);
	config_marks_free(&ctx.marks);
	config_text_free(&ctx.text);
	return conf;
}

/* Release a config and everything it owns. */
void
config_free(struct config *conf)
{
	size_t	 i;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->nlisten; i++)
		free(conf->listen[i].text);
	free(conf->listen);
	for (i = 0; i < conf->nsites; i++)
		config_site_free(&conf->sites[i]);
	free(conf->sites);
	free(conf->file);
	free(conf->user);
	free(conf->group);
	account_free(&conf->ids);
	free(conf->pid_file);
	free(conf->error_log);
	for (i = 0; i < conf->naccess_logs; i++)
		free(conf->access_logs[i].path);
	free(conf->access_logs);
	free(conf->mime_types);
	free(conf->tls_ciphers.value);
	free(conf->tls_ciphers.where);
	free(conf->trusted_proxies);
	free(conf->real_ip_header);
	free(conf);
}

/* The tine.conf word for a LOG_* level, for log lines and -t output. */
const char *
config_level_name(int level)
{
	size_t	 i;

	for (i = 0; i < CONFIG_NITEMS(config_levels); i++)
		if (config_levels[i].value == level)
			return config_levels[i].name;
	return "unknown";
}
