/* sandbox: confine a worker — no_new_privs, Landlock, a seccomp allow-list. */
#ifndef TINE_SANDBOX_H
#define TINE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

struct config;

/*
 * Confine the calling worker of conf for good, once it has dropped
 * privileges and opened what it needs at start: no new privileges, files
 * readable only beneath the nroots directories roots (each site's
 * document root, opened by the master) (Landlock), only the
 * system calls a worker makes (seccomp; any other kills it with SIGSYS).
 * A kernel without Landlock or seccomp is noticed (at notice level when
 * loud, else at debug level) and skipped. 0, or -1 after logging why it
 * cannot be done.
 */
int	sandbox_enter(const struct config *conf, const int *roots,
	    size_t nroots, bool loud);

#endif
