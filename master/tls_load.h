/* tls_load: the master loads the TLS module (tls.so, OpenSSL's only user) when the config needs it, and through it every site's certificate and key before forking. */
#ifndef TINE_TLS_LOAD_H
#define TINE_TLS_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "tls_mod.h"

struct config;

/* Note the directory of the running binary (/proc/self/exe), where the
 * TLS module is looked for later; once, first thing in main(). */
void	tls_load_init(void);

/*
 * Load the certificates of conf's sites (as root: key files readable only
 * by root are fine; workers never open them) into *out, which the caller
 * frees with tls_conf_free(); *out is NULL when no site has one, and then
 * the module is not loaded either. The session-ticket keys are taken over
 * from prev (the generation serving, so its clients still resume; NULL:
 * new ones). 0, or -1 with err as "FILE:LINE: KEY: why" (the module will
 * not load, a file is unreadable, not PEM, a key does not match its
 * certificate, a cipher list OpenSSL refuses ...).
 */
int	tls_load(const struct config *conf, const struct tls_conf *prev,
	    struct tls_conf **out, char *err, size_t errlen);

/* Whether some site of conf has a certificate. */
bool	tls_certified(const struct config *conf);

/* Whether some listener of conf speaks TLS (the module calls it too). */
bool	tls_listening(const struct config *conf);

/* Say on f where the TLS module is and whether it loads (tine -v). */
void	tls_module_describe(FILE *f);

/* Find out whether the kernel does TLS, let the contexts use it if so,
 * and log which way files will go out; serving only (tine -t skips it).
 * NULL is fine. */
static inline void
tls_kernel(struct tls_conf *tc)
{
	if (tc != NULL)
		tls_mod_of(tc)->kernel(tc);
}

/* The master's clock (monotonic seconds) ticked: rotate the session
 * ticket keys when their time has come; NULL is fine. */
static inline void
tls_rotate(struct tls_conf *tc, time_t now)
{
	if (tc != NULL)
		tls_mod_of(tc)->rotate(tc, now);
}

/* Release what tls_load() made; NULL is fine. */
static inline void
tls_conf_free(struct tls_conf *tc)
{
	if (tc != NULL)
		tls_mod_of(tc)->conf_free(tc);
}

#endif
