/*
 * tlsc: a small TLS client for the integration tests (OpenSSL), layered on
 * a harness connection, so responses are read and parsed by
 * tine_conn_read() as over plain HTTP, pipelined ones included.
 */
#ifndef TINE_TLSC_H
#define TINE_TLSC_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "harness.h"

/* One client connection. */
struct tlsc {
	struct tine_conn	 conn;
	SSL			*ssl;
};

/* A client context trusting the CA in the PEM file ca (NULL: none), for
 * versions min .. max (TLS1_2_VERSION ...; 0: OpenSSL's) and TLS 1.2
 * ciphers (NULL: OpenSSL's). Certificates are not checked during the
 * handshake: tests look at tlsc_verify(). NULL on failure. */
SSL_CTX	*tlsc_ctx(const char *ca, int min, int max, const char *ciphers);

/* Connect to 127.0.0.1:port and shake hands, sending sni (NULL: no SNI)
 * and resuming sess (NULL: a new session); 0, or -1 with OpenSSL's
 * reason in why. */
int	 tlsc_open(struct tlsc *, SSL_CTX *, int port, const char *sni,
	    SSL_SESSION *sess, char *why, size_t len);

/* As tlsc_open, sending the prelen bytes of pre (a PROXY protocol
 * header) before the handshake. */
int	 tlsc_open_after(struct tlsc *, SSL_CTX *, int port, const void *pre,
	    size_t prelen, const char *sni, SSL_SESSION *sess, char *why,
	    size_t len);

/* Send a NUL-terminated string; 0 or -1. */
int	 tlsc_send(struct tlsc *, const char *s);

/* Read one response (head_only: to a HEAD); 0 or -1. */
int	 tlsc_read(struct tlsc *, int head_only, struct tine_resp *);

/* The result of checking the server's certificate against the CA and
 * the SNI name (X509_V_OK, X509_V_ERR_CERT_HAS_EXPIRED ...). */
long	 tlsc_verify(const struct tlsc *);

/* The first DNS name of the server's certificate into buf; buf ("" if
 * none). */
char	*tlsc_name(const struct tlsc *, char *buf, size_t len);

/* Close (without waiting for the server) and free. */
void	 tlsc_close(struct tlsc *);

/* Run a shell command (with /bin/sh), quietly; 0 when it exits 0. */
int	 tlsc_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
