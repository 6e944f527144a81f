/*
 * KTAP suite "string": lib/string.c as the kernel build compiles it. The mem* functions here
 * are also the ones gcc calls for struct copies and zeroing, so a bug shows up everywhere;
 * these cases pin down the edges (overlap, alignment, truncation, parse errors).
 */
#include "kernel/ktest.h"
#include "lib/string.h"

static void fill_pattern(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + 1);
}

static void test_memset_memcpy(struct ktest *t)
{
	unsigned char a[48], b[48];

	memset(a, 0, sizeof(a));
	EXPECT_TRUE(t, memset(a + 3, 0x1ab, 30) == a + 3);
	EXPECT_EQ(t, a[2], 0);
	EXPECT_EQ(t, a[3], 0xab);
	EXPECT_EQ(t, a[32], 0xab);
	EXPECT_EQ(t, a[33], 0);

	/* Misaligned source and destination around the 8-byte loop. */
	for (size_t off = 0; off < 9; off++) {
		fill_pattern(a, sizeof(a));
		memset(b, 0, sizeof(b));
		memcpy(b + off, a + 1, 37);
		ASSERT_EQ(t, memcmp(b + off, a + 1, 37), 0);
		ASSERT_EQ(t, b[off + 37], 0);
		if (off)
			ASSERT_EQ(t, b[off - 1], 0);
	}
}

static void test_memmove_overlap(struct ktest *t)
{
	unsigned char buf[32], want[32];

	fill_pattern(buf, 32);
	fill_pattern(want, 32);
	memmove(buf + 5, buf, 20);
	for (int i = 19; i >= 0; i--)
		want[5 + i] = want[i];
	EXPECT_EQ(t, memcmp(buf, want, 32), 0);

	fill_pattern(buf, 32);
	fill_pattern(want, 32);
	memmove(buf, buf + 3, 29);
	for (int i = 0; i < 29; i++)
		want[i] = want[i + 3];
	EXPECT_EQ(t, memcmp(buf, want, 32), 0);
}

static void test_memcmp_memchr(struct ktest *t)
{
	unsigned char a[4] = {1, 2, 3, 0x80}, b[4] = {1, 2, 3, 0x01};

	EXPECT_GT(t, memcmp(a, b, 4), 0);
	EXPECT_LT(t, memcmp(b, a, 4), 0);
	EXPECT_EQ(t, memcmp(a, b, 3), 0);
	EXPECT_TRUE(t, memchr(a, 0x80, 4) == a + 3);
	EXPECT_NULL(t, memchr(a, 0x80, 3));
}

static void test_strlen_strcmp(struct ktest *t)
{
	EXPECT_EQ(t, strlen("teachos"), 7u);
	EXPECT_EQ(t, strlen(""), 0u);
	EXPECT_EQ(t, strnlen("teachos", 3), 3u);
	EXPECT_LT(t, strcmp("abc", "abd"), 0);
	EXPECT_LT(t, strcmp("ab", "abc"), 0);
	EXPECT_GT(t, strcmp("\x80", "\x01"), 0);
	EXPECT_EQ(t, strncmp("abcX", "abcY", 3), 0);
	EXPECT_NE(t, strncmp("abcX", "abcY", 4), 0);
}

static void test_strchr(struct ktest *t)
{
	const char *s = "a/b/c";

	EXPECT_TRUE(t, strchr(s, '/') == s + 1);
	EXPECT_TRUE(t, strrchr(s, '/') == s + 3);
	EXPECT_TRUE(t, strchr(s, '\0') == s + 5);
	EXPECT_NULL(t, strchr(s, 'x'));
}

static void test_strlcpy_truncation(struct ktest *t)
{
	char buf[8];

	EXPECT_EQ(t, strlcpy(buf, "0123456789", sizeof(buf)), 10u);
	EXPECT_STREQ(t, buf, "0123456");
	buf[0] = 'Z';
	EXPECT_EQ(t, strlcpy(buf, "abc", 0), 3u);
	EXPECT_EQ(t, buf[0], 'Z');
	strlcpy(buf, "abc", sizeof(buf));
	EXPECT_EQ(t, strlcat(buf, "defgh", sizeof(buf)), 8u);
	EXPECT_STREQ(t, buf, "abcdefg");
}

static void test_parse_u64_values(struct ktest *t)
{
	unsigned long long v;

	EXPECT_EQ(t, parse_u64("12345", &v, 10, 0), 0);
	EXPECT_EQ(t, v, 12345u);
	EXPECT_EQ(t, parse_u64("0x1F", &v, 0, 0), 0);
	EXPECT_EQ(t, v, 0x1fu);
	EXPECT_EQ(t, parse_u64("017", &v, 0, 0), 0);
	EXPECT_EQ(t, v, 15u);
	EXPECT_EQ(t, parse_u64("18446744073709551615", &v, 10, 0), 0);
	EXPECT_EQ(t, v, ~0ULL);
	EXPECT_EQ(t, parse_u64("64M", &v, 0, 1), 0);
	EXPECT_EQ(t, v, 64ULL << 20);
}

static void test_parse_u64_errors(struct ktest *t)
{
	static const char *const bad[] = {
		"",   "0x", "12a", "-1", " 1", "08", "K", "18446744073709551616", "17179869184G",
		"4KB"};
	unsigned long long v;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 77;
		if (!EXPECT_EQ(t, parse_u64(bad[i], &v, 0, 1), -1))
			ktest_log(t, "\"%s\" parsed as %llu", bad[i], v);
		EXPECT_EQ(t, v, 77u);
	}
	EXPECT_EQ(t, parse_u64("6G", &v, 10, 0), -1); /* suffix not allowed */
}

KTEST_SUITE(string, KTEST_CASE(test_memset_memcpy), KTEST_CASE(test_memmove_overlap),
	    KTEST_CASE(test_memcmp_memchr), KTEST_CASE(test_strlen_strcmp), KTEST_CASE(test_strchr),
	    KTEST_CASE(test_strlcpy_truncation), KTEST_CASE(test_parse_u64_values),
	    KTEST_CASE(test_parse_u64_errors));
