/* tlsc: a small TLS client for the integration tests (see tlsc.h). */
#include "tine_build.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tlsc.h"

#define TLSC_CMD_MAX	4096

/* A client context (see tlsc.h). */
SSL_CTX *
tlsc_ctx(const char *ca, int min, int max, const char *ciphers)
{
	SSL_CTX	*ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return NULL;
	/* Old versions and weak ciphers must be refused by the server, not
	 * by this client's own policy. */
	if (ciphers != NULL || min != 0)
		SSL_CTX_set_security_level(ctx, 0);
	if ((min != 0 && SSL_CTX_set_min_proto_version(ctx, min) != 1) ||
	    (max != 0 && SSL_CTX_set_max_proto_version(ctx, max) != 1) ||
	    (ciphers != NULL && SSL_CTX_set_cipher_list(ctx, ciphers) != 1) ||
	    (ca != NULL && SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	return ctx;
}

/* The layer's recv: SSL_read, -1 with EAGAIN to wait for readability. */
static ssize_t
tlsc_recv(void *layer, void *buf, size_t len)
{
	SSL	*ssl = layer;
	int	 n, err;

	ERR_clear_error();
	if ((n = SSL_read(ssl, buf, len > INT_MAX ? INT_MAX : (int)len)) > 0)
		return n;
	err = SSL_get_error(ssl, n);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		errno = EAGAIN;
		return -1;
	}
	if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL &&
	    errno == 0))
		return 0;
	errno = ECONNRESET;
	return -1;
}

/* The layer's send: SSL_write, -1 with EAGAIN to wait for writability. */
static ssize_t
tlsc_send_some(void *layer, const void *buf, size_t len)
{
	SSL	*ssl = layer;
	int	 n, err;

	ERR_clear_error();
	if ((n = SSL_write(ssl, buf, len > INT_MAX ? INT_MAX : (int)len)) > 0)
		return n;
	err = SSL_get_error(ssl, n);
	errno = err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ?
	    EAGAIN : EPIPE;
	return -1;
}

/* Shake hands on the non-blocking socket, waiting as OpenSSL asks. */
static int
tlsc_handshake(struct tlsc *t, char *why, size_t len)
{
	long long		 deadline = tine_now_ms() + TINE_TIMEOUT_MS;
	struct pollfd		 pfd = { .fd = t->conn.fd };
	unsigned long		 e;
	int			 r, err;

	for (;;) {
		ERR_clear_error();
		if ((r = SSL_connect(t->ssl)) == 1)
			return 0;
		err = SSL_get_error(t->ssl, r);
		if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
			break;
		pfd.events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		if (tine_now_ms() >= deadline || poll(&pfd, 1,
		    (int)(deadline - tine_now_ms())) != 1) {
			snprintf(why, len, "handshake timed out");
			return -1;
		}
	}
	e = ERR_peek_last_error();
	snprintf(why, len, "%s", e != 0 && ERR_reason_error_string(e) != NULL ?
	    ERR_reason_error_string(e) : err == SSL_ERROR_SYSCALL ?
	    "connection closed" : "handshake failed");
	return -1;
}

/* Connect and shake hands (see tlsc.h). */
int
tlsc_open(struct tlsc *t, SSL_CTX *ctx, int port, const char *sni,
    SSL_SESSION *sess, char *why, size_t len)
{
	return tlsc_open_after(t, ctx, port, NULL, 0, sni, sess, why, len);
}

/* Connect, send pre (a PROXY protocol header), then shake hands. */
int
tlsc_open_after(struct tlsc *t, SSL_CTX *ctx, int port, const void *pre,
    size_t prelen, const char *sni, SSL_SESSION *sess, char *why, size_t len)
{
	memset(t, 0, sizeof(*t));
	snprintf(why, len, "cannot connect");
	if (tine_conn_open(&t->conn, AF_INET, port) == -1 ||
	    (prelen > 0 && tine_conn_send(&t->conn, pre, prelen) == -1))
		return -1;
	if ((t->ssl = SSL_new(ctx)) == NULL ||
	    SSL_set_fd(t->ssl, t->conn.fd) != 1 ||
	    (sni != NULL && (SSL_set_tlsext_host_name(t->ssl, sni) != 1 ||
	    SSL_set1_host(t->ssl, sni) != 1)) ||
	    (sess != NULL && SSL_set_session(t->ssl, sess) != 1)) {
		snprintf(why, len, "cannot make the SSL object");
		return -1;
	}
	t->conn.recv = tlsc_recv;
	t->conn.send = tlsc_send_some;
	t->conn.layer = t->ssl;
	return tlsc_handshake(t, why, len);
}

/* Send a string through TLS. */
int
tlsc_send(struct tlsc *t, const char *s)
{
	return tine_conn_sends(&t->conn, s);
}

/* Read one response through TLS. */
int
tlsc_read(struct tlsc *t, int head_only, struct tine_resp *r)
{
	return tine_conn_read(&t->conn, head_only, TINE_TIMEOUT_MS, r);
}

/* The verification result of the server's certificate. */
long
tlsc_verify(const struct tlsc *t)
{
	return SSL_get_verify_result(t->ssl);
}

/* The first DNS name of the server's certificate. */
char *
tlsc_name(const struct tlsc *t, char *buf, size_t len)
{
	X509			*x = SSL_get0_peer_certificate(t->ssl);
	GENERAL_NAMES		*names;
	const GENERAL_NAME	*g;
	int			 i;

	buf[0] = '\0';
	if (x == NULL || (names = X509_get_ext_d2i(x, NID_subject_alt_name,
	    NULL, NULL)) == NULL)
		return buf;
	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		g = sk_GENERAL_NAME_value(names, i);
		if (g->type == GEN_DNS) {
			snprintf(buf, len, "%.*s", ASN1_STRING_length(g->d.dNSName),
			    (const char *)ASN1_STRING_get0_data(g->d.dNSName));
			break;
		}
	}
	GENERAL_NAMES_free(names);
	return buf;
}

/* Close and free; close_notify first, or OpenSSL would count the session
 * as broken and never offer it again. */
void
tlsc_close(struct tlsc *t)
{
	if (t->ssl != NULL && SSL_is_init_finished(t->ssl))
		SSL_shutdown(t->ssl);
	ERR_clear_error();
	SSL_free(t->ssl);
	t->ssl = NULL;
	tine_conn_close(&t->conn);
}

/* Run a shell command quietly; 0 when it exits 0. */
int
tlsc_sh(const char *fmt, ...)
{
	char	cmd[TLSC_CMD_MAX];
	va_list	ap;
	int	n, st;

	strlcpy(cmd, "exec >/dev/null 2>&1; ", sizeof(cmd));
	va_start(ap, fmt);
	n = vsnprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || strlen(cmd) == sizeof(cmd) - 1)
		return -1;
	st = system(cmd);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}
