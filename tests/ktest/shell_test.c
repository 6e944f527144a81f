/*
 * Tests of the shell's line editor, key decoder and history. The editor is fed bytes as a
 * terminal would send them; its output goes to a buffer the tests can search.
 */
#include "kernel/ktest.h"
#include "kernel/shell/readline.h"
#include "kernel/shell/history.h"
#include "lib/string.h"

/* Keys as a terminal sends them. */
#define ESC   "\x1b"
#define CTL_A "\x01"
#define CTL_C "\x03"
#define CTL_E "\x05"
#define CTL_K "\x0b"
#define CTL_U "\x15"
#define CTL_W "\x17"
#define BS    "\x7f"
#define CTL_H "\x08"

static char out[2048];
static size_t out_len;

static void capture(const char *s, size_t n)
{
	for (size_t i = 0; i < n && out_len < sizeof(out) - 1; i++)
		out[out_len++] = s[i];
	out[out_len] = 0;
}

static bool output_has(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= out_len; i++)
		if (memcmp(out + i, s, n) == 0)
			return true;
	return false;
}

static struct line_editor ed;
static struct history hist;

static struct line_editor *fresh_editor(struct history *h)
{
	editor_init(&ed, capture, h);
	editor_start(&ed, "> ");
	out_len = 0;
	return &ed;
}

/* Feeds a string; returns the result of its last byte (an int, to compare with EDIT_*). */
static int feed(struct line_editor *e, const char *s)
{
	int r = EDIT_MORE;

	for (; *s; s++)
		r = (int)editor_feed(e, (unsigned char)*s);
	return r;
}

/* Feeds s, which must end with Enter, and checks the line that comes out. */
static void expect_line(struct ktest *t, struct line_editor *e, const char *s, const char *line)
{
	EXPECT_EQ(t, feed(e, s), EDIT_LINE);
	EXPECT_STREQ(t, e->buf, line);
	editor_start(e, "> ");
}

static void test_cursor_keys(struct ktest *t)
{
	struct line_editor *e = fresh_editor(NULL);

	expect_line(t, e, "abc" ESC "[D" ESC "[DX\r", "aXbc");
	expect_line(t, e, "bc" ESC "[Ha" ESC "[Fd\r", "abcd");
	expect_line(t, e, "bc" ESC "[1~a" ESC "[4~d\r", "abcd");
	expect_line(t, e, "bc" ESC "OHa" ESC "OFd\r", "abcd");
	expect_line(t, e, "bc" CTL_A "a" CTL_E "d\r", "abcd");
	expect_line(t, e, "ac" ESC "[D" ESC "[D" ESC "[D" ESC "[Cb" ESC "[C" ESC "[Cd\r", "abcd");
}

static void test_deleting(struct ktest *t)
{
	struct line_editor *e = fresh_editor(NULL);

	expect_line(t, e, "xabcd" CTL_A ESC "[3~\r", "abcd");
	expect_line(t, e, "abcde" BS "\r", "abcd");
	expect_line(t, e, "abcde" CTL_H "\r", "abcd");
	expect_line(t, e, "abcd" ESC "[3~" BS BS BS BS BS "\r", "");
	expect_line(t, e, "foo bar  " CTL_W "\r", "foo ");
	expect_line(t, e, "junk" CTL_U "abcd\r", "abcd");
	expect_line(t, e, "abcd" ESC "[D" ESC "[D" CTL_U "\r", "cd");
	expect_line(t, e, "abcd" ESC "[D" ESC "[D" CTL_K "\r", "ab");
}

static void test_ctrl_c_drops_line(struct ktest *t)
{
	struct line_editor *e = fresh_editor(NULL);

	EXPECT_EQ(t, feed(e, "reboot" CTL_C), EDIT_CANCEL);
	EXPECT_EQ(t, e->len, (size_t)0);
	EXPECT_TRUE(t, output_has("^C"));
	editor_start(e, "> ");
	expect_line(t, e, "ok\r", "ok");
}

