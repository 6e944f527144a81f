/* The history ring (see history.h) and the `history` command that lists it. */
#include "kernel/shell/history.h"
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "lib/string.h"

struct history shell_history;

static bool is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ')
			return false;
	return true;
}

void history_add(struct history *h, const char *line)
{
	const char *newest = history_get(h, 1);

	if (is_blank(line) || (newest && strcmp(newest, line) == 0))
		return;
	strlcpy(h->lines[h->added % HISTORY_LINES], line, sizeof(h->lines[0]));
	h->added++;
}

unsigned history_count(const struct history *h)
{
	return h->added < HISTORY_LINES ? h->added : HISTORY_LINES;
}

const char *history_get(const struct history *h, unsigned back)
{
	if (back == 0 || back > history_count(h))
		return NULL;
	return h->lines[(h->added - back) % HISTORY_LINES];
}

/* Oldest first, numbered like a Unix shell's history (the first line ever typed is 1). */
static int cmd_history(int argc, char **argv)
{
	const struct history *h = &shell_history;

	if (argc != 1)
		return shell_usage(argv[0]);
	for (unsigned back = history_count(h); back >= 1; back--)
		kprintf("%5u  %s\n", h->added - back + 1, history_get(h, back));
	return 0;
}
SHELL_COMMAND("history", "", "list the last lines typed (Up and Down recall them)", cmd_history);
