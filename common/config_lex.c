/* config_lex: where each key and value of tine.conf was written (libconfuse forgets line numbers). */
#include "tine_build.h"

#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_lex.h"
#include "config_text.h"

#define CONFIG_KEY_MAX		300	/* a key, or a section title (a host name) */
#define CONFIG_LABEL_MAX	1024	/* the section path before a key */
#define CONFIG_DEPTH_MAX	4	/* vhost { location { } } and room */

/* The tokens of libconfuse's grammar that config_lex_load() needs to see. */
enum config_tok {
	CONFIG_TOK_END,
	CONFIG_TOK_STR,
	CONFIG_TOK_SET,		/* = */
	CONFIG_TOK_ADD,		/* += */
	CONFIG_TOK_OPEN,	/* { */
	CONFIG_TOK_CLOSE,	/* } */
	CONFIG_TOK_OTHER	/* , ( ) and characters libconfuse skips */
};

/*
 * A cursor over one file's text that cuts it as libconfuse's lexer does.
 * Its lines are the file's; marks and errors take lines of the config_text,
 * which are shift more once an include has put other files before them.
 */
struct config_lex {
	char		*p;
	int		 line;
	int		 tokline;
	char		*tok;		/* where the last token starts */
	char		 text[CONFIG_KEY_MAX];	/* a STR token, cut short */
	size_t		 len;
	int		 open_quote;	/* line of a quote never closed, or 0 */
	int		 shift;		/* + a line of the file: one of the text */
	char		*copied;	/* what is before it is in config_text */
	char		*incl;		/* the include statement being read */
	int		 base;		/* sections open where the file starts */
	int		 inner;		/* an included file, not tine.conf */
};

/* Where a scan is between tokens, across the files it reads, and where it
 * reports its errors. Lines are lines of the config_text. */
struct config_scan {
	struct config_text	*tx;
	struct config_marks	*ms;
	struct config_mark	*m;		/* the key being set */
	enum { KEY, OP, VALUE, LIST, TITLE, INCL_OP, INCL_VALUE } state;
	char			 key[CONFIG_KEY_MAX];	/* the last key token */
	int			 keyline;		/* and its line */
	char			 prefix[CONFIG_LABEL_MAX]; /* sections around it */
	size_t			 outer[CONFIG_DEPTH_MAX]; /* prefix length before each */
	int			 depth;		/* sections open, past the max too */
	char			 title[CONFIG_KEY_MAX];
};

static int	config_lex_file(struct config_scan *, const char *, int);

/* The error for a failed allocation; -1 for chaining. */
static int
config_lex_oom(struct config_scan *sc)
{
	strlcpy(sc->tx->err, "out of memory", sc->tx->errlen);
	return -1;
}

/* The mark of a key, or NULL if the file never set it. */
struct config_mark *
config_marks_find(struct config_marks *ms, const char *key)
{
	size_t	 i;

	for (i = 0; i < ms->n; i++)
		if (strcmp(ms->v[i].key, key) == 0)
			return &ms->v[i];
	return NULL;
}

/* The mark of a key, made on first use; NULL when out of memory. */
struct config_mark *
config_marks_get(struct config_marks *ms, const char *key)
{
	struct config_mark	*m, *v;

	if ((m = config_marks_find(ms, key)) != NULL)
		return m;
	v = reallocarray(ms->v, ms->n + 1, sizeof *v);
	if (v == NULL)
		return NULL;
	ms->v = v;
	m = &v[ms->n];
	memset(m, 0, sizeof *m);
	if ((m->key = strdup(key)) == NULL)
		return NULL;
	ms->n++;
	return m;
}

/* Note that value number m->nlines was written on `line`. */
int
config_mark_value(struct config_mark *m, int line)
{
	int	*v;

	v = reallocarray(m->lines, m->nlines + 1, sizeof *v);
	if (v == NULL)
		return -1;
	m->lines = v;
	m->lines[m->nlines++] = line;
	return 0;
}

/* Release what the marks hold. */
void
config_marks_free(struct config_marks *ms)
{
	size_t	 i;

	for (i = 0; i < ms->n; i++) {
		free(ms->v[i].key);
		free(ms->v[i].lines);
	}
	free(ms->v);
	ms->v = NULL;
	ms->n = 0;
}

/*
 * Blank out n bytes of comment, keeping the newlines. libconfuse 3.3 counts
 * extra lines for every comment, so it must never see one.
 */
static void
config_lex_blank(struct config_lex *lx, size_t n)
{
	for (; n > 0 && *lx->p != '\0'; n--, lx->p++) {
		if (*lx->p == '\n')
			lx->line++;
		else
			*lx->p = ' ';
	}
}

