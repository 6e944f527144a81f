/*
 * KTAP suite "cmdline": kernel/cmdline.c's splitting, double quotes as Linux reads them (a
 * quoted value keeps its spaces: utest="/bin/a -x,/bin/b"; GRUB quotes the whole word). Each
 * case parses a line of its own and then parses the boot's line again.
 */
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "lib/string.h"

static char boot_line[1024];

static void parse(const char *line)
{
	strlcpy(boot_line, cmdline_raw(), sizeof(boot_line));
	cmdline_init(line);
}

static void restore(void)
{
	cmdline_init(boot_line);
}

static bool value_is(const char *key, const char *want)
{
	const char *v = cmdline_get(key);

	return v && strcmp(v, want) == 0;
}

static void test_words(struct ktest *t)
{
	parse("  a=1 bare  b=x=y a=2 ");
	EXPECT_TRUE(t, value_is("a", "2")); /* the last one wins */
	EXPECT_TRUE(t, value_is("bare", ""));
	EXPECT_TRUE(t, value_is("b", "x=y"));
	EXPECT_FALSE(t, cmdline_has("c"));
	restore();
}

static void test_quotes(struct ktest *t)
{
	parse("u=\"/bin/a -x,/bin/b\" \"g=two words\" after q=\"\" open=\"no end");
	EXPECT_TRUE(t, value_is("u", "/bin/a -x,/bin/b"));
	EXPECT_TRUE(t, value_is("g", "two words"));
	EXPECT_TRUE(t, value_is("after", ""));
	EXPECT_TRUE(t, value_is("q", ""));
	EXPECT_TRUE(t, value_is("open", "no end")); /* an unclosed quote runs to the end */
	EXPECT_TRUE(t, strcmp(cmdline_raw(), "u=\"/bin/a -x,/bin/b\" \"g=two words\" after q=\"\" "
					     "open=\"no end") == 0);
	restore();
}

KTEST_SUITE(cmdline, KTEST_CASE(test_words), KTEST_CASE(test_quotes));
