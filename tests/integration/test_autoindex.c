/*
 * test_autoindex: directory listings against the real binary over real
 * sockets — hostile names escaped in the HTML and the JSON and every link
 * leading back to its file, the order (directories first, then bytes),
 * hidden names, FIFOs, sockets and symlinks out of the root left out,
 * sizes and dates, the parent link, HEAD, autoindex off and index files
 * first, the cut past autoindex_max_entries and past the scan bound, the
 * cut past the byte cap and the worker's budget of listings in flight,
 * per vhost and per location, and the config errors tine -t reports.
 */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "expect.h"
#include "harness.h"
#include "../json_check.h"

#define AI_MTIME	1614834367	/* 2021-03-04T05:06:07Z */
#define AI_JSON_MAX	64		/* objects a test reads back */
#define AI_FFFD		"\xef\xbf\xbd"

/* One entry of the hostile directory, in the order a listing shows it:
 * its name on disk, its link, its HTML text, whether it is a directory. */
static const struct ai_name {
	const char	*name;
	const char	*href;
	const char	*text;
	int		 dir;
} ai_names[] = {
	{ "Zdir", "Zdir/", "Zdir/", 1 },
	{ "link-dir", "link-dir/", "link-dir/", 1 },
	{ "sub", "sub/", "sub/", 1 },
	{ "100%", "100%25", "100%", 0 },
	{ "<img src=x onerror=alert(1)>",
	  "%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E",
	  "&lt;img src=x onerror=alert(1)&gt;", 0 },
	{ "<script>", "%3Cscript%3E", "&lt;script&gt;", 0 },
	{ "a&b", "a%26b", "a&amp;b", 0 },
	{ "a:b", "a%3Ab", "a:b", 0 },
	{ "bad\xff", "bad%FF", "bad" AI_FFFD, 0 },
	{ "f00", "f00", "f00", 0 },
	{ "h#sh", "h%23sh", "h#sh", 0 },
	{ "link-in", "link-in", "link-in", 0 },
	{ "new\nline", "new%0Aline", "new" AI_FFFD "line", 0 },
	{ "q\"uote", "q%22uote", "q&quot;uote", 0 },
	{ "q?x", "q%3Fx", "q?x", 0 },
	{ "s'q", "s%27q", "s&#39;q", 0 },
	{ "sp ace", "sp%20ace", "sp ace", 0 },
	{ "\xc3\xa9t\xc3\xa9", "%C3%A9t%C3%A9", "\xc3\xa9t\xc3\xa9", 0 },
};

/* What the hostile directory holds that no listing may show. */
static const char *const ai_hidden[] = {
	".hidden", ".git", "fifo", "sock", "link-out", "link-up", "dangling",
	"loop",
};

/* docroot/rel as a path in buf. */
static char *
ai_path(struct tine *t, const char *rel, char *buf)
{
	return tine_path(buf, t->docroot, rel);
}

/* A file docroot/rel of size bytes (sparse) with the fixed mtime. */
static void
ai_file(struct tine *t, const char *rel, off_t size)
{
	struct timespec	ts[2] = { { AI_MTIME, 0 }, { AI_MTIME, 0 } };
	char		p[TINE_PATH_MAX];
	int		fd;

	ai_path(t, rel, p);
	cr_assert_neq(fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644), -1, "%s: %s", p, strerror(errno));
	cr_assert_eq(ftruncate(fd, size), 0);
	cr_assert_eq(futimens(fd, ts), 0);
	close(fd);
}

/* A directory docroot/rel. */
static void
ai_dir(struct tine *t, const char *rel)
{
	char	p[TINE_PATH_MAX];

	cr_assert_eq(mkdir(ai_path(t, rel, p), 0755), 0, "%s: %s", p,
	    strerror(errno));
}

/* A symlink docroot/rel to target. */
static void
ai_link(struct tine *t, const char *rel, const char *target)
{
	char	p[TINE_PATH_MAX];

	cr_assert_eq(symlink(target, ai_path(t, rel, p)), 0, "%s", p);
}

/* A UNIX socket file at docroot/rel (closed at once). */
static void
ai_socket(struct tine *t, const char *rel)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	cr_assert_lt(strlen(t->docroot) + strlen(rel) + 2,
	    sizeof(sun.sun_path));
	ai_path(t, rel, sun.sun_path);
	cr_assert_neq(fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
}

