/*
 * harness: start the real tine binary on a free loopback port with its own
 * temp dir, config and docroot, and talk real HTTP to it over real sockets.
 *
 * A test calls tine_setup(), puts its files, tine_start(), talks, and ends
 * with tine_stop() in its body (assertions in a Criterion .fini do not fail
 * the test). Give every test `.fini = tine_teardown` so that an instance
 * left running by a failed assertion is still stopped and its dir removed.
 *
 * Environment: TINE_BIN (the binary), TINE_SRCDIR (the source tree),
 * TINE_KEEP (set: keep temp dirs for a post-mortem).
 */
#ifndef TINE_HARNESS_H
#define TINE_HARNESS_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define TINE_PATH_MAX		512
#define TINE_MAX_HEADERS	64
#define TINE_MAX_WORKERS	64
#define TINE_TIMEOUT_MS		10000	/* readiness, responses */
#define TINE_STOP_MS		2000	/* the contract for SIGTERM */

/* The body of the index.html that tine_setup() puts in every docroot. */
#define TINE_INDEX_BODY	"<!doctype html><title>tine test</title><p>index\n"

/* One tine instance under test; every path lives under dir. */
struct tine {
	int	used;			/* a slot of the harness's pool */
	pid_t	pid;			/* master, 0 when not running */
	int	port;			/* free on 127.0.0.1 and ::1 at setup */
	int	workers;		/* as configured (2 unless extra) */
	char	bin[TINE_PATH_MAX];
	char	dir[TINE_PATH_MAX];	/* mkdtemp, 0755 */
	char	docroot[TINE_PATH_MAX];	/* dir/www */
	char	conf[TINE_PATH_MAX];	/* dir/tine.conf */
	char	error_log[TINE_PATH_MAX];
	char	access_log[TINE_PATH_MAX];
	char	pid_file[TINE_PATH_MAX];
	char	out[TINE_PATH_MAX];	/* the binary's stdout */
	char	err[TINE_PATH_MAX];	/* the binary's stderr */
	char	ready_log[TINE_PATH_MAX]; /* where "master ready" is awaited */
	int	ready;			/* it was seen there: that log must exist */
};

/* One parsed response; strings are owned and released by tine_resp_free(). */
struct tine_resp {
	int	 status;
	int	 minor;			/* HTTP/1.minor */
	char	*head;			/* status line and headers */
	size_t	 nhdr;
	char	*name[TINE_MAX_HEADERS];
	char	*value[TINE_MAX_HEADERS];
	char	*body;			/* NUL-terminated past bodylen */
	size_t	 bodylen;
};

/* A client connection with its read buffer, so pipelined answers split. */
struct tine_conn {
	int	 fd;
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 eof;			/* the peer closed (FIN or RST) */
	/* A layer the bytes go through (a test's TLS client), NULL: none.
	 * As recv(2) and send(2): -1 with EAGAIN to wait for the socket. */
	ssize_t	(*recv)(void *layer, void *buf, size_t len);
	ssize_t	(*send)(void *layer, const void *buf, size_t len);
	void	*layer;
};

#define TINE_SLOW_CHUNK	65536	/* the most a slow reader reads at once */

/* A slow reader of a tine_put_pattern() file and what it has read. */
struct tine_slow {
	size_t		 size;		/* the file's length */
	size_t		 rate;		/* bytes/s it reads */
	size_t		 chunk;		/* bytes a read asks for */
	int		 fd;
	char		 head[4096];
	size_t		 headlen;
	int		 have_head;
	size_t		 body;		/* body bytes read and checked */
	size_t		 bad_at;	/* first wrong byte + 1, 0 */
	size_t		 got;		/* every byte read */
	int		 eof;		/* it ended with a close */
	long long	 start;		/* monotonic ms of the request */
};

/* The bytes of a raw exchange, and whether the peer closed. */
struct tine_raw {
	char	*data;			/* NUL-terminated past len */
	size_t	 len;
	int	 closed;
};

/* ---- instances ---- */

/* Temp dir, docroot with index.html, config on a free port; extra lines
 * replace the base config's lines for the keys they set. The instance
 * belongs to the harness (it must outlive a failed test's stack); NULL on
 * failure. */
struct tine *tine_setup(const char *extra_conf);

/* Rewrite t->conf from the base lines and extra (e.g. to name t->port in a
 * listen line, or before a reload); 0 or -1. */
int	 tine_config(struct tine *, const char *extra_conf);

