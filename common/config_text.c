/*
 * config_text: tine.conf with its includes expanded, and where each line
 * came from. libconfuse parses one text; the marks and its errors count
 * lines of that text, so every error is turned back into the file and line
 * it was written on here.
 */
#include "tine_build.h"

#include <sys/stat.h>

#include <confuse.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_text.h"

#define CONFIG_FILE_MAX		(1024 * 1024)	/* a real one is a few KB */
#define CONFIG_TEXT_MAX		(8 * CONFIG_FILE_MAX)	/* all files read */
#define CONFIG_AT_MAX		(PATH_MAX + 16)

/* The error for a failed allocation; -1 for chaining. */
static int
config_text_oom(struct config_text *tx)
{
	strlcpy(tx->err, "out of memory", tx->errlen);
	return -1;
}

/* The file a line of the text came from, and its line there. */
const char *
config_text_where(const struct config_text *tx, int line, int *fline)
{
	const struct config_seg	*s;
	size_t			 i = tx->nsegs;

	/* The last run starting at or before line holds it. */
	while (i > 0 && tx->segs[i - 1].line > line)
		i--;
	if (i == 0) {
		*fline = line;
		return "(no file)";
	}
	s = &tx->segs[i - 1];
	*fline = s->fline + (line - s->line);
	return tx->files[s->file];
}

/* "FILE:LINE" of a line of the text, into buf; buf. */
const char *
config_text_at(const struct config_text *tx, int line, char *buf, size_t len)
{
	const char	*file;
	int		 fline;

	file = config_text_where(tx, line, &fline);
	snprintf(buf, len, "%s:%d", file, fline);
	return buf;
}

/* Put "FILE:LINE: message" for a line of the text in err; -1. */
int __attribute__((format(printf, 3, 4)))
config_text_fail(struct config_text *tx, int line, const char *fmt, ...)
{
	char	 at[CONFIG_AT_MAX], msg[CONFIG_ERR_MAX];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(tx->err, tx->errlen, "%s: %s",
	    config_text_at(tx, line, at, sizeof(at)), msg);
	return -1;
}

/* Lines of the current file from here on are its lines from fline on. */
static int
config_text_seg(struct config_text *tx, int fline)
{
	struct config_seg	*v;

	v = reallocarray(tx->segs, tx->nsegs + 1, sizeof(*v));
	if (v == NULL)
		return config_text_oom(tx);
	tx->segs = v;
	v[tx->nsegs].line = tx->newlines + 1;
	v[tx->nsegs].fline = fline;
	v[tx->nsegs].file = tx->open[tx->depth - 1].file;
	tx->nsegs++;
	return 0;
}

/* Say why path cannot be read: after its name for tine.conf, after the
 * place of the include for the others; -1. */
static int
config_text_unreadable(struct config_text *tx, const char *path, int line,
    int fd, const char *why)
{
	if (fd != -1)
		close(fd);
	if (line == 0) {
		snprintf(tx->err, tx->errlen, "%s: %s", path, why);
		return -1;
	}
	return config_text_fail(tx, line, "include: %s: %s", path, why);
}

/* Read size bytes from fd into a new NUL-terminated *text; NULL, or why not
 * (then *text is NULL). */
static const char *
config_text_slurp(int fd, size_t size, char **text)
{
	const char	*why = NULL;
	ssize_t		 r;
	size_t		 len = 0;

	if ((*text = malloc(size + 1)) == NULL)
		return "out of memory";
	while (len < size && (r = read(fd, *text + len, size - len)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			why = strerror(errno);
			break;
		}
		len += (size_t)r;
	}
	(*text)[len] = '\0';
	if (why == NULL && strlen(*text) != len)
		why = "contains a NUL byte";
	if (why != NULL) {
		free(*text);
		*text = NULL;
	}
	return why;
}