/* docroot/files: the hostile names, hidden ones, a FIFO, a socket, and
 * symlinks in and out of the root. */
static void
ai_hostile(struct tine *t)
{
	char	rel[128], p[TINE_PATH_MAX];
	size_t	i;

	ai_dir(t, "files");
	for (i = 0; i < sizeof(ai_names) / sizeof(ai_names[0]); i++) {
		snprintf(rel, sizeof(rel), "files/%s", ai_names[i].name);
		if (strncmp(ai_names[i].name, "link-", 5) == 0)
			continue;
		if (ai_names[i].dir)
			ai_dir(t, rel);
		else
			ai_file(t, rel, (off_t)i);
	}
	ai_link(t, "files/link-in", "f00");
	ai_link(t, "files/link-dir", "sub");
	ai_file(t, "files/.hidden", 1);
	ai_dir(t, "files/.git");
	cr_assert_eq(mkfifo(ai_path(t, "files/fifo", p), 0644), 0);
	ai_socket(t, "files/sock");
	ai_link(t, "files/link-out", "/etc/passwd");
	ai_link(t, "files/link-up", "../../outside.txt");
	cr_assert_eq(tine_write_file(tine_path(p, t->dir, "outside.txt"),
	    "out\n", 4, 0644), 0);
	ai_link(t, "files/dangling", "nowhere");
	ai_link(t, "files/loop", "loop");
}

/* Send method path with this Host and extra lines; the answer in *r. */
static void
ai_ask(struct tine *t, const char *method, const char *host,
    const char *path, struct tine_resp *r)
{
	cr_assert_eq(tine_ask(t, method, host, path, NULL, r), 0,
	    "%s %s%s: no answer", method, host, path);
}

