/* tls_load: the master reads every site's certificate and key into OpenSSL contexts before forking, and makes the session-ticket keys. */
#ifndef TINE_TLS_LOAD_H
#define TINE_TLS_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct config;
struct tls_conf;

/*
 * Load the certificates of conf's sites (as root: key files readable only
 * by root are fine; workers never open them) into *out, which the caller
 * frees with tls_conf_free(); *out is NULL when no site has one. The
 * session-ticket keys are taken over from prev (the generation serving,
 * so its clients still resume; NULL: new ones). 0, or -1 with err as
 * "FILE:LINE: KEY: why" (unreadable, not PEM, a key that does not match
 * its certificate, a cipher list OpenSSL refuses ...).
 */
int	tls_load(const struct config *conf, const struct tls_conf *prev,
	    struct tls_conf **out, char *err, size_t errlen);

/* Whether some site of conf has a certificate. */
bool	tls_certified(const struct config *conf);

/* Whether some listener of conf speaks TLS. */
bool	tls_listening(const struct config *conf);

/* Find out whether the kernel does TLS, let the contexts use it if so,
 * and log which way files will go out; serving only (tine -t skips it). */
void	tls_kernel(struct tls_conf *);

/* The master's clock (monotonic seconds) ticked: rotate the session
 * ticket keys when their time has come; NULL is fine. */
void	tls_rotate(struct tls_conf *, time_t now);

/* Release what tls_load() made; NULL is fine. */
void	tls_conf_free(struct tls_conf *);

#endif
