/*
 * The line editor. It keeps the line in a buffer and the cursor as an index into it; each key
 * edits the buffer, then redraws what changed with ANSI escapes (ESC [ n D moves the cursor left
 * n columns, ESC [ K erases to the end of the row). It never writes past SHELL_LINE_MAX.
 *
 * The editor is an object fed one byte at a time, so a test can drive it without a terminal;
 * readline() is the shell's loop around it on the serial console.
 */
#ifndef KERNEL_SHELL_READLINE_H
#define KERNEL_SHELL_READLINE_H

#include <stddef.h>
#include <stdbool.h>
#include "kernel/shell/keys.h"

#define SHELL_LINE_MAX 255 /* characters in a line; the buffers hold one more for the NUL */

struct history;

enum edit_result {
	EDIT_MORE,     /* the line is not finished */
	EDIT_LINE,     /* Enter: the line is in buf, NUL-terminated */
	EDIT_CANCEL,   /* Ctrl-C: the line was dropped */
	EDIT_TOO_LONG, /* Enter on a line that lost characters: it must not run */
};

struct line_editor {
	const char *prompt;
	char buf[SHELL_LINE_MAX + 1];
	size_t len;    /* characters in buf */
	size_t cursor; /* 0..len: the character the cursor is on (len: after the last) */
	bool lost;     /* a typed character was refused because the line was full */
	struct key_decoder keys;
	struct history *hist;		/* may be NULL: no Up/Down, nothing recorded */
	unsigned hist_pos;		/* 0: the line being typed; n: n steps back in hist */
	char saved[SHELL_LINE_MAX + 1]; /* the line being typed, while browsing the history */
	bool saved_lost;		/* and its lost flag */
	void (*write)(const char *s, size_t n);
};

/* Sets up an editor that prints through write and records lines in hist (or NULL). */
void editor_init(struct line_editor *e, void (*write)(const char *s, size_t n),
		 struct history *hist);
/* Starts a new, empty line and prints the prompt. */
void editor_start(struct line_editor *e, const char *prompt);
/* Feeds one input byte (0..255). */
enum edit_result editor_feed(struct line_editor *e, int byte);

/*
 * Prints prompt and reads one line from the console into line. Returns its length (0 also for
 * a line dropped with Ctrl-C) or -E2BIG when the line was longer than SHELL_LINE_MAX.
 */
int readline(const char *prompt, char line[SHELL_LINE_MAX + 1]);

#endif