/* Start `tine -f -c conf` and wait for the ready line; 0 or -1. */
int	 tine_start(struct tine *);

/* Start tine with these arguments (NULL-terminated, without argv[0]) and
 * wait for the ready line in `ready_log`; 0 or -1. */
int	 tine_start_args(struct tine *, const char *const *args,
	    const char *ready_log);

/* Run tine to completion with these arguments, stdout/stderr to t->out and
 * t->err; the exit status, or -1 for a signal death or a timeout. */
int	 tine_run(struct tine *, const char *const *args, int timeout_ms);

/* Run tine -t on t's config; its stderr from "tine.conf:" on, which the
 * caller frees; the exit status in *status. */
char	*tine_check(struct tine *, int *status);

/* tine -t on a config of the base lines and extra (a new instance, set up
 * and stopped here): as tine_check, and with line the number of the line
 * that holds mark (the test fails when no instance can be made). */
char	*tine_check_extra(const char *extra, const char *mark, int *status,
	    int *line);

/* The number of the first line of the file at path that holds mark; 0
 * when none does. */
int	 tine_line_of(const char *path, const char *mark);

/* Wait until needle occurs count times in t->ready_log; 0 or -1. */
int	 tine_wait_log(struct tine *, const char *needle, int count,
	    int timeout_ms);

/* Wait until needle occurs count times in the file at path (an access
 * log, say); 0 or -1. */
int	 tine_wait_file(const char *path, const char *needle, int count,
	    int timeout_ms);

/* Occurrences of needle in the file at path (0 when it is missing). */
int	 tine_count(const char *path, const char *needle);

/* Wait (bounded) for the master to exit, e.g. after `tine -s stop`, and
 * reap it; its wait status, or -1 if it is still running. */
int	 tine_wait_exit(struct tine *, int timeout_ms);

/* Send sig to the master and wait (bounded) for it to exit; its wait status,
 * or -1 if it did not exit in time. */
int	 tine_signal_wait(struct tine *, int sig, int timeout_ms);

/* SIGTERM, bounded wait, check that master and workers are gone and the
 * error log has no [alert]/[crit]/[emerg]; then remove the dir. */
void	 tine_stop(struct tine *);

/* The Criterion .fini: end what a failed test left running, no assertions. */
void	 tine_teardown(void);

/* ---- files ---- */

/* Write a file (parents made 0755) with this mode; 0 or -1. */
int	 tine_write_file(const char *path, const void *data, size_t len,
	    mode_t mode);

/* Write a NUL-terminated string to docroot/rel, mode 0644; 0 or -1. */
int	 tine_put(struct tine *, const char *rel, const char *text);

/* Byte i of a patterned file: a shifted or lost chunk breaks it. */
unsigned char tine_pattern(size_t i);

/* Write docroot/rel: len bytes of tine_pattern(), mode 0644; 0 or -1. */
int	 tine_put_pattern(struct tine *, const char *rel, size_t len);

/* Join dir and rel into buf (TINE_PATH_MAX); buf. */
char	*tine_path(char *buf, const char *dir, const char *rel);

/* The whole file as a NUL-terminated string the caller frees; NULL if none. */
char	*tine_slurp(const char *path, size_t *lenp);

/* ---- sockets and HTTP ---- */

/* A port nothing listens on at 127.0.0.1 and ::1 right now; -1 if none. */
int	 tine_free_port(void);

/* Whether a listener could bind 127.0.0.1:port now (SO_REUSEADDR). */
int	 tine_port_bindable(int port);

/* Whether this host has a usable ::1. */
int	 tine_have_ipv6(void);

/* Connect to 127.0.0.1 (AF_INET) or ::1 (AF_INET6); 0 or -1. */
int	 tine_conn_open(struct tine_conn *, int family, int port);

/* Ask for path with Connection: close as a slow reader (s->size, s->rate
 * and s->chunk set by the caller): a receive buffer of rcvbuf bytes, set
 * before connect so the window the server sees is small too; 0 or -1. */
int	 tine_slow_open(struct tine_slow *, int port, const char *path,
	    int rcvbuf);

/* Read one chunk, check it against tine_pattern(), keep to the rate; 0 at
 * the end (a close, an error, TINE_TIMEOUT_MS without a byte), else 1. */
int	 tine_slow_read(struct tine_slow *);

/* Send all of len bytes; 0 or -1. */
int	 tine_conn_send(struct tine_conn *, const void *data, size_t len);

/* Send a NUL-terminated string; 0 or -1. */
int	 tine_conn_sends(struct tine_conn *, const char *s);