/* How many times needle occurs in the body. */
static int
ai_count(const struct tine_resp *r, const char *needle)
{
	const char	*p = r->body;
	int		 n = 0;

	while ((p = memmem(p, r->bodylen - (size_t)(p - r->body), needle,
	    strlen(needle))) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* Expect a 200 listing of this type, with no validators and no-cache. */
static void
ai_expect_listing(const struct tine_resp *r, const char *type)
{
	expect_status(r, 200);
	expect_type(r, type);
	expect_length(r, r->bodylen);
	expect_hdr(r, "Cache-Control", "no-cache");
	cr_expect_null(tine_resp_header(r, "ETag"));
	cr_expect_null(tine_resp_header(r, "Last-Modified"));
}

/* The hostile directory as HTML: every name once, in order, as a link
 * and as text, each escaped; nothing hidden; a title and a parent link. */
static void
ai_expect_hostile_html(const struct tine_resp *r)
{
	const char	*p = r->body, *q;
	char		 want[512];
	size_t		 i;

	ai_expect_listing(r, "text/html");
	cr_expect_not_null(strstr(r->body, "<title>Index of /files/</title>"),
	    "%s", r->body);
	p = strstr(r->body, "<a href=\"../\">../</a>");
	cr_assert_not_null(p, "no parent link: %s", r->body);
	for (i = 0; i < sizeof(ai_names) / sizeof(ai_names[0]); i++) {
		snprintf(want, sizeof(want), "<a href=\"%s\">%s</a>",
		    ai_names[i].href, ai_names[i].text);
		q = strstr(p, want);
		cr_expect_not_null(q, "%s missing or out of order in %s", want,
		    r->body);
		if (q != NULL)
			p = q + strlen(want);
	}
	cr_expect_eq(ai_count(r, "<a href="), 1 + (int)(sizeof(ai_names) /
	    sizeof(ai_names[0])), "%s", r->body);
	cr_expect_null(strstr(r->body, "<script>"));
	cr_expect_null(strstr(r->body, "<img"));
	for (i = 0; i < sizeof(ai_hidden) / sizeof(ai_hidden[0]); i++)
		cr_expect_null(strstr(r->body, ai_hidden[i]), "%s listed",
		    ai_hidden[i]);
	cr_expect_null(tine_resp_header(r, "Listing-Truncated"));
}

/* The hostile directory: sorted and escaped; every link leads to its
 * entry (a name with a control byte is one tine refuses: 400). */
Test(autoindex, hostile_names, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = tine_setup("autoindex = on");
	struct tine_resp	 r;
	char			 path[256];
	size_t			 i;

	cr_assert_not_null(t);
	ai_hostile(t);
	cr_assert_eq(tine_start(t), 0);
	ai_ask(t, "GET", "x", "/files/", &r);
	ai_expect_hostile_html(&r);
	tine_resp_free(&r);
	for (i = 0; i < sizeof(ai_names) / sizeof(ai_names[0]); i++) {
		snprintf(path, sizeof(path), "/files/%s", ai_names[i].href);
		ai_ask(t, "GET", "x", path, &r);
		cr_expect_eq(r.status, strchr(ai_names[i].name, '\n') != NULL ?
		    400 : 200, "%s: %d", path, r.status);
		tine_resp_free(&r);
	}
	tine_stop(t);
}

/* The bytes of a JSON string's contents (no quotes) into out; -1 when it
 * holds an escape this reader does not decode. */
static int
ai_unjson(const char *s, size_t len, char *out, size_t outlen)
{
	unsigned int	cp;
	size_t		i, o = 0;

	for (i = 0; i < len && o + 4 < outlen; i++) {
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		if (++i < len && (s[i] == '"' || s[i] == '\\' || s[i] == '/')) {
			out[o++] = s[i];
			continue;
		}
		if (i + 4 >= len || s[i] != 'u' ||
		    sscanf(s + i + 1, "%4x", &cp) != 1)
			return -1;
		i += 4;
		if (cp < 0x80)
			out[o++] = (char)cp;
		else if (cp == 0xfffd)
			o += (size_t)snprintf(out + o, outlen - o, AI_FFFD);
		else
			return -1;
	}
	out[o] = '\0';
	return i == len ? 0 : -1;
}

/* Skip the blanks a JSON listing has between its values. */
static const char *
ai_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n'))
		p++;
	return p;
}

/* Parse a JSON array of flat objects (each checked strictly by
 * json_object); the fields of each into f, their counts into nf; the
 * number of objects, -1 when the text is not such an array. */
static int
ai_json_array(const char *s, size_t len, struct json_field f[][8], int *nf,
    int max)
{
	const char	*p = s, *end = s + len, *o;
	int		 n = 0, instr;

	p = ai_blanks(p, end);
	if (p == end || *p++ != '[')
		return -1;
	for (;;) {
		p = ai_blanks(p, end);
		if (p < end && *p == ']' && n == 0)
			break;
		if (p == end || *p != '{' || n == max)
			return -1;
		for (o = p, instr = 0; p < end && (instr || *p != '}'); p++)
			if (*p == '\\' && instr)
				p++;
			else if (*p == '"')
				instr = !instr;
		if (p == end || (nf[n] = json_object(o, (size_t)(p + 1 - o),
		    f[n], 8)) == -1)
			return -1;
		n++;
		p = ai_blanks(p + 1, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p == end || *p != ']')
			return -1;
		break;
	}
	return ai_blanks(p + 1, end) == end ? n : -1;
}

/* The JSON listing of the hostile directory: valid, and the names, types
 * and links read back are those on disk, in the HTML's order. */
Test(autoindex, hostile_json, .fini = tine_teardown, .timeout = 60)
{
	static struct json_field	 f[AI_JSON_MAX][8];
	struct tine			*t = tine_setup("autoindex = on");
	struct tine_resp		 r;
	int				 nf[AI_JSON_MAX], n, i;
	char				 raw[1024], name[512], want[512];

	cr_assert_not_null(t);
	ai_hostile(t);
	cr_assert_eq(tine_start(t), 0);
	ai_ask(t, "GET", "x", "/files/?format=json", &r);
	ai_expect_listing(&r, "application/json");
	n = ai_json_array(r.body, r.bodylen, f, nf, AI_JSON_MAX);
	cr_assert_eq(n, (int)(sizeof(ai_names) / sizeof(ai_names[0])),
	    "%d objects in %s", n, r.body);
	for (i = 0; i < n; i++) {
		cr_assert_not_null(json_get(f[i], nf[i], "name", raw,
		    sizeof(raw)));
		cr_assert_eq(ai_unjson(raw + 1, strlen(raw) - 2, name,
		    sizeof(name)), 0, "%s", raw);
		/* A byte that is no UTF-8 comes back as U+FFFD. */
		snprintf(want, sizeof(want), "%s", strcmp(ai_names[i].name,
		    "bad\xff") == 0 ? "bad" AI_FFFD : ai_names[i].name);
		cr_expect_str_eq(name, want, "object %d", i);
		snprintf(want, sizeof(want), "\"%s\"", ai_names[i].href);
		cr_expect_str_eq(json_get(f[i], nf[i], "href", raw,
		    sizeof(raw)), want);
		cr_expect_str_eq(json_get(f[i], nf[i], "type", raw,
		    sizeof(raw)), ai_names[i].dir ? "\"directory\"" :
		    "\"file\"");
	}
	cr_expect_null(strstr(r.body, "<"), "%s", r.body);
	tine_resp_free(&r);
	tine_stop(t);
}

/* Sizes for people, dates in UTC, and the same as numbers and ISO 8601
 * in JSON; a symlink listed as its target. */
Test(autoindex, sizes_dates, .fini = tine_teardown, .timeout = 60)
{
	static const struct { const char *name; off_t size; const char *h; }
	    c[] = {
		{ "b0500", 500, "500" },
		{ "b1023", 1023, "1023" },
		{ "k1024", 1024, "1.0K" },
		{ "k3000", 3000, "2.9K" },
		{ "k20000", 20000, "20K" },
		{ "m1500000", 1500000, "1.4M" },
		{ "g5", 5LL << 30, "5.0G" },
		{ "z-link", 3000, "2.9K" },
	};
	struct tine		*t = tine_setup("autoindex = on");
	struct tine_resp	 r;
	char			 want[256], rel[64];
	size_t			 i;

	cr_assert_not_null(t);
	ai_dir(t, "sizes");
	for (i = 0; i + 1 < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(rel, sizeof(rel), "sizes/%s", c[i].name);
		ai_file(t, rel, c[i].size);
	}
	ai_link(t, "sizes/z-link", "k3000");
	cr_assert_eq(tine_start(t), 0);
	ai_ask(t, "GET", "x", "/sizes/", &r);
	ai_expect_listing(&r, "text/html");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(want, sizeof(want), "<a href=\"%s\">%s</a></td><td>"
		    "2021-03-04 05:06</td><td>%s</td>", c[i].name, c[i].name,
		    c[i].h);
		cr_expect_not_null(strstr(r.body, want), "%s in %s", want,
		    r.body);
	}
	tine_resp_free(&r);
	ai_ask(t, "GET", "x", "/sizes/?format=json", &r);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(want, sizeof(want), "{\"name\":\"%s\",\"type\":"
		    "\"file\",\"size\":%lld,\"mtime\":\"2021-03-04T05:06:07Z\"",
		    c[i].name, (long long)c[i].size);
		cr_expect_not_null(strstr(r.body, want), "%s in %s", want,
		    r.body);
	}
	tine_resp_free(&r);
	tine_stop(t);
}

