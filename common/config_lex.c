/* config_lex: where each key and value of tine.conf was written (libconfuse forgets line numbers). */
#include "tine_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_lex.h"

#define CONFIG_KEY_MAX		300	/* a key, or a section title (a host name) */
#define CONFIG_LABEL_MAX	1024	/* the section path before a key */
#define CONFIG_DEPTH_MAX	4	/* vhost { location { } } and room */

/* The tokens of libconfuse's grammar that config_lex_scan() needs to see. */
enum config_tok {
	CONFIG_TOK_END,
	CONFIG_TOK_STR,
	CONFIG_TOK_SET,		/* = */
	CONFIG_TOK_ADD,		/* += */
	CONFIG_TOK_OPEN,	/* { */
	CONFIG_TOK_CLOSE,	/* } */
	CONFIG_TOK_OTHER	/* , ( ) and characters libconfuse skips */
};

/* A cursor over the config text that cuts it as libconfuse's lexer does. */
struct config_lex {
	char		*p;
	int		 line;
	int		 tokline;
	char		 text[CONFIG_KEY_MAX];	/* a STR token, cut short */
	size_t		 len;
	int		 open_quote;	/* line of a quote never closed, or 0 */
};

/* Where a scan is between tokens, and where it reports its errors. */
struct config_scan {
	const char		*file;
	char			*err;
	size_t			 errlen;
	struct config_marks	*ms;
	struct config_mark	*m;		/* the key being set */
	enum { KEY, OP, VALUE, LIST, TITLE } state;
	char			 key[CONFIG_KEY_MAX];	/* the last key token */
	int			 keyline;		/* and its line */
	char			 prefix[CONFIG_LABEL_MAX]; /* sections around it */
	size_t			 outer[CONFIG_DEPTH_MAX]; /* prefix length before each */
	int			 depth;
	char			 title[CONFIG_KEY_MAX];
};

/* The error for a failed allocation; -1 for chaining. */
static int
config_lex_oom(struct config_scan *sc)
{
	snprintf(sc->err, sc->errlen, "out of memory");
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
	if (m->setline != 0) {
		snprintf(sc->err, sc->errlen, "%s:%d: %s: set twice (first "
		    "on line %d); keep one", sc->file, m->keyline, m->key,
		    m->setline);
		return -1;
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

	if (sc->depth == CONFIG_DEPTH_MAX)
		return 0;	/* libconfuse refuses such nesting itself */
	sc->outer[sc->depth++] = len;
	n = title != NULL ? snprintf(sc->prefix + len, sizeof(sc->prefix) - len,
	    "%s \"%s\" ", sc->key, title) : snprintf(sc->prefix + len,
	    sizeof(sc->prefix) - len, "%s ", sc->key);
	if (n < 0 || (size_t)n >= sizeof(sc->prefix) - len) {
		snprintf(sc->err, sc->errlen, "%s: sections nested too deep "
		    "or titles too long", sc->file);
		return -1;
	}
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
 * Follow one token of the grammar libconfuse reads: key (= | +=) (value |
 * { values }), or a section key ["title"] { ... } holding more of them.
 */
static int
config_scan_token(struct config_scan *sc, enum config_tok t,
    struct config_lex *lx)
{
	if (t == CONFIG_TOK_STR && (sc->state == VALUE || sc->state == LIST)) {
		if (config_mark_value(sc->m, lx->tokline) == -1)
			return config_lex_oom(sc);
		if (sc->state == VALUE)
			sc->state = KEY;
	} else if (t == CONFIG_TOK_STR && sc->state == OP) {
		strlcpy(sc->title, lx->text, sizeof(sc->title));
		sc->state = TITLE;
	} else if (t == CONFIG_TOK_STR)
		return config_scan_key(sc, lx->text, lx->tokline);
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
	    sc->depth > 0)
		sc->prefix[sc->outer[--sc->depth]] = '\0';
	else if (t == CONFIG_TOK_CLOSE)
		sc->state = KEY;
	return 0;
}

/*
 * Note the line of every key and value, and blank out the comments. The
 * marks only matter once libconfuse has accepted the text, so the grammar
 * followed is only as strict as config_scan_token() says. A key inside a
 * section is marked as its path: 'vhost "a.com" document_root'.
 */
int
config_lex_scan(char *text, const char *file, struct config_marks *ms,
    char *err, size_t errlen)
{
	struct config_scan	 sc;
	struct config_lex	 lx = { .p = text, .line = 1 };
	enum config_tok		 t;

	memset(&sc, 0, sizeof(sc));
	sc.file = file;
	sc.err = err;
	sc.errlen = errlen;
	sc.ms = ms;
	sc.state = KEY;
	while ((t = config_lex_next(&lx)) != CONFIG_TOK_END) {
		if (lx.open_quote != 0)
			break;
		if (config_scan_token(&sc, t, &lx) == -1)
			return -1;
	}
	/* libconfuse would blame the end of the file, not the quote. */
	if (lx.open_quote != 0) {
		snprintf(err, errlen, "%s:%d: unterminated string "
		    "(no closing quote)", file, lx.open_quote);
		return -1;
	}
	return 0;
}
