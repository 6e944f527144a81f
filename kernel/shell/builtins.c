/* The shell's own commands: help, dmesg, test. */
#include "kernel/shell.h"
#include "kernel/shell/cmdtab.h"
#include "kernel/shell/readline.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "lib/string.h"

static void print_usage_and_help(const struct shell_cmd *c)
{
	kprintf("usage: %s%s%s\n  %s\n", c->name, c->args[0] ? " " : "", c->args, c->help);
}

static int cmd_help(int argc, char **argv)
{
	const struct shell_cmd *c;
	int width = 0;

	if (argc > 2)
		return shell_usage(argv[0]);
	if (argc == 2) {
		c = shell_find_cmd(argv[1]);
		if (c) {
			print_usage_and_help(c);
			if (c->more_help)
				c->more_help();
		} else
			kprintf("unknown command: %s (try help)\n", argv[1]);
		return 0;
	}
	for (c = shell_cmd_next(NULL); c; c = shell_cmd_next(c))
		width = MAX(width, (int)strlen(c->name));
	for (c = shell_cmd_next(NULL); c; c = shell_cmd_next(c))
		kprintf("  %-*s  %s\n", width, c->name, c->help);
	kprintf("'help NAME' shows how to call one.\n");
	return 0;
}
SHELL_COMMAND("help", "[command]", "list the commands, or show how to call one", cmd_help);

static int cmd_dmesg(int argc, char **argv)
{
	size_t dropped = dmesg_dropped();

	if (argc != 1)
		return shell_usage(argv[0]);
	if (dropped)
		kprintf("(the log ring has dropped its oldest %zu bytes)\n", dropped);
	dmesg_print();
	return 0;
}
SHELL_COMMAND("dmesg", "", "print the kernel log ring, oldest line first", cmd_dmesg);

/*
 * test all, or test NAME...: the names are joined with commas, the filter syntax of ktest_run
 * (and of ktest= on the command line). The whole line fits in SHELL_LINE_MAX, so the filter does.
 */
static int cmd_test(int argc, char **argv)
{
	char filter[SHELL_LINE_MAX + 1] = "";
	struct ktest_totals tot;

	if (argc == 1) {
		shell_usage(argv[0]);
		kprintf("suites:\n");
		ktest_list();
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "all") == 0 && argc > 2)
			return shell_usage(argv[0]); /* "all" stands alone */
		if (i > 1)
			strlcat(filter, ",", sizeof(filter));
		strlcat(filter, argv[i], sizeof(filter));
	}
	tot = ktest_run(filter);
	kprintf("ktest: %u passed, %u failed, %u skipped\n", tot.passed, tot.failed, tot.skipped);
	return 0;
}
SHELL_COMMAND("test", "all | SUITE...", "run in-kernel KTAP test suites (alone: list them)",
	      cmd_test);