/* Make the file just read the current one: named, its lines start here. */
static int
config_text_push(struct config_text *tx, const char *path,
    const struct stat *st)
{
	char	**v;

	v = reallocarray(tx->files, tx->nfiles + 1, sizeof(*v));
	if (v == NULL)
		return config_text_oom(tx);
	tx->files = v;
	if ((v[tx->nfiles] = strdup(path)) == NULL)
		return config_text_oom(tx);
	tx->open[tx->depth].file = tx->nfiles++;
	tx->open[tx->depth].dev = st->st_dev;
	tx->open[tx->depth].ino = st->st_ino;
	tx->depth++;
	tx->read += (size_t)st->st_size;
	return config_text_seg(tx, 1);
}

/* Read a file into *text and make it the current one (see config_text.h). */
int
config_text_open(struct config_text *tx, const char *path, int line,
    char **text)
{
	struct stat	 st;
	const char	*why;
	int		 fd, i;

	*text = NULL;
	if (tx->depth == CONFIG_TEXT_DEPTH)
		return config_text_fail(tx, line, "include: %s: files nested "
		    "deeper than %d", path, CONFIG_TEXT_DEPTH);
	/* Empty files add no size but cost an open(2) each. */
	if (tx->nfiles == CONFIG_TEXT_FILES)
		return config_text_fail(tx, line, "include: %s: more than %d "
		    "files read in all", path, CONFIG_TEXT_FILES);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1)
		return config_text_unreadable(tx, path, line, fd,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return config_text_unreadable(tx, path, line, fd,
		    "not a regular file");
	for (i = 0; i < tx->depth; i++)
		if (tx->open[i].dev == st.st_dev &&
		    tx->open[i].ino == st.st_ino)
			return config_text_unreadable(tx, path, line, fd,
			    "an include loop (the file is being read already)");
	if (st.st_size > CONFIG_FILE_MAX)
		return config_text_unreadable(tx, path, line, fd,
		    "larger than 1 MB");
	if (tx->read + (size_t)st.st_size > CONFIG_TEXT_MAX)
		return config_text_unreadable(tx, path, line, fd,
		    "the files included come to more than 8 MB");
	if ((why = config_text_slurp(fd, (size_t)st.st_size, text)) != NULL)
		return config_text_unreadable(tx, path, line, fd, why);
	close(fd);
	if (config_text_push(tx, path, &st) == -1) {
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

/* The current file is done; after an included one, a new line. */
int
config_text_close(struct config_text *tx)
{
	if (--tx->depth == 0)
		return 0;
	return config_text_add(tx, "\n", 1, 0);
}

/* Append n bytes of the current file; blank: as spaces, newlines kept. */
int
config_text_add(struct config_text *tx, const char *s, size_t n, int blank)
{
	size_t	 cap, i;
	char	*b;

	if (tx->len + n + 1 > tx->cap) {
		cap = tx->cap == 0 ? 4096 : tx->cap;
		while (cap < tx->len + n + 1)
			cap *= 2;
		if ((b = realloc(tx->buf, cap)) == NULL)
			return config_text_oom(tx);
		tx->buf = b;
		tx->cap = cap;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			tx->newlines++;
		tx->buf[tx->len++] = blank && s[i] != '\n' ? ' ' : s[i];
	}
	tx->buf[tx->len] = '\0';
	return 0;
}

/* The current file goes on at its line fline (see config_text.h). */
int
config_text_resume(struct config_text *tx, int fline, int *shift)
{
	if (config_text_seg(tx, fline) == -1)
		return -1;
	*shift = tx->newlines + 1 - fline;
	return 0;
}

/* libconfuse's complaint about an include's value: checked here instead. */
static void __attribute__((format(printf, 2, 0)))
config_text_quiet(cfg_t *cfg, const char *fmt, va_list ap)
{
	(void)cfg;
	(void)fmt;
	(void)ap;
}

/* An include's quoted value as libconfuse reads any string (its escapes,
 * ${NAME}), so that it means what the same string means elsewhere. */
static int
config_text_unquote(struct config_text *tx, const char *tok, size_t len,
    int line, char *out, size_t outlen)
{
	cfg_opt_t	 opts[] = { CFG_STR("v", NULL, CFGF_NONE), CFG_END() };
	cfg_t		*cfg;
	char		*src;
	const char	*v;
	int		 r = 0;

	if (len > INT_MAX || asprintf(&src, "v = %.*s", (int)len, tok) == -1)
		return config_text_oom(tx);
	if ((cfg = cfg_init(opts, CFGF_NONE)) == NULL) {
		free(src);
		return config_text_oom(tx);
	}
	cfg_set_error_function(cfg, config_text_quiet);
	if (cfg_parse_buf(cfg, src) != CFG_SUCCESS ||
	    (v = cfg_getstr(cfg, "v")) == NULL)
		r = config_text_fail(tx, line, "include: cannot read its "
		    "value");
	else if (*v == '\0')
		r = config_text_fail(tx, line, "include: must not be empty");
	else if (strlcpy(out, v, outlen) >= outlen)
		r = config_text_fail(tx, line, "include: path too long");
	cfg_free(cfg);
	free(src);
	return r;
}

/* The directory part dir[0..n) into out, wildcards escaped for glob(3)
 * when escape; its length, or outlen when it does not fit. */
static size_t
config_text_dir(const char *dir, size_t n, int escape, char *out,
    size_t outlen)
{
	size_t	i, k = 0;

	for (i = 0; i < n && k + 2 < outlen; i++) {
		if (escape && strchr("*?[\\", dir[i]) != NULL)
			out[k++] = '\\';
		out[k++] = dir[i];
	}
	if (i < n)
		return outlen;
	out[k] = '\0';
	return k;
}

/* An include's path, relative to the current file (see config_text.h). */
int
config_text_pattern(struct config_text *tx, const char *tok, size_t len,
    int line, char *pat, size_t patlen)
{
	char		 want[PATH_MAX];
	const char	*cur, *slash;
	size_t		 n = 0;
	int		 wild;

	/* Each costs a glob(3) or an open(2), however small its files. */
	if (++tx->includes > CONFIG_TEXT_INCLUDES)
		return config_text_fail(tx, line, "include: more than %d "
		    "include lines followed in all", CONFIG_TEXT_INCLUDES);
	if (config_text_unquote(tx, tok, len, line, want, sizeof(want)) == -1)
		return -1;
	wild = strpbrk(want, "*?[") != NULL;
	cur = tx->files[tx->open[tx->depth - 1].file];
	pat[0] = '\0';
	if (want[0] != '/' && (slash = strrchr(cur, '/')) != NULL)
		n = config_text_dir(cur, (size_t)(slash - cur) + 1, wild, pat,
		    patlen);
	if (n >= patlen || strlcpy(pat + n, want, patlen - n) >= patlen - n)
		return config_text_fail(tx, line, "include: path too long");
	return wild;
}

/* glob(3) could not open a directory: a missing one only matches nothing,
 * any other failure (no permission) stops the glob. */
static int
config_text_globerr(const char *path, int err)
{
	(void)path;
	return err != ENOENT && err != ENOTDIR;
}

/* The files a pattern matches, sorted (see config_text.h). */
int
config_text_glob(struct config_text *tx, const char *pat, int line,
    glob_t *g)
{
	int	r;

	memset(g, 0, sizeof(*g));
	if ((r = glob(pat, 0, config_text_globerr, g)) == 0)
		return 0;
	globfree(g);
	memset(g, 0, sizeof(*g));
	if (r == GLOB_NOMATCH)
		return 0;
	if (r == GLOB_NOSPACE)
		return config_text_oom(tx);
	return config_text_fail(tx, line, "include: %s: a directory it "
	    "names cannot be read", pat);
}

/* Release what the text holds. */
void
config_text_free(struct config_text *tx)
{
	size_t	i;

	for (i = 0; i < tx->nfiles; i++)
		free(tx->files[i]);
	free(tx->files);
	free(tx->segs);
	free(tx->buf);
	memset(tx, 0, sizeof(*tx));
}
