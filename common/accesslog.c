/* accesslog: compile an access_log_format once, then format request lines. */
#include "tine_build.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "accesslog.h"
#include "date.h"
#include "http.h"

/* Literals sit between directives, so a format has at most this many ops. */
#define ALOG_MAX_OPS	(2 * ALOG_MAX_DIRECTIVES + 1)
#define ALOG_VALBUF	80	/* the longest number or time an op writes */
#define ALOG_UNIT_MAX	6	/* the longest escape of one unit: \u00xx */
#define ALOG_ERR_SHOW	40	/* bytes of a bad directive in an error */

static const char alog_combined[] = "%h %l %u %t \"%r\" %>s %b "
    "\"%{Referer}i\" \"%{User-Agent}i\"";
static const char alog_common[] = "%h %l %u %t \"%r\" %>s %b";
/* Compiled in the JSON style, where each directive writes a JSON value. */
static const char alog_json[] = "{\"time\":%t,\"remote_addr\":%h,"
    "\"request\":%r,\"method\":%m,\"uri\":%U,\"query\":%q,\"protocol\":%H,"
    "\"status\":%>s,\"body_bytes\":%B,\"connection_status\":%X,"
    "\"referer\":%{Referer}i,"
    "\"user_agent\":%{User-Agent}i,\"host\":%v,\"duration_us\":%D,"
    "\"pid\":%P,\"tls_protocol\":%{ssl_protocol}x,"
    "\"tls_cipher\":%{ssl_cipher}x}";

static const char alog_hex[] = "0123456789abcdef";
/* The bytes written as they are: printable ASCII but '"' and '\\'. */
static const unsigned char alog_plain[256] = {
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1
};
enum alog_style {
	ALOG_TEXT,		/* Apache: escaped bytes, "-" when absent */
	ALOG_JSON		/* JSON values: strings or null, and numbers */
};

enum alog_kind {
	ALOG_LIT,
	ALOG_DASH,		/* %l: never known */
	ALOG_USER,		/* %u: only when Basic auth let it in */
	ALOG_CLIENT,
	ALOG_PEER,		/* %{c}a: the socket's peer, a proxy */
	ALOG_TIME,
	ALOG_REQUEST,
	ALOG_STATUS,
	ALOG_BYTES_CLF,		/* %b: "-" for none */
	ALOG_BYTES,
	ALOG_USEC,
	ALOG_MSEC,
	ALOG_SEC,
	ALOG_METHOD,
	ALOG_PATH,
	ALOG_QUERY,
	ALOG_PROTOCOL,
	ALOG_VHOST,
	ALOG_PORT,
	ALOG_PID,
	ALOG_REQ_HEADER,
	ALOG_RESP_HEADER,
	ALOG_VAR,		/* %{name}x before its name is known */
	ALOG_TLS_PROTOCOL,
	ALOG_TLS_CIPHER,
	ALOG_CONN_STATUS	/* %X: Apache's X + - */
};

/* One step of a compiled format; off/len name its text in alog.text. */
struct alog_op {
	enum alog_kind	 kind;
	size_t		 off;
	size_t		 len;
};

struct alog {
	enum alog_style	 style;
	size_t		 nops;
	size_t		 textlen;
	struct alog_op	 ops[ALOG_MAX_OPS];
	char		 text[];	/* literals; header names NUL-ended */
};

/*
 * What one op writes: pre and post are whole (a literal, a number, quotes),
 * body is request data escaped on the way out and the only part that may be
 * cut when the line is too long.
 */
struct alog_val {
	const char	*pre;
	size_t		 prelen;
	const char	*body;		/* NULL: none */
	size_t		 bodylen;
	const char	*post;
	size_t		 postlen;
	char		 buf[ALOG_VALBUF];
};

/* The line being written; cap leaves room for the final '\n'. */
struct alog_out {
	char	*buf;
	size_t	 cap;
	size_t	 pos;
};

/* One directive letter and the op it makes. */
struct alog_letter {
	char		 ch;
	enum alog_kind	 kind;
};

