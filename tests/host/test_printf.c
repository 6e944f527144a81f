/*
 * Host unit tests for lib/printf.c: fixed expectations for each feature, then a comparison with
 * the C library's vsnprintf over many flag/width/precision/value combinations. The C library is
 * the reference only where C defines the result; %p and %s of NULL are checked by hand.
 */
#include "lib/printf.h"
#include "tests/host/tap.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * The Makefile renames vsnprintf to lib_vsnprintf in every file; the C library's own, the
 * reference for the comparison below, is reached through its assembler name.
 */
int libc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __asm__("vsnprintf");

static int libc_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = libc_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Independent of lib/string.c, which test_string checks. */
static size_t strlen_host(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/*
 * For formats that gcc's format check rightly rejects (an unknown conversion, a trailing '%',
 * a NULL string): lib/printf.c must still do something sensible with them.
 */
static void check_unchecked(const char *want, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tap_check(tap_strcmp(buf, want) == 0 && n == (int)strlen_host(want), "\"%s\" -> \"%s\"",
		  fmt, want);
	if (tap_strcmp(buf, want) != 0)
		tap_diag("    got \"%s\" (returned %d)", buf, n);
}

#define CHECK_FMT(want, ...)                                                                       \
	do {                                                                                       \
		char buf_[128];                                                                    \
		int n_ = snprintf(buf_, sizeof(buf_), __VA_ARGS__);                                \
		bool ok_ = tap_strcmp(buf_, want) == 0 && n_ == (int)sizeof(want) - 1;             \
		tap_check(ok_, "%s -> \"%s\"", #__VA_ARGS__, want);                                \
		if (!ok_)                                                                          \
			tap_diag("    got \"%s\" (returned %d)", buf_, n_);                        \
	} while (0)

static void test_integers(void)
{
	CHECK_FMT("42 -42 0", "%d %i %d", 42, -42, 0);
	CHECK_FMT("4294967295", "%u", 4294967295u);
	CHECK_FMT("ff FF 0xff 0XFF 17 017", "%x %X %#x %#X %o %#o", 255, 255, 255, 255, 15, 15);
	CHECK_FMT("-2147483648 2147483647", "%d %d", INT_MIN, INT_MAX);
	CHECK_FMT("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK_FMT("9223372036854775807", "%lld", LLONG_MAX);
	CHECK_FMT("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK_FMT("ffffffffffffffff", "%llx", ULLONG_MAX);
	CHECK_FMT("-1 255 -1 65535", "%hhd %hhu %hd %hu", 255, 255, 65535, 65535);
	CHECK_FMT("123456789012 -5", "%zu %td", (size_t)123456789012ull, (ptrdiff_t)-5);
}

static void test_width_flags_precision(void)
{
	CHECK_FMT("[   42]", "[%5d]", 42);
	CHECK_FMT("[42   ]", "[%-5d]", 42);
	CHECK_FMT("[00042]", "[%05d]", 42);
	CHECK_FMT("[-0042]", "[%05d]", -42);
	CHECK_FMT("[+42] [ 42]", "[%+d] [% d]", 42, 42);
	CHECK_FMT("[  007]", "[%5.3d]", 7);
	check_unchecked("[  007]", "[%05.3d]", 7); /* a precision turns off the 0 flag */
	CHECK_FMT("[]", "[%.0d]", 0);		   /* precision 0 prints no digit for 0 */
	CHECK_FMT("[    42]", "[%*d]", 6, 42);
	CHECK_FMT("[42    ]", "[%*d]", -6, 42); /* a negative '*' width means '-' */
	CHECK_FMT("[0x00ff]", "[%#06x]", 255);
	CHECK_FMT("[0]", "[%#x]", 0); /* no 0x prefix on a zero */
	CHECK_FMT("[%]", "[%%]");
}

static void test_strings_chars(void)
{
	CHECK_FMT("[hi] [  hi] [hi  ]", "[%s] [%4s] [%-4s]", "hi", "hi", "hi");
	CHECK_FMT("[tea]", "[%.3s]", "teachos");
	CHECK_FMT("[  tea]", "[%5.*s]", 3, "teachos");
	check_unchecked("[(null)]", "[%s]", (char *)NULL);
	CHECK_FMT("[x] [  x]", "[%c] [%3c]", 'x', 'x');
}

static void test_pointers(void)
{
	CHECK_FMT("0xffffffff80001000", "%p", (void *)0xffffffff80001000ull);
	CHECK_FMT("0x0", "%p", NULL);
	CHECK_FMT("[    0x1234]", "[%10p]", (void *)0x1234);
}

static void test_truncation(void)
{
	char buf[8];
	int n;

	n = snprintf(buf, 5, "hello world");
	TAP_EXPECT_EQ(n, 11, "snprintf returns the untruncated length");
	TAP_EXPECT_STREQ(buf, "hell", "snprintf keeps size-1 chars and terminates");
	buf[0] = 'Z';
	n = snprintf(buf, 0, "%d", 12345);
	TAP_EXPECT_TRUE(n == 5 && buf[0] == 'Z', "snprintf with size 0 writes nothing");
	n = snprintf(NULL, 0, "%s-%d", "ab", -7);
	TAP_EXPECT_EQ(n, 5, "snprintf(NULL, 0) measures");
	n = snprintf(buf, sizeof(buf), "1234567");
	TAP_EXPECT_TRUE(n == 7 && tap_strcmp(buf, "1234567") == 0, "exact fit");
	n = snprintf(buf, 1, "abc");
	TAP_EXPECT_TRUE(n == 3 && buf[0] == '\0', "size 1 gives the empty string");
	check_unchecked("100%", "100%"); /* a lone '%' at the end is printed */
	check_unchecked("%q", "%q");	 /* an unknown conversion shows verbatim */
}

/* The formats compared with the C library: every flag, width and precision combination. */
static const char *const flags[] = {"", "-", "0", "+", " ", "#", "-0", "+0", "#0", "- ", "-#"};
static const char *const widths[] = {"", "1", "5", "12", "25"};
static const char *const precisions[] = {"", ".", ".0", ".1", ".4", ".21"};
static const long long values[] = {
	0, 1, -1, 7, 42, 255, 4096, INT_MIN, INT_MAX, UINT_MAX, LLONG_MIN, LLONG_MAX,
};
static const char *const strings[] = {"", "a", "teachos", "a longer string of text"};

#define NFLAGS	    (sizeof(flags) / sizeof(flags[0]))
#define NWIDTHS	    (sizeof(widths) / sizeof(widths[0]))
#define NPRECISIONS (sizeof(precisions) / sizeof(precisions[0]))
#define NSPECS	    (NFLAGS * NWIDTHS * NPRECISIONS)

/* Writes the spec-th combination as "[%<flags><width><precision><length><conv>]". */
static void make_format(char *fmt, size_t size, size_t spec, const char *length, char conv)
{
	libc_snprintf(fmt, size, "[%%%s%s%s%s%c]", flags[spec % NFLAGS],
		      widths[spec / NFLAGS % NWIDTHS], precisions[spec / NFLAGS / NWIDTHS], length,
		      conv);
}

/* Formats v with both printfs, passing it at the width the length modifier reads. */
static bool same_number(const char *fmt, const char *length, long long v, char *mine, char *ref)
{
	int n1, n2;

	if (length[0] == 'l' && length[1] == 'l') {
		n1 = snprintf(mine, 128, fmt, v);
		n2 = libc_snprintf(ref, 128, fmt, v);
	} else if (length[0] == 'l') {
		n1 = snprintf(mine, 128, fmt, (long)v);
		n2 = libc_snprintf(ref, 128, fmt, (long)v);
	} else {
		n1 = snprintf(mine, 128, fmt, (int)v);
		n2 = libc_snprintf(ref, 128, fmt, (int)v);
	}
	return n1 == n2 && tap_strcmp(mine, ref) == 0;
}

/* The first few differences, kept to print after the result line (TAP's diagnostics follow). */
struct differences {
	int count;
	char first[5][160];
};

static void note_difference(struct differences *d, const char *fmt, const char *arg,
			    const char *mine, const char *ref)
{
	if (d->count < 5)
		libc_snprintf(d->first[d->count], sizeof(d->first[0]),
			      "    %s of %s: got %s, C library %s", fmt, arg, mine, ref);
	d->count++;
}

static void report_differences(const struct differences *d, int total, const char *what)
{
	tap_check(d->count == 0, "%s agrees with the C library (%d formats, %d differ)", what,
		  total, d->count);
	for (int i = 0; i < d->count && i < 5; i++)
		tap_diag("%s", d->first[i]);
}

static void compare_conversion(char conv, const char *length)
{
	char fmt[32], mine[128], ref[128], arg[32], what[8];
	struct differences d = {0};
	int total = 0;

	for (size_t spec = 0; spec < NSPECS; spec++) {
		make_format(fmt, sizeof(fmt), spec, length, conv);
		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++, total++) {
			if (same_number(fmt, length, values[i], mine, ref))
				continue;
			libc_snprintf(arg, sizeof(arg), "%lld", values[i]);
			note_difference(&d, fmt, arg, mine, ref);
		}
	}
	libc_snprintf(what, sizeof(what), "%%%s%c", length, conv);
	report_differences(&d, total, what);
}

static void test_against_libc(void)
{
	static const char convs[] = "diuxXo";
	static const char *const lengths[] = {"", "hh", "h", "l", "ll"};

	for (size_t c = 0; convs[c]; c++)
		for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++)
			compare_conversion(convs[c], lengths[l]);
}

static void test_strings_against_libc(void)
{
	char fmt[32], mine[128], ref[128], arg[40];
	struct differences d = {0};
	int total = 0;

	for (size_t spec = 0; spec < NSPECS; spec++) {
		make_format(fmt, sizeof(fmt), spec, "", 's');
		for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++, total++) {
			int n1 = snprintf(mine, sizeof(mine), fmt, strings[i]);
			int n2 = libc_snprintf(ref, sizeof(ref), fmt, strings[i]);
			if (n1 == n2 && tap_strcmp(mine, ref) == 0)
				continue;
			libc_snprintf(arg, sizeof(arg), "\"%s\"", strings[i]);
			note_difference(&d, fmt, arg, mine, ref);
		}
	}
	report_differences(&d, total, "%s");
}

int main(void)
{
	test_integers();
	test_width_flags_precision();
	test_strings_chars();
	test_pointers();
	test_truncation();
	test_against_libc();
	test_strings_against_libc();
	return tap_done();
}
