/*
 * `taskset [CPU | -]`: moves the shell's own thread to CPU and keeps it there (kthread_bind),
 * or lets it run anywhere again (-); alone, says where it runs. Commands typed afterwards run
 * on that CPU, which makes per-CPU state visible from the shell: a file opened for writing on
 * one CPU and closed on another leaves +1 and -1 in the mount's writer counts (`writers`).
 */
#include "kernel/kthread.h"
#include "kernel/preempt.h"
#include "kernel/printk.h"
#include "kernel/sched/sched.h"
#include "kernel/shell.h"
#include "kernel/smp.h"
#include "lib/errno.h"
#include "lib/string.h"

static int cmd_taskset(int argc, char **argv)
{
	unsigned long long cpu;
	int err;

	if (argc == 2 && !strcmp(argv[1], "-")) {
		kthread_unbind(current);
	} else if (argc == 2) {
		if (parse_u64(argv[1], &cpu, 10, 0) || cpu >= nr_cpu_ids || !cpu_online(cpu)) {
			kprintf("taskset: %s: no such CPU online (0..%u)\n", argv[1], nr_cpu_ids - 1);
			return 1;
		}
		if ((err = kthread_bind(current, (unsigned int)cpu)))
			return err;
	} else if (argc != 1) {
		return shell_usage(argv[0]);
	}
	kprintf("shell runs on CPU %u, %s\n", smp_processor_id(),
		current->bound_cpu < 0 ? "may move" : "bound there");
	return 0;
}
SHELL_COMMAND("taskset", "[CPU | -]", "move the shell to CPU and keep it there (- lets it move)",
	      cmd_taskset);
