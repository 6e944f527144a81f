/*
 * Host unit tests for lib/string.c. Buffers come from malloc with their exact size, so
 * AddressSanitizer reports any byte written or read past the end; every function is called
 * through lib/'s names (the Makefile renames memcpy to lib_memcpy and so on, see HOST_RENAMED).
 */
#include "lib/string.h"
#include "tests/host/tap.h"

#include <stdlib.h>

/* A heap copy of s without its terminator region beyond strlen(s)+1 (ASan guards the rest). */
static char *heap_str(const char *s)
{
	size_t n = 0;
	char *p;

	while (s[n])
		n++;
	p = malloc(n + 1);
	for (size_t i = 0; i <= n; i++)
		p[i] = s[i];
	return p;
}

static void fill_pattern(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + 1);
}

static void test_memset(void)
{
	unsigned char *p = malloc(37);
	bool ok = true;

	fill_pattern(p, 37);
	TAP_EXPECT_TRUE(memset(p + 3, 0xab, 30) == p + 3, "memset returns dst");
	for (size_t i = 0; i < 37; i++)
		ok &= p[i] == ((i >= 3 && i < 33) ? 0xab : (unsigned char)(i * 7 + 1));
	tap_check(ok, "memset fills exactly [3, 33) and leaves the neighbours");
	memset(p, 0x1ff, 1);
	TAP_EXPECT_EQ(p[0], 0xff, "memset uses only the low byte of c");
	free(p);
}

static void test_memcpy_lengths(void)
{
	bool ok = true;

	/* Every length around the 8-byte fast path, aligned and misaligned. */
	for (size_t off = 0; off < 9; off++) {
		for (size_t n = 0; n <= 40; n++) {
			unsigned char *src = malloc(n + off + 1), *dst = malloc(n + off + 1);
			fill_pattern(src, n + off + 1);
			memset(dst, 0, n + off + 1);
			ok &= memcpy(dst + off, src + (off & 1), n) == dst + off;
			for (size_t i = 0; i < n; i++)
				ok &= dst[off + i] == src[(off & 1) + i];
			for (size_t i = 0; i < off; i++)
				ok &= dst[i] == 0;
			ok &= dst[n + off] == 0;
			free(src);
			free(dst);
		}
	}
	tap_check(ok, "memcpy copies 0..40 bytes at 9 alignments and nothing more");
}

static void test_memmove_overlap(void)
{
	unsigned char buf[32], want[32];

	fill_pattern(buf, 32);
	fill_pattern(want, 32);
	memmove(buf + 5, buf, 20); /* destination above the source: must copy backwards */
	for (int i = 19; i >= 0; i--)
		want[5 + i] = want[i];
	TAP_EXPECT_EQ(memcmp(buf, want, 32), 0, "memmove with dst above an overlapping src");

	fill_pattern(buf, 32);
	fill_pattern(want, 32);
	memmove(buf, buf + 3, 29); /* destination below the source: forwards is right */
	for (int i = 0; i < 29; i++)
		want[i] = want[i + 3];
	TAP_EXPECT_EQ(memcmp(buf, want, 32), 0, "memmove with dst below an overlapping src");

	fill_pattern(buf, 32);
	TAP_EXPECT_TRUE(memmove(buf, buf, 32) == buf, "memmove onto itself returns dst");
	memmove(buf + 1, buf, 0);
	fill_pattern(want, 32);
	TAP_EXPECT_EQ(memcmp(buf, want, 32), 0, "memmove of 0 bytes changes nothing");
}

static void test_memcmp_memchr(void)
{
	unsigned char a[4] = {1, 2, 3, 0x80}, b[4] = {1, 2, 3, 0x01};

	TAP_EXPECT_TRUE(memcmp(a, b, 4) > 0, "memcmp compares bytes as unsigned (0x80 > 0x01)");
	TAP_EXPECT_TRUE(memcmp(b, a, 4) < 0, "memcmp is antisymmetric");
	TAP_EXPECT_EQ(memcmp(a, b, 3), 0, "memcmp stops after n bytes");
	TAP_EXPECT_EQ(memcmp(a, b, 0), 0, "memcmp of 0 bytes is equal");
	TAP_EXPECT_TRUE(memchr(a, 0x80, 4) == a + 3, "memchr finds the last byte");
	TAP_EXPECT_TRUE(memchr(a, 0x80, 3) == NULL, "memchr does not look past n");
	TAP_EXPECT_TRUE(memchr(a, 0x102, 4) == a + 1, "memchr compares (unsigned char)c");
}

static void test_strlen_strcmp(void)
{
	char *s = heap_str("teachos");

	TAP_EXPECT_EQ(strlen(s), 7, "strlen");
	TAP_EXPECT_EQ(strlen(""), 0, "strlen of the empty string");
	TAP_EXPECT_EQ(strnlen(s, 3), 3, "strnlen stops at max");
	TAP_EXPECT_EQ(strnlen(s, 100), 7, "strnlen stops at the terminator");
	TAP_EXPECT_EQ(strcmp(s, "teachos"), 0, "strcmp equal");
	TAP_EXPECT_TRUE(strcmp("abc", "abd") < 0 && strcmp("abd", "abc") > 0, "strcmp order");
	TAP_EXPECT_TRUE(strcmp("ab", "abc") < 0, "strcmp: a prefix sorts first");
	TAP_EXPECT_TRUE(strcmp("\x80", "\x01") > 0, "strcmp compares as unsigned char");
	TAP_EXPECT_EQ(strncmp("abcX", "abcY", 3), 0, "strncmp stops after n");
	TAP_EXPECT_TRUE(strncmp("abcX", "abcY", 4) < 0, "strncmp sees the 4th byte");
	TAP_EXPECT_EQ(strncmp("ab", "ab", 10), 0, "strncmp stops at equal terminators");
	free(s);
}

