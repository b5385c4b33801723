/* sandbox: confine a worker — no_new_privs, Landlock, a seccomp allow-list. */
#ifndef TINE_SANDBOX_H
#define TINE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct sandbox_filter;

/*
 * The master: compile conf's seccomp allow-list once for all the workers
 * of its generations (into *out; NULL when conf has the sandbox off). 0,
 * or -1 with err.
 */
int	sandbox_filter_make(const struct config *conf,
	    struct sandbox_filter **out, char *err, size_t len);
void	sandbox_filter_free(struct sandbox_filter *);

/*
 * Confine the calling worker for good, once it has dropped
 * privileges and opened what it needs at start: no new privileges, files
 * readable only beneath the nroots directories roots (each site's
 * document root, opened by the master) (Landlock), only the
 * system calls a worker makes (f, which sandbox_filter_make() made for
 * its config, the sandbox being on, with this worker's pid put in:
 * seccomp; any other call kills it with SIGSYS).
 * A kernel without Landlock or seccomp is noticed (at notice level when
 * loud, else at debug level) and skipped. 0, or -1 after logging why it
 * cannot be done.
 */
int	sandbox_enter(const struct sandbox_filter *f, const int *roots,
	    size_t nroots, bool loud);

#endif
