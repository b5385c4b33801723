/* sandbox: confine a worker — no_new_privs, Landlock, a seccomp allow-list. */
#include "tine_build.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

#include "buf.h"
#include "child.h"
#include "config.h"
#include "log.h"
#include "sandbox.h"

/* Rights of later Landlock ABIs than Debian 12's headers know. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#endif

/* What a worker may do beneath its document root: read files, list dirs. */
#define SANDBOX_READ	(LANDLOCK_ACCESS_FS_READ_FILE | \
			    LANDLOCK_ACCESS_FS_READ_DIR)

/* socket(2)'s type without SOCK_CLOEXEC and SOCK_NONBLOCK. */
#define SANDBOX_SOCK_TYPE	0xf

/* A pid no process has (pid_max is at most 2^22): the master compiles the
 * tgkill rule with it, and each worker puts its own pid in its place. */
#define SANDBOX_PID_MARK	0x7ffffffeU
#define SANDBOX_COMPILE_MS	10000	/* the child that compiles it */
#define SANDBOX_ERR_MAX		256

/*
 * The seccomp allow-list of a config, compiled once for all its workers
 * (by a child of the master): libseccomp's work, and the heap and library
 * pages it touches (some 170 KiB a worker, measured), stay out of them.
 */
struct sandbox_filter {
	struct sock_filter	*insns;
	unsigned short		 len;
	unsigned short		 pid_at;	/* the instruction holding the mark */
};

/*
 * The system calls a worker makes once it serves, whatever their arguments
 * (found by tracing workers through the whole test suite, and by reading
 * the code paths the tests do not reach: recv, syslog, abort). Opening is
 * allowed here because Landlock decides what may be opened. A few calls
 * are allowed below only with some arguments.
 */
static const int sandbox_calls[] = {
	/* the event loop, connections and files */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_ctl), SCMP_SYS(accept4),
	SCMP_SYS(setsockopt), SCMP_SYS(read), SCMP_SYS(recvfrom),
	/* TLS: OpenSSL's random generator reseeds; kernel TLS receives
	 * records with their type in a control message */
	SCMP_SYS(getrandom), SCMP_SYS(recvmsg),
	SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(sendmsg),
	SCMP_SYS(sendfile), SCMP_SYS(shutdown), SCMP_SYS(close),
	SCMP_SYS(openat2), SCMP_SYS(openat), SCMP_SYS(newfstatat),
	SCMP_SYS(pread64),
	/* the file cache's watches: a directory is watched as "." after
	 * changing into it (the worker has no path to its root) */
	SCMP_SYS(inotify_add_watch), SCMP_SYS(inotify_rm_watch),
	SCMP_SYS(fchdir),
	/* autoindex: reading a directory; qsort(3) (glibc's merge sort asks
	 * once how much memory the machine has, to size its buffer) */
	SCMP_SYS(getdents64), SCMP_SYS(sysinfo),
	/* memory (malloc) */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap),
	/* clocks, when the vDSO cannot answer */
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	/* syslog(3) sends with send(), which is sendto() */
	SCMP_SYS(sendto),
	/* signals, abort(3) (which raises with gettid and tgkill), exit */
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(restart_syscall), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(exit_group), SCMP_SYS(exit),
#if defined(__SANITIZE_ADDRESS__)
	/*
	 * The sanitizer build only: AddressSanitizer's allocator advises the
	 * kernel on new regions and its _exit() looks at the signal stack; a
	 * report opens the modules to symbolize (Landlock refuses: frames are
	 * printed as module+offset), asks whether stderr is a tty and may
	 * wait on its own lock.
	 */
	SCMP_SYS(madvise), SCMP_SYS(sigaltstack), SCMP_SYS(open),
	SCMP_SYS(ioctl), SCMP_SYS(futex),
#endif
};

/*
 * The calls every request makes, most frequent first: the filter tests
 * them first. libseccomp otherwise orders its tests by descending call
 * number, which put read (0) last of some fifty, on every read.
 */
static const int sandbox_hot[] = {
	SCMP_SYS(read), SCMP_SYS(writev), SCMP_SYS(epoll_wait),
	SCMP_SYS(accept4), SCMP_SYS(close), SCMP_SYS(sendfile),
	SCMP_SYS(write), SCMP_SYS(pread64), SCMP_SYS(epoll_ctl),
};

/* Every filesystem right the running Landlock ABI knows: all are handled,
 * so each is denied wherever no rule grants it. */
