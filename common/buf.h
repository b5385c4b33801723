/* buf: the one bounded output buffer every response head and generated body is built in. */
#ifndef TINE_BUF_H
#define TINE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Bytes appended into caller-owned memory of a fixed capacity. An append
 * that does not fit whole appends nothing and sets the sticky overflow
 * flag, so a caller builds freely and checks once at the end: a buffer
 * that overflowed holds only whole appends and must not be sent as if
 * complete. The memory is not NUL-terminated.
 */
struct buf {
	char	*mem;
	size_t	 len;
	size_t	 cap;
	bool	 overflow;
};

/* Start an empty buffer over mem[0..cap). */
void	buf_init(struct buf *, char *mem, size_t cap);

/* Append n bytes. */
void	buf_add(struct buf *, const void *data, size_t n);

/* Append a C string. */
void	buf_adds(struct buf *, const char *s);

/* Append the decimal digits of n. */
void	buf_addu(struct buf *, uint64_t n);

/* Append byte c as lead and two hex digits, upper- or lower-case
 * ("%2F" for a URL, "\\x9b" for a log); lead is at most 6 bytes. */
void	buf_addesc(struct buf *, const char *lead, unsigned char c,
	    bool upper);

/* Append a formatted string. */
void	buf_addf(struct buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Append a formatted string from a va_list. */
void	buf_vaddf(struct buf *, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

/* Cut the buffer back to len bytes (len <= its length); overflow stays. */
void	buf_truncate(struct buf *, size_t len);

/* Whether every append so far fit. */
bool	buf_ok(const struct buf *);

#endif