/* Skip blanks and newlines, and blank out the three kinds of comment. */
static void
config_lex_space(struct config_lex *lx)
{
	char	*end;

	for (;;) {
		if (*lx->p == '\n')
			lx->line++;
		if (*lx->p != '\0' && strchr(" \t\r\n", *lx->p) != NULL)
			lx->p++;
		else if (*lx->p == '#' || (lx->p[0] == '/' && lx->p[1] == '/'))
			config_lex_blank(lx, strcspn(lx->p, "\n"));
		else if (lx->p[0] == '/' && lx->p[1] == '*') {
			end = strstr(lx->p + 2, "*/");
			config_lex_blank(lx, end != NULL ?
			    (size_t)(end + 2 - lx->p) : strlen(lx->p));
		} else
			return;
	}
}

/* Move past one character of a STR token, keeping it if there is room. */
static void
config_lex_take(struct config_lex *lx)
{
	if (*lx->p == '\n')
		lx->line++;
	if (lx->len + 1 < sizeof lx->text) {
		lx->text[lx->len++] = *lx->p;
		lx->text[lx->len] = '\0';
	}
	lx->p++;
}

/* A quoted string; escapes are kept raw, only their extent matters. */
static void
config_lex_quoted(struct config_lex *lx)
{
	char	 quote = *lx->p++;
	int	 line = lx->line;

	while (*lx->p != '\0' && *lx->p != quote) {
		if (*lx->p == '\\' && lx->p[1] != '\0')
			config_lex_take(lx);
		config_lex_take(lx);
	}
	if (*lx->p != '\0')
		lx->p++;
	else if (lx->open_quote == 0)
		lx->open_quote = line;
}

/* An unquoted string, or a ${VARIABLE} that libconfuse substitutes. */
static void
config_lex_word(struct config_lex *lx)
{
	if (lx->p[0] == '$' && lx->p[1] == '{') {
		while (*lx->p != '\0' && *lx->p != '}')
			config_lex_take(lx);
		if (*lx->p != '\0')
			config_lex_take(lx);
		return;
	}
	while (*lx->p != '\0' && strchr(" \t\r\n#\"'={}()+,*", *lx->p) == NULL)
		config_lex_take(lx);
}

/* The next token, with its first line in lx->tokline. */
static enum config_tok
config_lex_next(struct config_lex *lx)
{
	config_lex_space(lx);
	lx->tokline = lx->line;
	lx->tok = lx->p;
	lx->len = 0;
	lx->text[0] = '\0';
	switch (*lx->p) {
	case '\0':
		return CONFIG_TOK_END;
	case '=':
		lx->p++;
		return CONFIG_TOK_SET;
	case '{':
		lx->p++;
		return CONFIG_TOK_OPEN;
	case '}':
		lx->p++;
		return CONFIG_TOK_CLOSE;
	case '+':
		if (lx->p[1] != '=') {
			lx->p++;
			return CONFIG_TOK_OTHER;
		}
		lx->p += 2;
		return CONFIG_TOK_ADD;
	case ',': case '(': case ')': case '*':
		lx->p++;
		return CONFIG_TOK_OTHER;
	case '"': case '\'':
		config_lex_quoted(lx);
		return CONFIG_TOK_STR;
	}
	config_lex_word(lx);
	return CONFIG_TOK_STR;
}

/*
 * A "key =" assignment: a second one for the same key is an error naming
 * both lines (libconfuse would silently keep the last); "+=" appends.
 */
static int
config_scan_set(struct config_scan *sc, struct config_mark *m)
{
	const char	*first, *now;
	int		 firstline, nowline;

	if (m->setline != 0) {
		first = config_text_where(sc->tx, m->setline, &firstline);
		now = config_text_where(sc->tx, m->keyline, &nowline);
		return config_text_fail(sc->tx, m->keyline, "%s: set twice "
		    "(first on line %d%s%s); keep one", m->key, firstline,
		    strcmp(first, now) != 0 ? " of " : "",
		    strcmp(first, now) != 0 ? first : "");
	}
	m->setline = m->keyline;
	m->nlines = 0;
	return 0;
}

