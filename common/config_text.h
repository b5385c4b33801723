/* config_text: tine.conf with its includes expanded, and where each line came from. */
#ifndef TINE_CONFIG_TEXT_H
#define TINE_CONFIG_TEXT_H

#include <sys/types.h>

#include <glob.h>
#include <stddef.h>

#define CONFIG_TEXT_DEPTH	8	/* files open at once, tine.conf too */
#define CONFIG_TEXT_INCLUDES	10000	/* include lines followed in all */
#define CONFIG_TEXT_FILES	10000	/* files read in all */

/* A run of lines of the text that come from one file, in order. */
struct config_seg {
	int	 line;		/* its first line in the text */
	int	 fline;		/* the same line in the file */
	size_t	 file;		/* index in files */
};

/* A file being read, for the loop check and relative paths. */
struct config_open {
	size_t	 file;
	dev_t	 dev;
	ino_t	 ino;
};

/*
 * The one text libconfuse parses: each include line is blanked and the
 * files it names follow it, each from a new line. Lines of the text are
 * what the marks and libconfuse count; config_text_at() turns one back
 * into the file and line it was written on.
 */
struct config_text {
	char			*buf;		/* NUL-terminated once used */
	size_t			 len;
	size_t			 cap;
	int			 newlines;	/* in buf, on line newlines + 1 */
	size_t			 read;		/* bytes of every file read */
	int			 includes;	/* include lines followed */
	struct config_seg	*segs;
	size_t			 nsegs;
	char			**files;	/* each file read, as named */
	size_t			 nfiles;
	struct config_open	 open[CONFIG_TEXT_DEPTH];
	int			 depth;
	char			*err;
	size_t			 errlen;
};

/*
 * Read path, named by the include on `line` of the text (0: the top file),
 * into a new NUL-terminated *text the caller frees; from here the text goes
 * on with this file. A file open already (a loop), too deep, too large or
 * unreadable is an error naming that line; -1.
 */
int		 config_text_open(struct config_text *, const char *path,
		    int line, char **text);

/* The file opened last is done: the text goes on from a new line. */
int		 config_text_close(struct config_text *);

/* Append n bytes of the current file; blank: as spaces (newlines kept). */
int		 config_text_add(struct config_text *, const char *s, size_t n,
		    int blank);

/* The current file goes on at its line fline after an include; *shift is
 * what to add to its lines from there to get lines of the text. 0 or -1. */
int		 config_text_resume(struct config_text *, int fline,
		    int *shift);

/*
 * The path pattern of an include's value token tok (quoted, as libconfuse
 * reads a string), relative to the directory of the current file, into
 * pat: 1 when it has wildcards (for config_text_glob), 0 when it names one
 * file, -1 on error, blaming `line` (the last include one may follow, too).
 */
int		 config_text_pattern(struct config_text *, const char *tok,
		    size_t len, int line, char *pat, size_t patlen);

/* The files pat matches, sorted (none is fine); an unreadable directory is
 * an error blaming `line`. globfree() g after 0. */
int		 config_text_glob(struct config_text *, const char *pat,
		    int line, glob_t *g);

/* "FILE:LINE" of a line of the text, into buf; buf. */
const char	*config_text_at(const struct config_text *, int line, char *buf,
		    size_t len);

/* The file a line of the text came from, and its line there in *fline. */
const char	*config_text_where(const struct config_text *, int line,
		    int *fline);

/* Put "FILE:LINE: message" for a line of the text in err; -1. */
int		 config_text_fail(struct config_text *, int line,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Release what the text holds. */
void		 config_text_free(struct config_text *);

#endif
