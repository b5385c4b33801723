/* config_lex: where each key and value of tine.conf was written (libconfuse forgets line numbers). */
#ifndef TINE_CONFIG_LEX_H
#define TINE_CONFIG_LEX_H

#include <stddef.h>

#include "config_text.h"

/*
 * Where one option was written, for error messages: libconfuse forgets line
 * numbers once a value is stored, so config_lex_load() notes them itself,
 * as lines of the config_text.
 */
struct config_mark {
	char		*key;
	int		 keyline;	/* line of the last "key =" */
	int		 setline;	/* line of the last "key =" (not "+=") */
	int		*lines;		/* line of each value since then */
	size_t		 nlines;
	int		 cmdline;	/* replaced by -r or -l */
};

/* Every key the file set, in the order first seen. */
struct config_marks {
	struct config_mark	*v;
	size_t			 n;
};

/*
 * Read file into tx->buf, the text libconfuse parses, with each
 * include = "GLOB" replaced by the files it names (see config_text.h), and
 * note the line (of that text) of every key and value. Comments are
 * blanked out, so libconfuse's line count stays right. A key set twice
 * with "=", an unterminated string, a file that cannot be read and an
 * included file that is not whole are errors: -1 with "FILE:LINE: ..." in
 * err, FILE the one it was written in. -1 and "out of memory" too. A key
 * inside a section is marked by its path, the section's name and title
 * before it: 'vhost "a.com" document_root'.
 */
int			 config_lex_load(const char *file, struct config_text *,
			    struct config_marks *, char *err, size_t errlen);

/* The mark of a key, or NULL if the file never set it. */
struct config_mark	*config_marks_find(struct config_marks *, const char *key);

/* The mark of a key, made on first use; NULL when out of memory. */
struct config_mark	*config_marks_get(struct config_marks *, const char *key);

/* Note that the next value of m was written on `line`; 0 or -1. */
int			 config_mark_value(struct config_mark *, int line);

/* Release what the marks hold. */
void			 config_marks_free(struct config_marks *);

#endif
