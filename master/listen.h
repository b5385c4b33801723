/* listen: the listening sockets, bound by the master and kept across reloads. */
#ifndef TINE_LISTEN_H
#define TINE_LISTEN_H

#include "listeners.h"

struct config;

/*
 * Make the listeners of conf: sockets already open in `keep` (may be NULL)
 * for the same address are moved over, the others are bound. On failure
 * nothing is moved and err says which address failed and why.
 */
int	listen_open(struct listeners *out, struct listeners *keep,
	    const struct config *conf, char *err, size_t errlen);

/* Hand back to `to` the sockets listen_open() moved from it into `from`
 * (a generation abandoned before it served). */
void	listen_give_back(struct listeners *from, struct listeners *to);

/* Close every socket of a set and free it. */
void	listen_close(struct listeners *);

#endif
