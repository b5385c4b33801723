/*
 * fuzz_alog: libFuzzer target for the access-log formatter. Any request a
 * client can send, parsed or not and filled in as the worker does, must
 * give exactly one line in every format: one '\n' at its end, only
 * printable ASCII in the text formats, a valid JSON object in json, never
 * more bytes than the buffer, at any buffer size.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accesslog.h"
#include "http.h"
#include "json_check.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_NFORMATS	4

/* combined, common, json and a custom format with every kind of directive. */
static const char	*fuzz_formats[FUZZ_NFORMATS] = {
	"combined", "common", "json",
	"%h %a %l %u %t \"%r\" %>s %<s %b %B %D %T %{ms}T %m %U %q %H %v "
	"%p %P \"%{User-Agent}i\" \"%{X-Forwarded-For}i\" %{Content-Type}o "
	"%{ssl_protocol}x %{ssl_cipher}x %X %%"
};

/* What tine itself would have sent back. */
static const char	fuzz_head[] = "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/html; charset=utf-8\r\nContent-Length: 12\r\n\r\n";

static const struct http_limits	fuzz_limits = { 8192, 16384, 100 };

/* The formats, compiled once. */
static struct alog *
fuzz_format(int i)
{
	static struct alog	*compiled[FUZZ_NFORMATS];
	char			 err[128];

	if (compiled[i] == NULL &&
	    (compiled[i] = alog_compile(fuzz_formats[i], err, sizeof(err))) ==
	    NULL)
		abort();
	return compiled[i];
}

/* Check one formatted line of n bytes, made in a buffer of len bytes. */
static void
fuzz_check_line(int fmt, const char *line, size_t n, size_t len)
{
	struct json_field	f[32];
	size_t			i;

	if (n > len || (len > 0 && (n == 0 || line[n - 1] != '\n')))
		abort();
	for (i = 0; i + 1 < n; i++) {
		if (line[i] == '\n')
			abort();
		if (fmt != 2 && (line[i] < 0x20 || line[i] > 0x7e))
			abort();
	}
	if (fmt == 2 && len >= 3 && json_object(line, n - 1, f, 32) < 0)
		abort();
}

/* Entry point: the first byte picks a buffer size, the rest is a request. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_request	 req;
	static char			 line[ALOG_LINE_MAX];
	struct http_parser		 p;
	struct alog_entry		 e;
	const char			*in;
	size_t				 inlen, small, n;
	int				 i;

	if (size < 1)
		return 0;
	small = (size_t)data[0] * 33 % ALOG_LINE_MAX;
	in = (const char *)data + 1;
	inlen = size - 1;

	memset(&e, 0, sizeof(e));
	e.client = "203.0.113.9";
	e.request_line = http_first_line(in, inlen);
	http_parser_init(&p);
	if (http_parse(&p, in, inlen, &fuzz_limits, &req) > 0)
		alog_entry_request(&e, &req);
	e.response_head = (struct http_str){ fuzz_head, sizeof(fuzz_head) - 1 };
	e.status = 200;
	e.body_bytes = inlen;
	e.start = (struct timespec){ 1764300000, 123456789 };
	e.duration_us = (uint64_t)inlen * 997;
	e.local_port = 8080;
	e.pid = 4242;
	/* Half of the inputs came over TLS. */
	if (inlen % 2 == 1) {
		e.tls_protocol = "TLSv1.3";
		e.tls_cipher = "TLS_AES_128_GCM_SHA256";
	}
	/* Each connection status, and none. */
	e.conn_status = (const char *[]){ "X", "+", "-", NULL }[inlen % 4];

	for (i = 0; i < FUZZ_NFORMATS; i++) {
		n = alog_format(fuzz_format(i), &e, line, sizeof(line));
		fuzz_check_line(i, line, n, sizeof(line));
		n = alog_format(fuzz_format(i), &e, line, small);
		fuzz_check_line(i, line, n, small);
	}
	return 0;
}
