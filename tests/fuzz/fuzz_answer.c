/*
 * fuzz_answer: libFuzzer target for the worker's answer. The input is what
 * a client sends on one connection; each request in it goes through
 * http_parse, then static_serve (or static_error, as conn.c answers a bad
 * or stalled request) from one of three client addresses (by the input's
 * length) to sites with access rules and Basic auth among others,
 * against a document root made once: long
 * Content-Types, a 5 GiB sparse file, directories with and without an
 * index (listed: autoindex, cut past a few entries), symlinks inside and
 * out, a FIFO, a socket, odd and hostile names, and precompressed
 * siblings (.br, .gz) that are usable, older than their file, not regular
 * files or unreadable. Every
 * response must be framed: one blank line, at the end of the head; header
 * lines that end in CRLF and hold no CR, LF or NUL; a status line that
 * says r->status; a Content-Length equal to body_len and to the bytes of
 * the segments; file ranges inside the file; no body for HEAD; no
 * listing bytes left counted once a response is done with.
 */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <crypt.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "autoindex.h"
#include "access.h"
#include "cidr.h"
#include "config.h"
#include "date.h"
#include "fcache.h"
#include "http.h"
#include "log.h"
#include "mime.h"
#include "scoreboard.h"
#include "static.h"
#include "worker.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fcache.c keeps at most 2048 entries, each with its descriptor open. */
#define FUZZ_FDS_MAX	(2048 + 64)
#define FUZZ_FD_EVERY	1024		/* inputs between descriptor counts */
#define FUZZ_SPARSE	(5LL << 30)	/* never written: costs no disk */
#define FUZZ_MEDIUM	(100 * 1024)	/* past fcache's 32 KiB: sendfile */

/* 120 two-byte UTF-8 letters: 240 bytes, 720 once percent-encoded; three
 * levels of it make a Location too long to send. */
#define FUZZ_E4		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
#define FUZZ_E20	FUZZ_E4 FUZZ_E4 FUZZ_E4 FUZZ_E4 FUZZ_E4
#define FUZZ_E120	FUZZ_E20 FUZZ_E20 FUZZ_E20 FUZZ_E20 FUZZ_E20 FUZZ_E20

/* The longest type mime.c keeps is 127 bytes; text/ gains a charset. */
#define FUZZ_T127	"text/x-tine-fuzz-long-long-long-long-long-long-long-" \
			"long-long-long-long-long-long-long-long-long-long-" \
			"long-long-type"
/* default_type takes parameters and has no length limit. */
#define FUZZ_SITES	7	/* the top level and the vhosts of the config */
#define FUZZ_PEERS	3	/* client addresses a request may come from */
#define FUZZ_DEFTYPE	"application/x-tine-fuzz-default; note=" \
			"a-default-type-long-enough-to-make-every-part-header-" \
			"of-a-multipart-answer-longer-than-its-share-of-a-" \
			"fixed-buffer; second=the-same-again-with-more-words-" \
			"so-that-the-type-alone-is-past-two-hundred-and-fifty-" \
			"bytes; third=end"

#define FUZZ_OLDTIME	1000000000	/* 2001: before every file made */

enum fuzz_kind {
	FUZZ_DIR, FUZZ_TEXT, FUZZ_EMPTY, FUZZ_MEDIUMF, FUZZ_SPARSEF,
	FUZZ_LINK, FUZZ_FIFO, FUZZ_SOCK, FUZZ_NOPERM, FUZZ_OLD
};