static uint64_t
sandbox_fs_rights(int abi)
{
	/* ABI 1: EXECUTE (bit 0) up to MAKE_SYM (bit 12). */
	uint64_t	rights = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		rights |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		rights |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return rights;
}

/*
 * Landlock: read-only beneath each of the n roots, nothing anywhere else.
 * A rule names the directory the master opened for this generation, so a
 * symlink-swap deploy is followed by the next generation (reload), whose
 * workers rule the new target. 0 done, 1 no Landlock here, -1 failed.
 */
static int
sandbox_landlock(const int *roots, size_t n)
{
	struct landlock_ruleset_attr		attr;
	struct landlock_path_beneath_attr	rule;
	long					abi;
	size_t					i;
	int					fd, saved;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi == -1)
		return errno == ENOSYS || errno == EOPNOTSUPP ? 1 : -1;
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = sandbox_fs_rights((int)abi);
	if ((fd = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof(attr), 0)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		memset(&rule, 0, sizeof(rule));
		rule.allowed_access = SANDBOX_READ;
		rule.parent_fd = roots[i];
		if (syscall(SYS_landlock_add_rule, fd,
		    LANDLOCK_RULE_PATH_BENEATH, &rule, 0) == -1)
			break;
	}
	if (i < n || syscall(SYS_landlock_restrict_self, fd, 0) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

/* Add the allow-list to ctx; 0 or a negative errno. */
static int
sandbox_rules(scmp_filter_ctx ctx, uint32_t pid, bool syslog)
{
	size_t	i;
	int	rc = 0;

	for (i = 0; i < sizeof(sandbox_calls) / sizeof(sandbox_calls[0]) &&
	    rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sandbox_calls[i], 0);
	for (i = 0; i < sizeof(sandbox_hot) / sizeof(sandbox_hot[0]) &&
	    rc == 0; i++)
		rc = seccomp_syscall_priority(ctx, sandbox_hot[i],
		    (uint8_t)(255 - i));
	/* syslog(3) connects (first use, or after syslogd restarted) with a
	 * unix datagram socket: that one, and only for a log to syslog. */
	if (rc == 0 && syslog)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
		    SCMP_A0_32(SCMP_CMP_EQ, AF_UNIX),
		    SCMP_A1_32(SCMP_CMP_MASKED_EQ, SANDBOX_SOCK_TYPE,
		    SOCK_DGRAM));
	if (rc == 0 && syslog)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(connect),
		    0);
	/* Memory, but never executable memory. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
		    SCMP_A2_32(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* abort(3) signals itself, and nobody else. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
		    SCMP_A0_32(SCMP_CMP_EQ, pid));
	return rc;
}

/* Take the program mem (len bytes) into f, once the pid mark is found in
 * it; 0, or -1 with errno (mem is then still the caller's). */
static int
sandbox_program(char *mem, size_t len, struct sandbox_filter *f)
{
	struct sock_filter	*insns = (struct sock_filter *)mem;
	size_t			 i, n = 0, at = 0;

	if (len == 0 || len % sizeof(*insns) != 0 ||
	    len / sizeof(*insns) > BPF_MAXINSNS) {
		errno = EPROTO;
		return -1;
	}
	for (i = 0; i < len / sizeof(*insns); i++)
		if (insns[i].code == (BPF_JMP | BPF_JEQ | BPF_K) &&
		    insns[i].k == SANDBOX_PID_MARK) {
			at = i;
			n++;
		}
	/* One test of the pid, or the program is not what sandbox_rules()
	 * asked for: refuse rather than guess. */
	if (n != 1) {
		errno = EPROTO;
		return -1;
	}
	f->insns = insns;
	f->len = (unsigned short)(len / sizeof(*insns));
	f->pid_at = (unsigned short)at;
	return 0;
}

/* The program libseccomp compiles from ctx, appended to b; -1 when it
 * cannot be had. */
static int
sandbox_export(scmp_filter_ctx ctx, struct buf *b)
{
	struct stat	 st;
	char		*mem = NULL;
	int		 fd, rc = -1;

	if ((fd = memfd_create("tine-seccomp", MFD_CLOEXEC)) == -1)
		return -1;
	if (seccomp_export_bpf(ctx, fd) == 0 && fstat(fd, &st) == 0 &&
	    st.st_size > 0 && (mem = malloc(st.st_size)) != NULL &&
	    pread(fd, mem, st.st_size, 0) == st.st_size) {
		buf_add(b, mem, st.st_size);
		rc = 0;
	}
	free(mem);
	close(fd);
	return rc;
}

