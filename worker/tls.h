/* tls: a worker's TLS connections (handshake, reads, writes, files) over OpenSSL, which nothing else in the worker sees. */
#ifndef TINE_TLS_H
#define TINE_TLS_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stdbool.h>
#include <stddef.h>

struct tls_conf;	/* loaded by the master (master/tls_load.h), inherited */
struct tls_worker;	/* a worker's TLS state */
struct tls;		/* one connection's */

/* What a handshake step came to. */
enum tls_step {
	TLS_DONE,		/* finished: requests follow */
	TLS_WANT_READ,		/* wait until the socket is readable */
	TLS_WANT_WRITE,		/* wait until it is writable */
	TLS_PLAIN,		/* the client speaks plain HTTP: answer 400 */
	TLS_FAILED		/* logged at info; close */
};

/* The worker's TLS state over the generation's tc; NULL without memory. */
struct tls_worker *tls_worker_new(const struct tls_conf *tc);

/* Release it. */
void		 tls_worker_free(struct tls_worker *);

/* TLS on an accepted socket, peer naming the client in log lines (it must
 * live as long as the connection); NULL without memory. */
struct tls	*tls_new(struct tls_worker *, int fd, const char *peer);

/* Free a connection's TLS state (the socket stays open); NULL is fine. */
void		 tls_free(struct tls *);

/* Go on with the handshake. */
enum tls_step	 tls_handshake(struct tls *);

/* As read(2): bytes, 0 at the end, -1 with errno EAGAIN when it must wait
 * (a protocol error: EPROTO, logged at info). */
ssize_t		 tls_read(struct tls *, void *buf, size_t len);

/* As writev(2), in one TLS record at most; -1 with EAGAIN to wait. */
ssize_t		 tls_writev(struct tls *, const struct iovec *iov, int niov);

/* Send up to len bytes of file fd from off: SSL_sendfile under kernel
 * TLS, else up to 256 KiB read with pread(2), sealed in records and
 * written in one call; the bytes of the records that left whole (the
 * rest of a batch goes on the next call, whatever off). 0 when the file
 * is shorter than that; -1 with EAGAIN to wait. */
ssize_t		 tls_sendfile(struct tls *, int fd, off_t off, size_t len);

/* Whether the last call waited for the other direction (a read that must
 * write first, or the reverse): then either readiness may unblock it. */
bool		 tls_crossed(struct tls *);

/* Send close_notify, once, without waiting for the client's. */
void		 tls_shutdown(struct tls *);

/* The protocol ("TLSv1.3") and cipher of a finished handshake, for the
 * access log; static strings, NULL before the handshake. */
const char	*tls_protocol(const struct tls *);
const char	*tls_cipher(const struct tls *);

#endif
