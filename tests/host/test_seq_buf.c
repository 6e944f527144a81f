/*
 * Host unit tests for lib/seq_buf.c: text that fits is kept whole; text that does not fit sets
 * the overflow mark and leaves what was there before; putc at the last byte fits, one more
 * does not. The buffer comes from malloc with its exact size, so AddressSanitizer reports any
 * byte written past it.
 */
#include "lib/seq_buf.h"
#include "lib/string.h"
#include "tests/host/tap.h"

#include <stdlib.h>

static void test_fits_and_overflows(void)
{
	char *buf = malloc(8);
	struct seq_buf s;

	seq_buf_init(&s, buf, 8);
	TAP_EXPECT_EQ(seq_buf_printf(&s, "%s %d", "ab", 42), 0, "a short print fits");
	TAP_EXPECT_EQ(seq_buf_used(&s), 5u, "5 bytes used");
	TAP_EXPECT_EQ(seq_buf_printf(&s, "%d", 123), -1, "3 more do not fit with vsnprintf's NUL");
	TAP_EXPECT_TRUE(seq_buf_has_overflowed(&s), "the overflow mark is set");
	TAP_EXPECT_EQ(seq_buf_used(&s), 8u, "used is capped at the size");
	TAP_EXPECT_EQ(memcmp(buf, "ab 42", 5), 0, "what fitted before is kept");
	TAP_EXPECT_EQ(seq_buf_printf(&s, "x"), -1, "nothing is added once overflowed");
	free(buf);
}

static void test_putc_to_the_last_byte(void)
{
	char *buf = malloc(3);
	struct seq_buf s;

	seq_buf_init(&s, buf, 3);
	TAP_EXPECT_EQ(seq_buf_putc(&s, 'a') | seq_buf_putc(&s, 'b') | seq_buf_putc(&s, 'c'), 0,
		      "three putc fill three bytes");
	TAP_EXPECT_TRUE(!seq_buf_has_overflowed(&s), "not overflowed when exactly full");
	TAP_EXPECT_EQ(seq_buf_putc(&s, 'd'), -1, "a fourth does not fit");
	TAP_EXPECT_TRUE(seq_buf_has_overflowed(&s), "and sets the mark");
	TAP_EXPECT_EQ(memcmp(buf, "abc", 3), 0, "the three are there");
	free(buf);
}

int main(void)
{
	test_fits_and_overflows();
	test_putc_to_the_last_byte();
	return tap_done();
}
