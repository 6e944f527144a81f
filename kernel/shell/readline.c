/*
 * The line editor (see readline.h for the model, docs/shell.md for the keys).
 *
 * Invariant, after every byte: len <= SHELL_LINE_MAX and cursor <= len, and the terminal shows
 * prompt + buf[0..len) with its cursor at column strlen(prompt) + cursor. Each edit changes the
 * buffer first, then brings the screen back to that state with as little output as it can.
 */
#include "kernel/shell/readline.h"
#include "kernel/shell/history.h"
#include "kernel/shell/cmdtab.h"
#include "kernel/printk.h"
#include "kernel/console_input.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* --- output ---------------------------------------------------------------------------------- */

static void outs(struct line_editor *e, const char *s)
{
	e->write(s, strlen(s));
}

static void bell(struct line_editor *e)
{
	outs(e, "\a");
}

/* ESC [ n D (left) or ESC [ n C (right): moves the terminal's cursor n columns. */
static void cursor_move(struct line_editor *e, size_t n, char dir)
{
	char seq[24];

	if (n)
		e->write(seq, (size_t)snprintf(seq, sizeof(seq), "\x1b[%zu%c", n, dir));
}

/* Reprints buf from the cursor on, erases the rest of the row, and puts the cursor back. */
static void redraw_tail(struct line_editor *e)
{
	e->write(e->buf + e->cursor, e->len - e->cursor);
	outs(e, "\x1b[K");
	cursor_move(e, e->len - e->cursor, 'D');
}

static void redraw_line(struct line_editor *e)
{
	outs(e, "\r");
	outs(e, e->prompt);
	e->write(e->buf, e->cursor);
	redraw_tail(e);
}

/* --- edits ----------------------------------------------------------------------------------- */

static void move_to(struct line_editor *e, size_t pos)
{
	if (pos < e->cursor)
		cursor_move(e, e->cursor - pos, 'D');
	else
		cursor_move(e, pos - e->cursor, 'C');
	e->cursor = pos;
}

/* Inserts n characters at the cursor; false (and nothing changed) when they do not fit. */
static bool insert(struct line_editor *e, const char *s, size_t n)
{
	if (n > SHELL_LINE_MAX - e->len)
		return false;
	memmove(e->buf + e->cursor + n, e->buf + e->cursor, e->len - e->cursor);
	memcpy(e->buf + e->cursor, s, n);
	e->len += n;
	e->write(s, n);
	e->cursor += n;
	if (e->cursor < e->len)
		redraw_tail(e); /* the characters after the cursor moved right */
	return true;
}

/* Deletes buf[from..to), where from <= cursor; the cursor ends at from. */
static void delete_range(struct line_editor *e, size_t from, size_t to)
{
	if (from >= to)
		return;
	cursor_move(e, e->cursor - from, 'D');
	memmove(e->buf + from, e->buf + to, e->len - to);
	e->len -= to - from;
	e->cursor = from;
	redraw_tail(e);
	if (e->len == 0)
		e->lost = false; /* an empty line has nothing left of the refused input */
}

static void replace_line(struct line_editor *e, const char *s, bool lost)
{
	e->len = strlcpy(e->buf, s, sizeof(e->buf));
	if (e->len > SHELL_LINE_MAX)
		e->len = SHELL_LINE_MAX;
	e->cursor = e->len;
	e->lost = lost;
	redraw_line(e);
}

/* Where Ctrl-W starts deleting: back over spaces, then over the word before them. */
static size_t word_start(const struct line_editor *e)
{
	size_t i = e->cursor;

	while (i > 0 && e->buf[i - 1] == ' ')
		i--;
	while (i > 0 && e->buf[i - 1] != ' ')
		i--;
	return i;
}

/* --- history --------------------------------------------------------------------------------- */

static void history_up(struct line_editor *e)
{
	const char *line = e->hist ? history_get(e->hist, e->hist_pos + 1) : NULL;

	if (!line)
		return;
	if (e->hist_pos == 0) {
		memcpy(e->saved, e->buf, e->len);
		e->saved[e->len] = 0;
		e->saved_lost = e->lost;
	}
	e->hist_pos++;
	replace_line(e, line, false);
}

static void history_down(struct line_editor *e)
{
	if (e->hist_pos == 0)
		return;
	e->hist_pos--;
	if (e->hist_pos == 0)
		replace_line(e, e->saved, e->saved_lost);
	else
		replace_line(e, history_get(e->hist, e->hist_pos), false);
}

/* --- tab completion of the command name ------------------------------------------------------ */

static size_t common_prefix(const char *a, const char *b, size_t max)
{
	size_t n = 0;

	while (n < max && a[n] && a[n] == b[n])
		n++;
	return n;
}

static void list_matches(struct line_editor *e, const char *prefix, size_t plen)
{
	outs(e, "\n");
	for (const struct shell_cmd *c = shell_cmd_next(NULL); c; c = shell_cmd_next(c)) {
		if (strncmp(c->name, prefix, plen) == 0) {
			outs(e, c->name);
			outs(e, "  ");
		}
	}
	outs(e, "\n");
	redraw_line(e);
}