/* Enter a section: its name (and title) go before the keys inside it. */
static int
config_scan_push(struct config_scan *sc, const char *title)
{
	size_t	len = strlen(sc->prefix);
	int	n;

	if (sc->depth++ >= CONFIG_DEPTH_MAX)
		return 0;	/* libconfuse refuses such nesting itself */
	sc->outer[sc->depth - 1] = len;
	n = title != NULL ? snprintf(sc->prefix + len, sizeof(sc->prefix) - len,
	    "%s \"%s\" ", sc->key, title) : snprintf(sc->prefix + len,
	    sizeof(sc->prefix) - len, "%s ", sc->key);
	if (n < 0 || (size_t)n >= sizeof(sc->prefix) - len)
		return config_text_fail(sc->tx, sc->keyline, "sections nested "
		    "too deep or titles too long");
	/* The section itself, without the blank: 'vhost "a.com"'. */
	sc->prefix[len + (size_t)n - 1] = '\0';
	sc->m = config_marks_get(sc->ms, sc->prefix);
	sc->prefix[len + (size_t)n - 1] = ' ';
	if (sc->m == NULL)
		return config_lex_oom(sc);
	sc->m->keyline = sc->keyline;
	return 0;
}

/* A key token: note its line under the sections around it. */
static int
config_scan_key(struct config_scan *sc, const char *key, int line)
{
	char	label[CONFIG_LABEL_MAX + CONFIG_KEY_MAX];

	strlcpy(sc->key, key, sizeof(sc->key));
	sc->keyline = line;
	snprintf(label, sizeof(label), "%s%s", sc->prefix, key);
	if ((sc->m = config_marks_get(sc->ms, label)) == NULL)
		return config_lex_oom(sc);
	sc->m->keyline = line;
	sc->state = OP;
	return 0;
}

/*
 * An include statement is read: put the file's text before it into the
 * config_text, the statement itself blanked, then each file it names, and
 * go on with this file's lines after them.
 */
static int
config_lex_include(struct config_scan *sc, struct config_lex *lx)
{
	struct config_text	*tx = sc->tx;
	char			 pat[PATH_MAX];
	glob_t			 g;
	size_t			 i;
	int			 wild, r;

	if (config_text_add(tx, lx->copied, (size_t)(lx->incl - lx->copied),
	    0) == -1 || config_text_add(tx, lx->incl, (size_t)(lx->p -
	    lx->incl), 1) == -1 || config_text_add(tx, "\n", 1, 0) == -1)
		return -1;
	if ((wild = config_text_pattern(tx, lx->tok, (size_t)(lx->p - lx->tok),
	    sc->keyline, pat, sizeof(pat))) == -1)
		return -1;
	if (!wild)
		r = config_lex_file(sc, pat, sc->keyline);
	else if ((r = config_text_glob(tx, pat, sc->keyline, &g)) == 0) {
		for (i = 0; r == 0 && i < g.gl_pathc; i++)
			r = config_lex_file(sc, g.gl_pathv[i], sc->keyline);
		globfree(&g);
	}
	if (r == -1 || config_text_resume(tx, lx->line, &lx->shift) == -1)
		return -1;
	lx->copied = lx->p;
	return 0;
}

/* The rest of an include statement: "=", then a quoted file or glob. */
static int
config_scan_include(struct config_scan *sc, enum config_tok t,
    struct config_lex *lx)
{
	if (sc->state == INCL_OP && t == CONFIG_TOK_SET) {
		sc->state = INCL_VALUE;
		return 0;
	}
	if (sc->state == INCL_OP || t != CONFIG_TOK_STR ||
	    (*lx->tok != '"' && *lx->tok != '\''))
		return config_text_fail(sc->tx, sc->keyline, "include: must be "
		    "include = \"FILE\" or \"PATTERN\", quoted");
	sc->state = KEY;
	return config_lex_include(sc, lx);
}

/* Leave a section; an included file closes only those it opened. */
static int
config_scan_pop(struct config_scan *sc, struct config_lex *lx)
{
	if (lx->inner && sc->depth == lx->base)
		return config_text_fail(sc->tx, lx->tokline + lx->shift, "'}' "
		    "closes a section this file did not open");
	if (sc->depth-- <= CONFIG_DEPTH_MAX)
		sc->prefix[sc->outer[sc->depth]] = '\0';
	return 0;
}

/*
 * Follow one token of the grammar libconfuse reads: key (= | +=) (value |
 * { values }), or a section key ["title"] { ... } holding more of them, or
 * include = "GLOB", which libconfuse never sees.
 */
static int
config_scan_token(struct config_scan *sc, enum config_tok t,
    struct config_lex *lx)
{
	int	line = lx->tokline + lx->shift;