/* Read one response (head_only: the request was HEAD); 0, or -1 on a
 * timeout, a close before it was whole, or a malformed response. */
int	 tine_conn_read(struct tine_conn *, int head_only, int timeout_ms,
	    struct tine_resp *);

/* Wait for the peer to close: 1 closed, 0 still open at the timeout,
 * -1 it sent more bytes instead. */
int	 tine_conn_wait_close(struct tine_conn *, int timeout_ms);

/* Close the socket and free the buffer. */
void	 tine_conn_close(struct tine_conn *);

/* Value of a header (case-insensitive name), NULL if absent. */
const char *tine_resp_header(const struct tine_resp *, const char *name);

/* How many times a header (case-insensitive name) occurs. */
int	 tine_resp_count(const struct tine_resp *, const char *name);

/* Release a response's strings. */
void	 tine_resp_free(struct tine_resp *);

/* The IMF-fixdate of when into buf (at least 30 bytes), made with strftime
 * rather than tine's code; buf. */
char	*tine_http_date(time_t when, char *buf, size_t len);

/* One request on a new IPv4 connection, one response; 0 or -1. */
int	 tine_request(struct tine *, const char *req, int head_only,
	    struct tine_resp *);

/* method path with this Host, extra header lines (or NULL) and
 * Connection: close, on a new IPv4 connection; 0 or -1. */
int	 tine_ask(struct tine *, const char *method, const char *host,
	    const char *path, const char *extra, struct tine_resp *);

/* GET path with Connection: close; 0 or -1. */
int	 tine_get(struct tine *, const char *path, struct tine_resp *);

/* Send raw bytes, read until the peer closes or is idle for idle_ms. */
int	 tine_exchange(int family, int port, const void *req, size_t len,
	    int idle_ms, struct tine_raw *);

/* Release a raw exchange. */
void	 tine_raw_free(struct tine_raw *);

/* ---- processes ---- */

/* Live (not zombie) children of parent into out; their count. */
int	 tine_children(pid_t parent, pid_t *out, int max);

/* /proc/PID/cmdline with NULs as spaces, trailing blanks cut; 0 or -1. */
int	 tine_cmdline(pid_t, char *buf, size_t len);

/* Whether pid exists and is not a zombie. */
int	 tine_alive(pid_t);

/* Whether pid is stopped (SIGSTOP: state T in /proc/PID/stat). */
int	 tine_stopped(pid_t);

/* Field n (numbered as in proc(5), n >= 4) of /proc/PID/stat; 0 or -1. */
int	 tine_stat_field(pid_t, int n, unsigned long long *out);

/* The value in KiB of the line "key: N kB" of /proc/PID/file (status,
 * smaps_rollup); -1 if unknown. */
long	 tine_proc_kib(pid_t, const char *file, const char *key);

/* The row of /proc/net/tcp for the IPv4 socket from lport to rport: 0
 * with its state (1: ESTABLISHED) and its send queue (bytes unacked or
 * unsent), 1 when there is none, -1 when the table cannot be read. */
int	 tine_tcp_row(int lport, int rport, int *state, long *txq);

/* The value of the int socket option level/opt (IPPROTO_TCP,
 * TCP_DEFER_ACCEPT ...) on pid's IPv4 socket bound to port (read from a
 * copy of each of its descriptors, taken with pidfd_getfd); -1 when it
 * has no such socket. */
int	 tine_sockopt(pid_t, int port, int level, int opt);

/* Whether a mapping of pid (/proc/PID/maps) has a path holding needle
 * ("libssl.so", "/tls.so"); -1 if its maps cannot be read. */
int	 tine_maps(pid_t, const char *needle);

/* Whether pid or a worker of it (a child) maps needle, as tine_maps();
 * a child that exits between being listed and being read (a retiring
 * worker after a reload) maps nothing. */
int	 tine_tree_maps(pid_t master, const char *needle);

/* Milliseconds since pid started (clock-tick precision), -1 if unknown. */
long long tine_age_ms(pid_t);

/* Wait until none of n pids is alive; 0, or -1 at the timeout. */
int	 tine_wait_gone(const pid_t *pids, int n, int timeout_ms);

/* Poll cond every few ms until it returns non-zero or timeout; 0 or -1. */
int	 tine_wait_until(int (*cond)(void *), void *arg, int timeout_ms);

/* Milliseconds on the monotonic clock. */
long long tine_now_ms(void);

#endif