/* The root has no parent link; HEAD has the GET's head and no body; a
 * directory without its slash is still a 301; which queries ask for
 * JSON. */
Test(autoindex, root_head_slash_query, .fini = tine_teardown, .timeout = 60)
{
	static const struct { const char *q; const char *type; } qs[] = {
		{ "?format=json", "application/json" },
		{ "?a=1&format=json", "application/json" },
		{ "?format=json&b", "application/json" },
		{ "?format=JSON", "text/html" },
		{ "?format=jsonx", "text/html" },
		{ "?xformat=json", "text/html" },
		{ "?", "text/html" },
	};
	struct tine		*t = tine_setup("autoindex = on");
	struct tine_resp	 r, h;
	struct tine_raw		 raw;
	const char		*req = "HEAD /sub/ HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n";
	char			 p[TINE_PATH_MAX], path[64];
	size_t			 i;

	cr_assert_not_null(t);
	cr_assert_eq(unlink(ai_path(t, "index.html", p)), 0);
	ai_dir(t, "sub");
	ai_file(t, "sub/x.txt", 10);
	cr_assert_eq(tine_start(t), 0);
	ai_ask(t, "GET", "x", "/", &r);
	ai_expect_listing(&r, "text/html");
	cr_expect_not_null(strstr(r.body, "<title>Index of /</title>"));
	cr_expect_not_null(strstr(r.body, "<a href=\"sub/\">sub/</a>"));
	cr_expect_null(strstr(r.body, "../"), "%s", r.body);
	tine_resp_free(&r);
	ai_ask(t, "GET", "x", "/sub/", &r);
	ai_ask(t, "HEAD", "x", "/sub/", &h);
	expect_status(&h, 200);
	cr_expect_str_eq(tine_resp_header(&h, "Content-Length"),
	    tine_resp_header(&r, "Content-Length"));
	expect_hdr(&h, "Cache-Control", "no-cache");
	tine_resp_free(&h);
	tine_resp_free(&r);
	cr_assert_eq(tine_exchange(AF_INET, t->port, req, strlen(req),
	    TINE_TIMEOUT_MS, &raw), 0);
	cr_expect(raw.len > 4 && strcmp(raw.data + raw.len - 4, "\r\n\r\n") ==
	    0, "HEAD sent a body: %s", raw.data);
	tine_raw_free(&raw);
	ai_ask(t, "GET", "x", "/sub", &r);
	expect_status(&r, 301);
	expect_hdr(&r, "Location", "/sub/");
	tine_resp_free(&r);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		snprintf(path, sizeof(path), "/sub/%s", qs[i].q);
		ai_ask(t, "GET", "x", path, &r);
		ai_expect_listing(&r, qs[i].type);
		tine_resp_free(&r);
	}
	tine_stop(t);
}

