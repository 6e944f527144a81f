/* The `ps` shell command: one line per kernel thread. */
#include "kernel/shell.h"
#include "kernel/printk.h"
#include "kernel/kthread.h"
#include "kernel/smp.h"
#include "lib/printf.h"

static int cmd_ps(int argc, char **argv)
{
	struct thread *t;
	unsigned int cpu;

	if (argc != 1)
		return shell_usage(argv[0]);
	kprintf("  tid  name              cpu  bound  state       run ms  switches  moves\n");
	spin_lock(&thread_list_lock);
	list_for_each_entry(t, &thread_list, all_node) {
		char bound[8] = "-";

		if (t->bound_cpu >= 0)
			snprintf(bound, sizeof(bound), "%d", t->bound_cpu);
		kprintf("%5d  %-16s %4u  %5s  %-9s %8llu %9llu %6llu\n", t->tid, t->name, t->cpu,
			bound, thread_state_name(t),
			(unsigned long long)(thread_runtime_ns(t) / 1000000),
			(unsigned long long)t->nr_switches, (unsigned long long)t->nr_migrations);
	}
	spin_unlock(&thread_list_lock);
	kprintf("cpu  running  switches  preemptions  pulled\n");
	for_each_cpu(cpu, &cpu_online_mask) {
		struct sched_stats s = sched_stats(cpu);
		kprintf("%3u  %7u  %8llu  %11llu  %6llu\n", cpu, s.nr_running,
			(unsigned long long)s.nr_switches, (unsigned long long)s.nr_preemptions,
			(unsigned long long)s.nr_pulled);
	}
	return 0;
}
SHELL_COMMAND("ps", "", "kernel threads: id, name, CPU, state, run time; per-CPU switch counts",
	      cmd_ps);