/* Unknown, broken and truncated sequences are dropped whole; the bytes after them still count. */
static void test_broken_sequences(struct ktest *t)
{
	struct line_editor *e = fresh_editor(NULL);

	expect_line(t, e, "a" ESC "xb\r", "ab");		   /* Alt+x */
	expect_line(t, e, "a" ESC "[99999999999999999Zb\r", "ab"); /* huge parameter */
	expect_line(t, e, "a" ESC "[12;5;7;1qb\r", "ab");	   /* unknown final */
	expect_line(t, e, "a" ESC "[1;5Cb\r", "ab");		   /* Ctrl+Right */
	expect_line(t, e, "a" ESC "[99~b" ESC "[?25hc\r", "abc");  /* unknown ~ key */
	expect_line(t, e, "a" ESC "Ozb" ESC ESC "[Dc\r", "acb");   /* ESC ESC */
	expect_line(t, e, "a" ESC "[12\r", "a");		   /* Enter ends it */
	expect_line(t, e, "a" ESC "[1;2" ESC "[Db\r", "ba");	   /* a new ESC */
	editor_feed(e, 0);
	/* 8-bit bytes (0x9b is the 8-bit CSI) and control bytes without a meaning */
	expect_line(t, e, "a\x80\xff\x9bX\x1c\x07\x0f\x1fY\r", "aXY");
	EXPECT_EQ(t, feed(e, "a" ESC "[" CTL_C), EDIT_CANCEL); /* Ctrl-C ends it */
}

static void test_enter_variants(struct ktest *t)
{
	struct line_editor *e = fresh_editor(NULL);

	expect_line(t, e, "a\r", "a");
	EXPECT_EQ(t, feed(e, "\n"), EDIT_MORE); /* the LF of a CR LF pair */
	expect_line(t, e, "b\n", "b");
	expect_line(t, e, "\n", "");
	expect_line(t, e, "\r", "");
}

static void test_overlong_line_refused(struct ktest *t)
{
	struct line_editor *e = fresh_editor(NULL);

	for (int i = 0; i < SHELL_LINE_MAX + 50; i++)
		feed(e, "x");
	EXPECT_EQ(t, e->len, (size_t)SHELL_LINE_MAX);
	EXPECT_TRUE(t, output_has("\a"));
	EXPECT_EQ(t, feed(e, BS "\r"), EDIT_TOO_LONG); /* still lost characters */

	editor_start(e, "> ");
	for (int i = 0; i < SHELL_LINE_MAX + 1; i++)
		feed(e, "y");
	expect_line(t, e, CTL_A CTL_K "ok\r", "ok"); /* emptied: the refusal is forgotten */

	for (int i = 0; i < SHELL_LINE_MAX; i++)
		feed(e, "z");
	EXPECT_EQ(t, feed(e, "\r"), EDIT_LINE); /* exactly SHELL_LINE_MAX fits */
	EXPECT_EQ(t, strlen(e->buf), (size_t)SHELL_LINE_MAX);
}

static void test_history(struct ktest *t)
{
	struct line_editor *e;

	memset(&hist, 0, sizeof(hist));
	e = fresh_editor(&hist);
	expect_line(t, e, "one\r", "one");
	expect_line(t, e, "two\r", "two");
	expect_line(t, e, "two\r", "two");
	expect_line(t, e, "\r", "");
	expect_line(t, e, "   \r", "   ");
	EXPECT_EQ(t, history_count(&hist), 2u);

	feed(e, "par");
	feed(e, ESC "[A");
	EXPECT_STREQ(t, e->buf, "two");
	feed(e, ESC "[A" ESC "[A" ESC "[A");
	feed(e, "!");
	e->buf[e->len] = 0;
	EXPECT_STREQ(t, e->buf, "one!");
	feed(e, ESC "[B");
	EXPECT_EQ(t, e->len, (size_t)3);
	EXPECT_EQ(t, memcmp(e->buf, "two", 3), 0);
	expect_line(t, e, ESC "[B" ESC "[Bt\r", "part");
	EXPECT_STREQ(t, history_get(&hist, 1), "part");
	EXPECT_STREQ(t, history_get(&hist, 3), "one"); /* editing a recalled line left it alone */
	EXPECT_NULL(t, history_get(&hist, 4));
}