/* Off by default (403), per vhost either way; an index file comes first;
 * hidden names with hidden_files = allow (never "." or ".."). */
Test(autoindex, on_off_index_hidden, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = tine_setup("vhost \"on.test\" {\n"
	    "  autoindex = on\n}\n"
	    "vhost \"dots.test\" {\n  autoindex = on\n"
	    "  hidden_files = allow\n}\n");
	struct tine_resp	 r;

	cr_assert_not_null(t);
	ai_dir(t, "d");
	ai_file(t, "d/f", 1);
	ai_file(t, "d/.dot", 1);
	ai_dir(t, "withindex");
	cr_assert_eq(tine_put(t, "withindex/index.html", "the index\n"), 0);
	cr_assert_eq(tine_start(t), 0);
	ai_ask(t, "GET", "x", "/d/", &r);
	expect_error(&r, 403, 0, 1);
	tine_resp_free(&r);
	ai_ask(t, "GET", "x", "/d/?format=json", &r);
	expect_error(&r, 403, 0, 1);
	tine_resp_free(&r);
	ai_ask(t, "GET", "on.test", "/d/", &r);
	ai_expect_listing(&r, "text/html");
	cr_expect_not_null(strstr(r.body, "<a href=\"f\">f</a>"));
	cr_expect_null(strstr(r.body, "dot"), "%s", r.body);
	tine_resp_free(&r);
	ai_ask(t, "GET", "on.test", "/withindex/", &r);
	expect_body(&r, "the index\n", 10);
	tine_resp_free(&r);
	ai_ask(t, "GET", "dots.test", "/d/", &r);
	ai_expect_listing(&r, "text/html");
	cr_expect_not_null(strstr(r.body, "<a href=\".dot\">.dot</a>"));
	cr_expect_eq(ai_count(&r, "<a href="), 3, "%s", r.body);
	tine_resp_free(&r);
	tine_stop(t);
	t = tine_setup("autoindex = on\n"
	    "vhost \"off.test\" { autoindex = off }");
	cr_assert_not_null(t);
	ai_dir(t, "d");
	cr_assert_eq(tine_start(t), 0);
	ai_ask(t, "GET", "off.test", "/d/", &r);
	expect_error(&r, 403, 0, 1);
	tine_resp_free(&r);
	ai_ask(t, "GET", "x", "/d/", &r);
	ai_expect_listing(&r, "text/html");
	tine_resp_free(&r);
	tine_stop(t);
}

/* n empty files docroot/dir/PREFIXnn. */
static void
ai_many(struct tine *t, const char *dir, const char *prefix, int n)
{
	char	rel[128];
	int	i;

	ai_dir(t, dir);
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "%s/%s%02d", dir, prefix, i);
		ai_file(t, rel, 0);
	}
}

/* Past autoindex_max_entries the listing is cut and says so, in the page
 * and in a header; exactly that many is whole; a directory of hidden
 * names is cut by the scan bound even if little is shown. */