static const struct alog_letter alog_letters[] = {
	{ 'h', ALOG_CLIENT }, { 'a', ALOG_CLIENT }, { 'l', ALOG_DASH },
	{ 'u', ALOG_USER }, { 't', ALOG_TIME }, { 'r', ALOG_REQUEST },
	{ 's', ALOG_STATUS }, { 'b', ALOG_BYTES_CLF }, { 'B', ALOG_BYTES },
	{ 'D', ALOG_USEC }, { 'T', ALOG_SEC }, { 'm', ALOG_METHOD },
	{ 'U', ALOG_PATH }, { 'q', ALOG_QUERY }, { 'H', ALOG_PROTOCOL },
	{ 'v', ALOG_VHOST }, { 'p', ALOG_PORT }, { 'P', ALOG_PID },
	{ 'i', ALOG_REQ_HEADER }, { 'o', ALOG_RESP_HEADER },
	{ 'x', ALOG_VAR }, { 'X', ALOG_CONN_STATUS },
};

/* ---- compiling ---- */

/* Append literal bytes, growing the previous literal op when adjacent. */
static int
alog_lit(struct alog *a, const char *s, size_t len)
{
	struct alog_op	*last = a->nops > 0 ? &a->ops[a->nops - 1] : NULL;

	if (last == NULL || last->kind != ALOG_LIT ||
	    last->off + last->len != a->textlen) {
		if (a->nops == ALOG_MAX_OPS)
			return -1;
		last = &a->ops[a->nops++];
		last->kind = ALOG_LIT;
		last->off = a->textlen;
		last->len = 0;
	}
	memcpy(a->text + a->textlen, s, len);
	a->textlen += len;
	last->len += len;
	return 0;
}

/* Add a directive op; its name, if any, is kept NUL-terminated. */
static int
alog_add(struct alog *a, enum alog_kind kind, const char *name, size_t len)
{
	struct alog_op	*op;

	if (a->nops == ALOG_MAX_OPS)
		return -1;
	op = &a->ops[a->nops++];
	op->kind = kind;
	op->off = a->textlen;
	op->len = len;
	if (name != NULL) {
		memcpy(a->text + a->textlen, name, len);
		a->textlen += len;
		a->text[a->textlen++] = '\0';
	}
	return 0;
}

/* Whether c may appear in a header name (RFC 9110 tchar). */
static bool
alog_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

/* The op kind of a directive letter; -1 when there is none. */
static int
alog_letter_kind(char ch)
{
	size_t	i;

	for (i = 0; i < sizeof(alog_letters) / sizeof(alog_letters[0]); i++)
		if (alog_letters[i].ch == ch)
			return (int)alog_letters[i].kind;
	return -1;
}

/* The kind of %{name}T, by unit; -1 for an unknown unit. */
static int
alog_time_unit(const char *name, size_t len)
{
	if (len == 1 && name[0] == 's')
		return ALOG_SEC;
	if (len == 2 && memcmp(name, "ms", 2) == 0)
		return ALOG_MSEC;
	if (len == 2 && memcmp(name, "us", 2) == 0)
		return ALOG_USEC;
	return -1;
}

/* The kind of %{name}x: the TLS variables mod_ssl names so; or -1. */
static int
alog_var(const char *name, size_t len, const char *d, int dlen, char *err,
    size_t errlen)
{
	if (len == 12 && strncasecmp(name, "ssl_protocol", len) == 0)
		return ALOG_TLS_PROTOCOL;
	if (len == 10 && strncasecmp(name, "ssl_cipher", len) == 0)
		return ALOG_TLS_CIPHER;
	snprintf(err, errlen, "unknown variable in directive %.*s (use "
	    "ssl_protocol or ssl_cipher)", dlen, d);
	return -1;
}