/* Whether any log of conf goes to syslog, which needs a socket. */
static bool
sandbox_syslog(const struct config *conf)
{
	size_t	i;

	if (conf->error_log_dest == CONFIG_LOG_SYSLOG)
		return true;
	for (i = 0; i < conf->naccess_logs; i++)
		if (conf->access_logs[i].dest == CONFIG_LOG_SYSLOG)
			return true;
	return false;
}

/* In a child of the master (child_run()): compile the allow-list of the
 * config arg into b; -1 when it cannot. */
static int
sandbox_compile(const void *arg, struct buf *b)
{
	scmp_filter_ctx	ctx;
	int		rc;

	/* Kernels before 4.14 kill the thread only: the same, single-threaded. */
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL &&
	    (ctx = seccomp_init(SCMP_ACT_KILL)) == NULL)
		return -1;
	rc = sandbox_rules(ctx, SANDBOX_PID_MARK, sandbox_syslog(arg));
	if (rc == 0)
		rc = sandbox_export(ctx, b);
	seccomp_release(ctx);
	return rc == 0 ? 0 : -1;
}

/*
 * Compile conf's seccomp allow-list for its workers (see sandbox.h), in a
 * short-lived child as account.c resolves names: libseccomp's tables and
 * the heap it churns never enter the master's pages, nor its workers'.
 */
int
sandbox_filter_make(const struct config *conf, struct sandbox_filter **out,
    char *err, size_t len)
{
	struct sandbox_filter	*f;
	char			*mem, why[SANDBOX_ERR_MAX];
	size_t			 got;

	*out = NULL;
	if (!conf->sandbox)
		return 0;
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		snprintf(err, len, "sandbox: %s", strerror(errno));
		return -1;
	}
	if (child_run(sandbox_compile, conf, BPF_MAXINSNS * sizeof(*f->insns),
	    SANDBOX_COMPILE_MS, "the compile", &mem, &got, why,
	    sizeof(why)) == -1) {
		snprintf(err, len, "sandbox: cannot compile the seccomp "
		    "filter: %s", why);
		free(f);
		return -1;
	}
	if (sandbox_program(mem, got, f) == -1) {
		snprintf(err, len, "sandbox: the seccomp filter compiled is "
		    "not usable: %s", strerror(errno));
		free(mem);
		free(f);
		return -1;
	}
	*out = f;
	return 0;
}

/* Release what sandbox_filter_make() made. */
void
sandbox_filter_free(struct sandbox_filter *f)
{
	if (f == NULL)
		return;
	free(f->insns);
	free(f);
}

/* seccomp: any call off the list kills the worker with SIGSYS; the
 * master's program with this worker's pid in it. 0 done, 1 no seccomp
 * here, -1 failed (logged). */
static int
sandbox_seccomp(const struct sandbox_filter *f)
{
	struct sock_fprog	 prog;
	struct sock_filter	*own;
	int			 rc;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == -1 && errno == EINVAL)
		return 1;
	if ((own = malloc(f->len * sizeof(*own))) == NULL) {
		log_error("sandbox: seccomp filter: %s", strerror(errno));
		return -1;
	}
	memcpy(own, f->insns, f->len * sizeof(*own));
	own[f->pid_at].k = (uint32_t)getpid();
	prog.len = f->len;
	prog.filter = own;
	rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
	if (rc == -1)
		log_error("sandbox: cannot load the seccomp filter: %s",
		    strerror(errno));
	free(own);
	return rc;
}

/* Confine the calling worker for good (see sandbox.h). */
int
sandbox_enter(const struct sandbox_filter *f, const int *roots,
    size_t nroots, bool loud)
{
	struct tm	tm;
	time_t		now = time(NULL);
	int		level = loud ? LOG_NOTICE : LOG_DEBUG, r;

	/* The time zone file is read now, while it can be. */
	tzset();
	localtime_r(&now, &tm);
#if defined(__SANITIZE_ADDRESS__)
	/* Its reports read the memory map and the binary: cache them now. */
	__sanitizer_sandbox_on_notify(NULL);
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_error("sandbox: no_new_privs: %s", strerror(errno));
		return -1;
	}
	if ((r = sandbox_landlock(roots, nroots)) == -1) {
		log_error("sandbox: landlock: %s", strerror(errno));
		return -1;
	}
	if (r == 1)
		log_msg(level, "sandbox: this kernel has no Landlock: workers "
		    "can read every file their user can");
	if ((r = sandbox_seccomp(f)) == -1)
		return -1;
	if (r == 1)
		log_msg(level, "sandbox: this kernel has no seccomp: workers "
		    "can make every system call");
	return 0;
}