Test(autoindex, cut, .fini = tine_teardown, .timeout = 60)
{
	static struct json_field	 f[AI_JSON_MAX][8];
	struct tine			*t = tine_setup("autoindex = on\n"
	    "autoindex_max_entries = 5");
	struct tine_resp		 r;
	int				 nf[AI_JSON_MAX];

	cr_assert_not_null(t);
	ai_many(t, "many", "f", 40);
	ai_many(t, "five", "f", 5);
	ai_many(t, "dots", ".h", 30);
	ai_file(t, "dots/v", 0);
	cr_assert_eq(tine_start(t), 0);
	ai_ask(t, "GET", "x", "/many/", &r);
	ai_expect_listing(&r, "text/html");
	expect_hdr(&r, "Listing-Truncated", "true");
	cr_expect_eq(ai_count(&r, "<tr><td><a href=\"f"), 5, "%s", r.body);
	cr_expect_not_null(strstr(r.body, "cut short: 5 entries"), "%s",
	    r.body);
	tine_resp_free(&r);
	ai_ask(t, "GET", "x", "/many/?format=json", &r);
	ai_expect_listing(&r, "application/json");
	expect_hdr(&r, "Listing-Truncated", "true");
	cr_expect_eq(ai_json_array(r.body, r.bodylen, f, nf, AI_JSON_MAX), 5,
	    "%s", r.body);
	tine_resp_free(&r);
	ai_ask(t, "GET", "x", "/five/", &r);
	ai_expect_listing(&r, "text/html");
	cr_expect_null(tine_resp_header(&r, "Listing-Truncated"));
	cr_expect_eq(ai_count(&r, "<tr><td><a href=\"f"), 5, "%s", r.body);
	cr_expect_null(strstr(r.body, "cut short"));
	tine_resp_free(&r);
	ai_ask(t, "GET", "x", "/dots/", &r);
	ai_expect_listing(&r, "text/html");
	expect_hdr(&r, "Listing-Truncated", "true");
	cr_expect_leq(ai_count(&r, "<tr><td><a href=\"v\""), 1);
	cr_expect_null(strstr(r.body, ".h"), "%s", r.body);
	tine_resp_free(&r);
	tine_stop(t);
}

/* 64 names made in an order that is not the listing's: the listing is
 * in byte order (uppercase before lowercase, digits before both), with
 * enough entries that qsort(3) takes its allocating path under the
 * sandbox. */
Test(autoindex, sorted_many, .fini = tine_teardown, .timeout = 60)
{
	static const char	 first[] = "9Za_z";
	struct tine		*t = tine_setup("autoindex = on");
	struct tine_resp	 r;
	const char		*p;
	char			 rel[64], prev[64] = "", name[64];
	int			 i, n = 0;

	cr_assert_not_null(t);
	ai_dir(t, "s");
	for (i = 63; i >= 0; i--) {
		snprintf(rel, sizeof(rel), "s/%c%02d", first[i % 5], i);
		ai_file(t, rel, 0);
	}
	cr_assert_eq(tine_start(t), 0);
	ai_ask(t, "GET", "x", "/s/", &r);
	ai_expect_listing(&r, "text/html");
	for (p = r.body; (p = strstr(p, "<tr><td><a href=\"")) != NULL;
	    p += 17) {
		if (strncmp(p + 17, "../", 3) == 0)
			continue;
		cr_assert_eq(sscanf(p + 17, "%63[^\"]", name), 1);
		cr_expect_gt(strcmp(name, prev), 0, "%s after %s", name, prev);
		snprintf(prev, sizeof(prev), "%s", name);
		n++;
	}
	cr_expect_eq(n, 64, "%s", r.body);
	tine_resp_free(&r);
	tine_stop(t);
}

/* A connection that takes almost nothing, so that the server cannot
 * finish sending it a big listing (and holds it); -1 on failure. */
