/*
 * The shell's foreground programs (kernel/shell/run_program.h). The program's standard input,
 * output and error are the console; the shell waits, and a Ctrl-C typed meanwhile kills the
 * program with SIGINT, as a terminal's line discipline would send it.
 */
#include "kernel/shell/run_program.h"
#include "kernel/console_input.h"
#include "kernel/printk.h"
#include "kernel/process.h"
#include "lib/errno.h"

/* What a program started from the shell finds in its environment. */
static const char *const shell_envp[] = {"PATH=/bin", "HOME=/", "TERM=vt100", NULL};

static int ctrl_c(void)
{
	return console_interrupted() ? SIGINT : 0;
}

static const char *signal_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",   [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",   [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
	};

	if (sig > 0 && sig < (int)(sizeof(names) / sizeof(names[0])) && names[sig])
		return names[sig];
	return "a signal";
}

int shell_run_program(int argc, char *argv[])
{
	int pid, status;

	(void)argc;
	console_interrupted(); /* a Ctrl-C typed before the program started is not for it */
	pid = process_spawn(argv[0], (const char *const *)argv, shell_envp);
	if (pid < 0) {
		kprintf("%s: %s (%s)\n", argv[0], errno_text(pid), errno_name(pid));
		return 0;
	}
	status = kernel_wait(pid, ctrl_c);
	if (status < 0)
		kprintf("%s: lost track of pid %d (%s)\n", argv[0], pid, errno_name(status));
	else if (status & 0x7f)
		kprintf("%s[%d]: killed by %s (%d)\n", argv[0], pid, signal_name(status & 0x7f),
			status & 0x7f);
	else if (status >> 8)
		kprintf("%s[%d]: exit %d\n", argv[0], pid, (status >> 8) & 0xff);
	return 0;
}
