/* tls_mod: the table of functions the TLS module (tls.so, the only code linked with OpenSSL) gives the binary that loads it. */
#ifndef TINE_TLS_MOD_H
#define TINE_TLS_MOD_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct config;
struct tls_conf;
struct tls_worker;
struct tls;

/* What a handshake step came to. */
enum tls_step {
	TLS_DONE,		/* finished: requests follow */
	TLS_WANT_READ,		/* wait until the socket is readable */
	TLS_WANT_WRITE,		/* wait until it is writable */
	TLS_PLAIN,		/* the client speaks plain HTTP: answer 400 */
	TLS_FAILED		/* logged at info; close */
};

/* The one symbol the module exports: a struct tls_module. */
#define TLS_MODULE_SYMBOL	"tine_tls_module"

/*
 * What binary and module must agree on: the version, and a checksum the
 * build takes of this header and of the config structures the module
 * reads (TLS_MODULE_SUM), so a module from another build is refused
 * rather than called through the wrong layout.
 */
#ifdef TLS_MODULE_SUM	/* in binary and module only (Makefile.am) */
#define TLS_MODULE_ABI	"tine " PACKAGE_VERSION " " TLS_MODULE_SUM
#endif

/*
 * The module's functions, as tls_load.h (the master's) and tls.h (the
 * worker's) declare them; those headers call through this table, which
 * every object the module makes names in its first member.
 */
struct tls_module {
	const char	*abi;		/* TLS_MODULE_ABI */
	const char	*(*version)(void);	/* "OpenSSL 3.0.x ..." */
	/* the master's */
	int		 (*load)(const struct config *,
			    const struct tls_conf *prev, struct tls_conf **,
			    char *err, size_t errlen);
	void		 (*kernel)(struct tls_conf *);
	void		 (*rotate)(struct tls_conf *, time_t now);
	void		 (*conf_free)(struct tls_conf *);
	/* a worker's */
	struct tls_worker *(*worker_new)(const struct tls_conf *);
	void		 (*worker_free)(struct tls_worker *);
	struct tls	*(*conn_new)(struct tls_worker *, int fd,
			    const char *peer);
	void		 (*conn_free)(struct tls *);
	enum tls_step	 (*handshake)(struct tls *);
	ssize_t		 (*read)(struct tls *, void *buf, size_t len);
	ssize_t		 (*writev)(struct tls *, const struct iovec *, int,
			    bool fin);
	ssize_t		 (*sendfile)(struct tls *, int fd, off_t off,
			    size_t len);
	bool		 (*crossed)(const struct tls *);
	void		 (*ready)(struct tls *);
	bool		 (*drained)(const struct tls *);
	void		 (*shutdown)(struct tls *);
	const char	*(*protocol)(const struct tls *);
	const char	*(*cipher)(const struct tls *);
};

/* The table of the module that made obj (a tls_conf, tls_worker or tls,
 * each of which starts with a pointer to it). */
static inline const struct tls_module *
tls_mod_of(const void *obj)
{
	return *(const struct tls_module *const *)obj;
}

#endif