/* What the generated document root holds, parents before children. */
static const struct fuzz_node {
	enum fuzz_kind	 kind;
	const char	*name;
	const char	*arg;		/* contents or link target */
} fuzz_nodes[] = {
	{ FUZZ_TEXT, "index.html", "<!DOCTYPE html>\n<p>home</p>\n" },
	{ FUZZ_TEXT, "a.txt", "0123456789abcdefghijklmnopqrstuvwxyz\n" },
	{ FUZZ_TEXT, "deck.pptx", "PK\3\4 not really a deck" },
	{ FUZZ_TEXT, "notes.long", "a text file with the longest type\n" },
	{ FUZZ_TEXT, "noext", "served with the long default_type\n" },
	{ FUZZ_EMPTY, "empty", NULL },
	{ FUZZ_MEDIUMF, "medium.bin", NULL },
	{ FUZZ_SPARSEF, "huge", NULL },
	{ FUZZ_SPARSEF, "huge.long", NULL },
	{ FUZZ_SPARSEF, "huge.pptx", NULL },
	{ FUZZ_DIR, "dir", NULL },
	{ FUZZ_TEXT, "dir/index.html", "<p>dir</p>\n" },
	{ FUZZ_DIR, "dir/sub", NULL },
	{ FUZZ_TEXT, "dir/sub/index.htm", "<p>sub</p>\n" },
	{ FUZZ_DIR, "noindex", NULL },
	{ FUZZ_TEXT, "noindex/file.txt", "no index here\n" },
	{ FUZZ_DIR, "odd", NULL },
	{ FUZZ_DIR, "odd/index.html", NULL },
	{ FUZZ_TEXT, "odd/index.htm", "index.html is a directory\n" },
	{ FUZZ_DIR, "fifodir", NULL },
	{ FUZZ_FIFO, "fifodir/index.html", NULL },
	{ FUZZ_DIR, FUZZ_E120, NULL },
	{ FUZZ_DIR, FUZZ_E120 "/" FUZZ_E120, NULL },
	{ FUZZ_TEXT, FUZZ_E120 "/" FUZZ_E120 "/x.txt", "deep\n" },
	{ FUZZ_DIR, FUZZ_E120 "/" FUZZ_E120 "/" FUZZ_E120, NULL },
	{ FUZZ_DIR, ".git", NULL },
	{ FUZZ_TEXT, ".git/config", "[core]\n" },
	{ FUZZ_TEXT, "with space.txt", "space\n" },
	{ FUZZ_TEXT, "100%.txt", "percent\n" },
	{ FUZZ_TEXT, "\xc3\xa9t\xc3\xa9.txt", "utf-8\n" },
	{ FUZZ_TEXT, "<b>&\"'.txt", "markup\n" },
	{ FUZZ_TEXT, "new\nline", "a control byte\n" },
	{ FUZZ_TEXT, "bad\xff", "no UTF-8\n" },
	{ FUZZ_TEXT, "a:b#c?d", "scheme, fragment, query\n" },
	{ FUZZ_TEXT, "noindex/.hidden", "hidden\n" },
	{ FUZZ_LINK, "noindex/up", "../a.txt" },
	{ FUZZ_LINK, "noindex/out", "../../outside.txt" },
	{ FUZZ_NOPERM, "secret.txt", "mode 000\n" },
	{ FUZZ_LINK, "link-in", "a.txt" },
	{ FUZZ_LINK, "link-dir", "dir" },
	{ FUZZ_LINK, "self", "." },
	{ FUZZ_LINK, "link-out", "/etc/passwd" },
	{ FUZZ_LINK, "link-up", "../outside.txt" },
	{ FUZZ_LINK, "link-root", ".." },
	{ FUZZ_LINK, "dangling", "nowhere" },
	{ FUZZ_LINK, "dir/sub/up", "../../a.txt" },
	{ FUZZ_FIFO, "fifo", NULL },
	{ FUZZ_SOCK, "sock", NULL },
	/* Siblings, made after their files: not older unless FUZZ_OLD. */
	{ FUZZ_TEXT, "a.txt.gz", "\x1f\x8b\x08\0not really gzip" },
	{ FUZZ_TEXT, "a.txt.br", "\x0b\x02\x80not really brotli" },
	{ FUZZ_TEXT, "index.html.br", "\x0b\x02\x80<p>home</p>" },
	{ FUZZ_MEDIUMF, "medium.bin.gz", NULL },
	{ FUZZ_SPARSEF, "huge.br", NULL },
	{ FUZZ_EMPTY, "empty.br", NULL },
	{ FUZZ_OLD, "deck.pptx.gz", "older than its file" },
	{ FUZZ_DIR, "noext.gz", NULL },
	{ FUZZ_FIFO, "dir/index.html.gz", NULL },
	{ FUZZ_LINK, "notes.long.br", "a.txt.gz" },
	{ FUZZ_LINK, "empty.gz", "/etc/passwd" },
	{ FUZZ_NOPERM, "with space.txt.gz", "mode 000\n" },
	{ FUZZ_TEXT, "noindex/file.txt.gz", "\x1f\x8b\x08\0a location's" },
};