static void test_strchr(void)
{
	char *s = heap_str("a/b/c");

	TAP_EXPECT_TRUE(strchr(s, '/') == s + 1, "strchr finds the first match");
	TAP_EXPECT_TRUE(strrchr(s, '/') == s + 3, "strrchr finds the last match");
	TAP_EXPECT_TRUE(strchr(s, '\0') == s + 5, "strchr finds the terminator");
	TAP_EXPECT_TRUE(strrchr(s, '\0') == s + 5, "strrchr finds the terminator");
	TAP_EXPECT_TRUE(strchr(s, 'x') == NULL && strrchr(s, 'x') == NULL, "no match gives NULL");
	TAP_EXPECT_TRUE(strstr(s, "/b") == s + 1, "strstr finds the first match");
	TAP_EXPECT_TRUE(strstr(s, "b/c") == s + 2, "strstr finds a match ending at the end");
	TAP_EXPECT_TRUE(strstr(s, "c/") == NULL, "strstr does not read past the end");
	TAP_EXPECT_TRUE(strstr(s, "") == s, "strstr finds the empty string at the start");
	free(s);
}

static void test_strlcpy_strlcat(void)
{
	char *dst = malloc(8);
	size_t n;

	n = strlcpy(dst, "0123456789", 8);
	TAP_EXPECT_EQ(n, 10, "strlcpy returns strlen(src) when truncating");
	TAP_EXPECT_STREQ(dst, "0123456", "strlcpy keeps size-1 bytes and terminates");
	n = strlcpy(dst, "abc", 8);
	TAP_EXPECT_TRUE(n == 3 && tap_strcmp(dst, "abc") == 0, "strlcpy of a short string");
	dst[0] = 'Z';
	n = strlcpy(dst, "abc", 0);
	TAP_EXPECT_TRUE(n == 3 && dst[0] == 'Z', "strlcpy with size 0 writes nothing");

	strlcpy(dst, "abc", 8);
	n = strlcat(dst, "defgh", 8);
	TAP_EXPECT_EQ(n, 8, "strlcat returns the length it tried to make");
	TAP_EXPECT_STREQ(dst, "abcdefg", "strlcat truncates and terminates");
	memset(dst, 'x', 8); /* no terminator within size */
	n = strlcat(dst, "ab", 8);
	TAP_EXPECT_TRUE(n == 10 && dst[7] == 'x', "strlcat on an unterminated dst writes nothing");
	free(dst);
}

/* Parses s and checks the result; want_ret -1 means the parse must fail and leave *out alone. */
static void check_parse(const char *s, int base, int suffix, int want_ret, unsigned long long want)
{
	unsigned long long v = 0x5a5a5a5a;
	char *heap = heap_str(s);
	int ret = parse_u64(heap, &v, base, suffix);

	if (want_ret == 0)
		tap_check(ret == 0 && v == want, "parse_u64(\"%s\", base %d%s) == %llu", s, base,
			  suffix ? ", suffix" : "", want);
	else
		tap_check(ret == -1 && v == 0x5a5a5a5a, "parse_u64(\"%s\", base %d%s) fails", s,
			  base, suffix ? ", suffix" : "");
	if (ret != want_ret || (ret == 0 && v != want))
		tap_diag("    got ret %d, value %llu (0x%llx)", ret, v, v);
	free(heap);
}

static void test_parse_u64(void)
{
	check_parse("0", 0, 0, 0, 0);
	check_parse("12345", 10, 0, 0, 12345);
	check_parse("0x1F", 0, 0, 0, 0x1f);
	check_parse("0X1f", 16, 0, 0, 0x1f);
	check_parse("ff", 16, 0, 0, 0xff);
	check_parse("017", 0, 0, 0, 15);
	check_parse("08", 0, 0, -1, 0); /* base 0: a leading 0 means octal */
	check_parse("18446744073709551615", 10, 0, 0, 18446744073709551615ULL);
	check_parse("18446744073709551616", 10, 0, -1, 0);
	check_parse("0xffffffffffffffff", 0, 0, 0, ~0ULL);
	check_parse("0x10000000000000000", 0, 0, -1, 0);
	check_parse("", 10, 0, -1, 0);
	check_parse("0x", 0, 0, -1, 0);
	check_parse("12a", 10, 0, -1, 0);
	check_parse("-1", 10, 0, -1, 0);
	check_parse(" 1", 10, 0, -1, 0);
	check_parse("4K", 0, 1, 0, 4096);
	check_parse("64M", 10, 1, 0, 64ULL << 20);
	check_parse("6g", 0, 1, 0, 6ULL << 30);
	check_parse("6G", 10, 0, -1, 0); /* suffix not allowed */
	check_parse("4KB", 10, 1, -1, 0);
	check_parse("K", 10, 1, -1, 0);
	check_parse("17179869183G", 10, 1, 0, 17179869183ULL << 30);
	check_parse("17179869184G", 10, 1, -1, 0); /* 2^34 << 30 overflows */
}

int main(void)
{
	test_memset();
	test_memcpy_lengths();
	test_memmove_overlap();
	test_memcmp_memchr();
	test_strlen_strcmp();
	test_strchr();
	test_strlcpy_strlcat();
	test_parse_u64();
	return tap_done();
}
