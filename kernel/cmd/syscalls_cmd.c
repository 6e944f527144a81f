/* The `syscalls` shell command: the system-call table with its counts. */
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "kernel/syscall.h"
#include "lib/string.h"

static int cmd_syscalls(int argc, char **argv)
{
	bool all = argc == 2 && !strcmp(argv[1], "-a");
	unsigned int implemented = 0;

	if (argc > 2 || (argc == 2 && !all))
		return shell_usage(argv[0]);
	kprintf("  nr  name                      calls  \n");
	for (unsigned int nr = 0; nr < NR_SYSCALLS; nr++) {
		const char *name = syscall_name(nr);
		bool impl = syscall_implemented(nr);
		uint64_t n = syscall_count(nr);

		implemented += impl;
		if (!name || (!n && !(all && impl)))
			continue;
		kprintf("%4u  %-22s %8llu  %s\n", nr, name, (unsigned long long)n,
			impl ? "" : "ENOSYS: no handler");
	}
	kprintf("%u of %u numbers implemented; %llu calls of unimplemented numbers returned "
		"ENOSYS\n",
		implemented, (unsigned int)NR_SYSCALLS, (unsigned long long)syscall_enosys_total());
	return 0;
}
SHELL_COMMAND("syscalls", "[-a]",
	      "system calls made since boot, by number, ENOSYS marking numbers with no handler; "
	      "-a lists every implemented one too",
	      cmd_syscalls);
