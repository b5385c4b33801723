/* tls: a worker's TLS connections (handshake, reads, writes, files), calls into the TLS module (worker/tls.c in tls.so), which alone sees OpenSSL. */
#ifndef TINE_TLS_H
#define TINE_TLS_H

#include "tls_mod.h"

/*
 * struct tls_conf: loaded by the master (master/tls_load.h), inherited;
 * struct tls_worker: a worker's TLS state; struct tls: one connection's.
 * The module made each of them and each names its table, so a worker
 * calls the module that the master loaded before forking it.
 */

/* The worker's TLS state over the generation's tc; NULL without memory. */
static inline struct tls_worker *
tls_worker_new(const struct tls_conf *tc)
{
	return tls_mod_of(tc)->worker_new(tc);
}

/* Release it; NULL is fine. */
static inline void
tls_worker_free(struct tls_worker *tw)
{
	if (tw != NULL)
		tls_mod_of(tw)->worker_free(tw);
}

/* TLS on an accepted socket, peer naming the client in log lines (it must
 * live as long as the connection); NULL without memory. */
static inline struct tls *
tls_new(struct tls_worker *tw, int fd, const char *peer)
{
	return tls_mod_of(tw)->conn_new(tw, fd, peer);
}

/* Free a connection's TLS state (the socket stays open); NULL is fine. */
static inline void
tls_free(struct tls *t)
{
	if (t != NULL)
		tls_mod_of(t)->conn_free(t);
}

/* Go on with the handshake. */
static inline enum tls_step
tls_handshake(struct tls *t)
{
	return tls_mod_of(t)->handshake(t);
}

/* As read(2): bytes, 0 at the end, -1 with errno EAGAIN when it must wait
 * (a protocol error: EPROTO, logged at info). */
static inline ssize_t
tls_read(struct tls *t, void *buf, size_t len)
{
	return tls_mod_of(t)->read(t, buf, len);
}

/* As writev(2), in one TLS record at most; -1 with EAGAIN to wait. fin:
 * the connection ends after these bytes, so when they fit the record,
 * close_notify goes in the same write (tls_shutdown() then has no more to
 * send). */
static inline ssize_t
tls_writev(struct tls *t, const struct iovec *iov, int niov, bool fin)
{
	return tls_mod_of(t)->writev(t, iov, niov, fin);
}

/* Send up to len bytes of file fd from off: SSL_sendfile under kernel
 * TLS, else up to 256 KiB read with pread(2), sealed in records and
 * written in one call; the bytes of the records that left whole (the
 * rest of a batch goes on the next call, whatever off). 0 when the file
 * is shorter than that; -1 with EAGAIN to wait. */
static inline ssize_t
tls_sendfile(struct tls *t, int fd, off_t off, size_t len)
{
	return tls_mod_of(t)->sendfile(t, fd, off, len);
}

/* Whether the last call waited for the other direction (a read that must
 * write first, or the reverse): then either readiness may unblock it, and
 * a read must have epoll report when the socket drains. */
static inline bool
tls_crossed(const struct tls *t)
{
	return tls_mod_of(t)->crossed(t);
}

/* Epoll reported the socket readable (or hung up): tls_drained() and the
 * reads OpenSSL would skip look at the socket again. */
static inline void
tls_ready(struct tls *t)
{
	tls_mod_of(t)->ready(t);
}

/* Whether the client's bytes are all read: a read(2) came back short since
 * the last tls_ready() and OpenSSL holds none of its bytes, so no read is
 * needed before epoll tells of more (as a short read(2) tells). */
static inline bool
tls_drained(const struct tls *t)
{
	return tls_mod_of(t)->drained(t);
}

/* Send close_notify, once, without waiting for the client's. */
static inline void
tls_shutdown(struct tls *t)
{
	tls_mod_of(t)->shutdown(t);
}

/* The protocol ("TLSv1.3") of a finished handshake, for the access log;
 * a static string, NULL before the handshake. */
static inline const char *
tls_protocol(const struct tls *t)
{
	return tls_mod_of(t)->protocol(t);
}

/* Its cipher, likewise. */
static inline const char *
tls_cipher(const struct tls *t)
{
	return tls_mod_of(t)->cipher(t);
}

#endif