/* Check the {name} of a directive and pick the op kind it makes; or -1. */
static int
alog_named(int kind, const char *name, size_t len, const char *d, int dlen,
    char *err, size_t errlen)
{
	size_t	i;

	if (kind == ALOG_VAR)
		return alog_var(name, len, d, dlen, err, errlen);
	/* Apache's %{c}a and %{c}h: the address the connection came from
	 * (a proxy's), where %a and %h show the client behind it. */
	if (kind == ALOG_CLIENT && len == 1 && name[0] == 'c')
		return ALOG_PEER;
	if (kind == ALOG_SEC) {
		if ((kind = alog_time_unit(name, len)) == -1)
			snprintf(err, errlen, "unknown unit in directive %.*s "
			    "(use s, ms or us)", dlen, d);
		return kind;
	}
	if (kind != ALOG_REQ_HEADER && kind != ALOG_RESP_HEADER) {
		snprintf(err, errlen, "unknown directive %.*s", dlen, d);
		return -1;
	}
	if (len == 0) {
		snprintf(err, errlen, "empty name in directive %.*s", dlen, d);
		return -1;
	}
	for (i = 0; i < len; i++)
		if (!alog_tchar((unsigned char)name[i])) {
			snprintf(err, errlen, "invalid header name in "
			    "directive %.*s", dlen, d);
			return -1;
		}
	return kind;
}

/* A directive of kind written without {name} (d, dlen long, ending in
 * letter): -1 with err if that kind needs one. */
static int
alog_unnamed(int kind, const char *d, int dlen, char letter, char *err,
    size_t errlen)
{
	if (kind == ALOG_REQ_HEADER || kind == ALOG_RESP_HEADER) {
		snprintf(err, errlen, "directive %.*s needs a header name, "
		    "e.g. %%{User-Agent}%c", dlen, d, letter);
		return -1;
	}
	if (kind == ALOG_VAR) {
		snprintf(err, errlen, "directive %.*s needs a name, e.g. "
		    "%%{ssl_protocol}x", dlen, d);
		return -1;
	}
	return 0;
}

/* Compile the directive at *pp (its '%'), moving *pp past it; 0 or -1. */
static int
alog_directive(struct alog *a, const char **pp, char *err, size_t errlen)
{
	const char	*d = *pp, *p = d + 1, *name = NULL, *close;
	size_t		 namelen = 0;
	int		 kind, dlen;

	while (*p == '<' || *p == '>')
		p++;
	if (*p == '{') {
		name = p + 1;
		if ((close = strchr(name, '}')) == NULL) {
			snprintf(err, errlen, "malformed directive %.*s (no "
			    "closing })", ALOG_ERR_SHOW, d);
			return -1;
		}
		namelen = (size_t)(close - name);
		p = close + 1;
	}
	dlen = (int)(p - d) + (*p != '\0');
	if (dlen > ALOG_ERR_SHOW)
		dlen = ALOG_ERR_SHOW;
	if (*p == '\0') {
		if (p == d + 1)
			snprintf(err, errlen, "format ends with a lone %%");
		else
			snprintf(err, errlen, "malformed directive %.*s (no "
			    "letter after it)", dlen, d);
		return -1;
	}
	if ((kind = alog_letter_kind(*p)) == -1) {
		snprintf(err, errlen, "unknown directive %.*s", dlen, d);
		return -1;
	}
	if (name != NULL && (kind = alog_named(kind, name, namelen, d, dlen,
	    err, errlen)) == -1)
		return -1;
	if (name == NULL && alog_unnamed(kind, d, dlen, *p, err, errlen) == -1)
		return -1;
	*pp = p + 1;
	if (kind != ALOG_REQ_HEADER && kind != ALOG_RESP_HEADER)
		name = NULL;
	return alog_add(a, (enum alog_kind)kind, name, namelen);
}

/* Reject bytes that would break one line per request; 0 or -1. */
static int
alog_check_bytes(const char *fmt, char *err, size_t errlen)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)fmt; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			snprintf(err, errlen, "control character 0x%02x in "
			    "format", *p);
			return -1;
		}
	return 0;
}

