/* Unit tests for common/accesslog.c: directives, escaping, JSON, truncation. */
#include "tine_build.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "accesslog.h"
#include "../combined_check.h"
#include "../json_check.h"
#include "http.h"

#define T_START		1795840620	/* 2026-11-28 04:37:00 UTC */
#define BASE_TIME	"[28/Nov/2026:04:37:00 +0000]"
#define BASE_LINE	"GET /index.html?x=1 HTTP/1.1"
#define BASE_REF	"http://ref.example/"
#define BASE_UA		"Mozilla/5.0 (X11)"
#define BASE_HEAD	"HTTP/1.1 200 OK\r\nServer: tine\r\n" \
			"Content-Type: text/html\r\nContent-Length:42  \r\n" \
			"X-Empty:\r\n\r\n"
#define JSON_MAX_FIELDS	32
#define JSON_NFIELDS	17	/* in a line of the json format */

static const struct http_limits test_limits = { 8192, 65536, 100 };

/* A parsed request and the entry that points into it. */
struct fixture {
	char			 raw[16384];
	struct http_request	 req;
	struct alog_entry	 e;
};

/* One key of a parsed JSON object and its raw value. */

/* Every test runs in UTC unless it says otherwise. */
static void
test_utc(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
}

TestSuite(accesslog, .init = test_utc, .timeout = 20);

/* Parse raw into f->req and point f->e at its pieces. */
static void
fixture_parse(struct fixture *f, const char *raw)
{
	struct http_parser	 p;
	long			 n;

	memset(f, 0, sizeof(*f));
	cr_assert_lt(strlen(raw), sizeof(f->raw));
	strcpy(f->raw, raw);
	http_parser_init(&p);
	n = http_parse(&p, f->raw, strlen(f->raw), &test_limits, &f->req);
	cr_assert_gt(n, 0, "fixture request did not parse: %d", f->req.status);
	f->e.client = "192.0.2.7";
	f->e.request_line = http_first_line(f->raw, strlen(f->raw));
	alog_entry_request(&f->e, &f->req);
	f->e.response_head.ptr = BASE_HEAD;
	f->e.response_head.len = strlen(BASE_HEAD);
	f->e.status = 200;
	f->e.body_bytes = 42;
	f->e.start.tv_sec = T_START;
	f->e.start.tv_nsec = 123456789;
	f->e.duration_us = 1234567;
	f->e.conn_status = "+";
	f->e.local_port = 8080;
	f->e.pid = 4242;
}

/* The base request with extra header lines, and its entry. */
static void
fixture_init(struct fixture *f, const char *extra)
{
	char	raw[sizeof(f->raw)];

	snprintf(raw, sizeof(raw), BASE_LINE "\r\nHost: example.org\r\n"
	    "Referer: " BASE_REF "\r\nUser-Agent: " BASE_UA "\r\n%s\r\n",
	    extra != NULL ? extra : "");
	fixture_parse(f, raw);
}

/* An entry for a connection that sent garbage: only the client is known. */
static void
fixture_bare(struct alog_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->client = "192.0.2.7";
	e->status = 400;
	e->start.tv_sec = T_START;
	e->pid = 4242;
	e->local_port = 8080;
}

/* Compile fmt, asserting it is accepted. */
static struct alog *
compile_ok(const char *fmt)
{
	char		 err[256];
	struct alog	*a = alog_compile(fmt, err, sizeof(err));

	cr_assert_not_null(a, "format \"%s\" rejected: %s", fmt, err);
	return a;
}

/* Format e with fmt into out (NUL-terminated after the '\n'); its length. */
static size_t
fmt_line(const char *fmt, const struct alog_entry *e, char *out, size_t len)
{
	struct alog	*a = compile_ok(fmt);
	size_t		 n = alog_format(a, e, out, len - 1);

	alog_free(a);
	cr_assert(n > 0 && n < len && out[n - 1] == '\n',
	    "format \"%s\" gave no line", fmt);
	out[n] = '\0';
	return n;
}

/* Expect fmt to format e as exactly want (without the '\n'). */
static void
expect_line(const char *fmt, const struct alog_entry *e, const char *want)
{
	char	line[ALOG_LINE_MAX + 1];
	size_t	n = fmt_line(fmt, e, line, sizeof(line));

	line[n - 1] = '\0';
	cr_expect_str_eq(line, want, "format \"%s\" gave \"%s\", want \"%s\"",
	    fmt, line, want);
}

/* Expect the base request with request_line bytes to show as want in %r. */
static void
expect_escaped(const char *fmt, const char *raw, size_t rawlen,
    const char *want)
{
	struct fixture	f;

	fixture_init(&f, NULL);
	f.e.request_line.ptr = raw;
	f.e.request_line.len = rawlen;
	expect_line(fmt, &f.e, want);
}

/* ---- a strict combined-format matcher ---- */

