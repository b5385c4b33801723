/* config: the one place that reads tine.conf; the rest sees struct config. */
#ifndef TINE_CONFIG_H
#define TINE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "account.h"

#define CONFIG_ERR_MAX 512

/* One address to listen on, parsed from "host:port", "[v6]:port" or "*:port",
 * optionally followed by the flags "tls" and "proxy_protocol". */
struct config_listen {
	char			*text;		/* as written, for log lines */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	bool			 tls;		/* HTTPS on this socket */
	bool			 proxy_protocol; /* a PROXY header comes first */
};

/*
 * A value that is checked after loading, outside config (the master's TLS
 * loader opens a certificate, OpenSSL parses a cipher list), with where the
 * file sets it, so that those errors name the line as config errors do.
 */
struct config_ref {
	char			*value;		/* NULL: not set */
	char			*where;		/* "FILE:LINE: KEY" */
};

/* Where a log goes: a file path, stderr, syslog, or nowhere. */
enum config_log_dest {
	CONFIG_LOG_DEFAULT,	/* not set: the caller decides (stderr with -f) */
	CONFIG_LOG_FILE,
	CONFIG_LOG_STDERR,
	CONFIG_LOG_STDOUT,
	CONFIG_LOG_SYSLOG,
	CONFIG_LOG_OFF
};

/*
 * The validated, immutable configuration. Every string and array is owned by
 * the struct and released by config_free(); nothing here points into
 * libconfuse.
 */
struct alog;
struct cidr;
struct htpasswd;

/* One error_pages entry: the file a site answers an error status with. */
struct config_page {
	int			 status;	/* 400 .. 599 */
	char			*path;		/* absolute, no "." or ".." segment, no '?' */
};

/* One cache_control_types entry: the Cache-Control line for a type. */
struct config_cctype {
	char			*type;		/* a type, "type/" + star, or star/star */
	char			*line;		/* "Cache-Control: value\r\n" */
	size_t			 linelen;
};

struct mime;

/*
 * One access-log destination: sites that name the same one share it, so
 * the master opens one descriptor per entry and a site keeps its index.
 */
struct config_access_log {
	enum config_log_dest	 dest;		/* not set (DEFAULT), FILE, ... */
	char			*path;		/* absolute when dest is FILE */
};

/*
 * One site: the top level (the default, name NULL) or a vhost section; or
 * one of their location sections, which holds the options its site's
 * requests below its prefix are answered with. A vhost inherits every
 * option it does not set from the top level, a location from its site.
 */
struct config_site {
	char			*name;		/* vhost "NAME", lower-case; NULL: top level */
	char			*prefix;	/* a location's "/path/"; NULL for a site */
	size_t			 prefixlen;
	char			**names;	/* name and aliases: "a.b" or "*.b" */
	size_t			 nnames;
	char			*document_root;	/* absolute, exists, a directory */
	char			*root_path;	/* document_root as written when
						 * absolute (symlinks kept): the
						 * master follows what it leads to */
	char			**index;
	size_t			 nindex;
	char			*default_type;
	bool			 hidden_files;	/* serve dotfiles (hidden_files = allow) */
	int			 redirect_code;	/* 301, 302, 307, 308; 0: no redirect */
	int			 https_redirect; /* the same for plain HTTP; 0: off */
	char			*redirect;	/* its target, no trailing '/'; or NULL */
	size_t			 redirect_cut;	/* path bytes the target replaces */
	bool			 try_html;	/* a missing /x is answered from /x.html */
	bool			 autoindex;	/* list a directory without an index file */
	bool			 precompressed;	/* FILE.br, FILE.gz for FILE if accepted */
	struct config_page	*pages;		/* error_pages, one per status */
	size_t			 npages;
	char			*headers;	/* "Name: value\r\n" lines joined, NULL: none */
	size_t			 headerslen;
	char			*cache_headers;	/* its Cache-Control, Expires: files only */
	size_t			 cache_headerslen;
	struct config_site	*locations;	/* longest prefix first */
	size_t			 nlocations;
	/* A site's certificate (a host's: a location has none): absolute
	 * paths, read by the master; value NULL when the site has none. */
	struct config_ref	 tls_certificate;	/* full chain, PEM */
	struct config_ref	 tls_key;		/* its private key, PEM */
	struct config_ref	 tls_ocsp_response;	/* DER, optional */
	/* Access rules, checked in this order: address, path, password. */
	bool			 access;	/* any of them is set */
	struct cidr		*allow;		/* empty: every address not denied */
	size_t			 nallow;
	struct cidr		*deny;
	size_t			 ndeny;
	char			**hidden_paths;	/* fnmatch(3) patterns: 404 */
	size_t			 nhidden_paths;
	struct htpasswd		*auth;		/* Basic auth's users, NULL: none */
	char			*auth_realm;
	char			*auth_challenge; /* "WWW-Authenticate: ...\r\n" */
	size_t			 access_log;	/* its index in conf->access_logs */
	char			*access_log_format; /* "combined", "common", "json" or % string */
	struct alog		*access_format;	/* access_log_format compiled */
	struct mime		*types;		/* its own, over the server's; NULL: none */
	char			*charset;	/* on text types; NULL: none */
	struct config_cctype	*cctypes;	/* cache_control_types */
	size_t			 ncctypes;
	bool			 headers_cc;	/* headers has Cache-Control: it wins */
	bool			 retypes;	/* a location typing files otherwise
						 * than its site: its own file cache */
	char			*status_path;	/* the status page; NULL: none */
	size_t			 status_path_len; /* its strlen, for each request */
	struct cidr		*status_allow;	/* who may see it */
	size_t			 nstatus_allow;
	char			*health_path;	/* answered "ok" or 503, unlogged;
						 * NULL: none */
};

