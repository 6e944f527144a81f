/*
 * The shell's command table. Any subsystem adds a command with SHELL_COMMAND, which places it in
 * the .shell_cmds linker section; the shell finds it there for help, dispatch and tab completion.
 *
 *	static int cmd_mem(int argc, char **argv) { ... return 0; }
 *	SHELL_COMMAND("mem", "", "free and used pages, slab caches", cmd_mem);
 *
 * A command returns 0 on success or a negative errno. On wrong arguments it calls
 * shell_usage(argv[0]) (which prints "usage: NAME ARGS") and returns its result.
 */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

#include "lib/compiler.h"

struct shell_cmd {
	const char *name;
	const char *args; /* argument synopsis for usage, "" for none */
	const char *help; /* one line */
	int (*run)(int argc, char **argv);
	void (*more_help)(void); /* what `help NAME` prints after the usage; may be NULL */
};

#define SHELL_COMMAND(name_, args_, help_, fn_)                                                    \
	static const struct shell_cmd shell_cmd_##fn_ __used __aligned(8)                          \
		__section(".shell_cmds") = {name_, args_, help_, fn_, NULL}
/* The same, with a function that prints more for `help NAME` (a list of kinds, say). */
#define SHELL_COMMAND_MORE_HELP(name_, args_, help_, fn_, more_)                                   \
	static const struct shell_cmd shell_cmd_##fn_ __used __aligned(8)                          \
		__section(".shell_cmds") = {name_, args_, help_, fn_, more_}

/* Prints the usage line of the named command; returns -EINVAL. */
int shell_usage(const char *name);
/* Runs the shell on the console; never returns. */
__noreturn void shell_run(void);

#endif
