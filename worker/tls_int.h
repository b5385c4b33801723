/* tls_int: the TLS state a master loads for a generation and its workers inherit; only the TLS module's files (worker/tls.c, master/tls_ctx.c), OpenSSL's two users, include it. */
#ifndef TINE_TLS_INT_H
#define TINE_TLS_INT_H

#include <openssl/ssl.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tls_mod.h"

struct config;

#define TLS_TICKET_NAME		16	/* bytes, sent in the clear in a ticket */
#define TLS_TICKET_SECRET	32	/* AES-256 key; HMAC-SHA256 key */
#define TLS_TICKET_KEYS		3	/* current, previous, the one being made */

/* One session-ticket key: its name, which a ticket carries, and secrets. */
struct tls_ticket_key {
	unsigned char	name[TLS_TICKET_NAME];
	unsigned char	aes[TLS_TICKET_SECRET];
	unsigned char	hmac[TLS_TICKET_SECRET];
};

/*
 * The ticket keys of a generation, in memory shared with its workers (so
 * that a rotation by the master reaches them): new tickets are sealed with
 * key[current], a ticket under any other key of the ring still opens (and
 * is renewed). The master writes the slot after current, then moves
 * current to it, so the slot a worker may be reading is never rewritten.
 */
struct tls_keys {
	uint32_t		 current;	/* read and written atomically */
	time_t			 made;		/* monotonic: when current was made */
	struct tls_ticket_key	 key[TLS_TICKET_KEYS];
};

/* A stapled OCSP response, as the file held it (DER). */
struct tls_ocsp {
	unsigned char	*der;
	size_t		 len;
};

/*
 * Everything the master loads from one config for TLS, before forking: a
 * context per site with its certificate, made once and inherited by every
 * worker of the generation. Workers only read it (but for OpenSSL's own
 * reference counts in their copies).
 */
struct tls_conf {
	const struct tls_module	*mod;		/* first: see tls_mod_of() */
	const struct config	*conf;
	SSL_CTX			**ctx;		/* per conf->sites; NULL: none */
	struct tls_ocsp		*ocsp;		/* per conf->sites */
	size_t			 nsites;
	SSL_CTX			*fallback;	/* no SNI, or a site without one */
	struct tls_keys		*keys;		/* MAP_SHARED */
};

/* Make ctx answer as tine does (SNI, ALPN, tickets, OCSP), its callbacks
 * finding tc through the context's app data. */
void	tls_ctx_hooks(SSL_CTX *ctx, struct tls_conf *tc, struct tls_ocsp *ocsp);

/* What master/tls_ctx.c gives the table (tls_load.h says what each does). */
int	tls_ctx_load(const struct config *conf, const struct tls_conf *prev,
	    struct tls_conf **out, char *err, size_t errlen);
void	tls_ctx_kernel(struct tls_conf *);
void	tls_ctx_rotate(struct tls_conf *, time_t now);
void	tls_ctx_free(struct tls_conf *);

/* The module's table, in worker/tls.c: the one symbol it exports. */
extern const struct tls_module tine_tls_module
    __attribute__((visibility("default")));

#endif