/* Whether line is one well-formed combined line ending in '\n'. */
static bool
combined_ok(const char *line)
{
	const char	*p = line;

	while (*p > ' ' && *p < 0x7f && *p != '"')
		p++;
	if (!combined_lit(&p, " - - [") || !combined_digits(&p, 2) || !combined_lit(&p, "/"))
		return false;
	if (!isupper((unsigned char)p[0]) || !islower((unsigned char)p[1]) ||
	    !islower((unsigned char)p[2]))
		return false;
	p += 3;
	if (!combined_lit(&p, "/") || !combined_digits(&p, 4) || !combined_lit(&p, ":") ||
	    !combined_digits(&p, 2) || !combined_lit(&p, ":") || !combined_digits(&p, 2) ||
	    !combined_lit(&p, ":") || !combined_digits(&p, 2) || !combined_lit(&p, " "))
		return false;
	if ((*p != '+' && *p != '-') || (p++, !combined_digits(&p, 4)) ||
	    !combined_lit(&p, "] ") || !combined_quoted(&p, NULL, 0) || !combined_lit(&p, " ") ||
	    !combined_digits(&p, 3) || !combined_lit(&p, " "))
		return false;
	if (*p == '-')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (isdigit((unsigned char)*p))
			p++;
	else
		return false;
	return combined_lit(&p, " ") && combined_quoted(&p, NULL, 0) && combined_lit(&p, " ") &&
	    combined_quoted(&p, NULL, 0) && strcmp(p, "\n") == 0;
}

/* Whether a text line is one line of printable bytes with whole escapes. */
static bool
text_ok(const char *line, size_t n)
{
	size_t	i;

	if (n == 0 || line[n - 1] != '\n')
		return false;
	for (i = 0; i + 1 < n; i++) {
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] >= 0x7f)
			return false;
		if (line[i] != '\\')
			continue;
		if (i + 2 < n && strchr("\"\\bnrtv", line[i + 1]) != NULL)
			i++;
		else if (i + 4 < n && line[i + 1] == 'x' &&
		    isxdigit((unsigned char)line[i + 2]) &&
		    isxdigit((unsigned char)line[i + 3]))
			i += 3;
		else
			return false;
	}
	return true;
}

/* ---- the named formats ---- */

Test(accesslog, combined_exact)
{
	struct fixture	f;

	fixture_init(&f, NULL);
	expect_line("combined", &f.e, "192.0.2.7 - - " BASE_TIME " \""
	    BASE_LINE "\" 200 42 \"" BASE_REF "\" \"" BASE_UA "\"");
	expect_line(NULL, &f.e, "192.0.2.7 - - " BASE_TIME " \""
	    BASE_LINE "\" 200 42 \"" BASE_REF "\" \"" BASE_UA "\"");
	expect_line("%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" "
	    "\"%{User-Agent}i\"", &f.e, "192.0.2.7 - - " BASE_TIME " \""
	    BASE_LINE "\" 200 42 \"" BASE_REF "\" \"" BASE_UA "\"");
}

Test(accesslog, common_exact)
{
	struct fixture	f;

	fixture_init(&f, NULL);
	f.e.status = 304;
	f.e.body_bytes = 0;
	expect_line("common", &f.e, "192.0.2.7 - - " BASE_TIME " \""
	    BASE_LINE "\" 304 -");
}

Test(accesslog, combined_garbage_connection)
{
	struct alog_entry	e;

	fixture_bare(&e);
	expect_line("combined", &e, "192.0.2.7 - - " BASE_TIME
	    " \"-\" 400 - \"-\" \"-\"");
	e.request_line.ptr = "";
	expect_line("combined", &e, "192.0.2.7 - - " BASE_TIME
	    " \"\" 400 - \"-\" \"-\"");
	e.client = NULL;
	expect_line("common", &e, "- - - " BASE_TIME " \"\" 400 -");
}

Test(accesslog, combined_line_is_strict)
{
	struct fixture	f;
	char		line[ALOG_LINE_MAX + 1];

	fixture_init(&f, NULL);
	fmt_line("combined", &f.e, line, sizeof(line));
	cr_expect(combined_ok(line), "%s", line);
	/* The matcher itself must reject what it should. */
	cr_expect(!combined_ok("192.0.2.7 - - [28/Nov/2026:04:37:00 +0000] "
	    "\"GET / HTTP/1.1\" 200 0 \"-\" \"-\"\n"));
	cr_expect(!combined_ok("192.0.2.7 - - [28/Nov/2026:04:37:00 +0000] "
	    "\"GET \"/ HTTP/1.1\" 200 - \"-\" \"-\"\n"));
}

/* An entry filled from a parsed head names its pieces: %H its version, %v
 * the host without its port. */
Test(accesslog, entry_from_request)
{
	struct fixture	f;

	fixture_parse(&f, "\r\nHEAD /d%20ir/x.txt?a=1&b HTTP/1.0\r\n"
	    "Host: Example.ORG:8080\r\nX-Trace: t-1\r\n\r\n");
	expect_line("%m|%U|%q|%H|%v|%{X-Trace}i|%r", &f.e,
	    "HEAD|/d%20ir/x.txt|?a=1&b|HTTP/1.0|Example.ORG|t-1|"
	    "HEAD /d%20ir/x.txt?a=1&b HTTP/1.0");
}

