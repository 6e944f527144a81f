/*
 * The kernel shell: prints the prompt, reads a line with the editor (readline.c), splits it into
 * words at spaces and runs the command named by the first word from the command table
 * (cmdtab.c), or, when the first word has a '/' in it, the user program it names (run_program.c).
 * There is no quoting: a word is a run of characters other than a space.
 *
 * A command returns 0 or a negative errno. The shell reports an error the command did not
 * explain itself as "NAME: error ENOMEM"; after a usage line (shell_usage) nothing more is needed.
 */
#include "kernel/shell.h"
#include "kernel/shell/cmdtab.h"
#include "kernel/shell/readline.h"
#include "kernel/shell/run_program.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PROMPT	 "teachos> "
#define ARGS_MAX 16 /* words in a line, the command included */

static bool usage_printed; /* shell_usage ran during the current command */

int shell_usage(const char *name)
{
	const struct shell_cmd *c = shell_find_cmd(name);

	if (c)
		kprintf("usage: %s%s%s\n", c->name, c->args[0] ? " " : "", c->args);
	usage_printed = true;
	return -EINVAL;
}

/* Splits line in place at spaces. Returns the word count, or -E2BIG past ARGS_MAX words. */
static int split(char *line, char *argv[ARGS_MAX + 1])
{
	int argc = 0;

	for (;;) {
		while (*line == ' ')
			*line++ = 0;
		if (!*line)
			return argc;
		if (argc == ARGS_MAX)
			return -E2BIG;
		argv[argc++] = line;
		while (*line && *line != ' ')
			line++;
	}
}

static void run_line(char *line)
{
	char *argv[ARGS_MAX + 1];
	const struct shell_cmd *c;
	int argc = split(line, argv);
	int err;

	if (argc == -E2BIG) {
		kprintf("too many words: a command takes at most %d arguments\n", ARGS_MAX - 1);
		return;
	}
	if (argc == 0)
		return;
	argv[argc] = NULL;
	if (strchr(argv[0], '/')) {
		shell_run_program(argc, argv); /* a program: /bin/hello */
		return;
	}
	c = shell_find_cmd(argv[0]);
	if (!c) {
		kprintf("unknown command: %s (try help)\n", argv[0]);
		return;
	}
	usage_printed = false;
	err = c->run(argc, argv);
	if (err < 0 && !usage_printed)
		kprintf("%s: error %s\n", argv[0], errno_name(err));
}

void shell_run(void)
{
	char line[SHELL_LINE_MAX + 1];

	shell_check_cmds();
	kprintf("\nteachos shell: type help for the commands. Tab completes, Up recalls.\n");
	for (;;) {
		int n = readline(PROMPT, line);

		if (n == -E2BIG)
			kprintf("line too long: at most %d characters; not run\n", SHELL_LINE_MAX);
		else
			run_line(line);
	}
}