	if (sc->state == INCL_OP || sc->state == INCL_VALUE)
		return config_scan_include(sc, t, lx);
	if (t == CONFIG_TOK_STR && (sc->state == VALUE || sc->state == LIST)) {
		if (config_mark_value(sc->m, line) == -1)
			return config_lex_oom(sc);
		if (sc->state == VALUE)
			sc->state = KEY;
	} else if (t == CONFIG_TOK_STR && sc->state == OP) {
		strlcpy(sc->title, lx->text, sizeof(sc->title));
		sc->state = TITLE;
	} else if (t == CONFIG_TOK_STR && strcmp(lx->text, "include") == 0) {
		lx->incl = lx->tok;
		sc->keyline = line;
		sc->state = INCL_OP;
	} else if (t == CONFIG_TOK_STR)
		return config_scan_key(sc, lx->text, line);
	else if (sc->state == OP && (t == CONFIG_TOK_SET ||
	    t == CONFIG_TOK_ADD)) {
		if (t == CONFIG_TOK_SET && config_scan_set(sc, sc->m) == -1)
			return -1;
		sc->state = VALUE;
	} else if (t == CONFIG_TOK_OPEN && sc->state == VALUE)
		sc->state = LIST;
	else if (t == CONFIG_TOK_OPEN && (sc->state == OP ||
	    sc->state == TITLE)) {
		if (config_scan_push(sc, sc->state == TITLE ? sc->title :
		    NULL) == -1)
			return -1;
		sc->state = KEY;
	} else if (t == CONFIG_TOK_CLOSE && sc->state == KEY &&
	    (sc->depth > 0 || lx->inner))
		return config_scan_pop(sc, lx);
	else if (t == CONFIG_TOK_CLOSE)
		sc->state = KEY;
	return 0;
}

/*
 * An included file is pasted where it is named, so it must be whole: no
 * setting cut off at its end, no section left open.
 */
static int
config_lex_whole(struct config_scan *sc, struct config_lex *lx)
{
	struct config_mark	*m;
	size_t			 n;

	if (sc->state != KEY)
		return config_text_fail(sc->tx, sc->keyline, "%s%s: the file "
		    "ends inside it", sc->prefix, sc->state == INCL_OP ||
		    sc->state == INCL_VALUE ? "include" : sc->key);
	if (sc->depth == lx->base)
		return 0;
	/* The innermost open section, without the blank after it. */
	if ((n = strlen(sc->prefix)) > 0)
		sc->prefix[n - 1] = '\0';
	m = config_marks_find(sc->ms, sc->prefix);
	return config_text_fail(sc->tx, m != NULL ? m->keyline : lx->line +
	    lx->shift, "%s: not closed ('}' missing) at the end of the file",
	    sc->prefix);
}

/* Follow every token of one file; the marks only matter once libconfuse
 * has accepted the text, so the grammar followed is only as strict as
 * config_scan_token() says. */
static int
config_lex_run(struct config_scan *sc, struct config_lex *lx)
{
	enum config_tok	t;

	while ((t = config_lex_next(lx)) != CONFIG_TOK_END) {
		if (lx->open_quote != 0)
			break;
		if (config_scan_token(sc, t, lx) == -1)
			return -1;
	}
	/* libconfuse would blame the end of the file, not the quote. */
	if (lx->open_quote != 0)
		return config_text_fail(sc->tx, lx->open_quote + lx->shift,
		    "unterminated string (no closing quote)");
	return lx->inner ? config_lex_whole(sc, lx) : 0;
}

/* Scan one file into the config_text; `line` names it (0: tine.conf). */
static int
config_lex_file(struct config_scan *sc, const char *path, int line)
{
	struct config_lex	 lx;
	char			*text;
	int			 r;

	if (config_text_open(sc->tx, path, line, &text) == -1)
		return -1;
	memset(&lx, 0, sizeof(lx));
	lx.p = lx.copied = text;
	lx.line = 1;
	lx.shift = sc->tx->newlines;	/* the file starts on a new line */
	lx.base = sc->depth;
	lx.inner = line != 0;
	r = config_lex_run(sc, &lx);
	if (r == 0)
		r = config_text_add(sc->tx, lx.copied, strlen(lx.copied), 0);
	free(text);
	if (r == 0)
		r = config_text_close(sc->tx);
	return r;
}

/*
 * Read file and what it includes into tx, noting the line of every key and
 * value and blanking out the comments (see config_lex.h). A key inside a
 * section is marked as its path: 'vhost "a.com" document_root'.
 */
int
config_lex_load(const char *file, struct config_text *tx,
    struct config_marks *ms, char *err, size_t errlen)
{
	struct config_scan	 sc;

	memset(&sc, 0, sizeof(sc));
	tx->err = err;
	tx->errlen = errlen;
	sc.tx = tx;
	sc.ms = ms;
	sc.state = KEY;
	return config_lex_file(&sc, file, 0);
}