/* ---- every directive ---- */

struct dir_case {
	const char	*fmt;
	const char	*want;
};

static const struct dir_case dir_cases[] = {
	{ "%h", "192.0.2.7" },
	{ "%a", "192.0.2.7" },
	{ "%l", "-" },
	{ "%u", "-" },
	{ "%t", BASE_TIME },
	{ "%r", BASE_LINE },
	{ "%>s", "200" },
	{ "%<s", "200" },
	{ "%s", "200" },
	{ "%b", "42" },
	{ "%B", "42" },
	{ "%D", "1234567" },
	{ "%T", "1" },
	{ "%{s}T", "1" },
	{ "%{ms}T", "1234" },
	{ "%{us}T", "1234567" },
	{ "%m", "GET" },
	{ "%U", "/index.html" },
	{ "%q", "?x=1" },
	{ "%H", "HTTP/1.1" },
	{ "%v", "example.org" },
	{ "%p", "8080" },
	{ "%P", "4242" },
	{ "%X", "+" },
	{ "%{Referer}i", BASE_REF },
	{ "%{referer}i", BASE_REF },
	{ "%{USER-AGENT}i", BASE_UA },
	{ "%{X-Missing}i", "-" },
	{ "%{Content-Type}o", "text/html" },
	{ "%{content-length}o", "42" },
	{ "%{Server}o", "tine" },
	{ "%{X-Empty}o", "" },
	{ "%{Content}o", "-" },
	{ "%{X-None}o", "-" },
	{ "%%", "%" },
	{ "100%% %>s%%", "100% 200%" },
	{ "a\tb", "a\tb" },
	{ "\xc3\xa9t\xc3\xa9 %m", "\xc3\xa9t\xc3\xa9 GET" },
	{ "[%m|%U|%q|%H]", "[GET|/index.html|?x=1|HTTP/1.1]" },
};

Test(accesslog, every_directive)
{
	struct fixture	f;
	size_t		i;

	fixture_init(&f, NULL);
	for (i = 0; i < sizeof(dir_cases) / sizeof(dir_cases[0]); i++)
		expect_line(dir_cases[i].fmt, &f.e, dir_cases[i].want);
}

Test(accesslog, absent_values)
{
	struct alog_entry	e;

	fixture_bare(&e);
	expect_line("%r|%m|%U|%q|%H|%v|%{Referer}i|%{Content-Type}o|%b|%B",
	    &e, "-|-|-||-|-|-|-|-|0");
	expect_line("%{ssl_protocol}x|%{ssl_cipher}x", &e, "-|-");
}

/* The TLS variables, by mod_ssl's names in any case. */
Test(accesslog, tls_variables)
{
	struct fixture	f;

	fixture_init(&f, NULL);
	f.e.tls_protocol = "TLSv1.3";
	f.e.tls_cipher = "TLS_AES_128_GCM_SHA256";
	expect_line("%{ssl_protocol}x %{SSL_CIPHER}x %{Ssl_Protocol}x", &f.e,
	    "TLSv1.3 TLS_AES_128_GCM_SHA256 TLSv1.3");
}

/* %{c}a (and Apache's %{c}h): the connection's peer (a proxy), %h and %a
 * the client; without a peer given, the client is both. */
Test(accesslog, peer_address)
{
	struct fixture	f;

	fixture_init(&f, NULL);
	expect_line("%h %a %{c}a", &f.e, "192.0.2.7 192.0.2.7 192.0.2.7");
	f.e.peer = "10.0.0.2";
	expect_line("%h %a %{c}a %{c}h", &f.e, "192.0.2.7 192.0.2.7 10.0.0.2 "
	    "10.0.0.2");
}

Test(accesslog, empty_values)
{
	struct fixture	f;

	fixture_init(&f, "X-Empty:\r\n");
	f.e.query.ptr = f.e.path.ptr + f.e.path.len;
	f.e.query.len = 0;
	expect_line("[%{X-Empty}i][%q]", &f.e, "[][?]");
	f.e.response_head.ptr = NULL;
	expect_line("%{Content-Type}o", &f.e, "-");
}

Test(accesslog, numbers)
{
	struct fixture	f;

	fixture_init(&f, NULL);
	f.e.body_bytes = UINT64_MAX;
	f.e.duration_us = 999999;
	f.e.status = 503;
	f.e.local_port = 65535;
	expect_line("%b %B %T %{ms}T %D %s %p", &f.e,
	    "18446744073709551615 18446744073709551615 0 999 999999 503 65535");
	f.e.body_bytes = 0;
	f.e.duration_us = 0;
	expect_line("%b %B %T %D", &f.e, "- 0 0 0");
}

Test(accesslog, response_head_lines)
{
	struct fixture	f;
	/* A first line that looks like a header is still the status line. */
	static const char head[] = "Foo: bar\nA:1\nB-b: \t two words \t\n"
	    "C:3";

	fixture_init(&f, NULL);
	f.e.response_head.ptr = head;
	f.e.response_head.len = strlen(head);
	expect_line("%{a}o|%{b-B}o|%{C}o|%{Foo}o", &f.e,
	    "1|two words|3|-");
}

