/* Unit tests for common/log.c: the error log's lines and their escaping. */
#include "tine_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "config.h"
#include "log.h"

static char	file_dir[] = "/tmp/tine-log-XXXXXX";
static char	file_path[sizeof(file_dir) + 16];

/* Send this process's error log to a fresh file at level info. */
static void
log_setup(void)
{
	struct config	conf;
	char		err[256];

	cr_assert_not_null(mkdtemp(file_dir));
	snprintf(file_path, sizeof(file_path), "%s/error.log", file_dir);
	memset(&conf, 0, sizeof(conf));
	conf.error_log_dest = CONFIG_LOG_FILE;
	conf.error_log = file_path;
	conf.log_level = LOG_INFO;
	cr_assert_eq(log_open(&conf, 0, err, sizeof(err)), 0, "%s", err);
}

/* Remove the file and its directory. */
static void
log_teardown(void)
{
	unlink(file_path);
	rmdir(file_dir);
}

/* The whole log file, NUL-terminated; the caller frees it. */
static char *
log_text(void)
{
	FILE	*f = fopen(file_path, "r");
	char	*buf = calloc(1, 65536);
	size_t	 n;

	cr_assert_not_null(f);
	cr_assert_not_null(buf);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

TestSuite(log, .init = log_setup, .fini = log_teardown, .timeout = 10);

Test(log, line_shape)
{
	char	*text;

	log_notice("hello %d", 42);
	log_debug("below the level");
	text = log_text();
	cr_expect(text[0] == '[', "%s", text);
	cr_expect_not_null(strstr(text, "] [notice] [pid "), "%s", text);
	cr_expect_not_null(strstr(text, "] hello 42\n"), "%s", text);
	cr_expect_null(strstr(text, "below the level"));
	cr_expect_eq(strchr(text, '\n')[1], '\0', "one line: %s", text);
	free(text);
}

/* A request path quoted in a message cannot act on the reader's terminal. */
Test(log, client_bytes_escaped)
{
	char	*text, *p;

	log_error("open %s: %s", "/a\xc2\x9b" "2J\x1b[31m\xe2\x80\xae" "cod.exe"
	    "\r\n[emerg] forged\x7f\\x41", "No such file");
	text = log_text();
	cr_expect_not_null(strstr(text, "open /a\\xc2\\x9b2J\\x1b[31m"
	    "\\xe2\\x80\\xaecod.exe\\x0d\\x0a[emerg] forged\\x7f\\\\x41: No "
	    "such file\n"), "%s", text);
	for (p = text; *p != '\0'; p++)
		cr_expect((*p >= 0x20 && *p < 0x7f) || *p == '\n',
		    "raw byte 0x%02x at %td", (unsigned char)*p, p - text);
	cr_expect_eq(strchr(text, '\n')[1], '\0', "one line: %s", text);
	free(text);
}

/* A message longer than a line is cut whole, still one line. */
Test(log, long_message_cut_to_one_line)
{
	char	*big = malloc(10000), *text;

	cr_assert_not_null(big);
	memset(big, '\x9b', 9999);
	big[9999] = '\0';
	log_error("x%s", big);
	text = log_text();
	cr_expect_eq(strchr(text, '\n')[1], '\0', "one line");
	cr_expect_lt(strlen(text), 2049);
	/* Cut at an escape boundary: the line ends with a whole \x9b. */
	cr_expect_not_null(strstr(text, "\\x9b\n"), "%s", text + strlen(text)
	    - 20);
	free(big);
	free(text);
}
