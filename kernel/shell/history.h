/*
 * Command history: a ring of the last HISTORY_LINES lines, newest first when browsing. Empty
 * lines and a line equal to the newest one are not stored, so Up never shows the same line twice
 * in a row.
 *
 * The shell owns one history (shell_history). Single-CPU for now: only the shell thread touches
 * it; when another context may (SMP), a lock goes into struct history.
 */
#ifndef KERNEL_SHELL_HISTORY_H
#define KERNEL_SHELL_HISTORY_H

#include "kernel/shell/readline.h"

#define HISTORY_LINES 32

struct history {
	char lines[HISTORY_LINES][SHELL_LINE_MAX + 1];
	unsigned added; /* lines ever stored; the newest is lines[(added - 1) % HISTORY_LINES] */
};

extern struct history shell_history;

/* Stores a copy of line (truncated to SHELL_LINE_MAX) unless it is blank or a repeat. */
void history_add(struct history *h, const char *line);
/* How many lines can be recalled: at most HISTORY_LINES. */
unsigned history_count(const struct history *h);
/* The line back steps into the past: 1 is the newest. NULL when there is none that old. */
const char *history_get(const struct history *h, unsigned back);

#endif