/* The fuzzer's one process-state struct. */
static struct {
	char			 root[PATH_MAX];	/* the mkdtemp directory */
	char			 docroot[PATH_MAX];
	struct config		*conf;
	struct mime		*mime;
	struct worker_proc	 w;
	struct worker_env	 env;		/* only its scoreboard */
	struct scoreboard	 sb;		/* the status page's */
	struct worker_site	 sites[FUZZ_SITES];
	struct cidr_addr	 peers[FUZZ_PEERS];
	struct response		*r;		/* on the heap: ASan bounds it */
	struct http_request	 req;
	struct http_limits	 limits;
	time_t			 start;
	unsigned long		 inputs;
	int			 fds;		/* descriptors open after setup */
	unsigned		 sum;		/* memory bodies, read for ASan */
} fz;

/* One connection's input: the requests not answered yet start at off. */
struct fuzz_conn {
	const char		*buf;
	size_t			 len;
	size_t			 off;
	unsigned		 nreq;
	const struct cidr_addr	*peer;
};

/* Report a setup failure and stop: no input can be run without it. */
static void
fuzz_die(const char *what, const char *arg)
{
	fprintf(stderr, "fuzz_answer: %s %s\n", what, arg);
	exit(1);
}

/* Write a whole file of len bytes; size (if larger) makes a sparse tail. */
static void
fuzz_write(int dfd, const char *name, const char *s, size_t len, off_t size,
    mode_t mode)
{
	int	fd;

	if ((fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1 || (len > 0 && write(fd, s, len) != (ssize_t)len) ||
	    (size > (off_t)len && ftruncate(fd, size) == -1))
		fuzz_die("cannot write", name);
	close(fd);
}

/* Leave a UNIX socket file at name (closed: connecting to it fails). */
static void
fuzz_socket(const char *name)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s",
	    fz.docroot, name) >= sizeof(sun.sun_path))
		return;		/* a long TMPDIR: do without it */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fuzz_die("cannot bind", sun.sun_path);
	close(fd);
}

/* Make one node of the document root. */
static void
fuzz_node(int dfd, const struct fuzz_node *n)
{
	static char	medium[FUZZ_MEDIUM];
	size_t		i;
	int		rc = 0;

	switch (n->kind) {
	case FUZZ_DIR:
		rc = mkdirat(dfd, n->name, 0755);
		break;
	case FUZZ_TEXT:
	case FUZZ_NOPERM:
		fuzz_write(dfd, n->name, n->arg, strlen(n->arg), 0,
		    n->kind == FUZZ_NOPERM ? 0 : 0644);
		break;
	case FUZZ_EMPTY:
		fuzz_write(dfd, n->name, NULL, 0, 0, 0644);
		break;
	case FUZZ_MEDIUMF:
		for (i = 0; i < sizeof(medium); i++)
			medium[i] = (char)('a' + i % 26);
		fuzz_write(dfd, n->name, medium, sizeof(medium), 0, 0644);
		break;
	case FUZZ_SPARSEF:
		fuzz_write(dfd, n->name, NULL, 0, FUZZ_SPARSE, 0644);
		break;
	case FUZZ_LINK:
		rc = symlinkat(n->arg, dfd, n->name);
		break;
	case FUZZ_FIFO:
		rc = mkfifoat(dfd, n->name, 0644);
		break;
	case FUZZ_SOCK:
		fuzz_socket(n->name);
		break;
	case FUZZ_OLD:
		fuzz_write(dfd, n->name, n->arg, strlen(n->arg), 0, 0644);
		rc = utimensat(dfd, n->name, (const struct timespec[2]){
		    { FUZZ_OLDTIME, 0 }, { FUZZ_OLDTIME, 0 } }, 0);
		break;
	}
	if (rc == -1)
		fuzz_die("cannot make", n->name);
}