struct config {
	char			*file;		/* file it came from, NULL for built-in */

	struct config_listen	*listen;
	size_t			 nlisten;
	int			 backlog;
	int			 tcp_notsent_lowat;	/* 0: the kernel's */
	bool			 defer_accept;	/* TCP_DEFER_ACCEPT on listeners */

	struct config_site	*sites;		/* [0] the top level, then each vhost */
	size_t			 nsites;
	size_t			 default_site;	/* answers a Host no site names */

	int			 workers;	/* resolved: "auto" = online CPUs */
	int			 max_connections;	/* per worker */
	int			 max_connections_per_ip; /* per worker, 0 = no limit */
	int			 max_open_files;	/* RLIMIT_NOFILE, 0 = auto */
	long			 max_requests_per_worker; /* 0 = unlimited */
	long			 keepalive_requests;	/* per connection, 0 = unlimited */

	char			*user;		/* NULL: www-data if it exists, else nobody */
	char			*group;		/* NULL: the user's primary group */
	struct account_ids	 ids;		/* user (or the fallback), group
						 * and log_group resolved at
						 * load: none is looked up later */
	char			*pid_file;	/* "" = none */

	enum config_log_dest	 error_log_dest;
	char			*error_log;	/* path when dest is FILE */
	int			 log_level;	/* LOG_DEBUG .. LOG_EMERG (syslog.h) */
	int			 syslog_facility;
	gid_t			 log_gid;	/* log_group: of created logs; -1 none */
	struct config_access_log *access_logs;	/* distinct, as the sites name them */
	size_t			 naccess_logs;

	char			*mime_types;	/* file, missing = built-in table only */

	int			 header_timeout;	/* seconds */
	int			 header_min_rate;	/* bytes/s past it, 0 = off */
	int			 keepalive_timeout;
	int			 send_timeout;
	int			 watchdog_timeout;
	int			 worker_shutdown_timeout;	/* 0 = none */
	int			 shutdown_delay;	/* s health says 503 before a
						 * graceful stop closes the
						 * listeners */

	size_t			 max_request_line;	/* bytes, 414 past it */
	size_t			 max_header_size;	/* bytes of the whole block, 431 */
	int			 max_headers;		/* count, 431 */
	size_t			 max_body_size;		/* discarded GET body, 413 past it */
	int			 autoindex_max_entries;	/* a listing's entries, cut past it */

	int			 tls_min;	/* tls_protocols: 10 .. 13, TLS 1.x */
	int			 tls_max;
	struct config_ref	 tls_ciphers;	/* TLS 1.2 ciphers, OpenSSL's syntax */
	int			 tls_session_timeout;	/* s a session resumes; ticket
						 * keys rotate every half */

	struct cidr		*trusted_proxies; /* whose PROXY header or
						 * real_ip_header is believed */
	size_t			 ntrusted_proxies;
	char			*real_ip_header; /* NULL: none */

	bool			 server_tokens;	/* "Server: tine/VERSION" or "tine" */
	bool			 sandbox;	/* workers confine themselves */
};

/* Command-line values that replace the file's before validation (-r, -l). */
struct config_overrides {
	const char	*document_root;	/* NULL: keep the file's */
	const char	*listen;	/* NULL: keep the file's; else the only listener */
};

/*
 * Parse and validate `file` (NULL = built-in defaults only) with the
 * overrides applied (ov may be NULL). Returns a new config owned by the
 * caller, or NULL with a message "FILE:LINE: KEY: ..." in err.
 */
struct config	*config_load(const char *file, const struct config_overrides *ov,
		    char *err, size_t errlen);

/* Parse one listen address ("127.0.0.1:8080", "[::1]:80", "*:80"). */
int		 config_parse_listen(const char *text, struct config_listen *out);

/* Release a config from config_load(); NULL is fine. */
void		 config_free(struct config *);

/* The tine.conf word for a syslog.h LOG_* level ("notice"); static string. */
const char	*config_level_name(int level);

#endif
