/*
 * openat2-shim: for profiling only (tests/bench/profile.py). valgrind
 * 3.19, Debian 12's, does not know openat2(2) and answers ENOSYS, so a
 * worker under it serves no file. Preloaded, this makes tine's
 * syscall(SYS_openat2, ...) an openat(2) with the same flags and mode,
 * without the RESOLVE_ flags: never use it outside a profiler.
 *
 *   build: cc -O2 -shared -fPIC -o openat2-shim.so openat2-shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/openat2.h>

long	syscall(long, ...);

/* syscall(2) with openat2 done as openat; every other call passed on. */
long
syscall(long n, ...)
{
	static long		(*real)(long, ...);
	const struct open_how	*how;
	va_list			 ap;
	long			 a[6];
	int			 i;

	va_start(ap, n);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (n == SYS_openat2) {
		how = (const struct open_how *)a[2];
		return openat((int)a[0], (const char *)a[1], (int)how->flags,
		    (mode_t)how->mode);
	}
	if (real == NULL &&
	    (real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall")) == NULL)
		return -1;
	return real(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
