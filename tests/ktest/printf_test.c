/*
 * KTAP suite "printf": lib/printf.c as the kernel build compiles it (-O2, -mcmodel=kernel, no
 * SSE). tests/host/test_printf.c checks the same code on the host against the C library; this
 * suite catches what only the kernel's flags or calling convention could break (va_list
 * handling, 64-bit arguments, pointers in the higher half).
 */
#include "kernel/ktest.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Formats into a buffer and checks both the text and the returned length. */
#define EXPECT_FMT(t, want, ...)                                                                   \
	do {                                                                                       \
		char buf_[96];                                                                     \
		int n_ = snprintf(buf_, sizeof(buf_), __VA_ARGS__);                                \
		EXPECT_STREQ(t, buf_, want);                                                       \
		EXPECT_EQ(t, n_, (int)strlen(want));                                               \
	} while (0)

static void test_widths(struct ktest *t)
{
	EXPECT_FMT(t, "[   42]", "[%5d]", 42);
	EXPECT_FMT(t, "[42   ]", "[%-5d]", 42);
	EXPECT_FMT(t, "[42]", "[%1d]", 42);
	EXPECT_FMT(t, "[    42]", "[%*d]", 6, 42);
	EXPECT_FMT(t, "[42    ]", "[%*d]", -6, 42);
	EXPECT_FMT(t, "[  hi] [hi  ]", "[%4s] [%-4s]", "hi", "hi");
}

static void test_flags(struct ktest *t)
{
	EXPECT_FMT(t, "[00042]", "[%05d]", 42);
	EXPECT_FMT(t, "[+42] [ 42]", "[%+d] [% d]", 42, 42);
	EXPECT_FMT(t, "[0xff] [0XFF] [010]", "[%#x] [%#X] [%#o]", 255, 255, 8);
	EXPECT_FMT(t, "[0x00ff]", "[%#06x]", 255);
	EXPECT_FMT(t, "[0]", "[%#x]", 0);
	EXPECT_FMT(t, "[100%]", "[%d%%]", 100);
}

static void test_precision(struct ktest *t)
{
	EXPECT_FMT(t, "[  007]", "[%5.3d]", 7);
	EXPECT_FMT(t, "[]", "[%.0d]", 0);
	EXPECT_FMT(t, "[tea]", "[%.3s]", "teachos");
	EXPECT_FMT(t, "[  tea]", "[%5.*s]", 3, "teachos");
	EXPECT_FMT(t, "[-0042]", "[%.4d]", -42);
}

static void test_negative(struct ktest *t)
{
	EXPECT_FMT(t, "-1 -42", "%d %i", -1, -42);
	EXPECT_FMT(t, "[-0042]", "[%05d]", -42);
	EXPECT_FMT(t, "[-42  ]", "[%-5d]", -42);
	EXPECT_FMT(t, "-2147483648", "%d", (int)0x80000000u);
	EXPECT_FMT(t, "4294967295", "%u", -1);
}

static void test_length_modifiers(struct ktest *t)
{
	/* hh and h cut an int argument down; a literal format would draw a (right) warning. */
	const char *narrow = "%hhd %hd %hhu %hu";

	EXPECT_FMT(t, "-1 -1 44 1", narrow, 255, 65535, 300, 65537);
	EXPECT_FMT(t, "-1 4294967295", "%ld %lu", -1L, 4294967295UL);
}

static void test_long_long_extremes(struct ktest *t)
{
	EXPECT_FMT(t, "-9223372036854775808", "%lld", (long long)(1ULL << 63));
	EXPECT_FMT(t, "9223372036854775807", "%lld", (long long)(~0ULL >> 1));
	EXPECT_FMT(t, "18446744073709551615", "%llu", ~0ULL);
	EXPECT_FMT(t, "ffffffffffffffff", "%llx", ~0ULL);
	EXPECT_FMT(t, "1777777777777777777777", "%llo", ~0ULL);
	EXPECT_FMT(t, "123456789012 -5", "%zu %td", (size_t)123456789012ULL, (ptrdiff_t)-5);
}

static void test_pointer(struct ktest *t)
{
	EXPECT_FMT(t, "0xffffffff80001000", "%p", (void *)0xffffffff80001000ULL);
	EXPECT_FMT(t, "0x0", "%p", NULL);
	EXPECT_FMT(t, "[    0x1234]", "[%10p]", (void *)0x1234);
}

static void test_null_string(struct ktest *t)
{
	/* volatile: gcc must not see the NULL, or it rejects the call at compile time. */
	const char *volatile null = NULL;

	EXPECT_FMT(t, "[(null)]", "[%s]", null);
	EXPECT_FMT(t, "[  (null)]", "[%8s]", null);
}

static void test_truncation(struct ktest *t)
{
	char buf[8];
	int n;

	n = snprintf(buf, 5, "hello world");
	EXPECT_EQ(t, n, 11);
	EXPECT_STREQ(t, buf, "hell");
	buf[0] = 'Z';
	n = snprintf(buf, 0, "%d", 12345);
	EXPECT_EQ(t, n, 5);
	EXPECT_EQ(t, buf[0], 'Z');
	n = snprintf(NULL, 0, "%s-%d", "ab", -7);
	EXPECT_EQ(t, n, 5);
	n = snprintf(buf, sizeof(buf), "%s", "1234567");
	EXPECT_EQ(t, n, 7);
	EXPECT_STREQ(t, buf, "1234567");
	n = snprintf(buf, 1, "abc");
	EXPECT_EQ(t, n, 3);
	EXPECT_EQ(t, buf[0], '\0');
}

KTEST_SUITE(printf, KTEST_CASE(test_widths), KTEST_CASE(test_flags), KTEST_CASE(test_precision),
	    KTEST_CASE(test_negative), KTEST_CASE(test_length_modifiers),
	    KTEST_CASE(test_long_long_extremes), KTEST_CASE(test_pointer),
	    KTEST_CASE(test_null_string), KTEST_CASE(test_truncation));