Test(accesslog, request_header_value_escaped)
{
	struct fixture	f;

	fixture_init(&f, "X-Quote: say \"hi\" \\n now\r\n");
	expect_line("%{X-Quote}i", &f.e, "say \\\"hi\\\" \\\\n now");
}

Test(accesslog, time_offsets)
{
	struct fixture	f;

	fixture_init(&f, NULL);
	setenv("TZ", "XXX-5:30", 1);
	tzset();
	expect_line("%t", &f.e, "[28/Nov/2026:10:07:00 +0530]");
	setenv("TZ", "XXX3", 1);
	tzset();
	expect_line("%t", &f.e, "[28/Nov/2026:01:37:00 -0300]");
	f.e.start.tv_sec = T_START - 86400 * 365;
	expect_line("%t", &f.e, "[28/Nov/2025:01:37:00 -0300]");
}

/* ---- compile errors ---- */

struct err_case {
	const char	*fmt;
	const char	*want;
};

static const struct err_case err_cases[] = {
	{ "%Z", "unknown directive %Z" },
	{ "ok %>Z", "unknown directive %>Z" },
	{ "%{Foo}Z", "unknown directive %{Foo}Z" },
	{ "%{x}s", "unknown directive %{x}s" },
	{ "%{x}h", "unknown directive %{x}h" },
	{ "%{x}a", "unknown directive %{x}a" },
	{ "%", "format ends with a lone %" },
	{ "abc %", "format ends with a lone %" },
	{ "%>", "malformed directive %> (no letter after it)" },
	{ "%{Referer", "malformed directive %{Referer (no closing })" },
	{ "%{Referer}", "malformed directive %{Referer} (no letter after it)" },
	{ "%{}i", "empty name in directive %{}i" },
	{ "%{}o", "empty name in directive %{}o" },
	{ "%{Bad Name}i", "invalid header name in directive %{Bad Name}i" },
	{ "%{a:b}o", "invalid header name in directive %{a:b}o" },
	{ "%i", "directive %i needs a header name, e.g. %{User-Agent}i" },
	{ "%o", "directive %o needs a header name, e.g. %{User-Agent}o" },
	{ "%{h}T", "unknown unit in directive %{h}T (use s, ms or us)" },
	{ "%x", "directive %x needs a name, e.g. %{ssl_protocol}x" },
	{ "%{ssl_version}x", "unknown variable in directive %{ssl_version}x "
	  "(use ssl_protocol or ssl_cipher)" },
	{ "%{}x", "unknown variable in directive %{}x (use ssl_protocol or "
	  "ssl_cipher)" },
	{ "", "empty format" },
	{ "a\nb", "control character 0x0a in format" },
	{ "%h\x7f", "control character 0x7f in format" },
	{ "\x1b[31m%h", "control character 0x1b in format" },
};

Test(accesslog, compile_errors)
{
	char		 err[256];
	struct alog	*a;
	size_t		 i;

	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case	*c = &err_cases[i];

		a = alog_compile(c->fmt, err, sizeof(err));
		cr_expect_null(a, "format \"%s\" was accepted", c->fmt);
		alog_free(a);
		cr_expect_str_eq(err, c->want, "format \"%s\"", c->fmt);
	}
}

Test(accesslog, directive_limit)
{
	char		 fmt[4 * ALOG_MAX_DIRECTIVES + 8], err[128];
	struct alog	*a;
	int		 i;

	fmt[0] = '\0';
	for (i = 0; i < ALOG_MAX_DIRECTIVES; i++)
		strcat(fmt, "%s ");
	a = alog_compile(fmt, err, sizeof(err));
	cr_expect_not_null(a, "%d directives refused: %s",
	    ALOG_MAX_DIRECTIVES, err);
	alog_free(a);
	strcat(fmt, "%s");
	a = alog_compile(fmt, err, sizeof(err));
	cr_expect_null(a);
	alog_free(a);
	cr_expect_str_eq(err, "more than 64 directives");
	/* %% is a literal, not a directive. */
	for (i = 0; i < 200; i++)
		fmt[i] = '%';
	fmt[200] = '\0';
	a = alog_compile(fmt, err, sizeof(err));
	cr_expect_not_null(a, "100 %%%% refused: %s", err);
	alog_free(a);
}

Test(accesslog, error_buffer_small)
{
	char		 err[8];
	struct alog	*a;

	memset(err, 'x', sizeof(err));
	a = alog_compile("%{Bad Name}i", err, sizeof(err));
	cr_assert_null(a);
	cr_expect_str_eq(err, "invalid");
	cr_expect_null(alog_compile("%Z", NULL, 0));
	/* A long bad directive is shown cut, not whole. */
	{
		char	big[600], msg[256];

		memset(big, 'a', sizeof(big));
		memcpy(big, "%{", 2);
		big[sizeof(big) - 1] = '\0';
		cr_assert_null(alog_compile(big, msg, sizeof(msg)));
		cr_expect_lt(strlen(msg), 100, "%s", msg);
		cr_expect(strncmp(msg, "malformed directive %{aaa", 25) == 0,
		    "%s", msg);
	}
}