/*
 * Completes the first word when the cursor is at its end. One match: the rest of the name and
 * a space. Several: their longest common prefix, or, when that adds nothing, the list.
 */
static void complete(struct line_editor *e)
{
	const struct shell_cmd *c, *first = NULL;
	size_t start = 0, plen, common = 0;
	const char *prefix;
	unsigned matches = 0;

	while (start < e->cursor && e->buf[start] == ' ')
		start++;
	prefix = e->buf + start;
	plen = e->cursor - start;
	if (memchr(prefix, ' ', plen) || (e->cursor < e->len && e->buf[e->cursor] != ' ')) {
		bell(e); /* an argument, or the middle of a word: nothing to complete */
		return;
	}
	for (c = shell_cmd_next(NULL); c; c = shell_cmd_next(c)) {
		if (strncmp(c->name, prefix, plen) != 0)
			continue;
		common = first ? common_prefix(first->name, c->name, common) : strlen(c->name);
		first = first ? first : c;
		matches++;
	}
	if (matches == 0) {
		bell(e);
	} else if (matches == 1) {
		bool space = e->cursor < e->len; /* the word is followed by a space already */
		if (!insert(e, first->name + plen, common - plen) || (!space && !insert(e, " ", 1)))
			bell(e);
	} else if (common > plen) {
		if (!insert(e, first->name + plen, common - plen))
			bell(e);
	} else {
		list_matches(e, prefix, plen);
	}
}

/* --- keys ------------------------------------------------------------------------------------ */

void editor_init(struct line_editor *e, void (*write)(const char *s, size_t n),
		 struct history *hist)
{
	memset(e, 0, sizeof(*e));
	e->write = write;
	e->hist = hist;
	e->prompt = "";
}

void editor_start(struct line_editor *e, const char *prompt)
{
	e->prompt = prompt;
	e->len = 0;
	e->cursor = 0;
	e->lost = false;
	e->hist_pos = 0;
	e->buf[0] = 0;
	outs(e, prompt);
}

static enum edit_result finish_line(struct line_editor *e)
{
	e->buf[e->len] = 0;
	outs(e, "\n");
	if (e->lost)
		return EDIT_TOO_LONG;
	if (e->hist)
		history_add(e->hist, e->buf);
	return EDIT_LINE;
}

static void type_char(struct line_editor *e, char c)
{
	if (!insert(e, &c, 1)) {
		e->lost = true;
		bell(e);
	}
}

enum edit_result editor_feed(struct line_editor *e, int byte)
{
	int key = key_decode(&e->keys, byte);

	switch (key) {
	case KEY_ENTER:
		return finish_line(e);
	case CTRL('C'):
		outs(e, "^C\n");
		e->len = e->cursor = 0;
		e->buf[0] = 0;
		return EDIT_CANCEL;
	case KEY_LEFT:
	case CTRL('B'):
		move_to(e, e->cursor ? e->cursor - 1 : 0);
		break;
	case KEY_RIGHT:
	case CTRL('F'):
		move_to(e, e->cursor < e->len ? e->cursor + 1 : e->len);
		break;
	case KEY_HOME:
	case CTRL('A'):
		move_to(e, 0);
		break;
	case KEY_END:
	case CTRL('E'):
		move_to(e, e->len);
		break;
	case KEY_DEL: /* Backspace: 0x7f on most terminals, 0x08 on some */
	case CTRL('H'):
		if (e->cursor)
			delete_range(e, e->cursor - 1, e->cursor);
		break;
	case KEY_DELETE:
	case CTRL('D'):
		if (e->cursor < e->len)
			delete_range(e, e->cursor, e->cursor + 1);
		break;
	case CTRL('U'):
		delete_range(e, 0, e->cursor);
		break;
	case CTRL('K'):
		delete_range(e, e->cursor, e->len);
		break;
	case CTRL('W'):
		delete_range(e, word_start(e), e->cursor);
		break;
	case CTRL('L'):
		outs(e, "\x1b[H\x1b[2J"); /* cursor home, clear the screen */
		redraw_line(e);
		break;
	case KEY_UP:
	case CTRL('P'):
		history_up(e);
		break;
	case KEY_DOWN:
	case CTRL('N'):
		history_down(e);
		break;
	case '\t':
		complete(e);
		break;
	default:
		if (key >= 0x20 && key < 0x7f)
			type_char(e, (char)key);
		break; /* KEY_NONE, and control bytes without a meaning, are ignored */
	}
	return EDIT_MORE;
}

/* --- the console ----------------------------------------------------------------------------- */

static struct line_editor console_editor;

int readline(const char *prompt, char line[SHELL_LINE_MAX + 1])
{
	struct line_editor *e = &console_editor;
	enum edit_result r;

	if (!e->write)
		editor_init(e, console_write, &shell_history);
	editor_start(e, prompt);
	do
		r = editor_feed(e, console_getc()); /* the one place the shell reads input */
	while (r == EDIT_MORE);

	line[0] = 0;
	if (r == EDIT_TOO_LONG)
		return -E2BIG;
	if (r == EDIT_LINE)
		memcpy(line, e->buf, e->len + 1);
	return r == EDIT_LINE ? (int)e->len : 0;
}