static int
ai_slow_conn(int port)
{
	struct sockaddr_in	sin;
	struct timeval		tv = { TINE_TIMEOUT_MS / 1000, 0 };
	int			fd, small = 4096;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ==
	    -1 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ==
	    -1 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The status of the answer arriving on fd (its first 12 bytes), or -1. */
static int
ai_slow_status(int fd)
{
	char	line[13];

	if (recv(fd, line, 12, MSG_WAITALL) != 12 ||
	    strncmp(line, "HTTP/1.1 ", 9) != 0)
		return -1;
	line[12] = '\0';
	return atoi(line + 9);
}

/* Whether GET /big/ is answered 200 (the listings held are gone). */
static int
ai_big_ok(void *arg)
{
	struct tine_resp	r;
	int			ok;

	if (tine_ask(arg, "GET", "x", "/big/", NULL, &r) != 0)
		return 0;
	ok = r.status == 200;
	tine_resp_free(&r);
	return ok;
}

/* Names of 5 digits and 245 '&': 2 KiB of row each (&amp;, %26), so
 * that this many pass 4 MiB of page. */
#define AI_BIG_FILES	2600
#define AI_BIG_CONNS	20	/* 16 listings of 4 MiB fill 64 MiB */

/* A page past AUTOINDEX_BODY_MAX (4 MiB) is cut and says so; a worker
 * holds at most AUTOINDEX_HELD_MAX (64 MiB) of listings its clients have
 * not taken: 16 near-4 MiB pages, then 503 until some are gone. */
Test(autoindex, byte_cap_and_budget, .fini = tine_teardown, .timeout = 120)
{
	struct tine		*t = tine_setup("autoindex = on\n"
	    "autoindex_max_entries = 100000\nworkers = 1");
	struct tine_resp	 r;
	char			 name[256], amps[246], p1[TINE_PATH_MAX];
	int			 fd[AI_BIG_CONNS], i, n200 = 0, n503 = 0, shown;
	int			 dfd, f;
	const char		*p;
	const char		*req = "GET /big/ HTTP/1.1\r\nHost: x\r\n\r\n";

	cr_assert_not_null(t);
	ai_dir(t, "big");
	cr_assert_neq(dfd = open(ai_path(t, "big", p1), O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC), -1);
	memset(amps, '&', sizeof(amps) - 1);
	amps[sizeof(amps) - 1] = '\0';
	for (i = 0; i < AI_BIG_FILES; i++) {
		snprintf(name, sizeof(name), "%05d%s", i, amps);
		cr_assert_neq(f = openat(dfd, name, O_WRONLY | O_CREAT |
		    O_CLOEXEC, 0644), -1, "%s", strerror(errno));
		close(f);
	}
	close(dfd);
	cr_assert_eq(tine_start(t), 0);
	ai_ask(t, "GET", "x", "/big/", &r);
	ai_expect_listing(&r, "text/html");
	expect_hdr(&r, "Listing-Truncated", "true");
	cr_expect_leq(r.bodylen, 4 * 1024 * 1024);
	cr_expect_gt(r.bodylen, 4 * 1024 * 1024 - 4096);
	cr_assert_not_null(p = strstr(r.body, "cut short: "), "%.200s",
	    r.body + r.bodylen - 200);
	shown = atoi(p + 11);
	cr_expect(shown > 1000 && shown < AI_BIG_FILES, "%d shown", shown);
	cr_expect_not_null(strstr(r.body, "1&amp;&amp;"));
	cr_expect_eq(ai_count(&r, "<tr><td><a href=\"0"), shown);
	cr_expect_eq(memcmp(r.body + r.bodylen - 15, "</body></html>\n", 15),
	    0);
	tine_resp_free(&r);
	for (i = 0; i < AI_BIG_CONNS; i++) {
		cr_assert_neq(fd[i] = ai_slow_conn(t->port), -1);
		cr_assert_eq(send(fd[i], req, strlen(req), MSG_NOSIGNAL),
		    (ssize_t)strlen(req));
	}
	/* Every status is read before any connection closes. */
	for (i = 0; i < AI_BIG_CONNS; i++)
		switch (ai_slow_status(fd[i])) {
		case 200:
			n200++;
			break;
		case 503:
			n503++;
			break;
		default:
			cr_expect_fail("connection %d: no status", i);
		}
	for (i = 0; i < AI_BIG_CONNS; i++)
		close(fd[i]);
	cr_expect_eq(n200, 16, "%d answered 200, %d 503", n200, n503);
	cr_expect_eq(n503, AI_BIG_CONNS - 16);
	cr_expect_eq(tine_wait_until(ai_big_ok, t, TINE_TIMEOUT_MS), 0);
	cr_expect_geq(tine_count(t->error_log, "answered 503"), 1);
	tine_stop(t);
}

/* tine -t takes both options in their ranges; for a value out of them
 * it names the file, the line and the key. */
Test(autoindex, config_errors, .fini = tine_teardown, .timeout = 60)
{
	static const struct { const char *conf, *want; } c[] = {
		{ "autoindex = maybe", "invalid boolean value for option "
		  "'autoindex'" },
		{ "vhost \"a.test\" {\n  autoindex = onn\n}",
		  "invalid boolean value for option 'autoindex'" },
		{ "autoindex_max_entries = 0",
		  "autoindex_max_entries: must be 1..100000, got 0" },
		{ "autoindex_max_entries = 100001",
		  "autoindex_max_entries: must be 1..100000" },
	};
	struct tine	*t;
	char		*err;
	size_t		 i;
	int		 status;

	cr_assert_not_null(t = tine_setup("autoindex = on\n"
	    "autoindex_max_entries = 100000\n"
	    "vhost \"a.test\" { autoindex = off }\n"));
	err = tine_check(t, &status);
	cr_expect_eq(status, 0, "refused: %s", err);
	free(err);
	tine_stop(t);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cr_assert_not_null(t = tine_setup(c[i].conf));
		err = tine_check(t, &status);
		cr_expect_eq(status, 1, "case %zu accepted", i);
		cr_expect_not_null(err);
		cr_expect_not_null(err != NULL ? strstr(err, c[i].want) : NULL,
		    "case %zu: want \"%s\" in %s", i, c[i].want, err);
		cr_expect(err != NULL && strncmp(err, "tine.conf:", 10) == 0 &&
		    err[10] >= '1' && err[10] <= '9', "case %zu: %s", i, err);
		free(err);
		tine_stop(t);
	}
}

