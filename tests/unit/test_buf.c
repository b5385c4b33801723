/* Unit tests for common/buf.c: the bounded output buffer. */
#include "tine_build.h"

#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"

/* Guard bytes after the buffer's capacity, checked untouched. */
#define GUARD	'#'

/* A buffer of cap bytes over mem, whose bytes past cap are guards. */
static void
buf_setup(struct buf *b, char *mem, size_t memlen, size_t cap)
{
	memset(mem, GUARD, memlen);
	buf_init(b, mem, cap);
}

/* Whether every byte of mem from `from` on is still a guard. */
static int
guards_intact(const char *mem, size_t from, size_t memlen)
{
	size_t	i;

	for (i = from; i < memlen; i++)
		if (mem[i] != GUARD)
			return 0;
	return 1;
}

Test(buf, appends_fit_exactly)
{
	char		mem[16];
	struct buf	b;

	buf_setup(&b, mem, sizeof(mem), 8);
	buf_add(&b, "abcd", 4);
	buf_adds(&b, "efgh");
	cr_assert(buf_ok(&b));
	cr_assert_eq(b.len, 8);
	cr_assert_eq(memcmp(mem, "abcdefgh", 8), 0);
	buf_add(&b, "i", 1);		/* full: not one byte more */
	cr_assert_not(buf_ok(&b));
	cr_assert_eq(b.len, 8);
	cr_assert(guards_intact(mem, 8, sizeof(mem)));
}

Test(buf, append_too_long_adds_nothing_and_sticks)
{
	char		mem[16];
	struct buf	b;

	buf_setup(&b, mem, sizeof(mem), 8);
	buf_add(&b, "abcde", 5);
	buf_add(&b, "fghi", 4);		/* one byte too many: none of it */
	cr_assert_not(buf_ok(&b));
	cr_assert_eq(b.len, 5);
	cr_assert_eq(memcmp(mem, "abcde", 5), 0);
	cr_assert(guards_intact(mem, 5, sizeof(mem)));
	buf_add(&b, "f", 1);		/* would fit, but the flag sticks */
	cr_assert_eq(b.len, 5);
	cr_assert_not(buf_ok(&b));
	buf_add(&b, "", 0);		/* not even nothing, once overflowed */
	cr_assert_not(buf_ok(&b));
	cr_assert_eq(b.len, 5);
}

Test(buf, addf_fits_with_one_byte_spare_only)
{
	char		mem[16];
	struct buf	b;

	buf_setup(&b, mem, sizeof(mem), 8);
	buf_addf(&b, "%s-%d", "ab", 42);
	cr_assert(buf_ok(&b));
	cr_assert_eq(b.len, 5);
	cr_assert_eq(memcmp(mem, "ab-42", 5), 0);
	/* "xyz" needs 3 bytes and vsnprintf a 4th for its NUL: 8 - 5 = 3. */
	buf_addf(&b, "%s", "xyz");
	cr_assert_not(buf_ok(&b));
	cr_assert_eq(b.len, 5);
	cr_assert(guards_intact(mem, 8, sizeof(mem)));
}

Test(buf, addf_into_a_full_buffer_writes_nothing)
{
	char		mem[8];
	struct buf	b;

	buf_setup(&b, mem, sizeof(mem), 4);
	buf_add(&b, "abcd", 4);
	buf_addf(&b, "%d", 7);
	cr_assert_not(buf_ok(&b));
	cr_assert_eq(b.len, 4);
	cr_assert(guards_intact(mem, 4, sizeof(mem)));
}

Test(buf, addu_writes_decimal)
{
	char		mem[64];
	struct buf	b;

	buf_setup(&b, mem, sizeof(mem), sizeof(mem));
	buf_addu(&b, 0);
	buf_add(&b, " ", 1);
	buf_addu(&b, 1234567890);
	buf_add(&b, " ", 1);
	buf_addu(&b, UINT64_MAX);
	cr_assert(buf_ok(&b));
	cr_assert_eq(b.len, strlen("0 1234567890 18446744073709551615"));
	cr_assert_eq(memcmp(mem, "0 1234567890 18446744073709551615", b.len), 0);
}

Test(buf, addu_too_long_adds_nothing)
{
	char		mem[8];
	struct buf	b;

	buf_setup(&b, mem, sizeof(mem), 5);
	buf_addu(&b, 123456);
	cr_assert_not(buf_ok(&b));
	cr_assert_eq(b.len, 0);
	cr_assert(guards_intact(mem, 0, sizeof(mem)));
}

Test(buf, zero_capacity_never_writes)
{
	char		mem[4];
	struct buf	b;

	buf_setup(&b, mem, sizeof(mem), 0);
	buf_add(&b, "", 0);
	cr_assert(buf_ok(&b));
	buf_adds(&b, "a");
	buf_addf(&b, "b");
	buf_addu(&b, 1);
	cr_assert_not(buf_ok(&b));
	cr_assert(guards_intact(mem, 0, sizeof(mem)));
}

Test(buf, truncate_cuts_back_but_keeps_the_flag)
{
	char		mem[8];
	struct buf	b;

	buf_setup(&b, mem, sizeof(mem), 8);
	buf_adds(&b, "abcdef");
	buf_truncate(&b, 2);
	cr_assert_eq(b.len, 2);
	buf_truncate(&b, 5);		/* never grows */
	cr_assert_eq(b.len, 2);
	buf_adds(&b, "0123456789");
	buf_truncate(&b, 1);
	cr_assert_not(buf_ok(&b));
}

Test(buf, addesc_hex_escapes)
{
	char		mem[32];
	struct buf	b;

	buf_setup(&b, mem, sizeof(mem), 9);
	buf_addesc(&b, "%", 0x2f, true);
	buf_addesc(&b, "\\x", 0x9b, false);
	buf_addesc(&b, "%", 0xab, true);	/* 3 more: one too many */
	cr_assert_not(buf_ok(&b));
	cr_assert_eq(b.len, 7);
	cr_assert_eq(memcmp(mem, "%2F\\x9b", 7), 0);
	cr_assert(guards_intact(mem, 7, sizeof(mem)));
	buf_setup(&b, mem, sizeof(mem), sizeof(mem));
	buf_addesc(&b, "1234567", 0, false);	/* lead too long */
	cr_assert_not(buf_ok(&b));
	cr_assert_eq(b.len, 0);
}