/* Compile fmt into a; 0 or -1 with err set. */
static int
alog_parse(struct alog *a, const char *fmt, char *err, size_t errlen)
{
	const char	*p = fmt;
	size_t		 ndir = 0;

	while (*p != '\0') {
		if (p[0] == '%' && p[1] == '%') {
			if (alog_lit(a, p + 1, 1) == -1)
				break;
			p += 2;
		} else if (p[0] != '%') {
			if (alog_lit(a, p++, 1) == -1)
				break;
		} else if (++ndir > ALOG_MAX_DIRECTIVES) {
			snprintf(err, errlen, "more than %d directives",
			    ALOG_MAX_DIRECTIVES);
			return -1;
		} else if (alog_directive(a, &p, err, errlen) == -1)
			return -1;
	}
	if (*p != '\0') {
		/* Unreachable with the directive cap, kept as a guard. */
		snprintf(err, errlen, "format too complex");
		return -1;
	}
	return 0;
}

/* Compile a format (see accesslog.h); owned by the caller. */
struct alog *
alog_compile(const char *format, char *err, size_t errlen)
{
	enum alog_style	 style = ALOG_TEXT;
	const char	*fmt = format;
	struct alog	*a;

	if (errlen > 0)
		err[0] = '\0';
	if (fmt == NULL || strcmp(fmt, "combined") == 0)
		fmt = alog_combined;
	else if (strcmp(fmt, "common") == 0)
		fmt = alog_common;
	else if (strcmp(fmt, "json") == 0) {
		fmt = alog_json;
		style = ALOG_JSON;
	} else if (*fmt == '\0') {
		snprintf(err, errlen, "empty format");
		return NULL;
	}
	if (alog_check_bytes(fmt, err, errlen) == -1)
		return NULL;
	/* Literals and names never take more bytes than the format. */
	if ((a = calloc(1, sizeof(*a) + strlen(fmt) + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->style = style;
	if (alog_parse(a, fmt, err, errlen) == -1) {
		free(a);
		return NULL;
	}
	return a;
}

/* Release a compiled format. */
void
alog_free(struct alog *a)
{
	free(a);
}

/* Point an entry at what a parsed request names. */
void
alog_entry_request(struct alog_entry *e, const struct http_request *req)
{
	static const struct http_str	 v10 = { "HTTP/1.0", 8 };
	static const struct http_str	 v11 = { "HTTP/1.1", 8 };

	e->req = req;
	e->method = req->method_str;
	e->path = req->path;
	e->query = req->query;
	e->protocol = req->version == 10 ? v10 : v11;
	e->host = req->host;
}

/* ---- values ---- */

/* Decimal digits of v into buf; their count. */
static size_t
alog_u64(char *buf, uint64_t v)
{
	char	tmp[20];
	size_t	n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* An unsigned number as the whole value of v. */
static void
alog_val_u64(struct alog_val *v, uint64_t n)
{
	v->pre = v->buf;
	v->prelen = alog_u64(v->buf, n);
}

/* A signed number as the whole value of v. */
static void
alog_val_int(struct alog_val *v, long long n)
{
	if (n >= 0) {
		alog_val_u64(v, (uint64_t)n);
		return;
	}
	v->buf[0] = '-';
	v->pre = v->buf;
	v->prelen = 1 + alog_u64(v->buf + 1, (uint64_t)0 - (uint64_t)n);
}

/* A fixed string as the whole value of v. */
static void
alog_val_fixed(struct alog_val *v, const char *s, size_t len)
{
	v->pre = s;
	v->prelen = len;
}

/* %X, tine's own word ("X", "+", "-"): whole like a number, never cut,
 * so a cut line still says whether the response was. */
static void
alog_val_conn(const struct alog *a, struct alog_val *v, const char *s)
{
	bool	json = a->style == ALOG_JSON;
	size_t	len;

	if (s == NULL) {
		alog_val_fixed(v, json ? "null" : "-", json ? 4 : 1);
		return;
	}
	len = strnlen(s, sizeof(v->buf) - 2);
	memcpy(v->buf + json, s, len);
	if (json) {
		v->buf[0] = v->buf[len + 1] = '"';
		len += 2;
	}
	alog_val_fixed(v, v->buf, len);
}

/* A request-derived string: escaped, quoted in JSON, "-" or null if absent. */
static void
alog_val_str(const struct alog *a, struct alog_val *v, const char *s,
    size_t len, const char *text_pre)
{
	if (a->style == ALOG_JSON) {
		if (s == NULL)
			alog_val_fixed(v, "null", 4);
		else {
			v->pre = v->post = "\"";
			v->prelen = v->postlen = 1;
		}
	} else if (s == NULL)
		alog_val_fixed(v, text_pre != NULL ? "" : "-",
		    text_pre != NULL ? 0 : 1);
	else if (text_pre != NULL)
		alog_val_fixed(v, text_pre, strlen(text_pre));
	v->body = s;
	v->bodylen = len;
}

/*
 * The start time: [28/Nov/2026:04:37:00 +0000] as Apache writes it, or
 * "2026-11-28T04:37:00+00:00" in JSON (date_format_local() writes both,
 * by hand: snprintf() cost ten times the rest of a combined line).
 */
static void
alog_val_time(const struct alog *a, struct alog_val *v, time_t t)
{
	bool	json = a->style == ALOG_JSON;
	size_t	n;

	v->buf[0] = json ? '"' : '[';
	n = 1 + date_format_local(t, -1, json ? DATE_ISO : DATE_CLF,
	    v->buf + 1);
	v->buf[n++] = json ? '"' : ']';
	v->pre = v->buf;
	v->prelen = n;
}

/* Find a response header in a raw head, case-insensitively; 0 or -1. */
static int
alog_resp_header(const struct http_str *head, const char *name,
    size_t namelen, struct http_str *out)
{
	const char	*p = head->ptr, *end = head->ptr + head->len;
	const char	*eol, *colon, *vs, *ve;

	if (p == NULL)
		return -1;
	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (p == head->ptr)
			continue;	/* the status line */
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon == NULL || (size_t)(colon - p) != namelen ||
		    strncasecmp(p, name, namelen) != 0)
			continue;
		for (vs = colon + 1; vs < eol && (*vs == ' ' || *vs == '\t');
		    vs++)
			;
		for (ve = eol; ve > vs && (ve[-1] == '\r' || ve[-1] == ' ' ||
		    ve[-1] == '\t'); ve--)
			;
		out->ptr = vs;
		out->len = (size_t)(ve - vs);
		return 0;
	}
	return -1;
}

/* A request header's value, or an absent string. */
static struct http_str
alog_req_header(const struct alog_entry *e, const char *name)
{
	const struct http_header	*h;
	struct http_str			 s = { NULL, 0 };

	if (e->req != NULL && (h = http_header_find(e->req, name)) != NULL) {
		s.ptr = h->value.ptr != NULL ? h->value.ptr : "";
		s.len = h->value.len;
	}
	return s;
}

/* The string an op shows; ptr NULL when it is absent. */
static struct http_str
alog_op_str(const struct alog *a, const struct alog_op *op,
    const struct alog_entry *e)
{
	struct http_str	s = { NULL, 0 };

	switch (op->kind) {
	case ALOG_CLIENT:
	case ALOG_PEER:
		s.ptr = op->kind == ALOG_CLIENT || e->peer == NULL ?
		    e->client : e->peer;
		s.len = s.ptr != NULL ? strlen(s.ptr) : 0;
		return s;
	case ALOG_REQUEST:
		return e->request_line;
	case ALOG_METHOD:
		return e->method;
	case ALOG_PATH:
		return e->path;
	case ALOG_QUERY:
		return e->query;
	case ALOG_PROTOCOL:
		return e->protocol;
	case ALOG_VHOST:
		return e->host;
	case ALOG_TLS_PROTOCOL:
	case ALOG_TLS_CIPHER:
		s.ptr = op->kind == ALOG_TLS_PROTOCOL ? e->tls_protocol :
		    e->tls_cipher;
		s.len = s.ptr != NULL ? strlen(s.ptr) : 0;
		return s;
	case ALOG_USER:
		return e->user;
	case ALOG_REQ_HEADER:
		return alog_req_header(e, a->text + op->off);
	case ALOG_RESP_HEADER:
		alog_resp_header(&e->response_head, a->text + op->off, op->len,
		    &s);
		return s;
	default:
		return s;
	}
}

/* A numeric directive's value into v; false when kind is not one. */
static bool
alog_val_number(const struct alog *a, enum alog_kind kind,
    const struct alog_entry *e, struct alog_val *v)
{
	switch (kind) {
	case ALOG_STATUS:
		alog_val_int(v, e->status);
		return true;
	case ALOG_BYTES_CLF:
		if (e->body_bytes == 0 && a->style == ALOG_TEXT)
			alog_val_fixed(v, "-", 1);
		else
			alog_val_u64(v, e->body_bytes);
		return true;
	case ALOG_BYTES:
		alog_val_u64(v, e->body_bytes);
		return true;
	case ALOG_USEC:
		alog_val_u64(v, e->duration_us);
		return true;
	case ALOG_MSEC:
		alog_val_u64(v, e->duration_us / 1000);
		return true;
	case ALOG_SEC:
		alog_val_u64(v, e->duration_us / 1000000);
		return true;
	case ALOG_PORT:
		alog_val_int(v, e->local_port);
		return true;
	case ALOG_PID:
		alog_val_int(v, e->pid);
		return true;
	default:
		return false;
	}
}

/* Fill v with what op writes for entry e. */
static void
alog_val(const struct alog *a, const struct alog_op *op,
    const struct alog_entry *e, struct alog_val *v)
{
	struct http_str	s;

	memset(v, 0, offsetof(struct alog_val, buf));
	switch (op->kind) {
	case ALOG_LIT:
		alog_val_fixed(v, a->text + op->off, op->len);
		break;
	case ALOG_TIME:
		alog_val_time(a, v, e->start.tv_sec);
		break;
	case ALOG_CONN_STATUS:
		alog_val_conn(a, v, e->conn_status);
		break;
	default:
		if (alog_val_number(a, op->kind, e, v))
			break;
		s = alog_op_str(a, op, e);
		alog_val_str(a, v, s.ptr, s.len,
		    op->kind == ALOG_QUERY ? "?" : NULL);
		break;
	}
}

/* ---- escaping ---- */

/* Length of the valid UTF-8 sequence at s (RFC 3629), 0 if it is not one. */
static size_t
alog_utf8(const unsigned char *s, size_t left)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* The code point of a valid UTF-8 sequence of n bytes at s. */
static uint32_t
alog_codepoint(const unsigned char *s, size_t n)
{
	uint32_t	cp = s[0] & (0x7f >> n);
	size_t		i;

	for (i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/*
 * Whether valid UTF-8 at s is a character that acts on a terminal or
 * reorders text instead of showing itself: a C1 control (U+0080..U+009F,
 * e.g. U+009B CSI) or a bidirectional control (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069).
 */
static bool
alog_invisible(const unsigned char *s, size_t n)
{
	uint32_t	cp = alog_codepoint(s, n);

	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e ||
	    cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* The JSON escape \uXXXX of the character at s (BMP only); its length. */
static size_t
alog_uescape(const unsigned char *s, size_t n, char *out)
{
	uint32_t	cp = alog_codepoint(s, n);

	memcpy(out, "\\u", 2);
	out[2] = alog_hex[(cp >> 12) & 15];
	out[3] = alog_hex[(cp >> 8) & 15];
	out[4] = alog_hex[(cp >> 4) & 15];
	out[5] = alog_hex[cp & 15];
	return 6;
}

/* The letter of a one-letter escape of c in this style, 0 if none. */
static char
alog_short_escape(enum alog_style style, unsigned char c)
{
	switch (c) {
	case '"':
		return '"';
	case '\\':
		return '\\';
	case '\b':
		return 'b';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	case '\v':
		return style == ALOG_TEXT ? 'v' : 0;
	case '\f':
		return style == ALOG_JSON ? 'f' : 0;
	default:
		return 0;
	}
}

/* Escape the unit at s into out; its length, *used the input bytes taken. */
static size_t
alog_unit(enum alog_style style, const unsigned char *s, size_t left,
    char *out, size_t *used)
{
	char	letter;
	size_t	n;

	*used = 1;
	if ((letter = alog_short_escape(style, s[0])) != 0) {
		out[0] = '\\';
		out[1] = letter;
		return 2;
	}
	if (style == ALOG_TEXT) {
		memcpy(out, "\\x", 2);
		out[2] = alog_hex[s[0] >> 4];
		out[3] = alog_hex[s[0] & 15];
		return 4;
	}
	if (s[0] >= 0x80 && (n = alog_utf8(s, left)) > 0) {
		*used = n;
		if (alog_invisible(s, n))
			return alog_uescape(s, n, out);
		memcpy(out, s, n);
		return n;
	}
	memcpy(out, "\\u00", 4);
	out[4] = alog_hex[s[0] >> 4];
	out[5] = alog_hex[s[0] & 15];
	return 6;
}

/* How many bytes from s on, at most len, are written as they are. */
static size_t
alog_plain_run(const unsigned char *s, size_t len)
{
	size_t	n = 0;

	while (n < len && alog_plain[s[n]])
		n++;
	return n;
}

/*
 * Escape s into out (NULL: only measure), writing no more than room bytes
 * and never half an escape; the bytes written, *whole whether all of s went.
 */
static size_t
alog_escape(enum alog_style style, const char *s, size_t len, char *out,
    size_t room, bool *whole)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			 unit[ALOG_UNIT_MAX];
	size_t			 i = 0, o = 0, n, used;

	while (i < len) {
		/* A run of plain bytes, copied at once, as much as fits. */
		n = alog_plain_run(u + i, len - i);
		if (n > room - o)
			n = room - o;
		if (out != NULL)
			memcpy(out + o, u + i, n);
		o += n;
		i += n;
		if (i == len || alog_plain[u[i]])
			break;		/* all of s, or out of room */
		n = alog_unit(style, u + i, len - i, unit, &used);
		if (n > room - o)
			break;
		if (out != NULL)
			memcpy(out + o, unit, n);
		o += n;
		i += used;
	}
	*whole = i == len;
	return o;
}

/* ---- writing ---- */

/* Append bytes that are known to fit. */
static void
alog_put(struct alog_out *out, const char *s, size_t len)
{
	if (len == 0)
		return;
	memcpy(out->buf + out->pos, s, len);
	out->pos += len;
}

/*
 * Write v with at most budget bytes of body: 0 written whole, 1 written with
 * its body cut, -1 nothing written because even its whole parts do not fit.
 */
static int
alog_put_val(const struct alog *a, struct alog_out *out,
    const struct alog_val *v, size_t budget)
{
	size_t	room = out->cap - out->pos;
	bool	whole = true;

	if (v->prelen + v->postlen > room)
		return -1;
	alog_put(out, v->pre, v->prelen);
	room -= v->prelen + v->postlen;
	if (v->body != NULL)
		out->pos += alog_escape(a->style, v->body, v->bodylen,
		    out->buf + out->pos, budget < room ? budget : room, &whole);
	alog_put(out, v->post, v->postlen);
	return whole ? 0 : 1;
}

/* Everything written whole if it fits; -1 as soon as something does not. */
static int
alog_write_all(const struct alog *a, const struct alog_entry *e,
    struct alog_out *out)
{
	const struct alog_op	*op;
	struct alog_val		 v;
	size_t			 i;

	for (i = 0; i < a->nops; i++) {
		op = &a->ops[i];
		/* Literals, half the ops of a usual format, go straight in. */
		if (op->kind == ALOG_LIT) {
			if (op->len > out->cap - out->pos)
				return -1;
			alog_put(out, a->text + op->off, op->len);
			continue;
		}
		alog_val(a, op, e, &v);
		if (alog_put_val(a, out, &v, SIZE_MAX) != 0)
			return -1;
	}
	return 0;
}

/*
 * Share room among the bodies: those that need no more than an equal share
 * get all they need, the others split what is left (max-min fairness), so
 * one huge field cannot squeeze out the short ones.
 */
static void
alog_share(const size_t *need, size_t *budget, size_t n, size_t room)
{
	bool	done[ALOG_MAX_OPS] = { false };
	size_t	left = n, share, extra, i;
	bool	progress = true;

	while (left > 0 && progress) {
		share = room / left;
		progress = false;
		for (i = 0; i < n; i++)
			if (!done[i] && need[i] <= share) {
				budget[i] = need[i];
				room -= need[i];
				done[i] = true;
				left--;
				progress = true;
			}
	}
	if (left == 0)
		return;
	share = room / left;
	extra = room % left;
	for (i = 0; i < n; i++)
		if (!done[i]) {
			budget[i] = share + (extra > 0);
			if (extra > 0)
				extra--;
		}
}

/* Measure every op: whole parts into *fixed, escaped bodies into need[]. */
static void
alog_measure(const struct alog *a, const struct alog_entry *e, size_t *need,
    size_t *fixed)
{
	struct alog_val	v;
	size_t		i;
	bool		whole;

	*fixed = 0;
	for (i = 0; i < a->nops; i++) {
		alog_val(a, &a->ops[i], e, &v);
		*fixed += v.prelen + v.postlen;
		need[i] = v.body == NULL ? 0 : alog_escape(a->style, v.body,
		    v.bodylen, NULL, SIZE_MAX, &whole);
	}
}

/* Too small even for the skeleton: whole ops while they fit, JSON "{}". */
static void
alog_write_stub(const struct alog *a, const struct alog_entry *e,
    struct alog_out *out)
{
	struct alog_val	v;
	size_t		i;

	out->pos = 0;
	if (a->style == ALOG_JSON) {
		if (out->cap >= 2)
			alog_put(out, "{}", 2);
		return;
	}
	for (i = 0; i < a->nops; i++) {
		alog_val(a, &a->ops[i], e, &v);
		if (alog_put_val(a, out, &v, SIZE_MAX) == -1)
			return;
	}
}

/* Write a line that overflowed: cut the bodies to share the room. */
static void
alog_write_cut(const struct alog *a, const struct alog_entry *e,
    struct alog_out *out)
{
	size_t		need[ALOG_MAX_OPS], budget[ALOG_MAX_OPS], fixed, i;
	size_t		spare = 0, b, start;
	struct alog_val	v;

	alog_measure(a, e, need, &fixed);
	if (fixed > out->cap) {
		alog_write_stub(a, e, out);
		return;
	}
	alog_share(need, budget, a->nops, out->cap - fixed);
	out->pos = 0;
	for (i = 0; i < a->nops; i++) {
		alog_val(a, &a->ops[i], e, &v);
		/* What an escape left unused of one share goes to the next. */
		b = budget[i] + spare;
		start = out->pos;
		alog_put_val(a, out, &v, b);
		spare = b - (out->pos - start - v.prelen - v.postlen);
	}
}

/* Format one line (see accesslog.h); the bytes written. */
size_t
alog_format(const struct alog *a, const struct alog_entry *e, char *buf,
    size_t len)
{
	struct alog_out	out = { buf, len > 0 ? len - 1 : 0, 0 };

	if (len == 0)
		return 0;
	if (alog_write_all(a, e, &out) == -1)
		alog_write_cut(a, e, &out);
	buf[out.pos++] = '\n';
	return out.pos;
}