/* Per location: on for a path (and below it) of a site where it is off,
 * off for a path of a site where it is on; a location's hidden_files
 * and its own Cache-Control, which then replaces no-cache. */
Test(autoindex, per_location, .fini = tine_teardown, .timeout = 60)
{
	struct tine		*t = tine_setup(
	    "location \"/downloads/\" { autoindex = on }\n"
	    "location \"/downloads/dots/\" { autoindex = on\n"
	    "  hidden_files = allow }\n"
	    "location \"/cached/\" { autoindex = on\n"
	    "  headers = {\"cache-control: max-age=60\", \"X-A: 1\"} }\n"
	    "vhost \"all.test\" {\n  autoindex = on\n"
	    "  location \"/closed/\" { autoindex = off }\n}\n");
	struct tine_resp	 r;

	cr_assert_not_null(t);
	ai_dir(t, "downloads");
	ai_dir(t, "downloads/sub");
	ai_file(t, "downloads/sub/f", 1);
	ai_dir(t, "downloads/dots");
	ai_file(t, "downloads/dots/.dot", 1);
	ai_dir(t, "cached");
	ai_dir(t, "closed");
	ai_dir(t, "closed/x");
	ai_dir(t, "other");
	cr_assert_eq(tine_start(t), 0);
	ai_ask(t, "GET", "x", "/downloads/", &r);
	ai_expect_listing(&r, "text/html");
	cr_expect_not_null(strstr(r.body, "<a href=\"sub/\">sub/</a>"));
	tine_resp_free(&r);
	ai_ask(t, "GET", "x", "/downloads/sub/", &r);
	ai_expect_listing(&r, "text/html");
	cr_expect_not_null(strstr(r.body, "<a href=\"f\">f</a>"));
	tine_resp_free(&r);
	ai_ask(t, "GET", "x", "/downloads/dots/", &r);
	ai_expect_listing(&r, "text/html");
	cr_expect_not_null(strstr(r.body, "<a href=\".dot\">.dot</a>"));
	tine_resp_free(&r);
	ai_ask(t, "GET", "x", "/other/", &r);
	expect_error(&r, 403, 0, 1);
	tine_resp_free(&r);
	ai_ask(t, "GET", "x", "/cached/", &r);
	expect_status(&r, 200);
	expect_type(&r, "text/html");
	cr_expect_eq(tine_resp_count(&r, "Cache-Control"), 1);
	expect_hdr(&r, "Cache-Control", "max-age=60");
	expect_hdr(&r, "X-A", "1");
	tine_resp_free(&r);
	ai_ask(t, "GET", "all.test", "/other/", &r);
	ai_expect_listing(&r, "text/html");
	tine_resp_free(&r);
	ai_ask(t, "GET", "all.test", "/closed/", &r);
	expect_error(&r, 403, 0, 1);
	tine_resp_free(&r);
	ai_ask(t, "GET", "all.test", "/closed/x/", &r);
	expect_error(&r, 403, 0, 1);
	tine_resp_free(&r);
	tine_stop(t);
}