/* ---- escaping ---- */

struct esc_case {
	const char	*in;
	size_t		 len;
	const char	*text;		/* Apache style */
	const char	*json;		/* inside the JSON string */
};

#define E(s)	s, sizeof(s) - 1

static const struct esc_case esc_cases[] = {
	{ E("plain ~!"), "plain ~!", "plain ~!" },
	{ E("a\"b"), "a\\\"b", "a\\\"b" },
	{ E("a\\b"), "a\\\\b", "a\\\\b" },
	{ E("a\\nb"), "a\\\\nb", "a\\\\nb" },
	{ E("a\nb"), "a\\nb", "a\\nb" },
	{ E("a\rb"), "a\\rb", "a\\rb" },
	{ E("a\tb"), "a\\tb", "a\\tb" },
	{ E("a\bb"), "a\\bb", "a\\bb" },
	{ E("a\vb"), "a\\vb", "a\\u000bb" },
	{ E("a\fb"), "a\\x0cb", "a\\fb" },
	{ E("\x01\x1f"), "\\x01\\x1f", "\\u0001\\u001f" },
	{ E("\x1b[2J"), "\\x1b[2J", "\\u001b[2J" },
	{ E("a\0b"), "a\\x00b", "a\\u0000b" },
	{ E("\x7f"), "\\x7f", "\\u007f" },
	{ E("\x80\xff"), "\\x80\\xff", "\\u0080\\u00ff" },
	{ E("caf\xc3\xa9"), "caf\\xc3\\xa9", "caf\xc3\xa9" },
	{ E("\xe2\x82\xac"), "\\xe2\\x82\\xac", "\xe2\x82\xac" },
	{ E("\xf0\x9f\x98\x80!"), "\\xf0\\x9f\\x98\\x80!",
	    "\xf0\x9f\x98\x80!" },
	{ E("\xc3"), "\\xc3", "\\u00c3" },
	{ E("\xc3("), "\\xc3(", "\\u00c3(" },
	{ E("\xc0\xaf"), "\\xc0\\xaf", "\\u00c0\\u00af" },
	{ E("\xe0\x80\xaf"), "\\xe0\\x80\\xaf", "\\u00e0\\u0080\\u00af" },
	{ E("\xed\xa0\x80"), "\\xed\\xa0\\x80", "\\u00ed\\u00a0\\u0080" },
	{ E("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80",
	    "\\u00f4\\u0090\\u0080\\u0080" },
	{ E("\xf5\x80"), "\\xf5\\x80", "\\u00f5\\u0080" },
	{ E("\xe2\x82"), "\\xe2\\x82", "\\u00e2\\u0082" },
	{ E("\xf4\x8f\xbf\xbf"), "\\xf4\\x8f\\xbf\\xbf", "\xf4\x8f\xbf\xbf" },
	{ E("\xed\x9f\xbf"), "\\xed\\x9f\\xbf", "\xed\x9f\xbf" },
	/* C1 controls (CSI) and bidi controls act on a reader's terminal or
	 * reorder the line: valid UTF-8, yet escaped in JSON too. */
	{ E("\xc2\x9b" "2J"), "\\xc2\\x9b" "2J", "\\u009b" "2J" },
	{ E("\xc2\x80\xc2\x9f\xc2\xa0"), "\\xc2\\x80\\xc2\\x9f\\xc2\\xa0",
	    "\\u0080\\u009f\xc2\xa0" },
	{ E("a\xe2\x80\xaetxt.exe"), "a\\xe2\\x80\\xaetxt.exe",
	    "a\\u202etxt.exe" },
	{ E("\xe2\x80\xaa\xe2\x80\xad\xe2\x80\xa9"),
	    "\\xe2\\x80\\xaa\\xe2\\x80\\xad\\xe2\\x80\\xa9",
	    "\\u202a\\u202d\xe2\x80\xa9" },
	{ E("\xe2\x81\xa6\xe2\x81\xa9\xe2\x81\xaa"),
	    "\\xe2\\x81\\xa6\\xe2\\x81\\xa9\\xe2\\x81\\xaa",
	    "\\u2066\\u2069\xe2\x81\xaa" },
	{ E("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"),
	    "\\xe2\\x80\\x8e\\xe2\\x80\\x8f\\xd8\\x9c",
	    "\\u200e\\u200f\\u061c" },
};

Test(accesslog, escape_text)
{
	size_t	i;

	for (i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++)
		expect_escaped("%r", esc_cases[i].in, esc_cases[i].len,
		    esc_cases[i].text);
}

Test(accesslog, escape_text_every_byte)
{
	char	in[1], want[8];
	int	c;

	for (c = 0; c < 256; c++) {
		in[0] = (char)c;
		if (c == '"' || c == '\\')
			snprintf(want, sizeof(want), "\\%c", c);
		else if (strchr("\b\n\r\t\v", c) != NULL && c != 0)
			snprintf(want, sizeof(want), "\\%c",
			    "bnrtv"[strchr("\b\n\r\t\v", c) - "\b\n\r\t\v"]);
		else if (c < 0x20 || c >= 0x7f)
			snprintf(want, sizeof(want), "\\x%02x", c);
		else
			snprintf(want, sizeof(want), "%c", c);
		expect_escaped("%r", in, 1, want);
	}
}

Test(accesslog, escape_json)
{
	struct fixture	f;
	char		line[ALOG_LINE_MAX + 1], want[256];
	struct json_field	jf[JSON_MAX_FIELDS];
	size_t		i, n;
	int		nf;

	for (i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		fixture_init(&f, NULL);
		f.e.request_line.ptr = esc_cases[i].in;
		f.e.request_line.len = esc_cases[i].len;
		n = fmt_line("json", &f.e, line, sizeof(line));
		nf = json_object(line, n, jf, JSON_MAX_FIELDS);
		cr_expect_eq(nf, JSON_NFIELDS, "case %zu not valid JSON: %s", i,
		    line);
		snprintf(want, sizeof(want), "\"request\":\"%s\"",
		    esc_cases[i].json);
		cr_expect(strstr(line, want) != NULL, "case %zu: want %s in %s",
		    i, want, line);
	}
}

/* ---- JSON ---- */

Test(accesslog, json_exact)
{
	struct fixture	f;

	fixture_init(&f, NULL);
	f.e.tls_protocol = "TLSv1.2";
	f.e.tls_cipher = "ECDHE-RSA-AES128-GCM-SHA256";
	f.e.conn_status = "X";
	expect_line("json", &f.e, "{\"time\":\"2026-11-28T04:37:00+00:00\","
	    "\"remote_addr\":\"192.0.2.7\",\"request\":\"" BASE_LINE "\","
	    "\"method\":\"GET\",\"uri\":\"/index.html\",\"query\":\"x=1\","
	    "\"protocol\":\"HTTP/1.1\",\"status\":200,\"body_bytes\":42,"
	    "\"connection_status\":\"X\",\"referer\":\"" BASE_REF "\",\"user_agent\":\"" BASE_UA "\","
	    "\"host\":\"example.org\",\"duration_us\":1234567,\"pid\":4242,"
	    "\"tls_protocol\":\"TLSv1.2\","
	    "\"tls_cipher\":\"ECDHE-RSA-AES128-GCM-SHA256\"}");
}

Test(accesslog, json_absent_is_null)
{
	struct alog_entry	e;

	fixture_bare(&e);
	setenv("TZ", "XXX-5:30", 1);
	tzset();
	expect_line("json", &e, "{\"time\":\"2026-11-28T10:07:00+05:30\","
	    "\"remote_addr\":\"192.0.2.7\",\"request\":null,\"method\":null,"
	    "\"uri\":null,\"query\":null,\"protocol\":null,\"status\":400,"
	    "\"body_bytes\":0,\"connection_status\":null,\"referer\":null,\"user_agent\":null,"
	    "\"host\":null,\"duration_us\":0,\"pid\":4242,"
	    "\"tls_protocol\":null,\"tls_cipher\":null}");
}

Test(accesslog, json_fields_parse)
{
	struct fixture	f;
	char		line[ALOG_LINE_MAX + 1], v[256];
	struct json_field	jf[JSON_MAX_FIELDS];
	static const char *const keys[] = { "time", "remote_addr", "request",
	    "method", "uri", "query", "protocol", "status", "body_bytes",
	    "connection_status", "referer", "user_agent", "host", "duration_us", "pid",
	    "tls_protocol", "tls_cipher" };
	size_t		i, n;
	int		nf;

	fixture_init(&f, "X-Other: 1\r\n");
	n = fmt_line("json", &f.e, line, sizeof(line));
	nf = json_object(line, n, jf, JSON_MAX_FIELDS);
	cr_assert_eq(nf, JSON_NFIELDS, "%s", line);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_expect_not_null(json_get(jf, nf, keys[i], v, sizeof(v)),
		    "no %s in %s", keys[i], line);
	cr_expect_str_eq(json_get(jf, nf, "status", v, sizeof(v)), "200");
	cr_expect_str_eq(json_get(jf, nf, "query", v, sizeof(v)), "\"x=1\"");
	/* The checker must refuse broken JSON. */
	cr_expect_eq(json_object("{\"a\":\"\x80\"}", 10, jf, 4), -1);
	cr_expect_eq(json_object("{\"a\":\"x}", 8, jf, 4), -1);
	cr_expect_eq(json_object("{\"a\":\"\x01\"}", 10, jf, 4), -1);
	cr_expect_eq(json_object("{\"a\":1,}", 8, jf, 4), -1);
}

/* ---- truncation ---- */

/* What a line-size check knows: the bytes of the line with empty strings. */
struct cut_ctx {
	size_t	skel;
};

/*
 * The skeleton of fmt for e: the line with every present string emptied,
 * i.e. what stays whole when a line is cut. f holds the emptied request.
 */
static size_t
skeleton(const char *fmt, const struct alog_entry *e, struct fixture *f)
{
	struct alog_entry	s = *e;
	struct http_str		 empty = { "", 0 };
	char			 line[2048];

	fixture_parse(f, "GET / HTTP/1.1\r\nHost: h\r\nReferer:\r\n"
	    "User-Agent:\r\n\r\n");
	s.client = s.client != NULL ? "" : NULL;
	s.req = s.req != NULL ? &f->req : NULL;
	if (s.request_line.ptr != NULL)
		s.request_line = empty;
	if (s.method.ptr != NULL)
		s.method = empty;
	if (s.path.ptr != NULL)
		s.path = empty;
	if (s.query.ptr != NULL)
		s.query = empty;
	if (s.protocol.ptr != NULL)
		s.protocol = empty;
	if (s.host.ptr != NULL)
		s.host = empty;
	return fmt_line(fmt, &s, line, sizeof(line)) - 1;
}

/* Format at every size up to full + 8 and check each line with ok(). */
static void
every_size(const char *fmt, const struct alog_entry *e,
    bool (*ok)(const char *, size_t, size_t, const struct cut_ctx *))
{
	struct alog	*a = compile_ok(fmt);
	struct fixture	*f = malloc(sizeof(*f));
	struct cut_ctx	 ctx;
	size_t		 full, len, n;
	char		*big = malloc(65536), *buf;

	cr_assert(big != NULL && f != NULL);
	ctx.skel = skeleton(fmt, e, f);
	full = alog_format(a, e, big, 65536);
	cr_assert_lt(full, 65536);
	cr_assert_gt(full, ctx.skel + 100, "the test line is not long");
	for (len = 0; len <= full + 8; len++) {
		/* Exactly len bytes, so ASan catches a byte too many. */
		buf = malloc(len + 1);
		cr_assert_not_null(buf);
		n = alog_format(a, e, buf, len);
		cr_assert_leq(n, len, "wrote %zu bytes into %zu", n, len);
		if (len == 0) {
			cr_assert_eq(n, 0);
			free(buf);
			continue;
		}
		cr_assert(n > 0 && buf[n - 1] == '\n', "len %zu: no newline",
		    len);
		if (len >= full)
			cr_assert(n == full && memcmp(buf, big, n) == 0,
			    "len %zu: line differs though it fits", len);
		else if (len > ctx.skel)
			cr_assert_geq(n + 8, len, "len %zu: only %zu used", len,
			    n);
		buf[n] = '\0';
		cr_assert(ok(buf, n, len, &ctx), "len %zu (skeleton %zu): bad "
		    "line %s", len, ctx.skel, buf);
		free(buf);
	}
	free(big);
	free(f);
	alog_free(a);
}

/* A string of n bytes cycling through every kind of byte there is. */
static char *
nasty(size_t n)
{
	static const char	 pat[] = "ab\"c\\d\n\xc3\xa9\x01\x7f\xff"
	    "\xe2\x82\xac\xf0\x9f\x98\x80\xc3";
	char			*s = malloc(n + 1);
	size_t			 i;

	cr_assert_not_null(s);
	for (i = 0; i < n; i++)
		s[i] = pat[i % (sizeof(pat) - 1)];
	s[n] = '\0';
	return s;
}

/* A request whose User-Agent is n printable bytes with quotes and '\\'. */
static void
fixture_long_ua(struct fixture *f, size_t n, const char *pat)
{
	char	*raw = malloc(n + 128);
	size_t	 o, i;

	cr_assert_not_null(raw);
	o = (size_t)sprintf(raw, "GET / HTTP/1.1\r\nHost: h\r\n"
	    "Referer: /short\r\nUser-Agent: ");
	for (i = 0; i < n; i++)
		raw[o++] = pat[i % strlen(pat)];
	strcpy(raw + o, "\r\n\r\n");
	fixture_parse(f, raw);
	free(raw);
}

/* Whether a cut combined line is well-formed for its size. */
static bool
combined_cut_ok(const char *line, size_t n, size_t len,
    const struct cut_ctx *ctx)
{
	if (!text_ok(line, n))
		return false;
	return len <= ctx->skel || combined_ok(line);
}

Test(accesslog, truncate_combined_every_size)
{
	struct fixture	 f;
	char		*rl = nasty(700);

	fixture_long_ua(&f, 1500, "UA\"\\x ");
	f.e.request_line.ptr = rl;
	f.e.request_line.len = 700;
	every_size("combined", &f.e, combined_cut_ok);
	free(rl);
}

Test(accesslog, truncate_keeps_short_fields)
{
	struct fixture	 f;
	char		*rl = nasty(5000), line[1024];
	struct alog	*a = compile_ok("combined");
	size_t		 n;

	fixture_init(&f, NULL);
	f.e.request_line.ptr = rl;
	f.e.request_line.len = 5000;
	n = alog_format(a, &f.e, line, sizeof(line) - 1);
	line[n] = '\0';
	cr_expect_geq(n + 4, sizeof(line) - 1, "the cut line should fill "
	    "the room: %zu", n);
	cr_expect(combined_ok(line), "%s", line);
	cr_expect(strstr(line, "\" 200 42 \"" BASE_REF "\" \"" BASE_UA
	    "\"\n") != NULL, "short fields were cut: %s", line);
	alog_free(a);
	free(rl);
}

Test(accesslog, truncate_shares_between_long_fields)
{
	struct fixture	 f;
	char		*rl = nasty(3000), line[2048];
	struct alog	*a = compile_ok("\"%r\" \"%{User-Agent}i\"");
	size_t		 n, first, second;
	const char	*mid;

	fixture_long_ua(&f, 3000, "u");
	f.e.request_line.ptr = rl;
	f.e.request_line.len = 3000;
	n = alog_format(a, &f.e, line, sizeof(line) - 1);
	line[n] = '\0';
	/* The pattern of rl has no 'u', so this is the middle. */
	mid = strstr(line, "\" \"uuu");
	cr_assert_not_null(mid, "%s", line);
	first = (size_t)(mid - line) - 1;
	second = n - (size_t)(mid - line) - 5;
	/* Each gets half; an escape may waste a few bytes of a share. */
	cr_expect(first + 8 >= second && second + 8 >= first,
	    "unfair split %zu / %zu", first, second);
	cr_expect_geq(n + 8, sizeof(line) - 1, "room left unused: %zu", n);
	alog_free(a);
	free(rl);
}

/* Whether a cut JSON line is valid, and has every field once it can. */
static bool
json_cut_ok(const char *line, size_t n, size_t len, const struct cut_ctx *ctx)
{
	struct json_field	 jf[JSON_MAX_FIELDS];
	char		 v[64];
	const char	*s, *b;
	int		 nf;

	if (len < 3)
		return n == 1;
	nf = json_object(line, n - 1, jf, JSON_MAX_FIELDS);
	if (nf == -1 || memchr(line, '\n', n - 1) != NULL)
		return false;
	if (len <= ctx->skel)
		return nf == 0;
	s = json_get(jf, nf, "status", v, sizeof(v));
	if (nf != JSON_NFIELDS || s == NULL || strcmp(s, "200") != 0)
		return false;
	b = json_get(jf, nf, "body_bytes", v, sizeof(v));
	return b != NULL && strcmp(b, "42") == 0;
}

Test(accesslog, truncate_json_every_size)
{
	struct fixture	 f;
	char		*rl = nasty(900), *path = nasty(333);

	fixture_long_ua(&f, 400, "\xc3\xa9\"x");
	f.e.request_line.ptr = rl;
	f.e.request_line.len = 900;
	f.e.path.ptr = path;
	f.e.path.len = 333;
	every_size("json", &f.e, json_cut_ok);
	free(rl);
	free(path);
}

/* Whether a cut custom line keeps its literals and numbers whole. */
static bool
custom_cut_ok(const char *line, size_t n, size_t len,
    const struct cut_ctx *ctx)
{
	if (!text_ok(line, n))
		return false;
	if (len <= ctx->skel)
		return true;
	return strncmp(line, "<200 ", 5) == 0 &&
	    strstr(line, " 18446744073709551615>\n") != NULL;
}

Test(accesslog, truncate_custom_every_size)
{
	struct fixture	 f;
	char		*rl = nasty(400);

	fixture_init(&f, NULL);
	f.e.request_line.ptr = rl;
	f.e.request_line.len = 400;
	f.e.path = f.e.request_line;
	f.e.query = f.e.request_line;
	f.e.body_bytes = UINT64_MAX;
	every_size("<%>s %r %q %U %{Referer}i %b>", &f.e, custom_cut_ok);
	free(rl);
}

Test(accesslog, tiny_buffers)
{
	struct fixture	 f;
	struct alog	*a = compile_ok("json"), *c = compile_ok("combined");
	char		 buf[16];

	fixture_init(&f, NULL);
	cr_expect_eq(alog_format(a, &f.e, buf, 0), 0);
	cr_expect_eq(alog_format(a, &f.e, buf, 1), 1);
	cr_expect_eq(buf[0], '\n');
	cr_expect_eq(alog_format(a, &f.e, buf, 2), 1);
	cr_expect_eq(alog_format(a, &f.e, buf, 3), 3);
	cr_expect(memcmp(buf, "{}\n", 3) == 0);
	/* Too small for the time: the whole fields before it. */
	cr_expect_eq(alog_format(c, &f.e, buf, 16), 15);
	cr_expect(memcmp(buf, "192.0.2.7 - - \n", 15) == 0, "%.16s", buf);
	alog_free(a);
	alog_free(c);
}

Test(accesslog, reuse_compiled)
{
	struct fixture	 f;
	struct alog	*a = compile_ok("%>s %U");
	char		 buf[64];
	size_t		 n;

	fixture_init(&f, NULL);
	n = alog_format(a, &f.e, buf, sizeof(buf));
	cr_expect(n == 16 && memcmp(buf, "200 /index.html\n", n) == 0);
	f.e.status = 404;
	f.e.path.len = 1;
	n = alog_format(a, &f.e, buf, sizeof(buf));
	cr_expect(n == 6 && memcmp(buf, "404 /\n", n) == 0);
	alog_free(a);
	alog_free(NULL);
}
