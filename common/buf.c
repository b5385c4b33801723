/* buf: the one bounded output buffer every response head and generated body is built in. */
#include "tine_build.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"

/* Start an empty buffer over mem[0..cap). */
void
buf_init(struct buf *b, char *mem, size_t cap)
{
	b->mem = mem;
	b->len = 0;
	b->cap = cap;
	b->overflow = false;
}

/* Append n bytes, or nothing and the overflow flag. */
void
buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	if (n > 0)
		memcpy(b->mem + b->len, data, n);
	b->len += n;
}

/* Append a C string. */
void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Append the decimal digits of n, without printf on the hot path. */
void
buf_addu(struct buf *b, uint64_t n)
{
	char	digits[20], *p = digits + sizeof(digits);

	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	buf_add(b, p, (size_t)(digits + sizeof(digits) - p));
}

/* Append byte c as lead and two hex digits ("%2F", "\\x9b"). */
void
buf_addesc(struct buf *b, const char *lead, unsigned char c, bool upper)
{
	const char	*hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char		 esc[8];
	size_t		 n = strlen(lead);

	if (n > sizeof(esc) - 2) {
		b->overflow = true;
		return;
	}
	memcpy(esc, lead, n);
	esc[n] = hex[c >> 4];
	esc[n + 1] = hex[c & 15];
	buf_add(b, esc, n + 2);
}

/* Append a formatted string from a va_list. */
void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	size_t	left = b->cap - b->len;
	int	n;

	if (b->overflow)
		return;
	/* vsnprintf writes a NUL too, so a fit needs one byte to spare;
	 * with no room at all it writes nothing and still counts. */
	n = vsnprintf(left > 0 ? b->mem + b->len : NULL, left, fmt, ap);
	if (n < 0 || (size_t)n >= left) {
		b->overflow = true;
		return;
	}
	b->len += (size_t)n;
}

/* Append a formatted string. */
void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

/* Cut the buffer back to len bytes; the overflow flag stays as it was. */
void
buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len)
		b->len = len;
}

/* Whether every append so far fit. */
bool
buf_ok(const struct buf *b)
{
	return !b->overflow;
}