/* Write a small file below the temporary directory, outside the root. */
static void
fuzz_aside(const char *name, const char *text, char *path, size_t len)
{
	int	fd;

	snprintf(path, len, "%s/%s", fz.root, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1 || write(fd, text, strlen(text)) !=
	    (ssize_t)strlen(text))
		fuzz_die("cannot write", path);
	close(fd);
}

/* Remove one file of the temporary tree (nftw callback). */
static int
fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* At exit: free what setup made and remove the generated tree. */
static void
fuzz_cleanup(void)
{
	size_t	i, j;

	for (i = 0; i < fz.w.nsites; i++) {
		fcache_destroy(fz.sites[i].fcache);
		for (j = 0; fz.sites[i].lcaches != NULL &&
		    j < fz.sites[i].conf->nlocations; j++)
			fcache_destroy(fz.sites[i].lcaches[j]);
		free(fz.sites[i].lcaches);
		if (fz.sites[i].root_fd != -1)
			close(fz.sites[i].root_fd);
	}
	mime_free(fz.mime);
	access_destroy(fz.w.access);
	config_free(fz.conf);
	free(fz.r);
	if (fz.root[0] != '\0')
		nftw(fz.root, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Remove the tree once this process is gone, however it ends: a crash ends
 * it without atexit. A child waits for EOF on a pipe that only this
 * process holds, holding nothing else itself.
 */
static void
fuzz_janitor(void)
{
	int	p[2], null;
	char	c;

	if (pipe2(p, O_CLOEXEC) == -1)
		fuzz_die("cannot make", "a pipe");
	switch (fork()) {
	case -1:
		fuzz_die("cannot fork", "the janitor");
		break;
	case 0:
		signal(SIGINT, SIG_IGN);	/* ^C reaches the whole group */
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		if ((null = open("/dev/null", O_RDWR)) != -1) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		dup2(p[0], 3);
		closefrom(4);
		while (read(3, &c, 1) == -1 && errno == EINTR)
			;
		nftw(fz.root, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
		_exit(0);
	}
	close(p[0]);
}

/* Append a "user:hash" line for user with password user, hashed the
 * cheapest way crypt_r allows for prefix (a fuzzer checks thousands). */
static void
fuzz_user(const char *user, const char *prefix, unsigned long cost,
    char *text, size_t len)
{
	char			salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data	cd;

	memset(&cd, 0, sizeof(cd));
	if (crypt_gensalt_rn(prefix, cost, NULL, 0, salt, sizeof(salt)) ==
	    NULL || crypt_r(user, salt, &cd) == NULL || cd.output[0] != '$')
		fuzz_die("cannot hash with", prefix);
	snprintf(text + strlen(text), len - strlen(text), "%s:%s\n", user,
	    cd.output);
}

/* Write the htpasswd file of the auth vhost: "fuzz" (password "fuzz",
 * SHA-crypt) and "b" (password "b", bcrypt); its path into path. */
static void
fuzz_htpasswd(char *path, size_t len)
{
	char	text[512] = "";

	fuzz_user("fuzz", "$5$", 1000, text, sizeof(text));
	fuzz_user("b", "$2b$", 4, text, sizeof(text));
	fuzz_aside("htpasswd", text, path, len);
}

/* Make the temporary tree: the document root, the config, mime.types. */
static void
fuzz_tree(char *conf, char *types, size_t len)
{
	const char	*tmp = getenv("TMPDIR");
	char		 text[4096], users[PATH_MAX];
	size_t		 i;
	int		 dfd, n;

	snprintf(fz.root, sizeof(fz.root), "%s/tine-fuzz-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fz.root) == NULL)
		fuzz_die("cannot make", fz.root);
	fuzz_janitor();
	atexit(fuzz_cleanup);
	snprintf(fz.docroot, sizeof(fz.docroot), "%s/www", fz.root);
	if (mkdir(fz.docroot, 0755) == -1 || (dfd = open(fz.docroot,
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fuzz_die("cannot make", fz.docroot);
	for (i = 0; i < sizeof(fuzz_nodes) / sizeof(fuzz_nodes[0]); i++)
		fuzz_node(dfd, &fuzz_nodes[i]);
	close(dfd);
	fuzz_aside("outside.txt", "outside the document root\n", text,
	    sizeof(text));
	/* The longest kept type, a real long one, and one mime.c drops. */
	fuzz_aside("mime.types", FUZZ_T127 " long\n"
	    "application/vnd.openxmlformats-officedocument.presentationml."
	    "presentation pptx\n"
	    "application/x-" FUZZ_T127 FUZZ_T127 " toolong\n", types, len);
	fuzz_htpasswd(users, sizeof(users));
	n = snprintf(text, sizeof(text), "mime_types = \"%s\"\n"
	    "default_type = \"" FUZZ_DEFTYPE "\"\nkeepalive_requests = 8\n"
	    /* Listings of directories without an index: the root of
	     * fuzz.example (index.htm only) is cut, noindex is whole. */
	    "autoindex = on\nautoindex_max_entries = 16\n"
	    "log_level = crit\nprecompressed = on\n"
	    /* Answered before the access rules, in every site. */
	    "health_path = \"/healthz\"\n"
	    /* Error pages from memory, by sendfile, and missing; headers. */
	    "error_pages = {\"404 /a.txt\", \"416 /medium.bin\",\n"
	    "  \"403 /missing.html\", \"405 /empty\"}\n"
	    "headers = {\"X-Fuzz: 1\", \"Content-Security-Policy: "
	    "default-src 'self'\"}\n"
	    /* A Cache-Control by type on 200, 206 and 304, two patterns. */
	    "cache_control_types = {\"text/* max-age=60\", "
	    "\"*/* public, max-age=31536000, immutable\"}\n"
	    /* Two vhosts over the same root, so Host picks among three
	     * sites, each with its own file cache and options. */
	    "vhost \"fuzz.example\" { aliases = {\"*.wild.example\"}\n"
	    "  hidden_files = allow\n  index = {\"index.htm\"}\n"
	    "  try_html = on\n  headers = { }\n  error_pages = {\"404 /dir/index.html\"}\n"
	    "  types = {\"text/x-fuzz txt long\"}\n  charset = \"iso-8859-1\"\n"
	    /* Locations: a nested pair, a redirect replacing its prefix
	     * (with and without a slash), one that turns it off; listings
	     * off for one path of a listing site. */
	    "  location \"/dir/\" { headers = {\"X-L: dir\"} }\n"
	    /* One typing files otherwise: a file cache of its own. */
	    "  location \"/noindex/\" { types = {\"text/x-l txt\"}\n"
	    "    cache_control_types = {\"text/* no-cache\"} }\n"
	    "  location \"/dir/sub/\" { hidden_files = deny\n"
	    "    redirect = \"301 /moved/\" }\n"
	    "  location \"/fifodir/\" { autoindex = off }\n"
	    "  location \"/a\" { redirect = \"302 https://t.example/b\" } }\n"
	    "vhost \"*.b.wild.example\" { default_type = \"text/x-b\"\n"
	    "  charset = off\n  headers = {\"Cache-Control: no-store\"}\n"
	    "  autoindex = off\n  precompressed = off\n"
	    "  location \"/noindex/\" { autoindex = on\n"
	    "    precompressed = on } }\n"
	    "vhost \"r.example\" { redirect = \"308 https://t.example/base/\"\n"
	    "  location \"/keep/\" { redirect = \"\"\n"
	    "    https_redirect = 308 } }\n"
	    /* Access rules: the peers are 127.0.0.1, 127.0.0.2 and ::1. */
	    "vhost \"acl.example\" { allow = {\"127.0.0.0/8\", \"::1\"}\n"
	    "  deny = {\"127.0.0.2\"}\n"
	    "  hidden_paths = {\"*.txt\", \"/dir/*\"}\n"
	    "  location \"/dir/sub/\" { allow = {\"all\"} } }\n"
	    "vhost \"auth.example\" { auth_basic_file = \"%s\"\n"
	    "  error_pages = {\"401 /a.txt\"}\n"
	    "  allow = {\"127.0.0.1\", \"::1\"}\n"
	    "  location \"/dir/\" { auth_basic_file = \"\" } }\n"
	    /* The status page: 127.0.0.1 sees it, the other peers not. */
	    "vhost \"status.example\" { status_path = \"/server-status\"\n"
	    "  status_allow = {\"127.0.0.1\"} }\n",
	    types, users);
	if (n < 0 || (size_t)n >= sizeof(text))
		fuzz_die("config text too long for", "fuzz_tree");
	fuzz_aside("tine.conf", text, conf, len);
}

/* Count this process's open descriptors. */
static int
fuzz_count_fds(void)
{
	DIR	*d;
	int	 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		fuzz_die("cannot read", "/proc/self/fd");
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* A cache for each location of ws that types files otherwise, as
 * worker_locations() makes them; 0 or -1. */
static int
fuzz_locations(struct worker_site *ws)
{
	size_t	i, n = ws->conf->nlocations;

	if ((ws->lcaches = calloc(n + 1, sizeof(*ws->lcaches))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (ws->conf->locations[i].retypes && (ws->lcaches[i] =
		    fcache_create(ws->root_fd, fz.mime,
		    &ws->conf->locations[i], &fz.w.fbudget)) == NULL)
			return -1;
	return 0;
}

/* Each site's root and file caches, as worker_sites() makes them; 0 or
 * -1. */
static int
fuzz_sites(void)
{
	size_t	i;

	fz.w.fbudget.max = FCACHE_BYTES;
	for (i = 0; i < fz.conf->nsites; i++, fz.w.nsites++) {
		fz.sites[i].conf = &fz.conf->sites[i];
		fz.sites[i].root_fd = open(fz.docroot, O_PATH | O_DIRECTORY |
		    O_CLOEXEC);
		fz.sites[i].fcache = fz.sites[i].root_fd == -1 ? NULL :
		    fcache_create(fz.sites[i].root_fd, fz.mime,
		    fz.sites[i].conf, &fz.w.fbudget);
		if (fz.sites[i].fcache == NULL ||
		    fuzz_locations(&fz.sites[i]) == -1)
			return -1;
	}
	return 0;
}

/* Build the document root, the config and a worker_proc as worker.c does. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config_overrides	 ov = { NULL, NULL };
	char			 conf[PATH_MAX], types[PATH_MAX], err[512];

	(void)argc;
	(void)argv;
	fuzz_tree(conf, types, sizeof(conf));
	ov.document_root = fz.docroot;
	if ((fz.conf = config_load(conf, &ov, err, sizeof(err))) == NULL ||
	    (fz.mime = mime_load(fz.conf->mime_types, err, sizeof(err))) ==
	    NULL)
		fuzz_die("setup:", err);
	/* 500 and 503 log a line each: the config's log_level = crit keeps
	 * the fuzzer's output readable. */
	if (log_open(fz.conf, 1, err, sizeof(err)) == -1)
		fuzz_die("setup:", err);
	fz.limits = (struct http_limits){ fz.conf->max_request_line,
	    fz.conf->max_header_size, fz.conf->max_headers };
	fz.w.conf = fz.conf;
	/* The sites as worker_sites() makes them. */
	if (fz.conf->nsites > FUZZ_SITES)
		fuzz_die("setup:", "too many sites");
	fz.w.sites = fz.sites;
	if (fuzz_sites() == -1 ||
	    (fz.r = malloc(sizeof(*fz.r))) == NULL)
		fuzz_die("setup:", "out of resources");
	if ((fz.w.access = access_create()) == NULL ||
	    inet_pton(AF_INET6, "::ffff:127.0.0.1", fz.peers[0].b) != 1 ||
	    inet_pton(AF_INET6, "::ffff:127.0.0.2", fz.peers[1].b) != 1 ||
	    inet_pton(AF_INET6, "::1", fz.peers[2].b) != 1)
		fuzz_die("setup:", "access rules");
	/* A scoreboard of two workers, one of them busy, for the page. */
	if (scoreboard_create(&fz.sb, 2, NULL) == -1)
		fuzz_die("setup:", "scoreboard");
	fz.sb.slots[0].pid = getpid();
	fz.sb.slots[0].state = SB_READY;
	fz.sb.slots[0].requests = 7;
	fz.env.sb = &fz.sb;
	fz.env.sb_head = fz.sb.head;	/* as the master sets it (pool.c) */
	fz.w.env = &fz.env;
	fz.start = 1000;
	fz.w.now = fz.start;
	fz.w.wall = 1764300000;
	date_format(fz.w.wall, fz.w.date);
	snprintf(fz.w.boundary, sizeof(fz.w.boundary), "tine%08lx%08lx",
	    (unsigned long)getpid(), 0x5eedUL);
	fz.fds = fuzz_count_fds();
	return 0;
}

/* The end of the line at p: its CR, followed by LF; no bare CR, LF, NUL. */
static const char *
fuzz_line_end(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p == '\r' || *p == '\n' || *p == '\0')
			break;
	if (p + 1 >= end || p[0] != '\r' || p[1] != '\n')
		abort();
	return p;
}

/* Check one header line [p, eol); returns the Content-Length so far. */
static int64_t
fuzz_field(const char *p, const char *eol, int64_t cl)
{
	const char	*name = p, *v;
	int64_t		 n = 0;

	while (p < eol && *p != ':' && *p > ' ' && *p < 0x7f)
		p++;
	if (p == name || p == eol || *p != ':')
		abort();
	if (p - name == 17 && strncasecmp(name, "Transfer-Encoding", 17) == 0)
		abort();
	if (p - name != 14 || strncasecmp(name, "Content-Length", 14) != 0)
		return cl;
	if (cl != -1)
		abort();	/* twice */
	for (v = p + 1; v < eol && *v == ' '; v++)
		;
	if (v == eol || eol - v > 19)
		abort();
	for (; v < eol; v++) {
		if (*v < '0' || *v > '9')
			abort();
		n = n * 10 + (*v - '0');
	}
	return n;
}

/* The status line says "HTTP/1.1 NNN " with NNN the response's status. */
static void
fuzz_status_line(const struct response *r, const char *eol)
{
	const char	*s = r->hdr;

	if (eol - s < 13 || memcmp(s, "HTTP/1.1 ", 9) != 0 || s[12] != ' ')
		abort();
	if (s[9] < '1' || s[9] > '5' || s[10] < '0' || s[10] > '9' ||
	    s[11] < '0' || s[11] > '9')
		abort();
	if ((s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0') !=
	    r->status)
		abort();
}

/* Check the head's framing; returns its Content-Length, -1 without one. */
static int64_t
fuzz_check_head(const struct response *r)
{
	const char	*p = r->hdr, *end = r->hdr + r->headlen, *eol;
	int64_t		 cl = -1;

	if (r->headlen < 4 || memcmp(end - 4, "\r\n\r\n", 4) != 0)
		abort();
	fuzz_status_line(r, fuzz_line_end(p, end));
	for (; p < end - 2; p = eol + 2) {
		eol = fuzz_line_end(p, end);
		if (eol == p)
			abort();	/* a blank line before the end */
		if (p != r->hdr)
			cl = fuzz_field(p, eol, cl);
	}
	return cl;
}

/* The body is what Content-Length says: segment bytes, inside the file. */
static void
fuzz_check_body(const struct response *r, bool head, int64_t cl)
{
	struct stat	st;
	uint64_t	sum = 0;
	size_t		k;
	int		i;

	if (cl == -1 ? r->body_len != 0 : (uint64_t)cl != r->body_len)
		abort();
	if (r->nsegs < 0 || ((head || cl == -1) && r->nsegs != 0))
		abort();
	for (i = 0; i < r->nsegs; i++) {
		const struct seg	*s = &r->segs[i];

		if (s->mem != NULL) {
			for (k = 0; k < s->len; k++)
				fz.sum += (unsigned char)s->mem[k];
		} else if (r->fe == NULL || fstat(r->fe->fd, &st) == -1 ||
		    s->off < 0 || s->off > st.st_size ||
		    s->len > (uint64_t)(st.st_size - s->off))
			abort();
		sum += s->len;
	}
	if (!head && cl != -1 && sum != r->body_len)
		abort();
}

/* Check a finished response, then give back its file and its listing as
 * conn_done does; nothing may stay counted as held. */
static void
fuzz_done(struct response *r, bool head)
{
	fuzz_check_body(r, head, fuzz_check_head(r));
	if (r->fe != NULL) {
		fcache_release(r->fc, r->fe);
		r->fe = NULL;
	}
	autoindex_release(&fz.w, r);
	if (fz.w.listing_bytes != 0)
		abort();
}

/* conn_is_head: did the request line, parsed or not, ask for HEAD? */
static bool
fuzz_is_head(const char *in, size_t len)
{
	struct http_str	rl = http_first_line(in, len);

	return rl.len >= 5 && memcmp(rl.ptr, "HEAD ", 5) == 0;
}

/* conn_fail: answer with an error status; the connection then closes. */
static int
fuzz_fail(const char *in, size_t len, int status)
{
	struct response	*r = fz.r;

	memset(r, 0, offsetof(struct response, hdr));
	r->close = true;
	static_error(&fz.w, r, status, fuzz_is_head(in, len));
	fuzz_done(r, fuzz_is_head(in, len));
	return -1;
}

/* conn_skips_body: answered without reading the body, then closed. */
static bool
fuzz_skips_body(const struct http_request *req)
{
	bool	body = req->content_length > 0 || req->chunked;

	switch (req->method) {
	case HTTP_METHOD_GET:
	case HTTP_METHOD_HEAD:
	case HTTP_METHOD_OPTIONS:
		return body && req->expect_continue && !req->chunked;
	case HTTP_METHOD_CONNECT:
		return true;
	default:
		return body;
	}
}

/* conn_respond: static_serve with conn's keep-alive decision. */
static int
fuzz_respond(struct fuzz_conn *c)
{
	const struct http_request	*req = &fz.req;
	struct response			*r = fz.r;
	long				 max = fz.conf->keepalive_requests;

	memset(r, 0, offsetof(struct response, hdr));
	r->close = !req->keep_alive || (max > 0 && c->nreq + 1 >=
	    (unsigned long)max) || fuzz_skips_body(req);
	r->keep_alive_10 = !r->close && req->version == 10;
	static_serve(&fz.w, req, c->peer, r);
	fuzz_done(r, req->method == HTTP_METHOD_HEAD);
	c->nreq++;
	return r->close ? -1 : 0;
}

/* Parse and answer the next request of c, as conn_parse and conn_request
 * do; -1 once the connection would close. */
static int
fuzz_request(struct fuzz_conn *c)
{
	struct http_parser	 p;
	const char		*in = c->buf + c->off;
	size_t			 len = c->len - c->off, take;
	long			 n;

	http_parser_init(&p);
	if ((n = http_parse(&p, in, len, &fz.limits, &fz.req)) < 0)
		return fuzz_fail(in, len, fz.req.status);
	/* The client stops sending: 431 past the limit, else the timeout. */
	if (n == HTTP_PARSE_MORE)
		return fuzz_fail(in, len, len >= fz.conf->max_header_size ?
		    431 : 408);
	c->off += (size_t)n;
	if (fuzz_skips_body(&fz.req))
		return fuzz_respond(c);
	if (fz.req.chunked)
		return fuzz_fail(in, len, 411);
	if (fz.req.content_length > fz.conf->max_body_size)
		return fuzz_fail(in, len, 413);
	take = c->len - c->off < fz.req.content_length ? c->len - c->off :
	    (size_t)fz.req.content_length;
	c->off += take;
	if (take < fz.req.content_length)
		return fuzz_fail(in, len, 408);	/* the body never came */
	return fuzz_respond(c);
}

/* Entry point: the input is one connection's bytes, pipelined requests. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The peer follows from the input, so that a crash reproduces. */
	struct fuzz_conn	c = { (const char *)data, size, 0, 0,
	    &fz.peers[size % FUZZ_PEERS] };

	/* A new second every few inputs: fcache revalidates its entries. */
	fz.w.now = fz.start + (time_t)(fz.inputs / 4);
	while (c.off < c.len && fuzz_request(&c) == 0)
		;
	if (++fz.inputs % FUZZ_FD_EVERY == 0 &&
	    fuzz_count_fds() > fz.fds + FUZZ_FDS_MAX)
		abort();
	return 0;
}
