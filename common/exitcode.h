/* exitcode: how a worker's exit status tells the master why it ended. */
#ifndef TINE_EXITCODE_H
#define TINE_EXITCODE_H

/* Worker exit codes: the protocol between worker and master. A death by a
 * signal is a crash (SIGSYS: the sandbox stopped a forbidden call). */
#define WORKER_EXIT_OK		0	/* retired: request limit, generation change */
#define WORKER_EXIT_EARLY	3	/* failed before it was ready */
#define WORKER_EXIT_RESOURCE	7	/* short of a resource: spawn slower */
#define WORKER_EXIT_FATAL	15	/* fatal for this config: do not respawn */

#endif
