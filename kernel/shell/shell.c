/* The kernel shell: reads a line from the console, splits it into words, runs the command. */
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "lib/string.h"

#define LINE_MAX 256
#define ARGS_MAX 16

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];

static const struct shell_cmd *find_cmd(const char *name)
{
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int shell_usage(const char *name)
{
	const struct shell_cmd *c = find_cmd(name);
	if (c)
		kprintf("usage: %s %s\n", c->name, c->args);
	return -EINVAL;
}

static int getc_blocking(void)
{
	int c;
	while ((c = serial_getc_nonblock()) < 0)
		cpu_relax();
	return c;
}

static void read_line(char *buf, size_t size)
{
	size_t n = 0;
	for (;;) {
		int c = getc_blocking();
		if (c == '\r' || c == '\n') {
			kprintf("\n");
			buf[n] = 0;
			return;
		}
		if (c >= 0x20 && c < 0x7f && n + 1 < size) {
			buf[n++] = (char)c;
			console_write((char *)&buf[n - 1], 1);
		}
	}
}

static int split(char *line, char **argv)
{
	int argc = 0;
	while (*line) {
		while (*line == ' ')
			*line++ = 0;
		if (!*line || argc == ARGS_MAX)
			break;
		argv[argc++] = line;
		while (*line && *line != ' ')
			line++;
	}
	return argc;
}

void shell_run(void)
{
	char line[LINE_MAX];
	char *argv[ARGS_MAX];

	for (;;) {
		const struct shell_cmd *c;
		int argc;
		kprintf("teachos> ");
		read_line(line, sizeof(line));
		argc = split(line, argv);
		if (!argc)
			continue;
		c = find_cmd(argv[0]);
		if (!c)
			kprintf("unknown command: %s (try help)\n", argv[0]);
		else
			c->run(argc, argv);
	}
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		kprintf("  %-10s %s\n", c->name, c->help);
	return 0;
}
SHELL_COMMAND("help", "", "list the commands", cmd_help);
