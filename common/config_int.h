/* config_int: what config.c and config_site.c share; nothing else includes it. */
#ifndef TINE_CONFIG_INT_H
#define TINE_CONFIG_INT_H

#include <confuse.h>
#include <stddef.h>

#include "config.h"
#include "config_lex.h"

#define CONFIG_QUOTE_MAX	160
#define CONFIG_LABEL_MAX	512		/* 'vhost "NAME" key' */
#define CONFIG_NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * libconfuse's error callback gets no user pointer, so it leaves the message
 * in these two options of the tree it reports on. A name starting with '#'
 * lexes as a comment, so a file cannot set them by accident.
 */
#define CONFIG_ERR_MSG		"#error"
#define CONFIG_ERR_LINE		"#error_line"

/* Everything one config_load() call works on. */
struct config_ctx {
	const char		*file;
	cfg_t			*cfg;
	struct config_text	 text;		/* with its includes */
	struct config_marks	 marks;
	char			*err;
	size_t			 errlen;
};

/* A keyword and the number it stands for. */
struct config_word {
	const char	*name;
	int		 value;
};

/* Put "WHERE: KEY: message" in the caller's buffer; returns -1 for chaining. */
int		 config_fail(struct config_ctx *, const char *key, int index,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "WHERE: KEY" of value `index` of key, for a value checked after loading
 * (struct config_ref); malloc'd, NULL without memory. */
char		*config_blame(struct config_ctx *, const char *key, int index);

/* The error for a failed allocation, which has no line to blame; -1. */
int		 config_oom(struct config_ctx *);

/* A user's string made printable and quoted, for an error message; buf. */
const char	*config_quote(const char *s, char *buf, size_t len);

/* Look a word up in a table; 0 with *value, -1 when it is not there. */
int		 config_word(const struct config_word *, size_t n,
		    const char *name, int *value);

/* Whether c is a token character of RFC 9110. */
int		 config_tchar(int c);

/* 0 when v is "type/subtype" with optional "; parameters", else -1. */
int		 config_media_type(const char *v);

/* A file tine creates, made absolute in *out; its directory must exist. */
int		 config_path(struct config_ctx *, const char *key,
		    const char *v, char **out);

/* Why an index name is not a plain file name, or NULL if it is one. */
const char	*config_index_bad(const char *name);

/* The address blocks of list option key of cfg into *out (*n of them, one
 * spare entry), errors blamed on label; 0 or -1. */
int		 config_cidr_list(struct config_ctx *, cfg_t *cfg,
		    const char *key, const char *label, struct cidr **out,
		    size_t *n);

/* The top-level site, then one per vhost section, then default_vhost. */
int		 config_get_sites(struct config_ctx *, struct config *);

/* Release what one site owns. */
void		 config_site_free(struct config_site *);

#endif