static void test_history_ring_wraps(struct ktest *t)
{
	struct line_editor *e;
	char line[8] = "l00\r";

	memset(&hist, 0, sizeof(hist));
	e = fresh_editor(&hist);
	for (int i = 0; i < HISTORY_LINES + 5; i++) {
		line[1] = (char)('0' + i / 10);
		line[2] = (char)('0' + i % 10);
		feed(e, line);
		editor_start(e, "> ");
	}
	EXPECT_EQ(t, history_count(&hist), (unsigned)HISTORY_LINES);
	EXPECT_STREQ(t, history_get(&hist, 1), "l36");
	EXPECT_STREQ(t, history_get(&hist, HISTORY_LINES), "l05");
	EXPECT_NULL(t, history_get(&hist, HISTORY_LINES + 1));
}

static void test_tab_completion(struct ktest *t)
{
	struct line_editor *e = fresh_editor(NULL);

	expect_line(t, e, "dmes\t\r", "dmesg ");
	expect_line(t, e, "  histo\t\r", "  history ");
	out_len = 0;
	expect_line(t, e, "qqqz\t\r", "qqqz");
	EXPECT_TRUE(t, output_has("\a"));
	expect_line(t, e, "help dm\t\r", "help dm");  /* arguments are not completed */
	expect_line(t, e, "dme" ESC "[D\t\r", "dme"); /* nor is the middle of a word */
	expect_line(t, e, "dm x" CTL_A ESC "[C" ESC "[C\t\r", "dmesg x");
	out_len = 0;
	expect_line(t, e, "h\t\r", "h"); /* help, history: listed, line kept */
	EXPECT_TRUE(t, output_has("help") && output_has("history"));
}

/* A simple generator, so a failure can be replayed. */
static uint32_t lcg(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 16;
}

/* Random bytes (no Enter) never break the invariants or put a non-printable byte in the line. */
static void test_random_bytes(struct ktest *t)
{
	struct line_editor *e;
	uint32_t seed = 12345;
	int bad = 0;

	memset(&hist, 0, sizeof(hist));
	history_add(&hist, "help");
	history_add(&hist, "dmesg");
	e = fresh_editor(&hist);
	for (int i = 0; i < 200000 && !bad; i++) {
		int byte = (int)(lcg(&seed) & 0xff);
		if (byte == '\r' || byte == '\n')
			continue;
		if (i % 7 == 0) /* plenty of escape sequences, whole or cut short */
			byte = (i % 3) ? KEY_ESC : '[';
		editor_feed(e, byte);
		if (e->len > SHELL_LINE_MAX || e->cursor > e->len)
			bad = 1;
		for (size_t j = 0; j < e->len; j++)
			if (e->buf[j] < 0x20 || e->buf[j] > 0x7e)
				bad = 2;
		out_len = 0;
	}
	EXPECT_EQ(t, bad, 0);
}

KTEST_SUITE(shell, KTEST_CASE(test_cursor_keys), KTEST_CASE(test_deleting),
	    KTEST_CASE(test_ctrl_c_drops_line), KTEST_CASE(test_broken_sequences),
	    KTEST_CASE(test_enter_variants), KTEST_CASE(test_overlong_line_refused),
	    KTEST_CASE(test_history), KTEST_CASE(test_history_ring_wraps),
	    KTEST_CASE(test_tab_completion), KTEST_CASE(test_random_bytes));
